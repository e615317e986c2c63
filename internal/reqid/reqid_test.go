package reqid

import (
	"bytes"
	"encoding/hex"
	"strings"
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

func TestTime(t *testing.T) {
	b := New()
	var ms int64
	for _, c := range b[:6] {
		ms = ms<<8 | int64(c)
	}
	hexForm := hex.EncodeToString(b[:])
	v7 := b
	v7[6] = v7[6]&0x0f | 0x70
	v7[8] = v7[8]&0x3f | 0x80
	h := hex.EncodeToString(v7[:])
	uuidForm := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	for _, c := range []struct {
		id   string
		ok   bool
		want int64
	}{
		{hexForm, true, ms},
		{strings.ToUpper(hexForm), true, ms},
		{uuidForm, true, ms},
		{"0193a5c4-d2e8-4b3f-9a1c-0123456789ab", false, 0}, // a version 4 UUID: random
		{"not-an-id", false, 0},
		{"", false, 0},
		{strings.Repeat("g", 32), false, 0},
		{uuidForm[:35] + "x", false, 0},
	} {
		got, ok := Time(c.id)
		if ok != c.ok || (ok && got.UnixMilli() != c.want) {
			t.Errorf("Time(%q) = %v %v, want %v %v", c.id, got.UnixMilli(), ok, c.want, c.ok)
		}
	}
}

func TestNewUUID(t *testing.T) {
	before := time.Now().UnixMilli()
	id := NewUUID()
	after := time.Now().UnixMilli()
	if len(id) != 36 || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) {
		t.Fatalf("%s is not a version 7 UUID", id)
	}
	at, ok := Time(id)
	if !ok || at.UnixMilli() < before || at.UnixMilli() > after {
		t.Fatalf("Time(%s) = %v %v, want within [%d, %d]", id, at.UnixMilli(), ok, before, after)
	}
	if NewUUID() == id {
		t.Fatal("two ids alike")
	}
}
