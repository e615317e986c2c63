package apis

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/hooks/wechat"
	"github.com/minicloud/minicloud/hooks/wechat/wechattest"
)

// js-sdk's signInWithOpenId: POST provider/token with the wx.login code, then
// POST signin/with/provider with the provider token.
func providerTokenBody(code string) string {
	return `{"provider_id":"wxapp","provider_code":"` + code + `","provider_params":{"provider_code_type":"open_id","appid":"wxapp"}}`
}

func TestWeChatSignIn(t *testing.T) {
	fake := wechattest.New("wxapp", "s3cret")
	defer fake.Close()
	h := newHarness(t, harnessOptions{wechat: auth.WeChatConfig{Client: wechat.NewClient(fake.URL, "wxapp", "s3cret", nil)}})
	h.createCollection("todos", collections.PresetPrivate)
	fake.IssueCode("c1", wechattest.User{OpenID: "o-alice", UnionID: "un-alice", SessionKey: "SESSIONKEY=="})
	var pt struct {
		ProviderToken string `json:"provider_token"`
	}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	h.run([]scenario{
		{name: "code to provider token", method: http.MethodPost, url: "/auth/v1/provider/token?client_id=" + testEnv, body: providerTokenBody("c1"),
			expectStatus: 200, rejectBody: []string{"SESSIONKEY", "s3cret"},
			after: func(t *testing.T, body string) { _ = json.Unmarshal([]byte(body), &pt) }},
	})
	h.run([]scenario{
		{name: "provider token to session", method: http.MethodPost, url: "/auth/v1/signin/with/provider?client_id=" + testEnv, body: `{"provider_token":"` + pt.ProviderToken + `"}`,
			expectStatus: 200, expectBody: []string{`"scope":"wechat"`}, rejectBody: []string{"SESSIONKEY"},
			after: func(t *testing.T, body string) { _ = json.Unmarshal([]byte(body), &tokens) }},
	})
	h.run([]scenario{
		{name: "user/me shows the openid", url: "/auth/v1/user/me", token: tokens.AccessToken, expectStatus: 200,
			expectBody: []string{`"openid":"o-alice"`, `"type":"wechat"`}, rejectBody: []string{"SESSIONKEY", "sessionKey"}},
		{name: "documents are stamped with the openid", method: http.MethodPost, url: gwDocs + "todos/documents", token: tokens.AccessToken,
			body: `{"data":[{"_id":"t1"}]}`, expectStatus: 200},
		{name: "and read back", url: gwDocs + "todos/documents/t1", token: tokens.AccessToken, expectStatus: 200, expectBody: []string{`"_openid":"o-alice"`}},
		{name: "a replayed code", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("c1"),
			expectStatus: 400, expectBody: []string{`"error":"invalid_grant"`, "wx.login"}},
		{name: "an invalid code", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("forged"),
			expectStatus: 400, expectBody: []string{`"error":"invalid_grant"`}},
		{name: "another app's appid", method: http.MethodPost, url: "/auth/v1/provider/token",
			body:         `{"provider_id":"wxother","provider_code":"c9","provider_params":{"provider_code_type":"open_id","appid":"wxother"}}`,
			expectStatus: 400, expectBody: []string{"appid mismatch"}},
		{name: "a forged provider token", method: http.MethodPost, url: "/auth/v1/signin/with/provider", body: `{"provider_token":"eyJhbGciOiJIUzI1NiJ9.e30.x"}`,
			expectStatus: 400, expectBody: []string{`"error":"invalid_grant"`}},
		{name: "an access token is not a provider token", method: http.MethodPost, url: "/auth/v1/signin/with/provider", body: `{"provider_token":"` + tokens.AccessToken + `"}`,
			expectStatus: 400},
		{name: "dev codes are refused without development mode", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("dev:o-mallory"),
			expectStatus: 400, expectBody: []string{`"error":"invalid_grant"`}},
	})
	fake.Busy = true
	fake.IssueCode("c2", wechattest.User{OpenID: "o-bob"})
	h.run([]scenario{{name: "WeChat down (-1)", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("c2"),
		expectStatus: 503, expectBody: []string{`"error":"unavailable"`}}})
	fake.Busy = false
	fake.Close()
	h.run([]scenario{{name: "WeChat unreachable", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("c2"),
		expectStatus: 503, expectBody: []string{`"error":"unavailable"`}, rejectBody: []string{"s3cret"}}})
}

func TestWeChatSignInDisabledAndDevMode(t *testing.T) {
	off := newHarness(t, harnessOptions{})
	off.run([]scenario{{name: "not configured", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("c1"),
		expectStatus: 403, expectBody: []string{"not enabled"}}})
	dev := newHarness(t, harnessOptions{wechat: auth.WeChatConfig{DevLogin: true}})
	dev.run([]scenario{{name: "dev code", method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("dev:o-dev"),
		expectStatus: 200, expectBody: []string{`"provider_token"`}}})
}

func TestSignInRateLimits(t *testing.T) {
	h := newHarness(t, harnessOptions{anonymous: true, loginPerIP: 3, wechat: auth.WeChatConfig{DevLogin: true}})
	for i := 0; i < 3; i++ {
		h.do(t, scenario{method: http.MethodPost, url: "/auth/v1/signin/anonymously", body: `{}`, expectStatus: 200})
	}
	h.run([]scenario{{name: "fourth sign-in from one address", method: http.MethodPost, url: "/auth/v1/signin/anonymously", body: `{}`,
		expectStatus: 429, expectBody: []string{`"error":"resource_exhausted"`}}})

	perUser := newHarness(t, harnessOptions{loginPerOpenID: 2, wechat: auth.WeChatConfig{DevLogin: true}})
	for i := 0; i < 2; i++ {
		perUser.do(t, scenario{method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("dev:o-same"), expectStatus: 200})
	}
	body := perUser.do(t, scenario{method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("dev:o-same"), expectStatus: 429})
	if !strings.Contains(body, "this user") {
		t.Fatal(body)
	}
	perUser.do(t, scenario{method: http.MethodPost, url: "/auth/v1/provider/token", body: providerTokenBody("dev:o-other"), expectStatus: 200})
}
