package wsproxy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// FrontendOptions configure a Frontend.
type FrontendOptions struct {
	Authorizer Authorizer
	// EndReason, if set, says why a session's upstream went away (the session ended, or not),
	// for the close frame the browser gets.
	EndReason func(sid string, eof bool) (code int, reason string)
	Dialer    Dialer
	// MaxConns bounds concurrent connections (0: 100 000).
	MaxConns int
	Log      *slog.Logger
}

// Frontend is the server's built-in session proxy: browser websockets in, tunnels to agents
// out. Mount it at GET /connect/{session_id}/ws.
type Frontend struct {
	o    FrontendOptions
	t    *tracker
	stop chan struct{}
}

// NewFrontend returns a Frontend; Close it to end every connection.
func NewFrontend(o FrontendOptions) *Frontend {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	f := &Frontend{o: o, t: newTracker(o.MaxConns), stop: make(chan struct{})}
	go f.t.pingLoop(30*time.Second, f.stop)
	return f
}

func (f *Frontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	serveWS(w, r, f.t, f.o.Authorizer, f.o.Log, f.connect, f.o.EndReason)
}

func (f *Frontend) connect(ctx context.Context, g Grant, _ *wsStream) (net.Conn, []byte, error) {
	if f.t.isEnded(g.SessionID) {
		return nil, nil, Refuse(CodeSessionEnded, "the session has ended")
	}
	return f.o.Dialer.Dial(ctx, g.AgentURL, g.SessionID, g.Token, "")
}

// EndSession closes the session's connections telling browsers why, and refuses new ones.
func (f *Frontend) EndSession(sid, reason string) int {
	return f.t.end(sid, CodeSessionEnded, reason)
}

// IsEnded reports whether the frontend knows the session ended.
func (f *Frontend) IsEnded(sid string) bool { return f.t.isEnded(sid) }

// Sessions lists the sessions with open connections.
func (f *Frontend) Sessions() []string { return f.t.sessions() }

// Conns counts open connections, of one session or (sid "") all.
func (f *Frontend) Conns(sid string) int { return f.t.count(sid) }

// Close ends every connection ("going away") and refuses new ones.
func (f *Frontend) Close() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	f.t.closeAll(CodeGoingAway, "the server is shutting down; reconnect")
}
