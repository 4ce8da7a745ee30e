package agent

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// ---------------------------------------------------------------- PKI

type testPKI struct {
	caKey  *ecdsa.PrivateKey
	caCert *x509.Certificate
	caPEM  string
	server tls.Certificate
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "hotdesk test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	p := &testPKI{caKey: caKey, caCert: caCert, caPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))}

	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "hotdesk server"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	// The server sends its CA after the leaf, so a pinned first contact can find it.
	p.server = tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: srvKey}
	return p
}

func (p *testPKI) pin() string {
	s := sha256.Sum256(p.caCert.Raw)
	return hex.EncodeToString(s[:])
}

var serial atomic.Int64

func (p *testPKI) sign(csrPEM, agentID string, ttl time.Duration) (certPEM, serialHex string, err error) {
	b, _ := pem.Decode([]byte(csrPEM))
	if b == nil {
		return "", "", fmt.Errorf("no CSR")
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return "", "", err
	}
	if err := csr.CheckSignature(); err != nil {
		return "", "", err
	}
	sn := big.NewInt(100 + serial.Add(1))
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: agentID, OrganizationalUnit: []string{"AGENT_ROLE_AGENT"}},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(ttl),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, p.caCert, csr.PublicKey, p.caKey)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), sn.Text(16), nil
}

// ---------------------------------------------------------------- fake ManagerService

type fakeServer struct {
	agentpb.UnimplementedManagerServiceServer
	pki     *testPKI
	addr    string
	agentID string
	token   string
	certTTL time.Duration
	renewIn time.Duration // renew_time = issue time + renewIn

	mu      sync.Mutex
	enrolls []*agentpb.EnrollRequest
	renews  atomic.Int32
	streams chan *fakeStream
}

func startServer(t *testing.T, pki *testPKI) *fakeServer {
	t.Helper()
	s := &fakeServer{
		pki: pki, agentID: uuid.NewString(), certTTL: time.Hour, renewIn: 40 * time.Minute,
		streams: make(chan *fakeStream, 16),
	}
	s.token = "hde_s3cret." + pki.pin()
	pool := x509.NewCertPool()
	pool.AddCert(pki.caCert)
	creds := credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	})
	gs := grpc.NewServer(grpc.Creds(creds), grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}))
	agentpb.RegisterManagerServiceServer(gs, s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go gs.Serve(ln)
	t.Cleanup(gs.Stop)
	return s
}

func (s *fakeServer) issue(csr string) (*agentpb.IssuedCertificate, error) {
	certPEM, sn, err := s.pki.sign(csr, s.agentID, s.certTTL)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	now := time.Now()
	return &agentpb.IssuedCertificate{
		CertificatePem: certPEM, CaBundlePem: s.pki.caPEM, SerialNumber: sn,
		ExpireTime: timestamppb.New(now.Add(s.certTTL)), RenewTime: timestamppb.New(now.Add(s.renewIn)),
	}, nil
}

func (s *fakeServer) Enroll(_ context.Context, req *agentpb.EnrollRequest) (*agentpb.EnrollResponse, error) {
	s.mu.Lock()
	s.enrolls = append(s.enrolls, req)
	s.mu.Unlock()
	if req.GetEnrollmentToken() != s.token {
		return nil, status.Error(codes.Unauthenticated, "unknown token")
	}
	ic, err := s.issue(req.GetCsrPem())
	if err != nil {
		return nil, err
	}
	return &agentpb.EnrollResponse{AgentId: s.agentID, Certificate: ic}, nil
}

func (s *fakeServer) enrollCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.enrolls)
}

func peerCN(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return ""
	}
	ti, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.PeerCertificates) == 0 {
		return ""
	}
	return ti.State.PeerCertificates[0].Subject.CommonName
}

func (s *fakeServer) RenewCertificate(ctx context.Context, req *agentpb.RenewCertificateRequest) (*agentpb.RenewCertificateResponse, error) {
	if peerCN(ctx) != s.agentID {
		return nil, status.Error(codes.Unauthenticated, "no client certificate")
	}
	s.renews.Add(1)
	ic, err := s.issue(req.GetCsrPem())
	if err != nil {
		return nil, err
	}
	return &agentpb.RenewCertificateResponse{Certificate: ic}, nil
}

// fakeStream hands one CheckIn stream to the test.
type fakeStream struct {
	peerCN string
	srv    agentpb.ManagerService_CheckInServer
	recv   chan *agentpb.CheckInRequest // closed when the agent's side ends
	end    chan error
	opened time.Time
	remote string // the agent's address: a new one means a new connection
}

func (s *fakeServer) CheckIn(srv agentpb.ManagerService_CheckInServer) error {
	cn := peerCN(srv.Context())
	if cn != s.agentID {
		return status.Error(codes.Unauthenticated, "client certificate required")
	}
	fs := &fakeStream{peerCN: cn, srv: srv, recv: make(chan *agentpb.CheckInRequest, 1024), end: make(chan error, 1), opened: time.Now()}
	if p, ok := peer.FromContext(srv.Context()); ok {
		fs.remote = p.Addr.String()
	}
	go func() {
		defer close(fs.recv)
		for {
			m, err := srv.Recv()
			if err != nil {
				return
			}
			fs.recv <- m
		}
	}()
	select {
	case s.streams <- fs:
	case <-srv.Context().Done():
		return srv.Context().Err()
	}
	select {
	case err := <-fs.end:
		return err
	case <-srv.Context().Done():
		return srv.Context().Err()
	}
}

func (s *fakeServer) nextStream(t *testing.T, timeout time.Duration) *fakeStream {
	t.Helper()
	select {
	case fs := <-s.streams:
		return fs
	case <-time.After(timeout):
		t.Fatalf("no CheckIn stream within %v", timeout)
		return nil
	}
}

func (fs *fakeStream) close(err error) { fs.end <- err }

func (fs *fakeStream) send(t *testing.T, m *agentpb.CheckInResponse) {
	t.Helper()
	if err := fs.srv.Send(m); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// next returns the next message matching pred, skipping others.
func (fs *fakeStream) next(t *testing.T, timeout time.Duration, what string, pred func(*agentpb.CheckInRequest) bool) *agentpb.CheckInRequest {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-fs.recv:
			if !ok {
				t.Fatalf("stream ended while waiting for %s", what)
			}
			if pred(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s within %v", what, timeout)
		}
	}
}

// results waits for the results of seqs, in any order.
func (fs *fakeStream) results(t *testing.T, seqs ...uint64) map[uint64]*agentpb.CommandResult {
	t.Helper()
	want := map[uint64]bool{}
	for _, s := range seqs {
		want[s] = true
	}
	out := map[uint64]*agentpb.CommandResult{}
	fs.next(t, 5*time.Second, fmt.Sprintf("results %v", seqs), func(m *agentpb.CheckInRequest) bool {
		if r := m.GetCommandResult(); r != nil && want[r.GetSequence()] {
			out[r.GetSequence()] = r
		}
		return len(out) == len(want)
	})
	return out
}

// collect gathers every message for d.
func (fs *fakeStream) collect(d time.Duration) []*agentpb.CheckInRequest {
	var out []*agentpb.CheckInRequest
	deadline := time.After(d)
	for {
		select {
		case m, ok := <-fs.recv:
			if !ok {
				return out
			}
			out = append(out, m)
		case <-deadline:
			return out
		}
	}
}

func (fs *fakeStream) hello(t *testing.T) *agentpb.Hello {
	t.Helper()
	return fs.next(t, 5*time.Second, "hello", func(m *agentpb.CheckInRequest) bool { return true }).GetHello()
}

// welcome answers Hello with quiet defaults (no heartbeats or periodic reports to speak of)
// changed by mod.
func (fs *fakeStream) welcome(t *testing.T, mod func(*agentpb.Welcome)) {
	t.Helper()
	w := &agentpb.Welcome{
		ServerId:               uuid.NewString(),
		ServerTime:             timestamppb.Now(),
		HeartbeatInterval:      durationpb.New(time.Hour),
		LeaseTtl:               durationpb.New(3 * time.Hour),
		ResourceReportInterval: durationpb.New(time.Hour),
	}
	if mod != nil {
		mod(w)
	}
	fs.send(t, &agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Welcome{Welcome: w}})
}

func (fs *fakeStream) command(t *testing.T, c *agentpb.Command) {
	t.Helper()
	if c.Deadline == nil {
		c.Deadline = timestamppb.New(time.Now().Add(time.Minute))
	}
	fs.send(t, &agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Command{Command: c}})
}

func isAck(seq uint64) func(*agentpb.CheckInRequest) bool {
	return func(m *agentpb.CheckInRequest) bool { return m.GetCommandAck().GetSequence() == seq }
}

func isResult(seq uint64) func(*agentpb.CheckInRequest) bool {
	return func(m *agentpb.CheckInRequest) bool { return m.GetCommandResult().GetSequence() == seq }
}

func isReport(m *agentpb.CheckInRequest) bool    { return m.GetResourceReport() != nil }
func isHeartbeat(m *agentpb.CheckInRequest) bool { return m.GetHeartbeat() != nil }

// ---------------------------------------------------------------- fake runtime

type fakeRuntime struct {
	mu         sync.Mutex
	containers map[string]runtime.Container // by session id
	creates    atomic.Int32
	destroys   atomic.Int32
	gate       chan struct{} // when set, CreateSession waits for it
	nextPort   uint16
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{containers: map[string]runtime.Container{}, nextPort: 40000}
}

func (f *fakeRuntime) CreateSession(ctx context.Context, cmd *agentpb.CreateSessionContainer) (runtime.Created, error) {
	f.creates.Add(1)
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return runtime.Created{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.containers[cmd.GetSessionId()]; ok {
		return runtime.Created{ContainerID: c.ID, HostPort: c.HostPort, ImageID: "sha256:img", AlreadyExisted: true}, nil
	}
	f.nextPort++
	c := runtime.Container{ID: randomID(), SessionID: cmd.GetSessionId(), State: agentpb.ContainerState_CONTAINER_STATE_RUNNING, HostPort: f.nextPort, Created: time.Now()}
	f.containers[c.SessionID] = c
	return runtime.Created{ContainerID: c.ID, HostPort: c.HostPort, ImageID: "sha256:img"}, nil
}

func (f *fakeRuntime) DestroySession(_ context.Context, sessionID, _ string, _ *time.Duration) (bool, error) {
	f.destroys.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.containers[sessionID]; !ok {
		return true, nil
	}
	delete(f.containers, sessionID)
	return false, nil
}

func (f *fakeRuntime) List(context.Context) ([]runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []runtime.Container
	for _, c := range f.containers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SessionID < out[j].SessionID })
	return out, nil
}

func (f *fakeRuntime) Info(context.Context) (runtime.HostInfo, error) {
	return runtime.HostInfo{
		Hostname: "fakehost", OS: "linux", Arch: "amd64", Cores: 8, MemoryBytes: 16 << 30, CPUQuota: true,
		DockerVersion: "20.10.24", Networks: []string{"bridge"},
		Images: []runtime.Image{{Reference: "desktop:1", ID: "sha256:img", SizeBytes: 1}},
	}, nil
}

func (f *fakeRuntime) add(sessionID string) runtime.Container {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextPort++
	c := runtime.Container{ID: randomID(), SessionID: sessionID, State: agentpb.ContainerState_CONTAINER_STATE_RUNNING, HostPort: f.nextPort, Created: time.Now()}
	f.containers[sessionID] = c
	return c
}

func (f *fakeRuntime) has(sessionID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.containers[sessionID]
	return ok
}

func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func createCommand(seq uint64, sessionID string) *agentpb.Command {
	return &agentpb.Command{Sequence: seq, Action: &agentpb.Command_CreateSessionContainer{CreateSessionContainer: &agentpb.CreateSessionContainer{
		SessionId: sessionID, ImageReference: "desktop:1", Cores: 1, MemoryBytes: 1 << 30, ContainerPort: 5901,
		CpuAllocationMethod: agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_SHARES,
		Env:                 map[string]string{"VNC_PW": "secret"},
	}}}
}
