package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const zoneCols = `id::text, name, description, proxy_mode, create_time, update_time`

func scanZone(row pgx.Row) (*model.Zone, error) {
	var z model.Zone
	err := row.Scan(&z.ID, &z.Name, &z.Description, &z.ProxyMode, &z.CreateTime, &z.UpdateTime)
	return &z, err
}

// CreateZone inserts z and returns its id.
func (s *Store) CreateZone(ctx context.Context, idem Idem, z *model.Zone) (string, error) {
	id, err := s.create(ctx, idem, func(tx pgx.Tx) (string, error) {
		id := newID()
		_, err := tx.Exec(ctx, `INSERT INTO zones (id, name, description, proxy_mode) VALUES ($1, $2, $3, $4)`,
			id, z.Name, z.Description, z.ProxyMode)
		return id, err
	})
	return id, mapErr(err, z.Name)
}

// GetZone returns one zone.
func (s *Store) GetZone(ctx context.Context, id string) (*model.Zone, error) {
	z, err := scanZone(s.pool.QueryRow(ctx, `SELECT `+zoneCols+` FROM zones WHERE id = $1`, id))
	return z, mapErr(notFoundIfNoRows(err, "zone", id), "")
}

// ListZones returns a page of zones in creation order, and whether more follow.
func (s *Store) ListZones(ctx context.Context, p model.Page) ([]*model.Zone, bool, error) {
	n := pageSize(p)
	rows, err := s.pool.Query(ctx, `SELECT `+zoneCols+` FROM zones WHERE id > $1 ORDER BY zones.id LIMIT $2`, afterID(p), n+1)
	if err != nil {
		return nil, false, err
	}
	zones, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.Zone, error) { return scanZone(r) })
	zones, more := page(zones, n)
	return zones, more, mapErr(err, "")
}

// UpdateZone locks the zone, lets mutate change it, and stores the result.
func (s *Store) UpdateZone(ctx context.Context, id string, mutate func(*model.Zone) error) (*model.Zone, error) {
	var out *model.Zone
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		z, err := scanZone(tx.QueryRow(ctx, `SELECT `+zoneCols+` FROM zones WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFoundIfNoRows(err, "zone", id)
		}
		if err := mutate(z); err != nil {
			return err
		}
		out, err = scanZone(tx.QueryRow(ctx, `UPDATE zones SET name = $2, description = $3, proxy_mode = $4, update_time = now()
			WHERE id = $1 RETURNING `+zoneCols, id, z.Name, z.Description, z.ProxyMode))
		if err != nil {
			return mapErr(err, z.Name)
		}
		return nil
	})
	return out, mapErr(err, "")
}

// DeleteZone deletes a zone nothing refers to.
func (s *Store) DeleteZone(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var agents, workspaces int
		err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM agents WHERE zone_id = $1),
			(SELECT count(*) FROM workspaces WHERE $1 = ANY (zone_ids))`, id).Scan(&agents, &workspaces)
		if err != nil {
			return mapErr(err, "")
		}
		if agents > 0 || workspaces > 0 {
			return model.FailedPrecondition("ZONE_IN_USE", "zone %q is used by %d agent(s) and %d workspace(s); move or delete them first", id, agents, workspaces)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM zones WHERE id = $1`, id)
		if err != nil {
			return mapErr(err, "")
		}
		if tag.RowsAffected() == 0 {
			return model.NotFound("zone", id)
		}
		return nil
	})
}

// missingZones returns which of ids name no zone.
func missingZones(ctx context.Context, tx pgx.Tx, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT x::text FROM unnest($1::uuid[]) AS x WHERE NOT EXISTS (SELECT 1 FROM zones WHERE id = x)`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
