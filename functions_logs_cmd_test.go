package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/internal/testapp"
)

// seedLogs writes invocation log entries into the data dir, as a server would.
func seedLogs(t *testing.T, dir string, entries ...cloudfns.LogEntry) {
	t.Helper()
	app := testapp.NewInDir(t, dir)
	logs := cloudfns.NewLogStore(app, 0)
	for _, e := range entries {
		logs.Record(e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := logs.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := logs.Written(); n != uint64(len(entries)) {
		t.Fatalf("written %d of %d", n, len(entries))
	}
	if err := app.ResetBootstrapState(); err != nil {
		t.Fatal(err)
	}
}

func TestFunctionsLogsCommand(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC().Truncate(time.Millisecond)
	seedLogs(t, dir,
		cloudfns.LogEntry{RequestID: "r-old", Function: "counter", Version: 1, Source: "wx_client", OpenID: "o1",
			Start: now.Add(-3 * time.Hour), Duration: 2 * time.Millisecond, Outcome: cloudfns.OutcomeSuccess},
		cloudfns.LogEntry{RequestID: "r-err", Function: "counter", Version: 2, Source: "wx_client", OpenID: "o2",
			Start: now.Add(-time.Minute), Duration: 15 * time.Millisecond, Outcome: cloudfns.OutcomeError,
			ErrorCode: "FUNCTIONS_EXECUTE_FAIL", ErrorMessage: "Error: boom", ErrorStack: "Error: boom\n    at main (index.js:3:9)",
			Logs: []cloudfns.LogLine{{Level: "log", Time: now, Text: "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}, {Level: "warn", Time: now, Text: "two\nlines"}}},
		cloudfns.LogEntry{RequestID: "r-time", Function: "slow", Version: 1, Source: "timer",
			Start: now.Add(-30 * time.Second), Duration: 3 * time.Second, Outcome: cloudfns.OutcomeTimeout, ErrorCode: "FUNCTIONS_TIME_LIMIT_EXCEEDED", ErrorMessage: "timed out"},
	)

	out, ok := runFunctionsCLI(t, dir, "functions", "logs")
	if !ok || strings.Count(out, "request r-") != 3 || strings.Index(out, "r-time") > strings.Index(out, "r-err") {
		t.Fatalf("all, newest first: %s", out)
	}
	for _, want := range []string{
		"counter v2  error  15.0 ms  request r-err  source wx_client  openid o2",
		"    error FUNCTIONS_EXECUTE_FAIL  Error: boom\n",
		"at main (index.js:3:9)",
		"    log  token=[redacted]\n", // secrets never reach the log
		"    warn  two\n          lines\n",
		"slow v1  timeout  3000 ms  request r-time  source timer\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "counter", "--since", "1h"); !ok || strings.Count(out, "request ") != 1 || !strings.Contains(out, "r-err") {
		t.Errorf("name + since: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "--until", now.Add(-time.Hour).Format(time.RFC3339)); !ok || !strings.Contains(out, "r-old") || strings.Count(out, "request ") != 1 {
		t.Errorf("until: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "--outcome", "timeout"); !ok || !strings.Contains(out, "r-time") || strings.Count(out, "request ") != 1 {
		t.Errorf("outcome: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "--request-id", "r-old", "--json"); !ok {
		t.Errorf("json: %s", out)
	} else {
		var got []cloudfns.LogEntry
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0].RequestID != "r-old" || got[0].Duration != 2*time.Millisecond {
			t.Errorf("json: %v %s", err, out)
		}
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "--limit", "1", "--no-console"); !ok || strings.Count(out, "request ") != 1 {
		t.Errorf("limit: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "nothing-here"); !ok || out != "no invocations\n" {
		t.Errorf("none: %q", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "logs", "nothing-here", "--json"); !ok || strings.TrimSpace(out) != "[]" {
		t.Errorf("none as json: %q", out)
	}
	for _, args := range [][]string{
		{"functions", "logs", "--outcome", "meh"},
		{"functions", "logs", "--since", "yesterday"},
		{"functions", "logs", "--limit", "0"},
	} {
		if out, ok := runFunctionsCLI(t, dir, args...); ok {
			t.Errorf("%v should fail: %s", args, out)
		}
	}
}

func TestFunctionsRulesCommand(t *testing.T) {
	dir := t.TempDir()
	out, ok := runFunctionsCLI(t, dir, "functions", "rules", "get")
	if !ok || !strings.Contains(out, `"invoke": "auth != null"`) {
		t.Fatalf("default: %s", out)
	}
	file := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(file, []byte(`{"*":{"invoke":"auth != null"},"login":{"invoke":true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "rules", "set", file); !ok || !strings.HasPrefix(out, "function rules saved:") {
		t.Fatalf("set file: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "rules", "get"); !ok || !strings.Contains(out, `"login": {`) {
		t.Fatalf("get after set: %s", out)
	}
	// a bad rule is refused with its position and changes nothing
	out, ok = runFunctionsCLI(t, dir, "functions", "rules", "set", `{"*":{"invoke":"auth !="}}`)
	if ok || !strings.Contains(out, `rule "*.invoke": line 1, column 8`) {
		t.Fatalf("bad rule: ok=%v %s", ok, out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "rules", "set", `{"*":{"invoke":true},"x":{}}`); ok || !strings.Contains(out, `"x" has no "invoke" rule`) {
		t.Fatalf("missing invoke: ok=%v %s", ok, out)
	}
	if out, _ = runFunctionsCLI(t, dir, "functions", "rules", "get"); !strings.Contains(out, `"login"`) {
		t.Fatalf("a refused set must change nothing: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "rules", "set", "{}"); !ok || strings.Contains(out, "login") {
		t.Fatalf("reset: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "rules", "set", filepath.Join(dir, "nope.json")); ok {
		t.Fatalf("missing file: %s", out)
	}
}

func TestCLITime(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"90m":                  now.Add(-90 * time.Minute),
		"2024-05-01":           time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		"2024-05-01T10:00:00Z": time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
	} {
		got, err := cliTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
}

func TestFmtMillis(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0.000 ms"},
		{42 * time.Microsecond, "0.042 ms"},
		{1234 * time.Microsecond, "1.23 ms"},
		{12345 * time.Microsecond, "12.3 ms"},
		{123456 * time.Microsecond, "123 ms"},
		{3 * time.Second, "3000 ms"},
	} {
		if got := fmtMillis(c.d); got != c.want {
			t.Errorf("fmtMillis(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
