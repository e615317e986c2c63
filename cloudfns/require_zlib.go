package cloudfns

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"hash/crc32"
	"io"

	"github.com/dop251/goja"
)

// zlib's Go half: one-shot compression and decompression (the prelude's zlib module
// builds the sync, callback and stream forms on it). Go's standard library has gzip,
// zlib and raw deflate but no brotli, so the prelude refuses brotli.

// maxInflateBytes caps what one decompression may produce, so a small zip bomb is
// refused with a RangeError instead of filling the function's memory (a quarter of the
// 256 MB CloudBase gives a function; the allocation guard may lower it further).
const maxInflateBytes = 64 << 20

// zlibFailure is a zlib error as Node reports it: message, code ("Z_DATA_ERROR") and
// errno; a RangeError when the output is too large.
type zlibFailure struct {
	message, code string
	errno         int
	rangeErr      bool
}

func (e *zlibFailure) Error() string { return e.message }

func zlibError(err error, dict bool) *zlibFailure {
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &zlibFailure{message: "unexpected end of file", code: "Z_BUF_ERROR", errno: -5}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		return &zlibFailure{message: "incorrect header check", code: "Z_DATA_ERROR", errno: -3}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		return &zlibFailure{message: "incorrect data check", code: "Z_DATA_ERROR", errno: -3}
	case errors.Is(err, zlib.ErrDictionary) && dict:
		return &zlibFailure{message: "Bad dictionary", code: "Z_DATA_ERROR", errno: -3}
	case errors.Is(err, zlib.ErrDictionary):
		return &zlibFailure{message: "Missing dictionary", code: "Z_NEED_DICT", errno: 2}
	case errors.As(err, &ce):
		return &zlibFailure{message: "invalid compressed data (" + err.Error() + ")", code: "Z_DATA_ERROR", errno: -3}
	}
	return &zlibFailure{message: err.Error(), code: "Z_DATA_ERROR", errno: -3}
}

// capWriter collects output up to max bytes.
type capWriter struct {
	buf bytes.Buffer
	max int
}

var errOutputCap = errors.New("output limit")

func (w *capWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		n := w.max - w.buf.Len()
		w.buf.Write(p[:n])
		return n, errOutputCap
	}
	return w.buf.Write(p)
}

// zlibOptions are the options of one call: level and strategy for compression, a
// preset dictionary (deflate and raw deflate), the output cap, and partial: a truncated
// input gives what it holds (finishFlush: Z_SYNC_FLUSH) instead of an error.
type zlibOptions struct {
	level, strategy int
	dict            []byte
	max             int
	partial         bool
}

// zlibProcess runs mode ("gzip", "gunzip", "deflate", "inflate", "deflateRaw",
// "inflateRaw", "unzip") over data.
func zlibProcess(mode string, data []byte, o zlibOptions) ([]byte, error) {
	level := o.level
	if o.strategy == 2 { // Z_HUFFMAN_ONLY; Go has no Z_FILTERED, Z_RLE or Z_FIXED (they compress with the default)
		level = flate.HuffmanOnly
	}
	var out bytes.Buffer
	var w io.WriteCloser
	var err error
	switch mode {
	case "gzip":
		var gw *gzip.Writer
		gw, err = gzip.NewWriterLevel(&out, level)
		if err == nil {
			gw.OS = 3 // Unix, as Node's zlib writes
		}
		w = gw
	case "deflate":
		w, err = zlib.NewWriterLevelDict(&out, level, o.dict)
	case "deflateRaw":
		w, err = flate.NewWriterDict(&out, level, o.dict)
	case "gunzip", "inflate", "inflateRaw", "unzip":
		return inflate(mode, data, o)
	default:
		return nil, errors.New("unknown zlib mode " + mode)
	}
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func inflate(mode string, data []byte, o zlibOptions) ([]byte, error) {
	if mode == "unzip" {
		mode = "inflate"
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			mode = "gunzip"
		}
	}
	w := &capWriter{max: o.max}
	br := bytes.NewReader(data)
	var err error
	switch mode {
	case "gunzip":
		err = gunzipMembers(w, br)
	case "inflate":
		var r io.ReadCloser
		if r, err = zlib.NewReaderDict(br, o.dict); err == nil {
			_, err = io.Copy(w, r)
		}
	case "inflateRaw":
		_, err = io.Copy(w, flate.NewReaderDict(br, o.dict))
	}
	switch {
	case errors.Is(err, errOutputCap):
		return nil, errOutputCap
	case err != nil && o.partial && errors.Is(err, io.ErrUnexpectedEOF):
		// A truncated stream read with Z_SYNC_FLUSH gives what it holds.
	case err != nil:
		return nil, zlibError(err, o.dict != nil)
	}
	return w.buf.Bytes(), nil
}

// gunzipMembers decompresses concatenated gzip members; bytes after the last member
// that do not start another one are ignored, as Node ignores them.
func gunzipMembers(w io.Writer, br *bytes.Reader) error {
	zr, err := gzip.NewReader(br) // a bytes.Reader is an io.ByteReader: nothing is read ahead
	if err != nil {
		return err
	}
	for {
		zr.Multistream(false)
		if _, err := io.Copy(w, zr); err != nil {
			return err
		}
		if br.Len() < 2 {
			return nil
		}
		var magic [2]byte
		_, _ = br.ReadAt(magic[:], br.Size()-int64(br.Len()))
		if magic != [2]byte{0x1f, 0x8b} {
			return nil
		}
		if err := zr.Reset(br); err != nil {
			return err
		}
	}
}

func (in *Instance) zlibNatives() *goja.Object {
	vm := in.vm
	z := vm.NewObject()
	// process(mode, bytes, level, strategy, dictionary|null, maxOutputLength, partial) →
	// ArrayBuffer, or {message, code, errno, range} for the prelude to throw.
	_ = z.Set("process", func(c goja.FunctionCall) goja.Value {
		o := zlibOptions{
			level:    int(c.Argument(2).ToInteger()),
			strategy: int(c.Argument(3).ToInteger()),
			max:      int(min(maxInflateBytes, in.guards.maxBytes)),
			partial:  c.Argument(6).ToBoolean(),
		}
		if d := c.Argument(4); in.isBinary(d) {
			o.dict = bytes.Clone(in.bytesOf(d))
		}
		userMax := c.Argument(5).ToInteger()
		if userMax > 0 && userMax < int64(o.max) {
			o.max = int(userMax)
		}
		out, err := zlibProcess(c.Argument(0).String(), in.bytesOf(c.Argument(1)), o)
		if err != nil {
			var zf *zlibFailure
			switch {
			case errors.Is(err, errOutputCap) && userMax > 0 && int64(o.max) == userMax:
				zf = &zlibFailure{message: "Cannot create a Buffer larger than " + itoa(o.max) + " bytes", code: "ERR_BUFFER_TOO_LARGE", rangeErr: true}
			case errors.Is(err, errOutputCap):
				zf = &zlibFailure{message: "Cannot create a Buffer larger than " + itoa(o.max) + " bytes: Minicloud refuses to decompress more than " + itoa(o.max>>20) + " MiB", code: "ERR_BUFFER_TOO_LARGE", rangeErr: true}
			case errors.As(err, &zf):
			default:
				zf = &zlibFailure{message: err.Error(), code: "Z_STREAM_ERROR", errno: -2}
			}
			e := vm.NewObject()
			_ = e.Set("message", zf.message)
			_ = e.Set("code", zf.code)
			_ = e.Set("errno", zf.errno)
			_ = e.Set("range", zf.rangeErr)
			return e
		}
		return vm.ToValue(vm.NewArrayBuffer(out))
	})
	_ = z.Set("crc32", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(crc32.Update(uint32(c.Argument(1).ToInteger()), crc32.IEEETable, in.bytesOf(c.Argument(0))))
	})
	return z
}
