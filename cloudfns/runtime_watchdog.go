package cloudfns

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// The memory watchdog. goja has no heap limit and all VMs share the Go heap, so the
// runtime watches that heap while invocations run and stops the one most likely
// responsible when it grows past the budget:
//
//   - Sampling: while any invocation runs (and 100 ms after), a goroutine reads
//     runtime/metrics every 5 ms: the bytes of heap objects (live and not yet swept),
//     the live heap at the last GC and the count of GC cycles.
//   - Budget: limit = baseline + MaxHeapBytes, where baseline is the live heap measured
//     by a GC that started after the runtime last became idle (PocketBase, caches, warm
//     instances; a cycle already running then may have marked a finished call's garbage
//     live), or by any later GC that marked less. With GOMEMLIMIT set, the limit is kept
//     under 90% of it.
//   - Attribution: each positive heap delta between two samples is shared among the
//     invocations running JavaScript at that moment (those waiting for timers or I/O
//     allocate nothing). A runaway allocation grows its share every sample, while short
//     calls collect little before they end; the score is growth, not age.
//   - Decision: above the limit the watchdog first drops idle warm instances and asks
//     for a GC (much of the heap may be garbage); if that GC has returned and the heap is
//     still above the limit, or it is already 50% above, the invocation with the highest
//     score is stopped (marked memoryKilled, its VM interrupted and its context, if any,
//     cancelled, which ends any blocking native call) and fails with CodeMemory. A call
//     is stopped only if at least an eighth of the budget of growth was attributed to
//     it: an excess that no running call grew (garbage not yet swept, memory held
//     elsewhere in the process) gets a GC, not a victim. After a kill, nothing else is
//     killed (unless urgent) until the victim has ended and a forced GC (runtime.GC,
//     which also finishes sweeping; debug.FreeOSMemory follows) has returned, having
//     reclaimed its VM (the runtime drops every reference to a killed VM first). Both
//     waits end when the goroutine that ran the GC returns or when a GC cycle that
//     started after the wait began has completed, not as soon as the cycle count moves:
//     a cycle already under way when the VM was dropped may have marked it live.
//
// Work done in one native step (a huge String.prototype.repeat, JSON.stringify of a
// structure sharing one big string…) cannot be interrupted; globals_guard.go caps those
// before they start.
//
// debug.SetMemoryLimit is deliberately not called: it is process-wide (PocketBase's
// caches live in the same heap) and a soft limit below the live heap makes the GC
// thrash instead of failing the runaway call. Operators may set GOMEMLIMIT; the
// watchdog then stays under it.

const (
	sampleEvery = 5 * time.Millisecond
	idleLinger  = 100 * time.Millisecond
)

type watchdog struct {
	rt     *Runtime
	budget uint64

	mu        sync.Mutex
	running   map[*invocation]struct{}
	sampling  bool
	baseline  uint64
	idleCycle uint64 // GC cycles completed when the runtime last became idle
	victim    *invocation
	gcAsked   bool // over the limit: idle instances dropped and a GC asked for
	gcPending bool // that GC has not returned yet: no kill unless urgent
	// After a kill: no other kill (unless urgent) until the GC that reclaims the
	// victim's VM has returned.
	reclaiming bool
	// gcGen and reclaimGen tell the reports of the GC goroutines apart; askCycle and
	// reclaimCycle are the GC cycles completed when each was started (see overLimit).
	gcGen, reclaimGen      uint64
	askCycle, reclaimCycle uint64

	heap   atomic.Uint64
	limit  atomic.Uint64
	live   atomic.Uint64 // at the sampler's last tick
	cycles atomic.Uint64
}

// gcState returns the live heap and GC cycle count: the sampler's last reading while
// it runs (register/unregister stay cheap), a fresh one otherwise.
func (w *watchdog) gcState() (live, cycles uint64) {
	if w.sampling {
		return w.live.Load(), w.cycles.Load()
	}
	_, live, cycles = readHeap()
	return live, cycles
}

var (
	metricNames = []string{
		"/memory/classes/heap/objects:bytes",
		"/gc/heap/live:bytes",
		"/gc/cycles/total:gc-cycles",
	}
)

func readHeap() (objects, live, cycles uint64) {
	s := make([]metrics.Sample, len(metricNames))
	for i, n := range metricNames {
		s[i].Name = n
	}
	metrics.Read(s)
	get := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	return get(0), get(1), get(2)
}

func newWatchdog(r *Runtime, budget uint64) *watchdog {
	w := &watchdog{rt: r, budget: budget, running: map[*invocation]struct{}{}}
	_, live, cycles := readHeap()
	w.baseline = live
	w.idleCycle = cycles
	w.limit.Store(w.computeLimit())
	return w
}

func (w *watchdog) computeLimit() uint64 {
	limit := w.baseline + w.budget
	if ml := debug.SetMemoryLimit(-1); ml > 0 && ml < math.MaxInt64 {
		if cap := uint64(ml) / 10 * 9; cap < limit {
			limit = max(cap, w.baseline+w.budget/8)
		}
	}
	return limit
}

func (w *watchdog) levels() (heap, limit uint64) { return w.heap.Load(), w.limit.Load() }

func (w *watchdog) register(inv *invocation) {
	inv.start = time.Now()
	w.mu.Lock()
	if len(w.running) == 0 {
		// A GC that ran while idle measured what the runtime keeps between calls. Cycle
		// idleCycle+1 may have been under way already when the last call ended (and
		// marked its garbage live); idleCycle+2 started after.
		if live, cycles := w.gcState(); cycles >= w.idleCycle+2 && live > 0 {
			w.baseline = live
			w.limit.Store(w.computeLimit())
		}
	}
	w.running[inv] = struct{}{}
	if !w.sampling {
		w.sampling = true
		go w.sample()
	}
	w.mu.Unlock()
}

func (w *watchdog) unregister(inv *invocation) {
	w.mu.Lock()
	delete(w.running, inv)
	if len(w.running) == 0 {
		// A fresh reading: the sampler's may predate a GC that ran while this call was
		// still allocating, and a baseline measured by that GC would include its garbage.
		_, _, w.idleCycle = readHeap()
	}
	if w.victim == inv {
		// The runtime has dropped the victim's VM: reclaim it now, and stop nothing
		// else (unless urgent) until that GC has returned.
		w.victim = nil
		w.reclaiming = true
		w.reclaimGen++
		_, _, w.reclaimCycle = readHeap()
		gen := w.reclaimGen
		go func() {
			runtime.GC()
			w.mu.Lock()
			if w.reclaimGen == gen {
				w.reclaiming = false
				w.gcAsked = false
			}
			w.mu.Unlock()
			debug.FreeOSMemory()
		}()
	}
	w.mu.Unlock()
}

func (w *watchdog) sample() {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	var prev, seenCycles uint64
	idleSince := time.Time{}
	for now := range t.C {
		heap, live, cycles := readHeap()
		w.heap.Store(heap)
		w.live.Store(live)
		w.cycles.Store(cycles)
		w.mu.Lock()
		if cycles != seenCycles {
			// Any GC's live heap bounds what the runtime keeps between calls from above
			// (it also holds the running calls' objects): a lower one is a safe baseline,
			// and corrects one taken when the heap held a passing spike.
			seenCycles = cycles
			if live > 0 && live < w.baseline {
				w.baseline = live
				w.limit.Store(w.computeLimit())
			}
		}
		if len(w.running) == 0 {
			if idleSince.IsZero() {
				idleSince = now
			} else if now.Sub(idleSince) > idleLinger {
				w.sampling = false
				w.mu.Unlock()
				return
			}
			prev = heap
			w.mu.Unlock()
			continue
		}
		idleSince = time.Time{}
		if prev != 0 && heap > prev {
			w.attribute(float64(heap - prev))
		}
		prev = heap
		limit := w.limit.Load()
		if heap > limit {
			w.overLimit(heap, limit, cycles)
		} else {
			w.gcAsked = false
		}
		w.mu.Unlock()
	}
}

// attribute shares a heap growth among the invocations running JavaScript.
func (w *watchdog) attribute(growth float64) {
	busy := 0
	for inv := range w.running {
		if inv.busy.Load() {
			busy++
		}
	}
	if busy == 0 {
		share := growth / float64(len(w.running))
		for inv := range w.running {
			inv.score += share
		}
		return
	}
	share := growth / float64(busy)
	for inv := range w.running {
		if inv.busy.Load() {
			inv.score += share
		}
	}
}

// askGC drops the idle warm instances and runs a GC in the background; kills wait
// for it (unless urgent) until it has returned.
func (w *watchdog) askGC() {
	w.gcAsked = true
	w.gcPending = true
	w.askCycle = w.cycles.Load()
	w.gcGen++
	gen := w.gcGen
	go func() {
		w.rt.dropIdle()
		runtime.GC()
		w.mu.Lock()
		if w.gcGen == gen {
			w.gcPending = false
		}
		w.mu.Unlock()
	}()
}

func (w *watchdog) overLimit(heap, limit, cycles uint64) {
	if w.victim != nil {
		return // the last one is still stopping
	}
	// A GC waited for has done its work once its goroutine returned, or once a cycle
	// that started after it was asked for has completed (cycle n+1 may have been under
	// way already; n+2 started later), whichever comes first: under heavy allocation
	// runtime.GC can take long to return.
	if w.reclaiming && cycles >= w.reclaimCycle+2 {
		w.reclaiming = false
	}
	if w.gcPending && cycles >= w.askCycle+2 {
		w.gcPending = false
	}
	urgent := heap > limit+w.budget/2
	if w.reclaiming && !urgent {
		return
	}
	if w.gcPending && !urgent {
		return // the GC asked for has not returned
	}
	if !w.gcAsked && !urgent {
		w.askGC()
		return
	}
	var top *invocation
	for inv := range w.running {
		if inv.killed {
			continue
		}
		if top == nil || inv.score > top.score || (inv.score == top.score && inv.start.Before(top.start)) {
			top = inv
		}
	}
	if top == nil {
		return
	}
	if top.score < float64(w.budget)/8 {
		// Over the limit, but no running call grew the heap by much: the excess is
		// garbage not yet swept, or memory held elsewhere in the process. Stopping a
		// call would not bring it down; a GC may (asked for once, until the heap is back
		// under the limit, so that memory held for good does not make the GC spin).
		if !w.gcAsked {
			w.askGC()
		}
		return
	}
	top.killed = true
	w.victim = top
	w.gcAsked = false
	top.stop(stopMemory)
}
