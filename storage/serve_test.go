package storage

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// objectServer serves a service's objects the way apis does.
func objectServer(t *testing.T, s *Service) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc(ObjectsPath+"{path...}", func(w http.ResponseWriter, r *http.Request) {
		s.ServeObject(w, r, r.PathValue("path"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type resp struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, u string, body io.Reader, header map[string]string) resp {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if sr, ok := body.(*strings.Reader); ok && header["chunked"] == "" {
		req.ContentLength = int64(sr.Len())
	} else if body != nil {
		req.ContentLength = -1
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func (r resp) want(t *testing.T, status int, parts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Fatalf("body lacks %q: %s", p, r.body)
		}
	}
}

func ticket(t *testing.T, s *Service, base string, c Caller, req UploadRequest) UploadTicket {
	t.Helper()
	tk, err := s.PrepareUpload(WithBaseURL(context.Background(), base), c, req)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func tempURL(t *testing.T, s *Service, base string, c Caller, id string, age time.Duration) string {
	t.Helper()
	urls, err := s.TempURLs(WithBaseURL(context.Background(), base), c, []TempURLRequest{{FileID: id, MaxAge: age}})
	if err != nil || urls[0].Code != "" {
		t.Fatalf("temp URL: %+v %v", urls, err)
	}
	return urls[0].URL
}

func TestUploadAndDownloadOverHTTP(t *testing.T) {
	s, app := newTestService(t, Config{})
	srv := objectServer(t, s)
	tk := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "img/中 1.txt", Size: 26, ContentType: "text/plain"})
	send(t, http.MethodPut, tk.URL, strings.NewReader("abcdefghijklmnopqrstuvwxyz"), map[string]string{"Content-Type": "text/plain", "authorization": tk.Authorization}).want(t, 200)

	u := tempURL(t, s, srv.URL, bob, tk.FileID, 0)
	r := send(t, http.MethodGet, u, nil, nil)
	r.want(t, 200)
	etag := `"c3fcd3d76192e4007dfb496cca67e13b"`
	if r.body != "abcdefghijklmnopqrstuvwxyz" || r.header.Get("Content-Type") != "text/plain" || r.header.Get("Content-Length") != "26" ||
		r.header.Get("ETag") != etag || r.header.Get("Accept-Ranges") != "bytes" || r.header.Get("Last-Modified") == "" ||
		r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") ||
		r.header.Get("Content-Disposition") != "" {
		t.Fatalf("GET: %+v", r)
	}
	head := send(t, http.MethodHead, u, nil, nil)
	if head.status != 200 || head.body != "" || head.header.Get("Content-Length") != "26" {
		t.Fatalf("HEAD: %+v", head)
	}
	rg := send(t, http.MethodGet, u, nil, map[string]string{"Range": "bytes=2-4"})
	if rg.status != 206 || rg.body != "cde" || rg.header.Get("Content-Range") != "bytes 2-4/26" {
		t.Fatalf("range: %+v", rg)
	}
	if tail := send(t, http.MethodGet, u, nil, map[string]string{"Range": "bytes=-3"}); tail.body != "xyz" {
		t.Fatalf("suffix range: %+v", tail)
	}
	multi := send(t, http.MethodGet, u, nil, map[string]string{"Range": "bytes=0-0,25-25"})
	if multi.status != 206 || !strings.HasPrefix(multi.header.Get("Content-Type"), "multipart/byteranges") {
		t.Fatalf("multi range: %d %s", multi.status, multi.header.Get("Content-Type"))
	}
	send(t, http.MethodGet, u, nil, map[string]string{"Range": "bytes=30-40"}).want(t, 416)
	send(t, http.MethodGet, u, nil, map[string]string{"If-None-Match": etag}).want(t, 304)
	send(t, http.MethodGet, u, nil, map[string]string{"If-None-Match": `"other"`}).want(t, 200)
	if d := send(t, http.MethodGet, u+"&download", nil, nil); d.header.Get("Content-Disposition") != `attachment; filename="_ 1.txt"; filename*=UTF-8''%E4%B8%AD%201.txt` {
		t.Fatalf("disposition %q", d.header.Get("Content-Disposition"))
	}
	if d := send(t, http.MethodGet, u+"&download="+url.QueryEscape("../evil\"\r\n.html"), nil, nil); !strings.HasPrefix(d.header.Get("Content-Disposition"), `attachment; filename="evil___.html"`) {
		t.Fatalf("disposition %q", d.header.Get("Content-Disposition"))
	}
	// js-sdk's and node-sdk's downloadFile pass the URL through encodeURI: escaped twice
	twice := strings.Replace(u, "%", "%25", -1)
	if r := send(t, http.MethodGet, twice, nil, nil); r.status != 200 || r.body != "abcdefghijklmnopqrstuvwxyz" {
		t.Fatalf("double-escaped URL: %+v", r)
	}
	_ = app
}

func TestUploadURLIsEnforced(t *testing.T) {
	s, app := newTestService(t, Config{MaxUpload: 1 << 20})
	srv := objectServer(t, s)
	tk := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "a/file.txt", Size: 10, ContentType: "text/plain"})
	q := func(u string, f func(url.Values)) string {
		pu, _ := url.Parse(u)
		v := pu.Query()
		f(v)
		pu.RawQuery = v.Encode()
		return pu.String()
	}
	ten := "0123456789"
	cases := []struct {
		name   string
		url    string
		body   string
		header map[string]string
		status int
		code   string
	}{
		{"tampered signature", q(tk.URL, func(v url.Values) { v.Set("sign", v.Get("sign")[1:]+"A") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"no signature", q(tk.URL, func(v url.Values) { v.Del("sign") }), ten, nil, 403, "AccessDenied"},
		{"larger declared size", q(tk.URL, func(v url.Values) { v.Set("size", "1000") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"no declared size", q(tk.URL, func(v url.Values) { v.Del("size") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"another owner", q(tk.URL, func(v url.Values) { v.Set("owner", "bob") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"admin rights", q(tk.URL, func(v url.Values) { v.Set("admin", "1"); v.Del("owner") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"later expiry", q(tk.URL, func(v url.Values) { v.Set("t", "99999999999") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"another type", q(tk.URL, func(v url.Values) { v.Set("type", "text/html") }), ten, nil, 403, "SignatureDoesNotMatch"},
		{"another path", strings.Replace(tk.URL, "a/file.txt", "a/other.txt", 1), ten, nil, 403, "SignatureDoesNotMatch"},
		{"traversal in the path", strings.Replace(tk.URL, "a/file.txt", "a/../b/file.txt", 1), ten, nil, 403, "SignatureDoesNotMatch"},
		{"escaped traversal in the path", strings.Replace(tk.URL, "a/file.txt", "a/%2E%2E/b/file.txt", 1), ten, nil, 403, "SignatureDoesNotMatch"},
		{"Content-Length above the declared size", tk.URL, ten + "x", nil, 413, "EntityTooLarge"},
		{"chunked body above the declared size", tk.URL, ten + "x", map[string]string{"chunked": "1"}, 413, "EntityTooLarge"},
		{"another content type", tk.URL, ten, map[string]string{"Content-Type": "text/html"}, 403, "SignatureDoesNotMatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(c.body)
			if c.header["chunked"] != "" {
				body = io.MultiReader(strings.NewReader(c.body))
			}
			r := send(t, http.MethodPut, c.url, body, c.header)
			r.want(t, c.status, "<Code>"+c.code+"</Code>", "<RequestId>", "<TraceId>")
			if r.header.Get("Content-Type") != "application/xml" {
				t.Fatalf("content type %s", r.header.Get("Content-Type"))
			}
		})
	}
	if n := metaCount(t, app); n != 0 || len(blobs(t, app)) != 0 {
		t.Fatalf("refused uploads stored %d files, blobs %v", n, blobs(t, app))
	}

	// a download URL does not upload, an upload URL does not download
	if _, err := s.Upload(context.Background(), alice, "a/file.txt", strings.NewReader("x"), -1, ""); err != nil {
		t.Fatal(err)
	}
	dl := tempURL(t, s, srv.URL, alice, tk.FileID, 0)
	send(t, http.MethodPut, dl, strings.NewReader("y"), nil).want(t, 403)
	send(t, http.MethodGet, tk.URL, nil, nil).want(t, 403)
	send(t, http.MethodDelete, dl, nil, nil).want(t, 405, "MethodNotAllowed")

	// the upload URL of a file that another user created meanwhile is refused
	tb := ticket(t, s, srv.URL, bob, UploadRequest{CloudPath: "race.txt", Size: -1})
	if _, err := s.Upload(context.Background(), alice, "race.txt", strings.NewReader("alice's"), -1, ""); err != nil {
		t.Fatal(err)
	}
	send(t, http.MethodPut, tb.URL, strings.NewReader("bob's"), nil).want(t, 403, "AccessDenied")
	if body, _ := readAll(t, s, admin, s.FileID("race.txt")); body != "alice's" {
		t.Fatal(body)
	}

	// the same URL may upload less than declared, and the type comes from the URL
	send(t, http.MethodPut, tk.URL, strings.NewReader("short"), nil).want(t, 200)
	if body, f := readAll(t, s, admin, tk.FileID); body != "short" || f.ContentType != "text/plain" {
		t.Fatalf("%q %+v", body, f)
	}
	// an undeclared upload takes the server's maximum
	tu := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "free.bin", Size: -1})
	send(t, http.MethodPut, tu.URL, strings.NewReader(strings.Repeat("z", 1<<20+1)), nil).want(t, 413, "EntityTooLarge")
	send(t, http.MethodPut, tu.URL, io.MultiReader(strings.NewReader(strings.Repeat("z", 1<<20))), nil).want(t, 200)
}

func TestExpiredURLs(t *testing.T) {
	s, _ := newTestService(t, Config{})
	srv := objectServer(t, s)
	now := time.Now()
	s.now = func() time.Time { return now }
	tk := ticket(t, s, srv.URL, alice, UploadRequest{CloudPath: "e.txt", Size: -1})
	if _, err := s.Upload(context.Background(), alice, "e.txt", strings.NewReader("x"), -1, ""); err != nil {
		t.Fatal(err)
	}
	dl := tempURL(t, s, srv.URL, alice, tk.FileID, time.Minute)
	send(t, http.MethodGet, dl, nil, nil).want(t, 200)
	now = now.Add(2 * time.Minute)
	send(t, http.MethodGet, dl, nil, nil).want(t, 403, "<Code>AccessDenied</Code>", "expired")
	now = now.Add(DefaultUploadTTL)
	send(t, http.MethodPut, tk.URL, strings.NewReader("late"), nil).want(t, 403, "expired")
	if body, _ := readAll(t, s, alice, tk.FileID); body != "x" {
		t.Fatal(body)
	}
}

func TestDownloadErrors(t *testing.T) {
	app := newTestApp(t)
	s := newServiceOn(t, app, Config{Preset: PresetReadOnly})
	srv := objectServer(t, s)
	id, err := s.Upload(context.Background(), alice, "doc.txt", strings.NewReader("top secret bytes"), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	u := tempURL(t, s, srv.URL, bob, id, 0)
	long := tempURL(t, s, srv.URL, bob, id, 7*24*time.Hour)
	tampered := strings.Replace(u, "sign=", "sign=A", 1)
	for _, bad := range []string{tampered, strings.Split(u, "?")[0], strings.Replace(u, "doc.txt", "doc2.txt", 1), strings.Replace(u, "ttl=7200", "ttl=7201", 1)} {
		r := send(t, http.MethodGet, bad, nil, nil)
		if r.status != 403 || strings.Contains(r.body, "top secret") {
			t.Fatalf("%s: %+v", bad, r)
		}
	}
	// the bucket turns private: long-lived URLs stop working, short ones live on
	priv := newServiceOn(t, app, Config{Preset: PresetPrivate})
	psrv := objectServer(t, priv)
	swap := func(u string) string { return strings.Replace(u, srv.URL, psrv.URL, 1) }
	send(t, http.MethodGet, swap(long), nil, nil).want(t, 403, "long-lived")
	send(t, http.MethodGet, swap(u), nil, nil).want(t, 200)

	if res, err := s.Delete(context.Background(), alice, []string{id}); err != nil || res[0].Code != "" {
		t.Fatal(res, err)
	}
	r := send(t, http.MethodGet, u, nil, nil)
	r.want(t, 404, "<Code>NoSuchKey</Code>")
	if head := send(t, http.MethodHead, u, nil, nil); head.status != 404 || head.body != "" {
		t.Fatalf("HEAD of a missing file: %+v", head)
	}
}

func newTestApp(t *testing.T) core.App {
	t.Helper()
	_, app := newTestService(t, Config{})
	return app
}
