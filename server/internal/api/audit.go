package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// AuditService implements hotdesk.v1.AuditService.
type AuditService struct {
	pb.UnimplementedAuditServiceServer
	d     Deps
	pages *pager
}

func (s *AuditService) ListAuditEvents(ctx context.Context, req *pb.ListAuditEventsRequest) (*pb.ListAuditEventsResponse, error) {
	events, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "audit|"+req.GetUserId(),
		func(p model.Page) ([]*model.AuditEvent, bool, error) {
			return s.d.Store.ListAudit(ctx, p, req.GetUserId())
		},
		func(e *model.AuditEvent) *pb.AuditEvent {
			return &pb.AuditEvent{Id: e.ID, Time: ts(e.Time), UserId: e.UserID, ApiKeyId: e.APIKeyID,
				Method: e.Method, ResourceId: e.ResourceID, Code: e.Code, Peer: e.Peer}
		}, func(e *model.AuditEvent) string { return e.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListAuditEventsResponse{Events: events, NextPageToken: next}, nil
}
