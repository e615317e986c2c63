package collections

import (
	"context"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/internal/testapp"
)

// newTestStore boots a PocketBase app on real SQLite in a temp dir, with Minicloud's
// migrations applied, and returns a store over it.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	app := testapp.New(t)
	s, err := New(app, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustDoc(t testing.TB, js string) ejson.D {
	t.Helper()
	d, err := ejson.UnmarshalDoc([]byte(js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return d
}

func docJSON(t testing.TB, d ejson.D) string {
	t.Helper()
	s, err := ejson.MarshalString(d, ejson.Relaxed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreRoundTrip(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "todos"); err != nil {
		t.Fatal(err)
	}
	alice := Caller{OpenID: "alice"}
	ids, err := s.Insert(ctx, alice, "todos", []ejson.D{
		mustDoc(t, `{"_id":"a","title":"one","n":1,"tags":["x","y"]}`),
		mustDoc(t, `{"title":"two","n":2,"due":{"$date":1704164645000}}`),
	}, InsertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] != "a" || len(ids[1]) != 32 {
		t.Fatalf("ids %v", ids)
	}
	docs, err := s.Find(ctx, alice, "todos", Query{Filter: mustDoc(t, `{"n":{"$gte":1}}`), Sort: nil})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d docs", len(docs))
	}
	if got := docJSON(t, docs[0]); got != `{"_id":"a","title":"one","n":1,"tags":["x","y"],"_openid":"alice"}` {
		t.Fatalf("doc %s", got)
	}
	docs, err = s.Find(ctx, alice, "todos", Query{Filter: mustDoc(t, `{"tags":"y"}`)})
	if err != nil || len(docs) != 1 {
		t.Fatalf("array match: %v %v", docs, err)
	}
	res, err := s.Update(ctx, alice, "todos", UpdateSpec{Filter: mustDoc(t, `{"_id":"a"}`), Data: mustDoc(t, `{"$inc":{"n":10}}`)})
	if err != nil || res.Updated != 1 {
		t.Fatalf("update %+v %v", res, err)
	}
	n, err := s.Count(ctx, alice, "todos", mustDoc(t, `{"n":{"$gt":5}}`))
	if err != nil || n != 1 {
		t.Fatalf("count %d %v", n, err)
	}
	bob := Caller{OpenID: "bob"}
	n, err = s.Count(ctx, bob, "todos", nil)
	if err != nil || n != 0 {
		t.Fatalf("bob sees %d docs under PRIVATE (%v)", n, err)
	}
	del, err := s.Remove(ctx, alice, "todos", mustDoc(t, `{}`), true)
	if err != nil || del != 2 {
		t.Fatalf("remove %d %v", del, err)
	}
}
