package cloudfns

import (
	"sync"

	"github.com/dop251/goja"
)

// The prelude is the JavaScript half of Minicloud's globals and Node builtins, run once
// per instance (compiled once per process). It receives the global object and N, the
// Go natives (globals.go), and returns the helpers the runtime calls plus the builtin
// module factories (each runs on the first require of its module).
//
// Kept free of backquotes (it is a Go raw string).

var (
	preludeOnce sync.Once
	preludeProg *goja.Program
	preludeErr  error
)

const preludeName = "minicloud:prelude"

func preludeProgram() (*goja.Program, error) {
	preludeOnce.Do(func() {
		preludeProg, preludeErr = goja.Compile(preludeName, preludeSource, true)
	})
	return preludeProg, preludeErr
}

const preludeSource = `(function (g, N) {
'use strict';
var modules = Object.create(null);
var defineProperty = Object.defineProperty;
var hasOwn = Object.prototype.hasOwnProperty;
var objToString = Object.prototype.toString;

function hidden(o, k, v) {
  defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false });
}
function lazyGlobal(name, make) {
  defineProperty(g, name, {
    configurable: true, enumerable: false,
    get: function () { var v = make(); hidden(g, name, v); return v; },
    set: function (v) { hidden(g, name, v); }
  });
}
function once(make) {
  var done = false, v;
  return function () { if (!done) { v = make(); done = true; } return v; };
}
function codeError(Ctor, code, msg) {
  var e = new Ctor(msg);
  hidden(e, 'code', code);
  return e;
}
function argTypeError(name, expected, got) {
  return codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "' + name + '" argument must be ' + expected + '. Received ' + describeReceived(got));
}
function describeReceived(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'function ' + (v.name || '<anonymous>');
  if (typeof v === 'object') return 'an instance of ' + ((v.constructor && v.constructor.name) || 'Object');
  var s = String(v);
  if (s.length > 28) s = s.slice(0, 25) + '...';
  return 'type ' + typeof v + ' (' + (typeof v === 'string' ? "'" + s + "'" : s) + ')';
}

// ---------- inspect / format ----------
var customInspect = Symbol.for('nodejs.util.inspect.custom');
var identRe = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function quote(s) {
  return "'" + s.replace(/[\\']/g, function (c) { return '\\' + c; })
    .replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + "'";
}
function fnBase(v) {
  var name = v.name ? String(v.name) : '';
  var src = '';
  try { src = Function.prototype.toString.call(v); } catch (e) {}
  if (/^class[\s{]/.test(src)) return '[class ' + (name || '(anonymous)') + ']';
  var kind = 'Function';
  var tag = v[Symbol.toStringTag];
  if (tag === 'AsyncFunction') kind = 'AsyncFunction';
  else if (tag === 'GeneratorFunction') kind = 'GeneratorFunction';
  else if (tag === 'AsyncGeneratorFunction') kind = 'AsyncGeneratorFunction';
  else if (/^async[\s(]/.test(src)) kind = 'AsyncFunction';
  return '[' + kind + (name ? ': ' + name : ' (anonymous)') + ']';
}
function ctorName(v) {
  var p = Object.getPrototypeOf(v);
  if (p === null) return null;
  var c = p.constructor;
  return (typeof c === 'function' && c.name) ? c.name : 'Object';
}
function isError(v) {
  return v instanceof Error || objToString.call(v) === '[object Error]';
}
function formatKey(k) {
  if (typeof k === 'symbol') return '[' + k.toString() + ']';
  return identRe.test(k) ? k : quote(k);
}
function formatProperty(ctx, v, key, level, isArr) {
  var desc = Object.getOwnPropertyDescriptor(v, key);
  var str;
  if (desc && (desc.get || desc.set)) {
    str = desc.get ? (desc.set ? '[Getter/Setter]' : '[Getter]') : '[Setter]';
  } else {
    str = formatValue(ctx, desc ? desc.value : v[key], level + 1);
  }
  if (isArr) return str;
  return formatKey(key) + ': ' + str;
}
// reduce joins entries on one line when they fit in 80 columns and the object holds
// at most 3 levels of nesting (Node's compact: 3), else one entry per line.
function reduce(ctx, out, base, braces, level) {
  var start = base ? base + ' ' + braces[0] : braces[0];
  if (out.length === 0) return base ? base + ' ' + braces[0] + braces[1] : braces[0] + braces[1];
  if (ctx.currentDepth - level < 3) {
    var total = out.length * 2 + level * 2 + braces[0].length + base.length + 10, fits = total <= 80;
    for (var i = 0; i < out.length && fits; i++) {
      total += out[i].length;
      if (total > 80 || out[i].indexOf('\n') !== -1) fits = false;
    }
    if (fits && base.indexOf('\n') === -1) return start + ' ' + out.join(', ') + ' ' + braces[1];
  }
  var ind = '  '.repeat(level);
  return start + '\n' + ind + '  ' + out.join(',\n' + ind + '  ') + '\n' + ind + braces[1];
}
function keysOf(v, skipIndex) {
  var keys = Object.keys(v);
  if (skipIndex) keys = keys.filter(function (k) { return !(/^(0|[1-9][0-9]*)$/.test(k)); });
  var syms = Object.getOwnPropertySymbols(v).filter(function (s) {
    return Object.getOwnPropertyDescriptor(v, s).enumerable;
  });
  return keys.concat(syms);
}
function formatValue(ctx, v, level) {
  if (v === null) return 'null';
  var t = typeof v;
  if (t === 'undefined') return 'undefined';
  if (t === 'string') return quote(v);
  if (t === 'number') return (v === 0 && 1 / v < 0) ? '-0' : String(v);
  if (t === 'bigint') return String(v) + 'n';
  if (t === 'boolean') return String(v);
  if (t === 'symbol') return v.toString();
  if (++ctx.budget > 5000) return '...';
  if (typeof v[customInspect] === 'function' && v[customInspect] !== utilInspect) {
    try {
      var r = v[customInspect](ctx.depth - level, { depth: ctx.depth - level }, utilInspect);
      if (r !== v) return typeof r === 'string' ? r : formatValue(ctx, r, level);
    } catch (e) {}
  }
  if (ctx.seen.indexOf(v) !== -1) return '[Circular *1]';
  var name = ctorName(v);
  var base = '', braces = ['{', '}'], out = [], keys, i;
  var isArr = Array.isArray(v);
  if (t === 'function') {
    base = fnBase(v);
    keys = keysOf(v);
    if (keys.length === 0) return base;
  } else if (isError(v)) {
    base = String(v.stack || v);
    keys = keysOf(v).filter(function (k) { return k !== 'stack' && k !== 'message'; });
    if (keys.length === 0 || level > ctx.depth) return base;
  } else if (v instanceof Date) {
    base = isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    keys = keysOf(v);
    if (keys.length === 0) return base;
  } else if (v instanceof RegExp) {
    base = RegExp.prototype.toString.call(v);
    keys = keysOf(v).filter(function (k) { return k !== 'lastIndex'; });
    if (keys.length === 0) return base;
  } else if (g.Buffer && v instanceof g.Buffer) {
    var hex = [];
    for (i = 0; i < v.length && i < 50; i++) hex.push((v[i] < 16 ? '0' : '') + v[i].toString(16));
    var more = v.length - 50;
    return '<Buffer ' + hex.join(' ') + (more > 0 ? ' ... ' + more + ' more byte' + (more > 1 ? 's' : '') : '') + '>';
  } else if (typeof v === 'object' && (v instanceof String || v instanceof Number || v instanceof Boolean)) {
    var prim = v.valueOf();
    base = '[' + (v instanceof String ? 'String' : v instanceof Number ? 'Number' : 'Boolean') + ': ' + formatValue(ctx, prim, level) + ']';
    keys = keysOf(v, v instanceof String);
    if (keys.length === 0) return base;
  } else if (v instanceof Promise) {
    var st = N.promiseState(v);
    if (level > ctx.depth) return '[Promise]';
    ctx.seen.push(v);
    var inner = st[0] === 'pending' ? '<pending>' : (st[0] === 'rejected' ? '<rejected> ' : '') + formatValue(ctx, st[1], level + 1);
    ctx.seen.pop();
    return 'Promise { ' + inner + ' }';
  } else if (v instanceof WeakMap || v instanceof WeakSet) {
    return (v instanceof WeakMap ? 'WeakMap' : 'WeakSet') + ' { <items unknown> }';
  }
  if (level > ctx.depth) {
    return isArr ? '[Array]' : '[' + (name || 'Object') + ']';
  }
  ctx.currentDepth = level;
  ctx.seen.push(v);
  try {
    if (isArr) {
      braces = ['[', ']'];
      if (name !== 'Array') base = name ? name + '(' + v.length + ')' : '[Array(' + v.length + '): null prototype]';
      var holes = 0;
      for (i = 0; i < v.length && out.length < 100; i++) {
        if (!hasOwn.call(v, i)) { holes++; continue; }
        if (holes) { out.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>'); holes = 0; }
        out.push(formatProperty(ctx, v, i, level, true));
      }
      if (holes) out.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
      if (i < v.length) out.push('... ' + (v.length - i) + ' more item' + (v.length - i > 1 ? 's' : ''));
      keys = keysOf(v, true);
    } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      braces = ['[', ']'];
      base = name + '(' + v.length + ')';
      for (i = 0; i < v.length && i < 100; i++) out.push(formatValue(ctx, v[i], level + 1));
      if (i < v.length) out.push('... ' + (v.length - i) + ' more items');
      keys = [];
    } else if (v instanceof ArrayBuffer) {
      var u = new Uint8Array(v), hx = [];
      for (i = 0; i < u.length && i < 50; i++) hx.push((u[i] < 16 ? '0' : '') + u[i].toString(16));
      return 'ArrayBuffer { [Uint8Contents]: <' + hx.join(' ') + (u.length > 50 ? ' ... ' + (u.length - 50) + ' more bytes' : '') + '>, byteLength: ' + v.byteLength + ' }';
    } else if (v instanceof Map) {
      base = name + '(' + v.size + ')';
      v.forEach(function (val, k) {
        if (out.length < 100) out.push(formatValue(ctx, k, level + 1) + ' => ' + formatValue(ctx, val, level + 1));
      });
      if (v.size > 100) out.push('... ' + (v.size - 100) + ' more items');
      keys = keysOf(v);
    } else if (v instanceof Set) {
      base = name + '(' + v.size + ')';
      v.forEach(function (val) { if (out.length < 100) out.push(formatValue(ctx, val, level + 1)); });
      if (v.size > 100) out.push('... ' + (v.size - 100) + ' more items');
      keys = keysOf(v);
    } else if (!keys) {
      keys = keysOf(v);
      if (name === null) base = '[Object: null prototype]';
      else if (name !== 'Object') base = name;
      var tag = v[Symbol.toStringTag];
      if (typeof tag === 'string' && tag !== name && tag) base = (base || 'Object') + ' [' + tag + ']';
    }
    for (i = 0; i < keys.length && i < 1000; i++) out.push(formatProperty(ctx, v, keys[i], level, false));
    if (keys.length > 1000) out.push('... ' + (keys.length - 1000) + ' more properties');
  } finally {
    ctx.seen.pop();
  }
  return reduce(ctx, out, base, braces, level);
}
function utilInspect(value, opts) {
  var ctx = { depth: 2, seen: [], budget: 0, currentDepth: 0 };
  if (opts && typeof opts === 'object') {
    if (opts.depth === null || opts.depth === Infinity) ctx.depth = 1000;
    else if (typeof opts.depth === 'number') ctx.depth = opts.depth;
  }
  return formatValue(ctx, value, 0);
}
utilInspect.custom = customInspect;
utilInspect.defaultOptions = { depth: 2 };

function formatArgs(args) {
  var first = args[0];
  if (args.length === 1 && typeof first === 'string') return first;
  var out = '', a = 0;
  if (typeof first === 'string') {
    a = 1;
    var i = 0, last = 0;
    for (; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue; // %
      var c = first[i + 1];
      if (c === '%') { out += first.slice(last, i) + '%'; last = i + 2; i++; continue; }
      if (a >= args.length) continue;
      var rep;
      switch (c) {
        case 's': {
          var x = args[a];
          rep = typeof x === 'string' ? x : typeof x === 'bigint' ? x + 'n' : (typeof x === 'object' && x !== null) ? utilInspect(x, { depth: 0 }) : String(x);
          break;
        }
        case 'd': {
          var d = args[a];
          rep = typeof d === 'bigint' ? d + 'n' : typeof d === 'symbol' ? 'NaN' : String(Number(d));
          break;
        }
        case 'i': {
          var n = args[a];
          rep = typeof n === 'bigint' ? n + 'n' : typeof n === 'symbol' ? 'NaN' : String(parseInt(n));
          break;
        }
        case 'f': rep = typeof args[a] === 'symbol' ? 'NaN' : String(parseFloat(args[a])); break;
        case 'j': try { rep = JSON.stringify(args[a]); } catch (e) { rep = '[Circular]'; } break;
        case 'o': rep = utilInspect(args[a], { depth: 4 }); break;
        case 'O': rep = utilInspect(args[a]); break;
        case 'c': rep = ''; break;
        default: continue;
      }
      out += first.slice(last, i) + rep;
      last = i + 2; i++; a++;
    }
    out += first.slice(last);
  }
  for (; a < args.length; a++) {
    var v = args[a];
    if (out.length || a > 0) out += ' ';
    out += typeof v === 'string' ? v : utilInspect(v);
  }
  return out;
}

// ---------- console ----------
var groupIndent = '';
function logger(level) {
  return function () {
    var s = formatArgs(arguments);
    if (groupIndent) s = groupIndent + s.split('\n').join('\n' + groupIndent);
    N.log(level, s);
  };
}
var timersByLabel = new Map(), counts = new Map();
var console = {
  log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'),
  debug: logger('debug'),
  trace: function () {
    var e = new Error(formatArgs(arguments));
    N.log('error', 'Trace: ' + (e.stack || '').replace(/^Error: /, ''));
  },
  dir: function (v, opts) { N.log('log', utilInspect(v, opts)); },
  dirxml: function () { console.log.apply(null, arguments); },
  table: function () { console.log.apply(null, arguments); },
  assert: function (cond) {
    if (cond) return;
    var rest = Array.prototype.slice.call(arguments, 1);
    N.log('error', 'Assertion failed' + (rest.length ? ': ' + formatArgs(rest) : ''));
  },
  count: function (label) {
    label = label === undefined ? 'default' : String(label);
    var n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    N.log('info', label + ': ' + n);
  },
  countReset: function (label) { counts.delete(label === undefined ? 'default' : String(label)); },
  time: function (label) { timersByLabel.set(label === undefined ? 'default' : String(label), N.now()); },
  timeEnd: function (label) {
    label = label === undefined ? 'default' : String(label);
    var t = timersByLabel.get(label);
    if (t === undefined) return;
    timersByLabel.delete(label);
    N.log('info', label + ': ' + (N.now() - t).toFixed(3) + 'ms');
  },
  timeLog: function (label) {
    label = label === undefined ? 'default' : String(label);
    var t = timersByLabel.get(label);
    if (t === undefined) return;
    var rest = Array.prototype.slice.call(arguments, 1);
    N.log('info', label + ': ' + (N.now() - t).toFixed(3) + 'ms' + (rest.length ? ' ' + formatArgs(rest) : ''));
  },
  group: function () { if (arguments.length) console.log.apply(null, arguments); groupIndent += '  '; },
  groupCollapsed: function () { console.group.apply(null, arguments); },
  groupEnd: function () { groupIndent = groupIndent.slice(2); }
};
hidden(g, 'console', console);

// ---------- timers ----------
function Timeout(id) { hidden(this, '_id', id); }
Timeout.prototype.ref = function () { N.refTimer(this._id, true); return this; };
Timeout.prototype.unref = function () { N.refTimer(this._id, false); return this; };
Timeout.prototype.hasRef = function () { return N.hasRef(this._id); };
Timeout.prototype.refresh = function () { N.refreshTimer(this._id); return this; };
Timeout.prototype.close = function () { N.clearTimer(this._id); return this; };
Timeout.prototype[Symbol.toPrimitive] = function () { return this._id; };
function Immediate(id) { hidden(this, '_id', id); }
Immediate.prototype.ref = function () { return this; };
Immediate.prototype.unref = function () { return this; };
Immediate.prototype.hasRef = function () { return true; };
function timerId(t) {
  if (t && typeof t === 'object') return t._id;
  return typeof t === 'number' ? t : (typeof t === 'string' ? Number(t) : undefined);
}
function setTimeout(fn) {
  var args = Array.prototype.slice.call(arguments, 2);
  return new Timeout(N.setTimer(fn, arguments[1], false, args));
}
function setInterval(fn) {
  var args = Array.prototype.slice.call(arguments, 2);
  return new Timeout(N.setTimer(fn, arguments[1], true, args));
}
function clearTimeout(t) { var id = timerId(t); if (id !== undefined) N.clearTimer(id); }
function setImmediate(fn) {
  var args = Array.prototype.slice.call(arguments, 1);
  return new Immediate(N.setImmediate(fn, args));
}
function clearImmediate(t) { var id = timerId(t); if (id !== undefined) N.clearTimer(id); }
function queueMicrotask(fn) {
  if (typeof fn !== 'function') throw argTypeError('callback', 'of type function', fn);
  Promise.resolve().then(function () { fn(); });
}
hidden(g, 'setTimeout', setTimeout);
hidden(g, 'setInterval', setInterval);
hidden(g, 'clearTimeout', clearTimeout);
hidden(g, 'clearInterval', clearTimeout);
hidden(g, 'setImmediate', setImmediate);
hidden(g, 'clearImmediate', clearImmediate);
hidden(g, 'queueMicrotask', queueMicrotask);
hidden(g, 'global', g);

// goja has no Symbol.asyncIterator; esbuild's lowered for-await falls back to
// Symbol.for('Symbol.asyncIterator'), so that is the one async iterables here use.
if (typeof Symbol.asyncIterator !== 'symbol') {
  defineProperty(Symbol, 'asyncIterator', { value: Symbol.for('Symbol.asyncIterator') });
}

modules.timers = function () {
  return { setTimeout: setTimeout, setInterval: setInterval, clearTimeout: clearTimeout, clearInterval: clearTimeout,
    setImmediate: setImmediate, clearImmediate: clearImmediate, promises: modules['timers/promises']() };
};
modules['timers/promises'] = once(function () {
  return {
    setTimeout: function (ms, value) { return new Promise(function (res) { setTimeout(res, ms, value); }); },
    setImmediate: function (value) { return new Promise(function (res) { setImmediate(res, value); }); },
    setInterval: function (ms, value) {
      var queue = [], waiting = [], t = setInterval(function () {
        if (waiting.length) waiting.shift()({ value: value, done: false }); else queue.push(value);
      }, ms);
      var it = {
        next: function () {
          if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
          return new Promise(function (res) { waiting.push(res); });
        },
        return: function () { clearTimeout(t); return Promise.resolve({ value: undefined, done: true }); }
      };
      it[Symbol.asyncIterator] = function () { return it; };
      return it;
    },
    scheduler: { wait: function (ms) { return new Promise(function (res) { setTimeout(res, ms); }); } }
  };
});

// ---------- events ----------
var getEvents = once(function () {
  function EventEmitter(opts) { EventEmitter.init.call(this, opts); }
  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._maxListeners = undefined;
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.init = function () {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      hidden(this, '_events', Object.create(null));
    }
    hidden(this, '_maxListeners', this._maxListeners);
  };
  function events(self) {
    if (!self._events || !hasOwn.call(self, '_events')) hidden(self, '_events', Object.create(null));
    return self._events;
  }
  function checkListener(l) {
    if (typeof l !== 'function') throw argTypeError('listener', 'of type function', l);
  }
  function add(self, type, listener, prepend) {
    checkListener(listener);
    var ev = events(self);
    if (ev.newListener !== undefined && type !== 'newListener') {
      self.emit('newListener', type, listener.listener ? listener.listener : listener);
    }
    var list = ev[type];
    if (!list) ev[type] = [listener];
    else if (prepend) list.unshift(listener);
    else list.push(listener);
    return self;
  }
  function onceWrap(self, type, listener) {
    var fired = false;
    function wrapper() {
      if (fired) return;
      fired = true;
      self.removeListener(type, wrapper);
      return listener.apply(self, arguments);
    }
    wrapper.listener = listener;
    return wrapper;
  }
  var P = EventEmitter.prototype;
  P.setMaxListeners = function (n) { hidden(this, '_maxListeners', n); return this; };
  P.getMaxListeners = function () { return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners; };
  P.emit = function (type) {
    var ev = events(this);
    var list = ev[type];
    if (type === 'error' && (!list || list.length === 0)) {
      var er = arguments[1];
      if (er instanceof Error) throw er;
      var err = new Error('Unhandled error.' + (er === undefined ? '' : ' (' + formatArgs([er]) + ')'));
      err.context = er;
      throw err;
    }
    if (!list || list.length === 0) return false;
    var args = Array.prototype.slice.call(arguments, 1);
    list = list.slice();
    for (var i = 0; i < list.length; i++) list[i].apply(this, args);
    return true;
  };
  P.on = P.addListener = function (type, l) { return add(this, type, l, false); };
  P.prependListener = function (type, l) { return add(this, type, l, true); };
  P.once = function (type, l) { checkListener(l); return this.on(type, onceWrap(this, type, l)); };
  P.prependOnceListener = function (type, l) { checkListener(l); return this.prependListener(type, onceWrap(this, type, l)); };
  P.off = P.removeListener = function (type, l) {
    checkListener(l);
    var ev = events(this), list = ev[type];
    if (!list) return this;
    for (var i = list.length - 1; i >= 0; i--) {
      if (list[i] === l || list[i].listener === l) {
        list.splice(i, 1);
        if (list.length === 0) delete ev[type];
        if (ev.removeListener !== undefined) this.emit('removeListener', type, l);
        break;
      }
    }
    return this;
  };
  P.removeAllListeners = function (type) {
    var ev = events(this);
    if (type === undefined) hidden(this, '_events', Object.create(null));
    else delete ev[type];
    return this;
  };
  P.listeners = function (type) {
    var list = events(this)[type];
    return list ? list.map(function (l) { return l.listener || l; }) : [];
  };
  P.rawListeners = function (type) { var list = events(this)[type]; return list ? list.slice() : []; };
  P.listenerCount = function (type) { var list = events(this)[type]; return list ? list.length : 0; };
  P.eventNames = function () { return Reflect.ownKeys(events(this)); };
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.once = function (emitter, name) {
    return new Promise(function (resolve, reject) {
      function onError(err) { emitter.removeListener(name, onEvent); reject(err); }
      function onEvent() {
        if (name !== 'error') emitter.removeListener('error', onError);
        resolve(Array.prototype.slice.call(arguments));
      }
      emitter.once(name, onEvent);
      if (name !== 'error') emitter.once('error', onError);
    });
  };
  EventEmitter.listenerCount = function (emitter, type) { return emitter.listenerCount(type); };
  EventEmitter.errorMonitor = Symbol('events.errorMonitor');
  return EventEmitter;
});
modules.events = getEvents;

// ---------- stream ----------
// In-memory streams: what packages built on Node's stream API need (jws, csv and
// form writers, pipeline helpers). Readable (flowing and paused), Writable (_write,
// _writev, _final, cork), Duplex, Transform, PassThrough, pipe, pipeline, finished,
// Readable.from and async iteration. Chunks move through memory, so highWaterMark only
// decides what write() and push() return; 'drain' follows as in Node.
var asyncIteratorSymbol = Symbol.asyncIterator;
var getStream = once(function () {
  var EE = getEvents();
  function tick(fn, a, b) { Promise.resolve().then(function () { fn(a, b); }); }
  function inherit(C, P) {
    C.prototype = Object.create(P.prototype, { constructor: { value: C, writable: true, configurable: true } });
    Object.setPrototypeOf(C, P);
  }
  function chunkLength(state, chunk) { return state.objectMode ? 1 : (chunk && chunk.length) || 0; }
  function hwm(opts, objectMode, key) {
    var v = opts && opts[key] !== undefined ? opts[key] : opts && opts.highWaterMark;
    return v === undefined ? (objectMode ? 16 : 16384) : v;
  }
  function streamError(code, msg) { return codeError(Error, code, msg); }

  function Stream(opts) { EE.call(this, opts); }
  inherit(Stream, EE);
  // The legacy pipe of Stream (for emitters that emit 'data' themselves, as jws does).
  Stream.prototype.pipe = function (dest, opts) {
    var src = this;
    function ondata(chunk) { if (dest.writable && dest.write(chunk) === false && src.pause) src.pause(); }
    function ondrain() { if (src.readable && src.resume) src.resume(); }
    src.on('data', ondata);
    dest.on('drain', ondrain);
    if (!opts || opts.end !== false) src.once('end', function () { dest.end(); });
    dest.emit('pipe', src);
    return dest;
  };

  function destroyImpl(self, err, cb) {
    var rs = self._readableState, ws = self._writableState;
    if ((rs && rs.destroyed) || (ws && ws.destroyed)) { if (typeof cb === 'function') cb(err); return self; }
    if (rs) rs.destroyed = true;
    if (ws) ws.destroyed = true;
    self.destroyed = true;
    self._destroy(err || null, function (e) {
      if (typeof cb === 'function') cb(e);
      tick(function () {
        if (e) { self.errored = e; self.emit('error', e); }
        var emitClose = (rs ? rs.emitClose : true) && (ws ? ws.emitClose : true);
        if (emitClose) { self.closed = true; self.emit('close'); }
      });
    });
    return self;
  }

  // ----- Readable -----
  function Readable(opts) {
    if (!(this instanceof Readable)) return new Readable(opts);
    Stream.call(this, opts);
    opts = opts || {};
    var om = !!(opts.objectMode || opts.readableObjectMode);
    hidden(this, '_readableState', {
      objectMode: om, highWaterMark: hwm(opts, om, 'readableHighWaterMark'), buffer: [], length: 0,
      flowing: null, ended: false, endEmitted: false, reading: false, destroyed: false, scheduled: false,
      decoder: null, encoding: null, emitClose: opts.emitClose !== false, autoDestroy: opts.autoDestroy !== false
    });
    if (opts.encoding) this.setEncoding(opts.encoding);
    if (typeof opts.read === 'function') this._read = opts.read;
    if (typeof opts.destroy === 'function') this._destroy = opts.destroy;
    this.readable = true;
    this.destroyed = false;
  }
  inherit(Readable, Stream);
  var R = Readable.prototype;
  R._read = function () { throw streamError('ERR_METHOD_NOT_IMPLEMENTED', 'The _read() method is not implemented'); };
  R._destroy = function (err, cb) { cb(err); };
  R.destroy = function (err, cb) { return destroyImpl(this, err, cb); };
  R.setEncoding = function (enc) {
    var s = this._readableState;
    s.decoder = new (modules.string_decoder().StringDecoder)(enc);
    s.encoding = s.decoder.encoding;
    return this;
  };
  R.push = function (chunk, enc) {
    var s = this._readableState;
    if (s.destroyed) return false;
    if (chunk === null) {
      s.ended = true;
      s.reading = false;
      if (s.decoder) { var rest = s.decoder.end(); if (rest) { s.buffer.push(rest); s.length += rest.length; } }
      scheduleFlow(this);
      return false;
    }
    if (!s.objectMode) {
      if (typeof chunk === 'string') chunk = getBuffer().from(chunk, enc || 'utf8');
      else if (chunk instanceof Uint8Array && !getBuffer().isBuffer(chunk)) chunk = getBuffer().from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      else if (!getBuffer().isBuffer(chunk)) {
        var e = argTypeError('chunk', 'of type string or an instance of Buffer or Uint8Array', chunk);
        this.destroy(e);
        return false;
      }
      if (s.decoder) chunk = s.decoder.write(chunk);
    }
    if (s.ended) { this.destroy(streamError('ERR_STREAM_PUSH_AFTER_EOF', 'stream.push() after EOF')); return false; }
    s.reading = false;
    if (s.objectMode || chunk.length > 0) { s.buffer.push(chunk); s.length += chunkLength(s, chunk); }
    scheduleFlow(this);
    return s.length < s.highWaterMark;
  };
  R.unshift = function (chunk) {
    var s = this._readableState;
    s.buffer.unshift(chunk); s.length += chunkLength(s, chunk);
    scheduleFlow(this);
  };
  function scheduleFlow(self) {
    var s = self._readableState;
    if (s.scheduled) return;
    s.scheduled = true;
    tick(function () { s.scheduled = false; flow(self); });
  }
  function take(s) {
    var c = s.buffer.shift();
    s.length -= chunkLength(s, c);
    return c;
  }
  function maybeRead(self) {
    var s = self._readableState;
    if (!s.ended && !s.reading && !s.destroyed && s.length < s.highWaterMark) {
      s.reading = true;
      try { self._read(s.highWaterMark); } catch (e) { self.destroy(e); }
    }
  }
  function flow(self) {
    var s = self._readableState;
    if (s.destroyed) return;
    if (s.flowing) {
      while (s.flowing && s.buffer.length) self.emit('data', take(s));
    } else if (s.buffer.length && self.listenerCount('readable') > 0) {
      self.emit('readable');
    }
    if (s.ended && !s.buffer.length) {
      if (!s.endEmitted && (s.flowing || self.listenerCount('readable') > 0 || s.readCalled)) {
        s.endEmitted = true;
        self.readable = false;
        self.readableEnded = true;
        self.emit('end');
        var ws = self._writableState;
        if (s.autoDestroy && (!ws || ws.finished)) self.destroy();
      }
      return;
    }
    if (s.flowing || s.length < s.highWaterMark) maybeRead(self);
  }
  R.read = function (n) {
    var s = this._readableState;
    s.readCalled = true;
    var out = null;
    if (s.buffer.length) {
      if (s.objectMode) out = take(s);
      else if (n === undefined || n >= s.length) {
        out = s.decoder ? s.buffer.join('') : getBuffer().concat(s.buffer);
        s.buffer = []; s.length = 0;
      } else {
        var all = s.decoder ? s.buffer.join('') : getBuffer().concat(s.buffer);
        out = all.slice(0, n);
        s.buffer = [all.slice(n)]; s.length = s.buffer[0].length;
      }
    }
    if (!s.buffer.length) scheduleFlow(this);
    return out;
  };
  R.on = R.addListener = function (type, fn) {
    var r = Stream.prototype.on.call(this, type, fn);
    var s = this._readableState;
    if (type === 'data' && s.flowing !== false) this.resume();
    else if (type === 'readable') { s.flowing = false; scheduleFlow(this); }
    return r;
  };
  R.resume = function () { var s = this._readableState; s.flowing = true; scheduleFlow(this); return this; };
  R.pause = function () { this._readableState.flowing = false; return this; };
  R.isPaused = function () { return this._readableState.flowing === false; };
  R.pipe = function (dest, opts) {
    var src = this;
    function ondata(chunk) { if (dest.write(chunk) === false) src.pause(); }
    function ondrain() { src.resume(); }
    src.on('data', ondata);
    dest.on('drain', ondrain);
    if (!opts || opts.end !== false) src.once('end', function () { dest.end(); });
    hidden(src, '_pipeCleanup', (src._pipeCleanup || []).concat([[dest, ondata, ondrain]]));
    dest.emit('pipe', src);
    return dest;
  };
  R.unpipe = function (dest) {
    var src = this, list = src._pipeCleanup || [];
    src._pipeCleanup = list.filter(function (p) {
      if (dest && p[0] !== dest) return true;
      src.removeListener('data', p[1]); p[0].removeListener('drain', p[2]); p[0].emit('unpipe', src);
      return false;
    });
    return src;
  };
  R[asyncIteratorSymbol] = function () {
    var self = this, queue = [], waiting = null, done = false, failure = null;
    function settle() {
      if (!waiting) return;
      var w = waiting;
      if (queue.length) { waiting = null; w.resolve({ value: queue.shift(), done: false }); }
      else if (failure) { waiting = null; w.reject(failure); }
      else if (done) { waiting = null; w.resolve({ value: undefined, done: true }); }
    }
    self.on('data', function (c) { queue.push(c); if (queue.length >= 16) self.pause(); settle(); });
    self.once('end', function () { done = true; settle(); });
    self.once('error', function (e) { failure = e; settle(); });
    self.once('close', function () { done = true; settle(); });
    var it = {
      next: function () {
        if (queue.length) { var v = queue.shift(); if (queue.length < 16) self.resume(); return Promise.resolve({ value: v, done: false }); }
        if (failure) return Promise.reject(failure);
        if (done) return Promise.resolve({ value: undefined, done: true });
        self.resume();
        return new Promise(function (resolve, reject) { waiting = { resolve: resolve, reject: reject }; });
      },
      return: function () { done = true; self.destroy(); return Promise.resolve({ value: undefined, done: true }); }
    };
    it[asyncIteratorSymbol] = function () { return it; };
    return it;
  };
  Readable.from = function (iterable, opts) {
    if (typeof iterable === 'string' || getBuffer().isBuffer(iterable)) {
      var once1 = false;
      return new Readable(Object.assign({ objectMode: true }, opts, { read: function () { if (!once1) { once1 = true; this.push(iterable); } this.push(null); } }));
    }
    var asyncIt = iterable && iterable[asyncIteratorSymbol], it;
    if (typeof asyncIt === 'function') it = asyncIt.call(iterable);
    else if (iterable && typeof iterable[Symbol.iterator] === 'function') it = iterable[Symbol.iterator]();
    else throw argTypeError('iterable', 'an Iterable', iterable);
    var busy = false;
    return new Readable(Object.assign({ objectMode: true }, opts, {
      read: function () {
        var self = this;
        if (busy) return;
        busy = true;
        Promise.resolve(it.next()).then(function (r) {
          busy = false;
          if (r.done) { self.push(null); return; }
          return Promise.resolve(r.value).then(function (v) {
            if (v === null) throw streamError('ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
            if (self.push(v)) self._read();
          });
        }).catch(function (e) { busy = false; self.destroy(e); });
      }
    }));
  };

  // ----- Writable -----
  function Writable(opts) {
    if (!(this instanceof Writable) && !(this instanceof Duplex)) return new Writable(opts);
    if (!this._events) Stream.call(this, opts);
    opts = opts || {};
    var om = !!(opts.objectMode || opts.writableObjectMode);
    hidden(this, '_writableState', {
      objectMode: om, highWaterMark: hwm(opts, om, 'writableHighWaterMark'), queue: [], length: 0,
      writing: false, corked: 0, ending: false, ended: false, finished: false, finalCalled: false,
      destroyed: false, needDrain: false, decodeStrings: opts.decodeStrings !== false,
      defaultEncoding: opts.defaultEncoding || 'utf8', emitClose: opts.emitClose !== false,
      autoDestroy: opts.autoDestroy !== false
    });
    if (typeof opts.write === 'function') this._write = opts.write;
    if (typeof opts.writev === 'function') this._writev = opts.writev;
    if (typeof opts.final === 'function') this._final = opts.final;
    if (typeof opts.destroy === 'function') this._destroy = opts.destroy;
    this.writable = true;
    this.destroyed = false;
  }
  inherit(Writable, Stream);
  var W = Writable.prototype;
  W._write = function (chunk, enc, cb) {
    if (this._writev) this._writev([{ chunk: chunk, encoding: enc }], cb);
    else throw streamError('ERR_METHOD_NOT_IMPLEMENTED', 'The _write() method is not implemented');
  };
  W._destroy = function (err, cb) { cb(err); };
  W.destroy = function (err, cb) { return destroyImpl(this, err, cb); };
  W.setDefaultEncoding = function (enc) { this._writableState.defaultEncoding = enc; return this; };
  W.write = function (chunk, enc, cb) {
    var s = this._writableState, self = this;
    if (typeof enc === 'function') { cb = enc; enc = null; }
    if (typeof cb !== 'function') cb = function () {};
    if (chunk === null) throw streamError('ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
    var err = null;
    if (s.ending) err = streamError('ERR_STREAM_WRITE_AFTER_END', 'write after end');
    else if (s.destroyed) err = streamError('ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed');
    if (err) { tick(cb, err); if (!s.destroyed) this.destroy(err); return false; }
    if (!s.objectMode) {
      if (typeof chunk === 'string') {
        if (s.decodeStrings) { chunk = getBuffer().from(chunk, enc || s.defaultEncoding); enc = 'buffer'; }
        else enc = enc || s.defaultEncoding;
      } else if (chunk instanceof Uint8Array) {
        if (!getBuffer().isBuffer(chunk)) chunk = getBuffer().from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        enc = 'buffer';
      } else {
        throw argTypeError('chunk', 'of type string or an instance of Buffer or Uint8Array', chunk);
      }
    }
    s.queue.push({ chunk: chunk, encoding: enc || 'buffer', callback: cb });
    s.length += chunkLength(s, chunk);
    var ok = s.length < s.highWaterMark;
    if (!ok) s.needDrain = true;
    if (!s.writing && !s.corked) writeNext(self);
    return ok;
  };
  function writeNext(self) {
    var s = self._writableState;
    if (s.writing || s.destroyed || !s.queue.length) return;
    s.writing = true;
    var batch;
    if (s.queue.length > 1 && self._writev) { batch = s.queue; s.queue = []; }
    else batch = [s.queue.shift()];
    var called = false;
    function done(err) {
      if (called) return;
      called = true;
      tick(function () {
        s.writing = false;
        for (var i = 0; i < batch.length; i++) s.length -= chunkLength(s, batch[i].chunk);
        if (err) {
          for (var j = 0; j < batch.length; j++) batch[j].callback(err);
          self.destroy(err);
          return;
        }
        for (var k = 0; k < batch.length; k++) batch[k].callback(null);
        if (s.queue.length) { if (!s.corked) writeNext(self); return; }
        if (s.needDrain && !s.ending) { s.needDrain = false; self.emit('drain'); }
        maybeFinish(self);
      });
    }
    try {
      if (batch.length > 1) self._writev(batch.map(function (b) { return { chunk: b.chunk, encoding: b.encoding }; }), done);
      else self._write(batch[0].chunk, batch[0].encoding, done);
    } catch (e) { done(e); }
  }
  function maybeFinish(self) {
    var s = self._writableState;
    if (!s.ending || s.finished || s.writing || s.queue.length || s.destroyed || s.corked) return;
    function finish(err) {
      if (err) { self.destroy(err); return; }
      s.finished = true;
      self.writable = false;
      self.writableFinished = true;
      self.emit('finish');
      var rs = self._readableState;
      if (s.autoDestroy && (!rs || rs.endEmitted)) self.destroy();
    }
    if (self._final && !s.finalCalled) {
      s.finalCalled = true;
      s.writing = true;
      try {
        self._final(function (err) { tick(function () { s.writing = false; finish(err); }); });
      } catch (e) { s.writing = false; finish(e); }
    } else if (!s.finalCalled || !s.writing) {
      s.finalCalled = true;
      tick(function () { if (!s.finished) finish(null); });
    }
  }
  W.end = function (chunk, enc, cb) {
    var s = this._writableState;
    if (typeof chunk === 'function') { cb = chunk; chunk = null; enc = null; }
    else if (typeof enc === 'function') { cb = enc; enc = null; }
    if (chunk !== null && chunk !== undefined) this.write(chunk, enc);
    if (s.corked) { s.corked = 1; this.uncork(); }
    if (typeof cb === 'function') {
      if (s.finished) tick(cb);
      else this.once('finish', function () { cb(); });
    }
    if (!s.ending) { s.ending = true; s.ended = true; this.writableEnded = true; maybeFinish(this); }
    return this;
  };
  W.cork = function () { this._writableState.corked++; };
  W.uncork = function () {
    var s = this._writableState;
    if (s.corked && --s.corked === 0) { writeNext(this); if (!s.writing) maybeFinish(this); }
  };
  Object.defineProperty(W, 'writableLength', { get: function () { return this._writableState.length; }, configurable: true });
  Object.defineProperty(R, 'readableLength', { get: function () { return this._readableState.length; }, configurable: true });
  Object.defineProperty(R, 'readableFlowing', { get: function () { return this._readableState.flowing; }, configurable: true });

  // ----- Duplex, Transform, PassThrough -----
  function Duplex(opts) {
    if (!(this instanceof Duplex)) return new Duplex(opts);
    Readable.call(this, opts);
    Writable.call(this, opts);
    this.allowHalfOpen = !opts || opts.allowHalfOpen !== false;
    if (!this.allowHalfOpen) this.once('end', function () { this.end(); });
  }
  inherit(Duplex, Readable);
  Object.getOwnPropertyNames(W).forEach(function (k) {
    if (k !== 'constructor') Object.defineProperty(Duplex.prototype, k, Object.getOwnPropertyDescriptor(W, k));
  });

  function Transform(opts) {
    if (!(this instanceof Transform)) return new Transform(opts);
    Duplex.call(this, opts);
    if (opts && typeof opts.transform === 'function') this._transform = opts.transform;
    if (opts && typeof opts.flush === 'function') this._flush = opts.flush;
  }
  inherit(Transform, Duplex);
  Transform.prototype._transform = function () { throw streamError('ERR_METHOD_NOT_IMPLEMENTED', 'The _transform() method is not implemented'); };
  Transform.prototype._write = function (chunk, enc, cb) {
    var self = this;
    this._transform(chunk, enc, function (err, data) {
      if (err) { cb(err); return; }
      if (data !== undefined && data !== null) self.push(data);
      cb();
    });
  };
  Transform.prototype._final = function (cb) {
    var self = this;
    if (typeof this._flush === 'function') {
      this._flush(function (err, data) {
        if (err) { cb(err); return; }
        if (data !== undefined && data !== null) self.push(data);
        self.push(null);
        cb();
      });
    } else { this.push(null); cb(); }
  };
  Transform.prototype._read = function () {};

  function PassThrough(opts) {
    if (!(this instanceof PassThrough)) return new PassThrough(opts);
    Transform.call(this, opts);
  }
  inherit(PassThrough, Transform);
  PassThrough.prototype._transform = function (chunk, enc, cb) { cb(null, chunk); };

  // ----- finished, pipeline -----
  function finished(stream, opts, cb) {
    if (typeof opts === 'function') { cb = opts; opts = {}; }
    var done = false;
    function call(err) { if (done) return; done = true; cleanup(); cb(err); }
    function onend() { if (!stream._writableState || stream._writableState.finished || !stream.writable) call(); }
    function onfinish() { if (!stream._readableState || stream._readableState.endEmitted || !stream.readable) call(); }
    function onerror(e) { call(e); }
    function onclose() {
      var rs = stream._readableState, ws = stream._writableState;
      if ((rs && !rs.endEmitted && stream.readable !== false) || (ws && !ws.finished && stream.writable !== false)) {
        call(codeError(Error, 'ERR_STREAM_PREMATURE_CLOSE', 'Premature close'));
      } else call();
    }
    function cleanup() {
      stream.removeListener('end', onend); stream.removeListener('finish', onfinish);
      stream.removeListener('error', onerror); stream.removeListener('close', onclose);
    }
    stream.on('end', onend); stream.on('finish', onfinish); stream.on('error', onerror); stream.on('close', onclose);
    return cleanup;
  }
  function pipeline() {
    var streams = Array.prototype.slice.call(arguments);
    var cb = typeof streams[streams.length - 1] === 'function' ? streams.pop() : null;
    if (streams.length === 1 && Array.isArray(streams[0])) streams = streams[0];
    if (streams.length < 2) throw codeError(TypeError, 'ERR_MISSING_ARGS', 'The "streams" argument must be specified');
    if (!cb) throw argTypeError('callback', 'of type function', cb);
    var done = false, pending = streams.length;
    function end(err) {
      if (done) return;
      if (err) {
        done = true;
        streams.forEach(function (s) { if (s.destroy && !s.destroyed) s.destroy(); });
        cb(err);
      } else if (--pending === 0) { done = true; cb(); }
    }
    for (var i = 0; i < streams.length; i++) {
      if (i < streams.length - 1) streams[i].pipe(streams[i + 1]);
      finished(streams[i], end);
    }
    return streams[streams.length - 1];
  }
  function promisify(fn) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      return new Promise(function (resolve, reject) {
        args.push(function (err, v) { if (err) reject(err); else resolve(v); });
        fn.apply(null, args);
      });
    };
  }

  Stream.Stream = Stream;
  Stream.Readable = Readable;
  Stream.Writable = Writable;
  Stream.Duplex = Duplex;
  Stream.Transform = Transform;
  Stream.PassThrough = PassThrough;
  Stream.finished = finished;
  Stream.pipeline = pipeline;
  Stream.promises = { pipeline: promisify(pipeline), finished: promisify(finished) };
  Stream.isReadable = function (s) { return !!(s && s._readableState && !s.destroyed && !s._readableState.endEmitted); };
  return Stream;
});
modules.stream = getStream;
modules['stream/promises'] = function () { return getStream().promises; };

// ---------- process ----------
var processCreated = false;
var getProcess = once(function () {
  processCreated = true;
  var EventEmitter = getEvents();
  var p = Object.create(EventEmitter.prototype);
  EventEmitter.init.call(p);
  var start = N.now();
  function hrtime(prev) {
    var ns = N.hrtime();
    var s = Math.floor(ns / 1e9), n = ns - s * 1e9;
    if (prev) { s -= prev[0]; n -= prev[1]; if (n < 0) { s--; n += 1e9; } }
    return [s, n];
  }
  hrtime.bigint = function () { return BigInt(N.hrtime()); };
  var notAvailable = function (name) {
    return function () { throw new Error('process.' + name + '() is not available in Minicloud functions'); };
  };
  var props = {
    env: N.env,
    argv: ['/var/lang/node18/bin/node', '/var/user/index.js'],
    argv0: 'node', execArgv: [], execPath: '/var/lang/node18/bin/node',
    version: 'v18.15.0',
    versions: { node: '18.15.0', v8: '10.2.154.26-node.25', uv: '1.44.2', modules: '108' },
    release: { name: 'node', lts: 'Hydrogen' },
    platform: 'linux', arch: 'x64', pid: 1, ppid: 0, title: 'node',
    config: { variables: {} }, features: {}, exitCode: undefined,
    cwd: function () { return '/var/user'; },
    chdir: notAvailable('chdir'),
    exit: notAvailable('exit'), abort: notAvailable('abort'), kill: notAvailable('kill'),
    binding: notAvailable('binding'), dlopen: notAvailable('dlopen'),
    umask: function () { return 18; },
    uptime: function () { return (N.now() - start) / 1000; },
    hrtime: hrtime,
    memoryUsage: function () { return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }; },
    cpuUsage: function () { return { user: 0, system: 0 }; },
    resourceUsage: function () { return {}; },
    nextTick: function (fn) {
      if (typeof fn !== 'function') throw argTypeError('callback', 'of type function', fn);
      var args = Array.prototype.slice.call(arguments, 1);
      Promise.resolve().then(function () { fn.apply(undefined, args); });
    },
    emitWarning: function (w) { N.log('warn', '(node) Warning: ' + (w && w.message ? w.message : String(w))); },
    stdout: { write: function (s) { N.log('log', String(s).replace(/\n$/, '')); return true; }, isTTY: false, fd: 1 },
    stderr: { write: function (s) { N.log('error', String(s).replace(/\n$/, '')); return true; }, isTTY: false, fd: 2 },
    stdin: { isTTY: false, fd: 0 }
  };
  Object.keys(props).forEach(function (k) { hidden(p, k, props[k]); });
  defineProperty(p, Symbol.toStringTag, { value: 'process' });
  return p;
});
lazyGlobal('process', getProcess);
modules.process = getProcess;
function emitUnhandled(reason, promise) {
  if (!processCreated) return false;
  var p = getProcess();
  if (p.listenerCount('unhandledRejection') === 0) return false;
  p.emit('unhandledRejection', reason, promise);
  return true;
}

// ---------- Buffer ----------
var getBuffer = once(function () {
  var B = N.buf;
  var kMax = B.max;
  var U8 = Uint8Array;
  function FastBuffer(a, b, c) {
    var self = Reflect.construct(U8, arguments.length ? Array.prototype.slice.call(arguments) : [0], new.target || FastBuffer);
    return self;
  }
  Object.setPrototypeOf(FastBuffer.prototype, U8.prototype);
  Object.setPrototypeOf(FastBuffer, U8);
  function Buffer(arg, encOrOffset, length) {
    if (typeof arg === 'number') {
      if (typeof encOrOffset === 'string') throw argTypeError('string', 'of type string', arg);
      return Buffer.alloc(arg);
    }
    return Buffer.from(arg, encOrOffset, length);
  }
  Buffer.prototype = FastBuffer.prototype;
  hidden(FastBuffer.prototype, 'constructor', Buffer);
  Object.setPrototypeOf(Buffer, U8);
  defineProperty(Buffer, Symbol.species, { value: FastBuffer, configurable: true });
  function checkSize(size) {
    if (typeof size !== 'number') throw argTypeError('size', 'of type number', size);
    if (!(size >= 0 && size <= 4294967296)) throw outOfRange('size', '>= 0 && <= 4294967296', size);
    if (size > kMax) N.refuseBytes();
  }
  function wrap(ab) { return new FastBuffer(ab); }
  Buffer.poolSize = 8192;
  Buffer.from = function from(value, encOrOffset, length) {
    if (typeof value === 'string') return wrap(B.fromString(value, encOrOffset));
    if (typeof value === 'object' && value !== null) {
      if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
        var off = encOrOffset === undefined ? 0 : +encOrOffset || 0;
        if (off > value.byteLength) throw codeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS', '"offset" is outside of buffer bounds');
        var len = length === undefined ? value.byteLength - off : +length || 0;
        if (off + len > value.byteLength) throw codeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS', '"length" is outside of buffer bounds');
        return new FastBuffer(value, off, len);
      }
      if (ArrayBuffer.isView(value)) {
        if (value instanceof DataView) return new FastBuffer(0); // as Node: no length, so an empty array-like
        var b = new FastBuffer(value.length);
        b.set(value);
        return b;
      }
      var prim = value.valueOf && value.valueOf();
      if (prim != null && prim !== value && (typeof prim === 'string' || typeof prim === 'object')) return Buffer.from(prim, encOrOffset, length);
      if (typeof value[Symbol.toPrimitive] === 'function') {
        var p2 = value[Symbol.toPrimitive]('string');
        if (typeof p2 === 'string') return Buffer.from(p2, encOrOffset);
      }
      if (value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
      if (typeof value.length === 'number' || Array.isArray(value)) {
        var n = value.length >>> 0;
        if (n > kMax) N.refuseBytes();
        var out = new FastBuffer(n);
        for (var i = 0; i < n; i++) out[i] = value[i] & 255;
        return out;
      }
    }
    throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received ' + describeReceived(value));
  };
  Buffer.alloc = function alloc(size, fill, encoding) {
    checkSize(size);
    var b = new FastBuffer(size);
    if (fill !== undefined && fill !== 0 && size > 0) fillBuffer(b, fill, 0, b.length, encoding);
    return b;
  };
  Buffer.allocUnsafe = function allocUnsafe(size) { checkSize(size); return new FastBuffer(size); };
  Buffer.allocUnsafeSlow = Buffer.allocUnsafe;
  Buffer.isBuffer = function isBuffer(b) { return b instanceof FastBuffer; };
  Buffer.isEncoding = function isEncoding(e) { return typeof e === 'string' && e.length !== 0 && B.isEncoding(e); };
  Buffer.byteLength = function byteLength(v, enc) {
    if (typeof v === 'string') return B.byteLength(v, enc);
    if (v && (ArrayBuffer.isView(v) || v instanceof ArrayBuffer)) return v.byteLength;
    throw argTypeError('string', 'of type string or an instance of Buffer or ArrayBuffer', v);
  };
  Buffer.compare = function compare(a, b) {
    if (!(a instanceof U8)) throw argTypeError('buf1', 'an instance of Buffer or Uint8Array', a);
    if (!(b instanceof U8)) throw argTypeError('buf2', 'an instance of Buffer or Uint8Array', b);
    return B.compare(a, b);
  };
  Buffer.concat = function concat(list, total) {
    if (!Array.isArray(list)) throw argTypeError('list', 'an instance of Array', list);
    var i, len = 0;
    for (i = 0; i < list.length; i++) {
      if (!(list[i] instanceof U8)) throw argTypeError('list[' + i + ']', 'an instance of Buffer or Uint8Array', list[i]);
      len += list[i].length;
    }
    if (total !== undefined) { validateOffset(total, 'length'); len = total; }
    checkSize(len);
    var out = new FastBuffer(len), pos = 0;
    for (i = 0; i < list.length && pos < len; i++) {
      var src = list[i];
      if (pos + src.length > len) src = src.subarray(0, len - pos);
      out.set(src, pos);
      pos += src.length;
    }
    return out;
  };
  var P = FastBuffer.prototype;
  P.toString = function toString(enc, start, end) {
    if (arguments.length === 0) return B.toString(this, 'utf8', 0, this.length);
    var len = this.length;
    // As Node: no |0, so Infinity and 2 ** 32 + 1 clamp to the length.
    if (start <= 0) start = 0;
    else if (start >= len) return '';
    else start = Math.trunc(start) || 0;
    if (end === undefined || end > len) end = len;
    else end = Math.trunc(end) || 0;
    if (end <= start) return '';
    if (enc === null || enc === '') throw codeError(TypeError, 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: ' + enc);
    return B.toString(this, enc === undefined ? 'utf8' : enc, start, end);
  };
  P.toLocaleString = P.toString;
  P.toJSON = function toJSON() { return { type: 'Buffer', data: Array.prototype.slice.call(this) }; };
  P.equals = function equals(o) {
    if (!(o instanceof U8)) throw argTypeError('otherBuffer', 'an instance of Buffer or Uint8Array', o);
    return B.compare(this, o) === 0;
  };
  P.compare = function compare(target, ts, te, ss, se) {
    if (!(target instanceof U8)) throw argTypeError('target', 'an instance of Buffer or Uint8Array', target);
    if (arguments.length === 1) return B.compare(this, target);
    if (ts === undefined) ts = 0; else validateOffset(ts, 'targetStart');
    if (te === undefined) te = target.length; else validateOffset(te, 'targetEnd', 0, target.length);
    if (ss === undefined) ss = 0; else validateOffset(ss, 'sourceStart');
    if (se === undefined) se = this.length; else validateOffset(se, 'sourceEnd', 0, this.length);
    if (ss >= se) return ts >= te ? 0 : -1;
    if (ts >= te) return 1;
    if (ss > this.length) throw codeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "sourceStart" is out of range.');
    if (ts > target.length) throw codeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "targetStart" is out of range.');
    return B.compare(this.subarray(ss, se), target.subarray(ts, te));
  };
  // copy is Node's _copy: offsets through toInteger, then range checks.
  function toInteger(n, dflt) {
    n = +n;
    if (n === n && n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) return n % 1 === 0 ? n : Math.floor(n);
    return dflt;
  }
  P.copy = function copy(target, ts, ss, se) {
    if (!(target instanceof U8)) throw argTypeError('target', 'an instance of Buffer or Uint8Array', target);
    if (ts === undefined) ts = 0;
    else { ts = toInteger(ts, 0); if (ts < 0) throw outOfRange('targetStart', '>= 0', ts); }
    if (ss === undefined) ss = 0;
    else { ss = toInteger(ss, 0); if (ss < 0 || ss > this.length) throw outOfRange('sourceStart', '>= 0 && <= ' + this.length, ss); }
    if (se === undefined) se = this.length;
    else { se = toInteger(se, 0); if (se < 0) throw outOfRange('sourceEnd', '>= 0', se); }
    if (ts >= target.length || ss >= se) return 0;
    if (se - ss > target.length - ts) se = ss + target.length - ts;
    var n = Math.min(se - ss, this.length - ss);
    target.set(this.subarray(ss, ss + n), ts);
    return n;
  };
  P.slice = function slice(s, e) { return this.subarray(s, e); };
  // write follows Node's argument handling (validateOffset), then writes whole
  // characters only.
  P.write = function write(str, offset, length, enc) {
    if (offset === undefined) { offset = 0; length = this.length; }
    else if (length === undefined && typeof offset === 'string') { enc = offset; length = this.length; offset = 0; }
    else {
      validateOffset(offset, 'offset', 0, this.length);
      var remaining = this.length - offset;
      if (length === undefined) length = remaining;
      else if (typeof length === 'string') { enc = length; length = remaining; }
      else { validateOffset(length, 'length', 0, this.length); if (length > remaining) length = remaining; }
    }
    if (typeof str !== 'string') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'argument must be a string');
    var bytes = new U8(B.fromString(str, enc || 'utf8'));
    var n = Math.min(bytes.length, this.length - offset, length);
    if (n <= 0) return 0;
    n = B.writeCut(bytes, n, enc); // whole characters only, as Node
    if (n <= 0) return 0;
    this.set(bytes.subarray(0, n), offset);
    return n;
  };
  // fillBuffer is Node's _fill: a string's encoding, validateOffset of offset and
  // end, a value that encodes to nothing refused, anything else coerced to a byte.
  function fillBuffer(buf, value, offset, end, enc) {
    if (typeof value === 'string') {
      if (offset === undefined || typeof offset === 'string') { enc = offset; offset = 0; end = buf.length; }
      else if (typeof end === 'string') { enc = end; end = buf.length; }
      if (enc !== undefined && enc !== null && !B.isEncoding(enc)) {
        if (typeof enc !== 'string') throw argTypeError('encoding', 'of type string', enc);
        throw codeError(TypeError, 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: ' + enc);
      }
      if (value.length === 0) value = 0;
    }
    if (offset === undefined) { offset = 0; end = buf.length; }
    else {
      validateOffset(offset, 'offset');
      if (end === undefined) end = buf.length;
      else validateOffset(end, 'end', 0, buf.length);
      if (offset >= end) return buf;
    }
    var bytes;
    if (typeof value === 'string') bytes = new U8(B.fromString(value, enc));
    else if (value instanceof U8) bytes = value;
    else { U8.prototype.fill.call(buf, (+value) & 255, offset, end); return buf; }
    if (bytes.length === 0) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The argument \'value\' is invalid. Received ' + utilInspect(value));
    B.fill(buf, bytes, offset, end);
    return buf;
  }
  P.fill = function fill(value, offset, end, enc) { return fillBuffer(this, value, offset, end, enc); };
  function needle(value, enc) {
    if (typeof value === 'string') return new U8(B.fromString(value, enc));
    if (typeof value === 'number') return new U8([value & 255]);
    if (value instanceof U8) return value;
    throw argTypeError('value', 'one of type number or string or an instance of Buffer or Uint8Array', value);
  }
  // search is Node's bidirectionalIndexOf: the offset coerced with + (NaN searches the
  // whole buffer), the rest in Go (B.indexOf ports IndexOfOffset and the searches).
  function search(buf, value, off, enc, last) {
    if (typeof off === 'string') { enc = off; off = undefined; }
    else if (off > 0x7fffffff) off = 0x7fffffff;
    else if (off < -0x80000000) off = -0x80000000;
    off = +off;
    if (off !== off) off = last ? buf.length : 0;
    if (typeof value === 'number') return B.indexOf(buf, new U8([(value >>> 0) & 255]), off, last);
    if (typeof value === 'string') return B.indexOf(buf, needle(value, enc === undefined ? 'utf8' : enc), off, last, enc);
    if (value instanceof U8) return B.indexOf(buf, value, off, last, B.isEncoding(String(enc)) ? enc : undefined);
    return B.indexOf(buf, needle(value, enc), off, last, enc);
  }
  P.indexOf = function indexOf(value, off, enc) { return search(this, value, off, enc, false); };
  P.lastIndexOf = function lastIndexOf(value, off, enc) { return search(this, value, off, enc, true); };
  P.includes = function includes(value, off, enc) { return this.indexOf(value, off, enc) !== -1; };
  // Integer and float accessors, ported from Node's lib/internal/buffer.js: the same
  // checks in the same order, the same messages.
  function addSep(s) {
    var res = '', i = s.length, start = s[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) res = '_' + s.slice(i - 3, i) + res;
    return s.slice(0, i) + res;
  }
  var big32 = BigInt(4294967296);
  function outOfRange(name, range, v) {
    var got;
    if (Number.isInteger(v) && Math.abs(v) > 4294967296) got = addSep(String(v));
    else if (typeof v === 'bigint') got = (v > big32 || v < -big32 ? addSep(String(v)) : String(v)) + 'n';
    else if (typeof v === 'string') got = quote(v);
    else if (typeof v === 'number' && Object.is(v, -0)) got = '-0';
    else got = String(v);
    return codeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "' + name + '" is out of range. It must be ' + range + '. Received ' + got);
  }
  function validateOffset(v, name, min, max) {
    if (min === undefined) min = 0;
    if (max === undefined) max = 4294967296;
    if (typeof v !== 'number') throw argTypeError(name, 'of type number', v);
    if (!Number.isInteger(v)) throw outOfRange(name, 'an integer', v);
    if (v < min || v > max) throw outOfRange(name, '>= ' + min + ' && <= ' + max, v);
  }
  function validateNumber(v, name) {
    if (typeof v !== 'number') throw argTypeError(name, 'of type number', v);
  }
  function boundsError(v, len, type) {
    if (Math.floor(v) !== v) {
      validateNumber(v, type || 'offset');
      throw outOfRange(type || 'offset', 'an integer', v);
    }
    if (len < 0) throw codeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS', 'Attempt to access memory outside buffer bounds');
    throw outOfRange(type || 'offset', '>= ' + (type ? 1 : 0) + ' and <= ' + len, v);
  }
  // check validates the offset of an n-byte access (Node's checkBounds).
  function check(buf, off, n) {
    validateNumber(off, 'offset');
    if (buf[off] === undefined || buf[off + n - 1] === undefined) boundsError(off, buf.length - n);
    return off;
  }
  // checkInt is Node's checkInt: the value's range, then the offset.
  function checkInt(buf, v, off, min, max, n) {
    if (v > max || v < min) {
      var s = typeof min === 'bigint' ? 'n' : '', range;
      if (n > 4) {
        if (min === 0 || (typeof min === 'bigint' && min === BigInt(0))) range = '>= 0' + s + ' and < 2' + s + ' ** ' + (n * 8) + s;
        else range = '>= -(2' + s + ' ** ' + (n * 8 - 1) + s + ') and < 2' + s + ' ** ' + (n * 8 - 1) + s;
      } else range = '>= ' + min + s + ' and <= ' + max + s;
      throw outOfRange('value', range, v);
    }
    check(buf, off, n);
  }
  function dv(buf) { return new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
  // putInt stores the n-byte integer v (a number) as Node does (>>> per 32-bit half).
  function putInt(buf, v, off, n, le) {
    var hi = Math.floor(v * Math.pow(2, -32));
    for (var i = 0; i < n; i++) {
      var b = i < 4 ? v >>> (8 * i) : hi >>> (8 * (i - 4));
      buf[le ? off + i : off + n - 1 - i] = b & 255;
    }
    return off + n;
  }
  function getInt(buf, off, n, le, signed) {
    var v = 0, mul = 1, i;
    if (le) { for (i = 0; i < n; i++) { v += buf[off + i] * mul; mul *= 256; } }
    else { for (i = n - 1; i >= 0; i--) { v += buf[off + i] * mul; mul *= 256; } }
    if (signed && v >= mul / 2) v -= mul;
    return v;
  }
  function intRange(n, signed) {
    var mul = Math.pow(2, 8 * n);
    return signed ? [-mul / 2, mul / 2 - 1] : [0, mul - 1];
  }
  // writeN is Node's writeU_IntN: value coerced with +, then checked.
  function writeN(buf, v, off, n, le, signed) {
    var r = intRange(n, signed);
    v = +v;
    if (n === 1) {
      validateNumber(off, 'offset');
      if (v > r[1] || v < r[0]) throw outOfRange('value', '>= ' + r[0] + ' and <= ' + r[1], v);
      if (buf[off] === undefined) boundsError(off, buf.length - 1);
    } else checkInt(buf, v, off, r[0], r[1], n);
    return putInt(buf, v, off, n, le);
  }
  function readN(buf, off, n, le, signed) {
    check(buf, off, n);
    return getInt(buf, off, n, le, signed);
  }
  var ints = [['UInt8', 1, false], ['UInt16', 2, false], ['UInt32', 4, false], ['Int8', 1, true], ['Int16', 2, true], ['Int32', 4, true]];
  ints.forEach(function (d) {
    var name = d[0], n = d[1], signed = d[2];
    var suffixes = n === 1 ? [''] : ['LE', 'BE'];
    suffixes.forEach(function (suf) {
      var le = suf !== 'BE';
      var r = function (off) { return readN(this, off === undefined ? 0 : off, n, le, signed); };
      var w = function (v, off) { return writeN(this, v, off === undefined ? 0 : off, n, le, signed); };
      P['read' + name + suf] = r;
      P['write' + name + suf] = w;
      if (name.indexOf('UInt') === 0) {
        P['readUint' + name.slice(4) + suf] = r;
        P['writeUint' + name.slice(4) + suf] = w;
      }
    });
  });
  var canonNaN = [0x7f, 0xf8, 0, 0, 0, 0, 0, 0];
  [['Float', 4], ['Double', 8]].forEach(function (d) {
    ['LE', 'BE'].forEach(function (suf) {
      var le = suf === 'LE', n = d[1], get = 'getFloat' + n * 8, set = 'setFloat' + n * 8;
      P['read' + d[0] + suf] = function (off) { off = check(this, off === undefined ? 0 : off, n); return dv(this)[get](off, le); };
      P['write' + d[0] + suf] = function (v, off) {
        v = +v;
        off = check(this, off === undefined ? 0 : off, n);
        if (n === 8 && v !== v) { for (var i = 0; i < 8; i++) this[off + (le ? 7 - i : i)] = canonNaN[i]; return off + 8; }
        dv(this)[set](off, v, le);
        return off + n;
      };
    });
  });
  var big0 = BigInt(0), big63 = BigInt(2) ** BigInt(63), big64 = BigInt(2) ** BigInt(64);
  [['BigInt64', 'getBigInt64', 'setBigInt64', -big63, big63 - BigInt(1)], ['BigUInt64', 'getBigUint64', 'setBigUint64', big0, big64 - BigInt(1)]].forEach(function (d) {
    ['LE', 'BE'].forEach(function (suf) {
      var le = suf === 'LE';
      var r = function (off) { off = check(this, off === undefined ? 0 : off, 8); return dv(this)[d[1]](off, le); };
      var w = function (v, off) {
        if (off === undefined) off = 0;
        checkInt(this, v, off, d[3], d[4], 8);
        if (typeof v !== 'bigint') throw new TypeError('Cannot mix BigInt and other types, use explicit conversions');
        dv(this)[d[2]](off, v, le);
        return off + 8;
      };
      P['read' + d[0] + suf] = r;
      P['write' + d[0] + suf] = w;
      if (d[0] === 'BigUInt64') { P['readBigUint64' + suf] = r; P['writeBigUint64' + suf] = w; }
    });
  });
  function checkByteLength(n) {
    if (n !== 1 && n !== 2 && n !== 3 && n !== 4 && n !== 5 && n !== 6) boundsError(n, 6, 'byteLength');
  }
  function varInt(le, signed) {
    return function (off, byteLength) {
      if (off === undefined) throw argTypeError('offset', 'of type number', off);
      checkByteLength(byteLength);
      return readN(this, off, byteLength, le, signed);
    };
  }
  function varIntWrite(le, signed) {
    return function (value, off, byteLength) {
      checkByteLength(byteLength);
      return writeN(this, value, off, byteLength, le, signed);
    };
  }
  P.readUIntLE = P.readUintLE = varInt(true, false);
  P.readUIntBE = P.readUintBE = varInt(false, false);
  P.readIntLE = varInt(true, true);
  P.readIntBE = varInt(false, true);
  P.writeUIntLE = P.writeUintLE = varIntWrite(true, false);
  P.writeUIntBE = P.writeUintBE = varIntWrite(false, false);
  P.writeIntLE = varIntWrite(true, true);
  P.writeIntBE = varIntWrite(false, true);
  function swap(n) {
    return function () {
      if (this.length % n !== 0) throw codeError(RangeError, 'ERR_INVALID_BUFFER_SIZE', 'Buffer size must be a multiple of ' + (n * 8) + '-bits');
      for (var i = 0; i < this.length; i += n) {
        for (var j = 0; j < n / 2; j++) { var t = this[i + j]; this[i + j] = this[i + n - 1 - j]; this[i + n - 1 - j] = t; }
      }
      return this;
    };
  }
  P.swap16 = swap(2); P.swap32 = swap(4); P.swap64 = swap(8);
  return Buffer;
});
function bufferFromAB(ab) { return getBuffer().from(ab); }
lazyGlobal('Buffer', getBuffer);
modules.buffer = once(function () {
  var Buffer = getBuffer();
  return { Buffer: Buffer, SlowBuffer: Buffer, kMaxLength: N.buf.max, kStringMaxLength: N.buf.maxString,
    constants: { MAX_LENGTH: N.buf.max, MAX_STRING_LENGTH: N.buf.maxString }, INSPECT_MAX_BYTES: 50,
    atob: N.atob, btoa: N.btoa };
});

// ---------- TextEncoder / TextDecoder ----------
var getTextCoding = once(function () {
  function TextEncoder() {}
  defineProperty(TextEncoder.prototype, 'encoding', { get: function () { return 'utf-8'; } });
  TextEncoder.prototype.encode = function encode(s) {
    return new Uint8Array(N.utf8Encode(s === undefined ? '' : String(s)));
  };
  TextEncoder.prototype.encodeInto = function encodeInto(s, dest) {
    var r = N.utf8EncodeInto(String(s), dest);
    return { read: r[0], written: r[1] };
  };
  // The WHATWG labels of the encodings Minicloud decodes: UTF-8, UTF-16LE and
  // windows-1252 (which Node 20 decodes as ISO-8859-1, byte for code point).
  var labels = { 'utf-8': 'utf-8', 'utf8': 'utf-8', 'unicode-1-1-utf-8': 'utf-8' };
  ['utf-16le', 'utf-16', 'ucs-2', 'unicode', 'csunicode', 'iso-10646-ucs-2', 'unicodefeff'].forEach(function (l) { labels[l] = 'utf-16le'; });
  ['windows-1252', 'latin1', 'iso-8859-1', 'ascii', 'us-ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-ir-100', 'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'x-cp1252', 'ansi_x3.4-1968'].forEach(function (l) { labels[l] = 'windows-1252'; });
  function TextDecoder(label, opts) {
    label = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(labels, label)) throw codeError(RangeError, 'ERR_ENCODING_NOT_SUPPORTED', 'The "' + label + '" encoding is not supported');
    hidden(this, '_enc', labels[label]);
    hidden(this, '_fatal', !!(opts && opts.fatal));
    hidden(this, '_ignoreBOM', !!(opts && opts.ignoreBOM));
    hidden(this, '_pending', null);
    hidden(this, '_bomSeen', false);
  }
  defineProperty(TextDecoder.prototype, 'encoding', { get: function () { return this._enc; } });
  defineProperty(TextDecoder.prototype, 'fatal', { get: function () { return this._fatal; } });
  defineProperty(TextDecoder.prototype, 'ignoreBOM', { get: function () { return this._ignoreBOM; } });
  TextDecoder.prototype.decode = function decode(input, opts) {
    var bytes;
    if (input === undefined) bytes = new Uint8Array(0);
    else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
    else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    else throw argTypeError('input', 'an instance of ArrayBuffer or ArrayBufferView', input);
    var stream = !!(opts && opts.stream);
    if (this._enc === 'windows-1252') return getBuffer().from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    if (this._pending) {
      var joined = new Uint8Array(this._pending.length + bytes.length);
      joined.set(this._pending); joined.set(bytes, this._pending.length);
      bytes = joined; this._pending = null;
    }
    var s;
    if (this._enc === 'utf-16le') {
      var r = decodeUTF16(bytes, stream, this._fatal);
      s = r[0];
      if (r[1] > 0) this._pending = bytes.slice(bytes.length - r[1]);
    } else {
      if (stream) {
        var tail = N.utf8Tail(bytes);
        if (tail > 0) { this._pending = bytes.slice(bytes.length - tail); bytes = bytes.subarray(0, bytes.length - tail); }
      }
      s = N.utf8Decode(bytes, this._fatal);
    }
    if (!this._ignoreBOM && !this._bomSeen && s.charCodeAt(0) === 0xFEFF) s = s.slice(1);
    if (s.length) this._bomSeen = stream;
    if (!stream) this._bomSeen = false;
    return s;
  };
  // decodeUTF16 decodes UTF-16LE the WHATWG way: an unpaired surrogate or a final odd
  // byte is U+FFFD (or an error when fatal). When streaming, an odd byte or a final
  // lead surrogate is kept for the next chunk: [string, bytes kept].
  function decodeUTF16(bytes, stream, fatal) {
    var n = bytes.length, keep = 0;
    if (stream) {
      keep = n % 2;
      if (n - keep >= 2) {
        var last = bytes[n - keep - 2] | (bytes[n - keep - 1] << 8);
        if (last >= 0xD800 && last <= 0xDBFF) keep += 2;
      }
    }
    var end = n - keep, units = [], out = '';
    var bad = function () {
      if (fatal) throw codeError(TypeError, 'ERR_ENCODING_INVALID_ENCODED_DATA', 'The encoded data was not valid for encoding utf-16le');
      units.push(0xFFFD);
    };
    for (var i = 0; i + 1 < end; i += 2) {
      var u = bytes[i] | (bytes[i + 1] << 8);
      if (u >= 0xD800 && u <= 0xDBFF) {
        var v = i + 3 < end ? bytes[i + 2] | (bytes[i + 3] << 8) : -1;
        if (v >= 0xDC00 && v <= 0xDFFF) { units.push(u, v); i += 2; } else bad();
      } else if (u >= 0xDC00 && u <= 0xDFFF) bad();
      else units.push(u);
      if (units.length >= 4096) { out += String.fromCharCode.apply(null, units); units = []; }
    }
    if (end % 2 === 1) bad();
    return [out + String.fromCharCode.apply(null, units), keep];
  }
  return { TextEncoder: TextEncoder, TextDecoder: TextDecoder };
});
lazyGlobal('TextEncoder', function () { return getTextCoding().TextEncoder; });
lazyGlobal('TextDecoder', function () { return getTextCoding().TextDecoder; });
hidden(g, 'atob', N.atob);
hidden(g, 'btoa', N.btoa);

// ---------- URL ----------
var getURL = once(function () { return N.urlModule(); });
lazyGlobal('URL', function () { return getURL().URL; });
lazyGlobal('URLSearchParams', function () { return getURL().URLSearchParams; });

// ---------- DOMException, Event, EventTarget, AbortController ----------
var getDOM = once(function () {
  var codes = { IndexSizeError: 1, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12,
    InvalidCharacterError: 5, NetworkError: 19, AbortError: 20, TimeoutError: 23, DataCloneError: 25, QuotaExceededError: 22 };
  function DOMException(message, name) {
    var e = new Error(message === undefined ? '' : String(message));
    Object.setPrototypeOf(e, DOMException.prototype);
    hidden(e, 'name', name === undefined ? 'Error' : String(name));
    hidden(e, 'code', codes[e.name] || 0);
    return e;
  }
  DOMException.prototype = Object.create(Error.prototype);
  hidden(DOMException.prototype, 'constructor', DOMException);
  function Event(type, init) {
    hidden(this, 'type', String(type));
    hidden(this, 'bubbles', !!(init && init.bubbles));
    hidden(this, 'cancelable', !!(init && init.cancelable));
    hidden(this, 'defaultPrevented', false);
    hidden(this, 'timeStamp', N.now());
    hidden(this, 'target', null);
    hidden(this, 'currentTarget', null);
  }
  Event.prototype.preventDefault = function () { if (this.cancelable) this.defaultPrevented = true; };
  Event.prototype.stopPropagation = function () {};
  Event.prototype.stopImmediatePropagation = function () { this._stop = true; };
  function EventTarget() { hidden(this, '_listeners', Object.create(null)); }
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (!fn) return;
    if (!this._listeners) hidden(this, '_listeners', Object.create(null));
    var list = this._listeners[type] || (this._listeners[type] = []);
    for (var i = 0; i < list.length; i++) if (list[i].fn === fn) return;
    list.push({ fn: fn, once: !!(opts && typeof opts === 'object' && opts.once) });
  };
  EventTarget.prototype.removeEventListener = function (type, fn) {
    var list = this._listeners && this._listeners[type];
    if (!list) return;
    for (var i = 0; i < list.length; i++) if (list[i].fn === fn) { list.splice(i, 1); return; }
  };
  EventTarget.prototype.dispatchEvent = function (ev) {
    hidden(ev, 'target', this); hidden(ev, 'currentTarget', this);
    var handler = this['on' + ev.type];
    if (typeof handler === 'function') handler.call(this, ev);
    var list = this._listeners && this._listeners[ev.type];
    if (list) {
      list = list.slice();
      for (var i = 0; i < list.length && !ev._stop; i++) {
        if (list[i].once) this.removeEventListener(ev.type, list[i].fn);
        var f = list[i].fn;
        if (typeof f === 'function') f.call(this, ev); else if (f && typeof f.handleEvent === 'function') f.handleEvent(ev);
      }
    }
    return !ev.defaultPrevented;
  };
  function AbortSignal() { EventTarget.call(this); hidden(this, 'aborted', false); hidden(this, 'reason', undefined); hidden(this, 'onabort', null); }
  AbortSignal.prototype = Object.create(EventTarget.prototype);
  hidden(AbortSignal.prototype, 'constructor', AbortSignal);
  AbortSignal.prototype.throwIfAborted = function () { if (this.aborted) throw this.reason; };
  function abortSignal(signal, reason) {
    if (signal.aborted) return;
    signal.aborted = true;
    signal.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    signal.dispatchEvent(new Event('abort'));
  }
  AbortSignal.abort = function (reason) { var s = new AbortSignal(); abortSignal(s, reason); return s; };
  AbortSignal.timeout = function (ms) {
    var s = new AbortSignal();
    setTimeout(function () { abortSignal(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError')); }, ms).unref();
    return s;
  };
  AbortSignal.any = function (signals) {
    var s = new AbortSignal();
    signals.forEach(function (o) {
      if (o.aborted) abortSignal(s, o.reason);
      else o.addEventListener('abort', function () { abortSignal(s, o.reason); });
    });
    return s;
  };
  function AbortController() { hidden(this, 'signal', new AbortSignal()); }
  AbortController.prototype.abort = function (reason) { abortSignal(this.signal, reason); };
  return { DOMException: DOMException, Event: Event, EventTarget: EventTarget, AbortSignal: AbortSignal, AbortController: AbortController };
});
['DOMException', 'Event', 'EventTarget', 'AbortSignal', 'AbortController'].forEach(function (k) {
  lazyGlobal(k, function () { return getDOM()[k]; });
});

// ---------- structuredClone ----------
function structuredClone(value) {
  var seen = new Map();
  function fail(what) { var D = getDOM().DOMException; return new D(what + ' could not be cloned.', 'DataCloneError'); }
  function clone(v) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
      if (typeof v === 'symbol') throw fail(String(v));
      return v;
    }
    if (typeof v === 'function') throw fail(String(v).slice(0, 40));
    if (seen.has(v)) return seen.get(v);
    var out, i;
    if (Array.isArray(v)) {
      out = []; seen.set(v, out);
      for (i = 0; i < v.length; i++) if (hasOwn.call(v, i)) out[i] = clone(v[i]);
      out.length = v.length;
      return out;
    }
    if (v instanceof Date) out = new Date(v.getTime());
    else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
    else if (v instanceof Boolean || v instanceof Number || v instanceof String) out = Object(v.valueOf());
    else if (v instanceof ArrayBuffer) out = v.slice(0);
    else if (v instanceof DataView) out = new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    else if (ArrayBuffer.isView(v)) {
      var C = g.Buffer && v instanceof g.Buffer ? Uint8Array : v.constructor;
      out = new C(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    } else if (v instanceof Map) {
      out = new Map(); seen.set(v, out);
      v.forEach(function (val, k) { out.set(clone(k), clone(val)); });
      return out;
    } else if (v instanceof Set) {
      out = new Set(); seen.set(v, out);
      v.forEach(function (val) { out.add(clone(val)); });
      return out;
    } else if (isError(v)) {
      var E = (typeof g[v.name] === 'function' && g[v.name].prototype instanceof Error) ? g[v.name] : Error;
      out = new E(v.message);
      if (v.stack !== undefined) hidden(out, 'stack', v.stack);
      if (v.cause !== undefined) hidden(out, 'cause', clone(v.cause));
    } else if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) {
      throw fail('#<' + ctorName(v) + '>');
    } else {
      out = {}; seen.set(v, out);
      var ks = Object.keys(v);
      for (i = 0; i < ks.length; i++) out[ks[i]] = clone(v[ks[i]]);
      return out;
    }
    seen.set(v, out);
    return out;
  }
  if (arguments.length === 0) throw new TypeError('The "value" argument must be specified');
  return clone(value);
}
hidden(g, 'structuredClone', structuredClone);

// ---------- crypto ----------
var getCrypto = once(function () {
  var C = N.crypto;
  function toBuf(r) { return typeof r === 'string' ? r : bufferFromAB(r); }
  function Hash(h, hmac) { hidden(this, '_h', h); hidden(this, '_hmac', hmac); hidden(this, '_done', false); }
  Hash.prototype.update = function update(data, enc) {
    if (this._done) throw codeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    C.hashUpdate(this._h, data, enc);
    return this;
  };
  Hash.prototype.digest = function digest(enc) {
    if (this._done) throw codeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    this._done = true;
    return toBuf(C.hashDigest(this._h, enc));
  };
  Hash.prototype.copy = function copy() { return new Hash(C.hashCopy(this._h), false); };
  function Cipher(h) { hidden(this, '_c', h); }
  Cipher.prototype.update = function update(data, inEnc, outEnc) { return toBuf(C.cipherUpdate(this._c, data, inEnc, outEnc)); };
  Cipher.prototype.final = function final(outEnc) { return toBuf(C.cipherFinal(this._c, outEnc)); };
  Cipher.prototype.setAutoPadding = function (on) { C.cipherOpt(this._c, 'padding', on === undefined ? true : !!on); return this; };
  Cipher.prototype.setAAD = function (aad) { C.cipherOpt(this._c, 'aad', aad); return this; };
  Cipher.prototype.setAuthTag = function (tag) { C.cipherOpt(this._c, 'tag', tag); return this; };
  Cipher.prototype.getAuthTag = function () { return bufferFromAB(C.cipherOpt(this._c, 'getTag')); };
  function randomBytes(n, cb) {
    if (typeof n !== 'number' || !(n >= 0)) throw argTypeError('size', 'of type number', n);
    var b = bufferFromAB(C.randomBytes(n));
    if (typeof cb === 'function') { setImmediate(cb, null, b); return; }
    return b;
  }
  function getRandomValues(a) {
    if (!ArrayBuffer.isView(a) || a instanceof Float32Array || a instanceof Float64Array || a instanceof DataView) {
      throw new (getDOM().DOMException)('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
    }
    if (a.byteLength > 65536) throw new (getDOM().DOMException)('The ArrayBufferView\'s byte length (' + a.byteLength + ') exceeds the number of bytes of entropy available via this API (65536)', 'QuotaExceededError');
    C.randomFill(a);
    return a;
  }
  function randomInt(min, max, cb) {
    if (max === undefined || typeof max === 'function') { cb = max; max = min; min = 0; }
    if (!Number.isSafeInteger(min)) throw argTypeError('min', 'a safe integer', min);
    if (!Number.isSafeInteger(max)) throw argTypeError('max', 'a safe integer', max);
    if (max <= min) throw codeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "max" is out of range. It must be greater than the value of "min" (' + min + '). Received ' + max);
    var v = C.randomInt(min, max);
    if (typeof cb === 'function') { setImmediate(cb, null, v); return; }
    return v;
  }
  function pbkdf2Sync(password, salt, iterations, keylen, digest) {
    return bufferFromAB(C.pbkdf2(password, salt, iterations, keylen, digest === undefined ? 'sha1' : digest));
  }
  // Keys: a KeyObject holds a Go key handle (require_crypto_keys.go), parsed once.
  var binTypes = 'of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView';
  var keyTypes = 'of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey';
  function unsupportedFeature(what) { return codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', what + ' not supported in Minicloud'); }
  function isBin(v) { return v instanceof ArrayBuffer || ArrayBuffer.isView(v); }
  function invalidProp(name, v) {
    return codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The property \'' + name + '\' is invalid. Received ' + utilInspect(v));
  }
  function propTypeError(name, expected, v) {
    return codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "' + name + '" property must be ' + expected + '. Received ' + describeReceived(v));
  }
  function invalidKeyType(got, expected) {
    return codeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', 'Invalid key object type ' + got + ', expected ' + expected + '.');
  }
  function subclass(Ctor, Parent) {
    Ctor.prototype = Object.create(Parent.prototype, { constructor: { value: Ctor, writable: true, configurable: true } });
    Object.setPrototypeOf(Ctor, Parent);
  }
  function getter(Ctor, name, get) { defineProperty(Ctor.prototype, name, { get: get, configurable: true, enumerable: false }); }
  function KeyObject(type, handle) {
    if (type !== 'secret' && type !== 'public' && type !== 'private') {
      throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The argument \'type\' is invalid. Received ' + utilInspect(type));
    }
    var info;
    try { info = C.keyInfo(handle); } catch (e) { throw argTypeError('handle', 'of type object', handle); }
    if (info[0] !== type) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The argument \'type\' is invalid. Received ' + utilInspect(type));
    hidden(this, '_k', handle);
    hidden(this, '_i', info); // [type, asymmetricKeyType, symmetricKeySize, asymmetricKeyDetails]
  }
  KeyObject.from = function from(key) { throw argTypeError('key', 'an instance of CryptoKey', key); };
  getter(KeyObject, 'type', function () { return this._i[0]; });
  defineProperty(KeyObject.prototype, Symbol.toStringTag, { value: 'KeyObject', configurable: true });
  hidden(KeyObject.prototype, 'equals', function equals(otherKeyObject) {
    if (!(otherKeyObject instanceof KeyObject)) throw argTypeError('otherKeyObject', 'an instance of KeyObject', otherKeyObject);
    return C.keyEquals(this._k, otherKeyObject._k);
  });
  function SecretKeyObject(handle) { KeyObject.call(this, 'secret', handle); }
  subclass(SecretKeyObject, KeyObject);
  getter(SecretKeyObject, 'symmetricKeySize', function () { return this._i[2]; });
  hidden(SecretKeyObject.prototype, 'export', function (options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw argTypeError('options', 'of type object', options);
    var f = options && options.format;
    if (f === 'jwk') return C.keyExport(this._k, 'jwk');
    if (f !== undefined && f !== 'buffer') {
      throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The property \'options.format\' must be one of: undefined, \'buffer\', \'jwk\'. Received ' + utilInspect(f));
    }
    return bufferFromAB(C.keyExport(this._k, 'buffer'));
  });
  function AsymmetricKeyObject(type, handle) { KeyObject.call(this, type, handle); }
  subclass(AsymmetricKeyObject, KeyObject);
  getter(AsymmetricKeyObject, 'asymmetricKeyType', function () { return this._i[1]; });
  getter(AsymmetricKeyObject, 'asymmetricKeyDetails', function () { return this._i[3]; });
  function PublicKeyObject(handle) { AsymmetricKeyObject.call(this, 'public', handle); }
  subclass(PublicKeyObject, AsymmetricKeyObject);
  function PrivateKeyObject(handle) { AsymmetricKeyObject.call(this, 'private', handle); }
  subclass(PrivateKeyObject, AsymmetricKeyObject);
  // checkEncoding validates export()'s options (name: where they came from).
  function checkEncoding(o, name, types) {
    if (o === null || typeof o !== 'object') throw argTypeError(name, 'of type object', o);
    if (o.format === 'jwk') return;
    if (o.format !== 'pem' && o.format !== 'der') throw invalidProp(name + '.format', o.format);
    if (types.indexOf(o.type) < 0) throw invalidProp(name + '.type', o.type);
    if (o.cipher !== undefined) throw unsupportedFeature('Encrypting private keys (options.cipher) is');
  }
  function exportAsymmetric(types) {
    return function (options) {
      checkEncoding(options, 'options', types);
      var r = C.keyExport(this._k, options.format, options.type);
      return typeof r === 'string' || options.format === 'jwk' ? r : bufferFromAB(r);
    };
  }
  var publicTypes = ['pkcs1', 'spki'], privateTypes = ['pkcs1', 'pkcs8', 'sec1'];
  hidden(PublicKeyObject.prototype, 'export', exportAsymmetric(publicTypes));
  hidden(PrivateKeyObject.prototype, 'export', exportAsymmetric(privateTypes));
  function createSecretKey(key, encoding) {
    if (typeof key !== 'string' && !isBin(key)) throw argTypeError('key', 'an instance of ArrayBuffer, Buffer, TypedArray, or DataView', key);
    return new SecretKeyObject(C.keySecret(key, encoding));
  }
  // checkJWK checks a JWK's members' types in Node's order (the values are checked by
  // keyParse); a public key needs only the public members.
  function checkJWK(j, isPublic) {
    function str(name) { if (typeof j[name] !== 'string') throw propTypeError('key.' + name, 'of type string', j[name]); }
    if (j.kty === 'OKP' || j.kty === 'EC') {
      str('crv');
      var crvs = j.kty === 'OKP' ? ['Ed25519', 'Ed448', 'X25519', 'X448'] : ['P-256', 'secp256k1', 'P-384', 'P-521'];
      if (crvs.indexOf(j.crv) < 0) {
        throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The property \'key.crv\' must be one of: \'' + crvs.join('\', \'') + '\'. Received ' + utilInspect(j.crv));
      }
      str('x');
      if (j.kty === 'EC') str('y');
      if (!isPublic) str('d');
    } else if (j.kty === 'RSA') {
      str('n'); str('e');
      if (!isPublic) ['d', 'p', 'q', 'dp', 'dq', 'qi'].forEach(str);
    }
  }
  // parseKey reads key material (PEM text, or { key, format, type, encoding }) into a
  // handle: want 'private', or 'public' (a private key gives its public half). As in
  // Node, only createPrivateKey's errors leave KeyObject out of the types expected.
  function parseKey(key, want, creatingPrivate) {
    var o = {}, src = key, types = creatingPrivate ? binTypes : keyTypes;
    if (typeof key !== 'string' && !isBin(key)) {
      if (key === null) throw new TypeError('Cannot destructure property \'key\' of \'key\' as it is null.');
      if (typeof key !== 'object' || key instanceof KeyObject) throw argTypeError('key', types, key);
      o = key; src = key.key;
    }
    var f = o.format === undefined ? 'pem' : o.format;
    if (f !== 'pem' && f !== 'der' && f !== 'jwk') throw invalidProp('options.format', o.format);
    if (f === 'jwk') {
      if (src === null || typeof src !== 'object') throw propTypeError('key.key', 'of type object', src);
      checkJWK(src, want === 'public');
    } else if (typeof src !== 'string' && !isBin(src)) {
      throw propTypeError('key.key', types, src);
    }
    if (f === 'der' && (want === 'private' ? privateTypes : privateTypes.concat('spki')).indexOf(o.type) < 0) throw invalidProp('options.type', o.type);
    return C.keyParse(want, src, f, o.type, o.encoding);
  }
  function createPrivateKey(key) { return new PrivateKeyObject(parseKey(key, 'private', true)); }
  function createPublicKey(key) {
    var k = (key !== null && typeof key === 'object' && key.key instanceof KeyObject) ? key.key : key;
    if (!(k instanceof KeyObject)) return new PublicKeyObject(parseKey(key, 'public'));
    if (k.type !== 'private') throw invalidKeyType(k.type, 'private');
    return new PublicKeyObject(C.keyPublic(k._k));
  }
  function secretOf(key) {
    if (!(key instanceof KeyObject)) return key;
    if (key.type !== 'secret') throw invalidKeyType(key.type, 'secret');
    return key._k;
  }
  // keyFor reads the key argument of sign, verify and the RSA ciphers: a KeyObject, key
  // material, or { key, padding, saltLength, dsaEncoding, oaepHash, oaepLabel, … }.
  function keyFor(key, want, cipher) {
    var o = (key !== null && typeof key === 'object' && !isBin(key) && !(key instanceof KeyObject)) ? key : {};
    var k = o === key ? key.key : key, h;
    if (k instanceof KeyObject) {
      if (want === 'private' ? k.type !== 'private' : k.type === 'secret') throw invalidKeyType(k.type, want === 'private' ? 'private' : 'private or public');
      h = k._k;
    } else if (o !== key && typeof key !== 'string' && !isBin(key)) {
      throw argTypeError('key', keyTypes, key);
    } else {
      h = parseKey(key, want);
    }
    if (cipher) return { h: h, o: o }; // publicEncrypt & co. check their own options
    if (o.padding !== undefined && (o.padding | 0) !== o.padding) throw invalidProp('options.padding', o.padding);
    if (o.saltLength !== undefined && (o.saltLength | 0) !== o.saltLength) throw invalidProp('options.saltLength', o.saltLength);
    if (o.dsaEncoding !== undefined && o.dsaEncoding !== 'der' && o.dsaEncoding !== 'ieee-p1363') throw invalidProp('options.dsaEncoding', o.dsaEncoding);
    return { h: h, o: o };
  }
  function notInitialised() { return codeError(Error, 'ERR_CRYPTO_INVALID_STATE', 'Not initialised'); }
  function Sign(algorithm) {
    if (!(this instanceof Sign)) return new Sign(algorithm);
    if (typeof algorithm !== 'string') throw argTypeError('algorithm', 'of type string', algorithm);
    hidden(this, '_h', C.signHash(algorithm));
  }
  function Verify(algorithm) {
    if (!(this instanceof Verify)) return new Verify(algorithm);
    if (typeof algorithm !== 'string') throw argTypeError('algorithm', 'of type string', algorithm);
    hidden(this, '_h', C.signHash(algorithm));
  }
  function signKeyRequired() { return codeError(Error, 'ERR_CRYPTO_SIGN_KEY_REQUIRED', 'No key provided to sign'); }
  Sign.prototype.update = Verify.prototype.update = function update(data, enc) {
    if (!this._h) throw notInitialised();
    if (typeof data !== 'string' && !ArrayBuffer.isView(data)) throw argTypeError('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
    C.hashUpdate(this._h, data, enc);
    return this;
  };
  Sign.prototype.sign = function sign(privateKey, outputEncoding) {
    if (!privateKey) throw signKeyRequired();
    var k = keyFor(privateKey, 'private'), h = this._h;
    if (!h) throw notInitialised();
    this._h = null;
    return toBuf(C.signFinal(h, k.h, k.o.padding, k.o.saltLength, k.o.dsaEncoding, outputEncoding));
  };
  Verify.prototype.verify = function verify(object, signature, sigEncoding) {
    var k = keyFor(object, 'public'), h = this._h;
    if (!h) throw notInitialised();
    if (typeof signature !== 'string' && !isBin(signature)) throw argTypeError('signature', binTypes, signature);
    this._h = null;
    return C.verifyFinal(h, k.h, signature, sigEncoding, k.o.padding, k.o.saltLength, k.o.dsaEncoding);
  };
  // oneShot is crypto.sign(algorithm, data, key[, callback]) and crypto.verify(algorithm,
  // data, key, signature[, callback]); a null algorithm means SHA-256, or none for Ed25519.
  function oneShot(signing) {
    return function (algorithm, data, key, a, b) {
      var cb = signing ? a : b, signature = a;
      if (algorithm !== null && algorithm !== undefined && typeof algorithm !== 'string') throw argTypeError('algorithm', 'of type string', algorithm);
      if (typeof data !== 'string' && !isBin(data)) throw argTypeError('data', binTypes, data);
      if (signing && !key) throw signKeyRequired();
      var k = keyFor(key, signing ? 'private' : 'public'), o = k.o;
      if (!signing && !isBin(signature)) throw argTypeError('signature', 'an instance of Buffer, TypedArray, or DataView', signature);
      var run = signing ? function () { return bufferFromAB(C.signOneShot(algorithm, data, k.h, o.padding, o.saltLength, o.dsaEncoding)); }
        : function () { return C.verifyOneShot(algorithm, data, k.h, signature, o.padding, o.saltLength, o.dsaEncoding); };
      if (typeof cb !== 'function') return run();
      var r;
      try { r = run(); } catch (e) { setImmediate(cb, e); return; }
      setImmediate(cb, null, r);
    };
  }
  // rsaCipher is publicEncrypt (OAEP with SHA-1 by default, as Node), privateDecrypt,
  // privateEncrypt and publicDecrypt (PKCS#1 v1.5 padding). As in Node, a falsy
  // padding means the default, and a string oaepLabel is in options.encoding.
  function rsaCipher(op, want, defaultPadding) {
    return function (key, buffer) {
      var k = keyFor(key, want, true), o = k.o;
      if (typeof buffer !== 'string' && !isBin(buffer)) throw argTypeError('buffer', binTypes, buffer);
      var oaepHash = o.oaepHash === undefined ? 'sha1' : o.oaepHash;
      if (typeof oaepHash !== 'string') throw propTypeError('key.oaepHash', 'of type string', oaepHash);
      var label = o.oaepLabel;
      if (typeof label === 'string') label = Buffer.from(label, o.encoding === undefined || o.encoding === 'buffer' ? 'utf8' : o.encoding);
      else if (label !== undefined && !isBin(label)) throw propTypeError('key.oaepLabel', 'of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView', label);
      return bufferFromAB(C.rsaCrypt(op, k.h, buffer, o.encoding, (o.padding || defaultPadding) >>> 0, oaepHash, label));
    };
  }
  // keyPairJob checks generateKeyPair's arguments and returns the work.
  function keyPairJob(type, options) {
    if (typeof type !== 'string') throw argTypeError('type', 'of type string', type);
    if (/^(x25519|x448|ed448|dsa|dh)$/.test(type)) throw unsupportedFeature(type + ' keys are');
    if (!/^(rsa|rsa-pss|ec|ed25519)$/.test(type)) {
      throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The argument \'type\' must be a supported key type. Received ' + utilInspect(type));
    }
    var o = options === undefined && type === 'ed25519' ? {} : options;
    if (o === null || typeof o !== 'object') throw argTypeError('options', 'of type object', o);
    var bits, exp, curve, hash, mgf1, salt;
    if (type === 'rsa' || type === 'rsa-pss') {
      bits = o.modulusLength;
      if (typeof bits !== 'number') throw propTypeError('options.modulusLength', 'of type number', bits);
      exp = o.publicExponent === undefined ? 65537 : o.publicExponent;
      if (typeof exp !== 'number') throw propTypeError('options.publicExponent', 'of type number', exp);
      if (type === 'rsa-pss') {
        hash = o.hashAlgorithm !== undefined ? o.hashAlgorithm : o.hash;
        mgf1 = o.mgf1HashAlgorithm !== undefined ? o.mgf1HashAlgorithm : o.mgf1Hash;
        salt = o.saltLength;
        if (hash !== undefined && typeof hash !== 'string') throw propTypeError('options.hashAlgorithm', 'of type string', hash);
        if (mgf1 !== undefined && typeof mgf1 !== 'string') throw propTypeError('options.mgf1HashAlgorithm', 'of type string', mgf1);
        if (salt !== undefined && !(salt >= 0 && (salt | 0) === salt)) throw invalidProp('options.saltLength', salt);
      }
    } else if (type === 'ec') {
      curve = o.namedCurve;
      if (typeof curve !== 'string') throw propTypeError('options.namedCurve', 'of type string', curve);
    }
    var pubEnc = o.publicKeyEncoding, privEnc = o.privateKeyEncoding;
    if (pubEnc !== undefined) checkEncoding(pubEnc, 'options.publicKeyEncoding', publicTypes);
    if (privEnc !== undefined) checkEncoding(privEnc, 'options.privateKeyEncoding', privateTypes);
    return function () {
      var priv = new PrivateKeyObject(C.keyGenerate(type, bits, exp, curve, hash, mgf1, salt));
      var pub = new PublicKeyObject(C.keyPublic(priv._k));
      return { publicKey: pubEnc ? pub.export(pubEnc) : pub, privateKey: privEnc ? priv.export(privEnc) : priv };
    };
  }
  function generateKeyPair(type, options, cb) {
    if (typeof options === 'function') { cb = options; options = undefined; }
    if (typeof cb !== 'function') throw argTypeError('callback', 'of type function', cb);
    var job = keyPairJob(type, options), r;
    try { r = job(); } catch (e) { setImmediate(cb, e); return; }
    setImmediate(cb, null, r.publicKey, r.privateKey);
  }
  generateKeyPair[Symbol.for('nodejs.util.promisify.custom')] = function (type, options) {
    return new Promise(function (resolve, reject) {
      generateKeyPair(type, options, function (err, publicKey, privateKey) {
        if (err) reject(err); else resolve({ publicKey: publicKey, privateKey: privateKey });
      });
    });
  };
  var constants = {
    RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_X931_PADDING: 5, RSA_PKCS1_PSS_PADDING: 6,
    RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
    POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6
  };
  var webcrypto = { getRandomValues: getRandomValues, randomUUID: C.randomUUID, subtle: undefined };
  return {
    createHash: function createHash(alg) { return new Hash(C.hashNew(String(alg), undefined), false); },
    createHmac: function createHmac(alg, key) {
      if (key === undefined || key === null) throw argTypeError('key', 'of type string or an instance of Buffer', key);
      return new Hash(C.hashNew(String(alg), secretOf(key)), true);
    },
    createCipheriv: function (alg, key, iv) { return new Cipher(C.cipherNew(String(alg), secretOf(key), iv, true)); },
    createDecipheriv: function (alg, key, iv) { return new Cipher(C.cipherNew(String(alg), secretOf(key), iv, false)); },
    randomBytes: randomBytes, pseudoRandomBytes: randomBytes,
    randomFillSync: function (a) { C.randomFill(a); return a; },
    randomFill: function (a, cb) { C.randomFill(a); setImmediate(cb, null, a); },
    randomUUID: C.randomUUID, randomInt: randomInt, getRandomValues: getRandomValues,
    timingSafeEqual: C.timingSafeEqual,
    pbkdf2Sync: pbkdf2Sync,
    pbkdf2: function (p, s, i, k, d, cb) {
      var r;
      try { r = pbkdf2Sync(p, s, i, k, d); } catch (e) { setImmediate(cb, e); return; }
      setImmediate(cb, null, r);
    },
    getHashes: function () { return ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512']; },
    getCiphers: function () { return ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'aes-128-ecb', 'aes-192-ecb', 'aes-256-ecb', 'aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm']; },
    KeyObject: KeyObject, createSecretKey: createSecretKey, createPrivateKey: createPrivateKey, createPublicKey: createPublicKey,
    Sign: Sign, Verify: Verify,
    createSign: function createSign(algorithm) { return new Sign(algorithm); },
    createVerify: function createVerify(algorithm) { return new Verify(algorithm); },
    sign: oneShot(true), verify: oneShot(false),
    publicEncrypt: rsaCipher('publicEncrypt', 'public', constants.RSA_PKCS1_OAEP_PADDING),
    privateDecrypt: rsaCipher('privateDecrypt', 'private', constants.RSA_PKCS1_OAEP_PADDING),
    privateEncrypt: rsaCipher('privateEncrypt', 'private', constants.RSA_PKCS1_PADDING),
    publicDecrypt: rsaCipher('publicDecrypt', 'public', constants.RSA_PKCS1_PADDING),
    generateKeyPairSync: function generateKeyPairSync(type, options) { return keyPairJob(type, options)(); },
    generateKeyPair: generateKeyPair,
    getCurves: function () { return ['prime256v1', 'secp224r1', 'secp384r1', 'secp521r1']; },
    webcrypto: webcrypto,
    constants: constants
  };
});
modules.crypto = getCrypto;
lazyGlobal('crypto', function () { return getCrypto().webcrypto; });

// ---------- locale: toLocaleString, localeCompare, Intl ----------
// The formatters and Intl are built on first use (getLocale): most functions never
// format for a locale, and every new instance would otherwise pay for them.
var getLocale = once(function () {
  // ---------- Number.prototype.toLocaleString ----------
  // goja's toLocaleString is toString (a locale argument is taken as a radix and
  // throws). This one formats as ICU does for en/zh/ja/ko — grouping, fraction digits,
  // percent, currency — with decimal-comma separators for common European locales.
  // There is no Intl object.
  var localeSeparators = {
    de: ['.', ','], es: ['.', ',', 2], it: ['.', ','], pt: ['.', ','], nl: ['.', ','], id: ['.', ','], tr: ['.', ','],
    da: ['.', ','], vi: ['.', ','], fr: ['\u202f', ','], ru: ['\u00a0', ','], pl: ['\u00a0', ',', 2], cs: ['\u00a0', ','],
    sv: ['\u00a0', ','], fi: ['\u00a0', ','], nb: ['\u00a0', ','], uk: ['\u00a0', ',']
  };
  var currencySymbols = {
    CNY: ['CN\u00a5', '\u00a5'], USD: ['$', 'US$'], JPY: ['\u00a5', 'JP\u00a5'], EUR: ['\u20ac', '\u20ac'], GBP: ['\u00a3', '\u00a3'],
    HKD: ['HK$', 'HK$'], TWD: ['NT$', 'NT$'], KRW: ['\u20a9', '\uffe6'], SGD: ['SGD', 'SGD'], AUD: ['A$', 'AU$'], CAD: ['CA$', 'CA$']
  };
  var zeroDecimalCurrencies = { JPY: true, KRW: true, VND: true, CLP: true, ISK: true };
  function localeLanguage(locales) {
    var l = Array.isArray(locales) ? locales[0] : locales;
    return l === undefined || l === null ? 'en' : String(l).toLowerCase().split(/[-_]/)[0];
  }
  function digitOption(opts, name, min, max, dflt) {
    var v = opts[name];
    if (v === undefined) return dflt;
    v = Number(v);
    if (!(v >= min && v <= max)) throw new RangeError(name + ' value is out of range.');
    return Math.floor(v);
  }
  // decimalDigits returns the shortest decimal representation of the finite x >= 0
  // as its digits and the position of the decimal point.
  function decimalDigits(x) {
    var s = String(x), exp = 0, e = s.indexOf('e');
    if (e >= 0) { exp = Number(s.slice(e + 1)); s = s.slice(0, e); }
    var dot = s.indexOf('.');
    var digits = dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1);
    var point = (dot < 0 ? s.length : dot) + exp;
    return { digits: digits, point: point };
  }
  function formatDecimal(x, minFrac, maxFrac, minInt, group, decimal, grouping, minGroup) {
    var d = decimalDigits(x), digits = d.digits, point = d.point;
    while (point <= 0) { digits = '0' + digits; point++; }
    while (digits.length < point) digits += '0';
    var intPart = digits.slice(0, point), frac = digits.slice(point);
    if (frac.length > maxFrac) {
      // Round half away from zero on the decimal digits, as ICU does.
      var up = frac.charCodeAt(maxFrac) >= 53;
      frac = frac.slice(0, maxFrac);
      if (up) {
        var all = (intPart + frac).split(''), i = all.length - 1;
        for (; i >= 0; i--) {
          if (all[i] === '9') all[i] = '0';
          else { all[i] = String.fromCharCode(all[i].charCodeAt(0) + 1); break; }
        }
        if (i < 0) all.unshift('1');
        var joined = all.join('');
        intPart = joined.slice(0, joined.length - frac.length);
        frac = joined.slice(joined.length - frac.length);
      }
    }
    while (frac.length > minFrac && frac.charAt(frac.length - 1) === '0') frac = frac.slice(0, -1);
    while (frac.length < minFrac) frac += '0';
    intPart = intPart.replace(/^0+(?=\d)/, '');
    while (intPart.length < minInt) intPart = '0' + intPart;
    if (grouping && intPart.length > 3 && intPart.length >= 4 + (minGroup || 1) - 1) {
      var out = '', n = intPart.length;
      for (var j = 0; j < n; j++) {
        if (j > 0 && (n - j) % 3 === 0) out += group;
        out += intPart.charAt(j);
      }
      intPart = out;
    }
    return frac ? intPart + decimal + frac : intPart;
  }
  function formatLocaleNumber(x, locales, options) {
    var opts = options === undefined ? {} : Object(options);
    var lang = localeLanguage(locales);
    var seps = localeSeparators[lang] || [',', '.'];
    var style = opts.style === undefined ? 'decimal' : String(opts.style);
    var currency, symbol, currencyDigits = 2;
    if (style === 'currency') {
      if (opts.currency === undefined) throw new TypeError('Currency code is required with currency style.');
      currency = String(opts.currency).toUpperCase();
      var known = currencySymbols[currency];
      symbol = opts.currencyDisplay === 'code' ? currency + '\u00a0' : known ? known[lang === 'zh' ? 1 : 0] : currency + '\u00a0';
      if (zeroDecimalCurrencies[currency]) currencyDigits = 0;
    } else if (style !== 'decimal' && style !== 'percent') {
      throw new RangeError('Value ' + style + ' out of range for Intl.NumberFormat options property style');
    }
    var dfltMin = style === 'currency' ? currencyDigits : 0;
    var dfltMax = style === 'currency' ? currencyDigits : style === 'percent' ? 0 : 3;
    var minFrac = digitOption(opts, 'minimumFractionDigits', 0, 100, dfltMin);
    var maxFrac = digitOption(opts, 'maximumFractionDigits', 0, 100, Math.max(dfltMax, minFrac));
    if (maxFrac < minFrac) throw new RangeError('maximumFractionDigits value is out of range.');
    var minInt = digitOption(opts, 'minimumIntegerDigits', 1, 21, 1);
    var grouping = opts.useGrouping === undefined ? true : !!opts.useGrouping && opts.useGrouping !== 'false';
    if (x !== x) return 'NaN';
    var negative = x < 0 || (x === 0 && 1 / x < 0);
    var abs = Math.abs(x);
    if (style === 'percent') abs *= 100;
    var body = abs === Infinity ? '\u221e' : formatDecimal(abs, minFrac, maxFrac, minInt, seps[0], seps[1], grouping, seps[2]);
    var commaLocale = !!localeSeparators[lang];
    if (style === 'percent') body = commaLocale ? body + '\u00a0%' : body + '%';
    else if (style === 'currency') body = commaLocale ? body + '\u00a0' + symbol.replace(/\u00a0$/, '') : symbol + body;
    return negative ? '-' + body : body;
  }
  // ---------- Date.prototype.toLocale*String ----------
  // goja formats every locale as 01/05/2024, 08:09:07 and ignores timeZone, so
  // toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }) gave UTC clock time. These
  // follow ICU's output for en (the default), zh and ja: the timeZone and hour12
  // options, numeric/2-digit fields, long/short month and weekday names.
  var monthNamesEn = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  var weekdayNamesEn = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  var weekdayNamesZh = ['日', '一', '二', '三', '四', '五', '六'];
  function pad2(n) { return n < 10 ? '0' + n : String(n); }
  function dateLocaleProfile(locales) {
    var l = Array.isArray(locales) ? locales[0] : locales;
    l = l === undefined || l === null ? 'en' : String(l).toLowerCase();
    if (/^zh[-_](tw|hk|mo|hant)/.test(l)) return { lang: 'zh', h12: true };
    if (/^zh/.test(l)) return { lang: 'zh', h12: false };
    if (/^ja/.test(l)) return { lang: 'ja', h12: false };
    return { lang: 'en', h12: true };
  }
  // zoneOffsetOf returns the offset in minutes of the timeZone option at t, 0 for UTC.
  function zoneOffsetOf(zone, t) {
    if (zone === undefined || /^(utc|gmt|etc\/utc|etc\/gmt)$/i.test(zone)) return 0;
    var offset = N.zoneOffset(zone, t);
    if (offset === null) throw new RangeError('Invalid time zone specified: ' + zone);
    return offset;
  }
  function zoneName(offset) {
    if (offset === 0) return 'UTC';
    var a = Math.abs(offset), h = Math.floor(a / 60), m = a % 60;
    return 'GMT' + (offset < 0 ? '-' : '+') + h + (m ? ':' + pad2(m) : '');
  }
  // localeDateParts formats date as a list of {type, value} parts (formatToParts);
  // want is 'date', 'time' or 'any' (which fields default in).
  function localeDateParts(date, locales, options, want) {
    var t = date.getTime();
    if (t !== t) return [{ type: 'literal', value: 'Invalid Date' }];
    var o = options === undefined ? {} : Object(options);
    var p = dateLocaleProfile(locales);
    var zone = o.timeZone === undefined ? undefined : String(o.timeZone);
    var offset = zoneOffsetOf(zone, t);
    var f = { weekday: o.weekday, year: o.year, month: o.month, day: o.day, hour: o.hour, minute: o.minute, second: o.second };
    var hasDate = f.weekday !== undefined || f.year !== undefined || f.month !== undefined || f.day !== undefined;
    var hasTime = f.hour !== undefined || f.minute !== undefined || f.second !== undefined;
    if (want !== 'time' && !hasDate && !hasTime) { f.year = f.month = f.day = 'numeric'; }
    if (want === 'date' && !hasDate && hasTime) { f.year = f.month = f.day = 'numeric'; }
    if ((want === 'time' || want === 'any') && !hasDate && !hasTime) { f.hour = f.minute = f.second = 'numeric'; }
    if (want === 'time' && hasDate && !hasTime) { f.hour = f.minute = f.second = 'numeric'; }
    var x = new Date(t + offset * 60000);
    var Y = x.getUTCFullYear(), M = x.getUTCMonth(), D = x.getUTCDate(), W = x.getUTCDay();
    var h = x.getUTCHours(), m = x.getUTCMinutes(), s = x.getUTCSeconds();
    var h12 = o.hour12 !== undefined ? !!o.hour12 : o.hourCycle !== undefined ? (o.hourCycle === 'h12' || o.hourCycle === 'h11') : p.h12;
    var parts = [];
    function push(type, value) { parts.push({ type: type, value: value }); }
    function num(v, style) { return style === '2-digit' ? pad2(v % 100) : String(v); }
    function sep(list, between) {
      for (var i = 0; i < list.length; i++) { if (i) push('literal', between); push(list[i][0], list[i][1]); }
    }

    var textMonth = f.month === 'long' || f.month === 'short' || f.month === 'narrow';
    var dateStart = parts.length;
    if (p.lang === 'en') {
      if (f.weekday !== undefined) push('weekday', f.weekday === 'long' ? weekdayNamesEn[W] : weekdayNamesEn[W].slice(0, 3));
      var body = [];
      if (textMonth) {
        body.push(['month', f.month === 'long' ? monthNamesEn[M] : monthNamesEn[M].slice(0, 3)]);
        if (f.day !== undefined) body.push(['literal', ' '], ['day', num(D, f.day)]);
        if (f.year !== undefined) body.push(['literal', f.day !== undefined ? ', ' : ' '], ['year', num(Y, f.year)]);
      } else {
        var bits = [];
        if (f.month !== undefined) bits.push(['month', num(M + 1, f.month)]);
        if (f.day !== undefined) bits.push(['day', num(D, f.day)]);
        if (f.year !== undefined) bits.push(['year', num(Y, f.year)]);
        for (var i = 0; i < bits.length; i++) { if (i) body.push(['literal', '/']); body.push(bits[i]); }
      }
      if (body.length && parts.length) push('literal', ', ');
      for (var j = 0; j < body.length; j++) push(body[j][0], body[j][1]);
    } else {
      if (textMonth) {
        if (f.year !== undefined) { push('year', num(Y, f.year)); push('literal', '年'); }
        push('month', (M + 1) + '月');
        if (f.day !== undefined) { push('day', num(D, f.day)); push('literal', '日'); }
      } else {
        var zb = [];
        if (f.year !== undefined) zb.push(['year', num(Y, f.year)]);
        if (f.month !== undefined) zb.push(['month', num(M + 1, f.month)]);
        if (f.day !== undefined) zb.push(['day', num(D, f.day)]);
        sep(zb, '/');
      }
      if (f.weekday !== undefined) {
        if (p.lang === 'ja') push('weekday', '(' + '日月火水木金土'.charAt(W) + ')');
        else push('weekday', (f.weekday === 'long' ? '星期' : '周') + weekdayNamesZh[W]);
      }
    }
    var hadDate = parts.length > dateStart;

    var zoneText = o.timeZoneName !== undefined ? zoneName(offset) : '';
    if (f.hour !== undefined || f.minute !== undefined || f.second !== undefined) {
      if (hadDate) push('literal', p.lang === 'en' ? ', ' : ' ');
      if (zoneText && p.lang !== 'en') { push('timeZoneName', zoneText); push('literal', ' '); zoneText = ''; }
      var hourText;
      if (f.hour !== undefined) {
        if (h12) {
          var hh = h % 12 === 0 ? 12 : h % 12;
          hourText = f.hour === '2-digit' ? pad2(hh) : String(hh);
        } else if (p.lang === 'en') {
          // ICU's en-US with hour12: false is hour cycle h24: midnight is 24.
          hourText = pad2(h === 0 && o.hour12 === false ? 24 : h);
        } else {
          hourText = p.lang === 'ja' && f.hour !== '2-digit' ? String(h) : pad2(h);
        }
      }
      var period = h < 12 ? (p.lang === 'en' ? 'AM' : p.lang === 'ja' ? '午前' : '上午') : (p.lang === 'en' ? 'PM' : p.lang === 'ja' ? '午後' : '下午');
      if (f.hour !== undefined && h12 && p.lang !== 'en') push('dayPeriod', period);
      var tb = [];
      if (hourText !== undefined) tb.push(['hour', hourText]);
      if (f.minute !== undefined) tb.push(['minute', pad2(m)]);
      if (f.second !== undefined) tb.push(['second', pad2(s)]);
      sep(tb, ':');
      if (f.hour !== undefined && h12 && p.lang === 'en') { push('literal', ' '); push('dayPeriod', period); }
    }
    if (zoneText) {
      if (parts.length) push('literal', p.lang === 'en' && !(f.hour !== undefined || f.minute !== undefined || f.second !== undefined) ? ', ' : ' ');
      push('timeZoneName', zoneText);
    }
    return parts;
  }
  function formatLocaleDate(date, locales, options, want) {
    var parts = localeDateParts(date, locales, options, want), out = '';
    for (var i = 0; i < parts.length; i++) out += parts[i].value;
    return out;
  }
  // ---------- Intl ----------
  // A small Intl over the formatters above (goja has none): NumberFormat,
  // DateTimeFormat (format, formatToParts, resolvedOptions — dayjs's timezone plugin
  // needs these), Collator (with numeric ordering) and PluralRules (en rules; zh and ja
  // have only 'other'). Locales other than en, zh and ja format as en.
  function canonicalLocale(locales) {
    var l = Array.isArray(locales) ? locales[0] : locales;
    if (l === undefined || l === null) return 'en-US';
    var bits = String(l).replace(/_/g, '-').split('-');
    for (var i = 1; i < bits.length; i++) {
      if (bits[i].length === 2) bits[i] = bits[i].toUpperCase();
      else if (bits[i].length === 4) bits[i] = bits[i].charAt(0).toUpperCase() + bits[i].slice(1).toLowerCase();
    }
    bits[0] = bits[0].toLowerCase();
    return bits.join('-');
  }
  function boundGetter(proto, name, make) {
    defineProperty(proto, name, {
      configurable: true, enumerable: false,
      get: function () { var f = make(this); defineProperty(this, name, { value: f, configurable: true }); return f; }
    });
  }
  function NumberFormat(locales, options) {
    if (!(this instanceof NumberFormat)) return new NumberFormat(locales, options);
    formatLocaleNumber(0, locales, options); // refuses bad options now, as Intl does
    hidden(this, '_locales', locales);
    hidden(this, '_options', options === undefined ? {} : Object.assign({}, options));
  }
  boundGetter(NumberFormat.prototype, 'format', function (nf) {
    return function (n) { return formatLocaleNumber(Number(n), nf._locales, nf._options); };
  });
  NumberFormat.prototype.resolvedOptions = function () {
    var o = this._options, style = o.style || 'decimal';
    var digits = style === 'currency' ? (zeroDecimalCurrencies[String(o.currency).toUpperCase()] ? 0 : 2) : 0;
    var r = { locale: canonicalLocale(this._locales), numberingSystem: 'latn', style: style };
    if (style === 'currency') { r.currency = String(o.currency).toUpperCase(); r.currencyDisplay = o.currencyDisplay || 'symbol'; }
    r.minimumIntegerDigits = o.minimumIntegerDigits || 1;
    r.minimumFractionDigits = o.minimumFractionDigits !== undefined ? o.minimumFractionDigits : digits;
    r.maximumFractionDigits = o.maximumFractionDigits !== undefined ? o.maximumFractionDigits : Math.max(style === 'decimal' ? 3 : digits, r.minimumFractionDigits);
    r.useGrouping = o.useGrouping === undefined ? 'auto' : o.useGrouping;
    return r;
  };
  function DateTimeFormat(locales, options) {
    if (!(this instanceof DateTimeFormat)) return new DateTimeFormat(locales, options);
    var o = options === undefined ? {} : Object.assign({}, options);
    if (o.timeZone !== undefined) zoneOffsetOf(String(o.timeZone), 0); // refuses unknown zones now
    hidden(this, '_locales', locales);
    hidden(this, '_options', o);
  }
  function toDate(d) { return d === undefined ? new Date() : d instanceof Date ? d : new Date(Number(d)); }
  boundGetter(DateTimeFormat.prototype, 'format', function (dtf) {
    return function (d) { return formatLocaleDate(toDate(d), dtf._locales, dtf._options, 'dtf'); };
  });
  DateTimeFormat.prototype.formatToParts = function (d) { return localeDateParts(toDate(d), this._locales, this._options, 'dtf'); };
  DateTimeFormat.prototype.resolvedOptions = function () {
    var o = this._options;
    var r = { locale: canonicalLocale(this._locales), calendar: 'gregory', numberingSystem: 'latn', timeZone: o.timeZone === undefined ? 'UTC' : String(o.timeZone) };
    var any = false;
    ['weekday', 'year', 'month', 'day', 'hour', 'minute', 'second', 'timeZoneName'].forEach(function (k) { if (o[k] !== undefined) { r[k] = o[k]; any = true; } });
    if (!any) { r.year = 'numeric'; r.month = 'numeric'; r.day = 'numeric'; }
    if (o.hour !== undefined) r.hour12 = o.hour12 !== undefined ? !!o.hour12 : dateLocaleProfile(this._locales).h12;
    return r;
  };
  function Collator(locales, options) {
    if (!(this instanceof Collator)) return new Collator(locales, options);
    hidden(this, '_locales', locales);
    hidden(this, '_options', options === undefined ? {} : Object.assign({}, options));
  }
  boundGetter(Collator.prototype, 'compare', function (col) {
    var o = col._options, l = Array.isArray(col._locales) ? col._locales[0] : col._locales;
    var locale = l === undefined || l === null ? undefined : String(l);
    var numeric = !!o.numeric, sensitivity = o.sensitivity === undefined ? 'variant' : String(o.sensitivity);
    return function (a, b) { return N.collate(String(a), String(b), locale, numeric, sensitivity); };
  });
  Collator.prototype.resolvedOptions = function () {
    var o = this._options;
    return { locale: canonicalLocale(this._locales), usage: o.usage || 'sort', sensitivity: o.sensitivity || 'variant', ignorePunctuation: false, collation: 'default', numeric: !!o.numeric, caseFirst: 'false' };
  };
  function PluralRules(locales, options) {
    if (!(this instanceof PluralRules)) throw new TypeError('Constructor Intl.PluralRules requires \'new\'');
    hidden(this, '_locales', locales);
    hidden(this, '_type', options && options.type === 'ordinal' ? 'ordinal' : 'cardinal');
  }
  PluralRules.prototype.select = function (n) {
    n = Number(n);
    if (dateLocaleProfile(this._locales).lang !== 'en') return 'other';
    if (this._type === 'cardinal') return n === 1 ? 'one' : 'other';
    var m10 = n % 10, m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return 'one';
    if (m10 === 2 && m100 !== 12) return 'two';
    if (m10 === 3 && m100 !== 13) return 'few';
    return 'other';
  };
  PluralRules.prototype.resolvedOptions = function () { return { locale: canonicalLocale(this._locales), type: this._type }; };
  function supportedLocalesOf(locales) { return (Array.isArray(locales) ? locales : locales === undefined ? [] : [locales]).map(canonicalLocale); }
  [NumberFormat, DateTimeFormat, Collator, PluralRules].forEach(function (C) { hidden(C, 'supportedLocalesOf', supportedLocalesOf); });
  var IntlObject = {};
  hidden(IntlObject, 'NumberFormat', NumberFormat);
  hidden(IntlObject, 'DateTimeFormat', DateTimeFormat);
  hidden(IntlObject, 'Collator', Collator);
  hidden(IntlObject, 'PluralRules', PluralRules);
  hidden(IntlObject, 'getCanonicalLocales', supportedLocalesOf);
  defineProperty(IntlObject, Symbol.toStringTag, { value: 'Intl', configurable: true });
  return { formatNumber: formatLocaleNumber, formatDate: formatLocaleDate, intl: IntlObject };
});
hidden(Number.prototype, 'toLocaleString', function toLocaleString(locales, options) {
  var x = this;
  if (typeof x !== 'number') {
    if (!(x instanceof Number)) throw new TypeError('Number.prototype.toLocaleString requires that \'this\' be a Number');
    x = x.valueOf();
  }
  return getLocale().formatNumber(x, locales, options);
});
hidden(Date.prototype, 'toLocaleString', function toLocaleString(locales, options) { return getLocale().formatDate(this, locales, options, 'any'); });
hidden(Date.prototype, 'toLocaleDateString', function toLocaleDateString(locales, options) { return getLocale().formatDate(this, locales, options, 'date'); });
hidden(Date.prototype, 'toLocaleTimeString', function toLocaleTimeString(locales, options) { return getLocale().formatDate(this, locales, options, 'time'); });
// localeCompare orders by the locale's collation (goja's ignores the locale: Chinese
// sorted by code point instead of pinyin).
hidden(String.prototype, 'localeCompare', function localeCompare(that, locales, options) {
  if (this === undefined || this === null) throw new TypeError('String.prototype.localeCompare called on null or undefined');
  var o = options === undefined ? {} : Object(options);
  var l = Array.isArray(locales) ? locales[0] : locales;
  return N.collate(String(this), String(that), l === undefined || l === null ? undefined : String(l), !!o.numeric,
    o.sensitivity === undefined ? 'variant' : String(o.sensitivity));
});
if (typeof g.Intl === 'undefined') lazyGlobal('Intl', function () { return getLocale().intl; });

// ---------- zlib ----------
// One-shot gzip, deflate and raw deflate in Go (require_zlib.go), with Node's sync,
// callback and stream forms on top. The streams buffer their input and work on end():
// what they see is size-limited anyway (fetch and http responses). No brotli in Go's
// standard library: brotli* throw, and createBrotli* are left undefined so that clients
// that feature-test them (axios 1.x) do not advertise "br" to servers.
var getZlib = once(function () {
  var Buffer = getBuffer(), stream = getStream(), Z = N.zlib;
  function inherit(C, P) {
    C.prototype = Object.create(P.prototype, { constructor: { value: C, writable: true, configurable: true } });
    Object.setPrototypeOf(C, P);
  }
  var constants = {
    Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
    Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
    Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
    Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0,
    DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
    BROTLI_DECODE: 8, BROTLI_ENCODE: 9,
    Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15,
    Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
    Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8,
    Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
    BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3,
    BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0,
    BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11,
    BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30,
    BROTLI_DEFAULT_WINDOW: 22, BROTLI_PARAM_LGBLOCK: 3, BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24,
    BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4, BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6,
    BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8
  };
  Object.freeze(constants);
  var codes = { Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
    Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6 };
  Object.keys(codes).forEach(function (k) { codes[codes[k]] = k; });
  var binTypes = 'of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer';
  function input(data, name) {
    if (typeof data === 'string') return Buffer.from(data, 'utf8');
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return data;
    throw argTypeError(name || 'buffer', binTypes, data);
  }
  function checkRange(opts, name, lo, hi) {
    var v = opts[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw argTypeError('options.' + name, 'of type number', v);
    if (!(v >= lo && v <= hi) || (hi !== Infinity && Math.floor(v) !== v)) {
      throw codeError(RangeError, 'ERR_OUT_OF_RANGE', 'The value of "options.' + name + '" is out of range. It must be >= ' + lo +
        ' and <= ' + hi + '. Received ' + v);
    }
    return v;
  }
  function settings(opts, decompress) {
    if (opts === undefined || opts === null) opts = {};
    if (typeof opts !== 'object') throw argTypeError('options', 'of type object', opts);
    var level = checkRange(opts, 'level', -1, 9);
    var strategy = checkRange(opts, 'strategy', 0, 4);
    checkRange(opts, 'windowBits', decompress ? 0 : 8, 15);
    checkRange(opts, 'memLevel', 1, 9);
    var chunkSize = checkRange(opts, 'chunkSize', 64, Infinity);
    var maxOut = checkRange(opts, 'maxOutputLength', 1, 4294967296);
    var finish = checkRange(opts, 'finishFlush', 0, 5);
    var dict = opts.dictionary;
    if (dict !== undefined && dict !== null) {
      if (dict instanceof ArrayBuffer) dict = new Uint8Array(dict);
      else if (!ArrayBuffer.isView(dict)) throw argTypeError('options.dictionary', 'an instance of Buffer, TypedArray, DataView, or ArrayBuffer', dict);
    } else dict = null;
    return { level: level === undefined ? -1 : level, strategy: strategy || 0, dict: dict, maxOut: maxOut || 0,
      partial: finish !== undefined && finish !== 4, chunkSize: chunkSize || 16384 };
  }
  function zlibError(r) {
    var e = r.range ? new RangeError(r.message) : new Error(r.message);
    hidden(e, 'code', r.code);
    if (!r.range) hidden(e, 'errno', r.errno);
    return e;
  }
  function run(mode, data, s) {
    var r = Z.process(mode, data, s.level, s.strategy, s.dict, s.maxOut, s.partial);
    if (typeof r.code === 'string') throw zlibError(r);
    return bufferFromAB(r);
  }
  var modes = { Deflate: 'deflate', Inflate: 'inflate', Gzip: 'gzip', Gunzip: 'gunzip', DeflateRaw: 'deflateRaw',
    InflateRaw: 'inflateRaw', Unzip: 'unzip' };
  var zlib = { constants: constants, codes: codes };

  // Streams: Transforms that collect their input and convert it when it ends.
  function ZlibBase(mode, opts) {
    var s = settings(opts, /^(inflate|gunzip|unzip|inflateRaw)$/.test(mode));
    stream.Transform.call(this, opts);
    hidden(this, '_mode', mode);
    hidden(this, '_settings', s);
    hidden(this, '_chunks', []);
    this.bytesWritten = 0;
    this._handle = {};
  }
  inherit(ZlibBase, stream.Transform);
  ZlibBase.prototype._transform = function (chunk, enc, cb) {
    this._chunks.push(chunk);
    this.bytesWritten += chunk.length;
    cb();
  };
  ZlibBase.prototype._flush = function (cb) {
    var data = Buffer.concat(this._chunks), out;
    this._chunks = [];
    if (data.length === 0 && this._mode !== 'gzip' && this._mode !== 'deflate' && this._mode !== 'deflateRaw') { cb(); return; }
    try { out = run(this._mode, data, this._settings); } catch (e) { cb(e); return; }
    for (var i = 0, n = this._settings.chunkSize; i < out.length; i += n) this.push(out.subarray(i, Math.min(out.length, i + n)));
    cb();
  };
  ZlibBase.prototype.flush = function (kind, cb) {
    if (typeof kind === 'function') cb = kind;
    if (typeof cb === 'function') getProcess().nextTick(cb);
  };
  ZlibBase.prototype.params = function (level, strategy, cb) {
    this._settings.level = level;
    this._settings.strategy = strategy;
    if (typeof cb === 'function') getProcess().nextTick(cb);
  };
  ZlibBase.prototype.reset = function () { this._chunks = []; this.bytesWritten = 0; };
  ZlibBase.prototype.close = function (cb) {
    if (typeof cb === 'function') this.once('close', function () { cb(); });
    this.destroy();
  };
  Object.keys(modes).forEach(function (name) {
    var mode = modes[name];
    var C = function (opts) {
      if (!(this instanceof C)) return new C(opts);
      ZlibBase.call(this, mode, opts);
    };
    defineProperty(C, 'name', { value: name });
    inherit(C, ZlibBase);
    zlib[name] = C;
    zlib['create' + name] = function (opts) { return new C(opts); };
    var sync = zlib[mode + 'Sync'] = function (buffer, opts) {
      var data = input(buffer);
      return run(mode, data, settings(opts, /^(inflate|gunzip|unzip|inflateRaw)$/.test(mode)));
    };
    zlib[mode] = function (buffer, opts, cb) {
      if (typeof opts === 'function') { cb = opts; opts = {}; }
      if (typeof cb !== 'function') throw argTypeError('callback', 'of type function', cb);
      input(buffer);
      var out, err = null;
      try { out = sync(buffer, opts); } catch (e) { err = e; }
      getProcess().nextTick(function () { if (err) cb(err); else cb(null, out); });
    };
  });
  function noBrotli() {
    throw codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
      'brotli is not supported in Minicloud functions (Go\'s standard library has no brotli): use gzip or deflate');
  }
  ['brotliCompress', 'brotliCompressSync', 'brotliDecompress', 'brotliDecompressSync'].forEach(function (k) { zlib[k] = noBrotli; });
  zlib.crc32 = function (data, value) {
    if (typeof data === 'string') data = Buffer.from(data, 'utf8');
    else if (!ArrayBuffer.isView(data)) throw argTypeError('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
    if (value !== undefined && typeof value !== 'number') throw argTypeError('value', 'of type number', value);
    return Z.crc32(data, value >>> 0);
  };
  // Node still puts the zlib constants on the module itself (not the brotli ones).
  Object.keys(constants).forEach(function (k) {
    if (!/^BROTLI/.test(k)) defineProperty(zlib, k, { value: constants[k], enumerable: false });
  });
  return zlib;
});
modules.zlib = getZlib;

// ---------- fs ----------
// A function's file system, as on CloudBase: its own files, read-only, under /var/user
// (the working directory: relative paths resolve there), and /tmp, kept in memory for
// the instance (warm calls see what earlier ones wrote; at most N.tmpLimit). Nothing
// else exists; writes outside /tmp fail with EROFS. File descriptors, links,
// permissions and watching are not available (those calls throw).
var getFs = once(function () {
  var Buffer = getBuffer(), posix = modules.path(), stream = getStream();
  var maxTmpBytes = N.tmpLimit;
  var tmpFiles = Object.create(null), tmpDirs = Object.create(null), tmpBytes = 0;
  tmpDirs['/tmp'] = true;
  var started = new Date();

  function fsError(code, errno, msg, syscall, p) {
    var e = new Error(code + ': ' + msg + ', ' + syscall + " '" + p + "'");
    e.errno = errno; e.code = code; e.syscall = syscall; e.path = p;
    return e;
  }
  function enoent(sys, p) { return fsError('ENOENT', -2, 'no such file or directory', sys, p); }
  function erofs(sys, p) { return fsError('EROFS', -30, 'read-only file system', sys, p); }
  function eisdir(sys, p) { return fsError('EISDIR', -21, 'illegal operation on a directory', sys, p); }
  function enotdir(sys, p) { return fsError('ENOTDIR', -20, 'not a directory', sys, p); }
  function eexist(sys, p) { return fsError('EEXIST', -17, 'file already exists', sys, p); }
  function enotempty(sys, p) { return fsError('ENOTEMPTY', -39, 'directory not empty', sys, p); }
  function enospc(sys, p) { return fsError('ENOSPC', -28, 'no space left on device', sys, p); }
  function unavailable(name) {
    return function () {
      throw codeError(Error, 'ERR_MODULE_NOT_AVAILABLE', 'fs.' + name + '() is not available in Minicloud functions (they read their own files and use /tmp)');
    };
  }

  function toPath(p) {
    if (typeof URL === 'function' && p instanceof URL) {
      if (p.protocol !== 'file:') throw codeError(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
      p = decodeURIComponent(p.pathname);
    } else if (Buffer.isBuffer(p)) {
      p = p.toString();
    }
    if (typeof p !== 'string') throw argTypeError('path', 'of type string or an instance of Buffer or URL', p);
    return posix.resolve('/var/user', p);
  }
  function isTmp(p) { return p === '/tmp' || p.indexOf('/tmp/') === 0; }
  function entry(p) {
    if (isTmp(p)) {
      if (tmpDirs[p]) return { dir: true, size: 4096 };
      return tmpFiles[p] ? { dir: false, size: tmpFiles[p].length } : null;
    }
    var st = N.fsBundleStat(p);
    return st ? { dir: st[0], size: st[1] } : null;
  }
  function Stats(e) {
    this.dev = 2049; this.mode = e.dir ? 16877 : 33188; this.nlink = 1; this.uid = 0; this.gid = 0; this.rdev = 0;
    this.blksize = 4096; this.ino = 0; this.size = e.size; this.blocks = Math.ceil(e.size / 512);
    var ms = started.getTime();
    this.atimeMs = ms; this.mtimeMs = ms; this.ctimeMs = ms; this.birthtimeMs = ms;
    this.atime = new Date(ms); this.mtime = new Date(ms); this.ctime = new Date(ms); this.birthtime = new Date(ms);
    hidden(this, '_dir', e.dir);
  }
  function Dirent(name, dir, isDir) { this.name = name; this.parentPath = dir; this.path = dir; hidden(this, '_dir', isDir); }
  [Stats, Dirent].forEach(function (C) {
    C.prototype.isFile = function () { return !this._dir; };
    C.prototype.isDirectory = function () { return this._dir; };
    ['isSymbolicLink', 'isFIFO', 'isSocket', 'isBlockDevice', 'isCharacterDevice'].forEach(function (k) {
      C.prototype[k] = function () { return false; };
    });
  });
  function encodingOf(opts) { return typeof opts === 'string' ? opts : opts && opts.encoding; }
  function dataBuffer(data, opts) {
    if (typeof data === 'string') return Buffer.from(data, encodingOf(opts) || 'utf8');
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw argTypeError('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  }

  function statSync(p, opts) {
    p = toPath(p);
    var e = entry(p);
    if (!e) {
      if (opts && opts.throwIfNoEntry === false) return undefined;
      throw enoent('stat', p);
    }
    return new Stats(e);
  }
  function existsSync(p) {
    try { return !!entry(toPath(p)); } catch (e) { return false; }
  }
  function readFileSync(p, opts) {
    if (typeof p === 'number') return unavailable('readFileSync(fd)')();
    p = toPath(p);
    var buf;
    if (isTmp(p)) {
      if (tmpDirs[p]) throw eisdir('read', p);
      if (!tmpFiles[p]) throw enoent('open', p);
      buf = Buffer.from(tmpFiles[p]);
    } else {
      var ab = N.fsBundleRead(p);
      if (ab === null) throw N.fsBundleStat(p) ? eisdir('read', p) : enoent('open', p);
      buf = bufferFromAB(ab);
    }
    var enc = encodingOf(opts);
    return enc && enc !== 'buffer' ? buf.toString(enc) : buf;
  }
  function readdirSync(p, opts) {
    p = toPath(p);
    var names;
    if (isTmp(p)) {
      if (!tmpDirs[p]) throw tmpFiles[p] ? enotdir('scandir', p) : enoent('scandir', p);
      var prefix = p + '/', seen = Object.create(null);
      Object.keys(tmpFiles).concat(Object.keys(tmpDirs)).forEach(function (k) {
        if (k.indexOf(prefix) === 0) seen[k.slice(prefix.length).split('/')[0]] = true;
      });
      names = Object.keys(seen).sort();
    } else {
      names = N.fsBundleList(p);
      if (names === null) throw N.fsBundleStat(p) ? enotdir('scandir', p) : enoent('scandir', p);
    }
    if (opts && opts.withFileTypes) {
      return names.map(function (n) { var e = entry(posix.join(p, n)); return new Dirent(n, p, !!(e && e.dir)); });
    }
    return names;
  }
  function accessSync(p, mode) {
    p = toPath(p);
    if (!entry(p)) throw enoent('access', p);
    if ((mode & 2) && !isTmp(p)) throw erofs('access', p);
  }
  function realpathSync(p) {
    p = toPath(p);
    if (!entry(p)) throw enoent('realpath', p);
    return p;
  }
  // checkWritable: p must be a file path in /tmp whose directory exists.
  function checkWritable(sys, p) {
    if (!isTmp(p)) throw erofs(sys, p);
    if (tmpDirs[p]) throw eisdir(sys, p);
    if (!tmpDirs[posix.dirname(p)]) throw enoent(sys, p);
  }
  function store(p, buf) {
    var old = tmpFiles[p] ? tmpFiles[p].length : 0;
    if (tmpBytes - old + buf.length > maxTmpBytes) throw enospc('write', p);
    tmpBytes += buf.length - old;
    tmpFiles[p] = buf;
  }
  function writeFileSync(p, data, opts) {
    if (typeof p === 'number') return unavailable('writeFileSync(fd)')();
    p = toPath(p);
    checkWritable('open', p);
    var flag = opts && typeof opts === 'object' && opts.flag ? String(opts.flag) : 'w';
    if (flag.indexOf('x') >= 0 && tmpFiles[p]) throw eexist('open', p);
    var buf = Buffer.from(dataBuffer(data, opts));
    store(p, flag.charAt(0) === 'a' && tmpFiles[p] ? Buffer.concat([tmpFiles[p], buf]) : buf);
  }
  function appendFileSync(p, data, opts) {
    p = toPath(p);
    checkWritable('open', p);
    var buf = dataBuffer(data, opts);
    store(p, tmpFiles[p] ? Buffer.concat([tmpFiles[p], buf]) : Buffer.from(buf));
  }
  function mkdirSync(p, opts) {
    p = toPath(p);
    var recursive = !!(opts && typeof opts === 'object' && opts.recursive);
    if (!isTmp(p)) {
      if (entry(p)) { if (recursive) return undefined; throw eexist('mkdir', p); }
      throw erofs('mkdir', p);
    }
    if (tmpDirs[p]) { if (recursive) return undefined; throw eexist('mkdir', p); }
    if (tmpFiles[p]) throw eexist('mkdir', p);
    var parent = posix.dirname(p), first;
    if (!tmpDirs[parent]) {
      if (!recursive) throw enoent('mkdir', p);
      first = mkdirSync(parent, { recursive: true });
    }
    tmpDirs[p] = true;
    return recursive ? first || p : undefined;
  }
  function under(p) {
    var prefix = p + '/';
    return Object.keys(tmpFiles).concat(Object.keys(tmpDirs)).filter(function (k) { return k.indexOf(prefix) === 0; });
  }
  function removeTmp(p) {
    if (tmpFiles[p]) { tmpBytes -= tmpFiles[p].length; delete tmpFiles[p]; } else delete tmpDirs[p];
  }
  function unlinkSync(p) {
    p = toPath(p);
    if (!isTmp(p)) throw entry(p) ? erofs('unlink', p) : enoent('unlink', p);
    if (tmpDirs[p]) throw eisdir('unlink', p);
    if (!tmpFiles[p]) throw enoent('unlink', p);
    removeTmp(p);
  }
  function rmdirSync(p, opts) {
    p = toPath(p);
    if (!isTmp(p) || p === '/tmp') throw entry(p) ? erofs('rmdir', p) : enoent('rmdir', p);
    if (!tmpDirs[p]) throw tmpFiles[p] ? enotdir('rmdir', p) : enoent('rmdir', p);
    var inside = under(p);
    if (inside.length && !(opts && opts.recursive)) throw enotempty('rmdir', p);
    inside.forEach(removeTmp);
    removeTmp(p);
  }
  function rmSync(p, opts) {
    var force = !!(opts && opts.force);
    var full = toPath(p);
    if (!entry(full)) { if (force) return; throw enoent('rm', full); }
    if (!isTmp(full) || full === '/tmp') throw erofs('rm', full);
    if (tmpFiles[full]) { removeTmp(full); return; }
    if (!(opts && opts.recursive)) {
      throw codeError(Error, 'ERR_FS_EISDIR', 'Path is a directory: rm returned EISDIR (is a directory) ' + full);
    }
    rmdirSync(full, { recursive: true });
  }
  function renameSync(from, to) {
    from = toPath(from); to = toPath(to);
    if (!isTmp(from) || !isTmp(to)) throw erofs('rename', isTmp(from) ? to : from);
    if (!entry(from)) throw enoent('rename', from);
    if (!tmpDirs[posix.dirname(to)]) throw enoent('rename', to);
    if (tmpFiles[from]) {
      var buf = tmpFiles[from];
      removeTmp(from);
      if (tmpFiles[to]) removeTmp(to);
      store(to, buf);
      return;
    }
    under(from).concat([from]).forEach(function (k) {
      var nk = to + k.slice(from.length);
      if (tmpFiles[k]) { tmpFiles[nk] = tmpFiles[k]; delete tmpFiles[k]; } else { tmpDirs[nk] = true; delete tmpDirs[k]; }
    });
  }
  function copyFileSync(src, dest, mode) {
    var data = readFileSync(src);
    dest = toPath(dest);
    if ((mode & 1) && entry(dest)) throw eexist('copyfile', dest);
    writeFileSync(dest, data);
  }
  function mkdtempSync(prefix) {
    var chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', p;
    do {
      p = String(prefix);
      for (var i = 0; i < 6; i++) p += chars.charAt(Math.floor(Math.random() * chars.length));
    } while (entry(toPath(p)));
    mkdirSync(p);
    return p;
  }
  function createReadStream(p, opts) {
    var data, failure = null;
    try { data = readFileSync(p); } catch (e) { failure = e; }
    if (data && opts && typeof opts === 'object' && (opts.start !== undefined || opts.end !== undefined)) {
      data = data.subarray(opts.start || 0, opts.end === undefined ? data.length : opts.end + 1);
    }
    var sent = false;
    var r = new stream.Readable({
      highWaterMark: 65536,
      read: function () {
        if (failure) { this.destroy(failure); return; }
        if (!sent) { sent = true; if (data.length) this.push(data); }
        this.push(null);
      }
    });
    var enc = encodingOf(opts);
    if (enc) r.setEncoding(enc);
    r.path = typeof p === 'string' ? p : String(p);
    r.bytesRead = data ? data.length : 0;
    // Node opens the file at once: a missing one errors even if nothing reads.
    if (failure) Promise.resolve().then(function () { r.destroy(failure); });
    return r;
  }
  function createWriteStream(p, opts) {
    var full = toPath(p), chunks = [], failure = null;
    try { checkWritable('open', full); } catch (e) { failure = e; }
    var append = !!(opts && typeof opts === 'object' && opts.flags && String(opts.flags).charAt(0) === 'a');
    var w = new stream.Writable({
      write: function (c, e, cb) { if (failure) { cb(failure); return; } chunks.push(c); cb(); },
      final: function (cb) {
        if (failure) { cb(failure); return; }
        try {
          var buf = Buffer.concat(chunks);
          store(full, append && tmpFiles[full] ? Buffer.concat([tmpFiles[full], buf]) : buf);
          cb();
        } catch (e) { cb(e); }
      }
    });
    w.path = typeof p === 'string' ? p : String(p);
    Object.defineProperty(w, 'bytesWritten', { get: function () { return chunks.reduce(function (n, c) { return n + c.length; }, 0); } });
    if (failure) Promise.resolve().then(function () { w.destroy(failure); });
    return w;
  }

  function callbackForm(fn) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      var cb = args.pop();
      if (typeof cb !== 'function') throw argTypeError('cb', 'of type function', cb);
      var r, err = null;
      try { r = fn.apply(null, args); } catch (e) { err = e; }
      setImmediate(function () { if (err) cb(err); else cb(null, r); });
    };
  }
  function promiseForm(fn) {
    return function () {
      var args = arguments;
      return new Promise(function (resolve, reject) {
        try { resolve(fn.apply(null, args)); } catch (e) { reject(e); }
      });
    };
  }
  var sync = {
    stat: statSync, lstat: statSync, readFile: readFileSync, readdir: readdirSync, access: accessSync,
    realpath: realpathSync, writeFile: writeFileSync, appendFile: appendFileSync, mkdir: mkdirSync,
    unlink: unlinkSync, rmdir: rmdirSync, rm: rmSync, rename: renameSync, copyFile: copyFileSync, mkdtemp: mkdtempSync
  };
  var fs = {}, promises = {};
  var unsupported = ('chmod chown close cp fchmod fchown fdatasync fstat fsync ftruncate futimes lchown link lutimes ' +
    'open opendir read readlink readv statfs symlink truncate utimes write writev').split(' ');
  unsupported.forEach(function (n) {
    fs[n] = unavailable(n);
    fs[n + 'Sync'] = unavailable(n + 'Sync');
    promises[n] = function () { try { unavailable('promises.' + n)(); } catch (e) { return Promise.reject(e); } };
  });
  Object.keys(sync).forEach(function (n) {
    fs[n + 'Sync'] = sync[n];
    fs[n] = callbackForm(sync[n]);
    promises[n] = promiseForm(sync[n]);
  });
  fs.existsSync = existsSync;
  fs.exists = function (p, cb) { var r = existsSync(p); setImmediate(function () { cb(r); }); };
  fs.realpathSync.native = realpathSync;
  fs.realpath.native = fs.realpath;
  fs.createReadStream = createReadStream;
  fs.createWriteStream = createWriteStream;
  ['watch', 'watchFile', 'unwatchFile', 'openAsBlob'].forEach(function (n) { fs[n] = unavailable(n); });
  fs.Stats = Stats;
  fs.Dirent = Dirent;
  ['ReadStream', 'WriteStream', 'Dir', 'FileReadStream', 'FileWriteStream'].forEach(function (n) { fs[n] = unavailable(n); });
  var constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128,
    O_TRUNC: 512, O_APPEND: 1024, S_IFMT: 61440, S_IFREG: 32768, S_IFDIR: 16384, S_IFLNK: 40960, COPYFILE_EXCL: 1 };
  fs.constants = promises.constants = constants;
  ['F_OK', 'R_OK', 'W_OK', 'X_OK'].forEach(function (k) { fs[k] = constants[k]; });
  fs.promises = promises;
  return fs;
});
modules.fs = getFs;
modules['fs/promises'] = function () { return getFs().promises; };

// ---------- net, tls, tty, http2 (inert) ----------
// No sockets in functions, but HTTP clients load these at the top (axios 1.x requires
// http2, and https-proxy-agent net and tls; debug requires tty). So they load; the
// pure helpers work (net.isIP, tty.isatty) and whatever would open a socket throws.
function inertModule(name, props, calls) {
  var m = props || {};
  calls.split(' ').forEach(function (k) {
    m[k] = function () {
      throw codeError(Error, 'ERR_MODULE_NOT_AVAILABLE', name + '.' + k + '() is not available in Minicloud functions (use fetch, http or https)');
    };
  });
  return m;
}
modules.net = once(function () {
  function isIPv4(s) { return typeof s === 'string' && /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s); }
  function isIPv6(s) {
    if (typeof s !== 'string' || s.indexOf(':') < 0) return false;
    var zone = s.indexOf('%');
    if (zone >= 0) s = s.slice(0, zone);
    var tail = s.lastIndexOf(':'), last = s.slice(tail + 1), groups = 8;
    if (last.indexOf('.') >= 0) { if (!isIPv4(last)) return false; s = s.slice(0, tail + 1) + '0:0'; }
    var halves = s.split('::');
    if (halves.length > 2) return false;
    var parts = function (h) { return h === '' ? [] : h.split(':'); };
    var a = parts(halves[0]), b = halves.length === 2 ? parts(halves[1]) : [];
    var all = a.concat(b);
    for (var i = 0; i < all.length; i++) if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return false;
    return halves.length === 2 ? all.length < groups : all.length === groups;
  }
  return inertModule('net', {
    isIP: function (s) { return isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0; }, isIPv4: isIPv4, isIPv6: isIPv6,
    getDefaultAutoSelectFamily: function () { return true; }, setDefaultAutoSelectFamily: function () {}
  }, 'connect createConnection createServer Socket Server Stream BlockList SocketAddress');
});
modules.tls = once(function () {
  return inertModule('tls', {
    DEFAULT_MIN_VERSION: 'TLSv1.2', DEFAULT_MAX_VERSION: 'TLSv1.3', DEFAULT_ECDH_CURVE: 'auto', rootCertificates: [],
    getCiphers: function () { return ['tls_aes_128_gcm_sha256', 'tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256']; }
  }, 'connect createServer createSecureContext createSecurePair checkServerIdentity TLSSocket Server SecureContext');
});
modules.tty = once(function () {
  return inertModule('tty', { isatty: function () { return false; } }, 'ReadStream WriteStream');
});
modules.dns = once(function () {
  var calls = 'lookup lookupService resolve resolve4 resolve6 resolveAny resolveCname resolveMx resolveNs resolveTxt resolveSrv reverse';
  var dns = inertModule('dns', {
    ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256, NOTFOUND: 'ENOTFOUND',
    getServers: function () { return []; }, setServers: function () {}, setDefaultResultOrder: function () {},
    getDefaultResultOrder: function () { return 'verbatim'; }
  }, calls + ' Resolver');
  dns.promises = inertModule('dns.promises', {}, calls + ' Resolver');
  return dns;
});
modules['dns/promises'] = function () { return modules.dns().promises; };
// diagnostics_channel works (publish reaches subscribers); nothing in Minicloud
// publishes, so tracing channels just run what they trace. express 5's router loads it.
modules.diagnostics_channel = once(function () {
  var channels = Object.create(null);
  function Channel(name) { this.name = name; hidden(this, '_subs', []); }
  defineProperty(Channel.prototype, 'hasSubscribers', { get: function () { return this._subs.length > 0; }, configurable: true });
  Channel.prototype.subscribe = function (fn) { this._subs.push(fn); };
  Channel.prototype.unsubscribe = function (fn) {
    var i = this._subs.indexOf(fn);
    if (i < 0) return false;
    this._subs.splice(i, 1);
    return true;
  };
  Channel.prototype.publish = function (message) {
    var subs = this._subs.slice();
    for (var i = 0; i < subs.length; i++) subs[i](message, this.name);
  };
  Channel.prototype.bindStore = function () {};
  Channel.prototype.unbindStore = function () { return false; };
  Channel.prototype.runStores = function (data, fn, thisArg) { return fn.apply(thisArg, Array.prototype.slice.call(arguments, 3)); };
  function channel(name) { return channels[name] || (channels[name] = new Channel(name)); }
  function tracingChannel(name) {
    var t = {};
    ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].forEach(function (k) { t[k] = typeof name === 'string' ? channel('tracing:' + name + ':' + k) : name[k]; });
    defineProperty(t, 'hasSubscribers', { get: function () {
      return t.start.hasSubscribers || t.end.hasSubscribers || t.asyncStart.hasSubscribers || t.asyncEnd.hasSubscribers || t.error.hasSubscribers;
    } });
    t.subscribe = function (h) { ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].forEach(function (k) { if (h[k]) t[k].subscribe(h[k]); }); };
    t.unsubscribe = function (h) {
      var all = true;
      ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].forEach(function (k) { if (h[k] && !t[k].unsubscribe(h[k])) all = false; });
      return all;
    };
    t.traceSync = function (fn, ctx, thisArg) { return fn.apply(thisArg, Array.prototype.slice.call(arguments, 3)); };
    t.tracePromise = function (fn, ctx, thisArg) { return fn.apply(thisArg, Array.prototype.slice.call(arguments, 3)); };
    t.traceCallback = function (fn, position, ctx, thisArg) { return fn.apply(thisArg, Array.prototype.slice.call(arguments, 4)); };
    return t;
  }
  return {
    channel: channel, tracingChannel: tracingChannel, Channel: Channel,
    hasSubscribers: function (name) { return !!channels[name] && channels[name].hasSubscribers; },
    subscribe: function (name, fn) { channel(name).subscribe(fn); },
    unsubscribe: function (name, fn) { return channel(name).unsubscribe(fn); }
  };
});
// v8: what packages probe at load (koa asks whether a startup snapshot is being built).
modules.v8 = once(function () {
  return inertModule('v8', {
    startupSnapshot: {
      isBuildingSnapshot: function () { return 0; }, addSerializeCallback: function () {},
      addDeserializeCallback: function () {}, setDeserializeMainFunction: function () {}
    },
    cachedDataVersionTag: function () { return 0; },
    getHeapStatistics: function () {
      return { total_heap_size: 0, total_heap_size_executable: 0, total_physical_size: 0, total_available_size: 0,
        used_heap_size: 0, heap_size_limit: 0, malloced_memory: 0, peak_malloced_memory: 0, does_zap_garbage: 0,
        number_of_native_contexts: 1, number_of_detached_contexts: 0, total_global_handles_size: 0, used_global_handles_size: 0,
        external_memory: 0 };
    },
    getHeapSpaceStatistics: function () { return []; }, setFlagsFromString: function () {}
  }, 'serialize deserialize writeHeapSnapshot getHeapSnapshot getHeapCodeStatistics Serializer Deserializer');
});
// async_hooks: goja has no hooks into promise jobs, so AsyncLocalStorage keeps the
// store of run() until its callback, and the promise it returns, finish. Within one
// invocation (instances run one call at a time) that is the request-scoped store
// such code wants; overlapping run()s in one invocation see the latest store.
modules.async_hooks = once(function () {
  function AsyncLocalStorage() { hidden(this, '_store', undefined); hidden(this, '_enabled', true); }
  AsyncLocalStorage.prototype.getStore = function () { return this._enabled ? this._store : undefined; };
  AsyncLocalStorage.prototype.enterWith = function (store) { this._enabled = true; this._store = store; };
  AsyncLocalStorage.prototype.disable = function () { this._enabled = false; this._store = undefined; };
  AsyncLocalStorage.prototype.run = function (store, fn) {
    var self = this, prev = this._store, prevEnabled = this._enabled;
    var args = Array.prototype.slice.call(arguments, 2);
    function restore() { self._store = prev; self._enabled = prevEnabled; }
    this._store = store;
    this._enabled = true;
    var result;
    try {
      result = fn.apply(undefined, args);
    } catch (e) {
      restore();
      throw e;
    }
    if (result && typeof result.then === 'function') {
      result.then(restore, restore);
    } else {
      restore();
    }
    return result;
  };
  AsyncLocalStorage.prototype.exit = function (fn) {
    var self = this, prev = this._enabled;
    this._enabled = false;
    try { return fn.apply(undefined, Array.prototype.slice.call(arguments, 1)); } finally { self._enabled = prev; }
  };
  AsyncLocalStorage.bind = function (fn) { return fn; };
  AsyncLocalStorage.snapshot = function () { return function (fn) { return fn.apply(undefined, Array.prototype.slice.call(arguments, 1)); }; };
  function AsyncResource(type) { this.type = type; }
  AsyncResource.prototype.runInAsyncScope = function (fn, thisArg) { return fn.apply(thisArg, Array.prototype.slice.call(arguments, 2)); };
  AsyncResource.prototype.bind = function (fn) { return fn.bind(this); };
  AsyncResource.prototype.emitDestroy = function () { return this; };
  AsyncResource.prototype.asyncId = function () { return 1; };
  AsyncResource.prototype.triggerAsyncId = function () { return 0; };
  AsyncResource.bind = function (fn) { return fn; };
  return {
    AsyncLocalStorage: AsyncLocalStorage, AsyncResource: AsyncResource,
    createHook: function () { return { enable: function () { return this; }, disable: function () { return this; } }; },
    executionAsyncId: function () { return 1; }, triggerAsyncId: function () { return 0; },
    executionAsyncResource: function () { return {}; }
  };
});
// constants: Node's deprecated merge of os, fs and crypto constants (graceful-fs, and
// so fs-extra and exceljs, load it).
modules.constants = once(function () {
  var c = {};
  [modules.os().constants.errno, modules.os().constants.signals, getFs().constants, getCrypto().constants].forEach(function (src) {
    Object.keys(src || {}).forEach(function (k) { c[k] = src[k]; });
  });
  return c;
});
// readline: line reading over a stream (createInterface({ input }): 'line' and 'close'
// events, async iteration). There is no terminal: question() and prompts throw.
var getReadline = once(function () {
  var EE = getEvents();
  function Interface(opts) {
    if (!(this instanceof Interface)) return new Interface(opts);
    EE.call(this);
    opts = opts && typeof opts.on !== 'function' ? opts : { input: opts };
    var self = this, input = opts.input, pending = '', decoder = new (modules.string_decoder().StringDecoder)('utf8');
    var crlfDelay = opts.crlfDelay;
    self.terminal = false;
    self.closed = false;
    self.input = input;
    function emitLines(text, last) {
      pending += text;
      var parts = pending.split(/\r\n|\n|\r/);
      pending = last ? '' : parts.pop();
      for (var i = 0; i < parts.length; i++) {
        if (last && i === parts.length - 1 && parts[i] === '') break;
        self.emit('line', parts[i]);
      }
    }
    function ondata(chunk) { if (!self.closed && !self.paused) emitLines(typeof chunk === 'string' ? chunk : decoder.write(chunk), false); }
    function onend() { if (!self.closed) { emitLines(decoder.end(), true); self.close(); } }
    void crlfDelay;
    if (input && typeof input.on === 'function') {
      input.on('data', ondata);
      input.on('end', onend);
      input.on('error', function (e) { self.emit('error', e); });
      hidden(self, '_detach', function () { input.removeListener('data', ondata); input.removeListener('end', onend); });
    }
  }
  Interface.prototype = Object.create(EE.prototype, { constructor: { value: Interface, writable: true, configurable: true } });
  Interface.prototype.close = function () {
    if (this.closed) return;
    this.closed = true;
    if (this._detach) this._detach();
    this.emit('close');
  };
  Interface.prototype.pause = function () { this.paused = true; if (this.input && this.input.pause) this.input.pause(); this.emit('pause'); return this; };
  Interface.prototype.resume = function () { this.paused = false; if (this.input && this.input.resume) this.input.resume(); this.emit('resume'); return this; };
  Interface.prototype.question = function () {
    throw codeError(Error, 'ERR_MODULE_NOT_AVAILABLE', 'readline question() is not available in Minicloud functions (there is no terminal)');
  };
  Interface.prototype.prompt = Interface.prototype.question;
  Interface.prototype.setPrompt = function () {};
  Interface.prototype.getPrompt = function () { return ''; };
  Interface.prototype.write = function () {};
  Interface.prototype[Symbol.asyncIterator] = function () {
    var self = this, lines = [], waiting = null, done = false, failure = null;
    self.on('line', function (l) { if (waiting) { var w = waiting; waiting = null; w.resolve({ value: l, done: false }); } else lines.push(l); });
    self.on('close', function () { done = true; if (waiting) { var w = waiting; waiting = null; w.resolve({ value: undefined, done: true }); } });
    self.on('error', function (e) { failure = e; if (waiting) { var w = waiting; waiting = null; w.reject(e); } });
    var it = {
      next: function () {
        if (lines.length) return Promise.resolve({ value: lines.shift(), done: false });
        if (failure) return Promise.reject(failure);
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise(function (resolve, reject) { waiting = { resolve: resolve, reject: reject }; });
      },
      return: function () { self.close(); return Promise.resolve({ value: undefined, done: true }); }
    };
    it[Symbol.asyncIterator] = function () { return it; };
    return it;
  };
  function unavailable(name) {
    return function () { throw codeError(Error, 'ERR_MODULE_NOT_AVAILABLE', 'readline.' + name + '() is not available in Minicloud functions (there is no terminal)'); };
  }
  return {
    Interface: Interface,
    createInterface: function (opts) { return new Interface(opts); },
    clearLine: unavailable('clearLine'), clearScreenDown: unavailable('clearScreenDown'),
    cursorTo: unavailable('cursorTo'), moveCursor: unavailable('moveCursor'),
    emitKeypressEvents: function () {}
  };
});
modules.readline = getReadline;
modules['readline/promises'] = getReadline;
modules.http2 = once(function () {
  var constants = {
    HTTP2_HEADER_STATUS: ':status', HTTP2_HEADER_METHOD: ':method', HTTP2_HEADER_AUTHORITY: ':authority',
    HTTP2_HEADER_SCHEME: ':scheme', HTTP2_HEADER_PATH: ':path', HTTP2_HEADER_PROTOCOL: ':protocol',
    HTTP2_HEADER_CONTENT_TYPE: 'content-type', HTTP2_HEADER_CONTENT_LENGTH: 'content-length',
    HTTP2_HEADER_CONTENT_ENCODING: 'content-encoding', HTTP2_HEADER_ACCEPT_ENCODING: 'accept-encoding',
    HTTP2_HEADER_AUTHORIZATION: 'authorization', HTTP2_HEADER_USER_AGENT: 'user-agent', HTTP2_HEADER_LOCATION: 'location',
    HTTP2_METHOD_GET: 'GET', HTTP2_METHOD_POST: 'POST', HTTP2_METHOD_PUT: 'PUT', HTTP2_METHOD_DELETE: 'DELETE',
    HTTP2_METHOD_HEAD: 'HEAD', HTTP2_METHOD_PATCH: 'PATCH', HTTP2_METHOD_OPTIONS: 'OPTIONS',
    NGHTTP2_NO_ERROR: 0, NGHTTP2_CANCEL: 8, HTTP_STATUS_OK: 200, HTTP_STATUS_NOT_FOUND: 404
  };
  return inertModule('http2', {
    constants: constants, sensitiveHeaders: Symbol('nodejs.http2.sensitiveHeaders'),
    getDefaultSettings: function () { return {}; }
  }, 'connect createServer createSecureServer getPackedSettings getUnpackedSettings');
});

// ---------- http, https (client) ----------
// Node's http client on fetch's machinery (require_http.go): the same allow-list,
// response size limit and deadline. The request goes out when end() is called, with
// what was written; the response arrives whole and its IncomingMessage streams it from
// memory. Redirects come back as they are (Node's http never follows them). Agents are
// accepted and ignored (Go pools connections). Servers are not available: functions are
// reached through HTTP access.
var getHttp = once(function () {
  var EE = getEvents(), stream = getStream(), Buffer = getBuffer();
  function inherit(C, P) {
    C.prototype = Object.create(P.prototype, { constructor: { value: C, writable: true, configurable: true } });
    Object.setPrototypeOf(C, P);
  }
  function nextTick(fn, a, b) { getProcess().nextTick(fn, a, b); }
  var STATUS_CODES = {
    100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
    200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
    205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
    300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
    305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
    400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
    409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
    414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
    418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked',
    424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
    429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
    500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
    504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
    507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
    511: 'Network Authentication Required'
  };
  var METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK',
    'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST',
    'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE',
    'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];
  var tokenRe = /^[\^_\x60a-zA-Z\-0-9!#$%&'*+.|~]+$/;
  var badValueRe = /[^\t\x20-\x7e\x80-\xff]/;
  function validateHeaderName(name) {
    if (typeof name !== 'string' || !name || !tokenRe.test(name)) {
      throw codeError(TypeError, 'ERR_INVALID_HTTP_TOKEN', 'Header name must be a valid HTTP token ["' + name + '"]');
    }
  }
  function validateHeaderValue(name, value) {
    if (value === undefined) {
      throw codeError(TypeError, 'ERR_HTTP_INVALID_HEADER_VALUE', 'Invalid value "' + value + '" for header "' + name + '"');
    }
    if (badValueRe.test(String(value))) {
      throw codeError(TypeError, 'ERR_INVALID_CHAR', 'Invalid character in header content ["' + name + '"]');
    }
  }
  function serverNotAvailable(what) {
    return function () {
      throw codeError(Error, 'ERR_NOT_AVAILABLE', what + ' is not available in Minicloud functions (use HTTP access to serve HTTP)');
    };
  }

  // ----- Agent: accepted and ignored -----
  function Agent(options) {
    if (!(this instanceof Agent)) return new Agent(options);
    EE.call(this);
    this.options = Object.assign({ path: null }, options);
    this.defaultPort = this.options.defaultPort || 80;
    this.protocol = this.options.protocol || 'http:';
    this.keepAlive = !!this.options.keepAlive;
    this.keepAliveMsecs = this.options.keepAliveMsecs || 1000;
    this.maxSockets = this.options.maxSockets || Agent.defaultMaxSockets;
    this.maxFreeSockets = this.options.maxFreeSockets || 256;
    this.maxTotalSockets = this.options.maxTotalSockets || Infinity;
    this.scheduling = this.options.scheduling || 'lifo';
    this.requests = Object.create(null);
    this.sockets = Object.create(null);
    this.freeSockets = Object.create(null);
    this.totalSocketCount = 0;
  }
  inherit(Agent, EE);
  Agent.defaultMaxSockets = Infinity;
  Agent.prototype.getName = function (o) {
    o = o || {};
    var name = (o.host || 'localhost') + ':' + (o.port || '') + ':' + (o.localAddress || '');
    if (o.family === 4 || o.family === 6) name += ':' + o.family;
    return name;
  };
  Agent.prototype.createConnection = serverNotAvailable('Agent.createConnection (raw sockets)');
  Agent.prototype.keepSocketAlive = function () { return true; };
  Agent.prototype.reuseSocket = function () {};
  Agent.prototype.destroy = function () {};
  function HttpsAgent(options) {
    if (!(this instanceof HttpsAgent)) return new HttpsAgent(options);
    Agent.call(this, options);
    this.defaultPort = this.options.defaultPort || 443;
    this.protocol = 'https:';
    this.maxCachedSessions = this.options.maxCachedSessions === undefined ? 100 : this.options.maxCachedSessions;
  }
  inherit(HttpsAgent, Agent);
  var globalAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });
  var httpsGlobalAgent = new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });

  // ----- the socket a request reports: enough for what clients call on it -----
  function FakeSocket(req, secure, host, port) {
    EE.call(this);
    hidden(this, '_req', req);
    hidden(this, '_timer', null);
    this.connecting = false;
    this.destroyed = false;
    this.readable = true;
    this.writable = true;
    this.remotePort = port;
    this.servername = secure ? host : undefined;
    this.encrypted = secure ? true : undefined;
    this.authorized = secure ? true : undefined;
    this.bytesRead = 0;
    this.bytesWritten = 0;
    this.timeout = 0;
  }
  inherit(FakeSocket, EE);
  var S = FakeSocket.prototype;
  S.setTimeout = function (ms, cb) {
    var self = this;
    this.timeout = ms;
    if (typeof cb === 'function') this.once('timeout', cb);
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
    if (ms > 0 && !this.destroyed && !this._req._complete) {
      this._timer = setTimeout(function () { self._timer = null; self.emit('timeout'); }, ms);
      this._timer.unref();
    }
    return this;
  };
  S._stop = function () { if (this._timer) { clearTimeout(this._timer); this._timer = null; } };
  S.destroy = function (err) {
    if (this.destroyed) return this;
    this.destroyed = true;
    this._stop();
    this._req.destroy(err);
    return this;
  };
  S.end = function () { return this.destroy(); };
  S.destroySoon = S.end;
  ['setNoDelay', 'setKeepAlive', 'ref', 'unref', 'cork', 'uncork', 'pause', 'resume', 'setEncoding'].forEach(function (k) {
    S[k] = function () { return this; };
  });
  S.address = function () { return {}; };
  S.getPeerCertificate = function () { return {}; };
  S.getProtocol = function () { return this.encrypted ? 'TLSv1.3' : null; };
  S.getCipher = function () { return this.encrypted ? { name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' } : undefined; };

  // ----- OutgoingMessage, ClientRequest -----
  function OutgoingMessage() {
    stream.Writable.call(this, { autoDestroy: false, emitClose: false });
    hidden(this, '_hdrs', Object.create(null)); // lower-cased name -> [name, value]
    this.headersSent = false;
    this.finished = false;
    this.sendDate = false;
  }
  inherit(OutgoingMessage, stream.Writable);
  var O = OutgoingMessage.prototype;
  O.setHeader = function (name, value) {
    if (this.headersSent) throw codeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
    validateHeaderName(name);
    validateHeaderValue(name, value);
    this._hdrs[name.toLowerCase()] = [name, value];
    return this;
  };
  O.appendHeader = function (name, value) {
    var cur = this.getHeader(name);
    if (cur === undefined) return this.setHeader(name, value);
    return this.setHeader(name, [].concat(cur, value));
  };
  O.getHeader = function (name) {
    if (typeof name !== 'string') throw argTypeError('name', 'of type string', name);
    var e = this._hdrs[name.toLowerCase()];
    return e ? e[1] : undefined;
  };
  O.getHeaders = function () {
    var o = Object.create(null), h = this._hdrs;
    Object.keys(h).forEach(function (k) { o[k] = h[k][1]; });
    return o;
  };
  O.getHeaderNames = function () { return Object.keys(this._hdrs); };
  O.getRawHeaderNames = function () { var h = this._hdrs; return Object.keys(h).map(function (k) { return h[k][0]; }); };
  O.hasHeader = function (name) {
    if (typeof name !== 'string') throw argTypeError('name', 'of type string', name);
    return name.toLowerCase() in this._hdrs;
  };
  O.removeHeader = function (name) {
    if (typeof name !== 'string') throw argTypeError('name', 'of type string', name);
    if (this.headersSent) throw codeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
    delete this._hdrs[name.toLowerCase()];
  };
  O.flushHeaders = function () {};
  O.setNoDelay = function () {};
  O.setSocketKeepAlive = function () {};
  defineProperty(O, 'connection', { get: function () { return this.socket; }, set: function (v) { this.socket = v; }, configurable: true });

  function urlToHttpOptions(u) {
    var o = {
      protocol: u.protocol,
      hostname: typeof u.hostname === 'string' && u.hostname.charAt(0) === '[' ? u.hostname.slice(1, -1) : u.hostname,
      hash: u.hash, search: u.search, pathname: u.pathname, path: (u.pathname || '') + (u.search || ''), href: u.href
    };
    if (u.port !== '') o.port = Number(u.port);
    if (u.username || u.password) o.auth = decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password);
    return o;
  }
  function invalidUrl(input) {
    var e = codeError(TypeError, 'ERR_INVALID_URL', 'Invalid URL');
    e.input = input;
    return e;
  }
  var URLCtor = function () { return getURL().URL; };

  function ClientRequest(input, options, cb) {
    if (!(this instanceof ClientRequest)) return new ClientRequest(input, options, cb);
    if (typeof input === 'string') {
      var parsed;
      try { parsed = new (URLCtor())(input); } catch (e) { throw invalidUrl(input); }
      input = urlToHttpOptions(parsed);
    } else if (input && URLCtor() && input instanceof URLCtor()) {
      input = urlToHttpOptions(input);
    } else {
      cb = options;
      options = input;
      input = null;
    }
    if (typeof options === 'function') { cb = options; options = input || {}; }
    else options = Object.assign(input || {}, options);
    OutgoingMessage.call(this);
    var defaultAgent = options._defaultAgent || globalAgent;
    var agent = options.agent;
    if (agent === false) agent = new defaultAgent.constructor();
    else if (agent === null || agent === undefined) agent = defaultAgent;
    else if (typeof agent !== 'object') throw argTypeError('options.agent', 'of type Agent-like Object, undefined, or false', agent);
    this.agent = agent;
    var protocol = options.protocol || defaultAgent.protocol;
    var expected = (agent && agent.protocol) || defaultAgent.protocol;
    if (protocol !== expected) {
      throw codeError(TypeError, 'ERR_INVALID_PROTOCOL', 'Protocol "' + protocol + '" not supported. Expected "' + expected + '"');
    }
    var defaultPort = options.defaultPort || (agent && agent.defaultPort) || defaultAgent.defaultPort;
    var port = +(options.port || defaultPort);
    var host = options.hostname || options.host || 'localhost';
    if (typeof host !== 'string') throw argTypeError('options.hostname', 'of type string', host);
    var path = options.path === undefined || options.path === null ? '/' : options.path;
    if (typeof path !== 'string') throw argTypeError('options.path', 'of type string', path);
    if (/[^\u0021-\u00ff]/.test(path)) throw codeError(TypeError, 'ERR_UNESCAPED_CHARACTERS', 'Request path contains unescaped characters');
    var method = options.method === undefined || options.method === null ? 'GET' : options.method;
    if (typeof method !== 'string') throw argTypeError('options.method', 'of type string', method);
    if (!tokenRe.test(method)) throw codeError(TypeError, 'ERR_INVALID_HTTP_TOKEN', 'Method must be a valid HTTP token ["' + method + '"]');
    this.method = method.toUpperCase();
    this.path = path;
    this.host = host;
    this.protocol = protocol;
    this.aborted = false;
    this.reusedSocket = false;
    this.maxHeadersCount = null;
    this.socket = null;
    this.res = null;
    this.timeoutCb = null;
    this.destroyed = false;
    var secure = protocol === 'https:';
    var bracketed = host.indexOf(':') >= 0 && host.charAt(0) !== '[' ? '[' + host + ']' : host;
    // Proxy-style absolute paths (axios and request with a proxy configured) go straight to the target.
    var abs = /^https?:\/\/[^\/?#]+/i.exec(path);
    hidden(this, '_origin', abs ? abs[0] : protocol + '//' + bracketed + ':' + port);
    hidden(this, '_target', abs ? (path.slice(abs[0].length) || '/') : path);
    hidden(this, '_chunks', []);
    hidden(this, '_callId', 0);
    hidden(this, '_dead', false);
    hidden(this, '_responded', false);
    hidden(this, '_complete', false);
    hidden(this, '_closed', false);
    hidden(this, '_timer', null);
    hidden(this, '_timeoutMs', 0);
    hidden(this, '_pendingError', null);
    hidden(this, '_sock', new FakeSocket(this, secure, host, port));
    var headers = options.headers;
    if (Array.isArray(headers)) {
      for (var i = 0; i + 1 < headers.length; i += 2) this.appendHeader(headers[i], headers[i + 1]);
    } else if (headers) {
      for (var k in headers) if (hasOwn.call(headers, k) && headers[k] !== undefined) this.setHeader(k, headers[k]);
    }
    if (options.setHost !== false && !this.hasHeader('host')) {
      this.setHeader('Host', bracketed + (port !== +defaultPort ? ':' + port : ''));
    }
    if (options.auth && !this.hasHeader('authorization')) {
      this.setHeader('Authorization', 'Basic ' + Buffer.from(String(options.auth)).toString('base64'));
    }
    if (secure) {
      var ao = (agent && agent.options) || {};
      var pick = function (k) { return options[k] !== undefined ? options[k] : ao[k]; };
      if (pick('pfx') !== undefined) {
        this._pendingError = codeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
          'the pfx option is not supported in Minicloud functions: pass cert and key as PEM');
      }
      var pem = function (v) {
        if (v === undefined || v === null) return undefined;
        return [].concat(v).map(function (x) { return typeof x === 'string' ? x : Buffer.from(x).toString('utf8'); }).join('\n');
      };
      hidden(this, '_tls', { insecure: pick('rejectUnauthorized') === false, ca: pem(pick('ca')), cert: pem(pick('cert')),
        key: pem(pick('key')), servername: pick('servername') });
    } else hidden(this, '_tls', null);
    if (options.socketPath) {
      this._pendingError = codeError(Error, 'ERR_NOT_AVAILABLE', 'Unix sockets (socketPath) are not available in Minicloud functions');
    }
    if (options.createConnection) {
      this._pendingError = codeError(Error, 'ERR_NOT_AVAILABLE', 'createConnection (raw sockets) is not available in Minicloud functions');
    }
    if (typeof cb === 'function') this.once('response', cb);
    if (options.timeout !== undefined) this.setTimeout(options.timeout);
    var signal = options.signal, self = this;
    if (signal) {
      if (typeof signal !== 'object' || !('aborted' in signal)) throw argTypeError('options.signal', 'an instance of AbortSignal', signal);
      var onAbort = function () {
        var e = codeError(Error, 'ABORT_ERR', 'The operation was aborted');
        e.name = 'AbortError';
        if (signal.reason !== undefined) e.cause = signal.reason;
        self.destroy(e);
      };
      if (signal.aborted) nextTick(onAbort);
      else {
        signal.addEventListener('abort', onAbort);
        this.once('close', function () { signal.removeEventListener('abort', onAbort); });
      }
    }
    nextTick(function () {
      if (self._dead) return;
      self.socket = self._sock;
      self.emit('socket', self._sock);
    });
  }
  inherit(ClientRequest, OutgoingMessage);
  var C = ClientRequest.prototype;
  C._write = function (chunk, enc, cb) { this._chunks.push(chunk); cb(); };
  C._final = function (cb) { this._send(); cb(); };
  // Node sends the headers with the first write (or end): they are fixed from then on.
  C.write = function () {
    this.headersSent = true;
    return stream.Writable.prototype.write.apply(this, arguments);
  };
  C.end = function () {
    this.finished = true;
    this.headersSent = true;
    return stream.Writable.prototype.end.apply(this, arguments);
  };
  C._send = function () {
    var self = this;
    if (this._dead) return;
    if (this._pendingError) { nextTick(function () { self._fail(self._pendingError); }); return; } // never from inside end()
    var flat = [], h = this._hdrs;
    Object.keys(h).forEach(function (k) {
      [].concat(h[k][1]).forEach(function (v) { flat.push(h[k][0], String(v)); });
    });
    var body = this._chunks.length ? Buffer.concat(this._chunks) : null;
    this._chunks = [];
    var call = N.httpRequest(this._origin, this._target, this.method, flat, body, this._tls);
    this._callId = call.id;
    call.promise.then(function (r) { self._result(r); });
  };
  C._result = function (r) {
    this._callId = 0;
    if (this._dead) return;
    if (r.error) { this._fail(netError(r.error)); return; }
    this._stopTimers();
    var res = new IncomingMessage(this._sock);
    res.statusCode = r.status;
    res.statusMessage = r.statusText || STATUS_CODES[r.status] || '';
    res.httpVersion = r.httpVersion || '1.1';
    var v = res.httpVersion.split('.');
    res.httpVersionMajor = +v[0];
    res.httpVersionMinor = +(v[1] || 0);
    res.rawHeaders = r.headers;
    res.headers = responseHeaders(r.headers);
    res.req = this;
    res.complete = true;
    this.res = res;
    this._responded = true;
    this._complete = true;
    var self = this;
    res.once('end', function () { nextTick(function () { self._close(); }); });
    var body = bufferFromAB(r.body);
    if (body.length && this.method !== 'HEAD') res.push(body);
    res.push(null);
    if (!this.emit('response', res)) res.resume(); // nobody reads it: drain it, as Node does
  };
  C._fail = function (err) {
    if (this._dead) return;
    this._dead = true;
    this._stopTimers();
    this.emit('error', err);
    this._close();
  };
  C._close = function () {
    if (this._closed) return;
    this._closed = true;
    this.destroyed = true;
    this._writableState.destroyed = true;
    this.emit('close');
  };
  C._stopTimers = function () {
    if (this._timer) { clearTimeout(this._timer); this._timer = null; }
    this._sock._stop();
  };
  C.setTimeout = function (ms, cb) {
    if (typeof ms !== 'number' || ms < 0 || ms !== ms) throw argTypeError('msecs', 'of type number', ms);
    var self = this;
    if (typeof cb === 'function') this.once('timeout', cb);
    this._timeoutMs = ms;
    if (this._timer) { clearTimeout(this._timer); this._timer = null; }
    if (ms > 0 && !this._dead && !this._complete) {
      this._timer = setTimeout(function () { self._timer = null; if (!self._dead) self.emit('timeout'); }, ms);
      this._timer.unref();
    }
    return this;
  };
  C.destroy = function (err) {
    if (this._dead || this._closed) return this;
    this._dead = true;
    this.destroyed = true;
    this._writableState.destroyed = true;
    this._stopTimers();
    if (this._callId) N.fetchAbort(this._callId);
    var self = this, responded = this._responded;
    nextTick(function () {
      // Before a response Node reports the request as failed; after, it just closes.
      if (!responded) self.emit('error', err || connReset('socket hang up'));
      self._close();
    });
    return this;
  };
  C.abort = function () {
    if (this.aborted) return;
    this.aborted = true;
    var self = this;
    nextTick(function () { self.emit('abort'); });
    if (this._dead || this._closed) return;
    this._dead = true;
    this._writableState.destroyed = true;
    this._stopTimers();
    if (this._callId) N.fetchAbort(this._callId);
    nextTick(function () { self._close(); });
  };
  function connReset(msg) { return codeError(Error, 'ECONNRESET', msg); }
  function netError(r) {
    var e = new Error(r.message);
    ['code', 'errno', 'syscall', 'address', 'port', 'hostname'].forEach(function (k) {
      if (r[k] !== undefined) e[k] = r[k];
    });
    return e;
  }
  // Node's rules for repeated response headers: set-cookie makes an array, a few keep
  // the first value, cookie joins with "; ", the rest with ", ".
  var firstWins = /^(content-type|content-length|user-agent|referer|host|authorization|proxy-authorization|if-modified-since|if-unmodified-since|from|location|max-forwards|retry-after|etag|last-modified|server|age|expires)$/;
  function responseHeaders(raw) {
    var h = {};
    for (var i = 0; i + 1 < raw.length; i += 2) {
      var k = raw[i].toLowerCase(), v = raw[i + 1];
      if (k === 'set-cookie') (h[k] = h[k] || []).push(v);
      else if (!hasOwn.call(h, k)) h[k] = v;
      else if (firstWins.test(k)) continue;
      else h[k] += (k === 'cookie' ? '; ' : ', ') + v;
    }
    return h;
  }

  // ----- IncomingMessage -----
  function IncomingMessage(socket) {
    if (!(this instanceof IncomingMessage)) return new IncomingMessage(socket);
    stream.Readable.call(this);
    this.socket = socket || null;
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.httpVersion = '1.1';
    this.complete = false;
    this.rawHeaders = [];
    this.rawTrailers = [];
    this.headers = {};
    this.trailers = {};
    this.aborted = false;
    this.upgrade = false;
    this.url = '';
    this.method = null;
    this.statusCode = null;
    this.statusMessage = null;
  }
  inherit(IncomingMessage, stream.Readable);
  var I = IncomingMessage.prototype;
  I._read = function () {};
  I.setTimeout = function (ms, cb) { if (typeof cb === 'function') this.once('timeout', cb); return this; };
  defineProperty(I, 'connection', { get: function () { return this.socket; }, set: function (v) { this.socket = v; }, configurable: true });
  defineProperty(I, 'headersDistinct', {
    get: function () {
      var o = {};
      for (var i = 0; i + 1 < this.rawHeaders.length; i += 2) {
        var k = this.rawHeaders[i].toLowerCase();
        (o[k] = o[k] || []).push(this.rawHeaders[i + 1]);
      }
      return o;
    }, configurable: true
  });
  defineProperty(I, 'trailersDistinct', { get: function () { return {}; }, configurable: true });

  function requester(defaultAgent) {
    function request(input, options, cb) {
      var o = options;
      if (typeof input === 'string' || (input && URLCtor() && input instanceof URLCtor())) {
        if (typeof options === 'function') { cb = options; o = {}; }
        o = Object.assign({}, o, { _defaultAgent: defaultAgent });
        return new ClientRequest(input, o, cb);
      }
      return new ClientRequest(Object.assign({}, input, { _defaultAgent: defaultAgent }), options, cb);
    }
    function get(input, options, cb) {
      var req = request(input, options, cb);
      req.end();
      return req;
    }
    return { request: request, get: get };
  }
  var forHttp = requester(globalAgent), forHttps = requester(httpsGlobalAgent);
  var http = {
    Agent: Agent, globalAgent: globalAgent, ClientRequest: ClientRequest, IncomingMessage: IncomingMessage,
    OutgoingMessage: OutgoingMessage, request: forHttp.request, get: forHttp.get,
    STATUS_CODES: STATUS_CODES, METHODS: METHODS, maxHeaderSize: 16384,
    validateHeaderName: validateHeaderName, validateHeaderValue: validateHeaderValue,
    setMaxIdleHTTPParsers: function () {},
    createServer: serverNotAvailable('http.createServer'), Server: serverNotAvailable('http.Server'),
    ServerResponse: serverNotAvailable('http.ServerResponse')
  };
  var https = {
    Agent: HttpsAgent, globalAgent: httpsGlobalAgent, request: forHttps.request, get: forHttps.get,
    createServer: serverNotAvailable('https.createServer'), Server: serverNotAvailable('https.Server')
  };
  return { http: http, https: https };
});
modules.http = function () { return getHttp().http; };
modules.https = function () { return getHttp().https; };

// ---------- punycode ----------
// Node's (deprecated, still required by whatwg-url → node-fetch 2 and request): RFC 3492
// encode/decode and the IDNA toASCII/toUnicode of domain names and email addresses.
var getPunycode = once(function () {
  var maxInt = 2147483647, base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128;
  var separators = /[\x2E\u3002\uFF0E\uFF61]/g;
  function fail(kind) {
    throw new RangeError({
      overflow: 'Overflow: input needs wider integers to process',
      'not-basic': 'Illegal input >= 0x80 (not a basic code point)',
      'invalid-input': 'Invalid input'
    }[kind]);
  }
  function ucs2decode(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if ((d & 0xFC00) === 0xDC00) { out.push(((c & 0x3FF) << 10) + (d & 0x3FF) + 0x10000); i++; continue; }
      }
      out.push(c);
    }
    return out;
  }
  function ucs2encode(points) { return String.fromCodePoint.apply(null, points); }
  function digitOf(cp) {
    if (cp >= 0x30 && cp < 0x3A) return 26 + (cp - 0x30);
    if (cp >= 0x41 && cp < 0x5B) return cp - 0x41;
    if (cp >= 0x61 && cp < 0x7B) return cp - 0x61;
    return base;
  }
  function basicOf(d) { return d < 26 ? d + 97 : d + 22; }
  function threshold(k, bias) { return k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias; }
  function adapt(delta, points, first) {
    delta = first ? Math.floor(delta / damp) : delta >> 1;
    delta += Math.floor(delta / points);
    var k = 0;
    for (; delta > ((base - tMin) * tMax) >> 1; k += base) delta = Math.floor(delta / (base - tMin));
    return Math.floor(k + (base - tMin + 1) * delta / (delta + skew));
  }
  function decode(input) {
    var output = [], i = 0, n = initialN, bias = initialBias;
    var basic = input.lastIndexOf('-');
    if (basic < 0) basic = 0;
    for (var j = 0; j < basic; j++) {
      if (input.charCodeAt(j) >= 0x80) fail('not-basic');
      output.push(input.charCodeAt(j));
    }
    for (var index = basic > 0 ? basic + 1 : 0; index < input.length;) {
      var old = i;
      for (var w = 1, k = base; ; k += base) {
        if (index >= input.length) fail('invalid-input');
        var digit = digitOf(input.charCodeAt(index++));
        if (digit >= base) fail('invalid-input');
        if (digit > Math.floor((maxInt - i) / w)) fail('overflow');
        i += digit * w;
        var t = threshold(k, bias);
        if (digit < t) break;
        if (w > Math.floor(maxInt / (base - t))) fail('overflow');
        w *= base - t;
      }
      var size = output.length + 1;
      bias = adapt(i - old, size, old === 0);
      if (Math.floor(i / size) > maxInt - n) fail('overflow');
      n += Math.floor(i / size);
      i %= size;
      output.splice(i++, 0, n);
    }
    return ucs2encode(output);
  }
  function encode(input) {
    var points = ucs2decode(input), output = [];
    var n = initialN, delta = 0, bias = initialBias, j;
    for (j = 0; j < points.length; j++) if (points[j] < 0x80) output.push(String.fromCharCode(points[j]));
    var b = output.length, h = b;
    if (b) output.push('-');
    while (h < points.length) {
      var m = maxInt;
      for (j = 0; j < points.length; j++) if (points[j] >= n && points[j] < m) m = points[j];
      if (m - n > Math.floor((maxInt - delta) / (h + 1))) fail('overflow');
      delta += (m - n) * (h + 1);
      n = m;
      for (j = 0; j < points.length; j++) {
        var c = points[j];
        if (c < n && ++delta > maxInt) fail('overflow');
        if (c === n) {
          var q = delta;
          for (var k = base; ; k += base) {
            var t = threshold(k, bias);
            if (q < t) break;
            output.push(String.fromCharCode(basicOf(t + (q - t) % (base - t))));
            q = Math.floor((q - t) / (base - t));
          }
          output.push(String.fromCharCode(basicOf(q)));
          bias = adapt(delta, h + 1, h === b);
          delta = 0;
          h++;
        }
      }
      delta++;
      n++;
    }
    return output.join('');
  }
  function mapDomain(domain, fn) {
    var at = domain.indexOf('@'), local = '';
    if (at >= 0) { local = domain.slice(0, at + 1); domain = domain.slice(at + 1); }
    return local + domain.replace(separators, '.').split('.').map(fn).join('.');
  }
  return {
    version: '2.1.0',
    ucs2: { decode: ucs2decode, encode: ucs2encode },
    decode: decode,
    encode: encode,
    toASCII: function (domain) {
      return mapDomain(String(domain), function (label) { return /[^\0-\x7F]/.test(label) ? 'xn--' + encode(label) : label; });
    },
    toUnicode: function (domain) {
      return mapDomain(String(domain), function (label) { return /^xn--/.test(label) ? decode(label.slice(4).toLowerCase()) : label; });
    }
  };
});
modules.punycode = getPunycode;

// ---------- Error.captureStackTrace (V8) ----------
// Packages call V8's Error.captureStackTrace (node-fetch, http-errors) and read call
// sites through Error.prepareStackTrace (depd, which express and body-parser load).
// goja has neither; these give a Node-shaped stack string, or prepareStackTrace's
// result over CallSite objects, for the frames above the call.
// CallSite objects are made on first use (prepareStackTrace).
var getCallSite = once(function () {
  function CallSite(f) { hidden(this, '_f', f); }
  CallSite.prototype.getFileName = function () { return this._f[0] || undefined; };
  CallSite.prototype.getScriptNameOrSourceURL = CallSite.prototype.getFileName;
  CallSite.prototype.getLineNumber = function () { return this._f[0] ? this._f[1] : null; };
  CallSite.prototype.getColumnNumber = function () { return this._f[0] ? this._f[2] : null; };
  CallSite.prototype.getFunctionName = function () { return this._f[3] || null; };
  CallSite.prototype.getMethodName = function () { return null; };
  CallSite.prototype.getTypeName = function () { return null; };
  CallSite.prototype.getThis = function () { return undefined; };
  CallSite.prototype.getFunction = function () { return undefined; };
  CallSite.prototype.getEvalOrigin = function () { return undefined; };
  CallSite.prototype.isNative = function () { return !this._f[0]; };
  CallSite.prototype.isToplevel = function () { return !this._f[3]; };
  CallSite.prototype.isEval = function () { return false; };
  CallSite.prototype.isConstructor = function () { return false; };
  CallSite.prototype.isAsync = function () { return false; };
  CallSite.prototype.isPromiseAll = function () { return false; };
  CallSite.prototype.getPromiseIndex = function () { return null; };
  CallSite.prototype.toString = function () {
    var f = this._f, name = f[3];
    if (!f[0]) return (name || '<anonymous>') + ' (native)';
    var loc = f[0] + ':' + f[1] + ':' + f[2];
    return name ? name + ' (' + loc + ')' : loc;
  };
  return CallSite;
});
if (typeof Error.captureStackTrace !== 'function') {
  if (typeof Error.stackTraceLimit !== 'number') {
    defineProperty(Error, 'stackTraceLimit', { value: 10, writable: true, configurable: true, enumerable: true });
  }
  hidden(Error, 'captureStackTrace', function captureStackTrace(obj, fn) {
    if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
      throw argTypeError('object', 'of type object', obj);
    }
    var limit = Number(Error.stackTraceLimit);
    var frames = N.callSites(limit >= 0 ? Math.min(limit + 32, 232) : 0);
    if (typeof fn === 'function' && fn.name) {
      // Frames up to and including fn's are left out, as V8 does.
      for (var i = 0; i < frames.length; i++) {
        if (frames[i][3] === fn.name) { frames = frames.slice(i + 1); break; }
      }
    }
    frames = frames.slice(0, limit >= 0 ? limit : 0);
    var CallSite = getCallSite();
    var sites = frames.map(function (f) { return new CallSite(f); });
    var stack;
    if (typeof Error.prepareStackTrace === 'function') {
      stack = Error.prepareStackTrace(obj, sites);
    } else {
      var name = obj.name === undefined ? 'Error' : String(obj.name);
      var msg = obj.message === undefined ? '' : String(obj.message);
      stack = (msg ? name + ': ' + msg : name) + sites.map(function (s) { return '\n    at ' + s; }).join('');
    }
    defineProperty(obj, 'stack', { value: stack, writable: true, configurable: true, enumerable: false });
  });
}

// ---------- Object.prototype.__defineGetter__ and friends (Annex B) ----------
// goja lacks them; delegates (koa) and older packages define accessors this way.
if (typeof Object.prototype.__defineGetter__ !== 'function') {
  var lookupAccessor = function (o, name, kind) {
    for (o = Object(o); o; o = Object.getPrototypeOf(o)) {
      var d = Object.getOwnPropertyDescriptor(o, name);
      if (d) return d[kind];
    }
    return undefined;
  };
  hidden(Object.prototype, '__defineGetter__', function __defineGetter__(name, fn) {
    if (typeof fn !== 'function') throw new TypeError('Object.prototype.__defineGetter__: Expecting function');
    defineProperty(Object(this), name, { get: fn, enumerable: true, configurable: true });
  });
  hidden(Object.prototype, '__defineSetter__', function __defineSetter__(name, fn) {
    if (typeof fn !== 'function') throw new TypeError('Object.prototype.__defineSetter__: Expecting function');
    defineProperty(Object(this), name, { set: fn, enumerable: true, configurable: true });
  });
  hidden(Object.prototype, '__lookupGetter__', function __lookupGetter__(name) { return lookupAccessor(this, name, 'get'); });
  hidden(Object.prototype, '__lookupSetter__', function __lookupSetter__(name) { return lookupAccessor(this, name, 'set'); });
}

// ---------- performance ----------
lazyGlobal('performance', function () {
  var origin = Date.now() - N.now();
  return { now: function () { return N.now(); }, timeOrigin: origin, mark: function () {}, measure: function () {},
    getEntries: function () { return []; }, toJSON: function () { return { timeOrigin: origin }; } };
});

// ---------- Blob, File, FormData ----------
// Node 18's globals for multipart requests with fetch (a WeChat media upload, say):
// in memory; Blob.stream() and web streams are not available.
var getBlobs = once(function () {
  function partBytes(p) {
    if (p instanceof Blob) return p._bytes;
    if (p instanceof ArrayBuffer) return new Uint8Array(p.slice(0));
    if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
    return new TextEncoder().encode(String(p));
  }
  function concat(list) {
    var n = 0, i;
    for (i = 0; i < list.length; i++) n += list[i].length;
    var out = new Uint8Array(n), at = 0;
    for (i = 0; i < list.length; i++) { out.set(list[i], at); at += list[i].length; }
    return out;
  }
  function Blob(parts, options) {
    if (!(this instanceof Blob)) throw new TypeError("Class constructor Blob cannot be invoked without 'new'");
    if (parts !== undefined && (parts === null || typeof parts !== 'object' || typeof parts[Symbol.iterator] !== 'function')) {
      throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
    }
    var type = options && options.type !== undefined ? String(options.type) : '';
    hidden(this, '_bytes', concat(Array.from(parts || []).map(partBytes)));
    hidden(this, '_type', /[^\u0020-\u007E]/.test(type) ? '' : type.toLowerCase());
  }
  defineProperty(Blob.prototype, 'size', { get: function () { return this._bytes.length; }, configurable: true });
  defineProperty(Blob.prototype, 'type', { get: function () { return this._type; }, configurable: true });
  Blob.prototype.arrayBuffer = function () { var b = this._bytes; return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); };
  Blob.prototype.bytes = function () { return Promise.resolve(new Uint8Array(this._bytes)); };
  Blob.prototype.text = function () { return Promise.resolve(new TextDecoder().decode(this._bytes)); };
  Blob.prototype.slice = function (start, end, type) {
    var n = this._bytes.length;
    function rel(v, d) { if (v === undefined) return d; v = Math.trunc(Number(v)) || 0; return v < 0 ? Math.max(n + v, 0) : Math.min(v, n); }
    var s = rel(start, 0), e = rel(end, n);
    return new Blob([this._bytes.subarray(s, Math.max(s, e))], { type: type === undefined ? '' : type });
  };
  Blob.prototype.stream = function () { throw codeError(Error, 'ERR_MODULE_NOT_AVAILABLE', 'Blob.stream() is not available in Minicloud functions (use arrayBuffer())'); };
  defineProperty(Blob.prototype, Symbol.toStringTag, { value: 'Blob', configurable: true });
  function File(parts, name, options) {
    if (!(this instanceof File)) throw new TypeError("Class constructor File cannot be invoked without 'new'");
    if (arguments.length < 2) throw new TypeError("Failed to construct 'File': 2 arguments required, but only " + arguments.length + ' present.');
    Blob.call(this, parts, options);
    hidden(this, '_name', String(name));
    hidden(this, '_lastModified', options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now());
  }
  File.prototype = Object.create(Blob.prototype, { constructor: { value: File, writable: true, configurable: true } });
  Object.setPrototypeOf(File, Blob);
  defineProperty(File.prototype, 'name', { get: function () { return this._name; }, configurable: true });
  defineProperty(File.prototype, 'lastModified', { get: function () { return this._lastModified; }, configurable: true });
  defineProperty(File.prototype, Symbol.toStringTag, { value: 'File', configurable: true });
  function FormData() {
    if (!(this instanceof FormData)) throw new TypeError("Class constructor FormData cannot be invoked without 'new'");
    if (arguments.length && arguments[0] !== undefined) throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
    hidden(this, '_entries', []);
  }
  function entryValue(value, filename) {
    if (value instanceof Blob) {
      if (!(value instanceof File) || filename !== undefined) {
        return new File([value], filename !== undefined ? String(filename) : value instanceof File ? value.name : 'blob', { type: value.type });
      }
      return value;
    }
    return String(value);
  }
  var F = FormData.prototype;
  F.append = function (name, value, filename) { this._entries.push([String(name), entryValue(value, filename)]); };
  F.set = function (name, value, filename) {
    name = String(name);
    var v = entryValue(value, filename), done = false;
    hidden(this, '_entries', this._entries.filter(function (e) {
      if (e[0] !== name) return true;
      if (done) return false;
      e[1] = v; done = true; return true;
    }));
    if (!done) this._entries.push([name, v]);
  };
  F.get = function (name) { name = String(name); for (var i = 0; i < this._entries.length; i++) if (this._entries[i][0] === name) return this._entries[i][1]; return null; };
  F.getAll = function (name) { name = String(name); return this._entries.filter(function (e) { return e[0] === name; }).map(function (e) { return e[1]; }); };
  F.has = function (name) { return this.get(name) !== null; };
  F['delete'] = function (name) { name = String(name); hidden(this, '_entries', this._entries.filter(function (e) { return e[0] !== name; })); };
  F.forEach = function (fn, thisArg) { var self = this; this._entries.slice().forEach(function (e) { fn.call(thisArg, e[1], e[0], self); }); };
  F.entries = function () { return this._entries.map(function (e) { return [e[0], e[1]]; })[Symbol.iterator](); };
  F.keys = function () { return this._entries.map(function (e) { return e[0]; })[Symbol.iterator](); };
  F.values = function () { return this._entries.map(function (e) { return e[1]; })[Symbol.iterator](); };
  F[Symbol.iterator] = F.entries;
  defineProperty(F, Symbol.toStringTag, { value: 'FormData', configurable: true });
  // multipart encodes a FormData as fetch sends it.
  function multipart(fd) {
    var boundary = '----formdata-minicloud-' + String(Math.random()).slice(2, 13).padStart(11, '0');
    var enc = new TextEncoder(), parts = [];
    function esc(s) { return s.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22'); }
    fd._entries.forEach(function (e) {
      var head = '--' + boundary + '\r\nContent-Disposition: form-data; name="' + esc(e[0]) + '"';
      if (e[1] instanceof File) {
        head += '; filename="' + esc(e[1].name) + '"\r\nContent-Type: ' + (e[1].type || 'application/octet-stream') + '\r\n\r\n';
        parts.push(enc.encode(head), e[1]._bytes, enc.encode('\r\n'));
      } else {
        parts.push(enc.encode(head + '\r\n\r\n' + e[1].replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n') + '\r\n'));
      }
    });
    parts.push(enc.encode('--' + boundary + '--\r\n'));
    return { bytes: concat(parts), type: 'multipart/form-data; boundary=' + boundary };
  }
  return { Blob: Blob, File: File, FormData: FormData, multipart: multipart };
});
lazyGlobal('Blob', function () { return getBlobs().Blob; });
lazyGlobal('File', function () { return getBlobs().File; });
lazyGlobal('FormData', function () { return getBlobs().FormData; });

// ---------- ReadableStream (minimal) ----------
// Enough of the web stream for fetch's Response.body (getReader().read(), for await):
// chunks are queued in memory; no byte streams, tee, pipeTo or backpressure
// strategies. fetch's responses arrive whole, so a body is one chunk.
var getWebStreams = once(function () {
  function ReadableStream(source) {
    if (!(this instanceof ReadableStream)) throw new TypeError("Class constructor ReadableStream cannot be invoked without 'new'");
    source = source || {};
    var self = this;
    hidden(this, '_queue', []);
    hidden(this, '_state', 'readable');
    hidden(this, '_error', undefined);
    hidden(this, '_waiting', []);
    hidden(this, '_closedWaiters', []);
    hidden(this, '_reader', null);
    hidden(this, '_source', source);
    hidden(this, '_pulling', false);
    var controller = {
      enqueue: function (chunk) {
        if (self._state !== 'readable' || self._closeRequested) throw new TypeError('Invalid state: ReadableStream is closed');
        if (self._waiting.length) self._waiting.shift().resolve({ value: chunk, done: false });
        else self._queue.push(chunk);
      },
      close: function () {
        if (self._state !== 'readable' || self._closeRequested) throw new TypeError('Invalid state: ReadableStream is already closed');
        self._closeRequested = true;
        if (!self._queue.length) finish(self);
      },
      error: function (e) { fail(self, e); },
      desiredSize: 1
    };
    hidden(this, '_controller', controller);
    hidden(this, '_closeRequested', false);
    if (typeof source.start === 'function') {
      try {
        var started = source.start(controller);
        if (started && typeof started.then === 'function') started.then(null, function (e) { fail(self, e); });
      } catch (e) { fail(self, e); }
    }
  }
  function finish(s) {
    s._state = 'closed';
    while (s._waiting.length) s._waiting.shift().resolve({ value: undefined, done: true });
    while (s._closedWaiters.length) s._closedWaiters.shift().resolve(undefined);
  }
  function fail(s, e) {
    if (s._state !== 'readable') return;
    s._state = 'errored';
    s._error = e;
    s._queue = [];
    while (s._waiting.length) s._waiting.shift().reject(e);
    while (s._closedWaiters.length) s._closedWaiters.shift().reject(e);
  }
  function pull(s) {
    if (s._pulling || s._state !== 'readable' || s._closeRequested || typeof s._source.pull !== 'function') return;
    s._pulling = true;
    Promise.resolve().then(function () { return s._source.pull(s._controller); }).then(
      function () { s._pulling = false; if (s._waiting.length) pull(s); },
      function (e) { s._pulling = false; fail(s, e); });
  }
  function read(s) {
    if (s._queue.length) {
      var v = s._queue.shift();
      if (!s._queue.length && s._closeRequested) finish(s);
      return Promise.resolve({ value: v, done: false });
    }
    if (s._state === 'closed') return Promise.resolve({ value: undefined, done: true });
    if (s._state === 'errored') return Promise.reject(s._error);
    return new Promise(function (resolve, reject) { s._waiting.push({ resolve: resolve, reject: reject }); pull(s); });
  }
  function cancel(s, reason) {
    s._queue = [];
    if (s._state === 'readable') {
      finish(s);
      if (typeof s._source.cancel === 'function') return Promise.resolve(s._source.cancel(reason)).then(function () {});
    }
    return Promise.resolve();
  }
  defineProperty(ReadableStream.prototype, 'locked', { get: function () { return this._reader !== null; }, configurable: true });
  ReadableStream.prototype.getReader = function () {
    if (this._reader) throw new TypeError('Invalid state: ReadableStream is locked');
    var s = this;
    var reader = {
      read: function () { return s._reader === reader ? read(s) : Promise.reject(new TypeError('Invalid state: The reader is not attached to a stream')); },
      releaseLock: function () { if (s._reader === reader) s._reader = null; },
      cancel: function (reason) { return cancel(s, reason); },
      closed: new Promise(function (resolve, reject) {
        if (s._state === 'closed') resolve(undefined);
        else if (s._state === 'errored') reject(s._error);
        else s._closedWaiters.push({ resolve: resolve, reject: reject });
      })
    };
    reader.closed.then(null, function () {});
    this._reader = reader;
    return reader;
  };
  ReadableStream.prototype.cancel = function (reason) {
    if (this._reader) return Promise.reject(new TypeError('Invalid state: ReadableStream is locked'));
    return cancel(this, reason);
  };
  ReadableStream.prototype[Symbol.asyncIterator] = ReadableStream.prototype.values = function (options) {
    var reader = this.getReader(), keep = options && options.preventCancel;
    var it = {
      next: function () {
        return reader.read().then(function (r) { if (r.done) reader.releaseLock(); return r; });
      },
      return: function (value) {
        var p = keep ? Promise.resolve() : reader.cancel();
        reader.releaseLock();
        return p.then(function () { return { value: value, done: true }; });
      }
    };
    it[Symbol.asyncIterator] = function () { return it; };
    return it;
  };
  ReadableStream.from = function (iterable) {
    var it = iterable[Symbol.asyncIterator] ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
    return new ReadableStream({
      pull: function (c) {
        return Promise.resolve(it.next()).then(function (r) {
          if (r.done) c.close();
          else return Promise.resolve(r.value).then(function (v) { c.enqueue(v); });
        });
      }
    });
  };
  defineProperty(ReadableStream.prototype, Symbol.toStringTag, { value: 'ReadableStream', configurable: true });
  return { ReadableStream: ReadableStream };
});
lazyGlobal('ReadableStream', function () { return getWebStreams().ReadableStream; });

// ---------- fetch ----------
var getFetch = once(function () {
  function normName(n) {
    n = String(n).toLowerCase();
    if (!/^[!#$%&'*+\-.^_|~0-9a-z]+$/.test(n)) throw new TypeError('Invalid header name: ' + n);
    return n;
  }
  function Headers(init) {
    hidden(this, '_m', new Map());
    if (init == null) return;
    var self = this;
    if (init instanceof Headers) init.forEach(function (v, k) { self.append(k, v); });
    else if (Array.isArray(init) || typeof init[Symbol.iterator] === 'function') {
      Array.from(init).forEach(function (p) { self.append(p[0], p[1]); });
    } else Object.keys(init).forEach(function (k) { self.append(k, init[k]); });
  }
  var H = Headers.prototype;
  H.append = function (k, v) {
    k = normName(k); v = String(v).trim();
    var cur = this._m.get(k);
    this._m.set(k, cur === undefined ? v : (k === 'set-cookie' ? cur + '\n' + v : cur + ', ' + v));
  };
  H.set = function (k, v) { this._m.set(normName(k), String(v).trim()); };
  H.get = function (k) { var v = this._m.get(normName(k)); return v === undefined ? null : (normName(k) === 'set-cookie' ? v.split('\n').join(', ') : v); };
  H.getSetCookie = function () { var v = this._m.get('set-cookie'); return v === undefined ? [] : v.split('\n'); };
  H.has = function (k) { return this._m.has(normName(k)); };
  H['delete'] = function (k) { this._m['delete'](normName(k)); };
  H.forEach = function (fn, thisArg) {
    var self = this;
    Array.from(this._m.keys()).sort().forEach(function (k) { fn.call(thisArg, self.get(k), k, self); });
  };
  H.keys = function () { return Array.from(this._m.keys()).sort()[Symbol.iterator](); };
  H.values = function () { var self = this; return Array.from(this._m.keys()).sort().map(function (k) { return self.get(k); })[Symbol.iterator](); };
  H.entries = function () { var self = this; return Array.from(this._m.keys()).sort().map(function (k) { return [k, self.get(k)]; })[Symbol.iterator](); };
  H[Symbol.iterator] = H.entries;
  H.raw = function () { var o = {}; this.forEach(function (v, k) { o[k] = v; }); return o; };
  // bodyType is the content type a body brings (Blob, FormData, URLSearchParams).
  function bodyType(body) {
    if (body == null || typeof body !== 'object') return '';
    if (g.URLSearchParams && body instanceof g.URLSearchParams) return 'application/x-www-form-urlencoded;charset=UTF-8';
    if (body instanceof getBlobs().Blob) return body.type;
    return '';
  }
  function bodyBytes(body) {
    if (body == null) return null;
    if (typeof body === 'string') return body;
    if (body instanceof getBlobs().Blob) return body._bytes;
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    if (g.URLSearchParams && body instanceof g.URLSearchParams) return body.toString();
    return String(body);
  }
  function Body() {}
  function consume(self) {
    if (self.bodyUsed) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    hidden(self, 'bodyUsed', true);
    return Promise.resolve(self._body);
  }
  Body.prototype.arrayBuffer = function () {
    return consume(this).then(function (b) {
      if (b == null) return new ArrayBuffer(0);
      if (typeof b === 'string') return N.utf8Encode(b);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    });
  };
  Body.prototype.text = function () {
    return consume(this).then(function (b) {
      if (b == null) return '';
      if (typeof b === 'string') return b;
      return N.utf8Decode(b, false);
    });
  };
  Body.prototype.json = function () { return this.text().then(function (t) { return JSON.parse(t); }); };
  Body.prototype.bytes = function () { return this.arrayBuffer().then(function (ab) { return new Uint8Array(ab); }); };
  Body.prototype.buffer = function () { return this.arrayBuffer().then(function (ab) { return bufferFromAB(ab); }); };
  Body.prototype.blob = function () {
    var type = this.headers.get('content-type') || '';
    return this.arrayBuffer().then(function (ab) { return new (getBlobs().Blob)([ab], { type: type }); });
  };
  Body.prototype.formData = function () { return Promise.reject(new TypeError('Response.formData() is not available in Minicloud functions')); };
  function Response(body, init) {
    init = init || {};
    hidden(this, '_body', bodyBytes(body));
    hidden(this, 'bodyUsed', false);
    hidden(this, 'status', init.status === undefined ? 200 : init.status | 0);
    hidden(this, 'statusText', init.statusText === undefined ? '' : String(init.statusText));
    hidden(this, 'headers', init.headers instanceof Headers ? init.headers : new Headers(init.headers));
    hidden(this, 'url', init.url || '');
    hidden(this, 'redirected', !!init.redirected);
    hidden(this, 'type', 'default');
  }
  Response.prototype = Object.create(Body.prototype);
  hidden(Response.prototype, 'constructor', Response);
  defineProperty(Response.prototype, 'ok', { get: function () { return this.status >= 200 && this.status < 300; } });
  // body is a ReadableStream of the whole body (one chunk): responses arrive whole.
  defineProperty(Response.prototype, 'body', { get: function () {
    if (this._body == null) return null;
    if (!this._stream) {
      var b = this._body;
      var bytes = typeof b === 'string' ? new TextEncoder().encode(b) : new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      hidden(this, '_stream', new (getWebStreams().ReadableStream)({
        start: function (c) { if (bytes.length) c.enqueue(bytes); c.close(); }
      }));
    }
    return this._stream;
  } });
  Response.prototype.clone = function () {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return new Response(this._body, { status: this.status, statusText: this.statusText, headers: new Headers(this.headers), url: this.url });
  };
  Response.json = function (data, init) {
    init = init || {};
    var h = new Headers(init.headers);
    if (!h.has('content-type')) h.set('content-type', 'application/json');
    return new Response(JSON.stringify(data), { status: init.status, statusText: init.statusText, headers: h });
  };
  Response.error = function () { var r = new Response(null, { status: 0 }); hidden(r, 'type', 'error'); return r; };
  function Request(input, init) {
    init = init || {};
    var src = input instanceof Request ? input : null;
    hidden(this, 'url', src ? src.url : String(input));
    hidden(this, 'method', String(init.method || (src ? src.method : 'GET')).toUpperCase());
    hidden(this, 'headers', new Headers(init.headers || (src ? src.headers : undefined)));
    var body = init.body, type = '';
    if (body instanceof getBlobs().FormData) {
      var mp = getBlobs().multipart(body);
      body = mp.bytes;
      type = mp.type;
    } else {
      type = bodyType(body);
    }
    hidden(this, '_body', body !== undefined ? bodyBytes(body) : (src ? src._body : null));
    hidden(this, '_type', body !== undefined ? type : (src ? src._type : ''));
    hidden(this, 'bodyUsed', false);
    hidden(this, 'signal', init.signal || (src ? src.signal : null));
    hidden(this, 'redirect', init.redirect || (src ? src.redirect : 'follow'));
  }
  Request.prototype = Object.create(Body.prototype);
  hidden(Request.prototype, 'constructor', Request);
  Request.prototype.clone = function () { return new Request(this); };
  function fetch(input, init) {
    var req;
    try { req = new Request(input, init); } catch (e) { return Promise.reject(e); }
    var signal = req.signal;
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    var headers = [];
    req.headers.forEach(function (v, k) { headers.push(k, v); });
    if (req._body != null && !req.headers.has('content-type')) {
      if (req._type) headers.push('content-type', req._type);
      else if (typeof req._body === 'string') headers.push('content-type', 'text/plain;charset=UTF-8');
    }
    var call = N.fetch(req.url, req.method, headers, req._body, req.redirect);
    var onAbort;
    if (signal) {
      onAbort = function () { N.fetchAbort(call.id); };
      signal.addEventListener('abort', onAbort);
    }
    return call.promise.then(function (r) {
      if (signal) signal.removeEventListener('abort', onAbort);
      var h = new Headers();
      for (var i = 0; i < r.headers.length; i += 2) h.append(r.headers[i], r.headers[i + 1]);
      return new Response(r.body, { status: r.status, statusText: r.statusText, headers: h, url: r.url, redirected: r.redirected });
    }, function (err) {
      if (signal) signal.removeEventListener('abort', onAbort);
      if (signal && signal.aborted) throw signal.reason;
      if (err && typeof err.code === 'string' && /^ERR_/.test(err.code)) throw err;
      var e = new TypeError('fetch failed: ' + (err && err.message ? err.message : String(err)));
      hidden(e, 'cause', err);
      throw e;
    });
  }
  return { fetch: fetch, Headers: Headers, Response: Response, Request: Request };
});
['fetch', 'Headers', 'Response', 'Request'].forEach(function (k) {
  lazyGlobal(k, function () { return getFetch()[k]; });
});

// ---------- path (POSIX) ----------
modules.path = once(function () {
  function assertPath(p) { if (typeof p !== 'string') throw argTypeError('path', 'of type string', p); }
  function normalizeString(path, allowAbove) {
    var res = [], parts = path.split('/');
    for (var i = 0; i < parts.length; i++) {
      var s = parts[i];
      if (s === '' || s === '.') continue;
      if (s === '..') {
        if (res.length && res[res.length - 1] !== '..') res.pop();
        else if (allowAbove) res.push('..');
      } else res.push(s);
    }
    return res.join('/');
  }
  var path = {
    sep: '/', delimiter: ':',
    resolve: function () {
      var resolved = '', abs = false;
      for (var i = arguments.length - 1; i >= -1 && !abs; i--) {
        var p = i >= 0 ? arguments[i] : '/var/user';
        assertPath(p);
        if (p.length === 0) continue;
        resolved = p + '/' + resolved;
        abs = p.charCodeAt(0) === 47;
      }
      resolved = normalizeString(resolved, !abs);
      return abs ? '/' + resolved : (resolved.length ? resolved : '.');
    },
    normalize: function (p) {
      assertPath(p);
      if (p.length === 0) return '.';
      var abs = p.charCodeAt(0) === 47, trailing = p.charCodeAt(p.length - 1) === 47;
      p = normalizeString(p, !abs);
      if (p.length === 0) { if (abs) return '/'; return trailing ? './' : '.'; }
      if (trailing) p += '/';
      return abs ? '/' + p : p;
    },
    isAbsolute: function (p) { assertPath(p); return p.length > 0 && p.charCodeAt(0) === 47; },
    join: function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) { assertPath(arguments[i]); if (arguments[i].length) parts.push(arguments[i]); }
      return parts.length ? path.normalize(parts.join('/')) : '.';
    },
    relative: function (from, to) {
      from = path.resolve(from); to = path.resolve(to);
      if (from === to) return '';
      var f = from.split('/').filter(Boolean), t = to.split('/').filter(Boolean), i = 0;
      while (i < f.length && i < t.length && f[i] === t[i]) i++;
      var up = [];
      for (var j = i; j < f.length; j++) up.push('..');
      return up.concat(t.slice(i)).join('/');
    },
    dirname: function (p) {
      assertPath(p);
      if (p.length === 0) return '.';
      var abs = p.charCodeAt(0) === 47, end = -1, matched = true;
      for (var i = p.length - 1; i >= 1; --i) {
        if (p.charCodeAt(i) === 47) { if (!matched) { end = i; break; } } else matched = false;
      }
      if (end === -1) return abs ? '/' : '.';
      if (abs && end === 1) return '//';
      return p.slice(0, end);
    },
    basename: function (p, ext) {
      assertPath(p);
      var s = p.replace(/\/+$/, '');
      var b = s.slice(s.lastIndexOf('/') + 1);
      if (ext !== undefined && b !== ext && b.slice(-ext.length) === ext) b = b.slice(0, b.length - ext.length);
      return b;
    },
    extname: function (p) {
      assertPath(p);
      var b = path.basename(p), i = b.lastIndexOf('.');
      if (i <= 0) return '';
      return b.slice(i);
    },
    parse: function (p) {
      assertPath(p);
      var root = p.charCodeAt(0) === 47 ? '/' : '';
      var base = path.basename(p), ext = path.extname(p), dir = path.dirname(p);
      if (dir === '.' && !/^\.\//.test(p)) dir = '';
      return { root: root, dir: dir, base: base, ext: ext, name: ext ? base.slice(0, base.length - ext.length) : base };
    },
    format: function (o) {
      var dir = o.dir || o.root, base = o.base || ((o.name || '') + (o.ext || ''));
      if (!dir) return base;
      return dir === o.root ? dir + base : dir + '/' + base;
    },
    toNamespacedPath: function (p) { return p; }
  };
  path.posix = path;
  path.win32 = path;
  return path;
});
modules['path/posix'] = modules.path;

// ---------- querystring ----------
modules.querystring = once(function () {
  function unescape(s) {
    try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; }
  }
  function escape(s) { return encodeURIComponent(s); }
  function prim(v) {
    if (typeof v === 'string') return v;
    if ((typeof v === 'number' && isFinite(v)) || typeof v === 'bigint') return String(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return '';
  }
  function stringify(obj, sep, eq, opts) {
    sep = sep || '&'; eq = eq || '=';
    var enc = (opts && opts.encodeURIComponent) || escape;
    if (obj === null || typeof obj !== 'object') return '';
    return Object.keys(obj).map(function (k) {
      var v = obj[k], ks = enc(k) + eq;
      if (Array.isArray(v)) return v.map(function (x) { return ks + enc(prim(x)); }).join(sep);
      return ks + enc(prim(v));
    }).filter(Boolean).join(sep);
  }
  function parse(qs, sep, eq, opts) {
    sep = sep || '&'; eq = eq || '=';
    var obj = Object.create(null);
    if (typeof qs !== 'string' || qs.length === 0) return obj;
    var max = opts && typeof opts.maxKeys === 'number' ? opts.maxKeys : 1000;
    var dec = (opts && opts.decodeURIComponent) || unescape;
    var parts = qs.split(sep);
    if (max > 0 && parts.length > max) parts = parts.slice(0, max);
    parts.forEach(function (p) {
      if (!p) return;
      var i = p.indexOf(eq), k, v;
      if (i >= 0) { k = p.slice(0, i); v = p.slice(i + eq.length); } else { k = p; v = ''; }
      k = dec(k); v = dec(v);
      if (!hasOwn.call(obj, k)) obj[k] = v;
      else if (Array.isArray(obj[k])) obj[k].push(v);
      else obj[k] = [obj[k], v];
    });
    return obj;
  }
  return { parse: parse, decode: parse, stringify: stringify, encode: stringify, escape: escape, unescape: unescape };
});

// ---------- url ----------
modules.url = once(function () {
  var u = getURL();
  var qs = modules.querystring();
  function Url() {
    this.protocol = null; this.slashes = null; this.auth = null; this.host = null; this.port = null;
    this.hostname = null; this.hash = null; this.search = null; this.query = null; this.pathname = null;
    this.path = null; this.href = null;
  }
  var re = /^([a-zA-Z][a-zA-Z0-9+.\-]*:)?(\/\/)?(?:([^@\/?#]*)@)?(\[[^\]]*\]|[^\/?#:]*)?(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/;
  function parse(str, parseQuery, slashesDenoteHost) {
    if (str instanceof Url) return str;
    if (typeof str !== 'string') throw argTypeError('url', 'of type string', str);
    var r = new Url(), m = re.exec(str.trim());
    if (!m) { r.href = str; r.path = r.pathname = str; return r; }
    var hasHost = !!m[2] || (slashesDenoteHost && /^\/\//.test(str));
    r.protocol = m[1] ? m[1].toLowerCase() : null;
    r.slashes = m[2] ? true : null;
    if (hasHost) {
      r.auth = m[3] !== undefined ? decodeURIComponent(m[3]) : null;
      r.hostname = (m[4] || '').toLowerCase();
      r.port = m[5] || null;
      r.host = r.hostname + (r.port ? ':' + r.port : '');
      r.pathname = m[6] || (r.slashes ? '/' : null);
    } else {
      r.pathname = (m[3] !== undefined ? m[3] + '@' : '') + (m[4] || '') + (m[5] !== undefined ? ':' + m[5] : '') + (m[6] || '') || null;
    }
    r.search = m[7] || (parseQuery ? '' : null);
    r.query = parseQuery ? qs.parse((m[7] || '').slice(1)) : (m[7] ? m[7].slice(1) : null);
    r.hash = m[8] || null;
    r.path = (r.pathname || '') + (r.search || '') || null;
    r.href = format(r);
    return r;
  }
  function format(o) {
    if (typeof o === 'string') o = parse(o);
    if (u.URL && o instanceof u.URL) return o.href;
    var protocol = o.protocol || '';
    if (protocol && protocol.slice(-1) !== ':') protocol += ':';
    var host = o.host || (o.hostname ? o.hostname + (o.port ? ':' + o.port : '') : '');
    var auth = o.auth ? encodeURIComponent(o.auth).replace(/%3A/i, ':') + '@' : '';
    var pathname = o.pathname || '';
    var search = o.search || (o.query && typeof o.query === 'object' && Object.keys(o.query).length ? '?' + qs.stringify(o.query) : '');
    if (search && search[0] !== '?') search = '?' + search;
    var hash = o.hash || '';
    if (hash && hash[0] !== '#') hash = '#' + hash;
    var slashes = o.slashes || /^(https?|ftp|gopher|file|wss?):$/.test(protocol);
    if (host || slashes) {
      if (host || protocol === 'file:') host = '//' + auth + host;
      if (pathname && pathname[0] !== '/') pathname = '/' + pathname;
    }
    return protocol + host + pathname + search + hash;
  }
  function resolve(from, to) {
    try { return new u.URL(to, new u.URL(from, 'resolve://')).href.replace(/^resolve:\/\/\/?/, from.charAt(0) === '/' ? '/' : ''); }
    catch (e) { return to; }
  }
  Url.prototype.format = function () { return format(this); };
  return {
    URL: u.URL, URLSearchParams: u.URLSearchParams, domainToASCII: u.domainToASCII, domainToUnicode: u.domainToUnicode,
    Url: Url, parse: parse, format: format, resolve: resolve,
    fileURLToPath: function (p) { var x = typeof p === 'string' ? new u.URL(p) : p; if (x.protocol !== 'file:') throw new TypeError('The URL must be of scheme file'); return decodeURIComponent(x.pathname); },
    pathToFileURL: function (p) { return new u.URL('file://' + encodeURI(modules.path().resolve(p))); }
  };
});

// ---------- util ----------
var promisifyCustom = Symbol.for('nodejs.util.promisify.custom');
function isDeepStrictEqual(a, b, seen) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  seen = seen || [];
  for (var s = 0; s < seen.length; s++) if (seen[s][0] === a && seen[s][1] === b) return true;
  seen.push([a, b]);
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (ArrayBuffer.isView(a)) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    var ok = true;
    a.forEach(function (v, k) { if (ok && (!b.has(k) || !isDeepStrictEqual(v, b.get(k), seen))) ok = false; });
    return ok;
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return false;
    var all = true;
    a.forEach(function (v) { if (all && !b.has(v)) all = false; });
    return all;
  }
  if (isError(a) && (a.message !== b.message || a.name !== b.name)) return false;
  var ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (var j = 0; j < ka.length; j++) {
    if (!hasOwn.call(b, ka[j]) || !isDeepStrictEqual(a[ka[j]], b[ka[j]], seen)) return false;
  }
  return true;
}
modules.util = once(function () {
  function promisify(fn) {
    if (typeof fn !== 'function') throw argTypeError('original', 'of type function', fn);
    if (fn[promisifyCustom]) return fn[promisifyCustom];
    function p() {
      var args = Array.prototype.slice.call(arguments), self = this;
      return new Promise(function (resolve, reject) {
        args.push(function (err, v) { if (err) reject(err); else resolve(arguments.length > 2 ? Array.prototype.slice.call(arguments, 1) : v); });
        fn.apply(self, args);
      });
    }
    Object.setPrototypeOf(p, Object.getPrototypeOf(fn));
    hidden(p, promisifyCustom, p);
    return p;
  }
  promisify.custom = promisifyCustom;
  function callbackify(fn) {
    return function () {
      var args = Array.prototype.slice.call(arguments), cb = args.pop(), self = this;
      fn.apply(self, args).then(function (v) { cb(null, v); }, function (e) {
        if (!e) { var w = new Error('Promise was rejected with a falsy value'); w.reason = e; e = w; }
        cb(e);
      });
    };
  }
  var types = {
    isDate: function (v) { return v instanceof Date; },
    isRegExp: function (v) { return v instanceof RegExp; },
    isPromise: function (v) { return v instanceof Promise; },
    isMap: function (v) { return v instanceof Map; },
    isSet: function (v) { return v instanceof Set; },
    isWeakMap: function (v) { return v instanceof WeakMap; },
    isWeakSet: function (v) { return v instanceof WeakSet; },
    isNativeError: function (v) { return v instanceof Error; },
    isTypedArray: function (v) { return ArrayBuffer.isView(v) && !(v instanceof DataView); },
    isUint8Array: function (v) { return v instanceof Uint8Array; },
    isArrayBuffer: function (v) { return v instanceof ArrayBuffer; },
    isAnyArrayBuffer: function (v) { return v instanceof ArrayBuffer; },
    isArrayBufferView: function (v) { return ArrayBuffer.isView(v); },
    isDataView: function (v) { return v instanceof DataView; },
    isAsyncFunction: function (v) { return typeof v === 'function' && v[Symbol.toStringTag] === 'AsyncFunction'; },
    isGeneratorFunction: function (v) { return typeof v === 'function' && /GeneratorFunction/.test(v[Symbol.toStringTag] || ''); },
    isGeneratorObject: function (v) { return objToString.call(v) === '[object Generator]'; },
    isBoxedPrimitive: function (v) { return v instanceof Number || v instanceof String || v instanceof Boolean; },
    isProxy: function () { return false; },
    isSymbolObject: function (v) { return typeof v === 'object' && v instanceof Symbol; }
  };
  var tc = getTextCoding();
  return {
    format: function () { return formatArgs(arguments); },
    formatWithOptions: function (opts) { return formatArgs(Array.prototype.slice.call(arguments, 1)); },
    inspect: utilInspect,
    promisify: promisify, callbackify: callbackify,
    inherits: function (ctor, superCtor) {
      if (typeof ctor !== 'function' || typeof superCtor !== 'function') throw argTypeError('ctor', 'of type function', ctor);
      hidden(ctor, 'super_', superCtor);
      Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
    },
    deprecate: function (fn) { return fn; },
    debuglog: function () { var f = function () {}; f.enabled = false; return f; },
    isDeepStrictEqual: function (a, b) { return isDeepStrictEqual(a, b); },
    types: types,
    TextEncoder: tc.TextEncoder, TextDecoder: tc.TextDecoder,
    isArray: Array.isArray,
    isBoolean: function (v) { return typeof v === 'boolean'; },
    isNull: function (v) { return v === null; },
    isNullOrUndefined: function (v) { return v == null; },
    isNumber: function (v) { return typeof v === 'number'; },
    isString: function (v) { return typeof v === 'string'; },
    isSymbol: function (v) { return typeof v === 'symbol'; },
    isUndefined: function (v) { return v === undefined; },
    isRegExp: types.isRegExp, isDate: types.isDate, isError: isError,
    isObject: function (v) { return v !== null && typeof v === 'object'; },
    isFunction: function (v) { return typeof v === 'function'; },
    isPrimitive: function (v) { return v === null || (typeof v !== 'object' && typeof v !== 'function'); },
    stripVTControlCharacters: function (s) { return String(s).replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''); },
    toUSVString: function (s) { return String(s); }
  };
});
modules['util/types'] = function () { return modules.util().types; };

// ---------- string_decoder ----------
modules.string_decoder = once(function () {
  function StringDecoder(enc) {
    enc = enc === undefined ? 'utf8' : String(enc).toLowerCase();
    if (enc === 'utf-8') enc = 'utf8';
    if (!N.buf.isEncoding(enc)) throw codeError(TypeError, 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: ' + enc);
    this.encoding = enc;
    if (enc === 'utf8') hidden(this, '_d', new (getTextCoding().TextDecoder)('utf-8'));
  }
  StringDecoder.prototype.write = function (buf) {
    if (typeof buf === 'string') return buf;
    if (this._d) return this._d.decode(buf, { stream: true });
    return getBuffer().from(buf).toString(this.encoding);
  };
  StringDecoder.prototype.end = function (buf) {
    var s = buf ? this.write(buf) : '';
    if (this._d) s += this._d.decode();
    return s;
  };
  return { StringDecoder: StringDecoder };
});

// ---------- assert ----------
modules.assert = once(function () {
  function AssertionError(opts) {
    var e = new Error(opts.message || (formatArgs([opts.actual]) + ' ' + opts.operator + ' ' + formatArgs([opts.expected])));
    Object.setPrototypeOf(e, AssertionError.prototype);
    hidden(e, 'name', 'AssertionError');
    e.code = 'ERR_ASSERTION'; e.actual = opts.actual; e.expected = opts.expected; e.operator = opts.operator;
    e.generatedMessage = !opts.message;
    return e;
  }
  AssertionError.prototype = Object.create(Error.prototype);
  hidden(AssertionError.prototype, 'constructor', AssertionError);
  function fail(actual, expected, message, operator) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ actual: actual, expected: expected, message: message, operator: operator });
  }
  function assert(v, message) { if (!v) fail(v, true, message || 'The expression evaluated to a falsy value', '=='); }
  function looseDeep(a, b) {
    if (a == b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every(function (k) { return looseDeep(a[k], b[k]); });
  }
  assert.ok = assert;
  assert.AssertionError = AssertionError;
  assert.fail = function (message) { fail(undefined, undefined, message || 'Failed', 'fail'); };
  assert.equal = function (a, b, m) { if (a != b) fail(a, b, m, '=='); };
  assert.notEqual = function (a, b, m) { if (a == b) fail(a, b, m, '!='); };
  assert.strictEqual = function (a, b, m) { if (!Object.is(a, b)) fail(a, b, m, 'strictEqual'); };
  assert.notStrictEqual = function (a, b, m) { if (Object.is(a, b)) fail(a, b, m, 'notStrictEqual'); };
  assert.deepStrictEqual = function (a, b, m) { if (!isDeepStrictEqual(a, b)) fail(a, b, m, 'deepStrictEqual'); };
  assert.notDeepStrictEqual = function (a, b, m) { if (isDeepStrictEqual(a, b)) fail(a, b, m, 'notDeepStrictEqual'); };
  assert.deepEqual = function (a, b, m) { if (!looseDeep(a, b)) fail(a, b, m, 'deepEqual'); };
  assert.notDeepEqual = function (a, b, m) { if (looseDeep(a, b)) fail(a, b, m, 'notDeepEqual'); };
  function matches(err, expected) {
    if (expected === undefined) return true;
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) return true;
      if (Error.isPrototypeOf(expected) || expected === Error) return false;
      return expected(err) === true;
    }
    if (expected instanceof RegExp) return expected.test(String(err && err.message !== undefined ? err.message : err));
    if (typeof expected === 'object') return Object.keys(expected).every(function (k) { return isDeepStrictEqual(err[k], expected[k]) || (expected[k] instanceof RegExp && expected[k].test(err[k])); });
    return true;
  }
  assert.throws = function (fn, expected, m) {
    try { fn(); } catch (e) { if (!matches(e, expected)) throw e; return; }
    fail(undefined, expected, typeof expected === 'string' ? expected : m || 'Missing expected exception.', 'throws');
  };
  assert.doesNotThrow = function (fn) { fn(); };
  assert.rejects = function (p, expected, m) {
    return Promise.resolve(typeof p === 'function' ? p() : p).then(function () {
      fail(undefined, expected, m || 'Missing expected rejection.', 'rejects');
    }, function (e) { if (!matches(e, expected)) throw e; });
  };
  assert.doesNotReject = function (p) { return Promise.resolve(typeof p === 'function' ? p() : p).then(function () {}); };
  assert.match = function (s, re, m) { if (!re.test(s)) fail(s, re, m, 'match'); };
  assert.doesNotMatch = function (s, re, m) { if (re.test(s)) fail(s, re, m, 'doesNotMatch'); };
  assert.ifError = function (v) { if (v !== null && v !== undefined) throw v; };
  assert.strict = assert;
  return assert;
});

// ---------- os (a plausible, host-independent view) ----------
modules.os = once(function () {
  return {
    EOL: '\n', devNull: '/dev/null',
    platform: function () { return 'linux'; }, type: function () { return 'Linux'; }, arch: function () { return 'x64'; },
    release: function () { return '5.4.0'; }, version: function () { return '#1 SMP'; }, machine: function () { return 'x86_64'; },
    hostname: function () { return 'minicloud'; }, homedir: function () { return '/home/user'; }, tmpdir: function () { return '/tmp'; },
    endianness: function () { return 'LE'; }, uptime: function () { return getProcess().uptime(); },
    loadavg: function () { return [0, 0, 0]; }, totalmem: function () { return N.memoryLimit; }, freemem: function () { return N.memoryLimit; },
    availableParallelism: function () { return 1; },
    cpus: function () { return []; }, networkInterfaces: function () { return {}; },
    userInfo: function () { return { uid: 1000, gid: 1000, username: 'user', homedir: '/home/user', shell: null }; },
    constants: {
      // Linux's numbers, as Node reports them there.
      signals: { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
        SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGCHLD: 17, SIGCONT: 18,
        SIGSTOP: 19, SIGTSTP: 20 },
      errno: { EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EEXIST: 17,
        ENOTDIR: 20, EISDIR: 21, EINVAL: 22, EMFILE: 24, ENOSPC: 28, EPIPE: 32, ENOTEMPTY: 39, EADDRINUSE: 98,
        ENETUNREACH: 101, ECONNABORTED: 103, ECONNRESET: 104, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTUNREACH: 113 }
    }
  };
});

modules.console = function () { return console; };

// main's context argument (SCF's fields), one per invocation.
function makeContext(requestId, limitMs, environ, version, name, namespace) {
  return {
    callbackWaitsForEmptyEventLoop: false,
    memory_limit_in_mb: 256,
    time_limit_in_ms: limitMs,
    request_id: requestId,
    environ: environ,
    function_version: version,
    function_name: name,
    namespace: namespace
  };
}

return {
  makeContext: makeContext,
  modules: modules,
  emitUnhandled: emitUnhandled,
  bufferFromAB: bufferFromAB,
  inspect: utilInspect
};
})`
