package main

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/storage"
)

// functionStorage is what cloud.uploadFile & co. reach: the storage service with admin
// rights, errors carrying CloudBase codes, temporary URLs made absolute.
func TestFunctionStorage(t *testing.T) {
	app := testapp.New(t)
	// ADMINONLY: clients may do nothing, functions (admin) everything
	files, err := storage.New(app, storage.Config{EnvID: "fn-env", Preset: storage.PresetAdminOnly, MaxUpload: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	fs := &functionStorage{files: files, logger: app.Logger(), base: "http://127.0.0.1:9999"}
	ctx := context.Background()

	id, err := fs.UploadFile(ctx, "docs/a.txt", []byte("hello"))
	if err != nil || id != "cloud://fn-env.minicloud/docs/a.txt" {
		t.Fatal(id, err)
	}
	if b, err := fs.DownloadFile(ctx, id); err != nil || string(b) != "hello" {
		t.Fatal(string(b), err)
	}
	f, err := files.Stat(ctx, collections.AdminCaller, id)
	if err != nil || f.Owner != "" || f.ContentType != "text/plain" {
		t.Fatalf("%+v %v", f, err)
	}

	urls, err := fs.TempFileURLs(ctx, []cloudfns.TempFileRequest{{FileID: id, MaxAge: 60}, {FileID: "cloud://fn-env.minicloud/none"}, {FileID: "cloud://other.minicloud/x"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(urls[0].TempFileURL, "http://127.0.0.1:9999/storage/v1/objects/docs/a.txt?") || urls[0].MaxAge != 60 || urls[0].Code != "" {
		t.Errorf("url %+v", urls[0])
	}
	if urls[1].Code != storage.CodeFileNotExist || urls[1].TempFileURL != "" {
		t.Errorf("missing %+v", urls[1])
	}
	if urls[2].Code != storage.CodeInvalidParam {
		t.Errorf("other env %+v", urls[2])
	}
	// a request's base URL (or --public-url) wins over the server's own address
	urls, _ = fs.TempFileURLs(storage.WithBaseURL(ctx, "https://api.example.com"), []cloudfns.TempFileRequest{{FileID: id}})
	if !strings.HasPrefix(urls[0].TempFileURL, "https://api.example.com/storage/v1/objects/docs/a.txt?") || urls[0].MaxAge != 7200 {
		t.Errorf("request base %+v", urls[0])
	}

	// errors carry their CloudBase code
	var se *storageError
	if _, err := fs.UploadFile(ctx, "../x", []byte("x")); !errors.As(err, &se) || se.CloudBaseCode() != storage.CodeInvalidParam {
		t.Errorf("bad path: %v", err)
	}
	if _, err := fs.UploadFile(ctx, "big.bin", make([]byte, 2<<10)); !errors.As(err, &se) || se.CloudBaseCode() != storage.CodeFileTooLarge {
		t.Errorf("too large: %v", err)
	}
	if _, err := fs.DownloadFile(ctx, "cloud://fn-env.minicloud/none"); !errors.As(err, &se) || se.CloudBaseCode() != storage.CodeFileNotExist || se.CloudBaseMessage() == "" {
		t.Errorf("missing: %v", err)
	}
	if _, err := fs.TempFileURLs(ctx, nil); !errors.As(err, &se) || se.CloudBaseCode() != storage.CodeInvalidParam {
		t.Errorf("empty list: %v", err)
	}

	res, err := fs.DeleteFiles(ctx, []string{id, "cloud://fn-env.minicloud/none"})
	if err != nil || res[0].Code != "" || res[1].Code != storage.CodeFileNotExist {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := fs.DownloadFile(ctx, id); !errors.As(err, &se) || se.CloudBaseCode() != storage.CodeFileNotExist {
		t.Errorf("deleted: %v", err)
	}
}

func TestServerBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8090":  "http://127.0.0.1:8090",
		"0.0.0.0:80":      "http://127.0.0.1:80",
		":8090":           "http://127.0.0.1:8090",
		"[::]:8090":       "http://127.0.0.1:8090",
		"example.com:443": "http://example.com:443",
		"nonsense":        "",
	} {
		if got := serverBaseURL(&http.Server{Addr: addr}); got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
	if got := serverBaseURL(&http.Server{Addr: "example.com:443", TLSConfig: &tls.Config{}}); got != "https://example.com:443" {
		t.Errorf("tls: %s", got)
	}
}

func TestFunctionsMemoryFlag(t *testing.T) {
	app := testapp.New(t)
	for _, bad := range []string{"1KiB", "lots", ""} {
		m := &minicloud{fn: functionsConfig{Memory: bad}}
		if _, err := m.newFunctions(app); err == nil || !strings.Contains(err.Error(), "--functions-memory") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	m := &minicloud{fn: functionsConfig{Memory: "64MiB"}, cfg: config{EnvID: "e"}, functions: cloudfns.NewStore(app)}
	svc, err := m.newFunctions(app)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Stop(context.Background())
	if svc.Storage() != nil {
		t.Error("storage without a storage service")
	}
}
