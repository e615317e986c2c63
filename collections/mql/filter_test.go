package mql

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func mustDoc(t testing.TB, js string) ejson.D {
	t.Helper()
	d, err := ejson.UnmarshalDoc([]byte(js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return d
}

func mustFilter(t testing.TB, js string) *Filter {
	t.Helper()
	f, err := ParseFilter(mustDoc(t, js))
	if err != nil {
		t.Fatalf("ParseFilter(%s): %v", js, err)
	}
	return f
}

type matchCase struct {
	filter string
	doc    string
	want   bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		f := mustFilter(t, c.filter)
		if got := f.Match(mustDoc(t, c.doc)); got != c.want {
			t.Errorf("filter %s on %s: got %v, want %v", c.filter, c.doc, got, c.want)
		}
	}
}

func TestMatchEquality(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{}`, `{"a":1}`, true},
		{`{"a":1}`, `{"a":1}`, true},
		{`{"a":1}`, `{"a":1.0}`, true},
		{`{"a":1}`, `{"a":{"$numberDecimal":"1.0"}}`, true},
		{`{"a":1}`, `{"a":"1"}`, false},
		{`{"a":1}`, `{"a":true}`, false},
		{`{"a":1}`, `{}`, false},
		{`{"a":{"$eq":1}}`, `{"a":1}`, true},
		{`{"a":"x"}`, `{"a":"x"}`, true},
		{`{"a":"x"}`, `{"a":"X"}`, false},
		{`{"a":true}`, `{"a":true}`, true},
		{`{"a":true}`, `{"a":1}`, false},
		{`{"a":false}`, `{"a":0}`, false},
		{`{"a":{"$date":5}}`, `{"a":{"$date":5}}`, true},
		{`{"a":{"$date":5}}`, `{"a":5}`, false},
		// documents compare field by field, in order
		{`{"a":{"b":1,"c":2}}`, `{"a":{"b":1,"c":2}}`, true},
		{`{"a":{"b":1,"c":2}}`, `{"a":{"c":2,"b":1}}`, false},
		{`{"a":{"b":1}}`, `{"a":{"b":1,"c":2}}`, false},
		{`{"a":{"b":1}}`, `{"a":{"b":1.0}}`, true},
		{`{"a":{}}`, `{"a":{}}`, true},
		// null matches null and missing, not other values
		{`{"a":null}`, `{"a":null}`, true},
		{`{"a":null}`, `{}`, true},
		{`{"a":null}`, `{"a":0}`, false},
		{`{"a":null}`, `{"a":false}`, false},
		{`{"a":null}`, `{"a":""}`, false},
		{`{"a":{"$eq":null}}`, `{"b":1}`, true},
		// NaN equals NaN
		{`{"a":{"$numberDouble":"NaN"}}`, `{"a":{"$numberDouble":"NaN"}}`, true},
		{`{"a":{"$numberDouble":"NaN"}}`, `{"a":0}`, false},
		{`{"a":{"$numberDouble":"Infinity"}}`, `{"a":{"$numberDouble":"Infinity"}}`, true},
		// large integers compare exactly with doubles
		{`{"a":9007199254740993}`, `{"a":9007199254740992.0}`, false},
		{`{"a":9007199254740992}`, `{"a":9007199254740992.0}`, true},
		// $ne
		{`{"a":{"$ne":1}}`, `{"a":2}`, true},
		{`{"a":{"$ne":1}}`, `{"a":1}`, false},
		{`{"a":{"$ne":1}}`, `{}`, true},
		{`{"a":{"$ne":null}}`, `{}`, false},
		{`{"a":{"$ne":null}}`, `{"a":null}`, false},
		{`{"a":{"$ne":null}}`, `{"a":0}`, true},
		{`{"a":{"$ne":"1"}}`, `{"a":1}`, true},
	})
}

func TestMatchArrays(t *testing.T) {
	runMatchCases(t, []matchCase{
		// an array matches when an element or the whole array does
		{`{"tags":"a"}`, `{"tags":["a","b"]}`, true},
		{`{"tags":"c"}`, `{"tags":["a","b"]}`, false},
		{`{"tags":["a","b"]}`, `{"tags":["a","b"]}`, true},
		{`{"tags":["b","a"]}`, `{"tags":["a","b"]}`, false},
		{`{"tags":["a"]}`, `{"tags":["a","b"]}`, false},
		{`{"tags":["a"]}`, `{"tags":[["a"],"b"]}`, true},
		{`{"tags":[]}`, `{"tags":[]}`, true},
		{`{"tags":[]}`, `{"tags":[[]]}`, true},
		{`{"tags":[]}`, `{}`, false},
		// only one level of arrays is expanded
		{`{"a":1}`, `{"a":[[1]]}`, false},
		{`{"a":[1]}`, `{"a":[[1]]}`, true},
		// null: an element that is null, never an empty array
		{`{"a":null}`, `{"a":[1,null]}`, true},
		{`{"a":null}`, `{"a":[]}`, false},
		{`{"a":null}`, `{"a":[1]}`, false},
		{`{"a":{"$ne":null}}`, `{"a":[]}`, true},
		{`{"a":{"$ne":null}}`, `{"a":[1,null]}`, false},
		// $ne / $nin negate the whole array match
		{`{"tags":{"$ne":"a"}}`, `{"tags":["a","b"]}`, false},
		{`{"tags":{"$ne":"c"}}`, `{"tags":["a","b"]}`, true},
		{`{"tags":{"$nin":["a","z"]}}`, `{"tags":["a","b"]}`, false},
		{`{"tags":{"$nin":["y","z"]}}`, `{"tags":["a","b"]}`, true},
		// comparisons: any element
		{`{"n":{"$gt":5}}`, `{"n":[1,7]}`, true},
		{`{"n":{"$gt":5,"$lt":3}}`, `{"n":[1,7]}`, true}, // each condition on some element
		{`{"n":{"$elemMatch":{"$gt":5,"$lt":3}}}`, `{"n":[1,7]}`, false},
		{`{"n":{"$elemMatch":{"$gt":5,"$lt":8}}}`, `{"n":[1,7]}`, true},
		{`{"n":{"$gt":[1]}}`, `{"n":[2]}`, true}, // whole-array comparison
		{`{"n":{"$gt":[1]}}`, `{"n":[1]}`, false},
		{`{"n":{"$lt":[1]}}`, `{"n":[]}`, true},
	})
}

func TestMatchDottedPaths(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"a.b":1}`, `{"a":{"b":1}}`, true},
		{`{"a.b":1}`, `{"a":{"b":2}}`, false},
		{`{"a.b.c":1}`, `{"a":{"b":{"c":1}}}`, true},
		{`{"a.b":1}`, `{"a":1}`, false},
		{`{"a.b":1}`, `{}`, false},
		// through arrays of documents
		{`{"a.b":1}`, `{"a":[{"b":2},{"b":1}]}`, true},
		{`{"a.b":1}`, `{"a":[{"b":[0,1]}]}`, true},
		{`{"a.b":1}`, `{"a":[1,{"c":1}]}`, false},
		{`{"a.b.c":1}`, `{"a":[{"b":[{"c":1}]}]}`, true},
		{`{"a.b":1}`, `{"a":[[{"b":1}]]}`, false}, // nested arrays are not traversed
		{`{"a.b":{"$gt":1}}`, `{"a":[{"b":0},{"b":2}]}`, true},
		{`{"a.b":{"$gt":1,"$lt":1}}`, `{"a":[{"b":0},{"b":2}]}`, true},
		// array indexes
		{`{"a.0":1}`, `{"a":[1,2]}`, true},
		{`{"a.1":1}`, `{"a":[1,2]}`, false},
		{`{"a.1":2}`, `{"a":[1,2]}`, true},
		{`{"a.0.b":1}`, `{"a":[{"b":1},{"b":2}]}`, true},
		{`{"a.1.b":1}`, `{"a":[{"b":1},{"b":2}]}`, false},
		{`{"a.0":1}`, `{"a":{"0":1}}`, true},
		{`{"a.0":1}`, `{"a":[{"0":1}]}`, true}, // a field named "0" in an element
		{`{"a.1":4}`, `{"a":[{"1":4},5]}`, true},
		{`{"a.1":5}`, `{"a":[{"1":4},5]}`, true},
		{`{"a.1.foo":4}`, `{"a":[{"1":{"foo":4}},{"foo":5}]}`, true},
		{`{"a.1.foo":5}`, `{"a":[{"1":{"foo":4}},{"foo":5}]}`, true},
		{`{"a.0.0":1}`, `{"a":[[1,2]]}`, true},
		{`{"a.0.b":1}`, `{"a":[[{"b":1}]]}`, true}, // the positional array is traversed
		{`{"a.0":1}`, `{"a":[[1,2]]}`, false},      // a positional element is not expanded
		{`{"a.0":[1,2]}`, `{"a":[[1,2]]}`, true},
		{`{"a.0":1}`, `{"a":[{"0":[1,2]}]}`, true}, // but a field's array is
		{`{"a.b.0":1}`, `{"a":[{"b":[1]},{"b":[2]}]}`, true},
		{`{"a.b.0":2}`, `{"a":[{"b":[1]},{"b":[2]}]}`, true},
		{`{"a.5":null}`, `{"a":[1]}`, false},
		{`{"a.5":{"$exists":false}}`, `{"a":[1]}`, true},
		{`{"a.00":1}`, `{"a":[1]}`, false}, // not an index
		{`{"a.00":1}`, `{"a":{"00":1}}`, true},
	})
}

func TestMatchNullAndMissingInArrays(t *testing.T) {
	// MongoDB's jstests/core/null2.js and null_query_semantics.js
	for _, filter := range []string{`{"a.b":null}`, `{"a.b":{"$in":[null]}}`, `{"a.b":{"$gte":null}}`, `{"a.b":{"$lte":null}}`} {
		runMatchCases(t, []matchCase{
			{filter, `{"a":[{"b":5}]}`, false},
			{filter, `{"a":[{}]}`, true},
			{filter, `{"a":[]}`, false},
			{filter, `{"a":[{},{"b":5}]}`, true},
			{filter, `{"a":[5,{"b":5}]}`, false},
			{filter, `{"a":[[]]}`, false},
			{filter, `{"a":[null,null]}`, false},
			{filter, `{"a":[1,"string",null,4]}`, false},
			{filter, `{"a":[{"b":null},{"b":3}]}`, true},
			{filter, `{"a":[{"b":[1,null]}]}`, true},
			{filter, `{"a":{}}`, true},
			{filter, `{"a":null}`, true},
			{filter, `{"a":4}`, true},
			{filter, `{}`, true},
			{filter, `{"a":{"b":"hi"}}`, false},
		})
	}
	runMatchCases(t, []matchCase{
		{`{"a.b":{"$ne":null}}`, `{"a":[]}`, true},
		{`{"a.b":{"$ne":null}}`, `{"a":[1,2]}`, true},
		{`{"a.b":{"$ne":null}}`, `{"a":[{"b":1},{}]}`, false},
		{`{"a.b":{"$nin":[null,75]}}`, `{"a":[[]]}`, true},
		{`{"a.b":{"$exists":false}}`, `{"a":[1,2]}`, true},
		{`{"a.b":{"$exists":false}}`, `{"a":[{"b":1},{}]}`, false},
		{`{"a.b":{"$exists":true}}`, `{"a":[{"b":null}]}`, true},
		{`{"a.b":{"$exists":true}}`, `{"a":[{},{}]}`, false},
		{`{"a.b.c":null}`, `{"a":[{"b":[]},{"b":{"c":1}}]}`, false}, // jstests/core/indexv.js
		{`{"a":{"$elemMatch":{"b":null}}}`, `{"a":[{}]}`, true},
		{`{"a":{"$elemMatch":{"b":null}}}`, `{"a":[1]}`, false},
		{`{"a":{"$elemMatch":{"b":null}}}`, `{"a":[[]]}`, true}, // an array element reads as a document
		{`{"a":{"$elemMatch":{"$eq":null}}}`, `{"a":[1,null]}`, true},
		{`{"a":{"$elemMatch":{"$ne":null}}}`, `{"a":[null]}`, false},
		{`{"a":{"$elemMatch":{"$ne":null}}}`, `{"a":[[]]}`, true},
		{`{"a":{"$elemMatch":{"$eq":null}}}`, `{"a":null}`, false},
	})
}

func TestMatchComparisons(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"n":{"$gt":1}}`, `{"n":2}`, true},
		{`{"n":{"$gt":1}}`, `{"n":1}`, false},
		{`{"n":{"$gte":1}}`, `{"n":1.0}`, true},
		{`{"n":{"$lt":1}}`, `{"n":0.5}`, true},
		{`{"n":{"$lte":1}}`, `{"n":2}`, false},
		{`{"n":{"$gt":1,"$lt":3}}`, `{"n":2}`, true},
		{`{"n":{"$gt":1,"$lt":3}}`, `{"n":3}`, false},
		// comparisons stay within the operand's type bracket
		{`{"n":{"$gt":1}}`, `{"n":"2"}`, false},
		{`{"n":{"$lt":"a"}}`, `{"n":1}`, false},
		{`{"n":{"$gt":"a"}}`, `{"n":"b"}`, true},
		{`{"n":{"$gt":"a"}}`, `{"n":"B"}`, false},
		{`{"n":{"$lt":true}}`, `{"n":false}`, true},
		{`{"n":{"$gt":false}}`, `{"n":1}`, false},
		{`{"n":{"$gt":{"$date":0}}}`, `{"n":{"$date":1}}`, true},
		{`{"n":{"$gt":{"$date":0}}}`, `{"n":1}`, false},
		{`{"n":{"$gt":0}}`, `{"n":{"$date":1}}`, false},
		{`{"n":{"$gt":{"a":1}}}`, `{"n":{"a":2}}`, true},
		{`{"n":{"$gt":{"a":1}}}`, `{"n":{"b":0}}`, true},
		{`{"n":{"$gt":{"a":1}}}`, `{"n":[{"a":2}]}`, true},
		{`{"n":{"$lt":1}}`, `{}`, false},
		{`{"n":{"$lt":1}}`, `{"n":null}`, false},
		// null bounds: only $gte/$lte match null and missing
		{`{"n":{"$gte":null}}`, `{}`, true},
		{`{"n":{"$gte":null}}`, `{"n":null}`, true},
		{`{"n":{"$gte":null}}`, `{"n":1}`, false},
		{`{"n":{"$lte":null}}`, `{}`, true},
		{`{"n":{"$gt":null}}`, `{"n":null}`, false},
		{`{"n":{"$lt":null}}`, `{}`, false},
		{`{"n":{"$not":{"$gte":null}}}`, `{"n":[]}`, true},
		// NaN sorts below all numbers but compares false, except to itself
		{`{"n":{"$lt":0}}`, `{"n":{"$numberDouble":"NaN"}}`, false},
		{`{"n":{"$gt":0}}`, `{"n":{"$numberDouble":"NaN"}}`, false},
		{`{"n":{"$lte":{"$numberDouble":"NaN"}}}`, `{"n":{"$numberDouble":"NaN"}}`, true},
		{`{"n":{"$gte":{"$numberDouble":"NaN"}}}`, `{"n":{"$numberDouble":"NaN"}}`, true},
		{`{"n":{"$lt":{"$numberDouble":"NaN"}}}`, `{"n":{"$numberDouble":"NaN"}}`, false},
		{`{"n":{"$gt":{"$numberDouble":"NaN"}}}`, `{"n":1}`, false},
		{`{"n":{"$lte":{"$numberDouble":"NaN"}}}`, `{"n":1}`, false},
		{`{"n":{"$gt":{"$numberDouble":"-Infinity"}}}`, `{"n":-1e308}`, true},
		{`{"n":{"$lt":{"$numberDouble":"Infinity"}}}`, `{"n":{"$numberDouble":"NaN"}}`, false},
		// exact integer comparison beyond 2^53
		{`{"n":{"$gt":9007199254740992.0}}`, `{"n":9007199254740993}`, true},
		{`{"n":{"$gt":9007199254740993}}`, `{"n":9007199254740992.0}`, false},
		// MinKey / MaxKey bound every value
		{`{"n":{"$gt":{"$minKey":1}}}`, `{"n":"x"}`, true},
		{`{"n":{"$lt":{"$maxKey":1}}}`, `{"n":[1]}`, true},
		{`{"n":{"$gt":{"$maxKey":1}}}`, `{"n":1}`, false},
	})
}

func TestMatchInNin(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"a":{"$in":[1,2]}}`, `{"a":2}`, true},
		{`{"a":{"$in":[1,2]}}`, `{"a":3}`, false},
		{`{"a":{"$in":[1,2]}}`, `{"a":[3,2]}`, true},
		{`{"a":{"$in":[[3,2]]}}`, `{"a":[3,2]}`, true},
		{`{"a":{"$in":[]}}`, `{"a":1}`, false},
		{`{"a":{"$in":[null]}}`, `{}`, true},
		{`{"a":{"$in":[null,4]}}`, `{"a":[1,null]}`, true},
		{`{"a":{"$in":["1"]}}`, `{"a":1}`, false},
		{`{"a":{"$in":[{"b":1}]}}`, `{"a":[{"b":1}]}`, true},
		{`{"a":{"$nin":[1,2]}}`, `{"a":3}`, true},
		{`{"a":{"$nin":[1,2]}}`, `{}`, true},
		{`{"a":{"$nin":[null]}}`, `{}`, false},
		{`{"a":{"$nin":[]}}`, `{}`, true},
		{`{"a":{"$nin":[1]}}`, `{"a":[1,3]}`, false},
		// regular expressions among $in values match strings
		{`{"a":{"$in":[{"$regularExpression":{"pattern":"^h","options":""}},5]}}`, `{"a":"hello"}`, true},
		{`{"a":{"$in":[{"$regularExpression":{"pattern":"^h","options":""}},5]}}`, `{"a":5}`, true},
		{`{"a":{"$in":[{"$regularExpression":{"pattern":"^h","options":""}},5]}}`, `{"a":"Hello"}`, false},
		{`{"a":{"$in":[{"$regularExpression":{"pattern":"^h","options":"i"}}]}}`, `{"a":["x","Hello"]}`, true},
		{`{"a":{"$in":[5,{"$regularExpression":{"pattern":"^x","options":""}},{"$regularExpression":{"pattern":"^h","options":""}}]}}`, `{"a":"hi"}`, true},
		{`{"a":{"$nin":[null,{"$regularExpression":{"pattern":"^str","options":""}}]}}`, `{"a":[1,"string"]}`, false},
		{`{"a":{"$nin":[null,{"$regularExpression":{"pattern":"^str","options":""}}]}}`, `{"a":[1,4]}`, true},
		{`{"a":{"$in":[{"$regularExpression":{"pattern":"^h","options":""}}]}}`, `{"a":{"$regularExpression":{"pattern":"^h","options":""}}}`, true},
	})
}

func TestMatchLogical(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"$and":[{"a":1},{"b":2}]}`, `{"a":1,"b":2}`, true},
		{`{"$and":[{"a":1},{"b":2}]}`, `{"a":1,"b":3}`, false},
		{`{"$or":[{"a":1},{"b":2}]}`, `{"a":0,"b":2}`, true},
		{`{"$or":[{"a":1},{"b":2}]}`, `{"a":0,"b":0}`, false},
		{`{"$nor":[{"a":1},{"b":2}]}`, `{"a":0,"b":0}`, true},
		{`{"$nor":[{"a":1},{"b":2}]}`, `{"a":1}`, false},
		{`{"$nor":[{"a":1}]}`, `{}`, true},
		{`{"a":1,"$or":[{"b":1},{"c":1}]}`, `{"a":1,"c":1}`, true},
		{`{"a":1,"$or":[{"b":1},{"c":1}]}`, `{"a":2,"c":1}`, false},
		{`{"$and":[{"$or":[{"a":1},{"a":2}]},{"$nor":[{"b":1}]}]}`, `{"a":2,"b":2}`, true},
		{`{"$and":[{"a":{"$gt":1}},{"a":{"$lt":3}}]}`, `{"a":[0,5]}`, true},
		{`{"$comment":"x","a":1}`, `{"a":1}`, true},
		{`{"$and":[{}]}`, `{"a":1}`, true},
		// $not negates the operators of a field
		{`{"a":{"$not":{"$gt":1}}}`, `{"a":1}`, true},
		{`{"a":{"$not":{"$gt":1}}}`, `{"a":2}`, false},
		{`{"a":{"$not":{"$gt":1}}}`, `{}`, true},
		{`{"a":{"$not":{"$gt":1}}}`, `{"a":"x"}`, true},
		{`{"a":{"$not":{"$gt":1,"$lt":5}}}`, `{"a":3}`, false},
		{`{"a":{"$not":{"$gt":1,"$lt":5}}}`, `{"a":7}`, true},
		{`{"a":{"$not":{"$gt":1}}}`, `{"a":[0,2]}`, false},
		{`{"a":{"$not":{"$regularExpression":{"pattern":"^x","options":""}}}}`, `{"a":"xy"}`, false},
		{`{"a":{"$not":{"$regularExpression":{"pattern":"^x","options":""}}}}`, `{"a":"yx"}`, true},
		{`{"a":{"$not":{"$regularExpression":{"pattern":"^x","options":""}}}}`, `{}`, true},
		{`{"a":{"$not":{"$regex":"^x","$options":"i"}}}`, `{"a":"Xy"}`, false},
		{`{"a":{"$not":{"$in":[1,2]}}}`, `{"a":3}`, true},
		{`{"a":{"$not":{"$eq":null}}}`, `{}`, false},
		{`{"a":{"$not":{"$not":{"$eq":1}}}}`, `{"a":1}`, true},
	})
}

func TestMatchElementOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"a":{"$exists":true}}`, `{"a":null}`, true},
		{`{"a":{"$exists":true}}`, `{}`, false},
		{`{"a":{"$exists":false}}`, `{}`, true},
		{`{"a":{"$exists":false}}`, `{"a":0}`, false},
		{`{"a":{"$exists":1}}`, `{"a":0}`, true},
		{`{"a":{"$exists":0}}`, `{"a":0}`, false},
		{`{"a.b":{"$exists":true}}`, `{"a":{"b":0}}`, true},
		{`{"a.b":{"$exists":true}}`, `{"a":5}`, false},
		{`{"a.0":{"$exists":true}}`, `{"a":[]}`, false},
		{`{"a.0":{"$exists":true}}`, `{"a":[null]}`, true},
		{`{"a.1":{"$exists":true}}`, `{"a":[{"1":{"foo":4}},{}]}`, true},
		// $type: names, numbers and "number"; array elements count
		{`{"a":{"$type":"string"}}`, `{"a":"x"}`, true},
		{`{"a":{"$type":2}}`, `{"a":"x"}`, true},
		{`{"a":{"$type":"string"}}`, `{"a":1}`, false},
		{`{"a":{"$type":"number"}}`, `{"a":1}`, true},
		{`{"a":{"$type":"number"}}`, `{"a":1.5}`, true},
		{`{"a":{"$type":"number"}}`, `{"a":{"$numberDecimal":"1"}}`, true},
		{`{"a":{"$type":"number"}}`, `{"a":"1"}`, false},
		{`{"a":{"$type":"int"}}`, `{"a":1}`, true},
		{`{"a":{"$type":"long"}}`, `{"a":1}`, false},
		{`{"a":{"$type":"long"}}`, `{"a":4294967296}`, true},
		{`{"a":{"$type":"double"}}`, `{"a":1.0}`, true},
		{`{"a":{"$type":"double"}}`, `{"a":1}`, false},
		{`{"a":{"$type":"decimal"}}`, `{"a":{"$numberDecimal":"1"}}`, true},
		{`{"a":{"$type":"bool"}}`, `{"a":false}`, true},
		{`{"a":{"$type":"date"}}`, `{"a":{"$date":0}}`, true},
		{`{"a":{"$type":"null"}}`, `{"a":null}`, true},
		{`{"a":{"$type":"null"}}`, `{}`, false},
		{`{"a":{"$type":"object"}}`, `{"a":{}}`, true},
		{`{"a":{"$type":"array"}}`, `{"a":[]}`, true},
		{`{"a":{"$type":"array"}}`, `{"a":{}}`, false},
		{`{"a":{"$type":"string"}}`, `{"a":[1,"x"]}`, true},
		{`{"a":{"$type":"array"}}`, `{"a":[[1]]}`, true},
		{`{"a":{"$type":"regex"}}`, `{"a":{"$regularExpression":{"pattern":"x","options":""}}}`, true},
		{`{"a":{"$type":"objectId"}}`, `{"a":{"$oid":"5f0c9a5f1a2b3c00d4e5f67a"}}`, true},
		{`{"a":{"$type":["string","bool"]}}`, `{"a":true}`, true},
		{`{"a":{"$type":["string","bool"]}}`, `{"a":1}`, false},
		{`{"a":{"$type":"minKey"}}`, `{"a":{"$minKey":1}}`, true},
		{`{"a":{"$type":127}}`, `{"a":{"$maxKey":1}}`, true},
	})
}

func TestMatchArrayOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		// $all
		{`{"tags":{"$all":["a","b"]}}`, `{"tags":["b","c","a"]}`, true},
		{`{"tags":{"$all":["a","b"]}}`, `{"tags":["a","c"]}`, false},
		{`{"tags":{"$all":["a"]}}`, `{"tags":"a"}`, true},
		{`{"tags":{"$all":[]}}`, `{"tags":["a"]}`, false},
		{`{"tags":{"$all":[["a","b"]]}}`, `{"tags":["a","b"]}`, true},
		{`{"tags":{"$all":[["a","b"]]}}`, `{"tags":[["a","b"],"c"]}`, true},
		{`{"tags":{"$all":[{"$regularExpression":{"pattern":"^a","options":""}},"c"]}}`, `{"tags":["ab","c"]}`, true},
		{`{"tags":{"$all":[{"$regularExpression":{"pattern":"^a","options":""}},"c"]}}`, `{"tags":["b","c"]}`, false},
		{`{"tags":{"$all":[null]}}`, `{}`, true},
		{`{"a.b":{"$all":[1,2]}}`, `{"a":[{"b":1},{"b":[2]}]}`, true},
		{`{"a":{"$all":[{"$elemMatch":{"b":1}},{"$elemMatch":{"c":{"$gt":1}}}]}}`, `{"a":[{"b":1},{"c":2}]}`, true},
		{`{"a":{"$all":[{"$elemMatch":{"b":1}},{"$elemMatch":{"c":{"$gt":1}}}]}}`, `{"a":[{"b":1},{"c":1}]}`, false},
		{`{"a":{"$all":[{"$elemMatch":{"b":null}}]}}`, `{"a":[]}`, false},
		{`{"a":{"$all":[{"$elemMatch":{"b":null}}]}}`, `{"a":[{"c":1}]}`, true},
		// $size counts the array itself, not nested ones
		{`{"a":{"$size":2}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$size":2}}`, `{"a":[1]}`, false},
		{`{"a":{"$size":0}}`, `{"a":[]}`, true},
		{`{"a":{"$size":0}}`, `{}`, false},
		{`{"a":{"$size":1}}`, `{"a":"x"}`, false},
		{`{"a":{"$size":1}}`, `{"a":[[1,2]]}`, true},
		{`{"a":{"$size":2}}`, `{"a":[[1,2]]}`, false},
		{`{"a":{"$size":2.0}}`, `{"a":[1,2]}`, true},
		{`{"a.b":{"$size":2}}`, `{"a":[{"b":[1,2]},{"b":[3]}]}`, true},
		{`{"a.b":{"$size":2}}`, `{"a":[{"b":1},{"b":2}]}`, false},
		{`{"a":{"$not":{"$size":1}}}`, `{"a":"x"}`, true},
		// $elemMatch on documents
		{`{"a":{"$elemMatch":{"b":1,"c":2}}}`, `{"a":[{"b":1,"c":2}]}`, true},
		{`{"a":{"$elemMatch":{"b":1,"c":2}}}`, `{"a":[{"b":1},{"c":2}]}`, false},
		{`{"a.b":1,"a.c":2}`, `{"a":[{"b":1},{"c":2}]}`, true},
		{`{"a":{"$elemMatch":{"b":{"$gt":1}}}}`, `{"a":[{"b":0},{"b":3}]}`, true},
		{`{"a":{"$elemMatch":{"b":1}}}`, `{"a":{"b":1}}`, false},
		{`{"a":{"$elemMatch":{"b":1}}}`, `{"a":[1,{"b":1}]}`, true},
		{`{"a":{"$elemMatch":{"$or":[{"b":1},{"c":1}]}}}`, `{"a":[{"c":1}]}`, true},
		{`{"a":{"$elemMatch":{"$and":[{"b":1}]}}}`, `{"a":[{"b":2}]}`, false},
		{`{"a":{"$elemMatch":{}}}`, `{"a":[1,{}]}`, true},
		{`{"a":{"$elemMatch":{}}}`, `{"a":[1,2]}`, false},
		{`{"a":{"$elemMatch":{"0":1}}}`, `{"a":[[1,2]]}`, true},
		{`{"a":{"$elemMatch":{"b.c":1}}}`, `{"a":[{"b":[{"c":1}]}]}`, true},
		{`{"a.b":{"$elemMatch":{"c":1}}}`, `{"a":[{"b":[{"c":1}]}]}`, true},
		// $elemMatch on values tests each element whole
		{`{"a":{"$elemMatch":{"$gt":1}}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$elemMatch":{"$gt":1}}}`, `{"a":[[2]]}`, false},
		{`{"a":{"$elemMatch":{"$eq":2}}}`, `{"a":[[2]]}`, false},
		{`{"a":{"$elemMatch":{"$in":[3,4]}}}`, `{"a":[1,4]}`, true},
		{`{"a":{"$elemMatch":{"$ne":1}}}`, `{"a":[1,1]}`, false},
		{`{"a":{"$elemMatch":{"$ne":1}}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$elemMatch":{"$not":{"$gt":1}}}}`, `{"a":[5,0]}`, true},
		{`{"a":{"$elemMatch":{"$size":1}}}`, `{"a":[[1],2]}`, true},
		{`{"a":{"$elemMatch":{"$elemMatch":{"$eq":1}}}}`, `{"a":[[1]]}`, true},
		{`{"a":{"$elemMatch":{"$regex":"^x"}}}`, `{"a":["ax","xa"]}`, true},
		{`{"a":{"$elemMatch":{"$type":"string"}}}`, `{"a":[1,"x"]}`, true},
		{`{"a":{"$elemMatch":{"$exists":true}}}`, `{"a":[]}`, false},
		{`{"a":{"$elemMatch":{"$all":[1]}}}`, `{"a":[[1,2]]}`, false},
		{`{"a":{"$elemMatch":{"$all":[1]}}}`, `{"a":[1]}`, true},
		{`{"a":{"$elemMatch":{"$gt":1}}}`, `{"a":5}`, false},
		// $mod
		{`{"n":{"$mod":[4,1]}}`, `{"n":5}`, true},
		{`{"n":{"$mod":[4,1]}}`, `{"n":6}`, false},
		{`{"n":{"$mod":[4,1]}}`, `{"n":5.9}`, true},
		{`{"n":{"$mod":[4,-1]}}`, `{"n":-5}`, true},
		{`{"n":{"$mod":[4,1]}}`, `{"n":-5}`, false},
		{`{"n":{"$mod":[4.7,1.2]}}`, `{"n":5}`, true}, // operands are truncated
		{`{"n":{"$mod":[4,1]}}`, `{"n":"5"}`, false},
		{`{"n":{"$mod":[4,0]}}`, `{"n":null}`, false},
		{`{"n":{"$mod":[4,0]}}`, `{}`, false},
		{`{"n":{"$mod":[4,1]}}`, `{"n":[2,5]}`, true},
		{`{"n":{"$mod":[2,0]}}`, `{"n":{"$numberDouble":"NaN"}}`, false},
		{`{"n":{"$mod":[2,0]}}`, `{"n":{"$numberDouble":"Infinity"}}`, false},
		{`{"n":{"$mod":[-1,0]}}`, `{"n":-9223372036854775808}`, true},
		{`{"n":{"$mod":[10,3]}}`, `{"n":9007199254740993}`, true}, // exact for large integers
	})
}

func TestMatchRegex(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"s":{"$regex":"^ab"}}`, `{"s":"abc"}`, true},
		{`{"s":{"$regex":"^ab"}}`, `{"s":"ABC"}`, false},
		{`{"s":{"$regex":"^ab","$options":"i"}}`, `{"s":"ABC"}`, true},
		{`{"s":{"$options":"i","$regex":"^ab"}}`, `{"s":"ABC"}`, true},
		{`{"s":{"$regex":{"$regularExpression":{"pattern":"^ab","options":"i"}}}}`, `{"s":"ABC"}`, true},
		{`{"s":{"$regularExpression":{"pattern":"^ab","options":"i"}}}`, `{"s":"ABC"}`, true},
		{`{"s":{"$regex":"^b","$options":"m"}}`, `{"s":"a\nb"}`, true},
		{`{"s":{"$regex":"^b"}}`, `{"s":"a\nb"}`, false},
		{`{"s":{"$regex":"a.b","$options":"s"}}`, `{"s":"a\nb"}`, true},
		{`{"s":{"$regex":"a.b"}}`, `{"s":"a\nb"}`, false},
		{`{"s":{"$regex":"a b # comment\n c","$options":"x"}}`, `{"s":"abc"}`, true},
		{`{"s":{"$regex":"é"}}`, `{"s":"café"}`, true},
		{`{"s":{"$regex":"^a"}}`, `{"s":["b","ab"]}`, true},
		{`{"s":{"$regex":"^a"}}`, `{"s":1}`, false},
		{`{"s":{"$regex":"^a"}}`, `{}`, false},
		{`{"s":{"$regex":""}}`, `{"s":""}`, true},
		{`{"s":{"$regex":"1"}}`, `{"s":1}`, false},
		// a regular expression value matches the identical stored regular expression
		{`{"s":{"$regex":"^a"}}`, `{"s":{"$regularExpression":{"pattern":"^a","options":""}}}`, true},
		{`{"s":{"$regex":"^a","$options":"i"}}`, `{"s":{"$regularExpression":{"pattern":"^a","options":""}}}`, false},
		{`{"s":{"$regularExpression":{"pattern":"^a","options":""}}}`, `{"s":{"$regularExpression":{"pattern":"^a","options":""}}}`, true},
		// an explicit $eq compares regular expressions as values
		{`{"s":{"$eq":{"$regularExpression":{"pattern":"^a","options":""}}}}`, `{"s":"abc"}`, false},
		{`{"s":{"$eq":{"$regularExpression":{"pattern":"^a","options":""}}}}`, `{"s":{"$regularExpression":{"pattern":"^a","options":""}}}`, true},
		{`{"s":{"$eq":{"$regularExpression":{"pattern":"^a","options":""}}}}`, `{"s":[{"$regularExpression":{"pattern":"^a","options":""}}]}`, true},
	})
}

func TestMatchGeo(t *testing.T) {
	square := `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}`
	withHole := `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}`
	point := func(lng, lat string) string {
		return `{"loc":{"type":"Point","coordinates":[` + lng + `,` + lat + `]}}`
	}
	runMatchCases(t, []matchCase{
		{`{"loc":{"$geoWithin":{"$geometry":` + square + `}}}`, point("5", "5"), true},
		{`{"loc":{"$geoWithin":{"$geometry":` + square + `}}}`, point("15", "5"), false},
		{`{"loc":{"$geoWithin":{"$geometry":` + square + `}}}`, point("0", "5"), true}, // on the edge
		{`{"loc":{"$geoWithin":{"$geometry":` + square + `}}}`, `{"loc":[5,5]}`, true},
		{`{"loc":{"$geoWithin":{"$geometry":` + square + `}}}`, `{}`, false},
		{`{"loc":{"$geoWithin":{"$geometry":` + square + `}}}`, `{"loc":"x"}`, false},
		{`{"loc":{"$geoWithin":{"$geometry":` + withHole + `}}}`, point("5", "5"), false},
		{`{"loc":{"$geoWithin":{"$geometry":` + withHole + `}}}`, point("2", "2"), true},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"MultiPolygon","coordinates":[[[[20,20],[30,20],[30,30],[20,30],[20,20]]],` +
			`[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}}}}`, point("0.5", "0.5"), true},
		// $centerSphere radius is in radians: 1 degree of arc ≈ 0.01745 rad
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.0175]}}}`, point("1", "0"), true},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.0174]}}}`, point("1", "0"), false},
		// $nearSphere with distances in meters
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$maxDistance":112000}}}`, point("1", "0"), true},
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$maxDistance":110000}}}`, point("1", "0"), false},
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$minDistance":112000}}}`, point("1", "0"), false},
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`, point("179", "80"), true},
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`, `{}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":` + square + `}}}`, point("3", "3"), true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[3,3]}}}}`, `{"loc":` + square + `}`, true},
	})
	f := mustFilter(t, `{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`)
	near, ok := f.Near()
	if !ok || near.Path != "loc" {
		t.Fatalf("Near() = %+v, %v", near, ok)
	}
	d := near.Distance(mustDoc(t, point("1", "0")))
	if math.Abs(d-111319) > 100 {
		t.Errorf("distance of 1 degree at the equator = %v", d)
	}
	if !math.IsInf(near.Distance(mustDoc(t, `{}`)), 1) {
		t.Error("a document without the point must be infinitely far")
	}
	if _, ok := mustFilter(t, `{"a":1}`).Near(); ok {
		t.Error("no $nearSphere, no Near")
	}
}

func TestParseFilterErrors(t *testing.T) {
	cases := []string{
		`{"a":{"$foo":1}}`,
		`{"$foo":[{"a":1}]}`,
		`{"$where":"this.a == 1"}`,
		`{"$expr":{"$noSuchOp":["$a",1]}}`,
		`{"$text":{"$search":"x"}}`,
		`{"$and":[]}`,
		`{"$and":{"a":1}}`,
		`{"$or":[1]}`,
		`{"$nor":"x"}`,
		`{"a":{"$gt":1,"b":2}}`,
		`{"a":{"$in":1}}`,
		`{"a":{"$nin":{"x":1}}}`,
		`{"a":{"$in":[{"$gt":1}]}}`,
		`{"a":{"$all":5}}`,
		`{"a":{"$all":[{"$gt":1}]}}`,
		`{"a":{"$all":[{"$elemMatch":{"b":1}},1]}}`,
		`{"a":{"$size":-1}}`,
		`{"a":{"$size":1.5}}`,
		`{"a":{"$size":"1"}}`,
		`{"a":{"$mod":[0,1]}}`,
		`{"a":{"$mod":[1]}}`,
		`{"a":{"$mod":[1,2,3]}}`,
		`{"a":{"$mod":["a",1]}}`,
		`{"a":{"$mod":5}}`,
		`{"a":{"$mod":[{"$numberDouble":"NaN"},1]}}`,
		`{"a":{"$regex":5}}`,
		`{"a":{"$regex":"("}}`,
		`{"a":{"$regex":"(?<=a)b"}}`,
		`{"a":{"$regex":"a","$options":"q"}}`,
		`{"a":{"$options":"i"}}`,
		`{"a":{"$options":1,"$regex":"a"}}`,
		`{"a":{"$regularExpression":{"pattern":"[","options":""}}}`,
		`{"a":{"$in":[{"$regularExpression":{"pattern":"[","options":""}}]}}`,
		`{"a":{"$ne":{"$regularExpression":{"pattern":"a","options":""}}}}`,
		`{"a":{"$gt":{"$regularExpression":{"pattern":"a","options":""}}}}`,
		`{"a":{"$type":"nope"}}`,
		`{"a":{"$type":0}}`,
		`{"a":{"$type":42}}`,
		`{"a":{"$type":true}}`,
		`{"a":{"$not":1}}`,
		`{"a":{"$not":{"b":1}}}`,
		`{"a":{"$not":{}}}`,
		`{"a":{"$not":{"$foo":1}}}`,
		`{"a":{"$elemMatch":1}}`,
		`{"a":{"$elemMatch":{"$gt":1,"b":1}}}`,
		`{"a":{"$elemMatch":{"b":{"$foo":1}}}}`,
		`{"a":{"$geoWithin":1}}`,
		`{"a":{"$geoWithin":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`,
		`{"a":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}}}}`,
		`{"a":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,2]]]}}}}`,
		`{"a":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}}}}`,
		`{"a":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0]}}}}`,
		`{"a":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$maxDistance":-1}}}`,
		`{"a":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$foo":1}}}`,
		`{"a":{"$geoWithin":{"$centerSphere":[[0,0],"x"]}}}`,
		`{"":1}`,
		`{"a..b":1}`,
		`{"a.":1}`,
		`{"a.$b":1}`,
		`{"a":{"$date":{"offset":0}}}`,
		`{"a":{"$in":[{"$date":{"offset":0}}]}}`,
	}
	for _, js := range cases {
		_, err := ParseFilter(mustDoc(t, js))
		var me *Error
		if err == nil {
			t.Errorf("ParseFilter(%s): expected an error", js)
		} else if !errors.As(err, &me) {
			t.Errorf("ParseFilter(%s): error %T (%v) is not *mql.Error", js, err, err)
		}
	}
}

func TestParseFilterLimits(t *testing.T) {
	// too many conditions
	var b strings.Builder
	b.WriteString(`{"$or":[`)
	for i := 0; i <= MaxFilterNodes; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"a":1}`)
	}
	b.WriteString(`]}`)
	_, err := ParseFilter(mustDoc(t, b.String()))
	var me *Error
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("expected a too-large error, got %v", err)
	}
	// too many $in values
	vals := make([]any, MaxInValues+1)
	for i := range vals {
		vals[i] = int64(i)
	}
	_, err = ParseFilter(ejson.D{{Key: "a", Value: ejson.D{{Key: "$in", Value: vals}}}})
	if !errors.As(err, &me) {
		t.Fatalf("expected an error for %d $in values, got %v", len(vals), err)
	}
	// a deep path
	_, err = ParseFilter(ejson.D{{Key: strings.Repeat("a.", MaxPathDepth) + "a", Value: int64(1)}})
	if !errors.As(err, &me) {
		t.Fatalf("expected an error for a deep path, got %v", err)
	}
	// deeply nested operators built in Go (the decoder already bounds JSON input)
	var cond any = int64(1)
	for i := 0; i < ejson.MaxDepth+5; i++ {
		cond = ejson.D{{Key: "$not", Value: ejson.D{{Key: "$not", Value: cond}}}}
		cond = ejson.D{{Key: "$elemMatch", Value: cond}}
	}
	_, err = ParseFilter(ejson.D{{Key: "a", Value: cond}})
	if !errors.As(err, &me) {
		t.Fatalf("expected an error for deep nesting, got %v", err)
	}
	var nested ejson.D = ejson.D{{Key: "a", Value: int64(1)}}
	for i := 0; i < ejson.MaxDepth+5; i++ {
		nested = ejson.D{{Key: "$and", Value: []any{nested}}}
	}
	if _, err = ParseFilter(nested); !errors.As(err, &me) {
		t.Fatalf("expected an error for deep $and nesting, got %v", err)
	}
}

func TestFilterHelpers(t *testing.T) {
	if !MatchAll.IsEmpty() || !MatchAll.Match(ejson.D{}) {
		t.Fatal("MatchAll")
	}
	if !mustFilter(t, `{}`).IsEmpty() || mustFilter(t, `{"a":1}`).IsEmpty() {
		t.Fatal("IsEmpty")
	}
	if f := mustFilter(t, `{"$comment":"only a comment"}`); !f.IsEmpty() {
		t.Fatal("a $comment alone is an empty filter")
	}
}

func TestNearDistanceThroughArrays(t *testing.T) {
	f := mustFilter(t, `{"places.loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$maxDistance":200000}}}`)
	doc := mustDoc(t, `{"places":[{"loc":{"type":"Point","coordinates":[10,0]}},{"loc":{"type":"Point","coordinates":[1,0]}}]}`)
	if !f.Match(doc) {
		t.Fatal("a point of the array is within range")
	}
	near, _ := f.Near()
	if d := near.Distance(doc); math.Abs(d-111319) > 100 {
		t.Errorf("distance %v, want the nearest point's (about 111 km)", d)
	}
	if d := near.Distance(mustDoc(t, `{"places":[{"loc":[2,0]},{"loc":[1,0]}]}`)); math.Abs(d-111319) > 100 {
		t.Errorf("legacy pairs: distance %v", d)
	}
}

// FuzzMatch checks that parsing never panics and reports *mql.Error, and that matching
// is consistent with negation: {$nor: [f]} matches exactly what f does not.
func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{`{"a":1}`, `{"a":[1,2]}`},
		{`{"a.b":null}`, `{"a":[{"b":1},{}]}`},
		{`{"a.0.b":{"$gt":1}}`, `{"a":[{"b":2},[{"b":3}]]}`},
		{`{"a":{"$elemMatch":{"b":{"$in":[1,null]}}}}`, `{"a":[[],{"b":1}]}`},
		{`{"a":{"$not":{"$size":1}},"$or":[{"b":{"$exists":false}},{"b":{"$type":"array"}}]}`, `{"a":[1],"b":[]}`},
		{`{"a":{"$all":[{"$elemMatch":{"$gt":0}},{"$elemMatch":{"$lt":0}}]}}`, `{"a":[-1,1]}`},
		{`{"a":{"$regex":"^x","$options":"im"}}`, `{"a":["y","X"]}`},
		{`{"a":{"$mod":[3,-1]},"b":{"$nin":[{"$regularExpression":{"pattern":"a","options":""}}]}}`, `{"a":-4,"b":"bab"}`},
		{`{"a":{"$geoWithin":{"$centerSphere":[[0,0],1]}}}`, `{"a":{"type":"Point","coordinates":[1,1]}}`},
		{`{"a.1":4}`, `{"a":[{"1":4},5]}`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, filter, doc string) {
		q, err := ejson.UnmarshalDoc([]byte(filter))
		if err != nil {
			return
		}
		var me *Error
		flt, err := ParseFilter(q)
		if err != nil && !errors.As(err, &me) {
			t.Fatalf("ParseFilter(%s): %T %v", filter, err, err)
		}
		if _, perr := ParseProjection(q); perr != nil && !errors.As(perr, &me) {
			t.Fatalf("ParseProjection(%s): %T %v", filter, perr, perr)
		}
		keys := make([]SortKey, 0, len(q))
		for _, e := range q {
			keys = append(keys, SortKey{Path: e.Key, Desc: truthy(e.Value)})
		}
		srt, serr := NewSort(keys)
		if serr != nil && !errors.As(serr, &me) {
			t.Fatalf("NewSort(%s): %T %v", filter, serr, serr)
		}
		d, derr := ejson.UnmarshalDoc([]byte(doc))
		if derr != nil {
			return
		}
		if serr == nil {
			_ = srt.Compare(d, d)
		}
		if p, perr := ParseProjection(q); perr == nil {
			_ = p.Apply(d)
		}
		if err != nil {
			return
		}
		got := flt.Match(d)
		if nor, err := ParseFilter(ejson.D{{Key: "$nor", Value: []any{q}}}); err == nil && nor.Match(d) == got {
			t.Fatalf("filter %s on %s: match %v, and its $nor agrees", filter, doc, got)
		}
	})
}

// A numeric segment is tried both as a field name and as a position, which branches at
// every level of documents nested under numeric field names; the walk must stay linear.
func TestMatchNumericPathsDoNotExplode(t *testing.T) {
	const depth = 45
	var v any = int64(1)
	for i := 0; i < depth; i++ {
		v = []any{ejson.D{{Key: "0", Value: v}}}
	}
	doc := ejson.D{{Key: "a", Value: v}}
	path := "a" + strings.Repeat(".0", 2*depth)
	if !mustFilterD(t, ejson.D{{Key: path, Value: int64(1)}}).Match(doc) {
		t.Error("the value at the end of the path must match")
	}
	if mustFilterD(t, ejson.D{{Key: path, Value: int64(2)}}).Match(doc) {
		t.Error("no value 2 anywhere")
	}
	if !mustFilterD(t, ejson.D{{Key: "a" + strings.Repeat(".0", depth+3), Value: nil}}).Match(doc) {
		t.Error("a shorter path ends on a missing field of some branch")
	}
}

func mustFilterD(t testing.TB, d ejson.D) *Filter {
	t.Helper()
	f, err := ParseFilter(d)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExprFilter(t *testing.T) {
	cases := []struct {
		filter, doc string
		want        bool
	}{
		{`{"$expr":{"$gt":["$spent","$budget"]}}`, `{"spent":5,"budget":3}`, true},
		{`{"$expr":{"$gt":["$spent","$budget"]}}`, `{"spent":1,"budget":3}`, false},
		{`{"a":1,"$expr":{"$eq":[{"$size":"$tags"},2]}}`, `{"a":1,"tags":["x","y"]}`, true},
		{`{"$or":[{"$expr":{"$lt":["$n",0]}},{"z":true}]}`, `{"n":-2}`, true},
		{`{"$expr":{"$divide":["$n",0]}}`, `{"n":1}`, false},
	}
	for _, c := range cases {
		q, _ := ejson.UnmarshalDoc([]byte(c.filter))
		f, err := ParseFilter(q)
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		d, _ := ejson.UnmarshalDoc([]byte(c.doc))
		if got := f.Match(d); got != c.want {
			t.Errorf("%s on %s = %v", c.filter, c.doc, got)
		}
	}
}
