package ejson

import (
	"bytes"
	"math"
	"math/rand"
	"testing"
)

func TestKeyOrderMatchesCompare(t *testing.T) {
	vals := []any{
		MinKey{}, nil, math.NaN(), math.Inf(-1), int64(-1) << 60, -2.5, int64(-1), 0.0, int64(0), 0.5,
		int64(1)<<53 + 1, float64(int64(1) << 54), int64(1)<<54 + 1, math.Inf(1), Decimal("7"),
		"", "\x00", "a", "a\x00", "ab", "b", D{}, D{{"a", nil}}, D{{"a", int64(1)}}, D{{"a", int64(1)}, {"b", "x"}},
		D{{"b", int64(0)}}, D{{"a", "s"}}, []any{}, []any{nil}, []any{int64(1)}, []any{int64(1), int64(2)}, []any{"a"},
		Binary{Data: []byte{9}}, Binary{Data: []byte{1, 2}}, ObjectID("000000000000000000000001"),
		false, true, Date(math.MinInt64 / 2), Date(-1), Date(0), Date(1704164645000),
		Timestamp{T: 1, I: 2}, Regex{Pattern: "a", Options: "i"}, MaxKey{},
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		vals = append(vals, randomValue(rng, 3))
	}
	for _, a := range vals {
		for _, b := range vals {
			want := Compare(a, b)
			got := bytes.Compare(Key(a), Key(b))
			if want != got {
				t.Fatalf("order of %#v vs %#v: Compare=%d key=%d", a, b, want, got)
			}
		}
	}
}

func randomValue(rng *rand.Rand, depth int) any {
	switch rng.Intn(9) {
	case 0:
		return nil
	case 1:
		return rng.Intn(2) == 0
	case 2:
		return int64(rng.Intn(20) - 10)
	case 3:
		return float64(rng.Intn(40)-20) / 4
	case 4:
		return string(rune('a' + rng.Intn(3)))
	case 5:
		return Date(rng.Int63n(10) - 5)
	case 6:
		if depth > 0 {
			n := rng.Intn(3)
			arr := make([]any, n)
			for i := range arr {
				arr[i] = randomValue(rng, depth-1)
			}
			return arr
		}
	case 7:
		if depth > 0 {
			n := rng.Intn(3)
			d := D{}
			for i := 0; i < n; i++ {
				d = append(d, E{Key: string(rune('a' + rng.Intn(3))), Value: randomValue(rng, depth-1)})
			}
			return d
		}
	}
	return "x"
}
