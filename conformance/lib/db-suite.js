'use strict';
// The database semantics every SDK must see the same way: queries with every operator the
// SDKs expose, projections, ordering and paging, every update operator, set/update/upsert,
// multi-document writes and value round trips. Run once per SDK (and per js-sdk endpoint
// mode) through a driver from lib/drivers.js, so each wire dialect is covered:
// gateway /v1 (canonical EJSON in the query string), /web (plain JSON) and /admin (EJSON
// strings).
//
//   defineDbSuite(() => driver, () => srv)

const { describe, it, before } = require('node:test');
const assert = require('node:assert/strict');
const { uniqueName } = require('./server');

const D2023 = new Date(Date.UTC(2023, 0, 1));
const D2024 = new Date(Date.UTC(2024, 5, 1));
const D2025 = new Date(Date.UTC(2025, 0, 1));

// Query fixture: six documents with ids a…f.
function fixture() {
  return [
    { _id: 'a', n: 1, s: 'apple', tags: ['a', 'b'], nums: [1, 5, 9], o: { x: 1, y: 'p', z: { w: 1 } }, arr: [{ k: 1, v: 'x' }, { k: 2, v: 'y' }], b: true, grp: 1, d: D2023, ml: 'one\ntwo' },
    { _id: 'b', n: 2, s: 'Banana', tags: ['b', 'c'], nums: [2, 4], o: { x: 2, y: 'q' }, arr: [{ k: 3, v: 'x' }], b: false, grp: 1, d: D2024 },
    { _id: 'c', n: 3, s: 'cherry', tags: ['a'], nums: [], o: { x: 3, z: { w: 3 } }, arr: [], b: true, grp: 2, nul: null },
    { _id: 'd', n: 4, s: 'date', tags: [], nums: [7], o: { x: 4, y: 'p' }, grp: 2 },
    { _id: 'e', n: 5, s: 'elder', tags: ['c', 'a', 'd'], nums: [10, 20, 30], b: false, grp: 3, extra: 'yes' },
    { _id: 'f', n: 6.5, s: 'fig', tags: ['x'], nums: [6], o: { x: 6 }, arr: [{ k: 1, v: 'z' }], grp: 3, d: D2025 },
  ];
}

// [name, (collection, command, db) => query, expected ids in any order]
const QUERY_CASES = [
  ['eq by plain value', (c) => c.where({ n: 2 }), ['b']],
  ['eq command', (c, _) => c.where({ s: _.eq('fig') }), ['f']],
  ['neq', (c, _) => c.where({ n: _.neq(2) }), ['a', 'c', 'd', 'e', 'f']],
  ['gt', (c, _) => c.where({ n: _.gt(4) }), ['e', 'f']],
  ['gte', (c, _) => c.where({ n: _.gte(4) }), ['d', 'e', 'f']],
  ['lt', (c, _) => c.where({ n: _.lt(2) }), ['a']],
  ['lte', (c, _) => c.where({ n: _.lte(2) }), ['a', 'b']],
  ['gt on a float', (c, _) => c.where({ n: _.gt(6.4) }), ['f']],
  ['string comparison', (c, _) => c.where({ s: _.gte('cherry') }), ['c', 'd', 'e', 'f']],
  ['in', (c, _) => c.where({ s: _.in(['apple', 'fig', 'nope']) }), ['a', 'f']],
  ['nin', (c, _) => c.where({ n: _.nin([1, 2, 3]) }), ['d', 'e', 'f']],
  ['and (top level)', (c, _) => c.where(_.and([{ n: _.gt(1) }, { n: _.lt(4) }])), ['b', 'c']],
  ['and (chained on a field)', (c, _) => c.where({ n: _.gt(1).and(_.lt(4)) }), ['b', 'c']],
  ['or (top level)', (c, _) => c.where(_.or([{ n: 1 }, { s: 'fig' }])), ['a', 'f']],
  ['or (chained on a field)', (c, _) => c.where({ n: _.lt(2).or(_.gt(5)) }), ['a', 'f']],
  ['nor', (c, _) => c.where(_.nor([{ n: 1 }, { grp: 3 }])), ['b', 'c', 'd']],
  ['not', (c, _) => c.where({ n: _.not(_.gt(2)) }), ['a', 'b']],
  ['not matches missing fields', (c, _) => c.where({ extra: _.not(_.eq('yes')) }), ['a', 'b', 'c', 'd', 'f']],
  ['exists true', (c, _) => c.where({ extra: _.exists(true) }), ['e']],
  ['exists false', (c, _) => c.where({ o: _.exists(false) }), ['e']],
  ['exists on a null value', (c, _) => c.where({ nul: _.exists(true) }), ['c']],
  ['null matches null and missing', (c) => c.where({ nul: null }), ['a', 'b', 'c', 'd', 'e', 'f']],
  ['all', (c, _) => c.where({ tags: _.all(['a', 'b']) }), ['a']],
  ['elemMatch on documents', (c, _) => c.where({ arr: _.elemMatch({ k: _.gte(2) }) }), ['a', 'b']],
  ['elemMatch with two conditions', (c, _) => c.where({ arr: _.elemMatch({ k: 1, v: 'z' }) }), ['f']],
  ['size', (c, _) => c.where({ tags: _.size(2) }), ['a', 'b']],
  ['size 0', (c, _) => c.where({ nums: _.size(0) }), ['c']],
  ['mod (a double is truncated first, as in MongoDB: 6.5 % 2 is 0)', (c, _) => c.where({ n: _.mod([2, 0]) }), ['b', 'd', 'f']],
  ['mod with remainder', (c, _) => c.where({ grp: _.mod([3, 1]) }), ['a', 'b']],
  ['db.RegExp', (c, _, db) => c.where({ s: db.RegExp({ regexp: '^ban' }) }), []],
  ['db.RegExp with options i', (c, _, db) => c.where({ s: db.RegExp({ regexp: '^ban', options: 'i' }) }), ['b']],
  ['JS RegExp', (c) => c.where({ s: /e$/ }), ['a', 'd']],
  ['JS RegExp with flag i', (c) => c.where({ s: /^B/i }), ['b']],
  ['JS RegExp over array elements', (c) => c.where({ tags: /^[cd]$/ }), ['b', 'e']],
  ['regex with the m option', (c, _, db) => c.where({ s: db.RegExp({ regexp: '^fig$', options: 'm' }) }), ['f']],
  ['regex with the s option', (c, _, db) => c.where({ ml: db.RegExp({ regexp: 'one.two', options: 's' }) }), ['a']],
  ['regex without s: . does not match a newline', (c, _, db) => c.where({ ml: db.RegExp({ regexp: 'one.two' }) }), []],
  ['regex with the x option', (c, _, db) => c.where({ s: db.RegExp({ regexp: 'ch err y # a comment', options: 'x' }) }), ['c']],
  ['nested dot path', (c, _) => c.where({ 'o.x': _.gt(3) }), ['d', 'f']],
  ['nested object in where is a path match', (c) => c.where({ o: { y: 'p' } }), ['a', 'd']],
  ['deep dot path', (c) => c.where({ 'o.z.w': 3 }), ['c']],
  ['array index path', (c) => c.where({ 'tags.1': 'b' }), ['a']],
  ['array index path into documents', (c) => c.where({ 'arr.0.k': 1 }), ['a', 'f']],
  ['array contains a value', (c) => c.where({ tags: 'a' }), ['a', 'c', 'e']],
  ['any array element compares', (c, _) => c.where({ nums: _.gt(25) }), ['e']],
  ['path through an array of documents', (c) => c.where({ 'arr.v': 'x' }), ['a', 'b']],
  ['boolean', (c) => c.where({ b: true }), ['a', 'c']],
  ['neq matches missing fields', (c, _) => c.where({ b: _.neq(true) }), ['b', 'd', 'e', 'f']],
  ['date comparison', (c, _) => c.where({ d: _.gt(new Date(Date.UTC(2024, 0, 1))) }), ['b', 'f']],
  ['date equality', (c) => c.where({ d: D2023 }), ['a']],
  ['several fields are and-ed', (c, _) => c.where({ grp: 1, b: false }), ['b']],
  ['or of and', (c, _) => c.where(_.or([_.and([{ grp: 1 }, { b: true }]), { 'o.y': 'q' }])), ['a', 'b']],
  ['in on array field', (c, _) => c.where({ tags: _.in(['d', 'x']) }), ['e', 'f']],
  ['where by _id', (c) => c.where({ _id: 'c' }), ['c']],
  ['_id in', (c, _) => c.where({ _id: _.in(['a', 'e', 'zz']) }), ['a', 'e']],
  ['empty where', (c) => c.where({}), ['a', 'b', 'c', 'd', 'e', 'f']],
];

function strip(doc) {
  if (!doc) return doc;
  const { _openid, ...rest } = doc;
  return rest;
}

function ids(docs) {
  return docs.map((d) => d._id).sort();
}

/**
 * defineDbSuite declares the shared tests. getDriver and getSrv are called in before().
 */
function defineDbSuite(getDriver, getSrv) {
  let d;
  let srv;
  const setup = async (prefix) => {
    d = getDriver();
    srv = getSrv();
    const name = uniqueName(prefix);
    await srv.adminDb().createCollection(name); // clients cannot create collections
    return name;
  };

  describe('queries', () => {
    let coll;
    before(async () => {
      coll = await setup('q');
      const docs = fixture();
      if (d.batchAdd) {
        const got = await d.addMany(coll, docs);
        assert.deepEqual(got, docs.map((x) => x._id));
      } else {
        for (const doc of docs) await d.add(coll, doc);
      }
    });

    for (const [name, build, want] of QUERY_CASES) {
      it(name, async () => {
        const docs = await d.get(build(d.db.collection(coll), d._, d.db).limit(100));
        assert.deepEqual(ids(docs), [...want].sort());
      });
    }

    it('count with and without where', async () => {
      assert.equal(await d.count(d.db.collection(coll).where({ grp: 1 })), 2);
      assert.equal(await d.count(d.db.collection(coll).where({ n: d._.gt(100) })), 0);
      assert.equal(await d.count(d.db.collection(coll)), 6);
    });

    it('documents come back whole and typed', async () => {
      const doc = await d.docGet(coll, 'a');
      assert.ok(doc.d instanceof Date, `d should be a Date, got ${typeof doc.d} ${JSON.stringify(doc.d)}`);
      assert.equal(doc.d.getTime(), D2023.getTime());
      assert.deepEqual(strip(doc), fixture()[0]);
      if (d.kind === 'client') assert.equal(typeof doc._openid, 'string');
    });

    it('doc.get of a missing id gives no document', async () => {
      assert.equal(await d.docGet(coll, 'no-such-doc'), null);
    });

    it('orderBy on two fields, skip, limit', async () => {
      const c = d.db.collection(coll);
      const all = await d.get(c.orderBy('grp', 'desc').orderBy('n', 'asc'));
      assert.deepEqual(all.map((x) => x._id), ['e', 'f', 'c', 'd', 'a', 'b']);
      const page = await d.get(c.orderBy('grp', 'desc').orderBy('n', 'asc').skip(1).limit(3));
      assert.deepEqual(page.map((x) => x._id), ['f', 'c', 'd']);
      const asc = await d.get(c.where({ grp: d._.gte(2) }).orderBy('s', 'asc'));
      assert.deepEqual(asc.map((x) => x._id), ['c', 'd', 'e', 'f']);
    });

    it('orderBy a nested path, missing values first', async () => {
      const got = await d.get(d.db.collection(coll).orderBy('o.x', 'asc').orderBy('_id', 'asc'));
      assert.deepEqual(got.map((x) => x._id), ['e', 'a', 'b', 'c', 'd', 'f']);
    });

    it('skip past the end gives nothing', async () => {
      assert.deepEqual(await d.get(d.db.collection(coll).skip(50)), []);
    });

    it('field: inclusion', async () => {
      const got = await d.get(d.db.collection(coll).where({ _id: 'a' }).field({ s: true, n: true }));
      assert.deepEqual(got, [{ _id: 'a', s: 'apple', n: 1 }]);
    });

    it('field: exclusion', async () => {
      const got = await d.get(d.db.collection(coll).where({ _id: 'b' }).field({ tags: false, nums: false, arr: false, o: false, d: false, _openid: false }));
      assert.deepEqual(got, [{ _id: 'b', n: 2, s: 'Banana', b: false, grp: 1 }]);
    });

    it('field: nested inclusion', async () => {
      const got = await d.get(d.db.collection(coll).where({ _id: 'a' }).field({ 'o.x': true, 'o.z.w': true }));
      assert.deepEqual(got, [{ _id: 'a', o: { x: 1, z: { w: 1 } } }]);
    });

    it('field: nested exclusion', async () => {
      const got = await d.get(d.db.collection(coll).where({ _id: 'a' }).field({ 'o.y': false, 'o.z': false, tags: false, nums: false, arr: false, d: false, ml: false, _openid: false }));
      assert.deepEqual(got, [{ _id: 'a', n: 1, s: 'apple', o: { x: 1 }, b: true, grp: 1 }]);
    });

    it('field: _id can be excluded', async () => {
      const got = await d.get(d.db.collection(coll).where({ _id: 'c' }).field({ _id: false, s: true }));
      assert.deepEqual(got, [{ s: 'cherry' }]);
    });

    it('field: project.slice', async () => {
      const c = d.db.collection(coll).where({ _id: 'e' });
      assert.deepEqual((await d.get(c.field({ nums: d._.project.slice(2) })))[0].nums, [10, 20]);
      assert.deepEqual((await d.get(c.field({ nums: d._.project.slice(-1) })))[0].nums, [30]);
      assert.deepEqual((await d.get(c.field({ nums: d._.project.slice([1, 1]) })))[0].nums, [20]);
    });

    it('expr with aggregation operators', async () => {
      const got = await d.get(d.db.collection(coll).where(d._.expr(d._.aggregate.gt(['$n', '$grp']))));
      assert.deepEqual(ids(got), ['b', 'c', 'd', 'e', 'f']);
    });

    it('doc.field projection', async () => {
      const doc = await d.docGet(coll, 'b', { s: true });
      assert.deepEqual(doc, { _id: 'b', s: 'Banana' });
    });

    it('aggregate: match, group with accumulators, sort', async () => {
      const $ = d._.aggregate;
      const got = await d.aggregate(d.db.collection(coll).aggregate()
        .match({ n: d._.gt(1) })
        .group({ _id: '$grp', total: $.sum('$n'), avg: $.avg('$n'), names: $.push('$s'), first: $.first('$_id') })
        .sort({ _id: 1 }));
      assert.deepEqual(got, [
        { _id: 1, total: 2, avg: 2, names: ['Banana'], first: 'b' },
        { _id: 2, total: 7, avg: 3.5, names: ['cherry', 'date'], first: 'c' },
        { _id: 3, total: 11.5, avg: 5.75, names: ['elder', 'fig'], first: 'e' },
      ]);
    });

    it('aggregate: project with expressions, unwind, sortByCount, skip, limit, count', async () => {
      const $ = d._.aggregate;
      const projected = await d.aggregate(d.db.collection(coll).aggregate()
        .match({ _id: d._.in(['a', 'b']) })
        .project({ _id: 0, id: '$_id', double: $.multiply(['$n', 2]), upper: $.toUpper('$s'), ntags: $.size('$tags') })
        .sort({ id: 1 }));
      assert.deepEqual(projected, [
        { id: 'a', double: 2, upper: 'APPLE', ntags: 2 },
        { id: 'b', double: 4, upper: 'BANANA', ntags: 2 },
      ]);
      const tags = await d.aggregate(d.db.collection(coll).aggregate().unwind('$tags').sortByCount('$tags').sort({ count: -1, _id: 1 }).limit(2));
      assert.deepEqual(tags, [{ _id: 'a', count: 3 }, { _id: 'b', count: 2 }]);
      const page = await d.aggregate(d.db.collection(coll).aggregate().sort({ n: -1 }).skip(1).limit(2).project({ _id: 1 }));
      assert.deepEqual(page, [{ _id: 'e' }, { _id: 'd' }]);
      const counted = await d.aggregate(d.db.collection(coll).aggregate().match({ grp: 3 }).count('howMany'));
      assert.deepEqual(counted, [{ howMany: 2 }]);
    });

    it('aggregate: dates come back as Dates', async () => {
      const got = await d.aggregate(d.db.collection(coll).aggregate().match({ d: d._.exists(true) }).project({ _id: 1, d: 1, y: d._.aggregate.year('$d') }).sort({ _id: 1 }));
      assert.deepEqual(got.map((x) => x.y), [2023, 2024, 2025]);
      assert.ok(got.every((x) => x.d instanceof Date), JSON.stringify(got));
    });
  });

  describe('updates', () => {
    let coll;
    before(async () => {
      coll = await setup('u');
    });

    // apply adds `initial`, applies `update` (a function of command and db) and returns
    // the stored document without _id/_openid. An update that changes nothing reports
    // updated: 0 (MongoDB's nModified), like CloudBase.
    let seq = 0;
    async function apply(initial, update, wantUpdated = 1) {
      const id = `u${++seq}`;
      const got = await d.add(coll, { _id: id, ...initial });
      assert.equal(got, id);
      const n = await d.updateDoc(coll, id, update(d._, d.db));
      assert.equal(n, wantUpdated, `updated count (${wantUpdated ? 'a change' : 'no change: MongoDB counts modified documents'})`);
      const doc = await d.docGet(coll, id);
      assert.ok(doc, 'document still exists');
      const { _id, ...rest } = strip(doc);
      assert.equal(_id, id);
      return rest;
    }

    const UPDATE_CASES = [
      ['plain fields are set', { a: 1, b: 2 }, () => ({ a: 5, c: 'new' }), { a: 5, b: 2, c: 'new' }],
      ['plain nested object merges by path', { o: { x: 1, y: 2 } }, () => ({ o: { x: 9 } }), { o: { x: 9, y: 2 } }],
      ['set replaces a nested object', { o: { x: 1, y: 2 } }, (_) => ({ o: _.set({ x: 9 }) }), { o: { x: 9 } }],
      ['dot path set', { o: { x: 1, y: 2 } }, () => ({ 'o.y': 3 }), { o: { x: 1, y: 3 } }],
      ['set an array element by index path', { tags: ['a', 'b', 'c'] }, () => ({ 'tags.1': 'B' }), { tags: ['a', 'B', 'c'] }],
      ['remove', { s: 'x', t: 1 }, (_) => ({ s: _.remove() }), { t: 1 }],
      ['remove a nested field', { o: { x: 1, y: 2 } }, (_) => ({ 'o.x': _.remove() }), { o: { y: 2 } }],
      ['inc', { n: 1 }, (_) => ({ n: _.inc(2) }), { n: 3 }],
      ['inc negative and float', { n: 1 }, (_) => ({ n: _.inc(-0.5) }), { n: 0.5 }],
      ['inc creates a missing field', { n: 1 }, (_) => ({ m: _.inc(5) }), { n: 1, m: 5 }],
      ['mul', { n: 3 }, (_) => ({ n: _.mul(2) }), { n: 6 }],
      ['mul by a float', { n: 3 }, (_) => ({ n: _.mul(1.5) }), { n: 4.5 }],
      ['mul creates a missing field as 0', { n: 3 }, (_) => ({ m: _.mul(4) }), { n: 3, m: 0 }],
      ['min lowers', { n: 5 }, (_) => ({ n: _.min(3) }), { n: 3 }],
      ['min keeps', { n: 5 }, (_) => ({ n: _.min(10) }), { n: 5 }, 0],
      ['max raises', { n: 5 }, (_) => ({ n: _.max(10) }), { n: 10 }],
      ['max keeps', { n: 5 }, (_) => ({ n: _.max(1) }), { n: 5 }, 0],
      ['rename', { a: 1, b: 2 }, (_) => ({ a: _.rename('c') }), { b: 2, c: 1 }],
      ['rename a nested field', { o: { x: 1 } }, (_) => ({ 'o.x': _.rename('o.y') }), { o: { y: 1 } }],
      ['push one', { tags: ['a'] }, (_) => ({ tags: _.push('b') }), { tags: ['a', 'b'] }],
      ['push an array of values', { tags: ['a'] }, (_) => ({ tags: _.push(['b', 'c']) }), { tags: ['a', 'b', 'c'] }],
      ['push creates the array', {}, (_) => ({ tags: _.push(['a']) }), { tags: ['a'] }],
      ['push each with position', { tags: ['a', 'b'] }, (_) => ({ tags: _.push({ each: ['z'], position: 1 }) }), { tags: ['a', 'z', 'b'] }],
      ['push each with sort and slice', { nums: [9, 3] }, (_) => ({ nums: _.push({ each: [5, 1], sort: 1, slice: 3 }) }), { nums: [1, 3, 5] }],
      ['push each with negative slice', { nums: [1, 2] }, (_) => ({ nums: _.push({ each: [3, 4], slice: -2 }) }), { nums: [3, 4] }],
      ['push documents sorted by a field', { arr: [{ k: 3 }] }, (_) => ({ arr: _.push({ each: [{ k: 1 }, { k: 2 }], sort: { k: -1 } }) }), { arr: [{ k: 3 }, { k: 2 }, { k: 1 }] }],
      ['pop', { tags: ['a', 'b', 'c'] }, (_) => ({ tags: _.pop() }), { tags: ['a', 'b'] }],
      ['shift', { tags: ['a', 'b', 'c'] }, (_) => ({ tags: _.shift() }), { tags: ['b', 'c'] }],
      ['unshift', { tags: ['a', 'b'] }, (_) => ({ tags: _.unshift('x') }), { tags: ['x', 'a', 'b'] }],
      ['unshift several', { tags: ['a'] }, (_) => ({ tags: _.unshift(['x', 'y']) }), { tags: ['x', 'y', 'a'] }],
      ['pull a value', { tags: ['a', 'b', 'a', 'c'] }, (_) => ({ tags: _.pull('a') }), { tags: ['b', 'c'] }],
      ['pull with a condition', { nums: [1, 6, 3, 9] }, (_) => ({ nums: _.pull(_.gt(4)) }), { nums: [1, 3] }],
      ['pull documents matching fields', { arr: [{ k: 1, v: 'x' }, { k: 2, v: 'y' }, { k: 1, v: 'z' }] }, (_) => ({ arr: _.pull({ k: 1 }) }), { arr: [{ k: 2, v: 'y' }] }],
      ['pullAll', { tags: ['a', 'b', 'c', 'a'] }, (_) => ({ tags: _.pullAll(['a', 'b']) }), { tags: ['c'] }],
      ['addToSet a present value', { tags: ['a', 'b'] }, (_) => ({ tags: _.addToSet('a') }), { tags: ['a', 'b'] }, 0],
      ['addToSet a new value', { tags: ['a', 'b'] }, (_) => ({ tags: _.addToSet('c') }), { tags: ['a', 'b', 'c'] }],
      ['addToSet with $each', { tags: ['a', 'b'] }, (_) => ({ tags: _.addToSet({ $each: ['a', 'd', 'd', 'e'] }) }), { tags: ['a', 'b', 'd', 'e'] }],
      ['addToSet creates the array', {}, (_) => ({ tags: _.addToSet('a') }), { tags: ['a'] }],
      ['several operators at once', { n: 1, tags: ['a'], s: 'x' }, (_) => ({ n: _.inc(1), tags: _.push('b'), s: _.remove(), t: 'y' }), { n: 2, tags: ['a', 'b'], t: 'y' }],
    ];

    it('bit', async () => {
      assert.deepEqual(await apply({ n: 6 }, (_) => ({ n: _.bit({ and: 5 }) })), { n: 4 });
    });

    for (const [name, initial, update, want, wantUpdated] of UPDATE_CASES) {
      it(name, async () => {
        assert.deepEqual(await apply(initial, update, wantUpdated), want);
      });
    }

    it('serverDate stores the server time as a Date', async () => {
      const before = Date.now();
      const got = await apply({ n: 1 }, (_, db) => ({ t: db.serverDate() }));
      assert.ok(got.t instanceof Date, `t should be a Date, got ${JSON.stringify(got.t)}`);
      assert.ok(Math.abs(got.t.getTime() - before) < 60000, `server date ${got.t.toISOString()} is far from now`);
    });

    it('serverDate with an offset', async () => {
      const before = Date.now();
      const got = await apply({ n: 1 }, (_, db) => ({ t: db.serverDate({ offset: 3600 * 1000 }) }));
      assert.ok(got.t instanceof Date);
      assert.ok(Math.abs(got.t.getTime() - (before + 3600 * 1000)) < 60000, `server date ${got.t.toISOString()} is not an hour ahead`);
    });

    it('serverDate in add', async () => {
      const before = Date.now();
      const id = await d.add(coll, { created: d.db.serverDate(), x: 1 });
      const doc = await d.docGet(coll, id);
      assert.ok(doc.created instanceof Date, `created should be a Date, got ${JSON.stringify(doc.created)}`);
      assert.ok(Math.abs(doc.created.getTime() - before) < 60000);
    });

    it('Date round trip, including in arrays and nested documents', async () => {
      const when = new Date(Date.UTC(2021, 1, 3, 4, 5, 6, 789));
      const id = await d.add(coll, { when, list: [when], o: { when } });
      const doc = await d.docGet(coll, id);
      for (const v of [doc.when, doc.list[0], doc.o.when]) {
        assert.ok(v instanceof Date, `expected a Date, got ${JSON.stringify(v)}`);
        assert.equal(v.getTime(), when.getTime());
      }
      const found = await d.get(d.db.collection(coll).where({ when }));
      assert.deepEqual(found.map((x) => x._id), [id]);
    });

    it('values round trip', async () => {
      const value = {
        int: 42,
        neg: -7,
        float: 3.25,
        big: 9007199254740991,
        str: 'héllo 世界 🎉 "quoted" \\ back',
        empty: '',
        t: true,
        f: false,
        nul: null,
        arr: [1, 'a', null, { x: [] }, [2, [3]]],
        emptyObj: {},
        emptyArr: [],
        nested: { a: { b: { c: { d: 1 } } } },
        'key with spaces': 1,
      };
      const id = await d.add(coll, value);
      assert.deepEqual(strip(await d.docGet(coll, id)), { _id: id, ...value });
    });

    it('add generates distinct ids', async () => {
      const a = await d.add(coll, { x: 1 });
      const b = await d.add(coll, { x: 1 });
      assert.notEqual(a, b);
      assert.match(a, /^[A-Za-z0-9_-]{8,}$/);
    });

    it('doc.set replaces, doc.update merges', async () => {
      const id = await d.add(coll, { a: 1, b: { c: 1, d: 2 } });
      assert.equal(await d.updateDoc(coll, id, { b: { c: 5 } }), 1);
      assert.deepEqual(strip(await d.docGet(coll, id)), { _id: id, a: 1, b: { c: 5, d: 2 } });
      const res = await d.set(coll, id, { z: 1, b: { e: 1 } });
      assert.equal(res.updated, 1);
      assert.equal(res.created, 0);
      const doc = await d.docGet(coll, id);
      assert.deepEqual(strip(doc), { _id: id, z: 1, b: { e: 1 } });
      if (d.kind === 'client') assert.equal(typeof doc._openid, 'string', 'set keeps the owner');
    });

    it('doc.set on a missing id upserts', async () => {
      const id = uniqueName('upsert');
      const res = await d.set(coll, id, { fresh: true });
      assert.equal(res.created, 1, `created: ${JSON.stringify(res)}`);
      if (res.upsertedId !== undefined) assert.equal(res.upsertedId, id);
      assert.deepEqual(strip(await d.docGet(coll, id)), { _id: id, fresh: true });
    });

    it('doc.update on a missing id updates nothing and creates nothing', async () => {
      const id = uniqueName('missing');
      assert.equal(await d.updateDoc(coll, id, { x: 1 }), 0);
      assert.equal(await d.docGet(coll, id), null);
    });

    it('doc.remove', async () => {
      const id = await d.add(coll, { x: 1 });
      assert.equal(await d.removeDoc(coll, id), 1);
      assert.equal(await d.docGet(coll, id), null);
      assert.equal(await d.removeDoc(coll, id), 0);
    });
  });

  describe('geo', () => {
    let coll;
    const P = (lng, lat) => new d.db.Geo.Point(lng, lat);
    before(async () => {
      coll = await setup('geo');
      await d.addMany(coll, [
        { _id: 'gz', loc: P(113.3, 23.1) }, // Guangzhou
        { _id: 'fs', loc: P(113.1, 23.0) }, // Foshan
        { _id: 'bj', loc: P(116.4, 39.9) }, // Beijing
        { _id: 'none', x: 1 },
      ]);
    });

    it('points come back as Geo.Point', async () => {
      const doc = await d.docGet(coll, 'gz');
      assert.equal(doc.loc.longitude, 113.3);
      assert.equal(doc.loc.latitude, 23.1);
    });

    it('geoNear sorts by distance within the bounds', async () => {
      const near = (opts) => d.get(d.db.collection(coll).where({ loc: d._.geoNear({ geometry: P(113.0, 22.9), ...opts }) }));
      assert.deepEqual((await near({ maxDistance: 3000000 })).map((x) => x._id), ['fs', 'gz', 'bj']);
      assert.deepEqual((await near({ maxDistance: 50000 })).map((x) => x._id), ['fs', 'gz']);
      assert.deepEqual((await near({ minDistance: 100000, maxDistance: 3000000 })).map((x) => x._id), ['bj']);
    });

    it('geoWithin a polygon', async () => {
      const ring = new d.db.Geo.LineString([P(112, 22), P(114, 22), P(114, 24), P(112, 24), P(112, 22)]);
      const got = await d.get(d.db.collection(coll).where({ loc: d._.geoWithin({ geometry: new d.db.Geo.Polygon([ring]) }) }));
      assert.deepEqual(ids(got), ['fs', 'gz']);
    });

    it('geoIntersects a polygon', async () => {
      const ring = new d.db.Geo.LineString([P(116, 39), P(117, 39), P(117, 41), P(116, 41), P(116, 39)]);
      const got = await d.get(d.db.collection(coll).where({ loc: d._.geoIntersects({ geometry: new d.db.Geo.Polygon([ring]) }) }));
      assert.deepEqual(ids(got), ['bj']);
    });
  });

  describe('multi-document writes', () => {
    let coll;
    before(async () => {
      coll = await setup('m');
      const docs = [];
      for (let i = 0; i < 30; i++) docs.push({ _id: `m${i}`, i, g: i % 3, tags: ['t'] });
      await d.addMany(coll, docs);
    });

    it('where().update() updates every match', async () => {
      const c = d.db.collection(coll);
      assert.equal(await d.update(c.where({ g: 0 }), { hit: true, i: d._.inc(100) }), 10);
      const hit = await d.get(c.where({ hit: true }).limit(100));
      assert.deepEqual(ids(hit), ids(Array.from({ length: 10 }, (_, k) => ({ _id: `m${k * 3}` }))));
      for (const doc of hit) assert.ok(doc.i >= 100);
      assert.equal(await d.count(c.where({ hit: d._.exists(false) })), 20);
    });

    it('where().update() with array operators on many', async () => {
      const c = d.db.collection(coll);
      assert.equal(await d.update(c.where({ g: 1 }), { tags: d._.push('u') }), 10);
      assert.equal(await d.count(c.where({ tags: 'u' })), 10);
      assert.equal(await d.count(c.where({ tags: d._.size(2) })), 10);
    });

    it('where().update() matching nothing', async () => {
      assert.equal(await d.update(d.db.collection(coll).where({ g: 99 }), { x: 1 }), 0);
    });

    it('where().remove() removes every match', async () => {
      const c = d.db.collection(coll);
      assert.equal(await d.remove(c.where({ g: 2 })), 10);
      assert.equal(await d.count(c), 20);
      assert.equal(await d.count(c.where({ g: 2 })), 0);
      assert.equal(await d.remove(c.where({ g: 2 })), 0);
    });
  });
}

module.exports = { defineDbSuite, fixture, QUERY_CASES, strip, ids };
