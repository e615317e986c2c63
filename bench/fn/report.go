package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// median of a metric over rounds (the mean of the middle two for an even count).
func median(runs []runStats, f func(runStats) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func durations(d []time.Duration) []float64 {
	out := make([]float64, len(d))
	for i, x := range d {
		out[i] = float64(x)
	}
	return out
}

func rps(r runStats) float64 { return r.RPS() }
func p50(r runStats) float64 { return float64(r.P50) }
func p99(r runStats) float64 { return float64(r.P99) }
func cpu(r runStats) float64 { return float64(r.CPUPerRequest()) }

func fmtMicros(d time.Duration) string {
	if d <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
}

func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0fms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.2fms", ms)
}

func fmtInt(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// printTable writes a Markdown table with padded columns.
func printTable(header []string, rows [][]string, right []bool) {
	w := make([]int, len(header))
	for i, h := range header {
		w[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", w[i]-len([]rune(c)))
			if right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		fmt.Println(b.String())
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
		if right[i] {
			sep[i] = sep[i][:w[i]-1] + ":"
		}
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
}

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
					per = append(per, fmtInt(x.RPS()))
					errs += x.Errors
				}
				rows = append(rows, []string{sc, sys, fmtInt(median(r[sys], rps)), fmtDur(time.Duration(median(r[sys], p50))),
					fmtDur(time.Duration(median(r[sys], p99))), fmtMicros(time.Duration(median(r[sys], cpu))), fmt.Sprint(errs), strings.Join(per, " / ")})
			}
			a, b := r[systems[0]], r[systems[1]]
			g := scenarioGoal[sc]
			rows = append(rows, []string{sc, g.label, "**" + ratio(median(a, rps), median(b, rps)) + "**",
				ratio(median(a, p50), median(b, p50)), ratio(median(a, p99), median(b, p99)), ratio(median(a, cpu), median(b, cpu)), "", ""})
			rr := median(a, rps) / median(b, rps)
			goals = append(goals, goal(fmt.Sprintf("%s/%s req/s ≥ %.1f× %s", t.cfg.name, sc, g.min, systems[1]), rr >= g.min,
				fmt.Sprintf("%.2f×; CPU/req %s", rr, ratio(median(a, cpu), median(b, cpu)))))
		}
		printTable([]string{"scenario", "system", "req/s", "p50", "p99", "server CPU/req", "errors", "req/s per round"},
			rows, []bool{false, false, true, true, true, true, true, false})
	}

	fmt.Println()
	fmt.Println("## First call after a deploy, and memory")
	fmt.Println()
	var rows [][]string
	if n := len(res.cold.first); n > 0 {
		first := medianOf(durations(res.cold.first))
		rows = append(rows, []string{fmt.Sprintf("d. first call after deploying a new version (median of %d)", n),
			fmtDur(time.Duration(first)), fmt.Sprintf("min %s, max %s", fmtDur(slices.Min(res.cold.first)), fmtDur(slices.Max(res.cold.first))), "< 20 ms"})
		rows = append(rows, []string{"   the call after it (warm)", fmtDur(time.Duration(medianOf(durations(res.cold.warm)))), "", ""})
		goals = append(goals, goal("first call after a deploy < 20 ms", first < float64(20*time.Millisecond), fmtDur(time.Duration(first))))
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
	printTable([]string{"measure", "value", "detail", "goal"}, rows, []bool{false, true, false, false})

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
	fmt.Printf("  K random among %s documents indexed on k (READONLY preset), the same sequence for both.\n", fmtInt(float64(o.docs)))
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
