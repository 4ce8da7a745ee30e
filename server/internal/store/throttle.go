package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// UpdateLoginThrottles locks the sign-in counters of keys (blank ones where there are none
// yet), lets mutate change them at the database's clock, and stores the result; counters left
// blank are deleted. An error from mutate rolls everything back and is returned as is.
//
// Counters are locked in one order (kind, then subject), so two attempts sharing a user name
// or an address cannot deadlock; the lock lasts a few statements, never a password check.
func (s *Store) UpdateLoginThrottles(ctx context.Context, keys []model.ThrottleKey, mutate func(now time.Time, ts []*model.LoginThrottle) error) error {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b model.ThrottleKey) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	keys = slices.Compact(keys)
	kinds, subjects := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		kinds[i], subjects[i] = string(k.Kind), k.Subject
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO login_throttles (kind, subject)
			SELECT * FROM unnest($1::text[], $2::text[]) ORDER BY 1, 2 ON CONFLICT DO NOTHING`, kinds, subjects); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT kind, subject, failures, pending, window_start, lockouts, locked_until, now()
			FROM login_throttles WHERE (kind, subject) IN (SELECT * FROM unnest($1::text[], $2::text[]))
			ORDER BY kind, subject FOR UPDATE`, kinds, subjects)
		if err != nil {
			return err
		}
		var now time.Time
		ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.LoginThrottle, error) {
			var t model.LoginThrottle
			var locked *time.Time
			err := r.Scan(&t.Kind, &t.Subject, &t.Failures, &t.Pending, &t.WindowStart, &t.Lockouts, &locked, &now)
			if locked != nil {
				t.LockedUntil = *locked
			}
			return &t, err
		})
		if err != nil {
			return err
		}
		if err := mutate(now, ts); err != nil {
			return err
		}
		for _, t := range ts {
			if t.Blank(now) {
				_, err = tx.Exec(ctx, `DELETE FROM login_throttles WHERE kind = $1 AND subject = $2`, t.Kind, t.Subject)
			} else {
				var locked *time.Time
				if !t.LockedUntil.IsZero() {
					locked = &t.LockedUntil
				}
				_, err = tx.Exec(ctx, `UPDATE login_throttles SET failures = $3, pending = $4, window_start = $5, lockouts = $6,
					locked_until = $7 WHERE kind = $1 AND subject = $2`, t.Kind, t.Subject, t.Failures, t.Pending, t.WindowStart, t.Lockouts, locked)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr(err, "") // model errors pass through unchanged
}

// PruneLoginThrottles deletes the counters with nothing left to remember: their window
// started over window ago and their last lockout (if any) ended over forget ago. A counter in
// that state would start afresh on its next attempt anyway.
func (s *Store) PruneLoginThrottles(ctx context.Context, window, forget time.Duration) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_throttles WHERE window_start < now() - make_interval(secs => $1)
		AND coalesce(locked_until, '-infinity') < now() - make_interval(secs => $2)`, window.Seconds(), forget.Seconds())
	return err
}
