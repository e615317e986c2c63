package cloudfns

import (
	"strings"
	"testing"
)

func TestRedactSecrets(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsImF1ZCI6ImVudiJ9.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	accessKey := "mc.AKIDabcdefghijklmnopqrstuvwxyz012345.c2VjcmV0LW1hYy12YWx1ZQ"
	cases := []struct{ in, want string }{
		{"plain text stays", "plain text stays"},
		{"the monkey has a key idea", "the monkey has a key idea"},
		{"token " + jwt + " end", "token [redacted] end"},
		{`{"authorization":"Bearer ` + jwt + `","host":"h"}`, `{"authorization":"[redacted]","host":"h"}`},
		{"{ authorization: 'Bearer abcdefghijklmnopqrstu', cookie: 'sid=1; x=2' }", `{ authorization: "[redacted]", cookie: "[redacted]" }`},
		{"Authorization: Bearer abcdefghijklmnopqrstu", `Authorization: "[redacted]" [redacted]`},
		{"GET /x?access_token=abc123&n=1", `GET /x?access_token="[redacted]"&n=1`},
		{`{"secretKey":"s3cr3t-value","secretId":"AKID1"}`, `{"secretKey":"[redacted]","secretId":"AKID1"}`},
		{"key " + accessKey, "key [redacted]"},
		{"password=hunter2", `password="[redacted]"`},
		{"TC3-HMAC-SHA256 Credential=AKIDx/2024-01-01/tcb/tc3_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef",
			"TC3-HMAC-SHA256 Credential=[redacted], SignedHeaders=host, Signature=[redacted]"},
		{"a bearer of news", "a bearer of news"},
	}
	for _, c := range cases {
		if got := RedactSecrets(c.in); got != c.want {
			t.Errorf("%q:\n got  %q\n want %q", c.in, got, c.want)
		}
	}
}

// logLine redacts what it writes: console lines, the error message and stack.
func TestLogLineRedacts(t *testing.T) {
	e := LogEntry{Function: "f", ErrorMessage: "bad token eyJhbGciOiJI.eyJzdWIiOiJ1.c2ln", ErrorStack: "at x (password=1)",
		Logs: []LogLine{{Level: "log", Text: "refresh_token: 'r-123'"}}}
	l := logLine(&e)
	joined := string(l.AppendJSON(nil))
	if !strings.Contains(joined, "[redacted]") {
		t.Fatalf("nothing redacted: %s", joined)
	}
	for _, secret := range []string{"eyJzdWIiOiJ1", "password=1", "r-123"} {
		if strings.Contains(joined, secret) {
			t.Errorf("%q written: %s", secret, joined)
		}
	}
}

func BenchmarkRedactSecretsPlain(b *testing.B) {
	s := strings.Repeat("an ordinary log line with numbers 12345 and words ", 20)
	for i := 0; i < b.N; i++ {
		RedactSecrets(s)
	}
}
