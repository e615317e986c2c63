package ejson

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Mode selects an Extended JSON flavour for encoding.
type Mode int

const (
	// Relaxed writes numbers as plain JSON numbers and dates as {"$date":<ms>}: what the
	// client dialects send and what js-sdk turns back into Date objects. Storage uses it too.
	Relaxed Mode = iota
	// Canonical writes type wrappers for every number and date, as the admin dialect's
	// EJSON strings do (node-sdk and wx-server-sdk parse them with bson's EJSON).
	Canonical
)

// Marshal encodes v in the given mode.
func Marshal(v any, mode Mode) ([]byte, error) {
	return AppendValue(nil, v, mode)
}

// MarshalString is Marshal returning a string.
func MarshalString(v any, mode Mode) (string, error) {
	b, err := Marshal(v, mode)
	return string(b), err
}

// AppendValue appends the encoding of v to buf.
func AppendValue(buf []byte, v any, mode Mode) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case bool:
		if x {
			return append(buf, "true"...), nil
		}
		return append(buf, "false"...), nil
	case int64:
		if mode == Canonical {
			if x >= math.MinInt32 && x <= math.MaxInt32 {
				buf = append(buf, `{"$numberInt":"`...)
			} else {
				buf = append(buf, `{"$numberLong":"`...)
			}
			buf = strconv.AppendInt(buf, x, 10)
			return append(buf, `"}`...), nil
		}
		return strconv.AppendInt(buf, x, 10), nil
	case int:
		return AppendValue(buf, int64(x), mode)
	case int32:
		return AppendValue(buf, int64(x), mode)
	case float64:
		return appendFloat(buf, x, mode), nil
	case string:
		return AppendString(buf, x), nil
	case D:
		buf = append(buf, '{')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = AppendString(buf, e.Key)
			buf = append(buf, ':')
			var err error
			if buf, err = AppendValue(buf, e.Value, mode); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case []any:
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = AppendValue(buf, e, mode); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	case Date:
		if mode == Canonical {
			buf = append(buf, `{"$date":{"$numberLong":"`...)
			buf = strconv.AppendInt(buf, int64(x), 10)
			return append(buf, `"}}`...), nil
		}
		buf = append(buf, `{"$date":`...)
		buf = strconv.AppendInt(buf, int64(x), 10)
		return append(buf, '}'), nil
	case ServerDate:
		buf = append(buf, `{"$date":{"offset":`...)
		buf = strconv.AppendInt(buf, x.Offset, 10)
		return append(buf, `}}`...), nil
	case Regex:
		buf = append(buf, `{"$regularExpression":{"pattern":`...)
		buf = AppendString(buf, x.Pattern)
		buf = append(buf, `,"options":`...)
		buf = AppendString(buf, x.Options)
		return append(buf, `}}`...), nil
	case ObjectID:
		buf = append(buf, `{"$oid":`...)
		buf = AppendString(buf, string(x))
		return append(buf, '}'), nil
	case Decimal:
		buf = append(buf, `{"$numberDecimal":`...)
		buf = AppendString(buf, string(x))
		return append(buf, '}'), nil
	case Binary:
		buf = append(buf, `{"$binary":{"base64":"`...)
		buf = append(buf, base64.StdEncoding.EncodeToString(x.Data)...)
		buf = append(buf, `","subType":"`...)
		buf = append(buf, fmt.Sprintf("%02x", x.Subtype)...)
		return append(buf, `"}}`...), nil
	case Timestamp:
		buf = append(buf, `{"$timestamp":{"t":`...)
		buf = strconv.AppendUint(buf, uint64(x.T), 10)
		buf = append(buf, `,"i":`...)
		buf = strconv.AppendUint(buf, uint64(x.I), 10)
		return append(buf, `}}`...), nil
	case MinKey:
		return append(buf, `{"$minKey":1}`...), nil
	case MaxKey:
		return append(buf, `{"$maxKey":1}`...), nil
	}
	return nil, fmt.Errorf("ejson: cannot encode %T", v)
}

func appendFloat(buf []byte, f float64, mode Mode) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, `{"$numberDouble":"NaN"}`...)
	case math.IsInf(f, 1):
		return append(buf, `{"$numberDouble":"Infinity"}`...)
	case math.IsInf(f, -1):
		return append(buf, `{"$numberDouble":"-Infinity"}`...)
	}
	if mode == Canonical {
		buf = append(buf, `{"$numberDouble":"`...)
		buf = appendPlainFloat(buf, f)
		return append(buf, `"}`...)
	}
	return appendPlainFloat(buf, f)
}

// appendPlainFloat writes f so that it reads back as a double: an integral value
// keeps a ".0" suffix.
func appendPlainFloat(buf []byte, f float64) []byte {
	start := len(buf)
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		buf = strconv.AppendFloat(buf, f, 'e', -1, 64)
	} else {
		buf = strconv.AppendFloat(buf, f, 'f', -1, 64)
	}
	for _, c := range buf[start:] {
		if c == '.' || c == 'e' || c == 'E' {
			return buf
		}
	}
	return append(buf, ".0"...)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string literal.
func AppendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// TypeName names the type of a value the way error messages show it to users.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, int, int32:
		return "int"
	case float64:
		return "double"
	case string:
		return "string"
	case D:
		return "object"
	case []any:
		return "array"
	case Date:
		return "date"
	case ServerDate:
		return "serverDate"
	case Regex:
		return "regex"
	case ObjectID:
		return "objectId"
	case Decimal:
		return "decimal"
	case Binary:
		return "binData"
	case Timestamp:
		return "timestamp"
	case MinKey:
		return "minKey"
	case MaxKey:
		return "maxKey"
	}
	return fmt.Sprintf("%T", v)
}
