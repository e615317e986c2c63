package wxsdk

import (
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/minicloud/minicloud/internal/jsnum"
)

// encoder writes JavaScript values as canonical Extended JSON, the way bson's
// EJSON.stringify(value, {relaxed: false}) writes the real SDK's documents:
//
//   - integers in int32 range → {"$numberInt":"…"}, other integers up to ±2^63 →
//     {"$numberLong":"…"}, everything else → {"$numberDouble":"…"} (JS number text:
//     "1.5", "1e+21", "NaN", "Infinity"); -0 counts as 0
//   - Date → {"$date":{"$numberLong":"<ms>"}}; RegExp → {"$regularExpression":{…}}
//   - db.serverDate() → {"$tcb_server_date":{"offset":…}}, db.RegExp() →
//     {"$regularExpression":…}, Geo values → GeoJSON, ObjectId → {"$oid":…}, a query
//     command left inside a value → its {"$op": operand} form
//   - objects: own enumerable string keys in order, undefined/function/symbol values
//     left out; in arrays those become null
type encoder struct {
	m     *module
	buf   []byte
	stack []*goja.Object
	busy  bool // a getter called during encoding may encode again: use a fresh encoder
}

var (
	typeInt64   = reflect.TypeOf(int64(0))
	typeFloat64 = reflect.TypeOf(float64(0))
	typeString  = reflect.TypeOf("")
	typeBool    = reflect.TypeOf(false)
)

// maxEncodeDepth bounds nesting (the database accepts 100 levels).
const maxEncodeDepth = 512

var (
	errCircular = errors.New("Cannot convert circular structure to JSON")
	errTooDeep  = errors.New("the value is nested too deeply to be stored")
)

func (e *encoder) encode(v goja.Value) (string, error) {
	if e.busy {
		fresh := encoder{m: e.m}
		return fresh.encode(v)
	}
	e.busy = true
	defer func() { e.busy = false }()
	e.buf = e.buf[:0]
	e.stack = e.stack[:0]
	if err := e.value(v); err != nil {
		return "", err
	}
	return string(e.buf), nil
}

// skipped reports values JSON leaves out of objects (and writes as null in arrays).
func skipped(v goja.Value) bool {
	if v == nil || goja.IsUndefined(v) {
		return true
	}
	switch x := v.(type) {
	case *goja.Symbol:
		return true
	case *goja.Object:
		return x.ClassName() == "Function"
	}
	return false
}

func (e *encoder) value(v goja.Value) error {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	switch x := v.(type) {
	case *goja.Object:
		return e.object(x)
	case *goja.Symbol:
		e.buf = append(e.buf, "null"...)
		return nil
	}
	switch v.ExportType() {
	case typeBool:
		if v.ToBoolean() {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case typeString:
		e.buf = appendJSString(e.buf, v.String())
	case typeInt64:
		e.number(v, float64(v.ToInteger()))
	case typeFloat64:
		e.number(v, v.ToFloat())
	default:
		return errors.New("cannot store a value of type " + v.ExportType().String())
	}
	return nil
}

const twoTo63 = 9223372036854775808.0

func (e *encoder) number(v goja.Value, f float64) {
	if f == math.Trunc(f) && !math.IsInf(f, 0) {
		if f >= math.MinInt32 && f <= math.MaxInt32 {
			e.buf = append(e.buf, `{"$numberInt":"`...)
			e.buf = strconv.AppendInt(e.buf, int64(f), 10)
			e.buf = append(e.buf, `"}`...)
			return
		}
		if f >= -twoTo63 && f <= twoTo63 {
			e.buf = append(e.buf, `{"$numberLong":"`...)
			e.buf = strconv.AppendFloat(e.buf, f, 'f', -1, 64)
			e.buf = append(e.buf, `"}`...)
			return
		}
	}
	e.buf = append(e.buf, `{"$numberDouble":"`...)
	e.buf = jsnum.Append(e.buf, f) // as V8's String(f): goja's is not always exact
	e.buf = append(e.buf, `"}`...)
}

func (e *encoder) object(o *goja.Object) error {
	for _, s := range e.stack {
		if s == o {
			return errCircular
		}
	}
	if len(e.stack) >= maxEncodeDepth {
		return errTooDeep
	}
	e.stack = append(e.stack, o)
	defer func() { e.stack = e.stack[:len(e.stack)-1] }()
	switch o.ClassName() {
	case "Array":
		return e.array(o)
	case "Date":
		e.buf = append(e.buf, `{"$date":{"$numberLong":"`...)
		ms := o.ToFloat()
		if math.IsNaN(ms) {
			e.buf = append(e.buf, "NaN"...)
		} else {
			e.buf = strconv.AppendInt(e.buf, int64(ms), 10)
		}
		e.buf = append(e.buf, `"}}`...)
		return nil
	case "RegExp":
		e.buf = append(e.buf, `{"$regularExpression":{"pattern":`...)
		e.buf = appendJSString(e.buf, regexpSource(o))
		e.buf = append(e.buf, `,"options":`...)
		e.buf = appendJSString(e.buf, o.Get("flags").String())
		e.buf = append(e.buf, `}}`...)
		return nil
	case "Function":
		e.buf = append(e.buf, "null"...)
		return nil
	case "Object":
		if special, err := e.internal(o); special || err != nil {
			return err
		}
	}
	return e.plain(o)
}

// internal writes the SDK's own value classes; special is false for other objects.
func (e *encoder) internal(o *goja.Object) (special bool, err error) {
	m := e.m
	p := o.Prototype()
	if p == nil {
		return false, nil
	}
	switch p {
	case m.protoServerDate:
		e.buf = append(e.buf, `{"$tcb_server_date":{"offset":`...)
		err = e.value(o.Get("offset"))
		e.buf = append(e.buf, `}}`...)
	case m.protoRegExp:
		inner := o.Get("$regularExpression").ToObject(m.vm)
		e.buf = append(e.buf, `{"$regularExpression":{"pattern":`...)
		if err = e.value(inner.Get("pattern")); err != nil {
			return true, err
		}
		e.buf = append(e.buf, `,"options":`...)
		err = e.value(inner.Get("options"))
		e.buf = append(e.buf, `}}`...)
	case m.protoObjectID:
		e.buf = append(e.buf, `{"$oid":`...)
		err = e.value(o.Get("id"))
		e.buf = append(e.buf, '}')
	case m.protoPoint:
		e.buf = append(e.buf, `{"type":"Point","coordinates":`...)
		err = e.pair(o)
		e.buf = append(e.buf, '}')
	case m.protoLineString:
		e.buf = append(e.buf, `{"type":"LineString","coordinates":`...)
		err = e.points(o.Get("points"))
		e.buf = append(e.buf, '}')
	case m.protoMultiPoint:
		e.buf = append(e.buf, `{"type":"MultiPoint","coordinates":`...)
		err = e.points(o.Get("points"))
		e.buf = append(e.buf, '}')
	case m.protoPolygon:
		e.buf = append(e.buf, `{"type":"Polygon","coordinates":`...)
		err = e.lines(o.Get("lines"))
		e.buf = append(e.buf, '}')
	case m.protoMultiLineString:
		e.buf = append(e.buf, `{"type":"MultiLineString","coordinates":`...)
		err = e.lines(o.Get("lines"))
		e.buf = append(e.buf, '}')
	case m.protoMultiPolygon:
		e.buf = append(e.buf, `{"type":"MultiPolygon","coordinates":`...)
		err = e.each(o.Get("polygons"), func(pg goja.Value) error { return e.lines(pg.ToObject(m.vm).Get("lines")) })
		e.buf = append(e.buf, '}')
	case m.protoQueryCommand:
		op := o.Get("operator").String()
		operands := o.Get("operands")
		switch op {
		case "in", "nin":
			e.buf = append(e.buf, '{')
			e.buf = appendJSString(e.buf, "$"+op)
			e.buf = append(e.buf, ':')
			err = e.value(operands)
		case "neq":
			e.buf = append(e.buf, `{"$ne":`...)
			err = e.value(index(operands, 0))
		default:
			e.buf = append(e.buf, '{')
			e.buf = appendJSString(e.buf, "$"+op)
			e.buf = append(e.buf, ':')
			err = e.value(index(operands, 0))
		}
		e.buf = append(e.buf, '}')
	default:
		return false, nil
	}
	return true, err
}

func index(v goja.Value, i int) goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return goja.Undefined()
	}
	return o.Get(indexKey(i))
}

// pair writes a Point's [longitude, latitude].
func (e *encoder) pair(p *goja.Object) error {
	e.buf = append(e.buf, '[')
	if err := e.value(p.Get("longitude")); err != nil {
		return err
	}
	e.buf = append(e.buf, ',')
	if err := e.value(p.Get("latitude")); err != nil {
		return err
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) points(list goja.Value) error {
	return e.each(list, func(p goja.Value) error { return e.pair(p.ToObject(e.m.vm)) })
}

func (e *encoder) lines(list goja.Value) error {
	return e.each(list, func(l goja.Value) error { return e.points(l.ToObject(e.m.vm).Get("points")) })
}

func (e *encoder) each(list goja.Value, fn func(goja.Value) error) error {
	o, ok := list.(*goja.Object)
	if !ok {
		e.buf = append(e.buf, "[]"...)
		return nil
	}
	n := int(o.Get("length").ToInteger())
	e.buf = append(e.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := fn(o.Get(indexKey(i))); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) array(o *goja.Object) error {
	n := int(o.Get("length").ToInteger())
	e.buf = append(e.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		v := o.Get(indexKey(i))
		if skipped(v) {
			e.buf = append(e.buf, "null"...)
			continue
		}
		if err := e.value(v); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) plain(o *goja.Object) error {
	e.buf = append(e.buf, '{')
	first := true
	for _, k := range o.Keys() {
		v := o.Get(k)
		if skipped(v) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = appendJSString(e.buf, k)
		e.buf = append(e.buf, ':')
		if err := e.value(v); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

var indexKeys = func() []string {
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = strconv.Itoa(i)
	}
	return keys
}()

func indexKey(i int) string {
	if i < len(indexKeys) {
		return indexKeys[i]
	}
	return strconv.Itoa(i)
}

const hexDigits = "0123456789abcdef"

// appendJSString appends s as JSON.stringify writes strings: only quotes, backslashes
// and control characters are escaped.
func appendJSString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			if c < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, s[start:i]...)
				buf = append(buf, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
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
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// node writes a piece of a document built by the query/update serializers.
func (e *encoder) node(n node) error {
	switch x := n.(type) {
	case goja.Value:
		if x == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(x)
	case *omap:
		e.buf = append(e.buf, '{')
		first := true
		for _, it := range x.items {
			if it.val == nil {
				continue
			}
			if gv, ok := it.val.(goja.Value); ok && skipped(gv) {
				continue
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			e.buf = appendJSString(e.buf, it.key)
			e.buf = append(e.buf, ':')
			if err := e.node(it.val); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	case []node:
		e.buf = append(e.buf, '[')
		for i, it := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if gv, ok := it.(goja.Value); ok && skipped(gv) {
				e.buf = append(e.buf, "null"...)
				continue
			}
			if err := e.node(it); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case *command:
		return e.command(x)
	case int64:
		e.number(e.m.vm.ToValue(x), float64(x))
	case string:
		e.buf = appendJSString(e.buf, x)
	case nil:
		e.buf = append(e.buf, "null"...)
	default:
		return errors.New("cannot encode a value")
	}
	return nil
}

// command writes a command found inside a value: a query command as its
// {"$op": operand} form (what the SDK's serializer makes of it), others field by field
// as bson does for any object.
func (e *encoder) command(c *command) error {
	if c.kind == cmdQuery {
		key := "$" + c.op
		var v node
		switch c.op {
		case "in", "nin":
			v = c.operands
			if c.named && c.list != nil {
				v = c.list
			}
		case "neq":
			key = "$ne"
			v = c.operand(0)
		default:
			v = c.operand(0)
		}
		return e.node(single(key, v))
	}
	var operands node = c.operands
	if c.named && c.list != nil {
		operands = c.list
	}
	var field node = &omap{}
	if c.hasField {
		field = c.field
	}
	return e.node(&omap{items: []kv{{"operator", c.op}, {"operands", operands}, {"fieldName", field}}})
}

// encodeNode returns n's canonical EJSON.
func (e *encoder) encodeNode(n node) (string, error) {
	if e.busy {
		fresh := encoder{m: e.m}
		return fresh.encodeNode(n)
	}
	e.busy = true
	defer func() { e.busy = false }()
	e.buf = e.buf[:0]
	e.stack = e.stack[:0]
	if err := e.node(n); err != nil {
		return "", err
	}
	return string(e.buf), nil
}

// regexpSource is a RegExp's source as V8 writes it, which the real SDK sends: goja
// writes a "/" the pattern did not escape as \u002f (new RegExp('x/y').source is
// "x\u002fy"), which the server's regular expressions do not read; V8 writes "\/"
// outside a character class and "/" inside one.
func regexpSource(re *goja.Object) string {
	src := re.Get("source").String()
	const slash = `\u002f`
	if !strings.Contains(src, slash) {
		return src
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && strings.HasPrefix(src[i:], slash):
			if inClass {
				b.WriteByte('/')
			} else {
				b.WriteString(`\/`)
			}
			i += len(slash) - 1
			continue
		case c == '\\' && i+1 < len(src):
			b.WriteByte(c)
			b.WriteByte(src[i+1])
			i++
			continue
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
