// Package logtable stores the cloud-function invocation log.
//
// The log lives in PocketBase's auxiliary database (auxiliary.db, beside PocketBase's
// own request log), not in the main data.db: every commit to a SQLite database makes
// each reader connection of that database drop its page cache on its next read. Kept
// in data.db, the log's group commits (several per second under load) kept the
// collections' readers cold: an indexed query from a function cost 3-4× the same query
// with no writer about. It also leaves data.db's single writer to the documents.
//
// Entries are written in chunks: one row holds up to MaxChunkLines invocations as JSON
// lines (Line), with the range of their start times, how many failed, and one row per
// function in the chunk in a side table. A row per invocation (the legacy table) cost
// a table insert and two index inserts through the SQL engine, ~10 µs of CPU, a fifth
// of what a trivial call costs in all; a chunk costs a few µs per invocation less than
// that. The log is written on every call and read by people, so reads pay instead:
// Find decodes the chunks that may hold matches, newest first, and stops as soon as no
// later chunk can hold a newer match. A request id is found by a text search of the
// chunks (ids may come from clients, so they carry no time to narrow it by).
//
// The tables are plain SQLite, not PocketBase collections, read through
// cloudfns.QueryLogs, the `functions logs` command and the admin API.
package logtable

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/pocketbase/dbx"
)

// ChunksName and FunctionsName are the log's tables in the auxiliary database.
const (
	ChunksName    = "_mc_function_log_chunks"
	FunctionsName = "_mc_function_log_functions"
)

const (
	// MaxChunkLines bounds the invocations of one chunk (and so the entries a point
	// lookup decodes). It is below chunkSpread: an entry's id is chunk*chunkSpread +
	// its place in the chunk.
	MaxChunkLines = 512
	// MaxChunkBytes closes a chunk early when its lines are large (console output).
	MaxChunkBytes = 1 << 20
	chunkSpread   = 1024
)

// successOutcome is cloudfns.OutcomeSuccess: every other outcome counts as a failure.
const successOutcome = "success"

const schema = "CREATE TABLE IF NOT EXISTS `" + ChunksName + "` (" +
	"`id` INTEGER PRIMARY KEY AUTOINCREMENT, " + // AUTOINCREMENT: entry ids are never reused
	"`minStart` INTEGER NOT NULL, " + // microseconds since the Unix epoch
	"`maxStart` INTEGER NOT NULL, " +
	"`count` INTEGER NOT NULL, " +
	"`failures` INTEGER NOT NULL, " + // entries whose outcome is not success
	"`entries` BLOB NOT NULL);\n" + // JSON lines, one Line each
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_log_chunks_maxStart` ON `" + ChunksName + "` (`maxStart`);\n" +
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_log_chunks_minStart` ON `" + ChunksName + "` (`minStart`);\n" +
	"CREATE TABLE IF NOT EXISTS `" + FunctionsName + "` (" +
	"`function` TEXT NOT NULL, " +
	"`maxStart` INTEGER NOT NULL, " + // of this function's entries in the chunk
	"`chunk` INTEGER NOT NULL, " +
	"`minStart` INTEGER NOT NULL, " +
	"`count` INTEGER NOT NULL, " +
	"`failures` INTEGER NOT NULL, " +
	"PRIMARY KEY (`function`, `maxStart`, `chunk`)) WITHOUT ROWID;\n" +
	"CREATE INDEX IF NOT EXISTS `idx_mc_function_log_functions_chunk` ON `" + FunctionsName + "` (`chunk`);"

// Indexes are the names of the secondary indexes Ensure creates.
var Indexes = []string{"idx_mc_function_log_chunks_maxStart", "idx_mc_function_log_chunks_minStart",
	"idx_mc_function_log_functions_chunk"}

// Ensure creates the tables and their indexes in db (the auxiliary database) if they
// do not exist yet.
func Ensure(db dbx.Builder) error {
	if _, err := db.NewQuery(schema).Execute(); err != nil {
		return fmt.Errorf("create %s: %w", ChunksName, err)
	}
	return nil
}

// Line is one invocation as stored.
type Line struct {
	RequestID    string          `json:"requestId"`
	Function     string          `json:"function"`
	Version      int             `json:"version"`
	Source       string          `json:"source,omitempty"`
	OpenID       string          `json:"openid,omitempty"`
	Start        int64           `json:"start"`    // microseconds since the Unix epoch
	Duration     float64         `json:"duration"` // milliseconds
	Outcome      string          `json:"outcome"`
	ErrorCode    string          `json:"errorCode,omitempty"`
	ErrorMessage string          `json:"errorMessage,omitempty"`
	ErrorStack   string          `json:"errorStack,omitempty"`
	Logs         json.RawMessage `json:"logs,omitempty"` // a JSON array of console lines
	EventBytes   int             `json:"eventBytes"`
	ResultBytes  int             `json:"resultBytes"`
}

// AppendJSON appends l as one line of JSON that encoding/json reads back as l. The
// writer calls it for every invocation, hence no reflection.
// Logs must be valid JSON or empty.
func (l *Line) AppendJSON(b []byte) []byte {
	b = append(b, `{"requestId":`...)
	b = ejson.AppendString(b, l.RequestID)
	b = append(b, `,"function":`...)
	b = ejson.AppendString(b, l.Function)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(l.Version), 10)
	b = appendOptional(b, `,"source":`, l.Source)
	b = appendOptional(b, `,"openid":`, l.OpenID)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, l.Start, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendFloat(b, l.Duration, 'f', -1, 64)
	b = append(b, `,"outcome":`...)
	b = ejson.AppendString(b, l.Outcome)
	b = appendOptional(b, `,"errorCode":`, l.ErrorCode)
	b = appendOptional(b, `,"errorMessage":`, l.ErrorMessage)
	b = appendOptional(b, `,"errorStack":`, l.ErrorStack)
	if len(l.Logs) > 0 {
		b = append(b, `,"logs":`...)
		b = append(b, l.Logs...)
	}
	b = append(b, `,"eventBytes":`...)
	b = strconv.AppendInt(b, int64(l.EventBytes), 10)
	b = append(b, `,"resultBytes":`...)
	b = strconv.AppendInt(b, int64(l.ResultBytes), 10)
	return append(b, '}')
}

func appendOptional(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return ejson.AppendString(append(b, key...), s)
}

// WriteChunks stores lines, in order, as chunks of at most MaxChunkLines lines and
// about MaxChunkBytes bytes. Call it inside a transaction (db a *dbx.Tx): a chunk and
// its function rows belong together.
func WriteChunks(ctx context.Context, db dbx.Builder, lines []Line) error {
	if len(lines) == 0 {
		return nil
	}
	chunk := db.NewQuery("INSERT INTO `" + ChunksName + "` (`minStart`, `maxStart`, `count`, `failures`, `entries`) " +
		"VALUES ({:min}, {:max}, {:count}, {:failures}, {:entries})").WithContext(ctx).Prepare()
	defer chunk.Close()
	fn := db.NewQuery("INSERT INTO `" + FunctionsName + "` (`function`, `maxStart`, `chunk`, `minStart`, `count`, `failures`) " +
		"VALUES ({:function}, {:max}, {:chunk}, {:min}, {:count}, {:failures})").WithContext(ctx).Prepare()
	defer fn.Close()
	bp := chunkBuffers.Get().(*[]byte)
	defer chunkBuffers.Put(bp)
	buf := (*bp)[:0]
	defer func() { *bp = buf[:0] }() // keep what it grew to for the next batch
	var fns []span
	for len(lines) > 0 {
		buf = buf[:0]
		n := 0
		for n < len(lines) && n < MaxChunkLines {
			before := len(buf)
			buf = append(lines[n].AppendJSON(buf), '\n')
			if n > 0 && len(buf) > MaxChunkBytes {
				buf = buf[:before]
				break
			}
			n++
		}
		var all span
		fns = fns[:0]
		for i := range lines[:n] {
			l := &lines[i]
			all.add(l)
			j := slices.IndexFunc(fns, func(s span) bool { return s.function == l.Function })
			if j < 0 {
				fns = append(fns, span{function: l.Function})
				j = len(fns) - 1
			}
			fns[j].add(l)
		}
		res, err := chunk.Bind(dbx.Params{"min": all.min, "max": all.max, "count": all.count,
			"failures": all.failures, "entries": buf}).Execute()
		if err != nil {
			return fmt.Errorf("write function log: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("write function log: %w", err)
		}
		for _, s := range fns {
			_, err := fn.Bind(dbx.Params{"function": s.function, "max": s.max, "chunk": id, "min": s.min,
				"count": s.count, "failures": s.failures}).Execute()
			if err != nil {
				return fmt.Errorf("write function log: %w", err)
			}
		}
		lines = lines[n:]
	}
	return nil
}

// chunkBuffers hold the encoding buffers of WriteChunks: a batch's chunk is ~100 KiB,
// regrown from nothing for every batch otherwise.
var chunkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// span summarises the lines of a chunk (or of one function in it).
type span struct {
	function                  string
	min, max, count, failures int64
}

func (s *span) add(l *Line) {
	if s.count == 0 || l.Start < s.min {
		s.min = l.Start
	}
	if s.count == 0 || l.Start > s.max {
		s.max = l.Start
	}
	s.count++
	if l.Outcome != successOutcome {
		s.failures++
	}
}

// Filter selects entries. Zero fields do not filter.
type Filter struct {
	Function  string
	RequestID string
	Outcome   string
	Since     int64 // start >= Since (microseconds)
	Until     int64 // start < Until (microseconds)
}

func (f *Filter) match(l *Line) bool {
	return (f.Function == "" || l.Function == f.Function) &&
		(f.RequestID == "" || l.RequestID == f.RequestID) &&
		(f.Outcome == "" || l.Outcome == f.Outcome) &&
		(f.Since == 0 || l.Start >= f.Since) &&
		(f.Until == 0 || l.Start < f.Until)
}

// Entry is a stored line and its id (chunk*1024 + its place in the chunk).
type Entry struct {
	ID   int64
	Line Line
}

// newer orders entries newest first: by start, then by id.
func newer(a, b Entry) int {
	if c := cmp.Compare(b.Line.Start, a.Line.Start); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// Find returns the n newest entries matching f (by start time, then id).
//
// Chunks come in descending order of the latest start they hold (of f.Function's
// entries when it is set), so once n matches are newer than the next chunk's latest
// start, no later chunk can change the answer.
func Find(ctx context.Context, db dbx.Builder, f Filter, n int) ([]Entry, error) {
	if n <= 0 {
		return nil, nil
	}
	query, params := findQuery(f)
	rows, err := db.NewQuery(query).WithContext(ctx).Bind(params).Rows()
	if err != nil {
		return nil, fmt.Errorf("query function logs: %w", err)
	}
	defer rows.Close()
	var found []Entry
	for rows.Next() {
		var id, latest int64
		var entries sql.RawBytes
		if err := rows.Scan(&id, &latest, &entries); err != nil {
			return nil, fmt.Errorf("query function logs: %w", err)
		}
		if len(found) >= n && found[n-1].Line.Start > latest {
			break
		}
		if found, err = appendMatches(found, id, entries, &f); err != nil {
			return nil, err
		}
		slices.SortFunc(found, newer)
		found = found[:min(len(found), n)]
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query function logs: %w", err)
	}
	return found, nil
}

// findQuery is Find's SQL: the chunks that may hold entries matching f, in the order
// Find reads them, with the latest start each holds.
func findQuery(f Filter) (string, dbx.Params) {
	var where []string
	params := dbx.Params{}
	var b strings.Builder
	if f.Function != "" {
		b.WriteString("SELECT c.`id`, f.`maxStart`, c.`entries` FROM `" + FunctionsName + "` f JOIN `" +
			ChunksName + "` c ON c.`id` = f.`chunk`")
		where = append(where, "f.`function` = {:function}")
		params["function"] = f.Function
		where = append(where, spanFilter("f.", f, params)...)
	} else {
		b.WriteString("SELECT c.`id`, c.`maxStart`, c.`entries` FROM `" + ChunksName + "` c")
		where = append(where, spanFilter("c.", f, params)...)
	}
	if f.RequestID != "" {
		// The text the writer puts in the line; Filter.match checks the decoded value.
		needle := ejson.AppendString([]byte(`"requestId":`), f.RequestID)
		where = append(where, "instr(c.`entries`, {:needle}) > 0")
		params["needle"] = append(needle, ',')
	}
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(where, " AND "))
	}
	if f.Function != "" {
		b.WriteString(" ORDER BY f.`maxStart` DESC, f.`chunk` DESC")
	} else {
		b.WriteString(" ORDER BY c.`maxStart` DESC, c.`id` DESC")
	}
	return b.String(), params
}

// spanFilter is the SQL condition on a chunk's (or a chunk function's) summary that
// lets through every chunk that may hold entries matching f.
func spanFilter(table string, f Filter, params dbx.Params) []string {
	var where []string
	if f.Since != 0 {
		where = append(where, table+"`maxStart` >= {:since}")
		params["since"] = f.Since
	}
	if f.Until != 0 {
		where = append(where, table+"`minStart` < {:until}")
		params["until"] = f.Until
	}
	switch f.Outcome {
	case "":
	case successOutcome:
		where = append(where, table+"`failures` < "+table+"`count`")
	default:
		where = append(where, table+"`failures` > 0")
	}
	return where
}

// appendMatches decodes the lines of chunk id and appends those matching f.
func appendMatches(found []Entry, id int64, entries []byte, f *Filter) ([]Entry, error) {
	for i := int64(0); len(entries) > 0; i++ {
		var raw []byte
		raw, entries, _ = bytes.Cut(entries, []byte{'\n'})
		var l Line
		if err := json.Unmarshal(raw, &l); err != nil {
			return found, fmt.Errorf("function log chunk %d, line %d: %w", id, i+1, err)
		}
		if f.match(&l) {
			found = append(found, Entry{ID: id*chunkSpread + i, Line: l})
		}
	}
	return found, nil
}

// DeleteBefore deletes the entries that started before cutoff (microseconds),
// touching at most limit chunks: chunks holding only such entries are deleted, and a
// chunk holding older and newer ones (a long call logged beside short ones) is written
// anew with the newer ones. Call it inside a transaction (db a *dbx.Tx). It returns
// the chunks touched (fewer than limit: nothing is left to delete) and the entries
// deleted.
func DeleteBefore(ctx context.Context, db dbx.Builder, cutoff int64, limit int) (chunks, entries int64, err error) {
	var old, straddling []struct {
		ID      int64  `db:"id"`
		Count   int64  `db:"count"`
		Entries []byte `db:"entries"`
	}
	// Whole chunks first, then (when they are done) the chunks that straddle the
	// cutoff: with every older chunk gone, those are the ones that start before it.
	err = db.NewQuery("SELECT `id`, `count`, NULL AS `entries` FROM `" + ChunksName +
		"` WHERE `maxStart` < {:cutoff} ORDER BY `maxStart` LIMIT {:n}").WithContext(ctx).
		Bind(dbx.Params{"cutoff": cutoff, "n": limit}).All(&old)
	if err == nil && len(old) < limit {
		err = db.NewQuery("SELECT `id`, `count`, `entries` FROM `" + ChunksName +
			"` WHERE `minStart` < {:cutoff} LIMIT {:n}").WithContext(ctx).
			Bind(dbx.Params{"cutoff": cutoff, "n": limit - len(old)}).All(&straddling)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("delete old function logs: %w", err)
	}
	var kept []Line
	for _, c := range straddling {
		found, err := appendMatches(nil, c.ID, c.Entries, &Filter{Since: cutoff})
		if err != nil {
			return 0, 0, err
		}
		for _, e := range found {
			kept = append(kept, e.Line)
		}
		entries -= int64(len(found))
	}
	ids := make([]string, 0, len(old)+len(straddling))
	for _, c := range append(old, straddling...) {
		ids = append(ids, strconv.FormatInt(c.ID, 10))
		entries += c.Count
	}
	if len(ids) == 0 {
		return 0, 0, nil
	}
	in := " IN (" + strings.Join(ids, ",") + ")"
	for _, q := range []string{"DELETE FROM `" + FunctionsName + "` WHERE `chunk`" + in, "DELETE FROM `" + ChunksName + "` WHERE `id`" + in} {
		if _, err := db.NewQuery(q).WithContext(ctx).Execute(); err != nil {
			return 0, 0, fmt.Errorf("delete old function logs: %w", err)
		}
	}
	if err := WriteChunks(ctx, db, kept); err != nil {
		return 0, 0, err
	}
	return int64(len(ids)), entries, nil
}
