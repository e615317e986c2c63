package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestResourceExpr(t *testing.T) {
	alice := Env{Auth: Auth{OpenID: "alice", UID: "ua"}, Now: time.Now()}
	nobody := Env{Now: time.Now()}
	own := ejson.D{{Key: "openid", Value: "alice"}, {Key: "path", Value: "alice/a.png"}}
	other := ejson.D{{Key: "openid", Value: "bob"}, {Key: "path", Value: "public/b.png"}}
	adminFile := ejson.D{{Key: "openid", Value: nil}, {Key: "path", Value: "x"}}
	cases := []struct {
		rule                      any
		own, other, admin, nobody bool
	}{
		{true, true, true, true, true},
		{false, false, false, false, false},
		{"resource.openid == auth.openid", true, false, false, false},
		{"resource.openid == null", false, false, true, false},
		{"auth != null && resource.path in ['public/b.png']", false, true, false, false},
		{"resource.path >= 'public/' && resource.path < 'public0'", false, true, false, false},
		{"auth.uid == 'ua' || resource['openid'] == 'bob'", true, true, true, false},
		{"now > 0 || !(auth == null)", true, true, true, false},
	}
	for _, c := range cases {
		e, err := ParseResourceExpr("read", c.rule)
		if err != nil {
			t.Fatalf("%v: %v", c.rule, err)
		}
		for _, x := range []struct {
			env  Env
			res  ejson.D
			want bool
		}{{alice, own, c.own}, {alice, other, c.other}, {alice, adminFile, c.admin}, {nobody, own, c.nobody}} {
			got, err := e.EvalResource(x.env, x.res)
			if err != nil || got != x.want {
				t.Errorf("%v for %+v on %v: %v %v, want %v", c.rule, x.env.Auth, x.res, got, err, x.want)
			}
		}
	}
}

func TestResourceExprErrors(t *testing.T) {
	cases := []struct {
		rule any
		want string
	}{
		{"doc._openid == auth.openid", `unknown name "doc"`},
		{"get('database.a.b').x == 1", "get() is not available in storage rules"},
		{"resource.size > 1", "use resource.openid"},
		{"resource == null", "use resource.openid"},
		{"resource.openid ==", "line 1, column"},
		{"auth.openid == 'a' &&\n  bogus", `line 2, column 3: unknown name "bogus"`},
		{12, "must be true, false or an expression"},
	}
	for _, c := range cases {
		_, err := ParseResourceExpr("write", c.rule)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.rule, err, c.want)
		}
	}
	// resource stays unknown to collection rules
	_, err := ParseExpr("read", "resource.openid == auth.openid", false)
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, `unknown name "resource"`) {
		t.Errorf("collection rule with resource: %v", err)
	}
}
