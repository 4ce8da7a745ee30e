package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const workspaceCols = `id::text, name, description, thumbnail_url, kind, enabled, image, registry, registry_username,
	registry_password_enc, cores, memory_mb, gpus, cpu_allocation, run_config_override, docker_network, volume_mappings,
	coalesce(server_id::text, ''), coalesce(server_pool_id::text, ''), link_url, zone_ids::text[],
	idle_timeout_seconds, max_lifetime_seconds, create_time, update_time`

func (s *Store) scanWorkspace(row pgx.Row) (*model.Workspace, error) {
	var w model.Workspace
	var enc []byte
	var volumes []byte
	c := &w.Container
	err := row.Scan(&w.ID, &w.Name, &w.Description, &w.ThumbnailURL, &w.Kind, &w.Enabled, &c.Image, &c.Registry,
		&c.RegistryUsername, &enc, &c.Cores, &c.MemoryMB, &c.GPUs, &c.CPUAllocation, &c.RunConfigOverride,
		&c.DockerNetwork, &volumes, &w.ServerID, &w.ServerPoolID, &w.LinkURL, &w.ZoneIDs,
		&w.IdleTimeoutSeconds, &w.MaxLifetimeSeconds, &w.CreateTime, &w.UpdateTime)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(volumes, &c.VolumeMappings); err != nil {
		return nil, err
	}
	if c.RegistryPassword, err = s.box.Open(enc, "workspace/"+w.ID); err != nil {
		return nil, err
	}
	return &w, nil
}

func nullUUID(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Store) workspaceArgs(w *model.Workspace) ([]any, error) {
	enc, err := s.box.Seal(w.Container.RegistryPassword, "workspace/"+w.ID)
	if err != nil {
		return nil, err
	}
	vol := w.Container.VolumeMappings
	if vol == nil {
		vol = []model.VolumeMapping{}
	}
	volumes, err := json.Marshal(vol)
	if err != nil {
		return nil, err
	}
	zones := w.ZoneIDs
	if zones == nil {
		zones = []string{}
	}
	c := w.Container
	return []any{w.ID, w.Name, w.Description, w.ThumbnailURL, w.Kind, w.Enabled, c.Image, c.Registry, c.RegistryUsername,
		enc, c.Cores, c.MemoryMB, c.GPUs, c.CPUAllocation, c.RunConfigOverride, c.DockerNetwork, volumes,
		nullUUID(w.ServerID), nullUUID(w.ServerPoolID), w.LinkURL, zones, w.IdleTimeoutSeconds, w.MaxLifetimeSeconds}, nil
}

func checkZones(ctx context.Context, tx pgx.Tx, ids []string) error {
	missing, err := missingZones(ctx, tx, ids)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return model.Invalid("workspace.zone_ids", "no zone with id %s", strings.Join(missing, ", "))
	}
	return nil
}

// CreateWorkspace inserts w (already checked by the catalog) and returns its id.
func (s *Store) CreateWorkspace(ctx context.Context, idem Idem, w *model.Workspace) (string, error) {
	id, err := s.create(ctx, idem, func(tx pgx.Tx) (string, error) {
		if err := checkZones(ctx, tx, w.ZoneIDs); err != nil {
			return "", err
		}
		cp := *w
		cp.ID = newID()
		args, err := s.workspaceArgs(&cp)
		if err != nil {
			return "", err
		}
		_, err = tx.Exec(ctx, `INSERT INTO workspaces (id, name, description, thumbnail_url, kind, enabled, image, registry,
			registry_username, registry_password_enc, cores, memory_mb, gpus, cpu_allocation, run_config_override,
			docker_network, volume_mappings, server_id, server_pool_id, link_url, zone_ids, idle_timeout_seconds,
			max_lifetime_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
			$19, $20, $21, $22, $23)`, args...)
		if err != nil {
			return "", err
		}
		return cp.ID, notifyImages(ctx, tx, "workspace "+cp.ID)
	})
	return id, mapErr(err, w.Name)
}

// GetWorkspace returns one workspace. When userID is set, only a workspace that one of the
// user's groups allows is found.
func (s *Store) GetWorkspace(ctx context.Context, id, userID string) (*model.Workspace, error) {
	q := `SELECT ` + workspaceCols + ` FROM workspaces w WHERE id = $1`
	args := []any{id}
	if userID != "" {
		q += ` AND ` + allowedToUser
		args = append(args, userID)
	}
	w, err := s.scanWorkspace(s.pool.QueryRow(ctx, q, args...))
	return w, mapErr(notFoundIfNoRows(err, "workspace", id), "")
}

// allowedToUser filters workspaces w to those a group of user $2 allows.
const allowedToUser = `EXISTS (SELECT 1 FROM group_workspaces gw JOIN group_members gm ON gm.group_id = gw.group_id
	WHERE gw.workspace_id = w.id AND gm.user_id = $2)`

// ListWorkspaces returns a page of workspaces in creation order; with userID set, only those
// the user's groups allow.
func (s *Store) ListWorkspaces(ctx context.Context, p model.Page, userID string) ([]*model.Workspace, bool, error) {
	n := pageSize(p)
	q := `SELECT ` + workspaceCols + ` FROM workspaces w WHERE id > $1`
	args := []any{afterID(p)}
	if userID != "" {
		// Walk the user's groups' grants in workspace order (the grants' primary key) and stop
		// at the page's end, instead of testing every workspace for a grant.
		q += ` AND w.id IN (SELECT DISTINCT gw.workspace_id FROM group_members gm
			JOIN group_workspaces gw ON gw.group_id = gm.group_id
			WHERE gm.user_id = $2 AND gw.workspace_id > $1 ORDER BY gw.workspace_id LIMIT ` + itoa(n+1) + `)`
		args = append(args, userID)
	}
	q += ` ORDER BY w.id LIMIT ` + itoa(n+1) // w.id: a bare "id" would sort by the id::text output column, scanning every row
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Workspace, error) { return s.scanWorkspace(r) })
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}

// UpdateWorkspace locks the workspace, lets mutate change it, and stores the result.
func (s *Store) UpdateWorkspace(ctx context.Context, id string, mutate func(*model.Workspace) error) (*model.Workspace, error) {
	var out *model.Workspace
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		w, err := s.scanWorkspace(tx.QueryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces w WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFoundIfNoRows(err, "workspace", id)
		}
		if err := mutate(w); err != nil {
			return err
		}
		if err := checkZones(ctx, tx, w.ZoneIDs); err != nil {
			return err
		}
		args, err := s.workspaceArgs(w)
		if err != nil {
			return err
		}
		out, err = s.scanWorkspace(tx.QueryRow(ctx, `UPDATE workspaces SET name = $2, description = $3, thumbnail_url = $4,
			kind = $5, enabled = $6, image = $7, registry = $8, registry_username = $9, registry_password_enc = $10,
			cores = $11, memory_mb = $12, gpus = $13, cpu_allocation = $14, run_config_override = $15, docker_network = $16,
			volume_mappings = $17, server_id = $18, server_pool_id = $19, link_url = $20, zone_ids = $21,
			idle_timeout_seconds = $22, max_lifetime_seconds = $23, update_time = now()
			WHERE id = $1 RETURNING `+workspaceCols, args...))
		if err != nil {
			return mapErr(err, w.Name)
		}
		return notifyImages(ctx, tx, "workspace "+id)
	})
	return out, mapErr(err, "")
}

// DeleteWorkspace deletes a workspace.
func (s *Store) DeleteWorkspace(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM workspaces WHERE id = $1`, id)
	if err != nil {
		return mapErr(err, "")
	}
	if tag.RowsAffected() == 0 {
		return model.NotFound("workspace", id)
	}
	// Agents drop the image from their desired sets (and may prune it). Were this lost, the
	// periodic resync would catch up.
	return s.NotifyImages(ctx, "workspace "+id)
}

// UserMayLaunch reports whether one of the user's groups allows the workspace.
func (s *Store) UserMayLaunch(ctx context.Context, userID, workspaceID string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM group_workspaces gw JOIN group_members gm ON gm.group_id = gw.group_id
		WHERE gw.workspace_id = $1 AND gm.user_id = $2)`, workspaceID, userID).Scan(&ok)
	return ok, err
}
