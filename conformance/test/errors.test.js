'use strict';
// Errors: every bad request must come back as a clear error in the SDK's own shape
// (js-sdk: a result with code/message; node-sdk: a thrown Error with code; wx-server-sdk:
// a CloudSDKError with errCode), write nothing (checked with an admin count) and leave the
// server serving (raw requests must never get a 5xx; /api/health stays 200).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, uniqueName } = require('../lib/server');
const { nodeDriver, wxDriver, expectCode } = require('../lib/drivers');
const { rawClient, expectSdkError, expectRawError } = require('../lib/raw');

// deep returns a document nested `levels` objects deep.
function deep(levels) {
  let o = { leaf: 1 };
  for (let i = 1; i < levels; i++) o = { x: o };
  return o;
}

describe('errors', () => {
  let srv;
  let adb;
  let G; // js-sdk GATEWAY user
  let W; // js-sdk CLOUD_API user
  let rawG;
  let rawW;
  let node;
  let wx;
  let coll; // an existing collection with one document
  before(async () => {
    srv = await startServer();
    adb = srv.adminDb();
    G = await srv.jsUser({ mode: 'GATEWAY' });
    W = await srv.jsUser({ mode: 'CLOUD_API' });
    rawG = rawClient(srv, G);
    rawW = rawClient(srv, W);
    node = nodeDriver(srv.admin());
    wx = wxDriver(srv.wx());
    coll = uniqueName('err');
    await adb.collection(coll).add({ _id: 'keep', v: 1 });
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  const users = () => [G, W];
  const rawOf = (u) => (u === G ? rawG : rawW);

  async function count(name = coll) {
    return (await adb.collection(name).count()).total;
  }

  async function assertServing() {
    const h = await srv.fetch('/api/health');
    assert.equal(h.status, 200, 'the server still answers /api/health');
    assert.deepEqual((await adb.collection(coll).doc('keep').get()).data, [{ _id: 'keep', v: 1 }]);
  }

  // raw checks the response of a hand-made request: never a 5xx, JSON with a code.
  function raw(r, code, status) {
    assert.ok(r.status < 500, `status ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    assert.equal(r.body.code, code, `raw ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    assert.equal(typeof r.body.message, 'string');
    if (status !== undefined) assert.equal(r.status, status);
  }

  describe('unknown operator', () => {
    // MongoDB rejects unknown operators; minicloud answers INVALID_PARAM naming the operator
    const CODE = 'INVALID_PARAM';

    it('in a query, through every SDK', async () => {
      for (const u of users()) {
        const res = await u.db.collection(coll).where({ v: { $foo: 1 } }).get();
        expectSdkError(u, 'get', res, CODE);
        assert.match(res.message || res.data.message, /\$foo/);
      }
      for (const d of [node, wx]) {
        const err = await d.error(() => d.db.collection(coll).where({ v: { $foo: 1 } }).get());
        expectCode(err, CODE, d.name);
        assert.match(err.message, /\$foo/);
      }
      raw(await rawG.get(coll, { v: { $foo: 1 } }), CODE, 400);
      raw(await rawW.get(coll, { v: { $foo: 1 } }), CODE, 200);
      raw(await srv.adminRaw('database.getDocument', { collectionName: coll, query: '{"v":{"$foo":1}}' }), CODE, 200);
      await assertServing();
    });

    it('in an update, through every SDK, changing nothing', async () => {
      for (const u of users()) {
        expectSdkError(u, 'update', await u.db.collection(coll).doc('keep').update({ $foo: { v: 2 } }), CODE);
        expectSdkError(u, 'update', await u.db.collection(coll).where({}).update({ $foo: { v: 2 } }), CODE);
      }
      raw(await srv.fetchJSON(srv.gatewayPath(coll), {
        method: 'PATCH',
        headers: { authorization: `Bearer ${G.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: { _id: 'keep' }, data: { $foo: { v: 2 } }, multi: false }),
      }), CODE, 400);
      for (const d of [node, wx]) {
        expectCode(await d.error(() => d.update(d.db.collection(coll).doc('keep'), { $foo: { v: 2 } })), CODE, d.name);
      }
      await assertServing();
    });
  });

  describe('malformed requests', () => {
    let target;
    before(async () => {
      target = uniqueName('malformed');
      await adb.createCollection(target);
    });

    it('/admin: broken JSON body, broken EJSON documents and queries', async () => {
      raw(await srv.adminRaw(null, null, { body: '{"action":"database.insertDocument",' }), 'INVALID_PARAM', 200);
      for (const body of ['null', '[]', '"x"']) raw(await srv.adminRaw(null, null, { body }), 'INVALID_PARAM', 200);
      for (const bad of ['{bad', '{"d":{"$date":"not a date"}}', '{"n":{"$numberInt":"abc"}}', '{"n":{"$numberLong":"1e99"}}', '[1,2]', '"str"', '{"a":1}}']) {
        raw(await srv.adminRaw('database.insertDocument', { collectionName: target, data: [bad] }), 'INVALID_PARAM', 200);
      }
      raw(await srv.adminRaw('database.insertDocument', { collectionName: target, data: ['{"ok":1}', '{bad'] }), 'INVALID_PARAM', 200);
      raw(await srv.adminRaw('database.getDocument', { collectionName: target, query: '{"a":' }), 'INVALID_PARAM', 200);
      raw(await srv.adminRaw('database.modifyDocument', { collectionName: target, query: '{}', data: '{"$set":' }), 'INVALID_PARAM', 200);
      raw(await srv.adminRaw('database.getDocument', { collectionName: target, query: '{}', limit: -1 }), 'INVALID_PARAM', 200);
      raw(await srv.adminRaw('database.getDocument', { collectionName: target, query: '{}', order: '{"a":7}' }), 'INVALID_PARAM', 200);
      raw(await srv.adminRaw('database.noSuchAction', { collectionName: target }), 'INVALID_ACTION', 200);
      assert.equal(await count(target), 0);
      await assertServing();
    });

    it('/admin: a $date outside the int64 millisecond range is refused', async () => {
      const own = uniqueName('dates'); // its own collection: while the bug lasts, this writes
      await adb.createCollection(own);
      for (const bad of ['{"x":{"$date":1e30}}', '{"x":{"$date":-1e30}}']) {
        raw(await srv.adminRaw('database.insertDocument', { collectionName: own, data: [bad] }), 'INVALID_PARAM', 200);
      }
      assert.equal(await count(own), 0);
    });

    it('/web: broken JSON body, wrong parameter types', async () => {
      const post = (body) => srv.fetchJSON(`/web?env=${srv.env}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      raw(await post('{"action":"database.addDocument",'), 'INVALID_PARAM', 200);
      raw(await post('not json at all'), 'INVALID_PARAM', 200);
      for (const body of ['[]', 'null', '"x"']) raw(await post(body), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.addDocument', { collectionName: target, data: 'a string' }, W.token), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.addDocument', { collectionName: target, data: { $bad: 1 } }, W.token), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.addDocument', { collectionName: target, data: { 'a.b': 1 } }, W.token), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.queryDocument', { collectionName: target, query: {}, limit: 'ten' }, W.token), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.queryDocument', { collectionName: target, query: {}, order: [{ field: 'a', direction: 'sideways' }] }, W.token), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.updateDocument', { collectionName: target, query: {}, data: { a: 1 }, multi: 'yes' }, W.token), 'INVALID_PARAM', 200);
      raw(await srv.webRaw('database.noSuchAction', {}, W.token), 'INVALID_ACTION', 200);
      assert.equal(await count(target), 0);
      await assertServing();
    });

    it('gateway: broken JSON body, broken query string', async () => {
      const h = { authorization: `Bearer ${G.token}`, 'content-type': 'application/json' };
      raw(await srv.fetchJSON(srv.gatewayPath(target), { method: 'POST', headers: h, body: '{"data":[' }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON(srv.gatewayPath(target), { method: 'POST', headers: h, body: '{"data":"x"}' }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON(srv.gatewayPath(target), { method: 'POST', headers: h, body: '{"data":[{"d":{"$date":"nope"}}]}' }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON(srv.gatewayPath(target, '?query=%7Bbad'), { headers: h }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON(srv.gatewayPath(target, '?limit=-5'), { headers: h }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON(srv.gatewayPath(target, '?order=%5B%7B%22field%22%3A%22a%22%2C%22direction%22%3A%22up%22%7D%5D'), { headers: h }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON(srv.gatewayPath(target), { method: 'PATCH', headers: h, body: '{"query":{},"data":' }), 'INVALID_PARAM', 400);
      // bodies that are JSON but not objects (these once answered 500 SYS_ERR)
      for (const body of ['[]', '"x"', 'null', '42']) {
        raw(await srv.fetchJSON(srv.gatewayPath(target, '/remove'), { method: 'POST', headers: h, body }), 'INVALID_PARAM', 400);
        raw(await srv.fetchJSON(srv.gatewayPath(target), { method: 'PATCH', headers: h, body }), 'INVALID_PARAM', 400);
        raw(await srv.fetchJSON(srv.gatewayPath(target), { method: 'POST', headers: h, body }), 'INVALID_PARAM', 400);
      }
      raw(await srv.fetchJSON('/v1/database/instances/other/databases/(default)/collections/x/documents', { headers: h }), 'INVALID_PARAM', 400);
      raw(await srv.fetchJSON('/v1/no/such/api', { headers: h }), 'RESOURCE_NOT_FOUND', 404);
      assert.equal(await count(target), 0);
      await assertServing();
    });
  });

  describe('collection does not exist', () => {
    const CODE = 'DATABASE_COLLECTION_NOT_EXIST';

    it('client reads and writes, in both js-sdk modes', async () => {
      for (const u of users()) {
        const name = uniqueName('nope');
        const c = u.db.collection(name);
        expectSdkError(u, 'get', await c.get(), CODE);
        expectSdkError(u, 'get', await c.doc('x').get(), CODE);
        expectSdkError(u, 'count', await c.count(), CODE);
        expectSdkError(u, 'add', await c.add({ a: 1 }), CODE);
        expectSdkError(u, 'update', await c.doc('x').update({ a: 1 }), CODE);
        expectSdkError(u, 'set', await c.doc('x').set({ a: 1 }), CODE);
        expectSdkError(u, 'remove', await c.doc('x').remove(), CODE);
        expectSdkError(u, 'remove', await c.where({ a: 1 }).remove(), CODE);
        const r = rawOf(u);
        expectRawError(r, await r.add(name, { a: 1 }), CODE);
        expectRawError(r, await r.update(name, {}, { a: 1 }, true), CODE);
        // nothing was created by the attempts
        const err = await node.error(() => adb.collection(name).get());
        expectCode(err, CODE);
      }
      await assertServing();
    });

    it('admin reads and writes (add creates the collection, the rest do not)', async () => {
      for (const d of [node, wx]) {
        const name = uniqueName('nope');
        const c = d.db.collection(name);
        expectCode(await d.error(() => c.get()), CODE, d.name);
        expectCode(await d.error(() => c.count()), CODE, d.name);
        expectCode(await d.error(() => d.update(c.doc('x'), { a: 1 })), CODE, d.name);
        expectCode(await d.error(() => d.update(c.where({ a: 1 }), { a: 1 })), CODE, d.name);
        expectCode(await d.error(() => c.doc('x').remove()), CODE, d.name);
        expectCode(await node.error(() => adb.collection(name).get()), CODE);
      }
      await assertServing();
    });
  });

  describe('invalid env', () => {
    const CODE = 'INVALIID_ENV'; // sic: CloudBase's spelling
    let other; // a second server, for env "other-env"
    before(async () => {
      other = await startServer({ env: 'other-env' });
    });
    after(async () => {
      if (other) await other.stop();
    });

    for (const mode of ['GATEWAY', 'CLOUD_API']) {
      it(`a js-sdk ${mode} app of another env gets ${CODE}`, async () => {
        // sign in where that env lives, then talk to this server
        const app = other.jsApp({ mode });
        const auth = app.auth({ persistence: 'none' });
        await auth.signInAnonymously();
        app.registerHost(`127.0.0.1:${srv.port}`, 'http');
        const u = { mode, db: app.database(), token: (await auth.getAccessToken()).accessToken };
        const before = await count();
        expectSdkError(u, 'get', await u.db.collection(coll).get(), CODE);
        expectSdkError(u, 'count', await u.db.collection(coll).count(), CODE);
        expectSdkError(u, 'add', await u.db.collection(coll).add({ a: 1 }), CODE);
        expectSdkError(u, 'update', await u.db.collection(coll).doc('keep').update({ v: 2 }), CODE);
        const r = rawClient(srv, u);
        expectRawError(r, await r.add(coll, { a: 1 }), CODE);
        assert.equal(await count(), before);
        await assertServing();
      });
    }

    it('signing in with another env is refused', async () => {
      const app = srv.jsApp({ env: 'other-env' });
      const res = await app.auth({ persistence: 'none' }).signInAnonymously();
      assert.ok(res && res.error, `sign-in should fail: ${JSON.stringify(res && res.data)}`);
      assert.equal(res.data.user, null);
      const r = await srv.fetchJSON('/auth/v1/signin/anonymously?client_id=other-env', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(r.status, 400);
      assert.match(r.body.error_description, /other-env/);
    });

    it(`node-sdk initialised with another env gets ${CODE}`, async () => {
      const app = srv.newAdmin({ env: 'other-env' });
      const d = nodeDriver(app);
      expectCode(await d.error(() => app.database().collection(coll).get()), CODE);
      expectCode(await d.error(() => app.database().collection(coll).add({ a: 1 })), CODE);
      assert.equal(await count(), 1);
    });

    it(`/web with another env in the URL or body gets ${CODE}`, async () => {
      const r1 = await srv.fetchJSON('/web?env=other-env', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'database.queryDocument', env: 'other-env', collectionName: coll, access_token: W.token }),
      });
      raw(r1, CODE, 200);
      const r2 = await srv.fetchJSON(`/web?env=${srv.env}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'database.addDocument', env: 'other-env', collectionName: coll, data: { a: 1 }, access_token: W.token }),
      });
      raw(r2, CODE, 200);
      assert.equal(await count(), 1);
    });
  });

  describe('missing or forged credentials', () => {
    const CODE = 'UNAUTHENTICATED';

    it('gateway: no token, garbage, a forged JWT, a tampered signature', async () => {
      const tampered = G.token.slice(0, -4) + (G.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const [h, p] = G.token.split('.');
      const forged = `${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`;
      for (const auth of [undefined, 'Bearer ', 'Bearer garbage', `Bearer ${tampered}`, `Bearer ${forged}`, 'Basic dXNlcjpwYXNz']) {
        const headers = { 'content-type': 'application/json', ...(auth !== undefined ? { authorization: auth } : {}) };
        raw(await srv.fetchJSON(srv.gatewayPath(coll), { headers }), CODE, 401);
        raw(await srv.fetchJSON(srv.gatewayPath(coll), { method: 'POST', headers, body: JSON.stringify({ data: [{ a: 1 }] }) }), CODE, 401);
      }
      assert.equal(await count(), 1);
      await assertServing();
    });

    it('/web: no access_token, garbage, a tampered token', async () => {
      const tampered = W.token.slice(0, -4) + (W.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      for (const tok of [undefined, '', 'garbage', tampered]) {
        raw(await srv.webRaw('database.addDocument', { collectionName: coll, data: { a: 1 } }, tok), CODE, 200);
        raw(await srv.webRaw('database.queryDocument', { collectionName: coll, query: {} }, tok), CODE, 200);
      }
      assert.equal(await count(), 1);
    });

    it('js-sdk apps that never signed in', async () => {
      // js-sdk shares sign-in state between apps of one env, so use an env nobody signed in to
      const g = srv.jsApp({ mode: 'GATEWAY', env: 'nobody-env' });
      const u = { mode: 'GATEWAY' };
      expectSdkError(u, 'get', await g.database().collection(coll).get(), CODE);
      expectSdkError(u, 'add', await g.database().collection(coll).add({ a: 1 }), CODE);
      // CLOUD_API mode refuses before sending anything
      const w = srv.jsApp({ mode: 'CLOUD_API', env: 'nobody-env' });
      await assert.rejects(w.database().collection(coll).get());
      assert.equal(await count(), 1);
    });

    it('/admin: a wrong secretKey, an unknown secretId, no signature', async () => {
      const CODE_SIGN = 'SIGN_PARAM_INVALID';
      for (const extra of [{ secretKey: 'wrong-secret' }, { secretId: 'AKIDunknown0000000000000000000000', secretKey: 'x' }]) {
        const app = srv.newAdmin(extra);
        const d = nodeDriver(app);
        expectCode(await d.error(() => app.database().collection(coll).get()), CODE_SIGN);
        expectCode(await d.error(() => app.database().collection(coll).add({ a: 1 })), CODE_SIGN);
      }
      const unsigned = await srv.fetchJSON(`/admin?env=${srv.env}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'database.insertDocument', collectionName: coll, data: ['{"a":1}'] }),
      });
      raw(unsigned, CODE_SIGN, 200);
      const badBearer = await srv.adminRaw('database.insertDocument', { collectionName: coll, data: ['{"a":1}'] }, { headers: { authorization: 'Bearer mc.nope.nope' } });
      raw(badBearer, CODE_SIGN, 200);
      // a client access token is not an admin credential
      const clientToken = await srv.adminRaw('database.insertDocument', { collectionName: coll, data: ['{"a":1}'] }, { headers: { authorization: `Bearer ${W.token}` } });
      raw(clientToken, CODE_SIGN, 200);
      assert.equal(await count(), 1);
      await assertServing();
    });
  });

  describe('too deep documents', () => {
    const CODE = 'INVALID_PARAM';

    it('more than 100 levels are refused by add and update, through every SDK', async () => {
      const before = await count();
      for (const levels of [101, 150, 1000]) {
        for (const u of users()) {
          expectSdkError(u, 'add', await u.db.collection(coll).add(deep(levels)), CODE);
          expectSdkError(u, 'add', await u.db.collection(coll).add({ arr: [deep(levels)] }), CODE);
          expectRawError(rawOf(u), await rawOf(u).add(coll, deep(levels)), CODE);
          expectRawError(rawOf(u), await rawOf(u).update(coll, {}, { n: deep(levels) }, true), CODE);
        }
        for (const d of [node, wx]) {
          expectCode(await d.error(() => d.add(coll, deep(levels))), CODE, d.name);
          expectCode(await d.error(() => d.update(d.db.collection(coll).doc('keep'), { n: deep(levels) })), CODE, d.name);
        }
      }
      assert.equal(await count(), before);
      assert.deepEqual((await adb.collection(coll).doc('keep').get()).data, [{ _id: 'keep', v: 1 }]);
      await assertServing();
    });

    it('a deeply nested query is refused', async () => {
      let q = { leaf: 1 };
      for (let i = 0; i < 200; i++) q = { $and: [q] };
      raw(await rawW.get(coll, q), CODE, 200);
      raw(await rawG.get(coll, q), CODE, 400);
      await assertServing();
    });

    it('a 99-level document is stored through /admin and /web', async () => {
      const name = uniqueName('deep');
      await adb.createCollection(name);
      assert.ok((await W.db.collection(name).add(deep(99))).id);
      assert.ok((await adb.collection(name).add(deep(99))).id);
      assert.equal(await count(name), 2);
    });

    it('a 99-level document is stored through the gateway too', async () => {
      const name = uniqueName('deep');
      await adb.createCollection(name);
      const r = await rawG.add(name, deep(99));
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });
  });

  describe('oversized requests', () => {
    const big = () => ({ s: 'x'.repeat(21 << 20) }); // a 21 MiB body
    const CODE = 'REQUEST_BODY_TOO_LARGE';

    it('a body over 20 MiB is refused with a clear error, and the connection stays usable', async () => {
      const before = await count();
      expectSdkError(W, 'add', await W.db.collection(coll).add(big()), CODE);
      assert.equal((await W.db.collection(coll).doc('keep').get()).data.length, 0); // PRIVATE, but answered
      expectSdkError(G, 'add', await G.db.collection(coll).add(big()), CODE);
      expectRawError(rawG, await rawG.add(coll, big()), CODE);
      assert.equal((await G.db.collection(coll).count()).total, 0);
      expectCode(await node.error(() => adb.collection(coll).add(big())), CODE);
      expectCode(await wx.error(() => wx.add(coll, big())), CODE); // wx-server-sdk maps unknown codes to SYS_ERR
      assert.equal((await adb.collection(coll).count()).total, before, 'the next request on the same SDK works');
      await assertServing();
    });

    it('a body over 20 MiB by far is still answered by the action dialects', async () => {
      const huge = 'x'.repeat(40 << 20);
      raw(await srv.adminRaw('database.insertDocument', { collectionName: coll, data: [JSON.stringify({ s: huge })] }), CODE, 200);
      raw(await srv.webRaw('database.addDocument', { collectionName: coll, data: { s: huge } }, W.token), CODE, 200);
      await assertServing();
    });

    it('a body over 32 MiB gets the gateway error shape', async () => {
      const r = await rawG.add(coll, { s: 'x'.repeat(40 << 20) });
      assert.ok(r.status < 500);
      raw(r, CODE, 413);
      await assertServing();
    });

    it('a document over 16 MiB in a smaller body is refused', async () => {
      const before = await count();
      const doc = { s: 'x'.repeat(17 << 20) };
      expectCode(await node.error(() => adb.collection(coll).add(doc)), 'DATABASE_DOCUMENT_TOO_LARGE');
      expectSdkError(W, 'add', await W.db.collection(coll).add(doc), 'DATABASE_DOCUMENT_TOO_LARGE');
      expectRawError(rawG, await rawG.add(coll, doc), 'DATABASE_DOCUMENT_TOO_LARGE');
      assert.equal(await count(), before);
      await assertServing();
    });

    it('more than 1000 documents in one add are refused, and none is written', async () => {
      const before = await count();
      const docs = Array.from({ length: 1001 }, (_, i) => ({ i }));
      expectSdkError(W, 'add', await W.db.collection(coll).add(docs), 'INVALID_PARAM');
      expectSdkError(G, 'add', await G.db.collection(coll).add(docs), 'INVALID_PARAM');
      expectCode(await wx.error(() => wx.addMany(coll, docs)), 'INVALID_PARAM');
      assert.equal(await count(), before);
    });
  });

  it('invalid collection names are refused', async () => {
    for (const name of ['bad-name', '1abc', 'a'.repeat(200)]) {
      expectSdkError(W, 'get', await W.db.collection(name).get(), 'INVALID_PARAM');
      expectCode(await node.error(() => adb.collection(name).add({ a: 1 })), 'INVALID_PARAM');
    }
    await assertServing();
  });
});
