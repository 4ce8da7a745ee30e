package api

import (
	"context"
	"errors"
	"time"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// AuthService implements hotdesk.v1.AuthService.
type AuthService struct {
	pb.UnimplementedAuthServiceServer
	d Deps
}

// dummyHash makes a login for an unknown user cost as much as one for a known user, so
// response times do not reveal which user names exist.
var dummyHash, _ = auth.HashPassword("hotdesk-timing-equaliser")

func (s *AuthService) Login(ctx context.Context, req *pb.LoginRequest) (*pb.LoginResponse, error) {
	// Throttled per user name whether or not the user exists, so the throttle does not tell
	// which names do; a refusal comes before any password check.
	att, err := s.d.Throttle.Begin(ctx, req.GetUsername(), auth.ClientAddr(ctx))
	if err != nil {
		return nil, err
	}
	u, err := s.d.Store.GetUserByUsername(ctx, req.GetUsername())
	if err != nil && !model.IsCode(err, model.CodeNotFound) {
		return nil, abandon(ctx, att, err)
	}
	if u == nil || err != nil {
		auth.CheckPassword(dummyHash, req.GetPassword())
		return nil, wrongPassword(ctx, att)
	}
	// A disabled user's right password counts as a failure too: anything else would tell a
	// guesser that the guess was right.
	if !auth.CheckPassword(u.PasswordHash, req.GetPassword()) || u.Disabled {
		return nil, wrongPassword(ctx, att)
	}
	if err := att.Succeeded(ctx); err != nil {
		return nil, err
	}
	secret, hash, err := auth.NewSecret(auth.LoginTokenPrefix)
	if err != nil {
		return nil, err
	}
	expire := time.Now().Add(s.d.TokenTTL)
	if err := s.d.Store.CreateLoginToken(ctx, u.ID, hash, expire); err != nil {
		return nil, err
	}
	auth.SetActor(ctx, u.ID) // the audit event names the user who signed in
	return &pb.LoginResponse{Token: secret, ExpireTime: ts(expire), User: userToPB(u)}, nil
}

func (s *AuthService) Logout(ctx context.Context, _ *pb.LogoutRequest) (*pb.LogoutResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.TokenHash == nil {
		return nil, model.FailedPrecondition("NOT_A_LOGIN_TOKEN", "this call was made with an API key; revoke keys with ApiKeyService.DeleteApiKey")
	}
	if err := s.d.Store.DeleteLoginToken(ctx, p.TokenHash); err != nil {
		return nil, err
	}
	s.d.Authn.Forget()
	return &pb.LogoutResponse{}, nil
}

func (s *AuthService) GetCurrentUser(ctx context.Context, _ *pb.GetCurrentUserRequest) (*pb.GetCurrentUserResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.d.Store.GetUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	return &pb.GetCurrentUserResponse{User: userToPB(u)}, nil
}

func (s *AuthService) ChangePassword(ctx context.Context, req *pb.ChangePasswordRequest) (*pb.ChangePasswordResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	// Only someone who signed in with the password may change it: a leaked API key must not
	// be enough to take the account over.
	if p.TokenHash == nil {
		return nil, model.PermissionDenied("sign in with your password to change it; API keys cannot")
	}
	// Guessing the current password here is guessing it at Login: both count against the
	// same user name and address.
	att, err := s.d.Throttle.Begin(ctx, p.Username, auth.ClientAddr(ctx))
	if err != nil {
		return nil, err
	}
	// Hash before the user's row is locked; the check of the current password runs under the
	// lock, so two concurrent changes cannot both pass it.
	next, err := auth.HashPassword(req.GetNewPassword())
	if err != nil {
		return nil, abandon(ctx, att, err)
	}
	var checked, right bool
	revoked, err := s.d.Store.ChangePassword(ctx, p.UserID, p.TokenHash, func(cur string) (string, error) {
		checked, right = true, auth.CheckPassword(cur, req.GetCurrentPassword())
		if !right {
			return "", model.Invalid("current_password", "is not your current password")
		}
		if req.GetNewPassword() == req.GetCurrentPassword() {
			return "", model.Invalid("new_password", "must differ from the current password")
		}
		return next, nil
	})
	switch {
	case checked && !right:
		if ferr := att.Failed(ctx); ferr != nil {
			return nil, ferr
		}
	case checked:
		if serr := att.Succeeded(ctx); serr != nil && err == nil {
			err = serr
		}
	default:
		err = abandon(ctx, att, err)
	}
	if err != nil {
		return nil, err
	}
	s.d.Authn.Forget()
	return &pb.ChangePasswordResponse{RevokedLoginCount: int32(revoked)}, nil
}

// wrongPassword records a failed sign-in and gives the one answer for every kind of failure.
func wrongPassword(ctx context.Context, att *auth.Attempt) error {
	if err := att.Failed(ctx); err != nil {
		return err
	}
	return model.Unauthenticated("wrong user name or password")
}

// abandon releases an attempt that failed before its password was judged, keeping err.
func abandon(ctx context.Context, att *auth.Attempt, err error) error {
	if aerr := att.Abandon(ctx); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}
