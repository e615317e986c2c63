package auth

import (
	"testing"
	"time"
)

// A token check that misses the cache reads the user from the database; if the user
// signs out between that read and the check caching the record, the cache must not
// keep the old token key (which would keep the revoked token working until it
// expires). The interleaving is replayed step by step.
func TestSignOutDuringTokenCheck(t *testing.T) {
	s, app := newTestService(t, Config{Anonymous: true})
	rec, tk := anonymousUser(t, s)
	// the check misses the cache and reads the user (still with the old token key) …
	gen := s.users.generation()
	stale, err := app.FindRecordById(rec.Collection().Id, rec.Id)
	if err != nil {
		t.Fatal(err)
	}
	// … the user signs out …
	if err := s.SignOut(rec); err != nil {
		t.Fatal(err)
	}
	// … and the check caches what it read
	s.users.put(stale, gen)
	if _, err := s.VerifyCached(tk.AccessToken); err == nil {
		t.Fatal("a revoked access token passed the check from a stale cache entry")
	}
	// an undisturbed load is cached
	other, otk := anonymousUser(t, s)
	if _, err := s.VerifyCached(otk.AccessToken); err != nil || s.users.get(other.Id) == nil {
		t.Fatalf("a fresh user is not cached: %v", err)
	}
}

// A remembered token is honoured only until it expires and while its user is unchanged.
func TestTokenCacheExpiryAndUserChange(t *testing.T) {
	s, _ := newTestService(t, Config{Anonymous: true})
	rec, tk := anonymousUser(t, s)
	if _, err := s.VerifyCached(tk.AccessToken); err != nil {
		t.Fatal(err)
	}
	e, ok := s.tokens.get(tk.AccessToken)
	if !ok {
		t.Fatal("a checked token is not remembered")
	}
	// past its expiry the remembered entry is not used: the token goes through the full
	// check again (which passes here: the token itself has not expired)
	e.exp = time.Now().Add(-time.Second)
	s.tokens.put(tk.AccessToken, e)
	if id, err := s.VerifyCached(tk.AccessToken); err != nil || id.UserID != rec.Id {
		t.Fatalf("a valid token after its cache entry expired: %v", err)
	}
	// an entry whose user record is no longer the cached one is not used either
	e, _ = s.tokens.get(tk.AccessToken)
	s.users.forget(rec.Id)
	if _, ok := s.tokens.get(tk.AccessToken); !ok {
		t.Fatal("entry gone early")
	}
	if s.users.get(e.rec.Id) == e.rec {
		t.Fatal("the user is still cached")
	}
	if _, err := s.VerifyCached(tk.AccessToken); err != nil {
		t.Fatal(err)
	}
	if e2, _ := s.tokens.get(tk.AccessToken); e2.rec == e.rec {
		t.Fatal("the entry was not refreshed from the reloaded user")
	}
}
