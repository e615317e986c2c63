package wxsdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/cloudfns"
)

// TestParams: the /admin parameters are written as JSON objects in call order.
func TestParams(t *testing.T) {
	vm := goja.New()
	var p params
	if got := string(p.bytes()); got != `{}` {
		t.Errorf("empty: %s", got)
	}
	p.str("collectionName", `q"\`+"\n")
	p.boolean("multi", true)
	p.boolean("merge", false)
	p.number("limit", vm.ToValue(100))
	p.number("offset", vm.ToValue(1.5))
	p.raw("data", []byte(`["{}"]`))
	want := `{"collectionName":"q\"\\\n","multi":true,"merge":false,"limit":100,"offset":1.5,"data":["{}"]}`
	if got := string(p.bytes()); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	var m map[string]any
	if err := json.Unmarshal(p.bytes(), &m); err != nil {
		t.Error(err)
	}
}

// TestOrderEJSON: orderBy()'s [field, direction, …] list becomes the order object the
// SDK builds: a repeated field keeps its first place with its last direction, and
// integer-like field names come first as in any JavaScript object.
func TestOrderEJSON(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for expr, want := range map[string]string{
		`['n', -1]`:                  `{"n":{"$numberInt":"-1"}}`,
		`['a', 1, 'b', -1, 'a', -1]`: `{"a":{"$numberInt":"-1"},"b":{"$numberInt":"-1"}}`,
		`['b', 1, '2', -1, 'a', 1]`:  `{"2":{"$numberInt":"-1"},"b":{"$numberInt":"1"},"a":{"$numberInt":"1"}}`,
		`['a', 1, 'dangling']`:       `{"a":{"$numberInt":"1"}}`,
		`[]`:                         `{}`,
		`({ y: -1, x: 1 })`:          `{"y":{"$numberInt":"-1"},"x":{"$numberInt":"1"}}`,
		`['a.b', 1, 'c"d', -1]`:      `{"a.b":{"$numberInt":"1"},"c\"d":{"$numberInt":"-1"}}`,
	} {
		if got := d.m.orderEJSON(d.eval(expr)); got != want {
			t.Errorf("%s: got %s, want %s", expr, got, want)
		}
	}
}

// TestDocQuery: doc(id) queries {"_id": id} with the id in canonical EJSON.
func TestDocQuery(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for expr, want := range map[string]string{
		`'doc-1'`: `{"_id":"doc-1"}`,
		`0`:       `{"_id":{"$numberInt":"0"}}`,
		`2 ** 40`: `{"_id":{"$numberLong":"1099511627776"}}`,
		`'q"'`:    `{"_id":"q\""}`,
		`null`:    `{"_id":null}`,
	} {
		if got := d.m.docQuery(d.eval(expr)); got != want {
			t.Errorf("%s: got %s, want %s", expr, got, want)
		}
	}
}

// TestNewRequestID: database request ids are UUID-shaped (version 4, RFC 4122
// variant), share the process's random prefix and count up in their last group.
func TestNewRequestID(t *testing.T) {
	requestIDMu.Lock() // tests replacing NewRequestID hold it
	defer requestIDMu.Unlock()
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := NewRequestID(), NewRequestID()
	for _, id := range []string{a, b} {
		if !shape.MatchString(id) {
			t.Errorf("%q is not UUID-shaped", id)
		}
	}
	if a[:24] != b[:24] {
		t.Errorf("prefixes differ: %s %s", a, b)
	}
	na, _ := strconv.ParseUint(a[24:], 16, 64)
	nb, _ := strconv.ParseUint(b[24:], 16, 64)
	if nb != na+1 {
		t.Errorf("counter: %s then %s", a, b)
	}
}

type messageless struct{ code string }

func (e messageless) Error() string         { return "plain text" }
func (e messageless) CloudBaseCode() string { return e.code }

// TestDefaultErrorCodeMore: the mapping's precedence and fallbacks.
func TestDefaultErrorCodeMore(t *testing.T) {
	for _, c := range []struct {
		err        error
		code, text string
	}{
		{messageless{"INVALID_PARAM"}, "INVALID_PARAM", "plain text"},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", &cloudfns.InvokeError{Code: "FUNCTION_NOT_FOUND", Message: "gone"})), "FUNCTION_NOT_FOUND", "gone"},
		{codeMethodErr{""}, "SYS_ERR", "code method error"}, // an empty Code() does not count
		{fmt.Errorf("q: %w", context.Canceled), "SYS_ERR", "the call was canceled"},
		{fmt.Errorf("q: %w", context.DeadlineExceeded), "SERVER_TIMEOUT", "the function's time limit was reached during the call"},
		// a coded error wins over the deadline it wraps
		{fmt.Errorf("%w: %w", &codedErr{"DATABASE_REQUEST_FAILED", "x"}, context.DeadlineExceeded), "DATABASE_REQUEST_FAILED", "x"},
	} {
		code, text := DefaultErrorCode(c.err)
		if code != c.code || text != c.text {
			t.Errorf("%v: got %s %q, want %s %q", c.err, code, text, c.code, c.text)
		}
	}
	// a replaced mapping that gives no code still yields SYS_ERR
	prev := ErrorCode
	ErrorCode = func(err error) (string, string) { return "", "custom " + err.Error() }
	defer func() { ErrorCode = prev }()
	if code, text := errorCode(errors.New("e")); code != "SYS_ERR" || text != "custom e" {
		t.Errorf("got %s %q", code, text)
	}
}

// TestRaise: encoder failures reach JavaScript as the error class the SDK throws.
func TestRaise(t *testing.T) {
	d := newDirect(t, FlavorWX)
	_ = d.vm.Set("fail", func(c goja.FunctionCall) goja.Value {
		switch c.Argument(0).String() {
		case "type":
			d.m.raise(typeError("bad type"))
		case "plain":
			d.m.raise(plainError("bad value"))
		case "go":
			d.m.raise(errors.New("go error"))
		case "server":
			d.m.throwServerError("DATABASE_PERMISSION_DENIED", "denied", "req-9")
		}
		return goja.Undefined()
	})
	got := d.describe(d.eval(`['type', 'plain', 'go', 'server'].map(k => { try { fail(k); return 'no error'; } catch (e) { return e; } })`))
	want := `[{"$error":"TypeError","message":"bad type"},{"$error":"Error","message":"bad value"},{"$error":"Error","message":"go error"},` +
		`{"$error":"TcbError","message":"denied",".code":"DATABASE_PERMISSION_DENIED",".requestId":"req-9"}]`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// before the JavaScript side registered node-sdk's error class: a plain Error
	bare := newModule(newTestEnv(&fakeHost{}))
	_ = bare.vm.Set("fail", func(goja.FunctionCall) goja.Value {
		bare.throwServerError("SYS_ERR", "boom", "r")
		return goja.Undefined()
	})
	v, err := bare.vm.RunString(`(() => { try { fail(); } catch (e) { return e.constructor.name + ': ' + e.message; } })()`)
	if err != nil || v.String() != "Error: SYS_ERR: boom" {
		t.Errorf("got %v %v", v, err)
	}
}

// TestServerFailures: a Host error becomes node-sdk's TcbError with the request id of
// the call; an answer that cannot be read is SYS_ERR.
func TestServerFailures(t *testing.T) {
	restore := sequentialRequestIDs()
	defer restore()
	answers := map[string]func() (json.RawMessage, error){
		"denied": func() (json.RawMessage, error) { return nil, &codedErr{"DATABASE_PERMISSION_DENIED", "no"} },
		"broken": func() (json.RawMessage, error) { return json.RawMessage(`{"list":[1,`), nil },
		"badDoc": func() (json.RawMessage, error) { return json.RawMessage(`{"list":["{\"a\":01}x"]}`), nil },
	}
	host := &fakeHost{db: func(action string, p json.RawMessage) (json.RawMessage, error) {
		var q struct{ CollectionName string }
		_ = json.Unmarshal(p, &q)
		return answers[q.CollectionName]()
	}}
	s := newSandbox(t, host)
	expectError(t, s.run(`async ({ app }) => app.database().collection('denied').get()`),
		`{"$error":"TcbError","message":"no",".code":"DATABASE_PERMISSION_DENIED",".requestId":"req-1"}`)
	expectError(t, s.run(`async ({ app }) => app.database().collection('broken').get()`),
		`{"$error":"TcbError","message":"cannot read the database answer: invalid JSON",".code":"SYS_ERR",".requestId":"req-2"}`)
	expectError(t, s.run(`async ({ app }) => app.database().collection('badDoc').get()`),
		`{"$error":"TcbError","message":"cannot read the database answer: invalid document: invalid JSON",".code":"SYS_ERR",".requestId":"req-3"}`)
	// the request id of the last call is what node-sdk reports
	expectValue(t, s.run(`async ({ app }) => { try { await app.database().collection('denied').count(); } catch (e) { return e.requestId; } }`), `"req-4"`)
}

// TestIsDigits: getWXContext turns /^-?\d+$/ values into numbers.
func TestIsDigits(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "123": true, "-5": true, "007": true, "": false, "-": false, "1.5": false, "+1": false, "1e3": false, " 1": false, "--1": false, "12a": false} {
		if got := isDigits(s); got != want {
			t.Errorf("isDigits(%q) = %v, want %v", s, got, want)
		}
	}
}
