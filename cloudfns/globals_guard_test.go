package cloudfns

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/dop251/goja"
)

// guardTestHeap is the heap budget of the guard tests' VMs: guardLimits gives
// maxString 262144, maxArray 8192 (native loops: 32768) and maxBytes 262144, small
// enough for the refused sizes to be cheap.
const guardTestHeap = 1 << 20

// newGuardTestVM is a bare VM with the guards installed, as installGlobals does, and
// isGuard(e) telling whether e is the guards' RangeError.
func newGuardTestVM(t testing.TB) (*goja.Runtime, *guards) {
	t.Helper()
	vm := goja.New()
	g := newGuards(vm, guardTestHeap)
	g.install()
	if err := vm.Set("isGuard", func(v goja.Value) bool { return g.isGuardError(v) }); err != nil {
		t.Fatal(err)
	}
	return vm, g
}

// guardRun runs src and describes the outcome: the value as a string, "refused
// <name>: <message>" for the guards' error (without the suffix every refusal has), or
// "threw <name>: <message>" for another thrown error.
func guardRun(t testing.TB, vm *goja.Runtime, g *guards, src string) string {
	t.Helper()
	v, err := vm.RunString(src)
	if err == nil {
		return v.String()
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("%s: %v", src, err)
	}
	o, ok := ex.Value().(*goja.Object)
	if !ok {
		return "threw " + ex.Value().String()
	}
	desc := o.Get("name").String() + ": " + o.Get("message").String()
	if g.isGuardError(o) {
		const suffix = " (Minicloud limits single allocations)"
		if !strings.HasSuffix(desc, suffix) {
			return "refused without the suffix " + desc
		}
		return "refused " + strings.TrimSuffix(desc, suffix)
	}
	return "threw " + desc
}

const (
	refusedString = "refused RangeError: Invalid string length"
	refusedArray  = "refused RangeError: Invalid array length"
	refusedBuffer = "refused RangeError: Array buffer allocation failed"
)

func TestGuardLimits(t *testing.T) {
	cases := []struct {
		heap      uint64
		maxString int
		maxArray  int64
		maxBytes  int64
	}{
		{0, 0, 0, 0},
		{guardTestHeap, 262144, 8192, 262144},
		{8 << 20, 2 << 20, 65536, 2 << 20},
		{512 << 20, 128 << 20, 4 << 20, 128 << 20}, // the default budget
		{1 << 30, 256 << 20, 1 << 22, 256 << 20},
		{4 << 30, 1<<29 - 24, 1 << 22, 1 << 30},
		{64 << 30, 1<<29 - 24, 1 << 22, 1 << 31},
	}
	for _, c := range cases {
		s, a, b := guardLimits(c.heap)
		if s != c.maxString || a != c.maxArray || b != c.maxBytes {
			t.Errorf("guardLimits(%d) = %d, %d, %d; want %d, %d, %d", c.heap, s, a, b, c.maxString, c.maxArray, c.maxBytes)
		}
	}
	_, g := newGuardTestVM(t)
	if g.maxString != 262144 || g.maxArray != 8192 || g.maxBytes != 262144 {
		t.Errorf("newGuards: %d, %d, %d", g.maxString, g.maxArray, g.maxBytes)
	}
	// Installing the guards bounds backtracking regular expressions.
	if regexp2.DefaultMatchTimeout != regexpMatchTimeout {
		t.Errorf("regexp2 match timeout %v", regexp2.DefaultMatchTimeout)
	}
}

func TestGuardStrLen(t *testing.T) {
	vm := goja.New()
	cases := []struct {
		name string
		v    goja.Value
		want int
	}{
		{"nil", nil, 0},
		{"undefined", goja.Undefined(), 0},
		{"null", goja.Null(), 0},
		{"empty", vm.ToValue(""), 0},
		{"ASCII", vm.ToValue("abc"), 3},
		{"UTF-16 units", vm.ToValue("héllo"), 5},
		{"surrogate pair", vm.ToValue("a😀"), 3},
		{"number", vm.ToValue(12345), 5},
		{"boolean", vm.ToValue(true), 4},
		{"object", vm.NewObject(), len("[object Object]")},
	}
	for _, c := range cases {
		if got := strLen(c.v); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestGuardRelIndex(t *testing.T) {
	vm := goja.New()
	const n = 10
	cases := []struct {
		name string
		v    goja.Value
		def  float64
		want float64
	}{
		{"nil: the default", nil, 7, 7},
		{"undefined: the default", goja.Undefined(), 7, 7},
		{"in range", vm.ToValue(3), 0, 3},
		{"past the end", vm.ToValue(30), 0, n},
		{"from the end", vm.ToValue(-3), 0, 7},
		{"before the start", vm.ToValue(-30), 0, 0},
		{"NaN", vm.ToValue(math.NaN()), 5, 0},
		{"not a number", vm.ToValue("x"), 5, 0},
		{"numeric string", vm.ToValue("4"), 0, 4},
		{"Infinity", vm.ToValue(math.Inf(1)), 0, n},
		{"-Infinity", vm.ToValue(math.Inf(-1)), 0, 0},
		{"null is 0", goja.Null(), 5, 0},
	}
	for _, c := range cases {
		if got := relIndex(c.v, n, c.def); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestGuardJoinEstimate(t *testing.T) {
	vm := goja.New()
	g := newGuards(vm, guardTestHeap)
	cases := []struct {
		name string
		src  string
		sep  int
		want int
	}{
		{"strings and separators", `['ab', 'cd', 'e']`, 1, 7},
		{"longer separator", `['ab', 'cd', 'e']`, 3, 11},
		{"no separator", `['ab', 'cd', 'e']`, 0, 5},
		{"empty array", `[]`, 5, 0},
		{"numbers are not counted (a lower bound)", `[1, 2, 3]`, 1, 2},
		{"nested arrays join with commas", `[['ab', 'c'], 'd']`, 1, 6},
		{"nested up to depth 3", `[[[['deep']]]]`, 0, 4},
		{"not below depth 3", `[[[[['deep']]]]]`, 0, 0},
		{"an array-like counts its separators only", `({ length: 5, 0: 'xxxx' })`, 2, 8},
		{"no length", `({})`, 1, 0},
		{"a long sparse array within", `(() => { const a = []; a.length = 131072; return a })()`, 0, 0},
		{"a longer one is over the cap at once", `(() => { const a = []; a.length = 131073; return a })()`, 0, 262145},
		{"separators alone over the cap", `(() => { const a = ['x']; a.length = 100000; return a })()`, 3, 299997},
		{"stops counting once over the cap", `(() => { const s = 'x'.repeat(200000); return [s, s, s, s] })()`, 0, 400000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := vm.RunString(c.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.joinEstimate(v.(*goja.Object), c.sep, 0); got != c.want {
				t.Errorf("%d, want %d", got, c.want)
			}
		})
	}
}

func TestGuardCheckJSONDepth(t *testing.T) {
	cases := []struct {
		text  string
		limit int
		ok    bool
	}{
		{``, 3, true},
		{`1`, 0, true},
		{`[]`, 0, false},
		{`[[[]]]`, 3, true},
		{`[[[[]]]]`, 3, false},
		{`{"a":{"b":{"c":1}}}`, 3, true},
		{`{"a":{"b":{"c":{}}}}`, 3, false},
		{`[{"a":[{}]}]`, 3, false},
		{`[][][][][]`, 1, true},
		{`["[[[[[[{{{{"]`, 1, true},
		{`["\"[[[[[["]`, 1, true},
		{`["\\",[[[]]]]`, 3, false},
		{`["\\"]`, 1, true},
		{`]]]][[[`, 3, true},
	}
	for _, c := range cases {
		err := checkJSONDepth([]byte(c.text), c.limit)
		if (err == nil) != c.ok {
			t.Errorf("%s (limit %d): %v", c.text, c.limit, err)
		}
		if err != nil && err.Error() != "is nested deeper than "+itoa(c.limit)+" levels" {
			t.Errorf("%s: message %q", c.text, err)
		}
	}
}

func TestGuardSyntaxError(t *testing.T) {
	vm := goja.New()
	g := newGuards(vm, guardTestHeap)
	// The constructor is the one the VM had when the guards were made.
	if _, err := vm.RunString(`var OrigSyntaxError = SyntaxError; SyntaxError = function () {}`); err != nil {
		t.Fatal(err)
	}
	_ = vm.Set("e", g.syntaxError("Unexpected token x"))
	if got := guardRun(t, vm, g, `e instanceof OrigSyntaxError && e.name === 'SyntaxError' && e.message === 'Unexpected token x'`); got != "true" {
		t.Errorf("syntaxError: %s", got)
	}
	// Without a SyntaxError constructor: a TypeError with the message.
	g.syntaxErrorCtor = goja.Undefined()
	_ = vm.Set("e", g.syntaxError("no ctor"))
	if got := guardRun(t, vm, g, `e instanceof TypeError && e.message === 'no ctor'`); got != "true" {
		t.Errorf("fallback: %s", got)
	}
}

func TestGuardIsGuardError(t *testing.T) {
	vm, g := newGuardTestVM(t)
	guardErr, err := vm.RunString(`(() => { try { 'x'.repeat(1e9) } catch (e) { return e } })()`)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := vm.RunString(`new RangeError('Invalid string length (Minicloud limits single allocations)')`)
	copied, _ := vm.RunString(`(() => { try { 'x'.repeat(1e9) } catch (e) { return Object.assign(new RangeError(e.message), e) } })()`)
	unmarked, err := vm.RunString(`(() => { try { 'x'.repeat(1e9) } catch (e) {
		return { [Object.getOwnPropertySymbols(e)[0]]: false } } })()`)
	if err != nil {
		t.Fatal(err)
	}
	other := newGuards(vm, guardTestHeap) // another guards' mark
	var none *guards
	cases := []struct {
		name string
		g    *guards
		v    goja.Value
		want bool
	}{
		{"the guards' error", g, guardErr, true},
		{"a RangeError with the same message", g, plain, false},
		{"a copy of its visible properties", g, copied, false},
		{"the mark set to false", g, unmarked, false},
		{"a string", g, vm.ToValue("RangeError"), false},
		{"nil", g, nil, false},
		{"undefined", g, goja.Undefined(), false},
		{"another guards' error", other, guardErr, false},
		{"no guards", none, guardErr, false},
	}
	for _, c := range cases {
		if got := c.g.isGuardError(c.v); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
	// The refusal is an ordinary, catchable RangeError; the mark is hidden.
	if got := guardRun(t, vm, g, `(() => { try { ''.padStart(1e9) } catch (e) {
		return [e instanceof RangeError, e.name, Object.keys(e).length, JSON.stringify(e), isGuard(e)].join() } })()`); got != "true,RangeError,0,{},true" {
		t.Errorf("caught refusal: %s", got)
	}
	// Script cannot take the mark off.
	if got := guardRun(t, vm, g, `(() => { try { 'x'.repeat(1e9) } catch (e) {
		const m = Object.getOwnPropertySymbols(e)[0]; e[m] = false; delete e[m]; return isGuard(e) } })()`); got != "true" {
		t.Errorf("after unmarking: %s", got)
	}
}

// TestGuardBuiltins runs the guarded built-ins just under and just over their caps.
func TestGuardBuiltins(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		// String.prototype.repeat/padStart/padEnd/concat
		{"repeat up to the limit", `'ab'.repeat(131072).length`, "262144"},
		{"repeat past the limit", `'ab'.repeat(131073)`, refusedString},
		{"repeat on a number", `String.prototype.repeat.call(12, 131073)`, refusedString},
		{"repeat of an empty string", `''.repeat(2 ** 40).length`, "0"},
		{"repeat zero times", `'abc'.repeat(0).length`, "0"},
		{"repeat's own errors", `'x'.repeat(-1)`, "threw RangeError: Invalid count value"},
		{"padStart up to the limit", `'x'.padStart(262144, 'ab').slice(0, 5) + 'x'.padStart(262144).length`, "ababa262144"},
		{"padStart past the limit", `'x'.padStart(262145)`, refusedString},
		{"padEnd past the limit", `''.padEnd(2 ** 31, 'x')`, refusedString},
		{"padEnd", `'ab'.padEnd(5, '-')`, "ab---"},
		{"concat up to the limit", `const s = 'x'.repeat(131072); s.concat(s).length`, "262144"},
		{"concat past the limit", `const s = 'x'.repeat(131072); s.concat('', s, 'y')`, refusedString},
		{"concat of other values", `'a'.concat(1, null, [2, 3])`, "a1null2,3"},
		// String.prototype.split
		{"split into characters up to the limit", `'x'.repeat(8192).split('').length`, "8192"},
		{"split into too many characters", `'x'.repeat(8193).split('')`, refusedArray},
		{"split of a long string into few pieces", `'xxx,'.repeat(4000).split(',').length`, "4001"},
		{"split into too many pieces", `'x,'.repeat(8192).split(',')`, refusedArray},
		{"split with a small limit", `'x'.repeat(9000).split('', 5).join('')`, "xxxxx"},
		{"split by a regexp into too many pieces", `'x'.repeat(9000).split(/(?:)/)`, refusedArray},
		{"split by a regexp into few pieces", `'ab'.repeat(5000).split(/b/).length`, "5001"},
		{"split with no separator", `'x'.repeat(9000).split().length`, "1"},
		// String.prototype.replace/replaceAll with a string replacement
		{"replace with a short template", `'x'.repeat(100).replace(/x/g, 'yy').length`, "200"},
		{"replace counted, within the limit", `const r = 'x'.repeat(2000).replace('x', 'y'.repeat(200)); r.length + ' ' + r.startsWith('y'.repeat(200) + 'x')`, "2199 true"},
		{"replace past the limit", `'x'.repeat(1000).replace(/x/g, 'y'.repeat(300))`, refusedString},
		{"replaceAll past the limit", `'x'.repeat(1000).replaceAll('x', 'y'.repeat(300))`, refusedString},
		{"$' counted, within the limit", `const r = 'a'.repeat(600).replace(/a/g, "$'"); let e = ''; for (let i = 599; i >= 0; i--) e += 'a'.repeat(i); r.length + ' ' + (r === e)`, "179700 true"},
		{"$' past the limit", `'a'.repeat(1000).replace(/a/g, "$'")`, refusedString},
		{"replace with a function", `'x'.repeat(1000).replace(/x/g, () => 'y'.repeat(300)).length`, "300000"},
		// Array.prototype.join
		{"join", `['a', 'b', 'c'].join('--')`, "a--b--c"},
		{"join up to the limit", `const s = 'x'.repeat(131071); [s, s].join('--').length`, "262144"},
		{"join past the limit", `const s = 'x'.repeat(131071); [s, s].join('---')`, refusedString},
		{"join amplified by its separator", `const a = []; a.length = 8000; a.join('x'.repeat(40))`, refusedString},
		{"join of nested arrays", `const s = 'x'.repeat(100000); [[s, s], [s]].join('')`, refusedString},
		{"join of an array-like", `Array.prototype.join.call({ length: 8000 }, 'x'.repeat(40))`, refusedString},
		{"join of a very long sparse array", `const a = []; a.length = 131073; a.join('')`, refusedString},
		{"join of a long sparse array", `const a = []; a.length = 131072; a.join('').length`, "0"},
		// The Array constructor, fill, from
		{"Array(n) up to the limit", `Array(8192).length`, "8192"},
		{"Array(n) past the limit", `Array(8193)`, refusedArray},
		{"new Array(n) past the limit", `new Array(8193)`, refusedArray},
		{"Array of elements", `Array(1, 2, 3).length`, "3"},
		{"Array of one string", `Array('99999').length`, "1"},
		{"Array's own errors", `Array(-1)`, "threw RangeError: Invalid array length"},
		{"fill of a huge array-like", `Array.prototype.fill.call({ length: 1e9 }, 0)`, refusedArray},
		{"fill of its last elements", `Array.prototype.fill.call({ length: 1e9 }, 7, -3)[1e9 - 1]`, "7"},
		{"fill of a range up to the limit", `Array.prototype.fill.call({ length: 1e9 }, 1, 10, 8202)[8201]`, "1"},
		{"fill of a range past the limit", `Array.prototype.fill.call({ length: 1e9 }, 1, 10, 8203)`, refusedArray},
		{"fill", `new Array(3).fill('z').join('')`, "zzz"},
		{"Array.from past the limit", `Array.from({ length: 8193 })`, refusedArray},
		{"Array.from", `Array.from({ length: 3 }, (_, i) => i * 2).join()`, "0,2,4"},
		{"Array.from makes Arrays", `const a = Array.from(new Set([1, 2])); (a.constructor === Array) + ' ' + Array.isArray(a) + ' ' + a`, "true true 1,2"},
		// Native loops over length
		{"indexOf up to the loop limit", `const a = [1]; a.length = 32768; a.indexOf(5)`, "-1"},
		{"concat past the loop limit", `const a = []; a.length = 32768; a.concat([1])`, refusedArray},
		{"concat up to the loop limit", `const a = []; a.length = 32767; a.concat([1]).length`, "32768"},
		{"concat counts a non-array as one", `[].concat(1, 'x', { length: 1e9 }).length`, "3"},
		// Argument lists from array-likes
		{"apply", `Math.max.apply(null, [1, 5, 3])`, "5"},
		{"apply with a huge array-like", `Math.max.apply(null, { length: 8193 })`, refusedArray},
		{"Reflect.apply with a huge array-like", `Reflect.apply(Math.max, null, { length: 8193 })`, refusedArray},
		{"Reflect.construct with a huge array-like", `Reflect.construct(Array, { length: 8193 })`, refusedArray},
		{"Reflect.construct", `Reflect.construct(Date, [2020, 0]).getFullYear()`, "2020"},
		// ArrayBuffer and typed arrays
		{"ArrayBuffer up to the limit", `new ArrayBuffer(262144).byteLength`, "262144"},
		{"ArrayBuffer past the limit", `new ArrayBuffer(262145)`, refusedBuffer},
		{"Float64Array up to the limit", `new Float64Array(32768).length`, "32768"},
		{"Float64Array past the limit", `new Float64Array(32769)`, refusedBuffer},
		{"BigInt64Array past the limit", `new BigInt64Array(32769)`, refusedBuffer},
		{"Uint8Array of a huge array-like", `new Uint8Array({ length: 262145 })`, refusedBuffer},
		{"typed array over a buffer", `new Uint32Array(new ArrayBuffer(16)).length`, "4"},
		{"a buffer's length property is not its size", `const b = new ArrayBuffer(16); b.length = 1e9; new Uint8Array(b).length`, "16"},
		{"typed array of an array", `new Int16Array([1, -2, 3]).join()`, "1,-2,3"},
		// JSON.stringify
		{"stringify up to the limit", `const s = 'x'.repeat(100000); JSON.stringify([s, s]).length`, "200007"},
		{"stringify past the limit", `const s = 'x'.repeat(100000); JSON.stringify([s, s, s])`, refusedString},
		{"stringify with a replacer past the limit", `const s = 'x'.repeat(100000); JSON.stringify([s, s, s], (k, v) => v)`, refusedString},
		{"stringify with indentation past the limit", `const s = 'x'.repeat(100000); JSON.stringify([s, s, s], null, 1)`, refusedString},
		{"stringify amplified by indentation", `const a = []; for (let i = 0; i < 1000; i++) a.push([[[[[[[[]]]]]]]]); JSON.stringify(a, null, 10)`, refusedString},
		{"the same without indentation", `const a = []; for (let i = 0; i < 1000; i++) a.push([[[[[[[[]]]]]]]]); JSON.stringify(a, null, 0).length + ' ' + JSON.stringify(a).length`, "17001 17001"},
		{"stringify with an allow list", `JSON.stringify({ a: 1, b: 2, c: { a: 3, d: 4 } }, ['a', 'c'])`, `{"a":1,"c":{"a":3}}`},
		{"allow list of numbers", `JSON.stringify({ 1: 'x', 2: 'y' }, [1, new String('z')])`, `{"1":"x"}`},
		{"allow list and arrays", `JSON.stringify([{ a: 1, b: 2 }], ['a'])`, `[{"a":1}]`},
		{"replacer function", `JSON.stringify({ a: 1, b: 'x', c: 2 }, (k, v) => k === 'c' ? undefined : typeof v === 'number' ? v + 1 : v)`, `{"a":2,"b":"x"}`},
		{"replacer's this is the holder", `JSON.stringify({ a: 1 }, function (k, v) { return k === 'a' ? this.a === v : v })`, `{"a":true}`},
		{"indentation", `JSON.stringify({ a: [1] }, null, 2)`, "{\n  \"a\": [\n    1\n  ]\n}"},
		{"indentation string", `JSON.stringify([1], null, '--')`, "[\n--1\n]"},
		{"toJSON", `JSON.stringify({ toJSON() { return { x: 1 } } }, null, 1)`, "{\n \"x\": 1\n}"},
		{"stringify of undefined", `String(JSON.stringify(undefined, null, 2))`, "undefined"},
		{"stringify of a primitive", `JSON.stringify('a"b', null, 2)`, `"a\"b"`},
		{"a long primitive with indentation", `JSON.stringify('\x01'.repeat(100000), null, 0)`, refusedString},
		{"a long primitive with a replacer", `JSON.stringify('\x01'.repeat(100000), (k, v) => v)`, refusedString},
		{"a replacer making an object of a primitive", `const s = 'x'.repeat(100000); JSON.stringify(0, (k, v) => k === '' ? [s, s, s] : v)`, refusedString},
		{"a replacer on a small primitive", `JSON.stringify(1, (k, v) => v + 1)`, "2"},
		{"circular structure", `const o = {}; o.o = o; JSON.stringify(o)`, "threw TypeError: Converting circular structure to JSON"},
		{"circular structure with a replacer", `const o = {}; o.o = o; JSON.stringify(o, (k, v) => v).length`, "threw TypeError: Converting circular structure to JSON"},
		{"a replacer's exception", `JSON.stringify({ a: 1 }, () => { throw new EvalError('mine') })`, "threw EvalError: mine"},
		// JSON.parse
		{"parse", `JSON.parse(' {"a": [1, 2]} ').a[1]`, "2"},
		{"parse with a reviver", `JSON.parse('[1,2]', (k, v) => typeof v === 'number' ? v * 2 : v).join()`, "2,4"},
		{"parse syntax error", `JSON.parse('{bad')`, "threw SyntaxError: Unexpected token b in JSON at position 1"},
		{"parse syntax error with a reviver", `(() => { try { JSON.parse('{bad', (k, v) => v) } catch (e) { return e instanceof SyntaxError } })()`, "true"},
		{"parse nested too deep", `JSON.parse('['.repeat(5001) + ']'.repeat(5001))`, "threw SyntaxError: JSON is nested deeper than 5000 levels"},
		{"parse with a reviver nested too deep", `JSON.parse('['.repeat(5001) + ']'.repeat(5001), (k, v) => v)`, "threw TypeError: JSON.parse: is nested deeper than 5000 levels"},
		{"parse with a reviver nested up to the limit", `JSON.parse('['.repeat(5000) + ']'.repeat(5000), (k, v) => v).length`, "1"},
		// Catching the refusal
		{"a refusal can be caught", `(() => { try { 'x'.repeat(1e9) } catch (e) { return isGuard(e) + ' ' + (e instanceof RangeError) } })()`, "true true"},
		{"other errors are not refusals", `(() => { try { null.x } catch (e) { return isGuard(e) } })()`, "false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vm, g := newGuardTestVM(t)
			if got := guardRun(t, vm, g, c.src); got != c.want {
				t.Errorf("%s\ngot  %.200q\nwant %.200q", c.src, got, c.want)
			}
		})
	}
}

// TestGuardLoopMethods: the array methods that loop natively over length refuse an
// array whose length was set past four times maxArray.
func TestGuardLoopMethods(t *testing.T) {
	calls := []string{"map(x => x)", "filter(x => x)", "forEach(x => x)", "reduce((a, x) => a, 0)",
		"reduceRight((a, x) => a, 0)", "some(x => x === 2)", "every(x => x)", "find(x => x === 2)",
		"findIndex(x => x === 2)", "findLast(x => x === 2)", "findLastIndex(x => x === 2)", "indexOf(2)",
		"lastIndexOf(2)", "includes(2)", "slice()", "splice(0, 0)", "copyWithin(0, 1)", "reverse()", "sort()",
		"flat()", "flatMap(x => x)", "toReversed()", "toSorted()", "toSpliced(0, 0)", "with(0, 1)", "shift()",
		"unshift(0)", "toLocaleString()"}
	vm, g := newGuardTestVM(t)
	for _, c := range calls {
		if got := guardRun(t, vm, g, `(() => { const a = [1]; a.length = 32769; return a.`+c+` })()`); got != refusedArray {
			t.Errorf("%s on 32769 elements: %s", c, got)
		}
		if got := guardRun(t, vm, g, `(() => { const a = [1, 2, 3]; a.`+c+`; return 'ok' })()`); got != "ok" {
			t.Errorf("%s on 3 elements: %s", c, got)
		}
	}
}

// TestGuardIteratorSteps: array and string iterators refuse more than maxArray
// consecutive steps on one iterator (what spread, Array.from and new Set drive in one
// native step).
func TestGuardIteratorSteps(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"maxArray values and the done step", `const a = []; a.length = 20000; const it = a[Symbol.iterator]();
			for (let i = 0; i < 8193; i++) it.next(); 'ok'`, "ok"},
		{"one more", `const a = []; a.length = 20000; const it = a[Symbol.iterator]();
			for (let i = 0; i < 8194; i++) it.next(); 'ok'`, refusedArray},
		{"spread of exactly maxArray", `[...new Array(8192)].length`, "8192"},
		{"string of exactly maxArray", `[...'x'.repeat(8192)].length`, "8192"},
		{"one past maxArray", `const a = []; a.length = 8193; [...a]`, refusedArray},
		{"counting restarts on another iterator", `const a = []; a.length = 20000; const it = a[Symbol.iterator]();
			for (let i = 0; i < 20000; i++) { it.next(); if (i % 5000 === 0) [1][Symbol.iterator]().next() } 'ok'`, "ok"},
		{"and after a refusal", `const a = []; a.length = 20000; const it = a[Symbol.iterator]();
			try { for (;;) it.next() } catch (e) { if (!isGuard(e)) throw e } it.next().done`, "false"},
		{"keys and entries too", `const a = []; a.length = 20000; const it = a.entries();
			for (let i = 0; i < 8194; i++) it.next()`, refusedArray},
		{"spread", `const a = []; a.length = 8000; [...a].length`, "8000"},
		{"spread of a huge sparse array", `const a = []; a[2 ** 32 - 2] = 1; [...a]`, refusedArray},
		{"Array.from of an iterator", `const a = []; a.length = 9000; Array.from(a.values())`, refusedArray},
		{"a Set from a huge array", `const a = []; a.length = 2 ** 32 - 1; new Set(a)`, refusedArray},
		{"string", `[...'x'.repeat(8000)].length`, "8000"},
		{"long string", `[...'x'.repeat(9000)]`, refusedArray},
		{"typed array", `[...new Uint8Array(9000)]`, refusedArray},
		{"arguments", `(function () { return [...arguments[Symbol.iterator].call({ length: 9000 })] })()`, refusedArray},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vm, g := newGuardTestVM(t)
			if got := guardRun(t, vm, g, c.src); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestGuardForgetIterator(t *testing.T) {
	vm, g := newGuardTestVM(t)
	if got := guardRun(t, vm, g, `var a = []; a.length = 20000; var it = a[Symbol.iterator]();
		for (let i = 0; i < 8000; i++) it.next(); 'ok'`); got != "ok" {
		t.Fatal(got)
	}
	if g.iter == nil || !g.iter.SameAs(vm.Get("it")) || g.iterSteps != 8000 {
		t.Fatalf("following %v for %d steps", g.iter, g.iterSteps)
	}
	// Between invocations the runtime forgets it: its count starts over.
	g.forgetIterator()
	if g.iter != nil || g.iterSteps != 0 {
		t.Fatalf("still following %v for %d steps", g.iter, g.iterSteps)
	}
	if got := guardRun(t, vm, g, `for (let i = 0; i < 8000; i++) it.next(); 'ok'`); got != "ok" {
		t.Errorf("after forgetIterator: %s", got)
	}
	// (Without it, the count goes on.)
	if got := guardRun(t, vm, g, `for (let i = 0; i < 200; i++) it.next(); 'ok'`); got != refusedArray {
		t.Errorf("without forgetIterator: %s", got)
	}
	var none *guards
	none.forgetIterator() // an instance without guards
}

// TestGuardWrapConstructor: the guarded constructors stand for the built-ins.
func TestGuardWrapConstructor(t *testing.T) {
	checks := []string{
		`Array[Symbol.species] === Array`,
		`[] instanceof Array && new Array(2) instanceof Array && Array(2) instanceof Array`,
		`Array.prototype.constructor === Array && [].constructor === Array`,
		`Array.name === 'Array' && Array.length === 1`,
		`Array.isArray(Array(3)) && Array.of(1, 2).length === 2 && Array.from('ab').length === 2`,
		`Object.getPrototypeOf(Array) === Function.prototype`,
		`Array(3).length === 3 && new Array(1, 2).length === 2`,
		`[1, 2].map(x => x).constructor === Array && [].concat([1]).constructor === Array`,
		`(() => { const d = Object.getOwnPropertyDescriptor(globalThis, 'Array'); return !d.enumerable && d.writable && d.configurable })()`,
		`(() => { class A extends Array {} const a = new A(); a.push(1); return a instanceof A && a instanceof Array && a.length === 1 })()`,
		`(() => { class A extends Array {} return new A(1, 2).map(x => x) instanceof A && A.from([1]) instanceof A })()`,
		`(() => { class A extends Array {} try { new A(8193) } catch (e) { return isGuard(e) } })()`,
		`new Uint8Array(2) instanceof Uint8Array && Uint8Array.BYTES_PER_ELEMENT === 1 && Float64Array.BYTES_PER_ELEMENT === 8`,
		`Uint8Array.from([1, 2]).length === 2 && Uint8Array.of(1, 2, 3).length === 3`,
		`Object.getPrototypeOf(Uint8Array) === Object.getPrototypeOf(Int8Array) && Object.getPrototypeOf(Uint8Array) !== Function.prototype`,
		`Uint8Array.prototype.constructor === Uint8Array && new Uint8Array(1).constructor === Uint8Array`,
		`new Uint8Array(4).subarray(1).constructor === Uint8Array && Uint8Array[Symbol.species] === Uint8Array`,
		`(() => { class B extends Uint8Array {} const b = new B(3); return b instanceof B && b.length === 3 && b.map(x => x) instanceof B })()`,
		`ArrayBuffer.isView(new Uint8Array(1)) && new ArrayBuffer(8).slice(4).byteLength === 4`,
		`new ArrayBuffer(8) instanceof ArrayBuffer && ArrayBuffer[Symbol.species] === ArrayBuffer && ArrayBuffer.name === 'ArrayBuffer'`,
	}
	vm, g := newGuardTestVM(t)
	for _, c := range checks {
		if got := guardRun(t, vm, g, c); got != "true" {
			t.Errorf("%s: %s", c, got)
		}
	}

	// A constructor of the script's: checked, constructed with new.target kept.
	if _, err := vm.RunString(`globalThis.Point = class Point { constructor(x) { this.x = x } }
		var OrigPoint = Point`); err != nil {
		t.Fatal(err)
	}
	var seen []int64
	g.wrapConstructor("Point", func(args []goja.Value) {
		if len(args) > 0 {
			seen = append(seen, args[0].ToInteger())
			if args[0].ToInteger() > 10 {
				g.refuse("Invalid point")
			}
		}
	})
	for _, c := range []struct{ src, want string }{
		{`Point !== OrigPoint && new Point(3).x === 3`, "true"},
		{`new Point(4) instanceof Point && new Point(5) instanceof OrigPoint`, "true"},
		{`Point.prototype === OrigPoint.prototype && OrigPoint.prototype.constructor === Point && Point.name === 'Point'`, "true"},
		{`new Point(11)`, "refused RangeError: Invalid point"},
		{`(() => { class P3 extends Point { constructor() { super(6); this.z = 1 } }
			const p = new P3(); return p instanceof P3 && p instanceof OrigPoint && p.x === 6 && p.z === 1 })()`, "true"},
	} {
		if got := guardRun(t, vm, g, c.src); got != c.want {
			t.Errorf("%s: %s", c.src, got)
		}
	}
	if fmt.Sprint(seen) != "[3 4 5 11 6]" {
		t.Errorf("the check saw %v", seen)
	}

	// No such constructor, or not a constructor: nothing changes.
	mathObj := vm.Get("Math")
	g.wrapConstructor("Math", func([]goja.Value) { t.Error("called") })
	g.wrapConstructor("NoSuchConstructor", func([]goja.Value) { t.Error("called") })
	if vm.Get("Math") != mathObj || vm.Get("NoSuchConstructor") != nil {
		t.Error("wrapConstructor changed a global it could not wrap")
	}
}

// TestGuardMethodsLookBuiltin: a guarded method or constructor has the name, length
// and property flags of the built-in it replaces (compared with a VM without guards).
func TestGuardMethodsLookBuiltin(t *testing.T) {
	methods := map[string][]string{
		"String.prototype": {"repeat", "padStart", "padEnd", "concat", "split", "replace", "replaceAll"},
		"Array.prototype": {"join", "fill", "concat", "map", "filter", "forEach", "reduce", "reduceRight", "some",
			"every", "find", "findIndex", "findLast", "findLastIndex", "indexOf", "lastIndexOf", "includes", "slice",
			"splice", "copyWithin", "reverse", "sort", "flat", "flatMap", "toReversed", "toSorted", "toSpliced",
			"with", "shift", "unshift", "toLocaleString"},
		"Array":                              {"from"},
		"Function.prototype":                 {"apply"},
		"Reflect":                            {"apply", "construct"},
		"JSON":                               {"stringify", "parse"},
		"Object.getPrototypeOf([].values())": {"next"},
		"Object.getPrototypeOf(''[Symbol.iterator]())": {"next"},
	}
	var exprs []string
	for obj, names := range methods {
		for _, n := range names {
			exprs = append(exprs, `(() => { const o = `+obj+`, f = o.`+n+`, d = Object.getOwnPropertyDescriptor(o, '`+n+`');
				return [typeof f, f.name, f.length, d.enumerable, d.writable, d.configurable].join() })()`)
		}
	}
	for _, c := range []string{"Array", "ArrayBuffer", "Uint8Array", "Float64Array", "BigInt64Array"} {
		exprs = append(exprs, `(() => { const C = `+c+`, d = Object.getOwnPropertyDescriptor(globalThis, '`+c+`');
			return [typeof C, C.name, C.length, C.BYTES_PER_ELEMENT, typeof C.isArray, typeof C.isView, typeof C.from,
				typeof C.of, C[Symbol.species] === C, d.enumerable, d.writable, d.configurable].join() })()`)
	}
	plain := goja.New()
	vm, g := newGuardTestVM(t)
	for _, e := range exprs {
		want, err := plain.RunString(e)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		if got := guardRun(t, vm, g, e); got != want.String() {
			t.Errorf("%s\nguarded %s\nbuilt-in %s", e, got, want)
		}
	}

	checks := []string{
		`Object.keys(String.prototype).length === 0 && Object.keys(Array.prototype).length === 0 && Object.keys(JSON).length === 0`,
		`(() => { const k = []; for (const x in [1]) k.push(x); for (const x in 'a') k.push(x); return k.join() === '0,0' })()`,
		`Array.prototype[Symbol.iterator] === Array.prototype.values`, // the built-in stays
	}
	for _, c := range checks {
		if got := guardRun(t, vm, g, c); got != "true" {
			t.Errorf("%s: %s", c, got)
		}
	}
}

func TestGuardWrapMethod(t *testing.T) {
	vm, g := newGuardTestVM(t)
	if _, err := vm.RunString(`var o = {
		k: 5,
		add(x) { return this.k + x },
		fail() { throw new TypeError('boom') },
		notFn: 1,
	}`); err != nil {
		t.Fatal(err)
	}
	o := vm.Get("o").(*goja.Object)
	var seen []string
	check := func(c *goja.FunctionCall) {
		seen = append(seen, c.Argument(0).String())
		if c.Argument(0).ToInteger() > 100 {
			g.refuse("Invalid test size")
		}
	}
	for _, name := range []string{"add", "fail", "notFn", "missing"} {
		g.wrapMethod(o, name, check)
	}
	cases := []struct{ src, want string }{
		{`o.add(1)`, "6"},
		{`o.add(101)`, "refused RangeError: Invalid test size"},
		{`o.fail(2)`, "threw TypeError: boom"},
		{`o.notFn`, "1"},
		{`typeof o.missing`, "undefined"},
		{`o.add.name + o.add.length`, "add1"},
		{`Object.keys(o).join()`, "k,notFn"},
	}
	for _, c := range cases {
		if got := guardRun(t, vm, g, c.src); got != c.want {
			t.Errorf("%s: %s, want %s", c.src, got, c.want)
		}
	}
	if strings.Join(seen, ",") != "1,101,2" {
		t.Errorf("the check saw %v", seen)
	}
}

func TestGuardStringifyCapped(t *testing.T) {
	vm, g := newGuardTestVM(t)
	cases := []struct {
		name, src string
		limit     int
		what      string
		want      string
		err       string // part of the error, or "refused" for the guards' error
	}{
		{"object", `({ a: [1, 'x', null, true], b: undefined })`, 100, "result", `{"a":[1,"x",null,true]}`, ""},
		{"string", `'a"b'`, 100, "result", `"a\"b"`, ""},
		{"number", `42`, 100, "result", `42`, ""},
		{"function", `(() => 1)`, 100, "result", "", ""},
		{"symbol", `Symbol('s')`, 100, "result", "", ""},
		{"undefined", `undefined`, 100, "result", "", ""},
		{"toJSON re-entering JSON.stringify", `({ toJSON() { return JSON.stringify({ inner: [1] }, null, 1) } })`, 100, "result", `"{\n \"inner\": [\n  1\n ]\n}"`, ""},
		{"too large", `({ s: 'x'.repeat(3000) })`, 2048, "the result", "", "the result is larger than 2 KiB of JSON"},
		{"too large through sharing", `(() => { const s = 'x'.repeat(600); return [s, s, s, s] })()`, 2048, "the error", "", "the error is larger than 2 KiB of JSON"},
		{"too large, nothing named", `({ s: 'x'.repeat(3000) })`, 2048, "", "", "refused"},
		{"a primitive too large", `'x'.repeat(3000)`, 2048, "the result", "", "the result is larger than 2 KiB of JSON"},
		// Nesting is followed past the first 1000 objects: 6001 levels are 5001 deep.
		{"nested too deep", `(() => { let o = []; for (let i = 0; i < 6001; i++) o = [o]; return o })()`, 1 << 20, "result", "", "JSON.stringify: nesting deeper than 5000 levels"},
		{"a toJSON that throws", `({ toJSON() { throw new Error('mine') } })`, 100, "result", "", "mine"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := vm.RunString(c.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.stringifyCapped(v, c.limit, c.what)
			if g.st != nil {
				t.Error("the stringify state was not restored")
			}
			switch {
			case c.err == "":
				if err != nil || got != c.want {
					t.Errorf("got %q, %v; want %q", got, err, c.want)
				}
			case c.err == "refused":
				var ex *goja.Exception
				if !errors.As(err, &ex) || !g.isGuardError(ex.Value()) {
					t.Errorf("got %q, %v; want the guards' error", got, err)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), c.err) || got != "" {
					t.Errorf("got %q, %v; want an error with %q", got, err, c.err)
				}
			}
		})
	}
}

// TestGuardErrorThroughRuntime: a refusal that escapes main fails the call as a memory
// error; caught, it is an ordinary RangeError.
func TestGuardErrorThroughRuntime(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{MaxHeapBytes: 8 << 20}) // maxString 2 Mi characters
	fn := func(src string) *Version {
		return testVersion("guarded", map[string]string{"index.js": src}, Config{Timeout: 5})
	}
	start := time.Now()
	mustFail(t, call(r, fn(`exports.main = () => 'x'.repeat(2 ** 22).length`), `{}`), OutcomeLimit, CodeMemory, "RangeError: Invalid string length")
	mustFail(t, call(r, fn(`exports.main = async () => { await null; return new Array(2 ** 17) }`), `{}`), OutcomeLimit, CodeMemory, "Invalid array length")
	jsonEq(t, mustSucceed(t, call(r, fn(`exports.main = () => {
		try { 'x'.repeat(2 ** 22) } catch (e) { return [e instanceof RangeError, e.message] } }`), `{}`)),
		`[true, "Invalid string length (Minicloud limits single allocations)"]`)
	mustFail(t, call(r, fn(`exports.main = () => { throw new RangeError('Invalid string length') }`), `{}`), OutcomeError, CodeExecuteFail, "Invalid string length")
	jsonEq(t, mustSucceed(t, call(r, fn(`exports.main = () => 'x'.repeat(2 ** 18).length`), `{}`)), `262144`)
	if st := r.Stats(); st.MemoryKills != 2 {
		t.Errorf("stats %+v", st)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
