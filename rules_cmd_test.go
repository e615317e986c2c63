package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadRuleDocument(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(file, []byte(`{"read":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		arg, stdin, want, err string
	}{
		{arg: "-", stdin: `{"a":1}`, want: `{"a":1}`},
		{arg: ` {"b":2} `, want: `{"b":2}`},
		{arg: "null", want: "null"},
		{arg: file, want: `{"read":true}`},
		{arg: filepath.Join(dir, "missing.json"), err: "read the rules"},
		{arg: "-", stdin: strings.Repeat("x", maxRuleDocument+1), err: "larger than"},
	}
	for _, c := range cases {
		got, err := readRuleDocument(strings.NewReader(c.stdin), c.arg)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.arg, err, c.err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%q: %q %v, want %q", c.arg, got, err, c.want)
		}
	}
}
