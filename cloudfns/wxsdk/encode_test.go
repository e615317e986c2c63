package wxsdk

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/internal/jsnum"
)

// TestEncodeValues: documents as add() and set() send them (canonical EJSON), against
// what the real SDK sent for the same JavaScript.
func TestEncodeValues(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: 1, b: [1, undefined, function () {}, Symbol('x'), null], c: { d: undefined, e: function () {} } }`,
			`{"a":{"$numberInt":"1"},"b":[{"$numberInt":"1"},null,null,null,null],"c":{}}`},
		{`{ a: new Date(-62198755200000), b: new Date(253402300800000), c: new Date(8.64e15), d: new Date(-8.64e15) }`,
			`{"a":{"$date":{"$numberLong":"-62198755200000"}},"b":{"$date":{"$numberLong":"253402300800000"}},"c":{"$date":{"$numberLong":"8640000000000000"}},"d":{"$date":{"$numberLong":"-8640000000000000"}}}`},
		{`{ a: 2 ** 31 - 1, b: 2 ** 31, c: -(2 ** 31), d: -(2 ** 31) - 1, e: 2 ** 53, f: -(2 ** 53) - 2, g: 2 ** 63, h: -(2 ** 63), i: 2 ** 63 * 2, j: -0, k: 0.5, l: -1e-7, m: 1e-7, n: 123e-20 }`,
			`{"a":{"$numberInt":"2147483647"},"b":{"$numberLong":"2147483648"},"c":{"$numberInt":"-2147483648"},"d":{"$numberLong":"-2147483649"},"e":{"$numberLong":"9007199254740992"},"f":{"$numberLong":"-9007199254740994"},"g":{"$numberLong":"9223372036854776000"},"h":{"$numberLong":"-9223372036854776000"},"i":{"$numberDouble":"18446744073709552000"},"j":{"$numberInt":"0"},"k":{"$numberDouble":"0.5"},"l":{"$numberDouble":"-1e-7"},"m":{"$numberDouble":"1e-7"},"n":{"$numberDouble":"1.23e-18"}}`},
		{`{ a: 1e15 + 0.5, b: 4.35, c: 0.1 + 0.2, d: 100, e: 1e6, f: 1.0 }`,
			`{"a":{"$numberDouble":"1000000000000000.5"},"b":{"$numberDouble":"4.35"},"c":{"$numberDouble":"0.30000000000000004"},"d":{"$numberInt":"100"},"e":{"$numberInt":"1000000"},"f":{"$numberInt":"1"}}`},
		{`{ '': 1, ' ': 2, '\u0000': 3 }`,
			`{"":{"$numberInt":"1"}," ":{"$numberInt":"2"},"\u0000":{"$numberInt":"3"}}`},
		{`{ p: G.Point(-180, 90), l: G.LineString([G.Point(0, 0), G.Point(1, 1)]) }`,
			`{"p":{"type":"Point","coordinates":[{"$numberInt":"-180"},{"$numberInt":"90"}]},"l":{"type":"LineString","coordinates":[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}]]}}`},
		{`{ n: new Number(5), b: new Boolean(false), s: new String('ab') }`,
			`{"n":{},"b":{},"s":{"0":"a","1":"b"}}`},
		{`{ d: new Date(1.7) }`,
			`{"d":{"$date":{"$numberLong":"1"}}}`},
		{`Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } })`,
			`{"own":{"$numberInt":"2"}}`},
		{`{ a: [[1, [2, [3]]]], e: [] , o: {} }`,
			`{"a":[[{"$numberInt":"1"},[{"$numberInt":"2"},[{"$numberInt":"3"}]]]],"e":[],"o":{}}`},
		{`{ '__proto__': 1 }`,
			`{}`},
		// the SDK's own values, Dates and RegExps at any depth
		{`{ sd: db.serverDate(), sd2: db.serverDate({ offset: -5 }), re: db.RegExp({ regexp: '^a', options: 'i' }), js: /b+/g, d: new Date(NaN) }`,
			`{"sd":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}},"sd2":{"$tcb_server_date":{"offset":{"$numberInt":"-5"}}},"re":{"$regularExpression":{"pattern":"^a","options":"i"}},"js":{"$regularExpression":{"pattern":"b+","options":"g"}},"d":{"$date":{"$numberLong":"NaN"}}}`},
		{`[G.MultiPoint([G.Point(0, 0), G.Point(1.5, 1)]), G.Polygon([G.LineString([G.Point(0, 0), G.Point(1, 0), G.Point(0, 0)])])]`,
			`[{"type":"MultiPoint","coordinates":[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberDouble":"1.5"},{"$numberInt":"1"}]]},{"type":"Polygon","coordinates":[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"0"}],[{"$numberInt":"0"},{"$numberInt":"0"}]]]}]`},
		{`(() => { const l = G.LineString([G.Point(0, 0), G.Point(1, 1)]); const r = G.LineString([G.Point(0, 0), G.Point(1, 0), G.Point(0, 0)]); return { mls: G.MultiLineString([l]), mpg: G.MultiPolygon([G.Polygon([r])]) }; })()`,
			`{"mls":{"type":"MultiLineString","coordinates":[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}]]]},"mpg":{"type":"MultiPolygon","coordinates":[[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"0"}],[{"$numberInt":"0"},{"$numberInt":"0"}]]]]}}`},
		// query commands left in a value: their {"$op": operand} form (as the real SDK)
		{`{ q: _.gt(1), q2: _.in([1]), q3: _.neq(2), q4: _.nin([]), u: _.inc(1) }`,
			`{"q":{"$gt":{"$numberInt":"1"}},"q2":{"$in":[{"$numberInt":"1"}]},"q3":{"$ne":{"$numberInt":"2"}},"q4":{"$nin":[]},"u":{"operator":"inc","operands":[{"$numberInt":"1"}],"fieldName":{}}}`},
		// scalars and top-level values
		{`null`, `null`}, {`undefined`, `null`}, {`true`, `true`}, {`'s'`, `"s"`}, {`7`, `{"$numberInt":"7"}`}, {`Symbol('x')`, `null`},
		{`function () {}`, `null`}, {`[undefined, () => 1, Symbol('y')]`, `[null,null,null]`},
		// getters run; symbol keys and non-enumerable properties are left out
		{`Object.defineProperty({ [Symbol('k')]: 1, get g() { return 2; } }, 'hidden', { value: 3 })`, `{"g":{"$numberInt":"2"}}`},
		// a "__proto__" own property (from JSON.parse) stays a field: the real SDK sends
		// its fields as the document's, through the prototype its copy gets
		{`JSON.parse('{"__proto__": {"x": 1}}')`, `{"__proto__":{"x":{"$numberInt":"1"}}}`},
	}, d.value)

	// node-sdk's db.ObjectId
	n := newDirect(t, FlavorNode)
	runExprCases(t, []exprCase{
		{`{ ref: db.ObjectId({ id: '5f1d7a2b9c8e4a0012345678' }), none: db.ObjectId() }`, `{"ref":{"$oid":"5f1d7a2b9c8e4a0012345678"},"none":{"$oid":""}}`},
	}, n.value)
}

// bson 4.7.2's EJSON.stringify(v, {relaxed: false}) of numbers (recorded from the
// package; the comment is v).
var bsonNumbers = []struct {
	bits uint64
	want string
}{
	{0x0000000000000000, `{"$numberInt":"0"}`},                          // 0
	{0x8000000000000000, `{"$numberInt":"0"}`},                          // -0
	{0x3ff0000000000000, `{"$numberInt":"1"}`},                          // 1
	{0xbff0000000000000, `{"$numberInt":"-1"}`},                         // -1
	{0x41dfffffffc00000, `{"$numberInt":"2147483647"}`},                 // 2147483647
	{0x41e0000000000000, `{"$numberLong":"2147483648"}`},                // 2147483648
	{0xc1e0000000000000, `{"$numberInt":"-2147483648"}`},                // -2147483648
	{0xc1e0000000200000, `{"$numberLong":"-2147483649"}`},               // -2147483649
	{0x4340000000000000, `{"$numberLong":"9007199254740992"}`},          // 9007199254740992
	{0x4340000000000001, `{"$numberLong":"9007199254740994"}`},          // 9007199254740994
	{0xc340000000000000, `{"$numberLong":"-9007199254740992"}`},         // -9007199254740992
	{0x43d0000000000000, `{"$numberLong":"4611686018427388000"}`},       // 4611686018427388000
	{0x43e0000000000000, `{"$numberLong":"9223372036854776000"}`},       // 9223372036854776000
	{0xc3e0000000000000, `{"$numberLong":"-9223372036854776000"}`},      // -9223372036854776000
	{0x43e0000000000001, `{"$numberDouble":"9223372036854778000"}`},     // 9223372036854778000
	{0xc3e0000000000001, `{"$numberDouble":"-9223372036854778000"}`},    // -9223372036854778000
	{0x43f0000000000000, `{"$numberDouble":"18446744073709552000"}`},    // 18446744073709552000
	{0x444b1ae4d6e2ef50, `{"$numberDouble":"1e+21"}`},                   // 1e+21
	{0x4480f0cf064dd592, `{"$numberDouble":"1e+22"}`},                   // 1e+22
	{0x444b1ae4d6e2ef4f, `{"$numberDouble":"999999999999999900000"}`},   // 999999999999999900000
	{0x3ff8000000000000, `{"$numberDouble":"1.5"}`},                     // 1.5
	{0x3fb999999999999a, `{"$numberDouble":"0.1"}`},                     // 0.1
	{0x3e7ad7f29abcaf48, `{"$numberDouble":"1e-7"}`},                    // 1e-7
	{0x3eb0c6f7a0b5ed8d, `{"$numberDouble":"0.000001"}`},                // 0.000001
	{0x0000000000000001, `{"$numberDouble":"5e-324"}`},                  // 5e-324
	{0x0010000000000000, `{"$numberDouble":"2.2250738585072014e-308"}`}, // 2.2250738585072014e-308
	{0x7fefffffffffffff, `{"$numberDouble":"1.7976931348623157e+308"}`}, // 1.7976931348623157e+308
	{0x7ff8000000000000, `{"$numberDouble":"NaN"}`},                     // NaN
	{0x7ff0000000000000, `{"$numberDouble":"Infinity"}`},                // Infinity
	{0xfff0000000000000, `{"$numberDouble":"-Infinity"}`},               // -Infinity
	{0x419d6f34547df3b6, `{"$numberDouble":"123456789.123"}`},           // 123456789.123
	{0xfe37e43c8800759c, `{"$numberDouble":"-1e+300"}`},                 // -1e+300
	{0x432fffffffffffff, `{"$numberDouble":"4503599627370495.5"}`},      // 4503599627370495.5
	{0x4341c37937e08000, `{"$numberLong":"10000000000000000"}`},         // 10000000000000000
	{0x43e56a95319d63e1, `{"$numberDouble":"12345678901234567000"}`},    // 12345678901234567000
	{0xc1dfffffffe00000, `{"$numberDouble":"-2147483647.5"}`},           // -2147483647.5
	{0x41dfffffffe00000, `{"$numberDouble":"2147483647.5"}`},            // 2147483647.5
	{0x3eb4b3fd5942cd96, `{"$numberDouble":"0.000001234"}`},             // 0.000001234
	{0x3de0f782bf7cc83f, `{"$numberDouble":"1.2345e-10"}`},              // 1.2345e-10
	{0x4059000000000000, `{"$numberInt":"100"}`},                        // 100
	{0x4415af1d78b58c40, `{"$numberDouble":"100000000000000000000"}`},   // 100000000000000000000
	{0xc415af1d78b58c40, `{"$numberDouble":"-100000000000000000000"}`},  // -100000000000000000000
	{0x4539fc9359fdd423, `{"$numberDouble":"3.14159e+25"}`},             // 3.14159e+25
}

// TestEncodeNumbersAsBSON: every number class and boundary against bson 4.7.2.
func TestEncodeNumbersAsBSON(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for _, c := range bsonNumbers {
		f := math.Float64frombits(c.bits)
		got, err := d.m.enc.encode(d.vm.ToValue(f))
		if err != nil || got != c.want {
			t.Errorf("%v: got %s %v, want %s", f, got, err, c.want)
		}
	}
	// the test's own rule agrees with bson on its table
	for _, c := range bsonNumbers {
		if got := bsonNumber(math.Float64frombits(c.bits)); got != c.want {
			t.Errorf("bsonNumber(%v) = %s, want %s", math.Float64frombits(c.bits), got, c.want)
		}
	}
	// integers that goja keeps as int64 take the same path as doubles
	for _, n := range []int64{0, -1, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1, 1 << 53} {
		want, _ := d.m.enc.encode(d.vm.ToValue(float64(n)))
		if got, _ := d.m.enc.encode(d.vm.ToValue(n)); got != want {
			t.Errorf("int64 %d: %s, float64: %s", n, got, want)
		}
	}
}

// bsonNumber is bson 4's rule: integral values in int32 range → $numberInt, in
// [-2^63, 2^63] → $numberLong, else $numberDouble, each with JavaScript's number text.
func bsonNumber(f float64) string {
	text := jsnum.String(f) // checked against Node in internal/jsnum
	if f == math.Floor(f) && !math.IsInf(f, 0) {
		if f >= math.MinInt32 && f <= math.MaxInt32 {
			return `{"$numberInt":"` + text + `"}`
		}
		if f >= -(1<<63) && f <= 1<<63 {
			return `{"$numberLong":"` + text + `"}`
		}
	}
	return `{"$numberDouble":"` + text + `"}`
}

// FuzzEncodeNumber: any double encodes as bson 4 writes it, and the text reads back
// (collections/ejson, the server's decoder) as the same double, except integers of
// 2^63 in magnitude, whose $numberLong text is out of int64 range as the real SDK
// writes it too.
func FuzzEncodeNumber(f *testing.F) {
	for _, c := range bsonNumbers {
		f.Add(c.bits)
	}
	d := newDirect(f, FlavorWX)
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		got, err := d.m.enc.encode(d.vm.ToValue(v))
		if err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if want := bsonNumber(v); got != want {
			t.Fatalf("%v: got %s, want %s", v, got, want)
		}
		back, err := ejson.UnmarshalString(got)
		if math.Abs(v) == 1<<63 {
			if err == nil {
				t.Fatalf("%v: %s read back", v, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("%v: %s does not read back: %v", v, got, err)
		}
		var r float64
		switch x := back.(type) {
		case int64:
			r = float64(x)
		case float64:
			r = x
		default:
			t.Fatalf("%v: read back as %T", v, back)
		}
		if v == 0 {
			v = 0 // -0 is written as 0, as bson 4 does
		}
		if math.IsNaN(v) != math.IsNaN(r) || !math.IsNaN(v) && (r != v || math.Signbit(r) != math.Signbit(v)) {
			t.Fatalf("%v: read back as %v from %s", v, r, got)
		}
	})
}

// TestEncodeDoublesReadBack: $numberDouble carries JavaScript's number text, which
// reads back as the same double. goja's formatting misses the last digit of some
// 17-digit doubles (about 1 in 10,000 Math.random() values): 0.5084920399817559 is
// written "0.508492039981756", another double, so the stored value changes.
func TestEncodeDoublesReadBack(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for v, want := range map[float64]string{ // want: Node 20's String(v)
		0.5084920399817559:    `{"$numberDouble":"0.5084920399817559"}`,
		0.24414061428229689:   `{"$numberDouble":"0.24414061428229689"}`,
		15.994140625029099:    `{"$numberDouble":"15.994140625029099"}`,
		1.8446744073709439e19: `{"$numberDouble":"18446744073709439000"}`,
	} {
		if got, _ := d.m.enc.encode(d.vm.ToValue(v)); got != want {
			t.Errorf("%v: got %s, want %s", v, got, want)
		}
	}
}

// TestEncodeStrings: JSON.stringify's escapes (quotes, backslashes, control characters,
// nothing else), for values and keys.
func TestEncodeStrings(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`q" b\`, `"q\" b\\"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"\u2028\u2029 é 😀 \ufeff \ufffd", "\"\u2028\u2029 é 😀 \ufeff \ufffd\""},
		{"</script>", `"</script>"`},
		// bytes that are not UTF-8 (only Go strings can hold them) become U+FFFD escapes
		{"a\xffb\xc3", `"a\ufffdb\ufffd"`},
	} {
		if got := string(appendJSString(nil, c.in)); got != c.want {
			t.Errorf("%q: got %s, want %s", c.in, got, c.want)
		}
	}
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ 'k"\n\u0001': 'v\\' }`, `{"k\"\n\u0001":"v\\"}`},
	}, d.value)
}

// FuzzAppendJSString: appendJSString writes what JSON.stringify writes for any valid
// string, and JSON that reads back as the string with each invalid byte replaced by
// U+FFFD otherwise.
func FuzzAppendJSString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\/", "\x00\x1f\x7f", "\u2028é😀", "\xff", "a\xe2\x82", "\xed\xa0\x80"} {
		f.Add(s)
	}
	vm := goja.New()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, got, err)
		}
		if back != replaceInvalidBytes(s) {
			t.Fatalf("%q: %s reads back as %q", s, got, back)
		}
		if utf8.ValidString(s) {
			js, err := stringify(goja.Undefined(), vm.ToValue(s))
			if err != nil {
				t.Fatal(err)
			}
			if js.String() != string(got) {
				t.Fatalf("%q: got %s, JSON.stringify %s", s, got, js)
			}
		}
	})
}

// replaceInvalidBytes replaces each byte of s that is not UTF-8 by U+FFFD, as
// encoding/json reads such bytes and goja's strings show them to JavaScript.
func replaceInvalidBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for an invalid byte
		i += size
	}
	return b.String()
}

// TestEncodeLoneSurrogates pins a harmless difference: goja hands Go a lone surrogate
// as U+FFFD, so the module sends "\ufffd" where JSON.stringify writes "\ud800"; the
// server's decoder reads both as U+FFFD.
func TestEncodeLoneSurrogates(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ s: '\ud800x', t: 'a\udc00', u: '\ud83d\ude00' }`, "{\"s\":\"\ufffdx\",\"t\":\"a\ufffd\",\"u\":\"😀\"}"},
	}, d.value)
}

// TestEncodeRegExpSource: a RegExp's pattern is its source as V8 writes it. goja
// escapes a "/" that the source did not escape as "\u002f" (new RegExp('a/b').source is
// "a\u002fb"), which the server's regular expressions do not understand: a where()
// with new RegExp('https://…') fails with "invalid regular expression".
func TestEncodeRegExpSource(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ r: /a\/b[/]/gimsuy, r2: new RegExp('x/y'), r3: new RegExp('') }`,
			`{"r":{"$regularExpression":{"pattern":"a\\/b[/]","options":"gimsuy"}},"r2":{"$regularExpression":{"pattern":"x\\/y","options":""}},"r3":{"$regularExpression":{"pattern":"(?:)","options":""}}}`},
	}, d.value)
	runExprCases(t, []exprCase{
		{`{ a: new RegExp('x/y'), b: /[/]/, c: new RegExp('\n'), d: /a\/b/ }`,
			`{"a":{"$regularExpression":{"pattern":"x\\/y","options":""}},"b":{"$regularExpression":{"pattern":"[/]","options":""}},"c":{"$regularExpression":{"pattern":"\\n","options":""}},"d":{"$regularExpression":{"pattern":"a\\/b","options":""}}}`},
		{`{ a: _.not(new RegExp('p/q')) }`, `{"a":{"$not":{"$regularExpression":{"pattern":"p\\/q","options":""}}}}`},
	}, d.where)
}

// TestEncodeObjectGraphs: cycles fail (through objects and arrays), a shared object is
// no cycle, nesting is bounded, and a getter that encodes during encoding gets a fresh
// encoder instead of corrupting the outer text.
func TestEncodeObjectGraphs(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`(() => { const a = { x: 1 }; a.self = a; return a; })()`, `error Error: Cannot convert circular structure to JSON`},
		{`(() => { const a = [1]; a.push({ a }); return { a }; })()`, `error Error: Cannot convert circular structure to JSON`},
		{`(() => { const s = { k: 1 }; return { a: s, b: [s, s] }; })()`, `{"a":{"k":{"$numberInt":"1"}},"b":[{"k":{"$numberInt":"1"}},{"k":{"$numberInt":"1"}}]}`},
		{`(() => { let o = 1; for (let i = 0; i < ` + strconv.Itoa(maxEncodeDepth) + `; i++) o = [o]; return o; })()`,
			strings.Repeat("[", maxEncodeDepth) + `{"$numberInt":"1"}` + strings.Repeat("]", maxEncodeDepth)},
		{`(() => { let o = 1; for (let i = 0; i <= ` + strconv.Itoa(maxEncodeDepth) + `; i++) o = { o }; return o; })()`, `error Error: the value is nested too deeply to be stored`},
	}, d.value)

	_ = d.vm.Set("inner", func(c goja.FunctionCall) goja.Value {
		s, err := d.m.enc.encode(c.Argument(0))
		if err != nil {
			t.Error(err)
		}
		return d.vm.ToValue(s)
	})
	got := d.value(`{ a: 1, get b() { return inner({ x: [2] }); }, c: 3 }`)
	if want := `{"a":{"$numberInt":"1"},"b":"{\"x\":[{\"$numberInt\":\"2\"}]}","c":{"$numberInt":"3"}}`; got != want {
		t.Errorf("re-entrant encoding\n got: %s\nwant: %s", got, want)
	}
	// the encoder is reusable after an error
	if got := d.value(`{ ok: true }`); got != `{"ok":true}` {
		t.Errorf("after errors: %s", got)
	}
}

// TestEncodeNodes: the pieces the serializers build (omap, []node, Go literals,
// commands left in a document) write as the SDK's objects would.
func TestEncodeNodes(t *testing.T) {
	d := newDirect(t, FlavorWX)
	u := goja.Undefined()
	for _, c := range []struct {
		n    node
		want string
	}{
		{int64(0), `{"$numberInt":"0"}`},
		{int64(-1), `{"$numberInt":"-1"}`},
		{int64(1 << 40), `{"$numberLong":"1099511627776"}`},
		{"s\n", `"s\n"`},
		{nil, `null`},
		{goja.Value(nil), `null`},
		{[]node{u, nil, int64(1), d.eval(`() => 1`)}, `[null,null,{"$numberInt":"1"},null]`},
		{&omap{items: []kv{{"a", nil}, {"b", u}, {"c", d.eval(`Symbol()`)}, {"d", int64(2)}, {"e", &omap{}}}}, `{"d":{"$numberInt":"2"},"e":{}}`},
		{&command{kind: cmdQuery, op: "gt", operands: d.eval(`[5, 6]`)}, `{"$gt":{"$numberInt":"5"}}`},
		{&command{kind: cmdQuery, op: "neq", operands: d.eval(`[5]`)}, `{"$ne":{"$numberInt":"5"}}`},
		{&command{kind: cmdQuery, op: "in", operands: d.eval(`[1, 2]`)}, `{"$in":[{"$numberInt":"1"},{"$numberInt":"2"}]}`},
		{&command{kind: cmdQuery, op: "nin", operands: d.eval(`[9]`), list: []node{int64(3)}, named: true}, `{"$nin":[{"$numberInt":"3"}]}`},
		{&command{kind: cmdLogic, op: "and", operands: d.eval(`[]`)}, `{"operator":"and","operands":[],"fieldName":{}}`},
		{&command{kind: cmdUpdate, op: "inc", operands: d.eval(`[1]`), field: "n", hasField: true}, `{"operator":"inc","operands":[{"$numberInt":"1"}],"fieldName":"n"}`},
	} {
		got, err := d.m.enc.encodeNode(c.n)
		if err != nil || got != c.want {
			t.Errorf("%#v: got %s %v, want %s", c.n, got, err, c.want)
		}
	}
	if _, err := d.m.enc.encodeNode(3.5); err == nil {
		t.Error("a float64 node was encoded")
	}
}
