package runtime

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// List returns this agent's session containers, running or not, oldest first.
func (d *Docker) List(ctx context.Context) ([]Container, error) {
	cs, err := d.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: d.managedFilter("")})
	if err != nil {
		return nil, engineErr("list containers", err)
	}
	out := make([]Container, 0, len(cs))
	for _, c := range cs {
		sid := c.Labels[LabelSessionID]
		if sid == "" {
			continue
		}
		out = append(out, Container{
			ID:        c.ID,
			SessionID: sid,
			State:     stateOf(c.State),
			HostPort:  publishedPort(c),
			Created:   time.Unix(c.Created, 0).UTC(),
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func publishedPort(c container.Summary) uint16 {
	want, err := strconv.ParseUint(c.Labels[LabelContainerPort], 10, 16)
	if err != nil {
		return 0
	}
	var port uint16
	for _, p := range c.Ports {
		if uint64(p.PrivatePort) != want || p.Type != "tcp" || p.PublicPort == 0 {
			continue
		}
		if p.IP == "127.0.0.1" {
			return p.PublicPort
		}
		port = p.PublicPort
	}
	return port
}

func stateOf(s container.ContainerState) agentpb.ContainerState {
	switch s {
	case container.StateCreated:
		return agentpb.ContainerState_CONTAINER_STATE_CREATED
	case container.StateRunning:
		return agentpb.ContainerState_CONTAINER_STATE_RUNNING
	case container.StatePaused:
		return agentpb.ContainerState_CONTAINER_STATE_PAUSED
	case container.StateRestarting:
		return agentpb.ContainerState_CONTAINER_STATE_RESTARTING
	case container.StateRemoving:
		return agentpb.ContainerState_CONTAINER_STATE_REMOVING
	case container.StateExited:
		return agentpb.ContainerState_CONTAINER_STATE_EXITED
	case container.StateDead:
		return agentpb.ContainerState_CONTAINER_STATE_DEAD
	}
	return agentpb.ContainerState_CONTAINER_STATE_UNSPECIFIED
}
