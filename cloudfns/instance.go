package cloudfns

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// This file fixes the API between the runtime and the modules Minicloud implements in Go
// (wx-server-sdk, @cloudbase/node-sdk). The runtime owns Instance's fields.

// Instance is one warm VM of a function version. Module top-level code runs once per
// instance; an instance runs one invocation at a time, on one goroutine.
type Instance struct {
	vm      *goja.Runtime
	version *Version
	host    Host
	current *invocation

	rt   *Runtime
	code *versionCode

	// Module system (require.go).
	modules  map[string]*goja.Object // bundle path -> module object
	builtins map[string]goja.Value   // native and builtin module exports by name
	mainMod  *goja.Object
	main     goja.Callable
	mainArgs int // main.length (3: callback style)
	// mainSeesContext: main can read its second argument (see mainReadsContext).
	mainSeesContext bool
	initErr         error

	// JavaScript helpers (globals.go).
	js        jsHelpers
	ctxConst  [4]goja.Value // environ, version, name, namespace of context
	loop      eventLoop
	guards    *guards
	idleSince time.Time
	started   bool
	// The deadline timer, made once and re-armed for every invocation (arm, disarm);
	// timed is the invocation it stops.
	timer *time.Timer
	timed atomic.Pointer[invocation]
	// broken: never reuse (interrupted, stack overflow, failed module init).
	broken bool
}

// invocation is the state of the call running on an instance.
//
// Its context is made only when something needs one (a native module's blocking call,
// Async, the event loop waiting for timers or I/O): a call that never waits costs no
// context, no context timer and no cancellation hook. The deadline is enforced by the
// instance's reusable timer (Instance.arm), which interrupts the VM.
type invocation struct {
	call CallContext
	vm   *goja.Runtime // the VM running it (stop interrupts it)

	parent   context.Context // the caller's
	deadline time.Time       // the caller's deadline or the function's timeout, whichever is first

	ctxMu  sync.Mutex
	ctx    context.Context // parent with the deadline, made on first use
	cancel context.CancelFunc
	ended  bool // end() ran: a context made later is born canceled

	// stopReason is why the invocation was stopped (stopTimeout, stopMemory), 0 if not.
	stopReason atomic.Uint32
	// memoryKilled: the watchdog stopped this invocation.
	memoryKilled atomic.Bool

	logMu     sync.Mutex
	logs      []LogLine
	logBytes  int
	truncated bool

	// Watchdog bookkeeping (runtime_watchdog.go).
	start  time.Time
	busy   atomic.Bool // running JavaScript (not waiting for timers or I/O)
	score  float64     // heap growth attributed to this invocation
	killed bool
}

// arm starts the deadline timer of inv (d from now).
func (in *Instance) arm(inv *invocation, d time.Duration) {
	in.timed.Store(inv)
	if d <= 0 {
		inv.stop(stopTimeout)
		return
	}
	if in.timer == nil {
		in.timer = time.AfterFunc(d, in.onDeadline)
		return
	}
	in.timer.Reset(d)
}

// disarm stops the deadline timer; false means it fired (or is firing), so the VM may
// carry a pending interrupt.
func (in *Instance) disarm() bool {
	ok := in.timer == nil || in.timer.Stop()
	in.timed.Store(nil)
	return ok
}

func (in *Instance) onDeadline() {
	if inv := in.timed.Load(); inv != nil {
		inv.stop(stopTimeout)
	}
}

// Why an invocation was stopped.
const (
	stopTimeout uint32 = 1 + iota
	stopMemory
)

// context returns the invocation's context (its deadline is the invocation's),
// making it on first use.
func (inv *invocation) context() context.Context {
	inv.ctxMu.Lock()
	defer inv.ctxMu.Unlock()
	if inv.ctx == nil {
		inv.ctx, inv.cancel = context.WithDeadline(inv.parent, inv.deadline)
		if inv.ended || inv.stopReason.Load() != 0 {
			inv.cancel()
		}
	}
	return inv.ctx
}

// stop ends the invocation early from any goroutine: its VM is interrupted at the
// next instruction and its context (so any blocking native call) is canceled.
func (inv *invocation) stop(reason uint32) {
	inv.stopReason.CompareAndSwap(0, reason)
	if reason == stopMemory {
		inv.memoryKilled.Store(true)
	}
	inv.vm.Interrupt(interruptMarker{})
	inv.ctxMu.Lock()
	if inv.cancel != nil {
		inv.cancel()
	}
	inv.ctxMu.Unlock()
}

// end marks the invocation returned: its context, if any, is canceled (Async work
// still running sees it and drops its result).
func (inv *invocation) end() {
	inv.ctxMu.Lock()
	inv.ended = true
	if inv.cancel != nil {
		inv.cancel()
	}
	inv.ctxMu.Unlock()
}

// err is non-nil once the invocation must not go on waiting: stopped, past its
// deadline, or its caller gone.
func (inv *invocation) err() error {
	if inv.stopReason.Load() != 0 {
		return stopped{}
	}
	if !time.Now().Before(inv.deadline) {
		return context.DeadlineExceeded
	}
	return inv.parent.Err()
}

// timedOut reports whether the invocation ran into its deadline.
func (inv *invocation) timedOut() bool {
	return inv.stopReason.Load() == stopTimeout || !time.Now().Before(inv.deadline)
}

// VM returns the instance's goja runtime. Use it only from native functions called by
// JavaScript (which run on the invocation's goroutine).
func (in *Instance) VM() *goja.Runtime { return in.vm }

// Version returns the function version the instance runs.
func (in *Instance) Version() *Version { return in.version }

// Host returns the services native modules call.
func (in *Instance) Host() Host { return in.host }

// Call returns the context of the invocation running now (getWXContext reads it).
func (in *Instance) Call() CallContext {
	if in.current == nil {
		return CallContext{}
	}
	return in.current.call
}

// Context returns the running invocation's context: its deadline is the function's
// timeout, so blocking native calls (database, fetch) must honour it.
func (in *Instance) Context() context.Context {
	if in.current == nil {
		return context.Background()
	}
	return in.current.context()
}

// Log appends a line to the running invocation's log (console.* and cloud.logger()).
func (in *Instance) Log(level, text string) {
	if in.current != nil {
		in.current.appendLog(level, text)
	}
}

// NativeModule builds the exports of a module implemented in Go, once per instance,
// when the function first requires it.
type NativeModule func(in *Instance) (goja.Value, error)

// Async runs work on its own goroutine and returns a JavaScript promise for its result:
// a native module's way to do I/O without blocking the function's event loop (so
// `Promise.all` of several calls overlaps them, and timers keep firing meanwhile).
//
// work gets the invocation's context (its deadline is the function's timeout) and must
// not touch the VM; it returns settle, which the runtime calls on the invocation's
// goroutine to produce the promise's value (or its rejection: an error becomes a JS
// Error with the error's message; a *goja.Exception rejects with its value). If the
// invocation ends first, settle is never called.
//
// Call Async only from native functions called by JavaScript. Blocking calls that just
// return a resolved promise are fine too: an instance runs one invocation at a time.
func (in *Instance) Async(work func(ctx context.Context) (settle func(vm *goja.Runtime) (goja.Value, error))) goja.Value {
	p, resolve, reject := in.vm.NewPromise()
	inv := in.current
	if inv == nil {
		_ = reject(in.vm.NewGoError(errNoInvocation))
		return in.vm.ToValue(p)
	}
	in.loop.pending++
	post := in.loop.post
	ctx := inv.context()
	go func() {
		settle := work(ctx)
		job := loopJob{inv: inv, run: func() error {
			in.loop.pending--
			v, err := settle(in.vm)
			if err != nil {
				return reject(in.jsError(err))
			}
			return resolve(v)
		}}
		select {
		case post <- job:
		case <-ctx.Done(): // the invocation ended (or was stopped)
		}
	}()
	return in.vm.ToValue(p)
}
