package apis

import (
	"errors"
	"net/http"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/collections"
)

// clientCaller verifies a client dialect's access token.
func (s *Server) clientCaller(token string) (collections.Caller, error) {
	if token == "" {
		return collections.Caller{}, newAPIError(http.StatusUnauthorized, CodeUnauthenticated, "sign in first: the request carries no access token")
	}
	id, err := s.auth.VerifyCached(token)
	switch {
	case err == nil:
		return collections.Caller{OpenID: id.OpenID, UID: id.UserID, UnionID: id.UnionID, AppID: id.AppID, LoginType: loginTypeName(id.Type)}, nil
	case errors.Is(err, auth.ErrTokenExpired):
		return collections.Caller{}, newAPIError(http.StatusUnauthorized, CodeTokenExpired, "the access token has expired: refresh it")
	case errors.Is(err, auth.ErrWrongEnv):
		return collections.Caller{}, newAPIError(http.StatusBadRequest, CodeInvalidEnv, "the access token belongs to another environment")
	}
	return collections.Caller{}, newAPIError(http.StatusUnauthorized, CodeUnauthenticated, "invalid access token")
}

// checkEnv enforces that a request names this server's environment (an empty name is
// allowed: some SDK calls leave it out).
func (s *Server) checkEnv(names ...string) error {
	for _, n := range names {
		if n != "" && n != s.cfg.EnvID {
			return newAPIError(http.StatusBadRequest, CodeInvalidEnv, "invalid env: "+n+" is not served here")
		}
	}
	return nil
}
