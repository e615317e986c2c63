package cloudfns

import "testing"

// TestFileSystem runs fs as functions use it: their own files under /var/user
// (relative paths, __dirname), /tmp in memory, errors by code. The expected value is
// what Node 20 gives for the same function folder.
func TestFileSystem(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("files", map[string]string{
		"index.js":      "exports.main = async (event) => {\n" + fileSystemCases + "\n}",
		"data/a.txt":    "hello\n",
		"data/cert.pem": "-----BEGIN X-----\nabc\n-----END X-----\n",
		"lib/x.js":      "module.exports = 1;\n",
	})
	jsonEq(t, mustSucceed(t, call(r, v, `{"n":"t1"}`)), `["hello\n",38,true,false,true,6,["a.txt","cert.pem"],
		[["a.txt",true],["cert.pem",true]],true,"hello\n",true,[null,"hello\n"],"ENOENT","EISDIR","ENOTDIR","ENOENT",null,"ENOENT",
		"one+two",["deep","f.txt"],"EEXIST","ENOTEMPTY","ENOENT",["copy.txt","g.txt","sub"],"hello\n","EEXIST","hello\n","ENOENT",
		{"a":1},false,"ENOENT","ENOENT","ok"]`)
}

// TestFileSystemLimits: the bundle is read-only, nothing outside it and /tmp exists,
// /tmp is the instance's own (kept across warm calls) and bounded.
func TestFileSystemLimits(t *testing.T) {
	// /tmp of 1 MiB: small writes fill it, far below what the memory watchdog notices.
	r := newTestRuntime(RuntimeConfig{MaxTmpBytes: 1 << 20})
	v := testVersion("fslimits", map[string]string{"index.js": `const fs = require('fs');
		const code = (f) => { try { f(); return 'ok' } catch (e) { return e.code } };
		exports.main = async (event) => {
			if (event.step === 1) fs.writeFileSync('/tmp/kept.txt', 'from call 1');
			const big = Buffer.alloc(300 << 10);
			let filled = 0;
			const full = code(() => { for (let i = 0; i < 8; i++) { fs.writeFileSync('/tmp/big' + i, big); filled++ } });
			for (let i = 0; i < filled; i++) fs.unlinkSync('/tmp/big' + i);
			return [fs.existsSync('/tmp/kept.txt') && fs.readFileSync('/tmp/kept.txt', 'utf8'), full, filled,
				code(() => fs.writeFileSync('index.js', 'x')), code(() => fs.mkdirSync('/var/user/new')), code(() => fs.unlinkSync('index.js')),
				code(() => fs.readFileSync('/etc/passwd')), code(() => fs.readdirSync('/')), code(() => fs.readFileSync('../../etc/passwd')),
				code(() => fs.openSync('/tmp/kept.txt'))];
		};`})
	jsonEq(t, mustSucceed(t, call(r, v, `{"step":1}`)), `["from call 1","ENOSPC",3,"EROFS","EROFS","EROFS","ENOENT","ENOENT","ENOENT","ERR_MODULE_NOT_AVAILABLE"]`)
	jsonEq(t, mustSucceed(t, call(r, v, `{"step":2}`)), `["from call 1","ENOSPC",3,"EROFS","EROFS","EROFS","ENOENT","ENOENT","ENOENT","ERR_MODULE_NOT_AVAILABLE"]`)
}

const fileSystemCases = `const fs = require('fs'), path = require('path'), fsp = require('fs/promises');
const dir = '/tmp/mcfs-' + event.n;
const code = (f) => { try { f(); return 'ok' } catch (e) { return e.code } };
const out = [];
out.push(fs.readFileSync('./data/a.txt', 'utf8'), fs.readFileSync(path.join(__dirname, 'data/cert.pem')).length, fs.existsSync('data'),
  fs.existsSync('nope'), fs.statSync('data').isDirectory(), fs.statSync('data/a.txt').size, fs.readdirSync('data'),
  fs.readdirSync('data', { withFileTypes: true }).map((d) => [d.name, d.isFile()]), fs.readdirSync('.').includes('lib'));
out.push(await fsp.readFile('data/a.txt', 'utf8'), (await fsp.stat('lib')).isDirectory());
out.push(await new Promise((r) => fs.readFile('data/a.txt', 'utf8', (e, d) => r([e, d]))));
out.push(code(() => fs.readFileSync('nope.txt')), code(() => fs.readFileSync('data')), code(() => fs.readdirSync('data/a.txt')),
  code(() => fs.statSync('/nonexistent/x')), fs.statSync('nope', { throwIfNoEntry: false }), await fsp.readFile('nope').catch((e) => e.code));
fs.mkdirSync(dir + '/sub/deep', { recursive: true });
fs.writeFileSync(dir + '/sub/f.txt', 'one');
fs.appendFileSync(dir + '/sub/f.txt', '+two');
out.push(fs.readFileSync(dir + '/sub/f.txt', 'utf8'), fs.readdirSync(dir + '/sub').sort(), code(() => fs.mkdirSync(dir + '/sub')),
  code(() => fs.rmdirSync(dir + '/sub')), code(() => fs.writeFileSync(dir + '/no/such/dir.txt', 'x')));
fs.renameSync(dir + '/sub/f.txt', dir + '/g.txt');
fs.copyFileSync('data/a.txt', dir + '/copy.txt');
out.push(fs.readdirSync(dir).sort(), fs.readFileSync(dir + '/copy.txt', 'utf8'), code(() => fs.copyFileSync('data/a.txt', dir + '/copy.txt', fs.constants.COPYFILE_EXCL)));
await new Promise((res, rej) => fs.createReadStream('data/a.txt').pipe(fs.createWriteStream(dir + '/piped.txt')).on('finish', res).on('error', rej));
out.push(fs.readFileSync(dir + '/piped.txt', 'utf8'));
out.push(await new Promise((res) => fs.createReadStream('missing').on('error', (e) => res(e.code))));
await fsp.writeFile(dir + '/p.json', JSON.stringify({ a: 1 }));
out.push(JSON.parse(await fsp.readFile(dir + '/p.json', 'utf8')));
fs.unlinkSync(dir + '/g.txt');
fs.rmSync(dir, { recursive: true, force: true });
out.push(fs.existsSync(dir), code(() => fs.unlinkSync(dir + '/g.txt')), code(() => fs.rmSync(dir)), code(() => fs.rmSync(dir, { force: true })));
return out;
`

func TestTmpLimit(t *testing.T) {
	for _, c := range []struct {
		heap uint64
		want int64
	}{{512 << 20, 64 << 20}, {64 << 20, 8 << 20}, {8 << 20, 1 << 20}} {
		if got := tmpLimit(c.heap); got != c.want {
			t.Errorf("tmpLimit(%d) = %d, want %d", c.heap, got, c.want)
		}
	}
}
