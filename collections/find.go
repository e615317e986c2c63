package collections

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
	"github.com/minicloud/minicloud/collections/rules"
)

// Query is a find request.
type Query struct {
	Filter     ejson.D
	Sort       []mql.SortKey
	Skip       int
	Limit      int // <= 0 or above the store's maximum means the maximum
	Projection ejson.D
}

// readPlan is a query compiled for one collection and caller.
type readPlan struct {
	c       *coll
	filter  *mql.Filter
	cond    sqlCond
	order   string
	ordArgs []any
	sorted  bool // the SQL order is MongoDB's order
	sort    mql.Sort
	near    *mql.Near
	// raw lets exact plans return rows undecoded (row.data), for FindJSON
	raw bool
}

// prepareFilter resolves server dates, parses the filter and adds the caller's owner
// condition when the preset limits it to its own documents.
func prepareFilter(filter ejson.D, own bool, openid string, now time.Time) (*mql.Filter, error) {
	var f *mql.Filter
	if len(filter) == 0 {
		f = &mql.Filter{Root: &mql.And{}}
	} else {
		resolved := ejson.ResolveServerDates(ejson.Clone(filter), now).(ejson.D)
		parsed, err := mql.ParseFilter(resolved)
		if err != nil {
			return nil, err
		}
		f = parsed
	}
	if own {
		owner, err := mql.ParseFilter(ejson.D{{Key: "_openid", Value: openid}})
		if err != nil {
			return nil, err
		}
		f = &mql.Filter{Root: &mql.And{Children: []mql.Node{owner.Root, f.Root}}}
	}
	return f, nil
}

// plan compiles a filter and sort. The caller holds c.shapeMu for reading.
func (c *coll) plan(f *mql.Filter, s mql.Sort) *readPlan {
	pl := planner{c: c}
	p := &readPlan{c: c, filter: f, cond: pl.compileFilter(f), sort: s}
	if near, ok := f.Near(); ok && len(s) == 0 {
		p.near = &near
		return p
	}
	p.order, p.ordArgs, p.sorted = pl.compileSort(s)
	return p
}

// Find runs a query and returns the matching documents, projected.
func (s *Store) Find(ctx context.Context, caller Caller, name string, q Query) ([]ejson.D, error) {
	rows, proj, err := s.find(ctx, caller, name, q, false)
	if err != nil {
		return nil, err
	}
	out := make([]ejson.D, len(rows))
	for i, r := range rows {
		out[i] = proj.Apply(r.doc)
	}
	return out, nil
}

// FindJSON is Find returning each document as relaxed Extended JSON, the storage
// format: a plain query (exact plan, no projection) copies the stored bytes into the
// result instead of decoding and re-encoding every document.
func (s *Store) FindJSON(ctx context.Context, caller Caller, name string, q Query) ([][]byte, error) {
	rows, proj, err := s.find(ctx, caller, name, q, true)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(rows))
	for i, r := range rows {
		if r.doc == nil {
			out[i] = spliceDocument(r.id, r.openid, r.data)
			continue
		}
		b, err := ejson.Marshal(proj.Apply(r.doc), ejson.Relaxed)
		if err != nil {
			return nil, AsError(err)
		}
		out[i] = b
	}
	return out, nil
}

func (s *Store) find(ctx context.Context, caller Caller, name string, q Query, raw bool) ([]row, *mql.Projection, error) {
	if err := checkClient(caller); err != nil {
		return nil, nil, err
	}
	c, err := s.lookup(name)
	if err != nil {
		return nil, nil, err
	}
	filter := clientFilter(q.Filter, caller)
	own, err := s.authorizeRead(ctx, c, caller, filter)
	if err != nil {
		return nil, nil, err
	}
	f, err := prepareFilter(filter, own, caller.OpenID, time.Now())
	if err != nil {
		return nil, nil, AsError(err)
	}
	srt, err := mql.NewSort(q.Sort)
	if err != nil {
		return nil, nil, AsError(err)
	}
	proj, err := mql.ParseProjection(q.Projection)
	if err != nil {
		return nil, nil, AsError(err)
	}
	if q.Skip < 0 {
		return nil, nil, newError(CodeInvalidParam, "skip must not be negative")
	}
	limit := q.Limit
	if limit <= 0 || limit > s.cfg.MaxLimit {
		limit = s.cfg.MaxLimit
	}
	c.shapeMu.RLock()
	defer c.shapeMu.RUnlock()
	p := c.plan(f, srt)
	p.raw = raw && proj.IsEmpty()
	rows, err := p.run(ctx, s.readDB, q.Skip, limit)
	if err != nil {
		return nil, nil, AsError(err)
	}
	if err := checkRows(s.recheckRules(ctx, c, caller, rules.Read), rows); err != nil {
		return nil, nil, err
	}
	return rows, proj, nil
}

// Count returns how many documents match a filter.
func (s *Store) Count(ctx context.Context, caller Caller, name string, filter ejson.D) (int64, error) {
	if err := checkClient(caller); err != nil {
		return 0, err
	}
	c, err := s.lookup(name)
	if err != nil {
		return 0, err
	}
	filter = clientFilter(filter, caller)
	own, err := s.authorizeRead(ctx, c, caller, filter)
	if err != nil {
		return 0, err
	}
	f, err := prepareFilter(filter, own, caller.OpenID, time.Now())
	if err != nil {
		return 0, AsError(err)
	}
	check := s.recheckRules(ctx, c, caller, rules.Read)
	c.shapeMu.RLock()
	defer c.shapeMu.RUnlock()
	p := c.plan(f, nil)
	if p.cond.exact && check == nil {
		n, err := s.countSQL(ctx, c, p.cond)
		if err != nil {
			return 0, AsError(fmt.Errorf("count %s: %w", name, err))
		}
		return n, nil
	}
	var n int64
	// Under rules every document counted is checked with the rule (recheckRules).
	err = p.scan(ctx, s.readDB, "", nil, -1, func(r row) (bool, error) {
		if !p.filter.Match(r.doc) {
			return false, nil
		}
		if err := checkRows(check, []row{r}); err != nil {
			return true, err
		}
		n++
		return false, nil
	})
	if err != nil {
		return 0, AsError(err)
	}
	return n, nil
}

// run executes the plan and returns up to limit matching rows after skipping skip.
func (p *readPlan) run(ctx context.Context, q querier, skip, limit int) ([]row, error) {
	out := []row{}
	switch {
	case p.sorted && p.cond.exact:
		err := p.scan(ctx, q, p.order, p.ordArgs, limit, func(r row) (bool, error) {
			out = append(out, r)
			return false, nil
		}, skip)
		return out, err
	case p.sorted:
		seen := 0
		err := p.scan(ctx, q, p.order, p.ordArgs, -1, func(r row) (bool, error) {
			if !p.filter.Match(r.doc) {
				return false, nil
			}
			seen++
			if seen <= skip {
				return false, nil
			}
			out = append(out, r)
			return len(out) >= limit, nil
		})
		return out, err
	}
	// order in memory: $nearSphere distance, or sort paths that held arrays
	type keyed struct {
		r    row
		keys []any
		dist float64
	}
	var all []keyed
	err := p.scan(ctx, q, "", nil, -1, func(r row) (bool, error) {
		if !p.cond.exact && !p.filter.Match(r.doc) {
			return false, nil
		}
		if len(all) >= MaxInMemorySort {
			return true, newError(CodeInvalidParam, "query sorts more than %d documents without an index: narrow the filter or sort on fields that never hold arrays", MaxInMemorySort)
		}
		k := keyed{r: r}
		if p.near != nil {
			k.dist = p.near.Distance(r.doc)
		} else {
			k.keys = p.sort.Keys(r.doc)
		}
		all = append(all, k)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	lastDesc := tiesDescending(p.sort, p.c.settings().descIndexed)
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if p.near != nil {
			if a.dist != b.dist {
				return a.dist < b.dist || math.IsNaN(b.dist)
			}
		} else if c := p.sort.CompareKeys(a.keys, b.keys); c != 0 {
			return c < 0
		}
		if lastDesc {
			return a.r.rowid > b.r.rowid
		}
		return a.r.rowid < b.r.rowid
	})
	for i := skip; i < len(all) && len(out) < limit; i++ {
		out = append(out, all[i].r)
	}
	return out, nil
}

// scan streams the rows satisfying the plan's SQL condition in the given order.
// limit < 0 means no LIMIT; an optional offset applies with a limit. fn returns true
// to stop early.
func (p *readPlan) scan(ctx context.Context, q querier, order string, orderArgs []any, limit int, fn func(row) (bool, error), offset ...int) error {
	// only an exact, SQL-ordered plan never looks at documents
	lazy := p.raw && p.sorted && p.cond.exact && p.near == nil
	query := "SELECT rowid, id, " + `"` + fieldOpenID + `", ` + fieldData + " FROM " + p.c.table + " WHERE " + p.cond.sql
	args := append([]any{}, p.cond.args...)
	if order != "" {
		query += " ORDER BY " + order
		args = append(args, orderArgs...)
	}
	if limit >= 0 {
		off := 0
		if len(offset) > 0 {
			off = offset[0]
		}
		// The limit is written into the text, never bound: since SQLite 3.47 a bound
		// LIMIT feeds the planner, which marks the statement as depending on that
		// parameter, and binding it (on every run of a cached statement) expires the
		// statement, so each query was parsed and planned again (sqlite3Reprepare).
		// The offset does not affect planning and stays a parameter. A query shape gets
		// one text per distinct limit (at most MaxLimit of them; clients use a few).
		query += " LIMIT " + strconv.Itoa(limit) + " OFFSET ?"
		args = append(args, off)
	}
	rows, err := p.c.store.query(ctx, q, query, args...)
	if err != nil {
		return fmt.Errorf("query %s: %w", p.c.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		var data sql.RawBytes
		if err := rows.Scan(&r.rowid, &r.id, &r.openid, &data); err != nil {
			return fmt.Errorf("read %s: %w", p.c.name, err)
		}
		if lazy {
			// returned as stored: the caller copies the bytes into its response
			r.data = append([]byte(nil), data...)
		} else {
			doc, err := decodeDocument(r.id, r.openid, data)
			if err != nil {
				// a row edited around Minicloud with invalid JSON: skip it rather than fail every query
				continue
			}
			r.doc = doc
		}
		stop, err := fn(r)
		if err != nil {
			return err
		}
		if stop {
			break
		}
	}
	return rows.Err()
}

func (s *Store) countSQL(ctx context.Context, c *coll, cond sqlCond) (int64, error) {
	rows, err := s.query(ctx, s.readDB, "SELECT COUNT(*) FROM "+c.table+" WHERE "+cond.sql, cond.args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// spliceDocument builds a document's relaxed JSON from its stored body without decoding
// it: {"_id":…, <the body's fields>, "_openid":…}, the order decodeDocument produces.
func spliceDocument(id, openid string, body []byte) []byte {
	out := make([]byte, 0, len(body)+len(id)+len(openid)+32)
	out = append(out, `{"_id":`...)
	out = ejson.AppendString(out, id)
	inner := trimObject(body)
	if len(inner) > 0 {
		out = append(out, ',')
		out = append(out, inner...)
	}
	if openid != "" {
		out = append(out, `,"_openid":`...)
		out = ejson.AppendString(out, openid)
	}
	return append(out, '}')
}

// trimObject returns what lies between the braces of a JSON object (stored bodies are
// compact objects written by the store or normalised by its hooks).
func trimObject(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil
	}
	inner := b[1 : len(b)-1]
	for len(inner) > 0 && (inner[0] == ' ' || inner[0] == '\n' || inner[0] == '\t' || inner[0] == '\r') {
		inner = inner[1:]
	}
	return inner
}
