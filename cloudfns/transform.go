package cloudfns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
	"github.com/evanw/esbuild/pkg/api"
	"github.com/go-sourcemap/sourcemap"
)

// This file transforms sources at deploy time with esbuild so that goja runs them:
// TypeScript and ES modules become CommonJS, and syntax goja lacks is lowered.
//
// The target is esnext minus what goja (v0.0.0-20260106131823) cannot compile, found by
// TestGojaSyntaxSupport: async generators and for-await, `using` declarations,
// decorators and class auto-accessors, regexp flags d and v, import.meta and dynamic
// import() (turned into require). Everything else goja runs natively (ES2022 classes
// with private members, optional chaining, ??=, BigInt, …), so it is left as written:
// lowering more would only add helpers and slow the code down.

// esbuildUnsupported are the esbuild features goja lacks; esbuild lowers them.
var esbuildUnsupported = map[string]bool{
	"async-generator":      false,
	"for-await":            false,
	"using":                false,
	"decorators":           false,
	"regexp-match-indices": false,
	"regexp-set-notation":  false,
	"import-meta":          false,
	"dynamic-import":       false,
}

// ModuleWrapperPrefix and ModuleWrapperSuffix wrap a CommonJS module's source into a
// function, as Node does; deploy-time checks compile modules this way. The prefix adds
// no line, so only columns on line 1 shift (by len(ModuleWrapperPrefix)).
const (
	ModuleWrapperPrefix = "(function (exports, require, module, __filename, __dirname) { "
	ModuleWrapperSuffix = "\n})"
)

type sourceKind int

const (
	kindOther sourceKind = iota
	kindJS               // .js, .cjs: kept as written when goja compiles it
	kindESM              // .mjs: always an ES module
	kindTS               // .ts, .mts, .cts
)

func sourceKindOf(p string) sourceKind {
	switch path.Ext(p) {
	case ".js", ".cjs":
		return kindJS
	case ".mjs":
		return kindESM
	case ".ts", ".mts", ".cts":
		return kindTS
	}
	return kindOther
}

// storedName is the path a source is stored under: TypeScript gets tsc's JavaScript
// name.
func storedName(p string) string {
	switch path.Ext(p) {
	case ".ts":
		return strings.TrimSuffix(p, ".ts") + ".js"
	case ".mts":
		return strings.TrimSuffix(p, ".mts") + ".mjs"
	case ".cts":
		return strings.TrimSuffix(p, ".cts") + ".cjs"
	}
	return p
}

// prepareSource returns what to store for a source file: its stored path, code and
// source map (nil when the code is the user's own, unchanged). Package files
// (dependency) are only parsed, not compiled, unless they hold what goja's compiler
// refuses (async generators): node_modules can be thousands of files, and compiling
// costs four times parsing.
func prepareSource(p string, src []byte, tsconfig string, dependency bool) (out string, code, smap []byte, derr *DeployError) {
	out = storedName(p)
	kind := sourceKindOf(p)
	if kind == kindJS && !needsLowering(src) {
		check := gojaCheck
		if dependency && !asyncGeneratorRE.Match(src) {
			check = gojaParseCheck
		}
		firstErr := check(p, src)
		if firstErr == nil {
			return out, neutralizeHashbang(src), nil, nil
		}
		// Maybe an ES module or syntax goja lacks: esbuild may fix it. If esbuild finds
		// the code valid but goja still can't compile it, goja's own error (at the
		// user's position) is the clearest.
		code, smap, derr = transformSource(p, src, kind, "")
		if derr != nil {
			return out, nil, nil, derr
		}
		if err := gojaCheck(out, code); err != nil {
			return out, nil, nil, firstErr
		}
		return out, code, smap, nil
	}
	ts := ""
	if kind == kindTS {
		ts = tsconfig
	}
	code, smap, derr = transformSource(p, src, kind, ts)
	if derr != nil {
		return out, nil, nil, derr
	}
	if err := gojaCheck(out, code); err != nil {
		mapDeployError(err, p, smap)
		return out, nil, nil, err
	}
	return out, code, smap, nil
}

// needsLowering: constructs goja parses but can't run as Node does (import() needs a
// module loader goja doesn't have), so they go through esbuild.
func needsLowering(src []byte) bool {
	return bytes.Contains(src, []byte("import(")) || bytes.Contains(src, []byte("import.meta"))
}

// asyncGeneratorRE finds async generators, which goja parses but does not compile.
var asyncGeneratorRE = regexp.MustCompile(`async\s*(function\s*)?\*`)

// neutralizeHashbang turns a leading "#!" line into a comment: the module wrapper puts
// code before it, where a hashbang is a syntax error. Positions don't change.
func neutralizeHashbang(src []byte) []byte {
	if bytes.HasPrefix(src, []byte("#!")) {
		c := bytes.Clone(src)
		c[0], c[1] = '/', '/'
		return c
	}
	return src
}

// transformSource runs esbuild on one file: CommonJS output, goja's syntax, an external
// source map whose sources name the original file relative to its folder.
func transformSource(p string, src []byte, kind sourceKind, tsconfig string) (code, smap []byte, derr *DeployError) {
	loader := api.LoaderJS
	if kind == kindTS {
		loader = api.LoaderTS
	}
	opts := api.TransformOptions{
		Loader:         loader,
		Format:         api.FormatCommonJS,
		Platform:       api.PlatformNode,
		Target:         api.ESNext,
		Supported:      esbuildUnsupported,
		Charset:        api.CharsetUTF8,
		Sourcemap:      api.SourceMapExternal,
		SourcesContent: api.SourcesContentExclude,
		Sourcefile:     p,
		TsconfigRaw:    tsconfig,
		LogLevel:       api.LogLevelSilent,
	}
	r := api.Transform(string(src), opts)
	if len(r.Errors) > 0 {
		m := r.Errors[0]
		e := &DeployError{File: p, Msg: "SyntaxError: " + m.Text}
		if m.Location != nil {
			if m.Location.File != "" && m.Location.File != p {
				e.File = strings.Trim(m.Location.File, "<>")
			}
			e.Line, e.Column = m.Location.Line, m.Location.Column+1
		}
		if len(r.Errors) > 1 {
			e.Msg += fmt.Sprintf(" (and %d more errors)", len(r.Errors)-1)
		}
		return nil, nil, e
	}
	smap, err := relativeSources(r.Map, p)
	if err != nil {
		return nil, nil, &DeployError{File: p, Msg: "source map: " + err.Error()}
	}
	return neutralizeHashbang(r.Code), smap, nil
}

// relativeSources rewrites a map's sources (esbuild writes the Sourcefile as given) to
// the file name relative to the generated file's folder, which is where map consumers
// (goja included) resolve them from.
func relativeSources(m []byte, p string) ([]byte, error) {
	var sm map[string]json.RawMessage
	if err := json.Unmarshal(m, &sm); err != nil {
		return nil, err
	}
	sources, err := json.Marshal([]string{path.Base(p)})
	if err != nil {
		return nil, err
	}
	sm["sources"] = sources
	return json.Marshal(sm)
}

// gojaCheck compiles a CommonJS module as the runtime will (wrapped in a function).
func gojaCheck(p string, src []byte) *DeployError {
	s := string(src)
	prg, derr := gojaParse(p, s)
	if derr != nil {
		return derr
	}
	if _, err := goja.CompileAST(prg, false); err != nil {
		e := &DeployError{File: p, Msg: err.Error()}
		var cse *goja.CompilerSyntaxError
		if errors.As(err, &cse) {
			e.Msg = "SyntaxError: " + cse.Message
			if cse.File != nil {
				pos := cse.File.Position(cse.Offset)
				e.Line, e.Column = unwrapPosition(s, pos.Line, pos.Column)
			}
		}
		return e
	}
	return nil
}

// gojaParseCheck only parses a module (see prepareSource).
func gojaParseCheck(p string, src []byte) *DeployError {
	_, derr := gojaParse(p, string(src))
	return derr
}

func gojaParse(p, s string) (*ast.Program, *DeployError) {
	prg, err := parser.ParseFile(nil, p, ModuleWrapperPrefix+s+ModuleWrapperSuffix, 0, parser.WithDisableSourceMaps)
	if err != nil {
		e := &DeployError{File: p, Msg: "SyntaxError: " + err.Error()}
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			e.Msg = "SyntaxError: " + list[0].Message
			if len(list) > 1 {
				e.Msg += fmt.Sprintf(" (and %d more errors)", len(list)-1)
			}
			e.Line, e.Column = unwrapPosition(s, list[0].Position.Line, list[0].Position.Column)
		}
		return nil, e
	}
	return prg, nil
}

// unwrapPosition turns a position in the wrapped source into one in src.
func unwrapPosition(src string, line, col int) (int, int) {
	if line == 1 {
		col -= len(ModuleWrapperPrefix)
		if col < 1 {
			col = 1
		}
	}
	lines := strings.Count(src, "\n") + 1
	if line > lines { // in the wrapper's suffix: the source ended early
		line = lines
		col = len(src) - strings.LastIndexByte(src, '\n')
	}
	return line, col
}

// mapDeployError moves a position in transformed code back to the original file.
func mapDeployError(e *DeployError, orig string, smap []byte) {
	e.File = orig
	if e.Line == 0 || smap == nil {
		e.Line, e.Column = 0, 0
		return
	}
	if _, line, col, ok := sourceMapPosition(smap, e.Line, e.Column); ok {
		e.Line, e.Column = line, col
	} else {
		e.Line, e.Column = 0, 0
	}
}

// sourceMapPosition maps a 1-based line and column of generated code to the original source
// (1-based too).
func sourceMapPosition(smap []byte, line, col int) (source string, oline, ocol int, ok bool) {
	c, err := sourcemap.Parse("", smap)
	if err != nil {
		return "", 0, 0, false
	}
	source, _, oline, ocol, ok = c.Source(line, max(col-1, 0))
	if !ok {
		return "", 0, 0, false
	}
	return source, oline, ocol + 1, true
}
