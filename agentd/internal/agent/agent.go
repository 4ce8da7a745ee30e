// Package agent is agentd's client loop: enrollment, the CheckIn stream to the server
// (heartbeats, resource reports, commands with acks and results), reconnects with backoff, and
// certificate renewal. Containers are reached only through runtime.Runtime; stopping the loop
// never touches them.
package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// Config configures the loop. Zero durations take the defaults noted.
type Config struct {
	ServerAddr string // host:port of the server's agent (mTLS) listener
	ServerName string // TLS name to verify; the host of ServerAddr when empty
	Version    string // reported in Hello, e.g. "1.4.2"
	Logger     *slog.Logger

	// AdvertiseURL is the base URL of this agent's session proxy, sent in Hello so the server
	// (and browsers in direct-to-agent zones) can reach it; empty when it runs none.
	AdvertiseURL string

	MaxConcurrentCommands int           // commands executed at once; 4
	ResultCacheSize       int           // finished commands remembered for duplicates; 1000
	BackoffBase           time.Duration // reconnect backoff base; 500 ms
	BackoffCap            time.Duration // reconnect backoff cap; 30 s
	HealthyAfter          time.Duration // a stream this old resets the backoff; 10 s
	WelcomeTimeout        time.Duration // wait for Welcome after Hello; 30 s
	ReportDebounce        time.Duration // coalesces report triggers; 100 ms
	ShutdownGrace         time.Duration // in-flight commands may finish after Run's context ends; 10 s
	RenewRetry            time.Duration // first retry after a failed renewal; 30 s

	// Images configures image sync (images.go); it runs when the runtime can pull.
	Images ImageConfig

	DialOptions []grpc.DialOption // extra options, for tests
}

// ErrAgentDeleted is returned by Run when the server said an administrator deleted the agent:
// the host must enroll again.
var ErrAgentDeleted = errors.New("the server deleted this agent; enroll again with a new token")

// Agent runs the loop for one enrolled identity.
type Agent struct {
	cfg        Config
	id         *Identity
	rt         runtime.Runtime
	log        *slog.Logger
	instanceID string

	cmds     *commandTable
	sem      chan struct{}
	draining drainState
	skew     clockSkew
	reportCh chan struct{} // a report is due (capacity 1: triggers coalesce)
	inflight sync.WaitGroup
	workCtx  context.Context // commands run under it; it outlives a broken stream

	images *imageSync // nil when image sync is off

	connMu sync.Mutex
	conn   *grpc.ClientConn
	connKA *agentpb.KeepaliveSettings // settings conn was dialed with
	wantKA *agentpb.KeepaliveSettings // settings from the latest Welcome
}

// New prepares an agent; Run starts it.
func New(cfg Config, id *Identity, rt runtime.Runtime) *Agent {
	if cfg.ServerName == "" {
		cfg.ServerName = ServerNameOf(cfg.ServerAddr)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Version == "" {
		cfg.Version = "0.0.0-dev"
	}
	if cfg.MaxConcurrentCommands <= 0 {
		cfg.MaxConcurrentCommands = 4
	}
	if cfg.ResultCacheSize <= 0 {
		cfg.ResultCacheSize = 1000
	}
	cfg.BackoffBase = orDefault(cfg.BackoffBase, 500*time.Millisecond)
	cfg.BackoffCap = orDefault(cfg.BackoffCap, 30*time.Second)
	cfg.HealthyAfter = orDefault(cfg.HealthyAfter, 10*time.Second)
	cfg.WelcomeTimeout = orDefault(cfg.WelcomeTimeout, 30*time.Second)
	cfg.ReportDebounce = orDefault(cfg.ReportDebounce, 100*time.Millisecond)
	cfg.ShutdownGrace = orDefault(cfg.ShutdownGrace, 10*time.Second)
	cfg.RenewRetry = orDefault(cfg.RenewRetry, 30*time.Second)
	a := &Agent{
		cfg:        cfg,
		id:         id,
		rt:         rt,
		log:        cfg.Logger.With("agent_id", id.AgentID),
		instanceID: uuid.NewString(),
		cmds:       newCommandTable(cfg.ResultCacheSize),
		sem:        make(chan struct{}, cfg.MaxConcurrentCommands),
		reportCh:   make(chan struct{}, 1),
	}
	a.images = newImageSync(a)
	return a
}

// InstanceID is the id this process sends in every Hello.
func (a *Agent) InstanceID() string { return a.instanceID }

// Run keeps a CheckIn stream open until ctx ends (then it returns nil) or the server deletes
// the agent (ErrAgentDeleted). Session containers are left as they are either way.
func (a *Agent) Run(ctx context.Context) error {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	a.workCtx = workCtx
	defer func() {
		done := make(chan struct{})
		go func() { a.inflight.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(a.cfg.ShutdownGrace):
			a.log.Warn("commands still running at shutdown; abandoning them")
		}
		cancelWork()
		a.closeConn()
	}()

	renewCtx, stopRenew := context.WithCancel(ctx)
	defer stopRenew()
	go a.renewLoop(renewCtx)
	if a.images != nil {
		go a.images.run(renewCtx)
	}

	bo := backoff{base: a.cfg.BackoffBase, cap: a.cfg.BackoffCap}
	attempt := 0
	for {
		out := a.runStream(ctx)
		if ctx.Err() != nil {
			a.log.Info("stopping; session containers keep running")
			return nil
		}
		if out.welcomed && out.lasted >= a.cfg.HealthyAfter {
			attempt = 0
		}
		delay := bo.delay(attempt)
		attempt++
		if g := out.goodbye; g != nil {
			switch g.GetReason() {
			case agentpb.GoodbyeReason_GOODBYE_REASON_AGENT_DELETED:
				a.log.Error("the server deleted this agent; not reconnecting", "message", g.GetMessage())
				return ErrAgentDeleted
			case agentpb.GoodbyeReason_GOODBYE_REASON_SERVER_SHUTDOWN, agentpb.GoodbyeReason_GOODBYE_REASON_LEASE_EXPIRED:
				delay, attempt = 0, 0
			case agentpb.GoodbyeReason_GOODBYE_REASON_REPLACED:
				a.log.Warn("stream replaced by a newer one for this agent id; another process may be using this identity", "message", g.GetMessage())
			}
			if ra := g.GetReconnectAfter(); ra != nil {
				delay = ra.AsDuration()
			}
		}
		a.log.Info("check-in stream ended; reconnecting", "error", errString(out.err), "goodbye", g2s(out.goodbye), "retry_in", delay)
		select {
		case <-ctx.Done():
			a.log.Info("stopping; session containers keep running")
			return nil
		case <-time.After(delay):
		}
	}
}

// client returns the connection, redialing it when the latest Welcome asked for other
// keepalive settings (they take effect when the agent next dials).
func (a *Agent) client() (agentpb.ManagerServiceClient, error) {
	a.connMu.Lock()
	defer a.connMu.Unlock()
	if a.conn != nil && !sameKeepalive(a.connKA, a.wantKA) {
		a.conn.Close()
		a.conn = nil
	}
	if a.conn == nil {
		opts := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(mutualTLS(a.id, a.cfg.ServerName)))}
		if ka := a.wantKA; ka != nil && ka.GetTime() != nil {
			p := keepalive.ClientParameters{Time: ka.GetTime().AsDuration(), PermitWithoutStream: true}
			if ka.GetTimeout() != nil {
				p.Timeout = ka.GetTimeout().AsDuration()
			}
			opts = append(opts, grpc.WithKeepaliveParams(p))
		}
		conn, err := grpc.NewClient(a.cfg.ServerAddr, append(opts, a.cfg.DialOptions...)...)
		if err != nil {
			return nil, err
		}
		a.conn, a.connKA = conn, a.wantKA
	}
	return agentpb.NewManagerServiceClient(a.conn), nil
}

func (a *Agent) setKeepalive(ka *agentpb.KeepaliveSettings) {
	a.connMu.Lock()
	defer a.connMu.Unlock()
	a.wantKA = ka
}

func (a *Agent) closeConn() {
	a.connMu.Lock()
	defer a.connMu.Unlock()
	if a.conn != nil {
		a.conn.Close()
		a.conn = nil
	}
}

func sameKeepalive(x, y *agentpb.KeepaliveSettings) bool {
	return x.GetTime().AsDuration() == y.GetTime().AsDuration() && x.GetTimeout().AsDuration() == y.GetTimeout().AsDuration()
}

// triggerReport asks for a resource report soon; triggers coalesce.
func (a *Agent) triggerReport() {
	select {
	case a.reportCh <- struct{}{}:
	default:
	}
}

type drainState struct {
	mu sync.Mutex
	on bool
}

func (d *drainState) set(on bool) {
	d.mu.Lock()
	d.on = on
	d.mu.Unlock()
}

func (d *drainState) get() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.on
}

// clockSkew is server time minus agent time, measured at the last Welcome; command deadlines
// are in server time.
type clockSkew struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *clockSkew) set(d time.Duration) {
	c.mu.Lock()
	c.d = d
	c.mu.Unlock()
}

// local converts a server instant to the agent's clock.
func (c *clockSkew) local(server time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return server.Add(-c.d)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func g2s(g *agentpb.Goodbye) string {
	if g == nil {
		return ""
	}
	return g.GetReason().String()
}
