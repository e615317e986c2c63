package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/migrations"
)

// FileInfo describes a stored file.
type FileInfo struct {
	FileID      string    `json:"fileID"`
	Path        string    `json:"cloudPath"`
	Owner       string    `json:"_openid"` // the uploading user; empty when written with admin rights
	Size        int64     `json:"size"`
	ContentType string    `json:"contentType"`
	MD5         string    `json:"md5"` // hex; the ETag is this, quoted
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`

	id   string
	blob string
}

// ETag is the file's entity tag: its quoted MD5, as COS reports it.
func (f *FileInfo) ETag() string { return `"` + f.MD5 + `"` }

// metaStore keeps file metadata in the _mc_files collection with plain SQL (the
// collection is PocketBase's, so the dashboard shows and edits it).
type metaStore struct {
	readDB, writeDB *sql.DB

	mu    sync.Mutex
	stmts map[*sql.DB]map[string]*sql.Stmt

	// group commit of new files: concurrent creates queue up and one goroutine at a time
	// runs what has queued in one transaction (one write of the log instead of one each)
	qmu      sync.Mutex
	queue    []*createReq
	draining bool
}

// createReq is one queued create: the insert's arguments and where its outcome goes.
type createReq struct {
	args []any
	done chan createRes
}

type createRes struct {
	inserted bool // false: a file with the path exists
	err      error
}

// maxGroup bounds how many creates share one transaction.
const maxGroup = 64

const (
	filesTable = `"` + migrations.Files + `"`
	sqlGetMeta = `SELECT "id", "_openid", "size", "contentType", "md5", "blob", "created", "updated" FROM ` + filesTable + ` WHERE "path" = ?`
	sqlInsert  = `INSERT INTO ` + filesTable + ` ("id", "path", "_openid", "size", "contentType", "md5", "blob", "created", "updated") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlCreate  = sqlInsert + ` ON CONFLICT ("path") DO NOTHING`
	sqlUpdate  = `UPDATE ` + filesTable + ` SET "size" = ?, "contentType" = ?, "md5" = ?, "blob" = ?, "updated" = ? WHERE "id" = ?`
	sqlDelete  = `DELETE FROM ` + filesTable + ` WHERE "id" = ?`
)

func newMetaStore(app core.App) (*metaStore, error) {
	rdb, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		return nil, errors.New("storage: the concurrent database is not a *dbx.DB")
	}
	wdb, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return nil, errors.New("storage: the nonconcurrent database is not a *dbx.DB")
	}
	return &metaStore{readDB: rdb.DB(), writeDB: wdb.DB(), stmts: map[*sql.DB]map[string]*sql.Stmt{}}, nil
}

// stmt returns a prepared statement of db, preparing it once. Write statements must be
// prepared before the transaction that uses them begins: the writer pool has one
// connection, which the transaction holds.
func (m *metaStore) stmt(ctx context.Context, db *sql.DB, text string) (*sql.Stmt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byText := m.stmts[db]
	if byText == nil {
		byText = map[string]*sql.Stmt{}
		m.stmts[db] = byText
	}
	if st, ok := byText[text]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	byText[text] = st
	return st, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanInfo(row rowScanner, p string) (*FileInfo, error) {
	var (
		f                FileInfo
		size             sql.NullFloat64
		created, updated string
	)
	if err := row.Scan(&f.id, &f.Owner, &size, &f.ContentType, &f.MD5, &f.blob, &created, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	f.Path = p
	f.Size = int64(size.Float64)
	if dt, err := types.ParseDateTime(created); err == nil {
		f.Created = dt.Time()
	}
	if dt, err := types.ParseDateTime(updated); err == nil {
		f.Updated = dt.Time()
	}
	return &f, nil
}

// get returns the metadata of a cloud path, or nil when no such file exists.
func (m *metaStore) get(ctx context.Context, p string) (*FileInfo, error) {
	st, err := m.stmt(ctx, m.readDB, sqlGetMeta)
	if err != nil {
		return nil, err
	}
	return scanInfo(st.QueryRowContext(ctx, p), p)
}

// put records a stored file. check sees the current metadata (nil for a new file)
// inside the write transaction and may refuse. An existing record keeps its id, owner
// and created time; the blob it pointed to is returned for deletion.
func (m *metaStore) put(ctx context.Context, f *FileInfo, check func(cur *FileInfo) error) (oldBlob string, err error) {
	// a new file, the common case, takes one statement outside a transaction: the
	// insert succeeds only if no file has the path, and then there was nothing to check
	// against but the caller's right to create files at all
	if check(nil) == nil {
		create, err := m.stmt(ctx, m.writeDB, sqlCreate)
		if err != nil {
			return "", err
		}
		now := types.NowDateTime()
		id := randomID(core.DefaultIdLength, core.DefaultIdAlphabet)
		inserted, err := m.create(create, id, f.Path, f.Owner, f.Size, f.ContentType, f.MD5, f.blob, now.String(), now.String())
		if err != nil {
			return "", fmt.Errorf("save file metadata: %w", err)
		}
		if inserted {
			f.id, f.Created, f.Updated = id, now.Time(), now.Time()
			return "", nil
		}
	}
	get, err := m.stmt(ctx, m.writeDB, sqlGetMeta)
	if err != nil {
		return "", err
	}
	ins, err := m.stmt(ctx, m.writeDB, sqlInsert)
	if err != nil {
		return "", err
	}
	upd, err := m.stmt(ctx, m.writeDB, sqlUpdate)
	if err != nil {
		return "", err
	}
	tx, err := m.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	cur, err := scanInfo(tx.StmtContext(ctx, get).QueryRowContext(ctx, f.Path), f.Path)
	if err != nil {
		return "", err
	}
	if err = check(cur); err != nil {
		return "", err
	}
	now := types.NowDateTime()
	if cur == nil {
		f.id = randomID(core.DefaultIdLength, core.DefaultIdAlphabet)
		f.Created, f.Updated = now.Time(), now.Time()
		_, err = tx.StmtContext(ctx, ins).ExecContext(ctx, f.id, f.Path, f.Owner, f.Size, f.ContentType, f.MD5, f.blob, now.String(), now.String())
	} else {
		f.id, f.Owner, f.Created, f.Updated = cur.id, cur.Owner, cur.Created, now.Time()
		oldBlob = cur.blob
		_, err = tx.StmtContext(ctx, upd).ExecContext(ctx, f.Size, f.ContentType, f.MD5, f.blob, now.String(), f.id)
	}
	if err != nil {
		return "", fmt.Errorf("save file metadata: %w", err)
	}
	if err = tx.Commit(); err != nil {
		return "", err
	}
	return oldBlob, nil
}

// create runs the create statement (an insert that does nothing when the path exists)
// with the creates of other uploads that queue meanwhile, and reports whether it
// inserted.
func (m *metaStore) create(st *sql.Stmt, args ...any) (bool, error) {
	req := &createReq{args: args, done: make(chan createRes, 1)}
	m.qmu.Lock()
	m.queue = append(m.queue, req)
	if !m.draining {
		m.draining = true
		go m.drain(st)
	}
	m.qmu.Unlock()
	r := <-req.done
	return r.inserted, r.err
}

// drain runs the queued creates, a group at a time, until none is left.
func (m *metaStore) drain(st *sql.Stmt) {
	for {
		m.qmu.Lock()
		n := min(len(m.queue), maxGroup)
		if n == 0 {
			m.draining = false
			m.qmu.Unlock()
			return
		}
		group := make([]*createReq, n)
		copy(group, m.queue)
		m.queue = append(m.queue[:0], m.queue[n:]...)
		m.qmu.Unlock()
		m.runGroup(st, group)
	}
}

// runGroup runs creates in one transaction (a lone one on its own). A failed commit fails
// every create of the group.
func (m *metaStore) runGroup(st *sql.Stmt, group []*createReq) {
	ctx := context.Background()
	exec := func(st *sql.Stmt, r *createReq) createRes {
		res, err := st.ExecContext(ctx, r.args...)
		if err != nil {
			return createRes{err: err}
		}
		n, err := res.RowsAffected()
		return createRes{inserted: err == nil && n == 1, err: err}
	}
	if len(group) == 1 {
		group[0].done <- exec(st, group[0])
		return
	}
	out := make([]createRes, len(group))
	tx, err := m.writeDB.BeginTx(ctx, nil)
	if err == nil {
		txst := tx.StmtContext(ctx, st)
		for i, r := range group {
			out[i] = exec(txst, r)
		}
		err = tx.Commit()
	}
	for i, r := range group {
		if err != nil {
			out[i] = createRes{err: err}
		}
		r.done <- out[i]
	}
}

// remove deletes the metadata of a cloud path after check approves the current record
// (nil when there is none). It returns the removed record.
func (m *metaStore) remove(ctx context.Context, p string, check func(cur *FileInfo) error) (_ *FileInfo, err error) {
	get, err := m.stmt(ctx, m.writeDB, sqlGetMeta)
	if err != nil {
		return nil, err
	}
	del, err := m.stmt(ctx, m.writeDB, sqlDelete)
	if err != nil {
		return nil, err
	}
	tx, err := m.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	cur, err := scanInfo(tx.StmtContext(ctx, get).QueryRowContext(ctx, p), p)
	if err != nil {
		return nil, err
	}
	if err = check(cur); err != nil {
		return nil, err
	}
	if _, err = tx.StmtContext(ctx, del).ExecContext(ctx, cur.id); err != nil {
		return nil, err
	}
	if err = tx.Commit(); err != nil {
		return nil, err
	}
	return cur, nil
}
