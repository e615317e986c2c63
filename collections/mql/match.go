package mql

import (
	"math"
	"regexp"

	"github.com/minicloud/minicloud/collections/ejson"
)

func (a *And) match(doc ejson.D) bool {
	for _, c := range a.Children {
		if !c.match(doc) {
			return false
		}
	}
	return true
}

func (o *Or) match(doc ejson.D) bool {
	for _, c := range o.Children {
		if c.match(doc) {
			return true
		}
	}
	return false
}

func (n *Nor) match(doc ejson.D) bool {
	for _, c := range n.Children {
		if c.match(doc) {
			return false
		}
	}
	return true
}

func (f *Field) match(doc ejson.D) bool {
	for _, op := range f.Ops {
		if !matchPath(doc, f.Segs, op) {
			return false
		}
	}
	return true
}

// matchPath applies one operator to the values a path yields from root (walkMatch):
// it matches when one of them does. Negations ($ne, $nin, $not) negate the whole
// positive match, so {a: {$ne: 1}} rejects [1, 2]. Value operators also test the
// elements of an array the path ends on; $size and $elemMatch test arrays as a whole.
func matchPath(root any, segs []string, op *Op) bool {
	switch op.Kind {
	case OpNe, OpNin:
		return !matchPath(root, segs, op.positive())
	case OpNot:
		for _, sub := range op.Not {
			if !matchPath(root, segs, sub) {
				return true
			}
		}
		return false
	case OpAll:
		if len(op.All) == 0 {
			return false
		}
		for _, sub := range op.All {
			if !matchPath(root, segs, sub) {
				return false
			}
		}
		return true
	case OpExists:
		found := walkMatch(root, segs, func(v any, _ bool) bool { return v != missing })
		return found == op.Value.(bool)
	case OpSize, OpElemMatch:
		return walkMatch(root, segs, func(v any, _ bool) bool { return matchValue(v, op) })
	}
	return walkMatch(root, segs, func(v any, leafArray bool) bool {
		if matchValue(v, op) {
			return true
		}
		if arr, ok := v.([]any); ok && leafArray {
			for _, e := range arr {
				if matchValue(e, op) {
					return true
				}
			}
		}
		return false
	})
}

// positive returns the operator a $ne or $nin negates.
func (op *Op) positive() *Op {
	if op.Kind == OpNin {
		return &Op{Kind: OpIn, Values: op.Values, res: op.res}
	}
	return &Op{Kind: OpEq, Value: op.Value, Regex: op.Regex}
}

// matchValue tests one operator against one value (missing included), without
// traversing arrays: MongoDB's matchesSingleElement, which $elemMatch applies to each
// element of an array.
func matchValue(v any, op *Op) bool {
	switch op.Kind {
	case OpEq:
		return equalsOperand(v, op.Value, op.Regex)
	case OpNe, OpNin:
		return !matchValue(v, op.positive())
	case OpGt, OpGte, OpLt, OpLte:
		return compareOp(v, op.Kind, op.Value)
	case OpIn:
		re := 0
		for _, want := range op.Values {
			if _, isRe := want.(ejson.Regex); isRe {
				if equalsOperand(v, want, op.res[re]) {
					return true
				}
				re++
				continue
			}
			if equalsOperand(v, want, nil) {
				return true
			}
		}
		return false
	case OpExists:
		return (v != missing) == op.Value.(bool)
	case OpAll:
		if len(op.All) == 0 {
			return false
		}
		for _, sub := range op.All {
			if !matchValue(v, sub) {
				return false
			}
		}
		return true
	case OpNot:
		for _, sub := range op.Not {
			if !matchValue(v, sub) {
				return true
			}
		}
		return false
	case OpSize:
		arr, ok := v.([]any)
		return ok && int64(len(arr)) == op.Value.(int64)
	case OpElemMatch:
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range arr {
			if elemMatches(e, op) {
				return true
			}
		}
		return false
	case OpRegex:
		return regexMatches(v, op.Value.(ejson.Regex), op.Regex)
	case OpMod:
		return modMatches(v, op.Mod)
	case OpType:
		if v == missing {
			return false
		}
		t := bsonType(v)
		for _, want := range op.Values {
			w := want.(int64)
			if w == t || (w == typeNumber && ejson.IsNumber(v)) {
				return true
			}
		}
		return false
	case OpGeoWithin, OpGeoIntersects, OpNearSphere:
		if v == missing {
			return false
		}
		return op.Geo.test(v)
	}
	return false
}

// elemMatches tests one array element against an $elemMatch: its operators apply to the
// element itself; its sub-filter to an element that is a document, or an array read as
// the document {"0": …, "1": …}.
func elemMatches(e any, op *Op) bool {
	if op.ElemOps != nil {
		for _, sub := range op.ElemOps {
			if !matchValue(e, sub) {
				return false
			}
		}
		return true
	}
	switch x := e.(type) {
	case ejson.D:
		return op.ElemMatch.match(x)
	case []any:
		return op.ElemMatch.match(arrayAsDoc(x))
	}
	return false
}

// equalsOperand is MongoDB equality of a stored value with a query operand: null also
// matches a missing field; with re (a regular expression used as a pattern: {a: /x/},
// $in, $all, $not) strings matching it and the identical regular expression match.
func equalsOperand(v, want any, re *regexp.Regexp) bool {
	if v == missing {
		return want == nil
	}
	if re != nil {
		return regexMatches(v, want.(ejson.Regex), re)
	}
	if ejson.Rank(v) != ejson.Rank(want) {
		return false
	}
	return ejson.Compare(v, want) == 0
}

// regexMatches is MongoDB's regular expression match: a string matching the pattern, or
// a stored regular expression with the same pattern and options.
func regexMatches(v any, want ejson.Regex, re *regexp.Regexp) bool {
	switch x := v.(type) {
	case string:
		return re.MatchString(x)
	case ejson.Regex:
		return x.Pattern == want.Pattern && ejson.SortRegexOptions(x.Options) == ejson.SortRegexOptions(want.Options)
	}
	return false
}

// modMatches is {$mod: [divisor, remainder]}: the value, truncated to an integer, leaves
// the remainder (with the dividend's sign, as in C). Non-numbers, NaN and infinities
// never match.
func modMatches(v any, m [2]float64) bool {
	if v == missing || !ejson.IsNumber(v) {
		return false
	}
	const two63 = 1 << 63
	if i, ok := v.(int64); ok && m[0] >= -two63 && m[0] < two63 && m[1] >= -two63 && m[1] < two63 {
		div, rem := int64(m[0]), int64(m[1])
		if div == -1 {
			return rem == 0 // MinInt64 % -1 overflows in Go; the remainder is 0
		}
		return i%div == rem
	}
	f := ejson.ToFloat(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	return math.Mod(math.Trunc(f), m[0]) == m[1]
}

func compareOp(v any, kind OpKind, want any) bool {
	if v == missing {
		v = nil
		if want != nil {
			return false
		}
	}
	switch want.(type) {
	case ejson.MinKey, ejson.MaxKey:
		return cmpResult(ejson.Compare(v, want), kind)
	}
	if ejson.Rank(v) != ejson.Rank(want) {
		return false
	}
	// NaN equals NaN and is otherwise incomparable
	if isNaN(v) || isNaN(want) {
		return isNaN(v) && isNaN(want) && (kind == OpGte || kind == OpLte)
	}
	return cmpResult(ejson.Compare(v, want), kind)
}

func isNaN(v any) bool {
	switch x := v.(type) {
	case float64:
		return math.IsNaN(x)
	case ejson.Decimal:
		return math.IsNaN(x.Float())
	}
	return false
}

func cmpResult(c int, kind OpKind) bool {
	switch kind {
	case OpGt:
		return c > 0
	case OpGte:
		return c >= 0
	case OpLt:
		return c < 0
	case OpLte:
		return c <= 0
	}
	return false
}
