package hotdesk

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// Client is a connection to a Hotdesk server with a client per service. It is safe for
// concurrent use; Close it when done.
type Client struct {
	conn *grpc.ClientConn

	Auth       *AuthClient
	Workspaces *WorkspacesClient
	Sessions   *SessionsClient
	Agents     *AgentsClient
	Zones      *ZonesClient
	Users      *UsersClient
	Groups     *GroupsClient
	APIKeys    *APIKeysClient
	Audit      *AuditClient
}

// DefaultKeepalive pings an idle connection every 30 s (the server accepts pings every 10 s
// or slower) and drops it when a ping goes unanswered for 10 s, so a dead load balancer or
// network path is noticed while a watch waits.
var DefaultKeepalive = keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}

type options struct {
	bearer             string
	username, password string
	tls                *tls.Config
	useTLS, insecure   bool
	keepalive          keepalive.ClientParameters
	retry              bool
	userAgent          string
	grpcOpts           []grpc.DialOption
}

// Option configures Dial.
type Option func(*options)

// WithAPIKey authenticates every call with an API key (hdk_…).
func WithAPIKey(key string) Option { return func(o *options) { o.bearer = key } }

// WithToken authenticates every call with a login token (hdt_…) from AuthService.Login.
func WithToken(token string) Option { return func(o *options) { o.bearer = token } }

// WithPassword makes Dial log in with a user name and password and authenticate every call
// with the token it gets (valid 12 hours by default).
func WithPassword(username, password string) Option {
	return func(o *options) { o.username, o.password = username, password }
}

// WithTLS connects over TLS with cfg (nil: the system's roots). An https:// address implies it.
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) { o.useTLS, o.tls, o.insecure = true, cfg, false }
}

// WithInsecure connects without TLS even to an https:// address (for tests behind a proxy).
func WithInsecure() Option { return func(o *options) { o.useTLS, o.insecure = false, true } }

// WithKeepalive replaces DefaultKeepalive.
func WithKeepalive(p keepalive.ClientParameters) Option { return func(o *options) { o.keepalive = p } }

// WithoutRetries turns off the default retry of idempotent reads on UNAVAILABLE.
func WithoutRetries() Option { return func(o *options) { o.retry = false } }

// WithUserAgent prefixes the gRPC user agent, e.g. "my-tool/1.2".
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// WithGRPCOptions adds raw gRPC dial options, applied after the SDK's own.
func WithGRPCOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.grpcOpts = append(o.grpcOpts, opts...) }
}

// Dial connects to a Hotdesk server. addr is "host:port" (plaintext unless WithTLS),
// "http://host:port" (plaintext), "https://host[:port]" (TLS with the system's roots unless
// WithTLS gives a config) or any gRPC target ("dns:///host:port", "unix:///path"). The connection itself is made lazily by the first call; ctx bounds
// the login of WithPassword.
func Dial(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	o := options{keepalive: DefaultKeepalive, retry: true}
	target, scheme, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	if scheme == "https" {
		o.useTLS = true
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.insecure {
		o.useTLS = false
	}
	creds := insecure.NewCredentials()
	if o.useTLS {
		cfg := o.tls
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		creds = credentials.NewTLS(cfg)
	}
	tok := &bearer{}
	dial := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithPerRPCCredentials(tok),
		grpc.WithKeepaliveParams(o.keepalive),
		grpc.WithChainUnaryInterceptor(unaryErrors),
		grpc.WithChainStreamInterceptor(streamErrors),
	}
	if o.retry {
		dial = append(dial, grpc.WithDefaultServiceConfig(retryServiceConfig()))
	} else {
		dial = append(dial, grpc.WithDisableRetry())
	}
	ua := "hotdesk-go"
	if o.userAgent != "" {
		ua = o.userAgent + " " + ua
	}
	dial = append(dial, grpc.WithUserAgent(ua))
	dial = append(dial, o.grpcOpts...)
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		return nil, fmt.Errorf("hotdesk: dial %s: %w", addr, err)
	}
	c := newClient(conn)
	tok.set(o.bearer)
	if o.username != "" {
		resp, err := c.Auth.Login(ctx, o.username, o.password)
		if err != nil {
			conn.Close()
			return nil, err
		}
		tok.set(resp.GetToken())
	}
	return c, nil
}

// NewClient wraps an existing connection (its dial options decide authentication, retries
// and error types; Dial sets all of them).
func NewClient(conn *grpc.ClientConn) *Client { return newClient(conn) }

func newClient(conn *grpc.ClientConn) *Client {
	return &Client{
		conn:       conn,
		Auth:       &AuthClient{pb.NewAuthServiceClient(conn)},
		Workspaces: &WorkspacesClient{pb.NewWorkspaceServiceClient(conn)},
		Sessions:   &SessionsClient{pb.NewSessionServiceClient(conn)},
		Agents:     &AgentsClient{pb.NewAgentServiceClient(conn)},
		Zones:      &ZonesClient{pb.NewZoneServiceClient(conn)},
		Users:      &UsersClient{pb.NewUserServiceClient(conn)},
		Groups:     &GroupsClient{pb.NewGroupServiceClient(conn)},
		APIKeys:    &APIKeysClient{pb.NewApiKeyServiceClient(conn)},
		Audit:      &AuditClient{pb.NewAuditServiceClient(conn)},
	}
}

// Conn returns the underlying gRPC connection, e.g. for services the SDK has no helper for.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection; streams in flight end with Canceled.
func (c *Client) Close() error { return c.conn.Close() }

// parseAddr turns the accepted address forms into a gRPC target and a scheme.
func parseAddr(addr string) (target, scheme string, err error) {
	if addr == "" {
		return "", "", errors.New("hotdesk: empty server address")
	}
	if !strings.Contains(addr, "://") {
		return addr, "", nil
	}
	u, err := url.Parse(addr)
	if err != nil {
		return "", "", fmt.Errorf("hotdesk: server address %q: %w", addr, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return addr, "", nil // a gRPC target such as dns:///host:port or unix:///path
	}
	if u.Path != "" && u.Path != "/" {
		return "", "", fmt.Errorf("hotdesk: server address %q: a gRPC server has no path", addr)
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	return host, u.Scheme, nil
}
