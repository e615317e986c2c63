package main

import (
	"os"

	"github.com/minicloud/minicloud/auth"
	"github.com/minicloud/minicloud/hooks/wechat"
)

// wechatConfig configures WeChat sign-in.
type wechatConfig struct {
	AppID    string
	APIBase  string
	DevLogin bool
	// login rate limits per minute
	LoginPerIP, LoginPerOpenID int
}

// registerWeChatFlags adds the WeChat settings. The app secret is read from the
// environment only (MINICLOUD_WX_SECRET): as a flag its value would show in --help.
func (m *minicloud) registerWeChatFlags() {
	f := m.app.RootCmd.PersistentFlags()
	f.StringVar(&m.wx.AppID, "wx-appid", envString("MINICLOUD_WX_APPID", ""),
		"WeChat mini-program appid for wx.login sign-in; the secret comes from env MINICLOUD_WX_SECRET (env MINICLOUD_WX_APPID)")
	f.StringVar(&m.wx.APIBase, "wx-api-base", envString("MINICLOUD_WX_API_BASE", wechat.DefaultBaseURL),
		"base URL of WeChat's API, for proxies and tests (env MINICLOUD_WX_API_BASE)")
	f.BoolVar(&m.wx.DevLogin, "wx-dev-login", envBool("MINICLOUD_WX_DEV_LOGIN", false),
		"DEVELOPMENT ONLY: accept fake wx.login codes \"dev:<openid>\" (env MINICLOUD_WX_DEV_LOGIN)")
	f.IntVar(&m.wx.LoginPerIP, "login-rate-ip", envInt("MINICLOUD_LOGIN_RATE_IP", auth.DefaultLoginPerIPPerMinute),
		"sign-ins per minute per client IP (0: unlimited) (env MINICLOUD_LOGIN_RATE_IP)")
	f.IntVar(&m.wx.LoginPerOpenID, "login-rate-openid", envInt("MINICLOUD_LOGIN_RATE_OPENID", auth.DefaultLoginPerOpenIDPerMinute),
		"WeChat sign-ins per minute per openid (0: unlimited) (env MINICLOUD_LOGIN_RATE_OPENID)")
}

// weChatAuth builds the auth service's WeChat settings.
func (m *minicloud) weChatAuth() auth.WeChatConfig {
	c := auth.WeChatConfig{DevLogin: m.wx.DevLogin}
	if secret := os.Getenv("MINICLOUD_WX_SECRET"); m.wx.AppID != "" && secret != "" {
		c.Client = wechat.NewClient(m.wx.APIBase, m.wx.AppID, secret, nil)
	}
	return c
}
