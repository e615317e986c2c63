// Package logtable defines the table that holds the cloud-function invocation log.
//
// The table lives in PocketBase's auxiliary database (auxiliary.db, beside PocketBase's
// own request log), not in the main data.db: the log gets a row per invocation, and
// every commit to a SQLite database makes each reader connection of that database
// drop its page cache on its next read. Kept in data.db, the log's group commits
// (several per second under load) kept the collections' readers cold: an indexed
// query from a function cost 3-4× the same query with no writer about. It also leaves
// data.db's single writer to the documents.
//
// The table is plain SQLite, not a PocketBase collection, read through
// cloudfns.QueryLogs, the `functions logs` command and the admin API. Its integer
// primary key (the rowid) is the invocation's start time in microseconds times 1024
// plus a number that makes it unique (IDFor): the table is then in time order, so time
// ranges, "newest first" and the retention cleanup need no index of their own, and an
// index on `function` (whose entries end with the rowid) serves one function's calls
// newest first. A row costs the table insert plus two index inserts (function,
// requestId).
package logtable

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
)

// Name is the invocation log's table in the auxiliary database.
const Name = "_mc_function_logs"

// Columns are the table's columns after `id`, in the order writers bind them.
var Columns = []string{"requestId", "function", "version", "source", "openid", "start", "duration",
	"outcome", "errorCode", "errorMessage", "errorStack", "logs", "eventBytes", "resultBytes"}

// schema creates the table and the indexes its queries use: by request id and by
// function (time ranges are rowid ranges).
const schema = "CREATE TABLE IF NOT EXISTS `" + Name + "` (" +
	"`id` INTEGER PRIMARY KEY, " +
	"`requestId` TEXT NOT NULL DEFAULT '', " +
	"`function` TEXT NOT NULL DEFAULT '', " +
	"`version` INTEGER NOT NULL DEFAULT 0, " +
	"`source` TEXT NOT NULL DEFAULT '', " +
	"`openid` TEXT NOT NULL DEFAULT '', " +
	"`start` TEXT NOT NULL DEFAULT '', " + // PocketBase's date layout, UTC
	"`duration` REAL NOT NULL DEFAULT 0, " + // milliseconds
	"`outcome` TEXT NOT NULL DEFAULT '', " +
	"`errorCode` TEXT NOT NULL DEFAULT '', " +
	"`errorMessage` TEXT NOT NULL DEFAULT '', " +
	"`errorStack` TEXT NOT NULL DEFAULT '', " +
	"`logs` TEXT, " + // JSON array of console lines, NULL when there were none
	"`eventBytes` INTEGER NOT NULL DEFAULT 0, " +
	"`resultBytes` INTEGER NOT NULL DEFAULT 0);\n" +
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_logs_requestId` ON `" + Name + "` (`requestId`);\n" +
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_logs_function` ON `" + Name + "` (`function`);"

// Indexes are the names of the table's indexes.
var Indexes = []string{"idx_mc_function_logs_requestId", "idx_mc_function_logs_function"}

// Ensure creates the table and its indexes in db (the auxiliary database) if they
// do not exist yet.
func Ensure(db dbx.Builder) error {
	if _, err := db.NewQuery(schema).Execute(); err != nil {
		return fmt.Errorf("create %s: %w", Name, err)
	}
	return nil
}

// idSpread is how many ids one microsecond of start times has.
const idSpread = 1024

// IDFor is the id of a row whose invocation started at start, n-th of its
// microsecond (n is taken modulo 1024).
func IDFor(start time.Time, n uint64) int64 {
	return start.UnixMicro()*idSpread + int64(n%idSpread)
}

// IDBound is the smallest id of the rows that started at t or later: start >= t is
// id >= IDBound(t).
func IDBound(t time.Time) int64 { return t.UnixMicro() * idSpread }

// InsertSQL inserts a row: the id, then Columns, as ? parameters. A taken id inserts
// nothing.
var InsertSQL = "INSERT INTO `" + Name + "` (`id`, `" + strings.Join(Columns, "`, `") + "`) VALUES (?" +
	strings.Repeat(",?", len(Columns)) + ") ON CONFLICT (`id`) DO NOTHING"

// InsertNamedSQL is InsertSQL with dbx's named parameters: {:id} and each column's
// name.
var InsertNamedSQL = "INSERT INTO `" + Name + "` (`id`, `" + strings.Join(Columns, "`, `") + "`) VALUES ({:id}, {:" +
	strings.Join(Columns, "}, {:") + "}) ON CONFLICT (`id`) DO NOTHING"

// Insert adds a row under the first free id of start's microsecond from
// IDFor(start, n) on: exec runs InsertSQL (or InsertNamedSQL) with the given id and
// reports the rows it inserted. The ids of one microsecond run out only after 1024
// rows.
func Insert(start time.Time, n uint64, exec func(id int64) (sql.Result, error)) error {
	for i := uint64(0); i < idSpread; i++ {
		res, err := exec(IDFor(start, n+i))
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k == 1 {
			return err
		}
	}
	return fmt.Errorf("insert into %s: no free id in the microsecond %s", Name, start.UTC().Format(time.RFC3339Nano))
}
