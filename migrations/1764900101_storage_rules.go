package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// StorageRules holds the environment's custom storage security rules: one record named
// "storage" whose `rules` is CloudBase's JSON document ({"read": <rule>, "write":
// <rule>}). No record means the storage preset (--storage-preset) applies.
const StorageRules = "_mc_storage_rules"

func init() {
	m.Register(storageRulesUp, storageRulesDown)
}

func storageRulesUp(app core.App) error {
	c := core.NewBaseCollection(StorageRules)
	c.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 32},
		&core.JSONField{Name: "rules", MaxSize: 1 << 20},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	c.AddIndex("idx_mc_storage_rules_name", true, "`name`", "")
	// superusers only: nil rules
	if err := app.Save(c); err != nil {
		return fmt.Errorf("create %s: %w", StorageRules, err)
	}
	return nil
}

func storageRulesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(StorageRules)
	if err != nil {
		return nil
	}
	if err := app.Delete(c); err != nil {
		return fmt.Errorf("drop %s: %w", StorageRules, err)
	}
	return nil
}
