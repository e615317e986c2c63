package cloudfns

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// The bench/ harness compares Minicloud with Node.js at concurrency 32 on a trivial
// `return event` and a small JSON transform; these measure the runtime's share.

const benchTrivial = `exports.main = async (event) => event`

const benchTransform = `
exports.main = async (event) => {
  const items = event.items.filter((it) => it.qty > 0);
  const byTag = {};
  for (const it of items) for (const t of it.tags) byTag[t] = (byTag[t] || 0) + it.price * it.qty;
  return {
    count: items.length,
    total: items.reduce((s, it) => s + it.price * it.qty, 0),
    names: items.map((it) => it.name.toUpperCase()),
    byTag,
    at: new Date(event.ts).toISOString(),
  };
};`

func benchEvent() json.RawMessage {
	var items []string
	for i := 0; i < 20; i++ {
		items = append(items, fmt.Sprintf(`{"id":%d,"name":"item %d","price":%d.5,"qty":%d,"tags":["t%d","all"]}`, i, i, i, i%3, i%4))
	}
	return json.RawMessage(`{"ts":1700000000000,"items":[` + strings.Join(items, ",") + `]}`)
}

func benchInvoke(b *testing.B, src string, event json.RawMessage, parallel bool) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("bench", map[string]string{"index.js": src})
	ctx := context.Background()
	if res := r.Invoke(ctx, v, event, CallContext{RequestID: "r"}); res.Outcome != OutcomeSuccess {
		b.Fatal(res.Err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if !parallel {
		for i := 0; i < b.N; i++ {
			if res := r.Invoke(ctx, v, event, CallContext{RequestID: "r"}); res.Outcome != OutcomeSuccess {
				b.Fatal(res.Err)
			}
		}
		return
	}
	// 32 callers, as the HTTP bench: more than MaxConcurrency, so some queue.
	b.SetParallelism((32 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := r.Invoke(ctx, v, event, CallContext{RequestID: "r"}); res.Outcome != OutcomeSuccess {
				b.Error(res.Err)
				return
			}
		}
	})
}

func BenchmarkInvokeTrivial(b *testing.B) {
	ev := json.RawMessage(`{"a":1,"b":"hello","c":[1,2,3]}`)
	b.Run("serial", func(b *testing.B) { benchInvoke(b, benchTrivial, ev, false) })
	b.Run("c32", func(b *testing.B) { benchInvoke(b, benchTrivial, ev, true) })
}

func BenchmarkInvokeJSONTransform(b *testing.B) {
	ev := benchEvent()
	b.Run("serial", func(b *testing.B) { benchInvoke(b, benchTransform, ev, false) })
	b.Run("c32", func(b *testing.B) { benchInvoke(b, benchTransform, ev, true) })
}

// BenchmarkColdStart is the first call after a deploy: a new version, its files
// compiled, a VM created and index.js's top level run.
func BenchmarkColdStart(b *testing.B) {
	r := newTestRuntime(RuntimeConfig{})
	files := map[string]string{
		"index.js": `const util = require('./lib/util'); const crypto = require('crypto');
			exports.main = async (event) => ({ id: util.id(event), h: crypto.createHash('md5').update('x').digest('hex') })`,
		"lib/util.js": `exports.id = (e) => e.id || null;`,
	}
	ev := json.RawMessage(`{"id":1}`)
	b.ReportAllocs()
	times := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		v := testVersion("cold", files)
		start := time.Now()
		if res := r.Invoke(context.Background(), v, ev, CallContext{}); res.Outcome != OutcomeSuccess {
			b.Fatal(res.Err)
		}
		times = append(times, time.Since(start))
		r.Evict("cold")
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkWarmInstanceMemory reports the heap one warm instance of a small function
// keeps.
func BenchmarkWarmInstanceMemory(b *testing.B) {
	r := newTestRuntime(RuntimeConfig{MaxIdlePerVersion: 1})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const n = 50
	keep := make([]*Version, 0, n)
	for i := 0; i < n; i++ {
		v := testVersion("mem", map[string]string{"index.js": benchTransform})
		if res := r.Invoke(context.Background(), v, benchEvent(), CallContext{}); res.Outcome != OutcomeSuccess {
			b.Fatal(res.Err)
		}
		keep = append(keep, v)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if st := r.Stats(); st.Warm != n {
		b.Fatalf("%d warm instances", st.Warm)
	}
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n/1024, "KiB/instance")
	runtime.KeepAlive(keep)
	for i := 0; i < b.N; i++ {
	}
}

// BenchmarkGuardedBuiltins compares array built-ins in a bare goja VM with the same
// in a guarded one (globals_guard): the guards must not cost goja's fast paths
// (Array.from and new Set copy a standard array in one step).
func BenchmarkGuardedBuiltins(b *testing.B) {
	ops := []struct{ name, body string }{
		{"Array.from", "return Array.from(a)"},
		{"new-Set", "return new Set(a)"},
		{"spread", "return [...a]"},
		{"for-of", "let s = 0; for (const x of a) s += x; return s"},
		{"map", "return a.map(x => x + 1)"},
	}
	for _, op := range ops {
		for _, guarded := range []bool{false, true} {
			name := op.name + "/bare"
			if guarded {
				name = op.name + "/guarded"
			}
			b.Run(name, func(b *testing.B) {
				vm := goja.New()
				if guarded {
					newGuards(vm, 512<<20).install()
				}
				if _, err := vm.RunString("var a = []; for (var i = 0; i < 100; i++) a.push(i);\nfunction run() {" + op.body + "}"); err != nil {
					b.Fatal(err)
				}
				run, _ := goja.AssertFunction(vm.Get("run"))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := run(nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkInvokeTrivialSignedIn(b *testing.B) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("bench", map[string]string{"index.js": benchTrivial})
	ev := json.RawMessage(`{"a":1,"b":"hello","c":[1,2,3]}`)
	cc := CallContext{RequestID: "r", OpenID: "oABCDEFGHIJKLMNOPQRSTUVWXYZ12", AppID: "wx1234567890abcdef"}
	b.ReportAllocs()
	for b.Loop() {
		if res := r.Invoke(context.Background(), v, ev, cc); res.Outcome != OutcomeSuccess {
			b.Fatal(res.Err)
		}
	}
}
