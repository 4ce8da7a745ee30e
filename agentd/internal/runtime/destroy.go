package runtime

import (
	"context"
	"math"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
)

// DestroySession stops a session's container (SIGTERM, then SIGKILL after stopTimeout) and
// removes it with its anonymous volumes. When containerID is set, the container must carry the
// session's label; when it is gone (or unset), the container is looked up by the label.
func (d *Docker) DestroySession(ctx context.Context, sessionID, containerID string, stopTimeout *time.Duration) (bool, error) {
	if sessionID == "" {
		return false, errorf(codeInvalid, "session_id is empty")
	}
	id := ""
	if containerID != "" {
		insp, err := d.cli.ContainerInspect(ctx, containerID)
		switch {
		case err == nil:
			l := map[string]string{}
			if insp.Config != nil {
				l = insp.Config.Labels
			}
			if l[LabelManaged] != "true" || l[LabelSessionID] != sessionID || (d.agentID != "" && l[LabelAgentID] != d.agentID) {
				return false, errorf(codeInvalid, "container %s is not session %s's container on this agent", shortID(containerID), sessionID)
			}
			id = insp.ID
		case cerrdefs.IsNotFound(err):
			// Fall through to the label: the server's id may be stale.
		default:
			return false, engineErr("inspect container", err)
		}
	}
	if id == "" {
		c, ok, err := d.findSession(ctx, sessionID)
		if err != nil {
			return false, err
		}
		if !ok {
			return true, nil
		}
		id = c.ID
	}
	opts := container.StopOptions{}
	if stopTimeout != nil {
		secs := int(math.Ceil(stopTimeout.Seconds()))
		opts.Timeout = &secs
	}
	if err := d.cli.ContainerStop(ctx, id, opts); err != nil && !cerrdefs.IsNotFound(err) {
		if Code(err) != codeInternal {
			return false, engineErr("stop container", err)
		}
		// Otherwise the forced remove below kills it anyway.
	}
	err := d.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	switch {
	case err == nil, cerrdefs.IsNotFound(err):
		return false, nil
	case cerrdefs.IsConflict(err):
		// "removal already in progress": another destroy of the same session got there first.
		return false, nil
	}
	return false, engineErr("remove container", err)
}
