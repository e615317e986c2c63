package wxsdk

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/collections/ejson"
)

// docDecoder reads a canonical EJSON document straight into JavaScript values,
// without building ejson.D first: the decoding of query results is the module's
// hottest path. The frequent wrappers ($numberInt, $numberLong, $numberDouble, $date)
// are handled here; rarer ones, and GeoJSON-shaped objects when Geo conversion is on,
// go through the ejson package (decode.go), so both paths agree.
type docDecoder struct {
	m    *module
	data []byte
	pos  int
	geo  bool
}

var errSyntax = errors.New("invalid JSON")

func (m *module) decodeJSONDoc(s string, geo bool) (goja.Value, error) {
	d := docDecoder{m: m, data: []byte(s), geo: geo}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, errSyntax
	}
	return v, nil
}

func (d *docDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *docDecoder) value(depth int) (goja.Value, error) {
	if depth > ejson.MaxDecodeDepth {
		return nil, ejson.ErrTooDeep
	}
	d.space()
	if d.pos >= len(d.data) {
		return nil, errSyntax
	}
	vm := d.m.vm
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return vm.ToValue(s), nil
	case c == 't':
		return d.literal("true", vm.ToValue(true))
	case c == 'f':
		return d.literal("false", vm.ToValue(false))
	case c == 'n':
		return d.literal("null", goja.Null())
	default:
		return d.number()
	}
}

func (d *docDecoder) literal(word string, v goja.Value) (goja.Value, error) {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return nil, errSyntax
	}
	d.pos += len(word)
	return v, nil
}

func (d *docDecoder) number() (goja.Value, error) {
	start := d.pos
	isFloat := false
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' {
			d.pos++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
			d.pos++
			continue
		}
		break
	}
	text := string(d.data[start:d.pos])
	if text == "" {
		return nil, errSyntax
	}
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return d.m.intValue(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, errSyntax
	}
	return d.m.vm.ToValue(f), nil
}

func (m *module) intValue(n int64) goja.Value {
	if n > maxSafeInteger || n < -maxSafeInteger {
		return m.vm.ToValue(float64(n))
	}
	return m.vm.ToValue(n)
}

func (d *docDecoder) array(depth int) (goja.Value, error) {
	d.pos++
	var items []any
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return d.m.vm.NewArray(), nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, errSyntax
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return d.m.vm.NewArray(items...), nil
		default:
			return nil, errSyntax
		}
	}
}

// skipValue moves past one JSON value without decoding it.
func (d *docDecoder) skipValue() error {
	d.space()
	if d.pos >= len(d.data) {
		return errSyntax
	}
	switch d.data[d.pos] {
	case '"':
		_, err := d.str()
		return err
	case '{', '[':
		level := 0
		for d.pos < len(d.data) {
			switch d.data[d.pos] {
			case '"':
				if _, err := d.str(); err != nil {
					return err
				}
				continue
			case '{', '[':
				level++
			case '}', ']':
				level--
				if level == 0 {
					d.pos++
					return nil
				}
			}
			d.pos++
		}
		return errSyntax
	}
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return nil
		}
		d.pos++
	}
	return nil
}

// viaEJSON decodes the object starting at start with the ejson package.
func (d *docDecoder) viaEJSON(start int) (goja.Value, error) {
	d.pos = start
	if err := d.skipValue(); err != nil {
		return nil, err
	}
	v, err := ejson.Unmarshal(d.data[start:d.pos])
	if err != nil {
		return nil, err
	}
	return d.m.toJS(v, d.geo), nil
}

var geoTypes = map[string]bool{"Point": true, "LineString": true, "Polygon": true, "MultiPoint": true, "MultiLineString": true, "MultiPolygon": true}

func (d *docDecoder) object(depth int) (goja.Value, error) {
	start := d.pos
	d.pos++
	d.space()
	vm := d.m.vm
	o := vm.NewObject()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return o, nil
	}
	first := true
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, errSyntax
		}
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, errSyntax
		}
		d.pos++
		if first && key != "" && key[0] == '$' {
			if v, ok, err := d.wrapper(key, start); ok || err != nil {
				return v, err
			}
		}
		first = false
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if d.geo && key == "type" && geoTypes[v.String()] {
			// a GeoJSON-looking object: let the ejson path decide
			return d.viaEJSON(start)
		}
		d.m.setField(o, key, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, errSyntax
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return o, nil
		default:
			return nil, errSyntax
		}
	}
}

// wrapper decodes {"$numberInt":"…"} and its kind when the object is exactly that;
// ok is false (and the position unchanged) otherwise.
func (d *docDecoder) wrapper(key string, start int) (v goja.Value, ok bool, err error) {
	switch key {
	case "$numberInt", "$numberLong", "$numberDouble":
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			v, err := d.viaEJSON(start)
			return v, true, err
		}
		text, err := d.str()
		if err != nil {
			return nil, false, err
		}
		if !d.closes() {
			v, err := d.viaEJSON(start)
			return v, true, err
		}
		switch key {
		case "$numberInt":
			n, err := strconv.ParseInt(text, 10, 32)
			if err != nil {
				return nil, true, errors.New("invalid $numberInt")
			}
			return d.m.vm.ToValue(n), true, nil
		case "$numberLong":
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, true, errors.New("invalid $numberLong")
			}
			return d.m.intValue(n), true, nil
		}
		var f float64
		switch text {
		case "Infinity":
			f = math.Inf(1)
		case "-Infinity":
			f = math.Inf(-1)
		case "NaN":
			f = math.NaN()
		default:
			if f, err = strconv.ParseFloat(text, 64); err != nil {
				return nil, true, errors.New("invalid $numberDouble")
			}
		}
		return d.m.vm.ToValue(f), true, nil
	case "$date":
		// canonical: {"$date":{"$numberLong":"…"}}
		save := d.pos
		d.space()
		if d.consume('{') {
			d.space()
			if d.pos < len(d.data) && d.data[d.pos] == '"' {
				k, err := d.str()
				if err == nil && k == "$numberLong" {
					d.space()
					if d.consume(':') {
						d.space()
						if d.pos < len(d.data) && d.data[d.pos] == '"' {
							text, err := d.str()
							if err == nil && d.closes() && d.closes() {
								if ms, err := strconv.ParseInt(text, 10, 64); err == nil {
									return d.m.date(ms), true, nil
								}
							}
						}
					}
				}
			}
		}
		d.pos = save
		v, err := d.viaEJSON(start)
		return v, true, err
	case "$oid", "$numberDecimal", "$regularExpression", "$binary", "$timestamp", "$minKey", "$maxKey",
		"$tcb_server_date", "$undefined":
		v, err := d.viaEJSON(start)
		return v, true, err
	}
	return nil, false, nil
}

func (d *docDecoder) consume(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// closes consumes the end of a one-field object.
func (d *docDecoder) closes() bool {
	d.space()
	return d.consume('}')
}

func (d *docDecoder) str() (string, error) {
	d.pos++ // opening quote
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := string(d.data[start:d.pos])
			d.pos++
			return s, nil
		}
		if c == '\\' {
			return d.strSlow(start)
		}
		if c < 0x20 {
			return "", errSyntax
		}
		d.pos++
	}
	return "", errSyntax
}

func (d *docDecoder) strSlow(start int) (string, error) {
	// size the buffer to the raw string (the unescaped text is never longer)
	end := d.pos
	for end < len(d.data) && d.data[end] != '"' {
		if d.data[end] == '\\' {
			end++
		}
		end++
	}
	buf := make([]byte, d.pos-start, end-start)
	copy(buf, d.data[start:d.pos])
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(buf), nil
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return "", errSyntax
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", errSyntax
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						save := d.pos
						d.pos += 2
						if low, ok := d.hex4(); ok {
							r2 = utf16.DecodeRune(r, low)
						} else {
							d.pos = save
						}
					}
					r = r2
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", errSyntax
			}
		case c < 0x20:
			return "", errSyntax
		default:
			buf = append(buf, c)
			d.pos++
		}
	}
	return "", errSyntax
}

func (d *docDecoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	d.pos += 4
	return rune(n), true
}
