package collections

import (
	"context"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestCollectionRenameAndDelete(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Insert(ctx, AdminCaller, "old", []ejson.D{mustDoc(t, `{"x":1}`)}, InsertOptions{CreateCollection: true}); err != nil {
		t.Fatal(err)
	}
	pc, err := s.app.FindCollectionByNameOrId("old")
	if err != nil {
		t.Fatal(err)
	}
	pc.Name = "renamed"
	if err := s.app.Save(pc); err != nil {
		t.Fatal(err)
	}
	if s.Exists("old") {
		t.Fatal("old name still resolves")
	}
	if n, err := s.Count(ctx, AdminCaller, "renamed", nil); err != nil || n != 1 {
		t.Fatalf("renamed collection: %d %v", n, err)
	}
	if err := s.DropCollection(ctx, "renamed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Count(ctx, AdminCaller, "renamed", nil); codeOf(err) != CodeCollectionNotExist {
		t.Fatalf("dropped collection: %v", err)
	}
	if err := s.CreateCollection(ctx, "renamed"); err != nil {
		t.Fatalf("name should be free again: %v", err)
	}
}

func TestRecordSavedFromGoIsNormalised(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.CreateCollection(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	col, _ := s.app.FindCollectionByNameOrId("t")
	rec := core.NewRecord(col)
	rec.Set("data", types.JSONRaw(`{"_openid":"who","list":[1,2],"when":{"$date":"2024-01-02T03:04:05Z"}}`))
	if err := s.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if rec.GetString("_openid") != "who" {
		t.Fatal("_openid not moved to its column")
	}
	docs, err := s.Find(ctx, AdminCaller, "t", Query{Filter: mustDoc(t, `{"list":2}`)})
	if err != nil || len(docs) != 1 {
		t.Fatalf("array semantics after a Go save: %v %v", docs, err)
	}
	if got := docJSON(t, docs[0]); got != `{"_id":"`+rec.Id+`","list":[1,2],"when":{"$date":1704164645000},"_openid":"who"}` {
		t.Fatal(got)
	}
}
