package proxy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/internal/connecttoken"
	"github.com/hotdesk/hotdesk/internal/vnctest"
	"github.com/hotdesk/hotdesk/internal/wsproxy"
)

const (
	agentID = "aaaaaaaa-0000-0000-0000-000000000001"
	sid     = "11111111-2222-3333-4444-555555555555"
	origin  = "http://hotdesk.test"
)

// fakeRuntime lists containers and reads their environment, counting calls.
type fakeRuntime struct {
	mu    sync.Mutex
	list  []runtime.Container
	env   map[string]map[string]string
	lists int
}

func (f *fakeRuntime) List(context.Context) ([]runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	return append([]runtime.Container(nil), f.list...), nil
}

func (f *fakeRuntime) SessionEnv(_ context.Context, id string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.env[id], nil
}

// vncServer wants password and then echoes.
func vncServer(t *testing.T, password string) uint16 {
	t.Helper()
	v := vnctest.Start(t, vnctest.Options{Password: password, NoInit: true})
	_, p, _ := net.SplitHostPort(v.Addr())
	n, _ := strconv.Atoi(p)
	return uint16(n)
}

type env struct {
	key   *ecdsa.PrivateKey
	rt    *fakeRuntime
	reg   *Registry
	proxy *Proxy
}

func start(t *testing.T) *env {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rt := &fakeRuntime{env: map[string]map[string]string{}}
	reg := NewRegistry(rt, nil)
	p, err := New(Config{Listen: "127.0.0.1:0", AgentID: agentID, Keys: func() []*ecdsa.PublicKey { return []*ecdsa.PublicKey{&key.PublicKey} }}, reg)
	if err != nil {
		t.Fatal(err)
	}
	go p.Serve()
	t.Cleanup(func() { p.Close(context.Background()) })
	return &env{key: key, rt: rt, reg: reg, proxy: p}
}

func (e *env) token(t *testing.T, session, agent string) string {
	t.Helper()
	id, _ := connecttoken.NewID()
	now := time.Now()
	tok, err := connecttoken.Sign(&connecttoken.Claims{UserID: "u", SessionID: session, AgentID: agent, AgentURL: e.proxy.AdvertiseURL(),
		URL: "ws" + strings.TrimPrefix(e.proxy.AdvertiseURL(), "http") + "/connect/" + session + "/ws", Origins: []string{origin},
		IssuedAt: now.Unix(), Expiry: now.Add(time.Minute).Unix(), ID: id}, e.key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *env) dial(t *testing.T, tok string) *websocket.Conn {
	t.Helper()
	cl, _ := connecttoken.Peek(tok)
	ws, _, err := websocket.DefaultDialer.Dial(cl.URL+"?token="+tok, http.Header{"Origin": {origin}})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// handshake does the browser's RFB part (the proxy offers no password) and checks an echo.
func handshake(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	read := func(n int) []byte {
		for len(got) < n {
			_, m, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			got = append(got, m...)
		}
		out := got[:n]
		got = got[n:]
		return out
	}
	if string(read(12)) != "RFB 003.008\n" {
		t.Fatal("no greeting")
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("RFB 003.008\n"))
	if !bytes.Equal(read(2), []byte{1, 1}) {
		t.Fatal("not offered None")
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte{1})
	if !bytes.Equal(read(4), []byte{0, 0, 0, 0}) {
		t.Fatal("security result")
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("hello"))
	if string(read(5)) != "hello" {
		t.Fatal("no echo")
	}
	ws.SetReadDeadline(time.Time{})
}

func TestProxyReachesOnlyItsOwnSessions(t *testing.T) {
	e := start(t)
	port := vncServer(t, "pa55word")
	e.reg.Started(sid, "c1", port, map[string]string{EnvVNCPassword: "pa55word"})

	ws := e.dial(t, e.token(t, sid, agentID))
	handshake(t, ws)

	other := e.dial(t, e.token(t, sid, "aaaaaaaa-0000-0000-0000-000000000002"))
	if ce := vnctest.CloseFrame(t, other, 5*time.Second); ce.Code != wsproxy.CodeForbidden {
		t.Fatalf("another agent's token: %d %q", ce.Code, ce.Text)
	}
	unknown := "99999999-2222-3333-4444-555555555555"
	ws2 := e.dial(t, e.token(t, unknown, agentID))
	if ce := vnctest.CloseFrame(t, ws2, 5*time.Second); ce.Code != wsproxy.CodeSessionEnded {
		t.Fatalf("a session this agent does not run: %d %q", ce.Code, ce.Text)
	}

	// Destroying the container (the agent's destroy command) ends the stream and the session.
	e.reg.Ended(sid)
	if ce := vnctest.CloseFrame(t, ws, 5*time.Second); ce.Code != wsproxy.CodeSessionEnded {
		t.Fatalf("after the session ended: %d %q", ce.Code, ce.Text)
	}
	ws3 := e.dial(t, e.token(t, sid, agentID))
	if ce := vnctest.CloseFrame(t, ws3, 5*time.Second); ce.Code != wsproxy.CodeSessionEnded {
		t.Fatalf("a fresh token after the end: %d %q", ce.Code, ce.Text)
	}
}

// After agentd restarts, the proxy finds running sessions and their passwords in Docker.
func TestProxyRecoversSessionsAfterRestart(t *testing.T) {
	e := start(t)
	port := vncServer(t, "s3cr3t")
	e.rt.list = []runtime.Container{{ID: "c9", SessionID: sid, State: agentpb.ContainerState_CONTAINER_STATE_RUNNING, HostPort: port}}
	e.rt.env["c9"] = map[string]string{EnvVNCPassword: "s3cr3t"}
	ws := e.dial(t, e.token(t, sid, agentID))
	handshake(t, ws)
	ws.Close()
	// Known now: no further container list for the next connection.
	lists := e.rt.lists
	handshake(t, e.dial(t, e.token(t, sid, agentID)))
	if e.rt.lists != lists {
		t.Fatalf("a known session listed containers again (%d → %d)", lists, e.rt.lists)
	}
	// A container list without it ends it.
	e.reg.Sync(nil, time.Now())
	if e.reg.Count() != 0 {
		t.Fatal("a session whose container is gone is still known")
	}
}

func TestAdvertiseURL(t *testing.T) {
	if got := defaultURL("127.0.0.1:8444", false); got != "http://127.0.0.1:8444" {
		t.Fatal(got)
	}
	if got := defaultURL("0.0.0.0:8444", true); !strings.HasPrefix(got, "https://") || strings.Contains(got, "0.0.0.0") {
		t.Fatal(got)
	}
}

// With --proxy-tls-cert the proxy serves wss:// (direct-to-agent behind https pages).
func TestProxyOverTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := selfSigned(t, dir)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rt := &fakeRuntime{env: map[string]map[string]string{}}
	reg := NewRegistry(rt, nil)
	p, err := New(Config{Listen: "127.0.0.1:0", AgentID: agentID, TLSCert: certFile, TLSKey: keyFile,
		Keys: func() []*ecdsa.PublicKey { return []*ecdsa.PublicKey{&key.PublicKey} }}, reg)
	if err != nil {
		t.Fatal(err)
	}
	go p.Serve()
	defer p.Close(context.Background())
	if !strings.HasPrefix(p.AdvertiseURL(), "https://") {
		t.Fatalf("advertise URL %s", p.AdvertiseURL())
	}
	e := &env{key: key, rt: rt, reg: reg, proxy: p}
	reg.Started(sid, "c1", vncServer(t, "pw"), map[string]string{EnvVNCPassword: "pw"})
	tok := e.token(t, sid, agentID)
	cl, _ := connecttoken.Peek(tok)
	d := websocket.Dialer{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // a self-signed test certificate
	ws, _, err := d.Dial(cl.URL+"?token="+tok, http.Header{"Origin": {origin}})
	if err != nil {
		t.Fatal(err)
	}
	handshake(t, ws)
	// A big echo through TLS both ways.
	data := bytes.Repeat([]byte("0123456789"), 300_000)
	go ws.WriteMessage(websocket.BinaryMessage, data)
	var got []byte
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(got) < len(data) {
		_, m, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m...)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("echo over TLS differs")
	}
}

func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "agent"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(k)
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(kf, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600)
	return cf, kf
}
