package wxsdk

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// benchFunc prepares `async function () { … }` in a sandbox and returns a runner that
// calls it and checks that its promise fulfilled.
func benchFunc(b *testing.B, s *sandbox, body string) func() {
	b.Helper()
	v, err := s.env.vm.RunString(`(function () { var cloud = __ctx.cloud, app = __ctx.app; return async function () {` + body + `}; })()`)
	if err != nil {
		b.Fatal(err)
	}
	fn, _ := goja.AssertFunction(v)
	return func() {
		r, err := fn(goja.Undefined())
		if err != nil {
			b.Fatal(err)
		}
		p := r.Export().(*goja.Promise)
		if p.State() != goja.PromiseStateFulfilled {
			b.Fatalf("promise %v: %v", p.State(), p.Result())
		}
	}
}

func cannedList(n int) json.RawMessage {
	docs := make([]string, n)
	for i := range docs {
		docs[i] = fmt.Sprintf(`{"_id":"doc-%d","title":"hello %d","done":false,"n":{"$numberInt":"%d"},"tags":["a","b"],`+
			`"createdAt":{"$date":{"$numberLong":"1704164645000"}},"_openid":"user-1"}`, i, i, i)
	}
	list, _ := json.Marshal(docs)
	return json.RawMessage(`{"list":` + string(list) + `,"offset":0,"limit":100}`)
}

// BenchmarkWXGet is the module's own cost for a typical query (build, encode, decode
// 1 or 20 documents, shape the result) with a Host that answers instantly.
func BenchmarkWXGet(b *testing.B) {
	for _, n := range []int{1, 20} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			answer := cannedList(n)
			s := newSandbox(b, &fakeHost{db: func(string, json.RawMessage) (json.RawMessage, error) { return answer, nil }})
			run := benchFunc(b, s, `
				const db = cloud.database();
				const _ = db.command;
				const r = await db.collection('todos').where({ done: false, n: _.gt(3) }).orderBy('n', 'desc').limit(20).get();
				return r.data.length;`)
			loop(b, run)
		})
	}
}

// BenchmarkWXDocUpdate measures an update with commands (flattening + encoding).
func BenchmarkWXDocUpdate(b *testing.B) {
	answer := json.RawMessage(`{"updated":1,"upsert_id":"","matched":1}`)
	s := newSandbox(b, &fakeHost{db: func(string, json.RawMessage) (json.RawMessage, error) { return answer, nil }})
	run := benchFunc(b, s, `
		const db = cloud.database();
		const _ = db.command;
		return db.collection('todos').doc('doc-1').update({ data: { n: _.inc(1), tags: _.push('x'), meta: { seen: true, at: db.serverDate() } } });`)
	loop(b, run)
}

// BenchmarkWXAdd measures inserting a 20-field document.
func BenchmarkWXAdd(b *testing.B) {
	answer := json.RawMessage(`{"insertedIds":["x"]}`)
	s := newSandbox(b, &fakeHost{db: func(string, json.RawMessage) (json.RawMessage, error) { return answer, nil }})
	fields := make([]string, 20)
	for i := range fields {
		fields[i] = fmt.Sprintf("f%d: %d", i, i*7)
	}
	run := benchFunc(b, s, `return cloud.database().collection('todos').add({ data: { `+strings.Join(fields, ", ")+`, when: new Date(0), tags: ['a', 'b'] } });`)
	loop(b, run)
}

// BenchmarkModuleSetup is the cost of require('wx-server-sdk') in an instance (a
// fresh VM each time; "vm-only" is goja.New alone, for reference).
func BenchmarkModuleSetup(b *testing.B) {
	host := &fakeHost{env: "e"}
	b.Run("vm-only", func(b *testing.B) {
		loop(b, func() { _ = newTestEnv(host) })
	})
	b.Run("vm+wx-server-sdk", func(b *testing.B) {
		loop(b, func() {
			if _, err := New(newTestEnv(host), FlavorWX); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// cpuTime is the process's user+system CPU time: under a loaded machine, CPU time per
// operation is steadier than wall time, so the benchmarks report both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs fn b.N times and reports CPU ns/op beside the wall time.
func loop(b *testing.B, fn func()) {
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	for b.Loop() {
		fn()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	}
}
