// Package auth signs users in for the client dialects and issues the tokens the
// official CloudBase SDKs carry. Tokens are PocketBase auth tokens (HS256, signed with
// the user's token key) with CloudBase's claims added, so PocketBase recognises them
// too and rotating a user's token key revokes every token it holds.
package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/minicloud/minicloud/migrations"
)

// Token lifetimes (defaults; configurable).
const (
	DefaultAccessTokenTTL  = 2 * time.Hour
	DefaultRefreshTokenTTL = 30 * 24 * time.Hour
)

// tokenTypeRefresh marks refresh tokens: PocketBase never accepts them as auth tokens.
const tokenTypeRefresh = "mc_refresh"

// User types.
const (
	TypeAnonymous = "anonymous"
	TypeWeChat    = "wechat"
)

// Errors of token verification.
var (
	ErrInvalidToken = errors.New("invalid token")
	ErrTokenExpired = errors.New("token expired")
	ErrWrongEnv     = errors.New("token was issued for another environment")
	ErrDisabled     = errors.New("sign-in method disabled")
)

// Config configures the auth service.
type Config struct {
	EnvID           string
	Anonymous       bool
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	WeChat          WeChatConfig
}

// Service issues and checks tokens.
type Service struct {
	app    core.App
	cfg    Config
	users  userCache
	tokens tokenCache
}

// New creates the service.
func New(app core.App, cfg Config) *Service {
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if cfg.RefreshTokenTTL <= 0 {
		cfg.RefreshTokenTTL = DefaultRefreshTokenTTL
	}
	s := &Service{app: app, cfg: cfg}
	s.users.init()
	// a user's token key changes on sign-out (and the record may go): drop the cached copy
	forget := func(e *core.RecordEvent) error {
		s.users.forget(e.Record.Id)
		return e.Next()
	}
	app.OnRecordAfterUpdateSuccess(migrations.Users, migrations.WxUsers).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(migrations.Users, migrations.WxUsers).BindFunc(forget)
	return s
}

// Config returns the service configuration.
func (s *Service) Config() Config { return s.cfg }

// Identity is the verified caller behind a token.
type Identity struct {
	UserID  string
	OpenID  string
	UnionID string
	AppID   string
	Type    string
	Record  *core.Record
}

// Tokens is the token response of sign-in and refresh, in CloudBase's field names.
type Tokens struct {
	TokenType    string   `json:"token_type"`
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int64    `json:"expires_in"`
	Scope        string   `json:"scope"`
	Sub          string   `json:"sub"`
	Groups       []string `json:"groups"`
}

// IdentityOf describes a user record.
func IdentityOf(rec *core.Record) Identity {
	openid := rec.GetString("openid")
	if openid == "" {
		openid = rec.Id
	}
	return Identity{
		UserID:  rec.Id,
		OpenID:  openid,
		UnionID: rec.GetString("unionid"),
		AppID:   rec.GetString("appid"),
		Type:    userType(rec),
		Record:  rec,
	}
}

func (s *Service) signingKey(rec *core.Record) string {
	return rec.TokenKey() + rec.Collection().AuthToken.Secret
}

// tokenIDLength is the length of a token's random id (jti).
const tokenIDLength = 12

// IssueTokens creates an access and a refresh token for a user.
func (s *Service) IssueTokens(rec *core.Record) (Tokens, error) {
	typ := userType(rec)
	access, err := security.NewJWT(jwt.MapClaims{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           rec.Id,
		core.TokenClaimCollectionId: rec.Collection().Id,
		core.TokenClaimRefreshable:  false,
		"sub":                       rec.Id,
		"aud":                       s.cfg.EnvID,
		"iss":                       "minicloud",
		"scope":                     typ,
		"user_type":                 typ,
		"iat":                       time.Now().Unix(),
		// jti makes every token unique, even two issued in the same second
		"jti": security.RandomString(tokenIDLength),
	}, s.signingKey(rec), s.cfg.AccessTokenTTL)
	if err != nil {
		return Tokens{}, fmt.Errorf("issue access token: %w", err)
	}
	refresh, err := security.NewJWT(jwt.MapClaims{
		core.TokenClaimType:         tokenTypeRefresh,
		core.TokenClaimId:           rec.Id,
		core.TokenClaimCollectionId: rec.Collection().Id,
		"aud":                       s.cfg.EnvID,
		"jti":                       security.RandomString(tokenIDLength),
	}, s.signingKey(rec), s.cfg.RefreshTokenTTL)
	if err != nil {
		return Tokens{}, fmt.Errorf("issue refresh token: %w", err)
	}
	return Tokens{
		TokenType:    "Bearer",
		AccessToken:  access,
		RefreshToken: refresh,
		ExpiresIn:    int64(s.cfg.AccessTokenTTL / time.Second),
		Scope:        typ,
		Sub:          rec.Id,
		Groups:       []string{typ},
	}, nil
}

// verify checks a token of the given type and returns its user.
func (s *Service) verify(token, tokenType string) (*core.Record, error) {
	// read the claims without validating them yet: expiry is judged only once the
	// signature proves the token is ours
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return nil, ErrInvalidToken
	}
	if t, _ := claims[core.TokenClaimType].(string); t != tokenType {
		return nil, ErrInvalidToken
	}
	if aud, _ := claims["aud"].(string); aud != s.cfg.EnvID {
		return nil, ErrWrongEnv
	}
	id, _ := claims[core.TokenClaimId].(string)
	colID, _ := claims[core.TokenClaimCollectionId].(string)
	if id == "" || colID == "" {
		return nil, ErrInvalidToken
	}
	rec, err := s.app.FindRecordById(colID, id)
	if err != nil || !isUserCollection(rec.Collection().Name) {
		return nil, ErrInvalidToken
	}
	if _, err := security.ParseJWT(token, s.signingKey(rec)); err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, ErrTokenExpired
		}
		return nil, ErrInvalidToken
	}
	return rec, nil
}

// VerifyCached checks an access token against users kept in memory: one JWT parse, no
// database read for a user seen recently. Every change to a user record evicts it. A
// token that passed is remembered (tokenCache): until it expires or its user changes,
// checking it again is a map lookup.
func (s *Service) VerifyCached(accessToken string) (Identity, error) {
	if e, ok := s.tokens.get(accessToken); ok {
		if time.Now().Before(e.exp) && s.users.get(e.rec.Id) == e.rec {
			return e.id, nil
		}
		s.tokens.drop(accessToken)
	}
	var rec *core.Record
	var claims jwt.MapClaims
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"})).ParseWithClaims(accessToken, &claims, func(t *jwt.Token) (any, error) {
		if typ, _ := claims[core.TokenClaimType].(string); typ != core.TokenTypeAuth {
			return nil, ErrInvalidToken
		}
		if aud, _ := claims["aud"].(string); aud != s.cfg.EnvID {
			return nil, ErrWrongEnv
		}
		id, _ := claims[core.TokenClaimId].(string)
		colID, _ := claims[core.TokenClaimCollectionId].(string)
		if rec = s.users.get(id); rec == nil || rec.Collection().Id != colID {
			gen := s.users.generation()
			r, err := s.app.FindRecordById(colID, id)
			if err != nil || !isUserCollection(r.Collection().Name) {
				return nil, ErrInvalidToken
			}
			rec = r
			s.users.put(r, gen)
		}
		return []byte(s.signingKey(rec)), nil
	})
	switch {
	case err == nil:
		id := IdentityOf(rec)
		// Only a token with an expiry is remembered (every token Minicloud issues has one).
		if exp, _ := claims.GetExpirationTime(); exp != nil {
			s.tokens.put(accessToken, tokenEntry{rec: rec, id: id, exp: exp.Time})
		}
		return id, nil
	case errors.Is(err, ErrWrongEnv):
		return Identity{}, ErrWrongEnv
	case errors.Is(err, jwt.ErrTokenExpired):
		return Identity{}, ErrTokenExpired
	}
	return Identity{}, ErrInvalidToken
}

// Verify checks an access token.
func (s *Service) Verify(accessToken string) (Identity, error) {
	rec, err := s.verify(accessToken, core.TokenTypeAuth)
	if err != nil {
		return Identity{}, err
	}
	return IdentityOf(rec), nil
}

// Refresh exchanges a refresh token for new tokens.
func (s *Service) Refresh(refreshToken string) (Tokens, error) {
	rec, err := s.verify(refreshToken, tokenTypeRefresh)
	if err != nil {
		return Tokens{}, err
	}
	return s.IssueTokens(rec)
}

// SignOut revokes every token of the user by rotating its token key.
func (s *Service) SignOut(user *core.Record) error {
	// work on a fresh copy: the record may be the one shared by the token cache
	rec, err := s.app.FindRecordById(user.Collection().Id, user.Id)
	if err != nil {
		return fmt.Errorf("sign out %s: %w", user.Id, err)
	}
	rec.RefreshTokenKey()
	if err := s.app.Save(rec); err != nil {
		return fmt.Errorf("sign out %s: %w", rec.Id, err)
	}
	return nil
}

// SignInAnonymously creates a new anonymous user.
func (s *Service) SignInAnonymously() (*core.Record, error) {
	if !s.cfg.Anonymous {
		return nil, ErrDisabled
	}
	col, err := s.app.FindCachedCollectionByNameOrId(migrations.Users)
	if err != nil {
		return nil, fmt.Errorf("anonymous sign-in: %w", err)
	}
	rec := core.NewRecord(col)
	rec.Set("type", TypeAnonymous)
	rec.SetRandomPassword()
	if err := s.app.Save(rec); err != nil {
		return nil, fmt.Errorf("anonymous sign-in: %w", err)
	}
	return rec, nil
}
