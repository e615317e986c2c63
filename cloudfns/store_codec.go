package cloudfns

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// How a version's bundle is stored: one text field holding base64 of a gzip'd tar
// whose entries are "files/<path>" and "maps/<path>" (config.json's parsed form lives
// in its own JSON field). Gzip shrinks JavaScript 3–5×; base64 costs a third of that
// back but keeps the bundle in an ordinary PocketBase text field, so a version is one
// row: written atomically with the function's active pointer, visible to every process
// through SQLite, included in PocketBase's backups, and readable without the file
// storage. The field is hidden from the API; the dashboard shows the version's config,
// file list, size and hash instead.

const (
	tarFilesPrefix = "files/"
	tarMapsPrefix  = "maps/"
)

// FileInfo describes a file of a stored version.
type FileInfo struct {
	Path string `json:"path"`
	Size int    `json:"size"`
	// Source is the original file a transformed file was made from (lib/util.ts for
	// lib/util.js), or "" when it is stored as written.
	Source string `json:"source,omitempty"`
}

// encodedBundle is a bundle ready to store.
type encodedBundle struct {
	text  string
	files []FileInfo
	size  int64 // bytes of the files (maps not counted)
	hash  string
}

func encodeBundle(b *Bundle) (*encodedBundle, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	h := sha256.New()
	enc := &encodedBundle{}
	add := func(prefix, p string, data []byte) error {
		hdr := &tar.Header{Name: prefix + p, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		var n [8]byte
		h.Write([]byte(prefix + p))
		binary.BigEndian.PutUint64(n[:], uint64(len(data)))
		h.Write(n[:])
		h.Write(data)
		return err
	}
	for _, p := range sortedKeys(b.Files) {
		data := b.Files[p]
		if err := add(tarFilesPrefix, p, data); err != nil {
			return nil, err
		}
		fi := FileInfo{Path: p, Size: len(data)}
		if m := b.SourceMaps[p]; m != nil {
			fi.Source = mapSource(p, m)
		}
		enc.files = append(enc.files, fi)
		enc.size += int64(len(data))
	}
	for _, p := range sortedKeys(b.SourceMaps) {
		if err := add(tarMapsPrefix, p, b.SourceMaps[p]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	cfg, err := json.Marshal(b.Config)
	if err != nil {
		return nil, err
	}
	h.Write([]byte("config"))
	h.Write(cfg)
	enc.text = base64.StdEncoding.EncodeToString(buf.Bytes())
	enc.hash = hex.EncodeToString(h.Sum(nil))
	return enc, nil
}

// mapSource names the original file of a transformed one, from its source map.
func mapSource(p string, m []byte) string {
	var sm struct {
		Sources []string `json:"sources"`
	}
	if json.Unmarshal(m, &sm) != nil || len(sm.Sources) == 0 {
		return ""
	}
	return path.Join(path.Dir(p), sm.Sources[0])
}

var errCorruptBundle = errors.New("stored bundle is corrupt")

// decodeBundle reads a stored bundle's files and maps (not its config).
func decodeBundle(text string) (*Bundle, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorruptBundle, err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorruptBundle, err)
	}
	// Files and maps together stay well under three times the file limit.
	body := &io.LimitedReader{R: gz, N: 3*MaxBundleBytes + (1 << 20)}
	tr := tar.NewReader(body)
	b := &Bundle{Files: map[string][]byte{}}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errCorruptBundle, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errCorruptBundle, err)
		}
		switch {
		case strings.HasPrefix(hdr.Name, tarFilesPrefix):
			b.Files[strings.TrimPrefix(hdr.Name, tarFilesPrefix)] = data
		case strings.HasPrefix(hdr.Name, tarMapsPrefix):
			if b.SourceMaps == nil {
				b.SourceMaps = map[string][]byte{}
			}
			b.SourceMaps[strings.TrimPrefix(hdr.Name, tarMapsPrefix)] = data
		}
	}
	// gzip checks its CRC only at the end of its stream, past the end of the archive:
	// read up to it, so that damaged text is refused rather than decoded wrong.
	if _, err := io.Copy(io.Discard, body); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorruptBundle, err)
	}
	if n, err := gz.Read(make([]byte, 1)); n > 0 || err != io.EOF {
		return nil, fmt.Errorf("%w: %v", errCorruptBundle, cmp.Or(err, errors.New("larger than a bundle can be")))
	}
	return b, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
