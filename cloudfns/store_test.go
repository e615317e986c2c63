package cloudfns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

func newTestFnStore(t testing.TB) (*Store, core.App) {
	t.Helper()
	app := testapp.New(t)
	return NewStore(app), app
}

func bundleOf(t testing.TB, files map[string]string) *Bundle {
	t.Helper()
	b, err := LoadBundleFS(mapFS(files))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func versionedBundle(t testing.TB, n int) *Bundle {
	return bundleOf(t, map[string]string{
		"index.js":    fmt.Sprintf("exports.main = async () => %d\n", n),
		"config.json": fmt.Sprintf(`{"timeout": %d}`, n%60+1),
	})
}

func TestStoreLifecycle(t *testing.T) {
	s, _ := newTestFnStore(t)
	ctx := context.Background()
	var changes []string
	var mu sync.Mutex
	s.OnChange(func(name string) { mu.Lock(); changes = append(changes, name); mu.Unlock() })
	changeCount := func() int { mu.Lock(); defer mu.Unlock(); return len(changes) }

	b1 := bundleOf(t, map[string]string{"index.ts": "export const main = async () => 1\n", "lib/a.js": "exports.a = 1\n", "config.json": `{"timeout": 5, "envVariables": {"K": "v"}}`})
	v1, err := s.Deploy(ctx, "login", b1)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Number != 1 || v1.Function != "login" || v1.Key() != "login@1" || v1.Created.IsZero() {
		t.Fatalf("%+v", v1)
	}
	a, err := s.Active(ctx, "login")
	if err != nil || a.Number != 1 || a.Bundle.Config.Envs["K"] != "v" || a.Bundle.Config.Timeout != 5 {
		t.Fatalf("%+v %v", a, err)
	}
	if !bytes.Equal(a.Bundle.Files["index.js"], b1.Files["index.js"]) || !bytes.Equal(a.Bundle.SourceMaps["index.js"], b1.SourceMaps["index.js"]) || len(a.Bundle.Files) != len(b1.Files) {
		t.Fatal("stored bundle differs")
	}
	if again, _ := s.Active(ctx, "login"); again != a {
		t.Fatal("Active must serve the cached version")
	}

	// Identical content: no new version.
	same, changed, err := s.DeployChanged(ctx, "login", bundleOf(t, map[string]string{"index.ts": "export const main = async () => 1\n", "lib/a.js": "exports.a = 1\n", "config.json": `{"timeout": 5, "envVariables": {"K": "v"}}`}))
	if err != nil || changed || same.Number != 1 {
		t.Fatalf("unchanged deploy: %+v %v %v", same, changed, err)
	}

	before := changeCount()
	v2, err := s.Deploy(ctx, "login", versionedBundle(t, 2))
	if err != nil || v2.Number != 2 {
		t.Fatal(v2, err)
	}
	if changeCount() == before {
		t.Fatal("an in-process deploy must call OnChange at once")
	}
	if a, _ := s.Active(ctx, "login"); a.Number != 2 || !strings.Contains(string(a.Bundle.Files["index.js"]), "=> 2") {
		t.Fatal("the deploy must be active at once in-process", a.Number)
	}
	if _, err := s.Deploy(ctx, "list", versionedBundle(t, 7)); err != nil {
		t.Fatal(err)
	}

	vs, err := s.Versions(ctx, "login")
	if err != nil || len(vs) != 2 || vs[0].Number != 2 || !vs[0].Active || vs[1].Active || vs[1].Config.Timeout != 5 {
		t.Fatalf("%+v %v", vs, err)
	}
	var sawSource bool
	for _, f := range vs[1].Files {
		if f.Path == "index.js" && f.Source == "index.ts" {
			sawSource = true
		}
	}
	if !sawSource || vs[1].SourceHash == "" || vs[1].Size == 0 || vs[1].Created.IsZero() {
		t.Fatalf("version info %+v", vs[1])
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "list" || list[1].Name != "login" || list[1].ActiveVersion != 2 || list[1].Versions != 2 || list[1].Updated.IsZero() {
		t.Fatalf("%+v %v", list, err)
	}

	before = changeCount()
	if err := s.Rollback(ctx, "login", 1); err != nil {
		t.Fatal(err)
	}
	if changeCount() == before {
		t.Fatal("rollback must call OnChange")
	}
	if a, _ := s.Active(ctx, "login"); a.Number != 1 {
		t.Fatal("rollback", a.Number)
	}
	if g, err := s.Get(ctx, "login", 2); err != nil || g.Number != 2 || g.Bundle.Config.Timeout != 3 {
		t.Fatal(g, err)
	}
	// Redeploying after a rollback continues the numbering.
	if v3, err := s.Deploy(ctx, "login", versionedBundle(t, 3)); err != nil || v3.Number != 3 {
		t.Fatal(v3, err)
	}

	if err := s.Delete(ctx, "login"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Active(ctx, "login"); !errors.Is(err, ErrFunctionNotFound) {
		t.Fatal("deleted", err)
	}
	if v, err := s.Deploy(ctx, "login", versionedBundle(t, 4)); err != nil || v.Number != 1 {
		t.Fatal("a function deployed again after delete starts at version 1", v, err)
	}
}

func TestStoreNotFound(t *testing.T) {
	s, _ := newTestFnStore(t)
	ctx := context.Background()
	if _, err := s.Deploy(ctx, "f", versionedBundle(t, 1)); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"active":         func() error { _, err := s.Active(ctx, "nope"); return err }(),
		"get":            func() error { _, err := s.Get(ctx, "nope", 1); return err }(),
		"versions":       func() error { _, err := s.Versions(ctx, "nope"); return err }(),
		"rollback":       s.Rollback(ctx, "nope", 1),
		"delete":         s.Delete(ctx, "nope"),
		"get version":    func() error { _, err := s.Get(ctx, "f", 9); return err }(),
		"rollback to v9": s.Rollback(ctx, "f", 9),
	} {
		if !errors.Is(err, ErrFunctionNotFound) {
			t.Errorf("%s: %v", what, err)
		}
	}
	if _, err := s.Get(ctx, "f", 9); !errors.Is(err, ErrVersionNotFound) {
		t.Error(err)
	}
	if _, err := s.Get(ctx, "nope", 1); errors.Is(err, ErrVersionNotFound) {
		t.Error("an unknown function is not a missing version")
	}
	if _, err := s.Deploy(ctx, "bad name", versionedBundle(t, 1)); !errors.Is(err, ErrInvalidFunctionName) {
		t.Error(err)
	}
	if _, err := s.Deploy(ctx, "f", &Bundle{Files: map[string][]byte{"lib.js": nil}}); err == nil {
		t.Error("a bundle without entry")
	}
}

// TestStoreCrossProcess: a deploy, rollback and delete made through another app on the
// same data directory (as the CLI does) reach a running store's Active within the
// recheck window, and its OnChange hears of them.
func TestStoreCrossProcess(t *testing.T) {
	dir := t.TempDir()
	server := NewStore(testapp.NewInDir(t, dir))
	cli := NewStore(testapp.NewInDir(t, dir))
	ctx := context.Background()
	var changes atomic.Int32
	server.OnChange(func(name string) {
		if name == "f" {
			changes.Add(1)
		}
	})

	if _, err := cli.Deploy(ctx, "f", versionedBundle(t, 1)); err != nil {
		t.Fatal(err)
	}
	waitActive := func(want int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			v, err := server.Active(ctx, "f")
			if want == 0 && errors.Is(err, ErrFunctionNotFound) {
				return
			}
			if err == nil && v.Number == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("server still sees %v %v, want version %d", v, err, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitActive(1)
	start := time.Now()
	if _, err := cli.Deploy(ctx, "f", versionedBundle(t, 2)); err != nil {
		t.Fatal(err)
	}
	waitActive(2)
	if took := time.Since(start); took > ActiveRecheck+500*time.Millisecond {
		t.Fatalf("picked up after %s", took)
	}
	if changes.Load() == 0 {
		t.Fatal("OnChange must hear of a change another process made")
	}
	if err := cli.Rollback(ctx, "f", 1); err != nil {
		t.Fatal(err)
	}
	waitActive(1)
	n := changes.Load()
	if err := cli.Delete(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	waitActive(0)
	if changes.Load() == n {
		t.Fatal("OnChange must hear of a delete")
	}
}

// TestStoreDashboardEdit: changing activeVersion through the app (as the dashboard does)
// takes effect at once.
func TestStoreDashboardEdit(t *testing.T) {
	s, app := newTestFnStore(t)
	ctx := context.Background()
	for i := 1; i <= 2; i++ {
		if _, err := s.Deploy(ctx, "f", versionedBundle(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := s.Active(ctx, "f"); v.Number != 2 {
		t.Fatal(v.Number)
	}
	rec, err := app.FindFirstRecordByData(migrations.Functions, "name", "f")
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("activeVersion", 1)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Active(ctx, "f"); v.Number != 1 {
		t.Fatal("the record hook must invalidate at once", v.Number)
	}
	// The bundle is hidden from the API; config and file list are shown.
	vrec, err := app.FindFirstRecordByFilter(migrations.FunctionVersions, "function = 'f' && version = 1")
	if err != nil {
		t.Fatal(err)
	}
	pub := vrec.PublicExport()
	if _, ok := pub["bundle"]; ok {
		t.Fatal("bundle must be hidden")
	}
	if _, ok := pub["config"]; !ok {
		t.Fatal("config must be visible")
	}
}

func TestStorePrunesOldVersions(t *testing.T) {
	s, _ := newTestFnStore(t)
	ctx := context.Background()
	for i := 1; i <= MaxKeptVersions+3; i++ {
		if _, err := s.Deploy(ctx, "f", versionedBundle(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := s.Versions(ctx, "f")
	if err != nil || len(vs) != MaxKeptVersions || vs[0].Number != MaxKeptVersions+3 || vs[len(vs)-1].Number != 4 {
		t.Fatalf("%d versions, %v", len(vs), err)
	}
}

func TestStoreLargeBundle(t *testing.T) {
	s, _ := newTestFnStore(t)
	ctx := context.Background()
	noise := make([]byte, 3<<20) // incompressible
	_, _ = rand.Read(noise)
	var js strings.Builder
	for js.Len() < 6<<20 {
		fmt.Fprintf(&js, "exports.f%d = function (a, b) { return a + b + %d }\n", js.Len(), js.Len())
	}
	b := bundleOf(t, map[string]string{"index.js": mainJS, "lib/big.js": js.String(), "assets/noise.bin": hex.EncodeToString(noise[:1<<20])})
	b.Files["assets/raw.bin"] = noise
	start := time.Now()
	if _, err := s.Deploy(ctx, "big", b); err != nil {
		t.Fatal(err)
	}
	deployed := time.Since(start)
	v, err := s.Active(ctx, "big")
	if err != nil || !bytes.Equal(v.Bundle.Files["assets/raw.bin"], noise) || len(v.Bundle.Files["lib/big.js"]) != js.Len() {
		t.Fatal("round trip", err)
	}
	t.Logf("deploy of %d MiB: %s, first Active: %s", (js.Len()+len(noise)+2<<20)>>20, deployed, time.Since(start)-deployed)
}

func TestBundleCodec(t *testing.T) {
	b := bundleOf(t, map[string]string{
		"index.ts":    "import { x } from './lib/x'\nexport const main = async () => x\n",
		"lib/x.ts":    "export const x: number = 1\n",
		"data.json":   `{"k": "值"}`,
		"config.json": `{"timeout": 20}`,
	})
	enc, err := encodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeBundle(enc.text)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != len(b.Files) || len(got.SourceMaps) != len(b.SourceMaps) {
		t.Fatal("counts")
	}
	for p, data := range b.Files {
		if !bytes.Equal(got.Files[p], data) {
			t.Fatal(p)
		}
	}
	for p, data := range b.SourceMaps {
		if !bytes.Equal(got.SourceMaps[p], data) {
			t.Fatal(p)
		}
	}
	enc2, _ := encodeBundle(b)
	if enc2.hash != enc.hash || enc2.text != enc.text {
		t.Fatal("encoding must be deterministic")
	}
	b.Config.Timeout = 21
	if enc3, _ := encodeBundle(b); enc3.hash == enc.hash {
		t.Fatal("config is part of the hash")
	}
	var sources []string
	for _, f := range enc.files {
		if f.Source != "" {
			sources = append(sources, f.Path+"<-"+f.Source)
		}
	}
	if strings.Join(sources, ",") != "index.js<-index.ts,lib/x.js<-lib/x.ts" {
		t.Fatal(sources)
	}
	for _, bad := range []string{"!!", "aGVsbG8=", enc.text[:len(enc.text)/2]} {
		if _, err := decodeBundle(bad); !errors.Is(err, errCorruptBundle) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestStoreConcurrentActive(t *testing.T) {
	s, _ := newTestFnStore(t)
	ctx := context.Background()
	if _, err := s.Deploy(ctx, "f", versionedBundle(t, 1)); err != nil {
		t.Fatal(err)
	}
	s.recheck = time.Millisecond // exercise the re-check path
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var bad atomic.Value
	for range 8 {
		wg.Go(func() {
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := s.Active(ctx, "f")
				if err != nil {
					bad.Store(err)
					return
				}
				if v.Number < last {
					bad.Store(fmt.Errorf("went back from %d to %d", last, v.Number))
				}
				last = v.Number
			}
		})
	}
	for i := 2; i <= 6; i++ {
		if _, err := s.Deploy(ctx, "f", versionedBundle(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err, _ := bad.Load().(error); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Active(ctx, "f"); v.Number != 6 {
		t.Fatal(v.Number)
	}
}
