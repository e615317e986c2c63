package storage

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// rereadable starts over after EOF, like PocketBase's request bodies.
type rereadable struct {
	data []byte
	r    *bytes.Reader
}

func (r *rereadable) Read(p []byte) (int, error) {
	if r.r == nil {
		r.r = bytes.NewReader(r.data)
	}
	n, err := r.r.Read(p)
	if err == io.EOF {
		r.r = nil
	}
	return n, err
}

func TestUploadReaderRewindsOnce(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	cancelled := false
	u := newUploadReader(iotest.HalfReader(bytes.NewReader(data)), int64(len(data)), func() { cancelled = true })
	head := make([]byte, sniffBytes)
	if _, err := io.ReadFull(u, head); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := u.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) || u.n != int64(len(data)) || cancelled {
		t.Fatalf("read %d bytes (counted %d, cancelled %v), want the %d written", out.Len(), u.n, cancelled, len(data))
	}
	if _, err := u.Seek(0, io.SeekStart); err == nil {
		t.Fatal("a second rewind was allowed")
	}
	if _, err := u.Seek(5, io.SeekStart); err == nil {
		t.Fatal("a seek elsewhere was allowed")
	}
}

func TestUploadReaderLimit(t *testing.T) {
	for _, tc := range []struct {
		size, limit int64
		ok          bool
	}{{10, 10, true}, {0, 0, true}, {11, 10, false}, {100000, 99999, false}, {1, 0, false}} {
		cancelled := false
		u := newUploadReader(bytes.NewReader(make([]byte, tc.size)), tc.limit, func() { cancelled = true })
		_, err := io.Copy(io.Discard, u)
		if tc.ok != (err == nil) || tc.ok == cancelled {
			t.Errorf("size %d limit %d: err %v cancelled %v", tc.size, tc.limit, err, cancelled)
		}
		if !tc.ok && !errors.Is(err, errTooLarge) {
			t.Errorf("size %d limit %d: err %v, want errTooLarge", tc.size, tc.limit, err)
		}
	}
}

func TestUploadReaderStopsAtEOF(t *testing.T) {
	u := newUploadReader(&rereadable{data: []byte("hello world")}, 11, nil)
	b, err := io.ReadAll(u)
	if err != nil || string(b) != "hello world" {
		t.Fatalf("%q %v", b, err)
	}
	if n, err := u.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("read after EOF: %d %v", n, err)
	}
}

func TestUploadReaderSourceError(t *testing.T) {
	boom := errors.New("connection reset")
	cancelled := false
	u := newUploadReader(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 100, func() { cancelled = true })
	if _, err := io.ReadAll(u); !errors.Is(err, boom) || !cancelled || !errors.Is(u.err, boom) {
		t.Fatalf("err %v cancelled %v u.err %v", err, cancelled, u.err)
	}
}

func TestContentTypes(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	cases := []struct {
		declared, path string
		head           []byte
		want           string
	}{
		{"image/webp", "a.png", png, "image/webp"},
		{"", "a.PNG", nil, "image/png"},
		{"", "dir/readme.txt", nil, "text/plain"},
		{"", "noext", png, "image/png"},
		{"", "noext", []byte("plain words"), "text/plain; charset=utf-8"},
		{"", "noext", []byte{0, 1, 2, 3}, "application/octet-stream"},
	}
	for _, c := range cases {
		if got := contentTypeOf(c.declared, c.path, c.head); got != c.want {
			t.Errorf("contentTypeOf(%q, %q) = %q, want %q", c.declared, c.path, got, c.want)
		}
	}
	for _, ct := range []string{"text/plain", "image/png", "text/plain; charset=utf-8"} {
		if err := checkContentType(ct); err != nil {
			t.Errorf("checkContentType(%q) = %v", ct, err)
		}
	}
	for _, ct := range []string{"text/plain\r\nX-Evil: 1", "中/文", "not a type", strings.Repeat("a", 300)} {
		if err := checkContentType(ct); err == nil {
			t.Errorf("checkContentType(%q) passed", ct)
		}
	}
	if !sameMediaType("Text/Plain; charset=utf-8", "text/plain") || sameMediaType("text/plain", "text/html") {
		t.Fatal("sameMediaType")
	}
}

func TestRandomID(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for i := 0; i < 2000; i++ {
		id := randomID(24, lowerDigits)
		if len(id) != 24 || seen[id] {
			t.Fatalf("id %q (seen %v)", id, seen[id])
		}
		seen[id] = true
		for _, r := range id {
			if !strings.ContainsRune(lowerDigits, r) {
				t.Fatalf("id %q has %q", id, r)
			}
			counts[r]++
		}
	}
	// 48,000 characters over 36 letters: about 1,333 each
	for _, r := range lowerDigits {
		if counts[r] < 1000 || counts[r] > 1700 {
			t.Fatalf("uneven: %q appears %d times", r, counts[r])
		}
	}
}

func TestUploadReaderNoRewindAfterReadingFar(t *testing.T) {
	u := newUploadReader(bytes.NewReader(make([]byte, 100000)), 1<<20, nil)
	if n, err := io.Copy(io.Discard, u); err != nil || n != 100000 {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := u.Seek(0, io.SeekStart); err == nil {
		t.Fatal("rewound after reading past the kept head")
	}
}
