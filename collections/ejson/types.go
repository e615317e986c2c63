// Package ejson holds Minicloud's document value model and its MongoDB Extended JSON codec.
//
// A document is an ordered list of fields (D), because key order is visible to users
// (field order in results, whole-document equality). Values are one of:
//
//	nil, bool, int64, float64, string, D, []any,
//	Date, Regex, ObjectID, Decimal, Binary, Timestamp, MinKey, MaxKey
//
// plus ServerDate, a placeholder that writes resolve to the server's clock.
//
// Integers keep their own type so that canonical EJSON round-trips
// ($numberInt/$numberLong vs $numberDouble); comparisons treat all numbers alike.
package ejson

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// D is an ordered document.
type D []E

// E is one field of a document.
type E struct {
	Key   string
	Value any
}

// Get returns the value of key and whether it is present.
func (d D) Get(key string) (any, bool) {
	for i := range d {
		if d[i].Key == key {
			return d[i].Value, true
		}
	}
	return nil, false
}

// Index returns the position of key, or -1.
func (d D) Index(key string) int {
	for i := range d {
		if d[i].Key == key {
			return i
		}
	}
	return -1
}

// Set replaces the value of key or appends the field, and returns the document.
func (d D) Set(key string, v any) D {
	if i := d.Index(key); i >= 0 {
		d[i].Value = v
		return d
	}
	return append(d, E{Key: key, Value: v})
}

// Delete removes key and returns the document.
func (d D) Delete(key string) D {
	if i := d.Index(key); i >= 0 {
		return append(d[:i:i], d[i+1:]...)
	}
	return d
}

// Date is a UTC instant with millisecond precision, as BSON stores it.
type Date int64

// Time converts the date to a time.Time in UTC.
func (d Date) Time() time.Time { return time.UnixMilli(int64(d)).UTC() }

// DateOf converts a time to a Date.
func DateOf(t time.Time) Date { return Date(t.UnixMilli()) }

// ServerDate asks the server to store its current time plus Offset milliseconds
// (db.serverDate({offset})). It never reaches storage: writes resolve it.
type ServerDate struct {
	Offset int64
}

// Regex is a regular expression value ($regularExpression).
type Regex struct {
	Pattern string
	Options string
}

// ObjectID is a 12-byte MongoDB ObjectId in its 24-character hex form.
type ObjectID string

// Decimal is a decimal128 value kept as its string form.
type Decimal string

// Float converts the decimal to the nearest float64 (±Inf or 0 beyond its range).
// Minicloud compares and computes decimals as doubles.
func (d Decimal) Float() float64 {
	f, err := strconv.ParseFloat(string(d), 64)
	if errors.Is(err, strconv.ErrRange) {
		return f
	}
	if err != nil {
		switch string(d) {
		case "Infinity", "+Infinity":
			return math.Inf(1)
		case "-Infinity":
			return math.Inf(-1)
		}
		return math.NaN()
	}
	return f
}

// Binary is BSON binary data.
type Binary struct {
	Subtype byte
	Data    []byte
}

// Timestamp is a BSON internal timestamp.
type Timestamp struct {
	T uint32
	I uint32
}

// MinKey sorts before every other value.
type MinKey struct{}

// MaxKey sorts after every other value.
type MaxKey struct{}

// Clone returns a deep copy of v, so that updates never alias shared values.
func Clone(v any) any {
	switch x := v.(type) {
	case D:
		out := make(D, len(x))
		for i, e := range x {
			out[i] = E{Key: e.Key, Value: Clone(e.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	case Binary:
		return Binary{Subtype: x.Subtype, Data: append([]byte(nil), x.Data...)}
	default:
		return v
	}
}

// ResolveServerDates replaces every ServerDate inside v by now+offset, in place where
// possible, and returns the resulting value.
func ResolveServerDates(v any, now time.Time) any {
	switch x := v.(type) {
	case ServerDate:
		return Date(now.UnixMilli() + x.Offset)
	case D:
		for i := range x {
			x[i].Value = ResolveServerDates(x[i].Value, now)
		}
		return x
	case []any:
		for i := range x {
			x[i] = ResolveServerDates(x[i], now)
		}
		return x
	default:
		return v
	}
}
