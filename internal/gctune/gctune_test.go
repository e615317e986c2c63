package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, 64 << 20, MaxPercent},
		{1 << 20, 64 << 20, MaxPercent},  // 6400% capped
		{12 << 20, 64 << 20, 533},        // the functions server under load
		{64 << 20, 64 << 20, MinPercent}, // as GOGC=100
		{1 << 30, 64 << 20, MinPercent},  // large heaps: Go's default
		{32 << 20, 64 << 20, 200},
	} {
		if got := PercentFor(c.live, c.headroom); got != c.want {
			t.Errorf("PercentFor(%d, %d) = %d, want %d", c.live, c.headroom, got, c.want)
		}
	}
}

// waitCycles runs collections until the tuner has seen n more of them.
func waitCycles(t *testing.T, tu *Tuner, n uint64) {
	t.Helper()
	target := tu.Cycles() + n
	deadline := time.Now().Add(10 * time.Second)
	for tu.Cycles() < target {
		if time.Now().After(deadline) {
			t.Fatalf("tuner saw %d cycles, want %d", tu.Cycles(), target)
		}
		runtime.GC()
		runtime.Gosched()
	}
}

var keep [][]byte

func TestTunerFollowsTheLiveHeap(t *testing.T) {
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)

	tu := Start(8 << 20)
	defer func() {
		keep = nil
		tu.Stop()
		if got := debug.SetGCPercent(before); got != before {
			t.Errorf("Stop left GOGC at %d, want %d", got, before)
		}
	}()
	waitCycles(t, tu, 2)
	small := tu.Percent()
	if small <= MinPercent {
		t.Fatalf("small live heap: percent %d, want above %d", small, MinPercent)
	}
	if got := debug.SetGCPercent(small); got != small {
		t.Fatalf("runtime GOGC %d, tuner says %d", got, small)
	}

	// Keep 32 MiB live: more than the headroom, so Go's default applies.
	for i := 0; i < 32; i++ {
		b := make([]byte, 1<<20)
		b[0] = 1
		keep = append(keep, b)
	}
	waitCycles(t, tu, 2)
	if p := tu.Percent(); p != MinPercent {
		t.Fatalf("large live heap: percent %d, want %d", p, MinPercent)
	}

	keep = nil
	waitCycles(t, tu, 2)
	if p := tu.Percent(); p <= MinPercent {
		t.Fatalf("heap freed again: percent %d, want above %d", p, MinPercent)
	}
}

func TestStartDefaultLeavesGOGCToTheOperator(t *testing.T) {
	t.Setenv("GOGC", "150")
	if tu := StartDefault(); tu != nil {
		tu.Stop()
		t.Fatal("tuner started although GOGC is set")
	}
}
