package wxsdk

import (
	"encoding/json"
	"errors"

	"github.com/dop251/goja"
	"github.com/minicloud/minicloud/cloudfns"
)

// The database natives build each /admin action's parameters in Go, in the shape
// node-sdk sends (see testdata/golden): the JavaScript side passes positional
// arguments and gets back the action's decoded `data`. A failure the server reports
// is thrown as node-sdk's TcbError {code, message, requestId}.

// params writes a JSON object.
type params struct {
	buf []byte
}

func (p *params) key(k string) {
	if len(p.buf) == 0 {
		p.buf = append(p.buf, '{')
	} else {
		p.buf = append(p.buf, ',')
	}
	p.buf = appendJSString(p.buf, k)
	p.buf = append(p.buf, ':')
}

func (p *params) str(k, v string) {
	p.key(k)
	p.buf = appendJSString(p.buf, v)
}

func (p *params) boolean(k string, v bool) {
	p.key(k)
	if v {
		p.buf = append(p.buf, "true"...)
	} else {
		p.buf = append(p.buf, "false"...)
	}
}

// number writes a JavaScript number as JSON.stringify does.
func (p *params) number(k string, v goja.Value) {
	p.key(k)
	p.buf = append(p.buf, v.String()...)
}

func (p *params) raw(k string, json []byte) {
	p.key(k)
	p.buf = append(p.buf, json...)
}

func (p *params) bytes() []byte {
	if len(p.buf) == 0 {
		return []byte("{}")
	}
	return append(p.buf, '}')
}

// raise throws err in JavaScript: a jsError as Error/TypeError, others as Error.
func (m *module) raise(err error) {
	if je, ok := err.(*jsError); ok && je.kind == "TypeError" {
		if ctor, ok := goja.AssertConstructor(m.typeErrorCtor); ok {
			if obj, err := ctor(nil, m.vm.ToValue(je.msg)); err == nil {
				panic(obj)
			}
		}
	}
	m.throw(err.Error())
}

// ejsonOf encodes a JavaScript value as canonical EJSON, throwing on failure.
func (m *module) ejsonOf(v goja.Value) string {
	s, err := m.enc.encode(v)
	if err != nil {
		m.raise(err)
	}
	return s
}

func (m *module) ejsonNode(n node) string {
	s, err := m.enc.encodeNode(n)
	if err != nil {
		m.raise(err)
	}
	return s
}

// docQuery is {"_id": id} as EJSON.
func (m *module) docQuery(id goja.Value) string {
	return `{"_id":` + m.ejsonOf(id) + `}`
}

// run sends an action and returns its decoded data (only data[field] when field is
// set), or throws the server's error.
func (m *module) run(action string, p *params, mode int, field string) goja.Value {
	m.lastRequestID = NewRequestID()
	raw, err := m.env.Host().Database(m.env.Context(), action, json.RawMessage(p.bytes()))
	if err != nil {
		code, msg := errorCode(err)
		m.throwServerError(code, msg, m.lastRequestID)
	}
	var data goja.Value
	if field != "" {
		data, err = m.decodeField(raw, mode, field)
	} else {
		data, err = m.decodeData(raw, mode)
	}
	if err != nil {
		m.throwServerError("SYS_ERR", "cannot read the database answer: "+err.Error(), m.lastRequestID)
	}
	return data
}

func (m *module) throwServerError(code, msg, reqID string) {
	if fn, ok := goja.AssertFunction(m.serverError); ok {
		if obj, err := fn(goja.Undefined(), m.vm.ToValue(code), m.vm.ToValue(msg), m.vm.ToValue(reqID)); err == nil {
			panic(obj)
		}
	}
	m.throw(code + ": " + msg)
}

func present(v goja.Value) bool { return v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) }

func (m *module) collection(p *params, v goja.Value) {
	p.str("collectionName", v.String())
}

// where(query, raw) → the EJSON of where()'s condition (validated and encoded).
func (m *module) nativeWhere(c goja.FunctionCall) goja.Value {
	q := c.Argument(0)
	if c.Argument(1).ToBoolean() {
		return m.vm.ToValue(m.ejsonOf(q))
	}
	n, err := m.encodeWhere(q)
	if err != nil {
		m.raise(err)
	}
	return m.vm.ToValue(m.ejsonNode(n))
}

// encodeQuery(value) → the EJSON of a query condition (aggregate match, geoNear).
func (m *module) nativeEncodeQuery(c goja.FunctionCall) goja.Value {
	n, err := m.encodeQuery(c.Argument(0), unsetKey)
	if err != nil {
		m.raise(err)
	}
	return m.vm.ToValue(m.ejsonNode(n))
}

// encodeUpdate(data) → the EJSON of update data.
func (m *module) nativeEncodeUpdate(c goja.FunctionCall) goja.Value {
	return m.vm.ToValue(m.updateData(c.Argument(0), false))
}

func (m *module) updateData(data goja.Value, raw bool) string {
	if raw {
		return m.ejsonOf(data)
	}
	n, err := m.encodeUpdate(data)
	if err != nil {
		m.raise(err)
	}
	return m.ejsonNode(n)
}

func (m *module) nativeHasUpdateCommand(c goja.FunctionCall) goja.Value {
	return m.vm.ToValue(m.hasUpdateCommand(c.Argument(0), 0))
}

// find(coll, filter, order, offset, limit, projection): a where() query.
func (m *module) nativeFind(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("queryType", "WHERE")
	if f := c.Argument(1); f.ToBoolean() {
		p.str("query", f.String())
	}
	if o := c.Argument(2); present(o) {
		p.str("order", m.orderEJSON(o))
	}
	if off := c.Argument(3); off.ToBoolean() {
		p.number("offset", off)
	}
	p.number("limit", c.Argument(4))
	if pr := c.Argument(5); present(pr) {
		p.str("projection", m.ejsonOf(pr))
	}
	return m.getDocuments(&p)
}

// getDocuments runs database.getDocument with p and returns its list: from the
// documents themselves when the host can give them (cloudfns.DocumentFinder), else
// from the action's answer.
func (m *module) getDocuments(p *params) goja.Value {
	if f, ok := m.env.Host().(cloudfns.DocumentFinder); ok {
		if list, ok := m.findDocuments(f, p); ok {
			return list
		}
	}
	return m.run("database.getDocument", p, decodeList, "list")
}

// findDocuments runs the query through f and builds the list from the documents
// themselves. ok is false when f has no finder connected (use the action then).
func (m *module) findDocuments(f cloudfns.DocumentFinder, p *params) (list goja.Value, ok bool) {
	docs, err := f.FindDocuments(m.env.Context(), json.RawMessage(p.bytes()))
	if errors.Is(err, cloudfns.ErrNoDocuments) {
		return nil, false
	}
	m.lastRequestID = NewRequestID()
	if err != nil {
		code, msg := errorCode(err)
		m.throwServerError(code, msg, m.lastRequestID)
	}
	items := make([]any, len(docs))
	for i, d := range docs {
		items[i] = m.toJS(d, true) // Geo values as Geo objects, as decodeList makes them
	}
	return m.vm.NewArray(items...), true
}

// count(coll, filter)
func (m *module) nativeCount(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("queryType", "WHERE")
	if f := c.Argument(1); f.ToBoolean() {
		p.str("query", f.String())
	}
	return m.run("database.calculateDocument", &p, decodeNone, "total")
}

// docGet(coll, id, projection)
func (m *module) nativeDocGet(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("query", m.docQuery(c.Argument(1)))
	p.str("queryType", "DOC")
	p.boolean("multi", false)
	if pr := c.Argument(2); present(pr) {
		p.str("projection", m.ejsonOf(pr))
	}
	return m.getDocuments(&p)
}

// updateWhere(coll, filter, data, multi, raw)
func (m *module) nativeUpdateWhere(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("queryType", "WHERE")
	p.key("multi")
	p.buf = append(p.buf, c.Argument(3).String()...)
	p.boolean("merge", true)
	p.boolean("upsert", false)
	p.str("data", m.updateData(c.Argument(2), c.Argument(4).ToBoolean()))
	if f := c.Argument(1); f.ToBoolean() {
		p.str("query", f.String())
	}
	return m.run("database.modifyDocument", &p, decodeNone, "")
}

// updateDoc(coll, id, data, raw)
func (m *module) nativeUpdateDoc(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("data", m.updateData(c.Argument(2), c.Argument(3).ToBoolean()))
	p.str("query", m.docQuery(c.Argument(1)))
	p.str("queryType", "DOC")
	p.boolean("multi", false)
	p.boolean("merge", true)
	p.boolean("upsert", false)
	return m.run("database.modifyDocument", &p, decodeNone, "")
}

// setDoc(coll, id, data)
func (m *module) nativeSetDoc(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("queryType", "DOC")
	p.str("data", m.ejsonOf(c.Argument(2)))
	p.boolean("multi", false)
	p.boolean("merge", false)
	p.boolean("upsert", true)
	p.str("query", m.docQuery(c.Argument(1)))
	return m.run("database.modifyDocument", &p, decodeNone, "")
}

// removeWhere(coll, filter, multi)
func (m *module) nativeRemoveWhere(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	if f := c.Argument(1); present(f) {
		p.str("query", f.String())
	}
	p.str("queryType", "WHERE")
	p.key("multi")
	p.buf = append(p.buf, c.Argument(2).String()...)
	return m.run("database.removeDocument", &p, decodeNone, "deleted")
}

// removeDoc(coll, id)
func (m *module) nativeRemoveDoc(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.str("query", m.docQuery(c.Argument(1)))
	p.str("queryType", "DOC")
	p.boolean("multi", false)
	return m.run("database.removeDocument", &p, decodeNone, "deleted")
}

// insert(coll, docs): docs is an array of documents.
func (m *module) nativeInsert(c goja.FunctionCall) goja.Value {
	var p params
	m.collection(&p, c.Argument(0))
	p.key("data")
	p.buf = append(p.buf, '[')
	if arr, ok := c.Argument(1).(*goja.Object); ok {
		n := int(arr.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			if i > 0 {
				p.buf = append(p.buf, ',')
			}
			p.buf = appendJSString(p.buf, m.ejsonOf(arr.Get(indexKey(i))))
		}
	}
	p.buf = append(p.buf, ']')
	return m.run("database.insertDocument", &p, decodeNone, "insertedIds")
}

// db(action, paramsJSON, mode): any other action, parameters built in JavaScript.
func (m *module) nativeDB(c goja.FunctionCall) goja.Value {
	p := params{buf: []byte(c.Argument(1).String())}
	if n := len(p.buf); n > 0 && p.buf[n-1] == '}' {
		p.buf = p.buf[:n-1]
	}
	return m.run(c.Argument(0).String(), &p, int(c.Argument(2).ToInteger()), "")
}

// orderEJSON encodes orderBy()'s [field, ±1, …] list as the order object the SDK
// builds (a repeated field keeps its first position, with the last direction), or an
// order object given through options().
func (m *module) orderEJSON(o goja.Value) string {
	arr, ok := o.(*goja.Object)
	if !ok || arr.ClassName() != "Array" {
		return m.ejsonOf(o)
	}
	n := int(arr.Get("length").ToInteger())
	order := &omap{items: make([]kv, 0, n/2)}
	for i := 0; i+1 < n; i += 2 {
		order.set(arr.Get(indexKey(i)).String(), arr.Get(indexKey(i+1)))
	}
	return m.ejsonNode(order)
}
