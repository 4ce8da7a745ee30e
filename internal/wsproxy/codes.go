package wsproxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"
)

// Close codes sent to browsers (websocket close frames) and, in Refusal bodies, between proxies.
const (
	CodeNormal       = 1000 // the desktop closed the connection
	CodeGoingAway    = 1001 // the proxy is shutting down
	CodeBadRequest   = 4400 // not a websocket, or no token
	CodeBadToken     = 4401 // malformed, forged or expired token
	CodeForbidden    = 4403 // token for another session, user or agent; origin not allowed
	CodeNotFound     = 4404 // the session is not on this agent
	CodeTokenUsed    = 4409 // the token opened a connection already
	CodeSessionEnded = 4410 // the session has ended
	CodeBusy         = 4429 // too many connections
	CodeInternal     = 4500 // a fault of the proxy; its log has details
	CodeUpstream     = 4502 // the agent or the desktop cannot be reached, or refused the proxy
)

// Refusal is why a connection attempt was turned down: Code is one of the close codes above and
// Reason a sentence for the user.
type Refusal struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
	// BeforeUpgrade asks for a plain HTTP answer instead of an opened-then-closed websocket:
	// for requests from foreign origins, which get no websocket at all.
	BeforeUpgrade bool `json:"-"`
}

func (r *Refusal) Error() string { return r.Reason }

// Refuse returns a Refusal.
func Refuse(code int, reason string) *Refusal { return &Refusal{Code: code, Reason: reason} }

// AsRefusal returns err as a Refusal; anything else is an internal error.
func AsRefusal(err error) *Refusal {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	return Refuse(CodeInternal, "internal proxy error; the proxy's log has the details")
}

// HTTPStatus maps a close code to the HTTP status of a plain refusal.
func HTTPStatus(code int) int {
	switch code {
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeBadToken:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeTokenUsed:
		return http.StatusConflict
	case CodeSessionEnded:
		return http.StatusGone
	case CodeBusy:
		return http.StatusTooManyRequests
	case CodeUpstream:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// WriteRefusal answers a request with r as JSON: {"code": 4401, "reason": "..."}.
func WriteRefusal(w http.ResponseWriter, r *Refusal) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(HTTPStatus(r.Code))
	_ = json.NewEncoder(w).Encode(r)
}

// closeReason fits a reason into a close frame (123 bytes), cutting on a rune boundary.
func closeReason(s string) string {
	const max = 123
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
