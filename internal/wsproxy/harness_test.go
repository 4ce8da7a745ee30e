package wsproxy

import (
	"bytes"
	"crypto/des" //nolint:gosec // VNC authentication, as the protocol defines it
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"net"
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

// fakeVNC is a VNC server that demands VNC authentication with a password, sends a tiny
// ServerInit, and then echoes (or only counts, as a sink) everything it gets.
type fakeVNC struct {
	lis      net.Listener
	password string
	sink     bool

	mu       sync.Mutex
	received int64
	accepted int
	gotEOF   chan int64 // bytes received when a client's stream ended (sink mode)
	authFail int
}

func (v *fakeVNC) conns() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.accepted
}

func startVNC(t testing.TB, password string, sink bool) *fakeVNC {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	v := &fakeVNC{lis: lis, password: password, sink: sink, gotEOF: make(chan int64, 16)}
	t.Cleanup(func() { lis.Close() })
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			v.mu.Lock()
			v.accepted++
			v.mu.Unlock()
			go v.serve(c)
		}
	}()
	return v
}

func (v *fakeVNC) addr() string { return v.lis.Addr().String() }

// refVNCResponse is an independent implementation of the VNC DES response.
func refVNCResponse(password string, challenge []byte) []byte {
	key := make([]byte, 8)
	copy(key, password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	c, _ := des.NewCipher(key) //nolint:gosec
	out := make([]byte, 16)
	c.Encrypt(out[:8], challenge[:8])
	c.Encrypt(out[8:], challenge[8:])
	return out
}

func (v *fakeVNC) serve(c net.Conn) {
	defer c.Close()
	if v.password != "" {
		if _, err := c.Write([]byte("RFB 003.008\n")); err != nil {
			return
		}
		ver := make([]byte, 12)
		if _, err := io.ReadFull(c, ver); err != nil {
			return
		}
		c.Write([]byte{1, secVNCAuth})
		choice := make([]byte, 1)
		if _, err := io.ReadFull(c, choice); err != nil || choice[0] != secVNCAuth {
			return
		}
		challenge := make([]byte, 16)
		rand.Read(challenge)
		c.Write(challenge)
		resp := make([]byte, 16)
		if _, err := io.ReadFull(c, resp); err != nil {
			return
		}
		if !bytes.Equal(resp, refVNCResponse(v.password, challenge)) {
			v.mu.Lock()
			v.authFail++
			v.mu.Unlock()
			c.Write([]byte{0, 0, 0, 1, 0, 0, 0, 14})
			c.Write([]byte("wrong password"))
			return
		}
		c.Write([]byte{0, 0, 0, 0})
		shared := make([]byte, 1)
		if _, err := io.ReadFull(c, shared); err != nil {
			return
		}
		// ServerInit: 2x2, a 16-byte pixel format, name "test".
		init := make([]byte, 24)
		binary.BigEndian.PutUint16(init[0:], 2)
		binary.BigEndian.PutUint16(init[2:], 2)
		binary.BigEndian.PutUint32(init[20:], 4)
		c.Write(append(init, "test"...))
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := c.Read(buf)
		if k > 0 {
			n += int64(k)
			v.mu.Lock()
			v.received += int64(k)
			v.mu.Unlock()
			if !v.sink {
				if _, err := c.Write(buf[:k]); err != nil {
					return
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				v.gotEOF <- n
			}
			return
		}
	}
}

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

// closeOf waits for the close frame the proxy sends and returns it.
func closeOf(t testing.TB, ws *websocket.Conn) *websocket.CloseError {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.NextReader()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce
		}
		t.Fatalf("connection ended without a close frame: %v", err)
	}
}
