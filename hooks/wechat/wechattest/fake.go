// Package wechattest is an in-process fake of WeChat's mini-program API for tests: it
// checks the appid and secret, hands out single-use login codes, and answers with
// WeChat's error codes (40029 invalid code, 40163 code used, 45011 rate limit, -1 busy,
// 40013 invalid appid).
package wechattest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Server is a fake WeChat API server.
type Server struct {
	*httptest.Server
	AppID, Secret string

	mu    sync.Mutex
	codes map[string]User // unused login codes
	used  map[string]bool
	// Busy makes every call answer -1; RateLimited answers 45011.
	Busy, RateLimited bool
	// Calls counts jscode2session calls.
	Calls int
}

// User is who a login code belongs to.
type User struct {
	OpenID, UnionID, SessionKey string
}

// New starts a fake for one mini-program.
func New(appID, secret string) *Server {
	s := &Server{AppID: appID, Secret: secret, codes: map[string]User{}, used: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/sns/jscode2session", s.code2session)
	s.Server = httptest.NewServer(mux)
	return s
}

// IssueCode returns a fresh wx.login code for a user, as the mini-program would get.
func (s *Server) IssueCode(code string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.SessionKey == "" {
		u.SessionKey = "c2Vzc2lvbmtleTAxMjM0NQ=="
	}
	s.codes[code] = u
}

func reply(w http.ResponseWriter, v any) {
	// WeChat answers text/plain with a JSON body
	w.Header().Set("Content-Type", "text/plain")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) code2session(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls++
	q := r.URL.Query()
	switch {
	case s.Busy:
		reply(w, map[string]any{"errcode": -1, "errmsg": "system error, rid: fake"})
	case q.Get("appid") != s.AppID:
		reply(w, map[string]any{"errcode": 40013, "errmsg": "invalid appid, rid: fake"})
	case q.Get("secret") != s.Secret:
		reply(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret, rid: fake"})
	case q.Get("grant_type") != "authorization_code":
		reply(w, map[string]any{"errcode": 40002, "errmsg": "invalid grant_type, rid: fake"})
	case s.RateLimited:
		reply(w, map[string]any{"errcode": 45011, "errmsg": "api minute-quota reach limit, rid: fake"})
	case s.used[q.Get("js_code")]:
		reply(w, map[string]any{"errcode": 40163, "errmsg": "code been used, rid: fake"})
	default:
		u, ok := s.codes[q.Get("js_code")]
		if !ok {
			reply(w, map[string]any{"errcode": 40029, "errmsg": "invalid code, rid: fake"})
			return
		}
		delete(s.codes, q.Get("js_code"))
		s.used[q.Get("js_code")] = true
		out := map[string]any{"openid": u.OpenID, "session_key": u.SessionKey}
		if u.UnionID != "" {
			out["unionid"] = u.UnionID
		}
		reply(w, out)
	}
}
