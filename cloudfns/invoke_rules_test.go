package cloudfns

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

var (
	ruleAnon   = rules.Auth{OpenID: "o1", UID: "o1", LoginType: "ANONYMOUS"}
	ruleWechat = rules.Auth{OpenID: "o2", UID: "u2", LoginType: "WECHAT"}
	ruleNobody = rules.Auth{}
)

func TestParseInvokeRules(t *testing.T) {
	r, err := ParseInvokeRules([]byte(`{
		"*": {"invoke": "auth != null"},
		"open": {"invoke": true},
		"closed": {"invoke": false},
		"real": {"invoke": "auth.loginType != 'ANONYMOUS' && auth != null"},
		"o2only": {"invoke": "auth.openid == 'o2'"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		fn                   string
		anon, wechat, nobody bool
	}{
		{"any", true, true, false},
		{"open", true, true, true},
		{"closed", false, false, false},
		{"real", false, true, false},
		{"o2only", false, true, false},
	}
	for _, c := range cases {
		for _, x := range []struct {
			a    rules.Auth
			want bool
		}{{ruleAnon, c.anon}, {ruleWechat, c.wechat}, {ruleNobody, c.nobody}} {
			if got, err := r.Allow(c.fn, x.a); err != nil || got != x.want {
				t.Errorf("%s for %+v: %v %v, want %v", c.fn, x.a, got, err, x.want)
			}
		}
	}
	if !strings.HasPrefix(string(r.JSON()), `{"*":{"invoke":"auth != null"},"open"`) {
		t.Errorf("compacted JSON: %s", r.JSON())
	}
	if def := defaultInvokeRules; string(def.JSON()) != DefaultInvokeRules {
		t.Errorf("default %s", def.JSON())
	}
}

func TestParseInvokeRulesErrors(t *testing.T) {
	for raw, want := range map[string]string{
		`[]`:                                "must be a JSON object",
		`nope`:                              "must be a JSON object",
		`{}`:                                `need a "*" entry`,
		`{"f":{"invoke":true}}`:             `need a "*" entry`,
		`{"*":true}`:                        `"*" must be an object`,
		`{"*":{}}`:                          `"*" has no "invoke" rule`,
		`{"*":{"invoke":true,"read":true}}`: `unknown operation "read"`,
		`{"*":{"invoke":1}}`:                "true, false or an expression",
		`{"*":{"invoke":"auth !== null"}}`:  `rule "*.invoke": line 1, column 8`,
		`{"*":{"invoke":true},"f":{"invoke":"doc.a"}}`:  `rule "f.invoke": line 1, column 1: doc is not available here`,
		`{"*":{"invoke":true},"bad name":{"invoke":1}}`: "invalid function name",
	} {
		_, err := ParseInvokeRules([]byte(raw))
		if err == nil || !errors.Is(err, ErrInvalidInvokeRules) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}

func TestRuleStore(t *testing.T) {
	app := testapp.New(t)
	ctx := context.Background()
	s := NewRuleStore(app)
	r, err := s.Get(ctx)
	if err != nil || r != defaultInvokeRules {
		t.Fatalf("default: %v %v", r, err)
	}
	if _, err := s.Set(ctx, []byte(`{"*":{"invoke":"auth != "}}`)); !errors.Is(err, ErrInvalidInvokeRules) {
		t.Fatalf("bad rule saved: %v", err)
	}
	if r, err = s.Set(ctx, []byte(`{"*":{"invoke":false}, "f":{"invoke":true}}`)); err != nil {
		t.Fatal(err)
	}
	// the cache follows a save at once
	if r, _ = s.Get(ctx); string(r.JSON()) != `{"*":{"invoke":false},"f":{"invoke":true}}` {
		t.Fatalf("after set: %s", r.JSON())
	}
	if ok, _ := r.Allow("f", ruleNobody); !ok {
		t.Error("f should be open")
	}

	// another store on the same database (the CLI in another process) sees it; a change
	// it makes reaches the first store's cache within the recheck interval
	other := NewRuleStore(testapp.NewInDir(t, app.DataDir()))
	if r2, _ := other.Load(ctx); string(r2.JSON()) != string(r.JSON()) {
		t.Fatalf("other: %s", r2.JSON())
	}
	if _, err := other.Set(ctx, []byte(`{"*":{"invoke":true}}`)); err != nil {
		t.Fatal(err)
	}
	s.SetRecheck(20 * time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, _ = s.Get(ctx)
		if string(r.JSON()) == `{"*":{"invoke":true}}` {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the change was not picked up: %s", r.JSON())
		}
		time.Sleep(5 * time.Millisecond)
	}

	// a dashboard edit goes through the same validation
	rec, err := app.FindFirstRecordByData(migrations.FunctionRules, "name", invokeRulesRecord)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("rules", `{"*":{"invoke":"nonsense("}}`)
	if err := app.Save(rec); err == nil || !strings.Contains(err.Error(), "invalid function rules") {
		t.Fatalf("invalid dashboard edit saved: %v", err)
	}
	rec.Set("rules", `{"*":{"invoke":"auth != null"},"g":{"invoke":false}}`)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if r, _ = s.Get(ctx); !strings.Contains(string(r.JSON()), `"g"`) {
		t.Fatalf("dashboard edit not applied at once: %s", r.JSON())
	}

	// an empty document restores the default (and removes the record)
	if r, err = s.Set(ctx, []byte(`null`)); err != nil || r != defaultInvokeRules {
		t.Fatalf("reset: %v %v", r, err)
	}
	if _, err := app.FindFirstRecordByData(migrations.FunctionRules, "name", invokeRulesRecord); err == nil {
		t.Error("record kept after reset")
	}

	// a rule written straight into the database that does not parse falls back to the
	// default, which still requires sign-in
	if _, err := app.DB().NewQuery("INSERT INTO `" + migrations.FunctionRules + "` (id, name, rules, created, updated) VALUES ('x1', 'invoke', '{\"*\":{\"invoke\":\"((\"}}', '', '')").Execute(); err != nil {
		t.Fatal(err)
	}
	if r, err = s.Load(ctx); err != nil || r != defaultInvokeRules {
		t.Fatalf("broken stored rules: %v %v", r, err)
	}
}
