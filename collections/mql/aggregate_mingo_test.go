package mql

// Differential test of the aggregation pipeline against mingo 6.5.6 (installed under
// conformance/node_modules by `npm ci` there), through testdata/mingo_aggregate.js.
//
// mingo departs from MongoDB in places; the generator below avoids those shapes, and
// aggregate_test.go checks them against MongoDB's documented behaviour instead.
//
// Pipeline stages:
//
//   - A $match or $skip anywhere after $limit or $skip gives wrong results ([$limit: 5,
//     $match: {g: "a"}] matches the whole input). $match and $skip never follow them.
//   - $addFields evaluates its fields in turn (a field sees those set before it in the
//     same stage; MongoDB evaluates all of them against the input document). No field
//     refers to one set by the same stage, and no stage sets "o.w" and reads $o.
//   - $project: {_id: 0} with only computed fields is taken for an exclusion; a number
//     in a nested projection ({a: {b: 5}}) is taken for a literal (MongoDB: inclusion);
//     a computed field whose operator is $slice is taken for the projection operator;
//     including "o.x" drops an embedded document o that has no x (MongoDB keeps {}).
//     Such projections are not generated: numbers and bools are wrapped in $literal,
//     $slice in $concatArrays, and "o.x" only while every o has an x.
//   - $bucket puts a value equal to a boundary in the lower bucket and outputs empty
//     buckets: group values are never on a boundary, and empty buckets are dropped.
//   - $count over no documents outputs {count: 0} (MongoDB: nothing): dropped.
//   - $lookup with an array local field joins a null per unmatched element: local
//     fields are scalars.
//   - $sort orders embedded documents as JavaScript compares objects: no sort on a
//     document-valued _id is taken as ordering the output.
//
// Expressions:
//
//   - Comparisons ($eq, $gt, … in expressions) use mingo's query predicates: an array on
//     the left matches when an element does, values of different types never compare,
//     and null equals missing. Comparisons are generated between non-null values of
//     one type only, never arrays.
//   - Arithmetic: $add, $subtract, $multiply do not propagate null ($add: [null, 1] is 1)
//     and mingo has no integer type. Arithmetic only sees non-null numbers.
//   - $round rounds half to even only with place 0 and on the first decimal digit
//     (2.51 rounds to 2); place > 0 truncates on digits of 5. $round is generated with
//     place 0 on values with at most one decimal digit that matters.
//   - $sqrt of 0 fails; $sum/$avg of a single computed array expression do not sum its
//     elements (a field path works); $substrBytes past the end of the string fails;
//     $first/$last of an empty array fail; $indexOfCP is missing.
//   - Argument forms: $isArray, $trunc and $round need their argument wrapped in an
//     array, while $floor, $abs, $size, $toUpper, $toString, $objectToArray, … fail
//     when it is; each operator is generated in the form mingo reads.
//   - Dates: $week and $isoWeekYear are wrong around new year; $dateToString lacks %j,
//     %w, %% and gets %U wrong; named time zones ignore daylight saving time and "UTC"
//     is rejected. Only fixed offsets and Asia/Shanghai are generated.
//   - $type cannot tell int from double (JavaScript numbers); it only targets fields
//     of other types.
//
// Accumulators: $group with a missing _id omits _id (MongoDB: null); $avg of no
// numbers is 0 (MongoDB: null); $min/$max skip strings and start from the first value
// even when it is null; $first/$last of a missing value omit the field (MongoDB:
// null); $push pushes missing values as null (MongoDB skips them). Group keys and
// accumulated expressions are always present and, for $min, $max, $avg, numeric.
//
// Comparison of results: mingo's $addToSet and set operators keep insertion order
// where MongoDB's order is unspecified (ours is sorted for set operators), so such
// arrays are compared as sets (fields named set_*). Output order after $group is
// compared as a multiset unless a later $sort fixes it on unique keys. Strings are
// ASCII (mingo indexes UTF-16 code units). Numbers are compared by value to 10
// significant digits (floating-point sums may associate differently) and a document's
// field order is ignored.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

const (
	aggDiffDocs      = 300
	aggDiffPipelines = 200
)

type aggMingoResult struct {
	Docs  []json.RawMessage `json:"docs"`
	Error string            `json:"error"`
}

type aggDiffCase struct {
	stages  []ejson.D
	ordered bool // the output order is determined
}

func TestAggregateDifferentialMingo(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	seed := uint64(20240611)
	if s := os.Getenv("AGG_DIFF_SEED"); s != "" { // explore other seeds by hand
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	g := &aggGen{r: rand.New(rand.NewPCG(seed, 7))}
	docs := make([]ejson.D, aggDiffDocs)
	for i := range docs {
		docs[i] = g.doc(i)
	}
	other := make([]ejson.D, 24)
	for i := range other {
		other[i] = g.otherDoc(i)
	}
	cases := make([]aggDiffCase, aggDiffPipelines)
	for i := range cases {
		cases[i] = g.pipeline()
	}
	input, err := aggDiffInput(docs, other, cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "mingo_aggregate.js"))
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/mingo_aggregate.js: %v\n%s\n(mingo is installed by `npm ci` in conformance/)", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	var results []aggMingoResult
	for sc.Scan() {
		var r aggMingoResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad output line %.200q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	if len(results) != len(cases) {
		t.Fatalf("mingo returned %d results for %d pipelines", len(results), len(cases))
	}
	lookup := func(name string) ([]ejson.D, error) {
		if name == "other" {
			return other, nil
		}
		return nil, nil
	}
	failures, nonEmpty, errorsBoth := 0, 0, 0
	for i, c := range cases {
		msg := ""
		p, err := ParsePipeline(c.stages)
		var got []ejson.D
		if err == nil {
			got, err = p.Run(docs, lookup, time.Unix(1700000000, 0))
		}
		want := results[i]
		switch {
		case err != nil && want.Error != "":
			errorsBoth++
		case err != nil:
			msg = "ours failed: " + err.Error()
		case want.Error != "":
			msg = "mingo failed: " + want.Error
		default:
			msg = aggCompareResults(got, want.Docs, c.ordered)
			if len(got) > 0 {
				nonEmpty++
			}
		}
		if msg != "" {
			failures++
			if failures <= 10 {
				line, _ := ejson.MarshalString(aggStagesValue(c.stages), ejson.Relaxed)
				t.Errorf("pipeline %d: %s\n%s", i, msg, line)
			}
		}
	}
	if failures > 10 {
		t.Errorf("%d of %d pipelines differ", failures, len(cases))
	}
	if nonEmpty < len(cases)*2/3 {
		t.Errorf("only %d of %d pipelines produced documents", nonEmpty, len(cases))
	}
	if errorsBoth > len(cases)/10 {
		t.Errorf("%d of %d pipelines failed on both sides: the generator makes too many invalid pipelines", errorsBoth, len(cases))
	}
	t.Logf("%d pipelines, %d with output, %d failing on both sides", len(cases), nonEmpty, errorsBoth)
}

func aggStagesValue(stages []ejson.D) []any {
	out := make([]any, len(stages))
	for i, s := range stages {
		out[i] = s
	}
	return out
}

func aggDiffInput(docs, other []ejson.D, cases []aggDiffCase) ([]byte, error) {
	docsVal := make([]any, len(docs))
	for i, d := range docs {
		docsVal[i] = d
	}
	otherVal := make([]any, len(other))
	for i, d := range other {
		otherVal[i] = d
	}
	pipes := make([]any, len(cases))
	for i, c := range cases {
		pipes[i] = aggStagesValue(c.stages)
	}
	return ejson.Marshal(ejson.D{
		{Key: "docs", Value: docsVal},
		{Key: "collections", Value: ejson.D{{Key: "other", Value: otherVal}}},
		{Key: "pipelines", Value: pipes},
	}, ejson.Relaxed)
}

func aggCompareResults(got []ejson.D, want []json.RawMessage, ordered bool) string {
	if len(got) != len(want) {
		g, _ := ejson.MarshalString(aggStagesValue(aggHead(got)), ejson.Relaxed)
		return fmt.Sprintf("ours %d docs, mingo %d\nours (head): %s\nmingo (head): %s", len(got), len(want), g, aggHeadRaw(want))
	}
	ours := make([]string, len(got))
	theirs := make([]string, len(want))
	for i := range got {
		ours[i] = aggCanonicalString(got[i])
		w, err := ejson.UnmarshalDoc(want[i])
		if err != nil {
			return fmt.Sprintf("mingo doc %s: %v", want[i], err)
		}
		theirs[i] = aggCanonicalString(w)
	}
	if !ordered {
		sort.Strings(ours)
		sort.Strings(theirs)
	}
	for i := range ours {
		if ours[i] != theirs[i] {
			return fmt.Sprintf("doc %d differs:\nours:  %s\nmingo: %s", i, ours[i], theirs[i])
		}
	}
	return ""
}

func aggHead(d []ejson.D) []ejson.D {
	if len(d) > 3 {
		return d[:3]
	}
	return d
}

func aggHeadRaw(d []json.RawMessage) string {
	var parts []string
	for i, r := range d {
		if i == 3 {
			break
		}
		parts = append(parts, string(r))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// aggCanonicalString renders a value with sorted fields, numbers rounded to 10
// significant digits and set_* arrays sorted.
func aggCanonicalString(v any) string {
	s, _ := ejson.MarshalString(aggCanonical(v, false), ejson.Relaxed)
	return s
}

func aggCanonical(v any, set bool) any {
	switch x := v.(type) {
	case ejson.D:
		out := make(ejson.D, len(x))
		for i, e := range x {
			out[i] = ejson.E{Key: e.Key, Value: aggCanonical(e.Value, strings.HasPrefix(e.Key, "set_"))}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = aggCanonical(e, false)
		}
		if set {
			sort.Slice(out, func(i, j int) bool { return ejson.Compare(out[i], out[j]) < 0 })
		}
		return out
	case int64:
		return aggCanonical(float64(x), false)
	case float64:
		if math.Abs(x) < 1e-9 || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0.0 // JSON cannot carry NaN or infinities: mingo's come back as null
		}
		f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 10, 64), 64)
		return f
	}
	return v
}

// ---- generator ----

// aggGen generates documents and pipelines in the subset where mingo follows MongoDB.
//
// Documents have:
//
//	_id    a unique integer
//	g      "a".."d"; t an ASCII string; b a bool; i an integer 0..9; d a date
//	tags   an array of 0-4 of "x","y","z","w"
//	n      an integer or a half, sometimes null or missing
//	s      a string, sometimes null or missing
//	nums   an array of integers, sometimes missing
//	o      {x: int, y: string}, sometimes missing
//	items  an array of {k, v} documents
type aggGen struct {
	r      *rand.Rand
	fields []aggGenField // fields every document has, non-null, by kind
	base   bool          // the generated documents' optional fields are reachable
	vars   []aggGenField // variables in scope ($$x)
	oNoX   bool          // o may exist without x
}

type aggGenField struct {
	name string
	kind string // num, str, bool, date, narr/sarr (arrays of numbers/strings), obj, …
}

func (g *aggGen) n(k int) int           { return g.r.IntN(k) }
func (g *aggGen) chance(p float64) bool { return g.r.Float64() < p }

var (
	aggGenWords = []string{"apple", "Banana", "cherry pie", " date ", "elder", "fig", "a b c", "Zed"}
	aggGenTags  = []string{"x", "y", "z", "w"}
	aggGenZones = []string{"+08:00", "-0530", "+05", "Asia/Shanghai"} // mingo ignores daylight saving time
)

func (g *aggGen) doc(id int) ejson.D {
	d := ejson.D{
		{Key: "_id", Value: int64(id)},
		{Key: "g", Value: []string{"a", "b", "c", "d"}[g.n(4)]},
		{Key: "t", Value: aggGenWords[g.n(len(aggGenWords))]},
		{Key: "b", Value: g.chance(0.5)},
		{Key: "i", Value: int64(g.n(10))},
		{Key: "d", Value: ejson.Date(1546300800000 + g.r.Int64N(6*365*86400000))},
	}
	tags := []any{}
	for k := g.n(5); k > 0; k-- {
		tags = append(tags, aggGenTags[g.n(4)])
	}
	d = append(d, ejson.E{Key: "tags", Value: tags})
	switch k := g.n(10); {
	case k < 5:
		d = append(d, ejson.E{Key: "n", Value: int64(g.n(26) - 5)})
	case k < 8:
		d = append(d, ejson.E{Key: "n", Value: float64(g.n(40)-10) + 0.5})
	case k < 9:
		d = append(d, ejson.E{Key: "n", Value: nil})
	}
	switch k := g.n(10); {
	case k < 8:
		d = append(d, ejson.E{Key: "s", Value: aggGenWords[g.n(len(aggGenWords))]})
	case k < 9:
		d = append(d, ejson.E{Key: "s", Value: nil})
	}
	if g.chance(0.85) {
		nums := []any{}
		for k := g.n(6); k > 0; k-- {
			nums = append(nums, int64(g.n(10)))
		}
		d = append(d, ejson.E{Key: "nums", Value: nums})
	}
	if g.chance(0.7) {
		d = append(d, ejson.E{Key: "o", Value: ejson.D{{Key: "x", Value: int64(g.n(8))}, {Key: "y", Value: aggGenWords[g.n(3)]}}})
	}
	items := []any{}
	for k := g.n(4); k > 0; k-- {
		items = append(items, ejson.D{{Key: "k", Value: []string{"p", "q", "r"}[g.n(3)]}, {Key: "v", Value: int64(g.n(20))}})
	}
	return append(d, ejson.E{Key: "items", Value: items})
}

func (g *aggGen) otherDoc(id int) ejson.D {
	return ejson.D{
		{Key: "_id", Value: int64(1000 + id)},
		{Key: "key", Value: []string{"a", "b", "c", "e"}[g.n(4)]},
		{Key: "tag", Value: []string{"x", "y", "v"}[g.n(3)]},
		{Key: "val", Value: int64(g.n(50))},
	}
}

var aggBaseFields = []aggGenField{
	{"_id", "num"}, {"g", "str"}, {"t", "str"}, {"b", "bool"}, {"i", "num"}, {"d", "date"}, {"tags", "sarr"},
}

func (g *aggGen) pick(kind string) (string, bool) {
	var names []string
	for _, f := range append(append([]aggGenField(nil), g.fields...), g.vars...) {
		if f.kind == kind {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "", false
	}
	return names[g.n(len(names))], true
}

// pickArr picks an array field of numbers or strings.
func (g *aggGen) pickArr() (string, bool) {
	if g.chance(0.5) {
		if f, ok := g.pick("narr"); ok {
			return f, true
		}
	}
	if f, ok := g.pick("sarr"); ok {
		return f, true
	}
	return g.pick("narr")
}

func (g *aggGen) ref(name string) string {
	for _, v := range g.vars {
		if v.name == name {
			return "$$" + name
		}
	}
	return "$" + name
}

func (g *aggGen) withVar(name, kind string, fn func() any) any {
	g.vars = append(g.vars, aggGenField{name, kind})
	defer func() { g.vars = g.vars[:len(g.vars)-1] }()
	return fn()
}

// aggOpDoc builds {name: arg}; a single argument of an expression operator is wrapped
// in an array, the form mingo requires.
func aggOpDoc(name string, arg any) ejson.D {
	if _, isArr := arg.([]any); !isArr && aggArrayArgOps[name] {
		arg = []any{arg}
	}
	return ejson.D{{Key: name, Value: arg}}
}

var aggArrayArgOps = map[string]bool{"$isArray": true, "$trunc": true, "$round": true}

func aggList(vs ...any) []any { return vs }

// num generates a non-null numeric expression.
func (g *aggGen) num(depth int) any {
	if depth <= 0 || g.chance(0.3) {
		if f, ok := g.pick("num"); ok && g.chance(0.6) {
			return g.ref(f)
		}
		switch g.n(4) {
		case 0:
			if g.base {
				return aggOpDoc("$ifNull", aggList("$n", int64(0)))
			}
		case 1:
			if a, ok := g.pickArr(); ok {
				return aggOpDoc("$size", g.ref(a))
			}
		}
		return int64(g.n(13) - 3)
	}
	d := depth - 1
	switch g.n(24) {
	case 0:
		return aggOpDoc("$add", aggList(g.num(d), g.num(d)))
	case 1:
		return aggOpDoc("$add", aggList(g.num(d), g.num(d), g.num(d)))
	case 2:
		return aggOpDoc("$subtract", aggList(g.num(d), g.num(d)))
	case 3:
		return aggOpDoc("$multiply", aggList(g.num(d), g.num(d)))
	case 4:
		return aggOpDoc([]string{"$abs", "$ceil", "$floor", "$trunc"}[g.n(4)], g.num(d))
	case 5:
		return aggOpDoc("$round", aggList(g.halfNum(d), int64(0)))
	case 6:
		return aggOpDoc("$mod", aggList(g.intNum(d), int64(g.n(5)+1)))
	case 7:
		return aggOpDoc("$divide", aggList(g.num(d), []any{int64(2), int64(4), int64(5), int64(8), int64(-2)}[g.n(5)]))
	case 8:
		return aggOpDoc("$cond", aggList(g.boolean(d), g.num(d), g.num(d)))
	case 9:
		part := []string{"$year", "$month", "$dayOfMonth", "$hour", "$minute", "$second", "$millisecond",
			"$dayOfYear", "$dayOfWeek", "$isoWeek", "$isoDayOfWeek"}[g.n(11)] // mingo's $week and $isoWeekYear are wrong near new year
		date := g.date(d)
		if g.chance(0.4) {
			return aggOpDoc(part, ejson.D{{Key: "date", Value: date}, {Key: "timezone", Value: aggGenZones[g.n(len(aggGenZones))]}})
		}
		return aggOpDoc(part, date)
	case 10:
		return aggOpDoc("$strLenCP", g.str(d))
	case 11:
		return aggOpDoc("$indexOfBytes", aggList(g.str(d), []string{"a", "e", " ", "an"}[g.n(4)])) // mingo lacks $indexOfCP
	case 12:
		return aggOpDoc("$size", g.arr(d))
	case 13:
		if g.base && g.chance(0.5) {
			return aggOpDoc("$sum", "$items.v")
		}
		return aggOpDoc("$sum", aggList(g.num(d), g.num(d))) // mingo sums no computed array
	case 14:
		return aggOpDoc([]string{"$max", "$min"}[g.n(2)], aggList(g.num(d), g.num(d)))
	case 15:
		return aggOpDoc("$reduce", ejson.D{{Key: "input", Value: g.numArr(d)}, {Key: "initialValue", Value: int64(0)},
			{Key: "in", Value: aggOpDoc("$add", aggList("$$value", "$$this"))}})
	case 16:
		return aggOpDoc("$pow", aggList(int64(g.n(4)), int64(g.n(4))))
	case 17:
		return aggOpDoc("$sqrt", aggOpDoc("$add", aggList(aggOpDoc("$abs", g.num(d)), int64(1)))) // mingo rejects $sqrt of 0
	case 18:
		return aggOpDoc("$subtract", aggList(g.date(d), g.date(d)))
	case 19:
		return aggOpDoc("$switch", ejson.D{{Key: "branches", Value: aggList(
			ejson.D{{Key: "case", Value: g.boolean(d)}, {Key: "then", Value: g.num(d)}},
			ejson.D{{Key: "case", Value: g.boolean(d)}, {Key: "then", Value: g.num(d)}},
		)}, {Key: "default", Value: g.num(d)}})
	case 20:
		return aggOpDoc("$let", ejson.D{{Key: "vars", Value: ejson.D{{Key: "q", Value: g.num(d)}}},
			{Key: "in", Value: g.withVar("q", "num", func() any { return aggOpDoc("$multiply", aggList("$$q", g.num(d))) })}})
	case 21:
		return aggOpDoc("$toInt", g.boolean(d))
	case 22:
		return aggOpDoc("$strcasecmp", aggList(g.str(d), g.str(d)))
	case 23:
		return aggOpDoc("$cmp", aggList(g.num(d), g.num(d)))
	}
	return int64(1)
}

// intNum is an integral numeric expression.
func (g *aggGen) intNum(depth int) any {
	switch g.n(4) {
	case 0:
		return aggOpDoc("$floor", g.num(depth-1))
	case 1:
		return aggOpDoc("$size", g.arr(depth-1))
	case 2:
		if f, ok := g.pick("num"); ok && f == "i" {
			return "$i"
		}
	}
	return aggOpDoc("$add", aggList(int64(g.n(7)), aggOpDoc("$strLenCP", g.str(depth-1))))
}

// halfNum is a number with at most one significant decimal digit (x or x.5).
func (g *aggGen) halfNum(depth int) any {
	if g.base && g.chance(0.5) {
		return aggOpDoc("$ifNull", aggList("$n", 1.5))
	}
	return aggOpDoc("$divide", aggList(g.intNum(depth), int64(2)))
}

func (g *aggGen) str(depth int) any {
	if depth <= 0 || g.chance(0.3) {
		if f, ok := g.pick("str"); ok && g.chance(0.6) {
			return g.ref(f)
		}
		if g.base && g.chance(0.4) {
			return aggOpDoc("$ifNull", aggList("$s", "none"))
		}
		return aggGenWords[g.n(len(aggGenWords))]
	}
	d := depth - 1
	switch g.n(14) {
	case 0:
		return aggOpDoc("$concat", aggList(g.str(d), "-", g.str(d)))
	case 1:
		return aggOpDoc([]string{"$toUpper", "$toLower"}[g.n(2)], g.str(d))
	case 2:
		return aggOpDoc("$substrCP", aggList(g.str(d), int64(g.n(3)), int64(g.n(4))))
	case 3:
		return aggOpDoc("$substr", aggList(g.str(d), int64(g.n(3)), int64(g.n(4)))) // mingo's $substrBytes fails past the end
	case 4:
		if g.chance(0.5) {
			return aggOpDoc([]string{"$trim", "$ltrim", "$rtrim"}[g.n(3)], ejson.D{{Key: "input", Value: g.str(d)}})
		}
		return aggOpDoc([]string{"$trim", "$ltrim", "$rtrim"}[g.n(3)], ejson.D{{Key: "input", Value: g.str(d)}, {Key: "chars", Value: []string{"a ", "e", "Bz"}[g.n(3)]}})
	case 5:
		format := []string{"%Y-%m-%d", "%H:%M:%S.%L", "%u %V", "%Y%m%d%H%M", "%d/%m"}[g.n(5)] // mingo lacks %%, %j, %w, and %U is wrong
		spec := ejson.D{{Key: "format", Value: format}, {Key: "date", Value: g.date(d)}}
		if g.chance(0.4) {
			spec = append(spec, ejson.E{Key: "timezone", Value: aggGenZones[g.n(len(aggGenZones))]})
		}
		return aggOpDoc("$dateToString", spec)
	case 6:
		return aggOpDoc("$toString", g.intNum(d))
	case 7:
		return aggOpDoc("$cond", ejson.D{{Key: "if", Value: g.boolean(d)}, {Key: "then", Value: g.str(d)}, {Key: "else", Value: g.str(d)}})
	case 8:
		if g.base {
			return aggOpDoc("$type", []string{"$s", "$o", "$tags", "$b", "$d", "$nums", "$g"}[g.n(7)])
		}
	case 9:
		return aggOpDoc("$ifNull", aggList(aggOpDoc("$arrayElemAt", aggList(g.strArr(d), int64(g.n(5)-2))), "empty"))
	case 10:
		return aggOpDoc("$replaceAll", ejson.D{{Key: "input", Value: g.str(d)}, {Key: "find", Value: "a"}, {Key: "replacement", Value: "A"}})
	case 11:
		return aggOpDoc("$toLower", aggOpDoc("$toString", g.boolean(d)))
	case 12:
		if g.base {
			return aggOpDoc("$ifNull", aggList("$o.y", "no-o"))
		}
	}
	return g.str(0)
}

func (g *aggGen) boolean(depth int) any {
	if depth <= 0 || g.chance(0.2) {
		if f, ok := g.pick("bool"); ok && g.chance(0.6) {
			return g.ref(f)
		}
		return g.chance(0.5)
	}
	d := depth - 1
	cmp := []string{"$eq", "$ne", "$gt", "$gte", "$lt", "$lte"}[g.n(6)]
	switch g.n(12) {
	case 0, 1:
		return aggOpDoc(cmp, aggList(g.num(d), g.num(d)))
	case 2:
		return aggOpDoc(cmp, aggList(g.str(d), g.str(d)))
	case 3:
		return aggOpDoc([]string{"$and", "$or"}[g.n(2)], aggList(g.boolean(d), g.boolean(d)))
	case 4:
		return aggOpDoc("$not", aggList(g.boolean(d)))
	case 5:
		return aggOpDoc("$in", aggList(aggGenTags[g.n(4)], g.strArr(d)))
	case 6:
		if g.base {
			return aggOpDoc("$isArray", aggList([]string{"$nums", "$tags", "$o", "$n"}[g.n(4)]))
		}
		return aggOpDoc("$isArray", aggList(g.arr(d)))
	case 7:
		return aggOpDoc("$setIsSubset", aggList(g.strArr(d), aggList("x", "y", "z")))
	case 8:
		return aggOpDoc([]string{"$anyElementTrue", "$allElementsTrue"}[g.n(2)], aggList(aggList(g.boolean(d), g.boolean(d))))
	case 9:
		return aggOpDoc("$setEquals", aggList(g.strArr(d), g.strArr(d)))
	case 10:
		return aggOpDoc(cmp, aggList(g.date(d), g.date(d)))
	case 11:
		return aggOpDoc("$regexMatch", ejson.D{{Key: "input", Value: g.str(d)}, {Key: "regex", Value: []string{"^a", "e$", "[A-Z]", "an"}[g.n(4)]}})
	}
	return true
}

func (g *aggGen) date(depth int) any {
	f, ok := g.pick("date")
	if depth <= 0 || !ok || g.chance(0.5) {
		if ok {
			return g.ref(f)
		}
		return ejson.Date(1600000000000 + int64(g.n(1000))*86400000)
	}
	switch g.n(3) {
	case 0:
		return aggOpDoc("$add", aggList(g.date(depth-1), int64(g.n(100))*3600000))
	case 1:
		return aggOpDoc("$subtract", aggList(g.date(depth-1), int64(g.n(100))*60000))
	}
	return ejson.Date(1500000000000 + int64(g.n(1000))*86400000)
}

// numArr is an array of numbers.
func (g *aggGen) numArr(depth int) any {
	d := depth - 1
	if a, ok := g.pick("narr"); ok && g.chance(0.3) {
		return g.ref(a)
	}
	switch g.n(7) {
	case 0:
		if g.base {
			return aggOpDoc("$ifNull", aggList("$nums", aggList()))
		}
	case 1:
		return aggOpDoc("$range", aggList(int64(0), g.intNum(d), int64(g.n(3)+1)))
	case 2:
		input := g.numArr(d)
		return aggOpDoc("$map", ejson.D{{Key: "input", Value: input}, {Key: "as", Value: "v"}, {Key: "in", Value: g.withVar("v", "num", func() any { return g.num(d) })}})
	case 3:
		return aggOpDoc("$filter", ejson.D{{Key: "input", Value: g.numArr(d)}, {Key: "cond", Value: g.withVar("this", "num", func() any { return g.boolean(d) })}})
	case 4:
		return aggOpDoc("$concatArrays", aggList(g.numArr(d), aggList(int64(g.n(5)), int64(1))))
	case 5:
		return aggOpDoc("$reverseArray", g.numArr(d))
	case 6:
		if g.base {
			return "$items.v"
		}
	}
	// as the single argument of $size or $reverseArray a literal array would be an
	// argument list
	return aggOpDoc("$literal", aggList(int64(g.n(9)), int64(g.n(9)), int64(7)))
}

// strArr is an array of strings.
func (g *aggGen) strArr(depth int) any {
	d := depth - 1
	if a, ok := g.pick("sarr"); ok && (depth <= 0 || g.chance(0.4)) {
		return g.ref(a)
	}
	switch g.n(5) {
	case 0:
		return aggOpDoc("$split", aggList(g.str(d), " "))
	case 1:
		return aggOpDoc("$slice", aggList(g.strArr(d), int64(g.n(5)-2)))
	case 2:
		return aggOpDoc("$slice", aggList(g.strArr(d), int64(g.n(3)), int64(g.n(3)+1)))
	case 3:
		if g.base {
			return "$items.k"
		}
	case 4:
		return aggOpDoc("$filter", ejson.D{{Key: "input", Value: g.strArr(d)}, {Key: "as", Value: "w"}, {Key: "cond",
			Value: g.withVar("w", "str", func() any { return aggOpDoc("$ne", aggList("$$w", aggGenTags[g.n(4)])) })}})
	}
	return aggOpDoc("$literal", aggList("x", "y"))
}

func (g *aggGen) arr(depth int) any {
	if g.chance(0.5) {
		return g.numArr(depth)
	}
	return g.strArr(depth)
}

// value generates an expression of a random kind, returning its kind.
func (g *aggGen) value(depth int) (any, string) {
	switch g.n(6) {
	case 0:
		return g.str(depth), "str"
	case 1:
		return g.boolean(depth), "bool"
	case 2:
		if g.chance(0.5) {
			return g.numArr(depth), "narr"
		}
		return g.strArr(depth), "sarr"
	case 3:
		return g.date(depth), "date"
	}
	return g.num(depth), "num"
}

// loose generates an expression that may be missing or null (only output directly).
func (g *aggGen) loose(depth int) any {
	if g.base {
		switch g.n(8) {
		case 0:
			return []string{"$n", "$s", "$o.x", "$o", "$nums", "$items.k", "$o.z", "$items"}[g.n(8)]
		case 1:
			return aggOpDoc("$arrayElemAt", aggList([]string{"$nums", "$tags"}[g.n(2)], int64(g.n(5)-2)))
		case 2:
			return aggOpDoc("$concat", aggList("$s", "!"))
		case 3:
			return aggOpDoc("$objectToArray", "$o")
		case 4:
			return aggOpDoc("$mergeObjects", aggList("$o", ejson.D{{Key: "z", Value: g.num(depth - 1)}}))
		case 5:
			// mingo fails on empty arrays
			return aggOpDoc([]string{"$first", "$last"}[g.n(2)], aggOpDoc("$concatArrays", aggList([]string{"$nums", "$tags"}[g.n(2)], aggList("end"))))
		case 6:
			return aggOpDoc("$cond", aggList(g.boolean(depth-1), "$$REMOVE", g.num(depth-1)))
		}
	}
	if g.chance(0.3) {
		return aggOpDoc("$literal", "$notAField")
	}
	v, _ := g.value(depth)
	return v
}

func (g *aggGen) setFieldExpr(depth int) any {
	switch g.n(3) {
	case 0:
		return aggOpDoc("$setUnion", aggList(g.strArr(depth), aggList("x", "v")))
	case 1:
		return aggOpDoc("$setIntersection", aggList(g.strArr(depth), g.strArr(depth)))
	}
	return aggOpDoc("$setDifference", aggList(g.strArr(depth), aggList("y")))
}

func (g *aggGen) pipeline() aggDiffCase {
	g.fields = append([]aggGenField(nil), aggBaseFields...)
	g.base, g.oNoX = true, false
	c := aggDiffCase{ordered: true}
	uniqueID := true
	nStages := 1 + g.n(4)
	for k := 0; k < nStages; k++ {
		last := k == nStages-1
		afterLimit := false // mingo mishandles $match and $skip anywhere after $limit
		for _, st := range c.stages {
			afterLimit = afterLimit || st[0].Key == "$limit" || st[0].Key == "$skip"
		}
		switch choice := g.n(20); {
		case choice < 3:
			if afterLimit {
				continue
			}
			c.stages = append(c.stages, aggOpDoc("$match", g.match()))
		case choice < 6:
			// expressions see the stage's input document; mingo evaluates the fields in
			// turn, so no field refers to one set by the same stage
			spec := ejson.D{}
			var added []aggGenField
			for j := 1 + g.n(3); j > 0; j-- {
				name := fmt.Sprintf("f%d_%d", k, j)
				v, kind := g.value(3)
				spec = append(spec, ejson.E{Key: name, Value: v})
				added = append(added, aggGenField{name, kind})
			}
			if g.chance(0.3) {
				spec = append(spec, ejson.E{Key: fmt.Sprintf("set_%d", k), Value: g.setFieldExpr(2)})
			}
			if g.base && g.chance(0.3) {
				spec = append(spec, ejson.E{Key: "o.w", Value: g.num(1)})
				g.oNoX = true
			} else if g.chance(0.3) {
				spec = append(spec, ejson.E{Key: fmt.Sprintf("l%d", k), Value: g.loose(2)})
			}
			g.fields = append(g.fields, added...)
			c.stages = append(c.stages, aggOpDoc([]string{"$addFields", "$set"}[g.n(2)], spec))
		case choice < 9:
			c.stages = append(c.stages, aggOpDoc("$project", g.project(k)))
		case choice < 11:
			c.stages = append(c.stages, aggOpDoc("$group", g.group(k, c.ordered)))
			c.ordered, uniqueID = false, true
		case choice < 13:
			keys := ejson.D{}
			used := map[string]bool{}
			for j := g.n(2); j >= 0; j-- {
				kind := []string{"num", "str", "bool", "date"}[g.n(4)]
				if f, ok := g.pick(kind); ok && !used[f] {
					used[f] = true
					keys = append(keys, ejson.E{Key: f, Value: int64(1 - 2*g.n(2))})
				}
			}
			// mingo orders documents as JavaScript compares objects: only scalar _id
			if uniqueID && !used["_id"] && g.hasField("_id") && g.kindOf("_id") != "obj" {
				keys = append(keys, ejson.E{Key: "_id", Value: int64(1 - 2*g.n(2))})
				c.ordered = true
			} else {
				c.ordered = false
			}
			if len(keys) == 0 {
				c.ordered = false
				continue
			}
			c.stages = append(c.stages, aggOpDoc("$sort", keys))
		case choice < 14:
			if !c.ordered || afterLimit {
				continue
			}
			c.stages = append(c.stages, aggOpDoc([]string{"$skip", "$limit"}[g.n(2)], int64(1+g.n(40))))
		case choice < 16:
			path, ok := g.pickArr()
			spec := any("$" + path)
			if g.base && g.chance(0.5) {
				path, ok = []string{"nums", "tags", "items"}[g.n(3)], true
				spec = "$" + path
			}
			if !ok {
				continue
			}
			if g.chance(0.5) {
				d := ejson.D{{Key: "path", Value: "$" + path}}
				if g.chance(0.5) {
					d = append(d, ejson.E{Key: "includeArrayIndex", Value: "idx"})
				}
				if g.chance(0.5) {
					d = append(d, ejson.E{Key: "preserveNullAndEmptyArrays", Value: true})
				}
				spec = d
			}
			c.stages = append(c.stages, aggOpDoc("$unwind", spec))
			uniqueID = false
			g.dropField(path)
			g.base = false // the fixed references to tags, nums and items no longer hold
		case choice < 17:
			if !g.base {
				continue
			}
			c.stages = append(c.stages, aggOpDoc("$lookup", ejson.D{{Key: "from", Value: "other"},
				{Key: "localField", Value: "g"}, {Key: "foreignField", Value: []string{"key", "tag"}[g.n(2)]}, {Key: "as", Value: "joined"}})) // mingo mishandles array local fields
		case choice < 18:
			if !last {
				continue
			}
			if g.chance(0.5) {
				// mingo counts an empty input as {total: 0}; MongoDB outputs nothing
				c.stages = append(c.stages, aggOpDoc("$count", "total"), aggOpDoc("$match", ejson.D{{Key: "total", Value: aggOpDoc("$gt", int64(0))}}))
			} else {
				f, ok := g.pick("str")
				if !ok {
					continue
				}
				c.stages = append(c.stages, aggOpDoc("$sortByCount", "$"+f))
				c.ordered = false
			}
		case choice < 19:
			f, ok := g.pick("num")
			if !ok {
				continue
			}
			// mingo puts values equal to a boundary in the lower bucket and outputs empty
			// buckets: group values are never on a boundary, empty buckets are dropped
			c.stages = append(c.stages, aggOpDoc("$bucket", ejson.D{{Key: "groupBy", Value: aggOpDoc("$add", aggList(aggOpDoc("$floor", "$"+f), 0.5))},
				{Key: "boundaries", Value: aggList(int64(-100), int64(0), int64(3), int64(6), int64(10))},
				{Key: "default", Value: "big"},
				{Key: "output", Value: ejson.D{{Key: "count", Value: aggOpDoc("$sum", int64(1))}, {Key: "total", Value: aggOpDoc("$sum", "$"+f)}}}}))
			c.stages = append(c.stages, aggOpDoc("$match", ejson.D{{Key: "count", Value: aggOpDoc("$gt", int64(0))}}))
			g.fields = []aggGenField{{"count", "num"}, {"total", "num"}}
			g.base, c.ordered, uniqueID = false, true, true
		default:
			spec := ejson.D{{Key: "k", Value: int64(k)}}
			fields := []aggGenField{{"k", "num"}}
			switch kind := g.kindOf("_id"); kind {
			case "num", "str", "bool", "date":
				spec = append(spec, ejson.E{Key: "_id", Value: "$_id"})
				fields = append(fields, aggGenField{"_id", kind})
			}
			if f, ok := g.pick("num"); ok {
				spec = append(spec, ejson.E{Key: "v", Value: "$" + f})
				fields = append(fields, aggGenField{"v", "num"})
			}
			if g.base && g.chance(0.5) {
				c.stages = append(c.stages, aggOpDoc("$replaceRoot", ejson.D{{Key: "newRoot", Value: aggOpDoc("$mergeObjects", aggList(spec, "$o"))}}))
			} else {
				c.stages = append(c.stages, aggOpDoc("$replaceWith", spec))
			}
			g.fields, g.base = fields, false
		}
	}
	if len(c.stages) == 0 {
		c.stages = append(c.stages, aggOpDoc("$match", g.match()))
	}
	return c
}

func (g *aggGen) hasField(name string) bool {
	for _, f := range g.fields {
		if f.name == name {
			return true
		}
	}
	return false
}

func (g *aggGen) kindOf(name string) string {
	for _, f := range g.fields {
		if f.name == name {
			return f.kind
		}
	}
	return ""
}

func (g *aggGen) dropField(name string) {
	out := g.fields[:0]
	for _, f := range g.fields {
		if f.name != name {
			out = append(out, f)
		}
	}
	g.fields = out
}

func (g *aggGen) match() ejson.D {
	if g.chance(0.35) {
		return ejson.D{{Key: "$expr", Value: g.boolean(3)}}
	}
	var conds ejson.D
	for j := 1 + g.n(2); j > 0; j-- {
		switch g.n(4) {
		case 0:
			if f, ok := g.pick("num"); ok {
				conds = append(conds, ejson.E{Key: f, Value: aggOpDoc([]string{"$gt", "$gte", "$lt", "$lte"}[g.n(4)], int64(g.n(10)))})
			}
		case 1:
			if f, ok := g.pick("str"); ok {
				conds = append(conds, ejson.E{Key: f, Value: aggOpDoc("$in", aggList("a", "b", "apple", "fig", "x"))})
			}
		case 2:
			if f, ok := g.pick("bool"); ok {
				conds = append(conds, ejson.E{Key: f, Value: g.chance(0.5)})
			}
		case 3:
			if g.base {
				conds = append(conds, ejson.E{Key: []string{"tags", "o.x", "items.k"}[g.n(3)], Value: []any{"x", int64(3), "p"}[g.n(3)]})
			}
		}
	}
	if len(conds) == 0 {
		conds = ejson.D{{Key: "_id", Value: aggOpDoc("$exists", true)}}
	}
	seen := map[string]bool{}
	out := conds[:0]
	for _, e := range conds {
		if !seen[e.Key] {
			seen[e.Key] = true
			out = append(out, e)
		}
	}
	return out
}

func (g *aggGen) project(k int) ejson.D {
	spec := ejson.D{}
	var fields []aggGenField
	if g.chance(0.3) {
		// exclusion
		dropped := map[string]bool{}
		for j := 1 + g.n(2); j > 0; j-- {
			f := g.fields[g.n(len(g.fields))]
			if !dropped[f.name] {
				dropped[f.name] = true
				spec = append(spec, ejson.E{Key: f.name, Value: int64(0)})
			}
		}
		if g.base && g.chance(0.5) {
			spec = append(spec, ejson.E{Key: "o.y", Value: false})
		}
		for _, f := range g.fields {
			if !dropped[f.name] {
				fields = append(fields, f)
			}
		}
		g.fields = fields
		return spec
	}
	noID := g.chance(0.3)
	if noID {
		spec = append(spec, ejson.E{Key: "_id", Value: int64(0)})
	} else {
		for _, f := range g.fields {
			if f.name == "_id" {
				fields = append(fields, f)
			}
		}
	}
	for _, f := range g.fields {
		if f.name != "_id" && g.chance(0.4) {
			spec = append(spec, ejson.E{Key: f.name, Value: true})
			fields = append(fields, f)
		}
	}
	if noID && len(fields) == 0 {
		spec = spec[1:] // mingo takes {_id: 0} with only computed fields for an exclusion
		for _, f := range g.fields {
			if f.name == "_id" {
				fields = append(fields, f)
			}
		}
	}
	if g.base && !g.oNoX && g.chance(0.4) { // mingo drops a document without the included field
		spec = append(spec, ejson.E{Key: []string{"o.x", "items.v", "n", "s"}[g.n(4)], Value: int64(1)})
	}
	for j := 1 + g.n(3); j > 0; j-- {
		name := fmt.Sprintf("p%d_%d", k, j)
		v, kind := g.value(3)
		spec = append(spec, ejson.E{Key: name, Value: aggProjValue(v)})
		fields = append(fields, aggGenField{name, kind})
	}
	if g.chance(0.3) {
		spec = append(spec, ejson.E{Key: fmt.Sprintf("lp%d", k), Value: aggProjValue(g.loose(2))})
	}
	if g.chance(0.2) {
		// a number in a nested projection includes a field: mingo takes it as a literal
		spec = append(spec, ejson.E{Key: fmt.Sprintf("sub%d", k), Value: ejson.D{{Key: "a", Value: aggOpDoc("$add", aggList(g.num(1), int64(0)))}, {Key: "b", Value: g.str(1)}}})
	}
	g.fields, g.base = fields, false
	return spec
}

// aggProjValue adapts a computed field of $project.
func aggProjValue(v any) any {
	switch x := v.(type) {
	case ejson.D:
		if x[0].Key == "$slice" {
			return aggOpDoc("$concatArrays", aggList(v)) // mingo takes it for the projection operator
		}
	case bool, int64, float64:
		return aggOpDoc("$literal", v) // a bare number or bool would include or exclude
	}
	return v
}

func (g *aggGen) group(k int, ordered bool) ejson.D {
	var id any
	var idKind string
	switch g.n(6) {
	case 0:
		id, idKind = nil, "null"
	case 1:
		if f, ok := g.pick("str"); ok {
			id, idKind = "$"+f, "str"
			break
		}
		fallthrough
	case 2:
		if f, ok := g.pick("bool"); ok {
			id, idKind = "$"+f, "bool"
			break
		}
		fallthrough
	case 3:
		s, b := g.str(1), g.boolean(1)
		id, idKind = ejson.D{{Key: "s", Value: s}, {Key: "b", Value: b}}, "obj"
	case 4:
		id, idKind = aggOpDoc("$mod", aggList(g.intNum(1), int64(3))), "num"
	default:
		if g.hasField("d") {
			id, idKind = aggOpDoc("$year", "$d"), "num"
		} else {
			id, idKind = g.num(1), "num"
		}
	}
	spec := ejson.D{{Key: "_id", Value: id}}
	fields := []aggGenField{{"_id", idKind}}
	for j := 1 + g.n(3); j > 0; j-- {
		name := fmt.Sprintf("a%d_%d", k, j)
		kind := "num"
		var acc any
		switch g.n(10) {
		case 0:
			acc = aggOpDoc("$sum", int64(1))
		case 1:
			acc = aggOpDoc("$sum", g.num(2))
		case 2:
			acc = aggOpDoc("$avg", g.num(2))
		case 3:
			acc = aggOpDoc([]string{"$min", "$max"}[g.n(2)], g.num(2))
		case 4:
			if ordered {
				acc = aggOpDoc([]string{"$first", "$last"}[g.n(2)], g.str(2))
				kind = "str"
				break
			}
			acc = aggOpDoc("$count", ejson.D{})
		case 5:
			name = "set_" + name
			acc, kind = aggOpDoc("$addToSet", g.str(2)), "setarr"
		case 6:
			if ordered {
				acc, kind = aggOpDoc("$push", g.num(2)), "narr"
				break
			}
			acc = aggOpDoc("$sum", g.num(1))
		case 7:
			acc = aggOpDoc([]string{"$stdDevPop", "$stdDevSamp"}[g.n(2)], g.num(1))
			kind = "float"
		case 8:
			acc = aggOpDoc("$count", ejson.D{})
		default:
			if ordered && g.base {
				acc, kind = aggOpDoc("$mergeObjects", aggOpDoc("$ifNull", aggList("$o", ejson.D{}))), "obj"
				break
			}
			acc = aggOpDoc("$max", g.num(1))
		}
		spec = append(spec, ejson.E{Key: name, Value: acc})
		fields = append(fields, aggGenField{name, kind})
	}
	g.fields, g.base = fields, false
	return spec
}
