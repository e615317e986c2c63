package cloudfns

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// storeCodecEntry is a tar entry (or, for the hash, what is hashed of one).
type storeCodecEntry struct {
	name string
	data string
}

// storeCodecText is a stored bundle's text made by hand from tar entries, written in
// the order given.
func storeCodecText(t *testing.T, entries ...storeCodecEntry) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func storeCodecGzipText(t *testing.T, raw []byte) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func storeCodecBundle(files, maps map[string]string) *Bundle {
	b := &Bundle{Files: map[string][]byte{}}
	for p, s := range files {
		b.Files[p] = []byte(s)
	}
	if maps != nil {
		b.SourceMaps = map[string][]byte{}
		for p, s := range maps {
			b.SourceMaps[p] = []byte(s)
		}
	}
	return b
}

func TestStoreCodecSortedKeys(t *testing.T) {
	cases := []struct {
		name string
		m    map[string]int
		want []string
	}{
		{"nil", nil, []string{}},
		{"empty", map[string]int{}, []string{}},
		{"one", map[string]int{"a": 1}, []string{"a"}},
		{"byte order", map[string]int{"b": 1, "a": 2, "B": 3, "a/b": 4, "a.b": 5, "": 6, "é": 7, "z": 8},
			[]string{"", "B", "a", "a.b", "a/b", "b", "z", "é"}},
		{"paths", map[string]int{"lib/z.js": 0, "index.js": 0, "lib/a.js": 0, "lib/a/b.js": 0},
			[]string{"index.js", "lib/a.js", "lib/a/b.js", "lib/z.js"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range 5 { // map order varies from one iteration to the next
				if got := sortedKeys(c.m); !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %q, want %q", got, c.want)
				}
			}
		})
	}
	// Any value type (the codec sorts map[string][]byte).
	if got := sortedKeys(map[string][]byte{"y": nil, "x": {1}}); !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Errorf("got %q", got)
	}
}

func TestStoreCodecMapSource(t *testing.T) {
	cases := []struct {
		name, path, sourceMap, want string
	}{
		{"beside the file", "lib/util.js", `{"version":3,"sources":["util.ts"]}`, "lib/util.ts"},
		{"at the root", "index.js", `{"sources":["index.ts"]}`, "index.ts"},
		{"relative path cleaned", "dist/a/b.js", `{"sources":["../../src/b.ts"]}`, "src/b.ts"},
		{"first of several", "a.js", `{"sources":["a.ts","b.ts"]}`, "a.ts"},
		{"no sources", "a.js", `{"sources":[]}`, ""},
		{"sources missing", "a.js", `{"version":3}`, ""},
		{"not JSON", "a.js", `not a map`, ""},
		{"sources of the wrong type", "a.js", `{"sources":"a.ts"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mapSource(c.path, []byte(c.sourceMap)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestStoreCodecRoundTrip(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	longPath := strings.Repeat("dir/", 40) + "f.js" // past the 100 bytes of a plain tar name
	cases := []struct {
		name string
		b    *Bundle
	}{
		{"no files", &Bundle{}},
		{"one file, no maps", storeCodecBundle(map[string]string{"index.js": "exports.main = () => 1"}, nil)},
		{"empty file", storeCodecBundle(map[string]string{"index.js": "x", "empty.txt": ""}, nil)},
		{"binary data", &Bundle{Files: map[string][]byte{"index.js": []byte("1"), "bin/all.bin": all}}},
		{"unicode and spaces in paths", storeCodecBundle(map[string]string{"页面/首页.js": "'值'", "a b/c d.js": "2"}, nil)},
		{"long path", storeCodecBundle(map[string]string{longPath: "long", "index.js": "1"}, nil)},
		{"files and maps", storeCodecBundle(
			map[string]string{"index.js": "1", "lib/x.js": "2"},
			map[string]string{"index.js": `{"sources":["index.ts"]}`, "lib/x.js": `{"sources":["x.ts"]}`})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.b.Config = Config{Timeout: 7}
			enc, err := encodeBundle(c.b)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeBundle(enc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got.Files == nil || len(got.Files) != len(c.b.Files) {
				t.Fatalf("files %v", got.Files)
			}
			for p, data := range c.b.Files {
				if d, ok := got.Files[p]; !ok || !bytes.Equal(d, data) {
					t.Errorf("file %q: %q, %v", p, d, ok)
				}
			}
			// SourceMaps stays nil without maps (the runtime checks for nil).
			if (got.SourceMaps == nil) != (len(c.b.SourceMaps) == 0) || len(got.SourceMaps) != len(c.b.SourceMaps) {
				t.Fatalf("maps %v", got.SourceMaps)
			}
			for p, data := range c.b.SourceMaps {
				if !bytes.Equal(got.SourceMaps[p], data) {
					t.Errorf("map %q: %q", p, got.SourceMaps[p])
				}
			}
			// The config has its own field: the text does not carry it.
			if !reflect.DeepEqual(got.Config, Config{}) {
				t.Errorf("config %+v", got.Config)
			}
			// Encoding is deterministic, whatever the maps' iteration order.
			for range 3 {
				again, err := encodeBundle(c.b)
				if err != nil || again.text != enc.text || again.hash != enc.hash {
					t.Fatal("a second encoding differs")
				}
			}
		})
	}
}

// TestStoreCodecLayout reads the stored text back by hand: base64 of a gzip'd tar of
// files/ then maps/ entries, each group in path order.
func TestStoreCodecLayout(t *testing.T) {
	b := storeCodecBundle(
		map[string]string{"z.js": "zz", "a.js": "a", "lib/b.js": "bbbb", "Index.js": "III"},
		map[string]string{"lib/b.js": `{"sources":["b.ts"]}`, "a.js": `{"sources":["../src/a.ts"]}`, "gone.js": `{}`})
	enc, err := encodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(enc.text)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if hdr.Typeflag != tar.TypeReg || hdr.Mode != 0o644 || hdr.Size != int64(len(data)) {
			t.Errorf("%s: type %c mode %o size %d (%d bytes)", hdr.Name, hdr.Typeflag, hdr.Mode, hdr.Size, len(data))
		}
		var want []byte
		if p, ok := strings.CutPrefix(hdr.Name, tarFilesPrefix); ok {
			want = b.Files[p]
		} else {
			want = b.SourceMaps[strings.TrimPrefix(hdr.Name, tarMapsPrefix)]
		}
		if !bytes.Equal(data, want) {
			t.Errorf("%s: %q, want %q", hdr.Name, data, want)
		}
	}
	wantNames := []string{"files/Index.js", "files/a.js", "files/lib/b.js", "files/z.js", "maps/a.js", "maps/gone.js", "maps/lib/b.js"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("entries %q, want %q", names, wantNames)
	}

	// The file list is in path order, with sizes and the sources named by the maps;
	// the size counts files, not maps.
	wantFiles := []FileInfo{{"Index.js", 3, ""}, {"a.js", 1, "../src/a.ts"}, {"lib/b.js", 4, "lib/b.ts"}, {"z.js", 2, ""}}
	if !reflect.DeepEqual(enc.files, wantFiles) {
		t.Errorf("files %+v, want %+v", enc.files, wantFiles)
	}
	if enc.size != 10 {
		t.Errorf("size %d, want 10", enc.size)
	}
	// The file list is stored as JSON: Source is left out when empty.
	fj, _ := json.Marshal(enc.files[:2])
	if string(fj) != `[{"path":"Index.js","size":3},{"path":"a.js","size":1,"source":"../src/a.ts"}]` {
		t.Errorf("file list JSON %s", fj)
	}
}

// TestStoreCodecHash pins how the hash (stored as sourceHash, compared to skip
// unchanged deploys) is made: SHA-256 over each files/ then maps/ entry's name, its
// length as 8 big-endian bytes and its data, then "config" and the config's JSON.
// Changing it would make every unchanged redeploy after an upgrade a new version.
func TestStoreCodecHash(t *testing.T) {
	b := storeCodecBundle(map[string]string{"index.js": "1", "a.js": "xy"}, map[string]string{"index.js": "{}"})
	b.Config = Config{Timeout: 3}
	h := sha256.New()
	for _, e := range []storeCodecEntry{{"files/a.js", "xy"}, {"files/index.js", "1"}, {"maps/index.js", "{}"}} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(e.data)))
		h.Write([]byte(e.name))
		h.Write(n[:])
		h.Write([]byte(e.data))
	}
	h.Write([]byte(`config{"timeout":3,"permissions":{}}`))
	enc, err := encodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(h.Sum(nil)); enc.hash != want {
		t.Errorf("hash %s, want %s", enc.hash, want)
	}

	// Bundles that differ anywhere hash differently; the length framing keeps a
	// byte moved between a name and its data from going unnoticed.
	base := func() *Bundle { return storeCodecBundle(map[string]string{"ab": "c"}, nil) }
	variants := []struct {
		name string
		b    *Bundle
	}{
		{"byte moved from name to data", storeCodecBundle(map[string]string{"a": "bc"}, nil)},
		{"data changed", storeCodecBundle(map[string]string{"ab": "d"}, nil)},
		{"an empty file added", storeCodecBundle(map[string]string{"ab": "c", "e": ""}, nil)},
		{"a map added", storeCodecBundle(map[string]string{"ab": "c"}, map[string]string{"ab": "{}"})},
		{"the file stored as a map", storeCodecBundle(map[string]string{}, map[string]string{"ab": "c"})},
		{"config changed", func() *Bundle { b := base(); b.Config.Envs = map[string]string{"K": "v"}; return b }()},
	}
	ref, err := encodeBundle(base())
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.hash) != 64 {
		t.Errorf("hash %q is not hex SHA-256", ref.hash)
	}
	seen := map[string]string{ref.hash: "base"}
	for _, v := range variants {
		enc, err := encodeBundle(v.b)
		if err != nil {
			t.Fatal(v.name, err)
		}
		if prev, ok := seen[enc.hash]; ok {
			t.Errorf("%s: same hash as %s", v.name, prev)
		}
		seen[enc.hash] = v.name
	}
}

func TestStoreCodecDecodeEntries(t *testing.T) {
	// Entries outside files/ and maps/ are ignored; a later entry of the same path
	// replaces an earlier one.
	got, err := decodeBundle(storeCodecText(t,
		storeCodecEntry{"files/index.js", "old"},
		storeCodecEntry{"other/x", "x"},
		storeCodecEntry{"index.js", "bare"},
		storeCodecEntry{"maps/index.js", "{}"},
		storeCodecEntry{"files/index.js", "new"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 1 || string(got.Files["index.js"]) != "new" {
		t.Errorf("files %q", got.Files)
	}
	if len(got.SourceMaps) != 1 || string(got.SourceMaps["index.js"]) != "{}" {
		t.Errorf("maps %q", got.SourceMaps)
	}

	// An empty archive is an empty bundle, Files not nil.
	got, err = decodeBundle(storeCodecText(t))
	if err != nil || got.Files == nil || len(got.Files) != 0 || got.SourceMaps != nil {
		t.Errorf("empty archive: %+v, %v", got, err)
	}
}

func TestStoreCodecDecodeErrors(t *testing.T) {
	good, err := encodeBundle(storeCodecBundle(map[string]string{"index.js": strings.Repeat("exports.main = () => 1\n", 100)}, nil))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(good.text)

	// A tar whose entry claims more data than follows.
	var short bytes.Buffer
	tw := tar.NewWriter(&short)
	_ = tw.WriteHeader(&tar.Header{Name: "files/index.js", Mode: 0o644, Size: 100, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("only ten b"))
	// (no Close: the archive ends inside the entry)
	block := make([]byte, 512)
	copy(block, "not a tar header")

	cases := []struct {
		name, text string
	}{
		{"empty text", ""},
		{"not base64", "!!not base64!!"},
		{"base64 of something else", base64.StdEncoding.EncodeToString([]byte("hello"))},
		{"gzip cut short", base64.StdEncoding.EncodeToString(raw[:len(raw)/2])},
		{"gzip of less than a tar block", storeCodecGzipText(t, []byte("hello"))},
		{"gzip of a block that is no tar header", storeCodecGzipText(t, block)},
		{"tar ending inside an entry", storeCodecGzipText(t, short.Bytes())},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := decodeBundle(c.text)
			if !errors.Is(err, errCorruptBundle) || b != nil {
				t.Errorf("got %+v, %v; want errCorruptBundle", b, err)
			}
		})
	}
}

// Damaged text is refused, never decoded into other bytes: gzip's CRC is checked
// even though the archive ends before the gzip stream does.
func TestStoreCodecDecodeDamaged(t *testing.T) {
	b := storeCodecBundle(map[string]string{"index.js": "exports.main = () => 'hello world, this is a function';\n"}, nil)
	enc, err := encodeBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(enc.text)
	silent := 0
	for i := 10; i < len(raw); i++ { // past the 10-byte gzip header
		for bit := 0; bit < 8; bit++ {
			bad := bytes.Clone(raw)
			bad[i] ^= 1 << bit
			got, err := decodeBundle(base64.StdEncoding.EncodeToString(bad))
			if err == nil && !reflect.DeepEqual(got.Files, b.Files) {
				silent++
			} else if err != nil && !errors.Is(err, errCorruptBundle) {
				t.Fatalf("byte %d bit %d: %v, want errCorruptBundle", i, bit, err)
			}
		}
	}
	if silent > 0 {
		t.Errorf("%d single-bit flips decoded into other files without an error", silent)
	}

	// A wrong CRC alone (the gzip trailer's first four bytes).
	bad := bytes.Clone(raw)
	bad[len(bad)-8] ^= 0xff
	if _, err := decodeBundle(base64.StdEncoding.EncodeToString(bad)); !errors.Is(err, errCorruptBundle) {
		t.Errorf("wrong CRC: %v", err)
	}
}

func TestStoreCodecEncodeError(t *testing.T) {
	// A path tar cannot carry fails the encoding rather than storing something else.
	enc, err := encodeBundle(storeCodecBundle(map[string]string{"index.js": "1", "a\x00b.js": "2"}, nil))
	if err == nil || enc != nil {
		t.Errorf("got %+v, %v; want an error", enc, err)
	}
}
