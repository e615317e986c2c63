package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/hooks/wechat"
	"github.com/minicloud/minicloud/migrations"
)

// ProviderTokenTTL is how long the provider token of js-sdk's two-step WeChat sign-in
// (provider/token, then signin/with/provider) stays valid.
const ProviderTokenTTL = 5 * time.Minute

// DevCodePrefix marks a fake wx.login code accepted in development mode:
// "dev:<openid>" signs in as that openid without asking WeChat.
const DevCodePrefix = "dev:"

const tokenTypeProvider = "mc_provider"

// Errors of WeChat sign-in, mapped to WeChat's codes by the HTTP layer.
var (
	ErrWeChatNotConfigured = errors.New("WeChat sign-in is not configured: set MINICLOUD_WX_APPID and MINICLOUD_WX_SECRET")
	ErrWrongAppID          = errors.New("the code belongs to another mini-program")
)

// WeChatConfig enables WeChat sign-in.
type WeChatConfig struct {
	Client *wechat.Client // nil: WeChat sign-in is off (unless DevLogin)
	// DevLogin accepts fake codes "dev:<openid>"; for development only.
	DevLogin bool
}

// SignInWeChat exchanges a wx.login code for the user, creating it on first sign-in.
// appid, when given, must be the configured mini-program's.
func (s *Service) SignInWeChat(ctx context.Context, code, appid string) (*core.Record, error) {
	wc := s.cfg.WeChat
	var sess wechat.Session
	var app string
	switch {
	case wc.DevLogin && strings.HasPrefix(code, DevCodePrefix):
		openid := strings.TrimPrefix(code, DevCodePrefix)
		if openid == "" || len(openid) > 64 {
			return nil, &wechat.APIError{Code: wechat.CodeInvalidCode, Msg: "invalid dev code"}
		}
		sess = wechat.Session{OpenID: openid}
		app = appid
		if wc.Client != nil {
			app = wc.Client.AppID
		}
	case wc.Client == nil:
		return nil, ErrWeChatNotConfigured
	default:
		if appid != "" && appid != wc.Client.AppID {
			return nil, ErrWrongAppID
		}
		if code == "" || len(code) > 256 {
			return nil, &wechat.APIError{Code: wechat.CodeInvalidCode, Msg: "invalid code"}
		}
		var err error
		if sess, err = wc.Client.Code2Session(ctx, code); err != nil {
			return nil, err
		}
		app = wc.Client.AppID
	}
	return s.upsertWeChatUser(sess, app)
}

func (s *Service) upsertWeChatUser(sess wechat.Session, appid string) (*core.Record, error) {
	rec, err := s.app.FindFirstRecordByFilter(migrations.WxUsers, "appid = {:a} && openid = {:o}", dbx.Params{"a": appid, "o": sess.OpenID})
	if err != nil {
		col, cerr := s.app.FindCachedCollectionByNameOrId(migrations.WxUsers)
		if cerr != nil {
			return nil, fmt.Errorf("wechat sign-in: %w", cerr)
		}
		rec = core.NewRecord(col)
		rec.Set("openid", sess.OpenID)
		rec.Set("appid", appid)
		rec.SetRandomPassword()
	}
	if sess.UnionID != "" {
		rec.Set("unionid", sess.UnionID)
	}
	if sess.SessionKey != "" {
		rec.Set("sessionKey", sess.SessionKey)
	}
	rec.Set("lastLogin", types.NowDateTime())
	if err := s.app.Save(rec); err != nil {
		return nil, fmt.Errorf("wechat sign-in: %w", err)
	}
	return rec, nil
}

// GrantProviderToken is the first step of js-sdk's signInWithOpenId: it signs the user
// in with the code and returns a short-lived token naming that user.
func (s *Service) GrantProviderToken(ctx context.Context, code, appid string) (string, error) {
	rec, err := s.SignInWeChat(ctx, code, appid)
	if err != nil {
		return "", err
	}
	return s.ProviderTokenFor(rec)
}

// ProviderTokenFor signs the provider token of a user just signed in.
func (s *Service) ProviderTokenFor(rec *core.Record) (string, error) {
	return security.NewJWT(jwt.MapClaims{
		core.TokenClaimType:         tokenTypeProvider,
		core.TokenClaimId:           rec.Id,
		core.TokenClaimCollectionId: rec.Collection().Id,
		"aud":                       s.cfg.EnvID,
	}, s.signingKey(rec), ProviderTokenTTL)
}

// SignInWithProvider is the second step: the provider token becomes a session.
func (s *Service) SignInWithProvider(providerToken string) (*core.Record, error) {
	return s.verify(providerToken, tokenTypeProvider)
}

// userType names the kind of a user record.
func userType(rec *core.Record) string {
	if rec.Collection().Name == migrations.WxUsers {
		return TypeWeChat
	}
	if t := rec.GetString("type"); t != "" {
		return t
	}
	return "user"
}

// isUserCollection reports whether tokens may name records of this collection.
func isUserCollection(name string) bool {
	return name == migrations.Users || name == migrations.WxUsers
}
