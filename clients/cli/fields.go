package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// field is a flag that sets one field of a resource, by proto path. Create sets every given
// flag; update also puts exactly the given flags' paths in the update mask, so nothing else
// changes.
type field struct {
	flag  string
	path  string // e.g. "container.cores"
	usage string
}

// fieldValues records the raw values of field flags, in order, for later application.
type fieldValues struct {
	defs []field
	vals map[string][]string
	set  []string // flag names in the order first given
}

type fieldFlag struct {
	fv     *fieldValues
	name   string
	isBool bool
	typ    string // placeholder in --help, e.g. "number"
}

func (f *fieldFlag) String() string { return "" }
func (f *fieldFlag) Set(s string) error {
	if _, seen := f.fv.vals[f.name]; !seen {
		f.fv.set = append(f.fv.set, f.name)
	}
	f.fv.vals[f.name] = append(f.fv.vals[f.name], s)
	return nil
}
func (f *fieldFlag) IsBoolFlag() bool { return f.isBool }

// register adds the fields' flags to fs; kinds come from the message the paths point into.
func registerFields(fs *flag.FlagSet, proto protoreflect.MessageDescriptor, defs []field) *fieldValues {
	fv := &fieldValues{defs: defs, vals: map[string][]string{}}
	for _, d := range defs {
		fd := resolvePath(proto, d.path)
		isBool := fd != nil && fd.Kind() == protoreflect.BoolKind && !fd.IsList()
		usage := d.usage
		if fd != nil && fd.Enum() != nil {
			usage += " (" + enumChoices(fd.Enum()) + ")"
		}
		if fd != nil && fd.IsList() {
			usage += "; repeat the flag for several"
		}
		fs.Var(&fieldFlag{fv: fv, name: d.flag, isBool: isBool, typ: placeholder(fd)}, d.flag, usage)
	}
	return fv
}

func placeholder(fd protoreflect.FieldDescriptor) string {
	if fd == nil {
		return "value"
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return ""
	case protoreflect.EnumKind:
		return "choice"
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return "number"
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		if strings.HasSuffix(string(fd.Name()), "_seconds") {
			return "duration"
		}
		return "int"
	case protoreflect.MessageKind:
		if fd.Message().FullName() == "google.protobuf.Timestamp" {
			return "time"
		}
		return "spec"
	}
	if strings.HasSuffix(string(fd.Name()), "_id") || strings.HasSuffix(string(fd.Name()), "_ids") {
		return "id"
	}
	return "string"
}

func resolvePath(md protoreflect.MessageDescriptor, path string) protoreflect.FieldDescriptor {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		fd := md.Fields().ByName(protoreflect.Name(p))
		if fd == nil {
			return nil
		}
		if i == len(parts)-1 {
			return fd
		}
		md = fd.Message()
	}
	return nil
}

func enumChoices(ed protoreflect.EnumDescriptor) string {
	var names []string
	for i := 0; i < ed.Values().Len(); i++ {
		v := ed.Values().Get(i)
		if v.Number() == 0 {
			continue
		}
		names = append(names, strings.ToLower(strings.ReplaceAll(enumShort(string(v.Name()), ed), "_", "-")))
	}
	return strings.Join(names, ", ")
}

// given reports whether any field flag was set.
func (fv *fieldValues) given() bool { return len(fv.set) > 0 }

// apply writes the given flags into m and returns their paths (the update mask).
func (fv *fieldValues) apply(m proto.Message) ([]string, error) {
	var paths []string
	for _, name := range fv.set {
		var d field
		for _, x := range fv.defs {
			if x.flag == name {
				d = x
			}
		}
		if err := setPath(m.ProtoReflect(), d.path, fv.vals[name]); err != nil {
			return nil, usagef("--%s: %v", name, err)
		}
		paths = append(paths, d.path)
	}
	return paths, nil
}

func setPath(m protoreflect.Message, path string, raw []string) error {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		m = m.Mutable(m.Descriptor().Fields().ByName(protoreflect.Name(p))).Message()
	}
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(parts[len(parts)-1]))
	if fd.IsList() {
		l := m.Mutable(fd).List()
		l.Truncate(0)
		for _, r := range raw {
			for _, item := range splitList(r) {
				v, err := parseValue(fd, l, item)
				if err != nil {
					return err
				}
				l.Append(v)
			}
		}
		return nil
	}
	v, err := parseValue(fd, nil, raw[len(raw)-1])
	if err != nil {
		return err
	}
	m.Set(fd, v)
	return nil
}

// splitList splits comma-separated list items; an empty value clears the list.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func parseValue(fd protoreflect.FieldDescriptor, list protoreflect.List, s string) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(s), nil
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(s)
		return protoreflect.ValueOfBool(b), err
	case protoreflect.DoubleKind:
		f, err := strconv.ParseFloat(s, 64)
		return protoreflect.ValueOfFloat64(f), err
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := parseInt(fd, s, 32)
		return protoreflect.ValueOfInt32(int32(n)), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := parseInt(fd, s, 64)
		return protoreflect.ValueOfInt64(n), err
	case protoreflect.EnumKind:
		n, err := parseEnum(fd.Enum(), s)
		return protoreflect.ValueOfEnum(n), err
	case protoreflect.MessageKind:
		switch fd.Message().FullName() {
		case "google.protobuf.Timestamp":
			ts, err := parseTime(s)
			if err != nil {
				return protoreflect.Value{}, err
			}
			return protoreflect.ValueOfMessage(ts.ProtoReflect()), nil
		case "hotdesk.v1.VolumeMapping":
			vm, err := parseVolume(s)
			if err != nil {
				return protoreflect.Value{}, err
			}
			return protoreflect.ValueOfMessage(vm.ProtoReflect()), nil
		}
	}
	return protoreflect.Value{}, fmt.Errorf("cannot set a %s field from the command line", fd.Kind())
}

// parseInt reads integers; fields counted in seconds also take Go durations ("90m", "12h").
func parseInt(fd protoreflect.FieldDescriptor, s string, bits int) (int64, error) {
	if strings.HasSuffix(string(fd.Name()), "_seconds") {
		if d, err := time.ParseDuration(s); err == nil {
			return int64(d / time.Second), nil
		}
	}
	return strconv.ParseInt(s, 10, bits)
}

func parseEnum(ed protoreflect.EnumDescriptor, s string) (protoreflect.EnumNumber, error) {
	want := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	for _, name := range []string{want, enumPrefix(ed) + want} {
		if v := ed.Values().ByName(protoreflect.Name(name)); v != nil {
			return v.Number(), nil
		}
	}
	return 0, fmt.Errorf("%q is not one of %s", s, enumChoices(ed))
}

// parseTime takes RFC 3339 or a duration from now ("720h").
func parseTime(s string) (*timestamppb.Timestamp, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return timestamppb.New(time.Now().Add(d)), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
	}
	return timestamppb.New(t), nil
}

// parseVolume reads HOST_PATH:CONTAINER_PATH[:ro].
func parseVolume(s string) (*pb.VolumeMapping, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || (len(parts) == 3 && parts[2] != "ro" && parts[2] != "rw") {
		return nil, fmt.Errorf("%q: want HOST_PATH:CONTAINER_PATH[:ro]", s)
	}
	return &pb.VolumeMapping{HostPath: parts[0], ContainerPath: parts[1], ReadOnly: len(parts) == 3 && parts[2] == "ro"}, nil
}

// readFileMessage fills m from a JSON file in the API's format ("-": standard input).
func (c *call) readFileMessage(path string, m proto.Message) error {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(c.io.in)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	if err := protojson.Unmarshal(b, m); err != nil {
		return usagef("%s: %v", path, err)
	}
	return nil
}

// populatedPaths lists the top-level fields set in m except id: the update mask of a file.
func populatedPaths(m proto.Message) []string {
	var paths []string
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Name() != "id" && r.Has(fd) {
			paths = append(paths, string(fd.Name()))
		}
	}
	return paths
}
