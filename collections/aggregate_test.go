package collections

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

func mustStages(t *testing.T, js string) []ejson.D {
	t.Helper()
	v, err := ejson.UnmarshalString(js)
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	var out []ejson.D
	for _, s := range v.([]any) {
		out = append(out, s.(ejson.D))
	}
	return out
}

func aggJSON(t *testing.T, docs []ejson.D) string {
	t.Helper()
	arr := make([]any, len(docs))
	for i, d := range docs {
		arr[i] = d
	}
	s, err := ejson.MarshalString(arr, ejson.Relaxed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func aggregateJSON(t *testing.T, s *Store, caller Caller, name, pipeline string) (string, error) {
	t.Helper()
	out, err := s.Aggregate(context.Background(), caller, name, mustStages(t, pipeline))
	if err != nil {
		return "", err
	}
	return aggJSON(t, out), nil
}

// newAggregateStore has "orders" (PRIVATE) with documents of alice and bob, and
// "products" (READONLY).
func newAggregateStore(t *testing.T) *Store {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	for _, name := range []string{"orders", "products"} {
		if err := s.CreateCollection(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(caller Caller, coll, docs string) {
		t.Helper()
		v, err := ejson.UnmarshalString(docs)
		if err != nil {
			t.Fatal(err)
		}
		var ds []ejson.D
		for _, d := range v.([]any) {
			ds = append(ds, d.(ejson.D))
		}
		if _, err := s.Insert(ctx, caller, coll, ds, InsertOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	insert(Caller{OpenID: "alice"}, "orders", `[
		{"_id":"o1","item":"apple","qty":3,"tags":["red","fruit"]},
		{"_id":"o2","item":"pear","qty":1,"tags":["fruit"]},
		{"_id":"o3","item":"apple","qty":5}]`)
	insert(Caller{OpenID: "bob"}, "orders", `[
		{"_id":"o4","item":"apple","qty":10},
		{"_id":"o5","item":"kiwi","qty":2,"tags":[]}]`)
	if err := s.SetPreset(ctx, "products", PresetReadOnly); err != nil {
		t.Fatal(err)
	}
	insert(AdminCaller, "products", `[
		{"_id":"p1","name":"apple","price":2,"_openid":"alice"},
		{"_id":"p2","name":"pear","price":3},
		{"_id":"p3","name":"kiwi","price":4,"_openid":"bob"}]`)
	return s
}

func TestAggregatePermissions(t *testing.T) {
	s := newAggregateStore(t)
	alice, bob := Caller{OpenID: "alice"}, Caller{OpenID: "bob"}
	group := `[{"$group":{"_id":"$item","qty":{"$sum":"$qty"},"n":{"$sum":1}}},{"$sort":{"_id":1}}]`
	cases := []struct {
		caller Caller
		want   string
	}{
		{alice, `[{"_id":"apple","qty":8,"n":2},{"_id":"pear","qty":1,"n":1}]`},
		{bob, `[{"_id":"apple","qty":10,"n":1},{"_id":"kiwi","qty":2,"n":1}]`},
		{AdminCaller, `[{"_id":"apple","qty":18,"n":3},{"_id":"kiwi","qty":2,"n":1},{"_id":"pear","qty":1,"n":1}]`},
	}
	for _, c := range cases {
		got, err := aggregateJSON(t, s, c.caller, "orders", group)
		if err != nil || got != c.want {
			t.Fatalf("%+v: got %s (%v), want %s", c.caller, got, err, c.want)
		}
	}
	// a $match on _openid cannot widen a PRIVATE caller's view
	got, err := aggregateJSON(t, s, alice, "orders", `[{"$match":{"_openid":"bob"}},{"$count":"n"}]`)
	if err != nil || got != `[]` {
		t.Fatalf("alice reads bob's orders: %s %v", got, err)
	}
	// nor can a stage that comes after the pushed-down head
	got, err = aggregateJSON(t, s, alice, "orders", `[{"$project":{"o":"$_openid"}},{"$match":{"o":"bob"}}]`)
	if err != nil || got != `[]` {
		t.Fatalf("alice reads bob's orders: %s %v", got, err)
	}
	// ADMINONLY denies clients, not admins
	if err := s.SetPreset(context.Background(), "orders", PresetAdminOnly); err != nil {
		t.Fatal(err)
	}
	if _, err := aggregateJSON(t, s, alice, "orders", group); codeOf(err) != CodePermissionDenied {
		t.Fatalf("ADMINONLY aggregate by a client: %v", err)
	}
	if _, err := aggregateJSON(t, s, AdminCaller, "orders", group); err != nil {
		t.Fatal(err)
	}
	// READONLY lets everyone read everything
	if err := s.SetPreset(context.Background(), "orders", PresetReadOnly); err != nil {
		t.Fatal(err)
	}
	got, err = aggregateJSON(t, s, bob, "orders", `[{"$count":"n"}]`)
	if err != nil || got != `[{"n":5}]` {
		t.Fatalf("READONLY: %s %v", got, err)
	}
	if _, err := aggregateJSON(t, s, Caller{}, "orders", `[]`); codeOf(err) != CodePermissionDenied {
		t.Fatalf("anonymous caller: %v", err)
	}
}

func TestAggregatePushdownAndStages(t *testing.T) {
	s := newAggregateStore(t)
	alice := Caller{OpenID: "alice"}
	cases := []struct{ name, pipeline, want string }{
		{"match sort limit", `[{"$match":{"qty":{"$gte":2}}},{"$sort":{"qty":-1}},{"$limit":1},{"$project":{"_id":1,"qty":1}}]`,
			`[{"_id":"o3","qty":5}]`},
		{"skip after sort", `[{"$sort":{"qty":1}},{"$skip":1},{"$project":{"qty":1}}]`, `[{"_id":"o1","qty":3},{"_id":"o3","qty":5}]`},
		{"limit then match", `[{"$limit":2},{"$match":{"item":"apple"}},{"$project":{"_id":1}}]`, `[{"_id":"o1"}]`},
		{"sort on array path", `[{"$sort":{"tags":1,"_id":1}},{"$project":{"_id":1}}]`, `[{"_id":"o3"},{"_id":"o1"},{"_id":"o2"}]`},
		{"unwind and group", `[{"$unwind":"$tags"},{"$group":{"_id":"$tags","orders":{"$push":"$_id"}}},{"$sort":{"_id":1}}]`,
			`[{"_id":"fruit","orders":["o1","o2"]},{"_id":"red","orders":["o1"]}]`},
		{"expr match", `[{"$match":{"$expr":{"$gt":["$qty",{"$strLenCP":"$item"}]}}},{"$project":{"_id":1}}]`, `[]`},
		{"server date", `[{"$limit":1},{"$project":{"_id":0,"later":{"$gt":[{"$date":0},{"$add":["$$NOW",-1000]}]}}}]`, `[{"later":false}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := aggregateJSON(t, s, alice, "orders", c.pipeline)
			if err != nil || got != c.want {
				t.Fatalf("got %s (%v), want %s", got, err, c.want)
			}
		})
	}
	// db.serverDate() in a stage resolves to the server's clock
	before := time.Now().Add(-time.Second)
	out, err := s.Aggregate(context.Background(), alice, "orders", []ejson.D{
		{{Key: "$limit", Value: int64(1)}},
		{{Key: "$project", Value: ejson.D{{Key: "_id", Value: int64(0)}, {Key: "at", Value: ejson.ServerDate{Offset: 60000}}}}},
	})
	if err != nil || len(out) != 1 {
		t.Fatalf("serverDate: %v %v", out, err)
	}
	at, _ := out[0].Get("at")
	if d, ok := at.(ejson.Date); !ok || d.Time().Before(before.Add(time.Minute)) || d.Time().After(time.Now().Add(2*time.Minute)) {
		t.Fatalf("serverDate resolved to %v", at)
	}
}

func TestAggregateLookupPermissions(t *testing.T) {
	s := newAggregateStore(t)
	ctx := context.Background()
	alice := Caller{OpenID: "alice"}
	pipeline := `[{"$match":{"item":{"$in":["apple","pear"]}}},{"$lookup":{"from":"products","localField":"item","foreignField":"name","as":"p"}},{"$project":{"prices":"$p.price"}}]`
	got, err := aggregateJSON(t, s, alice, "orders", pipeline)
	if want := `[{"_id":"o1","prices":[2]},{"_id":"o2","prices":[3]},{"_id":"o3","prices":[2]}]`; err != nil || got != want {
		t.Fatalf("READONLY lookup: got %s (%v), want %s", got, err, want)
	}
	// PRIVATE: alice joins only her own products
	if err := s.SetPreset(ctx, "products", PresetPrivate); err != nil {
		t.Fatal(err)
	}
	got, err = aggregateJSON(t, s, alice, "orders", pipeline)
	if want := `[{"_id":"o1","prices":[2]},{"_id":"o2","prices":[]},{"_id":"o3","prices":[2]}]`; err != nil || got != want {
		t.Fatalf("PRIVATE lookup: got %s (%v), want %s", got, err, want)
	}
	// the pipeline form is held to the same rights
	got, err = aggregateJSON(t, s, alice, "orders", `[{"$limit":1},{"$lookup":{"from":"products","pipeline":[{"$project":{"_id":1}}],"as":"all"}},{"$project":{"all":1}}]`)
	if want := `[{"_id":"o1","all":[{"_id":"p1"}]}]`; err != nil || got != want {
		t.Fatalf("PRIVATE lookup pipeline: got %s (%v), want %s", got, err, want)
	}
	// ADMINONLY: denied
	if err := s.SetPreset(ctx, "products", PresetAdminOnly); err != nil {
		t.Fatal(err)
	}
	if _, err := aggregateJSON(t, s, alice, "orders", pipeline); codeOf(err) != CodePermissionDenied {
		t.Fatalf("ADMINONLY lookup: %v", err)
	}
	if _, err := aggregateJSON(t, s, AdminCaller, "orders", pipeline); err != nil {
		t.Fatalf("admin lookup: %v", err)
	}
	// a missing collection joins nothing
	got, err = aggregateJSON(t, s, alice, "orders", `[{"$limit":1},{"$lookup":{"from":"nothing","localField":"item","foreignField":"x","as":"j"}},{"$project":{"j":1}}]`)
	if want := `[{"_id":"o1","j":[]}]`; err != nil || got != want {
		t.Fatalf("missing collection: got %s (%v), want %s", got, err, want)
	}
}

func TestAggregateErrors(t *testing.T) {
	s := newAggregateStore(t)
	alice := Caller{OpenID: "alice"}
	if _, err := aggregateJSON(t, s, alice, "nope", `[]`); codeOf(err) != CodeCollectionNotExist {
		t.Fatalf("missing collection: %v", err)
	}
	for _, p := range []string{
		`[{"$bogus":{}}]`,
		`[{"$group":{"n":{"$sum":1}}}]`,
		`[{"$project":{"x":{"$divide":["$qty",0]}}}]`,
		`[{"$match":{"qty":{"$bad":1}}}]`,
	} {
		_, err := aggregateJSON(t, s, alice, "orders", p)
		if codeOf(err) != CodeInvalidParam {
			t.Fatalf("%s: %v", p, err)
		}
		if e := AsError(err); strings.Contains(e.Msg, "internal") {
			t.Fatalf("%s: %v", p, err)
		}
	}
}
