package cloudfns

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// ---- module resolution ----

func TestSplitPackage(t *testing.T) {
	cases := []struct {
		req, name, sub string
	}{
		{"lodash", "lodash", "."},
		{"lodash/fp", "lodash", "./fp"},
		{"lodash/fp/map.js", "lodash", "./fp/map.js"},
		{"lodash/", "lodash", "."},
		{"@a/b", "@a/b", "."},
		{"@a/b/c", "@a/b", "./c"},
		{"@a/b/c/d.js", "@a/b", "./c/d.js"},
		{"@a/b/", "@a/b", "."},
		// Not package names.
		{"@a", "", ""},
		{"@a/", "", ""},
		{"", "", ""},
		{".", "", ""},
		{"..", "", ""},
		{"./x", "", ""},
		{"../x", "", ""},
		{"/abs", "", ""},
	}
	for _, c := range cases {
		name, sub := splitPackage(c.req)
		if name != c.name || sub != c.sub {
			t.Errorf("splitPackage(%q) = (%q, %q), want (%q, %q)", c.req, name, sub, c.name, c.sub)
		}
	}
}

// nestedDefault wraps target in n {"default": …} condition objects.
func nestedDefault(n int, target string) string {
	return strings.Repeat(`{"default":`, n) + `"` + target + `"` + strings.Repeat(`}`, n)
}

func TestExportsTarget(t *testing.T) {
	cases := []struct {
		name, exports, sub, want string
	}{
		{"string, root", `"./main.js"`, ".", "./main.js"},
		{"string, subpath", `"./main.js"`, "./x", ""},
		{"subpath map, root", `{".": "./a.js", "./x": "./lib/x.js"}`, ".", "./a.js"},
		{"subpath map, subpath", `{".": "./a.js", "./x": "./lib/x.js"}`, "./x", "./lib/x.js"},
		{"subpath map, not exported", `{".": "./a.js", "./x": "./lib/x.js"}`, "./y", ""},
		{"subpath map without root", `{"./x": "./lib/x.js"}`, ".", ""},
		{"conditions, require", `{"import": "./i.mjs", "require": "./r.js"}`, ".", "./r.js"},
		{"conditions, node", `{"import": "./i.mjs", "node": "./n.js"}`, ".", "./n.js"},
		{"conditions, default", `{"browser": "./b.js", "default": "./d.js"}`, ".", "./d.js"},
		{"conditions apply to the root only", `{"require": "./r.js"}`, "./x", ""},
		{"import only", `{"import": "./i.mjs"}`, ".", ""},
		{"unknown conditions only", `{"browser": "./b.js", "deno": "./d.js"}`, ".", ""},
		{"nested conditions", `{".": {"node": {"import": "./ni.mjs", "require": "./nr.js"}, "default": "./d.js"}}`, ".", "./nr.js"},
		{"nested conditions under a subpath", `{"./feature": {"require": {"default": "./f.js"}}}`, "./feature", "./f.js"},
		{"a condition with no target falls to the next", `{"require": {"import": "./x.mjs"}, "default": "./d.js"}`, ".", "./d.js"},
		{"array fallbacks", `[{"import": "./i.mjs"}, "./fallback.js"]`, ".", "./fallback.js"},
		{"array under a subpath", `{"./x": [{"browser": "./b.js"}, {"require": "./r.js"}]}`, "./x", "./r.js"},
		{"null target", `{".": null}`, ".", ""},
		{"null exports", `null`, ".", ""},
		{"number", `42`, ".", ""},
		{"invalid JSON", `{".": `, ".", ""},
		{"trailing text", `"./main.js" x`, ".", ""},
		{"conditions in the order written", `{"node": "./n.js", "require": "./r.js"}`, ".", "./n.js"},
		{"default written first wins", `{"default": "./d.js", "require": "./r.js"}`, ".", "./d.js"},
		{"nested deeper than decoding follows", strings.Repeat("[", 40) + strings.Repeat("]", 40), ".", ""},
		{"depth 8 is followed", nestedDefault(8, "./deep.js"), ".", "./deep.js"},
		{"depth 9 is not", nestedDefault(9, "./deep.js"), ".", ""},
		{"depth counts under a subpath too", `{"./x": ` + nestedDefault(9, "./deep.js") + `}`, "./x", ""},
	}
	for _, c := range cases {
		if got := exportsTarget(json.RawMessage(c.exports), c.sub); got != c.want {
			t.Errorf("%s: exportsTarget(%s, %q) = %q, want %q", c.name, c.exports, c.sub, got, c.want)
		}
	}
}

func TestPickCondition(t *testing.T) {
	cases := []struct {
		name  string
		v     any
		depth int
		want  string
	}{
		{"string", "./a.js", 0, "./a.js"},
		{"string at the depth limit", "./a.js", 8, "./a.js"},
		{"string past the depth limit", "./a.js", 9, ""},
		{"nil", nil, 0, ""},
		{"number", 1.0, 0, ""},
		{"empty array", []any{}, 0, ""},
		{"array, first usable", []any{nil, exportsObject{{"import", "./i.mjs"}}, "./b.js", "./c.js"}, 0, "./b.js"},
		{"the first applicable condition as written", exportsObject{{"default", "./d.js"}, {"node", "./n.js"}, {"require", "./r.js"}}, 0, "./d.js"},
		{"node written before require", exportsObject{{"node", "./n.js"}, {"require", "./r.js"}}, 0, "./n.js"},
		{"other conditions skipped", exportsObject{{"import", "./i.mjs"}, {"browser", "./b.js"}, {"require", "./r.js"}}, 0, "./r.js"},
		{"empty require skipped", exportsObject{{"require", ""}, {"default", "./d.js"}}, 0, "./d.js"},
		{"map past the depth limit", exportsObject{{"default", "./d.js"}}, 8, ""},
	}
	for _, c := range cases {
		if got := pickCondition(c.v, c.depth); got != c.want {
			t.Errorf("%s: pickCondition(%v, %d) = %q, want %q", c.name, c.v, c.depth, got, c.want)
		}
	}
}

// resolveTestFiles is a bundle exercising Node's LOAD_AS_FILE, LOAD_AS_DIRECTORY and
// LOAD_NODE_MODULES as pool.go implements them.
var resolveTestFiles = map[string]string{
	"index.js": ``,
	// What "/var/username/index.js" would name if the root were a bare prefix.
	"name/index.js": ``,
	// What /var/user/../../etc/passwd, /var/user/../x and /var/user/../userx/a would
	// name if the root were checked before cleaning.
	"etc/passwd.js": ``,
	"var/x.js":      ``,
	"x/a.js":        ``,

	"lib/a.js":             ``,
	"lib/b.json":           `{}`,
	"lib/c.cjs":            ``,
	"lib/d.mjs":            ``,
	"lib/exact":            ``,
	"lib/exact.js":         ``,
	"lib/both.js":          ``,
	"lib/both.json":        `{}`,
	"lib/both/index.js":    ``,
	"lib/dir/index.js":     ``,
	"lib/dir/x.js":         ``,
	"lib/jdir/index.json":  `{}`,
	"lib/cdir/index.cjs":   ``,
	"lib/empty/readme.txt": ``,

	"lib/pmain/package.json":    `{"main": "./src/entry"}`,
	"lib/pmain/src/entry.js":    ``,
	"lib/pmain/index.js":        ``,
	"lib/pjson/package.json":    `{"main": "data"}`,
	"lib/pjson/data.json":       `{}`,
	"lib/pmdir/package.json":    `{"main": "sub"}`,
	"lib/pmdir/sub/index.js":    ``,
	"lib/pexact/package.json":   `{"main": "lib/entry.js"}`,
	"lib/pexact/lib/entry.js":   ``,
	"lib/pgone/package.json":    `{"main": "missing.js"}`,
	"lib/pgone/index.js":        ``,
	"lib/pnone/package.json":    `{"main": "missing.js"}`,
	"lib/pnone/other.js":        ``,
	"lib/pnum/package.json":     `{"main": 42}`,
	"lib/pnum/index.js":         ``,
	"lib/pbad/package.json":     `{not json`,
	"lib/pbad/index.js":         ``,
	"lib/node_modules/pkg/a.js": ``,
	"lib/node_modules/pkg/b.js": ``,

	"node_modules/pkg/package.json":               `{"main": "main.js"}`,
	"node_modules/pkg/main.js":                    ``,
	"node_modules/pkg/extra.js":                   ``,
	"node_modules/pkg/sub/index.js":               ``,
	"node_modules/pkg/lib/inner.js":               ``,
	"node_modules/pkg/node_modules/dep/index.js":  ``,
	"node_modules/dep/index.js":                   ``,
	"node_modules/plain/index.js":                 ``,
	"node_modules/@scope/sp/index.js":             ``,
	"node_modules/@scope/sp/util.js":              ``,
	"node_modules/ex/package.json":                `{"main": "main.js", "exports": {".": {"import": "./esm.mjs", "require": "./cjs.js"}, "./feature": "./lib/feature.js", "./missing": "./nope.js"}}`,
	"node_modules/ex/main.js":                     ``,
	"node_modules/ex/cjs.js":                      ``,
	"node_modules/ex/esm.mjs":                     ``,
	"node_modules/ex/lib/feature.js":              ``,
	"node_modules/ex/feature.js":                  ``,
	"node_modules/ex/other.js":                    ``,
	"node_modules/ex/missing.js":                  ``,
	"node_modules/exstr/package.json":             `{"exports": "./dist/index.js"}`,
	"node_modules/exstr/dist/index.js":            ``,
	"node_modules/imponly/package.json":           `{"exports": {"import": "./x.mjs"}}`,
	"node_modules/imponly/x.mjs":                  ``,
	"node_modules/imponly/index.js":               ``,
	"node_modules/exgone/package.json":            `{"main": "real.js", "exports": "./nope.js"}`,
	"node_modules/exgone/real.js":                 ``,
	"node_modules/@scope/exs/package.json":        `{"exports": {".": "./root.js", "./util": {"node": "./u.js"}}}`,
	"node_modules/@scope/exs/root.js":             ``,
	"node_modules/@scope/exs/u.js":                ``,
	"node_modules/pkg/node_modules/dep/extra.js":  ``,
	"node_modules/deep/node_modules/x/index.json": `{}`,
	"node_modules/node_modules/y/index.js":        ``,
}

func TestVersionCodeResolve(t *testing.T) {
	c := newVersionCode(testVersion("resolve", resolveTestFiles), "env")
	cases := []struct {
		name, dir, request, want string
	}{
		// LOAD_AS_FILE.
		{"exact file", "", "./lib/a.js", "lib/a.js"},
		{"adds .js", "", "./lib/a", "lib/a.js"},
		{"adds .json", "", "./lib/b", "lib/b.json"},
		{"adds .cjs", "", "./lib/c", "lib/c.cjs"},
		{"no .mjs extension", "", "./lib/d", ""},
		{".mjs named exactly", "", "./lib/d.mjs", "lib/d.mjs"},
		{"exact before extensions", "", "./lib/exact", "lib/exact"},
		{".js before .json, a file before a folder", "", "./lib/both", "lib/both.js"},
		{"relative to dir", "lib", "./a", "lib/a.js"},
		{"parent of dir", "lib/dir", "../a", "lib/a.js"},
		{"sibling of dir", "lib/dir", "./x", "lib/dir/x.js"},
		{"redundant segments", "lib", "./dir/../a", "lib/a.js"},
		// LOAD_AS_DIRECTORY.
		{"index.js", "", "./lib/dir", "lib/dir/index.js"},
		{"index.json", "", "./lib/jdir", "lib/jdir/index.json"},
		{"index.cjs", "", "./lib/cdir", "lib/cdir/index.cjs"},
		{"folder with no index", "", "./lib/empty", ""},
		{"package.json main plus .js", "", "./lib/pmain", "lib/pmain/src/entry.js"},
		{"package.json main plus .json", "", "./lib/pjson", "lib/pjson/data.json"},
		{"package.json main is a folder", "", "./lib/pmdir", "lib/pmdir/sub/index.js"},
		{"package.json main exact", "", "./lib/pexact", "lib/pexact/lib/entry.js"},
		{"missing main falls back to index.js", "", "./lib/pgone", "lib/pgone/index.js"},
		{"missing main and no index", "", "./lib/pnone", ""},
		{"non-string main ignored", "", "./lib/pnum", "lib/pnum/index.js"},
		{"unreadable package.json ignored", "", "./lib/pbad", "lib/pbad/index.js"},
		{"dot is the module's folder", "lib/dir", ".", "lib/dir/index.js"},
		{"dot-dot is the parent folder", "lib", "..", "index.js"},
		{"dot at the root", "", ".", "index.js"},
		{"parent folder with no index", "lib/dir", "..", ""},
		// Absolute requests: only under the bundle root.
		{"under the bundle root", "lib", "/var/user/lib/a", "lib/a.js"},
		{"the bundle root itself", "lib", "/var/user", "index.js"},
		{"the bundle root with a slash", "", "/var/user/", "index.js"},
		{"cleaned under the root", "", "/var/user/lib/dir/../a.js", "lib/a.js"},
		{"outside the bundle root", "", "/etc/passwd", ""},
		{"a sibling of the bundle root", "", "/var/username/index.js", ""},
		{"the root's parent", "", "/var", ""},
		{"climbing out of the root", "", "/var/user/../../etc/passwd", ""},
		{"climbing to a sibling", "", "/var/user/../x", ""},
		{"climbing to a prefixed sibling", "", "/var/user/../userx/a", ""},
		// Escaping the bundle.
		{"parent of the root", "", "../index.js", ""},
		{"dot-dot at the root", "", "..", ""},
		{"far above the root", "lib/dir", "../../../index.js", ""},
		{"a package path climbing out", "", "x/../../../etc/passwd", ""},
		// LOAD_NODE_MODULES.
		{"package main", "", "pkg", "node_modules/pkg/main.js"},
		{"package with a trailing slash", "", "pkg/", "node_modules/pkg/main.js"},
		{"package index.js", "", "plain", "node_modules/plain/index.js"},
		{"package file", "", "pkg/extra", "node_modules/pkg/extra.js"},
		{"package folder", "", "pkg/sub", "node_modules/pkg/sub/index.js"},
		{"package missing file", "", "pkg/nope", ""},
		{"missing package", "", "left-pad", ""},
		{"scoped package", "", "@scope/sp", "node_modules/@scope/sp/index.js"},
		{"scoped package file", "", "@scope/sp/util", "node_modules/@scope/sp/util.js"},
		{"bare scope", "", "@scope", ""},
		{"empty request", "", "", ""},
		{"found in an ancestor folder", "lib/dir", "plain", "node_modules/plain/index.js"},
		{"nearest node_modules wins", "lib/dir", "pkg/a", "lib/node_modules/pkg/a.js"},
		{"a nearer copy without the file: keep walking", "lib", "pkg", "node_modules/pkg/main.js"},
		{"a nearer copy does not hide other files", "lib/dir", "pkg/extra", "node_modules/pkg/extra.js"},
		{"inside a package, its own node_modules first", "node_modules/pkg/lib", "dep", "node_modules/pkg/node_modules/dep/index.js"},
		{"a package's deps are not visible outside it", "", "dep/extra", ""},
		{"a package's own node_modules", "node_modules/deep", "x", "node_modules/deep/node_modules/x/index.json"},
		{"node_modules/node_modules is not searched", "node_modules", "y", ""},
		{"nor from deeper", "node_modules/pkg", "y", ""},
		// package.json "exports".
		{"exports require condition", "", "ex", "node_modules/ex/cjs.js"},
		{"exports subpath", "", "ex/feature", "node_modules/ex/lib/feature.js"},
		{"exports target missing: the file itself", "", "ex/missing", "node_modules/ex/missing.js"},
		{"subpath not in exports: the file itself", "", "ex/other", "node_modules/ex/other.js"},
		{"exports string", "", "exstr", "node_modules/exstr/dist/index.js"},
		{"exports import only: index.js", "", "imponly", "node_modules/imponly/index.js"},
		{"exports target missing: main", "", "exgone", "node_modules/exgone/real.js"},
		{"scoped exports root", "", "@scope/exs", "node_modules/@scope/exs/root.js"},
		{"scoped exports subpath", "", "@scope/exs/util", "node_modules/@scope/exs/u.js"},
	}
	for _, tc := range cases {
		if got := c.resolve(tc.dir, tc.request); got != tc.want {
			t.Errorf("%s: resolve(%q, %q) = %q, want %q", tc.name, tc.dir, tc.request, got, tc.want)
		}
		// A second call is answered from the cache, identically.
		if got := c.resolve(tc.dir, tc.request); got != tc.want {
			t.Errorf("%s: second resolve(%q, %q) = %q, want %q", tc.name, tc.dir, tc.request, got, tc.want)
		}
	}
}

func TestVersionCodeResolveRootPackage(t *testing.T) {
	c := newVersionCode(testVersion("rootpkg", map[string]string{
		"package.json": `{"main": "src/app.js"}`,
		"src/app.js":   ``,
		"index.js":     ``,
	}), "env")
	if c.entry != "src/app.js" {
		t.Errorf("entry %q, want src/app.js", c.entry)
	}
	for _, tc := range []struct{ dir, request string }{{"", "."}, {"src", ".."}, {"src", "/var/user"}} {
		if got := c.resolve(tc.dir, tc.request); got != "src/app.js" {
			t.Errorf("resolve(%q, %q) = %q, want src/app.js", tc.dir, tc.request, got)
		}
	}
	if got := c.resolveFile(""); got != "src/app.js" {
		t.Errorf("resolveFile(\"\") = %q", got)
	}
	if got := c.resolve("src", "./index"); got != "" {
		t.Errorf("resolve(src, ./index) = %q, want \"\"", got)
	}
}

func TestVersionCodeResolveFileDirPackage(t *testing.T) {
	c := newVersionCode(testVersion("resolve", resolveTestFiles), "env")
	files := []struct{ in, want string }{
		{"lib/a", "lib/a.js"},
		{"/lib/a", "lib/a.js"},
		{"lib/./dir/../a", "lib/a.js"},
		{"lib/dir", "lib/dir/index.js"},
		{"", "index.js"},
		{".", "index.js"},
		{"/", "index.js"},
		{"..", ""},
		{"../index.js", ""},
		{"lib/../../index.js", ""},
		{"lib/nope", ""},
	}
	for _, f := range files {
		if got := c.resolveFile(f.in); got != f.want {
			t.Errorf("resolveFile(%q) = %q, want %q", f.in, got, f.want)
		}
	}
	dirs := []struct{ in, want string }{
		{"", "index.js"},
		{"lib/pmain", "lib/pmain/src/entry.js"},
		{"lib/pgone", "lib/pgone/index.js"},
		{"lib/jdir", "lib/jdir/index.json"},
		{"lib", ""},
		// resolveDir is LOAD_AS_DIRECTORY only: a file of that name is not looked at.
		{"lib/a", ""},
	}
	for _, d := range dirs {
		if got := c.resolveDir(d.in); got != d.want {
			t.Errorf("resolveDir(%q) = %q, want %q", d.in, got, d.want)
		}
	}
	pkgs := []struct{ dir, sub, want string }{
		{"node_modules/ex", ".", "node_modules/ex/cjs.js"},
		{"node_modules/ex", "./feature", "node_modules/ex/lib/feature.js"},
		{"node_modules/ex", "./other", "node_modules/ex/other.js"},
		{"node_modules/pkg", ".", "node_modules/pkg/main.js"},
		{"node_modules/pkg", "./sub", "node_modules/pkg/sub/index.js"},
		{"node_modules/none", ".", ""},
	}
	for _, p := range pkgs {
		if got := c.resolvePackage(p.dir, p.sub); got != p.want {
			t.Errorf("resolvePackage(%q, %q) = %q, want %q", p.dir, p.sub, got, p.want)
		}
	}
}

func TestVersionCodeResolveCache(t *testing.T) {
	c := newVersionCode(testVersion("cache", map[string]string{
		"index.js": ``,
		"lib/a.js": ``,
	}), "env")
	if got := c.resolve("", "./lib/a"); got != "lib/a.js" {
		t.Fatalf("resolve = %q", got)
	}
	if got := c.resolve("", "./lib/b"); got != "" {
		t.Fatalf("resolve = %q", got)
	}
	// Change the files behind the cache's back: cached answers, found or not, stay.
	delete(c.files, "lib/a.js")
	c.files["lib/b.js"] = nil
	if got := c.resolve("", "./lib/a"); got != "lib/a.js" {
		t.Errorf("cached resolve = %q, want lib/a.js", got)
	}
	if got := c.resolve("", "./lib/b"); got != "" {
		t.Errorf("cached miss = %q, want \"\"", got)
	}
	// The key is (dir, request): the same file from another folder is resolved afresh.
	if got := c.resolve("lib", "./a"); got != "" {
		t.Errorf("uncached resolve(lib, ./a) = %q, want \"\"", got)
	}
	if got := c.resolve("lib", "./b"); got != "lib/b.js" {
		t.Errorf("uncached resolve(lib, ./b) = %q, want lib/b.js", got)
	}
	// package.json is read once per folder.
	c.files["pkg/package.json"] = []byte(`{"main": "m.js"}`)
	first := c.pkg("pkg")
	if !first.ok || first.main != "m.js" {
		t.Fatalf("pkg = %+v", first)
	}
	c.files["pkg/package.json"] = []byte(`{"main": "other.js"}`)
	if again := c.pkg("pkg"); again != first {
		t.Errorf("pkg re-read: %+v", again)
	}
	if none := c.pkg("nowhere"); none.ok || none.main != "" || none.exports != nil {
		t.Errorf("pkg of a folder without package.json = %+v", none)
	}
}

// ---- versionPool ----

// newTestPool returns a pool of a trivial version on a runtime keeping up to maxIdle
// instances, and a maker of real instances of that version.
func newTestPool(t *testing.T, maxIdle int) (*versionPool, func() *Instance) {
	t.Helper()
	r := newTestRuntime(RuntimeConfig{MaxIdlePerVersion: maxIdle})
	v := testVersion("pooled", map[string]string{"index.js": `exports.main = () => 1`})
	p := newVersionPool(r, v)
	return p, func() *Instance { return r.newInstance(p, v) }
}

// released reports whether in.release() ran (it drops the VM).
func released(in *Instance) bool { return in.vm == nil }

func TestVersionPoolLIFO(t *testing.T) {
	p, newInst := newTestPool(t, 8)
	if p.code == nil || p.function != "pooled" {
		t.Fatalf("pool %+v", p)
	}
	if in := p.get(); in != nil {
		t.Fatalf("empty pool gave %p", in)
	}
	a, b, c := newInst(), newInst(), newInst()
	before := time.Now()
	for _, in := range []*Instance{a, b, c} {
		p.put(in)
	}
	if n := p.idleCount(); n != 3 {
		t.Fatalf("idleCount %d, want 3", n)
	}
	if a.idleSince.Before(before) || c.idleSince.Before(a.idleSince) {
		t.Errorf("idleSince not set by put: %v %v (put after %v)", a.idleSince, c.idleSince, before)
	}
	// The most recently returned instance comes out first.
	for i, want := range []*Instance{c, b} {
		if got := p.get(); got != want {
			t.Fatalf("get #%d = %p, want %p", i, got, want)
		}
	}
	p.put(c)
	for i, want := range []*Instance{c, a} {
		if got := p.get(); got != want {
			t.Fatalf("get after put #%d = %p, want %p", i, got, want)
		}
	}
	if in := p.get(); in != nil || p.idleCount() != 0 {
		t.Fatalf("drained pool gave %p (idle %d)", in, p.idleCount())
	}
	for _, in := range []*Instance{a, b, c} {
		if released(in) {
			t.Errorf("instance %p released by get/put", in)
		}
	}
	// get does not keep a reference to what it handed out.
	if s := p.idle[:cap(p.idle)]; len(s) > 0 {
		for i, in := range s {
			if in != nil {
				t.Errorf("idle backing array slot %d still holds %p", i, in)
			}
		}
	}
}

func TestVersionPoolMaxIdle(t *testing.T) {
	p, newInst := newTestPool(t, 2)
	a, b, c := newInst(), newInst(), newInst()
	p.put(a)
	p.put(b)
	p.put(c) // over MaxIdlePerVersion: discarded
	if n := p.idleCount(); n != 2 {
		t.Fatalf("idleCount %d, want 2", n)
	}
	if !released(c) || released(a) || released(b) {
		t.Errorf("released a=%v b=%v c=%v, want only c", released(a), released(b), released(c))
	}
	if got := p.get(); got != b {
		t.Errorf("get = %p, want b %p", got, b)
	}
}

func TestVersionPoolDrainAndClose(t *testing.T) {
	p, newInst := newTestPool(t, 8)
	a, b := newInst(), newInst()
	p.put(a)
	p.put(b)
	p.drain()
	if n := p.idleCount(); n != 0 {
		t.Fatalf("idleCount after drain %d", n)
	}
	if !released(a) || !released(b) {
		t.Errorf("drain did not release: a=%v b=%v", released(a), released(b))
	}
	if in := p.get(); in != nil {
		t.Errorf("get after drain = %p", in)
	}
	// A drained pool still takes instances back.
	c := newInst()
	p.put(c)
	if p.idleCount() != 1 || released(c) {
		t.Fatalf("put after drain: idle %d, released %v", p.idleCount(), released(c))
	}
	// close drains for good.
	p.close()
	if !released(c) || p.idleCount() != 0 {
		t.Errorf("close: released %v, idle %d", released(c), p.idleCount())
	}
	d := newInst()
	p.put(d)
	if !released(d) || p.idleCount() != 0 {
		t.Errorf("put after close: released %v, idle %d", released(d), p.idleCount())
	}
	if in := p.get(); in != nil {
		t.Errorf("get after close = %p", in)
	}
	p.close() // idempotent
	p.drain()
}

func TestVersionPoolSweep(t *testing.T) {
	p, newInst := newTestPool(t, 8)
	a, b, c, d := newInst(), newInst(), newInst(), newInst()
	for _, in := range []*Instance{a, b, c, d} {
		p.put(in)
	}
	now := time.Now().Add(time.Hour)
	a.idleSince = now.Add(-idleTTL - time.Second) // expired
	b.idleSince = now.Add(-idleTTL)               // exactly idleTTL: kept
	c.idleSince = now.Add(-2 * idleTTL)           // expired
	d.idleSince = now.Add(-time.Second)           // fresh
	if p.sweep(now) {
		t.Error("sweep reported a pool with idle instances unused")
	}
	if n := p.idleCount(); n != 2 {
		t.Fatalf("idleCount after sweep %d, want 2", n)
	}
	if !released(a) || !released(c) || released(b) || released(d) {
		t.Errorf("released a=%v b=%v c=%v d=%v, want a and c", released(a), released(b), released(c), released(d))
	}
	for i, in := range p.idle[len(p.idle):cap(p.idle)] {
		if in != nil {
			t.Errorf("idle backing array keeps dropped instance %p at %d", in, len(p.idle)+i)
		}
	}
	// Survivors keep their LIFO order.
	if got := p.get(); got != d {
		t.Errorf("first get after sweep = %p, want d %p", got, d)
	}
	if got := p.get(); got != b {
		t.Errorf("second get after sweep = %p, want b %p", got, b)
	}
}

func TestVersionPoolSweepUnused(t *testing.T) {
	p, newInst := newTestPool(t, 8)
	used := time.Now().Add(-time.Hour)
	p.lastUsed = used

	if p.sweep(used.Add(poolTTL)) {
		t.Error("unused at exactly poolTTL")
	}
	if !p.sweep(used.Add(poolTTL + time.Nanosecond)) {
		t.Error("not unused past poolTTL")
	}
	// An idle instance, even an old one, counts until it is dropped: the sweep that
	// drops the last one reports the pool unused.
	in := newInst()
	p.put(in)
	in.idleSince = used
	if p.sweep(used.Add(idleTTL)) {
		t.Error("unused with an instance idle for exactly idleTTL")
	}
	if !p.sweep(used.Add(poolTTL + time.Second)) {
		t.Error("sweep dropping the last instance of a pool unused for poolTTL did not report it unused")
	}
	if !released(in) {
		t.Error("expired instance not released")
	}
	// get (hit or miss) marks the pool used.
	if got := p.get(); got != nil {
		t.Fatalf("get = %p", got)
	}
	if p.sweep(time.Now().Add(poolTTL - time.Minute)) {
		t.Error("unused right after get")
	}
	if !p.sweep(time.Now().Add(poolTTL + time.Minute)) {
		t.Error("not unused poolTTL after the last get")
	}
}
