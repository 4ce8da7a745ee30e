package api

import (
	"context"
	"strings"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// GroupService implements hotdesk.v1.GroupService.
type GroupService struct {
	pb.UnimplementedGroupServiceServer
	d     Deps
	pages *pager
}

func groupToPB(g *model.Group) *pb.Group {
	return &pb.Group{Id: g.ID, Name: g.Name, Description: g.Description, MemberIds: g.MemberIDs, WorkspaceIds: g.WorkspaceIDs,
		CreateTime: ts(g.CreateTime), UpdateTime: ts(g.UpdateTime)}
}

func groupFromPB(g *pb.Group) (*model.Group, error) {
	out := &model.Group{ID: g.GetId(), Name: strings.TrimSpace(g.GetName()), Description: g.GetDescription(),
		MemberIDs: lower(g.GetMemberIds()), WorkspaceIDs: lower(g.GetWorkspaceIds())}
	if out.Name == "" {
		return nil, model.Invalid("group.name", "is required")
	}
	return out, nil
}

// lower canonicalizes UUIDs so the same id in two spellings is one member.
func lower(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.ToLower(id)
	}
	return out
}

func (s *GroupService) CreateGroup(ctx context.Context, req *pb.CreateGroupRequest) (*pb.CreateGroupResponse, error) {
	g, err := groupFromPB(req.GetGroup())
	if err != nil {
		return nil, err
	}
	id, err := s.d.Store.CreateGroup(ctx, idem(ctx, "CreateGroup", req.GetRequestId()), g)
	if err != nil {
		return nil, err
	}
	got, err := s.d.Store.GetGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.CreateGroupResponse{Group: groupToPB(got)}, nil
}

func (s *GroupService) GetGroup(ctx context.Context, req *pb.GetGroupRequest) (*pb.GetGroupResponse, error) {
	g, err := s.d.Store.GetGroup(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.GetGroupResponse{Group: groupToPB(g)}, nil
}

func (s *GroupService) ListGroups(ctx context.Context, req *pb.ListGroupsRequest) (*pb.ListGroupsResponse, error) {
	groups, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "groups",
		func(p model.Page) ([]*model.Group, bool, error) { return s.d.Store.ListGroups(ctx, p) },
		groupToPB, func(g *model.Group) string { return g.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListGroupsResponse{Groups: groups, NextPageToken: next}, nil
}

func (s *GroupService) UpdateGroup(ctx context.Context, req *pb.UpdateGroupRequest) (*pb.UpdateGroupResponse, error) {
	id := req.GetGroup().GetId()
	if id == "" {
		return nil, model.Invalid("group.id", "is required")
	}
	g, err := s.d.Store.UpdateGroup(ctx, id, func(cur *model.Group) error {
		merged := groupToPB(cur)
		if err := applyMask(merged, req.GetGroup(), req.GetUpdateMask().GetPaths(), "group"); err != nil {
			return err
		}
		next, err := groupFromPB(merged)
		if err != nil {
			return err
		}
		next.ID = cur.ID
		*cur = *next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &pb.UpdateGroupResponse{Group: groupToPB(g)}, nil
}

func (s *GroupService) DeleteGroup(ctx context.Context, req *pb.DeleteGroupRequest) (*pb.DeleteGroupResponse, error) {
	return &pb.DeleteGroupResponse{}, s.d.Store.DeleteGroup(ctx, req.GetId())
}
