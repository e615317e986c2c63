package cloudfns

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

func TestTimeouts(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	cases := []struct {
		name, src string
	}{
		{"endless loop", `exports.main = () => { while (true) {} }`},
		{"endless loop in async", `exports.main = async () => { await null; for (;;) {} }`},
		{"loop with try/catch", `exports.main = () => { for (;;) { try { while (true) {} } catch (e) {} } }`},
		{"endless loop in a timer", `exports.main = () => new Promise(() => setTimeout(() => { while (true) {} }, 1))`},
		{"waiting on a long timer", `exports.main = () => new Promise(r => setTimeout(r, 60000))`},
		{"endless loop at top level", `while (true) {} exports.main = () => 1`},
		{"regexp backtracking", `exports.main = () => { for (;;) /^(a|a)*\1$/.test('a'.repeat(30) + 'b') }`},
	}
	const timeout = 300 * time.Millisecond
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("slow", map[string]string{"index.js": c.src}, Config{Timeout: timeout.Seconds()})
			start := time.Now()
			res := call(r, v, `{}`)
			elapsed := time.Since(start)
			mustFail(t, res, OutcomeTimeout, CodeTimeout, "timeout of 300ms")
			if elapsed < timeout || elapsed > timeout+1500*time.Millisecond {
				t.Errorf("stopped after %v (timeout %v)", elapsed, timeout)
			}
			if res.Duration < timeout {
				t.Errorf("duration %v", res.Duration)
			}
		})
	}
	// The interrupted instance is discarded: the next call starts cold and works.
	v := testVersion("sometimes-slow", map[string]string{"index.js": `
		let calls = 0;
		exports.main = (e) => { calls++; if (e.spin) while (true) {} return calls }`}, Config{Timeout: 0.2})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `1`)
	mustFail(t, call(r, v, `{"spin":true}`), OutcomeTimeout, CodeTimeout, "timeout")
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `1`)
	if st := r.Stats(); st.Timeouts != uint64(len(cases)+1) {
		t.Errorf("stats %+v", st)
	}

	// The caller's own deadline ends the call too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	spin := testVersion("spin", map[string]string{"index.js": `exports.main = () => { while (true) {} }`})
	mustFail(t, r.Invoke(ctx, spin, json.RawMessage(`{}`), CallContext{}), OutcomeTimeout, CodeTimeout, "timeout")
	checkHealthy(t, r)
}

func TestRecursionBombs(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	cases := []struct{ name, src string }{
		{"direct", `exports.main = () => { function f(n) { return f(n + 1) + 1 } return f(0) }`},
		{"through natives", `exports.main = () => { function f() { return [1].map(f) } return f() }`},
		{"through getters", `exports.main = () => { const o = { get x() { return this.x } }; return o.x }`},
		{"through toString", `exports.main = () => { const o = { toString() { return String(o) } }; return String(o) }`},
		{"through JSON", `exports.main = () => { const o = { toJSON() { return JSON.stringify(o) } }; return JSON.stringify(o) }`},
		{"async", `exports.main = async () => { async function f() { return await f() } return await f() }`},
		{"caught and retried", `exports.main = () => { function f() { return f() } for (let i = 0; i < 3; i++) { try { f() } catch (e) {} } return 1 }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("deep", map[string]string{"index.js": c.src})
			res := call(r, v, `{}`)
			mustFail(t, res, OutcomeLimit, CodeExecuteFail, "Maximum call stack size exceeded")
			if !strings.Contains(res.Err.Stack, "index.js:") {
				t.Errorf("stack %q", res.Err.Stack)
			}
			if n := strings.Count(res.Err.Stack, "\n"); n > maxStackLines+2 {
				t.Errorf("stack has %d lines", n)
			}
			checkHealthy(t, r)
		})
	}
	// Deep data is refused before goja's native recursion could grow the Go stack.
	deep := []struct{ name, src, msg string }{
		{"JSON.parse", `exports.main = () => JSON.parse('['.repeat(1e6) + ']'.repeat(1e6))`, "nested deeper"},
		{"JSON.stringify", `exports.main = () => { let o = {}; for (let i = 0; i < 1e5; i++) o = { o }; return JSON.stringify(o).length }`, "nesting deeper"},
		{"deep result", `exports.main = () => { let o = []; for (let i = 0; i < 1e5; i++) o = [o]; return o }`, "nesting deeper"},
	}
	for _, c := range deep {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("deepdata", map[string]string{"index.js": c.src})
			start := time.Now()
			mustFail(t, call(r, v, `{}`), OutcomeError, CodeExecuteFail, c.msg)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	checkHealthy(t, r)
}

// TestAllocationBombs checks that runaway memory ends the call with CodeMemory and the
// server survives: shapes the watchdog stops (growth over many instructions) and shapes
// the guards refuse (one huge native step).
func TestAllocationBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation bombs take a few seconds")
	}
	r := newTestRuntime(RuntimeConfig{MaxHeapBytes: 128 << 20})
	cases := []struct {
		name, src string
	}{
		// Stopped by the watchdog.
		{"arrays pushed forever", `exports.main = () => { const a = []; while (true) a.push(new Array(1e5).fill(1)) }`},
		{"strings kept forever", `exports.main = () => { const a = []; for (let i = 0; ; i++) a.push('x'.repeat(1e5) + i) }`},
		{"object grows forever", `exports.main = () => { const o = {}; for (let i = 0; ; i++) o['key' + i] = { i, s: 'v' + i } }`},
		{"doubling string", `exports.main = () => { let s = 'xy'; const keep = []; while (true) { s = s + s; keep.push(s) } }`},
		{"map grows forever", `exports.main = () => { const m = new Map(); for (let i = 0; ; i++) m.set(i, [i, i, i]) }`},
		{"buffers kept forever", `exports.main = () => { const a = []; while (true) a.push(Buffer.alloc(1 << 20, 1)) }`},
		{"async growth", `exports.main = async () => { const a = []; while (true) { a.push(new Array(1e5).fill('z')); await null } }`},
		// Refused by the guards before the allocation.
		{"repeat 2^30", `exports.main = () => 'x'.repeat(2 ** 30).length`},
		{"padStart", `exports.main = () => ''.padStart(2 ** 30, 'ab').length`},
		{"huge array fill", `exports.main = () => new Array(2 ** 30).fill(0).length`},
		{"huge array length", `exports.main = () => Array(1e9).length`},
		{"array from length", `exports.main = () => Array.from({ length: 1e9 }).length`},
		{"typed array", `exports.main = () => new Uint8Array(2 ** 31).length`},
		{"float array", `exports.main = () => new Float64Array(2 ** 28).length`},
		{"array buffer", `exports.main = () => new ArrayBuffer(2 ** 31).byteLength`},
		{"Buffer.alloc", `exports.main = () => Buffer.alloc(2 ** 31).length`},
		{"join amplification", `exports.main = () => { const s = 'x'.repeat(1 << 20); const a = []; for (let i = 0; i < 1000; i++) a.push(s); return a.join(',').length }`},
		{"stringify amplification", `exports.main = () => { const s = 'x'.repeat(1 << 20); const a = []; for (let i = 0; i < 1000; i++) a.push(s); return JSON.stringify(a).length }`},
		{"result amplification", `exports.main = () => { const s = 'x'.repeat(1 << 20); const a = []; for (let i = 0; i < 1000; i++) a.push(s); return a }`},
		{"replace amplification through $'", `exports.main = () => 'a'.repeat(20000).replace(/a/g, "$'").length`},
		{"replace amplification", `exports.main = () => 'x'.repeat(1 << 20).replace(/x/g, 'y'.repeat(1000)).length`},
		{"length set huge then map", `exports.main = () => { const a = [1]; a.length = 2 ** 32 - 1; return a.map(x => x).length }`},
		{"length set huge then spread", `exports.main = () => { const a = []; a[2 ** 32 - 2] = 1; return [...a].length }`},
		{"huge array through the arguments iterator", `exports.main = () => { const a = []; a[2 ** 32 - 2] = 1;
			const values = (function () { return arguments[Symbol.iterator] })(); const it = values.call(a);
			return [...{ [Symbol.iterator]: () => it }].length }`},
		{"huge array into a Set", `exports.main = () => { const a = []; a.length = 2 ** 32 - 1; return new Set(a).size }`},
		{"length set huge then indexOf", `exports.main = () => { const a = []; a.length = 2 ** 32 - 1; return a.indexOf(5) }`},
		{"apply with a huge array-like", `exports.main = () => Math.max.apply(null, { length: 1e9 })`},
		{"Reflect.apply with a huge array-like", `exports.main = () => Reflect.apply(Math.max, null, { length: 1e9 })`},
		{"split into characters", `exports.main = () => 'x'.repeat(3e7).split('').length`},
		{"split by regexp", `exports.main = () => 'x'.repeat(3e6).split(/(?:)/).length`},
		{"concat amplification", `exports.main = () => { const s = 'x'.repeat(1 << 20); return s.concat(...new Array(1000).fill(s)).length }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("bomb", map[string]string{"index.js": c.src}, Config{Timeout: 20})
			start := time.Now()
			res := call(r, v, `{}`)
			if res.Outcome != OutcomeLimit || res.Err == nil || res.Err.Code != CodeMemory {
				if !(c.name == "result amplification" && res.Err != nil && strings.Contains(res.Err.Message, "larger than")) {
					t.Fatalf("outcome %s err %+v value %.60s", res.Outcome, res.Err, res.Value)
				}
			}
			t.Logf("%s: %v, %s", c.name, time.Since(start).Round(time.Millisecond), res.Err.Message)
			checkHealthy(t, r)
		})
	}
	// The killed VMs are collected: the heap comes back near where it was.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > 300<<20 {
		t.Errorf("heap still %d MiB after the bombs", ms.HeapAlloc>>20)
	}
	if st := r.Stats(); st.MemoryKills < 5 {
		t.Errorf("stats %+v", st)
	}
}

// TestWatchdogPicksTheBomb runs a bomb next to well-behaved calls: only the bomb is
// stopped.
func TestWatchdogPicksTheBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation bombs take a few seconds")
	}
	r := newTestRuntime(RuntimeConfig{MaxHeapBytes: 128 << 20, MaxConcurrency: 8})
	bomb := testVersion("bomb", map[string]string{"index.js": `exports.main = async () => { const a = []; while (true) { a.push(new Array(1e5).fill(1)); if (a.length % 10 === 0) await null } }`}, Config{Timeout: 20})
	good := testVersion("good", map[string]string{"index.js": `
		exports.main = async (e) => {
			let garbage = 0;
			for (let i = 0; i < 200; i++) garbage += JSON.stringify({ i, s: 'x'.repeat(100) }).length;
			await new Promise(r => setTimeout(r, 1));
			return e.i;
		}`}, Config{Timeout: 20})
	done := make(chan Result)
	go func() { done <- call(r, bomb, `{}`) }()
	stop := make(chan struct{})
	goodErrs := make(chan string, 100)
	for w := 0; w < 4; w++ {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					goodErrs <- ""
					return
				default:
				}
				if res := call(r, good, `{"i":1}`); res.Outcome != OutcomeSuccess {
					goodErrs <- res.Err.Error()
				}
			}
		}()
	}
	res := <-done
	close(stop)
	for w := 0; w < 4; {
		if e := <-goodErrs; e == "" {
			w++
		} else {
			t.Errorf("a well-behaved call failed: %s", e)
		}
	}
	mustFail(t, res, OutcomeLimit, CodeMemory, "too much memory")
}

// The deadline timer is made once per instance and re-armed for every call: each call
// of a warm instance gets its own full timeout.
func TestDeadlinePerCallOnWarmInstance(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{MaxIdlePerVersion: 1})
	v := testVersion("waits", map[string]string{"index.js": `
		let calls = 0;
		exports.main = async (e) => { calls++; await new Promise((res) => setTimeout(res, e.ms)); return calls }`}, Config{Timeout: 0.3})
	for i := 1; i <= 3; i++ {
		// 3 × 200 ms on one instance: more than one timeout in all, less than one each
		jsonEq(t, mustSucceed(t, call(r, v, `{"ms":200}`)), strconv.Itoa(i))
	}
	mustFail(t, call(r, v, `{"ms":1000}`), OutcomeTimeout, CodeTimeout, "timeout")
	jsonEq(t, mustSucceed(t, call(r, v, `{"ms":1}`)), `1`) // a new instance
	if st := r.Stats(); st.ColdStarts != 2 || st.Timeouts != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A native module's context carries the invocation's deadline, and is canceled once the
// call returns.
func TestInvocationContext(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	var got context.Context
	r.RegisterModule("test-ctx", func(in *Instance) (goja.Value, error) {
		o := in.VM().NewObject()
		_ = o.Set("remaining", func(goja.FunctionCall) goja.Value {
			got = in.Context()
			d, ok := got.Deadline()
			if !ok {
				return in.VM().ToValue(-1)
			}
			return in.VM().ToValue(time.Until(d).Milliseconds())
		})
		return o, nil
	})
	v := testVersion("ctx", map[string]string{"index.js": `const m = require('test-ctx'); exports.main = () => m.remaining()`}, Config{Timeout: 2})
	ms := mustSucceed(t, call(r, v, `{}`)).(float64)
	if ms < 1000 || ms > 2000 {
		t.Errorf("remaining %v ms, want about 2000", ms)
	}
	if got == nil || got.Err() == nil {
		t.Errorf("the invocation's context is still live after the call: %v", got)
	}
	// The caller's earlier deadline wins.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res := r.Invoke(ctx, v, json.RawMessage(`{}`), CallContext{})
	if ms := mustSucceed(t, res).(float64); ms > 500 {
		t.Errorf("remaining %v ms with a 500 ms caller deadline", ms)
	}
}

// A caller that goes away ends an invocation waiting for timers or I/O.
func TestCallerGone(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("waits-long", map[string]string{"index.js": `
		exports.main = async () => { await new Promise((res) => setTimeout(res, 60000)); return 1 }`}, Config{Timeout: 120})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- r.Invoke(ctx, v, json.RawMessage(`{}`), CallContext{}) }()
	waitFor(t, "the call to start", func() bool { return r.Stats().Running == 1 })
	cancel()
	select {
	case res := <-done:
		mustFail(t, res, OutcomeError, CodeExecuteFail, "canceled")
	case <-time.After(5 * time.Second):
		t.Fatal("the invocation did not end when its caller went away")
	}
	checkHealthy(t, r)
}

// TestWatchdogSparesCallsOverGarbage: a heap far over the limit with garbage nobody
// running made (here: with the GC off) gets a GC, not a victim.
func TestWatchdogSparesCallsOverGarbage(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred MiB")
	}
	runtime.GC()
	r := newTestRuntime(RuntimeConfig{MaxHeapBytes: 64 << 20})
	// Busy for 100 ms (the sampler sees it) while allocating next to nothing.
	v := testVersion("busy", map[string]string{"index.js": `
		exports.main = () => { const t = Date.now(); let n = 0; while (Date.now() - t < 100) n++; return n > 0 }`},
		Config{Timeout: 10})
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var garbage [][]byte
	for i := 0; i < 40; i++ {
		garbage = append(garbage, make([]byte, 8<<20))
	}
	garbage[0][0] = 1
	garbage = nil // 320 MiB over a 64 MiB budget, none of it the call's
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `true`)
	if st := r.Stats(); st.MemoryKills != 0 {
		t.Errorf("stats %+v", st)
	}
}
