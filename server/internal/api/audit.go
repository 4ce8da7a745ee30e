package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// AuditService implements hotdesk.v1.AuditService.
type AuditService struct {
	pb.UnimplementedAuditServiceServer
	d     Deps
	pages *pager
}

func (s *AuditService) ListAuditEvents(ctx context.Context, req *pb.ListAuditEventsRequest) (*pb.ListAuditEventsResponse, error) {
	q := "audit|" + req.GetUserId()
	pg, err := s.pages.page(req.GetPageSize(), req.GetPageToken(), q)
	if err != nil {
		return nil, err
	}
	list, more, err := s.d.Store.ListAudit(ctx, pg, req.GetUserId())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListAuditEventsResponse{}
	for _, e := range list {
		resp.Events = append(resp.Events, &pb.AuditEvent{Id: e.ID, Time: ts(e.Time), UserId: e.UserID, ApiKeyId: e.APIKeyID,
			Method: e.Method, ResourceId: e.ResourceID, Code: e.Code, Peer: e.Peer})
	}
	if len(list) > 0 {
		resp.NextPageToken = s.pages.next(more, list[len(list)-1].ID, q)
	}
	return resp, nil
}
