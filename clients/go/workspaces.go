package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// WorkspacesClient manages the catalog of launchable workspaces.
type WorkspacesClient struct{ pb.WorkspaceServiceClient }

// Get returns one workspace.
func (c *WorkspacesClient) Get(ctx context.Context, id string) (*pb.Workspace, error) {
	r, err := c.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: id})
	return r.GetWorkspace(), err
}

// List iterates over every workspace the caller may see; req (may be nil) sets the page size.
func (c *WorkspacesClient) List(ctx context.Context, req *pb.ListWorkspacesRequest) iter.Seq2[*pb.Workspace, error] {
	req = cloneOr(req, func() *pb.ListWorkspacesRequest { return &pb.ListWorkspacesRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.Workspace, string, error) {
		req.PageToken = tok
		r, err := c.ListWorkspaces(ctx, req)
		return r.GetWorkspaces(), r.GetNextPageToken(), err
	})
}

// Create creates a workspace under a fresh request id.
func (c *WorkspacesClient) Create(ctx context.Context, w *pb.Workspace) (*pb.Workspace, error) {
	r, err := c.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: w, RequestId: NewRequestID()})
	return r.GetWorkspace(), err
}

// Update changes the fields of w named by paths (e.g. "name", "container.cores"); no paths
// means every writable field.
func (c *WorkspacesClient) Update(ctx context.Context, w *pb.Workspace, paths ...string) (*pb.Workspace, error) {
	r, err := c.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: w, UpdateMask: mask(paths)})
	return r.GetWorkspace(), err
}

// Delete deletes a workspace; its running sessions continue.
func (c *WorkspacesClient) Delete(ctx context.Context, id string) error {
	_, err := c.DeleteWorkspace(ctx, &pb.DeleteWorkspaceRequest{Id: id})
	return err
}

// ImageStatuses iterates over where each workspace's image stands on each agent that should
// hold it (queued, pulling, present, failed); req (may be nil) filters by workspace or agent.
// Administrators only.
func (c *WorkspacesClient) ImageStatuses(ctx context.Context, req *pb.ListImageStatusesRequest) iter.Seq2[*pb.ImageStatus, error] {
	req = cloneOr(req, func() *pb.ListImageStatusesRequest { return &pb.ListImageStatusesRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.ImageStatus, string, error) {
		req.PageToken = tok
		r, err := c.ListImageStatuses(ctx, req)
		return r.GetImageStatuses(), r.GetNextPageToken(), err
	})
}
