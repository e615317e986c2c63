package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// median of a metric over rounds (the mean of the middle two for an even count).
func median(runs []runStats, f func(runStats) float64) float64 {
	if len(runs) == 0 {
		return 0
	}
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
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
	var b strings.Builder
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

func gitDescribe() string {
	cmd := exec.Command("git", "describe", "--always", "--dirty")
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func printReport(o options, tables []table, elapsed time.Duration) {
	host, _ := os.Hostname()
	fmt.Println()
	fmt.Println("# Minicloud vs PocketBase: document database")
	fmt.Println()
	fmt.Printf("minicloud built from %s · %s %s/%s · %d CPUs · host %s · %s\n", commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host, time.Now().Format("2006-01-02 15:04"))
	if o.mcBin != filepath.Join(o.outDir, "minicloud") {
		fmt.Printf("(prebuilt binaries: -mc-bin %s -pb-bin %s)\n", o.mcBin, o.pbBin)
	}
	fmt.Printf("%s documents · %d connections · per round and system: %s warm-up + %s measured in %d slices alternating with the other system · %d round(s), median reported · total %s\n",
		fmtInt(float64(o.docs)), o.conc, o.warmup, o.dur, o.slices, o.rounds, elapsed.Round(time.Second))
	goals := []string{}
	for _, t := range tables {
		fmt.Println()
		fmt.Printf("## %s\n\n", t.cfg.title)
		var rows [][]string
		for _, sc := range allScenarios {
			res, ok := t.results[sc]
			if !ok {
				continue
			}
			mc, pb := res["Minicloud"], res["PocketBase"]
			for _, sys := range []struct {
				name string
				runs []runStats
			}{{"Minicloud", mc}, {"PocketBase", pb}} {
				var per []string
				errs := 0
				for _, r := range sys.runs {
					per = append(per, fmtInt(r.RPS()))
					errs += r.Errors
				}
				rows = append(rows, []string{sc, sys.name, fmtInt(median(sys.runs, rps)),
					fmtDur(time.Duration(median(sys.runs, p50))), fmtDur(time.Duration(median(sys.runs, p99))),
					fmtMicros(time.Duration(median(sys.runs, cpu))), fmt.Sprint(errs), strings.Join(per, " / ")})
			}
			r := median(mc, rps) / median(pb, rps)
			rows = append(rows, []string{sc, "**Minicloud/PocketBase**", "**" + ratio(median(mc, rps), median(pb, rps)) + "**",
				ratio(median(mc, p50), median(pb, p50)), ratio(median(mc, p99), median(pb, p99)),
				ratio(median(mc, cpu), median(pb, cpu)), "", ""})
			verdict := "met"
			if r < 1 {
				verdict = "NOT met"
			}
			goals = append(goals, fmt.Sprintf("%s/%s %.2f× (%s; CPU/req %s)", t.cfg.name, sc, r, verdict, ratio(median(mc, cpu), median(pb, cpu))))
		}
		printTable([]string{"scenario", "system", "req/s", "p50", "p99", "server CPU/req", "errors", "req/s per round"},
			rows, []bool{false, false, true, true, true, true, true, false})
		if t.check != "" {
			fmt.Printf("\n%s.\n", t.check)
		}
	}
	fmt.Println()
	fmt.Printf("Goal (Minicloud ≥ 1.0× PocketBase req/s):\n  %s\n", strings.Join(goals, "\n  "))
	fmt.Println()
	fmt.Println("Notes")
	fmt.Println("- Ratio row: req/s ratio above 1 means Minicloud serves more; p50/p99 and CPU/req ratios below 1 mean Minicloud")
	fmt.Println("  answers faster / spends less CPU per request. Server CPU/req is the server process's user+system CPU time over")
	fmt.Println("  the measured run divided by the requests it served (/proc/<pid>/stat): it hardly depends on what else the")
	fmt.Println("  machine runs, so trust it more than req/s when the per-round req/s vary a lot.")
	fmt.Println("- query: Minicloud GET /v1/…/collections/posts/documents?query={\"category\":cK}&order=[{n desc}]&offset=0&limit=20 (what")
	fmt.Println("  js-sdk sends for where().orderBy('n','desc').limit(20)); PocketBase GET /api/collections/posts/records?filter=category=\"cK\"")
	fmt.Println("  &sort=-n&perPage=20&skipTotal=1. K is random among 20 categories (about docs/20 matches each), the same sequence for both.")
	fmt.Printf("- Indexes: Minicloud `collections index posts category_n %s` (an mc_key expression index over the JSON document);\n", indexSpec(o.nDesc))
	fmt.Printf("  PocketBase `(category, n%s)` on typed columns. Both also index the owner (_openid / owner) and the id.\n", map[bool]string{true: " DESC", false: ""}[o.nDesc])
	fmt.Println("- add: one document per request. Minicloud POST …/documents {\"data\":[doc]}; PocketBase POST /api/collections/posts/records")
	fmt.Println("  with the same fields. Both collections grow during the add runs, from identical copies of the seed per configuration.")
	fmt.Printf("- Minicloud requests carry a Bearer token of one of %d anonymous users (READONLY preset: all read, creator writes) and\n", o.conc)
	if o.pbAuth {
		fmt.Println("  are authenticated on every request; PocketBase requests (-pb-auth) carry a signed-in user's token too, which")
		fmt.Println("  PocketBase verifies on every request although the list/create rules are public.")
	} else {
		fmt.Println("  are authenticated on every request; PocketBase requests are anonymous against public list/create rules")
		fmt.Println("  (-pb-auth sends a signed-in user's token to PocketBase too).")
	}
	fmt.Println("- Data: title, category (20 values), n (random int), score, published, tags (array), author {name, level}, body;")
	fmt.Println("  identical values in both systems. The only array is tags, which no query touches: a path that ever held an")
	fmt.Println("  array turns off exact SQL planning for that path in Minicloud (MongoDB array semantics) — intended behaviour,")
	fmt.Println("  so arrays in the filtered/sorted fields would measure a different (Go-matcher) plan.")
	fmt.Println("- The load generator is this process, on the same CPUs as the servers; numbers are relative, compare the ratios.")
}
