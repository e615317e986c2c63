// Package ruledoc keeps an environment-wide rule document (function invoke rules,
// storage rules) in a one-record PocketBase collection with text fields `name` and
// `rules`, and caches it: a change made through this process's app (the store, the
// dashboard) applies at once, one made by another process (the CLI writing the data
// directory) within Spec.Recheck. Saves are validated whichever way they come, so a
// dashboard edit with a bad rule is refused.
package ruledoc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Spec describes one rule document.
type Spec[T any] struct {
	Collection string // the one-record collection
	Record     string // the value of the record's `name`
	What       string // for messages: "function rules"
	Parse      func(raw []byte) (T, error)
	JSON       func(T) []byte // the canonical form saved
	// Default is in force while no document is saved; Invalid when the saved one does
	// not parse (only a direct database edit gets there), with InvalidLog logged.
	Default    T
	Invalid    T
	InvalidLog string
	Recheck    time.Duration
}

// Store is the cached rule document of one app.
type Store[T any] struct {
	app     core.App
	spec    Spec[T]
	recheck atomic.Int64 // time.Duration
	cached  atomic.Pointer[cached[T]]
	loadMu  sync.Mutex
}

type cached[T any] struct {
	doc    T
	loaded time.Time
}

// New returns the store of app and registers its record hooks.
func New[T any](app core.App, spec Spec[T]) *Store[T] {
	s := &Store[T]{app: app, spec: spec}
	s.recheck.Store(int64(spec.Recheck))
	invalidate := func(e *core.RecordEvent) error {
		s.cached.Store(nil)
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(spec.Collection).BindFunc(invalidate)
	app.OnRecordAfterUpdateSuccess(spec.Collection).BindFunc(invalidate)
	app.OnRecordAfterDeleteSuccess(spec.Collection).BindFunc(invalidate)
	app.OnRecordValidate(spec.Collection).BindFunc(func(e *core.RecordEvent) error {
		if raw := e.Record.GetString("rules"); !IsEmpty(raw) {
			if _, err := spec.Parse([]byte(raw)); err != nil {
				return err
			}
		}
		return e.Next()
	})
	return s
}

// SetRecheck changes how stale the cache may get (tests use a short one).
func (s *Store[T]) SetRecheck(d time.Duration) { s.recheck.Store(int64(d)) }

func (s *Store[T]) fresh() (T, bool) {
	if c := s.cached.Load(); c != nil && time.Since(c.loaded) < time.Duration(s.recheck.Load()) {
		return c.doc, true
	}
	var zero T
	return zero, false
}

// Get returns the document in force, from the cache when it is fresh.
func (s *Store[T]) Get(ctx context.Context) (T, error) {
	if doc, ok := s.fresh(); ok {
		return doc, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if doc, ok := s.fresh(); ok {
		return doc, nil
	}
	doc, err := s.Load(ctx)
	if err != nil {
		return doc, err
	}
	s.cached.Store(&cached[T]{doc: doc, loaded: time.Now()})
	return doc, nil
}

// Load reads the document from the database (Default when none is saved).
func (s *Store[T]) Load(ctx context.Context) (T, error) {
	var raw sql.NullString
	err := s.app.DB().NewQuery("SELECT `rules` FROM `" + s.spec.Collection + "` WHERE `name` = {:name}").
		WithContext(ctx).Bind(dbx.Params{"name": s.spec.Record}).Row(&raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.spec.Default, nil
	case err != nil:
		var zero T
		return zero, fmt.Errorf("load %s: %w", s.spec.What, err)
	}
	if !raw.Valid || IsEmpty(raw.String) {
		return s.spec.Default, nil
	}
	doc, err := s.spec.Parse([]byte(raw.String))
	if err != nil {
		s.app.Logger().Error(s.spec.InvalidLog, "error", err.Error())
		return s.spec.Invalid, nil
	}
	return doc, nil
}

// Set validates and saves a document; an empty one ("", "null", "{}") deletes it, so
// that the default applies again. It returns the document now in force.
func (s *Store[T]) Set(ctx context.Context, raw []byte) (T, error) {
	var zero T
	rec, err := s.app.FindFirstRecordByData(s.spec.Collection, "name", s.spec.Record)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return zero, fmt.Errorf("save %s: %w", s.spec.What, err)
	}
	if IsEmpty(string(raw)) {
		if rec != nil {
			if err := s.app.Delete(rec); err != nil {
				return zero, fmt.Errorf("save %s: %w", s.spec.What, err)
			}
		}
		s.cached.Store(nil)
		return s.spec.Default, nil
	}
	doc, err := s.spec.Parse(raw)
	if err != nil {
		return zero, err
	}
	if rec == nil {
		col, err := s.app.FindCollectionByNameOrId(s.spec.Collection)
		if err != nil {
			return zero, fmt.Errorf("save %s: %w", s.spec.What, err)
		}
		rec = core.NewRecord(col)
		rec.Set("name", s.spec.Record)
	}
	rec.Set("rules", string(s.spec.JSON(doc)))
	if err := s.app.SaveWithContext(ctx, rec); err != nil {
		return zero, fmt.Errorf("save %s: %w", s.spec.What, err)
	}
	s.cached.Store(nil)
	return doc, nil
}

// IsEmpty reports whether a saved document means "none": the default applies.
func IsEmpty(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "null" || s == "{}" || s == `""`
}
