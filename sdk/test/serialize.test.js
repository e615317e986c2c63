'use strict';
// The wire format: what where(), update(), add() and aggregate() send, checked against
// the requests @cloudbase/js-sdk 3.7.0 sends in CLOUD_API mode for the same calls
// (the /web dialect), and how answers are turned back into Dates and Geo values.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { install } = require('..');
const V = require('../lib/values');

const cloud = install({ wx: {}, endpoint: 'http://127.0.0.1:1', env: 'e' });
const db = cloud.database();
const _ = db.command;
const $ = _.aggregate;
const Geo = db.Geo;
const todos = db.collection('todos');

const params = (q) => q._params();

test('where: flat fields, commands, logic chains, regular expressions (as js-sdk sends them)', () => {
  assert.deepEqual(params(todos.where({ done: false, n: _.gt(3) }).orderBy('n', 'desc').skip(1).limit(5).field({ title: true })), {
    collectionName: 'todos',
    queryType: 'WHERE',
    query: { done: false, n: { $gt: 3 } },
    order: [{ field: 'n', direction: 'desc' }],
    offset: 1,
    limit: 5,
    projection: { title: 1 },
  });
  const q = todos.where(
    _.or([{ n: _.in([1, 2, 3]) }, { n: _.nin([4]) }, _.and([{ title: db.RegExp({ regexp: '^hel', options: 'i' }) }, { tags: _.exists(true) }])]).and({
      n: _.neq(7).and(_.lte(100)),
    })
  );
  assert.deepEqual(params(q).query, {
    $and: [
      { $or: [{ n: { $in: [1, 2, 3] } }, { n: { $nin: [4] } }, { $and: [{ title: { $regex: '^hel', $options: 'i' } }, { tags: { $exists: true } }] }] },
      { $and: [{ n: { $ne: 7 } }, { n: { $lte: 100 } }] },
    ],
  });
  assert.deepEqual(params(todos.where({ tags: _.all(['a', 'b']), arr: _.elemMatch({ x: _.gte(1) }), sz: _.size(2), title: /abc/i, q: _.mod([2, 0]) })).query, {
    tags: { $all: ['a', 'b'] },
    arr: { $elemMatch: { x: { $gte: 1 } } },
    sz: { $size: 2 },
    title: { $regex: 'abc', $options: 'i' },
    q: { $mod: [2, 0] },
  });
  // wx.cloud's two-argument mod
  assert.deepEqual(params(todos.where({ q: _.mod(3, 1) })).query, { q: { $mod: [3, 1] } });
});

test('where: nested objects become dotted paths; operators, Dates and Geo stay whole', () => {
  const when = new Date('2024-01-02T03:04:05Z');
  assert.deepEqual(V.encodeQuery({ a: { b: 1, c: { d: _.gt(2) } }, at: when, p: { $exists: true }, u: undefined }), {
    'a.b': 1,
    'a.c.d': { $gt: 2 },
    at: { $date: when.getTime() },
    p: { $exists: true },
  });
  assert.deepEqual(V.encodeQuery({ n: _.gt(1).lt(5), m: _.not(_.gt(3)), s: _.not(/x/) }), {
    $and: [{ n: { $gt: 1 } }, { n: { $lt: 5 } }],
    m: { $not: { $gt: 3 } },
    s: { $not: { $regex: 'x', $options: '' } },
  });
  assert.deepEqual(V.encodeQuery({ n: _.or(_.lt(0), _.gt(10)), k: _.nor([_.eq(1), _.eq(2)]) }), {
    $or: [{ n: { $lt: 0 } }, { n: { $gt: 10 } }],
    $nor: [{ k: { $eq: 1 } }, { k: { $eq: 2 } }],
  });
  assert.deepEqual(V.encodeQuery({ _openid: '{openid}', arr: _.elemMatch(_.gt(1).lt(5)) }), { _openid: '{openid}', arr: { $elemMatch: { $gt: 1, $lt: 5 } } });
  assert.deepEqual(V.encodeQuery(_.expr($.gt(['$a', '$b']))), { $expr: { $gt: ['$a', '$b'] } });
  assert.throws(() => V.encodeQuery({ n: _.inc(1) }), /update command/);
  assert.throws(() => todos.where({ a: undefined }), /undefined/);
  assert.throws(() => todos.orderBy('n', 'up'), /asc.*desc/);
  assert.throws(() => todos.limit(1.5), /integer/);
  const cyclic = { a: {} };
  cyclic.a.self = cyclic.a;
  assert.throws(() => V.encodeQuery(cyclic), /circular/);
});

test('geo: Point (with or without new), geoNear, geoWithin (polygon, centerSphere), geoIntersects', () => {
  assert.deepEqual(params(todos.where({ loc: _.geoNear({ geometry: new Geo.Point(113.3, 23.1), maxDistance: 1000, minDistance: 0 }) })).query, {
    loc: { $nearSphere: { $geometry: { type: 'Point', coordinates: [113.3, 23.1] }, $maxDistance: 1000, $minDistance: 0 } },
  });
  const ring = Geo.LineString([Geo.Point(0, 0), Geo.Point(3, 2), Geo.Point(2, 3), Geo.Point(0, 0)]);
  assert.deepEqual(params(todos.where({ loc: _.geoWithin({ geometry: Geo.Polygon([ring]) }) })).query, {
    loc: { $geoWithin: { $geometry: { type: 'Polygon', coordinates: [[[0, 0], [3, 2], [2, 3], [0, 0]]] } } },
  });
  assert.deepEqual(V.encodeQuery({ loc: _.geoWithin({ centerSphere: [Geo.Point(1, 2), 0.1] }) }), { loc: { $geoWithin: { $centerSphere: [[1, 2], 0.1] } } });
  assert.deepEqual(V.encodeQuery({ loc: _.geoIntersects({ geometry: Geo.MultiPoint([Geo.Point(1, 2)]) }) }), {
    loc: { $geoIntersects: { $geometry: { type: 'MultiPoint', coordinates: [[1, 2]] } } },
  });
  assert.throws(() => Geo.Point(200, 0), /longitude/);
  assert.throws(() => Geo.Polygon([Geo.LineString([Geo.Point(0, 0), Geo.Point(1, 1)])]), /closed/);
  assert.deepEqual(Geo.MultiPolygon([Geo.Polygon([ring])]).toJSON().type, 'MultiPolygon');
  assert.deepEqual(Geo.MultiLineString([ring]).toJSON(), { type: 'MultiLineString', coordinates: [[[0, 0], [3, 2], [2, 3], [0, 0]]] });
});

test('update: plain values are $set by dotted path; every update operator', () => {
  // as js-sdk sends doc('doc-1').update({n: _.inc(1), tags: _.push('x'), updatedAt: db.serverDate()})
  assert.deepEqual(V.encodeUpdate({ n: _.inc(1), tags: _.push('x'), updatedAt: db.serverDate() }), {
    $inc: { n: 1 },
    $push: { tags: { $each: ['x'] } },
    $set: { updatedAt: { $date: { offset: 0 } } },
  });
  assert.deepEqual(V.encodeUpdate({ done: true, meta: _.set({ a: 1 }), old: _.remove() }), {
    $set: { done: true, meta: { a: 1 } },
    $unset: { old: '' },
  });
  assert.deepEqual(
    V.encodeUpdate({
      a: { b: 1, c: _.mul(2) },
      lo: _.min(0),
      hi: _.max(9),
      name: _.rename('title'),
      flags: _.bit({ and: 5 }),
      q: _.push({ each: [1, 2], position: 0, sort: -1, slice: 5 }),
      r: _.push([3, 4]),
      s: _.pop(),
      t: _.shift(),
      u: _.unshift(0, -1),
      v: _.pull(_.in([1, 2])),
      w: _.pull({ score: _.lt(60) }),
      x: _.pullAll([7, 8]),
      y: _.addToSet('z'),
      z: _.addToSet({ each: ['k', 'l'] }),
      at: new Date(5),
      later: db.serverDate({ offset: 60000 }),
      where: Geo.Point(1, 2),
    }),
    {
      $set: { 'a.b': 1, at: { $date: 5 }, later: { $date: { offset: 60000 } }, where: { type: 'Point', coordinates: [1, 2] } },
      $mul: { 'a.c': 2 },
      $min: { lo: 0 },
      $max: { hi: 9 },
      $rename: { name: 'title' },
      $bit: { flags: { and: 5 } },
      $push: { q: { $each: [1, 2], $position: 0, $sort: -1, $slice: 5 }, r: { $each: [3, 4] }, u: { $each: [0, -1], $position: 0 } },
      $pop: { s: 1, t: -1 },
      $pull: { v: { $in: [1, 2] }, w: { score: { $lt: 60 } } },
      $pullAll: { x: [7, 8] },
      $addToSet: { y: 'z', z: { $each: ['k', 'l'] } },
    }
  );
  assert.throws(() => V.encodeUpdate({ n: _.gt(1) }), /query command/);
  assert.equal(V.hasUpdateCommand({ a: { b: _.inc(1) } }), true);
  assert.equal(V.hasUpdateCommand({ a: { b: 1 }, p: Geo.Point(1, 1) }), false);
});

test('add: values as the /web dialect carries them', () => {
  const due = new Date('2024-01-02T03:04:05Z');
  assert.deepEqual(V.encode({ title: 'hello', done: false, n: 5, tags: ['a'], createdAt: db.serverDate(), due, loc: new Geo.Point(113.3, 23.1), r: db.RegExp({ regexp: 'a' }), f() {}, u: undefined }), {
    title: 'hello',
    done: false,
    n: 5,
    tags: ['a'],
    createdAt: { $date: { offset: 0 } },
    due: { $date: 1704164645000 },
    loc: { type: 'Point', coordinates: [113.3, 23.1] },
    r: { $regex: 'a', $options: '' },
  });
});

test('aggregate: stages as {stageKey, stageValue: JSON}, $ operators, lookup pipelines', () => {
  const a = todos.aggregate().match({ done: false, n: _.gt(1) }).group({ _id: '$done', total: $.sum('$n'), avg: $.avg('$n') }).sort({ total: -1 }).limit(10);
  assert.deepEqual(a._stages, [
    { stageKey: '$match', stageValue: '{"done":false,"n":{"$gt":1}}' },
    { stageKey: '$group', stageValue: '{"_id":"$done","total":{"$sum":"$n"},"avg":{"$avg":"$n"}}' },
    { stageKey: '$sort', stageValue: '{"total":-1}' },
    { stageKey: '$limit', stageValue: '10' },
  ]);
  const pipeline = $.pipeline().match(_.expr($.eq(['$owner', '$$me']))).project({ _id: 0 }).done();
  assert.deepEqual(pipeline, [{ $match: { $expr: { $eq: ['$owner', '$$me'] } } }, { $project: { _id: 0 } }]);
  const l = todos.aggregate().lookup({ from: 'users', let: { me: '$_openid' }, pipeline, as: 'owner' });
  assert.deepEqual(JSON.parse(l._stages[0].stageValue).pipeline, pipeline);
  assert.equal($.neq([1, 2]).$ne.length, 2);
  for (const name of ['addFields', 'bucket', 'bucketAuto', 'count', 'geoNear', 'group', 'limit', 'lookup', 'match', 'project', 'replaceRoot', 'sample', 'skip', 'sort', 'sortByCount', 'unwind', 'end']) {
    assert.equal(typeof todos.aggregate()[name], 'function', name);
  }
  const g = todos.aggregate().geoNear({ near: Geo.Point(1, 2), distanceField: 'd', spherical: true, query: { n: _.gt(1) } });
  assert.deepEqual(JSON.parse(g._stages[0].stageValue), { near: { type: 'Point', coordinates: [1, 2] }, distanceField: 'd', spherical: true, query: { n: { $gt: 1 } } });
});

test('db.command has every query, logic and update operator of wx.cloud', () => {
  const names = 'eq neq lt lte gt gte in nin and or nor not exists size mod all elemMatch geoNear geoWithin geoIntersects expr set remove inc mul min max rename push pop shift unshift pull pullAll addToSet bit'.split(' ');
  for (const n of names) assert.equal(typeof _[n], 'function', n);
  assert.deepEqual(_.project.slice([1, 2]), { $slice: [1, 2] });
  assert.equal(typeof _.aggregate.dateToString, 'function');
});

test('results: relaxed and canonical Extended JSON become Dates, numbers, Geo objects', () => {
  const d = V.decode({
    a: { $date: '2024-05-01T08:00:00Z' },
    b: { $date: { $numberLong: '1000' } },
    c: { $numberInt: '3' },
    e: { $numberDouble: '1.5' },
    f: [{ $date: 0 }],
    g: { type: 'Point', coordinates: [1, 2] },
    h: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
    i: { type: 'Point', coordinates: [1, 2], extra: 1 },
    j: { nested: { $date: 5 } },
    k: null,
  });
  assert.ok(d.a instanceof Date && d.a.toISOString() === '2024-05-01T08:00:00.000Z');
  assert.equal(d.b.getTime(), 1000);
  assert.equal(d.c, 3);
  assert.equal(d.e, 1.5);
  assert.equal(d.f[0].getTime(), 0);
  assert.ok(d.g instanceof Geo.Point);
  assert.equal(d.g.longitude, 1);
  assert.deepEqual(d.h.toJSON(), { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] });
  assert.deepEqual(d.i, { type: 'Point', coordinates: [1, 2], extra: 1 });
  assert.equal(d.j.nested.getTime(), 5);
  assert.equal(d.k, null);
});
