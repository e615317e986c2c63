package wxsdk

import (
	"math"
	"strconv"

	"github.com/dop251/goja"
)

// This file turns where() conditions and update() data into the documents the real
// SDK sends, following @cloudbase/database's QuerySerializer and UpdateSerializer
// rules (including their quirks, which change what the server sees):
//
//   - nested plain objects become dotted paths ({a: {b: 1}} → {"a.b": 1}); an object
//     whose keys are all operators ($…) stays an object; undefined fields disappear,
//     and so do empty objects
//   - a command at a field is encoded with that field name: _.gt(1) at "n" →
//     {n: {$gt: 1}}; field-level and/or/nor (_.gt(1).and(_.lt(5))) go to the top
//     level, where several of them concatenate into one $and/$or/$nor list
//   - in updates, plain values become $set, commands their operator ($inc, $push…)
//
// Values keep their JavaScript form (node wraps a goja.Value) until the EJSON writer.

// node is a piece of an encoded document: a goja.Value, *omap, []node, or a Go
// literal (int64, string) the serializer adds.
type node = any

// omap is an object under construction, with JavaScript's property order: array
// index keys first in ascending order, then the others in insertion order.
type omap struct {
	items []kv
}

type kv struct {
	key string
	val node
}

func (o *omap) find(k string) int {
	for i := range o.items {
		if o.items[i].key == k {
			return i
		}
	}
	return -1
}

func (o *omap) get(k string) (node, bool) {
	if i := o.find(k); i >= 0 {
		return o.items[i].val, true
	}
	return nil, false
}

func (o *omap) set(k string, v node) {
	if i := o.find(k); i >= 0 {
		o.items[i].val = v
		return
	}
	if n, ok := arrayIndex(k); ok {
		i := 0
		for ; i < len(o.items); i++ {
			m, isIndex := arrayIndex(o.items[i].key)
			if !isIndex || m > n {
				break
			}
		}
		o.items = append(o.items, kv{})
		copy(o.items[i+1:], o.items[i:])
		o.items[i] = kv{k, v}
		return
	}
	o.items = append(o.items, kv{k, v})
}

func (o *omap) del(k string) {
	if i := o.find(k); i >= 0 {
		o.items = append(o.items[:i], o.items[i+1:]...)
	}
}

func (o *omap) keys() []string {
	ks := make([]string, len(o.items))
	for i := range o.items {
		ks[i] = o.items[i].key
	}
	return ks
}

func single(k string, v node) *omap { return &omap{items: []kv{{k, v}}} }

// arrayIndex reports whether k is a canonical array index ("0", "17", not "01").
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n >= math.MaxUint32 {
		return 0, false
	}
	return n, true
}

// jsError is an error to raise in JavaScript as `new <Kind>(message)`.
type jsError struct {
	kind string // "Error" or "TypeError"
	msg  string
}

func (e *jsError) Error() string { return e.msg }

func typeError(msg string) error  { return &jsError{"TypeError", msg} }
func plainError(msg string) error { return &jsError{"Error", msg} }

// command is a db.command value read from JavaScript.
type command struct {
	kind     int // cmdLogic, cmdQuery, cmdUpdate
	op       string
	operands goja.Value
	// list holds the operands after a field name was given (commands among them
	// named too); nil until then.
	list     []node
	named    bool
	field    string
	hasField bool
}

const (
	cmdNone = iota
	cmdLogic
	cmdQuery
	cmdUpdate
)

// unsetKey is what a command without a field name becomes as an object key.
const unsetKey = "[object Object]"

func (m *module) commandKind(v node) int {
	o, ok := v.(*goja.Object)
	if !ok {
		return cmdNone
	}
	switch o.Prototype() {
	case m.protoLogicCommand:
		return cmdLogic
	case m.protoQueryCommand:
		return cmdQuery
	case m.protoUpdateCommand:
		return cmdUpdate
	}
	return cmdNone
}

func (m *module) readCommand(o *goja.Object, kind int) *command {
	return &command{kind: kind, op: o.Get("operator").String(), operands: o.Get("operands")}
}

// withField gives a logic or query command its field, and the commands among its
// operands too (as _setFieldName does).
func (m *module) withField(c *command, field string) *command {
	out := &command{kind: c.kind, op: c.op, operands: c.operands, field: field, hasField: true}
	if c.kind == cmdUpdate {
		return out
	}
	arr, ok := c.operands.(*goja.Object)
	if !ok || arr.ClassName() != "Array" {
		if c.named {
			out.list, out.named = c.list, true
		}
		return out
	}
	var src []node
	if c.named {
		src = c.list
	} else {
		src = arrayNodes(arr)
	}
	out.list = make([]node, len(src))
	for i, it := range src {
		switch x := it.(type) {
		case *command:
			out.list[i] = m.withField(x, field)
		default:
			if k := m.commandKind(it); k == cmdLogic || k == cmdQuery {
				out.list[i] = m.withField(m.readCommand(it.(*goja.Object), k), field)
			} else {
				out.list[i] = it
			}
		}
	}
	out.named = true
	return out
}

// operandList returns a logic command's operands as nodes.
func (c *command) operandList() []node {
	if c.named {
		return c.list
	}
	if arr, ok := c.operands.(*goja.Object); ok && arr.ClassName() == "Array" {
		return arrayNodes(arr)
	}
	return nil
}

// operand returns operands[i].
func (c *command) operand(i int) node {
	if c.named && c.list != nil {
		if i < len(c.list) {
			return c.list[i]
		}
		return goja.Undefined()
	}
	if arr, ok := c.operands.(*goja.Object); ok {
		return arr.Get(indexKey(i))
	}
	return goja.Undefined()
}

func (c *command) key() string {
	if c.hasField {
		return c.field
	}
	return unsetKey
}

func arrayNodes(arr *goja.Object) []node {
	n := int(arr.Get("length").ToInteger())
	out := make([]node, n)
	for i := range out {
		out[i] = arr.Get(indexKey(i))
	}
	return out
}

// isJSObject reports Object.prototype.toString(v) === "[object Object]".
func isJSObject(v node) bool {
	switch x := v.(type) {
	case *omap:
		return true
	case *goja.Object:
		return x.ClassName() == "Object"
	}
	return false
}

func isJSArray(v node) bool {
	switch x := v.(type) {
	case []node:
		return true
	case *goja.Object:
		return x.ClassName() == "Array"
	}
	return false
}

func truthy(v node) bool {
	switch x := v.(type) {
	case nil:
		return false
	case *omap, []node, *command:
		return true
	case string:
		return x != ""
	case int64:
		return x != 0
	case goja.Value:
		return x.ToBoolean()
	}
	return true
}

// keepsShape: the SDK's own values, Dates and RegExps are never flattened.
func (m *module) keepsShape(v node) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	switch o.ClassName() {
	case "Date", "RegExp":
		return true
	case "Object":
		return m.isInternal(o)
	}
	return false
}

func (m *module) isInternal(o *goja.Object) bool {
	switch o.Prototype() {
	case nil:
		return false
	case m.protoLogicCommand, m.protoQueryCommand, m.protoUpdateCommand, m.protoServerDate, m.protoRegExp,
		m.protoObjectID, m.protoPoint, m.protoLineString, m.protoPolygon, m.protoMultiPoint,
		m.protoMultiLineString, m.protoMultiPolygon:
		return true
	}
	return false
}

var errCycle = plainError("Cannot convert circular structure to JSON")

// flatten copies obj's fields, replacing nested plain objects by dotted paths.
func (m *module) flatten(obj *goja.Object, visited []*goja.Object) (*omap, error) {
	keys := obj.Keys()
	out := &omap{items: make([]kv, 0, len(keys))}
	vals := make([]goja.Value, len(keys))
	for i, k := range keys {
		vals[i] = obj.Get(k)
		out.set(k, vals[i])
	}
	for i, k := range keys {
		if k != "" && k[0] == '$' {
			continue
		}
		v := vals[i]
		if v == nil || goja.IsUndefined(v) {
			out.del(k)
			continue
		}
		if !v.ToBoolean() {
			continue
		}
		child, ok := v.(*goja.Object)
		if !ok || child.ClassName() != "Object" || m.isInternal(child) {
			continue
		}
		for _, seen := range visited {
			if seen == child {
				return nil, errCycle
			}
		}
		if len(visited) > maxEncodeDepth {
			return nil, errTooDeep
		}
		flat, err := m.flatten(child, append(visited[:len(visited):len(visited)], child))
		if err != nil {
			return nil, err
		}
		out.set(k, flat)
		keep := false
		for _, ck := range flat.keys() {
			if ck != "" && ck[0] == '$' {
				keep = true
				continue
			}
			cv, _ := flat.get(ck)
			out.set(k+"."+ck, cv)
			flat.del(ck)
		}
		if !keep {
			out.del(k)
		}
	}
	return out, nil
}

// ---------------------------------------------------------------- queries

// encodeWhere checks and encodes where()'s argument.
// plainObject reports an object the real SDK takes for a plain one. goja's class
// "Object" covers Map, Set, Promise and typed arrays too, which the SDK's test
// (Object.prototype.toString) tells apart by their Symbol.toStringTag: where(new Map())
// became the empty query, which remove() applies to every document.
func plainObject(o *goja.Object) bool {
	if o.ClassName() != "Object" {
		return false
	}
	tag := o.GetSymbol(goja.SymToStringTag)
	return tag == nil || goja.IsUndefined(tag)
}

func (m *module) encodeWhere(q goja.Value) (node, error) {
	o, ok := q.(*goja.Object)
	if !ok || !plainObject(o) {
		return nil, plainError("查询参数必须为对象")
	}
	keys := o.Keys()
	if len(keys) > 0 {
		defined := false
		for _, k := range keys {
			if v := o.Get(k); v != nil && !goja.IsUndefined(v) {
				defined = true
				break
			}
		}
		if !defined {
			return nil, plainError("查询参数对象值不能均为undefined")
		}
	}
	return m.encodeQuery(q, unsetKey)
}

func (m *module) encodeQuery(q node, key string) (node, error) {
	switch x := q.(type) {
	case *command:
		if x.kind == cmdQuery {
			return m.encodeComparison(x)
		}
		return m.encodeLogic(x)
	case *omap:
		return m.encodeQueryObject(x)
	case *goja.Object:
		if m.keepsShape(x) {
			switch k := m.commandKind(x); k {
			case cmdQuery:
				return m.encodeComparison(m.readCommand(x, k))
			case cmdLogic:
				return m.encodeLogic(m.readCommand(x, k))
			}
			switch x.ClassName() {
			case "RegExp":
				return single(key, m.regexpNode(x)), nil
			case "Date":
				return single(key, x), nil
			}
			flat, err := m.flatten(x, []*goja.Object{x})
			if err != nil {
				return nil, err
			}
			inner, err := m.encodeQueryObject(flat)
			return single(key, inner), err
		}
		if x.ClassName() == "Object" {
			flat, err := m.flatten(x, []*goja.Object{x})
			if err != nil {
				return nil, err
			}
			return m.encodeQueryObject(flat)
		}
	}
	return q, nil
}

func (m *module) regexpNode(re *goja.Object) node {
	return single("$regularExpression", &omap{items: []kv{{"pattern", m.vm.ToValue(regexpSource(re))}, {"options", re.Get("flags")}}})
}

func (m *module) encodeQueryObject(flat *omap) (*omap, error) {
	for _, key := range flat.keys() {
		v, ok := flat.get(key)
		if !ok {
			continue
		}
		k := m.commandKind(v)
		if k != cmdLogic && k != cmdQuery {
			continue
		}
		named := m.withField(m.readCommand(v.(*goja.Object), k), key)
		flat.set(key, named)
		var cond node
		var err error
		if k == cmdQuery {
			cond, err = m.encodeComparison(named)
		} else {
			cond, err = m.encodeLogic(named)
		}
		if err != nil {
			return nil, err
		}
		c, ok := cond.(*omap)
		if !ok {
			continue
		}
		mergeQuery(flat, c, key)
	}
	return flat, nil
}

func mergeQuery(q, cond *omap, key string) {
	if v, _ := cond.get(key); !truthy(v) {
		q.del(key)
	}
	for _, it := range cond.items {
		cur, ok := q.get(it.key)
		switch {
		case !ok || !truthy(cur):
			q.set(it.key, it.val)
		case isJSArray(cur):
			q.set(it.key, concatNodes(cur, it.val))
		case isJSObject(cur) && isJSObject(it.val):
			for _, c := range cond.items {
				q.set(c.key, c.val)
			}
		default:
			q.set(it.key, it.val)
		}
	}
}

func nodesOf(v node) []node {
	switch x := v.(type) {
	case []node:
		return x
	case *goja.Object:
		if x.ClassName() == "Array" {
			return arrayNodes(x)
		}
	}
	return nil
}

func concatNodes(a, b node) []node {
	out := append([]node(nil), nodesOf(a)...)
	if isJSArray(b) {
		return append(out, nodesOf(b)...)
	}
	return append(out, b)
}

var opNames = map[string]string{"neq": "$ne", "remove": "$unset", "shift": "$pop", "unshift": "$push"}

func opName(op string) string {
	if n, ok := opNames[op]; ok {
		return n
	}
	return "$" + op
}

func (m *module) encodeLogic(c *command) (node, error) {
	switch c.op {
	case "and", "or", "nor":
		ops := c.operandList()
		list := make([]node, len(ops))
		for i, o := range ops {
			enc, err := m.encodeQuery(o, c.key())
			if err != nil {
				return nil, err
			}
			list[i] = enc
		}
		return single(opName(c.op), list), nil
	case "not":
		inner := c.operand(0)
		if o, ok := inner.(*goja.Object); ok && o.ClassName() == "RegExp" {
			return single(c.key(), single("$not", m.regexpNode(o))), nil
		}
		enc, err := m.encodeQuery(inner, unsetKey)
		if err != nil {
			return nil, err
		}
		var sub node = goja.Undefined()
		if eo, ok := enc.(*omap); ok {
			if v, ok := eo.get(c.key()); ok {
				sub = v
			}
		}
		return single(c.key(), single("$not", sub)), nil
	}
	ops := c.operandList()
	if len(ops) == 1 {
		enc, err := m.encodeQuery(ops[0], unsetKey)
		return single(opName(c.op), enc), err
	}
	list := make([]node, len(ops))
	for i, o := range ops {
		enc, err := m.encodeQuery(o, unsetKey)
		if err != nil {
			return nil, err
		}
		list[i] = enc
	}
	return single(opName(c.op), list), nil
}

func (m *module) geometry(v node) (node, error) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, typeError("Cannot read property 'toJSON' of " + describeType(v))
	}
	if _, isFn := goja.AssertFunction(o.Get("toJSON")); !isFn {
		return nil, typeError("geometry.toJSON is not a function")
	}
	return o, nil
}

func describeType(v node) string {
	if g, ok := v.(goja.Value); ok && g != nil {
		return g.String()
	}
	return "undefined"
}

func (m *module) encodeComparison(c *command) (node, error) {
	if !c.hasField {
		return nil, plainError("Cannot encode a comparison command with unset field name")
	}
	f := c.field
	switch c.op {
	case "in", "nin", "all":
		var operands node = c.operands
		if c.named && c.list != nil {
			operands = c.list
		}
		return single(f, single(opName(c.op), operands)), nil
	case "geoNear":
		opts, _ := c.operand(0).(*goja.Object)
		if opts == nil {
			return nil, typeError("geoNear needs {geometry}")
		}
		g, err := m.geometry(opts.Get("geometry"))
		if err != nil {
			return nil, err
		}
		return single(f, single("$nearSphere", &omap{items: []kv{
			{"$geometry", g}, {"$maxDistance", opts.Get("maxDistance")}, {"$minDistance", opts.Get("minDistance")},
		}})), nil
	case "geoWithin":
		opts, _ := c.operand(0).(*goja.Object)
		if opts == nil {
			return nil, typeError("geoWithin needs {geometry} or {centerSphere}")
		}
		if cs := opts.Get("centerSphere"); cs != nil && cs.ToBoolean() {
			isPoint, err := m.checkCenterSphere(cs)
			if err != nil {
				return nil, err
			}
			if isPoint {
				arr := cs.(*goja.Object)
				p := arr.Get("0").(*goja.Object)
				pair := []node{p.Get("longitude"), p.Get("latitude")}
				return single(f, single("$geoWithin", single("$centerSphere", []node{pair, arr.Get("1")}))), nil
			}
			return single(f, single("$geoWithin", single("$centerSphere", cs))), nil
		}
		g, err := m.geometry(opts.Get("geometry"))
		if err != nil {
			return nil, err
		}
		return single(f, single("$geoWithin", single("$geometry", g))), nil
	case "geoIntersects":
		opts, _ := c.operand(0).(*goja.Object)
		if opts == nil {
			return nil, typeError("geoIntersects needs {geometry}")
		}
		g, err := m.geometry(opts.Get("geometry"))
		if err != nil {
			return nil, err
		}
		return single(f, single("$geoIntersects", single("$geometry", g))), nil
	}
	return single(f, single(opName(c.op), c.operand(0))), nil
}

// checkCenterSphere validates [Point, radius] or [[lng, lat], radius].
func (m *module) checkCenterSphere(cs goja.Value) (isPoint bool, err error) {
	arr, ok := cs.(*goja.Object)
	if ok && arr.ClassName() == "Array" && arr.Get("length").ToInteger() == 2 {
		first := arr.Get("0")
		radius := arr.Get("1")
		_, radiusIsNumber := numberValue(radius)
		if p, ok := first.(*goja.Object); ok {
			if p.Prototype() == m.protoPoint && radiusIsNumber {
				return true, nil
			}
			if p.ClassName() == "Array" && p.Get("length").ToInteger() == 2 {
				if err := checkDegree("longitude", p.Get("0")); err != nil {
					return false, err
				}
				if err := checkDegree("latitude", p.Get("1")); err != nil {
					return false, err
				}
				if radiusIsNumber {
					return false, nil
				}
			}
		}
	}
	return false, plainError("centersPhere结构不合法")
}

func numberValue(v goja.Value) (float64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.ExportType() {
	case typeInt64, typeFloat64:
		return v.ToFloat(), true
	}
	return 0, false
}

func checkDegree(which string, v goja.Value) error {
	f, ok := numberValue(v)
	if !ok {
		return plainError("Geo Point must be number type")
	}
	if which == "latitude" && math.Abs(f) > 90 {
		return plainError("latitude should be a number ranges from -90 to 90")
	}
	if which == "longitude" && math.Abs(f) > 180 {
		return plainError("longitude should be a number ranges from -180 to 180")
	}
	return nil
}

// ---------------------------------------------------------------- updates

var arrayUpdates = map[string]bool{"push": true, "pull": true, "pullAll": true, "pop": true, "shift": true, "unshift": true, "addToSet": true}

// encodeUpdate encodes update()'s data.
func (m *module) encodeUpdate(data goja.Value) (node, error) {
	o, ok := data.(*goja.Object)
	if !ok {
		return data, nil
	}
	if m.commandKind(o) == cmdUpdate {
		return m.encodeUpdateCommand(m.readCommand(o, cmdUpdate))
	}
	if o.ClassName() != "Object" {
		return data, nil
	}
	flat, err := m.flatten(o, []*goja.Object{o})
	if err != nil {
		return nil, err
	}
	for _, key := range flat.keys() {
		if key != "" && key[0] == '$' {
			continue
		}
		v, ok := flat.get(key)
		if !ok {
			continue
		}
		var c *command
		if m.commandKind(v) == cmdUpdate {
			c = m.withField(m.readCommand(v.(*goja.Object), cmdUpdate), key)
		} else {
			c = &command{kind: cmdUpdate, op: "set", list: []node{v}, named: true, field: key, hasField: true}
		}
		flat.set(key, c)
		cond, err := m.encodeUpdateCommand(c)
		if err != nil {
			return nil, err
		}
		mergeUpdate(flat, cond.(*omap), key)
	}
	return flat, nil
}

func (m *module) encodeUpdateCommand(c *command) (node, error) {
	if !c.hasField {
		return nil, plainError("Cannot encode a comparison command with unset field name")
	}
	f := c.field
	op := opName(c.op)
	if !arrayUpdates[c.op] {
		if c.op == "remove" {
			return single(op, single(f, "")), nil
		}
		return single(op, single(f, c.operand(0))), nil
	}
	switch c.op {
	case "push":
		if isJSArray(c.operands) {
			return single(op, single(f, single("$each", c.operands))), nil
		}
		return single(op, single(f, c.operands)), nil
	case "unshift":
		return single(op, single(f, &omap{items: []kv{{"$each", c.operands}, {"$position", int64(0)}}})), nil
	case "pop":
		return single(op, single(f, int64(1))), nil
	case "shift":
		return single(op, single(f, int64(-1))), nil
	}
	return single(op, single(f, c.operands)), nil
}

func mergeUpdate(q, cond *omap, key string) {
	if v, _ := cond.get(key); !truthy(v) {
		q.del(key)
	}
	for _, it := range cond.items {
		cur, ok := q.get(it.key)
		switch {
		case !ok || !truthy(cur):
			q.set(it.key, it.val)
		case isJSArray(cur):
			q.set(it.key, append(append([]node(nil), nodesOf(cur)...), it.val))
		case isJSObject(cur) && isJSObject(it.val):
			target, isMap := cur.(*omap)
			if !isMap {
				target = objectNodes(cur.(*goja.Object))
				q.set(it.key, target)
			}
			for _, c := range nodeItems(it.val) {
				target.set(c.key, c.val)
			}
		default:
			q.set(it.key, it.val)
		}
	}
}

func objectNodes(o *goja.Object) *omap {
	keys := o.Keys()
	out := &omap{items: make([]kv, 0, len(keys))}
	for _, k := range keys {
		out.set(k, o.Get(k))
	}
	return out
}

func nodeItems(v node) []kv {
	switch x := v.(type) {
	case *omap:
		return x.items
	case *goja.Object:
		return objectNodes(x).items
	}
	return nil
}

// hasUpdateCommand reports whether a set() document holds an update command anywhere
// (objects and arrays, as the SDK's check walks them).
func (m *module) hasUpdateCommand(v goja.Value, depth int) bool {
	o, ok := v.(*goja.Object)
	if !ok || depth > maxEncodeDepth {
		return false
	}
	switch o.ClassName() {
	case "Function":
		return false
	}
	for _, k := range o.Keys() {
		child := o.Get(k)
		if m.commandKind(child) == cmdUpdate {
			return true
		}
		if co, ok := child.(*goja.Object); ok && co.ClassName() != "Function" && m.hasUpdateCommand(co, depth+1) {
			return true
		}
	}
	return false
}
