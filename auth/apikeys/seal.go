package apikeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/minicloud/minicloud/internal/keyring"
)

// KeyringFile is the file in the data directory holding the key that seals API secrets
// at rest, so that neither the dashboard nor a database dump shows them.
const KeyringFile = ".minicloud_keyring"

const sealPrefix = "sealed1:"

// sealer encrypts secrets with AES-256-GCM.
type sealer struct{ aead cipher.AEAD }

// loadSealer reads the keyring from dataDir, creating it (mode 0600) on first use.
func loadSealer(dataDir string) (*sealer, error) {
	key, err := keyring.Load(dataDir, KeyringFile)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
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
