package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/sessions"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// SessionService implements hotdesk.v1.SessionService.
type SessionService struct {
	pb.UnimplementedSessionServiceServer
	d     Deps
	pages *pager
}

func sessionToPB(s *model.Session) *pb.Session {
	return &pb.Session{Id: s.ID, WorkspaceId: s.WorkspaceID, UserId: s.UserID, State: pb.SessionState(s.State),
		StateReason: s.StateReason, ZoneId: s.ZoneID, AgentId: s.AgentID, CreateTime: ts(s.CreateTime),
		StartTime: tsp(s.StartTime), ExpireTime: tsp(s.ExpireTime), MaxExpireTime: tsp(s.MaxExpireTime), EndTime: tsp(s.EndTime)}
}

// toPB is sessionToPB with the connect page's URL.
func (s *SessionService) toPB(sess *model.Session) *pb.Session {
	out := sessionToPB(sess)
	if s.d.Connect != nil {
		out.ConnectUrl = s.d.Connect.PageURL(sess.ID)
	}
	return out
}

func sessionCaller(ctx context.Context) (sessions.Caller, error) {
	p, err := caller(ctx)
	if err != nil {
		return sessions.Caller{}, err
	}
	return sessions.Caller{UserID: p.UserID, Admin: p.IsAdmin()}, nil
}

func (s *SessionService) CreateSession(ctx context.Context, req *pb.CreateSessionRequest) (*pb.CreateSessionResponse, error) {
	who, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := s.d.Sessions.Launch(ctx, who, req.GetWorkspaceId(), req.GetZoneId(), req.GetRequestId())
	if err != nil {
		return nil, err
	}
	return &pb.CreateSessionResponse{Session: s.toPB(sess)}, nil
}

func (s *SessionService) GetSession(ctx context.Context, req *pb.GetSessionRequest) (*pb.GetSessionResponse, error) {
	who, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := s.d.Sessions.Get(ctx, who, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.GetSessionResponse{Session: s.toPB(sess)}, nil
}

func (s *SessionService) ListSessions(ctx context.Context, req *pb.ListSessionsRequest) (*pb.ListSessionsResponse, error) {
	who, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	f := store.SessionFilter{UserID: req.GetUserId(), WorkspaceID: req.GetWorkspaceId(), AgentID: req.GetAgentId(), IncludeEnded: req.GetIncludeEnded()}
	if !who.Admin {
		f.UserID = who.UserID
	}
	q := "sessions|" + f.UserID + "|" + f.WorkspaceID + "|" + f.AgentID
	if f.IncludeEnded {
		q += "|ended"
	}
	pg, err := s.pages.page(req.GetPageSize(), req.GetPageToken(), q)
	if err != nil {
		return nil, err
	}
	list, more, err := s.d.Store.ListSessions(ctx, pg, f)
	if err != nil {
		return nil, err
	}
	resp := &pb.ListSessionsResponse{}
	for _, x := range list {
		resp.Sessions = append(resp.Sessions, s.toPB(x))
	}
	if len(list) > 0 {
		resp.NextPageToken = s.pages.next(more, list[len(list)-1].ID, q)
	}
	return resp, nil
}

func (s *SessionService) WatchSession(req *pb.WatchSessionRequest, stream pb.SessionService_WatchSessionServer) error {
	ctx := stream.Context()
	who, err := sessionCaller(ctx)
	if err != nil {
		return err
	}
	// Subscribe before the first read so no change between the read and the subscription is
	// missed.
	changed, unsubscribe := s.d.Watchers.Subscribe(req.GetId())
	defer unsubscribe()
	var last *pb.Session
	for {
		sess, err := s.d.Sessions.Get(ctx, who, req.GetId())
		if err != nil {
			return err
		}
		cur := s.toPB(sess)
		if last == nil || last.GetState() != cur.GetState() || !last.GetExpireTime().AsTime().Equal(cur.GetExpireTime().AsTime()) ||
			last.GetStateReason() != cur.GetStateReason() || last.GetAgentId() != cur.GetAgentId() {
			if err := stream.Send(&pb.WatchSessionResponse{Session: cur}); err != nil {
				return err
			}
			last = cur
		}
		if sess.State.Ended() {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

func (s *SessionService) KeepAliveSession(ctx context.Context, req *pb.KeepAliveSessionRequest) (*pb.KeepAliveSessionResponse, error) {
	who, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := s.d.Sessions.KeepAlive(ctx, who, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.KeepAliveSessionResponse{Session: s.toPB(sess)}, nil
}

func (s *SessionService) DeleteSession(ctx context.Context, req *pb.DeleteSessionRequest) (*pb.DeleteSessionResponse, error) {
	who, err := sessionCaller(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.d.Sessions.Destroy(ctx, who, req.GetId()); err != nil {
		return nil, err
	}
	return &pb.DeleteSessionResponse{}, nil
}
