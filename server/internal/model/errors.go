// Package model holds the platform's domain types and errors. It is the leaf of the server's
// dependency graph: it imports neither gRPC, generated code nor the database.
package model

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error; the transport maps each to a gRPC status code and HTTP status.
type Code int

// Error codes, named after the gRPC codes they become.
const (
	CodeInvalidArgument Code = iota + 1
	CodeNotFound
	CodeAlreadyExists
	CodeFailedPrecondition
	CodePermissionDenied
	CodeUnauthenticated
	CodeResourceExhausted
	CodeUnimplemented
)

// Error is a client-facing failure: its message is shown to the caller as is, so it must say
// what to fix and never carry internal detail.
type Error struct {
	Code Code
	// Field names the offending request field, when there is one (e.g. "workspace.name").
	Field string
	// Reason is a stable UPPER_SNAKE identifier for programs (google.rpc.ErrorInfo.reason).
	Reason string
	Msg    string
	// RetryAfter, when above zero, says how long until the same request may succeed
	// (google.rpc.RetryInfo; Retry-After over REST).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Msg }

// Invalid reports a bad field value.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidArgument, Field: field, Reason: "INVALID_ARGUMENT", Msg: field + ": " + fmt.Sprintf(format, args...)}
}

// NotFound reports a missing resource.
func NotFound(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Reason: "NOT_FOUND", Msg: fmt.Sprintf("%s %q not found", kind, id)}
}

// AlreadyExists reports a unique-key clash.
func AlreadyExists(kind, field, value string) *Error {
	return &Error{Code: CodeAlreadyExists, Field: field, Reason: "ALREADY_EXISTS", Msg: fmt.Sprintf("a %s with %s %q already exists", kind, field, value)}
}

// FailedPrecondition reports a request that is valid but cannot apply to the current state.
func FailedPrecondition(reason, format string, args ...any) *Error {
	return &Error{Code: CodeFailedPrecondition, Reason: reason, Msg: fmt.Sprintf(format, args...)}
}

// PermissionDenied reports an authenticated caller acting beyond its rights.
func PermissionDenied(format string, args ...any) *Error {
	return &Error{Code: CodePermissionDenied, Reason: "PERMISSION_DENIED", Msg: fmt.Sprintf(format, args...)}
}

// Unauthenticated reports a missing, bad or expired credential.
func Unauthenticated(format string, args ...any) *Error {
	return &Error{Code: CodeUnauthenticated, Reason: "UNAUTHENTICATED", Msg: fmt.Sprintf(format, args...)}
}

// ResourceExhausted reports a limit the caller reached for now; retryAfter, when above zero,
// says when to try again.
func ResourceExhausted(reason string, retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: CodeResourceExhausted, Reason: reason, Msg: fmt.Sprintf(format, args...), RetryAfter: retryAfter}
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsCode reports whether err carries the given code.
func IsCode(err error, c Code) bool {
	e, ok := AsError(err)
	return ok && e.Code == c
}
