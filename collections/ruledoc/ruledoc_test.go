package ruledoc

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

// spec is a document kind of its own over the function rules collection: a JSON object
// whose "ok" member must be true.
func spec() Spec[string] {
	return Spec[string]{
		Collection: migrations.FunctionRules,
		Record:     "ruledoc-test",
		What:       "test rules",
		Parse: func(raw []byte) (string, error) {
			var v struct{ OK bool }
			if err := json.Unmarshal(raw, &v); err != nil || !v.OK {
				return "", errors.New("invalid test rules")
			}
			return string(raw), nil
		},
		JSON:       func(s string) []byte { return []byte(s) },
		Default:    "default",
		Invalid:    "invalid",
		InvalidLog: "saved test rules are invalid",
		Recheck:    time.Hour,
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	app := testapp.New(t)
	s := New(app, spec())

	if doc, err := s.Get(ctx); err != nil || doc != "default" {
		t.Fatalf("nothing saved: %q %v", doc, err)
	}
	if _, err := s.Set(ctx, []byte(`{"ok":false}`)); err == nil {
		t.Fatal("an invalid document was saved")
	}
	if doc, err := s.Set(ctx, []byte(`{"ok":true}`)); err != nil || doc != `{"ok":true}` {
		t.Fatalf("set: %q %v", doc, err)
	}
	// the cache follows a save at once, although Recheck is an hour
	if doc, _ := s.Get(ctx); doc != `{"ok":true}` {
		t.Fatalf("after set: %q", doc)
	}

	// a dashboard edit is validated, and a valid one invalidates the cache
	rec, err := app.FindFirstRecordByData(migrations.FunctionRules, "name", "ruledoc-test")
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("rules", `{"ok":0}`)
	if err := app.Save(rec); err == nil {
		t.Fatal("an invalid dashboard edit was saved")
	}
	rec.Set("rules", `{"ok":true,"n":2}`)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if doc, _ := s.Get(ctx); doc != `{"ok":true,"n":2}` {
		t.Fatalf("after the dashboard edit: %q", doc)
	}

	// another process's change arrives within the recheck interval
	other := New(testapp.NewInDir(t, app.DataDir()), spec())
	if _, err := other.Set(ctx, []byte(`{"ok":true,"n":3}`)); err != nil {
		t.Fatal(err)
	}
	s.SetRecheck(10 * time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for doc, _ := s.Get(ctx); doc != `{"ok":true,"n":3}`; doc, _ = s.Get(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("the other process's change was not picked up: %q", doc)
		}
		time.Sleep(5 * time.Millisecond) // polling the store until the change arrives
	}

	// a document that does not parse (a direct database edit) gives Invalid
	if _, err := app.DB().NewQuery("UPDATE `" + migrations.FunctionRules + "` SET `rules` = 'garbage' WHERE `name` = 'ruledoc-test'").Execute(); err != nil {
		t.Fatal(err)
	}
	if doc, err := s.Load(ctx); err != nil || doc != "invalid" {
		t.Fatalf("garbage: %q %v", doc, err)
	}

	// an empty document deletes the record: the default applies again
	for _, empty := range []string{"", " null ", "{}", `""`} {
		if !IsEmpty(empty) {
			t.Errorf("IsEmpty(%q) = false", empty)
		}
	}
	if doc, err := s.Set(ctx, []byte(`{}`)); err != nil || doc != "default" {
		t.Fatalf("reset: %q %v", doc, err)
	}
	if _, err := app.FindFirstRecordByData(migrations.FunctionRules, "name", "ruledoc-test"); err == nil {
		t.Error("the record is kept after a reset")
	}
}
