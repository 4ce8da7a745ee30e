package runtime

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// Error is a runtime failure with the command error code the server decides on (try another
// agent, mark the session failed, ...).
type Error struct {
	Code agentpb.CommandErrorCode
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func errorf(code agentpb.CommandErrorCode, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Code is the command error code for err: the code of a wrapped *Error, DEADLINE_EXCEEDED for
// an expired context, DOCKER_UNAVAILABLE when the engine cannot be reached, INTERNAL otherwise.
func Code(err error) agentpb.CommandErrorCode {
	var e *Error
	switch {
	case err == nil:
		return agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNSPECIFIED
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.DeadlineExceeded):
		return agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DEADLINE_EXCEEDED
	case client.IsErrConnectionFailed(err), cerrdefs.IsUnavailable(err):
		return agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DOCKER_UNAVAILABLE
	}
	return agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INTERNAL
}

// engineErr wraps a Docker error with what was being done and the code Code derives from it.
func engineErr(what string, err error) error {
	return &Error{Code: Code(err), Err: fmt.Errorf("%s: %w", what, err)}
}
