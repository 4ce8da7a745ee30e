package auth

import (
	"context"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// Principal is the authenticated caller of an RPC.
type Principal struct {
	UserID   string
	Username string
	Role     model.Role
	// APIKeyID is set when the call used an API key; Scope is then that key's scope.
	APIKeyID string
	Scope    model.APIKeyScope
	// TokenHash identifies the login token used, so Logout can revoke exactly it.
	TokenHash []byte
}

// IsAdmin reports whether the caller has the admin role.
func (p *Principal) IsAdmin() bool { return p != nil && p.Role == model.RoleAdmin }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, or nil for an unauthenticated call.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Audit is what the transport and a handler share about one audited call: the caller's IP
// address, as the transport established it, and the user a call without a credential turned
// out to act as (a sign-in names the user signing in).
type Audit struct {
	ClientAddr string
	Actor      string
}

type auditKey struct{}

// WithAudit returns ctx carrying a's facts for the call's handler.
func WithAudit(ctx context.Context, a *Audit) context.Context {
	return context.WithValue(ctx, auditKey{}, a)
}

// ClientAddr returns the caller's IP address, or "" when unknown.
func ClientAddr(ctx context.Context) string {
	if a, _ := ctx.Value(auditKey{}).(*Audit); a != nil {
		return a.ClientAddr
	}
	return ""
}

// SetActor records that the call acted as user id (for its audit event); a no-op outside an
// audited call.
func SetActor(ctx context.Context, id string) {
	if a, _ := ctx.Value(auditKey{}).(*Audit); a != nil {
		a.Actor = id
	}
}
