'use strict';
// Collection permission presets with two anonymous users (A and B) and the admin SDK, in
// both js-sdk endpoint modes. Presets are set with `minicloud collections preset`.
//
//   PRIVATE     creator reads and writes (the default)
//   READONLY    everyone reads, creator writes
//   ADMINWRITE  everyone reads, only admins write
//   ADMINONLY   only admins read and write
//
// Every denied or ineffective write is checked three ways: the SDK's result, the same
// request made by hand (the server's code and status), and the admin's view (nothing
// changed).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, uniqueName, waitFor } = require('../lib/server');
const { rawClient, expectSdkError, expectRawError } = require('../lib/raw');

const DENIED = 'DATABASE_PERMISSION_DENIED';

describe('permissions', () => {
  let srv;
  let adb;
  before(async () => {
    srv = await startServer();
    adb = srv.adminDb();
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  // adminDocs returns every document of a collection, sorted by _id.
  async function adminDocs(coll) {
    const { data } = await adb.collection(coll).orderBy('_id', 'asc').limit(1000).get();
    return data;
  }

  // makeCollection creates a collection with a preset before the server first uses it.
  async function makeCollection(prefix, preset) {
    const name = uniqueName(prefix);
    await srv.createCollectionCli(name);
    if (preset !== 'PRIVATE') await srv.setPreset(name, preset);
    return name;
  }

  for (const mode of ['GATEWAY', 'CLOUD_API']) {
    describe(`js-sdk ${mode}`, () => {
      let A;
      let B;
      let rawA;
      let rawB;
      before(async () => {
        A = await srv.jsUser({ mode });
        B = await srv.jsUser({ mode });
        assert.notEqual(A.openid, B.openid, 'two sign-ins are two users');
        rawA = rawClient(srv, A);
        rawB = rawClient(srv, B);
      });

      describe('PRIVATE (default)', () => {
        let coll;
        before(async () => {
          coll = await makeCollection('priv', 'PRIVATE');
          assert.equal((await A.db.collection(coll).add([{ _id: 'a1', v: 1 }, { _id: 'a2', v: 1 }])).ids.length, 2);
          assert.equal((await B.db.collection(coll).add({ _id: 'b1', v: 1 })).id, 'b1');
        });

        it('a new collection is PRIVATE', async () => {
          const fresh = uniqueName('fresh');
          await adb.createCollection(fresh);
          await A.db.collection(fresh).add({ _id: 'x', v: 1 });
          assert.deepEqual((await B.db.collection(fresh).get()).data, []);
        });

        it('queries return only the caller’s documents', async () => {
          const a = await A.db.collection(coll).orderBy('_id', 'asc').get();
          assert.deepEqual(a.data.map((d) => [d._id, d._openid]), [['a1', A.openid], ['a2', A.openid]]);
          const b = await B.db.collection(coll).get();
          assert.deepEqual(b.data.map((d) => d._id), ['b1']);
          assert.deepEqual((await B.db.collection(coll).where({ _openid: A.openid }).get()).data, []);
          assert.deepEqual((await B.db.collection(coll).where({ _id: 'a1' }).get()).data, []);
        });

        it('count counts only the caller’s documents', async () => {
          assert.equal((await A.db.collection(coll).count()).total, 2);
          assert.equal((await B.db.collection(coll).count()).total, 1);
        });

        it('B cannot read A’s document by id', async () => {
          assert.deepEqual((await B.db.collection(coll).doc('a1').get()).data, []);
        });

        it('B cannot update, set or remove A’s documents', async () => {
          const before = await adminDocs(coll);
          // the server matches only B's documents: A's is not found, so updated/deleted 0
          assert.equal((await B.db.collection(coll).doc('a1').update({ v: 99 })).updated, 0);
          assert.equal((await rawB.update(coll, { _id: 'a1' }, { v: 99 })).result.updated, 0);

          // set() upserts: B matches nothing, so it would insert, but A's id is taken by a
          // document outside B's reach: permission denied, never a replace
          expectSdkError(B, 'set', await B.db.collection(coll).doc('a1').set({ v: 99 }), 'DATABASE_PERMISSION_DENIED');
          expectRawError(rawB, await rawB.set(coll, 'a1', { v: 99 }), 'DATABASE_PERMISSION_DENIED');

          assert.equal((await B.db.collection(coll).doc('a1').remove()).deleted, 0);
          assert.equal((await rawB.remove(coll, { _id: 'a1' })).result.deleted, 0);
          assert.deepEqual(await adminDocs(coll), before);
        });

        it('B’s where().update() and where().remove() touch only B’s documents', async () => {
          const wupd = await B.db.collection(coll).where({ v: B._.gte(0) }).update({ touched: 'B' });
          assert.equal(wupd.updated, 1);
          const docs = await adminDocs(coll);
          assert.deepEqual(docs.map((d) => [d._id, d.touched]), [['a1', undefined], ['a2', undefined], ['b1', 'B']]);
          const wrm = await B.db.collection(coll).where({}).remove();
          assert.equal(wrm.deleted, 1);
          assert.deepEqual((await adminDocs(coll)).map((d) => d._id), ['a1', 'a2']);
        });

        it('the owner can update and remove its own documents', async () => {
          assert.equal((await A.db.collection(coll).doc('a2').update({ v: 2 })).updated, 1);
          assert.equal((await A.db.collection(coll).doc('a2').remove()).deleted, 1);
          assert.deepEqual((await adminDocs(coll)).map((d) => d._id), ['a1']);
        });
      });

      describe('READONLY', () => {
        let coll;
        before(async () => {
          coll = await makeCollection('ro', 'READONLY');
          await A.db.collection(coll).add({ _id: 'a1', v: 1 });
          await adb.collection(coll).add({ _id: 'adm', v: 0 });
        });

        it('B reads A’s documents', async () => {
          const { data } = await B.db.collection(coll).orderBy('_id', 'asc').get();
          assert.deepEqual(data, [{ _id: 'a1', v: 1, _openid: A.openid }, { _id: 'adm', v: 0 }]);
          assert.deepEqual((await B.db.collection(coll).doc('a1').get()).data, [{ _id: 'a1', v: 1, _openid: A.openid }]);
          assert.equal((await B.db.collection(coll).count()).total, 2);
        });

        it('B cannot change A’s or the admin’s documents (updated/deleted 0) and nothing changes', async () => {
          const before = await adminDocs(coll);
          // writes match only B's own documents: updated/deleted 0, no error
          assert.equal((await B.db.collection(coll).doc('a1').update({ v: 99 })).updated, 0);
          assert.equal((await rawB.update(coll, { _id: 'a1' }, { v: 99 })).result.updated, 0);
          assert.equal((await B.db.collection(coll).where({}).update({ v: 99 })).updated, 0);
          assert.equal((await B.db.collection(coll).doc('a1').remove()).deleted, 0);
          assert.equal((await B.db.collection(coll).where({}).remove()).deleted, 0);
          expectSdkError(B, 'set', await B.db.collection(coll).doc('adm').set({ v: 99 }), 'DATABASE_PERMISSION_DENIED');
          assert.deepEqual(await adminDocs(coll), before);
        });

        it('B writes its own documents', async () => {
          assert.equal((await B.db.collection(coll).add({ _id: 'b1', v: 1 })).id, 'b1');
          assert.equal((await B.db.collection(coll).doc('b1').update({ v: 2 })).updated, 1);
          assert.equal((await B.db.collection(coll).where({}).update({ w: 1 })).updated, 1);
          const docs = await adminDocs(coll);
          assert.deepEqual(docs.map((d) => [d._id, d.w]), [['a1', undefined], ['adm', undefined], ['b1', 1]]);
        });
      });

      describe('ADMINWRITE', () => {
        let coll;
        before(async () => {
          coll = await makeCollection('aw', 'ADMINWRITE');
          await adb.collection(coll).add([{ _id: 'x1', v: 1 }, { _id: 'x2', v: 2 }]);
        });

        it('clients read', async () => {
          for (const U of [A, B]) {
            assert.deepEqual((await U.db.collection(coll).orderBy('_id', 'asc').get()).data, [{ _id: 'x1', v: 1 }, { _id: 'x2', v: 2 }]);
            assert.deepEqual((await U.db.collection(coll).doc('x2').get()).data, [{ _id: 'x2', v: 2 }]);
            assert.equal((await U.db.collection(coll).where({ v: U._.gt(1) }).count()).total, 1);
          }
        });

        it('client add is denied', async () => {
          expectSdkError(A, 'add', await A.db.collection(coll).add({ _id: 'c1', v: 3 }), DENIED);
          expectSdkError(A, 'add', await A.db.collection(coll).add([{ v: 3 }, { v: 4 }]), DENIED);
          expectRawError(rawA, await rawA.add(coll, { v: 3 }), DENIED);
          assert.deepEqual((await adminDocs(coll)).map((d) => d._id), ['x1', 'x2']);
        });

        it('client update, set and remove are denied', async () => {
          const before = await adminDocs(coll);
          expectSdkError(A, 'update', await A.db.collection(coll).doc('x1').update({ v: 9 }), DENIED);
          expectSdkError(A, 'update', await A.db.collection(coll).where({}).update({ v: 9 }), DENIED);
          expectSdkError(A, 'set', await A.db.collection(coll).doc('x1').set({ v: 9 }), DENIED);
          expectSdkError(A, 'set', await A.db.collection(coll).doc('new').set({ v: 9 }), DENIED);
          expectSdkError(A, 'remove', await A.db.collection(coll).doc('x1').remove(), DENIED);
          expectSdkError(A, 'remove', await A.db.collection(coll).where({}).remove(), DENIED);
          expectRawError(rawA, await rawA.update(coll, { _id: 'x1' }, { v: 9 }), DENIED);
          expectRawError(rawA, await rawA.set(coll, 'x1', { v: 9 }), DENIED);
          expectRawError(rawA, await rawA.remove(coll, {}, true), DENIED);
          assert.deepEqual(await adminDocs(coll), before);
        });

        it('the admin writes', async () => {
          assert.equal((await adb.collection(coll).doc('x1').update({ v: 10 })).updated, 1);
          assert.deepEqual((await B.db.collection(coll).doc('x1').get()).data, [{ _id: 'x1', v: 10 }]);
        });
      });

      describe('ADMINONLY', () => {
        let coll;
        before(async () => {
          coll = await makeCollection('ao', 'ADMINONLY');
          await adb.collection(coll).add({ _id: 'x1', v: 1 });
        });

        it('client reads are denied', async () => {
          expectSdkError(A, 'get', await A.db.collection(coll).get(), DENIED);
          expectSdkError(A, 'get', await A.db.collection(coll).where({ v: 1 }).get(), DENIED);
          expectSdkError(A, 'get', await A.db.collection(coll).doc('x1').get(), DENIED);
          expectSdkError(A, 'count', await A.db.collection(coll).count(), DENIED);
          expectRawError(rawA, await rawA.get(coll), DENIED);
          expectRawError(rawA, await rawA.count(coll), DENIED);
        });

        it('client writes are denied', async () => {
          expectSdkError(B, 'add', await B.db.collection(coll).add({ v: 2 }), DENIED);
          expectSdkError(B, 'update', await B.db.collection(coll).doc('x1').update({ v: 2 }), DENIED);
          expectSdkError(B, 'remove', await B.db.collection(coll).doc('x1').remove(), DENIED);
          expectRawError(rawB, await rawB.add(coll, { v: 2 }), DENIED);
          assert.deepEqual(await adminDocs(coll), [{ _id: 'x1', v: 1 }]);
        });

        it('the admin reads and writes', async () => {
          assert.equal((await adb.collection(coll).add({ _id: 'x2', v: 2 })).id, 'x2');
          assert.equal((await adb.collection(coll).where({}).update({ w: true })).updated, 2);
          assert.equal((await adb.collection(coll).count()).total, 2);
        });
      });

      describe('_openid', () => {
        let coll;
        before(async () => {
          coll = await makeCollection('oid', 'READONLY');
        });

        it('add stamps the caller’s openid over a forged one', async () => {
          const { id } = await A.db.collection(coll).add({ v: 1, _openid: B.openid });
          const batch = await A.db.collection(coll).add([{ v: 2, _openid: 'forged' }]);
          const raw = await rawA.add(coll, { v: 3, _openid: 'forged-raw' });
          assert.ok(raw.status < 300, JSON.stringify(raw.body));
          const docs = await adminDocs(coll);
          const mine = docs.filter((d) => [id, batch.ids[0]].includes(d._id) || d.v === 3);
          assert.equal(mine.length, 3);
          for (const d of mine) assert.equal(d._openid, A.openid, `doc ${d._id}`);
        });

        it('a client cannot change _openid by update or set', async () => {
          const { id } = await A.db.collection(coll).add({ v: 10 });
          expectSdkError(A, 'update', await A.db.collection(coll).doc(id).update({ _openid: B.openid }), DENIED);
          const raw = await rawA.update(coll, { _id: id }, { _openid: B.openid });
          expectRawError(rawA, raw, DENIED);
          await A.db.collection(coll).doc(id).set({ v: 11, _openid: B.openid });
          const doc = (await adb.collection(coll).doc(id).get()).data[0];
          assert.equal(doc._openid, A.openid);
          // B still cannot change it: B does not own it
          assert.equal((await B.db.collection(coll).doc(id).update({ v: 12 })).updated, 0);
        });
      });
    });
  }

  it('a preset changed with the CLI while the server runs takes effect', async () => {
    const coll = uniqueName('live');
    await adb.createCollection(coll);
    await adb.collection(coll).add({ _id: 'x', v: 1 });
    const U = await srv.jsUser({ mode: 'CLOUD_API' });
    assert.deepEqual((await U.db.collection(coll).get()).data, []); // PRIVATE: not U's
    await srv.setPreset(coll, 'READONLY');
    // the server re-reads presets changed by another process within a few seconds
    await waitFor(async () => (await U.db.collection(coll).get()).data.length === 1, { timeout: 10000, interval: 100, what: 'READONLY to apply' });
    await srv.setPreset(coll, 'ADMINONLY');
    await waitFor(async () => (await U.db.collection(coll).get()).code === DENIED, { timeout: 10000, interval: 100, what: 'ADMINONLY to apply' });
  });
});
