package ejson

import (
	"bytes"
	"math"
	"math/big"
	"strings"
)

// Type brackets in BSON comparison order. Values of different brackets compare by
// bracket; numbers of any type share one bracket.
const (
	RankMinKey = iota + 1
	RankNull
	RankNumber
	RankString
	RankObject
	RankArray
	RankBinary
	RankObjectID
	RankBool
	RankDate
	RankTimestamp
	RankRegex
	RankMaxKey
)

// Rank returns the comparison bracket of v.
func Rank(v any) int {
	switch v.(type) {
	case nil:
		return RankNull
	case int64, float64, Decimal, int, int32:
		return RankNumber
	case string:
		return RankString
	case D:
		return RankObject
	case []any:
		return RankArray
	case Binary:
		return RankBinary
	case ObjectID:
		return RankObjectID
	case bool:
		return RankBool
	case Date, ServerDate:
		return RankDate
	case Timestamp:
		return RankTimestamp
	case Regex:
		return RankRegex
	case MinKey:
		return RankMinKey
	case MaxKey:
		return RankMaxKey
	}
	return RankMaxKey
}

// IsNumber reports whether v is a number of any type.
func IsNumber(v any) bool { return Rank(v) == RankNumber && v != nil }

// Compare orders two values as MongoDB does: by type bracket, then by value.
// It returns -1, 0 or +1.
func Compare(a, b any) int {
	ra, rb := Rank(a), Rank(b)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	switch ra {
	case RankNull, RankMinKey, RankMaxKey:
		return 0
	case RankNumber:
		return CompareNumbers(a, b)
	case RankString:
		return strings.Compare(a.(string), b.(string))
	case RankObject:
		return compareDocs(a.(D), b.(D))
	case RankArray:
		return compareArrays(a.([]any), b.([]any))
	case RankBinary:
		x, y := a.(Binary), b.(Binary)
		if len(x.Data) != len(y.Data) {
			return cmpInt(int64(len(x.Data)), int64(len(y.Data)))
		}
		if x.Subtype != y.Subtype {
			return cmpInt(int64(x.Subtype), int64(y.Subtype))
		}
		return bytes.Compare(x.Data, y.Data)
	case RankObjectID:
		return strings.Compare(string(a.(ObjectID)), string(b.(ObjectID)))
	case RankBool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		default:
			return 1
		}
	case RankDate:
		return cmpInt(dateMs(a), dateMs(b))
	case RankTimestamp:
		x, y := a.(Timestamp), b.(Timestamp)
		if x.T != y.T {
			return cmpInt(int64(x.T), int64(y.T))
		}
		return cmpInt(int64(x.I), int64(y.I))
	case RankRegex:
		x, y := a.(Regex), b.(Regex)
		if c := strings.Compare(x.Pattern, y.Pattern); c != 0 {
			return c
		}
		return strings.Compare(x.Options, y.Options)
	}
	return 0
}

// Equal reports whether two values are equal under Compare.
func Equal(a, b any) bool { return Compare(a, b) == 0 }

func dateMs(v any) int64 {
	if d, ok := v.(Date); ok {
		return int64(d)
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareNumbers compares two numeric values exactly, whatever their types. NaN sorts
// before every other number and equals itself, as in MongoDB.
func CompareNumbers(a, b any) int {
	// decimals compare as their nearest double, exactly as AppendKey orders them
	if d, ok := a.(Decimal); ok {
		a = d.Float()
	}
	if d, ok := b.(Decimal); ok {
		b = d.Float()
	}
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			return cmpInt(x, y)
		}
	}
	fa, fb := toFloat(a), toFloat(b)
	na, nb := math.IsNaN(fa), math.IsNaN(fb)
	switch {
	case na && nb:
		return 0
	case na:
		return -1
	case nb:
		return 1
	}
	if fa < fb {
		return -1
	}
	if fa > fb {
		return 1
	}
	// equal as floats: settle int64 vs float64 precisely (large integers lose precision)
	ia, aInt := a.(int64)
	ib, bInt := b.(int64)
	if aInt != bInt && !math.IsInf(fa, 0) {
		ra, rb := exactRat(a, ia, aInt), exactRat(b, ib, bInt)
		if ra != nil && rb != nil {
			return ra.Cmp(rb)
		}
	}
	return 0
}

func exactRat(v any, i int64, isInt bool) *big.Rat {
	if isInt {
		return new(big.Rat).SetInt64(i)
	}
	switch x := v.(type) {
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil
		}
		return r
	}
	return nil
}

// ToFloat converts a numeric value to float64.
func ToFloat(v any) float64 { return toFloat(v) }

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case Decimal:
		return x.Float()
	case int:
		return float64(x)
	case int32:
		return float64(x)
	}
	return math.NaN()
}

func compareDocs(a, b D) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmpInt(int64(Rank(a[i].Value)), int64(Rank(b[i].Value))); c != 0 {
			return c
		}
		if c := strings.Compare(a[i].Key, b[i].Key); c != 0 {
			return c
		}
		if c := Compare(a[i].Value, b[i].Value); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

func compareArrays(a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}
