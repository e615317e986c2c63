package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// FunctionRules holds the environment's cloud function security rules: one record
// named "invoke" whose `rules` is CloudBase's JSON document
// ({"*":{"invoke":"auth != null"}, "<function>":{"invoke":true}}). No record means
// CloudBase's default (signed-in callers only).
const FunctionRules = "_mc_function_rules"

func init() {
	m.Register(functionRulesUp, functionRulesDown)
}

func functionRulesUp(app core.App) error {
	c := core.NewBaseCollection(FunctionRules)
	c.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 32},
		&core.JSONField{Name: "rules", MaxSize: 1 << 20},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	c.AddIndex("idx_mc_function_rules_name", true, "`name`", "")
	// superusers only: nil rules
	if err := app.Save(c); err != nil {
		return fmt.Errorf("create %s: %w", FunctionRules, err)
	}
	return nil
}

func functionRulesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(FunctionRules)
	if err != nil {
		return nil
	}
	if err := app.Delete(c); err != nil {
		return fmt.Errorf("drop %s: %w", FunctionRules, err)
	}
	return nil
}
