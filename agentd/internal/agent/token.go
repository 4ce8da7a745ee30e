package agent

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// TokenPrefix starts every enrollment token.
const TokenPrefix = "hde_"

// Token is a parsed enrollment token, "hde_<secret>.<sha-256 of the server CA, hex>". The hash
// lets a fresh host trust the server's CA on first contact without any other configuration.
type Token struct {
	// Raw is the whole token as given; it is what Enroll sends.
	Raw string
	// CAPin is the SHA-256 of the server CA certificate's DER encoding.
	CAPin [32]byte
}

// ErrMalformedToken is returned for a token not of the form hde_<secret>.<64 hex digits>.
var ErrMalformedToken = errors.New("enrollment token must look like hde_<secret>.<64 hex digits>")

// ParseToken checks a token's shape and extracts the CA pin.
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, TokenPrefix) || len(s) > 512 {
		return Token{}, ErrMalformedToken
	}
	i := strings.LastIndexByte(s, '.')
	if i < 0 || i == len(TokenPrefix) {
		return Token{}, ErrMalformedToken
	}
	secret, pinHex := s[len(TokenPrefix):i], s[i+1:]
	if strings.ContainsAny(secret, " \t\r\n") || len(pinHex) != 64 {
		return Token{}, ErrMalformedToken
	}
	pin, err := hex.DecodeString(pinHex)
	if err != nil {
		return Token{}, fmt.Errorf("%w: %v", ErrMalformedToken, err)
	}
	t := Token{Raw: s}
	copy(t.CAPin[:], pin)
	return t, nil
}
