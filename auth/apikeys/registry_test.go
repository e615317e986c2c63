package apikeys

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

func newTestRegistry(t *testing.T) (*Registry, core.App) {
	t.Helper()
	app := testapp.New(t)
	r, err := NewRegistry(app)
	if err != nil {
		t.Fatal(err)
	}
	return r, app
}

func TestRegistryLifecycle(t *testing.T) {
	r, app := newTestRegistry(t)
	k, err := r.Create("ci")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := r.Lookup(k.SecretID); !ok || got != k.SecretKey {
		t.Fatal("lookup of a new key failed")
	}
	// the secret is sealed at rest: neither the database nor the dashboard shows it
	rec, err := app.FindFirstRecordByData(migrations.APIKeys, "secretId", k.SecretID)
	if err != nil {
		t.Fatal(err)
	}
	if stored := rec.GetString("secretKey"); stored == k.SecretKey || !strings.HasPrefix(stored, sealPrefix) {
		t.Fatalf("secret stored in the clear: %q", stored)
	}
	list, err := r.List()
	if err != nil || len(list) != 1 || list[0].SecretID != k.SecretID {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := r.Revoke(k.SecretID); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Lookup(k.SecretID); ok {
		t.Fatal("revoked key still resolves")
	}
	if err := r.Revoke("AKIDnope"); err != ErrNoSuchKey {
		t.Fatalf("revoking an unknown key: %v", err)
	}
	if _, err := r.Create(""); err == nil {
		t.Fatal("a key needs a name")
	}
}

func TestSealerKeyringIsPrivateAndStable(t *testing.T) {
	dir := t.TempDir()
	s1, err := loadSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s1.seal("secret")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := loadSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.open(sealed); err != nil || got != "secret" {
		t.Fatalf("reopen: %q %v", got, err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyringFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keyring mode %v %v", fi.Mode(), err)
	}
	if _, err := s2.open(sealed[:len(sealed)-4] + "AAAA"); err == nil {
		t.Fatal("tampered secret opened")
	}
	other, _ := loadSealer(t.TempDir())
	if _, err := other.open(sealed); err == nil {
		t.Fatal("opened with another keyring")
	}
}
