package migrations_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/cloudfns/logtable"
	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

func appMigration(t *testing.T, file string) *core.Migration {
	t.Helper()
	for _, m := range core.AppMigrations.Items() {
		if m.File == file {
			return m
		}
	}
	t.Fatalf("no migration %s", file)
	return nil
}

// TestFunctionLogsMoveToAux: rows logged in the data.db collection of earlier versions
// are copied to the auxiliary table, and the collection is dropped; the next migration
// rewrites them as chunks (TestFunctionLogsMoveToChunks).
func TestFunctionLogsMoveToAux(t *testing.T) {
	app := testapp.New(t)
	if _, err := app.FindCollectionByNameOrId(migrations.FunctionLogs); err == nil {
		t.Fatal("the data.db collection still exists after all migrations")
	}
	if app.AuxHasTable(logtable.LegacyName) || !app.AuxHasTable(logtable.ChunksName) {
		t.Fatal("after all migrations the log is not in chunks")
	}
	if err := appMigration(t, "1764900300_function_log_chunks.go").Down(app); err != nil {
		t.Fatal(err)
	}
	if !app.AuxHasTable(logtable.LegacyName) || app.AuxHasTable(logtable.ChunksName) {
		t.Fatal("the chunks migration's down did not restore the row table")
	}

	mig := appMigration(t, "1764900200_function_logs_aux.go")
	if err := mig.Down(app); err != nil {
		t.Fatal(err)
	}
	if app.AuxHasTable(logtable.LegacyName) {
		t.Fatal("down kept the auxiliary table")
	}
	c, err := app.FindCollectionByNameOrId(migrations.FunctionLogs)
	if err != nil {
		t.Fatalf("down did not restore the collection: %v", err)
	}
	const n = 5
	for i := 0; i < n; i++ {
		r := core.NewRecord(c)
		r.Load(map[string]any{"requestId": "req-" + string(rune('a'+i)), "function": "f", "version": i + 1,
			"source": "wx_client", "openid": "o1", "start": "2026-12-01 10:00:0" + string(rune('0'+i)) + ".000Z",
			"duration": 1.25, "outcome": "error", "errorCode": "FUNCTIONS_EXECUTE_FAIL", "errorMessage": "boom",
			"errorStack": "at main (index.js:1:1)", "logs": `[{"level":"log","text":"hi"}]`, "eventBytes": 10, "resultBytes": 20})
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}

	if err := mig.Up(app); err != nil {
		t.Fatal(err)
	}
	if _, err := app.FindCollectionByNameOrId(migrations.FunctionLogs); err == nil {
		t.Fatal("up kept the data.db collection")
	}
	var rows []struct {
		ID        int64   `db:"id"`
		RequestID string  `db:"requestId"`
		Version   int     `db:"version"`
		Start     string  `db:"start"`
		Duration  float64 `db:"duration"`
		Outcome   string  `db:"outcome"`
		Stack     string  `db:"errorStack"`
		Logs      string  `db:"logs"`
		Result    int     `db:"resultBytes"`
	}
	if err := app.AuxDB().NewQuery("SELECT * FROM `" + logtable.LegacyName + "` ORDER BY `id`").All(&rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d rows moved, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.RequestID != "req-"+string(rune('a'+i)) || r.Version != i+1 || !strings.HasPrefix(r.Start, "2026-12-01 10:00:0") ||
			r.Duration != 1.25 || r.Outcome != "error" || r.Stack != "at main (index.js:1:1)" ||
			!strings.Contains(r.Logs, `"hi"`) || r.Result != 20 {
			t.Fatalf("row %d: %+v", i, r)
		}
		start, err := types.ParseDateTime(r.Start)
		if err != nil || r.ID < logtable.IDBound(start.Time()) || r.ID >= logtable.IDBound(start.Time().Add(time.Microsecond)) {
			t.Fatalf("row %d: id %d does not encode its start %s (%v)", i, r.ID, r.Start, err)
		}
	}
	var typ string
	if err := app.AuxDB().NewQuery("SELECT typeof(`version`) FROM `" + logtable.LegacyName + "` LIMIT 1").Row(&typ); err != nil || typ != "integer" {
		t.Fatalf("version stored as %q (%v)", typ, err)
	}
}

// TestFunctionLogsMoveToChunks: rows of the row-per-invocation table are rewritten as
// chunks with every field and their start to the microsecond, and the table dropped.
func TestFunctionLogsMoveToChunks(t *testing.T) {
	app := testapp.New(t)
	mig := appMigration(t, "1764900300_function_log_chunks.go")
	if err := mig.Down(app); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 1, 10, 0, 0, 123456000, time.UTC)
	const n = 2500 // more than one read batch
	q := app.AuxNonconcurrentDB().NewQuery(logtable.LegacyInsertNamedSQL)
	for i := 0; i < n; i++ {
		start := base.Add(time.Duration(i) * time.Millisecond)
		params := dbx.Params{"requestId": fmt.Sprintf("req-%04d", i), "function": []string{"f", "g"}[i%2], "version": 3,
			"source": "wx_client", "openid": "o1", "start": start.Format(types.DefaultDateLayout), "duration": 1.25,
			"outcome": "success", "errorCode": "", "errorMessage": "", "errorStack": "", "logs": nil,
			"eventBytes": 10, "resultBytes": 20}
		if i == 7 {
			params["outcome"], params["errorCode"], params["errorMessage"], params["errorStack"] = "error", "FUNCTIONS_EXECUTE_FAIL", "boom", "at main (index.js:1:1)"
			params["logs"] = `[{"level":"log","text":"hi"}]`
		}
		err := logtable.LegacyInsert(start, 0, func(id int64) (sql.Result, error) {
			params["id"] = id
			return q.Bind(params).Execute()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mig.Up(app); err != nil {
		t.Fatal(err)
	}
	if app.AuxHasTable(logtable.LegacyName) {
		t.Fatal("up kept the row table")
	}
	all, err := logtable.Find(context.Background(), app.AuxDB(), logtable.Filter{}, 10_000)
	if err != nil || len(all) != n {
		t.Fatalf("%d entries in chunks, want %d (%v)", len(all), n, err)
	}
	for i, e := range all {
		j := n - 1 - i // newest first
		l := e.Line
		if l.RequestID != fmt.Sprintf("req-%04d", j) || l.Start != base.Add(time.Duration(j)*time.Millisecond).UnixMicro() ||
			l.Version != 3 || l.Duration != 1.25 || l.OpenID != "o1" || l.Source != "wx_client" || l.ResultBytes != 20 || l.EventBytes != 10 {
			t.Fatalf("entry %d: %+v", i, l)
		}
	}
	failed, err := logtable.Find(context.Background(), app.AuxDB(), logtable.Filter{Function: "g", Outcome: "error"}, 10)
	if err != nil || len(failed) != 1 {
		t.Fatalf("failures of g: %+v (%v)", failed, err)
	}
	if l := failed[0].Line; l.RequestID != "req-0007" || l.ErrorMessage != "boom" || l.ErrorStack != "at main (index.js:1:1)" ||
		l.ErrorCode != "FUNCTIONS_EXECUTE_FAIL" || string(l.Logs) != `[{"level":"log","text":"hi"}]` {
		t.Fatalf("failed entry %+v", l)
	}
}
