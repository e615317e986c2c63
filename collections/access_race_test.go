package collections

import (
	"context"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// An update or remove by id under security rules is judged on the stored document. The
// judgement must hold for the document the write actually changes: when the id did
// not exist yet (nothing to judge) but another user's insert of that id commits before
// the write transaction starts, the rule is applied to that document too. The
// interleaving is forced: the test holds the single writer connection with bob's
// uncommitted insert until alice's call has passed its check and waits for the writer.
func TestRulesByIDJudgedInsideTheWrite(t *testing.T) {
	for _, op := range []string{"update", "remove"} {
		t.Run(op, func(t *testing.T) {
			s := rulesStore(t, `{"read":true,"write":"doc._openid == auth.openid"}`)
			ctx := context.Background()
			c, err := s.lookup("posts")
			if err != nil {
				t.Fatal(err)
			}
			tx, err := s.writeDB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			stamp := pbTime(time.Now())
			if _, err := tx.ExecContext(ctx, c.insertSQL(), "late", "bob", `{"n":1}`, stamp, stamp); err != nil {
				t.Fatal(err)
			}
			waits := s.writeDB.Stats().WaitCount
			alice := Caller{OpenID: "alice", UID: "alice"}
			byID, set := mustDoc(t, `{"_id":"late"}`), mustDoc(t, `{"$set":{"n":0}}`)
			done := make(chan error, 1)
			go func() {
				var err error
				if op == "update" {
					_, err = s.Update(ctx, alice, "posts", UpdateSpec{Filter: byID, Data: set})
				} else {
					_, err = s.Remove(ctx, alice, "posts", byID, false)
				}
				done <- err
			}()
			deadline := time.Now().Add(10 * time.Second)
			for s.writeDB.Stats().WaitCount == waits {
				select {
				case err := <-done:
					t.Fatalf("alice's %s did not wait for the writer: %v", op, err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("alice's call never reached the writer")
				}
				time.Sleep(time.Millisecond) // polling the pool's wait counter
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; codeOf(err) != CodePermissionDenied {
				t.Fatalf("alice's %s of bob's new document: %v, want permission denied", op, err)
			}
			docs, err := s.Find(ctx, AdminCaller, "posts", Query{Filter: mustDoc(t, `{"_id":"late"}`)})
			if err != nil || len(docs) != 1 {
				t.Fatalf("bob's document: %v %v", docs, err)
			}
			if n, _ := docs[0].Get("n"); !ejson.IsNumber(n) || ejson.ToFloat(n) != 1 {
				t.Fatalf("bob's document was changed: %v", docs[0])
			}
		})
	}
}
