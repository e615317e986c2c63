'use strict';
// Cloud functions through the public interfaces: `minicloud functions deploy` of the
// examples (examples/cloudfunctions) and of the fixtures (fixtures/functions), invoked
// with the official js-sdk (GATEWAY and CLOUD_API) and node-sdk; wx-server-sdk's
// database and storage inside functions; require of local files and node_modules;
// timeouts, bombs and errors (each a clear error, the server serving on); a timer
// trigger; HTTP access; invoke rules; getWXContext; the invocation log (admin action
// and CLI).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startServer, waitFor, uniqueName, CONFORMANCE, REPO } = require('../lib/server');

const FIXTURES = path.join(CONFORMANCE, 'fixtures', 'functions');
const BROKEN = path.join(CONFORMANCE, 'fixtures', 'functions-broken');
const EXAMPLES = path.join(REPO, 'examples', 'cloudfunctions');

describe('cloud functions', () => {
  let srv;
  // js-sdk users, anonymous. js-sdk signs callFunction with the credentials of the app
  // initialised last for the env (its request object is per env): every js-sdk call
  // below, CLOUD_API ones included, acts as `user`; webUser's own identity is checked
  // through /web by hand.
  let webUser; // js-sdk CLOUD_API
  let user; // js-sdk GATEWAY
  let admin; // node-sdk
  let deployOutput;

  // admin runs an /admin action and returns its data (or throws its error).
  async function adminAction(action, params = {}) {
    const { status, body } = await srv.adminRaw(action, params);
    assert.equal(status, 200);
    if (body.code) throw Object.assign(new Error(`${body.code}: ${body.message}`), { code: body.code });
    return body.data;
  }

  // gateway calls POST /v1/functions/<name> by hand (optionally without a token).
  function gateway(name, data = {}, token) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    return srv.fetchJSON(`/v1/functions/${name}`, { method: 'POST', headers, body: JSON.stringify(data) });
  }

  // web invokes a function over /web by hand, as webUser.
  async function web(name, data = {}) {
    const { body } = await srv.webRaw('functions.invokeFunction', { function_name: name, request_data: JSON.stringify(data) }, webUser.token);
    if (body.code) return body;
    return { result: JSON.parse(body.data.response_data), requestId: body.requestId };
  }

  // healthy proves the server still serves functions after a failure.
  async function healthy() {
    const res = await user.app.callFunction({ name: 'fx-require', data: { n: 7 } });
    assert.equal(res.result.doubled, 14);
  }

  before(async () => {
    srv = await startServer({ extraEnv: { MINICLOUD_FUNCTIONS_MEMORY: '128MiB' } });
    deployOutput = (await srv.cli('functions', 'deploy', EXAMPLES)) + (await srv.cli('functions', 'deploy', FIXTURES));
    webUser = await srv.jsUser({ mode: 'CLOUD_API' });
    user = await srv.jsUser();
    admin = srv.admin();
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  describe('deploy', () => {
    it('deploys every example and fixture, one line each', async () => {
      for (const name of ['counter', 'esm-ts', 'list', 'login', 'multifile', 'scheduled', 'fx-db', 'fx-require', 'fx-esm', 'fx-ticker']) {
        assert.match(deployOutput, new RegExp(`^${name}: version 1, \\d+ files?, `, 'm'));
      }
      const list = JSON.parse(await srv.cli('functions', 'list', '--json'));
      assert.ok(list.length >= 20);
      assert.ok(list.every((f) => f.activeVersion === 1));
    });

    it('a syntax error is refused at deploy with file:line, and nothing is deployed', async () => {
      const err = await srv.cli('functions', 'deploy', path.join(BROKEN, 'fx-syntax')).then(
        () => assert.fail('deploy must fail'),
        (e) => e,
      );
      assert.match(err.stdout + err.stderr, /fx-syntax: index\.js:3:\d+: SyntaxError/);
      const list = JSON.parse(await srv.cli('functions', 'list', '--json'));
      assert.ok(!list.some((f) => f.name === 'fx-syntax'));
      const call = await user.app.callFunction({ name: 'fx-syntax' });
      assert.equal(call.code, 'FUNCTION_NOT_FOUND');
    });
  });

  describe('the examples through js-sdk and node-sdk', () => {
    it('login: the caller identity (js-sdk), none for an admin (node-sdk)', async () => {
      const res = await user.app.callFunction({ name: 'login' });
      assert.equal(typeof res.requestId, 'string');
      assert.deepEqual(res.result, { openid: user.openid, unionid: null, env: srv.env }); // an anonymous user has no appid
      const viaWeb = await webUser.app.callFunction({ name: 'login' });
      assert.equal(viaWeb.result.openid, user.openid); // see above: js-sdk's per-env credentials
      assert.equal((await web('login')).result.openid, webUser.openid);
      const byAdmin = await admin.callFunction({ name: 'login' });
      assert.equal(typeof byAdmin.requestId, 'string');
      assert.equal(byAdmin.result.env, srv.env);
      assert.ok(!byAdmin.result.openid);
    });

    it('counter: _.inc through wx-server-sdk, from both SDKs, lands in the database', async () => {
      const id = uniqueName('visits');
      await srv.adminDb().createCollection('counters'); // as on CloudBase, made in the console first
      assert.deepEqual((await user.app.callFunction({ name: 'counter', data: { id } })).result, { id, n: 1 });
      assert.deepEqual((await web('counter', { id, by: 5 })).result, { id, n: 6 });
      assert.deepEqual((await admin.callFunction({ name: 'counter', data: { id } })).result, { id, n: 7 });
      const { data } = await srv.adminDb().collection('counters').doc(id).get();
      assert.equal(data[0].n, 7);
      assert.ok(data[0].updatedAt instanceof Date);
    });

    it('list: a paged db.command query over the caller’s documents', async () => {
      const db = srv.adminDb();
      const base = Date.UTC(2024, 0, 1);
      for (let i = 0; i < 5; i++) {
        await db.collection('todos').add({ _openid: user.openid, title: `task ${i}`, done: i % 2 === 0, createdAt: new Date(base + i * 1000) });
      }
      await db.collection('todos').add({ _openid: 'someone-else', title: 'task x', done: true, createdAt: new Date(base) });
      const res = await user.app.callFunction({ name: 'list', data: { page: 1, pageSize: 2 } });
      assert.equal(res.result.total, 5);
      assert.equal(res.result.pages, 3);
      assert.deepEqual(res.result.data.map((d) => d.title), ['task 4', 'task 3']);
      const done = await user.app.callFunction({ name: 'list', data: { done: true, keyword: 'TASK' } });
      assert.deepEqual(done.result.data.map((d) => d.title), ['task 4', 'task 2', 'task 0']);
    });

    it('multifile: helpers, a JSON file and a node_modules package', async () => {
      const res = await user.app.callFunction({ name: 'multifile', data: { title: 'Hello, Cloud World!', body: 'Some text.', tags: ['B', 'a', 'b'] } });
      assert.equal(res.result.ok, true);
      assert.equal(res.result.slug, 'hello-cloud-world');
      assert.deepEqual(res.result.tags, ['a', 'b']);
      const { data } = await srv.adminDb().collection('articles').doc(res.result.id).get();
      assert.equal(data[0].author, user.openid);
      const bad = await user.app.callFunction({ name: 'multifile', data: { title: '' } });
      assert.deepEqual(bad.result, { ok: false, problems: ['title is required', 'body is required'] });
    });

    it('esm-ts: TypeScript ES module, transformed at deploy', async () => {
      const res = await user.app.callFunction({ name: 'esm-ts', data: { name: 'Ann', lang: 'en' } });
      assert.equal(res.result.openid, user.openid);
      assert.match(JSON.stringify(res.result), /Ann/);
    });

    it('scheduled: run by hand through node-sdk', async () => {
      await srv.adminDb().createCollection('sessions');
      const res = await admin.callFunction({ name: 'scheduled', data: {} });
      assert.equal(res.result.removed, 0);
      assert.equal(typeof res.result.cutoff, 'string');
    });
  });

  describe('inside functions', () => {
    it('wx-server-sdk database calls against real data', async () => {
      const coll = uniqueName('fxdb');
      const db = srv.adminDb();
      await db.createCollection(coll);
      for (const [n, tag] of [[1, 'a'], [2, 'b'], [3, 'a'], [4, 'b'], [5, 'c']]) {
        await db.collection(coll).add({ n, tag, secret: 's' });
      }
      const res = await user.app.callFunction({ name: 'fx-db', data: { collection: coll, min: 2 } });
      assert.deepEqual(res.result.ns, [4, 3, 2]);
      assert.deepEqual(res.result.keys, ['_id', 'n', 'tag']);
      assert.equal(res.result.total, 2);
      assert.equal(res.result.updated, 2);
      assert.equal(res.result.added.isDate, true);
      assert.deepEqual(res.result.groups, [{ _id: 'a', count: 2 }, { _id: 'b', count: 2 }, { _id: 'c', count: 1 }, { _id: 'fn', count: 1 }]);
      const { data } = await db.collection(coll).where({ tag: 'a' }).orderBy('n', 'asc').get();
      assert.deepEqual(data.map((d) => d.hits), [1, 1]);
      const { data: added } = await db.collection(coll).doc(res.result.added.id).get();
      assert.equal(added[0].n, 100);
    });

    it('require of local files, JSON and a pure-JS package in node_modules', async () => {
      const res = await user.app.callFunction({ name: 'fx-require', data: { n: 42 } });
      assert.deepEqual(res.result, { padded: '000042', doubled: 84, pkgVersion: '0.1.0', sameModule: true });
    });

    it('an ES module with named and namespace imports of wx-server-sdk', async () => {
      const coll = uniqueName('fxesm');
      await srv.adminDb().collection(coll).add({ x: 1 });
      const res = await user.app.callFunction({ name: 'fx-esm', data: { collection: coll } });
      assert.deepEqual(res.result, { env: srv.env, total: 1, logger: 'function' });
    });

    it('storage: uploadFile, getTempFileURL, downloadFile, deleteFile with wx-server-sdk’s shapes', async () => {
      const cloudPath = `fx/${uniqueName('f')}.txt`;
      const fileID = `cloud://${srv.env}.minicloud/${cloudPath}`;
      const res = (await user.app.callFunction({ name: 'fx-storage', data: { path: cloudPath, text: 'hello 云 storage' } })).result;
      assert.deepEqual(res.upload, { fileID, statusCode: 200, errMsg: 'uploadFile:ok' });
      assert.equal(res.urls.errMsg, 'getTempFileURL:ok');
      const [ok, missing] = res.urls.fileList;
      assert.equal(ok.fileID, fileID);
      assert.equal(ok.status, 0);
      assert.equal(ok.errMsg, 'ok');
      assert.ok(ok.tempFileURL.startsWith(`${srv.url}/storage/v1/objects/${cloudPath}?`), ok.tempFileURL);
      assert.equal(missing.status, -503003);
      assert.equal(missing.tempFileURL, '');
      assert.deepEqual(res.download, { text: 'hello 云 storage', isBuffer: true, statusCode: 200, errMsg: 'downloadFile:ok' });
      assert.deepEqual(res.del, { fileList: [{ fileID, status: 0, errMsg: 'ok' }], errMsg: 'deleteFile:ok' });
      assert.deepEqual(res.streamed, {
        upload: { fileID: `${fileID}.demo.txt`, statusCode: 200, errMsg: 'uploadFile:ok' },
        text: 'streamed from the bundle 云\n',
      });
      assert.equal(res.gone.errCode, -503003);
      assert.match(res.gone.errMsg, /^downloadFile:fail /);
      assert.match(res.openapi, /not available yet/);
      // the URL handed out while the file existed no longer serves it
      assert.equal((await srv.fetch(ok.tempFileURL)).status, 404);
    });

    it('storage: a file a function uploads is real storage (node-sdk and the temp URL see it)', async () => {
      const cloudPath = `fx/${uniqueName('kept')}.txt`;
      const res = (await admin.callFunction({ name: 'fx-storage', data: { path: cloudPath, text: 'kept', keep: true } })).result;
      const url = res.urls.fileList[0].tempFileURL;
      const got = await srv.fetch(url);
      assert.equal(got.status, 200);
      assert.equal(await got.text(), 'kept');
      const dl = await admin.downloadFile({ fileID: res.upload.fileID });
      assert.equal(dl.fileContent.toString(), 'kept');
    });

    it('getWXContext carries OPENID, APPID, ENV, SOURCE and CLIENTIP; event.userInfo is added', async () => {
      const res = await user.app.callFunction({ name: 'fx-whoami', data: { data: 1 } });
      assert.deepEqual(res.result.wx, { OPENID: user.openid, CLIENTIP: '127.0.0.1', ENV: srv.env, SOURCE: 'wx_client' });
      assert.equal(res.result.wx.APPID, undefined); // an anonymous web user has no appid
      assert.deepEqual(res.result.userInfo, { appId: '', openId: user.openid });
      assert.equal(res.result.data, 1);
      const viaWeb = await web('fx-whoami');
      assert.deepEqual(viaWeb.result.wx, { OPENID: webUser.openid, CLIENTIP: '127.0.0.1', ENV: srv.env, SOURCE: 'wx_client' });
      const byAdmin = await admin.callFunction({ name: 'fx-whoami' });
      assert.deepEqual(byAdmin.result.wx, { CLIENTIP: '127.0.0.1', ENV: srv.env, SOURCE: 'admin' });
      assert.equal(byAdmin.result.userInfo, null);
    });
  });

  describe('failures are clear errors and the server keeps serving', () => {
    const cases = [
      ['fx-timeout', 'FUNCTIONS_TIME_LIMIT_EXCEEDED', /did not finish within its timeout of 1s/, 504],
      ['fx-loop', 'FUNCTIONS_TIME_LIMIT_EXCEEDED', /did not finish within its timeout of 1s/, 504],
      ['fx-alloc', 'FUNCTIONS_MEMORY_LIMIT_EXCEEDED', /too much memory/, 502],
      ['fx-recursion', 'FUNCTIONS_EXECUTE_FAIL', /Maximum call stack size exceeded[\s\S]*index\.js:2/, 502],
      ['fx-throw', 'FUNCTIONS_EXECUTE_FAIL', /^Error: boom from fx-throw: because\n\s+at check \(index\.js:2:\d+\)/, 502],
      ['fx-reject', 'FUNCTIONS_EXECUTE_FAIL', /unhandled promise rejection: Error: nobody caught me/, 502],
    ];
    for (const [name, code, message, status] of cases) {
      it(`${name}: ${code}`, async () => {
        const started = Date.now();
        // js-sdk (GATEWAY) hands the error back as {code, message, requestId}
        const res = await user.app.callFunction({ name, data: { why: 'because' } });
        assert.equal(res.code, code, JSON.stringify(res));
        assert.match(res.message, message);
        assert.equal(typeof res.requestId, 'string');
        if (code === 'FUNCTIONS_TIME_LIMIT_EXCEEDED') assert.ok(Date.now() - started < 5000);
        // the gateway's HTTP status
        if (name !== 'fx-alloc') assert.equal((await gateway(name, { why: 'because' }, user.token)).status, status);
        // node-sdk throws with the code
        if (name === 'fx-throw' || name === 'fx-reject') {
          await assert.rejects(admin.callFunction({ name, data: { why: 'because' } }), (e) => e.code === code && message.test(e.message));
        }
        await healthy();
      });
    }

    it('js-sdk CLOUD_API mode throws with the code in its message', async () => {
      await assert.rejects(webUser.app.callFunction({ name: 'fx-throw', data: { why: 'web' } }), /FUNCTIONS_EXECUTE_FAIL.*boom from fx-throw: web/);
      await healthy();
    });

    it('an unknown function is FUNCTION_NOT_FOUND', async () => {
      assert.equal((await user.app.callFunction({ name: 'no-such-fn' })).code, 'FUNCTION_NOT_FOUND');
      assert.equal((await gateway('no-such-fn', {}, user.token)).status, 404);
    });

    it('every failure is in the invocation log with its request id and stack', async () => {
      const res = await user.app.callFunction({ name: 'fx-throw', data: { why: 'logged' } });
      const { logs } = await adminAction('functions.getFunctionLogs', { requestId: res.requestId });
      assert.equal(logs.length, 1);
      assert.equal(logs[0].function, 'fx-throw');
      assert.equal(logs[0].outcome, 'error');
      assert.equal(logs[0].errorCode, 'FUNCTIONS_EXECUTE_FAIL');
      assert.equal(logs[0].openid, user.openid);
      assert.match(logs[0].errorStack, /index\.js:2/);
      const timeouts = await adminAction('functions.getFunctionLogs', { outcome: 'timeout' });
      assert.deepEqual([...new Set(timeouts.logs.map((l) => l.function))].sort(), ['fx-loop', 'fx-timeout']);
      const limits = await adminAction('functions.getFunctionLogs', { outcome: 'limit', functionName: 'fx-alloc' });
      assert.ok(limits.logs.length >= 1);
      // the CLI reads the same log
      const cli = await waitFor(async () => {
        const out = JSON.parse(await srv.cli('functions', 'logs', 'fx-throw', '--request-id', res.requestId, '--json'));
        return out.length > 0 && out;
      });
      assert.equal(cli.length, 1);
      assert.equal(cli[0].requestId, res.requestId);
      const text = await srv.cli('functions', 'logs', '--outcome', 'timeout', '--since', '10m');
      assert.match(text, /fx-(loop|timeout) v1 {2}timeout/);
    });
  });

  describe('triggers and HTTP access', () => {
    it('a timer trigger fires (every second), its runs are logged with SOURCE timer', async () => {
      const runs = await waitFor(
        async () => {
          const { logs } = await adminAction('functions.getFunctionLogs', { functionName: 'fx-ticker', outcome: 'success' });
          return logs.length > 0 && logs;
        },
        { timeout: 15000, interval: 200, what: 'a timer run of fx-ticker' },
      );
      assert.equal(runs[0].source, 'timer');
      assert.match(runs[0].logs[0].text, /^tick everySecond/);
      const { data } = await srv.adminDb().collection('fx_ticks').limit(1).get();
      assert.deepEqual({ type: data[0].type, trigger: data[0].trigger, source: data[0].source }, { type: 'Timer', trigger: 'everySecond', source: 'timer' });
      // deleting the function stops its timer
      await srv.cli('functions', 'delete', 'fx-ticker');
    });

    it('HTTP access round trip under /fn', async () => {
      const res = await srv.fetch('/fn/fx-http/some/path?q=1&r=two', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${user.token}` },
        body: 'the body',
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-fx'), 'yes');
      assert.deepEqual(await res.json(), { method: 'POST', path: '/some/path', query: { q: '1', r: 'two' }, body: 'the body', hasAuth: true });
      // the function logged its headers: the log keeps no token (a running server writes
      // the log within 200 ms)
      const logs = await waitFor(
        async () => {
          const out = await srv.cli('functions', 'logs', 'fx-http', '--json');
          return JSON.parse(out).length > 0 && out;
        },
        { timeout: 5000, what: 'the log of fx-http' },
      );
      assert.match(logs, /\[redacted\]/);
      assert.ok(!logs.includes(user.token.slice(-24)), 'the access token reached the log');
      const missing = await srv.fetch('/fn/no-such-fn/x');
      assert.equal(missing.status, 404);
    });
  });

  describe('invoke rules', () => {
    after(async () => {
      await adminAction('functions.modifyInvokeRule', { rule: '' });
    });

    it('default: a caller without a token is denied, a signed-in one (anonymous too) allowed', async () => {
      const denied = await gateway('fx-whoami', {});
      assert.equal(denied.status, 403);
      assert.equal(denied.body.code, 'PERMISSION_DENIED');
      assert.match(denied.body.message, /sign in first/);
      assert.equal((await gateway('fx-whoami', {}, user.token)).status, 200);
      const rule = await adminAction('functions.describeInvokeRule');
      assert.deepEqual(rule, { rule: '{"*":{"invoke":"auth != null"}}', isDefault: true });
    });

    it('per-function rules; admins and cloud.callFunction bypass them', async () => {
      const bad = await srv.adminRaw('functions.modifyInvokeRule', { rule: '{"*":{"invoke":"auth != "}}' });
      assert.equal(bad.body.code, 'INVALID_PARAM');
      assert.match(bad.body.message, /line 1, column 9/);
      await adminAction('functions.modifyInvokeRule', {
        rule: JSON.stringify({ '*': { invoke: 'auth != null' }, 'fx-whoami': { invoke: true }, 'fx-secret': { invoke: false } }),
      });
      // allowed without a token by its own rule
      const open = await gateway('fx-whoami', { data: 'anyone' });
      assert.equal(open.status, 200);
      assert.equal(open.body.data, 'anyone');
      assert.equal(open.body.wx.OPENID, undefined);
      // closed to clients, in both js-sdk modes
      const closed = await user.app.callFunction({ name: 'fx-secret' });
      assert.equal(closed.code, 'PERMISSION_DENIED');
      await assert.rejects(webUser.app.callFunction({ name: 'fx-secret' }), /PERMISSION_DENIED/);
      assert.equal((await web('fx-secret')).code, 'PERMISSION_DENIED');
      // server-side callers are not clients
      assert.equal((await admin.callFunction({ name: 'fx-secret' })).result.secret, 42);
      const via = await user.app.callFunction({ name: 'fx-caller' });
      assert.deepEqual(via.result, { viaCaller: { secret: 42, from: 'fx-caller', source: 'wx_client,scf' }, errMsg: 'callFunction:ok' });
    });

    it('the CLI sets them too; the running server applies the change', async () => {
      await srv.cli('functions', 'rules', 'set', JSON.stringify({ '*': { invoke: 'auth != null' }, login: { invoke: "auth != null && auth.loginType != 'ANONYMOUS'" } }));
      assert.match(await srv.cli('functions', 'rules', 'get'), /"login"/);
      await waitFor(async () => (await user.app.callFunction({ name: 'login' })).code === 'PERMISSION_DENIED', {
        timeout: 5000,
        what: 'the CLI rule to apply',
      });
      assert.equal((await admin.callFunction({ name: 'login' })).result.env, srv.env);
      await srv.cli('functions', 'rules', 'set', '{}');
      await waitFor(async () => (await user.app.callFunction({ name: 'login' })).result, { timeout: 5000, what: 'the default rules' });
    });
  });
});
