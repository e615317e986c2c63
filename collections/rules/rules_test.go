package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

func doc(t testing.TB, js string) ejson.D {
	t.Helper()
	d, err := ejson.UnmarshalDoc([]byte(js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return d
}

var alice = Env{Auth: Auth{OpenID: "alice", UID: "u-alice"}, Now: time.UnixMilli(1_700_000_000_000)}

func TestParseErrorsHavePositions(t *testing.T) {
	cases := []struct {
		rules, want string
	}{
		{`{"read":"doc.a == "}`, "column 10"},
		{`{"read":"doc.a === 1"}`, "column 9"},
		{`{"read":"auth.password == 'x'"}`, `unknown auth field "password"`},
		{`{"read":"doc.a == 1 &&"}`, "ends too early"},
		{`{"read":"(doc.a == 1"}`, "missing )"},
		{`{"read":"window.x"}`, `unknown name "window"`},
		{`{"read":"doc.a < 1 < 2"}`, "cannot be chained"},
		{`{"read":"'abc"}`, "unterminated string"},
		{`{"read":"doc.a\n  == @"}`, "line 2, column 6"},
		{`{"read":1}`, "true, false or an expression"},
		{`{"list":true}`, `unknown rule "list"`},
		{`[1]`, "JSON object"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.rules))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.rules, err, c.want)
		}
	}
	_, err := Parse([]byte(`{"read":"doc.a == "}`))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Rule != "read" || se.Offset != 9 {
		t.Fatalf("structured error: %#v", err)
	}
}

func TestAllowConcrete(t *testing.T) {
	getter := func(coll, id string) (ejson.D, bool, error) {
		if coll == "users" && id == "alice" {
			return ejson.D{{Key: "role", Value: "admin"}, {Key: "teams", Value: []any{"t1"}}}, true, nil
		}
		return nil, false, nil
	}
	env := alice
	env.Get = getter
	cases := []struct {
		rule, doc string
		want      bool
	}{
		{`true`, `{}`, true},
		{`false`, `{}`, false},
		{`"doc._openid == auth.openid"`, `{"_openid":"alice"}`, true},
		{`"doc._openid == auth.openid"`, `{"_openid":"bob"}`, false},
		{`"doc.public || doc._openid == auth.openid"`, `{"public":true,"_openid":"bob"}`, true},
		{`"!doc.locked"`, `{"locked":false}`, true},
		{`"!doc.locked"`, `{}`, true},
		{`"doc.n >= 3 && doc.n < 10"`, `{"n":5.5}`, true},
		{`"doc.n > 3"`, `{"n":"9"}`, false},
		{`"doc.status in ['open', 'draft']"`, `{"status":"open"}`, true},
		{`"auth.openid in doc.members"`, `{"members":["bob","alice"]}`, true},
		{`"doc.at < now"`, `{"at":{"$date":1600000000000}}`, true},
		{`"get('database.users.' + auth.openid).role == 'admin'"`, `{}`, true},
		{`"'t1' in get('database.users.' + auth.openid).teams"`, `{}`, true},
		{`"get('database.users.nobody').role == 'admin'"`, `{}`, false},
		{`"doc.a.b['c'] == 1"`, `{"a":{"b":{"c":1}}}`, true},
		{`"doc.list[1] == 'y'"`, `{"list":["x","y"]}`, true},
		{`"auth.uid == 'u-alice'"`, `{}`, true},
	}
	for _, c := range cases {
		rs, err := Parse([]byte(`{"read":` + c.rule + `}`))
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		got, err := rs.Allow(Read, env, doc(t, c.doc))
		if err != nil || got != c.want {
			t.Errorf("%s on %s = %v (%v), want %v", c.rule, c.doc, got, err, c.want)
		}
	}
}

func TestAllowQuerySubset(t *testing.T) {
	cases := []struct {
		rule, query string
		want        bool
	}{
		{`"doc._openid == auth.openid"`, `{"_openid":"alice"}`, true},
		{`"doc._openid == auth.openid"`, `{"_openid":"alice","done":false}`, true},
		{`"doc._openid == auth.openid"`, `{"done":false}`, false},
		{`"doc._openid == auth.openid"`, `{"_openid":"bob"}`, false},
		{`"doc._openid == auth.openid"`, `{"_openid":{"$in":["alice"]}}`, true},
		{`"doc._openid == auth.openid"`, `{"_openid":{"$in":["alice","bob"]}}`, false},
		{`"doc.public == true || doc._openid == auth.openid"`, `{"public":true}`, true},
		{`"doc.public == true || doc._openid == auth.openid"`, `{"$or":[{"public":true},{"_openid":"alice"}]}`, true},
		{`"doc.public == true || doc._openid == auth.openid"`, `{"$or":[{"public":true},{"n":1}]}`, false},
		{`"doc.public == true || doc._openid == auth.openid"`, `{}`, false},
		{`"doc.public"`, `{"public":true}`, true},
		{`"doc.n > 3"`, `{"n":{"$gt":5}}`, true},
		{`"doc.n > 3"`, `{"n":{"$gte":3}}`, false},
		{`"doc.n > 3"`, `{"n":{"$gt":3}}`, true},
		{`"doc.n <= 10 && doc.n >= 0"`, `{"n":{"$gte":1,"$lte":10}}`, true},
		{`"!(doc.status == 'deleted')"`, `{"status":"open"}`, true},
		{`"!(doc.status == 'deleted')"`, `{}`, false},
		{`"doc.status in ['open', 'draft']"`, `{"status":{"$in":["open"]}}`, true},
		{`"doc.status in ['open', 'draft']"`, `{"status":{"$in":["open","gone"]}}`, false},
		{`"auth.openid in doc.members"`, `{"members":"alice"}`, true},
		{`"auth.openid in doc.members"`, `{"members":"bob"}`, false},
		{`"doc._openid == auth.openid"`, `{"$and":[{"_openid":"alice"},{"x":1}]}`, true},
		{`"auth.openid == 'alice'"`, `{}`, true},
		{`true`, `{}`, true},
		{`false`, `{"_openid":"alice"}`, false},
	}
	for _, c := range cases {
		rs, err := Parse([]byte(`{"read":` + c.rule + `}`))
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		got, err := rs.AllowQuery(Read, alice, doc(t, c.query))
		if err != nil || got != c.want {
			t.Errorf("rule %s, query %s = %v (%v), want %v", c.rule, c.query, got, err, c.want)
		}
	}
}

func TestWriteSplitsAndDefaults(t *testing.T) {
	rs, err := Parse([]byte(`{"read":true,"write":"doc._openid == auth.openid","delete":false}`))
	if err != nil {
		t.Fatal(err)
	}
	mine := doc(t, `{"_openid":"alice"}`)
	if ok, _ := rs.Allow(Create, alice, mine); !ok {
		t.Error("write covers create")
	}
	if ok, _ := rs.Allow(Update, alice, mine); !ok {
		t.Error("write covers update")
	}
	if ok, _ := rs.Allow(Delete, alice, mine); ok {
		t.Error("delete overrides write")
	}
	if rs.Source(Delete) != "false" || rs.Source(Create) != "doc._openid == auth.openid" {
		t.Errorf("sources %q %q", rs.Source(Delete), rs.Source(Create))
	}
	only, _ := Parse([]byte(`{"read":true}`))
	if ok, _ := only.Allow(Create, alice, mine); ok {
		t.Error("a missing write rule means admins only")
	}
}

func TestIDOnly(t *testing.T) {
	if id, ok := IDOnly(doc(t, `{"_id":"x"}`)); !ok || id != "x" {
		t.Fatal("plain id")
	}
	if id, ok := IDOnly(doc(t, `{"_id":{"$eq":"y"}}`)); !ok || id != "y" {
		t.Fatal("$eq id")
	}
	if _, ok := IDOnly(doc(t, `{"_id":"x","a":1}`)); ok {
		t.Fatal("more than the id")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"doc._openid == auth.openid", "doc.a > 1 && !(doc.b == 'x') || doc.c in [1, 2]",
		"get('database.users.' + auth.openid).role == 'admin'", "auth.openid in doc.members",
		"doc.a['b'][0] >= now", "((true))", "doc.n + 1 == 2", "'a' + \"b\"", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		rs, err := Parse([]byte(`{"read":` + string(ejson.AppendString(nil, expr)) + `}`))
		if err != nil {
			var se *SyntaxError
			if strings.Contains(err.Error(), "rule") && !errors.As(err, &se) && !strings.Contains(err.Error(), "JSON") {
				t.Fatalf("unstructured error: %v", err)
			}
			return
		}
		// evaluation and proof never panic
		_, _ = rs.Allow(Read, alice, ejson.D{{Key: "a", Value: int64(1)}})
		_, _ = rs.AllowQuery(Read, alice, ejson.D{{Key: "a", Value: int64(1)}})
	})
}
