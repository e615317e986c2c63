package cloudfns

import (
	"bytes"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// The bundle half of require('fs'): a function reads its own files (a certificate, a
// template, a JSON file) under /var/user, as on CloudBase, and nothing else of the
// host. The prelude keeps /tmp in memory per instance and refuses writes elsewhere.

// bundleDirs lists the version's folders with their entries, built on the first
// folder question a function asks.
func (c *versionCode) bundleDirs() map[string][]string {
	c.dirsOnce.Do(func() { c.dirs = bundleDirs(c.files) })
	return c.dirs
}

// bundleDirs maps every folder of a bundle's files ("." for the root) to its entries,
// sorted.
func bundleDirs(files map[string][]byte) map[string][]string {
	seen := map[string]map[string]bool{".": {}}
	for p := range files {
		for dir, name := path.Dir(p), path.Base(p); ; dir, name = path.Dir(dir), path.Base(dir) {
			if seen[dir] == nil {
				seen[dir] = map[string]bool{}
			}
			seen[dir][name] = true
			if dir == "." {
				break
			}
		}
	}
	dirs := make(map[string][]string, len(seen))
	for dir, names := range seen {
		dirs[dir] = slices.Sorted(maps.Keys(names))
	}
	return dirs
}

// bundleRel maps an absolute path under bundleRoot to its bundle path ("." for the
// root); ok is false for any other path.
func bundleRel(p string) (string, bool) {
	p = path.Clean(p)
	if p == bundleRoot {
		return ".", true
	}
	rel, ok := strings.CutPrefix(p, bundleRoot+"/")
	return rel, ok
}

// maxTmpBytes is the default bound of an instance's in-memory /tmp; a smaller memory
// budget lowers it (an eighth of the budget), since /tmp lives in the heap the
// watchdog measures.
const maxTmpBytes = 64 << 20

func tmpLimit(heap uint64) int64 {
	return int64(min(maxTmpBytes, heap/8))
}

// fsNatives are the bundle file natives the prelude's fs calls with absolute paths:
// fsBundleStat → [isDirectory, size] or null, fsBundleRead → ArrayBuffer or null
// (missing or a directory), fsBundleList → sorted names or null.
func (in *Instance) fsNatives(n *goja.Object) {
	vm := in.vm
	_ = n.Set("tmpLimit", in.rt.cfg.MaxTmpBytes)
	_ = n.Set("fsBundleStat", func(c goja.FunctionCall) goja.Value {
		rel, ok := bundleRel(c.Argument(0).String())
		if !ok {
			return goja.Null()
		}
		if data, ok := in.code.files[rel]; ok {
			return vm.ToValue([]any{false, len(data)})
		}
		if _, ok := in.code.bundleDirs()[rel]; ok {
			return vm.ToValue([]any{true, 4096})
		}
		return goja.Null()
	})
	_ = n.Set("fsBundleRead", func(c goja.FunctionCall) goja.Value {
		rel, ok := bundleRel(c.Argument(0).String())
		if !ok {
			return goja.Null()
		}
		data, ok := in.code.files[rel]
		if !ok {
			return goja.Null()
		}
		return vm.ToValue(vm.NewArrayBuffer(bytes.Clone(data)))
	})
	_ = n.Set("fsBundleList", func(c goja.FunctionCall) goja.Value {
		rel, ok := bundleRel(c.Argument(0).String())
		if !ok {
			return goja.Null()
		}
		names, ok := in.code.bundleDirs()[rel]
		if !ok {
			return goja.Null()
		}
		out := make([]any, len(names))
		for i, name := range names {
			out[i] = name
		}
		return vm.ToValue(out)
	})
}
