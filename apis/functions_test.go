package apis

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"testing/fstest"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/cloudfns/wxsdk"
	"github.com/minicloud/minicloud/collections/ejson"
)

// fnHarness is a server with cloud functions (anonymous sign-in on, HTTP access at /fn).
type fnHarness struct {
	*harness
	fns *cloudfns.Service
}

func newFnHarness(t *testing.T) *fnHarness {
	t.Helper()
	fh := &fnHarness{}
	fh.harness = newHarness(t, harnessOptions{
		anonymous: true,
		services: func(app core.App, svc *Services) {
			fh.fns = cloudfns.NewService(app, cloudfns.NewStore(app), cloudfns.ServiceConfig{EnvID: testEnv})
			fh.fns.Runtime().RegisterModule("wx-server-sdk", wxsdk.WXServerSDK)
			svc.Functions, svc.FunctionsHTTPPrefix = fh.fns, "/fn"
		},
		ready: func(srv *Server) {
			fh.fns.SetDatabase(func(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
				return srv.AdminAction(ctx, action, params)
			})
			fh.fns.SetDocuments(func(ctx context.Context, params json.RawMessage) ([]ejson.D, error) {
				return srv.AdminFind(ctx, params)
			})
		},
	})
	t.Cleanup(func() { fh.fns.Stop(context.Background()) })
	return fh
}

func (h *fnHarness) deploy(name string, files map[string]string) {
	h.t.Helper()
	fsys := fstest.MapFS{}
	for p, src := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(src)}
	}
	b, err := cloudfns.LoadBundleFS(fsys)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fns.Store().Deploy(context.Background(), name, b); err != nil {
		h.t.Fatal(err)
	}
}

// anonymous signs a user in anonymously and returns its access token.
func (h *fnHarness) anonymous() string {
	h.t.Helper()
	body := h.do(h.t, scenario{method: http.MethodPost, url: "/auth/v1/signin/anonymously?client_id=" + testEnv, body: `{}`, expectStatus: 200})
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &tk); err != nil || tk.AccessToken == "" {
		h.t.Fatalf("sign-in: %s", body)
	}
	return tk.AccessToken
}

func (h *fnHarness) adminHeaders() map[string]string {
	return map[string]string{"Authorization": "Bearer " + h.admin.AccessKey}
}

func adminBody(action string, params map[string]any) string {
	m := map[string]any{"action": action, "envName": testEnv}
	for k, v := range params {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

const echoFn = `exports.main = async (event, context) => ({ got: event.x, source: context.SOURCE || null })`

func TestInvokeRulesDefaultAndCustom(t *testing.T) {
	h := newFnHarness(t)
	for _, n := range []string{"echo", "open", "closed", "named"} {
		h.deploy(n, map[string]string{"index.js": echoFn})
	}
	anon := h.anonymous()
	user, _ := h.signIn() // a user of type "test"
	call := func(name string) string { return "/v1/functions/" + name }

	// default: signed-in callers only (anonymous counts); no token is refused
	h.run([]scenario{
		{name: "no token", method: "POST", url: call("echo"), body: `{"x":1}`, expectStatus: 403,
			expectBody: []string{`"code":"PERMISSION_DENIED"`, "sign in first", `"requestId"`}},
		{name: "anonymous", method: "POST", url: call("echo"), body: `{"x":1}`, token: anon, expectStatus: 200, expectBody: []string{`"got":1`}},
		{name: "bad token", method: "POST", url: call("echo"), body: `{}`, token: "nope", expectStatus: 401, expectBody: []string{"UNAUTHENTICATED"}},
		{name: "web anonymous", method: "POST", url: "/web?env=" + testEnv,
			body:       `{"action":"functions.invokeFunction","function_name":"echo","request_data":"{\"x\":2}","access_token":"` + anon + `"}`,
			expectBody: []string{`"response_data":"{\"got\":2`}},
		{name: "describe default", method: "POST", url: "/admin", headers: h.adminHeaders(), body: adminBody("functions.describeInvokeRule", nil),
			expectBody: []string{`"isDefault":true`, `"rule":"{\"*\":{\"invoke\":\"auth != null\"}}"`}},
	})

	rule := `{"*":{"invoke":"auth != null"},"open":{"invoke":true},"closed":{"invoke":false},"named":{"invoke":"auth != null && auth.loginType != 'ANONYMOUS'"}}`
	h.run([]scenario{
		{name: "client cannot set rules", method: "POST", url: "/web?env=" + testEnv,
			body:       `{"action":"functions.modifyInvokeRule","rule":"{}","access_token":"` + anon + `"}`,
			expectBody: []string{`"code":"PERMISSION_DENIED"`}},
		{name: "bad rule refused with position", method: "POST", url: "/admin", headers: h.adminHeaders(),
			body:       adminBody("functions.modifyInvokeRule", map[string]any{"rule": `{"*":{"invoke":"auth != "}}`}),
			expectBody: []string{`"code":"INVALID_PARAM"`, `line 1, column 9`}},
		{name: "rule without wildcard refused", method: "POST", url: "/admin", headers: h.adminHeaders(),
			body:       adminBody("functions.modifyInvokeRule", map[string]any{"rule": `{"open":{"invoke":true}}`}),
			expectBody: []string{`"code":"INVALID_PARAM"`, `need a \"*\" entry`}},
		{name: "doc refused in invoke rules", method: "POST", url: "/admin", headers: h.adminHeaders(),
			body:       adminBody("functions.modifyInvokeRule", map[string]any{"rule": `{"*":{"invoke":"doc.x == 1"}}`}),
			expectBody: []string{`"code":"INVALID_PARAM"`, "doc is not available here"}},
		{name: "set", method: "POST", url: "/admin", headers: h.adminHeaders(),
			body: adminBody("functions.modifyInvokeRule", map[string]any{"rule": rule}), expectBody: []string{`"data":{"rule":`}},
		{name: "describe", method: "POST", url: "/admin", headers: h.adminHeaders(), body: adminBody("functions.describeInvokeRule", nil),
			expectBody: []string{`"isDefault":false`, `\"closed\":{\"invoke\":false}`}},
		{name: "open without token", method: "POST", url: call("open"), body: `{"x":3}`, expectStatus: 200, expectBody: []string{`"got":3`}},
		{name: "closed for a user", method: "POST", url: call("closed"), body: `{}`, token: user, expectStatus: 403, expectBody: []string{"PERMISSION_DENIED"}},
		{name: "closed on web", method: "POST", url: "/web?env=" + testEnv,
			body:       `{"action":"functions.invokeFunction","function_name":"closed","request_data":"{}","access_token":"` + user + `"}`,
			expectBody: []string{`"code":"PERMISSION_DENIED"`}},
		{name: "closed for admin", method: "POST", url: "/admin", headers: h.adminHeaders(),
			body:       adminBody("functions.invokeFunction", map[string]any{"function_name": "closed", "request_data": `{"x":4}`}),
			expectBody: []string{`\"got\":4`}},
		{name: "named denies anonymous", method: "POST", url: call("named"), body: `{}`, token: anon, expectStatus: 403},
		{name: "named allows a user", method: "POST", url: call("named"), body: `{"x":5}`, token: user, expectStatus: 200, expectBody: []string{`"got":5`}},
		// on /web the token may come in the header: the login type is still known
		{name: "named denies anonymous on web (header token)", method: "POST", url: "/web?env=" + testEnv, token: anon,
			body:       `{"action":"functions.invokeFunction","function_name":"named","request_data":"{}"}`,
			expectBody: []string{`"code":"PERMISSION_DENIED"`}},
		{name: "named allows a user on web (header token)", method: "POST", url: "/web?env=" + testEnv, token: user,
			body:       `{"action":"functions.invokeFunction","function_name":"named","request_data":"{\"x\":6}"}`,
			expectBody: []string{`\"got\":6`}},
		{name: "wildcard still applies", method: "POST", url: call("echo"), body: `{}`, expectStatus: 403},
		// a denied call reveals nothing about whether the function exists
		{name: "unknown function denied first", method: "POST", url: call("nope"), body: `{}`, expectStatus: 403},
		{name: "unknown function for a user", method: "POST", url: call("nope"), body: `{}`, token: user, expectStatus: 404},
		{name: "reset to default", method: "POST", url: "/admin", headers: h.adminHeaders(),
			body: adminBody("functions.modifyInvokeRule", map[string]any{"rule": ""}), expectBody: []string{`auth != null`}},
		{name: "open closed again", method: "POST", url: call("open"), body: `{}`, expectStatus: 403},
	})
}

// Another function's cloud.callFunction, timers and HTTP access are not client calls:
// the rules do not apply.
func TestInvokeRulesSkipServerSideCalls(t *testing.T) {
	h := newFnHarness(t)
	h.deploy("secret", map[string]string{"index.js": `exports.main = async (event, context) => ({ inner: true, source: context.SOURCE || '' })`})
	h.deploy("outer", map[string]string{"index.js": `const cloud = require('wx-server-sdk')
cloud.init()
exports.main = async () => (await cloud.callFunction({ name: 'secret' })).result`})
	h.deploy("web", map[string]string{"index.js": `exports.main = async (event) => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hi ' + event.path })`})
	if _, err := h.fns.Rules().Set(context.Background(), []byte(`{"*":{"invoke":false},"outer":{"invoke":true}}`)); err != nil {
		t.Fatal(err)
	}
	h.run([]scenario{
		{name: "secret directly", method: "POST", url: "/v1/functions/secret", body: `{}`, token: h.anonymous(), expectStatus: 403},
		{name: "secret through outer", method: "POST", url: "/v1/functions/outer", body: `{}`, expectStatus: 200, expectBody: []string{`"inner":true`}},
		{name: "http access", method: "GET", url: "/fn/web/x", expectStatus: 200, expectBody: []string{"hi /x"}},
	})
}
