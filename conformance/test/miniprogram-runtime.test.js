'use strict';
// The emulated mini-program runtime (lib/wx-runtime.js) and the fake WeChat
// (lib/fake-wechat.js) themselves: wx.request / uploadFile / downloadFile /
// connectSocket semantics against a loopback echo server, storage, the module loader
// (no Node built-ins for page code), Page/setData, and jscode2session's answers.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');
const { createDevice } = require('../lib/wx-runtime');
const { startFakeWeChat } = require('../lib/fake-wechat');

// call runs a callback-style wx API and resolves {ok, res} once complete ran
function call(fn, opts) {
  return new Promise((resolve) => {
    let out;
    fn({
      ...opts,
      success: (res) => (out = { ok: true, res }),
      fail: (res) => (out = { ok: false, res }),
      complete: () => resolve(out),
    });
  });
}

describe('wx runtime', () => {
  let server;
  let base;
  let wss;
  let wsURL;
  const seen = [];
  const devices = [];
  const device = (o = {}) => {
    const d = createDevice({ name: 'rt', ...o });
    devices.push(d);
    return d;
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const u = new URL(req.url, 'http://x');
        if (u.pathname === '/slow') return setTimeout(() => res.end('late'), 2000);
        if (u.pathname === '/text') return res.end('not json {');
        if (u.pathname === '/missing') {
          res.writeHead(404, { 'content-type': 'application/json' });
          return res.end('{"error":"nope"}');
        }
        if (u.pathname === '/file.bin') {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          return res.end(Buffer.from([0, 1, 2, 255]));
        }
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'a=1' });
        res.end(JSON.stringify({ method: req.method, url: req.url, contentType: req.headers['content-type'] || null, referer: req.headers.referer || null, body: body.toString('latin1') }));
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${server.address().port}`;
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.on('listening', r));
    wsURL = `ws://127.0.0.1:${wss.address().port}/echo`;
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo:${data}`, { binary: isBinary })));
  });

  after(async () => {
    for (const d of devices) d.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => wss.close(r));
  });

  it('wx.request: GET data becomes the query string; JSON by default; success for any status', async () => {
    const d = device();
    const get = await call(d.wx.request, { url: `${base}/q`, data: { a: 1, b: 'x y', o: { k: 2 } }, header: { Referer: 'http://evil' } });
    assert.equal(get.ok, true);
    assert.equal(get.res.errMsg, 'request:ok');
    assert.equal(get.res.statusCode, 200);
    assert.equal(get.res.data.url, '/q?a=1&b=x%20y&o=%7B%22k%22%3A2%7D');
    assert.equal(get.res.data.contentType, 'application/json');
    assert.equal(get.res.data.referer, null, 'Referer cannot be set');
    assert.deepEqual(get.res.cookies, ['a=1']);
    assert.equal(get.res.header['content-type'], 'application/json');

    const post = await call(d.wx.request, { url: `${base}/p`, method: 'post', data: { a: [1, 2] } });
    assert.equal(post.res.data.method, 'POST');
    assert.equal(post.res.data.body, '{"a":[1,2]}');
    const form = await call(d.wx.request, { url: `${base}/p`, method: 'POST', header: { 'content-type': 'application/x-www-form-urlencoded' }, data: { a: 1, b: '&' } });
    assert.equal(form.res.data.body, 'a=1&b=%26');
    const raw = await call(d.wx.request, { url: `${base}/p`, method: 'PUT', header: { 'content-type': 'application/octet-stream' }, data: new Uint8Array([104, 105]).buffer });
    assert.equal(raw.res.data.body, 'hi');

    const miss = await call(d.wx.request, { url: `${base}/missing` });
    assert.equal(miss.ok, true, 'a 404 is a success for wx.request');
    assert.equal(miss.res.statusCode, 404);
    assert.deepEqual(miss.res.data, { error: 'nope' });
    const text = await call(d.wx.request, { url: `${base}/text` });
    assert.equal(text.res.data, 'not json {', 'text that is not JSON stays text');
    const asText = await call(d.wx.request, { url: `${base}/q`, dataType: 'text' });
    assert.equal(typeof asText.res.data, 'string');
    const buf = await call(d.wx.request, { url: `${base}/file.bin`, responseType: 'arraybuffer' });
    assert.ok(buf.res.data instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(buf.res.data)], [0, 1, 2, 255]);
  });

  it('wx.request: network errors, timeouts and abort fail with request:fail', async () => {
    const d = device();
    const refused = await call(d.wx.request, { url: 'http://127.0.0.1:1/' });
    assert.equal(refused.ok, false);
    assert.match(refused.res.errMsg, /^request:fail /);
    const slow = await call(d.wx.request, { url: `${base}/slow`, timeout: 100 });
    assert.equal(slow.res.errMsg, 'request:fail timeout');
    const aborted = await new Promise((resolve) => {
      const task = d.wx.request({ url: `${base}/slow`, fail: resolve });
      setTimeout(() => task.abort(), 20);
    });
    assert.equal(aborted.errMsg, 'request:fail abort');
    d.offline = true;
    const off = await call(d.wx.request, { url: `${base}/q` });
    assert.match(off.res.errMsg, /^request:fail .*INTERNET_DISCONNECTED/);
  });

  it('wx.uploadFile sends multipart/form-data with formData and the file; wx.downloadFile writes a temp file', async () => {
    const d = device();
    const filePath = d.writeUserFile('pics/cat.png', Buffer.from('meow-bytes'));
    assert.equal(filePath, `${d.wx.env.USER_DATA_PATH}/pics/cat.png`);
    const progress = [];
    const up = await new Promise((resolve) => {
      const task = d.wx.uploadFile({ url: `${base}/upload`, filePath, name: 'file', formData: { key: 'k/1', n: 2 }, complete: resolve });
      task.onProgressUpdate((p) => progress.push(p.progress));
    });
    assert.equal(up.errMsg, 'uploadFile:ok');
    assert.equal(up.statusCode, 200);
    assert.equal(typeof up.data, 'string', 'uploadFile gives the body as text');
    const req = seen[seen.length - 1];
    assert.equal(req.method, 'POST');
    const boundary = /boundary=(.+)$/.exec(req.headers['content-type'])[1];
    const body = req.body.toString('latin1');
    assert.ok(body.includes(`--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk/1\r\n`));
    assert.ok(body.includes('Content-Disposition: form-data; name="file"; filename="cat.png"\r\nContent-Type: image/png\r\n\r\nmeow-bytes\r\n'));
    assert.ok(body.endsWith(`--${boundary}--\r\n`));
    assert.deepEqual(progress, [100]);
    const missing = await call(d.wx.uploadFile, { url: `${base}/upload`, filePath: `${d.wx.env.USER_DATA_PATH}/none.png`, name: 'file' });
    assert.equal(missing.ok, false);
    assert.match(missing.res.errMsg, /^uploadFile:fail createUploadTask:fail file not found/);
    const noName = await call(d.wx.uploadFile, { url: `${base}/upload`, filePath });
    assert.match(noName.res.errMsg, /^uploadFile:fail parameter error/);
    assert.equal(d.wx.uploadFile({ url: `${base}/upload`, filePath, name: 'file' }).constructor, Object, 'a task, never a promise');

    const dl = await call(d.wx.downloadFile, { url: `${base}/file.bin` });
    assert.equal(dl.res.errMsg, 'downloadFile:ok');
    assert.equal(dl.res.statusCode, 200);
    assert.match(dl.res.tempFilePath, /^wxfile:\/\/tmp_[0-9a-f]+\.bin$/);
    assert.deepEqual([...d.readFile(dl.res.tempFilePath)], [0, 1, 2, 255]);
    const toUser = await call(d.wx.downloadFile, { url: `${base}/file.bin`, filePath: `${d.wx.env.USER_DATA_PATH}/saved.bin` });
    assert.equal(toUser.res.filePath, `${d.wx.env.USER_DATA_PATH}/saved.bin`);
    const notFound = await call(d.wx.downloadFile, { url: `${base}/missing` });
    assert.equal(notFound.ok, true);
    assert.equal(notFound.res.statusCode, 404);
    assert.throws(() => d.localPath('wxfile://usr/../../etc/passwd'), /permission denied/);
  });

  it('wx.uploadFile: progress while the body goes out, any status is a success, abort, headers the app cannot set', async () => {
    const d = device();
    const big = crypto.randomBytes(600 * 1024);
    const filePath = d.tempFile(big, '.jpg');
    const progress = [];
    const up = await new Promise((resolve) => {
      const task = d.wx.uploadFile({ url: `${base}/upload`, filePath, name: 'f', header: { Referer: 'http://evil', 'Content-Type': 'text/plain', 'x-a': '1' }, complete: resolve });
      task.onProgressUpdate((p) => progress.push(p));
    });
    assert.equal(up.errMsg, 'uploadFile:ok');
    const req = seen[seen.length - 1];
    assert.equal(req.headers.referer, undefined);
    assert.equal(req.headers['x-a'], '1');
    assert.match(req.headers['content-type'], /^multipart\/form-data; boundary=/);
    assert.ok(req.body.includes(big), 'the file bytes are in the body');
    assert.ok(progress.length >= 5, `several progress events (${progress.length})`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress);
    const last = progress[progress.length - 1];
    assert.equal(last.progress, 100);
    assert.equal(last.totalBytesSent, last.totalBytesExpectedToSend);
    assert.equal(last.totalBytesExpectedToSend, req.body.length);

    const refused = await call(d.wx.uploadFile, { url: `${base}/missing`, filePath, name: 'f' });
    assert.equal(refused.ok, true, 'an HTTP error status is a success for wx.uploadFile');
    assert.equal(refused.res.statusCode, 404);
    assert.equal(refused.res.data, '{"error":"nope"}', 'data stays text');

    const aborted = await new Promise((resolve) => {
      const task = d.wx.uploadFile({ url: `${base}/slow`, filePath, name: 'f', success: () => resolve({ errMsg: 'not aborted' }), fail: resolve });
      task.onProgressUpdate((p) => {
        if (p.progress === 100) setTimeout(() => task.abort(), 20);
      });
    });
    assert.equal(aborted.errMsg, 'uploadFile:fail abort');
    const early = await new Promise((resolve) => {
      const task = d.wx.uploadFile({ url: `${base}/upload`, filePath, name: 'f', success: () => resolve({ errMsg: 'not aborted' }), fail: resolve });
      task.abort();
    });
    assert.equal(early.errMsg, 'uploadFile:fail abort');
    d.offline = true;
    const off = await call(d.wx.uploadFile, { url: `${base}/upload`, filePath, name: 'f' });
    assert.match(off.res.errMsg, /^uploadFile:fail .*INTERNET_DISCONNECTED/);
  });

  it('file system manager, storage, login and system info', async () => {
    const d = device({ openid: 'o-rt' });
    const fsm = d.wx.getFileSystemManager();
    fsm.writeFileSync(`${d.wx.env.USER_DATA_PATH}/a.txt`, 'hello', 'utf8');
    assert.equal(fsm.readFileSync(`${d.wx.env.USER_DATA_PATH}/a.txt`, 'utf8'), 'hello');
    const r = await call(fsm.readFile, { filePath: `${d.wx.env.USER_DATA_PATH}/a.txt` });
    assert.ok(r.res.data instanceof ArrayBuffer);
    const nf = await call(fsm.readFile, { filePath: `${d.wx.env.USER_DATA_PATH}/none` });
    assert.match(nf.res.errMsg, /^readFile:fail no such file or directory/);

    assert.equal(d.wx.getStorageSync('k'), '', 'a missing key reads as ""');
    d.wx.setStorageSync('k', { a: [1, { b: true }] });
    const v = d.wx.getStorageSync('k');
    assert.deepEqual(v, { a: [1, { b: true }] });
    v.a.push(2);
    assert.deepEqual(d.wx.getStorageSync('k'), { a: [1, { b: true }] }, 'storage keeps a copy');
    d.wx.removeStorageSync('k');
    assert.equal(d.wx.getStorageSync('k'), '');
    assert.throws(() => d.wx.setStorageSync('', 1), /key/);
    assert.equal(device().wx.getStorageSync('k'), '', 'devices do not share storage');

    d.nextCodes.push('given-code');
    const l = await d.wx.login();
    assert.deepEqual(l, { code: 'given-code', errMsg: 'login:ok' });
    d.loginError = 'system error';
    const lf = await call(d.wx.login, {});
    assert.equal(lf.res.errMsg, 'login:fail system error');
    assert.equal(d.wx.getAccountInfoSync().miniProgram.appId, d.appid);
  });

  it('wx.connectSocket talks to a WebSocket server', async () => {
    const d = device();
    const task = d.wx.connectSocket({ url: wsURL });
    const got = [];
    await new Promise((resolve) => task.onOpen(resolve));
    const done = new Promise((resolve) =>
      task.onMessage((m) => {
        got.push(m.data);
        if (got.length === 2) resolve();
      })
    );
    task.send({ data: 'hi' });
    task.send({ data: new Uint8Array([9, 8]).buffer });
    await done;
    assert.equal(got[0], 'echo:hi');
    assert.deepEqual([...new Uint8Array(got[1])], [9, 8]);
    const closed = new Promise((resolve) => task.onClose(resolve));
    task.close({ code: 1000, reason: 'bye' });
    assert.equal((await closed).code, 1000);
  });

  it('page code sees wx, App, Page, getApp and relative requires, but no Node built-ins', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-app-'));
    try {
      fs.mkdirSync(path.join(dir, 'pages', 'p'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'utils'));
      fs.writeFileSync(path.join(dir, 'utils', 'fmt.js'), 'module.exports = (n) => "#" + n');
      fs.writeFileSync(path.join(dir, 'config.js'), 'module.exports = { real: true }');
      fs.writeFileSync(path.join(dir, 'app.js'), 'App({ globalData: { n: 1 }, onLaunch() { this.globalData.cfg = require("./config.js") } })');
      fs.writeFileSync(
        path.join(dir, 'pages', 'p', 'p.js'),
        [
          'const fmt = require("../../utils/fmt")',
          'const abs = require("/utils/fmt.js")',
          'let nodeFs = "hidden"; try { require("fs"); nodeFs = "visible" } catch (e) {}',
          'Page({',
          '  data: { list: [{ done: false }], label: "" },',
          '  onLoad(q) { this.setData({ label: fmt(q.id), "list[0].done": true, "deep.a.b": 1, nodeFs, proc: typeof process, buf: typeof Buffer, same: abs === fmt, app: getApp().globalData.n, hasWx: typeof wx.request }) },',
          '})',
        ].join('\n')
      );
      const d = device();
      d.launch(dir, { modules: { './config.js': { real: false } } });
      assert.deepEqual(d.app.globalData.cfg, { real: false }, 'modules can be replaced by the test');
      const page = await d.openPage('pages/p/p', { id: 7 });
      assert.deepEqual(page.data, {
        list: [{ done: true }],
        label: '#7',
        deep: { a: { b: 1 } },
        nodeFs: 'hidden',
        proc: 'undefined',
        buf: 'undefined',
        same: true,
        app: 1,
        hasWx: 'function',
      });
      const again = await d.openPage('pages/p/p', { id: 8 });
      assert.equal(again.data.label, '#8');
      assert.equal(page.data.label, '#7', 'each visit is its own page instance');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fake WeChat (jscode2session)', () => {
  let wx;
  before(async () => {
    wx = await startFakeWeChat({ appid: 'wxapp', secret: 'sec' });
  });
  after(() => wx.stop());

  const ask = async (q) => {
    const res = await fetch(`${wx.url}/sns/jscode2session?${new URLSearchParams({ appid: 'wxapp', secret: 'sec', grant_type: 'authorization_code', ...q })}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    return JSON.parse(await res.text());
  };

  it('a code works once, for its user', async () => {
    const code = wx.issueCode({ openid: 'o1', unionid: 'u1' });
    const ok = await ask({ js_code: code });
    assert.equal(ok.openid, 'o1');
    assert.equal(ok.unionid, 'u1');
    assert.equal(typeof ok.session_key, 'string');
    assert.equal((await ask({ js_code: code })).errcode, 40163);
    assert.equal((await ask({ js_code: 'nope' })).errcode, 40029);
  });

  it('checks appid, secret and grant_type; busy and rate-limited switches', async () => {
    const code = wx.issueCode('o2');
    assert.equal((await ask({ js_code: code, appid: 'other' })).errcode, 40013);
    assert.equal((await ask({ js_code: code, secret: 'bad' })).errcode, 40125);
    assert.equal((await ask({ js_code: code, grant_type: 'x' })).errcode, 40002);
    wx.busy = true;
    const busy = await ask({ js_code: code });
    wx.busy = false;
    assert.equal(busy.errcode, -1);
    assert.match(busy.errmsg, /rid: /);
    wx.rateLimited = true;
    const limited = await ask({ js_code: code });
    wx.rateLimited = false;
    assert.equal(limited.errcode, 45011);
    assert.equal((await ask({ js_code: code })).openid, 'o2', 'refused attempts did not use the code up');
  });

  it('a code expires after codeTTL (5 minutes by default)', async () => {
    assert.equal(wx.codeTTL, 5 * 60 * 1000);
    const old = wx.codeTTL;
    wx.codeTTL = 30;
    try {
      const code = wx.issueCode('o3');
      await new Promise((r) => setTimeout(r, 60));
      assert.equal((await ask({ js_code: code })).errcode, 40029);
    } finally {
      wx.codeTTL = old;
    }
  });
});
