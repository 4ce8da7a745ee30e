package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// AppendAudit records one audit event.
func (s *Store) AppendAudit(ctx context.Context, e *model.AuditEvent) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_events (id, user_id, api_key_id, method, resource_id, code, peer)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), nullUUID(e.UserID), nullUUID(e.APIKeyID), e.Method, e.ResourceID, e.Code, e.Peer)
	return err
}

// ListAudit returns a page of audit events, newest first; p.After is the id to continue below.
func (s *Store) ListAudit(ctx context.Context, p model.Page, userID string) ([]*model.AuditEvent, bool, error) {
	n := pageSize(p)
	before := p.After
	if before == "" {
		before = "ffffffff-ffff-ffff-ffff-ffffffffffff"
	}
	rows, err := s.pool.Query(ctx, `SELECT id::text, time, coalesce(user_id::text, ''), coalesce(api_key_id::text, ''), method,
		resource_id, code, peer FROM audit_events WHERE id < $1 AND ($2 = '' OR user_id::text = $2) ORDER BY audit_events.id DESC LIMIT $3`,
		before, userID, n+1)
	if err != nil {
		return nil, false, mapErr(err, "")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*model.AuditEvent, error) {
		var e model.AuditEvent
		err := r.Scan(&e.ID, &e.Time, &e.UserID, &e.APIKeyID, &e.Method, &e.ResourceID, &e.Code, &e.Peer)
		return &e, err
	})
	list, more := page(list, n)
	return list, more, mapErr(err, "")
}
