'use strict';
// Differential test: ~300 random documents and ~200 random queries (fixed seed) run on the
// server through node-sdk (admin: no permission filter) and locally with mingo 6.5.6, an
// independent JavaScript implementation of MongoDB's query language. Queries are built
// with the SDK's own command API (db.command), so its encoding to the /admin dialect is
// part of what is compared. Set DIFF_SEED to explore other cases.
//
// mingo departs from MongoDB in places (see collections/mql/differential_test.go for the
// full list); the generator avoids those shapes instead of papering over them:
//   - every field has one type in every document (no cross-type comparisons; no null
//     or missing operands in range operators), strings are ASCII;
//   - no arrays directly inside arrays; no numeric field names;
//   - $size, $all, $in and $nin only on top-level arrays or scalar fields, never on a
//     path through an array of documents ("arr.k"), where mingo collects the values into
//     one array;
//   - $elemMatch with a sub-filter only on the array of documents;
//   - $mod only on integer fields that never hold arrays or doubles (mingo applies JS %
//     to anything and does not truncate doubles);
//   - null operands only on paths that never cross an array;
//   - no equality against whole embedded documents (mingo ignores field order);
//   - regular expressions are simple literal prefixes/infixes/suffixes.
// Results are compared as sets of _id (sorted); queries with orderBy on (seq, _id)
// compare the exact order and skip/limit, which both sides compute the same way.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Query } = require('mingo');
const { startServer, uniqueName } = require('../lib/server');

const SEED = Number(process.env.DIFF_SEED || 20261204);
const N_DOCS = 300;
const N_QUERIES = 200;

function mulberry32(a) {
  return function rand() {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['apple', 'Apple', 'banana', 'cherry', 'date', 'fig', 'grape', 'kiwi', 'lemon', 'mango', 'Mango', 'melon'];
const TAGS = ['a', 'b', 'c', 'd', 'e'];
const FLOATS = [-2.5, -1, 0, 0.5, 1.5, 2, 3.25, 7.75];
const DATES = [Date.UTC(2020, 0, 1), Date.UTC(2021, 5, 15), Date.UTC(2022, 11, 31, 23, 59), Date.UTC(2024, 1, 29), Date.UTC(2025, 6, 4, 12)].map((t) => new Date(t));

function generator(seed) {
  const rand = mulberry32(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const chance = (p) => rand() < p;
  const some = (arr, lo, hi) => {
    const n = int(lo, hi);
    return Array.from({ length: n }, () => pick(arr));
  };
  return { rand, int, pick, chance, some };
}

function makeDocs(g) {
  const docs = [];
  for (let i = 0; i < N_DOCS; i++) {
    const d = { _id: `d${String(i).padStart(3, '0')}`, seq: g.int(0, 49) };
    if (g.chance(0.8)) d.n = g.int(-5, 15);
    if (g.chance(0.7)) d.f = g.pick(FLOATS);
    if (g.chance(0.8)) d.s = g.pick(WORDS);
    if (g.chance(0.7)) d.b = g.chance(0.5);
    if (g.chance(0.75)) d.tags = [...new Set(g.some(TAGS, 0, 4))];
    if (g.chance(0.7)) d.nums = g.some([...Array(21).keys()], 0, 4);
    if (g.chance(0.75)) {
      d.o = { x: g.int(0, 9) };
      if (g.chance(0.7)) d.o.y = g.pick(WORDS);
      if (g.chance(0.5)) d.o.z = { w: g.int(0, 3) };
    }
    if (g.chance(0.7)) d.arr = Array.from({ length: g.int(0, 3) }, () => ({ k: g.int(0, 5), v: g.pick(WORDS) }));
    if (g.chance(0.6)) d.d = g.pick(DATES);
    if (g.chance(0.2)) d.nul = null;
    docs.push(d);
  }
  return docs;
}

// A condition is {sdk: (_, db) => value for where(), mongo: value for mingo}.
const leaf = (sdk, mongo) => ({ sdk, mongo });
// leafAnd is a chained .and() on one field, which the SDK sends as an $and of one
// condition per operator: mingo gets exactly that ({field: op1} and {field: op2}).
const leafAnd = (sdk, ops) => ({ sdk, mongo: null, mongoAnd: Object.entries(ops).map(([k, v]) => ({ [k]: v })) });

// field kinds: what operators and operands each path allows (see the header).
const PATHS = {
  seq: 'int',
  n: 'int',
  f: 'num',
  s: 'str',
  b: 'bool',
  tags: 'strArr',
  nums: 'intArr',
  'o.x': 'int',
  'o.y': 'str',
  'o.z.w': 'int',
  'arr.k': 'docArrInt',
  'arr.v': 'docArrStr',
  'tags.0': 'strPos',
  'nums.1': 'intPos',
  'arr.0.k': 'intPos',
  d: 'date',
  nul: 'null',
};

function conditionFor(g, kind) {
  const intVal = () => g.int(-6, 21);
  const numVal = () => (g.chance(0.5) ? g.pick(FLOATS) : g.int(-3, 8));
  const strVal = () => g.pick(WORDS);
  const regex = () => {
    const w = g.pick(WORDS);
    const form = g.int(0, 2);
    const core = form === 0 ? `^${w.slice(0, g.int(1, 3))}` : form === 1 ? w.slice(1, g.int(2, 4)) : `${w.slice(-g.int(1, 3))}$`;
    const i = g.chance(0.4);
    if (g.chance(0.5)) return leaf((_, db) => db.RegExp({ regexp: core, options: i ? 'i' : '' }), new RegExp(core, i ? 'i' : ''));
    return leaf(() => new RegExp(core, i ? 'i' : ''), new RegExp(core, i ? 'i' : ''));
  };
  const cmp = (val) => {
    const op = g.pick(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']);
    const v = val();
    const mop = { eq: '$eq', neq: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte' }[op];
    return leaf((_) => _[op](v), { [mop]: v });
  };
  const inList = (val) => {
    const vs = Array.from({ length: g.int(1, 4) }, val);
    return g.chance(0.5) ? leaf((_) => _.in(vs), { $in: vs }) : leaf((_) => _.nin(vs), { $nin: vs });
  };
  const exists = () => {
    const e = g.chance(0.5);
    return leaf((_) => _.exists(e), { $exists: e });
  };
  // $not takes an operator (or a regular expression), never a plain value
  const not = (val) => {
    const inner = cmp(val);
    return leaf((_, db) => _.not(inner.sdk(_, db)), { $not: inner.mongo });
  };
  const plain = (val) => {
    const v = val();
    return leaf(() => v, v);
  };

  switch (kind) {
    case 'int':
    case 'num': {
      const val = kind === 'int' ? intVal : numVal;
      const r = g.int(0, 9);
      if (r <= 3) return cmp(val);
      if (r === 4) return inList(val);
      if (r === 5) return exists();
      if (r === 6 && kind === 'int') {
        const div = g.int(2, 5);
        const rem = g.int(0, div - 1);
        return leaf((_) => _.mod([div, rem]), { $mod: [div, rem] });
      }
      if (r === 7) return not(val);
      if (r === 8) return plain(val);
      const a = val();
      const b = a + g.int(1, 6);
      return leafAnd((_) => _.gt(a).and(_.lt(b)), { $gt: a, $lt: b });
    }
    case 'str': {
      const r = g.int(0, 6);
      if (r <= 1) return cmp(strVal);
      if (r === 2) return inList(strVal);
      if (r === 3) return regex();
      if (r === 4) return exists();
      if (r === 5) return not(strVal);
      return plain(strVal);
    }
    case 'bool': {
      const v = g.chance(0.5);
      return g.chance(0.5) ? leaf(() => v, v) : leaf((_) => _.neq(v), { $ne: v });
    }
    case 'strArr':
    case 'intArr': {
      const val = kind === 'strArr' ? () => g.pick(TAGS) : () => g.int(0, 20);
      const r = g.int(0, 8);
      if (r === 0) return plain(val);
      if (r === 1) {
        const vs = [...new Set(Array.from({ length: g.int(1, 3) }, val))];
        return leaf((_) => _.all(vs), { $all: vs });
      }
      if (r === 2) {
        const n = g.int(0, 4);
        return leaf((_) => _.size(n), { $size: n });
      }
      if (r === 3) return inList(val);
      if (r === 4) return exists();
      if (r === 5 && kind === 'strArr') return regex();
      if (r === 5 || r === 6) return cmp(val);
      if (r === 7) {
        const v = val();
        return leaf((_) => _.neq(v), { $ne: v });
      }
      return plain(val);
    }
    case 'docArrInt': {
      const r = g.int(0, 3);
      if (r <= 1) return cmp(() => g.int(-1, 6));
      if (r === 2) return exists();
      return plain(() => g.int(0, 5));
    }
    case 'docArrStr':
      return g.chance(0.5) ? plain(strVal) : g.chance(0.5) ? regex() : cmp(strVal);
    case 'strPos':
      return g.chance(0.5) ? plain(() => g.pick(TAGS)) : cmp(() => g.pick(TAGS));
    case 'intPos':
      return g.chance(0.3) ? exists() : cmp(() => g.int(-1, 20));
    case 'date': {
      const r = g.int(0, 3);
      if (r === 0) return exists();
      if (r === 1) {
        const v = g.pick(DATES);
        return leaf(() => v, v);
      }
      return cmp(() => (g.chance(0.7) ? g.pick(DATES) : new Date(Date.UTC(2019 + g.int(0, 7), g.int(0, 11), 1))));
    }
    case 'null': {
      const r = g.int(0, 2);
      if (r === 0) return leaf(() => null, null);
      if (r === 1) return leaf((_) => _.neq(null), { $ne: null });
      return exists();
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

// An expression is {sdk: (_, db) => where() argument, mongo: filter}.
function fieldsObject(g) {
  const names = Object.keys(PATHS);
  const n = g.int(1, 3);
  const chosen = new Set();
  while (chosen.size < n) chosen.add(g.pick(names));
  const parts = [...chosen].map((p) => [p, conditionFor(g, PATHS[p])]);
  // an occasional $elemMatch on the array of documents
  if (g.chance(0.15) && !chosen.has('arr')) {
    const k = g.int(0, 5);
    const v = g.pick(WORDS);
    const withV = g.chance(0.5);
    parts.push([
      'arr',
      leaf(
        (_) => _.elemMatch(withV ? { k: _.gte(k), v } : { k: _.gte(k) }),
        { $elemMatch: withV ? { k: { $gte: k }, v } : { k: { $gte: k } } },
      ),
    ]);
  }
  return {
    sdk: (_, db) => Object.fromEntries(parts.map(([p, c]) => [p, c.sdk(_, db)])),
    mongo: (() => {
      // a chained .and() on one field is an $and of two conditions on it
      const and = [];
      const obj = {};
      for (const [p, c] of parts) {
        if (c.mongoAnd) and.push(...c.mongoAnd.map((x) => ({ [p]: x })));
        else obj[p] = c.mongo;
      }
      return and.length ? { $and: [obj, ...and] } : obj;
    })(),
  };
}

function expression(g, depth = 0) {
  const r = g.rand();
  if (depth >= 2 || r < 0.6) return fieldsObject(g);
  const kids = Array.from({ length: g.int(2, 3) }, () => expression(g, depth + 1));
  const op = g.pick(['and', 'or', 'nor']);
  return {
    sdk: (_, db) => _[op](kids.map((k) => k.sdk(_, db))),
    mongo: { [`$${op}`]: kids.map((k) => k.mongo) },
  };
}

// makeCases draws the queries once; every SDK runs the same list.
function makeCases(g) {
  return Array.from({ length: N_QUERIES }, (_, i) => {
    const expr = expression(g);
    const ordered = i % 4 === 0 ? { desc: g.chance(0.5), skip: g.int(0, 10), limit: g.int(1, 40) } : null;
    return { i, expr, ordered, count: !ordered && i % 3 === 0 };
  });
}

// expected runs a case with mingo: the _ids in order (ordered cases) or sorted.

function expected(docs, c) {
  let want = new Query(c.expr.mongo).find(docs).all();
  if (c.ordered) {
    const { desc, skip, limit } = c.ordered;
    want = want
      .slice()
      .sort((a, b) => a.seq - b.seq || (desc ? (a._id < b._id ? 1 : -1) : a._id < b._id ? -1 : 1))
      .slice(skip, skip + limit);
    return want.map((d) => d._id);
  }
  return want.map((d) => d._id).sort();
}

describe('differential: server vs mingo', () => {
  let srv;
  const g = generator(SEED);
  const docs = makeDocs(g);
  const cases = makeCases(g);
  for (const c of cases) c.want = expected(docs, c);
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  // The same documents and queries through the admin dialect (node-sdk) and both client
  // dialects (js-sdk GATEWAY: canonical EJSON in the query string; CLOUD_API: plain
  // JSON). Client users own the documents they insert, so PRIVATE shows them all.
  const targets = [
    ['node-sdk (/admin)', async () => ({ db: srv.adminDb(), strip: (d) => d })],
    ['js-sdk GATEWAY (/v1)', async () => ({ db: (await srv.jsUser({ mode: 'GATEWAY' })).db, strip: ({ _openid, ...d }) => d })],
    ['js-sdk CLOUD_API (/web)', async () => ({ db: (await srv.jsUser({ mode: 'CLOUD_API' })).db, strip: ({ _openid, ...d }) => d })],
  ];

  for (const [label, connect] of targets) {
    describe(label, () => {
      let db;
      let strip;
      let coll;
      before(async () => {
        ({ db, strip } = await connect());
        coll = uniqueName('diff');
        await srv.adminDb().createCollection(coll);
        const res = await db.collection(coll).add(docs);
        assert.equal(res.ids.length, N_DOCS, JSON.stringify(res).slice(0, 300));
      });

      it(`${N_DOCS} documents round trip unchanged`, async () => {
        const { data } = await db.collection(coll).orderBy('_id', 'asc').limit(1000).get();
        assert.deepEqual(data.map(strip), docs);
      });

      it(`${N_QUERIES} random queries (seed ${SEED}) match mingo`, async () => {
        const failures = [];
        for (const c of cases) {
          const wantIds = c.want;
          const where = () => db.collection(coll).where(c.expr.sdk(db.command, db));
          let q = where();
          if (c.ordered) {
            q = q.orderBy('seq', 'asc').orderBy('_id', c.ordered.desc ? 'desc' : 'asc').skip(c.ordered.skip).limit(c.ordered.limit);
          } else {
            q = q.limit(1000);
          }
          const shown = JSON.stringify(c.expr.mongo, replacer);
          const res = await q.get().catch((e) => ({ code: e.code, message: e.message }));
          if (res.code || !Array.isArray(res.data)) {
            failures.push(`#${c.i} ${shown}: server error ${res.code} ${res.message || JSON.stringify(res.data)}`);
            continue;
          }
          const gotIds = res.data.map((d) => d._id);
          if (!c.ordered) gotIds.sort();
          if (JSON.stringify(gotIds) !== JSON.stringify(wantIds)) {
            const extra = gotIds.filter((id) => !wantIds.includes(id));
            const missing = wantIds.filter((id) => !gotIds.includes(id));
            failures.push(
              `#${c.i} ${shown}${c.ordered ? ` (ordered ${JSON.stringify(c.ordered)})` : ''}: server ${gotIds.length}, mingo ${wantIds.length}; ` +
                `only server: ${extra.slice(0, 5)}; only mingo: ${missing.slice(0, 5)}` +
                (extra[0] ? `\n    e.g. ${JSON.stringify(docs.find((d) => d._id === extra[0]), replacer)}` : '') +
                (missing[0] ? `\n    e.g. ${JSON.stringify(docs.find((d) => d._id === missing[0]), replacer)}` : ''),
            );
            continue;
          }
          if (c.count) {
            const r = await where().count();
            if (r.total !== wantIds.length) failures.push(`#${c.i} ${shown}: count ${r.total} (${r.code || ''}), mingo ${wantIds.length}`);
          }
        }
        assert.deepEqual(failures, [], `${failures.length} of ${N_QUERIES} queries differ:\n${failures.join('\n')}`);
      });
    });
  }
});

function replacer(key, value) {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (raw instanceof RegExp) return { $regex: raw.source, $options: raw.flags };
  return value;
}
