package hotdesk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// SessionsClient launches, watches, keeps alive and destroys sessions.
type SessionsClient struct{ pb.SessionServiceClient }

// LaunchOption refines Launch.
type LaunchOption func(*pb.CreateSessionRequest)

// InZone asks for the session to be placed in a zone.
func InZone(zoneID string) LaunchOption {
	return func(r *pb.CreateSessionRequest) { r.ZoneId = zoneID }
}

// WithRequestID sets the idempotency key (Launch makes a fresh one otherwise): a launch retried
// with the same key returns the same session.
func WithRequestID(id string) LaunchOption {
	return func(r *pb.CreateSessionRequest) { r.RequestId = id }
}

// Launch starts a session of a workspace. It returns at once with the session PENDING or
// STARTING; use Wait (or Client.WaitSession) to see it run.
func (c *SessionsClient) Launch(ctx context.Context, workspaceID string, opts ...LaunchOption) (*pb.Session, error) {
	req := &pb.CreateSessionRequest{WorkspaceId: workspaceID, RequestId: NewRequestID()}
	for _, o := range opts {
		o(req)
	}
	r, err := c.CreateSession(ctx, req)
	return r.GetSession(), err
}

// Get returns one session.
func (c *SessionsClient) Get(ctx context.Context, id string) (*pb.Session, error) {
	r, err := c.GetSession(ctx, &pb.GetSessionRequest{Id: id})
	return r.GetSession(), err
}

// List iterates over sessions, newest first: the caller's own, or (administrators) anyone's
// with the filters of req, which may be nil.
func (c *SessionsClient) List(ctx context.Context, req *pb.ListSessionsRequest) iter.Seq2[*pb.Session, error] {
	req = cloneOr(req, func() *pb.ListSessionsRequest { return &pb.ListSessionsRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.Session, string, error) {
		req.PageToken = tok
		r, err := c.ListSessions(ctx, req)
		return r.GetSessions(), r.GetNextPageToken(), err
	})
}

// KeepAlive pushes the session's idle deadline out.
func (c *SessionsClient) KeepAlive(ctx context.Context, id string) (*pb.Session, error) {
	r, err := c.KeepAliveSession(ctx, &pb.KeepAliveSessionRequest{Id: id})
	return r.GetSession(), err
}

// Delete destroys a session: its container is removed. The session then goes STOPPING and
// STOPPED; Wait for SESSION_STATE_STOPPED to see it gone.
func (c *SessionsClient) Delete(ctx context.Context, id string) error {
	_, err := c.DeleteSession(ctx, &pb.DeleteSessionRequest{Id: id})
	return err
}

// Ended reports whether a session in state s will never change again.
func Ended(s pb.SessionState) bool {
	switch s {
	case pb.SessionState_SESSION_STATE_STOPPED, pb.SessionState_SESSION_STATE_FAILED, pb.SessionState_SESSION_STATE_LOST:
		return true
	}
	return false
}

// watchBackoff bounds the pause between reconnects of Watch.
var watchBackoff = struct{ initial, max time.Duration }{100 * time.Millisecond, 5 * time.Second}

// Watch yields the session as it is now, then every change, until it ends (STOPPED, FAILED
// or LOST), ctx is done or the loop stops. A stream broken by a transient error (server
// restart, lost connection, load balancer timeout) is reopened after a short backoff; the
// server sends the current state first on every stream, and a state already yielded is not
// yielded twice. Any other error (NotFound, PermissionDenied, ctx ending...) is yielded once,
// last.
func (c *SessionsClient) Watch(ctx context.Context, id string) iter.Seq2[*pb.Session, error] {
	return func(yield func(*pb.Session, error) bool) {
		var last *pb.Session
		backoff := watchBackoff.initial
		for {
			progressed, err := c.watchOnce(ctx, id, &last, yield)
			if err == errStopped {
				return
			}
			if err == nil { // the stream ended cleanly
				if last != nil && Ended(last.GetState()) {
					return
				}
				// Closed early (a proxy or a server going away): resume.
			} else if ctx.Err() != nil || !transient(err) {
				yield(nil, err)
				return
			}
			if progressed {
				backoff = watchBackoff.initial
			}
			wait := backoff/2 + rand.N(backoff/2+1)
			select {
			case <-ctx.Done():
				yield(nil, convert(ctx.Err()))
				return
			case <-time.After(wait):
			}
			backoff = min(2*backoff, watchBackoff.max)
		}
	}
}

var errStopped = errors.New("hotdesk: watch stopped by its consumer")

// watchOnce runs one stream. It returns nil when the stream ended cleanly, errStopped when
// yield asked to stop, or the stream's error; progressed says a message arrived.
func (c *SessionsClient) watchOnce(ctx context.Context, id string, last **pb.Session, yield func(*pb.Session, error) bool) (progressed bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.WatchSession(ctx, &pb.WatchSessionRequest{Id: id})
	if err != nil {
		return false, convert(err)
	}
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return progressed, nil
		}
		if err != nil {
			return progressed, convert(err)
		}
		progressed = true
		s := msg.GetSession()
		if *last != nil && proto.Equal(*last, s) {
			continue // the snapshot a resumed stream starts with
		}
		*last = s
		if !yield(s, nil) {
			return progressed, errStopped
		}
	}
}

// transient reports errors after which a watch is worth reopening.
func transient(err error) bool {
	switch Code(err) {
	case codes.Unavailable, codes.Aborted, codes.DeadlineExceeded:
		return true
	}
	return false
}

// SessionEndedError is returned by Wait when the session ended in another state than the
// one waited for.
type SessionEndedError struct {
	Session *pb.Session
	Want    pb.SessionState
}

func (e *SessionEndedError) Error() string {
	s := e.Session
	msg := fmt.Sprintf("session %s ended %s, not %s", s.GetId(), stateName(s.GetState()), stateName(e.Want))
	if s.GetStateReason() != "" {
		msg += ": " + s.GetStateReason()
	}
	return msg
}

// Wait watches a session until it reaches want and returns it. It fails with a
// *SessionEndedError if the session ends in another state first, and with ctx's error when
// ctx ends (give it a deadline). It never polls: it is built on Watch.
func (c *SessionsClient) Wait(ctx context.Context, id string, want pb.SessionState) (*pb.Session, error) {
	var last *pb.Session
	for s, err := range c.Watch(ctx, id) {
		if err != nil {
			return last, err
		}
		last = s
		if s.GetState() == want {
			return s, nil
		}
		if Ended(s.GetState()) {
			return s, &SessionEndedError{Session: s, Want: want}
		}
	}
	return last, fmt.Errorf("hotdesk: watch of session %s ended before it was %s", id, stateName(want))
}

// WatchSession is Sessions.Watch.
func (c *Client) WatchSession(ctx context.Context, id string) iter.Seq2[*pb.Session, error] {
	return c.Sessions.Watch(ctx, id)
}

// WaitSession is Sessions.Wait.
func (c *Client) WaitSession(ctx context.Context, id string, want pb.SessionState) (*pb.Session, error) {
	return c.Sessions.Wait(ctx, id, want)
}

func stateName(s pb.SessionState) string {
	const prefix = "SESSION_STATE_"
	n := s.String()
	if len(n) > len(prefix) && n[:len(prefix)] == prefix {
		return n[len(prefix):]
	}
	return n
}
