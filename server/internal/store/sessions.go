package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// Notification channels (Postgres LISTEN/NOTIFY) that fan changes out to every replica.
const (
	ChannelAgentCommands = "hotdesk_agent_cmd"    // payload: agent id with new commands
	ChannelSessions      = "hotdesk_session"      // payload: session id that changed
	ChannelAgentStreams  = "hotdesk_agent_stream" // payload: "<agent id> <epoch>" of the newest stream
)

const sessionCols = `id::text, workspace_id::text, user_id::text, coalesce(zone_id::text, ''), coalesce(agent_id::text, ''),
	state, state_reason, container_id, host_port, cores, memory_mb, gpus, tried_agents::text[], idle_timeout_seconds,
	create_time, start_time, expire_time, max_expire_time, end_time, update_time`

func scanSession(row pgx.Row) (*model.Session, error) {
	var s model.Session
	err := row.Scan(&s.ID, &s.WorkspaceID, &s.UserID, &s.ZoneID, &s.AgentID, &s.State, &s.StateReason, &s.ContainerID,
		&s.HostPort, &s.Reserved.Cores, &s.Reserved.MemoryMB, &s.Reserved.GPUs, &s.TriedAgents, &s.IdleTimeoutSeconds,
		&s.CreateTime, &s.StartTime, &s.ExpireTime, &s.MaxExpireTime, &s.EndTime, &s.UpdateTime)
	return &s, err
}

// Placement is what a session needs from an agent.
type Placement struct {
	Need    model.Capacity
	ZoneIDs []string // allowed zones; empty means any
	Image   string   // normalized image reference the agent must hold
	Network string   // Docker network the agent must have; "" for none
	Exclude []string // agents already tried
}

// capacity expressions: an administrator's override replaces the reported value.
const (
	capCores  = `(CASE WHEN override_cores > 0 THEN override_cores ELSE reported_cores END)`
	capMemory = `(CASE WHEN override_memory_mb > 0 THEN override_memory_mb ELSE reported_memory_mb END)`
	capGPUs   = `(CASE WHEN override_gpus > 0 THEN override_gpus ELSE reported_gpus END)`
)

// reserveAgent picks the least loaded eligible agent with room and reserves the capacity in
// one conditional UPDATE, so concurrent launches can never oversubscribe an agent: a launch
// that loses the race for an agent's last room simply moves to the next candidate.
//
// The first choice skips agents whose row a concurrent transaction holds (another launch,
// mostly): launches arriving together would otherwise all pick the same least loaded agent and
// queue on its row, each waiting for the whole transaction before it. Only when every eligible
// agent is held does a launch wait, so locks never make it report "no room".
func reserveAgent(ctx context.Context, tx pgx.Tx, p Placement) (agentID, zoneID string, err error) {
	exclude := p.Exclude
	if exclude == nil {
		exclude = []string{}
	}
	zones := p.ZoneIDs
	if zones == nil {
		zones = []string{}
	}
	eligible := `SELECT id::text FROM agents
		WHERE enabled AND state = $1 AND role = 1 AND NOT (id = ANY ($2::uuid[]))
		  AND (cardinality($3::uuid[]) = 0 OR zone_id = ANY ($3::uuid[]))
		  AND $4 = ANY (images) AND ($5 = '' OR $5 = ANY (networks))
		  AND ` + capCores + ` - used_cores >= $6 AND ` + capMemory + ` - used_memory_mb >= $7 AND ` + capGPUs + ` - used_gpus >= $8
		ORDER BY used_cores / greatest(` + capCores + `, 0.001), session_count, random()`
	args := []any{model.AgentOnline, exclude, zones, p.Image, p.Network, p.Need.Cores, p.Need.MemoryMB, p.Need.GPUs}
	var free string
	switch err := tx.QueryRow(ctx, eligible+` LIMIT 1 FOR UPDATE SKIP LOCKED`, args...).Scan(&free); {
	case err == nil:
		if agentID, zoneID, err = reserveOn(ctx, tx, free, p.Need); err != nil || agentID != "" {
			return agentID, zoneID, err
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return "", "", err
	}
	rows, err := tx.Query(ctx, eligible+` LIMIT 8`, args...)
	if err != nil {
		return "", "", err
	}
	candidates, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", "", err
	}
	for _, id := range candidates {
		if agentID, zoneID, err = reserveOn(ctx, tx, id, p.Need); err != nil || agentID != "" {
			return agentID, zoneID, err
		}
	}
	return "", "", nil
}

// reserveOn reserves need on agent id if it still has room; agentID is empty when it has not.
func reserveOn(ctx context.Context, tx pgx.Tx, id string, need model.Capacity) (agentID, zoneID string, err error) {
	err = tx.QueryRow(ctx, `UPDATE agents SET used_cores = used_cores + $2, used_memory_mb = used_memory_mb + $3,
		used_gpus = used_gpus + $4, session_count = session_count + 1
		WHERE id = $1 AND enabled AND state = $5 AND `+capCores+` - used_cores >= $2 AND `+capMemory+` - used_memory_mb >= $3
		  AND `+capGPUs+` - used_gpus >= $4 RETURNING coalesce(zone_id::text, '')`,
		id, need.Cores, need.MemoryMB, need.GPUs, model.AgentOnline).Scan(&zoneID)
	switch {
	case err == nil:
		return id, zoneID, nil
	case errors.Is(err, pgx.ErrNoRows):
		return "", "", nil
	}
	return "", "", err
}

func releaseCapacity(ctx context.Context, tx pgx.Tx, s *model.Session) error {
	_, err := tx.Exec(ctx, `UPDATE agents SET used_cores = greatest(used_cores - $2, 0), used_memory_mb = greatest(used_memory_mb - $3, 0),
		used_gpus = greatest(used_gpus - $4, 0), session_count = greatest(session_count - 1, 0) WHERE id = $1`,
		s.AgentID, s.Reserved.Cores, s.Reserved.MemoryMB, s.Reserved.GPUs)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE sessions SET reserved = false WHERE id = $1`, s.ID)
	return err
}

// ExplainNoRoom says why no agent could take p: FAILED_PRECONDITION when no eligible agent
// could ever fit it, RESOURCE_EXHAUSTED when they are merely full right now.
func (s *Store) ExplainNoRoom(ctx context.Context, p Placement) error {
	zones := p.ZoneIDs
	if zones == nil {
		zones = []string{}
	}
	var online, withImage, fits int
	var maxCores float64
	var maxMem int64
	err := s.pool.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE $2 = ANY (images) AND ($3 = '' OR $3 = ANY (networks))),
			count(*) FILTER (WHERE $2 = ANY (images) AND ($3 = '' OR $3 = ANY (networks)) AND `+capCores+` >= $4
				AND `+capMemory+` >= $5 AND `+capGPUs+` >= $6),
			coalesce(max(`+capCores+`), 0), coalesce(max(`+capMemory+`), 0)
		FROM agents WHERE enabled AND state = $7 AND role = 1 AND (cardinality($1::uuid[]) = 0 OR zone_id = ANY ($1::uuid[]))`,
		zones, p.Image, p.Network, p.Need.Cores, p.Need.MemoryMB, p.Need.GPUs, model.AgentOnline).
		Scan(&online, &withImage, &fits, &maxCores, &maxMem)
	if err != nil {
		return err
	}
	switch {
	case online == 0:
		return model.FailedPrecondition("NO_AGENTS", "no enabled, online agent serves the workspace's zones; start or enable an agent")
	case withImage == 0:
		msg := fmt.Sprintf("no online agent holds image %q", p.Image)
		if p.Network != "" {
			msg += fmt.Sprintf(" with Docker network %q", p.Network)
		}
		return model.FailedPrecondition("IMAGE_NOT_PRESENT", "%s; wait for the agents to pull it or load it on them", msg)
	case fits == 0:
		return model.FailedPrecondition("WORKSPACE_TOO_LARGE", "the workspace needs %.3g cores, %d MiB and %d GPUs per session, more than any online agent offers (largest: %.3g cores, %d MiB); lower its settings or raise agent overrides",
			p.Need.Cores, p.Need.MemoryMB, p.Need.GPUs, maxCores, maxMem)
	}
	return &model.Error{Code: model.CodeResourceExhausted, Reason: "NO_CAPACITY",
		Msg: fmt.Sprintf("all %d agents that can run the workspace are full right now; try again later or add agents", fits)}
}

// enqueueCommand assigns the agent's next sequence number to cmd and stores it; the
// notification reaches the replica holding the agent's stream when the transaction commits.
func enqueueCommand(ctx context.Context, tx pgx.Tx, cmd *model.Command) error {
	payload, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `UPDATE agents SET next_seq = next_seq + 1 WHERE id = $1 RETURNING next_seq - 1`, cmd.AgentID).Scan(&cmd.Seq); err != nil {
		return notFoundIfNoRows(err, "agent", cmd.AgentID)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO agent_commands (agent_id, seq, session_id, payload) VALUES ($1, $2, $3, $4)`,
		cmd.AgentID, cmd.Seq, nullUUID(cmd.SessionID), payload); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelAgentCommands, cmd.AgentID)
	return err
}

func notifySession(ctx context.Context, tx pgx.Tx, id string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelSessions, id)
	return err
}

// NewLaunch describes a session to place.
type NewLaunch struct {
	WorkspaceID        string
	UserID             string
	IdleTimeoutSeconds int32
	MaxLifetime        time.Duration
	Placement          Placement
	// Command builds the create command once the session id and agent are known.
	Command func(sessionID, agentID string) *model.Command
	// VNCPassword is the session's VNC password, stored sealed to the session's row; the
	// agent gets it with the create command and never from the stored command.
	VNCPassword string
}

// LaunchSession places a new session on an agent, reserving its capacity and queueing the
// create command, all in one transaction. It returns the session id, or a model error saying
// why no agent could take it.
func (s *Store) LaunchSession(ctx context.Context, idem Idem, l NewLaunch) (string, error) {
	var noRoom bool
	id, err := s.create(ctx, idem, func(tx pgx.Tx) (string, error) {
		agentID, zoneID, err := reserveAgent(ctx, tx, l.Placement)
		if err != nil {
			return "", err
		}
		if agentID == "" {
			noRoom = true
			return "", errNoRoom
		}
		id := newID()
		need := l.Placement.Need
		sealed, err := s.box.Seal(l.VNCPassword, vncPasswordAD(id))
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (id, workspace_id, user_id, zone_id, agent_id, state, cores, memory_mb,
			gpus, reserved, idle_timeout_seconds, max_expire_time, vnc_password) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10,
			now() + $11::interval, $12)`, id, l.WorkspaceID, l.UserID, nullUUID(zoneID), agentID, model.SessionStarting,
			need.Cores, need.MemoryMB, need.GPUs, l.IdleTimeoutSeconds, l.MaxLifetime.String(), sealed); err != nil {
			return "", err
		}
		if err := enqueueCommand(ctx, tx, l.Command(id, agentID)); err != nil {
			return "", err
		}
		return id, notifySession(ctx, tx, id)
	})
	if noRoom {
		return "", s.ExplainNoRoom(ctx, l.Placement)
	}
	return id, err
}

var errNoRoom = errors.New("no agent has room")

// GetSession returns one session; with userID set, only that user's.
func (s *Store) GetSession(ctx context.Context, id, userID string) (*model.Session, error) {
	sess, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1 AND ($2 = '' OR user_id::text = $2)`, id, userID))
	return sess, mapErr(notFoundIfNoRows(err, "session", id), "")
}

// SessionFilter narrows ListSessions.
type SessionFilter struct {
	UserID, WorkspaceID, AgentID string
	IncludeEnded                 bool
}

// ListSessions returns a page of sessions, newest first.
func (s *Store) ListSessions(ctx context.Context, p model.Page, f SessionFilter) ([]*model.Session, bool, error) {
	n := pageSize(p)
	before := p.After
	if before == "" {
		before = "ffffffff-ffff-ffff-ffff-ffffffffffff"
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id < $1
		AND ($2 = '' OR user_id::text = $2) AND ($3 = '' OR workspace_id::text = $3) AND ($4 = '' OR agent_id::text = $4)
		AND ($5 OR end_time IS NULL) ORDER BY sessions.id DESC LIMIT $6`, before, f.UserID, f.WorkspaceID, f.AgentID, f.IncludeEnded, n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Session, error) { return scanSession(r) })
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}

// withSession runs fn on the locked session row, notifies watchers afterwards, and returns
// the session as fn left it.
func (s *Store) withSession(ctx context.Context, id string, fn func(tx pgx.Tx, sess *model.Session) error) (*model.Session, error) {
	var out *model.Session
	err := s.updateSession(ctx, id, func(tx pgx.Tx, sess *model.Session) error {
		if err := fn(tx, sess); err != nil {
			return err
		}
		var err error
		out, err = scanSession(tx.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1`, id))
		return err
	})
	return out, err
}

// updateSession is withSession for callers that do not need the session back (the agents'
// command results): one statement less per call.
func (s *Store) updateSession(ctx context.Context, id string, fn func(tx pgx.Tx, sess *model.Session) error) error {
	return mapErr(s.inTx(ctx, func(tx pgx.Tx) error {
		sess, err := scanSession(tx.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFoundIfNoRows(err, "session", id)
		}
		if err := fn(tx, sess); err != nil {
			return err
		}
		return notifySession(ctx, tx, id)
	}), "")
}

// endSession moves a session to a final state, releasing its capacity.
func endSession(ctx context.Context, tx pgx.Tx, sess *model.Session, state model.SessionState, reason string) error {
	if sess.AgentID != "" {
		var reserved bool
		if err := tx.QueryRow(ctx, `SELECT reserved FROM sessions WHERE id = $1`, sess.ID).Scan(&reserved); err != nil {
			return err
		}
		if reserved {
			if err := releaseCapacity(ctx, tx, sess); err != nil {
				return err
			}
		}
	}
	_, err := tx.Exec(ctx, `UPDATE sessions SET state = $2, state_reason = $3, end_time = now(), update_time = now() WHERE id = $1`,
		sess.ID, state, reason)
	return err
}

func setState(ctx context.Context, tx pgx.Tx, id string, state model.SessionState, reason string) error {
	_, err := tx.Exec(ctx, `UPDATE sessions SET state = $2, state_reason = $3, update_time = now() WHERE id = $1`, id, state, reason)
	return err
}

// StopSession asks for a session to end: a session with a container gets a destroy command
// and is STOPPING; one without (failed, or never placed) ends at once.
func (s *Store) StopSession(ctx context.Context, id, userID, reason string) (*model.Session, error) {
	return s.withSession(ctx, id, func(tx pgx.Tx, sess *model.Session) error {
		if userID != "" && sess.UserID != userID {
			return model.NotFound("session", id)
		}
		if sess.State.Ended() || sess.State == model.SessionStopping {
			return nil
		}
		if sess.AgentID == "" {
			return endSession(ctx, tx, sess, model.SessionStopped, reason)
		}
		if err := setState(ctx, tx, id, model.SessionStopping, reason); err != nil {
			return err
		}
		return enqueueCommand(ctx, tx, &model.Command{AgentID: sess.AgentID, Kind: model.CommandDestroy, SessionID: id,
			Destroy: &model.DestroySpec{ContainerID: sess.ContainerID, Reason: reason}})
	})
}

// KeepAlive pushes a running session's idle deadline out, never past its maximum lifetime.
func (s *Store) KeepAlive(ctx context.Context, id, userID string, idle time.Duration) (*model.Session, error) {
	return s.withSession(ctx, id, func(tx pgx.Tx, sess *model.Session) error {
		if userID != "" && sess.UserID != userID {
			return model.NotFound("session", id)
		}
		if sess.State.Ended() || sess.State == model.SessionStopping {
			return model.FailedPrecondition("SESSION_ENDED", "session %q has ended (%s); launch a new one", id, sess.StateReason)
		}
		_, err := tx.Exec(ctx, `UPDATE sessions SET expire_time = least(now() + $2::interval, max_expire_time), update_time = now()
			WHERE id = $1`, id, idle.String())
		return err
	})
}

// CreateSucceeded records that the agent started the session's container. A session without
// an idle timeout of its own gets defaultIdle.
func (s *Store) CreateSucceeded(ctx context.Context, id, agentID, containerID string, hostPort int, defaultIdle time.Duration) error {
	return s.updateSession(ctx, id, func(tx pgx.Tx, sess *model.Session) error {
		if sess.AgentID != agentID {
			return nil // a stale result from an agent the session moved away from
		}
		idle := defaultIdle
		if sess.IdleTimeoutSeconds > 0 {
			idle = time.Duration(sess.IdleTimeoutSeconds) * time.Second
		}
		if _, err := tx.Exec(ctx, `UPDATE sessions SET container_id = $2, host_port = $3, update_time = now() WHERE id = $1`,
			id, containerID, hostPort); err != nil {
			return err
		}
		switch sess.State {
		case model.SessionStarting, model.SessionUnreachable:
			_, err := tx.Exec(ctx, `UPDATE sessions SET state = $2, state_reason = '', start_time = coalesce(start_time, now()),
				expire_time = coalesce(expire_time, least(now() + $3::interval, max_expire_time)) WHERE id = $1`,
				id, model.SessionRunning, idle.String())
			return err
		case model.SessionStopping:
			// Destroyed while starting: the destroy command queued behind this create removes it.
			return nil
		}
		if sess.State.Ended() {
			// Ended while the create was in flight: remove the container it made.
			return enqueueCommand(ctx, tx, &model.Command{AgentID: agentID, Kind: model.CommandDestroy, SessionID: id,
				Destroy: &model.DestroySpec{ContainerID: containerID, Reason: "orphan"}})
		}
		return nil
	})
}

// CreateFailed releases the failed agent and places the session on the next one, or fails
// it when no agent is left.
func (s *Store) CreateFailed(ctx context.Context, id, agentID, reason string, p Placement, rebuild func(sessionID, agentID string) *model.Command) error {
	return s.updateSession(ctx, id, func(tx pgx.Tx, sess *model.Session) error {
		if sess.AgentID != agentID || sess.State != model.SessionStarting {
			return nil
		}
		if err := releaseCapacity(ctx, tx, sess); err != nil {
			return err
		}
		tried := append(sess.TriedAgents, agentID)
		p.Exclude = tried
		next, zone, err := reserveAgent(ctx, tx, p)
		if err != nil {
			return err
		}
		if next == "" {
			return endSession(ctx, tx, &model.Session{ID: id}, model.SessionFailed,
				fmt.Sprintf("no agent could start it; last error: %s", reason))
		}
		if _, err := tx.Exec(ctx, `UPDATE sessions SET agent_id = $2, zone_id = $3, reserved = true, tried_agents = $4,
			state_reason = $5, update_time = now() WHERE id = $1`, id, next, nullUUID(zone), tried, "retrying after: "+reason); err != nil {
			return err
		}
		return enqueueCommand(ctx, tx, rebuild(id, next))
	})
}

// DestroyDone records that a session's container is gone.
func (s *Store) DestroyDone(ctx context.Context, id, agentID string) error {
	return s.updateSession(ctx, id, func(tx pgx.Tx, sess *model.Session) error {
		if sess.State.Ended() || sess.AgentID != agentID {
			return nil
		}
		reason := sess.StateReason
		if reason == "" {
			reason = "destroyed"
		}
		return endSession(ctx, tx, sess, model.SessionStopped, reason)
	})
}
