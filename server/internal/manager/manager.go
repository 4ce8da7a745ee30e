// Package manager serves the agent protocol (hotdesk.agent.v1.ManagerService): it holds each
// connected agent's check-in stream, delivers durable commands in sequence order, records
// heartbeats in batches, and hands reports and command outcomes to the session lifecycle.
// Replicas coordinate through Postgres: a command queued anywhere reaches the replica holding
// the agent's stream through LISTEN/NOTIFY, and a newer stream of an agent closes older ones.
package manager

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/server/internal/sessions"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Identifier returns the agent id proven by the caller's client certificate.
type Identifier interface {
	AgentID(ctx context.Context) (string, error)
}

// Enroller handles enrollment and certificate renewal.
type Enroller interface {
	Enroll(ctx context.Context, req *agentpb.EnrollRequest) (*agentpb.EnrollResponse, error)
	RenewCertificate(ctx context.Context, req *agentpb.RenewCertificateRequest) (*agentpb.RenewCertificateResponse, error)
}

// Config holds the check-in timings sent to agents.
type Config struct {
	HeartbeatInterval time.Duration
	HeartbeatJitter   float64
	LeaseTTL          time.Duration
	ReportInterval    time.Duration
	// CommandTimeout bounds how long a create may wait for its agent.
	CommandTimeout time.Duration
}

// DefaultConfig returns production timings: a 30 s heartbeat with 20% jitter, and an agent
// unreachable after three missed heartbeats.
func DefaultConfig() Config {
	return Config{HeartbeatInterval: 30 * time.Second, HeartbeatJitter: 0.2, LeaseTTL: 90 * time.Second,
		ReportInterval: time.Minute, CommandTimeout: 2 * time.Minute}
}

// Manager implements ManagerService.
type Manager struct {
	agentpb.UnimplementedManagerServiceServer
	enroller Enroller
	ids      Identifier
	store    *store.Store
	sessions *sessions.Service
	cfg      Config
	log      *slog.Logger
	serverID string

	mu    sync.Mutex
	conns map[string]*agentConn

	hbMu   sync.Mutex
	hbSeen map[string]struct{}

	img *imageHub // nil until EnableImages (images.go)
}

// New returns a Manager; run Flush in the background to persist heartbeats.
func New(e Enroller, ids Identifier, s *store.Store, sess *sessions.Service, cfg Config, log *slog.Logger) *Manager {
	return &Manager{enroller: e, ids: ids, store: s, sessions: sess, cfg: cfg, log: log,
		serverID: uuid.NewString(), conns: map[string]*agentConn{}, hbSeen: map[string]struct{}{}}
}

// Enroll exchanges an enrollment token for an agent identity.
func (m *Manager) Enroll(ctx context.Context, req *agentpb.EnrollRequest) (*agentpb.EnrollResponse, error) {
	return m.enroller.Enroll(ctx, req)
}

// RenewCertificate issues a fresh client certificate to an enrolled agent.
func (m *Manager) RenewCertificate(ctx context.Context, req *agentpb.RenewCertificateRequest) (*agentpb.RenewCertificateResponse, error) {
	return m.enroller.RenewCertificate(ctx, req)
}

// agentConn is one live check-in stream.
type agentConn struct {
	agentID string
	epoch   int64
	out     chan *agentpb.CheckInResponse
	kick    chan struct{}
	cancel  context.CancelFunc
	once    sync.Once
}

func (c *agentConn) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// goodbye ends the stream after telling the agent why.
func (c *agentConn) goodbye(reason agentpb.GoodbyeReason, msg string) {
	c.once.Do(func() {
		select {
		case c.out <- &agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Goodbye{Goodbye: &agentpb.Goodbye{Reason: reason, Message: msg}}}:
		default:
		}
		// Give the sender a moment to flush the goodbye, then end the stream.
		time.AfterFunc(100*time.Millisecond, c.cancel)
	})
}

// CheckIn serves one agent's check-in stream.
func (m *Manager) CheckIn(stream agentpb.ManagerService_CheckInServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	agentID, err := m.ids.AgentID(ctx)
	if err != nil {
		return err
	}
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	hello := first.GetHello()
	if hello == nil {
		return status.Error(codes.InvalidArgument, "the first message on a check-in stream must be Hello")
	}
	if !strings.EqualFold(hello.GetAgentId(), agentID) {
		return status.Errorf(codes.PermissionDenied, "Hello names agent %s but the client certificate is agent %s", hello.GetAgentId(), agentID)
	}
	epoch, enabled, err := m.store.ClaimStream(ctx, agentID, hello.GetInstanceId(), m.serverID, hello.GetVersion())
	if err != nil {
		return err
	}
	if err := m.store.SetAdvertiseURL(ctx, agentID, hello.GetAdvertiseUrl()); err != nil {
		return err
	}
	c := &agentConn{agentID: agentID, epoch: epoch, out: make(chan *agentpb.CheckInResponse, 16), kick: make(chan struct{}, 1), cancel: cancel}
	m.register(c)
	defer m.unregister(c)
	// No per-stream logger (m.log.With): thousands of streams would each keep one for their
	// lifetime; the agent id goes into each line instead.
	m.log.Info("agent connected", "agent_id", agentID, "instance_id", hello.GetInstanceId(), "version", hello.GetVersion(), "epoch", epoch)

	welcome := &agentpb.Welcome{
		ServerId: m.serverID, ServerTime: timestamppb.Now(),
		HeartbeatInterval: durationpb.New(m.cfg.HeartbeatInterval), HeartbeatJitter: m.cfg.HeartbeatJitter,
		LeaseTtl: durationpb.New(m.cfg.LeaseTTL), ResourceReportInterval: durationpb.New(m.cfg.ReportInterval),
		Draining: !enabled,
	}
	if err := stream.Send(&agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Welcome{Welcome: welcome}}); err != nil {
		return err
	}
	sendErr := make(chan error, 1)
	go func() { sendErr <- m.sender(ctx, stream, c) }()
	c.poke() // deliver whatever is pending from before this stream
	for {
		msg, err := stream.Recv()
		if err != nil {
			if ctx.Err() != nil {
				select {
				case err := <-sendErr:
					if err != nil {
						return err
					}
				default:
				}
				return nil
			}
			return err
		}
		if err := m.handle(ctx, c, msg); err != nil {
			m.log.Error("handling agent message", "agent_id", agentID, "error", err.Error())
		}
	}
}

// sender owns stream.Send: goodbyes and pending commands, in order.
func (m *Manager) sender(ctx context.Context, stream agentpb.ManagerService_CheckInServer, c *agentConn) error {
	var lastSent int64
	for {
		select {
		case <-ctx.Done():
			return nil
		case msg := <-c.out:
			if err := stream.Send(msg); err != nil {
				c.cancel()
				return err
			}
		case <-c.kick:
			cmds, err := m.store.PendingCommands(ctx, c.agentID, lastSent)
			if err != nil {
				if ctx.Err() == nil {
					m.log.Error("loading agent commands", "agent_id", c.agentID, "error", err.Error())
				}
				continue
			}
			for _, cmd := range cmds {
				if err := m.addSecrets(ctx, cmd); err != nil {
					if ctx.Err() == nil {
						m.log.Error("loading a command's secrets; retrying", "agent_id", c.agentID, "session_id", cmd.SessionID, "error", err.Error())
						time.AfterFunc(time.Second, c.poke)
					}
					break
				}
				if err := stream.Send(&agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Command{Command: m.toProto(cmd)}}); err != nil {
					c.cancel()
					return err
				}
				lastSent = cmd.Seq
			}
		}
	}
}

func (m *Manager) handle(ctx context.Context, c *agentConn, msg *agentpb.CheckInRequest) error {
	switch x := msg.GetMsg().(type) {
	case *agentpb.CheckInRequest_Heartbeat:
		m.hbMu.Lock()
		m.hbSeen[c.agentID] = struct{}{}
		m.hbMu.Unlock()
	case *agentpb.CheckInRequest_ResourceReport:
		if err := m.sessions.Report(ctx, c.agentID, reportFromProto(x.ResourceReport)); err != nil {
			return err
		}
		if m.img != nil {
			m.img.reported(c.agentID, x.ResourceReport.GetNetworks())
		}
	case *agentpb.CheckInRequest_CommandAck:
		return m.store.AckCommand(ctx, c.agentID, int64(x.CommandAck.GetSequence()))
	case *agentpb.CheckInRequest_CommandResult:
		// Apply the outcome before marking the command done: if the server dies in between, the
		// agent resends the result on its next stream and the (idempotent) outcome is applied
		// then, instead of being lost.
		seq := int64(x.CommandResult.GetSequence())
		cmd, err := m.store.OpenCommand(ctx, c.agentID, seq)
		if err != nil || cmd == nil {
			return err
		}
		if err := m.sessions.CommandDone(ctx, cmd, resultFromProto(x.CommandResult)); err != nil {
			return err
		}
		err = m.store.FinishCommand(ctx, c.agentID, seq)
		return err
	case *agentpb.CheckInRequest_Hello:
		return status.Error(codes.InvalidArgument, "Hello may only be sent once per stream")
	}
	return nil
}

func (m *Manager) register(c *agentConn) {
	m.mu.Lock()
	old := m.conns[c.agentID]
	m.conns[c.agentID] = c
	m.mu.Unlock()
	if old != nil {
		old.goodbye(agentpb.GoodbyeReason_GOODBYE_REASON_REPLACED, "a newer check-in stream of this agent took over")
	}
}

func (m *Manager) unregister(c *agentConn) {
	m.mu.Lock()
	if m.conns[c.agentID] == c {
		delete(m.conns, c.agentID)
	}
	m.mu.Unlock()
}

func (m *Manager) conn(agentID string) *agentConn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.conns[agentID]
}

// Kick makes the stream of agentID, if held here, send its pending commands.
func (m *Manager) Kick(agentID string) {
	if c := m.conn(agentID); c != nil {
		c.poke()
	}
}

// ServerID identifies this replica (in agent stream ownership and leader terms).
func (m *Manager) ServerID() string { return m.serverID }

// Connected returns how many agent streams this replica holds.
func (m *Manager) Connected() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.conns)
}

// Flush persists heartbeats once a second until ctx ends.
func (m *Manager) Flush(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m.hbMu.Lock()
		if len(m.hbSeen) == 0 {
			m.hbMu.Unlock()
			continue
		}
		ids := make([]string, 0, len(m.hbSeen))
		for id := range m.hbSeen {
			ids = append(ids, id)
		}
		m.hbSeen = make(map[string]struct{}, len(ids))
		m.hbMu.Unlock()
		if err := m.store.RecordHeartbeats(ctx, ids); err != nil && ctx.Err() == nil {
			m.log.Error("recording heartbeats", "count", len(ids), "error", err.Error())
		}
	}
}

// CommandsNotifier wakes streams when commands are queued on any replica.
type CommandsNotifier struct{ M *Manager }

// Notify handles a ChannelAgentCommands payload (an agent id).
func (n CommandsNotifier) Notify(agentID string) { n.M.Kick(agentID) }

// Resync wakes every stream: notifications may have been missed.
func (n CommandsNotifier) Resync() {
	n.M.mu.Lock()
	defer n.M.mu.Unlock()
	for _, c := range n.M.conns {
		c.poke()
	}
}

// StreamsNotifier closes streams that a newer stream of the same agent replaced, wherever it
// connected.
type StreamsNotifier struct{ M *Manager }

// Notify handles a ChannelAgentStreams payload ("<agent id> <epoch>").
func (n StreamsNotifier) Notify(payload string) {
	id, e, ok := strings.Cut(payload, " ")
	if !ok {
		return
	}
	epoch, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return
	}
	if c := n.M.conn(id); c != nil && c.epoch < epoch {
		c.goodbye(agentpb.GoodbyeReason_GOODBYE_REASON_REPLACED, "a newer check-in stream of this agent took over")
	}
}

// Resync re-checks every local stream's epoch.
func (n StreamsNotifier) Resync() {
	n.M.mu.Lock()
	conns := make([]*agentConn, 0, len(n.M.conns))
	for _, c := range n.M.conns {
		conns = append(conns, c)
	}
	n.M.mu.Unlock()
	for _, c := range conns {
		if e, err := n.M.store.StreamEpoch(context.Background(), c.agentID); err == nil && e > c.epoch {
			c.goodbye(agentpb.GoodbyeReason_GOODBYE_REASON_REPLACED, "a newer check-in stream of this agent took over")
		}
	}
}

// Shutdown says goodbye to every stream.
func (m *Manager) Shutdown() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.conns {
		c.goodbye(agentpb.GoodbyeReason_GOODBYE_REASON_SERVER_SHUTDOWN, "server shutting down; reconnect")
	}
}
