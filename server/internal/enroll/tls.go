package enroll

import (
	"crypto/tls"
	"time"
)

// ServerTLSConfig is the TLS configuration of the agent listener: this replica's server
// certificate (chain ending with the CA, so hosts can pin the CA by fingerprint), TLS 1.3 only,
// and client certificates verified against the CA when given. They are optional at the TLS
// layer because Enroll is called without one; every other call checks it (AgentID).
func (s *Service) ServerTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS13,
		ClientAuth:     tls.VerifyClientCertIfGiven,
		ClientCAs:      s.ca.Pool(),
		NextProtos:     []string{"h2"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.serverCertificate(), nil },
	}
}

// serverCertificate returns the replica's server certificate, issuing a new one (new key)
// once two thirds of its lifetime have passed, so a long-running replica never serves an
// expired one.
func (s *Service) serverCertificate() *tls.Certificate {
	cur := s.srvCert.Load()
	if !s.now().After(renewAt(cur)) {
		return cur
	}
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if cur = s.srvCert.Load(); !s.now().After(renewAt(cur)) {
		return cur
	}
	next, err := s.ca.IssueServer(s.names, s.now())
	if err != nil {
		s.log.Error("renewing the agent listener certificate", "error", err.Error())
		return cur
	}
	s.srvCert.Store(next)
	s.log.Info("renewed the agent listener certificate", "not_after", next.Leaf.NotAfter)
	return next
}

func renewAt(c *tls.Certificate) time.Time {
	life := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore)
	return c.Leaf.NotBefore.Add(life * 2 / 3)
}
