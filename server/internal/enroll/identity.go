package enroll

import (
	"context"
	"crypto/x509"
	"runtime"
	"sync"
	"time"
	"weak"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/pki"
)

// recheckAfter bounds how long a connection's verdict is trusted: a connection opened before
// its agent was deleted (or its certificate replaced on another replica) can start new calls
// for at most this long. New connections are always checked against the database.
const recheckAfter = time.Minute

// AgentID returns the id of the agent calling, from the client certificate the TLS handshake
// verified against the CA. It fails with Unauthenticated when the call carries no verified
// client certificate, the certificate has expired, its agent was deleted, or a newer
// certificate has replaced it (RenewCertificate). The database check is done once per
// connection and then trusted for recheckAfter.
func (s *Service) AgentID(ctx context.Context) (string, error) {
	_, id, err := s.identify(ctx)
	return id, err
}

// identify is AgentID that also returns the certificate.
func (s *Service) identify(ctx context.Context) (*x509.Certificate, string, error) {
	leaf, err := s.verifiedLeaf(ctx)
	if err != nil {
		return nil, "", err
	}
	id, err := pki.AgentIDFromCert(leaf)
	if err != nil {
		return nil, "", model.Unauthenticated("%s", err.Error())
	}
	now := s.now()
	if now.After(leaf.NotAfter) {
		return nil, "", model.Unauthenticated("the client certificate expired at %s; enroll again", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if s.conns.fresh(leaf, now) {
		return leaf, id, nil
	}
	serial, err := s.store.AgentCertSerial(ctx, id)
	if model.IsCode(err, model.CodeNotFound) {
		return nil, "", model.Unauthenticated("agent %s no longer exists (it was deleted); enroll again with a new token", id)
	}
	if err != nil {
		return nil, "", err
	}
	if serial != pki.SerialHex(leaf) {
		return nil, "", model.Unauthenticated("this client certificate was replaced by a newer one; use the newest")
	}
	s.conns.put(leaf, now)
	return leaf, id, nil
}

var errNoClientCert = model.Unauthenticated("this call needs the agent's client certificate (mutual TLS on the agent port); enroll first")

// verifiedLeaf returns the client certificate the handshake verified, and checks it chains to
// this CA.
func (s *Service) verifiedLeaf(ctx context.Context) (*x509.Certificate, error) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil, errNoClientCert
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok {
		return nil, errNoClientCert
	}
	for _, chain := range info.State.VerifiedChains {
		if len(chain) > 0 && chain[len(chain)-1].Equal(s.ca.Cert) {
			return chain[0], nil
		}
	}
	return nil, errNoClientCert
}

// connCache remembers which connections passed the database check, and when. The key is the
// leaf certificate the TLS stack parsed for that connection's handshake: gRPC hands every call
// on a connection the same pointer, and another connection (even with the same certificate)
// gets another. Keys are weak, and an entry is dropped when its connection's certificate is
// garbage collected, so closed connections cost nothing.
type connCache struct {
	mu sync.Mutex
	m  map[weak.Pointer[x509.Certificate]]time.Time
}

func (c *connCache) fresh(leaf *x509.Certificate, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	checked, ok := c.m[weak.Make(leaf)]
	return ok && now.Sub(checked) < recheckAfter
}

func (c *connCache) put(leaf *x509.Certificate, now time.Time) {
	key := weak.Make(leaf)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[weak.Pointer[x509.Certificate]]time.Time{}
	}
	if _, ok := c.m[key]; !ok {
		runtime.AddCleanup(leaf, c.drop, key)
	}
	c.m[key] = now
}

// forget makes the next call on leaf's connection check the database again.
func (c *connCache) forget(leaf *x509.Certificate) { c.drop(weak.Make(leaf)) }

func (c *connCache) drop(key weak.Pointer[x509.Certificate]) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

func (c *connCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
