package migrations

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/cloudfns/logtable"
)

// The invocation log moves from a collection in data.db to a plain table in the
// auxiliary database (cloudfns/logtable says why). Rows already logged are copied
// over, oldest first, then the collection is deleted.

const functionLogsMoveChunk = 2000

func init() {
	m.Register(functionLogsToAuxUp, functionLogsToAuxDown)
}

func functionLogsToAuxUp(app core.App) error {
	if err := logtable.EnsureLegacy(app.AuxNonconcurrentDB()); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(FunctionLogs)
	if err != nil {
		return nil // never created, or already moved
	}
	cols := "`" + strings.Join(logtable.LegacyColumns, "`, `") + "`"
	var n uint64
	for after := int64(0); ; {
		var rows []dbx.NullStringMap
		err := app.DB().NewQuery("SELECT `rowid`, " + cols + " FROM `" + FunctionLogs +
			"` WHERE `rowid` > {:after} ORDER BY `rowid` LIMIT {:n}").
			Bind(dbx.Params{"after": after, "n": functionLogsMoveChunk}).All(&rows)
		if err != nil {
			return fmt.Errorf("read %s: %w", FunctionLogs, err)
		}
		if len(rows) == 0 {
			break
		}
		if err := copyFunctionLogs(app, rows, &n); err != nil {
			return fmt.Errorf("copy %s to the auxiliary database: %w", FunctionLogs, err)
		}
		last, err := strconv.ParseInt(rows[len(rows)-1]["rowid"].String, 10, 64)
		if err != nil || last <= after {
			return fmt.Errorf("copy %s: bad rowid %q", FunctionLogs, rows[len(rows)-1]["rowid"].String)
		}
		after = last
	}
	if err := app.Delete(c); err != nil {
		return fmt.Errorf("drop %s: %w", FunctionLogs, err)
	}
	return nil
}

// copyFunctionLogs inserts rows (of the old collection) into the auxiliary table, each
// under an id made from its start time.
func copyFunctionLogs(app core.App, rows []dbx.NullStringMap, n *uint64) error {
	q := app.AuxNonconcurrentDB().NewQuery(logtable.LegacyInsertNamedSQL)
	for _, r := range rows {
		params := dbx.Params{}
		for _, col := range logtable.LegacyColumns {
			if v := r[col]; v.Valid {
				params[col] = v.String
			} else {
				params[col] = nil
			}
		}
		start, err := types.ParseDateTime(r["start"].String)
		if err != nil || start.IsZero() {
			return fmt.Errorf("row %s: bad start %q", r["rowid"].String, r["start"].String)
		}
		*n++
		err = logtable.LegacyInsert(start.Time(), *n, func(id int64) (sql.Result, error) {
			params["id"] = id
			return q.Bind(params).Execute()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// functionLogsToAuxDown restores the collection (empty) and drops the auxiliary table.
func functionLogsToAuxDown(app core.App) error {
	if _, err := app.FindCollectionByNameOrId(FunctionLogs); err != nil {
		if err := functionLogsUp(app); err != nil {
			return err
		}
	}
	if _, err := app.AuxNonconcurrentDB().DropTable(logtable.LegacyName).Execute(); err != nil {
		return fmt.Errorf("drop %s from the auxiliary database: %w", logtable.LegacyName, err)
	}
	return nil
}
