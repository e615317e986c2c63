'use strict';
// Drivers give the shared database suite (lib/db-suite.js) one interface over the three
// SDKs, whose query builders are the same (db.collection(...).where(...).orderBy(...)) but
// whose write calls and result shapes differ. Each method checks the shape the SDK
// returns before it hands back the interesting part, so the shared suite exercises the
// shapes too. Errors are normalised to {code, message} by `error()`.

const assert = require('node:assert/strict');

// wx-server-sdk reports CloudBase codes as numbers (its TCB_ERR_CODE table); codes it does
// not know become SYS_ERR (-501001).
const WX_ERR_CODE = {
  SYS_ERR: -501001,
  SERVER_TIMEOUT: -501002,
  EXCEED_REQUEST_LIMIT: -501003,
  EXCEED_CONCURRENT_REQUEST_LIMIT: -501004,
  INVALIID_ENV: -501005,
  INVALID_COMMON_PARAM: -501006,
  INVALID_PARAM: -501007,
  INVALID_REQUEST_SOURCE: -501008,
  RESOURCE_NOT_INITIAL: -501009,
  DATABASE_REQUEST_FAILED: -502001,
  DATABASE_INVALID_OPERRATOR: -502002,
  DATABASE_PERMISSION_DENIED: -502003,
  DATABASE_COLLECTION_EXCEED_LIMIT: -502004,
  DATABASE_COLLECTION_NOT_EXIST: -502005,
};

/** expectCode asserts that a normalised error (from driver.error) carries code. */
function expectCode(err, code, what = '') {
  if (err.errCode !== undefined) {
    const want = WX_ERR_CODE[code] !== undefined ? WX_ERR_CODE[code] : WX_ERR_CODE.SYS_ERR;
    assert.equal(err.errCode, want, `${what} errCode for ${code}: ${err.message}`);
    if (WX_ERR_CODE[code] === undefined) assert.ok(err.message.length > 0);
    return;
  }
  assert.equal(err.code, code, `${what} ${err.message}`);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, 'the error has a message');
}

function keys(o) {
  return Object.keys(o).sort();
}

function isReqId(v) {
  return typeof v === 'string' && v.length > 0;
}

/**
 * jsDriver: @cloudbase/js-sdk (GATEWAY or CLOUD_API). Results are {…, requestId}; errors
 * are returned (not thrown) as objects carrying `code` and `message`.
 */
function jsDriver(user) {
  const { db, mode } = user;
  const fail = (res, what) => {
    if (res && res.code) {
      const err = new Error(`${what}: ${res.code}: ${res.message || (res.data && res.data.message)}`);
      err.code = res.code;
      err.result = res;
      throw err;
    }
  };
  return {
    name: `js-sdk ${mode}`,
    kind: 'client',
    db,
    _: db.command,
    batchAdd: true,
    async add(coll, doc) {
      const res = await db.collection(coll).add(doc);
      fail(res, 'add');
      assert.deepEqual(keys(res), ['id', 'requestId'], `add result ${JSON.stringify(res)}`);
      assert.ok(isReqId(res.requestId));
      assert.equal(typeof res.id, 'string');
      return res.id;
    },
    async addMany(coll, docs) {
      const res = await db.collection(coll).add(docs);
      fail(res, 'add');
      assert.deepEqual(keys(res), ['ids', 'requestId'], `batch add result ${JSON.stringify(res)}`);
      assert.equal(res.ids.length, docs.length);
      return res.ids;
    },
    async get(query) {
      const res = await query.get();
      fail(res, 'get');
      assert.ok(Array.isArray(res.data), `get result ${JSON.stringify(res)}`);
      assert.ok(isReqId(res.requestId));
      for (const k of Object.keys(res)) assert.ok(['data', 'requestId', 'offset', 'limit', 'total'].includes(k), `unexpected key ${k}`);
      return res.data;
    },
    async docGet(coll, id, projection) {
      let ref = db.collection(coll).doc(id);
      if (projection) ref = ref.field(projection);
      const res = await ref.get();
      fail(res, 'doc.get');
      assert.deepEqual(keys(res), ['data', 'requestId'], `doc.get result ${JSON.stringify(res)}`);
      assert.ok(Array.isArray(res.data));
      assert.ok(res.data.length <= 1);
      return res.data[0] || null;
    },
    async update(ref, data) {
      const res = await ref.update(data);
      fail(res, 'update');
      assert.equal(typeof res.updated, 'number', `update result ${JSON.stringify(res)}`);
      return res.updated;
    },
    async updateDoc(coll, id, data) {
      const res = await db.collection(coll).doc(id).update(data);
      fail(res, 'doc.update');
      assert.equal(typeof res.updated, 'number', `doc.update result ${JSON.stringify(res)}`);
      return res.updated;
    },
    async set(coll, id, data) {
      const res = await db.collection(coll).doc(id).set(data);
      fail(res, 'doc.set');
      assert.equal(typeof res.updated, 'number', `doc.set result ${JSON.stringify(res)}`);
      return { updated: res.updated, created: res.upsertedId ? 1 : 0, upsertedId: res.upsertedId };
    },
    async removeDoc(coll, id) {
      const res = await db.collection(coll).doc(id).remove();
      fail(res, 'doc.remove');
      assert.deepEqual(keys(res), ['deleted', 'requestId'], `doc.remove result ${JSON.stringify(res)}`);
      return res.deleted;
    },
    async remove(query) {
      const res = await query.remove();
      fail(res, 'remove');
      assert.deepEqual(keys(res), ['deleted', 'requestId'], `remove result ${JSON.stringify(res)}`);
      return res.deleted;
    },
    async count(query) {
      const res = await query.count();
      fail(res, 'count');
      assert.deepEqual(keys(res), ['requestId', 'total'], `count result ${JSON.stringify(res)}`);
      return res.total;
    },
    async aggregate(agg) {
      const res = await agg.end();
      fail(res, 'aggregate');
      assert.deepEqual(keys(res), ['data', 'requestId'], `aggregate result ${JSON.stringify(res)}`);
      assert.ok(Array.isArray(res.data));
      return res.data;
    },
    async error(fn) {
      let res;
      try {
        res = await fn();
      } catch (e) {
        return { code: e.code, message: e.message, thrown: true, raw: e };
      }
      assert.ok(res && res.code, `expected an error result, got ${JSON.stringify(res)}`);
      assert.equal(typeof res.code, 'string');
      const message = res.message || (res.data && res.data.message);
      assert.equal(typeof message, 'string', `error without message: ${JSON.stringify(res)}`);
      return { code: res.code, message, thrown: false, raw: res };
    },
  };
}

/** nodeDriver: @cloudbase/node-sdk (admin). Errors are thrown Errors carrying `code`. */
function nodeDriver(app) {
  const db = app.database();
  return {
    name: 'node-sdk',
    kind: 'admin',
    db,
    _: db.command,
    batchAdd: true,
    async add(coll, doc) {
      const res = await db.collection(coll).add(doc);
      assert.deepEqual(keys(res), ['id', 'requestId'], `add result ${JSON.stringify(res)}`);
      return res.id;
    },
    async addMany(coll, docs) {
      const res = await db.collection(coll).add(docs);
      assert.deepEqual(keys(res), ['ids', 'requestId'], `batch add result ${JSON.stringify(res)}`);
      assert.equal(res.ids.length, docs.length);
      return res.ids;
    },
    async get(query) {
      const res = await query.get();
      assert.ok(Array.isArray(res.data), `get result ${JSON.stringify(res)}`);
      assert.ok(isReqId(res.requestId));
      for (const k of Object.keys(res)) assert.ok(['data', 'requestId', 'offset', 'limit', 'total'].includes(k), `unexpected key ${k}`);
      return res.data;
    },
    async docGet(coll, id, projection) {
      let ref = db.collection(coll).doc(id);
      if (projection) ref = ref.field(projection);
      const res = await ref.get();
      assert.ok(Array.isArray(res.data), `doc.get result ${JSON.stringify(res)}`);
      assert.ok(res.data.length <= 1);
      return res.data[0] || null;
    },
    async update(ref, data) {
      const res = await ref.update(data);
      assert.equal(typeof res.updated, 'number', `update result ${JSON.stringify(res)}`);
      return res.updated;
    },
    async updateDoc(coll, id, data) {
      const res = await db.collection(coll).doc(id).update(data);
      assert.equal(typeof res.updated, 'number', `doc.update result ${JSON.stringify(res)}`);
      return res.updated;
    },
    async set(coll, id, data) {
      const res = await db.collection(coll).doc(id).set(data);
      assert.equal(typeof res.updated, 'number', `doc.set result ${JSON.stringify(res)}`);
      return { updated: res.updated, created: res.upsertedId ? 1 : 0, upsertedId: res.upsertedId };
    },
    async removeDoc(coll, id) {
      const res = await db.collection(coll).doc(id).remove();
      assert.deepEqual(keys(res), ['deleted', 'requestId'], `doc.remove result ${JSON.stringify(res)}`);
      return res.deleted;
    },
    async remove(query) {
      const res = await query.remove();
      assert.deepEqual(keys(res), ['deleted', 'requestId'], `remove result ${JSON.stringify(res)}`);
      return res.deleted;
    },
    async count(query) {
      const res = await query.count();
      assert.deepEqual(keys(res), ['requestId', 'total'], `count result ${JSON.stringify(res)}`);
      return res.total;
    },
    async aggregate(agg) {
      const res = await agg.end();
      assert.deepEqual(keys(res), ['data', 'requestId'], `aggregate result ${JSON.stringify(res)}`);
      assert.ok(Array.isArray(res.data));
      return res.data;
    },
    async error(fn) {
      let res;
      try {
        res = await fn();
      } catch (e) {
        assert.ok(e instanceof Error, `node-sdk threw a non-Error: ${e}`);
        return { code: e.code, message: e.message, thrown: true, raw: e };
      }
      assert.fail(`expected node-sdk to throw, got ${JSON.stringify(res)}`);
    },
  };
}

/**
 * wxDriver: wx-server-sdk. Calls take {data}; results carry errMsg '<api>:ok'; errors
 * are thrown with errCode/errMsg.
 */
function wxDriver(cloud) {
  const db = cloud.database();
  const ok = (res, api) => assert.equal(res.errMsg, `${api}:ok`, `${api} result ${JSON.stringify(res)}`);
  return {
    name: 'wx-server-sdk',
    kind: 'admin',
    db,
    _: db.command,
    batchAdd: true,
    async add(coll, doc) {
      const res = await db.collection(coll).add({ data: doc });
      assert.deepEqual(keys(res), ['_id', 'errMsg'], `add result ${JSON.stringify(res)}`);
      ok(res, 'collection.add');
      return res._id;
    },
    async addMany(coll, docs) {
      const res = await db.collection(coll).add({ data: docs });
      assert.deepEqual(keys(res), ['_ids', 'errMsg'], `batch add result ${JSON.stringify(res)}`);
      ok(res, 'collection.add');
      assert.equal(res._ids.length, docs.length);
      return res._ids;
    },
    async get(query) {
      const res = await query.get();
      assert.deepEqual(keys(res), ['data', 'errMsg'], `get result ${JSON.stringify(res)}`);
      ok(res, 'collection.get');
      return res.data;
    },
    async docGet(coll, id, projection) {
      let ref = db.collection(coll).doc(id);
      if (projection) ref = ref.field(projection);
      try {
        const res = await ref.get();
        assert.deepEqual(keys(res), ['data', 'errMsg'], `doc.get result ${JSON.stringify(res)}`);
        ok(res, 'document.get');
        assert.ok(res.data && typeof res.data === 'object' && !Array.isArray(res.data));
        return res.data;
      } catch (e) {
        // wx-server-sdk throws when the document does not exist (throwOnNotFound)
        if (e && /does not exist/.test(String(e.errMsg || e.message))) return null;
        throw e;
      }
    },
    async update(ref, data) {
      const res = await ref.update({ data });
      assert.deepEqual(keys(res), ['errMsg', 'stats'], `update result ${JSON.stringify(res)}`);
      assert.match(res.errMsg, /^(collection|document)\.update:ok$/);
      assert.deepEqual(keys(res.stats), ['updated']);
      return res.stats.updated;
    },
    async updateDoc(coll, id, data) {
      const res = await db.collection(coll).doc(id).update({ data });
      assert.deepEqual(keys(res), ['errMsg', 'stats'], `doc.update result ${JSON.stringify(res)}`);
      ok(res, 'document.update');
      return res.stats.updated;
    },
    async set(coll, id, data) {
      const res = await db.collection(coll).doc(id).set({ data });
      assert.deepEqual(keys(res), ['_id', 'errMsg', 'stats'], `doc.set result ${JSON.stringify(res)}`);
      ok(res, 'document.set');
      assert.equal(res._id, id);
      assert.deepEqual(keys(res.stats), ['created', 'updated']);
      return { updated: res.stats.updated, created: res.stats.created };
    },
    async removeDoc(coll, id) {
      const res = await db.collection(coll).doc(id).remove();
      assert.deepEqual(keys(res), ['errMsg', 'stats'], `doc.remove result ${JSON.stringify(res)}`);
      ok(res, 'document.remove');
      return res.stats.removed;
    },
    async remove(query) {
      const res = await query.remove();
      assert.deepEqual(keys(res), ['errMsg', 'stats'], `remove result ${JSON.stringify(res)}`);
      ok(res, 'collection.remove');
      return res.stats.removed;
    },
    async count(query) {
      const res = await query.count();
      assert.deepEqual(keys(res), ['errMsg', 'total'], `count result ${JSON.stringify(res)}`);
      ok(res, 'collection.count');
      return res.total;
    },
    async aggregate(agg) {
      const res = await agg.end();
      assert.deepEqual(keys(res), ['errMsg', 'list'], `aggregate result ${JSON.stringify(res)}`);
      ok(res, 'collection.aggregate');
      return res.list;
    },
    async error(fn) {
      let res;
      try {
        res = await fn();
      } catch (e) {
        // wx-server-sdk errors are CloudSDKErrors: {errCode: <number>, errMsg: '<api>:fail …'}
        assert.ok(e instanceof Error, `wx-server-sdk threw a non-Error: ${e}`);
        assert.equal(typeof e.errCode, 'number', `no errCode on ${e}`);
        assert.equal(typeof e.errMsg, 'string');
        const code = Object.keys(WX_ERR_CODE).find((k) => WX_ERR_CODE[k] === e.errCode);
        return { code, errCode: e.errCode, message: e.errMsg, thrown: true, raw: e };
      }
      assert.fail(`expected wx-server-sdk to throw, got ${JSON.stringify(res)}`);
    },
  };
}

module.exports = { jsDriver, nodeDriver, wxDriver, expectCode, WX_ERR_CODE };
