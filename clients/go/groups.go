package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// GroupsClient manages groups: their members and the workspaces they may launch.
type GroupsClient struct{ pb.GroupServiceClient }

// Get returns one group.
func (c *GroupsClient) Get(ctx context.Context, id string) (*pb.Group, error) {
	r, err := c.GetGroup(ctx, &pb.GetGroupRequest{Id: id})
	return r.GetGroup(), err
}

// List iterates over every group; req may be nil.
func (c *GroupsClient) List(ctx context.Context, req *pb.ListGroupsRequest) iter.Seq2[*pb.Group, error] {
	req = cloneOr(req, func() *pb.ListGroupsRequest { return &pb.ListGroupsRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.Group, string, error) {
		req.PageToken = tok
		r, err := c.ListGroups(ctx, req)
		return r.GetGroups(), r.GetNextPageToken(), err
	})
}

// Create creates a group under a fresh request id.
func (c *GroupsClient) Create(ctx context.Context, g *pb.Group) (*pb.Group, error) {
	r, err := c.CreateGroup(ctx, &pb.CreateGroupRequest{Group: g, RequestId: NewRequestID()})
	return r.GetGroup(), err
}

// Update changes the fields of g named by paths; no paths means every writable field.
func (c *GroupsClient) Update(ctx context.Context, g *pb.Group, paths ...string) (*pb.Group, error) {
	r, err := c.UpdateGroup(ctx, &pb.UpdateGroupRequest{Group: g, UpdateMask: mask(paths)})
	return r.GetGroup(), err
}

// Delete deletes a group.
func (c *GroupsClient) Delete(ctx context.Context, id string) error {
	_, err := c.DeleteGroup(ctx, &pb.DeleteGroupRequest{Id: id})
	return err
}
