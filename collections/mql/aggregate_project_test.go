package mql

import (
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Tests of aggregate_project.go ($project, $addFields/$set, $unset) and of $unwind.

func TestAggProjectModes(t *testing.T) {
	doc := `[{"_id":7,"a":1,"b":{"c":2,"d":3},"e":"x"}]`
	runAggCases(t, []aggCase{
		// inclusion: _id stays unless excluded; fields keep the document's order
		{"include", doc, `[{"$project":{"e":1,"a":1}}]`, `[{"_id":7,"a":1,"e":"x"}]`},
		{"include true and numbers", doc, `[{"$project":{"a":true,"e":2.5,"b":{"$numberLong":"1"}}}]`, `[{"_id":7,"a":1,"b":{"c":2,"d":3},"e":"x"}]`},
		{"include without id", doc, `[{"$project":{"_id":0,"a":1}}]`, `[{"a":1}]`},
		{"include id false", doc, `[{"$project":{"_id":false,"a":1}}]`, `[{"a":1}]`},
		{"include missing field", doc, `[{"$project":{"zz":1}}]`, `[{"_id":7}]`},
		{"include only id explicitly", doc, `[{"$project":{"_id":1}}]`, `[{"_id":7}]`},
		// exclusion: everything else stays; _id may be kept or dropped explicitly
		{"exclude", doc, `[{"$project":{"a":0,"e":false}}]`, `[{"_id":7,"b":{"c":2,"d":3}}]`},
		{"exclude with id true", doc, `[{"$project":{"a":0,"_id":1}}]`, `[{"_id":7,"b":{"c":2,"d":3},"e":"x"}]`},
		{"exclude id and field", doc, `[{"$project":{"_id":0,"a":0}}]`, `[{"b":{"c":2,"d":3},"e":"x"}]`},
		{"exclude only id", doc, `[{"$project":{"_id":0}}]`, `[{"a":1,"b":{"c":2,"d":3},"e":"x"}]`},
		{"exclude decimal zero", doc, `[{"$project":{"a":{"$numberDecimal":"0"}}}]`, `[{"_id":7,"b":{"c":2,"d":3},"e":"x"}]`},
		{"exclude nested", doc, `[{"$project":{"b.c":0}}]`, `[{"_id":7,"a":1,"b":{"d":3},"e":"x"}]`},
		{"exclude nested object form", doc, `[{"$project":{"b":{"d":0}}}]`, `[{"_id":7,"a":1,"b":{"c":2},"e":"x"}]`},
		{"exclude missing", doc, `[{"$project":{"zz":0}}]`, `[{"_id":7,"a":1,"b":{"c":2,"d":3},"e":"x"}]`},
		// mixing inclusion and exclusion is an error, except for _id
		{"mix", doc, `[{"$project":{"a":1,"e":0}}]`, `!Cannot do exclusion on field e in inclusion projection`},
		{"mix reversed", doc, `[{"$project":{"e":0,"a":1}}]`, `!Cannot do exclusion on field e in inclusion projection`},
		{"mix nested", doc, `[{"$project":{"a":1,"b":{"c":0}}}]`, `!Cannot do exclusion on field b.c in inclusion projection`},
		{"exclusion with expression", doc, `[{"$project":{"a":0,"x":{"$add":[1,2]}}}]`, `!Cannot use expression other than $meta in exclusion projection`},
		{"exclusion with literal", doc, `[{"$project":{"a":0,"x":"lit"}}]`, `!Cannot use expression other than $meta in exclusion projection`},
		{"not an object", doc, `[{"$project":"a"}]`, `!$project specification must be an object`},
		{"empty", doc, `[{"$project":{}}]`, `!projection specification must have at least one field`},
		{"empty nested", doc, `[{"$project":{"b":{}}}]`, `!An empty sub-projection is not a valid value. Found empty object at path b`},
		{"collision parent first", doc, `[{"$project":{"b":1,"b.c":1}}]`, `!Path collision at b.c`},
		{"collision child first", doc, `[{"$project":{"b.c":1,"b":1}}]`, `!Path collision at b`},
		{"collision with expression", doc, `[{"$project":{"b.c":1,"b":{"$literal":1}}}]`, `!Path collision at b`},
		{"merged sub-projections", doc, `[{"$project":{"b.c":1,"b":{"d":1}}}]`, `[{"_id":7,"b":{"c":2,"d":3}}]`},
		{"bad path", doc, `[{"$project":{"b..c":1}}]`, `!FieldPath field names may not be empty strings`},
		{"dollar in nested", doc, `[{"$project":{"b":{"$c":1,"x":1}}}]`, `!`},
	})
}

func TestAggProjectComputed(t *testing.T) {
	doc := `[{"_id":1,"a":1,"b":{"c":2},"arr":[{"x":1},{"x":2},3],"s":"str"}]`
	runAggCases(t, []aggCase{
		// computed fields come after the included ones, in specification order
		{"order", doc, `[{"$project":{"z":"$a","s":1,"y":{"$literal":0}}}]`, `[{"_id":1,"s":"str","z":1,"y":0}]`},
		{"literals", doc, `[{"$project":{"_id":0,"t":"text","n":null,"arr2":[1,"$a"],"o":{"$literal":{"k":1}}}}]`,
			`[{"t":"text","n":null,"arr2":[1,1],"o":{"k":1}}]`},
		{"literal numbers need $literal", doc, `[{"$project":{"_id":0,"one":{"$literal":1},"t":{"$literal":true}}}]`, `[{"one":1,"t":true}]`},
		{"missing result omitted", doc, `[{"$project":{"_id":0,"m":"$nope","a":1}}]`, `[{"a":1}]`},
		{"remove", doc, `[{"$project":{"_id":0,"a":"$$REMOVE","s":1}}]`, `[{"s":"str"}]`},
		{"conditional remove", doc, `[{"$project":{"_id":0,"x":{"$cond":[{"$gt":["$a",5]},"$a","$$REMOVE"]}}}]`, `[{}]`},
		// a computed _id replaces the document's
		{"computed id", doc, `[{"$project":{"_id":"$s","a":1}}]`, `[{"a":1,"_id":"str"}]`},
		// dotted computed fields create or extend embedded documents
		{"dotted new", doc, `[{"$project":{"_id":0,"p.q":"$a"}}]`, `[{"p":{"q":1}}]`},
		{"dotted into existing", doc, `[{"$project":{"_id":0,"b.c":1,"b.e":"$a"}}]`, `[{"b":{"c":2,"e":1}}]`},
		{"nested object form", doc, `[{"$project":{"_id":0,"b":{"c":1,"e":{"$add":["$a",1]}}}}]`, `[{"b":{"c":2,"e":2}}]`},
		{"through array", doc, `[{"$project":{"_id":0,"arr.y":"$a"}}]`, `[{"arr":[{"y":1},{"y":1},{"y":1}]}]`},
		{"include and compute through array", doc, `[{"$project":{"_id":0,"arr.x":1,"arr.y":"$a"}}]`, `[{"arr":[{"x":1,"y":1},{"x":2,"y":1},{"y":1}]}]`},
		{"over a scalar", doc, `[{"$project":{"_id":0,"s.t":"$a"}}]`, `[{"s":{"t":1}}]`},
		// expressions see the input document, not the projection
		{"sees input", doc, `[{"$project":{"a":"$s","s":"$a"}}]`, `[{"_id":1,"a":"str","s":1}]`},
		{"expression error", doc, `[{"$project":{"x":{"$divide":["$a",0]}}}]`, `!can't $divide by zero`},
	})
}

func TestAggProjectThroughArrays(t *testing.T) {
	doc := `[{"_id":1,"a":[{"b":1,"c":1},{"c":2},5,[{"b":3,"c":3}],[],{"b":[{"d":1,"e":1}]}]}]`
	runAggCases(t, []aggCase{
		// inclusion descends into arrays of documents (and nested arrays) and drops scalars
		{"include", doc, `[{"$project":{"_id":0,"a.b":1}}]`, `[{"a":[{"b":1},{},[{"b":3}],[],{"b":[{"d":1,"e":1}]}]}]`},
		{"include deep", doc, `[{"$project":{"_id":0,"a.b.d":1}}]`, `[{"a":[{},{},[{}],[],{"b":[{"d":1}]}]}]`},
		// exclusion keeps scalars and removes the field from every document
		{"exclude", doc, `[{"$project":{"_id":0,"a.c":0}}]`, `[{"a":[{"b":1},{},5,[{"b":3}],[],{"b":[{"d":1,"e":1}]}]}]`},
		{"exclude deep", doc, `[{"$project":{"_id":0,"a.b.e":0,"a.c":0}}]`, `[{"a":[{"b":1},{},5,[{"b":3}],[],{"b":[{"d":1}]}]}]`},
		{"unset through arrays", doc, `[{"$unset":["_id","a.b","a.c"]}]`, `[{"a":[{},{},5,[{}],[],{}]}]`},
		{"include scalar parent", `[{"a":5}]`, `[{"$project":{"_id":0,"a.b":1}}]`, `[{}]`},
		{"include null parent", `[{"a":null}]`, `[{"$project":{"_id":0,"a.b":1}}]`, `[{}]`},
	})
}

func TestAggAddFieldsAndSet(t *testing.T) {
	doc := `[{"_id":1,"a":{"b":1},"arr":[{"x":1},2,[{"x":3}]],"n":null,"s":"v"}]`
	runAggCases(t, []aggCase{
		{"append", doc, `[{"$addFields":{"z":1}}]`, `[{"_id":1,"a":{"b":1},"arr":[{"x":1},2,[{"x":3}]],"n":null,"s":"v","z":1}]`},
		{"replace keeps position", doc, `[{"$set":{"a":"new"}},{"$project":{"_id":0,"a":1}}]`, `[{"a":"new"}]`},
		{"replace order", doc, `[{"$set":{"a":"new"}},{"$unset":["arr","n","s"]}]`, `[{"_id":1,"a":"new"}]`},
		{"merge object into object", doc, `[{"$set":{"a":{"c":2}}},{"$project":{"_id":0,"a":1}}]`, `[{"a":{"b":1,"c":2}}]`},
		{"replace with literal object", doc, `[{"$set":{"a":{"$literal":{"c":2}}}},{"$project":{"_id":0,"a":1}}]`, `[{"a":{"c":2}}]`},
		{"dotted over scalar", doc, `[{"$set":{"s.t":1}},{"$project":{"_id":0,"s":1}}]`, `[{"s":{"t":1}}]`},
		{"dotted over null", doc, `[{"$set":{"n.t":1}},{"$project":{"_id":0,"n":1}}]`, `[{"n":{"t":1}}]`},
		{"dotted through array", doc, `[{"$set":{"arr.y":0}},{"$project":{"_id":0,"arr":1}}]`, `[{"arr":[{"x":1,"y":0},{"y":0},[{"x":3,"y":0}]]}]`},
		{"remove field", doc, `[{"$set":{"a":"$$REMOVE","s":"$nope"}},{"$project":{"_id":0,"a":1,"s":1}}]`, `[{}]`},
		{"remove nested", doc, `[{"$set":{"a.b":"$$REMOVE"}},{"$project":{"_id":0,"a":1}}]`, `[{"a":{}}]`},
		{"remove id", doc, `[{"$set":{"_id":"$$REMOVE"}},{"$project":{"a":1}}]`, `[{"a":{"b":1}}]`},
		{"numbers are literals", doc, `[{"$set":{"z":0,"t":true}},{"$project":{"_id":0,"z":1,"t":1}}]`, `[{"z":0,"t":true}]`},
		{"sequential sees previous stage", doc, `[{"$set":{"k":1}},{"$set":{"k2":{"$add":["$k",1]}}},{"$project":{"_id":0,"k2":1}}]`, `[{"k2":2}]`},
		{"same stage sees input", doc, `[{"$set":{"k":1,"k2":"$k"}},{"$project":{"_id":0,"k":1,"k2":1}}]`, `[{"k":1}]`},
		{"collision", doc, `[{"$set":{"a":1,"a.b":2}}]`, `!Path collision at a.b`},
		{"dollar field", doc, `[{"$set":{"$a":1}}]`, `!FieldPath field names may not start with '$'`},
		{"empty set", doc, `[{"$set":{}},{"$project":{"_id":1}}]`, `[{"_id":1}]`},
		{"not object", doc, `[{"$set":[1]}]`, `!$set specification stage must be an object, got array`},
	})
}

func TestAggUnsetStage(t *testing.T) {
	doc := `[{"_id":1,"a":{"b":1,"c":2},"d":3}]`
	runAggCases(t, []aggCase{
		{"string", doc, `[{"$unset":"d"}]`, `[{"_id":1,"a":{"b":1,"c":2}}]`},
		{"nested", doc, `[{"$unset":"a.b"}]`, `[{"_id":1,"a":{"c":2},"d":3}]`},
		{"id", doc, `[{"$unset":["_id"]}]`, `[{"a":{"b":1,"c":2},"d":3}]`},
		{"missing", doc, `[{"$unset":"zz"}]`, `[{"_id":1,"a":{"b":1,"c":2},"d":3}]`},
		{"not string", doc, `[{"$unset":1}]`, `!$unset specification must be a string or an array with at least one field`},
		{"empty path", doc, `[{"$unset":""}]`, `!Invalid $unset`},
		{"dollar", doc, `[{"$unset":"$d"}]`, `!FieldPath field names may not start with '$'`},
	})
}

func TestAggUnwindStage(t *testing.T) {
	docs := `[{"_id":1,"a":[1,[2,3],{"b":4},null]},{"_id":2,"a":{"b":[5,6]}},{"_id":3,"a":[]},{"_id":4,"a":null},{"_id":5},{"_id":6,"a":"s"}]`
	runAggCases(t, []aggCase{
		// each element becomes a document, nested arrays and nulls included; a non-array
		// value is treated as a one-element array; null, missing and [] produce nothing
		{"plain", docs, `[{"$unwind":"$a"},{"$project":{"a":1}}]`,
			`[{"_id":1,"a":1},{"_id":1,"a":[2,3]},{"_id":1,"a":{"b":4}},{"_id":1,"a":null},{"_id":2,"a":{"b":[5,6]}},{"_id":6,"a":"s"}]`},
		{"twice flattens one more level", docs, `[{"$unwind":"$a"},{"$unwind":"$a"},{"$match":{"_id":1}}]`,
			`[{"_id":1,"a":1},{"_id":1,"a":2},{"_id":1,"a":3},{"_id":1,"a":{"b":4}}]`}, // the null element is dropped by the second $unwind
		// preserveNullAndEmptyArrays keeps them; an empty array's field is removed
		{"preserve", docs, `[{"$unwind":{"path":"$a","preserveNullAndEmptyArrays":true}},{"$match":{"_id":{"$gte":3}}}]`,
			`[{"_id":3},{"_id":4,"a":null},{"_id":5},{"_id":6,"a":"s"}]`},
		{"preserve false", docs, `[{"$unwind":{"path":"$a","preserveNullAndEmptyArrays":false}},{"$count":"n"}]`, `[{"n":6}]`},
		// includeArrayIndex: the position, or null for non-arrays and preserved documents
		{"index", docs, `[{"$unwind":{"path":"$a","includeArrayIndex":"i","preserveNullAndEmptyArrays":true}},{"$project":{"i":1}}]`,
			`[{"_id":1,"i":0},{"_id":1,"i":1},{"_id":1,"i":2},{"_id":1,"i":3},{"_id":2,"i":null},{"_id":3,"i":null},{"_id":4,"i":null},{"_id":5,"i":null},{"_id":6,"i":null}]`},
		{"index dotted", `[{"a":[7]}]`, `[{"$unwind":{"path":"$a","includeArrayIndex":"x.y"}}]`, `[{"a":7,"x":{"y":0}}]`},
		// nested paths go through documents only
		{"nested", docs, `[{"$unwind":"$a.b"}]`, `[{"_id":2,"a":{"b":5}},{"_id":2,"a":{"b":6}}]`},
		{"nested through array", `[{"a":[{"b":[1,2]}]}]`, `[{"$unwind":{"path":"$a.b","preserveNullAndEmptyArrays":true}}]`, `[{"a":[{"b":[1,2]}]}]`},
		{"nested missing parent", `[{"x":1}]`, `[{"$unwind":"$a.b"}]`, `[]`},
		// option validation
		{"path not string", docs, `[{"$unwind":{"path":1}}]`, `!expected a string as the path for $unwind stage, got int`},
		{"index not string", docs, `[{"$unwind":{"path":"$a","includeArrayIndex":1}}]`, `!expected a non-empty string for the includeArrayIndex option`},
		{"index empty", docs, `[{"$unwind":{"path":"$a","includeArrayIndex":""}}]`, `!expected a non-empty string for the includeArrayIndex option`},
		{"bad path", docs, `[{"$unwind":"$a..b"}]`, `!FieldPath field names may not be empty strings`},
		{"dollar only", docs, `[{"$unwind":"$"}]`, `!'$' by itself is not a valid FieldPath`},
	})
}

func TestAggProjectDoesNotShareNestedDocuments(t *testing.T) {
	// setting a computed field inside an embedded document must copy it: the input
	// document and the output of another stage that shares it are unchanged ($project
	// with only computed fields keeps nothing else of a and arr)
	in := aggTestDocs(t, `[{"_id":1,"a":{"b":1},"arr":[{"x":1}]}]`)
	p, err := ParsePipeline(aggTestDocs(t, `[{"$facet":{"p":[{"$project":{"a.c":"$_id","arr.y":"$_id"}}],"s":[{"$set":{"a.d":2,"arr.z":3}}],"orig":[]}}]`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Run(in, nil, aggTestNow)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ejson.MarshalString(aggStagesValue(out), ejson.Relaxed)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"p":[{"_id":1,"a":{"c":1},"arr":[{"y":1}]}],` +
		`"s":[{"_id":1,"a":{"b":1,"d":2},"arr":[{"x":1,"z":3}]}],` +
		`"orig":[{"_id":1,"a":{"b":1},"arr":[{"x":1}]}]}]`
	if got != want {
		t.Fatalf("\ngot  %s\nwant %s", got, want)
	}
}
