package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

func imageStatusToPB(s *model.ImageStatus) *pb.ImageStatus {
	return &pb.ImageStatus{WorkspaceId: s.WorkspaceID, AgentId: s.AgentID, ImageReference: s.Reference,
		State: pb.ImageState(s.State), Present: s.Present, LayersDone: uint32(max(s.LayersDone, 0)),
		LayersTotal: uint32(max(s.LayersTotal, 0)), BytesDone: s.BytesDone, BytesTotal: s.BytesTotal, Digest: s.Digest,
		ImageId: s.ImageID, Error: s.Error, PullTime: tsp(s.PullTime), UpdateTime: ts(s.UpdateTime)}
}

// ListImageStatuses lists where workspaces' images stand on agents (administrators only, by
// the service's default policy).
func (s *WorkspaceService) ListImageStatuses(ctx context.Context, req *pb.ListImageStatusesRequest) (*pb.ListImageStatusesResponse, error) {
	f := model.ImageStatusFilter{WorkspaceID: req.GetWorkspaceId(), AgentID: req.GetAgentId()}
	q := "imageStatuses|" + f.WorkspaceID + "|" + f.AgentID
	pg, err := s.pages.page(req.GetPageSize(), req.GetPageToken(), q)
	if err != nil {
		return nil, err
	}
	list, more, err := s.d.Images.List(ctx, pg, f)
	if err != nil {
		return nil, err
	}
	resp := &pb.ListImageStatusesResponse{ImageStatuses: make([]*pb.ImageStatus, 0, len(list))}
	for _, st := range list {
		resp.ImageStatuses = append(resp.ImageStatuses, imageStatusToPB(st))
	}
	if len(list) > 0 {
		last := list[len(list)-1]
		resp.NextPageToken = s.pages.next(more, last.WorkspaceID+"/"+last.AgentID, q)
	}
	return resp, nil
}
