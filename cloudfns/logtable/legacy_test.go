package logtable

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	_ "modernc.org/sqlite"
)

func TestEnsureLegacyCreatesTableAndIndexesOnce(t *testing.T) {
	db, err := dbx.Open("sqlite", filepath.Join(t.TempDir(), "aux.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < 2; i++ { // the second call finds everything in place
		if err := EnsureLegacy(db); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	var cols []string
	if err := db.NewQuery("SELECT name FROM pragma_table_info('" + LegacyName + "') ORDER BY cid").Column(&cols); err != nil {
		t.Fatal(err)
	}
	if want := append([]string{"id"}, LegacyColumns...); !slices.Equal(cols, want) {
		t.Fatalf("columns %v, want %v", cols, want)
	}
	var idx []string
	if err := db.NewQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '" + LegacyName + "' ORDER BY name").Column(&idx); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(LegacyIndexes)
	slices.Sort(want)
	if !slices.Equal(idx, want) {
		t.Fatalf("indexes %v, want %v", idx, want)
	}
	// The id is the rowid: no separate primary-key index to maintain on every insert.
	var pk int
	if err := db.NewQuery("SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = '" + LegacyName + "' AND name LIKE 'sqlite_autoindex%'").Row(&pk); err != nil || pk != 0 {
		t.Fatalf("autoindexes %d (%v)", pk, err)
	}
}

// Rows that start in the same microsecond get distinct ids of that microsecond, so a
// time range is still an id range.
func TestLegacyInsertSpreadsOneMicrosecond(t *testing.T) {
	db, err := dbx.Open("sqlite", filepath.Join(t.TempDir(), "aux.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := EnsureLegacy(db); err != nil {
		t.Fatal(err)
	}
	q := db.NewQuery(LegacyInsertNamedSQL)
	start := time.Date(2026, 12, 4, 10, 0, 0, 123456789, time.UTC)
	for i := 0; i < 3; i++ {
		params := dbx.Params{}
		for _, col := range LegacyColumns {
			params[col] = ""
		}
		params["requestId"] = "req"
		err := LegacyInsert(start, 7, func(id int64) (sql.Result, error) {
			params["id"] = id
			return q.Bind(params).Execute()
		})
		if err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	var ids []int64
	if err := db.NewQuery("SELECT id FROM `" + LegacyName + "` ORDER BY id").Column(&ids); err != nil {
		t.Fatal(err)
	}
	lo, hi := IDBound(start), IDBound(start.Add(time.Microsecond))
	if len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] {
		t.Fatalf("ids %v", ids)
	}
	for _, id := range ids {
		if id < lo || id >= hi {
			t.Fatalf("id %d outside [%d, %d): %v", id, lo, hi, ids)
		}
	}
	if IDBound(start.Add(-time.Microsecond)) >= lo || IDFor(start, 1023) >= hi {
		t.Fatal("ids do not follow time")
	}
}
