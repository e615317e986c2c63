// Package jsnum formats numbers as JavaScript's Number.prototype.toString() does
// (radix 10): the shortest digits that read back as the same double, laid out by
// ECMAScript's Number::toString rules. goja's own formatting is not always the
// shortest round trip (String(0.5084920399817559) gives "0.508492039981756", another
// double), so JSON written for results and documents goes through here.
package jsnum

import (
	"math"
	"strconv"
)

// Append appends the text of f to dst.
func Append(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		return append(dst, '0') // -0 too
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// "d.ddde±x": the shortest digits s (k of them) and the exponent, n = x+1 in the
	// specification's terms (value = 0.s × 10^n).
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	mant, exp := e, 0
	for i := range e {
		if e[i] == 'e' {
			mant = e[:i]
			x, _ := strconv.Atoi(string(e[i+1:]))
			exp = x
			break
		}
	}
	var digits [24]byte
	s := digits[:0]
	for _, c := range mant {
		if c != '.' {
			s = append(s, c)
		}
	}
	k, n := len(s), exp+1
	switch {
	case k <= n && n <= 21:
		dst = append(dst, s...)
		for i := k; i < n; i++ {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, s[:n]...)
		dst = append(dst, '.')
		dst = append(dst, s[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for i := 0; i < -n; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, s...)
	default:
		dst = append(dst, s[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, s[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}

// String is Append to a new string.
func String(f float64) string { return string(Append(nil, f)) }
