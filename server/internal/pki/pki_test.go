package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const agentID = "0194f3a2-7c1e-7b2a-9c4d-1e2f3a4b5c6d"

func newCA(t testing.TB) *CA {
	t.Helper()
	c, k, err := NewCA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func csrFor(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: "whatever-the-host-asks-for"},
		DNSNames: []string{"evil.example.com"},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNewCA(t *testing.T) {
	now := time.Now()
	certPEM, keyPEM, err := NewCA(now)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Cert
	if c.Subject.CommonName != "Hotdesk CA" || !c.IsCA || !c.MaxPathLenZero {
		t.Errorf("subject %q, IsCA %v, MaxPathLenZero %v", c.Subject.CommonName, c.IsCA, c.MaxPathLenZero)
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if years := c.NotAfter.Sub(now).Hours() / 24 / 365; years < 9.99 || years > 10.01 {
		t.Errorf("CA lasts %.2f years, want 10", years)
	}
	sum := sha256.Sum256(c.Raw)
	if fp := CAFingerprint(c.Raw); fp != hex.EncodeToString(sum[:]) || fp != strings.ToLower(fp) || len(fp) != 64 || ca.Fingerprint() != fp {
		t.Errorf("fingerprint %q", fp)
	}
	if string(ca.CertPEM) != string(certPEM) {
		t.Errorf("CertPEM differs from the PEM loaded")
	}

	// Another CA's key does not load with this certificate.
	_, otherKey, _ := NewCA(now)
	if _, err := LoadCA(certPEM, otherKey); err == nil {
		t.Error("LoadCA accepted a key that does not match the certificate")
	}
	if _, err := LoadCA(keyPEM, keyPEM); err == nil {
		t.Error("LoadCA accepted a key as the certificate")
	}
	// Two CAs never share a fingerprint.
	other, _, _ := NewCA(now)
	b, _ := pem.Decode(other)
	if CAFingerprint(b.Bytes) == ca.Fingerprint() {
		t.Error("two fresh CAs have the same fingerprint")
	}
}

func TestSignAgent(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	csr, err := ParseCSR(csrFor(t, ecKey(t, elliptic.P256())))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := ca.SignAgent(csr, agentID, "agent", now)
	if err != nil {
		t.Fatal(err)
	}
	c := iss.Cert
	if c.Subject.CommonName != agentID || !slices.Equal(c.Subject.OrganizationalUnit, []string{"agent"}) {
		t.Errorf("subject %v", c.Subject)
	}
	if len(c.DNSNames) != 0 {
		t.Errorf("the CSR's requested SANs were copied: %v", c.DNSNames)
	}
	if len(c.URIs) != 1 || c.URIs[0].String() != "urn:hotdesk:agent:"+agentID {
		t.Errorf("URIs %v", c.URIs)
	}
	if !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}) || c.IsCA {
		t.Errorf("EKU %v, IsCA %v", c.ExtKeyUsage, c.IsCA)
	}
	if d := c.NotAfter.Sub(now); d < AgentCertLifetime-time.Minute || d > AgentCertLifetime+time.Minute {
		t.Errorf("lifetime %s, want 30 days", d)
	}
	if !c.NotBefore.Before(now) {
		t.Errorf("NotBefore %s is not before issuance", c.NotBefore)
	}
	if c.SerialNumber.Sign() <= 0 || c.SerialNumber.Cmp(new(big.Int).Lsh(big.NewInt(1), 128)) >= 0 {
		t.Errorf("serial %s is not a positive 128-bit number", c.SerialNumber)
	}
	if iss.Serial != c.SerialNumber.Text(16) || strings.ToLower(iss.Serial) != iss.Serial {
		t.Errorf("serial %q", iss.Serial)
	}
	if id, err := AgentIDFromCert(c); err != nil || id != agentID {
		t.Errorf("AgentIDFromCert = %q, %v", id, err)
	}
	// Verifies as a client certificate below the CA, never as a server certificate.
	if _, err := c.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("verify as client: %v", err)
	}
	if _, err := c.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("an agent certificate verifies as a server certificate")
	}
	again, _ := ca.SignAgent(csr, agentID, "agent", now)
	if again.Serial == iss.Serial {
		t.Error("two certificates got the same serial")
	}
	if _, err := ca.SignAgent(csr, "not-a-uuid", "agent", now); err == nil {
		t.Error("signed for an agent id that is not a UUID")
	}
	if _, err := ca.SignAgent(csr, strings.ToUpper(agentID), "agent", now); err == nil {
		t.Error("signed for a non-canonical agent id")
	}
}

func TestParseCSR(t *testing.T) {
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []crypto.Signer{ecKey(t, elliptic.P256()), ecKey(t, elliptic.P384()), rsa2048} {
		if _, err := ParseCSR(csrFor(t, k)); err != nil {
			t.Errorf("%T: %v", k.Public(), err)
		}
	}

	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	good := csrFor(t, ecKey(t, elliptic.P256()))
	b, _ := pem.Decode(good)
	tampered := slices.Clone(b.Bytes)
	tampered[len(tampered)-1] ^= 0x01 // last byte of the signature
	cases := map[string]struct {
		pem  []byte
		want string
	}{
		"RSA 1024":      {csrFor(t, rsa1024), "1024-bit RSA"},
		"Ed25519":       {csrFor(t, ed), "ed25519"},
		"bad signature": {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: tampered}), "signature"},
		"not PEM":       {[]byte("hello"), "not PEM"},
		"certificate":   {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.Bytes}), "CERTIFICATE REQUEST"},
		"garbage DER":   {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{1, 2, 3}}), "cannot be parsed"},
		"two blocks":    {append(slices.Clone(good), good...), "more than one"},
	}
	for name, c := range cases {
		_, err := ParseCSR(c.pem)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", name, err, c.want)
		}
	}
}

func TestAgentIDFromCertRefusesOtherShapes(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	key := ecKey(t, elliptic.P256())
	// A certificate of this CA whose URI names a different agent than its common name.
	iss, err := ca.sign(&x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: agentID},
		NotBefore: now, NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AgentIDFromCert(iss.Cert); err == nil {
		t.Error("accepted a certificate without the agent URI")
	}
	srv, err := ca.IssueServer([]string{"localhost"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AgentIDFromCert(srv.Leaf); err == nil {
		t.Error("accepted a server certificate as an agent's")
	}
}

func TestIssueServer(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	host, _ := os.Hostname()
	names := ServerNames([]string{"hotdesk.example.com", "10.1.2.3", "localhost", " "})
	for _, want := range []string{"127.0.0.1", "::1", "localhost", host, "hotdesk.example.com", "10.1.2.3"} {
		if !slices.Contains(names, want) {
			t.Errorf("ServerNames lacks %q: %v", want, names)
		}
	}
	if n := len(names); n != len(slices.Compact(slices.Sorted(slices.Values(names)))) {
		t.Errorf("ServerNames has duplicates: %v", names)
	}
	cert, err := ca.IssueServer(names, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if len(cert.Certificate) != 2 || string(cert.Certificate[1]) != string(ca.Cert.Raw) {
		t.Error("the chain does not end with the CA certificate")
	}
	if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("EKU %v", leaf.ExtKeyUsage)
	}
	if d := leaf.NotAfter.Sub(now); d < ServerCertLifetime-time.Minute || d > ServerCertLifetime+time.Minute {
		t.Errorf("lifetime %s, want 90 days", d)
	}
	if !leaf.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
		t.Errorf("IPs %v", leaf.IPAddresses)
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost", host, "hotdesk.example.com", "10.1.2.3"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name}); err != nil {
			t.Errorf("verify for %q: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "other.example.com"}); err == nil {
		t.Error("verified for a name it does not carry")
	}
}

// A TLS handshake with the server certificate and an agent certificate of the same CA works
// both ways; a self-signed client certificate is refused.
func TestMutualTLS(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	srvCert, err := ca.IssueServer(ServerNames(nil), now)
	if err != nil {
		t.Fatal(err)
	}
	key := ecKey(t, elliptic.P256())
	csr, _ := ParseCSR(csrFor(t, key))
	iss, err := ca.SignAgent(csr, agentID, "agent", now)
	if err != nil {
		t.Fatal(err)
	}
	agentCert := tls.Certificate{Certificate: [][]byte{iss.Cert.Raw}, PrivateKey: key}

	selfKey := ecKey(t, elliptic.P256())
	selfDER, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: agentID},
		URIs: iss.Cert.URIs, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
		&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Hotdesk CA"}}, &selfKey.PublicKey, selfKey)
	selfSigned := tls.Certificate{Certificate: [][]byte{selfDER}, PrivateKey: selfKey}

	handshake := func(client tls.Certificate) (tls.ConnectionState, error) {
		c1, c2 := net.Pipe()
		defer c1.Close()
		defer c2.Close()
		srv := tls.Server(c1, &tls.Config{Certificates: []tls.Certificate{*srvCert}, ClientAuth: tls.VerifyClientCertIfGiven,
			ClientCAs: ca.Pool(), MinVersion: tls.VersionTLS13})
		cli := tls.Client(c2, &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost", Certificates: []tls.Certificate{client}})
		errc := make(chan error, 1)
		go func() { errc <- cli.Handshake(); _, _ = cli.Read(make([]byte, 1)) }()
		err := srv.Handshake()
		if err == nil {
			// TLS 1.3 sends the client's certificate after the client considers itself done.
			_ = srv.SetDeadline(time.Now().Add(time.Second))
		}
		_ = c1.Close()
		<-errc
		return srv.ConnectionState(), err
	}
	st, err := handshake(agentCert)
	if err != nil {
		t.Fatalf("handshake with the agent certificate: %v", err)
	}
	if len(st.VerifiedChains) != 1 || st.VerifiedChains[0][0].Subject.CommonName != agentID {
		t.Errorf("verified chains %v", st.VerifiedChains)
	}
	if _, err := handshake(selfSigned); err == nil {
		t.Error("a self-signed client certificate was accepted")
	}
}
