package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// caAssociated binds the sealed CA key to its row.
const caAssociated = "server_ca"

// enrollRetryWindow is how long after a token was consumed the same request_id may enroll again
// (a retry after a lost reply); later, the token is simply "already used".
const enrollRetryWindow = time.Hour

// LoadOrCreateCA returns the CA certificate and private key (PEM) that every replica shares.
// On a database without one it stores what create makes; replicas racing here all end up with
// the CA that was stored first.
func (s *Store) LoadOrCreateCA(ctx context.Context, create func() (certPEM, keyPEM []byte, err error)) (certPEM, keyPEM []byte, err error) {
	certPEM, keyPEM, err = s.loadCA(ctx)
	if !errors.Is(err, pgx.ErrNoRows) {
		return certPEM, keyPEM, err
	}
	c, k, err := create()
	if err != nil {
		return nil, nil, err
	}
	enc, err := s.box.Seal(string(k), caAssociated)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO server_ca (id, cert_pem, key_enc) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
		string(c), enc); err != nil {
		return nil, nil, err
	}
	return s.loadCA(ctx)
}

func (s *Store) loadCA(ctx context.Context) (certPEM, keyPEM []byte, err error) {
	var cert string
	var enc []byte
	if err := s.pool.QueryRow(ctx, `SELECT cert_pem, key_enc FROM server_ca WHERE id = 1`).Scan(&cert, &enc); err != nil {
		return nil, nil, err
	}
	key, err := s.box.Open(enc, caAssociated)
	if err != nil {
		return nil, nil, err
	}
	return []byte(cert), []byte(key), nil
}

// CreateEnrollmentToken stores a new token by the hash of its secret and returns when it
// expires (the database's clock decides, as it does when the token is consumed). zoneID and
// createdBy may be empty.
func (s *Store) CreateEnrollmentToken(ctx context.Context, hash []byte, zoneID string, role int, ttl time.Duration, createdBy string) (time.Time, error) {
	var expire time.Time
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if zoneID != "" {
			missing, err := missingZones(ctx, tx, []string{zoneID})
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return model.Invalid("zone_id", "no zone with id %s", zoneID)
			}
		}
		return tx.QueryRow(ctx, `INSERT INTO enrollment_tokens (token_hash, zone_id, role, expire_time, created_by)
			VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5) RETURNING expire_time`,
			hash, nullUUID(zoneID), role, ttl.Seconds(), nullUUID(createdBy)).Scan(&expire)
	})
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" { // the zone was deleted meanwhile
		return time.Time{}, model.Invalid("zone_id", "no zone with id %s", zoneID)
	}
	return expire, mapErr(err, "")
}

// Enrollment is one Enroll call as the store sees it.
type Enrollment struct {
	TokenHash []byte
	// RequestID, when set, lets a retry of this call succeed after the token is consumed.
	RequestID string
	Hostname  string
	Version   string
}

// Enrolled is the outcome of EnrollAgent.
type Enrolled struct {
	AgentID string
	ZoneID  string
	Role    int
	// Retry is set when the token had already been consumed by this request id: the agent is
	// the one enrolled then, with a new certificate.
	Retry bool
}

// IssueFunc signs the certificate of agent agentID with role role and returns its serial. An
// error (a role the caller did not ask for, say) undoes the enrollment and leaves the token
// unused.
type IssueFunc func(agentID string, role int) (serial string, err error)

// EnrollAgent consumes an enrollment token and registers the new agent (PENDING, enabled, in
// the token's zone and role) with the serial of the certificate issue signs, all in one
// transaction. A consumed token fails with Unauthenticated "already used", an expired or
// unknown one with Unauthenticated "expired or unknown" — except for a retry: the same
// request_id within enrollRetryWindow of the first use, while the agent has not checked in
// yet, gets the same agent and a new certificate (the old one stops working).
func (s *Store) EnrollAgent(ctx context.Context, e Enrollment, issue IssueFunc) (*Enrolled, error) {
	var out *Enrolled
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		id := newID()
		var zone string
		var role int
		err := tx.QueryRow(ctx, `UPDATE enrollment_tokens SET used_time = now(), agent_id = $2, request_id = $3
			WHERE token_hash = $1 AND used_time IS NULL AND expire_time > now()
			RETURNING coalesce(zone_id::text, ''), role`, e.TokenHash, id, e.RequestID).Scan(&zone, &role)
		if errors.Is(err, pgx.ErrNoRows) {
			out, err = reenroll(ctx, tx, e, issue)
			return err
		}
		if err != nil {
			return err
		}
		serial, err := issue(id, role)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agents (id, hostname, zone_id, role, cert_serial, version, state, enabled)
			VALUES ($1, $2, $3, $4, $5, $6, $7, true)`, id, e.Hostname, nullUUID(zone), role, serial, e.Version, model.AgentPending); err != nil {
			return err
		}
		out = &Enrolled{AgentID: id, ZoneID: zone, Role: role}
		return nil
	})
	return out, mapErr(err, "")
}

var (
	errTokenUsed    = model.Unauthenticated("the enrollment token was already used; ask an administrator for a new one")
	errTokenExpired = model.Unauthenticated("the enrollment token is expired or unknown; ask an administrator for a new one")
)

// reenroll explains why the token was not consumable, or serves a retry of the call that
// consumed it.
func reenroll(ctx context.Context, tx pgx.Tx, e Enrollment, issue IssueFunc) (*Enrolled, error) {
	var agentID, requestID string
	var used, recent bool
	err := tx.QueryRow(ctx, `SELECT coalesce(agent_id::text, ''), request_id, used_time IS NOT NULL,
		coalesce(used_time > now() - make_interval(secs => $2), false) FROM enrollment_tokens WHERE token_hash = $1`,
		e.TokenHash, enrollRetryWindow.Seconds()).Scan(&agentID, &requestID, &used, &recent)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !used) {
		return nil, errTokenExpired
	}
	if err != nil {
		return nil, err
	}
	if e.RequestID == "" || requestID != e.RequestID || !recent || agentID == "" {
		return nil, errTokenUsed
	}
	var zone string
	var role, state int
	err = tx.QueryRow(ctx, `SELECT coalesce(zone_id::text, ''), role, state FROM agents WHERE id = $1 FOR UPDATE`, agentID).Scan(&zone, &role, &state)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && state != model.AgentPending) {
		// Deleted, or it has checked in since: the first reply was not lost after all.
		return nil, errTokenUsed
	}
	if err != nil {
		return nil, err
	}
	serial, err := issue(agentID, role)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE agents SET cert_serial = $2, hostname = $3, version = $4, update_time = now() WHERE id = $1`,
		agentID, serial, e.Hostname, e.Version); err != nil {
		return nil, err
	}
	return &Enrolled{AgentID: agentID, ZoneID: zone, Role: role, Retry: true}, nil
}

// AgentCertSerial returns the serial of the agent's current client certificate; NotFound when
// the agent does not exist (it was deleted).
func (s *Store) AgentCertSerial(ctx context.Context, agentID string) (string, error) {
	var serial string
	err := s.pool.QueryRow(ctx, `SELECT cert_serial FROM agents WHERE id = $1`, agentID).Scan(&serial)
	return serial, mapErr(notFoundIfNoRows(err, "agent", agentID), "")
}

// RenewAgentCert replaces the agent's certificate serial with the one issue signs, provided the
// current one is still oldSerial: of two renewals with the same certificate only one wins, and
// the other fails with Unauthenticated. NotFound when the agent does not exist.
func (s *Store) RenewAgentCert(ctx context.Context, agentID, oldSerial string, issue IssueFunc) error {
	return mapErr(s.inTx(ctx, func(tx pgx.Tx) error {
		var current string
		var role int
		err := tx.QueryRow(ctx, `SELECT cert_serial, role FROM agents WHERE id = $1 FOR UPDATE`, agentID).Scan(&current, &role)
		if err != nil {
			return notFoundIfNoRows(err, "agent", agentID)
		}
		if current != oldSerial {
			return model.Unauthenticated("this client certificate was replaced by a newer one; use the newest")
		}
		serial, err := issue(agentID, role)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE agents SET cert_serial = $2, update_time = now() WHERE id = $1`, agentID, serial)
		return err
	}), "")
}

// PruneEnrollmentTokens deletes tokens that expired more than maxAge ago.
func (s *Store) PruneEnrollmentTokens(ctx context.Context, maxAge time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM enrollment_tokens WHERE expire_time < now() - make_interval(secs => $1)`, maxAge.Seconds())
	return err
}
