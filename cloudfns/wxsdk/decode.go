package wxsdk

import (
	"encoding/base64"
	"fmt"
	"math"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/collections/ejson"
)

// decodeData turns an action's `data` answer into a JavaScript object. Documents
// travel as canonical EJSON strings (data.list, data.doc); they become what the real
// SDK's EJSON.parse gives: numbers, Dates, nested objects and arrays; with
// decodeList, Geo values become Geo objects as the SDK's result formatting does.
func (m *module) decodeData(raw []byte, mode int) (goja.Value, error) {
	if len(raw) == 0 {
		return m.vm.NewObject(), nil
	}
	d, err := ejson.UnmarshalDoc(raw)
	if err != nil {
		return nil, err
	}
	out := m.vm.NewObject()
	for _, e := range d {
		var v goja.Value
		switch {
		case e.Key == "list" && (mode == decodeList || mode == decodeListPlain):
			v, err = m.decodeList(e.Value, mode == decodeList)
		case e.Key == "doc" && mode == decodeDoc:
			if s, ok := e.Value.(string); ok {
				v, err = m.decodeDocument(s, false)
			} else {
				v = m.toJS(e.Value, false)
			}
		default:
			v = m.toJS(e.Value, false)
		}
		if err != nil {
			return nil, err
		}
		m.setField(out, e.Key, v)
	}
	return out, nil
}

// decodeField decodes only one field of the answer (the natives return just what the
// SDK reads: the list, the total…), or undefined when it is missing.
func (m *module) decodeField(raw []byte, mode int, field string) (goja.Value, error) {
	d := docDecoder{m: m, data: raw}
	d.space()
	if !d.consume('{') {
		return nil, errSyntax
	}
	d.space()
	if d.consume('}') {
		return goja.Undefined(), nil
	}
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
		if !d.consume(':') {
			return nil, errSyntax
		}
		if key == field {
			d.space()
			if field == "list" && (mode == decodeList || mode == decodeListPlain) && d.pos < len(d.data) && d.data[d.pos] == '[' {
				return d.docList(mode == decodeList)
			}
			return d.value(0)
		}
		if err := d.skipValue(); err != nil {
			return nil, err
		}
		d.space()
		if d.consume('}') {
			return goja.Undefined(), nil
		}
		if !d.consume(',') {
			return nil, errSyntax
		}
	}
}

// docList decodes a JSON array of EJSON document strings.
func (d *docDecoder) docList(geo bool) (goja.Value, error) {
	d.pos++
	var items []any
	for {
		d.space()
		if d.consume(']') {
			return d.m.vm.NewArray(items...), nil
		}
		if len(items) > 0 {
			if !d.consume(',') {
				return nil, errSyntax
			}
			d.space()
		}
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			v, err := d.value(0)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			continue
		}
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		doc, err := d.m.decodeDocument(s, geo)
		if err != nil {
			return nil, err
		}
		items = append(items, doc)
	}
}

func (m *module) decodeList(v any, geo bool) (goja.Value, error) {
	list, ok := v.([]any)
	if !ok {
		return m.toJS(v, false), nil
	}
	items := make([]any, len(list))
	for i, it := range list {
		s, ok := it.(string)
		if !ok {
			items[i] = m.toJS(it, geo)
			continue
		}
		doc, err := m.decodeDocument(s, geo)
		if err != nil {
			return nil, err
		}
		items[i] = doc
	}
	return m.vm.NewArray(items...), nil
}

func (m *module) decodeDocument(s string, geo bool) (goja.Value, error) {
	v, err := m.decodeJSONDoc(s, geo)
	if err != nil {
		return nil, fmt.Errorf("invalid document: %w", err)
	}
	return v, nil
}

// decodeDocumentSlow is decodeDocument through ejson.D (the reference the direct
// decoder is tested against).
func (m *module) decodeDocumentSlow(s string, geo bool) (goja.Value, error) {
	v, err := ejson.UnmarshalString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid document: %w", err)
	}
	return m.toJS(v, geo), nil
}

func (m *module) setField(o *goja.Object, k string, v goja.Value) {
	if k == "__proto__" {
		_ = o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return
	}
	_ = o.Set(k, v)
}

const maxSafeInteger = 1<<53 - 1

// toJS converts a decoded EJSON value. Types without a JavaScript counterpart
// (ObjectId, Decimal128, Binary, Timestamp, MinKey/MaxKey) stay in their EJSON wrapper
// form, which encodes back to the same value.
func (m *module) toJS(v any, geo bool) goja.Value {
	vm := m.vm
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case bool:
		return vm.ToValue(x)
	case string:
		return vm.ToValue(x)
	case int64:
		if x > maxSafeInteger || x < -maxSafeInteger {
			return vm.ToValue(float64(x))
		}
		return vm.ToValue(x)
	case float64:
		return vm.ToValue(x)
	case ejson.D:
		if geo {
			if g := m.geoValue(x); g != nil {
				return g
			}
		}
		o := vm.NewObject()
		for _, e := range x {
			m.setField(o, e.Key, m.toJS(e.Value, geo))
		}
		return o
	case []any:
		items := make([]any, len(x))
		for i, it := range x {
			items[i] = m.toJS(it, geo)
		}
		return vm.NewArray(items...)
	case ejson.Date:
		return m.date(int64(x))
	case ejson.Regex:
		o := vm.NewObject()
		_ = o.Set("pattern", x.Pattern)
		_ = o.Set("options", x.Options)
		return o
	case ejson.ObjectID:
		return m.wrapper("$oid", vm.ToValue(string(x)))
	case ejson.Decimal:
		return m.wrapper("$numberDecimal", vm.ToValue(string(x)))
	case ejson.Binary:
		inner := vm.NewObject()
		_ = inner.Set("base64", base64.StdEncoding.EncodeToString(x.Data))
		_ = inner.Set("subType", fmt.Sprintf("%02x", x.Subtype))
		return m.wrapper("$binary", inner)
	case ejson.Timestamp:
		inner := vm.NewObject()
		_ = inner.Set("t", int64(x.T))
		_ = inner.Set("i", int64(x.I))
		return m.wrapper("$timestamp", inner)
	case ejson.MinKey:
		return m.wrapper("$minKey", vm.ToValue(1))
	case ejson.MaxKey:
		return m.wrapper("$maxKey", vm.ToValue(1))
	case ejson.ServerDate:
		inner := vm.NewObject()
		_ = inner.Set("offset", x.Offset)
		return m.wrapper("$tcb_server_date", inner)
	}
	return goja.Undefined()
}

func (m *module) wrapper(key string, v goja.Value) goja.Value {
	o := m.vm.NewObject()
	_ = o.Set(key, v)
	return o
}

func (m *module) date(ms int64) goja.Value {
	if ctor, ok := goja.AssertConstructor(m.dateCtor); ok {
		if d, err := ctor(nil, m.vm.ToValue(ms)); err == nil {
			return d
		}
	}
	return m.vm.ToValue(ms)
}

// ---------------------------------------------------------------- Geo values

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// validPair reports whether v is [longitude, latitude] within range.
func validPair(v any) bool {
	p, ok := v.([]any)
	if !ok || len(p) < 2 {
		return false
	}
	lng, ok1 := number(p[0])
	lat, ok2 := number(p[1])
	return ok1 && ok2 && math.Abs(lng) <= 180 && math.Abs(lat) <= 90
}

func validLine(v any, min int) bool {
	l, ok := v.([]any)
	if !ok || len(l) < min {
		return false
	}
	for _, p := range l {
		if !validPair(p) {
			return false
		}
	}
	return true
}

func samePair(a, b any) bool {
	pa, pb := a.([]any), b.([]any)
	x1, _ := number(pa[0])
	y1, _ := number(pa[1])
	x2, _ := number(pb[0])
	y2, _ := number(pb[1])
	return x1 == x2 && y1 == y2
}

func validPolygon(v any) bool {
	lines, ok := v.([]any)
	if !ok || len(lines) == 0 {
		return false
	}
	for _, l := range lines {
		if !validLine(l, 2) {
			return false
		}
		pts := l.([]any)
		if !samePair(pts[0], pts[len(pts)-1]) {
			return false
		}
	}
	return true
}

func validList(v any, ok func(any) bool) bool {
	l, isList := v.([]any)
	if !isList || len(l) == 0 {
		return false
	}
	for _, it := range l {
		if !ok(it) {
			return false
		}
	}
	return true
}

// geoValue returns the Geo object for a GeoJSON value the SDK would turn into one, or
// nil. Unlike the real SDK, a malformed GeoJSON-looking value (out-of-range point,
// open polygon) stays a plain object instead of failing the whole read.
func (m *module) geoValue(d ejson.D) goja.Value {
	if m.protoPoint == nil {
		return nil
	}
	t, ok := d.Get("type")
	if !ok {
		return nil
	}
	typ, ok := t.(string)
	if !ok {
		return nil
	}
	c, _ := d.Get("coordinates")
	switch typ {
	case "Point":
		if validPair(c) {
			return m.point(c)
		}
	case "LineString":
		if validLine(c, 2) {
			return m.lineString(c)
		}
	case "Polygon":
		if validPolygon(c) {
			return m.polygon(c)
		}
	case "MultiPoint":
		if validLine(c, 1) {
			return m.geoObject(m.protoMultiPoint, "points", m.pointList(c))
		}
	case "MultiLineString":
		if validList(c, func(l any) bool { return validLine(l, 2) }) {
			lines := c.([]any)
			items := make([]any, len(lines))
			for i, l := range lines {
				items[i] = m.lineString(l)
			}
			return m.geoObject(m.protoMultiLineString, "lines", m.vm.NewArray(items...))
		}
	case "MultiPolygon":
		if validList(c, validPolygon) {
			pgs := c.([]any)
			items := make([]any, len(pgs))
			for i, pg := range pgs {
				items[i] = m.polygon(pg)
			}
			return m.geoObject(m.protoMultiPolygon, "polygons", m.vm.NewArray(items...))
		}
	}
	return nil
}

func (m *module) point(v any) goja.Value {
	p := v.([]any)
	o := m.vm.CreateObject(m.protoPoint)
	_ = o.Set("longitude", m.toJS(p[0], false))
	_ = o.Set("latitude", m.toJS(p[1], false))
	return o
}

func (m *module) pointList(v any) goja.Value {
	pts := v.([]any)
	items := make([]any, len(pts))
	for i, p := range pts {
		items[i] = m.point(p)
	}
	return m.vm.NewArray(items...)
}

func (m *module) lineString(v any) goja.Value {
	return m.geoObject(m.protoLineString, "points", m.pointList(v))
}

func (m *module) polygon(v any) goja.Value {
	lines := v.([]any)
	items := make([]any, len(lines))
	for i, l := range lines {
		items[i] = m.lineString(l)
	}
	return m.geoObject(m.protoPolygon, "lines", m.vm.NewArray(items...))
}

func (m *module) geoObject(proto *goja.Object, field string, v goja.Value) goja.Value {
	o := m.vm.CreateObject(proto)
	_ = o.Set(field, v)
	return o
}
