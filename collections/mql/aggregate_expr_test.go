package mql

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Tests of aggregate_expr.go: field paths, variables, expression objects and arrays,
// compilation errors and the value helpers the operators share.

func TestAggExprFieldPaths(t *testing.T) {
	doc := `{"a":{"b":1,"c":[1,2]},"arr":[{"b":1},{"b":2},{"c":3},{"b":[4,5]},7,[{"b":8}],{"b":null}],` +
		`"deep":[{"x":[{"y":1},{"y":2}]},{"x":{"y":3}}],"n":null,"s":"str","e":[],"1":"one","obj":{"0":"zero"}}`
	runAggExprCases(t, doc, []aggExprCase{
		{`"$a.b"`, `1`},
		{`"$a.c"`, `[1,2]`},
		{`"$a.z"`, `missing`},
		{`"$a.b.c"`, `missing`},
		{`"$s.length"`, `missing`},
		{`"$n.x"`, `missing`},
		// through an array: what each document element yields; scalars, nested arrays and
		// missing branches are dropped, null is kept
		{`"$arr.b"`, `[1,2,[4,5],null]`},
		{`"$arr.c"`, `[3]`},
		{`"$arr.z"`, `[]`},
		{`"$e.b"`, `[]`},
		{`"$deep.x.y"`, `[[1,2],3]`},
		// numeric segments are field names, never array indexes
		{`"$a.c.0"`, `[]`},
		{`"$arr.0"`, `[]`},
		{`"$obj.0"`, `"zero"`},
		{`"$1"`, `"one"`},
		// $$CURRENT and $$ROOT are the document
		{`"$$CURRENT.a.b"`, `1`},
		{`"$$ROOT.arr.c"`, `[3]`},
		{`"$$ROOT.missing"`, `missing`},
		{`{"$literal":"$a.b"}`, `"$a.b"`},
	})
}

func TestAggExprFieldPathErrors(t *testing.T) {
	runAggExprCases(t, `{}`, []aggExprCase{
		{`"$"`, `!'$' by itself is not a valid FieldPath`},
		{`"$a."`, `!FieldPath field names may not be empty strings`},
		{`"$.a"`, `!FieldPath field names may not be empty strings`},
		{`"$a.$b"`, `!FieldPath field names may not start with '$'`},
		{`"$$ROOT."`, `!FieldPath`},
		{`"$$ROOT..a"`, `!FieldPath field names may not be empty strings`},
		{`"$$"`, `!empty variable names are not allowed`},
		{`"$$.a"`, `!empty variable names are not allowed`},
		{`"$$nope"`, `!Use of undefined variable: nope`},
		{`"$$Nope"`, `!'Nope' starts with an invalid character for a user variable name`},
		{`"$$_x"`, `!'_x' starts with an invalid character for a user variable name`},
		{`"$$this"`, `!Use of undefined variable: this`},
		{`"$$value"`, `!Use of undefined variable: value`},
	})
}

func TestAggExprVariables(t *testing.T) {
	runAggExprCases(t, `{"a":1,"b":{"c":2},"arr":[1,2]}`, []aggExprCase{
		{`{"$let":{"vars":{"x":"$a"},"in":{"$add":["$$x",1]}}}`, `2`},
		{`{"$let":{"vars":{"x":"$b"},"in":"$$x.c"}}`, `2`},
		{`{"$let":{"vars":{"x":"$missing"},"in":"$$x"}}`, `missing`},
		{`{"$let":{"vars":{"x":"$missing"},"in":{"$ifNull":["$$x","dflt"]}}}`, `"dflt"`},
		// inner bindings shadow outer ones; the variables of one $let are evaluated in
		// the enclosing scope, so y sees the outer x
		{`{"$let":{"vars":{"x":1},"in":{"$let":{"vars":{"x":2,"y":"$$x"},"in":["$$x","$$y"]}}}}`, `[2,1]`},
		{`{"$let":{"vars":{"x":1,"y":"$$x"},"in":"$$y"}}`, `!Use of undefined variable: x`},
		{`{"$let":{"vars":{},"in":"$a"}}`, `1`},
		{`{"$let":{"vars":{"é":5},"in":"$$é"}}`, `5`},
		{`{"$let":{"vars":{"x1_Y":5},"in":"$$x1_Y"}}`, `5`},
		{`{"$let":{"vars":{"x-y":5},"in":1}}`, `!'x-y' contains an invalid character for a variable name: '-'`},
		{`{"$let":{"vars":{"ROOT":5},"in":1}}`, `!'ROOT' starts with an invalid character for a user variable name`},
		{`{"$let":{"vars":{"x":1}}}`, `!Missing 'in' parameter to $let`},
		{`{"$let":{"vars":1,"in":1}}`, `!invalid parameter: expected an object (vars)`},
		{`{"$let":{"vars":{"x":1},"in":1,"y":2}}`, `!Unrecognized parameter to $let: y`},
		// a variable is not visible outside its $let
		{`[{"$let":{"vars":{"x":1},"in":"$$x"}},"$$x"]`, `!Use of undefined variable: x`},
		// $$REMOVE removes; $$CURRENT and $$ROOT are whole documents
		{`{"$let":{"vars":{"x":"$$REMOVE"},"in":{"$type":"$$x"}}}`, `"missing"`},
		{`{"$map":{"input":"$arr","in":"$$ROOT.a"}}`, `[1,1]`},
		{`{"$map":{"input":"$arr","in":"$$CURRENT.b.c"}}`, `[2,2]`},
		{`{"$reduce":{"input":"$arr","initialValue":[],"in":{"$concatArrays":["$$value",["$$this"]]}}}`, `[1,2]`},
		{`{"$add":[{"$reduce":{"input":[1],"initialValue":0,"in":"$$this"}},{"$size":[["$$ROOT"]]}]}`, `2`},
	})
}

func TestAggExprNow(t *testing.T) {
	// $$NOW is the run's time, the same for every document
	got, err := aggTestRun(t, `[{"_id":1},{"_id":2}]`, `[{"$project":{"_id":0,"now":"$$NOW","y":{"$year":"$$NOW"}}}]`, nil)
	aggCheck(t, `[{"now":{"$date":1714979289000},"y":2024},{"now":{"$date":1714979289000},"y":2024}]`, got, err)
}

func TestAggExprObjectsAndArrays(t *testing.T) {
	runAggExprCases(t, `{"a":1,"n":null}`, []aggExprCase{
		// object expressions drop fields that evaluate to missing but keep null
		{`{"x":"$a","y":"$missing","z":"$n"}`, `{"x":1,"z":null}`},
		{`{"x":{"y":"$missing"}}`, `{"x":{}}`},
		{`{"x":"$$REMOVE"}`, `{}`},
		{`{"x":{"$literal":"$a"},"y":"lit","z":true}`, `{"x":"$a","y":"lit","z":true}`},
		{`{"$literal":{}}`, `{}`},
		// array expressions turn missing into null
		{`["$missing","$a","$$REMOVE"]`, `[null,1,null]`},
		{`[]`, `[]`},
		{`[[1,"$a"],{"k":"$missing"}]`, `[[1,1],{}]`},
		{`{"x":1,"x.y":2}`, `!must not contain '.'`},
		{`{"x":1,"$y":2}`, `!must not start with '$'`},
		{`{"":1}`, `!field names in an expression object must not be empty`},
		{`{"$add":[1],"x":2}`, `!an expression specification must contain exactly one field`},
		{`{"$bogus":1}`, `!Unrecognized expression '$bogus'`},
		{`{"$addToSet":"$a"}`, `!$addToSet is an accumulator`},
	})
}

func TestAggExprUnsupportedOperatorsFail(t *testing.T) {
	// operators the engine does not implement (aggregate.go's header) fail clearly
	// rather than being taken for literals
	for _, op := range []string{"$zip", "$dateFromString", "$dateFromParts", "$dateAdd", "$dateDiff",
		"$sortArray", "$regexFind", "$regexFindAll", "$firstN", "$median", "$rand", "$setField"} {
		t.Run(op, func(t *testing.T) {
			_, err := aggTestRun(t, `[{}]`, `[{"$project":{"r":{"`+op+`":[]}}}]`, nil)
			aggCheck(t, "!Unrecognized expression '"+op+"'", "", err)
		})
	}
}

func TestAggExprNestingLimit(t *testing.T) {
	// expressions built in Go are not bounded by the decoder's depth limit
	var e any = int64(1)
	for i := 0; i < aggMaxExprDepth+10; i++ {
		e = ejson.D{{Key: "$abs", Value: e}}
	}
	_, err := ParsePipeline([]ejson.D{{{Key: "$project", Value: ejson.D{{Key: "r", Value: e}}}}})
	aggCheck(t, "!aggregation expression is nested too deeply", "", err)

	e = int64(-1)
	for i := 0; i < aggMaxExprDepth-5; i++ {
		e = ejson.D{{Key: "$abs", Value: e}}
	}
	p, err := ParsePipeline([]ejson.D{{{Key: "$project", Value: ejson.D{{Key: "_id", Value: int64(0)}, {Key: "r", Value: e}}}}})
	if err != nil {
		t.Fatalf("a nesting below the limit must compile: %v", err)
	}
	out, err := p.Run([]ejson.D{{}}, nil, aggTestNow)
	if err != nil || len(out) != 1 {
		t.Fatalf("run: %v %v", out, err)
	}
	if v, _ := out[0].Get("r"); v != int64(1) {
		t.Fatalf("nested $abs = %v", v)
	}
}

func TestAggExprExprFilter(t *testing.T) {
	// the query operator $expr compiles an aggregation expression
	cases := []matchCase{
		{`{"$expr":{"$gt":["$a","$b"]}}`, `{"a":2,"b":1}`, true},
		{`{"$expr":{"$gt":["$a","$b"]}}`, `{"a":1,"b":2}`, false},
		{`{"$expr":{"$gt":["$a","$b"]}}`, `{"a":1}`, true}, // missing sorts low
		{`{"$expr":"$flag"}`, `{"flag":"yes"}`, true},
		{`{"$expr":"$flag"}`, `{"flag":0}`, false},
		{`{"$expr":"$flag"}`, `{}`, false},
		{`{"$expr":{"$in":["x","$tags"]}}`, `{"tags":["x"]}`, true},
		// an expression that fails on a document does not match it
		{`{"$expr":{"$in":["x","$tags"]}}`, `{}`, false},
		{`{"$expr":{"$eq":[{"$divide":["$a","$b"]},2]}}`, `{"a":1,"b":0}`, false},
		{`{"$expr":{"$eq":[{"$divide":["$a","$b"]},2]}}`, `{"a":4,"b":2}`, true},
		// $$NOW is the time of matching
		{`{"$expr":{"$lt":["$d","$$NOW"]}}`, `{"d":{"$date":0}}`, true},
		{`{"a":1,"$expr":{"$eq":["$a","$b"]}}`, `{"a":1,"b":1.0}`, true},
		{`{"$or":[{"$expr":false},{"a":1}]}`, `{"a":1}`, true},
	}
	runMatchCases(t, cases)
	for _, bad := range []string{`{"$expr":{"$nope":1}}`, `{"$expr":"$$undefined"}`, `{"$expr":{"$add":[1],"$sub":[1]}}`} {
		if _, err := ParseFilter(mustDoc(t, bad)); err == nil {
			t.Errorf("ParseFilter(%s) must fail", bad)
		}
	}
}

func TestAggExprTruthy(t *testing.T) {
	cases := []struct {
		v    any
		want bool
	}{
		{nil, false}, {aggMissing, false}, {false, false}, {true, true},
		{int64(0), false}, {int64(-1), true}, {0, false}, {int32(2), true},
		{0.0, false}, {math.Copysign(0, -1), false}, {math.NaN(), true}, {0.5, true},
		{ejson.Decimal("0"), false}, {ejson.Decimal("-0.00"), false}, {ejson.Decimal("0.1"), true},
		{"", true}, {"false", true}, {[]any{}, true}, {ejson.D{}, true},
		{ejson.Date(0), true}, {ejson.ObjectID("000000000000000000000000"), true},
	}
	for _, c := range cases {
		if got := aggTruthy(c.v); got != c.want {
			t.Errorf("aggTruthy(%#v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestAggExprCompareMissing(t *testing.T) {
	cases := []struct {
		a, b any
		want int
	}{
		{aggMissing, aggMissing, 0},
		{aggMissing, nil, -1},
		{nil, aggMissing, 1},
		{aggMissing, ejson.MinKey{}, 1},
		{ejson.MinKey{}, aggMissing, -1},
		{aggMissing, int64(-5), -1},
		{ejson.MaxKey{}, aggMissing, 1},
		{int64(1), 1.0, 0},
		{"a", int64(1), 1},
	}
	for _, c := range cases {
		if got := aggCompare(c.a, c.b); got != c.want {
			t.Errorf("aggCompare(%#v, %#v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestAggExprTypeNames(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{aggMissing, "missing"}, {nil, "null"}, {true, "bool"},
		{int64(math.MaxInt32), "int"}, {int64(math.MinInt32), "int"},
		{int64(math.MaxInt32) + 1, "long"}, {int64(math.MinInt32) - 1, "long"},
		{3, "int"}, {int32(3), "int"}, {1.0, "double"}, {"", "string"},
		{ejson.D{}, "object"}, {[]any{}, "array"}, {ejson.Date(0), "date"},
		{ejson.Regex{Pattern: "a"}, "regex"}, {ejson.ObjectID("000000000000000000000000"), "objectId"},
		{ejson.Decimal("1"), "decimal"}, {ejson.Binary{}, "binData"}, {ejson.Timestamp{}, "timestamp"},
		{ejson.MinKey{}, "minKey"}, {ejson.MaxKey{}, "maxKey"},
	}
	for _, c := range cases {
		if got := aggTypeName(c.v); got != c.want {
			t.Errorf("aggTypeName(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestAggExprNumberHelpers(t *testing.T) {
	ints := []struct {
		v    any
		want int64
		ok   bool
	}{
		{int64(5), 5, true}, {7, 7, true}, {int32(-3), -3, true},
		{2.0, 2, true}, {-0.0, 0, true}, {2.5, 0, false},
		{math.Inf(1), 0, false}, {math.NaN(), 0, false}, {9.3e18, 0, false},
		{ejson.Decimal("4.000"), 4, true}, {ejson.Decimal("4.5"), 0, false},
		{"4", 0, false}, {nil, 0, false}, {true, 0, false},
	}
	for _, c := range ints {
		got, ok := aggInt(c.v)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("aggInt(%#v) = %d, %v; want %d, %v", c.v, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		v  any
		ok bool
	}{{int64(math.MaxInt32), true}, {int64(math.MaxInt32) + 1, false}, {int64(math.MinInt32), true}, {int64(math.MinInt32) - 1, false}, {1e10, false}} {
		if _, ok := aggInt32(c.v); ok != c.ok {
			t.Errorf("aggInt32(%#v) ok = %v, want %v", c.v, ok, c.ok)
		}
	}
	for _, v := range []any{int64(1), 1, int32(1), 1.0, ejson.Decimal("1")} {
		if !aggIsNumber(v) {
			t.Errorf("aggIsNumber(%#v) = false", v)
		}
	}
	for _, v := range []any{nil, "1", true, ejson.Date(1), aggMissing} {
		if aggIsNumber(v) {
			t.Errorf("aggIsNumber(%#v) = true", v)
		}
	}
}

func TestAggExprFormatAndCoerce(t *testing.T) {
	doubles := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "-0"}, {1, "1"}, {-2.5, "-2.5"}, {0.1, "0.1"},
		{1e21, "1e+21"}, {1e-7, "1e-07"}, {123456.789, "123456.789"},
		{math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {math.NaN(), "NaN"},
	}
	for _, c := range doubles {
		if got := aggFormatDouble(c.f); got != c.want {
			t.Errorf("aggFormatDouble(%v) = %q, want %q", c.f, got, c.want)
		}
	}
	coerce := []struct {
		v    any
		want string
	}{
		{nil, ""}, {aggMissing, ""}, {"s", "s"}, {int64(-12), "-12"}, {7, "7"}, {int32(8), "8"},
		{2.5, "2.5"}, {ejson.Decimal("1.50"), "1.50"},
		{ejson.Date(-1), "1969-12-31T23:59:59.999Z"},
		{ejson.Timestamp{T: 0, I: 3}, "Jan 01 00:00:00:3"},
	}
	for _, c := range coerce {
		got, err := aggCoerceString("$substr", c.v)
		if err != nil || got != c.want {
			t.Errorf("aggCoerceString(%#v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	for _, v := range []any{true, []any{}, ejson.D{}, ejson.ObjectID("000000000000000000000000")} {
		if _, err := aggCoerceString("$substr", v); err == nil || !strings.Contains(err.Error(), "can't convert from BSON type") {
			t.Errorf("aggCoerceString(%#v) must fail, got %v", v, err)
		}
	}
	if got := aggFormatDate(ejson.DateOf(time.Date(2024, 2, 29, 1, 2, 3, 4e6, time.UTC))); got != "2024-02-29T01:02:03.004Z" {
		t.Errorf("aggFormatDate = %q", got)
	}
}

func TestAggExprShowAndVarNames(t *testing.T) {
	if got := aggShow(aggMissing); got != "missing" {
		t.Errorf("aggShow(missing) = %q", got)
	}
	long := aggShow(strings.Repeat("x", 200))
	if len(long) != 80 || !strings.HasSuffix(long, "...") {
		t.Errorf("aggShow shortens to 80 characters: %q", long)
	}
	for _, ok := range []string{"a", "abc", "aB9_", "éA", "x_"} {
		if err := aggValidVarName(ok); err != nil {
			t.Errorf("aggValidVarName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "A", "9a", "_a", "a.b", "a-b", "a b", "$a"} {
		if err := aggValidVarName(bad); err == nil {
			t.Errorf("aggValidVarName(%q) must fail", bad)
		}
	}
	deep := strings.Repeat("a.", MaxPathDepth) + "a"
	if _, err := aggFieldSegs(deep); err == nil {
		t.Errorf("a field path of %d segments must fail", MaxPathDepth+1)
	}
	if segs, err := aggFieldSegs("a.b.c"); err != nil || len(segs) != 3 {
		t.Errorf("aggFieldSegs(a.b.c) = %v, %v", segs, err)
	}
}

func TestAggExprGetPath(t *testing.T) {
	doc := mustDoc(t, `{"a":[{"b":{"c":1}},{"b":[{"c":2},{"d":0}]},{"b":null}],"x":{"y":[]}}`)
	cases := []struct {
		path string
		want string
	}{
		{"a.b.c", `[1,[2]]`},
		{"a.b", `[{"c":1},[{"c":2},{"d":0}],null]`},
		{"x.y", `[]`},
		{"x.y.z", `[]`},
		{"x.z", `missing`},
	}
	for _, c := range cases {
		v := aggGetPath(doc, strings.Split(c.path, "."))
		got := "missing"
		if !aggIsMissing(v) {
			s, err := ejson.MarshalString(v, ejson.Relaxed)
			if err != nil {
				t.Fatal(err)
			}
			got = s
		}
		if got != c.want {
			t.Errorf("aggGetPath(%s) = %s, want %s", c.path, got, c.want)
		}
	}
	if !aggIsMissing(aggGetPath(int64(1), []string{"a"})) || aggGetPath(int64(1), nil) != int64(1) {
		t.Error("aggGetPath on a scalar")
	}
	if aggNoMissing(aggMissing) != nil || aggNoMissing(int64(2)) != int64(2) {
		t.Error("aggNoMissing")
	}
	if !aggNullish(nil) || !aggNullish(aggMissing) || aggNullish(false) || aggNullish(int64(0)) {
		t.Error("aggNullish")
	}
}
