package auth

import (
	"sync"
	"time"
)

// Default sign-in limits: attempts per minute per client IP and per openid, with a burst
// of the same size (WeChat itself allows 100 jscode2session calls per user per minute).
const (
	DefaultLoginPerIPPerMinute     = 60
	DefaultLoginPerOpenIDPerMinute = 10
	// maxLimiterKeys bounds the tracked keys; idle ones are dropped first.
	maxLimiterKeys = 100000
)

// Limiter is a token bucket per key (an IP, an openid).
type Limiter struct {
	perMinute float64
	burst     float64
	mu        sync.Mutex
	buckets   map[string]*bucket
	now       func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter allows perMinute events per key on average, perMinute at once. A limit of 0
// or less disables limiting.
func NewLimiter(perMinute int) *Limiter {
	return &Limiter{perMinute: float64(perMinute), burst: float64(perMinute), buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes a token for key, reporting false when the key is over its limit.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.perMinute <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxLimiterKeys {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens += now.Sub(b.last).Minutes() * l.perMinute
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops buckets that have refilled (idle keys); callers hold mu.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Minutes()*l.perMinute >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxLimiterKeys { // all busy: start over rather than grow
		l.buckets = map[string]*bucket{}
	}
}
