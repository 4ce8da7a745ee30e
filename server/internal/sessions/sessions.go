// Package sessions is the session lifecycle: launching (authorization, placement, the create
// command), destroying, keepalive, the outcome of agent commands, reconciliation with what
// agents report, and the leader-run loops that expire sessions and track agent liveness.
// It speaks model types only; the API and the agent protocol translate.
package sessions

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hotdesk/hotdesk/server/internal/catalog"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Config holds the lifecycle's timings and defaults.
type Config struct {
	// DefaultIdleTimeout and DefaultMaxLifetime apply when a workspace sets none.
	DefaultIdleTimeout time.Duration
	DefaultMaxLifetime time.Duration
	// LeaseTTL without a heartbeat makes an agent unreachable; LostAfter unreachable, lost.
	LeaseTTL  time.Duration
	LostAfter time.Duration
	// LoopInterval is how often the leader checks leases and deadlines.
	LoopInterval time.Duration
	// DefaultCPUAllocation resolves CPU_ALLOCATION_METHOD_INHERIT.
	DefaultCPUAllocation model.CPUAllocation
	// VNCPort is the port session containers serve VNC on.
	VNCPort int
	// DefaultScreen is the desktop size containers start with (HOTDESK_SCREEN, WxH); the
	// connect page resizes it to the browser window.
	DefaultScreen string
}

// DefaultConfig returns production timings.
func DefaultConfig() Config {
	return Config{
		DefaultIdleTimeout:   time.Hour,
		DefaultMaxLifetime:   12 * time.Hour,
		LeaseTTL:             90 * time.Second,
		LostAfter:            10 * time.Minute,
		LoopInterval:         5 * time.Second,
		DefaultCPUAllocation: model.CPUShares,
		VNCPort:              5901,
		DefaultScreen:        "1280x800",
	}
}

// Service runs the lifecycle.
type Service struct {
	store *store.Store
	cfg   Config
	log   *slog.Logger
}

// New returns a Service.
func New(s *store.Store, cfg Config, log *slog.Logger) *Service {
	return &Service{store: s, cfg: cfg, log: log}
}

// Caller is who launches or acts on a session.
type Caller struct {
	UserID string
	Admin  bool
}

func (c Caller) ownerFilter() string {
	if c.Admin {
		return ""
	}
	return c.UserID
}

func (s *Service) idle(w *model.Workspace) time.Duration {
	if w != nil && w.IdleTimeoutSeconds > 0 {
		return time.Duration(w.IdleTimeoutSeconds) * time.Second
	}
	return s.cfg.DefaultIdleTimeout
}

func (s *Service) maxLifetime(w *model.Workspace) time.Duration {
	if w.MaxLifetimeSeconds > 0 {
		return time.Duration(w.MaxLifetimeSeconds) * time.Second
	}
	return s.cfg.DefaultMaxLifetime
}

// placement is what a session of w needs from an agent.
func placement(w *model.Workspace, zoneID string) store.Placement {
	zones := w.ZoneIDs
	if zoneID != "" {
		zones = []string{zoneID}
	}
	c := w.Container
	return store.Placement{
		Need:    model.Capacity{Cores: c.Cores, MemoryMB: c.MemoryMB, GPUs: c.GPUs},
		ZoneIDs: zones, Image: catalog.PullReference(c), Network: c.DockerNetwork,
	}
}

// createCommand builds the create command of session id of workspace w on agent.
func (s *Service) createCommand(w *model.Workspace, id, agentID string) *model.Command {
	c := w.Container
	alloc := c.CPUAllocation
	if alloc == model.CPUInherit || alloc == 0 {
		alloc = s.cfg.DefaultCPUAllocation
	}
	return &model.Command{AgentID: agentID, Kind: model.CommandCreate, SessionID: id, Create: &model.CreateSpec{
		Image: catalog.PullReference(c), Cores: c.Cores, CPUAllocation: alloc, MemoryBytes: c.MemoryMB << 20, GPUs: c.GPUs,
		Network: c.DockerNetwork, Mounts: c.VolumeMappings, RunConfigOverride: c.RunConfigOverride,
		Env:           map[string]string{"HOTDESK_SESSION_ID": id, EnvScreen: s.cfg.DefaultScreen},
		Labels:        map[string]string{"hotdesk.workspace_id": w.ID},
		ContainerPort: s.cfg.VNCPort,
	}}
}

// Launch places a new session of a workspace the caller may use.
func (s *Service) Launch(ctx context.Context, who Caller, workspaceID, zoneID, requestID string) (*model.Session, error) {
	w, err := s.store.GetWorkspace(ctx, workspaceID, "")
	if err != nil {
		return nil, err
	}
	if !who.Admin {
		ok, err := s.store.UserMayLaunch(ctx, who.UserID, workspaceID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, model.PermissionDenied("none of your groups allows workspace %q; ask an administrator to add it to one", w.Name)
		}
	}
	if !w.Enabled {
		return nil, model.FailedPrecondition("WORKSPACE_DISABLED", "workspace %q is disabled", w.Name)
	}
	if w.Kind != model.KindContainer {
		return nil, &model.Error{Code: model.CodeUnimplemented, Reason: "UNIMPLEMENTED",
			Msg: "sessions of server, server-pool and link workspaces are not implemented yet; only container workspaces launch"}
	}
	if zoneID != "" && len(w.ZoneIDs) > 0 && !contains(w.ZoneIDs, zoneID) {
		return nil, model.Invalid("zone_id", "workspace %q may not run in zone %q; allowed: %v", w.Name, zoneID, w.ZoneIDs)
	}
	password, err := newVNCPassword()
	if err != nil {
		return nil, err
	}
	id, err := s.store.LaunchSession(ctx, store.Idem{Scope: who.UserID + "|CreateSession", RequestID: requestID}, store.NewLaunch{
		VNCPassword: password,
		WorkspaceID: w.ID, UserID: who.UserID, IdleTimeoutSeconds: int32(s.idle(w) / time.Second), MaxLifetime: s.maxLifetime(w),
		Placement: placement(w, zoneID),
		Command:   func(sessionID, agentID string) *model.Command { return s.createCommand(w, sessionID, agentID) },
	})
	if err != nil {
		return nil, err
	}
	return s.store.GetSession(ctx, id, "")
}

// Get returns a session the caller may see.
func (s *Service) Get(ctx context.Context, who Caller, id string) (*model.Session, error) {
	return s.store.GetSession(ctx, id, who.ownerFilter())
}

// Destroy ends a session the caller may see.
func (s *Service) Destroy(ctx context.Context, who Caller, id string) (*model.Session, error) {
	reason := "destroyed by its user"
	if who.Admin {
		reason = "destroyed by an administrator"
	}
	return s.store.StopSession(ctx, id, who.ownerFilter(), reason)
}

// KeepAlive extends a session's idle deadline.
func (s *Service) KeepAlive(ctx context.Context, who Caller, id string) (*model.Session, error) {
	sess, err := s.store.GetSession(ctx, id, who.ownerFilter())
	if err != nil {
		return nil, err
	}
	idle := s.cfg.DefaultIdleTimeout
	if sess.IdleTimeoutSeconds > 0 {
		idle = time.Duration(sess.IdleTimeoutSeconds) * time.Second
	}
	return s.store.KeepAlive(ctx, id, who.ownerFilter(), idle)
}

// Result is an agent's answer to a command.
type Result struct {
	OK          bool
	Error       string
	ContainerID string
	HostPort    int
}

// CommandDone applies the outcome of a finished command.
func (s *Service) CommandDone(ctx context.Context, cmd *model.Command, r Result) error {
	switch cmd.Kind {
	case model.CommandCreate:
		if r.OK {
			return s.store.CreateSucceeded(ctx, cmd.SessionID, cmd.AgentID, r.ContainerID, r.HostPort, s.cfg.DefaultIdleTimeout)
		}
		s.log.Warn("agent could not start session container", "session_id", cmd.SessionID, "agent_id", cmd.AgentID, "error", r.Error)
		sess, err := s.store.GetSession(ctx, cmd.SessionID, "")
		if err != nil {
			return err
		}
		w, err := s.store.GetWorkspace(ctx, sess.WorkspaceID, "")
		if model.IsCode(err, model.CodeNotFound) {
			_, err = s.store.StopSession(ctx, sess.ID, "", "workspace deleted while launching")
			return err
		}
		if err != nil {
			return err
		}
		// Retries stay in the zone the launch was placed in.
		return s.store.CreateFailed(ctx, sess.ID, cmd.AgentID, r.Error, placement(w, sess.ZoneID),
			func(sessionID, agentID string) *model.Command { return s.createCommand(w, sessionID, agentID) })
	case model.CommandDestroy:
		if !r.OK {
			s.log.Warn("agent could not remove session container", "session_id", cmd.SessionID, "agent_id", cmd.AgentID, "error", r.Error)
			return nil
		}
		return s.store.DestroyDone(ctx, cmd.SessionID, cmd.AgentID)
	}
	return fmt.Errorf("unknown command kind %q", cmd.Kind)
}

// Report applies an agent's resource report and reconciles its sessions.
func (s *Service) Report(ctx context.Context, agentID string, r *model.AgentReport) error {
	for i, img := range r.Images {
		r.Images[i] = catalog.NormalizeImage(img)
	}
	return s.store.ApplyReport(ctx, agentID, r)
}

// Lead runs the leader's loops (agent liveness, session expiry) until ctx ends.
func (s *Service) Lead(ctx context.Context, fence store.Fence) {
	t := time.NewTicker(s.cfg.LoopInterval)
	defer t.Stop()
	for {
		s.tick(ctx, fence)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) tick(ctx context.Context, fence store.Fence) {
	if n, err := s.store.MarkUnreachable(ctx, fence, s.cfg.LeaseTTL); err != nil {
		s.logLoopErr(ctx, "marking agents unreachable", err)
	} else if n > 0 {
		s.log.Warn("agents stopped checking in", "count", n)
	}
	if n, err := s.store.MarkLost(ctx, fence, s.cfg.LostAfter); err != nil {
		s.logLoopErr(ctx, "marking agents lost", err)
	} else if n > 0 {
		s.log.Warn("agents lost", "count", n)
	}
	due, err := s.store.DueSessions(ctx, 500)
	if err != nil {
		s.logLoopErr(ctx, "finding expired sessions", err)
		return
	}
	for id, reason := range due {
		if _, err := s.store.StopSession(ctx, id, "", reason); err != nil {
			s.logLoopErr(ctx, "expiring session", err)
		}
	}
}

func (s *Service) logLoopErr(ctx context.Context, what string, err error) {
	if ctx.Err() == nil {
		s.log.Error(what, "error", err.Error())
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
