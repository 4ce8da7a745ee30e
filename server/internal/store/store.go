// Package store keeps the platform's state in Postgres through pgx. Queries are hand-written
// SQL, one file per concern; every method returns model types and model errors.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/secrets"
)

// Store is the Postgres-backed state of the platform. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	box  *secrets.Box
}

// Open connects to Postgres. box encrypts secrets at rest.
func Open(ctx context.Context, connString string, maxConns int32, box *secrets.Box) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool, box: box}, nil
}

// Close releases the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.pool.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// Pool exposes the pool to packages that need raw access (advisory locks, LISTEN).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// inTx runs fn in a transaction, retrying it when Postgres aborts it as a deadlock victim or
// a serialization failure: concurrent lifecycle transactions (a report reconciling an agent's
// sessions while a user destroys one of them) may lock the same rows in different orders.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		var pg *pgconn.PgError
		if attempt < 4 && errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001") {
			continue
		}
		return err
	}
}

// uniqueFields maps unique constraints to the resource and request field they protect.
var uniqueFields = map[string][2]string{
	"zones_name_key":      {"zone", "zone.name"},
	"users_username_key":  {"user", "user.username"},
	"groups_name_key":     {"group", "group.name"},
	"workspaces_name_key": {"workspace", "workspace.name"},
}

// mapErr turns database errors into model errors; anything unexpected passes through and is
// masked as Internal by the transport.
func mapErr(err error, value string) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			if f, ok := uniqueFields[pg.ConstraintName]; ok {
				return model.AlreadyExists(f[0], f[1], value)
			}
		case "22P02":
			return model.Invalid("id", "is not a valid UUID")
		case "22021", "22P05":
			// Valid UTF-8 that Postgres cannot store (NUL): bad input, not a server fault.
			return &model.Error{Code: model.CodeInvalidArgument, Reason: "INVALID_ARGUMENT",
				Msg: "text values must not contain NUL (U+0000) characters"}
		}
	}
	return err
}

func notFoundIfNoRows(err error, kind, id string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return model.NotFound(kind, id)
	}
	return err
}

// Idem names an idempotent create: Scope separates callers and methods, RequestID is the
// client's key. An empty RequestID disables idempotency.
type Idem struct {
	Scope     string
	RequestID string
}

// create runs insert in a transaction, recording the new id under idem so a retry returns it
// instead of creating a second resource.
func (s *Store) create(ctx context.Context, idem Idem, insert func(tx pgx.Tx) (string, error)) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if idem.RequestID != "" {
			err := tx.QueryRow(ctx, `SELECT resource_id FROM request_ids WHERE scope = $1 AND request_id = $2`, idem.Scope, idem.RequestID).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		newID, err := insert(tx)
		if err != nil {
			return err
		}
		id = newID
		if idem.RequestID != "" {
			_, err = tx.Exec(ctx, `INSERT INTO request_ids (scope, request_id, resource_id) VALUES ($1, $2, $3)`, idem.Scope, idem.RequestID, id)
		}
		return err
	})
	if err != nil && idem.RequestID != "" {
		// A concurrent retry with the same key may have won the race. Our insert then failed on
		// request_ids_pkey, or earlier on the resource's own unique name (the winner held it
		// until commit): either way the retry's answer is what the winner created.
		var won string
		if e := s.pool.QueryRow(ctx, `SELECT resource_id FROM request_ids WHERE scope = $1 AND request_id = $2`, idem.Scope, idem.RequestID).Scan(&won); e == nil {
			return won, nil
		}
	}
	return id, err
}

// PruneRequestIDs forgets idempotency keys older than maxAge.
func (s *Store) PruneRequestIDs(ctx context.Context, maxAge time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM request_ids WHERE create_time < now() - $1::interval`, maxAge.String())
	return err
}

func pageSize(p model.Page) int {
	switch {
	case p.Size <= 0:
		return 100
	case p.Size > 1000:
		return 1000
	}
	return p.Size
}

// afterID is the keyset cursor: ids are UUIDv7, so id order is creation order.
func afterID(p model.Page) string {
	if p.After == "" {
		return "00000000-0000-0000-0000-000000000000"
	}
	return p.After
}

// page trims a result fetched with one extra row and says whether more rows follow.
func page[T any](rows []T, size int) ([]T, bool) {
	if len(rows) > size {
		return rows[:size], true
	}
	return rows, false
}
