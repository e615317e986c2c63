package cloudfns

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// newTestInvocation returns an invocation with its own VM, deadline d from now.
func newTestInvocation(parent context.Context, d time.Duration) *invocation {
	return &invocation{
		parent:   parent,
		deadline: time.Now().Add(d),
		vm:       goja.New(),
		call:     CallContext{RequestID: "req-inv", Source: "admin"},
	}
}

// isDone reports whether ctx is canceled now, without waiting.
func isDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// waitDone waits (bounded) for ctx to be canceled.
func waitDone(t *testing.T, what string, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// interrupted reports whether inv's VM carries an interrupt from stop.
func interrupted(t *testing.T, inv *invocation) bool {
	t.Helper()
	_, err := inv.vm.RunString(`1`)
	if err == nil {
		return false
	}
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("VM failed with %v, want an interrupt", err)
	}
	if _, ok := ie.Value().(interruptMarker); !ok {
		t.Fatalf("interrupted with %#v, want interruptMarker", ie.Value())
	}
	return true
}

func TestInvocationContextLazy(t *testing.T) {
	inv := newTestInvocation(context.Background(), time.Hour)
	if inv.ctx != nil {
		t.Fatal("context made before first use")
	}
	ctx := inv.context()
	if ctx == nil || inv.ctx != ctx || inv.cancel == nil {
		t.Fatal("context not made on first use")
	}
	if again := inv.context(); again != ctx {
		t.Error("second context() made a new context")
	}
	if d, ok := ctx.Deadline(); !ok || !d.Equal(inv.deadline) {
		t.Errorf("deadline %v %v, want %v", d, ok, inv.deadline)
	}
	if isDone(ctx) {
		t.Fatal("fresh context is canceled")
	}
	inv.end()
	if !isDone(ctx) || !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("end() left the context alive: %v", ctx.Err())
	}
}

func TestInvocationContextBornCanceled(t *testing.T) {
	t.Run("after end", func(t *testing.T) {
		inv := newTestInvocation(context.Background(), time.Hour)
		inv.end()
		ctx := inv.context()
		if !isDone(ctx) || !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("context made after end: err %v", ctx.Err())
		}
		if inv.context() != ctx {
			t.Error("context remade after end")
		}
	})
	t.Run("after stop", func(t *testing.T) {
		inv := newTestInvocation(context.Background(), time.Hour)
		inv.stop(stopTimeout)
		if ctx := inv.context(); !isDone(ctx) {
			t.Error("context made after stop is alive")
		}
	})
	t.Run("deadline passed", func(t *testing.T) {
		inv := newTestInvocation(context.Background(), -time.Second)
		ctx := inv.context()
		if !isDone(ctx) || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Errorf("context past the deadline: err %v", ctx.Err())
		}
	})
	t.Run("parent canceled later", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		inv := newTestInvocation(parent, time.Hour)
		ctx := inv.context()
		if isDone(ctx) {
			t.Fatal("canceled before the parent")
		}
		cancel()
		waitDone(t, "the parent's cancellation", ctx)
	})
}

func TestInvocationStop(t *testing.T) {
	cases := []struct {
		name         string
		reasons      []uint32
		wantReason   uint32
		wantMemory   bool
		checkMemFlag bool
	}{
		{"timeout", []uint32{stopTimeout}, stopTimeout, false, true},
		{"memory", []uint32{stopMemory}, stopMemory, true, true},
		{"memory then timeout", []uint32{stopMemory, stopTimeout}, stopMemory, true, true},
		{"timeout twice", []uint32{stopTimeout, stopTimeout}, stopTimeout, false, true},
		// The first reason stays. (memoryKilled is set by any stopMemory, even after a
		// timeout; which one the result reports is failResult's call, not pinned here.)
		{"timeout then memory", []uint32{stopTimeout, stopMemory}, stopTimeout, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := newTestInvocation(context.Background(), time.Hour)
			ctx := inv.context() // made before: stop cancels it
			if interrupted(t, inv) {
				t.Fatal("VM interrupted before stop")
			}
			for _, r := range c.reasons {
				inv.stop(r)
			}
			if got := inv.stopReason.Load(); got != c.wantReason {
				t.Errorf("stopReason %d, want %d", got, c.wantReason)
			}
			if c.checkMemFlag && inv.memoryKilled.Load() != c.wantMemory {
				t.Errorf("memoryKilled %v, want %v", inv.memoryKilled.Load(), c.wantMemory)
			}
			if !isDone(ctx) {
				t.Error("stop left the context alive")
			}
			if !interrupted(t, inv) {
				t.Error("stop did not interrupt the VM")
			}
			if !errors.Is(inv.err(), stopped{}) {
				t.Errorf("err() = %v, want stopped", inv.err())
			}
		})
	}
}

func TestInvocationErrAndTimedOut(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name      string
		parent    context.Context
		d         time.Duration
		stop      uint32
		wantErr   error
		wantTimed bool
	}{
		{"running", context.Background(), time.Hour, 0, nil, false},
		{"stopped for time", context.Background(), time.Hour, stopTimeout, stopped{}, true},
		{"stopped for memory", context.Background(), time.Hour, stopMemory, stopped{}, false},
		{"past the deadline", context.Background(), -time.Millisecond, 0, context.DeadlineExceeded, true},
		{"at the deadline", context.Background(), 0, 0, context.DeadlineExceeded, true},
		{"caller gone", canceled, time.Hour, 0, context.Canceled, false},
		{"stopped wins over the deadline", context.Background(), -time.Millisecond, stopMemory, stopped{}, true},
		{"deadline wins over the caller", canceled, -time.Millisecond, 0, context.DeadlineExceeded, true},
	}
	for _, c := range cases {
		inv := newTestInvocation(c.parent, c.d)
		if c.stop != 0 {
			inv.stop(c.stop)
		}
		if err := inv.err(); !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
			t.Errorf("%s: err() = %v, want %v", c.name, err, c.wantErr)
		}
		if got := inv.timedOut(); got != c.wantTimed {
			t.Errorf("%s: timedOut() = %v, want %v", c.name, got, c.wantTimed)
		}
	}
	// The deadline passing turns a running invocation into a timed-out one, with no
	// context or timer involved.
	inv := newTestInvocation(context.Background(), 20*time.Millisecond)
	if inv.err() != nil || inv.timedOut() {
		t.Fatal("timed out early")
	}
	waitFor(t, "err() to report the deadline", func() bool { return inv.err() != nil })
	if !errors.Is(inv.err(), context.DeadlineExceeded) || !inv.timedOut() {
		t.Errorf("after the deadline: err %v, timedOut %v", inv.err(), inv.timedOut())
	}
	if inv.stopReason.Load() != 0 || inv.ctx != nil {
		t.Error("err() stopped the invocation or made a context")
	}
}

func TestInstanceArmNowStops(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		in := &Instance{}
		inv := newTestInvocation(context.Background(), time.Hour)
		in.arm(inv, d)
		if inv.stopReason.Load() != stopTimeout {
			t.Errorf("arm(%v): stopReason %d, want timeout", d, inv.stopReason.Load())
		}
		if !interrupted(t, inv) {
			t.Errorf("arm(%v): VM not interrupted", d)
		}
		if in.timer != nil {
			t.Errorf("arm(%v) started a timer", d)
		}
		if in.timed.Load() != inv {
			t.Errorf("arm(%v) did not record the timed invocation", d)
		}
		if !in.disarm() || in.timed.Load() != nil {
			t.Errorf("disarm after arm(%v): timed %p", d, in.timed.Load())
		}
	}
}

func TestInstanceArmFires(t *testing.T) {
	in := &Instance{}
	t.Cleanup(func() { in.disarm() })
	inv := newTestInvocation(context.Background(), time.Hour)
	ctx := inv.context() // canceled only by stop: its own deadline is an hour away
	in.arm(inv, time.Millisecond)
	if in.timer == nil {
		t.Fatal("arm made no timer")
	}
	waitDone(t, "the deadline timer", ctx)
	if got := inv.stopReason.Load(); got != stopTimeout {
		t.Errorf("stopReason %d, want timeout", got)
	}
	if !inv.timedOut() || inv.memoryKilled.Load() {
		t.Errorf("timedOut %v memoryKilled %v", inv.timedOut(), inv.memoryKilled.Load())
	}
	if !interrupted(t, inv) {
		t.Error("the timer did not interrupt the VM")
	}
	if in.disarm() {
		t.Error("disarm after the timer fired reported it stopped in time")
	}
	if in.timed.Load() != nil {
		t.Error("disarm kept the timed invocation")
	}

	// The next invocation re-arms the same timer.
	timer := in.timer
	inv2 := newTestInvocation(context.Background(), time.Hour)
	in.arm(inv2, time.Hour)
	if in.timer != timer {
		t.Error("arm made a second timer")
	}
	if in.timed.Load() != inv2 {
		t.Error("arm did not switch the timed invocation")
	}
	if !in.disarm() {
		t.Error("disarm of a pending timer reported it fired")
	}
	inv3 := newTestInvocation(context.Background(), time.Hour)
	ctx3 := inv3.context()
	in.arm(inv3, time.Millisecond)
	if in.timer != timer {
		t.Error("arm made a second timer")
	}
	waitDone(t, "the re-armed timer", ctx3)
	if inv3.stopReason.Load() != stopTimeout {
		t.Errorf("re-armed timer: stopReason %d", inv3.stopReason.Load())
	}
	if inv2.stopReason.Load() != 0 || interrupted(t, inv2) {
		t.Error("the re-armed timer stopped the previous invocation")
	}
	if in.disarm() {
		t.Error("disarm after the re-armed timer fired reported it stopped in time")
	}
}

func TestInstanceDisarmBeforeDeadline(t *testing.T) {
	in := &Instance{}
	if !in.disarm() {
		t.Error("disarm with no timer reported a fired timer")
	}
	inv := newTestInvocation(context.Background(), time.Hour)
	in.arm(inv, time.Hour)
	if !in.disarm() {
		t.Fatal("disarm of a pending timer reported it fired")
	}
	// A late onDeadline (the timer firing as it is disarmed) finds nothing to stop.
	in.onDeadline()
	if inv.stopReason.Load() != 0 || interrupted(t, inv) {
		t.Error("onDeadline after disarm stopped the invocation")
	}
	// onDeadline stops whatever invocation is timed.
	in.timed.Store(inv)
	in.onDeadline()
	if inv.stopReason.Load() != stopTimeout || !interrupted(t, inv) {
		t.Errorf("onDeadline: stopReason %d", inv.stopReason.Load())
	}
	in.disarm()
}

func TestInstanceCurrentInvocation(t *testing.T) {
	in := &Instance{}
	// No invocation running.
	if cc := in.Call(); !reflect.DeepEqual(cc, CallContext{}) {
		t.Errorf("Call() with no invocation = %+v", cc)
	}
	if ctx := in.Context(); ctx != context.Background() {
		t.Errorf("Context() with no invocation = %v", ctx)
	}
	in.Log("info", "dropped") // no invocation: nowhere to go, no panic

	inv := newTestInvocation(context.Background(), time.Hour)
	inv.call = CallContext{RequestID: "r-1", Source: "wx_client", OpenID: "o-1", AppID: "wx1", UserInfo: map[string]any{"appId": "wx1"}, Depth: 2}
	in.current = inv
	if cc := in.Call(); !reflect.DeepEqual(cc, inv.call) {
		t.Errorf("Call() = %+v, want %+v", cc, inv.call)
	}
	ctx := in.Context()
	if ctx != inv.ctx || ctx != inv.context() {
		t.Error("Context() is not the invocation's context")
	}
	if d, ok := ctx.Deadline(); !ok || !d.Equal(inv.deadline) {
		t.Errorf("Context() deadline %v %v, want %v", d, ok, inv.deadline)
	}
	in.Log("info", "one")
	in.Log("error", "two")
	in.Log("shout", "three") // unknown levels are plain logs
	in.current = nil
	in.Log("info", "after")
	got := inv.takeLogs()
	want := []LogLine{{Level: "info", Text: "one"}, {Level: "error", Text: "two"}, {Level: "log", Text: "three"}}
	if len(got) != len(want) {
		t.Fatalf("logs %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Level != want[i].Level || got[i].Text != want[i].Text || got[i].Time.IsZero() {
			t.Errorf("log %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	inv.end()
	if !isDone(ctx) {
		t.Error("Context() survived the invocation's end")
	}
}

func TestInstanceAccessorsAndAsyncWithoutInvocation(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := testVersion("accessors", map[string]string{"index.js": `exports.main = () => 1`})
	in := r.newInstance(newVersionPool(r, v), v)
	if in.VM() == nil || in.VM() != in.vm {
		t.Error("VM()")
	}
	if in.Version() != v {
		t.Error("Version()")
	}
	if in.Host() != r.host {
		t.Error("Host()")
	}
	ran := false
	pv := in.Async(func(ctx context.Context) func(*goja.Runtime) (goja.Value, error) {
		ran = true
		return nil
	})
	p, ok := pv.Export().(*goja.Promise)
	if !ok {
		t.Fatalf("Async returned %v, want a promise", pv)
	}
	if p.State() != goja.PromiseStateRejected {
		t.Fatalf("promise state %v, want rejected", p.State())
	}
	obj, ok := p.Result().(*goja.Object)
	if !ok || obj.Get("message").String() != errNoInvocation.Error() {
		t.Errorf("rejected with %v, want %q", p.Result(), errNoInvocation)
	}
	if ran || in.loop.pending != 0 {
		t.Errorf("Async with no invocation ran work (%v) or counted it pending (%d)", ran, in.loop.pending)
	}
}
