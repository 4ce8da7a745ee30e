package wsproxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TunnelProtocol is the Upgrade token of the proxy-to-agent tunnel: after "101 Switching
// Protocols" the connection carries the VNC byte stream as is, without websocket framing or
// masking, so the hop costs one copy per direction.
const TunnelProtocol = "hotdesk-relay/1"

// tunnelPath is where an agent's proxy accepts tunnels.
func tunnelPath(sid string) string { return "/connect/" + sid + "/tunnel" }

// Dialer opens tunnels to agents' proxies.
type Dialer struct {
	// TLS is used for https agent URLs (nil: system roots).
	TLS *tls.Config
	// Timeout bounds connecting and the upgrade; 10 s when zero.
	Timeout time.Duration
}

// Dial opens a tunnel for session sid at the agent proxy's base URL, presenting token. It
// returns the connection and any stream bytes read with the upgrade response. An agent's
// refusal comes back as a *Refusal with the agent's code and reason.
func (d *Dialer) Dial(ctx context.Context, agentURL, sid, token, forwardedFor string) (net.Conn, []byte, error) {
	u, err := url.Parse(agentURL)
	if err != nil || u.Host == "" {
		return nil, nil, Refuse(CodeUpstream, "the session's agent advertises no usable proxy URL")
	}
	secure := false
	switch u.Scheme {
	case "http", "ws":
	case "https", "wss":
		secure = true
	default:
		return nil, nil, Refuse(CodeUpstream, "the session's agent advertises no usable proxy URL")
	}
	host := u.Host
	if u.Port() == "" {
		if secure {
			host = net.JoinHostPort(u.Hostname(), "443")
		} else {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, nil, Refuse(CodeUpstream, "cannot reach the proxy of the session's agent; it may be down")
	}
	conn := raw
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if secure {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if d.TLS != nil {
			cfg = d.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, nil, Refuse(CodeUpstream, "TLS with the session's agent failed: "+err.Error())
		}
		conn = tc
	}
	path := strings.TrimSuffix(u.Path, "/") + tunnelPath(sid)
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: %s\r\nAuthorization: Bearer %s\r\n",
		path, u.Host, TunnelProtocol, token)
	if forwardedFor != "" {
		req += "X-Forwarded-For: " + forwardedFor + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		conn.Close()
		return nil, nil, Refuse(CodeUpstream, "the session's agent dropped the connection")
	}
	br := bufio.NewReaderSize(conn, 1024)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, nil, Refuse(CodeUpstream, "the session's agent did not answer like a Hotdesk proxy")
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer conn.Close()
		var ref Refusal
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(body, &ref) != nil || ref.Code < 4000 || ref.Code > 4999 || ref.Reason == "" {
			return nil, nil, Refuse(CodeUpstream, fmt.Sprintf("the session's agent answered HTTP %d", resp.StatusCode))
		}
		return nil, nil, &ref
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), TunnelProtocol) {
		conn.Close()
		return nil, nil, Refuse(CodeUpstream, "the session's agent switched to an unknown protocol")
	}
	var leftover []byte
	if n := br.Buffered(); n > 0 {
		leftover = make([]byte, n)
		_, _ = io.ReadFull(br, leftover)
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, leftover, nil
}

// acceptTunnel answers a tunnel request with 101 and returns the raw connection and any bytes
// the client sent after its request.
func acceptTunnel(w http.ResponseWriter) (net.Conn, []byte, error) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	if _, err := io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "+TunnelProtocol+"\r\n\r\n"); err != nil {
		conn.Close()
		return nil, nil, err
	}
	var leftover []byte
	if n := brw.Reader.Buffered(); n > 0 {
		leftover = make([]byte, n)
		_, _ = io.ReadFull(brw.Reader, leftover)
	}
	return conn, leftover, nil
}

// prefixConn reads pre before the connection itself.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
