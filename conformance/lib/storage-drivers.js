'use strict';
// Storage drivers: one interface over the four storage clients (js-sdk GATEWAY and
// CLOUD_API, node-sdk, wx-server-sdk) for test/storage.test.js. Each method checks the
// shape the SDK hands back, then returns the interesting part normalised:
//
//   upload(cloudPath, buffer)     → fileID
//   tempURLs(list)                → [{fileID, url, code, maxAge}]   (code: undefined on success)
//   remove(fileIDs)               → [{fileID, code}]
//   download(fileID)              → Buffer
//   error(fn)                     → {code, message} of a failed call (thrown or returned)
//
// list items are file IDs or {fileID, maxAge}. Per-file codes are CloudBase's strings;
// wx-server-sdk reports numbers, which are mapped back.

const assert = require('node:assert/strict');
const { WX_ERR_CODE } = require('./drivers');

// wx-server-sdk's numeric codes of storage errors (its TCB_ERR_CODE table)
const WX_STORAGE_CODE = {
  ...WX_ERR_CODE,
  STORAGE_REQUEST_FAIL: -503001,
  STORAGE_EXCEED_AUTHORITY: -503002,
  STORAGE_FILE_NONEXIST: -503003,
  STORAGE_SIGN_PARAM_INVALID: -503004,
};
const WX_CODE_NAME = Object.fromEntries(Object.entries(WX_STORAGE_CODE).map(([k, v]) => [v, k]));

const keys = (o) => Object.keys(o).sort();

/** codeFromMessage finds a CloudBase code in an SDK's error text ("[CODE] …" or "[sdk][CODE][storage]"). */
function codeFromMessage(message) {
  const found = [...String(message).matchAll(/\[([A-Z][A-Z0-9_]{3,})\]/g)].map((m) => m[1]);
  return found.find((c) => c !== 'OPERATION_FAIL') || found[0];
}

/** normalise turns whatever an SDK threw into {code, message, cosCode}. */
function normalise(e) {
  if (e && e.errCode !== undefined) {
    // wx-server-sdk: numeric codes for errors node-sdk returned as results; errCode -1
    // with node-sdk's own error (and its string code) for errors node-sdk threw
    const message = String(e.errMsg || e.message || '');
    if (e.errCode === -1 && typeof e.code === 'string') return { code: e.code, message, cosCode: (/\[([A-Za-z]+)\]: /.exec(message) || [])[1] };
    return { code: WX_CODE_NAME[e.errCode] || String(e.errCode), errCode: e.errCode, message };
  }
  let message = (e && (e.message || e.msg)) || String(e);
  let code = e && e.code;
  // js-sdk's CLOUD_API mode throws the JSON {"code":"OPERATION_FAIL","msg":"[CODE] message"}
  if (/^\{.*\}$/s.test(message)) {
    try {
      const j = JSON.parse(message);
      message = j.msg || message;
      code = j.code || code;
    } catch {
      /* keep */
    }
  }
  const inner = codeFromMessage(message);
  if (inner && (!code || code === 'OPERATION_FAIL')) code = inner;
  const cos = /<Code>([^<]+)<\/Code>/.exec(message) || /\[([A-Za-z]+)\]: /.exec(message);
  return { code, message, cosCode: cos ? cos[1] : undefined };
}

async function captureError(fn) {
  try {
    const res = await fn();
    return { noError: true, result: res };
  } catch (e) {
    return normalise(e);
  }
}

/**
 * jsStorage: @cloudbase/js-sdk, a signed-in user ({app, mode} from srv.jsUser()).
 * method 'post' uploads as uploadFile({method: 'post'}) does: a multipart form POST
 * (key, signature, x-cos-security-token, x-cos-meta-fileid, success_action_status=201,
 * file) instead of a PUT.
 */
function jsStorage(user, { method = 'put' } = {}) {
  const { app, mode } = user;
  return {
    name: method === 'put' ? `js-sdk ${mode}` : `js-sdk ${mode} ${method}`,
    kind: 'client',
    async upload(cloudPath, buffer) {
      // js-sdk sets an envName property on the body it is given: pass a copy
      const res = await app.uploadFile({ cloudPath, filePath: Buffer.from(buffer), ...(method === 'put' ? {} : { method }) });
      assert.deepEqual(keys(res), ['download_url', 'fileID', 'requestId'], `uploadFile result ${JSON.stringify(res)}`);
      assert.match(res.download_url, /^http:\/\/127\.0\.0\.1:\d+\/storage\/v1\/objects\/.+\?sign=/);
      return res.fileID;
    },
    async tempURLs(list) {
      const res = await app.getTempFileURL({ fileList: list.map((it) => (typeof it === 'string' ? it : { fileID: it.fileID, maxAge: it.maxAge })) });
      assert.ok(!res.code, `getTempFileURL failed: ${JSON.stringify(res)}`);
      assert.deepEqual(keys(res), ['fileList', 'requestId']);
      return res.fileList.map((f) => {
        assert.equal(f.fileID, f.fileid, 'both id names');
        assert.equal(f.tempFileURL, f.download_url, 'both url names');
        return { fileID: f.fileID, url: f.tempFileURL, code: f.code === 'SUCCESS' ? undefined : f.code, message: f.message, maxAge: f.maxAge };
      });
    },
    async remove(fileIDs) {
      const res = await app.deleteFile({ fileList: fileIDs });
      assert.ok(!res.code, `deleteFile failed: ${JSON.stringify(res)}`);
      assert.deepEqual(keys(res), ['fileList', 'requestId']);
      return res.fileList.map((f) => ({ fileID: f.fileID, code: f.code === 'SUCCESS' ? undefined : f.code, message: f.message }));
    },
    async download(fileID) {
      const res = await app.downloadFile({ fileID });
      assert.equal(res.statusCode, 200);
      assert.ok(Buffer.isBuffer(res.fileContent), `downloadFile result ${JSON.stringify(res)}`);
      return res.fileContent;
    },
    error: captureError,
  };
}

/** nodeStorage: @cloudbase/node-sdk (admin rights). */
function nodeStorage(app) {
  return {
    name: 'node-sdk',
    kind: 'admin',
    async upload(cloudPath, buffer) {
      const res = await app.uploadFile({ cloudPath, fileContent: buffer });
      assert.deepEqual(keys(res), ['fileID'], `uploadFile result ${JSON.stringify(res)}`);
      return res.fileID;
    },
    async tempURLs(list) {
      // node-sdk insists on maxAge in object items
      const res = await app.getTempFileURL({ fileList: list.map((it) => (typeof it === 'string' ? it : { fileID: it.fileID, maxAge: it.maxAge })) });
      assert.deepEqual(keys(res), ['fileList', 'requestId']);
      return res.fileList.map((f) => ({ fileID: f.fileID, url: f.tempFileURL, code: f.code === 'SUCCESS' ? undefined : f.code, message: f.message, maxAge: f.maxAge }));
    },
    async remove(fileIDs) {
      const res = await app.deleteFile({ fileList: fileIDs });
      assert.deepEqual(keys(res), ['fileList', 'requestId']);
      return res.fileList.map((f) => ({ fileID: f.fileID, code: f.code === 'SUCCESS' ? undefined : f.code, message: f.message }));
    },
    async download(fileID) {
      const res = await app.downloadFile({ fileID });
      assert.ok(Buffer.isBuffer(res.fileContent), `downloadFile result ${JSON.stringify(res)}`);
      return res.fileContent;
    },
    error: captureError,
  };
}

/** wxStorage: wx-server-sdk (admin rights, as inside a cloud function). */
function wxStorage(cloud) {
  return {
    name: 'wx-server-sdk',
    kind: 'admin',
    async upload(cloudPath, buffer) {
      const res = await cloud.uploadFile({ cloudPath, fileContent: buffer });
      assert.equal(typeof res.fileID, 'string', `uploadFile result ${JSON.stringify(res)}`);
      assert.equal(res.errMsg, 'uploadFile:ok');
      return res.fileID;
    },
    async tempURLs(list) {
      const res = await cloud.getTempFileURL({ fileList: list.map((it) => (typeof it === 'string' ? it : { fileID: it.fileID, maxAge: it.maxAge })) });
      assert.equal(res.errMsg, 'getTempFileURL:ok');
      return res.fileList.map((f) => {
        if (f.status === 0) {
          assert.equal(f.errMsg, 'ok');
          return { fileID: f.fileID, url: f.tempFileURL, code: undefined, maxAge: f.maxAge };
        }
        assert.equal(f.tempFileURL, '');
        return { fileID: f.fileID, url: '', code: WX_CODE_NAME[f.status] || String(f.status), message: f.errMsg };
      });
    },
    async remove(fileIDs) {
      const res = await cloud.deleteFile({ fileList: fileIDs });
      assert.equal(res.errMsg, 'deleteFile:ok');
      return res.fileList.map((f) => ({ fileID: f.fileID, code: f.status === 0 ? undefined : WX_CODE_NAME[f.status] || String(f.status), message: f.errMsg }));
    },
    async download(fileID) {
      const res = await cloud.downloadFile({ fileID });
      assert.equal(res.statusCode, 200);
      assert.ok(Buffer.isBuffer(res.fileContent), `downloadFile result ${JSON.stringify(res)}`);
      return res.fileContent;
    },
    error: captureError,
  };
}

/**
 * rawStorage speaks a client dialect by hand with a user's token ({token, mode} from
 * srv.jsUser()), on the wire exactly as js-sdk does. js-sdk's storage calls use the
 * credentials of the app initialised last for an env (its request object is per env),
 * so a test with two signed-in users drives the first one this way once the second
 * exists.
 */
function rawStorage(srv, user) {
  const gateway = user.mode !== 'CLOUD_API';
  const gw = async (name, body) => {
    const r = await srv.fetchJSON(`/v1/storages/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status !== 200) throw Object.assign(new Error(r.body.message), { code: r.body.code });
    return r.body;
  };
  const web = async (action, params) => {
    const r = await srv.webRaw(action, params, user.token);
    if (r.body.code) throw Object.assign(new Error(r.body.message), { code: r.body.code });
    return r.body.data;
  };
  return {
    name: `raw ${user.mode}`,
    kind: 'client',
    async upload(cloudPath, buffer) {
      let info;
      if (gateway) {
        const [it] = await gw('get-objects-upload-info', [{ objectId: cloudPath, signedHeader: { 'content-length': [String(buffer.length)] } }]);
        if (it.code) throw Object.assign(new Error(it.message), { code: it.code });
        info = { url: it.uploadUrl, authorization: it.authorization, fileId: it.cloudObjectId };
      } else {
        info = await web('storage.getUploadMetadata', { path: cloudPath, method: 'put' });
      }
      const res = await srv.fetch(info.url, { method: 'PUT', body: buffer, headers: { authorization: info.authorization } });
      if (res.status !== 200) throw new Error(`PUT ${res.status}: ${await res.text()}`);
      return info.fileId;
    },
    async tempURLs(list) {
      const ids = list.map((it) => (typeof it === 'string' ? it : it.fileID));
      if (gateway) {
        return (await gw('get-objects-download-info', ids.map((id) => ({ cloudObjectId: id })))).map((f) => ({ fileID: f.cloudObjectId, url: f.downloadUrl, code: f.code }));
      }
      const data = await web('storage.batchGetDownloadUrl', { file_list: ids.map((fileid) => ({ fileid })) });
      return data.download_list.map((f) => ({ fileID: f.fileID, url: f.tempFileURL, code: f.code === 'SUCCESS' ? undefined : f.code }));
    },
    async remove(fileIDs) {
      if (gateway) {
        return (await gw('delete-objects', fileIDs.map((id) => ({ cloudObjectId: id })))).map((f) => ({ fileID: f.cloudObjectId, code: f.code }));
      }
      const data = await web('storage.batchDeleteFile', { fileid_list: fileIDs });
      return data.delete_list.map((f) => ({ fileID: f.fileID, code: f.code === 'SUCCESS' ? undefined : f.code }));
    },
    async download(fileID) {
      const [u] = await this.tempURLs([fileID]);
      if (u.code) throw Object.assign(new Error(u.code), { code: u.code });
      const res = await srv.fetch(u.url);
      assert.equal(res.status, 200);
      return Buffer.from(await res.arrayBuffer());
    },
    error: captureError,
  };
}

/**
 * expectStorageError asserts that a normalised error carries code. wx-server-sdk knows
 * only some codes: others arrive as SYS_ERR (-501001).
 */
function expectStorageError(err, code, what = '') {
  assert.ok(!err.noError, `${what}: expected ${code}, the call succeeded: ${JSON.stringify(err.result)}`);
  if (err.errCode !== undefined) {
    const want = WX_STORAGE_CODE[code] !== undefined ? WX_STORAGE_CODE[code] : WX_STORAGE_CODE.SYS_ERR;
    assert.equal(err.errCode, want, `${what}: errCode for ${code}: ${err.message}`);
    return;
  }
  assert.equal(err.code, code, `${what}: ${err.code}: ${err.message}`);
  assert.ok(err.message.length > 0);
}

module.exports = { jsStorage, nodeStorage, wxStorage, rawStorage, expectStorageError, normalise, WX_STORAGE_CODE };
