package apis

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/hooks/wechat"
)

// Sign-in under /auth/v1, in the OAuth2 style js-sdk's auth client speaks: token
// responses {token_type, access_token, refresh_token, expires_in, …} and errors
// {error, error_description} with a 4xx status.

func authError(e *core.RequestEvent, status int, code, desc string) error {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	_ = writeJSON(e, status, b)
	return newAPIError(status, code, desc)
}

// readAuthBody reads a sign-in request's JSON object, answering a bad one in /auth's shape.
func readAuthBody(e *core.RequestEvent) (ejson.D, error) {
	raw, err := readBody(e)
	if err != nil {
		return nil, authError(e, http.StatusBadRequest, "invalid_request", "cannot read the request body")
	}
	body, err := ejson.UnmarshalDoc(raw)
	if err != nil {
		return nil, authError(e, http.StatusBadRequest, "invalid_request", "the body must be a JSON object")
	}
	return body, nil
}

// checkClientID enforces that sign-in names this environment (client_id defaults to it).
func (s *Server) checkClientID(e *core.RequestEvent) error {
	if id := e.Request.URL.Query().Get("client_id"); id != "" && id != s.cfg.EnvID {
		return authError(e, http.StatusBadRequest, "invalid_client", "invalid env: "+id+" is not served here")
	}
	return nil
}

func (s *Server) writeTokens(e *core.RequestEvent, t auth.Tokens) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return writeJSON(e, http.StatusOK, b)
}

func (s *Server) authSignInAnonymously(e *core.RequestEvent) error {
	if err := s.checkClientID(e); err != nil {
		return err
	}
	if err := s.tooManySignIns(e); err != nil {
		return err
	}
	rec, err := s.auth.SignInAnonymously()
	if errors.Is(err, auth.ErrDisabled) {
		return authError(e, http.StatusForbidden, "permission_denied", "anonymous sign-in is disabled: start the server with MINICLOUD_ANONYMOUS_AUTH=true to allow it")
	}
	if err != nil {
		logger(s.app).Error("anonymous sign-in", "error", err)
		return authError(e, http.StatusInternalServerError, "internal", "sign-in failed")
	}
	t, err := s.auth.IssueTokens(rec)
	if err != nil {
		logger(s.app).Error("issue tokens", "error", err)
		return authError(e, http.StatusInternalServerError, "internal", "sign-in failed")
	}
	return s.writeTokens(e, t)
}

func (s *Server) authToken(e *core.RequestEvent) error {
	if err := s.checkClientID(e); err != nil {
		return err
	}
	body, err := readAuthBody(e)
	if err != nil {
		return err
	}
	grant, _ := stringField(body, "grant_type")
	if grant != "refresh_token" {
		return authError(e, http.StatusBadRequest, "unsupported_grant_type", "only grant_type=refresh_token is supported")
	}
	rt, _ := stringField(body, "refresh_token")
	t, err := s.auth.Refresh(rt)
	if err != nil {
		return authError(e, http.StatusBadRequest, "invalid_grant", "the refresh token is invalid, expired or revoked")
	}
	return s.writeTokens(e, t)
}

// userFromToken verifies the bearer token of an /auth/v1 request.
func (s *Server) userFromToken(e *core.RequestEvent) (auth.Identity, error) {
	id, err := s.auth.Verify(bearer(e.Request))
	if err != nil {
		return id, authError(e, http.StatusUnauthorized, "unauthenticated", "sign in first: the access token is missing, invalid or expired")
	}
	return id, nil
}

func (s *Server) authUserMe(e *core.RequestEvent) error {
	id, err := s.userFromToken(e)
	if err != nil {
		return err
	}
	rec := id.Record
	name := rec.GetString("name")
	if name == "" {
		name = id.Type
	}
	b, err := json.Marshal(map[string]any{
		"sub":          id.UserID,
		"uid":          id.UserID,
		"user_id":      id.UserID,
		"name":         name,
		"picture":      "",
		"gender":       "UNKNOWN",
		"groups":       []map[string]string{{"id": id.Type}},
		"status":       "ACTIVE",
		"type":         id.Type,
		"is_anonymous": id.Type == auth.TypeAnonymous,
		"created_at":   rec.GetDateTime("created").Time().UTC().Format("2006-01-02T15:04:05.000Z"),
		"openid":       id.OpenID,
	})
	if err != nil {
		return err
	}
	return writeJSON(e, http.StatusOK, b)
}

func (s *Server) authSignOut(e *core.RequestEvent) error {
	id, err := s.userFromToken(e)
	if err != nil {
		return err
	}
	if err := s.auth.SignOut(id.Record); err != nil {
		logger(s.app).Error("sign out", "error", err)
		return authError(e, http.StatusInternalServerError, "internal", "sign-out failed")
	}
	return writeJSON(e, http.StatusOK, []byte(`{}`))
}

// tooManySignIns applies the per-IP sign-in limit.
func (s *Server) tooManySignIns(e *core.RequestEvent) error {
	if !s.loginByIP.Allow(addressKey(e.RealIP())) {
		return authError(e, http.StatusTooManyRequests, "resource_exhausted", "too many sign-in attempts from this address: try again in a minute")
	}
	return nil
}

// addressKey is what the per-IP limit counts against: an IPv4 address, or the /64
// network of an IPv6 address. A /64 is one subscriber's allocation, and a client can
// take a fresh address from it for every request.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// authProviderToken is step one of js-sdk's WeChat sign-in (signInWithOpenId): the
// wx.login code becomes a short-lived provider token.
func (s *Server) authProviderToken(e *core.RequestEvent) error {
	if err := s.checkClientID(e); err != nil {
		return err
	}
	if err := s.tooManySignIns(e); err != nil {
		return err
	}
	body, err := readAuthBody(e)
	if err != nil {
		return err
	}
	code, _ := stringField(body, "provider_code")
	appid, _ := stringField(body, "provider_id")
	if params, _ := docField(body, "provider_params"); params != nil {
		if t, _ := stringField(params, "provider_code_type"); t != "" && t != "open_id" {
			return authError(e, http.StatusBadRequest, "invalid_request", "only provider_code_type open_id (wx.login) is supported")
		}
		if a, _ := stringField(params, "appid"); a != "" {
			appid = a
		}
	}
	rec, err := s.auth.SignInWeChat(e.Request.Context(), code, appid)
	if err != nil {
		return s.weChatError(e, err)
	}
	if !s.loginByOpenID.Allow(rec.GetString("openid")) {
		return authError(e, http.StatusTooManyRequests, "resource_exhausted", "too many sign-ins for this user: try again in a minute")
	}
	token, err := s.auth.ProviderTokenFor(rec)
	if err != nil {
		logger(s.app).Error("provider token", "error", err)
		return authError(e, http.StatusInternalServerError, "internal", "sign-in failed")
	}
	b, _ := json.Marshal(map[string]any{"provider_token": token, "expires_in": int(auth.ProviderTokenTTL.Seconds())})
	return writeJSON(e, http.StatusOK, b)
}

// authSignInWithProvider is step two: the provider token becomes a session.
// It is not counted against the per-IP limit: a provider token can only come from a
// step one that was counted, and counting both would halve the sign-ins a shared
// address (carrier NAT) gets.
func (s *Server) authSignInWithProvider(e *core.RequestEvent) error {
	if err := s.checkClientID(e); err != nil {
		return err
	}
	body, err := readAuthBody(e)
	if err != nil {
		return err
	}
	pt, _ := stringField(body, "provider_token")
	rec, err := s.auth.SignInWithProvider(pt)
	if err != nil {
		return authError(e, http.StatusBadRequest, "invalid_grant", "the provider token is invalid or expired: sign in again")
	}
	t, err := s.auth.IssueTokens(rec)
	if err != nil {
		logger(s.app).Error("issue tokens", "error", err)
		return authError(e, http.StatusInternalServerError, "internal", "sign-in failed")
	}
	return s.writeTokens(e, t)
}

// weChatError answers a failed WeChat sign-in with what the client can do about it;
// configuration problems are logged, never shown.
func (s *Server) weChatError(e *core.RequestEvent, err error) error {
	var we *wechat.APIError
	switch {
	case errors.Is(err, auth.ErrWeChatNotConfigured):
		return authError(e, http.StatusForbidden, "permission_denied", "WeChat sign-in is not enabled on this server")
	case errors.Is(err, auth.ErrWrongAppID):
		return authError(e, http.StatusBadRequest, "invalid_request", "the code belongs to another mini-program (appid mismatch)")
	case errors.As(err, &we):
		switch we.Code {
		case wechat.CodeInvalidCode, wechat.CodeCodeUsed:
			return authError(e, http.StatusBadRequest, "invalid_grant", "the wx.login code is invalid, expired or already used: call wx.login again")
		case wechat.CodeRateLimited:
			return authError(e, http.StatusTooManyRequests, "resource_exhausted", "WeChat rate limit reached for this user: try again in a minute")
		case wechat.CodeBusy:
			return authError(e, http.StatusServiceUnavailable, "unavailable", "WeChat is busy: try again")
		case wechat.CodeHighRiskUser:
			return authError(e, http.StatusForbidden, "permission_denied", "WeChat blocked this user's sign-in")
		}
		logger(s.app).Error("wechat sign-in rejected", "errcode", we.Code)
		return authError(e, http.StatusInternalServerError, "internal", "WeChat rejected the server's credentials: check MINICLOUD_WX_APPID and MINICLOUD_WX_SECRET")
	case errors.Is(err, wechat.ErrUnavailable):
		logger(s.app).Warn("wechat unreachable", "error", err)
		return authError(e, http.StatusServiceUnavailable, "unavailable", "WeChat cannot be reached: try again")
	}
	logger(s.app).Error("wechat sign-in", "error", err)
	return authError(e, http.StatusInternalServerError, "internal", "sign-in failed")
}
