package cloudfns

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestErrorStacksMapped(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	v := loadTestdata(t, "sourcemap")
	cases := []struct {
		event, msg, frame string
	}{
		{`{"fail":"throw"}`, "Error: boom from ts", "src/handler.ts:6:"},
		{`{"fail":"line1"}`, "Error: boom on line 1", "src/handler.ts:4:"},
		{`{"fail":"reject"}`, "Error: rejected from ts", "src/handler.ts:9:"},
		{`{"fail":"helper"}`, "TypeError: bad helper input", "lib/helper.ts:9:"},
	}
	for _, c := range cases {
		t.Run(c.event, func(t *testing.T) {
			res := call(r, v, c.event)
			mustFail(t, res, OutcomeError, CodeExecuteFail, c.msg)
			if !strings.HasPrefix(res.Err.Stack, c.msg+"\n    at ") || !strings.Contains(res.Err.Stack, c.frame) {
				t.Errorf("stack:\n%s\nwant a frame at %s", res.Err.Stack, c.frame)
			}
			if strings.Contains(res.Err.Stack, preludeName) || strings.Contains(res.Err.Stack, "(1") && strings.Contains(res.Err.Stack, "))") {
				t.Errorf("stack not cleaned: %s", res.Err.Stack)
			}
		})
	}
	jsonEq(t, mustSucceed(t, call(r, v, `{}`)), `{"ok":true}`)

	// Without a source map, positions are the deployed file's.
	plain := testVersion("plain", map[string]string{"index.js": "exports.main = async () => {\n  const x = 1;\n  throw new Error('plain ' + x);\n};"})
	res := call(r, plain, `{}`)
	mustFail(t, res, OutcomeError, CodeExecuteFail, "Error: plain 1")
	if !strings.Contains(res.Err.Stack, "index.js:3:") {
		t.Errorf("stack %s", res.Err.Stack)
	}

	// An inline data: URL map, and a sourceMappingURL naming a bundle file.
	mapJSON := `{"version":3,"sources":["orig.ts"],"names":[],"mappings":"AAAA;AAKA;AACA"}`
	inline := testVersion("inline", map[string]string{"index.js": "exports.main = async () => {\n  throw new Error('inline');\n};\n//# sourceMappingURL=data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(mapJSON))})
	res = call(r, inline, `{}`)
	if !strings.Contains(res.Err.Stack, "orig.ts:6:") {
		t.Errorf("inline map stack %s", res.Err.Stack)
	}
	named := testVersion("named", map[string]string{
		"index.js":       "exports.main = async () => {\n  throw new Error('named');\n};\n//# sourceMappingURL=maps/index.map",
		"maps/index.map": mapJSON,
	})
	res = call(r, named, `{}`)
	if !strings.Contains(res.Err.Stack, "orig.ts:6:") {
		t.Errorf("named map stack %s", res.Err.Stack)
	}
}

func TestVLQ(t *testing.T) {
	for _, n := range []int{0, 1, -1, 15, 16, -16, 31, 32, 1000, -123456} {
		s := encodeVLQ(n)
		got, used, ok := decodeVLQ(s + "A")
		if !ok || got != n || used != len(s) {
			t.Errorf("%d -> %q -> %d (%d, %v)", n, s, got, used, ok)
		}
	}
	out := string(shiftFirstLine([]byte(`{"version":3,"mappings":"AAAA,EAAE;AACA"}`), 10))
	if !strings.Contains(out, `"mappings":"UAAA,EAAE;AACA"`) {
		t.Errorf("shifted %s", out)
	}
}
