package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// ConnectTarget is what minting a connect token needs to know about a session.
type ConnectTarget struct {
	Session *model.Session
	// ProxyMode is the session's zone's (1 standard, 2 direct-to-agent; 1 without a zone).
	ProxyMode int
	// AgentURL is the advertise URL of the agent's session proxy ("" when it runs none).
	AgentURL string
}

// GetConnectTarget returns a session (with userID set, only that user's) with its zone's proxy
// mode and its agent's proxy URL, in one query.
func (s *Store) GetConnectTarget(ctx context.Context, sessionID, userID string) (*ConnectTarget, error) {
	t := &ConnectTarget{}
	row := s.pool.QueryRow(ctx, `SELECT `+sessionCols+`,
			coalesce((SELECT proxy_mode FROM zones WHERE zones.id = sessions.zone_id), 1),
			coalesce((SELECT advertise_url FROM agents WHERE agents.id = sessions.agent_id), '')
		FROM sessions WHERE id = $1 AND ($2 = '' OR user_id::text = $2)`, sessionID, userID)
	sess, err := scanSession(scanExtra{row: row, extra: []any{&t.ProxyMode, &t.AgentURL}})
	if err != nil {
		return nil, mapErr(notFoundIfNoRows(err, "session", sessionID), "")
	}
	t.Session = sess
	return t, nil
}

// SetAdvertiseURL records where an agent's session proxy listens (from its Hello).
func (s *Store) SetAdvertiseURL(ctx context.Context, agentID, url string) error {
	_, err := s.pool.Exec(ctx, `UPDATE agents SET advertise_url = $2 WHERE id = $1 AND advertise_url <> $2`, agentID, url)
	return err
}

// SessionVNCPassword returns a session's VNC password, decrypted ("" when it has none).
func (s *Store) SessionVNCPassword(ctx context.Context, sessionID string) (string, error) {
	var sealed []byte
	if err := s.pool.QueryRow(ctx, `SELECT vnc_password FROM sessions WHERE id = $1`, sessionID).Scan(&sealed); err != nil {
		return "", notFoundIfNoRows(err, "session", sessionID)
	}
	pw, err := s.box.Open(sealed, vncPasswordAD(sessionID))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUndecryptable, err)
	}
	return pw, nil
}

// ErrUndecryptable means a sealed secret does not open with this server's key.
var ErrUndecryptable = errors.New("sealed secret does not decrypt with the server's key")

// vncPasswordAD binds a sealed VNC password to its session row.
func vncPasswordAD(sessionID string) string { return "session/" + sessionID }

// scanExtra scans a row's leading columns with scanSession and the rest into extra.
type scanExtra struct {
	row   pgx.Row
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }
