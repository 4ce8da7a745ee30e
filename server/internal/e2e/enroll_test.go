package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"github.com/google/uuid"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

// enrHost is what a freshly installed agent holds: a key of its own and, once enrolled, a
// certificate and the CA bundle.
type enrHost struct {
	key    *ecdsa.PrivateKey
	cert   *x509.Certificate
	caPool *x509.CertPool
}

func enrNewHost(t testing.TB) *enrHost {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &enrHost{key: key}
}

func (h *enrHost) csr(t testing.TB) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, h.key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// take stores an issued certificate (after a renewal, the host switches to a new key).
func (h *enrHost) take(t testing.TB, c *agentpb.IssuedCertificate) {
	t.Helper()
	h.cert = enrParseCert(t, c.GetCertificatePem())
	h.caPool = x509.NewCertPool()
	if !h.caPool.AppendCertsFromPEM([]byte(c.GetCaBundlePem())) {
		t.Fatal("the CA bundle holds no certificate")
	}
}

func enrParseCert(t testing.TB, s string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("not a PEM certificate: %q", s)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrPinned trusts the server only if its chain contains the CA whose SHA-256 the token carries,
// and the server certificate verifies against that CA for 127.0.0.1.
func enrPinned(fingerprint string) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // replaced by the pinned verification below
		VerifyConnection: func(cs tls.ConnectionState) error {
			for _, c := range cs.PeerCertificates {
				sum := sha256.Sum256(c.Raw)
				if hex.EncodeToString(sum[:]) != fingerprint {
					continue
				}
				roots := x509.NewCertPool()
				roots.AddCert(c)
				_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: "127.0.0.1"})
				return err
			}
			return errors.New("no certificate in the server's chain has the pinned fingerprint")
		},
	}
}

// enrDial opens a connection to the agent port.
func enrDial(t testing.TB, addr string, cfg *tls.Config) agentpb.ManagerServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return agentpb.NewManagerServiceClient(conn)
}

// mtls is a fresh connection presenting the host's current certificate.
func (h *enrHost) mtls(t testing.TB, addr string) agentpb.ManagerServiceClient {
	t.Helper()
	return enrDial(t, addr, &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: h.caPool,
		Certificates: []tls.Certificate{{Certificate: [][]byte{h.cert.Raw}, PrivateKey: h.key, Leaf: h.cert}}})
}

func enrFingerprint(t testing.TB, token string) string {
	t.Helper()
	_, fp, ok := strings.Cut(token, ".")
	if !ok {
		t.Fatalf("token %q has no fingerprint", token)
	}
	return fp
}

var enrTokenShape = regexp.MustCompile(`^hde_[A-Za-z0-9_-]{43}\.[0-9a-f]{64}$`)

func TestEnrollment(t *testing.T) {
	a := start(t)
	ctx := t.Context()
	admin := a.Admin(ctx)
	zone := a.createZone(t, "eu-west")

	// An administrator mints a token for the zone (gRPC) ...
	created, err := a.agents.CreateEnrollmentToken(admin, &pb.CreateEnrollmentTokenRequest{ZoneId: zone.GetId(), TtlSeconds: 600})
	if err != nil {
		t.Fatal(err)
	}
	token := created.GetToken()
	if !enrTokenShape.MatchString(token) {
		t.Fatalf("token %q does not have the documented shape", token)
	}
	if d := time.Until(created.GetExpireTime().AsTime()); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("token with ttl 600 s expires in %s", d)
	}
	// It says where the new agent dials: this server's agent listener.
	if got := created.GetAgentAddress(); got != a.App.AgentAddr {
		t.Errorf("agent address %q, want the agent listener %q", got, a.App.AgentAddr)
	}
	// ... or over REST; without a TTL it lasts an hour.
	code, body := a.REST(t, http.MethodPost, "/v1/enrollmentTokens", a.AdminToken, `{"zoneId":"`+zone.GetId()+`","role":"ENROLLMENT_ROLE_AGENT"}`)
	if code != http.StatusOK {
		t.Fatalf("REST create token: %d %s", code, body)
	}
	var restTok struct {
		Token      string    `json:"token"`
		ExpireTime time.Time `json:"expireTime"`
	}
	decode(t, body, &restTok)
	if !enrTokenShape.MatchString(restTok.Token) || restTok.Token == token {
		t.Errorf("REST token %q", restTok.Token)
	}
	if d := time.Until(restTok.ExpireTime); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("default token expires in %s, want an hour", d)
	}
	fp := enrFingerprint(t, token)
	if enrFingerprint(t, restTok.Token) != fp {
		t.Error("two tokens of one server carry different CA fingerprints")
	}
	// Only the hash of the secret is stored.
	if n := a.count(t, `SELECT count(*) FROM enrollment_tokens WHERE strpos(encode(token_hash, 'escape'), $1) > 0`, token[4:20]); n != 0 {
		t.Error("the token secret is stored in clear")
	}

	// A host with a fresh key enrolls over the agent port, pinning the CA by the fingerprint.
	host := enrNewHost(t)
	anon := enrDial(t, a.App.AgentAddr, enrPinned(fp))
	enrolled, err := anon.Enroll(ctx, &agentpb.EnrollRequest{EnrollmentToken: token, CsrPem: host.csr(t), Hostname: "docker-7",
		Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "1.2.3", RequestId: "c0ffee00-0000-4000-8000-000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	agentID := enrolled.GetAgentId()
	host.take(t, enrolled.GetCertificate())
	if host.cert.Subject.CommonName != agentID {
		t.Errorf("certificate CN %q, agent id %q", host.cert.Subject.CommonName, agentID)
	}
	if _, err := host.cert.Verify(x509.VerifyOptions{Roots: host.caPool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("the certificate does not verify against the CA bundle: %v", err)
	}
	if !host.cert.PublicKey.(*ecdsa.PublicKey).Equal(&host.key.PublicKey) {
		t.Error("the certificate is not for the host's key")
	}

	// The agent is listed: pending, in the token's zone.
	list, err := a.agents.ListAgents(admin, &pb.ListAgentsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetAgents()) != 1 {
		t.Fatalf("agents: %v", list.GetAgents())
	}
	ag := list.GetAgents()[0]
	if ag.GetId() != agentID || ag.GetState() != pb.AgentState_AGENT_STATE_PENDING || ag.GetZoneId() != zone.GetId() ||
		ag.GetHostname() != "docker-7" || ag.GetVersion() != "1.2.3" || !ag.GetEnabled() {
		t.Errorf("listed agent %v", ag)
	}

	// The token was for one enrollment.
	_, err = anon.Enroll(ctx, &agentpb.EnrollRequest{EnrollmentToken: token, CsrPem: enrNewHost(t).csr(t), Hostname: "docker-8",
		Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "1.2.3"})
	if st := wantCode(t, err, codes.Unauthenticated); !strings.Contains(st.Message(), "already used") {
		t.Errorf("reused token: %q does not say it was already used", st.Message())
	}

	// A token that expired (60 s is the shortest TTL one can mint, so write one directly).
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	expiredSecret := "hde_" + base64.RawURLEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(expiredSecret))
	if _, err := a.App.Store.Pool().Exec(ctx, `INSERT INTO enrollment_tokens (token_hash, zone_id, role, expire_time)
		VALUES ($1, $2, 1, now() - interval '1 second')`, sum[:], zone.GetId()); err != nil {
		t.Fatal(err)
	}
	_, err = anon.Enroll(ctx, &agentpb.EnrollRequest{EnrollmentToken: expiredSecret + "." + fp, CsrPem: enrNewHost(t).csr(t),
		Hostname: "docker-9", Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "1.2.3"})
	if st := wantCode(t, err, codes.Unauthenticated); !strings.Contains(st.Message(), "expired") {
		t.Errorf("expired token: %q does not say it expired", st.Message())
	}
	if n := a.count(t, `SELECT count(*) FROM agents`); n != 1 {
		t.Errorf("%d agents after refused enrollments, want 1", n)
	}

	// With its certificate the agent renews it over mutual TLS and gets a new one.
	oldHost := *host
	renewed, err := host.mtls(t, a.App.AgentAddr).RenewCertificate(ctx, &agentpb.RenewCertificateRequest{CsrPem: host.csr(t)})
	if err != nil {
		t.Fatal(err)
	}
	host.take(t, renewed.GetCertificate())
	if host.cert.Subject.CommonName != agentID || host.cert.SerialNumber.Cmp(oldHost.cert.SerialNumber) == 0 {
		t.Fatalf("renewed certificate %v serial %s", host.cert.Subject, host.cert.SerialNumber)
	}
	// The old certificate is refused from then on; the new one works.
	_, err = oldHost.mtls(t, a.App.AgentAddr).RenewCertificate(ctx, &agentpb.RenewCertificateRequest{CsrPem: host.csr(t)})
	if st := wantCode(t, err, codes.Unauthenticated); !strings.Contains(st.Message(), "replaced") {
		t.Errorf("old certificate: %q", st.Message())
	}
	renewed, err = host.mtls(t, a.App.AgentAddr).RenewCertificate(ctx, &agentpb.RenewCertificateRequest{CsrPem: host.csr(t)})
	if err != nil {
		t.Fatalf("the renewed certificate is refused: %v", err)
	}
	host.take(t, renewed.GetCertificate())

	// Once the agent is deleted its certificate is refused.
	if _, err := a.agents.DeleteAgent(admin, &pb.DeleteAgentRequest{Id: agentID}); err != nil {
		t.Fatal(err)
	}
	_, err = host.mtls(t, a.App.AgentAddr).RenewCertificate(ctx, &agentpb.RenewCertificateRequest{CsrPem: host.csr(t)})
	if st := wantCode(t, err, codes.Unauthenticated); !strings.Contains(st.Message(), "deleted") {
		t.Errorf("deleted agent: %q", st.Message())
	}
}

func TestEnrollmentTokenRules(t *testing.T) {
	a := start(t)
	ctx := t.Context()
	admin := a.Admin(ctx)

	// Users cannot mint tokens.
	_, userToken := a.NewUser(t, "mallory")
	_, err := a.agents.CreateEnrollmentToken(apptest.As(ctx, userToken), &pb.CreateEnrollmentTokenRequest{})
	wantCode(t, err, codes.PermissionDenied)
	code, body := a.REST(t, http.MethodPost, "/v1/enrollmentTokens", userToken, `{}`)
	wantREST(t, code, body, http.StatusForbidden, codes.PermissionDenied)
	_, err = a.agents.CreateEnrollmentToken(ctx, &pb.CreateEnrollmentTokenRequest{})
	wantCode(t, err, codes.Unauthenticated)

	// Bad input names its field.
	_, err = a.agents.CreateEnrollmentToken(admin, &pb.CreateEnrollmentTokenRequest{ZoneId: "0194f3a2-7c1e-7b2a-9c4d-1e2f3a4b5c6d"})
	wantInvalid(t, err, "zone_id", "0194f3a2-7c1e-7b2a-9c4d-1e2f3a4b5c6d")
	_, err = a.agents.CreateEnrollmentToken(admin, &pb.CreateEnrollmentTokenRequest{TtlSeconds: 59})
	wantInvalid(t, err, "ttl_seconds")
	_, err = a.agents.CreateEnrollmentToken(admin, &pb.CreateEnrollmentTokenRequest{TtlSeconds: 604801})
	wantInvalid(t, err, "ttl_seconds")
	if n := a.count(t, `SELECT count(*) FROM enrollment_tokens`); n != 0 {
		t.Errorf("%d tokens stored by refused calls", n)
	}

	// A proxy token does not enroll an agent (and is not used up by trying).
	proxyTok, err := a.agents.CreateEnrollmentToken(admin, &pb.CreateEnrollmentTokenRequest{Role: pb.EnrollmentRole_ENROLLMENT_ROLE_CONNECTION_PROXY, TtlSeconds: 60})
	if err != nil {
		t.Fatal(err)
	}
	anon := enrDial(t, a.App.AgentAddr, enrPinned(enrFingerprint(t, proxyTok.GetToken())))
	req := &agentpb.EnrollRequest{EnrollmentToken: proxyTok.GetToken(), CsrPem: enrNewHost(t).csr(t), Hostname: "proxy-1",
		Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "1.0.0"}
	_, err = anon.Enroll(ctx, req)
	wantCode(t, err, codes.PermissionDenied)
	req.CsrPem = "not a CSR"
	req.Role = agentpb.AgentRole_AGENT_ROLE_CONNECTION_PROXY
	_, err = anon.Enroll(ctx, req)
	wantInvalid(t, err, "csr_pem")
	req.CsrPem = enrNewHost(t).csr(t)
	if _, err := anon.Enroll(ctx, req); err != nil {
		t.Fatalf("the proxy token was used up by refused calls: %v", err)
	}
}

func TestAgentPortSecurity(t *testing.T) {
	a := start(t)
	ctx := t.Context()
	tok, err := a.agents.CreateEnrollmentToken(a.Admin(ctx), &pb.CreateEnrollmentTokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	fp := enrFingerprint(t, tok.GetToken())

	// Agents are not served on the public port.
	_, err = agentpb.NewManagerServiceClient(a.Conn).Enroll(ctx, &agentpb.EnrollRequest{EnrollmentToken: tok.GetToken(),
		CsrPem: enrNewHost(t).csr(t), Hostname: "h", Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "1"})
	wantCode(t, err, codes.Unimplemented)

	// A host pinning another CA does not talk to this server.
	_, err = enrDial(t, a.App.AgentAddr, enrPinned(strings.Repeat("ab", 32))).Enroll(ctx, &agentpb.EnrollRequest{})
	wantCode(t, err, codes.Unavailable)

	// Without a client certificate only Enroll works.
	anon := enrDial(t, a.App.AgentAddr, enrPinned(fp))
	_, err = anon.RenewCertificate(ctx, &agentpb.RenewCertificateRequest{CsrPem: enrNewHost(t).csr(t)})
	wantCode(t, err, codes.Unauthenticated)
	// Requests are validated as on the public port.
	_, err = anon.Enroll(ctx, &agentpb.EnrollRequest{EnrollmentToken: tok.GetToken()})
	wantCode(t, err, codes.InvalidArgument)

	// A self-signed certificate claiming to be an agent is refused by the TLS handshake.
	forger := enrNewHost(t)
	now := time.Now()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "0194f3a2-7c1e-7b2a-9c4d-1e2f3a4b5c6d"},
		URIs:      []*url.URL{{Scheme: "urn", Opaque: "hotdesk:agent:0194f3a2-7c1e-7b2a-9c4d-1e2f3a4b5c6d"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
		&x509.Certificate{Subject: pkix.Name{CommonName: "Hotdesk CA"}}, &forger.key.PublicKey, forger.key)
	if err != nil {
		t.Fatal(err)
	}
	forger.cert, _ = x509.ParseCertificate(der)
	forgedTLS := &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true,
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: forger.key}}}
	_, err = enrDial(t, a.App.AgentAddr, forgedTLS).RenewCertificate(ctx, &agentpb.RenewCertificateRequest{CsrPem: forger.csr(t)})
	wantCode(t, err, codes.Unavailable)
	// In TLS 1.3 the server judges the client's certificate after the client has finished its
	// half of the handshake, so the refusal arrives as an alert on the first read.
	raw, err := tls.Dial("tcp", a.App.AgentAddr, forgedTLS)
	if err == nil {
		_ = raw.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = raw.Read(make([]byte, 1))
		raw.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed client certificate: got %v, want a TLS certificate alert", err)
	}

	// An enrolled agent cannot check in under another agent's id: the certificate decides.
	enrolled, err := anon.Enroll(ctx, &agentpb.EnrollRequest{EnrollmentToken: tok.GetToken(), CsrPem: forger.csr(t), Hostname: "h",
		Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	forger.take(t, enrolled.GetCertificate())
	stream, err := forger.mtls(t, a.App.AgentAddr).CheckIn(ctx)
	if err == nil {
		err = stream.Send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_Hello{Hello: &agentpb.Hello{
			AgentId: uuid.NewString(), InstanceId: uuid.NewString(), Version: "1"}}})
	}
	if err == nil {
		_, err = stream.Recv()
	}
	wantCode(t, err, codes.PermissionDenied)

	// Plain gRPC (no TLS) on the agent port gets nowhere.
	plain, err := grpc.NewClient(a.App.AgentAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = agentpb.NewManagerServiceClient(plain).Enroll(cctx, &agentpb.EnrollRequest{})
	if c := status.Code(err); c != codes.Unavailable && c != codes.DeadlineExceeded {
		t.Errorf("plaintext call on the agent port: %v", err)
	}
}
