package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/pocketbase/pocketbase"

	"github.com/minicloud/minicloud/storage"
)

// bootWith runs `minicloud keys list` with flags and environment variables and returns
// the wired minicloud and the command's error. PocketBase parses the flags it
// bootstraps with from os.Args, so they go there too.
func bootWith(t *testing.T, env map[string]string, args ...string) (*minicloud, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	argv := append([]string{"keys", "list"}, args...)
	oldArgs := os.Args
	os.Args = append([]string{"minicloud"}, argv...)
	defer func() { os.Args = oldArgs }()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: t.TempDir(), HideStartBanner: true})
	mc := newMinicloud(app)
	mc.registerFlags()
	mc.bind()
	app.RootCmd.AddCommand(mc.keysCommand())
	var out bytes.Buffer
	app.RootCmd.SetOut(&out)
	app.RootCmd.SetErr(&out)
	app.RootCmd.SetArgs(argv)
	return mc, app.Execute()
}

func TestStorageFlags(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		mc, err := bootWith(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c := mc.files.Config(); c.Bucket != storage.DefaultBucket || c.MaxUpload != 50<<20 || c.Preset != storage.PresetReadOnly || c.PublicURL != "" || c.EnvID != "minicloud" {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("environment", func(t *testing.T) {
		mc, err := bootWith(t, map[string]string{"MINICLOUD_STORAGE_BUCKET": "7465-env-1300000000", "MINICLOUD_MAX_UPLOAD": "2GiB",
			"MINICLOUD_PUBLIC_URL": "https://api.example.com/", "MINICLOUD_STORAGE_PRESET": "private"})
		if err != nil {
			t.Fatal(err)
		}
		if c := mc.files.Config(); c.Bucket != "7465-env-1300000000" || c.MaxUpload != 2<<30 || c.Preset != storage.PresetPrivate || c.PublicURL != "https://api.example.com" {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("flags", func(t *testing.T) {
		mc, err := bootWith(t, nil, "--max-upload", "1024", "--storage-preset", "ADMINONLY")
		if err != nil || mc.files.Config().MaxUpload != 1024 || mc.files.Preset() != storage.PresetAdminOnly {
			t.Fatalf("%v %+v", err, mc.files.Config())
		}
	})
	for _, args := range [][]string{{"--max-upload", "lots"}, {"--storage-preset", "open"}, {"--public-url", "api.example.com"}, {"--storage-bucket", "a.b"}} {
		t.Run("refuses "+args[0]+"="+args[1], func(t *testing.T) {
			if _, err := bootWith(t, nil, args...); err == nil {
				t.Errorf("%v was accepted", args)
			}
		})
	}
}
