// Package testapp boots PocketBase apps for tests: real SQLite in a temp dir, with
// PocketBase's and Minicloud's migrations applied.
package testapp

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	_ "github.com/minicloud/minicloud/migrations"
)

// New returns a bootstrapped app whose data dir is removed when the test ends.
func New(t testing.TB) core.App {
	t.Helper()
	return NewInDir(t, t.TempDir())
}

// NewInDir boots an app on an existing data dir (for tests that reopen one).
func NewInDir(t testing.TB, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	return app
}
