package cloudfns

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"runtime/metrics"
	"slices"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// This file checks at deploy time that a bundle's entry exports main: the entry's
// top-level code runs once in a throwaway goja VM, with the function's own files and
// node_modules packages loaded for real and everything else (wx-server-sdk, Node's
// built-in modules, timers, process …) replaced by inert stubs, under a short timeout.
// A throw there would also break every cold start, so it is a deploy error too.

// checkTimeout bounds the entry's top-level code at deploy time.
const checkTimeout = 2 * time.Second

// checkCodeDir is where the code lives for __dirname and absolute requires, as in the
// runtime (and on CloudBase).
const checkCodeDir = "/var/user"

// checkStackSize bounds JavaScript recursion in the check VM (goja would otherwise
// grow the Go stack until the process dies).
const checkStackSize = 5000

// nodeBuiltinModules are Node's built-in module names: require() of one never reads
// node_modules.
var nodeBuiltinModules = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`assert assert/strict async_hooks buffer child_process cluster console
		constants crypto dgram diagnostics_channel dns dns/promises domain events fs fs/promises http
		http2 https inspector module net os path path/posix path/win32 perf_hooks process punycode
		querystring readline readline/promises repl stream stream/promises stream/web string_decoder
		sys timers timers/promises tls trace_events tty url util util/types v8 vm wasi worker_threads zlib`) {
		nodeBuiltinModules[n] = true
	}
}

// checkPrelude defines the stubs and returns {stub, path}: stub() makes an object that
// absorbs any use (property reads, calls and `new` give stubs; it converts to "" and
// iterates as empty); path is a working POSIX path module.
const checkPrelude = `(function (g, env) {
  var noop = function () {};
  var protoStub;
  function stub() {
    var cache = {};
    var target = function () {};
    return new Proxy(target, {
      get: function (t, k) {
        if (typeof k === 'symbol') {
          if (k === Symbol.toPrimitive) return function () { return ''; };
          if (k === Symbol.iterator) return function () { return [][Symbol.iterator](); };
          return undefined;
        }
        if (k === 'then' || k === '__esModule') return undefined;
        if (k === 'toString' || k === 'valueOf' || k === 'toJSON') return function () { return ''; };
        if (!Object.prototype.hasOwnProperty.call(cache, k)) cache[k] = stub();
        return cache[k];
      },
      set: function (t, k, v) { cache[k] = v; return true; },
      apply: function () { return stub(); },
      construct: function () { return stub(); },
      // Objects made from a stub's prototype (esbuild's __toESM for import * as x)
      // read through to a stub; the chain ends (protoStub's prototype is ordinary).
      getPrototypeOf: function () { return protoStub; }
    });
  }
  protoStub = new Proxy(function () {}, { get: function (t, k) { return typeof k === 'symbol' ? undefined : stub(); } });
  g.global = g;
  g.console = { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop, dir: noop,
    time: noop, timeEnd: noop, timeLog: noop, table: noop, assert: noop, group: noop, groupEnd: noop, count: noop };
  var ids = 0;
  g.setTimeout = g.setInterval = g.setImmediate = function () { return ++ids; };
  g.clearTimeout = g.clearInterval = g.clearImmediate = noop;
  g.queueMicrotask = noop;
  g.process = { env: env, argv: ['node', '/var/user/index.js'], execArgv: [], version: 'v18.15.0',
    versions: { node: '18.15.0' }, platform: 'linux', arch: 'x64', pid: 1, release: { name: 'node' },
    cwd: function () { return '/var/user'; }, nextTick: noop, hrtime: function () { return [0, 0]; },
    memoryUsage: function () { return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 }; },
    uptime: function () { return 0; }, on: noop, once: noop, off: noop, emit: noop, exit: noop,
    emitWarning: noop, stdout: { write: noop }, stderr: { write: noop } };
  ['Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'fetch', 'crypto', 'AbortController',
   'AbortSignal', 'Headers', 'Request', 'Response', 'FormData', 'Blob', 'File', 'ReadableStream', 'Intl',
   'structuredClone', 'performance', 'atob', 'btoa', 'EventTarget', 'Event'].forEach(function (k) { if (!(k in g)) g[k] = stub(); });
  // What the runtime's prelude adds to the language that packages use while loading
  // (koa's delegates defines accessors with __defineGetter__; classes name
  // Symbol.asyncIterator; error classes call Error.captureStackTrace).
  if (typeof Symbol.asyncIterator !== 'symbol') Object.defineProperty(Symbol, 'asyncIterator', { value: Symbol.for('Symbol.asyncIterator') });
  if (typeof Error.captureStackTrace !== 'function') {
    // Call sites all pointing at the entry: depd reads them while loading.
    var site = { toString: function () { return '/var/user/index.js:1:1'; } };
    [['getFileName', '/var/user/index.js'], ['getScriptNameOrSourceURL', '/var/user/index.js'], ['getLineNumber', 1],
     ['getColumnNumber', 1], ['getFunctionName', null], ['getMethodName', null], ['getTypeName', null], ['getThis', undefined],
     ['getFunction', undefined], ['getEvalOrigin', undefined], ['isEval', false], ['isNative', false], ['isToplevel', true],
     ['isConstructor', false], ['isAsync', false], ['isPromiseAll', false], ['getPromiseIndex', null]].forEach(function (m) {
      site[m[0]] = function () { return m[1]; };
    });
    Error.stackTraceLimit = 10;
    Error.captureStackTrace = function (obj) {
      var sites = [];
      for (var i = Math.min(Number(Error.stackTraceLimit) || 0, 10); i > 0; i--) sites.push(site);
      var stack = typeof Error.prepareStackTrace === 'function' ? Error.prepareStackTrace(obj, sites) : 'Error\n    at /var/user/index.js:1:1';
      Object.defineProperty(obj, 'stack', { value: stack, writable: true, configurable: true });
    };
  }
  if (typeof Object.prototype.__defineGetter__ !== 'function') {
    var accessor = function (kind) {
      return function (name, fn) { var d = { enumerable: true, configurable: true }; d[kind] = fn; Object.defineProperty(Object(this), name, d); };
    };
    var lookup = function (kind) {
      return function (name) {
        for (var o = Object(this); o; o = Object.getPrototypeOf(o)) { var d = Object.getOwnPropertyDescriptor(o, name); if (d) return d[kind]; }
      };
    };
    [['__defineGetter__', accessor('get')], ['__defineSetter__', accessor('set')], ['__lookupGetter__', lookup('get')],
     ['__lookupSetter__', lookup('set')]].forEach(function (m) {
      Object.defineProperty(Object.prototype, m[0], { value: m[1], writable: true, configurable: true });
    });
  }
  // path works for real: require(path.join(__dirname, 'lib')) is common top-level code.
  function normalize(p) {
    var abs = p.charAt(0) === '/', out = [];
    p.split('/').forEach(function (seg) {
      if (seg === '' || seg === '.') return;
      if (seg === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else if (!abs) out.push('..'); return; }
      out.push(seg);
    });
    var r = (abs ? '/' : '') + out.join('/');
    return r || (abs ? '/' : '.');
  }
  var path = {
    sep: '/', delimiter: ':', normalize: normalize,
    join: function () { return normalize([].slice.call(arguments).filter(function (a) { return a !== ''; }).join('/') || '.'); },
    resolve: function () {
      var r = '';
      for (var i = arguments.length - 1; i >= 0 && r.charAt(0) !== '/'; i--) r = arguments[i] + (r ? '/' + r : '');
      return normalize(r.charAt(0) === '/' ? r : '/var/user/' + r);
    },
    isAbsolute: function (p) { return String(p).charAt(0) === '/'; },
    dirname: function (p) { var i = String(p).lastIndexOf('/'); return i < 0 ? '.' : i === 0 ? '/' : String(p).slice(0, i); },
    basename: function (p, ext) { var b = String(p).slice(String(p).lastIndexOf('/') + 1); return ext && b.slice(-ext.length) === ext ? b.slice(0, -ext.length) : b; },
    extname: function (p) { var b = path.basename(p), i = b.lastIndexOf('.'); return i <= 0 ? '' : b.slice(i); }
  };
  path.posix = path;
  return { stub: stub, path: path };
})`

// deployChecker evaluates a bundle's modules in a throwaway VM.
type deployChecker struct {
	b       *Bundle
	vm      *goja.Runtime
	stub    goja.Callable
	stubs   map[string]goja.Value
	modules map[string]*goja.Object
	dirs    map[string][]string
}

// checkMainExport runs the entry's top-level code and checks exports.main.
func checkMainExport(b *Bundle, entry string) *DeployError {
	c := &deployChecker{b: b, vm: goja.New(), stubs: map[string]goja.Value{}, modules: map[string]*goja.Object{}, dirs: bundleDirs(b.Files)}
	vm := c.vm
	vm.SetMaxCallStackSize(checkStackSize)
	env := map[string]any{}
	for k, v := range b.Config.Envs {
		env[k] = v
	}
	preludeFn, err := vm.RunString(checkPrelude)
	if err != nil {
		return &DeployError{Msg: "internal error: " + err.Error()}
	}
	call, _ := goja.AssertFunction(preludeFn)
	prelude, err := call(goja.Undefined(), vm.GlobalObject(), vm.ToValue(env))
	if err != nil {
		return &DeployError{Msg: "internal error: " + err.Error()}
	}
	// Named groups and \p{…}, as the runtime has them (a pattern's groups read at the
	// top level).
	installRegexpGroups(vm)
	c.stub, _ = goja.AssertFunction(prelude.ToObject(vm).Get("stub"))
	c.stubs["path"] = prelude.ToObject(vm).Get("path")
	c.stubs["path/posix"] = c.stubs["path"]
	// require('process') is the global process (packages read process.version through
	// it and compare versions while loading), require('console') the console.
	c.stubs["process"] = vm.Get("process")
	c.stubs["console"] = vm.Get("console")

	timer := time.AfterFunc(checkTimeout, func() { vm.Interrupt(errCheckTimeout) })
	defer timer.Stop()
	stopGuard := guardCheckMemory(vm)
	defer stopGuard()

	module, err := c.load(entry)
	if err != nil {
		return c.describe(entry, err)
	}
	exports := module.Get("exports")
	if main, ok := exportedMain(exports); ok {
		if _, isFn := goja.AssertFunction(main); isFn {
			return nil
		}
		return &DeployError{File: entry, Msg: fmt.Sprintf("exports.main is a %s, not a function: CloudBase calls exports.main(event, context)", jsTypeOf(main))}
	}
	msg := "does not export main: CloudBase calls exports.main(event, context); add `exports.main = async (event, context) => { … }` (or `export const main = …`)"
	if obj, ok := exports.(*goja.Object); ok && obj.Get("default") != nil && !goja.IsUndefined(obj.Get("default")) {
		msg += "; an `export default` is not used by CloudBase"
	}
	return &DeployError{File: entry, Msg: msg}
}

var (
	errCheckTimeout = errors.New("timeout")
	errCheckMemory  = errors.New("memory")
)

// checkMaxHeapGrowth bounds how much the heap may grow while the check VM runs.
const checkMaxHeapGrowth = 256 << 20

// guardCheckMemory interrupts vm when the process heap grows by checkMaxHeapGrowth
// (an allocation bomb in top-level code); it samples every 10 ms until stopped.
func guardCheckMemory(vm *goja.Runtime) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	base := read()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if read() > base+checkMaxHeapGrowth {
					vm.Interrupt(errCheckMemory)
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func exportedMain(exports goja.Value) (goja.Value, bool) {
	if exports == nil || goja.IsUndefined(exports) || goja.IsNull(exports) {
		return nil, false
	}
	obj, ok := exports.(*goja.Object)
	if !ok {
		return nil, false
	}
	main := obj.Get("main")
	if main == nil || goja.IsUndefined(main) {
		return nil, false
	}
	return main, true
}

func jsTypeOf(v goja.Value) string {
	switch {
	case goja.IsNull(v):
		return "null"
	case v.ExportType() == nil:
		return "undefined"
	}
	switch v.ExportType().Kind().String() {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int64", "float64":
		return "number"
	}
	return "object"
}

// describe turns an error of the entry's evaluation into a DeployError at the user's
// source position.
func (c *deployChecker) describe(entry string, err error) *DeployError {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) && ie.Value() == errCheckTimeout {
		return &DeployError{File: entry, Msg: fmt.Sprintf("the top-level code did not finish within %s (an endless loop?)", checkTimeout)}
	}
	if errors.As(err, &ie) && ie.Value() == errCheckMemory {
		return &DeployError{File: entry, Msg: fmt.Sprintf("the top-level code allocated more than %d MiB", checkMaxHeapGrowth>>20)}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return &DeployError{File: entry, Msg: "the top-level code recursed too deeply (maximum call stack size exceeded)"}
	}
	var de *DeployError
	if errors.As(err, &de) {
		return de
	}
	e := &DeployError{File: entry, Msg: "the top-level code threw " + err.Error()}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		e.Msg = "the top-level code threw " + exceptionText(ex)
		for _, f := range ex.Stack() {
			pos := f.Position()
			name := strings.TrimPrefix(pos.Filename, "/")
			src, ok := c.b.Files[name]
			if !ok || pos.Line == 0 {
				continue
			}
			e.File = name
			e.Line, e.Column = unwrapPosition(string(src), pos.Line, pos.Column)
			if smap := c.b.SourceMaps[name]; smap != nil {
				if source, line, col, ok := sourceMapPosition(smap, e.Line, e.Column); ok {
					e.File = path.Join(path.Dir(name), source)
					e.Line, e.Column = line, col
				}
			}
			break
		}
	}
	return e
}

func exceptionText(ex *goja.Exception) string {
	v := ex.Value()
	if obj, ok := v.(*goja.Object); ok {
		name, msg := obj.Get("name"), obj.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			return name.String() + ": " + msg.String()
		}
	}
	if v == nil {
		return ex.Error()
	}
	return v.String()
}

// bundleDirs maps every folder of a bundle's files ("." for the root) to its entries,
// sorted: the deploy check asks whether a package folder exists, fs lists folders.
func bundleDirs(files map[string][]byte) map[string][]string {
	seen := map[string]map[string]bool{".": {}}
	for p := range files {
		for dir, name := path.Dir(p), path.Base(p); ; dir, name = path.Dir(dir), path.Base(dir) {
			if seen[dir] == nil {
				seen[dir] = map[string]bool{}
			}
			seen[dir][name] = true
			if dir == "." {
				break
			}
		}
	}
	dirs := make(map[string][]string, len(seen))
	for dir, names := range seen {
		dirs[dir] = slices.Sorted(maps.Keys(names))
	}
	return dirs
}

// load evaluates a module (once) and returns its module object.
func (c *deployChecker) load(p string) (*goja.Object, error) {
	if m, ok := c.modules[p]; ok {
		return m, nil
	}
	vm := c.vm
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	_ = module.Set("id", path.Join(checkCodeDir, p))
	_ = module.Set("filename", path.Join(checkCodeDir, p))
	_ = module.Set("loaded", false)
	c.modules[p] = module
	src := c.b.Files[p]

	if path.Ext(p) == ".json" {
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			return nil, &DeployError{File: p, Msg: "invalid JSON: " + err.Error()}
		}
		parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
		val, err := parse(goja.Undefined(), vm.ToValue(string(src)))
		if err != nil {
			return nil, err
		}
		_ = module.Set("exports", val)
		return module, nil
	}
	// No source maps: goja's own loader would read the file a sourceMappingURL names
	// from the host (and fail the deploy when a package's map was left out).
	ast, err := goja.Parse("/"+p, ModuleWrapperPrefix+string(src)+ModuleWrapperSuffix, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, &DeployError{File: p, Msg: err.Error()}
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, &DeployError{File: p, Msg: err.Error()}
	}
	fnV, err := vm.RunProgram(prg)
	if err != nil {
		return nil, err
	}
	fn, _ := goja.AssertFunction(fnV)
	dir := path.Dir(p)
	require := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		arg := call.Argument(0)
		if _, isString := arg.Export().(string); !isString || arg.String() == "" {
			// computed from a stub (path.join(__dirname, …) with the stubbed path
			// module): nothing to check
			s, _ := c.stubFor("")
			return s
		}
		v, err := c.require(dir, arg.String())
		if err != nil {
			var ie *goja.InterruptedError
			var so *goja.StackOverflowError
			var ex *goja.Exception
			var de *DeployError
			switch {
			case errors.As(err, &ie):
				panic(ie)
			case errors.As(err, &so):
				panic(so)
			case errors.As(err, &de):
				panic(vm.NewGoError(de)) // describe finds the DeployError again
			case errors.As(err, &ex):
				panic(ex) // keep the original exception and its stack
			}
			errObj, _ := vm.New(vm.Get("Error"), vm.ToValue(err.Error()))
			_ = errObj.Set("code", "MODULE_NOT_FOUND")
			panic(errObj)
		}
		return v
	})
	reqObj := require.(*goja.Object)
	_ = reqObj.Set("resolve", func(call goja.FunctionCall) goja.Value { return call.Argument(0) })
	_ = reqObj.Set("cache", vm.NewObject())
	if _, err := fn(exports, exports, require, module, vm.ToValue(path.Join(checkCodeDir, p)), vm.ToValue(path.Join(checkCodeDir, dir))); err != nil {
		return nil, err
	}
	_ = module.Set("loaded", true)
	return module, nil
}

// require resolves id from a module in dir and returns its exports.
func (c *deployChecker) require(dir, id string) (goja.Value, error) {
	name := strings.TrimPrefix(id, "node:")
	if isRelativeModuleID(id) {
		target := path.Join(dir, id)
		if strings.HasPrefix(id, "/") {
			target = strings.TrimPrefix(path.Clean(id), checkCodeDir)
		}
		p, ok := c.b.resolvePath(target)
		if !ok {
			return nil, fmt.Errorf("Cannot find module '%s'", id)
		}
		m, err := c.load(p)
		if err != nil {
			return nil, err
		}
		return m.Get("exports"), nil
	}
	if strings.HasPrefix(id, "node:") || nodeBuiltinModules[name] || isNativeModule(name) {
		return c.stubFor(name)
	}
	p, pkgFound := c.b.resolvePackage(dir, id, c.dirs)
	if p == "" {
		if pkgFound {
			return c.stubFor(id) // a package whose layout we can't follow: lenient
		}
		return nil, fmt.Errorf("Cannot find module '%s': it is not in the function's node_modules; run npm install in the function's folder before deploying", id)
	}
	m, err := c.load(p)
	if err != nil {
		return nil, err
	}
	return m.Get("exports"), nil
}

func (c *deployChecker) stubFor(name string) (goja.Value, error) {
	if s, ok := c.stubs[name]; ok {
		return s, nil
	}
	s, err := c.stub(goja.Undefined())
	if err != nil {
		return nil, err
	}
	c.stubs[name] = s
	return s, nil
}

func isNativeModule(name string) bool {
	for _, m := range NativeModules {
		if name == m || strings.HasPrefix(name, m+"/") {
			return true
		}
	}
	return false
}

func isRelativeModuleID(id string) bool {
	return id == "." || id == ".." || strings.HasPrefix(id, "./") || strings.HasPrefix(id, "../") || strings.HasPrefix(id, "/")
}

// resolvePath resolves a bundle path as Node's require does for a file or folder:
// X, X.js, X.json, then X/package.json's main, X/index.js, X/index.json.
func (b *Bundle) resolvePath(p string) (string, bool) {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		p = "."
	}
	for _, cand := range []string{p, p + ".js", p + ".json"} {
		if _, ok := b.Files[cand]; ok {
			return cand, true
		}
	}
	return b.resolveDir(p)
}

func (b *Bundle) resolveDir(p string) (string, bool) {
	join := func(name string) string {
		if p == "." {
			return name
		}
		return p + "/" + name
	}
	if data, ok := b.Files[join("package.json")]; ok {
		var pkg struct {
			Main string `json:"main"`
		}
		if json.Unmarshal(data, &pkg) == nil && pkg.Main != "" {
			m := path.Join(p, pkg.Main)
			for _, cand := range []string{m, m + ".js", m + ".json", m + "/index.js", m + "/index.json"} {
				if _, ok := b.Files[cand]; ok {
					return cand, true
				}
			}
		}
	}
	for _, cand := range []string{join("index.js"), join("index.json")} {
		if _, ok := b.Files[cand]; ok {
			return cand, true
		}
	}
	return "", false
}

// resolvePackage resolves a bare module id from dir through node_modules folders. It
// returns the file, or "" and whether the package folder itself exists.
func (b *Bundle) resolvePackage(dir, id string, dirs map[string][]string) (string, bool) {
	pkgName, sub := splitModuleID(id)
	for d := dir; ; d = path.Dir(d) {
		if path.Base(d) != "node_modules" {
			root := path.Join(d, "node_modules", pkgName)
			if _, ok := dirs[root]; ok {
				if p, ok := b.resolveInPackage(root, sub); ok {
					return p, true
				}
				return "", true
			}
		}
		if d == "." || d == "/" || d == "" {
			return "", false
		}
	}
}

// resolveInPackage resolves a subpath ("" for the package itself) in a package folder,
// honouring package.json "exports" (conditions require, node, default).
func (b *Bundle) resolveInPackage(root, sub string) (string, bool) {
	if data, ok := b.Files[root+"/package.json"]; ok {
		var pkg struct {
			Exports json.RawMessage `json:"exports"`
		}
		if json.Unmarshal(data, &pkg) == nil && len(pkg.Exports) > 0 && string(pkg.Exports) != "null" {
			if target, ok := pkgExportsTarget(pkg.Exports, "."+slashPrefixed(sub)); ok {
				if p, ok := b.resolvePath(path.Join(root, target)); ok {
					return p, true
				}
			}
		}
	}
	if sub == "" {
		return b.resolveDir(root)
	}
	return b.resolvePath(path.Join(root, sub))
}

func slashPrefixed(s string) string {
	if s == "" {
		return ""
	}
	return "/" + s
}

// pkgExportsTarget looks a subpath ("." or "./x") up in a package's "exports".
func pkgExportsTarget(raw json.RawMessage, subpath string) (string, bool) {
	var asString string
	if json.Unmarshal(raw, &asString) == nil {
		return asString, subpath == "."
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) == nil {
			for _, a := range arr {
				if t, ok := pkgExportsTarget(a, subpath); ok {
					return t, true
				}
			}
		}
		return "", false
	}
	isSubpaths := false
	for k := range obj {
		if strings.HasPrefix(k, ".") {
			isSubpaths = true
		}
	}
	if !isSubpaths {
		if subpath != "." {
			return "", false
		}
		return pkgConditionTarget(raw)
	}
	if v, ok := obj[subpath]; ok {
		return pkgConditionTarget(v)
	}
	for k, v := range obj { // "./*" patterns
		before, after, ok := strings.Cut(k, "*")
		if ok && strings.HasPrefix(subpath, before) && strings.HasSuffix(subpath, after) && len(subpath) >= len(before)+len(after) {
			star := subpath[len(before) : len(subpath)-len(after)]
			if t, ok := pkgConditionTarget(v); ok {
				return strings.ReplaceAll(t, "*", star), true
			}
		}
	}
	return "", false
}

// pkgConditionTarget picks a target from a conditions value, as require() under Node does.
func pkgConditionTarget(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		for _, a := range arr {
			if t, ok := pkgConditionTarget(a); ok {
				return t, true
			}
		}
		return "", false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return "", false
	}
	for _, cond := range []string{"require", "node", "default"} {
		if v, ok := obj[cond]; ok {
			if t, ok := pkgConditionTarget(v); ok {
				return t, true
			}
		}
	}
	return "", false
}

// splitModuleID splits "pkg/sub" or "@scope/pkg/sub" into package name and subpath.
func splitModuleID(id string) (name, sub string) {
	parts := strings.SplitN(id, "/", 3)
	if strings.HasPrefix(id, "@") && len(parts) >= 2 {
		name = parts[0] + "/" + parts[1]
		if len(parts) == 3 {
			sub = parts[2]
		}
		return name, sub
	}
	name, sub, _ = strings.Cut(id, "/")
	return name, sub
}
