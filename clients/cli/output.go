package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// column is one column of a list table.
type column struct {
	header string
	value  func(m proto.Message) string
}

// col makes a column from a typed accessor.
func col[T proto.Message](header string, f func(T) string) column {
	return column{header: header, value: func(m proto.Message) string { return f(m.(T)) }}
}

func (c *call) checkOutput() error {
	switch o := c.output; {
	case o == "table", o == "json", o == "id":
		return nil
	case strings.HasPrefix(o, "value(") && strings.HasSuffix(o, ")") && len(o) > len("value()"):
		return nil
	}
	return usagef("unknown output format %q: use table, json, id or value(FIELD,...)", c.output)
}

// emit prints one message: as FIELD VALUE lines in table mode.
func (c *call) emit(m proto.Message) error {
	w := c.io.out
	switch {
	case c.output == "json":
		return writeJSON(w, m)
	case c.output == "id" || strings.HasPrefix(c.output, "value("):
		return c.writeValues(w, m)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, kv := range flatten(m.ProtoReflect(), "") {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
	}
	return tw.Flush()
}

// emitList prints messages as a table, a JSON array, ids or values, one per line.
func (c *call) emitList(msgs []proto.Message, cols []column) error {
	w := c.io.out
	switch {
	case c.output == "json":
		var buf bytes.Buffer
		buf.WriteString("[")
		for i, m := range msgs {
			b, err := protojson.Marshal(m)
			if err != nil {
				return err
			}
			if i > 0 {
				buf.WriteString(",")
			}
			buf.Write(b)
		}
		buf.WriteString("]")
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, buf.Bytes(), "", "  "); err != nil {
			return err
		}
		pretty.WriteByte('\n')
		_, err := w.Write(pretty.Bytes())
		return err
	case c.output == "id" || strings.HasPrefix(c.output, "value("):
		for _, m := range msgs {
			if err := c.writeValues(w, m); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	headers := make([]string, len(cols))
	for i, col := range cols {
		headers[i] = col.header
	}
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, m := range msgs {
		vals := make([]string, len(cols))
		for i, col := range cols {
			vals[i] = col.value(m)
			if vals[i] == "" {
				vals[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(vals, "\t"))
	}
	return tw.Flush()
}

// emitEvent prints one message of a stream: a JSON line, or a table row without header.
func (c *call) emitEvent(m proto.Message, cols []column) error {
	w := c.io.out
	switch {
	case c.output == "json":
		b, err := protojson.Marshal(m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", compactJSON(b))
		return err
	case c.output == "id" || strings.HasPrefix(c.output, "value("):
		return c.writeValues(w, m)
	}
	vals := make([]string, len(cols))
	for i, col := range cols {
		vals[i] = col.value(m)
	}
	_, err := fmt.Fprintln(w, strings.Join(vals, "  "))
	return err
}

func writeJSON(w io.Writer, m proto.Message) error {
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}

// writeValues prints the fields that -o id or -o value(a,b.c) name, tab-separated.
func (c *call) writeValues(w io.Writer, m proto.Message) error {
	fields := []string{"id"}
	if c.output != "id" {
		fields = strings.Split(strings.TrimSuffix(strings.TrimPrefix(c.output, "value("), ")"), ",")
	}
	vals := make([]string, 0, len(fields))
	for _, f := range fields {
		v, err := lookup(m.ProtoReflect(), strings.TrimSpace(f))
		if err != nil {
			return err
		}
		vals = append(vals, v)
	}
	_, err := fmt.Fprintln(w, strings.Join(vals, "\t"))
	return err
}

// lookup reads a dotted field path; each part may be the proto name or the JSON name.
func lookup(m protoreflect.Message, path string) (string, error) {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		fd := fieldByName(m.Descriptor(), p)
		if fd == nil {
			return "", usagef("%s has no field %q", m.Descriptor().Name(), p)
		}
		if i == len(parts)-1 {
			if !m.Has(fd) && fd.Message() != nil {
				return "", nil
			}
			return format(fd, m.Get(fd)), nil
		}
		if fd.Message() == nil || fd.IsList() || fd.IsMap() {
			return "", usagef("%q is not a message field", p)
		}
		m = m.Get(fd).Message()
	}
	return "", nil
}

func fieldByName(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	if fd := md.Fields().ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	if fd := md.Fields().ByJSONName(name); fd != nil {
		return fd
	}
	return md.Fields().ByName(protoreflect.Name(strings.ReplaceAll(name, "-", "_")))
}

// flatten lists the populated fields of m as (path, value) pairs in field order.
func flatten(m protoreflect.Message, prefix string) [][2]string {
	var out [][2]string
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		name := prefix + string(fd.Name())
		if fd.Message() != nil && !fd.IsList() && !fd.IsMap() && !isWellKnown(fd.Message()) {
			out = append(out, flatten(m.Get(fd).Message(), name+".")...)
			continue
		}
		out = append(out, [2]string{name, format(fd, m.Get(fd))})
	}
	return out
}

func isWellKnown(md protoreflect.MessageDescriptor) bool {
	return md.FullName().Parent() == "google.protobuf"
}

// format renders a field's value for a person: enum names without their prefix, times in
// RFC 3339, lists comma-separated.
func format(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.IsList() {
		l := v.List()
		parts := make([]string, l.Len())
		for i := range parts {
			parts[i] = scalar(fd, l.Get(i))
		}
		return strings.Join(parts, ",")
	}
	if fd.IsMap() {
		var parts []string
		v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
			parts = append(parts, k.String()+"="+scalar(fd.MapValue(), mv))
			return true
		})
		return strings.Join(parts, ",")
	}
	return scalar(fd, v)
}

func scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return enumShort(string(ev.Name()), fd.Enum())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.MessageKind, protoreflect.GroupKind:
		switch m := v.Message().Interface().(type) {
		case *timestamppb.Timestamp:
			return m.AsTime().Local().Format(time.RFC3339)
		case *durationpb.Duration:
			return m.AsDuration().String()
		default:
			b, _ := protojson.Marshal(m)
			return string(compactJSON(b))
		}
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	}
	return v.String()
}

// enumShort strips an enum value's type prefix: SESSION_STATE_RUNNING → RUNNING.
func enumShort(name string, ed protoreflect.EnumDescriptor) string {
	prefix := enumPrefix(ed)
	if strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
		return name[len(prefix):]
	}
	return name
}

// enumPrefix is the common prefix of an enum's values, from its _UNSPECIFIED value.
func enumPrefix(ed protoreflect.EnumDescriptor) string {
	zero := ed.Values().ByNumber(0)
	if zero == nil {
		return ""
	}
	return strings.TrimSuffix(string(zero.Name()), "UNSPECIFIED")
}

func when(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return ts.AsTime().Local().Format("2006-01-02 15:04:05")
}

func short(enumName string) string {
	for _, p := range []string{"WORKSPACE_KIND_", "SESSION_STATE_", "AGENT_STATE_", "PROXY_MODE_", "ROLE_", "API_KEY_SCOPE_", "CPU_ALLOCATION_METHOD_", "IMAGE_STATE_"} {
		if strings.HasPrefix(enumName, p) {
			return enumName[len(p):]
		}
	}
	return enumName
}
