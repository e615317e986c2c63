package cloudfns

import (
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/dop251/goja"
)

// Guards against work that goja does in one native step, where neither the timeout
// nor the memory watchdog can stop it (vm.Interrupt is only checked between
// JavaScript instructions):
//
//   - String.prototype.repeat/padStart/padEnd/concat/replace/replaceAll and
//     Array.prototype.join refuse results longer than maxString characters;
//   - the Array constructor, Array.prototype.fill and Array.from refuse lengths above
//     maxArray (a huge `new Array(n)` costs nothing by itself, but every native loop
//     over it — fill, from, join, spread — would run unstoppably);
//   - ArrayBuffer and the typed-array constructors (and Buffer, globals_buffer) refuse
//     more than maxBytes;
//   - JSON.stringify counts what it writes (a structure that shares one big string a
//     million times amplifies) and refuses nesting deeper than maxJSONDepth (goja's
//     cycle check is quadratic in depth); JSON.parse refuses nesting deeper than
//     maxJSONDepth (goja recurses on the Go stack);
//   - regular expressions that need backtracking (regexp2) stop after
//     regexpMatchTimeout (a timed-out match counts as no match).
//
// A refusal is a catchable RangeError, like V8's "Invalid string length"; when it
// escapes main, the invocation fails with CodeMemory.

const (
	maxJSONDepth       = 5000
	regexpMatchTimeout = time.Second
)

var regexpOnce sync.Once

// limitRegexp2 bounds backtracking regular expressions. regexp2 is only used by goja
// in this process, and the setting applies to expressions compiled afterwards.
func limitRegexp2() {
	regexpOnce.Do(func() {
		if regexp2.DefaultMatchTimeout == time.Duration(math.MaxInt64) {
			regexp2.DefaultMatchTimeout = regexpMatchTimeout
		}
	})
}

type guards struct {
	vm        *goja.Runtime
	maxString int
	maxArray  int64
	maxBytes  int64
	mark      *goja.Symbol

	rangeError      *goja.Object
	syntaxErrorCtor goja.Value
	speciesGetter   goja.Value
	replacer        goja.Value
	stringify       goja.Callable // the original JSON.stringify
	parse           goja.Callable // the original JSON.parse

	// State of the JSON.stringify in progress (re-entered by toJSON/replacers).
	st *stringifyState

	// The array or string iterator last stepped and its consecutive steps.
	iter      goja.Value
	iterSteps int
}

type stringifyState struct {
	written int
	limit   int
	what    string
	indent  int
	objects int
	depth   map[*goja.Object]int
	user    goja.Callable
	allow   map[string]bool
	calls   int
	err     error
}

// guardLimits derives the caps from the memory budget.
func guardLimits(heap uint64) (maxString int, maxArray, maxBytes int64) {
	maxString = int(min(heap/4, 1<<29-24))
	maxArray = int64(min(heap/128, 1<<22))
	maxBytes = int64(min(heap/4, 1<<31))
	return
}

func newGuards(vm *goja.Runtime, heap uint64) *guards {
	g := &guards{vm: vm, mark: goja.NewSymbol("minicloud.guard")}
	g.maxString, g.maxArray, g.maxBytes = guardLimits(heap)
	g.rangeError, _ = vm.Get("RangeError").(*goja.Object)
	g.syntaxErrorCtor = vm.Get("SyntaxError")
	g.speciesGetter = vm.ToValue(func(c goja.FunctionCall) goja.Value { return c.This })
	g.replacer = vm.ToValue(g.countingReplacer)
	return g
}

// syntaxError builds a SyntaxError.
func (g *guards) syntaxError(msg string) *goja.Object {
	if ctor, ok := goja.AssertConstructor(g.syntaxErrorCtor); ok {
		if e, err := ctor(nil, g.vm.ToValue(msg)); err == nil {
			return e
		}
	}
	return g.vm.NewTypeError(msg)
}

// refuse throws the guard's RangeError.
func (g *guards) refuse(msg string) {
	ctor, _ := goja.AssertConstructor(g.rangeError)
	e, err := ctor(nil, g.vm.ToValue(msg+" (Minicloud limits single allocations)"))
	if err != nil {
		panic(err)
	}
	_ = e.DefineDataPropertySymbol(g.mark, g.vm.ToValue(true), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	panic(e)
}

func (g *guards) isGuardError(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	if !ok || g == nil {
		return false
	}
	m := o.GetSymbol(g.mark)
	return m != nil && m.ToBoolean()
}

func strLen(v goja.Value) int {
	if s, ok := v.(goja.String); ok {
		return s.Length()
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return 0
	}
	return len(v.String())
}

// wrapMethod replaces obj[name] with check followed by the original.
// defineMethod installs fn as obj's method name, with the name, length and property
// flags of a built-in method (non-enumerable), so that guarded methods look like the
// ones they replace.
func defineMethod(vm *goja.Runtime, obj *goja.Object, name string, length goja.Value, fn *goja.Object) {
	_ = fn.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", length, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func (g *guards) wrapMethod(obj *goja.Object, name string, check func(call *goja.FunctionCall)) {
	o, ok := obj.Get(name).(*goja.Object)
	if !ok {
		return
	}
	var fn *goja.Object
	if native, ok := o.Export().(func(goja.FunctionCall) goja.Value); ok {
		// A built-in: called directly, its exceptions pass through as they would
		// from the built-in itself (no try/recover round trip per call).
		fn = g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
			check(&call)
			return native(call)
		}).(*goja.Object)
	} else if orig, ok := goja.AssertFunction(o); ok {
		fn = g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
			check(&call)
			v, err := orig(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		}).(*goja.Object)
	} else {
		return
	}
	defineMethod(g.vm, obj, name, o.Get("length"), fn)
}

// boundIteratorSteps makes next() of the iterators whose prototype is proto refuse
// to yield more than limit values in a row on one iterator (limit+1 calls: the last
// one reports done). Spread, Array.from,
// new Set/Map and Promise.all drive iterators in one native step, so this is what
// stops them on an array whose length was set huge (a[2 ** 32 - 2] = 1; [...a]).
// Guarding here rather than replacing Array.prototype[Symbol.iterator] keeps goja's
// fast paths for standard arrays (Array.from, new Set and exports check that
// property is the built-in values) and covers the iterators goja hands out itself
// (arguments[Symbol.iterator]).
func (g *guards) boundIteratorSteps(proto *goja.Object, limit int) {
	next, ok := proto.Get("next").(*goja.Object)
	if !ok {
		return
	}
	native, ok := next.Export().(func(goja.FunctionCall) goja.Value)
	if !ok {
		return
	}
	fn := g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if call.This == g.iter {
			g.iterSteps++
			if g.iterSteps > limit+1 {
				g.iter = nil
				g.refuse("Invalid array length")
			}
		} else {
			g.iter, g.iterSteps = call.This, 1
		}
		return native(call)
	}).(*goja.Object)
	defineMethod(g.vm, proto, "next", next.Get("length"), fn)
}

// forgetIterator drops the iterator the step count follows, so that a warm instance
// does not keep it (and its array) alive between invocations.
func (g *guards) forgetIterator() {
	if g != nil {
		g.iter, g.iterSteps = nil, 0
	}
}

func (g *guards) install() {
	vm := g.vm
	limitRegexp2()

	str := vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	g.wrapMethod(str, "repeat", func(call *goja.FunctionCall) {
		n := call.Argument(0).ToFloat()
		if l := strLen(call.This); l > 0 && n > 0 && float64(l)*n > float64(g.maxString) {
			g.refuse("Invalid string length")
		}
	})
	pad := func(call *goja.FunctionCall) {
		if call.Argument(0).ToFloat() > float64(g.maxString) {
			g.refuse("Invalid string length")
		}
	}
	g.wrapMethod(str, "padStart", pad)
	g.wrapMethod(str, "padEnd", pad)
	g.wrapMethod(str, "concat", func(call *goja.FunctionCall) {
		total := strLen(call.This)
		for _, a := range call.Arguments {
			total += strLen(a)
			if total > g.maxString {
				g.refuse("Invalid string length")
			}
		}
	})
	g.wrapSplit(str)
	g.wrapReplace(str, "replace")
	g.wrapReplace(str, "replaceAll")
	installRegexpGroups(vm) // named capture groups (globals_regexp.go)

	arrCtor := vm.Get("Array").(*goja.Object)
	arr := arrCtor.Get("prototype").(*goja.Object)
	g.wrapMethod(arr, "fill", func(call *goja.FunctionCall) {
		o, ok := call.This.(*goja.Object)
		if !ok {
			return
		}
		n := o.Get("length").ToFloat()
		start, end := relIndex(call.Argument(1), n, 0), relIndex(call.Argument(2), n, n)
		if end-start > float64(g.maxArray) {
			g.refuse("Invalid array length")
		}
	})
	g.wrapMethod(arr, "join", func(call *goja.FunctionCall) {
		if o, ok := call.This.(*goja.Object); ok {
			sep := 1
			if s := call.Argument(0); !goja.IsUndefined(s) {
				sep = strLen(s)
			}
			if g.joinEstimate(o, sep, 0) > g.maxString {
				g.refuse("Invalid string length")
			}
		}
	})
	// Native loops over `length` (and the slice some of them allocate up front): an
	// array whose length was set huge (a.length = 2**32 - 1) must not reach them.
	loopLimit := float64(g.maxArray) * 4
	lengthCheck := func(call *goja.FunctionCall) {
		if o, ok := call.This.(*goja.Object); ok {
			if l := o.Get("length"); l != nil && l.ToFloat() > loopLimit {
				g.refuse("Invalid array length")
			}
		}
	}
	for _, name := range [...]string{"map", "filter", "forEach", "reduce", "reduceRight", "some", "every",
		"find", "findIndex", "findLast", "findLastIndex", "indexOf", "lastIndexOf", "includes", "slice",
		"splice", "copyWithin", "reverse", "sort", "flat", "flatMap", "toReversed", "toSorted", "toSpliced",
		"with", "shift", "unshift", "toLocaleString"} {
		g.wrapMethod(arr, name, lengthCheck)
	}
	// keys/entries/values and Symbol.iterator stay the built-ins: their iterators are
	// bounded step by step instead (boundIteratorSteps), on arrays, typed arrays and
	// strings alike.
	for _, iterable := range [...]struct {
		proto *goja.Object
		this  goja.Value
	}{{arr, vm.NewArray()}, {str, vm.ToValue("")}} {
		values, ok := goja.AssertFunction(iterable.proto.GetSymbol(goja.SymIterator))
		if !ok {
			continue
		}
		if it, err := values(iterable.this); err == nil {
			if o, ok := it.(*goja.Object); ok && o.Prototype() != nil {
				g.boundIteratorSteps(o.Prototype(), int(g.maxArray))
			}
		}
	}
	g.wrapMethod(arr, "concat", func(call *goja.FunctionCall) {
		total := 0.0
		add := func(v goja.Value) {
			if o, ok := v.(*goja.Object); ok && o.ClassName() == "Array" {
				total += o.Get("length").ToFloat()
			} else {
				total++
			}
		}
		add(call.This)
		for _, a := range call.Arguments {
			add(a)
		}
		if total > loopLimit {
			g.refuse("Invalid array length")
		}
	})
	// Argument lists built from array-likes are allocated in one step.
	argsCheck := func(idx int) func(*goja.FunctionCall) {
		return func(call *goja.FunctionCall) {
			if o, ok := call.Argument(idx).(*goja.Object); ok {
				if l := o.Get("length"); l != nil && l.ToFloat() > float64(g.maxArray) {
					g.refuse("Invalid array length")
				}
			}
		}
	}
	fnProto := vm.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
	g.wrapMethod(fnProto, "apply", argsCheck(1))
	if reflect, ok := vm.Get("Reflect").(*goja.Object); ok {
		g.wrapMethod(reflect, "apply", argsCheck(2))
		g.wrapMethod(reflect, "construct", argsCheck(1))
	}
	// Array.from copies a standard array in one step when called on the real Array
	// constructor; the guarded Array (wrapConstructor below) stands for it.
	var guardedArray goja.Value
	g.wrapMethod(arrCtor, "from", func(call *goja.FunctionCall) {
		if call.This == guardedArray {
			call.This = arrCtor
		}
		if o, ok := call.Argument(0).(*goja.Object); ok {
			if l := o.Get("length"); l != nil && l.ToFloat() > float64(g.maxArray) {
				g.refuse("Invalid array length")
			}
		}
	})
	g.wrapConstructor("Array", func(args []goja.Value) {
		if len(args) == 1 && goja.IsNumber(args[0]) && args[0].ToFloat() > float64(g.maxArray) {
			g.refuse("Invalid array length")
		}
	})
	guardedArray = vm.Get("Array")
	g.wrapConstructor("ArrayBuffer", func(args []goja.Value) {
		if len(args) > 0 && args[0].ToFloat() > float64(g.maxBytes) {
			g.refuse("Array buffer allocation failed")
		}
	})
	for _, ta := range [...]struct {
		name string
		size float64
	}{{"Int8Array", 1}, {"Uint8Array", 1}, {"Uint8ClampedArray", 1}, {"Int16Array", 2}, {"Uint16Array", 2},
		{"Int32Array", 4}, {"Uint32Array", 4}, {"Float32Array", 4}, {"Float64Array", 8},
		{"BigInt64Array", 8}, {"BigUint64Array", 8}} {
		size := ta.size
		g.wrapConstructor(ta.name, func(args []goja.Value) {
			if len(args) == 0 {
				return
			}
			n := 0.0
			switch a := args[0].(type) {
			case *goja.Object:
				if a.ExportType() == typeArrayBuffer {
					return
				}
				if l := a.Get("length"); l != nil {
					n = l.ToFloat()
				}
			default:
				n = a.ToFloat()
			}
			if n*size > float64(g.maxBytes) {
				g.refuse("Array buffer allocation failed")
			}
		})
	}

	js := vm.Get("JSON").(*goja.Object)
	g.stringify, _ = goja.AssertFunction(js.Get("stringify"))
	g.parse, _ = goja.AssertFunction(js.Get("parse"))
	stringify := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if rep, sp := call.Argument(1), call.Argument(2); (goja.IsUndefined(rep) || goja.IsNull(rep)) && goja.IsUndefined(sp) {
			out, ok, err := g.encodeJSON(call.Argument(0), g.maxString, "")
			switch {
			case errors.Is(err, errGuardString):
				g.refuse("Invalid string length")
			case errors.Is(err, errJSONCircular):
				panic(vm.NewTypeError("Converting circular structure to JSON"))
			case err != nil:
				jsThrow(vm, err)
			case !ok:
				return goja.Undefined()
			}
			return vm.ToValue(string(out))
		}
		s, err := g.stringifyCall(call.Argument(0), call.Argument(1), call.Argument(2), g.maxString, "")
		if errors.Is(err, errGuardString) {
			g.refuse("Invalid string length")
		}
		if err != nil {
			jsThrow(vm, err)
		}
		return s
	}).(*goja.Object)
	defineMethod(vm, js, "stringify", vm.ToValue(3), stringify)
	parse := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		text := call.Argument(0)
		if _, hasReviver := goja.AssertFunction(call.Argument(1)); !hasReviver {
			v, err := parseJSON(vm, text.String())
			var se *jsonSyntaxError
			switch {
			case err == nil:
				return v
			case errors.As(err, &se):
				panic(g.syntaxError(se.msg))
			}
		}
		if s, ok := text.(goja.String); ok {
			if err := checkJSONDepth([]byte(s.String()), maxJSONDepth); err != nil {
				panic(vm.NewTypeError("JSON.parse: " + err.Error()))
			}
		}
		v, err := g.parse(goja.Undefined(), call.Arguments...)
		if err != nil {
			jsThrow(vm, err)
		}
		return v
	}).(*goja.Object)
	defineMethod(vm, js, "parse", vm.ToValue(2), parse)
}

func relIndex(v goja.Value, n, def float64) float64 {
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	i := v.ToFloat()
	if math.IsNaN(i) {
		return 0
	}
	if i < 0 {
		return max(n+i, 0)
	}
	return min(i, n)
}

// joinEstimate is a lower bound of the length of o.join(sep): separators plus the
// string (and nested array) elements, stopping early past the cap.
func (g *guards) joinEstimate(o *goja.Object, sep, depth int) int {
	lv := o.Get("length")
	if lv == nil {
		return 0
	}
	n := lv.ToFloat()
	if n > float64(g.maxArray)*16 {
		return g.maxString + 1
	}
	total := 0
	if n > 1 {
		total = int(n-1) * sep
	}
	if total > g.maxString || depth > 3 {
		return total
	}
	if o.ClassName() != "Array" {
		return total
	}
	for i := 0; i < int(n); i++ {
		switch e := o.Get(itoa(i)).(type) {
		case goja.String:
			total += e.Length()
		case *goja.Object:
			if e.ClassName() == "Array" {
				total += g.joinEstimate(e, 1, depth+1)
			}
		}
		if total > g.maxString {
			return total
		}
	}
	return total
}

// wrapSplit guards String.prototype.split: a long string split into more than
// maxArray pieces (each a value in one native step) is refused.
func (g *guards) wrapSplit(proto *goja.Object) {
	orig, ok := goja.AssertFunction(proto.Get("split"))
	if !ok {
		return
	}
	fn := g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		n := strLen(call.This)
		sep, lim := call.Argument(0), call.Argument(1)
		if n > int(g.maxArray) && (goja.IsUndefined(lim) || lim.ToFloat() > float64(g.maxArray)) {
			if ss, ok := sep.(goja.String); ok {
				pieces := n + 1
				if ss.Length() > 0 {
					pieces = strings.Count(call.This.String(), ss.String()) + 1
				}
				if pieces > int(g.maxArray) {
					g.refuse("Invalid array length")
				}
			} else if !goja.IsUndefined(sep) {
				v, err := orig(call.This, sep, g.vm.ToValue(g.maxArray+1))
				if err != nil {
					panic(err)
				}
				if o, ok := v.(*goja.Object); ok && o.Get("length").ToInteger() > g.maxArray {
					g.refuse("Invalid array length")
				}
				return v
			}
		}
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	}).(*goja.Object)
	defineMethod(g.vm, proto, "split", g.vm.ToValue(2), fn)
}

// wrapReplace guards replace/replaceAll with a string replacement: when the result
// could exceed the cap, the replacement runs through a counting function instead.
func (g *guards) wrapReplace(proto *goja.Object, name string) {
	orig, ok := goja.AssertFunction(proto.Get(name))
	if !ok {
		return
	}
	fn := g.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		repl := call.Argument(1)
		rs, isStr := repl.(goja.String)
		if isStr {
			n := strLen(call.This)
			rl := rs.Length()
			// One substitution is at most the template, each $ token in it ($&, $`,
			// $', $n, $<name>) standing for at most the whole subject: "$'" makes
			// the result quadratic in the subject.
			grow := float64(rl)
			dollars := hasDollar(rs)
			if dollars {
				grow += float64(strings.Count(rs.String(), "$")) * float64(n)
			}
			if rl > 1 && float64(n)+float64(n+1)*grow > float64(g.maxString) {
				// Substitute here, counting, instead of in one native step.
				total := n
				var parts []rxPart
				partsFor := -1
				counter := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
					piece := goja.Value(rs)
					if dollars {
						// (match, p1…pm, offset, string[, groups])
						args := c.Arguments
						m := max(len(args)-3, 0)
						var groups *goja.Object
						hasGroups := false
						if len(args) > 3 {
							groups, hasGroups = args[len(args)-1].(*goja.Object)
						}
						if hasGroups {
							m--
						}
						if m != partsFor {
							parts, partsFor = parseSubstitution(rs, m, nil, hasGroups), m
						}
						var named func(string) goja.Value
						if hasGroups {
							named = groups.Get
						}
						piece = substitute(parts, c.Argument, m, named)
					}
					total += strLen(piece) - strLen(c.Argument(0))
					if total > g.maxString {
						g.refuse("Invalid string length")
					}
					return piece
				})
				v, err := orig(call.This, call.Argument(0), counter)
				if err != nil {
					panic(err)
				}
				return v
			}
		}
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	}).(*goja.Object)
	defineMethod(g.vm, proto, name, g.vm.ToValue(2), fn)
}

// wrapConstructor replaces the global constructor name by a native constructor that
// checks its arguments and then constructs with the original (new.target preserved,
// so subclasses work). The wrapper shares the original's prototype object (instanceof
// holds), statics and Symbol.species, and becomes prototype.constructor.
func (g *guards) wrapConstructor(name string, check func(args []goja.Value)) {
	vm := g.vm
	real, ok := vm.Get(name).(*goja.Object)
	if !ok {
		return
	}
	ctor, ok := goja.AssertConstructor(real)
	if !ok {
		return
	}
	var w *goja.Object
	w = vm.ToValue(func(c goja.ConstructorCall) *goja.Object {
		check(c.Arguments)
		// goja passes no new.target for `new W()` and for a plain call W(); a subclass's
		// super() passes the subclass.
		nt := c.NewTarget
		if nt == nil || nt == w {
			nt = real
		}
		o, err := ctor(nt, c.Arguments...)
		if err != nil {
			panic(err)
		}
		return o
	}).(*goja.Object)
	proto, _ := real.Get("prototype").(*goja.Object)
	_ = w.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", real.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	for _, k := range [...]string{"isArray", "from", "of", "isView", "BYTES_PER_ELEMENT"} {
		if v := real.Get(k); v != nil && !goja.IsUndefined(v) {
			_ = w.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	if p := real.Prototype(); p != nil {
		_ = w.SetPrototype(p) // typed arrays inherit from/of from %TypedArray%
	}
	_ = w.DefineAccessorPropertySymbol(goja.SymSpecies, g.speciesGetter, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if proto != nil {
		_ = proto.DefineDataProperty("constructor", w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	_ = vm.GlobalObject().DefineDataProperty(name, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

var (
	errResultTooLarge = errors.New("result too large")
	errGuardString    = errors.New("string too long")
)

// throw rethrows err from a native function: JavaScript exceptions and goja's
// uncatchable errors (interrupts, stack overflow) as they are, other errors as a
// JavaScript Error.
func jsThrow(vm *goja.Runtime, err error) {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	switch {
	case errors.As(err, &ie):
		panic(ie)
	case errors.As(err, &so):
		panic(so)
	case errors.As(err, &ex):
		panic(ex)
	}
	panic(vm.NewGoError(err))
}

// stringifyCapped is JSON.stringify(v) bounded to limit bytes, for the runtime's own
// use (the function's result). "" means undefined (a function, a symbol).
func (g *guards) stringifyCapped(v goja.Value, limit int, what string) (string, error) {
	s, err := g.stringifyCall(v, goja.Undefined(), goja.Undefined(), limit, what)
	if err != nil {
		return "", err
	}
	if goja.IsUndefined(s) {
		return "", nil
	}
	return s.String(), nil
}

// stringifyCall runs the original JSON.stringify with a counting replacer (chained to
// the caller's replacer function or property list).
func (g *guards) stringifyCall(value, replacer, space goja.Value, limit int, what string) (goja.Value, error) {
	// A primitive needs no counting (a string grows at most 6x by escaping; the text is
	// capped below), unless a replacer function may turn it into an object.
	if _, ok := value.(*goja.Object); !ok {
		if _, fn := goja.AssertFunction(replacer); !fn {
			out, err := g.stringify(goja.Undefined(), value, replacer, space)
			if err != nil {
				return nil, err
			}
			return capJSON(out, limit, what)
		}
	}
	st := &stringifyState{limit: limit, what: what}
	if rf, ok := goja.AssertFunction(replacer); ok {
		st.user = rf
	} else if ro, ok := replacer.(*goja.Object); ok && ro.ClassName() == "Array" {
		st.allow = map[string]bool{}
		n := int(ro.Get("length").ToInteger())
		for i := 0; i < n && i < 100000; i++ {
			e := ro.Get(itoa(i))
			switch {
			case goja.IsString(e) || goja.IsNumber(e):
				st.allow[e.String()] = true
			case e != nil:
				if eo, ok := e.(*goja.Object); ok && (eo.ClassName() == "String" || eo.ClassName() == "Number") {
					st.allow[e.String()] = true
				}
			}
		}
	}
	if sp := space; sp != nil && !goja.IsUndefined(sp) {
		switch {
		case goja.IsNumber(sp):
			st.indent = int(min(max(sp.ToInteger(), 0), 10))
		case goja.IsString(sp):
			st.indent = min(strLen(sp), 10)
		}
	}
	prev := g.st
	g.st = st
	defer func() { g.st = prev }()
	out, err := g.stringify(goja.Undefined(), value, g.replacer, space)
	if st.err != nil {
		return nil, st.err
	}
	if err != nil {
		return nil, err
	}
	return capJSON(out, limit, what)
}

// capJSON refuses JSON text longer than limit: as too large a what, or with the
// string guard's error for JSON.stringify itself (what "").
func capJSON(out goja.Value, limit int, what string) (goja.Value, error) {
	if s, ok := out.(goja.String); ok && s.Length() > limit {
		if what != "" {
			return nil, jsonTooLarge(what, limit)
		}
		return nil, errGuardString
	}
	return out, nil
}

func jsonTooLarge(what string, limit int) error {
	return errors.New(what + " is larger than " + itoa(limit>>10) + " KiB of JSON")
}

func (st *stringifyState) tooLarge() error { return jsonTooLarge(st.what, st.limit) }

// countingReplacer is the replacer the guarded JSON.stringify runs: it applies the
// caller's replacer, counts what will be written and tracks nesting (only past the
// first 1000 objects, so small values pay no map; the depth it sees may then be up to
// 1000 too low, which the limit tolerates).
func (g *guards) countingReplacer(call goja.FunctionCall) goja.Value {
	st := g.st
	key, value := call.Argument(0), call.Argument(1)
	holder, _ := call.This.(*goja.Object)
	st.calls++
	first := st.calls == 1
	if st.user != nil {
		v, err := st.user(call.This, key, value)
		if err != nil {
			jsThrow(g.vm, err)
		}
		value = v
	} else if st.allow != nil && !first && holder != nil && holder.ClassName() != "Array" {
		if !st.allow[key.String()] {
			return goja.Undefined()
		}
	}
	st.written += strLen(key) + 4
	d := 0
	if st.depth != nil && holder != nil {
		d = st.depth[holder]
	}
	switch v := value.(type) {
	case goja.String:
		st.written += v.Length() + 2
	case *goja.Object:
		st.written += 2
		st.objects++
		if st.objects > 1000 || st.indent > 0 {
			if st.depth == nil {
				st.depth = map[*goja.Object]int{}
			}
			if d+1 > maxJSONDepth {
				panic(g.vm.NewTypeError("JSON.stringify: nesting deeper than " + itoa(maxJSONDepth) + " levels"))
			}
			st.depth[v] = d + 1
		}
	default:
		st.written += 8
	}
	if st.indent > 0 {
		st.written += 1 + d*st.indent
	}
	if st.written > st.limit {
		if st.what != "" {
			st.err = st.tooLarge()
			panic(g.vm.NewGoError(st.err))
		}
		g.refuse("Invalid string length")
	}
	return value
}

// checkJSONDepth reports JSON text nested deeper than limit (strings skipped).
func checkJSONDepth(b []byte, limit int) error {
	depth := 0
	inStr := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
			if depth > limit {
				return errors.New("is nested deeper than " + itoa(limit) + " levels")
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}
