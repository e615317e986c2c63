package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

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

// gctrace lines (GODEBUG=gctrace=1): "gc 12 @3.4s 2%: … ms cpu, 40->41->21 MB, 42 MB goal, …";
// the third heap figure is the live heap the cycle marked.
var gcLine = regexp.MustCompile(`^gc (\d+) @.* (\d+)->(\d+)->(\d+) MB`)

// gcCycle is one GC cycle a gctrace log reports: its number and the live heap it marked.
type gcCycle struct {
	n    int
	live int64 // bytes (gctrace's resolution is 1 MB)
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
		mb, _ := strconv.ParseInt(string(m[4]), 10, 64)
		out = append(out, gcCycle{n: n, live: mb << 20})
	}
	return out
}
