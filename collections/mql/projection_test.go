package mql

import (
	"errors"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestProjection(t *testing.T) {
	const doc = `{"_id":"x","a":1,"b":{"c":2,"d":3},"arr":[1,2,3,4,5],"docs":[{"c":1,"d":2},{"d":4},5,[{"c":6,"d":7}]],"e":{}}`
	cases := []struct{ proj, want string }{
		{`{}`, doc},
		{`{"a":1}`, `{"_id":"x","a":1}`},
		{`{"a":true}`, `{"_id":"x","a":1}`},
		{`{"a":1,"_id":0}`, `{"a":1}`},
		{`{"_id":0,"a":1}`, `{"a":1}`},
		{`{"a":1,"_id":1}`, `{"_id":"x","a":1}`},
		{`{"_id":1}`, `{"_id":"x"}`},
		{`{"_id":0}`, `{"a":1,"b":{"c":2,"d":3},"arr":[1,2,3,4,5],"docs":[{"c":1,"d":2},{"d":4},5,[{"c":6,"d":7}]],"e":{}}`},
		{`{"missing":1}`, `{"_id":"x"}`},
		// inclusion keeps document order, not projection order
		{`{"b":1,"a":1}`, `{"_id":"x","a":1,"b":{"c":2,"d":3}}`},
		{`{"b.c":1}`, `{"_id":"x","b":{"c":2}}`},
		{`{"b.c":1,"b.d":1}`, `{"_id":"x","b":{"c":2,"d":3}}`},
		{`{"b.z":1}`, `{"_id":"x","b":{}}`},
		{`{"a.z":1}`, `{"_id":"x"}`},
		{`{"e.z":1}`, `{"_id":"x","e":{}}`},
		// through arrays: documents keep the included fields, other elements go
		{`{"docs.c":1}`, `{"_id":"x","docs":[{"c":1},{},[{"c":6}]]}`},
		{`{"arr.c":1}`, `{"_id":"x","arr":[]}`},
		// exclusion
		{`{"a":0}`, `{"_id":"x","b":{"c":2,"d":3},"arr":[1,2,3,4,5],"docs":[{"c":1,"d":2},{"d":4},5,[{"c":6,"d":7}]],"e":{}}`},
		{`{"a":false,"arr":0,"docs":0,"e":0}`, `{"_id":"x","b":{"c":2,"d":3}}`},
		{`{"b.c":0,"arr":0,"docs":0,"e":0}`, `{"_id":"x","a":1,"b":{"d":3}}`},
		{`{"docs.c":0,"arr":0,"b":0,"e":0,"a":0}`, `{"_id":"x","docs":[{"d":2},{"d":4},5,[{"d":7}]]}`},
		{`{"a":0,"_id":0,"b":0,"arr":0,"docs":0}`, `{"e":{}}`},
		{`{"a":0,"_id":1,"b":0,"arr":0,"docs":0}`, `{"_id":"x","e":{}}`},
		{`{"a.z":0,"b":0,"arr":0,"docs":0,"e":0}`, `{"_id":"x","a":1}`},
		// $slice: alone it keeps every other field
		{`{"arr":{"$slice":2}}`, `{"_id":"x","a":1,"b":{"c":2,"d":3},"arr":[1,2],"docs":[{"c":1,"d":2},{"d":4},5,[{"c":6,"d":7}]],"e":{}}`},
		{`{"a":1,"arr":{"$slice":2}}`, `{"_id":"x","a":1,"arr":[1,2]}`},
		{`{"a":1,"arr":{"$slice":-2}}`, `{"_id":"x","a":1,"arr":[4,5]}`},
		{`{"a":1,"arr":{"$slice":0}}`, `{"_id":"x","a":1,"arr":[]}`},
		{`{"a":1,"arr":{"$slice":10}}`, `{"_id":"x","a":1,"arr":[1,2,3,4,5]}`},
		{`{"a":1,"arr":{"$slice":-10}}`, `{"_id":"x","a":1,"arr":[1,2,3,4,5]}`},
		{`{"a":1,"arr":{"$slice":[1,2]}}`, `{"_id":"x","a":1,"arr":[2,3]}`},
		{`{"a":1,"arr":{"$slice":[-2,1]}}`, `{"_id":"x","a":1,"arr":[4]}`},
		{`{"a":1,"arr":{"$slice":[-10,2]}}`, `{"_id":"x","a":1,"arr":[1,2]}`},
		{`{"a":1,"arr":{"$slice":[7,2]}}`, `{"_id":"x","a":1,"arr":[]}`},
		{`{"a":{"$slice":1},"arr":1}`, `{"_id":"x","a":1,"arr":[1,2,3,4,5]}`}, // not an array: unchanged
		{`{"b":0,"arr":{"$slice":1},"docs":0,"e":0}`, `{"_id":"x","a":1,"arr":[1]}`},
		{`{"_id":0,"arr":{"$slice":1},"docs":0,"e":0,"b":0}`, `{"a":1,"arr":[1]}`},
		{`{"docs.c":{"$slice":1},"a":1}`, `{"_id":"x","a":1,"docs":[{"c":1},{},[{"c":6}]]}`},
	}
	for _, c := range cases {
		p, err := ParseProjection(mustDoc(t, c.proj))
		if err != nil {
			t.Errorf("ParseProjection(%s): %v", c.proj, err)
			continue
		}
		in := mustDoc(t, doc)
		got := p.Apply(in)
		gotJS, _ := ejson.MarshalString(got, ejson.Relaxed)
		if gotJS != c.want {
			t.Errorf("projection %s:\n got %s\nwant %s", c.proj, gotJS, c.want)
		}
		if inJS, _ := ejson.MarshalString(in, ejson.Relaxed); inJS != doc {
			t.Errorf("projection %s modified its input: %s", c.proj, inJS)
		}
	}
}

func TestProjectionIsEmpty(t *testing.T) {
	for js, want := range map[string]bool{`{}`: true, `{"_id":0}`: false, `{"a":1}`: false, `{"a":0}`: false} {
		p, err := ParseProjection(mustDoc(t, js))
		if err != nil {
			t.Fatal(err)
		}
		if p.IsEmpty() != want {
			t.Errorf("%s: IsEmpty() = %v", js, !want)
		}
	}
	var nilProj *Projection
	if !nilProj.IsEmpty() {
		t.Error("a nil projection is empty")
	}
	p, _ := ParseProjection(mustDoc(t, `{"a.b":1,"c":1}`))
	if p.String() != "a.b,c" {
		t.Errorf("String() = %q", p.String())
	}
}

func TestProjectionErrors(t *testing.T) {
	cases := []string{
		`{"a":1,"b":0}`,
		`{"a":0,"b":1}`,
		`{"a":1,"a.b":1}`,
		`{"a.b":1,"a":1}`,
		`{"a.b":0,"a":0}`,
		`{"a":{"$foo":1}}`,
		`{"a":{"$slice":"x"}}`,
		`{"a":{"$slice":[1,0]}}`,
		`{"a":{"$slice":[1,-1]}}`,
		`{"a":{"$slice":[1]}}`,
		`{"a":{"$slice":1.5}}`,
		`{"a":{"b":1}}`,
		`{"a":{"$slice":1,"$foo":1}}`,
		`{"":1}`,
		`{"a..b":1}`,
		`{"$a":1}`,
	}
	for _, js := range cases {
		_, err := ParseProjection(mustDoc(t, js))
		var me *Error
		if !errors.As(err, &me) {
			t.Errorf("ParseProjection(%s): want *mql.Error, got %v", js, err)
		}
	}
}
