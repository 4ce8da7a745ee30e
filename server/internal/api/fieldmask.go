package api

import (
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

func behaviors(fd protoreflect.FieldDescriptor) (outputOnly, inputOnly bool) {
	opts := fd.Options()
	if opts == nil {
		return false, false
	}
	for _, b := range proto.GetExtension(opts, annotations.E_FieldBehavior).([]annotations.FieldBehavior) {
		switch b {
		case annotations.FieldBehavior_OUTPUT_ONLY:
			outputOnly = true
		case annotations.FieldBehavior_INPUT_ONLY:
			inputOnly = true
		}
	}
	return
}

// applyMask copies the fields of src named by paths into dst (both the same resource type).
// An empty mask means every writable field. A path naming a message field replaces that
// message's writable fields. Input-only secrets are kept when the update leaves them empty,
// unless the path names them directly (which is how a client clears one).
func applyMask(dst, src proto.Message, paths []string, resource string) error {
	d, s := dst.ProtoReflect(), src.ProtoReflect()
	if len(paths) == 0 {
		copyWritable(d, s)
		return nil
	}
	for _, path := range paths {
		if err := applyPath(d, s, strings.Split(path, "."), path, resource); err != nil {
			return err
		}
	}
	return nil
}

func applyPath(d, s protoreflect.Message, segs []string, path, resource string) error {
	fields := d.Descriptor().Fields()
	fd := fields.ByName(protoreflect.Name(segs[0]))
	if fd == nil {
		fd = fields.ByJSONName(segs[0])
	}
	if fd == nil {
		return model.Invalid("update_mask", "%s has no field %q (in path %q)", resource, segs[0], path)
	}
	if out, _ := behaviors(fd); out {
		return model.Invalid("update_mask", "field %q is output only and cannot be updated", path)
	}
	if len(segs) > 1 {
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			return model.Invalid("update_mask", "path %q goes below a field that is not a message", path)
		}
		return applyPath(d.Mutable(fd).Message(), s.Get(fd).Message(), segs[1:], path, resource)
	}
	if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() {
		if !s.Has(fd) {
			d.Clear(fd)
			return nil
		}
		copyWritable(d.Mutable(fd).Message(), s.Get(fd).Message())
		return nil
	}
	if s.Has(fd) {
		d.Set(fd, s.Get(fd))
	} else {
		d.Clear(fd)
	}
	return nil
}

func copyWritable(d, s protoreflect.Message) {
	fields := d.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		out, in := behaviors(fd)
		switch {
		case out:
		case in && !s.Has(fd):
		case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() && s.Has(fd):
			copyWritable(d.Mutable(fd).Message(), s.Get(fd).Message())
		case s.Has(fd):
			d.Set(fd, s.Get(fd))
		default:
			d.Clear(fd)
		}
	}
}
