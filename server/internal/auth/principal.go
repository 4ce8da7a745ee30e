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

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the caller's IP address, as the transport established it.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr returns the caller's IP address, or "" when unknown.
func ClientAddr(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey{}).(string)
	return a
}
