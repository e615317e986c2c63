package mql

// Differential test of the matcher, sort and projection against mingo 6.5.6 (an
// independent JavaScript implementation of MongoDB's query language, installed under
// conformance/node_modules by `npm ci` there), through testdata/mingo_query.js.
//
// mingo departs from MongoDB in places. The generator below does not produce those
// shapes (our matcher follows MongoDB, not mingo); the unit tests in filter_test.go,
// sort_test.go and projection_test.go cover them against MongoDB's documented and
// tested behaviour (jstests such as null2.js, null_query_semantics.js,
// array_match2.js) instead. mingo 6.5.6 differs from MongoDB here:
//
//   - Nested arrays: mingo flattens them when testing equality and positions
//     ({a: 1} and {"a.0": 1} match {a: [[1, 2]]}; MongoDB expands one level of arrays
//     and never expands an element reached by position), and $elemMatch on values
//     expands them too ({a: {$elemMatch: {$gt: 1}}} matches {a: [[2]]}).
//     Generated documents never nest arrays directly in arrays.
//   - Paths through arrays of documents: mingo collects "a.b" into one array, so $size,
//     $type, $in and $all see that array instead of each document's value
//     ({"a.b": {$size: 2}} matches {a: [{b: 1}, {b: 2}]}). $size, $all and $type only
//     target top-level arrays or fields that never hold arrays.
//   - Numeric path segments: mingo only indexes arrays; MongoDB also looks for a field
//     of that name in array elements ({"a.1": 4} matches {a: [{"1": 4}, 5]}). Generated
//     documents have no numeric field names.
//   - null and missing: mingo drops missing branches of an array of documents
//     ({"a.b": null} does not match {a: [{b: 1}, {}]}; MongoDB matches), matches
//     {"a.0": null} against an empty array (MongoDB does not), and does not treat
//     missing as null for {$gte: null} / {$lte: null} (MongoDB does). null operands
//     are generated only for paths that never cross an array.
//   - $in / $nin: mingo intersects the value with the operand list, so an array operand
//     never matches a whole array value ({a: {$in: [[1, 2]]}} vs {a: [1, 2]}) and
//     regular expressions in the list never match strings. Neither is generated.
//   - $all on a scalar: mingo requires an array ({a: {$all: [1]}} matches {a: 1} in
//     MongoDB). $all only targets a field that is an array or missing.
//   - $elemMatch with a sub-filter: mingo tests scalar elements as if they were
//     documents ({a: {$elemMatch: {b: 1}}} matches {a: [1]}). The document form only
//     targets arrays of documents.
//   - $mod: mingo applies JavaScript's % to any value (it matches the string "5" and
//     null, and does not truncate 5.5; MongoDB matches numbers only, truncated). $mod
//     only targets integer values.
//   - $type: mingo cannot tell int, long and double apart (JavaScript numbers) and does
//     not test array elements ({a: {$type: "string"}} vs {a: ["x", 1]}). Only
//     "number", "string", "bool", "date", "null", "object" and "array" are generated,
//     on fields that never hold arrays.
//   - Ordering: mingo compares documents and arrays with JavaScript's < (as strings),
//     so {$gt: {x: 1}} matches neither {x: 2} nor {y: 0}, and NaN compares equal to
//     every number ({$lte: 5} matches NaN). Range operators and sorts never see
//     documents, arrays or NaN; strings are ASCII (JavaScript orders UTF-16 code units,
//     MongoDB UTF-8 bytes, which differ above U+FFFF).
//   - Equality of embedded documents: mingo ignores field order ({a: {x: 1, y: 2}}
//     matches {a: {y: 2, x: 1}}; MongoDB compares fields in order). Generated documents
//     always list fields in the same order.
//   - Regular expressions: mingo accepts {$ne: /x/} (MongoDB rejects it) and has
//     JavaScript's regex dialect, not PCRE; patterns are simple.
//   - Projection: with $slice alone mingo returns only the sliced field (MongoDB 4.4+
//     returns every field); {_id: 1} next to exclusions turns mingo's projection into
//     an inclusion of _id alone (MongoDB allows _id either way); an inclusion of "a.b"
//     drops an embedded document a that has no b (MongoDB returns a: {}). $slice is
//     generated only next to another field, _id: 1 only in inclusions, and nested
//     inclusions only into an embedded document that always has the field.
//   - Numbers: JavaScript has no integer type, so results are compared by numeric value
//     and a document's field order is ignored in projected results.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

const differentialCases = 2000

type diffCase struct {
	docs       []ejson.D
	query      ejson.D
	sort       ejson.D // with _id as the last key
	projection ejson.D
}

type mingoResult struct {
	IDs   []string          `json:"ids"`
	Docs  []json.RawMessage `json:"docs"`
	Error string            `json:"error"`
}

func TestDifferentialMingo(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	g := &queryGen{r: rand.New(rand.NewPCG(20240607, 1))}
	cases := make([]diffCase, differentialCases)
	var input bytes.Buffer
	for i := range cases {
		cases[i] = g.diffCase()
		line, err := cases[i].marshal()
		if err != nil {
			t.Fatal(err)
		}
		input.Write(line)
		input.WriteByte('\n')
	}
	cmd := exec.Command(node, filepath.Join("testdata", "mingo_query.js"))
	cmd.Stdin = &input
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/mingo_query.js: %v\n%s\n(mingo is installed by `npm ci` in conformance/)", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var results []mingoResult
	for sc.Scan() {
		var r mingoResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad output line %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	if len(results) != len(cases) {
		t.Fatalf("mingo returned %d results for %d cases", len(results), len(cases))
	}
	failures, partial := 0, 0
	for i, c := range cases {
		ids, docs, err := c.run()
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, c.describe())
		}
		if len(ids) > 0 && len(ids) < len(c.docs) {
			partial++
		}
		want := results[i]
		msg := ""
		switch {
		case want.Error != "":
			msg = "mingo error: " + want.Error
		case strings.Join(ids, ",") != strings.Join(want.IDs, ","):
			msg = fmt.Sprintf("ids: ours %v, mingo %v", ids, want.IDs)
		case c.projection != nil:
			msg = compareProjected(docs, want.Docs)
		}
		if msg != "" {
			failures++
			if failures <= 15 {
				t.Errorf("case %d: %s\n%s", i, msg, c.describe())
			}
		}
	}
	if failures > 15 {
		t.Errorf("%d of %d cases differ", failures, len(cases))
	}
	// the generator must produce discriminating queries, not just all-or-nothing ones
	if partial < len(cases)/3 {
		t.Errorf("only %d of %d queries matched a proper subset of their documents", partial, len(cases))
	}
	t.Logf("%d cases, %d with a partial match", len(cases), partial)
}

func (c diffCase) marshal() ([]byte, error) {
	var b []byte
	b = append(b, `{"docs":[`...)
	for i, d := range c.docs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = ejson.AppendValue(b, d, ejson.Relaxed); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"query":`...)
	var err error
	if b, err = ejson.AppendValue(b, c.query, ejson.Relaxed); err != nil {
		return nil, err
	}
	b = append(b, `,"sort":`...)
	if b, err = appendOrNull(b, c.sort); err != nil {
		return nil, err
	}
	b = append(b, `,"projection":`...)
	if b, err = appendOrNull(b, c.projection); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendOrNull(b []byte, d ejson.D) ([]byte, error) {
	if d == nil {
		return append(b, "null"...), nil
	}
	return ejson.AppendValue(b, d, ejson.Relaxed)
}

func (c diffCase) describe() string {
	line, _ := c.marshal()
	return string(line)
}

// run evaluates the case with our matcher, sort and projection.
func (c diffCase) run() ([]string, []ejson.D, error) {
	f, err := ParseFilter(c.query)
	if err != nil {
		return nil, nil, err
	}
	var matched []ejson.D
	for _, d := range c.docs {
		if f.Match(d) {
			matched = append(matched, d)
		}
	}
	if c.sort != nil {
		keys := make([]SortKey, len(c.sort))
		for i, e := range c.sort {
			keys[i] = SortKey{Path: e.Key, Desc: e.Value.(int64) < 0}
		}
		s, err := NewSort(keys)
		if err != nil {
			return nil, nil, err
		}
		sort.SliceStable(matched, func(i, j int) bool { return s.Compare(matched[i], matched[j]) < 0 })
	}
	ids := make([]string, len(matched))
	for i, d := range matched {
		id, _ := d.Get("_id")
		ids[i] = id.(string)
	}
	var projected []ejson.D
	if c.projection != nil {
		p, err := ParseProjection(c.projection)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range matched {
			projected = append(projected, p.Apply(d))
		}
	}
	return ids, projected, nil
}

func compareProjected(ours []ejson.D, theirs []json.RawMessage) string {
	if len(ours) != len(theirs) {
		return fmt.Sprintf("projected %d docs, mingo %d", len(ours), len(theirs))
	}
	for i := range ours {
		want, err := ejson.UnmarshalDoc(theirs[i])
		if err != nil {
			return fmt.Sprintf("mingo doc %s: %v", theirs[i], err)
		}
		if ejson.Compare(canonical(ours[i]), canonical(want)) != 0 {
			got, _ := ejson.MarshalString(ours[i], ejson.Relaxed)
			return fmt.Sprintf("projected doc %d: ours %s, mingo %s", i, got, theirs[i])
		}
	}
	return ""
}

// canonical sorts the fields of every document in v, for comparing results whose
// field order JavaScript does not keep.
func canonical(v any) any {
	switch x := v.(type) {
	case ejson.D:
		out := make(ejson.D, len(x))
		for i, e := range x {
			out[i] = ejson.E{Key: e.Key, Value: canonical(e.Value)}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonical(e)
		}
		return out
	}
	return v
}

// queryGen generates documents and queries in the subset of MongoDB's semantics that
// mingo implements faithfully (see the comment at the top of the file).
//
// Documents have these fields, each sometimes missing:
//
//	n      a scalar of any type: number, string, bool, date or null
//	i      an integer
//	s      a string or null
//	b      a bool
//	d      a date
//	o      {x: number|string, y: string, z: {w: int}} (fields sometimes missing, never
//	       all of them), or null, or a number
//	p      {q: number|string, r: {s: int}} (always complete), or null, or a number
//	tags   an array of strings and integers
//	items  an array of {k: string, v: int|null} documents (fields sometimes missing)
type queryGen struct {
	r *rand.Rand
}

func (g *queryGen) n(k int) int           { return g.r.IntN(k) }
func (g *queryGen) chance(p float64) bool { return g.r.Float64() < p }

var (
	genStrings = []string{"", "a", "ab", "abc", "b", "B", "ba", "x y"}
	genDates   = []ejson.Date{-1000, 0, 1000, 86400000, 1704164645000}
	genTags    = []any{"a", "b", "c", "d", int64(1), int64(2), int64(3)}
	genKeys    = []string{"a", "b", "c"}
	genRegexes = []string{"^a", "b$", "a.", "^$", "B", "^[ab]+$", "y"}
)

func (g *queryGen) number() any {
	if g.chance(0.6) {
		return int64(g.n(10) - 3)
	}
	return float64(g.n(9)-3) + 0.5
}

func (g *queryGen) str() string      { return genStrings[g.n(len(genStrings))] }
func (g *queryGen) date() ejson.Date { return genDates[g.n(len(genDates))] }
func (g *queryGen) tag() any         { return genTags[g.n(len(genTags))] }

// scalar returns a non-null scalar of a random type.
func (g *queryGen) scalar() any {
	switch g.n(6) {
	case 0, 1:
		return g.number()
	case 2, 3:
		return g.str()
	case 4:
		return g.chance(0.5)
	default:
		return g.date()
	}
}

func (g *queryGen) embedded() ejson.D {
	for {
		d := ejson.D{}
		if g.chance(0.75) {
			if g.chance(0.6) {
				d = append(d, ejson.E{Key: "x", Value: g.number()})
			} else {
				d = append(d, ejson.E{Key: "x", Value: g.str()})
			}
		}
		if g.chance(0.75) {
			d = append(d, ejson.E{Key: "y", Value: g.str()})
		}
		if g.chance(0.6) {
			d = append(d, ejson.E{Key: "z", Value: ejson.D{{Key: "w", Value: int64(g.n(4))}}})
		}
		if len(d) > 0 {
			return d
		}
	}
}

func (g *queryGen) complete() ejson.D {
	var q any = g.str()
	if g.chance(0.5) {
		q = g.number()
	}
	return ejson.D{{Key: "q", Value: q}, {Key: "r", Value: ejson.D{{Key: "s", Value: int64(g.n(4))}}}}
}

func (g *queryGen) tagsValue() []any {
	arr := make([]any, g.n(5))
	for i := range arr {
		arr[i] = g.tag()
	}
	return arr
}

func (g *queryGen) item() ejson.D {
	d := ejson.D{}
	if g.chance(0.8) {
		d = append(d, ejson.E{Key: "k", Value: genKeys[g.n(len(genKeys))]})
	}
	if g.chance(0.85) {
		if g.chance(0.1) {
			d = append(d, ejson.E{Key: "v", Value: nil})
		} else {
			d = append(d, ejson.E{Key: "v", Value: int64(g.n(7) - 2)})
		}
	}
	return d
}

func (g *queryGen) itemsValue() []any {
	arr := make([]any, g.n(4))
	for i := range arr {
		arr[i] = g.item()
	}
	return arr
}

func (g *queryGen) doc(id string) ejson.D {
	d := ejson.D{{Key: "_id", Value: id}}
	if g.chance(0.85) {
		var v any
		switch g.n(10) {
		case 0, 1, 2, 3, 4:
			v = g.number()
		case 5, 6:
			v = g.str()
		case 7:
			v = g.chance(0.5)
		case 8:
			v = g.date()
		default:
			v = nil
		}
		d = append(d, ejson.E{Key: "n", Value: v})
	}
	if g.chance(0.8) {
		d = append(d, ejson.E{Key: "i", Value: int64(g.n(21) - 10)})
	}
	if g.chance(0.8) {
		var v any = g.str()
		if g.chance(0.1) {
			v = nil
		}
		d = append(d, ejson.E{Key: "s", Value: v})
	}
	if g.chance(0.7) {
		d = append(d, ejson.E{Key: "b", Value: g.chance(0.5)})
	}
	if g.chance(0.7) {
		d = append(d, ejson.E{Key: "d", Value: g.date()})
	}
	if g.chance(0.8) {
		var v any
		switch g.n(7) {
		case 0:
			v = nil
		case 1:
			v = int64(5)
		default:
			v = g.embedded()
		}
		d = append(d, ejson.E{Key: "o", Value: v})
	}
	if g.chance(0.85) {
		var v any
		switch g.n(8) {
		case 0:
			v = nil
		case 1:
			v = int64(7)
		default:
			v = g.complete()
		}
		d = append(d, ejson.E{Key: "p", Value: v})
	}
	if g.chance(0.8) {
		d = append(d, ejson.E{Key: "tags", Value: g.tagsValue()})
	}
	if g.chance(0.75) {
		d = append(d, ejson.E{Key: "items", Value: g.itemsValue()})
	}
	return d
}

func (g *queryGen) diffCase() diffCase {
	c := diffCase{}
	nd := 8 + g.n(9)
	for i := 0; i < nd; i++ {
		c.docs = append(c.docs, g.doc(fmt.Sprintf("d%02d", i)))
	}
	c.query = g.filter(0)
	if g.chance(0.35) {
		c.sort = g.sortSpec()
	}
	if g.chance(0.3) {
		c.projection = g.projection()
	}
	return c
}

// Paths by what they can reach.
var (
	// scalarPaths never cross an array.
	scalarPaths = []string{"n", "i", "s", "b", "d", "o", "o.x", "o.y", "o.z", "o.z.w", "zz", "o.x.q", "s.q", "p.q", "p.r.s"}
	// arrayPaths end on or cross an array.
	arrayPaths = []string{"tags", "items", "items.k", "items.v", "tags.0", "tags.1", "tags.5", "items.0.k", "items.1.v", "items.0"}
	// sortPaths hold only scalars.
	sortPaths = []string{"n", "i", "s", "b", "d", "o.x", "o.y", "o.z.w", "zz", "p.q", "p.r.s"}
)

func (g *queryGen) filter(depth int) ejson.D {
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
		path, cond := g.fieldCond()
		if d.Index(path) >= 0 {
			continue
		}
		d = append(d, ejson.E{Key: path, Value: cond})
	}
	return d
}

func (g *queryGen) anyPath() string {
	if g.chance(0.5) {
		return scalarPaths[g.n(len(scalarPaths))]
	}
	return arrayPaths[g.n(len(arrayPaths))]
}

// operand returns a value to compare a path with by equality: of the kind the path
// holds, or any scalar; null only where the path never crosses an array.
func (g *queryGen) operand(path string, allowNull bool) any {
	if allowNull && g.chance(0.12) {
		return nil
	}
	if g.chance(0.25) {
		return g.scalar()
	}
	switch path {
	case "n":
		return g.scalar()
	case "i":
		return int64(g.n(21) - 10)
	case "s", "o.y":
		return g.str()
	case "b":
		return g.chance(0.5)
	case "d":
		return g.date()
	case "o":
		return g.embedded()
	case "o.x":
		if g.chance(0.5) {
			return g.str()
		}
		return g.number()
	case "o.z":
		return ejson.D{{Key: "w", Value: int64(g.n(4))}}
	case "o.z.w", "p.r.s":
		return int64(g.n(4))
	case "p.q":
		if g.chance(0.5) {
			return g.str()
		}
		return g.number()
	case "tags":
		if g.chance(0.3) {
			return g.tagsValue()
		}
		return g.tag()
	case "tags.0", "tags.1", "tags.5":
		return g.tag()
	case "items":
		return g.itemsValue()
	case "items.k", "items.0.k":
		return genKeys[g.n(len(genKeys))]
	case "items.v", "items.1.v":
		return int64(g.n(7) - 2)
	case "items.0":
		return g.item()
	}
	return g.scalar()
}

// rangeOperand returns a non-null scalar for $gt/$gte/$lt/$lte.
func (g *queryGen) rangeOperand(path string) any {
	v := g.operand(path, false)
	switch v.(type) {
	case ejson.D, []any:
		return g.scalar()
	}
	return v
}

func isScalarPath(p string) bool {
	for _, s := range scalarPaths {
		if s == p {
			return true
		}
	}
	return false
}

func (g *queryGen) regex() ejson.Regex {
	opts := ""
	if g.chance(0.3) {
		opts = "i"
	}
	return ejson.Regex{Pattern: genRegexes[g.n(len(genRegexes))], Options: opts}
}

// fieldCond returns a path and its condition.
func (g *queryGen) fieldCond() (string, any) {
	switch g.n(16) {
	case 0, 1: // implicit equality
		p := g.anyPath()
		v := g.operand(p, isScalarPath(p) || p == "tags" || p == "items")
		if d, ok := v.(ejson.D); ok && len(d) == 0 {
			v = int64(1)
		}
		return p, v
	case 2: // implicit regex
		p := []string{"s", "o.y", "tags", "items.k", "n"}[g.n(5)]
		return p, g.regex()
	case 15: // $not
		p, cond := g.opCond()
		if d, ok := cond.(ejson.D); ok && d[0].Key != "$not" {
			return p, ejson.D{{Key: "$not", Value: d}}
		}
		return "s", ejson.D{{Key: "$not", Value: g.regex()}}
	}
	return g.opCond()
}

// opCond returns a path and a document of one or two operators.
func (g *queryGen) opCond() (string, any) {
	p, first := g.operator()
	d := ejson.D{first}
	if g.chance(0.25) {
		// a second operator on the same path
		for tries := 0; tries < 5; tries++ {
			p2, e := g.operator()
			if p2 == p && d.Index(e.Key) < 0 && e.Key != "$options" && e.Key != "$regex" && first.Key != "$regex" {
				d = append(d, e)
				break
			}
		}
	}
	return p, d
}

func (g *queryGen) operator() (string, ejson.E) {
	switch g.n(13) {
	case 0: // $eq / $ne
		p := g.anyPath()
		op := "$eq"
		if g.chance(0.5) {
			op = "$ne"
		}
		return p, ejson.E{Key: op, Value: g.operand(p, isScalarPath(p) || p == "tags" || p == "items")}
	case 1, 2: // comparisons
		var p string
		if g.chance(0.6) {
			p = scalarPaths[g.n(len(scalarPaths))]
		} else {
			p = []string{"tags", "items.k", "items.v", "tags.0", "items.0.k", "items.1.v"}[g.n(6)]
		}
		op := []string{"$gt", "$gte", "$lt", "$lte"}[g.n(4)]
		return p, ejson.E{Key: op, Value: g.rangeOperand(p)}
	case 3, 4: // $in / $nin
		p := g.anyPath()
		allowNull := isScalarPath(p)
		var vals []any
		for k := 1 + g.n(3); k > 0; k-- {
			v := g.operand(p, allowNull)
			switch v.(type) {
			case []any:
				v = g.tag()
			}
			vals = append(vals, v)
		}
		if g.chance(0.05) {
			vals = []any{}
		}
		op := "$in"
		if g.chance(0.4) {
			op = "$nin"
		}
		return p, ejson.E{Key: op, Value: vals}
	case 5: // $exists
		return g.anyPath(), ejson.E{Key: "$exists", Value: g.chance(0.5)}
	case 6: // $type
		p := scalarPaths[g.n(len(scalarPaths))]
		types := []any{"number", "string", "bool", "date", "null", "object", "array", int64(2), int64(8), int64(10)}
		if g.chance(0.2) {
			return p, ejson.E{Key: "$type", Value: []any{types[g.n(len(types))], types[g.n(len(types))]}}
		}
		return p, ejson.E{Key: "$type", Value: types[g.n(len(types))]}
	case 7: // $all on an array of scalars
		var vals []any
		for k := 1 + g.n(3); k > 0; k-- {
			if g.chance(0.15) {
				vals = append(vals, g.regex())
			} else {
				vals = append(vals, g.tag())
			}
		}
		return "tags", ejson.E{Key: "$all", Value: vals}
	case 8: // $elemMatch
		if g.chance(0.5) {
			sub := ejson.D{}
			if g.chance(0.6) {
				sub = append(sub, ejson.E{Key: "k", Value: genKeys[g.n(len(genKeys))]})
			}
			if len(sub) == 0 || g.chance(0.5) {
				op := []string{"$gt", "$gte", "$lt", "$lte", "$eq", "$ne"}[g.n(6)]
				sub = append(sub, ejson.E{Key: "v", Value: ejson.D{{Key: op, Value: int64(g.n(7) - 2)}}})
			}
			return "items", ejson.E{Key: "$elemMatch", Value: sub}
		}
		sub := ejson.D{}
		switch g.n(4) {
		case 0:
			sub = append(sub, ejson.E{Key: "$gt", Value: g.tag()}, ejson.E{Key: "$lt", Value: g.tag()})
		case 1:
			sub = append(sub, ejson.E{Key: "$in", Value: []any{g.tag(), g.tag()}})
		case 2:
			sub = append(sub, ejson.E{Key: "$regex", Value: genRegexes[g.n(len(genRegexes))]})
		default:
			sub = append(sub, ejson.E{Key: "$ne", Value: g.tag()})
		}
		return "tags", ejson.E{Key: "$elemMatch", Value: sub}
	case 9: // $size
		p := []string{"tags", "items"}[g.n(2)]
		return p, ejson.E{Key: "$size", Value: int64(g.n(4))}
	case 10: // $mod
		p := []string{"i", "tags"}[g.n(2)]
		div := int64(2 + g.n(3))
		rem := int64(g.n(int(div)))
		if g.chance(0.2) {
			rem = -rem
		}
		return p, ejson.E{Key: "$mod", Value: []any{div, rem}}
	default: // $regex
		p := []string{"s", "o.y", "tags", "items.k", "n", "o.x"}[g.n(6)]
		r := g.regex()
		return p, ejson.E{Key: "$regex", Value: r}
	}
}

func (g *queryGen) sortSpec() ejson.D {
	d := ejson.D{}
	for k := 1 + g.n(2); k > 0; k-- {
		p := sortPaths[g.n(len(sortPaths))]
		if d.Index(p) >= 0 {
			continue
		}
		dir := int64(1)
		if g.chance(0.5) {
			dir = -1
		}
		d = append(d, ejson.E{Key: p, Value: dir})
	}
	return append(d, ejson.E{Key: "_id", Value: int64(1)})
}

func (g *queryGen) projection() ejson.D {
	include := g.chance(0.5)
	fields := []string{"n", "s", "b", "o", "o.x", "o.z.w", "p.r.s", "tags", "items", "i"}
	if include {
		fields = []string{"n", "s", "b", "o", "p.q", "p.r.s", "p", "tags", "items", "i"}
	}
	d := ejson.D{}
	v := int64(0)
	if include {
		v = 1
	}
	for k := 1 + g.n(3); k > 0; k-- {
		f := fields[g.n(len(fields))]
		collides := false
		for _, e := range d {
			if e.Key == f || strings.HasPrefix(e.Key, f+".") || strings.HasPrefix(f, e.Key+".") {
				collides = true
			}
		}
		if !collides {
			d = append(d, ejson.E{Key: f, Value: v})
		}
	}
	if g.chance(0.3) && d.Index("tags") < 0 {
		n := int64(g.n(5) - 2)
		var slice any = n
		if g.chance(0.3) {
			slice = []any{int64(g.n(5) - 2), int64(1 + g.n(2))}
		}
		d = append(d, ejson.E{Key: "tags", Value: ejson.D{{Key: "$slice", Value: slice}}})
	}
	if g.chance(0.3) {
		id := int64(0)
		if include && g.chance(0.5) {
			id = 1
		}
		d = append(d, ejson.E{Key: "_id", Value: id})
	}
	return d
}
