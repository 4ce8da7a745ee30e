package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/internal/connecttoken"
	"github.com/hotdesk/hotdesk/internal/vnctest"
	"github.com/hotdesk/hotdesk/internal/wsproxy"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

// fakeAgentProxy is an agent's session proxy for tests: the real backend half of the proxy
// (package wsproxy) in front of one fake VNC server per session, which demands the password
// the simulated agent received in the session's create command.
type fakeAgentProxy struct {
	srv   *httptest.Server
	back  *wsproxy.Backend
	agent func() *sim

	keys   []*ecdsa.PublicKey
	replay *connecttoken.Replay

	mu   sync.Mutex
	vncs map[string]net.Listener
}

func (p *fakeAgentProxy) Authorize(r *http.Request, sid, token string) (wsproxy.Grant, error) {
	ag := p.agent()
	c, err := (&wsproxy.TokenCheck{Keys: func() []*ecdsa.PublicKey { return p.keys }, Replay: p.replay, AgentID: ag.ID}).Check(r, sid, token)
	if err != nil {
		return wsproxy.Grant{}, err
	}
	ctr, ok := ag.Containers()[sid]
	if !ok {
		return wsproxy.Grant{}, wsproxy.Refuse(wsproxy.CodeSessionEnded, "the session is not running on its agent any more")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	lis, ok := p.vncs[sid]
	if !ok {
		lis, _ = net.Listen("tcp", "127.0.0.1:0")
		p.vncs[sid] = lis
		vnctest.Serve(lis, vnctest.Options{Password: ctr.Env["HOTDESK_VNC_PASSWORD"], NoInit: true})
	}
	return wsproxy.Grant{SessionID: sid, UserID: c.UserID, Addr: lis.Addr().String(), VNCPassword: ctr.Env["HOTDESK_VNC_PASSWORD"]}, nil
}

func startFakeAgentProxy(t *testing.T, a *api) *fakeAgentProxy {
	t.Helper()
	certPEM, _, err := a.App.Store.LoadOrCreateCA(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(certPEM)
	ca, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeAgentProxy{vncs: map[string]net.Listener{}, replay: connecttoken.NewReplay(0),
		keys: []*ecdsa.PublicKey{ca.PublicKey.(*ecdsa.PublicKey)}}
	p.back = wsproxy.NewBackend(wsproxy.BackendOptions{Authorizer: p})
	p.srv = httptest.NewServer(p.back.Handler())
	t.Cleanup(func() {
		p.back.Close()
		p.srv.Close()
		p.mu.Lock()
		for _, l := range p.vncs {
			l.Close()
		}
		p.mu.Unlock()
	})
	return p
}

// openStream dials a token's websocket from the server's own origin and completes the RFB
// handshake, which the proxy must offer without a password.
func openStream(t *testing.T, a *api, token string) (*websocket.Conn, error) {
	t.Helper()
	cl, err := connecttoken.Peek(token)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(cl.URL+"?token="+token, http.Header{"Origin": {a.App.PublicURL}})
	if err != nil {
		return nil, err
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	read := func(n int) []byte {
		for len(got) < n {
			_, m, err := ws.ReadMessage()
			if err != nil {
				return nil
			}
			got = append(got, m...)
		}
		out := got[:n]
		got = got[n:]
		return out
	}
	if v := read(12); string(v) != "RFB 003.008\n" {
		return ws, errors.New("no RFB greeting")
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("RFB 003.008\n"))
	if types := read(2); !bytes.Equal(types, []byte{1, 1}) {
		return ws, errors.New("the proxy did not offer security type None only")
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte{1})
	if res := read(4); !bytes.Equal(res, []byte{0, 0, 0, 0}) {
		return ws, errors.New("security result not OK")
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("ping"))
	if echo := read(4); string(echo) != "ping" {
		return ws, errors.New("no echo through the stream")
	}
	ws.SetReadDeadline(time.Time{})
	return ws, nil
}

// A session's owner gets a signed, short-lived token for their running session that the
// server's proxy accepts once; the stream reaches the desktop with the session's own VNC
// password (never shown to the browser), and ends with a reason when the session is destroyed.
func TestConnectTokenAndServerProxy(t *testing.T) {
	a := startFast(t)
	var ag *sim
	proxy := startFakeAgentProxy(t, a)
	proxy.agent = func() *sim { return ag }
	ag = a.addAgent(t, 4, func(o *simagent.Options) { o.AdvertiseURL = proxy.srv.URL })
	w := a.createWorkspace(t, oneCore("Desktop"))
	user, userToken := a.NewUser(t, "ursula")
	other, otherToken := a.NewUser(t, "oscar")
	_ = other
	if _, err := a.groups.CreateGroup(a.Admin(context.Background()), &pb.CreateGroupRequest{Group: &pb.Group{Name: "staff",
		MemberIds: []string{user.GetId(), other.GetId()}, WorkspaceIds: []string{w.GetId()}}}); err != nil {
		t.Fatal(err)
	}
	s, err := a.launch(t, userToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	// Not running yet, or already: either way the page is told what to do.
	ctx := apptest.As(context.Background(), userToken)
	run := a.waitSession(t, userToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	if want := a.App.PublicURL + "/connect/" + s.GetId(); run.GetConnectUrl() != want {
		t.Fatalf("connect_url %q, want %q", run.GetConnectUrl(), want)
	}

	// The password went to the agent in the create command, and is stored only sealed.
	pw := ag.Containers()[s.GetId()].Env["HOTDESK_VNC_PASSWORD"]
	if len(pw) != 8 || ag.Containers()[s.GetId()].Env["HOTDESK_SCREEN"] != "1280x800" {
		t.Fatalf("create command env: %v", ag.Containers()[s.GetId()].Env)
	}
	if n := a.count(t, `SELECT count(*) FROM agent_commands WHERE position($1::bytea in payload) > 0`, []byte(pw)); n != 0 {
		t.Fatal("a stored agent command holds the VNC password in clear")
	}
	if n := a.count(t, `SELECT count(*) FROM sessions WHERE id = $1 AND vnc_password IS NOT NULL AND position($2::bytea in vnc_password) = 0`,
		s.GetId(), []byte(pw)); n != 1 {
		t.Fatal("the session row does not hold the VNC password sealed")
	}

	tok, err := a.sessions().CreateConnectToken(ctx, &pb.CreateConnectTokenRequest{Id: s.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := connecttoken.Verify(tok.GetToken(), proxy.keys, time.Now())
	if err != nil {
		t.Fatalf("token does not verify with the CA certificate: %v", err)
	}
	if cl.SessionID != s.GetId() || cl.UserID != user.GetId() || cl.AgentID != ag.ID || cl.AgentURL != proxy.srv.URL ||
		cl.Expiry-cl.IssuedAt > 60 || cl.URL != "ws"+strings.TrimPrefix(a.App.PublicURL, "http")+"/connect/"+s.GetId()+"/ws" {
		t.Fatalf("claims %+v", cl)
	}
	if !tok.GetExpireTime().AsTime().Equal(cl.ExpireTime()) || !strings.HasPrefix(tok.GetConnectUrl(), run.GetConnectUrl()+"?token=") {
		t.Fatalf("response: %v", tok)
	}
	if strings.Contains(tok.GetToken(), pw) {
		t.Fatal("the token carries the VNC password")
	}

	// Nobody else gets a token for it; an administrator does.
	_, err = a.sessions().CreateConnectToken(apptest.As(context.Background(), otherToken), &pb.CreateConnectTokenRequest{Id: s.GetId()})
	wantCode(t, err, codes.NotFound)
	if _, err := a.sessions().CreateConnectToken(a.Admin(context.Background()), &pb.CreateConnectTokenRequest{Id: s.GetId()}); err != nil {
		t.Fatalf("admin: %v", err)
	}
	// Over REST too.
	code, body := a.REST(t, "POST", "/v1/sessions/"+s.GetId()+":connectToken", userToken, "{}")
	var rest struct{ Token, ConnectUrl string }
	if code != 200 || json.Unmarshal([]byte(body), &rest) != nil || rest.Token == "" {
		t.Fatalf("REST: %d %s", code, body)
	}

	ws, err := openStream(t, a, tok.GetToken())
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	// The token opened one connection; it opens no second.
	again, _, err := websocket.DefaultDialer.Dial(cl.URL+"?token="+tok.GetToken(), http.Header{"Origin": {a.App.PublicURL}})
	if err != nil {
		t.Fatal(err)
	}
	if ce := vnctest.CloseFrame(t, again, 10*time.Second); ce.Code != wsproxy.CodeTokenUsed {
		t.Fatalf("reused token: %d %q", ce.Code, ce.Text)
	}
	// A page from another origin gets no websocket.
	_, resp, err := websocket.DefaultDialer.Dial(cl.URL+"?token="+rest.Token, http.Header{"Origin": {"http://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", err, resp)
	}
	// The connect page and noVNC are served.
	page, err := http.Get(a.App.PublicURL + "/connect/" + s.GetId())
	if err != nil || page.StatusCode != 200 || !strings.Contains(page.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("connect page: %v %v", err, page)
	}

	// Destroying the session closes the stream with the reason, and no new token is given.
	if _, err := a.sessions().DeleteSession(ctx, &pb.DeleteSessionRequest{Id: s.GetId()}); err != nil {
		t.Fatal(err)
	}
	if ce := vnctest.CloseFrame(t, ws, 10*time.Second); ce.Code != wsproxy.CodeSessionEnded || !strings.Contains(ce.Text, "destroyed by its user") {
		t.Fatalf("close after destroy: %d %q", ce.Code, ce.Text)
	}
	_, err = a.sessions().CreateConnectToken(ctx, &pb.CreateConnectTokenRequest{Id: s.GetId()})
	if st := wantCode(t, err, codes.FailedPrecondition); !strings.Contains(st.Message(), "has ended") {
		t.Fatalf("token for an ended session: %v", st.Message())
	}
	// A token minted before the end is refused too.
	ws2, _, err := websocket.DefaultDialer.Dial(cl.URL+"?token="+rest.Token, http.Header{"Origin": {a.App.PublicURL}})
	if err != nil {
		t.Fatal(err)
	}
	if ce := vnctest.CloseFrame(t, ws2, 10*time.Second); ce.Code != wsproxy.CodeSessionEnded {
		t.Fatalf("old token after the end: %d %q", ce.Code, ce.Text)
	}
}

// Direct-to-agent zones send browsers to the agent's proxy; agents without a proxy say so.
func TestConnectTokenProxyModes(t *testing.T) {
	a := startFast(t)
	z, err := a.zones.CreateZone(a.Admin(context.Background()), &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "direct",
		ProxyMode: pb.ProxyMode_PROXY_MODE_DIRECT_TO_AGENT}})
	if err != nil {
		t.Fatal(err)
	}
	var ag *sim
	proxy := startFakeAgentProxy(t, a)
	proxy.agent = func() *sim { return ag }
	ag = a.addAgent(t, 4, func(o *simagent.Options) { o.AdvertiseURL = proxy.srv.URL })
	if _, err := a.agents.UpdateAgent(a.Admin(context.Background()), &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: ag.ID, ZoneId: z.GetZone().GetId(), Enabled: true},
		UpdateMask: mask("zone_id")}); err != nil {
		t.Fatal(err)
	}
	w := oneCore("Direct desktop")
	w.ZoneIds = []string{z.GetZone().GetId()}
	w = a.createWorkspace(t, w)
	s, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	tok, err := a.sessions().CreateConnectToken(a.Admin(context.Background()), &pb.CreateConnectTokenRequest{Id: s.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := connecttoken.Peek(tok.GetToken())
	if want := "ws" + strings.TrimPrefix(proxy.srv.URL, "http") + "/connect/" + s.GetId() + "/ws"; cl.URL != want {
		t.Fatalf("direct-to-agent URL %q, want %q", cl.URL, want)
	}
	ws, err := openStream(t, a, tok.GetToken())
	if err != nil {
		t.Fatalf("direct stream: %v", err)
	}
	ws.Close()
}

// An agent that advertises no proxy: a precise refusal.
func TestConnectTokenNeedsAgentProxy(t *testing.T) {
	a2 := startFast(t)
	a2.addAgent(t, 4)
	w2 := a2.createWorkspace(t, oneCore("Desktop"))
	s2, err := a2.launch(t, a2.AdminToken, w2.GetId())
	if err != nil {
		t.Fatal(err)
	}
	a2.waitSession(t, a2.AdminToken, s2.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	_, err = a2.sessions().CreateConnectToken(a2.Admin(context.Background()), &pb.CreateConnectTokenRequest{Id: s2.GetId()})
	if st := wantCode(t, err, codes.FailedPrecondition); !strings.Contains(st.Message(), "--proxy-listen") {
		t.Fatalf("no proxy: %s", st.Message())
	}
}
