package wsproxy

import (
	"crypto/ecdsa"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hotdesk/hotdesk/internal/connecttoken"
)

// TokenCheck is the connect-token half of authorization every proxy does the same way:
// signature, expiry, session, agent, browser origin, single use.
type TokenCheck struct {
	// Keys returns the keys tokens may be signed with (the CA's).
	Keys func() []*ecdsa.PublicKey
	// Replay remembers used tokens.
	Replay *connecttoken.Replay
	// AgentID, if set, is the only agent tokens may name (an agent's own proxy).
	AgentID string
	// Origins are the browser origins allowed; nil trusts the list in the token itself.
	Origins []string
	// Leeway tolerates a clock behind the server's (agents: a few seconds).
	Leeway time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Check verifies token for session sid on request r and uses it up.
func (tc *TokenCheck) Check(r *http.Request, sid, token string) (*connecttoken.Claims, error) {
	if token == "" {
		return nil, Refuse(CodeBadToken, "no connect token; open the session from its connect page")
	}
	now := time.Now()
	if tc.Now != nil {
		now = tc.Now()
	}
	c, err := connecttoken.Verify(token, tc.Keys(), now.Add(-tc.Leeway))
	switch {
	case errors.Is(err, connecttoken.ErrExpired):
		return nil, Refuse(CodeBadToken, "the connect token has expired; get a new one")
	case errors.Is(err, connecttoken.ErrSignature):
		return nil, Refuse(CodeBadToken, "the connect token's signature is invalid")
	case err != nil:
		return nil, Refuse(CodeBadToken, "the connect token is malformed")
	}
	if !strings.EqualFold(c.SessionID, sid) {
		return nil, Refuse(CodeForbidden, "the connect token is for another session")
	}
	if tc.AgentID != "" && !strings.EqualFold(c.AgentID, tc.AgentID) {
		return nil, Refuse(CodeForbidden, "the connect token is for a session on another agent")
	}
	if o := r.Header.Get("Origin"); o != "" {
		allowed := tc.Origins
		if allowed == nil {
			allowed = c.Origins
		}
		if !OriginAllowed(o, allowed) {
			return nil, &Refusal{Code: CodeForbidden, BeforeUpgrade: true,
				Reason: "pages from origin " + o + " may not open session streams; use the server's public URL or add the origin to the allowed origins"}
		}
	}
	if !tc.Replay.Use(c, now) {
		return nil, Refuse(CodeTokenUsed, "the connect token was used already; get a new one")
	}
	return c, nil
}

// OriginAllowed reports whether a browser's Origin header names one of allowed (each an
// origin or a URL whose origin counts).
func OriginAllowed(origin string, allowed []string) bool {
	o := NormalizeOrigin(origin)
	if o == "" {
		return false
	}
	for _, a := range allowed {
		if NormalizeOrigin(a) == o {
			return true
		}
	}
	return false
}

// NormalizeOrigin returns the scheme://host[:port] of a URL, lower-cased, without a default
// port; "" if it has none.
func NormalizeOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" || scheme == "ws") && port == "80" || (scheme == "https" || scheme == "wss") && port == "443" {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
