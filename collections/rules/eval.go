package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// evaluator computes rule values on concrete inputs. doc is nil when a rule is proved
// against a query instead (then doc paths never reach eval).
type evaluator struct {
	env Env
	doc ejson.D
}

// EvalError is a failure while evaluating a rule (a get() that could not read).
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return e.Msg }

func (ev *evaluator) eval(n *node) (any, error) {
	switch n.kind {
	case kLiteral:
		return n.value, nil
	case kList:
		out := make([]any, len(n.args))
		for i, a := range n.args {
			out[i] = a.value
		}
		return out, nil
	case kPath:
		return ev.path(n)
	case kNot:
		v, err := ev.eval(n.args[0])
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case kAnd:
		for _, a := range n.args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if b, _ := v.(bool); !b {
				return false, nil
			}
		}
		return true, nil
	case kOr:
		for _, a := range n.args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if b, _ := v.(bool); b {
				return true, nil
			}
		}
		return false, nil
	case kAdd:
		a, err := ev.eval(n.args[0])
		if err != nil {
			return nil, err
		}
		b, err := ev.eval(n.args[1])
		if err != nil {
			return nil, err
		}
		return add(a, b), nil
	case kCmp:
		a, err := ev.eval(n.args[0])
		if err != nil {
			return nil, err
		}
		b, err := ev.eval(n.args[1])
		if err != nil {
			return nil, err
		}
		return compare(n.op, a, b), nil
	case kGet:
		return ev.get(n)
	}
	return nil, nil
}

func (ev *evaluator) path(n *node) (any, error) {
	switch n.root {
	case "now":
		return ejson.DateOf(ev.env.Now), nil
	case "auth":
		if len(n.segs) == 0 {
			return ev.env.Auth.value(), nil
		}
		var v string
		switch n.segs[0] {
		case "openid":
			v = ev.env.Auth.OpenID
		case "uid":
			v = ev.env.Auth.UID
		case "unionid":
			v = ev.env.Auth.UnionID
		case "loginType":
			v = ev.env.Auth.LoginType
		}
		if len(n.segs) > 1 {
			return nil, nil
		}
		if v == "" {
			return nil, nil
		}
		return v, nil
	case "doc":
		return lookup(ev.doc, n.segs), nil
	}
	return nil, nil
}

func lookup(v any, segs []string) any {
	for _, s := range segs {
		switch x := v.(type) {
		case ejson.D:
			v, _ = x.Get(s)
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// get reads get('database.<collection>.<id>') and then the path after it.
func (ev *evaluator) get(n *node) (any, error) {
	arg, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	ref, ok := arg.(string)
	if !ok || !strings.HasPrefix(ref, "database.") {
		return nil, &EvalError{Msg: "get() takes 'database.<collection>.<id>'"}
	}
	rest := strings.TrimPrefix(ref, "database.")
	dot := strings.IndexByte(rest, '.')
	if dot <= 0 || dot == len(rest)-1 {
		return nil, &EvalError{Msg: "get() takes 'database.<collection>.<id>'"}
	}
	if ev.env.Get == nil {
		return nil, &EvalError{Msg: "get() is not available here"}
	}
	doc, found, err := ev.env.Get(rest[:dot], rest[dot+1:])
	if err != nil {
		return nil, &EvalError{Msg: fmt.Sprintf("get(%q): %v", ref, err)}
	}
	if !found {
		return nil, nil
	}
	return lookup(doc, n.segs), nil
}

func add(a, b any) any {
	_, as := a.(string)
	_, bs := b.(string)
	if as || bs {
		return toString(a) + toString(b)
	}
	if ejson.IsNumber(a) && ejson.IsNumber(b) {
		x, aInt := a.(int64)
		y, bInt := b.(int64)
		if sum := x + y; aInt && bInt && (sum > x) == (y > 0) { // no int64 overflow
			return sum
		}
		return ejson.ToFloat(a) + ejson.ToFloat(b)
	}
	return nil
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	s, _ := ejson.MarshalString(v, ejson.Relaxed)
	return s
}

// compare applies a comparison the way rules do: values of one type compare, numbers
// across int and double; `a in list` tests membership.
func compare(op string, a, b any) bool {
	switch op {
	case "in":
		list, ok := b.([]any)
		if !ok {
			return false
		}
		for _, it := range list {
			if sameValue(a, it) {
				return true
			}
		}
		return false
	case "==":
		return sameValue(a, b)
	case "!=":
		return !sameValue(a, b)
	}
	if a == nil || b == nil || ejson.Rank(a) != ejson.Rank(b) {
		return false
	}
	c := ejson.Compare(a, b)
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func sameValue(a, b any) bool {
	return ejson.Rank(a) == ejson.Rank(b) && ejson.Equal(a, b)
}

// truthy is JavaScript's ToBoolean, which ! applies: false, null, 0, NaN and "" are
// false, every other value (objects, arrays, dates, other strings and numbers) true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int32:
		return x != 0
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	}
	return true
}
