package mql

// Accumulators of $group and $bucket, and the expression forms of $sum, $avg, $min,
// $max, $stdDevPop and $stdDevSamp ({$sum: [a, b]} or {$sum: "$array"}).

import (
	"math"
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// aggAcc accumulates the values of one output field over a group.
type aggAcc interface {
	add(v any) error
	result() any
}

var aggAccumulators = map[string]func() aggAcc{
	"$sum":          func() aggAcc { return &aggSumAcc{sum: int64(0)} },
	"$avg":          func() aggAcc { return &aggSumAcc{sum: int64(0), avg: true} },
	"$min":          func() aggAcc { return &aggMinMaxAcc{min: true} },
	"$max":          func() aggAcc { return &aggMinMaxAcc{} },
	"$first":        func() aggAcc { return &aggFirstLastAcc{first: true} },
	"$last":         func() aggAcc { return &aggFirstLastAcc{} },
	"$push":         func() aggAcc { return &aggPushAcc{out: []any{}} },
	"$addToSet":     func() aggAcc { return &aggPushAcc{out: []any{}, seen: map[string]bool{}} },
	"$count":        func() aggAcc { return &aggSumAcc{sum: int64(0), count: true} },
	"$stdDevPop":    func() aggAcc { return &aggStdDevAcc{} },
	"$stdDevSamp":   func() aggAcc { return &aggStdDevAcc{sample: true} },
	"$mergeObjects": func() aggAcc { return &aggMergeAcc{out: ejson.D{}} },
}

func init() {
	for _, n := range []string{"$sum", "$avg", "$min", "$max", "$stdDevPop", "$stdDevSamp"} {
		aggOps[n] = aggNary(0, -1, func(_ *aggEnv, name string, args []any) (any, error) {
			acc := aggAccumulators[name]()
			vals := args
			if len(args) == 1 {
				if arr, ok := args[0].([]any); ok {
					vals = arr
				}
			}
			for _, v := range vals {
				if err := acc.add(v); err != nil {
					return nil, err
				}
			}
			return acc.result(), nil
		})
	}
}

type aggSumAcc struct {
	sum   any
	n     int64
	avg   bool
	count bool
}

func (a *aggSumAcc) add(v any) error {
	if a.count {
		a.n++
		return nil
	}
	if aggIsNumber(v) {
		a.sum = aggArith('+', a.sum, v)
		a.n++
	}
	return nil
}

func (a *aggSumAcc) result() any {
	switch {
	case a.count:
		return a.n
	case !a.avg:
		return a.sum
	case a.n == 0:
		return nil
	}
	if d, ok := a.sum.(ejson.Decimal); ok {
		if q, err := aggDivide(nil, "$avg", []any{d, a.n}); err == nil {
			return q
		}
	}
	return ejson.ToFloat(a.sum) / float64(a.n)
}

type aggMinMaxAcc struct {
	min  bool
	best any
	have bool
}

func (a *aggMinMaxAcc) add(v any) error {
	if aggNullish(v) {
		return nil
	}
	if !a.have {
		a.best, a.have = v, true
		return nil
	}
	c := aggCompare(v, a.best)
	if (a.min && c < 0) || (!a.min && c > 0) {
		a.best = v
	}
	return nil
}

func (a *aggMinMaxAcc) result() any {
	if !a.have {
		return nil
	}
	return a.best
}

type aggFirstLastAcc struct {
	first bool
	v     any
	have  bool
}

func (a *aggFirstLastAcc) add(v any) error {
	if a.first && a.have {
		return nil
	}
	a.v, a.have = aggNoMissing(v), true
	return nil
}

func (a *aggFirstLastAcc) result() any { return a.v }

type aggPushAcc struct {
	out  []any
	seen map[string]bool // $addToSet
}

func (a *aggPushAcc) add(v any) error {
	if aggIsMissing(v) {
		return nil
	}
	if a.seen != nil {
		k := string(ejson.Key(v))
		if a.seen[k] {
			return nil
		}
		a.seen[k] = true
	}
	a.out = append(a.out, v)
	return nil
}

func (a *aggPushAcc) result() any { return a.out }

type aggStdDevAcc struct {
	sample bool
	n      float64
	mean   float64
	m2     float64
}

func (a *aggStdDevAcc) add(v any) error {
	if !aggIsNumber(v) {
		return nil
	}
	x := ejson.ToFloat(v)
	a.n++
	d := x - a.mean
	a.mean += d / a.n
	a.m2 += d * (x - a.mean)
	return nil
}

func (a *aggStdDevAcc) result() any {
	div := a.n
	if a.sample {
		div--
	}
	if div <= 0 || a.n == 0 {
		return nil
	}
	return math.Sqrt(a.m2 / div)
}

type aggMergeAcc struct{ out ejson.D }

func (a *aggMergeAcc) add(v any) error {
	if aggNullish(v) {
		return nil
	}
	d, ok := v.(ejson.D)
	if !ok {
		return errorf("$mergeObjects requires object inputs, but input %s is of type %s", aggShow(v), aggTypeName(v))
	}
	a.out = aggMergeInto(a.out, d)
	return nil
}

func (a *aggMergeAcc) result() any { return a.out }

// aggAccField is one computed field of $group or $bucket's output.
type aggAccField struct {
	name   string
	expr   aggExpr
	newAcc func() aggAcc
}

// parseAccFields parses the accumulator fields of $group (skipping _id) or $bucket's
// output.
func (c *aggCompiler) accFields(stage string, spec ejson.D, skipID bool) ([]aggAccField, error) {
	var out []aggAccField
	seen := map[string]bool{}
	for _, f := range spec {
		if skipID && f.Key == "_id" {
			continue
		}
		switch {
		case f.Key == "":
			return nil, errorf("%s: field names must not be empty", stage)
		case f.Key[0] == '$':
			return nil, errorf("the group aggregate field name '%s' cannot be an operator name", f.Key)
		case strings.Contains(f.Key, "."):
			return nil, errorf("the group aggregate field name '%s' cannot contain '.'", f.Key)
		case seen[f.Key]:
			return nil, errorf("%s: duplicate field name '%s'", stage, f.Key)
		}
		seen[f.Key] = true
		d, ok := f.Value.(ejson.D)
		if !ok {
			return nil, errorf("The field '%s' must be an accumulator object", f.Key)
		}
		if len(d) != 1 {
			return nil, errorf("The field '%s' must specify one accumulator", f.Key)
		}
		op := d[0].Key
		newAcc, ok := aggAccumulators[op]
		if !ok {
			return nil, errorf("unknown group operator '%s'", op)
		}
		var expr aggExpr
		if op == "$count" {
			if args, ok := d[0].Value.(ejson.D); !ok || len(args) != 0 {
				return nil, errorf("$count takes no arguments, i.e. $count:{}")
			}
			expr = aggConst{nil}
		} else {
			if _, isArr := d[0].Value.([]any); isArr {
				return nil, errorf("The %s accumulator is a unary operator", op)
			}
			var err error
			if expr, err = c.expr(d[0].Value); err != nil {
				return nil, err
			}
		}
		out = append(out, aggAccField{name: f.Key, expr: expr, newAcc: newAcc})
	}
	return out, nil
}

// aggGroup is a group being accumulated.
type aggGroup struct {
	id   any
	accs []aggAcc
}

func newAggGroup(id any, fields []aggAccField) *aggGroup {
	g := &aggGroup{id: id, accs: make([]aggAcc, len(fields))}
	for i, f := range fields {
		g.accs[i] = f.newAcc()
	}
	return g
}

func (g *aggGroup) add(e *aggEnv, fields []aggAccField) error {
	for i, f := range fields {
		v, err := f.expr.eval(e)
		if err != nil {
			return err
		}
		if err := g.accs[i].add(v); err != nil {
			return err
		}
	}
	return nil
}

func (g *aggGroup) doc(fields []aggAccField) ejson.D {
	out := make(ejson.D, 0, len(fields)+1)
	out = append(out, ejson.E{Key: "_id", Value: g.id})
	for i, f := range fields {
		out = append(out, ejson.E{Key: f.name, Value: aggNoMissing(g.accs[i].result())})
	}
	return out
}

// aggGroupStage is $group.
type aggGroupStage struct {
	id     aggExpr
	fields []aggAccField
}

func (c *aggCompiler) groupStage(v any) (aggStage, error) {
	spec, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("a group's fields must be specified in an object")
	}
	idV, ok := spec.Get("_id")
	if !ok {
		return nil, errorf("a group specification must include an _id")
	}
	id, err := c.expr(idV)
	if err != nil {
		return nil, err
	}
	fields, err := c.accFields("$group", spec, true)
	if err != nil {
		return nil, err
	}
	return &aggGroupStage{id: id, fields: fields}, nil
}

func (s *aggGroupStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	groups := map[string]*aggGroup{}
	var order []*aggGroup
	for _, d := range docs {
		e := r.env(d, vars)
		idv, err := s.id.eval(e)
		if err != nil {
			return nil, err
		}
		idv = aggNoMissing(idv)
		k := string(ejson.Key(idv))
		g := groups[k]
		if g == nil {
			g = newAggGroup(idv, s.fields)
			groups[k] = g
			order = append(order, g)
		}
		if err := g.add(e, s.fields); err != nil {
			return nil, err
		}
	}
	if err := r.charge(len(docs) * len(s.fields)); err != nil {
		return nil, err
	}
	out := make([]ejson.D, len(order))
	for i, g := range order {
		out[i] = g.doc(s.fields)
	}
	return out, nil
}
