package agent

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Files in the state directory. All are 0600 in a 0700 directory.
const (
	fileAgent   = "agent.json"     // agent id and certificate times
	fileKey     = "key.pem"        // the client key (PKCS#8)
	fileCert    = "cert.pem"       // the client certificate chain
	fileCA      = "ca.pem"         // the CA bundle the server is verified against
	fileKeyNext = "key.pem.next"   // a renewed key, until its certificate is in place
	filePending = "enroll.json"    // an enrollment in progress: its request id
	filePendKey = "enroll-key.pem" // ... and its key, so a retry after a crash matches
)

// ErrNotEnrolled means the state directory holds no identity: run with an enrollment token.
var ErrNotEnrolled = errors.New("agent is not enrolled")

// Identity is the agent's enrolled identity: its id, client certificate and the CA bundle it
// trusts. The certificate can be replaced while connections use it (renewal).
type Identity struct {
	AgentID string
	dir     string

	mu       sync.RWMutex
	cert     tls.Certificate
	caPEM    []byte
	caPool   *x509.CertPool
	renewAt  time.Time
	expireAt time.Time
	serial   string
}

type agentFile struct {
	AgentID      string    `json:"agent_id"`
	RenewTime    time.Time `json:"renew_time"`
	ExpireTime   time.Time `json:"expire_time"`
	SerialNumber string    `json:"serial_number,omitempty"`
}

// LoadIdentity reads the identity from dir; ErrNotEnrolled when there is none.
func LoadIdentity(dir string) (*Identity, error) {
	raw, err := os.ReadFile(filepath.Join(dir, fileAgent))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	var af agentFile
	if err := json.Unmarshal(raw, &af); err != nil || af.AgentID == "" {
		return nil, fmt.Errorf("%s is damaged: %v", filepath.Join(dir, fileAgent), err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, fileCert))
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, fileCA))
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, fileKey))
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// A renewal stopped between writing the certificate and the key: the new key waits
		// under key.pem.next.
		next, nerr := os.ReadFile(filepath.Join(dir, fileKeyNext))
		if nerr != nil {
			return nil, fmt.Errorf("client certificate and key in %s do not match: %w", dir, err)
		}
		if pair, err = tls.X509KeyPair(certPEM, next); err != nil {
			return nil, fmt.Errorf("client certificate and key in %s do not match: %w", dir, err)
		}
		if err := os.Rename(filepath.Join(dir, fileKeyNext), filepath.Join(dir, fileKey)); err != nil {
			return nil, err
		}
	}
	id := &Identity{AgentID: af.AgentID, dir: dir}
	if err := id.set(pair, caPEM, af.RenewTime, af.ExpireTime, af.SerialNumber); err != nil {
		return nil, err
	}
	return id, nil
}

func (id *Identity) set(pair tls.Certificate, caPEM []byte, renewAt, expireAt time.Time, serial string) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return errors.New("CA bundle holds no certificate")
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return fmt.Errorf("client certificate: %w", err)
	}
	pair.Leaf = leaf
	if expireAt.IsZero() {
		expireAt = leaf.NotAfter
	}
	if renewAt.IsZero() {
		renewAt = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) * 2 / 3)
	}
	if serial == "" {
		serial = fmt.Sprintf("%x", leaf.SerialNumber)
	}
	id.mu.Lock()
	defer id.mu.Unlock()
	id.cert, id.caPEM, id.caPool, id.renewAt, id.expireAt, id.serial = pair, caPEM, pool, renewAt, expireAt, serial
	return nil
}

// Certificate is the current client certificate.
func (id *Identity) Certificate() *tls.Certificate {
	id.mu.RLock()
	defer id.mu.RUnlock()
	c := id.cert
	return &c
}

// CAPool is the CA bundle the server's certificate must chain to.
func (id *Identity) CAPool() *x509.CertPool {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.caPool
}

// RenewTime is when the certificate should be renewed.
func (id *Identity) RenewTime() time.Time {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.renewAt
}

// ExpireTime is the certificate's notAfter.
func (id *Identity) ExpireTime() time.Time {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.expireAt
}

// Serial is the certificate's serial number (hex).
func (id *Identity) Serial() string {
	id.mu.RLock()
	defer id.mu.RUnlock()
	return id.serial
}

// install validates an issued certificate for key, writes it to disk and makes it current.
// Files are written so that a crash at any point leaves a loadable identity (see LoadIdentity).
func (id *Identity) install(key *ecdsa.PrivateKey, certPEM, caPEM string, renewAt, expireAt time.Time, serial string) error {
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	pair, err := tls.X509KeyPair([]byte(certPEM), keyPEM)
	if err != nil {
		return fmt.Errorf("issued certificate does not match the key: %w", err)
	}
	// Persist before switching over, so what is in use is always what a restart would load.
	var next Identity
	if err := next.set(pair, []byte(caPEM), renewAt, expireAt, serial); err != nil {
		return err
	}
	if err := os.MkdirAll(id.dir, 0o700); err != nil {
		return err
	}
	af, _ := json.MarshalIndent(agentFile{AgentID: id.AgentID, RenewTime: next.renewAt, ExpireTime: next.expireAt, SerialNumber: next.serial}, "", "  ")
	steps := []struct {
		name string
		data []byte
	}{
		{fileKeyNext, keyPEM},
		{fileCA, []byte(caPEM)},
		{fileCert, []byte(certPEM)},
	}
	for _, s := range steps {
		if err := writeFileAtomic(filepath.Join(id.dir, s.name), s.data); err != nil {
			return err
		}
	}
	if err := os.Rename(filepath.Join(id.dir, fileKeyNext), filepath.Join(id.dir, fileKey)); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(id.dir, fileAgent), af); err != nil {
		return err
	}
	return id.set(pair, []byte(caPEM), renewAt, expireAt, serial)
}

// writeFileAtomic writes a 0600 file through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func newKey() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func encodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func decodeKey(p []byte) (*ecdsa.PrivateKey, error) {
	b, _ := pem.Decode(p)
	if b == nil {
		return nil, errors.New("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an ECDSA key")
	}
	return ek, nil
}

// csrPEM makes a PKCS#10 request for key. The server sets the subject itself; the host name
// here only helps a human reading the request.
func csrPEM(key crypto.Signer, hostname string) (string, error) {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hostname}}, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), nil
}
