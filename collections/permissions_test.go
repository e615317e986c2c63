package collections

import (
	"context"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestPresetMatrix(t *testing.T) {
	ctx := context.Background()
	alice, bob := Caller{OpenID: "alice"}, Caller{OpenID: "bob"}
	cases := []struct {
		preset                     Preset
		bobReads                   int64 // alice's documents bob sees
		aliceAdds, bobUpdatesAlice bool
	}{
		{PresetPrivate, 0, true, false},
		{PresetReadOnly, 1, true, false},
		{PresetAdminWrite, 1, false, false},
		{PresetAdminOnly, -1, false, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.preset), func(t *testing.T) {
			s := newTestStore(t)
			if err := s.CreateCollection(ctx, "c"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Insert(ctx, AdminCaller, "c", []ejson.D{mustDoc(t, `{"_id":"a1","_openid":"alice","n":1}`)}, InsertOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetPreset(ctx, "c", tc.preset); err != nil {
				t.Fatal(err)
			}
			n, err := s.Count(ctx, bob, "c", nil)
			if tc.bobReads < 0 {
				if codeOf(err) != CodePermissionDenied {
					t.Fatalf("read should be denied: %v", err)
				}
			} else if err != nil || n != tc.bobReads {
				t.Fatalf("bob reads %d (%v), want %d", n, err, tc.bobReads)
			}
			_, err = s.Insert(ctx, alice, "c", []ejson.D{{}}, InsertOptions{})
			if (err == nil) != tc.aliceAdds {
				t.Fatalf("alice add: %v", err)
			}
			res, err := s.Update(ctx, bob, "c", UpdateSpec{Filter: mustDoc(t, `{"_id":"a1"}`), Data: mustDoc(t, `{"$set":{"n":2}}`)})
			if err == nil && res.Updated != 0 {
				t.Fatal("bob changed alice's document")
			}
			del, err := s.Remove(ctx, bob, "c", mustDoc(t, `{}`), true)
			if err == nil && del != 0 {
				t.Fatal("bob removed alice's document")
			}
			if n, _ := s.Count(ctx, AdminCaller, "c", mustDoc(t, `{"_id":"a1","n":1}`)); n != 1 {
				t.Fatal("alice's document changed")
			}
		})
	}
}

func TestSetPresetValidates(t *testing.T) {
	s := newTestStore(t)
	if err := s.CreateCollection(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPreset(context.Background(), "c", "EVERYONE"); codeOf(err) != CodeInvalidParam {
		t.Fatalf("unknown preset accepted: %v", err)
	}
	if p, _ := s.GetPreset("c"); p != DefaultPreset {
		t.Fatalf("preset %s", p)
	}
}
