package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// ChannelImages is the notification channel for changes to what agents should hold: a
// workspace was created, changed or deleted ("workspace <id>"), or an agent moved zone
// ("agent <id>"). Every replica recomputes the desired image sets of the agents it holds.
const ChannelImages = "hotdesk_images"

func notifyImages(ctx context.Context, tx pgx.Tx, what string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelImages, what)
	return err
}

// NotifyImages announces a change to desired image sets outside a transaction.
func (s *Store) NotifyImages(ctx context.Context, what string) error {
	_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelImages, what)
	return err
}

// ImageWorkspaces returns the enabled container workspaces, with their registry passwords in
// plaintext: the candidates for every agent's desired image set.
func (s *Store) ImageWorkspaces(ctx context.Context) ([]*model.Workspace, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+workspaceCols+` FROM workspaces w WHERE kind = $1 AND enabled ORDER BY w.id`, model.KindContainer)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Workspace, error) { return s.scanWorkspace(r) })
}

// ImageTargets returns the zone and networks of the given agents; unknown ids are left out.
func (s *Store) ImageTargets(ctx context.Context, agentIDs []string) ([]model.ImageTarget, error) {
	rows, err := s.pool.Query(ctx, `SELECT id::text, coalesce(zone_id::text, ''), networks FROM agents WHERE id = ANY ($1::uuid[])`, agentIDs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.ImageTarget, error) {
		var t model.ImageTarget
		err := r.Scan(&t.AgentID, &t.ZoneID, &t.Networks)
		return t, err
	})
}

// NextImageGeneration returns a DesiredImages generation higher than any handed out before,
// by any replica.
func (s *Store) NextImageGeneration(ctx context.Context) (uint64, error) {
	var g int64
	err := s.pool.QueryRow(ctx, `SELECT nextval('desired_images_generation')`).Scan(&g)
	return uint64(g), err
}

// ImageStatusSeed is one (workspace, agent) pair of a desired set, with the state to start
// from when the pair is new or its image reference changed.
type ImageStatusSeed struct {
	WorkspaceID string
	AgentID     string
	Reference   string
	Pullable    bool
	Present     *model.PresentImage // nil when the agent's inventory lacks the image
}

// SyncImageStatuses makes the status rows of agentIDs match their desired sets: rows for
// pairs no longer desired go, new pairs get a row, and a pair whose image reference (or
// whether it is pulled) changed starts over. Rows that match keep their state, which progress
// and inventories maintain. Pairs whose workspace or agent was deleted meanwhile are skipped.
func (s *Store) SyncImageStatuses(ctx context.Context, agentIDs []string, seeds []ImageStatusSeed) error {
	n := len(seeds)
	ws, ags, refs, digests, imageIDs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	states, pullable, present := make([]int16, n), make([]bool, n), make([]bool, n)
	pullTimes := make([]*time.Time, n)
	for i, sd := range seeds {
		ws[i], ags[i], refs[i], pullable[i] = sd.WorkspaceID, sd.AgentID, sd.Reference, sd.Pullable
		switch {
		case sd.Present != nil:
			states[i], present[i] = int16(model.ImagePresent), true
			digests[i], imageIDs[i], pullTimes[i] = sd.Present.Digest, sd.Present.ImageID, sd.Present.PullTime
		case sd.Pullable:
			states[i] = int16(model.ImageQueued)
		default:
			states[i] = int16(model.ImageAbsent)
		}
	}
	_, err := s.pool.Exec(ctx, `WITH d AS (
			SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::smallint[], $6::bool[], $7::bool[], $8::text[], $9::text[], $10::timestamptz[])
				AS d (workspace_id, agent_id, ref, state, pullable, present, digest, image_id, pull_time)),
		gone AS (DELETE FROM image_statuses s WHERE s.agent_id = ANY ($1::uuid[])
			AND NOT EXISTS (SELECT 1 FROM d WHERE d.workspace_id = s.workspace_id AND d.agent_id = s.agent_id))
		INSERT INTO image_statuses AS s (workspace_id, agent_id, image_reference, state, pullable, present, digest, image_id, pull_time)
		SELECT d.workspace_id, d.agent_id, d.ref, d.state, d.pullable, d.present, d.digest, d.image_id, d.pull_time FROM d
			JOIN workspaces w ON w.id = d.workspace_id JOIN agents a ON a.id = d.agent_id
		ON CONFLICT (workspace_id, agent_id) DO UPDATE SET image_reference = excluded.image_reference, state = excluded.state,
			pullable = excluded.pullable, present = excluded.present, digest = excluded.digest, image_id = excluded.image_id,
			pull_time = excluded.pull_time, layers_done = 0, layers_total = 0, bytes_done = 0, bytes_total = 0, error = '',
			update_time = now()
		WHERE s.image_reference <> excluded.image_reference OR s.pullable <> excluded.pullable`,
		agentIDs, ws, ags, refs, states, pullable, present, digests, imageIDs, pullTimes)
	return err
}

// ApplyPullProgress records an agent's progress on pulling ref, for every workspace of that
// agent using ref.
func (s *Store) ApplyPullProgress(ctx context.Context, agentID string, p model.PullProgress) error {
	_, err := s.pool.Exec(ctx, `UPDATE image_statuses SET state = $3::smallint, layers_done = $4, layers_total = $5, bytes_done = $6,
			bytes_total = $7,
			digest = CASE WHEN $3::smallint = $10::smallint AND $8::text <> '' THEN $8::text ELSE digest END,
			error = CASE WHEN $3::smallint = $11::smallint THEN $9::text ELSE '' END,
			present = present OR $3::smallint = $10::smallint,
			pull_time = CASE WHEN $3::smallint = $10::smallint THEN now() ELSE pull_time END,
			update_time = now()
		WHERE agent_id = $1 AND image_reference = $2`,
		agentID, p.Reference, int16(p.State), p.LayersDone, p.LayersTotal, p.BytesDone, p.BytesTotal, p.Digest, p.Error,
		int16(model.ImagePresent), int16(model.ImageFailed))
	return err
}

// ApplyImageInventory records which of an agent's desired images are on the host, for the
// statuses and for placement. A present
// image that was queued or absent is now present; one that was present and is gone is queued
// again (or absent when it is not pulled). Pulls in flight and failures keep their state.
func (s *Store) ApplyImageInventory(ctx context.Context, agentID string, present []model.PresentImage) error {
	n := len(present)
	refs, digests, ids := make([]string, n), make([]string, n), make([]string, n)
	times := make([]*time.Time, n)
	for i, p := range present {
		refs[i], digests[i], ids[i], times[i] = p.Reference, p.Digest, p.ImageID, p.PullTime
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE image_statuses s SET present = true,
				state = CASE WHEN s.state IN (0, $6::smallint, $7::smallint) THEN $8::smallint ELSE s.state END,
				digest = CASE WHEN p.digest <> '' THEN p.digest ELSE s.digest END, image_id = p.image_id,
				pull_time = coalesce(p.pull_time, s.pull_time), update_time = now()
			FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS p (ref, digest, image_id, pull_time)
			WHERE s.agent_id = $1 AND s.image_reference = p.ref
			  AND (NOT s.present OR s.image_id <> p.image_id OR (p.digest <> '' AND s.digest <> p.digest)
			    OR s.state IN (0, $6::smallint, $7::smallint) OR p.pull_time IS DISTINCT FROM s.pull_time AND p.pull_time IS NOT NULL)`,
			agentID, refs, digests, ids, times, int16(model.ImageQueued), int16(model.ImageAbsent), int16(model.ImagePresent)); err != nil {
			return err
		}
		// The scheduler places sessions by agents.images, which resource reports replace
		// whole; adding the inventory's images here makes a finished pull schedulable as soon
		// as its status says present, without waiting for the next report.
		if _, err := tx.Exec(ctx, `UPDATE agents SET images = ARRAY(SELECT DISTINCT unnest(images || $2::text[]))
			WHERE id = $1 AND NOT (images @> $2::text[])`, agentID, refs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE image_statuses SET present = false, image_id = '',
				state = CASE WHEN state = $3::smallint THEN (CASE WHEN pullable THEN $4::smallint ELSE $5::smallint END) ELSE state END, update_time = now()
			WHERE agent_id = $1 AND (present OR state = $3::smallint) AND NOT (image_reference = ANY ($2::text[]))`,
			agentID, refs, int16(model.ImagePresent), int16(model.ImageQueued), int16(model.ImageAbsent))
		return err
	})
}

const imageStatusCols = `workspace_id::text, agent_id::text, image_reference, state, present, layers_done, layers_total,
	bytes_done, bytes_total, digest, image_id, error, pull_time, update_time`

// ListImageStatuses returns a page of statuses ordered by workspace, then agent. The page's
// After is "<workspace id>/<agent id>" of the previous page's last row.
func (s *Store) ListImageStatuses(ctx context.Context, p model.Page, f model.ImageStatusFilter) ([]*model.ImageStatus, bool, error) {
	n := pageSize(p)
	afterWS, afterAgent := "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"
	if p.After != "" {
		w, a, ok := strings.Cut(p.After, "/")
		if !ok {
			return nil, false, model.Invalid("page_token", "is malformed")
		}
		afterWS, afterAgent = w, a
	}
	rows, err := s.pool.Query(ctx, `SELECT `+imageStatusCols+` FROM image_statuses
		WHERE (workspace_id, agent_id) > ($1::uuid, $2::uuid)
		  AND ($3::uuid IS NULL OR workspace_id = $3::uuid) AND ($4::uuid IS NULL OR agent_id = $4::uuid)
		ORDER BY workspace_id, agent_id LIMIT $5`, afterWS, afterAgent, nullUUID(f.WorkspaceID), nullUUID(f.AgentID), n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.ImageStatus, error) {
		var st model.ImageStatus
		err := r.Scan(&st.WorkspaceID, &st.AgentID, &st.Reference, &st.State, &st.Present, &st.LayersDone, &st.LayersTotal,
			&st.BytesDone, &st.BytesTotal, &st.Digest, &st.ImageID, &st.Error, &st.PullTime, &st.UpdateTime)
		return &st, err
	})
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}
