package cloudfns

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"io"
	"strings"
	"testing"
)

func TestZlibModule(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	cases := []struct{ name, body, want string }{
		{"sync round trips", `const input = Buffer.from('hello zlib '.repeat(50));
			return [['gzipSync', 'gunzipSync'], ['deflateSync', 'inflateSync'], ['deflateRawSync', 'inflateRawSync'], ['gzipSync', 'unzipSync'], ['deflateSync', 'unzipSync']]
				.map(([c, d]) => { const z = zlib[c](input); return [z.length < input.length, zlib[d](z).equals(input)] })`,
			`[[true,true],[true,true],[true,true],[true,true],[true,true]]`},
		{"headers as Node writes them", `const g = zlib.gzipSync('x'), d = zlib.deflateSync('x');
			return [g[0], g[1], g[2], g[9], d[0], d[1], zlib.deflateSync('x', { level: 9 })[0]]`, `[31,139,8,3,120,156,120]`},
		{"inputs", `return [zlib.gunzipSync(zlib.gzipSync('str')).toString(), zlib.inflateSync(zlib.deflateSync(new Uint8Array([1, 2, 3]))).join(),
				zlib.inflateRawSync(zlib.deflateRawSync(new Uint8Array([4, 5]).buffer)).join(), Buffer.isBuffer(zlib.gzipSync('a'))]`,
			`["str","1,2,3","4,5",true]`},
		{"levels and strategies", `const input = 'abcabcabc'.repeat(1000);
			const sizes = [0, 1, 9].map((level) => zlib.deflateSync(input, { level }).length);
			const huff = zlib.deflateSync(input, { strategy: zlib.constants.Z_HUFFMAN_ONLY });
			let bad; try { zlib.deflateSync(input, { level: 10 }) } catch (e) { bad = [e.code, e instanceof RangeError] }
			return [sizes[0] > sizes[1], sizes[1] >= sizes[2], zlib.inflateSync(huff).toString() === input, bad]`,
			`[true,true,true,["ERR_OUT_OF_RANGE",true]]`},
		{"callbacks and promisify", `const gz = await new Promise((res, rej) => zlib.gzip('cb data', (e, b) => e ? rej(e) : res(b)));
			const text = (await require('util').promisify(zlib.gunzip)(gz)).toString();
			const err = await new Promise((res) => zlib.inflate(Buffer.from('not zlib'), {}, (e) => res([e.code, e.errno, e.message])));
			return [text, err]`, `["cb data",["Z_DATA_ERROR",-3,"incorrect header check"]]`},
		{"errors", `const out = [];
			for (const [fn, data] of [['gunzipSync', 'plain text'], ['gunzipSync', ''], ['inflateSync', Buffer.alloc(0)], ['gunzipSync', zlib.gzipSync('hello world').subarray(0, 12)]]) {
				try { zlib[fn](data); out.push('ok') } catch (e) { out.push([e.code, e.message]) }
			}
			try { zlib.gzipSync(42) } catch (e) { out.push(e.code) }
			return out`,
			`[["Z_DATA_ERROR","incorrect header check"],["Z_BUF_ERROR","unexpected end of file"],["Z_BUF_ERROR","unexpected end of file"],
				["Z_BUF_ERROR","unexpected end of file"],"ERR_INVALID_ARG_TYPE"]`},
		{"truncated input with Z_SYNC_FLUSH", `const z = zlib.gzipSync('0123456789'.repeat(100));
			return zlib.gunzipSync(z.subarray(0, z.length - 8), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length`, `1000`},
		{"concatenated members and trailing bytes", `const z = Buffer.concat([zlib.gzipSync('abc'), zlib.gzipSync('def'), Buffer.alloc(10)]);
			return zlib.gunzipSync(z).toString()`, `"abcdef"`},
		{"dictionary", `const dictionary = Buffer.from('hello world');
			const z = zlib.deflateSync('hello world hello', { dictionary });
			let missing; try { zlib.inflateSync(z) } catch (e) { missing = [e.code, e.message] }
			return [zlib.inflateSync(z, { dictionary }).toString(), missing,
				zlib.inflateRawSync(zlib.deflateRawSync('hello world!', { dictionary }), { dictionary }).toString()]`,
			`["hello world hello",["Z_NEED_DICT","Missing dictionary"],"hello world!"]`},
		{"maxOutputLength", `try { zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(1000)), { maxOutputLength: 100 }) } catch (e) { return [e.name, e.code, e.message] }`,
			`["RangeError","ERR_BUFFER_TOO_LARGE","Cannot create a Buffer larger than 100 bytes"]`},
		{"streams", `const { pipeline, Readable, PassThrough } = require('stream');
			const input = 'streamed '.repeat(5000);
			const collect = (s) => new Promise((res, rej) => { const out = []; s.on('data', (c) => out.push(c)); s.on('end', () => res(Buffer.concat(out))); s.on('error', rej); });
			const gz = zlib.createGzip();
			gz.write(input.slice(0, 100)); gz.end(input.slice(100));
			const compressed = await collect(gz);
			const back = await collect(Readable.from([compressed.subarray(0, 10), compressed.subarray(10)]).pipe(zlib.createGunzip()));
			const chunks = [];
			const sink = new PassThrough(); sink.on('data', (c) => chunks.push(c.length));
			await new Promise((res, rej) => pipeline(Readable.from([Buffer.from(input)]), zlib.createDeflate(), zlib.createInflate(), new PassThrough(), sink, (e) => e ? rej(e) : res()));
			const bad = await collect(Readable.from([Buffer.from('garbage')]).pipe(zlib.createInflate())).catch((e) => e.code);
			return [back.toString() === input, chunks[0], chunks.reduce((a, b) => a + b), gz.bytesWritten, bad,
				zlib.createGunzip() instanceof zlib.Gunzip, zlib.Gzip() instanceof require('stream').Transform]`,
			`[true,16384,45000,45000,"Z_DATA_ERROR",true,true]`},
		{"brotli is refused", `const out = [typeof zlib.createBrotliCompress, typeof zlib.createBrotliDecompress];
			try { zlib.brotliCompressSync('x') } catch (e) { out.push(e.code, e.message) }
			return out`,
			`["undefined","undefined","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM","brotli is not supported in Minicloud functions (Go's standard library has no brotli): use gzip or deflate"]`},
		{"constants and crc32", `const c = zlib.constants;
			return [c.Z_NO_FLUSH, c.Z_SYNC_FLUSH, c.Z_FINISH, c.Z_BEST_COMPRESSION, c.Z_DEFAULT_COMPRESSION, c.Z_DATA_ERROR, c.Z_BUF_ERROR,
				c.BROTLI_OPERATION_FLUSH, zlib.Z_SYNC_FLUSH, zlib.codes.Z_DATA_ERROR, zlib.codes['-3'], Object.keys(zlib).includes('Z_SYNC_FLUSH'),
				zlib.crc32('hello'), zlib.crc32('world', zlib.crc32('hello ')), zlib.crc32('hello world')]`,
			`[0,2,4,9,-1,-3,-5,1,2,-3,"Z_DATA_ERROR",false,907060870,222957957,222957957]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := testVersion("zlibber", map[string]string{"index.js": "const zlib = require('zlib');\nexports.main = async () => {\n" + c.body + "\n}"})
			jsonEq(t, mustSucceed(t, call(r, v, `{}`)), c.want)
		})
	}

	t.Run("interoperates with Go", func(t *testing.T) {
		var gz, zz bytes.Buffer
		w := gzip.NewWriter(&gz)
		_, _ = io.WriteString(w, "from go")
		_ = w.Close()
		zw := zlib.NewWriter(&zz)
		_, _ = io.WriteString(zw, "zlib from go")
		_ = zw.Close()
		v := testVersion("zlibber", map[string]string{"index.js": `const zlib = require('zlib');
			exports.main = () => [zlib.gunzipSync(Buffer.from('` + base64.StdEncoding.EncodeToString(gz.Bytes()) + `', 'base64')).toString(),
				zlib.unzipSync(Buffer.from('` + base64.StdEncoding.EncodeToString(zz.Bytes()) + `', 'base64')).toString(),
				zlib.gzipSync('from js').toString('base64')]`})
		got := mustSucceed(t, call(r, v, `{}`)).([]any)
		if got[0] != "from go" || got[1] != "zlib from go" {
			t.Fatalf("%v", got)
		}
		b, _ := base64.StdEncoding.DecodeString(got[2].(string))
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if out, _ := io.ReadAll(zr); string(out) != "from js" {
			t.Fatalf("%q", out)
		}
	})

	t.Run("a bomb is refused", func(t *testing.T) {
		// 80 MiB of zeros in about 80 KB: more than maxInflateBytes.
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zeros := make([]byte, 1<<20)
		for range 80 {
			_, _ = w.Write(zeros)
		}
		_ = w.Close()
		bomb := base64.StdEncoding.EncodeToString(gz.Bytes())
		v := testVersion("zlibber", map[string]string{"index.js": `const zlib = require('zlib');
			const bomb = Buffer.from('` + bomb + `', 'base64');
			exports.main = async () => {
				const out = [];
				try { zlib.gunzipSync(bomb); out.push('inflated') } catch (e) { out.push([e.name, e.code, e.message]) }
				out.push(await new Promise((res) => zlib.createGunzip().on('error', (e) => res(e.code)).on('data', () => {}).end(bomb)));
				return out;
			}`})
		got := mustSucceed(t, call(r, v, `{}`))
		jsonEq(t, got, `[["RangeError","ERR_BUFFER_TOO_LARGE","Cannot create a Buffer larger than 67108864 bytes: Minicloud refuses to decompress more than 64 MiB"],"ERR_BUFFER_TOO_LARGE"]`)
		checkHealthy(t, r)
	})

	t.Run("not available before require", func(t *testing.T) {
		v := testVersion("zlibber", map[string]string{"index.js": `exports.main = () => typeof zlib`})
		if got := mustSucceed(t, call(r, v, `{}`)); !strings.EqualFold(got.(string), "undefined") {
			t.Fatalf("%v", got)
		}
	})
}
