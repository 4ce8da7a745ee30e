package hotdesk

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// AuthClient signs in and out and changes the signed-in user's password.
type AuthClient struct{ pb.AuthServiceClient }

// Login exchanges a user name and password for a token (needs no credential).
func (c *AuthClient) Login(ctx context.Context, username, password string) (*pb.LoginResponse, error) {
	return c.AuthServiceClient.Login(ctx, &pb.LoginRequest{Username: username, Password: password})
}

// Logout revokes the login token the client uses.
func (c *AuthClient) Logout(ctx context.Context) error {
	_, err := c.AuthServiceClient.Logout(ctx, &pb.LogoutRequest{})
	return err
}

// Me returns the user the client's credential belongs to.
func (c *AuthClient) Me(ctx context.Context) (*pb.User, error) {
	r, err := c.GetCurrentUser(ctx, &pb.GetCurrentUserRequest{})
	return r.GetUser(), err
}

// ChangePassword changes the signed-in user's own password and signs out the user's other
// sign-ins; the client's own login token keeps working. The client must use a login token
// (WithPassword or WithToken): API keys are refused with PERMISSION_DENIED. A wrong current
// password is INVALID_ARGUMENT naming the field current_password.
func (c *AuthClient) ChangePassword(ctx context.Context, currentPassword, newPassword string) (*pb.ChangePasswordResponse, error) {
	return c.AuthServiceClient.ChangePassword(ctx, &pb.ChangePasswordRequest{CurrentPassword: currentPassword, NewPassword: newPassword})
}
