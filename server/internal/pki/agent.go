package pki

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// agentURNPrefix starts the URI SAN that names an agent: urn:hotdesk:agent:<id>.
const agentURNPrefix = "hotdesk:agent:"

// RSA keys below this size are refused; above the upper bound they would only cost CPU.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// AgentURI is the URI SAN of an agent's client certificate.
func AgentURI(agentID string) string { return "urn:" + agentURNPrefix + agentID }

// ParseCSR parses a PEM PKCS#10 request, checks its self-signature and that its key is ECDSA
// or RSA of at least 2048 bits. Its errors describe the problem for the client.
func ParseCSR(csrPEM []byte) (*x509.CertificateRequest, error) {
	b, rest := pem.Decode(csrPEM)
	if b == nil {
		return nil, errors.New("is not PEM encoded")
	}
	if b.Type != "CERTIFICATE REQUEST" && b.Type != "NEW CERTIFICATE REQUEST" {
		return nil, fmt.Errorf("holds a %q PEM block, want CERTIFICATE REQUEST", b.Type)
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, errors.New("holds more than one PEM block")
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cannot be parsed: %v", err)
	}
	switch pub := csr.PublicKey.(type) {
	case *ecdsa.PublicKey:
	case *rsa.PublicKey:
		if n := pub.N.BitLen(); n < minRSABits || n > maxRSABits {
			return nil, fmt.Errorf("has a %d-bit RSA key; use ECDSA P-256 or RSA of %d to %d bits", n, minRSABits, maxRSABits)
		}
	default:
		return nil, fmt.Errorf("has a %T key; use ECDSA P-256 or RSA of at least %d bits", pub, minRSABits)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, errors.New("has a signature that does not match its key")
	}
	return csr, nil
}

// Issued is a certificate the CA signed.
type Issued struct {
	Cert *x509.Certificate
	// PEM is the certificate alone, PEM encoded.
	PEM []byte
	// Serial is SerialHex(Cert).
	Serial string
}

// SignAgent issues the client certificate of agent agentID for the key in csr (parsed by
// ParseCSR). The requested subject and extensions are ignored: the certificate names the agent
// in its common name and in a urn:hotdesk:agent:<id> URI, carries role as organizational unit,
// may only authenticate TLS clients and lasts AgentCertLifetime.
func (ca *CA) SignAgent(csr *x509.CertificateRequest, agentID, role string, now time.Time) (*Issued, error) {
	if !isUUID(agentID) {
		return nil, fmt.Errorf("pki: agent id %q is not a lower-case UUID", agentID)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{CommonName: agentID}
	if role != "" {
		subject.OrganizationalUnit = []string{role}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		URIs:                  []*url.URL{{Scheme: "urn", Opaque: agentURNPrefix + agentID}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(AgentCertLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	return ca.sign(tmpl, csr.PublicKey)
}

func (ca *CA) sign(tmpl *x509.Certificate, pub any) (*Issued, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Issued{Cert: cert, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Serial: SerialHex(cert)}, nil
}

// AgentIDFromCert returns the agent id a client certificate names. The common name and the
// URI SAN must agree, so a certificate this CA did not shape for an agent is refused.
func AgentIDFromCert(c *x509.Certificate) (string, error) {
	id := c.Subject.CommonName
	if !isUUID(id) {
		return "", errors.New("the client certificate's common name is not an agent id")
	}
	for _, u := range c.URIs {
		if u.Scheme == "urn" && u.Opaque == agentURNPrefix+id {
			return id, nil
		}
	}
	return "", errors.New("the client certificate does not name its agent in a urn:hotdesk:agent URI")
}

// isUUID accepts only the canonical form, so one agent has exactly one spelling.
func isUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}
