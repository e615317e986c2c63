package gctune

import (
	"os"
	"path/filepath"
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

func TestHeadroomFor(t *testing.T) {
	for _, c := range []struct{ memory, want uint64 }{
		{0, MinHeadroom},             // unknown
		{512 << 20, MinHeadroom},     // a small container
		{1 << 30, MinHeadroom},       // 1 GiB: a sixteenth is 64 MiB
		{2 << 30, 128 << 20},         // 2 GiB
		{4 << 30, MaxHeadroom},       // 4 GiB
		{64 << 30, MaxHeadroom},      // a large machine
		{1<<63 + 12345, MaxHeadroom}, // cgroup v1's "no limit"
	} {
		if got := HeadroomFor(c.memory); got != c.want {
			t.Errorf("HeadroomFor(%d) = %d MiB, want %d MiB", c.memory, got>>20, c.want>>20)
		}
	}
}

func TestAvailableMemory(t *testing.T) {
	const meminfo = "MemTotal:        8000000 kB\nMemFree:         1000 kB\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		want  uint64
	}{
		{"nothing readable", nil, 0},
		{"machine only", map[string]string{"proc/meminfo": meminfo}, 8000000 << 10},
		{"cgroup v2 without a limit", map[string]string{"proc/meminfo": meminfo, "sys/fs/cgroup/memory.max": "max\n"}, 8000000 << 10},
		{"cgroup v2 limit", map[string]string{"proc/meminfo": meminfo, "sys/fs/cgroup/memory.max": "536870912\n"}, 512 << 20},
		{"cgroup v1 without a limit", map[string]string{"proc/meminfo": meminfo,
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 8000000 << 10},
		{"cgroup v1 limit", map[string]string{"proc/meminfo": meminfo,
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "1073741824"}, 1 << 30},
		{"limit above the machine", map[string]string{"proc/meminfo": meminfo, "sys/fs/cgroup/memory.max": "99999999999999"}, 8000000 << 10},
		{"garbage", map[string]string{"proc/meminfo": "MemTotal: lots\n", "sys/fs/cgroup/memory.max": "-1"}, 0},
		{"cgroup v2 of a systemd service", map[string]string{"proc/meminfo": meminfo,
			"proc/self/cgroup": "0::/system.slice/minicloud.service\n",
			"sys/fs/cgroup/system.slice/minicloud.service/memory.max": "268435456\n",
			"sys/fs/cgroup/system.slice/memory.max":                   "max\n"}, 256 << 20},
		{"cgroup v2 parent limit", map[string]string{"proc/meminfo": meminfo,
			"proc/self/cgroup": "0::/system.slice/minicloud.service\n",
			"sys/fs/cgroup/system.slice/minicloud.service/memory.max": "max\n",
			"sys/fs/cgroup/system.slice/memory.max":                   "1073741824\n"}, 1 << 30},
		{"cgroup v1 nested", map[string]string{"proc/meminfo": meminfo,
			"proc/self/cgroup": "9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n",
			"sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes": "536870912\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes":                 "9223372036854771712\n"}, 512 << 20},
		{"cgroup v1 with joined controllers", map[string]string{"proc/meminfo": meminfo,
			"proc/self/cgroup": "4:cpu,memory:/job\n",
			"sys/fs/cgroup/memory/job/memory.limit_in_bytes": "2147483648"}, 2 << 30},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range c.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := availableMemory(root); got != c.want {
				t.Fatalf("availableMemory = %d, want %d", got, c.want)
			}
		})
	}
	// This machine: something plausible (Linux CI has /proc/meminfo).
	if m := availableMemory("/"); m != 0 && m < 64<<20 {
		t.Fatalf("this machine has %d bytes?", m)
	}
}
