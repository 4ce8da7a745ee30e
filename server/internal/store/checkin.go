package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// ClaimStream records that a new check-in stream of the agent is live on server, replacing
// any older one (other replicas see the epoch change through ChannelAgentStreams and close
// theirs). It returns the stream's epoch and whether the agent is enabled. One statement, so
// a check-in costs a single round trip: the notification goes out when it commits.
func (s *Store) ClaimStream(ctx context.Context, agentID, instanceID, server, version string) (epoch int64, enabled bool, err error) {
	err = s.pool.QueryRow(ctx, `WITH claimed AS (
			UPDATE agents SET instance_id = $2, stream_server = $3, version = $4, stream_epoch = stream_epoch + 1,
				state = $5, unreachable_since = NULL, last_checkin_time = now(), update_time = now()
			WHERE id = $1 RETURNING stream_epoch, enabled)
		SELECT stream_epoch, enabled, pg_notify($6, $7::text || ' ' || stream_epoch) FROM claimed`,
		agentID, instanceID, server, version, model.AgentOnline, ChannelAgentStreams, agentID).Scan(&epoch, &enabled, nil)
	return epoch, enabled, mapErr(notFoundIfNoRows(err, "agent", agentID), "")
}

// StreamEpoch returns the epoch of the agent's newest stream.
func (s *Store) StreamEpoch(ctx context.Context, agentID string) (int64, error) {
	var e int64
	err := s.pool.QueryRow(ctx, `SELECT stream_epoch FROM agents WHERE id = $1`, agentID).Scan(&e)
	return e, notFoundIfNoRows(err, "agent", agentID)
}

// PendingCommands returns the agent's unfinished commands after seq, in order.
func (s *Store) PendingCommands(ctx context.Context, agentID string, afterSeq int64) ([]*model.Command, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, payload, create_time FROM agent_commands WHERE agent_id = $1 AND state < 2 AND seq > $2
		ORDER BY seq LIMIT 1000`, agentID, afterSeq)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Command, error) {
		var c model.Command
		var payload []byte
		if err := r.Scan(&c.Seq, &payload, &c.Created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(payload, &c); err != nil {
			return nil, err
		}
		c.AgentID = agentID
		return &c, nil
	})
}

// AckCommand records that the agent received command seq.
func (s *Store) AckCommand(ctx context.Context, agentID string, seq int64) error {
	_, err := s.pool.Exec(ctx, `WITH c AS (UPDATE agent_commands SET state = greatest(state, 1) WHERE agent_id = $1 AND seq = $2)
		UPDATE agents SET acked_seq = greatest(acked_seq, $2) WHERE id = $1`, agentID, seq)
	return err
}

// OpenCommand returns command seq if it is not done yet (nil otherwise).
func (s *Store) OpenCommand(ctx context.Context, agentID string, seq int64) (*model.Command, error) {
	var payload []byte
	err := s.pool.QueryRow(ctx, `SELECT payload FROM agent_commands WHERE agent_id = $1 AND seq = $2 AND state < 2`, agentID, seq).Scan(&payload)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c model.Command
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	c.AgentID, c.Seq = agentID, seq
	return &c, nil
}

// FinishCommand marks command seq done (a no-op when unknown or already done).
func (s *Store) FinishCommand(ctx context.Context, agentID string, seq int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE agent_commands SET state = 2 WHERE agent_id = $1 AND seq = $2 AND state < 2`, agentID, seq)
	return err
}

// RecordHeartbeats renews the leases of agents heard from; one statement for a whole batch
// keeps thousands of agents at one write per second. An unreachable agent heard from again
// is online.
func (s *Store) RecordHeartbeats(ctx context.Context, agentIDs []string) error {
	if len(agentIDs) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE agents SET last_checkin_time = now(),
		state = CASE WHEN state = $2 THEN $3 ELSE state END, unreachable_since = NULL
		WHERE id = ANY ($1::uuid[])`, agentIDs, model.AgentUnreachable, model.AgentOnline)
	return err
}

// ApplyReport stores what an agent reports and reconciles its sessions with the containers it
// actually runs: containers without a live session get a destroy command; running or
// unreachable sessions without a container are lost; sessions whose container is there run.
func (s *Store) ApplyReport(ctx context.Context, agentID string, r *model.AgentReport) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		nets, imgs := r.Networks, r.Images
		if nets == nil {
			nets = []string{}
		}
		if imgs == nil {
			imgs = []string{}
		}
		// Sessions are locked before their agent, the order every lifecycle transaction uses.
		rows, err := tx.Query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE agent_id = $1 AND end_time IS NULL FOR UPDATE`, agentID)
		if err != nil {
			return err
		}
		live, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Session, error) { return scanSession(r) })
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET hostname = $2, docker_version = $3, reported_cores = $4, reported_memory_mb = $5,
			reported_gpus = $6, networks = $7, images = $8, last_checkin_time = now(), update_time = now() WHERE id = $1`,
			agentID, r.Hostname, r.DockerVersion, r.Capacity.Cores, r.Capacity.MemoryMB, r.Capacity.GPUs, nets, imgs); err != nil {
			return err
		}
		byID := make(map[string]*model.Session, len(live))
		for _, sess := range live {
			byID[sess.ID] = sess
		}
		seen := make(map[string]bool, len(r.Containers))
		for _, c := range r.Containers {
			sess, ok := byID[c.SessionID]
			if !ok {
				if err := enqueueCommand(ctx, tx, &model.Command{AgentID: agentID, Kind: model.CommandDestroy, SessionID: c.SessionID,
					Destroy: &model.DestroySpec{ContainerID: c.ContainerID, Reason: "orphan"}}); err != nil {
					return err
				}
				continue
			}
			seen[sess.ID] = true
			if !c.Running {
				continue
			}
			if sess.State == model.SessionStarting || sess.State == model.SessionUnreachable {
				if _, err := tx.Exec(ctx, `UPDATE sessions SET state = $2, state_reason = '', container_id = $3, host_port = $4,
					start_time = coalesce(start_time, now()), expire_time = coalesce(expire_time, least(now() + make_interval(secs => greatest(idle_timeout_seconds, 60)), max_expire_time)),
					update_time = now() WHERE id = $1`, sess.ID, model.SessionRunning, c.ContainerID, c.HostPort); err != nil {
					return err
				}
				if err := notifySession(ctx, tx, sess.ID); err != nil {
					return err
				}
			}
		}
		for _, sess := range live {
			if seen[sess.ID] || (sess.State != model.SessionRunning && sess.State != model.SessionUnreachable) {
				continue
			}
			if err := endSession(ctx, tx, sess, model.SessionLost, "container missing when the agent reported in"); err != nil {
				return err
			}
			if err := notifySession(ctx, tx, sess.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkUnreachable turns online agents whose lease ran out unreachable, and their running
// sessions with them (sessions are kept: the containers may well be alive).
func (s *Store) MarkUnreachable(ctx context.Context, fence Fence, leaseTTL time.Duration) (int, error) {
	return s.markAgents(ctx, fence, `UPDATE agents SET state = $1, unreachable_since = now(), update_time = now()
		WHERE state = $2 AND last_checkin_time < now() - $3::interval RETURNING id::text`,
		[]any{model.AgentUnreachable, model.AgentOnline, leaseTTL.String()},
		func(tx pgx.Tx, ids []string) error {
			return markSessions(ctx, tx, ids, []model.SessionState{model.SessionRunning}, model.SessionUnreachable, "agent stopped checking in", false)
		})
}

// MarkLost turns agents unreachable for longer than lostAfter lost; their sessions are lost
// and their capacity released.
func (s *Store) MarkLost(ctx context.Context, fence Fence, lostAfter time.Duration) (int, error) {
	return s.markAgents(ctx, fence, `UPDATE agents SET state = $1, update_time = now()
		WHERE state = $2 AND unreachable_since < now() - $3::interval RETURNING id::text`,
		[]any{model.AgentLost, model.AgentUnreachable, lostAfter.String()},
		func(tx pgx.Tx, ids []string) error {
			return markSessions(ctx, tx, ids, []model.SessionState{model.SessionRunning, model.SessionUnreachable, model.SessionStarting, model.SessionStopping},
				model.SessionLost, "agent lost", true)
		})
}

// markAgents runs update (an UPDATE of agents RETURNING their ids) under the fence and then
// follows up on the agents it changed, in the same transaction; it returns how many changed.
func (s *Store) markAgents(ctx context.Context, fence Fence, update string, args []any, then func(tx pgx.Tx, ids []string) error) (int, error) {
	var n int
	err := s.fenced(ctx, fence, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, update, args...)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(ids) == 0 {
			return err
		}
		n = len(ids)
		return then(tx, ids)
	})
	return n, err
}

func markSessions(ctx context.Context, tx pgx.Tx, agentIDs []string, from []model.SessionState, to model.SessionState, reason string, end bool) error {
	states := make([]int32, len(from))
	for i, st := range from {
		states[i] = int32(st)
	}
	rows, err := tx.Query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE agent_id = ANY ($1::uuid[]) AND end_time IS NULL
		AND state = ANY ($2::smallint[]) FOR UPDATE`, agentIDs, states)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Session, error) { return scanSession(r) })
	if err != nil {
		return err
	}
	for _, sess := range list {
		if end {
			err = endSession(ctx, tx, sess, to, reason)
		} else {
			err = setState(ctx, tx, sess.ID, to, reason)
		}
		if err != nil {
			return err
		}
		if err := notifySession(ctx, tx, sess.ID); err != nil {
			return err
		}
	}
	return nil
}

// DueSessions returns live sessions past their idle deadline or maximum lifetime, with the
// reason each must end.
func (s *Store) DueSessions(ctx context.Context, limit int) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id::text, CASE WHEN max_expire_time <= now() THEN 'maximum lifetime reached' ELSE 'idle timeout' END
		FROM sessions WHERE end_time IS NULL AND state IN ($1, $2)
		AND (expire_time <= now() OR max_expire_time <= now()) ORDER BY expire_time LIMIT $3`,
		model.SessionRunning, model.SessionUnreachable, limit)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for rows.Next() {
		var id, reason string
		if err := rows.Scan(&id, &reason); err != nil {
			return nil, err
		}
		out[id] = reason
	}
	return out, rows.Err()
}
