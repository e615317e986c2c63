package mql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

var aggTestNow = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func aggTestDocs(t *testing.T, js string) []ejson.D {
	t.Helper()
	if js == "" {
		return nil
	}
	v, err := ejson.UnmarshalString(js)
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: not an array", js)
	}
	out := make([]ejson.D, len(arr))
	for i, d := range arr {
		out[i] = d.(ejson.D)
	}
	return out
}

func aggTestRun(t *testing.T, docs, pipeline string, lookup func(string) ([]ejson.D, error)) (string, error) {
	t.Helper()
	p, err := ParsePipeline(aggTestDocs(t, pipeline))
	if err != nil {
		return "", err
	}
	p.SetSeed(1)
	out, err := p.Run(aggTestDocs(t, docs), lookup, aggTestNow)
	if err != nil {
		return "", err
	}
	for _, d := range out {
		aggCheckNoMissing(t, d)
	}
	s, err := ejson.MarshalString(aggStagesValue(out), ejson.Relaxed)
	if err != nil {
		t.Fatal(err)
	}
	return s, nil
}

// aggCheckNoMissing fails if a result holds the internal missing marker.
func aggCheckNoMissing(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case aggMissingType:
		t.Fatalf("result holds a missing value")
	case ejson.D:
		for _, e := range x {
			aggCheckNoMissing(t, e.Value)
		}
	case []any:
		for _, e := range x {
			aggCheckNoMissing(t, e)
		}
	}
}

type aggCase struct {
	name     string
	docs     string
	pipeline string
	want     string // the output documents, or "!substring" of the expected error
}

func runAggCases(t *testing.T, cases []aggCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := aggTestRun(t, c.docs, c.pipeline, nil)
			aggCheck(t, c.want, got, err)
		})
	}
}

func aggCheck(t *testing.T, want, got string, err error) {
	t.Helper()
	if strings.HasPrefix(want, "!") {
		if err == nil {
			t.Fatalf("want error %q, got %s", want[1:], got)
		}
		var me *Error
		if !errors.As(err, &me) {
			t.Fatalf("error %v is not a *mql.Error", err)
		}
		if !strings.Contains(err.Error(), want[1:]) {
			t.Fatalf("error %q does not contain %q", err, want[1:])
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got != want {
		t.Fatalf("\ngot  %s\nwant %s", got, want)
	}
}

// aggExprCase evaluates expr over doc; want is the JSON of the result, "missing", or
// "!error substring".
type aggExprCase struct {
	expr string
	want string
}

func runAggExprCases(t *testing.T, doc string, cases []aggExprCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			got, err := aggTestRun(t, "["+doc+"]", `[{"$replaceWith":{"r":`+c.expr+`}}]`, nil)
			if err == nil {
				switch {
				case got == `[{}]`:
					got = "missing"
				case strings.HasPrefix(got, `[{"r":`):
					got = strings.TrimSuffix(strings.TrimPrefix(got, `[{"r":`), `}]`)
				}
			}
			aggCheck(t, c.want, got, err)
		})
	}
}

func TestAggregateArithmetic(t *testing.T) {
	runAggExprCases(t, `{"i":7,"f":2.5,"z":0,"d":{"$date":5000},"s":"x","n":null}`, []aggExprCase{
		{`{"$add":[1,2]}`, `3`},
		{`{"$add":["$i","$f"]}`, `9.5`},
		{`{"$add":[]}`, `0`},
		{`{"$add":[1,null]}`, `null`},
		{`{"$add":[1,"$missing"]}`, `null`},
		{`{"$add":["$d",500]}`, `{"$date":5500}`},
		{`{"$add":[1.4,"$d"]}`, `{"$date":5001}`},
		{`{"$add":["$d","$d"]}`, `!only one date allowed in an $add expression`},
		{`{"$add":["$s",1]}`, `!$add only supports numeric or date types, not string`},
		{`{"$add":[9223372036854775807,1]}`, `9223372036854776000.0`},
		{`{"$add":[{"$numberDecimal":"0.1"},{"$numberDecimal":"0.2"}]}`, `{"$numberDecimal":"0.3"}`},
		{`{"$subtract":[10,"$f"]}`, `7.5`},
		{`{"$subtract":["$d",{"$date":2000}]}`, `3000`},
		{`{"$subtract":["$d",1000]}`, `{"$date":4000}`},
		{`{"$subtract":[5,"$d"]}`, `!can't $subtract date from int`},
		{`{"$subtract":[5,"$n"]}`, `null`},
		{`{"$subtract":[1]}`, `!Expression $subtract takes exactly 2 arguments. 1 were passed in.`},
		{`{"$multiply":[2,3,4]}`, `24`},
		{`{"$multiply":[2,"$f"]}`, `5.0`},
		{`{"$multiply":[4611686018427387904,4]}`, `18446744073709552000.0`},
		{`{"$multiply":[2,"$s"]}`, `!$multiply only supports numeric types, not string`},
		{`{"$divide":[1,4]}`, `0.25`},
		{`{"$divide":[4,2]}`, `2.0`},
		{`{"$divide":[1,"$z"]}`, `!can't $divide by zero`},
		{`{"$divide":["$s",1]}`, `!$divide only supports numeric types, not string and int`},
		{`{"$divide":[null,1]}`, `null`},
		{`{"$mod":[7,3]}`, `1`},
		{`{"$mod":[-7,3]}`, `-1`},
		{`{"$mod":[7.5,2]}`, `1.5`},
		{`{"$mod":[7,0]}`, `!can't $mod by zero`},
		{`{"$abs":-5}`, `5`},
		{`{"$abs":[-2.5]}`, `2.5`},
		{`{"$abs":null}`, `null`},
		{`{"$abs":-9223372036854775808}`, `!can't take $abs of long long min`},
		{`{"$abs":"x"}`, `!$abs only supports numeric types, not string`},
		{`{"$ceil":1.2}`, `2.0`},
		{`{"$floor":-1.2}`, `-2.0`},
		{`{"$ceil":3}`, `3`},
		{`{"$round":[2.5,0]}`, `2.0`},
		{`{"$round":3.5}`, `4.0`},
		{`{"$round":-2.5}`, `-2.0`},
		{`{"$round":[1234.5678,2]}`, `1234.57`},
		{`{"$round":[0.125,2]}`, `0.12`},
		{`{"$round":[1234,-2]}`, `1200`},
		{`{"$round":[1250,-2]}`, `1200`},
		{`{"$round":[1350,-2]}`, `1400`},
		{`{"$round":[-1350,-2]}`, `-1400`},
		{`{"$round":[5,2]}`, `5`},
		{`{"$round":[1.5,101]}`, `!cannot apply $round with precision value 101`},
		{`{"$round":[1.5,null]}`, `null`},
		{`{"$trunc":[7.89,1]}`, `7.8`},
		{`{"$trunc":-7.8}`, `-7.0`},
		{`{"$trunc":[1299,-2]}`, `1200`},
		{`{"$sqrt":25}`, `5.0`},
		{`{"$sqrt":-1}`, `!$sqrt's argument must be greater than or equal to 0`},
		{`{"$pow":[2,10]}`, `1024`},
		{`{"$pow":[2,-1]}`, `0.5`},
		{`{"$pow":[-1,-3]}`, `-1`},
		{`{"$pow":[2,64]}`, `18446744073709552000.0`},
		{`{"$pow":[0,-1]}`, `!$pow cannot take a base of 0 and a negative exponent`},
		{`{"$exp":0}`, `1.0`},
		{`{"$ln":1}`, `0.0`},
		{`{"$ln":0}`, `!$ln's argument must be a positive number, but is 0`},
		{`{"$log10":1000}`, `3.0`},
		{`{"$log10":-1}`, `!$log10's argument must be a positive number`},
		{`{"$log":[8,2]}`, `3.0`},
		{`{"$log":[8,1]}`, `!$log's base must be a positive number not equal to 1`},
		{`{"$divide":[{"$numberDecimal":"1"},4]}`, `{"$numberDecimal":"0.25"}`},
		{`{"$multiply":[{"$numberDecimal":"1.5"},2]}`, `{"$numberDecimal":"3"}`},
		{`{"$subtract":[{"$numberDecimal":"1.5"},0.5]}`, `{"$numberDecimal":"1"}`},
		{`{"$mod":[{"$numberDecimal":"7"},2]}`, `{"$numberDecimal":"1"}`},
		{`{"$abs":{"$numberDecimal":"-1.5"}}`, `{"$numberDecimal":"1.5"}`},
		{`{"$floor":{"$numberDecimal":"1.5"}}`, `{"$numberDecimal":"1"}`},
		{`{"$toDouble":{"$numberDecimal":"2.5"}}`, `2.5`},
		{`{"$toString":{"$numberDecimal":"1.50"}}`, `"1.50"`},
		{`{"$toDecimal":2.5}`, `{"$numberDecimal":"2.5"}`},
	})
}

func TestAggregateComparisonBoolean(t *testing.T) {
	runAggExprCases(t, `{"a":1,"s":"x","arr":[1,2],"n":null}`, []aggExprCase{
		{`{"$eq":["$missing",null]}`, `false`},
		{`{"$eq":["$n",null]}`, `true`},
		{`{"$lt":["$missing",null]}`, `true`},
		{`{"$eq":[1,1.0]}`, `true`},
		{`{"$eq":["$arr",[1,2]]}`, `true`},
		{`{"$eq":["$arr",1]}`, `false`},
		{`{"$gt":["$s",1]}`, `true`},
		{`{"$gt":[{"$literal":{"a":1}},"zzz"]}`, `true`},
		{`{"$gte":[1,1]}`, `true`},
		{`{"$lte":[2,1]}`, `false`},
		{`{"$ne":[1,"1"]}`, `true`},
		{`{"$cmp":[1,2]}`, `-1`},
		{`{"$cmp":["b","a"]}`, `1`},
		{`{"$cmp":[{"a":1},{"a":1}]}`, `0`},
		{`{"$eq":[1]}`, `!Expression $eq takes exactly 2 arguments. 1 were passed in.`},
		{`{"$and":[1,"x",[]]}`, `true`},
		{`{"$and":[1,0]}`, `false`},
		{`{"$and":[]}`, `true`},
		{`{"$or":[]}`, `false`},
		{`{"$or":[null,0,"$missing"]}`, `false`},
		{`{"$or":[null,{"$divide":[1,0]}]}`, `!can't $divide by zero`},
		{`{"$or":[true,{"$divide":[1,0]}]}`, `true`},
		{`{"$not":0}`, `true`},
		{`{"$not":[[]]}`, `false`},
		{`{"$not":[1,2]}`, `!Expression $not takes exactly 1 arguments. 2 were passed in.`},
	})
}

func TestAggregateConditional(t *testing.T) {
	runAggExprCases(t, `{"a":0,"n":null}`, []aggExprCase{
		{`{"$cond":[true,1,2]}`, `1`},
		{`{"$cond":{"if":"$n","then":1,"else":2}}`, `2`},
		{`{"$cond":{"if":"$a","then":1,"else":"$missing"}}`, `missing`},
		{`{"$cond":{"if":true,"then":1}}`, `!Missing 'else' parameter to $cond`},
		{`{"$cond":{"if":true,"then":1,"else":2,"x":3}}`, `!Unrecognized parameter to $cond: x`},
		{`{"$cond":[1,2]}`, `!Expression $cond takes exactly 3 arguments. 2 were passed in.`},
		{`{"$ifNull":["$n","$missing",3]}`, `3`},
		{`{"$ifNull":["$a",5]}`, `0`},
		{`{"$ifNull":["$n","$missing"]}`, `missing`},
		{`{"$ifNull":[1]}`, `!Expression $ifNull takes at least 2 arguments, but 1 were passed in.`},
		{`{"$switch":{"branches":[{"case":false,"then":1},{"case":{"$eq":["$a",0]},"then":2}],"default":3}}`, `2`},
		{`{"$switch":{"branches":[{"case":false,"then":1}],"default":3}}`, `3`},
		{`{"$switch":{"branches":[{"case":false,"then":1}]}}`, `!$switch could not find a matching branch for an input, and no default was specified.`},
		{`{"$switch":{"branches":[]}}`, `!$switch requires at least one branch`},
		{`{"$switch":{"branches":[{"case":true}]}}`, `!$switch requires each branch have a 'then' expression`},
		{`{"$switch":{"branches":[{"when":true,"then":1}]}}`, `!$switch found an unknown argument to a branch: when`},
		{`{"$let":{"vars":{"x":2,"y":{"$add":["$a",3]}},"in":{"$multiply":["$$x","$$y"]}}}`, `6`},
		{`{"$let":{"vars":{"Bad":1},"in":1}}`, `!'Bad' starts with an invalid character for a user variable name`},
		{`{"$add":["$$x",1]}`, `!Use of undefined variable: x`},
		{`"$$NOW"`, `{"$date":1714979289000}`},
		{`"$$ROOT.a"`, `0`},
		{`"$$CURRENT"`, `{"a":0,"n":null}`},
		{`"$$REMOVE"`, `missing`},
	})
}

func TestAggregateStrings(t *testing.T) {
	runAggExprCases(t, `{"s":"héllo","n":null}`, []aggExprCase{
		{`{"$concat":["a","b","c"]}`, `"abc"`},
		{`{"$concat":["a","$n"]}`, `null`},
		{`{"$concat":["a","$missing"]}`, `null`},
		{`{"$concat":["a",1]}`, `!$concat only supports strings, not int`},
		{`{"$substr":["hello",1,3]}`, `"ell"`},
		{`{"$substr":["hello",-1,2]}`, `""`},
		{`{"$substr":["hello",2,-1]}`, `"llo"`},
		{`{"$substr":["hello",9,2]}`, `""`},
		{`{"$substr":[12345,1,2]}`, `"23"`},
		{`{"$substr":["$n",0,2]}`, `""`},
		{`{"$substrBytes":["$s",0,3]}`, `"hé"`},
		{`{"$substrBytes":["$s",0,2]}`, `!ending index is in the middle of a UTF-8 character`},
		{`{"$substrBytes":["$s",2,1]}`, `!starting index is a UTF-8 continuation byte`},
		{`{"$substrBytes":["$s","a",1]}`, `!starting index must be a numeric type (is BSON type string)`},
		{`{"$substrCP":["$s",1,2]}`, `"él"`},
		{`{"$substrCP":["$s",3,10]}`, `"lo"`},
		{`{"$substrCP":["abc",-1,1]}`, `!$substrCP: starting index must be non-negative (got: -1)`},
		{`{"$substrCP":["abc",0,-1]}`, `!$substrCP: length must be a nonnegative integer.`},
		{`{"$substrCP":["abc",0.5,1]}`, `!starting index cannot be represented as a 32-bit integral value`},
		{`{"$toLower":"ÀBC"}`, `"Àbc"`},
		{`{"$toUpper":"abc"}`, `"ABC"`},
		{`{"$toUpper":"$n"}`, `""`},
		{`{"$toUpper":12}`, `"12"`},
		{`{"$toUpper":[[1]]}`, `!$toUpper: can't convert from BSON type array to String`},
		{`{"$strLenCP":"$s"}`, `5`},
		{`{"$strLenBytes":"$s"}`, `6`},
		{`{"$strLenCP":"$n"}`, `!$strLenCP requires a string argument, found: null`},
		{`{"$split":["a,b,,c",","]}`, `["a","b","","c"]`},
		{`{"$split":["$n",","]}`, `null`},
		{`{"$split":["abc",""]}`, `!$split requires a non-empty separator`},
		{`{"$split":[1,","]}`, `!$split requires an expression that evaluates to a string as a first argument, found: int`},
		{`{"$trim":{"input":"  x \n"}}`, `"x"`},
		{`{"$ltrim":{"input":"xxaxx","chars":"x"}}`, `"axx"`},
		{`{"$rtrim":{"input":"xxaxx","chars":"xa"}}`, `""`},
		{`{"$trim":{"input":"$n"}}`, `null`},
		{`{"$trim":{"input":1}}`, `!$trim requires its input to be a string`},
		{`{"$trim":{"input":"x","foo":1}}`, `!Unrecognized parameter to $trim: foo`},
		{`{"$trim":{"chars":"x"}}`, `!Missing 'input' parameter to $trim`},
		{`{"$indexOfCP":["$s","l"]}`, `2`},
		{`{"$indexOfBytes":["$s","l"]}`, `3`},
		{`{"$indexOfCP":["abcabc","b",2]}`, `4`},
		{`{"$indexOfCP":["abc","c",0,2]}`, `-1`},
		{`{"$indexOfCP":["abc","z"]}`, `-1`},
		{`{"$indexOfCP":["$n","a"]}`, `null`},
		{`{"$indexOfCP":["abc","a",-1]}`, `!$indexOfCP requires a nonnegative starting index, found: -1`},
		{`{"$indexOfCP":["abc",1]}`, `!$indexOfCP requires a string as the second argument, found: int`},
		{`{"$strcasecmp":["ABC","abc"]}`, `0`},
		{`{"$strcasecmp":["a","B"]}`, `-1`},
		{`{"$strcasecmp":["b","$n"]}`, `1`},
		{`{"$regexMatch":{"input":"Hello","regex":"^h","options":"i"}}`, `true`},
		{`{"$regexMatch":{"input":"Hello","regex":{"$regularExpression":{"pattern":"^h","options":""}}}}`, `false`},
		{`{"$regexMatch":{"input":"$n","regex":"x"}}`, `false`},
		{`{"$regexMatch":{"input":"ab","regex":"a b # comment","options":"x"}}`, `true`},
		{`{"$regexMatch":{"input":"ab","regex":"(?<=a)b"}}`, `!$regexMatch: invalid regular expression`},
		{`{"$regexMatch":{"input":"ab","regex":"a","options":"q"}}`, `!$regexMatch: unsupported regular expression option 'q'`},
		{`{"$replaceAll":{"input":"aXbXc","find":"X","replacement":"-"}}`, `"a-b-c"`},
		{`{"$replaceOne":{"input":"aXbXc","find":"X","replacement":"-"}}`, `"a-bXc"`},
		{`{"$replaceOne":{"input":"$n","find":"X","replacement":"-"}}`, `null`},
	})
}

func TestAggregateArrays(t *testing.T) {
	runAggExprCases(t, `{"a":[1,2,3,4],"e":[],"n":null,"docs":[{"x":1},{"y":2},{"x":[3]},5]}`, []aggExprCase{
		{`"$docs.x"`, `[1,[3]]`},
		{`"$docs.z"`, `[]`},
		{`{"$size":"$a"}`, `4`},
		{`{"$size":[[1,2,3]]}`, `3`},
		{`{"$size":[1,2,3]}`, `!Expression $size takes exactly 1 arguments. 3 were passed in.`},
		{`{"$size":"$missing"}`, `!The argument to $size must be an array. Type of argument: missing`},
		{`{"$arrayElemAt":["$a",-1]}`, `4`},
		{`{"$arrayElemAt":["$a",1.0]}`, `2`},
		{`{"$arrayElemAt":["$a",9]}`, `missing`},
		{`{"$arrayElemAt":["$n",0]}`, `null`},
		{`{"$arrayElemAt":["$a",0.5]}`, `!$arrayElemAt's second argument must be representable as a 32-bit integer`},
		{`{"$arrayElemAt":[1,0]}`, `!$arrayElemAt's first argument must be an array, but is int`},
		{`{"$first":"$a"}`, `1`},
		{`{"$last":"$a"}`, `4`},
		{`{"$first":"$e"}`, `missing`},
		{`{"$first":"$missing"}`, `null`},
		{`{"$last":1}`, `!$last's argument must be an array, but is int`},
		{`{"$concatArrays":["$a",[5],"$e"]}`, `[1,2,3,4,5]`},
		{`{"$concatArrays":["$a","$n"]}`, `null`},
		{`{"$concatArrays":["$a",1]}`, `!$concatArrays only supports arrays, not int`},
		{`{"$in":[2,"$a"]}`, `true`},
		{`{"$in":[[1],[[1],2]]}`, `true`},
		{`{"$in":[9,"$a"]}`, `false`},
		{`{"$in":[1,"$missing"]}`, `!$in requires an array as a second argument, found: missing`},
		{`{"$indexOfArray":[["a","b","a"],"a",1]}`, `2`},
		{`{"$indexOfArray":["$n","a"]}`, `null`},
		{`{"$slice":["$a",2]}`, `[1,2]`},
		{`{"$slice":["$a",-2]}`, `[3,4]`},
		{`{"$slice":["$a",1,2]}`, `[2,3]`},
		{`{"$slice":["$a",-3,2]}`, `[2,3]`},
		{`{"$slice":["$a",10,2]}`, `[]`},
		{`{"$slice":["$n",1]}`, `null`},
		{`{"$slice":["$a",0,0]}`, `!Third argument to $slice must be positive`},
		{`{"$isArray":"$a"}`, `true`},
		{`{"$isArray":["$missing"]}`, `false`},
		{`{"$reverseArray":"$a"}`, `[4,3,2,1]`},
		{`{"$reverseArray":"$n"}`, `null`},
		{`{"$reverseArray":1}`, `!The argument to $reverseArray must be an array, but was of type: int`},
		{`{"$range":[0,5]}`, `[0,1,2,3,4]`},
		{`{"$range":[5,0,-2]}`, `[5,3,1]`},
		{`{"$range":[0,5,-1]}`, `[]`},
		{`{"$range":[0,5,0]}`, `!$range requires a non-zero step value`},
		{`{"$range":[0,1.5]}`, `!$range requires a ending value that can be represented as a 32-bit integer`},
		{`{"$range":[0,5000000]}`, `!$range would produce 5000000 elements, more than the maximum of 1000000`},
		{`{"$filter":{"input":"$a","as":"n","cond":{"$gt":["$$n",2]}}}`, `[3,4]`},
		{`{"$filter":{"input":"$a","cond":{"$gt":["$$this",1]},"limit":2}}`, `[2,3]`},
		{`{"$filter":{"input":"$n","cond":true}}`, `null`},
		{`{"$filter":{"input":1,"cond":true}}`, `!input to $filter must be an array not int`},
		{`{"$filter":{"input":"$a"}}`, `!Missing 'cond' parameter to $filter`},
		{`{"$filter":{"input":"$a","cond":true,"limit":0}}`, `!$filter: limit must be greater than 0`},
		{`{"$map":{"input":"$a","in":{"$multiply":["$$this",10]}}}`, `[10,20,30,40]`},
		{`{"$map":{"input":"$a","as":"v","in":"$$v.x"}}`, `[null,null,null,null]`},
		{`{"$map":{"input":"$a","as":"v","in":"$$this"}}`, `!Use of undefined variable: this`},
		{`{"$map":{"input":"$a","as":"V","in":1}}`, `!'V' starts with an invalid character for a user variable name`},
		{`{"$map":{"input":{"$map":{"input":[1,2],"as":"x","in":{"$range":[0,"$$x"]}}},"as":"x","in":{"$size":"$$x"}}}`, `[1,2]`},
		{`{"$reduce":{"input":["a","b","c"],"initialValue":"","in":{"$concat":["$$value","$$this"]}}}`, `"abc"`},
		{`{"$reduce":{"input":"$a","initialValue":{"sum":0},"in":{"sum":{"$add":["$$value.sum","$$this"]}}}}`, `{"sum":10}`},
		{`{"$reduce":{"input":"$n","initialValue":0,"in":1}}`, `null`},
		{`{"$arrayToObject":[[["a",1],["b",2],["a",3]]]}`, `{"a":3,"b":2}`},
		{`{"$arrayToObject":[[{"k":"a","v":1}]]}`, `{"a":1}`},
		{`{"$arrayToObject":[[["a",1],{"k":"b","v":2}]]}`, `!$arrayToObject requires a consistent input format`},
		{`{"$arrayToObject":[[["a"]]]}`, `!$arrayToObject requires an array of size 2 arrays`},
		{`{"$arrayToObject":"$n"}`, `null`},
		{`{"$objectToArray":{"x":1,"y":"$a"}}`, `[{"k":"x","v":1},{"k":"y","v":[1,2,3,4]}]`},
		{`{"$objectToArray":"$a"}`, `!$objectToArray requires a document input, found: array`},
		{`{"$sum":"$a"}`, `10`},
		{`{"$sum":[1,2.5,"x"]}`, `3.5`},
		{`{"$avg":"$a"}`, `2.5`},
		{`{"$avg":"$e"}`, `null`},
		{`{"$max":["$a"]}`, `4`},
		{`{"$min":[3,null,1]}`, `1`},
		{`{"$max":[]}`, `null`},
		{`{"$stdDevPop":"$a"}`, `1.118033988749895`},
	})
}

func TestAggregateSets(t *testing.T) {
	runAggExprCases(t, `{"n":null}`, []aggExprCase{
		{`{"$setUnion":[[3,1,1],[2,1]]}`, `[1,2,3]`},
		{`{"$setUnion":[[1],"$n"]}`, `null`},
		{`{"$setUnion":[[1],1]}`, `!All operands of $setUnion must be arrays. One argument is of type: int`},
		{`{"$setIntersection":[[1,2,3],[3,2,5],[2,3]]}`, `[2,3]`},
		{`{"$setIntersection":[]}`, `[]`},
		{`{"$setDifference":[[3,1,2,1],[2]]}`, `[3,1]`},
		{`{"$setDifference":["$n",[2]]}`, `null`},
		{`{"$setEquals":[[1,2],[2,1,1]]}`, `true`},
		{`{"$setEquals":[[1,2],[1]]}`, `false`},
		{`{"$setEquals":[[1],"$n"]}`, `!All operands of $setEquals must be arrays. One argument is of type: null`},
		{`{"$setIsSubset":[[1,1],[1,2]]}`, `true`},
		{`{"$setIsSubset":[[3],[1,2]]}`, `false`},
		{`{"$setIsSubset":[[1],"$n"]}`, `!both operands of $setIsSubset must be arrays. Second argument is of type: null`},
		{`{"$anyElementTrue":[[0,null,1]]}`, `true`},
		{`{"$anyElementTrue":[[]]}`, `false`},
		{`{"$allElementsTrue":[[1,0]]}`, `false`},
		{`{"$allElementsTrue":[[]]}`, `true`},
		{`{"$allElementsTrue":"$n"}`, `!$allElementsTrue's argument must be an array, but is null`},
	})
}

func TestAggregateDates(t *testing.T) {
	// 2023-12-31T23:30:45.123Z is a Sunday
	doc := `{"d":{"$date":"2023-12-31T23:30:45.123Z"},"n":null,"o":{"$oid":"5ab9cbfa31c2ab715d42129e"}}`
	runAggExprCases(t, doc, []aggExprCase{
		{`{"$year":"$d"}`, `2023`},
		{`{"$month":"$d"}`, `12`},
		{`{"$dayOfMonth":"$d"}`, `31`},
		{`{"$dayOfWeek":"$d"}`, `1`},
		{`{"$dayOfYear":"$d"}`, `365`},
		{`{"$hour":"$d"}`, `23`},
		{`{"$minute":"$d"}`, `30`},
		{`{"$second":"$d"}`, `45`},
		{`{"$millisecond":"$d"}`, `123`},
		{`{"$week":"$d"}`, `53`},
		{`{"$isoWeek":"$d"}`, `52`},
		{`{"$isoWeekYear":"$d"}`, `2023`},
		{`{"$isoDayOfWeek":"$d"}`, `7`},
		{`{"$week":{"$date":"2019-01-05T00:00:00Z"}}`, `0`},
		{`{"$week":{"$date":"2019-01-06T00:00:00Z"}}`, `1`},
		{`{"$isoWeek":{"$date":"2019-12-30T00:00:00Z"}}`, `1`},
		{`{"$isoWeekYear":{"$date":"2019-12-30T00:00:00Z"}}`, `2020`},
		{`{"$year":["$d"]}`, `2023`},
		{`{"$year":{"date":"$d","timezone":"+08:00"}}`, `2024`},
		{`{"$hour":{"date":"$d","timezone":"+0800"}}`, `7`},
		{`{"$hour":{"date":"$d","timezone":"-03"}}`, `20`},
		{`{"$dayOfWeek":{"date":"$d","timezone":"Asia/Shanghai"}}`, `2`},
		{`{"$hour":{"date":"$d","timezone":"America/New_York"}}`, `18`},
		{`{"$hour":{"date":{"$date":"2023-07-01T12:00:00Z"},"timezone":"America/New_York"}}`, `8`},
		{`{"$hour":{"date":"$d","timezone":"$n"}}`, `null`},
		{`{"$hour":{"date":"$d","timezone":"Mars/Base"}}`, `!unrecognized time zone identifier: "Mars/Base"`},
		{`{"$hour":{"date":"$d","timezone":"+25:99"}}`, `!unrecognized time zone identifier`},
		{`{"$hour":{"date":"$d","tz":"UTC"}}`, `!Unrecognized parameter to $hour: tz`},
		{`{"$year":"$n"}`, `null`},
		{`{"$year":"$missing"}`, `null`},
		{`{"$year":"x"}`, `!$year: can't convert from BSON type string to Date`},
		{`{"$year":"$o"}`, `2018`},
		{`{"$dateToString":{"date":"$d"}}`, `"2023-12-31T23:30:45.123Z"`},
		{`{"$dateToString":{"date":"$d","timezone":"+05:30"}}`, `"2024-01-01T05:00:45.123"`},
		{`{"$dateToString":{"date":"$d","format":"%Y-%m-%d %H:%M:%S.%L %j %w %u %U %V %G %z %Z %% %b %B"}}`,
			`"2023-12-31 23:30:45.123 365 1 7 53 52 2023 +0000 +0 % Dec December"`},
		{`{"$dateToString":{"date":"$d","format":"%j %w %u %U %V %G %z %Z","timezone":"+05:30"}}`, `"001 2 1 00 01 2024 +0530 +330"`},
		{`{"$dateToString":{"date":"$d","format":"%H:%M %z","timezone":"America/New_York"}}`, `"18:30 -0500"`},
		{`{"$dateToString":{"date":"$missing","onNull":"none"}}`, `"none"`},
		{`{"$dateToString":{"date":"$n"}}`, `null`},
		{`{"$dateToString":{"date":"$d","format":"%Q"}}`, `!Invalid format character '%Q' in format string`},
		{`{"$dateToString":{"date":"$d","format":"abc%"}}`, `!Unmatched '%' at end of format string`},
		{`{"$dateToString":{"date":"$d","format":1}}`, `!$dateToString requires that 'format' be a string`},
		{`{"$dateToString":{"format":"%Y"}}`, `!Missing 'date' parameter to $dateToString`},
		{`{"$dateToString":"$d"}`, `!$dateToString only supports an object as its argument`},
	})
}

func TestAggregateTypes(t *testing.T) {
	runAggExprCases(t, `{"n":null,"f":1.5,"i":7,"d":{"$date":0},"o":{"$oid":"5ab9cbfa31c2ab715d42129e"}}`, []aggExprCase{
		{`{"$type":"$missing"}`, `"missing"`},
		{`{"$type":"$i"}`, `"int"`},
		{`{"$type":5000000000}`, `"long"`},
		{`{"$type":"$f"}`, `"double"`},
		{`{"$type":[[]]}`, `"array"`},
		{`{"$type":{"a":1}}`, `"object"`},
		{`{"$type":"$n"}`, `"null"`},
		{`{"$type":"$d"}`, `"date"`},
		{`{"$type":"$o"}`, `"objectId"`},
		{`{"$type":{"$numberDecimal":"1"}}`, `"decimal"`},
		{`{"$isNumber":"$f"}`, `true`},
		{`{"$isNumber":"x"}`, `false`},
		{`{"$toString":"$f"}`, `"1.5"`},
		{`{"$toString":1e21}`, `"1e+21"`},
		{`{"$toString":"$d"}`, `"1970-01-01T00:00:00.000Z"`},
		{`{"$toString":true}`, `"true"`},
		{`{"$toString":"$o"}`, `"5ab9cbfa31c2ab715d42129e"`},
		{`{"$toString":"$n"}`, `null`},
		{`{"$toString":[[1]]}`, `!Unsupported conversion from array to string in $convert with no onError value`},
		{`{"$toInt":"42"}`, `42`},
		{`{"$toInt":"4.2"}`, `!Failed to parse number '4.2' in $convert with no onError value`},
		{`{"$toInt":4.9}`, `4`},
		{`{"$toInt":-4.9}`, `-4`},
		{`{"$toInt":3000000000}`, `!Conversion would overflow target type`},
		{`{"$toInt":true}`, `1`},
		{`{"$toInt":"$d"}`, `!Unsupported conversion from date to int`},
		{`{"$toLong":"$d"}`, `0`},
		{`{"$toLong":"9000000000"}`, `9000000000`},
		{`{"$toDouble":"1.5"}`, `1.5`},
		{`{"$toDouble":"abc"}`, `!Failed to parse number 'abc'`},
		{`{"$toDouble":true}`, `1.0`},
		{`{"$toDouble":"$i"}`, `7.0`},
		{`{"$toDecimal":"$i"}`, `{"$numberDecimal":"7"}`},
		{`{"$toBool":0}`, `false`},
		{`{"$toBool":""}`, `true`},
		{`{"$toBool":"$d"}`, `true`},
		{`{"$toDate":1000}`, `{"$date":1000}`},
		{`{"$toDate":"2020-01-02"}`, `{"$date":1577923200000}`},
		{`{"$toDate":"2020-01-02T03:04:05.5+01:00"}`, `{"$date":1577930645500}`},
		{`{"$toDate":"bad"}`, `!Error parsing date string 'bad'`},
		{`{"$toDate":"$o"}`, `{"$date":1522125818000}`},
		{`{"$toObjectId":"5AB9CBFA31C2AB715D42129E"}`, `{"$oid":"5ab9cbfa31c2ab715d42129e"}`},
		{`{"$toObjectId":"xyz"}`, `!Invalid string length for parsing to OID`},
		{`{"$convert":{"input":"x","to":"int","onError":-1}}`, `-1`},
		{`{"$convert":{"input":"$n","to":"int","onNull":0}}`, `0`},
		{`{"$convert":{"input":"$missing","to":"int"}}`, `null`},
		{`{"$convert":{"input":"5","to":16}}`, `5`},
		{`{"$convert":{"input":"5","to":"long"}}`, `5`},
		{`{"$convert":{"input":"5","to":"integer","onError":0}}`, `!Unknown type name: integer`},
		{`{"$convert":{"input":"5"}}`, `!Missing 'to' parameter to $convert`},
	})
}

func TestAggregateObjects(t *testing.T) {
	runAggExprCases(t, `{"a":{"x":1,"y":2},"n":null}`, []aggExprCase{
		{`{"$mergeObjects":[{"a":1},"$n",{"b":2,"a":3}]}`, `{"a":3,"b":2}`},
		{`{"$mergeObjects":"$a"}`, `{"x":1,"y":2}`},
		{`{"$mergeObjects":[1]}`, `!$mergeObjects requires object inputs`},
		{`{"$getField":"a"}`, `{"x":1,"y":2}`},
		{`{"$getField":{"field":"x","input":"$a"}}`, `1`},
		{`{"$getField":{"field":"z","input":"$a"}}`, `missing`},
		{`{"$getField":{"field":"z","input":"$n"}}`, `null`},
		{`{"x":"$a.x","y":"$missing","z":["$missing"]}`, `{"x":1,"z":[null]}`},
		{`{"$literal":"$a"}`, `"$a"`},
		{`{"$literal":{"$add":[1]}}`, `{"$add":[1]}`},
	})
}

func TestAggregateExpressionErrors(t *testing.T) {
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$foo":1}`, `!Unrecognized expression '$foo'`},
		{`{"$add":[1],"$sub":[2]}`, `!an expression specification must contain exactly one field`},
		{`"$"`, `!'$' by itself is not a valid FieldPath`},
		{`"$a..b"`, `!FieldPath field names may not be empty strings`},
		{`"$a.$b"`, `!FieldPath field names may not start with '$'`},
		{`{"$push":1}`, `!$push is an accumulator`},
		{`{"a.b":1}`, `!must not contain '.'`},
		{`{"a":1,"$b":1}`, `!must not start with '$'`},
		{`"$$"`, `!empty variable names are not allowed`},
	})
}

func TestAggregateMatch(t *testing.T) {
	docs := `[{"_id":1,"a":5,"tags":["x"]},{"_id":2,"a":10,"b":3},{"_id":3,"a":1}]`
	runAggCases(t, []aggCase{
		{"filter", docs, `[{"$match":{"a":{"$gte":5}}}]`, `[{"_id":1,"a":5,"tags":["x"]},{"_id":2,"a":10,"b":3}]`},
		{"array", docs, `[{"$match":{"tags":"x"}}]`, `[{"_id":1,"a":5,"tags":["x"]}]`},
		{"expr", docs, `[{"$match":{"$expr":{"$gt":["$a",{"$add":["$_id",2]}]}}}]`, `[{"_id":1,"a":5,"tags":["x"]},{"_id":2,"a":10,"b":3}]`},
		{"expr and filter", docs, `[{"$match":{"b":{"$exists":true},"$expr":{"$gt":["$a",1]}}}]`, `[{"_id":2,"a":10,"b":3}]`},
		{"empty", docs, `[{"$match":{}}]`, `[{"_id":1,"a":5,"tags":["x"]},{"_id":2,"a":10,"b":3},{"_id":3,"a":1}]`},
		{"bad filter", docs, `[{"$match":{"a":{"$bogus":1}}}]`, `!`},
		{"not object", docs, `[{"$match":1}]`, `!the match filter must be an expression in an object`},
		{"near", docs, `[{"$match":{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}}]`, `!$near and $nearSphere are not allowed`},
	})
}

func TestAggregateProject(t *testing.T) {
	doc := `[{"_id":1,"b":2,"a":{"x":1,"y":2},"arr":[{"x":1,"y":2},{"y":3},4,[{"x":5}]],"s":"v"}]`
	runAggCases(t, []aggCase{
		{"inclusion keeps input order", doc, `[{"$project":{"s":1,"b":true}}]`, `[{"_id":1,"b":2,"s":"v"}]`},
		{"exclude id", doc, `[{"$project":{"_id":0,"b":1}}]`, `[{"b":2}]`},
		{"only id", doc, `[{"$project":{"_id":1}}]`, `[{"_id":1}]`},
		{"nested inclusion", doc, `[{"$project":{"a.x":1}}]`, `[{"_id":1,"a":{"x":1}}]`},
		{"nested inclusion object form", doc, `[{"$project":{"a":{"y":1}}}]`, `[{"_id":1,"a":{"y":2}}]`},
		{"inclusion through arrays", doc, `[{"$project":{"_id":0,"arr.x":1}}]`, `[{"arr":[{"x":1},{},[{"x":5}]]}]`},
		{"missing subdocument field", doc, `[{"$project":{"_id":0,"a.z":1}}]`, `[{"a":{}}]`},
		{"computed appended", doc, `[{"$project":{"sum":{"$add":["$b",1]},"s":1}}]`, `[{"_id":1,"s":"v","sum":3}]`},
		{"computed literal string", doc, `[{"$project":{"_id":0,"lit":"hello","n":null}}]`, `[{"lit":"hello","n":null}]`},
		{"computed missing omitted", doc, `[{"$project":{"_id":0,"m":"$nope","r":"$$REMOVE","k":{"$literal":1}}}]`, `[{"k":1}]`},
		{"computed path on scalar", doc, `[{"$project":{"_id":0,"b.c":{"$literal":1}}}]`, `[{"b":{"c":1}}]`},
		{"computed path through array", doc, `[{"$project":{"_id":0,"arr.z":"$s"}}]`, `[{"arr":[{"z":"v"},{"z":"v"},{"z":"v"},[{"z":"v"}]]}]`},
		{"computed id", doc, `[{"$project":{"_id":"$s","b":1}}]`, `[{"b":2,"_id":"v"}]`},
		{"exclusion", doc, `[{"$project":{"a":0,"arr":0}}]`, `[{"_id":1,"b":2,"s":"v"}]`},
		{"nested exclusion", doc, `[{"$project":{"a.x":0,"arr.y":0,"_id":0}}]`, `[{"b":2,"a":{"y":2},"arr":[{"x":1},{},4,[{"x":5}]],"s":"v"}]`},
		{"exclude id only", doc, `[{"$project":{"_id":0}}]`, `[{"b":2,"a":{"x":1,"y":2},"arr":[{"x":1,"y":2},{"y":3},4,[{"x":5}]],"s":"v"}]`},
		{"nested number includes", doc, `[{"$project":{"_id":0,"a":{"x":5,"z":{"$add":[1,1]}}}}]`, `[{"a":{"x":1,"z":2}}]`},
		{"mix inclusion exclusion", doc, `[{"$project":{"a":1,"b":0}}]`, `!Cannot do exclusion on field b in inclusion projection`},
		{"expression in exclusion", doc, `[{"$project":{"a":0,"c":"$b"}}]`, `!Cannot use expression other than $meta in exclusion projection`},
		{"empty", doc, `[{"$project":{}}]`, `!projection specification must have at least one field`},
		{"empty subprojection", doc, `[{"$project":{"a":{}}}]`, `!An empty sub-projection is not a valid value`},
		{"collision", doc, `[{"$project":{"a":1,"a.x":1}}]`, `!Path collision at a.x`},
		{"dollar field", doc, `[{"$project":{"$a":1}}]`, `!FieldPath field names may not start with '$'`},
	})
}

func TestAggregateAddFieldsUnset(t *testing.T) {
	doc := `[{"_id":1,"a":{"x":1},"arr":[{"x":1},2],"n":5}]`
	runAggCases(t, []aggCase{
		{"add", doc, `[{"$addFields":{"m":{"$multiply":["$n",2]},"t":true,"one":1}}]`, `[{"_id":1,"a":{"x":1},"arr":[{"x":1},2],"n":5,"m":10,"t":true,"one":1}]`},
		{"replace in place", doc, `[{"$set":{"a":"$n"}}]`, `[{"_id":1,"a":5,"arr":[{"x":1},2],"n":5}]`},
		{"merge into subdocument", doc, `[{"$addFields":{"a":{"y":2}}}]`, `[{"_id":1,"a":{"x":1,"y":2},"arr":[{"x":1},2],"n":5}]`},
		{"dotted", doc, `[{"$addFields":{"a.z":3,"new.p":1}}]`, `[{"_id":1,"a":{"x":1,"z":3},"arr":[{"x":1},2],"n":5,"new":{"p":1}}]`},
		{"through array", doc, `[{"$addFields":{"arr.y":0}}]`, `[{"_id":1,"a":{"x":1},"arr":[{"x":1,"y":0},{"y":0}],"n":5}]`},
		{"remove", doc, `[{"$addFields":{"n":"$$REMOVE","a":"$missing"}}]`, `[{"_id":1,"arr":[{"x":1},2]}]`},
		{"sees input document", doc, `[{"$addFields":{"n":1,"m":"$n"}}]`, `[{"_id":1,"a":{"x":1},"arr":[{"x":1},2],"n":1,"m":5}]`},
		{"empty object literal", doc, `[{"$addFields":{"e":{}}}]`, `[{"_id":1,"a":{"x":1},"arr":[{"x":1},2],"n":5,"e":{}}]`},
		{"not object", doc, `[{"$addFields":1}]`, `!$addFields specification stage must be an object`},
		{"unset string", doc, `[{"$unset":"a"}]`, `[{"_id":1,"arr":[{"x":1},2],"n":5}]`},
		{"unset array", doc, `[{"$unset":["a.x","arr.x","_id"]}]`, `[{"a":{},"arr":[{},2],"n":5}]`},
		{"unset empty", doc, `[{"$unset":[]}]`, `!$unset specification must be a string or an array with at least one field`},
		{"unset non string", doc, `[{"$unset":[1]}]`, `!$unset specification must be a string or an array containing only string values`},
	})
}

func TestAggregateGroup(t *testing.T) {
	docs := `[{"_id":1,"g":"a","n":1,"s":"x","o":{"p":1}},{"_id":2,"g":"b","n":2.5,"s":"y"},{"_id":3,"g":"a","n":3,"o":{"q":2}},{"_id":4,"n":"str"},{"_id":5,"g":null,"n":4}]`
	runAggCases(t, []aggCase{
		{"by field, missing and null together", docs, `[{"$group":{"_id":"$g","c":{"$sum":1}}}]`, `[{"_id":"a","c":2},{"_id":"b","c":1},{"_id":null,"c":2}]`},
		{"null id", docs, `[{"$group":{"_id":null,"total":{"$sum":"$n"},"avg":{"$avg":"$n"},"min":{"$min":"$n"},"max":{"$max":"$n"},"count":{"$count":{}}}}]`,
			`[{"_id":null,"total":10.5,"avg":2.625,"min":1,"max":"str","count":5}]`},
		{"document id", docs, `[{"$group":{"_id":{"g":"$g","big":{"$gt":["$n",2]}},"ids":{"$push":"$_id"}}}]`,
			`[{"_id":{"g":"a","big":false},"ids":[1]},{"_id":{"g":"b","big":true},"ids":[2]},{"_id":{"g":"a","big":true},"ids":[3]},{"_id":{"big":true},"ids":[4]},{"_id":{"g":null,"big":true},"ids":[5]}]`},
		{"first last push addToSet", docs, `[{"$group":{"_id":"$g","f":{"$first":"$s"},"l":{"$last":"$s"},"p":{"$push":"$s"},"set":{"$addToSet":"$g"}}}]`,
			`[{"_id":"a","f":"x","l":null,"p":["x"],"set":["a"]},{"_id":"b","f":"y","l":"y","p":["y"],"set":["b"]},{"_id":null,"f":null,"l":null,"p":[],"set":[null]}]`},
		{"avg of no numbers", docs, `[{"$group":{"_id":"$g","a":{"$avg":"$s"},"sum":{"$sum":"$s"}}}]`, `[{"_id":"a","a":null,"sum":0},{"_id":"b","a":null,"sum":0},{"_id":null,"a":null,"sum":0}]`},
		{"std dev", `[{"v":1},{"v":2},{"v":3},{"v":4},{"v":"x"}]`, `[{"$group":{"_id":null,"pop":{"$stdDevPop":"$v"},"samp":{"$stdDevSamp":"$v"}}}]`, `[{"_id":null,"pop":1.118033988749895,"samp":1.2909944487358056}]`},
		{"std dev of one", `[{"v":1}]`, `[{"$group":{"_id":null,"pop":{"$stdDevPop":"$v"},"samp":{"$stdDevSamp":"$v"}}}]`, `[{"_id":null,"pop":0.0,"samp":null}]`},
		{"merge objects", docs, `[{"$group":{"_id":"$g","m":{"$mergeObjects":"$o"}}}]`, `[{"_id":"a","m":{"p":1,"q":2}},{"_id":"b","m":{}},{"_id":null,"m":{}}]`},
		{"numbers group together", `[{"v":1},{"v":1.0},{"v":{"$numberLong":"1"}}]`, `[{"$group":{"_id":"$v","c":{"$sum":1}}}]`, `[{"_id":1,"c":3}]`},
		{"empty input", `[]`, `[{"$group":{"_id":null,"c":{"$sum":1}}}]`, `[]`},
		{"sum overflow", `[{"v":9223372036854775807},{"v":1}]`, `[{"$group":{"_id":null,"s":{"$sum":"$v"}}}]`, `[{"_id":null,"s":9223372036854776000.0}]`},
		{"no id", docs, `[{"$group":{"c":{"$sum":1}}}]`, `!a group specification must include an _id`},
		{"dotted name", docs, `[{"$group":{"_id":null,"a.b":{"$sum":1}}}]`, `!the group aggregate field name 'a.b' cannot contain '.'`},
		{"not accumulator", docs, `[{"$group":{"_id":null,"a":1}}]`, `!The field 'a' must be an accumulator object`},
		{"two accumulators", docs, `[{"$group":{"_id":null,"a":{"$sum":1,"$avg":1}}}]`, `!The field 'a' must specify one accumulator`},
		{"unknown accumulator", docs, `[{"$group":{"_id":null,"a":{"$median":"$n"}}}]`, `!unknown group operator '$median'`},
		{"count with argument", docs, `[{"$group":{"_id":null,"a":{"$count":1}}}]`, `!$count takes no arguments, i.e. $count:{}`},
		{"array argument", docs, `[{"$group":{"_id":null,"a":{"$sum":[1,2]}}}]`, `!The $sum accumulator is a unary operator`},
		{"bad merge", docs, `[{"$group":{"_id":null,"m":{"$mergeObjects":"$n"}}}]`, `!$mergeObjects requires object inputs`},
	})
}

func TestAggregateSortSkipLimitCount(t *testing.T) {
	docs := `[{"_id":1,"a":2,"b":"x"},{"_id":2,"a":1,"b":"y"},{"_id":3,"a":2,"b":"w"},{"_id":4,"a":[0,9]},{"_id":5}]`
	runAggCases(t, []aggCase{
		{"sort", docs, `[{"$sort":{"a":1,"b":-1}},{"$project":{"_id":1}}]`, `[{"_id":5},{"_id":4},{"_id":2},{"_id":1},{"_id":3}]`},
		{"sort desc array max", docs, `[{"$sort":{"a":-1}},{"$project":{"_id":1}}]`, `[{"_id":4},{"_id":1},{"_id":3},{"_id":2},{"_id":5}]`},
		{"sort float direction", docs, `[{"$sort":{"_id":-1.0}},{"$limit":1},{"$project":{"_id":1}}]`, `[{"_id":5}]`},
		{"skip limit", docs, `[{"$skip":1},{"$limit":2},{"$project":{"_id":1}}]`, `[{"_id":2},{"_id":3}]`},
		{"skip past end", docs, `[{"$skip":10}]`, `[]`},
		{"count", docs, `[{"$match":{"a":2}},{"$count":"n"}]`, `[{"n":2}]`},
		{"count empty", docs, `[{"$match":{"a":99}},{"$count":"n"}]`, `[]`},
		{"sort bad direction", docs, `[{"$sort":{"a":2}}]`, `!$sort key ordering must be 1 (for ascending) or -1 (for descending)`},
		{"sort empty", docs, `[{"$sort":{}}]`, `!$sort stage must have at least one sort key`},
		{"sort meta", docs, `[{"$sort":{"a":{"$meta":"textScore"}}}]`, `!$sort by $meta is not supported`},
		{"limit zero", docs, `[{"$limit":0}]`, `!the limit must be positive`},
		{"limit string", docs, `[{"$limit":"1"}]`, `!invalid argument to $limit stage: Expected a number`},
		{"skip negative", docs, `[{"$skip":-1}]`, `!Expected a non-negative number`},
		{"skip fraction", docs, `[{"$skip":1.5}]`, `!Cannot represent as a 64-bit integer`},
		{"count dollar", docs, `[{"$count":"$n"}]`, `!the count field cannot be a $-prefixed path`},
		{"count dot", docs, `[{"$count":"a.b"}]`, `!the count field cannot contain '.'`},
		{"count empty name", docs, `[{"$count":""}]`, `!the count field must be a non-empty string`},
	})
}

func TestAggregateUnwind(t *testing.T) {
	docs := `[{"_id":1,"a":[1,2]},{"_id":2,"a":[]},{"_id":3,"a":null},{"_id":4},{"_id":5,"a":"s"},{"_id":6,"o":{"a":[{"x":1},{"x":2}]}}]`
	runAggCases(t, []aggCase{
		{"plain", docs, `[{"$unwind":"$a"}]`, `[{"_id":1,"a":1},{"_id":1,"a":2},{"_id":5,"a":"s"}]`},
		{"index and preserve", docs, `[{"$unwind":{"path":"$a","includeArrayIndex":"i","preserveNullAndEmptyArrays":true}}]`,
			`[{"_id":1,"a":1,"i":0},{"_id":1,"a":2,"i":1},{"_id":2,"i":null},{"_id":3,"a":null,"i":null},{"_id":4,"i":null},{"_id":5,"a":"s","i":null},{"_id":6,"o":{"a":[{"x":1},{"x":2}]},"i":null}]`},
		{"nested path", docs, `[{"$unwind":"$o.a"}]`, `[{"_id":6,"o":{"a":{"x":1}}},{"_id":6,"o":{"a":{"x":2}}}]`},
		{"through array is missing", `[{"a":[{"b":[1,2]}]}]`, `[{"$unwind":"$a.b"}]`, `[]`},
		{"no dollar", docs, `[{"$unwind":"a"}]`, `!path option to $unwind stage should be prefixed with a '$': a`},
		{"bad option", docs, `[{"$unwind":{"path":"$a","x":1}}]`, `!unrecognized option to $unwind stage: x`},
		{"no path", docs, `[{"$unwind":{"preserveNullAndEmptyArrays":true}}]`, `!no path specified to $unwind stage`},
		{"index dollar", docs, `[{"$unwind":{"path":"$a","includeArrayIndex":"$i"}}]`, `!includeArrayIndex option to $unwind stage should not be prefixed with a '$'`},
		{"preserve not bool", docs, `[{"$unwind":{"path":"$a","preserveNullAndEmptyArrays":1}}]`, `!expected a boolean for the preserveNullAndEmptyArrays option`},
		{"not string", docs, `[{"$unwind":1}]`, `!expected either a string or an object as specification for $unwind stage`},
	})
}

func TestAggregateReplaceRootSortByCountFacetBucket(t *testing.T) {
	docs := `[{"_id":1,"o":{"x":1},"g":"a","v":5},{"_id":2,"o":{"x":2},"g":"b","v":15},{"_id":3,"g":"a","v":25},{"_id":4,"g":"c","v":"s"}]`
	runAggCases(t, []aggCase{
		{"replaceRoot", docs, `[{"$limit":2},{"$replaceRoot":{"newRoot":"$o"}}]`, `[{"x":1},{"x":2}]`},
		{"replaceWith", docs, `[{"$limit":1},{"$replaceWith":{"$mergeObjects":["$o",{"id":"$_id"}]}}]`, `[{"x":1,"id":1}]`},
		{"replaceRoot non document", docs, `[{"$replaceRoot":{"newRoot":"$o"}}]`, `!'newRoot' expression must evaluate to an object, but resulting value was: missing`},
		{"replaceRoot no newRoot", docs, `[{"$replaceRoot":{}}]`, `!no newRoot specified for the $replaceRoot stage`},
		{"replaceRoot extra", docs, `[{"$replaceRoot":{"newRoot":"$o","x":1}}]`, `!unrecognized option to $replaceRoot stage: x`},
		{"sortByCount", docs, `[{"$sortByCount":"$g"}]`, `[{"_id":"a","count":2},{"_id":"b","count":1},{"_id":"c","count":1}]`},
		{"sortByCount expression", docs, `[{"$sortByCount":{"$type":"$v"}}]`, `[{"_id":"int","count":3},{"_id":"string","count":1}]`},
		{"sortByCount literal", docs, `[{"$sortByCount":"g"}]`, `!the sortByCount field must be defined as a $-prefixed path or an expression`},
		{"facet", docs, `[{"$facet":{"n":[{"$count":"c"}],"firsts":[{"$limit":1},{"$project":{"g":1}}]}}]`, `[{"n":[{"c":4}],"firsts":[{"_id":1,"g":"a"}]}]`},
		{"facet in facet", docs, `[{"$facet":{"x":[{"$facet":{"y":[]}}]}}]`, `!$facet is not allowed to be used within a $facet stage`},
		{"facet bad", docs, `[{"$facet":{"x":1}}]`, `!must be an array of stages`},
		{"bucket", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[0,10,20,30],"default":"other","output":{"n":{"$sum":1},"ids":{"$push":"$_id"}}}}]`,
			`[{"_id":0,"n":1,"ids":[1]},{"_id":10,"n":1,"ids":[2]},{"_id":20,"n":1,"ids":[3]},{"_id":"other","n":1,"ids":[4]}]`},
		{"bucket default count", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[0,10,100],"default":-1}}]`, `[{"_id":-1,"count":1},{"_id":0,"count":1},{"_id":10,"count":2}]`},
		{"bucket boundary value", `[{"v":10}]`, `[{"$bucket":{"groupBy":"$v","boundaries":[0,10,20]}}]`, `[{"_id":10,"count":1}]`},
		{"bucket no default", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[0,10]}}]`, `!$bucket could not find a matching branch for an input, and no default was specified.`},
		{"bucket unsorted", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[10,0]}}]`, `!must be sorted in ascending order`},
		{"bucket mixed types", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[0,"a"]}}]`, `!must have the same type`},
		{"bucket default inside", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[0,10],"default":5}}]`, `!The $bucket 'default' field must be less than the lowest boundary`},
		{"bucket one boundary", docs, `[{"$bucket":{"groupBy":"$v","boundaries":[0]}}]`, `!must have at least 2 values`},
		{"bucket groupBy literal", docs, `[{"$bucket":{"groupBy":"v","boundaries":[0,1]}}]`, `!must be defined as a $-prefixed path or an expression`},
	})
}

func TestAggregateStageErrors(t *testing.T) {
	runAggCases(t, []aggCase{
		{"unknown stage", `[]`, `[{"$frobnicate":{}}]`, `!Unrecognized pipeline stage name: '$frobnicate'`},
		{"two fields", `[]`, `[{"$match":{},"$limit":1}]`, `!A pipeline stage specification object must contain exactly one field.`},
		{"out", `[]`, `[{"$out":"x"}]`, `!$out is not supported`},
		{"geoNear", `[]`, `[{"$geoNear":{}}]`, `!the $geoNear stage is not supported`},
		{"sample size", `[]`, `[{"$sample":{"size":-1}}]`, `!size argument to $sample must not be negative`},
		{"sample option", `[]`, `[{"$sample":{"n":1}}]`, `!unrecognized option to $sample: n`},
		{"sample no size", `[]`, `[{"$sample":{}}]`, `!$sample stage must specify a size`},
		{"lookup no as", `[]`, `[{"$lookup":{"from":"x","localField":"a","foreignField":"b"}}]`, `!must specify 'as' field for a $lookup`},
		{"lookup half", `[]`, `[{"$lookup":{"from":"x","localField":"a","as":"j"}}]`, `!$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified`},
		{"lookup let without pipeline", `[]`, `[{"$lookup":{"from":"x","localField":"a","foreignField":"b","let":{"v":1},"as":"j"}}]`, `!$lookup with 'let' must also specify 'pipeline'`},
		{"lookup unknown", `[]`, `[{"$lookup":{"from":"x","pipeline":[],"as":"j","y":1}}]`, `!unknown argument to $lookup: y`},
		{"lookup from type", `[]`, `[{"$lookup":{"from":1,"pipeline":[],"as":"j"}}]`, `!$lookup argument 'from' must be a string`},
		{"lookup without resolver", `[{"a":1}]`, `[{"$lookup":{"from":"x","pipeline":[],"as":"j"}}]`, `!$lookup: collection x is not available here`},
		{"lookup pipeline var scope", `[]`, `[{"$lookup":{"from":"x","pipeline":[{"$match":{"$expr":"$$v"}}],"as":"j"}}]`, `!Use of undefined variable: v`},
	})
	var many []string
	for i := 0; i <= MaxPipelineStages; i++ {
		many = append(many, `{"$match":{}}`)
	}
	_, err := aggTestRun(t, `[]`, "["+strings.Join(many, ",")+"]", nil)
	aggCheck(t, "!a pipeline may have at most 100 stages", "", err)
	nested := `[{"$facet":{"a":[` + strings.Join(many[:60], ",") + `],"b":[` + strings.Join(many[:60], ",") + `]}}]`
	_, err = aggTestRun(t, `[]`, nested, nil)
	aggCheck(t, "!a pipeline may have at most 100 stages", "", err)
}

func TestAggregateSample(t *testing.T) {
	docs := `[{"_id":1},{"_id":2},{"_id":3},{"_id":4},{"_id":5},{"_id":6}]`
	a, err := aggTestRun(t, docs, `[{"$sample":{"size":3}}]`, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := aggTestRun(t, docs, `[{"$sample":{"size":3}}]`, nil)
	if a != b {
		t.Fatalf("a seeded $sample is not deterministic: %s vs %s", a, b)
	}
	out := aggTestDocs(t, a)
	seen := map[int64]bool{}
	for _, d := range out {
		id, _ := d.Get("_id")
		seen[id.(int64)] = true
	}
	if len(out) != 3 || len(seen) != 3 {
		t.Fatalf("sample of 3 distinct documents: %s", a)
	}
	all, _ := aggTestRun(t, docs, `[{"$sample":{"size":100}},{"$count":"n"}]`, nil)
	if all != `[{"n":6}]` {
		t.Fatalf("oversized sample: %s", all)
	}
	// unseeded pipelines sample too
	p, err := ParsePipeline(aggTestDocs(t, `[{"$sample":{"size":2}}]`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(aggTestDocs(t, docs), nil, aggTestNow)
	if err != nil || len(res) != 2 {
		t.Fatalf("unseeded sample: %v %v", res, err)
	}
}

func TestAggregateLookup(t *testing.T) {
	orders := `[{"_id":1,"item":"a","tags":["x","y"]},{"_id":2,"item":"b"},{"_id":3},{"_id":4,"item":{"$regularExpression":{"pattern":"^a","options":""}}}]`
	inventory := aggTestDocs(t, `[{"_id":10,"sku":"a","qty":1},{"_id":11,"sku":["b","c"],"qty":2},{"_id":12,"qty":3},{"_id":13,"sku":null,"qty":4},{"_id":14,"sku":"ab","qty":5},{"_id":15,"sku":{"$regularExpression":{"pattern":"^a","options":""}},"qty":6},{"_id":16,"sku":"x"}]`)
	calls := 0
	lookup := func(name string) ([]ejson.D, error) {
		calls++
		if name != "inventory" {
			return nil, errors.New("no such collection")
		}
		return inventory, nil
	}
	cases := []aggCase{
		{"equality", orders, `[{"$lookup":{"from":"inventory","localField":"item","foreignField":"sku","as":"inv"}},{"$project":{"ids":"$inv._id"}}]`,
			`[{"_id":1,"ids":[10]},{"_id":2,"ids":[11]},{"_id":3,"ids":[12,13]},{"_id":4,"ids":[15]}]`},
		{"array local field", orders, `[{"$match":{"_id":1}},{"$lookup":{"from":"inventory","localField":"tags","foreignField":"sku","as":"inv"}},{"$project":{"ids":"$inv._id"}}]`,
			`[{"_id":1,"ids":[16]}]`},
		{"dotted as", orders, `[{"$match":{"_id":2}},{"$lookup":{"from":"inventory","localField":"item","foreignField":"sku","as":"x.inv"}},{"$project":{"q":"$x.inv.qty"}}]`,
			`[{"_id":2,"q":[2]}]`},
		{"pipeline with let", orders, `[{"$match":{"_id":{"$lte":2}}},{"$lookup":{"from":"inventory","let":{"it":"$item"},"pipeline":[{"$match":{"$expr":{"$eq":["$sku","$$it"]}}},{"$project":{"_id":0,"qty":1}}],"as":"inv"}}]`,
			`[{"_id":1,"item":"a","tags":["x","y"],"inv":[{"qty":1}]},{"_id":2,"item":"b","inv":[]}]`},
		{"concise with pipeline", orders, `[{"$match":{"_id":3}},{"$lookup":{"from":"inventory","localField":"item","foreignField":"sku","pipeline":[{"$match":{"qty":{"$gt":3}}}],"as":"inv"}},{"$project":{"ids":"$inv._id"}}]`,
			`[{"_id":3,"ids":[13]}]`},
		{"unknown collection", orders, `[{"$lookup":{"from":"nope","localField":"item","foreignField":"sku","as":"inv"}}]`, `!`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := aggTestRun(t, c.docs, c.pipeline, lookup)
			if c.want == "!" {
				if err == nil {
					t.Fatalf("want an error, got %s", got)
				}
				return
			}
			aggCheck(t, c.want, got, err)
		})
	}
	// the foreign collection is read once per run, however many documents look it up
	calls = 0
	if _, err := aggTestRun(t, orders, `[{"$lookup":{"from":"inventory","localField":"item","foreignField":"sku","as":"a"}},{"$lookup":{"from":"inventory","pipeline":[],"as":"b"}}]`, lookup); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("lookup called %d times", calls)
	}
}

func TestAggregateLimits(t *testing.T) {
	runAggCases(t, []aggCase{
		{"unwind output", `[{"_id":1}]`, `[{"$project":{"r":{"$range":[0,300000]}}},{"$unwind":"$r"}]`, `!$unwind produced more than 200000 documents`},
		{"work", `[{"_id":1}]`, `[{"$project":{"r":{"$map":{"input":{"$range":[0,1000]},"in":{"$size":{"$range":[0,100000]}}}}}}]`, `!aggregation exceeds its work limit`},
		{"reduce growth", `[{"_id":1}]`, `[{"$project":{"r":{"$reduce":{"input":{"$range":[0,40]},"initialValue":[1],"in":{"$concatArrays":["$$value","$$value"]}}}}}]`, `!aggregation would build an array of 1048576 elements, more than the maximum of 1000000`},
		{"string growth", `[{"_id":1}]`, `[{"$project":{"r":{"$strLenBytes":{"$reduce":{"input":{"$range":[0,40]},"initialValue":"xxxxxxxxxxxxxxxx","in":{"$concat":["$$value","$$value"]}}}}}}]`, `!aggregation would build a string of 33554432 bytes, more than the maximum of 16777216`},
		{"replaceAll growth", `[{"_id":1}]`, `[{"$project":{"r":{"$strLenBytes":{"$reduce":{"input":{"$range":[0,40]},"initialValue":"xx","in":{"$replaceAll":{"input":"$$value","find":"x","replacement":"xx"}}}}}}}]`, `!aggregation would build a string of`},
	})
	docs := make([]ejson.D, MaxAggregateDocs+1)
	for i := range docs {
		docs[i] = ejson.D{}
	}
	p, err := ParsePipeline(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(docs, nil, aggTestNow); err == nil {
		t.Fatal("input above MaxAggregateDocs accepted")
	}
}

func TestAggregateDoesNotModifyInput(t *testing.T) {
	docs := aggTestDocs(t, `[{"_id":2,"a":{"x":[3,1]}},{"_id":1,"a":{"x":[2]}}]`)
	before, _ := ejson.MarshalString(aggStagesValue(docs), ejson.Relaxed)
	p, err := ParsePipeline(aggTestDocs(t, `[{"$sort":{"_id":1}},{"$addFields":{"a.y":1,"a.x":0}},{"$unwind":"$a.x"},{"$set":{"b":"$a"}},{"$project":{"a.x":0}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(docs, nil, aggTestNow); err != nil {
		t.Fatal(err)
	}
	after, _ := ejson.MarshalString(aggStagesValue(docs), ejson.Relaxed)
	if before != after {
		t.Fatalf("input modified:\n%s\n%s", before, after)
	}
}

func TestAggregatePushdown(t *testing.T) {
	parse := func(js string) *Pipeline {
		p, err := ParsePipeline(aggTestDocs(t, js))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := parse(`[{"$match":{"a":1}},{"$match":{"b":2}},{"$sort":{"c":-1}},{"$skip":5},{"$limit":10},{"$skip":2},{"$limit":20},{"$group":{"_id":null}}]`)
	if p.LeadingMatch() == nil || !p.LeadingMatch().Match(ejson.D{{Key: "a", Value: int64(1)}}) {
		t.Fatal("LeadingMatch")
	}
	pd := p.Pushdown()
	if pd.Filter == nil || !pd.Filter.Match(ejson.D{{Key: "a", Value: int64(1)}, {Key: "b", Value: int64(2)}}) || pd.Filter.Match(ejson.D{{Key: "a", Value: int64(1)}}) {
		t.Fatal("pushdown filter must combine both $match stages")
	}
	if len(pd.Sort) != 1 || !pd.Sort[0].Desc || pd.Skip != 7 || pd.Limit != 8 || pd.Rest.Len() != 1 {
		t.Fatalf("pushdown %+v rest %d", pd, pd.Rest.Len())
	}
	pd = parse(`[{"$limit":3},{"$match":{"a":1}}]`).Pushdown()
	if pd.Filter != nil || pd.Sort != nil || pd.Limit != 3 || pd.Skip != 0 || pd.Rest.Len() != 1 {
		t.Fatalf("limit first: %+v", pd)
	}
	pd = parse(`[{"$match":{"$expr":true}},{"$limit":3}]`).Pushdown()
	if pd.Filter != nil || pd.Limit != -1 || pd.Rest.Len() != 2 {
		t.Fatalf("$expr is not pushed down: %+v", pd)
	}
	if parse(`[{"$match":{"$expr":true}}]`).LeadingMatch() != nil || parse(`[{"$sort":{"a":1}}]`).LeadingMatch() != nil || parse(`[]`).LeadingMatch() != nil {
		t.Fatal("LeadingMatch must be nil")
	}
	// running the rest over the head's selection gives the whole result
	docs := aggTestDocs(t, `[{"_id":1,"a":3},{"_id":2,"a":1},{"_id":3,"a":2},{"_id":4,"a":5},{"_id":5,"a":4}]`)
	full := parse(`[{"$match":{"a":{"$gt":1}}},{"$sort":{"a":1}},{"$skip":1},{"$limit":2},{"$project":{"a":1}}]`)
	want, err := full.Run(docs, nil, aggTestNow)
	if err != nil {
		t.Fatal(err)
	}
	pd = full.Pushdown()
	var head []ejson.D
	for _, d := range docs {
		if pd.Filter.Match(d) {
			head = append(head, d)
		}
	}
	aggSortDocs(pd.Sort, head)
	head = head[pd.Skip:min(int64(len(head)), pd.Skip+pd.Limit)]
	got, err := pd.Rest.Run(head, nil, aggTestNow)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := ejson.MarshalString(aggStagesValue(got), ejson.Relaxed)
	w, _ := ejson.MarshalString(aggStagesValue(want), ejson.Relaxed)
	if g != w || w != `[{"_id":1,"a":3},{"_id":5,"a":4}]` {
		t.Fatalf("pushdown result %s, whole pipeline %s", g, w)
	}
}
