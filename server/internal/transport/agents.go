package transport

import (
	"crypto/tls"
	"errors"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// Per-connection settings of the agent listener. Thousands of agents each hold one connection
// with a mostly idle stream or two, so buffers and flow-control windows stay small and fixed
// (a window set explicitly also turns off gRPC's dynamic window growth). gRPC gets no read
// buffer of its own: the TLS connection beneath already holds a whole decrypted record, and
// gRPC cannot pool read buffers over TLS, so each connection would keep one for its lifetime.
// The write buffer is shared (taken from a pool only while writing).
const (
	agentReadBufferSize  = 0
	agentWriteBufferSize = 8 << 10
	agentWindowSize      = 64 << 10
	agentMaxStreams      = 16
	agentHandshakeTime   = 10 * time.Second
	// Agents should ping no more often than every agentPingMinTime (30 s is a good client
	// keepalive); faster pings get the connection closed with ENHANCE_YOUR_CALM.
	agentPingMinTime = 15 * time.Second
)

// ServeAgents serves the agent protocol (hotdesk.agent.v1.ManagerService) on lis with TLS
// until Shutdown: a gRPC server of its own, with the same interceptor chain (logging, metrics,
// validation) as the public API but nothing else registered besides health. Handlers
// authenticate the agent themselves (enrollment token, then the client certificate). It may be
// called once per listener.
func (s *Server) ServeAgents(lis net.Listener, tlsConfig *tls.Config, manager agentpb.ManagerServiceServer) error {
	c := *s.chain
	c.pending = nil // everything registered here is built; what is not answers UNIMPLEMENTED itself
	g := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(tlsConfig)),
		grpc.ChainUnaryInterceptor(c.unary),
		grpc.ChainStreamInterceptor(c.stream),
		grpc.ReadBufferSize(agentReadBufferSize),
		grpc.WriteBufferSize(agentWriteBufferSize),
		grpc.InitialWindowSize(agentWindowSize),
		grpc.InitialConnWindowSize(agentWindowSize),
		grpc.MaxConcurrentStreams(agentMaxStreams),
		grpc.ConnectionTimeout(agentHandshakeTime),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: agentPingMinTime, PermitWithoutStream: true}),
	)
	agentpb.RegisterManagerServiceServer(g, manager)
	healthpb.RegisterHealthServer(g, s.health)

	s.agentsMu.Lock()
	if s.draining.Load() {
		s.agentsMu.Unlock()
		_ = lis.Close()
		return nil
	}
	s.agents = append(s.agents, g)
	s.agentsMu.Unlock()

	err := g.Serve(lis)
	if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// stopAgents starts a graceful stop of every agent listener and returns a channel closed when
// all have stopped.
func (s *Server) stopAgents() <-chan struct{} {
	s.agentsMu.Lock()
	servers := append([]*grpc.Server(nil), s.agents...)
	s.agentsMu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, g := range servers {
			g.GracefulStop()
		}
	}()
	return done
}
