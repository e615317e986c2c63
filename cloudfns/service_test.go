package cloudfns

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/collections/rules"
	"github.com/minicloud/minicloud/internal/testapp"
)

func newTestService(t *testing.T) *Service {
	t.Helper()
	app := testapp.New(t)
	s := NewService(app, NewStore(app), ServiceConfig{EnvID: "svc-env"})
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

func deployJS(t *testing.T, s *Service, name string, files map[string]string, cfg Config) {
	t.Helper()
	b := &Bundle{Files: map[string][]byte{}, Config: cfg}
	for p, src := range files {
		b.Files[p] = []byte(src)
	}
	if _, err := s.Store().Deploy(context.Background(), name, b); err != nil {
		t.Fatal(err)
	}
}

func flushedLogs(t *testing.T, s *Service, q LogQuery) []LogEntry {
	t.Helper()
	if err := s.Logs().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	out, err := s.Logs().Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestServiceInvokeRecordsEveryCall(t *testing.T) {
	s := newTestService(t)
	deployJS(t, s, "hello", map[string]string{"index.js": `exports.main = async (event) => {
  console.log('called with', event.n, 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz')
  if (event.n === 2) throw new Error('two')
  return { n: event.n }
}`}, Config{})
	ctx := context.Background()
	res, err := s.Invoke(ctx, "hello", json.RawMessage(`{"n":1}`), CallContext{RequestID: "r1", Source: "wx_client", OpenID: "o1"})
	if err != nil || res.Outcome != OutcomeSuccess || string(res.Value) != `{"n":1}` {
		t.Fatalf("%+v %v", res, err)
	}
	res, err = s.Invoke(ctx, "hello", json.RawMessage(`{"n":2}`), CallContext{RequestID: "r2", Source: "admin"})
	if err != nil || res.Outcome != OutcomeError || !strings.Contains(res.Err.Message, "two") {
		t.Fatalf("%+v %v", res, err)
	}
	_, err = s.Invoke(ctx, "nope", nil, CallContext{})
	var ie *InvokeError
	if !errors.As(err, &ie) || ie.Code != CodeNotFound {
		t.Fatalf("not found: %v", err)
	}
	_, err = s.Invoke(ctx, "hello", nil, CallContext{Depth: MaxCallDepth + 1})
	if !errors.As(err, &ie) || ie.Code != CodeCallTooDeep {
		t.Fatalf("too deep: %v", err)
	}

	logs := flushedLogs(t, s, LogQuery{Function: "hello"})
	if len(logs) != 2 || logs[0].RequestID != "r2" || logs[0].Outcome != OutcomeError || logs[1].OpenID != "o1" || logs[1].Version != 1 {
		t.Fatalf("logs %+v", logs)
	}
	if len(logs[1].Logs) != 1 || strings.Contains(logs[1].Logs[0].Text, "abcdefghijklmnop") || !strings.Contains(logs[1].Logs[0].Text, "called with 1") {
		t.Errorf("console output %+v", logs[1].Logs)
	}
}

func TestServiceAuthorize(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	var ie *InvokeError
	err := s.Authorize(ctx, "f", rules.Auth{}, nil)
	if !errors.As(err, &ie) || ie.Code != CodePermissionDenied || !strings.Contains(ie.Message, "sign in first") {
		t.Fatalf("default, nobody: %v", err)
	}
	if err := s.Authorize(ctx, "f", rules.Auth{OpenID: "o", UID: "o", LoginType: "ANONYMOUS"}, nil); err != nil {
		t.Fatalf("default, anonymous: %v", err)
	}
	if _, err := s.Rules().Set(ctx, []byte(`{"*":{"invoke":"auth != null"},"f":{"invoke":false},"g":{"invoke":true}}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Authorize(ctx, "f", rules.Auth{OpenID: "o"}, nil); !errors.As(err, &ie) || strings.Contains(ie.Message, "sign in") {
		t.Fatalf("f closed: %v", err)
	}
	if err := s.Authorize(ctx, "g", rules.Auth{}, nil); err != nil {
		t.Fatalf("g open: %v", err)
	}
	// the login type is asked for only by a rule that reads it
	if _, err := s.Rules().Set(ctx, []byte(`{"*":{"invoke":"auth != null"},"real":{"invoke":"auth.loginType != 'ANONYMOUS' && auth != null"}}`)); err != nil {
		t.Fatal(err)
	}
	asked := 0
	lt := func(typ string) func() string { return func() string { asked++; return typ } }
	if err := s.Authorize(ctx, "other", rules.Auth{OpenID: "o"}, lt("ANONYMOUS")); err != nil || asked != 0 {
		t.Fatalf("other: %v, asked %d", err, asked)
	}
	if err := s.Authorize(ctx, "real", rules.Auth{OpenID: "o"}, lt("ANONYMOUS")); err == nil || asked != 1 {
		t.Fatalf("real, anonymous: %v, asked %d", err, asked)
	}
	if err := s.Authorize(ctx, "real", rules.Auth{OpenID: "o"}, lt("WECHAT")); err != nil || asked != 2 {
		t.Fatalf("real, wechat: %v, asked %d", err, asked)
	}
}

// A function called by another (cloud.callFunction) runs one level deeper, with the
// caller's identity, and is logged on its own.
func TestServiceHostCallFunction(t *testing.T) {
	s := newTestService(t)
	deployJS(t, s, "inner", map[string]string{"index.js": `exports.main = async (e) => ({ twice: e.n * 2 })`}, Config{})
	h := serviceHost{s}
	if h.EnvID() != "svc-env" {
		t.Fatal(h.EnvID())
	}
	res, err := h.CallFunction(context.Background(), "inner", json.RawMessage(`{"n":21}`), CallContext{OpenID: "o9", Source: "wx_client,scf"})
	if err != nil || string(res.Value) != `{"twice":42}` {
		t.Fatalf("%+v %v", res, err)
	}
	logs := flushedLogs(t, s, LogQuery{Function: "inner"})
	if len(logs) != 1 || logs[0].OpenID != "o9" || logs[0].RequestID == "" || logs[0].Source != "wx_client,scf" {
		t.Fatalf("%+v", logs)
	}
	if _, err := h.Database(context.Background(), "database.getDocument", nil); err == nil {
		t.Error("database without SetDatabase")
	}
}

// Timer triggers from config.json run the function on schedule; each run is logged
// with SOURCE timer and the CloudBase timer event.
func TestServiceTimerTrigger(t *testing.T) {
	s := newTestService(t)
	deployJS(t, s, "tick", map[string]string{"index.js": `exports.main = async (event) => { console.log(event.Type, event.TriggerName); return 1 }`},
		Config{Triggers: []Trigger{{Name: "everySecond", Type: "timer", Config: "* * * * * * *"}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs := flushedLogs(t, s, LogQuery{Function: "tick"})
		if len(logs) > 0 {
			if logs[0].Source != "timer" || len(logs[0].Logs) != 1 || logs[0].Logs[0].Text != "Timer everySecond" {
				t.Fatalf("%+v", logs[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timer did not fire")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A function deployed by another process (the CLI) while the server runs gets its
// timer scheduled; deleting it there unschedules it.
func TestServiceFollowsOtherProcessesTriggers(t *testing.T) {
	s := newTestService(t)
	s.triggerRecheck = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	other := NewStore(testapp.NewInDir(t, s.app.DataDir()))
	b := &Bundle{Files: map[string][]byte{"index.js": []byte(`exports.main = async () => 1`)},
		Config: Config{Triggers: []Trigger{{Name: "t", Type: "timer", Config: "0 0 3 * * * *"}}}}
	if _, err := other.Deploy(ctx, "nightly", b); err != nil {
		t.Fatal(err)
	}
	waitJobs := func(want int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for len(s.sched.Jobs()) != want {
			if time.Now().After(deadline) {
				t.Fatalf("jobs %+v, want %d", s.sched.Jobs(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitJobs(1)
	if err := other.Delete(ctx, "nightly"); err != nil {
		t.Fatal(err)
	}
	waitJobs(0)
}
