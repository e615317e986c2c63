package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGojaMainCPU(t *testing.T) {
	ctx := context.Background()
	d, err := gojaMainCPU(ctx, srcTransform, transformEvent(), 50*time.Millisecond)
	if err != nil || d <= 0 {
		t.Fatalf("transform: %v, %v", d, err)
	}
	for _, c := range []struct{ name, src, want string }{
		{"rejected", `exports.main = async () => { throw new Error('boom'); }`, "rejected"},
		{"no main", `exports.handler = async () => 1`, "no main"},
		{"require", `require('fs'); exports.main = async () => 1`, "require is not available"},
		{"syntax", `exports.main = async () => {`, "SyntaxError"},
	} {
		if _, err := gojaMainCPU(ctx, c.src, `{}`, 10*time.Millisecond); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestNodeMainCPU(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "index.js")
	if err := os.WriteFile(file, []byte(srcTransform), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := nodeMainCPU(context.Background(), node, file, transformEvent(), 50*time.Millisecond)
	if err != nil || d <= 0 {
		t.Fatalf("transform: %v, %v", d, err)
	}
	if err := os.WriteFile(file, []byte(`exports.main = async () => { throw new Error('boom'); }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := nodeMainCPU(context.Background(), node, file, `{}`, 10*time.Millisecond); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a throwing main: %v", err)
	}
}

func TestFloorMicros(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{1240 * time.Nanosecond, "1.24 µs"}, {81234 * time.Nanosecond, "81.2 µs"}, {116400 * time.Nanosecond, "116 µs"}} {
		if got := floorMicros(c.d); got != c.want {
			t.Errorf("floorMicros(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
