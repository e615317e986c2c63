// Package gctune keeps Go's garbage collector from running many times a second when
// the live heap is small.
//
// With the default GOGC=100 a collection starts whenever the heap has grown by as much
// as is live. Minicloud's live heap is small (about 12 MiB serving cloud functions at
// full load) while a request allocates several KiB, so the collector ran about 20 times
// a second and took 15-20% of the CPU. The tuner sets the GC percentage after each
// collection so that the heap may grow by at least Headroom bytes (64 MiB by default)
// before the next one: the same as GOGC=100 once the live heap is larger than that, and
// never more than MaxPercent. Operators who set GOGC keep their setting: the tuner is
// not started.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

const (
	// DefaultHeadroom is the heap growth allowed between collections when the live
	// heap is smaller than it.
	DefaultHeadroom = 64 << 20
	// MinPercent is Go's default GOGC: a large live heap is collected as usual.
	MinPercent = 100
	// MaxPercent caps the percentage for a nearly empty heap.
	MaxPercent = 1000
)

const liveHeapMetric = "/gc/heap/live:bytes"

// Tuner adjusts the GC percentage after every collection.
type Tuner struct {
	headroom uint64
	percent  atomic.Int64
	cycles   atomic.Uint64
	stopped  atomic.Bool
	prev     int // the percentage before Start, restored by Stop
	mu       sync.Mutex
	sample   []metrics.Sample
}

// StartDefault starts a tuner with DefaultHeadroom unless the GOGC environment
// variable is set; it returns nil then.
func StartDefault() *Tuner {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	return Start(DefaultHeadroom)
}

// Start sets the percentage for the current live heap and re-sets it after every
// collection until Stop.
func Start(headroom uint64) *Tuner {
	t := &Tuner{headroom: headroom, sample: []metrics.Sample{{Name: liveHeapMetric}}}
	t.prev = debug.SetGCPercent(MinPercent)
	t.percent.Store(MinPercent)
	t.adjust()
	t.arm()
	return t
}

// Percent is the GC percentage the tuner set last.
func (t *Tuner) Percent() int { return int(t.percent.Load()) }

// Cycles counts the collections the tuner has seen.
func (t *Tuner) Cycles() uint64 { return t.cycles.Load() }

// Stop ends the tuning and restores the percentage in force before Start.
func (t *Tuner) Stop() {
	if t == nil || t.stopped.Swap(true) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	debug.SetGCPercent(t.prev)
}

// arm registers a finalizer on a fresh object: it runs after the next collection
// that finds the object unreachable, i.e. once per GC cycle, and re-arms itself.
func (t *Tuner) arm() {
	s := &sentinel{t: t}
	runtime.SetFinalizer(s, func(s *sentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.cycles.Add(1)
		s.t.adjust()
		s.t.arm()
	})
}

// sentinel holds a pointer, so it is never a tiny allocation (those share a block
// and may outlive the cycle).
type sentinel struct{ t *Tuner }

// adjust sets the percentage from the live heap the last collection marked.
func (t *Tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample)
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	p := PercentFor(live, t.headroom)
	// Small moves are not worth a change (each one recomputes the heap goal).
	if old := int(t.percent.Load()); p == old || (p > old && p < old+old/10) || (p < old && p > old-old/10) {
		return
	}
	debug.SetGCPercent(p)
	t.percent.Store(int64(p))
}

// PercentFor is the GC percentage that lets a live heap of live bytes grow by at
// least headroom bytes, between MinPercent and MaxPercent.
func PercentFor(live, headroom uint64) int {
	if live == 0 {
		return MaxPercent
	}
	p := headroom * 100 / live
	switch {
	case p < MinPercent:
		return MinPercent
	case p > MaxPercent:
		return MaxPercent
	}
	return int(p)
}
