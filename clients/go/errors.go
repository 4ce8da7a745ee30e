package hotdesk

import (
	"context"
	"errors"
	"io"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is what every RPC made through a Client returns on failure: the gRPC code and the
// server's message, plus the google.rpc.ErrorInfo and BadRequest details the server attaches.
// It implements GRPCStatus, so status.Code and status.FromError work on it (and on errors that
// wrap it).
type Error struct {
	// Code is the gRPC status code, e.g. codes.NotFound.
	Code codes.Code
	// Message is the server's message, unchanged.
	Message string
	// Reason is the ErrorInfo reason, e.g. "NOT_FOUND" or "ALREADY_EXISTS"; empty without one.
	Reason string
	// Domain is the ErrorInfo domain ("hotdesk.dev" for the server's own errors).
	Domain string
	// Field names the request field at fault, when the server said (ErrorInfo metadata
	// "field", else the first BadRequest field violation).
	Field string
	// Metadata is the ErrorInfo metadata.
	Metadata map[string]string
	// Violations are the BadRequest field violations.
	Violations []FieldViolation

	st *status.Status
}

// FieldViolation is one field error of a google.rpc.BadRequest.
type FieldViolation struct {
	Field       string
	Description string
}

// Error formats as "<Code>: <message>", e.g. `NotFound: workspace "…" not found`.
func (e *Error) Error() string { return e.Code.String() + ": " + e.Message }

// GRPCStatus returns the status the server sent.
func (e *Error) GRPCStatus() *status.Status { return e.st }

// Is reports whether target is an *Error with the same code, so errors.Is(err,
// &hotdesk.Error{Code: codes.NotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// AsError returns the *Error in err's chain, converting a plain gRPC status error if need be.
func AsError(err error) (*Error, bool) {
	if err == nil {
		return nil, false
	}
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	st, ok := status.FromError(err)
	if !ok {
		return nil, false
	}
	return fromStatus(st), true
}

// Code returns err's gRPC code: OK for nil, Unknown for an error that carries none.
func Code(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	if e, ok := AsError(err); ok {
		return e.Code
	}
	switch {
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	}
	return codes.Unknown
}

// IsInvalidArgument reports a request the server refused as malformed (HTTP 400).
func IsInvalidArgument(err error) bool { return Code(err) == codes.InvalidArgument }

// IsNotFound reports an unknown id, or a resource the caller may not see (HTTP 404).
func IsNotFound(err error) bool { return Code(err) == codes.NotFound }

// IsAlreadyExists reports a duplicate name (HTTP 409).
func IsAlreadyExists(err error) bool { return Code(err) == codes.AlreadyExists }

// IsPermissionDenied reports a call the caller's role or key scope does not allow (HTTP 403).
func IsPermissionDenied(err error) bool { return Code(err) == codes.PermissionDenied }

// IsUnauthenticated reports a missing, unknown, expired or revoked credential (HTTP 401).
func IsUnauthenticated(err error) bool { return Code(err) == codes.Unauthenticated }

// IsFailedPrecondition reports a call refused in the current state, e.g. deleting a zone in use.
func IsFailedPrecondition(err error) bool { return Code(err) == codes.FailedPrecondition }

// IsResourceExhausted reports that no agent had room for a session.
func IsResourceExhausted(err error) bool { return Code(err) == codes.ResourceExhausted }

// IsUnimplemented reports an RPC that is contracted but not built yet (HTTP 501).
func IsUnimplemented(err error) bool { return Code(err) == codes.Unimplemented }

// IsUnavailable reports a server that could not be reached; the call may be retried.
func IsUnavailable(err error) bool { return Code(err) == codes.Unavailable }

func fromStatus(st *status.Status) *Error {
	e := &Error{Code: st.Code(), Message: st.Message(), st: st}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			e.Reason, e.Domain, e.Metadata = d.GetReason(), d.GetDomain(), d.GetMetadata()
			if f := d.GetMetadata()["field"]; f != "" {
				e.Field = f
			}
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				e.Violations = append(e.Violations, FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
			}
		}
	}
	if e.Field == "" && len(e.Violations) > 0 {
		e.Field = e.Violations[0].Field
	}
	return e
}

// convert turns a gRPC error into an *Error; nil and io.EOF (end of stream) pass through.
func convert(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if st, ok := status.FromError(err); ok {
		return fromStatus(st)
	}
	return err
}

func unaryErrors(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return convert(invoker(ctx, method, req, reply, cc, opts...))
}

func streamErrors(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, convert(err)
	}
	return typedStream{s}, nil
}

type typedStream struct{ grpc.ClientStream }

func (s typedStream) RecvMsg(m any) error { return convert(s.ClientStream.RecvMsg(m)) }
func (s typedStream) SendMsg(m any) error { return convert(s.ClientStream.SendMsg(m)) }
func (s typedStream) CloseSend() error    { return convert(s.ClientStream.CloseSend()) }
