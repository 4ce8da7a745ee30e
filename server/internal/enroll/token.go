package enroll

import (
	"encoding/base64"
	"errors"
	"strings"

	"github.com/hotdesk/hotdesk/server/internal/auth"
)

// TokenPrefix starts every enrollment token, so a leaked one is easy to recognize.
const TokenPrefix = "hde_"

// An enrollment token is "hde_<base64url of 32 random bytes>.<CA fingerprint>". The part before
// the dot is the secret: only its SHA-256 is stored. The fingerprint (lower-case hex SHA-256 of
// the CA certificate's DER) lets a fresh host pin the server's CA before it trusts anything.
const (
	secretBytes    = 32
	fingerprintLen = 64
)

// newToken returns a token for the CA with the given fingerprint and the hash to store.
func newToken(fingerprint string) (token string, hash []byte, err error) {
	secret, hash, err := auth.NewSecret(TokenPrefix)
	if err != nil {
		return "", nil, err
	}
	return secret + "." + fingerprint, hash, nil
}

// parseToken splits a token into the hash of its secret and the CA fingerprint it carries.
func parseToken(token string) (hash []byte, fingerprint string, err error) {
	secret, fp, ok := strings.Cut(token, ".")
	if !ok || !strings.HasPrefix(secret, TokenPrefix) {
		return nil, "", errors.New(`the enrollment token is malformed: want "hde_<secret>.<CA fingerprint>"`)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(secret[len(TokenPrefix):])
	if err != nil || len(raw) != secretBytes {
		return nil, "", errors.New("the enrollment token's secret is malformed")
	}
	if !isFingerprint(fp) {
		return nil, "", errors.New("the enrollment token's CA fingerprint is not 64 lower-case hex digits")
	}
	return auth.HashSecret(secret), fp, nil
}

func isFingerprint(s string) bool {
	if len(s) != fingerprintLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
