package migrations_test

import (
	"strings"
	"testing"
	"time"

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
// are copied to the auxiliary table, and the collection is dropped.
func TestFunctionLogsMoveToAux(t *testing.T) {
	app := testapp.New(t)
	if _, err := app.FindCollectionByNameOrId(migrations.FunctionLogs); err == nil {
		t.Fatal("the data.db collection still exists after all migrations")
	}
	if !app.AuxHasTable(logtable.Name) {
		t.Fatal("no auxiliary table after all migrations")
	}

	mig := appMigration(t, "1764900200_function_logs_aux.go")
	if err := mig.Down(app); err != nil {
		t.Fatal(err)
	}
	if app.AuxHasTable(logtable.Name) {
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
	if err := app.AuxDB().NewQuery("SELECT * FROM `" + logtable.Name + "` ORDER BY `id`").All(&rows); err != nil {
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
	if err := app.AuxDB().NewQuery("SELECT typeof(`version`) FROM `" + logtable.Name + "` LIMIT 1").Row(&typ); err != nil || typ != "integer" {
		t.Fatalf("version stored as %q (%v)", typ, err)
	}
}
