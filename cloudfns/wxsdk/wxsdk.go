// Package wxsdk implements, for cloud functions running in goja, the modules
// `wx-server-sdk` and `@cloudbase/node-sdk`: the API of the real packages (database
// query builder and commands, aggregation, callFunction, getWXContext, logger,
// storage, open-API stubs) backed directly by Minicloud's services through
// cloudfns.Host instead of HTTP.
//
// The JavaScript half (js/sdk.js, compiled once per process) is the API surface and
// shapes results and errors like the real SDK; the Go half encodes where() conditions
// and update data the way the real serializers do (query.go), writes values as
// canonical EJSON (encode.go), builds each /admin action's parameters (actions.go),
// runs them through Host.Database and turns the answers into JavaScript values
// (jsondecode.go, decode.go). testdata/golden holds what the real packages sent and
// returned for 120 calls (gen.js drives them); TestGolden replays every one.
//
// # Wiring
//
// The runtime registers the modules as cloudfns.NativeModule values:
//
//	"wx-server-sdk":       wxsdk.WXServerSDK
//	"@cloudbase/node-sdk": wxsdk.NodeSDK
//
// Host errors should carry their CloudBase code (see CodedError, or set ErrorCode).
// A Host that also implements StorageHost enables the storage APIs.
//
// # Deliberate differences from the real SDK
//
//   - Calls are synchronous on the invocation's goroutine: an API returns an already
//     settled Promise, so Promise.all over several queries runs them one by one.
//   - Values the real SDK forgets to serialize in a few positions (_.set(db.serverDate()),
//     _.set(db.Geo.Point(…)), a query command inside an array) are encoded properly
//     here; the real SDK sends {offset: 0}, {longitude, latitude}, … to the server.
//   - Results: a malformed GeoJSON-looking value (out-of-range point, open polygon)
//     stays a plain object instead of failing the whole read; ObjectId, Decimal128,
//     Binary, Timestamp, MinKey and MaxKey come back as their EJSON wrapper objects
//     ({$oid: …}), which write back as the same values (the real SDK gives {} or bson
//     internals).
//   - watch() throws "realtime database watch is not available yet"; transactions
//     reject with INVALID_PARAM "not supported yet"; storage answers "not available
//     yet" unless the Host implements StorageHost (the server's does, over cloud
//     storage with admin rights); openapi/cloudPay/getOpenData/
//     getVoIPSign/callOpenAPI/getCloudCallSign answer "not available yet".
//   - db.command.aggregate accepts any operator name ($.anyName(x) → {$anyName: x});
//     wx-server-sdk's facet/graphLookup/redact/out/collStats/indexStats stages work
//     (the real ones throw a TypeError).
//   - init accepts any env (Minicloud has one environment: Host.EnvID()).
//   - Every export, logger included, is an own property of the module from the start
//     (the real SDK adds logger on init), so ES modules transformed at deploy time can
//     `import { init } from 'wx-server-sdk'` or `import * as cloud from 'wx-server-sdk'`.
//     logger() before init throws the SDK's "please call init first" error.
//   - getWXContext has OPENID, APPID, UNIONID, CLIENTIP when the caller has them, ENV
//     and SOURCE; a function called by another sees the caller's identity and SOURCE
//     "<caller's SOURCE>,scf", as on CloudBase.
package wxsdk

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/cloudfns"
)

// Env is what the module needs from the instance it runs in. *cloudfns.Instance
// satisfies it; tests provide their own.
type Env interface {
	// VM is the instance's runtime; the module's functions run on its goroutine.
	VM() *goja.Runtime
	// Call describes the running invocation (getWXContext, callFunction's caller).
	Call() cloudfns.CallContext
	// Context bounds blocking calls (database, other functions) by the invocation's deadline.
	Context() context.Context
	// Host reaches Minicloud's services.
	Host() cloudfns.Host
	// Log appends a line to the invocation's log (cloud.logger()).
	Log(level, text string)
}

var _ Env = (*cloudfns.Instance)(nil)

// Flavor selects which module New builds.
type Flavor string

// The two modules.
const (
	FlavorWX   Flavor = "wx"   // require('wx-server-sdk')
	FlavorNode Flavor = "node" // require('@cloudbase/node-sdk')
)

// WXServerSDK builds the exports of require('wx-server-sdk') for an instance.
func WXServerSDK(in *cloudfns.Instance) (goja.Value, error) { return New(in, FlavorWX) }

// NodeSDK builds the exports of require('@cloudbase/node-sdk') for an instance.
func NodeSDK(in *cloudfns.Instance) (goja.Value, error) { return New(in, FlavorNode) }

var (
	_ cloudfns.NativeModule = WXServerSDK
	_ cloudfns.NativeModule = NodeSDK
)

//go:embed js/sdk.js
var sdkSource string

var compiled struct {
	once sync.Once
	prog *goja.Program
	err  error
}

func program() (*goja.Program, error) {
	compiled.once.Do(func() {
		compiled.prog, compiled.err = goja.Compile("wx-server-sdk.js", sdkSource, false)
	})
	return compiled.prog, compiled.err
}

// New builds a module's exports in env's VM. Each call evaluates the module's code
// anew (well under a millisecond); the runtime calls it once per instance.
func New(env Env, flavor Flavor) (goja.Value, error) {
	_, exports, err := build(env, flavor)
	return exports, err
}

func build(env Env, flavor Flavor) (*module, goja.Value, error) {
	prog, err := program()
	if err != nil {
		return nil, nil, fmt.Errorf("wxsdk: compile: %w", err)
	}
	vm := env.VM()
	m := newModule(env)
	setup, err := vm.RunProgram(prog)
	if err != nil {
		return nil, nil, fmt.Errorf("wxsdk: %w", err)
	}
	fn, ok := goja.AssertFunction(setup)
	if !ok {
		return nil, nil, fmt.Errorf("wxsdk: module code did not evaluate to a function")
	}
	factories, err := fn(goja.Undefined(), m.nativeObject())
	if err != nil {
		return nil, nil, fmt.Errorf("wxsdk: %w", err)
	}
	factory, ok := goja.AssertFunction(factories.ToObject(vm).Get(string(flavor)))
	if !ok {
		return nil, nil, fmt.Errorf("wxsdk: unknown flavor %q", flavor)
	}
	exports, err := factory(goja.Undefined())
	if err != nil {
		return nil, nil, fmt.Errorf("wxsdk: %w", err)
	}
	return m, exports, nil
}
