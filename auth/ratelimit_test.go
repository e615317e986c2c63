package auth

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := NewLimiter(3)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if !l.Allow("ip") {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if l.Allow("ip") {
		t.Fatal("fourth attempt in the same instant allowed")
	}
	if !l.Allow("other") {
		t.Fatal("keys are independent")
	}
	now = now.Add(20 * time.Second) // one token back
	if !l.Allow("ip") || l.Allow("ip") {
		t.Fatal("refill rate")
	}
	if !NewLimiter(0).Allow("x") {
		t.Fatal("0 disables limiting")
	}
}
