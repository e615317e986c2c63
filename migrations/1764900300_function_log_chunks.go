package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/minicloud/minicloud/cloudfns/logtable"
)

// The invocation log moves from a row per invocation to chunks of entries
// (cloudfns/logtable says why). Rows already logged are rewritten as chunks, oldest
// first, then the row table is dropped.

const functionLogChunksMoveRows = 2000

func init() {
	m.Register(functionLogChunksUp, functionLogChunksDown)
}

func functionLogChunksUp(app core.App) error {
	if err := logtable.Ensure(app.AuxNonconcurrentDB()); err != nil {
		return err
	}
	if !app.AuxHasTable(logtable.LegacyName) {
		return nil
	}
	for after := int64(-1); ; {
		var rows []struct {
			ID           int64          `db:"id"`
			RequestID    string         `db:"requestId"`
			Function     string         `db:"function"`
			Version      float64        `db:"version"`
			Source       string         `db:"source"`
			OpenID       string         `db:"openid"`
			Duration     float64        `db:"duration"`
			Outcome      string         `db:"outcome"`
			ErrorCode    string         `db:"errorCode"`
			ErrorMessage string         `db:"errorMessage"`
			ErrorStack   string         `db:"errorStack"`
			Logs         sql.NullString `db:"logs"`
			EventBytes   float64        `db:"eventBytes"`
			ResultBytes  float64        `db:"resultBytes"`
		}
		err := app.AuxNonconcurrentDB().NewQuery("SELECT * FROM `" + logtable.LegacyName +
			"` WHERE `id` > {:after} ORDER BY `id` LIMIT {:n}").
			Bind(dbx.Params{"after": after, "n": functionLogChunksMoveRows}).All(&rows)
		if err != nil {
			return fmt.Errorf("read %s: %w", logtable.LegacyName, err)
		}
		if len(rows) == 0 {
			break
		}
		lines := make([]logtable.Line, len(rows))
		for i, r := range rows {
			lines[i] = logtable.Line{RequestID: r.RequestID, Function: r.Function, Version: int(r.Version),
				Source: r.Source, OpenID: r.OpenID, Start: logtable.LegacyStart(r.ID), Duration: r.Duration,
				Outcome: r.Outcome, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, ErrorStack: r.ErrorStack,
				EventBytes: int(r.EventBytes), ResultBytes: int(r.ResultBytes)}
			if r.Logs.Valid && r.Logs.String != "" && r.Logs.String != "null" {
				lines[i].Logs = []byte(r.Logs.String)
			}
		}
		// Inside the migration's transaction when there is one (a failure then moves
		// nothing).
		if err := logtable.WriteChunks(context.Background(), app.AuxNonconcurrentDB(), lines); err != nil {
			return fmt.Errorf("move %s to chunks: %w", logtable.LegacyName, err)
		}
		after = rows[len(rows)-1].ID
	}
	if _, err := app.AuxNonconcurrentDB().DropTable(logtable.LegacyName).Execute(); err != nil {
		return fmt.Errorf("drop %s: %w", logtable.LegacyName, err)
	}
	return nil
}

// functionLogChunksDown restores the row table (empty) and drops the chunks.
func functionLogChunksDown(app core.App) error {
	if err := logtable.EnsureLegacy(app.AuxNonconcurrentDB()); err != nil {
		return err
	}
	for _, table := range []string{logtable.FunctionsName, logtable.ChunksName} {
		if _, err := app.AuxNonconcurrentDB().DropTable(table).Execute(); err != nil {
			return fmt.Errorf("drop %s: %w", table, err)
		}
	}
	return nil
}
