package cloudfns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// This file checks at deploy time that a bundle's entry exports main. The entry's
// top-level code runs once exactly as a cold start runs it (newInstance, installGlobals,
// startModule: the runtime's own globals, Node builtins, require and limits), on a
// runtime of the check's own that has no host: a throw there would break every cold
// start, so it is a deploy error too. Only the top level runs: the timers, immediates
// and I/O it starts are dropped with the instance (a cold start runs them while main's
// invocation waits, which the check never reaches).

// checkTimeout bounds the entry's top-level code at deploy time.
const checkTimeout = 2 * time.Second

// checkMaxHeapGrowth is the memory watchdog's budget while the top level runs. The
// guards against single huge allocations keep the default budget's caps (what a
// server runs with unless configured otherwise).
const checkMaxHeapGrowth = 256 << 20

// checkEnvID is the environment id the check runtime reports (TCB_ENV …): the
// server's default one.
const checkEnvID = "minicloud"

var (
	checkRuntimeOnce sync.Once
	checkRuntimeVal  *Runtime
)

// deployCheckRuntime returns the process's check runtime, made on first use. It holds
// no instance between checks; its watchdog's sampler stops when no check runs.
func deployCheckRuntime() *Runtime {
	checkRuntimeOnce.Do(func() { checkRuntimeVal = newCheckRuntime(heldTransport{}) })
	return checkRuntimeVal
}

// newCheckRuntime makes a runtime for deploy checks. Every host is allowed to fetch
// and the http module may send, but transport holds the requests: a top-level fetch
// stays pending (as it would on a server whose allow-list names the host) and reaches
// no network.
func newCheckRuntime(transport http.RoundTripper) *Runtime {
	rt := NewRuntime(RuntimeConfig{FetchAllow: []string{"*"}, HTTPClient: &http.Client{Transport: transport}}, checkHost{})
	rt.wd = newWatchdog(rt, checkMaxHeapGrowth)
	// wx-server-sdk and @cloudbase/node-sdk live in cloudfns/wxsdk, which imports this
	// package, so the server registers them on its own runtime. Here an inert stub
	// stands for each: the real SDK without a database would reject calls (a top-level
	// cloud.database().collection(…).get(), say) that succeed on the server.
	for _, name := range NativeModules {
		rt.RegisterModule(name, inertNativeModule)
	}
	return rt
}

// checkHost is the check runtime's Host: a check reaches none of Minicloud's services.
type checkHost struct{}

var errCheckNoHost = errors.New("the database, storage and function calls are not available while a deploy runs the function's top-level code")

func (checkHost) EnvID() string { return checkEnvID }

func (checkHost) Database(context.Context, string, json.RawMessage) (json.RawMessage, error) {
	return nil, fmt.Errorf("database: %w", errCheckNoHost)
}

func (checkHost) CallFunction(_ context.Context, name string, _ json.RawMessage, _ CallContext) (Result, error) {
	return Result{}, fmt.Errorf("calling function %s: %w", name, errCheckNoHost)
}

// heldTransport answers no request: it waits until the request is cancelled (the
// check's end cancels every request its instance started).
type heldTransport struct{}

func (heldTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, fmt.Errorf("%s %s: held during the deploy check: %w", req.Method, req.URL.Host, req.Context().Err())
}

// inertStubSource makes an object that absorbs any use: property reads, calls and
// `new` give stubs; it converts to "" and iterates as empty; it is not a thenable, so
// awaiting one gives the stub.
const inertStubSource = `(function () {
  var protoStub;
  function stub() {
    var cache = {};
    return new Proxy(function () {}, {
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
  return stub();
})()`

// inertStubProgram is compiled on the first deploy check, not at every start.
var inertStubProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("minicloud:inert-stub", inertStubSource, true)
})

func inertNativeModule(in *Instance) (goja.Value, error) {
	return in.vm.RunProgram(inertStubProgram())
}

// checkMainExport runs the entry's top-level code as a cold start does and checks
// exports.main.
func checkMainExport(b *Bundle, entry string) *DeployError {
	return deployCheckRuntime().checkEntry(b, entry)
}

// checkEntry runs the entry's top level on a new instance of r, under checkTimeout and
// the watchdog, then discards the instance (the way run discards a broken one). The
// instance's pool is not r's: nothing of the bundle stays behind.
func (r *Runtime) checkEntry(b *Bundle, entry string) *DeployError {
	v := &Version{Bundle: *b} // no name or number yet: SCF_FUNCTIONNAME is empty
	pool := newVersionPool(r, v)
	pool.code.entry = entry
	in, err := r.safeNewInstance(pool, v)
	if err != nil {
		return &DeployError{Msg: "internal error creating the function's VM: " + err.Error()}
	}
	inv := &invocation{parent: context.Background(), deadline: time.Now().Add(checkTimeout), vm: in.vm}
	r.wd.register(inv)
	in.arm(inv, checkTimeout)
	derr := in.checkStart(inv, b, entry)
	in.disarm()
	in.finish()
	in.release()
	r.wd.unregister(inv)
	inv.end() // cancels what the top level started (fetches, other Async work)
	return derr
}

// checkStart runs startModule on in and describes its outcome. It never panics.
func (in *Instance) checkStart(inv *invocation, b *Bundle, entry string) (derr *DeployError) {
	in.current = inv
	inv.busy.Store(true)
	defer func() {
		if p := recover(); p != nil {
			derr = &DeployError{File: entry, Msg: fmt.Sprintf("internal error in the function runtime: %v", p)}
		}
	}()
	if err := in.startModule(); err != nil {
		return in.describeStartError(inv, b, entry, err)
	}
	if in.main != nil {
		return nil
	}
	var exports goja.Value
	if in.mainMod != nil {
		exports = in.mainMod.Get("exports")
	}
	if main, ok := exportedMain(exports); ok {
		return &DeployError{File: entry, Msg: fmt.Sprintf("exports.main is a %s, not a function: CloudBase calls exports.main(event, context)", jsTypeOf(main))}
	}
	msg := "does not export main: CloudBase calls exports.main(event, context); add `exports.main = async (event, context) => { … }` (or `export const main = …`)"
	if obj, ok := exports.(*goja.Object); ok && obj.Get("default") != nil && !goja.IsUndefined(obj.Get("default")) {
		msg += "; an `export default` is not used by CloudBase"
	}
	return &DeployError{File: entry, Msg: msg}
}

func exportedMain(exports goja.Value) (goja.Value, bool) {
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

// describeStartError turns a failed cold start into a DeployError at the user's
// source position.
func (in *Instance) describeStartError(inv *invocation, b *Bundle, entry string, err error) *DeployError {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if inv.memoryKilled.Load() {
			return &DeployError{File: entry, Msg: fmt.Sprintf("the top-level code allocated more than %d MiB", checkMaxHeapGrowth>>20)}
		}
		return &DeployError{File: entry, Msg: fmt.Sprintf("the top-level code did not finish within %s (an endless loop?)", checkTimeout)}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return &DeployError{File: entry, Msg: "the top-level code recursed too deeply (maximum call stack size exceeded)"}
	}
	var rj *rejection
	if errors.As(err, &rj) {
		msg, _ := in.describeError(rj.value)
		return &DeployError{File: entry, Msg: "the top-level code left a promise rejected with no handler (every cold start would fail): " + msg}
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return &DeployError{File: entry, Msg: "the top-level code failed: " + err.Error()}
	}
	msg, _ := in.describeError(ex.Value())
	if o, ok := ex.Value().(*goja.Object); ok {
		if file, text, ok := invalidJSONFile(o); ok {
			return &DeployError{File: file, Msg: "invalid JSON: " + text}
		}
		if code := o.Get("code"); code != nil && code.String() == "MODULE_NOT_FOUND" && isPackageNotFound(msg) {
			msg += ": packages are deployed from the function's node_modules; run npm install in the function's folder before deploying"
		}
	}
	e := &DeployError{File: entry, Msg: "the top-level code threw " + msg}
	for _, f := range ex.Stack() {
		name := f.SrcName()
		src, ok := b.Files[name]
		pos := f.Position()
		if !ok || pos.Line == 0 {
			continue
		}
		e.File, e.Line, e.Column = pos.Filename, pos.Line, pos.Column
		if pos.Filename != name || in.code.sourceMap(name, string(src)) != nil {
			// goja mapped it through the source map: the map's columns are 0-based.
			e.Column++
		} else if e.Line == 1 {
			// The module wrapper shares the file's first line.
			e.Column = max(e.Column-len(moduleWrapperPrefix), 1)
		}
		break
	}
	return e
}

// invalidJSONFile reads the bundle file and the parse error out of require's error
// for a JSON module that does not parse ("/var/user/c.json: SyntaxError: …").
func invalidJSONFile(o *goja.Object) (file, text string, ok bool) {
	if code := o.Get("code"); code == nil || code.String() != "ERR_INVALID_JSON" {
		return "", "", false
	}
	m := o.Get("message")
	if m == nil {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(m.String(), bundleRoot+"/")
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, ": ")
}

// isPackageNotFound tells "Cannot find module 'pkg'" of a bare package name from one of
// a relative or absolute path.
func isPackageNotFound(msg string) bool {
	_, id, ok := strings.Cut(msg, "Cannot find module '")
	return ok && id != "" && id[0] != '.' && id[0] != '/'
}
