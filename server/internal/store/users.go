package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const userCols = `u.id::text, u.username, u.display_name, u.role, u.disabled, u.password_hash,
	coalesce((SELECT array_agg(gm.group_id::text ORDER BY gm.group_id) FROM group_members gm WHERE gm.user_id = u.id), '{}'),
	u.create_time, u.update_time`

func scanUser(row pgx.Row) (*model.User, error) {
	var u model.User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Disabled, &u.PasswordHash, &u.GroupIDs, &u.CreateTime, &u.UpdateTime)
	return &u, err
}

// CreateUser inserts u (PasswordHash already set) and returns its id.
func (s *Store) CreateUser(ctx context.Context, idem Idem, u *model.User) (string, error) {
	id, err := s.create(ctx, idem, func(tx pgx.Tx) (string, error) {
		id := newID()
		_, err := tx.Exec(ctx, `INSERT INTO users (id, username, display_name, role, disabled, password_hash)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, u.Username, u.DisplayName, u.Role, u.Disabled, u.PasswordHash)
		return id, err
	})
	return id, mapErr(err, u.Username)
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// GetUser returns one user.
func (s *Store) GetUser(ctx context.Context, id string) (*model.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1`, id))
	return u, mapErr(notFoundIfNoRows(err, "user", id), "")
}

// GetUserByUsername returns the user with this sign-in name (case-insensitive).
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*model.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE lower(u.username) = lower($1)`, username))
	return u, mapErr(notFoundIfNoRows(err, "user", username), "")
}

// ListUsers returns a page of users in creation order.
func (s *Store) ListUsers(ctx context.Context, p model.Page) ([]*model.User, bool, error) {
	n := pageSize(p)
	rows, err := s.pool.Query(ctx, `SELECT `+userCols+` FROM users u WHERE u.id > $1 ORDER BY u.id LIMIT $2`, afterID(p), n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.User, error) { return scanUser(r) })
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}

// UpdateUser locks the user, lets mutate change it, and stores the result. When the password
// hash changes, the user's login tokens are revoked. The last enabled admin cannot lose the
// role or be disabled.
func (s *Store) UpdateUser(ctx context.Context, id string, mutate func(*model.User) error) (*model.User, error) {
	var out *model.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFoundIfNoRows(err, "user", id)
		}
		oldHash, wasAdmin := u.PasswordHash, u.Role == model.RoleAdmin && !u.Disabled
		if err := mutate(u); err != nil {
			return err
		}
		if wasAdmin && (u.Role != model.RoleAdmin || u.Disabled) {
			if err := keepOneAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET username = $2, display_name = $3, role = $4, disabled = $5,
			password_hash = $6, update_time = now() WHERE id = $1`, id, u.Username, u.DisplayName, u.Role, u.Disabled, u.PasswordHash); err != nil {
			return mapErr(err, u.Username)
		}
		if u.PasswordHash != oldHash || u.Disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM login_tokens WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		out, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1`, id))
		return err
	})
	return out, mapErr(err, "")
}

// ChangePassword changes a user's own password: with the user's row locked, change gets the
// stored hash and returns the new one (or a refusal, which changes nothing); then every login
// token of the user except keep (the caller's) is revoked. It returns how many were revoked.
func (s *Store) ChangePassword(ctx context.Context, userID string, keep []byte, change func(curHash string) (string, error)) (int, error) {
	var revoked int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var cur string
		if err := tx.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&cur); err != nil {
			return notFoundIfNoRows(err, "user", userID)
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, update_time = now() WHERE id = $1`, userID, next); err != nil {
			return err
		}
		// Expired tokens go too but are not counted: they signed nobody in.
		return tx.QueryRow(ctx, `WITH d AS (DELETE FROM login_tokens WHERE user_id = $1 AND token_hash <> $2 RETURNING expire_time)
			SELECT count(*) FILTER (WHERE expire_time > now()) FROM d`, userID, keep).Scan(&revoked)
	})
	return revoked, mapErr(err, "")
}

// keepOneAdmin refuses a change that would leave no enabled admin besides user id.
func keepOneAdmin(ctx context.Context, tx pgx.Tx, id string) error {
	var others int
	// Lock every admin row so two concurrent demotions cannot both pass this check.
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM users WHERE role = $1 AND NOT disabled AND id <> $2 FOR UPDATE) a`,
		model.RoleAdmin, id).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return model.FailedPrecondition("LAST_ADMIN", "user %q is the last enabled administrator; make another user an administrator first", id)
	}
	return nil
}

// DeleteUser deletes a user with their tokens, keys and memberships.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var role model.Role
		var disabled bool
		if err := tx.QueryRow(ctx, `SELECT role, disabled FROM users WHERE id = $1 FOR UPDATE`, id).Scan(&role, &disabled); err != nil {
			return mapErr(notFoundIfNoRows(err, "user", id), "")
		}
		if role == model.RoleAdmin && !disabled {
			if err := keepOneAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		return err
	})
}

// CreateLoginToken stores the hash of a new login token.
func (s *Store) CreateLoginToken(ctx context.Context, userID string, hash []byte, expire time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO login_tokens (token_hash, user_id, expire_time) VALUES ($1, $2, $3)`, hash, userID, expire)
	return err
}

// DeleteLoginToken revokes one login token.
func (s *Store) DeleteLoginToken(ctx context.Context, hash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_tokens WHERE token_hash = $1`, hash)
	return err
}

// PruneLoginTokens deletes expired login tokens.
func (s *Store) PruneLoginTokens(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_tokens WHERE expire_time < now()`)
	return err
}

// Credential is what a bearer secret resolves to.
type Credential struct {
	User       model.User
	APIKeyID   string
	Scope      model.APIKeyScope
	ExpireTime *time.Time
	LastUsed   *time.Time
}

// LookupLoginToken resolves a login token hash to its enabled, unexpired user.
func (s *Store) LookupLoginToken(ctx context.Context, hash []byte) (*Credential, error) {
	var c Credential
	u := &c.User
	var exp time.Time
	err := s.pool.QueryRow(ctx, `SELECT u.id::text, u.username, u.role, t.expire_time FROM login_tokens t
		JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.expire_time > now() AND NOT u.disabled`, hash).
		Scan(&u.ID, &u.Username, &u.Role, &exp)
	c.ExpireTime = &exp
	return &c, notFoundIfNoRows(err, "credential", "")
}

// LookupAPIKey resolves an API key secret hash to its key and enabled owner, if unexpired.
func (s *Store) LookupAPIKey(ctx context.Context, hash []byte) (*Credential, error) {
	var c Credential
	u := &c.User
	err := s.pool.QueryRow(ctx, `SELECT u.id::text, u.username, u.role, k.id::text, k.scope, k.expire_time, k.last_used_time
		FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.secret_hash = $1 AND (k.expire_time IS NULL OR k.expire_time > now()) AND NOT u.disabled`, hash).
		Scan(&u.ID, &u.Username, &u.Role, &c.APIKeyID, &c.Scope, &c.ExpireTime, &c.LastUsed)
	return &c, notFoundIfNoRows(err, "credential", "")
}

// TouchAPIKey records that a key was used.
func (s *Store) TouchAPIKey(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE api_keys SET last_used_time = now() WHERE id = $1`, id)
	return err
}
