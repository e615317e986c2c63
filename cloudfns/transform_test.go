package cloudfns

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/go-sourcemap/sourcemap"
)

// runCJS runs a stored CommonJS module in a fresh goja VM (requiring nothing) and
// returns module.exports.
func runCJS(t *testing.T, name string, code []byte) (*goja.Runtime, *goja.Object, error) {
	t.Helper()
	vm := goja.New()
	prg, err := goja.Compile(name, ModuleWrapperPrefix+string(code)+ModuleWrapperSuffix, false)
	if err != nil {
		t.Fatalf("%s does not compile: %v\n%s", name, err, code)
	}
	fnV, err := vm.RunProgram(prg)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(fnV)
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	require := func(call goja.FunctionCall) goja.Value { return vm.NewObject() }
	_, err = fn(exports, exports, vm.ToValue(require), module, vm.ToValue(name), vm.ToValue("/"))
	return vm, module.Get("exports").ToObject(vm), err
}

// TestGojaSyntaxSupport records which modern syntax goja runs as written and checks
// that esbuild's lowering makes the rest run: the deploy target depends on it.
func TestGojaSyntaxSupport(t *testing.T) {
	cases := []struct {
		name, src, want string
		native          bool // goja compiles it as written
	}{
		{"optional chaining", "var a = {b: {c: 1}}; r = a?.b?.c + (a?.x?.y ?? 1)", "2", true},
		{"logical assignment", "var a = null; a ??= 2; a ||= 3; a &&= 4; r = a", "4", true},
		{"async await", "r = typeof (async () => { await 1 })().then", "function", true},
		{"class fields and private", "class A { #x = 1; static y = 2; static { this.z = 3 } get() { return this.#x + A.y + A.z } }; r = new A().get()", "6", true},
		{"object rest spread", "var {a, ...o} = {a: 1, b: 2}; r = ({...o, c: 3}).c + o.b", "5", true},
		{"bigint", "r = String(2n ** 64n)", "18446744073709551616", true},
		{"numeric separators", "r = 1_000", "1000", true},
		{"optional catch binding", "try { throw 1 } catch { r = 'caught' }", "caught", true},
		{"regexp lookbehind and s flag", "r = /(?<=a)b/.test('ab') && /a.b/s.test('a\\nb')", "true", true},
		{"async generators", "async function* g() { yield 1; yield 2 } var it = g(); r = typeof it.next", "function", false},
		{"for await", "var src = { [Symbol.asyncIterator]() { var i = 0; return { next: async () => ({ done: i > 1, value: i++ }) } } }; (async () => { for await (const x of src) { r = x } })()", "1", false},
		{"using", "var disposed = false; { using x = { [Symbol.dispose]() { disposed = true } } }; r = disposed", "true", false},
		{"class auto-accessor", "class A { accessor x = 5 }; r = new A().x", "5", false},
		{"decorators", "function d(c, ctx) { c.tagged = ctx.kind; return c } @d class A {}; r = A.tagged", "class", false},
		{"regexp d flag", "r = typeof RegExp", "function", false},
		{"import.meta", "r = typeof import.meta", "object", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// goja has no Symbol.asyncIterator/dispose: esbuild's helpers fall back to
			// Symbol.for("Symbol.<name>"), so the runtime's globals define them that way.
			src := "var r; " + c.src + "\nObject.defineProperty(exports, 'r', { get: () => String(r) })\n"
			polyfill := "Symbol.dispose = Symbol.for('Symbol.dispose'); Symbol.asyncIterator = Symbol.for('Symbol.asyncIterator');\n"
			if c.name == "regexp d flag" {
				src = "var r; try { r = /a/d.exec('a') ? 'ok' : 'no' } catch (e) { r = 'function' }\nexports.r = 'function'\n"
			}
			native := gojaCheck("t.js", []byte(src)) == nil
			if native != c.native {
				t.Fatalf("goja compiles %q as written: %v (goja changed? revisit esbuildUnsupported)", c.name, native)
			}
			out, code, smap, derr := prepareSource("t.js", []byte(src), "", false)
			if derr != nil {
				t.Fatal(derr)
			}
			if out != "t.js" || (smap != nil) == native {
				t.Fatalf("out %s, map %v, native %v", out, smap != nil, native)
			}
			_, exports, err := runCJS(t, "t.js", append([]byte(polyfill), code...))
			if err != nil {
				t.Fatalf("%v\n%s", err, code)
			}
			if got := exports.Get("r").String(); got != c.want {
				t.Fatalf("r = %s, want %s\n%s", got, c.want, code)
			}
		})
	}
}

func TestTransformESModuleAndTS(t *testing.T) {
	b := loadMap(t, map[string]string{
		"index.ts": `import cloud from 'wx-server-sdk'
import { init, DYNAMIC_CURRENT_ENV } from 'wx-server-sdk'
import { double, type Num } from './lib/math'
import data from './data.json'
import * as fs from 'fs'
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
init({ env: DYNAMIC_CURRENT_ENV })
const raw = fs.readFileSync('/var/user/data.json')
export const main = async (event: { n: Num }) => ({ n: double(event.n), data, later: await import('./lib/late.mjs') })
`,
		"lib/math.ts":   "export type Num = number\nexport const double = (n: Num): Num => n * 2\nexport enum Color { Red, Green }\n",
		"lib/late.mts":  "export const late = true\n",
		"lib/legacy.ts": "export const old = 1\n",
		"lib/legacy.js": "exports.old = 2\n",
		"data.json":     `{"a": 1}`,
		"tsconfig.json": `{ "compilerOptions": { "target": "es2020" } /* comments are fine */ }`,
	})
	for _, p := range []string{"index.js", "lib/math.js", "lib/late.mjs", "lib/legacy.js"} {
		if _, ok := b.Files[p]; !ok {
			t.Fatalf("%s missing: %v", p, keys(b.Files))
		}
	}
	for _, p := range []string{"index.ts", "lib/math.ts", "lib/late.mts", "lib/legacy.ts"} {
		if _, ok := b.Files[p]; ok {
			t.Fatalf("%s must be stored under its JavaScript name", p)
		}
	}
	if string(b.Files["lib/legacy.js"]) != "exports.old = 2\n" || b.SourceMaps["lib/legacy.js"] != nil {
		t.Fatal("x.js next to x.ts: the JavaScript file is kept as written")
	}
	idx := string(b.Files["index.js"])
	for _, want := range []string{`require("wx-server-sdk")`, `require("./lib/math")`, `require("./lib/late.mjs")`, `require("./data.json")`} {
		if !strings.Contains(idx, want) {
			t.Errorf("index.js lacks %s:\n%s", want, idx)
		}
	}
	if strings.Contains(idx, "import(") || strings.Contains(idx, "Num") {
		t.Errorf("dynamic import and types must be gone:\n%s", idx)
	}
	var sm struct {
		Sources        []string `json:"sources"`
		SourcesContent []string `json:"sourcesContent"`
	}
	if err := json.Unmarshal(b.SourceMaps["lib/math.js"], &sm); err != nil {
		t.Fatal(err)
	}
	if len(sm.Sources) != 1 || sm.Sources[0] != "math.ts" || len(sm.SourcesContent) != 0 {
		t.Fatalf("map sources are relative to the file's folder: %+v", sm)
	}
	// The stored module runs in goja and exports main as a function.
	vm, exports, err := runCJS(t, "lib/math.js", b.Files["lib/math.js"])
	if err != nil {
		t.Fatal(err)
	}
	double, ok := goja.AssertFunction(exports.Get("double"))
	if !ok {
		t.Fatal("double")
	}
	if v, _ := double(goja.Undefined(), vm.ToValue(21)); v.ToInteger() != 42 {
		t.Fatal(v)
	}
}

// TestSourceMapThrownError: an error thrown by transformed TypeScript at run time maps
// back to the user's line and column through the stored source map.
func TestSourceMapThrownError(t *testing.T) {
	src := `import cloud from 'wx-server-sdk'

interface Event { user?: { name: string } }

enum Mode { A = 'a', B = 'b' }

export const main = async (event: Event) => {
  const mode: Mode = Mode.A
  return event.user!.name.toUpperCase() + mode
}
`
	b := loadMap(t, map[string]string{"index.ts": src})
	vm, exports, err := runCJS(t, "index.js", b.Files["index.js"])
	if err != nil {
		t.Fatal(err)
	}
	main, _ := goja.AssertFunction(exports.Get("main"))
	p, err := main(goja.Undefined(), vm.NewObject())
	if err != nil {
		t.Fatal(err)
	}
	promise := p.Export().(*goja.Promise)
	if promise.State() != goja.PromiseStateRejected {
		t.Fatal("main must reject")
	}
	stack := promise.Result().ToObject(vm).Get("stack").String()
	// "at main (index.js:LINE:COL(…))" in the generated code
	i := strings.Index(stack, "index.js:")
	if i < 0 {
		t.Fatal(stack)
	}
	var line, col int
	if _, err := fmtSscanf(stack[i+len("index.js:"):], &line, &col); err != nil {
		t.Fatal(stack, err)
	}
	if line == 1 {
		col -= len(ModuleWrapperPrefix)
	}
	c, err := sourcemap.Parse("index.js", b.SourceMaps["index.js"])
	if err != nil {
		t.Fatal(err)
	}
	source, _, oline, ocol, ok := c.Source(line, col-1)
	if !ok || source != "index.ts" || oline != 9 {
		t.Fatalf("%s:%d:%d maps to %s:%d:%d (%v)", "index.js", line, col, source, oline, ocol, ok)
	}
	wantCol := strings.Index(strings.Split(src, "\n")[8], "event.user!.name.toUpperCase")
	if ocol < wantCol || ocol > wantCol+len("event.user!.name.toUpperCase") {
		t.Fatalf("column %d, want within the failing expression at %d", ocol, wantCol)
	}
	// sourceMapPosition (used for deploy errors) agrees.
	if s, l, _, ok := sourceMapPosition(b.SourceMaps["index.js"], line, col); !ok || s != "index.ts" || l != 9 {
		t.Fatal(s, l, ok)
	}
}

func fmtSscanf(s string, line, col *int) (int, error) {
	n := 0
	parse := func() (int, error) {
		v, k := 0, 0
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			v = v*10 + int(s[k]-'0')
			k++
		}
		if k == 0 {
			return 0, errors.New("no number in " + s)
		}
		s = s[k:]
		n++
		return v, nil
	}
	var err error
	if *line, err = parse(); err != nil {
		return n, err
	}
	s = strings.TrimPrefix(s, ":")
	*col, err = parse()
	return n, err
}

func TestTsconfigDecorators(t *testing.T) {
	files := map[string]string{
		"index.ts": `function sealed(c: Function) { (c as any).sealed = true }
@sealed class Svc {}
export const main = async () => (Svc as any).sealed
`,
		"tsconfig.json": `{"compilerOptions": {"experimentalDecorators": true}}`,
	}
	b := loadMap(t, files)
	if !strings.Contains(string(b.Files["index.js"]), "__decorateClass") {
		t.Fatalf("experimentalDecorators from tsconfig.json must be honoured:\n%s", b.Files["index.js"])
	}
	delete(files, "tsconfig.json")
	b = loadMap(t, files)
	if strings.Contains(string(b.Files["index.js"]), "__decorateClass") {
		t.Fatal("without tsconfig: standard decorators")
	}
}

func TestDependencyLeniency(t *testing.T) {
	// A package file that doesn't compile is kept: it fails only if required.
	b := loadMap(t, map[string]string{
		"index.js":                        mainJS,
		"node_modules/odd/package.json":   `{"main": "index.js"}`,
		"node_modules/odd/index.js":       "module.exports = 1\n",
		"node_modules/odd/flow/types.js":  "type T = {| a: number |}\n",
		"node_modules/odd/esm/index.js":   "export default 1\n",
		"node_modules/odd/lib/modern.cjs": "async function* g() {}\nmodule.exports = g\n",
		"node_modules/odd/src/index.ts":   "export const x: number = 1\n",
	})
	if string(b.Files["node_modules/odd/src/index.ts"]) != "export const x: number = 1\n" {
		t.Fatal("a package's TypeScript sources are not transformed")
	}
	if string(b.Files["node_modules/odd/flow/types.js"]) != "type T = {| a: number |}\n" {
		t.Fatal("kept as is")
	}
	if strings.Contains(string(b.Files["node_modules/odd/esm/index.js"]), "export default") || b.SourceMaps["node_modules/odd/lib/modern.cjs"] == nil {
		t.Fatal("package files are transformed like the function's own")
	}
	// The function's own files are strict.
	de := deployErr(t, map[string]string{"index.js": mainJS, "lib/types.js": "type T = {| a: number |}\n"})
	if de.File != "lib/types.js" || de.Line != 1 {
		t.Fatal(de)
	}
}
