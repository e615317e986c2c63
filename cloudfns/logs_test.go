package cloudfns

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/cloudfns/logtable"
	"github.com/minicloud/minicloud/internal/reqid"
	"github.com/minicloud/minicloud/internal/testapp"
)

// newLogsTestStore boots PocketBase on a temp dir with Minicloud's migrations and
// returns a log store over it (closed before the app is torn down).
func newLogsTestStore(t testing.TB, retention time.Duration) (*LogStore, core.App) {
	t.Helper()
	app := testapp.New(t)
	s := NewLogStore(app, retention)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, app
}

func flushLogs(t testing.TB, s *LogStore) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// storedEntries counts the entries in app's log tables.
func storedEntries(t testing.TB, app core.App) int {
	t.Helper()
	var n int
	if err := app.AuxDB().NewQuery("SELECT COALESCE(SUM(`count`), 0) FROM `" + FunctionLogsTable + "`").Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func queryLogs(t testing.TB, s *LogStore, q LogQuery) []LogEntry {
	t.Helper()
	out, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLogStoreTableInAuxDatabase: the log is written to the auxiliary database, with
// its indexes, and nothing of it to data.db (whose readers a commit would make cold).
func TestLogStoreTableInAuxDatabase(t *testing.T) {
	s, app := newLogsTestStore(t, 0)
	s.Record(LogEntry{RequestID: "req-aux", Function: "f", Start: time.Now(), Outcome: OutcomeSuccess})
	flushLogs(t, s)
	if n := storedEntries(t, app); n != 1 {
		t.Fatalf("aux entries %d", n)
	}
	if got := queryLogs(t, s, LogQuery{RequestID: "req-aux"}); len(got) != 1 {
		t.Fatalf("by request id: %+v", got)
	}
	for _, table := range []string{logtable.ChunksName, logtable.FunctionsName} {
		if app.HasTable(table) {
			t.Fatalf("%s exists in data.db", table)
		}
	}
	var idx []string
	if err := app.AuxDB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({:c}, {:f})").
		Bind(dbx.Params{"c": logtable.ChunksName, "f": logtable.FunctionsName}).Column(&idx); err != nil {
		t.Fatal(err)
	}
	for _, want := range logtable.Indexes {
		if !slices.Contains(idx, want) {
			t.Errorf("missing index %s in %v", want, idx)
		}
	}
}

func TestLogStoreRecordQuery(t *testing.T) {
	s, _ := newLogsTestStore(t, DefaultLogRetention)
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond).UTC()
	lines := []LogLine{
		{Level: "log", Time: base.Add(time.Millisecond), Text: "hello <world> & \"friends\""},
		{Level: "error", Time: base.Add(2 * time.Millisecond), Text: "多字节 ✓"},
	}
	s.Record(LogEntry{RequestID: "r1", Function: "fnA", Version: 3, Source: "wx_client", OpenID: "o1",
		Start: base, Duration: 1500 * time.Microsecond, Outcome: OutcomeSuccess, Logs: lines,
		EventBytes: 10, ResultBytes: 20})
	s.Record(LogEntry{RequestID: "r2", Function: "fnA", Version: 3, Source: "timer",
		Start: base.Add(time.Second), Duration: 3 * time.Second, Outcome: OutcomeTimeout,
		ErrorCode: CodeTimeout, ErrorMessage: "timed out after 3s"})
	s.Record(LogEntry{RequestID: "r3", Function: "fnB", Version: 1, Source: "http",
		Start: base.Add(2 * time.Second), Duration: time.Millisecond, Outcome: OutcomeError,
		ErrorCode: CodeExecuteFail, ErrorMessage: "boom", ErrorStack: "Error: boom\n    at main (index.js:3:9)"})
	flushLogs(t, s)
	if s.Written() != 3 || s.Dropped() != 0 {
		t.Fatalf("written %d dropped %d", s.Written(), s.Dropped())
	}

	all := queryLogs(t, s, LogQuery{})
	if len(all) != 3 || all[0].RequestID != "r3" || all[1].RequestID != "r2" || all[2].RequestID != "r1" {
		t.Fatalf("newest first: %+v", all)
	}
	r1 := all[2]
	if r1.ID == "" || r1.Function != "fnA" || r1.Version != 3 || r1.Source != "wx_client" || r1.OpenID != "o1" ||
		!r1.Start.Equal(base) || r1.Duration != 1500*time.Microsecond || r1.Outcome != OutcomeSuccess ||
		r1.EventBytes != 10 || r1.ResultBytes != 20 || len(r1.Logs) != 2 {
		t.Fatalf("r1 %+v", r1)
	}
	if r1.Logs[0] != lines[0] && !(r1.Logs[0].Text == lines[0].Text && r1.Logs[0].Time.Equal(lines[0].Time)) {
		t.Fatalf("logs %+v", r1.Logs)
	}
	if r1.Logs[1].Level != "error" || r1.Logs[1].Text != "多字节 ✓" {
		t.Fatalf("logs %+v", r1.Logs)
	}
	r3 := all[0]
	if r3.ErrorCode != CodeExecuteFail || r3.ErrorMessage != "boom" || !strings.Contains(r3.ErrorStack, "index.js:3:9") || r3.Logs != nil {
		t.Fatalf("r3 %+v", r3)
	}

	if got := queryLogs(t, s, LogQuery{Function: "fnA"}); len(got) != 2 || got[0].RequestID != "r2" {
		t.Fatalf("by function: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{RequestID: "r3"}); len(got) != 1 || got[0].Function != "fnB" {
		t.Fatalf("by request id: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Outcome: OutcomeTimeout}); len(got) != 1 || got[0].RequestID != "r2" {
		t.Fatalf("by outcome: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Function: "fnA", Outcome: OutcomeError}); len(got) != 0 {
		t.Fatalf("fnA errors: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Since: base.Add(time.Second)}); len(got) != 2 {
		t.Fatalf("since: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Until: base.Add(time.Second)}); len(got) != 1 || got[0].RequestID != "r1" {
		t.Fatalf("until: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Since: base, Until: base.Add(2 * time.Second), Function: "fnA"}); len(got) != 2 {
		t.Fatalf("range: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Limit: 1, Offset: 1}); len(got) != 1 || got[0].RequestID != "r2" {
		t.Fatalf("page: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{RequestID: "r1", NoLogs: true}); len(got) != 1 || got[0].Logs != nil {
		t.Fatalf("no logs: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{Function: "nope"}); len(got) != 0 {
		t.Fatalf("unknown function: %+v", got)
	}
}

func TestLogStoreBatchesAndTimerFlush(t *testing.T) {
	s, app := newLogsTestStore(t, 0)
	now := time.Now().UTC()
	const n = 1234
	for i := 0; i < n; i++ {
		s.Record(LogEntry{RequestID: fmt.Sprintf("req-%d", i), Function: "bulk", Start: now.Add(time.Duration(i) * time.Millisecond), Outcome: OutcomeSuccess})
	}
	// Without Flush, the writer gets everything out within its interval.
	deadline := time.Now().Add(5 * time.Second)
	for s.Written() < n {
		if time.Now().After(deadline) {
			t.Fatalf("written %d of %d after 5s", s.Written(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if count := storedEntries(t, app); count != n {
		t.Fatalf("count %d", count)
	}
	got := queryLogs(t, s, LogQuery{Function: "bulk", Limit: 5000})
	if len(got) != logQueryMaxLimit || got[0].RequestID != fmt.Sprintf("req-%d", n-1) {
		t.Fatalf("got %d, first %+v", len(got), got[0])
	}
	if def := queryLogs(t, s, LogQuery{}); len(def) != logQueryDefLimit {
		t.Fatalf("default limit: %d", len(def))
	}
	// A single entry is written within ~200 ms, with no Flush.
	before := s.Written()
	s.Record(LogEntry{RequestID: "late", Function: "bulk", Start: time.Now(), Outcome: OutcomeSuccess})
	deadline = time.Now().Add(3 * time.Second)
	for s.Written() == before {
		if time.Now().After(deadline) {
			t.Fatal("a lone entry was not written by the flush timer")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLogStoreDropsWhenFull(t *testing.T) {
	s, _ := newLogsTestStore(t, 0)
	e := LogEntry{RequestID: "x", Function: "f", Start: time.Now(), Outcome: OutcomeSuccess}
	s.mu.Lock()
	s.pendingBytes = logMaxPendingBytes // pretend the writer is far behind
	s.mu.Unlock()
	s.Record(e)
	if s.Dropped() != 1 {
		t.Fatalf("dropped %d", s.Dropped())
	}
	s.mu.Lock()
	s.pendingBytes = 0
	s.mu.Unlock()
	s.Record(e)
	flushLogs(t, s)
	if s.Written() != 1 || s.Dropped() != 1 {
		t.Fatalf("written %d dropped %d", s.Written(), s.Dropped())
	}
	// After Close, entries are dropped, and Flush returns at once.
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Record(e)
	if s.Dropped() != 2 {
		t.Fatalf("dropped after close %d", s.Dropped())
	}
	flushLogs(t, s)
}

func TestLogStoreCloseFlushes(t *testing.T) {
	s, app := newLogsTestStore(t, 0)
	for i := 0; i < 10; i++ {
		s.Record(LogEntry{RequestID: fmt.Sprint(i), Function: "f", Start: time.Now(), Outcome: OutcomeSuccess})
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if count := storedEntries(t, app); count != 10 {
		t.Fatalf("count %d", count)
	}
}

func TestLogStoreTerminateFlushes(t *testing.T) {
	s, app := newLogsTestStore(t, 0)
	s.Record(LogEntry{RequestID: "t", Function: "f", Start: time.Now(), Outcome: OutcomeSuccess})
	if err := app.OnTerminate().Trigger(&core.TerminateEvent{App: app}); err != nil {
		t.Fatal(err)
	}
	if s.Written() != 1 {
		t.Fatalf("written %d", s.Written())
	}
}

func TestLogStoreCapsConsoleOutput(t *testing.T) {
	s, app := newLogsTestStore(t, 0)
	now := time.Now().UTC()
	var many []LogLine
	for i := 0; i < 2000; i++ {
		many = append(many, LogLine{Level: "log", Time: now, Text: fmt.Sprintf("line %04d %s", i, strings.Repeat("x", 90))})
	}
	s.Record(LogEntry{RequestID: "many", Function: "f", Start: now, Outcome: OutcomeSuccess, Logs: many})
	huge := strings.Repeat("<é>", 200000)
	s.Record(LogEntry{RequestID: "huge", Function: "f", Start: now, Outcome: OutcomeSuccess,
		Logs: []LogLine{{Level: "log", Time: now, Text: "first"}, {Level: "warn", Time: now, Text: huge}}})
	flushLogs(t, s)

	for _, id := range []string{"many", "huge"} {
		found, err := logtable.Find(context.Background(), app.AuxDB(), logtable.Filter{RequestID: id}, 2)
		if err != nil || len(found) != 1 {
			t.Fatalf("%s: %d found (%v)", id, len(found), err)
		}
		raw := found[0].Line.Logs
		if len(raw) > MaxLogBytes {
			t.Errorf("%s: stored %d bytes of console output, cap %d", id, len(raw), MaxLogBytes)
		}
		if len(raw) < MaxLogBytes-2000 {
			t.Errorf("%s: stored only %d bytes", id, len(raw))
		}
		got := queryLogs(t, s, LogQuery{RequestID: id})
		last := got[0].Logs[len(got[0].Logs)-1]
		if last.Level != "warn" || !strings.Contains(last.Text, "console output truncated") {
			t.Errorf("%s: last line %+v", id, last)
		}
		if id == "many" {
			if got[0].Logs[0].Text != many[0].Text {
				t.Errorf("first line changed: %q", got[0].Logs[0].Text)
			}
		} else {
			if len(got[0].Logs) != 3 || got[0].Logs[0].Text != "first" || !strings.HasSuffix(got[0].Logs[1].Text, "…") ||
				!strings.HasPrefix(got[0].Logs[1].Text, "<é><é>") {
				t.Errorf("huge: %d lines", len(got[0].Logs))
			}
		}
	}
}

func TestLogEncodeLines(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	texts := []string{"", "plain", "\x00\x01 control", "bad utf8 \xff\xfe", "<script>&</script>", "\u2028\u2029", strings.Repeat("é", 5000)}
	for _, max := range []int{300, 1000, 4096, MaxLogBytes} {
		for _, text := range texts {
			lines := []LogLine{{Level: "log", Time: now, Text: text}, {Level: "info", Time: now, Text: text + text}}
			b := encodeLogLines(lines, max)
			if len(b) > max {
				t.Errorf("max %d text %.20q: %d bytes", max, text, len(b))
			}
			var back []LogLine
			if err := json.Unmarshal(b, &back); err != nil {
				t.Errorf("max %d text %.20q: %v: %s", max, text, err, b)
			}
		}
	}
	// Small output is kept whole.
	lines := []LogLine{{Level: "log", Time: now, Text: "a"}, {Level: "warn", Time: now, Text: "b"}}
	var back []LogLine
	_ = json.Unmarshal(encodeLogLines(lines, MaxLogBytes), &back)
	if len(back) != 2 || back[1].Text != "b" {
		t.Fatalf("%+v", back)
	}
}

func TestLogStoreRetention(t *testing.T) {
	s, app := newLogsTestStore(t, time.Hour)
	now := time.Now().UTC()
	s.Record(LogEntry{RequestID: "old", Function: "f", Start: now.Add(-2 * time.Hour), Outcome: OutcomeSuccess})
	s.Record(LogEntry{RequestID: "older", Function: "f", Start: now.Add(-200 * time.Hour), Outcome: OutcomeSuccess})
	s.Record(LogEntry{RequestID: "new", Function: "f", Start: now.Add(-time.Minute), Outcome: OutcomeSuccess})
	flushLogs(t, s)
	n, err := s.Cleanup(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("cleanup %d %v", n, err)
	}
	if got := queryLogs(t, s, LogQuery{}); len(got) != 1 || got[0].RequestID != "new" {
		t.Fatalf("after cleanup: %+v", got)
	}
	// 0 keeps everything.
	s.SetRetention(0)
	if s.Retention() != 0 {
		t.Fatal("retention")
	}
	s.Record(LogEntry{RequestID: "ancient", Function: "f", Start: now.Add(-10000 * time.Hour), Outcome: OutcomeSuccess})
	flushLogs(t, s)
	if n, err := s.Cleanup(context.Background()); err != nil || n != 0 {
		t.Fatalf("cleanup with retention 0: %d %v", n, err)
	}
	// The hourly job is registered with PocketBase's cron.
	found := false
	for _, j := range app.Cron().Jobs() {
		if j.Id() == logCleanupJobID {
			found = true
		}
	}
	if !found {
		t.Fatal("cleanup cron job not registered")
	}
}

func TestNewLogEntryAndJSON(t *testing.T) {
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cc := CallContext{RequestID: "rid", Source: "wx_client", OpenID: "oid"}
	res := Result{Value: json.RawMessage(`{"ok":true}`), Duration: 2500 * time.Microsecond, Outcome: OutcomeError,
		Err: &InvokeError{Code: CodeExecuteFail, Message: "bad", Stack: "at x"}, Logs: []LogLine{{Level: "log", Text: "hi"}}}
	e := NewLogEntry("fn", 7, cc, start, 42, res)
	if e.RequestID != "rid" || e.Function != "fn" || e.Version != 7 || e.Source != "wx_client" || e.OpenID != "oid" ||
		e.EventBytes != 42 || e.ResultBytes != len(`{"ok":true}`) || e.ErrorCode != CodeExecuteFail ||
		e.ErrorStack != "at x" || e.Outcome != OutcomeError || len(e.Logs) != 1 {
		t.Fatalf("%+v", e)
	}
	if NewLogEntry("fn", 1, cc, start, 0, Result{}).Outcome != OutcomeSuccess {
		t.Fatal("default outcome")
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"duration":2.5`) || !strings.Contains(string(b), `"requestId":"rid"`) {
		t.Fatalf("%s", b)
	}
	var back LogEntry
	if err := json.Unmarshal(b, &back); err != nil || back.Duration != e.Duration || back.Function != "fn" {
		t.Fatalf("%+v %v", back, err)
	}
}

func BenchmarkLogStoreRecord(b *testing.B) {
	s, _ := newLogsTestStore(b, 0)
	e := LogEntry{RequestID: "r", Function: "f", Start: time.Now(), Outcome: OutcomeSuccess,
		Logs: []LogLine{{Level: "log", Text: "hello"}}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Record(e)
		}
	})
	b.StopTimer()
	flushLogs(b, s)
	b.ReportMetric(float64(s.Dropped()), "dropped")
}

// The order is by start time, whatever the order the calls ended in, and calls that
// started in the same microsecond are all kept.
func TestLogStoreOrdersByStart(t *testing.T) {
	s, _ := newLogsTestStore(t, 0)
	base := time.Now().Add(-time.Minute).UTC()
	for i, d := range []int{2, 0, 1} {
		s.Record(LogEntry{RequestID: fmt.Sprintf("r%d", d), Function: "f", Start: base.Add(time.Duration(d) * time.Second), Outcome: OutcomeSuccess, Version: i})
	}
	for i := 0; i < 5; i++ {
		s.Record(LogEntry{RequestID: "same", Function: "g", Start: base, Outcome: OutcomeSuccess})
	}
	flushLogs(t, s)
	got := queryLogs(t, s, LogQuery{Function: "f"})
	if len(got) != 3 || got[0].RequestID != "r2" || got[1].RequestID != "r1" || got[2].RequestID != "r0" {
		t.Fatalf("order: %+v", got)
	}
	if same := queryLogs(t, s, LogQuery{RequestID: "same"}); len(same) != 5 {
		t.Fatalf("same microsecond: %d rows, want 5", len(same))
	}
	if in := queryLogs(t, s, LogQuery{Since: base.Add(time.Second), Until: base.Add(2 * time.Second)}); len(in) != 1 || in[0].RequestID != "r1" {
		t.Fatalf("range: %+v", in)
	}
}

// A request id that carries a time (the gateway's, the runtime's) is looked up near
// that time; one that only looks like it (a client's X-Request-Id) is still found, and
// an id without a time is found by searching everything.
func TestLogStoreFindsRequestIDs(t *testing.T) {
	s, _ := newLogsTestStore(t, 0)
	now := time.Now().UTC()
	ours := newRequestID()                                // carries now
	lookalike := "00000000000a" + strings.Repeat("7", 20) // 32 hex digits: "carries" 1970
	random := "client-chosen-id"
	if at, ok := reqid.Time(ours); !ok || at.Sub(now).Abs() > time.Minute {
		t.Fatalf("the runtime's request id %s carries no time (%v %v)", ours, at, ok)
	}
	for i, id := range []string{ours, lookalike, random} {
		s.Record(LogEntry{RequestID: id, Function: "f", Start: now.Add(time.Duration(i) * time.Second), Outcome: OutcomeSuccess})
	}
	for i := 0; i < 50; i++ { // other calls around them
		s.Record(LogEntry{RequestID: newRequestID(), Function: "f", Start: now.Add(-time.Duration(i) * time.Minute), Outcome: OutcomeSuccess})
	}
	flushLogs(t, s)
	for _, id := range []string{ours, lookalike, random} {
		if got := queryLogs(t, s, LogQuery{RequestID: id}); len(got) != 1 || got[0].RequestID != id {
			t.Errorf("%s: %+v", id, got)
		}
	}
	// The caller's own time range still applies.
	if got := queryLogs(t, s, LogQuery{RequestID: ours, Since: now.Add(time.Hour)}); len(got) != 0 {
		t.Errorf("since an hour later: %+v", got)
	}
	if got := queryLogs(t, s, LogQuery{RequestID: ours, Until: now.Add(time.Second)}); len(got) != 1 {
		t.Errorf("until a second later: %+v", got)
	}
}
