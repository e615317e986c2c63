package mql

// The aggregation pipeline: MongoDB's aggregate stages over in-memory documents.
//
// Supported stages: $match (with a top-level $expr), $project, $addFields/$set,
// $unset, $group, $sort, $skip, $limit, $count, $unwind, $replaceRoot/$replaceWith,
// $sortByCount, $sample, $lookup (localField/foreignField, let/pipeline, or both),
// $facet and $bucket. Expressions are in aggregate_expr.go and the files next to it.
//
// Differences from MongoDB: $group, $sortByCount ties and $addToSet keep the order of
// first appearance (MongoDB leaves it unspecified) and set operators return sorted
// arrays; integers are 64-bit throughout (no int/long distinction beyond $type's name
// for the value's range; $toDate accepts any integer); decimal arithmetic runs on
// 200-bit binary floats and the other decimal operators through float64; regular
// expressions are RE2 (no lookaround or backreferences); $expr is supported at the top
// level of $match only; $sort by $meta, $geoNear, $bucketAuto, $graphLookup, $unionWith,
// $redact, $densify/$fill, window functions, $out and $merge are not supported, nor
// are $dateAdd/$dateDiff/$dateFromParts/$dateFromString, $zip and $sortArray.
//
// Work is bounded: at most MaxPipelineStages stages (including sub-pipelines), at most
// MaxAggregateDocs documents in and out of every stage, arrays and strings built by
// expressions of at most MaxAggregateArray elements and MaxAggregateString bytes, and an
// overall budget of MaxAggregateWork units (documents through stages, array elements
// iterated or created, 16-byte chunks of strings built).

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Limits of aggregation.
const (
	// MaxPipelineStages bounds the number of stages of a pipeline, sub-pipelines of
	// $lookup and $facet included.
	MaxPipelineStages = 100
	// MaxAggregateDocs bounds the documents a pipeline reads and every stage outputs
	// (and the documents a $lookup reads from another collection).
	MaxAggregateDocs = 200000
	// MaxAggregateArray bounds the elements of an array an expression builds ($range,
	// $concatArrays, $split, $reduce…).
	MaxAggregateArray = 1000000
	// MaxAggregateString bounds the bytes of a string an expression builds (MongoDB's
	// document size limit).
	MaxAggregateString = 16 << 20
	// MaxAggregateWork bounds the total work of one run: one unit per document per
	// stage, per array element iterated or created, per 16 bytes of strings built.
	MaxAggregateWork = 20000000
)

// aggStage is one compiled stage.
type aggStage interface {
	run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error)
}

type aggStageEntry struct {
	name  string
	stage aggStage
}

// Pipeline is a parsed aggregation pipeline. It is safe for concurrent use.
type Pipeline struct {
	stages []aggStageEntry
	seed   *uint64
}

// aggRun is the state of one run of a pipeline.
type aggRun struct {
	now    time.Time
	work   int64
	lookup func(coll string) ([]ejson.D, error)
	colls  map[string][]ejson.D
	rnd    *rand.Rand
}

func (r *aggRun) charge(n int) error {
	r.work += int64(n)
	if r.work > MaxAggregateWork {
		return errorf("aggregation exceeds its work limit (%d units): narrow the input with an earlier $match or $limit", MaxAggregateWork)
	}
	return nil
}

// chargeBytes charges for building a string of n bytes, which must not exceed
// MaxAggregateString.
func (r *aggRun) chargeBytes(n int) error {
	if n > MaxAggregateString {
		return errorf("aggregation would build a string of %d bytes, more than the maximum of %d", n, MaxAggregateString)
	}
	return r.charge(n / 16)
}

// chargeArray charges for building an array of n elements, which must not exceed
// MaxAggregateArray.
func (r *aggRun) chargeArray(n int) error {
	if n > MaxAggregateArray {
		return errorf("aggregation would build an array of %d elements, more than the maximum of %d", n, MaxAggregateArray)
	}
	return r.charge(n)
}

// chargeValue charges the top-level size of a value built by an expression that may
// grow it at every step ($reduce).
func (r *aggRun) chargeValue(v any) error {
	switch x := v.(type) {
	case []any:
		return r.chargeArray(len(x))
	case ejson.D:
		return r.chargeArray(len(x))
	case string:
		return r.chargeBytes(len(x))
	}
	return nil
}

func (r *aggRun) env(doc ejson.D, vars *aggVar) *aggEnv {
	return &aggEnv{root: doc, current: doc, vars: vars, run: r}
}

// collection returns the documents of another collection, for $lookup.
func (r *aggRun) collection(name string) ([]ejson.D, error) {
	if docs, ok := r.colls[name]; ok {
		return docs, nil
	}
	if r.lookup == nil {
		return nil, errorf("$lookup: collection %s is not available here", name)
	}
	docs, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	if len(docs) > MaxAggregateDocs {
		return nil, errorf("$lookup: collection %s has more than %d documents", name, MaxAggregateDocs)
	}
	if err := r.charge(len(docs)); err != nil {
		return nil, err
	}
	r.colls[name] = docs
	return docs, nil
}

// ParsePipeline validates and compiles a pipeline: each stage a one-field document
// such as {"$match": {…}}.
func ParsePipeline(stages []ejson.D) (*Pipeline, error) {
	c := &aggCompiler{stats: &aggCompileStats{}}
	return c.pipeline(stages, "")
}

// SetSeed makes $sample deterministic (for tests).
func (p *Pipeline) SetSeed(seed uint64) { p.seed = &seed }

func (c *aggCompiler) pipeline(stages []ejson.D, within string) (*Pipeline, error) {
	p := &Pipeline{}
	for _, st := range stages {
		if len(st) != 1 {
			return nil, errorf("A pipeline stage specification object must contain exactly one field.")
		}
		c.stats.stages++
		if c.stats.stages > MaxPipelineStages {
			return nil, errorf("a pipeline may have at most %d stages (sub-pipelines included)", MaxPipelineStages)
		}
		name, v := st[0].Key, st[0].Value
		if within == "$facet" && name == "$facet" {
			return nil, errorf("$facet is not allowed to be used within a $facet stage")
		}
		s, err := c.stage(name, v)
		if err != nil {
			return nil, err
		}
		p.stages = append(p.stages, aggStageEntry{name: name, stage: s})
	}
	return p, nil
}

// aggStagesOf converts a sub-pipeline value (an array of documents).
func aggStagesOf(what string, v any) ([]ejson.D, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, errorf("%s must be an array of stages, found %s", what, aggTypeName(v))
	}
	out := make([]ejson.D, len(arr))
	for i, s := range arr {
		d, ok := s.(ejson.D)
		if !ok {
			return nil, errorf("each stage of %s must be an object, found %s", what, aggTypeName(s))
		}
		out[i] = d
	}
	return out, nil
}

func (c *aggCompiler) stage(name string, v any) (aggStage, error) {
	switch name {
	case "$match":
		return c.matchStage(v)
	case "$project":
		return c.projectStage(v)
	case "$addFields", "$set":
		return c.addFieldsStage(name, v)
	case "$unset":
		return c.unsetStage(v)
	case "$group":
		return c.groupStage(v)
	case "$sort":
		s, err := aggParseSort(v)
		if err != nil {
			return nil, err
		}
		return &aggSortStage{sort: s}, nil
	case "$skip", "$limit":
		return aggSkipLimitStage(name, v)
	case "$count":
		return aggCountStage(v)
	case "$unwind":
		return aggParseUnwind(v)
	case "$replaceRoot", "$replaceWith":
		return c.replaceRootStage(name, v)
	case "$sortByCount":
		return c.sortByCountStage(v)
	case "$sample":
		return aggParseSample(v)
	case "$lookup":
		return c.lookupStage(v)
	case "$facet":
		return c.facetStage(v)
	case "$bucket":
		return c.bucketStage(v)
	case "$out", "$merge":
		return nil, errorf("%s is not supported: aggregation pipelines cannot write to collections", name)
	case "$geoNear", "$bucketAuto", "$graphLookup", "$unionWith", "$redact", "$setWindowFields",
		"$densify", "$fill", "$documents", "$collStats", "$indexStats", "$currentOp", "$listSessions",
		"$planCacheStats", "$search", "$searchMeta", "$changeStream":
		return nil, errorf("the %s stage is not supported", name)
	}
	return nil, errorf("Unrecognized pipeline stage name: '%s'", name)
}

// Run evaluates the pipeline over docs (which it does not modify; results may share
// values with them). lookup returns the documents of another collection for $lookup;
// now is the value of $$NOW.
func (p *Pipeline) Run(docs []ejson.D, lookup func(coll string) ([]ejson.D, error), now time.Time) ([]ejson.D, error) {
	if len(docs) > MaxAggregateDocs {
		return nil, errorf("aggregation input has more than %d documents", MaxAggregateDocs)
	}
	r := &aggRun{now: now, lookup: lookup, colls: map[string][]ejson.D{}}
	if p.seed != nil {
		r.rnd = rand.New(rand.NewPCG(*p.seed, *p.seed^0x9e3779b97f4a7c15))
	} else {
		r.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return p.run(r, nil, append([]ejson.D(nil), docs...))
}

func (p *Pipeline) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	for _, st := range p.stages {
		if err := r.charge(len(docs)); err != nil {
			return nil, err
		}
		out, err := st.stage.run(r, vars, docs)
		if err != nil {
			return nil, err
		}
		if len(out) > MaxAggregateDocs {
			return nil, errorf("%s produced more than %d documents", st.name, MaxAggregateDocs)
		}
		docs = out
	}
	return docs, nil
}

// Len returns the number of top-level stages.
func (p *Pipeline) Len() int { return len(p.stages) }

// LeadingMatch returns the filter of the pipeline's first stage when it is a $match
// without $expr (so that the filter is the whole condition of the stage), or nil. A
// store may use it to select the input documents.
func (p *Pipeline) LeadingMatch() *Filter {
	if len(p.stages) == 0 {
		return nil
	}
	if m, ok := p.stages[0].stage.(*aggMatchStage); ok && m.expr == nil {
		return m.filter
	}
	return nil
}

// Pushdown is the head of a pipeline that a store can evaluate while reading the
// collection: leading $match stages, then optionally a $sort, then $skip and $limit
// stages. Running Rest over the documents the head selects, in its order, gives the
// result of the whole pipeline.
type Pushdown struct {
	Filter *Filter // nil when there is no leading $match
	Sort   Sort    // nil when the head does not sort (natural order)
	Skip   int64
	Limit  int64 // -1: no limit
	Rest   *Pipeline
}

// Pushdown splits the pipeline into the head a store can run and the rest.
func (p *Pipeline) Pushdown() Pushdown {
	pd := Pushdown{Limit: -1}
	i := 0
	var filters []Node
	for ; i < len(p.stages); i++ {
		m, ok := p.stages[i].stage.(*aggMatchStage)
		if !ok || m.expr != nil {
			break
		}
		filters = append(filters, m.filter.Root)
	}
	switch len(filters) {
	case 0:
	case 1:
		pd.Filter = &Filter{Root: filters[0]}
	default:
		pd.Filter = &Filter{Root: &And{Children: filters}}
	}
	if i < len(p.stages) {
		if s, ok := p.stages[i].stage.(*aggSortStage); ok {
			pd.Sort = s.sort
			i++
		}
	}
loop:
	for ; i < len(p.stages); i++ {
		switch s := p.stages[i].stage.(type) {
		case *aggSkipStage:
			if pd.Limit >= 0 {
				pd.Limit = max(pd.Limit-s.n, 0)
			}
			pd.Skip = aggSatAdd(pd.Skip, s.n)
		case *aggLimitStage:
			if pd.Limit < 0 || s.n < pd.Limit {
				pd.Limit = s.n
			}
		default:
			break loop
		}
	}
	pd.Rest = &Pipeline{stages: p.stages[i:], seed: p.seed}
	return pd
}

func aggSatAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// ---- $match ----

type aggMatchStage struct {
	filter *Filter
	expr   aggExpr
}

func (c *aggCompiler) matchStage(v any) (aggStage, error) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("the match filter must be an expression in an object")
	}
	var rest ejson.D
	var exprV any
	hasExpr := false
	for _, f := range d {
		if f.Key == "$expr" {
			if hasExpr {
				return nil, errorf("$match may hold only one $expr")
			}
			exprV, hasExpr = f.Value, true
			continue
		}
		rest = append(rest, f)
	}
	f, err := ParseFilter(rest)
	if err != nil {
		return nil, err
	}
	if _, near := f.Near(); near {
		return nil, errorf("$near and $nearSphere are not allowed inside of a $match aggregation stage")
	}
	st := &aggMatchStage{filter: f}
	if hasExpr {
		if st.expr, err = c.expr(exprV); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (s *aggMatchStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	out := make([]ejson.D, 0, len(docs))
	for _, d := range docs {
		if !s.filter.Match(d) {
			continue
		}
		if s.expr != nil {
			v, err := s.expr.eval(r.env(d, vars))
			if err != nil {
				return nil, err
			}
			if !aggTruthy(v) {
				continue
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// ---- $sort, $skip, $limit, $count ----

func aggParseSort(v any) (Sort, error) {
	spec, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("the $sort key specification must be an object")
	}
	if len(spec) == 0 {
		return nil, errorf("$sort stage must have at least one sort key")
	}
	keys := make([]SortKey, len(spec))
	for i, f := range spec {
		n, ok := aggInt(f.Value)
		if !ok || (n != 1 && n != -1) {
			if d, isDoc := f.Value.(ejson.D); isDoc && len(d) > 0 && d[0].Key == "$meta" {
				return nil, errorf("$sort by $meta is not supported")
			}
			return nil, errorf("$sort key ordering must be 1 (for ascending) or -1 (for descending)")
		}
		keys[i] = SortKey{Path: f.Key, Desc: n < 0}
	}
	return NewSort(keys)
}

type aggSortStage struct{ sort Sort }

func (s *aggSortStage) run(_ *aggRun, _ *aggVar, docs []ejson.D) ([]ejson.D, error) {
	aggSortDocs(s.sort, docs)
	return docs, nil
}

// aggSortDocs sorts documents stably in place (stages own their input slice).
func aggSortDocs(s Sort, docs []ejson.D) {
	keys := make([][]any, len(docs))
	for i, d := range docs {
		keys[i] = s.Keys(d)
	}
	idx := make([]int, len(docs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.CompareKeys(keys[idx[a]], keys[idx[b]]) < 0 })
	sorted := make([]ejson.D, len(docs))
	for i, j := range idx {
		sorted[i] = docs[j]
	}
	copy(docs, sorted)
}

type aggSkipStage struct{ n int64 }
type aggLimitStage struct{ n int64 }

func aggSkipLimitStage(name string, v any) (aggStage, error) {
	if !aggIsNumber(v) {
		return nil, errorf("invalid argument to %s stage: Expected a number, found: %s", name, aggShow(v))
	}
	n, ok := aggInt(v)
	if !ok {
		if f := ejson.ToFloat(v); f >= 1<<63 && !math.IsInf(f, 0) {
			n, ok = math.MaxInt64, true
		}
	}
	if !ok {
		return nil, errorf("invalid argument to %s stage: Cannot represent as a 64-bit integer: %s", name, aggShow(v))
	}
	if name == "$skip" {
		if n < 0 {
			return nil, errorf("invalid argument to $skip stage: Expected a non-negative number, found: %d", n)
		}
		return &aggSkipStage{n: n}, nil
	}
	if n <= 0 {
		return nil, errorf("the limit must be positive")
	}
	return &aggLimitStage{n: n}, nil
}

func (s *aggSkipStage) run(_ *aggRun, _ *aggVar, docs []ejson.D) ([]ejson.D, error) {
	if s.n >= int64(len(docs)) {
		return []ejson.D{}, nil
	}
	return docs[s.n:], nil
}

func (s *aggLimitStage) run(_ *aggRun, _ *aggVar, docs []ejson.D) ([]ejson.D, error) {
	if s.n < int64(len(docs)) {
		return docs[:s.n], nil
	}
	return docs, nil
}

type aggCount struct{ field string }

func aggCountStage(v any) (aggStage, error) {
	s, ok := v.(string)
	switch {
	case !ok || s == "":
		return nil, errorf("the count field must be a non-empty string")
	case s[0] == '$':
		return nil, errorf("the count field cannot be a $-prefixed path")
	case strings.Contains(s, "."):
		return nil, errorf("the count field cannot contain '.'")
	case s == "_id":
		return nil, errorf("the count field cannot be '_id'")
	}
	return &aggCount{field: s}, nil
}

func (s *aggCount) run(_ *aggRun, _ *aggVar, docs []ejson.D) ([]ejson.D, error) {
	if len(docs) == 0 {
		return []ejson.D{}, nil
	}
	return []ejson.D{{{Key: s.field, Value: int64(len(docs))}}}, nil
}

// ---- $unwind ----

type aggUnwindStage struct {
	segs     []string
	index    []string
	preserve bool
}

func aggParseUnwind(v any) (aggStage, error) {
	var path any
	s := &aggUnwindStage{}
	switch x := v.(type) {
	case string:
		path = x
	case ejson.D:
		for _, f := range x {
			switch f.Key {
			case "path":
				path = f.Value
			case "includeArrayIndex":
				name, ok := f.Value.(string)
				if !ok {
					return nil, errorf("expected a non-empty string for the includeArrayIndex option to $unwind stage, got %s", aggTypeName(f.Value))
				}
				if strings.HasPrefix(name, "$") {
					return nil, errorf("includeArrayIndex option to $unwind stage should not be prefixed with a '$': %s", name)
				}
				segs, err := aggFieldSegs(name)
				if err != nil {
					return nil, errorf("expected a non-empty string for the includeArrayIndex option to $unwind stage: %s", err.(*Error).Msg)
				}
				s.index = segs
			case "preserveNullAndEmptyArrays":
				b, ok := f.Value.(bool)
				if !ok {
					return nil, errorf("expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, got %s", aggTypeName(f.Value))
				}
				s.preserve = b
			default:
				return nil, errorf("unrecognized option to $unwind stage: %s", f.Key)
			}
		}
		if path == nil {
			return nil, errorf("no path specified to $unwind stage")
		}
	default:
		return nil, errorf("expected either a string or an object as specification for $unwind stage, got %s", aggTypeName(v))
	}
	ps, ok := path.(string)
	if !ok {
		return nil, errorf("expected a string as the path for $unwind stage, got %s", aggTypeName(path))
	}
	if !strings.HasPrefix(ps, "$") {
		return nil, errorf("path option to $unwind stage should be prefixed with a '$': %s", ps)
	}
	segs, err := aggFieldSegs(ps[1:])
	if err != nil {
		return nil, err
	}
	s.segs = segs
	return s, nil
}

// aggDocPath follows a path through embedded documents only (no arrays).
func aggDocPath(d ejson.D, segs []string) (any, bool) {
	var cur any = d
	for _, s := range segs {
		x, ok := cur.(ejson.D)
		if !ok {
			return nil, false
		}
		if cur, ok = x.Get(s); !ok {
			return nil, false
		}
	}
	return cur, true
}

// aggSetPath returns a copy of d with the path set to v, creating (or replacing
// non-document values by) embedded documents on the way; v missing removes the field.
func aggSetPath(d ejson.D, segs []string, v any) ejson.D {
	out := append(make(ejson.D, 0, len(d)+1), d...)
	i := out.Index(segs[0])
	if len(segs) > 1 {
		var child ejson.D
		if i >= 0 {
			child, _ = out[i].Value.(ejson.D)
		}
		v = aggSetPath(child, segs[1:], v)
	}
	switch {
	case aggIsMissing(v) && i >= 0:
		return append(out[:i], out[i+1:]...)
	case aggIsMissing(v):
		return out
	case i >= 0:
		out[i].Value = v
		return out
	}
	return append(out, ejson.E{Key: segs[0], Value: v})
}

func (s *aggUnwindStage) run(r *aggRun, _ *aggVar, docs []ejson.D) ([]ejson.D, error) {
	out := make([]ejson.D, 0, len(docs))
	emit := func(d ejson.D) error {
		if len(out) >= MaxAggregateDocs {
			return errorf("$unwind produced more than %d documents", MaxAggregateDocs)
		}
		out = append(out, d)
		return nil
	}
	for _, d := range docs {
		v, ok := aggDocPath(d, s.segs)
		arr, isArr := v.([]any)
		switch {
		case isArr && len(arr) > 0:
			if err := r.charge(len(arr)); err != nil {
				return nil, err
			}
			for i, el := range arr {
				nd := aggSetPath(d, s.segs, el)
				if s.index != nil {
					nd = aggSetPath(nd, s.index, int64(i))
				}
				if err := emit(nd); err != nil {
					return nil, err
				}
			}
		case !s.preserve && (!ok || v == nil || isArr):
		default:
			nd := d
			if isArr {
				nd = aggSetPath(d, s.segs, aggMissing) // an empty array is removed
			}
			if s.index != nil {
				nd = aggSetPath(nd, s.index, nil)
			}
			if err := emit(nd); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ---- $replaceRoot, $sortByCount, $sample ----

type aggReplaceRootStage struct{ expr aggExpr }

func (c *aggCompiler) replaceRootStage(name string, v any) (aggStage, error) {
	root := v
	if name == "$replaceRoot" {
		d, ok := v.(ejson.D)
		if !ok {
			return nil, errorf("expected an object as specification for $replaceRoot stage, got %s", aggTypeName(v))
		}
		found := false
		for _, f := range d {
			if f.Key != "newRoot" {
				return nil, errorf("unrecognized option to $replaceRoot stage: %s, only valid option is 'newRoot'.", f.Key)
			}
			root, found = f.Value, true
		}
		if !found {
			return nil, errorf("no newRoot specified for the $replaceRoot stage")
		}
	}
	e, err := c.expr(root)
	if err != nil {
		return nil, err
	}
	return &aggReplaceRootStage{expr: e}, nil
}

func (s *aggReplaceRootStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	out := make([]ejson.D, len(docs))
	for i, d := range docs {
		v, err := s.expr.eval(r.env(d, vars))
		if err != nil {
			return nil, err
		}
		nd, ok := v.(ejson.D)
		if !ok {
			return nil, errorf("'newRoot' expression must evaluate to an object, but resulting value was: %s. Type of resulting value: '%s'. Input document: %s", aggShow(v), aggTypeName(v), aggShow(d))
		}
		out[i] = nd
	}
	return out, nil
}

type aggSortByCountStage struct{ group *aggGroupStage }

func (c *aggCompiler) sortByCountStage(v any) (aggStage, error) {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, "$") {
			return nil, errorf("the sortByCount field must be defined as a $-prefixed path or an expression")
		}
	case ejson.D:
		if len(x) == 0 || !strings.HasPrefix(x[0].Key, "$") {
			return nil, errorf("the sortByCount field must be defined as a $-prefixed path or an expression")
		}
	default:
		return nil, errorf("the sortByCount field must be defined as a $-prefixed path or an expression")
	}
	id, err := c.expr(v)
	if err != nil {
		return nil, err
	}
	return &aggSortByCountStage{group: &aggGroupStage{id: id, fields: []aggAccField{{
		name: "count", expr: aggConst{int64(1)}, newAcc: aggAccumulators["$sum"],
	}}}}, nil
}

func (s *aggSortByCountStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	out, err := s.group.run(r, vars, docs)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return ejson.Compare(out[i][1].Value, out[j][1].Value) > 0 })
	return out, nil
}

type aggSampleStage struct{ size int64 }

func aggParseSample(v any) (aggStage, error) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("the $sample stage specification must be an object")
	}
	s := &aggSampleStage{size: -1}
	for _, f := range d {
		if f.Key != "size" {
			return nil, errorf("unrecognized option to $sample: %s", f.Key)
		}
		n, ok := aggInt(f.Value)
		if !ok {
			return nil, errorf("size argument to $sample must be a number")
		}
		if n < 0 {
			return nil, errorf("size argument to $sample must not be negative")
		}
		s.size = n
	}
	if s.size < 0 {
		return nil, errorf("$sample stage must specify a size")
	}
	return s, nil
}

func (s *aggSampleStage) run(r *aggRun, _ *aggVar, docs []ejson.D) ([]ejson.D, error) {
	n := len(docs)
	k := int(min(s.size, int64(n)))
	out := append([]ejson.D(nil), docs...)
	for i := 0; i < k; i++ {
		j := i + r.rnd.IntN(n-i)
		out[i], out[j] = out[j], out[i]
	}
	return out[:k], nil
}

// ---- $lookup ----

type aggLookupStage struct {
	from         string
	localSegs    []string
	foreignField string
	foreignSegs  []string
	asSegs       []string
	letNames     []string
	letExprs     []aggExpr
	pipeline     *Pipeline
}

func (c *aggCompiler) lookupStage(v any) (aggStage, error) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("the $lookup specification must be an object")
	}
	s := &aggLookupStage{}
	var local, foreign, as *string
	var let ejson.D
	var pipeline []ejson.D
	hasPipeline := false
	str := func(f ejson.E) (*string, error) {
		x, ok := f.Value.(string)
		if !ok {
			return nil, errorf("$lookup argument '%s' must be a string, found %s", f.Key, aggTypeName(f.Value))
		}
		return &x, nil
	}
	var err error
	for _, f := range d {
		switch f.Key {
		case "from":
			x, err := str(f)
			if err != nil {
				return nil, err
			}
			s.from = *x
		case "localField":
			if local, err = str(f); err != nil {
				return nil, err
			}
		case "foreignField":
			if foreign, err = str(f); err != nil {
				return nil, err
			}
		case "as":
			if as, err = str(f); err != nil {
				return nil, err
			}
		case "let":
			if let, ok = f.Value.(ejson.D); !ok {
				return nil, errorf("$lookup argument 'let' must be an object, found %s", aggTypeName(f.Value))
			}
		case "pipeline":
			if pipeline, err = aggStagesOf("$lookup's pipeline", f.Value); err != nil {
				return nil, err
			}
			hasPipeline = true
		default:
			return nil, errorf("unknown argument to $lookup: %s", f.Key)
		}
	}
	if s.from == "" {
		return nil, errorf("$lookup requires a 'from' collection name")
	}
	if as == nil {
		return nil, errorf("must specify 'as' field for a $lookup")
	}
	if (local == nil) != (foreign == nil) || (local == nil && !hasPipeline) {
		return nil, errorf("$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified")
	}
	if let != nil && !hasPipeline {
		return nil, errorf("$lookup with 'let' must also specify 'pipeline'")
	}
	if s.asSegs, err = aggFieldSegs(*as); err != nil {
		return nil, err
	}
	if local != nil {
		if s.localSegs, err = aggFieldSegs(*local); err != nil {
			return nil, err
		}
		if s.foreignSegs, err = aggFieldSegs(*foreign); err != nil {
			return nil, err
		}
		s.foreignField = *foreign
	}
	for _, f := range let {
		if err := aggValidVarName(f.Key); err != nil {
			return nil, err
		}
		e, err := c.expr(f.Value)
		if err != nil {
			return nil, err
		}
		s.letNames = append(s.letNames, f.Key)
		s.letExprs = append(s.letExprs, e)
	}
	if hasPipeline {
		n := len(c.vars)
		c.vars = append(c.vars, s.letNames...)
		s.pipeline, err = c.pipeline(pipeline, "$lookup")
		c.vars = c.vars[:n]
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// aggLocalValues collects the values a $lookup matches on: the values at the path,
// through arrays, with arrays at the end expanded; null when there are none.
func aggLocalValues(d ejson.D, segs []string) []any {
	var out []any
	var walk func(v any, segs []string)
	walk = func(v any, segs []string) {
		if len(segs) == 0 {
			if arr, ok := v.([]any); ok {
				out = append(out, arr...)
			} else {
				out = append(out, v)
			}
			return
		}
		switch x := v.(type) {
		case ejson.D:
			if c, ok := x.Get(segs[0]); ok {
				walk(c, segs[1:])
			}
		case []any:
			for _, e := range x {
				if ed, ok := e.(ejson.D); ok {
					walk(ed, segs)
				}
			}
		}
	}
	walk(d, segs)
	if len(out) == 0 {
		return []any{nil}
	}
	return out
}

// aggLookupFilter matches foreign documents whose field equals one of the local
// values: {field: {$in: values}}, with regular expressions compared as values ($eq),
// not used as patterns, as MongoDB's $lookup does.
func aggLookupFilter(field string, vals []any) (*Filter, error) {
	var plain []any
	var or []any
	for _, v := range vals {
		if _, isRe := v.(ejson.Regex); isRe {
			or = append(or, ejson.D{{Key: field, Value: ejson.D{{Key: "$eq", Value: v}}}})
		} else {
			plain = append(plain, v)
		}
	}
	if len(or) == 0 {
		return ParseFilter(ejson.D{{Key: field, Value: ejson.D{{Key: "$in", Value: plain}}}})
	}
	if len(plain) > 0 {
		or = append(or, ejson.D{{Key: field, Value: ejson.D{{Key: "$in", Value: plain}}}})
	}
	return ParseFilter(ejson.D{{Key: "$or", Value: or}})
}

// aggMatchKeys calls add with every value a foreign document may match by equality at
// the path (a superset: candidates are confirmed with the matcher).
func aggMatchKeys(v any, segs []string, add func(any)) {
	if len(segs) == 0 {
		add(v)
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				add(e)
			}
		}
		return
	}
	switch x := v.(type) {
	case ejson.D:
		c, ok := x.Get(segs[0])
		if !ok {
			add(nil)
			return
		}
		aggMatchKeys(c, segs[1:], add)
	case []any:
		add(nil)
		for _, e := range x {
			aggMatchKeys(e, segs, add)
		}
		if i, ok := arrayIndex(segs[0]); ok && i < len(x) {
			aggMatchKeys(x[i], segs[1:], add)
		}
	default:
		add(nil)
	}
}

func (s *aggLookupStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	foreign, err := r.collection(s.from)
	if err != nil {
		return nil, err
	}
	var index map[string][]int
	if s.localSegs != nil {
		index = map[string][]int{}
		for i, fd := range foreign {
			last := map[string]bool{}
			aggMatchKeys(fd, s.foreignSegs, func(v any) {
				k := string(ejson.Key(v))
				if !last[k] {
					last[k] = true
					index[k] = append(index[k], i)
				}
			})
		}
	}
	out := make([]ejson.D, len(docs))
	for di, d := range docs {
		matched := foreign
		if index != nil {
			vals := aggLocalValues(d, s.localSegs)
			f, err := aggLookupFilter(s.foreignField, vals)
			if err != nil {
				return nil, err
			}
			cand := map[int]bool{}
			for _, v := range vals {
				for _, i := range index[string(ejson.Key(v))] {
					cand[i] = true
				}
			}
			idx := make([]int, 0, len(cand))
			for i := range cand {
				idx = append(idx, i)
			}
			sort.Ints(idx)
			if err := r.charge(len(vals) + len(idx)); err != nil {
				return nil, err
			}
			matched = make([]ejson.D, 0, len(idx))
			for _, i := range idx {
				if f.Match(foreign[i]) {
					matched = append(matched, foreign[i])
				}
			}
		}
		if s.pipeline != nil {
			inner := vars
			e := r.env(d, vars)
			for i, le := range s.letExprs {
				v, err := le.eval(e)
				if err != nil {
					return nil, err
				}
				inner = &aggVar{name: s.letNames[i], value: v, next: inner}
			}
			res, err := s.pipeline.run(r, inner, append([]ejson.D(nil), matched...))
			if err != nil {
				return nil, err
			}
			matched = res
		}
		if err := r.charge(len(matched)); err != nil {
			return nil, err
		}
		arr := make([]any, len(matched))
		for i, m := range matched {
			arr[i] = m
		}
		out[di] = aggSetPath(d, s.asSegs, arr)
	}
	return out, nil
}

// ---- $facet ----

type aggFacetStage struct {
	names     []string
	pipelines []*Pipeline
}

func (c *aggCompiler) facetStage(v any) (aggStage, error) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("the $facet specification must be an object")
	}
	if len(d) == 0 {
		return nil, errorf("the $facet specification must be a non-empty object")
	}
	s := &aggFacetStage{}
	for _, f := range d {
		if f.Key == "" || f.Key[0] == '$' || strings.Contains(f.Key, ".") {
			return nil, errorf("$facet output field name %q must not be empty, start with '$' or contain '.'", f.Key)
		}
		stages, err := aggStagesOf("$facet pipeline '"+f.Key+"'", f.Value)
		if err != nil {
			return nil, err
		}
		p, err := c.pipeline(stages, "$facet")
		if err != nil {
			return nil, err
		}
		s.names = append(s.names, f.Key)
		s.pipelines = append(s.pipelines, p)
	}
	return s, nil
}

func (s *aggFacetStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	out := make(ejson.D, len(s.names))
	for i, p := range s.pipelines {
		res, err := p.run(r, vars, append([]ejson.D(nil), docs...))
		if err != nil {
			return nil, err
		}
		arr := make([]any, len(res))
		for j, d := range res {
			arr[j] = d
		}
		out[i] = ejson.E{Key: s.names[i], Value: arr}
	}
	return []ejson.D{out}, nil
}

// ---- $bucket ----

type aggBucketStage struct {
	groupBy    aggExpr
	boundaries []any
	def        any
	hasDefault bool
	fields     []aggAccField
}

func (c *aggCompiler) bucketStage(v any) (aggStage, error) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("Argument to $bucket stage must be an object, but found type: %s", aggTypeName(v))
	}
	s := &aggBucketStage{}
	var groupBy any
	var output ejson.D
	hasOutput := false
	for _, f := range d {
		switch f.Key {
		case "groupBy":
			groupBy = f.Value
		case "boundaries":
			arr, ok := f.Value.([]any)
			if !ok {
				return nil, errorf("The $bucket 'boundaries' field must be an array, but found type: %s", aggTypeName(f.Value))
			}
			s.boundaries = arr
		case "default":
			s.def, s.hasDefault = f.Value, true
		case "output":
			if output, ok = f.Value.(ejson.D); !ok {
				return nil, errorf("The $bucket 'output' field must be an object, but found type: %s", aggTypeName(f.Value))
			}
			hasOutput = true
		default:
			return nil, errorf("Unrecognized option to $bucket: %s", f.Key)
		}
	}
	if groupBy == nil || s.boundaries == nil {
		return nil, errorf("$bucket requires 'groupBy' and 'boundaries' to be specified")
	}
	switch g := groupBy.(type) {
	case string:
		if !strings.HasPrefix(g, "$") {
			return nil, errorf("The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression")
		}
	case ejson.D:
		if len(g) == 0 || !strings.HasPrefix(g[0].Key, "$") {
			return nil, errorf("The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression")
		}
	default:
		return nil, errorf("The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression")
	}
	var err error
	if s.groupBy, err = c.expr(groupBy); err != nil {
		return nil, err
	}
	if len(s.boundaries) < 2 {
		return nil, errorf("The $bucket 'boundaries' field must have at least 2 values, but found %d value(s)", len(s.boundaries))
	}
	for i, b := range s.boundaries {
		if aggIsExprSpec(b) {
			return nil, errorf("The $bucket 'boundaries' field must be an array of constant values")
		}
		if i > 0 {
			if ejson.Rank(b) != ejson.Rank(s.boundaries[0]) {
				return nil, errorf("All values in the the 'boundaries' option to $bucket must have the same type. Found conflicting types %s and %s", aggTypeName(s.boundaries[0]), aggTypeName(b))
			}
			if ejson.Compare(s.boundaries[i-1], b) >= 0 {
				return nil, errorf("The 'boundaries' option to $bucket must be sorted in ascending order, but elements %d and %d are not in ascending order", i-1, i)
			}
		}
	}
	if s.hasDefault {
		lo, hi := s.boundaries[0], s.boundaries[len(s.boundaries)-1]
		if ejson.Rank(s.def) == ejson.Rank(lo) && ejson.Compare(s.def, lo) >= 0 && ejson.Compare(s.def, hi) < 0 {
			return nil, errorf("The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.")
		}
	}
	if !hasOutput {
		output = ejson.D{{Key: "count", Value: ejson.D{{Key: "$sum", Value: int64(1)}}}}
	}
	if s.fields, err = c.accFields("$bucket", output, false); err != nil {
		return nil, err
	}
	for _, f := range s.fields {
		if f.name == "_id" {
			return nil, errorf("$bucket output cannot hold an '_id' field")
		}
	}
	return s, nil
}

// aggIsExprSpec reports whether a constant looks like an expression ("$x" or {$op}).
func aggIsExprSpec(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.HasPrefix(x, "$")
	case ejson.D:
		return len(x) > 0 && strings.HasPrefix(x[0].Key, "$")
	}
	return false
}

func (s *aggBucketStage) run(r *aggRun, vars *aggVar, docs []ejson.D) ([]ejson.D, error) {
	buckets := make([]*aggGroup, len(s.boundaries)-1)
	var def *aggGroup
	lo, hi := s.boundaries[0], s.boundaries[len(s.boundaries)-1]
	for _, d := range docs {
		e := r.env(d, vars)
		v, err := s.groupBy.eval(e)
		if err != nil {
			return nil, err
		}
		v = aggNoMissing(v)
		var g **aggGroup
		if aggCompare(v, lo) < 0 || aggCompare(v, hi) >= 0 {
			if !s.hasDefault {
				return nil, errorf("$bucket could not find a matching branch for an input, and no default was specified.")
			}
			if def == nil {
				def = newAggGroup(s.def, s.fields)
			}
			g = &def
		} else {
			i := sort.Search(len(s.boundaries), func(i int) bool { return aggCompare(s.boundaries[i], v) > 0 }) - 1
			if buckets[i] == nil {
				buckets[i] = newAggGroup(s.boundaries[i], s.fields)
			}
			g = &buckets[i]
		}
		if err := (*g).add(e, s.fields); err != nil {
			return nil, err
		}
	}
	// only non-empty buckets, ordered by _id as MongoDB's $group + $sort rewrite does
	// (the default bucket sorts among the others by its value)
	out := []ejson.D{}
	for _, b := range buckets {
		if b != nil {
			out = append(out, b.doc(s.fields))
		}
	}
	if def != nil {
		i := sort.Search(len(out), func(i int) bool { return ejson.Compare(out[i][0].Value, s.def) > 0 })
		out = append(out[:i], append([]ejson.D{def.doc(s.fields)}, out[i:]...)...)
	}
	return out, nil
}
