package collections

import (
	"regexp"
	"testing"
)

func TestNewIDShape(t *testing.T) {
	seen := map[string]bool{}
	re := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for i := 0; i < 1000; i++ {
		id := NewID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestDecodeDocumentOrder(t *testing.T) {
	d, err := decodeDocument("x", "o", []byte(`{"b":1,"_id":"ignored","a":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := docJSON(t, d); got != `{"_id":"x","b":1,"a":2,"_openid":"o"}` {
		t.Fatal(got)
	}
}

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"a", "用户-1", "2d3d5f3a6645e3c80001b2c3"} {
		if _, err := validateID(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []any{"", "a/b", "a?b", "a#b", "a\nb", int64(1)} {
		if _, err := validateID(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
