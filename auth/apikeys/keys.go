package apikeys

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

const (
	// SecretIDPrefix starts every generated secretId, like Tencent Cloud API keys.
	SecretIDPrefix = "AKID"
	// SecretIDRandomLen is the number of random alphanumerics after SecretIDPrefix.
	SecretIDRandomLen = 32
	// SecretKeyLen is the length of a generated secretKey.
	SecretKeyLen = 32
	// AccessKeyPrefix starts every access key minted by AccessKey.
	AccessKeyPrefix = "mc."

	alphanumerics      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	accessKeyMACDomain = "minicloud-access-key:"
)

// NewKeyPair generates a secretId ("AKID" + 32 random alphanumerics) and a secretKey
// (32 random alphanumerics, ~190 bits) from crypto/rand.
func NewKeyPair() (secretID, secretKey string, err error) {
	id, err := randomAlphanumerics(SecretIDRandomLen)
	if err != nil {
		return "", "", err
	}
	key, err := randomAlphanumerics(SecretKeyLen)
	if err != nil {
		return "", "", err
	}
	return SecretIDPrefix + id, key, nil
}

// randomAlphanumerics draws n uniformly distributed characters of [A-Za-z0-9]
// (rejection sampling: bytes >= 248 = 4*62 are discarded to avoid modulo bias).
func randomAlphanumerics(n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out = append(out, alphanumerics[int(b)%len(alphanumerics)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}

// AccessKey returns the bearer token node-sdk sends as `Authorization: Bearer <accessKey>` when
// initialised with `accessKey` (instead of secretId/secretKey). It is self-contained and derived
// from the stored pair, so nothing else needs to be stored:
//
//	"mc." + secretID + "." + base64url(HMAC-SHA256(secretKey, "minicloud-access-key:" + secretID))
//
// Revoking or rotating the pair revokes the access key. Unlike a TC3 signature it never expires
// and is replayable: treat it like the secretKey itself.
func AccessKey(secretID, secretKey string) string {
	return AccessKeyPrefix + secretID + "." + base64.RawURLEncoding.EncodeToString(accessKeyMAC(secretID, secretKey))
}

func accessKeyMAC(secretID, secretKey string) []byte {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(accessKeyMACDomain + secretID))
	return m.Sum(nil)
}

// IsAccessKey reports whether token has the shape of a key minted by AccessKey (it does not
// verify it). Useful to tell API keys from other bearer tokens.
func IsAccessKey(token string) bool {
	_, _, err := splitAccessKey(token)
	return err == nil
}

func splitAccessKey(token string) (secretID string, mac []byte, err error) {
	rest, ok := strings.CutPrefix(token, AccessKeyPrefix)
	if !ok {
		return "", nil, malformed("not a minicloud access key")
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 {
		return "", nil, malformed("not a minicloud access key")
	}
	mac, err = base64.RawURLEncoding.Strict().DecodeString(rest[i+1:])
	if err != nil || len(mac) != sha256.Size {
		return "", nil, malformed("access key MAC is not 43 base64url characters")
	}
	return rest[:i], mac, nil
}

// ParseAccessKey verifies a token minted by AccessKey against the stored pair and returns its
// secretId. Errors: ErrMalformed, ErrUnknownKey, ErrBadSignature (compare with errors.Is).
func ParseAccessKey(token string, lookup func(secretID string) (secretKey string, ok bool)) (secretID string, err error) {
	id, mac, err := splitAccessKey(token)
	if err != nil {
		return "", err
	}
	key, ok := lookup(id)
	if !ok {
		return "", ErrUnknownKey
	}
	if !hmac.Equal(accessKeyMAC(id, key), mac) {
		return "", ErrBadSignature
	}
	return id, nil
}

// VerifyBearer checks `Authorization: Bearer <accessKey>` as sent by node-sdk configured with
// accessKey. It returns ErrUnsigned when the request has no Bearer authorization.
func VerifyBearer(r *http.Request, lookup func(secretID string) (secretKey string, ok bool)) (secretID string, err error) {
	authz := r.Header.Values("Authorization")
	if len(authz) == 0 || len(authz[0]) < 7 || !strings.EqualFold(authz[0][:7], "Bearer ") {
		return "", ErrUnsigned
	}
	if len(authz) > 1 {
		return "", malformed("more than one Authorization header")
	}
	return ParseAccessKey(strings.TrimSpace(authz[0][7:]), lookup)
}

// Authenticate accepts either credential form node-sdk sends to /admin: a TC3-HMAC-SHA256
// signature (see Verify) or a Bearer access key (see VerifyBearer). It returns ErrUnsigned
// when the request carries neither.
func Authenticate(r *http.Request, body []byte, lookup func(secretID string) (secretKey string, ok bool), now time.Time) (secretID string, err error) {
	if a := r.Header.Get("Authorization"); len(a) >= 7 && strings.EqualFold(a[:7], "Bearer ") {
		return VerifyBearer(r, lookup)
	}
	return Verify(r, body, lookup, now)
}
