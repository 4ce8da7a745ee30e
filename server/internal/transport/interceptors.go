package transport

import (
	"context"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"buf.build/go/protovalidate"
	rpccode "google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// Authenticator resolves a bearer secret to the caller.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (*auth.Principal, error)
}

// Auditor records a change made through the API.
type Auditor interface {
	AppendAudit(ctx context.Context, e *model.AuditEvent) error
}

// chain holds what the interceptors need.
type chain struct {
	log       *slog.Logger
	authn     Authenticator
	policy    *auth.Policy
	validator protovalidate.Validator
	audit     Auditor
	metrics   *metrics
	// pending lists contracted services and methods not built yet: they answer UNIMPLEMENTED
	// before request validation, so callers learn that first.
	pending map[string]bool
	// trusted are the proxies whose x-forwarded-for is believed (clientAddr).
	trusted []netip.Prefix
}

func (c *chain) notBuilt(method string) error {
	svc, _ := auth.SplitMethod(method)
	if c.pending[method] || c.pending[svc] {
		return status.Errorf(codes.Unimplemented, "%s is not implemented yet (see the README status table)", method)
	}
	return nil
}

// call is everything the chain learns about one RPC, shared by its stages.
type call struct {
	method string
	start  time.Time
	who    *auth.Principal
	audit  *auth.Audit // audited calls only: the caller's address, and whom the handler acted as
}

// begin authenticates and authorizes a call. It runs for unary and streaming RPCs alike.
func (c *chain) begin(ctx context.Context, method string) (context.Context, *call, error) {
	cl := &call{method: method, start: time.Now()}
	if audited(method) {
		// Only audited calls (sign-ins among them, which the throttle counts by address) need
		// the address; agent streams and reads skip the work.
		cl.audit = &auth.Audit{ClientAddr: c.clientAddr(ctx)}
		ctx = auth.WithAudit(ctx, cl.audit)
	}
	md, _ := metadata.FromIncomingContext(ctx)
	if vals := md.Get("authorization"); len(vals) > 0 {
		secret, ok := auth.BearerFromHeader(vals[0])
		if !ok {
			return ctx, cl, model.Unauthenticated("the authorization metadata must be \"Bearer <token or API key>\"")
		}
		p, err := c.authn.Authenticate(ctx, secret)
		if err != nil {
			if c.policy.Required(method) > auth.AccessSelf {
				return ctx, cl, err
			}
		} else {
			cl.who = p
			ctx = auth.WithPrincipal(ctx, p)
		}
	}
	return ctx, cl, c.policy.Authorize(method, cl.who)
}

// validate checks a request against its protovalidate rules.
func (c *chain) validate(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil
	}
	err := c.validator.Validate(m)
	if err == nil {
		return nil
	}
	verr, ok := err.(*protovalidate.ValidationError)
	if !ok {
		return err
	}
	br := &errdetails.BadRequest{}
	msgs := make([]string, 0, len(verr.Violations))
	for _, v := range verr.Violations {
		field := protovalidate.FieldPathString(v.Proto.GetField())
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: field, Description: v.Proto.GetMessage()})
		msgs = append(msgs, v.String())
	}
	st, _ := status.New(codes.InvalidArgument, "invalid request: "+strings.Join(msgs, "; ")).
		WithDetails(&errdetails.ErrorInfo{Reason: "INVALID_ARGUMENT", Domain: errorDomain}, br)
	return st.Err()
}

// finish maps the error, records metrics, the audit event and the log line.
func (c *chain) finish(ctx context.Context, cl *call, req, resp any, err error) error {
	err = toStatus(ctx, c.log, cl.method, err)
	code := status.Code(err)
	elapsed := time.Since(cl.start)
	c.metrics.observe(cl.method, code, elapsed)
	if c.audit != nil && cl.audit != nil {
		e := &model.AuditEvent{Method: cl.method, Code: rpccode.Code(code).String(), Peer: cl.audit.ClientAddr, ResourceID: resourceID(req, resp),
			UserID: cl.audit.Actor}
		if cl.who != nil {
			e.UserID, e.APIKeyID = cl.who.UserID, cl.who.APIKeyID
		}
		if aerr := c.audit.AppendAudit(context.WithoutCancel(ctx), e); aerr != nil {
			c.log.ErrorContext(ctx, "audit write failed", "method", cl.method, "error", aerr.Error())
		}
	}
	attrs := []any{"method", cl.method, "code", code.String(), "duration_ms", float64(elapsed.Microseconds()) / 1000}
	if cl.who != nil {
		attrs = append(attrs, "user_id", cl.who.UserID)
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if rid := md.Get("x-request-id"); len(rid) > 0 {
			attrs = append(attrs, "request_id", rid[0])
		}
	}
	level := slog.LevelDebug
	if code != codes.OK && code != codes.NotFound && code != codes.Canceled {
		level = slog.LevelInfo
		attrs = append(attrs, "error", status.Convert(err).Message())
	}
	c.log.Log(ctx, level, "rpc", attrs...)
	return err
}

// audited reports whether a method changes state (and so is recorded), skipping the agent
// protocol whose traffic is constant.
func audited(method string) bool {
	svc, _ := auth.SplitMethod(method)
	return strings.HasPrefix(svc, "hotdesk.v1.") && !auth.IsReadOnly(method)
}

// resourceID finds the id the call acted on: the request's "id", or the id of the resource in
// the response.
func resourceID(req, resp any) string {
	for _, v := range []any{req, resp} {
		m, ok := v.(proto.Message)
		if !ok || m == nil || !m.ProtoReflect().IsValid() {
			continue
		}
		r := m.ProtoReflect()
		if id := idField(r); id != "" {
			return id // GetX, DeleteX: the request names it
		}
		// UpdateX names it inside the resource it carries; CreateX's response carries the new one.
		fields := r.Descriptor().Fields()
		for i := 0; i < fields.Len(); i++ {
			fd := fields.Get(i)
			if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() && r.Has(fd) {
				if id := idField(r.Get(fd).Message()); id != "" {
					return id
				}
			}
		}
	}
	return ""
}

func idField(m protoreflect.Message) string {
	if fd := m.Descriptor().Fields().ByName("id"); fd != nil && fd.Kind() == protoreflect.StringKind {
		return m.Get(fd).String()
	}
	return ""
}

// clientAddr is the caller's IP address as far as this server can vouch for it: the TCP peer
// of a gRPC call, and for a REST call the HTTP client, which the in-process gateway appends to
// x-forwarded-for. What a caller says about itself (an x-forwarded-for it sends) is believed
// only from a trusted proxy, hop by hop from the nearest one; otherwise a guesser could take a
// fresh sign-in count, or hide in the audit log, by making an address up.
func (c *chain) clientAddr(ctx context.Context) string {
	var hops []string // nearest last
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		for _, v := range md.Get("x-forwarded-for") {
			for _, h := range strings.Split(v, ",") {
				hops = append(hops, strings.TrimSpace(h))
			}
		}
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	var addr netip.Addr
	if p.Addr.Network() == "bufconn" {
		// Relayed by the gateway: its last hop is the HTTP client's address.
		if len(hops) == 0 {
			return ""
		}
		addr, _ = netip.ParseAddr(hops[len(hops)-1])
		hops = hops[:len(hops)-1]
	} else if ap, err := netip.ParseAddrPort(p.Addr.String()); err == nil {
		addr = ap.Addr()
	} else {
		return p.Addr.String()
	}
	addr = addr.Unmap()
	for len(hops) > 0 && c.isTrusted(addr) {
		next, err := netip.ParseAddr(hops[len(hops)-1])
		if err != nil {
			break // a hop that is no address: the last good one is the best there is
		}
		addr, hops = next.Unmap(), hops[:len(hops)-1]
	}
	if !addr.IsValid() {
		return ""
	}
	return addr.String()
}

func (c *chain) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (c *chain) recoverPanic(ctx context.Context, method string, err *error) {
	if r := recover(); r != nil {
		c.log.ErrorContext(ctx, "panic in handler", "method", method, "panic", r, "stack", string(debug.Stack()))
		*err = status.Error(codes.Internal, "internal error; the server log has the details")
	}
}

func (c *chain) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	ctx, cl, err := c.begin(ctx, info.FullMethod)
	defer func() { err = c.finish(ctx, cl, req, resp, err) }()
	if err != nil {
		return nil, err
	}
	if err = c.notBuilt(info.FullMethod); err != nil {
		return nil, err
	}
	if err = c.validate(req); err != nil {
		return nil, err
	}
	defer c.recoverPanic(ctx, info.FullMethod, &err)
	return handler(ctx, req)
}

func (c *chain) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	ctx, cl, err := c.begin(ss.Context(), info.FullMethod)
	defer func() { err = c.finish(ctx, cl, nil, nil, err) }()
	if err != nil {
		return err
	}
	if err = c.notBuilt(info.FullMethod); err != nil {
		return err
	}
	defer c.recoverPanic(ctx, info.FullMethod, &err)
	return handler(srv, &validatingStream{ServerStream: ss, ctx: ctx, c: c})
}

// validatingStream validates every message a client streams in and carries the
// authenticated context.
type validatingStream struct {
	grpc.ServerStream
	ctx context.Context
	c   *chain
}

func (s *validatingStream) Context() context.Context { return s.ctx }

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return s.c.validate(m)
}
