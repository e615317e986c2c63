package keyring

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadCreatesOnceAndKeeps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pb_data")
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	for i := range keys {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			k, err := Load(dir, ".k")
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}(i)
	}
	wg.Wait()
	for _, k := range keys {
		if len(k) != KeySize || !bytes.Equal(k, keys[0]) {
			t.Fatalf("concurrent loads disagree: %x vs %x", k, keys[0])
		}
	}
	st, err := os.Stat(filepath.Join(dir, ".k"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("keyring file: %v %v", st, err)
	}
	again, err := Load(dir, ".k")
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatal("the key changed on reload")
	}
	other, _ := Load(dir, ".other")
	if bytes.Equal(other, keys[0]) {
		t.Fatal("two keyrings share a key")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestLoadRefusesAWrongSize(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".k"), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, ".k"); err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Fatalf("got %v", err)
	}
}
