package apikeys

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestNewKeyPair(t *testing.T) {
	idRe := regexp.MustCompile(`^AKID[A-Za-z0-9]{32}$`)
	keyRe := regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	seen := map[string]bool{}
	chars := map[rune]int{}
	for range 500 {
		id, key, err := NewKeyPair()
		if err != nil {
			t.Fatal(err)
		}
		if !idRe.MatchString(id) || !keyRe.MatchString(key) {
			t.Fatalf("bad shape: %q %q", id, key)
		}
		if seen[id] || seen[key] {
			t.Fatal("repeated value")
		}
		seen[id], seen[key] = true, true
		for _, c := range id[4:] + key {
			chars[c]++
		}
	}
	// 32000 draws over 62 symbols: every symbol appears, none is wildly over-represented
	if len(chars) != 62 {
		t.Fatalf("only %d distinct characters", len(chars))
	}
	for c, n := range chars {
		if n < 300 || n > 750 {
			t.Errorf("character %q drawn %d times (expected ~516)", c, n)
		}
	}
}

const (
	testID  = "AKIDm1n1cl0udT3stV3ct0rS3cr3t1d00"
	testKey = "m1n1cl0udT3stV3ct0rS3cr3tK3y00000"
)

func testLookup(id string) (string, bool) {
	switch id {
	case testID:
		return testKey, true
	case "AKIDother":
		return "another-secret-key", true
	}
	return "", false
}

func TestAccessKeyGolden(t *testing.T) {
	// computed independently: python3 hmac.new(key, b"minicloud-access-key:"+id, sha256), urlsafe b64 without '='
	const want = "mc.AKIDm1n1cl0udT3stV3ct0rS3cr3t1d00.1d5a-0t0WNnjJcBWBLZk3oP3FTbpjAA6fCVgvTMM1lo"
	if got := AccessKey(testID, testKey); got != want {
		t.Fatalf("AccessKey = %q, want %q", got, want)
	}
}

func TestAccessKeyRoundTrip(t *testing.T) {
	id, key, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(s string) (string, bool) { return key, s == id }
	ak := AccessKey(id, key)
	if !IsAccessKey(ak) || !regexp.MustCompile(`^mc\.AKID[A-Za-z0-9]{32}\.[A-Za-z0-9_-]{43}$`).MatchString(ak) {
		t.Fatalf("bad access key shape %q", ak)
	}
	got, err := ParseAccessKey(ak, lookup)
	if err != nil || got != id {
		t.Fatalf("ParseAccessKey = %q, %v", got, err)
	}
	if strings.Contains(ak, key) {
		t.Fatal("access key contains the secret key")
	}
}

func TestAccessKeyRejects(t *testing.T) {
	good := AccessKey(testID, testKey)
	mac := good[strings.LastIndexByte(good, '.')+1:]
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		return string(b)
	}
	cases := []struct {
		name, token string
		want        error
	}{
		{"flipped MAC character", flip(good, len(good)-10), ErrBadSignature},
		{"flipped first MAC character", flip(good, strings.LastIndexByte(good, '.')+1), ErrBadSignature},
		{"non-canonical trailing bits", good[:len(good)-1] + "p", ErrMalformed}, // 'o'=...10 00 vs 'p'=...10 01
		{"MAC of another pair", "mc.AKIDother." + mac, ErrBadSignature},
		{"key of the other pair", AccessKey("AKIDother", testKey), ErrBadSignature},
		{"rotated secret", AccessKey(testID, testKey+"-old"), ErrBadSignature},
		{"unknown id", AccessKey("AKIDnobody", testKey), ErrUnknownKey},
		{"no prefix", strings.TrimPrefix(good, "mc."), ErrMalformed},
		{"other prefix", "xx." + strings.TrimPrefix(good, "mc."), ErrMalformed},
		{"truncated MAC", good[:len(good)-1], ErrMalformed},
		{"padded MAC", good + "=", ErrMalformed},
		{"std base64", "mc." + testID + "." + strings.NewReplacer("-", "+", "_", "/").Replace(mac), ErrMalformed},
		{"no id", "mc.." + mac, ErrMalformed},
		{"no dot", "mc." + testID + mac, ErrMalformed},
		{"empty", "", ErrMalformed},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := ParseAccessKey(c.token, testLookup)
			if !errors.Is(err, c.want) || id != "" {
				t.Fatalf("ParseAccessKey(%q) = %q, %v; want %v", c.token, id, err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), testKey) {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestVerifyBearer(t *testing.T) {
	now := time.Now()
	req := func(authz ...string) *http.Request {
		r := httptest.NewRequest("POST", "/admin?env=e&seqId=1", strings.NewReader(`{}`))
		for _, a := range authz {
			r.Header.Add("Authorization", a)
		}
		return r
	}
	good := AccessKey(testID, testKey)
	if id, err := VerifyBearer(req("Bearer "+good), testLookup); err != nil || id != testID {
		t.Fatalf("VerifyBearer = %q, %v", id, err)
	}
	if id, err := Authenticate(req("Bearer "+good), []byte(`{}`), testLookup, now); err != nil || id != testID {
		t.Fatalf("Authenticate = %q, %v", id, err)
	}
	if id, err := Authenticate(req("bearer "+good), []byte(`{}`), testLookup, now); err != nil || id != testID {
		t.Fatalf("Authenticate(lower-case scheme) = %q, %v", id, err)
	}
	for _, c := range []struct {
		authz []string
		want  error
	}{
		{nil, ErrUnsigned},
		{[]string{"Basic abc"}, ErrUnsigned},
		{[]string{"Bearer " + good, "Bearer " + good}, ErrMalformed},
		{[]string{"Bearer " + good[:len(good)-3]}, ErrMalformed},
		{[]string{"Bearer " + AccessKey(testID, "wrong")}, ErrBadSignature},
	} {
		if _, err := VerifyBearer(req(c.authz...), testLookup); !errors.Is(err, c.want) {
			t.Errorf("VerifyBearer(%q) err = %v, want %v", c.authz, err, c.want)
		}
		if _, err := Authenticate(req(c.authz...), []byte(`{}`), testLookup, now); !errors.Is(err, c.want) {
			t.Errorf("Authenticate(%q) err = %v, want %v", c.authz, err, c.want)
		}
	}
}
