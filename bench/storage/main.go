// Command storage benchmarks Minicloud's cloud storage against PocketBase's own file
// fields on the same machine, in the same run, and prints one results table. Run it
// from the repository root:
//
//	go run ./bench/storage                    # -c 16, -d 5s, 3 rounds, both configurations
//	go run ./bench/storage -d 3s -rounds 1    # quicker, noisier
//
// It builds the minicloud binary from the repository and an unmodified PocketBase
// server (bench/storage/pocketbase) into bench/out/storage, starts both on fresh data
// directories and drives them over loopback HTTP with this process as the load
// generator:
//
//   - upload: a 10 KiB file per operation. Minicloud: the client flow every CloudBase
//     SDK uses (POST /v1/storages/get-objects-upload-info, then PUT to the signed URL
//     it returns: two requests). PocketBase: one multipart POST creating a record
//     with a file field.
//   - upload-form: the same, but Minicloud's second request is the multipart POST a
//     mini-program's wx.uploadFile sends (the file in the field "file").
//   - download: GET of a random 10 KiB file out of a pool. Minicloud: signed temporary
//     URLs from get-objects-download-info. PocketBase: /api/files/... of public records.
//   - large: one 100 MiB file uploaded and downloaded three times over one connection,
//     with the server's resident memory sampled during each transfer, next to a plain
//     read of a 100 MiB file from the page cache.
//
// See bench/README.md for how to read the results.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/proc"
	"github.com/minicloud/minicloud/bench/internal/report"
)

type options struct {
	conc      int
	dur       time.Duration
	warmup    time.Duration
	rounds    int
	slices    int
	pool      int
	size      int
	large     int64
	outDir    string
	configs   []string
	scenarios []string
	mcBin     string
	pbBin     string
	keep      bool
}

type config struct {
	name  string
	title string
	logs  bool
}

var allConfigs = []config{
	{name: "defaults", title: "PocketBase defaults: request logs ON (PocketBase logs every API request; Minicloud's storage routes skip success logs by design)", logs: true},
	{name: "nologs", title: "Request logs OFF for both (Settings.Logs.MaxDays = 0)", logs: false},
}

const (
	envID      = "bench"
	suEmail    = "bench@example.com"
	suPassword = "bench-password-1234"
)

func main() {
	var o options
	var configs, scenarios string
	flag.IntVar(&o.conc, "c", 16, "concurrent client connections for the small-file scenarios")
	flag.DurationVar(&o.dur, "d", 5*time.Second, "measured time per system per round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load on each system before each round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds per scenario (alternating which system goes first); the median is reported")
	flag.IntVar(&o.slices, "slices", 4, "split each round's measured time into slices that alternate between the systems, so that both see the same background load")
	flag.IntVar(&o.pool, "files", 500, "files in the download pool of each system")
	flag.IntVar(&o.size, "size", 10<<10, "size of the small files in bytes")
	flag.Int64Var(&o.large, "large", 100<<20, "size of the large file in bytes")
	flag.StringVar(&o.outDir, "out", "bench/out/storage", "output directory for binaries, data dirs and server logs")
	flag.StringVar(&configs, "configs", "defaults,nologs", "configurations: defaults (PocketBase request logs on), nologs (off for both)")
	flag.StringVar(&scenarios, "scenarios", "upload,upload-form,download,large", "scenarios: upload, upload-form, download, large")
	flag.StringVar(&o.mcBin, "mc-bin", "", "use this minicloud binary instead of building one")
	flag.StringVar(&o.pbBin, "pb-bin", "", "use this pocketbase binary instead of building one")
	flag.BoolVar(&o.keep, "keep", false, "keep the data dirs under <out>/run")
	flag.Parse()
	o.configs, o.scenarios = splitList(configs), splitList(scenarios)
	for _, c := range o.configs {
		if !slices.ContainsFunc(allConfigs, func(x config) bool { return x.name == c }) {
			fatalf("unknown config %q (want defaults, nologs)", c)
		}
	}
	for _, s := range o.scenarios {
		if !slices.Contains([]string{"upload", "upload-form", "download", "large"}, s) {
			fatalf("unknown scenario %q (want upload, upload-form, download, large)", s)
		}
	}
	if o.conc < 1 || o.rounds < 1 || o.slices < 1 || o.dur <= 0 || o.pool < 1 || o.size < 1 || o.large < 1 {
		fatalf("need -c, -rounds, -d, -files, -size and -large above zero")
	}

	ctx, stop := proc.Interruptible()
	defer stop()
	defer proc.StopAll()

	root, err := proc.RepoRoot()
	if err != nil {
		fatalf("%v", err)
	}
	if !filepath.IsAbs(o.outDir) {
		o.outDir = filepath.Join(root, o.outDir)
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		fatalf("%v", err)
	}
	if o.mcBin == "" {
		o.mcBin = filepath.Join(o.outDir, "minicloud")
		build(root, o.mcBin, ".")
	}
	if o.pbBin == "" {
		o.pbBin = filepath.Join(o.outDir, "pocketbase")
		build(root, o.pbBin, "./bench/storage/pocketbase")
	}

	fmt.Printf("# Storage benchmark: Minicloud vs PocketBase file fields\n\n")
	fmt.Printf("commit %s, %s, %d CPUs, -c %d, -d %s in %d slices, %d rounds, %d-byte small files, %d-file download pool\n\n",
		proc.GitDescribe(root), goVersion(), numCPU(), o.conc, o.dur, o.slices, o.rounds, o.size, o.pool)
	for i, name := range o.configs {
		cfg := allConfigs[slices.IndexFunc(allConfigs, func(x config) bool { return x.name == name })]
		if err := runConfig(ctx, o, cfg, i == 0); err != nil {
			proc.StopAll()
			fatalf("%s: %v", cfg.name, err)
		}
	}
}

// systems of one configuration
type bench struct {
	o      options
	client *http.Client
	mc     *mcSystem
	pb     *pbSystem
	seq    atomic.Int64
}

func runConfig(ctx context.Context, o options, cfg config, withLarge bool) error {
	runDir := filepath.Join(o.outDir, "run", cfg.name)
	if err := os.RemoveAll(runDir); err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(runDir)
	}
	b := &bench{o: o, client: newClient(o.conc)}
	var err error
	if b.mc, err = startMinicloud(ctx, b, runDir, cfg); err != nil {
		return err
	}
	defer b.mc.srv.Stop()
	if b.pb, err = startPocketBase(ctx, b, runDir, cfg); err != nil {
		return err
	}
	defer b.pb.srv.Stop()

	fmt.Printf("## %s\n\n%s\n\n", cfg.name, cfg.title)
	fmt.Println("| scenario | system | ops/s | HTTP req/s | MB/s | p50 | p99 | server CPU/op | errors | ops/s per round |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	type sys struct {
		name string
		pid  int
		op   opFunc
	}
	for _, sc := range o.scenarios {
		var pair [2]sys
		label := ""
		switch sc {
		case "upload":
			label = fmt.Sprintf("upload %s", human(int64(o.size)))
			pair = [2]sys{{"Minicloud", b.mc.srv.PID(), b.mc.upload}, {"PocketBase", b.pb.srv.PID(), b.pb.upload}}
		case "upload-form":
			label = fmt.Sprintf("upload %s, form POST", human(int64(o.size)))
			pair = [2]sys{{"Minicloud", b.mc.srv.PID(), b.mc.uploadForm}, {"PocketBase", b.pb.srv.PID(), b.pb.upload}}
		case "download":
			label = fmt.Sprintf("download %s", human(int64(o.size)))
			if err := b.mc.seed(ctx); err != nil {
				return fmt.Errorf("seed minicloud: %w", err)
			}
			if err := b.pb.seed(ctx); err != nil {
				return fmt.Errorf("seed pocketbase: %w", err)
			}
			pair = [2]sys{{"Minicloud", b.mc.srv.PID(), b.mc.download}, {"PocketBase", b.pb.srv.PID(), b.pb.download}}
		default:
			continue
		}
		runs := [2][]load.Stats{}
		for r := 0; r < o.rounds; r++ {
			order := []int{0, 1}
			if r%2 == 1 {
				order = []int{1, 0}
			}
			for _, i := range order {
				runLoad(ctx, o.conc, o.warmup, pair[i].pid, pair[i].op)
			}
			var round [2]load.Stats
			for k := 0; k < o.slices; k++ {
				for _, i := range order {
					round[i].Add(runLoad(ctx, o.conc, o.dur/time.Duration(o.slices), pair[i].pid, pair[i].op))
					if ctx.Err() != nil {
						return ctx.Err()
					}
				}
			}
			for _, i := range order {
				st := round[i]
				if st.Errors > 0 {
					fmt.Fprintf(os.Stderr, "%s %s: %d errors, e.g. %q\n", label, pair[i].name, st.Errors, st.Samples)
				}
				if st.OK == 0 {
					return fmt.Errorf("%s %s: no operation succeeded: %q", label, pair[i].name, st.Samples)
				}
				runs[i] = append(runs[i], st)
			}
		}
		med := func(i int, f func(load.Stats) float64) float64 { return load.Median(runs[i], f) }
		for i, s := range pair {
			var rounds []string
			for _, st := range runs[i] {
				rounds = append(rounds, report.Int(st.OPS()))
			}
			errs := 0
			for _, st := range runs[i] {
				errs += st.Errors
			}
			fmt.Printf("| %s | %s | %s | %s | %.1f | %s | %s | %s | %d | %s |\n", label, s.name,
				report.Int(med(i, load.OPS)), report.Int(med(i, reqPerSec)), med(i, mbPerSec),
				report.Dur(time.Duration(med(i, load.P50))), report.Dur(time.Duration(med(i, load.P99))), report.Micros(time.Duration(med(i, load.CPU))), errs, strings.Join(rounds, " / "))
		}
		ratio := func(f func(load.Stats) float64) string { return fmt.Sprintf("%.2f×", med(0, f)/med(1, f)) }
		fmt.Printf("| %s | **Minicloud/PocketBase** | **%s** | %s | **%s** | %s | %s | %s | | |\n", label,
			ratio(load.OPS), ratio(reqPerSec), ratio(mbPerSec), ratio(load.P50), ratio(load.P99), ratio(load.CPU))
	}
	fmt.Println()
	if withLarge && slices.Contains(o.scenarios, "large") {
		if err := b.large(ctx, runDir); err != nil {
			return err
		}
	}
	return nil
}

func reqPerSec(s load.Stats) float64 { return s.ReqPerSec() }
func mbPerSec(s load.Stats) float64  { return s.MBPerSec() }

// ---- Minicloud ----

type mcSystem struct {
	b      *bench
	srv    *proc.Server
	tokens []string
	urls   []string
	body   []byte
}

func startMinicloud(ctx context.Context, b *bench, runDir string, cfg config) (*mcSystem, error) {
	dir := filepath.Join(runDir, "mc")
	env := []string{"MINICLOUD_ENV_ID=" + envID, "MINICLOUD_ANONYMOUS_AUTH=true", fmt.Sprintf("MINICLOUD_MAX_UPLOAD=%d", max(b.o.large, int64(b.o.size))+1)}
	if err := runCmd(b.o.mcBin, env, "superuser", "upsert", suEmail, suPassword, "--dir", dir); err != nil {
		return nil, err
	}
	srv, err := proc.Start(ctx, proc.MinicloudSpec("minicloud", b.o.mcBin, dir, filepath.Join(runDir, "minicloud.log"), env...))
	if err != nil {
		return nil, err
	}
	if err := setLogs(b.client, srv.Base, cfg.logs); err != nil {
		return nil, err
	}
	m := &mcSystem{b: b, srv: srv, body: payload(b.o.size)}
	for i := 0; i < b.o.conc; i++ {
		var tk struct {
			AccessToken string `json:"access_token"`
		}
		req, _ := http.NewRequest(http.MethodPost, srv.Base+"/auth/v1/signin/anonymously?client_id="+envID, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if err := do(b.client, req, func(body []byte) error { return json.Unmarshal(body, &tk) }); err != nil {
			return nil, fmt.Errorf("sign in: %w", err)
		}
		m.tokens = append(m.tokens, tk.AccessToken)
	}
	return m, nil
}

// uploadInfo asks for the upload URL of a file of size bytes, as the SDKs do.
func (m *mcSystem) uploadInfo(ctx context.Context, token, cloudPath string, size int64) (uploadURL, authorization, fileID string, err error) {
	info := fmt.Sprintf(`[{"objectId":%q,"signedHeader":{"content-length":["%d"],"content-type":["application/octet-stream"]}}]`, cloudPath, size)
	if size < 0 {
		// a form upload declares nothing (js-sdk's method 'post' neither)
		info = fmt.Sprintf(`[{"objectId":%q}]`, cloudPath)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.srv.Base+"/v1/storages/get-objects-upload-info", strings.NewReader(info))
	if err != nil {
		return "", "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	var out []struct {
		UploadURL     string `json:"uploadUrl"`
		Authorization string `json:"authorization"`
		CloudObjectID string `json:"cloudObjectId"`
		Code, Message string
	}
	if err := do(m.b.client, req, func(b []byte) error { return json.Unmarshal(b, &out) }); err != nil {
		return "", "", "", err
	}
	if len(out) != 1 || out[0].Code != "" {
		return "", "", "", fmt.Errorf("upload info: %+v", out)
	}
	return out[0].UploadURL, out[0].Authorization, out[0].CloudObjectID, nil
}

// uploadStream runs the SDK upload flow: ask for the upload URL, PUT the bytes there.
func (m *mcSystem) uploadStream(ctx context.Context, token, cloudPath string, size int64, body func() io.Reader) (string, error) {
	u, authorization, id, err := m.uploadInfo(ctx, token, cloudPath, size)
	if err != nil {
		return "", err
	}
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body())
	if err != nil {
		return "", err
	}
	put.ContentLength = size
	put.Header.Set("Authorization", authorization)
	put.Header.Set("Content-Type", "application/octet-stream")
	if err := do(m.b.client, put, nil); err != nil {
		return "", err
	}
	return id, nil
}

// uploadForm runs a mini-program's flow: the upload URL, then wx.uploadFile's multipart
// POST with the file in the field "file" (the same body PocketBase's upload sends).
func (m *mcSystem) uploadForm(ctx context.Context, w, n int) (int, int64, error) {
	p := fmt.Sprintf("bench/w%d/%d.bin", w, m.b.seq.Add(1))
	u, _, _, err := m.uploadInfo(ctx, m.tokens[w], p, -1)
	if err != nil {
		return 2, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(m.b.pb.body))
	if err != nil {
		return 2, 0, err
	}
	req.ContentLength = int64(len(m.b.pb.body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+m.b.pb.boundary)
	if err := do(m.b.client, req, nil); err != nil {
		return 2, 0, err
	}
	return 2, int64(m.b.o.size), nil
}

func (m *mcSystem) upload(ctx context.Context, w, n int) (int, int64, error) {
	p := fmt.Sprintf("bench/w%d/%d.bin", w, m.b.seq.Add(1))
	_, err := m.uploadStream(ctx, m.tokens[w], p, int64(len(m.body)), func() io.Reader { return bytes.NewReader(m.body) })
	if err != nil {
		return 2, 0, err
	}
	return 2, int64(len(m.body)), nil
}

func (m *mcSystem) seed(ctx context.Context) error {
	if len(m.urls) > 0 {
		return nil
	}
	var ids []string
	for i := 0; i < m.b.o.pool; i++ {
		id, err := m.uploadStream(ctx, m.tokens[0], fmt.Sprintf("pool/%d.bin", i), int64(len(m.body)), func() io.Reader { return bytes.NewReader(m.body) })
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		batch := ids[:min(50, len(ids))]
		ids = ids[len(batch):]
		urls, err := m.tempURLs(ctx, batch)
		if err != nil {
			return err
		}
		m.urls = append(m.urls, urls...)
	}
	return nil
}

func (m *mcSystem) tempURLs(ctx context.Context, ids []string) ([]string, error) {
	var in []map[string]string
	for _, id := range ids {
		in = append(in, map[string]string{"cloudObjectId": id})
	}
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.srv.Base+"/v1/storages/get-objects-download-info", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+m.tokens[0])
	req.Header.Set("Content-Type", "application/json")
	var out []struct {
		DownloadURL string `json:"downloadUrl"`
		Code        string `json:"code"`
	}
	if err := do(m.b.client, req, func(b []byte) error { return json.Unmarshal(b, &out) }); err != nil {
		return nil, err
	}
	var urls []string
	for _, o := range out {
		if o.Code != "" {
			return nil, fmt.Errorf("temp URL: %s", o.Code)
		}
		urls = append(urls, o.DownloadURL)
	}
	return urls, nil
}

func (m *mcSystem) download(ctx context.Context, w, n int) (int, int64, error) {
	u := m.urls[rand.IntN(len(m.urls))]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 1, 0, err
	}
	var got int
	err = do(m.b.client, req, func(b []byte) error { got = len(b); return nil })
	if err == nil && got != len(m.body) {
		err = fmt.Errorf("got %d bytes", got)
	}
	return 1, int64(got), err
}

// ---- PocketBase ----

type pbSystem struct {
	b        *bench
	srv      *proc.Server
	token    string
	urls     []string
	body     []byte // a multipart body holding one small file
	boundary string
}

func startPocketBase(ctx context.Context, b *bench, runDir string, cfg config) (*pbSystem, error) {
	dir := filepath.Join(runDir, "pb")
	if err := runCmd(b.o.pbBin, nil, "superuser", "upsert", suEmail, suPassword, "--dir", dir); err != nil {
		return nil, err
	}
	srv, err := proc.Start(ctx, proc.MinicloudSpec("pocketbase", b.o.pbBin, dir, filepath.Join(runDir, "pocketbase.log")))
	if err != nil {
		return nil, err
	}
	if err := setLogs(b.client, srv.Base, cfg.logs); err != nil {
		return nil, err
	}
	token, err := superuserToken(b.client, srv.Base)
	if err != nil {
		return nil, err
	}
	// a public collection with one file field, large enough for the large file
	coll := fmt.Sprintf(`{"name":"files","type":"base","listRule":"","viewRule":"","createRule":"","fields":[{"name":"file","type":"file","maxSelect":1,"maxSize":%d}]}`, b.o.large+1)
	req, _ := http.NewRequest(http.MethodPost, srv.Base+"/api/collections", strings.NewReader(coll))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	if err := do(b.client, req, func([]byte) error { return nil }); err != nil {
		return nil, fmt.Errorf("create the files collection: %w", err)
	}
	p := &pbSystem{b: b, srv: srv, token: token}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreatePart(filePartHeader("file", "small.bin"))
	_, _ = fw.Write(payload(b.o.size))
	_ = mw.Close()
	p.body, p.boundary = buf.Bytes(), mw.Boundary()
	return p, nil
}

func filePartHeader(field, name string) textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", "application/octet-stream")
	return h
}

type pbRecord struct {
	ID   string `json:"id"`
	File string `json:"file"`
}

func (p *pbSystem) create(ctx context.Context, body io.Reader, size int64, contentType string) (pbRecord, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.srv.Base+"/api/collections/files/records", body)
	if err != nil {
		return pbRecord{}, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	var rec pbRecord
	err = do(p.b.client, req, func(b []byte) error { return json.Unmarshal(b, &rec) })
	if err == nil && rec.File == "" {
		err = errors.New("the record has no file")
	}
	return rec, err
}

func (p *pbSystem) upload(ctx context.Context, w, n int) (int, int64, error) {
	_, err := p.create(ctx, bytes.NewReader(p.body), int64(len(p.body)), "multipart/form-data; boundary="+p.boundary)
	if err != nil {
		return 1, 0, err
	}
	return 1, int64(p.b.o.size), nil
}

func (p *pbSystem) fileURL(rec pbRecord) string {
	return p.srv.Base + "/api/files/files/" + rec.ID + "/" + rec.File
}

func (p *pbSystem) seed(ctx context.Context) error {
	if len(p.urls) > 0 {
		return nil
	}
	for i := 0; i < p.b.o.pool; i++ {
		rec, err := p.create(ctx, bytes.NewReader(p.body), int64(len(p.body)), "multipart/form-data; boundary="+p.boundary)
		if err != nil {
			return err
		}
		p.urls = append(p.urls, p.fileURL(rec))
	}
	return nil
}

func (p *pbSystem) download(ctx context.Context, w, n int) (int, int64, error) {
	u := p.urls[rand.IntN(len(p.urls))]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 1, 0, err
	}
	var got int
	err = do(p.b.client, req, func(b []byte) error { got = len(b); return nil })
	if err == nil && got != p.b.o.size {
		err = fmt.Errorf("got %d bytes", got)
	}
	return 1, int64(got), err
}

// ---- the large file ----

type transfer struct {
	mbps     float64
	idleRSS  int64
	peakRSS  int64
	duration time.Duration
}

// measure runs fn while sampling the server's RSS.
func measure(pid int, size int64, fn func() error) (transfer, error) {
	idle := proc.RSS(pid)
	s := proc.SampleRSS(pid, 5*time.Millisecond)
	t0 := time.Now()
	err := fn()
	d := time.Since(t0)
	peak := s.Peak()
	return transfer{mbps: float64(size) / (1 << 20) / d.Seconds(), idleRSS: idle, peakRSS: peak, duration: d}, err
}

// pattern is an endless reader of a fixed, non-compressible-looking pattern.
type pattern struct{ i int }

func (p *pattern) Read(b []byte) (int, error) {
	for k := range b {
		b[k] = byte((p.i*7 + p.i>>9) ^ 0x5a)
		p.i++
	}
	return len(b), nil
}

func getAll(client *http.Client, u string, want int64) error {
	resp, err := client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.CopyBuffer(io.Discard, resp.Body, make([]byte, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || n != want {
		return fmt.Errorf("GET %s: status %d, %d bytes", u, resp.StatusCode, n)
	}
	return nil
}

func (b *bench) large(ctx context.Context, runDir string) error {
	size := b.o.large
	client := newClient(1)
	// the reference: reading a file of the same size from the page cache
	ref := filepath.Join(runDir, "reference.bin")
	f, err := os.Create(ref)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, &pattern{}, size); err != nil {
		f.Close()
		return err
	}
	f.Close()
	var refMBps []float64
	for i := 0; i < 3; i++ {
		f, err := os.Open(ref)
		if err != nil {
			return err
		}
		t0 := time.Now()
		_, err = io.CopyBuffer(io.Discard, f, make([]byte, 1<<20))
		f.Close()
		if err != nil {
			return err
		}
		refMBps = append(refMBps, float64(size)/(1<<20)/time.Since(t0).Seconds())
	}
	os.Remove(ref)

	type result struct {
		up   transfer
		down []transfer
	}
	var mcRes, pbRes result

	// Minicloud: the SDK flow with a streamed body
	var id string
	mcRes.up, err = measure(b.mc.srv.PID(), size, func() error {
		var err error
		id, err = b.mc.uploadStream(ctx, b.mc.tokens[0], "large/file.bin", size, func() io.Reader { return io.LimitReader(&pattern{}, size) })
		return err
	})
	if err != nil {
		return fmt.Errorf("minicloud large upload: %w", err)
	}
	urls, err := b.mc.tempURLs(ctx, []string{id})
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		t, err := measure(b.mc.srv.PID(), size, func() error { return getAll(client, urls[0], size) })
		if err != nil {
			return fmt.Errorf("minicloud large download: %w", err)
		}
		mcRes.down = append(mcRes.down, t)
	}

	// PocketBase: a multipart record create with a streamed body
	var rec pbRecord
	pbRes.up, err = measure(b.pb.srv.PID(), size, func() error {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			fw, err := mw.CreatePart(filePartHeader("file", "large.bin"))
			if err == nil {
				_, err = io.CopyN(fw, &pattern{}, size)
			}
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
		}()
		var err error
		rec, err = b.pb.create(ctx, pr, -1, mw.FormDataContentType())
		return err
	})
	if err != nil {
		return fmt.Errorf("pocketbase large upload: %w", err)
	}
	for i := 0; i < 3; i++ {
		t, err := measure(b.pb.srv.PID(), size, func() error { return getAll(client, b.pb.fileURL(rec), size) })
		if err != nil {
			return fmt.Errorf("pocketbase large download: %w", err)
		}
		pbRes.down = append(pbRes.down, t)
	}

	fmt.Printf("### %s file, one connection\n\n", human(size))
	fmt.Println("| system | upload MB/s | server RSS during upload: idle → peak | download MB/s (median of 3) | server RSS during downloads: idle → peak |")
	fmt.Println("| --- | ---: | --- | ---: | --- |")
	row := func(name string, r result) {
		var mb []float64
		var idle, peak int64 = r.down[0].idleRSS, 0
		for _, d := range r.down {
			mb = append(mb, d.mbps)
			peak = max(peak, d.peakRSS)
		}
		slices.Sort(mb)
		fmt.Printf("| %s | %.0f | %s → %s | %.0f | %s → %s |\n", name, r.up.mbps, human(r.up.idleRSS), human(r.up.peakRSS), mb[1], human(idle), human(peak))
	}
	row("Minicloud", mcRes)
	row("PocketBase", pbRes)
	slices.Sort(refMBps)
	fmt.Printf("| reading the same size from the page cache (no HTTP) | | | %.0f | |\n\n", refMBps[1])
	return nil
}

// ---- helpers ----

func payload(n int) []byte {
	b := make([]byte, n)
	_, _ = (&pattern{}).Read(b)
	return b
}

func setLogs(client *http.Client, base string, on bool) error {
	if on {
		return nil
	}
	token, err := superuserToken(client, base)
	if err != nil {
		return err
	}
	req, _ := http.NewRequest(http.MethodPatch, base+"/api/settings", strings.NewReader(`{"logs":{"maxDays":0}}`))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	return do(client, req, func([]byte) error { return nil })
}

func superuserToken(client *http.Client, base string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/api/collections/_superusers/auth-with-password",
		strings.NewReader(fmt.Sprintf(`{"identity":%q,"password":%q}`, suEmail, suPassword)))
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		Token string `json:"token"`
	}
	if err := do(client, req, func(b []byte) error { return json.Unmarshal(b, &out) }); err != nil {
		return "", fmt.Errorf("superuser sign-in: %w", err)
	}
	return out.Token, nil
}

func runCmd(bin string, env []string, args ...string) error {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return nil
}

func build(root, out, pkg string) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "go"
	}
	return strings.TrimSpace(string(out))
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/storage: "+format+"\n", args...)
	proc.StopAll()
	os.Exit(1)
}
