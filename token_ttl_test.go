package main

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/migrations"
)

// Both token lifetimes are settings (flag, environment default) and reach the tokens
// the server issues.
func TestTokenLifetimeSettings(t *testing.T) {
	newApp := func(t *testing.T) (*pocketbase.PocketBase, *minicloud) {
		app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: t.TempDir()})
		mc := newMinicloud(app)
		mc.registerFlags()
		return app, mc
	}
	t.Run("defaults", func(t *testing.T) {
		t.Setenv("MINICLOUD_ACCESS_TOKEN_TTL", "")
		t.Setenv("MINICLOUD_REFRESH_TOKEN_TTL", "")
		_, mc := newApp(t)
		if mc.cfg.AccessTokenTTL != auth.DefaultAccessTokenTTL || mc.cfg.RefreshTokenTTL != auth.DefaultRefreshTokenTTL {
			t.Fatalf("access %v, refresh %v", mc.cfg.AccessTokenTTL, mc.cfg.RefreshTokenTTL)
		}
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv("MINICLOUD_REFRESH_TOKEN_TTL", "72h")
		_, mc := newApp(t)
		if mc.cfg.RefreshTokenTTL != 72*time.Hour {
			t.Fatalf("refresh %v", mc.cfg.RefreshTokenTTL)
		}
	})
	t.Run("flag over environment, into the issued tokens", func(t *testing.T) {
		t.Setenv("MINICLOUD_REFRESH_TOKEN_TTL", "72h")
		app, mc := newApp(t)
		if err := app.RootCmd.PersistentFlags().Parse([]string{"--refresh-token-ttl", "90m", "--access-token-ttl", "10m"}); err != nil {
			t.Fatal(err)
		}
		mc.bind()
		if err := app.Bootstrap(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = app.ResetBootstrapState() })
		if err := app.RunAllMigrations(); err != nil {
			t.Fatal(err)
		}
		col, err := app.FindCollectionByNameOrId(migrations.Users)
		if err != nil {
			t.Fatal(err)
		}
		user := core.NewRecord(col)
		user.SetRandomPassword()
		if err := app.Save(user); err != nil {
			t.Fatal(err)
		}
		tk, err := mc.auth.IssueTokens(user)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for _, c := range []struct {
			token string
			ttl   time.Duration
		}{{tk.AccessToken, 10 * time.Minute}, {tk.RefreshToken, 90 * time.Minute}} {
			claims := jwt.MapClaims{}
			if _, _, err := jwt.NewParser().ParseUnverified(c.token, claims); err != nil {
				t.Fatal(err)
			}
			exp, err := claims.GetExpirationTime()
			if err != nil || exp == nil {
				t.Fatalf("no exp: %v", err)
			}
			if d := exp.Sub(now); d < c.ttl-time.Minute || d > c.ttl+time.Minute {
				t.Errorf("token expires in %v, want %v", d, c.ttl)
			}
		}
		if tk.ExpiresIn != int64((10 * time.Minute).Seconds()) {
			t.Errorf("expires_in %d", tk.ExpiresIn)
		}
	})
}
