package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// FunctionLogs is the invocation log of cloud functions (cloudfns.LogStore writes it in
// batches; rows older than the retention setting are deleted hourly).
const FunctionLogs = "_mc_function_logs"

func init() {
	m.Register(functionLogsUp, functionLogsDown)
}

func functionLogsUp(app core.App) error {
	c := core.NewBaseCollection(FunctionLogs)
	c.Fields.Add(
		&core.TextField{Name: "requestId", Max: 128},
		&core.TextField{Name: "function", Max: 128},
		&core.NumberField{Name: "version", OnlyInt: true},
		&core.TextField{Name: "source", Max: 32},
		&core.TextField{Name: "openid", Max: 128},
		&core.DateField{Name: "start"},
		// duration in milliseconds (fractional)
		&core.NumberField{Name: "duration"},
		&core.SelectField{Name: "outcome", MaxSelect: 1, Values: []string{"success", "error", "timeout", "limit"}},
		&core.TextField{Name: "errorCode", Max: 64},
		&core.TextField{Name: "errorMessage", Max: 16 << 10},
		&core.TextField{Name: "errorStack", Max: 64 << 10},
		// console output: a JSON array of {level,time,text}, capped by the writer at
		// cloudfns.MaxLogBytes (64 KiB) of encoded JSON
		&core.JSONField{Name: "logs", MaxSize: 128 << 10},
		&core.NumberField{Name: "eventBytes", OnlyInt: true},
		&core.NumberField{Name: "resultBytes", OnlyInt: true},
	)
	c.AddIndex("idx_mc_function_logs_requestId", false, "`requestId`", "")
	c.AddIndex("idx_mc_function_logs_function_start", false, "`function`, `start`", "")
	c.AddIndex("idx_mc_function_logs_start", false, "`start`", "")
	// superusers only: nil rules
	if err := app.Save(c); err != nil {
		return fmt.Errorf("create %s: %w", FunctionLogs, err)
	}
	return nil
}

func functionLogsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(FunctionLogs)
	if err != nil {
		return nil
	}
	if err := app.Delete(c); err != nil {
		return fmt.Errorf("drop %s: %w", FunctionLogs, err)
	}
	return nil
}
