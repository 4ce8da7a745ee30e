package proxy

import (
	"context"
	"time"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// Tracked is the Docker runtime with the registry kept up to date: creates register a
// session, destroys end it (its connections close before its container goes), and every
// container list reconciles. Every other method of the Docker runtime passes through.
type Tracked struct {
	*runtime.Docker
	reg *Registry
}

// Track wraps d so that reg follows its session containers.
func Track(d *runtime.Docker, reg *Registry) *Tracked { return &Tracked{Docker: d, reg: reg} }

// CreateSession creates the container and registers the session.
func (t *Tracked) CreateSession(ctx context.Context, cmd *agentpb.CreateSessionContainer) (runtime.Created, error) {
	out, err := t.Docker.CreateSession(ctx, cmd)
	if err == nil && out.HostPort != 0 {
		t.reg.Started(cmd.GetSessionId(), out.ContainerID, out.HostPort, cmd.GetEnv())
	}
	return out, err
}

// DestroySession ends the session's connections, then removes its container.
func (t *Tracked) DestroySession(ctx context.Context, sessionID, containerID string, stopTimeout *time.Duration) (bool, error) {
	t.reg.Ended(sessionID)
	return t.Docker.DestroySession(ctx, sessionID, containerID, stopTimeout)
}

// List lists the session containers and reconciles the registry with them.
func (t *Tracked) List(ctx context.Context) ([]runtime.Container, error) {
	at := time.Now()
	list, err := t.Docker.List(ctx)
	if err == nil {
		t.reg.Sync(list, at)
	}
	return list, err
}
