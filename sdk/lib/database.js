'use strict';
// wx.cloud.database(): collections, queries, documents and aggregation over the /web
// database actions, with wx.cloud's result shapes and errMsg strings.

const { typeOf, isPlainObject, call, cloudError } = require('./util');
const V = require('./values');

const { QueryCommand, LogicCommand, UpdateCommand, listArgs } = V;

// ---------------------------------------------------------------- db.command

// MongoDB's aggregation expression operators (db.command.aggregate, usually `$`).
const AGGREGATE_OPERATORS = (
  'abs add ceil divide exp floor ln log log10 mod multiply pow round sqrt subtract trunc ' +
  'arrayElemAt arrayToObject concatArrays filter first in indexOfArray isArray last map objectToArray range reduce ' +
  'reverseArray size slice zip and not or cmp eq gt gte lt lte neq cond ifNull switch ' +
  'dateFromParts dateFromString dateToParts dateToString dayOfMonth dayOfWeek dayOfYear hour isoDayOfWeek isoWeek ' +
  'isoWeekYear millisecond minute month second week year literal mergeObjects allElementsTrue anyElementTrue ' +
  'setDifference setEquals setIntersection setIsSubset setUnion concat indexOfBytes indexOfCP ltrim rtrim trim split ' +
  'strLenBytes strLenCP strcasecmp substr substrBytes substrCP toLower toUpper regexFind regexFindAll regexMatch ' +
  'replaceOne replaceAll addToSet avg max min push stdDevPop stdDevSamp sum let meta convert toBool toDate toDecimal ' +
  'toDouble toInt toLong toObjectId toString type isNumber getField'
).split(' ');

function AggregationOperator(name, param) {
  this['$' + name] = param;
}

function buildAggregateNamespace() {
  const ns = { pipeline: () => new Aggregate(null, null) };
  AGGREGATE_OPERATORS.forEach((name) => {
    const op = name === 'neq' ? 'ne' : name;
    ns[name] = (param) => new AggregationOperator(op, param);
  });
  return ns;
}

const command = {
  eq: (v) => new QueryCommand('eq', [v]),
  neq: (v) => new QueryCommand('neq', [v]),
  lt: (v) => new QueryCommand('lt', [v]),
  lte: (v) => new QueryCommand('lte', [v]),
  gt: (v) => new QueryCommand('gt', [v]),
  gte: (v) => new QueryCommand('gte', [v]),
  in: (list) => new QueryCommand('in', list),
  nin: (list) => new QueryCommand('nin', list),
  all: (list) => new QueryCommand('all', list),
  elemMatch: (cond) => new QueryCommand('elemMatch', [cond]),
  exists: (v) => new QueryCommand('exists', [v]),
  size: (n) => new QueryCommand('size', [n]),
  mod: function () {
    return new QueryCommand('mod', Array.prototype.slice.call(arguments));
  },
  geoNear: (opts) => new QueryCommand('geoNear', [opts]),
  geoWithin: (opts) => new QueryCommand('geoWithin', [opts]),
  geoIntersects: (opts) => new QueryCommand('geoIntersects', [opts]),
  and: function () {
    return new LogicCommand('and', listArgs(arguments));
  },
  or: function () {
    return new LogicCommand('or', listArgs(arguments));
  },
  nor: function () {
    return new LogicCommand('nor', listArgs(arguments));
  },
  not: (cmd) => new LogicCommand('not', [cmd]),
  expr: (e) => ({ $expr: e }),
  set: (v) => new UpdateCommand('set', [v]),
  remove: () => new UpdateCommand('remove', []),
  inc: (n) => new UpdateCommand('inc', [n]),
  mul: (n) => new UpdateCommand('mul', [n]),
  min: (v) => new UpdateCommand('min', [v]),
  max: (v) => new UpdateCommand('max', [v]),
  rename: (name) => new UpdateCommand('rename', [name]),
  bit: (v) => new UpdateCommand('bit', [v]),
  push: function () {
    const first = arguments[0];
    let values;
    if (isPlainObject(first) && Object.prototype.hasOwnProperty.call(first, 'each')) {
      values = {};
      if (first.each !== undefined) values.$each = first.each;
      if (first.position !== undefined) values.$position = first.position;
      if (first.sort !== undefined) values.$sort = first.sort;
      if (first.slice !== undefined) values.$slice = first.slice;
    } else {
      values = listArgs(arguments);
    }
    return new UpdateCommand('push', values);
  },
  pop: () => new UpdateCommand('pop', []),
  shift: () => new UpdateCommand('shift', []),
  unshift: function () {
    return new UpdateCommand('unshift', listArgs(arguments));
  },
  pull: (v) => new UpdateCommand('pull', v),
  pullAll: (list) => new UpdateCommand('pullAll', list),
  addToSet: (v) => new UpdateCommand('addToSet', v),
  project: {
    slice: (v) => ({ $slice: v }),
    elemMatch: (q) => ({ $elemMatch: V.encodeQuery(q) }),
  },
  aggregate: buildAggregateNamespace(),
};

// ---------------------------------------------------------------- operations
// Each runs through util.call: wx-style callbacks or a promise, "<api>:ok" / ":fail".

function checkInteger(name, n) {
  if (typeof n !== 'number' || !isFinite(n) || Math.floor(n) !== n || n < 0) throw new TypeError(name + ' must be a non-negative integer');
}

function projectionOf(p) {
  if (!isPlainObject(p)) throw new TypeError('field() needs an object such as {title: true}');
  const out = {};
  Object.keys(p).forEach((k) => {
    const v = p[k];
    if (v && typeof v === 'object') out[k] = V.encode(v);
    else out[k] = v ? 1 : 0;
  });
  return out;
}

function checkData(opts, api) {
  if (!opts || typeof opts !== 'object') throw new TypeError(api + ' needs {data}');
  const data = opts.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('data must be a non-empty object');
  if (Object.prototype.hasOwnProperty.call(data, '_id')) throw new TypeError('data must not change _id');
  return data;
}

function notSupported(what) {
  return cloudError(what + ':fail ' + what + ' is not supported yet by Minicloud', -1);
}

// ---------------------------------------------------------------- Query

class Query {
  constructor(db, coll, state) {
    this._db = db;
    this._coll = coll;
    this._state = state || { orders: [] };
  }

  get collectionName() {
    return this._coll;
  }

  _with(change) {
    return new Query(this._db, this._coll, Object.assign({}, this._state, change));
  }

  where(q) {
    if (typeOf(q) !== 'Object') throw new TypeError('where() needs an object');
    const keys = Object.keys(q);
    if (keys.length && isPlainObject(q) && keys.every((k) => q[k] === undefined)) throw new TypeError('where(): every value of the query is undefined');
    return this._with({ filter: V.encodeQuery(q) });
  }

  orderBy(field, direction) {
    if (typeof field !== 'string' || !field) throw new TypeError('orderBy() needs a field path');
    if (direction !== 'asc' && direction !== 'desc') throw new TypeError('orderBy() direction must be "asc" or "desc"');
    return this._with({ orders: this._state.orders.concat([{ field, direction }]) });
  }

  limit(n) {
    checkInteger('limit', n);
    return this._with({ limit: n });
  }

  skip(n) {
    checkInteger('skip', n);
    return this._with({ offset: n });
  }

  field(p) {
    return this._with({ projection: projectionOf(p) });
  }

  _params() {
    const s = this._state;
    const p = { collectionName: this._coll, queryType: 'WHERE' };
    if (s.filter) p.query = s.filter;
    if (s.orders.length) p.order = s.orders;
    if (s.offset) p.offset = s.offset;
    if (s.limit) p.limit = s.limit;
    if (s.projection) p.projection = s.projection;
    return p;
  }

  get(opts) {
    return call('collection.get', opts, async () => {
      const r = await this._db._t.action('database.queryDocument', this._params());
      return { data: V.decode(r.data.list || []) };
    });
  }

  count(opts) {
    return call('collection.count', opts, async () => {
      const p = { collectionName: this._coll, queryType: 'WHERE' };
      if (this._state.filter) p.query = this._state.filter;
      const r = await this._db._t.action('database.countDocument', p);
      return { total: r.data.total };
    });
  }

  // where(...).update({data}) and .remove(): batch writes over the caller's documents
  update(opts) {
    return call('collection.update', opts, async () => {
      const data = V.encodeUpdate(checkData(opts, 'update()'));
      const p = { collectionName: this._coll, queryType: 'WHERE', data, multi: true, merge: true, upsert: false };
      if (this._state.filter) p.query = this._state.filter;
      const r = await this._db._t.action('database.updateDocument', p);
      return { stats: { updated: r.data.updated || 0 } };
    });
  }

  remove(opts) {
    return call('collection.remove', opts, async () => {
      const p = { collectionName: this._coll, queryType: 'WHERE', multi: true };
      if (this._state.filter) p.query = this._state.filter;
      const r = await this._db._t.action('database.deleteDocument', p);
      return { stats: { removed: r.data.deleted || 0 } };
    });
  }

  watch(opts) {
    return watchUnsupported(opts);
  }
}

// watch() exists (code that calls it keeps loading) but realtime updates are not
// served yet: onError hears why, or the call throws when there is no onError.
function watchUnsupported(opts) {
  const err = notSupported('watch');
  err.errMsg = err.message = 'watch:fail realtime database watch() is not supported yet by Minicloud';
  if (!opts || typeof opts.onError !== 'function') throw err;
  setTimeout(() => opts.onError(err), 0);
  return { close: () => Promise.resolve() };
}

// ---------------------------------------------------------------- CollectionReference

class CollectionReference extends Query {
  constructor(db, name) {
    super(db, name);
  }

  doc(id) {
    if (typeof id !== 'string' && typeof id !== 'number') throw new TypeError('doc() needs a document id (string or number)');
    return new DocumentReference(this._db, this._coll, id);
  }

  add(opts) {
    return call('collection.add', opts, async () => {
      if (!opts || typeof opts !== 'object' || !opts.data || typeof opts.data !== 'object') throw new TypeError('add() needs {data}');
      const many = Array.isArray(opts.data);
      const r = await this._db._t.action('database.addDocument', { collectionName: this._coll, data: V.encode(opts.data) });
      return many ? { _ids: r.data.insertedIds || [] } : { _id: r.data._id !== undefined ? r.data._id : (r.data.insertedIds || [])[0] };
    });
  }

  aggregate() {
    return new Aggregate(this._db, this._coll);
  }
}

// ---------------------------------------------------------------- DocumentReference

class DocumentReference {
  constructor(db, coll, id, projection) {
    this._db = db;
    this._coll = coll;
    this._id = id;
    this._projection = projection;
  }

  get collection() {
    return new CollectionReference(this._db, this._coll);
  }

  field(p) {
    return new DocumentReference(this._db, this._coll, this._id, projectionOf(p));
  }

  get(opts) {
    return call('document.get', opts, async () => {
      const p = { collectionName: this._coll, queryType: 'DOC', query: { _id: this._id }, multi: false };
      if (this._projection) p.projection = this._projection;
      const r = await this._db._t.action('database.queryDocument', p);
      const list = r.data.list || [];
      if (list.length === 0) {
        if (this._db.config.throwOnNotFound === false) return { data: null };
        throw new Error('document with _id ' + this._id + ' does not exist');
      }
      return { data: V.decode(list[0]) };
    });
  }

  set(opts) {
    return call('document.set', opts, async () => {
      const data = checkData(opts, 'set()');
      if (V.hasUpdateCommand(data)) throw new TypeError('set() replaces the document: update commands (db.command.inc, …) belong in update()');
      const r = await this._db._t.action('database.updateDocument', {
        collectionName: this._coll,
        queryType: 'DOC',
        query: { _id: this._id },
        data: V.encode(data),
        multi: false,
        merge: false,
        upsert: true,
      });
      const created = !!(r.data.upserted_id || r.data.upsert_id);
      return { _id: this._id, stats: { updated: created ? 0 : r.data.updated || 0, created: created ? 1 : 0 } };
    });
  }

  update(opts) {
    return call('document.update', opts, async () => {
      const data = V.encodeUpdate(checkData(opts, 'update()'));
      const r = await this._db._t.action('database.updateDocument', {
        collectionName: this._coll,
        queryType: 'DOC',
        query: { _id: this._id },
        data,
        multi: false,
        merge: true,
        upsert: false,
      });
      return { stats: { updated: r.data.updated || 0 } };
    });
  }

  remove(opts) {
    return call('document.remove', opts, async () => {
      const r = await this._db._t.action('database.deleteDocument', {
        collectionName: this._coll,
        queryType: 'DOC',
        query: { _id: this._id },
        multi: false,
      });
      return { stats: { removed: r.data.deleted || 0 } };
    });
  }

  watch(opts) {
    return watchUnsupported(opts);
  }
}

// ---------------------------------------------------------------- Aggregate

const STAGES = ['addFields', 'bucket', 'bucketAuto', 'count', 'facet', 'group', 'limit', 'lookup', 'project', 'replaceRoot',
  'replaceWith', 'sample', 'set', 'skip', 'sort', 'sortByCount', 'unset', 'unwind'];

class Aggregate {
  // db and coll are null for db.command.aggregate.pipeline() (a lookup sub-pipeline)
  constructor(db, coll) {
    this._db = db;
    this._coll = coll;
    this._stages = [];
  }

  _pipe(name, value) {
    this._stages.push({ stageKey: '$' + name, stageValue: JSON.stringify(value) });
    return this;
  }

  match(q) {
    return this._pipe('match', V.encodeQuery(q));
  }

  geoNear(opts) {
    const o = Object.assign({}, opts);
    if (o.near && typeof o.near.toJSON === 'function') o.near = o.near.toJSON();
    if (o.query) o.query = V.encodeQuery(o.query);
    return this._pipe('geoNear', V.encode(o));
  }

  // done() gives the stages as MongoDB pipeline objects (for lookup's pipeline)
  done() {
    return this._stages.map((s) => ({ [s.stageKey]: JSON.parse(s.stageValue) }));
  }

  end(opts) {
    return call('collection.aggregate', opts, async () => {
      if (!this._db) throw new Error('a pipeline() is not run on its own: pass its done() to lookup({pipeline})');
      const r = await this._db._t.action('database.aggregate', { collectionName: this._coll, stages: this._stages });
      let list = r.data.list;
      // CloudBase's /web answer: a JSON string of an array of Extended JSON strings
      if (typeof list === 'string') list = JSON.parse(list);
      list = (list || []).map((it) => V.decode(typeof it === 'string' ? JSON.parse(it) : it));
      return { list };
    });
  }
}
STAGES.forEach((name) => {
  Aggregate.prototype[name] = function (param) {
    return this._pipe(name, V.encode(param));
  };
});

// ---------------------------------------------------------------- Database

class Database {
  constructor(transport, config) {
    this._t = transport;
    this.config = Object.assign({ throwOnNotFound: true }, config || {});
    this.command = command;
    this.Geo = V.Geo;
  }

  collection(name) {
    if (typeof name !== 'string' || !name) throw new TypeError('collection() needs a collection name');
    return new CollectionReference(this, name);
  }

  serverDate(opts) {
    return new V.ServerDate(opts);
  }

  RegExp(opts) {
    return new V.DbRegExp(opts);
  }
}

module.exports = { Database, command, Aggregate, CollectionReference, DocumentReference, Query };
