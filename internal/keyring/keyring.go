// Package keyring keeps the server's secret keys in files of the data directory: 32
// random bytes each, mode 0600, created on first use and never sent anywhere.
package keyring

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeySize is the size of every key, in bytes (AES-256, HMAC-SHA256).
const KeySize = 32

// Load returns the key in dataDir/name, creating the file on first use. Two processes
// starting at once agree on one key: the file is created exclusively, and the loser
// reads the winner's.
func Load(dataDir, name string) ([]byte, error) {
	path := filepath.Join(dataDir, name)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return create(dataDir, name)
	}
	if err != nil {
		return nil, fmt.Errorf("read keyring %s: %w", name, err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("keyring %s must hold %d bytes", path, KeySize)
	}
	return key, nil
}

// create writes a new key to a temporary file and links it into place: the key file
// appears whole or not at all, so a concurrent Load never reads it half-written, and
// when two processes race, the link of the second fails and it reads the first's key.
func create(dataDir, name string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dataDir, name+".new-*")
	if err != nil {
		return nil, fmt.Errorf("create keyring %s: %w", name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("write keyring %s: %w", name, err)
	}
	if err := f.Close(); err != nil { // CreateTemp makes the file 0600
		return nil, fmt.Errorf("write keyring %s: %w", name, err)
	}
	if err := os.Link(tmp, filepath.Join(dataDir, name)); err != nil {
		if errors.Is(err, os.ErrExist) {
			return Load(dataDir, name) // another process created it first
		}
		return nil, fmt.Errorf("create keyring %s: %w", name, err)
	}
	return key, nil
}
