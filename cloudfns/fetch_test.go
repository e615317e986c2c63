package cloudfns

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			_, _ = io.WriteString(w, `{"hello":"world","n":1}`)
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Method", r.Method)
			w.Header().Set("X-Got-Header", r.Header.Get("X-Custom"))
			w.Header().Set("X-Content-Type", r.Header.Get("Content-Type"))
			w.WriteHeader(201)
			_, _ = w.Write(body)
		case "/multipart":
			// What a multipart parser makes of fetch's FormData body.
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			out := map[string]any{"fields": r.MultipartForm.Value}
			files := map[string]any{}
			for name, fhs := range r.MultipartForm.File {
				f, _ := fhs[0].Open()
				data, _ := io.ReadAll(f)
				files[name] = []string{fhs[0].Filename, fhs[0].Header.Get("Content-Type"), hex.EncodeToString(data)}
			}
			out["files"] = files
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(out)
		case "/bytes":
			_, _ = w.Write([]byte{0, 1, 2, 255})
		case "/missing":
			http.Error(w, "nope", 404)
		case "/redirect-out":
			http.Redirect(w, r, "http://example.com/elsewhere", http.StatusFound)
		case "/redirect-in":
			http.Redirect(w, r, "/json", http.StatusFound)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	r := newTestRuntime(RuntimeConfig{FetchAllow: []string{u.Hostname(), "*.allowed.test"}, HTTPClient: srv.Client()})
	base := srv.URL
	cases := []struct{ name, body, want string }{
		{"json", `const res = await fetch(BASE + '/json');
			return [res.status, res.ok, res.statusText, res.headers.get('content-type'), res.headers.get('x-multi'), await res.json(), res.bodyUsed]`,
			`[200,true,"OK","application/json","a, b",{"hello":"world","n":1},true]`},
		{"post text body", `const res = await fetch(BASE + '/echo', { method: 'post', headers: { 'X-Custom': 'yes' }, body: 'payload' });
			return [res.status, res.headers.get('x-method'), res.headers.get('x-got-header'), res.headers.get('x-content-type'), await res.text()]`,
			`[201,"POST","yes","text/plain;charset=UTF-8","payload"]`},
		{"json body", `const res = await fetch(BASE + '/echo', { method: 'PUT', headers: new Headers({ 'content-type': 'application/json' }), body: JSON.stringify({ a: 1 }) });
			return [res.headers.get('x-content-type'), await res.json()]`,
			`["application/json",{"a":1}]`},
		{"form data", `const fd = new FormData(); fd.append('a', 'line1\nline2'); fd.append('a', '2');
			fd.append('media', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'x.png'); fd.append('note', new File(['hi'], 'n.txt'));
			const res = await fetch(BASE + '/multipart', { method: 'POST', body: fd });
			return [res.status, await res.json()]`,
			`[200,{"fields":{"a":["line1\r\nline2","2"]},"files":{"media":["x.png","image/png","89504e47"],"note":["n.txt","application/octet-stream","6869"]}}]`},
		{"blob body and blob()", `const res = await fetch(BASE + '/echo', { method: 'POST', body: new Blob(['{"a":1}'], { type: 'application/json' }) });
			const blob = await res.blob();
			return [res.headers.get('x-content-type'), blob.type, blob.size, await blob.text()]`,
			`["application/json","text/plain; charset=utf-8",7,"{\"a\":1}"]`},
		{"binary body", `const res = await fetch(BASE + '/echo', { method: 'POST', body: new Uint8Array([104, 105]) });
			return await res.text()`, `"hi"`},
		{"array buffer", `const res = await fetch(BASE + '/bytes'); const ab = await res.arrayBuffer();
			return [ab.byteLength, new Uint8Array(ab)[3]]`, `[4,255]`},
		{"404 is not an error", `const res = await fetch(BASE + '/missing'); return [res.status, res.ok, (await res.text()).trim()]`, `[404,false,"nope"]`},
		{"redirect inside", `const res = await fetch(BASE + '/redirect-in'); return [res.redirected, res.url.endsWith('/json'), (await res.json()).n]`, `[true,true,1]`},
		{"not allowed", `try { await fetch('https://example.com/x') } catch (e) { return [e.code, e.message] }`,
			`["ERR_FETCH_NOT_ALLOWED","fetch to example.com is not allowed: the host is not on Minicloud's fetch allow-list"]`},
		{"redirect outside", `try { await fetch(BASE + '/redirect-out') } catch (e) { return e.code }`, `"ERR_FETCH_NOT_ALLOWED"`},
		{"file url", `try { await fetch('file:///etc/passwd') } catch (e) { return e.code }`, `"ERR_FETCH_SCHEME"`},
		{"bad url", `try { await fetch('not a url') } catch (e) { return e.code }`, `"ERR_INVALID_URL"`},
		{"abort", `const ac = new AbortController(); const p = fetch(BASE + '/slow', { signal: ac.signal });
			setTimeout(() => ac.abort(), 10);
			try { await p } catch (e) { return e.name }`, `"AbortError"`},
		{"response body used", `const res = await fetch(BASE + '/json'); await res.text(); try { await res.text() } catch (e) { return e instanceof TypeError }`, `true`},
		{"parallel", `const rs = await Promise.all([1, 2, 3].map(() => fetch(BASE + '/json').then(r => r.json())));
			return rs.map(r => r.n)`, `[1,1,1]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("fetcher", map[string]string{"index.js": "const BASE = " + jsString(base) + ";\nexports.main = async () => {\n" + c.body + "\n}"})
			jsonEq(t, mustSucceed(t, call(r, v, `{}`)), c.want)
		})
	}

	t.Run("deadline", func(t *testing.T) {
		v := testVersion("fetcher", map[string]string{"index.js": "exports.main = async () => (await fetch(" + jsString(base+"/slow") + ")).status"}, Config{Timeout: 0.3})
		start := time.Now()
		mustFail(t, call(r, v, `{}`), OutcomeTimeout, CodeTimeout, "timeout")
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("nothing allowed by default", func(t *testing.T) {
		r := newTestRuntime(RuntimeConfig{HTTPClient: srv.Client()})
		v := testVersion("fetcher", map[string]string{"index.js": "exports.main = async () => { try { await fetch(" + jsString(base+"/json") + ") } catch (e) { return e.code } }"})
		jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `"ERR_FETCH_NOT_ALLOWED"`)
	})
}

func TestFetchAllowList(t *testing.T) {
	f := newFetcher([]string{"api.example.com", "*.wechat.test", "local.test:8080"}, nil)
	cases := map[string]bool{
		"https://api.example.com/x":      true,
		"https://API.EXAMPLE.COM/x":      true,
		"https://example.com/x":          false,
		"https://evil-api.example.com/x": false,
		"https://a.wechat.test/":         true,
		"https://a.b.wechat.test/":       true,
		"https://wechat.test/":           false,
		"http://local.test:8080/":        true,
		"http://local.test/":             false,
		"https://api.example.com.evil/":  false,
	}
	for raw, want := range cases {
		u, _ := url.Parse(raw)
		if got := f.allowed(u); got != want {
			t.Errorf("%s: %v, want %v", raw, got, want)
		}
	}
	if !newFetcher([]string{"*"}, nil).allowed(&url.URL{Scheme: "https", Host: "anything.test"}) {
		t.Error("* allows everything")
	}
}

func jsString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

// TestReadableStream compares the minimal ReadableStream (fetch's Response.body) with
// Node 20: reading a body with getReader(), for await, pull sources, errors, locking.
func TestReadableStream(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	// Deployed as a folder is, so that esbuild lowers for await (goja lacks it).
	b := loadMap(t, map[string]string{"index.js": "exports.main = async (event) => {\n" + readableStreamCases + "\n}"})
	v := &Version{Function: "webstreams", Number: int(versionSeq.Add(1)), Bundle: *b}
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `[true,["data: {\"a\":1}","data: [DONE]"],["a","b"],[1,2,3],"bad","TypeError",true,[1,2],null,
		"[object ReadableStream]"]`)
}

const readableStreamCases = `const res = new Response('data: {"a":1}\n\ndata: [DONE]\n\n');
const reader = res.body.getReader();
const dec = new TextDecoder();
let text = '', chunks = 0;
for (let r = await reader.read(); !r.done; r = await reader.read()) { text += dec.decode(r.value, { stream: true }); chunks++; }
const lines = text.split('\n').filter(Boolean);
const rs = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } });
const got = [];
for await (const x of rs) got.push(x);
let n = 0;
const pulled = new ReadableStream({ pull(c) { n++; if (n > 3) c.close(); else c.enqueue(n); } });
const p = [];
for await (const x of pulled) p.push(x);
const errored = new ReadableStream({ start(c) { c.error(new Error('bad')); } });
const err = await errored.getReader().read().catch((e) => e.message);
const locked = new ReadableStream();
locked.getReader();
let lockErr; try { locked.getReader(); } catch (e) { lockErr = e.name; }
const fromIt = [];
for await (const x of ReadableStream.from([1, 2])) fromIt.push(x);
return [chunks >= 1, lines, got, p, err, lockErr, locked.locked, fromIt, new Response(null).body, Object.prototype.toString.call(rs)];
`
