package wechat

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/hooks/wechat/wechattest"
)

func TestCode2Session(t *testing.T) {
	fake := wechattest.New("wxapp", "s3cret")
	defer fake.Close()
	c := NewClient(fake.URL, "wxapp", "s3cret", nil)
	ctx := context.Background()
	fake.IssueCode("good", wechattest.User{OpenID: "o-1", UnionID: "u-1"})
	s, err := c.Code2Session(ctx, "good")
	if err != nil || s.OpenID != "o-1" || s.UnionID != "u-1" || s.SessionKey == "" {
		t.Fatalf("session %+v %v", s, err)
	}
	codeOf := func(err error) int {
		var ae *APIError
		if errors.As(err, &ae) {
			return ae.Code
		}
		return 0
	}
	if _, err := c.Code2Session(ctx, "good"); codeOf(err) != CodeCodeUsed {
		t.Fatalf("replayed code: %v", err)
	}
	if _, err := c.Code2Session(ctx, "nope"); codeOf(err) != CodeInvalidCode {
		t.Fatalf("invalid code: %v", err)
	}
	fake.Busy = true
	if _, err := c.Code2Session(ctx, "x"); codeOf(err) != CodeBusy {
		t.Fatalf("busy: %v", err)
	}
	fake.Busy = false
	wrong := NewClient(fake.URL, "other", "s3cret", nil)
	if _, err := wrong.Code2Session(ctx, "x"); codeOf(err) != CodeInvalidAppID {
		t.Fatalf("wrong appid: %v", err)
	}
	fake.Close()
	_, err = c.Code2Session(ctx, "x")
	if !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("down: %v (the secret must never appear)", err)
	}
}
