package collections

import (
	"context"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestMultiUpdateIsAtomic(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{
		mustDoc(t, `{"_id":"a","n":1}`), mustDoc(t, `{"_id":"b","n":"text"}`), mustDoc(t, `{"_id":"c","n":3}`),
	}, InsertOptions{CreateCollection: true}); err != nil {
		t.Fatal(err)
	}
	// $inc fails on the second document: nothing may change
	_, err := s.Update(ctx, AdminCaller, "t", UpdateSpec{Filter: ejson.D{}, Data: mustDoc(t, `{"$inc":{"n":1}}`), Multi: true})
	if codeOf(err) != CodeInvalidParam {
		t.Fatalf("want INVALID_PARAM, got %v", err)
	}
	docs, _ := s.Find(ctx, AdminCaller, "t", Query{Sort: nil})
	if got := docJSON(t, docs[0]) + docJSON(t, docs[2]); got != `{"_id":"a","n":1}{"_id":"c","n":3}` {
		t.Fatalf("partial write: %s", got)
	}
}

func TestInsertIsAtomic(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{mustDoc(t, `{"_id":"x"}`), mustDoc(t, `{"_id":"x"}`)}, InsertOptions{})
	if codeOf(err) != CodeDuplicateKey {
		t.Fatalf("want duplicate key, got %v", err)
	}
	if n, _ := s.Count(ctx, AdminCaller, "t", nil); n != 0 {
		t.Fatalf("%d documents written by a failed batch", n)
	}
	for _, bad := range []string{`{"_id":5}`, `{"_id":"a/b"}`, `{"a":{"$b":1}}`, `{"a.b":1}`, `{"":1}`} {
		if _, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{mustDoc(t, bad)}, InsertOptions{}); codeOf(err) != CodeInvalidParam {
			t.Errorf("%s: want INVALID_PARAM, got %v", bad, err)
		}
	}
}

func TestUpsertReplaceAndOwner(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	alice := Caller{OpenID: "alice"}
	res, err := s.Update(ctx, alice, "t", UpdateSpec{Filter: mustDoc(t, `{"_id":"u1","kind":"k"}`), Data: mustDoc(t, `{"$set":{"n":1}}`), Upsert: true})
	if err != nil || res.UpsertedID != "u1" || res.Matched != 0 {
		t.Fatalf("upsert %+v %v", res, err)
	}
	docs, _ := s.Find(ctx, alice, "t", Query{})
	if got := docJSON(t, docs[0]); got != `{"_id":"u1","kind":"k","n":1,"_openid":"alice"}` {
		t.Fatalf("upserted %s", got)
	}
	// replace keeps _id and owner
	res, err = s.Update(ctx, alice, "t", UpdateSpec{Filter: mustDoc(t, `{"_id":"u1"}`), Data: mustDoc(t, `{"title":"new"}`), Replace: true})
	if err != nil || res.Updated != 1 {
		t.Fatalf("replace %+v %v", res, err)
	}
	docs, _ = s.Find(ctx, alice, "t", Query{})
	if got := docJSON(t, docs[0]); got != `{"_id":"u1","title":"new","_openid":"alice"}` {
		t.Fatalf("replaced %s", got)
	}
	if _, err := s.Update(ctx, alice, "t", UpdateSpec{Filter: mustDoc(t, `{"_id":"u1"}`), Data: mustDoc(t, `{"$set":{"_openid":"bob"}}`)}); codeOf(err) != CodePermissionDenied {
		t.Fatalf("client changed the owner: %v", err)
	}
	// the admin may re-own a document
	if _, err := s.Update(ctx, AdminCaller, "t", UpdateSpec{Filter: mustDoc(t, `{"_id":"u1"}`), Data: mustDoc(t, `{"$set":{"_openid":"bob"}}`)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx, Caller{OpenID: "bob"}, "t", nil); n != 1 {
		t.Fatal("bob should own the document now")
	}
	// an unchanged document counts as matched, not updated
	res, err = s.Update(ctx, AdminCaller, "t", UpdateSpec{Filter: mustDoc(t, `{"_id":"u1"}`), Data: mustDoc(t, `{"$set":{"title":"new"}}`)})
	if err != nil || res.Matched != 1 || res.Updated != 0 {
		t.Fatalf("no-op update %+v %v", res, err)
	}
}

func TestServerDatesResolve(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ids, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{mustDoc(t, `{"at":{"$date":{"offset":-1000}},"nested":[{"$tcb_server_date":{"offset":0}}]}`)}, InsertOptions{CreateCollection: true})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.Find(ctx, AdminCaller, "t", Query{Filter: ejson.D{{Key: "_id", Value: ids[0]}, {Key: "at", Value: ejson.D{{Key: "$lt", Value: ejson.ServerDate{}}}}}})
	if err != nil || len(docs) != 1 {
		t.Fatalf("server date in a filter: %v %v", docs, err)
	}
	at, _ := docs[0].Get("at")
	if _, ok := at.(ejson.Date); !ok {
		t.Fatalf("at is %T", at)
	}
}

func TestClientWriteToMissingCollection(t *testing.T) {
	s := newTestStore(t)
	_, err := s.Insert(context.Background(), Caller{OpenID: "u"}, "nope", []ejson.D{{}}, InsertOptions{CreateCollection: true})
	if codeOf(err) != CodeCollectionNotExist {
		t.Fatalf("clients must not create collections: %v", err)
	}
	if _, err := s.Insert(context.Background(), Caller{}, "nope", []ejson.D{{}}, InsertOptions{}); codeOf(err) != CodePermissionDenied {
		t.Fatalf("anonymous caller: %v", err)
	}
}

func TestDocumentDepthLimit(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	nest := func(levels int) ejson.D {
		var v any = int64(1)
		for i := 1; i < levels; i++ {
			v = ejson.D{{Key: "a", Value: v}}
		}
		return ejson.D{{Key: "a", Value: v}}
	}
	if _, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{nest(ejson.MaxDepth)}, InsertOptions{CreateCollection: true}); err != nil {
		t.Fatalf("%d levels must be accepted: %v", ejson.MaxDepth, err)
	}
	if _, err := s.Insert(ctx, AdminCaller, "t", []ejson.D{nest(ejson.MaxDepth + 1)}, InsertOptions{}); codeOf(err) != CodeInvalidParam {
		t.Fatalf("%d levels must be refused: %v", ejson.MaxDepth+1, err)
	}
}

func TestClientSetOnAnotherUsersID(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, Caller{OpenID: "alice"}, "t", []ejson.D{mustDoc(t, `{"_id":"a1","v":1}`)}, InsertOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(ctx, Caller{OpenID: "bob"}, "t", UpdateSpec{Filter: mustDoc(t, `{"_id":"a1"}`), Data: mustDoc(t, `{"v":2}`), Replace: true, Upsert: true})
	if codeOf(err) != CodePermissionDenied {
		t.Fatalf("want permission denied, got %v", err)
	}
	if n, _ := s.Count(ctx, AdminCaller, "t", mustDoc(t, `{"v":1}`)); n != 1 {
		t.Fatal("alice's document changed")
	}
}
