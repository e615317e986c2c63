package apikeys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type vectorFile struct {
	SecretID  string   `json:"secretId"`
	SecretKey string   `json:"secretKey"`
	Vectors   []vector `json:"vectors"`
	Collation []string `json:"collation"`
}

type vector struct {
	Name       string      `json:"name"`
	Source     string      `json:"source"`
	Now        int64       `json:"now"`
	Method     string      `json:"method"`
	Target     string      `json:"target"`
	Host       string      `json:"host"`
	Headers    [][2]string `json:"headers"`
	BodyBase64 string      `json:"bodyBase64"`
}

func loadVectors(t *testing.T) *vectorFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	if len(vf.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return &vf
}

func (vf *vectorFile) vector(t *testing.T, name string) vector {
	t.Helper()
	for _, v := range vf.Vectors {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no vector %q", name)
	return vector{}
}

func (vf *vectorFile) lookup(id string) (string, bool) {
	if id == vf.SecretID {
		return vf.SecretKey, true
	}
	return "", false
}

func (v vector) body(t *testing.T) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v.BodyBase64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// request rebuilds the vector as a server-side request (as net/http would hand it to a handler).
func (v vector) request(t *testing.T, body []byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(v.Method, v.Target, bytes.NewReader(body))
	r.Host = v.Host
	for _, h := range v.Headers {
		if strings.EqualFold(h[0], "Transfer-Encoding") {
			continue
		}
		r.Header.Add(h[0], latin1(h[1]))
	}
	return r
}

// latin1 turns a header value as recorded by node (one char per wire byte) back into wire bytes.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			panic("header value outside latin1")
		}
		b = append(b, byte(r))
	}
	return string(b)
}

func (v vector) now() time.Time { return time.Unix(v.Now, 0) }

func TestGoldenVectors(t *testing.T) {
	vf := loadVectors(t)
	var multipartSeen, getSeen, sdkSeen bool
	for _, v := range vf.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			body := v.body(t)
			r := v.request(t, body)
			id, err := Verify(r, body, vf.lookup, v.now())
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if id != vf.SecretID {
				t.Fatalf("secretID = %q", id)
			}
			// Authenticate dispatches to Verify for TC3 requests.
			if id, err := Authenticate(v.request(t, body), body, vf.lookup, v.now()); err != nil || id != vf.SecretID {
				t.Fatalf("Authenticate = %q, %v", id, err)
			}
			// the same request signed with another key must not verify
			other := func(string) (string, bool) { return vf.SecretKey + "x", true }
			if _, err := Verify(v.request(t, body), body, other, v.now()); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("wrong key: err = %v", err)
			}
		})
		ct := ""
		for _, h := range v.Headers {
			if strings.EqualFold(h[0], "content-type") {
				ct = h[1]
			}
		}
		multipartSeen = multipartSeen || strings.HasPrefix(ct, "multipart/form-data; boundary=")
		getSeen = getSeen || v.Method == http.MethodGet
		sdkSeen = sdkSeen || strings.Contains(v.Source, "on the wire")
	}
	if !multipartSeen || !getSeen || !sdkSeen {
		t.Fatalf("vector set incomplete: multipart=%v get=%v sdk=%v", multipartSeen, getSeen, sdkSeen)
	}
}

func TestCollationMatchesNode(t *testing.T) {
	vf := loadVectors(t)
	if len(vf.Collation) < 100 {
		t.Fatal("collation sample missing")
	}
	got := slices.Clone(vf.Collation)
	// reverse, then sort: the result must be node's order again
	slices.Reverse(got)
	slices.SortStableFunc(got, localeCompare)
	for i := range got {
		if got[i] != vf.Collation[i] {
			t.Fatalf("order differs at %d: got %q, node has %q", i, got[i], vf.Collation[i])
		}
	}
}

func TestJSTrim(t *testing.T) {
	for in, want := range map[string]string{
		" \t\n\r\v\fa b\u00a0\ufeff\u3000\u2028\u2029\u202f\u205f\u1680\u2000\u200a": "a b",
		"\u0085x\u0085":  "\u0085x\u0085", // NEL is not JS whitespace (but is for Go's TrimSpace)
		"\u200bx\u180e":  "\u200bx\u180e", // nor ZWSP / MONGOLIAN VOWEL SEPARATOR
		"":               "",
		"   ":            "",
		"\u00a0v\ufeff ": "v",
	} {
		if got := jsTrim(in); got != want {
			t.Errorf("jsTrim(%q) = %q, want %q", in, got, want)
		}
	}
	if got := formatKey(" Weird Key!(*)'İ"); got != "weird%20key%21%28%2A%29%27i%CC%87" {
		t.Errorf("formatKey = %q", got)
	}
}

// mutate returns a copy of v's request with f applied to headers/body before building.
type mutation struct {
	name    string
	vector  string
	headers func(h http.Header)
	body    func(b []byte) []byte
	req     func(r *http.Request)
	now     func(v vector) time.Time
	lookup  func(string) (string, bool)
	want    error // nil = must verify
}

func setAuthz(f func(string) string) func(http.Header) {
	return func(h http.Header) { h.Set("Authorization", f(h.Get("Authorization"))) }
}

func TestVerifyRejects(t *testing.T) {
	vf := loadVectors(t)
	replaceBody := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("body has no %q", old)
			}
			return bytes.Replace(b, []byte(old), []byte(new), 1)
		}
	}
	cases := []mutation{
		// body
		{name: "tampered body value", vector: "json-db-get", body: replaceBody(`"todos"`, `"todoz"`), want: ErrBadSignature},
		{name: "tampered nested JSON", vector: "json-tricky-values", body: replaceBody(`{"c":null}`, `{"c":0}`), want: ErrBadSignature},
		{name: "reformatted nested JSON", vector: "json-tricky-values", body: replaceBody(`{"c":null}`, `{"c": null}`), want: ErrBadSignature},
		{name: "added body parameter", vector: "json-db-get", body: replaceBody(`{"action"`, `{"admin":true,"action"`), want: ErrBadSignature},
		{name: "removed body parameter", vector: "json-db-get", body: replaceBody(`"offset":0,`, ``), want: ErrBadSignature},
		{name: "renamed key", vector: "json-db-get", body: replaceBody(`"limit"`, `"limiT2"`), want: ErrBadSignature},
		{name: "duplicate key", vector: "json-db-get", body: replaceBody(`{"action":"database.getDocument"`, `{"action":"database.getDocument","action":"database.getDocument"`), want: ErrMalformed},
		{name: "case-folded duplicate key", vector: "json-db-get", body: replaceBody(`{"action"`, `{"ACTION":"database.deleteDocument","action"`), want: ErrMalformed},
		{name: "array body", vector: "json-empty-object", body: func([]byte) []byte { return []byte(`[]`) }, want: ErrMalformed},
		{name: "trailing data", vector: "json-empty-object", body: func([]byte) []byte { return []byte(`{}{}`) }, want: ErrMalformed},
		{name: "invalid JSON", vector: "json-empty-object", body: func([]byte) []byte { return []byte(`{"a":`) }, want: ErrMalformed},
		// the SDK's parameter hash does not see these; documented in Verify
		{name: "added empty-string parameter is not signed", vector: "json-db-get", body: replaceBody(`{"action"`, `{"extra":"  ","action"`)},
		{name: "whitespace around string value is not signed", vector: "json-db-get", body: replaceBody(`"todos"`, `" todos\n"`)},
		// multipart
		{name: "tampered multipart buffer", vector: "multipart-openapi", body: replaceBody(`hello`, `hellO`), want: ErrBadSignature},
		{name: "multipart buffer becomes string part", vector: "multipart-openapi", body: func(b []byte) []byte {
			// dropping the part Content-Type turns requestData into a (trimmed) string value
			i := bytes.Index(b, []byte(`name="requestData"`))
			j := bytes.Index(b[i:], []byte("Content-Type: application/octet-stream\r\n"))
			return append(slices.Clone(b[:i+j]), b[i+j+len("Content-Type: application/octet-stream\r\n"):]...)
		}, want: ErrBadSignature},
		{name: "multipart padded string part", vector: "multipart-openapi", body: replaceBody("\r\n\r\nsecurity.msgSecCheck\r\n", "\r\n\r\n security.msgSecCheck \r\n")},
		{name: "multipart sent as JSON", vector: "multipart-openapi", headers: func(h http.Header) { h.Set("Content-Type", "application/json") }, want: ErrMalformed},
		{name: "multipart without boundary", vector: "multipart-openapi", headers: func(h http.Header) { h.Set("Content-Type", "multipart/form-data") }, want: ErrMalformed},
		{name: "GET with body", vector: "get-no-body", body: func([]byte) []byte { return []byte(`{"action":"x"}`) }, want: ErrMalformed},
		// headers
		{name: "tampered signed header", vector: "json-db-get", headers: func(h http.Header) { h.Set("User-Agent", "evil/1.0") }, want: ErrBadSignature},
		{name: "signed header case change is fine", vector: "custom-headers", headers: func(h http.Header) { h.Set("X-Custom-Thing", "mixed CASE") }},
		{name: "missing signed header", vector: "json-db-get", headers: func(h http.Header) { h.Del("X-SDK-Version") }, want: ErrBadSignature},
		{name: "repeated signed header", vector: "json-db-get", headers: func(h http.Header) { h.Add("X-SDK-Version", "x") }, want: ErrMalformed},
		{name: "tampered content-type", vector: "json-db-get", headers: func(h http.Header) { h.Set("Content-Type", "application/json; charset=utf-8") }, want: ErrBadSignature},
		{name: "unsigned header may change", vector: "json-db-get", headers: func(h http.Header) { h.Set("X-Other", "1") }},
		{name: "tampered timestamp", vector: "json-db-get", headers: func(h http.Header) { h.Set("X-Timestamp", "1767225601") }, want: ErrBadSignature},
		{name: "tampered host", vector: "json-db-get", req: func(r *http.Request) { r.Host = "127.0.0.1:8091" }, want: ErrBadSignature},
		{name: "tampered query", vector: "json-db-get", req: func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "seqId=", "seqId=9", 1) }, want: ErrBadSignature},
		{name: "tampered env", vector: "json-db-get", req: func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "env=test-env", "env=prod", 1) }, want: ErrBadSignature},
		{name: "tampered path", vector: "json-db-get", req: func(r *http.Request) { r.RequestURI = strings.Replace(r.RequestURI, "/admin", "/admin2", 1) }, want: ErrBadSignature},
		{name: "tampered method", vector: "json-db-get", req: func(r *http.Request) { r.Method = http.MethodPut }, want: ErrBadSignature},
		// clock
		{name: "oldest accepted", vector: "json-db-get", now: func(v vector) time.Time { return v.now().Add(MaxSignatureExpires + MaxClockSkew) }},
		{name: "expired", vector: "json-db-get", now: func(v vector) time.Time { return v.now().Add(MaxSignatureExpires + MaxClockSkew + time.Second) }, want: ErrExpired},
		{name: "newest accepted", vector: "json-db-get", now: func(v vector) time.Time { return v.now().Add(-MaxClockSkew) }},
		{name: "from the future", vector: "json-db-get", now: func(v vector) time.Time { return v.now().Add(-MaxClockSkew - time.Second) }, want: ErrExpired},
		{name: "unsigned expiry is capped", vector: "json-db-get", headers: func(h http.Header) { h.Set("X-Signature-Expires", "86400") },
			now: func(v vector) time.Time { return v.now().Add(MaxSignatureExpires + MaxClockSkew + time.Second) }, want: ErrExpired},
		{name: "shorter expiry honoured", vector: "json-db-get", headers: func(h http.Header) { h.Set("X-Signature-Expires", "10") },
			now: func(v vector) time.Time { return v.now().Add(10*time.Second + MaxClockSkew + time.Second) }, want: ErrExpired},
		{name: "missing expiry defaults", vector: "json-db-get", headers: func(h http.Header) { h.Del("X-Signature-Expires") },
			now: func(v vector) time.Time { return v.now().Add(MaxSignatureExpires + MaxClockSkew) }},
		{name: "bad expiry", vector: "json-db-get", headers: func(h http.Header) { h.Set("X-Signature-Expires", "-1") }, want: ErrMalformed},
		{name: "missing timestamp", vector: "json-db-get", headers: func(h http.Header) { h.Del("X-Timestamp") }, want: ErrMalformed},
		{name: "non-numeric timestamp", vector: "json-db-get", headers: func(h http.Header) { h.Set("X-Timestamp", "1767225600.0") }, want: ErrMalformed},
		{name: "credential date mismatch", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, "/2026-01-01/", "/2026-01-02/", 1) }), want: ErrBadSignature},
		// keys
		{name: "unknown key", vector: "json-db-get", lookup: func(string) (string, bool) { return "", false }, want: ErrUnknownKey},
		{name: "other secretId", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, "Credential=AKID", "Credential=AKIE", 1) }), want: ErrUnknownKey},
		// authorization header shape
		{name: "no authorization", vector: "json-db-get", headers: func(h http.Header) { h.Del("Authorization") }, want: ErrUnsigned},
		{name: "other scheme", vector: "json-db-get", headers: func(h http.Header) { h.Set("Authorization", "Bearer abc") }, want: ErrUnsigned},
		{name: "two authorization headers", vector: "json-db-get", headers: func(h http.Header) { h.Add("Authorization", "x") }, want: ErrMalformed},
		{name: "garbage", vector: "json-db-get", headers: func(h http.Header) { h.Set("Authorization", "TC3-HMAC-SHA256 garbage") }, want: ErrMalformed},
		{name: "missing signature", vector: "json-db-get", headers: setAuthz(func(a string) string { return a[:strings.Index(a, ", Signature=")] }), want: ErrMalformed},
		{name: "short signature", vector: "json-db-get", headers: setAuthz(func(a string) string { return a[:len(a)-2] }), want: ErrMalformed},
		{name: "non-hex signature", vector: "json-db-get", headers: setAuthz(func(a string) string { return a[:len(a)-1] + "g" }), want: ErrMalformed},
		{name: "flipped signature", vector: "json-db-get", headers: setAuthz(func(a string) string {
			last := a[len(a)-1]
			return a[:len(a)-1] + map[bool]string{true: "1", false: "0"}[last == '0']
		}), want: ErrBadSignature},
		{name: "wrong service", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, "/tcb/", "/cos/", 1) }), want: ErrMalformed},
		{name: "credential without scope", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, "/2026-01-01/tcb/tc3_request", "", 1) }), want: ErrMalformed},
		{name: "host not signed", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, "content-type;host;", "content-type;", 1) }), want: ErrMalformed},
		{name: "signed header dropped from list", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, ";x-sdk-version", "", 1) }), want: ErrBadSignature},
		{name: "repeated field", vector: "json-db-get", headers: setAuthz(func(a string) string { return a + ", Signature=" + strings.Repeat("0", 64) }), want: ErrMalformed},
		{name: "unknown field", vector: "json-db-get", headers: setAuthz(func(a string) string { return a + ", Token=x" }), want: ErrMalformed},
		{name: "SignedParams lies", vector: "json-db-get", headers: setAuthz(func(a string) string { return strings.Replace(a, "SignedParams=action;", "SignedParams=", 1) }), want: ErrBadSignature},
		{name: "SignedParams reordered", vector: "json-db-get", headers: setAuthz(func(a string) string {
			return strings.Replace(a, "SignedParams=action;collectionname;", "SignedParams=collectionname;action;", 1)
		}), want: ErrBadSignature},
		{name: "SignedParams dropped", vector: "json-db-get", headers: setAuthz(func(a string) string {
			i := strings.Index(a, " SignedParams=")
			j := strings.Index(a, " SignedHeaders=")
			return a[:i] + a[j:]
		})}, // falls back to sorting the keys itself, which gives the same order
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := vf.vector(t, c.vector)
			body := v.body(t)
			if c.body != nil {
				body = c.body(body)
			}
			r := v.request(t, body)
			if c.headers != nil {
				c.headers(r.Header)
			}
			if c.req != nil {
				c.req(r)
			}
			now := v.now()
			if c.now != nil {
				now = c.now(v)
			}
			lookup := vf.lookup
			if c.lookup != nil {
				lookup = c.lookup
			}
			id, err := Verify(r, body, lookup, now)
			if c.want == nil {
				if err != nil || id != vf.SecretID {
					t.Fatalf("want success, got %q, %v", id, err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if id != "" {
				t.Fatalf("secretID %q returned with error", id)
			}
			if strings.Contains(err.Error(), vf.SecretKey) {
				t.Fatalf("error leaks the secret key: %v", err)
			}
			// nor the signature the server expected for this (tampered) request
			if a, perr := parseTC3Authorization(strings.TrimPrefix(r.Header.Get("Authorization"), Algorithm+" ")); perr == nil {
				if canon, cerr := canonicalParts(r, body, a); cerr == nil {
					ts, _ := strconv.ParseInt(r.Header.Get("X-Timestamp"), 10, 64)
					for _, m := range methodSpellings(r.Method) {
						want := hex.EncodeToString(tc3Signature(vf.SecretKey, a.date, ts, canon.request(m)))
						if strings.Contains(strings.ToLower(err.Error()), want) {
							t.Fatalf("error leaks the expected signature: %v", err)
						}
					}
				}
			}
		})
	}
}

// TestNodeSDKSignatureLive runs the real @cloudbase/node-sdk (and wx-server-sdk) against a
// handler that calls Verify.
func TestNodeSDKSignatureLive(t *testing.T) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not on PATH")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	secretID, secretKey, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(id string) (string, bool) {
		if id == secretID {
			return secretKey, true
		}
		return "", false
	}

	type record struct {
		id     string
		err    error
		action string
		ctype  string
	}
	var (
		mu      sync.Mutex
		records []record
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, err := Authenticate(r, body, lookup, time.Now())
		action := ""
		var p struct {
			Action string `json:"action"`
		}
		if json.Unmarshal(body, &p) == nil {
			action = p.Action
		} else if bytes.Contains(body, []byte("wx.openApi")) {
			action = "wx.openApi"
		}
		mu.Lock()
		records = append(records, record{id: id, err: err, action: action, ctype: r.Header.Get("Content-Type")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"code":"SIGN_PARAM_INVALID","message":"signature check failed"}`)
			return
		}
		io.WriteString(w, `{"requestId":"r","data":{"list":[],"response_data":"{\"sum\":3}"}}`)
	}))
	defer srv.Close()

	type result struct {
		Step  string          `json:"step"`
		OK    bool            `json:"ok"`
		Value json.RawMessage `json:"value"`
		Error string          `json:"error"`
	}
	run := func(t *testing.T, cfg map[string]any) ([]result, []record) {
		t.Helper()
		mu.Lock()
		records = nil
		mu.Unlock()
		cfg["serviceUrl"] = srv.URL + "/admin"
		arg, _ := json.Marshal(cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, nodeBin, filepath.Join("testdata", "live.js"), string(arg))
		cmd.Env = append(os.Environ(), "SILENCE=true", "TCB_CONTEXT_CNFG=", "TENCENTCLOUD_SECRETID=", "TENCENTCLOUD_SECRETKEY=", "CLOUDBASE_APIKEY=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
		}
		var res struct {
			Results []result `json:"results"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:]), &res); err != nil {
			t.Fatalf("node output: %v\n%s\nstderr: %s", err, out, stderr.String())
		}
		mu.Lock()
		defer mu.Unlock()
		return res.Results, slices.Clone(records)
	}
	allSteps := []string{"db-get", "callFunction", "wx-openapi-multipart", "wx-server-sdk-db-get"}

	t.Run("secretKey", func(t *testing.T) {
		results, recs := run(t, map[string]any{"secretId": secretID, "secretKey": secretKey, "steps": allSteps})
		if len(recs) != len(allSteps) {
			t.Fatalf("server saw %d requests, want %d: %+v", len(recs), len(allSteps), recs)
		}
		sawMultipart := false
		for _, rec := range recs {
			if rec.err != nil || rec.id != secretID {
				t.Errorf("Verify(%s) = %q, %v", rec.action, rec.id, rec.err)
			}
			sawMultipart = sawMultipart || strings.HasPrefix(rec.ctype, "multipart/form-data")
		}
		if !sawMultipart {
			t.Error("no multipart request was exercised")
		}
		for _, r := range results {
			if !r.OK {
				t.Errorf("SDK step %s failed: %s", r.Step, r.Error)
			}
		}
		var got struct {
			Data      []any  `json:"data"`
			RequestID string `json:"requestId"`
		}
		if err := json.Unmarshal(results[0].Value, &got); err != nil || got.Data == nil || len(got.Data) != 0 || got.RequestID != "r" {
			t.Errorf("db get result = %s (%v)", results[0].Value, err)
		}
	})

	t.Run("wrong secretKey", func(t *testing.T) {
		results, recs := run(t, map[string]any{"secretId": secretID, "secretKey": secretKey[:len(secretKey)-1] + "!", "steps": allSteps})
		if len(recs) != len(allSteps) {
			t.Fatalf("server saw %d requests: %+v", len(recs), recs)
		}
		for _, rec := range recs {
			if !errors.Is(rec.err, ErrBadSignature) {
				t.Errorf("Verify(%s) err = %v, want ErrBadSignature", rec.action, rec.err)
			}
		}
		for _, r := range results {
			if r.OK && r.Step != "wx-openapi-multipart" { // raw-mode calls resolve with the error body
				t.Errorf("SDK step %s unexpectedly succeeded", r.Step)
			}
		}
	})

	t.Run("unknown secretId", func(t *testing.T) {
		_, recs := run(t, map[string]any{"secretId": "AKIDunknown", "secretKey": secretKey, "steps": []string{"db-get"}})
		if len(recs) != 1 || !errors.Is(recs[0].err, ErrUnknownKey) {
			t.Fatalf("records = %+v", recs)
		}
	})

	t.Run("accessKey", func(t *testing.T) {
		steps := []string{"db-get", "callFunction", "wx-openapi-multipart"}
		results, recs := run(t, map[string]any{"accessKey": AccessKey(secretID, secretKey), "steps": steps})
		if len(recs) != len(steps) {
			t.Fatalf("server saw %d requests: %+v", len(recs), recs)
		}
		for _, rec := range recs {
			if rec.err != nil || rec.id != secretID {
				t.Errorf("Authenticate(%s) = %q, %v", rec.action, rec.id, rec.err)
			}
		}
		for _, r := range results {
			if !r.OK {
				t.Errorf("SDK step %s failed: %s", r.Step, r.Error)
			}
		}
	})

	t.Run("tampered accessKey", func(t *testing.T) {
		ak := []byte(AccessKey(secretID, secretKey))
		i := len(ak) - 10 // a character inside the MAC
		ak[i] = map[bool]byte{true: 'B', false: 'A'}[ak[i] == 'A']
		_, recs := run(t, map[string]any{"accessKey": string(ak), "steps": []string{"db-get"}})
		if len(recs) != 1 || !errors.Is(recs[0].err, ErrBadSignature) {
			t.Fatalf("records = %+v", recs)
		}
	})
}
