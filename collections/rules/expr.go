package rules

import (
	"fmt"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Expr is one rule on its own, outside a collection's rule set: a cloud function's
// invoke rule, for example.
type Expr struct {
	r *rule
	// usesLoginType: the expression reads auth.loginType (callers may skip looking it up
	// otherwise).
	usesLoginType bool
}

// ParseExpr parses one rule value: true, false or an expression string. name labels
// errors (a *SyntaxError carries the line and column). With authOnly, the expression may
// use auth, now and literals only: doc and get() are refused where they appear.
func ParseExpr(name string, v any, authOnly bool) (*Expr, error) {
	r, err := parseRule(name, v)
	if err != nil {
		return nil, err
	}
	if authOnly && r.expr != nil {
		if n := firstDocUse(r.expr); n != nil {
			p := &parser{src: r.src, rule: name, pos: n.pos}
			what := "doc"
			if n.kind == kGet {
				what = "get()"
			}
			return nil, p.errorf("%s is not available here: use auth, now and literals", what)
		}
	}
	e := &Expr{r: r}
	if r.expr != nil {
		e.usesLoginType = usesAuthField(r.expr, "loginType")
	}
	return e, nil
}

// UsesLoginType reports whether the rule reads auth.loginType.
func (e *Expr) UsesLoginType() bool { return e.usesLoginType }

func usesAuthField(n *node, field string) bool {
	if n.kind == kPath && n.root == "auth" && len(n.segs) > 0 && n.segs[0] == field {
		return true
	}
	for _, a := range n.args {
		if usesAuthField(a, field) {
			return true
		}
	}
	return false
}

// firstDocUse finds a doc path or a get() call in an expression.
func firstDocUse(n *node) *node {
	if (n.kind == kPath && n.root == "doc") || n.kind == kGet {
		return n
	}
	for _, a := range n.args {
		if f := firstDocUse(a); f != nil {
			return f
		}
	}
	return nil
}

// Eval evaluates the rule for a caller: only true allows.
func (e *Expr) Eval(env Env) (bool, error) {
	if e.r.constant != nil {
		return *e.r.constant, nil
	}
	v, err := (&evaluator{env: env}).eval(e.r.expr)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	return ok && b, nil
}

// Value returns the rule as written: a bool or the expression string.
func (e *Expr) Value() any {
	if e.r.constant != nil {
		return *e.r.constant
	}
	return e.r.src
}

// String returns the rule as written ("true", "false" or the expression).
func (e *Expr) String() string {
	if e.r.constant != nil {
		return fmt.Sprint(*e.r.constant)
	}
	return e.r.src
}

// SignedIn reports whether the caller is signed in (auth is not null).
func (a Auth) SignedIn() bool {
	return a.OpenID != "" || a.UID != "" || a.UnionID != ""
}

// value is auth as an expression sees it: null for a caller who is not signed in,
// otherwise an object of its fields.
func (a Auth) value() any {
	if !a.SignedIn() {
		return nil
	}
	d := ejson.D{}
	for _, f := range []struct{ k, v string }{{"openid", a.OpenID}, {"uid", a.UID}, {"unionid", a.UnionID}, {"loginType", a.LoginType}} {
		if f.v != "" {
			d = append(d, ejson.E{Key: f.k, Value: f.v})
		}
	}
	return d
}

// ParseResourceExpr parses one storage rule: true, false or an expression over auth,
// now, literals and resource.openid / resource.path (the file's owner and cloud path),
// which EvalResource supplies. doc and get() are unknown there.
func ParseResourceExpr(name string, v any) (*Expr, error) {
	var r *rule
	switch x := v.(type) {
	case bool:
		r = &rule{constant: &x}
	case string:
		n, err := parseExprOf(name, x, true)
		if err != nil {
			return nil, err
		}
		r = &rule{expr: n, src: x}
	default:
		return nil, fmt.Errorf("rule %q must be true, false or an expression string", name)
	}
	e := &Expr{r: r}
	if r.expr != nil {
		e.usesLoginType = usesAuthField(r.expr, "loginType")
	}
	return e, nil
}

// EvalResource evaluates a rule of ParseResourceExpr for a caller and a file: only true
// allows. resource holds the fields resource.<name> reads (a missing one is null).
func (e *Expr) EvalResource(env Env, resource ejson.D) (bool, error) {
	if e.r.constant != nil {
		return *e.r.constant, nil
	}
	v, err := (&evaluator{env: env, doc: resource}).eval(e.r.expr)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	return ok && b, nil
}
