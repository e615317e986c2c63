package cloudfns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleFunctions: every folder of examples/cloudfunctions deploys with the loader.
func TestExampleFunctions(t *testing.T) {
	root := filepath.Join("..", "examples", "cloudfunctions")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*Bundle{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if !IsFunctionDir(os.DirFS(dir)) {
			t.Errorf("%s is not a function folder", dir)
			continue
		}
		b, err := LoadBundle(dir)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if err := ValidateFunctionName(e.Name()); err != nil {
			t.Error(err)
		}
		if b.Entry() != "index.js" {
			t.Errorf("%s: entry %q", e.Name(), b.Entry())
		}
		if !strings.Contains(string(b.Files["index.js"]), "wx-server-sdk") {
			t.Errorf("%s does not use wx-server-sdk", e.Name())
		}
		seen[e.Name()] = b
	}
	for _, name := range []string{"login", "list", "counter", "multifile", "esm-ts", "scheduled"} {
		if seen[name] == nil {
			t.Fatalf("example %s missing", name)
		}
	}
	if _, ok := seen["multifile"].Files["node_modules/tiny-slug/lib/slug.js"]; !ok {
		t.Error("multifile's package must be in its bundle")
	}
	ts := seen["esm-ts"]
	if _, ok := ts.Files["lib/greeting.js"]; !ok || ts.SourceMaps["index.js"] == nil || strings.Contains(string(ts.Files["index.js"]), "import cloud") {
		t.Errorf("esm-ts must be stored as CommonJS with maps: %v", keys(ts.Files))
	}
	cfg := seen["scheduled"].Config
	if cfg.TimeoutDuration().Seconds() != 20 || cfg.Envs["SESSION_TTL_MINUTES"] != "30" || len(cfg.Triggers) != 1 ||
		cfg.Triggers[0].Config != "0 */1 * * * * *" || cfg.Triggers[0].Type != "timer" {
		t.Errorf("scheduled config %+v", cfg)
	}
}
