package api

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Authenticator resolves bearer credentials to principals. Resolved credentials are cached
// for a few seconds so a busy client costs no database round trip per call; revocation on
// this replica takes effect at once (Forget), on other replicas within cacheTTL.
type Authenticator struct {
	store *store.Store
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	p       *auth.Principal
	expires time.Time
}

const maxCached = 100_000

// NewAuthenticator returns an Authenticator with the given cache lifetime (0 disables the
// cache).
func NewAuthenticator(s *store.Store, cacheTTL time.Duration) *Authenticator {
	return &Authenticator{store: s, ttl: cacheTTL, now: time.Now, cache: map[string]cached{}}
}

// Authenticate resolves a bearer secret. It returns an Unauthenticated model error for
// anything that is not a live credential.
func (a *Authenticator) Authenticate(ctx context.Context, secret string) (*auth.Principal, error) {
	hash := auth.HashSecret(secret)
	key := string(hash)
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[key]
	a.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}
	var cred *store.Credential
	var err error
	switch {
	case len(secret) > 4 && subtle.ConstantTimeCompare([]byte(secret[:4]), []byte(auth.LoginTokenPrefix)) == 1:
		cred, err = a.store.LookupLoginToken(ctx, hash)
	case len(secret) > 4 && subtle.ConstantTimeCompare([]byte(secret[:4]), []byte(auth.APIKeyPrefix)) == 1:
		cred, err = a.store.LookupAPIKey(ctx, hash)
	default:
		return nil, model.Unauthenticated("the bearer credential is not a Hotdesk token or API key")
	}
	if model.IsCode(err, model.CodeNotFound) {
		return nil, model.Unauthenticated("the bearer credential is unknown, revoked or expired; log in again or use a valid API key")
	}
	if err != nil {
		return nil, err
	}
	p := &auth.Principal{UserID: cred.User.ID, Username: cred.User.Username, Role: cred.User.Role, APIKeyID: cred.APIKeyID, Scope: cred.Scope}
	if cred.APIKeyID == "" {
		p.TokenHash = hash
	} else if cred.LastUsed == nil || now.Sub(*cred.LastUsed) > time.Minute {
		// last_used_time is advisory: a failed write must not fail the call.
		_ = a.store.TouchAPIKey(ctx, cred.APIKeyID)
	}
	expires := now.Add(a.ttl)
	if cred.ExpireTime != nil && cred.ExpireTime.Before(expires) {
		expires = *cred.ExpireTime
	}
	if a.ttl > 0 {
		a.mu.Lock()
		if len(a.cache) >= maxCached {
			a.cache = map[string]cached{}
		}
		a.cache[key] = cached{p: p, expires: expires}
		a.mu.Unlock()
	}
	return p, nil
}

// Forget drops every cached credential, after a revocation on this replica.
func (a *Authenticator) Forget() {
	a.mu.Lock()
	a.cache = map[string]cached{}
	a.mu.Unlock()
}
