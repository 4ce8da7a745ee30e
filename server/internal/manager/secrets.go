package manager

import (
	"context"
	"errors"

	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/sessions"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// addSecrets puts a create command's secrets (the session's VNC password) into the message
// about to go to the agent. Stored commands never hold them: they live sealed in the session
// row and are opened only here.
func (m *Manager) addSecrets(ctx context.Context, cmd *model.Command) error {
	if cmd.Kind != model.CommandCreate || cmd.Create == nil {
		return nil
	}
	pw, err := m.store.SessionVNCPassword(ctx, cmd.SessionID)
	if model.IsCode(err, model.CodeNotFound) {
		return nil
	}
	if errors.Is(err, store.ErrUndecryptable) {
		// Retrying cannot help (another secret key sealed it): the container starts without
		// a password and the proxy reports that it cannot log in.
		m.log.Error("cannot decrypt a session's VNC password; was the server's secret key changed?", "session_id", cmd.SessionID)
		return nil
	}
	if err != nil || pw == "" {
		return err
	}
	env := make(map[string]string, len(cmd.Create.Env)+1)
	for k, v := range cmd.Create.Env {
		env[k] = v
	}
	env[sessions.EnvVNCPassword] = pw
	cmd.Create.Env = env
	return nil
}
