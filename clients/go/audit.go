package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// AuditClient reads the audit log (administrators only).
type AuditClient struct{ pb.AuditServiceClient }

// List iterates over audit events, newest first; req (may be nil) may name a user.
func (c *AuditClient) List(ctx context.Context, req *pb.ListAuditEventsRequest) iter.Seq2[*pb.AuditEvent, error] {
	req = cloneOr(req, func() *pb.ListAuditEventsRequest { return &pb.ListAuditEventsRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.AuditEvent, string, error) {
		req.PageToken = tok
		r, err := c.ListAuditEvents(ctx, req)
		return r.GetEvents(), r.GetNextPageToken(), err
	})
}
