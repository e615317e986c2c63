package mql

import (
	"testing"
)

// Direct tests of the expression operators of aggregate_ops.go against MongoDB's
// documented semantics. Every case runs through the real pipeline ($replaceWith), see
// runAggExprCases. The tests at the end of the file were differences from MongoDB
// found this way, fixed since, and kept as regression tests.

func TestAggOpsArithmeticNullAndMissing(t *testing.T) {
	// every arithmetic operator yields null when an operand is null or missing
	runAggExprCases(t, `{"n":null,"i":3}`, []aggExprCase{
		{`{"$add":["$i",null]}`, `null`},
		{`{"$add":["$missing","$i"]}`, `null`},
		{`{"$add":[{"$date":0},"$n"]}`, `null`},
		{`{"$subtract":["$missing",1]}`, `null`},
		{`{"$multiply":["$i","$n"]}`, `null`},
		{`{"$multiply":["$missing"]}`, `null`},
		{`{"$divide":["$i","$missing"]}`, `null`},
		{`{"$divide":[null,0]}`, `null`},
		{`{"$mod":["$n",2]}`, `null`},
		{`{"$mod":[5,"$missing"]}`, `null`},
		{`{"$abs":"$missing"}`, `null`},
		{`{"$ceil":null}`, `null`},
		{`{"$floor":"$missing"}`, `null`},
		{`{"$sqrt":"$n"}`, `null`},
		{`{"$exp":"$missing"}`, `null`},
		{`{"$ln":null}`, `null`},
		{`{"$log10":"$missing"}`, `null`},
		{`{"$log":[8,"$n"]}`, `null`},
		{`{"$log":["$missing",2]}`, `null`},
		{`{"$pow":[null,2]}`, `null`},
		{`{"$pow":[2,"$missing"]}`, `null`},
		{`{"$round":"$missing"}`, `null`},
		{`{"$trunc":[null,1]}`, `null`},
		{`{"$trunc":[1.5,"$missing"]}`, `null`},
	})
}

func TestAggOpsArithmeticNumericTypes(t *testing.T) {
	runAggExprCases(t, `{"big":9223372036854775807,"min":-9223372036854775808}`, []aggExprCase{
		// int + int stays integral; an int32 sum that overflows 32 bits becomes a long
		{`{"$add":[2147483647,1]}`, `2147483648`},
		{`{"$type":{"$add":[2147483647,1]}}`, `"long"`},
		{`{"$type":{"$add":[1,2]}}`, `"int"`},
		// a long overflow becomes a double
		{`{"$add":["$big",1]}`, `9223372036854776000.0`},
		{`{"$type":{"$add":["$big",1]}}`, `"double"`},
		{`{"$subtract":["$min",1]}`, `-9223372036854776000.0`},
		{`{"$type":{"$subtract":["$min",1]}}`, `"double"`},
		{`{"$subtract":["$min",-1]}`, `-9223372036854775807`},
		{`{"$multiply":[3037000500,3037000500]}`, `9223372037000250000.0`},
		{`{"$multiply":["$min",-1]}`, `9223372036854776000.0`},
		{`{"$multiply":[-1,"$min"]}`, `9223372036854776000.0`},
		{`{"$multiply":[0,"$min"]}`, `0`},
		{`{"$multiply":[]}`, `1`},
		// a double anywhere makes a double
		{`{"$add":[1,2.0]}`, `3.0`},
		{`{"$type":{"$add":[1,2.0]}}`, `"double"`},
		{`{"$multiply":[2,0.5]}`, `1.0`},
		// a decimal anywhere makes a decimal
		{`{"$add":[{"$numberDecimal":"1.1"},1]}`, `{"$numberDecimal":"2.1"}`},
		{`{"$type":{"$multiply":[{"$numberDecimal":"2"},3]}}`, `"decimal"`},
		{`{"$subtract":[{"$numberDecimal":"10"},{"$numberDecimal":"0.01"}]}`, `{"$numberDecimal":"9.99"}`},
		// $divide always returns a double for non-decimals, even when exact
		{`{"$divide":[6,3]}`, `2.0`},
		{`{"$divide":[7,2]}`, `3.5`},
		{`{"$divide":[0,5]}`, `0.0`},
		{`{"$divide":[-1,4]}`, `-0.25`},
		{`{"$divide":[{"$numberDecimal":"1"},3]}`, `{"$numberDecimal":"0.3333333333333333333333333333333333"}`},
		// division and modulo by any kind of zero fail
		{`{"$divide":[1,0]}`, `!can't $divide by zero`},
		{`{"$divide":[1,0.0]}`, `!can't $divide by zero`},
		{`{"$divide":[1,-0.0]}`, `!can't $divide by zero`},
		{`{"$divide":[1,{"$numberDecimal":"0.00"}]}`, `!can't $divide by zero`},
		{`{"$mod":[1,0.0]}`, `!can't $mod by zero`},
		{`{"$mod":[1,{"$numberDecimal":"0"}]}`, `!can't $mod by zero`},
		// type errors
		{`{"$subtract":["a",1]}`, `!can't $subtract int from string`},
		{`{"$multiply":[true,1]}`, `!$multiply only supports numeric types, not bool`},
		{`{"$divide":[1,"2"]}`, `!$divide only supports numeric types, not int and string`},
		{`{"$mod":["a",2]}`, `!$mod only supports numeric types, not string and int`},
		{`{"$abs":true}`, `!$abs only supports numeric types, not bool`},
		{`{"$add":[[1],1]}`, `!$add only supports numeric or date types, not array`},
	})
}

func TestAggOpsModSign(t *testing.T) {
	// $mod takes the sign of the dividend (C's % and fmod)
	runAggExprCases(t, `{"min":-9223372036854775808}`, []aggExprCase{
		{`{"$mod":[7,3]}`, `1`},
		{`{"$mod":[-7,3]}`, `-1`},
		{`{"$mod":[7,-3]}`, `1`},
		{`{"$mod":[-7,-3]}`, `-1`},
		{`{"$mod":[-7.5,2]}`, `-1.5`},
		{`{"$mod":[7.5,-2]}`, `1.5`},
		{`{"$mod":[7,2.5]}`, `2.0`},
		{`{"$type":{"$mod":[7,2.5]}}`, `"double"`},
		{`{"$mod":["$min",-1]}`, `0`},
		{`{"$mod":[{"$numberDecimal":"7.5"},2]}`, `{"$numberDecimal":"1.5"}`},
	})
}

func TestAggOpsRoundTrunc(t *testing.T) {
	runAggExprCases(t, `{"big":9223372036854775807}`, []aggExprCase{
		// half to even at place 0
		{`{"$round":0.5}`, `0.0`},
		{`{"$round":1.5}`, `2.0`},
		{`{"$round":2.5}`, `2.0`},
		{`{"$round":-0.5}`, `-0.0`},
		{`{"$round":-1.5}`, `-2.0`},
		{`{"$round":[10.5,0]}`, `10.0`},
		{`{"$round":[11.5,0]}`, `12.0`},
		{`{"$round":[10.6,0]}`, `11.0`},
		// exact binary ties at other places are half to even too
		{`{"$round":[0.125,2]}`, `0.12`},
		{`{"$round":[0.375,2]}`, `0.38`},
		{`{"$round":[1.6016,3]}`, `1.602`},
		// negative places round to tens, hundreds…
		{`{"$round":[1234.5678,-2]}`, `1200.0`},
		{`{"$round":[1250.0,-2]}`, `1200.0`},
		{`{"$round":[1234.5678,-4]}`, `0.0`},
		{`{"$round":[5678.5,-4]}`, `10000.0`},
		{`{"$round":[1.5,-20]}`, `0.0`},
		// integers: unchanged at places >= 0, half to even below
		{`{"$round":[15,2]}`, `15`},
		{`{"$round":[15,-1]}`, `20`},
		{`{"$round":[25,-1]}`, `20`},
		{`{"$round":[-25,-1]}`, `-20`},
		{`{"$round":[-35,-1]}`, `-40`},
		{`{"$type":{"$round":[25,-1]}}`, `"int"`},
		// decimals keep their type
		{`{"$round":[{"$numberDecimal":"2.5"},0]}`, `{"$numberDecimal":"2"}`},
		{`{"$round":[{"$numberDecimal":"3.5"},0]}`, `{"$numberDecimal":"4"}`},
		// $trunc rounds toward zero
		{`{"$trunc":[1234.5678,-2]}`, `1200.0`},
		{`{"$trunc":[-1234.5678,2]}`, `-1234.56`},
		{`{"$trunc":[-1299,-2]}`, `-1200`},
		{`{"$trunc":0.9}`, `0.0`},
		{`{"$trunc":[{"$numberDecimal":"-2.7"},0]}`, `{"$numberDecimal":"-2"}`},
		// extremes pass through
		{`{"$round":[1.23456789e300,2]}`, `1.23456789e+300`},
		{`{"$round":[{"$numberDouble":"Infinity"},2]}`, `{"$numberDouble":"Infinity"}`},
		{`{"$round":[{"$numberDouble":"NaN"},2]}`, `{"$numberDouble":"NaN"}`},
		// place validation
		{`{"$round":[1.5,1.5]}`, `!$round requires "place" argument to be an integer`},
		{`{"$round":[1.5,-21]}`, `!cannot apply $round with precision value -21`},
		{`{"$trunc":[1.5,101]}`, `!cannot apply $trunc with precision value 101`},
		{`{"$round":[1.5,100]}`, `1.5`},
		{`{"$round":["x",1]}`, `!$round only supports numeric types, not string`},
		{`{"$round":[1,2,3]}`, `!Expression $round takes at least 1 arguments, and at most 2, but 3 were passed in.`},
	})
}

func TestAggOpsPowAndLogs(t *testing.T) {
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$pow":[0,0]}`, `1`},
		{`{"$pow":[0,5]}`, `0`},
		{`{"$pow":[1,-5]}`, `1`},
		{`{"$pow":[-1,-2]}`, `1`},
		{`{"$pow":[-1,3]}`, `-1`},
		{`{"$pow":[2,-2]}`, `0.25`},
		{`{"$pow":[10,-2]}`, `0.01`},
		{`{"$pow":[2,0.5]}`, `1.4142135623730951`},
		{`{"$pow":[4,0.5]}`, `2.0`},
		// integer results stay integral up to the long range, then become doubles
		{`{"$pow":[2,62]}`, `4611686018427387904`},
		{`{"$pow":[-2,63]}`, `-9223372036854775808`},
		{`{"$pow":[2,63]}`, `9223372036854776000.0`},
		{`{"$pow":[3,40]}`, `12157665459056929000.0`},
		{`{"$type":{"$pow":[3,2]}}`, `"int"`},
		{`{"$type":{"$pow":[2.0,2]}}`, `"double"`},
		{`{"$pow":[{"$numberDecimal":"2"},3]}`, `{"$numberDecimal":"8"}`},
		{`{"$pow":[0,-1]}`, `!$pow cannot take a base of 0 and a negative exponent`},
		{`{"$pow":[0.0,-0.5]}`, `!$pow cannot take a base of 0 and a negative exponent`},
		{`{"$pow":["2",2]}`, `!$pow's base must be numeric, not string`},
		{`{"$pow":[2,"2"]}`, `!$pow's exponent must be numeric, not string`},
		{`{"$sqrt":0}`, `0.0`},
		{`{"$sqrt":{"$numberDecimal":"4"}}`, `{"$numberDecimal":"2"}`},
		{`{"$sqrt":-0.1}`, `!$sqrt's argument must be greater than or equal to 0`},
		{`{"$sqrt":{"$numberDouble":"NaN"}}`, `{"$numberDouble":"NaN"}`},
		{`{"$exp":1}`, `2.718281828459045`},
		{`{"$ln":{"$numberDouble":"NaN"}}`, `{"$numberDouble":"NaN"}`},
		{`{"$ln":-1}`, `!$ln's argument must be a positive number, but is -1`},
		{`{"$log10":0.001}`, `-3.0`},
		{`{"$log10":0}`, `!$log10's argument must be a positive number, but is 0`},
		{`{"$log":[100,10]}`, `2.0`},
		{`{"$log":[-1,10]}`, `!$log's argument must be a positive number, but is -1`},
		{`{"$log":[8,0]}`, `!$log's base must be a positive number not equal to 1, but is 0`},
		{`{"$log":["x",2]}`, `!$log's argument must be numeric, not string`},
		{`{"$log":[2,"x"]}`, `!$log's base must be numeric, not string`},
		{`{"$abs":-0.0}`, `0.0`},
		{`{"$abs":{"$numberDecimal":"-2.50"}}`, `{"$numberDecimal":"2.50"}`},
		{`{"$ceil":-0.5}`, `-0.0`},
		{`{"$floor":{"$numberDecimal":"-1.5"}}`, `{"$numberDecimal":"-2"}`},
		{`{"$ceil":{"$numberDecimal":"-1.5"}}`, `{"$numberDecimal":"-1"}`},
		{`{"$floor":7}`, `7`},
	})
}

func TestAggOpsDateArithmetic(t *testing.T) {
	// $add with one date is a date; fractional milliseconds round
	runAggExprCases(t, `{"d":{"$date":1000},"e":{"$date":400}}`, []aggExprCase{
		{`{"$add":["$d",1]}`, `{"$date":1001}`},
		{`{"$add":[1,"$d",2]}`, `{"$date":1003}`},
		{`{"$add":["$d",-1000]}`, `{"$date":0}`},
		{`{"$add":["$d",1.6]}`, `{"$date":1002}`},
		{`{"$add":["$d",{"$numberDecimal":"2.4"}]}`, `{"$date":1002}`},
		{`{"$add":["$d","$e"]}`, `!only one date allowed in an $add expression`},
		{`{"$add":["$d",{"$numberDouble":"Infinity"}]}`, `!can't add a non-finite`},
		{`{"$subtract":["$d","$e"]}`, `600`},
		{`{"$subtract":["$e","$d"]}`, `-600`},
		{`{"$subtract":["$d",1]}`, `{"$date":999}`},
		{`{"$subtract":["$d","x"]}`, `!can't $subtract string from date`},
		{`{"$subtract":[1,"$d"]}`, `!can't $subtract date from int`},
		{`{"$multiply":["$d",1]}`, `!$multiply only supports numeric types, not date`},
	})
}

func TestAggOpsComparisonAcrossTypes(t *testing.T) {
	// BSON order: MinKey < null < numbers < strings < objects < arrays < binData <
	// ObjectId < bool < date < timestamp < regex < MaxKey
	order := []string{
		`{"$minKey":1}`,
		`null`,
		`{"$numberDouble":"NaN"}`,
		`-1e308`,
		`0`,
		`{"$numberDecimal":"0.5"}`,
		`1`,
		`""`,
		`"a"`,
		`"b"`,
		`{"$literal":{}}`,
		`{"$literal":{"a":1}}`,
		`{"$literal":{"b":0}}`,
		`{"$literal":{"a":"x"}}`,
		`{"$literal":[]}`,
		`{"$literal":[0,5]}`,
		`{"$literal":[1]}`,
		`{"$binary":{"base64":"","subType":"00"}}`,
		`{"$oid":"000000000000000000000000"}`,
		`{"$oid":"5ab9cbfa31c2ab715d42129e"}`,
		`false`,
		`true`,
		`{"$date":-1}`,
		`{"$date":0}`,
		`{"$timestamp":{"t":0,"i":0}}`,
		`{"$timestamp":{"t":0,"i":1}}`,
		`{"$regularExpression":{"pattern":"a","options":""}}`,
		`{"$maxKey":1}`,
	}
	var cases []aggExprCase
	for i := range order {
		for j := range order {
			want := `0`
			switch {
			case i < j:
				want = `-1`
			case i > j:
				want = `1`
			}
			cases = append(cases, aggExprCase{`{"$cmp":[` + order[i] + `,` + order[j] + `]}`, want})
		}
	}
	runAggExprCases(t, `{}`, cases)
}

func TestAggOpsComparisonValues(t *testing.T) {
	runAggExprCases(t, `{"n":null,"a":[1,2]}`, []aggExprCase{
		// numbers compare by value across types, exactly for large longs
		{`{"$eq":[1,{"$numberDecimal":"1.00"}]}`, `true`},
		{`{"$eq":[{"$numberLong":"5"},5.0]}`, `true`},
		{`{"$cmp":[9007199254740993,9007199254740992.0]}`, `1`},
		{`{"$eq":[{"$numberDouble":"NaN"},{"$numberDouble":"NaN"}]}`, `true`},
		{`{"$lt":[{"$numberDouble":"NaN"},{"$numberDouble":"-Infinity"}]}`, `true`},
		// strings compare by bytes (no collation)
		{`{"$lt":["B","a"]}`, `true`},
		{`{"$lt":["a","é"]}`, `true`},
		// arrays compare element-wise, then by length; they are not traversed
		{`{"$gt":["$a",[1]]}`, `true`},
		{`{"$lt":["$a",[1,3]]}`, `true`},
		{`{"$eq":["$a",1]}`, `false`},
		{`{"$gt":["$a",100]}`, `true`},
		// documents compare field by field: type, then name, then value
		{`{"$lt":[{"$literal":{"a":5}},{"$literal":{"a":"x"}}]}`, `true`},
		{`{"$lt":[{"$literal":{"a":1}},{"$literal":{"a":1,"b":1}}]}`, `true`},
		{`{"$eq":[{"$literal":{"a":1,"b":2}},{"$literal":{"b":2,"a":1}}]}`, `false`},
		// missing sorts below null, and MinKey below missing
		{`{"$eq":["$missing","$n"]}`, `false`},
		{`{"$lt":["$missing","$n"]}`, `true`},
		{`{"$gt":["$missing",{"$minKey":1}]}`, `true`},
		{`{"$eq":["$missing","$alsoMissing"]}`, `true`},
		{`{"$ne":["$n",null]}`, `false`},
		{`{"$lte":[null,0]}`, `true`},
		{`{"$gte":["",0]}`, `true`},
		{`{"$gt":[true,{"$date":0}]}`, `false`},
		{`{"$cmp":[1]}`, `!Expression $cmp takes exactly 2 arguments. 1 were passed in.`},
	})
}

func TestAggOpsBooleanAndConditional(t *testing.T) {
	runAggExprCases(t, `{"z":0,"e":"","n":null,"arr":[],"nan":{"$numberDouble":"NaN"},"dz":{"$numberDecimal":"0"}}`, []aggExprCase{
		// truthiness: false, null, missing and every kind of zero are false
		{`{"$and":["$z"]}`, `false`},
		{`{"$and":["$dz"]}`, `false`},
		{`{"$and":["$n"]}`, `false`},
		{`{"$and":["$missing"]}`, `false`},
		{`{"$and":["$e"]}`, `true`},
		{`{"$and":["$arr"]}`, `true`},
		{`{"$and":["$nan"]}`, `true`},
		{`{"$and":[{"$literal":{}}]}`, `true`},
		{`{"$not":"$missing"}`, `true`},
		{`{"$not":[-0.0]}`, `true`},
		{`{"$or":[0,"$e"]}`, `true`},
		// short-circuit: later operands are not evaluated
		{`{"$and":[false,{"$divide":[1,0]}]}`, `false`},
		{`{"$and":[true,{"$divide":[1,0]}]}`, `!can't $divide by zero`},
		// $cond and $switch only evaluate the branch they take
		{`{"$cond":["$e","yes","no"]}`, `"yes"`},
		{`{"$cond":["$z",{"$divide":[1,0]},"no"]}`, `"no"`},
		{`{"$cond":{"else":3,"then":2,"if":"$missing"}}`, `3`},
		{`{"$cond":{"if":true,"then":"$missing","else":1}}`, `missing`},
		{`{"$switch":{"branches":[{"case":"$z","then":{"$divide":[1,0]}},{"case":"$e","then":"s"}]}}`, `"s"`},
		{`{"$switch":{"branches":[{"case":false,"then":1}],"default":"$missing"}}`, `missing`},
		{`{"$switch":{"branches":{"case":true,"then":1}}}`, `!$switch expected an array for 'branches', found: object`},
		{`{"$switch":{"branches":[1]}}`, `!$switch expected each branch to be an object, found: int`},
		{`{"$switch":{"branches":[{"then":1}]}}`, `!$switch requires each branch have a 'case' expression`},
		{`{"$switch":{"default":1}}`, `!$switch requires at least one branch`},
		// $ifNull: the first operand that is neither null nor missing; false and 0 count
		{`{"$ifNull":["$n","$missing","$z"]}`, `0`},
		{`{"$ifNull":[false,1]}`, `false`},
		{`{"$ifNull":["$missing",null]}`, `null`},
		{`{"$ifNull":["$e",{"$divide":[1,0]}]}`, `""`},
	})
}

func TestAggOpsStringsUTF8(t *testing.T) {
	// "h€llo😀" is 6 code points and 1+3+3+4 = 11 bytes
	runAggExprCases(t, `{"s":"h€llo😀","n":null}`, []aggExprCase{
		{`{"$strLenCP":"$s"}`, `6`},
		{`{"$strLenBytes":"$s"}`, `11`},
		{`{"$strLenCP":""}`, `0`},
		{`{"$strLenBytes":"$missing"}`, `!$strLenBytes requires a string argument, found: missing`},
		{`{"$strLenCP":1}`, `!$strLenCP requires a string argument, found: int`},
		{`{"$substrCP":["$s",1,1]}`, `"€"`},
		{`{"$substrCP":["$s",5,1]}`, `"😀"`},
		{`{"$substrCP":["$s",5,100]}`, `"😀"`},
		{`{"$substrCP":["$s",100,1]}`, `""`},
		{`{"$substrCP":["$s",0,0]}`, `""`},
		{`{"$substrCP":["$n",0,1]}`, `""`},
		{`{"$substrCP":[12345,1,2]}`, `"23"`},
		{`{"$substrCP":["$s",1.0,2.0]}`, `"€l"`},
		{`{"$substrCP":["$s","1",2]}`, `!$substrCP: starting index must be a numeric type (is BSON type string)`},
		{`{"$substrCP":["$s",0,1.5]}`, `!$substrCP: length cannot be represented as a 32-bit integral value`},
		{`{"$substrBytes":["$s",1,3]}`, `"€"`},
		{`{"$substrBytes":["$s",7,4]}`, `"😀"`},
		{`{"$substrBytes":["$s",1,2]}`, `!ending index is in the middle of a UTF-8 character`},
		{`{"$substrBytes":["$s",2,2]}`, `!starting index is a UTF-8 continuation byte`},
		{`{"$substrBytes":["$s",1,-1]}`, `"€llo😀"`},
		{`{"$substrBytes":["$s",-1,2]}`, `""`},
		{`{"$substrBytes":["$s",11,2]}`, `""`},
		{`{"$substr":["abc",1.7,1]}`, `"b"`},
		{`{"$substr":[{"$date":0},0,4]}`, `"1970"`},
		{`{"$substr":[[1],0,1]}`, `!$substr: can't convert from BSON type array to String`},
		{`{"$indexOfCP":["$s","l"]}`, `2`},
		{`{"$indexOfBytes":["$s","l"]}`, `4`},
		{`{"$indexOfCP":["$s","😀"]}`, `5`},
		{`{"$indexOfBytes":["$s","😀"]}`, `7`},
		{`{"$indexOfCP":["$s","l",3]}`, `3`},
		{`{"$indexOfCP":["$s","l",4]}`, `-1`},
		{`{"$indexOfCP":["$s","l",0,3]}`, `2`},
		{`{"$indexOfCP":["$s","l",0,2]}`, `-1`},
		{`{"$indexOfCP":["$s","l",4,2]}`, `-1`},
		{`{"$indexOfCP":["$s",""]}`, `0`},
		{`{"$indexOfCP":["$s","",6]}`, `6`},
		{`{"$indexOfCP":["$s","l",1.5]}`, `!$indexOfCP requires an integral starting index`},
		{`{"$indexOfBytes":["$s","l",0,-1]}`, `!$indexOfBytes requires a nonnegative ending index, found: -1`},
		{`{"$indexOfBytes":["$s",null]}`, `!$indexOfBytes requires a string as the second argument, found: null`},
		{`{"$indexOfBytes":[1,"a"]}`, `!$indexOfBytes requires a string as the first argument, found: int`},
		{`{"$indexOfBytes":["$missing","a"]}`, `null`},
		// case changes are ASCII only, as documented by MongoDB
		{`{"$toUpper":"$s"}`, `"H€LLO😀"`},
		{`{"$toUpper":"éa"}`, `"éA"`},
		{`{"$toLower":"ÉA"}`, `"Éa"`},
		{`{"$toLower":1.5}`, `"1.5"`},
		{`{"$toLower":"$missing"}`, `""`},
		{`{"$strcasecmp":["ÉA","Éa"]}`, `0`},
		{`{"$strcasecmp":["É","é"]}`, `-1`},
		{`{"$strcasecmp":["$missing",""]}`, `0`},
		{`{"$strcasecmp":[[1],""]}`, `!$strcasecmp: can't convert from BSON type array to String`},
		{`{"$split":["$s","€"]}`, `["h","llo😀"]`},
		{`{"$split":["",","]}`, `[""]`},
		{`{"$split":[",a,",","]}`, `["","a",""]`},
		{`{"$split":["abc","abcd"]}`, `["abc"]`},
		{`{"$split":["$missing",","]}`, `null`},
		{`{"$split":["a",1]}`, `!$split requires an expression that evaluates to a string as a second argument, found: int`},
		{`{"$concat":[]}`, `""`},
		{`{"$concat":["$s","!"]}`, `"h€llo😀!"`},
		{`{"$concat":["a",null,1]}`, `null`},
		{`{"$concat":["a",1,null]}`, `!$concat only supports strings, not int`},
	})
}

func TestAggOpsTrimAndReplace(t *testing.T) {
	runAggExprCases(t, `{"n":null}`, []aggExprCase{
		{`{"$trim":{"input":"\u0000\t x \u00a0\u2000\u200a"}}`, `"x"`},
		{`{"$strLenCP":{"$trim":{"input":"\u200bx"}}}`, `2`}, // U+200B is not whitespace
		{`{"$ltrim":{"input":"  x  "}}`, `"x  "`},
		{`{"$rtrim":{"input":"  x  "}}`, `"  x"`},
		{`{"$trim":{"input":"€€x€","chars":"€"}}`, `"x"`},
		{`{"$trim":{"input":"abcxcba","chars":"cab"}}`, `"x"`},
		{`{"$trim":{"input":"x","chars":""}}`, `"x"`},
		{`{"$trim":{"input":"x","chars":null}}`, `null`},
		{`{"$trim":{"input":"x","chars":1}}`, `!$trim requires 'chars' to be a string`},
		{`{"$trim":{"input":"$missing","chars":1}}`, `null`},
		{`{"$replaceAll":{"input":"aaa","find":"a","replacement":"bb"}}`, `"bbbbbb"`},
		{`{"$replaceAll":{"input":"aaa","find":"aa","replacement":"b"}}`, `"ba"`},
		{`{"$replaceAll":{"input":"abc","find":"","replacement":"-"}}`, `"-a-b-c-"`},
		{`{"$replaceOne":{"input":"abc","find":"","replacement":"-"}}`, `"-abc"`},
		{`{"$replaceOne":{"input":"abc","find":"z","replacement":"-"}}`, `"abc"`},
		{`{"$replaceAll":{"input":"abc","find":"$n","replacement":"-"}}`, `null`},
		{`{"$replaceAll":{"input":"abc","find":"b","replacement":"$missing"}}`, `null`},
		{`{"$replaceAll":{"input":1,"find":"b","replacement":"c"}}`, `!$replaceAll requires that 'input' be a string, found: 1`},
		{`{"$replaceAll":{"input":"a","find":"b"}}`, `!Missing 'replacement' parameter to $replaceAll`},
		{`{"$regexMatch":{"input":"ABC","regex":"b","options":"i"}}`, `true`},
		{`{"$regexMatch":{"input":"a\nb","regex":"^b","options":"m"}}`, `true`},
		{`{"$regexMatch":{"input":"a\nb","regex":"^b"}}`, `false`},
		{`{"$regexMatch":{"input":"a\nb","regex":"a.b","options":"s"}}`, `true`},
		{`{"$regexMatch":{"input":"x","regex":"$n"}}`, `false`},
		{`{"$regexMatch":{"input":1,"regex":"1"}}`, `!$regexMatch needs 'input' to be of type string`},
		{`{"$regexMatch":{"input":"a","regex":1}}`, `!$regexMatch needs 'regex' to be of type string or regex`},
		{`{"$regexMatch":{"input":"a","regex":{"$regularExpression":{"pattern":"a","options":"i"}},"options":"m"}}`, `!'regex' options cannot be specified in both BSON regex and 'options' field`},
	})
}

func TestAggOpsArrays(t *testing.T) {
	runAggExprCases(t, `{"a":[1,2,3,4,5],"e":[],"n":null,"nested":[[1,2],[3]]}`, []aggExprCase{
		// $slice: negative counts from the end; positions past the ends clamp
		{`{"$slice":["$a",0]}`, `[]`},
		{`{"$slice":["$a",-2]}`, `[4,5]`},
		{`{"$slice":["$a",-10]}`, `[1,2,3,4,5]`},
		{`{"$slice":["$a",10]}`, `[1,2,3,4,5]`},
		{`{"$slice":["$a",-2,10]}`, `[4,5]`},
		{`{"$slice":["$a",-10,2]}`, `[1,2]`},
		{`{"$slice":["$a",5,1]}`, `[]`},
		{`{"$slice":["$a",1,null]}`, `null`},
		{`{"$slice":["$a",1.5]}`, `!Second argument to $slice must be a numeric value representable as a 32-bit integer`},
		{`{"$slice":["$a",1,-1]}`, `!Third argument to $slice must be positive`},
		{`{"$slice":[1,1]}`, `!First argument to $slice must be an array, but is of type: int`},
		// $arrayElemAt: out of range is missing, negative counts from the end
		{`{"$arrayElemAt":["$a",-5]}`, `1`},
		{`{"$arrayElemAt":["$a",-6]}`, `missing`},
		{`{"$arrayElemAt":["$a",5]}`, `missing`},
		{`{"$arrayElemAt":["$e",0]}`, `missing`},
		{`{"$arrayElemAt":["$a","$missing"]}`, `null`},
		{`{"$arrayElemAt":["$a","1"]}`, `!$arrayElemAt's second argument must be a numeric value, but is string`},
		{`{"$arrayElemAt":[["$missing"],0]}`, `null`},
		{`{"$first":"$nested"}`, `[1,2]`},
		{`{"$last":[[]]}`, `missing`},
		{`{"$size":"$e"}`, `0`},
		{`{"$size":"$n"}`, `!The argument to $size must be an array. Type of argument: null`},
		{`{"$size":"x"}`, `!The argument to $size must be an array. Type of argument: string`},
		// $in: the second operand must be an array, whatever the first
		{`{"$in":[2,"$a"]}`, `true`},
		{`{"$in":[2.0,"$a"]}`, `true`},
		{`{"$in":[[1,2],"$nested"]}`, `true`},
		{`{"$in":[1,"$nested"]}`, `false`},
		{`{"$in":[null,[null]]}`, `true`},
		{`{"$in":["$missing",[null]]}`, `false`},
		{`{"$in":[1,"$n"]}`, `!$in requires an array as a second argument, found: null`},
		{`{"$in":[1,2]}`, `!$in requires an array as a second argument, found: int`},
		{`{"$in":[1]}`, `!Expression $in takes exactly 2 arguments. 1 were passed in.`},
		// $indexOfArray
		{`{"$indexOfArray":["$a",3]}`, `2`},
		{`{"$indexOfArray":["$a",3.0]}`, `2`},
		{`{"$indexOfArray":["$a",3,3]}`, `-1`},
		{`{"$indexOfArray":["$a",3,0,2]}`, `-1`},
		{`{"$indexOfArray":["$a",3,10]}`, `-1`},
		{`{"$indexOfArray":["$a",3,2,1]}`, `-1`},
		{`{"$indexOfArray":["$nested",[3]]}`, `1`},
		{`{"$indexOfArray":["$missing",3]}`, `null`},
		{`{"$indexOfArray":["$a",3,-1]}`, `!$indexOfArray requires a nonnegative starting index, found: -1`},
		{`{"$indexOfArray":["x",3]}`, `!$indexOfArray requires an array as a first argument, found: string`},
		// $range: exclusive end, negative steps count down
		{`{"$range":[0,10,3]}`, `[0,3,6,9]`},
		{`{"$range":[-5,5,3]}`, `[-5,-2,1,4]`},
		{`{"$range":[5,-5,-3]}`, `[5,2,-1,-4]`},
		{`{"$range":[10,0,-5]}`, `[10,5]`},
		{`{"$range":[0,0]}`, `[]`},
		{`{"$range":[1,0]}`, `[]`},
		{`{"$range":[0,3,1.0]}`, `[0,1,2]`},
		{`{"$range":[null,3]}`, `!$range requires a numeric starting value, found value of type: null`},
		{`{"$range":[0,"3"]}`, `!$range requires a numeric ending value, found value of type: string`},
		{`{"$range":[0,3,0.5]}`, `!$range requires a step value that can be represented as a 32-bit integer`},
		{`{"$range":[0,3,0]}`, `!$range requires a non-zero step value`},
		// $reverseArray and $concatArrays
		{`{"$reverseArray":"$e"}`, `[]`},
		{`{"$reverseArray":"$nested"}`, `[[3],[1,2]]`},
		{`{"$reverseArray":"$missing"}`, `null`},
		{`{"$concatArrays":[]}`, `[]`},
		{`{"$concatArrays":["$nested","$e",[[4]]]}`, `[[1,2],[3],[4]]`},
		{`{"$concatArrays":["$a","$missing"]}`, `null`},
		{`{"$isArray":[[]]}`, `true`},
		{`{"$isArray":"$n"}`, `false`},
		{`{"$isArray":[1,2]}`, `!Expression $isArray takes exactly 1 arguments. 2 were passed in.`},
	})
}

func TestAggOpsFilterMapReduce(t *testing.T) {
	runAggExprCases(t, `{"a":[1,2,3,4],"docs":[{"k":"x","v":1},{"k":"y","v":2},{"v":3}],"n":null,"m":10}`, []aggExprCase{
		{`{"$filter":{"input":"$a","cond":{"$eq":[{"$mod":["$$this",2]},0]}}}`, `[2,4]`},
		{`{"$filter":{"input":"$a","as":"x","cond":{"$gt":["$$x","$$ROOT.a.1"]}}}`, `[]`},
		{`{"$filter":{"input":"$a","as":"x","cond":{"$gt":["$$x",{"$divide":["$m",5]}]}}}`, `[3,4]`},
		{`{"$filter":{"input":"$docs","cond":"$$this.k"}}`, `[{"k":"x","v":1},{"k":"y","v":2}]`},
		{`{"$filter":{"input":"$a","cond":true,"limit":2}}`, `[1,2]`},
		{`{"$filter":{"input":"$a","cond":true,"limit":null}}`, `[1,2,3,4]`},
		{`{"$filter":{"input":"$a","cond":{"$gt":["$$this",9]},"limit":1}}`, `[]`},
		{`{"$filter":{"input":"$a","cond":true,"limit":-1}}`, `!$filter: limit must be greater than 0`},
		{`{"$filter":{"input":"$a","cond":true,"limit":1.5}}`, `!$filter: limit must be represented as a 32-bit integral value`},
		{`{"$filter":{"input":"$missing","cond":true}}`, `null`},
		{`{"$filter":{"input":"$a","as":"x","cond":"$$this"}}`, `!Use of undefined variable: this`},
		{`{"$filter":{"input":"$a","cond":true,"x":1}}`, `!Unrecognized parameter to $filter: x`},
		{`{"$filter":{"input":"$a","as":1,"cond":true}}`, `!$filter: 'as' must be a string`},
		{`{"$map":{"input":"$docs","in":"$$this.k"}}`, `["x","y",null]`},
		{`{"$map":{"input":"$a","as":"x","in":{"$add":["$$x","$m"]}}}`, `[11,12,13,14]`},
		{`{"$map":{"input":"$a","in":"$$REMOVE"}}`, `[null,null,null,null]`},
		{`{"$map":{"input":[],"in":{"$divide":[1,0]}}}`, `[]`},
		{`{"$map":{"input":"$n","in":1}}`, `null`},
		{`{"$map":{"input":"x","in":1}}`, `!input to $map must be an array not string`},
		{`{"$map":{"input":"$a"}}`, `!Missing 'in' parameter to $map`},
		// nested iterators: an inner $$this shadows the outer one, named variables do not
		{`{"$map":{"input":[1,2],"in":{"$map":{"input":[10,20],"in":"$$this"}}}}`, `[[10,20],[10,20]]`},
		{`{"$map":{"input":[1,2],"as":"o","in":{"$map":{"input":[10,20],"in":{"$add":["$$o","$$this"]}}}}}`, `[[11,21],[12,22]]`},
		// $reduce: $$value starts at initialValue, $$this walks the input
		{`{"$reduce":{"input":"$a","initialValue":0,"in":{"$add":["$$value","$$this"]}}}`, `10`},
		{`{"$reduce":{"input":"$a","initialValue":1,"in":{"$multiply":["$$value","$$this"]}}}`, `24`},
		{`{"$reduce":{"input":[[1,2],[3]],"initialValue":[],"in":{"$concatArrays":["$$value","$$this"]}}}`, `[1,2,3]`},
		{`{"$reduce":{"input":"$docs","initialValue":"","in":{"$concat":["$$value",{"$ifNull":["$$this.k","-"]}]}}}`, `"xy-"`},
		{`{"$reduce":{"input":[],"initialValue":{"$literal":{"s":0}},"in":1}}`, `{"s":0}`},
		{`{"$reduce":{"input":"$missing","initialValue":0,"in":1}}`, `null`},
		{`{"$reduce":{"input":1,"initialValue":0,"in":1}}`, `!$reduce requires input to be an array, not int`},
		{`{"$reduce":{"input":[1],"initialValue":0}}`, `!Missing 'in' parameter to $reduce`},
		{`{"$reduce":{"input":[1],"initialValue":0,"in":"$$x"}}`, `!Use of undefined variable: x`},
	})
}

func TestAggOpsSets(t *testing.T) {
	// set operators return sorted, de-duplicated arrays (MongoDB leaves the order
	// unspecified); numbers of any type are one value
	runAggExprCases(t, `{"n":null}`, []aggExprCase{
		{`{"$setUnion":[[3,1,2],[2.0,{"$numberLong":"4"}]]}`, `[1,2,3,4]`},
		{`{"$setUnion":[]}`, `[]`},
		{`{"$setUnion":[[1,"1",[1],{"a":1},null]]}`, `[null,1,"1",{"a":1},[1]]`},
		{`{"$setUnion":[[1],"$missing"]}`, `null`},
		{`{"$setIntersection":[[1,2,2],[2.0,3]]}`, `[2]`},
		{`{"$setIntersection":[[1,2],[]]}`, `[]`},
		{`{"$setIntersection":[[1],"$n"]}`, `null`},
		{`{"$setDifference":[[1,2,2,3],[]]}`, `[1,2,3]`},
		{`{"$setDifference":[[1,2,3],[2.0]]}`, `[1,3]`},
		{`{"$setDifference":[[1],"$missing"]}`, `null`},
		{`{"$setDifference":[1,[1]]}`, `!both operands of $setDifference must be arrays. First argument is of type: int`},
		{`{"$setEquals":[[1,1,2],[2,1],[2.0,1.0]]}`, `true`},
		{`{"$setEquals":[[],[]]}`, `true`},
		{`{"$setEquals":[[1]]}`, `!Expression $setEquals takes at least 2 arguments, but 1 were passed in.`},
		{`{"$setIsSubset":[[],[1]]}`, `true`},
		{`{"$setIsSubset":[[[1]],[1]]}`, `false`},
		{`{"$setIsSubset":["$missing",[1]]}`, `!both operands of $setIsSubset must be arrays. First argument is of type: missing`},
		{`{"$anyElementTrue":[[[]]]}`, `true`},
		{`{"$anyElementTrue":[[0,"$missing",false]]}`, `false`},
		{`{"$allElementsTrue":[[1,"",[0]]]}`, `true`},
		{`{"$anyElementTrue":"$n"}`, `!$anyElementTrue's argument must be an array, but is null`},
	})
}

func TestAggOpsObjectsAndFields(t *testing.T) {
	runAggExprCases(t, `{"o":{"a":1,"b":{"c":2}},"n":null,"weird":{"a.b":1,"$x":2}}`, []aggExprCase{
		{`{"$mergeObjects":[]}`, `{}`},
		{`{"$mergeObjects":["$o",{"a":"$missing"}]}`, `{"a":1,"b":{"c":2}}`},
		{`{"$mergeObjects":["$o",{"b":5}]}`, `{"a":1,"b":5}`},
		{`{"$mergeObjects":["$missing","$n"]}`, `{}`},
		{`{"$objectToArray":"$o"}`, `[{"k":"a","v":1},{"k":"b","v":{"c":2}}]`},
		{`{"$objectToArray":{"$literal":{}}}`, `[]`},
		{`{"$objectToArray":"$missing"}`, `null`},
		{`{"$arrayToObject":[[]]}`, `{}`},
		{`{"$arrayToObject":{"$objectToArray":"$o"}}`, `{"a":1,"b":{"c":2}}`},
		{`{"$arrayToObject":[[["a",1],["b",2],["a",3]]]}`, `{"a":3,"b":2}`},
		{`{"$arrayToObject":[[{"v":1,"k":"a"}]]}`, `{"a":1}`},
		{`{"$arrayToObject":[[["a",1,2]]]}`, `!$arrayToObject requires an array of size 2 arrays`},
		{`{"$arrayToObject":[[[1,2]]]}`, `!where the key must be of type string. Found key type: int`},
		{`{"$arrayToObject":[[{"k":"a"}]]}`, `!$arrayToObject requires an object keys of 'k' and 'v'`},
		{`{"$arrayToObject":[[{"k":"a","x":1}]]}`, `!Missing either or both keys`},
		{`{"$arrayToObject":[[1]]}`, `!$arrayToObject requires an array of size 2 arrays or an array of objects`},
		{`{"$arrayToObject":[[["a\u0000b",1]]]}`, `!Key field cannot contain an embedded null byte`},
		{`{"$arrayToObject":"x"}`, `!$arrayToObject requires an array input, found: string`},
		// $getField reads fields that paths cannot name
		{`{"$getField":{"field":"a.b","input":"$weird"}}`, `1`},
		{`{"$getField":{"field":"$x","input":"$weird"}}`, `2`},
		{`{"$getField":{"field":"c","input":"$o.b"}}`, `2`},
		{`{"$getField":{"field":"a","input":"$missing"}}`, `null`},
		{`{"$getField":{"field":"a","input":5}}`, `!$getField requires 'input' to evaluate to type Object, but got int`},
		{`{"$getField":{"field":1}}`, `!$getField requires 'field' to evaluate to a constant string`},
		{`{"$getField":{"input":"$o"}}`, `!Missing 'field' parameter to $getField`},
	})
}

func TestAggOpsTypeConversion(t *testing.T) {
	runAggExprCases(t, `{"n":null,"d":{"$date":1500},"ts":{"$timestamp":{"t":2,"i":1}},"o":{"$oid":"5ab9cbfa31c2ab715d42129e"}}`, []aggExprCase{
		// $toBool: only false, null-free zeros are false; strings are always true
		{`{"$toBool":"false"}`, `true`},
		{`{"$toBool":""}`, `true`},
		{`{"$toBool":-0.0}`, `false`},
		{`{"$toBool":{"$numberDecimal":"0"}}`, `false`},
		{`{"$toBool":{"$numberDouble":"NaN"}}`, `true`},
		{`{"$toBool":[[]]}`, `true`},
		{`{"$toBool":"$o"}`, `true`},
		{`{"$toBool":"$missing"}`, `null`},
		// $toInt/$toLong truncate doubles toward zero and check their range
		{`{"$toInt":2147483647.9}`, `2147483647`},
		{`{"$toInt":-2147483648.9}`, `-2147483648`},
		{`{"$toInt":2147483648}`, `!Conversion would overflow target type`},
		{`{"$toInt":{"$numberDecimal":"-7.9"}}`, `-7`},
		{`{"$toInt":{"$numberDouble":"NaN"}}`, `!Attempt to convert NaN value to integer type`},
		{`{"$toLong":{"$numberDouble":"-Infinity"}}`, `!Attempt to convert infinity value to integer type`},
		{`{"$toLong":9.3e18}`, `!Conversion would overflow target type`},
		{`{"$toLong":-9223372036854775808.0}`, `-9223372036854775808`},
		{`{"$toInt":"-0"}`, `0`},
		{`{"$toInt":"2147483648"}`, `!Failed to parse number '2147483648' in $convert with no onError value: Overflow`},
		{`{"$toInt":" 5"}`, `!Failed to parse number ' 5'`},
		{`{"$toLong":"0x10"}`, `!Failed to parse number '0x10'`},
		{`{"$toLong":"$ts"}`, `!Unsupported conversion from timestamp to long`},
		{`{"$toLong":"$d"}`, `1500`},
		// $toDouble
		{`{"$toDouble":".5"}`, `0.5`},
		{`{"$toDouble":"-1e3"}`, `-1000.0`},
		{`{"$toDouble":"Infinity"}`, `{"$numberDouble":"Infinity"}`},
		{`{"$toDouble":"0x10"}`, `!Failed to parse number '0x10'`},
		{`{"$toDouble":"1_000"}`, `!Failed to parse number '1_000'`},
		{`{"$toDouble":""}`, `!Failed to parse number ''`},
		{`{"$toDouble":"$d"}`, `1500.0`},
		{`{"$toDouble":"$o"}`, `!Unsupported conversion from objectId to double`},
		// $toDecimal
		{`{"$toDecimal":"1.50"}`, `{"$numberDecimal":"1.50"}`},
		{`{"$toDecimal":true}`, `{"$numberDecimal":"1"}`},
		{`{"$toDecimal":"$d"}`, `{"$numberDecimal":"1500"}`},
		{`{"$toDecimal":"abc"}`, `!Failed to parse number 'abc'`},
		// $toString
		{`{"$toString":0.1}`, `"0.1"`},
		{`{"$toString":100.0}`, `"100"`},
		{`{"$toString":-0.0}`, `"-0"`},
		{`{"$toString":2.5e-7}`, `"2.5e-07"`},
		{`{"$toString":{"$numberDouble":"-Infinity"}}`, `"-Infinity"`},
		{`{"$toString":{"$numberDouble":"NaN"}}`, `"NaN"`},
		{`{"$toString":{"$numberLong":"-9223372036854775808"}}`, `"-9223372036854775808"`},
		{`{"$toString":"$d"}`, `"1970-01-01T00:00:01.500Z"`},
		{`{"$toString":false}`, `"false"`},
		{`{"$toString":{"$literal":{"a":1}}}`, `!Unsupported conversion from object to string`},
		// $toDate
		{`{"$toDate":{"$numberLong":"-1100000000000"}}`, `{"$date":-1100000000000}`},
		{`{"$toDate":120000000000.5}`, `{"$date":120000000000}`},
		{`{"$toDate":{"$numberDecimal":"1253372036000.50"}}`, `{"$date":1253372036000}`},
		{`{"$toDate":"$ts"}`, `{"$date":2000}`},
		{`{"$toDate":"$o"}`, `{"$date":1522125818000}`},
		{`{"$toDate":"2018-03-03"}`, `{"$date":1520035200000}`},
		{`{"$toDate":"2018-03-20T12:00:00Z"}`, `{"$date":1521547200000}`},
		{`{"$toDate":"2018-03-20T12:00:00+0500"}`, `{"$date":1521529200000}`},
		{`{"$toDate":"2018-03-20T12:00:00.25-01:00"}`, `{"$date":1521550800250}`},
		{`{"$toDate":"2018-02-30"}`, `!Error parsing date string '2018-02-30'`},
		{`{"$toDate":"Friday"}`, `!Error parsing date string 'Friday'`},
		{`{"$toDate":true}`, `!Unsupported conversion from bool to date`},
		{`{"$toDate":{"$numberDouble":"Infinity"}}`, `!Conversion would overflow target type`},
		// $toObjectId
		{`{"$toObjectId":"$o"}`, `{"$oid":"5ab9cbfa31c2ab715d42129e"}`},
		{`{"$toObjectId":"5ab9cbfa31c2ab715d42129g"}`, `!Invalid character found in hex string`},
		{`{"$toObjectId":1}`, `!Unsupported conversion from int to objectId`},
		// $convert: onNull for null and missing input, onError for failed conversions,
		// numeric type codes
		{`{"$convert":{"input":"$missing","to":"int","onNull":"none"}}`, `"none"`},
		{`{"$convert":{"input":"$n","to":"int","onError":"bad"}}`, `null`},
		{`{"$convert":{"input":"x","to":"int","onError":"$missing"}}`, `missing`},
		{`{"$convert":{"input":"x","to":"int","onNull":0}}`, `!Failed to parse number 'x'`},
		{`{"$convert":{"input":1,"to":"$n"}}`, `null`},
		{`{"$convert":{"input":1,"to":1}}`, `1.0`},
		{`{"$convert":{"input":1,"to":2}}`, `"1"`},
		{`{"$convert":{"input":"5ab9cbfa31c2ab715d42129e","to":7}}`, `{"$oid":"5ab9cbfa31c2ab715d42129e"}`},
		{`{"$convert":{"input":1,"to":8}}`, `true`},
		{`{"$convert":{"input":5000000000,"to":9}}`, `{"$date":5000000000}`},
		{`{"$convert":{"input":"7","to":18}}`, `7`},
		{`{"$convert":{"input":1,"to":19}}`, `{"$numberDecimal":"1"}`},
		{`{"$convert":{"input":1,"to":3}}`, `!In $convert, numeric 'to' argument is not an integer or not a supported type: 3`},
		{`{"$convert":{"input":1,"to":"object"}}`, `!Unknown type name: object`},
		{`{"$convert":{"to":"int"}}`, `!Missing 'input' parameter to $convert`},
		{`{"$isNumber":{"$numberDecimal":"NaN"}}`, `true`},
		{`{"$isNumber":"1"}`, `false`},
		{`{"$isNumber":"$missing"}`, `false`},
		{`{"$type":{"$numberLong":"5000000000"}}`, `"long"`},
		{`{"$type":"$ts"}`, `"timestamp"`},
		{`{"$type":{"$regularExpression":{"pattern":"a","options":""}}}`, `"regex"`},
		{`{"$type":{"$binary":{"base64":"","subType":"00"}}}`, `"binData"`},
		{`{"$type":{"$minKey":1}}`, `"minKey"`},
		{`{"$type":{"$maxKey":1}}`, `"maxKey"`},
		{`{"$type":true}`, `"bool"`},
	})
}

func TestAggOpsWorkLimits(t *testing.T) {
	runAggCases(t, []aggCase{
		{"split output", `[{"s":"x"}]`, `[{"$project":{"r":{"$size":{"$split":[{"$reduce":{"input":{"$range":[0,21]},"initialValue":",","in":{"$concat":["$$value","$$value"]}}},","]}}}}]`, `!aggregation would build an array of`},
		{"concat arrays output", `[{"a":1}]`, `[{"$project":{"r":{"$size":{"$concatArrays":[{"$range":[0,600000]},{"$range":[0,600000]}]}}}}]`, `!aggregation would build an array of 1200000 elements`},
		{"range not over budget", `[{"a":1}]`, `[{"$project":{"_id":0,"r":{"$size":{"$range":[0,1000000]}}}}]`, `[{"r":1000000}]`},
	})
}

// ---- former known differences from MongoDB, now fixed (regression tests) ----

func TestAggOpsSplitNullSeparator(t *testing.T) {
	// MongoDB's ExpressionSplit::evaluate returns null when either operand is nullish
	// ("if (inputArg.nullish() || separatorArg.nullish()) return Value(BSONNULL)");
	// aggSplit only checked the input and failed on a null separator.
	runAggExprCases(t, `{"n":null}`, []aggExprCase{
		{`{"$split":["a,b","$n"]}`, `null`},
		{`{"$split":["a,b","$missing"]}`, `null`},
	})
}

func TestAggOpsIndexOfStartPastEnd(t *testing.T) {
	// MongoDB docs ($indexOfBytes/$indexOfCP, Behavior): "If <start> is a number greater
	// than the length of the string, returns -1." aggIndexBounds clamped start to the
	// length, so an empty substring was "found" at the end.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$indexOfCP":["abc","",5]}`, `-1`},
		{`{"$indexOfBytes":["abc","",4]}`, `-1`},
		{`{"$indexOfCP":["abc","",3]}`, `3`}, // a start at the end still finds ""
		{`{"$indexOfArray":[[1,2],2,5]}`, `-1`},
	})
}

func TestAggOpsTrimDefaultSet(t *testing.T) {
	// MongoDB's default $trim set (str_trim_utils::kDefaultTrimWhitespaceChars) is
	// U+0000, space, \t \n \v \f \r, U+00A0, U+1680 and U+2000..U+200A; aggTrimDefault
	// also removed U+2028, U+2029, U+202F, U+205F and U+3000.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$strLenCP":{"$trim":{"input":"\u3000x\u3000"}}}`, `3`},
		{`{"$strLenCP":{"$ltrim":{"input":"\u202fx"}}}`, `2`},
		{`{"$strLenCP":{"$rtrim":{"input":"x\u2028"}}}`, `2`},
	})
}

func TestAggOpsToDecimalAcceptsGoSyntax(t *testing.T) {
	// aggConvert("decimal") validated a string with big.Float.SetString, which accepts
	// Go literal syntax (0x, 0b, 0o prefixes, '_' separators, "Inf"), and then stored the
	// string unchanged as the decimal: {$toDecimal: "0x10"} yielded the decimal "0x10",
	// which adds as 16 but compares as NaN (Decimal.Float cannot parse it). MongoDB
	// fails to parse such strings ("Failed to parse number '0x10' in $convert"). It does
	// accept "inf", "infinity" and "nan" in any case (Decimal128's validateInputString),
	// which now take their canonical spellings.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$toDecimal":"0x10"}`, `!Failed to parse number '0x10'`},
		{`{"$toDecimal":"1_000"}`, `!Failed to parse number '1_000'`},
		{`{"$toDecimal":"0b101"}`, `!Failed to parse number '0b101'`},
		{`{"$convert":{"input":"0x10","to":"decimal","onError":"bad"}}`, `"bad"`},
		{`{"$toDecimal":"."}`, `!Failed to parse number '.'`},
		{`{"$toDecimal":"1e"}`, `!Failed to parse number '1e'`},
		{`{"$toDecimal":"-Inf"}`, `{"$numberDecimal":"-Infinity"}`},
		{`{"$toDecimal":"NAN"}`, `{"$numberDecimal":"NaN"}`},
		{`{"$toDecimal":"-1.5E+3"}`, `{"$numberDecimal":"-1.5E+3"}`},
	})
}

func TestAggOpsRoundDoubleUsesShortestDecimal(t *testing.T) {
	// MongoDB rounds a double through Decimal128(double, kRoundTo34Digits), i.e. its exact
	// binary value (expression.cpp, evaluateRoundOrTrunc): 0.0125 is really
	// 0.01250000000000000069… and rounds up to 0.013 (also reported as MongoDB's answer
	// in kofrasa/mingo#305); 2.675 is 2.67499999999999982… and rounds to 2.67.
	// aggRoundFloat rounded the shortest decimal representation ("0.0125", "2.675") half
	// to even instead.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$round":[0.0125,3]}`, `0.013`},
		{`{"$round":[2.675,2]}`, `2.67`},
		{`{"$round":[1.015,2]}`, `1.01`},
		{`{"$round":[-2.675,2]}`, `-2.67`},
		// a decimal rounds on its own digits
		{`{"$round":[{"$numberDecimal":"2.675"},2]}`, `{"$numberDecimal":"2.68"}`},
	})
}

func TestAggOpsDoubleToDecimalPrecision(t *testing.T) {
	// MongoDB converts a double operand of decimal arithmetic with Value::coerceToDecimal,
	// i.e. Decimal128(double) whose default precision is kRoundTo15Digits: 0.2 becomes
	// 0.200000000000000 and {$add: [NumberDecimal("0.1"), 0.2]} is 0.3 exactly. aggBig
	// took the double's exact binary value, giving 0.3000000000000000111022302462515654.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$eq":[{"$subtract":[{"$add":[{"$numberDecimal":"0.1"},0.2]},{"$numberDecimal":"0.3"}]},0]}`, `true`},
		{`{"$eq":[{"$subtract":[{"$multiply":[{"$numberDecimal":"3"},0.1]},{"$numberDecimal":"0.3"}]},0]}`, `true`},
	})
}

func TestAggOpsToStringDoubleNotation(t *testing.T) {
	// MongoDB formats a double for $toString with fmt::format("{}", d) (performFormatDouble),
	// which switches to exponent notation below 1e-4 and from 1e16 (fmt's exp_lower = -4,
	// exp_upper = 16). aggFormatDouble used JavaScript's bounds (1e-6, 1e21).
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$toString":1e16}`, `"1e+16"`},
		{`{"$toString":1.5e20}`, `"1.5e+20"`},
		{`{"$toString":0.00001}`, `"1e-05"`},
	})
}

func TestAggOpsRoundArgumentOrder(t *testing.T) {
	// MongoDB's evaluateRoundOrTrunc checks the number first (null → null, non-number →
	// error) and only then the place. aggRound checked the place first.
	runAggExprCases(t, `{}`, []aggExprCase{
		{`{"$round":[null,"x"]}`, `null`},
		{`{"$trunc":["x",null]}`, `!$trunc only supports numeric types, not string`},
		{`{"$round":["x","y"]}`, `!$round only supports numeric types, not string`},
	})
}

func TestAggOpsGetFieldLiteralField(t *testing.T) {
	// MongoDB's $getField page: "field can be any valid expression that resolves to a
	// string constant. If field begins with a dollar sign ($), place the field name
	// inside of a $literal expression", e.g. {$getField: {field: {$literal: "$price"}}}.
	// aggCompileGetField only accepted a plain string, so the documented way to read a
	// $-prefixed field failed to compile.
	runAggExprCases(t, `{"o":{"$price":5},"$top":1}`, []aggExprCase{
		{`{"$getField":{"field":{"$literal":"$price"},"input":"$o"}}`, `5`},
		{`{"$getField":{"$literal":"$top"}}`, `1`},
	})
}

func TestAggOpsRoundLongOverflow(t *testing.T) {
	// MongoDB rounds integers through Decimal128 and fails when the result no longer
	// fits a long (evaluateRoundOrTrunc → assertFlagsValid, error 51080 "invalid
	// conversion from Decimal128 result in $round"); aggRound returned a double instead.
	runAggExprCases(t, `{"big":9223372036854775807}`, []aggExprCase{
		{`{"$round":["$big",-1]}`, `!invalid conversion from Decimal128 result in $round`},
		{`{"$round":["$big",-19]}`, `!invalid conversion from Decimal128 result in $round`},
		{`{"$trunc":["$big",-19]}`, `0`},
		{`{"$round":["$big",-20]}`, `0`},
		{`{"$round":[5000000000000000000,-19]}`, `0`}, // half to even
		{`{"$trunc":["$big",-1]}`, `9223372036854775800`},
	})
}
