package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const agentCols = `id::text, hostname, coalesce(zone_id::text, ''), coalesce(pool_id::text, ''), enabled, state, version,
	docker_version, reported_cores, reported_memory_mb, reported_gpus, override_cores, override_memory_mb, override_gpus,
	used_cores, used_memory_mb, used_gpus, networks, session_count, last_checkin_time, create_time, update_time`

func scanAgent(row pgx.Row) (*model.Agent, error) {
	var a model.Agent
	err := row.Scan(&a.ID, &a.Hostname, &a.ZoneID, &a.PoolID, &a.Enabled, &a.State, &a.Version, &a.DockerVersion,
		&a.Reported.Cores, &a.Reported.MemoryMB, &a.Reported.GPUs, &a.Overrides.Cores, &a.Overrides.MemoryMB, &a.Overrides.GPUs,
		&a.Used.Cores, &a.Used.MemoryMB, &a.Used.GPUs, &a.Networks, &a.SessionCount, &a.LastCheckinTime, &a.CreateTime, &a.UpdateTime)
	return &a, err
}

// AgentFilter narrows ListAgents.
type AgentFilter struct {
	ZoneID string
	State  int
}

// GetAgent returns one agent.
func (s *Store) GetAgent(ctx context.Context, id string) (*model.Agent, error) {
	a, err := scanAgent(s.pool.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = $1`, id))
	return a, mapErr(notFoundIfNoRows(err, "agent", id), "")
}

// ListAgents returns a page of agents in enrollment order.
func (s *Store) ListAgents(ctx context.Context, p model.Page, f AgentFilter) ([]*model.Agent, bool, error) {
	n := pageSize(p)
	rows, err := s.pool.Query(ctx, `SELECT `+agentCols+` FROM agents WHERE id > $1
		AND ($2 = '' OR zone_id::text = $2) AND ($3 = 0 OR state = $3) ORDER BY agents.id LIMIT $4`, afterID(p), f.ZoneID, f.State, n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Agent, error) { return scanAgent(r) })
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}

// UpdateAgent locks the agent, lets mutate change its administrable fields, and stores them.
func (s *Store) UpdateAgent(ctx context.Context, id string, mutate func(*model.Agent) error) (*model.Agent, error) {
	var out *model.Agent
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		a, err := scanAgent(tx.QueryRow(ctx, `SELECT `+agentCols+` FROM agents WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFoundIfNoRows(err, "agent", id)
		}
		if err := mutate(a); err != nil {
			return err
		}
		if a.ZoneID != "" {
			if missing, err := missingZones(ctx, tx, []string{a.ZoneID}); err != nil {
				return err
			} else if len(missing) > 0 {
				return model.Invalid("agent.zone_id", "no zone with id %s", a.ZoneID)
			}
		}
		out, err = scanAgent(tx.QueryRow(ctx, `UPDATE agents SET zone_id = $2, pool_id = $3, enabled = $4, override_cores = $5,
			override_memory_mb = $6, override_gpus = $7, update_time = now() WHERE id = $1 RETURNING `+agentCols,
			id, nullUUID(a.ZoneID), nullUUID(a.PoolID), a.Enabled, a.Overrides.Cores, a.Overrides.MemoryMB, a.Overrides.GPUs))
		if err != nil {
			return err
		}
		// A zone change changes which images the agent should hold.
		return notifyImages(ctx, tx, "agent "+id)
	})
	return out, mapErr(err, "")
}

// DeleteAgent deletes an agent record; without force, only one with no sessions.
func (s *Store) DeleteAgent(ctx context.Context, id string, force bool) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var sessions int
		if err := tx.QueryRow(ctx, `SELECT session_count FROM agents WHERE id = $1 FOR UPDATE`, id).Scan(&sessions); err != nil {
			return mapErr(notFoundIfNoRows(err, "agent", id), "")
		}
		if sessions > 0 && !force {
			return model.FailedPrecondition("AGENT_HAS_SESSIONS", "agent %q still runs %d session(s); disable it and wait, or delete with force", id, sessions)
		}
		_, err := tx.Exec(ctx, `DELETE FROM agents WHERE id = $1`, id)
		return err
	})
}

// InsertAgentForTest registers an agent row directly; enrollment does this in production.
func (s *Store) InsertAgentForTest(ctx context.Context, a *model.Agent) (string, error) {
	id := newID()
	_, err := s.pool.Exec(ctx, `INSERT INTO agents (id, hostname, zone_id, enabled, state, reported_cores, reported_memory_mb, reported_gpus)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, a.Hostname, nullUUID(a.ZoneID), a.Enabled, a.State,
		a.Reported.Cores, a.Reported.MemoryMB, a.Reported.GPUs)
	return id, mapErr(err, "")
}
