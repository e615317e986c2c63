package collections

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
)

// The planner compiles filters and sorts to SQL over mc_key(data -> path) where that is
// exact and otherwise uses SQL as a prefilter for the Go matcher. These tests check that
// every query returns what brute-force evaluation with the mql matcher returns over all
// documents: the single source of truth for query semantics.

// bruteQuery evaluates a query over docs (in insertion order) with the mql package:
// filter, sort (ties break by insertion order as tiesDescending says;
// without a sort, a $nearSphere orders by distance), skip and limit.
func bruteQuery(t testing.TB, docs []ejson.D, q Query, maxLimit int, descIndexed map[string]bool) []ejson.D {
	t.Helper()
	f := mql.MatchAll
	if len(q.Filter) > 0 {
		var err error
		if f, err = mql.ParseFilter(q.Filter); err != nil {
			t.Fatalf("brute force: %v", err)
		}
	}
	srt, err := mql.NewSort(q.Sort)
	if err != nil {
		t.Fatalf("brute force: %v", err)
	}
	type rec struct {
		doc ejson.D
		idx int
	}
	var recs []rec
	for i, d := range docs {
		if f.Match(d) {
			recs = append(recs, rec{d, i})
		}
	}
	near, isNear := f.Near()
	isNear = isNear && len(srt) == 0
	lastDesc := tiesDescending(srt, descIndexed)
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if isNear {
			if da, db := near.Distance(a.doc), near.Distance(b.doc); da != db {
				return da < db
			}
		} else if c := srt.Compare(a.doc, b.doc); c != 0 {
			return c < 0
		}
		if lastDesc {
			return a.idx > b.idx
		}
		return a.idx < b.idx
	})
	limit := q.Limit
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	out := []ejson.D{}
	for i := q.Skip; i < len(recs) && len(out) < limit; i++ {
		out = append(out, recs[i].doc)
	}
	return out
}

func docIDs(docs []ejson.D) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		id, _ := d.Get("_id")
		ids[i], _ = id.(string)
	}
	return ids
}

// checkQuery runs q through the store and compares Find and Count with brute force.
func checkQuery(t testing.TB, s *Store, coll string, docs []ejson.D, q Query) {
	t.Helper()
	ctx := context.Background()
	c, err := s.lookup(coll)
	if err != nil {
		t.Fatal(err)
	}
	want := bruteQuery(t, docs, q, s.MaxLimit(), c.settings().descIndexed)
	got, err := s.Find(ctx, AdminCaller, coll, q)
	if err != nil {
		t.Fatalf("Find %s: %v", describeQuery(q), err)
	}
	if g, w := strings.Join(docIDs(got), ","), strings.Join(docIDs(want), ","); g != w {
		t.Fatalf("Find %s\n got %s\nwant %s", describeQuery(q), g, w)
	}
	for i := range got {
		if ejson.Compare(got[i], want[i]) != 0 || len(got[i]) != len(want[i]) {
			t.Fatalf("Find %s: document %d differs:\n got %v\nwant %v", describeQuery(q), i, got[i], want[i])
		}
	}
	js, err := s.FindJSON(ctx, AdminCaller, coll, q)
	if err != nil || len(js) != len(got) {
		t.Fatalf("FindJSON %s: %d documents, %v", describeQuery(q), len(js), err)
	}
	for i := range js {
		want, _ := ejson.Marshal(got[i], ejson.Relaxed)
		if string(js[i]) != string(want) {
			t.Fatalf("FindJSON %s: document %d\n got %s\nwant %s", describeQuery(q), i, js[i], want)
		}
	}
	n, err := s.Count(ctx, AdminCaller, coll, q.Filter)
	if err != nil {
		t.Fatalf("Count %s: %v", describeQuery(q), err)
	}
	all := bruteQuery(t, docs, Query{Filter: q.Filter}, math.MaxInt, nil)
	if n != int64(len(all)) {
		t.Fatalf("Count %s = %d, want %d", describeQuery(q), n, len(all))
	}
}

func describeQuery(q Query) string {
	f, _ := ejson.MarshalString(q.Filter, ejson.Relaxed)
	return fmt.Sprintf("filter %s sort %v skip %d limit %d", f, q.Sort, q.Skip, q.Limit)
}

// planGen generates documents and queries over every operator and value type, without
// the restrictions of the mingo differential test: the oracle is our own matcher.
type planGen struct {
	r *rand.Rand
}

func (g *planGen) n(k int) int           { return g.r.IntN(k) }
func (g *planGen) chance(p float64) bool { return g.r.Float64() < p }

// Field names that need quoting in a JSON path.
var oddKeys = []string{`k"q`, "é", "sp ace", "ctl\x01", "bell\a", `back\slash`, "[br]", "0"}

var planStrings = []string{"", "a", "ab", "abc", "B", "b", "é", "日本", "a\x00b", "x y", "10"}

func (g *planGen) scalar() any {
	switch g.n(16) {
	case 0:
		return nil
	case 1:
		return g.chance(0.5)
	case 2, 3, 4:
		return int64(g.n(9) - 3)
	case 5:
		return float64(g.n(9)-3) + 0.5
	case 6:
		return []any{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), float64(1 << 53), 2.0}[g.n(6)]
	case 7:
		return []any{int64(1)<<53 + 1, int64(math.MaxInt64), int64(math.MinInt64), int64(1) << 53}[g.n(4)]
	case 8:
		return ejson.Decimal([]string{"2.5", "3", "-1", "0.1"}[g.n(4)])
	case 9, 10, 11:
		return planStrings[g.n(len(planStrings))]
	case 12:
		return ejson.Date([]int64{-1000, 0, 1000, 1704164645000}[g.n(4)])
	case 13:
		return []any{ejson.ObjectID("5f0c9a5f1a2b3c00d4e5f67a"), ejson.MinKey{}, ejson.MaxKey{},
			ejson.Regex{Pattern: "^a", Options: "i"}, ejson.Timestamp{T: 1, I: 2}, ejson.Binary{Data: []byte{1}}}[g.n(6)]
	case 14:
		return ejson.D{{Key: "x", Value: int64(g.n(3))}}
	default:
		return planStrings[g.n(4)]
	}
}

// value returns a scalar or, when arrays are allowed, sometimes an array.
func (g *planGen) value(arrays bool) any {
	if arrays && g.chance(0.3) {
		arr := make([]any, g.n(4))
		for i := range arr {
			if g.chance(0.15) {
				arr[i] = []any{g.scalar()}
			} else {
				arr[i] = g.scalar()
			}
		}
		return arr
	}
	return g.scalar()
}

// doc generates a document; arrays lists the top-level fields that may hold arrays.
func (g *planGen) doc(id string, arrays map[string]bool) ejson.D {
	d := ejson.D{{Key: "_id", Value: id}}
	add := func(k string, p float64, v func() any) {
		if g.chance(p) {
			d = append(d, ejson.E{Key: k, Value: v()})
		}
	}
	add("n", 0.85, func() any { return g.value(arrays["n"]) })
	add("s", 0.8, func() any {
		if g.chance(0.1) {
			return nil
		}
		return planStrings[g.n(len(planStrings))]
	})
	add("i", 0.8, func() any { return int64(g.n(21) - 10) })
	add("o", 0.8, func() any {
		if g.chance(0.15) {
			return g.scalar()
		}
		o := ejson.D{}
		if g.chance(0.8) {
			o = append(o, ejson.E{Key: "x", Value: g.value(arrays["o.x"])})
		}
		if g.chance(0.6) {
			o = append(o, ejson.E{Key: "y", Value: planStrings[g.n(len(planStrings))]})
		}
		if g.chance(0.5) {
			o = append(o, ejson.E{Key: "z", Value: ejson.D{{Key: "w", Value: int64(g.n(4))}}})
		}
		return o
	})
	add("a", 0.5, func() any {
		if arrays["a.b"] && g.chance(0.5) {
			return []any{ejson.D{{Key: "b", Value: ejson.D{{Key: "c", Value: g.scalar()}}}}, ejson.D{{Key: "b", Value: g.scalar()}}}
		}
		return ejson.D{{Key: "b", Value: ejson.D{{Key: "c", Value: g.scalar()}}}}
	})
	if arrays["tags"] {
		add("tags", 0.8, func() any {
			arr := make([]any, g.n(5))
			for i := range arr {
				arr[i] = []any{"a", "b", "c", int64(1), int64(2), nil}[g.n(6)]
			}
			return arr
		})
		add("items", 0.7, func() any {
			arr := make([]any, g.n(4))
			for i := range arr {
				it := ejson.D{}
				if g.chance(0.8) {
					it = append(it, ejson.E{Key: "k", Value: []string{"a", "b", "c"}[g.n(3)]})
				}
				if g.chance(0.8) {
					it = append(it, ejson.E{Key: "v", Value: g.value(true)})
				}
				if g.chance(0.1) {
					arr[i] = g.scalar()
				} else {
					arr[i] = it
				}
			}
			return arr
		})
	}
	add("loc", 0.3, func() any {
		return ejson.D{{Key: "type", Value: "Point"}, {Key: "coordinates", Value: []any{float64(g.n(21) - 10), float64(g.n(21) - 10)}}}
	})
	for _, k := range oddKeys {
		k := k
		add(k, 0.2, func() any { return g.value(arrays[k]) })
	}
	if g.chance(0.4) {
		d = append(d, ejson.E{Key: "_openid", Value: []string{"alice", "bob", "carol"}[g.n(3)]})
	}
	return d
}

var planPaths = []string{
	"_id", "_openid", "n", "s", "i", "o", "o.x", "o.y", "o.z", "o.z.w", "a", "a.b", "a.b.c",
	"tags", "tags.0", "tags.1", "items", "items.k", "items.v", "items.0.k", "items.1.v", "items.v.0",
	"zz", "n.x", "o.x.0", "_id.x", "_openid.y", `k"q`, "é", "sp ace", "ctl\x01", "bell\a", `back\slash`, "[br]", "0", "o.0",
}

func (g *planGen) path() string { return planPaths[g.n(len(planPaths))] }

// operand returns a query operand, biased to values the documents hold.
func (g *planGen) operand() any {
	switch g.n(10) {
	case 0:
		return []string{"alice", "bob", "zed", "a", "b"}[g.n(5)]
	case 1:
		return []any{int64(1), "a", nil}[:1+g.n(3)]
	case 2:
		return ejson.D{{Key: "w", Value: int64(g.n(4))}}
	}
	return g.scalar()
}

func (g *planGen) regex() ejson.Regex {
	opts := ""
	if g.chance(0.3) {
		opts = "i"
	}
	return ejson.Regex{Pattern: []string{"^a", "b$", "a.", "^$", "é", "^[ab]+$", "0"}[g.n(7)], Options: opts}
}

func (g *planGen) filter(depth int) ejson.D {
	d := ejson.D{}
	for k := 1 + g.n(2); k > 0; k-- {
		if depth < 2 && g.chance(0.2) {
			op := []string{"$and", "$or", "$nor"}[g.n(3)]
			if d.Index(op) >= 0 {
				continue
			}
			var subs []any
			for j := 1 + g.n(3); j > 0; j-- {
				subs = append(subs, g.filter(depth+1))
			}
			d = append(d, ejson.E{Key: op, Value: subs})
			continue
		}
		p := g.path()
		if d.Index(p) >= 0 {
			continue
		}
		d = append(d, ejson.E{Key: p, Value: g.condition(depth)})
	}
	return d
}

func (g *planGen) condition(depth int) any {
	if g.chance(0.25) {
		if g.chance(0.15) {
			return g.regex()
		}
		v := g.operand()
		if x, ok := v.(ejson.D); ok && len(x) == 0 {
			return int64(0)
		}
		return v
	}
	d := ejson.D{}
	for k := 1 + g.n(2); k > 0; k-- {
		e := g.operator(depth)
		if d.Index(e.Key) >= 0 || (e.Key == "$regex" && len(d) > 0) {
			continue
		}
		d = append(d, e)
		if e.Key == "$regex" {
			// $options only for a regex without flags of its own (MongoDB refuses both)
			if r, isRe := e.Value.(ejson.Regex); g.chance(0.3) && (!isRe || r.Options == "") {
				d = append(d, ejson.E{Key: "$options", Value: "i"})
			}
			break
		}
	}
	return d
}

func (g *planGen) operator(depth int) ejson.E {
	switch g.n(17) {
	case 0:
		return ejson.E{Key: "$eq", Value: g.operand()}
	case 1:
		v := g.operand()
		if _, isRe := v.(ejson.Regex); isRe {
			v = "a"
		}
		return ejson.E{Key: "$ne", Value: v}
	case 2, 3:
		v := g.operand()
		if _, isRe := v.(ejson.Regex); isRe {
			v = int64(1)
		}
		return ejson.E{Key: []string{"$gt", "$gte", "$lt", "$lte"}[g.n(4)], Value: v}
	case 4, 5:
		var vals []any
		for k := g.n(4); k > 0; k-- {
			if g.chance(0.15) {
				vals = append(vals, g.regex())
			} else {
				vals = append(vals, g.operand())
			}
		}
		if vals == nil {
			vals = []any{}
		}
		return ejson.E{Key: []string{"$in", "$nin"}[g.n(2)], Value: vals}
	case 6:
		return ejson.E{Key: "$exists", Value: g.chance(0.5)}
	case 7:
		return ejson.E{Key: "$type", Value: []any{"number", "string", "null", "object", "array", "double", "int", "long", "date", "bool", "decimal", "regex", int64(2)}[g.n(13)]}
	case 8:
		if g.chance(0.2) {
			return ejson.E{Key: "$all", Value: []any{ejson.D{{Key: "$elemMatch", Value: ejson.D{{Key: "k", Value: "a"}}}}}}
		}
		var vals []any
		for k := g.n(3); k > 0; k-- {
			vals = append(vals, g.operand())
		}
		if vals == nil {
			vals = []any{}
		}
		return ejson.E{Key: "$all", Value: vals}
	case 9:
		if depth < 2 && g.chance(0.5) {
			return ejson.E{Key: "$elemMatch", Value: g.filter(depth + 1)}
		}
		sub := ejson.D{{Key: []string{"$gt", "$lt", "$eq", "$ne", "$exists"}[g.n(5)], Value: g.operand()}}
		if sub[0].Key == "$exists" {
			sub[0].Value = g.chance(0.5)
		}
		return ejson.E{Key: "$elemMatch", Value: sub}
	case 10:
		return ejson.E{Key: "$size", Value: int64(g.n(4))}
	case 11:
		return ejson.E{Key: "$mod", Value: []any{int64(2 + g.n(3)), int64(g.n(3) - 1)}}
	case 12, 13:
		if g.chance(0.5) {
			return ejson.E{Key: "$regex", Value: g.regex().Pattern}
		}
		return ejson.E{Key: "$regex", Value: g.regex()}
	case 14:
		if depth < 2 {
			inner := ejson.D{g.operator(depth + 1)}
			if inner[0].Key != "$regex" {
				return ejson.E{Key: "$not", Value: inner}
			}
		}
		return ejson.E{Key: "$not", Value: g.regex()}
	case 15:
		if g.chance(0.5) {
			return ejson.E{Key: "$nearSphere", Value: ejson.D{
				{Key: "$geometry", Value: ejson.D{{Key: "type", Value: "Point"}, {Key: "coordinates", Value: []any{int64(g.n(5)), int64(0)}}}},
				{Key: "$maxDistance", Value: int64(500000 + g.n(1000000))},
			}}
		}
		return ejson.E{Key: "$geoWithin", Value: ejson.D{{Key: "$centerSphere", Value: []any{[]any{int64(0), int64(0)}, 0.1}}}}
	default:
		return ejson.E{Key: "$eq", Value: g.scalar()}
	}
}

func (g *planGen) query() Query {
	q := Query{Filter: g.filter(0)}
	if g.chance(0.1) {
		q.Filter = ejson.D{}
	}
	for k := g.n(4); k > 0; k-- {
		q.Sort = append(q.Sort, mql.SortKey{Path: planPaths[g.n(len(planPaths))], Desc: g.chance(0.5)})
	}
	if g.chance(0.3) {
		q.Skip = g.n(6)
	}
	if g.chance(0.4) {
		q.Limit = 1 + g.n(15)
	}
	return q
}

// exactness plans q's filter and sort for the collection and reports whether SQL alone
// answers them.
func exactness(t testing.TB, s *Store, coll string, q Query) (filterExact, sortExact bool) {
	t.Helper()
	c, err := s.lookup(coll)
	if err != nil {
		t.Fatal(err)
	}
	f := mql.MatchAll
	if len(q.Filter) > 0 {
		if f, err = mql.ParseFilter(q.Filter); err != nil {
			t.Fatal(err)
		}
	}
	srt, err := mql.NewSort(q.Sort)
	if err != nil {
		t.Fatal(err)
	}
	c.shapeMu.RLock()
	defer c.shapeMu.RUnlock()
	pl := planner{c: c}
	_, _, sortExact = pl.compileSort(srt)
	return pl.compileFilter(f).exact, sortExact
}

func TestPlannerMatchesBruteForce(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	const coll = "things"
	if err := s.CreateCollection(ctx, coll); err != nil {
		t.Fatal(err)
	}
	for _, idx := range []IndexInfo{
		{Name: "n", Fields: []IndexField{{Path: "n"}}},
		{Name: "ox", Fields: []IndexField{{Path: "o.x", Desc: true}}},
		{Name: "s_i", Fields: []IndexField{{Path: "s"}, {Path: "i", Desc: true}}},
		{Name: "abc", Fields: []IndexField{{Path: "a.b.c"}}},
		{Name: "tags", Fields: []IndexField{{Path: "tags"}}},
	} {
		if err := s.CreateIndex(ctx, coll, idx); err != nil {
			t.Fatal(err)
		}
	}
	g := &planGen{r: rand.New(rand.NewPCG(7, 11))}
	var docs []ejson.D
	insert := func(count int, arrays map[string]bool) {
		batch := make([]ejson.D, count)
		for i := range batch {
			batch[i] = g.doc(fmt.Sprintf("d%03d", len(docs)+i), arrays)
		}
		if _, err := s.Insert(ctx, AdminCaller, coll, batch, InsertOptions{}); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, batch...)
	}
	exactFilters, exactSorts := 0, 0
	run := func(phase string, count int) {
		for i := 0; i < count; i++ {
			q := g.query()
			fe, se := exactness(t, s, coll, q)
			if fe {
				exactFilters++
			}
			if se && len(q.Sort) > 0 {
				exactSorts++
			}
			checkQuery(t, s, coll, docs, q)
		}
		t.Logf("%s: %d documents, %d exact filters and %d exact sorts so far", phase, len(docs), exactFilters, exactSorts)
	}

	// no arrays anywhere: every data path compiles to SQL
	insert(80, nil)
	checkQuery(t, s, coll, docs, Query{})
	run("no arrays", 400)
	if exactFilters < 150 || exactSorts < 100 {
		t.Errorf("too few queries ran exactly in SQL: %d filters, %d sorts", exactFilters, exactSorts)
	}

	// arrays appear on paths earlier queries were planned on
	insert(40, map[string]bool{"n": true, "tags": true, `k"q`: true})
	run("arrays in n, tags, items", 400)
	insert(40, map[string]bool{"n": true, "tags": true, "o.x": true, "a.b": true, "é": true, "0": true})
	run("arrays in o.x, a.b", 400)

	// an update brings an array to a path that never held one
	res, err := s.Update(ctx, AdminCaller, coll, UpdateSpec{
		Filter: ejson.D{{Key: "_id", Value: "d005"}},
		Data:   ejson.D{{Key: "$set", Value: ejson.D{{Key: "s", Value: []any{"a", "zz"}}, {Key: "i", Value: []any{int64(1), int64(99)}}}}},
	})
	if err != nil || res.Matched != 1 {
		t.Fatalf("update: %+v %v", res, err)
	}
	got, err := s.Find(ctx, AdminCaller, coll, Query{Filter: ejson.D{{Key: "_id", Value: "d005"}}})
	if err != nil || len(got) != 1 {
		t.Fatalf("re-read: %v %v", got, err)
	}
	docs[5] = got[0]
	for _, q := range []Query{
		{Filter: ejson.D{{Key: "s", Value: "zz"}}},
		{Filter: ejson.D{{Key: "i", Value: int64(99)}}},
		{Filter: ejson.D{{Key: "i", Value: ejson.D{{Key: "$gt", Value: int64(50)}}}}, Sort: []mql.SortKey{{Path: "s"}}},
	} {
		checkQuery(t, s, coll, docs, q)
	}
	run("arrays in s, i after an update", 300)
}

// fuzzDocs are the documents FuzzFilterCompiler queries: every value type, arrays on
// some paths only, odd field names, owners.
var fuzzDocs = []string{
	`{"_id":"f01","n":1,"s":"a","i":1,"o":{"x":1,"y":"a"},"_openid":"alice"}`,
	`{"_id":"f02","n":2.5,"s":"ab","i":-1,"o":{"x":"a","z":{"w":1}}}`,
	`{"_id":"f03","n":"a","s":"B","i":0,"o":{"x":null},"_openid":"bob"}`,
	`{"_id":"f04","n":null,"s":"","o":{"y":"b"}}`,
	`{"_id":"f05","s":"abc","i":5,"o":5}`,
	`{"_id":"f06","n":true,"s":null,"i":3,"o":{"x":{"q":1}}}`,
	`{"_id":"f07","n":false,"s":"é","o":{}}`,
	`{"_id":"f08","n":{"$date":0},"s":"日本","i":-3}`,
	`{"_id":"f09","n":{"$date":1704164645000},"o":null,"_openid":"alice"}`,
	`{"_id":"f10","n":{"$numberDouble":"NaN"},"s":"x"}`,
	`{"_id":"f11","n":{"$numberDouble":"Infinity"},"i":10}`,
	`{"_id":"f12","n":{"$numberDouble":"-Infinity"},"i":-10}`,
	`{"_id":"f13","n":-0.0,"i":0}`,
	`{"_id":"f14","n":9007199254740993,"s":"b"}`,
	`{"_id":"f15","n":9007199254740992.0,"s":"b"}`,
	`{"_id":"f16","n":{"$numberDecimal":"2.5"}}`,
	`{"_id":"f17","n":{"x":1},"s":"a\u0000b"}`,
	`{"_id":"f18","n":{"x":1,"y":2}}`,
	`{"_id":"f19","n":{"$oid":"5f0c9a5f1a2b3c00d4e5f67a"}}`,
	`{"_id":"f20","n":{"$regularExpression":{"pattern":"^a","options":"i"}}}`,
	`{"_id":"f21","n":{"$minKey":1}}`,
	`{"_id":"f22","n":{"$maxKey":1}}`,
	`{"_id":"f23","n":{"$timestamp":{"t":1,"i":2}}}`,
	`{"_id":"f24","n":{"$binary":{"base64":"AQI=","subType":"00"}}}`,
	`{"_id":"f25","n":-7,"i":7,"a":{"b":{"c":1}}}`,
	`{"_id":"f26","n":100,"a":{"b":{"c":"x"}}}`,
	`{"_id":"f27","a":{"b":5}}`,
	`{"_id":"f28","a":{"b":{"c":null}}}`,
	`{"_id":"f29","tags":["a","b"],"items":[{"k":"a","v":1},{"k":"b","v":[1,2]}]}`,
	`{"_id":"f30","tags":[],"items":[]}`,
	`{"_id":"f31","tags":["a",["a","b"],null,1],"items":[{"k":"c"},5,{"v":null}]}`,
	`{"_id":"f32","tags":"a","items":{"k":"a"}}`,
	`{"_id":"f33","tags":[1,2,3],"items":[[{"k":"a"}]]}`,
	`{"_id":"f34","tags":[{"x":1},{"x":[2,3]}],"items":[{"k":"a","v":{"w":1}}]}`,
	`{"_id":"f35","k\"q":1,"é":"é","sp ace":true,"ctl\u0001":2,"back\\slash":3,"[br]":4,"0":5,"bell\u0007":6}`,
	`{"_id":"f36","k\"q":"x","é":null,"sp ace":false,"0":[1,2]}`,
	`{"_id":"f37","loc":{"type":"Point","coordinates":[1,1]},"_openid":"carol"}`,
	`{"_id":"f38","loc":{"type":"Point","coordinates":[-3,2]}}`,
	`{"_id":"f39","loc":[5,5]}`,
	`{"_id":"f40","deep":{"a":{"b":{"c":{"d":[{"e":1},{"e":2}]}}}}}`,
	`{"_id":"f41","n":[1,5],"i":2}`,
	`{"_id":"f42","n":[],"i":2}`,
	`{"_id":"f43","n":[[1]],"i":2}`,
	`{"_id":"f44","n":[null,"a"],"s":"a"}`,
	`{"_id":"f45","n":3,"s":"a","i":4,"o":{"x":2,"y":"c","z":{"w":0}}}`,
	`{"_id":"f46","n":3,"s":"b","i":4}`,
	`{"_id":"f47","n":3.0,"s":"b","i":-4}`,
	`{"_id":"f48","n":"10","s":"10"}`,
	`{"_id":"f49","n":"B","s":"ba"}`,
	`{"_id":"f50","n":"b","s":"x y"}`,
	`{"_id":"f51","o":{"x":[1,2]},"s":"c"}`,
	`{"_id":"f52","o":{"x":[{"q":1},{"q":2}]}}`,
	`{"_id":"f53","o":[{"x":3},{"y":"a"}]}`,
	`{"_id":"f54","n":0.1,"i":1}`,
	`{"_id":"f55","n":{"$numberDecimal":"0.1"},"i":1}`,
	`{"_id":"f56","n":-1,"s":"a","_openid":"bob"}`,
	`{"_id":"f57","n":{"$date":-1000},"_openid":"alice"}`,
	`{"_id":"f58","n":2,"s":"a\nb"}`,
	`{"_id":"f59","n":"ab","s":"AB"}`,
	`{"_id":"f60"}`,
}

// fuzzSorts are the orders FuzzFilterCompiler tries, picked by its second argument.
var fuzzSorts = [][]mql.SortKey{
	nil,
	{{Path: "n"}},
	{{Path: "n", Desc: true}},
	{{Path: "s"}, {Path: "i", Desc: true}},
	{{Path: "o.x"}},
	{{Path: "tags", Desc: true}},
	{{Path: "_id", Desc: true}},
	{{Path: "_openid"}, {Path: "n"}},
	{{Path: "bell\a", Desc: true}},
}

func FuzzFilterCompiler(f *testing.F) {
	seeds := []string{
		`{}`,
		`{"n":1}`,
		`{"n":{"$gt":1}}`,
		`{"n":{"$gte":null}}`,
		`{"n":{"$lt":{"$numberDouble":"NaN"}}}`,
		`{"n":{"$lte":{"$numberDouble":"NaN"}}}`,
		`{"n":{"$ne":null},"s":{"$in":["a","b",null]}}`,
		`{"n":{"$nin":[1,"a",null]}}`,
		`{"n":{"$type":"number"}}`,
		`{"n":{"$exists":false}}`,
		`{"n":{"$gt":{"$minKey":1}}}`,
		`{"n":{"$lt":{"$maxKey":1}}}`,
		`{"n":9007199254740993}`,
		`{"n":{"$gt":9007199254740992}}`,
		`{"n":{"$eq":{"$regularExpression":{"pattern":"^a","options":"i"}}}}`,
		`{"n":{"$regularExpression":{"pattern":"^a","options":"i"}}}`,
		`{"n":{"$in":[{"$regularExpression":{"pattern":"^a","options":""}},1]}}`,
		`{"n":{"$gt":{"x":0}}}`,
		`{"n":{"$mod":[2,1]}}`,
		`{"n":{"$size":2}}`,
		`{"n":{"$elemMatch":{"$gt":1}}}`,
		`{"n":{"$all":[1,5]}}`,
		`{"n":{"$not":{"$gt":1}}}`,
		`{"n":{"$not":{"$size":0}}}`,
		`{"s":{"$regex":"^a","$options":"i"}}`,
		`{"s":{"$gt":"a","$lt":"b"}}`,
		`{"s":{"$not":{"$in":["a"]}},"i":{"$gte":0}}`,
		`{"i":{"$in":[]}}`,
		`{"i":{"$nin":[]}}`,
		`{"o.x":1}`,
		`{"o.x":null}`,
		`{"o.x.q":{"$exists":true}}`,
		`{"o.z":{"w":1}}`,
		`{"o":{"x":1,"y":"a"}}`,
		`{"a.b.c":{"$gte":1}}`,
		`{"a.b":{"$type":"object"}}`,
		`{"tags":"a"}`,
		`{"tags":["a","b"]}`,
		`{"tags.0":"a"}`,
		`{"tags.x":{"$in":[1,2]}}`,
		`{"tags":{"$elemMatch":{"$elemMatch":{"$eq":"b"}}}}`,
		`{"items.k":"a","items.v":1}`,
		`{"items":{"$elemMatch":{"k":"a","v":{"$gte":1}}}}`,
		`{"items.v":null}`,
		`{"items.0.k":{"$exists":true}}`,
		`{"items":{"$all":[{"$elemMatch":{"k":"a"}}]}}`,
		`{"_id":"f01"}`,
		`{"_id":{"$in":["f01","f02",null]}}`,
		`{"_id":{"$gt":"f50"}}`,
		`{"_id":{"$regex":"^f1"}}`,
		`{"_id":{"$not":{"$lt":"f10"}}}`,
		`{"_id":{"$exists":false}}`,
		`{"_openid":"alice"}`,
		`{"_openid":null}`,
		`{"_openid":""}`,
		`{"_openid":{"$gte":"b"}}`,
		`{"_openid":{"$nin":["alice",null]}}`,
		`{"_openid":{"$exists":true}}`,
		`{"k\"q":1}`,
		`{"é":{"$exists":true}}`,
		`{"ctl\u0001":2}`,
		`{"bell\u0007":6}`,
		`{"back\\slash":{"$gt":0}}`,
		`{"[br]":4,"sp ace":true}`,
		`{"0":5}`,
		`{"0.1":2}`,
		`{"deep.a.b.c.d.e":2}`,
		`{"deep.a.b.c.d.1.e":2}`,
		`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$maxDistance":1000000}}}`,
		`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}}}}`,
		`{"$or":[{"n":1},{"s":"a"}]}`,
		`{"$or":[{"n":1},{"tags":"a"}]}`,
		`{"$nor":[{"n":{"$gt":0}},{"s":{"$exists":false}}]}`,
		`{"$and":[{"n":{"$gte":0}},{"n":{"$lte":3}}],"s":{"$ne":"a"}}`,
		`{"$or":[{"$and":[{"i":{"$gt":0}},{"o.x":{"$exists":true}}]},{"$nor":[{"a.b.c":1}]}]}`,
		`{"n":{"$foo":1}}`,
		`{"$where":"1"}`,
		`{"n":{"$regex":"("}}`,
	}
	for i, sd := range seeds {
		f.Add(sd, uint8(i))
	}
	s := newTestStore(f)
	ctx := context.Background()
	const coll = "fuzz"
	if err := s.CreateCollection(ctx, coll); err != nil {
		f.Fatal(err)
	}
	for _, idx := range []IndexInfo{
		{Name: "n", Fields: []IndexField{{Path: "n"}}},
		{Name: "s_i", Fields: []IndexField{{Path: "s"}, {Path: "i", Desc: true}}},
		{Name: "abc", Fields: []IndexField{{Path: "a.b.c"}}},
	} {
		if err := s.CreateIndex(ctx, coll, idx); err != nil {
			f.Fatal(err)
		}
	}
	docs := make([]ejson.D, len(fuzzDocs))
	for i, js := range fuzzDocs {
		d, err := ejson.UnmarshalDoc([]byte(js))
		if err != nil {
			f.Fatalf("%s: %v", js, err)
		}
		docs[i] = d
	}
	if _, err := s.Insert(ctx, AdminCaller, coll, docs, InsertOptions{}); err != nil {
		f.Fatal(err)
	}
	// the store returns documents as inserted (_id first, _openid last)
	all, err := s.Find(ctx, AdminCaller, coll, Query{})
	if err != nil || len(all) != len(docs) {
		f.Fatalf("read back: %d docs, %v", len(all), err)
	}
	for i := range all {
		if ejson.Compare(all[i], docs[i]) != 0 {
			f.Fatalf("document %d reads back as %v, inserted %v", i, all[i], docs[i])
		}
	}

	f.Fuzz(func(t *testing.T, filter string, sel uint8) {
		d, err := ejson.UnmarshalDoc([]byte(filter))
		if err != nil || hasServerDate(d) {
			return
		}
		q := Query{
			Filter: d,
			Sort:   fuzzSorts[int(sel)%len(fuzzSorts)],
			Skip:   int(sel>>3) % 3,
			Limit:  []int{0, 5, 1}[int(sel>>5)%3],
		}
		if _, err := mql.ParseFilter(d); err != nil {
			var me *mql.Error
			if !errors.As(err, &me) {
				t.Fatalf("ParseFilter(%s): error %T is not *mql.Error: %v", filter, err, err)
			}
			_, ferr := s.Find(context.Background(), AdminCaller, coll, q)
			var e *Error
			if !errors.As(ferr, &e) || e.Code != CodeInvalidParam {
				t.Fatalf("Find(%s) with an invalid filter: %v, want INVALID_PARAM", filter, ferr)
			}
			return
		}
		checkQuery(t, s, coll, docs, q)
	})
}

func hasServerDate(v any) bool {
	switch x := v.(type) {
	case ejson.ServerDate:
		return true
	case ejson.D:
		for _, e := range x {
			if hasServerDate(e.Value) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasServerDate(e) {
				return true
			}
		}
	}
	return false
}
