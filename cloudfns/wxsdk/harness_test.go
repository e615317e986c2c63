package wxsdk

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/cloudfns"
)

// testEnv is a bare goja VM standing in for a cloudfns.Instance.
type testEnv struct {
	vm   *goja.Runtime
	call cloudfns.CallContext
	ctx  context.Context
	host cloudfns.Host
	logs []string
}

func (e *testEnv) VM() *goja.Runtime          { return e.vm }
func (e *testEnv) Call() cloudfns.CallContext { return e.call }
func (e *testEnv) Context() context.Context   { return e.ctx }
func (e *testEnv) Host() cloudfns.Host        { return e.host }
func (e *testEnv) Log(level, text string)     { e.logs = append(e.logs, level+": "+text) }
func (e *testEnv) logText() string            { return strings.Join(e.logs, "\n") }
func newTestEnv(host cloudfns.Host) *testEnv {
	return &testEnv{vm: goja.New(), ctx: context.Background(), host: host}
}

// hostCall is one call the fake host received.
type hostCall struct {
	Action string
	Params json.RawMessage
	// function calls
	Name  string
	Event json.RawMessage
	CC    cloudfns.CallContext
}

// codedErr is an error as the lead's Host returns them.
type codedErr struct{ code, msg string }

func (e *codedErr) Error() string            { return e.code + ": " + e.msg }
func (e *codedErr) CloudBaseCode() string    { return e.code }
func (e *codedErr) CloudBaseMessage() string { return e.msg }

// fakeHost records calls and answers from a queue of canned answers (golden
// responses: {"data":…} or {"code":…, "message":…}), or from db/fn when set.
type fakeHost struct {
	env     string
	calls   []hostCall
	answers []map[string]json.RawMessage
	db      func(action string, params json.RawMessage) (json.RawMessage, error)
	fn      func(name string, event json.RawMessage, cc cloudfns.CallContext) (cloudfns.Result, error)
}

func (h *fakeHost) EnvID() string { return h.env }

func (h *fakeHost) next() (map[string]json.RawMessage, bool) {
	if len(h.answers) == 0 {
		return nil, false
	}
	a := h.answers[0]
	h.answers = h.answers[1:]
	return a, true
}

func (h *fakeHost) Database(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
	h.calls = append(h.calls, hostCall{Action: action, Params: append(json.RawMessage(nil), params...)})
	if h.db != nil {
		return h.db(action, params)
	}
	a, ok := h.next()
	if !ok {
		return nil, &codedErr{"MOCK_EXHAUSTED", "no canned answer"}
	}
	if code, ok := a["code"]; ok {
		var c, m string
		_ = json.Unmarshal(code, &c)
		_ = json.Unmarshal(a["message"], &m)
		return nil, &codedErr{c, m}
	}
	return a["data"], nil
}

func (h *fakeHost) CallFunction(ctx context.Context, name string, event json.RawMessage, cc cloudfns.CallContext) (cloudfns.Result, error) {
	h.calls = append(h.calls, hostCall{Action: "functions.invokeFunction", Name: name, Event: event, CC: cc})
	if h.fn != nil {
		return h.fn(name, event, cc)
	}
	a, ok := h.next()
	if !ok {
		return cloudfns.Result{}, &codedErr{"MOCK_EXHAUSTED", "no canned answer"}
	}
	if code, ok := a["code"]; ok {
		var c, m string
		_ = json.Unmarshal(code, &c)
		_ = json.Unmarshal(a["message"], &m)
		return cloudfns.Result{Outcome: cloudfns.OutcomeError, Err: &cloudfns.InvokeError{Code: c, Message: m}}, nil
	}
	var data struct {
		ResponseData string `json:"response_data"`
	}
	_ = json.Unmarshal(a["data"], &data)
	return cloudfns.Result{Value: json.RawMessage(data.ResponseData), Outcome: cloudfns.OutcomeSuccess}, nil
}

var describeSource = func() string {
	b, err := os.ReadFile("testdata/golden/describe.js")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// sandbox is a VM with both modules loaded the way a function sees them.
type sandbox struct {
	t    testing.TB
	env  *testEnv
	host *fakeHost
}

func newSandbox(t testing.TB, host *fakeHost) *sandbox {
	t.Helper()
	if host == nil {
		host = &fakeHost{}
	}
	if host.env == "" {
		host.env = "envid-mock"
	}
	env := newTestEnv(host)
	s := &sandbox{t: t, env: env, host: host}
	wx, err := New(env, FlavorWX)
	if err != nil {
		t.Fatal(err)
	}
	node, err := New(env, FlavorNode)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := env.vm.RunString(describeSource)
	if err != nil {
		t.Fatal(err)
	}
	_ = env.vm.Set("__wx", wx)
	_ = env.vm.Set("__tcb", node)
	_ = env.vm.Set("__describe", desc)
	if _, err := env.vm.RunString(`
		__wx.init({ env: 'envid-mock' });
		var __ctx = { cloud: __wx, tcb: __tcb, app: __tcb.init({ env: 'envid-mock' }) };
	`); err != nil {
		t.Fatal(err)
	}
	return s
}

// outcome is a script's described result or error.
type outcome struct {
	Value string `json:"value,omitempty"`
	Error string `json:"error,omitempty"`
}

func (o outcome) String() string {
	if o.Error != "" {
		return "error " + o.Error
	}
	return "value " + o.Value
}

// run evaluates an async function expression `(ctx) => …` with the sandbox's ctx and
// describes what its promise settles to.
func (s *sandbox) run(script string) outcome {
	s.t.Helper()
	v, err := s.env.vm.RunString(`(function () {
		var out = {};
		Promise.resolve().then(function () { return (` + script + `)(__ctx); })
			.then(function (v) { out.value = __describe(v); }, function (e) { out.error = __describe(e); });
		return out;
	})()`)
	if err != nil {
		s.t.Fatalf("script failed: %v\n%s", err, script)
	}
	o := v.ToObject(s.env.vm)
	var res outcome
	if x := o.Get("value"); x != nil && !goja.IsUndefined(x) {
		res.Value = x.String()
	}
	if x := o.Get("error"); x != nil && !goja.IsUndefined(x) {
		res.Error = x.String()
	}
	if res.Value == "" && res.Error == "" {
		s.t.Fatalf("script did not settle:\n%s", script)
	}
	return res
}

// eval runs a script expression and returns its value described.
func (s *sandbox) eval(script string) string {
	s.t.Helper()
	v, err := s.env.vm.RunString(`__describe((function(){ var cloud = __ctx.cloud, tcb = __ctx.tcb, app = __ctx.app; return (` + script + `); })())`)
	if err != nil {
		s.t.Fatalf("eval failed: %v\n%s", err, script)
	}
	return v.String()
}

var requestIDMu sync.Mutex

// sequentialRequestIDs makes NewRequestID and NewCallRequestID answer req-1, req-2…
// (one sequence) until the returned function restores them.
func sequentialRequestIDs() func() {
	requestIDMu.Lock()
	prev, prevCall := NewRequestID, NewCallRequestID
	n := 0
	NewRequestID = func() string {
		n++
		return fmt.Sprintf("req-%d", n)
	}
	NewCallRequestID = NewRequestID
	return func() {
		NewRequestID, NewCallRequestID = prev, prevCall
		requestIDMu.Unlock()
	}
}
