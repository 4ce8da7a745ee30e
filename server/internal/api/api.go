// Package api implements the public gRPC services: it maps between protobuf messages and model
// types, checks what the caller may see, and calls the catalog rules and the store.
package api

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/images"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/secrets"
	"github.com/hotdesk/hotdesk/server/internal/sessions"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Deps are what the services need.
type Deps struct {
	Store    *store.Store
	Box      *secrets.Box
	Authn    *Authenticator
	TokenTTL time.Duration
	// Throttle limits password guessing (Login, ChangePassword); nil limits nothing.
	Throttle *auth.Throttle
	Sessions *sessions.Service
	Watchers *sessions.Watchers
	// Tokens mints agent enrollment tokens (enroll.Service).
	Tokens TokenMinter
	// Connect mints session connect tokens (connect.Service); nil leaves CreateConnectToken
	// unavailable.
	Connect ConnectMinter
	// Images lists image statuses (image sync).
	Images *images.Service
	// AgentAddress names the address new agents dial, told with each enrollment token; nil
	// leaves it out.
	AgentAddress func() string
}

// ConnectMinter mints session connect tokens and names connect pages.
type ConnectMinter interface {
	Mint(t *store.ConnectTarget, userID string) (token string, expire time.Time, err error)
	PageURL(sessionID string) string
}

// TokenMinter mints one-time agent enrollment tokens.
type TokenMinter interface {
	CreateEnrollmentToken(ctx context.Context, zoneID string, role int, ttl time.Duration, createdBy string) (token string, expire time.Time, err error)
}

// Services bundles every implemented service; the transport registers them.
type Services struct {
	Auth      *AuthService
	Zones     *ZoneService
	Workspace *WorkspaceService
	Users     *UserService
	Groups    *GroupService
	APIKeys   *APIKeyService
	Agents    *AgentService
	Audit     *AuditService
	Sessions  *SessionService
}

// New builds the services.
func New(d Deps) *Services {
	pages := newPager(d.Box.Key("hotdesk page tokens v1"))
	return &Services{
		Auth:      &AuthService{d: d},
		Zones:     &ZoneService{d: d, pages: pages},
		Workspace: &WorkspaceService{d: d, pages: pages},
		Users:     &UserService{d: d, pages: pages},
		Groups:    &GroupService{d: d, pages: pages},
		APIKeys:   &APIKeyService{d: d, pages: pages},
		Agents:    &AgentService{d: d, pages: pages},
		Audit:     &AuditService{d: d, pages: pages},
		Sessions:  &SessionService{d: d, pages: pages},
	}
}

// idem scopes a create's request_id to the caller and the method, so two users (or two
// methods) never collide on the same key.
func idem(ctx context.Context, method, requestID string) store.Idem {
	who := ""
	if p := auth.FromContext(ctx); p != nil {
		who = p.UserID
	}
	return store.Idem{Scope: who + "|" + method, RequestID: requestID}
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func tsp(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

// caller returns the authenticated principal; the interceptors guarantee one for every
// method that reaches a handler needing it.
func caller(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, model.Unauthenticated("this call needs a credential")
	}
	return p, nil
}
