// Package leader elects one replica to run each background loop, with a Postgres advisory
// lock held on a dedicated connection, and fences its writes with a generation number: when
// the lock is lost (connection dropped, replica paused), another replica takes over with a
// higher generation and the old leader's fenced writes fail.
package leader

import (
	"context"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Run campaigns for loop until ctx ends; while leader it calls lead with the term's fence and
// a context that ends when leadership is lost.
func Run(ctx context.Context, connString string, s *store.Store, loop, holder string, log *slog.Logger, lead func(ctx context.Context, f store.Fence)) {
	h := fnv.New64a()
	h.Write([]byte("hotdesk loop " + loop))
	key := int64(h.Sum64())
	for ctx.Err() == nil {
		if err := campaign(ctx, connString, s, key, loop, holder, log, lead); err != nil && ctx.Err() == nil {
			log.Warn("leader election", "loop", loop, "error", err.Error())
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

func campaign(ctx context.Context, connString string, s *store.Store, key int64, loop, holder string, log *slog.Logger, lead func(ctx context.Context, f store.Fence)) error {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
			return err
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
	fence, err := s.BumpGeneration(ctx, loop, holder)
	if err != nil {
		return err
	}
	log.Info("leading background loop", "loop", loop, "generation", fence.Generation)
	termCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The lock lives as long as the connection: check it, and end the term the moment it fails.
	go func() {
		defer cancel()
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-termCtx.Done():
				return
			case <-t.C:
				pctx, pcancel := context.WithTimeout(termCtx, 2*time.Second)
				err := conn.Ping(pctx)
				pcancel()
				if err != nil {
					return
				}
			}
		}
	}()
	lead(termCtx, fence)
	return nil
}
