// Package secrets encrypts secrets at rest (registry passwords, provider credentials,
// connection passwords) with AES-256-GCM under the server's secret key, and derives the other
// keys the server needs from that one key.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the length of the server's secret key in bytes.
const KeySize = 32

// Box seals and opens secrets.
type Box struct {
	aead cipher.AEAD
	root []byte
}

// New returns a Box for a KeySize-byte secret key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(Derive(key, "hotdesk secrets at rest v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, root: append([]byte(nil), key...)}, nil
}

// Seal encrypts plaintext; associated binds the ciphertext to its place (e.g. a workspace
// id), so a ciphertext copied to another row does not decrypt. Empty plaintext seals to nil.
func (b *Box) Seal(plaintext, associated string) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(associated)), nil
}

// Open decrypts what Seal produced with the same associated data.
func (b *Box) Open(ciphertext []byte, associated string) (string, error) {
	if len(ciphertext) == 0 {
		return "", nil
	}
	n := b.aead.NonceSize()
	if len(ciphertext) < n {
		return "", errors.New("secrets: ciphertext too short")
	}
	pt, err := b.aead.Open(nil, ciphertext[:n], ciphertext[n:], []byte(associated))
	if err != nil {
		return "", fmt.Errorf("secrets: cannot decrypt (wrong server secret key?): %w", err)
	}
	return string(pt), nil
}

// Key derives a purpose-bound subkey from the box's root key.
func (b *Box) Key(purpose string) []byte { return Derive(b.root, purpose) }

// Derive returns HMAC-SHA256(key, purpose): independent keys for independent uses.
func Derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
