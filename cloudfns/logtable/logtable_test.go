package logtable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

func openTestDB(t testing.TB) *dbx.DB {
	t.Helper()
	db, err := dbx.Open("sqlite", filepath.Join(t.TempDir(), "aux.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := Ensure(db); err != nil {
		t.Fatal(err)
	}
	return db
}

func write(t testing.TB, db *dbx.DB, lines []Line) {
	t.Helper()
	err := db.Transactional(func(tx *dbx.Tx) error { return WriteChunks(context.Background(), tx, lines) })
	if err != nil {
		t.Fatal(err)
	}
}

func find(t testing.TB, db *dbx.DB, f Filter, n int) []Entry {
	t.Helper()
	got, err := Find(context.Background(), db, f, n)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestEnsureCreatesTablesAndIndexesOnce(t *testing.T) {
	db := openTestDB(t)
	if err := Ensure(db); err != nil { // the second call finds everything in place
		t.Fatal(err)
	}
	var idx []string
	if err := db.NewQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' " +
		"AND tbl_name IN ('" + ChunksName + "', '" + FunctionsName + "') ORDER BY name").Column(&idx); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(Indexes)
	slices.Sort(want)
	if !slices.Equal(idx, want) {
		t.Fatalf("indexes %v, want %v", idx, want)
	}
}

// AppendJSON writes what encoding/json reads back as the same Line, for awkward text
// too: quotes, control characters, invalid UTF-8 (as U+FFFD), non-ASCII.
func TestAppendJSONRoundTrip(t *testing.T) {
	texts := []string{"", "plain", `q"uo\te`, "tab\tnl\nret\r", "\x00\x01\x1f\x7f", "中文 é 😀", "bad \xff\xfe utf8",
		"\u2028\u2029", "<script>&</script>", strings.Repeat("x", 5000)}
	for i, s := range texts {
		l := Line{RequestID: s, Function: "f" + s, Version: i, Source: s, OpenID: s, Start: 1733300000123456 + int64(i),
			Duration: 12.345, Outcome: "error", ErrorCode: s, ErrorMessage: s, ErrorStack: s,
			Logs: json.RawMessage(`[{"level":"log","text":"x"}]`), EventBytes: 3, ResultBytes: 4}
		b := l.AppendJSON(nil)
		var back, std Line
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q: %v: %s", s, err, b)
		}
		ref, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ref, &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, std) {
			t.Fatalf("%q: got %+v\nwant %+v", s, back, std)
		}
		if bytes.IndexByte(b, '\n') >= 0 {
			t.Fatalf("%q: a newline inside the line: %s", s, b)
		}
	}
	// Optional fields are left out when empty, like omitempty.
	b := (&Line{Function: "f", Outcome: "success"}).AppendJSON(nil)
	for _, k := range []string{"source", "openid", "errorCode", "errorMessage", "errorStack", "logs"} {
		if bytes.Contains(b, []byte(`"`+k+`"`)) {
			t.Errorf("empty %s written: %s", k, b)
		}
	}
}

// Chunks close at MaxChunkLines lines or MaxChunkBytes bytes (a single larger line
// still gets its own chunk), and the side table has a row per function and chunk.
func TestWriteChunksSplits(t *testing.T) {
	db := openTestDB(t)
	var lines []Line
	for i := 0; i < MaxChunkLines+10; i++ {
		lines = append(lines, Line{RequestID: fmt.Sprint(i), Function: []string{"a", "b"}[i%2], Start: int64(1000 + i), Outcome: successOutcome})
	}
	big := strings.Repeat("y", MaxChunkBytes)
	lines = append(lines, Line{RequestID: "big", Function: "a", Start: 5000, Outcome: "error", ErrorStack: big},
		Line{RequestID: "after", Function: "c", Start: 5001, Outcome: "timeout"})
	write(t, db, lines)
	var chunks []struct {
		Count    int `db:"count"`
		Failures int `db:"failures"`
		Min      int `db:"minStart"`
		Max      int `db:"maxStart"`
	}
	if err := db.NewQuery("SELECT `count`, `failures`, `minStart`, `maxStart` FROM `" + ChunksName + "` ORDER BY `id`").All(&chunks); err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 4 || chunks[0].Count != MaxChunkLines || chunks[1].Count != 10 || chunks[2].Count != 1 ||
		chunks[3].Count != 1 || chunks[2].Failures != 1 || chunks[0].Failures != 0 || chunks[0].Min != 1000 ||
		chunks[0].Max != 1000+MaxChunkLines-1 {
		t.Fatalf("chunks %+v", chunks)
	}
	var fns []string
	if err := db.NewQuery("SELECT `function` || ':' || `chunk` || ':' || `count` FROM `" + FunctionsName + "` ORDER BY `chunk`, `function`").Column(&fns); err != nil {
		t.Fatal(err)
	}
	want := []string{"a:1:256", "b:1:256", "a:2:5", "b:2:5", "a:3:1", "c:4:1"}
	if !slices.Equal(fns, want) {
		t.Fatalf("function rows %v, want %v", fns, want)
	}
	if got := find(t, db, Filter{RequestID: "big"}, 5); len(got) != 1 || len(got[0].Line.ErrorStack) != MaxChunkBytes {
		t.Fatalf("big line: %d found", len(got))
	}
}

// Find gives the same answer as sorting every matching line, whatever the overlap of
// the chunks' time ranges (long calls are logged after shorter ones that started
// later) and the filters.
func TestFindMatchesBruteForce(t *testing.T) {
	db := openTestDB(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var all []Entry
	outcomes := []string{successOutcome, successOutcome, successOutcome, "error", "timeout"}
	start := int64(1_700_000_000_000_000)
	for batch := 0; batch < 40; batch++ {
		var lines []Line
		for i := 0; i < 1+rng.IntN(60); i++ {
			start += int64(rng.IntN(1000))
			s := start - int64(rng.IntN(20_000)) // some calls started long before they were logged
			if rng.IntN(10) == 0 {
				s = start // same microsecond as the last one
			}
			lines = append(lines, Line{RequestID: fmt.Sprintf("r%d-%d", batch, i), Function: fmt.Sprintf("fn%d", rng.IntN(4)),
				Start: s, Outcome: outcomes[rng.IntN(len(outcomes))]})
		}
		write(t, db, lines)
	}
	// The brute-force reference: every stored entry with its id.
	var raw []struct {
		ID      int64  `db:"id"`
		Entries []byte `db:"entries"`
	}
	if err := db.NewQuery("SELECT `id`, `entries` FROM `" + ChunksName + "`").All(&raw); err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		var err error
		if all, err = appendMatches(all, r.ID, r.Entries, &Filter{}); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(all, newer)
	mid := all[len(all)/2].Line.Start
	filters := []Filter{{}, {Function: "fn1"}, {Outcome: "error"}, {Outcome: successOutcome}, {Function: "fn2", Outcome: "timeout"},
		{Since: mid}, {Until: mid}, {Function: "fn3", Since: mid - 30_000, Until: mid + 30_000},
		{RequestID: all[7].Line.RequestID}, {RequestID: "r1-1", Function: "nope"}, {Function: "missing"}}
	for _, f := range filters {
		var want []Entry
		for _, e := range all {
			if f.match(&e.Line) {
				want = append(want, e)
			}
		}
		for _, n := range []int{1, 3, 50, 10_000} {
			got := find(t, db, f, n)
			w := want[:min(n, len(want))]
			if len(got) != len(w) {
				t.Fatalf("%+v n=%d: %d entries, want %d", f, n, len(got), len(w))
			}
			for i := range w {
				if got[i].ID != w[i].ID || got[i].Line.RequestID != w[i].Line.RequestID {
					t.Fatalf("%+v n=%d: entry %d is %d %s, want %d %s", f, n, i, got[i].ID, got[i].Line.RequestID, w[i].ID, w[i].Line.RequestID)
				}
			}
		}
	}
}

// Every query Find runs reads an index in its order: no sort of the whole log, and no
// scan of the chunks for a function's entries.
func TestFindQueriesUseIndexes(t *testing.T) {
	db := openTestDB(t)
	for _, c := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "idx_mc_function_log_chunks_maxStart"},
		{Filter{Since: 5, Until: 9, Outcome: "error"}, "idx_mc_function_log_chunks_maxStart (maxStart>?)"},
		{Filter{Function: "f"}, "PRIMARY KEY (function=?)"},
		{Filter{Function: "f", Since: 5, Until: 9, Outcome: successOutcome}, "PRIMARY KEY (function=? AND maxStart>?)"},
		{Filter{RequestID: "r"}, "idx_mc_function_log_chunks_maxStart"},
	} {
		q, params := findQuery(c.f)
		var rows []struct {
			Detail string `db:"detail"`
		}
		if err := db.NewQuery("EXPLAIN QUERY PLAN " + q).Bind(params).All(&rows); err != nil {
			t.Fatal(err)
		}
		var plan []string
		for _, r := range rows {
			plan = append(plan, r.Detail)
		}
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, c.want) || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%+v: plan %q, want %q and no sort", c.f, p, c.want)
		}
	}
}

// DeleteBefore removes whole chunks of old entries, rewrites a chunk that holds old
// and new ones, and reports the entries it removed.
func TestDeleteBefore(t *testing.T) {
	db := openTestDB(t)
	write(t, db, []Line{{RequestID: "a", Function: "f", Start: 100}, {RequestID: "b", Function: "g", Start: 200}})
	write(t, db, []Line{{RequestID: "c", Function: "f", Start: 300}})
	write(t, db, []Line{{RequestID: "long", Function: "f", Start: 250}, {RequestID: "d", Function: "g", Start: 1000}})
	write(t, db, []Line{{RequestID: "e", Function: "f", Start: 2000}})
	ctx := context.Background()
	var total int64
	for {
		chunks, entries, err := DeleteBefore(ctx, db, 500, 1)
		if err != nil {
			t.Fatal(err)
		}
		total += entries
		if chunks < 1 {
			break
		}
	}
	if total != 4 {
		t.Fatalf("deleted %d entries, want 4", total)
	}
	var ids []string
	for _, e := range find(t, db, Filter{}, 10) {
		ids = append(ids, e.Line.RequestID)
	}
	if !slices.Equal(ids, []string{"e", "d"}) {
		t.Fatalf("left %v", ids)
	}
	if got := find(t, db, Filter{Function: "g"}, 10); len(got) != 1 || got[0].Line.RequestID != "d" {
		t.Fatalf("function g: %+v", got)
	}
	var orphans int
	if err := db.NewQuery("SELECT COUNT(*) FROM `" + FunctionsName + "` WHERE `chunk` NOT IN (SELECT `id` FROM `" + ChunksName + "`)").Row(&orphans); err != nil || orphans != 0 {
		t.Fatalf("function rows without a chunk: %d (%v)", orphans, err)
	}
	if _, n, err := DeleteBefore(ctx, db, 500, 10); err != nil || n != 0 {
		t.Fatalf("nothing left to delete: %d %v", n, err)
	}
}

// A chunk that does not decode is an error, not a silently shorter answer.
func TestFindReportsBadChunk(t *testing.T) {
	db := openTestDB(t)
	if _, err := db.NewQuery("INSERT INTO `" + ChunksName + "` (`minStart`, `maxStart`, `count`, `failures`, `entries`) VALUES (1, 1, 1, 0, '{bad')").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(context.Background(), db, Filter{}, 5); err == nil || !strings.Contains(err.Error(), "chunk 1, line 1") {
		t.Fatalf("err %v", err)
	}
}

// BenchmarkWriteChunks is the writer's cost per entry for batches of 500 like the
// gateway's (a trivial call, no console output).
func BenchmarkWriteChunks(b *testing.B) {
	db := openTestDB(b)
	batch := make([]Line, 500)
	for i := range batch {
		batch[i] = Line{RequestID: fmt.Sprintf("0193a5c4d2e87b3f9a1c%012d", i), Function: "bench_trivial", Version: 1, Source: "wx_client",
			OpenID: "anon-0123456789", Start: 1733300000000000 + int64(i), Duration: 0.3, Outcome: successOutcome, EventBytes: 55, ResultBytes: 106}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += len(batch) {
		write(b, db, batch)
	}
}
