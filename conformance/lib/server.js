'use strict';
// Starts a real minicloud server for one test file and hands out SDK clients bound to it.
//
//   const { startServer } = require('../lib/server');
//   let srv;
//   before(async () => { srv = await startServer(); });
//   after(() => srv && srv.stop());
//
// The binary is built with `go build` into conformance/.data/minicloud (gitignored) unless
// MINICLOUD_BIN names one. Every server gets its own temporary data directory, an API key
// made with `minicloud keys create`, a free loopback port, MINICLOUD_ENV_ID and
// MINICLOUD_ANONYMOUS_AUTH=true. Set MINICLOUD_KEEP_DATA=1 to keep the data directory
// (and the server log) for a post-mortem.

process.env.SILENCE = process.env.SILENCE || 'true'; // node-sdk's slow-query warnings

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const dns = require('node:dns');
const { spawn, execFile, execFileSync } = require('node:child_process');

// Offline, the SDKs' probes of Tencent Cloud hosts (node-sdk and js-sdk look up
// metadata.tencentyun.com on every request to detect SCF/CVM) wait for DNS timeouts;
// they pile up in libuv's thread pool and keep the test process alive long after the
// tests end. Answer them at once with ENOTFOUND, which is what the SDKs expect off-cloud.
const CLOUD_HOSTS = /(^|\.)(tencentyun\.com|tencentcloudapi\.com|tcloudbasegateway\.com|myqcloud\.com|qcloud\.com)$/i;
const realLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (typeof hostname === 'string' && CLOUD_HOSTS.test(hostname)) {
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      errno: -3008,
      syscall: 'getaddrinfo',
      hostname,
    });
    process.nextTick(callback, err);
    return {};
  }
  return realLookup.call(this, hostname, options, callback);
};

const CONFORMANCE = path.resolve(__dirname, '..');
const REPO = path.resolve(CONFORMANCE, '..');
const DEFAULT_BIN = path.join(CONFORMANCE, '.data', 'minicloud');

let builtBin = null;

/** binary returns the path of the server binary, building it once per process. */
function binary() {
  if (process.env.MINICLOUD_BIN) return path.resolve(process.env.MINICLOUD_BIN);
  if (builtBin) return builtBin;
  fs.mkdirSync(path.dirname(DEFAULT_BIN), { recursive: true });
  // go's build cache makes this cheap when nothing changed; build to a temporary name and
  // rename so that a concurrent run never executes a half-written file
  const tmp = `${DEFAULT_BIN}.${process.pid}.tmp`;
  try {
    execFileSync('go', ['build', '-o', tmp, '.'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`go build failed:\n${e.stderr || e.message}`);
  }
  fs.renameSync(tmp, DEFAULT_BIN);
  builtBin = DEFAULT_BIN;
  return builtBin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(bin, args, env) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${path.basename(bin)} ${args.join(' ')} failed: ${err.message}\n${stderr}`;
        err.stdout = stdout;
        err.stderr = stderr;
        return reject(err);
      }
      resolve(stdout);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * waitFor polls fn until it returns a truthy value or the deadline passes. Errors count
 * as "not yet", except errors marked `fatal`, which end the wait at once.
 */
async function waitFor(fn, { timeout = 10000, interval = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (e && e.fatal) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(interval);
  }
}

let serverSeq = 0;

/** wechatEnv is the environment that points a server's WeChat sign-in at opts.wechat. */
function wechatEnv(w) {
  if (!w) return {};
  if (typeof w.serverEnv === 'function') return w.serverEnv();
  return { MINICLOUD_WX_APPID: w.appid, MINICLOUD_WX_SECRET: w.secret, MINICLOUD_WX_API_BASE: w.apiBase };
}

// Servers still running when the test process exits (a crash, a missed after()) are
// killed with it rather than left behind.
const running = new Set();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});
// a killed test run (timeout, Ctrl-C) exits through these, so 'exit' above still runs
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
}

/**
 * startServer starts a server and resolves once GET /api/health answers 200.
 * opts.env: environment id (default "conformance-env"); opts.extraEnv: more variables;
 * opts.wechat: WeChat sign-in against a fake WeChat (lib/fake-wechat.js), or
 * {appid, secret, apiBase}: sets MINICLOUD_WX_APPID, MINICLOUD_WX_SECRET, MINICLOUD_WX_API_BASE.
 */
async function startServer(opts = {}) {
  const bin = binary();
  const envId = opts.env || 'conformance-env';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minicloud-conformance-'));
  const baseEnv = {
    ...process.env,
    MINICLOUD_ENV_ID: envId,
    MINICLOUD_ANONYMOUS_AUTH: 'true',
    ...wechatEnv(opts.wechat),
    ...(opts.extraEnv || {}),
  };
  let key;
  try {
    key = JSON.parse(await run(bin, ['keys', 'create', '--name', 'conformance', '--dir', dir], baseEnv));
    for (const k of ['secretId', 'secretKey', 'accessKey']) {
      if (!key[k]) throw new Error(`keys create printed no ${k}: ${JSON.stringify(key)}`);
    }
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let proc;
  let port;
  let log = '';
  const logFile = path.join(dir, 'server.log');
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    log = '';
    proc = spawn(bin, ['serve', '--http', `127.0.0.1:${port}`, '--dir', dir], {
      env: baseEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (b) => {
      log += b.toString();
      if (log.length > 1 << 20) log = log.slice(-(1 << 19));
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    let exited = null;
    proc.once('exit', (code, signal) => {
      exited = { code, signal };
    });
    try {
      await waitFor(
        async () => {
          if (exited) throw Object.assign(new Error(`server exited early (${JSON.stringify(exited)}):\n${log}`), { exited: true, fatal: true });
          const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
          return res.status === 200;
        },
        { timeout: 20000, interval: 20, what: 'GET /api/health' },
      );
      break;
    } catch (e) {
      if (!exited) proc.kill('SIGKILL');
      // the free port may have been taken in between: try another one
      if (attempt < 2 && /address already in use/i.test(log)) continue;
      if (!process.env.MINICLOUD_KEEP_DATA) fs.rmSync(dir, { recursive: true, force: true });
      throw e instanceof Error && e.exited ? e : new Error(`${e.message}\nserver log:\n${log}`);
    }
  }
  running.add(proc);
  proc.once('exit', () => running.delete(proc));

  const url = `http://127.0.0.1:${port}`;
  const seq = ++serverSeq;
  const srv = new Server({ bin, dir, envId, port, url, key, proc, baseEnv, logFile, seq, getLog: () => log });
  return srv;
}

class Server {
  constructor(o) {
    Object.assign(this, o);
    this.env = o.envId;
    this._admin = null;
    this._wx = null;
    this._apps = [];
  }

  /** output is what the server printed so far. */
  get output() {
    return this.getLog();
  }

  /** cli runs the binary against this server's data directory and returns stdout. */
  cli(...args) {
    return run(this.bin, [...args, '--dir', this.dir], this.baseEnv);
  }

  /** hasCli reports whether `minicloud <group> <sub>` exists. */
  async hasCli(group, sub) {
    const key = `${group} ${sub}`;
    this._cliHas = this._cliHas || {};
    if (!(key in this._cliHas)) {
      try {
        const out = await run(this.bin, [group, '--help'], this.baseEnv);
        this._cliHas[key] = new RegExp(`^\\s+${sub}\\b`, 'm').test(out);
      } catch {
        this._cliHas[key] = false;
      }
    }
    return this._cliHas[key];
  }

  /**
   * setPreset sets a collection's permission preset with `minicloud collections preset`.
   * The running server re-reads it on first use of the collection, or within
   * SettingsRecheck (2 s) when it had loaded the collection already.
   */
  async setPreset(name, preset) {
    if (!(await this.hasCli('collections', 'preset'))) {
      throw new Error('this minicloud binary has no `collections preset` command: permission presets cannot be set');
    }
    return this.cli('collections', 'preset', name, preset);
  }

  /** createCollectionCli creates a collection with `minicloud collections create`. */
  createCollectionCli(name) {
    return this.cli('collections', 'create', name);
  }

  /** fetch requests a path on the server (absolute URLs pass through). */
  fetch(p, init = {}) {
    return fetch(p.startsWith('http') ? p : this.url + p, { signal: AbortSignal.timeout(30000), ...init });
  }

  /** fetchJSON returns {status, body} where body is parsed JSON (or the raw text). */
  async fetchJSON(p, init = {}) {
    const res = await this.fetch(p, init);
    const text = await res.text();
    let body = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body, headers: res.headers };
  }

  /** signInRaw signs in anonymously over plain HTTP: {access_token, refresh_token, …, openid}. */
  async signInRaw() {
    const { status, body } = await this.fetchJSON(`/auth/v1/signin/anonymously?client_id=${encodeURIComponent(this.env)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (status !== 200 || !body.access_token) throw new Error(`anonymous sign-in failed: ${status} ${JSON.stringify(body)}`);
    const me = await this.fetchJSON('/auth/v1/user/me', { headers: { authorization: `Bearer ${body.access_token}` } });
    return { ...body, openid: me.body.openid, user: me.body };
  }

  /** gatewayPath is the gateway's documents URL path of a collection. */
  gatewayPath(coll, suffix = '') {
    return `/v1/database/instances/(default)/databases/(default)/collections/${coll}/documents${suffix}`;
  }

  /** webRaw posts an action to /web with an access token. */
  webRaw(action, params = {}, token, extra = {}) {
    return this.fetchJSON(`/web?env=${encodeURIComponent(this.env)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action, env: this.env, dataVersion: '2020-01-10', access_token: token, ...params }),
      ...extra,
    });
  }

  /** adminRaw posts an action to /admin authenticated with the API key's accessKey. */
  adminRaw(action, params = {}, { body, headers } = {}) {
    return this.fetchJSON(`/admin?env=${encodeURIComponent(this.env)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key.accessKey}`, ...(headers || {}) },
      body: body !== undefined ? body : JSON.stringify({ action, envName: this.env, ...params }),
    });
  }

  /** admin returns a node-sdk app signed with the API key (secretId/secretKey). */
  admin() {
    if (!this._admin) this._admin = this.newAdmin();
    return this._admin;
  }

  newAdmin(extra = {}) {
    const tcb = require('@cloudbase/node-sdk');
    return tcb.init({
      env: this.env,
      secretId: this.key.secretId,
      secretKey: this.key.secretKey,
      serviceUrl: `${this.url}/admin`,
      timeout: 30000,
      ...extra,
    });
  }

  /** adminDb is the admin database (node-sdk). */
  adminDb() {
    return this.admin().database();
  }

  /** wx returns wx-server-sdk initialised against this server (the module is a singleton). */
  wx() {
    if (!this._wx) {
      const cloud = require('wx-server-sdk');
      cloud.init({
        env: this.env,
        serviceUrl: `${this.url}/admin`,
        secretId: this.key.secretId,
        secretKey: this.key.secretKey,
        timeout: 30000,
      });
      this._wx = cloud;
    }
    return this._wx;
  }

  /**
   * jsApp makes a js-sdk app bound to this server, without signing in.
   * mode: 'GATEWAY' (default) or 'CLOUD_API'. env: the env id the app claims.
   */
  jsApp({ mode = 'GATEWAY', env = this.env } = {}) {
    const cloudbase = require('@cloudbase/js-sdk');
    const app = cloudbase.init({ env, endPointMode: mode, timeout: 30000 });
    app.registerHost(`127.0.0.1:${this.port}`, 'http');
    this._apps.push(app);
    return app;
  }

  /**
   * jsUser signs a fresh anonymous user in with js-sdk. Every call is a different user:
   * each cloudbase.init() returns its own app and, with persistence 'none', its own
   * credentials. Returns {app, auth, db, _, openid, token}.
   */
  async jsUser({ mode = 'GATEWAY' } = {}) {
    const app = this.jsApp({ mode });
    const auth = app.auth({ persistence: 'none' });
    await auth.signInAnonymously();
    const { accessToken } = await auth.getAccessToken();
    const me = await this.fetchJSON('/auth/v1/user/me', { headers: { authorization: `Bearer ${accessToken}` } });
    if (!me.body || !me.body.openid) throw new Error(`user/me gave no openid: ${JSON.stringify(me.body)}`);
    const db = app.database();
    return { app, auth, db, _: db.command, openid: me.body.openid, token: accessToken, mode };
  }

  /** stop ends the server and removes its data directory. */
  async stop() {
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    try {
      fs.writeFileSync(this.logFile, this.getLog());
    } catch {
      /* dir may be gone */
    }
    if (process.env.MINICLOUD_KEEP_DATA) {
      process.stderr.write(`minicloud data kept in ${this.dir}\n`);
    } else {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** uniqueName returns a collection name unlikely to clash inside one server. */
let nameSeq = 0;
function uniqueName(prefix = 'c') {
  nameSeq++;
  return `${prefix}_${Date.now().toString(36)}_${nameSeq}`;
}

module.exports = { startServer, binary, waitFor, sleep, uniqueName, REPO, CONFORMANCE };
