package apis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/storage"
)

// benchStorage serves the storage routes in process for benchmarks: the handler, one
// signed-in user's token.
func benchStorage(b *testing.B) (http.Handler, string) {
	b.Helper()
	var files *storage.Service
	h := buildHarness(b, harnessOptions{services: withStorage(b, storage.Config{}, &files)})
	app, authSvc, mux := h.app, h.auth, h.handler
	col, err := app.FindCollectionByNameOrId("_mc_users")
	if err != nil {
		b.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set("type", "test")
	rec.SetRandomPassword()
	if err := app.Save(rec); err != nil {
		b.Fatal(err)
	}
	tk, err := authSvc.IssueTokens(rec)
	if err != nil {
		b.Fatal(err)
	}
	return mux, tk.AccessToken
}

// BenchmarkGatewayUpload is one SDK upload of a 10 KiB file through the router: the
// upload-info request, then the PUT (profile it with -cpuprofile).
func BenchmarkGatewayUpload(b *testing.B) {
	h, token := benchStorage(b)
	body := bytes.Repeat([]byte("0123456789abcdef"), 640)
	var seq atomic.Int64
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := fmt.Sprintf("bench/%d.bin", seq.Add(1))
			req := httptest.NewRequest(http.MethodPost, gwUpload, strings.NewReader(`[{"objectId":"`+p+`","signedHeader":{"content-length":["10240"],"content-type":["application/octet-stream"]}}]`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var out []struct {
				UploadURL string `json:"uploadUrl"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out) != 1 || out[0].UploadURL == "" {
				b.Fatalf("upload info: %d %s", rec.Code, rec.Body)
			}
			put := httptest.NewRequest(http.MethodPut, strings.TrimPrefix(out[0].UploadURL, "http://example.com"), bytes.NewReader(body))
			put.Header.Set("Content-Type", "application/octet-stream")
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, put)
			if rec.Code != 200 {
				b.Fatalf("PUT: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
