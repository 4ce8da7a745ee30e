// Package proxy is agentd's session proxy: it relays browser traffic to the VNC servers of this
// agent's session containers — tunnels from the server's built-in proxy (standard zones) and
// browser websockets straight from the connect page (direct-to-agent zones). It checks every
// connect token against the server's CA, answers the VNC password challenge itself, and
// reaches only the containers this agent runs, on 127.0.0.1.
package proxy

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/hotdesk/hotdesk/internal/connecttoken"
	"github.com/hotdesk/hotdesk/internal/wsproxy"
)

// Config configures the proxy.
type Config struct {
	// Listen is the host:port to accept on.
	Listen string
	// AdvertiseURL is the base URL the server and browsers reach the proxy at; derived from
	// Listen when empty.
	AdvertiseURL string
	// TLSCert and TLSKey, when set, make the proxy serve HTTPS/WSS (for direct-to-agent zones
	// behind https pages).
	TLSCert, TLSKey string
	// AgentID is this agent: tokens for other agents' sessions are refused.
	AgentID string
	// Keys returns the keys connect tokens are signed with (the server CA's, from the bundle
	// the agent holds).
	Keys func() []*ecdsa.PublicKey
	// MaxConns bounds concurrent connections (0: 100 000).
	MaxConns int
	Log      *slog.Logger
}

// Proxy is a running session proxy.
type Proxy struct {
	cfg     Config
	reg     *Registry
	backend *wsproxy.Backend
	check   *wsproxy.TokenCheck
	lis     net.Listener
	srv     *http.Server
	url     string
}

// New starts listening; Serve serves.
func New(cfg Config, reg *Registry) (*Proxy, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("proxy TLS needs both a certificate and a key")
	}
	p := &Proxy{cfg: cfg, reg: reg}
	p.check = &wsproxy.TokenCheck{Keys: cfg.Keys, Replay: connecttoken.NewReplay(0), AgentID: cfg.AgentID,
		// Tolerate an agent clock a few seconds behind the server's.
		Leeway: 5 * time.Second}
	p.backend = wsproxy.NewBackend(wsproxy.BackendOptions{Authorizer: p, MaxConns: cfg.MaxConns, Log: cfg.Log.With("component", "proxy")})
	reg.OnEnd(func(sid string) {
		if n := p.backend.EndSession(sid, "the session has ended"); n > 0 {
			cfg.Log.Info("closed the connections of an ended session", "session_id", sid, "connections", n)
		}
	})
	lis, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	if cfg.TLSCert != "" {
		pair, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			lis.Close()
			return nil, fmt.Errorf("proxy TLS: %w", err)
		}
		lis = tls.NewListener(lis, &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}})
	}
	p.lis = lis
	p.url = cfg.AdvertiseURL
	if p.url == "" {
		p.url = defaultURL(lis.Addr().String(), cfg.TLSCert != "")
	}
	p.srv = &http.Server{Handler: p.backend.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	return p, nil
}

// AdvertiseURL is the base URL sent to the server in Hello.
func (p *Proxy) AdvertiseURL() string { return p.url }

// Addr is where the proxy listens.
func (p *Proxy) Addr() string { return p.lis.Addr().String() }

// Serve serves until Close.
func (p *Proxy) Serve() error {
	err := p.srv.Serve(p.lis)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops accepting and ends every relayed connection. Session containers keep running.
func (p *Proxy) Close(ctx context.Context) {
	_ = p.srv.Shutdown(ctx)
	p.backend.Close()
}

// Authorize checks a connect token and finds the session's VNC server among this agent's
// containers.
func (p *Proxy) Authorize(r *http.Request, sid, token string) (wsproxy.Grant, error) {
	c, err := p.check.Check(r, sid, token)
	if err != nil {
		return wsproxy.Grant{}, err
	}
	addr, password, err := p.reg.Lookup(r.Context(), sid)
	if err != nil {
		return wsproxy.Grant{}, err
	}
	return wsproxy.Grant{SessionID: sid, UserID: c.UserID, Addr: addr, VNCPassword: password}, nil
}

// defaultURL is the advertise URL for a listen address: its own host, or the machine's name
// when it listens on every interface.
func defaultURL(addr string, secure bool) string {
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "127.0.0.1"
		}
	}
	scheme := "http"
	if secure {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}).String()
}
