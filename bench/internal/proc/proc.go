// Package proc starts and stops the server processes a benchmark drives and reads
// what they use (CPU time, resident memory) from /proc.
package proc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	startTimeout = 60 * time.Second // a server must answer its health path within this
	stopTimeout  = 15 * time.Second // SIGTERM, then SIGKILL after this
	pollEvery    = 50 * time.Millisecond
)

// Spec is a server process to start. The literal PORT in Args is replaced by a free
// loopback port, which the server must listen on.
type Spec struct {
	Name    string
	Bin     string
	Args    []string
	Env     []string // added to this process's environment
	LogPath string   // the server's stdout and stderr
	Health  string   // a path that answers 200 once the server serves (default /api/health)
}

// MinicloudSpec is `bin serve --http 127.0.0.1:PORT --dir dataDir` (PocketBase's serve
// takes the same flags).
func MinicloudSpec(name, bin, dataDir, logPath string, env ...string) Spec {
	return Spec{Name: name, Bin: bin, Args: []string{"serve", "--http", "127.0.0.1:PORT", "--dir", dataDir}, Env: env, LogPath: logPath}
}

// Server is a running server process.
type Server struct {
	Name    string
	Base    string // http://127.0.0.1:port
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
}

var (
	mu      sync.Mutex
	running []*Server
	stopMu  sync.Mutex
)

// FreePort returns a loopback port nothing listens on.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs spec and waits until its health path answers 200.
func Start(ctx context.Context, spec Spec) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	p := strconv.Itoa(port)
	args := make([]string, len(spec.Args))
	for i, a := range spec.Args {
		args[i] = strings.ReplaceAll(a, "PORT", p)
	}
	health := spec.Health
	if health == "" {
		health = "/api/health"
	}
	logFile, err := os.Create(spec.LogPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(spec.Bin, args...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	s := &Server{Name: spec.Name, Base: "http://127.0.0.1:" + p, LogPath: spec.LogPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	mu.Lock()
	running = append(running, s)
	mu.Unlock()

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited during start-up; see %s", spec.Name, spec.LogPath)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(pollEvery): // polling the health path until it answers
		}
		resp, err := http.Get(s.Base + health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				slog.Info("serving", "server", spec.Name, "at", s.Base, "pid", cmd.Process.Pid, "log", spec.LogPath)
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not become healthy within %v; see %s", spec.Name, startTimeout, spec.LogPath)
		}
	}
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Stop sends SIGTERM and waits, killing the process after stopTimeout.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	s.wait()
}

func (s *Server) wait() {
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// StopAll stops every server Start started: SIGTERM to all at once, then waits for
// each. Concurrent callers wait for the first one.
func StopAll() {
	stopMu.Lock()
	defer stopMu.Unlock()
	mu.Lock()
	list := running
	running = nil
	mu.Unlock()
	for _, s := range list {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, s := range list {
		s.wait()
	}
}

// Interruptible returns a context that ends on SIGINT or SIGTERM (or stop), and stops
// every server Start started when it ends: an interrupted bench leaves none behind.
func Interruptible() (ctx context.Context, stop context.CancelFunc) {
	ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		StopAll()
	}()
	return ctx, stop
}

// CPUTime returns the CPU time (user + system, all threads) a process has used so far;
// ok is false where /proc is unavailable.
func CPUTime(pid int) (d time.Duration, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return ParseCPUTime(string(b))
}

// ParseCPUTime reads utime+stime from the text of /proc/<pid>/stat.
func ParseCPUTime(stat string) (time.Duration, bool) {
	i := strings.LastIndexByte(stat, ')') // the command name may hold spaces
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const clockTicks = 100 // USER_HZ, 100 on every Linux platform Go supports
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

// RSS returns a process's resident set size in bytes (VmRSS), 0 if unknown.
func RSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	return ParseRSS(string(b))
}

// ParseRSS reads VmRSS from the text of /proc/<pid>/status.
func ParseRSS(status string) int64 {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// RSSSampler records a process's peak resident set size while it runs.
type RSSSampler struct {
	stop chan struct{}
	done chan int64
}

// SampleRSS starts reading pid's RSS every interval until Peak is called.
func SampleRSS(pid int, every time.Duration) *RSSSampler {
	s := &RSSSampler{stop: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		peak := RSS(pid)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				s.done <- max(peak, RSS(pid))
				return
			case <-t.C:
				peak = max(peak, RSS(pid))
			}
		}
	}()
	return s
}

// Peak stops the sampler and returns the largest RSS it saw, in bytes.
func (s *RSSSampler) Peak() int64 {
	close(s.stop)
	return <-s.done
}

// RepoRoot finds the minicloud repository above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/minicloud/minicloud\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the minicloud repository (go run ./bench/...)")
		}
		dir = parent
	}
}

// GoBuild builds pkg (relative to root) into out.
func GoBuild(root, out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// GitDescribe names the commit the binaries are built from ("unknown" outside git).
func GitDescribe(root string) string {
	cmd := exec.Command("git", "describe", "--always", "--dirty")
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}
