package cloudfns

import (
	"context"

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
}

// invocation is the state of the call running on an instance.
type invocation struct {
	ctx  context.Context
	call CallContext
	log  func(level, text string)
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
	return in.current.ctx
}

// Log appends a line to the running invocation's log (console.* and cloud.logger()).
func (in *Instance) Log(level, text string) {
	if in.current != nil && in.current.log != nil {
		in.current.log(level, text)
	}
}

// NativeModule builds the exports of a module implemented in Go, once per instance,
// when the function first requires it.
type NativeModule func(in *Instance) (goja.Value, error)
