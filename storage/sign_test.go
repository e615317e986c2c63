package storage

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func TestSignerVerifies(t *testing.T) {
	s := newSigner(bytes.Repeat([]byte{7}, 32))
	sig := s.sign("get", "env.bkt", "a/b.txt", "100", "60")
	if !s.verify(sig, "get", "env.bkt", "a/b.txt", "100", "60") {
		t.Fatal("a signature does not verify")
	}
	for _, parts := range [][]string{
		{"put", "env.bkt", "a/b.txt", "100", "60"},
		{"get", "env.other", "a/b.txt", "100", "60"},
		{"get", "env.bkt", "a/b.txT", "100", "60"},
		{"get", "env.bkt", "a/b.txt", "101", "60"},
		{"get", "env.bkt", "a/b.txt", "100", "6"},
		{"get", "env.bkt", "a/b.txt", "100"},
		// moving a separator between parts must not keep the signature valid
		{"get", "env.bk", "ta/b.txt", "100", "60"},
	} {
		if s.verify(sig, parts...) {
			t.Errorf("signature verifies for %q", parts)
		}
	}
	other := newSigner(bytes.Repeat([]byte{8}, 32))
	if other.verify(sig, "get", "env.bkt", "a/b.txt", "100", "60") {
		t.Fatal("another key verifies the signature")
	}
	if s.verify("", "get") || s.verify(sig[:len(sig)-1], "get", "env.bkt", "a/b.txt", "100", "60") {
		t.Fatal("an empty or cut signature verifies")
	}
}

func TestKeyringFile(t *testing.T) {
	dir := t.TempDir()
	s1, err := loadSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyringFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("keyring mode %v size %d, want 0600 and 32 bytes", fi.Mode().Perm(), fi.Size())
	}
	s2, err := loadSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s1.sign("x") != s2.sign("x") {
		t.Fatal("a restart changed the signing key")
	}
	if err := os.WriteFile(filepath.Join(dir, KeyringFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSigner(dir); err == nil {
		t.Fatal("a corrupt keyring was accepted")
	}
}

func TestGrantQueriesRoundTrip(t *testing.T) {
	up := uploadGrant{Path: "a/b c.txt", Owner: "o1", MaxSize: 11, ContentType: "text/plain; charset=utf-8", Expires: 123}
	q, err := url.ParseQuery(up.query("SIG"))
	if err != nil {
		t.Fatal(err)
	}
	got, sig, err := parseUploadGrant(up.Path, q)
	if err != nil || sig != "SIG" || got != up {
		t.Fatalf("upload grant %+v %q %v, want %+v", got, sig, err, up)
	}
	admin := uploadGrant{Path: "x", Admin: true, MaxSize: -1, Expires: 5}
	q, _ = url.ParseQuery(admin.query("S"))
	if got, _, err := parseUploadGrant("x", q); err != nil || got != admin {
		t.Fatalf("admin grant %+v %v", got, err)
	}
	if string(admin.parts("h")[3]) == string(uploadGrant{Owner: "admin"}.parts("h")[3]) {
		t.Fatal("a user named admin signs like an admin")
	}
	for _, raw := range []string{"", "sign=S", "sign=S&t=x&owner=o", "sign=S&t=1", "sign=S&t=1&owner=o&size=-2", "sign=S&t=1&owner=o&size=z"} {
		q, _ := url.ParseQuery(raw)
		if _, _, err := parseUploadGrant("x", q); err == nil {
			t.Errorf("upload query %q parsed", raw)
		}
	}

	dl := downloadGrant{Path: "p", Expires: 99, TTL: 60}
	q, _ = url.ParseQuery(dl.query("S"))
	if got, sig, err := parseDownloadGrant("p", q); err != nil || sig != "S" || got != dl {
		t.Fatalf("download grant %+v %v", got, err)
	}
	for _, raw := range []string{"", "sign=S", "sign=S&t=1", "sign=S&t=1&ttl=-1", "t=1&ttl=1"} {
		q, _ := url.ParseQuery(raw)
		if _, _, err := parseDownloadGrant("x", q); err == nil {
			t.Errorf("download query %q parsed", raw)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	s := newSigner(bytes.Repeat([]byte{7}, 32))
	for b.Loop() {
		s.sign("get", "env.bkt", "dir/some/file.png", "1796412465", "7200")
	}
}
