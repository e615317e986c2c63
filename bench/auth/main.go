// Command auth measures Minicloud's sign-in and the cost of security rules, end to end
// over loopback HTTP, and prints a table with ratios against a baseline measured in the
// same run. Run it from the repository root:
//
//	go run ./bench/auth                    # -c 32, -d 5s, 3 rounds: about 2 minutes
//	go run ./bench/auth -d 2s -rounds 1    # quicker, noisier
//
// It builds the minicloud binary into a temporary directory (os.MkdirTemp, removed at
// the end unless -keep), starts an in-process fake WeChat (hooks/wechat/wechattest),
// serves Minicloud on a fresh data directory pointed at that fake, and drives it from
// this process. Two groups of scenarios:
//
//   - login: a wx.login code to an access token through /auth/v1 (provider/token, then
//     signin/with/provider, as js-sdk's signInWithOpenId sends them), for a returning
//     user and for a first sign-in, against anonymous sign-in as the baseline;
//   - query: a client query where({_openid:'{openid}'}) on one collection under the
//     security rule {"read":"auth.openid == doc._openid"}, under the PRIVATE preset
//     (the baseline), and the same query from the admin API (API key, /admin).
//
// See bench/README.md for how to read the results.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/proc"
	"github.com/minicloud/minicloud/bench/internal/report"

	"github.com/minicloud/minicloud/hooks/wechat/wechattest"
)

const (
	envID    = "bench"
	wxAppID  = "wxbench00000001"
	wxSecret = "bench-app-secret"
	collName = "posts"
	docsPath = "/v1/database/instances/(default)/databases/(default)/collections/" + collName + "/documents"
	rule     = `{"read":"auth.openid == doc._openid","write":"auth.openid == doc._openid"}`
	pageSize = 20
)

type options struct {
	conc      int
	dur       time.Duration
	warmup    time.Duration
	rounds    int
	slices    int
	docs      int
	owners    int
	bin       string
	keep      bool
	maxErrors float64
	groups    []string
}

// mode is one row of the table: an operation, and what must be set before it runs.
type mode struct {
	name  string
	op    opFunc
	setup func(ctx context.Context) error // before each slice (nil: nothing)
	runs  []load.Stats
}

// group is modes measured against each other, the first one the baseline.
type group struct {
	name  string
	unit  string // what one operation is
	modes []*mode
}

var root string

func main() {
	var o options
	var groups string
	flag.IntVar(&o.conc, "c", 32, "concurrent client connections (one operation in flight each)")
	flag.DurationVar(&o.dur, "d", 5*time.Second, "measured time per mode per round (split into -slices)")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load on each mode at the start of each round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; the table reports the median")
	flag.IntVar(&o.slices, "slices", 3, "split each round's measured time into slices that alternate between the modes")
	flag.IntVar(&o.docs, "docs", 10000, "documents in the queried collection")
	flag.IntVar(&o.owners, "owners", 1000, "distinct owners (_openid) of those documents; each query returns docs/owners of them, at most 20")
	flag.StringVar(&o.bin, "bin", "", "use this minicloud binary instead of building one")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (binary, data, server log)")
	flag.Float64Var(&o.maxErrors, "max-error-rate", 0.001, "abort when a run's error rate exceeds this")
	flag.StringVar(&groups, "groups", "login,query", "scenario groups to run: login, query")
	flag.Parse()
	for _, g := range strings.Split(groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			if g != "login" && g != "query" {
				fatalf("unknown group %q (want login, query)", g)
			}
			o.groups = append(o.groups, g)
		}
	}
	if o.conc < 1 || o.rounds < 1 || o.slices < 1 || o.dur <= 0 || o.owners < o.conc || o.docs < o.owners {
		fatalf("need -c >= 1, -rounds >= 1, -slices >= 1, -d > 0, -owners >= -c, -docs >= -owners")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if root, err = proc.RepoRoot(); err != nil {
		fatalf("%v", err)
	}
	tmp, err := os.MkdirTemp("", "minicloud-bench-auth-")
	if err != nil {
		fatalf("%v", err)
	}
	b := &bench{o: o, tmp: tmp}
	started := time.Now()
	err = b.run(ctx)
	b.srv.Stop()
	if b.fake != nil {
		b.fake.Close()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "\nBENCHMARK FAILED: %v\n(kept %s)\n", err, tmp)
		os.Exit(1)
	}
	if o.keep {
		logf("kept %s", tmp)
	} else {
		_ = os.RemoveAll(tmp)
	}
	b.report(time.Since(started))
}

type bench struct {
	o        options
	tmp      string
	srv      *proc.Server
	fake     *wechattest.Server
	client   *http.Client
	adminKey string
	tokens   []string // one signed-in WeChat user per worker, owner of documents
	codes    atomic.Int64
	newUsers atomic.Int64
	groups   []*group
	commit   string
}

func (b *bench) run(ctx context.Context) error {
	o := b.o
	b.commit = proc.GitDescribe(root)
	if o.bin == "" {
		o.bin = filepath.Join(b.tmp, "minicloud")
		b.o.bin = o.bin
		logf("building %s", o.bin)
		if err := proc.GoBuild(root, o.bin, "."); err != nil {
			return fmt.Errorf("build minicloud: %w", err)
		}
	}
	b.fake = wechattest.New(wxAppID, wxSecret)
	dataDir := filepath.Join(b.tmp, "data")
	env := []string{
		"MINICLOUD_ENV_ID=" + envID,
		"MINICLOUD_ANONYMOUS_AUTH=true",
		"MINICLOUD_WX_APPID=" + wxAppID,
		"MINICLOUD_WX_SECRET=" + wxSecret,
		"MINICLOUD_WX_API_BASE=" + b.fake.URL,
		"MINICLOUD_LOGIN_RATE_IP=0",
		"MINICLOUD_LOGIN_RATE_OPENID=0",
	}
	if _, err := runCLI(o.bin, env, "superuser", "upsert", "bench@example.com", "bench-password-123", "--dir", dataDir); err != nil {
		return err
	}
	out, err := runCLI(o.bin, env, "keys", "create", "--name", "bench", "--dir", dataDir)
	if err != nil {
		return err
	}
	var key struct {
		AccessKey string `json:"accessKey"`
	}
	if err := json.Unmarshal(out, &key); err != nil || key.AccessKey == "" {
		return fmt.Errorf("keys create printed %q", out)
	}
	b.adminKey = key.AccessKey
	if b.srv, err = proc.Start(ctx, proc.MinicloudSpec("minicloud", o.bin, dataDir, filepath.Join(b.tmp, "minicloud.log"), env...)); err != nil {
		return err
	}
	b.client = load.NewClient(o.conc)
	defer b.client.CloseIdleConnections()

	// every worker is a WeChat user who owns documents
	for w := 0; w < o.conc; w++ {
		tok, err := b.weChatLogin(ctx, owner(w))
		if err != nil {
			return fmt.Errorf("sign-in of worker %d: %w", w, err)
		}
		b.tokens = append(b.tokens, tok)
	}
	if slices.Contains(o.groups, "query") {
		if err := b.seed(ctx); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}

	if slices.Contains(o.groups, "login") {
		g := &group{name: "login", unit: "sign-in", modes: []*mode{
			{name: "anonymous sign-in (baseline)", op: b.anonymousOp},
			{name: "WeChat login, returning user", op: func(ctx context.Context, w, _ int) error {
				_, err := b.weChatLogin(ctx, owner(w))
				return err
			}},
			{name: "WeChat login, new user", op: func(ctx context.Context, w, _ int) error {
				_, err := b.weChatLogin(ctx, fmt.Sprintf("o-new-%d", b.newUsers.Add(1)))
				return err
			}},
		}}
		if err := b.verifyLogin(ctx); err != nil {
			return err
		}
		if err := b.measure(ctx, g); err != nil {
			return err
		}
		b.groups = append(b.groups, g)
	}
	if slices.Contains(o.groups, "query") {
		g := &group{name: "query", unit: "query", modes: []*mode{
			{name: "PRIVATE preset (baseline)", op: b.clientQueryOp, setup: func(ctx context.Context) error { return b.setRules(ctx, "") }},
			{name: "rule auth.openid == doc._openid", op: b.clientQueryOp, setup: func(ctx context.Context) error { return b.setRules(ctx, rule) }},
			{name: "admin (API key, /admin)", op: b.adminQueryOp},
		}}
		if err := b.verifyQuery(ctx); err != nil {
			return err
		}
		if err := b.measure(ctx, g); err != nil {
			return err
		}
		b.groups = append(b.groups, g)
	}
	return nil
}

func owner(i int) string { return fmt.Sprintf("o-user-%d", i) }

// measure runs a group's rounds: per round a warm-up of each mode, then the measured
// time in slices that alternate between the modes (the first mode rotating per round),
// so that every mode sees the same background load.
func (b *bench) measure(ctx context.Context, g *group) error {
	o := b.o
	seq := 0
	for round := 0; round < o.rounds; round++ {
		order := append([]*mode(nil), g.modes...)
		for i := 0; i < round%len(order); i++ {
			order = append(order[1:], order[0])
		}
		acc := map[*mode]*load.Stats{}
		for _, m := range order {
			acc[m] = &load.Stats{}
			if m.setup != nil {
				if err := m.setup(ctx); err != nil {
					return err
				}
			}
			if o.warmup > 0 {
				load.Run(ctx, load.Config{Conc: o.conc, Duration: o.warmup, Seq0: seq}, m.op.load())
				seq += 1 << 20
			}
		}
		for slice := 0; slice < o.slices; slice++ {
			for _, m := range order {
				if m.setup != nil {
					if err := m.setup(ctx); err != nil {
						return err
					}
				}
				cpu0, ok0 := proc.CPUTime(b.srv.PID())
				st := load.Run(ctx, load.Config{Conc: o.conc, Duration: o.dur / time.Duration(o.slices), Seq0: seq}, m.op.load())
				seq += 1 << 20
				if cpu1, ok1 := proc.CPUTime(b.srv.PID()); ok0 && ok1 {
					st.CPU = cpu1 - cpu0
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				acc[m].Add(st)
				time.Sleep(200 * time.Millisecond) // let the server settle (GC, WAL checkpoint)
			}
		}
		for _, m := range g.modes {
			st := *acc[m]
			logf("%-5s round %d/%d %-34s %7.0f %s/s  p50 %-7s p99 %-7s server CPU/op %-7s errors %d",
				g.name, round+1, o.rounds, m.name, st.OPS(), g.unit, report.Dur(st.P50), report.Dur(st.P99), report.Micros(st.CPUPerOp()), st.Errors)
			if st.ErrorRate() > o.maxErrors {
				return fmt.Errorf("%s / %s round %d: %d errors out of %d operations; samples:\n  %s\nserver log: %s",
					g.name, m.name, round+1, st.Errors, st.OK+st.Errors, strings.Join(st.Samples, "\n  "), b.srv.LogPath)
			}
			st.DropLatencies()
			m.runs = append(m.runs, st)
		}
	}
	return nil
}

// ---- operations ----

func (b *bench) anonymousOp(ctx context.Context, _, _ int) error {
	body, err := load.Send(ctx, b.client, http.MethodPost, b.srv.Base+"/auth/v1/signin/anonymously?client_id="+envID, []byte(`{}`), nil)
	if err != nil {
		return err
	}
	return checkTokens(body)
}

// weChatLogin is a mini-program's sign-in: wx.login hands it a fresh code (issued here
// by the fake WeChat), which /auth/v1 turns into a provider token and then a session.
func (b *bench) weChatLogin(ctx context.Context, openid string) (string, error) {
	code := "code-" + strconv.FormatInt(b.codes.Add(1), 10)
	b.fake.IssueCode(code, wechattest.User{OpenID: openid, SessionKey: "YmVuY2hzZXNzaW9ua2V5MQ=="})
	req := `{"provider_id":"` + wxAppID + `","provider_code":"` + code + `","provider_params":{"provider_code_type":"open_id","appid":"` + wxAppID + `"}}`
	body, err := load.Send(ctx, b.client, http.MethodPost, b.srv.Base+"/auth/v1/provider/token?client_id="+envID, []byte(req), nil)
	if err != nil {
		return "", err
	}
	var pt struct {
		ProviderToken string `json:"provider_token"`
	}
	if err := json.Unmarshal(body, &pt); err != nil || pt.ProviderToken == "" {
		return "", fmt.Errorf("no provider_token in %s", body)
	}
	body, err = load.Send(ctx, b.client, http.MethodPost, b.srv.Base+"/auth/v1/signin/with/provider?client_id="+envID,
		[]byte(`{"provider_token":"`+pt.ProviderToken+`"}`), nil)
	if err != nil {
		return "", err
	}
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tk); err != nil || tk.AccessToken == "" {
		return "", fmt.Errorf("no access_token in %s", body)
	}
	return tk.AccessToken, nil
}

func checkTokens(body []byte) error {
	var tk struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(body, &tk); err != nil || tk.AccessToken == "" || tk.RefreshToken == "" {
		return fmt.Errorf("no tokens in %s", body)
	}
	return nil
}

var clientQueryURL = docsPath + "?" + url.Values{
	"query":  {`{"_openid":"{openid}"}`},
	"offset": {"0"},
	"limit":  {strconv.Itoa(pageSize)},
}.Encode()

// clientQueryOp is js-sdk's db.collection('posts').where({_openid:'{openid}'}).limit(20).get().
func (b *bench) clientQueryOp(ctx context.Context, w, _ int) error {
	_, err := load.Send(ctx, b.client, http.MethodGet, b.srv.Base+clientQueryURL, nil, http.Header{"Authorization": {"Bearer " + b.tokens[w]}})
	return err
}

// adminQueryOp is the same query from node-sdk / wx-server-sdk with an API key.
func (b *bench) adminQueryOp(ctx context.Context, w, _ int) error {
	_, err := b.admin(ctx, b.adminQueryBody(w))
	return err
}

func (b *bench) adminQueryBody(w int) string {
	q, _ := json.Marshal(`{"_openid":"` + owner(w) + `"}`)
	return `{"action":"database.getDocument","envName":"` + envID + `","collectionName":"` + collName + `","queryType":"WHERE","query":` + string(q) + `,"limit":` + strconv.Itoa(pageSize) + `}`
}

// admin runs an /admin action; its errors come back as HTTP 200 with a code.
func (b *bench) admin(ctx context.Context, body string) ([]byte, error) {
	out, err := load.Send(ctx, b.client, http.MethodPost, b.srv.Base+"/admin?env="+envID, []byte(body), http.Header{"Authorization": {"Bearer " + b.adminKey}})
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(string(out), `{"code"`) {
		return nil, fmt.Errorf("/admin: %s", out)
	}
	return out, nil
}

// setRules switches the collection between the security rule and its preset ("").
func (b *bench) setRules(ctx context.Context, rules string) error {
	r, _ := json.Marshal(rules)
	_, err := b.admin(ctx, `{"action":"database.modifySafeRule","collectionName":"`+collName+`","rule":`+string(r)+`}`)
	return err
}

// seed inserts the documents through /admin, owners round-robin, and leaves the
// collection on its default preset, PRIVATE.
func (b *bench) seed(ctx context.Context) error {
	logf("seeding %d documents of %d owners", b.o.docs, b.o.owners)
	for i := 0; i < b.o.docs; {
		var batch []string
		for ; i < b.o.docs && len(batch) < 1000; i++ {
			d, _ := json.Marshal(map[string]any{
				"_openid": owner(i % b.o.owners), "title": fmt.Sprintf("Post %d", i), "n": i,
				"category": fmt.Sprintf("c%d", i%20), "published": i%3 != 0, "body": strings.Repeat("lorem ipsum ", 8),
			})
			s, _ := json.Marshal(string(d))
			batch = append(batch, string(s))
		}
		if _, err := b.admin(ctx, `{"action":"database.insertDocument","collectionName":"`+collName+`","data":[`+strings.Join(batch, ",")+`]}`); err != nil {
			return err
		}
	}
	out, err := b.admin(ctx, `{"action":"database.describeDatabaseACL","collectionName":"`+collName+`"}`)
	if err != nil {
		return err
	}
	if !strings.Contains(string(out), `"aclTag":"PRIVATE"`) {
		return fmt.Errorf("the collection is not PRIVATE: %s", out)
	}
	return nil
}

// ---- checks before measuring ----

func (b *bench) verifyLogin(ctx context.Context) error {
	if err := b.anonymousOp(ctx, 0, 0); err != nil {
		return fmt.Errorf("anonymous sign-in check: %w", err)
	}
	tok, err := b.weChatLogin(ctx, owner(0))
	if err != nil {
		return fmt.Errorf("WeChat login check: %w", err)
	}
	body, err := load.Send(ctx, b.client, http.MethodGet, b.srv.Base+"/auth/v1/user/me", nil, http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		return fmt.Errorf("WeChat login check: %w", err)
	}
	if !strings.Contains(string(body), `"openid":"`+owner(0)+`"`) {
		return fmt.Errorf("WeChat login check: user/me says %s", body)
	}
	logf("login check passed: a wx.login code signs %s in", owner(0))
	return nil
}

// verifyQuery checks that all three modes return the caller's documents only, and that
// the rule is in force (a query outside it is denied) while the preset narrows instead.
func (b *bench) verifyQuery(ctx context.Context) error {
	want := min(pageSize, b.o.docs/b.o.owners)
	list := func(body []byte, admin bool) ([]map[string]any, error) {
		var res struct {
			List []json.RawMessage `json:"list"`
			Data struct {
				List []string `json:"list"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, err
		}
		var out []map[string]any
		if admin {
			for _, s := range res.Data.List {
				var d map[string]any
				if err := json.Unmarshal([]byte(s), &d); err != nil {
					return nil, err
				}
				out = append(out, d)
			}
			return out, nil
		}
		for _, r := range res.List {
			var d map[string]any
			if err := json.Unmarshal(r, &d); err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	}
	check := func(what string, body []byte, admin bool, w int) error {
		docs, err := list(body, admin)
		if err != nil {
			return fmt.Errorf("%s: %v: %s", what, err, body)
		}
		if len(docs) != want {
			return fmt.Errorf("%s: %d documents, want %d", what, len(docs), want)
		}
		for _, d := range docs {
			if d["_openid"] != owner(w) {
				return fmt.Errorf("%s: a document of %v in %s's answer", what, d["_openid"], owner(w))
			}
		}
		return nil
	}
	auth := http.Header{"Authorization": {"Bearer " + b.tokens[1]}}
	if err := b.setRules(ctx, ""); err != nil {
		return err
	}
	body, err := load.Send(ctx, b.client, http.MethodGet, b.srv.Base+clientQueryURL, nil, auth)
	if err != nil {
		return err
	}
	if err := check("PRIVATE preset", body, false, 1); err != nil {
		return err
	}
	if body, err = load.Send(ctx, b.client, http.MethodGet, b.srv.Base+docsPath, nil, auth); err != nil {
		return err
	}
	if err := check("PRIVATE preset, where({})", body, false, 1); err != nil {
		return err
	}
	if err := b.setRules(ctx, rule); err != nil {
		return err
	}
	if body, err = load.Send(ctx, b.client, http.MethodGet, b.srv.Base+clientQueryURL, nil, auth); err != nil {
		return err
	}
	if err := check("rule", body, false, 1); err != nil {
		return err
	}
	if _, err := load.Send(ctx, b.client, http.MethodGet, b.srv.Base+docsPath, nil, auth); err == nil || !strings.Contains(err.Error(), "DATABASE_PERMISSION_DENIED") {
		return fmt.Errorf("rule: where({}) must be denied, got %v", err)
	}
	if body, err = b.admin(ctx, b.adminQueryBody(1)); err != nil {
		return err
	}
	if err := check("admin", body, true, 1); err != nil {
		return err
	}
	logf("query check passed: every mode returns the caller's %d documents; the rule denies where({}), the preset narrows it", want)
	return nil
}

// ---- report ----

func (b *bench) report(elapsed time.Duration) {
	o := b.o
	host, _ := os.Hostname()
	fmt.Println()
	fmt.Println("# Minicloud: sign-in and security-rule cost")
	fmt.Println()
	fmt.Printf("minicloud built from %s · %s %s/%s · %d CPUs · host %s · %s\n", b.commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host, time.Now().Format("2006-01-02 15:04"))
	fmt.Printf("%d connections · per round and mode: %s warm-up + %s measured in %d slices alternating with the other modes · %d round(s), median reported · total %s\n",
		o.conc, o.warmup, o.dur, o.slices, o.rounds, elapsed.Round(time.Second))
	fmt.Println()
	var rows [][]string
	for _, g := range b.groups {
		for _, m := range g.modes {
			var per []string
			errs := 0
			for _, r := range m.runs {
				per = append(per, report.Int(r.OPS()))
				errs += r.Errors
			}
			rows = append(rows, []string{g.name, m.name, report.Int(load.Median(m.runs, load.OPS)), report.Dur(time.Duration(load.Median(m.runs, load.P50))),
				report.Dur(time.Duration(load.Median(m.runs, load.P99))), report.Micros(time.Duration(load.Median(m.runs, load.CPU))), fmt.Sprint(errs), strings.Join(per, " / ")})
		}
		base := g.modes[0]
		for _, m := range g.modes[1:] {
			rows = append(rows, []string{g.name, "**" + shortName(m.name) + " ÷ " + shortName(base.name) + "**",
				"**" + report.Ratio(load.Median(m.runs, load.OPS), load.Median(base.runs, load.OPS)) + "**",
				report.Ratio(load.Median(m.runs, load.P50), load.Median(base.runs, load.P50)), report.Ratio(load.Median(m.runs, load.P99), load.Median(base.runs, load.P99)),
				report.Ratio(load.Median(m.runs, load.CPU), load.Median(base.runs, load.CPU)), "", ""})
		}
	}
	report.Table(os.Stdout, []string{"group", "mode", "ops/s", "p50", "p99", "server CPU/op", "errors", "ops/s per round"}, rows,
		[]bool{false, false, true, true, true, true, true, false})
	fmt.Println()
	fmt.Println("Notes")
	fmt.Println("- ops/s: completed operations per second (median over rounds). A WeChat login is one operation of two requests")
	fmt.Println("  (POST /auth/v1/provider/token with a fresh wx.login code, then POST /auth/v1/signin/with/provider) and one")
	fmt.Println("  jscode2session call to the fake WeChat, which runs in this process; p50/p99 time the whole round trip.")
	fmt.Println("- Ratio rows divide a mode by its group's baseline: above 1 is more ops/s; below 1 is faster or less CPU.")
	fmt.Println("- server CPU/op: the server's user+system CPU over the run divided by the operations it served (/proc/<pid>/stat),")
	fmt.Println("  the figure least disturbed by other load; the load generator shares the CPUs.")
	fmt.Println("- anonymous sign-in and a new WeChat user create a user record with a random password (PocketBase hashes it with")
	fmt.Println("  bcrypt); a returning user updates its record (last login, session key). Sign-in routes are in PocketBase's")
	fmt.Println("  request log, like its own auth routes; sign-in rate limits are off for the bench.")
	fmt.Printf("- query: GET …/collections/%s/documents?query={\"_openid\":\"{openid}\"}&limit=%d, one WeChat user per connection, each\n", collName, pageSize)
	fmt.Printf("  owning %d of %d documents (indexed _openid). The rule and PRIVATE modes are the same collection, switched with\n", min(pageSize, o.docs/o.owners), o.docs)
	fmt.Println("  database.modifySafeRule before each slice; under the rule the query is proved within it, under the preset it is")
	fmt.Println("  narrowed to the caller's documents. admin: POST /admin database.getDocument with the same filter (EJSON strings),")
	fmt.Println("  authenticated by an API key (Bearer access key).")
}

// shortName is a mode's name without its parenthesised note.
func shortName(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "\nBENCHMARK FAILED: %s\n", fmt.Sprintf(format, args...))
	os.Exit(1)
}
