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
		if !matchOp(doc, f.Segs, op) {
			return false
		}
	}
	return true
}

// matchOp applies one operator to the values a path reaches from root.
func matchOp(root any, segs []string, op *Op) bool {
	switch op.Kind {
	case OpNe:
		return !matchOp(root, segs, &Op{Kind: OpEq, Value: op.Value, Regex: op.Regex})
	case OpNin:
		return !matchOp(root, segs, &Op{Kind: OpIn, Values: op.Values, res: op.res})
	case OpNot:
		for _, sub := range op.Not {
			if !matchOp(root, segs, sub) {
				return true
			}
		}
		return false
	case OpExists:
		found := walkPath(root, segs, func(v any) bool { return v != missing })
		return found == op.Value.(bool)
	case OpAll:
		if len(op.Values) == 0 {
			return false
		}
		for i, want := range op.Values {
			sub := &Op{Kind: OpEq, Value: want}
			if _, isRe := want.(ejson.Regex); isRe {
				sub.Regex = op.res[regexIndex(op.Values, i)]
			}
			if !matchOp(root, segs, sub) {
				return false
			}
		}
		return true
	case OpSize:
		n := op.Value.(int64)
		return walkPath(root, segs, func(v any) bool {
			arr, ok := v.([]any)
			return ok && int64(len(arr)) == n
		})
	case OpElemMatch:
		return walkPath(root, segs, func(v any) bool {
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
		})
	}
	// every other operator tests each reached value and, for arrays, each element
	return walkPath(root, segs, func(v any) bool {
		if testValue(v, op) {
			return true
		}
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if testValue(e, op) {
					return true
				}
			}
		}
		return false
	})
}

func regexIndex(values []any, i int) int {
	n := 0
	for j := 0; j < i; j++ {
		if _, ok := values[j].(ejson.Regex); ok {
			n++
		}
	}
	return n
}

func elemMatches(e any, op *Op) bool {
	if op.ElemOps != nil {
		for _, sub := range op.ElemOps {
			if !matchOp(e, nil, sub) {
				return false
			}
		}
		return true
	}
	d, ok := e.(ejson.D)
	return ok && op.ElemMatch.match(d)
}

// testValue applies a value-level operator to one value (missing included).
func testValue(v any, op *Op) bool {
	switch op.Kind {
	case OpEq:
		return equalsOperand(v, op.Value, op.Regex)
	case OpGt, OpGte, OpLt, OpLte:
		return compareOp(v, op.Kind, op.Value)
	case OpIn:
		re := 0
		for _, want := range op.Values {
			var r = op.res
			if _, isRe := want.(ejson.Regex); isRe {
				if equalsOperand(v, want, r[re]) {
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
	case OpRegex:
		s, ok := v.(string)
		return ok && op.Regex.MatchString(s)
	case OpMod:
		if v == missing || !ejson.IsNumber(v) {
			return false
		}
		f := ejson.ToFloat(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
		return math.Mod(math.Trunc(f), op.Mod[0]) == op.Mod[1]
	case OpType:
		if v == missing {
			return false
		}
		t := bsonType(v)
		for _, want := range op.Values {
			w := want.(int64)
			if w == t || (w == 0 && ejson.IsNumber(v)) {
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

// equalsOperand is MongoDB equality of a stored value with a query operand: null also
// matches a missing field, and a regular expression operand matches strings.
func equalsOperand(v, want any, re *regexp.Regexp) bool {
	if v == missing {
		return want == nil
	}
	if re != nil {
		switch x := v.(type) {
		case string:
			return re.MatchString(x)
		case ejson.Regex:
			w := want.(ejson.Regex)
			return x.Pattern == w.Pattern && x.Options == w.Options
		}
		return false
	}
	if ejson.Rank(v) != ejson.Rank(want) {
		return false
	}
	return ejson.Compare(v, want) == 0
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
