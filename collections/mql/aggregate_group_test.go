package mql

import (
	"testing"
)

// Tests of aggregate_group.go: the $group accumulators, their expression forms, group
// keys and $group's validation.

func TestAggGroupSumAvg(t *testing.T) {
	runAggCases(t, []aggCase{
		// $sum and $avg ignore non-numbers (strings, bools, null, missing, arrays)
		{"non-numbers ignored",
			`[{"v":1},{"v":"2"},{"v":true},{"v":null},{},{"v":[3]},{"v":2.5}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"},"a":{"$avg":"$v"},"n":{"$sum":1}}}]`,
			`[{"_id":null,"s":3.5,"a":1.75,"n":7}]`},
		{"nothing numeric", `[{"v":"x"},{}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"},"a":{"$avg":"$v"}}}]`,
			`[{"_id":null,"s":0,"a":null}]`},
		// int sums stay integral, becoming long past 32 bits and double past 64
		{"int to long", `[{"v":2147483647},{"v":1}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"}}},{"$project":{"s":1,"t":{"$type":"$s"}}}]`,
			`[{"_id":null,"s":2147483648,"t":"long"}]`},
		{"long to double", `[{"v":9223372036854775807},{"v":9223372036854775807},{"v":-9223372036854775807}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"}}},{"$project":{"t":{"$type":"$s"}}}]`,
			`[{"_id":null,"t":"double"}]`},
		{"negative overflow", `[{"v":-9223372036854775808},{"v":-1}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"}}}]`,
			`[{"_id":null,"s":-9223372036854776000.0}]`},
		// a double makes the sum a double, a decimal makes it a decimal
		{"double sum", `[{"v":1},{"v":0.5}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"}}},{"$project":{"s":1,"t":{"$type":"$s"}}}]`,
			`[{"_id":null,"s":1.5,"t":"double"}]`},
		{"decimal sum and avg", `[{"v":{"$numberDecimal":"0.1"}},{"v":{"$numberDecimal":"0.2"}},{"v":1}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"},"a":{"$avg":"$v"}}}]`,
			`[{"_id":null,"s":{"$numberDecimal":"1.3"},"a":{"$numberDecimal":"0.4333333333333333333333333333333333"}}]`},
		// $avg of integers is a double
		{"avg of ints", `[{"v":1},{"v":2}]`,
			`[{"$group":{"_id":null,"a":{"$avg":"$v"}}},{"$project":{"a":1,"t":{"$type":"$a"}}}]`,
			`[{"_id":null,"a":1.5,"t":"double"}]`},
		// a constant $sum counts documents
		{"constant sum", `[{},{},{}]`,
			`[{"$group":{"_id":null,"n":{"$sum":1},"h":{"$sum":0.5},"c":{"$count":{}}}}]`,
			`[{"_id":null,"n":3,"h":1.5,"c":3}]`},
		{"NaN poisons sum", `[{"v":1},{"v":{"$numberDouble":"NaN"}}]`,
			`[{"$group":{"_id":null,"s":{"$sum":"$v"}}}]`,
			`[{"_id":null,"s":{"$numberDouble":"NaN"}}]`},
	})
}

func TestAggGroupMinMax(t *testing.T) {
	docs := `[{"v":"a"},{"v":5},{"v":null},{},{"v":[1,2]},{"v":{"x":1}},{"v":true},{"v":{"$date":0}}]`
	runAggCases(t, []aggCase{
		// $min/$max ignore null and missing and compare across types in BSON order; an
		// array is one value (not its elements)
		{"mixed types", docs,
			`[{"$group":{"_id":null,"mn":{"$min":"$v"},"mx":{"$max":"$v"}}}]`,
			`[{"_id":null,"mn":5,"mx":{"$date":0}}]`},
		{"strings and objects", `[{"v":"b"},{"v":{"a":1}},{"v":"a"}]`,
			`[{"$group":{"_id":null,"mn":{"$min":"$v"},"mx":{"$max":"$v"}}}]`,
			`[{"_id":null,"mn":"a","mx":{"a":1}}]`},
		{"only nulls", `[{"v":null},{}]`,
			`[{"$group":{"_id":null,"mn":{"$min":"$v"},"mx":{"$max":"$v"}}}]`,
			`[{"_id":null,"mn":null,"mx":null}]`},
		{"numbers of several types", `[{"v":2},{"v":1.5},{"v":{"$numberDecimal":"3"}},{"v":{"$numberLong":"-1"}}]`,
			`[{"$group":{"_id":null,"mn":{"$min":"$v"},"mx":{"$max":"$v"}}}]`,
			`[{"_id":null,"mn":-1,"mx":{"$numberDecimal":"3"}}]`},
		{"first equal wins", `[{"v":1,"i":1},{"v":1.0,"i":2}]`,
			`[{"$group":{"_id":null,"mn":{"$min":"$v"},"mx":{"$max":"$v"}}},{"$project":{"_id":0,"t":{"$type":"$mn"},"u":{"$type":"$mx"}}}]`,
			`[{"t":"int","u":"int"}]`},
	})
}

func TestAggGroupFirstLastPushAddToSet(t *testing.T) {
	docs := `[{"g":1,"v":"a"},{"g":1},{"g":1,"v":null},{"g":1,"v":"a"},{"g":1,"v":1},{"g":1,"v":1.0},{"g":1,"v":[1]},{"g":1,"v":"z"}]`
	runAggCases(t, []aggCase{
		// $first/$last take the first/last document's value, missing as null
		{"first and last", docs,
			`[{"$group":{"_id":"$g","f":{"$first":"$v"},"l":{"$last":"$v"}}}]`,
			`[{"_id":1,"f":"a","l":"z"}]`},
		{"last missing is null", `[{"g":1,"v":1},{"g":1}]`,
			`[{"$group":{"_id":"$g","f":{"$first":"$v"},"l":{"$last":"$v"}}}]`,
			`[{"_id":1,"f":1,"l":null}]`},
		{"first missing is null", `[{"g":1},{"g":1,"v":2}]`,
			`[{"$group":{"_id":"$g","f":{"$first":"$v"}}}]`,
			`[{"_id":1,"f":null}]`},
		// $push keeps order and nulls but skips missing values
		{"push", docs,
			`[{"$group":{"_id":"$g","p":{"$push":"$v"}}}]`,
			`[{"_id":1,"p":["a",null,"a",1,1.0,[1],"z"]}]`},
		// $addToSet de-duplicates by value (1 and 1.0 are one value), skipping missing
		{"addToSet", docs,
			`[{"$group":{"_id":"$g","s":{"$addToSet":"$v"}}}]`,
			`[{"_id":1,"s":["a",null,1,[1],"z"]}]`},
		{"push expressions", `[{"a":1,"b":2},{"a":3}]`,
			`[{"$group":{"_id":null,"p":{"$push":{"a":"$a","b":"$b"}},"q":{"$push":["$b"]}}}]`,
			`!The $push accumulator is a unary operator`},
		{"push documents", `[{"a":1,"b":2},{"a":3}]`,
			`[{"$group":{"_id":null,"p":{"$push":{"a":"$a","b":"$b"}}}}]`,
			`[{"_id":null,"p":[{"a":1,"b":2},{"a":3}]}]`},
		{"addToSet documents by value", `[{"a":{"x":1,"y":2}},{"a":{"x":1,"y":2}},{"a":{"y":2,"x":1}}]`,
			`[{"$group":{"_id":null,"s":{"$addToSet":"$a"}}}]`,
			`[{"_id":null,"s":[{"x":1,"y":2},{"y":2,"x":1}]}]`},
		{"sorted first", `[{"v":3},{"v":1},{"v":2}]`,
			`[{"$sort":{"v":1}},{"$group":{"_id":null,"f":{"$first":"$v"},"l":{"$last":"$v"}}}]`,
			`[{"_id":null,"f":1,"l":3}]`},
	})
}

func TestAggGroupStdDevAndMerge(t *testing.T) {
	runAggCases(t, []aggCase{
		{"population and sample", `[{"v":2},{"v":4},{"v":4},{"v":4},{"v":5},{"v":5},{"v":7},{"v":9}]`,
			`[{"$group":{"_id":null,"p":{"$stdDevPop":"$v"},"s":{"$stdDevSamp":"$v"}}}]`,
			`[{"_id":null,"p":2.0,"s":2.138089935299395}]`},
		{"no numbers", `[{"v":"x"}]`,
			`[{"$group":{"_id":null,"p":{"$stdDevPop":"$v"},"s":{"$stdDevSamp":"$v"}}}]`,
			`[{"_id":null,"p":null,"s":null}]`},
		{"merge later wins, nulls skipped", `[{"o":{"a":1,"b":1}},{"o":null},{},{"o":{"b":2,"c":3}}]`,
			`[{"$group":{"_id":null,"m":{"$mergeObjects":"$o"}}}]`,
			`[{"_id":null,"m":{"a":1,"b":2,"c":3}}]`},
		{"merge non-object", `[{"o":[1]}]`,
			`[{"$group":{"_id":null,"m":{"$mergeObjects":"$o"}}}]`,
			`!$mergeObjects requires object inputs`},
	})
}

func TestAggGroupKeys(t *testing.T) {
	runAggCases(t, []aggCase{
		// numbers group by value whatever their type; null and missing are one group
		{"numeric keys", `[{"k":1},{"k":1.0},{"k":{"$numberDecimal":"1.00"}},{"k":2},{"k":null},{}]`,
			`[{"$group":{"_id":"$k","n":{"$sum":1}}}]`,
			`[{"_id":1,"n":3},{"_id":2,"n":1},{"_id":null,"n":2}]`},
		// a document key is ordered: {a,b} and {b,a} are two groups; values compare
		// as values (2 and 2.0 are one)
		{"document keys", `[{"a":1,"b":2},{"b":2,"a":1},{"a":1,"b":2.0}]`,
			`[{"$group":{"_id":"$$ROOT","n":{"$sum":1}}},{"$project":{"_id":0,"n":1}}]`,
			`[{"n":2},{"n":1}]`},
		{"expression keys", `[{"a":1,"b":2},{"b":2,"a":1},{"a":1,"b":2.0}]`,
			`[{"$group":{"_id":{"a":"$a","b":"$b"},"n":{"$sum":1}}}]`,
			`[{"_id":{"a":1,"b":2},"n":3}]`},
		// missing fields are left out of an expression key
		{"missing in key", `[{"a":1},{"a":1,"b":null}]`,
			`[{"$group":{"_id":{"a":"$a","b":"$b"},"n":{"$sum":1}}}]`,
			`[{"_id":{"a":1},"n":1},{"_id":{"a":1,"b":null},"n":1}]`},
		// arrays group as whole values
		{"array keys", `[{"t":[1,2]},{"t":[1,2]},{"t":[2,1]},{"t":1}]`,
			`[{"$group":{"_id":"$t","n":{"$sum":1}}}]`,
			`[{"_id":[1,2],"n":2},{"_id":[2,1],"n":1},{"_id":1,"n":1}]`},
		{"strings differ by case", `[{"s":"a"},{"s":"A"},{"s":"a"}]`,
			`[{"$group":{"_id":"$s","n":{"$sum":1}}}]`,
			`[{"_id":"a","n":2},{"_id":"A","n":1}]`},
		{"constant key", `[{"a":1},{"a":2}]`,
			`[{"$group":{"_id":"all","s":{"$sum":"$a"}}}]`,
			`[{"_id":"all","s":3}]`},
		{"key expression error", `[{"a":0}]`,
			`[{"$group":{"_id":{"$divide":[1,"$a"]}}}]`,
			`!can't $divide by zero`},
		{"accumulator expression error", `[{"a":0}]`,
			`[{"$group":{"_id":null,"x":{"$sum":{"$divide":[1,"$a"]}}}}]`,
			`!can't $divide by zero`},
		{"only id", `[{"a":1},{"a":2},{"a":1}]`,
			`[{"$group":{"_id":"$a"}}]`,
			`[{"_id":1},{"_id":2}]`},
		{"variables in group", `[{"a":1}]`,
			`[{"$group":{"_id":null,"x":{"$push":{"$let":{"vars":{"y":"$a"},"in":{"$add":["$$y",1]}}}}}}]`,
			`[{"_id":null,"x":[2]}]`},
	})
}

func TestAggGroupErrors(t *testing.T) {
	docs := `[{"a":1}]`
	runAggCases(t, []aggCase{
		{"not object", docs, `[{"$group":1}]`, `!a group's fields must be specified in an object`},
		{"operator name", docs, `[{"$group":{"_id":null,"$x":{"$sum":1}}}]`, `!the group aggregate field name '$x' cannot be an operator name`},
		{"empty name", docs, `[{"$group":{"_id":null,"":{"$sum":1}}}]`, `!field names must not be empty`},
		{"empty accumulator", docs, `[{"$group":{"_id":null,"x":{}}}]`, `!The field 'x' must specify one accumulator`},
		{"expression not accumulator", docs, `[{"$group":{"_id":null,"x":{"$add":[1,2]}}}]`, `!unknown group operator '$add'`},
		{"count arg", docs, `[{"$group":{"_id":null,"x":{"$count":{"a":1}}}}]`, `!$count takes no arguments`},
		{"bad id expression", docs, `[{"$group":{"_id":{"$nope":1}}}]`, `!Unrecognized expression '$nope'`},
		{"bad accumulator expression", docs, `[{"$group":{"_id":null,"x":{"$sum":"$"}}}]`, `!'$' by itself is not a valid FieldPath`},
		{"bucket _id output", docs, `[{"$bucket":{"groupBy":"$a","boundaries":[0,5],"output":{"_id":{"$sum":1}}}}]`, `!$bucket output cannot hold an '_id' field`},
	})
}

func TestAggGroupExpressionForms(t *testing.T) {
	runAggExprCases(t, `{"a":[1,2,"x",null],"e":[],"n":null,"nested":[[1,2],[3]]}`, []aggExprCase{
		// one array operand: its elements; several operands: the operands themselves
		{`{"$sum":"$a"}`, `3`},
		{`{"$sum":["$a",5]}`, `5`},
		{`{"$sum":[1,2.5,{"$numberDecimal":"1"}]}`, `{"$numberDecimal":"4.5"}`},
		{`{"$sum":7}`, `7`},
		{`{"$sum":"x"}`, `0`},
		{`{"$sum":"$n"}`, `0`},
		{`{"$sum":"$missing"}`, `0`},
		{`{"$sum":[]}`, `0`},
		{`{"$avg":"$a"}`, `1.5`},
		{`{"$avg":[]}`, `null`},
		{`{"$avg":"$missing"}`, `null`},
		{`{"$avg":[2,"$missing",4]}`, `3.0`},
		{`{"$min":"$a"}`, `1`},
		{`{"$max":"$a"}`, `"x"`},
		{`{"$max":"$nested"}`, `[3]`},
		{`{"$max":["$nested",[5]]}`, `[[1,2],[3]]`}, // [1,2] > 5: arrays sort after numbers
		{`{"$min":"$e"}`, `null`},
		{`{"$min":[null,"$missing"]}`, `null`},
		{`{"$max":5}`, `5`},
		{`{"$stdDevPop":[1,3]}`, `1.0`},
		{`{"$stdDevSamp":[1,3]}`, `1.4142135623730951`},
		{`{"$stdDevSamp":[1]}`, `null`},
		{`{"$stdDevPop":"$e"}`, `null`},
		{`{"$first":"$missing"}`, `null`},
		{`{"$push":["$a"]}`, `!$push is an accumulator`},
	})
}
