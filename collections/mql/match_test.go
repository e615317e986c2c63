package mql

import (
	"math"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Tests of match.go: how query operators apply to the values a path yields, following
// MongoDB's matcher (implicit array traversal, negations over the whole field, $elemMatch
// and $all, $exists, $type, $regex, $mod and type-bracketed comparisons).

func TestMatchPathsIntoArraysOfDocuments(t *testing.T) {
	docs := `{"a":[{"b":1,"c":"x"},{"b":2},{"b":[3,4]},{"d":1}]}`
	runMatchCases(t, []matchCase{
		{`{"a.b":1}`, docs, true},
		{`{"a.b":4}`, docs, true}, // an array at the end of the path is also searched
		{`{"a.b":[3,4]}`, docs, true},
		{`{"a.b":[1,2]}`, docs, false}, // the values are not gathered into one array
		{`{"a.b":{"$gt":3}}`, docs, true},
		{`{"a.b":{"$gt":4}}`, docs, false},
		{`{"a.b":{"$size":2}}`, docs, true}, // $size sees only the array [3,4]
		{`{"a.b":{"$size":4}}`, docs, false},
		{`{"a.c":"x"}`, docs, true},
		// one element may satisfy one condition and another element the other
		{`{"a.b":1,"a.d":1}`, docs, true},
		{`{"a.b":1,"a.c":{"$exists":false}}`, docs, false}, // $exists:false holds for no element
		{`{"a.b":{"$gt":1,"$lt":2}}`, `{"a":[{"b":0},{"b":3}]}`, true},
		{`{"a":{"$elemMatch":{"b":{"$gt":1,"$lt":2}}}}`, `{"a":[{"b":0},{"b":3}]}`, false},
		// null matches documents where some element lacks the field
		{`{"a.b":null}`, docs, true},
		{`{"a.b":null}`, `{"a":[{"b":1},{"b":2}]}`, false},
		{`{"a.b":null}`, `{"a":[{"b":null}]}`, true},
		{`{"a.b":null}`, `{"a":[]}`, false},
		{`{"a.b":null}`, `{"a":{"c":1}}`, true},
		{`{"a.b":null}`, `{"a":5}`, true},
		{`{"a.b":null}`, `{}`, true},
		// $exists: some element has the field
		{`{"a.d":{"$exists":true}}`, docs, true},
		{`{"a.e":{"$exists":true}}`, docs, false},
		{`{"a.e":{"$exists":false}}`, docs, true},
		{`{"a.d":{"$exists":false}}`, docs, false},
		// positional segments
		{`{"a.0.b":1}`, docs, true},
		{`{"a.1.b":1}`, docs, false},
		{`{"a.2.b.1":4}`, docs, true},
		{`{"a.2.b":3}`, docs, true},
		{`{"a.9.b":null}`, docs, true},
		{`{"a.9":{"$exists":true}}`, docs, false},
		// a numeric segment also names fields of the element documents
		{`{"a.0":1}`, `{"a":[{"0":1}]}`, true},
		{`{"a.0":{"b":1}}`, `{"a":[{"b":1}]}`, true},
		// a whole-element match at a position is not expanded again
		{`{"a.0":1}`, `{"a":[[1],2]}`, false},
		{`{"a.0":[1]}`, `{"a":[[1],2]}`, true},
	})
}

func TestMatchNegationsOverArrays(t *testing.T) {
	runMatchCases(t, []matchCase{
		// $ne and $nin reject a document when any element matches
		{`{"a":{"$ne":1}}`, `{"a":[1,2]}`, false},
		{`{"a":{"$ne":3}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$ne":[1,2]}}`, `{"a":[1,2]}`, false},
		{`{"a":{"$nin":[2,5]}}`, `{"a":[1,2]}`, false},
		{`{"a":{"$nin":[5]}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$ne":null}}`, `{}`, false},
		{`{"a":{"$ne":null}}`, `{"a":[null,1]}`, false},
		{`{"a":{"$ne":null}}`, `{"a":[1]}`, true},
		{`{"a.b":{"$ne":1}}`, `{"a":[{"b":1},{"b":2}]}`, false},
		{`{"a.b":{"$ne":3}}`, `{"a":[{"b":1},{}]}`, true},
		{`{"a":{"$nin":[null]}}`, `{}`, false},
		{`{"a":{"$nin":[]}}`, `{}`, true},
		// $not negates the whole condition, not each element
		{`{"a":{"$not":{"$gt":5}}}`, `{"a":[1,6]}`, false},
		{`{"a":{"$not":{"$gt":5}}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$not":{"$gt":5}}}`, `{}`, true},
		{`{"a":{"$not":{"$gt":5}}}`, `{"a":"str"}`, true},
		{`{"a":{"$not":{"$gt":1,"$lt":3}}}`, `{"a":2}`, false},
		{`{"a":{"$not":{"$gt":1,"$lt":3}}}`, `{"a":3}`, true},
		{`{"a":{"$not":{"$regularExpression":{"pattern":"^x","options":""}}}}`, `{"a":["y","xa"]}`, false},
		{`{"a":{"$not":{"$regularExpression":{"pattern":"^x","options":""}}}}`, `{"a":["y"]}`, true},
		{`{"a":{"$not":{"$size":2}}}`, `{"a":[1,2]}`, false},
		{`{"a":{"$not":{"$elemMatch":{"$gt":1}}}}`, `{"a":[0,1]}`, true},
		{`{"$nor":[{"a":1},{"b":{"$exists":true}}]}`, `{"a":[2]}`, true},
		{`{"$nor":[{"a":1},{"b":{"$exists":true}}]}`, `{"a":[1]}`, false},
	})
}

func TestMatchElemMatch(t *testing.T) {
	runMatchCases(t, []matchCase{
		// operator form: all conditions on one element
		{`{"a":{"$elemMatch":{"$gte":2,"$lt":3}}}`, `{"a":[1,2.5,4]}`, true},
		{`{"a":{"$elemMatch":{"$gte":2,"$lt":3}}}`, `{"a":[1,4]}`, false},
		{`{"a":{"$gte":2,"$lt":3}}`, `{"a":[1,4]}`, true},
		{`{"a":{"$elemMatch":{"$eq":null}}}`, `{"a":[1,null]}`, true},
		{`{"a":{"$elemMatch":{"$ne":1}}}`, `{"a":[1,1]}`, false},
		{`{"a":{"$elemMatch":{"$ne":1}}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$elemMatch":{"$in":[5,6]}}}`, `{"a":[1,6]}`, true},
		{`{"a":{"$elemMatch":{"$size":1}}}`, `{"a":[[1],[1,2]]}`, true},
		{`{"a":{"$elemMatch":{"$not":{"$gt":1}}}}`, `{"a":[3,1]}`, true},
		{`{"a":{"$elemMatch":{"$elemMatch":{"$gt":1}}}}`, `{"a":[[0,2]]}`, true},
		{`{"a":{"$elemMatch":{"$elemMatch":{"$gt":5}}}}`, `{"a":[[0,2],3]}`, false},
		// document form: a sub-query on one element document
		{`{"a":{"$elemMatch":{"b":1,"c":2}}}`, `{"a":[{"b":1},{"c":2}]}`, false},
		{`{"a":{"$elemMatch":{"b":1,"c":2}}}`, `{"a":[{"b":1},{"b":1,"c":2}]}`, true},
		{`{"a":{"$elemMatch":{"b":{"$exists":false}}}}`, `{"a":[{"b":1},{"c":1}]}`, true},
		{`{"a":{"$elemMatch":{"b":{"$exists":false}}}}`, `{"a":[{"b":1},5]}`, false},
		{`{"a":{"$elemMatch":{"$or":[{"b":1},{"c":1}]}}}`, `{"a":[{"c":1}]}`, true},
		{`{"a":{"$elemMatch":{"$or":[{"b":1},{"c":1}]}}}`, `{"a":[{"d":1}]}`, false},
		{`{"a":{"$elemMatch":{"b.c":1}}}`, `{"a":[{"b":[{"c":1}]}]}`, true},
		// an array element is read as the document {"0": …, "1": …}
		{`{"a":{"$elemMatch":{"0":1}}}`, `{"a":[[1,2]]}`, true},
		{`{"a":{"$elemMatch":{"1":{"$gt":1}}}}`, `{"a":[[1,2]]}`, true},
		{`{"a":{"$elemMatch":{}}}`, `{"a":[1,"x"]}`, false},
		{`{"a":{"$elemMatch":{}}}`, `{"a":[1,{}]}`, true},
		// only arrays match
		{`{"a":{"$elemMatch":{"$gt":0}}}`, `{"a":5}`, false},
		{`{"a":{"$elemMatch":{"b":1}}}`, `{"a":{"b":1}}`, false},
		{`{"a":{"$elemMatch":{"b":1}}}`, `{}`, false},
		// through a path into arrays of documents
		{`{"a.b":{"$elemMatch":{"$gt":2}}}`, `{"a":[{"b":[1]},{"b":[3]}]}`, true},
		{`{"a.b":{"$elemMatch":{"$gt":2}}}`, `{"a":[{"b":1},{"b":3}]}`, false},
	})
}

func TestMatchAll(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"a":{"$all":[1,2]}}`, `{"a":[2,3,1]}`, true},
		{`{"a":{"$all":[1,2]}}`, `{"a":[1,3]}`, false},
		{`{"a":{"$all":[1,1]}}`, `{"a":[1]}`, true},
		{`{"a":{"$all":[1]}}`, `{"a":1}`, true},
		{`{"a":{"$all":[[1,2]]}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$all":[[1,2]]}}`, `{"a":[[1,2],3]}`, true},
		{`{"a":{"$all":[[1,2]]}}`, `{"a":[[2,1]]}`, false},
		{`{"a":{"$all":[]}}`, `{"a":[]}`, false},
		{`{"a":{"$all":[]}}`, `{"a":[1]}`, false},
		{`{"a":{"$all":[null]}}`, `{}`, true},
		{`{"a":{"$all":[null]}}`, `{"a":[1]}`, false},
		{`{"a":{"$all":[{"$regularExpression":{"pattern":"^x","options":""}},"yy"]}}`, `{"a":["xa","yy"]}`, true},
		{`{"a":{"$all":[{"$regularExpression":{"pattern":"^x","options":""}},"yy"]}}`, `{"a":["za","yy"]}`, false},
		{`{"a.b":{"$all":[1,2]}}`, `{"a":[{"b":1},{"b":2}]}`, true},
		{`{"a":{"$all":[{"b":1}]}}`, `{"a":[{"b":1},{"c":2}]}`, true},
		// $all of $elemMatch: each condition matched by some element, possibly different ones
		{`{"a":{"$all":[{"$elemMatch":{"x":1}},{"$elemMatch":{"y":2}}]}}`, `{"a":[{"x":1},{"y":2}]}`, true},
		{`{"a":{"$all":[{"$elemMatch":{"x":1}},{"$elemMatch":{"y":2}}]}}`, `{"a":[{"x":1},{"y":3}]}`, false},
		{`{"a":{"$all":[{"$elemMatch":{"x":1,"y":2}}]}}`, `{"a":[{"x":1},{"y":2}]}`, false},
		{`{"a":{"$all":[{"$elemMatch":{"x":1,"y":2}}]}}`, `{"a":[{"x":1,"y":2}]}`, true},
		{`{"a":{"$all":[{"$elemMatch":{"$gt":5}},{"$elemMatch":{"$lt":0}}]}}`, `{"a":[-1,6]}`, true},
		{`{"a":{"$all":[{"$elemMatch":{"$gt":5}}]}}`, `{"a":6}`, false},
	})
	for _, bad := range []string{
		`{"a":{"$all":1}}`,
		`{"a":{"$all":[{"$elemMatch":{"x":1}},2]}}`,
		`{"a":{"$all":[2,{"$elemMatch":{"x":1}}]}}`,
		`{"a":{"$all":[{"$gt":1}]}}`,
		`{"a":{"$all":[{"$elemMatch":1}]}}`,
	} {
		if _, err := ParseFilter(mustDoc(t, bad)); err == nil {
			t.Errorf("ParseFilter(%s) must fail", bad)
		}
	}
}

func TestMatchExistsAndNull(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"a":{"$exists":true}}`, `{"a":null}`, true},
		{`{"a":{"$exists":true}}`, `{"a":[]}`, true},
		{`{"a":{"$exists":false}}`, `{"a":null}`, false},
		{`{"a":{"$exists":false}}`, `{}`, true},
		{`{"a":{"$exists":1}}`, `{"a":0}`, true},
		{`{"a":{"$exists":0}}`, `{"a":0}`, false},
		{`{"a":{"$exists":"no"}}`, `{"a":0}`, true}, // any non-false value means true
		{`{"a":{"$exists":null}}`, `{}`, true},
		{`{"a.b":{"$exists":true}}`, `{"a":{"b":null}}`, true},
		{`{"a.b":{"$exists":true}}`, `{"a":5}`, false},
		// equality with null: null or missing, never other values
		{`{"a":null}`, `{"a":null}`, true},
		{`{"a":null}`, `{}`, true},
		{`{"a":null}`, `{"a":0}`, false},
		{`{"a":null}`, `{"a":[]}`, false},
		{`{"a":null}`, `{"a":[1,null]}`, true},
		{`{"a":{"$in":[null,5]}}`, `{}`, true},
		{`{"a":{"$in":[null,5]}}`, `{"a":[5]}`, true},
		{`{"a":{"$gte":null}}`, `{}`, true},
		{`{"a":{"$lte":null}}`, `{"a":null}`, true},
		{`{"a":{"$gt":null}}`, `{"a":1}`, false},
		{`{"a":{"$lt":null}}`, `{}`, false},
		{`{"a":{"$eq":null}}`, `{"a":{"b":null}}`, false},
	})
}

func TestMatchType(t *testing.T) {
	docs := map[string]string{
		"double":    `{"v":1.5}`,
		"string":    `{"v":"s"}`,
		"object":    `{"v":{}}`,
		"array":     `{"v":[]}`,
		"binData":   `{"v":{"$binary":{"base64":"AA==","subType":"00"}}}`,
		"objectId":  `{"v":{"$oid":"5ab9cbfa31c2ab715d42129e"}}`,
		"bool":      `{"v":false}`,
		"date":      `{"v":{"$date":0}}`,
		"null":      `{"v":null}`,
		"regex":     `{"v":{"$regularExpression":{"pattern":"a","options":""}}}`,
		"int":       `{"v":1}`,
		"timestamp": `{"v":{"$timestamp":{"t":1,"i":1}}}`,
		"long":      `{"v":5000000000}`,
		"decimal":   `{"v":{"$numberDecimal":"1"}}`,
		"minKey":    `{"v":{"$minKey":1}}`,
		"maxKey":    `{"v":{"$maxKey":1}}`,
	}
	codes := map[string]int{"double": 1, "string": 2, "object": 3, "array": 4, "binData": 5, "objectId": 7, "bool": 8,
		"date": 9, "null": 10, "regex": 11, "int": 16, "timestamp": 17, "long": 18, "decimal": 19, "minKey": -1, "maxKey": 127}
	numbers := map[string]bool{"double": true, "int": true, "long": true, "decimal": true}
	for alias, code := range codes {
		for name, doc := range docs {
			want := name == alias
			byName := mustFilter(t, `{"v":{"$type":"`+alias+`"}}`)
			byCode := mustFilter(t, `{"v":{"$type":`+itoa(code)+`}}`)
			d := mustDoc(t, doc)
			if got := byName.Match(d); got != want {
				t.Errorf("$type %q on %s: got %v, want %v", alias, doc, got, want)
			}
			if got := byCode.Match(d); got != want {
				t.Errorf("$type %d on %s: got %v, want %v", code, doc, got, want)
			}
		}
	}
	for name, doc := range docs {
		if got := mustFilter(t, `{"v":{"$type":"number"}}`).Match(mustDoc(t, doc)); got != numbers[name] {
			t.Errorf("$type number on %s: got %v", doc, got)
		}
	}
	runMatchCases(t, []matchCase{
		{`{"v":{"$type":"null"}}`, `{}`, false},
		{`{"v":{"$type":"array"}}`, `{"v":[[1]]}`, true},
		{`{"v":{"$type":"string"}}`, `{"v":[1,"s"]}`, true},
		{`{"v":{"$type":"int"}}`, `{"v":[[1]]}`, false},
		{`{"v":{"$type":["string","double"]}}`, `{"v":2.5}`, true},
		{`{"v":{"$type":2.0}}`, `{"v":"s"}`, true},
		{`{"v.w":{"$type":"int"}}`, `{"v":[{"w":1}]}`, true},
	})
	for _, bad := range []string{`{"v":{"$type":"integer"}}`, `{"v":{"$type":20}}`, `{"v":{"$type":0}}`, `{"v":{"$type":1.5}}`, `{"v":{"$type":true}}`, `{"v":{"$type":"missing"}}`} {
		if _, err := ParseFilter(mustDoc(t, bad)); err == nil {
			t.Errorf("ParseFilter(%s) must fail", bad)
		}
	}
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestMatchRegexOptions(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"s":{"$regex":"^ab"}}`, `{"s":"abc"}`, true},
		{`{"s":{"$regex":"^AB"}}`, `{"s":"abc"}`, false},
		{`{"s":{"$regex":"^AB","$options":"i"}}`, `{"s":"abc"}`, true},
		{`{"s":{"$options":"i","$regex":"^AB"}}`, `{"s":"abc"}`, true},
		{`{"s":{"$regex":"^É","$options":"i"}}`, `{"s":"école"}`, true},
		// m: ^ and $ at line breaks
		{`{"s":{"$regex":"^b$"}}`, `{"s":"a\nb\nc"}`, false},
		{`{"s":{"$regex":"^b$","$options":"m"}}`, `{"s":"a\nb\nc"}`, true},
		// s: . matches newlines
		{`{"s":{"$regex":"a.c"}}`, `{"s":"a\nc"}`, false},
		{`{"s":{"$regex":"a.c","$options":"s"}}`, `{"s":"a\nc"}`, true},
		// x: whitespace and # comments in the pattern are ignored, except in classes
		{`{"s":{"$regex":"a b # comment\nc","$options":"x"}}`, `{"s":"abc"}`, true},
		{`{"s":{"$regex":"a[ ]b","$options":"x"}}`, `{"s":"a b"}`, true},
		{`{"s":{"$regex":"a\\ b","$options":"x"}}`, `{"s":"a b"}`, true},
		{`{"s":{"$regex":{"$regularExpression":{"pattern":"^ab","options":"i"}}}}`, `{"s":"ABc"}`, true},
		{`{"s":{"$regularExpression":{"pattern":"^ab","options":"i"}}}`, `{"s":"ABc"}`, true},
		{`{"s":{"$regex":"b"}}`, `{"s":["a","abc"]}`, true},
		{`{"s.t":{"$regex":"b"}}`, `{"s":[{"t":"a"},{"t":"b"}]}`, true},
		// only strings (and identical stored regular expressions) match
		{`{"s":{"$regex":"1"}}`, `{"s":1}`, false},
		{`{"s":{"$regex":"a"}}`, `{"s":{"$regularExpression":{"pattern":"a","options":""}}}`, true},
		{`{"s":{"$regex":"a","$options":"i"}}`, `{"s":{"$regularExpression":{"pattern":"a","options":""}}}`, false},
		{`{"s":{"$regex":"a"}}`, `{}`, false},
		{`{"s":{"$not":{"$regex":"a"}}}`, `{}`, true},
		{`{"s":{"$in":[{"$regularExpression":{"pattern":"^a","options":"i"}},"zz"]}}`, `{"s":"Abc"}`, true},
		{`{"s":{"$nin":[{"$regularExpression":{"pattern":"^a","options":""}}]}}`, `{"s":"abc"}`, false},
	})
	for _, bad := range []string{
		`{"s":{"$regex":"("}}`,
		`{"s":{"$regex":"a","$options":"q"}}`,
		`{"s":{"$regex":1}}`,
		`{"s":{"$options":"i"}}`,
		`{"s":{"$regex":"a","$options":1}}`,
		`{"s":{"$regex":"(?=a)"}}`,
		`{"s":{"$ne":{"$regularExpression":{"pattern":"a","options":""}}}}`,
		`{"s":{"$gt":{"$regularExpression":{"pattern":"a","options":""}}}}`,
	} {
		if _, err := ParseFilter(mustDoc(t, bad)); err == nil {
			t.Errorf("ParseFilter(%s) must fail", bad)
		}
	}
}

func TestMatchMod(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"a":{"$mod":[4,0]}}`, `{"a":8}`, true},
		{`{"a":{"$mod":[4,0]}}`, `{"a":8.9}`, true}, // the value is truncated
		{`{"a":{"$mod":[4,0]}}`, `{"a":-8.9}`, true},
		{`{"a":{"$mod":[4,1]}}`, `{"a":-7}`, false},
		{`{"a":{"$mod":[4,-3]}}`, `{"a":-7}`, true}, // the remainder has the dividend's sign
		{`{"a":{"$mod":[-4,3]}}`, `{"a":7}`, true},
		{`{"a":{"$mod":[4.9,1]}}`, `{"a":5}`, true}, // the divisor is truncated
		{`{"a":{"$mod":[4,1.9]}}`, `{"a":5}`, true}, // and the remainder
		{`{"a":{"$mod":[-1,0]}}`, `{"a":-9223372036854775808}`, true},
		{`{"a":{"$mod":[2,0]}}`, `{"a":{"$numberDecimal":"4.5"}}`, true},
		{`{"a":{"$mod":[2,0]}}`, `{"a":"4"}`, false},
		{`{"a":{"$mod":[2,0]}}`, `{"a":{"$numberDouble":"NaN"}}`, false},
		{`{"a":{"$mod":[2,0]}}`, `{"a":{"$numberDouble":"Infinity"}}`, false},
		{`{"a":{"$mod":[2,0]}}`, `{}`, false},
		{`{"a":{"$mod":[2,1]}}`, `{"a":[2,3]}`, true},
	})
	for _, bad := range []string{`{"a":{"$mod":[0,1]}}`, `{"a":{"$mod":[0.5,0]}}`, `{"a":{"$mod":[4]}}`, `{"a":{"$mod":[4,1,2]}}`, `{"a":{"$mod":["4",1]}}`, `{"a":{"$mod":4}}`} {
		if _, err := ParseFilter(mustDoc(t, bad)); err == nil {
			t.Errorf("ParseFilter(%s) must fail", bad)
		}
	}
}

func TestMatchComparisonBrackets(t *testing.T) {
	runMatchCases(t, []matchCase{
		// comparisons only match values of the operand's type bracket
		{`{"a":{"$gt":"a"}}`, `{"a":1}`, false},
		{`{"a":{"$lt":1}}`, `{"a":"a"}`, false},
		{`{"a":{"$gte":0}}`, `{"a":true}`, false},
		{`{"a":{"$gt":0}}`, `{"a":{"$date":5}}`, false},
		{`{"a":{"$gt":{"$date":0}}}`, `{"a":{"$date":5}}`, true},
		{`{"a":{"$lt":{"$date":0}}}`, `{"a":{"$date":-5}}`, true},
		{`{"a":{"$gt":1}}`, `{"a":{"$numberDecimal":"1.5"}}`, true},
		{`{"a":{"$lte":1}}`, `{"a":1.0}`, true},
		{`{"a":{"$gt":9007199254740992}}`, `{"a":9007199254740993}`, true},
		{`{"a":{"$gt":"B"}}`, `{"a":"a"}`, true},
		{`{"a":{"$gt":{}}}`, `{"a":{"x":1}}`, true},
		{`{"a":{"$gt":false}}`, `{"a":true}`, true},
		{`{"a":{"$gt":{"$oid":"000000000000000000000000"}}}`, `{"a":{"$oid":"5ab9cbfa31c2ab715d42129e"}}`, true},
		// MinKey and MaxKey compare with everything
		{`{"a":{"$gt":{"$minKey":1}}}`, `{"a":"x"}`, true},
		{`{"a":{"$lt":{"$maxKey":1}}}`, `{"a":{"$date":0}}`, true},
		{`{"a":{"$gt":{"$minKey":1}}}`, `{"a":null}`, true},
		{`{"a":{"$gt":{"$minKey":1}}}`, `{}`, false},
		// NaN equals NaN and is not ordered against numbers
		{`{"a":{"$eq":{"$numberDouble":"NaN"}}}`, `{"a":{"$numberDouble":"NaN"}}`, true},
		{`{"a":{"$gte":{"$numberDouble":"NaN"}}}`, `{"a":{"$numberDouble":"NaN"}}`, true},
		{`{"a":{"$gt":{"$numberDouble":"NaN"}}}`, `{"a":{"$numberDouble":"NaN"}}`, false},
		{`{"a":{"$lt":0}}`, `{"a":{"$numberDouble":"NaN"}}`, false},
		{`{"a":{"$gt":{"$numberDouble":"NaN"}}}`, `{"a":1}`, false},
		{`{"a":{"$lt":{"$numberDouble":"Infinity"}}}`, `{"a":1e308}`, true},
		// arrays: the whole array and each element are compared
		{`{"a":{"$gt":[1]}}`, `{"a":[2]}`, true},
		{`{"a":{"$lt":[1,5]}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$lt":2}}`, `{"a":[[1]]}`, false},
		{`{"a":{"$gt":3}}`, `{"a":[1,5]}`, true},
		{`{"a":{"$in":[[1,2]]}}`, `{"a":[1,2]}`, true},
		{`{"a":{"$in":[[1,2]]}}`, `{"a":[[1,2]]}`, true},
		// document equality is ordered and exact
		{`{"a":{"b":1,"c":2}}`, `{"a":{"b":1,"c":2}}`, true},
		{`{"a":{"b":1,"c":2}}`, `{"a":{"c":2,"b":1}}`, false},
		{`{"a":{"b":1}}`, `{"a":{"b":1,"c":2}}`, false},
		{`{"a":{"b":1}}`, `{"a":{"b":1.0}}`, true},
		{`{"a":{"b":1}}`, `{"a":[{"b":1},{"b":2}]}`, true},
		{`{"a":{"$eq":{"b":null}}}`, `{"a":{}}`, false},
	})
}

func TestMatchLogicalStructure(t *testing.T) {
	runMatchCases(t, []matchCase{
		{`{"$and":[{"a":{"$gt":1}},{"a":{"$lt":3}}]}`, `{"a":[0,5]}`, true},
		{`{"$and":[{"a":1},{"$or":[{"b":1},{"c":1}]}]}`, `{"a":1,"c":1}`, true},
		{`{"$or":[{"a":1},{"$nor":[{"b":1}]}]}`, `{"b":1}`, false},
		{`{"$or":[{"a":1},{"$nor":[{"b":1}]}]}`, `{"b":2}`, true},
		{`{"$nor":[{"a":{"$exists":true}}]}`, `{}`, true},
		{`{"a":1,"$comment":"ignored"}`, `{"a":1}`, true},
		{`{"a":{"$in":[1],"$exists":true,"$ne":2}}`, `{"a":1}`, true},
		{`{"a":{"$eq":1,"$ne":1}}`, `{"a":1}`, false},
	})
	for _, bad := range []string{`{"$and":[]}`, `{"$or":{}}`, `{"$nor":[1]}`, `{"a":{"$in":[{"$gt":1}]}}`, `{"a":{"$gt":1,"b":2}}`, `{"$bogus":1}`} {
		if _, err := ParseFilter(mustDoc(t, bad)); err == nil {
			t.Errorf("ParseFilter(%s) must fail", bad)
		}
	}
}

func TestMatchValueDirect(t *testing.T) {
	// matchValue tests a single value, never traversing arrays
	in := &Op{Kind: OpIn, Values: []any{int64(1), nil}}
	cases := []struct {
		v    any
		op   *Op
		want bool
	}{
		{missing, &Op{Kind: OpEq, Value: nil}, true},
		{missing, &Op{Kind: OpEq, Value: int64(0)}, false},
		{[]any{int64(1)}, &Op{Kind: OpEq, Value: int64(1)}, false},
		{missing, in, true},
		{[]any{int64(1)}, in, false},
		{missing, &Op{Kind: OpExists, Value: true}, false},
		{nil, &Op{Kind: OpExists, Value: true}, true},
		{missing, &Op{Kind: OpType, Values: []any{int64(10)}}, false},
		{missing, &Op{Kind: OpGte, Value: nil}, true},
		{missing, &Op{Kind: OpGt, Value: ejson.MinKey{}}, false},
		{missing, &Op{Kind: OpNe, Value: nil}, false},
		{math.NaN(), &Op{Kind: OpLte, Value: math.NaN()}, true},
		{missing, &Op{Kind: OpSize, Value: int64(0)}, false},
		{[]any{}, &Op{Kind: OpSize, Value: int64(0)}, true},
		{"x", &Op{Kind: OpElemMatch, ElemOps: []*Op{{Kind: OpEq, Value: "x"}}}, false},
		{missing, &Op{Kind: OpAll, All: []*Op{{Kind: OpEq, Value: nil}}}, true},
		{missing, &Op{Kind: OpAll}, false},
		{missing, &Op{Kind: OpNot, Not: []*Op{{Kind: OpEq, Value: int64(1)}}}, true},
	}
	for i, c := range cases {
		if got := matchValue(c.v, c.op); got != c.want {
			t.Errorf("case %d: matchValue(%#v, kind %d) = %v, want %v", i, c.v, c.op.Kind, got, c.want)
		}
	}
	if !modMatches(int64(-7), [2]float64{4, -3}) || modMatches(missing, [2]float64{1, 0}) {
		t.Error("modMatches")
	}
	if !cmpResult(1, OpGt) || cmpResult(0, OpLt) || cmpResult(1, OpEq) {
		t.Error("cmpResult")
	}
}

// ---- former differences from MongoDB, now fixed (regression tests) ----

func TestMatchRegexOptionsTwice(t *testing.T) {
	// MongoDB's parser rejects options given both in a BSON regex and in $options
	// (errors 51074/51075, "options set in both $regex and $options"); the implementation
	// silently lets $options replace the regex's own flags, so /^a/i with $options "m"
	// becomes case-sensitive.
	_, err := ParseFilter(mustDoc(t, `{"s":{"$regex":{"$regularExpression":{"pattern":"^a","options":"i"}},"$options":"m"}}`))
	if err == nil || !strings.Contains(err.Error(), "options set in both $regex and $options") {
		t.Fatalf("want the error \"options set in both $regex and $options\", got %v", err)
	}
	_, err = ParseFilter(mustDoc(t, `{"s":{"$options":"m","$regex":{"$regularExpression":{"pattern":"^a","options":"i"}}}}`))
	if err == nil || !strings.Contains(err.Error(), "options set in both $regex and $options") {
		t.Fatalf("$options first: want the error \"options set in both $regex and $options\", got %v", err)
	}
	runMatchCases(t, []matchCase{
		// options on one side only are fine
		{`{"s":{"$regex":{"$regularExpression":{"pattern":"^a","options":"i"}},"$options":""}}`, `{"s":"Ab"}`, true},
		{`{"s":{"$regex":{"$regularExpression":{"pattern":"^a","options":""}},"$options":"i"}}`, `{"s":"Ab"}`, true},
	})
}

func TestMatchRegexDollarBeforeFinalNewline(t *testing.T) {
	// MongoDB matches with PCRE, where $ (without the m option) also matches before a
	// string's final newline; Go's RE2 $ only matches at the very end. {s: /b$/} matches
	// "ab\n" in MongoDB; compileRegex now rewrites such a $ (pcreDollar).
	runMatchCases(t, []matchCase{
		{`{"s":{"$regex":"b$"}}`, `{"s":"ab\n"}`, true},
		{`{"s":{"$regex":"^ab$"}}`, `{"s":"ab\n"}`, true},
		{`{"s":{"$regex":"^$"}}`, `{"s":"\n"}`, true},
		// only before the final newline
		{`{"s":{"$regex":"b$"}}`, `{"s":"ab\nc"}`, false},
		{`{"s":{"$regex":"b$"}}`, `{"s":"ab\n\n"}`, false},
		// escaped, in a class or quoted, $ is a character
		{`{"s":{"$regex":"b\\$"}}`, `{"s":"ab\n"}`, false},
		{`{"s":{"$regex":"b\\$"}}`, `{"s":"ab$"}`, true},
		{`{"s":{"$regex":"[$]"}}`, `{"s":"a\n"}`, false},
		{`{"s":{"$regex":"[]$]"}}`, `{"s":"$"}`, true},
		{`{"s":{"$regex":"\\Q$\\E"}}`, `{"s":"a\n"}`, false},
		{`{"s":{"$regex":"\\\\$"}}`, `{"s":"a\\\n"}`, true}, // after an escaped \, $ is the anchor
		// multiline mode is unchanged
		{`{"s":{"$regex":"^b$","$options":"m"}}`, `{"s":"a\nb\nc"}`, true},
		{`{"s":{"$regex":"(?m)^b$"}}`, `{"s":"a\nb\nc"}`, true},
	})
}
