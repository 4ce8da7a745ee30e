// Package connecttoken is the format of session connect tokens: short-lived, single-session,
// single-user bearer tokens that let a browser open a session's stream. A token is a JWT
// signed with ES256 by the server's CA key, so every proxy on the path (the server's built-in
// proxy, an agent's proxy, a dedicated proxy) verifies it with the CA certificate it already
// holds, without a database round trip. The token names the session, the agent and the
// agent's proxy URL; the client never chooses where a connection goes.
//
// Both the server and agentd import this package; it imports neither.
package connecttoken

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Audience is the "aud" of every connect token, so no other JWT signed by the same key (there
// are none today) can ever pass for one.
const Audience = "hotdesk-connect"

// MaxTTL is the longest a token may be valid before its first use.
const MaxTTL = 60 * time.Second

// MaxLen bounds what Parse reads: anything longer is not a token of ours.
const MaxLen = 4096

// header is the only JOSE header this package writes or accepts.
const header = `{"alg":"ES256","typ":"JWT"}`

var headerB64 = base64.RawURLEncoding.EncodeToString([]byte(header))

// Claims are what a token says.
type Claims struct {
	// Audience is always Audience.
	Audience string `json:"aud"`
	// UserID is the session's owner (or the administrator) the token was minted for.
	UserID string `json:"sub"`
	// SessionID is the one session the token opens.
	SessionID string `json:"sid"`
	// AgentID is the agent that runs the session; only its proxy accepts the token.
	AgentID string `json:"aid"`
	// AgentURL is the base URL of the agent's session proxy (its advertise URL): where the
	// server's proxy relays to. Signed, so no client can point a proxy elsewhere.
	AgentURL string `json:"agt"`
	// URL is the websocket URL the browser opens with this token: the server's proxy
	// (standard zones) or the agent's (direct-to-agent zones).
	URL string `json:"url"`
	// Origins are the web origins whose pages may use the token (the server's public URL and
	// configured extra origins); proxies refuse browser connections from any other origin.
	Origins []string `json:"org,omitempty"`
	// IssuedAt and Expiry are Unix seconds.
	IssuedAt int64 `json:"iat"`
	Expiry   int64 `json:"exp"`
	// ID is random and unique: proxies remember used ids until expiry, so a token opens at
	// most one connection.
	ID string `json:"jti"`
}

// ExpireTime is Expiry as a time.
func (c *Claims) ExpireTime() time.Time { return time.Unix(c.Expiry, 0) }

// Errors Verify returns; callers map them to close codes and messages.
var (
	ErrMalformed = errors.New("connect token is malformed")
	ErrSignature = errors.New("connect token signature is invalid (forged, or signed by another server)")
	ErrExpired   = errors.New("connect token has expired; get a new one")
	ErrAudience  = errors.New("connect token is not meant for session connections")
)

// NewID returns a random token id.
func NewID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Sign encodes and signs c with key (an ECDSA P-256 key).
func Sign(c *Claims, key crypto.Signer) (string, error) {
	if _, ok := key.Public().(*ecdsa.PublicKey); !ok {
		return "", errors.New("connecttoken: the signing key must be ECDSA P-256")
	}
	c.Audience = Audience
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signed := headerB64 + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signed))
	der, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return "", err
	}
	raw, err := derToRaw(der)
	if err != nil {
		return "", err
	}
	tok := signed + "." + base64.RawURLEncoding.EncodeToString(raw)
	if len(tok) > MaxLen {
		return "", fmt.Errorf("connecttoken: token of %d bytes is longer than %d", len(tok), MaxLen)
	}
	return tok, nil
}

// Verify checks the token's form, signature (against any of keys), audience and expiry at
// now, and returns its claims. It does not check which session or agent the token names, nor
// whether it was used before: callers do, with what they know.
func Verify(token string, keys []*ecdsa.PublicKey, now time.Time) (*Claims, error) {
	if len(token) == 0 || len(token) > MaxLen {
		return nil, ErrMalformed
	}
	h, rest, ok := strings.Cut(token, ".")
	if !ok || h != headerB64 {
		// The header is fixed: "alg" can be nothing but ES256, so no algorithm confusion.
		return nil, ErrMalformed
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(s, ".") {
		return nil, ErrMalformed
	}
	sig, err := b64.DecodeString(s)
	if err != nil || len(sig) != 64 {
		return nil, ErrMalformed
	}
	payload, err := b64.DecodeString(p)
	if err != nil {
		return nil, ErrMalformed
	}
	digest := sha256.Sum256([]byte(token[:len(h)+1+len(p)]))
	r, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	valid := false
	for _, k := range keys {
		if k != nil && ecdsa.Verify(k, digest[:], r, ss) {
			valid = true
			break
		}
	}
	if !valid {
		return nil, ErrSignature
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&c); err != nil || dec.More() {
		return nil, ErrMalformed
	}
	if c.Audience != Audience {
		return nil, ErrAudience
	}
	if c.SessionID == "" || c.AgentID == "" || c.ID == "" || c.Expiry == 0 {
		return nil, ErrMalformed
	}
	if !now.Before(time.Unix(c.Expiry, 0)) {
		return nil, ErrExpired
	}
	return &c, nil
}

// Peek decodes the claims without verifying anything: for logs and for a browser page that
// needs the URL to open. Never base a decision on its result.
func Peek(token string) (*Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, ErrMalformed
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, ErrMalformed
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, ErrMalformed
	}
	return &c, nil
}

// derToRaw converts an ASN.1 ECDSA signature to JWS's fixed 64-byte r||s form.
func derToRaw(der []byte) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 || sig.R.BitLen() > 256 || sig.S.BitLen() > 256 {
		return nil, errors.New("connecttoken: unexpected signature encoding")
	}
	out := make([]byte, 64)
	sig.R.FillBytes(out[:32])
	sig.S.FillBytes(out[32:])
	return out, nil
}

// PublicKeys returns the ECDSA keys among pubs (e.g. the certificates of a CA bundle).
func PublicKeys(pubs ...crypto.PublicKey) []*ecdsa.PublicKey {
	var out []*ecdsa.PublicKey
	for _, p := range pubs {
		if k, ok := p.(*ecdsa.PublicKey); ok {
			out = append(out, k)
		}
	}
	return out
}

// b64 decodes strictly: one encoding per byte string, so a token cannot be altered into
// another string that verifies.
var b64 = base64.RawURLEncoding.Strict()
