package cloudfns

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of Buffer, TextEncoder/TextDecoder and atob/btoa
// (globals_bytes.go and the prelude's JavaScript halves) against Node: every case runs
// in Minicloud's runtime and in `node`, and the results must be the same. The harness
// here is shared with require_crypto_keys_test.go.

// jsCase is a snippet: the body of an async function whose result (or thrown error)
// is compared between Minicloud and Node.
type jsCase struct {
	name, body string
	// bug, when set, names a known difference from Node: the case still runs (so a
	// fix shows up in the log) but is skipped rather than failed.
	bug string
	// want, when set, is Minicloud's expected result (JSON, as the harness encodes a
	// returned value) in place of Node's: for differences README documents (keys
	// Minicloud refuses on purpose).
	want string
}

// jsHarness runs the cases in order and encodes their results as JSON the same way in
// both runtimes: buffers and typed arrays as hex or lists, bigints, undefined, -0,
// NaN and strings with lone surrogates tagged, thrown errors as name, code and message.
const jsHarness = `
function __hex(u8) {
  var s = '';
  for (var i = 0; i < u8.length; i++) s += (u8[i] < 16 ? '0' : '') + u8[i].toString(16);
  return s;
}
function __enc(v, depth) {
  depth = depth || 0;
  if (depth > 20) return { $: 'deep' };
  if (v === undefined) return { $: 'undefined' };
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return { $: 'bigint', v: String(v) };
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return { $: 'number', v: '-0' };
    if (!isFinite(v)) return { $: 'number', v: String(v) };
    return v;
  }
  if (typeof v === 'string') {
    for (var i = 0; i < v.length; i++) {
      var u = v.charCodeAt(i);
      if (u >= 0xd800 && u <= 0xdfff) {
        var units = [];
        for (var j = 0; j < v.length; j++) units.push(v.charCodeAt(j));
        return { $: 'utf16', v: units };
      }
    }
    return v;
  }
  if (typeof v === 'function') return { $: 'function', name: v.name };
  if (typeof v === 'symbol') return { $: 'symbol', v: String(v) };
  if (v instanceof Error) return { $: 'error', v: __err(v) };
  if (v instanceof ArrayBuffer) return { $: 'ArrayBuffer', hex: __hex(new Uint8Array(v)) };
  if (v instanceof Uint8Array) {
    return { $: Buffer.isBuffer(v) ? 'Buffer' : 'Uint8Array', hex: __hex(v) };
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    var a = [];
    for (var k = 0; k < v.length; k++) a.push(__enc(v[k], depth + 1));
    return { $: Object.getPrototypeOf(v).constructor.name, v: a };
  }
  if (v instanceof DataView) return { $: 'DataView', hex: __hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (Array.isArray(v)) return v.map(function (x) { return __enc(x, depth + 1); });
  var o = {};
  Object.keys(v).forEach(function (key) { o[key] = __enc(v[key], depth + 1); });
  return o;
}
function __err(e) {
  if (e === null || typeof e !== 'object') return { thrown: __enc(e) };
  return { name: e.name, code: __enc(e.code), message: e.message };
}
async function __run(cases) {
  var out = {};
  for (var i = 0; i < cases.length; i++) {
    try { out[cases[i][0]] = { ok: __enc(await cases[i][1]()) }; }
    catch (e) { out[cases[i][0]] = { threw: __err(e) }; }
  }
  return out;
}
`

// jsCaseList is the cases as JavaScript: [[name, async function], …].
func jsCaseList(cases []jsCase) string {
	var b strings.Builder
	b.WriteString("[\n")
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			panic("duplicate case " + c.name)
		}
		seen[c.name] = true
		name, _ := json.Marshal(c.name)
		b.WriteString("[" + string(name) + ", async () => {\n" + c.body + "\n}],\n")
	}
	b.WriteString("]")
	return b.String()
}

// nodePath returns node or skips the test: Node 20 when exact (the reference
// behaviour the cases were written against: messages and some semantics change
// between major versions), else Node 20 or later.
func nodePath(t *testing.T, exact bool) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	v, _ := exec.Command(node, "--version").Output()
	major, _, _ := strings.Cut(strings.TrimPrefix(string(v), "v"), ".")
	n, _ := strconv.Atoi(major)
	if n < 20 || (exact && n != 20) {
		t.Skipf("node %s is not the reference Node 20", strings.TrimSpace(string(v)))
	}
	return node
}

// runInNode runs prelude, the harness and the cases in one node process and returns
// the results by case name.
func runInNode(t *testing.T, node, prelude string, cases []jsCase) map[string]any {
	t.Helper()
	script := prelude + "\n" + jsHarness + "\n__run(" + jsCaseList(cases) + ").then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1) });\n"
	cmd := exec.Command(node, "-")
	cmd.Stdin = strings.NewReader(script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node printed %.2000s: %v", out, err)
	}
	return res
}

// runInMinicloud runs the same as a function's index.js.
func runInMinicloud(t *testing.T, prelude string, cases []jsCase) map[string]any {
	t.Helper()
	all := map[string]string{
		"index.js": prelude + "\n" + jsHarness + "\nexports.main = async () => __run(" + jsCaseList(cases) + ");\n",
	}
	r := newTestRuntime(RuntimeConfig{})
	got, ok := mustSucceed(t, call(r, testVersion("node-diff", all, Config{Timeout: 120}), `{}`)).(map[string]any)
	if !ok {
		t.Fatal("the function returned no object")
	}
	return got
}

// compareWithNode runs cases in both runtimes and fails each case whose result
// differs (subtests by case name).
func compareWithNode(t *testing.T, prelude string, cases []jsCase) {
	t.Helper()
	node := nodePath(t, true)
	want := runInNode(t, node, prelude, cases)
	got := runInMinicloud(t, prelude, cases)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, w := got[c.name], want[c.name]
			same := reflect.DeepEqual(g, w)
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			if c.bug != "" {
				if same {
					t.Logf("known bug %q no longer reproduces: remove the marker", c.bug)
				}
				t.Skipf("bug: %s\nminicloud: %s\nnode:      %s", c.bug, gj, wj)
			}
			if c.want != "" {
				var w any
				if err := json.Unmarshal([]byte(`{"ok":`+c.want+`}`), &w); err != nil {
					t.Fatalf("bad want %s: %v", c.want, err)
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("body:\n%s\nminicloud: %s\nwant:      %s\n(node:     %s)", c.body, gj, c.want, wj)
				}
				return
			}
			if !same {
				t.Errorf("body:\n%s\nminicloud: %s\nnode:      %s", c.body, gj, wj)
			}
		})
	}
}

// errProbe is a prelude helper: err(f) runs f and returns its error as
// [name, code, message] (or 'no error' and the result).
const errProbe = `
const err = (f) => { try { const r = f(); return ['no error', __enc(r)] } catch (e) { return [e && e.name, e && e.code, e && e.message] } };
const hex = (b) => Buffer.from(b).toString('hex');
`

// bufferCases pass in Minicloud as in Node. Known differences are the cases with a
// bug marker, each kept to the inputs that differ.
var bufferCases = []jsCase{
	// ---- Buffer.from ----
	{name: "from utf8", body: `return [Buffer.from('héllo wörld €𝄞'), Buffer.from(''), Buffer.from('a\u0000b')]`},
	{name: "from utf8 lone surrogates", body: `return [Buffer.from('\ud800'), Buffer.from('a\udc00b'), Buffer.from('x\ud83d'), Buffer.from('\udc00\ud800'), Buffer.from('\ud83d\ude00')]`},
	{name: "from array", body: `return [Buffer.from([1, 256, -1, 1.7, '7', NaN, null, undefined, 'x', 255.9, -129])]`},
	{name: "from array-like", body: `return [Buffer.from({ length: 3, 0: 1, 1: 2 }), Buffer.from({ type: 'Buffer', data: [9, 8] }), Buffer.from(new Uint16Array([1, 258, 65535])), Buffer.from(new Float64Array([1.5, -1]))]`},
	{name: "from typed array views", body: `const u16 = new Uint16Array([0x0102, 0x0304]); return [Buffer.from(u16), Buffer.from(u16.buffer), Buffer.from(new Uint8Array(u16.buffer, 1, 2)), Buffer.from(new Int8Array([-1, -128]))]`},
	{name: "from DataView", body: `const ab = new Uint8Array([1, 2, 3, 4, 5]).buffer; return [Buffer.from(new DataView(ab, 1, 3)), Buffer.from(new DataView(ab))]`},
	{name: "from arraybuffer shares memory", body: `const ab = new ArrayBuffer(6); const b = Buffer.from(ab, 1, 3); b[0] = 7; const all = Buffer.from(ab); return [b, new Uint8Array(ab), b.length, b.byteOffset, all.length, Buffer.from(ab, 2).length]`},
	{name: "from arraybuffer bounds", body: `const ab = new ArrayBuffer(4); return [err(() => Buffer.from(ab, 5)), err(() => Buffer.from(ab, 1, 4)), Buffer.from(ab, 4).length, Buffer.from(ab, '1', '2').length]`},
	{name: "from buffer copies", body: `const a = Buffer.from('abc'), b = Buffer.from(a); b[0] = 0x7a; return [a.toString(), b.toString(), Buffer.isBuffer(b)]`},
	{name: "from string objects", body: `return [Buffer.from(new String('abc')), Buffer.from({ [Symbol.toPrimitive]: () => 'xyz' }), Buffer.from(new String('616263'), 'hex')]`},
	{name: "from bad arguments", body: `return [123, null, undefined, Symbol('s'), () => 1].map((v) => { try { Buffer.from(v); return 'no error' } catch (e) { return [e.name, e.code] } })`},
	{name: "from bad arguments message",
		body: `return err(() => Buffer.from(123))`},
	{name: "from unknown encoding", body: `return [err(() => Buffer.from('abc', 'bogus')), err(() => Buffer.from('abc', 'utf-32'))]`},
	{name: "from null or empty encoding", body: `return [Buffer.from('abc', null), Buffer.from('abc', ''), Buffer.from('abc', undefined)]`},
	{name: "constructor", body: `return [Buffer('abc'), new Buffer(3), Buffer(2), err(() => Buffer(3, 'utf8')), new Buffer('6162', 'hex'), new Buffer([1, 2])]`},
	{name: "encoding names", body: `return ['UTF8', 'Utf-8', 'LATIN1', 'Binary', 'UCS2', 'ucs-2', 'UTF16LE', 'utf-16le', 'HEX', 'Base64', 'BASE64URL', 'ASCII'].map((e) => hex(Buffer.from('aé', e === 'HEX' ? undefined : e)))`},
	{name: "isEncoding", body: `return ['utf8', 'UTF-8', 'utf-16le', 'ucs-2', 'binary', 'latin1', 'hex', 'base64', 'base64url', 'ascii', 'utf16', 'utf-16', 'bogus', null, undefined, 1, {}].map((e) => Buffer.isEncoding(e))`},
	{name: "isEncoding empty string",
		body: `return Buffer.isEncoding('')`},

	// ---- hex ----
	{name: "hex decode", body: `return ['0a1B', 'abc', 'zz12', '12zz34', '1g', '', 'ABCDEF', ' 12', '12 34', '0x12', 'a'].map((s) => Buffer.from(s, 'hex'))`},
	{name: "hex encode", body: `return [Buffer.from([0, 15, 16, 255]).toString('hex'), Buffer.alloc(0).toString('hex')]`},

	// ---- base64 ----
	{name: "base64 decode", body: `return ['aGVsbG8=', 'aGVsbG8', 'aGVs bG8=\n', 'aGVsbG8=extra', '-_-_', '+/+/', 'a', 'ab', 'abc', '====', 'YQ', 'YWJj\r\nZGVm', 'Y W J j', '', 'a===', 'ab=c', '@@YWJj##', 'YW=Jj'].map((s) => Buffer.from(s, 'base64'))`},
	{name: "base64 padding in the middle", body: `return ['aGk=aGk=', 'aGk==aGk=', 'YQ==YQ=='].map((s) => Buffer.from(s, 'base64'))`},
	{name: "base64url decode", body: `return ['aGVsbG8', 'aGVsbG8=', '-_-_', '+/+/', 'a-b_c', 'YW Jj'].map((s) => Buffer.from(s, 'base64url'))`},
	{name: "base64 encode", body: `const b = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x3e]); return [0, 1, 2, 3, 4, 5].map((n) => [b.subarray(0, n).toString('base64'), b.subarray(0, n).toString('base64url')])`},

	// ---- latin1, ascii, utf16le ----
	{name: "latin1 and ascii encode", body: `const s = 'aé\u00ff\u0100\u20ac\ud83d\ude00'; return [Buffer.from(s, 'latin1'), Buffer.from(s, 'binary'), Buffer.from(s, 'ascii')]`},
	{name: "latin1 and ascii decode", body: `const b = Buffer.from([0x41, 0x7f, 0x80, 0xe9, 0xff]); return [b.toString('latin1'), b.toString('binary'), b.toString('ascii')]`},
	{name: "utf16le encode", body: `return [Buffer.from('hi€', 'utf16le'), Buffer.from('😀', 'ucs2'), Buffer.from('\ud800x', 'utf16le'), Buffer.from('', 'utf16le')]`},
	{name: "utf16le decode", body: `const b = Buffer.from('abc', 'utf16le'); return [Buffer.from([0x61, 0, 0x62]).toString('utf16le'), Buffer.from([0x3d, 0xd8, 0, 0xde]).toString('utf16le'), Buffer.from([0xac, 0x20]).toString('ucs2'), b.toString('utf16le', 1), b.toString('utf16le', 1, 4), b.toString('ucs2', 0, 5)]`},
	{name: "utf16le decode lone surrogates",
		body: `const s = 'a\ud800b\udc00'; return [Buffer.from([0, 0xd8]).toString('utf16le'), Buffer.from([0, 0xdc, 0x61, 0]).toString('utf16le'), Buffer.from(s, 'utf16le').toString('utf16le') === s]`},

	// ---- utf8 decoding ----
	{name: "utf8 decode valid", body: `return Buffer.from([0x68, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9d, 0x84, 0x9e]).toString()`},
	{name: "utf8 decode invalid bytes", body: `return [[0xff], [0xc3], [0xc3, 0x28], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe0, 0x80, 0x80]].map((a) => Buffer.from(a).toString())`},
	{name: "utf8 decode truncated sequences",
		body: `return [[0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xe2, 0x82, 0x41], [0x61, 0xf0, 0x9f]].map((a) => Buffer.from(a).toString())`},

	// ---- toString ----
	{name: "toString ranges", body: `const b = Buffer.from('hello world'); return [b.toString('utf8', 6), b.toString('utf8', 0, 5), b.toString('hex', 1, 3), b.toString('utf8', -1, 100), b.toString('utf8', 3, 1), b.toString(undefined, 2, 4), b.toString('utf8', NaN, NaN), b.toString('utf8', '2', '4'), b.toString('utf8', 1.9, 3.9), b.toString('utf8', 20), b.toString('utf8', 0, -1), b.toString('utf8', -Infinity)]`},
	{name: "toString huge offsets",
		body: `const b = Buffer.from('hello'); return [b.toString('utf8', 0, Infinity), b.toString('utf8', 0, 2 ** 32 + 1), b.toString('utf8', Infinity), b.toString('utf8', 2 ** 32 + 1)]`},
	{name: "toString encodings", body: `const b = Buffer.from('héllo'); return [b.toString('UTF-8'), b.toString('Hex'), b.toString('BASE64'), b.toString('latin1'), b.toString(), String(b), b + '', b.toString(undefined), b.toLocaleString(), b.toLocaleString('hex')]`},
	{name: "toString unknown encoding", body: `return err(() => Buffer.from('abc').toString('bogus'))`},
	{name: "toString null or empty encoding",
		body: `const b = Buffer.from('abc'); return [err(() => b.toString(null)), err(() => b.toString(''))]`},
	{name: "toJSON", body: `const b = Buffer.from([1, 2, 250]); return [b.toJSON(), JSON.stringify(b), JSON.stringify({ b: Buffer.alloc(0) }), Buffer.from(JSON.parse(JSON.stringify(b)))]`},

	// ---- byteLength ----
	{name: "byteLength utf8", body: `return ['', 'abc', 'é', '€', '😀', '\ud800', 'a\udc00', '\ud83d\ude00\ud83d', 'x'.repeat(100)].map((s) => Buffer.byteLength(s))`},
	{name: "byteLength encodings", body: `return [['abcd', 'hex'], ['abc', 'hex'], ['aGVsbG8=', 'base64'], ['aGVsbG8', 'base64'], ['aGk==', 'base64'], ['aGVsbG8', 'base64url'], ['é€', 'latin1'], ['é€', 'ascii'], ['é€😀', 'utf16le'], ['abc', 'ucs2'], ['é', 'UTF-8'], ['é', undefined]].map(([s, e]) => Buffer.byteLength(s, e))`},
	{name: "byteLength invalid hex and base64",
		body: `return [Buffer.byteLength('zz', 'hex'), Buffer.byteLength('aGVs bG8=', 'base64')]`},
	{name: "byteLength unknown encoding",
		body: `return [err(() => Buffer.byteLength('abc', 'bogus')), err(() => Buffer.byteLength('é', 'utf-16'))]`},
	{name: "byteLength binary", body: `return [Buffer.byteLength(new ArrayBuffer(5)), Buffer.byteLength(new Uint16Array(3)), Buffer.byteLength(new DataView(new ArrayBuffer(7), 2)), Buffer.byteLength(Buffer.from('abc')), err(() => Buffer.byteLength(5)), err(() => Buffer.byteLength({}))]`},

	// ---- alloc ----
	{name: "alloc", body: `return [Buffer.alloc(0), Buffer.alloc(3), Buffer.alloc(5, 'ab'), Buffer.alloc(5, 0x101), Buffer.alloc(4, 'aGk=', 'base64'), Buffer.alloc(3, ''), Buffer.alloc(5, Buffer.from([1, 2])), Buffer.alloc(3, -1), Buffer.alloc(3, true), Buffer.alloc(4, '€'), Buffer.alloc(5, new Uint8Array([9, 8])), Buffer.alloc(4, '6162', 'hex')]`},
	{name: "alloc errors", body: `return [err(() => Buffer.alloc('5')), err(() => Buffer.alloc()), err(() => Buffer.alloc(2, 'a', 'bogus')), Buffer.allocUnsafe(3).length, Buffer.allocUnsafeSlow(2).length]`},
	{name: "alloc negative size",
		body: `return [err(() => Buffer.alloc(-1)), err(() => Buffer.alloc(NaN)), err(() => Buffer.allocUnsafe(-1))]`},

	// ---- concat, compare, equals ----
	{name: "concat", body: `const a = Buffer.from('ab'), b = new Uint8Array([1, 2, 3]); return [Buffer.concat([]), Buffer.concat([a, b]), Buffer.concat([a, b], 3), Buffer.concat([a, b], 8), Buffer.concat([a], 0), Buffer.isBuffer(Buffer.concat([b])), Buffer.concat([a.subarray(1), b.subarray(2)])]`},
	{name: "concat errors", body: `return [err(() => Buffer.concat('ab')), err(() => Buffer.concat([Buffer.from('a'), 'b'])), err(() => Buffer.concat([[1]]))]`},
	{name: "concat negative length",
		body: `return err(() => Buffer.concat([Buffer.from('a')], -1))`},
	{name: "compare", body: `const a = Buffer.from('abc'), b = Buffer.from('abd'), c = Buffer.from('ab'); return [Buffer.compare(a, b), Buffer.compare(b, a), Buffer.compare(a, a), Buffer.compare(c, a), Buffer.compare(a, c), Buffer.compare(new Uint8Array([255]), new Uint8Array([1, 2])), [b, a, c].sort(Buffer.compare).map(String), err(() => a.compare('abc')), err(() => Buffer.compare(a, 'abc')), err(() => Buffer.compare('abc', a))]`},
	{name: "compare ranges", body: `const a = Buffer.from('xabcx'), t = Buffer.from('abc'); return [a.compare(t), a.compare(t, 0, 3, 1, 4), a.compare(t, 1), a.compare(t, 0, 2, 1, 3), a.compare(t, 3, 3, 0, 0), a.compare(t, 0, 0, 1, 2), a.compare(t, undefined, undefined, 1, 4)]`},
	{name: "compare out of range",
		body: `const a = Buffer.from('abc'), t = Buffer.from('abc'); return [err(() => a.compare(t, 0, 100)), err(() => a.compare(t, -1)), err(() => a.compare(t, 0, 3, 0, 100))]`},
	{name: "equals", body: `const a = Buffer.from('abc'); return [a.equals(Buffer.from('abc')), a.equals(Buffer.from('abd')), a.equals(new Uint8Array([97, 98, 99])), Buffer.alloc(0).equals(Buffer.alloc(0)), err(() => a.equals('abc'))]`},

	// ---- indexOf, lastIndexOf, includes ----
	{name: "indexOf", body: `const b = Buffer.from('abcabc'); return [b.indexOf('b'), b.indexOf('b', 2), b.indexOf('b', -2), b.indexOf('b', -100), b.indexOf('x'), b.indexOf(99), b.indexOf(99 + 256), b.indexOf(-157), b.indexOf(Buffer.from('ca')), b.indexOf(new Uint8Array([98, 99]), 3), b.indexOf('6263', 'hex'), b.indexOf('YmM=', 0, 'base64'), b.indexOf('b', 1.5), b.indexOf('abcabcd'), b.indexOf('b', NaN), b.indexOf('b', {}), b.indexOf('c', null), b.indexOf('b', 100)]`},
	{name: "indexOf empty needle", body: `const b = Buffer.from('abc'); return [b.indexOf(''), b.indexOf('', 2), b.indexOf('', 3), b.indexOf('', -1), b.indexOf('', -10), Buffer.alloc(0).indexOf(''), Buffer.alloc(0).indexOf('a'), b.lastIndexOf(''), b.lastIndexOf('', 1), b.lastIndexOf('', 10), b.lastIndexOf('', -1)]`},
	{name: "indexOf empty needle past the end",
		body: `const b = Buffer.from('abc'); return [b.indexOf('', 10), b.indexOf(Buffer.alloc(0), 10)]`},
	{name: "lastIndexOf empty needle before the start",
		body: `return Buffer.from('abc').lastIndexOf('', -10)`},
	{name: "lastIndexOf", body: `const b = Buffer.from('abcabc'); return [b.lastIndexOf('b'), b.lastIndexOf('b', 3), b.lastIndexOf('b', 4), b.lastIndexOf('b', -3), b.lastIndexOf('b', -100), b.lastIndexOf('b', 100), b.lastIndexOf('x'), b.lastIndexOf(99), b.lastIndexOf('abc', 0), b.lastIndexOf('abc', 2), b.lastIndexOf('bc', null), b.lastIndexOf('6263', 'hex'), b.lastIndexOf('b', undefined), b.lastIndexOf(Buffer.from('bc'), -1)]`},
	{name: "lastIndexOf NaN offset",
		body: `const b = Buffer.from('abcabc'); return [b.lastIndexOf('b', NaN), b.lastIndexOf('b', {})]`},
	{name: "indexOf utf16le", body: `const b = Buffer.from('abcabc', 'utf16le'); return [b.indexOf('c', 'utf16le'), b.lastIndexOf('b', undefined, 'ucs2'), b.indexOf(Buffer.from('c\u0000')), b.indexOf('bc', 2, 'utf16le')]`},
	{name: "indexOf utf16le unaligned",
		body: `return [Buffer.from([0x00, 0x61, 0x00]).indexOf('a', 'utf16le'), Buffer.from([0x00, 0x61, 0x00, 0x61, 0x00]).indexOf('a', 0, 'ucs2'), Buffer.from('abcabc', 'utf16le').indexOf('bc', 3, 'utf16le')]`},
	{name: "indexOf errors", body: `const b = Buffer.from('abc'); return [err(() => b.indexOf({})), err(() => b.indexOf(null)), err(() => b.indexOf('a', 0, 'bogus')), err(() => b.indexOf(true))]`},
	{name: "includes", body: `const b = Buffer.from('hello'); return [b.includes('ell'), b.includes('ell', 2), b.includes(104), b.includes(Buffer.from('lo')), b.includes('x'), b.includes('6c6c', 'hex')]`},

	// ---- slice, subarray, views ----
	{name: "slice and subarray", body: `const b = Buffer.from('abcdef'); return [b.slice(1, 3), b.slice(-2), b.slice(-10, 2), b.slice(4, 2), b.slice(2, 100), b.subarray(1, -1), b.slice('1', '3'), b.slice(1.7, 3.2), b.slice(NaN), b.slice(), Buffer.isBuffer(b.slice(1)), Buffer.isBuffer(b.subarray(1)), b.slice(1).byteOffset - b.byteOffset]`},
	{name: "slice shares memory", body: `const b = Buffer.from('abc'), s = b.slice(1), u = b.subarray(0, 1); s[0] = 0x78; u[0] = 0x79; return b.toString()`},
	{name: "subarray views", body: `const base = Buffer.from('..hello world..'), v = base.subarray(2, 13); const fp = Buffer.from('0123456789'), f = fp.subarray(3, 7); f.fill('ab'); const wp = Buffer.from('0123456789'), w = wp.subarray(5); w.write('XY', 1); return [v.toString(), v.toString('hex', 1, 3), v.indexOf('o'), v.lastIndexOf('o'), v.includes('..'), Buffer.compare(v, Buffer.from('hello world')), v.equals(Buffer.from('hello world')), Buffer.from(v).length, fp.toString(), wp.toString(), v.readUInt16BE(0), Buffer.concat([v, v.subarray(0, 1)]).toString()]`},

	// ---- fill ----
	{name: "fill", body: `const f = (...a) => Buffer.alloc(6).fill(...a); return [f(1), f(257), f(-1), f('ab'), f('ab', 1), f('ab', 1, 4), f('6162', 'hex'), f('6162', 1, 'hex'), f('6162', 1, 5, 'hex'), f(Buffer.from([7, 8, 9, 10])), f(''), f('€'), f(true), f(1.9), f('a', 2, 2), f('YWI=', 'base64'), f('a', 6), f('ab', undefined, undefined, 'latin1')]`},
	{name: "fill errors", body: `const b = Buffer.alloc(4); return [err(() => b.fill('a', 'bogus')), err(() => b.fill('a', 0, 4, 'bogus'))]`},
	{name: "fill with nothing to repeat",
		body: `return [err(() => Buffer.alloc(4).fill('zz', 'hex')), err(() => Buffer.alloc(2, 'zz', 'hex')), err(() => Buffer.alloc(4).fill(new Uint8Array(0)))]`},
	{name: "fill with objects",
		body: `return [err(() => Buffer.alloc(2, 1).fill({})), err(() => Buffer.alloc(2, 1).fill(null))]`},
	{name: "fill offsets",
		body: `const b = Buffer.alloc(4); return [err(() => b.fill(1, -1)), err(() => b.fill(1, 0, 5)), err(() => b.fill(1, 1.5)), err(() => b.fill(1, '1'))]`},

	// ---- write ----
	{name: "write", body: `const w = (...a) => { const b = Buffer.alloc(6); const n = b.write(...a); return [n, b] }; return [w('abc'), w('abc', 1), w('abc', 1, 1), w('6162', 'hex'), w('6162', 2, 'hex'), w('6162', 2, 1, 'hex'), w('abcdefgh'), w('abc', 5), w('abc', 6), w('é', 'latin1'), w('aGVsbG8gd29ybGQ=', 'base64'), w('hi', 'utf16le'), w('abc', 0, 0), w('\ud800a'), w('€', 1), w('zz11', 'hex')]`},
	{name: "write unknown encoding", body: `return err(() => Buffer.alloc(4).write('a', 'bogus'))`},
	{name: "write partial characters",
		body: `const w = (s, len, e) => { const b = Buffer.alloc(len); const n = b.write(s, e); return [n, b] }; return [w('€', 2), w('a€', 3), w('😀', 3), w('ab', 3, 'utf16le'), w('abc', 1, 'utf16le'), w('a😀', 4, 'utf16le')]`},
	{name: "write argument checks",
		body: `const b = Buffer.alloc(4); return [err(() => b.write(123)), err(() => b.write()), err(() => b.write('a', -1)), err(() => b.write('a', 5)), err(() => b.write('a', 1.5)), err(() => b.write('a', 0, 5))]`},

	// ---- integers ----
	{name: "read ints", body: `const b = Buffer.from([0x01, 0x82, 0xf3, 0x04, 0xff, 0x80, 0x7f, 0x00]); const r = []; for (const m of ['readUInt8', 'readInt8', 'readUint8']) r.push(b[m](1), b[m](4), b[m](6)); for (const m of ['readUInt16LE', 'readUInt16BE', 'readInt16LE', 'readInt16BE', 'readUint16LE', 'readUint16BE']) r.push(b[m](0), b[m](1), b[m](4), b[m](6)); for (const m of ['readUInt32LE', 'readUInt32BE', 'readInt32LE', 'readInt32BE', 'readUint32LE', 'readUint32BE']) r.push(b[m](0), b[m](1), b[m](4)); r.push(b.readUInt8(), b.readInt32BE()); return r`},
	{name: "read variable ints", body: `const b = Buffer.from([0x01, 0x82, 0xf3, 0x04, 0xff, 0x80, 0x7f, 0x00]); const r = []; for (const m of ['readUIntLE', 'readUIntBE', 'readIntLE', 'readIntBE', 'readUintLE', 'readUintBE']) for (let n = 1; n <= 6; n++) r.push(b[m](0, n), b[m](8 - n, n)); return r`},
	{name: "write ints", body: `const out = []; const t = (m, v, n) => { const b = Buffer.alloc(n + 2); const r = b[m](v, 1); out.push([m, r, hex(b)]) }; t('writeUInt8', 255, 1); t('writeInt8', -128, 1); t('writeUint8', 7, 1); t('writeUInt16LE', 0xbeef, 2); t('writeUInt16BE', 0xbeef, 2); t('writeInt16LE', -2, 2); t('writeInt16BE', -32768, 2); t('writeUint16LE', 1, 2); t('writeUint16BE', 1, 2); t('writeUInt32LE', 0xdeadbeef, 4); t('writeUInt32BE', 0xdeadbeef, 4); t('writeInt32LE', -2, 4); t('writeInt32BE', -2147483648, 4); t('writeUint32LE', 4294967295, 4); t('writeUint32BE', 1, 4); t('writeUInt8', 1.9, 1); t('writeInt16LE', -1.5, 2); t('writeUInt8', NaN, 1); const d = Buffer.alloc(4); return [out, d.writeUInt16BE(0x102), hex(d)]`},
	{name: "write variable ints", body: `const out = []; for (const m of ['writeUIntLE', 'writeUIntBE', 'writeIntLE', 'writeIntBE', 'writeUintLE', 'writeUintBE']) for (let n = 1; n <= 6; n++) { const b = Buffer.alloc(8); const signed = m.startsWith('writeInt'); const v = signed ? -(2 ** (8 * n - 1)) + 3 : 2 ** (8 * n) - 3; out.push(b[m](v, 1, n), hex(b)) } return out`},
	{name: "write ints out of range", body: `const b = Buffer.alloc(8); return [err(() => b.writeUInt8(256)), err(() => b.writeInt8(-129)), err(() => b.writeUInt16LE(65536)), err(() => b.writeInt16BE(32768)), err(() => b.writeUInt32LE(2 ** 32)), err(() => b.writeInt32LE(-(2 ** 31) - 1)), err(() => b.writeUInt8(-1)), err(() => b.writeUIntBE(256, 0, 1)), err(() => b.writeIntLE(-32769, 0, 2)), err(() => b.writeUIntLE(2 ** 24, 0, 3)), hex(b)]`},
	{name: "write 48-bit ints out of range",
		body: `const b = Buffer.alloc(8); return [err(() => b.writeUIntLE(2 ** 48, 0, 6)), err(() => b.writeIntBE(2 ** 47, 0, 6))]`},
	{name: "write ints coerce the value",
		body: `const b = Buffer.alloc(4); return [err(() => b.writeUInt8('5')), err(() => b.writeUInt16LE('0x10', 1)), err(() => b.writeInt32BE(null)), hex(b)]`},
	{name: "read and write offset errors", body: `const b = Buffer.alloc(4); return [err(() => b.readUInt8(4)), err(() => b.readUInt8(-1)), err(() => b.readUInt32LE(1)), err(() => b.readUInt8('1')), err(() => b.readUInt8(null)), err(() => b.writeUInt8(1, 4)), err(() => b.writeUInt32LE(1, 1)), err(() => b.writeUInt16LE(1, -1)), err(() => b.writeUInt8(1, '0')), err(() => b.readUIntBE(2, 2)), err(() => b.writeFloatLE(1, 1)), err(() => Buffer.alloc(8).writeDoubleLE(1, 1))]`},
	{name: "offset errors for fractions and short buffers",
		body: `const b = Buffer.alloc(4); return [err(() => b.readUInt16BE(1.5)), err(() => b.readInt32LE(NaN)), err(() => b.writeUInt8(1, 0.5)), err(() => Buffer.alloc(2).readUInt32LE(0)), err(() => Buffer.alloc(2).readDoubleLE()), err(() => Buffer.alloc(2).writeUInt32LE(1)), err(() => b.readBigInt64LE(1)), err(() => b.readUIntBE(4, 6)), err(() => b.writeUInt8(300, 10))]`},
	{name: "variable int byteLength",
		body: `const b = Buffer.alloc(8); return [err(() => b.readUIntLE(0, 7)), err(() => b.readUIntLE(0)), err(() => b.readIntBE(0, 0)), err(() => b.writeUIntLE(1, 0, 7)), err(() => b.writeIntLE(1, 0))]`},

	// ---- floats ----
	{name: "floats", body: `const out = []; for (const v of [0, -0, 1.5, -2.25, 3.141592653589793, 1e40, -1e-50, Infinity, -Infinity, 2 ** -149, 5e-324]) { const b = Buffer.alloc(24); out.push(b.writeFloatLE(v, 0), b.writeFloatBE(v, 4), b.writeDoubleLE(v, 8), b.writeDoubleBE(v, 16)); out.push(hex(b), b.readFloatLE(0), b.readFloatBE(4), b.readDoubleLE(8), b.readDoubleBE(16)) } const n = Buffer.alloc(8); n.writeFloatBE(NaN); n.writeFloatLE(NaN, 4); out.push(hex(n), n.readFloatBE(0), Buffer.from('7ff8000000000000', 'hex').readDoubleBE(0)); return out`},
	{name: "floats coerce", body: `const b = Buffer.alloc(8); return [b.writeFloatLE('1.5', 0), b.readFloatLE(0), b.writeDoubleBE('2.5', 0), b.readDoubleBE(0), b.writeDoubleLE(null), hex(b)]`},
	{name: "double NaN bytes",
		body: `const b = Buffer.alloc(16); b.writeDoubleLE(NaN, 0); b.writeDoubleBE(NaN, 8); return hex(b)`},

	// ---- bigint ----
	{name: "bigint read write", body: `const out = []; for (const v of [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 0x0102030405060708n]) { const b = Buffer.alloc(16); out.push(b.writeBigInt64LE(v, 0), b.writeBigInt64BE(v, 8), hex(b), b.readBigInt64LE(0), b.readBigInt64BE(8), b.readBigUInt64LE(0), b.readBigUint64BE(8)) } for (const v of [0n, 2n ** 64n - 1n, 0xfedcba9876543210n]) { const b = Buffer.alloc(16); out.push(b.writeBigUInt64LE(v, 0), b.writeBigUint64BE(v, 8), hex(b), b.readBigUInt64LE(0), b.readBigUint64LE(0), b.readBigUInt64BE(8)) } return out`},
	{name: "bigint out of range",
		body: `const b = Buffer.alloc(8); return [err(() => b.writeBigInt64LE(2n ** 63n)), err(() => b.writeBigInt64BE(-(2n ** 63n) - 1n)), err(() => b.writeBigUInt64LE(-1n)), err(() => b.writeBigUInt64BE(2n ** 64n)), hex(b)]`},
	{name: "bigint writes of numbers",
		body: `const b = Buffer.alloc(8); return [err(() => b.writeBigInt64LE(1)).slice(0, 1), err(() => b.writeBigUInt64LE('1')).slice(0, 1), hex(b)]`},

	// ---- swap, copy, misc ----
	{name: "swap", body: `const b = () => Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]); return [b().swap16(), b().swap32(), b().swap64(), err(() => Buffer.from([1, 2, 3]).swap16()), err(() => Buffer.alloc(6).swap32()), err(() => Buffer.alloc(4).swap64())]`},
	{name: "copy", body: `const s = Buffer.from('abcdef'); const c = (...a) => { const t = Buffer.alloc(4, '.'); const n = s.copy(t, ...a); return [n, t.toString()] }; return [c(), c(1), c(0, 2), c(0, 2, 3), c(3, 0, 6), c(4), c(0, 6), c(0, 3, 2), c(1.5, '1'), c(0, 0, 100)]`},
	{name: "copy overlapping", body: `const b = Buffer.from('abcdef'); b.copy(b, 2, 0, 4); const d = Buffer.from('abcdef'); d.copy(d, 0, 2); return [b.toString(), d.toString()]`},
	{name: "copy argument checks",
		body: `const s = Buffer.from('abc'); return [err(() => s.copy('x')), err(() => s.copy(Buffer.alloc(2), -1)), err(() => s.copy(Buffer.alloc(2), 0, -1)), err(() => s.copy(Buffer.alloc(2), 0, 5)), err(() => s.copy(Buffer.alloc(2), 0, 0, -1))]`},
	{name: "isBuffer and module", body: `return [Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('a'), Buffer.from('a') instanceof Uint8Array, Buffer.from('a').constructor === Buffer, Buffer.name, typeof Buffer.poolSize, require('buffer').Buffer === Buffer, require('buffer').kMaxLength > 0, require('buffer').INSPECT_MAX_BYTES]`},
	{name: "iteration and typed array methods", body: `const b = Buffer.from('abc'); return [[...b], [...b.entries()], [...b.keys()], b.map((x) => x + 1), Buffer.isBuffer(b.map((x) => x)), b.reverse().toString(), Array.from(b.values()), b.at(-1), b.join('-'), b.length, b.byteLength, b.BYTES_PER_ELEMENT]`},
	{name: "inspect", body: `const u = require('util'); return [u.inspect(Buffer.from('abc')), u.inspect(Buffer.alloc(52)), u.inspect({ b: Buffer.from([1]) })]`},
	{name: "inspect edge cases",
		body: `return [require('util').inspect(Buffer.alloc(0)), require('util').inspect(Buffer.alloc(51)).slice(-16)]`},

	// ---- TextEncoder / TextDecoder ----
	{name: "TextEncoder", body: `const e = new TextEncoder(); return [e.encoding, e.encode('hé€😀'), e.encode(), e.encode(''), e.encode('\ud800x'), e.encode(123), e.encode(null), Object.prototype.toString.call(e.encode('a'))]`},
	{name: "TextEncoder encodeInto", body: `const e = new TextEncoder(); const r = []; for (const [s, n] of [['abc', 2], ['a€', 3], ['a€', 4], ['😀x', 3], ['😀x', 4], ['😀x', 5], ['\ud800a', 3], ['\ud800a', 4], ['', 3]]) { const d = new Uint8Array(n); const x = e.encodeInto(s, d); r.push([x.read, x.written, d]) } const d = new Uint8Array(6); const x = e.encodeInto('héllo', d.subarray(1, 5)); r.push([x.read, x.written, d]); return r`},
	{name: "TextDecoder basics", body: `const d = new TextDecoder(); return [d.encoding, d.fatal, d.ignoreBOM, d.decode(new Uint8Array([0x68, 0xc3, 0xa9])), d.decode(Buffer.from('€')), d.decode(new Uint8Array([0x61, 0x62]).buffer), d.decode(new DataView(new Uint8Array([0x63]).buffer)), d.decode(new Uint16Array([0x6261])), d.decode(), d.decode(Buffer.from('xabcx').subarray(1, 4))]`},
	{name: "TextDecoder invalid input", body: `const d = new TextDecoder(); return [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf5, 0x80]].map((a) => d.decode(new Uint8Array(a)))`},
	{name: "TextDecoder truncated sequences",
		body: `const d = new TextDecoder(); const s = new TextDecoder(); return [[0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xe2, 0x82, 0x41]].map((a) => d.decode(new Uint8Array(a))).concat([s.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), s.decode()])`},
	{name: "TextDecoder fatal", body: `const d = new TextDecoder('utf-8', { fatal: true }); return [d.fatal, err(() => d.decode(new Uint8Array([0xff]))), err(() => d.decode(new Uint8Array([0xe2, 0x82]))), d.decode(new Uint8Array([0x61])), d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), d.decode(new Uint8Array([0xac]))]`},
	{name: "TextDecoder BOM", body: `const bom = [0xef, 0xbb, 0xbf]; return [new TextDecoder().decode(new Uint8Array([...bom, 0x61])), new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([...bom, 0x61])), new TextDecoder().decode(new Uint8Array([0x61, ...bom])), new TextDecoder().decode(new Uint8Array([...bom, ...bom]))]`},
	{name: "TextDecoder stream", body: `const d = new TextDecoder(); const e = Buffer.from('€😀'); return [d.decode(e.subarray(0, 1), { stream: true }), d.decode(e.subarray(1, 4), { stream: true }), d.decode(e.subarray(4, 6), { stream: true }), d.decode(e.subarray(6), { stream: true }), d.decode()]`},
	{name: "TextDecoder stream BOM", body: `const d = new TextDecoder(); return [d.decode(new Uint8Array([0xef, 0xbb]), { stream: true }), d.decode(new Uint8Array([0xbf, 0x61]), { stream: true }), d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x62]), { stream: true }), d.decode(), d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x63]))]`},
	{name: "TextDecoder labels", body: `return ['utf-8', 'UTF8', ' utf-8 ', 'unicode-1-1-utf-8', 'bogus'].map((l) => err(() => new TextDecoder(l).encoding))`},
	{name: "TextDecoder other encodings",
		body: `return ['utf-16le', 'latin1', 'iso-8859-1'].map((l) => err(() => new TextDecoder(l).encoding))`},
	{name: "TextDecoder bad input", body: `const d = new TextDecoder(); return ['abc', null, 123, {}].map((v) => { try { d.decode(v); return 'no error' } catch (e) { return [e.name, e.code] } })`},

	// ---- atob / btoa (globals.go) ----
	{name: "atob btoa", body: `const e = (f) => { try { return f() } catch (x) { return [x.name, x.code] } }; return [btoa('hello'), btoa('\u00ff\u00fe'), btoa(''), atob('aGVsbG8='), atob('aGVsbG8'), atob(' aGVs bG8= '), atob('//79'), e(() => atob('a')), e(() => atob('aGVsbG8==')), e(() => atob('-_')), e(() => btoa('€')), atob(null), btoa(123)]`},
	{name: "atob error messages",
		body: `return [err(() => atob('aGVsbG8==')), err(() => atob('-_'))]`},
}

func TestBufferMatchesNode(t *testing.T) {
	compareWithNode(t, errProbe, bufferCases)
}

// bufferFixCases cover the edges of the UTF-8/UTF-16 decoders, indexOf offsets and
// the integer accessors ported from Node.
var bufferFixCases = []jsCase{
	{name: "utf8 maximal subparts", body: `return [[0xf0, 0x9f, 0x98, 0x41], [0xe0, 0xa0], [0xe0, 0x9f, 0x80], [0xf4, 0x8f, 0xbf], [0xf4, 0x90], [0xed, 0x9f, 0xbf, 0xed, 0xa0], [0xc2], [0x61, 0xf1, 0x80, 0x80]].map((a) => Buffer.from(a).toString())`},
	{name: "TextDecoder stream invalid splits", body: `const d = new TextDecoder(); return [d.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }), d.decode(new Uint8Array([0x98, 0x41]), { stream: true }), d.decode(new Uint8Array([0xe0]), { stream: true }), d.decode(new Uint8Array([0x80]), { stream: true }), d.decode(new Uint8Array([0xf0, 0x9f, 0x98]), { stream: true }), d.decode()]`},
	{name: "TextDecoder utf-16le", body: `const d = new TextDecoder('utf-16le'); const s = new TextDecoder('utf-16'); return [d.decode(new Uint8Array([0x61, 0, 0x3d, 0xd8, 0, 0xde, 0x62])), d.decode(new Uint8Array([0, 0xd8, 0x61, 0])), d.decode(new Uint8Array([0, 0xdc])), d.decode(new Uint8Array([0xff, 0xfe, 0x61, 0])), s.decode(new Uint8Array([0x61]), { stream: true }), s.decode(new Uint8Array([0, 0x3d]), { stream: true }), s.decode(new Uint8Array([0xd8]), { stream: true }), s.decode(new Uint8Array([0, 0xde]), { stream: true }), s.decode(new Uint8Array([0x3d, 0xd8]), { stream: true }), s.decode(), err(() => new TextDecoder('utf-16le', { fatal: true }).decode(new Uint8Array([0x61])))]`},
	{name: "TextDecoder windows-1252", body: `return [new TextDecoder('latin1').decode(new Uint8Array([0x41, 0x80, 0x9f, 0xe9, 0xef, 0xbb, 0xbf])), new TextDecoder('ascii').encoding]`},
	{name: "indexOf offsets", body: `const b = Buffer.from('abcabc'); const u = Buffer.from('abcabc', 'utf16le'); return [b.indexOf('c', Infinity), b.indexOf('c', -Infinity), b.lastIndexOf('c', -Infinity), b.lastIndexOf('c', Infinity), b.indexOf(99, '1'), b.indexOf('c', [2]), b.lastIndexOf('a', 2.9), b.includes('a', 1), u.lastIndexOf('b', 5, 'utf16le'), u.lastIndexOf('b', 2, 'utf16le'), u.indexOf(Buffer.from('b\u0000', 'latin1'), 'ucs2'), b.lastIndexOf(Buffer.alloc(0)), b.indexOf('', -2)]`},
	{name: "int accessors", body: `const b = Buffer.alloc(8); return [b.writeUInt16LE(-0), err(() => b.writeUInt16LE(-0.5)), b.writeIntLE(-1.5, 0, 3), hex(b), b.writeUIntBE(2 ** 40 + 3, 1, 6), hex(b), b.readUIntBE(1, 6), b.readIntLE(2, 5), err(() => b.writeInt32LE(1, '0')), err(() => b.writeUInt8(1, null)), err(() => b.readUInt8(8)), err(() => b.writeUIntLE(1, undefined, 2)), err(() => b.readIntLE(undefined, 2)), err(() => b.writeBigInt64LE(1n, 1)), err(() => b.writeBigUInt64BE(2n ** 64n, 4)), err(() => b.writeUInt32BE(2 ** 33))]`},
	{name: "write variants", body: `const b = Buffer.alloc(6); return [b.write('ab', 2, 'utf16le'), hex(b), b.write('ffee', 4, 'hex'), hex(b), b.write('xyz', 5, 1), hex(b), err(() => b.write('a', '1', 2)), b.write('€', 3), hex(b), b.write('abcdefgh', 1, 'latin1'), hex(b)]`},
}

func TestBufferFixesMatchNode(t *testing.T) {
	compareWithNode(t, errProbe, bufferFixCases)
}
