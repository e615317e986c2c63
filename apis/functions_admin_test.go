package apis

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/cloudfns"
)

func TestFunctionLogsAction(t *testing.T) {
	h := newFnHarness(t)
	h.deploy("logs", map[string]string{"index.js": `exports.main = async (event) => {
  console.log('event', JSON.stringify(event))
  if (event.fail) throw new Error('boom ' + event.fail)
  return { ok: true }
}`})
	h.deploy("web", map[string]string{"index.js": `exports.main = async (event) => {
  console.log('headers', event.headers)
  console.log(JSON.stringify(event.headers))
  return { statusCode: 200, body: 'ok' }
}`})
	tk := h.anonymous()
	h.do(t, scenario{method: "POST", url: "/v1/functions/logs", body: `{"n":1}`, token: tk, expectStatus: 200})
	h.do(t, scenario{method: "POST", url: "/v1/functions/logs", body: `{"fail":"x"}`, token: tk, headers: map[string]string{"X-Request-Id": "req-fail-1"}, expectStatus: 502})
	h.do(t, scenario{method: "GET", url: "/fn/web/p?access_token=" + tk, token: tk, headers: map[string]string{"Cookie": "sid=s3cr3tcookie"}, expectStatus: 200})

	query := func(params map[string]any) []cloudfns.LogEntry {
		t.Helper()
		body := h.do(t, scenario{method: "POST", url: "/admin", headers: h.adminHeaders(), body: adminBody("functions.getFunctionLogs", params)})
		var out struct {
			Code string `json:"code"`
			Data struct {
				Logs []cloudfns.LogEntry `json:"logs"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || out.Code != "" {
			t.Fatalf("%s: %v", body, err)
		}
		return out.Data.Logs
	}
	all := query(nil)
	if len(all) != 3 {
		t.Fatalf("%d entries: %+v", len(all), all)
	}
	if got := query(map[string]any{"functionName": "logs"}); len(got) != 2 || got[0].Outcome != cloudfns.OutcomeError || got[1].Outcome != cloudfns.OutcomeSuccess {
		t.Errorf("by function: %+v", got)
	}
	errs := query(map[string]any{"outcome": "error"})
	if len(errs) != 1 || !strings.Contains(errs[0].ErrorMessage, "boom x") || errs[0].Source != "wx_client" || errs[0].OpenID == "" {
		t.Errorf("by outcome: %+v", errs)
	}
	if got := query(map[string]any{"requestId": errs[0].RequestID}); len(got) != 1 || got[0].RequestID != errs[0].RequestID {
		t.Errorf("by request id: %+v", got)
	}
	if got := query(map[string]any{"startTime": "2000-01-01T00:00:00Z", "endTime": "2001-01-01T00:00:00Z"}); len(got) != 0 {
		t.Errorf("by time: %+v", got)
	}
	if got := query(map[string]any{"startTime": all[2].Start.UnixMilli(), "limit": 1}); len(got) != 1 {
		t.Errorf("since + limit: %+v", got)
	}
	if got := query(map[string]any{"withLogs": false, "functionName": "logs"}); len(got) != 2 || got[0].Logs != nil {
		t.Errorf("without logs: %+v", got)
	}
	// the HTTP access event carried the caller's token and a cookie: the log keeps neither
	web := query(map[string]any{"functionName": "web"})
	if len(web) != 1 || len(web[0].Logs) != 2 {
		t.Fatalf("web: %+v", web)
	}
	raw, _ := json.Marshal(web)
	for _, secret := range []string{tk, tk[len(tk)-20:], "s3cr3tcookie"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("log keeps a secret %q: %s", secret, raw)
		}
	}
	if !strings.Contains(string(raw), "[redacted]") {
		t.Errorf("nothing redacted: %s", raw)
	}

	h.run([]scenario{
		{name: "bad outcome", method: "POST", url: "/admin", headers: h.adminHeaders(), body: adminBody("functions.getFunctionLogs", map[string]any{"outcome": "meh"}),
			expectBody: []string{"INVALID_PARAM", "outcome must be"}},
		{name: "bad time", method: "POST", url: "/admin", headers: h.adminHeaders(), body: adminBody("functions.getFunctionLogs", map[string]any{"startTime": "yesterday"}),
			expectBody: []string{"INVALID_PARAM", "startTime"}},
		{name: "clients cannot read logs", method: "POST", url: "/web?env=" + testEnv,
			body: `{"action":"functions.getFunctionLogs","access_token":"` + tk + `"}`, expectBody: []string{"PERMISSION_DENIED"}},
	})
}

func TestParseTimeForms(t *testing.T) {
	for _, s := range []string{"2024-05-01T10:00:00Z", "2024-05-01T18:00:00+08:00", "2024-05-01 10:00:00", "2024-05-01T10:00:00", "1714557600000"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(mustTime(t, "2024-05-01T10:00:00Z")) {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if _, err := ParseTime("soon"); err == nil {
		t.Error("soon parsed")
	}
}

func mustTime(t *testing.T, s string) (out time.Time) {
	t.Helper()
	out, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
