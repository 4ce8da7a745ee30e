package runtime

import (
	"context"
	"strings"
)

// SessionEnv returns a container's environment (what it was created with), for agentd's
// proxy to recover a session's VNC password after a restart.
func (d *Docker) SessionEnv(ctx context.Context, containerID string) (map[string]string, error) {
	insp, err := d.cli.ContainerInspect(ctx, containerID)
	if err != nil {
		return nil, engineErr("inspect container", err)
	}
	out := map[string]string{}
	if insp.Config != nil {
		for _, kv := range insp.Config.Env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				out[k] = v
			}
		}
	}
	return out, nil
}
