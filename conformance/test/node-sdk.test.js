'use strict';
// @cloudbase/node-sdk (admin, POST /admin with TC3 signatures, EJSON-string payloads).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, uniqueName } = require('../lib/server');
const { nodeDriver, expectCode } = require('../lib/drivers');
const { defineDbSuite } = require('../lib/db-suite');

const keys = (o) => Object.keys(o).sort();

describe('node-sdk', () => {
  let srv;
  let app;
  let db;
  before(async () => {
    srv = await startServer();
    app = srv.admin();
    db = app.database();
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  defineDbSuite(() => nodeDriver(app), () => srv);

  describe('result shapes', () => {
    it('add, batch add, get, doc.get, count, update, set, where update/remove', async () => {
      const coll = uniqueName('shape');
      const c = db.collection(coll);
      const add = await c.add({ _id: 's1', n: 1 });
      assert.deepEqual(add, { id: 's1', requestId: add.requestId });
      assert.ok(add.requestId);

      const batch = await c.add([{ n: 2 }, { n: 3 }]);
      assert.deepEqual(keys(batch), ['ids', 'requestId']);
      assert.equal(batch.ids.length, 2);

      const get = await c.where({ n: 1 }).get();
      assert.deepEqual(get, { data: [{ _id: 's1', n: 1 }], requestId: get.requestId });

      const dget = await c.doc('s1').get();
      assert.deepEqual(dget, { data: [{ _id: 's1', n: 1 }], requestId: dget.requestId });

      const count = await c.count();
      assert.deepEqual(count, { total: 3, requestId: count.requestId });

      const upd = await c.doc('s1').update({ n: 10 });
      assert.deepEqual(upd, { updated: 1, requestId: upd.requestId });

      const set = await c.doc('s2').set({ n: 20 });
      assert.deepEqual(set, { updated: 0, upsertedId: 's2', requestId: set.requestId });

      const set2 = await c.doc('s2').set({ n: 21 });
      assert.deepEqual(set2, { updated: 1, upsertedId: '', requestId: set2.requestId });

      const wupd = await c.where({ n: db.command.gte(10) }).update({ big: true });
      assert.deepEqual(wupd, { updated: 2, upsertId: '', requestId: wupd.requestId });

      const rm = await c.doc('s2').remove();
      assert.deepEqual(rm, { deleted: 1, requestId: rm.requestId });

      const wrm = await c.where({ big: true }).remove();
      assert.deepEqual(wrm, { deleted: 1, requestId: wrm.requestId });
    });

    it('errors are thrown as Error with code and message', async () => {
      const err = await nodeDriver(app).error(() => db.collection('no_such_coll_node').get());
      expectCode(err, 'DATABASE_COLLECTION_NOT_EXIST');
      assert.match(err.message, /no_such_coll_node/);
    });
  });

  describe('admin behaviour', () => {
    it('add creates a missing collection', async () => {
      const coll = uniqueName('auto');
      const { id } = await db.collection(coll).add({ a: 1 });
      const { data } = await db.collection(coll).doc(id).get();
      assert.deepEqual(data, [{ _id: id, a: 1 }]);
    });

    it('createCollection of an existing name fails with DATABASE_COLLECTION_ALREADY_EXIST', async () => {
      const coll = uniqueName('dup');
      await db.createCollection(coll);
      const err = await nodeDriver(app).error(() => db.createCollection(coll));
      expectCode(err, 'DATABASE_COLLECTION_ALREADY_EXIST');
    });

    it('admin writes carry no _openid unless given one', async () => {
      const coll = uniqueName('own');
      const { id } = await db.collection(coll).add({ a: 1 });
      const { id: id2 } = await db.collection(coll).add({ a: 2, _openid: 'imported-user' });
      const { data } = await db.collection(coll).orderBy('a', 'asc').get();
      assert.deepEqual(data, [{ _id: id, a: 1 }, { _id: id2, a: 2, _openid: 'imported-user' }]);
    });

    it('admin sees and changes documents of every user', async () => {
      const coll = uniqueName('all');
      await db.createCollection(coll);
      const a = await srv.jsUser();
      const b = await srv.jsUser({ mode: 'CLOUD_API' });
      await a.db.collection(coll).add({ who: 'a' });
      await b.db.collection(coll).add({ who: 'b' });
      const { data } = await db.collection(coll).orderBy('who', 'asc').get();
      assert.deepEqual(data.map((d) => [d.who, d._openid]), [['a', a.openid], ['b', b.openid]]);
      assert.equal((await db.collection(coll).where({}).update({ seen: true })).updated, 2);
      assert.equal((await db.collection(coll).where({ seen: true }).remove()).deleted, 2);
    });
  });

  describe('limits', () => {
    let coll;
    before(async () => {
      coll = uniqueName('lim');
      for (let from = 0; from < 1100; from += 1000) {
        const docs = Array.from({ length: Math.min(1000, 1100 - from) }, (_, k) => ({ i: from + k }));
        await db.collection(coll).add(docs);
      }
    });

    it('get() without limit returns 100 (node-sdk default)', async () => {
      assert.equal((await db.collection(coll).get()).data.length, 100);
    });

    it('limit(2000) returns at most 1000', async () => {
      assert.equal((await db.collection(coll).limit(2000).get()).data.length, 1000);
    });

    it('server: getDocument without limit returns 100, limit 2000 returns 1000', async () => {
      const none = await srv.adminRaw('database.getDocument', { collectionName: coll, queryType: 'WHERE', query: '{}' });
      assert.equal(none.status, 200);
      assert.equal(none.body.data.list.length, 100, JSON.stringify(none.body).slice(0, 200));
      const big = await srv.adminRaw('database.getDocument', { collectionName: coll, queryType: 'WHERE', query: '{}', limit: 2000 });
      assert.equal(big.body.data.list.length, 1000);
    });

    it('one insert takes at most 1000 documents, and a rejected batch writes nothing', async () => {
      const c2 = uniqueName('lim2');
      await db.createCollection(c2);
      const docs = Array.from({ length: 1001 }, (_, i) => ({ i }));
      const err = await nodeDriver(app).error(() => db.collection(c2).add(docs));
      expectCode(err, 'INVALID_PARAM');
      assert.equal((await db.collection(c2).count()).total, 0);
    });
  });
});
