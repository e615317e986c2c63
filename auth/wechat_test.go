package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/hooks/wechat"
	"github.com/minicloud/minicloud/hooks/wechat/wechattest"
	"github.com/minicloud/minicloud/internal/testapp"
)

func TestSignInWeChat(t *testing.T) {
	fake := wechattest.New("wxapp", "s3cret")
	defer fake.Close()
	app := testapp.New(t)
	s := New(app, Config{EnvID: "env-a", WeChat: WeChatConfig{Client: wechat.NewClient(fake.URL, "wxapp", "s3cret", nil)}})
	ctx := context.Background()

	fake.IssueCode("c1", wechattest.User{OpenID: "o-alice", UnionID: "u-alice", SessionKey: "SECRETKEY"})
	rec, err := s.SignInWeChat(ctx, "c1", "wxapp")
	if err != nil {
		t.Fatal(err)
	}
	id := IdentityOf(rec)
	if id.OpenID != "o-alice" || id.UnionID != "u-alice" || id.AppID != "wxapp" || id.Type != TypeWeChat {
		t.Fatalf("identity %+v", id)
	}
	if rec.GetString("sessionKey") != "SECRETKEY" {
		t.Fatal("session key kept server-side")
	}
	exported, _ := json.Marshal(rec)
	if strings.Contains(string(exported), "SECRETKEY") {
		t.Fatalf("the session key leaks in the record's JSON: %s", exported)
	}
	tk, err := s.IssueTokens(rec)
	if err != nil || tk.Scope != TypeWeChat {
		t.Fatalf("tokens %+v %v", tk, err)
	}
	if got, err := s.VerifyCached(tk.AccessToken); err != nil || got.OpenID != "o-alice" {
		t.Fatalf("verify %+v %v", got, err)
	}

	// the same user signs in again: one record
	fake.IssueCode("c2", wechattest.User{OpenID: "o-alice"})
	again, err := s.SignInWeChat(ctx, "c2", "")
	if err != nil || again.Id != rec.Id {
		t.Fatalf("second sign-in: %v (%s vs %s)", err, again.Id, rec.Id)
	}

	code := func(err error) int {
		var ae *wechat.APIError
		if errors.As(err, &ae) {
			return ae.Code
		}
		return 0
	}
	if _, err := s.SignInWeChat(ctx, "c1", ""); code(err) != wechat.CodeCodeUsed {
		t.Fatalf("a replayed code: %v", err)
	}
	if _, err := s.SignInWeChat(ctx, "nope", ""); code(err) != wechat.CodeInvalidCode {
		t.Fatalf("an invalid code: %v", err)
	}
	if _, err := s.SignInWeChat(ctx, "c3", "otherapp"); !errors.Is(err, ErrWrongAppID) {
		t.Fatalf("another app's code: %v", err)
	}
	if _, err := s.SignInWeChat(ctx, "dev:o-x", ""); code(err) != wechat.CodeInvalidCode {
		t.Fatalf("dev codes are refused unless development mode is on: %v", err)
	}
	fake.Busy = true
	if _, err := s.SignInWeChat(ctx, "c4", ""); code(err) != wechat.CodeBusy {
		t.Fatalf("WeChat busy: %v", err)
	}
}

func TestProviderTokenFlowAndDevLogin(t *testing.T) {
	app := testapp.New(t)
	s := New(app, Config{EnvID: "env-a", WeChat: WeChatConfig{DevLogin: true}})
	pt, err := s.GrantProviderToken(context.Background(), "dev:o-dev", "wxdev")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.SignInWithProvider(pt)
	if err != nil || rec.GetString("openid") != "o-dev" {
		t.Fatalf("provider sign-in: %v", err)
	}
	if _, err := s.Verify(pt); err == nil {
		t.Fatal("a provider token must not work as an access token")
	}
	if _, err := s.SignInWithProvider("garbage"); err == nil {
		t.Fatal("garbage provider token accepted")
	}
	if _, err := s.SignInWeChat(context.Background(), "real-code", ""); !errors.Is(err, ErrWeChatNotConfigured) {
		t.Fatalf("real codes need WeChat configured: %v", err)
	}
}
