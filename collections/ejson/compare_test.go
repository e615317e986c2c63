package ejson

import (
	"math"
	"testing"
)

func TestCompareOrder(t *testing.T) {
	// ascending MongoDB order
	ordered := []any{
		MinKey{}, nil, math.NaN(), math.Inf(-1), int64(-5), 1.5, int64(2), Decimal("2.5"),
		"", "a", "b", D{}, D{{"a", int64(1)}}, []any{}, []any{int64(1)},
		Binary{Data: []byte{1}}, ObjectID("000000000000000000000001"), false, true,
		Date(-1), Date(5), Timestamp{T: 1}, Regex{Pattern: "a"}, MaxKey{},
	}
	for i := range ordered {
		for j := range ordered {
			got := Compare(ordered[i], ordered[j])
			want := cmpInt(int64(i), int64(j))
			if got != want {
				t.Errorf("Compare(%#v, %#v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestCompareNumbersExact(t *testing.T) {
	big := int64(1)<<53 + 1
	if CompareNumbers(big, float64(1<<53)) != 1 {
		t.Fatal("2^53+1 must be greater than 2^53 as a double")
	}
	if CompareNumbers(int64(3), 3.0) != 0 || !Equal(int64(3), Decimal("3")) {
		t.Fatal("3 == 3.0 == decimal 3")
	}
}

func TestDecimalOrdersAsDouble(t *testing.T) {
	big := Decimal("9007199254740993")
	if Compare(int64(9007199254740993), big) != 1 {
		t.Fatal("a decimal compares as its nearest double")
	}
	if Decimal("1e400").Float() != math.Inf(1) || Decimal("1e-400").Float() != 0 {
		t.Fatal("out-of-range decimals")
	}
	for _, pair := range [][2]any{{int64(9007199254740993), big}, {Decimal("9007199254740993.5"), int64(9007199254740993)}} {
		if Compare(pair[0], pair[1]) != bytesCompare(Key(pair[0]), Key(pair[1])) {
			t.Fatalf("Key and Compare disagree on %v", pair)
		}
	}
}

func bytesCompare(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}
