'use strict';
// A mini-program written for wx.cloud (fixtures/miniprogram: app.js, a todo page with
// images, a profile page, two cloud functions) runs unchanged on emulated phones
// (lib/wx-runtime.js) against a real Minicloud and a fake WeChat (lib/fake-wechat.js),
// through the client SDK in sdk/ (minicloud-wx). The only line that differs from a
// CloudBase app is app.js's `install({endpoint, env})` in place of `wx.cloud.init`.
//
// Two users on two phones check wx.cloud's result shapes and errMsg strings,
// permission presets (PRIVATE: creator only; READONLY), functions that see the
// caller's openid, storage round trips, and sign-in: one wx.login shared by
// concurrent first calls, a refused token replaced and the call retried once, a
// refresh after expiry (a second server with a 2 s token lifetime), a replayed or
// unknown code and WeChat being down, each a clear error.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startServer, sleep, REPO, CONFORMANCE } = require('../lib/server');
const { startFakeWeChat } = require('../lib/fake-wechat');
const { createDevice } = require('../lib/wx-runtime');

const APP = path.join(CONFORMANCE, 'fixtures', 'miniprogram');
const SDK = path.join(REPO, 'sdk');
const APPID = 'wx5e1f0c0de5a1b2c3';

// servers here sign many users in from one address: no sign-in rate limits
const NO_LIMITS = { MINICLOUD_LOGIN_RATE_IP: '0', MINICLOUD_LOGIN_RATE_OPENID: '0' };

function countRequests(dev, pathPart) {
  return dev.requests.filter((r) => r.url && r.url.includes(pathPart)).length;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('mini-program (wx.cloud through minicloud-wx)', () => {
  let wechat;
  let srv;
  const devices = [];

  // phone makes a device bound to the fake WeChat and the SDK package
  function phone(name, extra = {}) {
    const d = createDevice({ name, wechat, appid: APPID, packages: { 'minicloud-wx': SDK }, ...extra });
    devices.push(d);
    return d;
  }

  // launch starts the fixture app on a new phone (app.js signs in and calls whoami)
  async function launch(name, server = srv) {
    const d = phone(name);
    d.launch(APP, { modules: { './config.js': { endpoint: server.url, env: server.env } } });
    await d.launched;
    return d;
  }

  // bare makes a phone whose code only installs the SDK (no app.js): for sign-in tests
  function bare(name, server = srv) {
    const d = phone(name);
    const cloud = d.require('minicloud-wx').install({ endpoint: server.url, env: server.env });
    return { d, cloud, db: cloud.database() };
  }

  before(async () => {
    wechat = await startFakeWeChat({ appid: APPID, secret: 'test-app-secret' });
    srv = await startServer({ wechat, extraEnv: NO_LIMITS });
    await srv.createCollectionCli('todos'); // PRIVATE: the default preset
    await srv.createCollectionCli('notices');
    await srv.setPreset('notices', 'READONLY');
    await srv.cli('functions', 'deploy', path.join(APP, 'cloudfunctions'));
  });

  after(async () => {
    for (const d of devices) d.close();
    if (srv) await srv.stop();
    if (wechat) await wechat.stop();
  });

  describe('two users, the todo app', () => {
    let alice;
    let bob;
    let alicePage;
    let aliceTodo;

    before(async () => {
      alice = await launch('alice');
      bob = await launch('bob');
    });

    it('app.js signs in with wx.login on first use; the cloud function sees the openid', async () => {
      assert.equal(alice.app.globalData.openid, alice.openid);
      assert.equal(bob.app.globalData.openid, bob.openid);
      assert.notEqual(alice.openid, bob.openid);
      assert.equal(alice.logins, 1, 'one wx.login');
      assert.deepEqual(
        wechat.log.filter((l) => l.openid === alice.openid).length,
        1,
        'one code exchanged with WeChat for alice'
      );
      const creds = alice.wx.getStorageSync('minicloud:' + srv.env + ':credentials');
      assert.ok(creds.access_token && creds.refresh_token, 'tokens kept in wx storage');
      assert.ok(creds.expires_at > Date.now());
    });

    it('the todo page: add, get, count, update with _.inc and _.push, doc get, with wx.cloud result shapes', async () => {
      alicePage = await alice.openPage('pages/todos/todos');
      assert.deepEqual(alicePage.data.todos, []);
      assert.equal(alicePage.data.count, 0);

      const added = await alicePage.addTodo('buy milk');
      assert.deepEqual(Object.keys(added).sort(), ['_id', 'errMsg']);
      assert.equal(added.errMsg, 'collection.add:ok');
      assert.equal(typeof added._id, 'string');
      aliceTodo = added._id;
      await alicePage.addTodo('walk the dog');
      assert.equal(alicePage.data.count, 2);
      assert.deepEqual(alicePage.data.todos.map((t) => t.title), ['buy milk', 'walk the dog']);
      assert.equal(alicePage.data.todos[0]._openid, alice.openid, 'the server stamps _openid');

      const starred = await alicePage.star(aliceTodo);
      assert.deepEqual(starred, { stats: { updated: 1 }, errMsg: 'document.update:ok' });
      const t = alicePage.data.todos.find((x) => x._id === aliceTodo);
      assert.equal(t.stars, 1);
      assert.deepEqual(t.tags, ['starred']);

      // what the API hands the page before setData: Dates are Dates
      const db = alice.wx.cloud.database();
      const got = await db.collection('todos').doc(aliceTodo).get();
      assert.deepEqual(Object.keys(got).sort(), ['data', 'errMsg']);
      assert.equal(got.errMsg, 'document.get:ok');
      assert.ok(got.data.createdAt instanceof Date, 'serverDate comes back as a Date');
      assert.ok(Math.abs(got.data.createdAt.getTime() - Date.now()) < 60000);
      const list = await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(list.errMsg, 'collection.get:ok');
      assert.ok(Array.isArray(list.data));
      const n = await db.collection('todos').where({ _openid: '{openid}', stars: db.command.gte(1) }).count();
      assert.deepEqual(n, { total: 1, errMsg: 'collection.count:ok' });
    });

    it('set replaces a document; remove deletes it; the callback style works too', async () => {
      const set = await alicePage.rename(aliceTodo, 'buy oat milk');
      assert.deepEqual(set, { _id: aliceTodo, stats: { updated: 1, created: 0 }, errMsg: 'document.set:ok' });
      const one = await alicePage.loadOne(aliceTodo);
      assert.equal(one.ok, true);
      assert.equal(one.res.errMsg, 'document.get:ok');
      assert.equal(one.res.data.title, 'buy oat milk');
      assert.equal(one.res.data.stars, 0, 'set() replaced the document');

      const extra = await alicePage.addTodo('temporary');
      const removed = await alicePage.remove(extra._id);
      assert.deepEqual(removed, { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
      const gone = await alicePage.loadOne(extra._id);
      assert.equal(gone.ok, false);
      assert.match(gone.err.errMsg, /^document\.get:fail /);
      assert.ok(gone.err instanceof Error);
      assert.equal(typeof gone.err.errCode, 'number');
    });

    it('PRIVATE (creator only): bob sees none of alice\'s todos and cannot change or remove them', async () => {
      const bobPage = await bob.openPage('pages/todos/todos');
      assert.deepEqual(bobPage.data.todos, []);
      await bobPage.addTodo('bob\'s own');
      assert.deepEqual(bobPage.data.todos.map((t) => t.title), ['bob\'s own']);

      const db = bob.wx.cloud.database();
      const todos = db.collection('todos');
      // a query that does not name the owner sees only bob's documents
      const all = await todos.get();
      assert.equal(all.errMsg, 'collection.get:ok');
      assert.deepEqual(all.data.map((t) => t._openid), [bob.openid]);
      const peek = await rejection(todos.doc(aliceTodo).get());
      assert.equal(peek.errMsg, `document.get:fail document with _id ${aliceTodo} does not exist`);
      assert.deepEqual(await todos.doc(aliceTodo).update({ data: { title: 'hacked' } }), { stats: { updated: 0 }, errMsg: 'document.update:ok' });
      assert.deepEqual(await todos.doc(aliceTodo).remove(), { stats: { removed: 0 }, errMsg: 'document.remove:ok' });
      const set = await rejection(todos.doc(aliceTodo).set({ data: { title: 'mine now' } }));
      assert.match(set.errMsg, /^document\.set:fail -502003 database permission denied\. /);
      assert.equal(set.errCode, -502003);

      // wx.cloud's errors for a missing collection and a bad query
      const nope = await rejection(db.collection('no_such_collection').get());
      assert.match(nope.errMsg, /^collection\.get:fail -502005 database collection not exists\. /);
      assert.equal(nope.errCode, -502005);
      const bad = await rejection(todos.where({ n: { $nosuchop: 1 } }).get());
      assert.match(bad.errMsg, /^collection\.get:fail -501007 invalid parameters\. .*\$nosuchop/);

      const still = await alice.wx.cloud.database().collection('todos').doc(aliceTodo).get();
      assert.equal(still.data.title, 'buy oat milk', 'alice\'s todo is untouched');
    });

    it('READONLY: bob reads alice\'s notice but cannot change it', async () => {
      const adb = alice.wx.cloud.database();
      const { _id } = await adb.collection('notices').add({ data: { text: 'hello all', at: new Date('2024-05-01T08:00:00Z') } });
      const bdb = bob.wx.cloud.database();
      const seen = await bdb.collection('notices').doc(_id).get();
      assert.equal(seen.data.text, 'hello all');
      assert.ok(seen.data.at instanceof Date);
      assert.equal(seen.data.at.toISOString(), '2024-05-01T08:00:00.000Z');
      const upd = await bdb.collection('notices').doc(_id).update({ data: { text: 'mine now' } }).catch((e) => e);
      if (upd instanceof Error) assert.match(upd.errMsg, /^document\.update:fail -502003 /);
      else assert.equal(upd.stats.updated, 0);
      assert.equal((await adb.collection('notices').doc(_id).get()).data.text, 'hello all');
    });

    it('where().update() and where().remove() change only the caller\'s documents', async () => {
      const page = await alice.openPage('pages/todos/todos');
      const ids = page.data.todos.map((t) => t._id);
      const db = alice.wx.cloud.database();
      const upd = await db.collection('todos').where({ _openid: '{openid}' }).update({ data: { done: true } });
      assert.deepEqual(upd, { stats: { updated: ids.length }, errMsg: 'collection.update:ok' });
      const rm = await page.clearDone();
      assert.deepEqual(rm, { stats: { removed: ids.length }, errMsg: 'collection.remove:ok' });
      const bobs = await bob.wx.cloud.database().collection('todos').where({ _openid: '{openid}' }).count();
      assert.equal(bobs.total, 1, 'bob\'s todo is still there');
    });

    it('aggregate() with $ = db.command.aggregate', async () => {
      const page = await alice.openPage('pages/todos/todos');
      const a = await page.addTodo('one');
      await page.addTodo('two');
      await page.star(a._id);
      await page.toggle(a._id, true);
      const res = await page.stats();
      assert.equal(res.errMsg, 'collection.aggregate:ok');
      assert.deepEqual(res.list, [
        { _id: false, n: 1, stars: 0 },
        { _id: true, n: 1, stars: 1 },
      ]);
    });

    it('callFunction: the callback style, a failing function, an unknown one', async () => {
      const profile = await bob.openPage('pages/profile/profile');
      assert.equal(profile.data.error, '');
      assert.equal(profile.data.openid, bob.openid);

      const res = await bob.wx.cloud.callFunction({ name: 'whoami', data: { n: 1, when: new Date(0) } });
      assert.equal(res.errMsg, 'cloud.callFunction:ok');
      assert.equal(typeof res.requestID, 'string');
      assert.equal(res.result.openid, bob.openid);
      assert.equal(res.result.appid, APPID);
      assert.equal(res.result.event.n, 1);

      const boom = await rejection(bob.wx.cloud.callFunction({ name: 'failing', data: { why: 'testing' } }));
      assert.ok(boom instanceof Error);
      assert.match(boom.errMsg, /^cloud\.callFunction:fail Error: errCode: -504002 functions execute fail \| errMsg: .*boom: testing/);
      assert.equal(boom.errCode, -504002);
      assert.equal(boom.message, boom.errMsg);

      const missing = await rejection(bob.wx.cloud.callFunction({ name: 'no_such_function' }));
      assert.match(missing.errMsg, /^cloud\.callFunction:fail /);

      const bad = await rejection(bob.wx.cloud.callFunction({}));
      assert.match(bad.errMsg, /^cloud\.callFunction:fail .*name/);
    });

    it('storage: chooseImage → uploadFile → getTempFileURL → downloadFile → same bytes → deleteFile', async () => {
      const page = await alice.openPage('pages/todos/todos');
      const { _id } = await page.addTodo('with a picture');
      const bytes = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), Buffer.from('图片 ✓'), Buffer.alloc(4000, 7)]);
      alice.chosenFiles.push(alice.tempFile(bytes, '.png'));
      const { upload, temp } = await page.attachImage(_id);
      assert.deepEqual(Object.keys(upload).sort(), ['errMsg', 'fileID', 'statusCode']);
      assert.equal(upload.errMsg, 'cloud.uploadFile:ok');
      assert.equal(upload.statusCode, 200);
      assert.match(upload.fileID, new RegExp(`^cloud://${srv.env}\\.[\\w-]+/todo-images/${_id}-\\d+\\.png$`));
      assert.equal(temp.fileID, upload.fileID);
      assert.equal(temp.status, 0);
      assert.equal(temp.errMsg, 'ok');
      assert.match(temp.tempFileURL, /^http:\/\/127\.0\.0\.1:\d+\/storage\/v1\/objects\//);

      const doc = await alice.wx.cloud.database().collection('todos').doc(_id).get();
      assert.equal(doc.data.image, upload.fileID);

      // bob downloads it (READONLY storage: everyone reads)
      const dl = await bob.wx.cloud.downloadFile({ fileID: upload.fileID });
      assert.equal(dl.errMsg, 'cloud.downloadFile:ok');
      assert.equal(dl.statusCode, 200);
      assert.match(dl.tempFilePath, /^wxfile:\/\/tmp_/);
      assert.deepEqual(bob.readFile(dl.tempFilePath), bytes);

      // bob may not delete alice's file; alice may
      const bobDel = await bob.wx.cloud.deleteFile({ fileList: [upload.fileID] });
      assert.equal(bobDel.errMsg, 'cloud.deleteFile:ok');
      assert.equal(bobDel.fileList[0].fileID, upload.fileID);
      assert.notEqual(bobDel.fileList[0].status, 0);
      const del = await alice.wx.cloud.deleteFile({ fileList: [upload.fileID] });
      assert.deepEqual(del, { fileList: [{ fileID: upload.fileID, status: 0, errMsg: 'ok' }], errMsg: 'cloud.deleteFile:ok' });

      const after = await alice.wx.cloud.getTempFileURL({ fileList: [upload.fileID] });
      assert.equal(after.errMsg, 'cloud.getTempFileURL:ok');
      assert.equal(after.fileList[0].status, -503003);
      assert.equal(after.fileList[0].tempFileURL, '');
      const dlGone = await rejection(bob.wx.cloud.downloadFile({ fileID: upload.fileID }));
      assert.match(dlGone.errMsg, /^cloud\.downloadFile:fail /);
    });

    it('uploadFile in callback style returns a task and reports progress', async () => {
      const filePath = alice.writeUserFile('notes/a.txt', 'hello from the user dir');
      const result = await new Promise((resolve) => {
        const task = alice.wx.cloud.uploadFile({
          cloudPath: `notes/${Date.now()}.txt`,
          filePath,
          success: (res) => resolve({ res, progress }),
          fail: (err) => resolve({ err }),
        });
        const progress = [];
        assert.equal(typeof task.onProgressUpdate, 'function');
        task.onProgressUpdate((p) => progress.push(p.progress));
      });
      assert.equal(result.err, undefined, result.err && result.err.errMsg);
      assert.equal(result.res.errMsg, 'cloud.uploadFile:ok');
      assert.deepEqual(result.progress, [100]);
      const missing = await rejection(alice.wx.cloud.uploadFile({ cloudPath: 'x/y.txt', filePath: `${alice.wx.env.USER_DATA_PATH}/nope.txt` }));
      assert.match(missing.errMsg, /^cloud\.uploadFile:fail .*no such file/);
    });

    it('watch() exists and fails clearly (realtime is not served yet)', async () => {
      const db = alice.wx.cloud.database();
      const err = await new Promise((resolve) => {
        db.collection('todos').where({ _openid: '{openid}' }).watch({ onChange: () => {}, onError: resolve });
      });
      assert.match(err.errMsg, /^watch:fail .*not supported yet/);
      assert.throws(() => db.collection('todos').doc('x').watch({ onChange: () => {} }), /not supported yet/);
    });

    it('no network: the call fails with wx.request\'s reason', async () => {
      const { d, db } = bare('offline-phone');
      d.offline = true;
      const err = await rejection(db.collection('todos').get());
      assert.match(err.errMsg, /^collection\.get:fail .*request:fail/);
      assert.equal(err.errCode, -1);
      d.offline = false;
      const ok = await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(ok.errMsg, 'collection.get:ok');
    });
  });

  describe('sign-in', () => {
    it('concurrent first calls share one wx.login and one sign-in', async () => {
      const { d, db, cloud } = bare('carol');
      const before = wechat.calls;
      const results = await Promise.all([
        db.collection('todos').where({ _openid: '{openid}' }).get(),
        db.collection('todos').where({ _openid: '{openid}' }).count(),
        cloud.callFunction({ name: 'whoami' }),
        db.collection('notices').limit(1).get(),
        db.collection('todos').add({ data: { title: 'carol' } }),
      ]);
      assert.deepEqual(results.map((r) => r.errMsg), ['collection.get:ok', 'collection.count:ok', 'cloud.callFunction:ok', 'collection.get:ok', 'collection.add:ok']);
      assert.equal(results[2].result.openid, d.openid);
      assert.equal(d.logins, 1);
      assert.equal(wechat.calls - before, 1);
      assert.equal(countRequests(d, '/auth/v1/provider/token'), 1);
      assert.equal(countRequests(d, '/auth/v1/signin/with/provider'), 1);
    });

    it('a token the server refuses is refreshed and the call retried once, without wx.login', async () => {
      const { d, db } = bare('dave');
      await db.collection('todos').where({ _openid: '{openid}' }).get();
      const key = `minicloud:${srv.env}:credentials`;
      const creds = d.wx.getStorageSync(key);
      const forged = `${creds.access_token.slice(0, -4)}AAAA`;
      d.wx.setStorageSync(key, { ...creds, access_token: forged });
      const res = await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(res.errMsg, 'collection.get:ok');
      assert.equal(countRequests(d, '/auth/v1/token'), 1, 'one refresh');
      assert.equal(d.logins, 1, 'no new wx.login');
      assert.notEqual(d.wx.getStorageSync(key).access_token, forged, 'the refused token was replaced');
    });

    it('when the refresh token is refused too, it signs in again with wx.login', async () => {
      const { d, db } = bare('erin');
      await db.collection('todos').where({ _openid: '{openid}' }).get();
      const key = `minicloud:${srv.env}:credentials`;
      d.wx.setStorageSync(key, { ...d.wx.getStorageSync(key), access_token: 'not-a-token', refresh_token: 'not-a-token-either' });
      const res = await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(res.errMsg, 'collection.get:ok');
      assert.equal(d.logins, 2);
      const who = await d.wx.cloud.callFunction({ name: 'whoami' });
      assert.equal(who.result.openid, d.openid, 'the same user again');
    });

    it('a replayed wx.login code fails clearly (WeChat 40163) and nothing is kept', async () => {
      const first = bare('frank');
      await first.db.collection('todos').where({ _openid: '{openid}' }).get();
      const used = wechat.log.filter((l) => l.openid === first.d.openid).pop().code;

      const { d, db } = bare('mallory');
      d.nextCodes.push(used);
      const err = await rejection(db.collection('todos').get());
      assert.match(err.errMsg, /^collection\.get:fail sign-in failed: .*wx\.login code is invalid, expired or already used/);
      assert.equal(wechat.log[wechat.log.length - 1].errcode, 40163);
      assert.equal(d.wx.getStorageSync(`minicloud:${srv.env}:credentials`), '', 'no credentials stored');
      assert.equal(countRequests(d, '/web'), 0, 'no data request was sent');
      // the next call asks wx.login again and gets a fresh code
      const ok = await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(ok.errMsg, 'collection.get:ok');
    });

    it('an unknown code is refused (WeChat 40029)', async () => {
      const { d, cloud } = bare('grace');
      d.nextCodes.push('0'.repeat(32));
      const err = await rejection(cloud.callFunction({ name: 'whoami' }));
      assert.match(err.errMsg, /^cloud\.callFunction:fail sign-in failed: /);
      assert.equal(wechat.log[wechat.log.length - 1].errcode, 40029);
    });

    it('WeChat down (-1): a clear error; the next call signs in once WeChat is back', async () => {
      const { db } = bare('heidi');
      wechat.busy = true;
      let err;
      try {
        err = await rejection(db.collection('todos').get());
      } finally {
        wechat.busy = false;
      }
      assert.match(err.errMsg, /^collection\.get:fail sign-in failed: WeChat is busy/);
      assert.equal(err.errCode, -1);
      assert.equal(wechat.log[wechat.log.length - 1].errcode, -1);
      const ok = await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(ok.errMsg, 'collection.get:ok');
    });

    it('wx.login itself failing is reported', async () => {
      const { d, db } = bare('ivan');
      d.loginError = 'no network';
      const err = await rejection(db.collection('todos').get());
      assert.match(err.errMsg, /^collection\.get:fail wx\.login failed: login:fail no network/);
    });

    it('signOut revokes the session: the next call signs in again', async () => {
      const { d, db, cloud } = bare('judy');
      await db.collection('todos').where({ _openid: '{openid}' }).get();
      const key = `minicloud:${srv.env}:credentials`;
      const old = d.wx.getStorageSync(key);
      await cloud.minicloud.signOut();
      assert.equal(d.wx.getStorageSync(key), '');
      // the revoked token is refused by the server
      const raw = await srv.webRaw('database.queryDocument', { collectionName: 'todos', query: { _openid: '{openid}' } }, old.access_token);
      assert.equal(raw.body.code, 'UNAUTHENTICATED');
      await db.collection('todos').where({ _openid: '{openid}' }).get();
      assert.equal(d.logins, 2);
    });
  });

  describe('token lifetime', () => {
    let short;
    before(async () => {
      short = await startServer({ wechat, extraEnv: { ...NO_LIMITS, MINICLOUD_ACCESS_TOKEN_TTL: '2s' } });
      await short.createCollectionCli('todos');
    });
    after(async () => {
      if (short) await short.stop();
    });

    it('an expired access token is refreshed before the call, with no new wx.login', async () => {
      const { d, db } = bare('kate', short);
      const key = `minicloud:${short.env}:credentials`;
      const first = await db.collection('todos').add({ data: { title: 'short-lived' } });
      const t1 = d.wx.getStorageSync(key);
      assert.ok(t1.expires_at - Date.now() <= 2000);
      await sleep(2300);
      const res = await db.collection('todos').doc(first._id).get();
      assert.equal(res.data.title, 'short-lived');
      assert.equal(countRequests(d, '/auth/v1/token'), 1, 'refreshed once');
      assert.equal(d.logins, 1);
      const t2 = d.wx.getStorageSync(key);
      assert.notEqual(t2.access_token, t1.access_token);
      assert.ok(t2.expires_at > t1.expires_at);
    });

    it('a token that expires in flight (the device clock is behind) is renewed on the server\'s answer', async () => {
      const { d, db } = bare('liam', short);
      const key = `minicloud:${short.env}:credentials`;
      await db.collection('todos').where({ _openid: '{openid}' }).get();
      await sleep(2300);
      // the device believes the token is still good
      d.wx.setStorageSync(key, { ...d.wx.getStorageSync(key), renew_at: Date.now() + 3600e3, expires_at: Date.now() + 3600e3 });
      const webBefore = countRequests(d, '/web');
      const res = await db.collection('todos').where({ _openid: '{openid}' }).count();
      assert.equal(res.errMsg, 'collection.count:ok');
      assert.equal(countRequests(d, '/web') - webBefore, 2, 'refused once, retried once');
      assert.equal(countRequests(d, '/auth/v1/token'), 1);
      assert.equal(d.logins, 1);
    });
  });
});
