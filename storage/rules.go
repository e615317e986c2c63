package storage

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections/ejson"
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

// RuleStore keeps the custom rules in the `_mc_storage_rules` collection and caches
// them: a change made through this process's app (this store, the dashboard) applies at
// once, one made by another process within RulesRecheck. Saves are validated whichever
// way they come (a dashboard edit with a bad rule is refused).
type RuleStore struct {
	app     core.App
	recheck time.Duration
	cached  atomic.Pointer[cachedRules]
	loadMu  sync.Mutex
}

type cachedRules struct {
	rules  *Rules // nil: no custom rules
	loaded time.Time
}

// NewRuleStore returns the rule store of app and registers its record hooks.
func NewRuleStore(app core.App) *RuleStore {
	s := &RuleStore{app: app, recheck: RulesRecheck}
	invalidate := func(e *core.RecordEvent) error {
		s.cached.Store(nil)
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(migrations.StorageRules).BindFunc(invalidate)
	app.OnRecordAfterUpdateSuccess(migrations.StorageRules).BindFunc(invalidate)
	app.OnRecordAfterDeleteSuccess(migrations.StorageRules).BindFunc(invalidate)
	app.OnRecordValidate(migrations.StorageRules).BindFunc(func(e *core.RecordEvent) error {
		if raw := e.Record.GetString("rules"); !isEmptyRules(raw) {
			if _, err := ParseRules([]byte(raw)); err != nil {
				return err
			}
		}
		return e.Next()
	})
	return s
}

// Get returns the custom rules in force (nil when none are set), from the cache when it
// is fresh.
func (s *RuleStore) Get(ctx context.Context) (*Rules, error) {
	if c := s.cached.Load(); c != nil && time.Since(c.loaded) < s.recheck {
		return c.rules, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if c := s.cached.Load(); c != nil && time.Since(c.loaded) < s.recheck {
		return c.rules, nil
	}
	r, err := s.Load(ctx)
	if err != nil {
		return nil, err
	}
	s.cached.Store(&cachedRules{rules: r, loaded: time.Now()})
	return r, nil
}

// Load reads the custom rules from the database: nil when none are set.
func (s *RuleStore) Load(ctx context.Context) (*Rules, error) {
	var raw sql.NullString
	err := s.app.DB().NewQuery("SELECT `rules` FROM `" + migrations.StorageRules + "` WHERE `name` = {:name}").
		WithContext(ctx).Bind(dbx.Params{"name": storageRulesRecord}).Row(&raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("load storage rules: %w", err)
	}
	if !raw.Valid || isEmptyRules(raw.String) {
		return nil, nil
	}
	r, err := ParseRules([]byte(raw.String))
	if err != nil {
		// only a direct database edit gets here (saves are validated): refuse every
		// client rather than guess
		s.app.Logger().Error("saved storage rules are invalid; clients are refused until they are fixed", "error", err.Error())
		return denyAll, nil
	}
	return r, nil
}

var denyAll = func() *Rules {
	r, err := ParseRules([]byte(`{"read":false,"write":false}`))
	if err != nil {
		panic(err)
	}
	return r
}()

func isEmptyRules(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "null" || s == "{}" || s == `""`
}

// Set validates and saves a rule document; an empty one ("", "null", "{}") removes the
// custom rules, so that the preset applies again. It returns the rules now in force (nil
// for the preset).
func (s *RuleStore) Set(ctx context.Context, raw []byte) (*Rules, error) {
	rec, err := s.app.FindFirstRecordByData(migrations.StorageRules, "name", storageRulesRecord)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("save storage rules: %w", err)
	}
	if isEmptyRules(string(raw)) {
		if rec != nil {
			if err := s.app.Delete(rec); err != nil {
				return nil, fmt.Errorf("save storage rules: %w", err)
			}
		}
		s.cached.Store(nil)
		return nil, nil
	}
	r, err := ParseRules(raw)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		col, err := s.app.FindCollectionByNameOrId(migrations.StorageRules)
		if err != nil {
			return nil, fmt.Errorf("save storage rules: %w", err)
		}
		rec = core.NewRecord(col)
		rec.Set("name", storageRulesRecord)
	}
	rec.Set("rules", string(r.JSON()))
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("save storage rules: %w", err)
	}
	s.cached.Store(nil)
	return r, nil
}
