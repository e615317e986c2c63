package cloudfns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"golang.org/x/sync/singleflight"

	"github.com/minicloud/minicloud/migrations"
)

// This file keeps deployed functions in PocketBase: _mc_functions (one record per
// function: name, activeVersion) and _mc_function_versions (one per deployed version:
// bundle, config, file list, size, sourceHash). Version numbers count from 1 per
// function and are never reused while the function exists.
//
// Deploying content identical to the active version (same sourceHash: files, maps and
// config) creates no version: DeployChanged reports it unchanged, so redeploying a
// whole cloudfunctions/ folder only versions the functions that changed (and warm
// instances of the others stay). Identical content to an older, inactive version does
// make a new version. The newest MaxKeptVersions versions are kept; a deploy prunes
// older ones (a deploy's version is the newest, so the active one is never pruned).
//
// Active is the invocation path: active versions are cached in memory and re-checked
// at most every ActiveRecheck with one indexed query (the function's record id,
// activeVersion and updated stamps), so a deploy, rollback or delete made by another
// process (the CLI) is picked up by a running server within that window. Changes made
// through this process's PocketBase app (this store, the dashboard) invalidate the
// cache at once through record hooks. OnChange callbacks hear of both.

// ActiveRecheck is how stale Active may be about changes made by another process.
const ActiveRecheck = time.Second

// MaxKeptVersions is how many of a function's newest versions are kept.
const MaxKeptVersions = 50

// ErrFunctionNotFound: no function (or no such version of it). Callers answer
// CodeNotFound.
var ErrFunctionNotFound = errors.New("function not found")

// ErrVersionNotFound is a missing version of an existing function; it matches
// ErrFunctionNotFound too.
var ErrVersionNotFound = fmt.Errorf("%w: no such version", ErrFunctionNotFound)

// FunctionInfo summarises a deployed function.
type FunctionInfo struct {
	Name          string    `json:"name"`
	ActiveVersion int       `json:"activeVersion"`
	Versions      int       `json:"versions"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
}

// VersionInfo describes a stored version without its code.
type VersionInfo struct {
	Function   string     `json:"function"`
	Number     int        `json:"version"`
	Active     bool       `json:"active"`
	Config     Config     `json:"config"`
	Files      []FileInfo `json:"files"`
	Size       int64      `json:"size"`
	SourceHash string     `json:"sourceHash"`
	Created    time.Time  `json:"created"`
}

// Store keeps versioned function deployments.
type Store struct {
	app     core.App
	recheck time.Duration

	mu    sync.RWMutex
	cache map[string]*activeEntry
	gen   uint64 // bumped by every invalidation
	sf    singleflight.Group

	cbMu      sync.RWMutex
	callbacks []func(name string)
}

type activeEntry struct {
	v       *Version
	stamp   string
	checked time.Time
}

// NewStore returns the store of app's functions and registers the record hooks that
// keep its cache current. It does not touch the database until used.
func NewStore(app core.App) *Store {
	s := &Store{app: app, recheck: ActiveRecheck, cache: map[string]*activeEntry{}}
	fnChanged := func(e *core.RecordEvent) error {
		s.changed(e.Record.GetString("name"))
		return e.Next()
	}
	versionChanged := func(e *core.RecordEvent) error {
		s.changed(e.Record.GetString("function"))
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(migrations.Functions).BindFunc(fnChanged)
	app.OnRecordAfterUpdateSuccess(migrations.Functions).BindFunc(fnChanged)
	app.OnRecordAfterDeleteSuccess(migrations.Functions).BindFunc(fnChanged)
	// A new version changes nothing until the function points at it; an edited or
	// deleted one may be the active one.
	app.OnRecordAfterUpdateSuccess(migrations.FunctionVersions).BindFunc(versionChanged)
	app.OnRecordAfterDeleteSuccess(migrations.FunctionVersions).BindFunc(versionChanged)
	return s
}

// OnChange registers fn to hear the name of a function whose active version changed
// (deploy, rollback, delete): at once for changes made in this process, and when
// Active notices a change another process made. fn must not block.
func (s *Store) OnChange(fn func(name string)) {
	s.cbMu.Lock()
	s.callbacks = append(s.callbacks, fn)
	s.cbMu.Unlock()
}

func (s *Store) notify(name string) {
	s.cbMu.RLock()
	cbs := s.callbacks
	s.cbMu.RUnlock()
	for _, fn := range cbs {
		fn(name)
	}
}

func (s *Store) changed(name string) {
	s.mu.Lock()
	delete(s.cache, name)
	s.gen++
	s.mu.Unlock()
	s.notify(name)
}

// Active returns the version of name that invocations run.
func (s *Store) Active(ctx context.Context, name string) (*Version, error) {
	s.mu.RLock()
	e := s.cache[name]
	s.mu.RUnlock()
	if e != nil && time.Since(e.checked) < s.recheck {
		return e.v, nil
	}
	v, err, _ := s.sf.Do(name, func() (any, error) {
		return s.refresh(context.WithoutCancel(ctx), name)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Version), nil
}

// refresh re-reads name's active stamp and, if it changed, the version.
func (s *Store) refresh(ctx context.Context, name string) (*Version, error) {
	s.mu.RLock()
	gen := s.gen
	old := s.cache[name]
	s.mu.RUnlock()

	stamp, active, err := s.activeStamp(ctx, name)
	if err != nil {
		if errors.Is(err, ErrFunctionNotFound) && old != nil {
			s.mu.Lock()
			if s.cache[name] == old {
				delete(s.cache, name)
			}
			s.mu.Unlock()
			s.notify(name) // deleted by another process
		}
		return nil, err
	}
	v := (*Version)(nil)
	if old != nil && old.stamp == stamp {
		v = old.v
	} else {
		if v, err = s.Get(ctx, name, active); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	if s.gen == gen { // no invalidation raced with this read
		s.cache[name] = &activeEntry{v: v, stamp: stamp, checked: time.Now()}
	}
	s.mu.Unlock()
	if old != nil && old.stamp != stamp {
		s.notify(name) // changed by another process
	}
	return v, nil
}

// activeStamp is the cheap check: what identifies name's active version right now.
func (s *Store) activeStamp(ctx context.Context, name string) (string, int, error) {
	var row struct {
		ID        string         `db:"id"`
		Active    int            `db:"activeVersion"`
		Updated   string         `db:"updated"`
		VUpdated  sql.NullString `db:"vupdated"`
		VersionID sql.NullString `db:"vid"`
	}
	err := s.app.DB().NewQuery(
		"SELECT f.id, f.activeVersion, f.updated, v.updated AS vupdated, v.id AS vid FROM " + migrations.Functions +
			" f LEFT JOIN " + migrations.FunctionVersions + " v ON v.function = f.name AND v.version = f.activeVersion" +
			" WHERE f.name = {:name} LIMIT 1").
		Bind(dbx.Params{"name": name}).WithContext(ctx).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
	}
	if err != nil {
		return "", 0, err
	}
	if !row.VersionID.Valid {
		return "", 0, fmt.Errorf("%w: %s has no active version", ErrFunctionNotFound, name)
	}
	return strings.Join([]string{row.ID, strconv.Itoa(row.Active), row.Updated, row.VersionID.String, row.VUpdated.String}, "|"), row.Active, nil
}

// Get returns one version of a function, with its code.
func (s *Store) Get(ctx context.Context, name string, version int) (*Version, error) {
	var row struct {
		Bundle  string `db:"bundle"`
		Config  string `db:"config"`
		Created string `db:"created"`
	}
	err := s.app.DB().NewQuery("SELECT bundle, config, created FROM " + migrations.FunctionVersions +
		" WHERE function = {:name} AND version = {:version} LIMIT 1").
		Bind(dbx.Params{"name": name, "version": version}).WithContext(ctx).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		if exists, ferr := s.exists(ctx, name); ferr == nil && !exists {
			return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
		}
		return nil, fmt.Errorf("%w: %s version %d", ErrVersionNotFound, name, version)
	}
	if err != nil {
		return nil, err
	}
	b, err := decodeBundle(row.Bundle)
	if err != nil {
		return nil, fmt.Errorf("%s version %d: %w", name, version, err)
	}
	if row.Config != "" && row.Config != "null" {
		if err := json.Unmarshal([]byte(row.Config), &b.Config); err != nil {
			return nil, fmt.Errorf("%s version %d: config: %w", name, version, err)
		}
	}
	return &Version{Function: name, Number: version, Bundle: *b, Created: parseTime(row.Created)}, nil
}

func (s *Store) exists(ctx context.Context, name string) (bool, error) {
	var n struct {
		N int `db:"n"`
	}
	err := s.app.DB().NewQuery("SELECT COUNT(*) AS n FROM " + migrations.Functions + " WHERE name = {:name}").
		Bind(dbx.Params{"name": name}).WithContext(ctx).One(&n)
	return n.N > 0, err
}

func parseTime(s string) time.Time {
	dt, err := types.ParseDateTime(s)
	if err != nil {
		return time.Time{}
	}
	return dt.Time()
}

// Deploy stores b as name's newest version and makes it active; see DeployChanged.
func (s *Store) Deploy(ctx context.Context, name string, b *Bundle) (*Version, error) {
	v, _, err := s.DeployChanged(ctx, name, b)
	return v, err
}

// DeployChanged stores b as name's newest version and makes it active, unless b is
// identical to the active version: then it returns that version and changed=false.
func (s *Store) DeployChanged(ctx context.Context, name string, b *Bundle) (v *Version, changed bool, err error) {
	if err := ValidateFunctionName(name); err != nil {
		return nil, false, err
	}
	if b == nil || b.Entry() == "" {
		return nil, false, &DeployError{Function: name, Msg: "the bundle has no entry (index.js)"}
	}
	enc, err := encodeBundle(b)
	if err != nil {
		return nil, false, err
	}
	if len(enc.text) > migrations.MaxStoredBundleChars {
		return nil, false, &DeployError{Function: name, Msg: fmt.Sprintf("the stored bundle would be %d MiB, more than %d MiB", len(enc.text)>>20, migrations.MaxStoredBundleChars>>20)}
	}
	cfg, err := json.Marshal(b.Config)
	if err != nil {
		return nil, false, err
	}
	files, err := json.Marshal(enc.files)
	if err != nil {
		return nil, false, err
	}
	for attempt := 0; ; attempt++ {
		v, changed, err = s.deployTx(ctx, name, b, enc, cfg, files)
		if err == nil || attempt == 2 || !isConflict(err) {
			return v, changed, err
		}
	}
}

// isConflict: another process deployed the same function at the same moment.
func isConflict(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

func (s *Store) deployTx(ctx context.Context, name string, b *Bundle, enc *encodedBundle, cfg, files []byte) (*Version, bool, error) {
	var out *Version
	changed := true
	err := s.app.RunInTransaction(func(tx core.App) error {
		fn, err := tx.FindFirstRecordByData(migrations.Functions, "name", name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if fn != nil {
			var active struct {
				Hash    string `db:"sourceHash"`
				Created string `db:"created"`
			}
			err := tx.DB().NewQuery("SELECT sourceHash, created FROM " + migrations.FunctionVersions +
				" WHERE function = {:name} AND version = {:version} LIMIT 1").
				Bind(dbx.Params{"name": name, "version": fn.GetInt("activeVersion")}).WithContext(ctx).One(&active)
			if err == nil && active.Hash == enc.hash {
				changed = false
				out = &Version{Function: name, Number: fn.GetInt("activeVersion"), Bundle: *b, Created: parseTime(active.Created)}
				return nil
			}
		} else {
			coll, err := tx.FindCollectionByNameOrId(migrations.Functions)
			if err != nil {
				return err
			}
			fn = core.NewRecord(coll)
			fn.Set("name", name)
		}
		var last struct {
			N sql.NullInt64 `db:"n"`
		}
		if err := tx.DB().NewQuery("SELECT MAX(version) AS n FROM " + migrations.FunctionVersions + " WHERE function = {:name}").
			Bind(dbx.Params{"name": name}).WithContext(ctx).One(&last); err != nil {
			return err
		}
		number := int(last.N.Int64) + 1
		vcoll, err := tx.FindCollectionByNameOrId(migrations.FunctionVersions)
		if err != nil {
			return err
		}
		rec := core.NewRecord(vcoll)
		rec.Set("function", name)
		rec.Set("version", number)
		rec.Set("config", types.JSONRaw(cfg))
		rec.Set("files", types.JSONRaw(files))
		rec.Set("size", enc.size)
		rec.Set("sourceHash", enc.hash)
		rec.Set("bundle", enc.text)
		// Validation would count the bundle's runes (a copy four times its size);
		// every field is checked above.
		if err := tx.SaveNoValidateWithContext(ctx, rec); err != nil {
			return err
		}
		fn.Set("activeVersion", number)
		if err := tx.SaveWithContext(ctx, fn); err != nil {
			return err
		}
		if number > MaxKeptVersions {
			if _, err := tx.DB().NewQuery("DELETE FROM " + migrations.FunctionVersions +
				" WHERE function = {:name} AND version <= {:upto}").
				Bind(dbx.Params{"name": name, "upto": number - MaxKeptVersions}).WithContext(ctx).Execute(); err != nil {
				return err
			}
		}
		out = &Version{Function: name, Number: number, Bundle: *b, Created: rec.GetDateTime("created").Time()}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// findFunction reads the record of function name (ErrFunctionNotFound if none).
func findFunction(tx core.App, name string) (*core.Record, error) {
	fn, err := tx.FindFirstRecordByData(migrations.Functions, "name", name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
	}
	return fn, err
}

// Rollback makes an existing version of name the active one.
func (s *Store) Rollback(ctx context.Context, name string, version int) error {
	return s.app.RunInTransaction(func(tx core.App) error {
		fn, err := findFunction(tx, name)
		if err != nil {
			return err
		}
		var n struct {
			N int `db:"n"`
		}
		if err := tx.DB().NewQuery("SELECT COUNT(*) AS n FROM " + migrations.FunctionVersions +
			" WHERE function = {:name} AND version = {:version}").
			Bind(dbx.Params{"name": name, "version": version}).WithContext(ctx).One(&n); err != nil {
			return err
		}
		if n.N == 0 {
			return fmt.Errorf("%w: %s version %d", ErrVersionNotFound, name, version)
		}
		if fn.GetInt("activeVersion") == version {
			return nil
		}
		fn.Set("activeVersion", version)
		return tx.SaveWithContext(ctx, fn)
	})
}

// Delete removes a function and all its versions.
func (s *Store) Delete(ctx context.Context, name string) error {
	return s.app.RunInTransaction(func(tx core.App) error {
		fn, err := findFunction(tx, name)
		if err != nil {
			return err
		}
		if _, err := tx.DB().NewQuery("DELETE FROM " + migrations.FunctionVersions + " WHERE function = {:name}").
			Bind(dbx.Params{"name": name}).WithContext(ctx).Execute(); err != nil {
			return err
		}
		return tx.DeleteWithContext(ctx, fn)
	})
}

// List returns every function, by name.
func (s *Store) List(ctx context.Context) ([]FunctionInfo, error) {
	var rows []struct {
		Name     string `db:"name"`
		Active   int    `db:"activeVersion"`
		Versions int    `db:"versions"`
		Created  string `db:"created"`
		Updated  string `db:"updated"`
	}
	err := s.app.DB().NewQuery("SELECT f.name, f.activeVersion, f.created, f.updated, COUNT(v.id) AS versions FROM " +
		migrations.Functions + " f LEFT JOIN " + migrations.FunctionVersions + " v ON v.function = f.name" +
		" GROUP BY f.id ORDER BY f.name").WithContext(ctx).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make([]FunctionInfo, 0, len(rows))
	for _, r := range rows {
		out = append(out, FunctionInfo{Name: r.Name, ActiveVersion: r.Active, Versions: r.Versions,
			Created: parseTime(r.Created), Updated: parseTime(r.Updated)})
	}
	return out, nil
}

// Versions returns name's stored versions, newest first, without their code.
func (s *Store) Versions(ctx context.Context, name string) ([]VersionInfo, error) {
	var fn struct {
		Active int `db:"activeVersion"`
	}
	err := s.app.DB().NewQuery("SELECT activeVersion FROM " + migrations.Functions + " WHERE name = {:name} LIMIT 1").
		Bind(dbx.Params{"name": name}).WithContext(ctx).One(&fn)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
	}
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Version int    `db:"version"`
		Config  string `db:"config"`
		Files   string `db:"files"`
		Size    int64  `db:"size"`
		Hash    string `db:"sourceHash"`
		Created string `db:"created"`
	}
	err = s.app.DB().NewQuery("SELECT version, config, files, size, sourceHash, created FROM " + migrations.FunctionVersions +
		" WHERE function = {:name} ORDER BY version DESC").Bind(dbx.Params{"name": name}).WithContext(ctx).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make([]VersionInfo, 0, len(rows))
	for _, r := range rows {
		vi := VersionInfo{Function: name, Number: r.Version, Active: r.Version == fn.Active, Size: r.Size,
			SourceHash: r.Hash, Created: parseTime(r.Created)}
		if r.Config != "" {
			_ = json.Unmarshal([]byte(r.Config), &vi.Config)
		}
		if r.Files != "" {
			_ = json.Unmarshal([]byte(r.Files), &vi.Files)
		}
		out = append(out, vi)
	}
	return out, nil
}
