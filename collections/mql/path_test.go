package mql

import (
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Tests of path.go: dotted path validation, array indexes, the matcher's and the sort
// keys' path walks, and Lookup.

func TestPathSplit(t *testing.T) {
	for _, ok := range []string{"a", "a.b", "a.0.b", "_id", "a b.c", "é.ü", "a$"} {
		segs, err := splitPath(ok)
		if err != nil || strings.Join(segs, ".") != ok {
			t.Errorf("splitPath(%q) = %v, %v", ok, segs, err)
		}
	}
	for _, bad := range []string{"", ".", "a.", ".a", "a..b", "$a", "a.$b", strings.Repeat("a.", MaxPathDepth) + "a"} {
		if _, err := splitPath(bad); err == nil {
			t.Errorf("splitPath(%q) must fail", bad)
		} else if _, isErr := err.(*Error); !isErr {
			t.Errorf("splitPath(%q) error %v is not a *mql.Error", bad, err)
		}
	}
	if _, err := splitPath(strings.Repeat("a.", MaxPathDepth-1) + "a"); err != nil {
		t.Errorf("a path of exactly %d segments is valid: %v", MaxPathDepth, err)
	}
}

func TestPathArrayIndex(t *testing.T) {
	cases := []struct {
		seg string
		n   int
		ok  bool
	}{
		{"0", 0, true}, {"7", 7, true}, {"10", 10, true}, {"123456789", 123456789, true},
		{"", 0, false}, {"01", 0, false}, {"00", 0, false}, {"-1", 0, false}, {"+1", 0, false},
		{"1a", 0, false}, {"1.5", 0, false}, {" 1", 0, false}, {"1234567890", 0, false}, {"a", 0, false},
	}
	for _, c := range cases {
		n, ok := arrayIndex(c.seg)
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("arrayIndex(%q) = %d, %v; want %d, %v", c.seg, n, ok, c.n, c.ok)
		}
	}
}

// walked runs walkMatch and renders what it emits: "value" for leaf values (whose array
// elements the matcher also tests), "value!" for values reached by position or missing.
func walked(t *testing.T, doc, path string) string {
	t.Helper()
	var out []string
	walkMatch(mustDoc(t, doc), strings.Split(path, "."), func(v any, leafArray bool) bool {
		s := "missing"
		if v != missing {
			var err error
			if s, err = ejson.MarshalString(v, ejson.Relaxed); err != nil {
				t.Fatal(err)
			}
		}
		if !leafArray {
			s += "!"
		}
		out = append(out, s)
		return false
	})
	return strings.Join(out, " ")
}

func TestPathWalkMatch(t *testing.T) {
	cases := []struct {
		doc, path, want string
	}{
		{`{"a":{"b":1}}`, "a.b", `1`},
		{`{"a":{"b":[1,2]}}`, "a.b", `[1,2]`},
		{`{"a":{"c":1}}`, "a.b", `missing!`},
		{`{}`, "a", `missing!`},
		{`{"a":null}`, "a", `null`},
		{`{"a":5}`, "a.b", `missing!`},
		// a field segment over an array visits the element documents only
		{`{"a":[{"b":1},{"c":2},3,[{"b":4}]]}`, "a.b", `1 missing!`},
		{`{"a":[1,2]}`, "a.b", ``},
		{`{"a":[]}`, "a.b", ``},
		{`{"a":[{"b":[{"c":1},{"c":2}]}]}`, "a.b.c", `1 2`},
		// a numeric segment: element fields of that name, and the element at the position
		{`{"a":[10,20]}`, "a.1", `20!`},
		{`{"a":[10,20]}`, "a.5", ``},
		{`{"a":[{"1":"x"},20]}`, "a.1", `"x" 20!`},
		{`{"a":[[1,2],[3]]}`, "a.0", `[1,2]!`},
		{`{"a":[[1,2],[3]]}`, "a.0.1", `2!`},
		{`{"a":{"0":"zero"}}`, "a.0", `"zero"`},
	}
	for _, c := range cases {
		if got := walked(t, c.doc, c.path); got != c.want {
			t.Errorf("walkMatch(%s, %s) = %q, want %q", c.doc, c.path, got, c.want)
		}
	}
	// emit returning true stops the walk
	n := 0
	stopped := walkMatch(mustDoc(t, `{"a":[{"b":1},{"b":2},{"b":3}]}`), []string{"a", "b"}, func(any, bool) bool {
		n++
		return n == 2
	})
	if !stopped || n != 2 {
		t.Errorf("walkMatch did not stop: stopped=%v after %d values", stopped, n)
	}
}

func TestPathWalkMatchNumericNestingIsBounded(t *testing.T) {
	// {"a":[{"0":[{"0":[… ]}]}]} under the path a.0.0.0…: each numeric segment can be
	// taken as a field name or a position, 2^depth ways; the walk must not explode
	const depth = 60
	var v any = int64(1)
	for i := 0; i < depth; i++ {
		v = []any{ejson.D{{Key: "0", Value: v}}}
	}
	doc := ejson.D{{Key: "a", Value: v}}
	segs := append([]string{"a"}, strings.Split(strings.TrimSuffix(strings.Repeat("0.", 2*depth), "."), ".")...)
	calls := 0
	walkMatch(doc, segs[:depth+1], func(any, bool) bool {
		calls++
		return false
	})
	if calls == 0 || calls > 10*depth*depth {
		t.Fatalf("walkMatch emitted %d values for a %d-deep numeric path", calls, depth)
	}
	f, err := ParseFilter(ejson.D{{Key: strings.Join(segs[:depth+1], "."), Value: int64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(doc) {
		t.Fatal("the value at the end of the field-name walk matches")
	}
}

func TestPathWalkPath(t *testing.T) {
	cases := []struct {
		doc, path, want string
	}{
		{`{"a":{"b":1}}`, "a.b", `1`},
		{`{"a":{"b":[1,2]}}`, "a.b", `[1,2]`},
		{`{}`, "a.b", `missing`},
		{`{"a":5}`, "a.b", `missing`},
		// scalars, nested arrays and empty arrays met on the way are missing
		{`{"a":[{"b":1},{"c":2},3,[{"b":4}]]}`, "a.b", `1 missing missing missing`},
		{`{"a":[]}`, "a.b", `missing`},
		// numeric segments index arrays (and only arrays)
		{`{"a":[10,20]}`, "a.1", `20`},
		{`{"a":[10,20]}`, "a.2", `missing`},
		{`{"a":[{"1":"x"},20]}`, "a.1", `20`},
		{`{"a":{"1":"x"}}`, "a.1", `"x"`},
		{`{"a":[[1,2],[3]]}`, "a.0.1", `2`},
	}
	for _, c := range cases {
		var out []string
		walkPath(mustDoc(t, c.doc), strings.Split(c.path, "."), func(v any) bool {
			s := "missing"
			if v != missing {
				s, _ = ejson.MarshalString(v, ejson.Relaxed)
			}
			out = append(out, s)
			return false
		})
		if got := strings.Join(out, " "); got != c.want {
			t.Errorf("walkPath(%s, %s) = %q, want %q", c.doc, c.path, got, c.want)
		}
	}
}

func TestPathLookup(t *testing.T) {
	doc := mustDoc(t, `{"a":{"b":[{"c":1},{"c":2}],"d":null},"e":[[5,6]],"f":{"0":"zero"}}`)
	cases := []struct {
		path string
		want string
		ok   bool
	}{
		{"a.d", `null`, true},
		{"a.b.1.c", `2`, true},
		{"a.b.0", `{"c":1}`, true},
		{"e.0.1", `6`, true},
		{"f.0", `"zero"`, true},
		{"a.b.c", ``, false}, // no array expansion
		{"a.b.2", ``, false},
		{"a.b.01", ``, false},
		{"a.d.x", ``, false},
		{"zz", ``, false},
	}
	for _, c := range cases {
		v, ok := Lookup(doc, c.path)
		if ok != c.ok {
			t.Errorf("Lookup(%s) ok = %v, want %v", c.path, ok, c.ok)
			continue
		}
		if ok {
			if got, _ := ejson.MarshalString(v, ejson.Relaxed); got != c.want {
				t.Errorf("Lookup(%s) = %s, want %s", c.path, got, c.want)
			}
		}
	}
}

func TestPathArrayAsDoc(t *testing.T) {
	d := arrayAsDoc([]any{"x", int64(2), nil})
	got, _ := ejson.MarshalString(d, ejson.Relaxed)
	if got != `{"0":"x","1":2,"2":null}` {
		t.Errorf("arrayAsDoc = %s", got)
	}
	if len(arrayAsDoc(nil)) != 0 {
		t.Error("arrayAsDoc(nil) must be empty")
	}
}

func TestPathSortKeys(t *testing.T) {
	// sort keys read paths with walkPath: the smallest reachable value ascending, the
	// largest descending; missing reads as null and an empty array sorts below null
	cases := []struct {
		doc  string
		path string
		desc bool
		want string
	}{
		{`{"a":[3,1,2]}`, "a", false, `1`},
		{`{"a":[3,1,2]}`, "a", true, `3`},
		{`{"a":[{"b":3},{"b":1},{"c":1}]}`, "a.b", false, `null`},
		{`{"a":[{"b":3},{"b":1},{"c":1}]}`, "a.b", true, `3`},
		{`{"a":[{"b":[5,0]},{"b":2}]}`, "a.b", false, `0`},
		{`{"a":[[1],2]}`, "a", false, `2`},
		{`{"a":[[1],2]}`, "a", true, `[1]`},
		{`{"a":[1,2]}`, "a.1", false, `2`},
		{`{}`, "a", false, `null`},
		{`{"a":"x"}`, "a.b", true, `null`},
	}
	for _, c := range cases {
		s := mustSort(t, SortKey{Path: c.path, Desc: c.desc})
		got, _ := ejson.MarshalString(s[0].Key(mustDoc(t, c.doc)), ejson.Relaxed)
		if got != c.want {
			t.Errorf("sort key of %s at %s (desc %v) = %s, want %s", c.doc, c.path, c.desc, got, c.want)
		}
	}
	s := mustSort(t, SortKey{Path: "a"})
	empty, null := s[0].Key(mustDoc(t, `{"a":[]}`)), s[0].Key(mustDoc(t, `{"a":null}`))
	if compareSortKeys(empty, null) >= 0 {
		t.Error("an empty array sorts below null")
	}
}

// ---- former known differences from MongoDB, now fixed (regression tests) ----

func TestPathEmptyArraySortsBelowMinKey(t *testing.T) {
	// MongoDB's sort key for an empty array is undefined, whose canonical type (0) sorts
	// above MinKey (-1) and below null (5): ascending order is MinKey, [], null. The
	// emptyArrayKey of sort.go compared below everything, MinKey included.
	got := sortIDs(t, mustSort(t, SortKey{Path: "v"}), []string{`{"_id":"empty","v":[]}`, `{"_id":"min","v":{"$minKey":1}}`, `{"_id":"null","v":null}`})
	if strings.Join(got, " ") != "min empty null" {
		t.Fatalf("order %v, want min empty null", got)
	}
}
