package cloudfns

import (
	"errors"
	"path"
	"strings"

	"github.com/dop251/goja"
)

// CommonJS require for function instances, as Node resolves it:
//
//   - native modules registered with Runtime.RegisterModule ('wx-server-sdk',
//     '@cloudbase/node-sdk') come first;
//   - then Node's builtins ('node:x' too): the ones Minicloud provides (crypto, buffer,
//     util, url, path, events, stream, querystring, string_decoder, assert, timers, os,
//     process, console, zlib, http and https as clients; fs, net, tls, tty and http2
//     load but their calls throw), and a clear error for the others (child_process,
//     dns, worker_threads …);
//   - then the bundle's files: './x' and '../x' relative to the requiring module, with
//     .js/.json/.cjs and index.js resolution; bare names from node_modules folders up
//     the tree (package.json "main" and simple "exports"); absolute paths under
//     /var/user (where __dirname says the code lives).
//
// Modules are cached per instance (cycles get the partial exports, as in Node); the
// compiled code is shared by the version's instances (pool.go).

// nodeBuiltins lists Node's builtin modules; those without a factory in the prelude
// are not available.
var nodeBuiltins = map[string]bool{
	"assert": true, "assert/strict": true, "async_hooks": true, "buffer": true, "child_process": true,
	"cluster": true, "console": true, "constants": true, "crypto": true, "dgram": true,
	"diagnostics_channel": true, "dns": true, "dns/promises": true, "domain": true, "events": true,
	"fs": true, "fs/promises": true, "http": true, "http2": true, "https": true, "inspector": true,
	"module": true, "net": true, "os": true, "path": true, "path/posix": true, "path/win32": true,
	"perf_hooks": true, "process": true, "punycode": true, "querystring": true, "readline": true,
	"repl": true, "stream": true, "stream/promises": true, "stream/web": true, "string_decoder": true,
	"sys": true, "timers": true, "timers/promises": true, "tls": true, "trace_events": true,
	"tty": true, "url": true, "util": true, "util/types": true, "v8": true, "vm": true,
	"wasi": true, "worker_threads": true, "zlib": true, "test": true,
}

// builtinAlias maps builtins to the module that provides them.
var builtinAlias = map[string]string{
	"assert/strict": "assert",
	"path/win32":    "path",
	"sys":           "util",
}

// requireError is a require() failure: thrown as a JavaScript Error with a code.
type requireError struct {
	code, msg string
}

func (e *requireError) Error() string { return e.msg }

func moduleNotFound(request string) error {
	return &requireError{code: "MODULE_NOT_FOUND", msg: "Cannot find module '" + request + "'"}
}

func moduleNotAvailable(name string) error {
	return &requireError{code: "ERR_MODULE_NOT_AVAILABLE", msg: "module \"" + name + "\" is not available in Minicloud functions"}
}

// require resolves and loads request for a module in dir.
func (in *Instance) require(dir, request string, parent *goja.Object) (goja.Value, error) {
	if request == "" {
		return nil, &requireError{code: "ERR_INVALID_ARG_VALUE", msg: "The argument 'id' must be a non-empty string"}
	}
	if m := in.rt.nativeModule(request); m != nil {
		return in.loadNative(request, m)
	}
	name, forced := strings.CutPrefix(request, "node:")
	if forced || nodeBuiltins[name] {
		return in.builtin(name)
	}
	p := in.code.resolve(dir, request)
	if p == "" {
		return nil, moduleNotFound(request)
	}
	return in.requireFile(p, parent)
}

func (in *Instance) loadNative(name string, m NativeModule) (goja.Value, error) {
	key := "native:" + name
	if v, ok := in.builtins[key]; ok {
		return v, nil
	}
	v, err := m(in)
	if err != nil {
		return nil, err
	}
	in.builtins[key] = v
	return v, nil
}

func (in *Instance) builtin(name string) (goja.Value, error) {
	if a, ok := builtinAlias[name]; ok {
		name = a
	}
	if v, ok := in.builtins[name]; ok {
		return v, nil
	}
	f, ok := goja.AssertFunction(in.js.modules.Get(name))
	if !ok {
		if nodeBuiltins[name] {
			return nil, moduleNotAvailable(name)
		}
		return nil, moduleNotFound("node:" + name)
	}
	v, err := f(goja.Undefined())
	if err != nil {
		return nil, err
	}
	in.builtins[name] = v
	return v, nil
}

// requireFile loads a bundle file as a module (once per instance).
func (in *Instance) requireFile(p string, parent *goja.Object) (goja.Value, error) {
	if m := in.modules[p]; m != nil {
		return m.Get("exports"), nil
	}
	vm := in.vm
	dir := path.Dir(p)
	if dir == "." {
		dir = ""
	}
	filename := bundleRoot + "/" + p
	dirname := path.Dir(filename)
	module := vm.NewObject()
	exports := vm.NewObject()
	id := filename
	if parent == nil {
		id = "."
	}
	_ = module.Set("id", id)
	_ = module.Set("filename", filename)
	_ = module.Set("path", dirname)
	_ = module.Set("exports", exports)
	_ = module.Set("loaded", false)
	_ = module.Set("children", vm.NewArray())
	if parent != nil {
		_ = module.Set("parent", parent)
		if ch, ok := parent.Get("children").(*goja.Object); ok {
			if push, ok := goja.AssertFunction(ch.Get("push")); ok {
				_, _ = push(ch, module)
			}
		}
	} else {
		_ = module.Set("parent", goja.Null())
	}
	req := in.makeRequire(dir, module)
	_ = module.Set("require", req)
	in.modules[p] = module
	if parent == nil {
		in.mainMod = module
	}

	if strings.HasSuffix(p, ".json") {
		v, err := in.js.jsonParse(goja.Undefined(), vm.ToValue(string(in.code.files[p])))
		if err != nil {
			delete(in.modules, p)
			return nil, &requireError{code: "ERR_INVALID_JSON", msg: filename + ": " + errorText(vm, err)}
		}
		_ = module.Set("exports", v)
	} else {
		prg, err := in.code.program(p)
		if err != nil {
			delete(in.modules, p)
			msg := err.Error()
			if !strings.HasPrefix(msg, "SyntaxError") {
				msg = "SyntaxError: " + msg
			}
			return nil, &requireError{code: "ERR_SYNTAX", msg: msg}
		}
		fv, err := vm.RunProgram(prg)
		if err != nil {
			delete(in.modules, p)
			return nil, err
		}
		fn, _ := goja.AssertFunction(fv)
		if _, err := fn(exports, exports, req, module, vm.ToValue(filename), vm.ToValue(dirname)); err != nil {
			delete(in.modules, p)
			return nil, err
		}
	}
	_ = module.Set("loaded", true)
	return module.Get("exports"), nil
}

// makeRequire returns the require function of a module in dir.
func (in *Instance) makeRequire(dir string, module *goja.Object) *goja.Object {
	vm := in.vm
	arg := func(c goja.FunctionCall) string {
		a := c.Argument(0)
		if !goja.IsString(a) {
			e := vm.NewTypeError("The \"id\" argument must be of type string. Received " + describeArg(a))
			_ = e.Set("code", "ERR_INVALID_ARG_TYPE")
			panic(e)
		}
		return a.String()
	}
	req := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		v, err := in.require(dir, arg(c), module)
		if err != nil {
			in.throwRequire(err)
		}
		return v
	}).(*goja.Object)
	_ = req.Set("resolve", func(c goja.FunctionCall) goja.Value {
		request := arg(c)
		if in.rt.nativeModule(request) != nil {
			return vm.ToValue(request)
		}
		if name, forced := strings.CutPrefix(request, "node:"); forced || nodeBuiltins[name] {
			if _, ok := goja.AssertFunction(in.js.modules.Get(name)); ok {
				return vm.ToValue(request)
			}
			in.throwRequire(moduleNotAvailable(name))
		}
		p := in.code.resolve(dir, request)
		if p == "" {
			in.throwRequire(moduleNotFound(request))
		}
		return vm.ToValue(bundleRoot + "/" + p)
	})
	_ = req.Set("cache", vm.NewObject())
	if in.mainMod != nil {
		_ = req.Set("main", in.mainMod)
	} else {
		_ = req.Set("main", module)
	}
	return req
}

// throwRequire throws a require failure into JavaScript.
func (in *Instance) throwRequire(err error) {
	var re *requireError
	if errors.As(err, &re) {
		panic(in.newError(re.msg, re.code))
	}
	jsThrow(in.vm, err)
}
