package collections

import (
	"context"
	"database/sql"
	"sync"
)

// MaxCachedStatements bounds the prepared statements kept per connection pool. Query
// shapes repeat (paths and values are parameters), so a few hundred cover an app.
const MaxCachedStatements = 512

// stmtCache keeps prepared statements by SQL text so that a repeated query shape skips
// SQLite's parse and plan step. Statements re-prepare themselves after schema changes.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns a cached statement for text, preparing it on first use; nil when the
// cache is full (the caller then runs the text directly).
func (c *stmtCache) get(ctx context.Context, text string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.m[text]
	c.mu.RUnlock()
	if ok {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[text]; ok {
		return st, nil
	}
	if len(c.m) >= MaxCachedStatements {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.m[text] = st
	return st, nil
}

// reset closes every cached statement (after a collection is dropped or renamed).
func (c *stmtCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// query runs text on q: through the read pool's statement cache, or directly in a
// write transaction (the writer pool has one connection, which the transaction holds,
// so nothing can be prepared on the pool meanwhile).
func (s *Store) query(ctx context.Context, q querier, text string, args ...any) (*sql.Rows, error) {
	if db, ok := q.(*sql.DB); ok && db == s.readDB {
		st, err := s.readStmts.get(ctx, text)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return q.QueryContext(ctx, text, args...)
}

// writeStmt prepares a write statement on the writer pool. Call it before beginning the
// transaction that will use it (see query).
func (s *Store) writeStmt(ctx context.Context, text string) (*sql.Stmt, error) {
	return s.writeStmts.get(ctx, text)
}

// execStmt runs a statement from writeStmt inside a transaction (text when the cache
// was full).
func execStmt(ctx context.Context, tx *sql.Tx, st *sql.Stmt, text string, args ...any) (sql.Result, error) {
	if st == nil {
		return tx.ExecContext(ctx, text, args...)
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}
