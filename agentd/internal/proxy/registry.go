package proxy

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/internal/wsproxy"
)

// EnvVNCPassword is the container environment variable holding the session's VNC password;
// the server puts it in every create command.
const EnvVNCPassword = "HOTDESK_VNC_PASSWORD"

// Lister is what the registry reads from the container runtime.
type Lister interface {
	List(ctx context.Context) ([]runtime.Container, error)
}

// envReader reads a container's environment (the Docker runtime does), to recover session
// passwords after agentd restarts.
type envReader interface {
	SessionEnv(ctx context.Context, containerID string) (map[string]string, error)
}

type entry struct {
	containerID string
	port        uint16
	password    string
	hasPassword bool
	since       time.Time
}

// Registry knows the sessions this agent runs: where each one's VNC server listens and its
// password. It learns them from the agent's own create and destroy commands and from container
// lists, never from a client.
type Registry struct {
	rt  Lister
	log *slog.Logger

	mu      sync.Mutex
	live    map[string]*entry
	refresh sync.Mutex // one container list at a time
	lastAt  time.Time
	onEnd   func(sessionID string)
}

// NewRegistry returns an empty registry reading rt.
func NewRegistry(rt Lister, log *slog.Logger) *Registry {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Registry{rt: rt, log: log, live: map[string]*entry{}}
}

// OnEnd sets what runs when a session ends here (the proxy closes its connections).
func (r *Registry) OnEnd(f func(sessionID string)) {
	r.mu.Lock()
	r.onEnd = f
	r.mu.Unlock()
}

// Started records a session container the agent created.
func (r *Registry) Started(sessionID, containerID string, port uint16, env map[string]string) {
	pw, ok := env[EnvVNCPassword]
	r.mu.Lock()
	r.live[sessionID] = &entry{containerID: containerID, port: port, password: pw, hasPassword: ok, since: time.Now()}
	r.mu.Unlock()
}

// Ended forgets a session and ends its connections: the agent is about to remove its
// container, so its tokens are refused from now on.
func (r *Registry) Ended(sessionID string) {
	r.mu.Lock()
	delete(r.live, sessionID)
	onEnd := r.onEnd
	r.mu.Unlock()
	if onEnd != nil {
		onEnd(sessionID)
	}
}

// Sync reconciles with a container list taken at listedAt: sessions created since stay.
func (r *Registry) Sync(list []runtime.Container, listedAt time.Time) {
	running := make(map[string]runtime.Container, len(list))
	for _, c := range list {
		if c.State == agentpb.ContainerState_CONTAINER_STATE_RUNNING && c.HostPort != 0 {
			running[c.SessionID] = c
		}
	}
	var gone []string
	r.mu.Lock()
	for sid, e := range r.live {
		c, ok := running[sid]
		switch {
		case ok:
			if e.containerID != c.ID {
				// A new container for the session: its password must be read again.
				e.hasPassword, e.password = false, ""
			}
			e.containerID, e.port = c.ID, c.HostPort
		case e.since.Before(listedAt):
			delete(r.live, sid)
			gone = append(gone, sid)
		}
	}
	for sid, c := range running {
		if _, ok := r.live[sid]; !ok {
			r.live[sid] = &entry{containerID: c.ID, port: c.HostPort, since: listedAt}
		}
	}
	onEnd := r.onEnd
	r.mu.Unlock()
	for _, sid := range gone {
		if onEnd != nil {
			onEnd(sid)
		}
	}
}

// Lookup returns the VNC address and password of a session this agent runs. A session it
// does not know sends it to Docker once (agentd may have restarted); one it does not run is
// refused as ended.
func (r *Registry) Lookup(ctx context.Context, sessionID string) (addr, password string, err error) {
	if e, ok := r.get(sessionID); ok && e.hasPassword {
		return loopback(e.port), e.password, nil
	}
	if err := r.reload(ctx, sessionID); err != nil {
		return "", "", err
	}
	e, ok := r.get(sessionID)
	if !ok {
		return "", "", wsproxy.Refuse(wsproxy.CodeSessionEnded, "the session is not running on its agent any more; it has ended")
	}
	return loopback(e.port), e.password, nil
}

func (r *Registry) get(sessionID string) (entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.live[sessionID]
	if !ok {
		return entry{}, false
	}
	return *e, true
}

// reload lists the containers (at most every half second) and reads the password of
// sessionID's container when it is not known yet.
func (r *Registry) reload(ctx context.Context, sessionID string) error {
	r.refresh.Lock()
	defer r.refresh.Unlock()
	if _, ok := r.get(sessionID); !ok && time.Since(r.lastAt) > 500*time.Millisecond {
		at := time.Now()
		list, err := r.rt.List(ctx)
		if err != nil {
			r.log.Warn("listing session containers for the proxy", "error", err.Error())
			return wsproxy.Refuse(wsproxy.CodeUpstream, "the agent cannot reach its container engine right now; try again")
		}
		r.lastAt = at
		r.Sync(list, at)
	}
	e, ok := r.get(sessionID)
	if !ok || e.hasPassword {
		return nil
	}
	er, ok := r.rt.(envReader)
	if !ok {
		return nil
	}
	env, err := er.SessionEnv(ctx, e.containerID)
	if err != nil {
		r.log.Warn("reading a session container's environment", "session_id", sessionID, "error", err.Error())
		return wsproxy.Refuse(wsproxy.CodeUpstream, "the agent cannot read the session's container right now; try again")
	}
	pw, has := env[EnvVNCPassword]
	r.mu.Lock()
	if cur, ok := r.live[sessionID]; ok && cur.containerID == e.containerID {
		cur.password, cur.hasPassword = pw, true
		_ = has // a container without a password is relayed as is
	}
	r.mu.Unlock()
	return nil
}

func loopback(port uint16) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))) }

// Count is how many sessions the registry knows.
func (r *Registry) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.live)
}
