package apikeys

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/migrations"
)

// Key is an API key as listed (never with its secret).
type Key struct {
	Name     string    `json:"name"`
	SecretID string    `json:"secretId"`
	Revoked  bool      `json:"revoked"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"lastUsed,omitzero"`
}

// Created is what Create returns once: the only time the secret is shown.
type Created struct {
	SecretID  string `json:"secretId"`
	SecretKey string `json:"secretKey"`
	AccessKey string `json:"accessKey"`
}

// Registry stores API keys in the _mc_apikeys collection and answers lookups from a
// cache that any change to that collection clears, so a revocation takes effect at once.
type Registry struct {
	app   core.App
	mu    sync.RWMutex
	cache map[string]string // secretId -> secretKey of live keys
	seal  *sealer
	used  sync.Map // secretId -> time.Time of the last lastUsed write
}

// NewRegistry creates a registry and keeps its cache in step with the collection.
// Secrets are sealed with the keyring in the app's data directory.
func NewRegistry(app core.App) (*Registry, error) {
	seal, err := loadSealer(app.DataDir())
	if err != nil {
		return nil, err
	}
	r := &Registry{app: app, seal: seal}
	clear := func(e *core.RecordEvent) error {
		r.mu.Lock()
		r.cache = nil
		r.mu.Unlock()
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(migrations.APIKeys).BindFunc(clear)
	app.OnRecordAfterUpdateSuccess(migrations.APIKeys).BindFunc(clear)
	app.OnRecordAfterDeleteSuccess(migrations.APIKeys).BindFunc(clear)
	return r, nil
}

// Create makes a new key pair.
func (r *Registry) Create(name string) (Created, error) {
	if name == "" || len(name) > 100 {
		return Created{}, errors.New("a key needs a name of 1-100 characters")
	}
	col, err := r.app.FindCollectionByNameOrId(migrations.APIKeys)
	if err != nil {
		return Created{}, fmt.Errorf("create key: %w", err)
	}
	id, key, err := NewKeyPair()
	if err != nil {
		return Created{}, fmt.Errorf("create key: %w", err)
	}
	sealed, err := r.seal.seal(key)
	if err != nil {
		return Created{}, fmt.Errorf("create key: %w", err)
	}
	rec := core.NewRecord(col)
	rec.Set("name", name)
	rec.Set("secretId", id)
	rec.Set("secretKey", sealed)
	if err := r.app.Save(rec); err != nil {
		return Created{}, fmt.Errorf("create key: %w", err)
	}
	return Created{SecretID: id, SecretKey: key, AccessKey: AccessKey(id, key)}, nil
}

// List returns every key without secrets.
func (r *Registry) List() ([]Key, error) {
	recs, err := r.app.FindAllRecords(migrations.APIKeys)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	out := make([]Key, 0, len(recs))
	for _, rec := range recs {
		out = append(out, Key{
			Name:     rec.GetString("name"),
			SecretID: rec.GetString("secretId"),
			Revoked:  rec.GetBool("revoked"),
			Created:  rec.GetDateTime("created").Time(),
			LastUsed: rec.GetDateTime("lastUsed").Time(),
		})
	}
	return out, nil
}

// ErrNoSuchKey is returned when revoking an unknown key.
var ErrNoSuchKey = errors.New("no such API key")

// Revoke disables a key at once.
func (r *Registry) Revoke(secretID string) error {
	rec, err := r.app.FindFirstRecordByData(migrations.APIKeys, "secretId", secretID)
	if err != nil {
		return ErrNoSuchKey
	}
	rec.Set("revoked", true)
	if err := r.app.Save(rec); err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	return nil
}

// Lookup returns the secret of a live key.
func (r *Registry) Lookup(secretID string) (string, bool) {
	r.mu.RLock()
	c := r.cache
	r.mu.RUnlock()
	if c == nil {
		c = map[string]string{}
		recs, err := r.app.FindAllRecords(migrations.APIKeys)
		if err != nil {
			return "", false
		}
		for _, rec := range recs {
			if rec.GetBool("revoked") {
				continue
			}
			key, err := r.seal.open(rec.GetString("secretKey"))
			if err != nil {
				r.app.Logger().Error("api key unusable", "secretId", rec.GetString("secretId"), "error", err)
				continue
			}
			c[rec.GetString("secretId")] = key
		}
		r.mu.Lock()
		r.cache = c
		r.mu.Unlock()
	}
	key, ok := c[secretID]
	return key, ok
}

// MarkUsed records when a key was last used (at most once a minute per key, tracked in
// memory so the hot path does not touch the database).
func (r *Registry) MarkUsed(secretID string, now time.Time) {
	if last, ok := r.used.Load(secretID); ok && now.Sub(last.(time.Time)) < time.Minute {
		return
	}
	r.used.Store(secretID, now)
	rec, err := r.app.FindFirstRecordByData(migrations.APIKeys, "secretId", secretID)
	if err != nil {
		return
	}
	if last := rec.GetDateTime("lastUsed").Time(); now.Sub(last) < time.Minute {
		return
	}
	dt, _ := types.ParseDateTime(now)
	rec.Set("lastUsed", dt)
	_ = r.app.SaveNoValidate(rec)
}
