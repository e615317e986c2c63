package storage

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestS3 runs the storage flows against a real S3-compatible server (gofakes3 over
// HTTP), configured through PocketBase's own S3 settings: the bytes then go through
// PocketBase's S3 filesystem, not the local one.
func TestS3(t *testing.T) {
	backend := s3mem.New()
	faker := gofakes3.New(backend)
	s3srv := httptest.NewUnstartedServer(faker.Server())
	s3srv.Config.ErrorLog = log.New(io.Discard, "", 0) // gofakes3 writes some error headers twice
	s3srv.Start()
	t.Cleanup(s3srv.Close)
	const bucket = "minicloud-test"
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}

	s, app := newTestService(t, Config{MaxUpload: 20 << 20})
	// a copy: the live settings are read concurrently
	settings, err := app.Settings().Clone()
	if err != nil {
		t.Fatal(err)
	}
	settings.S3.Enabled = true
	settings.S3.Bucket = bucket
	settings.S3.Region = "us-east-1"
	settings.S3.Endpoint = s3srv.URL
	settings.S3.AccessKey = "test-key"
	settings.S3.Secret = "test-secret"
	settings.S3.ForcePathStyle = true
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}
	objects := func() []string {
		t.Helper()
		list, err := backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range list.Contents {
			keys = append(keys, o.Key)
		}
		return keys
	}

	srv := objectServer(t, s)
	// a small file through the client flow: upload URL, PUT, temp URL, GET with a range
	tk := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "s3/hello.txt", Size: 11, ContentType: "text/plain"})
	send(t, http.MethodPut, tk.URL, strings.NewReader("hello world"), map[string]string{"Content-Type": "text/plain"}).want(t, 200)
	if keys := objects(); len(keys) != 1 || !strings.HasPrefix(keys[0], blobPrefix) {
		t.Fatalf("S3 objects %v", keys)
	}
	if len(blobs(t, app)) != 0 {
		t.Fatal("bytes went to the local filesystem")
	}
	u := tempURL(t, s, srv.URL, bob, tk.FileID, 0)
	r := send(t, http.MethodGet, u, nil, nil)
	if r.status != 200 || r.body != "hello world" || r.header.Get("ETag") != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` {
		t.Fatalf("GET %+v", r)
	}
	if rg := send(t, http.MethodGet, u, nil, map[string]string{"Range": "bytes=6-10"}); rg.status != 206 || rg.body != "world" {
		t.Fatalf("range %+v", rg)
	}

	// a file larger than one S3 part goes up as a multipart upload, streamed
	big := bytes.Repeat([]byte("0123456789abcdef"), (13<<20)/16)
	id, err := s.Upload(context.Background(), admin, "s3/big.bin", bytes.NewReader(big), int64(len(big)), "")
	if err != nil {
		t.Fatal(err)
	}
	rc, f, err := s.Open(context.Background(), admin, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Seek(int64(len(big))-16, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	last, _ := io.ReadAll(rc)
	rc.Close()
	if string(last) != "0123456789abcdef" || f.MD5 != fmt.Sprintf("%x", md5.Sum(big)) || f.Size != int64(len(big)) {
		t.Fatalf("big file: tail %q, %+v", last, f)
	}
	bu := tempURL(t, s, srv.URL, admin, id, 0)
	if rg := send(t, http.MethodGet, bu, nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", 7<<20, 7<<20+15)}); rg.status != 206 || rg.body != "0123456789abcdef" {
		t.Fatalf("range of the big file: %d %q", rg.status, rg.body)
	}
	full := send(t, http.MethodGet, bu, nil, nil)
	if full.status != 200 || full.body != string(big) {
		t.Fatalf("full GET of the big file: %d, %d bytes", full.status, len(full.body))
	}

	// an upload over its limit, in one part or several, leaves nothing in the bucket
	before := len(objects())
	_, err = s.Upload(context.Background(), admin, "s3/over.bin", bytes.NewReader(big), 8<<20, "")
	wantCode(t, err, CodeFileTooLarge)
	tu := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "s3/over-small.bin", Size: 100})
	send(t, http.MethodPut, tu.URL, io.MultiReader(bytes.NewReader(big[:5000])), nil).want(t, 413)
	if n := len(objects()); n != before {
		t.Fatalf("refused uploads left objects: %v", objects())
	}

	// overwrite and delete remove the old objects
	if _, err := s.Upload(context.Background(), alice, "s3/hello.txt", strings.NewReader("v2"), -1, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(objects()); n != 2 {
		t.Fatalf("after overwrite: %v", objects())
	}
	res, err := s.Delete(context.Background(), admin, []string{tk.FileID, id})
	if err != nil || res[0].Code != "" || res[1].Code != "" {
		t.Fatal(res, err)
	}
	if keys := objects(); len(keys) != 0 {
		t.Fatalf("after delete: %v", keys)
	}
	send(t, http.MethodGet, u, nil, nil).want(t, 404, "NoSuchKey")
	urls, _ := s.TempURLs(context.Background(), alice, []TempURLRequest{{FileID: tk.FileID}})
	if urls[0].Code != CodeFileNotExist {
		t.Fatalf("temp URL after delete: %+v", urls)
	}
}
