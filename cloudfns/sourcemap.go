package cloudfns

import (
	"encoding/base64"
	"encoding/json"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/go-sourcemap/sourcemap"
)

// Source maps and stacks. A bundle's transformed files carry source maps in
// Bundle.SourceMaps under the file's own path (bundle.go's convention; "x.js.map" and a
// //# sourceMappingURL comment naming a bundle file or a data: URL work too). The map
// is attached to the compiled file, so goja reports positions — in Error.stack and in
// exceptions — at the user's original file:line:column. Maps never come from the
// host's file system.

// sourceMap returns the consumer for bundle file p (nil when it has none or it is
// unreadable: positions then refer to the file as deployed).
func (c *versionCode) sourceMap(p, src string) *sourcemap.Consumer {
	data := c.sourceMaps[p]
	if data == nil {
		data = c.sourceMaps[p+".map"]
	}
	if data == nil {
		data = c.sourceMappingURL(p, src)
	}
	if data == nil {
		return nil
	}
	data = shiftFirstLine(data, len(moduleWrapperPrefix))
	sm, err := sourcemap.Parse(p, data)
	if err != nil {
		return nil
	}
	return sm
}

// sourceMappingURL follows a //# sourceMappingURL comment at the end of src.
func (c *versionCode) sourceMappingURL(p, src string) []byte {
	tail := src
	if len(tail) > 1<<20 {
		tail = tail[len(tail)-1<<20:]
	}
	i := strings.LastIndex(tail, "//# sourceMappingURL=")
	if i < 0 {
		return nil
	}
	u := strings.TrimSpace(tail[i+len("//# sourceMappingURL="):])
	if j := strings.IndexAny(u, "\r\n"); j >= 0 {
		u = u[:j]
	}
	if strings.HasPrefix(u, "data:") {
		k := strings.Index(u, ";base64,")
		if k < 0 {
			return nil
		}
		b, err := base64.StdEncoding.DecodeString(u[k+len(";base64,"):])
		if err != nil {
			return nil
		}
		return b
	}
	if strings.Contains(u, ":") {
		return nil // URLs with a scheme are not followed
	}
	target := path.Join(path.Dir(p), u)
	if b := c.sourceMaps[target]; b != nil {
		return b
	}
	return c.files[target]
}

// shiftFirstLine moves the mappings of the generated file's first line right by n
// columns (the module wrapper shares that line). Only the first segment holds an
// absolute column; the others are relative to it.
func shiftFirstLine(data []byte, n int) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return data
	}
	var mappings string
	if json.Unmarshal(m["mappings"], &mappings) != nil || mappings == "" || mappings[0] == ';' || mappings[0] == ',' {
		return data
	}
	end := strings.IndexAny(mappings, ",;")
	if end < 0 {
		end = len(mappings)
	}
	seg := mappings[:end]
	col, used, ok := decodeVLQ(seg)
	if !ok {
		return data
	}
	shifted := encodeVLQ(col+n) + seg[used:]
	b, err := json.Marshal(shifted + mappings[end:])
	if err != nil {
		return data
	}
	m["mappings"] = b
	out, err := json.Marshal(m)
	if err != nil {
		return data
	}
	return out
}

const vlqChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func decodeVLQ(s string) (v, used int, ok bool) {
	shift := 0
	for used < len(s) {
		d := strings.IndexByte(vlqChars, s[used])
		if d < 0 {
			return 0, 0, false
		}
		used++
		v += (d & 31) << shift
		if d&32 == 0 {
			if v&1 == 1 {
				return -(v >> 1), used, true
			}
			return v >> 1, used, true
		}
		shift += 5
	}
	return 0, 0, false
}

func encodeVLQ(v int) string {
	u := v << 1
	if v < 0 {
		u = (-v << 1) | 1
	}
	var b []byte
	for {
		d := u & 31
		u >>= 5
		if u > 0 {
			d |= 32
		}
		b = append(b, vlqChars[d])
		if u == 0 {
			return string(b)
		}
	}
}

var gojaPosRe = regexp.MustCompile(`:(\d+):(\d+)\(\d+\)`)

// maxStackLines bounds a reported stack.
const maxStackLines = 40

// nodeStack turns goja's Error.stack text into Node's layout ("    at f (file:l:c)"),
// dropping Minicloud's own frames.
func nodeStack(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	frames := 0
	for _, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if !strings.HasPrefix(t, "at ") {
			if frames == 0 {
				out = append(out, l)
			}
			continue
		}
		if strings.Contains(t, preludeName) {
			continue
		}
		frames++
		if frames > maxStackLines {
			continue
		}
		out = append(out, "    "+gojaPosRe.ReplaceAllString(t, ":$1:$2"))
	}
	if frames > maxStackLines {
		out = append(out, "    ... "+strconv.Itoa(frames-maxStackLines)+" more frames")
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// framesStack renders goja stack frames in Node's layout under header.
func framesStack(frames []goja.StackFrame, header string) string {
	var b strings.Builder
	b.WriteString(header)
	n := 0
	for _, f := range frames {
		p := f.Position()
		if p.Filename == preludeName {
			continue
		}
		n++
		if n > maxStackLines {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("    at ")
		name := f.FuncName()
		if p.Filename == "" && p.Line == 0 {
			if name == "" {
				name = "<anonymous>"
			}
			b.WriteString(name + " (native)")
			continue
		}
		loc := p.Filename + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
		if name != "" {
			b.WriteString(name + " (" + loc + ")")
		} else {
			b.WriteString(loc)
		}
	}
	if n > maxStackLines {
		b.WriteString("\n    ... " + strconv.Itoa(n-maxStackLines) + " more frames")
	}
	return b.String()
}

// maxCallSites bounds Error.stackTraceLimit for Error.captureStackTrace.
const maxCallSites = 200

// callSites lists up to limit frames of the JavaScript calling into native code, as
// [file, line, column, function] for the prelude's V8-style CallSite objects
// (Error.captureStackTrace with Error.prepareStackTrace, which depd and friends use).
// Prelude frames and the native frames on top are left out.
func callSites(vm *goja.Runtime, limit int) [][]any {
	frames := vm.CaptureCallStack(limit+16, nil)
	out := make([][]any, 0, min(limit, len(frames)))
	for _, f := range frames {
		if len(out) == limit {
			break
		}
		p := f.Position()
		if p.Filename == preludeName || (len(out) == 0 && p.Filename == "") {
			continue
		}
		out = append(out, []any{p.Filename, p.Line, p.Column, f.FuncName()})
	}
	return out
}
