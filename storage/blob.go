package storage

import (
	"crypto/md5"
	"crypto/rand"
	"errors"
	"hash"
	"io"
	"mime"
	"path"
	"strings"
	"sync"
	"unicode"

	"github.com/gabriel-vasile/mimetype"
)

// blobPrefix is the folder of PocketBase's filesystem holding the bytes of stored files,
// one blob per upload under a random name (so that an upload never touches the blob
// readers of the previous version are streaming, and a failed one leaves nothing).
const blobPrefix = "_mc_files/"

// sniffBytes is how much of an upload is kept for content sniffing (mimetype's limit).
const sniffBytes = 3072

var errTooLarge = errors.New("upload larger than allowed")

// uploadReader streams a request body into PocketBase's filesystem without holding it
// in memory. It counts and hashes the bytes, fails once more than limit arrive
// (cancelling the write so the filesystem drops the partial blob), and can rewind once
// to the start after PocketBase's uploader has sniffed the first bytes.
type uploadReader struct {
	src    io.Reader
	limit  int64
	cancel func()

	n    int64
	md5  hash.Hash
	head []byte // the first bytes, replayed after the rewind
	pos  int    // replay position in head
	// headMax: how much head may keep for a rewind (at least sniffBytes are kept)
	headMax int
	wind    bool // rewound
	// noRewind: more was read before any rewind than head keeps
	noRewind bool
	eof      bool  // src is exhausted
	err      error // the first failure of src or of the limit
}

func newUploadReader(src io.Reader, limit int64, cancel func()) *uploadReader {
	return &uploadReader{src: src, limit: limit, cancel: cancel, md5: md5.New(), head: make([]byte, 0, sniffBytes), headMax: 16 * sniffBytes}
}

// Open makes the reader a filesystem.FileReader.
func (u *uploadReader) Open() (io.ReadSeekCloser, error) { return u, nil }

func (u *uploadReader) Read(p []byte) (int, error) {
	if u.wind && u.pos < len(u.head) {
		n := copy(p, u.head[u.pos:])
		u.pos += n
		return n, nil
	}
	if u.err != nil {
		return 0, u.err
	}
	if u.eof {
		return 0, io.EOF
	}
	n, err := u.src.Read(p)
	if n > 0 {
		u.n += int64(n)
		if u.n > u.limit {
			u.fail(errTooLarge)
			return 0, errTooLarge
		}
		_, _ = u.md5.Write(p[:n])
		if !u.wind && !u.noRewind {
			if len(u.head)+n > u.headMax {
				// read on without rewinding: nothing to replay any more, but keep
				// what content sniffing reads
				if len(u.head) < sniffBytes {
					u.head = append(u.head, p[:min(n, sniffBytes-len(u.head))]...)
				}
				u.noRewind = true
			} else {
				u.head = append(u.head, p[:n]...)
			}
		}
	}
	if err == io.EOF {
		// never read src again: some readers (PocketBase's re-readable request body)
		// start over after EOF
		u.eof = true
	} else if err != nil {
		u.fail(err)
	}
	return n, err
}

func (u *uploadReader) fail(err error) {
	if u.err == nil {
		u.err = err
		if u.cancel != nil {
			u.cancel()
		}
	}
}

// Seek supports only the rewind to the start that PocketBase's uploader does once.
func (u *uploadReader) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekStart || u.wind || u.noRewind {
		return 0, errors.New("upload reader: only one rewind to the start is supported")
	}
	u.wind, u.pos = true, 0
	return 0, nil
}

func (u *uploadReader) Close() error { return nil }

// copyBufs are the buffers WriteTo copies large uploads through: larger than the 4 KiB
// PocketBase's blob writer would use, so that a large upload takes few writes;
// smallBufs those of small uploads, which fit in one.
var (
	copyBufs  = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
	smallBufs = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}
)

// WriteTo copies the rest of the upload to w (PocketBase's blob writer prefers it to
// its own small-buffer copy).
func (u *uploadReader) WriteTo(w io.Writer) (int64, error) {
	pool := &copyBufs
	if u.limit-u.n+1 <= 16<<10 {
		pool = &smallBufs
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	buf := *bp
	var total int64
	for {
		// fill the buffer before writing: a request body arrives in small reads, and
		// each write is a system call
		n, err := io.ReadFull(u, buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				u.fail(werr)
				return total, werr
			}
		}
		switch {
		case u.err != nil:
			return total, u.err
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return total, nil // (the source's end; its own failures are in u.err)
		case err != nil:
			return total, err
		}
	}
}

// extTypes are the content types of common extensions, so that a file uploaded without
// a content type is served alike on every machine (Go's mime table depends on the
// system's mime.types).
var extTypes = map[string]string{
	".txt": "text/plain", ".json": "application/json", ".html": "text/html", ".htm": "text/html",
	".css": "text/css", ".js": "application/javascript", ".mjs": "application/javascript",
	".csv": "text/csv", ".xml": "application/xml", ".md": "text/markdown",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".svg": "image/svg+xml", ".ico": "image/x-icon", ".bmp": "image/bmp",
	".avif": "image/avif", ".heic": "image/heic", ".tif": "image/tiff", ".tiff": "image/tiff",
	".pdf": "application/pdf", ".zip": "application/zip", ".gz": "application/gzip",
	".tar": "application/x-tar", ".7z": "application/x-7z-compressed", ".rar": "application/vnd.rar",
	".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".m3u8": "application/vnd.apple.mpegurl",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".aac": "audio/aac", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
	".silk": "audio/silk", ".amr": "audio/amr",
	".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".wasm": "application/wasm", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
}

// contentTypeOf picks a stored file's content type: the declared one, else by the
// extension of its cloud path, else by sniffing its first bytes.
func contentTypeOf(declared, cloudPath string, head []byte) string {
	if declared != "" {
		return declared
	}
	ext := strings.ToLower(path.Ext(cloudPath))
	if t, ok := extTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); ext != "" && t != "" {
		return t
	}
	return mimetype.Detect(head).String()
}

// checkContentType validates a declared content type.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	if len(ct) > 255 {
		return invalid("the content type is longer than 255 bytes")
	}
	for _, r := range ct {
		if r > unicode.MaxASCII || unicode.IsControl(r) {
			return invalid("the content type %s holds a character that is not printable ASCII", quote(ct))
		}
	}
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		return invalid("the content type %s is not a media type", quote(ct))
	}
	return nil
}

// sameMediaType compares two content types by their media type (type/subtype, case
// insensitive), ignoring parameters.
func sameMediaType(a, b string) bool {
	ma, _, errA := mime.ParseMediaType(a)
	mb, _, errB := mime.ParseMediaType(b)
	if errA != nil || errB != nil {
		return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	return ma == mb
}

// randomID returns n random characters of alphabet (at most 256 characters long), from
// one read of crypto/rand; rejection sampling keeps every character equally likely.
func randomID(n int, alphabet string) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	alnum       = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
