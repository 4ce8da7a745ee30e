// Package enroll gives agents and proxies their identity: it mints one-time enrollment tokens,
// exchanges a token and a CSR for an agent id and a client certificate signed by the shared CA
// (Enroll), renews that certificate, tells handlers which agent is calling (AgentID), and
// provides the TLS configuration of the agent listener.
package enroll

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/pki"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Enrollment token lifetimes.
const (
	DefaultTokenTTL = time.Hour
	MinTokenTTL     = time.Minute
	MaxTokenTTL     = 7 * 24 * time.Hour
)

// Options configure a Service.
type Options struct {
	Store *store.Store
	// TLSNames are extra DNS names or IP addresses for this replica's server certificate, on
	// top of loopback and the host name.
	TLSNames []string
	Log      *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service enrolls agents and authenticates them afterwards.
type Service struct {
	store *store.Store
	ca    *pki.CA
	fp    string
	names []string
	log   *slog.Logger
	now   func() time.Time

	srvMu   sync.Mutex
	srvCert atomic.Pointer[tls.Certificate]
	conns   connCache
}

// New loads the CA every replica shares (creating it on a fresh database) and issues this
// replica's server certificate.
func New(ctx context.Context, o Options) (*Service, error) {
	s := &Service{store: o.Store, names: pki.ServerNames(o.TLSNames), log: o.Log, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	certPEM, keyPEM, err := o.Store.LoadOrCreateCA(ctx, func() ([]byte, []byte, error) { return pki.NewCA(s.now()) })
	if err != nil {
		return nil, fmt.Errorf("agent CA: %w", err)
	}
	if s.ca, err = pki.LoadCA(certPEM, keyPEM); err != nil {
		return nil, err
	}
	s.fp = s.ca.Fingerprint()
	cert, err := s.ca.IssueServer(s.names, s.now())
	if err != nil {
		return nil, fmt.Errorf("agent listener certificate: %w", err)
	}
	s.srvCert.Store(cert)
	return s, nil
}

// CAFingerprint is the lower-case hex SHA-256 of the CA certificate (DER), as in tokens.
func (s *Service) CAFingerprint() string { return s.fp }

// CACertificate is the CA certificate agents trust.
func (s *Service) CACertificate() *x509.Certificate { return s.ca.Cert }

// CreateEnrollmentToken mints a one-time token for a host joining zoneID (may be empty) as
// role (a hotdesk.agent.v1.AgentRole number; 0 means AGENT), valid for ttl (0 means
// DefaultTokenTTL; otherwise MinTokenTTL to MaxTokenTTL). createdBy is the user id minting it.
func (s *Service) CreateEnrollmentToken(ctx context.Context, zoneID string, role int, ttl time.Duration, createdBy string) (string, time.Time, error) {
	if role == 0 {
		role = int(agentpb.AgentRole_AGENT_ROLE_AGENT)
	}
	if roleName(role) == "" {
		return "", time.Time{}, model.Invalid("role", "unknown role %d", role)
	}
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < MinTokenTTL || ttl > MaxTokenTTL {
		return "", time.Time{}, model.Invalid("ttl_seconds", "must be 0 (one hour) or from %d to %d seconds, got %d",
			int(MinTokenTTL.Seconds()), int(MaxTokenTTL.Seconds()), int(ttl.Seconds()))
	}
	token, hash, err := newToken(s.fp)
	if err != nil {
		return "", time.Time{}, err
	}
	expire, err := s.store.CreateEnrollmentToken(ctx, hash, zoneID, role, ttl, createdBy)
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expire, nil
}

// Enroll implements ManagerService.Enroll: the token is the credential.
func (s *Service) Enroll(ctx context.Context, req *agentpb.EnrollRequest) (*agentpb.EnrollResponse, error) {
	hash, fp, err := parseToken(req.GetEnrollmentToken())
	if err != nil {
		return nil, model.Unauthenticated("%s", err.Error())
	}
	if fp != s.fp {
		return nil, model.Unauthenticated("the enrollment token belongs to another Hotdesk installation (its CA fingerprint differs from this server's)")
	}
	csr, err := pki.ParseCSR([]byte(req.GetCsrPem()))
	if err != nil {
		return nil, model.Invalid("csr_pem", "%s", err.Error())
	}
	want := int(req.GetRole())
	now := s.now()
	var issued *pki.Issued
	res, err := s.store.EnrollAgent(ctx, store.Enrollment{TokenHash: hash, RequestID: req.GetRequestId(),
		Hostname: req.GetHostname(), Version: req.GetVersion()},
		func(agentID string, role int) (string, error) {
			if role != want {
				return "", model.PermissionDenied("the enrollment token is for %s, not %s", agentpb.AgentRole(role), agentpb.AgentRole(want))
			}
			var err error
			if issued, err = s.ca.SignAgent(csr, agentID, roleName(role), now); err != nil {
				return "", err
			}
			return issued.Serial, nil
		})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "agent enrolled", "agent_id", res.AgentID, "zone_id", res.ZoneID, "hostname", req.GetHostname(),
		"role", agentpb.AgentRole(res.Role).String(), "retry", res.Retry, "cert_serial", issued.Serial)
	return &agentpb.EnrollResponse{AgentId: res.AgentID, Certificate: s.issuedToPB(issued, now)}, nil
}

// RenewCertificate implements ManagerService.RenewCertificate: authenticated by the current
// certificate, which stops working once the new one is issued.
func (s *Service) RenewCertificate(ctx context.Context, req *agentpb.RenewCertificateRequest) (*agentpb.RenewCertificateResponse, error) {
	leaf, id, err := s.identify(ctx)
	if err != nil {
		return nil, err
	}
	csr, err := pki.ParseCSR([]byte(req.GetCsrPem()))
	if err != nil {
		return nil, model.Invalid("csr_pem", "%s", err.Error())
	}
	now := s.now()
	var issued *pki.Issued
	err = s.store.RenewAgentCert(ctx, id, pki.SerialHex(leaf), func(agentID string, role int) (string, error) {
		var err error
		if issued, err = s.ca.SignAgent(csr, agentID, roleName(role), now); err != nil {
			return "", err
		}
		return issued.Serial, nil
	})
	if model.IsCode(err, model.CodeNotFound) {
		return nil, model.Unauthenticated("agent %s no longer exists (it was deleted); enroll again with a new token", id)
	}
	if err != nil {
		return nil, err
	}
	s.conns.forget(leaf)
	s.log.InfoContext(ctx, "agent certificate renewed", "agent_id", id, "cert_serial", issued.Serial, "old_cert_serial", pki.SerialHex(leaf))
	return &agentpb.RenewCertificateResponse{Certificate: s.issuedToPB(issued, now)}, nil
}

// issuedToPB describes a new certificate; renewal is due two thirds into its lifetime.
func (s *Service) issuedToPB(iss *pki.Issued, now time.Time) *agentpb.IssuedCertificate {
	notAfter := iss.Cert.NotAfter
	return &agentpb.IssuedCertificate{
		CertificatePem: string(iss.PEM),
		CaBundlePem:    string(s.ca.CertPEM),
		ExpireTime:     timestamppb.New(notAfter),
		RenewTime:      timestamppb.New(now.Add(notAfter.Sub(now) * 2 / 3)),
		SerialNumber:   iss.Serial,
	}
}

// roleName is the organizational unit an agent certificate carries for a role; "" for none.
func roleName(role int) string {
	switch agentpb.AgentRole(role) {
	case agentpb.AgentRole_AGENT_ROLE_AGENT:
		return "agent"
	case agentpb.AgentRole_AGENT_ROLE_CONNECTION_PROXY:
		return "connection-proxy"
	case agentpb.AgentRole_AGENT_ROLE_DEDICATED_PROXY:
		return "dedicated-proxy"
	}
	return ""
}
