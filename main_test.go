package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase"
)

// runCLI runs one minicloud command in-process against a data directory.
func runCLI(t *testing.T, dir string, args ...string) (string, bool) {
	t.Helper()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: dir, HideStartBanner: true})
	mc := newMinicloud(app)
	mc.registerFlags()
	mc.bind()
	app.RootCmd.AddCommand(mc.keysCommand(), mc.collectionsCommand())
	var out bytes.Buffer
	app.RootCmd.SetOut(&out)
	app.RootCmd.SetErr(&out)
	app.RootCmd.SetArgs(args)
	if err := app.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String(), !mc.commandFailed
}

func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	out, ok := runCLI(t, dir, "keys", "create", "--name", "ci")
	var k struct{ SecretID, SecretKey, AccessKey string }
	if err := json.Unmarshal([]byte(out), &k); !ok || err != nil || !strings.HasPrefix(k.SecretID, "AKID") || len(k.SecretKey) != 32 {
		t.Fatalf("keys create printed %q (%v)", out, err)
	}
	out, ok = runCLI(t, dir, "keys", "list")
	if !ok || !strings.Contains(out, k.SecretID) || strings.Contains(out, k.SecretKey) {
		t.Fatalf("keys list must show the id and never the secret: %q", out)
	}
	if out, ok = runCLI(t, dir, "keys", "revoke", k.SecretID); !ok {
		t.Fatalf("revoke: %q", out)
	}
	if out, _ = runCLI(t, dir, "keys", "list"); !strings.Contains(out, `"revoked": true`) {
		t.Fatalf("not revoked: %q", out)
	}
	if _, ok = runCLI(t, dir, "keys", "revoke", "AKIDnope"); ok {
		t.Fatal("revoking an unknown key must fail")
	}
}

func TestCollectionsCommands(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"collections", "create", "todos"},
		{"collections", "preset", "todos", "readonly"},
		{"collections", "index", "todos", "by_cat", "category,n:desc"},
	} {
		if out, ok := runCLI(t, dir, args...); !ok {
			t.Fatalf("%v: %s", args, out)
		}
	}
	out, ok := runCLI(t, dir, "collections", "list")
	if !ok || !strings.Contains(out, `"preset": "READONLY"`) || !strings.Contains(out, `"name": "by_cat"`) {
		t.Fatalf("list: %s", out)
	}
	rulesFile := dir + "/rules.json"
	if err := os.WriteFile(rulesFile, []byte(`{"read":"doc._openid == auth.openid","write":false}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, ok := runCLI(t, dir, "collections", "rules", "todos", rulesFile); !ok {
		t.Fatalf("rules: %s", out)
	}
	if out, _ := runCLI(t, dir, "collections", "rules", "todos"); !strings.Contains(out, "doc._openid == auth.openid") {
		t.Fatalf("rules show: %s", out)
	}
	if err := os.WriteFile(rulesFile, []byte(`{"read":"doc._openid =="}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, ok := runCLI(t, dir, "collections", "rules", "todos", rulesFile); ok || !strings.Contains(out, "column") {
		t.Fatalf("a bad rule must be refused with its position: %s", out)
	}
	for _, args := range [][]string{
		{"collections", "preset", "todos", "everyone"},
		{"collections", "create", "bad-name"},
		{"collections", "index", "todos", "x", "a:sideways"},
	} {
		if out, ok := runCLI(t, dir, args...); ok {
			t.Fatalf("%v should fail: %s", args, out)
		}
	}
}

func TestEnvDefaults(t *testing.T) {
	t.Setenv("MINICLOUD_ENV_ID", "from-env")
	t.Setenv("MINICLOUD_ANONYMOUS_AUTH", "true")
	t.Setenv("MINICLOUD_MAX_LIMIT", "50")
	t.Setenv("MINICLOUD_ACCESS_TOKEN_TTL", "5m")
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: t.TempDir()})
	mc := newMinicloud(app)
	mc.registerFlags()
	if err := app.RootCmd.PersistentFlags().Parse([]string{"--max-limit", "70"}); err != nil {
		t.Fatal(err)
	}
	if mc.cfg.EnvID != "from-env" || !mc.cfg.AnonymousAuth || mc.cfg.MaxLimit != 70 || mc.cfg.AccessTokenTTL != 5*time.Minute {
		t.Fatalf("config %+v", mc.cfg)
	}
}
