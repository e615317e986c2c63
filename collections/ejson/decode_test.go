package ejson

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestUnmarshalValues(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{`true`, true},
		{`5`, int64(5)},
		{`-5.5`, -5.5},
		{`1e3`, 1000.0},
		{`9223372036854775808`, 9223372036854775808.0},
		{`"a\u00e9\n"`, "aé\n"},
		{`"\ud83d\ude00"`, "😀"},
		{`{"$numberInt":"7"}`, int64(7)},
		{`{"$numberLong":"9007199254740993"}`, int64(9007199254740993)},
		{`{"$numberDouble":"1.5"}`, 1.5},
		{`{"$numberDouble":"-Infinity"}`, math.Inf(-1)},
		{`{"$numberDecimal":"1.10"}`, Decimal("1.10")},
		{`{"$date":1704164645000}`, Date(1704164645000)},
		{`{"$date":{"$numberLong":"1704164645000"}}`, Date(1704164645000)},
		{`{"$date":"2024-01-02T03:04:05.000Z"}`, Date(1704164645000)},
		{`{"$date":{"offset":1000}}`, ServerDate{Offset: 1000}},
		{`{"$tcb_server_date":{"offset":{"$numberInt":"-5"}}}`, ServerDate{Offset: -5}},
		{`{"$regularExpression":{"pattern":"^a","options":"mi"}}`, Regex{Pattern: "^a", Options: "im"}},
		{`{"$oid":"5F0C9A5F1A2B3C00D4E5F67A"}`, ObjectID("5f0c9a5f1a2b3c00d4e5f67a")},
		{`{"$binary":{"base64":"AQI=","subType":"00"}}`, Binary{Data: []byte{1, 2}}},
		{`{"$timestamp":{"t":5,"i":1}}`, Timestamp{T: 5, I: 1}},
		{`{"$minKey":1}`, MinKey{}},
		{`{"a":{"$gt":{"$numberInt":"3"}}}`, D{{"a", D{{"$gt", int64(3)}}}}},
		{`[1,"x",[]]`, []any{int64(1), "x", []any{}}},
	}
	for _, c := range cases {
		got, err := UnmarshalString(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !deepEqual(got, c.want) {
			t.Errorf("%s: got %#v want %#v", c.in, got, c.want)
		}
	}
}

// deepEqual compares values structurally, keeping int64 and float64 apart.
func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case D:
		y, ok := b.(D)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Key != y[i].Key || !deepEqual(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	case Binary:
		y, ok := b.(Binary)
		return ok && x.Subtype == y.Subtype && string(x.Data) == string(y.Data)
	}
	return a == b
}

func TestUnmarshalErrors(t *testing.T) {
	cases := []string{
		``, `{`, `{"a":}`, `{"a":1,}`, `[1,]`, `tru`, `"abc`, `01x`, `{"a":1} x`,
		`{"a":1,"a":2}`, `{"$numberInt":"x"}`, `{"$numberInt":5}`, `{"$date":"yesterday"}`,
		`{"$oid":"zz"}`, `{"$date":{"offset":"x"}}`, "\"a\x01\"", `"\x"`, `-`, `1.`, `1e`,
		`{"$regularExpression":{"pattern":1}}`, `{"$timestamp":{"t":-1,"i":0}}`,
	}
	for _, c := range cases {
		if v, err := UnmarshalString(c); err == nil {
			t.Errorf("%q: expected an error, got %#v", c, v)
		}
	}
}

func TestUnmarshalDepth(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDecodeDepth+1) + "1" + strings.Repeat("}", MaxDecodeDepth+1)
	if _, err := UnmarshalString(deep); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("expected ErrTooDeep, got %v", err)
	}
	ok := strings.Repeat(`[`, MaxDecodeDepth) + strings.Repeat("]", MaxDecodeDepth)
	if _, err := UnmarshalString(ok); err != nil {
		t.Fatalf("depth %d should decode: %v", MaxDecodeDepth, err)
	}
}

func TestUnmarshalDocRequiresObject(t *testing.T) {
	if _, err := UnmarshalDoc([]byte(`[1]`)); err == nil {
		t.Fatal("expected an error for an array")
	}
	d, err := UnmarshalDoc([]byte(`{"b":1,"a":2}`))
	if err != nil || d[0].Key != "b" || d[1].Key != "a" {
		t.Fatalf("order not kept: %v %v", d, err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	seeds := []string{
		`{"title":"hello","done":false,"n":5,"tags":["a"],"createdAt":{"$date":{"offset":0}},"due":{"$date":1704164645000}}`,
		`{"n":{"$numberInt":"5"},"due":{"$date":{"$numberLong":"1704164645000"}},"x":{"$numberDouble":"113.3"}}`,
		`{"$or":[{"n":{"$in":[1,2]}},{"title":{"$regularExpression":{"pattern":"^hel","options":"i"}}}]}`,
		`[1,-2.5e10,"\u00e9",null,true,{"$oid":"5f0c9a5f1a2b3c00d4e5f67a"},{"$numberDecimal":"1.5"}]`,
		`{"$binary":{"base64":"AQI=","subType":"80"}}`,
		`"\ud83d\ude00"`, `{"a":{"b":{"c":[[[]]]}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Unmarshal(data)
		if err != nil {
			return
		}
		for _, mode := range []Mode{Relaxed, Canonical} {
			enc, err := Marshal(v, mode)
			if err != nil {
				t.Fatalf("marshal %#v: %v", v, err)
			}
			back, err := Unmarshal(enc)
			if err != nil {
				t.Fatalf("re-decode %s: %v", enc, err)
			}
			if !deepEqual(v, back) {
				t.Fatalf("round trip mode %d changed %#v into %#v (via %s)", mode, v, back, enc)
			}
		}
	})
}

func TestDateRange(t *testing.T) {
	for _, in := range []string{`{"$date":1e30}`, `{"$date":-1e30}`} {
		if _, err := UnmarshalString(in); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}
