package agent

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"sync"
)

// ErrPinMismatch means the server's certificate chain does not lead to the CA the enrollment
// token names: the agent refuses to send its token to that server.
var ErrPinMismatch = errors.New("server certificate does not chain to the CA pinned by the enrollment token")

// pinnedTLS trusts exactly the CA whose DER hashes to pin. The server must send that CA in its
// chain (leaf, intermediates, CA); the chain is then verified by hand, with the host name, since
// the system roots have no say. The first verification error is kept in failure.
func pinnedTLS(pin [32]byte, serverName string, failure *pinFailure) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		ServerName: serverName,
		// Verified in VerifyConnection against the pinned CA instead of the system roots.
		InsecureSkipVerify: true, //nolint:gosec
		VerifyConnection: func(cs tls.ConnectionState) error {
			err := verifyPinned(cs.PeerCertificates, pin, serverName)
			if err != nil {
				failure.set(err)
			}
			return err
		},
	}
}

func verifyPinned(chain []*x509.Certificate, pin [32]byte, serverName string) error {
	if len(chain) == 0 {
		return fmt.Errorf("%w: no certificate", ErrPinMismatch)
	}
	var ca *x509.Certificate
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		if sha256.Sum256(c.Raw) == pin {
			ca = c
			continue
		}
		inter.AddCert(c)
	}
	if ca == nil {
		return fmt.Errorf("%w (pin %s…; the server must send its CA certificate in its chain)", ErrPinMismatch, hex.EncodeToString(pin[:4]))
	}
	if !ca.IsCA {
		return fmt.Errorf("%w: the pinned certificate is not a CA", ErrPinMismatch)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		DNSName:       serverName,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}); err != nil {
		return fmt.Errorf("%w: %v", ErrPinMismatch, err)
	}
	return nil
}

// bundleHasPin reports whether a PEM CA bundle holds the pinned CA.
func bundleHasPin(bundle string, pin [32]byte) bool {
	rest := []byte(bundle)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" && sha256.Sum256(b.Bytes) == pin {
			return true
		}
	}
}

type pinFailure struct {
	mu  sync.Mutex
	err error
}

func (p *pinFailure) set(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

func (p *pinFailure) get() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// mutualTLS presents the identity's current certificate (so a renewal takes effect on the next
// handshake) and verifies the server against the saved CA bundle.
func mutualTLS(id *Identity, serverName string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		ServerName: serverName,
		RootCAs:    id.CAPool(),
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return id.Certificate(), nil
		},
	}
}

// ServerNameOf is the TLS name for a host:port address: its host part.
func ServerNameOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
