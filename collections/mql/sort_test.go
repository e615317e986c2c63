package mql

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func mustSort(t testing.TB, keys ...SortKey) Sort {
	t.Helper()
	s, err := NewSort(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sortIDs sorts docs (each with an _id) stably and returns the ids in order.
func sortIDs(t *testing.T, s Sort, docs []string) []string {
	t.Helper()
	ds := make([]ejson.D, len(docs))
	for i, js := range docs {
		ds[i] = mustDoc(t, js)
	}
	sort.SliceStable(ds, func(i, j int) bool { return s.Compare(ds[i], ds[j]) < 0 })
	ids := make([]string, len(ds))
	for i, d := range ds {
		id, _ := d.Get("_id")
		ids[i] = id.(string)
	}
	return ids
}

func TestSortOrder(t *testing.T) {
	cases := []struct {
		name string
		keys []SortKey
		docs []string
		want string
	}{
		{"numbers", []SortKey{{Path: "n"}},
			[]string{`{"_id":"c","n":3}`, `{"_id":"a","n":1.5}`, `{"_id":"b","n":2}`}, "a b c"},
		{"numbers desc", []SortKey{{Path: "n", Desc: true}},
			[]string{`{"_id":"c","n":3}`, `{"_id":"a","n":1.5}`, `{"_id":"b","n":2}`}, "c b a"},
		{"type brackets", []SortKey{{Path: "v"}},
			[]string{
				`{"_id":"date","v":{"$date":0}}`, `{"_id":"true","v":true}`, `{"_id":"false","v":false}`,
				`{"_id":"arr","v":[[1]]}`, `{"_id":"obj","v":{"x":1}}`, `{"_id":"str","v":"a"}`,
				`{"_id":"num","v":-5}`, `{"_id":"nan","v":{"$numberDouble":"NaN"}}`, `{"_id":"null","v":null}`,
			}, "null nan num str obj arr false true date"},
		// missing sorts as null; ties keep their input order
		{"missing is null", []SortKey{{Path: "v"}},
			[]string{`{"_id":"one","v":1}`, `{"_id":"miss"}`, `{"_id":"null","v":null}`, `{"_id":"miss2"}`}, "miss null miss2 one"},
		// an array sorts by its smallest element ascending, its largest descending
		{"arrays asc", []SortKey{{Path: "v"}},
			[]string{`{"_id":"a","v":[5,1]}`, `{"_id":"b","v":2}`, `{"_id":"c","v":[3,4]}`}, "a b c"},
		{"arrays desc", []SortKey{{Path: "v", Desc: true}},
			[]string{`{"_id":"a","v":[5,1]}`, `{"_id":"b","v":2}`, `{"_id":"c","v":[3,4]}`}, "a c b"},
		{"mixed array asc", []SortKey{{Path: "v"}},
			[]string{`{"_id":"a","v":["x",7]}`, `{"_id":"b","v":5}`}, "b a"},
		{"mixed array desc", []SortKey{{Path: "v", Desc: true}},
			[]string{`{"_id":"b","v":"w"}`, `{"_id":"a","v":["x",7]}`}, "a b"},
		{"empty array first", []SortKey{{Path: "v"}},
			[]string{`{"_id":"n","v":null}`, `{"_id":"e","v":[]}`, `{"_id":"m"}`}, "e n m"},
		{"empty array last desc", []SortKey{{Path: "v", Desc: true}},
			[]string{`{"_id":"e","v":[]}`, `{"_id":"n","v":null}`, `{"_id":"one","v":1}`}, "one n e"},
		{"array with null", []SortKey{{Path: "v"}},
			[]string{`{"_id":"a","v":[3,null]}`, `{"_id":"b","v":0}`}, "a b"},
		{"nested path", []SortKey{{Path: "o.x"}},
			[]string{`{"_id":"a","o":{"x":2}}`, `{"_id":"b","o":{"x":1}}`, `{"_id":"c","o":5}`}, "c b a"},
		{"through array of docs", []SortKey{{Path: "a.x"}},
			[]string{`{"_id":"p","a":[{"x":5},{"x":0}]}`, `{"_id":"q","a":[{"x":1}]}`}, "p q"},
		{"through array of docs desc", []SortKey{{Path: "a.x", Desc: true}},
			[]string{`{"_id":"q","a":[{"x":1}]}`, `{"_id":"p","a":[{"x":5},{"x":0}]}`}, "p q"},
		{"array of docs with a missing branch", []SortKey{{Path: "a.x"}},
			[]string{`{"_id":"p","a":[{"x":5},{}]}`, `{"_id":"q","a":[{"x":1}]}`}, "p q"},
		{"positional", []SortKey{{Path: "a.1"}},
			[]string{`{"_id":"p","a":[0,9]}`, `{"_id":"q","a":[9,0]}`, `{"_id":"r","a":[5]}`}, "r q p"},
		{"two keys", []SortKey{{Path: "a"}, {Path: "b", Desc: true}},
			[]string{`{"_id":"1","a":1,"b":1}`, `{"_id":"2","a":0,"b":1}`, `{"_id":"3","a":1,"b":2}`}, "2 3 1"},
		{"documents", []SortKey{{Path: "v"}},
			[]string{`{"_id":"b","v":{"a":2}}`, `{"_id":"c","v":{"b":0}}`, `{"_id":"a","v":{"a":1,"z":1}}`, `{"_id":"e","v":{}}`}, "e a b c"},
		{"strings bytewise", []SortKey{{Path: "v"}},
			[]string{`{"_id":"b","v":"b"}`, `{"_id":"B","v":"B"}`, `{"_id":"ab","v":"ab"}`, `{"_id":"a","v":"a"}`, `{"_id":"e","v":"é"}`}, "B a ab b e"},
		{"dates", []SortKey{{Path: "v"}},
			[]string{`{"_id":"b","v":{"$date":1}}`, `{"_id":"a","v":{"$date":-1}}`}, "a b"},
	}
	for _, c := range cases {
		got := strings.Join(sortIDs(t, mustSort(t, c.keys...), c.docs), " ")
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSortKeysAgreeWithCompare(t *testing.T) {
	s := mustSort(t, SortKey{Path: "a"}, SortKey{Path: "b.c", Desc: true})
	docs := []ejson.D{
		mustDoc(t, `{"a":[1,2],"b":{"c":3}}`), mustDoc(t, `{"a":1,"b":[{"c":1},{"c":5}]}`),
		mustDoc(t, `{"b":{"c":null}}`), mustDoc(t, `{"a":[],"b":{"c":"x"}}`), mustDoc(t, `{"a":"s"}`),
	}
	for _, x := range docs {
		for _, y := range docs {
			if s.Compare(x, y) != s.CompareKeys(s.Keys(x), s.Keys(y)) {
				t.Errorf("Compare and CompareKeys disagree on %v / %v", x, y)
			}
		}
	}
}

func TestNewSortErrors(t *testing.T) {
	bad := [][]SortKey{
		{{Path: ""}},
		{{Path: "a..b"}},
		{{Path: "$a"}},
		{{Path: "a.$b"}},
	}
	many := make([]SortKey, MaxSortKeys+1)
	for i := range many {
		many[i] = SortKey{Path: "f" + strings.Repeat("x", i)}
	}
	bad = append(bad, many)
	for _, keys := range bad {
		_, err := NewSort(keys)
		var me *Error
		if !errors.As(err, &me) {
			t.Errorf("NewSort(%v): want *mql.Error, got %v", keys, err)
		}
	}
	s := mustSort(t, SortKey{Path: "a"}, SortKey{Path: "a", Desc: true}, SortKey{Path: "b"})
	if len(s) != 2 || s[0].Desc {
		t.Errorf("a repeated key is dropped, the first one kept: %+v", s)
	}
}
