package cloudfns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// This file is the runtime's front: configuration, admission (global and per-function
// concurrency, the bounded queue) and Invoke. The pieces behind it:
//
//   - pool.go: compiled code per version (each file compiled once, shared by every
//     instance of the version) and the warm instances kept per version;
//   - vm.go: one instance's VM, the event loop that drives promises and timers, and
//     turning values and errors into a Result;
//   - require*.go: CommonJS require over the bundle's files, node_modules packages,
//     native modules and the Node builtins Minicloud provides;
//   - globals*.go: console, timers, process, Buffer, TextEncoder/Decoder, atob/btoa,
//     structuredClone, URL, crypto, and the guards against huge single allocations;
//   - fetch.go: fetch() with the host allow-list;
//   - runtime_watchdog.go: the memory watchdog;
//   - sourcemap.go: source maps and Node-style stacks.
//
// Limits in one place:
//
//   - Time: every invocation runs under context.WithTimeout(function timeout); when it
//     expires, the VM is interrupted (goja checks the flag between instructions, so an
//     endless loop stops at the deadline) and the instance is discarded.
//   - Stack: goja's call stack is limited (MaxStackDepth); overflowing it is an
//     uncatchable error in goja, reported as "Maximum call stack size exceeded"; the
//     instance is discarded.
//   - Memory: see runtime_watchdog.go (a sampler of the Go heap that interrupts the
//     invocation responsible) and globals_guard.go (caps on the builtins that allocate
//     in one native step, where an interrupt cannot reach).
//   - Concurrency: a global semaphore (MaxConcurrency), one per function
//     (Config.MaxConcurrency or FunctionConcurrency), a bounded queue (MaxQueue) whose
//     callers wait up to their deadline; past MaxQueue callers get CodeTooBusy at once.

// RuntimeConfig configures a Runtime. Zero fields take the defaults noted.
type RuntimeConfig struct {
	// MaxConcurrency bounds simultaneous invocations, all functions (default 4*GOMAXPROCS).
	MaxConcurrency int
	// MaxQueue bounds invocations waiting for a slot; beyond it callers get CodeTooBusy
	// (default 256).
	MaxQueue int
	// FunctionConcurrency is the per-function bound when the function's
	// Config.MaxConcurrency is 0 (default MaxConcurrency).
	FunctionConcurrency int
	// MaxHeapBytes is the memory watchdog's budget for function heaps (default 512 MiB).
	MaxHeapBytes uint64
	// MaxTmpBytes bounds each instance's in-memory /tmp (default 64 MiB, at most an
	// eighth of MaxHeapBytes).
	MaxTmpBytes int64
	// MaxStackDepth is goja's call stack limit (default 2000).
	MaxStackDepth int
	// MaxIdlePerVersion bounds the warm instances kept per version (default 8).
	MaxIdlePerVersion int
	// FetchAllow lists the host patterns fetch() may reach: "*" (all), "api.example.com",
	// "*.example.com" (sub-domains), optionally with ":port". Empty: none.
	FetchAllow []string
	// HTTPClient is fetch's client (tests inject one); default a client with sane
	// transport timeouts.
	HTTPClient *http.Client
}

// RuntimeStats is a snapshot of the runtime's state.
type RuntimeStats struct {
	Running int // invocations executing now
	Queued  int // invocations waiting for a slot
	Warm    int // idle warm instances, all versions
	// Versions with compiled code and a pool.
	Versions int
	// Counters since the runtime started.
	Invocations uint64
	ColdStarts  uint64
	Timeouts    uint64
	MemoryKills uint64
	TooBusy     uint64
	// HeapBytes is the Go heap (objects, live and not yet swept) at the watchdog's last
	// sample; HeapLimit the level above which it interrupts invocations.
	HeapBytes uint64
	HeapLimit uint64
}

// Runtime runs function versions in pooled goja VMs.
type Runtime struct {
	cfg  RuntimeConfig
	host Host

	modMu   sync.RWMutex
	modules map[string]NativeModule

	global chan struct{} // global concurrency semaphore
	queued atomic.Int64
	active atomic.Int64

	mu        sync.RWMutex // pools, lastSweep
	pools     map[poolKey]*versionPool
	lastSweep time.Time
	semMu     sync.RWMutex
	fnSems    map[string]*fnSem

	wd    *watchdog
	fetch *fetcher

	nInvocations, nCold, nTimeouts, nMemory, nBusy atomic.Uint64
}

type fnSem struct {
	limit int
	ch    chan struct{}
}

// NewRuntime returns a runtime whose functions reach Minicloud through host.
func NewRuntime(cfg RuntimeConfig, host Host) *Runtime {
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = 4 * runtime.GOMAXPROCS(0)
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 256
	}
	if cfg.FunctionConcurrency <= 0 {
		cfg.FunctionConcurrency = cfg.MaxConcurrency
	}
	if cfg.MaxHeapBytes == 0 {
		cfg.MaxHeapBytes = 512 << 20
	}
	if cfg.MaxTmpBytes <= 0 {
		cfg.MaxTmpBytes = tmpLimit(cfg.MaxHeapBytes)
	}
	if cfg.MaxStackDepth <= 0 {
		cfg.MaxStackDepth = 2000
	}
	if cfg.MaxIdlePerVersion <= 0 {
		cfg.MaxIdlePerVersion = 8
	}
	r := &Runtime{
		cfg:       cfg,
		host:      host,
		modules:   map[string]NativeModule{},
		global:    make(chan struct{}, cfg.MaxConcurrency),
		fnSems:    map[string]*fnSem{},
		pools:     map[poolKey]*versionPool{},
		lastSweep: time.Now(),
	}
	r.wd = newWatchdog(r, cfg.MaxHeapBytes)
	r.fetch = newFetcher(cfg.FetchAllow, cfg.HTTPClient)
	return r
}

// RegisterModule makes require(name) return m's exports in every function. Native
// modules take precedence over the bundle's node_modules and Node's builtins.
func (r *Runtime) RegisterModule(name string, m NativeModule) {
	r.modMu.Lock()
	r.modules[name] = m
	r.modMu.Unlock()
}

func (r *Runtime) nativeModule(name string) NativeModule {
	r.modMu.RLock()
	m := r.modules[name]
	r.modMu.RUnlock()
	return m
}

// Evict drops the warm instances and compiled code of a function's versions (after a
// deploy, a rollback or a delete). Invocations running now finish on their instance,
// which is then discarded.
func (r *Runtime) Evict(function string) {
	r.mu.Lock()
	var dropped []*versionPool
	for k, p := range r.pools {
		if p.function == function {
			delete(r.pools, k)
			dropped = append(dropped, p)
		}
	}
	r.mu.Unlock()
	for _, p := range dropped {
		p.close()
	}
}

// Stats returns a snapshot of the runtime's state.
func (r *Runtime) Stats() RuntimeStats {
	s := RuntimeStats{
		Running:     int(r.active.Load()),
		Queued:      int(r.queued.Load()),
		Invocations: r.nInvocations.Load(),
		ColdStarts:  r.nCold.Load(),
		Timeouts:    r.nTimeouts.Load(),
		MemoryKills: r.nMemory.Load(),
		TooBusy:     r.nBusy.Load(),
	}
	r.mu.Lock()
	s.Versions = len(r.pools)
	for _, p := range r.pools {
		s.Warm += p.idleCount()
	}
	r.mu.Unlock()
	s.HeapBytes, s.HeapLimit = r.wd.levels()
	return s
}

// Invoke runs main of version v with event (JSON; empty means {}) for the caller cc.
// The call is bounded by ctx and by the function's timeout.
func (r *Runtime) Invoke(ctx context.Context, v *Version, event json.RawMessage, cc CallContext) (res Result) {
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	r.nInvocations.Add(1)
	if v == nil {
		return invokeFailure(OutcomeError, CodeNotFound, "function not found")
	}
	if len(event) > MaxEventBytes {
		return invokeFailure(OutcomeError, CodeInvalidParam, "the event is "+itoa(len(event))+" bytes, more than the "+itoa(MaxEventBytes)+" allowed")
	}
	if err := checkJSONDepth(event, maxJSONDepth); err != nil {
		return invokeFailure(OutcomeError, CodeInvalidParam, "the event "+err.Error())
	}
	timeout := v.Bundle.Config.TimeoutDuration()

	fs, ierr := r.admit(ctx, v, timeout)
	if ierr != nil {
		r.nBusy.Add(1)
		return Result{Outcome: OutcomeLimit, Err: ierr}
	}
	defer r.release(fs)
	r.maybeSweep(start)

	pool := r.pool(v)
	return r.run(ctx, pool, v, timeout, event, cc)
}

func invokeFailure(o Outcome, code, msg string, stack ...string) Result {
	e := &InvokeError{Code: code, Message: msg}
	if len(stack) > 0 {
		e.Stack = stack[0]
	}
	return Result{Outcome: o, Err: e}
}

// admit waits for a per-function and a global slot; release gives them back.
func (r *Runtime) admit(ctx context.Context, v *Version, timeout time.Duration) (*fnSem, *InvokeError) {
	fs := r.fnSem(v)
	// Fast path: both slots free.
	select {
	case fs.ch <- struct{}{}:
		select {
		case r.global <- struct{}{}:
			r.active.Add(1)
			return fs, nil
		default:
			<-fs.ch
		}
	default:
	}
	if r.queued.Add(1) > int64(r.cfg.MaxQueue) {
		r.queued.Add(-1)
		return nil, &InvokeError{Code: CodeTooBusy, Message: "too many requests: " + itoa(r.cfg.MaxQueue) + " invocations are already waiting; try again later"}
	}
	defer r.queued.Add(-1)
	wctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	busy := func() *InvokeError {
		return &InvokeError{Code: CodeTooBusy, Message: "too many requests: no free slot for function " + v.Function + " before the deadline; try again later"}
	}
	select {
	case fs.ch <- struct{}{}:
	case <-wctx.Done():
		return nil, busy()
	}
	select {
	case r.global <- struct{}{}:
	case <-wctx.Done():
		<-fs.ch
		return nil, busy()
	}
	r.active.Add(1)
	return fs, nil
}

func (r *Runtime) release(fs *fnSem) {
	r.active.Add(-1)
	<-r.global
	<-fs.ch
}

func (r *Runtime) fnSem(v *Version) *fnSem {
	limit := v.Bundle.Config.MaxConcurrency
	if limit <= 0 {
		limit = r.cfg.FunctionConcurrency
	}
	r.semMu.RLock()
	s := r.fnSems[v.Function]
	r.semMu.RUnlock()
	if s != nil && s.limit == limit {
		return s
	}
	r.semMu.Lock()
	defer r.semMu.Unlock()
	s = r.fnSems[v.Function]
	if s == nil || s.limit != limit {
		// A changed limit takes a fresh semaphore; invocations holding the old one
		// release into it.
		s = &fnSem{limit: limit, ch: make(chan struct{}, limit)}
		r.fnSems[v.Function] = s
	}
	return s
}

// run executes one invocation on a warm instance or a new one.
func (r *Runtime) run(ctx context.Context, pool *versionPool, v *Version, timeout time.Duration, event json.RawMessage, cc CallContext) Result {
	if cc.RequestID == "" {
		cc.RequestID = newRequestID()
	}
	now := time.Now()
	deadline := now.Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}

	inst := pool.get()
	cold := inst == nil
	if cold {
		r.nCold.Add(1)
		var err error
		if inst, err = r.safeNewInstance(pool, v); err != nil {
			return invokeFailure(OutcomeError, CodeExecuteFail, "internal error creating the function's VM: "+err.Error())
		}
	}
	inv := &invocation{parent: ctx, deadline: deadline, call: cc, vm: inst.vm}
	r.wd.register(inv)

	// The deadline timer (and the watchdog) interrupt the VM; a VM that may carry a
	// pending interrupt is never reused.
	inst.arm(inv, deadline.Sub(now))
	res := inst.invoke(inv, event)
	if !inst.disarm() || inv.stopReason.Load() != 0 {
		inst.broken = true
	}
	if res.Outcome != OutcomeSuccess && res.Err != nil {
		switch res.Err.Code {
		case CodeTimeout:
			r.nTimeouts.Add(1)
		case CodeMemory:
			r.nMemory.Add(1)
		}
	}
	inst.finish()
	if inst.broken {
		// Dropped before the watchdog hears the invocation ended, so that the GC it
		// runs after a kill reclaims this VM.
		inst.release()
	}
	r.wd.unregister(inv) // from here on nothing stops inv
	if !inst.broken {
		if inv.stopReason.Load() != 0 { // stopped between the check above and unregister
			inst.release()
		} else {
			pool.put(inst)
		}
	}
	inv.end()
	return res
}

// safeNewInstance is newInstance turning a panic (a bug in the prelude) into an error.
func (r *Runtime) safeNewInstance(p *versionPool, v *Version) (in *Instance, err error) {
	defer func() {
		if x := recover(); x != nil {
			in, err = nil, fmt.Errorf("%v", x)
		}
	}()
	return r.newInstance(p, v), nil
}

// interruptMarker is the value the VM is interrupted with; the reason is the
// invocation context's cause.
type interruptMarker struct{}

// poolKey identifies a version (as Version.Key does, without building a string on
// every call).
type poolKey struct {
	function string
	number   int
}

// pool returns the pool of v's key, creating it (and its code cache) on first use.
func (r *Runtime) pool(v *Version) *versionPool {
	key := poolKey{v.Function, v.Number}
	r.mu.RLock()
	p := r.pools[key]
	r.mu.RUnlock()
	if p != nil {
		return p
	}
	r.mu.Lock()
	p = r.pools[key]
	if p == nil {
		p = newVersionPool(r, v)
		r.pools[key] = p
	}
	r.mu.Unlock()
	return p
}

// maybeSweep drops instances idle for long, and pools nobody used for longer, at most
// once a minute (no background goroutine to stop).
func (r *Runtime) maybeSweep(now time.Time) {
	const every = time.Minute
	r.mu.RLock()
	due := now.Sub(r.lastSweep) >= every
	r.mu.RUnlock()
	if !due {
		return
	}
	r.mu.Lock()
	if now.Sub(r.lastSweep) < every {
		r.mu.Unlock()
		return
	}
	r.lastSweep = now
	var dropped []*versionPool
	for k, p := range r.pools {
		if p.sweep(now) {
			delete(r.pools, k)
			dropped = append(dropped, p)
		}
	}
	r.mu.Unlock()
	for _, p := range dropped {
		p.close()
	}
}

// dropIdle discards every idle warm instance (the watchdog calls it under memory
// pressure; the next call of each version starts cold).
func (r *Runtime) dropIdle() {
	r.mu.Lock()
	pools := make([]*versionPool, 0, len(r.pools))
	for _, p := range r.pools {
		pools = append(pools, p)
	}
	r.mu.Unlock()
	for _, p := range pools {
		p.drain()
	}
}
