package cloudfns

import (
	"context"
	"errors"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// watchdogSetMemoryLimit sets the process's soft memory limit (GOMEMLIMIT) for the
// test and restores the previous one afterwards. Limits far above the heap of a test
// process leave the GC as it was.
func watchdogSetMemoryLimit(t *testing.T, limit int64) {
	t.Helper()
	prev := debug.SetMemoryLimit(limit)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
}

// newWatchdogForTest is a watchdog whose numbers the test sets itself: sampling is
// marked on, so register starts no sampler and gcState reads the live and cycles
// fields the test stores. No GOMEMLIMIT applies.
func newWatchdogForTest(t *testing.T, budget uint64) *watchdog {
	t.Helper()
	watchdogSetMemoryLimit(t, math.MaxInt64)
	return &watchdog{rt: newTestRuntime(RuntimeConfig{}), budget: budget, running: map[*invocation]struct{}{}, sampling: true}
}

// newWatchdogInv is an invocation the watchdog can stop (it has a VM to interrupt).
func newWatchdogInv() *invocation {
	return &invocation{vm: goja.New(), parent: context.Background(), deadline: time.Now().Add(time.Hour)}
}

// watchdogWait polls cond under w.mu until it holds (the watchdog's goroutines report
// under that lock), failing the test after a few seconds.
func watchdogWait(t *testing.T, w *watchdog, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		w.mu.Lock()
		ok := cond()
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// interrupted reports whether inv's VM carries a pending interrupt from the watchdog.
func watchdogInterrupted(inv *invocation) bool {
	_, err := inv.vm.RunString("1")
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		return false
	}
	_, ok := ie.Value().(interruptMarker)
	return ok
}

func TestWatchdogReadHeap(t *testing.T) {
	// The metrics the watchdog reads exist and are uint64s: a renamed one would read 0.
	kinds := map[string]metrics.ValueKind{}
	for _, d := range metrics.All() {
		kinds[d.Name] = d.Kind
	}
	for _, n := range metricNames {
		if k, ok := kinds[n]; !ok || k != metrics.KindUint64 {
			t.Errorf("metric %s: kind %v, present %v", n, k, ok)
		}
	}

	runtime.GC()
	objects0, live0, cycles0 := readHeap()
	if objects0 == 0 || live0 == 0 || cycles0 == 0 {
		t.Fatalf("after a GC: objects %d, live %d, cycles %d", objects0, live0, cycles0)
	}
	// Objects count what is allocated now (a kept allocation shows at once); live is
	// what the last GC marked, and cycles count GCs.
	keep := make([]byte, 16<<20)
	objects1, _, _ := readHeap()
	if objects1 < objects0+15<<20 {
		t.Errorf("objects %d after allocating 16 MiB, %d before", objects1, objects0)
	}
	runtime.GC()
	_, live2, cycles2 := readHeap()
	if cycles2 < cycles0+1 {
		t.Errorf("cycles %d after runtime.GC, %d before", cycles2, cycles0)
	}
	if live2 < 16<<20 {
		t.Errorf("live heap %d with 16 MiB kept", live2)
	}
	runtime.KeepAlive(keep)
}

func TestWatchdogComputeLimit(t *testing.T) {
	const gib = 1 << 30
	cases := []struct {
		name             string
		memLimit         int64
		baseline, budget uint64
		want             uint64
	}{
		{"no GOMEMLIMIT: baseline plus budget", math.MaxInt64, 8 * gib, 4 * gib, 12 * gib},
		{"GOMEMLIMIT far above", 100 * gib, 8 * gib, 4 * gib, 12 * gib},
		{"90% of GOMEMLIMIT caps the limit", 10 * gib, 8 * gib, 4 * gib, 9 * gib},
		{"at least an eighth of the budget over the baseline", 10 * gib, 9 * gib, 4 * gib, 9*gib + gib/2},
		{"baseline alone over GOMEMLIMIT", 10 * gib, 20 * gib, 8 * gib, 21 * gib},
		{"cap exactly the limit", 10 * gib, 5 * gib, 4 * gib, 9 * gib},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			watchdogSetMemoryLimit(t, c.memLimit)
			w := &watchdog{baseline: c.baseline, budget: c.budget}
			if got := w.computeLimit(); got != c.want {
				t.Errorf("limit %d, want %d", got, c.want)
			}
			// computeLimit only reads the memory limit.
			if ml := debug.SetMemoryLimit(-1); ml != c.memLimit {
				t.Errorf("memory limit changed to %d", ml)
			}
		})
	}
}

func TestWatchdogNew(t *testing.T) {
	watchdogSetMemoryLimit(t, math.MaxInt64)
	runtime.GC() // a live heap to measure
	_, _, cycles := readHeap()
	const budget = 1 << 30
	w := newWatchdog(newTestRuntime(RuntimeConfig{}), budget)
	if w.baseline == 0 || w.idleCycle < cycles {
		t.Errorf("baseline %d, idle cycle %d (cycles %d before)", w.baseline, w.idleCycle, cycles)
	}
	heap, limit := w.levels()
	if limit != w.baseline+budget || heap != 0 {
		t.Errorf("levels %d, %d; baseline %d", heap, limit, w.baseline)
	}
	if w.running == nil || len(w.running) != 0 || w.sampling || w.victim != nil {
		t.Errorf("initial state %+v", w)
	}

	// The runtime's own watchdog has the runtime's budget.
	r := newTestRuntime(RuntimeConfig{MaxHeapBytes: 64 << 20})
	if r.wd.budget != 64<<20 || r.wd.rt != r {
		t.Errorf("runtime watchdog budget %d", r.wd.budget)
	}
}

func TestWatchdogGCState(t *testing.T) {
	// Numbers no real reading has.
	const sampledLive, sampledCycles = 1 << 61, 1 << 60
	w := newWatchdogForTest(t, 100)
	w.live.Store(sampledLive)
	w.cycles.Store(sampledCycles)
	if live, cycles := w.gcState(); live != sampledLive || cycles != sampledCycles {
		t.Errorf("while sampling: %d, %d; want the sampler's %d, %d", live, cycles, uint64(sampledLive), uint64(sampledCycles))
	}
	w.sampling = false
	runtime.GC()
	_, _, before := readHeap()
	live, cycles := w.gcState()
	if live == 0 || live >= sampledLive || cycles < before || cycles >= sampledCycles {
		t.Errorf("not sampling: %d, %d; want a fresh reading (cycles ≥ %d)", live, cycles, before)
	}
}

func TestWatchdogRegisterBaseline(t *testing.T) {
	const budget, baseline = 100, 1000
	cases := []struct {
		name                    string
		idleCycle, cycles, live uint64
		othersRunning           bool
		want                    uint64
	}{
		{"no GC since idle", 10, 10, 500, false, baseline},
		{"a cycle possibly under way when idle", 10, 11, 500, false, baseline},
		{"a cycle started after idle", 10, 12, 500, false, 500},
		{"a higher live heap is taken too", 10, 15, 2000, false, 2000},
		{"no live heap measured", 10, 12, 0, false, baseline},
		{"other calls running", 10, 12, 500, true, baseline},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWatchdogForTest(t, budget)
			w.baseline, w.idleCycle = baseline, c.idleCycle
			w.limit.Store(baseline + budget)
			if c.othersRunning {
				w.running[newWatchdogInv()] = struct{}{}
			}
			w.live.Store(c.live)
			w.cycles.Store(c.cycles)
			inv := newWatchdogInv()
			before := time.Now()
			w.register(inv)
			if _, ok := w.running[inv]; !ok {
				t.Fatal("not in the running set")
			}
			if inv.start.Before(before) {
				t.Errorf("start %v before register (%v)", inv.start, before)
			}
			if w.baseline != c.want || w.limit.Load() != c.want+budget {
				t.Errorf("baseline %d limit %d, want %d and %d", w.baseline, w.limit.Load(), c.want, c.want+budget)
			}
			if w.idleCycle != c.idleCycle {
				t.Errorf("idle cycle changed by register: %d", w.idleCycle)
			}
		})
	}
}

func TestWatchdogUnregisterIdleCycle(t *testing.T) {
	w := newWatchdogForTest(t, 100)
	const sentinel = 1 << 62
	w.idleCycle = sentinel
	a, b := newWatchdogInv(), newWatchdogInv()
	w.register(a)
	w.register(b)
	if len(w.running) != 2 {
		t.Fatalf("running %d", len(w.running))
	}
	w.unregister(a)
	if _, ok := w.running[a]; ok || len(w.running) != 1 {
		t.Fatalf("a still running (%d running)", len(w.running))
	}
	if w.idleCycle != sentinel {
		t.Errorf("idle cycle taken with a call still running: %d", w.idleCycle)
	}
	_, _, before := readHeap()
	w.unregister(b)
	_, _, after := readHeap()
	if len(w.running) != 0 {
		t.Fatalf("running %d", len(w.running))
	}
	// A fresh reading, not the sampler's (the test's cycles field is 0).
	if w.idleCycle < before || w.idleCycle > after {
		t.Errorf("idle cycle %d, want the GC count now (%d..%d)", w.idleCycle, before, after)
	}
	if w.reclaiming || w.reclaimGen != 0 {
		t.Errorf("reclaiming after calls that were not stopped: %v, gen %d", w.reclaiming, w.reclaimGen)
	}
	// Unregistering twice is harmless.
	w.unregister(b)
	if len(w.running) != 0 {
		t.Fatalf("running %d", len(w.running))
	}
}

func TestWatchdogAttribute(t *testing.T) {
	cases := []struct {
		name   string
		busy   [3]bool
		growth float64
		want   [3]float64
	}{
		{"one busy call takes it all", [3]bool{true, false, false}, 90, [3]float64{90, 0, 0}},
		{"shared among the busy", [3]bool{true, true, false}, 90, [3]float64{45, 45, 0}},
		{"all busy", [3]bool{true, true, true}, 90, [3]float64{30, 30, 30}},
		{"nobody busy: shared among all", [3]bool{}, 90, [3]float64{30, 30, 30}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWatchdogForTest(t, 1000)
			var invs [3]*invocation
			for i := range invs {
				invs[i] = newWatchdogInv()
				invs[i].score = 10 // growth adds to what was attributed before
				invs[i].busy.Store(c.busy[i])
				w.running[invs[i]] = struct{}{}
			}
			w.attribute(c.growth)
			for i, inv := range invs {
				if inv.score != 10+c.want[i] {
					t.Errorf("call %d: score %v, want %v", i, inv.score, 10+c.want[i])
				}
			}
		})
	}
	// No running call: nothing to attribute to, and no division by zero panic.
	w := newWatchdogForTest(t, 1000)
	w.attribute(100)
}

// TestWatchdogOverLimit drives overLimit with synthetic heap sizes and GC counts: the
// budget is 800 (a call must have grown by 100 to be stopped; urgent is 400 over the
// limit of 1000).
func TestWatchdogOverLimit(t *testing.T) {
	const budget, limit = 800, 1000
	t0 := time.Now()
	type call struct {
		score  float64
		age    time.Duration // started this long before t0
		killed bool
	}
	cases := []struct {
		name   string
		calls  []call
		setup  func(w *watchdog)
		heap   uint64
		cycles uint64

		victim     int // index in calls, -1 for none
		gcAsks     uint64
		gcAsked    bool
		gcPending  bool
		reclaiming bool
	}{
		{name: "first excess: a GC, no victim", calls: []call{{score: 500}},
			heap: 1100, cycles: 5, victim: -1, gcAsks: 1, gcAsked: true, gcPending: true},
		{name: "the GC asked for has not returned", calls: []call{{score: 500}},
			setup: func(w *watchdog) { w.gcAsked, w.gcPending, w.askCycle = true, true, 5 },
			heap:  1100, cycles: 6, victim: -1, gcAsked: true, gcPending: true},
		{name: "a cycle started after the ask completed", calls: []call{{score: 500}},
			setup: func(w *watchdog) { w.gcAsked, w.gcPending, w.askCycle = true, true, 5 },
			heap:  1100, cycles: 7, victim: 0},
		{name: "after the GC: the top score is stopped", calls: []call{{score: 150}, {score: 300}, {score: 200}},
			setup: func(w *watchdog) { w.gcAsked = true },
			heap:  1100, cycles: 5, victim: 1},
		{name: "equal scores: the older call", calls: []call{{score: 300, age: time.Second}, {score: 300, age: 2 * time.Second}, {score: 300}},
			setup: func(w *watchdog) { w.gcAsked = true },
			heap:  1100, cycles: 5, victim: 1},
		{name: "a call already killed is skipped", calls: []call{{score: 900, killed: true}, {score: 200}},
			setup: func(w *watchdog) { w.gcAsked = true },
			heap:  1100, cycles: 5, victim: 1},
		{name: "an eighth of the budget is enough", calls: []call{{score: budget / 8}},
			setup: func(w *watchdog) { w.gcAsked = true },
			heap:  1100, cycles: 5, victim: 0},
		{name: "nobody grew an eighth of the budget: no victim", calls: []call{{score: budget/8 - 1}, {score: 50}},
			setup: func(w *watchdog) { w.gcAsked = true },
			heap:  1100, cycles: 5, victim: -1, gcAsked: true},
		{name: "urgent but nobody grew: a GC instead", calls: []call{{score: budget/8 - 1}},
			heap: limit + budget/2 + 1, cycles: 5, victim: -1, gcAsks: 1, gcAsked: true, gcPending: true},
		{name: "urgent: no GC first", calls: []call{{score: 300}},
			heap: limit + budget/2 + 1, cycles: 5, victim: 0},
		{name: "just not urgent: a GC first", calls: []call{{score: 300}},
			heap: limit + budget/2, cycles: 5, victim: -1, gcAsks: 1, gcAsked: true, gcPending: true},
		{name: "urgent: no wait for the pending GC", calls: []call{{score: 300}},
			setup: func(w *watchdog) { w.gcAsked, w.gcPending, w.askCycle = true, true, 5 },
			heap:  limit + budget/2 + 1, cycles: 5, victim: 0, gcPending: true},
		{name: "reclaiming the last victim: wait", calls: []call{{score: 300}},
			setup: func(w *watchdog) { w.gcAsked, w.reclaiming, w.reclaimCycle = true, true, 5 },
			heap:  1100, cycles: 6, victim: -1, gcAsked: true, reclaiming: true},
		{name: "reclaiming ends when a later cycle completed", calls: []call{{score: 300}},
			setup: func(w *watchdog) { w.gcAsked, w.reclaiming, w.reclaimCycle = true, true, 5 },
			heap:  1100, cycles: 7, victim: 0},
		{name: "urgent while reclaiming", calls: []call{{score: 300}},
			setup: func(w *watchdog) { w.gcAsked, w.reclaiming, w.reclaimCycle = true, true, 5 },
			heap:  limit + budget/2 + 1, cycles: 5, victim: 0, reclaiming: true},
		{name: "the last victim is still stopping", calls: []call{{score: 300}},
			setup: func(w *watchdog) { w.victim = newWatchdogInv() },
			heap:  5000, cycles: 5, victim: -1},
		{name: "no call running", heap: 5000, cycles: 5, victim: -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWatchdogForTest(t, budget)
			w.limit.Store(limit)
			invs := make([]*invocation, len(c.calls))
			for i, cl := range c.calls {
				inv := newWatchdogInv()
				inv.score, inv.start, inv.killed = cl.score, t0.Add(-cl.age), cl.killed
				invs[i] = inv
				w.running[inv] = struct{}{}
			}
			if c.setup != nil {
				c.setup(w)
			}
			prevVictim := w.victim
			w.cycles.Store(c.cycles)
			// Under the lock, as the sampler calls it: the GC goroutine askGC starts
			// reports under it too, so what is checked below is overLimit's doing.
			w.mu.Lock()
			w.overLimit(c.heap, limit, c.cycles)
			if w.gcGen != c.gcAsks || w.gcAsked != c.gcAsked || w.gcPending != c.gcPending || w.reclaiming != c.reclaiming {
				t.Errorf("GC asked %d times, gcAsked %v, gcPending %v, reclaiming %v; want %d, %v, %v, %v",
					w.gcGen, w.gcAsked, w.gcPending, w.reclaiming, c.gcAsks, c.gcAsked, c.gcPending, c.reclaiming)
			}
			if c.gcAsks > 0 && w.askCycle != c.cycles {
				t.Errorf("ask cycle %d, want %d", w.askCycle, c.cycles)
			}
			victim := w.victim
			w.mu.Unlock()

			if c.victim < 0 {
				if victim != prevVictim {
					t.Errorf("a victim was chosen: %+v", victim)
				}
			} else if victim != invs[c.victim] {
				t.Errorf("victim %p, want call %d (%p)", victim, c.victim, invs[c.victim])
			}
			for i, inv := range invs {
				stopped := c.victim == i
				if stopped != (inv.stopReason.Load() == stopMemory) || stopped != inv.memoryKilled.Load() {
					t.Errorf("call %d: stop reason %d, memoryKilled %v", i, inv.stopReason.Load(), inv.memoryKilled.Load())
				}
				if c.calls[i].killed {
					continue
				}
				if inv.killed != stopped {
					t.Errorf("call %d: killed %v", i, inv.killed)
				}
				if watchdogInterrupted(inv) != stopped {
					t.Errorf("call %d: VM interrupted %v", i, !stopped)
				}
			}
			if c.gcAsks > 0 {
				// The GC asked for reports back when it has returned.
				watchdogWait(t, w, "the GC asked for to return", func() bool { return !w.gcPending })
			}
		})
	}
}

// A stopped call ending makes the watchdog reclaim its VM: nothing else is stopped
// (unless urgent) until that GC has returned.
func TestWatchdogVictimReclaimed(t *testing.T) {
	const budget = 800
	w := newWatchdogForTest(t, budget)
	w.limit.Store(1000)
	bomb, other := newWatchdogInv(), newWatchdogInv()
	w.register(bomb)
	w.register(other)
	bomb.score, other.score = 700, 150
	w.mu.Lock()
	w.gcAsked = true
	w.overLimit(1100, 1000, 5)
	w.mu.Unlock()
	if w.victim != bomb || !bomb.memoryKilled.Load() || other.stopReason.Load() != 0 {
		t.Fatalf("victim %p (bomb %p)", w.victim, bomb)
	}

	// Another call ending changes nothing.
	w.unregister(other)
	w.mu.Lock()
	if w.victim != bomb || w.reclaimGen != 0 || w.reclaiming {
		t.Errorf("after another call ended: victim %p, reclaim gen %d, reclaiming %v", w.victim, w.reclaimGen, w.reclaiming)
	}
	w.mu.Unlock()

	w.register(other)
	w.mu.Lock()
	w.gcAsked = true // the reclaiming GC clears a request made meanwhile
	w.mu.Unlock()
	_, _, before := readHeap()
	w.unregister(bomb)
	_, _, after := readHeap()
	w.mu.Lock()
	if w.victim != nil || w.reclaimGen != 1 || w.reclaimCycle < before || w.reclaimCycle > after {
		t.Errorf("after the victim ended: victim %p, reclaim gen %d, reclaim cycle %d (%d..%d)", w.victim, w.reclaimGen, w.reclaimCycle, before, after)
	}
	w.mu.Unlock()
	watchdogWait(t, w, "the reclaiming GC to return", func() bool { return !w.reclaiming && !w.gcAsked })

	// The next excess starts over: a GC first, then the remaining call if it grows.
	other.score = 500
	w.mu.Lock()
	w.overLimit(1100, 1000, w.reclaimCycle)
	asked, victim := w.gcGen, w.victim
	w.gcPending = false // as if that GC had returned
	w.overLimit(1100, 1000, w.reclaimCycle)
	victim2 := w.victim
	w.mu.Unlock()
	if asked != 1 || victim != nil || victim2 != other {
		t.Errorf("after reclaiming: GC asks %d, victims %p then %p (other %p)", asked, victim, victim2, other)
	}
	w.unregister(other)
}

// The sampler runs while calls run and a little after: it publishes the heap, lowers
// the baseline to a GC's live heap, clears the GC request once under the limit, and
// stops when idle.
func TestWatchdogSampler(t *testing.T) {
	watchdogSetMemoryLimit(t, math.MaxInt64)
	runtime.GC() // a live heap measured
	const budget = 1 << 40
	w := newWatchdog(newTestRuntime(RuntimeConfig{}), budget)
	const high = 1 << 50
	w.mu.Lock()
	w.baseline = high
	w.idleCycle = math.MaxUint64 - 10 // register keeps the baseline
	w.gcAsked = true
	w.mu.Unlock()

	inv := newWatchdogInv()
	w.register(inv)
	w.mu.Lock()
	if !w.sampling {
		t.Error("no sampler after register")
	}
	w.mu.Unlock()
	watchdogWait(t, w, "the sampler's first readings", func() bool {
		return w.heap.Load() > 0 && w.cycles.Load() > 0 && w.baseline < high && !w.gcAsked
	})
	w.mu.Lock()
	if heap, limit := w.levels(); w.baseline == 0 || limit != w.baseline+budget || heap == 0 {
		t.Errorf("baseline %d, levels %d %d", w.baseline, heap, limit)
	}
	w.mu.Unlock()

	w.unregister(inv)
	watchdogWait(t, w, "the idle sampler to stop", func() bool { return !w.sampling })
	// The next call starts a new one.
	w.register(inv)
	w.mu.Lock()
	if !w.sampling {
		t.Error("no sampler for the next call")
	}
	w.mu.Unlock()
	w.unregister(inv)
	watchdogWait(t, w, "the idle sampler to stop", func() bool { return !w.sampling })
}
