package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/report"
)

// goal describes one goal's verdict.
func goal(name string, ok bool, detail string) string {
	v := "met"
	if !ok {
		v = "NOT met"
	}
	return fmt.Sprintf("%s: %s (%s)", name, detail, v)
}

// scenarioGoal is the req/s ratio goal of a load scenario and the label of its
// ratio row.
var scenarioGoal = map[string]struct {
	min   float64
	label string
}{
	"trivial":   {1.0, "**Minicloud/Node**"},
	"transform": {1.0, "**Minicloud/Node**"},
	"query":     {0.7, "**function/direct**"},
}

func printReport(o options, res results) {
	host, _ := os.Hostname()
	fmt.Println()
	fmt.Println("# Minicloud cloud functions vs Node.js")
	fmt.Println()
	fmt.Printf("minicloud built from %s · %s %s/%s · %d CPUs · host %s · node %s · %s\n", commit, runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), host, res.nodeVer, time.Now().Format("2006-01-02 15:04"))
	if o.prebuilt {
		fmt.Printf("(prebuilt binary: -mc-bin %s)\n", o.mcBin)
	}
	if len(o.mcEnv) > 0 {
		fmt.Printf("(server environment: %s)\n", strings.Join(o.mcEnv, " "))
	}
	fmt.Printf("%d connections (%s client) · per round and system: %s warm-up + %s measured in %d slices alternating with the other system · %d round(s), median reported · total %s\n",
		o.conc, o.client, o.warmup, o.dur, o.slices, o.rounds, res.elapsed.Round(time.Second))
	var goals []string
	for _, t := range res.tables {
		fmt.Println()
		fmt.Printf("## %s\n\n", t.cfg.title)
		var rows [][]string
		for _, sc := range allScenarios {
			r, ok := t.results[sc]
			if !ok {
				continue
			}
			var systems []string
			for _, name := range []string{"Minicloud", "Node", "function (wx-server-sdk)", "direct (database endpoint)"} {
				if _, ok := r[name]; ok {
					systems = append(systems, name)
				}
			}
			if len(systems) != 2 {
				continue
			}
			for _, sys := range systems {
				var per []string
				errs := 0
				for _, x := range r[sys] {
					per = append(per, report.Int(x.OPS()))
					errs += x.Errors
				}
				rows = append(rows, []string{sc, sys, report.Int(load.Median(r[sys], load.OPS)), report.Dur(time.Duration(load.Median(r[sys], load.P50))),
					report.Dur(time.Duration(load.Median(r[sys], load.P99))), report.Micros(time.Duration(load.Median(r[sys], load.CPU))), fmt.Sprint(errs), strings.Join(per, " / ")})
			}
			a, b := r[systems[0]], r[systems[1]]
			g := scenarioGoal[sc]
			ratio := func(f func(load.Stats) float64) string { return report.Ratio(load.Median(a, f), load.Median(b, f)) }
			rows = append(rows, []string{sc, g.label, "**" + ratio(load.OPS) + "**", ratio(load.P50), ratio(load.P99), ratio(load.CPU), "", ""})
			rr := load.Median(a, load.OPS) / load.Median(b, load.OPS)
			goals = append(goals, goal(fmt.Sprintf("%s/%s req/s ≥ %.1f× %s", t.cfg.name, sc, g.min, systems[1]), rr >= g.min,
				fmt.Sprintf("%.2f×; CPU/req %s", rr, ratio(load.CPU))))
		}
		report.Table(os.Stdout, []string{"scenario", "system", "req/s", "p50", "p99", "server CPU/req", "errors", "req/s per round"},
			rows, []bool{false, false, true, true, true, true, true, false})
	}

	printFloor(res)

	fmt.Println()
	fmt.Println("## First call after a deploy, and memory")
	fmt.Println()
	var rows [][]string
	if n := len(res.cold.first); n > 0 {
		first := load.MedianOf(res.cold.first)
		rows = append(rows, []string{fmt.Sprintf("d. first call after deploying a new version (median of %d)", n),
			report.Dur(first), fmt.Sprintf("min %s, max %s", report.Dur(slices.Min(res.cold.first)), report.Dur(slices.Max(res.cold.first))), "< 20 ms"})
		rows = append(rows, []string{"   the call after it (warm)", report.Dur(load.MedianOf(res.cold.warm)), "", ""})
		goals = append(goals, goal("first call after a deploy < 20 ms", first < 20*time.Millisecond, report.Dur(first)))
	}
	m := res.mem
	if m.n > 0 {
		rows = append(rows,
			[]string{fmt.Sprintf("e. one warm instance: server live Go heap growth / %d instances", m.n), fmt.Sprintf("%.0f KiB", m.livePerInstance()/1024),
				fmt.Sprintf("live heap %.0f → %.0f MiB (gctrace)", mib(m.liveBefore), mib(m.liveAfter)), ""},
			[]string{"   server RSS growth / instances", fmt.Sprintf("%.0f KiB", m.rssPerInstance()/1024),
				fmt.Sprintf("RSS %.1f → %.1f MiB", mib(m.rssBefore), mib(m.rssAfter)), ""})
	}
	switch {
	case m.goHeapErr != nil:
		rows = append(rows, []string{"   Go benchmark (cloudfns BenchmarkWarmInstanceMemory)", "failed", m.goHeapErr.Error(), ""})
	case m.goHeap > 0:
		rows = append(rows, []string{"   Go benchmark (cloudfns BenchmarkWarmInstanceMemory)", fmt.Sprintf("%.0f KiB", m.goHeap), "heap per warm instance of the transform function", ""})
	}
	report.Table(os.Stdout, []string{"measure", "value", "detail", "goal"}, rows, []bool{false, true, false, false})

	if len(res.checks) > 0 {
		fmt.Println()
		fmt.Println("Checks before measuring: " + strings.Join(res.checks, "; ") + ".")
	}
	fmt.Println()
	fmt.Printf("Goals:\n  %s\n", strings.Join(goals, "\n  "))
	fmt.Println()
	fmt.Println("Notes")
	fmt.Println("- Ratio rows divide the first system by the second: req/s above 1 means Minicloud (or the function) serves more;")
	fmt.Println("  p50/p99 and CPU/req below 1 mean faster / cheaper. Server CPU/req is the server process's user+system CPU over the")
	fmt.Println("  measured run per served request (/proc/<pid>/stat); it depends far less on other load than req/s.")
	fmt.Println("- Minicloud: POST /v1/functions/<name> with the event as the body and a Bearer token of one of the anonymous users")
	fmt.Println("  (verified on every request), every invocation recorded in the function log. Node: a minimal `http` server")
	fmt.Println("  (one process) that JSON.parses the body, awaits the same index.js's main and JSON.stringifies the result.")
	fmt.Println("  Both get the same request bodies from the same client, one kept-alive connection per worker.")
	fmt.Printf("- query: a function running db.collection('%s').where({k}).limit(1).get() through wx-server-sdk vs GET …/collections/%s/documents?query={\"k\":K}&limit=1;\n", collName, collName)
	fmt.Printf("  K random among %s documents indexed on k (READONLY preset), the same sequence for both.\n", report.Int(float64(o.docs)))
	fmt.Println("- d: `minicloud functions deploy` (another process) writes a new version while the server runs; the server notices")
	fmt.Println("  within a second, so the bench waits that long, then times the first call through the gateway (the version")
	fmt.Println("  lookup, loading and compiling the bundle, a new VM, the module's top level with wx-server-sdk, and main).")
	fmt.Println("- e: one instance each of functions that require wx-server-sdk and ran one database query; each is its own")
	fmt.Println("  version, so its compiled code is included. Live heap from the server's GODEBUG=gctrace=1 (1 MB resolution,")
	fmt.Println("  median of 5 cycles before and after); RSS includes allocator slack.")
	fmt.Println("- The load generator is this process, on the same CPUs as the servers; compare ratios and CPU/req, not absolutes.")
	fmt.Println("  Its default client (-client raw) is a minimal HTTP/1.1 client so that it takes little of the CPUs the servers")
	fmt.Println("  share with it; -client nethttp uses Go's net/http client (about 3× the client CPU per request).")
}

// printFloor prints main alone in each interpreter and the requests/s bounds it sets
// (floor.go), with the load generator's CPU per request and Node's requests/s from the
// first load table. Bound "main only": every other part of a request is free. Bound
// "+ the rest of a trivial call": the rest costs what it costs Minicloud's trivial
// function (HTTP, auth, event, result, log; its own main taken out).
func printFloor(res results) {
	if len(res.floor) == 0 {
		return
	}
	fmt.Println()
	fmt.Println("## The interpreter's floor: main alone, in process, on an event built once")
	fmt.Println()
	var first map[string]map[string][]load.Stats
	if len(res.tables) > 0 {
		first = res.tables[0].results
	}
	median := func(sc, sys string, f func(load.Stats) float64) (time.Duration, bool) {
		r := first[sc][sys]
		return time.Duration(load.Median(r, f)), len(r) > 0
	}
	var rest time.Duration // the trivial call's server CPU without its main
	for _, f := range res.floor {
		if cpu, ok := median("trivial", "Minicloud", load.CPU); ok && f.scenario == "trivial" && f.err == nil {
			rest = max(cpu-f.goja, 0)
		}
	}
	var rows [][]string
	for _, f := range res.floor {
		if f.err != nil {
			rows = append(rows, []string{f.scenario, "failed: " + f.err.Error(), "", "", "", "", "", "", "", ""})
			continue
		}
		row := []string{f.scenario, floorMicros(f.goja), floorMicros(f.v8), report.Ratio(float64(f.goja), float64(f.v8)), "", "", "", "", "", ""}
		nodeCPU, ok1 := median(f.scenario, "Node", load.CPU)
		client, ok2 := median(f.scenario, "Minicloud", load.ClientCPU)
		if ok1 && ok2 {
			nodeOPS := load.Median(first[f.scenario]["Node"], load.OPS)
			row[4], row[5] = floorMicros(nodeCPU), floorMicros(client)
			bound := func(per time.Duration) float64 { return float64(runtime.NumCPU()) / per.Seconds() }
			b := bound(f.goja + client)
			row[6], row[7] = report.Int(b), fmt.Sprintf("%.2f×", b/nodeOPS)
			if rest > 0 && f.scenario != "trivial" {
				b := bound(f.goja + rest + client)
				row[8], row[9] = report.Int(b), fmt.Sprintf("%.2f×", b/nodeOPS)
			}
		}
		rows = append(rows, row)
	}
	report.Table(os.Stdout, []string{"scenario", "goja (bare VM)", "V8 (Node)", "goja/V8", "Node: whole request", "load generator",
		"bound: main only", "/Node", "bound: + rest of a trivial call", "/Node"}, rows,
		[]bool{false, true, true, true, true, true, true, true, true, true})
	fmt.Println()
	fmt.Println("CPU per call of the same index.js's main, awaited, on an event parsed once: a bare goja VM (no Minicloud runtime,")
	fmt.Println("guards or limits; GC tuned as the server tunes it) and Node. Node: whole request and the load generator's CPU per")
	fmt.Println("request come from the first table's runs. A goja server spends at least main's CPU per request and the load")
	fmt.Printf("generator its own, both on these %d CPUs: \"main only\" is %d CPUs / (goja + load generator), as if HTTP, the event\n", runtime.NumCPU(), runtime.NumCPU())
	fmt.Println("and the result cost nothing; \"+ rest of a trivial call\" adds what Minicloud's trivial call costs besides its main.")
}
