package cloudfns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// A versionPool holds what one version (Version.Key()) shares: its compiled code, and
// its idle warm instances (LIFO, so the most recently used, cache-warm one goes first).
type versionPool struct {
	rt       *Runtime
	function string
	code     *versionCode

	mu       sync.Mutex
	idle     []*Instance
	closed   bool
	lastUsed time.Time
}

// Instances idle longer than idleTTL are dropped; pools unused for poolTTL are removed.
const (
	idleTTL = 10 * time.Minute
	poolTTL = 30 * time.Minute
)

func newVersionPool(r *Runtime, v *Version) *versionPool {
	return &versionPool{
		rt:       r,
		function: v.Function,
		code:     newVersionCode(v, r.envID()),
		lastUsed: time.Now(),
	}
}

func (p *versionPool) get() *Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastUsed = time.Now()
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		return in
	}
	return nil
}

func (p *versionPool) put(in *Instance) {
	p.mu.Lock()
	if p.closed || len(p.idle) >= p.rt.cfg.MaxIdlePerVersion {
		p.mu.Unlock()
		in.release()
		return
	}
	in.idleSince = time.Now()
	p.idle = append(p.idle, in)
	p.mu.Unlock()
}

func (p *versionPool) idleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// drain drops the idle instances.
func (p *versionPool) drain() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, in := range idle {
		in.release()
	}
}

// close drains the pool for good: instances returned later are discarded.
func (p *versionPool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.drain()
}

// sweep drops instances idle for longer than idleTTL and reports whether the whole
// pool has been unused for poolTTL.
func (p *versionPool) sweep(now time.Time) (unused bool) {
	p.mu.Lock()
	keep := p.idle[:0]
	var dropped []*Instance
	for _, in := range p.idle {
		if now.Sub(in.idleSince) > idleTTL {
			dropped = append(dropped, in)
		} else {
			keep = append(keep, in)
		}
	}
	for i := len(keep); i < len(p.idle); i++ {
		p.idle[i] = nil
	}
	p.idle = keep
	unused = len(p.idle) == 0 && now.Sub(p.lastUsed) > poolTTL
	p.mu.Unlock()
	for _, in := range dropped {
		in.release()
	}
	return unused
}

// versionCode is a version's code as the runtime uses it: each JavaScript file is
// compiled once (on first require) into a goja.Program that every instance of the
// version runs; module resolution results are cached too.
type versionCode struct {
	files      map[string][]byte
	sourceMaps map[string][]byte
	config     Config
	function   string
	number     int
	entry      string
	environ    string            // context.environ: "k=v;k2=v2"
	env        map[string]string // process.env

	mu       sync.Mutex
	progs    map[string]*compiledFile
	resolved map[string]string // dir + "\x00" + request -> path ("" when not found)
	pkgs     map[string]*pkgInfo

	dirsOnce sync.Once
	dirs     map[string][]string // require_fs.go bundleDirs
}

type compiledFile struct {
	once sync.Once
	prg  *goja.Program
	err  error
}

type pkgInfo struct {
	main    string // package.json "main", or "" when absent or unreadable
	exports json.RawMessage
	ok      bool // package.json exists
}

func newVersionCode(v *Version, envID string) *versionCode {
	c := &versionCode{
		files:      v.Bundle.Files,
		sourceMaps: v.Bundle.SourceMaps,
		config:     v.Bundle.Config,
		function:   v.Function,
		number:     v.Number,
		progs:      map[string]*compiledFile{},
		resolved:   map[string]string{},
		pkgs:       map[string]*pkgInfo{},
	}
	// The entry module is the one the deploy checked (package.json's main, else
	// index.js).
	if c.entry = v.Bundle.Entry(); c.entry == "" {
		c.entry = "index.js" // reported as a missing main on the first call
	}
	c.environ, c.env = functionEnv(v, envID)
	return c
}

// program returns the compiled module wrapper of a JavaScript file.
func (c *versionCode) program(p string) (*goja.Program, error) {
	c.mu.Lock()
	cf := c.progs[p]
	if cf == nil {
		cf = &compiledFile{}
		c.progs[p] = cf
	}
	c.mu.Unlock()
	cf.once.Do(func() { cf.prg, cf.err = c.compile(p) })
	return cf.prg, cf.err
}

// moduleWrapperPrefix opens the CommonJS wrapper. It shares line 1 with the file's
// first line, so source maps are shifted by its length on that line (sourcemap.go).
const moduleWrapperPrefix = "(function (exports, require, module, __filename, __dirname) {"

func (c *versionCode) compile(p string) (*goja.Program, error) {
	src := string(c.files[p])
	if strings.HasPrefix(src, "#!") {
		src = "//" + src[2:]
	}
	// Source maps never come from the host: the parser's own loader would read the
	// file a sourceMappingURL names. sourcemap.go attaches the bundle's map instead.
	ast, err := goja.Parse(p, moduleWrapperPrefix+src+"\n})", parser.WithDisableSourceMaps)
	if err != nil {
		return nil, err
	}
	if sm := c.sourceMap(p, src); sm != nil {
		ast.File.SetSourceMap(sm)
	}
	return goja.CompileAST(ast, false)
}

// pkg reads dir/package.json (cached).
func (c *versionCode) pkg(dir string) *pkgInfo {
	c.mu.Lock()
	pi := c.pkgs[dir]
	c.mu.Unlock()
	if pi != nil {
		return pi
	}
	pi = &pkgInfo{}
	if data, ok := c.files[path.Join(dir, "package.json")]; ok {
		pi.ok = true
		var pj struct {
			Main    any             `json:"main"`
			Exports json.RawMessage `json:"exports"`
		}
		if json.Unmarshal(data, &pj) == nil {
			if s, ok := pj.Main.(string); ok {
				pi.main = s
			}
			pi.exports = pj.Exports
		}
	}
	c.mu.Lock()
	c.pkgs[dir] = pi
	c.mu.Unlock()
	return pi
}

// resolveFile applies Node's LOAD_AS_FILE then LOAD_AS_DIRECTORY to a bundle path.
func (c *versionCode) resolveFile(p string) string {
	if p = path.Clean(p); p == ".." || strings.HasPrefix(p, "../") {
		return "" // outside the bundle
	}
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return c.resolveDir("")
	}
	if _, ok := c.files[p]; ok {
		return p
	}
	for _, ext := range [...]string{".js", ".json", ".cjs"} {
		if _, ok := c.files[p+ext]; ok {
			return p + ext
		}
	}
	return c.resolveDir(p)
}

func (c *versionCode) resolveDir(dir string) string {
	if pi := c.pkg(dir); pi.ok && pi.main != "" {
		m := path.Join(dir, pi.main)
		if _, ok := c.files[m]; ok {
			return m
		}
		for _, ext := range [...]string{".js", ".json", ".cjs"} {
			if _, ok := c.files[m+ext]; ok {
				return m + ext
			}
		}
		for _, idx := range [...]string{"/index.js", "/index.json"} {
			if _, ok := c.files[m+idx]; ok {
				return m + idx
			}
		}
	}
	for _, idx := range [...]string{"index.js", "index.json", "index.cjs"} {
		if _, ok := c.files[path.Join(dir, idx)]; ok {
			return path.Join(dir, idx)
		}
	}
	return ""
}

// resolve finds the bundle file a require(request) from a module in dir names, or "".
func (c *versionCode) resolve(dir, request string) string {
	key := dir + "\x00" + request
	c.mu.Lock()
	p, ok := c.resolved[key]
	c.mu.Unlock()
	if ok {
		return p
	}
	p = c.resolveUncached(dir, request)
	c.mu.Lock()
	if len(c.resolved) < 100000 {
		c.resolved[key] = p
	}
	c.mu.Unlock()
	return p
}

// bundleRoot is where functions believe their code lives (CloudBase's /var/user);
// __filename and __dirname are under it, and absolute requires under it resolve into
// the bundle.
const bundleRoot = "/var/user"

func (c *versionCode) resolveUncached(dir, request string) string {
	switch {
	case strings.HasPrefix(request, "./") || strings.HasPrefix(request, "../") || request == "." || request == "..":
		return c.resolveFile(path.Join(dir, request))
	case strings.HasPrefix(request, "/"):
		// Cleaned first: /var/user/../x names /var/x, outside the bundle.
		if p := path.Clean(request); p == bundleRoot || strings.HasPrefix(p, bundleRoot+"/") {
			return c.resolveFile(strings.TrimPrefix(p, bundleRoot))
		}
		return ""
	}
	// A package: walk up node_modules folders.
	name, sub := splitPackage(request)
	if name == "" {
		return ""
	}
	for d := dir; ; d = path.Dir(d) {
		if d == "." {
			d = ""
		}
		if path.Base(d) != "node_modules" {
			pkgDir := path.Join(d, "node_modules", name)
			if p := c.resolvePackage(pkgDir, sub); p != "" {
				return p
			}
		}
		if d == "" {
			return ""
		}
	}
}

// resolvePackage resolves a subpath ("" or "./x") inside a package folder, honouring a
// simple package.json "exports".
func (c *versionCode) resolvePackage(pkgDir, sub string) string {
	pi := c.pkg(pkgDir)
	if pi.ok && len(pi.exports) > 0 {
		if target := exportsTarget(pi.exports, sub); target != "" {
			if p := c.resolveFile(path.Join(pkgDir, target)); p != "" {
				return p
			}
		}
	}
	if sub == "." {
		return c.resolveFile(pkgDir)
	}
	return c.resolveFile(path.Join(pkgDir, sub))
}

// exportsTarget picks the CommonJS target of package.json "exports" for subpath ("."
// or "./x"): strings, {".": …, "./x": …}, arrays of fallbacks, and the conditions
// require, node and default, the first of them in the order written (as Node does).
func exportsTarget(raw json.RawMessage, sub string) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	v, err := decodeExports(dec, 0)
	if err != nil {
		return ""
	}
	if _, err := dec.Token(); err != io.EOF { // one value and nothing after it
		return ""
	}
	if fields, ok := v.(exportsObject); ok {
		dotted := false
		for _, f := range fields {
			if strings.HasPrefix(f.key, ".") {
				dotted = true
				break
			}
		}
		if dotted {
			e, ok := fields.get(sub)
			if !ok {
				return ""
			}
			v = e
		} else if sub != "." {
			return ""
		}
	} else if sub != "." {
		return ""
	}
	return pickCondition(v, 0)
}

// exportsObject is a JSON object of "exports" with its keys in the order written.
type exportsObject []exportsField

type exportsField struct {
	key   string
	value any
}

func (o exportsObject) get(key string) (any, bool) {
	for _, f := range o {
		if f.key == key {
			return f.value, true
		}
	}
	return nil, false
}

// maxExportsDepth bounds the nesting decodeExports follows (pickCondition stops
// at 8 anyway).
const maxExportsDepth = 32

// decodeExports reads one JSON value: objects as exportsObject, arrays as []any,
// scalars as encoding/json makes them.
func decodeExports(dec *json.Decoder, depth int) (any, error) {
	if depth > maxExportsDepth {
		return nil, errors.New("exports nested too deep")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		var o exportsObject
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := decodeExports(dec, depth+1)
			if err != nil {
				return nil, err
			}
			o = append(o, exportsField{k, v})
		}
		_, err = dec.Token()
		return o, err
	case '[':
		a := []any{}
		for dec.More() {
			v, err := decodeExports(dec, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err = dec.Token()
		return a, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

func pickCondition(v any, depth int) string {
	if depth > 8 {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case []any:
		for _, e := range t {
			if s := pickCondition(e, depth+1); s != "" {
				return s
			}
		}
	case exportsObject:
		for _, f := range t {
			switch f.key {
			case "require", "node", "default":
				if s := pickCondition(f.value, depth+1); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// splitPackage splits "lodash/fp" into ("lodash", "./fp") and "@a/b/c" into ("@a/b", "./c").
func splitPackage(req string) (name, sub string) {
	parts := strings.SplitN(req, "/", 3)
	if strings.HasPrefix(req, "@") {
		if len(parts) < 2 || parts[1] == "" {
			return "", ""
		}
		name = parts[0] + "/" + parts[1]
		if len(parts) == 3 {
			sub = "./" + parts[2]
		}
	} else {
		name = parts[0]
		if i := strings.IndexByte(req, '/'); i >= 0 {
			sub = "./" + req[i+1:]
		}
	}
	if sub == "" || sub == "./" {
		sub = "."
	}
	if name == "" || name == "." || name == ".." {
		return "", ""
	}
	return name, sub
}
