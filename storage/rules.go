package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/ruledoc"
	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/migrations"
)

// Custom storage security rules, as CloudBase defines them: one JSON document for the
// environment, {"read": <rule>, "write": <rule>}, where a rule is true, false or an
// expression over auth (null when the caller is not signed in; auth.openid, auth.uid),
// resource.openid (the file's owner: the uploader, or null for a file written with admin
// rights; on a create, the caller who uploads), resource.path (the cloud path), now,
// literals and == != < <= > >= in && || ! +. "write" governs uploads (create and
// overwrite) and deletes. Saved rules replace the preset; clearing them brings the preset
// back. Like the preset, they govern client SDKs only: the admin dialect and cloud
// functions bypass them.

// ErrInvalidRules is wrapped by every validation error of ParseRules.
var ErrInvalidRules = errors.New("invalid storage rules")

// RulesRecheck is how stale a running server's rules may be about a change made by
// another process (the CLI).
const RulesRecheck = time.Second

// storageRulesRecord names the one record of the rules collection.
const storageRulesRecord = "storage"

// Rules is a parsed custom rule document.
type Rules struct {
	raw         json.RawMessage
	read, write *rules.Expr
}

// ParseRules validates a rule document. Errors wrap ErrInvalidRules and name the rule
// (and, for an expression, its line and column).
func ParseRules(raw []byte) (*Rules, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRules, fmt.Sprintf(format, args...))
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc == nil {
		return nil, bad(`the rules must be a JSON object like {"read": true, "write": "resource.openid == auth.openid"}`)
	}
	r := &Rules{}
	for _, k := range []string{"read", "write"} {
		v, ok := doc[k]
		if !ok {
			return nil, bad(`the rules need a %q rule: {"read": true, "write": "resource.openid == auth.openid"}`, k)
		}
		e, err := rules.ParseResourceExpr(k, v)
		if err != nil {
			return nil, bad("%v", err)
		}
		if e.UsesLoginType() {
			return nil, bad("rule %q: auth.loginType is not available in storage rules (use auth, auth.openid, auth.uid)", k)
		}
		if k == "read" {
			r.read = e
		} else {
			r.write = e
		}
	}
	if len(doc) > 2 {
		for k := range doc {
			if k != "read" && k != "write" {
				return nil, bad("unknown rule %q: storage rules are read and write", k)
			}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, bad("%v", err)
	}
	r.raw = buf.Bytes()
	return r, nil
}

// JSON returns the document as saved (compacted).
func (r *Rules) JSON() json.RawMessage { return r.raw }

// allow evaluates a rule for a client caller and a file.
func allow(e *rules.Expr, c Caller, path, owner string) bool {
	var o any
	if owner != "" {
		o = owner
	}
	env := rules.Env{Auth: rules.Auth{OpenID: c.OpenID, UID: c.UID, UnionID: c.UnionID}, Now: time.Now()}
	ok, err := e.EvalResource(env, ejson.D{{Key: "openid", Value: o}, {Key: "path", Value: path}})
	return err == nil && ok
}

// constFalse reports whether a rule is the constant false.
func constFalse(e *rules.Expr) bool { v, ok := e.Value().(bool); return ok && !v }

// RuleStore keeps the custom rules in the `_mc_storage_rules` collection, cached (nil:
// no custom rules, the preset applies); a change made by another process applies
// within RulesRecheck.
type RuleStore = ruledoc.Store[*Rules]

// NewRuleStore returns the rule store of app and registers its record hooks.
func NewRuleStore(app core.App) *RuleStore {
	return ruledoc.New(app, ruledoc.Spec[*Rules]{
		Collection: migrations.StorageRules,
		Record:     storageRulesRecord,
		What:       "storage rules",
		Parse:      ParseRules,
		JSON:       func(r *Rules) []byte { return r.JSON() },
		Default:    nil,
		// only a direct database edit gets an invalid document saved: refuse every
		// client rather than guess
		Invalid:    denyAll,
		InvalidLog: "saved storage rules are invalid; clients are refused until they are fixed",
		Recheck:    RulesRecheck,
	})
}

var denyAll = func() *Rules {
	r, err := ParseRules([]byte(`{"read":false,"write":false}`))
	if err != nil {
		panic(err)
	}
	return r
}()
