package api

import (
	"context"
	"net/url"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// CreateConnectToken mints a token with which the session's owner (or an administrator) opens
// its stream: signed, valid for a minute until used, usable once, bound to the session, the
// caller and the agent that runs it.
func (s *SessionService) CreateConnectToken(ctx context.Context, req *pb.CreateConnectTokenRequest) (*pb.CreateConnectTokenResponse, error) {
	who, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	if s.d.Connect == nil {
		return nil, &model.Error{Code: model.CodeUnimplemented, Reason: "UNIMPLEMENTED", Msg: "this server has no session proxy"}
	}
	owner := who.UserID
	if who.Admin {
		owner = ""
	}
	t, err := s.d.Store.GetConnectTarget(ctx, req.GetId(), owner)
	if err != nil {
		return nil, err
	}
	switch sess := t.Session; {
	case sess.State == model.SessionPending || sess.State == model.SessionStarting:
		return nil, model.FailedPrecondition("SESSION_STARTING", "session %q is still starting; watch it until it is RUNNING, then connect", sess.ID)
	case sess.State == model.SessionUnreachable:
		return nil, model.FailedPrecondition("SESSION_UNREACHABLE", "session %q is unreachable: %s; try again when its agent is back", sess.ID, sess.StateReason)
	case sess.State == model.SessionStopping || sess.State.Ended():
		reason := sess.StateReason
		if reason == "" {
			reason = "ended"
		}
		return nil, model.FailedPrecondition("SESSION_ENDED", "session %q has ended (%s); launch a new one", sess.ID, reason)
	}
	token, exp, err := s.d.Connect.Mint(t, who.UserID)
	if err != nil {
		return nil, err
	}
	return &pb.CreateConnectTokenResponse{Token: token, ExpireTime: ts(exp),
		ConnectUrl: s.d.Connect.PageURL(req.GetId()) + "?token=" + url.QueryEscape(token)}, nil
}
