package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Files is the metadata collection of cloud storage: one record per stored file,
// addressed by its cloud path. The bytes live in PocketBase's filesystem (pb_data/storage
// or S3) under the record's blob key; the dashboard lists, shows and deletes files here.
const Files = "_mc_files"

func init() {
	m.Register(upStorage, downStorage)
}

func upStorage(app core.App) error {
	files := core.NewBaseCollection(Files)
	files.Fields.Add(
		// the cloud path: the file ID is cloud://<env>.<bucket>/<path>
		&core.TextField{Name: "path", Required: true, Max: 1024},
		// the uploading user; empty for files written with admin rights
		&core.TextField{Name: "_openid", Max: 128},
		&core.NumberField{Name: "size", OnlyInt: true, Min: types.Pointer(0.0)},
		&core.TextField{Name: "contentType", Max: 255},
		// hex MD5 of the bytes, also the quoted ETag (as COS reports it)
		&core.TextField{Name: "md5", Max: 32},
		// where the bytes are in PocketBase's filesystem
		&core.TextField{Name: "blob", Required: true, Max: 255},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	files.AddIndex("idx_mc_files_path", true, "`path`", "")
	files.AddIndex("idx_mc_files_openid", false, "`_openid`", "")
	if err := app.Save(files); err != nil {
		return fmt.Errorf("create %s: %w", Files, err)
	}
	return nil
}

func downStorage(app core.App) error {
	c, err := app.FindCollectionByNameOrId(Files)
	if err != nil {
		return nil
	}
	if err := app.Delete(c); err != nil {
		return fmt.Errorf("drop %s: %w", Files, err)
	}
	return nil
}
