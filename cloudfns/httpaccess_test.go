package cloudfns

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func decodeHTTPEvent(t testing.TB, raw json.RawMessage) HTTPAccessEvent {
	t.Helper()
	var ev HTTPAccessEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("event %s: %v", raw, err)
	}
	return ev
}

func TestHTTPAccessEventShape(t *testing.T) {
	body := `{"name":"CloudBase","n":1}`
	r := httptest.NewRequest("POST", "http://env.example.com/fn/hello/a/b?x=1&y=2&y=3&e=%E4%BD%A0+%21&flag", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "application/json")
	r.Header.Add("Cookie", "a=1")
	r.Header.Add("Cookie", "b=2")
	r.Header.Set("X-Custom-Thing", "v")
	r.RemoteAddr = "203.0.113.9:51234"
	at := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	r = r.WithContext(WithHTTPAccessMeta(r.Context(), HTTPAccessMeta{RequestID: "req-1", EnvID: "env-1", AppID: "wx123", Time: at}))

	raw, err := EventFromRequest(r, "/fn/hello", 0)
	if err != nil {
		t.Fatal(err)
	}
	// The documented field names.
	var generic map[string]json.RawMessage
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters",
		"multiValueQueryStringParameters", "requestContext", "body", "isBase64Encoded"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("event lacks %q: %s", k, raw)
		}
	}
	ev := decodeHTTPEvent(t, raw)
	if ev.Path != "/a/b" || ev.HTTPMethod != "POST" || ev.Body != body || ev.IsBase64Encoded {
		t.Fatalf("event %+v", ev)
	}
	h := ev.Headers
	if h["content-type"] != "application/json" || h["accept"] != "text/html, application/json" ||
		h["cookie"] != "a=1; b=2" || h["x-custom-thing"] != "v" || h["host"] != "env.example.com" {
		t.Fatalf("headers %v", h)
	}
	for k := range h {
		if k != strings.ToLower(k) {
			t.Errorf("header %q not lower-case", k)
		}
	}
	if mv := ev.MultiValueHeaders["accept"]; len(mv) != 2 || mv[1] != "application/json" {
		t.Fatalf("multiValueHeaders %v", ev.MultiValueHeaders)
	}
	q := ev.QueryStringParameters
	if q["x"] != "1" || q["y"] != "2,3" || q["e"] != "你 !" || q["flag"] != "" {
		t.Fatalf("query %v", q)
	}
	if mq := ev.MultiValueQueryStringParameters["y"]; len(mq) != 2 || mq[0] != "2" || mq[1] != "3" {
		t.Fatalf("multi query %v", ev.MultiValueQueryStringParameters)
	}
	rc := ev.RequestContext
	if rc.RequestID != "req-1" || rc.EnvID != "env-1" || rc.AppID != "wx123" || rc.SourceIP != "203.0.113.9" ||
		rc.HTTPMethod != "POST" || rc.Path != "/a/b" || rc.Time != "2024-05-06T07:08:09.123Z" || rc.TimeEpoch != at.UnixMilli() {
		t.Fatalf("requestContext %+v", rc)
	}
}

func TestHTTPAccessEventDefaults(t *testing.T) {
	r := httptest.NewRequest("GET", "/fn/hello", nil)
	r.RemoteAddr = "[2001:db8::1]:443"
	raw, err := EventFromRequest(r, "/fn/hello", 0)
	if err != nil {
		t.Fatal(err)
	}
	ev := decodeHTTPEvent(t, raw)
	if ev.Path != "/" || ev.Body != "" || ev.IsBase64Encoded || ev.HTTPMethod != "GET" {
		t.Fatalf("%+v", ev)
	}
	if len(ev.RequestContext.RequestID) != 32 || ev.RequestContext.SourceIP != "2001:db8::1" || ev.RequestContext.TimeEpoch == 0 {
		t.Fatalf("requestContext %+v", ev.RequestContext)
	}
	if ev.QueryStringParameters == nil || ev.Headers == nil {
		t.Fatal("maps must be {} not null")
	}
	if !strings.Contains(string(raw), `"queryStringParameters":{}`) {
		t.Fatalf("%s", raw)
	}
}

func TestHTTPAccessEventPaths(t *testing.T) {
	cases := []struct{ path, prefix, want string }{
		{"/fn/hello", "/fn/hello", "/"},
		{"/fn/hello/", "/fn/hello", "/"},
		{"/fn/hello/x/y", "/fn/hello/", "/x/y"},
		{"/fn/helloworld", "/fn/hello", "/fn/helloworld"}, // not below the prefix: whole
		{"/other", "/fn", "/other"},
		{"/a/b", "", "/a/b"},
		{"/a/b", "/", "/a/b"},
		{"/fn/h/%E4%BD%A0", "/fn/h", "/你"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.path, nil)
		raw, err := EventFromRequest(r, c.prefix, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeHTTPEvent(t, raw).Path; got != c.want {
			t.Errorf("%s under %q: path %q, want %q", c.path, c.prefix, got, c.want)
		}
	}
	split := []struct {
		path, prefix, fn, rest string
		ok                     bool
	}{
		{"/fn/hello/a/b", "/fn", "hello", "/a/b", true},
		{"/fn/hello", "/fn/", "hello", "/", true},
		{"/fn/hello/", "/fn", "hello", "/", true},
		{"/fn/", "/fn", "", "", false},
		{"/fn", "/fn", "", "", false},
		{"/fnx/hello", "/fn", "", "", false},
		{"/hello/x", "", "hello", "/x", true},
	}
	for _, c := range split {
		fn, rest, ok := SplitHTTPAccessPath(c.path, c.prefix)
		if fn != c.fn || rest != c.rest || ok != c.ok {
			t.Errorf("SplitHTTPAccessPath(%q, %q) = %q %q %v", c.path, c.prefix, fn, rest, ok)
		}
	}
}

func TestHTTPAccessEventBodies(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	cases := []struct {
		name, ctype, cenc string
		body              []byte
		b64               bool
	}{
		{"json", "application/json; charset=utf-8", "", []byte(`{"a":1}`), false},
		{"form", "application/x-www-form-urlencoded", "", []byte("a=1&b=%20"), false},
		{"text", "text/plain", "", []byte("héllo"), false},
		{"vendor json", "application/vnd.api+json", "", []byte(`{}`), false},
		{"no content type, utf-8", "", "", []byte("just text"), false},
		{"no content type, binary", "", "", png, true},
		{"png", "image/png", "", png, true},
		{"octet-stream even if ascii", "application/octet-stream", "", []byte("ascii"), true},
		{"text but invalid utf-8", "text/plain", "", []byte("bad \xff\xfe"), true},
		{"gzip encoded json", "application/json", "gzip", []byte("\x1f\x8b\x08\x00"), true},
		{"identity encoding", "application/json", "identity", []byte(`[1]`), false},
		{"multipart text", "multipart/form-data; boundary=x", "", []byte("--x\r\n\r\nv\r\n--x--"), false},
		{"multipart with binary", "multipart/form-data; boundary=x", "", append([]byte("--x\r\n\r\n"), png...), true},
		{"malformed content type", "text/plain; charset", "", []byte("ok"), false},
		{"nul bytes are valid utf-8", "text/plain", "", []byte("a\x00b"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", bytes.NewReader(c.body))
			if c.ctype != "" {
				r.Header.Set("Content-Type", c.ctype)
			}
			if c.cenc != "" {
				r.Header.Set("Content-Encoding", c.cenc)
			}
			raw, err := EventFromRequest(r, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			ev := decodeHTTPEvent(t, raw)
			if ev.IsBase64Encoded != c.b64 {
				t.Fatalf("isBase64Encoded %v, want %v", ev.IsBase64Encoded, c.b64)
			}
			got := []byte(ev.Body)
			if ev.IsBase64Encoded {
				if got, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, c.body) {
				t.Fatalf("body %q, want %q", got, c.body)
			}
		})
	}
}

func TestHTTPAccessEventLimits(t *testing.T) {
	var hae *HTTPAccessError
	r := httptest.NewRequest("POST", "/x", strings.NewReader(strings.Repeat("a", 101)))
	if _, err := EventFromRequest(r, "", 100); !errors.As(err, &hae) || hae.Status != 413 {
		t.Fatalf("declared length over the limit: %v", err)
	}
	// Chunked (unknown length) over the limit.
	r = httptest.NewRequest("POST", "/x", io.MultiReader(strings.NewReader(strings.Repeat("a", 60)), strings.NewReader(strings.Repeat("b", 60))))
	r.ContentLength = -1
	if _, err := EventFromRequest(r, "", 100); !errors.As(err, &hae) || hae.Status != 413 {
		t.Fatalf("chunked over the limit: %v", err)
	}
	// Exactly the limit is fine.
	r = httptest.NewRequest("POST", "/x", strings.NewReader(strings.Repeat("a", 100)))
	if _, err := EventFromRequest(r, "", 100); err != nil {
		t.Fatal(err)
	}
	// A server-side MaxBytesReader shows up as 413 too.
	r = httptest.NewRequest("POST", "/x", strings.NewReader(strings.Repeat("a", 100)))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 10)
	r.ContentLength = -1
	if _, err := EventFromRequest(r, "", 1000); !errors.As(err, &hae) || hae.Status != 413 {
		t.Fatalf("MaxBytesReader: %v", err)
	}
	// A read error is a 400.
	r = httptest.NewRequest("POST", "/x", nil)
	r.Body = io.NopCloser(errReader{})
	r.ContentLength = -1
	if _, err := EventFromRequest(r, "", 1000); !errors.As(err, &hae) || hae.Status != 400 {
		t.Fatalf("read error: %v", err)
	}
	// Headers that blow the event past MaxEventBytes.
	r = httptest.NewRequest("GET", "/x", nil)
	for i := 0; i < 70; i++ {
		r.Header.Add("X-Big", strings.Repeat("v", 100<<10))
	}
	if _, err := EventFromRequest(r, "", 0); !errors.As(err, &hae) || hae.Status != 413 {
		t.Fatalf("huge headers: %v", err)
	}
	// The default limit: DefaultHTTPAccessMaxBody of binary still makes an event.
	r = httptest.NewRequest("POST", "/x", bytes.NewReader(make([]byte, DefaultHTTPAccessMaxBody)))
	r.Header.Set("Content-Type", "application/octet-stream")
	raw, err := EventFromRequest(r, "", 0)
	if err != nil || len(raw) > MaxEventBytes {
		t.Fatalf("default limit: %d bytes, %v", len(raw), err)
	}
	r = httptest.NewRequest("POST", "/x", bytes.NewReader(make([]byte, DefaultHTTPAccessMaxBody+1)))
	if _, err := EventFromRequest(r, "", 0); !errors.As(err, &hae) || hae.Status != 413 {
		t.Fatalf("over the default limit: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestHTTPAccessEventWeirdQuery(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	r.URL.RawQuery = "a=%zz&=empty&&b=%41%42&c=%&d=%E4%BD&e==x&a=2"
	raw, err := EventFromRequest(r, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	q := decodeHTTPEvent(t, raw).QueryStringParameters
	if q["a"] != "%zz,2" || q[""] != "empty" || q["b"] != "AB" || q["c"] != "%" || q["d"] != "\uFFFD" || q["e"] != "=x" {
		t.Fatalf("query %q", q)
	}
}

func writeResult(t *testing.T, result string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	rec := httptest.NewRecorder()
	err := WriteResponse(rec, json.RawMessage(result))
	return rec, err
}

func TestHTTPAccessWriteResponse(t *testing.T) {
	cases := []struct {
		name, result string
		status       int
		ctype        string
		body         string
		headers      map[string][]string // must be present (nil value: must be absent)
	}{
		{"string", `"hello gateway"`, 200, "text/plain; charset=utf-8", "hello gateway", nil},
		{"unicode string", `"你好\n"`, 200, "text/plain; charset=utf-8", "你好\n", nil},
		{"number", `123.5`, 200, "text/plain; charset=utf-8", "123.5", nil},
		{"boolean", `true`, 200, "text/plain; charset=utf-8", "true", nil},
		{"object", `{"foo":"bar"}`, 200, "application/json; charset=utf-8", `{"foo":"bar"}`, nil},
		{"object with body but no statusCode", `{"body":"x","headers":{"a":"b"}}`, 200, "application/json; charset=utf-8", `{"body":"x","headers":{"a":"b"}}`, nil},
		{"array", ` [1,2] `, 200, "application/json; charset=utf-8", `[1,2]`, nil},
		{"null", `null`, 200, "", "", nil},
		{"empty", ``, 200, "", "", nil},
		{"integrated html", `{"statusCode":201,"headers":{"content-type":"text/html; charset=utf-8","X-Num":1,"x-bool":false},"body":"<p>hi</p>"}`,
			201, "text/html; charset=utf-8", "<p>hi</p>", map[string][]string{"X-Num": {"1"}, "X-Bool": {"false"}}},
		{"integrated defaults to text", `{"statusCode":404,"body":"nope"}`, 404, "text/plain; charset=utf-8", "nope", nil},
		{"integrated status as string", `{"statusCode":"302","headers":{"Location":"/next"}}`, 302, "", "", map[string][]string{"Location": {"/next"}}},
		{"integrated object body", `{"statusCode":200,"body":{"a":[1]}}`, 200, "application/json; charset=utf-8", `{"a":[1]}`, nil},
		{"integrated base64", `{"statusCode":200,"isBase64Encoded":true,"headers":{"Content-Type":"image/png"},"body":"iVBORw0KGgo="}`,
			200, "image/png", "\x89PNG\r\n\x1a\n", nil},
		{"integrated base64 default type", `{"statusCode":200,"isBase64Encoded":true,"body":"AAEC"}`, 200, "application/octet-stream", "\x00\x01\x02", nil},
		{"integrated base64 unpadded, wrapped", `{"statusCode":200,"isBase64Encoded":"true","body":"QUJD\nREU"}`, 200, "application/octet-stream", "ABCDE", nil},
		{"cookies as array", `{"statusCode":200,"headers":{"Set-Cookie":["a=1","b=2"]},"body":""}`, 200, "", "", map[string][]string{"Set-Cookie": {"a=1", "b=2"}}},
		{"multiValueHeaders", `{"statusCode":200,"headers":{"X-A":"1"},"multiValueHeaders":{"x-a":["2"],"Set-Cookie":["c=3","d=4"]}}`, 200, "", "",
			map[string][]string{"X-A": {"1", "2"}, "Set-Cookie": {"c=3", "d=4"}}},
		{"hop-by-hop and length dropped", `{"statusCode":200,"headers":{"Connection":"close","Transfer-Encoding":"chunked","Content-Length":"999","Keep-Alive":"x","Upgrade":"h2c","X-Ok":"1"},"body":"abc"}`,
			200, "text/plain; charset=utf-8", "abc", map[string][]string{"Connection": nil, "Transfer-Encoding": nil, "Keep-Alive": nil, "Upgrade": nil, "X-Ok": {"1"}, "Content-Length": {"3"}}},
		{"header injection dropped", `{"statusCode":200,"headers":{"X-Bad":"a\r\nSet-Cookie: x=1","Bad Name":"v","X-Nul":"a\u0000b","X-Good":"tab\tok"}}`,
			200, "", "", map[string][]string{"X-Bad": nil, "Set-Cookie": nil, "X-Nul": nil, "X-Good": {"tab\tok"}}},
		{"null and object header values dropped", `{"statusCode":200,"headers":{"X-Null":null,"X-Obj":{"a":1},"X-Arr":[1,null,"two"]}}`,
			200, "", "", map[string][]string{"X-Null": nil, "X-Obj": nil, "X-Arr": {"1", "two"}}},
		{"204 has no body", `{"statusCode":204,"headers":{"content-type":"text/plain"},"body":"ignored"}`, 204, "", "", nil},
		{"isBase64Encoded false string", `{"statusCode":200,"isBase64Encoded":false,"body":"QUJD"}`, 200, "text/plain; charset=utf-8", "QUJD", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := writeResult(t, c.result)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			if got := rec.Header().Get("Content-Type"); got != c.ctype {
				t.Fatalf("content-type %q, want %q", got, c.ctype)
			}
			if rec.Body.String() != c.body {
				t.Fatalf("body %q, want %q", rec.Body.String(), c.body)
			}
			if c.status != 204 && rec.Header().Get("Content-Length") != strconv.Itoa(len(c.body)) {
				t.Fatalf("content-length %q for %d bytes", rec.Header().Get("Content-Length"), len(c.body))
			}
			for k, want := range c.headers {
				got := rec.Header().Values(k)
				if want == nil {
					if len(got) != 0 {
						t.Fatalf("header %s = %q, want none", k, got)
					}
					continue
				}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Fatalf("header %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestHTTPAccessWriteResponseErrors(t *testing.T) {
	bad := []string{
		`{"statusCode":99}`, `{"statusCode":101}`, `{"statusCode":600}`, `{"statusCode":200.5}`,
		`{"statusCode":"abc"}`, `{"statusCode":null}`, `{"statusCode":true}`,
		`{"statusCode":200,"isBase64Encoded":true,"body":"***"}`,
		`{"statusCode":200,"isBase64Encoded":1}`,
		`{"statusCode":200,"headers":"x"}`, `{"statusCode":200,"multiValueHeaders":[1]}`,
		`{"statusCode":200,"headers":{"X":[1,}}`,
		`{"statusCode":200`, `"unterminated`, `tru`, `{bad}`, `nul`,
	}
	for _, b := range bad {
		rec, err := writeResult(t, b)
		var hae *HTTPAccessError
		if !errors.As(err, &hae) || hae.Status != http.StatusBadGateway {
			t.Errorf("%s: err %v, want a 502 HTTPAccessError", b, err)
			continue
		}
		if len(rec.Header()) != 0 || rec.Body.Len() != 0 {
			t.Errorf("%s: something was written (%v %q)", b, rec.Header(), rec.Body.String())
		}
	}
	// Keeps headers the server set before, unless the function overrides them.
	rec := httptest.NewRecorder()
	rec.Header().Set("X-Content-Type-Options", "nosniff")
	rec.Header().Set("X-Frame-Options", "DENY")
	if err := WriteResponse(rec, json.RawMessage(`{"statusCode":200,"headers":{"x-frame-options":"SAMEORIGIN"}}`)); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Values("X-Frame-Options")[0] != "SAMEORIGIN" ||
		len(rec.Header().Values("X-Frame-Options")) != 1 {
		t.Fatalf("headers %v", rec.Header())
	}
}

// TestHTTPAccessRoundTrip runs a real HTTP server whose "function" echoes the request
// back as an integrated response, binary bodies included.
func TestHTTPAccessRoundTrip(t *testing.T) {
	echo := func(event json.RawMessage) json.RawMessage {
		var ev HTTPAccessEvent
		_ = json.Unmarshal(event, &ev)
		body := ev.Body
		if !ev.IsBase64Encoded {
			body = base64.StdEncoding.EncodeToString([]byte(body))
		}
		out, _ := json.Marshal(map[string]any{
			"statusCode":      201,
			"isBase64Encoded": true,
			"headers": map[string]any{
				"content-type": ev.Headers["content-type"],
				"x-path":       ev.Path,
				"x-method":     ev.HTTPMethod,
				"x-query":      ev.QueryStringParameters["q"],
			},
			"body": body,
		})
		return out
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn, _, ok := SplitHTTPAccessPath(r.URL.Path, "/fn")
		if !ok || fn != "echo" {
			http.NotFound(w, r)
			return
		}
		event, err := EventFromRequest(r, "/fn/"+fn, 1<<20)
		if err != nil {
			var hae *HTTPAccessError
			errors.As(err, &hae)
			http.Error(w, hae.Message, hae.Status)
			return
		}
		if err := WriteResponse(w, echo(event)); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}))
	defer srv.Close()

	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	for _, body := range [][]byte{bin, []byte(`{"hello":"世界"}`), nil} {
		req, _ := http.NewRequestWithContext(context.Background(), "PUT", srv.URL+"/fn/echo/deep/path?q="+url.QueryEscape("a b"), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-thing")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 || !bytes.Equal(got, body) || resp.Header.Get("X-Path") != "/deep/path" ||
			resp.Header.Get("X-Method") != "PUT" || resp.Header.Get("X-Query") != "a b" ||
			resp.Header.Get("Content-Type") != "application/x-thing" || resp.ContentLength != int64(len(body)) {
			t.Fatalf("status %d, %d bytes, headers %v", resp.StatusCode, len(got), resp.Header)
		}
	}
	// Too large.
	resp, err := http.Post(srv.URL+"/fn/echo", "text/plain", bytes.NewReader(make([]byte, 2<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("large body: %d", resp.StatusCode)
	}
}

func FuzzHTTPAccessEventFromRequest(f *testing.F) {
	f.Add("POST", "/fn/a/b", "x=1&y=%zz", "application/json", "", []byte(`{"a":1}`))
	f.Add("GET", "/", "", "", "", []byte(nil))
	f.Add("PUT", "/fn/%ff", "&&=", "image/png", "gzip", []byte("\x89PNG\x00\xff"))
	f.Add("PATCH", "", "a=\xff", "text/plain; charset=\"", "identity", []byte("bad \xff utf8"))
	f.Fuzz(func(t *testing.T, method, path, rawQuery, ctype, cenc string, body []byte) {
		r := &http.Request{
			Method:     method,
			URL:        &url.URL{Path: path, RawQuery: rawQuery},
			Header:     http.Header{},
			Host:       "h",
			RemoteAddr: "1.2.3.4:5",
			Body:       io.NopCloser(bytes.NewReader(body)),
		}
		r = r.WithContext(context.Background())
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		if cenc != "" {
			r.Header.Set("Content-Encoding", cenc)
		}
		raw, err := EventFromRequest(r, "/fn", 1<<16)
		if err != nil {
			var hae *HTTPAccessError
			if !errors.As(err, &hae) || len(body) <= 1<<16 {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		var ev HTTPAccessEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("invalid event JSON: %v", err)
		}
		if !strings.HasPrefix(ev.Path, "/") {
			t.Fatalf("path %q", ev.Path)
		}
		got := []byte(ev.Body)
		if ev.IsBase64Encoded {
			if got, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, body) && !(len(got) == 0 && len(body) == 0) {
			t.Fatalf("body changed: %q -> %q", body, got)
		}
	})
}

func FuzzHTTPAccessWriteResponse(f *testing.F) {
	for _, s := range []string{`"x"`, `{"statusCode":200,"body":"b","headers":{"a":"b"}}`, `[1]`, `null`, `{"statusCode":204}`,
		`{"statusCode":200,"isBase64Encoded":true,"body":"AA=="}`, `{"statusCode":"500","multiValueHeaders":{"x":["1",2]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, result []byte) {
		rec := httptest.NewRecorder()
		if err := WriteResponse(rec, result); err != nil {
			var hae *HTTPAccessError
			if !errors.As(err, &hae) {
				t.Fatalf("error of type %T", err)
			}
			if rec.Body.Len() != 0 {
				t.Fatal("wrote a body on error")
			}
			return
		}
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if cl := rec.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(rec.Body.Len()) {
			t.Fatalf("content-length %s for %d bytes", cl, rec.Body.Len())
		}
		for k, vs := range rec.Header() {
			if !validHTTPHeaderName(k) || httpHopHeaders[strings.ToLower(k)] && k != "Content-Length" {
				t.Fatalf("header %q", k)
			}
			for _, v := range vs {
				if !validHTTPHeaderValue(v) {
					t.Fatalf("header %s value %q", k, v)
				}
			}
		}
	})
}
