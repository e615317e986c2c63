package storage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func TestLocalBlobsAndFilesystemBlobsMix(t *testing.T) {
	s, app := newTestService(t, Config{})
	ctx := context.Background()
	// a blob written through PocketBase's filesystem (with its .attrs sidecar) reads,
	// overwrites and deletes through the local path, and the reverse
	s.viaFilesystem = true
	id, err := s.Upload(ctx, alice, "a.txt", strings.NewReader("via fsys"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	s.viaFilesystem = false
	if got, f := readAll(t, s, bob, id); got != "via fsys" || f.ContentType != "text/plain" {
		t.Fatalf("%q %+v", got, f)
	}
	attrs, _ := filepath.Glob(filepath.Join(app.DataDir(), core.LocalStorageDirName, blobPrefix, "*", "*.attrs"))
	if len(attrs) != 1 {
		t.Fatalf("sidecars %v", attrs)
	}
	if _, err := s.Upload(ctx, alice, "a.txt", strings.NewReader("local"), -1, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := readAll(t, s, bob, id); got != "local" {
		t.Fatalf("%q", got)
	}
	if _, err := os.Stat(attrs[0]); !os.IsNotExist(err) {
		t.Fatalf("the replaced blob's sidecar is left: %v", err)
	}
	if b := blobs(t, app); len(b) != 1 {
		t.Fatalf("blobs %v", b)
	}
	s.viaFilesystem = true
	if got, _ := readAll(t, s, bob, id); got != "local" {
		t.Fatalf("fsys reads a local blob: %q", got)
	}
	if res, err := s.Delete(ctx, alice, []string{id}); err != nil || res[0].Code != "" {
		t.Fatalf("%+v %v", res, err)
	}
	if b := blobs(t, app); len(b) != 0 {
		t.Fatalf("blobs %v", b)
	}

	// a removed blob folder is made again
	s.viaFilesystem = false
	if err := os.RemoveAll(filepath.Join(app.DataDir(), core.LocalStorageDirName, blobPrefix)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upload(ctx, alice, "b.png", bytes.NewReader(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 9000)...)), -1, ""); err != nil {
		t.Fatal(err)
	}
	// the type of a file without one is sniffed from its first bytes
	if _, f := readAll(t, s, bob, s.FileID("b.png")); f.ContentType != "image/png" || f.Size != 9008 {
		t.Fatalf("%+v", f)
	}
	if _, err := s.Upload(ctx, alice, "noext", bytes.NewReader(append([]byte("%PDF-1.4\n"), make([]byte, 20000)...)), -1, ""); err != nil {
		t.Fatal(err)
	}
	if _, f := readAll(t, s, bob, s.FileID("noext")); f.ContentType != "application/pdf" {
		t.Fatalf("sniffed %q", f.ContentType)
	}
}

// BenchmarkWriteBlob compares a 10 KiB blob written in place with one written through
// PocketBase's filesystem.
func BenchmarkWriteBlob(b *testing.B) {
	for _, via := range []bool{false, true} {
		name := "local"
		if via {
			name = "filesystem"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := newTestService(b, Config{})
			s.viaFilesystem = via
			body := bytes.Repeat([]byte("x"), 10<<10)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				sb, err := s.writeBlob(ctx, bytes.NewReader(body), 1<<20)
				if err != nil {
					b.Fatal(err)
				}
				s.discard(ctx, sb)
			}
		})
	}
}
