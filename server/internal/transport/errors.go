// Package transport serves the API: one listener for gRPC and HTTP, the interceptor chain
// (logging, metrics, authentication, authorization, validation, audit, error mapping), the
// REST gateway routed through that chain, health, metrics and the OpenAPI document.
package transport

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const errorDomain = "hotdesk.dev"

var modelCodes = map[model.Code]codes.Code{
	model.CodeInvalidArgument:    codes.InvalidArgument,
	model.CodeNotFound:           codes.NotFound,
	model.CodeAlreadyExists:      codes.AlreadyExists,
	model.CodeFailedPrecondition: codes.FailedPrecondition,
	model.CodePermissionDenied:   codes.PermissionDenied,
	model.CodeUnauthenticated:    codes.Unauthenticated,
	model.CodeResourceExhausted:  codes.ResourceExhausted,
	model.CodeUnimplemented:      codes.Unimplemented,
}

// toStatus turns any handler error into the status the client sees. Model errors keep their
// message and gain an ErrorInfo (and a BadRequest naming the field); anything unexpected is
// logged and masked, so SQL or internal detail never leaks.
func toStatus(ctx context.Context, log *slog.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	if e, ok := model.AsError(err); ok {
		st := status.New(modelCodes[e.Code], e.Msg)
		info := &errdetails.ErrorInfo{Reason: e.Reason, Domain: errorDomain}
		details := []protoadapt.MessageV1{info}
		if e.Field != "" {
			info.Metadata = map[string]string{"field": e.Field}
			details = append(details, &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: e.Field, Description: e.Msg}}})
		}
		if e.RetryAfter > 0 {
			details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)})
		}
		if withDetails, err := st.WithDetails(details...); err == nil {
			return withDetails.Err()
		}
		return st.Err()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "the call was canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "the call ran past its deadline")
	}
	log.ErrorContext(ctx, "internal error", "method", method, "error", err.Error())
	st, _ := status.New(codes.Internal, "internal error; the server log has the details").
		WithDetails(&errdetails.ErrorInfo{Reason: "INTERNAL", Domain: errorDomain})
	return st.Err()
}

// retryAfter is the RetryInfo delay of a status error, or 0 without one.
func retryAfter(err error) time.Duration {
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return 0
}
