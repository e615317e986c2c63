package cloudfns

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/internal/jsnum"
)

// Fast JSON for the runtime: goja's JSON.parse goes through encoding/json's token API
// and is the largest cost of a small invocation, and its stringify needs a counting
// replacer to stay bounded. These convert directly between JSON text and goja values:
//
//   - parseJSON builds the event, and backs JSON.parse when there is no reviver (it
//     falls back to goja's parser for what it does not handle: lone surrogates);
//   - jsonEncoder writes the result, and backs JSON.stringify when there is no replacer
//     and no indentation: plain objects and arrays are walked in Go with a size and a
//     depth bound; anything else (Map, boxed primitives, typed arrays, BigInt …) goes to
//     goja's stringify (bounded by the counting replacer) for that sub-value.

var (
	errJSONFallback = errors.New("use goja's JSON")
	reflectInt64    = reflect.TypeOf(int64(0))
	reflectFloat64  = reflect.TypeOf(float64(0))
	reflectBool     = reflect.TypeOf(false)
)

// jsonSyntaxError is a JSON.parse failure, worded as V8 does.
type jsonSyntaxError struct{ msg string }

func (e *jsonSyntaxError) Error() string { return e.msg }

type jsonParser struct {
	vm    *goja.Runtime
	s     string
	i     int
	depth int
	items [][]interface{} // reused element buffers per depth
}

// parseJSON parses JSON text into goja values.
func parseJSON(vm *goja.Runtime, s string) (goja.Value, error) {
	p := jsonParser{vm: vm, s: s}
	p.ws()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i < len(p.s) {
		return nil, p.unexpected()
	}
	return v, nil
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) unexpected() error {
	if p.i >= len(p.s) {
		return &jsonSyntaxError{"Unexpected end of JSON input"}
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	what := "token " + string(r)
	switch {
	case r == '"':
		what = "string"
	case r >= '0' && r <= '9' || r == '-':
		what = "number"
	}
	return &jsonSyntaxError{"Unexpected " + what + " in JSON at position " + strconv.Itoa(p.i)}
}

func (p *jsonParser) value() (goja.Value, error) {
	if p.i >= len(p.s) {
		return nil, p.unexpected()
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.vm.ToValue(s), nil
	case c == 't':
		return p.literal("true", goja.Value(p.vm.ToValue(true)))
	case c == 'f':
		return p.literal("false", goja.Value(p.vm.ToValue(false)))
	case c == 'n':
		return p.literal("null", goja.Null())
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.unexpected()
}

func (p *jsonParser) literal(word string, v goja.Value) (goja.Value, error) {
	if len(p.s)-p.i >= len(word) && p.s[p.i:p.i+len(word)] == word {
		p.i += len(word)
		return v, nil
	}
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.s) || p.s[p.i] != word[k] {
			return nil, p.unexpected()
		}
		p.i++
	}
	return nil, p.unexpected()
}

func (p *jsonParser) number() (goja.Value, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.unexpected()
	}
	integer := true
	if p.i < len(p.s) && p.s[p.i] == '.' {
		integer = false
		p.i++
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		integer = false
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	text := p.s[start:p.i]
	if integer && len(text) < 16 && text != "-0" {
		n, err := strconv.ParseInt(text, 10, 64)
		if err == nil {
			return p.vm.ToValue(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, p.unexpected()
	}
	return p.vm.ToValue(f), nil
}

// str parses a string at p.i (the opening quote).
func (p *jsonParser) str() (string, error) {
	p.i++
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			return p.strSlow(start)
		}
		if c < 0x20 {
			return "", p.unexpected()
		}
		p.i++
	}
	return "", &jsonSyntaxError{"Unterminated string in JSON at position " + strconv.Itoa(p.i)}
}

func (p *jsonParser) strSlow(start int) (string, error) {
	b := make([]byte, 0, p.i-start+16)
	b = append(b, p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.unexpected()
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			break
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", &jsonSyntaxError{"Bad Unicode escape in JSON at position " + strconv.Itoa(p.i-2)}
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one character; a lone surrogate is not representable in
				// a Go string: goja's parser handles that text.
				if r < 0xDC00 && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					p.i += 2
					r2, ok := p.hex4()
					if ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						b = utf8.AppendRune(b, utf16.DecodeRune(r, r2))
						continue
					}
				}
				return "", errJSONFallback
			}
			b = utf8.AppendRune(b, r)
		default:
			p.i--
			return "", &jsonSyntaxError{"Bad escaped character in JSON at position " + strconv.Itoa(p.i)}
		}
	}
	return "", &jsonSyntaxError{"Unterminated string in JSON at position " + strconv.Itoa(p.i)}
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := p.s[p.i+k]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return &jsonSyntaxError{"JSON is nested deeper than " + itoa(maxJSONDepth) + " levels"}
	}
	return nil
}

func (p *jsonParser) object() (goja.Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++
	o := p.vm.NewObject()
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return o, nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.unexpected()
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.unexpected()
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if k == "__proto__" {
			_ = o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		} else {
			_ = o.Set(k, v)
		}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.ws()
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			p.depth--
			return o, nil
		}
		return nil, p.unexpected()
	}
}

func (p *jsonParser) array() (goja.Value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++
	for len(p.items) < p.depth {
		p.items = append(p.items, nil)
	}
	items := p.items[p.depth-1][:0]
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return p.vm.NewArray(), nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.ws()
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			arr := p.vm.NewArray(items...)
			clear(items)
			p.items[p.depth-1] = items[:0]
			p.depth--
			return arr, nil
		}
		return nil, p.unexpected()
	}
}

// ---- encoding ----

type jsonEncoder struct {
	g     *guards
	buf   []byte
	limit int
	what  string
	stack []*goja.Object
}

var errJSONCircular = errors.New("TypeError: Converting circular structure to JSON")

// encodeJSON writes v as JSON.stringify(v) would (no replacer, no indentation).
// ok is false when v has no JSON form (undefined, a function, a symbol).
func (g *guards) encodeJSON(v goja.Value, limit int, what string) (out []byte, ok bool, err error) {
	e := jsonEncoder{g: g, limit: limit, what: what, buf: make([]byte, 0, 256)}
	ok, err = e.value(v, "")
	if err != nil || !ok {
		return nil, ok, err
	}
	return e.buf, true, nil
}

func (e *jsonEncoder) tooLarge() error {
	if e.what != "" {
		return errors.New(e.what + " is larger than " + itoa(e.limit>>10) + " KiB of JSON")
	}
	return errGuardString
}

// value appends v (the value of property key); false means "no JSON value".
func (e *jsonEncoder) value(v goja.Value, key string) (bool, error) {
	if v == nil || goja.IsUndefined(v) {
		return false, nil
	}
	if goja.IsNull(v) {
		e.buf = append(e.buf, "null"...)
		return true, nil
	}
	switch t := v.(type) {
	case goja.String:
		e.quote(t.String())
	case *goja.Object:
		return e.object(t, key)
	case *goja.Symbol:
		return false, nil
	default:
		switch v.ExportType() {
		case reflectInt64:
			e.buf = strconv.AppendInt(e.buf, v.ToInteger(), 10)
		case reflectFloat64:
			f := v.ToFloat()
			switch {
			case math.IsNaN(f) || math.IsInf(f, 0):
				e.buf = append(e.buf, "null"...)
			case f == math.Trunc(f) && math.Abs(f) < 1e15:
				e.buf = strconv.AppendInt(e.buf, int64(f), 10)
			default:
				e.buf = jsnum.Append(e.buf, f) // goja's String() is not always exact
			}
		case reflectBool:
			e.buf = strconv.AppendBool(e.buf, v.ToBoolean())
		default:
			return e.fallback(v)
		}
	}
	if len(e.buf) > e.limit {
		return false, e.tooLarge()
	}
	return true, nil
}

func (e *jsonEncoder) object(o *goja.Object, key string) (bool, error) {
	if tj, ok := goja.AssertFunction(o.Get("toJSON")); ok {
		v, err := tj(o, e.g.vm.ToValue(key))
		if err != nil {
			return false, err
		}
		if vo, isObj := v.(*goja.Object); isObj && vo == o {
			return e.fallback(o)
		}
		return e.value(v, key)
	}
	if _, ok := goja.AssertFunction(o); ok {
		return false, nil
	}
	class := o.ClassName()
	if class != "Object" && class != "Array" {
		return e.fallback(o)
	}
	for _, s := range e.stack {
		if s == o {
			return false, errJSONCircular
		}
	}
	if len(e.stack) >= maxJSONDepth {
		return false, errors.New("JSON.stringify: nesting deeper than " + itoa(maxJSONDepth) + " levels")
	}
	e.stack = append(e.stack, o)
	defer func() { e.stack = e.stack[:len(e.stack)-1] }()
	if class == "Array" {
		n := int(o.Get("length").ToInteger())
		e.buf = append(e.buf, '[')
		for i := 0; i < n; i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			k := strconv.Itoa(i)
			ok, err := e.value(o.Get(k), k)
			if err != nil {
				return false, err
			}
			if !ok {
				e.buf = append(e.buf, "null"...)
			}
			if len(e.buf) > e.limit {
				return false, e.tooLarge()
			}
		}
		e.buf = append(e.buf, ']')
		return true, nil
	}
	e.buf = append(e.buf, '{')
	first := true
	for _, k := range o.Keys() {
		mark := len(e.buf)
		if !first {
			e.buf = append(e.buf, ',')
		}
		e.quote(k)
		e.buf = append(e.buf, ':')
		ok, err := e.value(o.Get(k), k)
		if err != nil {
			return false, err
		}
		if !ok {
			e.buf = e.buf[:mark]
			continue
		}
		first = false
		if len(e.buf) > e.limit {
			return false, e.tooLarge()
		}
	}
	e.buf = append(e.buf, '}')
	return true, nil
}

// fallback lets goja's stringify (bounded by the counting replacer) write v.
func (e *jsonEncoder) fallback(v goja.Value) (bool, error) {
	room := e.limit - len(e.buf)
	if room < 0 {
		return false, e.tooLarge()
	}
	s, err := e.g.stringifyCall(v, goja.Undefined(), goja.Undefined(), room, e.what)
	if err != nil {
		return false, err
	}
	if goja.IsUndefined(s) {
		return false, nil
	}
	e.buf = append(e.buf, s.String()...)
	return true, nil
}

const hexDigits = "0123456789abcdef"

func (e *jsonEncoder) quote(s string) {
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		e.buf = append(e.buf, s[start:i]...)
		switch c {
		case '"':
			e.buf = append(e.buf, '\\', '"')
		case '\\':
			e.buf = append(e.buf, '\\', '\\')
		case '\n':
			e.buf = append(e.buf, '\\', 'n')
		case '\r':
			e.buf = append(e.buf, '\\', 'r')
		case '\t':
			e.buf = append(e.buf, '\\', 't')
		case '\b':
			e.buf = append(e.buf, '\\', 'b')
		case '\f':
			e.buf = append(e.buf, '\\', 'f')
		default:
			e.buf = append(e.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
}
