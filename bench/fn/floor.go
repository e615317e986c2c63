package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/bench/internal/proc"
	"github.com/minicloud/minicloud/internal/gctune"
)

// The interpreter's floor: what running main alone costs, in process and on an event
// built once, in a bare goja VM (no Minicloud runtime: no guards, no limits, no HTTP)
// and in Node's V8. Whatever Minicloud does around main, a request cannot cost its
// server less CPU than the goja figure, so with the load generator's own CPU per
// request (measured during the load runs) it bounds the requests/s any goja-based
// server could reach on this machine.

// floorRun is how long each interpreter runs main, after as long again of warm-up.
const floorRun = 1500 * time.Millisecond

// floorStats is one function's floor.
type floorStats struct {
	scenario string
	goja     time.Duration // CPU per main call in a bare goja VM
	v8       time.Duration // CPU per main call in Node
	err      error
}

// interpreterFloor measures the trivial and transform functions' main in both.
func interpreterFloor(ctx context.Context, node, fnDir string) []floorStats {
	var out []floorStats
	for _, c := range []struct{ scenario, fn, src, event string }{
		{"trivial", fnTrivial, srcTrivial, trivialEvent},
		{"transform", fnTransform, srcTransform, transformEvent()},
	} {
		f := floorStats{scenario: c.scenario}
		f.goja, f.err = gojaMainCPU(ctx, c.src, c.event, floorRun)
		if f.err == nil {
			f.v8, f.err = nodeMainCPU(ctx, node, filepath.Join(fnDir, c.fn, "index.js"), c.event, floorRun)
		}
		if f.err == nil {
			logf("floor %-9s main alone: goja %s, V8 %s of CPU per call", c.scenario, floorMicros(f.goja), floorMicros(f.v8))
		}
		out = append(out, f)
	}
	return out
}

// gojaMainCPU loads src as a CommonJS module in a bare goja VM and returns the
// process CPU time per call of its main (awaited: its promise must be fulfilled).
// The collector is tuned as the server tunes its own (gctune), so the figure carries
// the same share of GC work.
func gojaMainCPU(ctx context.Context, src, event string, d time.Duration) (time.Duration, error) {
	defer gctune.StartDefault().Stop()
	vm := goja.New()
	wrapper, err := vm.RunString("(function (exports, require, module) {" + src + "\n})")
	if err != nil {
		return 0, err
	}
	load, _ := goja.AssertFunction(wrapper)
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	noRequire := func(goja.FunctionCall) goja.Value { panic(vm.NewTypeError("require is not available here")) }
	if _, err := load(goja.Undefined(), exports, vm.ToValue(noRequire), module); err != nil {
		return 0, err
	}
	main, ok := goja.AssertFunction(module.Get("exports").ToObject(vm).Get("main"))
	if !ok {
		return 0, errors.New("no main")
	}
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	ev, err := parse(goja.Undefined(), vm.ToValue(event))
	if err != nil {
		return 0, err
	}
	call := func() error {
		r, err := main(goja.Undefined(), ev)
		if err != nil {
			return err
		}
		if p, ok := r.Export().(*goja.Promise); ok {
			switch p.State() {
			case goja.PromiseStateRejected:
				return fmt.Errorf("main rejected: %v", p.Result())
			case goja.PromiseStatePending:
				return errors.New("main's promise is still pending")
			}
		}
		return nil
	}
	run := func(d time.Duration) (int, error) {
		n := 0
		for end := time.Now().Add(d); time.Now().Before(end); n += 100 {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			for i := 0; i < 100; i++ {
				if err := call(); err != nil {
					return n, err
				}
			}
		}
		return n, nil
	}
	if _, err := run(d); err != nil {
		return 0, err
	}
	cpu0, ok0 := proc.CPUTime(os.Getpid())
	n, err := run(d)
	cpu1, ok1 := proc.CPUTime(os.Getpid())
	if err != nil {
		return 0, err
	}
	if !ok0 || !ok1 || n == 0 {
		return 0, errors.New("no CPU time for this process")
	}
	return (cpu1 - cpu0) / time.Duration(n), nil
}

// nodeFloorScript times main alone in Node: argv FILE EVENT_JSON MILLISECONDS; prints
// {"n": calls, "cpu": microseconds of process CPU}.
const nodeFloorScript = `'use strict';
const [file, eventJSON, ms] = process.argv.slice(1); // node -e: no script path
const { main } = require(file);
const ev = JSON.parse(eventJSON);
async function run(d) {
  let n = 0;
  for (const end = performance.now() + d; performance.now() < end; n += 100) {
    for (let i = 0; i < 100; i++) await main(ev);
  }
  return n;
}
(async () => {
  await run(+ms);
  const c0 = process.cpuUsage();
  const n = await run(+ms);
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ n, cpu: c.user + c.system }));
})().catch((e) => { console.error(e); process.exit(1); });
`

// nodeMainCPU is gojaMainCPU in Node, for the index.js at file.
func nodeMainCPU(ctx context.Context, node, file, event string, d time.Duration) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, node, "-e", nodeFloorScript, file, event, fmt.Sprint(d.Milliseconds()))
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return 0, fmt.Errorf("node: %v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return 0, fmt.Errorf("node: %w", err)
	}
	var r struct {
		N   int     `json:"n"`
		CPU float64 `json:"cpu"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.N == 0 {
		return 0, fmt.Errorf("node printed %q", out)
	}
	return time.Duration(r.CPU * float64(time.Microsecond) / float64(r.N)), nil
}

// floorMicros prints a per-call time with 3 significant digits.
func floorMicros(d time.Duration) string {
	us := float64(d) / float64(time.Microsecond)
	switch {
	case us < 10:
		return fmt.Sprintf("%.2f µs", us)
	case us < 100:
		return fmt.Sprintf("%.1f µs", us)
	}
	return fmt.Sprintf("%.0f µs", us)
}
