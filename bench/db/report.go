package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/report"
)

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
		report.Int(float64(o.docs)), o.conc, o.warmup, o.dur, o.slices, o.rounds, elapsed.Round(time.Second))
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
				runs []load.Stats
			}{{"Minicloud", mc}, {"PocketBase", pb}} {
				var per []string
				errs := 0
				for _, r := range sys.runs {
					per = append(per, report.Int(r.OPS()))
					errs += r.Errors
				}
				rows = append(rows, []string{sc, sys.name, report.Int(load.Median(sys.runs, load.OPS)),
					report.Dur(time.Duration(load.Median(sys.runs, load.P50))), report.Dur(time.Duration(load.Median(sys.runs, load.P99))),
					report.Micros(time.Duration(load.Median(sys.runs, load.CPU))), fmt.Sprint(errs), strings.Join(per, " / ")})
			}
			r := load.Median(mc, load.OPS) / load.Median(pb, load.OPS)
			rows = append(rows, []string{sc, "**Minicloud/PocketBase**", "**" + report.Ratio(load.Median(mc, load.OPS), load.Median(pb, load.OPS)) + "**",
				report.Ratio(load.Median(mc, load.P50), load.Median(pb, load.P50)), report.Ratio(load.Median(mc, load.P99), load.Median(pb, load.P99)),
				report.Ratio(load.Median(mc, load.CPU), load.Median(pb, load.CPU)), "", ""})
			verdict := "met"
			if r < 1 {
				verdict = "NOT met"
			}
			goals = append(goals, fmt.Sprintf("%s/%s %.2f× (%s; CPU/req %s)", t.cfg.name, sc, r, verdict, report.Ratio(load.Median(mc, load.CPU), load.Median(pb, load.CPU))))
		}
		report.Table(os.Stdout, []string{"scenario", "system", "req/s", "p50", "p99", "server CPU/req", "errors", "req/s per round"},
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
