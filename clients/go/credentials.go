package hotdesk

import (
	"context"
	"sync"
)

// bearer adds "authorization: Bearer <credential>" to every call once a credential is set.
// It does not require transport security: the server's own port is plaintext by default and
// loopback deployments are common; use WithTLS (or an https:// address) across networks.
type bearer struct {
	mu    sync.RWMutex
	token string
}

func (b *bearer) set(token string) {
	b.mu.Lock()
	b.token = token
	b.mu.Unlock()
}

func (b *bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.token == "" {
		return nil, nil
	}
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b *bearer) RequireTransportSecurity() bool { return false }
