package cloudfns

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/minicloud/minicloud/cloudfns/logtable"
	"github.com/minicloud/minicloud/internal/reqid"
)

// The invocation log: chunks of entries in PocketBase's auxiliary database
// (cloudfns/logtable says why there and why chunks). Record is called on the invoke
// hot path, so it only appends to an in-memory buffer; a background goroutine writes
// the buffer in batches, one transaction (and one chunk) per batch of up to 500
// entries, at least every 200 ms. When the buffer is full (writes fall behind),
// entries are dropped and counted rather than slowing invocations down.

// FunctionLogsTable is the table holding the invocation log's chunks, in the
// auxiliary database.
const FunctionLogsTable = logtable.ChunksName

// DefaultLogRetention is how long invocation logs are kept unless configured otherwise.
const DefaultLogRetention = 7 * 24 * time.Hour

const (
	logBatchSize       = 500
	logFlushInterval   = 200 * time.Millisecond
	logMaxPending      = 20000    // entries buffered at most
	logMaxPendingBytes = 64 << 20 // approximate bytes buffered at most
	logMaxErrorMessage = 16 << 10
	logMaxErrorStack   = 64 << 10
	logMaxShortText    = 128 // requestId, function, openid
	logQueryMaxLimit   = 1000
	logQueryDefLimit   = 100
	logCleanupJobID    = "__mcFunctionLogsCleanup__"
	logTerminateHookID = "__mcFunctionLogsFlush__"
	logCleanupChunks   = 100 // chunks deleted per transaction
)

// LogEntry is one invocation in the log.
type LogEntry struct {
	ID           string        `json:"id,omitempty"` // set by Query: the row's number, as text
	RequestID    string        `json:"requestId"`
	Function     string        `json:"function"`
	Version      int           `json:"version"`
	Source       string        `json:"source,omitempty"`
	OpenID       string        `json:"openid,omitempty"`
	Start        time.Time     `json:"start"`
	Duration     time.Duration `json:"-"` // as "duration" in milliseconds in JSON
	Outcome      Outcome       `json:"outcome"`
	ErrorCode    string        `json:"errorCode,omitempty"`
	ErrorMessage string        `json:"errorMessage,omitempty"`
	ErrorStack   string        `json:"errorStack,omitempty"`
	// Logs is the console output, capped at MaxLogBytes of JSON (a last "warn" line
	// says how much was cut). It is the function's own output, stored as is.
	Logs        []LogLine `json:"logs,omitempty"`
	EventBytes  int       `json:"eventBytes"`
	ResultBytes int       `json:"resultBytes"`
}

// MarshalJSON writes Duration as milliseconds ("duration").
func (e LogEntry) MarshalJSON() ([]byte, error) {
	type plain LogEntry
	return json.Marshal(struct {
		plain
		DurationMs float64 `json:"duration"`
	}{plain(e), durationMs(e.Duration)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *LogEntry) UnmarshalJSON(b []byte) error {
	type plain LogEntry
	var v struct {
		plain
		DurationMs float64 `json:"duration"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = LogEntry(v.plain)
	e.Duration = time.Duration(v.DurationMs * float64(time.Millisecond))
	return nil
}

func durationMs(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// NewLogEntry builds the log entry of an invocation of version `version` of function,
// started at start with an event of eventBytes bytes.
func NewLogEntry(function string, version int, cc CallContext, start time.Time, eventBytes int, res Result) LogEntry {
	e := LogEntry{
		RequestID:   cc.RequestID,
		Function:    function,
		Version:     version,
		Source:      cc.Source,
		OpenID:      cc.OpenID,
		Start:       start,
		Duration:    res.Duration,
		Outcome:     res.Outcome,
		Logs:        res.Logs,
		EventBytes:  eventBytes,
		ResultBytes: len(res.Value),
	}
	if e.Outcome == "" {
		e.Outcome = OutcomeSuccess
		if res.Err != nil {
			e.Outcome = OutcomeError
		}
	}
	if res.Err != nil {
		e.ErrorCode, e.ErrorMessage, e.ErrorStack = res.Err.Code, res.Err.Message, res.Err.Stack
	}
	return e
}

// LogQuery selects log entries. Empty fields do not filter. Results are newest first.
type LogQuery struct {
	Function  string
	RequestID string
	Outcome   Outcome
	Since     time.Time // start >= Since
	Until     time.Time // start < Until
	Limit     int       // default 100, at most 1000
	Offset    int
	// NoLogs leaves console output out (cheaper for list views).
	NoLogs bool
}

// LogStore writes and reads the invocation log.
type LogStore struct {
	app       core.App
	retention atomic.Int64 // nanoseconds; 0 keeps entries forever

	mu           sync.Mutex
	pending      []LogEntry
	spare        []LogEntry      // the last written buffer, emptied, for the next round
	lines        []logtable.Line // the writer's buffer of encoded entries
	pendingBytes int
	closed       bool

	wake     chan struct{}
	flushReq chan chan struct{}
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	dropped atomic.Uint64
	written atomic.Uint64

	errMu      sync.Mutex
	lastErrLog time.Time
}

// NewLogStore returns a store writing to the log tables (logtable) of app's
// auxiliary database (created if missing) and starts its writer. retention is how
// long entries are kept (DefaultLogRetention is CloudBase-like); 0 or less keeps them
// forever. Old entries are deleted by the hourly PocketBase cron job
// "__mcFunctionLogsCleanup__" (PocketBase runs cron jobs only while serving; call
// Cleanup to run it by hand). The store flushes and stops when the app terminates
// (OnTerminate), or on Close.
func NewLogStore(app core.App, retention time.Duration) *LogStore {
	s := &LogStore{
		app:      app,
		wake:     make(chan struct{}, 1),
		flushReq: make(chan chan struct{}),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.SetRetention(retention)
	if err := logtable.Ensure(app.AuxNonconcurrentDB()); err != nil {
		// Writes will fail and be counted as dropped; say why once, now.
		s.logError("function log table unavailable", err)
	}
	if c := app.Cron(); c != nil {
		_ = c.Add(logCleanupJobID, "17 * * * *", func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if _, err := s.Cleanup(ctx); err != nil {
				s.logError("function log cleanup failed", err)
			}
		})
	}
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{
		Id: logTerminateHookID,
		// Late: after the server's graceful shutdown, so the last calls are logged.
		Priority: 999,
		Func: func(e *core.TerminateEvent) error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = s.Close(ctx)
			return e.Next()
		},
	})
	go s.loop()
	return s
}

// SetRetention changes how long entries are kept; 0 or less keeps them forever.
func (s *LogStore) SetRetention(d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.retention.Store(int64(d))
}

// Retention returns how long entries are kept (0: forever).
func (s *LogStore) Retention() time.Duration { return time.Duration(s.retention.Load()) }

// Dropped counts entries that were not written: the buffer was full, the store was
// closed, or a batch failed to write.
func (s *LogStore) Dropped() uint64 { return s.dropped.Load() }

// Written counts entries written.
func (s *LogStore) Written() uint64 { return s.written.Load() }

// Record queues an entry for writing and returns at once. The store takes ownership
// of e.Logs (do not modify it afterwards).
func (s *LogStore) Record(e LogEntry) {
	size := 256 + len(e.RequestID) + len(e.Function) + len(e.OpenID) + len(e.ErrorMessage) + len(e.ErrorStack)
	for i := range e.Logs {
		size += 48 + len(e.Logs[i].Text)
	}
	s.mu.Lock()
	if s.closed || len(s.pending) >= logMaxPending || s.pendingBytes+size > logMaxPendingBytes {
		s.mu.Unlock()
		s.dropped.Add(1)
		return
	}
	s.pending = append(s.pending, e)
	s.pendingBytes += size
	n := len(s.pending)
	s.mu.Unlock()
	if n == 1 || n >= logBatchSize {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Flush writes every entry recorded before the call.
func (s *LogStore) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.flushReq <- done:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is buffered and stops the writer; later entries are dropped.
func (s *LogStore) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stopOnce.Do(func() { close(s.stop) })
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *LogStore) loop() {
	defer close(s.done)
	var timer *time.Timer
	var timerC <-chan time.Time
	stopTimer := func() {
		if timer != nil {
			timer.Stop()
			timer, timerC = nil, nil
		}
	}
	for {
		select {
		case <-s.wake:
			s.mu.Lock()
			n := len(s.pending)
			s.mu.Unlock()
			if n >= logBatchSize {
				stopTimer()
				s.writePending()
			} else if n > 0 && timer == nil {
				timer = time.NewTimer(logFlushInterval)
				timerC = timer.C
			}
		case <-timerC:
			timer, timerC = nil, nil
			s.writePending()
		case done := <-s.flushReq:
			stopTimer()
			s.writePending()
			close(done)
		case <-s.stop:
			stopTimer()
			s.writePending()
			return
		}
	}
}

// writePending writes everything buffered, one transaction per batch.
func (s *LogStore) writePending() {
	s.mu.Lock()
	batch := s.pending
	s.pending, s.pendingBytes = s.spare, 0
	s.spare = nil
	s.mu.Unlock()
	all := batch
	defer func() {
		// Hand the buffer back for the next round instead of regrowing one from nothing
		// (entries are ~250 bytes; growing by doubling copied each twice).
		if cap(all) <= logBatchSize*4 {
			s.mu.Lock()
			s.spare = all[:0]
			s.mu.Unlock()
		}
	}()
	for len(batch) > 0 {
		n := min(len(batch), logBatchSize)
		if err := s.writeBatch(batch[:n]); err != nil {
			s.dropped.Add(uint64(n))
			s.logError("function log write failed", err)
		} else {
			s.written.Add(uint64(n))
		}
		clear(batch[:n]) // let the console output be collected
		batch = batch[n:]
	}
}

func (s *LogStore) logError(msg string, err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if time.Since(s.lastErrLog) < 10*time.Second {
		return
	}
	s.lastErrLog = time.Now()
	l := s.app.Logger()
	if l == nil {
		l = slog.Default()
	}
	l.Error(msg, "error", err.Error(), "dropped", s.dropped.Load())
}

// logLine is e as stored, with secrets redacted from the console output and the
// error, and the short texts cut to their limits.
func logLine(e *LogEntry) logtable.Line {
	for i := range e.Logs {
		e.Logs[i].Text = RedactSecrets(e.Logs[i].Text)
	}
	start := e.Start
	if start.IsZero() {
		start = time.Now()
	}
	l := logtable.Line{
		RequestID:    truncateUTF8(e.RequestID, logMaxShortText),
		Function:     truncateUTF8(e.Function, logMaxShortText),
		Version:      e.Version,
		Source:       truncateUTF8(e.Source, 32),
		OpenID:       truncateUTF8(e.OpenID, logMaxShortText),
		Start:        start.UnixMicro(),
		Duration:     durationMs(e.Duration),
		Outcome:      string(e.Outcome),
		ErrorCode:    truncateUTF8(e.ErrorCode, 64),
		ErrorMessage: truncateUTF8(RedactSecrets(e.ErrorMessage), logMaxErrorMessage),
		ErrorStack:   truncateUTF8(RedactSecrets(e.ErrorStack), logMaxErrorStack),
		EventBytes:   e.EventBytes,
		ResultBytes:  e.ResultBytes,
	}
	if len(e.Logs) > 0 {
		l.Logs = encodeLogLines(e.Logs, MaxLogBytes)
	}
	return l
}

// writeBatch writes batch in one transaction.
func (s *LogStore) writeBatch(batch []LogEntry) error {
	// No deadline: the driver watches a cancellable context with a goroutine per
	// statement; SQLite's busy timeout bounds the waits.
	ctx := context.Background()
	wdb, ok := s.app.AuxNonconcurrentDB().(*dbx.DB)
	if !ok {
		return fmt.Errorf("the auxiliary database is a %T, not a connection pool", s.app.AuxNonconcurrentDB())
	}
	lines := s.lines[:0]
	for i := range batch {
		lines = append(lines, logLine(&batch[i]))
	}
	s.lines = lines
	defer clear(lines) // let the console output be collected
	return wdb.Transactional(func(tx *dbx.Tx) error { return logtable.WriteChunks(ctx, tx, lines) })
}

// encodeLogLines encodes lines as a JSON array of at most max bytes. Lines that do not
// fit are dropped (the one that crosses the limit is cut) and a last "warn" line says
// how many bytes of output were left out.
func encodeLogLines(lines []LogLine, max int) []byte {
	const reserve = 160 // room for the truncation note
	buf := make([]byte, 0, 256)
	buf = append(buf, '[')
	add := func(b []byte) {
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = append(buf, b...)
	}
	omitted := 0
	for i, l := range lines {
		b, err := json.Marshal(l)
		if err != nil {
			continue
		}
		if len(buf)+1+len(b)+reserve <= max {
			add(b)
			continue
		}
		// This line does not fit: keep what fits of its text, then stop.
		overhead := len(b) - jsonStringLen(l.Text) + 2 // all but the text, plus its quotes
		room := max - reserve - len(buf) - 1 - overhead - len("…")
		kept := 0
		if cut := truncateJSONText(l.Text, room); cut != "" {
			l.Text = cut + "…"
			if b2, err := json.Marshal(l); err == nil && len(buf)+1+len(b2)+reserve <= max {
				add(b2)
				kept = len(cut)
			}
		}
		omitted += len(lines[i].Text) - kept
		for _, rest := range lines[i+1:] {
			omitted += len(rest.Text)
		}
		break
	}
	if omitted > 0 {
		note, _ := json.Marshal(LogLine{
			Level: "warn",
			Time:  lastLogTime(lines),
			Text:  fmt.Sprintf("[minicloud] console output truncated: %d more bytes not kept (limit %d)", omitted, max),
		})
		add(note)
	}
	return append(buf, ']')
}

func lastLogTime(lines []LogLine) time.Time {
	if len(lines) == 0 {
		return time.Time{}
	}
	return lines[len(lines)-1].Time
}

// jsonStringLen is the encoded length of s as a JSON string (with quotes).
func jsonStringLen(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}

// truncateJSONText returns the longest prefix of s (cut at a rune boundary) whose JSON
// encoding, without quotes, is at most n bytes.
func truncateJSONText(s string, n int) string {
	if n <= 0 {
		return ""
	}
	size := 0
	for i, r := range s {
		w := 1
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t' || r == '\b' || r == '\f':
			w = 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029':
			w = 6
		case r == utf8.RuneError:
			w = 6 // invalid bytes become \ufffd
		default:
			w = utf8.RuneLen(r)
		}
		if size+w > n {
			return s[:i]
		}
		size += w
	}
	return s
}

// truncateUTF8 cuts s to at most n bytes at a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Query returns log entries matching q, newest first. Entries recorded in the last
// ~200 ms may not be visible yet (call Flush first when that matters).
func (s *LogStore) Query(ctx context.Context, q LogQuery) ([]LogEntry, error) {
	return QueryLogs(ctx, s.app, q)
}

// QueryLogs reads app's invocation log without a LogStore (what the CLI uses): entries
// matching q, newest first.
func QueryLogs(ctx context.Context, app core.App, q LogQuery) ([]LogEntry, error) {
	f := logtable.Filter{Function: q.Function, RequestID: q.RequestID, Outcome: string(q.Outcome)}
	if !q.Since.IsZero() {
		f.Since = q.Since.UnixMicro()
	}
	if !q.Until.IsZero() {
		f.Until = q.Until.UnixMicro()
	}
	limit := q.Limit
	if limit <= 0 {
		limit = logQueryDefLimit
	}
	limit = min(limit, logQueryMaxLimit)
	offset := max(q.Offset, 0)
	if !app.AuxHasTable(logtable.ChunksName) {
		return []LogEntry{}, nil // no function has run since the auxiliary database was created
	}
	found, err := findLogs(ctx, app, f, offset+limit)
	if err != nil {
		return nil, err
	}
	found = found[min(offset, len(found)):]
	out := make([]LogEntry, len(found))
	for i, fe := range found {
		l := &fe.Line
		e := LogEntry{
			ID: strconv.FormatInt(fe.ID, 10), RequestID: l.RequestID, Function: l.Function, Version: l.Version,
			Source: l.Source, OpenID: l.OpenID, Start: time.UnixMicro(l.Start).UTC(),
			Duration: time.Duration(l.Duration * float64(time.Millisecond)),
			Outcome:  Outcome(l.Outcome), ErrorCode: l.ErrorCode, ErrorMessage: l.ErrorMessage,
			ErrorStack: l.ErrorStack, EventBytes: l.EventBytes, ResultBytes: l.ResultBytes,
		}
		if !q.NoLogs && len(l.Logs) > 0 {
			if err := json.Unmarshal(l.Logs, &e.Logs); err != nil {
				return nil, fmt.Errorf("function log %d: bad console output: %w", fe.ID, err)
			}
		}
		out[i] = e
	}
	return out, nil
}

// requestIDLeeway widens the span in which the invocation of a request id that
// carries a time may start: from then (less the leeway) to MaxTimeout later (it may
// queue up to its timeout), plus the leeway.
const requestIDLeeway = time.Minute

// findLogs is logtable.Find, narrowed to the time a request id carries when it carries
// one (the gateway's and the runtime's ids do; a lookup by request id otherwise
// searches every chunk). The time is a hint: a client's own X-Request-Id may look like
// one of ours, so a narrowed search that finds nothing is repeated unnarrowed.
func findLogs(ctx context.Context, app core.App, f logtable.Filter, n int) ([]logtable.Entry, error) {
	if t, ok := reqid.Time(f.RequestID); ok {
		narrow := f
		narrow.Since = max(f.Since, t.Add(-requestIDLeeway).UnixMicro())
		if until := t.Add(MaxTimeout + requestIDLeeway).UnixMicro(); f.Until == 0 || until < f.Until {
			narrow.Until = until
		}
		if narrow.Since < narrow.Until {
			found, err := logtable.Find(ctx, app.AuxDB(), narrow, n)
			if err != nil || len(found) > 0 {
				return found, err
			}
		}
	}
	return logtable.Find(ctx, app.AuxDB(), f, n)
}

// Cleanup deletes entries older than the retention (nothing when it is 0) and returns
// how many it deleted. It deletes a few chunks per transaction so the single writer is
// never held long.
func (s *LogStore) Cleanup(ctx context.Context) (int64, error) {
	keep := s.Retention()
	if keep <= 0 {
		return 0, nil
	}
	wdb, ok := s.app.AuxNonconcurrentDB().(*dbx.DB)
	if !ok {
		return 0, fmt.Errorf("the auxiliary database is a %T, not a connection pool", s.app.AuxNonconcurrentDB())
	}
	cutoff := time.Now().Add(-keep).UnixMicro()
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var chunks, entries int64
		err := wdb.Transactional(func(tx *dbx.Tx) (err error) {
			chunks, entries, err = logtable.DeleteBefore(ctx, tx, cutoff, logCleanupChunks)
			return err
		})
		if err != nil {
			return total, err
		}
		total += entries
		if chunks < logCleanupChunks {
			return total, nil
		}
	}
}
