package apis

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestAuthAnonymousDisabledByDefault(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.run([]scenario{{
		name: "anonymous sign-in is off", method: http.MethodPost, url: "/auth/v1/signin/anonymously?client_id=" + testEnv, body: `{}`,
		expectStatus: 403, expectBody: []string{`"error":"permission_denied"`, "MINICLOUD_ANONYMOUS_AUTH"},
	}})
}

func TestAuthAnonymousFlow(t *testing.T) {
	h := newHarness(t, harnessOptions{anonymous: true})
	var tokens struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Sub          string `json:"sub"`
		ExpiresIn    int    `json:"expires_in"`
	}
	parse := func(t *testing.T, body string) {
		if err := json.Unmarshal([]byte(body), &tokens); err != nil || tokens.AccessToken == "" || tokens.RefreshToken == "" || tokens.ExpiresIn <= 0 {
			t.Fatalf("token response %s (%v)", body, err)
		}
	}
	h.run([]scenario{
		{name: "wrong env", method: http.MethodPost, url: "/auth/v1/signin/anonymously?client_id=other", body: `{}`, expectStatus: 400, expectBody: []string{`"error":"invalid_client"`}},
		{name: "sign in", method: http.MethodPost, url: "/auth/v1/signin/anonymously?client_id=" + testEnv, body: `{}`, expectStatus: 200, expectBody: []string{`"token_type":"Bearer"`, `"scope":"anonymous"`}, after: parse},
	})
	first := tokens
	h.run([]scenario{
		{name: "user/me", url: "/auth/v1/user/me", token: first.AccessToken, expectStatus: 200, expectBody: []string{`"sub":"` + first.Sub + `"`, `"type":"anonymous"`}},
		{name: "user/me without token", url: "/auth/v1/user/me", expectStatus: 401, expectBody: []string{`"error":"unauthenticated"`}},
		{name: "refresh", method: http.MethodPost, url: "/auth/v1/token", body: `{"grant_type":"refresh_token","refresh_token":"` + first.RefreshToken + `"}`, expectStatus: 200, after: parse},
		{name: "refresh token is not an access token", url: "/auth/v1/user/me", token: first.RefreshToken, expectStatus: 401},
		{name: "bad grant", method: http.MethodPost, url: "/auth/v1/token", body: `{"grant_type":"password"}`, expectStatus: 400, expectBody: []string{`"error":"unsupported_grant_type"`}},
		{name: "sign out", method: http.MethodPost, url: "/auth/v1/user/signout", token: tokens.AccessToken, body: `{}`, expectStatus: 200},
		{name: "signed-out token is revoked", url: "/auth/v1/user/me", token: tokens.AccessToken, expectStatus: 401},
		{name: "signed-out refresh token is revoked", method: http.MethodPost, url: "/auth/v1/token", body: `{"grant_type":"refresh_token","refresh_token":"` + first.RefreshToken + `"}`, expectStatus: 400, expectBody: []string{`"error":"invalid_grant"`}},
	})
}
