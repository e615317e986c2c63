// Command db benchmarks Minicloud's document database against PocketBase's own
// records API on the same machine, in the same run, and prints a results table per
// configuration. Run it from the repository root:
//
//	go run ./bench/db                      # 100k docs, -c 32, -d 10s, 3 rounds
//	go run ./bench/db -d 5s -rounds 1      # quicker, noisier
//
// It builds the minicloud binary from the repository and an unmodified PocketBase
// server (bench/db/pocketbase) into bench/out, seeds both data dirs in-process once
// (cached under bench/out by document count), and then, for each configuration
// (PocketBase defaults; request logs off), copies the seeds, starts both servers as
// subprocesses and drives them over loopback HTTP with this process as the load
// generator. See bench/README.md for how to read the results.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/proc"
	"github.com/minicloud/minicloud/bench/internal/report"
)

type options struct {
	docs      int
	conc      int
	dur       time.Duration
	warmup    time.Duration
	rounds    int
	slices    int
	reseed    bool
	outDir    string
	configs   []string
	scenarios []string
	nDesc     bool
	mcBin     string
	pbBin     string
	keep      bool
	maxErrors float64
	pbAuth    bool
}

// config is one server configuration both systems run under.
type config struct {
	name  string
	title string
	logs  bool // PocketBase request logs on (its default) or off
}

var allConfigs = []config{
	{name: "defaults", title: "PocketBase defaults: request logs ON (PB logs every records-API request; Minicloud's data-plane routes skip success logs by design)", logs: true},
	{name: "nologs", title: "Request logs OFF for both (Settings.Logs.MaxDays = 0)", logs: false},
}

var allScenarios = []string{"query", "add"}

const envID = "bench"

var (
	root   string // repository root
	commit string // git describe of the tree the minicloud binary is built from
)

func main() {
	var o options
	var configs, scenarios string
	flag.IntVar(&o.docs, "docs", 100_000, "documents in the collection (seed size)")
	flag.IntVar(&o.conc, "c", 32, "concurrent client connections")
	flag.DurationVar(&o.dur, "d", 10*time.Second, "measured time per system per round (split into -slices)")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up of each system at the start of each round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds per scenario; each round runs both systems, alternating which goes first; the median is reported")
	flag.IntVar(&o.slices, "slices", 5, "split each round's measured time into this many slices that alternate between the systems")
	flag.BoolVar(&o.reseed, "reseed", false, "rebuild the cached seed data")
	flag.StringVar(&o.outDir, "out", "bench/out", "output directory for binaries, seeds, data dirs and server logs")
	flag.StringVar(&configs, "configs", "defaults,nologs", "configurations to run: defaults (PB request logs on), nologs (off for both)")
	flag.StringVar(&scenarios, "scenarios", "query,add", "scenarios to run: query, add")
	flag.BoolVar(&o.nDesc, "index-desc", true, "index (category, n DESC) rather than (category, n) in both systems")
	flag.StringVar(&o.mcBin, "mc-bin", "", "use this minicloud binary instead of building one")
	flag.StringVar(&o.pbBin, "pb-bin", "", "use this pocketbase binary instead of building one")
	flag.BoolVar(&o.keep, "keep", false, "keep the per-run data dirs under <out>/run")
	flag.Float64Var(&o.maxErrors, "max-error-rate", 0.001, "abort when a run's error rate exceeds this")
	flag.BoolVar(&o.pbAuth, "pb-auth", false, "send PocketBase requests with a signed-in user's token too (rules stay public; PocketBase verifies the token on every request, as Minicloud does)")
	flag.Parse()
	o.configs = splitList(configs)
	o.scenarios = splitList(scenarios)
	for _, c := range o.configs {
		if !slices.ContainsFunc(allConfigs, func(x config) bool { return x.name == c }) {
			fatalf("unknown config %q (want defaults, nologs)", c)
		}
	}
	for _, s := range o.scenarios {
		if !slices.Contains(allScenarios, s) {
			fatalf("unknown scenario %q (want query, add)", s)
		}
	}
	if o.docs < 1000 || o.conc < 1 || o.rounds < 1 || o.slices < 1 || o.dur <= 0 {
		fatalf("need -docs >= 1000, -c >= 1, -rounds >= 1, -slices >= 1, -d > 0")
	}

	ctx, stop := proc.Interruptible()
	defer stop()

	var err error
	if root, err = proc.RepoRoot(); err != nil {
		fatalf("%v", err)
	}
	commit = proc.GitDescribe(root) // what the binaries are built from
	if !filepath.IsAbs(o.outDir) {
		o.outDir = filepath.Join(root, o.outDir)
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		fatalf("%v", err)
	}
	if o.mcBin == "" {
		o.mcBin = filepath.Join(o.outDir, "minicloud")
		logf("building %s", rel(o.mcBin))
		if err := proc.GoBuild(root, o.mcBin, "."); err != nil {
			fatalf("build minicloud: %v", err)
		}
	}
	if o.pbBin == "" {
		o.pbBin = filepath.Join(o.outDir, "pocketbase")
		logf("building %s", rel(o.pbBin))
		if err := proc.GoBuild(root, o.pbBin, "./bench/db/pocketbase"); err != nil {
			fatalf("build pocketbase: %v", err)
		}
	}
	seedDir, err := ensureSeed(o.outDir, o.docs, o.nDesc, o.reseed)
	if err != nil {
		fatalf("seed: %v", err)
	}

	started := time.Now()
	var tables []table
	for _, cfg := range allConfigs {
		if !slices.Contains(o.configs, cfg.name) {
			continue
		}
		t, err := runConfig(ctx, o, cfg, seedDir)
		proc.StopAll()
		if ctx.Err() != nil {
			fatalf("interrupted")
		}
		if err != nil {
			fatalf("%s: %v", cfg.name, err) // keeps the run dir and its server logs
		}
		if !o.keep {
			_ = os.RemoveAll(filepath.Join(o.outDir, "run", cfg.name))
		}
		tables = append(tables, t)
	}
	printReport(o, tables, time.Since(started))
}

// table is the results of one configuration: per scenario and system, one runStats
// per round.
type table struct {
	cfg     config
	results map[string]map[string][]load.Stats // scenario -> system -> rounds
	check   string                             // what the first-request verification found
}

func runConfig(ctx context.Context, o options, cfg config, seedDir string) (table, error) {
	t := table{cfg: cfg, results: map[string]map[string][]load.Stats{}}
	runDir := filepath.Join(o.outDir, "run", cfg.name)
	_ = os.RemoveAll(runDir)
	mcDir, pbDir := filepath.Join(runDir, "mc"), filepath.Join(runDir, "pb")
	logf("[%s] copying the seed to %s", cfg.name, rel(runDir))
	if err := copyDir(filepath.Join(seedDir, "mc"), mcDir); err != nil {
		return t, err
	}
	if err := copyDir(filepath.Join(seedDir, "pb"), pbDir); err != nil {
		return t, err
	}
	maxDays := 5 // PocketBase's default
	if !cfg.logs {
		maxDays = 0
	}
	for _, d := range []string{mcDir, pbDir} {
		if err := setRequestLogs(d, maxDays); err != nil {
			return t, fmt.Errorf("set request logs in %s: %w", d, err)
		}
	}
	for _, d := range []string{mcDir, pbDir} {
		n, err := countDocs(d)
		if err != nil {
			return t, err
		}
		if n != o.docs {
			return t, fmt.Errorf("%s holds %d documents, want %d (run with -reseed)", d, n, o.docs)
		}
	}

	mcSrv, err := proc.Start(ctx, proc.MinicloudSpec("minicloud", o.mcBin, mcDir, filepath.Join(runDir, "minicloud.log"),
		"MINICLOUD_ENV_ID="+envID, "MINICLOUD_ANONYMOUS_AUTH=true"))
	if err != nil {
		return t, err
	}
	pbSrv, err := proc.Start(ctx, proc.MinicloudSpec("pocketbase", o.pbBin, pbDir, filepath.Join(runDir, "pocketbase.log")))
	if err != nil {
		return t, err
	}
	client := load.NewClient(o.conc)
	defer client.CloseIdleConnections()

	// the add bodies: the same generated documents for both systems
	r := rand.New(rand.NewPCG(7, 7))
	bodies := make([]post, 4096)
	for i := range bodies {
		bodies[i] = newPost(r, o.docs+i)
		bodies[i].Owner = "bench-writer"
	}
	mc := newMinicloudTarget(mcSrv.Base, bodies)
	pb := newPocketBaseTarget(pbSrv.Base, bodies)
	mc.pid, pb.pid = mcSrv.PID(), pbSrv.PID()
	if mc.tokens, err = signIn(client, mc.base, envID, o.conc); err != nil {
		return t, fmt.Errorf("minicloud sign-in: %w", err)
	}
	if o.pbAuth {
		if pb.tokens, err = pbSignIn(client, pb.base, o.conc); err != nil {
			return t, fmt.Errorf("pocketbase sign-in: %w", err)
		}
	}

	for _, sc := range allScenarios {
		if !slices.Contains(o.scenarios, sc) {
			continue
		}
		// verify the first request of each system
		switch sc {
		case "query":
			var lists [2][]int64
			for i, tg := range []*target{mc, pb} {
				if lists[i], err = verifyQuery(ctx, client, tg, 3); err != nil {
					return t, fmt.Errorf("query check: %w", err)
				}
			}
			if !slices.Equal(lists[0], lists[1]) {
				return t, fmt.Errorf("query check: the systems disagree on the top 20 n of %s:\n  Minicloud  %v\n  PocketBase %v", category(3), lists[0], lists[1])
			}
			t.check = fmt.Sprintf("query check passed: both return the same 20 %s documents sorted by n desc (n = %d … %d)", category(3), lists[0][0], lists[0][19])
			logf("[%s] %s", cfg.name, t.check)
		case "add":
			for _, tg := range []*target{mc, pb} {
				if err := verifyAdd(ctx, client, tg); err != nil {
					return t, fmt.Errorf("add check: %w", err)
				}
			}
		}
		t.results[sc] = map[string][]load.Stats{}
		for round := 0; round < o.rounds; round++ {
			order := []*target{mc, pb}
			if round%2 == 1 {
				order = []*target{pb, mc}
			}
			mk := func(tg *target) requestFunc {
				if sc == "add" {
					return tg.addRequest
				}
				return tg.queryRequest
			}
			seed := uint64(round*1000 + 1)
			if o.warmup > 0 {
				for _, tg := range order {
					load.Run(ctx, load.Config{Conc: o.conc, Duration: o.warmup, Seed: seed + 500}, requests(client, mk(tg)))
				}
			}
			// the measured time alternates between the systems in slices, so that both
			// see the same background load on a shared machine
			acc := map[*target]*load.Stats{mc: {}, pb: {}}
			for slice := 0; slice < o.slices; slice++ {
				for _, tg := range order {
					cpu0, ok0 := proc.CPUTime(tg.pid)
					st := load.Run(ctx, load.Config{Conc: o.conc, Duration: o.dur / time.Duration(o.slices), Seed: seed + uint64(slice)}, requests(client, mk(tg)))
					if cpu1, ok1 := proc.CPUTime(tg.pid); ok0 && ok1 {
						st.CPU = cpu1 - cpu0
					}
					if ctx.Err() != nil {
						return t, ctx.Err()
					}
					acc[tg].Add(st)
					time.Sleep(200 * time.Millisecond) // let the server settle (GC, WAL checkpoint)
				}
			}
			for _, tg := range order {
				st := *acc[tg]
				st.DropLatencies()
				logf("[%s] %-5s round %d/%d %-10s %6.0f req/s  p50 %-7s p99 %-7s server CPU/req %-7s errors %d",
					cfg.name, sc, round+1, o.rounds, tg.system, st.OPS(), report.Dur(st.P50), report.Dur(st.P99), report.Micros(st.CPUPerOp()), st.Errors)
				if st.ErrorRate() > o.maxErrors {
					return t, fmt.Errorf("%s %s round %d: %d errors out of %d requests (%.2f%% > %.2f%%); samples:\n  %s\nserver logs: %s",
						tg.system, sc, round+1, st.Errors, st.OK+st.Errors, 100*st.ErrorRate(), 100*o.maxErrors,
						strings.Join(st.Samples, "\n  "), rel(runDir))
				}
				t.results[sc][tg.system] = append(t.results[sc][tg.system], st)
			}
		}
	}
	return t, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// requests adapts a request builder to the load generator.
func requests(client *http.Client, mk requestFunc) load.Op {
	return load.Requests(client, func(ctx context.Context, w *load.Worker) (*http.Request, error) {
		return mk(ctx, w.ID, w.Rand)
	})
}

func rel(p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func fatalf(format string, args ...any) {
	proc.StopAll()
	fmt.Fprintf(os.Stderr, "\nBENCHMARK FAILED: %s\n", fmt.Sprintf(format, args...))
	os.Exit(1)
}
