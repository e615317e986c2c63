package collections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/rules"
)

// Client access has two modes. With a permission preset, a creator-only collection
// narrows every client query to the caller's own documents. With security rules,
// CloudBase's semantics apply: a query must provably stay within the rule (else
// permission denied), and an operation on one document by id, or a create, is judged
// on that document. Admin callers skip both.

// OpenIDPlaceholder in a client query stands for the caller's openid, as on CloudBase.
const OpenIDPlaceholder = "{openid}"

// withPlaceholders replaces OpenIDPlaceholder string values in a client's filter.
func withPlaceholders(v any, openid string) any {
	switch x := v.(type) {
	case string:
		if x == OpenIDPlaceholder {
			return openid
		}
	case ejson.D:
		out := make(ejson.D, len(x))
		for i, e := range x {
			out[i] = ejson.E{Key: e.Key, Value: withPlaceholders(e.Value, openid)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withPlaceholders(e, openid)
		}
		return out
	}
	return v
}

// clientFilter applies the placeholder to a client's filter and resolves its server
// dates, so that the rules judge the values the query will use (admin filters are as
// given; prepareFilter resolves their dates).
func clientFilter(filter ejson.D, caller Caller) ejson.D {
	if caller.Admin || filter == nil {
		return filter
	}
	d := withPlaceholders(filter, caller.OpenID).(ejson.D)
	return ejson.ResolveServerDates(d, time.Now()).(ejson.D)
}

// authorizeRead decides a read: own reports that the query must be narrowed to the
// caller's documents (creator-only preset).
func (s *Store) authorizeRead(ctx context.Context, c *coll, caller Caller, filter ejson.D) (own bool, err error) {
	return s.authorize(ctx, c, caller, rules.Read, filter)
}

// authorizeWrite decides an update or remove by filter.
func (s *Store) authorizeWrite(ctx context.Context, c *coll, caller Caller, op rules.Op, filter ejson.D) (own bool, err error) {
	return s.authorize(ctx, c, caller, op, filter)
}

func (s *Store) authorize(ctx context.Context, c *coll, caller Caller, op rules.Op, filter ejson.D) (bool, error) {
	if caller.Admin {
		return false, nil
	}
	st := c.settings()
	if st.rules == nil {
		acc := st.preset.readAccess(caller)
		if op != rules.Read {
			acc = st.preset.writeAccess(caller)
		}
		switch acc {
		case accessDenied:
			return false, denied(c.name, string(op))
		case accessOwn:
			return true, nil
		}
		return false, nil
	}
	env := s.ruleEnv(ctx, caller)
	var ok bool
	var err error
	if id, byID := rules.IDOnly(filter); byID {
		doc, found, gerr := s.docByID(ctx, c, id)
		if gerr != nil {
			return false, gerr
		}
		if !found {
			return false, nil // nothing to see or change; an upsert is judged as a create
		}
		ok, err = st.rules.Allow(op, env, doc)
	} else {
		ok, err = st.rules.AllowQuery(op, env, filter)
	}
	if err != nil {
		return false, newError(CodePermissionDenied, "permission denied: the %s rule of %s failed: %v", op, c.name, err)
	}
	if !ok {
		return false, newError(CodePermissionDenied, "permission denied: the query is not within the %s rule of collection %s", op, c.name)
	}
	return false, nil
}

// authorizeCreate judges new documents (with _openid already stamped) under rules, or
// the preset's write access.
func (s *Store) authorizeCreate(ctx context.Context, c *coll, caller Caller, docs []ejson.D) error {
	if caller.Admin {
		return nil
	}
	st := c.settings()
	if st.rules == nil {
		if st.preset.writeAccess(caller) == accessDenied {
			return denied(c.name, "create")
		}
		return nil
	}
	env := s.ruleEnv(ctx, caller)
	for _, d := range docs {
		ok, err := st.rules.Allow(rules.Create, env, d)
		if err != nil {
			return newError(CodePermissionDenied, "permission denied: the create rule of %s failed: %v", c.name, err)
		}
		if !ok {
			return newError(CodePermissionDenied, "permission denied: the document is not within the create rule of collection %s", c.name)
		}
	}
	return nil
}

// ruleEnv is the rules' view of a caller; get() reads with admin rights, as on CloudBase.
func (s *Store) ruleEnv(ctx context.Context, caller Caller) rules.Env {
	return rules.Env{
		Auth: rules.Auth{OpenID: caller.OpenID, UID: caller.UID, UnionID: caller.UnionID, LoginType: caller.LoginType},
		Now:  time.Now(),
		Get: func(coll, id string) (ejson.D, bool, error) {
			other, err := s.lookup(coll)
			if err != nil {
				var e *Error
				if errors.As(err, &e) && e.Code == CodeCollectionNotExist {
					return nil, false, nil
				}
				return nil, false, err
			}
			return s.docByID(ctx, other, id)
		},
	}
}

// docByID reads one document by id, bypassing permissions.
func (s *Store) docByID(ctx context.Context, c *coll, id string) (ejson.D, bool, error) {
	rows, err := s.query(ctx, s.readDB, `SELECT "`+fieldOpenID+`", `+fieldData+` FROM `+c.table+` WHERE id = ?`, id)
	if err != nil {
		return nil, false, fmt.Errorf("read %s/%s: %w", c.name, id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	var openid string
	var data sql.RawBytes
	if err := rows.Scan(&openid, &data); err != nil {
		return nil, false, err
	}
	doc, err := decodeDocument(id, openid, data)
	if err != nil {
		return nil, false, err
	}
	return doc, true, nil
}

// SetRules saves a collection's security rules (validated first; a bad rule is refused
// with its position). Empty rules (nil, "", "null" or "{}") return it to its preset.
func (s *Store) SetRules(ctx context.Context, name string, raw []byte) error {
	c, err := s.lookup(name)
	if err != nil {
		return err
	}
	stored := "null"
	if trimmed := string(raw); trimmed != "" && trimmed != "null" && trimmed != "{}" {
		rs, err := rules.Parse(raw)
		if err != nil {
			return newError(CodeInvalidParam, "invalid security rules: %v", err)
		}
		stored = string(rs.JSON())
	}
	rec, err := s.app.FindRecordById(MetaCollection, c.metaID)
	if err != nil {
		return fmt.Errorf("set rules of %s: %w", name, err)
	}
	rec.Set("rules", stored)
	if err := s.app.Save(rec); err != nil {
		return fmt.Errorf("set rules of %s: %w", name, err)
	}
	s.refresh(name)
	return nil
}

// Rules returns a collection's security rules as saved ("null" when it uses a preset).
func (s *Store) Rules(name string) ([]byte, error) {
	c, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if rs := c.settings().rules; rs != nil {
		return rs.JSON(), nil
	}
	return []byte("null"), nil
}
