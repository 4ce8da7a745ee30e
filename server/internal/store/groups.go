package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const groupCols = `g.id::text, g.name, g.description,
	coalesce((SELECT array_agg(m.user_id::text ORDER BY m.user_id) FROM group_members m WHERE m.group_id = g.id), '{}'),
	coalesce((SELECT array_agg(w.workspace_id::text ORDER BY w.workspace_id) FROM group_workspaces w WHERE w.group_id = g.id), '{}'),
	g.create_time, g.update_time`

func scanGroup(row pgx.Row) (*model.Group, error) {
	var g model.Group
	err := row.Scan(&g.ID, &g.Name, &g.Description, &g.MemberIDs, &g.WorkspaceIDs, &g.CreateTime, &g.UpdateTime)
	return &g, err
}

// setGroupLinks replaces a group's members and workspaces, checking every id exists.
func setGroupLinks(ctx context.Context, tx pgx.Tx, g *model.Group) error {
	for _, link := range []struct {
		table, col, ref, field string
		ids                    []string
	}{
		{"group_members", "user_id", "users", "group.member_ids", g.MemberIDs},
		{"group_workspaces", "workspace_id", "workspaces", "group.workspace_ids", g.WorkspaceIDs},
	} {
		ids := link.ids
		if ids == nil {
			ids = []string{}
		}
		rows, err := tx.Query(ctx, `SELECT x::text FROM unnest($1::uuid[]) AS x WHERE NOT EXISTS (SELECT 1 FROM `+link.ref+` WHERE id = x)`, ids)
		if err != nil {
			return mapErr(err, "")
		}
		missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return model.Invalid(link.field, "no %s with id %s", strings.TrimSuffix(link.ref, "s"), strings.Join(missing, ", "))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+link.table+` WHERE group_id = $1`, g.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+link.table+` (group_id, `+link.col+`) SELECT $1, x FROM unnest($2::uuid[]) AS x ON CONFLICT DO NOTHING`, g.ID, ids); err != nil {
			return err
		}
	}
	return nil
}

// CreateGroup inserts g with its links and returns its id.
func (s *Store) CreateGroup(ctx context.Context, idem Idem, g *model.Group) (string, error) {
	id, err := s.create(ctx, idem, func(tx pgx.Tx) (string, error) {
		cp := *g
		cp.ID = newID()
		if _, err := tx.Exec(ctx, `INSERT INTO groups (id, name, description) VALUES ($1, $2, $3)`, cp.ID, cp.Name, cp.Description); err != nil {
			return "", mapErr(err, cp.Name)
		}
		return cp.ID, setGroupLinks(ctx, tx, &cp)
	})
	return id, mapErr(err, g.Name)
}

// GetGroup returns one group.
func (s *Store) GetGroup(ctx context.Context, id string) (*model.Group, error) {
	g, err := scanGroup(s.pool.QueryRow(ctx, `SELECT `+groupCols+` FROM groups g WHERE g.id = $1`, id))
	return g, mapErr(notFoundIfNoRows(err, "group", id), "")
}

// ListGroups returns a page of groups in creation order.
func (s *Store) ListGroups(ctx context.Context, p model.Page) ([]*model.Group, bool, error) {
	n := pageSize(p)
	rows, err := s.pool.Query(ctx, `SELECT `+groupCols+` FROM groups g WHERE g.id > $1 ORDER BY g.id LIMIT $2`, afterID(p), n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Group, error) { return scanGroup(r) })
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}

// UpdateGroup locks the group, lets mutate change it, and stores the result.
func (s *Store) UpdateGroup(ctx context.Context, id string, mutate func(*model.Group) error) (*model.Group, error) {
	var out *model.Group
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		g, err := scanGroup(tx.QueryRow(ctx, `SELECT `+groupCols+` FROM groups g WHERE g.id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFoundIfNoRows(err, "group", id)
		}
		if err := mutate(g); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE groups SET name = $2, description = $3, update_time = now() WHERE id = $1`, id, g.Name, g.Description); err != nil {
			return mapErr(err, g.Name)
		}
		if err := setGroupLinks(ctx, tx, g); err != nil {
			return err
		}
		out, err = scanGroup(tx.QueryRow(ctx, `SELECT `+groupCols+` FROM groups g WHERE g.id = $1`, id))
		return err
	})
	return out, mapErr(err, "")
}

// DeleteGroup deletes a group and its links.
func (s *Store) DeleteGroup(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM groups WHERE id = $1`, id)
	if err != nil {
		return mapErr(err, "")
	}
	if tag.RowsAffected() == 0 {
		return model.NotFound("group", id)
	}
	return nil
}
