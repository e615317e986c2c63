package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/minicloud/minicloud/internal/testapp"
)

func newTestService(t *testing.T, cfg Config) (*Service, core.App) {
	t.Helper()
	app := testapp.New(t)
	if cfg.EnvID == "" {
		cfg.EnvID = "env-a"
	}
	return New(app, cfg), app
}

// anonymousUser signs a new anonymous user in and issues its tokens.
func anonymousUser(t *testing.T, s *Service) (*core.Record, Tokens) {
	t.Helper()
	rec, err := s.SignInAnonymously()
	if err != nil {
		t.Fatal(err)
	}
	tk, err := s.IssueTokens(rec)
	if err != nil {
		t.Fatal(err)
	}
	return rec, tk
}

func TestAnonymousDisabled(t *testing.T) {
	s, _ := newTestService(t, Config{})
	if _, err := s.SignInAnonymously(); !errors.Is(err, ErrDisabled) {
		t.Fatalf("want ErrDisabled, got %v", err)
	}
}

func TestTokenLifecycle(t *testing.T) {
	s, app := newTestService(t, Config{Anonymous: true})
	rec, tk := anonymousUser(t, s)
	id, err := s.Verify(tk.AccessToken)
	if err != nil || id.UserID != rec.Id || id.OpenID != rec.Id || id.Type != TypeAnonymous {
		t.Fatalf("verify: %+v %v", id, err)
	}
	// PocketBase itself accepts the access token (its middleware sets e.Auth)
	if pbRec, err := app.FindAuthRecordByToken(tk.AccessToken, core.TokenTypeAuth); err != nil || pbRec.Id != rec.Id {
		t.Fatalf("PocketBase rejects the token: %v", err)
	}
	// but never the refresh token
	if _, err := app.FindAuthRecordByToken(tk.RefreshToken, core.TokenTypeAuth); err == nil {
		t.Fatal("PocketBase accepted a refresh token as an auth token")
	}
	if _, err := s.Verify(tk.RefreshToken); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("refresh token used as access token: %v", err)
	}
	fresh, err := s.Refresh(tk.RefreshToken)
	if err != nil || fresh.AccessToken == "" {
		t.Fatalf("refresh: %v", err)
	}
	if err := s.SignOut(rec); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{tk.AccessToken, fresh.AccessToken} {
		if _, err := s.Verify(tok); err == nil {
			t.Fatal("token survived sign-out")
		}
	}
	if _, err := s.Refresh(fresh.RefreshToken); err == nil {
		t.Fatal("refresh token survived sign-out")
	}
}

func TestTokenRejections(t *testing.T) {
	s, _ := newTestService(t, Config{Anonymous: true, AccessTokenTTL: time.Second})
	rec, err := s.SignInAnonymously()
	if err != nil {
		t.Fatal(err)
	}
	other := New(s.app, Config{EnvID: "env-b"})
	tk, _ := other.IssueTokens(rec)
	if _, err := s.Verify(tk.AccessToken); !errors.Is(err, ErrWrongEnv) {
		t.Fatalf("token of another env: %v", err)
	}
	expired, err := security.NewJWT(jwt.MapClaims{
		core.TokenClaimType: core.TokenTypeAuth, core.TokenClaimId: rec.Id,
		core.TokenClaimCollectionId: rec.Collection().Id, "aud": "env-a",
		"exp": time.Now().Add(-time.Minute).Unix(),
	}, s.signingKey(rec), -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(expired); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired token: %v", err)
	}
	forged, _ := security.NewJWT(jwt.MapClaims{
		core.TokenClaimType: core.TokenTypeAuth, core.TokenClaimId: rec.Id,
		core.TokenClaimCollectionId: rec.Collection().Id, "aud": "env-a",
	}, "not-the-key", time.Hour)
	for _, bad := range []string{"", "abc", forged} {
		if _, err := s.Verify(bad); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%q: want ErrInvalidToken, got %v", bad, err)
		}
	}
}

func TestVerifyCached(t *testing.T) {
	s, _ := newTestService(t, Config{Anonymous: true})
	a, _ := s.SignInAnonymously()
	tk, _ := s.IssueTokens(a)
	for i := 0; i < 2; i++ { // a miss, then a hit
		if id, err := s.VerifyCached(tk.AccessToken); err != nil || id.UserID != a.Id {
			t.Fatalf("round %d: %+v %v", i, id, err)
		}
	}
	if s.users.get(a.Id) == nil {
		t.Fatal("user not cached")
	}
	if _, err := s.VerifyCached(tk.RefreshToken); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("refresh token: %v", err)
	}
	// sign-out rotates the key: the cached copy must not keep the old token alive
	if err := s.SignOut(a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyCached(tk.AccessToken); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token survived sign-out through the cache: %v", err)
	}
	other := New(s.app, Config{EnvID: "env-b"})
	b, _ := s.SignInAnonymously()
	tb, _ := other.IssueTokens(b)
	if _, err := s.VerifyCached(tb.AccessToken); !errors.Is(err, ErrWrongEnv) {
		t.Fatalf("other env: %v", err)
	}
	for _, bad := range []string{"", "x.y.z", tk.AccessToken[:len(tk.AccessToken)-2] + "AA"} {
		if _, err := s.VerifyCached(bad); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestTokensAreUnique(t *testing.T) {
	s, _ := newTestService(t, Config{Anonymous: true})
	rec, err := s.SignInAnonymously()
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.IssueTokens(rec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.IssueTokens(rec)
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessToken == b.AccessToken || a.RefreshToken == b.RefreshToken {
		t.Fatal("two tokens issued in the same second are identical")
	}
	for _, tk := range []string{a.AccessToken, b.AccessToken} {
		if _, err := s.Verify(tk); err != nil {
			t.Fatalf("verify: %v", err)
		}
	}
}
