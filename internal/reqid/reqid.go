// Package reqid makes request IDs that rise with time: the first 48 bits are the Unix
// time in milliseconds, the rest random. Indexed by the invocation log, such IDs are
// appended at the end of its B-tree instead of written all over it.
package reqid

import (
	"crypto/rand"
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
