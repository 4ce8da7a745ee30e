package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"buf.build/go/protovalidate"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protojson"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/api"
	"github.com/hotdesk/hotdesk/server/internal/auth"
)

// Options configure a Server.
type Options struct {
	Log      *slog.Logger
	Authn    Authenticator
	Audit    Auditor
	Services *api.Services
	// Ready reports whether the server can serve (database reachable).
	Ready   func(ctx context.Context) error
	OpenAPI []byte
	// Routes, if set, adds HTTP routes of other packages (browser pages, the session proxy).
	Routes func(mux *http.ServeMux)
	// TrustedProxies are the networks of proxies whose X-Forwarded-For is believed when
	// telling who a caller is (audit, sign-in throttling); nobody's is by default.
	TrustedProxies []netip.Prefix
}

// Server is the API front: gRPC, the REST gateway and the operational HTTP endpoints.
type Server struct {
	opts     Options
	grpc     *grpc.Server
	health   *health.Server
	http     *http.Server
	inproc   *bufconn.Listener
	gwConn   *grpc.ClientConn
	draining atomic.Bool
	split    atomic.Pointer[splitListener]
	chain    *chain

	agentsMu sync.Mutex
	agents   []*grpc.Server // one per ServeAgents call
}

// New builds a Server.
func New(o Options) (*Server, error) {
	v, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	c := &chain{log: o.Log, authn: o.Authn, policy: auth.DefaultPolicy(), validator: v, audit: o.Audit, metrics: newMetrics(reg),
		trusted: o.TrustedProxies,
		pending: map[string]bool{
			"hotdesk.v1.PoolService":   true,
			"hotdesk.v1.ServerService": true,
			// Agents use the TLS agent listener (ServeAgents); here the service only says so.
			"hotdesk.agent.v1.ManagerService": true,
		}}
	g := grpc.NewServer(
		grpc.ChainUnaryInterceptor(c.unary),
		grpc.ChainStreamInterceptor(c.stream),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	svc := o.Services
	pb.RegisterAuthServiceServer(g, svc.Auth)
	pb.RegisterZoneServiceServer(g, svc.Zones)
	pb.RegisterWorkspaceServiceServer(g, svc.Workspace)
	pb.RegisterUserServiceServer(g, svc.Users)
	pb.RegisterGroupServiceServer(g, svc.Groups)
	pb.RegisterApiKeyServiceServer(g, svc.APIKeys)
	pb.RegisterAgentServiceServer(g, svc.Agents)
	pb.RegisterAuditServiceServer(g, svc.Audit)
	// Contracted but not built yet: every call answers UNIMPLEMENTED (README status table).
	pb.RegisterSessionServiceServer(g, svc.Sessions)
	pb.RegisterPoolServiceServer(g, pb.UnimplementedPoolServiceServer{})
	pb.RegisterServerServiceServer(g, pb.UnimplementedServerServiceServer{})
	agentpb.RegisterManagerServiceServer(g, agentpb.UnimplementedManagerServiceServer{})
	hs := health.NewServer()
	healthpb.RegisterHealthServer(g, hs)
	reflection.Register(g)

	s := &Server{opts: o, grpc: g, health: hs, inproc: bufconn.Listen(1 << 20), chain: c}
	// The gateway reaches the gRPC server in-process, so REST calls pass through exactly
	// the same interceptor chain as gRPC calls, without a loopback TCP hop.
	s.gwConn, err = grpc.NewClient("passthrough:///inproc",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.inproc.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	gw, err := s.gateway()
	if err != nil {
		return nil, err
	}
	s.http = &http.Server{Handler: s.routes(gw, reg), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	return s, nil
}

func (s *Server) gateway() (http.Handler, error) {
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}),
		runtime.WithIncomingHeaderMatcher(func(h string) (string, bool) {
			if http.CanonicalHeaderKey(h) == "X-Request-Id" {
				return "x-request-id", true
			}
			return runtime.DefaultHeaderMatcher(h)
		}),
		// A refusal that says when to try again (RetryInfo) says it in Retry-After too.
		runtime.WithErrorHandler(func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
			if d := retryAfter(err); d > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
			}
			runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
		}),
	)
	ctx := context.Background()
	for _, reg := range []func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
		pb.RegisterAuthServiceHandler, pb.RegisterZoneServiceHandler, pb.RegisterWorkspaceServiceHandler,
		pb.RegisterUserServiceHandler, pb.RegisterGroupServiceHandler, pb.RegisterApiKeyServiceHandler,
		pb.RegisterAgentServiceHandler, pb.RegisterAuditServiceHandler, pb.RegisterSessionServiceHandler,
		pb.RegisterPoolServiceHandler, pb.RegisterServerServiceHandler,
	} {
		if err := reg(ctx, mux, s.gwConn); err != nil {
			return nil, err
		}
	}
	return mux, nil
}

func (s *Server) routes(gw http.Handler, reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", gw)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, `{"status":"ok"}`) })
	mux.HandleFunc("GET /readyz", s.ready(true))
	mux.HandleFunc("GET /api/__healthcheck", s.ready(false))
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.opts.OpenAPI)
	})
	if s.opts.Routes != nil {
		s.opts.Routes(mux)
	}
	return mux
}

// ready checks the database; withDrain also fails while the server shuts down, so a load
// balancer stops sending new work before connections close.
func (s *Server) ready(withDrain bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if withDrain && s.draining.Load() {
			writeJSON(w, http.StatusServiceUnavailable, `{"status":"draining"}`)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.opts.Ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, `{"status":"unavailable","error":"database unreachable"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"status":"ok","database":"ok"}`)
	}
}

func writeJSON(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, body)
}

// Serve serves gRPC and HTTP on lis until Shutdown.
func (s *Server) Serve(lis net.Listener) error {
	split := newSplitListener(lis)
	s.split.Store(split)
	go split.run()
	errs := make(chan error, 3)
	go func() { errs <- s.grpc.Serve(split.grpc) }()
	go func() { errs <- s.grpc.Serve(s.inproc) }()
	go func() {
		if err := s.http.Serve(split.http); !errors.Is(err, http.ErrServerClosed) {
			errs <- err
			return
		}
		errs <- nil
	}()
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	err := <-errs
	if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// Shutdown stops taking calls, lets running ones finish until ctx ends, then closes.
func (s *Server) Shutdown(ctx context.Context) {
	s.draining.Store(true)
	s.health.Shutdown()
	if split := s.split.Load(); split != nil {
		_ = split.Close()
	}
	done := make(chan struct{})
	go func() {
		_ = s.http.Shutdown(ctx)
		s.grpc.GracefulStop()
		close(done)
	}()
	agents := s.stopAgents()
	select {
	case <-done:
	case <-ctx.Done():
		s.grpc.Stop()
		_ = s.http.Close()
	}
	select {
	case <-agents:
	case <-ctx.Done():
		s.agentsMu.Lock()
		for _, g := range s.agents {
			g.Stop()
		}
		s.agentsMu.Unlock()
	}
	_ = s.gwConn.Close()
}
