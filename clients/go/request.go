package hotdesk

import (
	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// mask returns an update mask of paths, or nil (every writable field) when there are none.
func mask(paths []string) *fieldmaskpb.FieldMask {
	if len(paths) == 0 {
		return nil
	}
	return &fieldmaskpb.FieldMask{Paths: paths}
}

// NewRequestID returns a fresh idempotency key for Create* calls. The helpers set one
// themselves; call the generated RPC with your own to retry a create safely across processes.
func NewRequestID() string { return uuid.NewString() }

// cloneOr copies req (so paging does not change the caller's message) or makes a new one.
func cloneOr[T proto.Message](req T, fresh func() T) T {
	if !req.ProtoReflect().IsValid() {
		return fresh()
	}
	return proto.Clone(req).(T)
}
