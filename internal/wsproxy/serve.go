package wsproxy

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Grant is what an authorized connection may reach.
type Grant struct {
	SessionID string
	UserID    string
	// AgentURL and Token: where the frontend relays to, and the token it presents there.
	AgentURL string
	Token    string
	// Addr and VNCPassword: the VNC server a backend dials (host:port on loopback) and the
	// password it answers the server's challenge with; empty relays the handshake untouched.
	Addr        string
	VNCPassword string
}

// Authorizer decides whether a connection attempt for a session may proceed.
type Authorizer interface {
	// Authorize checks the request (its Origin among others) and token for session sid. It
	// returns a *Refusal saying why not, or a Grant. A granted token is used up.
	Authorize(r *http.Request, sid, token string) (Grant, error)
}

// upgrader accepts browser websockets. Reads reuse the HTTP server's 4 KiB buffer; the write
// buffer is pooled and held only while a message is written.
var upgrader = websocket.Upgrader{
	HandshakeTimeout: 10 * time.Second,
	WriteBufferSize:  16 << 10,
	WriteBufferPool:  wsWriteBufs,
	Subprotocols:     []string{"binary"},
	// Origins are checked by the Authorizer before the upgrade.
	CheckOrigin: func(*http.Request) bool { return true },
	Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(&Refusal{Code: CodeBadRequest, Reason: "websocket handshake failed: " + reason.Error()})
	},
}

// validID accepts the session ids the platform issues (UUIDs), cheaply.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-') {
			return false
		}
	}
	return true
}

// refuseWS closes a fresh websocket with reason and closes the connection.
func refuseWS(s *wsStream, r *Refusal) {
	_ = s.w.control(opClose, websocket.FormatCloseMessage(r.Code, closeReason(r.Reason)))
	// Give the browser a moment to read the reason and answer, so that closing the socket does
	// not reset the connection under the close frame.
	_ = s.conn.SetReadDeadline(time.Now().Add(time.Second))
	var b [512]byte
	for {
		n, err := s.conn.Read(b[:])
		if err != nil {
			break
		}
		if _, perr := s.r.process(b[:n]); perr != nil {
			break
		}
	}
	_ = s.conn.Close()
}

// upstreamFunc connects a granted websocket to its upstream. s is the browser's stream, for
// upstreams that talk to the browser first (the VNC greeting).
type upstreamFunc func(ctx context.Context, g Grant, s *wsStream) (back net.Conn, leftover []byte, err error)

// serveWS is the websocket endpoint both halves share.
func serveWS(w http.ResponseWriter, r *http.Request, t *tracker, auth Authorizer, log *slog.Logger,
	connect upstreamFunc, endReason func(sid string, eof bool) (int, string)) {
	sid := r.PathValue("session_id")
	if !validID(sid) {
		WriteRefusal(w, Refuse(CodeBadRequest, "the URL does not name a session"))
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		WriteRefusal(w, Refuse(CodeBadRequest, "open this URL as a websocket (with noVNC, from the connect page)"))
		return
	}
	g, aerr := auth.Authorize(r, sid, r.URL.Query().Get("token"))
	var refusal *Refusal
	if aerr != nil {
		refusal = AsRefusal(aerr)
		if refusal.Code == CodeInternal {
			log.Error("authorizing a session connection", "session_id", sid, "error", aerr.Error())
		}
		if refusal.BeforeUpgrade {
			WriteRefusal(w, refusal)
			return
		}
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	// From here the proxy reads and writes frames itself; the library's buffers are let go.
	s := newWSStream(ws.UnderlyingConn())
	if refusal != nil {
		log.Info("session connection refused", "session_id", sid, "code", refusal.Code, "reason", refusal.Reason, "peer", peer(r))
		refuseWS(s, refusal)
		return
	}
	l := &wsLink{s: s}
	if endReason != nil {
		l.endReason = func(eof bool) (int, string) { return endReason(sid, eof) }
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	back, leftover, err := connect(ctx, g, s)
	cancel()
	if err != nil {
		ref := AsRefusal(err)
		if ref.Code == CodeInternal {
			log.Error("connecting a session stream", "session_id", sid, "error", err.Error())
		}
		log.Info("session connection failed", "session_id", sid, "code", ref.Code, "reason", ref.Reason)
		refuseWS(s, ref)
		return
	}
	l.back, l.leftover = back, leftover
	if ref := t.add(sid, l); ref != nil {
		_ = back.Close()
		refuseWS(s, ref)
		return
	}
	log.Info("session stream opened", "session_id", sid, "user_id", g.UserID, "peer", peer(r))
	// The relay gets goroutines of its own and the HTTP server's goroutine (its deep stack,
	// its request and buffers) ends: an idle stream keeps only what relaying needs.
	go func(start time.Time, user string) {
		l.run()
		t.remove(sid, l)
		log.Info("session stream closed", "session_id", sid, "user_id", user, "duration_s", time.Since(start).Seconds())
	}(time.Now(), g.UserID)
}

func peer(r *http.Request) string {
	if f := r.Header.Get("X-Forwarded-For"); f != "" {
		return strings.TrimSpace(strings.Split(f, ",")[0])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
