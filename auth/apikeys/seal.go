package apikeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeyringFile is the file in the data directory holding the key that seals API secrets
// at rest, so that neither the dashboard nor a database dump shows them.
const KeyringFile = ".minicloud_keyring"

const sealPrefix = "sealed1:"

// sealer encrypts secrets with AES-256-GCM.
type sealer struct{ aead cipher.AEAD }

// loadSealer reads the keyring from dataDir, creating it (mode 0600) on first use.
func loadSealer(dataDir string) (*sealer, error) {
	path := filepath.Join(dataDir, KeyringFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return loadSealer(dataDir) // another process created it first
		}
		if err != nil {
			return nil, fmt.Errorf("create keyring: %w", err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			return nil, fmt.Errorf("write keyring: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("keyring %s must hold 32 bytes", path)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte("minicloud-apikey"))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

func (s *sealer) open(stored string) (string, error) {
	if !strings.HasPrefix(stored, sealPrefix) {
		return stored, nil // written before sealing existed
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(stored, sealPrefix))
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errors.New("sealed secret is corrupt")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte("minicloud-apikey"))
	if err != nil {
		return "", errors.New("sealed secret cannot be opened with this keyring")
	}
	return string(plain), nil
}
