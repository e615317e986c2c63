package collections

import (
	"math"
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// sqlCond is a compiled condition. SQL is always a necessary condition of the filter
// (every matching document satisfies it); when exact is true it is also sufficient,
// so the Go matcher can be skipped and LIMIT/OFFSET/COUNT run in SQL.
type sqlCond struct {
	sql   string
	args  []any
	exact bool
}

var (
	condTrue  = sqlCond{sql: "1", exact: true}
	condFalse = sqlCond{sql: "0", exact: true}
	inexact   = sqlCond{sql: "1", exact: false}
)

// planner compiles filters and sorts for one collection. Field paths and values only
// ever reach SQL as bound parameters; the one exception is an indexed path, whose
// expression text is copied from the validated index definition (identifiers only) so
// that SQLite can match it to the index.
type planner struct {
	c *coll
}

func (p planner) keyExpr(segs []string, path string) (string, []any) {
	if p.c.settings().indexed[path] && indexablePath(path) {
		return indexExpr(path), nil
	}
	return keyFunc + "(" + fieldData + " -> ?)", []any{jsonPath(segs)}
}

// compileFilter compiles a parsed filter. Callers hold c.shapeMu for reading.
func (p planner) compileFilter(f *mql.Filter) sqlCond {
	return p.node(f.Root)
}

func (p planner) node(n mql.Node) sqlCond {
	switch x := n.(type) {
	case *mql.And:
		return p.join(x.Children, " AND ", condTrue)
	case *mql.Or:
		c := p.join(x.Children, " OR ", condFalse)
		if !c.exact {
			return inexact // an OR over a prefilter proves nothing narrower than TRUE
		}
		return c
	case *mql.Nor:
		c := p.join(x.Children, " OR ", condFalse)
		if !c.exact {
			return inexact
		}
		return sqlCond{sql: "NOT (" + c.sql + ")", args: c.args, exact: true}
	case *mql.Field:
		return p.field(x)
	}
	return inexact
}

func (p planner) join(children []mql.Node, sep string, empty sqlCond) sqlCond {
	if len(children) == 0 {
		return empty
	}
	parts := make([]string, 0, len(children))
	var args []any
	exact := true
	for _, ch := range children {
		c := p.node(ch)
		exact = exact && c.exact
		if sep == " AND " && c.sql == "1" {
			continue // a TRUE conjunct adds nothing
		}
		parts = append(parts, "("+c.sql+")")
		args = append(args, c.args...)
	}
	if len(parts) == 0 {
		return sqlCond{sql: "1", exact: exact}
	}
	return sqlCond{sql: strings.Join(parts, sep), args: args, exact: exact}
}

func (p planner) field(f *mql.Field) sqlCond {
	switch f.Path {
	case "_id":
		return p.ops(f.Ops, func(op *mql.Op) sqlCond { return columnOp(fieldID, false, op) })
	case "_openid":
		return p.ops(f.Ops, func(op *mql.Op) sqlCond { return columnOp(fieldOpenID, true, op) })
	}
	if f.Segs[0] == "_id" || f.Segs[0] == "_openid" || p.c.hasArrayPrefix(f.Segs) {
		return inexact
	}
	key, keyArgs := p.keyExpr(f.Segs, f.Path)
	return p.ops(f.Ops, func(op *mql.Op) sqlCond { return p.valueOp(f, key, keyArgs, op) })
}

func (p planner) ops(ops []*mql.Op, one func(*mql.Op) sqlCond) sqlCond {
	parts := make([]string, 0, len(ops))
	var args []any
	exact := true
	for _, op := range ops {
		c := one(op)
		exact = exact && c.exact
		if c.sql == "1" {
			continue
		}
		parts = append(parts, "("+c.sql+")")
		args = append(args, c.args...)
	}
	if len(parts) == 0 {
		return sqlCond{sql: "1", exact: exact}
	}
	return sqlCond{sql: strings.Join(parts, " AND "), args: args, exact: exact}
}

func withArgs(key []any, extra ...any) []any {
	out := make([]any, 0, len(key)+len(extra))
	out = append(out, key...)
	return append(out, extra...)
}

// valueOp compiles one operator on a document path that never held an array, so each
// document has at most one value there and mc_key orders it exactly.
func (p planner) valueOp(f *mql.Field, key string, keyArgs []any, op *mql.Op) sqlCond {
	switch op.Kind {
	case mql.OpEq, mql.OpNe:
		if op.Regex != nil {
			return inexact
		}
		cmp := " = ?"
		if op.Kind == mql.OpNe {
			cmp = " <> ?"
		}
		return sqlCond{sql: key + cmp, args: withArgs(keyArgs, ejson.Key(op.Value)), exact: true}
	case mql.OpIn, mql.OpNin:
		if len(op.Values) == 0 {
			if op.Kind == mql.OpIn {
				return condFalse
			}
			return condTrue
		}
		args := withArgs(keyArgs)
		for _, v := range op.Values {
			if _, isRe := v.(ejson.Regex); isRe {
				return inexact
			}
			args = append(args, ejson.Key(v))
		}
		in := " IN ("
		if op.Kind == mql.OpNin {
			in = " NOT IN ("
		}
		return sqlCond{sql: key + in + strings.TrimSuffix(strings.Repeat("?,", len(op.Values)), ",") + ")", args: args, exact: true}
	case mql.OpGt, mql.OpGte, mql.OpLt, mql.OpLte:
		return rangeOp(key, keyArgs, op)
	case mql.OpExists:
		path := jsonPath(f.Segs)
		if op.Value.(bool) {
			return sqlCond{sql: fieldData + " -> ? IS NOT NULL", args: []any{path}, exact: true}
		}
		return sqlCond{sql: fieldData + " -> ? IS NULL", args: []any{path}, exact: true}
	case mql.OpNot:
		inner := p.ops(op.Not, func(sub *mql.Op) sqlCond { return p.valueOp(f, key, keyArgs, sub) })
		if !inner.exact {
			return inexact
		}
		return sqlCond{sql: "NOT (" + inner.sql + ")", args: inner.args, exact: true}
	case mql.OpSize, mql.OpElemMatch:
		// the path never held an array, so no document can match
		return condFalse
	case mql.OpAll:
		if len(op.Values) == 0 {
			return condFalse
		}
		return inexact
	}
	return inexact
}

// rangeOp compiles $gt/$gte/$lt/$lte: MongoDB compares only within the operand's type
// bracket, so the key range is closed on the bracket's bounds too.
func rangeOp(key string, keyArgs []any, op *mql.Op) sqlCond {
	v := op.Value
	switch v.(type) {
	case ejson.MinKey, ejson.MaxKey:
		return inexact
	}
	rank := ejson.Rank(v)
	if v == nil {
		if op.Kind == mql.OpGte || op.Kind == mql.OpLte {
			return sqlCond{sql: key + " = ?", args: withArgs(keyArgs, nullKey), exact: true}
		}
		return condFalse
	}
	if f, ok := v.(float64); ok && math.IsNaN(f) {
		if op.Kind == mql.OpGte || op.Kind == mql.OpLte {
			return sqlCond{sql: key + " = ?", args: withArgs(keyArgs, ejson.Key(v)), exact: true}
		}
		return condFalse
	}
	operand := ejson.Key(v)
	switch op.Kind {
	case mql.OpGt:
		return sqlCond{sql: key + " > ? AND " + key + " < ?", args: append(withArgs(keyArgs, operand), append(keyArgs, ejson.KeyUpperBound(rank))...), exact: true}
	case mql.OpGte:
		return sqlCond{sql: key + " >= ? AND " + key + " < ?", args: append(withArgs(keyArgs, operand), append(keyArgs, ejson.KeyUpperBound(rank))...), exact: true}
	}
	lower, lowerOp := ejson.KeyLowerBound(rank), " >= ?"
	if rank == ejson.RankNumber {
		lower, lowerOp = ejson.Key(math.NaN()), " > ?" // NaN never compares less
	}
	cmp := " < ?"
	if op.Kind == mql.OpLte {
		cmp = " <= ?"
	}
	return sqlCond{sql: key + cmp + " AND " + key + lowerOp, args: append(withArgs(keyArgs, operand), append(keyArgs, lower)...), exact: true}
}

// columnOp compiles an operator on the id or _openid column, which hold strings
// (an empty _openid means the field is missing).
func columnOp(col string, emptyIsMissing bool, op *mql.Op) sqlCond {
	q := `"` + col + `"`
	present := "1"
	if emptyIsMissing {
		present = q + " <> ''"
	}
	switch op.Kind {
	case mql.OpEq, mql.OpNe:
		var c sqlCond
		switch v := op.Value.(type) {
		case string:
			if op.Regex != nil {
				return inexact
			}
			if emptyIsMissing && v == "" {
				c = condFalse
			} else {
				c = sqlCond{sql: q + " = ?", args: []any{v}, exact: true}
			}
		case nil:
			if emptyIsMissing {
				c = sqlCond{sql: q + " = ''", exact: true}
			} else {
				c = condFalse
			}
		case ejson.Regex:
			return inexact
		default:
			c = condFalse
		}
		if op.Kind == mql.OpNe {
			return sqlCond{sql: "NOT (" + c.sql + ")", args: c.args, exact: true}
		}
		return c
	case mql.OpIn, mql.OpNin:
		var strs []any
		matchMissing := false
		for _, v := range op.Values {
			switch x := v.(type) {
			case string:
				if !(emptyIsMissing && x == "") {
					strs = append(strs, x)
				}
			case nil:
				matchMissing = emptyIsMissing
			case ejson.Regex:
				return inexact
			}
		}
		var parts []string
		if len(strs) > 0 {
			parts = append(parts, q+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(strs)), ",")+")")
		}
		if matchMissing {
			parts = append(parts, q+" = ''")
		}
		c := condFalse
		if len(parts) > 0 {
			c = sqlCond{sql: strings.Join(parts, " OR "), args: strs, exact: true}
		}
		if op.Kind == mql.OpNin {
			return sqlCond{sql: "NOT (" + c.sql + ")", args: c.args, exact: true}
		}
		return c
	case mql.OpGt, mql.OpGte, mql.OpLt, mql.OpLte:
		switch v := op.Value.(type) {
		case string:
			cmp := map[mql.OpKind]string{mql.OpGt: " > ?", mql.OpGte: " >= ?", mql.OpLt: " < ?", mql.OpLte: " <= ?"}[op.Kind]
			return sqlCond{sql: q + cmp + " AND " + present, args: []any{v}, exact: true}
		case nil:
			if (op.Kind == mql.OpGte || op.Kind == mql.OpLte) && emptyIsMissing {
				return sqlCond{sql: q + " = ''", exact: true}
			}
			return condFalse
		case ejson.MinKey, ejson.MaxKey:
			return inexact
		}
		return condFalse
	case mql.OpExists:
		if op.Value.(bool) {
			return sqlCond{sql: present, exact: true}
		}
		return sqlCond{sql: "NOT (" + present + ")", exact: true}
	case mql.OpNot:
		var parts []string
		var args []any
		for _, sub := range op.Not {
			c := columnOp(col, emptyIsMissing, sub)
			if !c.exact {
				return inexact
			}
			parts = append(parts, "("+c.sql+")")
			args = append(args, c.args...)
		}
		return sqlCond{sql: "NOT (" + strings.Join(parts, " AND ") + ")", args: args, exact: true}
	case mql.OpSize, mql.OpElemMatch:
		return condFalse
	}
	return inexact
}

// tiesDescending reports the direction ties break in for a sort. Ties follow insertion
// order (rowid), ascending or descending so that SQLite can serve the whole ORDER BY
// from one walk over an index: an index stores rowids ascending after its columns, so
// the tie direction is the last key's direction, flipped when that key's index column
// is declared DESC.
func tiesDescending(s mql.Sort, descIndexed map[string]bool) bool {
	if len(s) == 0 {
		return false
	}
	last := s[len(s)-1]
	return last.Desc != descIndexed[last.Path]
}

// compileSort returns the ORDER BY clause and whether it orders exactly as MongoDB.
func (p planner) compileSort(s mql.Sort) (string, []any, bool) {
	if len(s) == 0 {
		return "rowid", nil, true
	}
	parts := make([]string, 0, len(s)+1)
	var args []any
	for _, k := range s {
		segs := strings.Split(k.Path, ".")
		var expr string
		switch {
		case k.Path == "_id":
			expr = `"` + fieldID + `"`
		case k.Path == "_openid":
			expr = `"` + fieldOpenID + `"`
		case segs[0] == "_id" || segs[0] == "_openid" || p.c.hasArrayPrefix(segs):
			return "", nil, false
		default:
			var a []any
			expr, a = p.keyExpr(segs, k.Path)
			args = append(args, a...)
		}
		if k.Desc {
			expr += " DESC"
		}
		parts = append(parts, expr)
	}
	tie := "rowid"
	if tiesDescending(s, p.c.settings().descIndexed) {
		tie += " DESC"
	}
	return strings.Join(append(parts, tie), ", "), args, true
}
