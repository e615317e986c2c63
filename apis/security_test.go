package apis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	pblogger "github.com/pocketbase/pocketbase/tools/logger"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/hooks/wechat"
	"github.com/minicloud/minicloud/hooks/wechat/wechattest"
)

// The security suite (security_*_test.go): two WeChat users, signed in through the real
// /auth/v1 endpoints against an in-process fake WeChat, try every permission preset and
// rule shape through both client dialects, and every way a sign-in can go wrong. Each
// failure must be a clear 4xx/5xx in the shape the SDKs read, and nothing secret may
// reach a response or the server's logs: not the app secret, not a session_key, not
// another user's tokens or documents.

const (
	secAppID  = "wxsecapp0001"
	secSecret = "APPSECRET-9f2c-must-never-leak"
	// the session keys WeChat hands out for the two users (base64, as WeChat's are)
	aliceSessionKey = "QUxJQ0UtU0VTU0lPTi1LRVk="
	bobSessionKey   = "Qk9CLVNFU1NJT04tS0VZLTE="
)

// wxUser is a mini-program user signed in through /auth/v1.
type wxUser struct {
	name, openid, sessionKey string
	uid                      string // the user record id (the token's sub)
	access, refresh          string
}

// secEnv is a harness with WeChat sign-in against a fake WeChat, two signed-in users and
// the list of strings that must never leak.
type secEnv struct {
	*harness
	fake       *wechattest.Server
	alice, bob *wxUser
	codes      int
	secrets    map[string]string // value -> what it is
	slogBuf    *lockedBuffer
	wxCalls    *countingTransport
}

type secOptions struct {
	harnessOptions
	// wxBase, appID and secret override the WeChat client's settings (another server, a
	// wrong appid or secret)
	wxBase, appID, secret string
	// noUsers skips signing alice and bob in
	noUsers bool
}

// countingTransport counts the requests the server sends to WeChat. It runs on the
// request's own goroutine, so tests read the count without racing the fake.
type countingTransport struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func newSecEnv(t *testing.T, o secOptions) *secEnv {
	t.Helper()
	fake := wechattest.New(secAppID, secSecret)
	t.Cleanup(fake.Close)
	base, appID, secret := fake.URL, secAppID, secSecret
	if o.wxBase != "" {
		base = o.wxBase
	}
	if o.appID != "" {
		appID = o.appID
	}
	if o.secret != "" {
		secret = o.secret
	}
	wxCalls := &countingTransport{base: http.DefaultTransport}
	client := wechat.NewClient(base, appID, secret, &http.Client{Timeout: 10 * time.Second, Transport: wxCalls})
	o.wechat = auth.WeChatConfig{Client: client, DevLogin: o.wechat.DevLogin}
	env := &secEnv{fake: fake, wxCalls: wxCalls, secrets: map[string]string{
		secSecret:       "the app secret",
		secret:          "the configured app secret",
		aliceSessionKey: "alice's session_key",
		bobSessionKey:   "bob's session_key",
	}}
	env.slogBuf = captureSlog(t)
	env.harness = newHarness(t, o.harnessOptions)
	if !o.noUsers {
		env.alice = env.login(t, &wxUser{name: "alice", openid: "o-alice", sessionKey: aliceSessionKey})
		env.bob = env.login(t, &wxUser{name: "bob", openid: "o-bob", sessionKey: bobSessionKey})
	}
	return env
}

// nextCode issues a fresh wx.login code for u at the fake, as wx.login would.
func (env *secEnv) nextCode(u *wxUser) string {
	env.codes++
	code := fmt.Sprintf("wxcode-%s-%d", u.name, env.codes)
	env.fake.IssueCode(code, wechattest.User{OpenID: u.openid, SessionKey: u.sessionKey})
	return code
}

// login signs u in the way js-sdk's signInWithOpenId does: provider/token with the
// wx.login code, then signin/with/provider with the provider token.
func (env *secEnv) login(t *testing.T, u *wxUser) *wxUser {
	t.Helper()
	pt := env.providerToken(t, env.nextCode(u))
	body := env.do(t, scenario{method: http.MethodPost, url: "/auth/v1/signin/with/provider?client_id=" + testEnv,
		body: `{"provider_token":"` + pt + `"}`, expectStatus: 200})
	var tk auth.Tokens
	if err := json.Unmarshal([]byte(body), &tk); err != nil || tk.AccessToken == "" || tk.RefreshToken == "" {
		t.Fatalf("sign-in of %s: %s (%v)", u.name, body, err)
	}
	u.access, u.refresh, u.uid = tk.AccessToken, tk.RefreshToken, tk.Sub
	env.secret(u.access, u.name+"'s access token")
	env.secret(u.refresh, u.name+"'s refresh token")
	env.checkNoLeak(t, "sign-in response", body, u.access, u.refresh)
	return u
}

// providerToken runs step one of the WeChat sign-in and returns the provider token.
func (env *secEnv) providerToken(t *testing.T, code string) string {
	t.Helper()
	body := env.do(t, scenario{method: http.MethodPost, url: "/auth/v1/provider/token?client_id=" + testEnv,
		body: wxCodeBody(code, secAppID), expectStatus: 200})
	var res struct {
		ProviderToken string `json:"provider_token"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || res.ProviderToken == "" {
		t.Fatalf("provider token: %s (%v)", body, err)
	}
	env.secret(res.ProviderToken, "a provider token")
	env.checkNoLeak(t, "provider token response", body, res.ProviderToken)
	return res.ProviderToken
}

// wxCodeBody is what js-sdk posts to /auth/v1/provider/token for a wx.login code.
func wxCodeBody(code, appid string) string {
	return `{"provider_id":"` + appid + `","provider_code":"` + code + `","provider_params":{"provider_code_type":"open_id","appid":"` + appid + `"}}`
}

func (env *secEnv) secret(value, what string) {
	if value != "" {
		env.secrets[value] = what
	}
}

// checkNoLeak fails when text holds any secret other than the allowed ones (a sign-in
// response carries its own user's tokens, nothing else).
func (env *secEnv) checkNoLeak(t *testing.T, where, text string, allowed ...string) {
	t.Helper()
	for value, what := range env.secrets {
		if containsAny(allowed, value) {
			continue
		}
		if strings.Contains(text, value) {
			t.Errorf("%s leaks %s", where, what)
		}
	}
}

func containsAny(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// call sends one request and checks that its answer leaks nothing; it returns the
// status and body.
func (env *secEnv) call(t *testing.T, method, url, body string, headers map[string]string, allowed ...string) (int, string) {
	t.Helper()
	return env.callFrom(t, "", method, url, body, headers, allowed...)
}

// callFrom is call from a client address ("ip:port"; "" is httptest's 192.0.2.1:1234);
// allowed are secrets the answer may hold (the caller's own new tokens).
func (env *secEnv) callFrom(t *testing.T, remote, method, url, body string, headers map[string]string, allowed ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	if remote != "" {
		req.RemoteAddr = remote
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	env.checkNoLeak(t, method+" "+url, string(raw), allowed...)
	return rec.Code, string(raw)
}

// bearerHeader is the Authorization header of a client token.
func bearerHeader(token string) map[string]string {
	if token == "" {
		return nil
	}
	return map[string]string{"Authorization": "Bearer " + token}
}

// checkLogs flushes the app's logs and fails when they hold any secret or any of the
// extra strings (documents' contents); it returns the logs' text. PocketBase writes its
// request log from a goroutine per request: a last, recognisable failed request is sent
// and waited for (with a deadline) so that every earlier entry is in.
func (env *secEnv) checkLogs(t *testing.T, extra ...string) string {
	t.Helper()
	sentinel := fmt.Sprintf("log-sentinel-%d", time.Now().UnixNano())
	env.call(t, http.MethodGet, "/auth/v1/user/me", "", map[string]string{"User-Agent": sentinel})
	var text string
	deadline := time.Now().Add(10 * time.Second)
	for {
		text = env.appLogs(t)
		if strings.Contains(text, sentinel) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request log never recorded the sentinel request")
		}
		time.Sleep(5 * time.Millisecond) // polling the logs table until the entry lands
	}
	text += "\n" + env.slogBuf.String()
	env.checkNoLeak(t, "the server logs", text)
	for _, s := range extra {
		if strings.Contains(text, s) {
			t.Errorf("the server logs hold %q", s)
		}
	}
	return text
}

// appLogs flushes PocketBase's batched app logger and returns every entry as text.
func (env *secEnv) appLogs(t *testing.T) string {
	t.Helper()
	if bh, ok := env.app.Logger().Handler().(*pblogger.BatchHandler); ok {
		if err := bh.WriteAll(context.Background()); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Fatalf("unexpected app log handler %T", env.app.Logger().Handler())
	}
	var logs []*core.Log
	if err := env.app.LogQuery().OrderBy("rowid ASC").All(&logs); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range logs {
		data, _ := json.Marshal(l.Data)
		fmt.Fprintf(&b, "%d %s %s\n", l.Level, l.Message, data)
	}
	return b.String()
}

// lockedBuffer is an io.Writer safe for concurrent log writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// captureSlog sends the process-wide slog output (what code without an app logs to) to
// a buffer for the rest of the test.
func captureSlog(t *testing.T) *lockedBuffer {
	buf := &lockedBuffer{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return buf
}

// errorShape reads an error answer: the gateway's and the action dialects' {code,
// message, requestId}, or /auth/v1's {error, error_description}.
type errorShape struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	RequestID        string `json:"requestId"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func readError(t *testing.T, body string) errorShape {
	t.Helper()
	var e errorShape
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error answer is not JSON: %s", body)
	}
	return e
}

// wantAuthError checks an /auth/v1 error answer: status, OAuth2 error code and a
// non-empty description.
func wantAuthError(t *testing.T, status int, body string, wantStatus int, wantCode string) errorShape {
	t.Helper()
	e := readError(t, body)
	if status != wantStatus || e.Error != wantCode || e.ErrorDescription == "" {
		t.Fatalf("got %d %s, want %d with error %q and a description", status, body, wantStatus, wantCode)
	}
	return e
}

// wantAPIError checks a gateway (status) or /web (HTTP 200) error answer.
func wantAPIError(t *testing.T, status int, body string, wantStatus int, wantCode string) errorShape {
	t.Helper()
	e := readError(t, body)
	if status != wantStatus || e.Code != wantCode || e.Message == "" || e.RequestID == "" {
		t.Fatalf("got %d %s, want %d with code %q, a message and a requestId", status, body, wantStatus, wantCode)
	}
	return e
}
