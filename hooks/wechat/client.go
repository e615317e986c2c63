// Package wechat is a small client for the WeChat mini-program server APIs Minicloud
// calls. Its base URL and HTTP client are set per instance, so tests point it at an
// in-process fake (package wechattest) and deployments behind a proxy can too.
package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// MaxResponseBytes bounds what is read from a WeChat answer.
const MaxResponseBytes = 1 << 20

// Error codes of jscode2session that callers act on.
const (
	CodeBusy          = -1
	CodeInvalidCode   = 40029
	CodeCodeUsed      = 40163
	CodeRateLimited   = 45011
	CodeInvalidAppID  = 40013
	CodeInvalidSecret = 40125
	CodeHighRiskUser  = 40226
)

// APIError is an error answer from WeChat ({"errcode":N,"errmsg":…}).
type APIError struct {
	Code int
	Msg  string
}

func (e *APIError) Error() string { return fmt.Sprintf("wechat error %d: %s", e.Code, e.Msg) }

// ErrUnavailable wraps failures to reach WeChat (network, bad answers).
var ErrUnavailable = errors.New("wechat is unavailable")

// Client calls WeChat for one mini-program.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	AppID   string
	secret  string
}

// NewClient creates a client. baseURL "" means DefaultBaseURL; httpClient nil means a
// client with a 10 s timeout. The secret never appears in errors or logs.
func NewClient(baseURL, appID, secret string, httpClient *http.Client) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: httpClient, AppID: appID, secret: secret}
}

// Session is jscode2session's answer. SessionKey must stay on the server.
type Session struct {
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid"`
	SessionKey string `json:"session_key"`
}

// Code2Session exchanges a wx.login code for the user's openid and session key.
func (c *Client) Code2Session(ctx context.Context, code string) (Session, error) {
	q := url.Values{}
	q.Set("appid", c.AppID)
	q.Set("secret", c.secret)
	q.Set("js_code", code)
	q.Set("grant_type", "authorization_code")
	var out struct {
		Session
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := c.get(ctx, "/sns/jscode2session", q, &out); err != nil {
		return Session{}, err
	}
	if out.ErrCode != 0 {
		return Session{}, &APIError{Code: out.ErrCode, Msg: out.ErrMsg}
	}
	if out.OpenID == "" {
		return Session{}, fmt.Errorf("%w: jscode2session answered without an openid", ErrUnavailable)
	}
	return out.Session, nil
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path+"?"+q.Encode(), nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		// the URL carries the secret: report the path only
		return fmt.Errorf("%w: GET %s: %v", ErrUnavailable, path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	if err != nil {
		return fmt.Errorf("%w: GET %s: %v", ErrUnavailable, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET %s: HTTP %d", ErrUnavailable, path, resp.StatusCode)
	}
	// WeChat does not always send a JSON content type: decode the body regardless
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: GET %s: not JSON", ErrUnavailable, path)
	}
	return nil
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
