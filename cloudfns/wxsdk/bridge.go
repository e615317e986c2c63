package wxsdk

import (
	"encoding/json"
	"strconv"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/cloudfns"
)

// module is one evaluation of js/sdk.js in a VM: the Go side of its `native` bridge.
type module struct {
	env Env
	vm  *goja.Runtime

	// prototypes of the SDK's value classes, registered by the JS code: the encoder
	// recognises their instances, the decoder builds Geo values from them.
	protoServerDate, protoRegExp, protoObjectID              *goja.Object
	protoPoint, protoLineString, protoPolygon                *goja.Object
	protoMultiPoint, protoMultiLineString, protoMultiPolygon *goja.Object
	protoLogicCommand, protoQueryCommand, protoUpdateCommand *goja.Object
	dateCtor, errorCtor, typeErrorCtor                       goja.Value
	// serverError(code, message, requestId) makes node-sdk's TcbError.
	serverError goja.Value
	// lastRequestID is the request id of the latest action (node-sdk's requestId).
	lastRequestID string

	enc encoder
}

func newModule(env Env) *module {
	vm := env.VM()
	m := &module{env: env, vm: vm}
	g := vm.GlobalObject()
	m.dateCtor = g.Get("Date")
	m.errorCtor = g.Get("Error")
	m.typeErrorCtor = g.Get("TypeError")
	m.enc.m = m
	return m
}

// throw raises a JavaScript Error with message msg.
func (m *module) throw(msg string) {
	if ctor, ok := goja.AssertConstructor(m.errorCtor); ok {
		if obj, err := ctor(nil, m.vm.ToValue(msg)); err == nil {
			panic(obj)
		}
	}
	panic(m.vm.NewTypeError(msg))
}

func (m *module) nativeObject() *goja.Object {
	o := m.vm.NewObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) { _ = o.Set(name, fn) }
	set("register", m.register)
	set("ejson", m.ejson)
	set("where", m.nativeWhere)
	set("encodeQuery", m.nativeEncodeQuery)
	set("encodeUpdate", m.nativeEncodeUpdate)
	set("hasUpdateCommand", m.nativeHasUpdateCommand)
	set("find", m.nativeFind)
	set("count", m.nativeCount)
	set("docGet", m.nativeDocGet)
	set("updateWhere", m.nativeUpdateWhere)
	set("updateDoc", m.nativeUpdateDoc)
	set("setDoc", m.nativeSetDoc)
	set("removeWhere", m.nativeRemoveWhere)
	set("removeDoc", m.nativeRemoveDoc)
	set("insert", m.nativeInsert)
	set("db", m.nativeDB)
	set("requestId", func(goja.FunctionCall) goja.Value { return m.vm.ToValue(m.lastRequestID) })
	set("callFunction", m.callFunction)
	set("log", func(c goja.FunctionCall) goja.Value {
		m.env.Log(c.Argument(0).String(), c.Argument(1).String())
		return goja.Undefined()
	})
	set("envId", func(goja.FunctionCall) goja.Value { return m.vm.ToValue(m.env.Host().EnvID()) })
	set("wxContext", m.wxContext)
	set("callContext", m.callContext)
	set("hasStorage", func(goja.FunctionCall) goja.Value { return m.vm.ToValue(m.hasStorage()) })
	set("uploadFile", m.uploadFile)
	set("downloadFile", m.downloadFile)
	set("getTempFileURL", m.getTempFileURL)
	set("deleteFile", m.deleteFile)
	return o
}

func (m *module) register(c goja.FunctionCall) goja.Value {
	o := c.Argument(0).ToObject(m.vm)
	proto := func(name string) *goja.Object {
		p, _ := o.Get(name).(*goja.Object)
		return p
	}
	m.protoServerDate = proto("ServerDate")
	m.protoRegExp = proto("RegExp")
	m.protoObjectID = proto("ObjectId")
	m.protoPoint = proto("Point")
	m.protoLineString = proto("LineString")
	m.protoPolygon = proto("Polygon")
	m.protoMultiPoint = proto("MultiPoint")
	m.protoMultiLineString = proto("MultiLineString")
	m.protoMultiPolygon = proto("MultiPolygon")
	m.protoLogicCommand = proto("LogicCommand")
	m.protoQueryCommand = proto("QueryCommand")
	m.protoUpdateCommand = proto("UpdateCommand")
	m.serverError = o.Get("serverError")
	return goja.Undefined()
}

// ejson(value) returns value's canonical Extended JSON, as bson's EJSON.stringify
// writes it for the real SDK.
func (m *module) ejson(c goja.FunctionCall) goja.Value {
	return m.vm.ToValue(m.ejsonOf(c.Argument(0)))
}

// Decoding modes of native.db (js/sdk.js DECODE_*).
const (
	decodeNone      = 0
	decodeList      = 1
	decodeListPlain = 2
	decodeDoc       = 3
)

// callFunction(name, dataJSON) invokes another function for the caller, as CloudBase
// does: same user, SOURCE extended with ",scf", one level deeper. It returns
// {result: <JSON text>, requestId} or {requestId, code, message}.
func (m *module) callFunction(c goja.FunctionCall) goja.Value {
	name := c.Argument(0).String()
	data := c.Argument(1).String()
	if data == "" {
		data = "{}"
	}
	parent := m.env.Call()
	cc := cloudfns.CallContext{
		RequestID: NewCallRequestID(),
		Source:    ChainSource(parent.Source),
		OpenID:    parent.OpenID,
		AppID:     parent.AppID,
		UnionID:   parent.UnionID,
		ClientIP:  parent.ClientIP,
		UserInfo:  parent.UserInfo,
		Depth:     parent.Depth + 1,
	}
	out := m.vm.NewObject()
	_ = out.Set("requestId", cc.RequestID)
	res, err := m.env.Host().CallFunction(m.env.Context(), name, json.RawMessage(data), cc)
	if err == nil && res.Err != nil {
		err = res.Err
	}
	if err != nil {
		code, msg := errorCode(err)
		_ = out.Set("code", code)
		_ = out.Set("message", msg)
		return out
	}
	value := string(res.Value)
	if value == "" {
		value = "null"
	}
	_ = out.Set("result", value)
	return out
}

// SourceFunction is the SOURCE a call from another function adds to its caller's:
// a mini program calling A, which calls B, gives B "wx_client,scf".
const SourceFunction = "scf"

// ChainSource is the SOURCE of a function called by one whose SOURCE is parent.
func ChainSource(parent string) string {
	if parent == "" {
		return SourceFunction
	}
	return parent + "," + SourceFunction
}

// wxContext() builds getWXContext()'s answer: the caller's OPENID, APPID, UNIONID and
// CLIENTIP when known, ENV and SOURCE. Like the real SDK, purely numeric values are
// returned as numbers.
func (m *module) wxContext(goja.FunctionCall) goja.Value {
	cc := m.env.Call()
	o := m.vm.NewObject()
	put := func(k, v string) {
		if v == "" {
			return
		}
		if isDigits(v) {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				_ = o.Set(k, n)
				return
			}
		}
		_ = o.Set(k, v)
	}
	put("OPENID", cc.OpenID)
	put("APPID", cc.AppID)
	put("UNIONID", cc.UnionID)
	put("CLIENTIP", cc.ClientIP)
	_ = o.Set("ENV", m.env.Host().EnvID())
	if cc.Source != "" {
		_ = o.Set("SOURCE", cc.Source)
	}
	return o
}

func isDigits(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// callContext() gives node-sdk's auth() the caller's identity.
func (m *module) callContext(goja.FunctionCall) goja.Value {
	cc := m.env.Call()
	o := m.vm.NewObject()
	_ = o.Set("openId", cc.OpenID)
	_ = o.Set("appId", cc.AppID)
	_ = o.Set("unionId", cc.UnionID)
	_ = o.Set("clientIp", cc.ClientIP)
	_ = o.Set("source", cc.Source)
	_ = o.Set("requestId", cc.RequestID)
	return o
}
