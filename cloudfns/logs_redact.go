package cloudfns

import (
	"regexp"
	"strings"
)

// The invocation log keeps no secrets: before an entry is written, access tokens, API
// keys and signatures in its console output and error are replaced by "[redacted]".
// Functions often log their whole event (an HTTP access event carries the request's
// headers) or the request they make; what looks like a credential is cut out of it.

const redacted = "[redacted]"

var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// bearer credentials anywhere
	{regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{16,}`), "${1} " + redacted},
	// a value under a credential-like key: JSON ("key":"v"), JS object (key: 'v'),
	// headers (Key: v) and query strings (key=v)
	{regexp.MustCompile(`(?i)((?:access_?token|refresh_?token|id_?token|session_?token|tcb_sessiontoken|wxcloudapitoken|wxcloudbaseaccesstoken|secret_?key|access_?key|api_?key|client_?secret|password|passwd|authorization|proxy-authorization|cookie|set-cookie|x-cloudbase-credentials|x-tc-authorization)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&}\]]+)`), "${1}\"" + redacted + "\""},
	// JWTs (Minicloud's and PocketBase's tokens)
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+`), redacted},
	// Minicloud access keys and TC3 API signatures
	{regexp.MustCompile(`mc\.AKID[A-Za-z0-9]+\.[A-Za-z0-9_-]+`), redacted},
	{regexp.MustCompile(`(?i)(Signature=)[0-9a-f]{16,}`), "${1}" + redacted},
	{regexp.MustCompile(`(?i)(Credential=)[^,\s"']+`), "${1}" + redacted},
}

// secretHints are lower-case substrings without which no pattern can match: most log
// text contains none and is returned as is.
var secretHints = []string{"token", "secret", "key", "pass", "authorization", "cookie", "credential", "bearer", "eyj", "signature", "akid"}

// RedactSecrets replaces credentials in s (tokens, API keys, passwords, signatures)
// by "[redacted]".
func RedactSecrets(s string) string {
	if s == "" {
		return s
	}
	lower := strings.ToLower(s)
	hinted := false
	for _, h := range secretHints {
		if strings.Contains(lower, h) {
			hinted = true
			break
		}
	}
	if !hinted {
		return s
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}
