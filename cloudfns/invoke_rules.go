package cloudfns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections/ruledoc"
	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/migrations"
)

// Function security rules, as CloudBase defines them: one JSON document for the whole
// environment, {"*": {"invoke": <rule>}, "<function>": {"invoke": <rule>}}, where a rule
// is true, false or an expression over auth (CloudBase documents true, false,
// "auth != null" and "auth.loginType != 'ANONYMOUS' && auth != null"; Minicloud accepts
// any expression of the collection rules' language that uses auth, now and literals).
// A function's own entry wins over "*". The rules govern client SDK calls only: admin
// callers, cloud.callFunction from another function, timers and HTTP access bypass
// them. Without a saved document, the default applies: signed-in callers only
// (anonymous sign-in counts as signed in).

// DefaultInvokeRules is CloudBase's default rule document.
const DefaultInvokeRules = `{"*":{"invoke":"auth != null"}}`

// CodePermissionDenied is CloudBase's code for a call the function rules refuse.
const CodePermissionDenied = "PERMISSION_DENIED"

// invokeRulesRecord names the one record of the rules collection.
const invokeRulesRecord = "invoke"

// InvokeRulesRecheck is how stale a running server's rules may be about a change made by
// another process (the CLI).
const InvokeRulesRecheck = time.Second

// ErrInvalidInvokeRules is wrapped by every validation error of ParseInvokeRules.
var ErrInvalidInvokeRules = errors.New("invalid function rules")

// InvokeRules is a parsed rule document.
type InvokeRules struct {
	raw      json.RawMessage
	wildcard *rules.Expr
	byName   map[string]*rules.Expr
}

var defaultInvokeRules = func() *InvokeRules {
	r, err := ParseInvokeRules([]byte(DefaultInvokeRules))
	if err != nil {
		panic(err)
	}
	return r
}()

// ParseInvokeRules validates a rule document. Errors wrap ErrInvalidInvokeRules and name
// the entry (and, for an expression, its line and column).
func ParseInvokeRules(raw []byte) (*InvokeRules, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidInvokeRules, fmt.Sprintf(format, args...))
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil || doc == nil {
		return nil, invalid(`the rules must be a JSON object like {"*":{"invoke":"auth != null"}}`)
	}
	r := &InvokeRules{byName: map[string]*rules.Expr{}}
	names := make([]string, 0, len(doc))
	for name := range doc {
		names = append(names, name)
	}
	sort.Strings(names) // report the first problem deterministically
	for _, name := range names {
		if name != "*" {
			if err := ValidateFunctionName(name); err != nil {
				return nil, invalid("%v", err)
			}
		}
		var entry map[string]any
		dec := json.NewDecoder(bytes.NewReader(doc[name]))
		if err := dec.Decode(&entry); err != nil || entry == nil {
			return nil, invalid(`%q must be an object like {"invoke": true}`, name)
		}
		v, ok := entry["invoke"]
		if !ok {
			return nil, invalid(`%q has no "invoke" rule`, name)
		}
		for k := range entry {
			if k != "invoke" {
				return nil, invalid(`%q: unknown operation %q (only "invoke" exists)`, name, k)
			}
		}
		e, err := rules.ParseExpr(name+".invoke", v, true)
		if err != nil {
			return nil, invalid("%v", err)
		}
		if name == "*" {
			r.wildcard = e
		} else {
			r.byName[name] = e
		}
	}
	if r.wildcard == nil {
		return nil, invalid(`the rules need a "*" entry, the rule of every function not named: {"*":{"invoke":"auth != null"}}`)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, invalid("%v", err)
	}
	r.raw = buf.Bytes()
	return r, nil
}

// JSON returns the document as saved (compacted).
func (r *InvokeRules) JSON() json.RawMessage { return r.raw }

// Rule returns the rule that governs a function: its own entry, else "*".
func (r *InvokeRules) Rule(function string) *rules.Expr {
	if e, ok := r.byName[function]; ok {
		return e
	}
	return r.wildcard
}

// Allow reports whether a client caller may invoke function.
func (r *InvokeRules) Allow(function string, auth rules.Auth) (bool, error) {
	return r.Rule(function).Eval(rules.Env{Auth: auth, Now: time.Now()})
}

// RuleStore keeps the invoke rules in the `_mc_function_rules` collection, cached; a
// change made by another process applies within InvokeRulesRecheck.
type RuleStore = ruledoc.Store[*InvokeRules]

// NewRuleStore returns the rule store of app and registers its record hooks.
func NewRuleStore(app core.App) *RuleStore {
	return ruledoc.New(app, ruledoc.Spec[*InvokeRules]{
		Collection: migrations.FunctionRules,
		Record:     invokeRulesRecord,
		What:       "function rules",
		Parse:      ParseInvokeRules,
		JSON:       func(r *InvokeRules) []byte { return r.JSON() },
		Default:    defaultInvokeRules,
		// only a direct database edit gets an invalid document saved: keep the default,
		// which still requires a signed-in caller
		Invalid:    defaultInvokeRules,
		InvalidLog: "saved function rules are invalid; using the default",
		Recheck:    InvokeRulesRecheck,
	})
}
