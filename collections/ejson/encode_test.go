package ejson

import (
	"math"
	"testing"
)

func TestMarshalModes(t *testing.T) {
	v := D{
		{"i", int64(5)}, {"l", int64(1) << 40}, {"f", 2.0}, {"g", 0.1}, {"nan", math.NaN()},
		{"d", Date(1704164645000)}, {"s", "q\"\\\n<"}, {"a", []any{nil, true}},
		{"r", Regex{Pattern: "^a", Options: "i"}},
	}
	relaxed, err := MarshalString(v, Relaxed)
	if err != nil {
		t.Fatal(err)
	}
	wantRelaxed := `{"i":5,"l":1099511627776,"f":2.0,"g":0.1,"nan":{"$numberDouble":"NaN"},"d":{"$date":1704164645000},"s":"q\"\\\n<","a":[null,true],"r":{"$regularExpression":{"pattern":"^a","options":"i"}}}`
	if relaxed != wantRelaxed {
		t.Errorf("relaxed:\n got %s\nwant %s", relaxed, wantRelaxed)
	}
	canonical, err := MarshalString(v, Canonical)
	if err != nil {
		t.Fatal(err)
	}
	wantCanonical := `{"i":{"$numberInt":"5"},"l":{"$numberLong":"1099511627776"},"f":{"$numberDouble":"2.0"},"g":{"$numberDouble":"0.1"},"nan":{"$numberDouble":"NaN"},"d":{"$date":{"$numberLong":"1704164645000"}},"s":"q\"\\\n<","a":[null,true],"r":{"$regularExpression":{"pattern":"^a","options":"i"}}}`
	if canonical != wantCanonical {
		t.Errorf("canonical:\n got %s\nwant %s", canonical, wantCanonical)
	}
}

func TestMarshalFloatsReadBackAsFloats(t *testing.T) {
	for _, f := range []float64{0, 1, -3, 1e21, 1.5e-7, 123456789012345678} {
		b, _ := Marshal(f, Relaxed)
		v, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if g, ok := v.(float64); !ok || g != f {
			t.Errorf("%v encoded as %s decoded as %#v", f, b, v)
		}
	}
}

func TestMarshalRejectsUnknownTypes(t *testing.T) {
	if _, err := Marshal(struct{}{}, Relaxed); err == nil {
		t.Fatal("expected an error")
	}
}
