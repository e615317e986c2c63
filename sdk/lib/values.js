'use strict';
// The database's special values (Geo, serverDate, RegExp) and commands (db.command),
// and how values travel: to the server as the JSON of the /web dialect
// (Date → {$date: ms}, serverDate → {$date: {offset}}, RegExp → {$regex, $options},
// Geo → GeoJSON), and back from it (relaxed or canonical Extended JSON → Date, Number,
// Geo objects), as wx.cloud hands them to the app.

const { typeOf, isPlainObject } = require('./util');

// ---------------------------------------------------------------- Geo
//
// db.Geo.Point(lng, lat) works with and without `new`, as in wx.cloud.

function checkDegree(which, v) {
  if (typeof v !== 'number' || isNaN(v)) throw new TypeError('Geo.Point ' + which + ' must be a number');
  const max = which === 'latitude' ? 90 : 180;
  if (Math.abs(v) > max) throw new RangeError(which + ' must be between -' + max + ' and ' + max);
}

function eachPoint(points, what, min) {
  if (!Array.isArray(points)) throw new TypeError(what + ' must be an array of Geo.Point');
  if (points.length < min) throw new Error(what + ' must hold at least ' + min + ' point' + (min > 1 ? 's' : ''));
  points.forEach((p) => {
    if (!(p instanceof Point)) throw new TypeError(what + ' must be an array of Geo.Point');
  });
}

const pair = (p) => [p.longitude, p.latitude];

function Point(longitude, latitude) {
  if (!(this instanceof Point)) return new Point(longitude, latitude);
  checkDegree('longitude', longitude);
  checkDegree('latitude', latitude);
  this.longitude = longitude;
  this.latitude = latitude;
}
Point.prototype.toJSON = function () {
  return { type: 'Point', coordinates: pair(this) };
};
Point.prototype.toString = function () {
  return '[' + this.longitude + ',' + this.latitude + ']';
};

function LineString(points) {
  if (!(this instanceof LineString)) return new LineString(points);
  eachPoint(points, 'LineString points', 2);
  this.points = points;
}
LineString.prototype.toJSON = function () {
  return { type: 'LineString', coordinates: this.points.map(pair) };
};
function closed(line) {
  const a = line.points[0];
  const b = line.points[line.points.length - 1];
  return a.longitude === b.longitude && a.latitude === b.latitude;
}

function Polygon(lines) {
  if (!(this instanceof Polygon)) return new Polygon(lines);
  if (!Array.isArray(lines) || lines.length === 0) throw new TypeError('Polygon needs an array of at least one Geo.LineString');
  lines.forEach((l) => {
    if (!(l instanceof LineString)) throw new TypeError('Polygon needs an array of Geo.LineString');
    if (l.points.length < 4 || !closed(l)) throw new Error('each LineString of a Polygon must be a closed ring of at least 4 points');
  });
  this.lines = lines;
}
Polygon.prototype.toJSON = function () {
  return { type: 'Polygon', coordinates: this.lines.map((l) => l.points.map(pair)) };
};

function MultiPoint(points) {
  if (!(this instanceof MultiPoint)) return new MultiPoint(points);
  eachPoint(points, 'MultiPoint points', 1);
  this.points = points;
}
MultiPoint.prototype.toJSON = function () {
  return { type: 'MultiPoint', coordinates: this.points.map(pair) };
};

function MultiLineString(lines) {
  if (!(this instanceof MultiLineString)) return new MultiLineString(lines);
  if (!Array.isArray(lines) || lines.length === 0) throw new TypeError('MultiLineString needs an array of at least one Geo.LineString');
  lines.forEach((l) => {
    if (!(l instanceof LineString)) throw new TypeError('MultiLineString needs an array of Geo.LineString');
  });
  this.lines = lines;
}
MultiLineString.prototype.toJSON = function () {
  return { type: 'MultiLineString', coordinates: this.lines.map((l) => l.points.map(pair)) };
};

function MultiPolygon(polygons) {
  if (!(this instanceof MultiPolygon)) return new MultiPolygon(polygons);
  if (!Array.isArray(polygons) || polygons.length === 0) throw new TypeError('MultiPolygon needs an array of at least one Geo.Polygon');
  polygons.forEach((p) => {
    if (!(p instanceof Polygon)) throw new TypeError('MultiPolygon needs an array of Geo.Polygon');
  });
  this.polygons = polygons;
}
MultiPolygon.prototype.toJSON = function () {
  return { type: 'MultiPolygon', coordinates: this.polygons.map((pg) => pg.lines.map((l) => l.points.map(pair))) };
};

const Geo = { Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon };
const GEO_TYPES = [Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon];
const isGeo = (v) => GEO_TYPES.some((C) => v instanceof C);

// ---------------------------------------------------------------- serverDate, RegExp

function ServerDate(opts) {
  if (!(this instanceof ServerDate)) return new ServerDate(opts);
  const offset = opts && opts.offset !== undefined ? opts.offset : 0;
  if (typeof offset !== 'number' || isNaN(offset)) throw new TypeError('serverDate offset must be a number of milliseconds');
  this.offset = offset;
}
ServerDate.prototype.toJSON = function () {
  return { $date: { offset: this.offset } };
};

function DbRegExp(opts) {
  if (!(this instanceof DbRegExp)) return new DbRegExp(opts);
  if (!opts || typeof opts.regexp !== 'string' || !opts.regexp) throw new TypeError('db.RegExp needs {regexp: string, options?: string}');
  this.regexp = opts.regexp;
  this.options = opts.options || '';
}
DbRegExp.prototype.toJSON = function () {
  return { $regex: this.regexp, $options: this.options };
};

// ---------------------------------------------------------------- commands
//
// A command records an operator and its operands; the field it applies to is known
// only once it sits in a where() or update() object (withField).

function QueryCommand(operator, operands, field) {
  this.operator = operator;
  this.operands = operands;
  this.field = field;
}
function LogicCommand(operator, operands, field) {
  this.operator = operator;
  this.operands = operands;
  this.field = field;
}
function UpdateCommand(operator, operands, field) {
  this.operator = operator;
  this.operands = operands;
  this.field = field;
}

function listArgs(args) {
  return Array.isArray(args[0]) ? args[0].slice() : Array.prototype.slice.call(args);
}

// and/or on a command: _.gt(1).and(_.lt(5)), _.gt(1).or(_.lt(0))
function chainLogic(op) {
  return function () {
    const list = listArgs(arguments);
    list.unshift(this);
    return new LogicCommand(op, list, this.field);
  };
}
LogicCommand.prototype.and = chainLogic('and');
LogicCommand.prototype.or = chainLogic('or');
QueryCommand.prototype.and = chainLogic('and');
QueryCommand.prototype.or = chainLogic('or');
// _.gt(1).lt(5) means _.gt(1).and(_.lt(5))
['eq', 'neq', 'gt', 'gte', 'lt', 'lte'].forEach((op) => {
  QueryCommand.prototype[op] = function (v) {
    return this.and(new QueryCommand(op, [v]));
  };
});
QueryCommand.prototype.in = function (list) {
  return this.and(new QueryCommand('in', list));
};
QueryCommand.prototype.nin = function (list) {
  return this.and(new QueryCommand('nin', list));
};
// a command inside a document (e.g. _.all([_.elemMatch(...)])) encodes as its operator
QueryCommand.prototype.toJSON = function () {
  return operatorExpression(this);
};

const isCommand = (v) => v instanceof QueryCommand || v instanceof LogicCommand || v instanceof UpdateCommand;
const isSpecial = (v) => isCommand(v) || isGeo(v) || v instanceof ServerDate || v instanceof DbRegExp;

// ---------------------------------------------------------------- values to the wire

const OPS = { neq: '$ne', remove: '$unset', shift: '$pop', unshift: '$push' };
const opName = (op) => OPS[op] || '$' + op;

function checkCycle(v, seen) {
  if (seen.indexOf(v) >= 0) throw new TypeError('Cannot convert circular structure to JSON');
}

// encode turns an app value into the JSON the /web dialect carries.
function encode(v, seen) {
  seen = seen || [];
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof QueryCommand) return operatorExpression(v);
  if (v instanceof LogicCommand || v instanceof UpdateCommand) {
    throw new TypeError('a db.command ' + v.operator + '() cannot be used as a value here');
  }
  if (isGeo(v) || v instanceof ServerDate || v instanceof DbRegExp) return v.toJSON();
  const t = typeOf(v);
  if (t === 'Date') return { $date: v.getTime() };
  if (t === 'RegExp') return { $regex: v.source, $options: v.flags };
  checkCycle(v, seen);
  const next = seen.concat([v]);
  if (Array.isArray(v)) return v.map((x) => encode(x, next));
  if (t === 'ArrayBuffer' || ArrayBuffer.isView(v)) throw new TypeError('binary values are not supported in documents');
  const out = {};
  Object.keys(v).forEach((k) => {
    const x = v[k];
    if (x !== undefined && typeof x !== 'function') out[k] = encode(x, next);
  });
  return out;
}

// operatorExpression is a query command without its field: _.gt(1) → {$gt: 1};
// _.gt(1).lt(5) → {$gt: 1, $lt: 5} (for elemMatch on scalars, pull …).
function operatorExpression(cmd) {
  if (cmd instanceof QueryCommand) {
    const c = comparison(new QueryCommand(cmd.operator, cmd.operands, '\u0000'));
    return c['\u0000'];
  }
  if (cmd instanceof LogicCommand && cmd.operator === 'and' && cmd.operands.every((o) => o instanceof QueryCommand)) {
    const out = {};
    cmd.operands.forEach((o) => Object.assign(out, operatorExpression(o)));
    return out;
  }
  throw new TypeError('db.command.' + cmd.operator + '() cannot be used without a field here');
}

// flatten turns nested plain objects into dotted paths ({a: {b: 1}} → {'a.b': 1}),
// keeping operator objects ({$gt: 1}) and special values whole, dropping undefined
// fields and empty objects: the rule of CloudBase's query and update serializers.
function flatten(obj, seen) {
  seen = seen || [obj];
  const out = {};
  Object.keys(obj).forEach((key) => {
    const v = obj[key];
    if (v === undefined) return;
    if (key.charAt(0) === '$' || !isPlainObject(v)) {
      out[key] = v;
      return;
    }
    checkCycle(v, seen);
    const child = flatten(v, seen.concat([v]));
    let ops = null;
    Object.keys(child).forEach((ck) => {
      if (ck.charAt(0) === '$') (ops || (ops = {}))[ck] = child[ck];
      else out[key + '.' + ck] = child[ck];
    });
    if (ops) out[key] = ops;
  });
  return out;
}

// ---------------------------------------------------------------- queries

function withField(cmd, field) {
  if (cmd instanceof QueryCommand) return new QueryCommand(cmd.operator, cmd.operands, field);
  if (cmd instanceof LogicCommand) {
    const ops = cmd.operands.map((o) => (o instanceof QueryCommand || o instanceof LogicCommand ? withField(o, field) : o));
    return new LogicCommand(cmd.operator, ops, field);
  }
  return new UpdateCommand(cmd.operator, cmd.operands, field);
}

function needField(cmd) {
  if (cmd.field === undefined) throw new Error('db.command.' + cmd.operator + '() needs a field: use it as the value of a field in where()');
}

function geometry(opts, what) {
  if (!opts || !opts.geometry || typeof opts.geometry.toJSON !== 'function') throw new TypeError(what + ' needs {geometry: a db.Geo value}');
  return opts.geometry.toJSON();
}

function comparison(cmd) {
  needField(cmd);
  const o = {};
  const op = cmd.operator;
  switch (op) {
    case 'in':
    case 'nin':
    case 'all':
      if (!Array.isArray(cmd.operands)) throw new TypeError('db.command.' + op + '() needs an array');
      o[cmd.field] = { ['$' + op]: encode(cmd.operands) };
      return o;
    case 'mod': {
      const a = cmd.operands;
      o[cmd.field] = { $mod: encode(a.length === 1 && Array.isArray(a[0]) ? a[0] : a) };
      return o;
    }
    case 'elemMatch': {
      const q = cmd.operands[0];
      o[cmd.field] = { $elemMatch: isCommand(q) ? operatorExpression(q) : encodeQuery(q) };
      return o;
    }
    case 'geoNear': {
      const opts = cmd.operands[0];
      const near = { $geometry: geometry(opts, 'geoNear') };
      if (opts.maxDistance !== undefined) near.$maxDistance = opts.maxDistance;
      if (opts.minDistance !== undefined) near.$minDistance = opts.minDistance;
      o[cmd.field] = { $nearSphere: near };
      return o;
    }
    case 'geoWithin': {
      const opts = cmd.operands[0] || {};
      if (opts.centerSphere) {
        const cs = opts.centerSphere;
        if (!Array.isArray(cs) || cs.length !== 2 || typeof cs[1] !== 'number') throw new TypeError('geoWithin centerSphere must be [Geo.Point or [lng, lat], radius in radians]');
        const center = cs[0] instanceof Point ? pair(cs[0]) : cs[0];
        o[cmd.field] = { $geoWithin: { $centerSphere: [center, cs[1]] } };
      } else {
        o[cmd.field] = { $geoWithin: { $geometry: geometry(opts, 'geoWithin') } };
      }
      return o;
    }
    case 'geoIntersects':
      o[cmd.field] = { $geoIntersects: { $geometry: geometry(cmd.operands[0], 'geoIntersects') } };
      return o;
  }
  o[cmd.field] = { [opName(op)]: encode(cmd.operands[0]) };
  return o;
}

function logic(cmd) {
  const op = cmd.operator;
  if (op === 'not') {
    needField(cmd);
    const inner = cmd.operands[0];
    let expr;
    if (typeOf(inner) === 'RegExp' || inner instanceof DbRegExp) expr = encode(inner);
    else if (inner instanceof QueryCommand) expr = operatorExpression(inner);
    else if (inner instanceof LogicCommand) expr = operatorExpression(inner);
    else throw new TypeError('db.command.not() needs a query command or a regular expression');
    return { [cmd.field]: { $not: expr } };
  }
  const list = cmd.operands.map((o) => {
    if (o instanceof QueryCommand) return comparison(o);
    if (o instanceof LogicCommand) return logic(o);
    if (isPlainObject(o)) return encodeQueryObject(o);
    if (cmd.field !== undefined) return { [cmd.field]: encode(o) };
    throw new TypeError('db.command.' + op + '() needs query objects or commands');
  });
  return { [opName(op)]: list };
}

// merge adds an encoded condition to the query being built: {$and: [...]} lists
// concatenate, objects combine.
function merge(out, cond) {
  Object.keys(cond).forEach((k) => {
    const cur = out[k];
    const v = cond[k];
    if (Array.isArray(cur) && Array.isArray(v)) out[k] = cur.concat(v);
    else if (isPlainObject(cur) && isPlainObject(v)) out[k] = Object.assign({}, cur, v);
    else out[k] = v;
  });
}

function encodeQueryObject(q) {
  const flat = flatten(q);
  const out = {};
  Object.keys(flat).forEach((key) => {
    const v = flat[key];
    if (v instanceof QueryCommand) merge(out, comparison(withField(v, key)));
    else if (v instanceof LogicCommand) merge(out, logic(withField(v, key)));
    else if (v instanceof UpdateCommand) throw new TypeError('db.command.' + v.operator + '() is an update command: use it in update(), not in where()');
    else merge(out, { [key]: encode(v) });
  });
  return out;
}

// encodeQuery encodes where()'s argument: an object, or a top-level _.and/_.or/_.nor.
function encodeQuery(q) {
  if (q instanceof LogicCommand) return logic(q);
  if (q instanceof QueryCommand) return comparison(q);
  if (isPlainObject(q)) return encodeQueryObject(q);
  throw new TypeError('the query must be an object');
}

// ---------------------------------------------------------------- updates

const ARRAY_UPDATES = { push: 1, pull: 1, pullAll: 1, pop: 1, shift: 1, unshift: 1, addToSet: 1 };

function updateCommand(cmd) {
  needField(cmd);
  const f = cmd.field;
  const op = cmd.operator;
  const $op = opName(op);
  let v;
  if (!ARRAY_UPDATES[op]) {
    v = op === 'remove' ? '' : encode(cmd.operands[0]);
  } else {
    switch (op) {
      case 'push':
        v = Array.isArray(cmd.operands) ? { $each: encode(cmd.operands) } : encode(cmd.operands);
        break;
      case 'unshift':
        v = { $each: encode(cmd.operands), $position: 0 };
        break;
      case 'pop':
        v = 1;
        break;
      case 'shift':
        v = -1;
        break;
      case 'pull':
        v = pullCondition(cmd.operands);
        break;
      case 'addToSet': {
        const a = cmd.operands;
        v = isPlainObject(a) && Array.isArray(a.each) && Object.keys(a).length === 1 ? { $each: encode(a.each) } : encode(a);
        break;
      }
      default:
        v = encode(cmd.operands);
    }
  }
  return { [$op]: { [f]: v } };
}

// pull takes a value, a query command (_.pull(_.in([1, 2]))) or a condition on the
// array's documents (_.pull({score: _.lt(60)})).
function pullCondition(c) {
  if (isCommand(c)) return operatorExpression(c);
  if (isPlainObject(c)) {
    const out = {};
    Object.keys(c).forEach((k) => {
      out[k] = isCommand(c[k]) ? operatorExpression(c[k]) : encode(c[k]);
    });
    return out;
  }
  return encode(c);
}

// encodeUpdate encodes update()'s data: plain values become $set (nested objects by
// dotted path), commands their operators.
function encodeUpdate(data) {
  if (data instanceof UpdateCommand) needField(data);
  if (!isPlainObject(data)) throw new TypeError('update data must be an object');
  const flat = flatten(data);
  const out = {};
  Object.keys(flat).forEach((key) => {
    const v = flat[key];
    let cond;
    if (key.charAt(0) === '$') cond = { [key]: encode(v) };
    else if (v instanceof UpdateCommand) cond = updateCommand(withField(v, key));
    else if (v instanceof QueryCommand || v instanceof LogicCommand) throw new TypeError('db.command.' + v.operator + '() is a query command: use it in where(), not in update()');
    else cond = { $set: { [key]: encode(v) } };
    Object.keys(cond).forEach((op) => {
      out[op] = isPlainObject(out[op]) && isPlainObject(cond[op]) ? Object.assign(out[op], cond[op]) : cond[op];
    });
  });
  return out;
}

// hasUpdateCommand: set() replaces a document and takes no update operators.
function hasUpdateCommand(v, seen) {
  seen = seen || [];
  if (v instanceof UpdateCommand) return true;
  if (!v || typeof v !== 'object' || isSpecial(v) || seen.indexOf(v) >= 0) return false;
  const next = seen.concat([v]);
  return Object.keys(v).some((k) => hasUpdateCommand(v[k], next));
}

// ---------------------------------------------------------------- values from the wire

function geoFrom(v) {
  const c = v.coordinates;
  const isPair = (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'number';
  const isLine = (l) => Array.isArray(l) && l.length >= 2 && l.every(isPair);
  const pt = (p) => new Point(p[0], p[1]);
  const line = (l) => new LineString(l.map(pt));
  try {
    switch (v.type) {
      case 'Point':
        return isPair(c) ? pt(c) : null;
      case 'LineString':
        return isLine(c) ? line(c) : null;
      case 'Polygon':
        return Array.isArray(c) && c.length > 0 && c.every(isLine) ? new Polygon(c.map(line)) : null;
      case 'MultiPoint':
        return Array.isArray(c) && c.length > 0 && c.every(isPair) ? new MultiPoint(c.map(pt)) : null;
      case 'MultiLineString':
        return Array.isArray(c) && c.length > 0 && c.every(isLine) ? new MultiLineString(c.map(line)) : null;
      case 'MultiPolygon':
        return Array.isArray(c) && c.length > 0 && c.every((pg) => Array.isArray(pg) && pg.length > 0 && pg.every(isLine))
          ? new MultiPolygon(c.map((pg) => new Polygon(pg.map(line))))
          : null;
    }
  } catch (e) {
    return null; // not a valid geometry: leave it a plain object
  }
  return null;
}

function dateFrom(x) {
  if (typeof x === 'number') return new Date(x);
  if (typeof x === 'string') return new Date(x);
  if (x && typeof x === 'object' && typeof x.$numberLong === 'string') return new Date(Number(x.$numberLong));
  return null;
}

// decode turns a result document (relaxed or canonical Extended JSON) into what the
// app sees: Dates, numbers, Geo objects.
function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const k = keys[0];
    const x = v[k];
    switch (k) {
      case '$date': {
        const d = dateFrom(x);
        if (d) return d;
        break;
      }
      case '$numberInt':
      case '$numberLong':
      case '$numberDouble':
      case '$numberDecimal':
        if (typeof x === 'string') return Number(x);
        break;
      case '$oid':
        if (typeof x === 'string') return x;
        break;
    }
  }
  if (typeof v.type === 'string' && Array.isArray(v.coordinates) && keys.length === 2) {
    const g = geoFrom(v);
    if (g) return g;
  }
  const out = {};
  keys.forEach((k) => {
    out[k] = decode(v[k]);
  });
  return out;
}

module.exports = {
  Geo,
  Point,
  ServerDate,
  DbRegExp,
  QueryCommand,
  LogicCommand,
  UpdateCommand,
  isCommand,
  encode,
  encodeQuery,
  encodeUpdate,
  hasUpdateCommand,
  operatorExpression,
  decode,
  listArgs,
};
