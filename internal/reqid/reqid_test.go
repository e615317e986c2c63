package reqid

import (
	"bytes"
	"testing"
	"time"
)

func TestNewRisesWithTimeAndDiffers(t *testing.T) {
	before := uint64(time.Now().UnixMilli())
	a, b := New(), New()
	after := uint64(time.Now().UnixMilli())
	var ms uint64
	for _, c := range a[:6] {
		ms = ms<<8 | uint64(c)
	}
	if ms < before || ms > after {
		t.Fatalf("time prefix %d outside [%d, %d]", ms, before, after)
	}
	if bytes.Compare(a[:6], b[:6]) > 0 {
		t.Fatalf("time prefix went back: %x then %x", a[:6], b[:6])
	}
	if a == b || bytes.Equal(a[6:], b[6:]) {
		t.Fatalf("two IDs share their random part: %x, %x", a, b)
	}
}
