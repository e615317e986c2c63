// gen.js drives the REAL wx-server-sdk 4.0.2 and @cloudbase/node-sdk 3.18.3 (installed
// under conformance/node_modules) against a loopback mock of the /admin endpoint, for
// every scenario below, and writes golden.json: the scenario's source, the canned
// answers, the requests the SDK sent (action + params) and what the SDK returned or
// threw (through describe.js). The Go tests replay each scenario through Minicloud's
// module with a fake Host giving the same answers and compare both sides.
//
//   node cloudfns/wxsdk/testdata/golden/gen.js   (Node 20; no network needed)
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const NM = path.resolve(__dirname, '../../../../conformance/node_modules');
process.env.SILENCE = 'true';
process.env.TCB_ENV = 'envid-mock';

const describe = eval(fs.readFileSync(path.join(__dirname, 'describe.js'), 'utf8'));

// Canned documents, as Minicloud's /admin dialect encodes them (canonical EJSON strings).
const DOC1 = '{"_id":"doc-1","title":"hello","done":false,"n":{"$numberInt":"5"},"tags":["a"],"_openid":"user-1"}';
const DOC_TYPES = '{"_id":"doc-2","i":{"$numberInt":"7"},"l":{"$numberLong":"1704164645000"},"f":{"$numberDouble":"1.5"},"fi":{"$numberDouble":"2.0"},"inf":{"$numberDouble":"Infinity"},' +
  '"d":{"$date":{"$numberLong":"1704164645000"}},"nested":{"a":[{"$numberInt":"1"},{"b":{"$date":{"$numberLong":"0"}}}],"s":"x"},"nul":null,' +
  '"p":{"type":"Point","coordinates":[{"$numberDouble":"113.3"},{"$numberDouble":"23.1"}]},' +
  '"ip":{"type":"Point","coordinates":[{"$numberInt":"10"},{"$numberInt":"20"}]},' +
  '"ls":{"type":"LineString","coordinates":[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}]]},' +
  '"pg":{"type":"Polygon","coordinates":[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}],[{"$numberInt":"0"},{"$numberInt":"0"}]]]},' +
  '"mp":{"type":"MultiPoint","coordinates":[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}]]},' +
  '"mls":{"type":"MultiLineString","coordinates":[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}]]]},' +
  '"mpg":{"type":"MultiPolygon","coordinates":[[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}],[{"$numberInt":"0"},{"$numberInt":"0"}]]]]},' +
  '"notgeo":{"type":"Point","coordinates":"x"},' +
  '"re":{"$regularExpression":{"pattern":"^a","options":"i"}},"arr":[[{"$numberInt":"1"}],{"k":true}]}';

const ok = (data) => ({ data });
const fail = (code, message) => ({ code, message });

const S = [];
const wx = (name, responses, fn) => S.push({ name, flavor: 'wx', responses, fn });
const node = (name, responses, fn) => S.push({ name, flavor: 'node', responses, fn });

// ---------------------------------------------------------------- wx-server-sdk: writes
wx('add-types', [ok({ insertedIds: ['id-1'] })], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('todos').add({
    data: {
      title: 'hello', done: false, n: 5, f: 1.5, neg: -3, big: 2 ** 40, huge: 1e21, tiny: 1.5e-7, zero: 0, negzero: -0,
      nan: NaN, inf: Infinity, tags: ['a', 1, true, null], createdAt: db.serverDate(), later: db.serverDate({ offset: 1000 }),
      due: new Date(1704164645000), loc: db.Geo.Point(113.3, 23.1), loc2: new db.Geo.Point(1, 2), re: db.RegExp({ regexp: '^a', options: 'i' }),
      re2: db.RegExp({ regexp: 'x' }), jsre: /ab+c/gi, nested: { a: { b: 1, c: undefined } }, nul: null, undef: undefined,
      arr: [1, undefined, { x: undefined, y: 2 }], str: 'quote " and \\ and \n and é and \u2028', fn: function () {},
    },
  });
});
wx('add-geo-shapes', [ok({ insertedIds: ['id-1'] })], async ({ cloud }) => {
  const db = cloud.database();
  const G = db.Geo;
  const line = G.LineString([G.Point(0, 0), G.Point(1, 1)]);
  const ring = G.LineString([G.Point(0, 0), G.Point(1, 0), G.Point(1, 1), G.Point(0, 0)]);
  return db.collection('places').add({
    data: {
      line, poly: G.Polygon([ring]), mp: G.MultiPoint([G.Point(0, 0), G.Point(1.5, 1)]),
      mls: G.MultiLineString([line, line]), mpoly: G.MultiPolygon([G.Polygon([ring])]),
    },
  });
});
wx('add-batch', [ok({ insertedIds: ['id-1', 'id-2'] })], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('todos').add({ data: [{ a: 1 }, { b: 'x', _id: 'mine' }] });
});
wx('add-with-id', [ok({ insertedIds: ['mine'] })], async ({ cloud }) => cloud.database().collection('todos').add({ data: { _id: 'mine', a: 1 } }));
wx('add-no-data', [], async ({ cloud }) => cloud.database().collection('todos').add({}));
wx('add-error', [fail('DATABASE_COLLECTION_NOT_EXIST', 'collection todos does not exist')], async ({ cloud }) =>
  cloud.database().collection('todos').add({ data: { a: 1 } }));

wx('doc-update-commands', [ok({ updated: 1, upsert_id: '', matched: 1 })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('todos').doc('doc-1').update({
    data: {
      plain: 1, obj: { a: { b: 1 }, c: 'x' }, empty: {}, arr: [1, { a: 1 }], n: _.inc(1), m: _.mul(2), mn: _.min(1), mx: _.max(9),
      r: _.rename('rr'), rm: _.remove(), p: _.push(1, 2), p2: _.push([3]), p3: _.push({ each: [1, 2], position: 0, slice: -5, sort: 1 }),
      p4: _.push('one'), pop: _.pop(), sh: _.shift(), un: _.unshift(0, -1), un2: _.unshift([5]), pull: _.pull(_.gt(3)), pull2: _.pull('x'),
      pullAll: _.pullAll([1, 2]), ats: _.addToSet('x'), ats2: _.addToSet({ each: ['x', 'y'] }), bit: _.bit({ and: 5 }), s: _.set({ x: 1, y: { z: 2 } }),
      d: new Date(1000), sd: db.serverDate(), geo: db.Geo.Point(1, 2), re: /x/i, deep: { inc: _.inc(2), keep: { k: 1 } }, u: undefined, nul: null,
    },
  });
});
wx('doc-update-serverdate-only', [ok({ updated: 0, upsert_id: '' })], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('todos').doc(42).update({ data: { updatedAt: db.serverDate({ offset: -5 }) } });
});
wx('doc-update-empty', [], async ({ cloud }) => cloud.database().collection('todos').doc('x').update({ data: {} }));
wx('doc-update-nodata', [], async ({ cloud }) => cloud.database().collection('todos').doc('x').update({}));
wx('doc-update-id', [], async ({ cloud }) => cloud.database().collection('todos').doc('x').update({ data: { _id: 'y' } }));
wx('doc-update-error', [fail('DATABASE_PERMISSION_DENIED', 'permission denied')], async ({ cloud }) =>
  cloud.database().collection('todos').doc('x').update({ data: { a: 1 } }));

wx('doc-set', [ok({ updated: 1, upsert_id: '', matched: 1 })], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('todos').doc('doc-1').set({ data: { title: 'replaced', n: 1, nested: { a: 1 }, when: new Date(5), sd: db.serverDate() } });
});
wx('doc-set-created', [ok({ updated: 0, upsert_id: 'doc-9' })], async ({ cloud }) =>
  cloud.database().collection('todos').doc('doc-9').set({ data: { a: 1 } }));
wx('doc-set-with-id', [], async ({ cloud }) => cloud.database().collection('todos').doc('doc-9').set({ data: { _id: 'doc-9', a: 1 } }));
wx('doc-set-with-command', [], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('todos').doc('doc-9').set({ data: { a: db.command.inc(1) } });
});
wx('doc-set-empty', [], async ({ cloud }) => cloud.database().collection('todos').doc('doc-9').set({ data: {} }));

wx('doc-remove', [ok({ deleted: 1 })], async ({ cloud }) => cloud.database().collection('todos').doc('doc-1').remove());
wx('doc-remove-none', [ok({ deleted: 0 })], async ({ cloud }) => cloud.database().collection('todos').doc('doc-1').remove());

wx('where-update', [ok({ updated: 3, upsert_id: '' })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('todos').where({ done: false }).update({ data: { done: true, meta: _.set({ a: 1 }), old: _.remove() } });
});
wx('where-update-single', [ok({ updated: 1, upsert_id: '' })], async ({ cloud }) =>
  cloud.database().collection('todos').where({ done: false }).update({ data: { done: true }, multi: false }));
wx('collection-update-nowhere', [ok({ updated: 2 })], async ({ cloud }) =>
  cloud.database().collection('todos').update({ data: { x: 1 } }));
wx('where-remove', [ok({ deleted: 4 })], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('todos').where({ n: db.command.lt(0) }).remove();
});
wx('collection-remove-nowhere', [ok({ deleted: 4 })], async ({ cloud }) => cloud.database().collection('todos').remove());
wx('where-remove-error', [fail('DATABASE_REQUEST_FAILED', 'boom')], async ({ cloud }) =>
  cloud.database().collection('todos').where({ a: 1 }).remove());

// ---------------------------------------------------------------- wx-server-sdk: reads
wx('get-chain', [ok({ list: [DOC1], offset: 1, limit: 5 })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('todos').where({ done: false, n: _.gt(3) }).orderBy('n', 'desc').orderBy('title', 'asc').skip(1).limit(5)
    .field({ title: true, n: 1, secret: false, zero: 0, tags: _.project.slice(2), arr: _.project.slice([1, 2]), em: _.project.elemMatch({ a: 1 }), str: 'x' }).get();
});
wx('get-all-defaults', [ok({ list: [] })], async ({ cloud }) => cloud.database().collection('todos').get());
wx('get-limit-big', [ok({ list: [] })], async ({ cloud }) => cloud.database().collection('todos').limit(5000).skip(0).get());
wx('get-types', [ok({ list: [DOC_TYPES] })], async ({ cloud }) => cloud.database().collection('todos').get());
wx('get-error-permission', [fail('DATABASE_PERMISSION_DENIED', 'mock permission denied')], async ({ cloud }) =>
  cloud.database().collection('todos').where({ n: 1 }).get());
wx('get-error-unknown-code', [fail('SOMETHING_ELSE', 'odd failure')], async ({ cloud }) => cloud.database().collection('todos').get());
wx('get-error-not-exist', [fail('DATABASE_COLLECTION_NOT_EXIST', 'database collection not exists')], async ({ cloud }) =>
  cloud.database().collection('nope').get());
wx('get-error-invalid', [fail('INVALID_PARAM', 'bad query')], async ({ cloud }) => cloud.database().collection('todos').get());

wx('where-nested-commands', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where({ a: { b: _.gt(1), c: 2, d: { e: _.in([1, 2]) } }, f: { g: 'x' }, h: {}, k: [1, { m: 2 }], u: undefined, z: null }).get();
});
wx('where-chained', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where({ n: _.gt(1).and(_.lt(5)), price: _.lt(5000).gt(3000), m: _.gt(8).and(_.lt(16)).or(_.eq(32)), q: _.gte(1).lte(2), r: _.neq(1).and(_.neq(2)).or(_.gt(9)) }).get();
});
wx('where-logic-top', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where(_.or([{ n: _.in([1, 2, 3]) }, { n: _.nin([4]) }, _.and([{ title: db.RegExp({ regexp: '^hel', options: 'i' }) }, { tags: _.exists(true) }])])).get();
});
wx('where-logic-varargs', [ok({ total: 2 })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where(_.and({ a: 1 }, { b: { c: _.gt(2) } })).count();
});
wx('where-logic-nor', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where(_.nor([{ a: 1 }, { b: _.lt(0) }])).get();
});
wx('where-field-logic', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where({ x: _.or(_.gt(10), _.lt(-10)), y: _.and([_.gt(1), _.lt(3)]), z: _.not(_.gt(3)), w: _.not(/ab/i), v: _.or([_.eq(1), _.eq(2)]), nested: { deep: _.or(_.exists(false), _.eq(null)) } }).get();
});
wx('where-merge-quirks', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where({ 'a.b': 1, a: { b: _.gt(2) }, c: { d: 1 }, 'c.d': _.lt(4) }).get();
});
wx('where-all-commands', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('t').where({
    a: _.eq({ x: 1 }), b: _.neq('s'), c: _.in(['a', 'b']), d: _.nin([]), e: _.all([1, 2]), f: _.elemMatch({ g: _.gt(1), h: 'x' }), i: _.exists(true),
    j: _.size(3), k: _.mod(4, 0), l: _.mod([5, 1]), m: _.eq(new Date(1000)), n: _.gt(db.serverDate()), o: _.in([/a/, db.RegExp({ regexp: 'b' })]),
    p: _.eq([1, 2]), q: _.lte(2.5), r: _.elemMatch(_.gt(5)),
  }).get();
});
wx('where-values', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  return db.collection('t').where({ d: new Date(86400000), re: /^x.*y$/m, dre: db.RegExp({ regexp: 'abc', options: 'is' }), n: 1, f: 2.25, s: 's', b: true, arr: [1, 'a'], loc: db.Geo.Point(1, 2), sd: db.serverDate() }).get();
});
wx('where-geo', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  const G = db.Geo;
  const ring = G.LineString([G.Point(0, 0), G.Point(3, 0), G.Point(3, 3), G.Point(0, 0)]);
  return db.collection('t').where({
    near: _.geoNear({ geometry: G.Point(113.3, 23.1), maxDistance: 1000, minDistance: 0 }),
    near2: _.geoNear({ geometry: G.Point(1, 2) }),
    within: _.geoWithin({ geometry: G.Polygon([ring]) }),
    within2: _.geoWithin({ centerSphere: [G.Point(1, 2), 0.1] }),
    within3: _.geoWithin({ centerSphere: [[1, 2], 0.1] }),
    inter: _.geoIntersects({ geometry: G.LineString([G.Point(0, 0), G.Point(1, 1)]) }),
  }).get();
});
wx('where-expr', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  const $ = _.aggregate;
  return db.collection('t').where(_.expr($.gt(['$a', '$b']))).get();
});
wx('where-expr-and', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  const $ = _.aggregate;
  return db.collection('t').where(_.and([{ a: 1 }, _.expr($.eq(['$x', $.add(['$y', 1])]))])).get();
});
wx('where-twice', [ok({ list: [] })], async ({ cloud }) => cloud.database().collection('t').where({ a: 1 }).where({ b: 2 }).get());
wx('where-empty', [ok({ list: [] })], async ({ cloud }) => cloud.database().collection('t').where({}).get());

wx('count-where', [ok({ total: 3 })], async ({ cloud }) => cloud.database().collection('todos').where({ done: false }).count());
wx('count-all', [ok({ total: 0 })], async ({ cloud }) => cloud.database().collection('todos').count());
wx('count-error', [fail('DATABASE_COLLECTION_NOT_EXIST', 'gone')], async ({ cloud }) => cloud.database().collection('todos').count());

wx('doc-get', [ok({ list: [DOC1], offset: 0, limit: 100 })], async ({ cloud }) => cloud.database().collection('todos').doc('doc-1').get());
wx('doc-get-field', [ok({ list: [DOC_TYPES] })], async ({ cloud }) =>
  cloud.database().collection('todos').doc('doc-2').field({ i: true, d: 1, gone: false }).get());
wx('doc-get-missing', [ok({ list: [] })], async ({ cloud }) => cloud.database().collection('todos').doc('nope').get());
wx('doc-get-missing-nothrow', [ok({ list: [] })], async ({ cloud }) => cloud.database({ throwOnNotFound: false }).collection('todos').doc('nope').get());
wx('doc-get-error', [fail('DATABASE_PERMISSION_DENIED', 'no')], async ({ cloud }) => cloud.database().collection('todos').doc('x').get());

// ---------------------------------------------------------------- wx-server-sdk: aggregate
wx('aggregate-all-stages', [ok({ list: ['{"_id":false,"total":{"$numberInt":"10"}}', '{"_id":"x","at":{"$date":{"$numberLong":"5"}}}'] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  const $ = _.aggregate;
  return db.collection('todos').aggregate()
    .match({ done: false, n: _.gt(1), o: { p: _.lt(3) } })
    .group({ _id: '$done', total: $.sum('$n'), avg: $.avg('$n'), first: $.first('$t'), list: $.push('$t'), set: $.addToSet('$t'), mx: $.max('$n'), mn: $.min('$n') })
    .project({ _id: 0, total: 1, y: $.year('$d'), c: $.concat(['$a', '-', '$b']), m: $.multiply(['$n', 2]), dv: $.divide(['$n', 2]), sz: $.size('$tags'), cond: $.cond({ if: $.gte(['$n', 1]), then: 'a', else: 'b' }) })
    .addFields({ extra: $.literal(1) })
    .sort({ total: -1, _id: 1 })
    .skip(1)
    .limit(10)
    .unwind('$tags')
    .unwind({ path: '$x', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true })
    .lookup({ from: 'b', localField: 'a', foreignField: 'c', as: 'd' })
    .lookup({ from: 'b', let: { v: '$a' }, pipeline: $.pipeline().match(_.expr($.eq(['$c', '$$v']))).project({ _id: 0 }).done(), as: 'e' })
    .count('n')
    .sortByCount('$tags')
    .sample({ size: 3 })
    .replaceRoot({ newRoot: '$a' })
    .bucket({ groupBy: '$n', boundaries: [0, 10, 20], default: 'other', output: { count: $.sum(1) } })
    .bucketAuto({ groupBy: '$n', buckets: 4 })
    .end();
});
wx('aggregate-geonear', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const _ = db.command;
  return db.collection('places').aggregate().geoNear({ near: db.Geo.Point(113.3, 23.1), distanceField: 'dist', maxDistance: 1000, query: { kind: 'shop', n: _.gt(1) }, spherical: true, distanceMultiplier: 0.001 }).end();
});
wx('aggregate-error', [fail('DATABASE_REQUEST_FAILED', 'bad pipeline')], async ({ cloud }) =>
  cloud.database().collection('todos').aggregate().match({ a: 1 }).end());
wx('aggregate-more-ops', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const $ = db.command.aggregate;
  return db.collection('t').aggregate().project({
    a: $.abs('$x'), b: $.arrayElemAt(['$arr', 0]), c: $.dateToString({ date: '$d', format: '%Y' }), d: $.ifNull(['$x', 0]), e: $.switch({ branches: [{ case: $.eq(['$x', 1]), then: 'one' }], default: 'n' }),
    f: $.toUpper('$s'), g: $.mergeObjects(['$a', '$b']), h: $.let({ vars: { t: 1 }, in: '$$t' }), i: $.neq(['$x', 1]), j: $.in(['$x', [1, 2]]), k: $.filter({ input: '$arr', as: 'it', cond: $.gt(['$$it', 1]) }),
    l: $.map({ input: '$arr', as: 'it', in: $.add(['$$it', 1]) }), m: $.substr(['$s', 0, 2]), n: $.trunc('$x'), o: $.stdDevPop('$x'),
  }).end();
});

// ---------------------------------------------------------------- wx-server-sdk: builder validation (sync throws)
wx('throw-where-nonobject', [], async ({ cloud }) => cloud.database().collection('t').where('x'));
wx('throw-where-all-undefined', [], async ({ cloud }) => cloud.database().collection('t').where({ a: undefined }));
wx('throw-limit-float', [], async ({ cloud }) => cloud.database().collection('t').limit(1.5));
wx('throw-skip-string', [], async ({ cloud }) => cloud.database().collection('t').skip('2'));
wx('throw-orderby-dir', [], async ({ cloud }) => cloud.database().collection('t').orderBy('a', 'up'));
wx('throw-collection-empty', [], async ({ cloud }) => cloud.database().collection(''));
wx('throw-doc-bad-id', [], async ({ cloud }) => cloud.database().collection('t').doc({}));
wx('throw-point-range', [], async ({ cloud }) => cloud.database().Geo.Point(200, 0));
wx('throw-point-type', [], async ({ cloud }) => cloud.database().Geo.Point('1', 0));
wx('throw-regexp-empty', [], async ({ cloud }) => cloud.database().RegExp({}));
wx('throw-linestring-short', [], async ({ cloud }) => { const G = cloud.database().Geo; return G.LineString([G.Point(0, 0)]); });
wx('throw-polygon-open', [], async ({ cloud }) => { const G = cloud.database().Geo; return G.Polygon([G.LineString([G.Point(0, 0), G.Point(1, 1)])]); });
wx('throw-geonear-type', [], async ({ cloud }) => { const db = cloud.database(); return db.command.gt(1).geoNear({ geometry: [1, 2] }); });

// ---------------------------------------------------------------- wx-server-sdk: values returned by builders
wx('value-geo', [], async ({ cloud }) => {
  const G = cloud.database().Geo;
  const p = G.Point(1, 2);
  return { p, json: JSON.parse(JSON.stringify(p)), line: JSON.parse(JSON.stringify(G.LineString([p, G.Point(3, 4)]))), keys: Object.keys(G).sort() };
});
wx('value-serverdate', [], async ({ cloud }) => {
  const db = cloud.database();
  return { sd: db.serverDate(), sd2: db.serverDate({ offset: 5 }), re: db.RegExp({ regexp: 'a', options: 'g' }) };
});
wx('value-db-keys', [], async ({ cloud }) => {
  const db = cloud.database();
  const c = db.collection('t');
  return { cmd: Object.keys(db.command).sort(), agg: Object.keys(db.command.aggregate).length > 90, proj: Object.keys(db.command.project).sort(), coll: c.collectionName, docid: c.doc('x')._id };
});

// ---------------------------------------------------------------- wx-server-sdk: functions
wx('callFunction', [{ data: { response_data: '{"echo":{"a":1},"from":"mock"}' } }], async ({ cloud }) => cloud.callFunction({ name: 'sum', data: { a: 1, b: [2, { c: null }] } }));
wx('callFunction-nodata', [{ data: { response_data: '"plain string"' } }], async ({ cloud }) => cloud.callFunction({ name: 'sum' }));
wx('callFunction-null', [{ data: { response_data: 'null' } }], async ({ cloud }) => cloud.callFunction({ name: 'sum', data: {} }));
wx('callFunction-error', [fail('FUNCTIONS_EXECUTE_FAIL', 'Error: boom')], async ({ cloud }) => cloud.callFunction({ name: 'bad', data: {} }));
wx('callFunction-noname', [], async ({ cloud }) => cloud.callFunction({ data: {} }));
wx('callFunction-noargs', [], async ({ cloud }) => cloud.callFunction());
wx('callFunction-baddata', [], async ({ cloud }) => cloud.callFunction({ name: 'x', data: 'str' }));

// ---------------------------------------------------------------- node-sdk
node('node-add', [ok({ insertedIds: ['doc-new-1'] })], async ({ app }) => {
  const db = app.database();
  return db.collection('todos').add({ title: 'hello', done: false, n: 5, tags: ['a'], createdAt: db.serverDate(), due: new Date('2024-01-02T03:04:05Z'), loc: new db.Geo.Point(113.3, 23.1) });
});
node('node-add-batch', [ok({ insertedIds: ['a', 'b'] })], async ({ app }) => app.database().collection('todos').add([{ a: 1 }, { a: 2 }]));
node('node-get', [ok({ list: [DOC1, DOC_TYPES], offset: 1, limit: 5 })], async ({ app }) => {
  const db = app.database();
  const _ = db.command;
  return db.collection('todos').where({ done: false, n: _.gt(3) }).orderBy('n', 'desc').skip(1).limit(5).field({ title: true }).get();
});
node('node-doc-get', [ok({ list: [DOC1] })], async ({ app }) => app.database().collection('todos').doc('doc-1').get());
node('node-doc-get-missing', [ok({ list: [] })], async ({ app }) => app.database().collection('todos').doc('doc-1').get());
node('node-error', [fail('DATABASE_PERMISSION_DENIED', 'mock permission denied')], async ({ app }) => app.database().collection('todos').where({ n: 1 }).get());
node('node-doc-update', [ok({ updated: 1, upsert_id: '', doc: DOC1 })], async ({ app }) => {
  const db = app.database();
  const _ = db.command;
  return db.collection('todos').doc('doc-1').update({ n: _.inc(1), tags: _.push('x'), updatedAt: db.serverDate() });
});
node('node-doc-set', [ok({ updated: 1, upsert_id: '' })], async ({ app }) => app.database().collection('todos').doc('doc-1').set({ title: 'replaced', n: 1 }));
node('node-doc-set-created', [ok({ updated: 0, upsert_id: 'doc-1' })], async ({ app }) => app.database().collection('todos').doc('doc-1').set({ title: 'replaced' }));
node('node-where-update', [ok({ updated: 1, upsert_id: '' })], async ({ app }) => {
  const db = app.database();
  const _ = db.command;
  return db.collection('todos').where({ done: false }).update({ done: true, meta: _.set({ a: 1 }), old: _.remove() });
});
node('node-doc-remove', [ok({ deleted: 1 })], async ({ app }) => app.database().collection('todos').doc('doc-1').remove());
node('node-where-remove', [ok({ deleted: 1 })], async ({ app }) => app.database().collection('todos').where({ n: app.database().command.lt(0) }).remove());
node('node-count', [ok({ total: 3 })], async ({ app }) => app.database().collection('todos').where({ done: false }).count());
node('node-aggregate', [ok({ list: ['{"_id":false,"total":{"$numberInt":"10"}}'] })], async ({ app }) => {
  const db = app.database();
  const $ = db.command.aggregate;
  return db.collection('todos').aggregate().match({ done: false }).group({ _id: '$done', total: $.sum('$n') }).sort({ total: -1 }).limit(10).end();
});
node('node-update-id', [], async ({ app }) => app.database().collection('todos').doc('x').update({ _id: 1 }));
node('node-set-command', [], async ({ app }) => { const db = app.database(); return db.collection('todos').doc('x').set({ a: db.command.inc(1) }); });
node('node-update-and-return', [ok({ updated: 1, doc: DOC1 })], async ({ app }) => app.database().collection('todos').where({ _id: 'doc-1' }).updateAndReturn({ n: 6 }));
node('node-create-collection', [ok({})], async ({ app }) => app.database().createCollection('newcoll'));
node('node-objectid', [ok({ list: [] })], async ({ app }) => { const db = app.database(); return db.collection('t').where({ ref: db.ObjectId({ id: '5f1d7a2b9c8e4a0012345678' }) }).get(); });
node('node-callFunction', [{ data: { response_data: '{"echo":"x"}' } }], async ({ app }) => app.callFunction({ name: 'sum', data: { a: 1, b: 2 } }));
node('node-callFunction-error', [fail('FUNCTIONS_EXECUTE_FAIL', 'Error: boom')], async ({ app }) => app.callFunction({ name: 'bad', data: { a: 1 } }));
node('node-callFunction-noname', [], async ({ app }) => app.callFunction({ data: { a: 1 } }));
node('node-callFunction-plain', [{ data: { response_data: 'not json' } }], async ({ app }) => app.callFunction({ name: 'x' }));

// ---------------------------------------------------------------- builder state rules
wx('orderby-repeat', [ok({ list: [] })], async ({ cloud }) =>
  cloud.database().collection('t').orderBy('a', 'asc').orderBy('b', 'desc').orderBy('a', 'desc').limit(0).skip(0).get());
wx('where-order-where', [ok({ list: [] })], async ({ cloud }) => {
  const db = cloud.database();
  const q = db.collection('t').where({ a: 1 }).orderBy('x', 'asc');
  return q.where({ b: 2 }).limit(3).field({ b: true }).field({ c: true }).get();
});
wx('doc-field-twice', [ok({ list: [DOC1] })], async ({ cloud }) => cloud.database().collection('t').doc('doc-1').field({ a: true }).field({ b: 1 }).get());
wx('doc-numeric-zero-set', [], async ({ cloud }) => cloud.database().collection('t').doc(0).set({ data: { a: 1 } }));
wx('doc-numeric-zero-get', [ok({ list: [] })], async ({ cloud }) => cloud.database().collection('t').doc(0).get());
wx('update-where-multi-false-keeps-filter', [ok({ updated: 1 })], async ({ cloud }) =>
  cloud.database().collection('t').where({ a: 1 }).orderBy('x', 'asc').update({ data: { b: 2 }, multi: false }));
wx('remove-with-limit-warns', [ok({ deleted: 1 })], async ({ cloud }) => cloud.database().collection('t').where({ a: 1 }).limit(2).remove());
node('node-options-merge', [ok({ list: [] })], async ({ app }) =>
  app.database().collection('t').where({ a: 1 }).orderBy('x', 'asc').limit(9).options({ order: { y: -1 }, limit: 5 }).orderBy('z', 'desc').get());
node('node-options-raw', [ok({ list: [] }), ok({ updated: 1, upsert_id: '' })], async ({ app }) => {
  const c = app.database().collection('t').options({ raw: true });
  const got = await c.where({ a: { b: 1 }, $or: [{ c: 1 }] }).get();
  const upd = await c.where({ a: 1 }).update({ $inc: { n: 1 } });
  return [got, upd];
});
node('node-options-doc', [ok({ list: [] })], async ({ app }) => app.database().collection('t').options({ projection: { a: 1 } }).doc('x').get());
node('node-options-invalid', [], async ({ app }) => app.database().collection('t').options({ bogus: 1 }));
node('node-throwoncode-false', [fail('DATABASE_PERMISSION_DENIED', 'nope'), fail('FUNCTIONS_EXECUTE_FAIL', 'boom')], async ({ app, tcb }) => {
  tcb.setThrowOnCode(false);
  try {
    return [await app.database().collection('t').get(), await app.callFunction({ name: 'f' })];
  } finally {
    tcb.setThrowOnCode(true);
  }
});
node('node-doc-update-raw', [ok({ updated: 1 })], async ({ app }) =>
  app.database().collection('t').options({ raw: true }).doc('x').update({ $set: { 'a.b': 1 } }));
node('node-aggregate-raw', [ok({ list: [] })], async ({ app }) =>
  app.database().collection('t').options({ raw: true }).aggregate([{ $match: { a: 1 } }, { $limit: 2 }]).end());
node('node-pipeline-end', [], async ({ app }) => app.database().command.aggregate.pipeline().match({ a: 1 }).end());

// ---------------------------------------------------------------- runner
const ENVELOPE = ['action', 'envName', 'wxCloudApiToken', 'wxCloudbaseAccesstoken', 'tcb_sessionToken', 'crossAuthorizationToken'];

async function main() {
  let current = null;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const params = JSON.parse(body || '{}');
      const action = params.action;
      for (const k of ENVELOPE) delete params[k];
      current.requests.push({ action, params });
      const n = current.requests.length;
      const canned = current.responses[n - 1] || { code: 'MOCK_EXHAUSTED', message: 'no canned answer' };
      const out = Object.assign({ requestId: 'req-' + n }, canned);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${server.address().port}/admin`;
  const cloud = require(path.join(NM, 'wx-server-sdk'));
  cloud.init({ env: 'envid-mock', secretId: 'AKIDmock', secretKey: 'mock-secret-key', serviceUrl, timeout: 5000 });
  const tcb = require(path.join(NM, '@cloudbase/node-sdk'));
  const app = tcb.init({ env: 'envid-mock', secretId: 'AKIDmock', secretKey: 'mock-secret-key', serviceUrl, timeout: 5000 });

  const out = [];
  const origWarn = console.warn;
  for (const s of S) {
    current = { responses: s.responses, requests: [] };
    const warnings = [];
    console.warn = (...a) => warnings.push(a.map(String).join(' '));
    let result;
    try {
      result = { value: describe(await s.fn({ cloud, app, tcb })) };
    } catch (e) {
      result = { error: describe(e) };
    }
    console.warn = origWarn;
    out.push({ name: s.name, flavor: s.flavor, script: s.fn.toString(), responses: s.responses, requests: current.requests, result });
  }
  server.close();
  const file = path.join(__dirname, 'golden.json');
  fs.writeFileSync(file, JSON.stringify({ generatedBy: 'gen.js', sdk: { 'wx-server-sdk': require(path.join(NM, 'wx-server-sdk/package.json')).version, '@cloudbase/node-sdk': require(path.join(NM, '@cloudbase/node-sdk/package.json')).version }, docs: { DOC1, DOC_TYPES }, scenarios: out }, null, 1) + '\n');
  console.log(`wrote ${out.length} scenarios to ${file}`);
  process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });
