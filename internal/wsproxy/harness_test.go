package wsproxy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hotdesk/hotdesk/internal/connecttoken"
)

const (
	testAgent  = "0000aaaa-0000-0000-0000-000000000001"
	testOrigin = "http://hotdesk.test:8080"
)

// chain is a frontend and a backend with token checks, in front of VNC servers by session.
type chain struct {
	key      *ecdsa.PrivateKey
	front    *Frontend
	back     *Backend
	frontSrv *httptest.Server
	backSrv  *httptest.Server

	mu       sync.Mutex
	sessions map[string]Grant // backend grants by session
	ended    map[string]bool
}

type backAuth struct {
	c  *chain
	tc *TokenCheck
}

func (a backAuth) Authorize(r *http.Request, sid, token string) (Grant, error) {
	cl, err := a.tc.Check(r, sid, token)
	if err != nil {
		return Grant{}, err
	}
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	g, ok := a.c.sessions[sid]
	if !ok {
		return Grant{}, Refuse(CodeNotFound, "this agent runs no session "+sid)
	}
	g.UserID = cl.UserID
	return g, nil
}

type frontAuth struct{ tc *TokenCheck }

func (a frontAuth) Authorize(r *http.Request, sid, token string) (Grant, error) {
	cl, err := a.tc.Check(r, sid, token)
	if err != nil {
		return Grant{}, err
	}
	return Grant{SessionID: sid, UserID: cl.UserID, AgentURL: cl.AgentURL, Token: token}, nil
}

func newChain(t testing.TB) *chain {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{key: key, sessions: map[string]Grant{}, ended: map[string]bool{}}
	keys := func() []*ecdsa.PublicKey { return []*ecdsa.PublicKey{&key.PublicKey} }
	c.back = NewBackend(BackendOptions{Authorizer: backAuth{c: c, tc: &TokenCheck{Keys: keys, Replay: connecttoken.NewReplay(0), AgentID: testAgent}}})
	c.backSrv = httptest.NewServer(c.back.Handler())
	c.front = NewFrontend(FrontendOptions{
		Authorizer: frontAuth{tc: &TokenCheck{Keys: keys, Replay: connecttoken.NewReplay(0), Origins: []string{testOrigin}}},
		EndReason: func(sid string, eof bool) (int, string) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.ended[sid] {
				return CodeSessionEnded, "the session has ended"
			}
			return CodeNormal, "the desktop closed the connection"
		},
	})
	mux := http.NewServeMux()
	mux.Handle("GET /connect/{session_id}/ws", c.front)
	c.frontSrv = httptest.NewServer(mux)
	t.Cleanup(func() {
		c.front.Close()
		c.back.Close()
		c.frontSrv.Close()
		c.backSrv.Close()
	})
	return c
}

func (c *chain) addSession(sid, addr, password string) {
	c.mu.Lock()
	c.sessions[sid] = Grant{SessionID: sid, Addr: addr, VNCPassword: password}
	c.mu.Unlock()
}

// token mints a token for sid; mutate may change the claims before signing.
func (c *chain) token(t testing.TB, sid string, direct bool, mutate ...func(*connecttoken.Claims)) string {
	t.Helper()
	id, _ := connecttoken.NewID()
	now := time.Now()
	url := "ws" + strings.TrimPrefix(c.frontSrv.URL, "http") + "/connect/" + sid + "/ws"
	if direct {
		url = "ws" + strings.TrimPrefix(c.backSrv.URL, "http") + "/connect/" + sid + "/ws"
	}
	cl := &connecttoken.Claims{UserID: "user-1", SessionID: sid, AgentID: testAgent, AgentURL: c.backSrv.URL, URL: url,
		Origins: []string{testOrigin}, IssuedAt: now.Unix(), Expiry: now.Add(connecttoken.MaxTTL).Unix(), ID: id}
	for _, m := range mutate {
		m(cl)
	}
	tok, err := connecttoken.Sign(cl, c.key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// dial opens the token's websocket as a browser would.
func dial(t testing.TB, token string, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	cl, err := connecttoken.Peek(token)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{Subprotocols: []string{"binary"}, HandshakeTimeout: 5 * time.Second, WriteBufferSize: 256 << 10, ReadBufferSize: 256 << 10}
	return d.Dial(cl.URL+"?token="+token, h)
}

// wsReader reads a websocket's binary messages as a stream.
type wsReader struct {
	ws  *websocket.Conn
	cur io.Reader
}

func (r *wsReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			_, rd, err := r.ws.NextReader()
			if err != nil {
				return 0, err
			}
			r.cur = rd
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// rfbClient runs the browser's side of the handshake through the proxy, which must offer no
// authentication, and returns the stream positioned after ServerInit.
func rfbClient(t testing.TB, ws *websocket.Conn) *wsReader {
	t.Helper()
	r := &wsReader{ws: ws}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer ws.SetReadDeadline(time.Time{})
	ver := make([]byte, 12)
	if _, err := io.ReadFull(r, ver); err != nil || string(ver) != "RFB 003.008\n" {
		t.Fatalf("greeting %q: %v", ver, err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("RFB 003.008\n"))
	types := make([]byte, 2)
	if _, err := io.ReadFull(r, types); err != nil || !bytes.Equal(types, []byte{1, secNone}) {
		t.Fatalf("security types %v (want only None: the proxy answers the password): %v", types, err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte{secNone})
	res := make([]byte, 4)
	if _, err := io.ReadFull(r, res); err != nil || !bytes.Equal(res, []byte{0, 0, 0, 0}) {
		t.Fatalf("security result %v: %v", res, err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte{1})
	init := make([]byte, 28)
	if _, err := io.ReadFull(r, init); err != nil || string(init[24:]) != "test" {
		t.Fatalf("server init %q: %v", init, err)
	}
	return r
}
