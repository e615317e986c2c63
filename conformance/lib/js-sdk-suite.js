'use strict';
// The js-sdk test file, parametrised by endpoint mode: GATEWAY (REST under /v1, the
// default of js-sdk 3.x) or CLOUD_API (actions posted to /web).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, uniqueName } = require('./server');
const { jsDriver } = require('./drivers');
const { defineDbSuite } = require('./db-suite');

function keys(o) {
  return Object.keys(o).sort();
}

function defineJsSdkTests(mode) {
  describe(`js-sdk ${mode}`, () => {
    let srv;
    let user;
    before(async () => {
      srv = await startServer();
      user = await srv.jsUser({ mode });
    });
    after(async () => {
      if (srv) await srv.stop();
    });

    defineDbSuite(() => jsDriver(user), () => srv);

    describe('result shapes', () => {
      let coll;
      before(async () => {
        coll = uniqueName('shape');
        await srv.adminDb().createCollection(coll);
      });

      it('add, batch add, get, doc.get, count, update, set, remove', async () => {
        const c = user.db.collection(coll);
        const add = await c.add({ _id: 's1', n: 1 });
        assert.deepEqual(keys(add), ['id', 'requestId']);
        assert.equal(add.id, 's1');

        const batch = await c.add([{ n: 2 }, { n: 3 }]);
        assert.deepEqual(keys(batch), ['ids', 'requestId']);
        assert.equal(batch.ids.length, 2);

        const get = await c.where({ n: 1 }).get();
        assert.deepEqual(keys(get), ['data', 'requestId']);
        assert.deepEqual(get.data, [{ _id: 's1', n: 1, _openid: user.openid }]);

        const dget = await c.doc('s1').get();
        assert.deepEqual(keys(dget), ['data', 'requestId']);
        assert.deepEqual(dget.data, [{ _id: 's1', n: 1, _openid: user.openid }]);

        const count = await c.count();
        assert.deepEqual(count, { requestId: count.requestId, total: 3 });

        const upd = await c.doc('s1').update({ n: 10 });
        assert.deepEqual(keys(upd), ['requestId', 'updated', 'upsertedId']);
        assert.equal(upd.updated, 1);
        assert.ok(!upd.upsertedId);

        const set = await c.doc('s2').set({ n: 20 });
        assert.deepEqual(keys(set), ['requestId', 'updated', 'upsertedId']);
        assert.equal(set.updated, 0);
        assert.equal(set.upsertedId, 's2', `doc.set upsert reports the new id: ${JSON.stringify(set)}`);

        const wupd = await c.where({ n: user._.gte(10) }).update({ big: true });
        assert.deepEqual(keys(wupd), ['requestId', 'updated', 'upsertId']);
        assert.equal(wupd.updated, 2);

        const rm = await c.doc('s2').remove();
        assert.deepEqual(keys(rm), ['deleted', 'requestId']);
        assert.equal(rm.deleted, 1);

        const wrm = await c.where({ big: true }).remove();
        assert.deepEqual(keys(wrm), ['deleted', 'requestId']);
        assert.equal(wrm.deleted, 1);
      });

      it('writes are stamped with the caller openid', async () => {
        const c = user.db.collection(coll);
        const { id } = await c.add({ who: 'me' });
        const { data } = await c.doc(id).get();
        assert.equal(data[0]._openid, user.openid);
      });

      it('error results carry code and message, and a requestId', async () => {
        const res = await user.db.collection('no_such_collection_x').where({ a: 1 }).get();
        assert.equal(res.code, 'DATABASE_COLLECTION_NOT_EXIST');
        const message = res.message || (res.data && res.data.message);
        assert.equal(typeof message, 'string');
        assert.ok(res.requestId);
      });
    });

    describe('limits', () => {
      let coll;
      const N = 1100;
      before(async () => {
        coll = uniqueName('lim');
        await srv.adminDb().createCollection(coll);
        // one insert carries at most 1000 documents
        for (let from = 0; from < N; from += 1000) {
          const docs = Array.from({ length: Math.min(1000, N - from) }, (_, k) => ({ i: from + k }));
          const res = await user.db.collection(coll).add(docs);
          assert.equal(res.ids.length, docs.length, JSON.stringify(res).slice(0, 300));
        }
      });

      it('get() without limit: js-sdk asks for 100', async () => {
        const { data } = await user.db.collection(coll).get();
        assert.equal(data.length, 100);
      });

      it('limit(2000) returns at most 1000', async () => {
        const { data } = await user.db.collection(coll).limit(2000).get();
        assert.equal(data.length, 1000);
      });

      it('limit(5) and skip', async () => {
        const { data } = await user.db.collection(coll).orderBy('i', 'asc').skip(1095).limit(10).get();
        assert.deepEqual(data.map((d) => d.i), [1095, 1096, 1097, 1098, 1099]);
      });

      it('count sees every document', async () => {
        const { total } = await user.db.collection(coll).count();
        assert.equal(total, N);
      });

      if (mode === 'GATEWAY') {
        it('server: a GET without limit returns the client default (20), limit=2000 returns 1000', async () => {
          const h = { authorization: `Bearer ${user.token}` };
          const none = await srv.fetchJSON(srv.gatewayPath(coll), { headers: h });
          assert.equal(none.status, 200);
          assert.equal(none.body.list.length, 20);
          const big = await srv.fetchJSON(srv.gatewayPath(coll, '?limit=2000'), { headers: h });
          assert.equal(big.status, 200);
          assert.equal(big.body.list.length, 1000);
        });
      } else {
        it('server: queryDocument without limit returns the client default (20), limit 2000 returns 1000', async () => {
          const none = await srv.webRaw('database.queryDocument', { collectionName: coll, queryType: 'WHERE', query: {} }, user.token);
          assert.equal(none.status, 200);
          assert.equal(none.body.data.list.length, 20, JSON.stringify(none.body).slice(0, 300));
          const big = await srv.webRaw('database.queryDocument', { collectionName: coll, queryType: 'WHERE', query: {}, limit: 2000 }, user.token);
          assert.equal(big.body.data.list.length, 1000);
        });
      }
    });
  });
}

module.exports = { defineJsSdkTests };
