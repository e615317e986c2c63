package rules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExprAuthOnly(t *testing.T) {
	anon := Env{Auth: Auth{OpenID: "o1", UID: "o1", LoginType: "ANONYMOUS"}, Now: time.Now()}
	wechat := Env{Auth: Auth{OpenID: "o2", UID: "u2", LoginType: "WECHAT"}, Now: time.Now()}
	nobody := Env{Now: time.Now()}
	cases := []struct {
		rule                 any
		anon, wechat, nobody bool
	}{
		{true, true, true, true},
		{false, false, false, false},
		{"auth != null", true, true, false},
		{"auth!=null", true, true, false},
		{"auth == null", false, false, true},
		{"auth != null && auth.loginType != 'ANONYMOUS'", false, true, false},
		{"auth.openid in ['o2', 'o3']", false, true, false},
		{"auth.uid == 'u2' || auth.openid == 'o1'", true, true, false},
		{"!(auth == null)", true, true, false},
	}
	for _, c := range cases {
		e, err := ParseExpr("invoke", c.rule, true)
		if err != nil {
			t.Fatalf("%v: %v", c.rule, err)
		}
		for _, x := range []struct {
			env  Env
			want bool
		}{{anon, c.anon}, {wechat, c.wechat}, {nobody, c.nobody}} {
			got, err := e.Eval(x.env)
			if err != nil || got != x.want {
				t.Errorf("%v for %+v: %v %v, want %v", c.rule, x.env.Auth, got, err, x.want)
			}
		}
		if e.Value() != c.rule {
			t.Errorf("Value %v, want %v", e.Value(), c.rule)
		}
	}
}

func TestExprErrors(t *testing.T) {
	cases := []struct {
		rule any
		want string
	}{
		{"auth != ", "line 1, column 9"},
		{"auth.password == 1", `unknown auth field "password"`},
		{"auth != null &&\n  doc.x == 1", "line 2, column 3: doc is not available here"},
		{"get('database.a.b').x == 1", "column 1: get() is not available here"},
		{1, "true, false or an expression"},
	}
	for _, c := range cases {
		_, err := ParseExpr("invoke", c.rule, true)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.rule, err, c.want)
		}
	}
	var se *SyntaxError
	if _, err := ParseExpr("f.invoke", "doc.a == 1", true); !errors.As(err, &se) || se.Rule != "f.invoke" || se.Column != 1 {
		t.Errorf("structured error %#v", err)
	}
	// without authOnly, doc is fine (and a bare doc still needs a field)
	if _, err := ParseExpr("read", "doc.a == 1", false); err != nil {
		t.Error(err)
	}
	if _, err := ParseExpr("read", "doc == null", false); err == nil || !strings.Contains(err.Error(), "doc needs a field") {
		t.Errorf("bare doc: %v", err)
	}
}

// Bare auth works in collection rules too, as CloudBase's "auth != null".
func TestRuleSetBareAuth(t *testing.T) {
	rs, err := Parse([]byte(`{"read":"auth != null","write":"auth != null && doc._openid == auth.openid"}`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := rs.AllowQuery(Read, alice, nil); !ok || err != nil {
		t.Errorf("signed-in read: %v %v", ok, err)
	}
	if ok, _ := rs.AllowQuery(Read, Env{}, nil); ok {
		t.Error("anonymous read allowed")
	}
	if ok, _ := rs.Allow(Create, alice, doc(t, `{"_openid":"alice"}`)); !ok {
		t.Error("own create denied")
	}
	if ok, _ := rs.Allow(Create, Env{}, doc(t, `{}`)); ok {
		t.Error("create without auth allowed")
	}
}

func TestExprUsesLoginType(t *testing.T) {
	for rule, want := range map[any]bool{
		true:           false,
		"auth != null": false,
		"auth != null && auth.loginType != 'ANONYMOUS'": true,
		"!(auth.loginType == 'X')":                      true,
		"auth.openid == 'loginType'":                    false,
	} {
		e, err := ParseExpr("invoke", rule, true)
		if err != nil || e.UsesLoginType() != want {
			t.Errorf("%v: %v %v", rule, e.UsesLoginType(), err)
		}
	}
}
