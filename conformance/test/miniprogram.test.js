'use strict';
// The example mini-program (examples/miniprogram-todo: app.js, a todo list with
// images, a detail page, a profile page, two cloud functions) runs unchanged on
// emulated phones (lib/wx-runtime.js) against a real Minicloud and a fake WeChat
// (lib/fake-wechat.js), through the client SDK in sdk/ (minicloud-wx). The only line
// that differs from a CloudBase app is app.js's `install({endpoint, env})` in place
// of `wx.cloud.init`; the harness swaps config.js for the test server's address.
//
// The pages are driven through their wxml event handlers (page.trigger), as taps and
// typing would. Two users on two phones check wx.cloud's result shapes and errMsg
// strings, permission presets (PRIVATE: creator only; READONLY), functions that see
// the caller's openid, storage round trips through wx.uploadFile, and sign-in: one
// wx.login shared by concurrent first calls, a refused token replaced and the call
// retried once, a refresh after expiry (a second server with a 2 s token lifetime), a
// replayed or unknown code and WeChat being down, each a clear error.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, sleep, REPO } = require('../lib/server');
const { startFakeWeChat } = require('../lib/fake-wechat');
const { createDevice } = require('../lib/wx-runtime');

const EXAMPLE = path.join(REPO, 'examples', 'miniprogram-todo');
const APP = path.join(EXAMPLE, 'miniprogram');
const FUNCTIONS = path.join(EXAMPLE, 'cloudfunctions');
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

describe('the example app\'s files', () => {
  const appJSON = JSON.parse(fs.readFileSync(path.join(APP, 'app.json'), 'utf8'));

  it('is a complete mini-program project: every page has its js, wxml, wxss and json', () => {
    const project = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'project.config.json'), 'utf8'));
    assert.equal(project.miniprogramRoot, 'miniprogram/');
    assert.equal(project.cloudfunctionRoot, 'cloudfunctions/');
    for (const page of appJSON.pages) {
      for (const ext of ['js', 'wxml', 'wxss', 'json']) assert.ok(fs.existsSync(path.join(APP, `${page}.${ext}`)), `${page}.${ext}`);
      JSON.parse(fs.readFileSync(path.join(APP, `${page}.json`), 'utf8'));
    }
    for (const tab of appJSON.tabBar.list) assert.ok(appJSON.pages.includes(tab.pagePath), tab.pagePath);
    for (const fn of fs.readdirSync(FUNCTIONS)) {
      assert.ok(fs.existsSync(path.join(FUNCTIONS, fn, 'index.js')), `${fn}/index.js`);
      assert.equal(JSON.parse(fs.readFileSync(path.join(FUNCTIONS, fn, 'package.json'), 'utf8')).name, fn);
    }
  });

  it('every handler a wxml file binds is a method of its page', async () => {
    const d = createDevice({ name: 'lint', packages: { 'minicloud-wx': SDK } });
    try {
      // app.js without App().onLaunch: no server is needed to load the pages
      d.appRoot = APP;
      d.overrides.set(path.join(APP, 'config.js'), { endpoint: 'http://127.0.0.1:9', env: 'lint' });
      d.require('./app.js', APP);
      for (const page of appJSON.pages) {
        const wxml = fs.readFileSync(path.join(APP, `${page}.wxml`), 'utf8');
        const handlers = [...wxml.matchAll(/\s(?:bind|catch|mut-bind|capture-bind|capture-catch):?[a-z]+="([^"]+)"/g)].map((m) => m[1]);
        assert.ok(handlers.length > 0, `${page}.wxml binds handlers`);
        d._loadingRoute = page;
        d.require(`/${page}`);
        d._loadingRoute = null;
        const def = d.pageDefs.get(page);
        for (const h of handlers) assert.equal(typeof def[h], 'function', `${page}.wxml binds ${h}, which ${page}.js does not define`);
      }
    } finally {
      d.close();
    }
  });

  it('loads minicloud-wx from miniprogram_npm/ (DevTools\' Build npm) with only the files the package publishes', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wx-example-'));
    const d = createDevice({ name: 'npm' }); // no `packages`: the app's own miniprogram_npm/
    try {
      const root = path.join(tmp, 'miniprogram');
      fs.cpSync(APP, root, { recursive: true, filter: (src) => !/[\\/](node_modules|miniprogram_npm)$/.test(src) });
      const pkg = JSON.parse(fs.readFileSync(path.join(SDK, 'package.json'), 'utf8'));
      const dest = path.join(root, 'miniprogram_npm', 'minicloud-wx');
      for (const f of [...pkg.files, 'package.json']) fs.cpSync(path.join(SDK, f), path.join(dest, f), { recursive: true });
      d.appRoot = root;
      d.overrides.set(path.join(root, 'config.js'), { endpoint: 'http://127.0.0.1:9', env: 'npm' });
      d.require('./app.js', root);
      assert.equal(typeof d.wx.cloud.database, 'function');
      assert.equal(d.wx.cloud.minicloud.env, 'npm');
      for (const page of appJSON.pages) {
        d._loadingRoute = page;
        d.require(`/${page}`);
        d._loadingRoute = null;
        assert.ok(d.pageDefs.has(page), page);
      }
    } finally {
      d.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('only app.js knows about Minicloud: the pages call wx.cloud', () => {
    const app = fs.readFileSync(path.join(APP, 'app.js'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    assert.equal([...app.matchAll(/minicloud/g)].length, 1, 'one mention in app.js: the install line');
    assert.match(app, /require\('minicloud-wx'\)\.install\(\{ endpoint: config\.endpoint, env: config\.env \}\)/);
    assert.doesNotMatch(app, /wx\.cloud\.init/);
    for (const page of appJSON.pages) {
      const src = fs.readFileSync(path.join(APP, `${page}.js`), 'utf8').replace(/^\s*\/\/.*$/gm, '');
      assert.doesNotMatch(src, /minicloud|require\(/i, `${page}.js`);
    }
  });
});

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

  // launch starts the example app on a new phone (app.js signs in and calls login)
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
    await srv.createCollectionCli('todos'); // PRIVATE: CloudBase's default, as the example's README says
    await srv.createCollectionCli('notices');
    await srv.setPreset('notices', 'READONLY');
    await srv.cli('functions', 'deploy', FUNCTIONS);
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

    it('app.js signs in with wx.login on first use; the login function sees the openid', async () => {
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

    it('the todo page: type and add, star, toggle, with wx.cloud result shapes', async () => {
      alicePage = await alice.openPage('pages/todos/todos');
      assert.deepEqual(alicePage.data.todos, []);
      assert.equal(alicePage.data.count, 0);
      assert.equal(alicePage.data.error, '');

      const empty = await alicePage.trigger('onAdd');
      assert.equal(empty, null, 'no title, nothing added');
      await sleep(10);
      assert.equal(alice.ui.pop().api, 'showToast');
      alicePage.trigger('onInput', { type: 'input', detail: { value: '  buy milk ' } });
      const added = await alicePage.trigger('onAdd');
      assert.deepEqual(Object.keys(added).sort(), ['_id', 'errMsg']);
      assert.equal(added.errMsg, 'collection.add:ok');
      assert.equal(typeof added._id, 'string');
      assert.equal(alicePage.data.newTitle, '');
      aliceTodo = added._id;
      alicePage.trigger('onInput', { type: 'input', detail: { value: 'walk the dog' } });
      await alicePage.trigger('onAdd');
      assert.equal(alicePage.data.count, 2);
      assert.deepEqual(alicePage.data.todos.map((t) => t.title), ['buy milk', 'walk the dog']);
      assert.equal(alicePage.data.todos[0]._openid, alice.openid, 'the server stamps _openid');

      const starred = await alicePage.trigger('onStar', { dataset: { id: aliceTodo } });
      assert.deepEqual(starred, { stats: { updated: 1 }, errMsg: 'document.update:ok' });
      await alicePage.trigger('onStar', { dataset: { id: aliceTodo } });
      let t = alicePage.data.todos.find((x) => x._id === aliceTodo);
      assert.equal(t.stars, 2);
      assert.deepEqual(t.tags, ['starred'], '_.addToSet adds once');

      await alicePage.trigger('onToggle', { dataset: { id: aliceTodo, done: false } });
      t = alicePage.data.todos.find((x) => x._id === aliceTodo);
      assert.equal(t.done, true);
      await alicePage.trigger('onToggle', { dataset: { id: aliceTodo, done: true } });
      assert.equal(alicePage.data.todos.find((x) => x._id === aliceTodo).done, false);

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

      // tapping a title opens the detail page
      alicePage.trigger('onOpen', { dataset: { id: aliceTodo } });
      await sleep(10);
      assert.deepEqual(alice.ui.pop(), { api: 'navigateTo', url: `/pages/detail/detail?id=${aliceTodo}` });
    });

    it('the detail page: a callback-style get, set() replaces the document; remove deletes one', async () => {
      const detail = await alice.openPage('pages/detail/detail', { id: aliceTodo });
      assert.equal(detail.data.missing, false);
      assert.equal(detail.data.title, 'buy milk');
      detail.trigger('onTitle', { type: 'input', detail: { value: 'buy oat milk' } });
      detail.trigger('onNote', { type: 'input', detail: { value: 'the barista one' } });
      const set = await detail.trigger('onSave');
      assert.deepEqual(set, { _id: aliceTodo, stats: { updated: 1, created: 0 }, errMsg: 'document.set:ok' });
      assert.equal(detail.data.todo.title, 'buy oat milk');
      assert.equal(detail.data.todo.note, 'the barista one');
      assert.equal(detail.data.todo.stars, 2, 'set() kept what the form carried');
      const again = await detail.load();
      assert.equal(again.errMsg, 'document.get:ok');
      assert.ok(again.data.editedAt instanceof Date);

      const extra = await alicePage.addTodo('temporary');
      const removed = await alicePage.trigger('onRemove', { dataset: { id: extra._id } });
      assert.deepEqual(removed, { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
      assert.equal(alice.ui.filter((u) => u.api === 'showModal').length, 1, 'asked first');
      const gonePage = await alice.openPage('pages/detail/detail', { id: extra._id });
      assert.equal(gonePage.data.missing, true);
      assert.match(gonePage.data.error, /^document\.get:fail /);
      const gone = await gonePage.load();
      assert.ok(gone instanceof Error);
      assert.equal(typeof gone.errCode, 'number');
    });

    it('PRIVATE (creator only): bob sees none of alice\'s todos and cannot change or remove them', async () => {
      const bobPage = await bob.openPage('pages/todos/todos');
      assert.deepEqual(bobPage.data.todos, []);
      await bobPage.addTodo('bob\'s own');
      assert.deepEqual(bobPage.data.todos.map((t) => t.title), ['bob\'s own']);
      const peekPage = await bob.openPage('pages/detail/detail', { id: aliceTodo });
      assert.equal(peekPage.data.missing, true, 'alice\'s todo does not exist for bob');

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
      await page.trigger('onClearDone');
      assert.deepEqual(page.data.todos, []);
      const bobs = await bob.wx.cloud.database().collection('todos').where({ _openid: '{openid}' }).count();
      assert.equal(bobs.total, 1, 'bob\'s todo is still there');
    });

    it('aggregate() with $ = db.command.aggregate (the Stats button)', async () => {
      const page = await alice.openPage('pages/todos/todos');
      const a = await page.addTodo('one');
      await page.addTodo('two');
      await page.star(a._id);
      await page.toggle(a._id, true);
      const res = await page.trigger('onStats');
      assert.equal(res.errMsg, 'collection.aggregate:ok');
      assert.deepEqual(res.list, [
        { _id: false, n: 1, stars: 0 },
        { _id: true, n: 1, stars: 1 },
      ]);
      assert.deepEqual(page.data.stats, res.list);
    });

    it('callFunction: the profile page (callback style and promise), a failing function, an unknown one', async () => {
      const profile = await alice.openPage('pages/profile/profile');
      assert.equal(profile.data.error, '');
      assert.equal(profile.data.openid, alice.openid);
      assert.equal(profile.data.appid, APPID);
      assert.deepEqual(profile.data.summary, { total: 2, done: 1, recent: 2, days: 7 });

      const res = await bob.wx.cloud.callFunction({ name: 'login', data: { n: 1, when: new Date(0) } });
      assert.equal(res.errMsg, 'cloud.callFunction:ok');
      assert.equal(typeof res.requestID, 'string');
      assert.equal(res.result.openid, bob.openid);
      assert.equal(res.result.appid, APPID);
      assert.equal(res.result.env, srv.env);
      const sum = await bob.wx.cloud.callFunction({ name: 'summary' });
      assert.deepEqual(sum.result, { total: 1, done: 0, recent: 1, days: 7 }, 'the function counts the caller\'s todos only');

      const boom = await rejection(bob.wx.cloud.callFunction({ name: 'summary', data: { days: 'lots' } }));
      assert.ok(boom instanceof Error);
      assert.match(boom.errMsg, /^cloud\.callFunction:fail Error: errCode: -504002 functions execute fail \| errMsg: .*days must be a whole number from 1 to 365, got "lots"/);
      assert.equal(boom.errCode, -504002);
      assert.equal(boom.message, boom.errMsg);

      const missing = await rejection(bob.wx.cloud.callFunction({ name: 'no_such_function' }));
      assert.match(missing.errMsg, /^cloud\.callFunction:fail /);

      const bad = await rejection(bob.wx.cloud.callFunction({}));
      assert.match(bad.errMsg, /^cloud\.callFunction:fail .*name/);
    });

    it('storage: chooseMedia → uploadFile (wx.uploadFile, progress) → temp URL on the page → downloadFile → same bytes → deleteFile', async () => {
      const page = await alice.openPage('pages/todos/todos');
      const { _id } = await page.addTodo('with a picture');
      const bytes = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), Buffer.from('图片 ✓'), Buffer.alloc(300 * 1024, 7)]);
      alice.chosenFiles.push(alice.tempFile(bytes, '.png'));
      const uploading = [];
      const setData = page.setData;
      page.setData = (o, cb) => {
        if (o.uploading !== undefined) uploading.push(o.uploading);
        return setData(o, cb);
      };
      const upload = await page.trigger('onAttach', { dataset: { id: _id } });
      page.setData = setData;
      assert.equal(page.data.error, '', page.data.error);
      assert.deepEqual(Object.keys(upload).sort(), ['errMsg', 'fileID', 'statusCode']);
      assert.equal(upload.errMsg, 'cloud.uploadFile:ok');
      assert.equal(upload.statusCode, 200);
      assert.match(upload.fileID, new RegExp(`^cloud://${srv.env}\\.[\\w-]+/todo-images/${_id}-\\d+\\.png$`));
      const sent = alice.requests.filter((r) => r.api === 'uploadFile');
      assert.equal(sent.length, 1, 'the bytes went through wx.uploadFile');
      assert.equal(sent[0].method, 'POST');
      assert.ok(!alice.requests.some((r) => r.method === 'PUT'), 'no PUT through wx.request');
      assert.ok(uploading.length >= 3, `progress reached the page (${uploading})`);
      assert.equal(uploading[uploading.length - 2], 100);
      assert.equal(uploading[uploading.length - 1], -1, 'and was cleared');
      assert.equal(page.data.uploading, -1);

      const shown = page.data.todos.find((t) => t._id === _id);
      assert.equal(shown.image, upload.fileID);
      assert.match(shown.imageURL, /^http:\/\/127\.0\.0\.1:\d+\/storage\/v1\/objects\//);
      const served = await fetch(shown.imageURL);
      assert.equal(served.headers.get('content-type'), 'image/png', 'the type the SDK named in the form');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), bytes);
      const temp = await alice.wx.cloud.getTempFileURL({ fileList: [upload.fileID] });
      assert.equal(temp.fileList[0].status, 0);
      assert.equal(temp.fileList[0].errMsg, 'ok');
      page.trigger('onPreview', { dataset: { url: shown.imageURL } });
      await sleep(10);
      assert.deepEqual(alice.ui.pop().urls, [shown.imageURL]);

      // bob downloads it (READONLY storage: everyone reads)
      const dl = await bob.wx.cloud.downloadFile({ fileID: upload.fileID });
      assert.equal(dl.errMsg, 'cloud.downloadFile:ok');
      assert.equal(dl.statusCode, 200);
      assert.match(dl.tempFilePath, /^wxfile:\/\/tmp_/);
      assert.deepEqual(bob.readFile(dl.tempFilePath), bytes);

      // bob may not delete alice's file
      const bobDel = await bob.wx.cloud.deleteFile({ fileList: [upload.fileID] });
      assert.equal(bobDel.errMsg, 'cloud.deleteFile:ok');
      assert.equal(bobDel.fileList[0].fileID, upload.fileID);
      assert.notEqual(bobDel.fileList[0].status, 0);

      // replacing the image deletes the old file
      const second = Buffer.from('second picture');
      alice.chosenFiles.push(alice.tempFile(second, '.jpg'));
      const upload2 = await page.trigger('onAttach', { dataset: { id: _id } });
      assert.notEqual(upload2.fileID, upload.fileID);
      const old = await alice.wx.cloud.getTempFileURL({ fileList: [upload.fileID] });
      assert.equal(old.fileList[0].status, -503003, 'the replaced file is gone');
      assert.equal(old.fileList[0].tempFileURL, '');

      // no file chosen (the user closed the picker): nothing happens
      assert.equal(await page.trigger('onAttach', { dataset: { id: _id } }), null);

      // deleting the todo deletes its image
      await page.trigger('onRemove', { dataset: { id: _id } });
      const after = await alice.wx.cloud.getTempFileURL({ fileList: [upload2.fileID] });
      assert.equal(after.errMsg, 'cloud.getTempFileURL:ok');
      assert.equal(after.fileList[0].status, -503003);
      const dlGone = await rejection(bob.wx.cloud.downloadFile({ fileID: upload2.fileID }));
      assert.match(dlGone.errMsg, /^cloud\.downloadFile:fail /);
      const del = await alice.wx.cloud.deleteFile({ fileList: [upload.fileID] });
      assert.equal(del.errMsg, 'cloud.deleteFile:ok');
    });

    it('uploadFile in callback style returns a task: progress, abort, a missing file, a refused upload', async () => {
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
      const dl = await alice.wx.cloud.downloadFile({ fileID: result.res.fileID });
      assert.equal(alice.readFile(dl.tempFilePath).toString(), 'hello from the user dir');

      const aborted = await new Promise((resolve) => {
        const task = alice.wx.cloud.uploadFile({ cloudPath: 'notes/aborted.txt', filePath, success: () => resolve(null), fail: resolve });
        task.abort();
      });
      assert.equal(aborted.errMsg, 'cloud.uploadFile:fail uploadFile:fail abort');
      const none = await alice.wx.cloud.getTempFileURL({ fileList: [result.res.fileID.replace(/notes\/.*$/, 'notes/aborted.txt')] });
      assert.equal(none.fileList[0].status, -503003, 'nothing stored');

      const missing = await rejection(alice.wx.cloud.uploadFile({ cloudPath: 'x/y.txt', filePath: `${alice.wx.env.USER_DATA_PATH}/nope.txt` }));
      assert.match(missing.errMsg, /^cloud\.uploadFile:fail uploadFile:fail createUploadTask:fail file not found/);
      const badPath = await rejection(alice.wx.cloud.uploadFile({ cloudPath: '../escape.txt', filePath }));
      assert.match(badPath.errMsg, /^cloud\.uploadFile:fail -501007 /);
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
        cloud.callFunction({ name: 'login' }),
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
      const who = await d.wx.cloud.callFunction({ name: 'login' });
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
      const err = await rejection(cloud.callFunction({ name: 'login' }));
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
      short = await startServer({ wechat, extraEnv: { ...NO_LIMITS, MINICLOUD_ACCESS_TOKEN_TTL: '2s', MINICLOUD_MAX_UPLOAD: '64KiB' } });
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

    it('an upload above --max-upload is refused with COS\'s error, and nothing is stored', async () => {
      const { d, cloud } = bare('mia', short);
      const small = await cloud.uploadFile({ cloudPath: 'big/ok.bin', filePath: d.tempFile(Buffer.alloc(60 * 1024, 1), '.bin') });
      assert.equal(small.errMsg, 'cloud.uploadFile:ok');
      const err = await rejection(cloud.uploadFile({ cloudPath: 'big/too.bin', filePath: d.tempFile(Buffer.alloc(1024 * 1024, 2), '.bin') }));
      assert.match(err.errMsg, /^cloud\.uploadFile:fail EntityTooLarge: /);
      assert.equal(err.statusCode, 413);
      const gone = await cloud.getTempFileURL({ fileList: [small.fileID.replace('ok.bin', 'too.bin')] });
      assert.equal(gone.fileList[0].status, -503003);
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
