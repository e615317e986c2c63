package cloudfns

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The http and https modules' client against a local server, the way functions call
// WeChat and third-party APIs with https.request.
func TestHTTPModule(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			w.Header().Add("X-Multi", "x")
			w.Header().Add("X-Multi", "y")
			_, _ = io.WriteString(w, `{"hello":"world"}`)
		case "/echo":
			body, _ := io.ReadAll(r.Body)
			hs := map[string]string{}
			for k := range r.Header {
				hs[strings.ToLower(k)] = r.Header.Get(k)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "uri": r.RequestURI, "host": r.Host, "body": string(body), "headers": hs, "length": r.ContentLength})
		case "/status":
			http.Error(w, "teapot", 418)
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "text/plain")
			zw := gzip.NewWriter(w)
			_, _ = io.WriteString(zw, strings.Repeat("compressed hello ", 100))
			_ = zw.Close()
		case "/redirect":
			http.Redirect(w, r, "/json", http.StatusFound)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		case "/head":
			w.Header().Set("Content-Length", "5")
		}
	})
	srv := httptest.NewServer(handler)
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(handler)
	defer tlsSrv.Close()
	u, _ := url.Parse(srv.URL)
	tu, _ := url.Parse(tlsSrv.URL)

	// srv.Client() trusts the TLS server's certificate; both servers share 127.0.0.1.
	r := newTestRuntime(RuntimeConfig{FetchAllow: []string{u.Hostname()}, HTTPClient: tlsSrv.Client()})
	prelude := "const http = require('http'), https = require('https'), zlib = require('zlib');\n" +
		"const PORT = " + u.Port() + ", TLS_PORT = " + tu.Port() + ", BASE = " + jsString(srv.URL) + ";\n" +
		// send makes a request and collects the response, as most callers do.
		`function send(mod, opts, body) {
			return new Promise((resolve, reject) => {
				const req = mod.request(opts, (res) => {
					const chunks = [];
					res.on('data', (c) => chunks.push(c));
					res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
				});
				req.on('error', reject);
				if (body !== undefined) req.write(body);
				req.end();
			});
		}
		`
	cases := []struct{ name, body, want string }{
		{"get json", `const { res, body } = await send(http, { hostname: '127.0.0.1', port: PORT, path: '/json' });
			return [res.statusCode, res.statusMessage, res.httpVersion, res.headers['content-type'], res.headers['set-cookie'],
				res.headers['x-multi'], JSON.parse(body.toString()), res.rawHeaders.includes('Content-Type'), res.complete]`,
			`[200,"OK","1.1","application/json",["a=1","b=2"],"x, y",{"hello":"world"},true,true]`},
		{"get with a URL string and http.get", `return await new Promise((resolve, reject) => {
				http.get(BASE + '/json?x=1', (res) => {
					res.setEncoding('utf8');
					let s = '';
					res.on('data', (c) => { s += c; });
					res.on('end', () => resolve([res.statusCode, typeof s, JSON.parse(s).hello]));
				}).on('error', reject);
			})`, `[200,"string","world"]`},
		{"post json", `const payload = JSON.stringify({ a: 1, msg: '你好' });
			const { res, body } = await send(http, { host: '127.0.0.1', port: PORT, path: '/echo?q=a%20b&x=%zz', method: 'post',
				headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'X-Token': 'abc' } }, payload);
			const got = JSON.parse(body);
			return [res.statusCode, got.method, got.uri, got.body, got.length, got.headers['content-type'], got.headers['x-token'],
				got.headers['user-agent'] === undefined, got.host === '127.0.0.1:' + PORT, got.headers['accept-encoding'] === undefined]`,
			`[201,"POST","/echo?q=a%20b&x=%zz","{\"a\":1,\"msg\":\"你好\"}",22,"application/json","abc",true,true,true]`},
		{"headers api", `const req = http.request({ hostname: '127.0.0.1', port: PORT, path: '/echo', headers: { 'X-A': '1' } });
			req.setHeader('X-Arr', ['p', 'q']);
			req.removeHeader('x-a');
			req.setHeader('Authorization', 'Bearer t');
			const names = req.getHeaderNames();
			let bad; try { req.setHeader('bad header', 'x') } catch (e) { bad = e.code }
			let badValue; try { req.setHeader('x-v', 'a\nb') } catch (e) { badValue = e.code }
			const res = await new Promise((resolve) => { req.on('response', resolve); req.end(); });
			let sent; try { req.setHeader('x-late', '1') } catch (e) { sent = e.code }
			const got = await new Promise((resolve) => { let s = ''; res.on('data', (c) => s += c); res.on('end', () => resolve(JSON.parse(s))); });
			return [names, req.getHeader('x-arr'), bad, badValue, sent, got.headers['x-arr'], got.headers.authorization, got.headers['x-a'] === undefined]`,
			`[["host","x-arr","authorization"],["p","q"],"ERR_INVALID_HTTP_TOKEN","ERR_INVALID_CHAR","ERR_HTTP_HEADERS_SENT","p","Bearer t",true]`},
		{"auth option", `const { body } = await send(http, BASE + '/echo', undefined);
			const a = await send(http, { hostname: '127.0.0.1', port: PORT, path: '/echo', auth: 'user:pa ss' });
			return [JSON.parse(body).headers.authorization === undefined, JSON.parse(a.body).headers.authorization]`,
			`[true,"Basic dXNlcjpwYSBzcw=="]`},
		{"status codes are not errors", `const { res, body } = await send(http, { hostname: '127.0.0.1', port: PORT, path: '/status' });
			return [res.statusCode, res.statusMessage, body.toString().trim(), http.STATUS_CODES[404], http.METHODS.includes('PATCH')]`,
			`[418,"I'm a teapot","teapot","Not Found",true]`},
		{"redirects are returned", `const { res } = await send(http, { hostname: '127.0.0.1', port: PORT, path: '/redirect' });
			return [res.statusCode, res.headers.location]`, `[302,"/json"]`},
		{"head", `const { res, body } = await send(http, { hostname: '127.0.0.1', port: PORT, path: '/head', method: 'HEAD' });
			return [res.statusCode, res.headers['content-length'], body.length]`, `[200,"5",0]`},
		{"gzip decoded with zlib", `const { res, body } = await send(http, { hostname: '127.0.0.1', port: PORT, path: '/gzip', headers: { 'Accept-Encoding': 'gzip' } });
			const text = zlib.gunzipSync(body).toString();
			const viaStream = await new Promise((resolve, reject) => {
				http.get({ hostname: '127.0.0.1', port: PORT, path: '/gzip' }, (res) => {
					const out = []; const z = res.pipe(zlib.createGunzip());
					z.on('data', (c) => out.push(c)); z.on('end', () => resolve(Buffer.concat(out).toString())); z.on('error', reject);
				});
			});
			return [res.headers['content-encoding'], body[0], body[1], text.length, text.slice(0, 16), viaStream === text]`,
			`["gzip",31,139,1700,"compressed hello",true]`},
		{"https with the TLS server", `const { res, body } = await send(https, { hostname: '127.0.0.1', port: TLS_PORT, path: '/json', agent: new https.Agent({ keepAlive: true }) });
			const viaUrl = await new Promise((resolve, reject) => https.get('https://127.0.0.1:' + TLS_PORT + '/echo', (r) => { r.resume(); r.on('end', () => resolve(r.statusCode)); }).on('error', reject));
			return [res.statusCode, JSON.parse(body).hello, viaUrl]`, `[200,"world",201]`},
		{"wrong protocol", `try { http.request('https://127.0.0.1/') } catch (e) { return [e.code, e.message] }`,
			`["ERR_INVALID_PROTOCOL","Protocol \"https:\" not supported. Expected \"http:\""]`},
		{"invalid url", `try { http.get('not a url') } catch (e) { return [e.code, e instanceof TypeError] }`, `["ERR_INVALID_URL",true]`},
		{"host not allowed", `return await new Promise((resolve) => {
				const req = https.get('https://api.weixin.qq.com/cgi-bin/token', () => resolve('response'));
				req.on('error', (e) => resolve([e.code, e.message]));
			})`, `["ERR_FETCH_NOT_ALLOWED","fetch to api.weixin.qq.com:443 is not allowed: the host is not on Minicloud's fetch allow-list"]`},
		{"connection refused", `return await new Promise((resolve) => {
				http.get({ hostname: '127.0.0.1', port: 1, path: '/' }, () => resolve('response')).on('error', (e) => resolve([e.code, e.syscall, e.message]));
			})`, `["ECONNREFUSED","connect","connect ECONNREFUSED 127.0.0.1:1"]`},
		{"timeout", `const t0 = Date.now();
			return await new Promise((resolve) => {
				const events = [];
				const req = http.request({ hostname: '127.0.0.1', port: PORT, path: '/slow', timeout: 50 }, () => events.push('response'));
				req.on('timeout', () => { events.push('timeout'); req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })); });
				req.on('error', (e) => events.push(e.code));
				req.on('close', () => resolve([...events, Date.now() - t0 < 2000]));
				req.end();
			})`, `["timeout","ETIMEDOUT",true]`},
		{"abort", `return await new Promise((resolve) => {
				const events = [];
				const req = http.get({ hostname: '127.0.0.1', port: PORT, path: '/slow' }, () => events.push('response'));
				req.on('socket', (s) => { events.push('socket'); s.setKeepAlive(true); setTimeout(() => req.abort(), 10); });
				req.on('abort', () => events.push('abort'));
				req.on('error', (e) => events.push(e.code));
				req.on('close', () => resolve([...events, req.aborted]));
			})`, `["socket","abort",true]`},
		{"destroy before the response", `return await new Promise((resolve) => {
				const req = http.get({ hostname: '127.0.0.1', port: PORT, path: '/slow' });
				req.on('error', (e) => resolve([e.code, e.message]));
				setTimeout(() => req.destroy(), 10);
			})`, `["ECONNRESET","socket hang up"]`},
		{"abort signal", `const ac = new AbortController();
			return await new Promise((resolve) => {
				const req = http.get({ hostname: '127.0.0.1', port: PORT, path: '/slow', signal: ac.signal });
				req.on('error', (e) => resolve([e.name, e.code]));
				setTimeout(() => ac.abort(), 10);
			})`, `["AbortError","ABORT_ERR"]`},
		{"event order", `return await new Promise((resolve) => {
				const events = [];
				const req = http.request({ hostname: '127.0.0.1', port: PORT, path: '/json' }, (res) => {
					events.push('response'); res.on('data', () => events.push('data')); res.on('end', () => events.push('end'));
				});
				req.on('socket', () => events.push('socket'));
				req.on('finish', () => events.push('finish'));
				req.on('close', () => { events.push('close'); resolve(events); });
				req.end();
			})`, `["socket","finish","response","data","end","close"]`},
		{"servers are not available", `const http = require('node:http');
			try { http.createServer(() => {}) } catch (e) { return [typeof http.createServer, e.code, e.message] }`,
			`["function","ERR_NOT_AVAILABLE","http.createServer is not available in Minicloud functions (use HTTP access to serve HTTP)"]`},
		{"agents", `const a = new http.Agent({ keepAlive: true, maxSockets: 4 });
			class MyAgent extends https.Agent {}
			return [a.keepAlive, a.maxSockets, http.globalAgent instanceof http.Agent, https.globalAgent.defaultPort, new MyAgent().protocol,
				typeof http.get, typeof https.request]`, `[true,4,true,443,"https:","function","function"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("httpclient", map[string]string{"index.js": prelude + "exports.main = async () => {\n" + c.body + "\n}"})
			jsonEq(t, mustSucceed(t, call(r, v, `{}`)), c.want)
		})
	}

	t.Run("tls options", func(t *testing.T) {
		// A runtime whose client does not know the test server's certificate.
		r := newTestRuntime(RuntimeConfig{FetchAllow: []string{"127.0.0.1"}})
		ca, _ := json.Marshal(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})))
		v := testVersion("httpclient", map[string]string{"index.js": prelude + `const CA = ` + string(ca) + `;
			const status = (opts) => new Promise((resolve) => {
				https.get(Object.assign({ hostname: '127.0.0.1', port: TLS_PORT, path: '/json' }, opts), (res) => { res.resume(); resolve(res.statusCode); })
					.on('error', (e) => resolve(e.code));
			});
			exports.main = async () => [await status({}), await status({ rejectUnauthorized: false }), await status({ ca: CA }),
				await status({ agent: new https.Agent({ rejectUnauthorized: false }) }), await status({ pfx: Buffer.from('x') }), await status({ ca: 'not pem' })]`})
		jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `["DEPTH_ZERO_SELF_SIGNED_CERT",200,200,200,"ERR_FEATURE_UNAVAILABLE_ON_PLATFORM","ERR_INVALID_ARG_VALUE"]`)
	})
	t.Run("deadline", func(t *testing.T) {
		v := testVersion("httpclient", map[string]string{"index.js": prelude + `exports.main = () => new Promise((resolve) => {
			http.get({ hostname: '127.0.0.1', port: PORT, path: '/slow' }, (res) => resolve(res.statusCode));
		})`}, Config{Timeout: 0.3})
		start := time.Now()
		mustFail(t, call(r, v, `{}`), OutcomeTimeout, CodeTimeout, "timeout")
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("an unhandled error fails the invocation", func(t *testing.T) {
		v := testVersion("httpclient", map[string]string{"index.js": prelude + `exports.main = () => new Promise(() => {
			http.get('http://example.com/');
		})`})
		res := call(r, v, `{}`)
		if res.Outcome == OutcomeSuccess || res.Err == nil || !strings.Contains(res.Err.Message, "allow-list") {
			t.Fatalf("%+v %+v", res.Outcome, res.Err)
		}
	})
	t.Run("response body limit", func(t *testing.T) {
		big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte("x"), maxFetchBody+10))
		}))
		defer big.Close()
		v := testVersion("httpclient", map[string]string{"index.js": `exports.main = () => new Promise((resolve) => {
			require('http').get(` + jsString(big.URL) + `, () => resolve('response')).on('error', (e) => resolve(e.code));
		})`})
		jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `"ERR_FETCH_BODY_TOO_LARGE"`)
	})
}
