package wsproxy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hotdesk/hotdesk/internal/connecttoken"
	"github.com/hotdesk/hotdesk/internal/vnctest"
)

const (
	sid1 = "11111111-1111-1111-1111-111111111111"
	sid2 = "22222222-2222-2222-2222-222222222222"
)

// echoThrough sends n random bytes in chunks and checks they come back unchanged.
func echoThrough(t *testing.T, ws *websocket.Conn, r io.Reader, n int) {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	go func() {
		for off := 0; off < n; off += 60000 {
			end := min(off+60000, n)
			if err := ws.WriteMessage(websocket.BinaryMessage, data[off:end]); err != nil {
				return
			}
		}
	}()
	got := make([]byte, n)
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("echo: %v", err)
	}
	_ = ws.SetReadDeadline(time.Time{})
	if !bytes.Equal(got, data) {
		t.Fatal("echo differs from what was sent")
	}
}

func TestStandardPathAnswersVNCAuthAndRelays(t *testing.T) {
	c := newChain(t)
	vnc := vnctest.Start(t, vnctest.Options{Password: "s3cret!x"})
	c.addSession(sid1, vnc.Addr(), "s3cret!x")
	ws, resp, err := dial(t, c.token(t, sid1, false), testOrigin)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if resp.Header.Get("Sec-WebSocket-Protocol") != "binary" {
		t.Fatalf("subprotocol %q, want binary", resp.Header.Get("Sec-WebSocket-Protocol"))
	}
	r := rfbClient(t, ws)
	echoThrough(t, ws, r, 3<<20)
	if c.front.Conns(sid1) != 1 || c.back.Conns(sid1) != 1 {
		t.Fatalf("connections: front %d back %d, want 1 and 1", c.front.Conns(sid1), c.back.Conns(sid1))
	}
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	vnctest.CloseFrame(t, ws, 10*time.Second)
	waitFor(t, func() bool { return c.front.Conns("") == 0 && c.back.Conns("") == 0 })
}

func TestDirectToAgent(t *testing.T) {
	c := newChain(t)
	vnc := vnctest.Start(t, vnctest.Options{Password: "pw"})
	c.addSession(sid1, vnc.Addr(), "pw")
	ws, _, err := dial(t, c.token(t, sid1, true), testOrigin)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	echoThrough(t, ws, rfbClient(t, ws), 1<<20)
	if c.front.Conns("") != 0 || c.back.Conns(sid1) != 1 {
		t.Fatal("a direct connection must bypass the server's proxy")
	}
	// A foreign page gets no websocket at all: HTTP 403 with a JSON reason.
	_, resp, err := dial(t, c.token(t, sid1, true), "https://evil.example")
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin at the agent: %v %v", err, resp)
	}
}

func TestWrongVNCPasswordSaysSo(t *testing.T) {
	c := newChain(t)
	vnc := vnctest.Start(t, vnctest.Options{Password: "right"})
	c.addSession(sid1, vnc.Addr(), "wrong")
	ws, _, err := dial(t, c.token(t, sid1, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	ce := vnctest.CloseFrame(t, ws, 10*time.Second)
	if ce.Code != CodeUpstream || !strings.Contains(ce.Text, "refused the session password") {
		t.Fatalf("close %d %q", ce.Code, ce.Text)
	}
}

func TestBadTokensAreRefusedAndNothingIsProxied(t *testing.T) {
	c := newChain(t)
	vnc := vnctest.Start(t, vnctest.Options{Password: "pw"})
	c.addSession(sid1, vnc.Addr(), "pw")
	c.addSession(sid2, vnc.Addr(), "pw")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	used := c.token(t, sid1, false)
	ws, _, err := dial(t, used, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, ws)
	ws.Close()
	usedDirect := c.token(t, sid1, true)
	ws, _, err = dial(t, usedDirect, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, ws)
	ws.Close()
	before := vnc.Conns()

	forged := func() string {
		id, _ := connecttoken.NewID()
		tok, _ := connecttoken.Sign(&connecttoken.Claims{UserID: "u", SessionID: sid1, AgentID: testAgent, AgentURL: c.backSrv.URL,
			URL:      "ws" + strings.TrimPrefix(c.frontSrv.URL, "http") + "/connect/" + sid1 + "/ws",
			IssuedAt: time.Now().Unix(), Expiry: time.Now().Add(time.Minute).Unix(), ID: id}, other)
		return tok
	}()
	expired := c.token(t, sid1, false, func(cl *connecttoken.Claims) {
		cl.IssuedAt, cl.Expiry = time.Now().Add(-2*time.Minute).Unix(), time.Now().Add(-time.Minute).Unix()
	})
	otherSession := c.token(t, sid2, false)
	wrongAgent := c.token(t, sid1, false, func(cl *connecttoken.Claims) { cl.AgentID = "0000aaaa-0000-0000-0000-000000000009" })
	unknownSession := c.token(t, "33333333-3333-3333-3333-333333333333", false)
	tamper := c.token(t, sid1, false)
	parts := strings.Split(tamper, ".")
	tampered := parts[0] + "." + parts[1][:len(parts[1])-2] + "AA." + parts[2]

	front := "ws" + strings.TrimPrefix(c.frontSrv.URL, "http") + "/connect/"
	cases := []struct {
		name, url string
		code      int
		reason    string
	}{
		{"expired", front + sid1 + "/ws?token=" + expired, CodeBadToken, "expired"},
		{"reused", front + sid1 + "/ws?token=" + used, CodeTokenUsed, "used already"},
		{"reused at the agent", "ws" + strings.TrimPrefix(c.backSrv.URL, "http") + "/connect/" + sid1 + "/ws?token=" + usedDirect, CodeTokenUsed, "used already"},
		{"forged", front + sid1 + "/ws?token=" + forged, CodeBadToken, "signature"},
		{"tampered", front + sid1 + "/ws?token=" + tampered, CodeBadToken, ""},
		{"other session's token", front + sid1 + "/ws?token=" + otherSession, CodeForbidden, "another session"},
		{"other agent", front + sid1 + "/ws?token=" + wrongAgent, CodeForbidden, "another agent"},
		{"session not on the agent", front + "33333333-3333-3333-3333-333333333333/ws?token=" + unknownSession, CodeNotFound, "no session"},
		{"no token", front + sid1 + "/ws", CodeBadToken, "no connect token"},
		{"garbage token", front + sid1 + "/ws?token=abc.def", CodeBadToken, "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Origin": {testOrigin}}
			ws, _, err := websocket.DefaultDialer.Dial(tc.url, h)
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer ws.Close()
			ce := vnctest.CloseFrame(t, ws, 10*time.Second)
			if ce.Code != tc.code || !strings.Contains(ce.Text, tc.reason) {
				t.Fatalf("close %d %q, want %d containing %q", ce.Code, ce.Text, tc.code, tc.reason)
			}
		})
	}
	if n := vnc.Conns(); n != before {
		t.Fatalf("refused connections reached the VNC server (%d new)", n-before)
	}

	// A foreign origin never gets a websocket: HTTP 403 and a JSON reason.
	_, resp, err := dial(t, c.token(t, sid1, false), "https://evil.example")
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", err, resp)
	}
	var ref Refusal
	if json.NewDecoder(resp.Body).Decode(&ref) != nil || ref.Code != CodeForbidden || !strings.Contains(ref.Reason, "origin") {
		t.Fatalf("foreign origin body: %+v", ref)
	}
	// A plain GET is told to use a websocket.
	resp2, err := http.Get(c.frontSrv.URL + "/connect/" + sid1 + "/ws")
	if err != nil || resp2.StatusCode != http.StatusBadRequest {
		t.Fatalf("plain GET: %v %v", err, resp2)
	}
	// The tunnel endpoint refuses what is not a tunnel, and bad tokens, with JSON.
	req, _ := http.NewRequest("GET", c.backSrv.URL+"/connect/"+sid1+"/tunnel", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", TunnelProtocol)
	req.Header.Set("Authorization", "Bearer "+forged)
	resp3, err := http.DefaultClient.Do(req)
	if err != nil || resp3.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged tunnel: %v %v", err, resp3)
	}
	if n := vnc.Conns(); n != before {
		t.Fatalf("refused connections reached the VNC server (%d new)", n-before)
	}
}

func TestOversizedAndMalformedFramesCloseOnlyThatConnection(t *testing.T) {
	c := newChain(t)
	vnc := vnctest.Start(t, vnctest.Options{Password: "pw"})
	c.addSession(sid1, vnc.Addr(), "pw")
	c.addSession(sid2, vnc.Addr(), "pw")
	keep, _, err := dial(t, c.token(t, sid2, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	keepR := rfbClient(t, keep)

	big, _, err := dial(t, c.token(t, sid1, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, big)
	go big.WriteMessage(websocket.BinaryMessage, make([]byte, maxMessage+1))
	if ce := vnctest.CloseFrame(t, big, 10*time.Second); ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("oversized message: close %d %q", ce.Code, ce.Text)
	}

	bad, _, err := dial(t, c.token(t, sid1, true), testOrigin) // straight at the agent's proxy
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, bad)
	// An unmasked frame with a reserved opcode: twice wrong for a client.
	bad.UnderlyingConn().Write([]byte{0x83, 0x02, 'h', 'i'})
	if ce := vnctest.CloseFrame(t, bad, 10*time.Second); ce.Code != websocket.CloseProtocolError {
		t.Fatalf("malformed frame: close %d %q", ce.Code, ce.Text)
	}

	text, _, err := dial(t, c.token(t, sid1, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, text)
	text.WriteMessage(websocket.TextMessage, []byte("hello"))
	if ce := vnctest.CloseFrame(t, text, 10*time.Second); ce.Code != websocket.CloseUnsupportedData {
		t.Fatalf("text frame: close %d %q", ce.Code, ce.Text)
	}
	echoThrough(t, keep, keepR, 256<<10)
}

func TestOrderlyCloseLosesNothing(t *testing.T) {
	const n = 16 << 20
	c := newChain(t)

	t.Run("browser to desktop", func(t *testing.T) {
		sink := vnctest.Start(t, vnctest.Options{Sink: true}) // no password: the handshake is relayed untouched
		c.addSession(sid1, sink.Addr(), "")
		ws, _, err := dial(t, c.token(t, sid1, false), testOrigin)
		if err != nil {
			t.Fatal(err)
		}
		chunk := make([]byte, 100_000)
		sent := 0
		for sent < n {
			k := min(len(chunk), n-sent)
			if err := ws.WriteMessage(websocket.BinaryMessage, chunk[:k]); err != nil {
				t.Fatal(err)
			}
			sent += k
		}
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		select {
		case got := <-sink.EOF:
			if got != n {
				t.Fatalf("desktop got %d of %d bytes", got, n)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the desktop never saw the end of the stream")
		}
	})

	t.Run("desktop to browser", func(t *testing.T) {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer lis.Close()
		go func() {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1<<20)
			for sent := 0; sent < n; sent += len(buf) {
				if _, err := conn.Write(buf); err != nil {
					return
				}
			}
			conn.Close()
		}()
		c.addSession(sid2, lis.Addr().String(), "")
		ws, _, err := dial(t, c.token(t, sid2, false), testOrigin)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		for {
			_, r, err := ws.NextReader()
			if err != nil {
				ce, ok := err.(*websocket.CloseError)
				if !ok || ce.Code != CodeNormal {
					t.Fatalf("after %d bytes: %v", got, err)
				}
				break
			}
			k, _ := io.Copy(io.Discard, r)
			got += int(k)
		}
		if got != n {
			t.Fatalf("browser got %d of %d bytes", got, n)
		}
	})
}

func TestSessionEndClosesConnections(t *testing.T) {
	c := newChain(t)
	vnc := vnctest.Start(t, vnctest.Options{Password: "pw"})
	c.addSession(sid1, vnc.Addr(), "pw")
	c.addSession(sid2, vnc.Addr(), "pw")

	// The server learns the session ended (session bus): it closes with the reason.
	ws, _, err := dial(t, c.token(t, sid1, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, ws)
	if n := c.front.EndSession(sid1, "the session has ended: destroyed by its user"); n != 1 {
		t.Fatalf("closed %d connections, want 1", n)
	}
	if ce := vnctest.CloseFrame(t, ws, 10*time.Second); ce.Code != CodeSessionEnded || !strings.Contains(ce.Text, "destroyed by its user") {
		t.Fatalf("close %d %q", ce.Code, ce.Text)
	}
	// ...and refuses the session from then on, even with a fresh token.
	ws, _, err = dial(t, c.token(t, sid1, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	if ce := vnctest.CloseFrame(t, ws, 10*time.Second); ce.Code != CodeSessionEnded {
		t.Fatalf("ended session: close %d %q", ce.Code, ce.Text)
	}

	// The agent removes the container first: the tunnel ends, and the server says why.
	ws, _, err = dial(t, c.token(t, sid2, false), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	rfbClient(t, ws)
	c.mu.Lock()
	c.ended[sid2] = true
	c.mu.Unlock()
	c.back.EndSession(sid2, "destroyed")
	if ce := vnctest.CloseFrame(t, ws, 10*time.Second); ce.Code != CodeSessionEnded {
		t.Fatalf("close %d %q", ce.Code, ce.Text)
	}
	waitFor(t, func() bool { return c.front.Conns("") == 0 && c.back.Conns("") == 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An agent proxy served over TLS (https advertise URL): the server's proxy tunnels to it.
func TestTunnelOverTLS(t *testing.T) {
	c := newChain(t)
	tlsSrv := httptest.NewTLSServer(c.back.Handler())
	defer tlsSrv.Close()
	c.front.o.Dialer.TLS = tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
	vnc := vnctest.Start(t, vnctest.Options{Password: "pw"})
	c.addSession(sid1, vnc.Addr(), "pw")
	tok := c.token(t, sid1, false, func(cl *connecttoken.Claims) { cl.AgentURL = tlsSrv.URL })
	ws, _, err := dial(t, tok, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	echoThrough(t, ws, rfbClient(t, ws), 1<<20)
}
