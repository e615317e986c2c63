package storage

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"sync"

	"github.com/minicloud/minicloud/internal/keyring"
)

// KeyringFile is the file in the data directory holding the key that signs upload and
// download URLs (32 random bytes, mode 0600, created on first start). It never leaves
// the server; deleting it invalidates every URL handed out so far.
const KeyringFile = ".minicloud_storage_keyring"

// signer computes the HMAC-SHA256 signatures of upload and download URLs.
type signer struct {
	pool sync.Pool // of hash.Hash keyed with the keyring
}

// loadSigner reads the keyring from dataDir, creating it on first use.
func loadSigner(dataDir string) (*signer, error) {
	key, err := keyring.Load(dataDir, KeyringFile)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return newSigner(key), nil
}

func newSigner(key []byte) *signer {
	k := append([]byte(nil), key...)
	s := &signer{}
	s.pool.New = func() any { return hmac.New(sha256.New, k) }
	return s
}

// sign returns the base64url HMAC of parts. Each part is length-prefixed, so no choice
// of values can make two different lists sign alike.
func (s *signer) sign(parts ...string) string {
	h := s.pool.Get().(hash.Hash)
	h.Reset()
	var buf [24]byte
	_, _ = h.Write([]byte("minicloud-storage-v1"))
	for _, p := range parts {
		_, _ = h.Write(strconv.AppendInt(append(buf[:0], '\n'), int64(len(p)), 10))
		_, _ = h.Write([]byte{':'})
		_, _ = h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	out := base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0]))
	s.pool.Put(h)
	return out
}

// verify reports whether sig is the signature of parts, in constant time.
func (s *signer) verify(sig string, parts ...string) bool {
	return hmac.Equal([]byte(sig), []byte(s.sign(parts...)))
}

// uploadGrant is what an upload URL allows: one PUT of at most MaxSize bytes (or the
// server's maximum when MaxSize < 0) to Path before Expires, stored as owned by Owner
// (Admin: by nobody, with admin rights), with ContentType when one was declared.
type uploadGrant struct {
	Path        string
	Admin       bool
	Owner       string
	MaxSize     int64
	ContentType string
	Expires     int64
}

func (g uploadGrant) parts(host string) []string {
	who := "user:" + g.Owner
	if g.Admin {
		who = "admin"
	}
	return []string{"put", host, g.Path, who, strconv.FormatInt(g.MaxSize, 10), g.ContentType, strconv.FormatInt(g.Expires, 10)}
}

// query encodes the grant and its signature as URL query parameters.
func (g uploadGrant) query(sig string) string {
	q := url.Values{}
	if g.Admin {
		q.Set("admin", "1")
	} else {
		q.Set("owner", g.Owner)
	}
	if g.MaxSize >= 0 {
		q.Set("size", strconv.FormatInt(g.MaxSize, 10))
	}
	if g.ContentType != "" {
		q.Set("type", g.ContentType)
	}
	q.Set("t", strconv.FormatInt(g.Expires, 10))
	q.Set("sign", sig)
	return q.Encode()
}

// parseUploadGrant reads a grant back from an upload URL's query. The signature is
// checked by the caller.
func parseUploadGrant(p string, q url.Values) (uploadGrant, string, error) {
	g := uploadGrant{Path: p, MaxSize: -1}
	sig := q.Get("sign")
	if sig == "" {
		return g, "", errors.New("the upload URL carries no signature")
	}
	var err error
	if g.Expires, err = strconv.ParseInt(q.Get("t"), 10, 64); err != nil {
		return g, "", errors.New("the upload URL carries no valid expiry")
	}
	g.Admin = q.Get("admin") == "1"
	g.Owner = q.Get("owner")
	if !g.Admin && g.Owner == "" {
		return g, "", errors.New("the upload URL names no owner")
	}
	if v := q.Get("size"); v != "" {
		if g.MaxSize, err = strconv.ParseInt(v, 10, 64); err != nil || g.MaxSize < 0 {
			return g, "", errors.New("the upload URL carries an invalid size")
		}
	}
	g.ContentType = q.Get("type")
	return g, sig, nil
}

// downloadGrant is what a temporary download URL allows: GET and HEAD of Path until
// Expires. TTL is the lifetime it was issued with, so that long-lived URLs of a bucket
// that everyone may read stop working when its preset turns private.
type downloadGrant struct {
	Path    string
	Expires int64
	TTL     int64
}

func (g downloadGrant) parts(host string) []string {
	return []string{"get", host, g.Path, strconv.FormatInt(g.Expires, 10), strconv.FormatInt(g.TTL, 10)}
}

func (g downloadGrant) query(sig string) string {
	return "sign=" + sig + "&t=" + strconv.FormatInt(g.Expires, 10) + "&ttl=" + strconv.FormatInt(g.TTL, 10)
}

func parseDownloadGrant(p string, q url.Values) (downloadGrant, string, error) {
	g := downloadGrant{Path: p}
	sig := q.Get("sign")
	if sig == "" {
		return g, "", errors.New("the URL carries no signature: get one with getTempFileURL")
	}
	var err1, err2 error
	g.Expires, err1 = strconv.ParseInt(q.Get("t"), 10, 64)
	g.TTL, err2 = strconv.ParseInt(q.Get("ttl"), 10, 64)
	if err1 != nil || err2 != nil || g.TTL < 0 {
		return g, "", errors.New("the URL carries no valid expiry")
	}
	return g, sig, nil
}
