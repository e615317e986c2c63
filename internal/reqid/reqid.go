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
