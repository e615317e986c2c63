package collections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/migrations"
)

// Limits of the document database. CloudBase's own figures are named where they differ.
const (
	// DefaultMaxLimit caps every query, from every dialect (CloudBase: 1000 on the server).
	DefaultMaxLimit = 1000
	// DefaultClientLimit is the page size of a client query without limit (CloudBase: 20).
	DefaultClientLimit = 20
	// MaxDocumentBytes bounds one stored document (MongoDB's BSON limit is 16 MiB).
	MaxDocumentBytes = 16 << 20
	// MaxIDLength bounds a document _id.
	MaxIDLength = 128
	// MaxCollectionNameLength bounds a collection name.
	MaxCollectionNameLength = 64
	// MaxInMemorySort bounds how many documents a query may sort outside an index.
	MaxInMemorySort = 200000
	// MaxTrackedArrayPaths bounds the per-collection list of paths that held arrays;
	// past it the collection is treated as arrays-anywhere (correct, but fewer
	// queries run fully in SQL).
	MaxTrackedArrayPaths = 512
)

// Names of the fields every document collection has in PocketBase.
const (
	fieldID      = "id"
	fieldOpenID  = "_openid"
	fieldData    = "data"
	fieldCreated = "created"
	fieldUpdated = "updated"
)

// MetaCollection holds one record per document collection: its permission preset,
// security rules and the paths that have held arrays.
const MetaCollection = migrations.CollectionsMeta

var (
	collectionNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	// idPattern keeps ids usable in URLs: no control characters, slashes, '?' or '#'.
	idPattern = regexp.MustCompile(`^[^\x00-\x1f\x7f/\\?#]+$`)
)

// Config tunes the store.
type Config struct {
	// MaxLimit caps the number of documents one query returns; larger limits are
	// lowered to it. Zero means DefaultMaxLimit.
	MaxLimit int
}

// Store is the document database.
type Store struct {
	app     core.App
	cfg     Config
	mu      sync.Mutex
	colls   map[string]*coll
	readDB  *sql.DB
	writeDB *sql.DB
	// prepared statements by SQL text, per pool
	readStmts, writeStmts *stmtCache
	metaOnce              sync.Once
}

// New creates a store over a bootstrapped PocketBase app.
func New(app core.App, cfg Config) (*Store, error) {
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = DefaultMaxLimit
	}
	s := &Store{app: app, cfg: cfg, colls: map[string]*coll{}}
	rdb, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		return nil, errors.New("collections: unexpected PocketBase database type")
	}
	wdb, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return nil, errors.New("collections: unexpected PocketBase database type")
	}
	s.readDB, s.writeDB = rdb.DB(), wdb.DB()
	s.readStmts, s.writeStmts = newStmtCache(s.readDB), newStmtCache(s.writeDB)
	s.bindHooks()
	return s, nil
}

// MaxLimit is the largest page a query returns.
func (s *Store) MaxLimit() int { return s.cfg.MaxLimit }

// App returns the PocketBase app the store lives in.
func (s *Store) App() core.App { return s.app }

// coll is the cached state of one document collection.
type coll struct {
	store  *Store
	name   string
	table  string // quoted table name, validated
	pbID   string
	metaID string

	// cfg holds the settings another process (the CLI) may change while the server
	// runs; lookups re-check them at most every SettingsRecheck.
	cfg       atomic.Pointer[collSettings]
	checkedAt atomic.Int64 // unix nanoseconds

	// shapeMu guards arrayPaths: readers hold it while planning and reading so that a
	// writer introducing an array path waits for them, then updates it before writing.
	shapeMu    sync.RWMutex
	arrayPaths map[string]bool
	shapeless  bool
}

// collSettings is an immutable snapshot of a collection's permission preset and indexes.
type collSettings struct {
	preset  Preset
	indexed map[string]bool // paths with an index on indexExpr(path)
	// descIndexed marks paths whose index columns are all declared DESC: walking such
	// an index in a path's sort direction visits ties in descending rowid order.
	descIndexed map[string]bool
	// rules are the collection's security rules; nil means the preset applies
	rules *rules.RuleSet
	stamp string // last-modified stamps of the meta record and the collection
}

func (c *coll) settings() *collSettings { return c.cfg.Load() }

// SettingsRecheck is how often a cached collection re-reads its preset and indexes,
// so that changes made by another process (minicloud collections …) take effect.
const SettingsRecheck = 2 * time.Second

// ValidateCollectionName checks a CloudBase collection name.
func ValidateCollectionName(name string) error {
	if len(name) == 0 || len(name) > MaxCollectionNameLength || !collectionNamePattern.MatchString(name) {
		return newError(CodeInvalidParam, "invalid collection name %q: use 1-%d letters, digits and underscores, starting with a letter", name, MaxCollectionNameLength)
	}
	return nil
}

// lookup returns the cached state of a document collection, loading it on first use.
// It returns a COLLECTION_NOT_EXIST error when there is no such document collection.
func (s *Store) lookup(name string) (*coll, error) {
	s.mu.Lock()
	c, ok := s.colls[name]
	s.mu.Unlock()
	if ok {
		if c == nil {
			return nil, newError(CodeCollectionNotExist, "collection %s does not exist", name)
		}
		s.recheck(c)
		return c, nil
	}
	if err := ValidateCollectionName(name); err != nil {
		return nil, err
	}
	c, err := s.load(name)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == CodeCollectionNotExist {
			s.mu.Lock()
			s.colls[name] = nil // remembered until a collection hook forgets it
			s.mu.Unlock()
		}
		return nil, err
	}
	s.mu.Lock()
	if existing, ok := s.colls[name]; ok && existing != nil {
		c = existing
	} else {
		s.colls[name] = c
	}
	s.mu.Unlock()
	return c, nil
}

// forget drops cached state (or a cached absence) so that the next use reloads it.
// Collection names are case-insensitive in PocketBase, so every casing is dropped.
func (s *Store) forget(name string) {
	s.readStmts.reset()
	s.writeStmts.reset()
	s.mu.Lock()
	for k := range s.colls {
		if strings.EqualFold(k, name) {
			delete(s.colls, k)
		}
	}
	s.mu.Unlock()
}

func (s *Store) load(name string) (*coll, error) {
	meta, err := s.app.FindFirstRecordByData(MetaCollection, "name", name)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, newError(CodeCollectionNotExist, "collection %s does not exist", name)
		}
		return nil, fmt.Errorf("load collection %s: %w", name, err)
	}
	pc, err := s.app.FindCollectionByNameOrId(name)
	if err != nil || pc.Name != name {
		return nil, newError(CodeCollectionNotExist, "collection %s does not exist", name)
	}
	c := &coll{
		store:      s,
		name:       name,
		table:      `"` + pc.Name + `"`,
		pbID:       pc.Id,
		metaID:     meta.Id,
		arrayPaths: map[string]bool{},
	}
	c.cfg.Store(settingsOf(meta, pc))
	c.checkedAt.Store(time.Now().UnixNano())
	var paths []string
	if raw := meta.GetString("arrayPaths"); raw != "" && raw != "null" {
		if err := json.Unmarshal([]byte(raw), &paths); err != nil {
			c.shapeless = true
		}
	}
	for _, p := range paths {
		if p == "*" {
			c.shapeless = true
		}
		c.arrayPaths[p] = true
	}
	return c, nil
}

func settingsOf(meta *core.Record, pc *core.Collection) *collSettings {
	p := Preset(meta.GetString("preset"))
	if !p.Valid() {
		p = DefaultPreset
	}
	var rs *rules.RuleSet
	if raw := meta.GetString("rules"); raw != "" && raw != "null" {
		if parsed, err := rules.Parse([]byte(raw)); err == nil {
			rs = parsed
		} else {
			// rules saved around SetRules that no longer parse: deny clients rather than open up
			rs, _ = rules.Parse([]byte(`{"read":false,"write":false}`))
		}
	}
	return &collSettings{preset: p, indexed: indexedPaths(pc), descIndexed: descIndexedPaths(pc), rules: rs, stamp: meta.GetString("updated") + "|" + pc.Updated.String()}
}

// recheck refreshes a cached collection's settings when another process changed them.
// Array paths are never reloaded here: they only grow, in memory first.
func (s *Store) recheck(c *coll) {
	last := c.checkedAt.Load()
	now := time.Now().UnixNano()
	if now-last < int64(SettingsRecheck) || !c.checkedAt.CompareAndSwap(last, now) {
		return
	}
	var metaUpdated, collUpdated string
	err := s.readDB.QueryRow(`SELECT m."updated", c."updated" FROM "`+MetaCollection+`" m, "_collections" c WHERE m.id = ? AND c.id = ?`, c.metaID, c.pbID).Scan(&metaUpdated, &collUpdated)
	if err != nil {
		s.forget(c.name) // renamed or dropped elsewhere: reload on next use
		return
	}
	if metaUpdated+"|"+collUpdated == c.settings().stamp {
		return
	}
	meta, err1 := s.app.FindRecordById(MetaCollection, c.metaID)
	pc, err2 := s.app.FindCollectionByNameOrId(c.pbID)
	if err1 != nil || err2 != nil {
		s.forget(c.name)
		return
	}
	c.cfg.Store(settingsOf(meta, pc))
}

// refresh re-reads a cached collection's settings in place after a change made in this
// process (preset, indexes). The cached object stays, so its array paths, which may
// hold entries an in-flight write has not committed yet, are kept.
func (s *Store) refresh(name string) {
	s.mu.Lock()
	c := s.colls[name]
	s.mu.Unlock()
	if c == nil {
		s.forget(name)
		return
	}
	meta, err1 := s.app.FindRecordById(MetaCollection, c.metaID)
	pc, err2 := s.app.FindCollectionByNameOrId(c.pbID)
	if err1 != nil || err2 != nil || pc.Name != name {
		s.forget(name)
		return
	}
	c.cfg.Store(settingsOf(meta, pc))
}

// Exists reports whether a document collection exists.
func (s *Store) Exists(name string) bool {
	_, err := s.lookup(name)
	return err == nil
}

// CollectionInfo describes a document collection.
type CollectionInfo struct {
	Name    string      `json:"name"`
	Preset  Preset      `json:"preset"`
	Indexes []IndexInfo `json:"indexes"`
	Count   int64       `json:"count"`
}

// ListCollections returns every document collection.
func (s *Store) ListCollections(ctx context.Context) ([]CollectionInfo, error) {
	metas, err := s.app.FindAllRecords(MetaCollection)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	out := make([]CollectionInfo, 0, len(metas))
	for _, m := range metas {
		c, err := s.lookup(m.GetString("name"))
		if err != nil {
			continue
		}
		var n int64
		if err := s.readDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.table).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", c.name, err)
		}
		idx, _ := s.ListIndexes(c.name)
		out = append(out, CollectionInfo{Name: c.name, Preset: c.settings().preset, Indexes: idx, Count: n})
	}
	return out, nil
}

// CreateCollection creates a document collection. It fails with
// COLLECTION_ALREADY_EXIST when the name is taken.
func (s *Store) CreateCollection(ctx context.Context, name string) error {
	if err := ValidateCollectionName(name); err != nil {
		return err
	}
	if _, err := s.app.FindCollectionByNameOrId(name); err == nil {
		return newError(CodeCollectionExists, "collection %s already exists", name)
	}
	col := core.NewBaseCollection(name)
	makeDocumentCollection(col)
	if err := s.app.Save(col); err != nil {
		if _, ferr := s.app.FindCollectionByNameOrId(name); ferr == nil {
			return newError(CodeCollectionExists, "collection %s already exists", name)
		}
		return fmt.Errorf("create collection %s: %w", name, err)
	}
	return nil
}

// ensureCollection returns a collection, creating it first when create is true.
func (s *Store) ensureCollection(ctx context.Context, name string, create bool) (*coll, error) {
	c, err := s.lookup(name)
	if err == nil || !create {
		return c, err
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeCollectionNotExist {
		return nil, err
	}
	if err := s.CreateCollection(ctx, name); err != nil {
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != CodeCollectionExists {
			return nil, err
		}
	}
	return s.lookup(name)
}

// DropCollection deletes a document collection and all its documents.
func (s *Store) DropCollection(ctx context.Context, name string) error {
	c, err := s.lookup(name)
	if err != nil {
		return err
	}
	pc, err := s.app.FindCollectionByNameOrId(c.pbID)
	if err != nil {
		return newError(CodeCollectionNotExist, "collection %s does not exist", name)
	}
	if err := s.app.Delete(pc); err != nil {
		return fmt.Errorf("drop collection %s: %w", name, err)
	}
	s.forget(name)
	return nil
}

// makeDocumentCollection gives a base collection the schema of a document collection:
// a permissive text id (CloudBase ids are client-chosen strings), the owner's openid,
// the document JSON and timestamps. Its PocketBase API rules stay superuser-only:
// clients reach documents only through the CloudBase dialects.
func makeDocumentCollection(col *core.Collection) {
	if f, ok := col.Fields.GetByName(fieldID).(*core.TextField); ok {
		f.Pattern = idPattern.String()
		f.Min = 1
		f.Max = MaxIDLength
		f.AutogeneratePattern = "[a-f0-9]{32}"
	}
	if col.Fields.GetByName(fieldOpenID) == nil {
		col.Fields.Add(&core.TextField{Name: fieldOpenID, Max: 256})
	}
	if col.Fields.GetByName(fieldData) == nil {
		col.Fields.Add(&core.JSONField{Name: fieldData, MaxSize: MaxDocumentBytes})
	}
	if col.Fields.GetByName(fieldCreated) == nil {
		col.Fields.Add(&core.AutodateField{Name: fieldCreated, OnCreate: true})
	}
	if col.Fields.GetByName(fieldUpdated) == nil {
		col.Fields.Add(&core.AutodateField{Name: fieldUpdated, OnCreate: true, OnUpdate: true})
	}
	col.AddIndex("idx_"+col.Name+"__openid", false, "`"+fieldOpenID+"`", "")
	col.ListRule, col.ViewRule, col.CreateRule, col.UpdateRule, col.DeleteRule = nil, nil, nil, nil, nil
}

// isDocumentSchema reports whether a collection has exactly the document fields (or is
// a fresh base collection with only PocketBase's defaults, which becomes one).
func isConvertible(col *core.Collection) bool {
	if !col.IsBase() || strings.HasPrefix(col.Name, "_") || !collectionNamePattern.MatchString(col.Name) {
		return false
	}
	for _, f := range col.Fields {
		switch f.GetName() {
		case fieldID, fieldCreated, fieldUpdated:
		case fieldOpenID:
			if f.Type() != core.FieldTypeText {
				return false
			}
		case fieldData:
			if f.Type() != core.FieldTypeJSON {
				return false
			}
		default:
			return false
		}
	}
	return true
}
