package cloudfns

import (
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unsafe"

	"github.com/dop251/goja"
)

// Named capture groups and property escapes.
//
// goja (v0.0.0-20260106131823) compiles a pattern with named groups, `(?<y>…)`, with
// regexp2 and drops the names: results have no `groups`, `$<y>` stays as written in
// replacements and replace callbacks get no groups argument. regexp2 also numbers
// named groups after the unnamed ones (.NET rules), so when a pattern mixes both the
// numbered results come back out of order (and goja drops a group that ends before
// an earlier-numbered one starts), and \1 means another group than in Node. Property
// escapes (\p{L} under the u flag) silently match the letter p: see the end of this
// file.
//
// For such a pattern, exec, test, [Symbol.match], [Symbol.replace], [Symbol.search]
// and [Symbol.split] run on a twin compiled from a rewritten pattern ("(?<y>" → "(",
// "\k<y>" → "(?:\1)", \p{…} → a class of code points), which numbers groups as
// JavaScript does, and add the groups; lastIndex is copied to the twin and back.
// matchAll goes through exec. Regexps that goja does not treat as standard (own exec
// or Symbol.* methods, another prototype, RegExp.prototype.exec reassigned) keep
// goja's generic paths, which call exec (so they get groups) but know no $<name> and
// pass replace callbacks no groups.
//
// Every other pattern must stay as fast as before, which goja's public API does not
// allow: a RegExp's source is a getter that rescans it (130-750 ns, as much as a whole
// exec), and assigning RegExp.prototype.exec makes goja give up its fast paths for
// every regexp (match, replace and split then call exec match by match: 8x slower).
// So this file reads goja's private fields, for the goja version pinned in go.mod: a
// RegExp's compiled source and flags, and the implementation of RegExp.prototype,
// which it puts back after installing exec (goja swaps in the same object without
// its guard; with the guard back, an assignment by user code still turns the fast
// paths off, as it should). If the fields are not as expected (another goja
// version), nothing is installed and TestRegexpNamedGroups fails.

// rxLayout locates the goja fields used here. The probe finds them with reflect
// (names, types and values checked on a known regexp); the per-call reads then use
// their offsets directly, as reflect's checks would cost more (~35 ns) than the rest
// of the lookup.
type rxLayout struct {
	selfOff     uintptr        // Object.self, an objectImpl interface
	rxTab       unsafe.Pointer // the interface's type word when self is a *regexpObject
	patternOff  uintptr        // regexpObject.pattern, *regexpPattern
	standardOff uintptr        // regexpObject.standard: no own exec or Symbol.* methods
	srcOff      uintptr        // regexpPattern.src: the pattern as goja compiled it
	flagOff     [6]uintptr     // regexpPattern.global, ignoreCase, multiline, dotAll, sticky, unicode
}

// ifaceWords is how Go lays out a non-empty interface value.
type ifaceWords struct {
	tab, data unsafe.Pointer
}

// rxFlagNames are the flag letters in rxLayout.flagOff order.
const rxFlagNames = "gimsyu"

const (
	rxGlobal  = 1 << 0
	rxSticky  = 1 << 4
	rxUnicode = 1 << 5
)

var (
	rxLayoutOnce sync.Once
	rxLayoutVal  *rxLayout
)

func regexpLayout(vm *goja.Runtime) *rxLayout {
	rxLayoutOnce.Do(func() { rxLayoutVal = probeRegexpLayout(vm) })
	return rxLayoutVal
}

func structField(t reflect.Type, name string, kind reflect.Kind) (reflect.StructField, bool) {
	f, ok := t.FieldByName(name)
	return f, ok && len(f.Index) == 1 && f.Type.Kind() == kind
}

// probeRegexpLayout finds the fields and checks them on a known regexp; nil if
// anything differs.
func probeRegexpLayout(vm *goja.Runtime) *rxLayout {
	selfF, ok := structField(reflect.TypeOf((*goja.Object)(nil)).Elem(), "self", reflect.Interface)
	if !ok || selfF.Type.NumMethod() == 0 || selfF.Type.Size() != unsafe.Sizeof(ifaceWords{}) {
		return nil
	}
	v, err := vm.RunString(`/(?<a>x)/su`)
	if err != nil {
		return nil
	}
	o, _ := v.(*goja.Object)
	if o == nil {
		return nil
	}
	self := reflect.ValueOf(o).Elem().FieldByIndex(selfF.Index)
	if self.IsNil() || self.Elem().Kind() != reflect.Pointer || self.Elem().Type().Elem().Kind() != reflect.Struct {
		return nil
	}
	rxT := self.Elem().Type().Elem()
	patternF, ok1 := structField(rxT, "pattern", reflect.Pointer)
	standardF, ok2 := structField(rxT, "standard", reflect.Bool)
	if !ok1 || !ok2 || patternF.Type.Elem().Kind() != reflect.Struct {
		return nil
	}
	srcF, ok := structField(patternF.Type.Elem(), "src", reflect.String)
	if !ok {
		return nil
	}
	l := &rxLayout{selfOff: selfF.Offset, patternOff: patternF.Offset, standardOff: standardF.Offset, srcOff: srcF.Offset}
	for i, name := range [...]string{"global", "ignoreCase", "multiline", "dotAll", "sticky", "unicode"} {
		f, ok := structField(patternF.Type.Elem(), name, reflect.Bool)
		if !ok {
			return nil
		}
		l.flagOff[i] = f.Offset
	}
	w := l.self(o)
	if w.data != self.Elem().UnsafePointer() {
		return nil
	}
	l.rxTab = w.tab
	rx, p := l.regexp(o)
	if rx == nil || p == nil || !l.standard(rx) || l.src(p) != "(?<a>x)" || l.flags(p) != 0b101000 {
		return nil
	}
	return l
}

func (l *rxLayout) self(o *goja.Object) *ifaceWords {
	return (*ifaceWords)(unsafe.Add(unsafe.Pointer(o), l.selfOff))
}

// regexp returns o's *regexpObject and *regexpPattern, nil for anything but a RegExp.
func (l *rxLayout) regexp(o *goja.Object) (rx, p unsafe.Pointer) {
	if w := l.self(o); w.tab == l.rxTab && w.data != nil {
		return w.data, *(*unsafe.Pointer)(unsafe.Add(w.data, l.patternOff))
	}
	return nil, nil
}

func (l *rxLayout) standard(rx unsafe.Pointer) bool {
	return *(*bool)(unsafe.Add(rx, l.standardOff))
}

func (l *rxLayout) src(p unsafe.Pointer) string {
	return *(*string)(unsafe.Add(p, l.srcOff))
}

func (l *rxLayout) unicode(p unsafe.Pointer) bool {
	return *(*bool)(unsafe.Add(p, l.flagOff[5]))
}

// flags returns a pattern's flags, bit i for rxFlagNames[i].
func (l *rxLayout) flags(p unsafe.Pointer) uint8 {
	var f uint8
	for i, off := range l.flagOff {
		if *(*bool)(unsafe.Add(p, off)) {
			f |= 1 << i
		}
	}
	return f
}

// rxKey identifies a compiled pattern: its source and flags (bit i: rxFlagNames[i]).
type rxKey struct {
	src   string
	flags uint8
}

// rxInfo describes a pattern that needs a twin: one with named groups, or with
// property escapes (\p{…}) under the u flag.
type rxInfo struct {
	groups int            // capturing groups
	names  []rxName       // the named ones, in pattern order
	index  map[string]int // name → group number
	twin   *goja.Object   // the pattern rewritten, same flags
	flags  uint8
	err    string // why the pattern cannot run (an unsupported property)
}

type rxName struct {
	name  string
	index int
}

// rxEdit is a span of the source to rewrite: "(?<name>", "\k<name>" or, under the u
// flag, "\p{name}" / "\P{name}".
type rxEdit struct {
	start, end int
	kind       byte // '(' named group, 'k' named backreference, 'p' property
	name       string
	neg        bool // \P
	inClass    bool
}

// parseGroups lists the capturing groups of a JavaScript pattern in order (names[i]
// is the name of group i+1, "" when unnamed) and the spans to rewrite. Escapes,
// character classes and the non-capturing (?: (?= (?! (?<= (?<! are skipped.
func parseGroups(src string, uFlag bool) (names []string, edits []rxEdit) {
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\':
			rest := src[i+1:]
			if !inClass && strings.HasPrefix(rest, "k<") {
				if j := strings.IndexByte(rest, '>'); j >= 0 {
					edits = append(edits, rxEdit{start: i, end: i + 2 + j, kind: 'k', name: rest[2:j]})
					i += 1 + j
					continue
				}
			}
			if uFlag && (strings.HasPrefix(rest, "p{") || strings.HasPrefix(rest, "P{")) {
				if j := strings.IndexByte(rest, '}'); j >= 0 {
					edits = append(edits, rxEdit{start: i, end: i + 2 + j, kind: 'p', name: rest[2:j], neg: rest[0] == 'P', inClass: inClass})
					i += 1 + j
					continue
				}
			}
			i++ // the escaped byte (the rest of a multi-byte character is no syntax)
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			if !strings.HasPrefix(src[i+1:], "?") {
				names = append(names, "")
				continue
			}
			if rest := src[i+2:]; strings.HasPrefix(rest, "<") && !strings.HasPrefix(rest, "<=") && !strings.HasPrefix(rest, "<!") {
				if j := strings.IndexByte(rest, '>'); j >= 0 {
					names = append(names, rest[1:j])
					edits = append(edits, rxEdit{start: i, end: i + 3 + j, kind: '(', name: rest[1:j]})
					i += 2 + j
				}
			}
		}
	}
	return names, edits
}

// rewritePattern makes a twin's source: named groups become plain ones, named
// backreferences numbered ones (wrapped, so that a following digit stays apart) and
// property escapes classes of code points. err names what cannot be rewritten.
func rewritePattern(src string, edits []rxEdit, index map[string]int) (out, err string) {
	var b strings.Builder
	b.Grow(len(src) + 8*len(edits))
	last := 0
	for _, e := range edits {
		b.WriteString(src[last:e.start])
		switch e.kind {
		case '(':
			b.WriteByte('(')
		case 'k':
			if n, ok := index[e.name]; ok {
				b.WriteString(`(?:\`)
				b.WriteString(itoa(n))
				b.WriteByte(')')
			} else {
				b.WriteString(src[e.start:e.end]) // no such group: the twin will not compile
			}
		case 'p':
			p := unicodeProperty(e.name)
			if p == nil {
				return "", src[e.start:e.end] + " is not supported (Minicloud supports General_Category, Script and some binary properties, of Unicode " + unicode.Version + ")"
			}
			switch {
			case e.inClass && e.neg:
				b.WriteString(p.neg)
			case e.inClass:
				b.WriteString(p.pos)
			case e.neg:
				b.WriteString("[^" + p.pos + "]")
			default:
				b.WriteString("[" + p.pos + "]")
			}
		}
		last = e.end
	}
	b.WriteString(src[last:])
	return b.String(), ""
}

// mayHaveNames is the quick test: "(?<" that starts no lookbehind.
func mayHaveNames(src string) bool {
	for {
		i := strings.IndexByte(src, '<')
		if i < 0 || i+1 >= len(src) {
			return false
		}
		if i >= 2 && src[i-2] == '(' && src[i-1] == '?' && src[i+1] != '=' && src[i+1] != '!' {
			return true
		}
		src = src[i+1:]
	}
}

// mayHaveProps is the quick test for property escapes (u flag only): "\p{" or "\P{".
func mayHaveProps(src string) bool {
	for {
		i := strings.IndexByte(src, '{')
		if i < 0 {
			return false
		}
		if i >= 2 && (src[i-1] == 'p' || src[i-1] == 'P') && src[i-2] == '\\' {
			return true
		}
		src = src[i+1:]
	}
}

// rxState is one VM's support for named groups and property escapes.
type rxState struct {
	vm          *goja.Runtime
	l           *rxLayout
	proto       *goja.Object   // RegExp.prototype
	protoTab    unsafe.Pointer // its implementation's type while goja's fast paths are on
	ctor        goja.Constructor
	syntaxError goja.Value
	exec        func(goja.FunctionCall) goja.Value // the built-ins
	test        func(goja.FunctionCall) goja.Value
	match       func(goja.FunctionCall) goja.Value
	replace     func(goja.FunctionCall) goja.Value
	search      func(goja.FunctionCall) goja.Value
	split       func(goja.FunctionCall) goja.Value
	cache       map[rxKey]*rxInfo // nil values: nothing to rewrite after all
}

// rxCacheSize bounds the patterns remembered per VM (it is emptied when full).
const rxCacheSize = 256

func nativeOf(v goja.Value) func(goja.FunctionCall) goja.Value {
	if o, ok := v.(*goja.Object); ok {
		f, _ := o.Export().(func(goja.FunctionCall) goja.Value)
		return f
	}
	return nil
}

// installRegexpGroups adds named groups and property escapes to vm; false when
// goja's internals are not as expected (then vm is left as it was).
func installRegexpGroups(vm *goja.Runtime) bool {
	l := regexpLayout(vm)
	if l == nil {
		return false
	}
	ctorObj, _ := vm.Get("RegExp").(*goja.Object)
	if ctorObj == nil {
		return false
	}
	proto, _ := ctorObj.Get("prototype").(*goja.Object)
	ctor, ok := goja.AssertConstructor(ctorObj)
	if proto == nil || !ok {
		return false
	}
	st := &rxState{vm: vm, l: l, proto: proto, ctor: ctor, cache: map[rxKey]*rxInfo{},
		syntaxError: vm.Get("SyntaxError"),
		exec:        nativeOf(proto.Get("exec")),
		test:        nativeOf(proto.Get("test")),
		match:       nativeOf(proto.GetSymbol(goja.SymMatch)),
		replace:     nativeOf(proto.GetSymbol(goja.SymReplace)),
		search:      nativeOf(proto.GetSymbol(goja.SymSearch)),
		split:       nativeOf(proto.GetSymbol(goja.SymSplit)),
	}
	if st.exec == nil || st.test == nil || st.match == nil || st.replace == nil || st.search == nil || st.split == nil {
		return false
	}
	st.protoTab = l.self(proto).tab

	st.defineSymbol(goja.SymMatch, "[Symbol.match]", 1, st.matchFn)
	st.defineSymbol(goja.SymReplace, "[Symbol.replace]", 2, st.replaceFn)
	st.defineSymbol(goja.SymSearch, "[Symbol.search]", 1, st.searchFn)
	st.defineSymbol(goja.SymSplit, "[Symbol.split]", 2, st.splitFn)
	defineMethod(vm, proto, "test", vm.ToValue(1), vm.ToValue(st.testFn).(*goja.Object)) // not guarded by goja

	// Assigning exec switches RegExp.prototype to its unguarded implementation; put
	// the guarded one back (same properties, exec included).
	saved := *l.self(proto)
	defineMethod(vm, proto, "exec", vm.ToValue(1), vm.ToValue(st.execFn).(*goja.Object))
	*l.self(proto) = saved
	return true
}

func (st *rxState) defineSymbol(sym *goja.Symbol, name string, length int, fn func(goja.FunctionCall) goja.Value) {
	f := st.vm.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", st.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", st.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = st.proto.DefineDataPropertySymbol(sym, f, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// lookup returns what v needs, nil for anything else (not a RegExp, or nothing to
// rewrite): the per-call cost for every other pattern. A pattern that cannot run
// throws its SyntaxError here.
func (st *rxState) lookup(v goja.Value) (*goja.Object, *rxInfo) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, nil
	}
	_, p := st.l.regexp(o)
	if p == nil {
		return nil, nil
	}
	src := st.l.src(p)
	if !mayHaveNames(src) && (!st.l.unicode(p) || !mayHaveProps(src)) {
		return nil, nil
	}
	k := rxKey{src: src, flags: st.l.flags(p)}
	info, seen := st.cache[k]
	if !seen {
		info = st.analyse(k)
		if len(st.cache) >= rxCacheSize {
			clear(st.cache)
		}
		st.cache[k] = info
	}
	if info != nil && info.err != "" {
		st.throwSyntaxError(k, info.err)
	}
	return o, info
}

func (st *rxState) throwSyntaxError(k rxKey, msg string) {
	msg = "Invalid regular expression: /" + k.src + "/" + flagString(k.flags) + ": " + msg
	if ctor, ok := goja.AssertConstructor(st.syntaxError); ok {
		if e, err := ctor(nil, st.vm.ToValue(msg)); err == nil {
			panic(e)
		}
	}
	panic(st.vm.NewTypeError(msg))
}

func flagString(flags uint8) string {
	var b []byte
	for i := range rxFlagNames {
		if flags&(1<<i) != 0 {
			b = append(b, rxFlagNames[i])
		}
	}
	return string(b)
}

// standard is goja's test for its fast paths (checkStdRegexp): o has no own exec or
// Symbol.* methods and inherits RegExp.prototype as built (exec being ours). Other
// regexps take goja's generic paths, which call exec.
func (st *rxState) standard(o *goja.Object) bool {
	rx, _ := st.l.regexp(o)
	return rx != nil && st.l.standard(rx) && o.Prototype() == st.proto && st.l.self(st.proto).tab == st.protoTab
}

func (st *rxState) analyse(k rxKey) *rxInfo {
	names, edits := parseGroups(k.src, k.flags&rxUnicode != 0)
	if len(edits) == 0 {
		return nil
	}
	info := &rxInfo{groups: len(names), index: map[string]int{}, flags: k.flags}
	for i, n := range names {
		if _, dup := info.index[n]; n != "" && !dup {
			info.index[n] = i + 1
			info.names = append(info.names, rxName{name: n, index: i + 1})
		}
	}
	src, msg := rewritePattern(k.src, edits, info.index)
	if msg != "" {
		info.err = msg
		return info
	}
	twin, err := st.ctor(nil, st.vm.ToValue(src), st.vm.ToValue(flagString(k.flags)))
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			panic(ie)
		}
		return nil // goja keeps its own behaviour for this pattern
	}
	info.twin = twin
	return info
}

// twin returns a fresh copy of info's twin (sharing the compiled pattern).
func (st *rxState) twin(info *rxInfo) *goja.Object {
	o, err := st.ctor(nil, info.twin)
	if err != nil {
		jsThrow(st.vm, err)
	}
	return o
}

func (st *rxState) setLastIndex(o *goja.Object, v goja.Value) {
	if err := o.Set("lastIndex", v); err != nil {
		jsThrow(st.vm, err)
	}
}

// run calls a built-in on info's twin, with o's lastIndex when the flags use it. The
// arguments are primitives (converted by the caller), so no user code runs while the
// twin is in use and all callers can share it; replace, whose callbacks are user
// code, has its own copy.
func (st *rxState) run(o *goja.Object, info *rxInfo, fn func(goja.FunctionCall) goja.Value, args ...goja.Value) goja.Value {
	tw := info.twin
	uses := info.flags&(rxGlobal|rxSticky) != 0
	if uses {
		st.setLastIndex(tw, st.vm.ToValue(o.Get("lastIndex").ToInteger()))
	}
	res := fn(goja.FunctionCall{This: tw, Arguments: args})
	if uses {
		st.setLastIndex(o, tw.Get("lastIndex"))
	}
	return res
}

// groups builds a match's groups object (null prototype, pattern order, undefined
// for groups that did not participate) from capture(i), the value of group i.
func (st *rxState) groups(info *rxInfo, capture func(int) goja.Value) *goja.Object {
	g := st.vm.NewObject()
	_ = g.SetPrototype(nil)
	for _, n := range info.names {
		v := capture(n.index)
		if v == nil {
			v = goja.Undefined()
		}
		_ = g.DefineDataProperty(n.name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	return g
}

func (st *rxState) addGroups(res goja.Value, info *rxInfo) {
	if a, ok := res.(*goja.Object); ok && len(info.names) > 0 {
		g := st.groups(info, func(i int) goja.Value { return a.Get(itoa(i)) })
		_ = a.DefineDataProperty("groups", g, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
}

func (st *rxState) execFn(call goja.FunctionCall) goja.Value {
	if o, info := st.lookup(call.This); info != nil {
		res := st.run(o, info, st.exec, call.Argument(0).ToString())
		st.addGroups(res, info)
		return res
	}
	return st.exec(call)
}

func (st *rxState) testFn(call goja.FunctionCall) goja.Value {
	if o, info := st.lookup(call.This); info != nil {
		return st.run(o, info, st.test, call.Argument(0).ToString())
	}
	return st.test(call)
}

func (st *rxState) searchFn(call goja.FunctionCall) goja.Value {
	if o, info := st.lookup(call.This); info != nil && st.standard(o) {
		// search restores lastIndex: o's is not involved.
		return st.search(goja.FunctionCall{This: info.twin, Arguments: []goja.Value{call.Argument(0).ToString()}})
	}
	return st.search(call)
}

func (st *rxState) matchFn(call goja.FunctionCall) goja.Value {
	if o, info := st.lookup(call.This); info != nil && st.standard(o) {
		res := st.run(o, info, st.match, call.Argument(0).ToString())
		if info.flags&rxGlobal == 0 {
			st.addGroups(res, info)
		}
		return res
	}
	return st.match(call)
}

func (st *rxState) splitFn(call goja.FunctionCall) goja.Value {
	if o, info := st.lookup(call.This); info != nil && st.standard(o) {
		// split reads only the twin's pattern (user code may run: limit.valueOf), not
		// its lastIndex, nor o's.
		return st.split(goja.FunctionCall{This: info.twin, Arguments: call.Arguments})
	}
	return st.split(call)
}

func (st *rxState) replaceFn(call goja.FunctionCall) goja.Value {
	o, info := st.lookup(call.This)
	if info == nil || !st.standard(o) {
		return st.replace(call)
	}
	s := call.Argument(0).ToString()
	with := call.Argument(1)
	// A copy of the twin: callbacks may use the same pattern while this one runs. o
	// gets the lastIndex goja leaves before the first callback, which may change it.
	tw := st.twin(info)
	uses := info.flags&(rxGlobal|rxSticky) != 0
	if uses {
		st.setLastIndex(tw, st.vm.ToValue(o.Get("lastIndex").ToInteger()))
	}
	synced := !uses
	sync := func() {
		if !synced {
			synced = true
			st.setLastIndex(o, tw.Get("lastIndex"))
		}
	}
	if fn, ok := goja.AssertFunction(with); ok {
		named := len(info.names) > 0
		with = st.vm.ToValue(func(c goja.FunctionCall) goja.Value {
			sync()
			args := c.Arguments
			if named {
				// Node passes (match, p1…pn, offset, string, groups).
				args = make([]goja.Value, len(c.Arguments), len(c.Arguments)+1)
				copy(args, c.Arguments)
				args = append(args, st.groups(info, c.Argument))
			}
			v, err := fn(goja.Undefined(), args...)
			if err != nil {
				jsThrow(st.vm, err)
			}
			return v
		})
	} else {
		// goja's substitution knows no $<name> (and reads $011 as $11, not $01 then 1).
		rs, _ := with.ToString().(goja.String)
		if rs != nil && len(info.names) > 0 && hasDollar(rs) {
			parts := parseSubstitution(rs, info.groups, info.index, true)
			m := info.groups
			with = st.vm.ToValue(func(c goja.FunctionCall) goja.Value {
				return substitute(parts, c.Argument, m, nil)
			})
		} else {
			with = rs
		}
	}
	res := st.replace(goja.FunctionCall{This: tw, Arguments: []goja.Value{s, with}})
	sync()
	return res
}

// hasDollar reports a '$' that can start a substitution (not the last character).
func hasDollar(rs goja.String) bool {
	for i, n := 0, rs.Length()-1; i < n; i++ {
		if rs.CharAt(i) == '$' {
			return true
		}
	}
	return false
}

// rxPart is a piece of a replacement template: literal text, group n (kind 'n', 0
// for a name that is no group), $& $` $', or a group by name (kind '<', the name in
// lit) when only the match's groups object knows the names.
type rxPart struct {
	kind byte
	lit  goja.String
	n    int
}

// parseSubstitution splits a replacement string as GetSubstitution reads it (with
// V8's choices where the spec leaves them open: $nn beyond the groups falls back to
// $n, and an unknown $n stays as written).
//
// groups is the number of capturing groups; $<name> is read when named, through
// index when given, else as a kind '<' part.
func parseSubstitution(rs goja.String, groups int, index map[string]int, named bool) []rxPart {
	var parts []rxPart
	l, start := rs.Length(), 0
	cut := func(end, next int, p rxPart) {
		if end > start {
			parts = append(parts, rxPart{lit: rs.Substring(start, end)})
		}
		if p.kind != 0 {
			parts = append(parts, p)
		}
		start = next
	}
	isDigit := func(c uint16) bool { return c >= '0' && c <= '9' }
	for i := 0; i < l-1; i++ {
		if rs.CharAt(i) != '$' {
			continue
		}
		switch c := rs.CharAt(i + 1); {
		case c == '$':
			cut(i+1, i+2, rxPart{})
			i++
		case c == '&' || c == '`' || c == '\'':
			cut(i, i+2, rxPart{kind: byte(c)})
			i++
		case isDigit(c):
			d := int(c - '0')
			if i+2 < l && isDigit(rs.CharAt(i+2)) {
				if nn := d*10 + int(rs.CharAt(i+2)-'0'); nn >= 1 && nn <= groups {
					cut(i, i+3, rxPart{kind: 'n', n: nn})
					i += 2
					continue
				}
			}
			if d >= 1 && d <= groups {
				cut(i, i+2, rxPart{kind: 'n', n: d})
				i++
			}
		case c == '<' && named:
			for j := i + 2; j < l; j++ {
				if rs.CharAt(j) == '>' {
					if index != nil {
						cut(i, j+1, rxPart{kind: 'n', n: index[rs.Substring(i+2, j).String()]})
					} else {
						cut(i, j+1, rxPart{kind: '<', lit: rs.Substring(i+2, j)})
					}
					i = j
					break
				}
			}
		}
	}
	cut(l, l, rxPart{})
	return parts
}

// substitute builds one replacement from the arguments a replace callback gets:
// (match, p1…pm, offset, string); named resolves kind '<' parts.
func substitute(parts []rxPart, arg func(int) goja.Value, m int, named func(string) goja.Value) goja.Value {
	str := func(v goja.Value) goja.String {
		if v == nil || goja.IsUndefined(v) {
			return nil
		}
		s, _ := v.ToString().(goja.String)
		return s
	}
	matched, s := str(arg(0)), str(arg(m+2))
	pos, tail := int(arg(m+1).ToInteger()), 0
	if matched != nil {
		tail = pos + matched.Length()
	}
	var b goja.StringBuilder
	for _, p := range parts {
		var piece goja.String
		switch p.kind {
		case 0:
			piece = p.lit
		case 'n':
			if p.n > 0 {
				piece = str(arg(p.n))
			}
		case '<':
			if named != nil {
				piece = str(named(p.lit.String()))
			}
		case '&':
			piece = matched
		case '`':
			if s != nil {
				piece = s.Substring(0, max(min(pos, s.Length()), 0))
			}
		case '\'':
			if s != nil {
				piece = s.Substring(max(min(tail, s.Length()), 0), s.Length())
			}
		}
		if piece != nil {
			b.WriteString(piece)
		}
	}
	return b.String()
}

// Property escapes.
//
// goja's translation of patterns drops the backslash of \p (for both engines), so
// /\p{L}+/u matches the text "p{L}" and /\p{L}+/u.test('你好') is false, silently. The
// twin gets the property as a class of code point ranges from Go's unicode tables
// instead. Those are Unicode 15.0 (Node 20 has a later version: characters added
// since are missing) and give General_Category and Script values and the binary
// properties of binaryProps; any other name (Script_Extensions, Emoji, …) makes the
// regexp throw a SyntaxError when used, as Node does when it compiles one it does
// not know.

// propClass holds the class bodies for \p{…} and \P{…}.
type propClass struct {
	pos, neg string
}

var propClasses sync.Map // property name → *propClass, for the supported ones

func unicodeProperty(name string) *propClass {
	if c, ok := propClasses.Load(name); ok {
		return c.(*propClass)
	}
	rs, ok := propertyRanges(name)
	if !ok {
		return nil
	}
	c := &propClass{pos: classBody(rs), neg: classBody(invertRanges(rs))}
	propClasses.Store(name, c)
	return c
}

func propertyRanges(name string) ([]runeRange, bool) {
	if k, v, ok := strings.Cut(name, "="); ok {
		switch k {
		case "General_Category", "gc":
			return generalCategory(v)
		case "Script", "sc":
			return script(v)
		}
		return nil, false
	}
	if rs, ok := generalCategory(name); ok {
		return rs, true
	}
	if canon, ok := binaryProps[name]; ok {
		return binaryProperty(canon), true
	}
	return nil, false
}

// gcNames maps JavaScript's long names of General_Category values to the short ones
// (Go's unicode.Categories keys).
var gcNames = map[string]string{
	"Letter": "L", "Cased_Letter": "LC", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
	"Titlecase_Letter": "Lt", "Modifier_Letter": "Lm", "Other_Letter": "Lo",
	"Mark": "M", "Combining_Mark": "M", "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc", "Enclosing_Mark": "Me",
	"Number": "N", "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
	"Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
	"Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
	"Final_Punctuation": "Pf", "Other_Punctuation": "Po",
	"Symbol": "S", "Math_Symbol": "Sm", "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So",
	"Separator": "Z", "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp",
	"Other": "C", "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co",
	"Unassigned": "Cn",
}

func category(name string) []runeRange {
	return tableRanges(unicode.Categories[name])
}

func generalCategory(v string) ([]runeRange, bool) {
	if short, ok := gcNames[v]; ok {
		v = short
	}
	switch v {
	case "C": // Go's C leaves out Cn
		return unionRanges(category("Cc"), category("Cf"), category("Cs"), category("Co"), category("Cn")), true
	case "LC":
		return unionRanges(category("Lu"), category("Ll"), category("Lt")), true
	}
	if unicode.Categories[v] == nil {
		return nil, false
	}
	return category(v), true
}

// scriptCodes maps the ISO 15924 codes JavaScript accepts to Go's script names (the
// codes were listed by asking Node 20 which of them compile, the names by matching
// a character of each script).
var scriptCodes = map[string]string{
	"Adlm": "Adlam", "Aghb": "Caucasian_Albanian", "Arab": "Arabic", "Armi": "Imperial_Aramaic",
	"Armn": "Armenian", "Avst": "Avestan", "Bali": "Balinese", "Bamu": "Bamum", "Bass": "Bassa_Vah",
	"Batk": "Batak", "Beng": "Bengali", "Bhks": "Bhaiksuki", "Bopo": "Bopomofo", "Brah": "Brahmi",
	"Brai": "Braille", "Bugi": "Buginese", "Buhd": "Buhid", "Cakm": "Chakma",
	"Cans": "Canadian_Aboriginal", "Cari": "Carian", "Cher": "Cherokee", "Chrs": "Chorasmian",
	"Copt": "Coptic", "Cpmn": "Cypro_Minoan", "Cprt": "Cypriot", "Cyrl": "Cyrillic",
	"Deva": "Devanagari", "Diak": "Dives_Akuru", "Dogr": "Dogra", "Dsrt": "Deseret",
	"Dupl": "Duployan", "Egyp": "Egyptian_Hieroglyphs", "Elba": "Elbasan", "Elym": "Elymaic",
	"Ethi": "Ethiopic", "Geor": "Georgian", "Glag": "Glagolitic", "Gong": "Gunjala_Gondi",
	"Gonm": "Masaram_Gondi", "Goth": "Gothic", "Gran": "Grantha", "Grek": "Greek", "Gujr": "Gujarati",
	"Guru": "Gurmukhi", "Hang": "Hangul", "Hani": "Han", "Hano": "Hanunoo", "Hatr": "Hatran",
	"Hebr": "Hebrew", "Hira": "Hiragana", "Hluw": "Anatolian_Hieroglyphs", "Hmng": "Pahawh_Hmong",
	"Hmnp": "Nyiakeng_Puachue_Hmong", "Hung": "Old_Hungarian", "Ital": "Old_Italic",
	"Java": "Javanese", "Kali": "Kayah_Li", "Kana": "Katakana", "Khar": "Kharoshthi", "Khmr": "Khmer",
	"Khoj": "Khojki", "Kits": "Khitan_Small_Script", "Knda": "Kannada", "Kthi": "Kaithi",
	"Lana": "Tai_Tham", "Laoo": "Lao", "Latn": "Latin", "Lepc": "Lepcha", "Limb": "Limbu",
	"Lina": "Linear_A", "Linb": "Linear_B", "Lyci": "Lycian", "Lydi": "Lydian", "Mahj": "Mahajani",
	"Maka": "Makasar", "Mand": "Mandaic", "Mani": "Manichaean", "Marc": "Marchen",
	"Medf": "Medefaidrin", "Mend": "Mende_Kikakui", "Merc": "Meroitic_Cursive",
	"Mero": "Meroitic_Hieroglyphs", "Mlym": "Malayalam", "Mong": "Mongolian", "Mroo": "Mro",
	"Mtei": "Meetei_Mayek", "Mult": "Multani", "Mymr": "Myanmar", "Nagm": "Nag_Mundari",
	"Nand": "Nandinagari", "Narb": "Old_North_Arabian", "Nbat": "Nabataean", "Nkoo": "Nko",
	"Nshu": "Nushu", "Ogam": "Ogham", "Olck": "Ol_Chiki", "Orkh": "Old_Turkic", "Orya": "Oriya",
	"Osge": "Osage", "Osma": "Osmanya", "Ougr": "Old_Uyghur", "Palm": "Palmyrene",
	"Pauc": "Pau_Cin_Hau", "Perm": "Old_Permic", "Phag": "Phags_Pa", "Phli": "Inscriptional_Pahlavi",
	"Phlp": "Psalter_Pahlavi", "Phnx": "Phoenician", "Plrd": "Miao", "Prti": "Inscriptional_Parthian",
	"Qaac": "Coptic", "Qaai": "Inherited", "Rjng": "Rejang", "Rohg": "Hanifi_Rohingya",
	"Runr": "Runic", "Samr": "Samaritan", "Sarb": "Old_South_Arabian", "Saur": "Saurashtra",
	"Sgnw": "SignWriting", "Shaw": "Shavian", "Shrd": "Sharada", "Sidd": "Siddham",
	"Sind": "Khudawadi", "Sinh": "Sinhala", "Sogd": "Sogdian", "Sogo": "Old_Sogdian",
	"Sora": "Sora_Sompeng", "Soyo": "Soyombo", "Sund": "Sundanese", "Sylo": "Syloti_Nagri",
	"Syrc": "Syriac", "Tagb": "Tagbanwa", "Takr": "Takri", "Tale": "Tai_Le", "Talu": "New_Tai_Lue",
	"Taml": "Tamil", "Tang": "Tangut", "Tavt": "Tai_Viet", "Telu": "Telugu", "Tfng": "Tifinagh",
	"Tglg": "Tagalog", "Thaa": "Thaana", "Tibt": "Tibetan", "Tirh": "Tirhuta", "Tnsa": "Tangsa",
	"Ugar": "Ugaritic", "Vaii": "Vai", "Vith": "Vithkuqi", "Wara": "Warang_Citi", "Wcho": "Wancho",
	"Xpeo": "Old_Persian", "Xsux": "Cuneiform", "Yezi": "Yezidi", "Yiii": "Yi",
	"Zanb": "Zanabazar_Square", "Zinh": "Inherited", "Zyyy": "Common",
}

func script(v string) ([]runeRange, bool) {
	if long, ok := scriptCodes[v]; ok {
		v = long
	}
	if v == "Unknown" || v == "Zzzz" {
		all := make([][]runeRange, 0, len(unicode.Scripts))
		for _, t := range unicode.Scripts {
			all = append(all, tableRanges(t))
		}
		return invertRanges(unionRanges(all...)), true
	}
	t := unicode.Scripts[v]
	if t == nil {
		return nil, false
	}
	return tableRanges(t), true
}

// binaryProps maps the binary properties supported (and their short names) to
// binaryProperty's names. Go has no table for the others (Emoji, Case_Ignorable,
// Grapheme_Base, …).
var binaryProps = map[string]string{
	"Any": "Any", "ASCII": "ASCII", "Assigned": "Assigned",
	"Alphabetic": "Alphabetic", "Alpha": "Alphabetic", "Lowercase": "Lowercase", "Lower": "Lowercase",
	"Uppercase": "Uppercase", "Upper": "Uppercase", "Cased": "Cased", "Math": "Math",
	"ID_Start": "ID_Start", "IDS": "ID_Start", "ID_Continue": "ID_Continue", "IDC": "ID_Continue",
	"ASCII_Hex_Digit": "ASCII_Hex_Digit", "AHex": "ASCII_Hex_Digit", "Bidi_Control": "Bidi_Control",
	"Bidi_C": "Bidi_Control", "Dash": "Dash", "Deprecated": "Deprecated", "Dep": "Deprecated",
	"Diacritic": "Diacritic", "Dia": "Diacritic", "Extender": "Extender", "Ext": "Extender",
	"Hex_Digit": "Hex_Digit", "Hex": "Hex_Digit", "IDS_Binary_Operator": "IDS_Binary_Operator",
	"IDSB": "IDS_Binary_Operator", "IDS_Trinary_Operator": "IDS_Trinary_Operator", "IDST": "IDS_Trinary_Operator",
	"Ideographic": "Ideographic", "Ideo": "Ideographic", "Join_Control": "Join_Control", "Join_C": "Join_Control",
	"Logical_Order_Exception": "Logical_Order_Exception", "LOE": "Logical_Order_Exception",
	"Noncharacter_Code_Point": "Noncharacter_Code_Point", "NChar": "Noncharacter_Code_Point",
	"Pattern_Syntax": "Pattern_Syntax", "Pat_Syn": "Pattern_Syntax",
	"Pattern_White_Space": "Pattern_White_Space", "Pat_WS": "Pattern_White_Space",
	"Quotation_Mark": "Quotation_Mark", "QMark": "Quotation_Mark", "Radical": "Radical",
	"Regional_Indicator": "Regional_Indicator", "RI": "Regional_Indicator",
	"Sentence_Terminal": "Sentence_Terminal", "STerm": "Sentence_Terminal", "Soft_Dotted": "Soft_Dotted",
	"SD": "Soft_Dotted", "Terminal_Punctuation": "Terminal_Punctuation", "Term": "Terminal_Punctuation",
	"Unified_Ideograph": "Unified_Ideograph", "UIdeo": "Unified_Ideograph",
	"Variation_Selector": "Variation_Selector", "VS": "Variation_Selector",
	"White_Space": "White_Space", "space": "White_Space",
}

// binaryProperty derives the properties Go has no table for as Unicode's
// DerivedCoreProperties.txt does.
func binaryProperty(name string) []runeRange {
	prop := func(n string) []runeRange { return tableRanges(unicode.Properties[n]) }
	notID := func() []runeRange { return unionRanges(prop("Pattern_Syntax"), prop("Pattern_White_Space")) }
	switch name {
	case "Any":
		return []runeRange{{0, unicode.MaxRune}}
	case "ASCII":
		return []runeRange{{0, unicode.MaxASCII}}
	case "Assigned":
		return invertRanges(category("Cn"))
	case "Lowercase":
		return unionRanges(category("Ll"), prop("Other_Lowercase"))
	case "Uppercase":
		return unionRanges(category("Lu"), prop("Other_Uppercase"))
	case "Cased":
		return unionRanges(binaryProperty("Lowercase"), binaryProperty("Uppercase"), category("Lt"))
	case "Alphabetic":
		return unionRanges(binaryProperty("Lowercase"), binaryProperty("Uppercase"), category("Lt"),
			category("Lm"), category("Lo"), category("Nl"), prop("Other_Alphabetic"))
	case "Math":
		return unionRanges(category("Sm"), prop("Other_Math"))
	case "ID_Start":
		return minusRanges(unionRanges(category("L"), category("Nl"), prop("Other_ID_Start")), notID())
	case "ID_Continue":
		return minusRanges(unionRanges(binaryProperty("ID_Start"), category("Mn"), category("Mc"),
			category("Nd"), category("Pc"), prop("Other_ID_Continue")), notID())
	}
	return prop(name)
}

type runeRange struct {
	lo, hi rune
}

// tableRanges lists a table's code points as sorted, merged ranges.
func tableRanges(t *unicode.RangeTable) []runeRange {
	var rs []runeRange
	add := func(lo, hi, stride rune) {
		if stride == 1 {
			rs = append(rs, runeRange{lo, hi})
			return
		}
		for r := lo; r <= hi; r += stride {
			rs = append(rs, runeRange{r, r})
		}
	}
	if t != nil {
		for _, r := range t.R16 {
			add(rune(r.Lo), rune(r.Hi), rune(r.Stride))
		}
		for _, r := range t.R32 {
			add(rune(r.Lo), rune(r.Hi), rune(r.Stride))
		}
	}
	return unionRanges(rs)
}

// unionRanges merges ranges into sorted, disjoint, non-adjacent ones.
func unionRanges(sets ...[]runeRange) []runeRange {
	var all []runeRange
	for _, s := range sets {
		all = append(all, s...)
	}
	slices.SortFunc(all, func(a, b runeRange) int { return int(a.lo - b.lo) })
	var out []runeRange
	for _, r := range all {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
		} else {
			out = append(out, r)
		}
	}
	return out
}

// invertRanges is the complement of merged ranges within 0…MaxRune.
func invertRanges(rs []runeRange) []runeRange {
	var out []runeRange
	next := rune(0)
	for _, r := range rs {
		if r.lo > next {
			out = append(out, runeRange{next, r.lo - 1})
		}
		next = r.hi + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, runeRange{next, unicode.MaxRune})
	}
	return out
}

func minusRanges(a, b []runeRange) []runeRange {
	return invertRanges(unionRanges(invertRanges(a), b))
}

// classBody writes ranges for a character class under the u flag.
func classBody(rs []runeRange) string {
	var b strings.Builder
	b.Grow(len(rs) * 18)
	cp := func(r rune) {
		b.WriteString(`\u{`)
		b.WriteString(strconv.FormatInt(int64(r), 16))
		b.WriteByte('}')
	}
	for _, r := range rs {
		cp(r.lo)
		if r.hi > r.lo {
			b.WriteByte('-')
			cp(r.hi)
		}
	}
	return b.String()
}
