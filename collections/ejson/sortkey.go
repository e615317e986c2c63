package ejson

import (
	"encoding/binary"
	"math"
)

// AppendKey appends a byte string whose bytewise (memcmp) order equals Compare's order
// of values: the type bracket first, then an order-preserving encoding of the value.
// SQLite compares BLOBs with memcmp, so such keys sort and range-scan in an index
// exactly as MongoDB orders the values, across types, dates, documents and arrays.
func AppendKey(buf []byte, v any) []byte {
	r := Rank(v)
	buf = append(buf, byte(r))
	switch x := v.(type) {
	case int64:
		return appendNumberKey(buf, float64(x), x, true)
	case int:
		return appendNumberKey(buf, float64(x), int64(x), true)
	case int32:
		return appendNumberKey(buf, float64(x), int64(x), true)
	case float64:
		return appendNumberKey(buf, x, 0, false)
	case Decimal:
		return appendNumberKey(buf, x.Float(), 0, false)
	case string:
		return appendKeyString(buf, x)
	case D:
		for _, e := range x {
			buf = append(buf, byte(Rank(e.Value)))
			buf = appendKeyString(buf, e.Key)
			buf = AppendKey(buf, e.Value)
		}
		return append(buf, 0)
	case []any:
		for _, e := range x {
			buf = AppendKey(buf, e)
		}
		return append(buf, 0)
	case Binary:
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(x.Data)))
		buf = append(buf, x.Subtype)
		return append(buf, x.Data...)
	case ObjectID:
		return append(buf, x...)
	case bool:
		if x {
			return append(buf, 1)
		}
		return append(buf, 0)
	case Date:
		return binary.BigEndian.AppendUint64(buf, uint64(int64(x))^(1<<63))
	case Timestamp:
		buf = binary.BigEndian.AppendUint32(buf, x.T)
		return binary.BigEndian.AppendUint32(buf, x.I)
	case Regex:
		buf = appendKeyString(buf, x.Pattern)
		return appendKeyString(buf, x.Options)
	}
	return buf
}

// Key returns AppendKey(nil, v).
func Key(v any) []byte { return AppendKey(nil, v) }

// appendKeyString escapes 0x00 as 00 FF and terminates with 00 01, so that a string
// sorts before every string it is a proper prefix of.
func appendKeyString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			buf = append(buf, 0, 0xFF)
		} else {
			buf = append(buf, s[i])
		}
	}
	return append(buf, 0, 1)
}

// appendNumberKey encodes a number: a marker byte (NaN lowest), the float64 in
// order-preserving form, and for integral values beyond 2^53 the exact integer, so that
// large int64 values that share a float64 still sort exactly.
func appendNumberKey(buf []byte, f float64, i int64, isInt bool) []byte {
	if math.IsNaN(f) {
		return append(buf, 0)
	}
	buf = append(buf, 1)
	if f == 0 {
		f = 0 // -0 sorts as 0
	}
	bits := math.Float64bits(f)
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	buf = binary.BigEndian.AppendUint64(buf, bits)
	const exact = 1 << 53
	if math.Abs(f) < exact {
		return buf
	}
	if !isInt {
		if f != math.Trunc(f) || f >= math.MaxInt64 || f < math.MinInt64 {
			return buf
		}
		i = int64(f)
	}
	return binary.BigEndian.AppendUint64(buf, uint64(i)^(1<<63))
}

// KeyUpperBound returns the smallest key greater than every key of the given type
// bracket: keys of rank r lie in [ {r}, {r+1} ).
func KeyUpperBound(rank int) []byte { return []byte{byte(rank + 1)} }

// KeyLowerBound returns the smallest key of a type bracket.
func KeyLowerBound(rank int) []byte { return []byte{byte(rank)} }
