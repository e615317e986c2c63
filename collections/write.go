package collections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
	"github.com/minicloud/minicloud/collections/rules"
)

// MaxInsertBatch bounds how many documents one insert may carry.
const MaxInsertBatch = 1000

// InsertOptions tunes Insert.
type InsertOptions struct {
	// CreateCollection creates a missing collection (admin dialect, first write).
	CreateCollection bool
}

// Insert adds documents atomically: all of them or none. It returns their ids.
func (s *Store) Insert(ctx context.Context, caller Caller, name string, docs []ejson.D, opts InsertOptions) ([]string, error) {
	if err := checkClient(caller); err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, newError(CodeInvalidParam, "nothing to insert")
	}
	if len(docs) > MaxInsertBatch {
		return nil, newError(CodeInvalidParam, "at most %d documents per insert", MaxInsertBatch)
	}
	c, err := s.ensureCollection(ctx, name, opts.CreateCollection && caller.Admin)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeCreate(ctx, c, caller, nil); err != nil {
		return nil, err // the preset denies writes before any document is looked at
	}
	now := time.Now()
	type prepared struct {
		id, openid string
		data       []byte
		body       ejson.D
	}
	items := make([]prepared, 0, len(docs))
	bodies := make([]ejson.D, 0, len(docs))
	for _, d := range docs {
		d = ejson.ResolveServerDates(ejson.Clone(d), now).(ejson.D)
		idv, hasID, ov, hasOpenID, body := splitDocument(d)
		p := prepared{body: body}
		if hasID {
			if p.id, err = validateID(idv); err != nil {
				return nil, err
			}
		} else {
			p.id = NewID()
		}
		switch {
		case !caller.Admin:
			p.openid = caller.OpenID // clients cannot claim another owner
		case hasOpenID:
			str, ok := ov.(string)
			if !ok {
				return nil, newError(CodeInvalidParam, "_openid must be a string")
			}
			p.openid = str
		}
		if p.data, err = encodeBody(body); err != nil {
			return nil, err
		}
		items = append(items, p)
		bodies = append(bodies, body)
	}
	if c.settings().rules != nil && !caller.Admin {
		full := make([]ejson.D, len(items))
		for i, it := range items {
			full[i], _ = decodeDocument(it.id, it.openid, it.data)
		}
		if err := s.authorizeCreate(ctx, c, caller, full); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(items))
	insert := c.insertSQL()
	st, err := s.writeStmt(ctx, insert)
	if err != nil {
		return nil, AsError(err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.recordArrayPaths(ctx, tx, c, bodies); err != nil {
			return err
		}
		stamp := pbTime(now)
		var txst *sql.Stmt
		if st != nil {
			txst = tx.StmtContext(ctx, st)
		} else if txst, err = tx.PrepareContext(ctx, insert); err != nil {
			return err
		}
		for i, it := range items {
			if _, err := txst.ExecContext(ctx, it.id, it.openid, string(it.data), stamp, stamp); err != nil {
				return insertError(err, it.id)
			}
			ids[i] = it.id
		}
		return nil
	})
	if err != nil {
		return nil, AsError(err)
	}
	return ids, nil
}

func insertError(err error, id string) error {
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") {
		if strings.Contains(msg, ".id") {
			return newError(CodeDuplicateKey, "duplicate key: a document with _id %q already exists", id)
		}
		return newError(CodeDuplicateKey, "duplicate key: the document repeats a unique index key")
	}
	return err
}

// insertSQL is the statement that inserts one document.
func (c *coll) insertSQL() string {
	return `INSERT INTO ` + c.table + ` (id, "` + fieldOpenID + `", ` + fieldData + `, ` + fieldCreated + `, ` + fieldUpdated + `) VALUES (?, ?, ?, ?, ?)`
}

// inTx runs fn in a write transaction on the single writer connection.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// UpdateSpec is an update request.
type UpdateSpec struct {
	Filter ejson.D
	// Data is an update document ({$set:…}) or plain fields; with Replace it is the
	// whole new document (doc.set).
	Data    ejson.D
	Replace bool
	Multi   bool
	Upsert  bool
}

// UpdateResult reports an update.
type UpdateResult struct {
	Matched    int64
	Updated    int64 // documents whose content changed
	UpsertedID string
	// Doc is the first matched document after the update (nil when none), which the
	// /web and /admin dialects return.
	Doc ejson.D
}

// Update modifies the documents matching a filter, atomically: on any error nothing is
// written.
func (s *Store) Update(ctx context.Context, caller Caller, name string, spec UpdateSpec) (UpdateResult, error) {
	var res UpdateResult
	if err := checkClient(caller); err != nil {
		return res, err
	}
	c, err := s.lookup(name)
	if err != nil {
		return res, err
	}
	now := time.Now()
	upd, err := mql.ParseUpdate(spec.Data, spec.Replace)
	if err != nil {
		return res, AsError(err)
	}
	if !caller.Admin && touchesOwner(spec.Data, spec.Replace) {
		return res, newError(CodePermissionDenied, "clients cannot change _openid")
	}
	filter := clientFilter(spec.Filter, caller)
	own, err := s.authorizeWrite(ctx, c, caller, rules.Update, filter)
	if err != nil {
		return res, err
	}
	f, err := prepareFilter(filter, own, caller.OpenID, now)
	if err != nil {
		return res, AsError(err)
	}
	recheck := s.recheckRules(ctx, c, caller, rules.Update)
	limit := 1
	if spec.Multi {
		limit = -1
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c.shapeMu.RLock()
		matched, err := c.plan(f, nil).matching(ctx, tx, limit)
		c.shapeMu.RUnlock()
		if err != nil {
			return err
		}
		if err := checkRows(recheck, matched); err != nil {
			return err
		}
		res.Matched = int64(len(matched))
		type change struct {
			r      row
			body   ejson.D
			openid string
			data   []byte
		}
		var changes []change
		var bodies []ejson.D
		for _, r := range matched {
			out, changed, err := upd.Apply(r.doc, now)
			if err != nil {
				return err
			}
			if res.Doc == nil {
				res.Doc = out
			}
			if !changed {
				continue
			}
			ch, err := prepareChange(r, out, caller)
			if err != nil {
				return err
			}
			changes = append(changes, change{r: r, body: ch.body, openid: ch.openid, data: ch.data})
			bodies = append(bodies, ch.body)
		}
		if err := s.recordArrayPaths(ctx, tx, c, bodies); err != nil {
			return err
		}
		stamp := pbTime(now)
		for _, ch := range changes {
			if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+fieldData+` = ?, "`+fieldOpenID+`" = ?, `+fieldUpdated+` = ? WHERE rowid = ?`, string(ch.data), ch.openid, stamp, ch.r.rowid); err != nil {
				return insertError(err, ch.r.id)
			}
		}
		res.Updated = int64(len(changes))
		if len(matched) > 0 || !spec.Upsert {
			return nil
		}
		// upsert: the filter's equality fields plus the update
		doc, err := upd.UpsertDoc(equalityFields(filter), now)
		if err != nil {
			return err
		}
		idv, hasID, ov, hasOpenID, body := splitDocument(doc)
		id := NewID()
		if hasID {
			if id, err = validateID(idv); err != nil {
				return err
			}
		}
		openid := caller.OpenID
		if caller.Admin {
			openid = ""
			if hasOpenID {
				str, ok := ov.(string)
				if !ok {
					return newError(CodeInvalidParam, "_openid must be a string")
				}
				openid = str
			}
		}
		data, err := encodeBody(body)
		if err != nil {
			return err
		}
		if c.settings().rules != nil && !caller.Admin {
			created, _ := decodeDocument(id, openid, data)
			if err := s.authorizeCreate(ctx, c, caller, []ejson.D{created}); err != nil {
				return err
			}
		}
		if err := s.recordArrayPaths(ctx, tx, c, []ejson.D{body}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, c.insertSQL(), id, openid, string(data), stamp, stamp); err != nil {
			err = insertError(err, id)
			if !caller.Admin && codeOf(err) == CodeDuplicateKey && hasID {
				// the id exists but lies outside the caller's own documents
				return newError(CodePermissionDenied, "permission denied: document %s belongs to another user", id)
			}
			return err
		}
		res.UpsertedID = id
		res.Doc, _ = decodeDocument(id, openid, data)
		return nil
	})
	if err != nil {
		return UpdateResult{}, AsError(err)
	}
	return res, nil
}

type preparedChange struct {
	body   ejson.D
	openid string
	data   []byte
}

// prepareChange validates an updated document and encodes it for storage.
func prepareChange(r row, out ejson.D, caller Caller) (preparedChange, error) {
	idv, hasID, ov, hasOpenID, body := splitDocument(out)
	if hasID {
		if s, ok := idv.(string); !ok || s != r.id {
			return preparedChange{}, newError(CodeInvalidParam, "_id cannot be changed")
		}
	}
	openid := r.openid
	if caller.Admin {
		openid = ""
		if hasOpenID {
			s, ok := ov.(string)
			if !ok {
				return preparedChange{}, newError(CodeInvalidParam, "_openid must be a string")
			}
			openid = s
		}
	}
	data, err := encodeBody(body)
	if err != nil {
		return preparedChange{}, err
	}
	return preparedChange{body: body, openid: openid, data: data}, nil
}

// touchesOwner reports whether an update writes the _openid field.
func touchesOwner(data ejson.D, replace bool) bool {
	for _, e := range data {
		if e.Key == "_openid" {
			return true
		}
		if strings.HasPrefix(e.Key, "$") {
			if d, ok := e.Value.(ejson.D); ok {
				for _, f := range d {
					if f.Key == "_openid" || strings.HasPrefix(f.Key, "_openid.") {
						return true
					}
				}
			}
		}
	}
	return false
}

// equalityFields extracts the equality conditions of a filter, which seed an upserted
// document as in MongoDB: {a:1}, {a:{$eq:1}} and those inside $and.
func equalityFields(filter ejson.D) ejson.D {
	out := ejson.D{}
	var walk func(d ejson.D)
	walk = func(d ejson.D) {
		for _, e := range d {
			if e.Key == "$and" {
				if arr, ok := e.Value.([]any); ok {
					for _, it := range arr {
						if sub, ok := it.(ejson.D); ok {
							walk(sub)
						}
					}
				}
				continue
			}
			if strings.HasPrefix(e.Key, "$") || strings.Contains(e.Key, ".") {
				continue
			}
			v := e.Value
			if ops, ok := v.(ejson.D); ok && len(ops) > 0 && strings.HasPrefix(ops[0].Key, "$") {
				eq, found := ops.Get("$eq")
				if !found || len(ops) != 1 {
					continue
				}
				v = eq
			}
			if _, isRe := v.(ejson.Regex); isRe {
				continue
			}
			out = out.Set(e.Key, ejson.Clone(v))
		}
	}
	walk(filter)
	return out
}

// Remove deletes the documents matching a filter (the first one unless multi),
// atomically, and returns how many it deleted.
func (s *Store) Remove(ctx context.Context, caller Caller, name string, filter ejson.D, multi bool) (int64, error) {
	if err := checkClient(caller); err != nil {
		return 0, err
	}
	c, err := s.lookup(name)
	if err != nil {
		return 0, err
	}
	filter = clientFilter(filter, caller)
	own, err := s.authorizeWrite(ctx, c, caller, rules.Delete, filter)
	if err != nil {
		return 0, err
	}
	f, err := prepareFilter(filter, own, caller.OpenID, time.Now())
	if err != nil {
		return 0, AsError(err)
	}
	recheck := s.recheckRules(ctx, c, caller, rules.Delete)
	limit := 1
	if multi {
		limit = -1
	}
	var deleted int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		c.shapeMu.RLock()
		matched, err := c.plan(f, nil).matching(ctx, tx, limit)
		c.shapeMu.RUnlock()
		if err != nil {
			return err
		}
		if err := checkRows(recheck, matched); err != nil {
			return err
		}
		const chunk = 500
		for i := 0; i < len(matched); i += chunk {
			end := min(i+chunk, len(matched))
			args := make([]any, 0, end-i)
			for _, r := range matched[i:end] {
				args = append(args, r.rowid)
			}
			res, err := tx.ExecContext(ctx, "DELETE FROM "+c.table+" WHERE rowid IN ("+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+")", args...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			deleted += n
		}
		return nil
	})
	if err != nil {
		return 0, AsError(err)
	}
	return deleted, nil
}

// matching returns the rows matching the plan's filter in insertion order, at most
// limit of them (limit < 0: all).
func (p *readPlan) matching(ctx context.Context, q querier, limit int) ([]row, error) {
	var out []row
	err := p.scan(ctx, q, "rowid", nil, -1, func(r row) (bool, error) {
		if !p.cond.exact && !p.filter.Match(r.doc) {
			return false, nil
		}
		out = append(out, r)
		return limit >= 0 && len(out) >= limit, nil
	})
	return out, err
}

// recheckRules returns the check a client's read, update or remove runs on the rows
// it read or matched, under security rules: each must satisfy the rule itself.
// AllowQuery proves a query's conditions imply the rule, but a query matches as
// MongoDB does (an array holding v matches {f: v}; a missing field matches {f: null})
// where the rule reads the value itself; and for an operation by id, another write may
// have created or changed that document since the rule was judged (an id that did not
// exist passed as "nothing to see or change"). Updates and removes run the check inside
// their write transaction. Nil when there is nothing to check (admin, presets).
func (s *Store) recheckRules(ctx context.Context, c *coll, caller Caller, op rules.Op) func([]row) error {
	rs := c.settings().rules
	if caller.Admin || rs == nil {
		return nil
	}
	return func(rows []row) error {
		env := s.ruleEnv(ctx, caller)
		for _, r := range rows {
			doc := r.doc
			if doc == nil { // read undecoded (FindJSON)
				var err error
				if doc, err = decodeDocument(r.id, r.openid, r.data); err != nil {
					return err
				}
			}
			if ok, err := rs.Allow(op, env, doc); err != nil || !ok {
				return newError(CodePermissionDenied, "permission denied: a document the query matches is not within the %s rule of collection %s", op, c.name)
			}
		}
		return nil
	}
}

// checkRows runs check (from recheckRules) when there is one.
func checkRows(check func([]row) error, rows []row) error {
	if check == nil {
		return nil
	}
	return check(rows)
}

// codeOf returns the code of a database error, or "".
func codeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
