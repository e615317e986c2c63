'use strict';
// Raw requests in each client dialect, for checks the SDKs cannot make: js-sdk 3.7.0 in
// GATEWAY mode drops the error of add/update/set/remove/count (its gateway adapters copy
// `code` to the result only for queries), so a denied write there resolves to
// {requestId} with no id/updated/deleted/total. The suites assert that the SDK reports no
// success and then repeat the request by hand to see the server's error.

const assert = require('node:assert/strict');

/** rawClient returns request helpers speaking user.mode's dialect with user.token. */
function rawClient(srv, user) {
  const token = user.token;
  if (user.mode === 'CLOUD_API') {
    const web = async (action, params) => {
      const r = await srv.webRaw(action, params, token);
      // result: the success payload ({requestId, data} envelope unwrapped)
      return { status: r.status, body: r.body, code: r.body && r.body.code, result: r.body && r.body.data };
    };
    return {
      add: (coll, doc) => web('database.addDocument', { collectionName: coll, data: doc }),
      get: (coll, query = {}) => web('database.queryDocument', { collectionName: coll, queryType: 'WHERE', query, limit: 100 }),
      count: (coll, query = {}) => web('database.countDocument', { collectionName: coll, queryType: 'WHERE', query }),
      update: (coll, query, data, multi = false) =>
        web('database.updateDocument', { collectionName: coll, queryType: 'WHERE', query, data, multi, merge: true, upsert: false }),
      set: (coll, id, data) =>
        web('database.updateDocument', { collectionName: coll, queryType: 'DOC', query: { _id: id }, data, multi: false, merge: false, upsert: true }),
      remove: (coll, query, multi = false) => web('database.deleteDocument', { collectionName: coll, queryType: 'WHERE', query, multi }),
      errorStatus: () => 200, // the action dialects always answer 200
    };
  }
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const req = async (method, coll, suffix, body) => {
    const r = await srv.fetchJSON(srv.gatewayPath(coll, suffix), { method, headers: h, body: body && JSON.stringify(body) });
    return { status: r.status, body: r.body, code: r.body && r.body.code, result: r.status < 300 ? r.body : undefined };
  };
  const q = (query) => `?query=${encodeURIComponent(JSON.stringify(query))}`;
  return {
    add: (coll, doc) => req('POST', coll, '', { data: [doc] }),
    get: (coll, query = {}) => req('GET', coll, `${q(query)}&limit=100`),
    count: (coll, query = {}) => req('GET', coll, `${q(query)}&count=true`),
    update: (coll, query, data, multi = false) => req('PATCH', coll, '', { query, data: { $set: data }, multi, upsert: false }),
    set: (coll, id, data) => req('PATCH', coll, '', { query: { _id: id }, data, multi: false, upsert: true, replaceMode: true }),
    remove: (coll, query, multi = false) => req('POST', coll, '/remove', { query, multi }),
    errorStatus: (code) =>
      ({
        DATABASE_PERMISSION_DENIED: 403,
        DATABASE_COLLECTION_NOT_EXIST: 404,
        UNAUTHENTICATED: 401,
        DATABASE_DUPLICATE_KEY: 409,
        DATABASE_DOCUMENT_TOO_LARGE: 413,
        REQUEST_BODY_TOO_LARGE: 413,
      })[code] || 400,
  };
}

// success fields of each js-sdk write result
const SUCCESS_FIELD = { add: 'id', update: 'updated', set: 'updated', remove: 'deleted', count: 'total', get: 'data' };

/**
 * expectSdkError checks a js-sdk result that should be an error with code. In GATEWAY
 * mode writes and count cannot carry the code (see above): the result must then hold no
 * success field. Queries carry the code in both modes.
 */
function expectSdkError(user, op, res, code) {
  const field = SUCCESS_FIELD[op];
  const surfaced = user.mode === 'CLOUD_API' || op === 'get';
  if (surfaced) {
    assert.equal(res.code, code, `${op}: ${JSON.stringify(res)}`);
    const message = res.message || (res.data && res.data.message);
    assert.equal(typeof message, 'string', `${op}: error without message ${JSON.stringify(res)}`);
    if (op !== 'get') assert.equal(res[field], undefined);
  } else {
    assert.equal(res[field], undefined, `${op} in GATEWAY mode must not report success: ${JSON.stringify(res)}`);
    assert.ok(res.requestId, 'the result still has a requestId');
  }
}

/** expectRawError checks a raw response for code with the dialect's status. */
function expectRawError(raw, r, code) {
  assert.equal(r.code, code, `raw: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.status, raw.errorStatus(code), `raw status for ${code}`);
  assert.equal(typeof r.body.message, 'string');
  assert.ok(r.body.requestId, 'raw error has a requestId');
}

module.exports = { rawClient, expectSdkError, expectRawError };
