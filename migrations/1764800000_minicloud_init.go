// Package migrations creates Minicloud's own PocketBase collections. It is blank-imported
// by the binary; PocketBase runs pending migrations when the app starts.
package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Names of Minicloud's internal collections. They start with '_' so they can never
// clash with a CloudBase collection name.
const (
	CollectionsMeta = "_mc_collections"
	Users           = "_mc_users"
	APIKeys         = "_mc_apikeys"
)

func init() {
	m.Register(up, down)
}

func up(app core.App) error {
	meta := core.NewBaseCollection(CollectionsMeta)
	meta.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 64},
		&core.TextField{Name: "preset", Max: 32},
		&core.JSONField{Name: "arrayPaths", MaxSize: 1 << 20},
		&core.JSONField{Name: "rules", MaxSize: 1 << 20},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	meta.AddIndex("idx_mc_collections_name", true, "`name`", "")
	if err := app.Save(meta); err != nil {
		return fmt.Errorf("create %s: %w", CollectionsMeta, err)
	}

	users := core.NewAuthCollection(Users)
	users.PasswordAuth.Enabled = false
	if f, ok := users.Fields.GetByName("email").(*core.EmailField); ok {
		f.Required = false
	}
	users.Fields.Add(
		&core.TextField{Name: "type", Max: 32},
		&core.TextField{Name: "openid", Max: 128},
		&core.TextField{Name: "unionid", Max: 128},
		&core.TextField{Name: "appid", Max: 64},
		&core.TextField{Name: "name", Max: 128},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	users.AuthRule, users.ManageRule = nil, nil
	users.ListRule, users.ViewRule, users.CreateRule, users.UpdateRule, users.DeleteRule = nil, nil, nil, nil, nil
	if err := app.Save(users); err != nil {
		return fmt.Errorf("create %s: %w", Users, err)
	}

	keys := core.NewBaseCollection(APIKeys)
	keys.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 100},
		&core.TextField{Name: "secretId", Required: true, Max: 64},
		&core.TextField{Name: "secretKey", Required: true, Max: 128, Hidden: true},
		&core.BoolField{Name: "revoked"},
		&core.DateField{Name: "lastUsed"},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	keys.AddIndex("idx_mc_apikeys_secretId", true, "`secretId`", "")
	if err := app.Save(keys); err != nil {
		return fmt.Errorf("create %s: %w", APIKeys, err)
	}

	// PocketBase's starter "users" collection would take a name CloudBase apps often
	// use for a document collection; drop it while it is still empty and unused.
	if def, err := app.FindCollectionByNameOrId("users"); err == nil && def.IsAuth() && !def.System {
		if n, err := app.CountRecords(def); err == nil && n == 0 {
			if err := app.Delete(def); err != nil {
				return fmt.Errorf("remove starter users collection: %w", err)
			}
		}
	}
	return nil
}

func down(app core.App) error {
	for _, name := range []string{APIKeys, Users, CollectionsMeta} {
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
