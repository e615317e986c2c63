package cloudfns

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for p, s := range files {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return m
}

func loadMap(t *testing.T, files map[string]string) *Bundle {
	t.Helper()
	b, err := LoadBundleFS(mapFS(files))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deployErr loads files and returns the DeployError the load must fail with.
func deployErr(t *testing.T, files map[string]string) *DeployError {
	t.Helper()
	_, err := LoadBundleFS(mapFS(files))
	var de *DeployError
	if !errors.As(err, &de) {
		t.Fatalf("want a DeployError, got %v", err)
	}
	if de.Code() != CodeDeployInvalid {
		t.Fatal(de.Code())
	}
	return de
}

const mainJS = "exports.main = async (event, context) => event\n"

func TestLoadBundleFS(t *testing.T) {
	b := loadMap(t, map[string]string{
		"index.js": `const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
const db = cloud.database()
const _ = db.command
const { greet } = require('./lib/greet')
const conf = require('./conf.json')
const pad = require('left-pad')
const scoped = require('@acme/util/sub')
const crypto = require('crypto')
const path = require('node:path')
const hash = crypto.createHash('md5').update('x').digest('hex').slice(0, 4)
const ver = process.env.VERSION || 'none'
exports.main = async (event, context) => ({ msg: greet(event.name), conf, pad: pad('1', 3), scoped, ver, hash })
`,
		"lib/greet.js":                            "exports.greet = (n) => `hello ${n}`\n",
		"conf.json":                               `{"limit": 10}`,
		"package.json":                            `{"name":"f","dependencies":{"wx-server-sdk":"~2.6.3","left-pad":"1.3.0"}}`,
		"config.json":                             `{"timeout": 10, "envVariables": {"VERSION": "1"}, "triggers": [{"name": "tick", "type": "timer", "config": "0 */1 * * * * *"}]}`,
		"node_modules/left-pad/package.json":      `{"name":"left-pad","main":"index.js"}`,
		"node_modules/left-pad/index.js":          "module.exports = function (s, n) { while (s.length < n) s = ' ' + s; return s }\n",
		"node_modules/@acme/util/package.json":    `{"name":"@acme/util","exports":{".":"./main.js","./sub":{"import":"./sub.mjs","require":"./sub.cjs"}}}`,
		"node_modules/@acme/util/main.js":         "module.exports = 1\n",
		"node_modules/@acme/util/sub.cjs":         "module.exports = 'sub'\n",
		"node_modules/@acme/util/sub.mjs":         "export default 'sub'\n",
		"node_modules/wx-server-sdk/index.js":     "syntax error here (\n",
		"node_modules/wx-server-sdk/package.json": `{}`,
		"node_modules/.bin/x":                     "#!/bin/sh\n",
		".git/HEAD":                               "ref: refs/heads/main\n",
		".DS_Store":                               "junk",
		"types.d.ts":                              "export declare const x: number\n",
		"index.js.map":                            "{}",
		"node_modules/left-pad/index.js.map":      "{}",
	})
	for _, p := range []string{"node_modules/wx-server-sdk/index.js", "node_modules/.bin/x", ".git/HEAD", ".DS_Store", "types.d.ts", "node_modules/left-pad/index.js.map"} {
		if _, ok := b.Files[p]; ok {
			t.Errorf("%s must not be in the bundle", p)
		}
	}
	for _, p := range []string{"index.js", "index.js.map", "lib/greet.js", "conf.json", "package.json", "config.json", "node_modules/left-pad/index.js", "node_modules/@acme/util/sub.mjs"} {
		if _, ok := b.Files[p]; !ok {
			t.Errorf("%s is missing", p)
		}
	}
	if strings.Contains(string(b.Files["node_modules/@acme/util/sub.mjs"]), "export default") {
		t.Error("an ES module in node_modules must be stored as CommonJS")
	}
	if b.SourceMaps["index.js"] != nil || b.SourceMaps["node_modules/@acme/util/sub.mjs"] == nil {
		t.Errorf("only transformed files have maps: %v", b.SourceMaps)
	}
	if b.Config.TimeoutDuration().Seconds() != 10 || b.Config.Envs["VERSION"] != "1" || len(b.Config.Triggers) != 1 || b.Config.Triggers[0].Config != "0 */1 * * * * *" {
		t.Fatalf("config %+v", b.Config)
	}
	if b.Entry() != "index.js" {
		t.Fatal(b.Entry())
	}
}

func TestLoadBundleDir(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.js", "#!/usr/bin/env node\nconst u = require('./lib/u')\nexports.main = async () => u.x\n")
	write("lib/u.js", "module.exports = { x: require('shared').y }\n")
	write("store/node_modules/shared/index.js", "exports.y = 2\n")
	write(".git/config", "[core]\n")
	// pnpm-style layout: node_modules/shared is a link into a dot-folder.
	if err := os.Symlink(filepath.Join(dir, "store", "node_modules", "shared"), filepath.Join(dir, "node_modules-shared")); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "store", "node_modules", "shared"), filepath.Join(dir, "node_modules", "shared")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "lib", "loop")); err != nil {
		t.Fatal(err)
	}
	_, err := LoadBundle(dir)
	var de *DeployError
	if !errors.As(err, &de) || !strings.Contains(de.Msg, "nested too deep") && !strings.Contains(de.Msg, "too many files") {
		t.Fatalf("a symlink loop must be refused clearly: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "lib", "loop")); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Files["node_modules/shared/index.js"]; !ok {
		t.Fatalf("linked package missing: %v", keys(b.Files))
	}
	if _, ok := b.Files[".git/config"]; ok {
		t.Fatal(".git must be skipped")
	}
	if !strings.HasPrefix(string(b.Files["index.js"]), "//") {
		t.Fatal("a hashbang line must become a comment (the module wrapper goes before it)")
	}
	if _, err := LoadBundle(filepath.Join(dir, "index.js")); err == nil {
		t.Fatal("a file is not a function folder")
	}
	if _, err := LoadBundle(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("missing folder")
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestBundleLimits(t *testing.T) {
	files := fstest.MapFS{"index.js": {Data: []byte(mainJS)}}
	for i := range MaxFiles {
		files["node_modules/big/f"+itoa(i)+".txt"] = &fstest.MapFile{Data: []byte("x")}
	}
	_, err := LoadBundleFS(files)
	var de *DeployError
	if !errors.As(err, &de) || !strings.Contains(de.Msg, "too many files") {
		t.Fatalf("too many files: %v", err)
	}

	files = fstest.MapFS{"index.js": {Data: []byte(mainJS)}}
	chunk := make([]byte, 8<<20)
	for i := range MaxBundleBytes/len(chunk) + 1 {
		files["assets/blob"+itoa(i)+".bin"] = &fstest.MapFile{Data: chunk}
	}
	_, err = LoadBundleFS(files)
	if !errors.As(err, &de) || !strings.Contains(de.Msg, "more than 50 MiB") {
		t.Fatalf("oversized: %v", err)
	}
}

func TestEntry(t *testing.T) {
	b := loadMap(t, map[string]string{
		"package.json":  `{"main": "dist/app"}`,
		"dist/app.js":   mainJS,
		"dist/other.js": "",
	})
	if b.Entry() != "dist/app.js" {
		t.Fatal(b.Entry())
	}
	b = loadMap(t, map[string]string{"package.json": `{"main": "./src"}`, "src/index.js": mainJS})
	if b.Entry() != "src/index.js" {
		t.Fatal(b.Entry())
	}
	// package.json's main wins over index.js (the runtime picks the same); a main that
	// names no file falls back to index.js.
	b = loadMap(t, map[string]string{"package.json": `{"main": "app.js"}`, "app.js": mainJS, "index.js": "exports.nothing = 1\n"})
	if b.Entry() != "app.js" {
		t.Fatal(b.Entry())
	}
	b = loadMap(t, map[string]string{"package.json": `{"main": "dist/index.js"}`, "index.ts": "export const main = () => 1\n"})
	if b.Entry() != "index.js" {
		t.Fatal(b.Entry())
	}
	de := deployErr(t, map[string]string{"package.json": `{"main": "dist/app.js"}`})
	if de.File != "package.json" || !strings.Contains(de.Msg, "dist/app.js") {
		t.Fatal(de)
	}
	de = deployErr(t, map[string]string{"lib.js": mainJS})
	if !strings.Contains(de.Msg, "no index.js") {
		t.Fatal(de)
	}
	de = deployErr(t, map[string]string{"index.js": mainJS, "package.json": `{"main": `})
	if de.File != "package.json" {
		t.Fatal(de)
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // file:line:col
	}{
		{"plain js", map[string]string{"index.js": "exports.main = async () => {\n  const a = 1\n  return a +* 2\n}\n"}, "index.js:3:"},
		{"helper js", map[string]string{"index.js": mainJS, "lib/h.js": "module.exports = {\n  a: 1,\n  b: 2,,\n}\n"}, "lib/h.js:3:"},
		{"first line", map[string]string{"index.js": "exports.main = )\n"}, "index.js:1:"},
		{"unclosed", map[string]string{"index.js": "exports.main = async () => {\n  return 1\n"}, "index.js:"},
		{"ts", map[string]string{"index.ts": "import cloud from 'wx-server-sdk'\ninterface E { a: number }\nexport const main = async (e: E) => {\n  return e.a +* 1\n}\n"}, "index.ts:4:"},
		{"esm js", map[string]string{"index.js": "import x from './x.js'\nexport const main = () => {\n  let = = 2\n}\n"}, "index.js:3:"},
		{"tla", map[string]string{"index.mjs": "await 1\nexport const main = 1\n", "package.json": `{"main":"index.mjs"}`}, "index.mjs:1:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			de := deployErr(t, c.files)
			got := de.Error()
			if !strings.HasPrefix(got, c.want) || !strings.Contains(got, "SyntaxError") {
				t.Fatalf("got %q, want prefix %q", got, c.want)
			}
			t.Log(got)
		})
	}
	// an unclosed block points at the last line, not past the end
	de := deployErr(t, map[string]string{"index.js": "exports.main = async () => {\n  return 1\n"})
	if de.Line < 2 || de.Line > 3 {
		t.Fatalf("%+v", de)
	}
}

func TestMissingMain(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no main", map[string]string{"index.js": "exports.handler = async () => 1\n"}, "index.js: does not export main"},
		{"default export", map[string]string{"index.ts": "export default async function main() { return 1 }\n"}, "an `export default` is not used"},
		{"not a function", map[string]string{"index.js": "exports.main = 42\n"}, "exports.main is a number"},
		{"module.exports replaced", map[string]string{"index.js": "exports.main = () => 1\nmodule.exports = { other: 1 }\n"}, "does not export main"},
		{"throws", map[string]string{"index.js": "const cfg = require('./cfg')\nexports.main = () => cfg\n", "cfg.js": "const x = null\n\nmodule.exports = x.y\n"}, "cfg.js:3:"},
		{"throws ts", map[string]string{"index.ts": "import { cfg } from './cfg'\nexport const main = () => cfg\n", "cfg.ts": "type T = { y: number }\nconst x: T | null = null as any\n\nexport const cfg = x!.y\n"}, "cfg.ts:4:"},
		{"missing file", map[string]string{"index.js": "const h = require('./helpers')\nexports.main = h\n"}, "index.js:1:"},
		{"missing package", map[string]string{"index.js": "\nconst _ = require('lodash')\nexports.main = () => _\n"}, "Cannot find module 'lodash'"},
		{"endless loop", map[string]string{"index.js": "while (true) {}\nexports.main = () => 1\n"}, "did not finish within"},
		{"allocation bomb", map[string]string{"index.js": "const a = []\nfor (let i = 0; ; i++) a.push(new ArrayBuffer(1 << 24))\nexports.main = () => 1\n"}, "allocated more than 256 MiB"},
		{"recursion", map[string]string{"index.js": "function f() { return f() + 1 }\nf()\nexports.main = () => 1\n"}, "recursed too deeply"},
		{"bad json", map[string]string{"index.js": "const c = require('./c.json')\nexports.main = () => c\n", "c.json": "{oops}"}, "c.json: invalid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			de := deployErr(t, c.files)
			if !strings.Contains(de.Error(), c.want) {
				t.Fatalf("got %q, want %q", de.Error(), c.want)
			}
			t.Log(de.Error())
		})
	}
}

func TestMainExportAccepted(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"module.exports": {"index.js": "module.exports = { main: async (e) => e }\n"},
		"function decl":  {"index.js": "async function main(event, context) { return 1 }\nmodule.exports.main = main\n"},
		"esm":            {"index.mjs": "export async function main() { return 1 }\n", "package.json": `{"main": "index.mjs"}`},
		"ts":             {"index.ts": "import * as cloud from 'wx-server-sdk'\ncloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })\nexport const main = async (e: unknown) => e\n"},
		"node apis at top": {"index.js": `const { EventEmitter } = require('events')
class Bus extends EventEmitter {}
const bus = new Bus()
bus.on('x', () => {})
const util = require('util')
const p = util.promisify(setTimeout)
const b = Buffer.from('abc').toString('base64')
const url = new URL('https://example.com/a?b=1')
const q = url.searchParams.get('b') + ''
for (const x of require('os').cpus()) {}
const s = JSON.stringify({ b, q })
setTimeout(() => {}, 10)
process.on('unhandledRejection', () => {})
exports.main = async () => ({ s, env: process.env.NODE_ENV })
`},
		"computed paths": {"index.js": "const path = require('path')\nconst h = require(path.join(__dirname, 'lib', 'h'))\nconst g = require(__dirname + '/lib/h.js')\nconst k = require('/var/user/lib/h')\nif (h !== g || g !== k) throw new Error('not one module')\nexports.main = async () => [__filename, __dirname]\n", "lib/h.js": "module.exports = { dir: __dirname }\n"},
		"path module": {"index.js": `const path = require('node:path')
const checks = [
  [path.join('/var/user', 'a', '../b', './c.js'), '/var/user/b/c.js'],
  [path.resolve('x'), '/var/user/x'],
  [path.resolve('/a', 'b', '../c'), '/a/c'],
  [path.dirname('/a/b/c.js'), '/a/b'],
  [path.basename('/a/b/c.js', '.js'), 'c'],
  [path.extname('x.tar.gz'), '.gz'],
  [path.join('a', '', 'b'), 'a/b'],
  [path.normalize('a/../../b'), '../b'],
]
for (const [got, want] of checks) if (got !== want) throw new Error(got + ' != ' + want)
exports.main = async () => 1
`},
		"cycle": {"index.js": "const a = require('./a')\nexports.main = () => a.b()\n", "a.js": "const i = require('./index')\nexports.b = () => typeof i\n"},
		// packages' maps are left out of bundles; their sourceMappingURL must not be followed
		"package source map": {"index.js": "const p = require('pkg')\nexports.main = () => p\n", "node_modules/pkg/index.js": "module.exports = 1\n//# sourceMappingURL=index.js.map\n"},
	} {
		t.Run(name, func(t *testing.T) { loadMap(t, files) })
	}
}

func TestConfigValidation(t *testing.T) {
	for cfg, want := range map[string]string{
		`{"timeout": 901}`:           "timeout must be between",
		`{"timeout": "3"}`:           "timeout must be a number",
		`{"envVariables": {"A": 1}}`: "must be a string",
		`{"triggers": [{"name": "a", "type": "timer", "config": "0 0 * * * *"}]}`:                                                              "fields",
		`{"triggers": [{"name": "a", "type": "cos", "config": "x"}]}`:                                                                          `must be "timer"`,
		`{"triggers": [{"name": "1a", "type": "timer", "config": "0 0 2 1 * * *"}]}`:                                                           "must start with a letter",
		`{"triggers": [{"name": "a", "type": "timer", "config": "0 0 2 1 * * *"}, {"name": "b", "type": "timer", "config": "0 0 2 1 * * *"}]}`: "at most one trigger",
		`{"timeout": `: "invalid JSON",
	} {
		de := deployErr(t, map[string]string{"index.js": mainJS, "config.json": cfg})
		if de.File != "config.json" || !strings.Contains(de.Msg, want) {
			t.Errorf("%s: got %q, want %q", cfg, de.Error(), want)
		}
	}
}

func TestValidateFunctionName(t *testing.T) {
	for _, ok := range []string{"login", "a", "get-user_2", strings.Repeat("a", 60)} {
		if err := ValidateFunctionName(ok); err != nil {
			t.Error(err)
		}
	}
	for _, bad := range []string{"", "1abc", "_x", "-x", "a b", "a.b", "中文", strings.Repeat("a", 61), "../x"} {
		if err := ValidateFunctionName(bad); !errors.Is(err, ErrInvalidFunctionName) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestIsFunctionDir(t *testing.T) {
	if !IsFunctionDir(mapFS(map[string]string{"index.js": ""})) || !IsFunctionDir(mapFS(map[string]string{"package.json": "{}"})) ||
		IsFunctionDir(mapFS(map[string]string{"login/index.js": ""})) {
		t.Fatal("IsFunctionDir")
	}
}

func TestDeployErrorText(t *testing.T) {
	e := &DeployError{Function: "login", File: "index.js", Line: 3, Column: 7, Msg: "SyntaxError: Unexpected token"}
	if e.Error() != "login: index.js:3:7: SyntaxError: Unexpected token" {
		t.Fatal(e.Error())
	}
	if (&DeployError{Msg: "x"}).Error() != "x" || (&DeployError{File: "a.js", Msg: "x"}).Error() != "a.js: x" {
		t.Fatal("short forms")
	}
	if ie := e.InvokeError(); ie.Code != CodeDeployInvalid || !strings.Contains(ie.Message, "index.js:3:7") {
		t.Fatal(ie)
	}
}

// TestDeployCheckRuntimeLanguage: top-level code that packages run while loading and
// that the runtime supports passes the deploy check too (depd's call sites, koa's
// __defineGetter__, a version check through require('process'), Intl, named groups).
func TestDeployCheckRuntimeLanguage(t *testing.T) {
	loadMap(t, map[string]string{
		"index.js": `const dep = require('./lib/depd-like')('app');
const proc = require('process');
if (!/^v\d+\.\d+\.\d+$/.test(proc.version)) throw new Error('version ' + typeof proc.version);
const o = {}; o.__defineGetter__('x', () => 1); if (o.x !== 1 || !o.__lookupGetter__('x')) throw new Error('accessors');
const fmt = new Intl.NumberFormat('zh-CN');
const { y } = '2024-01'.match(/(?<y>\d+)-(?<m>\d+)/).groups;
if (y !== '2024') throw new Error('groups');
class Feed { async *[Symbol.asyncIterator]() {} }
exports.main = async () => ({ dep, fmt: typeof fmt, feed: typeof Feed });
`,
		"lib/depd-like.js": `function getStack() {
  const prep = Error.prepareStackTrace, obj = {};
  Error.prepareStackTrace = (o, stack) => stack;
  Error.captureStackTrace(obj);
  const stack = obj.stack.slice(1);
  Error.prepareStackTrace = prep;
  return stack;
}
module.exports = (ns) => { const site = getStack()[1]; return ns + ':' + typeof site.getFileName() + ':' + typeof site.getLineNumber(); };
`,
	})
}
