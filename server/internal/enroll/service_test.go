package enroll

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
	"github.com/hotdesk/hotdesk/server/internal/pki"
	"github.com/hotdesk/hotdesk/server/internal/secrets"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func migrate(ctx context.Context, connString string) error {
	s, err := openStore(ctx, connString)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx, nil)
}

func openStore(ctx context.Context, connString string) (*store.Store, error) {
	box, _ := secrets.New(make([]byte, secrets.KeySize))
	return store.Open(ctx, connString, 16, box)
}

// clock is a settable test clock.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock() *clock {
	c := &clock{}
	c.set(time.Now())
	return c
}
func (c *clock) now() time.Time      { return *c.t.Load() }
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

type fixture struct {
	store *store.Store
	svc   *Service
	clock *clock
}

func setup(t *testing.T) *fixture {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	st, err := openStore(ctx, pgtest.New(t, migrate))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	c := newClock()
	svc, err := New(ctx, Options{Store: st, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: st, svc: svc, clock: c}
}

func csrPEM(t testing.TB) (string, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), key
}

func (f *fixture) token(t testing.TB, role int) string {
	t.Helper()
	tok, _, err := f.svc.CreateEnrollmentToken(context.Background(), "", role, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func enrollReq(t testing.TB, token, requestID string) *agentpb.EnrollRequest {
	csr, _ := csrPEM(t)
	return &agentpb.EnrollRequest{EnrollmentToken: token, CsrPem: csr, Hostname: "host-1", Role: agentpb.AgentRole_AGENT_ROLE_AGENT,
		Version: "1.0.0", RequestId: requestID}
}

func wantModel(t testing.TB, err error, code model.Code, mention string) {
	t.Helper()
	e, ok := model.AsError(err)
	if !ok || e.Code != code || !strings.Contains(e.Msg, mention) {
		t.Fatalf("got %v, want model code %d mentioning %q", err, code, mention)
	}
}

// peerCtx is the context of a call on a connection whose handshake verified leaf.
func (f *fixture) peerCtx(leaf *x509.Certificate) context.Context {
	return peer.NewContext(context.Background(), &peer.Peer{AuthInfo: credentials.TLSInfo{
		State: tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{leaf, f.svc.CACertificate()}}}}})
}

func parseCert(t testing.TB, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("not PEM: %q", s)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReplicasShareOneCA(t *testing.T) {
	f := setup(t)
	// The fixture's service created the CA; replicas starting later (and racing each other)
	// load the same one.
	var wg sync.WaitGroup
	fps := make([]string, 8)
	for i := range fps {
		wg.Go(func() {
			s, err := New(context.Background(), Options{Store: f.store})
			if err != nil {
				t.Error(err)
				return
			}
			fps[i] = s.CAFingerprint()
		})
	}
	wg.Wait()
	for _, fp := range fps {
		if fp != f.svc.CAFingerprint() {
			t.Fatalf("replica CA %s, first %s", fp, f.svc.CAFingerprint())
		}
	}
}

func TestCARaceOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := openStore(ctx, pgtest.New(t, migrate))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var wg sync.WaitGroup
	fps := make([]string, 8)
	for i := range fps {
		wg.Go(func() {
			s, err := New(ctx, Options{Store: st})
			if err != nil {
				t.Error(err)
				return
			}
			fps[i] = s.CAFingerprint()
		})
	}
	wg.Wait()
	for _, fp := range fps[1:] {
		if fp != fps[0] {
			t.Fatalf("replicas ended with different CAs: %v", fps)
		}
	}
}

func TestTokenRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tok, expire, err := f.svc.CreateEnrollmentToken(ctx, "", 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(tok, "."+f.svc.CAFingerprint()) {
		t.Errorf("token %q does not carry the CA fingerprint %s", tok, f.svc.CAFingerprint())
	}
	if d := time.Until(expire); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("default token lasts %s, want 1h", d)
	}
	var role int
	if err := f.store.Pool().QueryRow(ctx, `SELECT role FROM enrollment_tokens`).Scan(&role); err != nil || role != 1 {
		t.Errorf("default role %d (%v), want AGENT (1)", role, err)
	}
	for _, ttl := range []time.Duration{time.Second, 59 * time.Second, 7*24*time.Hour + time.Second, -time.Minute} {
		_, _, err := f.svc.CreateEnrollmentToken(ctx, "", 1, ttl, "")
		wantModel(t, err, model.CodeInvalidArgument, "ttl_seconds")
	}
	for _, ttl := range []time.Duration{time.Minute, 7 * 24 * time.Hour} {
		if _, _, err := f.svc.CreateEnrollmentToken(ctx, "", 1, ttl, ""); err != nil {
			t.Errorf("ttl %s: %v", ttl, err)
		}
	}
	_, _, err = f.svc.CreateEnrollmentToken(ctx, "", 4, 0, "")
	wantModel(t, err, model.CodeInvalidArgument, "role")
	_, _, err = f.svc.CreateEnrollmentToken(ctx, "0194f3a2-7c1e-7b2a-9c4d-1e2f3a4b5c6d", 1, 0, "")
	wantModel(t, err, model.CodeInvalidArgument, "zone_id")
}

func TestEnroll(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tok := f.token(t, 0)
	resp, err := f.svc.Enroll(ctx, enrollReq(t, tok, ""))
	if err != nil {
		t.Fatal(err)
	}
	c := resp.GetCertificate()
	cert := parseCert(t, c.GetCertificatePem())
	if cert.Subject.CommonName != resp.GetAgentId() || c.GetSerialNumber() != pki.SerialHex(cert) {
		t.Errorf("certificate CN %q serial %q for agent %q", cert.Subject.CommonName, c.GetSerialNumber(), resp.GetAgentId())
	}
	if ca := parseCert(t, c.GetCaBundlePem()); pki.CAFingerprint(ca.Raw) != f.svc.CAFingerprint() {
		t.Error("the CA bundle is not the CA of the token")
	}
	now := f.clock.now()
	if !c.GetExpireTime().AsTime().Equal(cert.NotAfter) || c.GetRenewTime().AsTime().Before(now.Add(19*24*time.Hour)) ||
		c.GetRenewTime().AsTime().After(now.Add(21*24*time.Hour)) {
		t.Errorf("expire %s renew %s", c.GetExpireTime().AsTime(), c.GetRenewTime().AsTime())
	}
	a, err := f.store.GetAgent(ctx, resp.GetAgentId())
	if err != nil || a.State != model.AgentPending || !a.Enabled || a.Hostname != "host-1" || a.Version != "1.0.0" {
		t.Fatalf("agent row %+v, %v", a, err)
	}
	if id, err := f.svc.AgentID(f.peerCtx(cert)); err != nil || id != resp.GetAgentId() {
		t.Errorf("AgentID = %q, %v", id, err)
	}

	_, err = f.svc.Enroll(ctx, enrollReq(t, tok, ""))
	wantModel(t, err, model.CodeUnauthenticated, "already used")
}

func TestEnrollRefusals(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tok := f.token(t, int(agentpb.AgentRole_AGENT_ROLE_CONNECTION_PROXY))

	// None of these consume the token.
	req := enrollReq(t, tok, "")
	_, err := f.svc.Enroll(ctx, req)
	wantModel(t, err, model.CodePermissionDenied, "AGENT_ROLE_CONNECTION_PROXY")
	req.Role = agentpb.AgentRole_AGENT_ROLE_CONNECTION_PROXY
	good := req.CsrPem
	req.CsrPem = strings.Replace(good, "CERTIFICATE REQUEST", "CERTIFICATE", 2)
	_, err = f.svc.Enroll(ctx, req)
	wantModel(t, err, model.CodeInvalidArgument, "csr_pem")
	req.CsrPem = good
	secret, _, _ := strings.Cut(tok, ".")
	req.EnrollmentToken = secret + "." + strings.Repeat("0", 64)
	_, err = f.svc.Enroll(ctx, req)
	wantModel(t, err, model.CodeUnauthenticated, "another Hotdesk installation")
	req.EnrollmentToken = "hde_nope"
	_, err = f.svc.Enroll(ctx, req)
	wantModel(t, err, model.CodeUnauthenticated, "malformed")
	unknown, _, _ := newToken(f.svc.CAFingerprint())
	req.EnrollmentToken = unknown
	_, err = f.svc.Enroll(ctx, req)
	wantModel(t, err, model.CodeUnauthenticated, "expired or unknown")

	req.EnrollmentToken = tok
	resp, err := f.svc.Enroll(ctx, req)
	if err != nil {
		t.Fatalf("the token was consumed by a refused call: %v", err)
	}
	if cert := parseCert(t, resp.GetCertificate().GetCertificatePem()); len(cert.Subject.OrganizationalUnit) != 1 || cert.Subject.OrganizationalUnit[0] != "connection-proxy" {
		t.Errorf("role in certificate: %v", cert.Subject)
	}
}

// Many hosts racing with one token: exactly one gets in.
func TestEnrollRace(t *testing.T) {
	f := setup(t)
	tok := f.token(t, 0)
	var wg sync.WaitGroup
	var ok, used atomic.Int32
	for range 10 {
		req := enrollReq(t, tok, "")
		wg.Go(func() {
			_, err := f.svc.Enroll(context.Background(), req)
			switch {
			case err == nil:
				ok.Add(1)
			case model.IsCode(err, model.CodeUnauthenticated) && strings.Contains(err.Error(), "already used"):
				used.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var agents int
	_ = f.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM agents`).Scan(&agents)
	if ok.Load() != 1 || used.Load() != 9 || agents != 1 {
		t.Fatalf("%d enrolled, %d already used, %d agent rows; want 1, 9, 1", ok.Load(), used.Load(), agents)
	}
}

func TestEnrollRetry(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tok := f.token(t, 0)
	first, err := f.svc.Enroll(ctx, enrollReq(t, tok, "req-1"))
	if err != nil {
		t.Fatal(err)
	}
	// The reply was lost; the host retries with the same request id (and a new key).
	again, err := f.svc.Enroll(ctx, enrollReq(t, tok, "req-1"))
	if err != nil {
		t.Fatal(err)
	}
	if again.GetAgentId() != first.GetAgentId() || again.GetCertificate().GetSerialNumber() == first.GetCertificate().GetSerialNumber() {
		t.Fatalf("retry gave agent %s serial %s; first %s serial %s", again.GetAgentId(), again.GetCertificate().GetSerialNumber(),
			first.GetAgentId(), first.GetCertificate().GetSerialNumber())
	}
	// Only the newest certificate works.
	if _, err := f.svc.AgentID(f.peerCtx(parseCert(t, first.GetCertificate().GetCertificatePem()))); !model.IsCode(err, model.CodeUnauthenticated) {
		t.Errorf("the first certificate still works after the retry: %v", err)
	}
	if _, err := f.svc.AgentID(f.peerCtx(parseCert(t, again.GetCertificate().GetCertificatePem()))); err != nil {
		t.Errorf("the retry's certificate: %v", err)
	}
	_, err = f.svc.Enroll(ctx, enrollReq(t, tok, "req-2"))
	wantModel(t, err, model.CodeUnauthenticated, "already used")
	_, err = f.svc.Enroll(ctx, enrollReq(t, tok, ""))
	wantModel(t, err, model.CodeUnauthenticated, "already used")

	// Once the agent has checked in, the first reply evidently arrived: no more retries.
	if _, err := f.store.Pool().Exec(ctx, `UPDATE agents SET state = $1`, model.AgentOnline); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Enroll(ctx, enrollReq(t, tok, "req-1"))
	wantModel(t, err, model.CodeUnauthenticated, "already used")
	var n int
	_ = f.store.Pool().QueryRow(ctx, `SELECT count(*) FROM agents`).Scan(&n)
	if n != 1 {
		t.Errorf("%d agent rows, want 1", n)
	}
}

func TestAgentIDChecks(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	_, err := f.svc.AgentID(ctx)
	wantModel(t, err, model.CodeUnauthenticated, "client certificate")

	resp, err := f.svc.Enroll(ctx, enrollReq(t, f.token(t, 0), ""))
	if err != nil {
		t.Fatal(err)
	}
	leaf := parseCert(t, resp.GetCertificate().GetCertificatePem())
	conn1 := f.peerCtx(leaf)
	if _, err := f.svc.AgentID(conn1); err != nil {
		t.Fatal(err)
	}
	// A chain that does not end at this CA is not this server's business.
	other, _, _ := pki.NewCA(time.Now())
	otherCA := parseCert(t, string(other))
	_, err = f.svc.AgentID(peer.NewContext(ctx, &peer.Peer{AuthInfo: credentials.TLSInfo{
		State: tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{leaf, otherCA}}}}}))
	wantModel(t, err, model.CodeUnauthenticated, "client certificate")

	if err := f.store.DeleteAgent(ctx, resp.GetAgentId(), false); err != nil {
		t.Fatal(err)
	}
	// A new connection with the certificate is refused at once ...
	_, err = f.svc.AgentID(f.peerCtx(parseCert(t, resp.GetCertificate().GetCertificatePem())))
	wantModel(t, err, model.CodeUnauthenticated, "deleted")
	// ... the connection that was checked before keeps its verdict for a while, then is refused.
	if _, err := f.svc.AgentID(conn1); err != nil {
		t.Errorf("a checked connection was refused before its recheck: %v", err)
	}
	f.clock.add(recheckAfter + time.Second)
	_, err = f.svc.AgentID(conn1)
	wantModel(t, err, model.CodeUnauthenticated, "deleted")

	// Past its notAfter the certificate is refused even on a live connection.
	f.clock.add(pki.AgentCertLifetime)
	_, err = f.svc.AgentID(conn1)
	wantModel(t, err, model.CodeUnauthenticated, "expired")
}

func TestRenewCertificate(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	resp, err := f.svc.Enroll(ctx, enrollReq(t, f.token(t, 0), ""))
	if err != nil {
		t.Fatal(err)
	}
	old := parseCert(t, resp.GetCertificate().GetCertificatePem())
	conn := f.peerCtx(old)
	csr, _ := csrPEM(t)
	renewed, err := f.svc.RenewCertificate(conn, &agentpb.RenewCertificateRequest{CsrPem: csr})
	if err != nil {
		t.Fatal(err)
	}
	cert := parseCert(t, renewed.GetCertificate().GetCertificatePem())
	if cert.Subject.CommonName != resp.GetAgentId() || pki.SerialHex(cert) == pki.SerialHex(old) {
		t.Fatalf("renewed certificate %v serial %s", cert.Subject, pki.SerialHex(cert))
	}
	// The old certificate is refused, on its own connection too; the new one works.
	_, err = f.svc.AgentID(conn)
	wantModel(t, err, model.CodeUnauthenticated, "replaced")
	_, err = f.svc.RenewCertificate(f.peerCtx(parseCert(t, resp.GetCertificate().GetCertificatePem())), &agentpb.RenewCertificateRequest{CsrPem: csr})
	wantModel(t, err, model.CodeUnauthenticated, "replaced")
	if id, err := f.svc.AgentID(f.peerCtx(cert)); err != nil || id != resp.GetAgentId() {
		t.Fatalf("new certificate: %q %v", id, err)
	}
	_, err = f.svc.RenewCertificate(f.peerCtx(cert), &agentpb.RenewCertificateRequest{CsrPem: "junk"})
	wantModel(t, err, model.CodeInvalidArgument, "csr_pem")
}

// The per-connection cache forgets connections whose certificate is gone.
func TestConnCacheDropsClosedConnections(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	resp, err := f.svc.Enroll(ctx, enrollReq(t, f.token(t, 0), ""))
	if err != nil {
		t.Fatal(err)
	}
	// Five connections come and go (each handshake parses its own certificate).
	func() {
		leaves := make([]*x509.Certificate, 5)
		for i := range leaves {
			leaves[i] = parseCert(t, resp.GetCertificate().GetCertificatePem())
			if _, err := f.svc.AgentID(f.peerCtx(leaves[i])); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.svc.conns.len(); n != 5 {
			t.Fatalf("%d cache entries for 5 live connections", n)
		}
		runtime.KeepAlive(leaves)
	}()
	// pgx keeps the context of a pooled connection's last query until its next one; that would
	// keep the last call's certificate reachable.
	if err := f.store.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.svc.conns.len() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d cache entries outlived their connections", f.svc.conns.len())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServerCertificateRenews(t *testing.T) {
	f := setup(t)
	cfg := f.svc.ServerTLSConfig()
	first, _ := cfg.GetCertificate(nil)
	if cfg.MinVersion != tls.VersionTLS13 || cfg.ClientAuth != tls.VerifyClientCertIfGiven {
		t.Errorf("TLS config %+v", cfg)
	}
	if again, _ := cfg.GetCertificate(nil); again != first {
		t.Error("the server certificate changed without reason")
	}
	f.clock.add(pki.ServerCertLifetime * 2 / 3)
	next, _ := cfg.GetCertificate(nil)
	if next == first || !next.Leaf.NotAfter.After(first.Leaf.NotAfter) {
		t.Fatal("the server certificate was not renewed two thirds into its lifetime")
	}
}
