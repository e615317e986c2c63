'use strict';
// The SDK against a scripted wx and an in-memory Minicloud (fake-wx.js): sign-in,
// refresh and retry, result shapes and errMsg strings, callbacks and promises,
// functions and storage.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { install, createCloud } = require('..');
const { fakeServer, fakeWx } = require('./fake-wx');

const ENDPOINT = 'http://127.0.0.1:9';

function setup(opts = {}) {
  const server = fakeServer(opts);
  const wx = fakeWx(server, opts);
  const cloud = install({ wx, endpoint: ENDPOINT, env: 'env-1' });
  return { server, wx, cloud, db: cloud.database() };
}

const KEY = 'minicloud:env-1:credentials';

test('install sets wx.cloud and needs an endpoint; init keeps working', () => {
  const wx = {};
  const cloud = install({ wx, endpoint: 'https://api.example.com', env: 'a' });
  assert.equal(wx.cloud, cloud);
  assert.equal(cloud.init({ env: 'other', traceUser: true }), undefined);
  assert.equal(cloud.minicloud.env, 'a', 'install\'s env wins');
  const late = createCloud({ wx: {}, endpoint: 'https://api.example.com' });
  late.init({ env: { database: 'db-env', functions: 'fn-env' } });
  assert.equal(late.minicloud.env, 'db-env');
  assert.throws(() => install({ wx: {}, endpoint: 'api.example.com', env: 'a' }), /endpoint/);
  assert.throws(() => install({ endpoint: 'https://x', env: 'a' }), /no wx object/);
});

test('the first call signs in with wx.login; the provider flow is js-sdk\'s', async () => {
  const { server, wx, db } = setup();
  server.handlers['database.queryDocument'] = () => ({ list: [{ _id: 'a', n: 1 }], offset: 0, limit: 20 });
  const res = await db.collection('todos').where({ n: 1 }).get();
  assert.deepEqual(res, { data: [{ _id: 'a', n: 1 }], errMsg: 'collection.get:ok' });
  assert.deepEqual(server.auth, ['/provider/token', '/signin/with/provider']);
  const grant = wx.requests[0];
  assert.equal(grant.url, `${ENDPOINT}/auth/v1/provider/token?client_id=env-1`);
  assert.deepEqual(grant.data, { provider_code: 'code-1', provider_params: { provider_code_type: 'open_id' } });
  const web = wx.requests[2];
  assert.equal(web.url, `${ENDPOINT}/web?env=env-1`);
  assert.equal(web.method, 'POST');
  assert.deepEqual(server.actions[0], {
    action: 'database.queryDocument',
    token: 'access-1',
    params: { dataVersion: '2020-01-10', env: 'env-1', collectionName: 'todos', queryType: 'WHERE', query: { n: 1 } },
  });
  const creds = wx.getStorageSync(KEY);
  assert.equal(creds.access_token, 'access-1');
  assert.equal(creds.refresh_token, 'refresh-1');
  await db.collection('todos').get();
  assert.equal(wx.logins, 1, 'the session is reused');
});

test('concurrent first calls share one sign-in', async () => {
  const { server, wx, db } = setup();
  server.handlers['database.countDocument'] = () => ({ total: 3 });
  const all = await Promise.all([1, 2, 3, 4, 5].map(() => db.collection('t').count()));
  assert.deepEqual(all[0], { total: 3, errMsg: 'collection.count:ok' });
  assert.equal(wx.logins, 1);
  assert.deepEqual(server.auth, ['/provider/token', '/signin/with/provider']);
});

test('an expiring token is refreshed before the call; a refused one is renewed and the call retried once', async () => {
  const { server, wx, db } = setup({ ttl: 1 }); // renew 100 ms before expiry
  server.handlers['database.countDocument'] = () => ({ total: 1 });
  await db.collection('t').count();
  await new Promise((r) => setTimeout(r, 1000));
  await db.collection('t').count();
  assert.deepEqual(server.auth, ['/provider/token', '/signin/with/provider', '/token']);
  assert.equal(wx.logins, 1);

  // the server stops taking the token before the device expects it
  server.valid.clear();
  wx.setStorageSync(KEY, { ...wx.getStorageSync(KEY), renew_at: Date.now() + 1e6 });
  const res = await db.collection('t').count();
  assert.equal(res.total, 1);
  assert.deepEqual(server.auth.slice(3), ['/token']);
  assert.deepEqual(server.actions.slice(-2).map((a) => a.token), ['access-2', 'access-3']);
});

test('a refused refresh token means wx.login again; a token refused after renewal is an error', async () => {
  const { server, wx, db } = setup();
  server.handlers['database.countDocument'] = () => ({ total: 1 });
  await db.collection('t').count();
  server.valid.clear();
  server.refresh.clear();
  await db.collection('t').count();
  assert.equal(wx.logins, 2);
  assert.deepEqual(server.auth, ['/provider/token', '/signin/with/provider', '/token', '/provider/token', '/signin/with/provider']);

  // the server refuses every token: one retry, then the error
  server.handlers['database.countDocument'] = () => ({ code: 'ACCESS_TOKEN_EXPIRED', message: 'nope' });
  const before = server.actions.length;
  const err = await db.collection('t').count().catch((e) => e);
  assert.equal(server.actions.length - before, 2);
  assert.match(err.errMsg, /^collection\.count:fail -401001 /);
});

test('sign-in failures: the server\'s reason, nothing stored', async () => {
  const { server, wx, db } = setup();
  server.signInError = { status: 503, error: 'unavailable', error_description: 'WeChat is busy: try again' };
  const err = await db.collection('t').get().catch((e) => e);
  assert.ok(err instanceof Error);
  assert.equal(err.errMsg, 'collection.get:fail sign-in failed: WeChat is busy: try again');
  assert.equal(err.message, err.errMsg);
  assert.equal(err.errCode, -1);
  assert.equal(wx.getStorageSync(KEY), '');
  server.signInError = null;
  server.handlers['database.queryDocument'] = () => ({ list: [] });
  assert.equal((await db.collection('t').get()).errMsg, 'collection.get:ok');

  const bad = setup({ loginFails: true });
  const e2 = await bad.db.collection('t').get().catch((e) => e);
  assert.equal(e2.errMsg, 'collection.get:fail wx.login failed: login:fail nope');
});

test('documents: add, doc get/set/update/remove, where update/remove, with wx.cloud shapes', async () => {
  const { server, db, cloud } = setup();
  const cloudOf = () => cloud;
  const seen = {};
  server.handlers['database.addDocument'] = (p) => ((seen.add = p), { _id: 'new-1', insertedIds: ['new-1'] });
  server.handlers['database.queryDocument'] = (p) => ((seen.query = p), { list: p.query._id === 'missing' ? [] : [{ _id: 'd1', at: { $date: '2024-01-01T00:00:00Z' } }] });
  server.handlers['database.updateDocument'] = (p) => ((seen.update = p), p.upsert ? { updated: 0, upsert_id: 'd9', upserted_id: 'd9' } : { updated: 2 });
  server.handlers['database.deleteDocument'] = (p) => ((seen.remove = p), { deleted: 1 });
  const c = db.collection('todos');
  const _ = db.command;

  assert.deepEqual(await c.add({ data: { t: 1, when: new Date(7) } }), { _id: 'new-1', errMsg: 'collection.add:ok' });
  assert.deepEqual(seen.add, { dataVersion: '2020-01-10', env: 'env-1', collectionName: 'todos', data: { t: 1, when: { $date: 7 } } });

  const got = await c.doc('d1').field({ at: true, x: 0 }).get();
  assert.equal(got.errMsg, 'document.get:ok');
  assert.ok(got.data.at instanceof Date);
  assert.deepEqual(seen.query.query, { _id: 'd1' });
  assert.equal(seen.query.queryType, 'DOC');
  assert.deepEqual(seen.query.projection, { at: 1, x: 0 });

  const missing = await c.doc('missing').get().catch((e) => e);
  assert.equal(missing.errMsg, 'document.get:fail document with _id missing does not exist');
  const lenient = await cloudOf(db).database({ throwOnNotFound: false }).collection('todos').doc('missing').get();
  assert.deepEqual(lenient, { data: null, errMsg: 'document.get:ok' });

  assert.deepEqual(await c.doc('d1').update({ data: { n: _.inc(1) } }), { stats: { updated: 2 }, errMsg: 'document.update:ok' });
  assert.deepEqual(seen.update, {
    dataVersion: '2020-01-10', env: 'env-1', collectionName: 'todos', queryType: 'DOC', query: { _id: 'd1' }, data: { $inc: { n: 1 } }, multi: false, merge: true, upsert: false,
  });
  assert.deepEqual(await c.doc('d9').set({ data: { n: 1 } }), { _id: 'd9', stats: { updated: 0, created: 1 }, errMsg: 'document.set:ok' });
  assert.equal(seen.update.merge, false);
  assert.equal(seen.update.upsert, true);
  const mixed = await c.doc('d9').set({ data: { n: _.inc(1) } }).catch((e) => e);
  assert.match(mixed.errMsg, /^document\.set:fail .*update commands/);
  const withId = await c.doc('d9').update({ data: { _id: 'x' } }).catch((e) => e);
  assert.match(withId.errMsg, /^document\.update:fail .*_id/);

  assert.deepEqual(await c.doc('d1').remove(), { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
  assert.deepEqual(seen.remove.query, { _id: 'd1' });
  assert.deepEqual(await c.where({ done: true }).update({ data: { done: false } }), { stats: { updated: 2 }, errMsg: 'collection.update:ok' });
  assert.equal(seen.update.multi, true);
  assert.deepEqual(seen.update.data, { $set: { done: false } });
  assert.deepEqual(await c.where({ done: true }).remove(), { stats: { removed: 1 }, errMsg: 'collection.remove:ok' });
  assert.equal(seen.remove.multi, true);
});

test('server errors carry wx.cloud\'s errCode and errMsg', async () => {
  const { server, db } = setup();
  server.handlers['database.queryDocument'] = () => ({ code: 'DATABASE_PERMISSION_DENIED', message: 'permission denied: the query is not within the read rule' });
  const e = await db.collection('t').get().catch((x) => x);
  assert.equal(e.errMsg, 'collection.get:fail -502003 database permission denied. permission denied: the query is not within the read rule');
  assert.equal(e.errCode, -502003);
  assert.equal(e.requestId, 'r1');
  server.handlers['database.countDocument'] = () => ({ code: 'SOMETHING_NEW', message: 'x' });
  const u = await db.collection('t').count().catch((x) => x);
  assert.equal(u.errMsg, 'collection.count:fail -1 unknown error. x');
});

test('callbacks: success/fail/complete instead of a promise', async () => {
  const { server, db } = setup();
  server.handlers['database.queryDocument'] = () => ({ list: [{ _id: 'a' }] });
  const events = [];
  const ret = await new Promise((resolve) => {
    const r = db.collection('t').get({
      success: (res) => events.push(['success', res.errMsg]),
      fail: () => events.push(['fail']),
      complete: (res) => {
        events.push(['complete', res.errMsg]);
        resolve(r);
      },
    });
  });
  assert.equal(ret, undefined, 'no promise with callbacks');
  assert.deepEqual(events, [['success', 'collection.get:ok'], ['complete', 'collection.get:ok']]);
  server.handlers['database.queryDocument'] = () => ({ code: 'DATABASE_COLLECTION_NOT_EXIST', message: 'no' });
  const err = await new Promise((resolve) => db.collection('t').get({ fail: resolve }));
  assert.equal(err.errCode, -502005);
  // an exception in the app's success callback does not call fail
  server.handlers['database.queryDocument'] = () => ({ list: [] });
  const calls = [];
  const origError = console.error;
  console.error = () => calls.push('console.error');
  try {
    await new Promise((resolve) =>
      db.collection('t').get({
        success: () => {
          calls.push('success');
          throw new Error('app bug');
        },
        fail: () => calls.push('fail'),
        complete: () => resolve(),
      })
    );
  } finally {
    console.error = origError;
  }
  assert.deepEqual(calls, ['success', 'console.error']);
});

test('aggregate: the /web answer (a JSON string of Extended JSON strings) becomes {list}', async () => {
  const { server, db } = setup();
  let sent;
  server.handlers['database.aggregate'] = (p) => ((sent = p), { list: JSON.stringify(['{"_id":false,"n":{"$numberInt":"2"},"at":{"$date":{"$numberLong":"0"}}}']) });
  const $ = db.command.aggregate;
  const res = await db.collection('t').aggregate().group({ _id: '$done', n: $.sum(1) }).end();
  assert.equal(res.errMsg, 'collection.aggregate:ok');
  assert.equal(res.list[0].n, 2);
  assert.ok(res.list[0].at instanceof Date);
  assert.deepEqual(sent.stages, [{ stageKey: '$group', stageValue: '{"_id":"$done","n":{"$sum":1}}' }]);
});

test('callFunction: request_data as JSON, result parsed, failures in wx.cloud\'s words', async () => {
  const { server, cloud } = setup();
  let sent;
  server.handlers['functions.invokeFunction'] = (p) => {
    sent = p;
    if (p.function_name === 'bad') return { code: 'FUNCTIONS_EXECUTE_FAIL', message: 'Error: boom' };
    return { response_data: JSON.stringify({ sum: 3 }) };
  };
  const res = await cloud.callFunction({ name: 'add', data: { a: 1, b: 2 } });
  assert.deepEqual(res, { result: { sum: 3 }, errMsg: 'cloud.callFunction:ok', requestID: 'r1' });
  assert.deepEqual(sent, { dataVersion: '2020-01-10', env: 'env-1', function_name: 'add', request_data: '{"a":1,"b":2}' });
  const err = await cloud.callFunction({ name: 'bad' }).catch((e) => e);
  assert.equal(err.errMsg, 'cloud.callFunction:fail Error: errCode: -504002 functions execute fail | errMsg: Error: boom');
  assert.equal(err.errCode, -504002);
  const cb = await new Promise((resolve) => cloud.callFunction({ name: 'add', success: resolve }));
  assert.equal(cb.errMsg, 'cloud.callFunction:ok');
  const noName = await cloud.callFunction({}).catch((e) => e);
  assert.match(noName.errMsg, /^cloud\.callFunction:fail /);
});

test('storage: upload (metadata, then wx.uploadFile\'s multipart POST to the signed URL), temp URLs, delete, download', async () => {
  let post;
  const server = fakeServer({
    other: (req) => {
      if (req.method === 'POST') {
        post = req;
        if (req.url.includes('deny')) return { statusCode: 403, data: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>' };
        if (req.url.includes('huge')) return { statusCode: 413, data: '<?xml version="1.0"?><Error><Code>EntityTooLarge</Code><Message>too big</Message></Error>' };
        if (req.url.includes('json-error')) return { statusCode: 400, data: { code: 'INVALID_PARAM', message: 'bad form' } };
        if (req.url.includes('bare-error')) return { statusCode: 502, data: 'Bad Gateway' };
        return { statusCode: 200, data: { fileID: 'ignored' } };
      }
      return { statusCode: 200, data: 'bytes' };
    },
  });
  const wx = fakeWx(server, { files: { 'wxfile://tmp_a.png': 'PNG!' } });
  const cloud = install({ wx, endpoint: ENDPOINT, env: 'env-1' });
  server.handlers['storage.getUploadMetadata'] = (p) => ({ url: `http://files/${p.path}?sign=x`, fileId: `cloud://env-1.b/${p.path}`, token: '', authorization: '' });
  server.handlers['storage.batchGetDownloadUrl'] = (p) => ({
    download_list: p.file_list.map((f) =>
      f.fileid.endsWith('gone') ? { fileid: f.fileid, code: 'STORAGE_FILE_NONEXIST', message: 'file does not exist', download_url: '' } : { fileid: f.fileid, code: 'SUCCESS', download_url: `http://files/dl?${f.fileid}`, maxAge: f.max_age || 7200 }),
  });
  server.handlers['storage.batchDeleteFile'] = (p) => ({ delete_list: p.fileid_list.map((id) => ({ fileid: id, code: id.endsWith('theirs') ? 'STORAGE_EXCEED_AUTHORITY' : 'SUCCESS' })) });

  const up = await cloud.uploadFile({ cloudPath: 'img/a.png', filePath: 'wxfile://tmp_a.png', header: { 'x-app': '1' } });
  assert.deepEqual(up, { fileID: 'cloud://env-1.b/img/a.png', statusCode: 200, errMsg: 'cloud.uploadFile:ok' });
  const meta = server.actions.filter((a) => a.action === 'storage.getUploadMetadata').pop();
  assert.deepEqual(meta.params, { dataVersion: '2020-01-10', env: 'env-1', path: 'img/a.png', method: 'post' });
  assert.equal(post.url, 'http://files/img/a.png?sign=x');
  assert.equal(post.form.name, 'file', 'the file goes in the part named file');
  assert.equal(post.form.filename, 'tmp_a.png');
  assert.equal(post.form.bytes.toString(), 'PNG!');
  assert.deepEqual(post.form.formData, { key: 'img/a.png', 'Content-Type': 'image/png' });
  assert.equal(post.header['x-app'], '1', 'the caller\'s header is passed on');
  const sent = wx.requests.filter((r) => r.method === 'UPLOAD');
  assert.equal(sent.length, 1, 'the bytes go through wx.uploadFile');
  assert.ok(!wx.requests.some((r) => r.method === 'PUT'), 'no PUT through wx.request');

  const denied = await cloud.uploadFile({ cloudPath: 'deny/a.png', filePath: 'wxfile://tmp_a.png' }).catch((e) => e);
  assert.ok(denied instanceof Error);
  assert.equal(denied.errMsg, 'cloud.uploadFile:fail AccessDenied: no');
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.errCode, -503002);
  const huge = await cloud.uploadFile({ cloudPath: 'huge/a.png', filePath: 'wxfile://tmp_a.png' }).catch((e) => e);
  assert.equal(huge.errMsg, 'cloud.uploadFile:fail EntityTooLarge: too big');
  assert.equal(huge.errCode, -503001);
  const jsonErr = await cloud.uploadFile({ cloudPath: 'json-error/a.png', filePath: 'wxfile://tmp_a.png' }).catch((e) => e);
  assert.equal(jsonErr.errMsg, 'cloud.uploadFile:fail INVALID_PARAM: bad form');
  const bare = await cloud.uploadFile({ cloudPath: 'bare-error/a.png', filePath: 'wxfile://tmp_a.png' }).catch((e) => e);
  assert.equal(bare.errMsg, 'cloud.uploadFile:fail HTTP 502');
  const noFile = await cloud.uploadFile({ cloudPath: 'x', filePath: 'wxfile://tmp_none' }).catch((e) => e);
  assert.match(noFile.errMsg, /^cloud\.uploadFile:fail uploadFile:fail createUploadTask:fail file not found/);
  wx.offline = true;
  const offline = await cloud.uploadFile({ cloudPath: 'x', filePath: 'wxfile://tmp_a.png' }).catch((e) => e);
  wx.offline = false;
  assert.match(offline.errMsg, /^cloud\.uploadFile:fail request:fail offline/);
  const badArgs = await cloud.uploadFile({ cloudPath: 'x' }).catch((e) => e);
  assert.match(badArgs.errMsg, /^cloud\.uploadFile:fail uploadFile\(\) needs/);

  const urls = await cloud.getTempFileURL({ fileList: ['cloud://env-1.b/a', { fileID: 'cloud://env-1.b/b', maxAge: 60 }, 'cloud://env-1.b/gone'] });
  assert.deepEqual(urls, {
    fileList: [
      { fileID: 'cloud://env-1.b/a', tempFileURL: 'http://files/dl?cloud://env-1.b/a', status: 0, errMsg: 'ok', maxAge: 7200 },
      { fileID: 'cloud://env-1.b/b', tempFileURL: 'http://files/dl?cloud://env-1.b/b', status: 0, errMsg: 'ok', maxAge: 60 },
      { fileID: 'cloud://env-1.b/gone', tempFileURL: '', status: -503003, errMsg: 'STORAGE_FILE_NONEXIST: file does not exist' },
    ],
    errMsg: 'cloud.getTempFileURL:ok',
  });
  const del = await cloud.deleteFile({ fileList: ['cloud://env-1.b/a', 'cloud://env-1.b/theirs'] });
  assert.deepEqual(del.fileList.map((f) => f.status), [0, -503002]);
  assert.equal(del.errMsg, 'cloud.deleteFile:ok');

  const dl = await cloud.downloadFile({ fileID: 'cloud://env-1.b/a' });
  assert.deepEqual(dl, { tempFilePath: 'wxfile://tmp_1', statusCode: 200, errMsg: 'cloud.downloadFile:ok' });
  const gone = await cloud.downloadFile({ fileID: 'cloud://env-1.b/gone' }).catch((e) => e);
  assert.equal(gone.errCode, -503003);
  assert.match(gone.errMsg, /^cloud\.downloadFile:fail /);

});

test('uploadFile: the task relays wx.uploadFile\'s progress; abort fails the call', async () => {
  const server = fakeServer({ other: (req) => ({ statusCode: req.method === 'POST' ? 200 : 404, data: '' }) });
  const wx = fakeWx(server, { files: { 'wxfile://tmp_b.png': Buffer.alloc(1000, 1) } });
  const cloud = install({ wx, endpoint: ENDPOINT, env: 'env-1' });
  server.handlers['storage.getUploadMetadata'] = (p) => ({ url: `http://files/${p.path}?sign=x`, fileId: `cloud://env-1.b/${p.path}` });

  const progress = [];
  const res = await new Promise((resolve, reject) => {
    const task = cloud.uploadFile({ cloudPath: 'img/b.png', filePath: 'wxfile://tmp_b.png', success: resolve, fail: reject });
    assert.equal(typeof task.abort, 'function');
    task.onProgressUpdate((p) => progress.push(p));
  });
  assert.equal(res.errMsg, 'cloud.uploadFile:ok');
  assert.deepEqual(progress, [
    { progress: 50, totalBytesSent: 500, totalBytesExpectedToSend: 1000 },
    { progress: 100, totalBytesSent: 1000, totalBytesExpectedToSend: 1000 },
  ]);

  // abort while the file is on its way
  const uploads = () => wx.requests.filter((r) => r.method === 'UPLOAD').length;
  const n = uploads();
  const aborted = await new Promise((resolve) => {
    const task = cloud.uploadFile({ cloudPath: 'img/c.png', filePath: 'wxfile://tmp_b.png', success: () => resolve(null), fail: resolve });
    task.onProgressUpdate(() => task.abort());
  });
  assert.equal(aborted.errMsg, 'cloud.uploadFile:fail uploadFile:fail abort');
  assert.equal(uploads(), n + 1);
  // abort before the upload URL arrived: wx.uploadFile is never called
  const early = await new Promise((resolve) => {
    const task = cloud.uploadFile({ cloudPath: 'img/d.png', filePath: 'wxfile://tmp_b.png', success: () => resolve(null), fail: resolve });
    task.abort();
  });
  assert.equal(early.errMsg, 'cloud.uploadFile:fail uploadFile:fail abort');
  assert.equal(uploads(), n + 1);
});

test('install({appid}) sends the appid with the wx.login code', async () => {
  const server = fakeServer();
  const wx = fakeWx(server);
  const cloud = install({ wx, endpoint: ENDPOINT, env: 'env-1', appid: 'wxapp1' });
  await cloud.minicloud.signIn();
  assert.deepEqual(wx.requests[0].data, { provider_id: 'wxapp1', provider_code: 'code-1', provider_params: { provider_code_type: 'open_id', appid: 'wxapp1' } });
});

test('network failures, unsupported APIs, watch, signOut', async () => {
  const { wx, cloud, db } = setup();
  wx.offline = true;
  const err = await db.collection('t').get().catch((e) => e);
  assert.equal(err.errMsg, 'collection.get:fail request:fail offline');
  assert.equal(err.errCode, -1);
  wx.offline = false;
  const cc = await cloud.callContainer({ path: '/' }).catch((e) => e);
  assert.match(cc.errMsg, /^cloud\.callContainer:fail .*not supported/);
  assert.throws(() => db.collection('t').watch({ onChange() {} }), /not supported yet/);
  const e = await new Promise((resolve) => db.collection('t').doc('x').watch({ onChange() {}, onError: resolve }));
  assert.match(e.errMsg, /^watch:fail/);
  await cloud.minicloud.signIn();
  assert.ok(wx.getStorageSync(KEY).access_token);
  await cloud.minicloud.signOut();
  assert.equal(wx.getStorageSync(KEY), '');
});

test('the SDK uses no Node built-ins and no dependencies', () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const root = path.join(__dirname, '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies, undefined);
  for (const f of ['index.js', ...fs.readdirSync(path.join(root, 'lib')).map((x) => `lib/${x}`)]) {
    const src = fs.readFileSync(path.join(root, f), 'utf8').replace(/^\s*\/\/.*$/gm, ''); // code, not comments
    for (const m of src.matchAll(/require\(['"]([^'"]+)['"]\)/g)) assert.match(m[1], /^\.\.?\//, `${f} requires ${m[1]}`);
    assert.doesNotMatch(src, /\b(process|Buffer|global)\./, `${f} uses a Node global`);
    // only the wx APIs a mini-program SDK may rely on
    for (const m of src.matchAll(/\bwx\.(\w+)/g)) {
      assert.ok(['request', 'uploadFile', 'downloadFile', 'login', 'connectSocket', 'getStorageSync', 'setStorageSync', 'removeStorageSync', 'cloud'].includes(m[1]), `${f} uses wx.${m[1]}`);
    }
  }
});
