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
