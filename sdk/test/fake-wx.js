'use strict';
// A scripted `wx` for the SDK's unit tests: wx.request is answered in memory by a fake
// Minicloud (sign-in, refresh and /web actions), wx.login hands out numbered codes,
// storage is a Map, files are a Map of paths to bytes (what wx.uploadFile sends).
// There is no getFileSystemManager: the SDK must not need one.

function fakeServer(opts = {}) {
  const srv = {
    ttl: opts.ttl === undefined ? 7200 : opts.ttl,
    seq: 0,
    valid: new Set(), // access tokens the server accepts
    refresh: new Set(), // refresh tokens it accepts
    actions: [], // {action, params, token}
    auth: [], // paths of /auth/v1 calls
    handlers: {}, // action → (params) => data | {code, message}
    signInError: null, // {status, error, error_description} for provider/token
    issue() {
      const n = ++srv.seq;
      const at = `access-${n}`;
      const rt = `refresh-${n}`;
      srv.valid.add(at);
      srv.refresh.add(rt);
      return { token_type: 'Bearer', access_token: at, refresh_token: rt, expires_in: srv.ttl, scope: 'wechat', sub: 'u1' };
    },
    handle(req) {
      const u = new URL(req.url);
      if (u.pathname.startsWith('/auth/v1/')) {
        const p = u.pathname.slice('/auth/v1'.length);
        srv.auth.push(p);
        if (p === '/provider/token') {
          if (srv.signInError) return { statusCode: srv.signInError.status, data: srv.signInError };
          return { statusCode: 200, data: { provider_token: `pt-${req.data.provider_code}`, expires_in: 300 } };
        }
        if (p === '/signin/with/provider') return { statusCode: 200, data: srv.issue() };
        if (p === '/token') {
          if (!srv.refresh.has(req.data.refresh_token)) return { statusCode: 400, data: { error: 'invalid_grant', error_description: 'the refresh token is invalid' } };
          return { statusCode: 200, data: srv.issue() };
        }
        if (p === '/user/signout') return { statusCode: 200, data: {} };
        if (p === '/user/me') return { statusCode: 200, data: { openid: 'o-test' } };
        return { statusCode: 404, data: { error: 'not_found' } };
      }
      if (u.pathname === '/web') {
        const { action, access_token: token, ...params } = req.data;
        srv.actions.push({ action, params, token });
        if (!srv.valid.has(token)) return { statusCode: 200, data: { code: 'ACCESS_TOKEN_EXPIRED', message: 'expired', requestId: 'r0' } };
        const h = srv.handlers[action];
        const data = h ? h(params) : {};
        if (data && data.code) return { statusCode: 200, data: { ...data, requestId: 'r1' } };
        return { statusCode: 200, data: { requestId: 'r1', data } };
      }
      if (opts.other) return opts.other(req);
      return { statusCode: 404, data: 'not found' };
    },
  };
  return srv;
}

function fakeWx(server, opts = {}) {
  const store = new Map();
  const files = new Map(Object.entries(opts.files || {}));
  const wx = {
    logins: 0,
    requests: [],
    offline: false,
    request(o) {
      wx.requests.push(o);
      setImmediate(() => {
        if (wx.offline) return o.fail({ errMsg: 'request:fail offline' });
        // wx.request sends objects as JSON: the fake sees what the server would
        const sent = { ...o, data: o.data && typeof o.data === 'object' && !(o.data instanceof ArrayBuffer) ? JSON.parse(JSON.stringify(o.data)) : o.data };
        let r;
        try {
          r = server.handle(sent);
        } catch (e) {
          return o.fail({ errMsg: `request:fail ${e.message}` });
        }
        o.success({ statusCode: r.statusCode, data: r.data, header: {}, errMsg: 'request:ok' });
      });
      return { abort() {} };
    },
    login(o) {
      wx.logins++;
      const n = wx.logins;
      setImmediate(() => (opts.loginFails ? o.fail({ errMsg: 'login:fail nope' }) : o.success({ code: `code-${n}`, errMsg: 'login:ok' })));
    },
    getStorageSync: (k) => (store.has(k) ? JSON.parse(store.get(k)) : ''),
    setStorageSync: (k, v) => store.set(k, JSON.stringify(v)),
    removeStorageSync: (k) => store.delete(k),
    // wx.uploadFile: the fake server sees {method: 'POST', url, header, form: {formData,
    // name, filename, bytes}}; progress is reported in two steps, abort fails the call
    uploadFile(o) {
      wx.requests.push({ ...o, method: 'UPLOAD' });
      const progress = [];
      let aborted = false;
      const task = {
        abort() {
          aborted = true;
        },
        onProgressUpdate: (cb) => progress.push(cb),
        offProgressUpdate: (cb) => progress.splice(progress.indexOf(cb) >>> 0, 1),
      };
      setImmediate(() => {
        if (aborted) return o.fail({ errMsg: 'uploadFile:fail abort' });
        if (wx.offline) return o.fail({ errMsg: 'uploadFile:fail offline' });
        if (!files.has(o.filePath)) return o.fail({ errMsg: `uploadFile:fail createUploadTask:fail file not found ${o.filePath}` });
        const bytes = Buffer.from(files.get(o.filePath));
        const total = bytes.length;
        const half = Math.floor(total / 2);
        progress.forEach((cb) => cb({ progress: Math.floor((half * 100) / total), totalBytesSent: half, totalBytesExpectedToSend: total }));
        setImmediate(() => {
          if (aborted) return o.fail({ errMsg: 'uploadFile:fail abort' });
          progress.forEach((cb) => cb({ progress: 100, totalBytesSent: total, totalBytesExpectedToSend: total }));
          const form = { formData: { ...(o.formData || {}) }, name: o.name, filename: o.filePath.split('/').pop(), bytes };
          const r = server.handle({ url: o.url, method: 'POST', header: { ...(o.header || {}) }, form });
          // wx.uploadFile hands the body over as text, whatever its type
          o.success({ statusCode: r.statusCode, data: typeof r.data === 'string' ? r.data : JSON.stringify(r.data), errMsg: 'uploadFile:ok' });
        });
      });
      return task;
    },
    downloadFile(o) {
      wx.requests.push({ ...o, method: 'DOWNLOAD' });
      setImmediate(() => {
        const r = server.handle({ url: o.url, method: 'GET' });
        o.success({ tempFilePath: 'wxfile://tmp_1', statusCode: r.statusCode, errMsg: 'downloadFile:ok' });
      });
      return { abort() {}, onProgressUpdate() {} };
    },
    store,
    files,
  };
  return wx;
}

module.exports = { fakeServer, fakeWx };
