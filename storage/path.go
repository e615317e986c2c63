package storage

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPathBytes bounds a cloud path: COS's limit on an object key.
const MaxPathBytes = 850

// fileIDScheme starts every file ID.
const fileIDScheme = "cloud://"

// ValidatePath checks a cloud path: a relative, slash-separated path of at most
// MaxPathBytes bytes of UTF-8, without empty, "." or ".." segments, backslashes or
// control characters (NUL included). The error says which rule failed.
func ValidatePath(p string) error {
	switch {
	case p == "":
		return invalid("the cloud path is empty")
	case len(p) > MaxPathBytes:
		return invalid("the cloud path is longer than %d bytes", MaxPathBytes)
	case !utf8.ValidString(p):
		return invalid("the cloud path is not valid UTF-8")
	case p[0] == '/':
		return invalid("the cloud path %s is absolute: it must not start with /", quote(p))
	case strings.ContainsRune(p, '\\'):
		return invalid("the cloud path %s holds a backslash", quote(p))
	}
	for _, r := range p {
		if unicode.IsControl(r) {
			return invalid("the cloud path %s holds a control character", quote(p))
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "":
			return invalid("the cloud path %s has an empty segment (// or a trailing /)", quote(p))
		case ".", "..":
			return invalid("the cloud path %s holds a %q segment: paths cannot climb directories", quote(p), seg)
		}
	}
	return nil
}

// quote shows user input in a message: quoted, escaped, and cut to a readable length.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}

// bucketHost is the host part of this server's file IDs: <env>.<bucket>.
func (s *Service) bucketHost() string { return s.cfg.EnvID + "." + s.cfg.Bucket }

// FileID returns the file ID of a cloud path: cloud://<env>.<bucket>/<path>.
func (s *Service) FileID(cloudPath string) string {
	return fileIDScheme + s.bucketHost() + "/" + cloudPath
}

// ParseFileID returns the cloud path of a file ID of this server's environment and
// bucket. Any other ID (another scheme, env or bucket, an invalid path) is an
// INVALID_PARAM error.
func (s *Service) ParseFileID(id string) (string, error) {
	if len(id) > len(fileIDScheme)+len(s.bucketHost())+1+MaxPathBytes {
		return "", invalid("the file ID is too long")
	}
	rest, ok := strings.CutPrefix(id, fileIDScheme)
	if !ok {
		return "", invalid("malformed file ID %s: it must look like cloud://%s/<path>", quote(id), s.bucketHost())
	}
	host, p, ok := strings.Cut(rest, "/")
	if !ok || host == "" {
		return "", invalid("malformed file ID %s: it must look like cloud://%s/<path>", quote(id), s.bucketHost())
	}
	if host != s.bucketHost() {
		return "", invalid("the file ID %s belongs to another environment or bucket (this one is %s)", quote(id), s.bucketHost())
	}
	if err := ValidatePath(p); err != nil {
		return "", err
	}
	return p, nil
}

// escapePath escapes each segment of a cloud path for use in a URL path.
func escapePath(p string) string {
	var b strings.Builder
	b.Grow(len(p) + 16)
	for i, seg := range strings.Split(p, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}
