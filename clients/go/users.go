package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// UsersClient manages users.
type UsersClient struct{ pb.UserServiceClient }

// Get returns one user.
func (c *UsersClient) Get(ctx context.Context, id string) (*pb.User, error) {
	r, err := c.GetUser(ctx, &pb.GetUserRequest{Id: id})
	return r.GetUser(), err
}

// List iterates over every user; req may be nil.
func (c *UsersClient) List(ctx context.Context, req *pb.ListUsersRequest) iter.Seq2[*pb.User, error] {
	req = cloneOr(req, func() *pb.ListUsersRequest { return &pb.ListUsersRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.User, string, error) {
		req.PageToken = tok
		r, err := c.ListUsers(ctx, req)
		return r.GetUsers(), r.GetNextPageToken(), err
	})
}

// Create creates a user under a fresh request id.
func (c *UsersClient) Create(ctx context.Context, u *pb.User) (*pb.User, error) {
	r, err := c.CreateUser(ctx, &pb.CreateUserRequest{User: u, RequestId: NewRequestID()})
	return r.GetUser(), err
}

// Update changes the fields of u named by paths; no paths means every writable field.
func (c *UsersClient) Update(ctx context.Context, u *pb.User, paths ...string) (*pb.User, error) {
	r, err := c.UpdateUser(ctx, &pb.UpdateUserRequest{User: u, UpdateMask: mask(paths)})
	return r.GetUser(), err
}

// Delete deletes a user.
func (c *UsersClient) Delete(ctx context.Context, id string) error {
	_, err := c.DeleteUser(ctx, &pb.DeleteUserRequest{Id: id})
	return err
}
