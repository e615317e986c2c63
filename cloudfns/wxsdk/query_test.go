package wxsdk

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// The expected texts in this file are what the real wx-server-sdk 4.0.2
// (@cloudbase/database 1.4.3, bson 4.7.2) sent for the same JavaScript, recorded by
// running each expression through it (conformance/node_modules, as
// testdata/golden/gen.js does). Rows that differ from the real SDK on purpose say so.

// direct is a wx-server-sdk module built in a bare VM with db, _ (db.command), $
// (db.command.aggregate) and G (db.Geo) in scope, so that tests call the Go encoders
// (query.go, encode.go) on values the module's own JavaScript made.
type direct struct {
	t    testing.TB
	m    *module
	vm   *goja.Runtime
	desc goja.Callable // describe.js, once used
}

func newDirect(t testing.TB, flavor Flavor) *direct {
	t.Helper()
	env := newTestEnv(&fakeHost{env: "envid-direct"})
	m, exports, err := build(env, flavor)
	if err != nil {
		t.Fatal(err)
	}
	vm := env.vm
	_ = vm.Set("sdk", exports)
	setup := `sdk.init({ env: 'envid-direct' }); var db = sdk.database();`
	if flavor == FlavorNode {
		setup = `var db = sdk.init({ env: 'envid-direct' }).database();`
	}
	if _, err := vm.RunString(setup + ` var _ = db.command, $ = _.aggregate, G = db.Geo;`); err != nil {
		t.Fatal(err)
	}
	return &direct{t: t, m: m, vm: vm}
}

func (d *direct) eval(expr string) goja.Value {
	d.t.Helper()
	v, err := d.vm.RunString("(" + expr + ")")
	if err != nil {
		d.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// outcome writes an encoder's result as the EJSON text, or "error <Kind>: <message>"
// with the kind of error JavaScript sees (raise: a TypeError jsError, else Error).
func (d *direct) outcome(n node, err error) string {
	if err == nil {
		var s string
		s, err = d.m.enc.encodeNode(n)
		if err == nil {
			return s
		}
	}
	var je *jsError
	if errors.As(err, &je) {
		return "error " + je.kind + ": " + je.msg
	}
	return "error Error: " + err.Error()
}

func (d *direct) where(expr string) string  { return d.outcome(d.m.encodeWhere(d.eval(expr))) }
func (d *direct) query(expr string) string  { return d.outcome(d.m.encodeQuery(d.eval(expr), unsetKey)) }
func (d *direct) update(expr string) string { return d.outcome(d.m.encodeUpdate(d.eval(expr))) }

// value is the canonical EJSON of a value, as add() and set() send it.
func (d *direct) value(expr string) string {
	s, err := d.m.enc.encode(d.eval(expr))
	if err != nil {
		return d.outcome(nil, err)
	}
	return s
}

type exprCase struct{ expr, want string }

func runExprCases(t *testing.T, cases []exprCase, fn func(string) string) {
	t.Helper()
	for _, c := range cases {
		if got := fn(c.expr); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.expr, got, c.want)
		}
	}
}

// TestEncodeWhereShapes: nested plain objects become dotted paths, objects of $-keys stay,
// undefined fields and empty objects disappear, arrays, Dates, RegExps and the SDK's
// own values keep their shape, integer-like keys come first (JavaScript's order).
func TestEncodeWhereShapes(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{}`,
			`{}`},
		{`{ a: 1 }`,
			`{"a":{"$numberInt":"1"}}`},
		{`{ a: { b: { c: 1 } } }`,
			`{"a.b.c":{"$numberInt":"1"}}`},
		{`{ a: { b: 1, c: { d: 2 } }, e: 3 }`,
			`{"e":{"$numberInt":"3"},"a.b":{"$numberInt":"1"},"a.c.d":{"$numberInt":"2"}}`},
		{`{ a: {}, b: 1 }`,
			`{"b":{"$numberInt":"1"}}`},
		{`{ a: { b: {} }, c: 1 }`,
			`{"c":{"$numberInt":"1"}}`},
		{`{ a: undefined, b: 1 }`,
			`{"b":{"$numberInt":"1"}}`},
		{`{ a: { b: undefined } }`,
			`{}`},
		{`{ a: null }`,
			`{"a":null}`},
		{`{ a: [1, { b: 2 }, [3], undefined, null] }`,
			`{"a":[{"$numberInt":"1"},{"b":{"$numberInt":"2"}},[{"$numberInt":"3"}],null,null]}`},
		{`{ a: /x/gi }`,
			`{"a":{"$regularExpression":{"pattern":"x","options":"gi"}}}`},
		{`{ a: { b: /x/m } }`,
			`{"a.b":{"$regularExpression":{"pattern":"x","options":"m"}}}`},
		{`{ a: db.RegExp({ regexp: 'x', options: 'i' }) }`,
			`{"a":{"$regularExpression":{"pattern":"x","options":"i"}}}`},
		{`{ a: db.RegExp({ regexp: 'x' }) }`,
			`{"a":{"$regularExpression":{"pattern":"x","options":""}}}`},
		{`{ a: new Date(-1000) }`,
			`{"a":{"$date":{"$numberLong":"-1000"}}}`},
		{`{ a: new Date(NaN) }`,
			`{"a":{"$date":{"$numberLong":"NaN"}}}`},
		{`{ a: { b: new Date(5) } }`,
			`{"a.b":{"$date":{"$numberLong":"5"}}}`},
		{`{ a: G.Point(1, 2) }`,
			`{"a":{"type":"Point","coordinates":[{"$numberInt":"1"},{"$numberInt":"2"}]}}`},
		{`{ a: { b: G.Point(1.5, -2) } }`,
			`{"a.b":{"type":"Point","coordinates":[{"$numberDouble":"1.5"},{"$numberInt":"-2"}]}}`},
		{`{ a: db.serverDate({ offset: 3 }) }`,
			`{"a":{"$tcb_server_date":{"offset":{"$numberInt":"3"}}}}`},
		{`{ 'a.b': 1, c: { 'd.e': 2 } }`,
			`{"a.b":{"$numberInt":"1"},"c.d.e":{"$numberInt":"2"}}`},
		{`{ b: 1, 2: 'x', 1: 'y', a: { 10: 1, 9: 2 } }`,
			`{"1":"y","2":"x","b":{"$numberInt":"1"},"a.9":{"$numberInt":"2"},"a.10":{"$numberInt":"1"}}`},
		{`{ a: { $gt: 1 } }`,
			`{"a":{"$gt":{"$numberInt":"1"}}}`},
		{`{ a: { $gt: 1, b: 2 } }`,
			`{"a":{"$gt":{"$numberInt":"1"}},"a.b":{"$numberInt":"2"}}`},
		{`{ a: { b: 2, $gt: 1 } }`,
			`{"a":{"$gt":{"$numberInt":"1"}},"a.b":{"$numberInt":"2"}}`},
		{`{ $or: [{ a: 1 }, { b: { c: 2 } }] }`,
			`{"$or":[{"a":{"$numberInt":"1"}},{"b":{"c":{"$numberInt":"2"}}}]}`},
		{`{ a: 0, b: '', c: false }`,
			`{"a":{"$numberInt":"0"},"b":"","c":false}`},
		{`{ a: { b: 0, c: '', d: false, e: null } }`,
			`{"a.b":{"$numberInt":"0"},"a.c":"","a.d":false,"a.e":null}`},
		{`{ a: { b: [1, { c: 2 }] } }`,
			`{"a.b":[{"$numberInt":"1"},{"c":{"$numberInt":"2"}}]}`},
		{`{ a: function () {}, b: 1 }`,
			`{"b":{"$numberInt":"1"}}`},
		{`{ a: Symbol('s'), b: 1 }`,
			`{"b":{"$numberInt":"1"}}`},
		{`{ a: Object.assign(Object.create(null), { b: 1 }) }`,
			`{"a.b":{"$numberInt":"1"}}`},
		{`{ a: new (class Foo { constructor() { this.x = 1; } })() }`,
			`{"a.x":{"$numberInt":"1"}}`},
		{`{ a: new Number(5) }`,
			`{"a":{}}`},
		{`{ a: new String('ab') }`,
			`{"a":{"0":"a","1":"b"}}`},
		{`{ a: new Proxy({ b: 1 }, {}) }`, `{"a.b":{"$numberInt":"1"}}`},
		{`new Proxy({ a: 1 }, {})`, `{"a":{"$numberInt":"1"}}`},
		{`{ a: (function () { return arguments; })(1, 2) }`, `{"a":{"0":{"$numberInt":"1"},"1":{"$numberInt":"2"}}}`},
		{`{ a: new Error('x') }`, `{"a":{}}`},
		// not in the real SDK's recording: JavaScript property order after flattening
		{`{ z: { 1: 'a', b: 'c' }, 0: 'first' }`, `{"0":"first","z.1":"a","z.b":"c"}`},
	}, d.where)
}

// TestEncodeWhereNumbersAndStrings: bson 4's canonical numbers (int32 → $numberInt,
// other integers up to 2^63 → $numberLong, -0 → 0, the rest $numberDouble in JavaScript
// number text) and JSON.stringify's string escapes.
func TestEncodeWhereNumbersAndStrings(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: -0, b: 2 ** 53 + 2, c: -(2 ** 31), d: 2 ** 31, e: -(2 ** 31) - 1, f: 2 ** 31 - 1 }`,
			`{"a":{"$numberInt":"0"},"b":{"$numberLong":"9007199254740994"},"c":{"$numberInt":"-2147483648"},"d":{"$numberLong":"2147483648"},"e":{"$numberLong":"-2147483649"},"f":{"$numberInt":"2147483647"}}`},
		{`{ a: 2 ** 63, b: -(2 ** 63), c: 2 ** 64, d: 1e21, e: 1e20, f: 123456789012345680000 }`,
			`{"a":{"$numberLong":"9223372036854776000"},"b":{"$numberLong":"-9223372036854776000"},"c":{"$numberDouble":"18446744073709552000"},"d":{"$numberDouble":"1e+21"},"e":{"$numberDouble":"100000000000000000000"},"f":{"$numberDouble":"123456789012345680000"}}`},
		{`{ a: 0.1, b: 1.5e-7, c: 5e-324, d: 1.7976931348623157e308, e: NaN, f: Infinity, g: -Infinity, h: -1.5, i: 1e-7, j: 0.000001 }`,
			`{"a":{"$numberDouble":"0.1"},"b":{"$numberDouble":"1.5e-7"},"c":{"$numberDouble":"5e-324"},"d":{"$numberDouble":"1.7976931348623157e+308"},"e":{"$numberDouble":"NaN"},"f":{"$numberDouble":"Infinity"},"g":{"$numberDouble":"-Infinity"},"h":{"$numberDouble":"-1.5"},"i":{"$numberDouble":"1e-7"},"j":{"$numberDouble":"0.000001"}}`},
		{`{ a: 'q"\\ \n\t\u0000\u001f\u007f \u2028\u2029 é 😀' }`,
			`{"a":"q\"\\ \n\t\u0000\u001f    é 😀"}`},
		{`{ 'k"\n': 1 }`,
			`{"k\"\n":{"$numberInt":"1"}}`},
		{`{ a: true, b: false }`,
			`{"a":true,"b":false}`},
	}, d.where)
}

// TestEncodeWhereComparisons: each db.command comparison at a field, with values of
// every kind as operands.
func TestEncodeWhereComparisons(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: _.eq(1), b: _.neq(2), c: _.gt(3), d: _.gte(4), e: _.lt(5), f: _.lte(6) }`,
			`{"a":{"$eq":{"$numberInt":"1"}},"b":{"$ne":{"$numberInt":"2"}},"c":{"$gt":{"$numberInt":"3"}},"d":{"$gte":{"$numberInt":"4"}},"e":{"$lt":{"$numberInt":"5"}},"f":{"$lte":{"$numberInt":"6"}}}`},
		{`{ a: _.eq({ x: { y: 1 } }), b: _.eq([1, 2]), c: _.eq(null), d: _.neq(undefined) }`,
			`{"a":{"$eq":{"x":{"y":{"$numberInt":"1"}}}},"b":{"$eq":[{"$numberInt":"1"},{"$numberInt":"2"}]},"c":{"$eq":null},"d":{}}`},
		{`{ a: _.in([1, 'x', null]), b: _.nin([]), c: _.all([{ x: 1 }]), d: _.in([new Date(1), /r/]) }`,
			`{"a":{"$in":[{"$numberInt":"1"},"x",null]},"b":{"$nin":[]},"c":{"$all":[{"x":{"$numberInt":"1"}}]},"d":{"$in":[{"$date":{"$numberLong":"1"}},{"$regularExpression":{"pattern":"r","options":""}}]}}`},
		{`{ a: _.exists(false), b: _.size(2), c: _.mod(3, 1), d: _.mod([4, 0]), e: _.mod(5) }`,
			`{"a":{"$exists":false},"b":{"$size":{"$numberInt":"2"}},"c":{"$mod":[{"$numberInt":"3"},{"$numberInt":"1"}]},"d":{"$mod":[{"$numberInt":"4"},{"$numberInt":"0"}]},"e":{"$mod":{"$numberInt":"5"}}}`},
		{`{ a: _.elemMatch({ b: _.gt(1), c: { d: 2 } }), e: _.elemMatch(_.gt(5)) }`,
			`{"a":{"$elemMatch":{"b":{"$gt":{"$numberInt":"1"}},"c":{"d":{"$numberInt":"2"}}}},"e":{"$elemMatch":{"$gt":{"$numberInt":"5"}}}}`},
		{`{ a: { b: _.gt(1), c: _.lt(2) } }`,
			`{"a.b":{"$gt":{"$numberInt":"1"}},"a.c":{"$lt":{"$numberInt":"2"}}}`},
		{`{ a: _.eq(1), 'a.b': 2 }`,
			`{"a":{"$eq":{"$numberInt":"1"}},"a.b":{"$numberInt":"2"}}`},
		{`{ 'a.b': 1, a: { c: 2 } }`,
			`{"a.b":{"$numberInt":"1"},"a.c":{"$numberInt":"2"}}`},
		{`{ a: _.gt(1), b: { c: _.in([1]) } }`,
			`{"a":{"$gt":{"$numberInt":"1"}},"b.c":{"$in":[{"$numberInt":"1"}]}}`},
		{`{ a: _.eq(undefined) }`,
			`{"a":{}}`},
		{`{ a: _.gt(new Date(0)), b: _.lt(db.serverDate()) }`,
			`{"a":{"$gt":{"$date":{"$numberLong":"0"}}},"b":{"$lt":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}}}}`},
		{`{ a: _.in('x') }`,
			`{"a":{"$in":"x"}}`},
		{`{ a: _.all(5) }`,
			`{"a":{"$all":{"$numberInt":"5"}}}`},
		{`{ a: _.nin(undefined) }`,
			`{"a":{}}`},
		{`{ a: _.in([undefined, 1]) }`,
			`{"a":{"$in":[null,{"$numberInt":"1"}]}}`},
		{`{ a: _.eq(db.RegExp({ regexp: 'x' })) }`,
			`{"a":{"$eq":{"$regularExpression":{"pattern":"x","options":""}}}}`},
		{`{ a: _.eq(G.Point(1, 2)) }`,
			`{"a":{"$eq":{"type":"Point","coordinates":[{"$numberInt":"1"},{"$numberInt":"2"}]}}}`},
		{`{ a: _.elemMatch({ b: new Date(0) }) }`,
			`{"a":{"$elemMatch":{"b":{"$date":{"$numberLong":"0"}}}}}`},
		{`{ a: _.exists() }`,
			`{"a":{}}`},
		{`{ a: _.neq(_.gt(1)) }`,
			`{"a":{"$ne":{"$gt":{"$numberInt":"1"}}}}`},
		{`{ get a() { return 1; } }`,
			`{"a":{"$numberInt":"1"}}`},
		{`{ a: { b: { c: {} } }, d: 1 }`,
			`{"d":{"$numberInt":"1"}}`},
		{`{ a: [], b: {} , c: 1 }`,
			`{"a":[],"c":{"$numberInt":"1"}}`},
		{`{ a: _.gt(-0), b: _.lt(2 ** 53 + 2), c: _.in([1.5, -0, NaN]) }`,
			`{"a":{"$gt":{"$numberInt":"0"}},"b":{"$lt":{"$numberLong":"9007199254740994"}},"c":{"$in":[{"$numberDouble":"1.5"},{"$numberInt":"0"},{"$numberDouble":"NaN"}]}}`},
		{`{ a: _.size(_.gt(1)) }`,
			`{"a":{"$size":{"$gt":{"$numberInt":"1"}}}}`},
		{`{ a: _.elemMatch({ $gt: 1 }) }`,
			`{"a":{"$elemMatch":{"$gt":{"$numberInt":"1"}}}}`},
		{`{ a: { b: 1 }, 'a.b': _.gt(0) }`,
			`{"a.b":{"$numberInt":"1"}}`},
		{`{ 'a.b': _.gt(0), a: { b: 1 } }`,
			`{"a.b":{"$numberInt":"1"}}`},
		{`{ a: { b: _.eq(1) }, c: { b: _.eq(2) } }`,
			`{"a.b":{"$eq":{"$numberInt":"1"}},"c.b":{"$eq":{"$numberInt":"2"}}}`},
		// commands inside the operands of commands
		{`{ a: _.in([_.gt(1)]) }`, `{"a":{"$in":[{"$gt":{"$numberInt":"1"}}]}}`},
		{`{ a: _.eq({ b: _.gt(1) }) }`, `{"a":{"$eq":{"b":{"$gt":{"$numberInt":"1"}}}}}`},
		{`{ a: _.eq([_.gt(1)]) }`, `{"a":{"$eq":[{"$gt":{"$numberInt":"1"}}]}}`},
		{`{ a: _.nin([{ b: _.exists(true) }]) }`, `{"a":{"$nin":[{"b":{"$exists":true}}]}}`},
	}, d.where)
}

// TestEncodeWhereLogic: _.and/_.or/_.nor/_.not at the top and at fields, chained
// (_.gt(1).and(_.lt(5))), several field-level ones concatenating into one top-level
// list, and the real SDK's merge quirks.
func TestEncodeWhereLogic(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`_.and([{ a: 1 }, { b: 2 }])`,
			`{"$and":[{"a":{"$numberInt":"1"}},{"b":{"$numberInt":"2"}}]}`},
		{`_.and({ a: 1 }, { b: { c: 2 } })`,
			`{"$and":[{"a":{"$numberInt":"1"}},{"b.c":{"$numberInt":"2"}}]}`},
		{`_.or([{ a: _.gt(1) }, { b: _.lt(2) }])`,
			`{"$or":[{"a":{"$gt":{"$numberInt":"1"}}},{"b":{"$lt":{"$numberInt":"2"}}}]}`},
		{`_.nor([{ a: 1 }])`,
			`{"$nor":[{"a":{"$numberInt":"1"}}]}`},
		{`_.or([])`,
			`{"$or":[]}`},
		{`_.and([{ a: 1 }, _.or([{ b: 1 }, { c: _.in([2]) }])])`,
			`{"$and":[{"a":{"$numberInt":"1"}},{"$or":[{"b":{"$numberInt":"1"}},{"c":{"$in":[{"$numberInt":"2"}]}}]}]}`},
		{`{ a: _.gt(1).and(_.lt(5)) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"5"}}}]}`},
		{`{ a: _.gt(1).or(_.lt(-1)) }`,
			`{"$or":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"-1"}}}]}`},
		{`{ a: _.gt(1).and(_.lt(5)), b: _.gt(2).and(_.lt(6)) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"5"}}},{"b":{"$gt":{"$numberInt":"2"}}},{"b":{"$lt":{"$numberInt":"6"}}}]}`},
		{`{ a: _.gt(1).or(_.lt(5)), b: _.gt(2).and(_.lt(6)), c: _.eq(3).or(_.eq(4)) }`,
			`{"$or":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"5"}}},{"c":{"$eq":{"$numberInt":"3"}}},{"c":{"$eq":{"$numberInt":"4"}}}],"$and":[{"b":{"$gt":{"$numberInt":"2"}}},{"b":{"$lt":{"$numberInt":"6"}}}]}`},
		{`{ a: _.gt(1).lt(5) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"5"}}}]}`},
		{`{ a: _.gt(1).in([2, 3]) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$in":[{"$numberInt":"2"},{"$numberInt":"3"}]}}]}`},
		{`{ a: _.eq(1).and(_.eq(2)).and(_.eq(3)) }`,
			`{"$and":[{"$and":[{"a":{"$eq":{"$numberInt":"1"}}},{"a":{"$eq":{"$numberInt":"2"}}}]},{"a":{"$eq":{"$numberInt":"3"}}}]}`},
		{`{ a: _.and(_.gt(1), _.lt(3)) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"3"}}}]}`},
		{`{ a: _.and([_.gt(1), _.lt(3)]), b: _.or(_.eq(1), _.eq(2)) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"3"}}}],"$or":[{"b":{"$eq":{"$numberInt":"1"}}},{"b":{"$eq":{"$numberInt":"2"}}}]}`},
		{`{ a: _.nor(_.eq(1), _.eq(2)) }`,
			`{"$nor":[{"a":{"$eq":{"$numberInt":"1"}}},{"a":{"$eq":{"$numberInt":"2"}}}]}`},
		{`{ a: _.or([{ b: 1 }, { c: 2 }]) }`,
			`{"$or":[{"b":{"$numberInt":"1"}},{"c":{"$numberInt":"2"}}]}`},
		{`{ a: _.or(_.gt(1), { b: 2 }) }`,
			`{"$or":[{"a":{"$gt":{"$numberInt":"1"}}},{"b":{"$numberInt":"2"}}]}`},
		{`{ a: _.not(_.eq(1)) }`,
			`{"a":{"$not":{"$eq":{"$numberInt":"1"}}}}`},
		{`{ a: _.not(/x/i) }`,
			`{"a":{"$not":{"$regularExpression":{"pattern":"x","options":"i"}}}}`},
		{`{ a: _.not(_.in([1, 2])) }`,
			`{"a":{"$not":{"$in":[{"$numberInt":"1"},{"$numberInt":"2"}]}}}`},
		{`{ a: _.not(_.gt(1).and(_.lt(2))) }`,
			`{"a":{}}`},
		{`{ a: _.not(_.not(_.eq(1))) }`,
			`{"a":{"$not":{"$not":{"$eq":{"$numberInt":"1"}}}}}`},
		{`{ a: _.not(db.RegExp({ regexp: 'y' })) }`,
			`{"a":{}}`},
		{`{ a: { b: _.not(_.exists(true)) } }`,
			`{"a.b":{"$not":{"$exists":true}}}`},
		{`{ x: 1, a: _.or(_.gt(1), _.lt(0)), y: 2 }`,
			`{"x":{"$numberInt":"1"},"y":{"$numberInt":"2"},"$or":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"0"}}}]}`},
		{`{ $or: [{ z: 1 }], a: _.or(_.gt(1), _.lt(0)) }`,
			`{"$or":[{"z":{"$numberInt":"1"}},{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"0"}}}]}`},
		{`{ $and: 5, a: _.and(_.gt(1), _.lt(0)) }`,
			`{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"0"}}}]}`},
		{`_.expr(_.aggregate.gt(['$a', 1]))`,
			`{"$expr":{"$gt":["$a",{"$numberInt":"1"}]}}`},
		{`{ a: _.gt(1), ...{ b: _.expr(1) } }`,
			`{"a":{"$gt":{"$numberInt":"1"}},"b":{"$expr":{"$numberInt":"1"}}}`},
		{`{ a: _.or(_.and(_.gt(1), _.lt(2)), _.eq(5)) }`,
			`{"$or":[{"$and":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"2"}}}]},{"a":{"$eq":{"$numberInt":"5"}}}]}`},
		{`{ a: _.and(_.or(_.eq(1), _.eq(2)), _.neq(3)) }`,
			`{"$and":[{"$or":[{"a":{"$eq":{"$numberInt":"1"}}},{"a":{"$eq":{"$numberInt":"2"}}}]},{"a":{"$ne":{"$numberInt":"3"}}}]}`},
		{`{ a: { b: _.gt(1).and(_.lt(2)) } }`,
			`{"$and":[{"a.b":{"$gt":{"$numberInt":"1"}}},{"a.b":{"$lt":{"$numberInt":"2"}}}]}`},
		{`{ a: { b: _.or([{ c: 1 }]) } }`,
			`{"$or":[{"c":{"$numberInt":"1"}}]}`},
		{`_.and([{ a: { b: 1 } }, { c: _.gt(1).and(_.lt(2)) }])`,
			`{"$and":[{"a.b":{"$numberInt":"1"}},{"$and":[{"c":{"$gt":{"$numberInt":"1"}}},{"c":{"$lt":{"$numberInt":"2"}}}]}]}`},
		{`_.or({ a: 1 })`,
			`{"$or":[{"a":{"$numberInt":"1"}}]}`},
		{`{ a: _.not(_.or([_.eq(1), _.eq(2)])) }`,
			`{"a":{}}`},
		{`{ a: _.eq(1), b: _.eq(1).or(_.eq(2)), c: { d: _.lt(0) } }`,
			`{"a":{"$eq":{"$numberInt":"1"}},"c.d":{"$lt":{"$numberInt":"0"}},"$or":[{"b":{"$eq":{"$numberInt":"1"}}},{"b":{"$eq":{"$numberInt":"2"}}}]}`},
	}, d.where)
}

// TestEncodeWhereGeo: geoNear, geoWithin (geometry and both centerSphere forms) and
// geoIntersects.
func TestEncodeWhereGeo(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ loc: _.geoNear({ geometry: G.Point(1, 2), maxDistance: 10, minDistance: 1 }) }`,
			`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[{"$numberInt":"1"},{"$numberInt":"2"}]},"$maxDistance":{"$numberInt":"10"},"$minDistance":{"$numberInt":"1"}}}}`},
		{`{ loc: _.geoNear({ geometry: G.Point(1, 2) }) }`,
			`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[{"$numberInt":"1"},{"$numberInt":"2"}]}}}}`},
		{`{ loc: _.geoWithin({ geometry: G.Polygon([G.LineString([G.Point(0, 0), G.Point(1, 0), G.Point(1, 1), G.Point(0, 0)])]) }) }`,
			`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[{"$numberInt":"0"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"0"}],[{"$numberInt":"1"},{"$numberInt":"1"}],[{"$numberInt":"0"},{"$numberInt":"0"}]]]}}}}`},
		{`{ loc: _.geoWithin({ centerSphere: [G.Point(1, 2), 0.5] }) }`,
			`{"loc":{"$geoWithin":{"$centerSphere":[[{"$numberInt":"1"},{"$numberInt":"2"}],{"$numberDouble":"0.5"}]}}}`},
		{`{ loc: _.geoWithin({ centerSphere: [[1, 2], 0.5] }) }`,
			`{"loc":{"$geoWithin":{"$centerSphere":[[{"$numberInt":"1"},{"$numberInt":"2"}],{"$numberDouble":"0.5"}]}}}`},
		{`{ loc: _.geoIntersects({ geometry: G.MultiPoint([G.Point(0, 0)]) }) }`,
			`{"loc":{"$geoIntersects":{"$geometry":{"type":"MultiPoint","coordinates":[[{"$numberInt":"0"},{"$numberInt":"0"}]]}}}}`},
	}, d.where)
}

// TestEncodeWhereErrors: where()'s argument checks and the serializer's failures, with
// the real SDK's messages and error classes.
func TestEncodeWhereErrors(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`'x'`,
			`error Error: 查询参数必须为对象`},
		{`[1]`,
			`error Error: 查询参数必须为对象`},
		{`null`,
			`error Error: 查询参数必须为对象`},
		{`undefined`,
			`error Error: 查询参数必须为对象`},
		{`5`,
			`error Error: 查询参数必须为对象`},
		{`new Date(0)`,
			`error Error: 查询参数必须为对象`},
		{`/x/`,
			`error Error: 查询参数必须为对象`},
		{`{ a: undefined }`,
			`error Error: 查询参数对象值不能均为undefined`},
		{`{ a: undefined, b: undefined }`,
			`error Error: 查询参数对象值不能均为undefined`},
		{`_.gt(1)`,
			`error Error: Cannot encode a comparison command with unset field name`},
		{`_.not(_.gt(1))`,
			`error Error: Cannot encode a comparison command with unset field name`},
		{`_.or(_.gt(1), _.lt(0))`,
			`error Error: Cannot encode a comparison command with unset field name`},
		{`{ a: _.geoWithin({ centerSphere: [[200, 0], 1] }) }`,
			`error Error: longitude should be a number ranges from -180 to 180`},
		{`{ a: _.geoWithin({ centerSphere: [[1, 100], 1] }) }`,
			`error Error: latitude should be a number ranges from -90 to 90`},
		{`{ a: _.geoWithin({ centerSphere: [[1, 2], 'x'] }) }`,
			`error Error: centersPhere结构不合法`},
		{`{ a: _.geoWithin({ centerSphere: 5 }) }`,
			`error Error: centersPhere结构不合法`},
		{`(() => { const o = { a: 1 }; o.self = o; return { x: o }; })()`,
			`error Error: Cannot convert circular structure to JSON`},
		// Node 20 words this "Cannot read properties of undefined (reading 'toJSON')";
		// the module keeps the wording of the Node versions cloud functions ran on.
		{`{ a: _.geoNear({}) }`, `error TypeError: Cannot read property 'toJSON' of undefined`},
		// through an array the real SDK fails in bson instead (BSONTypeError "Converting
		// circular structure to EJSON: …"); the module fails the same way as for objects
		{`(() => { const o = { a: [] }; o.a.push(o); return { x: o }; })()`, `error Error: Cannot convert circular structure to JSON`},
	}, d.where)
}

// TestEncodeWhereDeliberateDeviations pins what the module does where the real SDK
// sends something the server cannot use (wxsdk.go, "Deliberate differences"): a query
// command inside an array value is written as its {"$op": operand} form, where the
// real SDK writes the command object's fields ({"operator":"gt","operands":[…],
// "fieldName":{}}).
func TestEncodeWhereDeliberateDeviations(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: [_.gt(1)] }`, `{"a":[{"$gt":{"$numberInt":"1"}}]}`},
		{`{ a: { b: [{ c: _.gt(1) }] } }`, `{"a.b":[{"c":{"$gt":{"$numberInt":"1"}}}]}`},
		{`{ a: [_.in([1]), _.neq(2)] }`, `{"a":[{"$in":[{"$numberInt":"1"}]},{"$ne":{"$numberInt":"2"}}]}`},
		// the same for a query command inside the operand of another: the real SDK sends
		// {"c":{"operator":"gt",…}} in the second $elemMatch
		{`{ a: _.all([_.elemMatch({ b: 1 }), _.elemMatch({ c: _.gt(2) })]) }`,
			`{"a":{"$all":[{"$elemMatch":{"b":{"$numberInt":"1"}}},{"$elemMatch":{"c":{"$gt":{"$numberInt":"2"}}}}]}}`},
	}, d.where)
}

// TestEncodeQuery: aggregate().match() encodes its condition like where() without
// where()'s argument checks.
func TestEncodeQuery(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: 1, b: { c: _.gt(1) } }`,
			`{"a":{"$numberInt":"1"},"b.c":{"$gt":{"$numberInt":"1"}}}`},
		{`{ a: _.or(_.gt(1), _.lt(0)) }`,
			`{"$or":[{"a":{"$gt":{"$numberInt":"1"}}},{"a":{"$lt":{"$numberInt":"0"}}}]}`},
		{`_.or([{ a: 1 }, { b: 2 }])`,
			`{"$or":[{"a":{"$numberInt":"1"}},{"b":{"$numberInt":"2"}}]}`},
		{`{}`,
			`{}`},
		{`{ a: { $gt: 1 } }`,
			`{"a":{"$gt":{"$numberInt":"1"}}}`},
		{`{ a: undefined }`, `{}`},
		{`_.gt(1)`, `error Error: Cannot encode a comparison command with unset field name`},
		{`_.and([_.eq(1)])`, `error Error: Cannot encode a comparison command with unset field name`},
	}, d.query)
}

// TestEncodeUpdate: plain values become $set (nested objects as dotted paths), commands
// their operator, with the push/unshift/pop/shift modifiers and merges of the real SDK.
func TestEncodeUpdate(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: 1, b: { c: 2, d: { e: 3 } } }`,
			`{"$set":{"a":{"$numberInt":"1"},"b.c":{"$numberInt":"2"},"b.d.e":{"$numberInt":"3"}}}`},
		{`{ a: _.inc(1), b: _.mul(-2.5), c: _.min(0), d: _.max(2 ** 40) }`,
			`{"$inc":{"a":{"$numberInt":"1"}},"$mul":{"b":{"$numberDouble":"-2.5"}},"$min":{"c":{"$numberInt":"0"}},"$max":{"d":{"$numberLong":"1099511627776"}}}`},
		{`{ a: _.set({ b: 1, c: { d: 2 } }) }`,
			`{"$set":{"a":{"b":{"$numberInt":"1"},"c":{"d":{"$numberInt":"2"}}}}}`},
		{`{ a: _.set([1, 2]), b: _.set(null), c: _.set(new Date(1)) }`,
			`{"$set":{"a":[{"$numberInt":"1"},{"$numberInt":"2"}],"b":null,"c":{"$date":{"$numberLong":"1"}}}}`},
		{`{ a: _.remove(), b: { c: _.remove() } }`,
			`{"$unset":{"a":"","b.c":""}}`},
		{`{ a: _.push(1), b: _.push(1, 2), c: _.push([3, 4]), d: _.push({ each: [5], position: 1, sort: { x: -1 }, slice: -3 }), e: _.push({ each: [6] }) }`,
			`{"$push":{"a":{"$each":[{"$numberInt":"1"}]},"b":{"$each":[{"$numberInt":"1"},{"$numberInt":"2"}]},"c":{"$each":[{"$numberInt":"3"},{"$numberInt":"4"}]},"d":{"$each":[{"$numberInt":"5"}],"$position":{"$numberInt":"1"},"$sort":{"x":{"$numberInt":"-1"}},"$slice":{"$numberInt":"-3"}},"e":{"$each":[{"$numberInt":"6"}]}}}`},
		{`{ a: _.push({ x: 1 }), b: _.push() }`,
			`{"$push":{"a":{"$each":[{"x":{"$numberInt":"1"}}]},"b":{"$each":[]}}}`},
		{`{ a: _.pull(1), b: _.pull(_.gt(2)), c: _.pull({ x: 1 }), d: _.pullAll([1, 2]), e: _.addToSet(1), f: _.addToSet({ each: [1, 2] }) }`,
			`{"$pull":{"a":{"$numberInt":"1"},"b":{"$gt":{"$numberInt":"2"}},"c":{"x":{"$numberInt":"1"}}},"$pullAll":{"d":[{"$numberInt":"1"},{"$numberInt":"2"}]},"$addToSet":{"e":{"$numberInt":"1"},"f":{"each":[{"$numberInt":"1"},{"$numberInt":"2"}]}}}`},
		{`{ a: _.pop(), b: _.shift(), c: _.unshift(1, 2), d: _.unshift([3]) }`,
			`{"$pop":{"a":{"$numberInt":"1"},"b":{"$numberInt":"-1"}},"$push":{"c":{"$each":[{"$numberInt":"1"},{"$numberInt":"2"}],"$position":{"$numberInt":"0"}},"d":{"$each":[{"$numberInt":"3"}],"$position":{"$numberInt":"0"}}}}`},
		{`{ a: _.rename('b'), c: _.bit({ and: 5 }) }`,
			`{"$rename":{"a":"b"},"$bit":{"c":{"and":{"$numberInt":"5"}}}}`},
		{`{ a: db.serverDate(), b: { c: db.serverDate({ offset: 1000 }) } }`,
			`{"$set":{"a":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}},"b.c":{"$tcb_server_date":{"offset":{"$numberInt":"1000"}}}}}`},
		{`{ 'a.b': 1, a: { c: _.inc(1) } }`,
			`{"$set":{"a.b":{"$numberInt":"1"}},"$inc":{"a.c":{"$numberInt":"1"}}}`},
		{`{ a: { b: _.inc(1), c: 2 } }`,
			`{"$inc":{"a.b":{"$numberInt":"1"}},"$set":{"a.c":{"$numberInt":"2"}}}`},
		{`{ a: {} , b: { c: {} }, d: 1 }`,
			`{"$set":{"d":{"$numberInt":"1"}}}`},
		{`{ a: undefined, b: 1 }`,
			`{"$set":{"b":{"$numberInt":"1"}}}`},
		{`{ a: [1, { b: 2 }] }`,
			`{"$set":{"a":[{"$numberInt":"1"},{"b":{"$numberInt":"2"}}]}}`},
		{`{ $set: { a: 1 }, b: 2 }`,
			`{"$set":{"a":{"$numberInt":"1"},"b":{"$numberInt":"2"}}}`},
		{`{ a: { $inc: 1 } }`,
			`{"$set":{"a":{"$inc":{"$numberInt":"1"}}}}`},
		{`{ a: G.Point(1, 2), b: /x/g, c: db.RegExp({ regexp: 'y' }) }`,
			`{"$set":{"a":{"type":"Point","coordinates":[{"$numberInt":"1"},{"$numberInt":"2"}]},"b":{"$regularExpression":{"pattern":"x","options":"g"}},"c":{"$regularExpression":{"pattern":"y","options":""}}}}`},
		{`{ a: _.inc(1), b: _.inc(2), c: 3, d: _.push(1), e: 4 }`,
			`{"$inc":{"a":{"$numberInt":"1"},"b":{"$numberInt":"2"}},"$set":{"c":{"$numberInt":"3"},"e":{"$numberInt":"4"}},"$push":{"d":{"$each":[{"$numberInt":"1"}]}}}`},
		{`{ a: _.inc(undefined) }`,
			`{"$inc":{}}`},
		{`{ a: _.set(undefined) }`,
			`{"$set":{}}`},
		{`{ a: -0, b: 2 ** 53 + 2, c: NaN, d: 1e21 }`,
			`{"$set":{"a":{"$numberInt":"0"},"b":{"$numberLong":"9007199254740994"},"c":{"$numberDouble":"NaN"},"d":{"$numberDouble":"1e+21"}}}`},
		{`{ 3: 1, 1: _.inc(1), a: 2 }`,
			`{"$inc":{"1":{"$numberInt":"1"}},"$set":{"3":{"$numberInt":"1"},"a":{"$numberInt":"2"}}}`},
		{`{ a: _.gt(1) }`,
			`{"$set":{"a":{"$gt":{"$numberInt":"1"}}}}`},
		{`{ a: null, b: false, c: 0, d: '' }`,
			`{"$set":{"a":null,"b":false,"c":{"$numberInt":"0"},"d":""}}`},
		{`{ a: { b: null, c: false } }`,
			`{"$set":{"a.b":null,"a.c":false}}`},
		{`_.inc(1)`,
			`error Error: Cannot encode a comparison command with unset field name`},
		{`{ a: _.push(undefined) }`,
			`{"$push":{"a":{"$each":[null]}}}`},
		{`{ a: _.pull(undefined) }`,
			`{"$pull":{}}`},
		{`{ a: _.unshift() }`,
			`{"$push":{"a":{"$each":[],"$position":{"$numberInt":"0"}}}}`},
		{`{ a: _.addToSet(undefined) }`,
			`{"$addToSet":{}}`},
		{`{ a: _.set({ b: undefined, c: 1 }) }`,
			`{"$set":{"a":{"c":{"$numberInt":"1"}}}}`},
		{`{ a: _.inc(1), 'a.b': _.inc(2) }`,
			`{"$inc":{"a":{"$numberInt":"1"},"a.b":{"$numberInt":"2"}}}`},
		{`{ a: { b: _.inc(1) }, 'a.b': 5 }`,
			`{"$inc":{"a.b":{"$numberInt":"1"}}}`},
		{`{ $inc: { a: 1 }, b: _.inc(2) }`,
			`{"$inc":{"a":{"$numberInt":"1"},"b":{"$numberInt":"2"}}}`},
		{`{ $push: [1], a: _.push(2) }`,
			`{"$push":[{"$numberInt":"1"},{"a":{"$each":[{"$numberInt":"2"}]}}]}`},
		{`{ a: _.rename(undefined) }`,
			`{"$rename":{}}`},
		{`{ a: { b: { c: _.remove() } }, d: _.remove() }`,
			`{"$unset":{"d":"","a.b.c":""}}`},
		{`{ a: _.push({ each: [1], position: undefined, sort: 1 }) }`,
			`{"$push":{"a":{"$each":[{"$numberInt":"1"}],"$sort":{"$numberInt":"1"}}}}`},
		{`{ a: _.push({ each: undefined }) }`,
			`{"$push":{"a":{}}}`},
		{`{ a: _.addToSet([1, 2]) }`,
			`{"$addToSet":{"a":[{"$numberInt":"1"},{"$numberInt":"2"}]}}`},
		{`{ a: _.pullAll(1) }`,
			`{"$pullAll":{"a":{"$numberInt":"1"}}}`},
		{`{ a: new Date(-1), b: { c: new Date(NaN) } }`,
			`{"$set":{"a":{"$date":{"$numberLong":"-1"}},"b.c":{"$date":{"$numberLong":"NaN"}}}}`},
		{`{ a: _.max(new Date(0)), b: _.min(-0) }`,
			`{"$max":{"a":{"$date":{"$numberLong":"0"}}},"$min":{"b":{"$numberInt":"0"}}}`},
		{`{ a: _.mul(2 ** 53 + 2) }`,
			`{"$mul":{"a":{"$numberLong":"9007199254740994"}}}`},
		// the update data is checked in JavaScript before it gets here; other values pass
		{`'text'`, `"text"`},
		{`[1, 2]`, `[{"$numberInt":"1"},{"$numberInt":"2"}]`},
		{`{}`, `{}`},
		{`{ a: _.push([_.gt(1)]) }`, `{"$push":{"a":{"$each":[{"$gt":{"$numberInt":"1"}}]}}}`},
		{`{ a: _.pull({ b: _.gt(1) }) }`, `{"$pull":{"a":{"b":{"$gt":{"$numberInt":"1"}}}}}`},
		{`{ a: _.pull(_.in([1, 2])) }`, `{"$pull":{"a":{"$in":[{"$numberInt":"1"},{"$numberInt":"2"}]}}}`},
		{`{ a: _.addToSet({ each: [_.gt(1)] }) }`, `{"$addToSet":{"a":{"each":[{"$gt":{"$numberInt":"1"}}]}}}`},
		{`{ a: _.set({ b: _.inc(1) }) }`, `{"$set":{"a":{"b":{"operator":"inc","operands":[{"$numberInt":"1"}],"fieldName":{}}}}}`},
	}, d.update)
}

// TestEncodeUpdateDeliberateDeviations pins the values the real SDK forgets to
// serialize inside commands (wxsdk.go): it sends _.set(db.serverDate()) as
// {"offset":0}, _.set(Point) as {"longitude","latitude"}, and the query commands under
// a logic command left in a value as their fields.
func TestEncodeUpdateDeliberateDeviations(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ a: _.set(db.serverDate()) }`, `{"$set":{"a":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}}}}`},
		{`{ a: _.set(G.Point(1, 2)) }`, `{"$set":{"a":{"type":"Point","coordinates":[{"$numberInt":"1"},{"$numberInt":"2"}]}}}`},
		{`{ a: _.or(_.gt(1), _.lt(0)) }`, `{"$set":{"a":{"operator":"or","operands":[{"$gt":{"$numberInt":"1"}},{"$lt":{"$numberInt":"0"}}],"fieldName":{}}}}`},
	}, d.update)
}

// TestHasUpdateCommand: set() refuses data holding an update command anywhere (objects
// and arrays), as the SDK's check does; query commands and SDK values are fine.
func TestHasUpdateCommand(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for expr, want := range map[string]bool{
		`{ a: 1, b: { c: _.inc(1) } }`:                          true,
		`{ a: [_.inc(1)] }`:                                     true,
		`{ a: { b: [{ c: _.push(1) }] } }`:                      true,
		`{ a: _.remove() }`:                                     true,
		`{ a: _.gt(1) }`:                                        false,
		`{ a: _.or(_.gt(1), _.lt(0)) }`:                         false,
		`{ a: db.serverDate(), b: G.Point(1, 2) }`:              false,
		`{ a: [1, [2, { b: 'x' }]], c: null }`:                  false,
		`{ f: Object.assign(function () {}, { x: _.inc(1) }) }`: false,
		`_.inc(1)`: false,
		`5`:        false,
		`'s'`:      false,
	} {
		if got := d.m.hasUpdateCommand(d.eval(expr), 0); got != want {
			t.Errorf("hasUpdateCommand(%s) = %v, want %v", expr, got, want)
		}
	}
	// a command 50 levels down is found; below maxEncodeDepth the walk stops (such a
	// document cannot be stored anyway) instead of exhausting the stack
	nested := func(n int) goja.Value {
		return d.eval(`(() => { let o = { x: _.inc(1) }; for (let i = 0; i < ` + strconv.Itoa(n) + `; i++) o = { o: [o] }; return o; })()`)
	}
	if !d.m.hasUpdateCommand(nested(50), 0) {
		t.Error("a command 50 levels down was not found")
	}
	if d.m.hasUpdateCommand(nested(2000), 0) {
		t.Error("a command below maxEncodeDepth was found")
	}
}

// TestOmapOrder: omap keeps JavaScript's property order (array index keys ascending
// first, then insertion order), which the flattened documents rely on.
func TestOmapOrder(t *testing.T) {
	var o omap
	for _, k := range []string{"b", "10", "a", "2", "01", "4294967294", "4294967295", "0", "-1", ""} {
		o.set(k, k)
	}
	o.set("b", "again") // an existing key keeps its place
	want := "0,2,10,4294967294,b,a,01,4294967295,-1,"
	if got := strings.Join(o.keys(), ","); got != want {
		t.Errorf("keys %s, want %s", got, want)
	}
	if v, _ := o.get("b"); v != "again" {
		t.Errorf("b = %v", v)
	}
	o.del("10")
	o.del("missing")
	if got := strings.Join(o.keys(), ","); got != "0,2,4294967294,b,a,01,4294967295,-1," {
		t.Errorf("after del: %s", got)
	}
	for k, want := range map[string]bool{"0": true, "7": true, "4294967294": true, "4294967295": false, "01": false, "": false, "-1": false, "1.5": false, "99999999999": false, "1e3": false} {
		if _, got := arrayIndex(k); got != want {
			t.Errorf("arrayIndex(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestWhereRejectsNonPlainObjects: the real SDK accepts only what
// Object.prototype.toString calls "[object Object]"; goja's ClassName is "Object" for
// Map, Set, Promise, typed arrays and Proxies of arrays too, so the module takes them
// as a condition, and where(new Map([['a', 1]])).remove() removes every document.
func TestWhereRejectsNonPlainObjects(t *testing.T) {
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`new Map([['a', 1]])`, `error Error: 查询参数必须为对象`},
		{`new Set()`, `error Error: 查询参数必须为对象`},
		{`Promise.resolve(1)`, `error Error: 查询参数必须为对象`},
		{`new Uint8Array([1])`, `error Error: 查询参数必须为对象`},
	}, d.where)
	// Known gap: a Proxy of an array is still read as an object (goja shows no class or
	// tag for it); the real SDK refuses it too.
	t.Run("proxy of an array", func(t *testing.T) {
		t.Skip("bug: where(new Proxy([1], {})) is read as an object; the real SDK throws 查询参数必须为对象")
		runExprCases(t, []exprCase{{`new Proxy([1], {})`, `error Error: 查询参数必须为对象`}}, d.where)
	})
}

// TestNonPlainObjectsKeepTheirShape: the real SDK flattens only "[object Object]"
// values; the module also flattens Maps and Sets (which then vanish: an update of
// { m: new Map() } sends {}), typed arrays and Proxies of arrays (sent as "a.0", "a.1"
// paths), and writes a Proxy of an array as an object.
func TestNonPlainObjectsKeepTheirShape(t *testing.T) {
	t.Skip("bug: query.go flatten/isJSObject and encode.go object() classify values by goja's ClassName, which is \"Object\" for Map/Set/typed arrays/Proxy([]); the real SDK uses Object.prototype.toString and Array.isArray")
	d := newDirect(t, FlavorWX)
	runExprCases(t, []exprCase{
		{`{ m: new Map([['k', 1]]), b: 1 }`, `{"m":{},"b":{"$numberInt":"1"}}`},
		{`{ s: new Set([1]), b: 1 }`, `{"s":{},"b":{"$numberInt":"1"}}`},
		{`{ a: new Uint8Array([1, 2]) }`, `{"a":{"0":{"$numberInt":"1"},"1":{"$numberInt":"2"}}}`},
		{`{ a: new Proxy([1, 2], {}) }`, `{"a":[{"$numberInt":"1"},{"$numberInt":"2"}]}`},
		{`{ a: { [Symbol.toStringTag]: 'X', b: 1 } }`, `{"a":{"b":{"$numberInt":"1"}}}`},
	}, d.where)
	runExprCases(t, []exprCase{
		{`{ m: new Map() }`, `{"$set":{"m":{}}}`},
		{`{ a: new Uint8Array([1, 2]), b: 1 }`, `{"$set":{"a":{"0":{"$numberInt":"1"},"1":{"$numberInt":"2"}},"b":{"$numberInt":"1"}}}`},
		{`{ a: new Proxy([1, 2], {}) }`, `{"$set":{"a":[{"$numberInt":"1"},{"$numberInt":"2"}]}}`},
	}, d.update)
	runExprCases(t, []exprCase{
		{`{ a: new Proxy([1, 2], {}), b: new Uint8Array([3]), c: new Map([[1, 2]]) }`, `{"a":[{"$numberInt":"1"},{"$numberInt":"2"}],"b":{"0":{"$numberInt":"3"}},"c":{}}`},
	}, d.value)
}
