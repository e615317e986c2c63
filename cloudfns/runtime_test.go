package cloudfns

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// ---- helpers shared by the runtime tests ----

type fakeHost struct{}

func (fakeHost) EnvID() string { return "test-env" }
func (fakeHost) Database(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
	return json.RawMessage(`{}`), nil
}
func (fakeHost) CallFunction(ctx context.Context, name string, event json.RawMessage, cc CallContext) (Result, error) {
	return Result{Value: json.RawMessage(`null`), Outcome: OutcomeSuccess}, nil
}

var versionSeq atomic.Int64

// testVersion builds a version of function name from literal files (a fresh number
// each time, so compiled code is never shared between tests).
func testVersion(name string, files map[string]string, cfg ...Config) *Version {
	v := &Version{Function: name, Number: int(versionSeq.Add(1)), Bundle: Bundle{Files: map[string][]byte{}}}
	for p, s := range files {
		v.Bundle.Files[p] = []byte(s)
	}
	if len(cfg) > 0 {
		v.Bundle.Config = cfg[0]
	}
	return v
}

// loadTestdata reads testdata/runtime/dir into a version: *.map files become source
// maps of the file they follow, and vendored_node_modules stands for node_modules
// (which the repository's .gitignore excludes).
func loadTestdata(t testing.TB, dir string) *Version {
	t.Helper()
	root := filepath.Join("testdata", "runtime", dir)
	v := &Version{Function: dir, Number: int(versionSeq.Add(1)), Bundle: Bundle{Files: map[string][]byte{}, SourceMaps: map[string][]byte{}}}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		rel = strings.Replace(rel, "vendored_node_modules/", "node_modules/", 1)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(rel, ".map") {
			v.Bundle.SourceMaps[strings.TrimSuffix(rel, ".map")] = b
		} else {
			v.Bundle.Files[rel] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func newTestRuntime(cfg RuntimeConfig) *Runtime {
	return NewRuntime(cfg, fakeHost{})
}

func call(r *Runtime, v *Version, event string) Result {
	return r.Invoke(context.Background(), v, json.RawMessage(event), CallContext{RequestID: "req-1", Source: "admin"})
}

// mustSucceed returns the result value decoded, failing the test otherwise.
func mustSucceed(t testing.TB, res Result) any {
	t.Helper()
	if res.Outcome != OutcomeSuccess {
		t.Fatalf("outcome %s: %+v\nlogs: %+v", res.Outcome, res.Err, res.Logs)
	}
	var v any
	if err := json.Unmarshal(res.Value, &v); err != nil {
		t.Fatalf("result %q: %v", res.Value, err)
	}
	return v
}

func mustFail(t testing.TB, res Result, outcome Outcome, code, msgPart string) {
	t.Helper()
	if res.Outcome != outcome || res.Err == nil || res.Err.Code != code || !strings.Contains(res.Err.Message, msgPart) {
		t.Fatalf("got outcome %s err %+v (value %s), want %s %s containing %q", res.Outcome, res.Err, res.Value, outcome, code, msgPart)
	}
}

func jsonEq(t testing.TB, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Fatalf("got %s\nwant %s", g, want)
	}
}

// checkHealthy runs a normal invocation on r: the server keeps serving after a bomb.
func checkHealthy(t testing.TB, r *Runtime) {
	t.Helper()
	v := testVersion("healthy", map[string]string{"index.js": `exports.main = async (e) => ({ ok: true, n: e.n + 1 })`})
	jsonEq(t, mustSucceed(t, call(r, v, `{"n":1}`)), `{"ok":true,"n":2}`)
}

// ---- tests ----

func TestInvokeMainShapes(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	cases := []struct {
		name, src, event, want string
	}{
		{"return event", `exports.main = async (event) => event`, `{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2]}`},
		{"sync main", `exports.main = (event) => ({ got: event.x * 2 })`, `{"x":21}`, `{"got":42}`},
		{"module.exports.main", `module.exports.main = async () => 'hello'`, `{}`, `"hello"`},
		{"module.exports object", `module.exports = { main: async () => [1, 'two', null, true] }`, `{}`, `[1,"two",null,true]`},
		{"undefined is null", `exports.main = async () => {}`, `{}`, `null`},
		{"function result is null", `exports.main = async () => () => 1`, `{}`, `null`},
		{"number", `exports.main = () => 3.5`, `{}`, `3.5`},
		{"empty event is an object", `exports.main = (e) => ({ type: typeof e, keys: Object.keys(e).length })`, ``, `{"type":"object","keys":0}`},
		{"null event is an object", `exports.main = (e) => typeof e`, `null`, `"object"`},
		{"timers and await", `
			const sleep = (ms, v) => new Promise(r => setTimeout(r, ms, v));
			exports.main = async () => {
				const t0 = Date.now();
				const a = await sleep(20, 'a');
				const [b, c] = await Promise.all([sleep(10, 'b'), sleep(5, 'c')]);
				return { v: a + b + c, waited: Date.now() - t0 >= 25 };
			}`, `{}`, `{"v":"abc","waited":true}`},
		{"interval and clear", `
			exports.main = () => new Promise(resolve => {
				let n = 0;
				const t = setInterval(() => { if (++n === 3) { clearInterval(t); resolve(n); } }, 2);
			})`, `{}`, `3`},
		{"cleared timeout never fires", `
			exports.main = () => new Promise(resolve => {
				const t = setTimeout(() => resolve('fired'), 5);
				clearTimeout(t);
				setTimeout(() => resolve('cleared'), 15);
			})`, `{}`, `"cleared"`},
		{"ordering", `
			exports.main = () => new Promise(resolve => {
				const log = [];
				setTimeout(() => { log.push('timeout'); resolve(log); }, 0);
				setImmediate(() => log.push('immediate'));
				queueMicrotask(() => log.push('microtask'));
				process.nextTick(() => log.push('tick'));
				Promise.resolve().then(() => log.push('promise'));
				log.push('sync');
			})`, `{}`, `["sync","microtask","tick","promise","immediate","timeout"]`},
		{"callback style", `exports.main = (event, context, callback) => { setTimeout(() => callback(null, { cb: true }), 1); }`, `{}`, `{"cb":true}`},
		{"thenable", `exports.main = () => ({ then(res) { res(7); } })`, `{}`, `7`},
		{"generators", `
			function* gen() { yield 1; yield 2; }
			exports.main = async () => [...gen(), ...new Set([3, 3])]`, `{}`, `[1,2,3]`},
		{"modern syntax", `
			class A { #x = 1; get x() { return this.#x; } static s = 2; }
			exports.main = async () => ({ opt: ({}).a?.b ?? 'dflt', x: new A().x, s: A.s, big: String(2n ** 64n), spread: { ...{ a: 1 }, b: 2 } })`,
			`{}`, `{"opt":"dflt","x":1,"s":2,"big":"18446744073709551616","spread":{"a":1,"b":2}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("shapes", map[string]string{"index.js": c.src})
			jsonEq(t, mustSucceed(t, call(r, v, c.event)), c.want)
		})
	}
}

func TestInvokeContextAndEvent(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("ctxfn", map[string]string{"index.js": `
		exports.main = async (event, context) => ({ event, context: { ...context } })`},
		Config{Timeout: 5, Envs: map[string]string{"B": "2", "A": "1"}})
	res := r.Invoke(context.Background(), v, json.RawMessage(`{"x":1}`), CallContext{
		RequestID: "rid-9", OpenID: "oXYZ", AppID: "wxAPP", Source: "wx_client",
	})
	got := mustSucceed(t, res).(map[string]any)
	jsonEq(t, got["event"], `{"x":1,"userInfo":{"appId":"wxAPP","openId":"oXYZ"}}`)
	cx := got["context"].(map[string]any)
	want := map[string]any{
		"callbackWaitsForEmptyEventLoop": false,
		"memory_limit_in_mb":             float64(256),
		"request_id":                     "rid-9",
		"environ":                        "A=1;B=2",
		"function_version":               itoa(v.Number),
		"function_name":                  "ctxfn",
		"namespace":                      "test-env",
	}
	for k, w := range want {
		if !reflect.DeepEqual(cx[k], w) {
			t.Errorf("context.%s = %v, want %v", k, cx[k], w)
		}
	}
	if ms, _ := cx["time_limit_in_ms"].(float64); ms < 4000 || ms > 5000 {
		t.Errorf("time_limit_in_ms = %v", cx["time_limit_in_ms"])
	}

	// No openid: no userInfo.
	res = r.Invoke(context.Background(), v, json.RawMessage(`{"x":1}`), CallContext{})
	jsonEq(t, mustSucceed(t, res).(map[string]any)["event"], `{"x":1}`)
	// A request id is generated when the caller has none.
	if rid := mustSucceed(t, res).(map[string]any)["context"].(map[string]any)["request_id"].(string); len(rid) != 36 {
		t.Errorf("generated request id %q", rid)
	}
}

// main receives its context whenever it can read it: every shape of main but a
// one-parameter arrow, which cannot observe a second argument.
func TestMainReadsContext(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{`async (event) => event`, false},
		{`event => event`, false},
		{`async () => 1`, false},
		{`async ({ a, b }) => a + b // done`, false},
		{`async (event, context) => context`, true},
		{`async (event, context = {}) => context`, true},
		{`async (...args) => args[1]`, true},
		{`async (event, ...rest) => rest`, true},
		{`async function (event) { return arguments[1]; }`, true},
		{`async function main(event) { return event; }`, true},
		{`async main(event) { return event; }`, true}, // a method: not an expression
		{`function () { [native code] }`, true},
		{`(event) => event) + ((x`, true},
	}
	for _, c := range cases {
		if got := mainReadsContext(c.src); got != c.want {
			t.Errorf("mainReadsContext(%q) = %v, want %v", c.src, got, c.want)
		}
	}

	r := newTestRuntime(RuntimeConfig{})
	for _, src := range []string{
		`exports.main = async (event, context = {}) => context.function_name`,
		`exports.main = async function () { return arguments[1].function_name; }`,
		`exports.main = { async main(e, c) { return c.function_name; } }.main`,
		`exports.main = ((...a) => a[1].function_name).bind(null)`,
	} {
		v := testVersion("ctxshape", map[string]string{"index.js": src})
		if got := mustSucceed(t, call(r, v, `{}`)); got != "ctxshape" {
			t.Errorf("%s: context.function_name = %v", src, got)
		}
	}
	v := testVersion("ctxnone", map[string]string{"index.js": `exports.main = async (event) => event.x * 2`})
	if got := mustSucceed(t, call(r, v, `{"x":21}`)); got != float64(42) {
		t.Errorf("one-parameter arrow: %v", got)
	}
}

func TestInvokeResultErrors(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	cases := []struct {
		name, src, code, msg string
	}{
		{"bigint", `exports.main = async () => ({ n: 1n })`, CodeExecuteFail, "BigInt"},
		{"circular", `exports.main = async () => { const o = {}; o.o = o; return o; }`, CodeExecuteFail, "circular"},
		{"too large", `exports.main = async () => { const a = []; for (let i = 0; i < 7000; i++) a.push('x'.repeat(1000)); return a; }`, CodeExecuteFail, "larger than"},
		{"no main", `exports.handler = async () => 1`, CodeExecuteFail, "does not export a main"},
		{"top-level throw", `throw new Error('init failed')`, CodeExecuteFail, "init failed"},
		{"syntax error", `exports.main = async () => {`, CodeExecuteFail, "SyntaxError"},
		{"never settles", `exports.main = () => new Promise(() => {})`, CodeExecuteFail, "never settled"},
		{"throw string", `exports.main = async () => { throw 'plain string' }`, CodeExecuteFail, "plain string"},
		{"throw object", `exports.main = async () => { throw { errCode: -1, errMsg: 'custom' } }`, CodeExecuteFail, `"errMsg":"custom"`},
		{"reject", `exports.main = () => Promise.reject(new RangeError('nope'))`, CodeExecuteFail, "RangeError: nope"},
		{"callback error", `exports.main = (e, c, cb) => cb(new Error('via callback'))`, CodeExecuteFail, "via callback"},
		{"timer throws", `exports.main = () => new Promise(r => setTimeout(() => { throw new Error('in timer') }, 1))`, CodeExecuteFail, "in timer"},
		{"unhandled rejection", `exports.main = async () => { Promise.reject(new Error('forgotten')); await new Promise(r => setTimeout(r, 5)); return 1; }`, CodeExecuteFail, "unhandled promise rejection: Error: forgotten"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("errs", map[string]string{"index.js": c.src})
			mustFail(t, call(r, v, `{}`), OutcomeError, c.code, c.msg)
		})
	}
	// A rejection handled later in the same tick is not unhandled; a process
	// 'unhandledRejection' listener takes over.
	v := testVersion("errs", map[string]string{"index.js": `
		exports.main = async () => {
			const p = Promise.reject(new Error('x'));
			p.catch(() => {});
			let seen = null;
			process.on('unhandledRejection', (e) => { seen = e.message; });
			Promise.reject(new Error('listened'));
			await new Promise(r => setTimeout(r, 5));
			return seen;
		}`})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `"listened"`)
	checkHealthy(t, r)
}

func TestRequire(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	t.Run("package in node_modules", func(t *testing.T) {
		v := loadTestdata(t, "minidash")
		got := mustSucceed(t, call(r, v, `{"items":[1,2,3,4,5]}`))
		jsonEq(t, got, `{"chunks":[[1,2],[3,4],[5]],"direct":[[1,2,3],[4,5]],"sum":15,"picked":{"a":1,"c":3},
			"scoped":"@scope/pkg","exportsy":"cjs","helper":42,"sameInstance":true}`)
	})
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"relative, json, index", map[string]string{
			"index.js":          `const a = require('./lib/a'); const cfg = require('./config.json'); const d = require('./lib/dir'); exports.main = () => [a.name, cfg.level, d.name, require('./lib/a.js') === a]`,
			"lib/a.js":          `exports.name = 'a'`,
			"config.json":       `{"level": 3}`,
			"lib/dir/index.js":  `exports.name = require('../a').name + '-dir'`,
			"lib/unused.js":     `throw new Error('not loaded')`,
			"lib/dir/extra.txt": `x`,
		}, `["a",3,"a-dir",true]`},
		{"package.json main of the function", map[string]string{
			"package.json": `{"main": "src/app.js"}`,
			"src/app.js":   `exports.main = () => 'from main field'`,
		}, `"from main field"`},
		{"cycles like node", map[string]string{
			"index.js": `const a = require('./a'); exports.main = () => [a.done, a.bSawADone, require('./b').done]`,
			"a.js":     `exports.done = false; const b = require('./b'); exports.bSawADone = b.sawADone; exports.done = true;`,
			"b.js":     `const a = require('./a'); exports.sawADone = a.done; exports.done = true;`,
		}, `[true,false,true]`},
		{"filename and dirname", map[string]string{
			"index.js": `const h = require('./lib/h'); exports.main = () => [__filename, __dirname, h.f, h.d, require.resolve('./lib/h'), require(__dirname + '/lib/h.js') === h]`,
			"lib/h.js": `exports.f = __filename; exports.d = __dirname;`,
		}, `["/var/user/index.js","/var/user","/var/user/lib/h.js","/var/user/lib","/var/user/lib/h.js",true]`},
		{"module object", map[string]string{
			"index.js": `exports.main = () => [module.id, typeof module.exports, module.loaded, require.main === module, typeof require.cache]`,
		}, `[".","object",true,true,"object"]`},
		{"not found", map[string]string{
			"index.js": `exports.main = () => { try { require('./missing') } catch (e) { return [e.message, e.code] } }`,
		}, `["Cannot find module './missing'","MODULE_NOT_FOUND"]`},
		{"missing package", map[string]string{
			"index.js": `exports.main = () => { try { require('left-pad') } catch (e) { return e.message } }`,
		}, `"Cannot find module 'left-pad'"`},
		{"node builtins not available", map[string]string{
			"index.js": `exports.main = () => ['dgram', 'child_process', 'cluster', 'inspector', 'node:repl', 'worker_threads', 'vm'].map(m => { try { require(m); return 'loaded' } catch (e) { return e.message } })`,
		}, `["module \"dgram\" is not available in Minicloud functions","module \"child_process\" is not available in Minicloud functions",
			"module \"cluster\" is not available in Minicloud functions","module \"inspector\" is not available in Minicloud functions",
			"module \"repl\" is not available in Minicloud functions","module \"worker_threads\" is not available in Minicloud functions",
			"module \"vm\" is not available in Minicloud functions"]`},
		{"socket modules load but connect nowhere", map[string]string{
			"index.js": `const net = require('net'), tls = require('node:tls'), tty = require('tty'), http2 = require('http2');
				exports.main = () => [net.isIP('127.0.0.1'), net.isIP('::1'), net.isIP('fe80::1%eth0'), net.isIP('::ffff:1.2.3.4'), net.isIP('1.2.3'), net.isIPv6('1::2::3'),
					tty.isatty(1), http2.constants.HTTP2_HEADER_STATUS,
					...[() => net.connect(80, 'example.com'), () => new net.Socket(), () => tls.connect(443, 'example.com'), () => http2.connect('https://example.com')]
						.map((f) => { try { f(); return 'connected' } catch (e) { return [e.code, e.message] } })]`,
		}, `[4,6,6,6,0,false,false,":status",
			["ERR_MODULE_NOT_AVAILABLE","net.connect() is not available in Minicloud functions (use fetch, http or https)"],
			["ERR_MODULE_NOT_AVAILABLE","net.Socket() is not available in Minicloud functions (use fetch, http or https)"],
			["ERR_MODULE_NOT_AVAILABLE","tls.connect() is not available in Minicloud functions (use fetch, http or https)"],
			["ERR_MODULE_NOT_AVAILABLE","http2.connect() is not available in Minicloud functions (use fetch, http or https)"]]`},
		{"node builtins provided", map[string]string{
			"index.js": `exports.main = () => ['crypto', 'buffer', 'util', 'url', 'path', 'events', 'querystring', 'node:path', 'string_decoder', 'assert', 'timers', 'os', 'process', 'util/types', 'timers/promises', 'http', 'https', 'zlib'].map(m => typeof require(m))`,
		}, `["object","object","object","object","object","function","object","object","object","function","object","object","object","object","object","object","object","object"]`},
		{"a bundle cannot reach outside", map[string]string{
			"index.js": `exports.main = () => ['/etc/passwd', '../../../etc/passwd', '/var/user/../../etc/passwd', '../index.js'].map(m => { try { require(m); return 'loaded' } catch (e) { return e.code } })`,
		}, `["MODULE_NOT_FOUND","MODULE_NOT_FOUND","MODULE_NOT_FOUND","MODULE_NOT_FOUND"]`},
		{"json error", map[string]string{
			"index.js": `exports.main = () => { try { require('./bad.json') } catch (e) { return e.message.includes('bad.json') } }`,
			"bad.json": `{nope`,
		}, `true`},
		{"syntax error in a required file", map[string]string{
			"index.js":   `exports.main = () => { try { require('./lib/bad') } catch (e) { return [e.message.includes('lib/bad.js'), e.message.includes('SyntaxError')] } }`,
			"lib/bad.js": `module.exports = {`,
		}, `[true,true]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("req", c.files)
			jsonEq(t, mustSucceed(t, call(r, v, `{}`)), c.want)
		})
	}
}

func TestNativeModules(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	var builds atomic.Int32
	r.RegisterModule("wx-server-sdk", func(in *Instance) (goja.Value, error) {
		builds.Add(1)
		o := in.VM().NewObject()
		_ = o.Set("whoami", func(goja.FunctionCall) goja.Value {
			cc := in.Call()
			in.Log("info", "native says hi to "+cc.OpenID)
			return in.VM().ToValue(map[string]any{"openid": cc.OpenID, "env": in.Host().EnvID(), "fn": in.Version().Function})
		})
		_ = o.Set("later", func(c goja.FunctionCall) goja.Value {
			n := c.Argument(0).ToInteger()
			return in.Async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
				return func(vm *goja.Runtime) (goja.Value, error) { return vm.ToValue(n * 2), nil }
			})
		})
		_ = o.Set("fails", func(c goja.FunctionCall) goja.Value {
			return in.Async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
				return func(vm *goja.Runtime) (goja.Value, error) {
					return nil, &InvokeError{Code: "DATABASE_ERROR", Message: "db down"}
				}
			})
		})
		return o, nil
	})
	v := testVersion("native", map[string]string{
		"index.js": `
			const cloud = require('wx-server-sdk');
			exports.main = async () => {
				let err;
				try { await cloud.fails() } catch (e) { err = [e.message, e.code] }
				const [a, b] = await Promise.all([cloud.later(1), cloud.later(2)]);
				return { who: cloud.whoami(), a, b, err, same: require('wx-server-sdk') === cloud };
			}`,
		// A copy in node_modules loses to the native module.
		"node_modules/wx-server-sdk/index.js": `exports.whoami = () => 'the npm copy'`,
	})
	res := r.Invoke(context.Background(), v, json.RawMessage(`{}`), CallContext{OpenID: "o-1"})
	jsonEq(t, mustSucceed(t, res), `{"who":{"openid":"o-1","env":"test-env","fn":"native"},"a":2,"b":4,"err":["db down","DATABASE_ERROR"],"same":true}`)
	if len(res.Logs) != 1 || res.Logs[0].Text != "native says hi to o-1" || res.Logs[0].Level != "info" {
		t.Errorf("logs %+v", res.Logs)
	}
	mustSucceed(t, call(r, v, `{}`))
	if builds.Load() != 1 {
		t.Errorf("native module built %d times on one warm instance", builds.Load())
	}
}

func TestWarmInstances(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{MaxIdlePerVersion: 2})
	v := testVersion("counter", map[string]string{"index.js": `
		let inits = (globalThis.inits || 0) + 1; globalThis.inits = inits;
		let calls = 0;
		exports.main = async () => ({ inits, calls: ++calls })`})
	for i := 1; i <= 3; i++ {
		jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `{"inits":1,"calls":`+itoa(i)+`}`)
	}
	st := r.Stats()
	if st.ColdStarts != 1 || st.Warm != 1 {
		t.Errorf("stats %+v", st)
	}
	// Another function's instance does not see this one's globals.
	other := testVersion("other", map[string]string{"index.js": `exports.main = () => typeof globalThis.inits`})
	jsonEq(t, mustSucceed(t, call(r, other, `{}`)), `"undefined"`)
	// A new version starts fresh; Evict drops warm instances.
	r.Evict("counter")
	if r.Stats().Warm != 1 { // other's instance stays
		t.Errorf("warm after evict: %+v", r.Stats())
	}
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `{"inits":1,"calls":1}`)
	// An instance that failed is not reused: its module state is gone.
	boom := testVersion("flaky", map[string]string{"index.js": `
		let calls = 0;
		exports.main = async (e) => { calls++; if (e.crash) { function f() { return f() } f() } return calls }`})
	jsonEq(t, mustSucceed(t, call(r, boom, `{}`)), `1`)
	jsonEq(t, mustSucceed(t, call(r, boom, `{}`)), `2`)
	mustFail(t, call(r, boom, `{"crash":true}`), OutcomeLimit, CodeExecuteFail, "Maximum call stack size exceeded")
	jsonEq(t, mustSucceed(t, call(r, boom, `{}`)), `1`)
}

// gate is a native module whose wait() blocks the invocation until released: it holds
// a concurrency slot without sleeping.
type gate struct {
	entered chan string
	release chan struct{}
}

func newGate(r *Runtime) *gate {
	g := &gate{entered: make(chan string, 100), release: make(chan struct{})}
	r.RegisterModule("test-gate", func(in *Instance) (goja.Value, error) {
		o := in.VM().NewObject()
		_ = o.Set("wait", func(c goja.FunctionCall) goja.Value {
			g.entered <- c.Argument(0).String()
			select {
			case <-g.release:
			case <-in.Context().Done():
			}
			return goja.Undefined()
		})
		return o, nil
	})
	return g
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func TestConcurrencyLimits(t *testing.T) {
	t.Run("global limit, queue and too busy", func(t *testing.T) {
		r := newTestRuntime(RuntimeConfig{MaxConcurrency: 2, MaxQueue: 1})
		g := newGate(r)
		v := testVersion("gated", map[string]string{"index.js": `const g = require('test-gate'); exports.main = async (e) => { g.wait(e.id); return e.id }`})
		var wg sync.WaitGroup
		results := make([]Result, 3)
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func(i int) { defer wg.Done(); results[i] = call(r, v, `{"id":"`+itoa(i)+`"}`) }(i)
		}
		<-g.entered
		<-g.entered
		if st := r.Stats(); st.Running != 2 {
			t.Fatalf("stats %+v", st)
		}
		wg.Add(1)
		go func() { defer wg.Done(); results[2] = call(r, v, `{"id":"2"}`) }()
		waitFor(t, "a queued invocation", func() bool { return r.Stats().Queued == 1 })
		// The queue is full: the next caller is refused at once.
		mustFail(t, call(r, v, `{"id":"3"}`), OutcomeLimit, CodeTooBusy, "too many requests")
		close(g.release)
		wg.Wait()
		for i, res := range results {
			jsonEq(t, mustSucceed(t, res), `"`+itoa(i)+`"`)
		}
		if st := r.Stats(); st.Running != 0 || st.Queued != 0 || st.TooBusy != 1 {
			t.Errorf("stats after %+v", st)
		}
	})
	t.Run("per-function limit", func(t *testing.T) {
		r := newTestRuntime(RuntimeConfig{MaxConcurrency: 4})
		g := newGate(r)
		limited := testVersion("limited", map[string]string{"index.js": `const g = require('test-gate'); exports.main = async (e) => { g.wait(e.id); return e.id }`}, Config{MaxConcurrency: 1})
		free := testVersion("free", map[string]string{"index.js": `exports.main = async () => 'free'`})
		done := make(chan Result, 2)
		go func() { done <- call(r, limited, `{"id":"first"}`) }()
		<-g.entered
		go func() { done <- call(r, limited, `{"id":"second"}`) }()
		waitFor(t, "the second call to queue", func() bool { return r.Stats().Queued == 1 })
		// Other functions are not held up.
		jsonEq(t, mustSucceed(t, call(r, free, `{}`)), `"free"`)
		g.release <- struct{}{}
		<-g.entered // the second one got the slot only now
		g.release <- struct{}{}
		for i := 0; i < 2; i++ {
			mustSucceed(t, <-done)
		}
	})
	t.Run("queue wait honours the caller's deadline", func(t *testing.T) {
		r := newTestRuntime(RuntimeConfig{MaxConcurrency: 1})
		g := newGate(r)
		v := testVersion("gated", map[string]string{"index.js": `const g = require('test-gate'); exports.main = async (e) => { g.wait(e.id); return 1 }`})
		done := make(chan Result, 1)
		go func() { done <- call(r, v, `{"id":"a"}`) }()
		<-g.entered
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		res := r.Invoke(ctx, v, json.RawMessage(`{"id":"b"}`), CallContext{})
		mustFail(t, res, OutcomeLimit, CodeTooBusy, "no free slot")
		if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
			t.Errorf("waited %v", d)
		}
		close(g.release)
		mustSucceed(t, <-done)
	})
	t.Run("burst", func(t *testing.T) {
		r := newTestRuntime(RuntimeConfig{MaxConcurrency: 4, MaxQueue: 8})
		g := newGate(r)
		v := testVersion("burst", map[string]string{"index.js": `const g = require('test-gate'); exports.main = async (e) => { g.wait(''); return e.i }`})
		const n = 40
		var wg sync.WaitGroup
		var ok, busy atomic.Int32
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res := call(r, v, `{"i":`+itoa(i)+`}`)
				switch {
				case res.Outcome == OutcomeSuccess:
					ok.Add(1)
				case res.Err != nil && res.Err.Code == CodeTooBusy:
					busy.Add(1)
				default:
					t.Errorf("unexpected %+v", res.Err)
				}
			}(i)
		}
		// 4 run and 8 wait; the other 28 are refused at once.
		waitFor(t, "the burst to settle", func() bool { return busy.Load() == n-12 })
		close(g.release)
		wg.Wait()
		if ok.Load() != 12 || busy.Load() != n-12 {
			t.Errorf("ok %d busy %d", ok.Load(), busy.Load())
		}
	})
}
