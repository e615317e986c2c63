package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Names of the cloud function collections.
const (
	// Functions holds one record per deployed function: its name and active version.
	Functions = "_mc_functions"
	// FunctionVersions holds every deployed version: the bundle (gzip'd tar, base64,
	// hidden from the API), its config.json and file list (shown in the dashboard).
	FunctionVersions = "_mc_function_versions"
)

// MaxStoredBundleChars bounds a version's stored bundle text: MaxBundleBytes (50 MiB)
// of files that don't compress, plus source maps, in base64.
const MaxStoredBundleChars = 100 << 20

func init() {
	m.Register(upFunctions, downFunctions)
}

func upFunctions(app core.App) error {
	fns := core.NewBaseCollection(Functions)
	fns.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 60},
		&core.NumberField{Name: "activeVersion", OnlyInt: true},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	fns.AddIndex("idx_mc_functions_name", true, "`name`", "")
	if err := app.Save(fns); err != nil {
		return fmt.Errorf("create %s: %w", Functions, err)
	}

	versions := core.NewBaseCollection(FunctionVersions)
	versions.Fields.Add(
		&core.TextField{Name: "function", Required: true, Max: 60},
		&core.NumberField{Name: "version", OnlyInt: true, Required: true},
		&core.JSONField{Name: "config", MaxSize: 1 << 20},
		&core.JSONField{Name: "files", MaxSize: 8 << 20},
		&core.NumberField{Name: "size", OnlyInt: true},
		&core.TextField{Name: "sourceHash", Max: 64},
		&core.TextField{Name: "bundle", Max: MaxStoredBundleChars, Hidden: true},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	versions.AddIndex("idx_mc_function_versions_fv", true, "`function`, `version`", "")
	if err := app.Save(versions); err != nil {
		return fmt.Errorf("create %s: %w", FunctionVersions, err)
	}
	return nil
}

func downFunctions(app core.App) error {
	for _, name := range []string{FunctionVersions, Functions} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}
