// Package reqid makes request IDs that rise with time: the first 48 bits are the Unix
// time in milliseconds, the rest random. Indexed by the invocation log, such IDs are
// appended at the end of its B-tree instead of written all over it.
package reqid

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// New returns 16 bytes: 6 of the Unix time in milliseconds (big-endian), 10 random.
func New() [16]byte {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	return b
}

// Time returns the time an ID made from New carries, in either of its text forms: 32
// hex digits (the gateway's) or a UUID with version 7 (cloudfns's). Any other string,
// such as a client's own X-Request-Id, carries no time. A client's id may still parse
// (32 hex digits of its own making): callers use the time as a hint, never as proof.
func Time(id string) (time.Time, bool) {
	var h string
	switch len(id) {
	case 32:
		h = id
	case 36:
		if id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' || id[14] != '7' {
			return time.Time{}, false
		}
		h = id[:8] + id[9:13] + id[14:18] + id[19:23] + id[24:]
	default:
		return time.Time{}, false
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return time.Time{}, false
	}
	var ms int64
	for _, c := range b[:6] {
		ms = ms<<8 | int64(c)
	}
	return time.UnixMilli(ms), true
}

// NewUUID returns New's bytes as a version 7 UUID (the first 48 bits are the time, as
// RFC 9562 has them), the form function invocations get.
func NewUUID() string {
	b := New()
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return FormatUUID(&b)
}

// FormatUUID writes 16 bytes in the 8-4-4-4-12 form.
func FormatUUID(b *[16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
