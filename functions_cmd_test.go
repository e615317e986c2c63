package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase"
)

// runFunctionsCLI runs one minicloud command in-process against a data directory, with
// the functions command registered; it returns stdout+stderr and success.
func runFunctionsCLI(t *testing.T, dir string, args ...string) (string, bool) {
	t.Helper()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: dir, HideStartBanner: true})
	mc := newMinicloud(app)
	mc.registerFlags()
	mc.bind()
	app.RootCmd.AddCommand(mc.functionsCommand())
	var out bytes.Buffer
	app.RootCmd.SetOut(&out)
	app.RootCmd.SetErr(&out)
	app.RootCmd.SetArgs(args)
	if err := app.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String(), !mc.commandFailed
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, s := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFunctionsDeployExamples(t *testing.T) {
	dir := t.TempDir()
	out, ok := runFunctionsCLI(t, dir, "functions", "deploy", filepath.Join("examples", "cloudfunctions"))
	if !ok {
		t.Fatalf("deploy examples: %s", out)
	}
	for _, name := range []string{"counter", "esm-ts", "list", "login", "multifile", "scheduled"} {
		if !regexp.MustCompile(`(?m)^` + name + `: version 1, \d+ files, `).MatchString(out) {
			t.Errorf("no line for %s in:\n%s", name, out)
		}
	}
	// Deploying the same folder again changes nothing.
	out, ok = runFunctionsCLI(t, dir, "functions", "deploy", filepath.Join("examples", "cloudfunctions"))
	if !ok || strings.Count(out, "unchanged") != 6 {
		t.Fatalf("redeploy: %s", out)
	}
	out, ok = runFunctionsCLI(t, dir, "functions", "list")
	if !ok || !regexp.MustCompile(`(?m)^scheduled\s+1\s+1\s+\d{4}-`).MatchString(out) || !strings.HasPrefix(out, "NAME") {
		t.Fatalf("list: %s", out)
	}
	out, ok = runFunctionsCLI(t, dir, "functions", "show", "scheduled")
	if !ok || !strings.Contains(out, "active version: 1") || !strings.Contains(out, `"config": "0 */1 * * * * *"`) ||
		!strings.Contains(out, "timeout: 20s") || !strings.Contains(out, "SESSION_TTL_MINUTES") || !strings.Contains(out, "config.json") {
		t.Fatalf("show: %s", out)
	}
	out, ok = runFunctionsCLI(t, dir, "functions", "show", "esm-ts")
	if !ok || !regexp.MustCompile(`lib/greeting.js\s+.*from lib/greeting.ts`).MatchString(out) {
		t.Fatalf("show esm-ts: %s", out)
	}
}

func TestFunctionsCommands(t *testing.T) {
	dir := t.TempDir()
	src := t.TempDir()
	fn := filepath.Join(src, "hello")
	writeFiles(t, fn, map[string]string{
		"index.js":    "exports.main = async (event) => ({ v: 1, event })\n",
		"config.json": `{"timeout": 7}`,
	})
	out, ok := runFunctionsCLI(t, dir, "functions", "deploy", fn)
	if !ok || !strings.HasPrefix(out, "hello: version 1, 2 files, ") {
		t.Fatalf("deploy: %s", out)
	}
	writeFiles(t, fn, map[string]string{"index.js": "exports.main = async (event) => ({ v: 2, event })\n"})
	if out, ok = runFunctionsCLI(t, dir, "functions", "deploy", fn); !ok || !strings.HasPrefix(out, "hello: version 2,") {
		t.Fatalf("deploy v2: %s", out)
	}
	// --name deploys the same folder as another function.
	if out, ok = runFunctionsCLI(t, dir, "functions", "deploy", fn, "--name", "hello-copy"); !ok || !strings.HasPrefix(out, "hello-copy: version 1,") {
		t.Fatalf("deploy --name: %s", out)
	}

	// A syntax error: file:line:col, non-zero exit, nothing deployed.
	writeFiles(t, fn, map[string]string{"index.js": "exports.main = async (event) => {\n  return { v: 3,, }\n}\n"})
	out, ok = runFunctionsCLI(t, dir, "functions", "deploy", fn)
	if ok || !strings.Contains(out, "hello: index.js:2:") || !strings.Contains(out, "SyntaxError") {
		t.Fatalf("syntax error: ok=%v %s", ok, out)
	}
	if out, _ = runFunctionsCLI(t, dir, "functions", "show", "hello"); !strings.Contains(out, "active version: 2") || strings.Contains(out, "  3 ") {
		t.Fatalf("a refused deploy must store nothing: %s", out)
	}

	out, ok = runFunctionsCLI(t, dir, "functions", "rollback", "hello", "1")
	if !ok || out != "hello: version 1 is active\n" {
		t.Fatalf("rollback: %s", out)
	}
	if out, _ = runFunctionsCLI(t, dir, "functions", "show", "hello"); !strings.Contains(out, "active version: 1") || !strings.Contains(out, "timeout: 7s") {
		t.Fatalf("show after rollback: %s", out)
	}
	out, ok = runFunctionsCLI(t, dir, "functions", "list", "--json")
	if !ok || !strings.Contains(out, `"name": "hello"`) || !strings.Contains(out, `"activeVersion": 1`) {
		t.Fatalf("list --json: %s", out)
	}
	if out, ok = runFunctionsCLI(t, dir, "functions", "delete", "hello"); !ok || out != "deleted hello\n" {
		t.Fatalf("delete: %s", out)
	}
	for _, args := range [][]string{
		{"functions", "show", "hello"},
		{"functions", "delete", "hello"},
		{"functions", "rollback", "hello-copy", "9"},
		{"functions", "rollback", "hello-copy", "x"},
		{"functions", "deploy", filepath.Join(src, "nope")},
		{"functions", "deploy", src, "--name", "x"}, // --name with a folder of functions
		{"functions", "deploy", t.TempDir()},        // no functions at all
	} {
		if out, ok := runFunctionsCLI(t, dir, args...); ok {
			t.Errorf("%v should fail: %s", args, out)
		}
	}
	if out, _ = runFunctionsCLI(t, dir, "functions", "list"); !strings.Contains(out, "hello-copy") || strings.Contains(out, "hello ") {
		t.Fatalf("list after delete: %s", out)
	}
}

// TestFunctionsDeployFolderPartialFailure: in a cloudfunctions/ folder, an invalid
// function is reported and skipped; the others deploy; the exit status is non-zero.
func TestFunctionsDeployFolderPartialFailure(t *testing.T) {
	dir := t.TempDir()
	src := t.TempDir()
	writeFiles(t, src, map[string]string{
		"good/index.js":         "exports.main = async () => 'ok'\n",
		"nomain/index.js":       "exports.handler = async () => 'ok'\n",
		"broken/index.ts":       "export const main = async (e: number) => {\n  return e +\n}\n",
		"notes/readme.md":       "not a function",
		".hidden/index.js":      "exports.main = 1\n",
		"bad name!/index.js":    "exports.main = async () => 1\n",
		"big/index.js":          "exports.main = async () => require('./data.json').n\n",
		"big/data.json":         `{"n": 1}`,
		"big/config.json":       `{"timeout": 10000}`,
		"depless/index.js":      "const _ = require('lodash')\nexports.main = async () => _.VERSION\n",
		"depless/package.json":  `{"dependencies": {"lodash": "^4.17.21"}}`,
		"withpkg/package.json":  `{"main": "src/app.js"}`,
		"withpkg/src/app.js":    "exports.main = async () => 'pkg'\n",
		"withpkg/src/helper.js": "",
		"package.json":          `{"name": "cloudfunctions", "private": true}`, // a shared one: still a folder of functions
	})
	out, ok := runFunctionsCLI(t, dir, "functions", "deploy", src)
	if ok {
		t.Fatalf("must fail: %s", out)
	}
	for _, want := range []string{
		"good: version 1,",
		"withpkg: version 1,",
		"error: nomain: index.js: does not export main",
		"error: broken: index.ts:3:1: SyntaxError",
		"error: big: config.json: timeout must be between",
		"error: depless: index.js:1:18: the top-level code threw Error: Cannot find module 'lodash'",
		"invalid function name",
		"5 of 7 functions not deployed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	out, _ = runFunctionsCLI(t, dir, "functions", "list")
	if !strings.Contains(out, "good") || !strings.Contains(out, "withpkg") || strings.Contains(out, "broken") || strings.Contains(out, "nomain") {
		t.Fatalf("list: %s", out)
	}
}
