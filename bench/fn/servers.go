package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a running server subprocess (minicloud or the Node baseline).
type server struct {
	name    string
	base    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
}

var (
	serversMu sync.Mutex
	servers   []*server
)

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startProcess runs bin with args (PORT in an argument is replaced by a free port),
// logging to logPath, and waits until GET base+health answers 200.
func startProcess(ctx context.Context, name, bin string, args, env []string, logPath, health string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p := strconv.Itoa(port)
	args = append([]string(nil), args...)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "PORT", p)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, base: "http://127.0.0.1:" + p, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	serversMu.Lock()
	servers = append(servers, s)
	serversMu.Unlock()

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited during start-up; see %s", name, logPath)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(s.base + health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				logf("%s serving at %s (pid %d, log %s)", name, s.base, cmd.Process.Pid, logPath)
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s did not become healthy within 60s; see %s", name, logPath)
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stopServers stops every server this process started: SIGTERM, then SIGKILL after
// 15 seconds.
func stopServers() {
	stopMu.Lock()
	defer stopMu.Unlock()
	serversMu.Lock()
	list := servers
	servers = nil
	serversMu.Unlock()
	for _, s := range list {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, s := range list {
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
}

var stopMu sync.Mutex

// runCLI runs `minicloud ARGS --dir dataDir` and returns its combined output.
func runCLI(bin, dataDir string, args ...string) (string, error) {
	cmd := exec.Command(bin, append(args, "--dir", dataDir)...)
	cmd.Env = append(os.Environ(), "MINICLOUD_ENV_ID="+envID)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("minicloud %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// cpuTime returns the CPU time (user + system, all threads) a process has used, from
// /proc/<pid>/stat; ok is false where that is unavailable.
func cpuTime(pid int) (d time.Duration, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return parseCPUTime(string(b))
}

func parseCPUTime(stat string) (time.Duration, bool) {
	// the command name (field 2) may hold spaces: parse after its closing parenthesis
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const clockTicks = 100 // USER_HZ
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

// rssBytes returns a process's resident set size (VmRSS), or 0.
func rssBytes(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	return parseRSS(string(b))
}

func parseRSS(status string) uint64 {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// gctrace lines (GODEBUG=gctrace=1): "gc 12 @3.4s 2%: … ms cpu, 40->41->21 MB, 42 MB goal, …";
// the third heap figure is the live heap the cycle marked.
var gcLine = regexp.MustCompile(`^gc (\d+) @.* (\d+)->(\d+)->(\d+) MB`)

// gcCycle is one GC cycle a gctrace log reports: its number and the live heap it marked.
type gcCycle struct {
	n    int
	live uint64 // bytes (gctrace's resolution is 1 MB)
}

// gcCycles returns the GC cycles of a gctrace log.
func gcCycles(log []byte) []gcCycle {
	var out []gcCycle
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		m := gcLine.FindSubmatch(sc.Bytes())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(string(m[1]))
		mb, _ := strconv.ParseUint(string(m[4]), 10, 64)
		out = append(out, gcCycle{n: n, live: mb << 20})
	}
	return out
}
