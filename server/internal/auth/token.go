package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Prefixes tell the two kinds of bearer credential apart without a database look-up, and make
// leaked secrets easy to find with a scanner.
const (
	LoginTokenPrefix = "hdt_"
	APIKeyPrefix     = "hdk_"
)

// NewSecret returns a random bearer secret with the given prefix and the hash to store.
func NewSecret(prefix string) (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret hashes a high-entropy bearer secret for storage and look-up. SHA-256 suffices:
// unlike passwords these secrets cannot be guessed, so a slow hash would only cost latency.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// BearerFromHeader extracts the credential from an "authorization" value.
func BearerFromHeader(v string) (string, bool) {
	const p = "bearer "
	if len(v) <= len(p) || !strings.EqualFold(v[:len(p)], p) {
		return "", false
	}
	return strings.TrimSpace(v[len(p):]), true
}
