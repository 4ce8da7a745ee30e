package wsproxy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// BackendOptions configure a Backend.
type BackendOptions struct {
	// Authorizer grants the VNC server's address and password.
	Authorizer Authorizer
	// MaxConns bounds concurrent connections (0: 100 000).
	MaxConns int
	Log      *slog.Logger
}

// Backend is an agent's session proxy: tunnels from the server's proxy and (direct-to-agent)
// browser websockets in, the session's VNC server out.
type Backend struct {
	o    BackendOptions
	t    *tracker
	stop chan struct{}
	mux  *http.ServeMux
}

// NewBackend returns a Backend; serve Handler and Close it at the end.
func NewBackend(o BackendOptions) *Backend {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	b := &Backend{o: o, t: newTracker(o.MaxConns), stop: make(chan struct{}), mux: http.NewServeMux()}
	b.mux.HandleFunc("GET /connect/{session_id}/ws", b.serveWS)
	b.mux.HandleFunc("GET /connect/{session_id}/tunnel", b.serveTunnel)
	b.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	go b.t.pingLoop(30*time.Second, b.stop)
	return b
}

// Handler serves the proxy's endpoints.
func (b *Backend) Handler() http.Handler { return b.mux }

func (b *Backend) serveWS(w http.ResponseWriter, r *http.Request) {
	serveWS(w, r, b.t, b.o.Authorizer, b.o.Log, b.connectWS, func(string, bool) (int, string) {
		return CodeNormal, "the desktop closed the connection"
	})
}

// connectWS dials the VNC server and, when the session has a password, logs in to it and
// greets the browser as a server without a password.
func (b *Backend) connectWS(ctx context.Context, g Grant, s *wsStream) (net.Conn, []byte, error) {
	back, err := b.dialVNC(ctx, g)
	if err != nil {
		return nil, nil, err
	}
	if g.VNCPassword == "" {
		return back, nil, nil
	}
	if err := vncLogin(back, g.VNCPassword); err != nil {
		back.Close()
		return nil, nil, Refuse(CodeUpstream, err.Error())
	}
	_ = s.SetReadDeadline(time.Now().Add(handshakeTimeout))
	if err := vncGreet(s); err != nil {
		back.Close()
		return nil, nil, Refuse(CodeBadRequest, "VNC handshake with the browser failed: "+err.Error())
	}
	_ = s.SetReadDeadline(time.Time{})
	return back, nil, nil
}

func (b *Backend) dialVNC(ctx context.Context, g Grant) (net.Conn, error) {
	if b.t.isEnded(g.SessionID) {
		return nil, Refuse(CodeSessionEnded, "the session has ended")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", g.Addr)
	if err != nil {
		return nil, Refuse(CodeUpstream, "the session's desktop does not answer on its VNC port; it may still be starting or have crashed")
	}
	return c, nil
}

func (b *Backend) serveTunnel(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("session_id")
	if !validID(sid) {
		WriteRefusal(w, Refuse(CodeBadRequest, "the URL does not name a session"))
		return
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), TunnelProtocol) {
		WriteRefusal(w, Refuse(CodeBadRequest, "this endpoint takes an Upgrade to "+TunnelProtocol+" from a Hotdesk proxy"))
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	g, err := b.o.Authorizer.Authorize(r, sid, token)
	if err != nil {
		ref := AsRefusal(err)
		if ref.Code == CodeInternal {
			b.o.Log.Error("authorizing a session tunnel", "session_id", sid, "error", err.Error())
		}
		b.o.Log.Info("session tunnel refused", "session_id", sid, "code", ref.Code, "reason", ref.Reason, "peer", peer(r))
		WriteRefusal(w, ref)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	back, err := b.dialVNC(ctx, g)
	cancel()
	if err != nil {
		WriteRefusal(w, AsRefusal(err))
		return
	}
	if g.VNCPassword != "" {
		// Logging in before answering lets a failure reach the browser as a reason.
		if err := vncLogin(back, g.VNCPassword); err != nil {
			back.Close()
			WriteRefusal(w, Refuse(CodeUpstream, err.Error()))
			return
		}
	}
	front, leftover, err := acceptTunnel(w)
	if err != nil {
		back.Close()
		return
	}
	var fc net.Conn = front
	if len(leftover) > 0 {
		fc = &prefixConn{Conn: front, pre: leftover}
	}
	if g.VNCPassword != "" {
		_ = front.SetDeadline(time.Now().Add(handshakeTimeout))
		if err := vncGreet(fc); err != nil {
			front.Close()
			back.Close()
			return
		}
		_ = front.SetDeadline(time.Time{})
	}
	if pc, ok := fc.(*prefixConn); ok && len(pc.pre) > 0 {
		if _, err := back.Write(pc.pre); err != nil {
			front.Close()
			back.Close()
			return
		}
	}
	l := &rawLink{front: front, back: back}
	if ref := b.t.add(sid, l); ref != nil {
		front.Close()
		back.Close()
		return
	}
	b.o.Log.Info("session tunnel opened", "session_id", sid, "user_id", g.UserID, "peer", peer(r))
	go func(start time.Time, user string) { // see serveWS: the handler's goroutine ends
		l.run()
		b.t.remove(sid, l)
		b.o.Log.Info("session tunnel closed", "session_id", sid, "user_id", user, "duration_s", time.Since(start).Seconds())
	}(time.Now(), g.UserID)
}

// EndSession closes the session's connections and refuses new ones.
func (b *Backend) EndSession(sid, reason string) int {
	return b.t.end(sid, CodeSessionEnded, reason)
}

// Conns counts open connections, of one session or (sid "") all.
func (b *Backend) Conns(sid string) int { return b.t.count(sid) }

// Close ends every connection and refuses new ones.
func (b *Backend) Close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	b.t.closeAll(CodeGoingAway, "the agent's proxy is shutting down; reconnect")
}
