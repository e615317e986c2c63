package main

import (
	"fmt"
	"io"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/pflag"

	"github.com/minicloud/minicloud/storage"
)

// storageConfig is cloud storage's part of the configuration.
type storageConfig struct {
	Bucket    string
	MaxUpload string
	PublicURL string
	Preset    string
}

func (m *minicloud) registerStorageFlags() {
	f := m.app.RootCmd.PersistentFlags()
	f.StringVar(&m.storage.Bucket, "storage-bucket", envString("MINICLOUD_STORAGE_BUCKET", storage.DefaultBucket),
		"bucket name in cloud:// file IDs: cloud://<env-id>.<bucket>/<path> (env MINICLOUD_STORAGE_BUCKET)")
	f.StringVar(&m.storage.MaxUpload, "max-upload", envString("MINICLOUD_MAX_UPLOAD", "50MiB"),
		"largest file one upload may carry, in bytes or with a unit (KiB, MiB, GiB, KB, MB, GB) (env MINICLOUD_MAX_UPLOAD)")
	f.StringVar(&m.storage.PublicURL, "public-url", envString("MINICLOUD_PUBLIC_URL", ""),
		"base URL of signed upload and download URLs, e.g. https://api.example.com, when behind a proxy; default: the Host each request names (env MINICLOUD_PUBLIC_URL)")
	f.StringVar(&m.storage.Preset, "storage-preset", envString("MINICLOUD_STORAGE_PRESET", string(storage.PresetReadOnly)),
		"storage security preset for client SDKs: READONLY (everyone reads, creator writes), PRIVATE, ADMINWRITE or ADMINONLY (env MINICLOUD_STORAGE_PRESET)")
}

// newStorage creates the storage service from the flags.
func (m *minicloud) newStorage(app core.App) (*storage.Service, error) {
	maxUpload, err := storage.ParseSize(m.storage.MaxUpload)
	if err != nil {
		return nil, fmt.Errorf("--max-upload: %w", err)
	}
	preset, err := storage.ParsePreset(m.storage.Preset)
	if err != nil {
		return nil, fmt.Errorf("--storage-preset: %w", err)
	}
	if err := storage.CheckPublicURL(m.storage.PublicURL); err != nil {
		return nil, fmt.Errorf("--public-url: %w", err)
	}
	return storage.New(app, storage.Config{
		EnvID:     m.cfg.EnvID,
		Bucket:    m.storage.Bucket,
		MaxUpload: maxUpload,
		PublicURL: m.storage.PublicURL,
		Preset:    preset,
	})
}

// eagerParseFlags sets Minicloud's flags from the command line before PocketBase
// bootstraps. PocketBase bootstraps (and runs OnBootstrap, where the services are
// created) before cobra parses the command line, so without this a flag such as
// --storage-bucket or --env-id would reach the services only through its environment
// default. Flags this app does not know (a command's own, like serve's --http) are
// skipped; cobra parses everything again afterwards.
func (m *minicloud) eagerParseFlags(args []string) {
	fs := pflag.NewFlagSet("minicloud-eager", pflag.ContinueOnError)
	fs.ParseErrorsWhitelist.UnknownFlags = true
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	m.app.RootCmd.PersistentFlags().VisitAll(func(f *pflag.Flag) { fs.AddFlag(f) })
	_ = fs.Parse(args)
}
