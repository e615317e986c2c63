package cloudfns

import (
	"encoding/base64"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	nodeurl "github.com/dop251/goja_nodejs/url"
)

// Globals of a function instance. The Go natives below are handed to the JavaScript
// prelude (globals_prelude.go) as one object; the prelude builds console, timers,
// process, Buffer, TextEncoder/TextDecoder, URL, fetch, structuredClone, crypto and
// the builtin modules on them. Nothing here reaches the host: no file system, no host
// environment, no process control.

var (
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typeBytes       = reflect.TypeOf([]byte(nil))
)

// jsHelpers are JavaScript functions the runtime calls.
type jsHelpers struct {
	jsonParse      goja.Callable
	promiseResolve func(v goja.Value) (goja.Value, error)
	emitUnhandled  goja.Callable
	bufferFromAB   goja.Callable
	inspect        goja.Callable
	makeContext    goja.Callable
	modules        *goja.Object
	errorCtor      goja.Constructor
	// dataView is the realm's original DataView.prototype and its getters (a DataView
	// exports to nothing useful: bytesOf reads it through them).
	dataView                             *goja.Object
	dvBuffer, dvByteOffset, dvByteLength goja.Callable
}

// newError creates a JavaScript Error (the realm's original constructor) with an
// optional code.
func (in *Instance) newError(msg, code string) *goja.Object {
	e, err := in.js.errorCtor(nil, in.vm.ToValue(msg))
	if err != nil {
		e = in.vm.NewGoError(runtimeErr(msg))
	}
	if code != "" {
		_ = e.Set("code", code)
	}
	return e
}

// dataViewFns captures DataView.prototype and its buffer/byteOffset/byteLength getters.
func (h *jsHelpers) dataViewFns(vm *goja.Runtime) {
	ctor, ok := vm.Get("DataView").(*goja.Object)
	if !ok {
		return
	}
	proto, ok := ctor.Get("prototype").(*goja.Object)
	if !ok {
		return
	}
	getOwn, _ := goja.AssertFunction(vm.Get("Object").(*goja.Object).Get("getOwnPropertyDescriptor"))
	getter := func(name string) goja.Callable {
		d, err := getOwn(goja.Undefined(), proto, vm.ToValue(name))
		if err != nil {
			return nil
		}
		do, ok := d.(*goja.Object)
		if !ok {
			return nil
		}
		f, _ := goja.AssertFunction(do.Get("get"))
		return f
	}
	h.dvBuffer, h.dvByteOffset, h.dvByteLength = getter("buffer"), getter("byteOffset"), getter("byteLength")
	if h.dvBuffer != nil && h.dvByteOffset != nil && h.dvByteLength != nil {
		h.dataView = proto
	}
}

// dataViewBytes returns the bytes a DataView views (shared); false if o is not one.
func (in *Instance) dataViewBytes(o *goja.Object) ([]byte, bool) {
	h := &in.js
	if h.dataView == nil {
		return nil, false
	}
	found := false
	p := o.Prototype()
	for i := 0; p != nil && i < 64; i++ {
		if p == h.dataView {
			found = true
			break
		}
		p = p.Prototype()
	}
	if !found {
		return nil, false
	}
	bv, err := h.dvBuffer(o) // the getters throw for anything but a real DataView
	if err != nil {
		return nil, false
	}
	offv, err := h.dvByteOffset(o)
	if err != nil {
		return nil, false
	}
	lenv, err := h.dvByteLength(o)
	if err != nil {
		return nil, false
	}
	bo, ok := bv.(*goja.Object)
	if !ok || bo.ExportType() != typeArrayBuffer {
		return nil, false
	}
	b := bo.Export().(goja.ArrayBuffer).Bytes()
	off, n := offv.ToInteger(), lenv.ToInteger()
	if off < 0 || n < 0 || off+n > int64(len(b)) {
		return nil, false
	}
	return b[off : off+n : off+n], true
}

func (h *jsHelpers) promiseResolveFn(vm *goja.Runtime) {
	promise := vm.Get("Promise").(*goja.Object)
	resolve, _ := goja.AssertFunction(promise.Get("resolve"))
	h.promiseResolve = func(v goja.Value) (goja.Value, error) { return resolve(promise, v) }
}

// installGlobals sets up a new VM: guards first (the prelude captures the guarded
// constructors), then the natives and the prelude.
func (in *Instance) installGlobals() {
	vm := in.vm
	in.js.errorCtor, _ = goja.AssertConstructor(vm.Get("Error"))
	in.js.dataViewFns(vm)
	in.guards = newGuards(vm, in.rt.cfg.MaxHeapBytes)
	in.guards.install()
	in.js.jsonParse = in.guards.parse
	in.js.promiseResolveFn(vm)

	prg, err := preludeProgram()
	if err != nil {
		panic(err) // a bug in the prelude: tests catch it
	}
	fnv, err := vm.RunProgram(prg)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	hv, err := fn(goja.Undefined(), vm.GlobalObject(), in.natives())
	if err != nil {
		panic(err)
	}
	h := hv.(*goja.Object)
	in.js.modules = h.Get("modules").(*goja.Object)
	in.js.emitUnhandled, _ = goja.AssertFunction(h.Get("emitUnhandled"))
	in.js.bufferFromAB, _ = goja.AssertFunction(h.Get("bufferFromAB"))
	in.js.inspect, _ = goja.AssertFunction(h.Get("inspect"))
	in.js.makeContext, _ = goja.AssertFunction(h.Get("makeContext"))
}

// natives builds the object of Go functions the prelude receives.
func (in *Instance) natives() *goja.Object {
	vm := in.vm
	n := vm.NewObject()
	set := func(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
		_ = o.Set(name, f)
	}
	epoch := time.Now()

	set(n, "log", func(c goja.FunctionCall) goja.Value {
		in.Log(c.Argument(0).String(), c.Argument(1).String())
		return goja.Undefined()
	})
	set(n, "now", func(goja.FunctionCall) goja.Value {
		return vm.ToValue(float64(time.Since(epoch).Nanoseconds()) / 1e6)
	})
	set(n, "zoneOffset", func(c goja.FunctionCall) goja.Value {
		offset, ok := zoneOffsetMinutes(c.Argument(0).String(), c.Argument(1).ToFloat())
		if !ok {
			return goja.Null()
		}
		return vm.ToValue(offset)
	})
	set(n, "callSites", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(callSites(vm, int(min(max(c.Argument(0).ToInteger(), 0), maxCallSites))))
	})
	set(n, "collate", func(c goja.FunctionCall) goja.Value {
		locale := ""
		if l := c.Argument(2); !goja.IsUndefined(l) && !goja.IsNull(l) {
			locale = l.String()
		}
		return vm.ToValue(compareStrings(c.Argument(0).String(), c.Argument(1).String(), locale,
			collatorOptionsFor(c.Argument(3).ToBoolean(), c.Argument(4).String())))
	})
	set(n, "hrtime", func(goja.FunctionCall) goja.Value {
		return vm.ToValue(time.Since(epoch).Nanoseconds() + 1e9)
	})

	// Timers.
	set(n, "setTimer", func(c goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			panic(vm.NewTypeError("The \"callback\" argument must be of type function. Received " + c.Argument(0).String()))
		}
		ms := c.Argument(1).ToFloat()
		if math.IsNaN(ms) || ms < 1 || ms > math.MaxInt32 {
			ms = 1
		}
		d := time.Duration(ms * float64(time.Millisecond))
		id := in.loop.addTimer(fn, d, c.Argument(2).ToBoolean(), jsArrayValues(c.Argument(3)))
		return vm.ToValue(id)
	})
	set(n, "setImmediate", func(c goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			panic(vm.NewTypeError("The \"callback\" argument must be of type function. Received " + c.Argument(0).String()))
		}
		return vm.ToValue(in.loop.addImmediate(fn, jsArrayValues(c.Argument(1))))
	})
	set(n, "clearTimer", func(c goja.FunctionCall) goja.Value {
		in.loop.clear(c.Argument(0).ToInteger())
		return goja.Undefined()
	})
	set(n, "refTimer", func(c goja.FunctionCall) goja.Value {
		in.loop.setRef(c.Argument(0).ToInteger(), c.Argument(1).ToBoolean())
		return goja.Undefined()
	})
	set(n, "hasRef", func(c goja.FunctionCall) goja.Value {
		t := in.loop.byID[c.Argument(0).ToInteger()]
		return vm.ToValue(t != nil && !t.unref)
	})
	set(n, "refreshTimer", func(c goja.FunctionCall) goja.Value {
		in.loop.refresh(c.Argument(0).ToInteger())
		return goja.Undefined()
	})
	set(n, "promiseState", func(c goja.FunctionCall) goja.Value {
		if o, ok := c.Argument(0).(*goja.Object); ok && o.ExportType() == typePromise {
			p := o.Export().(*goja.Promise)
			switch p.State() {
			case goja.PromiseStateFulfilled:
				return vm.NewArray("fulfilled", p.Result())
			case goja.PromiseStateRejected:
				return vm.NewArray("rejected", p.Result())
			}
		}
		return vm.NewArray("pending")
	})

	// process.env: the function's variables and the ones CloudBase sets, nothing else.
	env := vm.NewObject()
	keys := make([]string, 0, len(in.code.env))
	for k := range in.code.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_ = env.Set(k, in.code.env[k])
	}
	_ = n.Set("env", env)
	_ = n.Set("memoryLimit", functionMemoryMB<<20)

	// Text and base64.
	set(n, "utf8Encode", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer([]byte(c.Argument(0).String())))
	})
	set(n, "utf8EncodeInto", func(c goja.FunctionCall) goja.Value {
		src := c.Argument(0).String()
		dst := in.bytesOf(c.Argument(1))
		read, written := 0, 0
		for _, r := range src {
			l := utf8.RuneLen(r)
			if l < 0 {
				r, l = utf8.RuneError, 3
			}
			if written+l > len(dst) {
				break
			}
			utf8.EncodeRune(dst[written:], r)
			written += l
			if r >= 0x10000 {
				read += 2
			} else {
				read++
			}
		}
		return vm.NewArray(read, written)
	})
	set(n, "utf8Decode", func(c goja.FunctionCall) goja.Value {
		b := in.bytesOf(c.Argument(0))
		if c.Argument(1).ToBoolean() && !utf8.Valid(b) {
			e := vm.NewTypeError("The encoded data was not valid for encoding utf-8")
			_ = e.Set("code", "ERR_ENCODING_INVALID_ENCODED_DATA")
			panic(e)
		}
		return vm.ToValue(decodeUTF8(b))
	})
	set(n, "utf8Tail", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(utf8IncompleteTail(in.bytesOf(c.Argument(0))))
	})
	set(n, "atob", func(c goja.FunctionCall) goja.Value {
		if len(c.Arguments) == 0 {
			panic(vm.NewTypeError("The \"data\" argument must be specified"))
		}
		// Node's atob: the forgiving-base64 checks, in its order and with its messages.
		s := c.Argument(0).String()
		count, equals := 0, 0
		for _, r := range s {
			switch {
			case r == '\t' || r == '\n' || r == '\f' || r == '\r' || r == ' ':
			case r == '=':
				count++
				equals++
				if equals > 2 {
					panic(in.domError("Invalid character", "InvalidCharacterError"))
				}
			case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/':
				count++
				if equals > 0 { // '=' only at the end
					panic(in.domError("Invalid character", "InvalidCharacterError"))
				}
			default:
				panic(in.domError("Invalid character", "InvalidCharacterError"))
			}
		}
		rem := count % 4
		if rem == 0 {
			rem = (count - equals) % 4
		} else if equals > 0 {
			panic(in.domError("Invalid character", "InvalidCharacterError"))
		}
		if rem == 1 {
			panic(in.domError("The string to be decoded is not correctly encoded.", "InvalidCharacterError"))
		}
		b := decodeBase64Loose(s)
		return vm.ToValue(latin1String(b))
	})
	set(n, "btoa", func(c goja.FunctionCall) goja.Value {
		if len(c.Arguments) == 0 {
			panic(vm.NewTypeError("The \"data\" argument must be specified"))
		}
		b, ok := latin1Bytes(c.Argument(0))
		if !ok {
			panic(in.domError("Invalid character", "InvalidCharacterError"))
		}
		return vm.ToValue(base64.StdEncoding.EncodeToString(b))
	})
	set(n, "urlModule", func(goja.FunctionCall) goja.Value {
		m := vm.NewObject()
		_ = m.Set("exports", vm.NewObject())
		nodeurl.Require(vm, m)
		return m.Get("exports")
	})
	set(n, "refuseBytes", func(goja.FunctionCall) goja.Value {
		in.guards.refuse("Array buffer allocation failed")
		return nil
	})
	_ = n.Set("buf", in.bufferNatives())
	_ = n.Set("crypto", in.cryptoNatives())
	in.fetchNatives(n)
	in.fsNatives(n)
	in.httpNatives(n)
	_ = n.Set("zlib", in.zlibNatives())
	return n
}

// domError builds a DOMException(msg, name).
func (in *Instance) domError(msg, name string) goja.Value {
	if ctor, ok := goja.AssertConstructor(in.vm.Get("DOMException")); ok {
		if e, err := ctor(nil, in.vm.ToValue(msg), in.vm.ToValue(name)); err == nil {
			return e
		}
	}
	e := in.vm.NewTypeError(msg)
	_ = e.Set("name", name)
	return e
}

// arrayValues copies a JavaScript array's elements.
func jsArrayValues(v goja.Value) []goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	n := int(o.Get("length").ToInteger())
	if n <= 0 {
		return nil
	}
	out := make([]goja.Value, n)
	for i := range out {
		out[i] = o.Get(itoa(i))
	}
	return out
}

// bytesOf returns the bytes behind an ArrayBuffer, a typed array or a DataView (shared,
// not copied), or nil.
func (in *Instance) bytesOf(v goja.Value) []byte {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	switch t := o.ExportType(); {
	case t == typeArrayBuffer:
		return o.Export().(goja.ArrayBuffer).Bytes()
	case t == typeBytes:
		b, _ := o.Export().([]byte)
		return b
	case t != nil && t.Kind() == reflect.Slice && isNumericKind(t.Elem().Kind()):
		var b []byte
		if in.vm.ExportTo(o, &b) == nil {
			return b
		}
	}
	if b, ok := in.dataViewBytes(o); ok {
		return b
	}
	return nil
}

func isNumericKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32, reflect.Uint32,
		reflect.Int64, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// isBinary reports whether v is an ArrayBuffer, typed array or DataView.
func (in *Instance) isBinary(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	t := o.ExportType()
	if t == typeArrayBuffer || t == typeBytes || (t != nil && t.Kind() == reflect.Slice && isNumericKind(t.Elem().Kind())) {
		return true
	}
	_, ok = in.dataViewBytes(o)
	return ok
}

// decodeUTF8 decodes bytes as UTF-8 the WHATWG way (as Node and TextDecoder do): each
// maximal subpart of an invalid or truncated sequence becomes one U+FFFD.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for i := 0; i < len(b); {
		n := utf8SeqLen(b[i:])
		if n > 0 {
			sb.Write(b[i : i+n])
			i += n
			continue
		}
		sb.WriteRune(utf8.RuneError)
		i += -n
	}
	return sb.String()
}

// utf8SeqLen looks at the sequence at the start of b (not empty): n > 0 when it is a
// complete, valid sequence of n bytes, else -n is the length of its maximal subpart
// (the bytes one U+FFFD replaces, at least 1), per the WHATWG UTF-8 decoder.
func utf8SeqLen(b []byte) int {
	c := b[0]
	need, lo, hi := 0, byte(0x80), byte(0xBF)
	switch {
	case c < 0x80:
		return 1
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return -1
	}
	for k := 1; k <= need; k++ {
		if k >= len(b) || b[k] < lo || b[k] > hi {
			return -k
		}
		lo, hi = 0x80, 0xBF
	}
	return need + 1
}

// utf8IncompleteTail counts the trailing bytes of b that start a UTF-8 sequence not
// yet complete but still valid so far (for streaming decoders).
func utf8IncompleteTail(b []byte) int {
	for i := max(0, len(b)-3); i < len(b); i++ {
		if n := utf8SeqLen(b[i:]); n < 0 && i-n == len(b) && b[i] >= 0xC2 && b[i] <= 0xF4 {
			return len(b) - i
		}
	}
	return 0
}

// latin1String maps each byte to the code point of the same value.
func latin1String(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// latin1Bytes maps each UTF-16 code unit of v to a byte; false if one is above 0xFF.
func latin1Bytes(v goja.Value) ([]byte, bool) {
	if s, ok := v.(goja.String); ok {
		n := s.Length()
		b := make([]byte, n)
		for i := 0; i < n; i++ {
			c := s.CharAt(i)
			if c > 0xFF {
				return nil, false
			}
			b[i] = byte(c)
		}
		return b, true
	}
	str := v.String()
	b := make([]byte, 0, len(str))
	for _, r := range str {
		if r > 0xFF {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

// functionEnv builds process.env and context.environ of a version: the function's own
// variables plus the ones CloudBase's runtime sets.
func functionEnv(v *Version, envID string) (environ string, env map[string]string) {
	env = map[string]string{
		"TCB_ENV":              envID,
		"SCF_NAMESPACE":        envID,
		"TCB_CONTEXT_KEYS":     "TCB_ENV,TCB_SEQID,TCB_SOURCE",
		"TENCENTCLOUD_RUNENV":  "SCF",
		"SCF_RUNTIME":          "Nodejs18.15",
		"SCF_FUNCTIONNAME":     v.Function,
		"SCF_FUNCTIONVERSION":  "$LATEST",
		"TENCENTCLOUD_REGION":  "ap-shanghai",
		"NODE_ENV":             "production",
		"TZ":                   "UTC",
		"USER_CODE_ROOT":       bundleRoot,
		"MINICLOUD_FN_VERSION": itoa(v.Number),
	}
	for k, val := range v.Bundle.Config.Envs {
		env[k] = val
	}
	keys := make([]string, 0, len(v.Bundle.Config.Envs))
	for k := range v.Bundle.Config.Envs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v.Bundle.Config.Envs[k])
	}
	return b.String(), env
}
