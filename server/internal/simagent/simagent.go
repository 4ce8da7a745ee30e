// Package simagent is a simulated agent for tests and benchmarks: it enrolls and checks in
// over the real agent protocol (gRPC, mTLS) but keeps its "containers" in memory and answers
// commands at once. It stands in for agentd where Docker is not the point: placement,
// replicas, liveness, and load.
package simagent

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
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// Identity is an enrolled agent's id and client certificate.
type Identity struct {
	AgentID string
	Cert    tls.Certificate
	CAs     *x509.CertPool
}

// Enroll exchanges a token for an identity at addr (the server's agent TLS port), trusting
// the server only if its CA matches the token's pinned fingerprint.
func Enroll(ctx context.Context, addr, token, hostname string) (*Identity, error) {
	dot := strings.LastIndexByte(token, '.')
	if dot < 0 {
		return nil, errors.New("simagent: token has no CA fingerprint")
	}
	pin := token[dot+1:]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hostname}}, key)
	if err != nil {
		return nil, err
	}
	pinned := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, //nolint:gosec // verified against the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			for _, der := range raw {
				sum := sha256.Sum256(der)
				if hex.EncodeToString(sum[:]) == pin {
					return nil
				}
			}
			return errors.New("simagent: server CA does not match the token's fingerprint")
		}}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(pinned)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	resp, err := agentpb.NewManagerServiceClient(conn).Enroll(ctx, &agentpb.EnrollRequest{
		EnrollmentToken: token, CsrPem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})),
		Hostname: hostname, Role: agentpb.AgentRole_AGENT_ROLE_AGENT, Version: "simagent",
	})
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair([]byte(resp.GetCertificate().GetCertificatePem()), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(resp.GetCertificate().GetCaBundlePem())) {
		return nil, errors.New("simagent: bad CA bundle")
	}
	return &Identity{AgentID: resp.GetAgentId(), Cert: cert, CAs: pool}, nil
}

// Dial opens an mTLS connection to the agent port.
func (id *Identity) Dial(addr string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{id.Cert}, RootCAs: id.CAs, MinVersion: tls.VersionTLS13})
	return grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(creds)}, opts...)...)
}

// Options shape a simulated host.
type Options struct {
	Cores    float64
	MemoryMB int64
	Images   []string
	Networks []string
	// FailCreates makes every create fail, to test retries on the next agent.
	FailCreates bool
	// Heartbeat overrides the server's interval (0: use the Welcome's).
	Heartbeat time.Duration
	// OnWelcome, if set, gets the time from sending Hello to receiving Welcome on each stream.
	OnWelcome func(time.Duration)
	// OnHeartbeat, if set, gets each heartbeat's sequence and send time once it is sent.
	OnHeartbeat func(seq uint64, sent time.Time)
	// AdvertiseURL is sent in Hello as the agent's session proxy.
	AdvertiseURL string
}

// Container is a simulated session container.
type Container struct {
	ID, SessionID string
	Port          int
	// Env is the environment the create command asked for (secrets included).
	Env map[string]string
}

// Agent is a simulated agent's state; its containers survive reconnects, like real ones.
type Agent struct {
	ID   string
	opts Options

	mu         sync.Mutex
	containers map[string]Container // by session id
	creates    int
	welcome    *agentpb.Welcome
}

// New returns a simulated agent with identity id.
func New(agentID string, opts Options) *Agent {
	return &Agent{ID: agentID, opts: opts, containers: map[string]Container{}}
}

// Containers returns the running simulated containers by session id.
func (a *Agent) Containers() map[string]Container {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]Container, len(a.containers))
	for k, v := range a.containers {
		out[k] = v
	}
	return out
}

// Welcome returns the last Welcome received.
func (a *Agent) Welcome() *agentpb.Welcome {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.welcome
}

// Run keeps one check-in stream until it ends or ctx is done. Heartbeats go at the interval
// the server asked for, each stretched or shortened at random by up to the Welcome's jitter as
// the protocol asks of agents (or exactly every Options.Heartbeat). Options.OnWelcome and
// Options.OnHeartbeat, if set, get timings for latency measurement.
func (a *Agent) Run(ctx context.Context, conn *grpc.ClientConn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := agentpb.NewManagerServiceClient(conn).CheckIn(ctx)
	if err != nil {
		return err
	}
	var sendMu sync.Mutex
	send := func(m *agentpb.CheckInRequest) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return stream.Send(m)
	}
	hello := time.Now()
	if err := send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_Hello{Hello: &agentpb.Hello{
		AgentId: a.ID, InstanceId: uuid.NewString(), Version: "simagent", AdvertiseUrl: a.opts.AdvertiseURL}}}); err != nil {
		return err
	}
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	w := first.GetWelcome()
	if w == nil {
		return fmt.Errorf("simagent: expected Welcome, got %T", first.GetMsg())
	}
	if a.opts.OnWelcome != nil {
		a.opts.OnWelcome(time.Since(hello))
	}
	a.mu.Lock()
	a.welcome = w
	a.mu.Unlock()
	if err := send(a.report()); err != nil {
		return err
	}
	interval := w.GetHeartbeatInterval().AsDuration()
	jitter := min(max(w.GetHeartbeatJitter(), 0), 1)
	if a.opts.Heartbeat > 0 {
		interval, jitter = a.opts.Heartbeat, 0 // a test that sets the interval wants it exact
	}
	go func() {
		next := func() time.Duration {
			return time.Duration(float64(interval) * (1 + jitter*(2*mrand.Float64()-1)))
		}
		t := time.NewTimer(next())
		defer t.Stop()
		var seq uint64
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				seq++
				sent := time.Now()
				if send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_Heartbeat{Heartbeat: &agentpb.Heartbeat{
					Sequence: seq, AgentTime: timestamppb.New(sent)}}}) != nil {
					cancel()
					return
				}
				if a.opts.OnHeartbeat != nil {
					a.opts.OnHeartbeat(seq, sent)
				}
				t.Reset(next())
			}
		}
	}()
	for {
		msg, err := stream.Recv()
		if err != nil {
			return err
		}
		switch x := msg.GetMsg().(type) {
		case *agentpb.CheckInResponse_Goodbye:
			return fmt.Errorf("simagent: goodbye: %s", x.Goodbye.GetReason())
		case *agentpb.CheckInResponse_Command:
			cmd := x.Command
			if err := send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_CommandAck{CommandAck: &agentpb.CommandAck{
				Sequence: cmd.GetSequence(), ReceiveTime: timestamppb.Now()}}}); err != nil {
				return err
			}
			if err := send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_CommandResult{CommandResult: a.execute(cmd)}}); err != nil {
				return err
			}
			if err := send(a.report()); err != nil {
				return err
			}
		}
	}
}

func (a *Agent) execute(cmd *agentpb.Command) *agentpb.CommandResult {
	res := &agentpb.CommandResult{Sequence: cmd.GetSequence()}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch act := cmd.GetAction().(type) {
	case *agentpb.Command_CreateSessionContainer:
		sid := act.CreateSessionContainer.GetSessionId()
		if a.opts.FailCreates {
			res.Outcome = &agentpb.CommandResult_Error{Error: &agentpb.CommandError{
				Code: agentpb.CommandErrorCode_COMMAND_ERROR_CODE_CONTAINER_START_FAILED, Message: "simulated failure"}}
			return res
		}
		c, existed := a.containers[sid]
		if !existed {
			a.creates++
			sum := sha256.Sum256([]byte(a.ID + sid))
			c = Container{ID: hex.EncodeToString(sum[:]), SessionID: sid, Port: 30000 + a.creates%30000,
				Env: act.CreateSessionContainer.GetEnv()}
			a.containers[sid] = c
		}
		res.Outcome = &agentpb.CommandResult_CreateSessionContainer{CreateSessionContainer: &agentpb.CreateSessionContainerResult{
			ContainerId: c.ID, HostPort: uint32(c.Port), AlreadyExisted: existed}}
	case *agentpb.Command_DestroySessionContainer:
		sid := act.DestroySessionContainer.GetSessionId()
		_, ok := a.containers[sid]
		delete(a.containers, sid)
		res.Outcome = &agentpb.CommandResult_DestroySessionContainer{DestroySessionContainer: &agentpb.DestroySessionContainerResult{AlreadyAbsent: !ok}}
	default:
		res.Outcome = &agentpb.CommandResult_Error{Error: &agentpb.CommandError{Code: agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNIMPLEMENTED, Message: "not simulated"}}
	}
	return res
}

func (a *Agent) report() *agentpb.CheckInRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := &agentpb.ResourceReport{ReportTime: timestamppb.Now(), Hostname: "sim-" + a.ID[:8], Os: "linux", Arch: "amd64",
		Cores: a.opts.Cores, MemoryBytes: a.opts.MemoryMB << 20, DockerVersion: "simulated", Networks: a.opts.Networks}
	for _, img := range a.opts.Images {
		r.Images = append(r.Images, &agentpb.LocalImage{Reference: img, ImageId: "sha256:0000"})
	}
	for _, c := range a.containers {
		r.SessionContainers = append(r.SessionContainers, &agentpb.SessionContainer{ContainerId: c.ID, SessionId: c.SessionID,
			State: agentpb.ContainerState_CONTAINER_STATE_RUNNING, HostPort: uint32(c.Port)})
	}
	return &agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_ResourceReport{ResourceReport: r}}
}
