package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// UserService implements hotdesk.v1.UserService.
type UserService struct {
	pb.UnimplementedUserServiceServer
	d     Deps
	pages *pager
}

func userToPB(u *model.User) *pb.User {
	return &pb.User{Id: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: pb.Role(u.Role), Disabled: u.Disabled,
		GroupIds: u.GroupIDs, CreateTime: ts(u.CreateTime), UpdateTime: ts(u.UpdateTime)}
}

// userFromPB maps a user from a request; a non-empty password is hashed.
func userFromPB(u *pb.User, passwordHash string) (*model.User, error) {
	out := &model.User{ID: u.GetId(), Username: u.GetUsername(), DisplayName: u.GetDisplayName(), Role: model.Role(u.GetRole()),
		Disabled: u.GetDisabled(), PasswordHash: passwordHash}
	if out.Username == "" {
		return nil, model.Invalid("user.username", "is required")
	}
	if out.Role == 0 {
		out.Role = model.RoleUser
	}
	if pw := u.GetPassword(); pw != "" {
		h, err := auth.HashPassword(pw)
		if err != nil {
			return nil, err
		}
		out.PasswordHash = h
	}
	if out.PasswordHash == "" {
		return nil, model.Invalid("user.password", "is required (8 to 1024 characters)")
	}
	return out, nil
}

func (s *UserService) CreateUser(ctx context.Context, req *pb.CreateUserRequest) (*pb.CreateUserResponse, error) {
	u, err := userFromPB(req.GetUser(), "")
	if err != nil {
		return nil, err
	}
	id, err := s.d.Store.CreateUser(ctx, idem(ctx, "CreateUser", req.GetRequestId()), u)
	if err != nil {
		return nil, err
	}
	got, err := s.d.Store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.CreateUserResponse{User: userToPB(got)}, nil
}

func (s *UserService) GetUser(ctx context.Context, req *pb.GetUserRequest) (*pb.GetUserResponse, error) {
	u, err := s.d.Store.GetUser(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.GetUserResponse{User: userToPB(u)}, nil
}

func (s *UserService) ListUsers(ctx context.Context, req *pb.ListUsersRequest) (*pb.ListUsersResponse, error) {
	users, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "users",
		func(p model.Page) ([]*model.User, bool, error) { return s.d.Store.ListUsers(ctx, p) },
		userToPB, func(u *model.User) string { return u.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListUsersResponse{Users: users, NextPageToken: next}, nil
}

func (s *UserService) UpdateUser(ctx context.Context, req *pb.UpdateUserRequest) (*pb.UpdateUserResponse, error) {
	id := req.GetUser().GetId()
	if id == "" {
		return nil, model.Invalid("user.id", "is required")
	}
	for _, p := range req.GetUpdateMask().GetPaths() {
		if p == "password" && req.GetUser().GetPassword() == "" {
			return nil, model.Invalid("user.password", "is required when update_mask names it (8 to 1024 characters)")
		}
	}
	u, err := s.d.Store.UpdateUser(ctx, id, func(cur *model.User) error {
		merged := userToPB(cur)
		if err := applyMask(merged, req.GetUser(), req.GetUpdateMask().GetPaths(), "user"); err != nil {
			return err
		}
		next, err := userFromPB(merged, cur.PasswordHash)
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
	s.d.Authn.Forget()
	return &pb.UpdateUserResponse{User: userToPB(u)}, nil
}

func (s *UserService) DeleteUser(ctx context.Context, req *pb.DeleteUserRequest) (*pb.DeleteUserResponse, error) {
	if err := s.d.Store.DeleteUser(ctx, req.GetId()); err != nil {
		return nil, err
	}
	s.d.Authn.Forget()
	return &pb.DeleteUserResponse{}, nil
}
