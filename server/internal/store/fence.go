package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// Fence proves leadership of a background loop: its writes commit only while Generation is
// still the loop's current one, so a leader that lost its lock (and was replaced) cannot act.
type Fence struct {
	Loop       string
	Generation int64
}

// BumpGeneration starts a new leadership term of loop for holder and returns its fence.
func (s *Store) BumpGeneration(ctx context.Context, loop, holder string) (Fence, error) {
	f := Fence{Loop: loop}
	err := s.pool.QueryRow(ctx, `INSERT INTO loop_leases (name, generation, holder) VALUES ($1, 1, $2)
		ON CONFLICT (name) DO UPDATE SET generation = loop_leases.generation + 1, holder = $2, update_time = now()
		RETURNING generation`, loop, holder).Scan(&f.Generation)
	return f, err
}

// fenced runs fn in a transaction that holds the loop's lease row shared and fails when a
// newer leader has taken over.
func (s *Store) fenced(ctx context.Context, f Fence, fn func(tx pgx.Tx) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var gen int64
		if err := tx.QueryRow(ctx, `SELECT generation FROM loop_leases WHERE name = $1 FOR SHARE`, f.Loop).Scan(&gen); err != nil {
			return err
		}
		if gen != f.Generation {
			return model.FailedPrecondition("FENCED", "loop %s: leadership moved to generation %d (we hold %d)", f.Loop, gen, f.Generation)
		}
		return fn(tx)
	})
}
