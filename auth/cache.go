package auth

import (
	"sync"

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
}

func (c *userCache) init() { c.m = map[string]*core.Record{} }

func (c *userCache) get(id string) *core.Record {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[id]
}

func (c *userCache) put(rec *core.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	delete(c.m, id)
}
