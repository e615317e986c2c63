package ejson

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of objects and arrays in a document: MongoDB allows 100
// levels. The store enforces it per document.
const MaxDepth = 100

// MaxDecodeDepth bounds nesting while decoding a whole request, which wraps documents in
// an envelope ({data:[doc]}, {$and:[…]}) a few levels deep. A deeper value is refused
// instead of exhausting the stack.
const MaxDecodeDepth = MaxDepth + 8

// SyntaxError reports malformed JSON or EJSON with the byte offset where it was found.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// ErrTooDeep is returned for values nested deeper than MaxDecodeDepth.
var ErrTooDeep = errors.New("document is nested too deeply")

// Unmarshal decodes one JSON/EJSON value. Both relaxed and canonical Extended JSON are
// accepted (plain JSON is relaxed EJSON), plus CloudBase's server-date forms
// {"$date":{"offset":n}} and {"$tcb_server_date":{"offset":n}}.
func Unmarshal(data []byte) (any, error) {
	p := parser{data: data}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("unexpected data after the value")
	}
	return v, nil
}

// UnmarshalString is Unmarshal for a string.
func UnmarshalString(s string) (any, error) { return Unmarshal([]byte(s)) }

// UnmarshalDoc decodes a value that must be an object.
func UnmarshalDoc(data []byte) (D, error) {
	v, err := Unmarshal(data)
	if err != nil {
		return nil, err
	}
	d, ok := v.(D)
	if !ok {
		return nil, fmt.Errorf("expected a JSON object, got %s", TypeName(v))
	}
	return d, nil
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		if depth >= MaxDecodeDepth {
			return nil, ErrTooDeep
		}
		return p.object(depth + 1)
	case c == '[':
		if depth >= MaxDecodeDepth {
			return nil, ErrTooDeep
		}
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return nil, p.errorf("unexpected character %q", c)
	}
}

func (p *parser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return p.errorf("invalid literal")
	}
	p.pos += len(word)
	return nil
}

func (p *parser) object(depth int) (any, error) {
	start := p.pos
	p.pos++ // {
	var d D
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return D{}, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expected a string key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':' after key")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if d.Index(key) >= 0 {
			return nil, p.errorf("duplicate key %q", key)
		}
		d = append(d, E{Key: key, Value: v})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in object")
		}
		if p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.data[p.pos] == '}' {
			p.pos++
			break
		}
		return nil, p.errorf("expected ',' or '}' in object")
	}
	if len(d) > 0 && len(d[0].Key) > 1 && d[0].Key[0] == '$' {
		v, ok, err := wrapper(d)
		if err != nil {
			return nil, &SyntaxError{Offset: start, Msg: err.Error()}
		}
		if ok {
			return v, nil
		}
	}
	return d, nil
}

func (p *parser) array(depth int) (any, error) {
	p.pos++ // [
	arr := []any{}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return arr, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in array")
		}
		if p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.data[p.pos] == ']' {
			p.pos++
			return arr, nil
		}
		return nil, p.errorf("expected ',' or ']' in array")
	}
}

func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// fast path: no escapes
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := p.data[start:p.pos]
			p.pos++
			if !utf8.Valid(s) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			return string(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("control character in string")
		}
		p.pos++
	}
	var b strings.Builder
	b.Write(p.data[start:p.pos])
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			return s, nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c == '\\':
			p.pos++
			if p.pos >= len(p.data) {
				return "", p.errorf("unexpected end of input in string")
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
						p.pos += 2
						if r2, err = p.hex4(); err != nil {
							return "", err
						}
					}
					r = utf16.DecodeRune(r, r2)
				}
				b.WriteRune(r)
			default:
				return "", p.errorf("invalid escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, error) {
	if len(p.data)-p.pos < 4 {
		return 0, p.errorf("short \\u escape")
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(n), nil
}

func (p *parser) number() (any, error) {
	start := p.pos
	isFloat := false
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := 0
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
		digits++
	}
	if digits == 0 {
		return nil, p.errorf("invalid number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		isFloat = true
		p.pos++
		d := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			d++
		}
		if d == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		isFloat = true
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		d := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			d++
		}
		if d == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	text := string(p.data[start:p.pos])
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, p.errorf("invalid number")
	}
	return f, nil
}

// wrapper converts an EJSON type wrapper object ({"$date":…} etc.) into its value.
// ok is false for objects that are not wrappers (for example query operators).
func wrapper(d D) (v any, ok bool, err error) {
	key := d[0].Key
	inner := d[0].Value
	switch key {
	case "$numberInt":
		if len(d) != 1 {
			return nil, false, nil
		}
		s, isStr := inner.(string)
		if !isStr {
			return nil, true, errors.New("$numberInt must be a string")
		}
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return nil, true, fmt.Errorf("invalid $numberInt %q", s)
		}
		return n, true, nil
	case "$numberLong":
		if len(d) != 1 {
			return nil, false, nil
		}
		s, isStr := inner.(string)
		if !isStr {
			return nil, true, errors.New("$numberLong must be a string")
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, true, fmt.Errorf("invalid $numberLong %q", s)
		}
		return n, true, nil
	case "$numberDouble":
		if len(d) != 1 {
			return nil, false, nil
		}
		s, isStr := inner.(string)
		if !isStr {
			return nil, true, errors.New("$numberDouble must be a string")
		}
		switch s {
		case "Infinity":
			return math.Inf(1), true, nil
		case "-Infinity":
			return math.Inf(-1), true, nil
		case "NaN":
			return math.NaN(), true, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, true, fmt.Errorf("invalid $numberDouble %q", s)
		}
		return f, true, nil
	case "$numberDecimal":
		if len(d) != 1 {
			return nil, false, nil
		}
		s, isStr := inner.(string)
		if !isStr || !decimalPattern.MatchString(s) {
			return nil, true, fmt.Errorf("invalid $numberDecimal")
		}
		return Decimal(s), true, nil
	case "$date":
		if len(d) != 1 {
			return nil, false, nil
		}
		return decodeDate(inner)
	case "$tcb_server_date":
		if len(d) != 1 {
			return nil, false, nil
		}
		sd, ok := inner.(D)
		if !ok {
			return nil, true, errors.New("$tcb_server_date must be an object")
		}
		off, err := serverDateOffset(sd)
		if err != nil {
			return nil, true, err
		}
		return ServerDate{Offset: off}, true, nil
	case "$oid":
		if len(d) != 1 {
			return nil, false, nil
		}
		s, isStr := inner.(string)
		if !isStr || !oidPattern.MatchString(s) {
			return nil, true, errors.New("$oid must be 24 hex characters")
		}
		return ObjectID(strings.ToLower(s)), true, nil
	case "$regularExpression":
		if len(d) != 1 {
			return nil, false, nil
		}
		rd, ok := inner.(D)
		if !ok {
			return nil, true, errors.New("$regularExpression must be an object")
		}
		pat, ok1 := rd.Get("pattern")
		opt, ok2 := rd.Get("options")
		ps, ok3 := pat.(string)
		os, ok4 := opt.(string)
		if !ok1 || !ok3 || (ok2 && !ok4) || len(rd) > 2 || (len(rd) == 2 && !ok2) {
			return nil, true, errors.New("$regularExpression needs string pattern and options")
		}
		return Regex{Pattern: ps, Options: SortRegexOptions(os)}, true, nil
	case "$binary":
		return decodeBinary(d)
	case "$timestamp":
		if len(d) != 1 {
			return nil, false, nil
		}
		td, ok := inner.(D)
		if !ok {
			return nil, true, errors.New("$timestamp must be an object")
		}
		t, _ := td.Get("t")
		i, _ := td.Get("i")
		tn, ok1 := t.(int64)
		in, ok2 := i.(int64)
		if !ok1 || !ok2 || tn < 0 || in < 0 || tn > math.MaxUint32 || in > math.MaxUint32 {
			return nil, true, errors.New("$timestamp needs integer t and i")
		}
		return Timestamp{T: uint32(tn), I: uint32(in)}, true, nil
	case "$minKey":
		if len(d) == 1 {
			return MinKey{}, true, nil
		}
	case "$maxKey":
		if len(d) == 1 {
			return MaxKey{}, true, nil
		}
	case "$undefined":
		if len(d) == 1 {
			return nil, true, nil
		}
	}
	return nil, false, nil
}

var (
	oidPattern     = regexp.MustCompile(`^[0-9a-fA-F]{24}$`)
	decimalPattern = regexp.MustCompile(`^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^[-+]?(Infinity|inf)$|^NaN$`)
)

func decodeDate(inner any) (any, bool, error) {
	switch x := inner.(type) {
	case int64:
		return Date(x), true, nil
	case float64:
		// beyond ±2^63 ms the value cannot be a date (MongoDB's range is ±2^63 ms)
		if math.IsNaN(x) || x >= 9.2e18 || x <= -9.2e18 {
			return nil, true, errors.New("$date is out of range")
		}
		return Date(int64(x)), true, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, true, fmt.Errorf("invalid $date %q", x)
		}
		return DateOf(t), true, nil
	case D:
		// {"$date":{"offset":n}} is the gateway's db.serverDate()
		if _, isOffset := x.Get("offset"); isOffset {
			off, err := serverDateOffset(x)
			if err != nil {
				return nil, true, err
			}
			return ServerDate{Offset: off}, true, nil
		}
		return nil, true, errors.New("invalid $date")
	}
	return nil, true, errors.New("invalid $date")
}

func serverDateOffset(d D) (int64, error) {
	if len(d) == 0 {
		return 0, nil
	}
	v, ok := d.Get("offset")
	if !ok || len(d) != 1 {
		return 0, errors.New("server date takes only an offset")
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, errors.New("server date offset must be finite")
		}
		return int64(x), nil
	case nil:
		return 0, nil
	}
	return 0, errors.New("server date offset must be a number")
}

func decodeBinary(d D) (any, bool, error) {
	// canonical: {"$binary":{"base64":…,"subType":"hh"}}; legacy: {"$binary":…,"$type":"hh"}
	var b64, sub string
	if inner, ok := d[0].Value.(D); ok && len(d) == 1 {
		bv, _ := inner.Get("base64")
		sv, _ := inner.Get("subType")
		b64, _ = bv.(string)
		sub, _ = sv.(string)
	} else if s, ok := d[0].Value.(string); ok && len(d) == 2 && d[1].Key == "$type" {
		b64 = s
		sub, _ = d[1].Value.(string)
	} else {
		return nil, false, nil
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, true, errors.New("invalid $binary base64")
	}
	st, err := strconv.ParseUint(sub, 16, 8)
	if err != nil {
		return nil, true, errors.New("invalid $binary subType")
	}
	return Binary{Subtype: byte(st), Data: data}, true, nil
}

// SortRegexOptions puts regular expression options in the alphabetical order canonical
// EJSON requires (so that options compare as sets).
func SortRegexOptions(s string) string {
	if len(s) < 2 {
		return s
	}
	b := []byte(s)
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j] < b[j-1]; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
	return string(b)
}
