package cloudfns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// This file turns a CloudBase function folder into a validated Bundle.
//
// What a bundle holds: every file of the folder (helpers, JSON, package.json,
// config.json, node_modules with pure-JS packages) except dotfiles and dot-folders
// (.git, .DS_Store, node_modules/.bin …), TypeScript declarations (*.d.ts), source maps
// in node_modules and the packages Minicloud provides natively (node_modules/wx-server-sdk,
// node_modules/@cloudbase/node-sdk: require() of those names always gets Minicloud's
// modules).
//
// JavaScript is stored as CommonJS that goja runs: files goja can't compile (ES modules,
// syntax goja lacks) and TypeScript are transformed by esbuild at deploy time (see
// transform.go). A TypeScript file is stored under its JavaScript name, as tsc would
// emit it (x.ts → x.js, x.mts → x.mjs, x.cts → x.cjs), so require('./x') resolves; when
// both x.ts and x.js exist, x.js is kept (it is what Node, and CloudBase, would run).
// Every transformed file has a source map in Bundle.SourceMaps under its stored path;
// the map's `sources` holds the original file name relative to the file's folder (the
// standard convention), e.g. lib/util.js's map names "util.ts".
//
// Validation: the function's own JavaScript files must compile in goja (syntax errors
// are reported at file:line:col of the user's source), the entry must exist, and the
// entry's top-level code is run once as a cold start runs it, on a host-less runtime,
// to check that it exports a main function (bundle_check.go). Files under node_modules
// are transformed the same way, but one that still does not compile is kept as it is
// and fails only if it is required.

// DeployError is a bundle refused at deploy time. File, Line and Column (1-based; zero
// when unknown) point into the user's original source.
type DeployError struct {
	Function string
	File     string
	Line     int
	Column   int
	Msg      string
}

func (e *DeployError) Error() string {
	var b strings.Builder
	if e.Function != "" {
		b.WriteString(e.Function)
		b.WriteString(": ")
	}
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Code is the error code callers report for a refused deploy.
func (e *DeployError) Code() string { return CodeDeployInvalid }

// InvokeError converts e for callers that answer with CloudBase's error shape.
func (e *DeployError) InvokeError() *InvokeError {
	return &InvokeError{Code: CodeDeployInvalid, Message: e.Error()}
}

// NativeModules are the packages Minicloud implements itself: a bundle never carries
// them (their node_modules folders are skipped) and require() always gets Minicloud's.
var NativeModules = []string{"wx-server-sdk", "@cloudbase/node-sdk"}

var functionNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,59}$`)

// ValidateFunctionName checks CloudBase's rule for function names: letters, digits, '-'
// and '_', starting with a letter, at most 60 characters.
func ValidateFunctionName(name string) error {
	if !functionNameRE.MatchString(name) {
		return fmt.Errorf("%w %q: use letters, digits, '-' and '_', start with a letter, at most 60 characters",
			ErrInvalidFunctionName, name)
	}
	return nil
}

// ErrInvalidFunctionName is wrapped by ValidateFunctionName's errors.
var ErrInvalidFunctionName = errors.New("invalid function name")

// LoadBundle reads a function folder from disk; see LoadBundleFS.
func LoadBundle(dir string) (*Bundle, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	return LoadBundleFS(os.DirFS(dir))
}

// IsFunctionDir reports whether a folder looks like one cloud function: it has an
// index.js (or index.ts, index.mjs …) or a package.json.
func IsFunctionDir(fsys fs.FS) bool {
	for _, name := range []string{"index.js", "index.ts", "index.mjs", "index.mts", "index.cjs", "index.cts", "package.json"} {
		if st, err := fs.Stat(fsys, name); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}

// LoadBundleFS reads a CloudBase function folder, transforms what goja can't run as it
// is, and validates the result. Errors about the code are *DeployError.
func LoadBundleFS(fsys fs.FS) (*Bundle, error) {
	raw, err := readTree(fsys)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Files: make(map[string][]byte, len(raw)), SourceMaps: map[string][]byte{}}

	if data, ok := raw["config.json"]; ok {
		cfg, err := parseConfig(data)
		if err != nil {
			return nil, err
		}
		b.Config = cfg
	}
	if data, ok := raw["package.json"]; ok {
		var pkg map[string]any
		if err := json.Unmarshal(data, &pkg); err != nil {
			return nil, &DeployError{File: "package.json", Msg: "invalid JSON: " + err.Error()}
		}
	}
	tsconfig := ""
	if data, ok := raw["tsconfig.json"]; ok {
		tsconfig = string(data)
	}

	// Sources to check or transform, in a stable order.
	var jobs []string
	for p := range raw {
		kind := sourceKindOf(p)
		if kind == kindTS && isDependency(p) {
			kind = kindOther // packages ship compiled JavaScript; their .ts are sources Node never runs
		}
		if kind != kindOther {
			jobs = append(jobs, p)
		} else {
			b.Files[p] = raw[p]
		}
	}
	sort.Strings(jobs)

	type result struct {
		out  string
		code []byte
		smap []byte
		err  *DeployError
	}
	results := make([]result, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	workers := min(runtime.GOMAXPROCS(0), max(len(jobs), 1))
	for range workers {
		wg.Go(func() {
			for i := range next {
				p := jobs[i]
				out, code, smap, derr := prepareSource(p, raw[p], tsconfig, isDependency(p))
				if derr != nil && isDependency(p) {
					// A package file goja can't compile stays as it is: it fails only
					// if the function requires it.
					out, code, smap, derr = p, raw[p], nil, nil
				}
				results[i] = result{out, code, smap, derr}
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	for i, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		if r.out != jobs[i] {
			if _, exists := raw[r.out]; exists {
				continue // x.ts next to x.js: the JavaScript file wins
			}
		}
		b.Files[r.out] = r.code
		if r.smap != nil {
			b.SourceMaps[r.out] = r.smap
		}
	}
	if len(b.SourceMaps) == 0 {
		b.SourceMaps = nil
	}

	entry := b.Entry()
	if entry == "" {
		if main := packageMain(b.Files); main != "" {
			return nil, &DeployError{File: "package.json", Msg: fmt.Sprintf("its main %q is not a file of the function", main)}
		}
		return nil, &DeployError{Msg: "no index.js (or index.ts): CloudBase runs index.js's exported main"}
	}
	if err := checkMainExport(b, entry); err != nil {
		return nil, err
	}
	return b, nil
}

// Entry returns the path of the bundle's entry module: the file package.json's main
// names (resolved as require() would), else index.js (CloudBase's handler
// "index.main"); "" if there is none.
func (b *Bundle) Entry() string {
	if main := packageMain(b.Files); main != "" {
		if p, ok := b.resolvePath(path.Clean(main)); ok {
			return p
		}
	}
	if _, ok := b.Files["index.js"]; ok {
		return "index.js"
	}
	return ""
}

// resolvePath resolves a bundle path as Node's require does for a file or folder:
// X, X.js, X.json, then X/package.json's main, X/index.js, X/index.json.
func (b *Bundle) resolvePath(p string) (string, bool) {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		p = "."
	}
	for _, cand := range []string{p, p + ".js", p + ".json"} {
		if _, ok := b.Files[cand]; ok {
			return cand, true
		}
	}
	return b.resolveDir(p)
}

func (b *Bundle) resolveDir(p string) (string, bool) {
	join := func(name string) string {
		if p == "." {
			return name
		}
		return p + "/" + name
	}
	if data, ok := b.Files[join("package.json")]; ok {
		var pkg struct {
			Main string `json:"main"`
		}
		if json.Unmarshal(data, &pkg) == nil && pkg.Main != "" {
			m := path.Join(p, pkg.Main)
			for _, cand := range []string{m, m + ".js", m + ".json", m + "/index.js", m + "/index.json"} {
				if _, ok := b.Files[cand]; ok {
					return cand, true
				}
			}
		}
	}
	for _, cand := range []string{join("index.js"), join("index.json")} {
		if _, ok := b.Files[cand]; ok {
			return cand, true
		}
	}
	return "", false
}

func packageMain(files map[string][]byte) string {
	data, ok := files["package.json"]
	if !ok {
		return ""
	}
	var pkg struct {
		Main string `json:"main"`
	}
	if json.Unmarshal(data, &pkg) != nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimSpace(pkg.Main), "./")
}

// readTree reads every file of a function folder that belongs in its bundle, enforcing
// MaxFiles and MaxBundleBytes as it goes.
func readTree(fsys fs.FS) (map[string][]byte, error) {
	files := map[string][]byte{}
	var total int64
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		if depth > 64 {
			return &DeployError{File: dir, Msg: "folders nested too deep (a symbolic link loop?)"}
		}
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			p := name
			if dir != "." {
				p = dir + "/" + name
			}
			if skipName(name) {
				continue
			}
			isDir := e.IsDir()
			if e.Type()&fs.ModeSymlink != 0 {
				st, err := fs.Stat(fsys, p)
				if err != nil {
					continue // a dangling link
				}
				isDir = st.IsDir()
			}
			if isDir {
				if isNativePackageDir(p) {
					continue
				}
				if err := walk(p, depth+1); err != nil {
					return err
				}
				continue
			}
			if skipFile(p, name) {
				continue
			}
			if len(files) >= MaxFiles {
				return &DeployError{Msg: fmt.Sprintf("too many files: more than %d (node_modules included); remove packages the function does not use", MaxFiles)}
			}
			st, err := fs.Stat(fsys, p)
			if err != nil {
				return err
			}
			if !st.Mode().IsRegular() {
				continue
			}
			if total+st.Size() > MaxBundleBytes {
				return &DeployError{Msg: fmt.Sprintf("the function's files total more than %d MiB (node_modules included); remove packages the function does not use", MaxBundleBytes>>20)}
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			total += int64(len(data))
			if total > MaxBundleBytes {
				return &DeployError{Msg: fmt.Sprintf("the function's files total more than %d MiB (node_modules included); remove packages the function does not use", MaxBundleBytes>>20)}
			}
			files[p] = data
		}
		return nil
	}
	if err := walk(".", 0); err != nil {
		return nil, err
	}
	return files, nil
}

// skipName: dotfiles and dot-folders never belong to a bundle.
func skipName(name string) bool { return strings.HasPrefix(name, ".") }

// skipFile: type declarations are never executed, and packages' source maps only
// take room (the function's own *.map files are kept: a //# sourceMappingURL comment
// of precompiled code may name them).
func skipFile(p, name string) bool {
	return strings.HasSuffix(name, ".d.ts") || strings.HasSuffix(name, ".d.mts") ||
		strings.HasSuffix(name, ".d.cts") || strings.HasSuffix(name, ".map") && isDependency(p)
}

func isNativePackageDir(p string) bool {
	for _, m := range NativeModules {
		if p == "node_modules/"+m || strings.HasSuffix(p, "/node_modules/"+m) {
			return true
		}
	}
	return false
}

// isDependency reports whether a path lies in a node_modules folder.
func isDependency(p string) bool {
	return strings.HasPrefix(p, "node_modules/") || strings.Contains(p, "/node_modules/")
}

func parseConfig(data []byte) (Config, error) {
	var cfg Config
	fail := func(format string, args ...any) (Config, error) {
		return Config{}, &DeployError{File: "config.json", Msg: fmt.Sprintf(format, args...)}
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fail("%s must be a %s, not a %s", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value)
		}
		return fail("invalid JSON: %v", err)
	}
	if cfg.Timeout < 0 || cfg.Timeout > MaxTimeout.Seconds() {
		return fail("timeout must be between 1 and %d seconds, not %v", int(MaxTimeout.Seconds()), cfg.Timeout)
	}
	if cfg.MaxConcurrency < 0 {
		return fail("maxConcurrency must not be negative")
	}
	// Triggers: CloudBase's rules and a valid 7-field expression (cron.go).
	if _, err := ValidateTriggers(cfg.Triggers); err != nil {
		return fail("%v", err)
	}
	return cfg, nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "float64", "int":
		return "number"
	case "map":
		return "object"
	case "slice":
		return "array"
	}
	return kind
}
