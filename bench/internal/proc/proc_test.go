package proc

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseCPUTime(t *testing.T) {
	stat := "1234 (my server) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 0 0"
	d, ok := ParseCPUTime(stat)
	if !ok || d != 3*time.Second {
		t.Fatalf("got %v %v, want 3s", d, ok)
	}
	if _, ok := ParseCPUTime("garbage"); ok {
		t.Error("garbage parsed")
	}
}

func TestParseRSS(t *testing.T) {
	if got := ParseRSS("Name:\tx\nVmRSS:\t  2048 kB\nThreads: 3\n"); got != 2048<<10 {
		t.Fatalf("got %d", got)
	}
	if got := ParseRSS("Name: x\n"); got != 0 {
		t.Fatalf("got %d", got)
	}
}

func TestOwnProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, ok := CPUTime(os.Getpid()); !ok {
		t.Error("CPUTime of this process")
	}
	if RSS(os.Getpid()) <= 0 {
		t.Error("RSS of this process")
	}
	if peak := SampleRSS(os.Getpid(), time.Millisecond).Peak(); peak <= 0 {
		t.Errorf("peak RSS %d", peak)
	}
}

// TestMain doubles as the server process of TestStartStop: with PROC_TEST_SERVE set,
// the test binary serves /api/health on the address given after -serve.
func TestMain(m *testing.M) {
	if os.Getenv("PROC_TEST_SERVE") == "1" {
		addr := os.Args[len(os.Args)-1]
		http.HandleFunc("/api/health", func(w http.ResponseWriter, r *http.Request) {})
		_ = http.ListenAndServe(addr, nil)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestStartStop(t *testing.T) {
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), Spec{Name: "self", Bin: self, Args: []string{"-serve", "127.0.0.1:PORT"},
		Env: []string{"PROC_TEST_SERVE=1"}, LogPath: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.Base + "/api/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	StopAll()
	select {
	case <-s.Done():
	default:
		t.Fatal("StopAll returned before the process exited")
	}
}

func TestStartFailsForExitingProcess(t *testing.T) {
	dir := t.TempDir()
	_, err := Start(context.Background(), Spec{Name: "false", Bin: "/bin/false", LogPath: filepath.Join(dir, "log")})
	if err == nil || !strings.Contains(err.Error(), "exited during start-up") {
		t.Fatalf("Start of /bin/false: %v", err)
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
}

func TestInterruptibleEndsOnSIGINT(t *testing.T) {
	ctx, stop := Interruptible()
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context did not end on SIGINT")
	}
}
