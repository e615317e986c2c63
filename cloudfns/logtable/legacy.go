// The legacy invocation log: one row per invocation, in a table of the auxiliary
// database whose integer primary key (the rowid) is the invocation's start time in
// microseconds times 1024 plus a number that makes it unique (IDFor). Earlier versions
// wrote it; each row cost a table insert and two index inserts, which under load was a
// fifth of a trivial call's CPU. Only migrations use this file now: they write here
// when moving the log out of data.db, and then move the rows into chunks.
package logtable

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
)

// LegacyName is the row-per-invocation table of earlier versions, in the auxiliary
// database. The migration that introduced chunks moves its rows and drops it.
const LegacyName = "_mc_function_logs"

// LegacyColumns are the legacy table's columns after `id`, in the order writers bind them.
var LegacyColumns = []string{"requestId", "function", "version", "source", "openid", "start", "duration",
	"outcome", "errorCode", "errorMessage", "errorStack", "logs", "eventBytes", "resultBytes"}

// legacySchema creates the legacy table and the indexes its queries use: by request id and by
// function (time ranges are rowid ranges).
const legacySchema = "CREATE TABLE IF NOT EXISTS `" + LegacyName + "` (" +
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
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_logs_requestId` ON `" + LegacyName + "` (`requestId`);\n" +
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_logs_function` ON `" + LegacyName + "` (`function`);"

// LegacyIndexes are the names of the legacy table's indexes.
var LegacyIndexes = []string{"idx_mc_function_logs_requestId", "idx_mc_function_logs_function"}

// EnsureLegacy creates the legacy table and its indexes in db (the auxiliary
// database) if they do not exist yet: the migration from data.db writes there first.
func EnsureLegacy(db dbx.Builder) error {
	if _, err := db.NewQuery(legacySchema).Execute(); err != nil {
		return fmt.Errorf("create %s: %w", LegacyName, err)
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

// LegacyStart is the start time (microseconds since the Unix epoch) that a legacy
// row's id encodes.
func LegacyStart(id int64) int64 { return id / idSpread }

// IDBound is the smallest id of the rows that started at t or later: start >= t is
// id >= IDBound(t).
func IDBound(t time.Time) int64 { return t.UnixMicro() * idSpread }

// LegacyInsertNamedSQL inserts a row with dbx's named parameters: {:id} and each
// column's name. A taken id inserts nothing.
var LegacyInsertNamedSQL = "INSERT INTO `" + LegacyName + "` (`id`, `" + strings.Join(LegacyColumns, "`, `") + "`) VALUES ({:id}, {:" +
	strings.Join(LegacyColumns, "}, {:") + "}) ON CONFLICT (`id`) DO NOTHING"

// LegacyInsert adds a row under the first free id of start's microsecond from
// IDFor(start, n) on: exec runs LegacyInsertNamedSQL with the given id and
// reports the rows it inserted. The ids of one microsecond run out only after 1024
// rows.
func LegacyInsert(start time.Time, n uint64, exec func(id int64) (sql.Result, error)) error {
	for i := uint64(0); i < idSpread; i++ {
		res, err := exec(IDFor(start, n+i))
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil || k == 1 {
			return err
		}
	}
	return fmt.Errorf("insert into %s: no free id in the microsecond %s", LegacyName, start.UTC().Format(time.RFC3339Nano))
}
