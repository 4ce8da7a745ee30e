package runtime

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
)

// Options configure the Docker runtime.
type Options struct {
	// Host is the engine address in DOCKER_HOST form (e.g. unix:///var/run/docker.sock); empty
	// takes DOCKER_HOST and the other DOCKER_* variables from the environment.
	Host string
	// AgentID is written into every container's hotdesk.agent_id label and scopes List,
	// lookups and reconciliation to this agent's containers, so two agents (or a test suite)
	// sharing one engine never touch each other's sessions. Empty means every managed
	// container on the engine.
	AgentID string
}

// Docker is the Runtime backed by the Docker Engine API. The API version is negotiated with
// the engine, so Debian's 20.10 (API 1.41) and newer engines both work.
type Docker struct {
	cli     *client.Client
	agentID string
	// creating serializes creates of the same session: a redelivered command may run beside
	// the first, and two racers adopting one half-started container could undo each other.
	creating keyedLock // by session id
}

var _ Runtime = (*Docker)(nil)

// NewDocker connects to the engine lazily: the first call negotiates the API version.
func NewDocker(opts Options) (*Docker, error) {
	clientOpts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if opts.Host != "" {
		clientOpts = append(clientOpts, client.WithHost(opts.Host))
	}
	cli, err := client.NewClientWithOpts(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return &Docker{cli: cli, agentID: opts.AgentID}, nil
}

// Close releases the client's connections.
func (d *Docker) Close() error { return d.cli.Close() }

// Ping checks that the engine answers.
func (d *Docker) Ping(ctx context.Context) error {
	if _, err := d.cli.Ping(ctx); err != nil {
		return engineErr("docker ping", err)
	}
	return nil
}

// managedFilter selects this agent's session containers, optionally of one session.
func (d *Docker) managedFilter(sessionID string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", LabelManaged+"=true"))
	if d.agentID != "" {
		f.Add("label", LabelAgentID+"="+d.agentID)
	}
	if sessionID != "" {
		f.Add("label", LabelSessionID+"="+sessionID)
	}
	return f
}

// findSession returns the container labeled with sessionID, if any.
func (d *Docker) findSession(ctx context.Context, sessionID string) (container.Summary, bool, error) {
	cs, err := d.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: d.managedFilter(sessionID)})
	if err != nil {
		return container.Summary{}, false, engineErr("list containers", err)
	}
	if len(cs) == 0 {
		return container.Summary{}, false, nil
	}
	// The container name makes two impossible; should a hand-made copy appear, prefer the
	// running one so the session keeps the container its user is on.
	best := cs[0]
	for _, c := range cs[1:] {
		if c.State == container.StateRunning && best.State != container.StateRunning {
			best = c
		}
	}
	return best, true, nil
}
