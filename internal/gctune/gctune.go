// Package gctune keeps Go's garbage collector from running many times a second when
// the live heap is small.
//
// With the default GOGC=100 a collection starts whenever the heap has grown by as much
// as is live. Minicloud's live heap is small (about 12 MiB serving cloud functions at
// full load) while a request allocates several KiB, so the collector ran about 20 times
// a second and took 15-20% of the CPU. The tuner sets the GC percentage after each
// collection so that the heap may grow by at least a headroom of bytes before the next
// one: the same as GOGC=100 once the live heap is larger than that, and never more than
// MaxPercent. The default headroom is a sixteenth of the memory the process may use
// (the machine's, its cgroup's limit or GOMEMLIMIT, whichever is least), between 64
// and 256 MiB: in back-to-back runs of bench/fn a function-heavy call took ~12% less
// CPU with 256 MiB than with 64, and a 1 GiB container keeps 64. Operators who set
// GOGC keep their setting: the tuner is not started.
package gctune

import (
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

const (
	// MinHeadroom and MaxHeadroom bound the default headroom: the heap growth allowed
	// between collections when the live heap is smaller than it.
	MinHeadroom = 64 << 20
	MaxHeadroom = 256 << 20
	// memoryShare: the default headroom is 1/memoryShare of the memory available.
	memoryShare = 16
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

// StartDefault starts a tuner with the headroom for the memory available
// (HeadroomFor) unless the GOGC environment variable is set; it returns nil then.
func StartDefault() *Tuner {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	memory := availableMemory("/")
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 && (memory == 0 || uint64(limit) < memory) {
		memory = uint64(limit)
	}
	return Start(HeadroomFor(memory))
}

// HeadroomFor is the default headroom for a process that may use memory bytes (0:
// unknown): a sixteenth of it, between MinHeadroom and MaxHeadroom.
func HeadroomFor(memory uint64) uint64 {
	return min(max(memory/memoryShare, MinHeadroom), MaxHeadroom)
}

// availableMemory is the least of the machine's memory and the memory limits of the
// process's cgroup and its ancestors (v2 memory.max, v1 memory.limit_in_bytes), read
// from the files under root; 0 when none can be read.
func availableMemory(root string) uint64 {
	var memory uint64
	least := func(n uint64) {
		if n > 0 && (memory == 0 || n < memory) {
			memory = n
		}
	}
	if b, err := os.ReadFile(filepath.Join(root, "proc/meminfo")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil { // "MemTotal: 24683792 kB"
					least(kb << 10)
				}
			}
		}
	}
	v2, v1 := cgroupPaths(root)
	for _, c := range []struct{ base, rel, file string }{
		{filepath.Join(root, "sys/fs/cgroup"), v2, "memory.max"},
		{filepath.Join(root, "sys/fs/cgroup/memory"), v1, "memory.limit_in_bytes"},
	} {
		// A parent's limit binds its children too: walk up to the hierarchy's root.
		for rel := path.Clean(c.rel); ; rel = path.Dir(rel) {
			if b, err := os.ReadFile(filepath.Join(c.base, rel, c.file)); err == nil {
				// "max" (v2) or a huge number (v1) means no limit: ParseUint fails or
				// the machine's memory is less.
				if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
					least(n)
				}
			}
			if rel == "/" {
				break
			}
		}
	}
	return memory
}

// cgroupPaths reads the process's cgroup v2 path and v1 memory path from
// /proc/self/cgroup under root ("/" when absent: a container sees its own cgroup at
// the root).
func cgroupPaths(root string) (v2, v1 string) {
	v2, v1 = "/", "/"
	b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return v2, v1
	}
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") || strings.Contains(parts[2], "..") {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2 = parts[2]
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			v1 = parts[2]
		}
	}
	return v2, v1
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
