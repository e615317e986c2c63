'use strict';
// A fake of WeChat's mini-program login API on loopback, for the mini-program harness
// (lib/wx-runtime.js) and a real Minicloud started with MINICLOUD_WX_API_BASE pointing
// here. It answers GET /sns/jscode2session as WeChat does: HTTP 200 and a text/plain
// JSON body, {openid, session_key, unionid?} or {errcode, errmsg}:
//
//   40013 invalid appid, 40125 invalid appsecret, 40002 invalid grant_type,
//   40029 unknown or expired code (codes live `codeTTL` ms, 5 minutes as WeChat's),
//   40163 code already used (every code works once),
//   -1 when `busy` is set (WeChat down), 45011 when `rateLimited` is set.
//
//   const wechat = await startFakeWeChat({ appid: 'wx123', secret: 's3cret' });
//   const code = wechat.issueCode('openid-alice');   // what wx.login would give
//   wechat.busy = true;                              // every call answers -1
//   wechat.stop();

const http = require('node:http');
const crypto = require('node:crypto');

class FakeWeChat {
  constructor({ appid = 'wx0123456789abcdef', secret = 'fake-app-secret', codeTTL = 5 * 60 * 1000 } = {}) {
    this.appid = appid;
    this.secret = secret;
    this.codeTTL = codeTTL;
    this.codes = new Map(); // unused code → user
    this.used = new Set();
    this.busy = false;
    this.rateLimited = false;
    this.calls = 0; // jscode2session requests answered
    this.log = []; // {code, errcode} per request
    this.server = null;
    this.url = '';
  }

  /** issueCode returns a fresh single-use login code for the user (an openid or {openid, unionid, sessionKey}). */
  issueCode(user) {
    const u = typeof user === 'string' ? { openid: user } : { ...user };
    if (!u.openid) throw new Error('issueCode needs an openid');
    if (!u.sessionKey) u.sessionKey = crypto.randomBytes(16).toString('base64');
    const code = crypto.randomBytes(16).toString('hex');
    u.issuedAt = Date.now();
    this.codes.set(code, u);
    return code;
  }

  reply(res, body) {
    res.writeHead(200, { 'content-type': 'text/plain' }); // WeChat's content type for this JSON
    res.end(JSON.stringify(body));
  }

  error(res, code, errcode, errmsg) {
    this.log.push({ code, errcode });
    this.reply(res, { errcode, errmsg: `${errmsg}, rid: fake-${crypto.randomBytes(4).toString('hex')}` });
  }

  handle(req, res) {
    const u = new URL(req.url, 'http://fake');
    if (u.pathname !== '/sns/jscode2session') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    this.calls++;
    const q = u.searchParams;
    const code = q.get('js_code') || '';
    if (this.busy) return this.error(res, code, -1, 'system error');
    if (q.get('appid') !== this.appid) return this.error(res, code, 40013, 'invalid appid');
    if (q.get('secret') !== this.secret) return this.error(res, code, 40125, 'invalid appsecret');
    if (q.get('grant_type') !== 'authorization_code') return this.error(res, code, 40002, 'invalid grant_type');
    if (this.rateLimited) return this.error(res, code, 45011, 'api minute-quota reach limit  mustslower  retry next minute');
    if (this.used.has(code)) return this.error(res, code, 40163, 'code been used');
    const user = this.codes.get(code);
    if (!user || Date.now() - user.issuedAt > this.codeTTL) return this.error(res, code, 40029, 'invalid code');
    this.codes.delete(code);
    this.used.add(code);
    this.log.push({ code, openid: user.openid });
    const out = { session_key: user.sessionKey, openid: user.openid };
    if (user.unionid) out.unionid = user.unionid;
    this.reply(res, out);
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server = http.createServer((req, res) => this.handle(req, res));
      this.server.on('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.url = `http://127.0.0.1:${this.server.address().port}`;
        resolve(this);
      });
    });
  }

  /** serverEnv is what a Minicloud server needs to sign users in against this fake. */
  serverEnv() {
    return { MINICLOUD_WX_APPID: this.appid, MINICLOUD_WX_SECRET: this.secret, MINICLOUD_WX_API_BASE: this.url };
  }

  stop() {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function startFakeWeChat(opts) {
  return new FakeWeChat(opts).start();
}

module.exports = { startFakeWeChat, FakeWeChat };
