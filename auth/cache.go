package auth

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// MaxCachedUsers bounds the users kept in memory for token checks; past it an arbitrary
// entry is evicted (the next request of that user reads it again).
const MaxCachedUsers = 20000

// userCache holds recently seen user records by id. Records in it are never modified:
// a change to a user replaces or evicts its entry.
type userCache struct {
	mu sync.RWMutex
	m  map[string]*core.Record
	// gen counts evictions: a record read from the database before an eviction may be
	// the version it replaced (a sign-out's old token key), so put refuses it
	gen uint64
}

func (c *userCache) init() { c.m = map[string]*core.Record{} }

// generation is read before loading a user from the database, for put.
func (c *userCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *userCache) get(id string) *core.Record {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[id]
}

// put caches a record loaded when the cache was at generation gen, unless a user was
// evicted since (the load may then predate that change).
func (c *userCache) put(rec *core.Record, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= MaxCachedUsers {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[rec.Id] = rec
}

func (c *userCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, id)
}

// tokenCache remembers access tokens that passed a full check, so that a client's
// next requests with the same token cost a map lookup instead of a JWT parse and an
// HMAC. An entry holds the user record the token was checked against; it is used only
// while that very record is still the user cache's entry (a change to the user, such
// as a sign-out rotating its token key, replaces or evicts it) and before the token's
// expiry.
type tokenCache struct {
	mu sync.RWMutex
	m  map[string]tokenEntry
}

type tokenEntry struct {
	rec *core.Record
	id  Identity
	exp time.Time
}

// maxCachedTokens bounds the tokens remembered; past it an arbitrary entry is evicted.
const maxCachedTokens = 20000

func (c *tokenCache) get(token string) (tokenEntry, bool) {
	c.mu.RLock()
	e, ok := c.m[token]
	c.mu.RUnlock()
	return e, ok
}

func (c *tokenCache) put(token string, e tokenEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]tokenEntry{}
	}
	if len(c.m) >= maxCachedTokens {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[token] = e
}

func (c *tokenCache) drop(token string) {
	c.mu.Lock()
	delete(c.m, token)
	c.mu.Unlock()
}
