'use strict';
// An emulated mini-program runtime for Node: what a page's code sees as `wx`, over real
// HTTP, so that app code written for wx.cloud runs unchanged against a real server.
//
//   const { createDevice } = require('../lib/wx-runtime');
//   const phone = createDevice({ name: 'alice', openid: 'o-alice', wechat });  // wechat: lib/fake-wechat.js
//   const app = phone.launch('/path/to/miniprogram', { modules: { './config.js': { endpoint, env } } });
//   const page = await phone.openPage('pages/todos/todos');
//   await page.addTodo('milk');            // the page's own method
//   page.data.todos                        // what setData put there
//   phone.close();
//
// One device is one phone: its own `wx` (storage, files, login identity), its own
// module registry (app.js, pages and the npm packages they require run once per
// device), and App()/Page()/getApp(). Modules get `wx` the way a mini-program does,
// as a free variable, and may require only relative paths (or /absolute from the
// mini-program root) and the packages named in `packages` (e.g. {'minicloud-wx':
// '/repo/sdk'}): no Node built-ins, as on a phone.
//
// wx APIs, with the semantics WeChat documents (success/fail/complete callbacks,
// errMsg "<api>:ok" / "<api>:fail …"):
//   request       method, header (content-type defaults to application/json), data (GET:
//                 query string; JSON or x-www-form-urlencoded bodies; ArrayBuffer raw),
//                 dataType ('json' parses when it can), responseType ('text' |
//                 'arraybuffer'), timeout; success for every HTTP status; a RequestTask
//   uploadFile    multipart/form-data POST: formData fields, then the file at filePath
//                 as the part `name`; success {data (text), statusCode} for any status;
//                 an UploadTask: onProgressUpdate as the body is sent, abort(),
//                 onHeadersReceived; a missing file fails with createUploadTask:fail
//   downloadFile  GET to a temporary file (or filePath): {tempFilePath | filePath, statusCode}
//   login         a code from the fake WeChat for this device's openid
//   get/set/removeStorageSync (+ async forms), getFileSystemManager, connectSocket,
//   getAccountInfoSync, getSystemInfoSync, env.USER_DATA_PATH, chooseImage/chooseMedia
//   (the files in device.chosenFiles), and UI no-ops (showToast, showLoading,
//   showModal (confirms), previewImage, navigateTo …) recorded in device.ui.
//
// Pages: openPage(route, query) runs onLoad/onShow/onReady; page.data is what setData
// put there; page.trigger('onAdd', {dataset, detail}) calls a handler with the event
// a bindtap/bindinput would give it.
//
// File paths: wxfile://usr/<p> is the device's user-data dir (wx.env.USER_DATA_PATH);
// downloads and chosen images get wxfile://tmp_<id>.<ext>.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');

const USER_DATA_PATH = 'wxfile://usr';
const DEFAULT_TIMEOUT = 60000;

const MIME = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp',
  '.txt': 'text/plain', '.json': 'application/json', '.mp4': 'video/mp4', '.mp3': 'audio/mpeg', '.pdf': 'application/pdf',
};
const EXT = Object.fromEntries(Object.entries(MIME).map(([e, t]) => [t, e]));

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

function toArrayBuffer(buf) {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
}

function queryString(data) {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  return Object.keys(data)
    .filter((k) => data[k] !== undefined)
    .map((k) => {
      const v = data[k];
      return `${encodeURIComponent(k)}=${encodeURIComponent(v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))}`;
    })
    .join('&');
}

function headerValue(headers, name) {
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name);
  return k === undefined ? undefined : headers[k];
}

// settle calls success/fail/complete, or resolves/rejects when none is given
function finish(opts, ok, res, withPromise) {
  const cbs = opts && (opts.success || opts.fail || opts.complete);
  if (!cbs && withPromise) {
    if (ok) withPromise.resolve(res);
    else withPromise.reject(res);
    return;
  }
  try {
    if (ok && opts.success) opts.success(res);
    if (!ok && opts.fail) opts.fail(res);
  } finally {
    if (opts.complete) opts.complete(res);
  }
}

// asyncAPI runs fn(resolve, reject) later and delivers the wx way; without callbacks
// it returns a promise (the APIs that support promise style).
function asyncAPI(opts, fn, promiseStyle = true) {
  opts = opts || {};
  const hasCb = opts.success || opts.fail || opts.complete;
  let p;
  let ctl;
  if (!hasCb && promiseStyle) {
    p = new Promise((resolve, reject) => {
      ctl = { resolve, reject };
    });
  }
  setImmediate(() => {
    let done = false;
    const resolve = (res) => {
      if (done) return;
      done = true;
      finish(opts, true, res, ctl);
    };
    const reject = (err) => {
      if (done) return;
      done = true;
      finish(opts, false, err, ctl);
    };
    try {
      fn(resolve, reject);
    } catch (e) {
      reject({ errMsg: e.errMsg || e.message });
    }
  });
  return p;
}

let deviceSeq = 0;

class Device {
  constructor(opts = {}) {
    this.name = opts.name || `device-${++deviceSeq}`;
    this.openid = opts.openid || `o${crypto.randomBytes(12).toString('base64url')}`;
    this.unionid = opts.unionid;
    this.wechat = opts.wechat || null;
    this.appid = opts.appid || (this.wechat && this.wechat.appid) || 'wx0000000000000000';
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `wx-device-${this.name.replace(/\W+/g, '_')}-`));
    this.userDir = path.join(this.dir, 'usr');
    this.tmpDir = path.join(this.dir, 'tmp');
    fs.mkdirSync(this.userDir);
    fs.mkdirSync(this.tmpDir);
    this.packages = opts.packages || {};
    this.storage = new Map(); // key → JSON text
    this.requests = []; // {api, method, url, statusCode | errMsg}
    this.ui = []; // UI calls: {api, ...options}
    this.logins = 0;
    // tests steer wx.login: codes queued here are returned first; loginError fails it
    this.nextCodes = [];
    this.loginError = null;
    // offline makes every network API fail as a phone without network does
    this.offline = false;
    this.chosenFiles = []; // what chooseImage/chooseMedia return (wxfile:// paths)
    this.sockets = new Set();
    this.modules = new Map(); // resolved path → module
    this.overrides = new Map(); // resolved path → exports given by the test
    this.appRoot = null;
    this.app = null;
    this.pageDefs = new Map(); // route → Page() options
    this.pageStack = [];
    this._loadingRoute = null;
    this.wx = this.makeWx();
  }

  // ---------------------------------------------------------------- files

  /** localPath maps a wxfile:// (or devtools http://tmp/) path to the device's disk. */
  localPath(p) {
    let rel;
    let base;
    if (p.startsWith(`${USER_DATA_PATH}/`)) {
      base = this.userDir;
      rel = p.slice(USER_DATA_PATH.length + 1);
    } else if (p.startsWith('http://usr/')) {
      base = this.userDir;
      rel = p.slice('http://usr/'.length);
    } else if (p.startsWith('wxfile://')) {
      base = this.tmpDir;
      rel = p.slice('wxfile://'.length);
    } else if (p.startsWith('http://tmp/')) {
      base = this.tmpDir;
      rel = p.slice('http://tmp/'.length);
    } else {
      const e = new Error(`permission denied, open ${p}`);
      e.errno = 1300002;
      throw e;
    }
    const full = path.resolve(base, rel);
    if (full !== base && !full.startsWith(base + path.sep)) throw new Error(`permission denied, open ${p}`);
    return full;
  }

  /** writeUserFile puts bytes in the user-data dir and returns its wxfile:// path. */
  writeUserFile(name, data) {
    const p = `${USER_DATA_PATH}/${name}`;
    const full = this.localPath(p);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data);
    return p;
  }

  /** tempFile makes a temporary file (as a camera would) and returns its path. */
  tempFile(data, ext = '') {
    const p = `wxfile://tmp_${crypto.randomBytes(10).toString('hex')}${ext}`;
    fs.writeFileSync(this.localPath(p), data);
    return p;
  }

  readFile(p) {
    return fs.readFileSync(this.localPath(p));
  }

  // ---------------------------------------------------------------- network

  networkDown(api) {
    return { errMsg: `${api}:fail -2:net::ERR_INTERNET_DISCONNECTED`, errno: 600001 };
  }

  /**
   * send performs one HTTP exchange. Returns {abort(), onHeaders(cb)} and calls
   * done(err, {statusCode, headers, body: Buffer}).
   */
  send({ url, method, headers, body, timeout, onSent }, done) {
    let u;
    try {
      u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('invalid url');
    } catch {
      setImmediate(() => done(new Error('invalid url')));
      return { abort() {}, onHeaders() {} };
    }
    const lib = u.protocol === 'https:' ? https : http;
    const hdrs = { ...headers };
    if (body) hdrs['content-length'] = String(body.length);
    let finished = false;
    let headerCb = null;
    let timer = null;
    const end = (err, res) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done(err, res);
    };
    let answered = false;
    const req = lib.request(u, { method, headers: hdrs }, (res) => {
      answered = true;
      if (headerCb) headerCb({ header: res.headers });
      const chunks = [];
      const result = () => ({ statusCode: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) });
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => end(null, result()));
      res.on('error', (e) => end(e));
    });
    timer = setTimeout(() => {
      req.destroy();
      end(new Error('timeout'));
    }, timeout || DEFAULT_TIMEOUT);
    // a server may answer (say 413) and close before it read the whole body: the
    // answer is what the app gets, not the broken pipe that follows
    req.on('error', (e) => {
      if (!answered) end(e);
    });
    if (body && onSent) {
      // the body in pieces, each reported once the socket took it (upload progress)
      const CHUNK = 64 * 1024;
      let off = 0;
      const next = () => {
        if (finished) return;
        if (off >= body.length) return req.end();
        const piece = body.subarray(off, off + CHUNK);
        off += piece.length;
        const sent = off;
        req.write(piece, (err) => {
          if (err || finished) return;
          onSent(sent, body.length);
          next();
        });
      };
      next();
    } else {
      if (body) req.write(body);
      req.end();
    }
    return {
      abort() {
        req.destroy();
        end(new Error('abort'));
      },
      onHeaders(cb) {
        headerCb = cb;
      },
    };
  }

  request(o = {}) {
    const dev = this;
    const task = {
      _x: null,
      _aborted: false,
      abort() {
        task._aborted = true;
        if (task._x) task._x.abort();
      },
      onHeadersReceived(cb) {
        task._hcb = cb;
      },
      offHeadersReceived() {
        task._hcb = null;
      },
    };
    asyncAPI(
      o,
      (resolve, reject) => {
        const method = String(o.method || 'GET').toUpperCase();
        if (task._aborted) return reject({ errMsg: 'request:fail abort' });
        if (dev.offline) {
          dev.requests.push({ api: 'request', method, url: o.url, errMsg: 'offline' });
          return reject(dev.networkDown('request'));
        }
        const headers = { ...(o.header || {}) };
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'referer') delete headers[k];
        if (headerValue(headers, 'content-type') === undefined) headers['content-type'] = 'application/json';
        let url = o.url;
        let body = null;
        if (o.data !== undefined && o.data !== null) {
          const raw = toBuffer(o.data);
          if (method === 'GET' && !raw) {
            const qs = queryString(o.data);
            if (qs) url += (url.includes('?') ? '&' : '?') + qs;
          } else if (raw) {
            body = raw;
          } else if (typeof o.data === 'string') {
            body = Buffer.from(o.data);
          } else if (/application\/x-www-form-urlencoded/i.test(headerValue(headers, 'content-type'))) {
            body = Buffer.from(queryString(o.data));
          } else {
            body = Buffer.from(JSON.stringify(o.data));
          }
        }
        task._x = dev.send({ url, method, headers, body, timeout: o.timeout }, (err, res) => {
          if (err) {
            dev.requests.push({ api: 'request', method, url, errMsg: err.message });
            return reject({ errMsg: `request:fail ${err.message}`, errno: err.message === 'timeout' ? 5 : 600003 });
          }
          dev.requests.push({ api: 'request', method, url, statusCode: res.statusCode });
          let data;
          if (o.responseType === 'arraybuffer') {
            data = toArrayBuffer(res.body);
          } else {
            data = res.body.toString('utf8');
            if ((o.dataType || 'json') === 'json') {
              try {
                data = JSON.parse(data);
              } catch {
                /* WeChat hands back the text when it is not JSON */
              }
            }
          }
          const cookies = [].concat(res.headers['set-cookie'] || []);
          resolve({ data, statusCode: res.statusCode, header: res.headers, cookies, errMsg: 'request:ok' });
        });
        if (task._hcb) task._x.onHeaders(task._hcb);
      },
      false
    );
    return task;
  }

  // wx.uploadFile: a multipart/form-data POST of the formData fields and the file at
  // filePath (part `name`, filename the file's base name, Content-Type by extension).
  // As on a phone: no promise style (it returns an UploadTask); success for any HTTP
  // status with data as text; onProgressUpdate while the body is sent; abort() fails
  // the call with "uploadFile:fail abort"; the app cannot set Referer or the request's
  // Content-Type.
  uploadFile(o = {}) {
    const dev = this;
    const progress = [];
    const headerCbs = [];
    const task = {
      _x: null,
      _aborted: false,
      abort() {
        task._aborted = true;
        if (task._x) task._x.abort();
      },
      onProgressUpdate(cb) {
        if (typeof cb === 'function') progress.push(cb);
      },
      offProgressUpdate(cb) {
        const i = progress.indexOf(cb);
        if (i >= 0) progress.splice(i, 1);
      },
      onHeadersReceived(cb) {
        if (typeof cb === 'function') headerCbs.push(cb);
      },
      offHeadersReceived(cb) {
        const i = headerCbs.indexOf(cb);
        if (i >= 0) headerCbs.splice(i, 1);
      },
    };
    asyncAPI(
      o,
      (resolve, reject) => {
        if (task._aborted) return reject({ errMsg: 'uploadFile:fail abort' });
        if (!o.url || !o.filePath || !o.name) return reject({ errMsg: 'uploadFile:fail parameter error: url, filePath and name are required' });
        let file;
        try {
          file = fs.readFileSync(dev.localPath(o.filePath));
        } catch {
          return reject({ errMsg: `uploadFile:fail createUploadTask:fail file not found: ${o.filePath}` });
        }
        if (dev.offline) {
          dev.requests.push({ api: 'uploadFile', method: 'POST', url: o.url, errMsg: 'offline' });
          return reject(dev.networkDown('uploadFile'));
        }
        const boundary = `----WxUploadBoundary${crypto.randomBytes(12).toString('hex')}`;
        const parts = [];
        for (const [k, v] of Object.entries(o.formData || {})) {
          if (v === undefined) continue;
          parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}\r\n`));
        }
        const filename = path.basename(o.filePath.replace(/^wxfile:\/\//, ''));
        const type = MIME[path.extname(filename).toLowerCase()] || 'application/octet-stream';
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${o.name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`));
        parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
        const body = Buffer.concat(parts);
        const headers = { ...(o.header || {}) };
        for (const k of Object.keys(headers)) if (/^(referer|content-type|content-length)$/i.test(k)) delete headers[k];
        headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
        let lastPct = -1;
        const onSent = (sent, total) => {
          const pct = Math.floor((sent * 100) / total);
          if (pct === lastPct) return;
          lastPct = pct;
          for (const cb of progress.slice()) cb({ progress: pct, totalBytesSent: sent, totalBytesExpectedToSend: total });
        };
        task._x = dev.send({ url: o.url, method: 'POST', headers, body, timeout: o.timeout, onSent }, (err, res) => {
          if (err) {
            dev.requests.push({ api: 'uploadFile', method: 'POST', url: o.url, errMsg: err.message });
            return reject({ errMsg: `uploadFile:fail ${err.message}`, errno: err.message === 'timeout' ? 5 : 600003 });
          }
          dev.requests.push({ api: 'uploadFile', method: 'POST', url: o.url, statusCode: res.statusCode });
          // the server may answer before it read the whole body (a refused upload): the
          // bytes the socket took are all that was sent, and progress says so
          resolve({ data: res.body.toString('utf8'), statusCode: res.statusCode, errMsg: 'uploadFile:ok' });
        });
        task._x.onHeaders((h) => headerCbs.slice().forEach((cb) => cb(h)));
      },
      false
    );
    return task;
  }

  downloadFile(o = {}) {
    const dev = this;
    const progress = [];
    const task = {
      _x: null,
      abort() {
        task._aborted = true;
        if (task._x) task._x.abort();
      },
      onProgressUpdate(cb) {
        progress.push(cb);
      },
      offProgressUpdate(cb) {
        const i = progress.indexOf(cb);
        if (i >= 0) progress.splice(i, 1);
      },
      onHeadersReceived() {},
      offHeadersReceived() {},
    };
    asyncAPI(
      o,
      (resolve, reject) => {
        if (task._aborted) return reject({ errMsg: 'downloadFile:fail abort' });
        if (dev.offline) return reject(dev.networkDown('downloadFile'));
        if (!o.url) return reject({ errMsg: 'downloadFile:fail parameter error: url is required' });
        task._x = dev.send({ url: o.url, method: 'GET', headers: { ...(o.header || {}) }, timeout: o.timeout }, (err, res) => {
          if (err) {
            dev.requests.push({ api: 'downloadFile', method: 'GET', url: o.url, errMsg: err.message });
            return reject({ errMsg: `downloadFile:fail ${err.message}` });
          }
          dev.requests.push({ api: 'downloadFile', method: 'GET', url: o.url, statusCode: res.statusCode });
          for (const cb of progress) cb({ progress: 100, totalBytesWritten: res.body.length, totalBytesExpectedToWrite: res.body.length });
          // WeChat writes whatever the server answered and reports its status
          try {
            if (o.filePath) {
              const full = dev.localPath(o.filePath);
              fs.mkdirSync(path.dirname(full), { recursive: true });
              fs.writeFileSync(full, res.body);
              return resolve({ filePath: o.filePath, statusCode: res.statusCode, errMsg: 'downloadFile:ok' });
            }
            let ext = path.extname(new URL(o.url).pathname);
            if (!/^\.[A-Za-z0-9]{1,8}$/.test(ext)) ext = EXT[String(res.headers['content-type'] || '').split(';')[0]] || '';
            const tempFilePath = dev.tempFile(res.body, ext);
            resolve({ tempFilePath, statusCode: res.statusCode, errMsg: 'downloadFile:ok' });
          } catch (e) {
            reject({ errMsg: `downloadFile:fail ${e.message}` });
          }
        });
      },
      false
    );
    return task;
  }

  connectSocket(o = {}) {
    const WebSocket = require('ws');
    const dev = this;
    const handlers = { open: [], message: [], close: [], error: [] };
    const emit = (ev, arg) => handlers[ev].slice().forEach((cb) => cb(arg));
    let ws = null;
    const task = {
      readyState: 0,
      onOpen: (cb) => handlers.open.push(cb),
      onMessage: (cb) => handlers.message.push(cb),
      onClose: (cb) => handlers.close.push(cb),
      onError: (cb) => handlers.error.push(cb),
      send(s = {}) {
        asyncAPI(
          s,
          (resolve, reject) => {
            if (!ws || ws.readyState !== WebSocket.OPEN) return reject({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
            const raw = toBuffer(s.data);
            ws.send(raw || String(s.data), { binary: !!raw }, (err) => (err ? reject({ errMsg: `sendSocketMessage:fail ${err.message}` }) : resolve({ errMsg: 'sendSocketMessage:ok' })));
          },
          false
        );
      },
      close(c = {}) {
        asyncAPI(
          c,
          (resolve) => {
            if (ws) ws.close(c.code || 1000, c.reason || '');
            resolve({ errMsg: 'closeSocket:ok' });
          },
          false
        );
      },
    };
    asyncAPI(
      o,
      (resolve, reject) => {
        if (dev.offline) {
          reject(dev.networkDown('connectSocket'));
          setImmediate(() => emit('error', { errMsg: 'net::ERR_INTERNET_DISCONNECTED' }));
          return;
        }
        try {
          ws = new WebSocket(o.url, o.protocols || [], { headers: o.header || {}, handshakeTimeout: o.timeout || DEFAULT_TIMEOUT });
        } catch (e) {
          reject({ errMsg: `connectSocket:fail ${e.message}` });
          return;
        }
        dev.sockets.add(ws);
        dev.requests.push({ api: 'connectSocket', url: o.url });
        ws.on('open', () => {
          task.readyState = 1;
          emit('open', { header: {}, profile: {} });
        });
        ws.on('message', (data, isBinary) => emit('message', { data: isBinary ? toArrayBuffer(Buffer.from(data)) : data.toString('utf8') }));
        ws.on('close', (code, reason) => {
          task.readyState = 3;
          dev.sockets.delete(ws);
          emit('close', { code, reason: reason.toString('utf8') });
        });
        ws.on('error', (e) => emit('error', { errMsg: e.message }));
        resolve({ errMsg: 'connectSocket:ok' });
      },
      false
    );
    return task;
  }

  // ---------------------------------------------------------------- login, storage

  loginCode() {
    if (this.nextCodes.length) return this.nextCodes.shift();
    if (!this.wechat) throw new Error('this device has no fake WeChat: createDevice({wechat})');
    return this.wechat.issueCode({ openid: this.openid, unionid: this.unionid });
  }

  login(o) {
    return asyncAPI(o, (resolve, reject) => {
      this.logins++;
      if (this.loginError) return reject({ errMsg: `login:fail ${this.loginError}` });
      resolve({ code: this.loginCode(), errMsg: 'login:ok' });
    });
  }

  getStorageSync(key) {
    if (typeof key !== 'string' || !key) throw new Error('getStorageSync:fail parameter error: key should be a non-empty string');
    const v = this.storage.get(key);
    return v === undefined ? '' : JSON.parse(v);
  }

  setStorageSync(key, data) {
    if (typeof key !== 'string' || !key) throw new Error('setStorageSync:fail parameter error: key should be a non-empty string');
    if (data === undefined) throw new Error('setStorageSync:fail parameter error: data should not be undefined');
    this.storage.set(key, JSON.stringify(data));
  }

  removeStorageSync(key) {
    this.storage.delete(key);
  }

  // ---------------------------------------------------------------- file system manager

  fileSystemManager() {
    const dev = this;
    const read = (filePath, encoding, position, length) => {
      let buf;
      try {
        buf = fs.readFileSync(dev.localPath(filePath));
      } catch (e) {
        const err = new Error(`readFile:fail no such file or directory, open ${filePath}`);
        err.errMsg = err.message;
        throw err;
      }
      if (position !== undefined || length !== undefined) buf = buf.subarray(position || 0, length !== undefined ? (position || 0) + length : undefined);
      if (!encoding) return toArrayBuffer(buf);
      return buf.toString(encoding === 'utf-8' ? 'utf8' : encoding);
    };
    const write = (filePath, data, encoding) => {
      const full = dev.localPath(filePath);
      const raw = toBuffer(data);
      fs.writeFileSync(full, raw || Buffer.from(String(data), encoding === 'utf-8' ? 'utf8' : encoding || 'utf8'));
    };
    const wrap = (api, fn) => (o = {}) =>
      asyncAPI(o, (resolve, reject) => {
        try {
          resolve(Object.assign(fn(o) || {}, { errMsg: `${api}:ok` }));
        } catch (e) {
          reject({ errMsg: e.errMsg || `${api}:fail ${e.message}` });
        }
      }, false);
    return {
      readFile: wrap('readFile', (o) => ({ data: read(o.filePath, o.encoding, o.position, o.length) })),
      readFileSync: (filePath, encoding, position, length) => read(filePath, encoding, position, length),
      writeFile: wrap('writeFile', (o) => write(o.filePath, o.data, o.encoding)),
      writeFileSync: (filePath, data, encoding) => write(filePath, data, encoding),
      access: wrap('access', (o) => {
        if (!fs.existsSync(dev.localPath(o.path))) throw new Error(`no such file or directory ${o.path}`);
      }),
      accessSync: (p) => {
        if (!fs.existsSync(dev.localPath(p))) throw new Error(`accessSync:fail no such file or directory ${p}`);
      },
      unlink: wrap('unlink', (o) => fs.unlinkSync(dev.localPath(o.filePath))),
      unlinkSync: (p) => fs.unlinkSync(dev.localPath(p)),
      mkdir: wrap('mkdir', (o) => fs.mkdirSync(dev.localPath(o.dirPath), { recursive: !!o.recursive })),
      mkdirSync: (p, recursive) => fs.mkdirSync(dev.localPath(p), { recursive: !!recursive }),
      stat: wrap('stat', (o) => {
        const s = fs.statSync(dev.localPath(o.path));
        return { stats: { size: s.size, lastModifiedTime: Math.floor(s.mtimeMs / 1000), isFile: () => s.isFile(), isDirectory: () => s.isDirectory() } };
      }),
    };
  }

  // ---------------------------------------------------------------- the wx object

  makeWx() {
    const dev = this;
    const ui = (api, res = {}) => (o = {}) =>
      asyncAPI(o, (resolve) => {
        dev.ui.push({ api, ...o });
        resolve({ ...res, errMsg: `${api}:ok` });
      });
    const fsm = this.fileSystemManager();
    const chooser = (api, shape) => (o = {}) =>
      asyncAPI(o, (resolve, reject) => {
        if (!dev.chosenFiles.length) return reject({ errMsg: `${api}:fail cancel` });
        const files = dev.chosenFiles.splice(0, o.count || 9);
        resolve({ ...shape(files), errMsg: `${api}:ok` });
      });
    return {
      env: { USER_DATA_PATH },
      request: (o) => dev.request(o),
      uploadFile: (o) => dev.uploadFile(o),
      downloadFile: (o) => dev.downloadFile(o),
      connectSocket: (o) => dev.connectSocket(o),
      login: (o) => dev.login(o),
      checkSession: (o) => asyncAPI(o, (resolve) => resolve({ errMsg: 'checkSession:ok' })),
      getStorageSync: (k) => dev.getStorageSync(k),
      setStorageSync: (k, v) => dev.setStorageSync(k, v),
      removeStorageSync: (k) => dev.removeStorageSync(k),
      clearStorageSync: () => dev.storage.clear(),
      getStorageInfoSync: () => ({ keys: [...dev.storage.keys()], currentSize: 0, limitSize: 10240 }),
      getStorage: (o = {}) =>
        asyncAPI(o, (resolve, reject) =>
          dev.storage.has(o.key) ? resolve({ data: dev.getStorageSync(o.key), errMsg: 'getStorage:ok' }) : reject({ errMsg: 'getStorage:fail data not found' })),
      setStorage: (o = {}) =>
        asyncAPI(o, (resolve) => {
          dev.setStorageSync(o.key, o.data);
          resolve({ errMsg: 'setStorage:ok' });
        }),
      removeStorage: (o = {}) =>
        asyncAPI(o, (resolve) => {
          dev.removeStorageSync(o.key);
          resolve({ errMsg: 'removeStorage:ok' });
        }),
      getFileSystemManager: () => fsm,
      getAccountInfoSync: () => ({ miniProgram: { appId: dev.appid, envVersion: 'develop', version: '' }, plugin: {} }),
      getSystemInfoSync: () => ({ platform: 'devtools', system: 'Node.js', SDKVersion: '3.4.0', language: 'zh_CN', brand: 'devtools', model: dev.name }),
      chooseImage: chooser('chooseImage', (files) => ({ tempFilePaths: files, tempFiles: files.map((p) => ({ path: p, size: dev.readFile(p).length })) })),
      chooseMedia: chooser('chooseMedia', (files) => ({ type: 'image', tempFiles: files.map((p) => ({ tempFilePath: p, size: dev.readFile(p).length, fileType: 'image' })) })),
      showToast: ui('showToast'),
      hideToast: ui('hideToast'),
      showLoading: ui('showLoading'),
      hideLoading: ui('hideLoading'),
      showModal: ui('showModal', { confirm: true, cancel: false }),
      previewImage: ui('previewImage'),
      setNavigationBarTitle: ui('setNavigationBarTitle'),
      navigateTo: (o = {}) =>
        asyncAPI(o, (resolve) => {
          dev.ui.push({ api: 'navigateTo', url: o.url });
          resolve({ errMsg: 'navigateTo:ok' });
        }),
      redirectTo: ui('redirectTo'),
      switchTab: ui('switchTab'),
      navigateBack: ui('navigateBack'),
      stopPullDownRefresh: ui('stopPullDownRefresh'),
    };
  }

  // ---------------------------------------------------------------- modules, App, Page

  resolveModule(spec, fromDir) {
    const tryFile = (p) => {
      for (const c of [p, `${p}.js`, path.join(p, 'index.js')]) {
        if (this.overrides.has(c) || (fs.existsSync(c) && fs.statSync(c).isFile())) return c;
      }
      return null;
    };
    let found = null;
    if (spec.startsWith('./') || spec.startsWith('../')) {
      found = tryFile(path.resolve(fromDir, spec));
    } else if (spec.startsWith('/') && this.appRoot) {
      found = tryFile(path.join(this.appRoot, spec));
    } else {
      const name = spec.split('/')[0];
      const dir = this.packages[name] || (this.appRoot && path.join(this.appRoot, 'miniprogram_npm', name));
      if (dir && fs.existsSync(dir)) {
        const sub = spec.slice(name.length + 1);
        if (sub) {
          found = tryFile(path.join(dir, sub));
        } else {
          let main = 'index.js';
          const pkg = path.join(dir, 'package.json');
          if (fs.existsSync(pkg)) main = JSON.parse(fs.readFileSync(pkg, 'utf8')).main || main;
          found = tryFile(path.join(dir, main));
        }
      }
    }
    if (!found) throw new Error(`module "${spec}" is not defined (required from ${fromDir})`);
    return found;
  }

  require(spec, fromDir = this.appRoot || process.cwd()) {
    const file = this.resolveModule(spec, fromDir);
    if (this.overrides.has(file)) return this.overrides.get(file);
    const cached = this.modules.get(file);
    if (cached) return cached.exports;
    const module = { exports: {}, filename: file };
    this.modules.set(file, module);
    const src = fs.readFileSync(file, 'utf8');
    // the mini-program's globals; Node's (process, Buffer, global) are hidden
    const params = ['exports', 'require', 'module', '__filename', '__dirname', 'wx', 'App', 'Page', 'getApp', 'getCurrentPages', 'Component', 'Behavior', 'process', 'Buffer', 'global'];
    const fn = vm.runInThisContext(`(function (${params.join(', ')}) {${src}\n})`, { filename: file });
    const dir = path.dirname(file);
    const req = (s) => this.require(s, dir);
    try {
      fn.call(module.exports, module.exports, req, module, file, dir, this.wx,
        (def) => this.registerApp(def),
        (def) => this.registerPage(def),
        () => this.app,
        () => this.pageStack.slice(),
        () => {
          throw new Error('Component() is not emulated');
        },
        (b) => b,
        undefined, undefined, undefined);
    } catch (e) {
      this.modules.delete(file);
      throw e;
    }
    return module.exports;
  }

  registerApp(def) {
    if (this.app) throw new Error('App() called twice');
    this.app = Object.assign({}, def, { globalData: JSON.parse(JSON.stringify(def.globalData || {})) });
  }

  registerPage(def) {
    if (!this._loadingRoute) throw new Error('Page() called outside a page file');
    this.pageDefs.set(this._loadingRoute, def);
  }

  /**
   * launch runs the mini-program in appDir as the phone opens it: app.js, then
   * App().onLaunch. opts.modules replaces modules by path (relative to appDir) with
   * the given exports, e.g. {'./config.js': {endpoint, env}}.
   */
  launch(appDir, opts = {}) {
    this.appRoot = path.resolve(appDir);
    for (const [p, exp] of Object.entries(opts.modules || {})) this.overrides.set(path.resolve(this.appRoot, p), exp);
    this.require('./app.js', this.appRoot);
    if (!this.app) throw new Error('app.js did not call App()');
    const launchOpts = { path: opts.path || '', query: opts.query || {}, scene: 1001 };
    this.launched = typeof this.app.onLaunch === 'function' ? this.app.onLaunch(launchOpts) : undefined;
    if (typeof this.app.onShow === 'function') this.app.onShow(launchOpts);
    return this.app;
  }

  /**
   * openPage navigates to a page: its module runs once per device, each visit gets an
   * instance with the page's data and methods, setData, and onLoad(query) / onShow /
   * onReady. Resolves once onLoad's promise (if it returns one) settles.
   */
  async openPage(route, query = {}) {
    if (!this.appRoot) throw new Error('launch() the app first');
    if (!this.pageDefs.has(route)) {
      this._loadingRoute = route;
      try {
        this.require(`/${route}`, this.appRoot);
      } finally {
        this._loadingRoute = null;
      }
      if (!this.pageDefs.has(route)) throw new Error(`${route}.js did not call Page()`);
    }
    const def = this.pageDefs.get(route);
    const page = {};
    for (const [k, v] of Object.entries(def)) if (k !== 'data') page[k] = v;
    page.data = JSON.parse(JSON.stringify(def.data || {}));
    page.route = route;
    page.options = query;
    page.setDataCalls = 0;
    page.setData = (obj, cb) => {
      page.setDataCalls++;
      for (const [k, v] of Object.entries(obj || {})) setPath(page.data, k, v === undefined ? undefined : cloneData(v));
      if (typeof cb === 'function') setImmediate(cb);
    };
    // trigger runs an event handler as the view layer does for bindtap="name" etc.:
    // page.trigger('onToggle', {dataset: {id}}) or ('onInput', {detail: {value}})
    page.trigger = (name, { dataset = {}, detail = {}, type = 'tap' } = {}) => {
      if (typeof page[name] !== 'function') throw new Error(`${route} has no handler ${name}`);
      const target = { id: '', dataset: { ...dataset } };
      return page[name].call(page, { type, timeStamp: Date.now(), target, currentTarget: target, detail, mark: {} });
    };
    this.pageStack.push(page);
    let loaded;
    if (typeof page.onLoad === 'function') loaded = page.onLoad(query);
    if (typeof page.onShow === 'function') page.onShow();
    if (typeof page.onReady === 'function') page.onReady();
    await loaded;
    return page;
  }

  /** close ends the device: sockets closed, files removed. */
  close() {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// setData keeps values as the view layer receives them: JSON data (Dates become
// strings there too)
function cloneData(v) {
  return JSON.parse(JSON.stringify(v));
}

// setPath applies a setData key: "a", "a.b", "list[2].done"
function setPath(obj, key, value) {
  const segs = [];
  key.replace(/[^.[\]]+|\[(\d+)\]/g, (m, idx) => {
    segs.push(idx !== undefined ? Number(idx) : m);
    return m;
  });
  let cur = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i];
    if (cur[s] === null || typeof cur[s] !== 'object') cur[s] = typeof segs[i + 1] === 'number' ? [] : {};
    cur = cur[s];
  }
  cur[segs[segs.length - 1]] = value;
}

function createDevice(opts) {
  return new Device(opts);
}

module.exports = { createDevice, Device, USER_DATA_PATH };
