package cloudfns

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// parseJSON and jsonEncoder stand in for goja's JSON.parse and JSON.stringify on the
// hot paths (the event, the result, JSON.* without reviver or replacer). goja's own
// implementations are the reference: the same text must give the same value, the same
// value the same text, and text one refuses the other refuses too.

// jsonReference is a bare goja VM with its own JSON.parse and JSON.stringify and a
// deep comparison that tells apart what JSON.stringify would hide (-0, key order, an
// own __proto__ property, a prototype).
type jsonReference struct {
	vm        *goja.Runtime
	parse     goja.Callable
	stringify goja.Callable
	same      goja.Callable
	guards    *guards
}

func newJSONReference(t testing.TB) *jsonReference {
	t.Helper()
	vm := goja.New()
	r := &jsonReference{vm: vm, guards: newGuards(vm, 256<<20)}
	r.parse, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	r.stringify, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	same, err := vm.RunString(`(function same(a, b) {
		if (typeof a !== typeof b) return false;
		if (a === null || typeof a !== 'object') return Object.is(a, b);
		if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
		const ka = Object.getOwnPropertyNames(a), kb = Object.getOwnPropertyNames(b);
		if (ka.length !== kb.length) return false;
		for (let i = 0; i < ka.length; i++) {
			const da = Object.getOwnPropertyDescriptor(a, ka[i]), db = Object.getOwnPropertyDescriptor(b, kb[i]);
			if (ka[i] !== kb[i] || da.enumerable !== db.enumerable || da.writable !== db.writable || !same(da.value, db.value)) return false;
		}
		return true;
	})`)
	if err != nil {
		t.Fatal(err)
	}
	r.same, _ = goja.AssertFunction(same)
	return r
}

// check compares parseJSON with JSON.parse on text, and the encoder with
// JSON.stringify on what JSON.parse made of it.
func (r *jsonReference) check(t testing.TB, text string) {
	t.Helper()
	want, refErr := r.parse(goja.Undefined(), r.vm.ToValue(text))
	got, err := parseJSON(r.vm, text)
	var syn *jsonSyntaxError
	switch {
	case errors.Is(err, errJSONFallback):
		// lone surrogates: the runtime hands such text to JSON.parse itself
	case err != nil && errors.As(err, &syn) && strings.Contains(err.Error(), "nested deeper"):
		// Minicloud's own depth limit
	case err == nil && refErr != nil && strings.Contains(refErr.Error(), "cannot unmarshal number"):
		// goja refuses numbers beyond float64's range; V8 (Node) makes them ±Infinity,
		// and so does parseJSON (TestJSONBeyondGoja)
		return
	case (err == nil) != (refErr == nil):
		t.Fatalf("%q: parseJSON error %v, JSON.parse error %v", text, err, refErr)
	case err == nil:
		if ok, _ := r.same(goja.Undefined(), got, want); !ok.ToBoolean() {
			a, _ := r.stringify(goja.Undefined(), got)
			b, _ := r.stringify(goja.Undefined(), want)
			t.Fatalf("%q: parseJSON gave %v, JSON.parse %v", text, a, b)
		}
	default:
		if syn == nil {
			t.Fatalf("%q: parseJSON error %T %v, want a syntax error", text, err, err)
		}
	}
	if refErr != nil {
		return
	}
	out, ok, err := r.guards.encodeJSON(want, 1<<20, "")
	ref, _ := r.stringify(goja.Undefined(), want)
	if err != nil {
		if strings.Contains(err.Error(), "nesting deeper") {
			return
		}
		t.Fatalf("%q: encodeJSON: %v", text, err)
	}
	if !ok {
		t.Fatalf("%q: encodeJSON found no JSON value", text)
	}
	if string(out) != ref.String() {
		// goja prints some doubles with a digit too few (TestJSONBeyondGoja): then the
		// encoder's text must read back as exactly the value it wrote.
		back, err := r.parse(goja.Undefined(), r.vm.ToValue(string(out)))
		if same, _ := r.same(goja.Undefined(), back, want); err != nil || !same.ToBoolean() {
			t.Fatalf("%q: encodeJSON gave %q, JSON.stringify %q", text, out, ref.String())
		}
	}
}

var jsonSamples = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `1.5`, `-1.25e-3`, `1E400`, `-1e400`, `1e-400`,
	`123456789012345678901234567890`, `9007199254740993`, `0.1`, `5e-324`, `100000000000000000000`,
	`""`, `"plain"`, `"中文 emoji 😀"`, `"\u4e2d\u6587"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00x"`,
	`"esc \" \\ \/ \b \f \n \r \t"`, `"\u0000\u001f\u007f\u2028\u2029"`,
	`{"a":1,"b":"hello","c":[1,2,3],"d":{"e":true,"f":null}}`,
	`{"b":1,"a":2,"1":3,"0":4,"-1":5,"01":6,"4294967295":7}`,
	`{"a":1,"a":2}`, `{"__proto__":{"x":1}}`, `{"__proto__":null,"y":2}`, `{"constructor":1,"toString":2}`,
	` [ 1 , { "k" : [ ] } , "s" ] `, "\t\n\r {\"a\":[]}\n",
	`[[[[[[[[[[1]]]]]]]]]]`, `{"":0}`, `[1,[2,[3,[4]]]]`,
	// refused by both
	``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{'a':1}`, `{a:1}`, `01`, `-`, `1.`, `.5`, `1e`, `+1`, `NaN`,
	`Infinity`, `tru`, `nul`, `"unterminated`, "\"ctl \x01\"", `"\x"`, `"\u12"`, `"\u12G4"`, `[1 2]`,
	`{"a" 1}`, `{"a":1 "b":2}`, `1 2`, `[]]`, `{}x`, "\"\xff\"",
}

func TestJSONMatchesGoja(t *testing.T) {
	r := newJSONReference(t)
	for _, s := range jsonSamples {
		r.check(t, s)
	}
	deep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	if _, err := parseJSON(r.vm, deep); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("%d levels: %v", maxJSONDepth+1, err)
	}
}

// Where goja's JSON.parse departs from V8's, parseJSON follows V8 (Node).
func TestJSONBeyondGoja(t *testing.T) {
	vm := goja.New()
	for text, want := range map[string]string{
		`1E400`:          "Infinity",
		`-1e400`:         "-Infinity",
		`[1e999,-2e308]`: "Infinity,-Infinity",
	} {
		v, err := parseJSON(vm, text)
		if err != nil || v.String() != want {
			t.Errorf("parseJSON(%s) = %v, %v; want %s", text, v, err, want)
		}
	}
	// goja's number formatting misses the last digit of some doubles (its String(x) and
	// JSON.stringify give "0.508492039981756", another double); the encoder writes V8's.
	g := newGuards(vm, 256<<20)
	for _, text := range []string{`0.5084920399817559`, `[0.24414061428229689,15.994140625029099]`, `{"x":1.8446744073709439e19}`} {
		v, err := parseJSON(vm, text)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := g.encodeJSON(v, 1<<20, "")
		want := map[string]string{`{"x":1.8446744073709439e19}`: `{"x":18446744073709439000}`}[text]
		if want == "" {
			want = text
		}
		if err != nil || string(out) != want {
			t.Errorf("encodeJSON(%s) = %s, %v; want %s", text, out, err, want)
		}
	}
}

func FuzzJSONMatchesGoja(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add(s)
	}
	r := newJSONReference(f)
	f.Fuzz(func(t *testing.T, text string) {
		r.check(t, text)
	})
}
