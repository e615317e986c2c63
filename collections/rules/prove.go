package rules

import (
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// constraint is what a query says about one field of every document it matches.
type constraint struct {
	eq    []any // the field equals one of these ($eq, plain value, $in)
	hasEq bool
	lower any // $gt / $gte bound
	lowIn bool
	upper any // $lt / $lte bound
	upIn  bool
}

// queryBranches turns a filter into the constraints of each disjunct: the top-level
// conditions, multiplied out over one top-level $or. Conditions it cannot read (nested
// $or, $not, regexes …) constrain nothing, which only makes the proof harder.
func queryBranches(filter ejson.D) []map[string]*constraint {
	base := map[string]*constraint{}
	var ors [][]any
	var collect func(d ejson.D, into map[string]*constraint)
	collect = func(d ejson.D, into map[string]*constraint) {
		for _, e := range d {
			switch {
			case e.Key == "$and":
				if arr, ok := e.Value.([]any); ok {
					for _, it := range arr {
						if sub, ok := it.(ejson.D); ok {
							collect(sub, into)
						}
					}
				}
			case strings.HasPrefix(e.Key, "$"):
				// nested $or/$nor/$expr … constrain nothing provable
			default:
				addCondition(into, e.Key, e.Value)
			}
		}
	}
	// first pass: top-level conditions; $or lists are gathered separately
	collectTop := func(d ejson.D) {
		for _, e := range d {
			if e.Key == "$or" {
				if arr, ok := e.Value.([]any); ok {
					ors = append(ors, arr)
				}
				continue
			}
			collect(ejson.D{e}, base)
		}
	}
	collectTop(filter)
	if len(ors) != 1 {
		// no $or, or several (their product could be large): use the common part only
		return []map[string]*constraint{base}
	}
	var out []map[string]*constraint
	for _, it := range ors[0] {
		sub, ok := it.(ejson.D)
		if !ok {
			continue
		}
		b := map[string]*constraint{}
		for k, v := range base {
			c := *v
			b[k] = &c
		}
		collect(sub, b)
		out = append(out, b)
	}
	if len(out) == 0 {
		return []map[string]*constraint{base}
	}
	return out
}

// unresolved reports a value the store resolves only when it runs the query (a
// db.serverDate()): it proves nothing about the documents matched.
func unresolved(v any) bool {
	_, ok := v.(ejson.ServerDate)
	return ok
}

func addCondition(into map[string]*constraint, path string, cond any) {
	c := into[path]
	if c == nil {
		c = &constraint{}
		into[path] = c
	}
	ops, isOps := cond.(ejson.D)
	if !isOps || len(ops) == 0 || !strings.HasPrefix(ops[0].Key, "$") {
		if _, re := cond.(ejson.Regex); !re && !unresolved(cond) {
			c.setEq([]any{cond})
		}
		return
	}
	for _, op := range ops {
		if unresolved(op.Value) {
			continue
		}
		switch op.Key {
		case "$eq":
			if _, re := op.Value.(ejson.Regex); !re {
				c.setEq([]any{op.Value})
			}
		case "$in":
			if arr, ok := op.Value.([]any); ok {
				vals := make([]any, 0, len(arr))
				for _, v := range arr {
					if _, re := v.(ejson.Regex); re || unresolved(v) {
						return
					}
					vals = append(vals, v)
				}
				c.setEq(vals)
			}
		case "$gt", "$gte":
			c.lower, c.lowIn = op.Value, op.Key == "$gte"
		case "$lt", "$lte":
			c.upper, c.upIn = op.Value, op.Key == "$lte"
		}
	}
}

// setEq narrows the allowed values (several equality conditions intersect).
func (c *constraint) setEq(vals []any) {
	if !c.hasEq {
		c.eq, c.hasEq = vals, true
		return
	}
	var keep []any
	for _, v := range c.eq {
		for _, w := range vals {
			if sameValue(v, w) {
				keep = append(keep, v)
				break
			}
		}
	}
	c.eq = keep
}

// prover shows a rule holds for every document satisfying cons.
type prover struct {
	ev   *evaluator
	cons map[string]*constraint
}

func usesDoc(n *node) bool {
	if n.kind == kPath && n.root == "doc" {
		return true
	}
	for _, a := range n.args {
		if usesDoc(a) {
			return true
		}
	}
	return false
}

var negated = map[string]string{"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
var flipped = map[string]string{"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}

// prove reports whether n (negated when neg) is true for every matching document.
func (p *prover) prove(n *node, neg bool) (bool, error) {
	if !usesDoc(n) {
		v, err := p.ev.eval(n)
		if err != nil {
			return false, err
		}
		b, ok := v.(bool)
		return ok && b != neg, nil
	}
	switch n.kind {
	case kNot:
		return p.prove(n.args[0], !neg)
	case kAnd, kOr:
		all := (n.kind == kAnd) != neg // a negated OR is an AND of negations
		for _, a := range n.args {
			ok, err := p.prove(a, neg)
			if err != nil {
				return false, err
			}
			if all && !ok {
				return false, nil
			}
			if !all && ok {
				return true, nil
			}
		}
		return all, nil
	case kPath:
		// A bare doc.flag must be true where a boolean is wanted; under ! it is negated
		// by truthiness (!doc.flag holds for false, null, 0, "" …).
		if neg {
			return p.falsy(n), nil
		}
		return p.atom(n, "==", true, false)
	case kCmp:
		left, right := n.args[0], n.args[1]
		if n.op == "in" {
			if left.kind == kPath && left.root == "doc" && !usesDoc(right) {
				list, err := p.ev.eval(right)
				if err != nil {
					return false, err
				}
				if neg {
					return false, nil
				}
				return p.in(left, list), nil
			}
			if right.kind == kPath && right.root == "doc" && !usesDoc(left) {
				v, err := p.ev.eval(left)
				if err != nil || neg {
					return false, err
				}
				return p.contains(right, v), nil
			}
			return false, nil
		}
		if left.kind == kPath && left.root == "doc" && !usesDoc(right) {
			v, err := p.ev.eval(right)
			if err != nil {
				return false, err
			}
			return p.atom(left, n.op, v, neg)
		}
		if right.kind == kPath && right.root == "doc" && !usesDoc(left) {
			v, err := p.ev.eval(left)
			if err != nil {
				return false, err
			}
			return p.atom(right, flipped[n.op], v, neg)
		}
	}
	return false, nil
}

// pathKey is the filter path of doc.<segs>, "" when there is none: doc['a.b'] reads a
// key holding a dot, which a filter path cannot name.
func pathKey(n *node) string {
	for _, s := range n.segs {
		if strings.Contains(s, ".") {
			return ""
		}
	}
	return strings.Join(n.segs, ".")
}

// atom proves doc.path <op> v from the query's constraint on that path.
func (p *prover) atom(path *node, op string, v any, neg bool) (bool, error) {
	if neg {
		op = negated[op]
	}
	key := pathKey(path)
	c := p.cons[key]
	if key == "" || c == nil {
		return false, nil
	}
	if c.hasEq {
		// Every allowed value must satisfy the comparison. Conditions whose values do not
		// intersect prove nothing: they are not a contradiction in MongoDB, where an
		// array holding both values matches both.
		if len(c.eq) == 0 {
			return false, nil
		}
		for _, x := range c.eq {
			if !compare(op, x, v) {
				return false, nil
			}
		}
		return true, nil
	}
	switch op {
	case ">", ">=":
		if c.lower == nil || v == nil || ejson.Rank(c.lower) != ejson.Rank(v) {
			return false, nil
		}
		cmp := ejson.Compare(c.lower, v)
		// every doc value is > lower (or >= when inclusive)
		if op == ">" {
			return cmp > 0 || (cmp == 0 && !c.lowIn), nil
		}
		return cmp >= 0, nil
	case "<", "<=":
		if c.upper == nil || v == nil || ejson.Rank(c.upper) != ejson.Rank(v) {
			return false, nil
		}
		cmp := ejson.Compare(c.upper, v)
		if op == "<" {
			return cmp < 0 || (cmp == 0 && !c.upIn), nil
		}
		return cmp <= 0, nil
	}
	return false, nil
}

// falsy proves !doc.path: every value the query allows is falsy.
func (p *prover) falsy(path *node) bool {
	key := pathKey(path)
	c := p.cons[key]
	if key == "" || c == nil || !c.hasEq || len(c.eq) == 0 {
		return false
	}
	for _, x := range c.eq {
		if truthy(x) {
			return false
		}
	}
	return true
}

// in proves doc.path in list.
func (p *prover) in(path *node, list any) bool {
	items, ok := list.([]any)
	key := pathKey(path)
	c := p.cons[key]
	if !ok || key == "" || c == nil || !c.hasEq || len(c.eq) == 0 {
		return false
	}
	for _, x := range c.eq {
		if !compare("in", x, items) {
			return false
		}
	}
	return true
}

// contains proves v in doc.path (the field is an array holding v): a query {path: v}
// selects exactly the documents whose array holds v (or whose value is v).
func (p *prover) contains(path *node, v any) bool {
	key := pathKey(path)
	c := p.cons[key]
	// v null (a caller without that auth field): {path: null} also matches documents
	// without the field, which hold nothing.
	if v == nil || key == "" || c == nil || !c.hasEq || len(c.eq) == 0 {
		return false
	}
	for _, x := range c.eq {
		if !sameValue(x, v) {
			return false
		}
	}
	return true
}
