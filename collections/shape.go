package collections

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strings"

	"github.com/minicloud/minicloud/collections/ejson"
)

// arrayPathsOf lists the dotted paths (array indexes left out) at which doc holds an
// array. The planner runs a condition in SQL only on paths no document ever held an
// array on, because MongoDB's array semantics need the Go matcher.
func arrayPathsOf(doc ejson.D) []string {
	seen := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case ejson.D:
			for _, e := range x {
				p := e.Key
				if prefix != "" {
					p = prefix + "." + e.Key
				}
				walk(p, e.Value)
			}
		case []any:
			seen[prefix] = true
			for _, e := range x {
				walk(prefix, e)
			}
		}
	}
	walk("", doc)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// hasArrayPrefix reports whether any prefix of the path (or the path itself) has held an
// array. Callers hold shapeMu.
func (c *coll) hasArrayPrefix(segs []string) bool {
	if c.shapeless {
		return true
	}
	if len(c.arrayPaths) == 0 {
		return false
	}
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
		if c.arrayPaths[b.String()] {
			return true
		}
	}
	return false
}

// newArrayPaths returns the paths of docs not yet recorded. Callers hold shapeMu.
func (c *coll) newArrayPaths(docs []ejson.D) []string {
	if c.shapeless {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range docs {
		for _, p := range arrayPathsOf(d) {
			if !c.arrayPaths[p] && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// recordArrayPaths adds array paths to the collection's shape, in memory first (so
// that plans made from now on are conservative) and then in its meta record through q,
// inside the caller's transaction. Readers that planned with the old shape finish
// before the memory update: the caller waits for shapeMu.
func (s *Store) recordArrayPaths(ctx context.Context, q querier, c *coll, docs []ejson.D) error {
	c.shapeMu.RLock()
	fresh := c.newArrayPaths(docs)
	c.shapeMu.RUnlock()
	if len(fresh) == 0 {
		return nil
	}
	raw := c.addArrayPaths(fresh)
	_, err := q.ExecContext(ctx, `UPDATE "`+MetaCollection+`" SET "arrayPaths" = ? WHERE id = ?`, raw, c.metaID)
	return err
}

// querier is what plans run against: the read pool or a write transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// addArrayPaths records new array paths in memory, waiting for readers that planned
// with the old shape, and returns the JSON list to persist.
func (c *coll) addArrayPaths(fresh []string) string {
	c.shapeMu.Lock()
	defer c.shapeMu.Unlock()
	for _, p := range fresh {
		c.arrayPaths[p] = true
	}
	if len(c.arrayPaths) > MaxTrackedArrayPaths {
		c.shapeless = true
	}
	list := make([]string, 0, len(c.arrayPaths))
	if c.shapeless {
		list = append(list, "*")
	} else {
		for p := range c.arrayPaths {
			list = append(list, p)
		}
		sort.Strings(list)
	}
	raw, _ := json.Marshal(list)
	return string(raw)
}
