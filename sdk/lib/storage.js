'use strict';
// Cloud storage over the /web storage actions: uploadFile (upload URL from
// storage.getUploadMetadata, then wx.uploadFile's multipart POST), getTempFileURL
// (storage.batchGetDownloadUrl), deleteFile (storage.batchDeleteFile) and downloadFile
// (a temporary URL fetched with wx.downloadFile).

const { call, codeInfo, cloudError } = require('./util');

const TYPES = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp',
  svg: 'image/svg+xml', ico: 'image/x-icon', heic: 'image/heic',
  mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac',
  wav: 'audio/wav', silk: 'audio/silk',
  txt: 'text/plain', csv: 'text/csv', json: 'application/json', pdf: 'application/pdf', zip: 'application/zip',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function contentType(path) {
  const m = /\.([A-Za-z0-9]+)$/.exec(path || '');
  return (m && TYPES[m[1].toLowerCase()]) || 'application/octet-stream';
}

// xmlField reads <Name>…</Name> from the object endpoint's error document.
function xmlField(xml, name) {
  const m = new RegExp('<' + name + '>([^<]*)</' + name + '>').exec(typeof xml === 'string' ? xml : '');
  return m ? m[1] : '';
}

// COS error codes of a refused upload → wx.cloud's errCode (as CloudBase's own codes map:
// STORAGE_EXCEED_AUTHORITY, STORAGE_SIGN_PARAM_INVALID; the rest is a failed request)
const UPLOAD_CODES = { AccessDenied: -503002, SignatureDoesNotMatch: -503004, STORAGE_EXCEED_AUTHORITY: -503002 };

// uploadError turns a refused upload (COS's XML error document, or the JSON error a
// proxy may answer with) into wx.cloud's error.
function uploadError(res) {
  let body = res.data;
  let code = xmlField(body, 'Code');
  let msg = xmlField(body, 'Message');
  if (!code && typeof body === 'string' && body.charAt(0) === '{') {
    try {
      body = JSON.parse(body);
      code = body.code || body.error || '';
      msg = body.message || body.error_description || '';
    } catch (e) {
      /* not JSON either */
    }
  }
  if (!code) code = 'HTTP ' + res.statusCode;
  return cloudError('cloud.uploadFile:fail ' + code + (msg ? ': ' + msg : ''), UPLOAD_CODES[code] || -503001, { statusCode: res.statusCode, code });
}

// a task object for uploadFile/downloadFile in callback style (wx.cloud returns one)
function makeTask() {
  const listeners = [];
  const task = {
    _inner: null,
    _aborted: false,
    abort() {
      task._aborted = true;
      if (task._inner && typeof task._inner.abort === 'function') task._inner.abort();
    },
    onProgressUpdate(cb) {
      if (typeof cb === 'function') listeners.push(cb);
    },
    offProgressUpdate(cb) {
      const i = listeners.indexOf(cb);
      if (i >= 0) listeners.splice(i, 1);
    },
    _progress(p) {
      listeners.slice().forEach((cb) => {
        try {
          cb(p);
        } catch (e) {
          /* the app's listener */
        }
      });
    },
  };
  return task;
}

function fileStatus(item) {
  if (!item.code || item.code === 'SUCCESS') return { status: 0, errMsg: 'ok' };
  const info = codeInfo(item.code);
  return { status: info[0], errMsg: item.message ? item.code + ': ' + item.message : info[1] };
}

function storageAPI(t) {
  const wx = t.wx;

  // uploadFile: an upload URL from storage.getUploadMetadata, then wx.uploadFile: a
  // multipart/form-data POST of the file (part `file`) to that signed URL, as wx.cloud
  // posts to COS. The task's abort and progress events are wx.uploadFile's own.
  function uploadFile(opts) {
    const task = makeTask();
    return call('cloud.uploadFile', opts, async () => {
      if (!opts || typeof opts.cloudPath !== 'string' || !opts.cloudPath) throw new TypeError('uploadFile() needs {cloudPath: string, filePath: string}');
      if (typeof opts.filePath !== 'string' || !opts.filePath) throw new TypeError('uploadFile() needs {cloudPath: string, filePath: string}');
      const meta = (await t.action('storage.getUploadMetadata', { path: opts.cloudPath, method: 'post' })).data;
      if (!meta.url || !meta.fileId) throw new Error('the server gave no upload URL');
      if (task._aborted) throw new Error('uploadFile:fail abort');
      // COS's POST-object fields (the signature is in the URL's query); a Content-Type
      // field before the file names the file's type, which wx.uploadFile's own part
      // header may not (an unknown type is left to the server)
      const formData = { key: opts.cloudPath };
      const type = contentType(opts.filePath);
      if (type !== 'application/octet-stream') formData['Content-Type'] = type;
      const res = await new Promise((resolve, reject) => {
        const req = {
          url: meta.url,
          filePath: opts.filePath,
          name: 'file',
          header: Object.assign({}, opts.header || {}),
          formData,
          success: resolve,
          fail: (err) => reject(new Error((err && err.errMsg) || 'uploadFile:fail')),
        };
        if (t.timeout) req.timeout = t.timeout;
        const inner = wx.uploadFile(req);
        task._inner = inner;
        if (inner && typeof inner.onProgressUpdate === 'function') inner.onProgressUpdate((p) => task._progress(p));
      });
      if (res.statusCode < 200 || res.statusCode >= 300) throw uploadError(res);
      return { fileID: meta.fileId, statusCode: res.statusCode };
    }, task);
  }

  async function tempURLs(fileList) {
    if (!Array.isArray(fileList) || fileList.length === 0) throw new TypeError('fileList must be a non-empty array of file IDs');
    const list = fileList.map((f) => {
      if (typeof f === 'string') return { fileid: f };
      if (f && typeof f.fileID === 'string') return f.maxAge ? { fileid: f.fileID, max_age: f.maxAge } : { fileid: f.fileID };
      throw new TypeError('fileList holds file IDs or {fileID, maxAge}');
    });
    const r = await t.action('storage.batchGetDownloadUrl', { file_list: list });
    return (r.data.download_list || []).map((it) => {
      const s = fileStatus(it);
      const out = { fileID: it.fileID || it.fileid, tempFileURL: s.status ? '' : it.download_url || it.tempFileURL || '', status: s.status, errMsg: s.errMsg };
      if (!s.status && it.maxAge !== undefined) out.maxAge = it.maxAge;
      return out;
    });
  }

  function getTempFileURL(opts) {
    return call('cloud.getTempFileURL', opts, async () => ({ fileList: await tempURLs(opts && opts.fileList) }));
  }

  function deleteFile(opts) {
    return call('cloud.deleteFile', opts, async () => {
      const ids = opts && opts.fileList;
      if (!Array.isArray(ids) || ids.length === 0 || ids.some((f) => typeof f !== 'string')) throw new TypeError('deleteFile() needs {fileList: [fileID, …]}');
      const r = await t.action('storage.batchDeleteFile', { fileid_list: ids });
      return {
        fileList: (r.data.delete_list || []).map((it) => {
          const s = fileStatus(it);
          return { fileID: it.fileID || it.fileid, status: s.status, errMsg: s.errMsg };
        }),
      };
    });
  }

  function downloadFile(opts) {
    const task = makeTask();
    return call('cloud.downloadFile', opts, async () => {
      if (!opts || typeof opts.fileID !== 'string' || !opts.fileID) throw new TypeError('downloadFile() needs {fileID}');
      const [u] = await tempURLs([opts.fileID]);
      if (u.status) throw cloudError('cloud.downloadFile:fail ' + u.status + ' ' + u.errMsg, u.status);
      if (task._aborted) throw new Error('abort');
      const res = await new Promise((resolve, reject) => {
        const req = {
          url: u.tempFileURL,
          success: resolve,
          fail: (err) => reject(new Error((err && err.errMsg) || 'downloadFile:fail')),
        };
        if (opts.filePath) req.filePath = opts.filePath;
        if (t.timeout) req.timeout = t.timeout;
        const inner = wx.downloadFile(req);
        task._inner = inner;
        if (inner && typeof inner.onProgressUpdate === 'function') inner.onProgressUpdate((p) => task._progress(p));
      });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw cloudError('cloud.downloadFile:fail the file could not be downloaded: HTTP ' + res.statusCode, -503001, { statusCode: res.statusCode });
      }
      const out = { tempFilePath: res.tempFilePath, statusCode: res.statusCode };
      if (res.filePath) out.filePath = res.filePath;
      return out;
    }, task);
  }

  return { uploadFile, downloadFile, getTempFileURL, deleteFile };
}

module.exports = { storageAPI, contentType };
