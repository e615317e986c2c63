package jsnum

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"testing"
)

func TestString(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1, "1"}, {-1, "-1"}, {1.5, "1.5"}, {-0.25, "-0.25"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
		{0.1, "0.1"}, {0.000001, "0.000001"}, {0.0000001, "1e-7"}, {1.5e-7, "1.5e-7"},
		{123456789012345680000, "123456789012345680000"}, {1e21, "1e+21"}, {1.5e21, "1.5e+21"},
		{1e20, "100000000000000000000"}, {5e-324, "5e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"},
		{0.5084920399817559, "0.5084920399817559"}, {0.24414061428229689, "0.24414061428229689"},
		{15.994140625029099, "15.994140625029099"}, {1.8446744073709439e19, "18446744073709439000"},
		{123.456, "123.456"}, {1234567.5, "1234567.5"}, {9007199254740993, "9007199254740992"},
	} {
		if got := String(c.f); got != c.want {
			t.Errorf("String(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// Every double reads back as itself.
func FuzzRoundTrip(f *testing.F) {
	for _, x := range []float64{0.5084920399817559, 1e21, 1e-7, 5e-324, 123.456} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		s := String(x)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != x && !(x == 0 && back == 0) {
			t.Fatalf("%v -> %q -> %v, %v", x, s, back, err)
		}
	})
}

// The same text as Node's String(x), for random doubles of every magnitude.
func TestMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 0, 3000)
	for i := 0; i < 1000; i++ {
		xs = append(xs, r.Float64(), math.Float64frombits(r.Uint64()), (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(60)-30)))
	}
	var finite []float64
	var bits []string
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			finite = append(finite, x)
			bits = append(bits, strconv.FormatUint(math.Float64bits(x), 10))
		}
	}
	in, _ := json.Marshal(bits)
	cmd := exec.Command(node, "-e", `const b = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const dv = new DataView(new ArrayBuffer(8));
process.stdout.write(JSON.stringify(b.map((s) => { dv.setBigUint64(0, BigInt(s)); return String(dv.getFloat64(0)); })));`)
	stdin, _ := cmd.StdinPipe()
	go func() { stdin.Write(in); stdin.Close() }()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(finite) {
		t.Fatalf("node printed %d values: %v", len(want), err)
	}
	for i, x := range finite {
		if got := String(x); got != want[i] {
			t.Errorf("%v: %q, Node %q", x, got, want[i])
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	buf := make([]byte, 0, 32)
	for i := 0; b.Loop(); i++ {
		buf = Append(buf[:0], 0.5084920399817559+float64(i))
	}
}
