package apis

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/collections/ejson"
)

// Sign-in under /auth/v1, in the OAuth2 style js-sdk's auth client speaks: token
// responses {token_type, access_token, refresh_token, expires_in, …} and errors
// {error, error_description} with a 4xx status.

func authError(e *core.RequestEvent, status int, code, desc string) error {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	_ = writeJSON(e, status, b)
	return newAPIError(status, code, desc)
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
	raw, err := readBody(e)
	if err != nil {
		return authError(e, http.StatusBadRequest, "invalid_request", "cannot read the request body")
	}
	body, err := ejson.UnmarshalDoc(raw)
	if err != nil {
		return authError(e, http.StatusBadRequest, "invalid_request", "the body must be a JSON object")
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
