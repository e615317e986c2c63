package cloudfns

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// This file runs one instance: creating its VM, the cold start (the entry module's top
// level), one invocation (event in, main called, promises and timers driven to
// completion by the event loop, value or error out).

var (
	errNoInvocation = errors.New("no invocation is running on this instance")
	errNeverSettles = errors.New("main returned a promise that never settled: nothing was left to wait for (no timers, no pending I/O)")
)

var typePromise = reflect.TypeOf((*goja.Promise)(nil))

// newInstance creates a VM for a version with Minicloud's globals; the entry module
// runs on the first invocation (cold start), under that invocation's limits.
func (r *Runtime) newInstance(p *versionPool, v *Version) *Instance {
	vm := goja.New()
	in := &Instance{
		vm:       vm,
		version:  v,
		host:     r.host,
		rt:       r,
		code:     p.code,
		modules:  map[string]*goja.Object{},
		builtins: map[string]goja.Value{},
	}
	vm.SetMaxCallStackSize(r.cfg.MaxStackDepth)
	// eval and new Function must not load source maps from the host.
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	in.loop.init()
	vm.SetPromiseRejectionTracker(in.trackRejection)
	in.installGlobals()
	return in
}

// release drops the instance's references so the VM can be collected even while
// the Instance itself is still referenced (by the invocation finishing on it, or by
// async work still in flight).
func (in *Instance) release() {
	in.loop.reset()
	in.loop.timers = nil
	in.modules = nil
	in.builtins = nil
	in.main = nil
	in.mainMod = nil
	in.current = nil
	in.js = jsHelpers{}
	in.guards = nil
	in.vm = nil
}

// finish ends the current invocation on the instance.
func (in *Instance) finish() {
	in.loop.reset()
	in.guards.forgetIterator()
	in.current = nil
}

// invoke runs one invocation. It never panics: a panic in native code becomes an
// execute-fail result and a discarded instance.
func (in *Instance) invoke(inv *invocation, event json.RawMessage) (res Result) {
	in.current = inv
	inv.busy.Store(true)
	defer func() {
		if p := recover(); p != nil {
			in.broken = true
			res = Result{Outcome: OutcomeError, Err: &InvokeError{
				Code:    CodeExecuteFail,
				Message: fmt.Sprintf("internal error in the function runtime: %v", p),
			}}
		}
		res.Logs = inv.takeLogs()
	}()

	if !in.started {
		in.started = true
		if err := in.startModule(); err != nil {
			in.broken = true // a failed module init is retried by the next instance
			return in.failResult(inv, err)
		}
	}
	if in.main == nil {
		in.broken = true
		return invokeFailure(OutcomeError, CodeExecuteFail, "the function's entry "+in.code.entry+" does not export a main function (exports.main = async (event, context) => …)")
	}

	ev, err := in.eventValue(event, &inv.call)
	if err != nil {
		return invokeFailure(OutcomeError, CodeInvalidParam, "the event is not valid JSON: "+err.Error())
	}
	cx := goja.Undefined()
	if in.mainSeesContext {
		cx = in.contextObject(inv)
	}

	var ret goja.Value
	var cbPromise *goja.Promise
	if in.mainArgs >= 3 {
		var cb goja.Value
		cbPromise, cb = in.callbackPair()
		ret, err = in.main(goja.Undefined(), ev, cx, cb)
	} else {
		ret, err = in.main(goja.Undefined(), ev, cx)
	}
	if err != nil {
		return in.failResult(inv, err)
	}

	promise := in.asPromise(ret)
	if promise == nil && cbPromise != nil && goja.IsUndefined(ret) {
		promise = cbPromise
	}
	if promise != nil {
		in.loop.mainPromise = promise
		if err := in.runLoop(inv, func() bool { return promise.State() != goja.PromiseStatePending }); err != nil {
			return in.failResult(inv, err)
		}
		if promise.State() == goja.PromiseStateRejected {
			return in.failResult(inv, &rejection{value: promise.Result()})
		}
		ret = promise.Result()
	} else if err := in.checkRejections(); err != nil {
		return in.failResult(inv, err)
	}

	out, err := in.encodeResult(ret)
	if err != nil {
		return in.failResult(inv, err)
	}
	return Result{Value: out, Outcome: OutcomeSuccess}
}

// callbackPair returns a promise and the SCF-style callback(err, value) settling it.
func (in *Instance) callbackPair() (*goja.Promise, goja.Value) {
	p, resolve, reject := in.vm.NewPromise()
	done := false
	cb := func(call goja.FunctionCall) goja.Value {
		if done {
			return goja.Undefined()
		}
		done = true
		if e := call.Argument(0); !goja.IsUndefined(e) && !goja.IsNull(e) {
			_ = reject(e)
		} else {
			_ = resolve(call.Argument(1))
		}
		return goja.Undefined()
	}
	return p, in.vm.ToValue(cb)
}

// asPromise returns v as a native promise: a goja promise, or a thenable adopted by
// Promise.resolve. Nil when v is neither.
func (in *Instance) asPromise(v goja.Value) *goja.Promise {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if o.ExportType() == typePromise {
		p, _ := o.Export().(*goja.Promise)
		return p
	}
	if then, ok := goja.AssertFunction(o.Get("then")); ok && then != nil {
		pv, err := in.js.promiseResolve(o)
		if err == nil {
			if po, ok := pv.(*goja.Object); ok {
				p, _ := po.Export().(*goja.Promise)
				return p
			}
		}
	}
	return nil
}

// startModule runs the entry module's top level and finds main.
func (in *Instance) startModule() error {
	exports, err := in.requireFile(in.code.entry, nil)
	if err != nil {
		return err
	}
	obj, ok := exports.(*goja.Object)
	if !ok {
		return nil
	}
	m := obj.Get("main")
	fn, ok := goja.AssertFunction(m)
	if !ok {
		return nil
	}
	in.main = fn
	in.mainSeesContext = true
	if mo, ok := m.(*goja.Object); ok {
		if l := mo.Get("length"); l != nil {
			in.mainArgs = int(l.ToInteger())
		}
		in.mainSeesContext = mainReadsContext(mo.String())
	}
	return in.checkRejections()
}

// mainReadsContext reports whether a main with this source text can observe its second
// argument. Only an arrow function declaring at most one parameter (no rest parameter)
// cannot: an arrow has no arguments object of its own. Anything else, or text that does
// not parse as a function expression (a method, a bound or native function), can.
// Building the context object costs ~2 µs of a ~45 µs call, and `async (event) => …`
// is a common main.
func mainReadsContext(src string) bool {
	prog, err := parser.ParseFile(nil, "", "("+src+"\n)", 0)
	if err != nil || len(prog.Body) != 1 {
		return true
	}
	st, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return true
	}
	arrow, ok := st.Expression.(*ast.ArrowFunctionLiteral)
	if !ok {
		return true
	}
	params := arrow.ParameterList
	return params == nil || params.Rest != nil || len(params.List) > 1
}

// eventValue turns the event JSON into the object main receives, adding userInfo for
// callers with an openid as CloudBase does.
func (in *Instance) eventValue(event json.RawMessage, cc *CallContext) (goja.Value, error) {
	var ev goja.Value
	text := strings.TrimSpace(string(event))
	if text == "" || text == "null" {
		ev = in.vm.NewObject()
	} else {
		v, err := parseJSON(in.vm, text)
		if errors.Is(err, errJSONFallback) {
			v, err = in.js.jsonParse(goja.Undefined(), in.vm.ToValue(text))
			if err != nil {
				err = errors.New(errorText(in.vm, err))
			}
		}
		if err != nil {
			return nil, err
		}
		ev = v
	}
	if cc.OpenID != "" || cc.UserInfo != nil {
		if o, ok := ev.(*goja.Object); ok && o.ClassName() == "Object" {
			var ui goja.Value
			if cc.UserInfo != nil {
				if b, err := json.Marshal(cc.UserInfo); err == nil {
					ui, _ = in.js.jsonParse(goja.Undefined(), in.vm.ToValue(string(b)))
				}
			}
			if ui == nil {
				u := in.vm.NewObject()
				_ = u.Set("appId", cc.AppID)
				_ = u.Set("openId", cc.OpenID)
				if cc.UnionID != "" {
					_ = u.Set("unionId", cc.UnionID)
				}
				ui = u
			}
			_ = o.Set("userInfo", ui)
		}
	}
	return ev, nil
}

// contextObject builds main's second argument (SCF's context).
func (in *Instance) contextObject(inv *invocation) *goja.Object {
	vm := in.vm
	c := in.code
	limit := c.config.TimeoutDuration()
	if d := time.Until(inv.deadline); d > 0 && d < limit {
		limit = d
	}
	if in.ctxConst[0] == nil {
		in.ctxConst = [4]goja.Value{vm.ToValue(c.environ), vm.ToValue(itoa(c.number)), vm.ToValue(c.function), vm.ToValue(in.rt.envID())}
	}
	o, err := in.js.makeContext(goja.Undefined(), vm.ToValue(inv.call.RequestID), vm.ToValue(limit.Milliseconds()),
		in.ctxConst[0], in.ctxConst[1], in.ctxConst[2], in.ctxConst[3])
	if err != nil {
		panic(err)
	}
	return o.(*goja.Object)
}

// functionMemoryMB is what context.memory_limit_in_mb reports (CloudBase's default).
const functionMemoryMB = 256

func (r *Runtime) envID() string {
	if r.host == nil {
		return ""
	}
	return r.host.EnvID()
}

// encodeResult turns main's value into JSON ("null" for undefined), bounded by
// MaxResultBytes.
func (in *Instance) encodeResult(v goja.Value) (json.RawMessage, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return json.RawMessage("null"), nil
	}
	out, ok, err := in.guards.encodeJSON(v, MaxResultBytes, "the function's result")
	if err != nil {
		return nil, err
	}
	if !ok {
		// A function or symbol: JSON has no value for it.
		return json.RawMessage("null"), nil
	}
	return out, nil
}

// rejection is a promise rejected with value (main's own, or an unhandled one).
type rejection struct {
	value     goja.Value
	unhandled bool
}

func (e *rejection) Error() string { return "promise rejected" }

// stopped is the loop's error when the invocation's context ended while it waited.
type stopped struct{}

func (stopped) Error() string { return "invocation stopped" }

// failResult describes err as a failed Result.
func (in *Instance) failResult(inv *invocation, err error) Result {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	var rj *rejection
	switch {
	case errors.As(err, &ie) || errors.Is(err, stopped{}):
		in.broken = true
		stack := ""
		if ie != nil {
			stack = framesStack(ie.Stack(), "")
		}
		switch {
		case inv.memoryKilled.Load():
			return invokeFailure(OutcomeLimit, CodeMemory, memoryMessage(in.rt.cfg.MaxHeapBytes), stack)
		case inv.timedOut():
			return invokeFailure(OutcomeTimeout, CodeTimeout, "the function did not finish within its timeout of "+in.code.config.TimeoutDuration().String(), stack)
		default:
			return invokeFailure(OutcomeError, CodeExecuteFail, "the invocation was canceled", stack)
		}
	case errors.As(err, &so):
		in.broken = true
		return invokeFailure(OutcomeLimit, CodeExecuteFail, "RangeError: Maximum call stack size exceeded", framesStack(so.Stack(), "RangeError: Maximum call stack size exceeded"))
	case errors.As(err, &ex):
		return in.valueFailure(ex.Value(), ex.Stack(), "")
	case errors.As(err, &rj):
		prefix := ""
		if rj.unhandled {
			prefix = "unhandled promise rejection: "
		}
		return in.valueFailure(rj.value, nil, prefix)
	case errors.Is(err, errNeverSettles):
		return invokeFailure(OutcomeError, CodeExecuteFail, err.Error())
	case errors.Is(err, errResultTooLarge):
		return invokeFailure(OutcomeError, CodeExecuteFail, err.Error())
	}
	return invokeFailure(OutcomeError, CodeExecuteFail, err.Error())
}

func memoryMessage(limit uint64) string {
	return "the function used too much memory (the runtime's budget is " + itoa(int(limit>>20)) + " MiB) and was stopped"
}

// valueFailure describes a thrown or rejected JavaScript value.
func (in *Instance) valueFailure(v goja.Value, frames []goja.StackFrame, prefix string) Result {
	msg, stack := in.describeError(v)
	if stack == "" && len(frames) > 0 {
		stack = framesStack(frames, msg)
	}
	if in.guards.isGuardError(v) {
		return invokeFailure(OutcomeLimit, CodeMemory, prefix+msg+" (the runtime refuses allocations this large)", stack)
	}
	return invokeFailure(OutcomeError, CodeExecuteFail, prefix+msg, stack)
}

// describeError returns "Name: message" and the Node-style stack of an error value, or
// a readable rendering of another thrown value.
func (in *Instance) describeError(v goja.Value) (msg, stack string) {
	if v == nil {
		return "undefined", ""
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return v.String(), ""
	}
	if isErrorObject(in.vm, o) {
		msg = safeString(o)
		if s := o.Get("stack"); s != nil && !goja.IsUndefined(s) {
			stack = nodeStack(s.String())
		}
		return msg, stack
	}
	if s, err := in.guards.stringifyCapped(o, 4096, "error"); err == nil && s != "" {
		return s, ""
	}
	return safeString(o), ""
}

func isErrorObject(vm *goja.Runtime, o *goja.Object) bool {
	if o.ClassName() == "Error" {
		return true
	}
	errCtor, _ := vm.Get("Error").(*goja.Object)
	return errCtor != nil && vm.InstanceOf(o, errCtor)
}

// safeString is String(o) that cannot fail.
func safeString(o *goja.Object) (s string) {
	defer func() {
		if recover() != nil {
			s = "[object]"
		}
	}()
	return o.String()
}

// errorText renders an error from the VM as text.
func errorText(vm *goja.Runtime, err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if o, ok := ex.Value().(*goja.Object); ok {
			return safeString(o)
		}
		if ex.Value() != nil {
			return ex.Value().String()
		}
	}
	return err.Error()
}

// jsError turns a Go error into the JavaScript value a promise rejects with.
func (in *Instance) jsError(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	var ie *InvokeError
	if errors.As(err, &ie) {
		return in.newError(ie.Message, ie.Code)
	}
	var re *requireError
	if errors.As(err, &re) {
		return in.newError(re.msg, re.code)
	}
	return in.newError(err.Error(), "")
}

// ---- Event loop ----

type loopJob struct {
	inv *invocation
	run func() error
}

type jsTimer struct {
	id       int64
	when     time.Time
	interval time.Duration
	fn       goja.Callable
	args     []goja.Value
	repeat   bool
	unref    bool
	cleared  bool
	seq      uint64
	index    int
}

type timerHeap []*jsTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*jsTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	t.index = -1
	return t
}

// eventLoop is an instance's timers, immediates and pending async work. It belongs to
// the invocation running; reset clears it between invocations (timers left behind by
// a finished invocation never fire, as on a frozen CloudBase instance they would not).
type eventLoop struct {
	timers      timerHeap
	byID        map[int64]*jsTimer
	nextID      int64
	seq         uint64
	refs        int // active timers that keep the loop alive (not unref'd)
	immediates  []*jsTimer
	pending     int // Async work outstanding
	post        chan loopJob
	sleep       *time.Timer
	rejections  []*goja.Promise
	mainPromise *goja.Promise
	fetchSeq    int64
	fetches     map[int64]context.CancelFunc
}

func (l *eventLoop) init() {
	l.byID = map[int64]*jsTimer{}
	l.post = make(chan loopJob, 16)
}

func (l *eventLoop) reset() {
	for i := range l.timers {
		l.timers[i] = nil
	}
	l.timers = l.timers[:0]
	clear(l.byID)
	l.refs = 0
	l.immediates = nil
	l.pending = 0
	l.rejections = l.rejections[:0]
	l.mainPromise = nil
	for id, cancel := range l.fetches {
		cancel()
		delete(l.fetches, id)
	}
	if l.sleep != nil {
		l.sleep.Stop()
	}
	// Drop work posted by a finished invocation.
	for {
		select {
		case <-l.post:
			continue
		default:
		}
		break
	}
}

func (l *eventLoop) addTimer(fn goja.Callable, delay time.Duration, repeat bool, args []goja.Value) int64 {
	if delay < time.Millisecond {
		delay = time.Millisecond
	}
	l.nextID++
	l.seq++
	t := &jsTimer{id: l.nextID, when: time.Now().Add(delay), interval: delay, fn: fn, args: args, repeat: repeat, seq: l.seq}
	l.byID[t.id] = t
	heap.Push(&l.timers, t)
	l.refs++
	return t.id
}

func (l *eventLoop) addImmediate(fn goja.Callable, args []goja.Value) int64 {
	l.nextID++
	t := &jsTimer{id: l.nextID, fn: fn, args: args, index: -1}
	l.byID[t.id] = t
	l.immediates = append(l.immediates, t)
	return t.id
}

func (l *eventLoop) clear(id int64) {
	t := l.byID[id]
	if t == nil {
		return
	}
	delete(l.byID, id)
	t.cleared = true
	if t.index >= 0 && t.index < len(l.timers) && l.timers[t.index] == t {
		heap.Remove(&l.timers, t.index)
		if !t.unref {
			l.refs--
		}
	}
}

func (l *eventLoop) setRef(id int64, ref bool) {
	t := l.byID[id]
	if t == nil || t.index < 0 || t.unref == !ref {
		return
	}
	t.unref = !ref
	if ref {
		l.refs++
	} else {
		l.refs--
	}
}

func (l *eventLoop) refresh(id int64) {
	t := l.byID[id]
	if t == nil || t.index < 0 {
		return
	}
	t.when = time.Now().Add(t.interval)
	l.seq++
	t.seq = l.seq
	heap.Fix(&l.timers, t.index)
}

// runLoop drives timers, immediates and async completions until done() or an error.
// Microtasks (promise jobs) run after every call into JavaScript.
func (in *Instance) runLoop(inv *invocation, done func() bool) error {
	l := &in.loop
	for {
		if err := in.checkRejections(); err != nil {
			return err
		}
		if done() {
			return nil
		}
		if inv.err() != nil {
			return stopped{}
		}
		if len(l.immediates) > 0 {
			batch := l.immediates
			l.immediates = nil
			for i, t := range batch {
				if t.cleared {
					continue
				}
				delete(l.byID, t.id)
				if _, err := t.fn(goja.Undefined(), t.args...); err != nil {
					l.immediates = append(batch[i+1:], l.immediates...)
					return err
				}
				if err := in.checkRejections(); err != nil {
					return err
				}
			}
			continue
		}
		select {
		case j := <-l.post:
			if err := in.runJob(inv, j); err != nil {
				return err
			}
			continue
		default:
		}
		now := time.Now()
		if len(l.timers) > 0 && !l.timers[0].when.After(now) {
			if err := in.fireTimer(now); err != nil {
				return err
			}
			continue
		}
		if l.pending == 0 && l.refs == 0 {
			return errNeverSettles
		}
		var wake <-chan time.Time
		if len(l.timers) > 0 {
			d := l.timers[0].when.Sub(now)
			if l.sleep == nil {
				l.sleep = time.NewTimer(d)
			} else {
				l.sleep.Reset(d)
			}
			wake = l.sleep.C
		}
		inv.busy.Store(false)
		select {
		case j := <-l.post:
			inv.busy.Store(true)
			if err := in.runJob(inv, j); err != nil {
				return err
			}
		case <-wake:
			inv.busy.Store(true)
		case <-inv.context().Done():
			inv.busy.Store(true)
			return stopped{}
		}
		if wake != nil && l.sleep != nil {
			l.sleep.Stop()
		}
	}
}

func (in *Instance) runJob(inv *invocation, j loopJob) error {
	if j.inv != inv {
		return nil // left over from an earlier invocation
	}
	return j.run()
}

func (in *Instance) fireTimer(now time.Time) error {
	l := &in.loop
	t := heap.Pop(&l.timers).(*jsTimer)
	if t.repeat {
		t.when = now.Add(t.interval)
		l.seq++
		t.seq = l.seq
		heap.Push(&l.timers, t)
	} else {
		delete(l.byID, t.id)
		if !t.unref {
			l.refs--
		}
	}
	_, err := t.fn(goja.Undefined(), t.args...)
	return err
}

// trackRejection keeps the promises rejected with no handler (goja's host hook).
func (in *Instance) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	l := &in.loop
	switch op {
	case goja.PromiseRejectionReject:
		l.rejections = append(l.rejections, p)
	case goja.PromiseRejectionHandle:
		for i, q := range l.rejections {
			if q == p {
				l.rejections = append(l.rejections[:i], l.rejections[i+1:]...)
				break
			}
		}
	}
}

// checkRejections fails the invocation on a promise rejected with no handler once the
// microtasks have run (Node's default since v15), unless the function listens to
// process.on('unhandledRejection').
func (in *Instance) checkRejections() error {
	l := &in.loop
	if len(l.rejections) == 0 {
		return nil
	}
	var first *goja.Promise
	for _, p := range l.rejections {
		if p != l.mainPromise {
			first = p
			break
		}
	}
	if first == nil {
		return nil
	}
	list := append([]*goja.Promise(nil), l.rejections...)
	l.rejections = l.rejections[:0]
	if in.js.emitUnhandled != nil {
		handled := true
		for _, p := range list {
			if p == l.mainPromise {
				continue
			}
			v, err := in.js.emitUnhandled(goja.Undefined(), p.Result(), in.vm.ToValue(p))
			if err != nil {
				return err
			}
			if !v.ToBoolean() {
				handled = false
			}
		}
		if handled {
			return nil
		}
	}
	return &rejection{value: first.Result(), unhandled: true}
}

// ---- Logs ----

const logTruncatedText = "[log truncated: console output is limited to 64 KiB per invocation]"

// appendLog records a console line, up to MaxLogBytes per invocation.
func (inv *invocation) appendLog(level, text string) {
	switch level {
	case "log", "info", "warn", "error", "debug":
	default:
		level = "log"
	}
	now := time.Now()
	inv.logMu.Lock()
	defer inv.logMu.Unlock()
	if inv.truncated {
		return
	}
	if inv.logBytes+len(text) > MaxLogBytes {
		if room := MaxLogBytes - inv.logBytes; room > 0 {
			inv.logs = append(inv.logs, LogLine{Level: level, Time: now, Text: cutLogText(text, room)})
		}
		inv.logs = append(inv.logs, LogLine{Level: "warn", Time: now, Text: logTruncatedText})
		inv.logBytes = MaxLogBytes
		inv.truncated = true
		return
	}
	inv.logBytes += len(text)
	inv.logs = append(inv.logs, LogLine{Level: level, Time: now, Text: text})
}

func (inv *invocation) takeLogs() []LogLine {
	inv.logMu.Lock()
	defer inv.logMu.Unlock()
	l := inv.logs
	inv.logs = nil
	return l
}

// cutLogText cuts s to at most n bytes without splitting a character.
func cutLogText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
