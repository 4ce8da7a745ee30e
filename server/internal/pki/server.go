package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"os"
	"strings"
	"time"
)

// ServerNames are the names every replica's server certificate carries: loopback, the
// machine's host name, then extra (configured DNS names or IP addresses), without duplicates.
func ServerNames(extra []string) []string {
	names := []string{"127.0.0.1", "::1", "localhost"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	names = append(names, extra...)
	seen := make(map[string]bool, len(names))
	out := names[:0]
	for _, n := range names {
		n = strings.TrimSpace(n)
		if key := strings.ToLower(n); n != "" && !seen[key] {
			seen[key] = true
			out = append(out, n)
		}
	}
	return out
}

// IssueServer makes a fresh key and a server certificate for this replica, valid
// ServerCertLifetime, whose SANs are names (each an IP address or a DNS name; see ServerNames).
// The returned chain ends with the CA certificate, so a host that pins the CA by fingerprint
// (from its enrollment token) finds it in the handshake.
func (ca *CA) IssueServer(names []string, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Hotdesk server"},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(ServerCertLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	if len(tmpl.DNSNames) > 0 {
		tmpl.Subject.CommonName = tmpl.DNSNames[0]
	}
	iss, err := ca.sign(tmpl, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{iss.Cert.Raw, ca.Cert.Raw}, PrivateKey: key, Leaf: iss.Cert}, nil
}
