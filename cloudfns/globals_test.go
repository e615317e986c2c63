package cloudfns

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// TestBuiltins runs each snippet as a function body (`exports.main = async (event) =>
// { <body> }`) and compares the result.
func TestBuiltins(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	// A known AES-128-CBC vector computed by Go's crypto.
	key, iv := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	plain := []byte("hello, minicloud!") // 17 bytes: PKCS#7 pads to 32
	padded := append(append([]byte{}, plain...), make([]byte, 15)...)
	for i := len(plain); i < len(padded); i++ {
		padded[i] = 15
	}
	block, _ := aes.NewCipher(key)
	ct := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
	aesHex := hex.EncodeToString(ct)

	cases := []struct {
		name, body, want string
	}{
		// crypto
		{"hashes", `const c = require('crypto'); return [
			c.createHash('md5').update('hello').digest('hex'),
			c.createHash('sha1').update('hel').update('lo').digest('hex'),
			c.createHash('sha256').update(Buffer.from('hello')).digest('base64'),
			c.createHash('sha512').update('hello', 'utf8').digest('hex').slice(0, 32),
			c.createHash('md5').update('中文').digest('hex'),
			c.createHash('sha1').update('hello').digest('base64url'),
			Buffer.isBuffer(c.createHash('sha256').update('x').digest()),
			c.createHash('sha256').update('x').digest().length]`,
			`["5d41402abc4b2a76b9719d911017c592","aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d","LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
			"9b71d224bd62f3785d96d46ad3ea3d73","a7bac2239fcdcb3a067903d8077c4a07","qvTGHdzF6KLavt4PO0gs2a6pQ00",true,32]`},
		{"hmac and pbkdf2", `const c = require('crypto'); return [
			c.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'),
			c.pbkdf2Sync('password', 'salt', 1000, 16, 'sha256').toString('hex')]`,
			`["f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8","632c2812e46d4604102ba7618e9d6d7d"]`},
		{"random", `const c = require('crypto');
			const u = c.randomUUID(), b = c.randomBytes(16), arr = new Uint32Array(4);
			globalThis.crypto.getRandomValues(arr);
			const n = c.randomInt(10, 20);
			return [/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u), u !== c.randomUUID(),
				b.length, Buffer.isBuffer(b), arr.some(x => x !== 0), n >= 10 && n < 20, typeof crypto.randomUUID(),
				c.timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), c.timingSafeEqual(Buffer.from('abc'), Buffer.from('abd'))]`,
			`[true,true,16,true,true,true,"string",true,false]`},
		{"timingSafeEqual lengths", `try { require('crypto').timingSafeEqual(Buffer.from('a'), Buffer.from('ab')) } catch (e) { return e.code }`,
			`"ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH"`},
		{"aes-128-cbc", `const c = require('crypto');
			const key = Buffer.from('0123456789abcdef'), iv = Buffer.from('fedcba9876543210');
			const e = c.createCipheriv('aes-128-cbc', key, iv);
			const enc = e.update('hello, mini', 'utf8', 'hex') + e.update('cloud!', 'utf8', 'hex') + e.final('hex');
			const d = c.createDecipheriv('aes-128-cbc', key, iv);
			const dec = Buffer.concat([d.update(Buffer.from(enc, 'hex')), d.final()]).toString();
			const g = c.createCipheriv('aes-256-gcm', Buffer.alloc(32, 1), Buffer.alloc(12, 2));
			const gct = Buffer.concat([g.update('secret'), g.final()]); const tag = g.getAuthTag();
			const gd = c.createDecipheriv('aes-256-gcm', Buffer.alloc(32, 1), Buffer.alloc(12, 2)); gd.setAuthTag(tag);
			const gpt = gd.update(gct, undefined, 'utf8') + gd.final('utf8');
			let bad; try { const x = c.createDecipheriv('aes-128-cbc', key, iv); x.update(Buffer.alloc(16)); x.final(); } catch (err) { bad = err.message }
			return [enc, dec, gpt, tag.length, bad]`,
			`["` + aesHex + `","hello, minicloud!","secret",16,"bad decrypt"]`},
		{"unknown digest", `try { require('crypto').createHash('whirlpool') } catch (e) { return e.message }`, `"Digest method not supported: whirlpool"`},

		// Buffer
		{"buffer codecs", `const b = Buffer.from('héllo');
			return [b.length, b.toString('hex'), b.toString('base64'), Buffer.from('aGVsbG8', 'base64').toString(), Buffer.from('68656c6c6f', 'hex').toString(),
				Buffer.from('hello').toString('base64url'), Buffer.from([0xff, 0x41]).toString('latin1'), Buffer.from('ÿA', 'latin1')[0],
				Buffer.byteLength('héllo'), Buffer.from('hi', 'utf16le').toString('hex'), Buffer.from([0xe4, 0xb8]).toString()]`,
			`[6,"68c3a96c6c6f","aMOpbGxv","hello","hello","aGVsbG8","ÿA",255,6,"68006900","\ufffd"]`},
		{"buffer ops", `const a = Buffer.from('hello world');
			const s = a.slice(0, 5); s[0] = 72;
			const c = Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]);
			const w = Buffer.alloc(8); w.writeUInt32BE(0xdeadbeef, 0); w.writeInt16LE(-2, 4);
			const z = Buffer.alloc(4, 'ab');
			const cp = Buffer.alloc(3); Buffer.from('xyz').copy(cp, 1);
			return [a.toString(), c.toString(), w.readUInt32BE(0).toString(16), w.readInt16LE(4), w.toString('hex'), z.toString(),
				a.indexOf('world'), a.includes('zzz'), Buffer.compare(Buffer.from('a'), Buffer.from('b')), a.equals(Buffer.from('Hello world')),
				JSON.stringify(Buffer.from([1, 2])), cp.toString('hex'), Buffer.isBuffer(s), s instanceof Uint8Array, s instanceof Buffer,
				require('buffer').Buffer === Buffer, Buffer.from(new Uint8Array([7, 8]).buffer).toString('hex'),
				Buffer.from(Buffer.from('dup')).toString(), Buffer.alloc(3).fill(0x61).toString(), a.subarray(6).toString(),
				w.readBigUInt64BE(0).toString(16), w.readDoubleLE(0) !== 0]`,
			`["Hello world","abcd","deadbeef",-2,"deadbeeffeff0000","abab",6,false,-1,true,"{\"type\":\"Buffer\",\"data\":[1,2]}",
			"007879",true,true,true,true,"0708","dup","aaa","world","deadbeeffeff0000",true]`},
		{"buffer errors", `return [
			(() => { try { Buffer.alloc(4).readUInt32LE(2) } catch (e) { return e.code } })(),
			(() => { try { Buffer.from({}) } catch (e) { return e.code } })(),
			(() => { try { Buffer.from('x', 'klingon') } catch (e) { return e.code } })()]`,
			`["ERR_OUT_OF_RANGE","ERR_INVALID_ARG_TYPE","ERR_UNKNOWN_ENCODING"]`},

		// util, console formatting
		{"util", `const util = require('util');
			const cbFn = (a, cb) => setTimeout(() => cb(null, a * 2), 1);
			const v = await util.promisify(cbFn)(21);
			return [util.format('%s=%d %j %%', 'a', 42, { b: 1 }), util.format('x', 1, 'y', { z: [1] }),
				util.inspect({ a: [1, { b: { c: { d: 1 } } }], s: 'str', f() {}, n: null, u: undefined }),
				util.inspect(new Map([['k', 1]])), util.inspect(new Set([1])), util.inspect([1, , 3]),
				util.inspect(Buffer.from('ab')), util.inspect(new Date(0)), util.inspect(Symbol('s')),
				util.inspect('quote\'s'), v, util.types.isPromise(Promise.resolve()), util.isDeepStrictEqual({ a: [1] }, { a: [1] }),
				util.inspect(new (class Foo { constructor() { this.x = 1 } })()), util.inspect(Object.create(null)),
				util.inspect(-0), util.inspect(10n), util.inspect(Promise.resolve(3))]`,
			`["a=42 {\"b\":1} %","x 1 y { z: [ 1 ] }","{\n  a: [ 1, { b: [Object] } ],\n  s: 'str',\n  f: [Function: f],\n  n: null,\n  u: undefined\n}",
			"Map(1) { 'k' => 1 }","Set(1) { 1 }","[ 1, <1 empty item>, 3 ]","<Buffer 61 62>","1970-01-01T00:00:00.000Z","Symbol(s)",
			"'quote\\'s'",42,true,true,"Foo { x: 1 }","[Object: null prototype] {}","-0","10n","Promise { 3 }"]`},
		{"circular inspect", `const o = { a: 1 }; o.self = o; return require('util').inspect(o)`, `"{ a: 1, self: [Circular *1] }"`},

		// url, path, querystring, events
		{"url", `const url = require('url');
			const u = new URL('https://user:pw@example.com:8443/a/b?x=1&y=2#frag');
			u.searchParams.append('z', '3');
			const p = url.parse('http://host.com:8080/p/a/t/h?query=string#hash', true);
			return [u.hostname, u.port, u.pathname, u.search, u.hash, u.username, u.href, new URLSearchParams({ a: '1', b: 'x y' }).toString(),
				p.hostname, p.port, p.pathname, p.query.query, p.hash, url.format({ protocol: 'https', hostname: 'a.com', pathname: '/x', query: { q: 1 } }),
				url.resolve('http://a.com/b/c', '../d'), new URL('/rel', 'https://base.org/x/y').href, URL === url.URL]`,
			`["example.com","8443","/a/b","?x=1&y=2&z=3","#frag","user","https://user:pw@example.com:8443/a/b?x=1&y=2&z=3#frag","a=1&b=x+y",
			"host.com","8080","/p/a/t/h","string","#hash","https://a.com/x?q=1","http://a.com/d","https://base.org/rel",true]`},
		{"path", `const path = require('path');
			return [path.join('/a/b', '../c', './d.js'), path.resolve('x', '../y'), path.resolve('/abs', 'z'), path.basename('/a/b/file.txt'),
				path.basename('/a/b/file.txt', '.txt'), path.dirname('/a/b/file.txt'), path.extname('index.min.js'), path.normalize('a//b/../c/'),
				path.isAbsolute('/x'), path.relative('/a/b/c', '/a/d'), path.parse('/home/u/f.txt').name, path.sep, path.posix === path]`,
			`["/a/c/d.js","/var/user/y","/abs/z","file.txt","file","/a/b",".js","a/c/",true,"../../d","f","/",true]`},
		{"querystring", `const qs = require('querystring');
			return [qs.parse('a=1&b=2&a=3&c=x%20y&d'), qs.stringify({ a: [1, 2], b: 'x y', c: true }), qs.escape('a b&'), qs.unescape('a+b%26')]`,
			`[{"a":["1","3"],"b":"2","c":"x y","d":""},"a=1&a=2&b=x%20y&c=true","a%20b%26","a b&"]`},
		{"events", `const EventEmitter = require('events');
			class E extends EventEmitter {}
			const e = new E(); const got = [];
			const h = (x) => got.push('on:' + x);
			e.on('x', h); e.once('x', (x) => got.push('once:' + x)); e.prependListener('x', () => got.push('first'));
			e.emit('x', 1); e.emit('x', 2); e.off('x', h); e.emit('x', 3);
			let err; try { e.emit('error', new Error('unhandled')) } catch (x) { err = x.message }
			const [v] = await Promise.all([EventEmitter.once(e, 'ready'), Promise.resolve().then(() => e.emit('ready', 'R'))]);
			return [got, e.listenerCount('x'), err, v, EventEmitter.EventEmitter === EventEmitter]`,
			`[["first","on:1","once:1","first","on:2","first"],1,"unhandled",["R"],true]`},

		// text, base64, clone
		{"text encoding", `const enc = new TextEncoder(), dec = new TextDecoder();
			const bytes = enc.encode('héllo €');
			const sd = new (require('string_decoder').StringDecoder)('utf8');
			const euro = Buffer.from('€');
			const streamed = sd.write(euro.subarray(0, 1)) + sd.write(euro.subarray(1)) + sd.end();
			const d2 = new TextDecoder(); const part = d2.decode(euro.subarray(0, 2), { stream: true }) + d2.decode(euro.subarray(2));
			let fatal; try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])) } catch (e) { fatal = e.name }
			return [bytes.length, bytes instanceof Uint8Array, dec.decode(bytes), dec.decode(new Uint8Array([0xff, 0x41])), streamed, part, fatal, enc.encoding]`,
			`[10,true,"héllo €","\ufffdA","€","€","TypeError","utf-8"]`},
		{"atob btoa", `let err; try { btoa('€') } catch (e) { err = e.name }
			return [btoa('hello'), atob('aGVsbG8='), atob('aGVs bG8'), btoa(String.fromCharCode(255)), err]`,
			`["aGVsbG8=","hello","hello","/w==","InvalidCharacterError"]`},
		{"structuredClone", `const d = new Date(5); const m = new Map([[1, { x: 1 }]]); const o = { d, m, arr: [1, { y: 2 }], u8: new Uint8Array([1, 2]) }; o.self = o;
			const c = structuredClone(o);
			let err; try { structuredClone({ f() {} }) } catch (e) { err = e.name }
			return [c !== o, c.self === c, c.d instanceof Date && c.d.getTime() === 5 && c.d !== d, c.m.get(1).x, c.m !== m, c.arr[1].y, c.u8[1], c.u8 !== o.u8, err]`,
			`[true,true,true,1,true,2,2,true,"DataCloneError"]`},

		// process, os, assert, timers/promises, misc globals
		{"process", `return [process.version.startsWith('v18'), process.platform, process.arch, typeof process.nextTick, process.cwd(), process.argv.length,
			(() => { try { process.exit(1) } catch (e) { return e.message } })(), typeof process.hrtime.bigint(), process.hrtime().length,
			typeof process.uptime(), process.env === process.env, typeof process.memoryUsage().heapUsed, require('process') === process]`,
			`[true,"linux","x64","function","/var/user",2,"process.exit() is not available in Minicloud functions","bigint",2,"number",true,"number",true]`},
		{"os", `const os = require('os'); return [os.EOL, os.platform(), os.hostname(), os.tmpdir(), os.cpus().length]`,
			`["\n","linux","minicloud","/tmp",0]`},
		{"assert", `const assert = require('assert');
			assert(true); assert.strictEqual(1, 1); assert.deepStrictEqual({ a: [1] }, { a: [1] });
			assert.throws(() => { throw new TypeError('t') }, TypeError);
			await assert.rejects(Promise.reject(new Error('r')), /r/);
			try { assert.strictEqual(1, 2, 'one is not two') } catch (e) { return [e.code, e.message, e instanceof assert.AssertionError] }`,
			`["ERR_ASSERTION","one is not two",true]`},
		{"timers/promises", `const { setTimeout: sleep, setImmediate: soon } = require('timers/promises');
			return [await sleep(2, 'slept'), await soon('soon')]`, `["slept","soon"]`},
		{"globals", `return [typeof globalThis.global, global === globalThis, typeof setTimeout(() => {}, 0).unref, typeof performance.now(),
			typeof AbortController, typeof structuredClone, typeof fetch, typeof Headers, typeof Response, typeof DOMException,
			typeof TextEncoder, typeof URL, typeof Buffer, typeof queueMicrotask, typeof require, typeof module, typeof exports]`,
			`["object",true,"function","number","function","function","function","function","function","function","function","function","function","function","function","object","object"]`},
		{"abort signal", `const ac = new AbortController(); let fired = 0;
			ac.signal.addEventListener('abort', () => fired++); ac.signal.onabort = () => fired++;
			ac.abort(); ac.abort();
			const t = AbortSignal.timeout(5); await new Promise(r => setTimeout(r, 20));
			return [ac.signal.aborted, fired, ac.signal.reason.name, t.aborted, t.reason.name]`,
			`[true,2,"AbortError",true,"TimeoutError"]`},
		{"guards keep semantics", `class MyArr extends Array {}; const m = MyArr.from([1, 2]);
			return [new Array(3).length, Array(2, 3), [1, 2].map(x => x) instanceof Array, [].constructor === Array, m instanceof MyArr,
				m.map(x => x) instanceof MyArr, 'ab'.repeat(3), 'x'.padStart(3, '-'), 'a-b-c'.replaceAll('-', '+'), 'aXbX'.replace(/X/g, '$&$&'),
				[1, [2, 3]].join(';'), new Uint8Array(4).length, new ArrayBuffer(8).byteLength, Array.from({ length: 3 }, (_, i) => i),
				new Array(5).fill(7).length, JSON.stringify({ a: [1, { b: 2 }] }, null, 2).length, JSON.stringify({ a: 1, b: 2, c: 3 }, ['a', 'c']),
				JSON.stringify({ a: 1, d: new Date(0) }, (k, v) => k === 'a' ? v + 1 : v), JSON.parse('{"x":[1]}', (k, v) => typeof v === 'number' ? v * 10 : v),
				Uint8Array.from([1, 2]).length, new Float64Array([1.5])[0], typeof Uint8Array.BYTES_PER_ELEMENT, Uint8Array.name]`,
			`[3,[2,3],true,true,true,true,"ababab","--x","a+b+c","aXXbXX","1;2,3",4,8,[0,1,2],5,48,"{\"a\":1,\"c\":3}",
			"{\"a\":2,\"d\":\"1970-01-01T00:00:00.000Z\"}",{"x":[10]},2,1.5,"number","Uint8Array"]`},
		// The iterator guard leaves Array.prototype's iteration built-ins in place (goja's
		// fast paths for Array.from and new Set check their identity).
		{"iteration built-ins", `const d = Object.getOwnPropertyDescriptor(Array.prototype, Symbol.iterator);
			const it = [1, 2][Symbol.iterator](), first = it.next(), second = it.next();
			function args() { return [...arguments] }
			return [d.value === Array.prototype.values, d.writable, d.enumerable, Array.prototype.values.name,
				Array.from([1, , 3]), [...new Set([1, 1, 2])], [...'héllo'].length, [...[1, 2].entries()], args(4, 5),
				first !== second, first.value, second.done, Array.from(new Map([[1, 2]])), Object.fromEntries([['a', 1]]),
				Array.from([1, 2], x => x * 2), [...new Uint8Array([7, 8]).keys()]]`,
			`[true,true,false,"values",[1,null,3],[1,2],5,[[0,1],[1,2]],[4,5],true,1,false,[[1,2]],{"a":1},[2,4],[0,1]]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("builtins", map[string]string{"index.js": "exports.main = async (event) => {\n" + c.body + "\n}"})
			jsonEq(t, mustSucceed(t, call(r, v, `{}`)), c.want)
		})
	}
}

func TestConsoleCapture(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("logs", map[string]string{"index.js": `
		exports.main = async (event) => {
			console.log('plain', 1, { a: [1, 2] });
			console.info('info %s %d', 'x', 7);
			console.warn('warn');
			console.error(new Error('err line'));
			console.debug('debug');
			console.group('g'); console.log('inside'); console.groupEnd();
			console.assert(1 === 2, 'asserted');
			if (event.flood) for (let i = 0; i < 10000; i++) console.log('line ' + i + ' ' + 'x'.repeat(100));
			return 'done';
		}`})
	res := call(r, v, `{}`)
	mustSucceed(t, res)
	var got []string
	for _, l := range res.Logs {
		got = append(got, l.Level+"|"+strings.SplitN(l.Text, "\n", 2)[0])
		if l.Time.IsZero() {
			t.Errorf("no time on %+v", l)
		}
	}
	want := []string{"log|plain 1 { a: [ 1, 2 ] }", "info|info x 7", "warn|warn", "error|Error: err line", "debug|debug",
		"log|g", "log|  inside", "error|Assertion failed: asserted"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("logs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(res.Logs[3].Text, "index.js:") {
		t.Errorf("error log has no stack: %q", res.Logs[3].Text)
	}

	// The cap: 64 KiB of text in total, then one truncation marker.
	res = call(r, v, `{"flood":true}`)
	mustSucceed(t, res)
	total := 0
	for _, l := range res.Logs {
		total += len(l.Text)
	}
	last := res.Logs[len(res.Logs)-1]
	if last.Text != logTruncatedText || total > MaxLogBytes+len(logTruncatedText) {
		t.Errorf("%d lines, %d bytes, last %q", len(res.Logs), total, last.Text)
	}
	// The next invocation has its own log.
	res = call(r, v, `{}`)
	if len(res.Logs) != 8 {
		t.Errorf("%d lines after a flood", len(res.Logs))
	}
}

func TestIsolation(t *testing.T) {
	t.Setenv("MINICLOUD_HOST_SECRET", "do-not-leak")
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("isolated", map[string]string{"index.js": `
		exports.main = async () => {
			const env = { ...process.env };
			const attempts = {};
			for (const m of ['child_process', 'dgram', 'cluster', 'worker_threads', 'vm', 'module', 'inspector']) {
				try { require(m); attempts[m] = 'loaded' } catch (e) { attempts[m] = 'refused' }
			}
			// dns and v8 load (packages require them at the top) but resolve and reveal nothing.
			for (const [m, f] of [['dns', 'lookup'], ['dns', 'resolve4'], ['v8', 'getHeapSnapshot'], ['v8', 'writeHeapSnapshot']]) {
				try { require(m)[f]('example.com', () => {}); attempts[m + '.' + f] = 'loaded' } catch (e) { attempts[m + '.' + f] = 'refused' }
			}
			// fs, net and tls load (packages require them at the top) but reach nothing.
			for (const f of ['readFileSync', 'readdirSync', 'statSync', 'writeFileSync']) {
				try { require('fs')[f]('/etc/passwd'); attempts['fs.' + f] = 'loaded' } catch (e) { attempts['fs.' + f] = 'refused' }
			}
			for (const [m, f] of [['net', 'connect'], ['net', 'createServer'], ['tls', 'connect'], ['http2', 'connect']]) {
				try { require(m)[f](22, '127.0.0.1'); attempts[m + '.' + f] = 'loaded' } catch (e) { attempts[m + '.' + f] = 'refused' }
			}
			const probes = [
				typeof load, typeof print, typeof read, typeof readFile, typeof Deno, typeof Bun,
				typeof process.binding === 'function' ? (() => { try { process.binding('fs'); return 'bound' } catch (e) { return 'refused' } })() : 'none',
				(() => { try { return eval('1 + 1') } catch (e) { return 'no eval' } })(),
				(() => { try { new Function('//# sourceMappingURL=/etc/passwd\nreturn 1')(); return 'ok' } catch (e) { return e.message } })(),
			];
			let fetchFile; try { await fetch('file:///etc/passwd'); fetchFile = 'fetched' } catch (e) { fetchFile = e.message }
			return { env, attempts, probes, fetchFile };
		}`}, Config{Envs: map[string]string{"APP_KEY": "v1"}})
	got := mustSucceed(t, call(r, v, `{}`)).(map[string]any)
	env := got["env"].(map[string]any)
	if env["APP_KEY"] != "v1" || env["TCB_ENV"] != "test-env" || env["SCF_NAMESPACE"] != "test-env" || env["TENCENTCLOUD_RUNENV"] != "SCF" {
		t.Errorf("env %v", env)
	}
	for k := range env {
		if k == "MINICLOUD_HOST_SECRET" || k == "PATH" || k == "HOME" {
			t.Errorf("host variable %s leaked", k)
		}
	}
	for m, a := range got["attempts"].(map[string]any) {
		if a != "refused" {
			t.Errorf("require(%q) %v", m, a)
		}
	}
	jsonEq(t, got["probes"], `["undefined","undefined","undefined","undefined","undefined","undefined","refused",2,"ok"]`)
	if !strings.Contains(got["fetchFile"].(string), "only http: and https:") {
		t.Errorf("fetch file: %v", got["fetchFile"])
	}

	// Two versions of the same function, and two functions, do not share globals.
	a := testVersion("a", map[string]string{"index.js": `exports.main = (e) => { const prev = globalThis.shared; globalThis.shared = e.v; return prev ?? null }`})
	b := testVersion("b", map[string]string{"index.js": `exports.main = () => globalThis.shared ?? null`})
	jsonEq(t, mustSucceed(t, call(r, a, `{"v":"secret-a"}`)), `null`)
	jsonEq(t, mustSucceed(t, call(r, b, `{}`)), `null`)
	jsonEq(t, mustSucceed(t, call(r, a, `{"v":"again"}`)), `"secret-a"`)
	// Mutating builtins in one function does not affect another.
	c := testVersion("c", map[string]string{"index.js": `exports.main = () => { Array.prototype.evil = 1; JSON.stringify = () => 'hacked'; return 1 }`})
	d := testVersion("d", map[string]string{"index.js": `exports.main = () => [[].evil ?? null, JSON.stringify({ a: 1 })]`})
	mustSucceed(t, call(r, c, `{}`))
	jsonEq(t, mustSucceed(t, call(r, d, `{}`)), `[null,"{\"a\":1}"]`)
}

func TestEventValidation(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("ev", map[string]string{"index.js": `exports.main = (e) => e`})
	mustFail(t, r.Invoke(context.Background(), v, json.RawMessage(`{"a":`), CallContext{}), OutcomeError, CodeInvalidParam, "not valid JSON")
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	mustFail(t, r.Invoke(context.Background(), v, json.RawMessage(deep), CallContext{}), OutcomeError, CodeInvalidParam, "nested deeper")
	big := `"` + strings.Repeat("x", MaxEventBytes) + `"`
	mustFail(t, r.Invoke(context.Background(), v, json.RawMessage(big), CallContext{}), OutcomeError, CodeInvalidParam, "bytes")
	mustFail(t, r.Invoke(context.Background(), nil, nil, CallContext{}), OutcomeError, CodeNotFound, "not found")
}

// TestStreamModule runs the stream module the way packages use it; the expected
// value is what Node 20 returns for the same body.
func TestStreamModule(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("streams", map[string]string{"index.js": "exports.main = async (event) => {\n" + streamScenarios + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `{"flowing":["c1","c2","c3"],"from":[["a","b","c"],"symbol"],
		"pipeline":["undefined","ABCD!"],"passthrough":["string","héllo world"],"drain":[false,"drain","finish","close"],
		"errors":["ERR_STREAM_WRITE_AFTER_END","boom"],"legacy":["legacy",true],"misc":["pq",[1,2],"undefined","function",true]}`)
}

const streamScenarios = `const { Readable, Writable, Transform, PassThrough, Duplex, pipeline, finished } = require('stream');
const Stream = require('stream');
const util = require('util');
const out = {};
const collect = () => { const chunks = []; const w = new Writable({ write(c, e, cb) { chunks.push(c.toString()); cb(); } }); w.chunks = chunks; return w; };
// 1. Readable with _read pushing, flowing mode
{
  let i = 0; const seen = [];
  const r = new Readable({ read() { i++; this.push(i <= 3 ? 'c' + i : null); } });
  r.on('data', (c) => seen.push(c.toString()));
  await new Promise((res) => r.on('end', res));
  out.flowing = seen;
}
// 2. Readable.from + async iterator protocol
{
  const it = Readable.from(['a', 'b', 'c'])[Symbol.asyncIterator](); const got = [];
  for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
  out.from = [got, typeof Symbol.asyncIterator];
}
// 3. Transform + pipeline into a Writable
{
  const up = new Transform({ transform(c, e, cb) { cb(null, c.toString().toUpperCase()); }, flush(cb) { cb(null, '!'); } });
  const w = collect();
  const err = await new Promise((res) => pipeline(Readable.from(['ab', 'cd']), up, w, res));
  out.pipeline = [err === undefined ? 'undefined' : String(err), w.chunks.join('')];
}
// 4. PassThrough with setEncoding, paused read
{
  const p = new PassThrough(); p.setEncoding('utf8');
  p.write(Buffer.from('héllo')); p.end(' world');
  await new Promise((res) => p.once('readable', res));
  const s = p.read();
  out.passthrough = [typeof s, s];
}
// 5. highWaterMark, drain, finish order
{
  const events = [];
  const w = new Writable({ highWaterMark: 4, write(c, e, cb) { setTimeout(cb, 1); } });
  events.push(w.write('12345'));
  w.on('drain', () => events.push('drain'));
  w.on('finish', () => events.push('finish'));
  await new Promise((res) => w.once('drain', res));
  w.end('x');
  await new Promise((res) => w.on('close', res));
  events.push('close');
  out.drain = events;
}
// 6. write after end, errors through pipeline
{
  const w = collect(); w.end();
  const e1 = await new Promise((res) => { w.on('error', res); w.write('x'); });
  const bad = new Transform({ transform(c, e, cb) { cb(new Error('boom')); } });
  const e2 = await new Promise((res) => pipeline(Readable.from(['x']), bad, collect(), res));
  out.errors = [e1.code, e2.message];
}
// 7. legacy Stream subclass (as jws does) piped into a Writable
{
  function DataStream(data) { Stream.call(this); this.readable = true; const self = this; process.nextTick(() => { self.emit('data', data); self.emit('end'); }); }
  util.inherits(DataStream, Stream);
  const w = collect();
  new DataStream('legacy').pipe(w);
  await new Promise((res) => w.on('finish', res));
  out.legacy = [w.chunks.join(''), new DataStream('x') instanceof require('events')];
}
// 8. stream/promises, finished, objectMode Duplex
{
  const { pipeline: pp } = require('stream/promises');
  const w = collect();
  await pp(Readable.from(['p', 'q']), w);
  const d = new Duplex({ objectMode: true, read() {}, write(c, e, cb) { this.push({ echo: c.n }); cb(); }, final(cb) { this.push(null); cb(); } });
  const got = [];
  d.on('data', (o) => got.push(o.echo));
  d.write({ n: 1 }); d.end({ n: 2 });
  const err = await new Promise((res) => finished(d, res));
  out.misc = [w.chunks.join(''), got, err === undefined ? 'undefined' : String(err), typeof Stream.Readable, Stream.Stream === Stream];
}
return out;
`

// TestNumberToLocaleString compares with Node 20 (full ICU) for the same calls.
func TestNumberToLocaleString(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("locale", map[string]string{"index.js": "exports.main = async (event) => {\n" + localeNumberCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `["1,234.5","1,234.568","-1,234,567.891","0","-0","NaN","∞",
		"1,000,000,000,000,000,000,000","0","1,234.5","1,234.5","¥1,234.50","$1,234.50","CN¥1,234.50","26%","25.7%","1,234.50",
		"1,235","1234.5","005","1.01","123,456,789.123","3","-3","¥12","1.234,5","1\u202f234,5","1234,5","12.345,5","10","1,000",
		"-¥1,234.50","0.5","0.0000001","123.5","RangeError","TypeError","5",false]`)
}

const localeNumberCases = `const cases = [[1234.5], [1234.5678], [-1234567.891], [0], [-0], [NaN], [Infinity], [1e21], [0.000001234], [1234.5, "en-US"], [1234.5, "zh-CN"], [1234.5, "zh-CN", {style:"currency", currency:"CNY"}], [1234.5, "en-US", {style:"currency", currency:"USD"}], [1234.5, "en-US", {style:"currency", currency:"CNY"}], [0.256, "en-US", {style:"percent"}], [0.2567, "zh-CN", {style:"percent", maximumFractionDigits: 1}], [1234.5, "en-US", {minimumFractionDigits: 2}], [1234.5, undefined, {maximumFractionDigits: 0}], [1234.5, "en", {useGrouping: false}], [5, "en", {minimumIntegerDigits: 3}], [1.005, "en", {maximumFractionDigits: 2}], [123456789.123, "zh-CN"], [2.5, "en", {maximumFractionDigits: 0}], [-2.5, "en", {maximumFractionDigits: 0}], [12, "en", {style: "currency", currency: "JPY"}], [1234.5, "de-DE"], [1234.5, "fr-FR"], [1234.5, "es-ES"], [12345.5, "es-ES"], [9.995, "en", {maximumFractionDigits: 2}], [999.9996, "zh"], [-1234.5, "zh-CN", {style: "currency", currency: "CNY"}], [0.5, ["zh-CN", "en"]], [1e-7, "en", {maximumFractionDigits: 10}], [123.456, "en", {minimumFractionDigits: 1, maximumFractionDigits: 1}]];
const r = cases.map(c => (c[0]).toLocaleString(c[1], c[2]));
let err1; try { (1).toLocaleString('en', { maximumFractionDigits: 101 }); } catch (e) { err1 = e.name; }
let err2; try { (1).toLocaleString('en', { style: 'currency' }); } catch (e) { err2 = e.name; }
r.push(err1, err2, new Number(5).toLocaleString(), Object.getOwnPropertyDescriptor(Number.prototype, 'toLocaleString').enumerable);
return r;
`

// TestReplaceSubstitutesWhenCounting runs replacements whose template could grow the
// result past the string limit of a small heap, so the guard substitutes them itself
// (globals_guard wrapReplace): the results must be what Node 20 gives.
func TestReplaceSubstitutesWhenCounting(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{MaxHeapBytes: 8 << 20})
	v := testVersion("replace", map[string]string{"index.js": "exports.main = async (event) => {\n" + replaceCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `[[6028,"xxxxxa[xxxxxxxxxxxxxxxxxxxxxxxxxxxx","xxxxxxxxxxxxxxxxxxabc|b||$|$1]"],
		[2009,"xxxxxa<bcc><b>","xxxxxxxxxxxxxxxxxxxxxa<bcc><b>"],[2008,"xxxxxa{cbb}cb","xxxxxxxxxxxxxxxxxxxxxxa{cbb}cb"],
		[6010,"xxxxxa(xxxxxxxxxxxxxxxxxxxxxxxxxxxx","xxxxxxxxxxxxxxxxxxxxxxxxxxabc)"],[2016,"xxxxxab1-b-$2cb1-b-$2","xxxxxxxxxxxxxxab1-b-$2cb1-b-$2"],
		[2010,"xxxxxa$<B>c$<B>","xxxxxxxxxxxxxxxxxxxxa$<B>c$<B>"]]`)
}

const replaceCases = `const s = 'x'.repeat(2000) + 'abcb';
const brief = (r) => [r.length, r.slice(1995, 2030), r.slice(-30)];
return [
  brief(s.replace(/b/g, "[$` + "`" + `|$&|$'|$$|$1]")),
  brief(s.replace(/(?<B>b)(c?)/g, '<$<B>$2$<none>$02>')),
  brief(s.replace('b', "{$'$&}")),
  brief(s.replaceAll('b', "($` + "`" + `)")),
  brief(s.replace(/(b)/g, '$11-$01-$2')),
  brief(s.replace(/b/g, '$<B>')),
];
`

// TestPunycode compares the punycode module with Node 20's.
func TestPunycode(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("punycode", map[string]string{"index.js": "exports.main = async (event) => {\n" + punycodeCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `["xn--maana-pta.com","xn--fsqu00a.xn--0zwm56d","用户@xn--fsqu00a.xn--fiqs8s",
		"mañana.com","XN--fsqu00a.测试","tda","ü","rhq34a65tw32a","😀abc",[97,128512],"a😀","example.com","abc-","abc","2.1.0",
		["RangeError","Illegal input >= 0x80 (not a basic code point)"],["RangeError","Overflow: input needs wider integers to process"]]`)
}

const punycodeCases = `const p = require('punycode');
const r = [p.toASCII('mañana.com'), p.toASCII('例子.测试'), p.toASCII('用户@例子。中国'), p.toUnicode('xn--maana-pta.com'), p.toUnicode('XN--fsqu00a.xn--0zwm56d'),
  p.encode('ü'), p.decode('tda'), p.encode('你好世界'), p.decode(p.encode('😀abc')), p.ucs2.decode('a😀'), p.ucs2.encode([97, 128512]),
  p.toASCII('example.com'), p.encode('abc'), p.decode('abc-'), p.version];
try { p.decode('\u00e9-x'); } catch (e) { r.push([e.name, e.message]); }
try { p.decode('99999999999'); } catch (e) { r.push([e.name, e.message]); }
return r;
`

// TestCaptureStackTrace checks V8's Error.captureStackTrace and prepareStackTrace call
// sites as node-fetch and depd use them; the expected value is Node 20's.
func TestCaptureStackTrace(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("capture", map[string]string{"index.js": "exports.main = async (event) => {\n" + captureCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `["MyError: boom",true,"Error",true,"depdLike",true,"number",false,"number",false]`)
}

const captureCases = `function MyError(message) { this.name = 'MyError'; this.message = message; Error.captureStackTrace(this, MyError); }
function thrower() { return new MyError('boom'); }
const e = thrower();
const plain = {};
Error.captureStackTrace(plain);
function getStack() {
  const prep = Error.prepareStackTrace, limit = Error.stackTraceLimit;
  const obj = {};
  Error.prepareStackTrace = (o, stack) => stack;
  Error.stackTraceLimit = Math.max(10, limit);
  Error.captureStackTrace(obj);
  const stack = obj.stack.slice(1);
  Error.prepareStackTrace = prep;
  Error.stackTraceLimit = limit;
  return stack;
}
function depdLike() { return getStack(); }
const sites = depdLike();
return [e.stack.split('\n')[0], /^\s+at thrower \(.*index\.js:3:\d+\)$/.test(e.stack.split('\n')[1]), plain.stack.split('\n')[0],
  Array.isArray(sites), sites[0].getFunctionName(), /index\.js$/.test(sites[0].getFileName()), typeof sites[0].getLineNumber(),
  sites[0].isEval(), typeof Error.stackTraceLimit, Object.keys(e).includes('stack')];
`

// TestLoadOnlyBuiltins covers the builtins that exist so that packages load
// (express 5 needs diagnostics_channel, koa async_hooks, v8 and __defineGetter__,
// urllib dns). The expected value is Node 20's except dns.lookup, which throws here:
// functions resolve no names themselves.
func TestLoadOnlyBuiltins(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("mods", map[string]string{"index.js": "exports.main = async (event) => {\n" + loadOnlyCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `[false,[[1,"my-channel"]],false,5,"r1",null,42,10,"function",true,0,"number",
		"ERR_MODULE_NOT_AVAILABLE","function"]`)
}

const loadOnlyCases = `const dc = require('diagnostics_channel');
const ch = dc.channel('my-channel'), seen = [];
const sub = (m, name) => seen.push([m.n, name]);
const before = ch.hasSubscribers;
dc.subscribe('my-channel', sub);
ch.publish({ n: 1 });
dc.unsubscribe('my-channel', sub);
ch.publish({ n: 2 });
const tc = dc.tracingChannel('op');
const traced = tc.traceSync((a, b) => a + b, {}, null, 2, 3);
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const inside = await als.run({ id: 'r1' }, async () => { await null; await new Promise((r) => setTimeout(r, 1)); return als.getStore().id; });
const o = {};
o.__defineGetter__('x', () => 42);
o.__defineSetter__('y', function (v) { this._y = v * 2; });
o.y = 5;
let dnsErr;
try { require('dns').lookup('example.com', () => {}); } catch (e) { dnsErr = e.code; }
return [before, seen, ch.hasSubscribers, traced, inside, als.getStore(), o.x, o._y, typeof o.__lookupGetter__('x'), Object.keys(o).includes('x'),
  require('v8').startupSnapshot.isBuildingSnapshot(), typeof require('v8').getHeapStatistics().used_heap_size, dnsErr, typeof require('dns').promises.lookup];
`

// TestReadlineAndConstants: readline over a stream (the Tencent Cloud SDK reads
// server-sent events this way) and the constants module (graceful-fs); Node 20's
// values.
func TestReadlineAndConstants(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("readline", map[string]string{"index.js": "exports.main = async (event) => {\n" + readlineCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `[["data: a","data: 中文","","last"],["x","y"],"number","number","number","function"]`)
}

const readlineCases = `const readline = require('readline');
const { Readable } = require('stream');
const seen = [];
const rl = readline.createInterface({ input: Readable.from(['data: a\n', 'data: 中', '文\r\n\nlast']), crlfDelay: Infinity });
rl.on('line', (l) => seen.push(l));
await new Promise((r) => rl.on('close', r));
const rl2 = readline.createInterface({ input: Readable.from([Buffer.from('x\ny\n')]) });
const iterated = [];
const it = rl2[Symbol.asyncIterator]();
for (let r = await it.next(); !r.done; r = await it.next()) iterated.push(r.value);
const c = require('constants');
return [seen, iterated, typeof c.O_RDONLY, typeof c.SIGINT, typeof c.ENOENT, typeof readline.createInterface];
`

// TestBlobFileFormData compares the Blob, File and FormData globals with Node 20.
func TestBlobFileFormData(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("blobs", map[string]string{"index.js": "exports.main = async (event) => {\n" + blobCases + "\n}"})
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `[12,"text/plain","héllo world","éllo wor","rld",12,"a.txt",42,3,true,"[object File]",
		"[object FormData]",["k","blob","file"],["only"],"blob",true,"renamed.txt",false,null,"TypeError"]`)
}

const blobCases = `const b = new Blob(['héllo ', new Uint8Array([119, 111]), new Blob(['rld'])], { type: 'Text/Plain' });
const f = new File(['abc'], 'a.txt', { type: 'text/plain', lastModified: 42 });
const fd = new FormData();
fd.append('k', 'v1'); fd.append('k', 'v2'); fd.append('blob', new Blob(['x']));
fd.set('k', 'only'); fd.append('file', f, 'renamed.txt');
const out = [b.size, b.type, await b.text(), await b.slice(1, -2).text(), await b.slice(-3).text(), (await b.arrayBuffer()).byteLength,
  f.name, f.lastModified, f.size, f instanceof Blob, Object.prototype.toString.call(f), String(fd),
  [...fd.keys()], fd.getAll('k'), fd.get('blob').name, fd.get('blob') instanceof File, fd.get('file').name, fd.has('nope'), fd.get('nope')];
try { Blob(); } catch (e) { out.push(e.name); }
return out;
`
