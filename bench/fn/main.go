// Command fn benchmarks Minicloud's cloud functions end to end, in one run, on this
// machine. Run it from the repository root:
//
//	go run ./bench/fn                  # about 2.5 minutes
//	go run ./bench/fn -d 1s -rounds 1  # quick look (noisier)
//	go run ./bench/fn -mc-env GOGC=400 # extra environment for the server
//
// It builds the minicloud binary, sets up a temporary data directory with the CLI
// (superuser, a `bench` collection with an index on k, the bench functions deployed
// with `minicloud functions deploy`), starts the server and a minimal Node.js `http`
// server that require()s the same index.js files, and drives both over loopback HTTP
// with this process as the load generator:
//
//	a. trivial:   exports.main = async (event) => event        Minicloud vs Node
//	b. transform: filter/map/sort/reduce over a 20-item event   Minicloud vs Node
//	c. query:     one indexed where().limit(1).get() through wx-server-sdk in a
//	              function vs the same query sent straight to the database endpoint
//	d. the first call after deploying a new version while the server runs
//	e. the memory of one warm instance
//
// and, for a and b, main alone in a bare goja VM and in Node (floor.go).
//
// See bench/README.md for how to read the results.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/proc"
	"github.com/minicloud/minicloud/bench/internal/report"
	"github.com/minicloud/minicloud/cloudfns"
)

type options struct {
	conc        int
	dur         time.Duration
	warmup      time.Duration
	rounds      int
	slices      int
	docs        int
	coldSamples int
	memN        int
	configs     []string
	scenarios   []string
	mcBin       string
	mcEnv       []string
	node        string
	client      clientKind
	prebuilt    bool
	outDir      string
	keep        bool
	goMem       bool
	floor       bool
	maxErrors   float64
}

// config is one server configuration the load scenarios run under.
type config struct {
	name  string
	title string
	logs  bool // PocketBase's request log on (its default) or off
}

var allConfigs = []config{
	{name: "defaults", title: "Minicloud defaults: PocketBase request log ON (Minicloud's data-plane routes skip success logs by design)", logs: true},
	{name: "nologs", title: "PocketBase request log OFF (Settings.Logs.MaxDays = 0)", logs: false},
}

var allScenarios = []string{"trivial", "transform", "query"}

const (
	envID             = "bench"
	superuserEmail    = "bench@example.com"
	superuserPassword = "bench-password-1234"
)

var (
	root   string // repository root
	commit string // git describe of the tree the binary is built from
)

func main() {
	var o options
	var configs, scenarios string
	flag.IntVar(&o.conc, "c", 32, "concurrent client connections")
	flag.DurationVar(&o.dur, "d", 2*time.Second, "measured time per system per round (split into -slices)")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load on each system at the start of each round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds per scenario; the median is reported")
	flag.IntVar(&o.slices, "slices", 2, "split each round's measured time into slices that alternate between the systems")
	flag.IntVar(&o.docs, "docs", 10_000, "documents in the `bench` collection (scenario query)")
	flag.IntVar(&o.coldSamples, "cold", 7, "deploys timed for the first-call latency")
	flag.IntVar(&o.memN, "instances", 40, "functions warmed (one instance each) for the memory figure")
	flag.StringVar(&configs, "configs", "defaults,nologs", "configurations: defaults (PocketBase request log on), nologs (off)")
	flag.StringVar(&scenarios, "scenarios", "trivial,transform,query", "load scenarios to run")
	flag.StringVar(&o.mcBin, "mc-bin", "", "use this minicloud binary instead of building one (e.g. one with a pprof listener)")
	var mcEnv string
	flag.StringVar(&mcEnv, "mc-env", "", "extra environment for the minicloud server, comma-separated KEY=VALUE (e.g. GOGC=400)")
	flag.StringVar(&o.node, "node", "node", "the Node.js binary")
	var clientName string
	flag.StringVar(&clientName, "client", "raw", "the load generator's HTTP client: raw (minimal HTTP/1.1, little CPU) or nethttp (Go's net/http)")
	flag.StringVar(&o.outDir, "out", "bench/out/fn", "where the minicloud binary is built")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary data directory, function folders and server logs")
	flag.BoolVar(&o.goMem, "go-mem", true, "also run the cloudfns Go benchmark of one warm instance's heap")
	flag.BoolVar(&o.floor, "floor", true, "also time main alone in a bare goja VM and in Node (the interpreter's floor)")
	flag.Float64Var(&o.maxErrors, "max-error-rate", 0.001, "abort when a run's error rate exceeds this")
	flag.Parse()
	o.client = clientKind(clientName)
	if o.client != "raw" && o.client != "nethttp" {
		fatalf("unknown -client %q (want raw, nethttp)", clientName)
	}
	for _, kv := range splitList(mcEnv) {
		if !strings.Contains(kv, "=") {
			fatalf("-mc-env wants KEY=VALUE pairs, not %q", kv)
		}
		o.mcEnv = append(o.mcEnv, kv)
	}
	o.configs = splitList(configs)
	o.scenarios = splitList(scenarios)
	for _, c := range o.configs {
		if !slices.ContainsFunc(allConfigs, func(x config) bool { return x.name == c }) {
			fatalf("unknown config %q (want defaults, nologs)", c)
		}
	}
	for _, s := range o.scenarios {
		if !slices.Contains(allScenarios, s) {
			fatalf("unknown scenario %q (want trivial, transform, query)", s)
		}
	}
	if o.conc < 1 || o.rounds < 1 || o.slices < 1 || o.dur <= 0 || o.docs < 100 || o.coldSamples < 1 || o.memN < 1 {
		fatalf("need -c >= 1, -rounds >= 1, -slices >= 1, -d > 0, -docs >= 100, -cold >= 1, -instances >= 1")
	}

	ctx, stop := proc.Interruptible()
	defer stop()

	var err error
	if root, err = proc.RepoRoot(); err != nil {
		fatalf("%v", err)
	}
	commit = proc.GitDescribe(root)
	if _, err := exec.LookPath(o.node); err != nil {
		fatalf("node not found (%v): the Node.js baseline needs Node 20", err)
	}
	if !filepath.IsAbs(o.outDir) {
		o.outDir = filepath.Join(root, o.outDir)
	}
	o.prebuilt = o.mcBin != ""
	if o.mcBin == "" {
		if err := os.MkdirAll(o.outDir, 0o755); err != nil {
			fatalf("%v", err)
		}
		o.mcBin = filepath.Join(o.outDir, "minicloud")
		logf("building %s", o.mcBin)
		if err := proc.GoBuild(root, o.mcBin, "."); err != nil {
			fatalf("build minicloud: %v", err)
		}
	}
	tmp, err := os.MkdirTemp("", "minicloud-bench-fn-")
	if err != nil {
		fatalf("%v", err)
	}
	started := time.Now()
	res, err := run(ctx, o, tmp)
	proc.StopAll()
	if err != nil {
		fatalf("%v\n(data, functions and server logs kept in %s)", err, tmp)
	}
	if o.keep {
		logf("kept %s", tmp)
	} else {
		_ = os.RemoveAll(tmp)
	}
	res.elapsed = time.Since(started)
	printReport(o, res)
}

// results is everything the report prints.
type results struct {
	tables  []table
	nodeVer string
	checks  []string
	cold    coldStats
	mem     memStats
	floor   []floorStats
	elapsed time.Duration
}

// table is one configuration's load results: scenario -> system -> rounds.
type table struct {
	cfg     config
	results map[string]map[string][]load.Stats
}

// target is one system under test in a scenario.
type target struct {
	system string
	srv    *proc.Server
	mk     requestFunc
}

// bench holds the running setup.
type bench struct {
	o      options
	tmp    string
	client *http.Client
	mc     *proc.Server
	node   *proc.Server
	tokens []string
	su     string // superuser token
	fnDir  string
	memDir string
}

func run(ctx context.Context, o options, tmp string) (results, error) {
	var res results
	b := &bench{o: o, tmp: tmp, client: load.NewClient(o.conc)}
	defer b.client.CloseIdleConnections()
	if out, err := exec.Command(o.node, "--version").Output(); err == nil {
		res.nodeVer = strings.TrimSpace(string(out))
	}

	// 1. Set up the data directory with the CLI, as an operator would.
	dataDir := filepath.Join(tmp, "pb_data")
	var err error
	if b.fnDir, b.memDir, err = writeFunctions(tmp, o.memN); err != nil {
		return res, err
	}
	coldDir := filepath.Join(tmp, "cold")
	coldFn, err := writeFunction(coldDir, fnCold, srcCold(0))
	if err != nil {
		return res, err
	}
	nodeScript := filepath.Join(tmp, "node-server.js")
	if err := os.WriteFile(nodeScript, []byte(nodeServer), 0o644); err != nil {
		return res, err
	}
	logf("setting up %s with the minicloud CLI", dataDir)
	for _, args := range [][]string{
		{"superuser", "upsert", superuserEmail, superuserPassword},
		{"collections", "create", collName},
		{"collections", "preset", collName, "READONLY"},
		{"collections", "index", collName, "by_k", "k"},
		{"functions", "deploy", b.fnDir},
		{"functions", "deploy", b.memDir},
		{"functions", "deploy", coldFn, "--name", fnCold},
	} {
		if _, err := runCLI(o.mcBin, dataDir, args...); err != nil {
			return res, err
		}
	}

	// 2. Start both servers.
	env := []string{"MINICLOUD_ENV_ID=" + envID, "MINICLOUD_ANONYMOUS_AUTH=true", "MINICLOUD_LOGIN_RATE_IP=0",
		"GODEBUG=" + strings.TrimPrefix(os.Getenv("GODEBUG")+",gctrace=1", ",")}
	env = append(env, o.mcEnv...)
	if b.mc, err = proc.Start(ctx, proc.MinicloudSpec("minicloud", o.mcBin, dataDir, filepath.Join(tmp, "minicloud.log"), env...)); err != nil {
		return res, err
	}
	if b.node, err = proc.Start(ctx, proc.Spec{Name: "node", Bin: o.node, Args: []string{nodeScript, "PORT", b.fnDir, fnTrivial, fnTransform},
		LogPath: filepath.Join(tmp, "node.log"), Health: "/health"}); err != nil {
		return res, err
	}
	if b.tokens, err = signIn(b.client, b.mc.Base, o.conc); err != nil {
		return res, fmt.Errorf("anonymous sign-in: %w", err)
	}
	if b.su, err = superuserToken(b.client, b.mc.Base); err != nil {
		return res, err
	}
	if err := b.seed(ctx); err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}

	// 3. Check that both systems compute the same answers.
	if res.checks, err = b.verify(ctx); err != nil {
		return res, fmt.Errorf("check: %w", err)
	}
	for _, c := range res.checks {
		logf("%s", c)
	}

	// The interpreter's floor, while the servers are idle.
	if o.floor {
		res.floor = interpreterFloor(ctx, o.node, b.fnDir)
	}

	// 4. e. memory, while the server is fresh.
	if res.mem, err = b.memory(ctx); err != nil {
		return res, fmt.Errorf("memory: %w", err)
	}

	// 5. a–c under each configuration.
	for _, cfg := range allConfigs {
		if !slices.Contains(o.configs, cfg.name) {
			continue
		}
		t, err := b.loadTable(ctx, cfg)
		if err != nil {
			return res, err
		}
		res.tables = append(res.tables, t)
	}

	// 6. d. first call after a deploy.
	if res.cold, err = b.coldStarts(ctx, coldDir); err != nil {
		return res, fmt.Errorf("first call after deploy: %w", err)
	}
	if o.goMem {
		res.mem.goHeap, res.mem.goHeapErr = goHeapPerInstance()
	}
	return res, nil
}

// ---- requests ----

const documentsPath = "/v1/database/instances/(default)/databases/(default)/collections/" + collName + "/documents"

// bearer is the Authorization header of client w (one of the anonymous users).
func (b *bench) bearer(w int) http.Header {
	return http.Header{"Authorization": {"Bearer " + b.tokens[w%len(b.tokens)]}}
}

// invoke calls a function through the gateway as client w.
func (b *bench) invoke(ctx context.Context, w int, name string, body []byte) ([]byte, error) {
	return load.Send(ctx, b.client, http.MethodPost, b.mc.Base+"/v1/functions/"+name, body, b.bearer(w))
}

func queryURL(base string, k int) string {
	return base + documentsPath + "?" + url.Values{"query": {`{"k":` + strconv.Itoa(k) + `}`}, "limit": {"1"}}.Encode()
}

// targets returns the two systems of a scenario.
func (b *bench) targets(sc string) [2]target {
	token := func(w int) string { return b.tokens[w%len(b.tokens)] }
	mcFn := func(name string, body func(r *rand.Rand) []byte) requestFunc {
		return func(w int, r *rand.Rand) request {
			return request{method: http.MethodPost, path: "/v1/functions/" + name, token: token(w), body: body(r)}
		}
	}
	nodeFn := func(name string, body []byte) requestFunc {
		return func(w int, r *rand.Rand) request {
			return request{method: http.MethodPost, path: "/" + name, body: body}
		}
	}
	fixed := func(body []byte) func(*rand.Rand) []byte { return func(*rand.Rand) []byte { return body } }
	switch sc {
	case "trivial":
		ev := []byte(trivialEvent)
		return [2]target{{"Minicloud", b.mc, mcFn(fnTrivial, fixed(ev))}, {"Node", b.node, nodeFn(fnTrivial, ev)}}
	case "transform":
		ev := []byte(transformEvent())
		return [2]target{{"Minicloud", b.mc, mcFn(fnTransform, fixed(ev))}, {"Node", b.node, nodeFn(fnTransform, ev)}}
	}
	bodies := make([][]byte, b.o.docs)
	paths := make([]string, b.o.docs)
	for k := range bodies {
		bodies[k] = []byte(`{"k":` + strconv.Itoa(k) + `}`)
		paths[k] = queryURL("", k)
	}
	direct := func(w int, r *rand.Rand) request {
		return request{method: http.MethodGet, path: paths[r.IntN(len(paths))], token: token(w)}
	}
	return [2]target{
		{"function (wx-server-sdk)", b.mc, mcFn(fnQuery, func(r *rand.Rand) []byte { return bodies[r.IntN(len(bodies))] })},
		{"direct (database endpoint)", b.mc, direct},
	}
}

// load runs one load of a target.
func (b *bench) load(ctx context.Context, x target, d time.Duration, seed uint64) (load.Stats, error) {
	return runLoad(ctx, b.o.client, x.srv.Base, load.Config{Conc: b.o.conc, Duration: d, Seed: seed}, x.mk)
}

// ---- setup ----

// signIn gets n anonymous users' access tokens, one per connection.
func signIn(client *http.Client, base string, n int) ([]string, error) {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		b, err := load.Send(context.Background(), client, http.MethodPost, base+"/auth/v1/signin/anonymously?client_id="+envID, []byte(`{}`), nil)
		if err != nil {
			return nil, err
		}
		var res struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(b, &res); err != nil || res.AccessToken == "" {
			return nil, fmt.Errorf("no access_token in %s", b)
		}
		out = append(out, res.AccessToken)
	}
	return out, nil
}

func superuserToken(client *http.Client, base string) (string, error) {
	body, _ := json.Marshal(map[string]string{"identity": superuserEmail, "password": superuserPassword})
	b, err := load.Send(context.Background(), client, http.MethodPost, base+"/api/collections/_superusers/auth-with-password", body, nil)
	if err != nil {
		return "", fmt.Errorf("superuser sign-in: %w", err)
	}
	var res struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &res); err != nil || res.Token == "" {
		return "", fmt.Errorf("superuser sign-in: no token in %s", b)
	}
	return res.Token, nil
}

// setRequestLogs turns PocketBase's request log on (its default, 5 days) or off.
func (b *bench) setRequestLogs(on bool) error {
	days := 0
	if on {
		days = 5
	}
	_, err := load.Send(context.Background(), b.client, http.MethodPatch, b.mc.Base+"/api/settings",
		[]byte(`{"logs":{"maxDays":`+strconv.Itoa(days)+`}}`), http.Header{"Authorization": {b.su}})
	return err
}

// seed inserts the documents {k, name, group, score} in batches through the gateway.
func (b *bench) seed(ctx context.Context) error {
	logf("seeding %d documents into %s", b.o.docs, collName)
	const batch = 500
	for start := 0; start < b.o.docs; start += batch {
		var docs []string
		for k := start; k < min(start+batch, b.o.docs); k++ {
			docs = append(docs, fmt.Sprintf(`{"k":%d,"name":"doc %d","group":%d,"score":%d.25}`, k, k, k%10, k*7%1000))
		}
		if _, err := load.Send(ctx, b.client, http.MethodPost, b.mc.Base+documentsPath, []byte(`{"data":[`+strings.Join(docs, ",")+`]}`), b.bearer(0)); err != nil {
			return err
		}
	}
	body, err := load.Send(ctx, b.client, http.MethodGet, b.mc.Base+documentsPath+"?count=true", nil, b.bearer(0))
	if err != nil {
		return err
	}
	var c struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(body, &c); err != nil || c.Total != b.o.docs {
		return fmt.Errorf("the collection holds %s, want %d documents", body, b.o.docs)
	}
	return nil
}

// verify checks the answers before anything is measured: the same results from
// Minicloud and Node, and from the function's query and the direct one.
func (b *bench) verify(ctx context.Context) ([]string, error) {
	var out []string
	for _, c := range []struct{ name, event string }{{fnTrivial, trivialEvent}, {fnTransform, transformEvent()}} {
		got, err := b.invoke(ctx, 0, c.name, []byte(c.event))
		if err != nil {
			return nil, err
		}
		want, err := load.Send(ctx, b.client, http.MethodPost, b.node.Base+"/"+c.name, []byte(c.event), nil)
		if err != nil {
			return nil, err
		}
		// CloudBase adds userInfo (the caller's appId and openId) to a client's event.
		if !sameJSON(withoutUserInfo(got), want) {
			return nil, fmt.Errorf("%s: Minicloud and Node disagree:\n  Minicloud %s\n  Node      %s", c.name, got, want)
		}
		if c.name == fnTrivial && !sameJSON(withoutUserInfo(got), []byte(trivialEvent)) {
			return nil, fmt.Errorf("%s returned %s, not its event", c.name, got)
		}
		out = append(out, fmt.Sprintf("%s: Minicloud and Node return the same result (Minicloud %d bytes, Node %d)", c.name, len(got), len(want)))
	}
	k := b.o.docs / 3
	got, err := b.invoke(ctx, 0, fnQuery, []byte(`{"k":`+strconv.Itoa(k)+`}`))
	if err != nil {
		return nil, err
	}
	direct, err := load.Send(ctx, b.client, http.MethodGet, queryURL(b.mc.Base, k), nil, b.bearer(0))
	if err != nil {
		return nil, err
	}
	var fnDocs []map[string]any
	var dr struct {
		List []map[string]any `json:"list"`
	}
	if err := json.Unmarshal(got, &fnDocs); err != nil {
		return nil, fmt.Errorf("%s returned %s", fnQuery, got)
	}
	if err := json.Unmarshal(direct, &dr); err != nil {
		return nil, fmt.Errorf("the direct query returned %s", direct)
	}
	if len(fnDocs) != 1 || len(dr.List) != 1 || fnDocs[0]["k"] != float64(k) || fnDocs[0]["_id"] != dr.List[0]["_id"] {
		return nil, fmt.Errorf("k=%d: the function returned %s, the direct query %s", k, got, direct)
	}
	out = append(out, fmt.Sprintf("%s: the function and the direct query return the same document (k=%d, _id %v)", fnQuery, k, fnDocs[0]["_id"]))
	return out, nil
}

// ---- a–c ----

func (b *bench) loadTable(ctx context.Context, cfg config) (table, error) {
	t := table{cfg: cfg, results: map[string]map[string][]load.Stats{}}
	if err := b.setRequestLogs(cfg.logs); err != nil {
		return t, fmt.Errorf("set request log: %w", err)
	}
	o := b.o
	for _, sc := range allScenarios {
		if !slices.Contains(o.scenarios, sc) {
			continue
		}
		t.results[sc] = map[string][]load.Stats{}
		tg := b.targets(sc)
		for round := 0; round < o.rounds; round++ {
			order := []target{tg[0], tg[1]}
			if round%2 == 1 {
				order = []target{tg[1], tg[0]}
			}
			seed := uint64(round*1000 + 1)
			for _, x := range order {
				if _, err := b.load(ctx, x, o.warmup, seed+500); err != nil {
					return t, fmt.Errorf("%s %s warm-up: %w", x.system, sc, err)
				}
			}
			acc := map[string]*load.Stats{tg[0].system: {}, tg[1].system: {}}
			for slice := 0; slice < o.slices; slice++ {
				for _, x := range order {
					cpu0, ok0 := proc.CPUTime(x.srv.PID())
					self0, selfOK0 := proc.CPUTime(os.Getpid())
					st, err := b.load(ctx, x, o.dur/time.Duration(o.slices), seed+uint64(slice))
					if err != nil {
						return t, fmt.Errorf("%s %s round %d: %w", x.system, sc, round+1, err)
					}
					if cpu1, ok1 := proc.CPUTime(x.srv.PID()); ok0 && ok1 {
						st.CPU = cpu1 - cpu0
					}
					if self1, selfOK1 := proc.CPUTime(os.Getpid()); selfOK0 && selfOK1 {
						st.ClientCPU = self1 - self0
					}
					if ctx.Err() != nil {
						return t, ctx.Err()
					}
					acc[x.system].Add(st)
				}
			}
			for _, x := range tg {
				st := *acc[x.system]
				logf("[%s] %-9s round %d/%d %-27s %6.0f req/s  p50 %-7s p99 %-7s CPU/req %-7s errors %d",
					cfg.name, sc, round+1, o.rounds, x.system, st.OPS(), report.Dur(st.P50), report.Dur(st.P99), report.Micros(st.CPUPerOp()), st.Errors)
				if st.ErrorRate() > o.maxErrors {
					return t, fmt.Errorf("%s %s round %d: %d errors out of %d requests; samples:\n  %s",
						x.system, sc, round+1, st.Errors, st.OK+st.Errors, strings.Join(st.Samples, "\n  "))
				}
				st.DropLatencies()
				t.results[sc][x.system] = append(t.results[sc][x.system], st)
			}
		}
	}
	return t, nil
}

// ---- d. first call after a deploy ----

type coldStats struct {
	first []time.Duration // first call after each deploy
	warm  []time.Duration // the call after it
}

// coldStarts deploys new versions of fnCold while the server runs and times the first
// call of each. The CLI writes the database from another process; the server notices
// within cloudfns.ActiveRecheck, so the bench waits that long before calling.
func (b *bench) coldStarts(ctx context.Context, dir string) (coldStats, error) {
	var cs coldStats
	ev := []byte(`{"items":[1,2,3]}`)
	if _, err := b.invoke(ctx, 0, fnCold, ev); err != nil {
		return cs, err
	}
	for i := 1; i <= b.o.coldSamples; i++ {
		fdir, err := writeFunction(dir, fnCold, srcCold(i))
		if err != nil {
			return cs, err
		}
		if _, err := runCLI(b.o.mcBin, filepath.Join(b.tmp, "pb_data"), "functions", "deploy", fdir, "--name", fnCold); err != nil {
			return cs, err
		}
		select {
		case <-time.After(cloudfns.ActiveRecheck + 100*time.Millisecond):
		case <-ctx.Done():
			return cs, ctx.Err()
		}
		var lat [2]time.Duration
		for j := range lat {
			t0 := time.Now()
			out, err := b.invoke(ctx, i, fnCold, ev)
			lat[j] = time.Since(t0)
			if err != nil {
				return cs, err
			}
			var r struct {
				Sample int `json:"sample"`
			}
			if err := json.Unmarshal(out, &r); err != nil || r.Sample != i {
				return cs, fmt.Errorf("after deploying sample %d the function answered %s", i, out)
			}
		}
		cs.first = append(cs.first, lat[0])
		cs.warm = append(cs.warm, lat[1])
		logf("deploy %d/%d: first call %s, next call %s", i, b.o.coldSamples, report.Dur(lat[0]), report.Dur(lat[1]))
	}
	return cs, nil
}

// ---- e. memory of one warm instance ----

type memStats struct {
	n          int
	liveBefore int64 // Go live heap (gctrace) before warming the n functions, bytes
	liveAfter  int64
	rssBefore  int64
	rssAfter   int64
	goHeap     float64 // KiB per instance from the cloudfns Go benchmark
	goHeapErr  error
}

func (m memStats) livePerInstance() float64 {
	return (float64(m.liveAfter) - float64(m.liveBefore)) / float64(m.n)
}

func (m memStats) rssPerInstance() float64 {
	return (float64(m.rssAfter) - float64(m.rssBefore)) / float64(m.n)
}

// memory warms one instance of each of n functions (wx-server-sdk + database, as
// fnQuery) and reports the server's live Go heap and RSS growth per instance. The live
// heap comes from the server's gctrace: trivial calls drive a few GC cycles before and
// after, and the median live heap of those cycles is taken.
func (b *bench) memory(ctx context.Context) (memStats, error) {
	m := memStats{n: b.o.memN}
	var err error
	if m.liveBefore, err = b.liveHeap(ctx); err != nil {
		return m, err
	}
	m.rssBefore = proc.RSS(b.mc.PID())
	for i := 0; i < b.o.memN; i++ {
		if _, err := b.invoke(ctx, i, memFunction(i), []byte(`{"k":`+strconv.Itoa(i)+`}`)); err != nil {
			return m, err
		}
	}
	m.rssAfter = proc.RSS(b.mc.PID())
	if m.liveAfter, err = b.liveHeap(ctx); err != nil {
		return m, err
	}
	logf("memory: %d warm instances: live heap %.1f → %.1f MiB, RSS %.1f → %.1f MiB", m.n,
		mib(m.liveBefore), mib(m.liveAfter), mib(m.rssBefore), mib(m.rssAfter))
	return m, nil
}

// liveHeap drives trivial calls until the server has run 5 more GC cycles and returns
// the median live heap they marked.
func (b *bench) liveHeap(ctx context.Context) (int64, error) {
	log0, _ := os.ReadFile(b.mc.LogPath)
	start := len(gcCycles(log0))
	x := b.targets("trivial")[0]
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := b.load(ctx, x, 200*time.Millisecond, 1); err != nil {
			return 0, err
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		log, _ := os.ReadFile(b.mc.LogPath)
		if cs := gcCycles(log); len(cs)-start >= 5 {
			var live []int64
			for _, c := range cs[start:] {
				live = append(live, c.live)
			}
			return load.MedianOf(live), nil
		}
	}
	return 0, errors.New("the server ran fewer than 5 GC cycles in 20s (no gctrace output?)")
}

// goHeapPerInstance runs the cloudfns Go benchmark of one warm instance's heap.
func goHeapPerInstance() (float64, error) {
	logf("go test ./cloudfns -bench WarmInstanceMemory")
	cmd := exec.Command("go", "test", "./cloudfns", "-run", "^$", "-bench", "^BenchmarkWarmInstanceMemory$", "-benchtime", "1x", "-count", "1")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	for _, f := range strings.Split(string(out), "\n") {
		fs := strings.Fields(f)
		for i := 1; i < len(fs); i++ {
			if fs[i] == "KiB/instance" {
				return strconv.ParseFloat(fs[i-1], 64)
			}
		}
	}
	return 0, fmt.Errorf("no KiB/instance in:\n%s", out)
}

// ---- helpers ----

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func fatalf(format string, args ...any) {
	proc.StopAll()
	fmt.Fprintf(os.Stderr, "\nBENCHMARK FAILED: %s\n", fmt.Sprintf(format, args...))
	os.Exit(1)
}
