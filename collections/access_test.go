package collections

import (
	"context"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func rulesStore(t *testing.T, rules string) *Store {
	t.Helper()
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "posts"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, AdminCaller, "posts", []ejson.D{
		mustDoc(t, `{"_id":"a1","_openid":"alice","public":true,"n":1}`),
		mustDoc(t, `{"_id":"a2","_openid":"alice","public":false,"n":2}`),
		mustDoc(t, `{"_id":"b1","_openid":"bob","public":false,"n":3}`),
	}, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRules(ctx, "posts", []byte(rules)); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRulesQueriesMustBeSubsets(t *testing.T) {
	s := rulesStore(t, `{"read":"doc.public == true || doc._openid == auth.openid","write":"doc._openid == auth.openid"}`)
	ctx := context.Background()
	alice := Caller{OpenID: "alice", UID: "alice"}
	cases := []struct {
		filter string
		want   int // -1: permission denied
	}{
		{`{}`, -1},
		{`{"public":true}`, 1},
		{`{"_openid":"alice"}`, 2},
		{`{"_openid":"{openid}"}`, 2}, // the placeholder is the caller
		{`{"_openid":"bob"}`, -1},
		{`{"$or":[{"public":true},{"_openid":"{openid}"}]}`, 2},
		{`{"n":{"$gt":0}}`, -1},
		{`{"_id":"b1"}`, -1}, // by id: judged on bob's private document
		{`{"_id":"a2"}`, 1},  // alice's own
		{`{"_id":"gone"}`, 0},
	}
	for _, c := range cases {
		docs, err := s.Find(ctx, alice, "posts", Query{Filter: mustDoc(t, c.filter)})
		switch {
		case c.want < 0 && codeOf(err) != CodePermissionDenied:
			t.Errorf("%s: want permission denied, got %d docs, %v", c.filter, len(docs), err)
		case c.want >= 0 && (err != nil || len(docs) != c.want):
			t.Errorf("%s: got %d docs, %v; want %d", c.filter, len(docs), err, c.want)
		}
	}
	if _, err := s.Count(ctx, alice, "posts", mustDoc(t, `{}`)); codeOf(err) != CodePermissionDenied {
		t.Errorf("count of everything: %v", err)
	}
	if _, err := s.Aggregate(ctx, alice, "posts", []ejson.D{mustDoc(t, `{"$match":{"_openid":"{openid}"}}`), mustDoc(t, `{"$count":"n"}`)}); err != nil {
		t.Errorf("aggregate within the rule: %v", err)
	}
	if _, err := s.Aggregate(ctx, alice, "posts", []ejson.D{mustDoc(t, `{"$count":"n"}`)}); codeOf(err) != CodePermissionDenied {
		t.Errorf("aggregate over everything: %v", err)
	}
}

func TestRulesWrites(t *testing.T) {
	s := rulesStore(t, `{"read":true,"create":"doc.title != null && doc._openid == auth.openid","update":"doc._openid == auth.openid","delete":false}`)
	ctx := context.Background()
	alice := Caller{OpenID: "alice", UID: "alice"}
	if _, err := s.Insert(ctx, alice, "posts", []ejson.D{mustDoc(t, `{"n":9}`)}, InsertOptions{}); codeOf(err) != CodePermissionDenied {
		t.Fatalf("create without a title: %v", err)
	}
	if _, err := s.Insert(ctx, alice, "posts", []ejson.D{mustDoc(t, `{"title":"ok"}`)}, InsertOptions{}); err != nil {
		t.Fatalf("create within the rule: %v", err)
	}
	if _, err := s.Update(ctx, alice, "posts", UpdateSpec{Filter: mustDoc(t, `{"_id":"b1"}`), Data: mustDoc(t, `{"$set":{"n":0}}`)}); codeOf(err) != CodePermissionDenied {
		t.Fatalf("update of bob's document by id: %v", err)
	}
	res, err := s.Update(ctx, alice, "posts", UpdateSpec{Filter: mustDoc(t, `{"_id":"a1"}`), Data: mustDoc(t, `{"$inc":{"n":1}}`)})
	if err != nil || res.Updated != 1 {
		t.Fatalf("update of her own document: %+v %v", res, err)
	}
	if _, err := s.Update(ctx, alice, "posts", UpdateSpec{Filter: mustDoc(t, `{"public":false}`), Data: mustDoc(t, `{"$set":{"x":1}}`), Multi: true}); codeOf(err) != CodePermissionDenied {
		t.Fatalf("where().update() outside the rule: %v", err)
	}
	res, err = s.Update(ctx, alice, "posts", UpdateSpec{Filter: mustDoc(t, `{"_openid":"{openid}"}`), Data: mustDoc(t, `{"$set":{"x":1}}`), Multi: true})
	if err != nil || res.Updated != 3 {
		t.Fatalf("where().update() within the rule: %+v %v", res, err)
	}
	if _, err := s.Remove(ctx, alice, "posts", mustDoc(t, `{"_id":"a1"}`), false); codeOf(err) != CodePermissionDenied {
		t.Fatalf("delete is false: %v", err)
	}
	if n, _ := s.Count(ctx, AdminCaller, "posts", nil); n != 4 {
		t.Fatalf("%d documents", n)
	}
}

func TestRulesWithGet(t *testing.T) {
	s := rulesStore(t, `{"read":"get('database.roles.' + auth.openid).admin == true","write":false}`)
	ctx := context.Background()
	if _, err := s.Insert(ctx, AdminCaller, "roles", []ejson.D{mustDoc(t, `{"_id":"alice","admin":true}`)}, InsertOptions{CreateCollection: true}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(ctx, Caller{OpenID: "alice"}, "posts", nil); err != nil || n != 3 {
		t.Fatalf("admin role reads all: %d %v", n, err)
	}
	if _, err := s.Count(ctx, Caller{OpenID: "bob"}, "posts", nil); codeOf(err) != CodePermissionDenied {
		t.Fatalf("bob has no role: %v", err)
	}
}

func TestSetRulesValidatesAndClears(t *testing.T) {
	s := rulesStore(t, `{"read":true,"write":false}`)
	ctx := context.Background()
	err := s.SetRules(ctx, "posts", []byte(`{"read":"doc.a =="}`))
	if codeOf(err) != CodeInvalidParam {
		t.Fatalf("bad rule accepted: %v", err)
	}
	if raw, _ := s.Rules("posts"); string(raw) != `{"read":true,"write":false}` {
		t.Fatalf("rules changed by a refused save: %s", raw)
	}
	if err := s.SetRules(ctx, "posts", nil); err != nil {
		t.Fatal(err)
	}
	if raw, _ := s.Rules("posts"); string(raw) != "null" {
		t.Fatalf("rules not cleared: %s", raw)
	}
	// back on the PRIVATE preset: alice sees her own two documents
	if n, err := s.Count(ctx, Caller{OpenID: "alice"}, "posts", nil); err != nil || n != 2 {
		t.Fatalf("preset after clearing: %d %v", n, err)
	}
}
