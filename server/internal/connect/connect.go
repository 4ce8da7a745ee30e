// Package connect is the server's side of opening a session in a browser: it mints connect
// tokens (signed with the CA key, so every proxy can check them offline), and runs the built-in
// session proxy (standard zones), which relays browser websockets to the agents' proxies and
// closes them with a reason when their session ends, as the session bus reports.
package connect

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotdesk/hotdesk/internal/connecttoken"
	"github.com/hotdesk/hotdesk/internal/wsproxy"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/pki"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// Proxy modes of a zone (hotdesk.v1.ProxyMode).
const (
	ModeStandard      = 1
	ModeDirectToAgent = 2
)

// Options configure a Service.
type Options struct {
	CA    *pki.CA
	Store *store.Store
	// AllowedOrigins are web origins besides the public URL's whose pages may open streams.
	AllowedOrigins []string
	// TTL is how long a token is valid before its first use (at most connecttoken.MaxTTL).
	TTL time.Duration
	Log *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service mints tokens and proxies streams.
type Service struct {
	o      Options
	keys   []*ecdsa.PublicKey
	check  *wsproxy.TokenCheck
	front  *wsproxy.Frontend
	public atomic.Pointer[string]

	mu      sync.Mutex
	pending map[string]struct{} // sessions to re-read after a bus notification
	wake    chan struct{}
}

// New returns a Service; set its public URL before serving and Run it in the background.
func New(o Options) (*Service, error) {
	key, ok := o.CA.Cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("connect tokens need an ECDSA CA")
	}
	if o.TTL <= 0 || o.TTL > connecttoken.MaxTTL {
		o.TTL = connecttoken.MaxTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o, keys: []*ecdsa.PublicKey{key}, pending: map[string]struct{}{}, wake: make(chan struct{}, 1)}
	s.check = &wsproxy.TokenCheck{Keys: func() []*ecdsa.PublicKey { return s.keys }, Replay: connecttoken.NewReplay(0), Now: o.Now}
	s.front = wsproxy.NewFrontend(wsproxy.FrontendOptions{Authorizer: s, EndReason: s.endReason, Log: o.Log.With("component", "proxy")})
	s.SetPublicURL("http://127.0.0.1")
	return s, nil
}

// SetPublicURL sets the base URL browsers reach the server at.
func (s *Service) SetPublicURL(u string) {
	u = strings.TrimSuffix(u, "/")
	s.public.Store(&u)
	s.check.Origins = s.origins()
}

// PublicURL is the base URL browsers reach the server at.
func (s *Service) PublicURL() string { return *s.public.Load() }

// origins are the web origins allowed to open streams.
func (s *Service) origins() []string {
	out := []string{wsproxy.NormalizeOrigin(s.PublicURL())}
	for _, o := range s.o.AllowedOrigins {
		out = append(out, wsproxy.NormalizeOrigin(o))
	}
	return out
}

// PageURL is the connect page of a session.
func (s *Service) PageURL(sessionID string) string { return s.PublicURL() + "/connect/" + sessionID }

// Mint signs a token with which userID opens session t in a browser. The session must be
// running on an agent whose proxy is known.
func (s *Service) Mint(t *store.ConnectTarget, userID string) (string, time.Time, error) {
	sess := t.Session
	if t.AgentURL == "" {
		return "", time.Time{}, model.FailedPrecondition("AGENT_PROXY_UNAVAILABLE",
			"the agent running session %q advertises no session proxy; start agentd with --proxy-listen (and --proxy-advertise-url if the server cannot reach its address)", sess.ID)
	}
	wsURL := websocketBase(s.PublicURL())
	if t.ProxyMode == ModeDirectToAgent {
		wsURL = websocketBase(t.AgentURL)
	}
	id, err := connecttoken.NewID()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.o.Now()
	exp := now.Add(s.o.TTL)
	tok, err := connecttoken.Sign(&connecttoken.Claims{UserID: userID, SessionID: sess.ID, AgentID: sess.AgentID, AgentURL: t.AgentURL,
		URL: wsURL + "/connect/" + sess.ID + "/ws", Origins: s.origins(), IssuedAt: now.Unix(), Expiry: exp.Unix(), ID: id}, s.o.CA.Signer())
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, time.Unix(exp.Unix(), 0), nil
}

// websocketBase turns an http(s) base URL into ws(s).
func websocketBase(base string) string {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil {
		return base
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	}
	return u.String()
}

// Handler is the built-in proxy's websocket endpoint: mount it at
// GET /connect/{session_id}/ws.
func (s *Service) Handler() http.Handler { return s.front }

// Authorize checks a browser's token for the built-in proxy.
func (s *Service) Authorize(r *http.Request, sid, token string) (wsproxy.Grant, error) {
	c, err := s.check.Check(r, sid, token)
	if err != nil {
		return wsproxy.Grant{}, err
	}
	if s.front.IsEnded(sid) {
		return wsproxy.Grant{}, wsproxy.Refuse(wsproxy.CodeSessionEnded, "the session has ended")
	}
	return wsproxy.Grant{SessionID: sid, UserID: c.UserID, AgentURL: c.AgentURL, Token: token}, nil
}

// endReason tells a browser why its session's stream ended, from the session's state (one
// read, when a stream ends).
func (s *Service) endReason(sid string, eof bool) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if sess, err := s.o.Store.GetSession(ctx, sid, ""); err == nil && (sess.State.Ended() || sess.State == model.SessionStopping) {
		return wsproxy.CodeSessionEnded, endedText(sess)
	}
	if eof {
		return wsproxy.CodeNormal, "the desktop closed the connection"
	}
	return wsproxy.CodeUpstream, "lost the connection to the session's agent"
}

func endedText(sess *model.Session) string {
	if sess.StateReason == "" {
		return "the session has ended"
	}
	return fmt.Sprintf("the session has ended (%s)", sess.StateReason)
}

// Notify handles a session-bus payload (a session id that changed): sessions with streams
// here are re-read, and closed if they ended.
func (s *Service) Notify(sid string) {
	if s.front.Conns(sid) == 0 {
		return
	}
	s.mu.Lock()
	s.pending[sid] = struct{}{}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Resync re-reads every session with streams here (notifications may have been lost).
func (s *Service) Resync() {
	for _, sid := range s.front.Sessions() {
		s.Notify(sid)
	}
}

// Run re-reads notified sessions until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		ids := make([]string, 0, len(s.pending))
		for id := range s.pending {
			ids = append(ids, id)
		}
		s.pending = map[string]struct{}{}
		s.mu.Unlock()
		for _, sid := range ids {
			sess, err := s.o.Store.GetSession(ctx, sid, "")
			if err != nil {
				if ctx.Err() == nil && !model.IsCode(err, model.CodeNotFound) {
					s.o.Log.Warn("reading a session with open streams", "session_id", sid, "error", err.Error())
				}
				continue
			}
			if sess.State.Ended() || sess.State == model.SessionStopping {
				if n := s.front.EndSession(sid, endedText(sess)); n > 0 {
					s.o.Log.Info("closed the streams of an ended session", "session_id", sid, "connections", n)
				}
			}
		}
	}
}

// Conns counts open streams, of one session or (sid "") all.
func (s *Service) Conns(sid string) int { return s.front.Conns(sid) }

// Close ends every stream ("going away").
func (s *Service) Close() { s.front.Close() }
