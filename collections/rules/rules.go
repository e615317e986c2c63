package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Op is the operation a rule governs.
type Op string

// Operations.
const (
	Read   Op = "read"
	Create Op = "create"
	Update Op = "update"
	Delete Op = "delete"
)

// rule is one parsed entry: a constant or an expression.
type rule struct {
	constant *bool
	expr     *node
	src      string
}

// RuleSet is a collection's parsed security rules.
type RuleSet struct {
	rules map[Op]*rule
	raw   json.RawMessage
}

// Parse validates rules JSON: an object whose keys are read, write, create, update,
// delete, and whose values are booleans or expression strings. "write" covers create,
// update and delete unless they are given.
func Parse(raw []byte) (*RuleSet, error) {
	v, err := ejson.Unmarshal(raw)
	if err != nil {
		return nil, fmt.Errorf("rules must be a JSON object: %v", err)
	}
	d, ok := v.(ejson.D)
	if !ok {
		return nil, fmt.Errorf("rules must be a JSON object")
	}
	rs := &RuleSet{rules: map[Op]*rule{}}
	var write *rule
	for _, e := range d {
		r, err := parseRule(e.Key, e.Value)
		if err != nil {
			return nil, err
		}
		switch e.Key {
		case "read":
			rs.rules[Read] = r
		case "write":
			write = r
		case "create":
			rs.rules[Create] = r
		case "update":
			rs.rules[Update] = r
		case "delete":
			rs.rules[Delete] = r
		default:
			return nil, fmt.Errorf("unknown rule %q: use read, write, create, update or delete", e.Key)
		}
	}
	if write != nil {
		for _, op := range []Op{Create, Update, Delete} {
			if rs.rules[op] == nil {
				rs.rules[op] = write
			}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("rules must be a JSON object: %v", err)
	}
	rs.raw = buf.Bytes()
	return rs, nil
}

func parseRule(name string, v any) (*rule, error) {
	switch x := v.(type) {
	case bool:
		return &rule{constant: &x}, nil
	case string:
		n, err := parseExpr(name, x)
		if err != nil {
			return nil, err
		}
		return &rule{expr: n, src: x}, nil
	}
	return nil, fmt.Errorf("rule %q must be true, false or an expression string", name)
}

// JSON returns the rules as saved.
func (rs *RuleSet) JSON() json.RawMessage { return rs.raw }

// Auth is the caller a rule sees as auth.
type Auth struct {
	OpenID    string
	UID       string
	UnionID   string
	LoginType string
}

// Env is what evaluating a rule needs besides the document.
type Env struct {
	Auth Auth
	Now  time.Time
	// Get reads a document for get('database.<collection>.<id>'); found is false for a
	// missing document. Nil disables get().
	Get func(collection, id string) (doc ejson.D, found bool, err error)
}

// Allow evaluates op's rule on a concrete document: the new document of a create, the
// stored document of a read, update or delete by id.
func (rs *RuleSet) Allow(op Op, env Env, doc ejson.D) (bool, error) {
	r := rs.rules[op]
	if r == nil {
		return false, nil // no rule: only admins
	}
	if r.constant != nil {
		return *r.constant, nil
	}
	ev := &evaluator{env: env, doc: doc}
	v, err := ev.eval(r.expr)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	return ok && b, nil
}

// AllowQuery proves that every document a query filter can match satisfies op's rule,
// which is CloudBase's rule for client queries, updates and removes with a where: the
// query must be a subset of the rule. It reports false when that cannot be shown.
func (rs *RuleSet) AllowQuery(op Op, env Env, filter ejson.D) (bool, error) {
	r := rs.rules[op]
	if r == nil {
		return false, nil
	}
	if r.constant != nil {
		return *r.constant, nil
	}
	branches := queryBranches(filter)
	for _, b := range branches {
		pr := &prover{ev: &evaluator{env: env}, cons: b}
		ok, err := pr.prove(r.expr, false)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// Source returns an op's rule as written ("true"/"false" for constants, "" when unset).
func (rs *RuleSet) Source(op Op) string {
	r := rs.rules[op]
	switch {
	case r == nil:
		return ""
	case r.constant != nil:
		return fmt.Sprint(*r.constant)
	}
	return r.src
}

// IdOnly returns the id when a filter is exactly {_id: "<id>"} (a doc(id) operation),
// which is judged on the stored document rather than proved from the filter.
func IDOnly(filter ejson.D) (string, bool) {
	if len(filter) != 1 || filter[0].Key != "_id" {
		return "", false
	}
	switch v := filter[0].Value.(type) {
	case string:
		return v, true
	case ejson.D:
		if len(v) == 1 && v[0].Key == "$eq" {
			s, ok := v[0].Value.(string)
			return s, ok
		}
	}
	return "", false
}

var _ = strings.TrimSpace
