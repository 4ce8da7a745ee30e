package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const apiKeyCols = `id::text, user_id::text, name, scope, expire_time, last_used_time, create_time`

func scanAPIKey(row pgx.Row) (*model.APIKey, error) {
	var k model.APIKey
	err := row.Scan(&k.ID, &k.UserID, &k.Name, &k.Scope, &k.ExpireTime, &k.LastUsedTime, &k.CreateTime)
	return &k, err
}

// CreateAPIKey inserts k (SecretHash set) and returns its id. A retried request returns the
// first key's id; the caller then cannot show the secret again.
func (s *Store) CreateAPIKey(ctx context.Context, idem Idem, k *model.APIKey) (string, error) {
	id, err := s.create(ctx, idem, func(tx pgx.Tx) (string, error) {
		id := newID()
		_, err := tx.Exec(ctx, `INSERT INTO api_keys (id, user_id, name, scope, secret_hash, expire_time) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, k.UserID, k.Name, k.Scope, k.SecretHash, k.ExpireTime)
		return id, err
	})
	return id, mapErr(err, k.Name)
}

// GetAPIKey returns one key; with userID set, only that user's.
func (s *Store) GetAPIKey(ctx context.Context, id, userID string) (*model.APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = $1 AND ($2 = '' OR user_id::text = $2)`, id, userID))
	return k, mapErr(notFoundIfNoRows(err, "API key", id), "")
}

// ListAPIKeys returns a page of keys in creation order; with userID set, only that user's.
func (s *Store) ListAPIKeys(ctx context.Context, p model.Page, userID string) ([]*model.APIKey, bool, error) {
	n := pageSize(p)
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id > $1 AND ($2 = '' OR user_id::text = $2)
		ORDER BY api_keys.id LIMIT $3`, afterID(p), userID, n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.APIKey, error) { return scanAPIKey(r) })
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}

// DeleteAPIKey revokes a key; with userID set, only that user's.
func (s *Store) DeleteAPIKey(ctx context.Context, id, userID string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1 AND ($2 = '' OR user_id::text = $2)`, id, userID)
	if err != nil {
		return mapErr(err, "")
	}
	if tag.RowsAffected() == 0 {
		return model.NotFound("API key", id)
	}
	return nil
}

// APIKeyHasSecret reports whether key id was stored with this secret hash.
func (s *Store) APIKeyHasSecret(ctx context.Context, id string, hash []byte) (bool, error) {
	var same bool
	err := s.pool.QueryRow(ctx, `SELECT secret_hash = $2 FROM api_keys WHERE id = $1`, id, hash).Scan(&same)
	return same, mapErr(notFoundIfNoRows(err, "API key", id), "")
}
