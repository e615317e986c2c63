package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase"
)

func runStorageCLI(t *testing.T, dir string, stdin string, args ...string) (string, bool) {
	t.Helper()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: dir, HideStartBanner: true})
	mc := newMinicloud(app)
	mc.registerFlags()
	mc.bind()
	app.RootCmd.AddCommand(mc.storageCommand())
	var out bytes.Buffer
	app.RootCmd.SetOut(&out)
	app.RootCmd.SetErr(&out)
	app.RootCmd.SetIn(strings.NewReader(stdin))
	app.RootCmd.SetArgs(args)
	if err := app.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String(), !mc.commandFailed
}

func TestStorageRulesCommand(t *testing.T) {
	dir := t.TempDir()
	out, ok := runStorageCLI(t, dir, "", "storage", "rules", "get")
	if !ok || !strings.Contains(out, "no custom rules: the preset READONLY applies") {
		t.Fatalf("default: %s", out)
	}
	file := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(file, []byte(`{"read": true, "write": "resource.openid == auth.openid"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, ok = runStorageCLI(t, dir, "", "storage", "rules", "set", file); !ok || !strings.HasPrefix(out, "storage rules saved:") {
		t.Fatalf("set file: %s", out)
	}
	if out, ok = runStorageCLI(t, dir, "", "storage", "rules", "get"); !ok || !strings.Contains(out, `"write": "resource.openid == auth.openid"`) {
		t.Fatalf("get after set: %s", out)
	}
	// a bad rule is refused with its position and changes nothing
	out, ok = runStorageCLI(t, dir, "", "storage", "rules", "set", `{"read": true, "write": "resource.openid =="}`)
	if ok || !strings.Contains(out, `rule "write": line 1, column`) {
		t.Fatalf("bad rule: ok=%v %s", ok, out)
	}
	if out, ok = runStorageCLI(t, dir, "", "storage", "rules", "set", `{"read": true}`); ok || !strings.Contains(out, `need a "write" rule`) {
		t.Fatalf("missing write: ok=%v %s", ok, out)
	}
	if out, _ = runStorageCLI(t, dir, "", "storage", "rules", "get"); !strings.Contains(out, "resource.openid == auth.openid") {
		t.Fatalf("a refused set must change nothing: %s", out)
	}
	if out, ok = runStorageCLI(t, dir, `{"read": false, "write": false}`, "storage", "rules", "set", "-"); !ok || !strings.Contains(out, `"read": false`) {
		t.Fatalf("stdin: %s", out)
	}
	if out, ok = runStorageCLI(t, dir, "", "storage", "rules", "set", "{}"); !ok || !strings.Contains(out, "no custom rules") {
		t.Fatalf("reset: %s", out)
	}
	if out, ok = runStorageCLI(t, dir, "", "storage", "rules", "set", filepath.Join(dir, "nope.json")); ok {
		t.Fatalf("missing file: %s", out)
	}
}
