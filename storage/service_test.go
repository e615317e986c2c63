package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

const testEnv = "test-env"

var (
	alice = Caller{OpenID: "alice"}
	bob   = Caller{OpenID: "bob"}
	admin = Caller{Admin: true}
)

func newTestService(t testing.TB, cfg Config) (*Service, core.App) {
	t.Helper()
	app := testapp.New(t)
	return newServiceOn(t, app, cfg), app
}

func newServiceOn(t testing.TB, app core.App, cfg Config) *Service {
	t.Helper()
	if cfg.EnvID == "" {
		cfg.EnvID = testEnv
	}
	s, err := New(app, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// blobs lists the blob files in the local storage folder.
func blobs(t testing.TB, app core.App) []string {
	t.Helper()
	var out []string
	root := filepath.Join(app.DataDir(), core.LocalStorageDirName, blobPrefix)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && !strings.HasSuffix(p, ".attrs") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func metaCount(t testing.TB, app core.App) int64 {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(migrations.Files)
	if err != nil {
		t.Fatal(err)
	}
	n, err := app.CountRecords(col)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := AsError(err).Code; got != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func readAll(t testing.TB, s *Service, c Caller, id string) (string, *FileInfo) {
	t.Helper()
	rc, f, err := s.Open(context.Background(), c, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), f
}

func TestUploadOpenDelete(t *testing.T) {
	s, app := newTestService(t, Config{Bucket: "bkt"})
	ctx := context.Background()
	id, err := s.Upload(ctx, alice, "dir/a.txt", strings.NewReader("hello world"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	if id != "cloud://test-env.bkt/dir/a.txt" {
		t.Fatalf("file ID %s", id)
	}
	body, f := readAll(t, s, bob, id)
	if body != "hello world" || f.Size != 11 || f.ContentType != "text/plain" || f.Owner != "alice" ||
		f.MD5 != "5eb63bbbe01eeed093cb22bb8f5acdc3" || f.ETag() != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` || f.Created.IsZero() {
		t.Fatalf("read %q, %+v", body, f)
	}
	// the record is a PocketBase record the dashboard shows
	rec, err := app.FindFirstRecordByData(migrations.Files, "path", "dir/a.txt")
	if err != nil || rec.GetString("_openid") != "alice" || rec.GetInt("size") != 11 || rec.GetString("md5") != f.MD5 {
		t.Fatalf("record %v %v", rec, err)
	}

	// the same user overwrites: one record, one blob, new bytes
	if _, err := s.Upload(ctx, alice, "dir/a.txt", strings.NewReader("v2"), 2, "text/x-custom"); err != nil {
		t.Fatal(err)
	}
	body, f = readAll(t, s, alice, id)
	if body != "v2" || f.ContentType != "text/x-custom" || len(blobs(t, app)) != 1 || metaCount(t, app) != 1 {
		t.Fatalf("after overwrite: %q %+v blobs %v", body, f, blobs(t, app))
	}
	// another user may not; an admin may, and the owner stays
	_, err = s.Upload(ctx, bob, "dir/a.txt", strings.NewReader("bob"), -1, "")
	wantCode(t, err, CodeExceedAuthority)
	if _, err := s.Upload(ctx, admin, "dir/a.txt", strings.NewReader("admin"), -1, ""); err != nil {
		t.Fatal(err)
	}
	if body, f := readAll(t, s, bob, id); body != "admin" || f.Owner != "alice" {
		t.Fatalf("after the admin's overwrite: %q owner %q", body, f.Owner)
	}

	res, err := s.Delete(ctx, bob, []string{id})
	if err != nil || res[0].Code != CodeExceedAuthority {
		t.Fatalf("bob deletes alice's file: %+v %v", res, err)
	}
	res, err = s.Delete(ctx, alice, []string{id, id, "cloud://other.bkt/x", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{res[0].Code, res[1].Code, res[2].Code, res[3].Code}
	if codes[0] != "" || codes[1] != CodeFileNotExist || codes[2] != CodeInvalidParam || codes[3] != CodeInvalidParam {
		t.Fatalf("delete codes %q", codes)
	}
	if len(blobs(t, app)) != 0 || metaCount(t, app) != 0 {
		t.Fatalf("left behind: %v", blobs(t, app))
	}
	_, _, err = s.Open(ctx, admin, id)
	wantCode(t, err, CodeFileNotExist)
}

func TestUploadRefusedStoresNothing(t *testing.T) {
	s, app := newTestService(t, Config{MaxUpload: 1000})
	ctx := context.Background()
	big := bytes.Repeat([]byte("x"), 5000)
	_, err := s.Upload(ctx, alice, "big.bin", bytes.NewReader(big), -1, "")
	wantCode(t, err, CodeFileTooLarge)
	_, err = s.Upload(ctx, alice, "big.bin", bytes.NewReader(big), 2000, "")
	wantCode(t, err, CodeFileTooLarge)
	_, err = s.Upload(ctx, alice, "small.bin", bytes.NewReader(big[:11]), 10, "")
	wantCode(t, err, CodeFileTooLarge)
	_, err = s.Upload(ctx, alice, "cut.bin", io.MultiReader(bytes.NewReader(big[:500]), iotest.ErrReader(errors.New("reset"))), -1, "")
	wantCode(t, err, CodeRequestFail)
	for _, p := range []string{"../x", "/x", `a\b`, "a\x00b", "a//b"} {
		_, err = s.Upload(ctx, admin, p, strings.NewReader("x"), -1, "")
		wantCode(t, err, CodeInvalidParam)
	}
	_, err = s.Upload(ctx, admin, "x", strings.NewReader("x"), -1, "text/plain\nX: y")
	wantCode(t, err, CodeInvalidParam)
	if n := metaCount(t, app); n != 0 || len(blobs(t, app)) != 0 {
		t.Fatalf("refused uploads left %d records and blobs %v", n, blobs(t, app))
	}
	// a refused overwrite keeps the old version
	if _, err := s.Upload(ctx, alice, "keep.txt", strings.NewReader("old"), -1, ""); err != nil {
		t.Fatal(err)
	}
	_, err = s.Upload(ctx, alice, "keep.txt", bytes.NewReader(big), -1, "")
	wantCode(t, err, CodeFileTooLarge)
	if body, _ := readAll(t, s, alice, s.FileID("keep.txt")); body != "old" || len(blobs(t, app)) != 1 {
		t.Fatalf("old version %q, blobs %v", body, blobs(t, app))
	}
	// empty files are files
	if _, err := s.Upload(ctx, alice, "empty", strings.NewReader(""), 0, ""); err != nil {
		t.Fatal(err)
	}
	if body, f := readAll(t, s, alice, s.FileID("empty")); body != "" || f.Size != 0 {
		t.Fatalf("empty file %q %+v", body, f)
	}
}

func TestPresets(t *testing.T) {
	ctx := context.Background()
	app := testapp.New(t)
	s := newServiceOn(t, app, Config{Preset: PresetPrivate})
	id, err := s.Upload(ctx, alice, "private.txt", strings.NewReader("secret"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Open(ctx, bob, id)
	wantCode(t, err, CodeExceedAuthority)
	urls, err := s.TempURLs(ctx, bob, []TempURLRequest{{FileID: id}})
	if err != nil || urls[0].Code != CodeExceedAuthority || urls[0].URL != "" {
		t.Fatalf("bob's temp URL: %+v %v", urls, err)
	}
	if body, _ := readAll(t, s, alice, id); body != "secret" {
		t.Fatal(body)
	}

	ro := newServiceOn(t, app, Config{Preset: PresetReadOnly})
	if body, _ := readAll(t, ro, bob, id); body != "secret" {
		t.Fatalf("READONLY: bob reads %q", body)
	}

	aw := newServiceOn(t, app, Config{Preset: PresetAdminWrite})
	_, err = aw.Upload(ctx, alice, "new.txt", strings.NewReader("x"), -1, "")
	wantCode(t, err, CodeExceedAuthority)
	_, err = aw.PrepareUpload(ctx, alice, UploadRequest{CloudPath: "new.txt", Size: -1})
	wantCode(t, err, CodeExceedAuthority)
	if res, _ := aw.Delete(ctx, alice, []string{id}); res[0].Code != CodeExceedAuthority {
		t.Fatalf("ADMINWRITE: alice deletes: %+v", res)
	}
	if body, _ := readAll(t, aw, bob, id); body != "secret" {
		t.Fatal(body)
	}

	ao := newServiceOn(t, app, Config{Preset: PresetAdminOnly})
	_, _, err = ao.Open(ctx, alice, id)
	wantCode(t, err, CodeExceedAuthority)
	urls, _ = ao.TempURLs(ctx, alice, []TempURLRequest{{FileID: id}, {FileID: ao.FileID("missing")}})
	if urls[0].Code != CodeExceedAuthority || urls[1].Code != CodeExceedAuthority {
		t.Fatalf("ADMINONLY: %+v", urls)
	}
	if body, _ := readAll(t, ao, admin, id); body != "secret" {
		t.Fatal(body)
	}
}

func TestTempURLs(t *testing.T) {
	ctx := WithBaseURL(context.Background(), "https://files.example.com/")
	s, _ := newTestService(t, Config{Preset: PresetPrivate})
	now := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { return now }
	id, err := s.Upload(ctx, alice, "a/中 b.png", strings.NewReader("png"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	urls, err := s.TempURLs(ctx, alice, []TempURLRequest{{FileID: id}, {FileID: id, MaxAge: time.Minute}, {FileID: id, MaxAge: 30 * 24 * time.Hour}, {FileID: s.FileID("gone")}, {FileID: "cloud://x"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(urls[0].URL, "https://files.example.com/storage/v1/objects/a/%E4%B8%AD%20b.png?sign=") ||
		urls[0].MaxAge != DefaultMaxAge || urls[1].MaxAge != time.Minute || urls[2].MaxAge != MaxPrivateAge {
		t.Fatalf("urls %+v", urls[:3])
	}
	if !strings.Contains(urls[1].URL, "&t=1800000060&ttl=60") {
		t.Fatalf("expiry of %s", urls[1].URL)
	}
	if urls[3].Code != CodeFileNotExist || urls[4].Code != CodeInvalidParam || urls[3].Message == "" {
		t.Fatalf("per-file codes %+v", urls[3:])
	}
	pub := newServiceOn(t, s.app, Config{Preset: PresetReadOnly, PublicURL: "http://proxy:8080/mc"})
	urls, _ = pub.TempURLs(context.Background(), bob, []TempURLRequest{{FileID: id, MaxAge: 30 * 24 * time.Hour}, {FileID: id, MaxAge: 10 * 365 * 24 * time.Hour}})
	if urls[0].MaxAge != 30*24*time.Hour || urls[1].MaxAge != MaxPublicAge || !strings.HasPrefix(urls[0].URL, "http://proxy:8080/mc/storage/v1/objects/") {
		t.Fatalf("public bucket: %+v", urls)
	}
	if rel, _ := newServiceOn(t, s.app, Config{}).TempURLs(context.Background(), admin, []TempURLRequest{{FileID: id}}); !strings.HasPrefix(rel[0].URL, ObjectsPath) {
		t.Fatalf("without a base URL: %s", rel[0].URL)
	}

	many := make([]TempURLRequest, MaxBatch+1)
	_, err = s.TempURLs(ctx, admin, many)
	wantCode(t, err, CodeInvalidParam)
	_, err = s.TempURLs(ctx, admin, nil)
	wantCode(t, err, CodeInvalidParam)
	_, err = s.Delete(ctx, admin, make([]string, MaxBatch+1))
	wantCode(t, err, CodeInvalidParam)
}

func TestPrepareUpload(t *testing.T) {
	s, _ := newTestService(t, Config{MaxUpload: 100})
	ctx := WithBaseURL(context.Background(), "http://h:1")
	tk, err := s.PrepareUpload(ctx, alice, UploadRequest{CloudPath: "d/x.txt", Size: 11, ContentType: "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tk.URL, "http://h:1/storage/v1/objects/d/x.txt?") || !strings.Contains(tk.URL, "size=11") ||
		!strings.Contains(tk.URL, "type=text%2Fplain") || !strings.Contains(tk.URL, "owner=alice") ||
		tk.FileID != s.FileID("d/x.txt") || tk.Authorization == "" || tk.Token == "" || tk.MetaID == "" ||
		!strings.HasPrefix(tk.DownloadURL, "http://h:1/storage/v1/objects/d/x.txt?sign=") {
		t.Fatalf("ticket %+v", tk)
	}
	if time.Until(tk.Expires) > DefaultUploadTTL || time.Until(tk.Expires) < DefaultUploadTTL-time.Minute {
		t.Fatalf("expires %v", tk.Expires)
	}
	_, err = s.PrepareUpload(ctx, alice, UploadRequest{CloudPath: "d/x.txt", Size: 101})
	wantCode(t, err, CodeFileTooLarge)
	_, err = s.PrepareUpload(ctx, alice, UploadRequest{CloudPath: "../x", Size: -1})
	wantCode(t, err, CodeInvalidParam)
	_, err = s.PrepareUpload(ctx, alice, UploadRequest{CloudPath: "x", Size: -1, ContentType: "bad type"})
	wantCode(t, err, CodeInvalidParam)
	if _, err := s.Upload(ctx, alice, "taken", strings.NewReader("a"), -1, ""); err != nil {
		t.Fatal(err)
	}
	_, err = s.PrepareUpload(ctx, bob, UploadRequest{CloudPath: "taken", Size: -1})
	wantCode(t, err, CodeExceedAuthority)
	if _, err := s.PrepareUpload(ctx, admin, UploadRequest{CloudPath: "taken", Size: -1}); err != nil {
		t.Fatal(err)
	}
}

func TestDashboardDeleteRemovesBytes(t *testing.T) {
	s, app := newTestService(t, Config{})
	if _, err := s.Upload(context.Background(), admin, "a.txt", strings.NewReader("x"), -1, ""); err != nil {
		t.Fatal(err)
	}
	rec, err := app.FindFirstRecordByData(migrations.Files, "path", "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(rec); err != nil {
		t.Fatal(err)
	}
	if b := blobs(t, app); len(b) != 0 {
		t.Fatalf("blobs left: %v", b)
	}
}

func TestBlobKeysStayInTheirFolder(t *testing.T) {
	s, app := newTestService(t, Config{})
	id, err := s.Upload(context.Background(), admin, "a.txt", strings.NewReader("x"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := app.FindFirstRecordByData(migrations.Files, "path", "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"pbc_123/rec/secret.png", blobPrefix + "../pbc_123/rec/secret.png"} {
		rec.Set("blob", key)
		if err := app.Save(rec); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.Open(context.Background(), admin, id)
		wantCode(t, err, CodeFileNotExist)
	}
}

func TestConfig(t *testing.T) {
	app := testapp.New(t)
	for _, cfg := range []Config{{}, {EnvID: "e", Bucket: "a.b"}, {EnvID: "e", Bucket: "a/b"}, {EnvID: "e", Preset: "CUSTOM"}} {
		if _, err := New(app, cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	s := newServiceOn(t, app, Config{})
	if c := s.Config(); c.Bucket != DefaultBucket || c.MaxUpload != DefaultMaxUpload || c.Preset != PresetReadOnly || c.UploadTTL != DefaultUploadTTL {
		t.Fatalf("defaults %+v", c)
	}
	if _, err := os.Stat(filepath.Join(app.DataDir(), KeyringFile)); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]int64{"50MiB": 50 << 20, "1048576": 1 << 20, "10 kb": 10000, "2GiB": 2 << 30, "3m": 3 << 20} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-1", "MiB", "5XB", "1.5MiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) passed", in)
		}
	}
	for _, u := range []string{"ftp://x", "example.com", "http://", "http://x/?a=1"} {
		if CheckPublicURL(u) == nil {
			t.Errorf("CheckPublicURL(%q) passed", u)
		}
	}
	if CheckPublicURL("https://api.example.com/prefix") != nil || CheckPublicURL("") != nil {
		t.Fatal("CheckPublicURL refused a good URL")
	}
}
