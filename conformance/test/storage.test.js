'use strict';
// Cloud storage through every SDK: js-sdk (GATEWAY: /v1/storages/*, CLOUD_API: /web
// storage.* actions), node-sdk and wx-server-sdk (/admin storage.* actions), each
// uploading to and downloading from Minicloud's own signed URLs
// (/storage/v1/objects/<cloudPath>).
//
// The main server runs the default preset (READONLY: everyone reads, the creator writes)
// with MINICLOUD_MAX_UPLOAD=1MiB; a second one runs PRIVATE (creator-only).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, sleep, waitFor } = require('../lib/server');
const { jsStorage, nodeStorage, wxStorage, rawStorage, expectStorageError } = require('../lib/storage-drivers');

const BUCKET = 'minicloud';

// every byte value, some UTF-8 and a NUL: what comes back must be the same bytes
function payload(tag) {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return Buffer.concat([Buffer.from(`${tag} ✓ 云开发\n`), all, Buffer.alloc(3000, 0x61)]);
}

let seq = 0;
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${++seq}`;

describe('storage', () => {
  let srv;
  let admin;
  const fileID = (p) => `cloud://${srv.env}.${BUCKET}/${p}`;
  before(async () => {
    srv = await startServer({ extraEnv: { MINICLOUD_MAX_UPLOAD: '1MiB' } });
    admin = nodeStorage(srv.admin());
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  // the same flows through each SDK
  const makers = {
    'js-sdk GATEWAY': async () => jsStorage(await srv.jsUser({ mode: 'GATEWAY' })),
    'js-sdk CLOUD_API': async () => jsStorage(await srv.jsUser({ mode: 'CLOUD_API' })),
    'js-sdk GATEWAY post': async () => jsStorage(await srv.jsUser({ mode: 'GATEWAY' }), { method: 'post' }),
    'js-sdk CLOUD_API post': async () => jsStorage(await srv.jsUser({ mode: 'CLOUD_API' }), { method: 'post' }),
    'node-sdk': async () => nodeStorage(srv.admin()),
    'wx-server-sdk': async () => wxStorage(srv.wx()),
  };
  for (const [name, make] of Object.entries(makers)) {
    describe(name, () => {
      let d;
      before(async () => {
        d = await make();
      });

      it('upload → temp URL → same bytes → download → delete → temp URL reports it missing', async () => {
        const cloudPath = `${unique(name.replace(/\W+/g, '_'))}/图片 1.bin`;
        const bytes = payload(name);
        const id = await d.upload(cloudPath, bytes);
        assert.equal(id, fileID(cloudPath));

        const [u, u60] = await d.tempURLs([id, { fileID: id, maxAge: 60 }]);
        assert.equal(u.code, undefined, u.message);
        assert.equal(u.fileID, id);
        assert.match(u.url, /\/storage\/v1\/objects\/.+\?sign=[\w-]+&t=\d+&ttl=\d+$/);
        const res = await srv.fetch(u.url);
        assert.equal(res.status, 200);
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes, 'fetched bytes');
        assert.equal(res.headers.get('content-length'), String(bytes.length));
        assert.equal(u60.code, undefined);
        if (!name.startsWith('js-sdk GATEWAY')) {
          // the gateway's download-info request carries no max_age (js-sdk drops it)
          assert.match(u60.url, /&ttl=60$/);
        }

        assert.deepEqual(await d.download(id), bytes, 'downloadFile bytes');

        const del = await d.remove([id]);
        assert.deepEqual(del.map((r) => [r.fileID, r.code]), [[id, undefined]]);
        const [gone] = await d.tempURLs([id]);
        assert.equal(gone.code, 'STORAGE_FILE_NONEXIST');
        assert.ok(!gone.url);
        assert.equal((await srv.fetch(u.url)).status, 404, 'the old URL finds nothing');
        const again = await d.remove([id]);
        assert.equal(again[0].code, 'STORAGE_FILE_NONEXIST');
      });

      it('rejects path traversal, absolute paths and backslashes; stores nothing', async () => {
        const base = unique('trav');
        for (const bad of [`../${base}.txt`, `${base}/../../etc/passwd`, `/${base}.txt`, `${base}\\..\\x.txt`, `${base}//x.txt`]) {
          const err = await d.error(() => d.upload(bad, Buffer.from('evil')));
          expectStorageError(err, 'INVALID_PARAM', bad);
        }
        const after = await admin.tempURLs([fileID(`${base}.txt`), fileID('etc/passwd'), fileID(`${base}/x.txt`)]);
        assert.deepEqual(after.map((r) => r.code), ['STORAGE_FILE_NONEXIST', 'STORAGE_FILE_NONEXIST', 'STORAGE_FILE_NONEXIST']);
      });

      it('reports malformed file IDs and other envs or buckets per file', async () => {
        const res = await d.tempURLs(['not-a-file-id', `cloud://other-env.${BUCKET}/a.txt`, `cloud://${srv.env}.other-bucket/a.txt`, fileID('../x'), fileID(unique('none'))]);
        assert.deepEqual(res.map((r) => r.code), ['INVALID_PARAM', 'INVALID_PARAM', 'INVALID_PARAM', 'INVALID_PARAM', 'STORAGE_FILE_NONEXIST']);
        const del = await d.remove(['cloud://x', fileID(unique('none'))]);
        assert.deepEqual(del.map((r) => r.code), ['INVALID_PARAM', 'STORAGE_FILE_NONEXIST']);
      });

      it('refuses a file larger than MINICLOUD_MAX_UPLOAD and stores nothing', async () => {
        const cloudPath = `${unique('big')}.bin`;
        const err = await d.error(() => d.upload(cloudPath, Buffer.alloc((1 << 20) + 1, 0x62)));
        assert.ok(!err.noError, 'the upload succeeded');
        if (name === 'js-sdk GATEWAY') {
          // the declared size is refused before any byte is sent
          expectStorageError(err, 'STORAGE_FILE_TOO_LARGE');
        } else if (name.startsWith('js-sdk')) {
          // no size is declared (CLOUD_API, or any form POST): the upload is refused with
          // COS's XML error, which js-sdk reports
          assert.equal(err.cosCode, 'EntityTooLarge', err.message);
        } else {
          // node-sdk parses the XML: STORAGE_REQUEST_FAIL "[EntityTooLarge]: …"
          expectStorageError(err, 'STORAGE_REQUEST_FAIL');
          if (err.errCode === undefined) assert.match(err.message, /EntityTooLarge/);
        }
        const [r] = await admin.tempURLs([fileID(cloudPath)]);
        assert.equal(r.code, 'STORAGE_FILE_NONEXIST');
      });
    });
  }

  describe('across SDKs (READONLY: everyone reads, the creator writes)', () => {
    // js-sdk signs storage calls with the app initialised last for the env: A acts
    // through the SDK until B exists, then by hand (rawStorage) with A's own token
    let wx;
    before(() => {
      wx = wxStorage(srv.wx());
    });

    for (const [modeA, modeB] of [['GATEWAY', 'CLOUD_API'], ['CLOUD_API', 'GATEWAY']]) {
      it(`a user’s file (${modeA} then ${modeB}): others and admins read it, only the creator and admins write it`, async () => {
        const userA = await srv.jsUser({ mode: modeA });
        const A = jsStorage(userA);
        const cloudPath = `${unique('shared')}/a.txt`;
        const id = await A.upload(cloudPath, Buffer.from('from A'));
        assert.equal((await A.download(id)).toString(), 'from A');

        const B = jsStorage(await srv.jsUser({ mode: modeB }));
        assert.equal((await B.download(id)).toString(), 'from A');
        assert.equal((await admin.download(id)).toString(), 'from A');
        assert.equal((await wx.download(id)).toString(), 'from A');
        expectStorageError(await B.error(() => B.upload(cloudPath, Buffer.from('from B'))), 'STORAGE_EXCEED_AUTHORITY', 'B overwrites');
        assert.deepEqual((await B.remove([id])).map((r) => r.code), ['STORAGE_EXCEED_AUTHORITY']);

        const rawA = rawStorage(srv, userA);
        assert.equal((await rawA.download(id)).toString(), 'from A');
        await rawA.upload(cloudPath, Buffer.from('A again'));
        assert.equal((await B.download(id)).toString(), 'A again');
        await wx.upload(cloudPath, Buffer.from('admin wrote'));
        assert.equal((await rawA.download(id)).toString(), 'admin wrote');
        assert.deepEqual((await rawA.remove([id])).map((r) => r.code), [undefined]);
      });
    }

    it('an admin’s file: users read it and cannot touch it', async () => {
      const A = jsStorage(await srv.jsUser({ mode: 'GATEWAY' }));
      const id = await admin.upload(`${unique('adm')}.json`, Buffer.from('{"a":1}'));
      const [u] = await A.tempURLs([id]);
      const res = await srv.fetch(u.url);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.deepEqual(await res.json(), { a: 1 });
      assert.deepEqual((await A.remove([id])).map((r) => r.code), ['STORAGE_EXCEED_AUTHORITY']);
      assert.deepEqual((await admin.remove([id])).map((r) => r.code), [undefined]);
    });

    it('at most 50 files per call', async () => {
      const ids = Array.from({ length: 51 }, (_, i) => fileID(`n${i}`));
      expectStorageError(await admin.error(() => admin.tempURLs(ids)), 'INVALID_PARAM');
      expectStorageError(await admin.error(() => admin.remove(ids)), 'INVALID_PARAM');
      assert.equal((await admin.tempURLs(ids.slice(0, 50))).length, 50);
    });
  });

  describe('form uploads (POST multipart/form-data, as wx.uploadFile sends)', () => {
    // the upload URL of storage.getUploadMetadata {method: 'post'} takes the file in the
    // field "file"; other fields are ignored
    let user;
    before(async () => {
      user = await srv.jsUser({ mode: 'CLOUD_API' });
    });
    const uploadURL = async (cloudPath) => {
      const r = await srv.webRaw('storage.getUploadMetadata', { path: cloudPath, method: 'post' }, user.token);
      assert.ok(!r.body.code, JSON.stringify(r.body));
      return r.body.data;
    };
    const post = (url, fields) => {
      const fd = new FormData();
      for (const [k, v] of fields) fd.append(k, v);
      return srv.fetch(url, { method: 'POST', body: fd });
    };

    it('stores the file part, answers JSON (or the success_action_status asked for)', async () => {
      const cloudPath = `${unique('wx')}/photo.png`;
      const meta = await uploadURL(cloudPath);
      const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), payload('png')]);
      let res = await post(meta.url, [['openid_hint', 'x'], ['file', new Blob([png]), 'tmp_123.png']]);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.fileID, fileID(cloudPath));
      assert.equal(body.size, png.length);
      assert.equal(body.contentType, 'image/png', 'the type of the path, not octet-stream');
      assert.deepEqual(await admin.download(fileID(cloudPath)), png);

      res = await post(meta.url, [['success_action_status', '204'], ['file', new Blob(['v2'], { type: 'text/plain' })]]);
      assert.equal(res.status, 204);
      res = await post(meta.url, [['success_action_status', '201'], ['file', new Blob(['v3'], { type: 'text/plain' })]]);
      assert.equal(res.status, 201);
      assert.equal((await res.json()).contentType, 'text/plain');
      assert.equal((await admin.download(fileID(cloudPath))).toString(), 'v3');
    });

    it('refuses a form without exactly one file part, an oversize file or a forged URL; keeps the previous version', async () => {
      const cloudPath = `${unique('wx')}/keep.txt`;
      const meta = await uploadURL(cloudPath);
      assert.equal((await post(meta.url, [['file', new Blob(['original'])]])).status, 200);
      const cases = [
        ['no file part', meta.url, [['key', cloudPath]], 400, 'InvalidArgument'],
        ['two file parts', meta.url, [['file', new Blob(['a'])], ['file', new Blob(['b'])]], 400, 'InvalidArgument'],
        ['oversize', meta.url, [['file', new Blob([Buffer.alloc((1 << 20) + 1, 0x61)])]], 413, 'EntityTooLarge'],
        ['forged signature', meta.url.replace(/sign=[\w-]+/, 'sign=forged'), [['file', new Blob(['evil'])]], 403, 'SignatureDoesNotMatch'],
        ['another path', meta.url.replace('/keep.txt', '/other.txt'), [['file', new Blob(['evil'])]], 403, 'SignatureDoesNotMatch'],
      ];
      for (const [what, url, fields, status, code] of cases) {
        const res = await post(url, fields);
        const text = await res.text();
        assert.equal(res.status, status, `${what}: ${text}`);
        assert.match(text, new RegExp(`<Code>${code}</Code>`), what);
      }
      const plain = await srv.fetch(meta.url, { method: 'POST', body: 'not a form', headers: { 'content-type': 'text/plain' } });
      assert.equal(plain.status, 400);
      assert.equal((await admin.download(fileID(cloudPath))).toString(), 'original');
      assert.equal((await admin.tempURLs([fileID(cloudPath.replace('keep', 'other'))]))[0].code, 'STORAGE_FILE_NONEXIST');
    });
  });

  describe('URLs', () => {
    let id;
    let bytes;
    before(async () => {
      bytes = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
      id = await admin.upload(`${unique('urls')}/doc.txt`, bytes);
    });

    it('an expired temp URL is rejected', async () => {
      const [u] = await admin.tempURLs([{ fileID: id, maxAge: 1 }]);
      assert.equal((await srv.fetch(u.url)).status, 200);
      await sleep(2100);
      const res = await srv.fetch(u.url);
      assert.equal(res.status, 403);
      const body = await res.text();
      assert.match(body, /<Code>AccessDenied<\/Code>/);
      assert.match(body, /expired/);
      assert.ok(!body.includes('0123456789'), 'nothing leaked');
    });

    it('a tampered temp URL is rejected', async () => {
      const [u] = await admin.tempURLs([id]);
      const url = new URL(u.url);
      const sign = url.searchParams.get('sign');
      const variants = {
        signature: u.url.replace(`sign=${sign}`, `sign=${sign.slice(0, -2)}${sign.endsWith('AA') ? 'BB' : 'AA'}`),
        expiry: u.url.replace(/&t=(\d+)/, (_, t) => `&t=${Number(t) + 3600}`),
        lifetime: u.url.replace(/&ttl=\d+/, '&ttl=86400000'),
        path: u.url.replace('/doc.txt', '/other.txt'),
        unsigned: u.url.split('?')[0],
      };
      for (const [what, bad] of Object.entries(variants)) {
        const res = await srv.fetch(bad);
        const body = await res.text();
        assert.equal(res.status, 403, `${what}: ${body}`);
        assert.match(body, /<Code>(SignatureDoesNotMatch|AccessDenied)<\/Code>/, what);
        assert.ok(!body.includes('0123456789'), `${what}: nothing leaked`);
      }
    });

    it('serves ranges, ETag/If-None-Match, HEAD and Content-Disposition', async () => {
      const [u] = await admin.tempURLs([id]);
      const full = await srv.fetch(u.url);
      assert.equal(full.headers.get('content-type'), 'text/plain');
      assert.equal(full.headers.get('accept-ranges'), 'bytes');
      const etag = full.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      const range = await srv.fetch(u.url, { headers: { range: 'bytes=10-15' } });
      assert.equal(range.status, 206);
      assert.equal(range.headers.get('content-range'), `bytes 10-15/${bytes.length}`);
      assert.equal(await range.text(), 'abcdef');
      assert.equal((await srv.fetch(u.url, { headers: { 'if-none-match': etag } })).status, 304);
      const head = await srv.fetch(u.url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(bytes.length));
      const dl = await srv.fetch(`${u.url}&download=report.txt`);
      assert.equal(dl.headers.get('content-disposition'), `attachment; filename="report.txt"; filename*=UTF-8''report.txt`);
    });

    it('an upload URL enforces the declared size and its signature; nothing is stored otherwise', async () => {
      const user = await srv.jsUser({ mode: 'GATEWAY' });
      const cloudPath = `${unique('declared')}.txt`;
      const info = await srv.fetchJSON('/v1/storages/get-objects-upload-info', {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ objectId: cloudPath, signedHeader: { 'content-length': ['3'], 'content-type': ['text/plain'] } }]),
      });
      assert.equal(info.status, 200);
      const { uploadUrl, authorization } = info.body[0];
      const put = (url, body, headers = {}) => srv.fetch(url, { method: 'PUT', body, headers: { authorization, ...headers } });

      let res = await put(uploadUrl, 'more than three bytes', { 'content-type': 'text/plain' });
      assert.equal(res.status, 413);
      assert.match(await res.text(), /<Code>EntityTooLarge<\/Code>/);
      res = await put(uploadUrl, 'abc', { 'content-type': 'text/html' });
      assert.equal(res.status, 403, 'another content type');
      res = await put(uploadUrl.replace('size=3', 'size=30'), 'more than three bytes');
      assert.equal(res.status, 403, 'altered size');
      res = await put(uploadUrl.replace(/sign=[\w-]+/, 'sign=forged'), 'abc');
      assert.equal(res.status, 403, 'forged signature');
      assert.equal((await admin.tempURLs([fileID(cloudPath)]))[0].code, 'STORAGE_FILE_NONEXIST', 'nothing stored');

      res = await put(uploadUrl, 'abc', { 'content-type': 'text/plain' });
      assert.equal(res.status, 200);
      assert.equal((await admin.download(fileID(cloudPath))).toString(), 'abc');
    });
  });
});

describe('storage with the PRIVATE preset (creator-only)', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({ extraEnv: { MINICLOUD_STORAGE_PRESET: 'PRIVATE' } });
    admin = nodeStorage(srv.admin());
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  for (const mode of ['GATEWAY', 'CLOUD_API']) {
    it(`js-sdk ${mode}: a second user is denied`, async () => {
      const userA = await srv.jsUser({ mode });
      const A = jsStorage(userA);
      const cloudPath = `${unique('private')}/secret.txt`;
      const id = await A.upload(cloudPath, Buffer.from('for A only'));
      assert.equal((await A.download(id)).toString(), 'for A only');

      // B signs in last: js-sdk now signs with B's credentials (A goes by hand below)
      const B = jsStorage(await srv.jsUser({ mode }));
      const [bu] = await B.tempURLs([id]);
      assert.equal(bu.code, 'STORAGE_EXCEED_AUTHORITY');
      assert.ok(!bu.url);
      expectStorageError(await B.error(() => B.download(id)), 'STORAGE_EXCEED_AUTHORITY', 'B downloads');
      expectStorageError(await B.error(() => B.upload(cloudPath, Buffer.from('B was here'))), 'STORAGE_EXCEED_AUTHORITY', 'B overwrites');
      assert.deepEqual((await B.remove([id])).map((r) => r.code), ['STORAGE_EXCEED_AUTHORITY']);
      const own = await B.upload(`${unique('b')}.txt`, Buffer.from('B'));
      assert.equal((await B.download(own)).toString(), 'B');

      const rawA = rawStorage(srv, userA);
      assert.equal((await rawA.download(id)).toString(), 'for A only');
      assert.equal((await admin.download(id)).toString(), 'for A only', 'admins bypass the preset');
      assert.equal((await rawA.tempURLs([own]))[0].code, 'STORAGE_EXCEED_AUTHORITY');
      assert.deepEqual((await rawA.remove([id, own])).map((r) => r.code), [undefined, 'STORAGE_EXCEED_AUTHORITY']);
    });
  }

  it('temp URLs of a private bucket live at most a day', async () => {
    const id = await admin.upload(`${unique('ttl')}.txt`, Buffer.from('x'));
    const [u] = await admin.tempURLs([{ fileID: id, maxAge: 30 * 86400 }]);
    assert.equal(u.maxAge, 86400);
    assert.match(u.url, /&ttl=86400$/);
  });
});

describe('storage with custom security rules (replacing the ADMINONLY preset)', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({ extraEnv: { MINICLOUD_STORAGE_PRESET: 'ADMINONLY' } });
    admin = nodeStorage(srv.admin());
  });
  after(async () => {
    if (srv) await srv.stop();
  });
  const fileID = (p) => `cloud://${srv.env}.${BUCKET}/${p}`;

  it('a bad rule is refused with its line and column, by /admin and by the CLI', async () => {
    const r = await srv.adminRaw('storage.modifyStorageRule', { rule: '{"read": true, "write": "resource.openid ==\\n  doc._openid"}' });
    assert.equal(r.body.code, 'INVALID_PARAM', JSON.stringify(r.body));
    assert.match(r.body.message, /rule "write": line 2, column 3: unknown name "doc"/);
    await assert.rejects(srv.cli('storage', 'rules', 'set', '{"read": "auth.openid ==", "write": true}'), (e) => /rule "read": line 1, column 15/.test(e.stdout + e.stderr));
    const d = await srv.adminRaw('storage.describeStorageRule');
    assert.deepEqual(d.body.data, { isCustom: false, preset: 'ADMINONLY', rule: '' });
  });

  it('two users: read and write as the rules say; admins bypass them; {} brings the preset back', async () => {
    const rule = { read: "resource.openid == auth.openid || resource.path >= 'pub/'", write: 'resource.openid == auth.openid' };
    const set = await srv.adminRaw('storage.modifyStorageRule', { rule });
    assert.equal(set.body.data.isCustom, true, JSON.stringify(set.body));

    const userA = await srv.jsUser({ mode: 'GATEWAY' });
    const A = jsStorage(userA);
    const pub = await A.upload(`pub/${unique('a')}.txt`, Buffer.from('public by path'));
    const own = await A.upload(`own/${unique('a')}.txt`, Buffer.from('A only'));
    // B signs in last: js-sdk now signs with B's credentials (A goes by hand below)
    const B = jsStorage(await srv.jsUser({ mode: 'CLOUD_API' }), { method: 'post' });
    const rawA = rawStorage(srv, userA);

    assert.equal((await B.download(pub)).toString(), 'public by path');
    const [denied] = await B.tempURLs([own]);
    assert.equal(denied.code, 'STORAGE_EXCEED_AUTHORITY');
    expectStorageError(await B.error(() => B.upload(own.split('/').slice(3).join('/'), Buffer.from('B was here'))), 'STORAGE_EXCEED_AUTHORITY', 'B overwrites');
    assert.deepEqual((await B.remove([own, pub])).map((r) => r.code), ['STORAGE_EXCEED_AUTHORITY', 'STORAGE_EXCEED_AUTHORITY']);
    const bOwn = await B.upload(`own/${unique('b')}.txt`, Buffer.from('B only'));
    assert.equal((await B.download(bOwn)).toString(), 'B only');
    assert.equal((await rawA.tempURLs([bOwn]))[0].code, 'STORAGE_EXCEED_AUTHORITY');
    assert.equal((await rawA.download(own)).toString(), 'A only');
    assert.equal((await admin.download(own)).toString(), 'A only', 'admins bypass the rules');

    // the CLI shows them, and removes them: the running server applies it within a second
    assert.match(await srv.cli('storage', 'rules', 'get'), /"write": "resource.openid == auth.openid"/);
    await srv.cli('storage', 'rules', 'set', '{}');
    await waitFor(async () => (await rawA.tempURLs([own]))[0].code === 'STORAGE_EXCEED_AUTHORITY', { what: 'the ADMINONLY preset to apply again' });
    assert.equal((await admin.download(own)).toString(), 'A only');
  });
});
