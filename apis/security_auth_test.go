package apis

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/migrations"
)

// Tokens: forged, tampered, expired, revoked, of the wrong kind or environment. Each is
// refused with the code the SDKs act on, by both client dialects and by /auth/v1.

const aliceNote = "ALICE-PRIVATE-NOTE"

// tokenClaims reads a token's claims without checking it.
func tokenClaims(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func signHS256(t *testing.T, claims jwt.MapClaims, key string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withClaim returns a copy of claims with one changed.
func withClaim(claims jwt.MapClaims, key string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, x := range claims {
		out[k] = x
	}
	out[key] = v
	return out
}

// rejectToken checks that token is refused everywhere a client sends one: the gateway
// with wantStatus and wantCode, /web with wantCode (HTTP 200, as CloudBase answers),
// /auth/v1/user/me with 401 unauthenticated. No answer may show alice's document.
func (env *secEnv) rejectToken(t *testing.T, token string, wantStatus int, wantCode string) {
	t.Helper()
	st, body := env.call(t, http.MethodGet, gwDocs+"notes/documents", "", bearerHeader(token))
	wantAPIError(t, st, body, wantStatus, wantCode)
	web := `{"action":"database.queryDocument","env":"` + testEnv + `","access_token":` + strconv.Quote(token) + `,"collectionName":"notes","queryType":"WHERE","query":{}}`
	st, wbody := env.call(t, http.MethodPost, "/web?env="+testEnv, web, nil)
	wantAPIError(t, st, wbody, http.StatusOK, wantCode)
	st, mbody := env.call(t, http.MethodGet, "/auth/v1/user/me", "", bearerHeader(token))
	wantAuthError(t, st, mbody, http.StatusUnauthorized, "unauthenticated")
	for _, b := range []string{body, wbody, mbody} {
		if strings.Contains(b, aliceNote) {
			t.Fatalf("a refused token still read alice's document: %s", b)
		}
	}
}

// acceptToken checks that token works and returns what the gateway lists.
func (env *secEnv) acceptToken(t *testing.T, token string) string {
	t.Helper()
	st, body := env.call(t, http.MethodGet, gwDocs+"notes/documents", "", bearerHeader(token))
	if st != http.StatusOK {
		t.Fatalf("a valid token was refused: %d %s", st, body)
	}
	return body
}

func (env *secEnv) userRecord(t *testing.T, u *wxUser) *core.Record {
	t.Helper()
	rec, err := env.app.FindRecordById(migrations.WxUsers, u.uid)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestSecurityTokens(t *testing.T) {
	env := newSecEnv(t, secOptions{})
	env.createCollection("notes", collections.PresetPrivate)
	st, body := env.call(t, http.MethodPost, gwDocs+"notes/documents", `{"data":[{"note":"`+aliceNote+`"}]}`, bearerHeader(env.alice.access))
	if st != 200 {
		t.Fatal(body)
	}
	if b := env.acceptToken(t, env.alice.access); !strings.Contains(b, aliceNote) {
		t.Fatalf("alice cannot read her note: %s", b)
	}
	if b := env.acceptToken(t, env.bob.access); strings.Contains(b, aliceNote) {
		t.Fatalf("bob reads alice's note: %s", b)
	}

	aliceClaims := tokenClaims(t, env.alice.access)
	parts := strings.Split(env.alice.access, ".")
	// alice's token with bob's id in its payload, still under alice's signature
	payload, _ := json.Marshal(withClaim(aliceClaims, "id", env.bob.uid))
	swapped := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, aliceClaims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	// a token signed with the right key but for another environment
	otherEnv, err := auth.New(env.app, auth.Config{EnvID: "other-env"}).IssueTokens(env.userRecord(t, env.alice))
	if err != nil {
		t.Fatal(err)
	}
	// a short-lived token service over the same users: its tokens expire at once
	short := auth.New(env.app, auth.Config{EnvID: testEnv, AccessTokenTTL: time.Nanosecond, RefreshTokenTTL: time.Nanosecond})
	expired, err := short.IssueTokens(env.userRecord(t, env.alice))
	if err != nil {
		t.Fatal(err)
	}
	env.secret(expired.AccessToken, "alice's expired access token")
	env.secret(expired.RefreshToken, "alice's expired refresh token")
	// PocketBase's own token for the user: valid for PocketBase, not a CloudBase client token
	pbToken, err := env.userRecord(t, env.alice).NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	pt := env.providerToken(t, env.nextCode(env.alice))

	for _, c := range []struct {
		name   string
		token  string
		status int
		code   string
	}{
		{"no token", "", http.StatusUnauthorized, CodeUnauthenticated},
		{"not a JWT", "not.a.jwt", http.StatusUnauthorized, CodeUnauthenticated},
		{"signed with a guessed key", signHS256(t, aliceClaims, "secret"), http.StatusUnauthorized, CodeUnauthenticated},
		{"bob's id under alice's signature", swapped, http.StatusUnauthorized, CodeUnauthenticated},
		{"alg none", none, http.StatusUnauthorized, CodeUnauthenticated},
		{"bob's claims signed with a guessed key", signHS256(t, withClaim(aliceClaims, "id", env.bob.uid), env.alice.refresh), http.StatusUnauthorized, CodeUnauthenticated},
		{"expired and forged: the signature is judged first", signHS256(t, withClaim(aliceClaims, "exp", time.Now().Add(-time.Hour).Unix()), "secret"), http.StatusUnauthorized, CodeUnauthenticated},
		{"expired (short TTL)", expired.AccessToken, http.StatusUnauthorized, CodeTokenExpired},
		{"a refresh token", env.alice.refresh, http.StatusUnauthorized, CodeUnauthenticated},
		{"a provider token", pt, http.StatusUnauthorized, CodeUnauthenticated},
		{"another environment's token", otherEnv.AccessToken, http.StatusBadRequest, CodeInvalidEnv},
		{"a PocketBase auth token", pbToken, http.StatusBadRequest, CodeInvalidEnv},
	} {
		t.Run(c.name, func(t *testing.T) { env.rejectToken(t, c.token, c.status, c.code) })
	}

	t.Run("an expired refresh token", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/auth/v1/token", `{"grant_type":"refresh_token","refresh_token":"`+expired.RefreshToken+`"}`, nil)
		wantAuthError(t, st, body, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("an access token is not a refresh token", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/auth/v1/token", `{"grant_type":"refresh_token","refresh_token":"`+env.alice.access+`"}`, nil)
		wantAuthError(t, st, body, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("refresh gives the same user a working token", func(t *testing.T) {
		// the answer may repeat bob's own tokens (the same claims within one second sign alike)
		st, body := env.call(t, http.MethodPost, "/auth/v1/token", `{"grant_type":"refresh_token","refresh_token":"`+env.bob.refresh+`"}`, nil, env.bob.access, env.bob.refresh)
		var tk auth.Tokens
		if st != 200 || json.Unmarshal([]byte(body), &tk) != nil || tk.Sub != env.bob.uid {
			t.Fatalf("%d %s", st, body)
		}
		env.secret(tk.AccessToken, "bob's refreshed access token")
		if b := env.acceptToken(t, tk.AccessToken); strings.Contains(b, aliceNote) {
			t.Fatalf("bob's refreshed token reads alice's note: %s", b)
		}
	})

	// sign-out revokes every token alice holds, and nothing of bob's
	oldRefresh := env.alice.refresh
	st, body = env.call(t, http.MethodPost, "/auth/v1/user/signout", `{}`, bearerHeader(env.alice.access))
	if st != 200 {
		t.Fatalf("sign-out: %d %s", st, body)
	}
	t.Run("revoked access token", func(t *testing.T) {
		env.rejectToken(t, env.alice.access, http.StatusUnauthorized, CodeUnauthenticated)
	})
	t.Run("refresh token after sign-out", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/auth/v1/token", `{"grant_type":"refresh_token","refresh_token":"`+oldRefresh+`"}`, nil)
		wantAuthError(t, st, body, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("provider token after sign-out", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/auth/v1/signin/with/provider", `{"provider_token":"`+pt+`"}`, nil)
		wantAuthError(t, st, body, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("sign-out again with the revoked token", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/auth/v1/user/signout", `{}`, bearerHeader(env.alice.access))
		wantAuthError(t, st, body, http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("bob is still signed in", func(t *testing.T) { env.acceptToken(t, env.bob.access) })
	t.Run("alice signs in again and finds her note", func(t *testing.T) {
		env.login(t, env.alice)
		if b := env.acceptToken(t, env.alice.access); !strings.Contains(b, aliceNote) {
			t.Fatalf("%s", b)
		}
	})
	t.Run("revoke (the js-sdk's other sign-out path)", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/auth/v1/revoke", `{}`, bearerHeader(env.bob.access))
		if st != 200 {
			t.Fatalf("%d %s", st, body)
		}
		env.rejectToken(t, env.bob.access, http.StatusUnauthorized, CodeUnauthenticated)
	})
	env.checkLogs(t, aliceNote)
}

// Client tokens are PocketBase auth tokens too: PocketBase's own API must give a client
// nothing — no records, no user data, no way to change its openid — and the admin and
// permission APIs must refuse it.
func TestSecurityClientTokenElsewhere(t *testing.T) {
	env := newSecEnv(t, secOptions{})
	env.createCollection("notes", collections.PresetReadOnly)
	st, body := env.call(t, http.MethodPost, gwDocs+"notes/documents", `{"data":[{"_id":"n1","note":"`+aliceNote+`"}]}`, bearerHeader(env.alice.access))
	if st != 200 {
		t.Fatal(body)
	}
	alice := bearerHeader(env.alice.access)
	wx := "/api/collections/" + migrations.WxUsers
	for _, c := range []struct {
		name, method, url, body string
	}{
		{"list the document collection", http.MethodGet, "/api/collections/notes/records", ""},
		{"view a document record", http.MethodGet, "/api/collections/notes/records/n1", ""},
		{"update a document record", http.MethodPatch, "/api/collections/notes/records/n1", `{"_openid":"o-bob"}`},
		{"view her own user record", http.MethodGet, wx + "/records/" + env.alice.uid, ""},
		{"view bob's user record", http.MethodGet, wx + "/records/" + env.bob.uid, ""},
		{"list the users", http.MethodGet, wx + "/records", ""},
		{"change her openid to bob's", http.MethodPatch, wx + "/records/" + env.alice.uid, `{"openid":"o-bob"}`},
		{"refresh through PocketBase", http.MethodPost, wx + "/auth-refresh", ""},
		{"list the collections", http.MethodGet, "/api/collections", ""},
		{"read the logs", http.MethodGet, "/api/logs", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, body := env.call(t, c.method, c.url, c.body, alice)
			if st < 400 || st >= 500 {
				t.Fatalf("PocketBase's API answered a client token with %d: %s", st, body)
			}
			if strings.Contains(body, aliceNote) || strings.Contains(body, "o-bob") || strings.Contains(body, "sessionKey") {
				t.Fatalf("leaks: %s", body)
			}
		})
	}
	if rec := env.userRecord(t, env.alice); rec.GetString("openid") != "o-alice" {
		t.Fatalf("alice's openid changed to %q", rec.GetString("openid"))
	}
	// the session key stays on the server
	if rec := env.userRecord(t, env.alice); rec.GetString("sessionKey") != aliceSessionKey {
		t.Fatalf("the session key is not kept server-side: %q", rec.GetString("sessionKey"))
	}
	st, body = env.call(t, http.MethodGet, "/auth/v1/user/me", "", alice)
	if st != 200 || !strings.Contains(body, `"openid":"o-alice"`) {
		t.Fatalf("user/me: %d %s", st, body)
	}

	t.Run("clients cannot change _openid", func(t *testing.T) {
		for _, data := range []string{`{"$set":{"_openid":"o-bob"}}`, `{"$rename":{"note":"_openid"}}`, `{"_openid":"o-bob","note":"x"}`} {
			st, body := env.call(t, http.MethodPatch, gwDocs+"notes/documents", `{"query":{"_id":"n1"},"data":`+data+`}`, alice)
			if st == 200 {
				if docs := env.adminDocs(t, "notes", `{"_id":"n1"}`); len(docs) != 1 || !ownedBy(docs[0], "o-alice") {
					t.Fatalf("%s moved the document to another owner: %s", data, body)
				}
				continue
			}
			wantAPIError(t, st, body, http.StatusForbidden, string(collections.CodePermissionDenied))
		}
		if docs := env.adminDocs(t, "notes", `{"_id":"n1"}`); len(docs) != 1 || !ownedBy(docs[0], "o-alice") {
			t.Fatalf("n1 is gone or has another owner: %v", docs)
		}
	})
	t.Run("clients cannot set permissions through /web", func(t *testing.T) {
		for _, action := range []string{
			`"database.modifySafeRule","collectionName":"notes","rule":"{\"read\":true,\"write\":true}"`,
			`"database.modifyDatabaseACL","collectionName":"notes","aclTag":"READONLY"`,
			`"database.describeSafeRule","collectionName":"notes"`,
		} {
			st, body := env.call(t, http.MethodPost, "/web?env="+testEnv, `{"action":`+action+`,"env":"`+testEnv+`","access_token":"`+env.bob.access+`"}`, nil)
			wantAPIError(t, st, body, http.StatusOK, string(collections.CodePermissionDenied))
		}
		st, body := env.call(t, http.MethodPatch, gwDocs+"notes/documents", `{"query":{"_id":"n1"},"data":{"$set":{"note":"bob was here"}}}`, bearerHeader(env.bob.access))
		if st != 200 || !strings.Contains(body, `"updated":0`) {
			t.Fatalf("bob changed alice's note under READONLY: %d %s", st, body)
		}
	})
	t.Run("a client token is not an admin key", func(t *testing.T) {
		st, body := env.call(t, http.MethodPost, "/admin?env="+testEnv, `{"action":"database.getDocument","collectionName":"notes","query":"{}"}`, alice)
		wantAPIError(t, st, body, http.StatusOK, CodeSignInvalid)
	})
	env.checkLogs(t, aliceNote)
}

// WeChat sign-in failures: each is a clear error the mini-program can act on, no user
// is created, and neither the answer nor the logs show the secret or a session key,
// even when WeChat's own answer quotes them.
func TestSecurityWeChatSignIn(t *testing.T) {
	alice := &wxUser{name: "alice", openid: "o-alice", sessionKey: aliceSessionKey}
	t.Run("codes", func(t *testing.T) {
		env := newSecEnv(t, secOptions{noUsers: true})
		used := env.nextCode(alice)
		env.providerToken(t, used)
		for _, c := range []struct {
			name      string
			url       string
			body      string
			status    int
			code      string
			asksWx    bool   // the code reached WeChat
			mustQuote string // in the description
		}{
			{"a replayed wx.login code (40163)", "", wxCodeBody(used, secAppID), 400, "invalid_grant", true, "wx.login"},
			{"an unknown code (40029)", "", wxCodeBody("made-up", secAppID), 400, "invalid_grant", true, "wx.login"},
			{"an empty code", "", wxCodeBody("", secAppID), 400, "invalid_grant", false, ""},
			{"an oversized code", "", wxCodeBody(strings.Repeat("x", 300), secAppID), 400, "invalid_grant", false, ""},
			{"a dev code without development mode", "", wxCodeBody("dev:o-bob", secAppID), 400, "invalid_grant", true, ""},
			{"another mini-program's appid", "", wxCodeBody(env.nextCode(alice), "wxotherapp"), 400, "invalid_request", false, "appid"},
			{"an unsupported code type", "", `{"provider_code":"x","provider_params":{"provider_code_type":"phone"}}`, 400, "invalid_request", false, ""},
			{"not JSON", "", `{"provider_code":`, 400, "invalid_request", false, ""},
			{"another environment", "?client_id=other-env", wxCodeBody(env.nextCode(alice), secAppID), 400, "invalid_client", false, "other-env"},
		} {
			t.Run(c.name, func(t *testing.T) {
				calls := env.wxCalls.n.Load()
				st, body := env.call(t, http.MethodPost, "/auth/v1/provider/token"+c.url, c.body, nil)
				e := wantAuthError(t, st, body, c.status, c.code)
				if !strings.Contains(e.ErrorDescription, c.mustQuote) {
					t.Errorf("the description %q should mention %q", e.ErrorDescription, c.mustQuote)
				}
				if asked := env.wxCalls.n.Load() > calls; asked != c.asksWx {
					t.Errorf("asked WeChat: %v, want %v", asked, c.asksWx)
				}
			})
		}
		if n := env.wxUserCount(t); n != 1 {
			t.Errorf("failed sign-ins created users: %d wx_users, want alice's only", n)
		}
		env.checkLogs(t)
	})

	for _, c := range []struct {
		name          string
		appid, secret string // the server's settings ("" the right ones)
		clientAppID   string // the appid the mini-program sends ("" the right one)
		answer        string // a stand-in WeChat's answer ("" the fake, which checks appid and secret)
		status        int    // that stand-in's HTTP status (0: 200)
		down          bool   // the stand-in is gone
		want          int
		code          string
	}{
		{name: "a wrong app secret (40125)", secret: "WRONG-SECRET-3e1d", want: 500, code: "internal"},
		{name: "a wrong appid (40013)", appid: "wxnotmine", clientAppID: "wxnotmine", want: 500, code: "internal"},
		{name: "a wrong appid, the app sends the right one", appid: "wxnotmine", want: 400, code: "invalid_request"},
		{name: "WeChat quotes the secret and a session key in its error", answer: `{"errcode":40125,"errmsg":"invalid appsecret ` + secSecret + ` ` + aliceSessionKey + `"}`, want: 500, code: "internal"},
		{name: "WeChat busy (-1)", answer: `{"errcode":-1,"errmsg":"system error ` + aliceSessionKey + `"}`, want: 503, code: "unavailable"},
		{name: "WeChat rate limit (45011)", answer: `{"errcode":45011,"errmsg":"api minute-quota reach limit"}`, want: 429, code: "resource_exhausted"},
		{name: "a high-risk user (40226)", answer: `{"errcode":40226,"errmsg":"high risk user"}`, want: 403, code: "permission_denied"},
		{name: "WeChat answers HTTP 502", answer: `bad gateway ` + secSecret, status: 502, want: 503, code: "unavailable"},
		{name: "WeChat answers garbage", answer: `<html>` + secSecret + `</html>`, want: 503, code: "unavailable"},
		{name: "WeChat answers without an openid", answer: `{"session_key":"` + aliceSessionKey + `"}`, want: 503, code: "unavailable"},
		{name: "WeChat unreachable", answer: "-", down: true, want: 503, code: "unavailable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := secOptions{noUsers: true, appID: c.appid, secret: c.secret}
			if c.answer != "" {
				stand := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if c.status != 0 {
						w.WriteHeader(c.status)
					}
					_, _ = w.Write([]byte(c.answer))
				}))
				o.wxBase = stand.URL
				if c.down {
					stand.Close()
				} else {
					t.Cleanup(stand.Close)
				}
			}
			env := newSecEnv(t, o)
			sent := secAppID
			if c.clientAppID != "" {
				sent = c.clientAppID
			}
			st, body := env.call(t, http.MethodPost, "/auth/v1/provider/token", wxCodeBody(env.nextCode(alice), sent), nil)
			e := wantAuthError(t, st, body, c.want, c.code)
			if c.code == "internal" && !strings.Contains(e.ErrorDescription, "MINICLOUD_WX_SECRET") {
				t.Errorf("a configuration error should name the setting to check: %s", body)
			}
			if n := env.wxUserCount(t); n != 0 {
				t.Errorf("a failed sign-in created %d users", n)
			}
			logs := env.checkLogs(t)
			if c.code == "internal" && !strings.Contains(logs, "wechat sign-in rejected") {
				t.Errorf("the operator's log should say WeChat rejected the credentials:\n%s", logs)
			}
		})
	}
}

func (env *secEnv) wxUserCount(t *testing.T) int {
	t.Helper()
	n, err := env.app.CountRecords(migrations.WxUsers)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// Sign-in rate limits: per client address (anonymous and WeChat sign-in share it,
// forwarded-for headers do not reset it) and per openid (WeChat sign-in), each a 429
// with resource_exhausted; a limited request does not reach WeChat.
func TestSecurityRateLimits(t *testing.T) {
	env := newSecEnv(t, secOptions{noUsers: true, harnessOptions: harnessOptions{anonymous: true, loginPerIP: 3, loginPerOpenID: 2}})
	alice := &wxUser{name: "alice", openid: "o-alice", sessionKey: aliceSessionKey}
	bob := &wxUser{name: "bob", openid: "o-bob", sessionKey: bobSessionKey}
	const mallory = "198.51.100.7:40000"
	anon := func(remote string, headers map[string]string) (int, string) {
		return env.callFrom(t, remote, http.MethodPost, "/auth/v1/signin/anonymously?client_id="+testEnv, `{}`, headers)
	}
	for i := 0; i < 3; i++ {
		if st, body := anon(mallory, nil); st != 200 {
			t.Fatalf("sign-in %d: %d %s", i+1, st, body)
		}
	}
	t.Run("per address", func(t *testing.T) {
		st, body := anon(mallory, nil)
		e := wantAuthError(t, st, body, http.StatusTooManyRequests, "resource_exhausted")
		if !strings.Contains(e.ErrorDescription, "address") {
			t.Errorf("description: %s", e.ErrorDescription)
		}
	})
	t.Run("forwarded-for headers do not reset it", func(t *testing.T) {
		st, body := anon(mallory, map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9", "CF-Connecting-IP": "203.0.113.9"})
		wantAuthError(t, st, body, http.StatusTooManyRequests, "resource_exhausted")
	})
	t.Run("WeChat sign-in shares the limit and does not ask WeChat", func(t *testing.T) {
		calls := env.wxCalls.n.Load()
		code := env.nextCode(alice)
		st, body := env.callFrom(t, mallory, http.MethodPost, "/auth/v1/provider/token", wxCodeBody(code, secAppID), nil)
		wantAuthError(t, st, body, http.StatusTooManyRequests, "resource_exhausted")
		if env.wxCalls.n.Load() != calls {
			t.Error("a limited sign-in still called WeChat")
		}
		// the code was not spent: the user signs in from another address
		if st, body := env.callFrom(t, "198.51.100.8:1", http.MethodPost, "/auth/v1/provider/token", wxCodeBody(code, secAppID), nil); st != 200 {
			t.Fatalf("%d %s", st, body)
		}
	})
	t.Run("fresh IPv6 addresses of one /64 share a limit", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			if st, body := anon(fmt.Sprintf("[2001:db8:1:2::%x]:1", i), nil); st != 200 {
				t.Fatalf("sign-in %d: %d %s", i, st, body)
			}
		}
		st, body := anon("[2001:db8:1:2:ffff:0:0:77]:1", nil)
		wantAuthError(t, st, body, http.StatusTooManyRequests, "resource_exhausted")
		if st, body := anon("[2001:db8:1:3::1]:1", nil); st != 200 {
			t.Fatalf("another /64: %d %s", st, body)
		}
	})
	t.Run("another address is not limited", func(t *testing.T) {
		if st, body := anon("198.51.100.9:1", nil); st != 200 {
			t.Fatalf("%d %s", st, body)
		}
	})
	t.Run("per openid", func(t *testing.T) {
		// alice has signed in once above; one more is allowed, from fresh addresses
		if st, body := env.callFrom(t, "198.51.100.10:1", http.MethodPost, "/auth/v1/provider/token", wxCodeBody(env.nextCode(alice), secAppID), nil); st != 200 {
			t.Fatalf("%d %s", st, body)
		}
		st, body := env.callFrom(t, "198.51.100.11:1", http.MethodPost, "/auth/v1/provider/token", wxCodeBody(env.nextCode(alice), secAppID), nil)
		e := wantAuthError(t, st, body, http.StatusTooManyRequests, "resource_exhausted")
		if !strings.Contains(e.ErrorDescription, "this user") || strings.Contains(body, "provider_token") {
			t.Errorf("%s", body)
		}
		// bob is not held back by alice's limit
		if st, body := env.callFrom(t, "198.51.100.12:1", http.MethodPost, "/auth/v1/provider/token", wxCodeBody(env.nextCode(bob), secAppID), nil); st != 200 {
			t.Fatalf("%d %s", st, body)
		}
	})
	env.checkLogs(t)
}

func ownedBy(d ejson.D, openid string) bool {
	o, _ := d.Get("_openid")
	return o == openid
}
