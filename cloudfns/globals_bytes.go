package cloudfns

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// Go halves of Buffer (the prelude's Buffer is a Uint8Array subclass): string codecs,
// compare, search, fill.

// normEncoding maps Node's encoding names to ours; "" when unknown.
func normEncoding(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "utf8"
	}
	switch strings.ToLower(v.String()) {
	case "utf8", "utf-8", "":
		return "utf8"
	case "hex":
		return "hex"
	case "base64":
		return "base64"
	case "base64url":
		return "base64url"
	case "latin1", "binary":
		return "latin1"
	case "ascii":
		return "ascii"
	case "utf16le", "utf-16le", "ucs2", "ucs-2":
		return "utf16le"
	}
	return ""
}

func (in *Instance) encodingArg(v goja.Value) string {
	enc := normEncoding(v)
	if enc == "" {
		e := in.vm.NewTypeError("Unknown encoding: " + v.String())
		_ = e.Set("code", "ERR_UNKNOWN_ENCODING")
		panic(e)
	}
	return enc
}

// stringBytes encodes a JavaScript string to bytes in enc (Buffer.from(str, enc)).
func stringBytes(v goja.Value, enc string) []byte {
	switch enc {
	case "hex":
		s := v.String()
		out := make([]byte, 0, len(s)/2)
		for i := 0; i+1 < len(s); i += 2 {
			var b [1]byte
			if _, err := hex.Decode(b[:], []byte(s[i:i+2])); err != nil {
				break // Node stops at the first invalid pair
			}
			out = append(out, b[0])
		}
		return out
	case "base64", "base64url":
		return decodeBase64Loose(v.String())
	case "latin1", "ascii":
		if s, ok := v.(goja.String); ok {
			n := s.Length()
			b := make([]byte, n)
			for i := 0; i < n; i++ {
				b[i] = byte(s.CharAt(i))
			}
			return b
		}
		b, _ := latin1Bytes(v)
		return b
	case "utf16le":
		var units []uint16
		if s, ok := v.(goja.String); ok {
			n := s.Length()
			units = make([]uint16, n)
			for i := 0; i < n; i++ {
				units[i] = s.CharAt(i)
			}
		} else {
			units = utf16.Encode([]rune(v.String()))
		}
		b := make([]byte, 2*len(units))
		for i, u := range units {
			b[2*i] = byte(u)
			b[2*i+1] = byte(u >> 8)
		}
		return b
	}
	return []byte(v.String())
}

// decodeBase64Loose decodes base64 or base64url, ignoring characters outside both
// alphabets and missing padding, as Node does.
func decodeBase64Loose(s string) []byte {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '-':
			clean = append(clean, '+')
		case c == '_':
			clean = append(clean, '/')
		case c == '=':
			i = len(s) // padding ends the data
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// bytesString decodes bytes to a JavaScript string in enc (buf.toString(enc)).
func bytesString(vm *goja.Runtime, b []byte, enc string) goja.Value {
	switch enc {
	case "hex":
		return vm.ToValue(hex.EncodeToString(b))
	case "base64":
		return vm.ToValue(base64.StdEncoding.EncodeToString(b))
	case "base64url":
		return vm.ToValue(base64.RawURLEncoding.EncodeToString(b))
	case "latin1":
		return vm.ToValue(latin1String(b))
	case "ascii":
		c := make([]byte, len(b))
		for i, x := range b {
			c[i] = x & 0x7f
		}
		return vm.ToValue(string(c))
	case "utf16le":
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return goja.StringFromUTF16(units) // keeps lone surrogates, as Node does
	}
	return vm.ToValue(decodeUTF8(b))
}

func (in *Instance) bufferNatives() *goja.Object {
	vm := in.vm
	o := vm.NewObject()
	_ = o.Set("max", in.guards.maxBytes)
	_ = o.Set("maxString", in.guards.maxString)
	_ = o.Set("isEncoding", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(normEncoding(c.Argument(0)) != "" && !goja.IsUndefined(c.Argument(0)))
	})
	_ = o.Set("fromString", func(c goja.FunctionCall) goja.Value {
		b := stringBytes(c.Argument(0), in.encodingArg(c.Argument(1)))
		return vm.ToValue(vm.NewArrayBuffer(b))
	})
	// writeCut shortens n, the number of bytes of an encoded string that fit, so that
	// buf.write stores whole characters only: UTF-8 sequences, UTF-16 code units.
	_ = o.Set("writeCut", func(c goja.FunctionCall) goja.Value {
		b := in.bytesOf(c.Argument(0))
		n := int(c.Argument(1).ToInteger())
		if n >= len(b) {
			return vm.ToValue(len(b))
		}
		switch in.encodingArg(c.Argument(2)) {
		case "utf8":
			for n > 0 && b[n]&0xC0 == 0x80 {
				n--
			}
		case "utf16le":
			n &^= 1
		}
		return vm.ToValue(max(n, 0))
	})
	_ = o.Set("toString", func(c goja.FunctionCall) goja.Value {
		b := in.bytesOf(c.Argument(0))
		enc := in.encodingArg(c.Argument(1))
		start, end := int(c.Argument(2).ToInteger()), len(b)
		if e := c.Argument(3); !goja.IsUndefined(e) {
			end = int(e.ToInteger())
		}
		start, end = max(0, min(start, len(b))), max(0, min(end, len(b)))
		if start >= end {
			return vm.ToValue("")
		}
		if (end-start)*2 > in.guards.maxString && (enc == "hex" || enc == "base64") {
			in.guards.refuse("Invalid string length")
		}
		return bytesString(vm, b[start:end], enc)
	})
	_ = o.Set("byteLength", func(c goja.FunctionCall) goja.Value {
		enc := normEncoding(c.Argument(1))
		if enc == "" {
			enc = "utf8" // Node falls back to UTF-8 for an unknown encoding
		}
		v := c.Argument(0)
		switch enc {
		case "utf8":
			if s, ok := v.(goja.String); ok {
				n := 0
				l := s.Length()
				for i := 0; i < l; i++ {
					u := s.CharAt(i)
					switch {
					case u < 0x80:
						n++
					case u < 0x800:
						n += 2
					case u >= 0xD800 && u <= 0xDBFF && i+1 < l && s.CharAt(i+1) >= 0xDC00 && s.CharAt(i+1) <= 0xDFFF:
						n += 4
						i++
					default:
						n += 3
					}
				}
				return vm.ToValue(n)
			}
			return vm.ToValue(len(v.String()))
		case "latin1", "ascii":
			return vm.ToValue(strLen(v))
		case "utf16le":
			return vm.ToValue(2 * strLen(v))
		case "hex":
			return vm.ToValue(strLen(v) >> 1) // Node's estimate, from the length alone
		case "base64", "base64url":
			// Node's base64ByteLength: the length less up to two trailing '=', times 3/4.
			n := strLen(v)
			if s, ok := v.(goja.String); ok {
				if n > 0 && s.CharAt(n-1) == '=' {
					n--
				}
				if n > 1 && s.CharAt(n-1) == '=' {
					n--
				}
			}
			return vm.ToValue((n * 3) >> 2)
		}
		return vm.ToValue(len(stringBytes(v, enc)))
	})
	_ = o.Set("compare", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(bytes.Compare(in.bytesOf(c.Argument(0)), in.bytesOf(c.Argument(1))))
	})
	_ = o.Set("indexOf", func(c goja.FunctionCall) goja.Value {
		hay, needle := in.bytesOf(c.Argument(0)), in.bytesOf(c.Argument(1))
		ucs2 := normEncoding(c.Argument(4)) == "utf16le" && !goja.IsUndefined(c.Argument(4))
		return vm.ToValue(bufferIndexOf(hay, needle, c.Argument(2).ToInteger(), c.Argument(3).ToBoolean(), ucs2))
	})
	_ = o.Set("fill", func(c goja.FunctionCall) goja.Value {
		buf, pat := in.bytesOf(c.Argument(0)), in.bytesOf(c.Argument(1))
		start, end := int(c.Argument(2).ToInteger()), int(c.Argument(3).ToInteger())
		start, end = max(0, min(start, len(buf))), max(0, min(end, len(buf)))
		if len(pat) == 0 || start >= end {
			return goja.Undefined()
		}
		dst := buf[start:end]
		n := copy(dst, pat)
		for n < len(dst) {
			n += copy(dst[n:], dst[:n])
		}
		return goja.Undefined()
	})
	return o
}

// bufferIndexOf is Node's IndexOfString/IndexOfBuffer: the offset as IndexOfOffset
// computes it, then a forward or backward search of bytes or, for UTF-16, of 2-byte
// units (matches at even offsets only).
func bufferIndexOf(hay, needle []byte, off int64, last, ucs2 bool) int64 {
	n, l := int64(len(needle)), int64(len(hay))
	var opt int64
	switch {
	case off < 0 && off+l >= 0:
		opt = l + off
	case off < 0 && (!last || n == 0):
		opt = 0
	case off < 0:
		opt = -1
	case off+n <= l:
		opt = off
	case n == 0:
		opt = l
	case !last:
		opt = -1
	default:
		opt = l - 1
	}
	if n == 0 {
		return opt
	}
	if l == 0 || opt < 0 || (!last && n+opt > l) || n > l {
		return -1
	}
	unit := int64(1)
	if ucs2 {
		if l < 2 || n < 2 {
			return -1
		}
		unit = 2
	}
	if unit == 1 { // plain bytes: the library searches
		if !last {
			if i := bytes.Index(hay[opt:], needle); i >= 0 {
				return int64(i) + opt
			}
			return -1
		}
		return int64(bytes.LastIndex(hay[:min(opt, l-n)+n], needle))
	}
	hu, nu, start := l/unit, n/unit, opt/unit
	match := func(i int64) bool {
		return bytes.Equal(hay[i*unit:(i+nu)*unit], needle[:nu*unit])
	}
	if !last {
		for i := start; i+nu <= hu; i++ {
			if match(i) {
				return i * unit
			}
		}
		return -1
	}
	for i := min(start, hu-nu); i >= 0; i-- {
		if match(i) {
			return i * unit
		}
	}
	return -1
}
