package storage

import (
	"net/url"
	"strings"
	"testing"
)

func TestValidatePath(t *testing.T) {
	good := []string{
		"a.txt", "dir/sub/file.png", "中文/图片 1.jpg", "a..b/c...d", ".hidden", "x/.y", "a b/c%20d?e#f",
		strings.Repeat("a", MaxPathBytes),
	}
	for _, p := range good {
		if err := ValidatePath(p); err != nil {
			t.Errorf("ValidatePath(%q) = %v, want nil", p, err)
		}
	}
	bad := map[string]string{
		"":                                  "empty",
		"/abs.txt":                          "absolute",
		"../x":                              `".." segment`,
		"a/../../etc/passwd":                `".." segment`,
		"a/./b":                             `"." segment`,
		".":                                 `"." segment`,
		"a//b":                              "empty segment",
		"dir/":                              "empty segment",
		`a\b`:                               "backslash",
		`..\..\x`:                           "backslash",
		"a\x00b":                            "control",
		"a\nb":                              "control",
		"a\u0085b":                          "control",
		"\xff\xfe":                          "UTF-8",
		strings.Repeat("a", MaxPathBytes+1): "longer than",
	}
	for p, want := range bad {
		err := ValidatePath(p)
		if err == nil {
			t.Errorf("ValidatePath(%q) = nil, want an error about %s", p, want)
			continue
		}
		se := AsError(err)
		if se.Code != CodeInvalidParam || !strings.Contains(se.Msg, want) {
			t.Errorf("ValidatePath(%q) = %s %q, want INVALID_PARAM about %s", p, se.Code, se.Msg, want)
		}
		if strings.ContainsAny(se.Msg, "\x00\n") {
			t.Errorf("message of %q echoes control characters: %q", p, se.Msg)
		}
	}
}

func TestFileIDs(t *testing.T) {
	s := &Service{cfg: Config{EnvID: "env-1", Bucket: "bkt"}}
	if got := s.FileID("a/b.txt"); got != "cloud://env-1.bkt/a/b.txt" {
		t.Fatalf("FileID = %s", got)
	}
	p, err := s.ParseFileID("cloud://env-1.bkt/a/中 b.txt")
	if err != nil || p != "a/中 b.txt" {
		t.Fatalf("ParseFileID = %q, %v", p, err)
	}
	bad := map[string]string{
		"":                        "malformed",
		"a/b.txt":                 "malformed",
		"http://env-1.bkt/a":      "malformed",
		"cloud://env-1.bkt":       "malformed",
		"cloud:///a":              "malformed",
		"cloud://env-2.bkt/a":     "another environment or bucket",
		"cloud://env-1.other/a":   "another environment or bucket",
		"cloud://env-1/a":         "another environment or bucket",
		"cloud://env-1.bkt/../x":  `".." segment`,
		"cloud://env-1.bkt//x":    "absolute",
		"cloud://env-1.bkt/a\x00": "control",
		"cloud://env-1.bkt/" + strings.Repeat("x", 2000): "too long",
	}
	for id, want := range bad {
		_, err := s.ParseFileID(id)
		if err == nil {
			t.Errorf("ParseFileID(%q) = nil error", id)
			continue
		}
		if se := AsError(err); se.Code != CodeInvalidParam || !strings.Contains(se.Msg, want) {
			t.Errorf("ParseFileID(%q) = %s %q, want INVALID_PARAM about %s", id, se.Code, se.Msg, want)
		}
	}
}

func TestEscapePathRoundTrips(t *testing.T) {
	for _, p := range []string{"a.txt", "dir/中 文.png", "q?x#y%z/100%", "a+b&c=d;e"} {
		esc := escapePath(p)
		if strings.ContainsAny(esc, " ?#") {
			t.Errorf("escapePath(%q) = %q keeps a character that ends or breaks a path", p, esc)
		}
		u, err := url.Parse("http://h" + ObjectsPath + esc + "?sign=x")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimPrefix(u.Path, ObjectsPath); got != p {
			t.Errorf("escapePath(%q) = %q, decodes to %q", p, esc, got)
		}
	}
}

func TestQuoteCutsLongInput(t *testing.T) {
	q := quote(strings.Repeat("中", 200))
	if len(q) > 140 || !strings.HasSuffix(q, `…"`) {
		t.Fatalf("quote = %q", q)
	}
}
