package collections

import (
	"context"
	"reflect"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestArrayPathsOf(t *testing.T) {
	got := arrayPathsOf(mustDoc(t, `{"a":[1,{"b":[2]}],"c":{"d":[]},"e":5,"f":{"g":{"h":1}}}`))
	want := []string{"a", "a.b", "c.d"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestArrayPathsPersist(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{mustDoc(t, `{"tags":["x"]}`)}, InsertOptions{CreateCollection: true}); err != nil {
		t.Fatal(err)
	}
	s.forget("t")
	c, err := s.lookup("t")
	if err != nil {
		t.Fatal(err)
	}
	if !c.hasArrayPrefix([]string{"tags"}) || !c.hasArrayPrefix([]string{"tags", "x"}) || c.hasArrayPrefix([]string{"n"}) {
		t.Fatalf("array paths after reload: %v", c.arrayPaths)
	}
}
