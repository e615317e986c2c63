// Minicloud's wx-server-sdk and @cloudbase/node-sdk modules for cloud functions.
//
// This file is evaluated once per VM by the Go side (wxsdk.go), which passes `native`,
// the bridge into Go (bridge.go, actions.go): encoding of where() conditions, updates
// and values to EJSON, the database actions, function calls, logs, the caller's
// context and storage. It returns the two module factories. Everything here is written for Minicloud; the behaviour it reproduces (the
// query and update serialization rules, result shapes, error objects and messages) is
// that of wx-server-sdk 4.0.2 over @cloudbase/node-sdk 3.x and @cloudbase/database 1.4.3,
// checked request by request against the real packages (testdata/golden).
(function (native) {
  'use strict';

  // ------------------------------------------------------------------ helpers

  var objToString = Object.prototype.toString;
  var hasOwn = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var tag = function (x) { return objToString.call(x).slice(8, -1); };
  var kindOf = function (x) { return tag(x).toLowerCase(); };
  var isObject = function (x) { return objToString.call(x) === '[object Object]'; };
  var isArray = Array.isArray;
  var isString = function (x) { return kindOf(x) === 'string'; };
  var isNumber = function (x) { return kindOf(x) === 'number'; };

  var SYMBOL_CURRENT_ENV = Symbol.for('SYMBOL_CURRENT_ENV');
  var SYMBOL_DEFAULT_ENV = Symbol.for('SYMBOL_DEFAULT_ENV');

  // CloudBase error codes as wx-server-sdk numbers them, and the text it shows for them.
  var TCB_CODE = {
    SUCCESS: 0, SYS_ERR: -501001, SERVER_TIMEOUT: -501002, EXCEED_REQUEST_LIMIT: -501003,
    EXCEED_CONCURRENT_REQUEST_LIMIT: -501004, INVALIID_ENV: -501005, INVALID_COMMON_PARAM: -501006,
    INVALID_PARAM: -501007, INVALID_REQUEST_SOURCE: -501008, RESOURCE_NOT_INITIAL: -501009,
    DATABASE_REQUEST_FAILED: -502001, DATABASE_INVALID_OPERRATOR: -502002, DATABASE_PERMISSION_DENIED: -502003,
    DATABASE_COLLECTION_EXCEED_LIMIT: -502004, DATABASE_COLLECTION_NOT_EXIST: -502005,
    STORAGE_REQUEST_FAIL: -503001, STORAGE_EXCEED_AUTHORITY: -503002, STORAGE_FILE_NONEXIST: -503003,
    STORAGE_SIGN_PARAM_INVALID: -503004, FUNCTIONS_REQUEST_FAIL: -504001, FUNCTIONS_EXECUTE_FAIL: -504002,
  };
  var CODE_TEXT = {
    '-1': 'unknown error',
    '-501001': 'resource system error', '-501002': 'resource server timeout', '-501003': 'exceed request limit',
    '-501004': 'exceed concurrent request limit', '-501005': 'invalid env', '-501006': 'invalid common parameters',
    '-501007': 'invalid parameters', '-501008': 'invalid request source', '-501009': 'resource not initialized',
    '-502001': 'database request fail', '-502002': 'database invalid command', '-502003': 'database permission denied',
    '-502004': 'database exceed collection limit', '-502005': 'database collection not exists',
    '-503001': 'storage request fail', '-503002': 'storage permission denied', '-503003': 'storage file not exists',
    '-503004': 'storage invalid sign parameter', '-504001': 'functions request fail', '-504002': 'functions execute fail',
  };
  var NOT_AVAILABLE = 'not available yet in Minicloud';

  // ------------------------------------------------------------------ errors

  // TcbError is node-sdk's request error: code and requestId are own properties.
  class TcbError extends Error {
    constructor(code, message, requestId) {
      super(message);
      this.code = code;
      this.requestId = requestId || '';
    }
  }
  // @cloudbase/database raises its own TcbError (no requestId) for invalid arguments.
  var ParamError = class TcbError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  };
  // CloudSDKError is wx-server-sdk's error for invalid arguments: its message is built
  // from errCode and errMsg.
  class CloudSDKError extends Error {
    constructor(options) {
      super(options.errMsg);
      Object.defineProperty(this, 'message', {
        get: function () { return 'errCode: ' + this.errCode + ' ' + (CODE_TEXT[this.errCode] || '') + ' | errMsg: ' + this.errMsg; },
        set: function (m) { this.errMsg = m; },
        configurable: true,
      });
      this.errCode = options.errCode || -1;
      this.errMsg = options.errMsg;
    }
  }

  function isSDKError(e) { return !!e && e instanceof Error && isString(e.errMsg); }

  // toSDKError gives every failure of a wx-server-sdk API its final form: an Error whose
  // message starts with "<api>:fail", with numeric errCode and errMsg.
  function toSDKError(e, api) {
    var err;
    if (e) {
      if (isSDKError(e)) return e;
      var prefix = api + ':fail ';
      if (e instanceof Error) {
        e.message = prefix + e.message;
        if (typeof e.stack === 'string') e.stack = e.stack.slice(0, 7) + prefix + e.stack.slice(7);
        err = e;
        err.errCode = -1;
      } else if (typeof e === 'string') {
        err = new Error(prefix + e);
        err.errCode = -1;
      } else {
        err = new Error(api + ':fail ' + e.errCode + ' ' + (CODE_TEXT[e.errCode] || '') + '. ' + (e.errMsg || ''));
        err.errCode = e.errCode || -1;
      }
      err.errMsg = err.message + '';
      return err;
    }
    err = new Error(api + ':fail');
    err.errCode = -1;
    err.errMsg = err.message + '';
    return err;
  }

  function codeNumber(code) { return TCB_CODE[code] || TCB_CODE.SYS_ERR; }

  // transformTcbError turns an error carrying a CloudBase code into {errCode, errMsg}.
  function transformTcbError(e) {
    if (e && e.code) return { errCode: codeNumber(e.code), errMsg: e.message };
    return e;
  }

  // wxCall runs one wx-server-sdk API body and shapes its failure.
  function wxCall(api, transform, body) {
    return new Promise(function (resolve, reject) {
      try {
        resolve(body());
      } catch (e) {
        reject(toSDKError(transform ? transformTcbError(e) : e, api));
      }
    });
  }

  function notAvailable(api) {
    var e = new Error(api + ':fail ' + NOT_AVAILABLE);
    e.errCode = -1;
    e.errMsg = e.message;
    return e;
  }

  // checkType reproduces wx-server-sdk's argument type assertion and its wording.
  function typeProblems(input, ref, name) {
    var inputType = kindOf(input);
    var refType = kindOf(ref);
    if (refType === 'string') {
      return inputType !== ref ? name + ' should be ' + ref + ' instead of ' + inputType + ';' : '';
    }
    if (inputType !== refType) return name + ' should be ' + refType + ' instead of ' + inputType + '; ';
    var out = '';
    if (inputType === 'object') {
      for (var k in ref) out += typeProblems(input[k], ref[k], name + '.' + k);
    } else if (inputType === 'array') {
      for (var i = 0; i < ref.length; i++) out += typeProblems(input[i], ref[i], name + '[' + i + ']');
    }
    return out;
  }
  function checkType(input, ref, name) {
    var problems = typeProblems(input, ref, name || 'parameter');
    if (problems) throw new CloudSDKError({ errMsg: problems });
  }
  function checkNotEmpty(target, name) {
    if (Object.keys(target).length === 0) throw new CloudSDKError({ errMsg: name + ' must not be empty' });
  }

  // ------------------------------------------------------------------ values

  // Internal is the base of every SDK value the serializers treat specially.
  class Internal {}

  function checkDegree(which, degree) {
    if (tag(degree) !== 'Number') throw new Error('Geo Point must be number type');
    var abs = Math.abs(degree);
    if (which === 'latitude' && abs > 90) throw new Error('latitude should be a number ranges from -90 to 90');
    if (which === 'longitude' && abs > 180) throw new Error('longitude should be a number ranges from -180 to 180');
    return true;
  }

  class Point extends Internal {
    constructor(longitude, latitude) {
      super();
      checkDegree('longitude', longitude);
      checkDegree('latitude', latitude);
      this.longitude = longitude;
      this.latitude = latitude;
    }
    toJSON() { return { type: 'Point', coordinates: [this.longitude, this.latitude] }; }
    toReadableString() { return '[' + this.longitude + ',' + this.latitude + ']'; }
  }
  var pairOf = function (p) { return [p.longitude, p.latitude]; };

  // checkGeoList checks the list argument of a Geo constructor with the SDK's messages:
  // an array (named name) of at least min items of Type (each named item, then passed
  // to each, if given), or few when it is too short.
  function checkGeoList(list, name, item, Type, typeName, min, few, each) {
    if (!isArray(list)) throw new TypeError('"' + name + '" must be of type ' + typeName + '[]. Received type ' + typeof list);
    if (list.length < min) throw new Error(few);
    for (var i = 0; i < list.length; i++) {
      if (!(list[i] instanceof Type)) {
        throw new TypeError('"' + item + '" must be of type ' + typeName + '[]. Received type ' + typeof list[i] + '[]');
      }
      if (each) each(list[i]);
    }
  }

  class LineString extends Internal {
    constructor(points) {
      super();
      checkGeoList(points, 'points', 'points', Point, 'Point', 2, '"points" must contain 2 points at least');
      this.points = points;
    }
    toJSON() { return { type: 'LineString', coordinates: this.points.map(pairOf) }; }
    static isClosed(line) {
      var a = line.points[0];
      var b = line.points[line.points.length - 1];
      return a.latitude === b.latitude && a.longitude === b.longitude;
    }
  }

  class Polygon extends Internal {
    constructor(lines) {
      super();
      checkGeoList(lines, 'lines', 'lines', LineString, 'LineString', 1, 'Polygon must contain 1 linestring at least', function (l) {
        if (!LineString.isClosed(l)) {
          throw new Error('LineString ' + l.points.map(function (p) { return p.toReadableString(); }) + ' is not a closed cycle');
        }
      });
      this.lines = lines;
    }
    toJSON() {
      return { type: 'Polygon', coordinates: this.lines.map(function (l) { return l.points.map(pairOf); }) };
    }
  }

  class MultiPoint extends Internal {
    constructor(points) {
      super();
      checkGeoList(points, 'points', 'points', Point, 'Point', 1, '"points" must contain 1 point at least');
      this.points = points;
    }
    toJSON() { return { type: 'MultiPoint', coordinates: this.points.map(pairOf) }; }
  }

  class MultiLineString extends Internal {
    constructor(lines) {
      super();
      checkGeoList(lines, 'lines', 'lines', LineString, 'LineString', 1, 'Polygon must contain 1 linestring at least');
      this.lines = lines;
    }
    toJSON() {
      return { type: 'MultiLineString', coordinates: this.lines.map(function (l) { return l.points.map(pairOf); }) };
    }
  }

  class MultiPolygon extends Internal {
    constructor(polygons) {
      super();
      checkGeoList(polygons, 'polygons', 'polygon', Polygon, 'Polygon', 1, 'MultiPolygon must contain 1 polygon at least');
      this.polygons = polygons;
    }
    toJSON() {
      return {
        type: 'MultiPolygon',
        coordinates: this.polygons.map(function (pg) { return pg.lines.map(function (l) { return l.points.map(pairOf); }); }),
      };
    }
  }

  var GeoClasses = { Point: Point, LineString: LineString, Polygon: Polygon, MultiPoint: MultiPoint, MultiLineString: MultiLineString, MultiPolygon: MultiPolygon };

  class ServerDate extends Internal {
    constructor({ offset = 0 } = {}) {
      super();
      this.offset = offset;
    }
    parse() { return { $tcb_server_date: { offset: this.offset } }; }
  }

  var DbRegExp = class RegExp extends Internal {
    constructor({ regexp, options }) {
      super();
      if (!regexp) throw new TypeError('regexp must be a string');
      this.$regularExpression = { pattern: regexp || '', options: options || '' };
    }
    parse() { return { $regularExpression: { pattern: this.$regularExpression.pattern, options: this.$regularExpression.options } }; }
  };

  class ObjectId extends Internal {
    constructor({ id = '' } = {}) {
      super();
      this.id = id;
    }
    parse() { return { $oid: this.id }; }
  }

  function serverDate(opt) { return new ServerDate(opt); }
  function dbRegExp(opt) { return new DbRegExp(opt); }
  function objectId(opt) { return new ObjectId(opt); }

  // ------------------------------------------------------------------ commands
  //
  // Commands only record what the user asked for; native.where / native.encodeUpdate
  // (query.go) turn them into the documents the real SDK sends.

  // UNSET is the field name of a command not yet attached to a field. It has no
  // enumerable properties, so a command that leaks into a document encodes as the real
  // SDK's does.
  var UNSET = Object.create(null);

  function LogicCommand(operator, operands, fieldName) {
    this.operator = operator;
    this.operands = operands;
    this.fieldName = fieldName || UNSET;
  }
  LogicCommand.prototype = Object.create(Internal.prototype);
  LogicCommand.prototype.constructor = LogicCommand;
  LogicCommand.prototype.and = function () {
    var list = isArray(arguments[0]) ? arguments[0] : Array.from(arguments);
    list.unshift(this);
    return new LogicCommand('and', list, this.fieldName);
  };
  LogicCommand.prototype.or = function () {
    var list = isArray(arguments[0]) ? arguments[0] : Array.from(arguments);
    list.unshift(this);
    return new LogicCommand('or', list, this.fieldName);
  };

  function QueryCommand(operator, operands, fieldName) {
    this.operator = operator;
    this.operands = operands;
    this.fieldName = fieldName || UNSET;
  }
  QueryCommand.prototype = Object.create(LogicCommand.prototype);
  QueryCommand.prototype.constructor = QueryCommand;
  QueryCommand.prototype.toJSON = function () {
    switch (this.operator) {
      case 'in': case 'nin': return single('$' + this.operator, this.operands);
      case 'neq': return { $ne: this.operands[0] };
      default: return single('$' + this.operator, this.operands[0]);
    }
  };
  QueryCommand.prototype._chain = function (op, operands) { return this.and(new QueryCommand(op, operands, this.fieldName)); };
  ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'].forEach(function (op) {
    QueryCommand.prototype[op] = function (v) { return this._chain(op, [v]); };
  });
  QueryCommand.prototype.in = function (list) { return this._chain('in', list); };
  QueryCommand.prototype.nin = function (list) { return this._chain('nin', list); };
  QueryCommand.prototype.geoNear = function (v) {
    if (!(v.geometry instanceof Point)) throw new TypeError('"geometry" must be of type Point. Received type ' + typeof v.geometry);
    if (v.maxDistance !== undefined && !isNumber(v.maxDistance)) throw new TypeError('"maxDistance" must be of type Number. Received type ' + typeof v.maxDistance);
    if (v.minDistance !== undefined && !isNumber(v.minDistance)) throw new TypeError('"minDistance" must be of type Number. Received type ' + typeof v.minDistance);
    return this._chain('geoNear', [v]);
  };
  QueryCommand.prototype.geoWithin = function (v) {
    if (!(v.geometry instanceof MultiPolygon) && !(v.geometry instanceof Polygon) && !checkCenterSphere(v.centerSphere)) {
      throw new TypeError('"geometry" must be of type Polygon or MultiPolygon. Received type ' + typeof v.geometry);
    }
    return this._chain('geoWithin', [v]);
  };
  QueryCommand.prototype.geoIntersects = function (v) {
    var g = v.geometry;
    if (!(g instanceof Point) && !(g instanceof LineString) && !(g instanceof Polygon) && !(g instanceof MultiPoint) && !(g instanceof MultiLineString) && !(g instanceof MultiPolygon)) {
      throw new TypeError('"geometry" must be of type Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon. Received type ' + typeof g);
    }
    return this._chain('geoIntersects', [v]);
  };

  function UpdateCommand(operator, operands, fieldName) {
    this.operator = operator;
    this.operands = operands;
    this.fieldName = fieldName || UNSET;
  }
  UpdateCommand.prototype = Object.create(Internal.prototype);
  UpdateCommand.prototype.constructor = UpdateCommand;

  class AggregationOperator {
    constructor(name, param) { this['$' + name] = param; }
  }
  class ProjectionOperator {
    constructor(name, param) { this['$' + name] = param; }
  }

  function single(key, value) { var o = {}; o[key] = value; return o; }

  function checkCenterSphere(cs) {
    if (isArray(cs) && cs.length === 2) {
      if (kindOf(cs[0]) === 'object' && cs[0] instanceof Point && typeof cs[1] === 'number') return true;
      if (isArray(cs[0]) && cs[0].length === 2) {
        checkDegree('longitude', cs[0][0]);
        checkDegree('latitude', cs[0][1]);
        if (typeof cs[1] === 'number') return true;
      }
    }
    throw new Error('centersPhere结构不合法');
  }

  function listArgs(args) { return isArray(args[0]) ? args[0] : Array.from(args); }

  // MongoDB's aggregation expression operators. Any other name works too (see below).
  var AGGREGATE_OPERATORS = ('abs add ceil divide exp floor ln log log10 mod multiply pow sqrt subtract trunc round ' +
    'arrayElemAt arrayToObject concatArrays filter in indexOfArray isArray map range reduce reverseArray size slice zip first last ' +
    'and not or cmp eq gt gte lt lte cond ifNull switch ' +
    'dateFromParts dateFromString dateToString dateToParts dayOfMonth dayOfWeek dayOfYear isoDayOfWeek isoWeek isoWeekYear ' +
    'millisecond minute month second hour week year dateAdd dateSubtract dateDiff dateTrunc ' +
    'literal mergeObjects objectToArray getField setField allElementsTrue anyElementTrue setDifference setEquals ' +
    'setIntersection setIsSubset setUnion concat indexOfBytes indexOfCP split strLenBytes strLenCP strcasecmp substr ' +
    'substrBytes substrCP toLower toUpper trim ltrim rtrim regexFind regexFindAll regexMatch replaceOne replaceAll ' +
    'meta addToSet avg max min push stdDevPop stdDevSamp sum let convert toBool toDate toDecimal toDouble toInt toLong ' +
    'toObjectId toString type isNumber sortArray maxN minN firstN lastN').split(' ');

  function aggregateOperator(name) {
    var op = name === 'neq' ? 'ne' : name;
    return function (param) { return new AggregationOperator(op, param); };
  }

  // The namespace makes operator functions on first use (a module is set up for every
  // instance, and most functions use a handful of operators).
  function buildAggregateNamespace() {
    var ns = { pipeline: function () { return new Aggregation(); } };
    var known = Object.create(null);
    AGGREGATE_OPERATORS.forEach(function (n) { known[n] = true; });
    known.neq = true;
    var names = ['pipeline'].concat(Object.keys(known));
    function operator(target, prop) {
      if (!hasOwn(target, prop)) target[prop] = aggregateOperator(prop);
      return target[prop];
    }
    return new Proxy(ns, {
      get: function (target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target) return Reflect.get(target, prop, receiver);
        if (known[prop]) return operator(target, prop);
        if (prop === 'then' || prop === 'toJSON' || prop in Object.prototype || !/^[A-Za-z][A-Za-z0-9]*$/.test(prop)) return undefined;
        return operator(target, prop);
      },
      has: function (target, prop) { return prop in target || (typeof prop === 'string' && known[prop] === true); },
      ownKeys: function (target) {
        var keys = names.slice();
        Reflect.ownKeys(target).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
        return keys;
      },
      getOwnPropertyDescriptor: function (target, prop) {
        if (typeof prop === 'string' && known[prop] === true) operator(target, prop);
        return Reflect.getOwnPropertyDescriptor(target, prop);
      },
    });
  }

  var Command = {
    eq: function (v) { return new QueryCommand('eq', [v]); },
    neq: function (v) { return new QueryCommand('neq', [v]); },
    lt: function (v) { return new QueryCommand('lt', [v]); },
    lte: function (v) { return new QueryCommand('lte', [v]); },
    gt: function (v) { return new QueryCommand('gt', [v]); },
    gte: function (v) { return new QueryCommand('gte', [v]); },
    in: function (v) { return new QueryCommand('in', v); },
    nin: function (v) { return new QueryCommand('nin', v); },
    all: function (v) { return new QueryCommand('all', v); },
    elemMatch: function (v) { return new QueryCommand('elemMatch', [v]); },
    exists: function (v) { return new QueryCommand('exists', [v]); },
    size: function (v) { return new QueryCommand('size', [v]); },
    mod: function () {
      if (arguments.length === 1) return new QueryCommand('mod', [arguments[0]]);
      if (arguments.length === 2) return new QueryCommand('mod', [[arguments[0], arguments[1]]]);
      return new QueryCommand('mod', Array.from(arguments));
    },
    geoNear: function (v) { return new QueryCommand('geoNear', [v]); },
    geoWithin: function (v) { return new QueryCommand('geoWithin', [v]); },
    geoIntersects: function (v) { return new QueryCommand('geoIntersects', [v]); },
    and: function () { return new LogicCommand('and', listArgs(arguments)); },
    nor: function () { return new LogicCommand('nor', listArgs(arguments)); },
    or: function () { return new LogicCommand('or', listArgs(arguments)); },
    not: function () { return new LogicCommand('not', listArgs(arguments)); },
    set: function (v) { return new UpdateCommand('set', [v]); },
    remove: function () { return new UpdateCommand('remove', []); },
    inc: function (v) { return new UpdateCommand('inc', [v]); },
    mul: function (v) { return new UpdateCommand('mul', [v]); },
    push: function () {
      var first = arguments[0];
      var values;
      if (isObject(first) && hasOwn(first, 'each')) {
        values = {};
        if (first.each !== undefined) values.$each = first.each;
        if (first.position !== undefined) values.$position = first.position;
        if (first.sort !== undefined) values.$sort = first.sort;
        if (first.slice !== undefined) values.$slice = first.slice;
      } else if (isArray(first)) {
        values = first;
      } else {
        values = Array.from(arguments);
      }
      return new UpdateCommand('push', values);
    },
    pull: function (v) { return new UpdateCommand('pull', v); },
    pullAll: function (v) { return new UpdateCommand('pullAll', v); },
    pop: function () { return new UpdateCommand('pop', []); },
    shift: function () { return new UpdateCommand('shift', []); },
    unshift: function () { return new UpdateCommand('unshift', listArgs(arguments)); },
    addToSet: function (v) { return new UpdateCommand('addToSet', v); },
    rename: function (v) { return new UpdateCommand('rename', [v]); },
    bit: function (v) { return new UpdateCommand('bit', [v]); },
    max: function (v) { return new UpdateCommand('max', [v]); },
    min: function (v) { return new UpdateCommand('min', [v]); },
    expr: function (v) { return { $expr: v }; },
    jsonSchema: function (s) { return { $jsonSchema: s }; },
    text: function (v) {
      if (isString(v)) return { $search: v.search };
      return { $search: v.search, $language: v.language, $caseSensitive: v.caseSensitive, $diacriticSensitive: v.diacriticSensitive };
    },
    aggregate: null,
    project: {
      slice: function (p) { return new ProjectionOperator('slice', p); },
      elemMatch: function (p) { return new ProjectionOperator('elemMatch', p); },
    },
  };

  function projectionOf(p) {
    var out = {};
    for (var k in p) {
      var v = p[k];
      if (typeof v === 'boolean') out[k] = v === true ? 1 : 0;
      if (typeof v === 'number') out[k] = v > 0 ? 1 : 0;
      if (typeof v === 'object') out[k] = v;
    }
    return out;
  }

  function checkInteger(name, n) {
    if (!Number.isInteger(n)) throw new Error(name + 'must be integer');
  }

  var OPTION_KEYS = ['limit', 'offset', 'projection', 'order', 'multiple', 'timeout', 'raw'];
  function checkOptions(options) {
    if (options === undefined) options = {};
    if (kindOf(options) !== 'object') throw new ParamError('INVALID_PARAM', 'options must be an object');
    Object.keys(options).forEach(function (k) {
      if (OPTION_KEYS.indexOf(k) < 0) throw new ParamError('INVALID_PARAM', k + ' is invalid options key');
    });
    if (options.limit !== undefined) checkInteger('limit', options.limit);
    if (options.offset !== undefined) checkInteger('offset', options.offset);
    if (options.multiple !== undefined && typeof options.multiple !== 'boolean') throw new Error('multiplemust be boolean');
    if (options.timeout !== undefined) checkInteger('timeout', options.timeout);
  }

  // ------------------------------------------------------------------ database operations
  //
  // A query is a chain: its collection (the root: _coll, and database or _db) and one
  // small step object per builder call ({_up, _k, _v, _r}: parent, kind, value, root),
  // so that building a query stays cheap in the VM. Operations resolve the chain
  // (resolve() below), following the SDK's rules: the latest where() wins, orderBy()s
  // accumulate, options() replaces every earlier option. They return node-sdk's result
  // shapes; invalid arguments throw ParamError, server failures TcbError (from
  // native.*). node-sdk returns their results; wx-server-sdk reshapes them.

  var EMPTY = Object.freeze({});
  var K_WHERE = 1;
  var K_ORDER = 2;
  var K_LIMIT = 3;
  var K_SKIP = 4;
  var K_FIELD = 5;
  var K_OPTIONS = 6;

  // ST holds the resolved query (the VM runs one call at a time).
  var ST = { filter: '', order: undefined, offset: undefined, limit: undefined, projection: undefined, multiple: undefined, raw: undefined };

  function rootOf(q) { return q._r === undefined ? q : q._r; }

  function resolve(q) {
    var filter;
    var haveFilter = false;
    var offset;
    var limit;
    var projection;
    var multiple;
    var raw;
    var orders = null;
    var base;
    var frozen = false;
    var n = q;
    for (;;) {
      var k = n._k;
      var v = n._v;
      if (n._up === undefined) {
        // the root: its own options (node-sdk collection.options()) and filter ('')
        k = n._o === undefined ? 0 : K_OPTIONS;
        v = n._o;
      }
      if (k === K_WHERE) {
        if (!haveFilter) {
          filter = v;
          haveFilter = true;
        }
      } else if (!frozen) {
        switch (k) {
          case K_ORDER:
            (orders || (orders = [])).push(v);
            break;
          case K_LIMIT:
            if (limit === undefined) limit = v;
            break;
          case K_SKIP:
            if (offset === undefined) offset = v;
            break;
          case K_FIELD:
            if (projection === undefined) projection = v;
            break;
          case K_OPTIONS:
            if (limit === undefined) limit = v.limit;
            if (offset === undefined) offset = v.offset;
            if (projection === undefined) projection = v.projection;
            multiple = v.multiple;
            raw = v.raw;
            base = v.order;
            frozen = true;
            break;
        }
      }
      if (n._up === undefined) break;
      n = n._up;
    }
    ST.filter = haveFilter ? filter : '';
    ST.offset = offset;
    ST.limit = limit;
    ST.projection = projection;
    ST.multiple = multiple;
    ST.raw = raw;
    ST.order = orderList(base, orders);
    return ST;
  }

  // orderList merges an options() order object and the orderBy() steps (collected
  // leaf first) into native.find's [field, direction, …] list.
  function orderList(base, orders) {
    if (base === undefined && orders === null) return undefined;
    if (orders === null) return base;
    var list = [];
    if (base !== undefined) {
      for (var key in base) list.push(key, base[key]);
    }
    for (var i = orders.length - 1; i >= 0; i--) list.push(orders[i][0], orders[i][1]);
    return list;
  }

  function rawOf(q) {
    for (var n = q; ; n = n._up) {
      if (n._up === undefined) return n._o !== undefined && !!n._o.raw;
      if (n._k === K_OPTIONS) return !!n._v.raw;
    }
  }

  function opGet(q) {
    var s = resolve(q);
    var limit = s.limit ? (s.limit < 1000 ? s.limit : 1000) : 100;
    return native.find(rootOf(q)._coll, s.filter, s.order, s.offset, limit, s.projection);
  }
  function opCount(q) { return native.count(rootOf(q)._coll, resolve(q).filter); }
  function checkUpdateData(data) {
    if (!data || typeof data !== 'object') throw new ParamError('INVALID_PARAM', '参数必需是非空对象');
    if (hasOwn(data, '_id')) throw new ParamError('INVALID_PARAM', '不能更新_id的值');
  }
  function opUpdate(q, data) {
    checkUpdateData(data);
    var s = resolve(q);
    return native.updateWhere(rootOf(q)._coll, s.filter, data, s.multiple === undefined ? true : s.multiple, !!s.raw);
  }
  function opRemove(q) {
    var s = resolve(q);
    if (s.offset !== undefined || s.limit !== undefined || s.projection !== undefined || s.order !== undefined) {
      native.log('warn', '`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation');
    }
    return native.removeWhere(rootOf(q)._coll, s.filter, s.multiple === undefined ? true : s.multiple);
  }
  function opAdd(c, data) {
    var many = isArray(data);
    var ids = native.insert(c._coll, many ? data : [data]);
    return many ? ids : ids[0];
  }
  function opDocGet(d) { return native.docGet(d._coll, d.id, d._projection); }
  function opDocUpdate(d, data) {
    checkUpdateData(data);
    return native.updateDoc(d._coll, d.id, data, !!d._raw);
  }
  function opDocSet(d, data) {
    if (!d.id) throw new ParamError('INVALID_PARAM', 'docId不能为空');
    if (!data || typeof data !== 'object') throw new ParamError('INVALID_PARAM', '参数必需是非空对象');
    if (hasOwn(data, '_id')) throw new ParamError('INVALID_PARAM', '不能更新_id的值');
    if (native.hasUpdateCommand(data)) throw new ParamError('DATABASE_REQUEST_FAILED', 'update operator complicit');
    return native.setDoc(d._coll, d.id, data);
  }
  function opDocRemove(d) { return native.removeDoc(d._coll, d.id); }

  // Builder steps; Step is node-sdk's Query or wx-server-sdk's, after the root.
  function step(Step, q, kind, value) {
    var s = new Step();
    s._up = q;
    s._k = kind;
    s._v = value;
    s._r = rootOf(q);
    return s;
  }
  function stepWhere(Step, q, query) { return step(Step, q, K_WHERE, native.where(query, rawOf(q))); }
  function stepOrderBy(Step, q, fieldPath, direction) {
    if (!/^[a-zA-Z0-9-_.]/.test(fieldPath)) throw new Error();
    if (direction !== 'desc' && direction !== 'asc') throw new Error('排序字符不合法');
    return step(Step, q, K_ORDER, [fieldPath, direction === 'desc' ? -1 : 1]);
  }
  function stepLimit(Step, q, n) {
    checkInteger('limit', n);
    return step(Step, q, K_LIMIT, n);
  }
  function stepSkip(Step, q, n) {
    checkInteger('offset', n);
    return step(Step, q, K_SKIP, n);
  }
  function stepField(Step, q, projection) { return step(Step, q, K_FIELD, projectionOf(projection)); }

  function realtimeUnavailable() {
    var e = new Error('watch:fail realtime database watch is ' + NOT_AVAILABLE);
    e.errCode = -1;
    e.errMsg = e.message;
    return e;
  }

  // ------------------------------------------------------------------ @cloudbase/node-sdk database

  class Db {
    constructor(config, module) {
      this.config = config;
      this._module = module;
      this.Geo = GeoClasses;
      this.serverDate = serverDate;
      this.command = Command;
      this.RegExp = dbRegExp;
      this.ObjectId = objectId;
      this.startTransaction = transactionsUnsupported;
      this.runTransaction = transactionsUnsupported;
    }
    collection(name) {
      if (!name) throw new Error('Collection name is required');
      return new CollectionReference(this, name);
    }
    createCollection(name) {
      return nodeCall(this._module, function () {
        var data = native.db('database.addCollection', JSON.stringify({ collectionName: name }), DECODE_NONE);
        return { requestId: native.requestId(), data: data };
      });
    }
  }

  var DECODE_NONE = 0;
  var DECODE_LIST_PLAIN = 2;
  var DECODE_DOC = 3;

  // lastServerError is the latest TcbError native.* threw for a server failure;
  // after setThrowOnCode(false), node-sdk returns such failures instead of throwing.
  var lastServerError = null;
  function serverError(code, message, requestId) {
    lastServerError = new TcbError(code, message, requestId);
    return lastServerError;
  }

  function nodeCall(module, body) {
    try {
      return Promise.resolve(body());
    } catch (e) {
      if (!module.throwOnCode && e === lastServerError) {
        return Promise.resolve({ requestId: e.requestId, code: e.code, message: e.message });
      }
      return Promise.reject(e);
    }
  }

  function transactionsUnsupported() {
    return Promise.reject(new TcbError('INVALID_PARAM', 'transactions are not supported yet in Minicloud'));
  }

  function Query() {}
  Query.prototype.get = function () {
    var q = this;
    return nodeCall(rootOf(this)._db._module, function () { return { data: opGet(q), requestId: native.requestId() }; });
  };
  Query.prototype.count = function () {
    var q = this;
    return nodeCall(rootOf(this)._db._module, function () { var total = opCount(q); return { requestId: native.requestId(), total: total }; });
  };
  Query.prototype.update = function (data) {
    var q = this;
    return nodeCall(rootOf(this)._db._module, function () {
      var r = opUpdate(q, data);
      return { requestId: native.requestId(), updated: r.updated, upsertId: r.upsert_id };
    });
  };
  Query.prototype.remove = function () {
    var q = this;
    return nodeCall(rootOf(this)._db._module, function () { var n = opRemove(q); return { requestId: native.requestId(), deleted: n }; });
  };
  Query.prototype.updateAndReturn = function (data) {
    var q = this;
    return nodeCall(rootOf(this)._db._module, function () {
      checkUpdateData(data);
      var p = { collectionName: rootOf(q)._coll, queryType: 'WHERE', data: native.encodeUpdate(data) };
      var filter = resolve(q).filter;
      if (filter) p.query = filter;
      var r = native.db('database.modifyAndReturnDoc', JSON.stringify(p), DECODE_DOC);
      return { requestId: native.requestId(), updated: r.updated, doc: r.doc };
    });
  };
  Query.prototype.where = function (query) { return stepWhere(Query, this, query); };
  Query.prototype.options = function (apiOptions) {
    checkOptions(apiOptions);
    return step(Query, this, K_OPTIONS, apiOptions || EMPTY);
  };
  Query.prototype.orderBy = function (f, d) { return stepOrderBy(Query, this, f, d); };
  Query.prototype.limit = function (n) { return stepLimit(Query, this, n); };
  Query.prototype.skip = function (n) { return stepSkip(Query, this, n); };
  Query.prototype.field = function (p) { return stepField(Query, this, p); };
  Query.prototype.watch = function () { throw realtimeUnavailable(); };

  function CollectionReference(db, coll, options) {
    this._db = db;
    this._coll = coll;
    if (options !== undefined) this._o = options;
  }
  CollectionReference.prototype = Object.create(Query.prototype);
  CollectionReference.prototype.constructor = CollectionReference;
  Object.defineProperty(CollectionReference.prototype, 'name', { get: function () { return this._coll; } });
  CollectionReference.prototype.doc = function (id) {
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error('docId必须为字符串或数字');
    var d = new DocumentReference(this._db, this._coll, id);
    if (this._o !== undefined) {
      d._projection = this._o.projection;
      d._raw = this._o.raw;
    }
    return d;
  };
  CollectionReference.prototype.add = function (data) {
    var c = this;
    return nodeCall(this._db._module, function () {
      var ids = opAdd(c, data);
      return isArray(data) ? { ids: ids, requestId: native.requestId() } : { id: ids, requestId: native.requestId() };
    });
  };
  CollectionReference.prototype.aggregate = function (rawPipeline) {
    return new Aggregation(this._db, this._coll, this._o !== undefined && this._o.raw ? rawPipeline || [] : []);
  };
  CollectionReference.prototype.options = function (apiOptions) {
    checkOptions(apiOptions);
    return new CollectionReference(this._db, this._coll, apiOptions || EMPTY);
  };

  function DocumentReference(db, coll, id) {
    this._db = db;
    this._coll = coll;
    this.id = id;
  }
  DocumentReference.prototype.get = function () {
    var d = this;
    return nodeCall(this._db._module, function () { return { data: opDocGet(d), requestId: native.requestId() }; });
  };
  DocumentReference.prototype.set = function (data) {
    var d = this;
    return nodeCall(this._db._module, function () {
      var r = opDocSet(d, data);
      return { updated: r.updated, upsertedId: r.upsert_id, requestId: native.requestId() };
    });
  };
  DocumentReference.prototype.update = function (data) {
    var d = this;
    return nodeCall(this._db._module, function () { var r = opDocUpdate(d, data); return { updated: r.updated, requestId: native.requestId() }; });
  };
  DocumentReference.prototype.remove = function () {
    var d = this;
    return nodeCall(this._db._module, function () { var n = opDocRemove(d); return { deleted: n, requestId: native.requestId() }; });
  };
  DocumentReference.prototype.delete = function () { return this.remove(); };
  DocumentReference.prototype.create = function (data) {
    var d = this;
    return nodeCall(this._db._module, function () {
      if (d.id) data._id = d.id;
      return { id: native.insert(d._coll, [data])[0], requestId: native.requestId() };
    });
  };
  DocumentReference.prototype.field = function (p) {
    var out = new DocumentReference(this._db, this._coll, this.id);
    out._raw = this._raw;
    out._projection = projectionOf(p);
    return out;
  };
  DocumentReference.prototype.watch = function () { throw realtimeUnavailable(); };

  var STAGES = ['addFields', 'bucket', 'bucketAuto', 'collStats', 'count', 'facet', 'graphLookup', 'group', 'indexStats', 'limit',
    'lookup', 'out', 'project', 'redact', 'replaceRoot', 'replaceWith', 'sample', 'set', 'skip', 'sort', 'sortByCount', 'unset', 'unwind'];

  class Aggregation {
    constructor(db, coll, rawPipeline) {
      this._stages = [];
      if (db && coll) {
        this._db = db;
        this._collectionName = coll;
        var self = this;
        (rawPipeline || []).forEach(function (stage) {
          if (Object.keys(stage).length !== 1) throw new ParamError('INVALID_PARAM', 'aggregation stage must have one key');
          var name = Object.keys(stage)[0];
          self._pipe(name, stage[name], true);
        });
      }
    }
    end() {
      var a = this;
      return nodeCall(this._db ? this._db._module : { throwOnCode: true }, function () { return a._end(); });
    }
    _end() {
      if (!this._collectionName || !this._db) throw new Error('Aggregation pipeline cannot send request');
      var data = native.db('database.aggregateDocuments', JSON.stringify({ collectionName: this._collectionName, stages: this._stages }), DECODE_LIST_PLAIN);
      return { requestId: native.requestId(), data: data.list };
    }
    unwrap() { return this._stages; }
    done() {
      return this._stages.map(function (s) { return single(s.stageKey, JSON.parse(s.stageValue)); });
    }
    _pipe(stage, param, raw) {
      var value = kindOf(param) === 'object' ? native.ejson(param) : JSON.stringify(param);
      this._stages.push({ stageKey: raw ? stage : '$' + stage, stageValue: value });
      return this;
    }
    geoNear(param) {
      if (param.query) param.query = JSON.parse(native.encodeQuery(param.query));
      if (param.near) param.near = new Point(param.near.longitude, param.near.latitude).toJSON();
      return this._pipe('geoNear', param);
    }
    match(param) {
      if (kindOf(param) !== 'object') return this._pipe('match', param);
      this._stages.push({ stageKey: '$match', stageValue: native.encodeQuery(param) });
      return this;
    }
  }
  STAGES.forEach(function (name) {
    Aggregation.prototype[name] = function (param) { return this._pipe(name, param); };
  });

  Command.aggregate = buildAggregateNamespace();

  // ------------------------------------------------------------------ wx-server-sdk database

  function wxGeo() {
    var g = {};
    Object.keys(GeoClasses).forEach(function (k) {
      var C = GeoClasses[k];
      g[k] = function () { return new (Function.prototype.bind.apply(C, [null].concat(Array.from(arguments))))(); };
    });
    return g;
  }
  var WX_GEO = wxGeo();

  function wxFail(e, api, transform) { return Promise.reject(toSDKError(transform ? transformTcbError(e) : e, api)); }

  function Database(cloud, config) {
    this.cloud = cloud;
    this.config = config || EMPTY;
  }
  Database.prototype.command = Command;
  Database.prototype.Geo = WX_GEO;
  Database.prototype.serverDate = serverDate;
  Database.prototype.RegExp = dbRegExp;
  Database.prototype.collection = function (name) {
    if (!name) throw new Error('Collection name is required');
    return new WxCollection(this, name);
  };
  Database.prototype.runTransaction = function () { return wxTransactionsUnsupported('runTransaction'); };
  Database.prototype.startTransaction = function () { return wxTransactionsUnsupported('startTransaction'); };
  Database.prototype.createCollection = function (name) {
    try {
      native.db('database.addCollection', JSON.stringify({ collectionName: name }), DECODE_NONE);
      return Promise.resolve({ errMsg: 'createCollection:ok', requestId: native.requestId() });
    } catch (e) {
      return wxFail(e, 'createCollection', false);
    }
  };

  function wxTransactionsUnsupported(api) {
    return Promise.reject(toSDKError({ errCode: TCB_CODE.INVALID_PARAM, errMsg: 'transactions are not supported yet in Minicloud' }, api));
  }

  // WxQuery is wx-server-sdk's Query: the same chain as node-sdk's, other results.
  var WxQuery = function Query() {};
  Object.defineProperty(WxQuery.prototype, 'database', { get: function () { return rootOf(this)._database; } });
  Object.defineProperty(WxQuery.prototype, 'collectionName', { get: function () { return rootOf(this)._coll; } });
  WxQuery.prototype.where = function (query) { return stepWhere(WxQuery, this, query); };
  WxQuery.prototype.orderBy = function (f, d) { return stepOrderBy(WxQuery, this, f, d); };
  WxQuery.prototype.limit = function (n) { return stepLimit(WxQuery, this, n); };
  WxQuery.prototype.skip = function (n) { return stepSkip(WxQuery, this, n); };
  WxQuery.prototype.field = function (p) { return stepField(WxQuery, this, p); };
  WxQuery.prototype.get = function () {
    try {
      return Promise.resolve({ data: opGet(this), errMsg: 'collection.get:ok' });
    } catch (e) {
      return wxFail(e, 'collection.get', true);
    }
  };
  WxQuery.prototype.count = function () {
    try {
      return Promise.resolve({ total: opCount(this), errMsg: 'collection.count:ok' });
    } catch (e) {
      return wxFail(e, 'collection.count', true);
    }
  };
  // singleDoc is the query with options({multiple: false}) wx-server-sdk makes for multi: false.
  var SINGLE = Object.freeze({ multiple: false });
  function singleDoc(q) { return step(WxQuery, q, K_OPTIONS, SINGLE); }
  WxQuery.prototype.update = function (options) {
    try {
      checkType(options.data, 'object');
      checkNotEmpty(options.data, 'options.data');
      var r = opUpdate(options.multi === false ? singleDoc(this) : this, options.data);
      return Promise.resolve({ stats: { updated: r.updated || 0 }, errMsg: 'collection.update:ok' });
    } catch (e) {
      return wxFail(e, 'collection.update', true);
    }
  };
  WxQuery.prototype.remove = function (options) {
    try {
      var opts = options === undefined ? EMPTY : options;
      return Promise.resolve({ stats: { removed: opRemove(opts.multi === false ? singleDoc(this) : this) }, errMsg: 'collection.remove:ok' });
    } catch (e) {
      return wxFail(e, 'collection.remove', true);
    }
  };
  WxQuery.prototype.watch = function () { throw realtimeUnavailable(); };

  var WxCollection = function CollectionReference(database, coll) {
    this._database = database;
    this._coll = coll;
  };
  WxCollection.prototype = Object.create(WxQuery.prototype);
  WxCollection.prototype.constructor = WxCollection;
  WxCollection.prototype.doc = function (id) {
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error('docId必须为字符串或数字');
    return new WxDocument(this._database, this._coll, id);
  };
  WxCollection.prototype.add = function (options) {
    try {
      var data = options.data;
      var ids = opAdd(this, data);
      return Promise.resolve(isArray(data) ? { _ids: ids, errMsg: 'collection.add:ok' } : { _id: ids, errMsg: 'collection.add:ok' });
    } catch (e) {
      return wxFail(e, 'collection.add', true);
    }
  };
  WxCollection.prototype.aggregate = function () {
    return new WxAggregate(new Aggregation(wxCoreDb, this._coll, []), this._coll, this._database);
  };

  // wxCoreDb lets wx aggregations use the node-sdk Aggregation.
  var wxCoreDb = { _module: { throwOnCode: true } };

  var WxDocument = function DocumentReference(database, coll, id) {
    this.database = database;
    this._coll = coll;
    this._id = id;
    this.id = id;
  };
  WxDocument.prototype.field = function (object) {
    if (object === undefined || object === null) throw new CloudSDKError({ errMsg: 'parameter object of function field must be provided' });
    checkType(object, 'object', 'field');
    var out = new WxDocument(this.database, this._coll, this._id);
    out._projection = projectionOf(object);
    return out;
  };
  WxDocument.prototype.get = function () {
    try {
      var throwOnNotFound = true;
      var dbConfig = this.database.config;
      var cloudConfig = this.database.cloud.config();
      if (hasOwn(dbConfig, 'throwOnNotFound')) throwOnNotFound = Boolean(dbConfig.throwOnNotFound);
      else if (cloudConfig && hasOwn(cloudConfig, 'throwOnNotFound')) throwOnNotFound = Boolean(cloudConfig.throwOnNotFound);
      var list = opDocGet(this);
      if (!list || !list.length) {
        if (throwOnNotFound) throw 'document with _id ' + this._id + ' does not exist';
        return Promise.resolve({ data: null, errMsg: 'document.get:ok' });
      }
      return Promise.resolve({ data: list[0], errMsg: 'document.get:ok' });
    } catch (e) {
      return wxFail(e, 'document.get', true);
    }
  };
  WxDocument.prototype.set = function (options) {
    try {
      checkType(options, { data: 'object' });
      checkNotEmpty(options.data, 'options.data');
      var r = opDocSet(this, options.data);
      return Promise.resolve({ _id: this._id, errMsg: 'document.set:ok', stats: { updated: r.updated, created: r.upsert_id ? 1 : 0 } });
    } catch (e) {
      return wxFail(e, 'document.set', true);
    }
  };
  WxDocument.prototype.update = function (options) {
    try {
      checkType(options, { data: 'object' });
      checkNotEmpty(options.data, 'options.data');
      return Promise.resolve({ stats: { updated: opDocUpdate(this, options.data).updated }, errMsg: 'document.update:ok' });
    } catch (e) {
      return wxFail(e, 'document.update', true);
    }
  };
  WxDocument.prototype.remove = function () {
    try {
      return Promise.resolve({ stats: { removed: opDocRemove(this) || 0 }, errMsg: 'document.remove:ok' });
    } catch (e) {
      return wxFail(e, 'document.remove', true);
    }
  };
  WxDocument.prototype.watch = function () { throw realtimeUnavailable(); };

  var WxAggregate = class Aggregate {
    constructor(agg, coll, database) {
      this._aggregate = agg;
      this.collectionName = coll;
      this.database = database;
    }
    pushStage(stage, val) { return new WxAggregate(this._aggregate[stage](val), this.collectionName, this.database); }
    end() {
      try {
        return Promise.resolve({ list: this._aggregate._end().data, errMsg: 'collection.aggregate:ok' });
      } catch (e) {
        return wxFail(e, 'collection.aggregate', false);
      }
    }
  };
  STAGES.concat(['geoNear', 'match']).forEach(function (name) {
    WxAggregate.prototype[name] = function (val) { return this.pushStage(name, name === 'indexStats' ? {} : val); };
  });

  // ------------------------------------------------------------------ functions, context, logs

  function safeParse(text) {
    try { return JSON.parse(text); } catch (e) { return text; }
  }

  // invoke runs another function. It answers node-sdk's {result, requestId} or throws
  // node-sdk's TcbError.
  function invoke(module, options) {
    var name = options.name;
    var data = options.data;
    var text;
    try {
      text = data ? JSON.stringify(data) : '';
    } catch (e) {
      throw new TcbError('INVALID_PARAM', '对象出现了循环引用');
    }
    if (!name) throw new TcbError('INVALID_PARAM', '函数名不能为空');
    var r = native.callFunction(String(name), text);
    if (r.code) {
      if (module.throwOnCode) throw new TcbError(r.code, r.message, r.requestId);
      return r;
    }
    return { result: safeParse(r.result), requestId: r.requestId };
  }

  function wxCallFunction(module, cloud, options) {
    return new Promise(function (resolve, reject) {
      if (!options) {
        return reject(toSDKError({ errMsg: 'Params for callFunction must be an object instead of ' + typeof options }, 'callFunction'));
      }
      try {
        checkType(options, { name: 'string' });
        if (hasOwn(options, 'data')) checkType(options, { data: 'object' });
      } catch (e) {
        return reject(toSDKError(e, 'callFunction'));
      }
      try {
        var res = invoke(module, { name: options.name, data: options.data || {} });
        if (res.code && TCB_CODE[res.code] !== 0) {
          throw { errCode: codeNumber(res.code), errMsg: 'requestID ' + res.requestId + ', ' + res.message, requestId: res.requestId };
        }
        var result = res.result;
        if (typeof result === 'string') result = safeParse(result);
        resolve({ result: result, errMsg: 'callFunction:ok', requestID: res.requestId });
      } catch (e) {
        var err = toSDKError(e, 'callFunction');
        err.requestID = e.requestID;
        reject(err);
      }
    });
  }

  function logText(v) {
    if (typeof v === 'string') return v;
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }

  function makeLogger(error) {
    var logger = {};
    ['log', 'info', 'warn', 'error'].forEach(function (level) {
      logger[level] = function (msg) {
        if (tag(msg) !== 'Object') throw error('log msg must be an object');
        native.log(level, logText(Object.assign({}, msg)));
      };
    });
    return logger;
  }

  // ------------------------------------------------------------------ storage

  function toBuffer(ab) {
    if (typeof Buffer === 'function' && typeof Buffer.from === 'function') return Buffer.from(ab);
    return new Uint8Array(ab);
  }

  function storage(api) {
    if (!native.hasStorage()) throw notAvailable(api);
  }

  function storageFailure(r) { return { errCode: codeNumber(r.code), errMsg: r.message }; }

  function fileStatus(f) {
    if (f.code && f.code !== 'SUCCESS' && TCB_CODE[f.code] !== 0) {
      var code = codeNumber(f.code);
      return { status: code, errMsg: CODE_TEXT[code] };
    }
    return { status: 0, errMsg: 'ok' };
  }

  function uploadFile(options) {
    return wxCall('uploadFile', false, function () {
      if (!options) throw { errMsg: 'Params for uploadFile must be an object instead of ' + typeof options };
      checkType(options, { cloudPath: 'string' });
      if (!options.fileContent) throw new Error('Type of fileContent must be fs.ReadStream instead of ' + typeof options.fileContent);
      storage('uploadFile');
      var r = native.uploadFile(options.cloudPath, options.fileContent);
      if (r.code) throw storageFailure(r);
      return { fileID: r.fileID, statusCode: 200, errMsg: 'uploadFile:ok' };
    });
  }

  // isReadable tells a stream (fs.createReadStream, as wx-server-sdk's documentation
  // uploads files) from the Buffers and strings native.uploadFile takes.
  function isReadable(v) {
    return v !== null && typeof v === 'object' && typeof v.pipe === 'function' && typeof v.on === 'function';
  }

  // collectStream reads a stream to its end into one Buffer.
  function collectStream(stream) {
    return new Promise(function (resolve, reject) {
      var chunks = [];
      stream.on('data', function (c) { chunks.push(typeof c === 'string' ? Buffer.from(c) : c); });
      stream.on('end', function () { resolve(Buffer.concat(chunks)); });
      stream.on('error', reject);
    });
  }

  // withContent runs upload with options whose fileContent stream, if any, has been
  // read into a Buffer.
  function withContent(options, upload, fail) {
    if (!options || !isReadable(options.fileContent)) return upload(options);
    return collectStream(options.fileContent).then(function (buf) {
      var o = {};
      for (var k in options) if (hasOwn(options, k)) o[k] = options[k];
      o.fileContent = buf;
      return upload(o);
    }, fail);
  }

  function wxStorage() {
    return {
      uploadFile: function (options) {
        return withContent(options, uploadFile, function (e) { throw toSDKError(e, 'uploadFile'); });
      },
      downloadFile: function (options) {
        return wxCall('downloadFile', false, function () {
          if (!options) throw { errMsg: 'Params for downloadFile must be an object instead of ' + typeof options };
          checkType(options, { fileID: 'string' });
          storage('downloadFile');
          var r = native.downloadFile(options.fileID);
          if (r.code) throw storageFailure(r);
          return { fileContent: toBuffer(r.content), statusCode: 200, errMsg: 'downloadFile:ok' };
        });
      },
      getTempFileURL: function (options) {
        return wxCall('getTempFileURL', false, function () {
          if (!options) throw { errMsg: 'Params for getTempFileURL must be an object instead of ' + typeof options };
          checkType(options, { fileList: 'array' });
          storage('getTempFileURL');
          var r = native.getTempFileURL(options.fileList.map(function (f) {
            return typeof f === 'string' ? { fileID: f, maxAge: 0 } : { fileID: f.fileID, maxAge: f.maxAge || 0 };
          }));
          if (r.code) throw storageFailure(r);
          return {
            fileList: r.fileList.map(function (f) {
              var s = fileStatus(f);
              return { fileID: f.fileID, status: s.status, errMsg: s.errMsg, maxAge: f.maxAge, tempFileURL: s.status ? '' : f.tempFileURL };
            }),
            errMsg: 'getTempFileURL:ok',
          };
        });
      },
      deleteFile: function (options) {
        return wxCall('deleteFile', false, function () {
          if (!options) throw { errMsg: 'Params for deleteFile must be an object instead of ' + typeof options };
          checkType(options, { fileList: 'array' });
          options.fileList.forEach(function (f, i) {
            if (typeof f !== 'string') throw new Error('Type of fileList[' + i + '] must be string instead of ' + typeof f);
          });
          storage('deleteFile');
          var r = native.deleteFile(options.fileList);
          if (r.code) throw storageFailure(r);
          return {
            fileList: r.fileList.map(function (f) {
              var s = fileStatus(f);
              return { fileID: f.fileID, status: s.status, errMsg: s.errMsg };
            }),
            errMsg: 'deleteFile:ok',
          };
        });
      },
    };
  }

  function nodeStorage(module) {
    function run(api, body) {
      return new Promise(function (resolve) {
        if (!native.hasStorage()) throw new TcbError('STORAGE_REQUEST_FAIL', api + ' is ' + NOT_AVAILABLE);
        var r = body();
        if (r.code) {
          if (module.throwOnCode) throw new TcbError(r.code, r.message, r.requestId);
          return resolve(r);
        }
        resolve(r);
      });
    }
    return {
      uploadFile: function (options) {
        return withContent(options, function (o) {
          return run('uploadFile', function () {
            var r = native.uploadFile(o.cloudPath, o.fileContent);
            return r.code ? r : { fileID: r.fileID, requestId: r.requestId };
          });
        }, function (e) { throw e; });
      },
      downloadFile: function (o) {
        return run('downloadFile', function () {
          var r = native.downloadFile(o.fileID);
          return r.code ? r : { fileContent: toBuffer(r.content), message: '文件下载完成' };
        });
      },
      getTempFileURL: function (o) {
        return run('getTempFileURL', function () {
          var r = native.getTempFileURL((o.fileList || []).map(function (f) {
            return typeof f === 'string' ? { fileID: f, maxAge: 86400 } : { fileID: f.fileID, maxAge: f.maxAge || 86400 };
          }));
          if (r.code) return r;
          return {
            fileList: r.fileList.map(function (f) {
              return { fileID: f.fileID, tempFileURL: f.tempFileURL, code: f.code || 'SUCCESS' };
            }),
            requestId: r.requestId,
          };
        });
      },
      deleteFile: function (o) {
        return run('deleteFile', function () {
          var r = native.deleteFile(o.fileList || []);
          if (r.code) return r;
          return { fileList: r.fileList.map(function (f) { return { fileID: f.fileID, code: f.code || 'SUCCESS' }; }), requestId: r.requestId };
        });
      },
    };
  }

  // ------------------------------------------------------------------ open APIs (not yet)

  var FUNCTION_OWN = Object.getOwnPropertyNames(Function.prototype);

  // apiProxy answers any cloud.openapi.<ns>.<method>(data) (or cloudPay.<method>) with
  // a "not available yet" rejection, as the real SDK's proxies accept any path.
  function apiProxy(prefix, paths, requireInit) {
    var callable = function () {
      requireInit();
      return Promise.reject(new CloudSDKError({ errCode: -1, errMsg: prefix + '.' + paths.join('.') + ':fail ' + NOT_AVAILABLE }));
    };
    return new Proxy(function () {}, {
      get: function (target, prop) {
        if (prop === 'toJSON') return {};
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        if (FUNCTION_OWN.indexOf(prop) >= 0) return callable[prop];
        return apiProxy(prefix, paths.concat([prop]), requireInit);
      },
      apply: function (target, thisArg, args) {
        if (paths.length === 0) {
          if (!args[0] || !isObject(args[0])) throw new Error('an options object is expected');
          return apiProxy(prefix, paths, requireInit);
        }
        return callable();
      },
    });
  }

  // ------------------------------------------------------------------ wx-server-sdk module

  var INIT_FIRST = "Cloud API isn't enabled, please call init first\n" +
    '请先调用 init 完成初始化后再调用其他云 API。init 方法可传入一个对象用于设置默认配置，详见文档。';

  function normalizeConfig(config) {
    return Object.assign({}, config, { env: isObject(config.env) ? config.env : { default: config.env } });
  }

  function makeWX(instanceOptions) {
    var module = { throwOnCode: true };
    var state = { inited: false, config: { env: {} } };
    var exports = {};
    var cloud = {
      module: module,
      envId: function () { return native.envId(); },
      config: function () { return state.config; },
    };
    function requireInit() {
      if (!state.inited) throw new CloudSDKError({ errMsg: INIT_FIRST });
    }
    function guarded(fn) {
      return function (options) {
        requireInit();
        return fn.call(this, options);
      };
    }
    function unavailable(api) {
      return guarded(function () { return Promise.reject(notAvailable(api)); });
    }

    exports.version = '4.0.2';
    Object.defineProperty(exports, 'DYNAMIC_CURRENT_ENV', { enumerable: true, get: function () { return SYMBOL_CURRENT_ENV; } });
    exports.init = function (config) {
      if (state.inited) return instanceOptions ? Promise.resolve() : undefined;
      state.inited = true;
      state.config = normalizeConfig(config || instanceOptions || {});
      return instanceOptions ? Promise.resolve() : undefined;
    };
    // The real SDK adds logger on init; here every export is an own property from the
    // start, so that an ES module's `import * as cloud` (a copy of the exports taken when
    // the module loads) has it too.
    exports.logger = guarded(function () { return makeLogger(function (m) { return new TcbError('INVALID_PARAM', m); }); });
    exports.updateConfig = function (config) { state.config = normalizeConfig(config || {}); };
    exports.registerService = function (provider) {
      var service = provider && provider.createService ? provider.createService(exports) : null;
      if (service && service.getAPIs) {
        var apis = service.getAPIs();
        Object.keys(apis).forEach(function (k) { exports[k] = service.initRequired === false ? apis[k] : guarded(apis[k]); });
      } else if (service && service.getNamespace) {
        var ns = service.getNamespace();
        exports[ns.namespace] = ns.apis;
      }
    };
    exports.createNewInstance = function (config) {
      var inst = makeWX();
      inst.init(config);
      return inst;
    };
    exports.Cloud = function (options) {
      if (!options || !options.resourceEnv) throw new Error('missing resourceEnv');
      return makeWX(JSON.parse(JSON.stringify(options)));
    };
    exports.database = guarded(function (config) { return new Database(cloud, config); });
    var st = wxStorage();
    exports.uploadFile = guarded(st.uploadFile);
    exports.downloadFile = guarded(st.downloadFile);
    exports.getTempFileURL = guarded(st.getTempFileURL);
    exports.deleteFile = guarded(st.deleteFile);
    exports.callFunction = guarded(function (options) { return wxCallFunction(module, cloud, options); });
    exports.callOpenAPI = unavailable('callOpenAPI');
    exports.getOpenData = unavailable('getOpenData');
    exports.getVoIPSign = unavailable('getVoIPSign');
    exports.getCloudCallSign = unavailable('getCloudCallSign');
    exports.getWXContext = function () { return native.wxContext(); };
    exports.signature = function () { throw notAvailable('signature'); };
    exports.openapi = apiProxy('openapi', [], requireInit);
    exports.cloudPay = apiProxy('cloudPay', [], requireInit);
    exports.ai = unavailable('ai');
    return exports;
  }

  // ------------------------------------------------------------------ @cloudbase/node-sdk module

  function makeNode() {
    var module = { throwOnCode: true };
    function App(config) {
      this.config = Object.assign({}, config || {});
      this.config.envName = this.config.env;
    }
    App.prototype.database = function (dbConfig) {
      if (dbConfig !== undefined && tag(dbConfig) !== 'Object') throw new TcbError('INVALID_PARAM', 'dbConfig must be an object');
      return new Db(Object.assign({}, this.config, dbConfig || {}), module);
    };
    App.prototype.callFunction = function (options) {
      return new Promise(function (resolve) { resolve(invoke(module, options || {})); });
    };
    App.prototype.logger = function () { return makeLogger(function (m) { return new TcbError('INVALID_PARAM', m); }); };
    App.prototype.auth = function () {
      function info() {
        var c = native.callContext();
        return { openId: c.openId || '', appId: c.appId || '', uid: c.uid || '', customUserId: c.customUserId || '', isAnonymous: false };
      }
      return {
        getUserInfo: info,
        getEndUserInfo: function (uid) {
          if (uid === undefined) return Promise.resolve({ userInfo: info() });
          return Promise.reject(new TcbError('INVALID_PARAM', 'auth.getEndUserInfo(uid) is ' + NOT_AVAILABLE));
        },
        getClientIP: function () { return native.callContext().clientIp || ''; },
        getAuthContext: function () { return Promise.resolve({ uid: native.callContext().uid || '', loginType: '' }); },
      };
    };
    var st = nodeStorage(module);
    App.prototype.uploadFile = st.uploadFile;
    App.prototype.downloadFile = st.downloadFile;
    App.prototype.getTempFileURL = st.getTempFileURL;
    App.prototype.deleteFile = st.deleteFile;
    ['callWxOpenApi', 'callWxPayApi', 'wxCallContainerApi', 'callCompatibleWxOpenApi', 'callContainer', 'callApis', 'copyFile',
      'getFileInfo', 'getUploadMetadata', 'getFileAuthority', 'sendTemplateNotification', 'invokeExtension'].forEach(function (name) {
      App.prototype[name] = function () { return Promise.reject(new TcbError('SYS_ERR', name + ' is ' + NOT_AVAILABLE)); };
    });
    return {
      version: '3.18.3',
      SYMBOL_CURRENT_ENV: SYMBOL_CURRENT_ENV,
      SYMBOL_DEFAULT_ENV: SYMBOL_DEFAULT_ENV,
      init: function (config) { return new App(config); },
      parseContext: function (context) { return Object.assign({}, context || {}); },
      getCloudbaseContext: function () { return {}; },
      setThrowOnCode: function (v) { module.throwOnCode = !!v; },
    };
  }

  native.register({
    serverError: serverError,
    LogicCommand: LogicCommand.prototype,
    UpdateCommand: UpdateCommand.prototype,
    ServerDate: ServerDate.prototype,
    RegExp: DbRegExp.prototype,
    ObjectId: ObjectId.prototype,
    Point: Point.prototype,
    LineString: LineString.prototype,
    Polygon: Polygon.prototype,
    MultiPoint: MultiPoint.prototype,
    MultiLineString: MultiLineString.prototype,
    MultiPolygon: MultiPolygon.prototype,
    QueryCommand: QueryCommand.prototype,
  });

  return { wx: function () { return makeWX(); }, node: makeNode };
})
