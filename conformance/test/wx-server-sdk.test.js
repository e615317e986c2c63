'use strict';
// wx-server-sdk (cloud functions): node-sdk underneath, wrapped in {data} calls and
// errMsg results.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, uniqueName } = require('../lib/server');
const { wxDriver, expectCode } = require('../lib/drivers');
const { defineDbSuite } = require('../lib/db-suite');

describe('wx-server-sdk', () => {
  let srv;
  let cloud;
  let db;
  before(async () => {
    srv = await startServer();
    cloud = srv.wx();
    db = cloud.database();
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  defineDbSuite(() => wxDriver(cloud), () => srv);

  describe('result shapes', () => {
    it('add, get, doc.get, update, set, remove, count, where update/remove', async () => {
      const coll = uniqueName('shape');
      const c = db.collection(coll);
      assert.deepEqual(await c.add({ data: { _id: 'w1', n: 1 } }), { _id: 'w1', errMsg: 'collection.add:ok' });
      const batch = await c.add({ data: [{ n: 2 }, { n: 3 }] });
      assert.equal(batch.errMsg, 'collection.add:ok');
      assert.equal(batch._ids.length, 2);
      assert.deepEqual(await c.where({ n: 1 }).get(), { data: [{ _id: 'w1', n: 1 }], errMsg: 'collection.get:ok' });
      assert.deepEqual(await c.doc('w1').get(), { data: { _id: 'w1', n: 1 }, errMsg: 'document.get:ok' });
      assert.deepEqual(await c.doc('w1').update({ data: { n: 10 } }), { stats: { updated: 1 }, errMsg: 'document.update:ok' });
      assert.deepEqual(await c.doc('w2').set({ data: { n: 20 } }), { _id: 'w2', errMsg: 'document.set:ok', stats: { updated: 0, created: 1 } });
      assert.deepEqual(await c.doc('w2').set({ data: { n: 21 } }), { _id: 'w2', errMsg: 'document.set:ok', stats: { updated: 1, created: 0 } });
      assert.deepEqual(await c.count(), { total: 4, errMsg: 'collection.count:ok' });
      assert.deepEqual(await c.where({ n: db.command.gte(10) }).update({ data: { big: true } }), { stats: { updated: 2 }, errMsg: 'collection.update:ok' });
      assert.deepEqual(await c.doc('w2').remove(), { stats: { removed: 1 }, errMsg: 'document.remove:ok' });
      assert.deepEqual(await c.where({ big: true }).remove(), { stats: { removed: 1 }, errMsg: 'collection.remove:ok' });
    });

    it('doc.get of a missing document throws document.get:fail', async () => {
      const coll = uniqueName('miss');
      await db.collection(coll).add({ data: { x: 1 } });
      await assert.rejects(db.collection(coll).doc('nope').get(), (e) => {
        assert.match(e.errMsg, /^document\.get:fail .*does not exist/);
        return true;
      });
    });

    it('errors are CloudSDKErrors with the numeric errCode', async () => {
      const err = await wxDriver(cloud).error(() => db.collection('no_such_coll_wx').get());
      expectCode(err, 'DATABASE_COLLECTION_NOT_EXIST');
      assert.equal(err.errCode, -502005);
      assert.match(err.message, /^collection\.get:fail /);
    });
  });
});
