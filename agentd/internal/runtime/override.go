package runtime

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/blkiodev"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	units "github.com/docker/go-units"
)

// An override key's applier: it takes the decoded JSON value (numbers as json.Number) and
// changes the configuration.
type applier func(v any, cfg *container.Config, hc *container.HostConfig) error

// overrideAppliers maps every run-config override key the server accepts (Docker SDK run-option
// names, as in the workspace docs) to the Docker field it sets. A key the agent cannot apply
// fails the command: the server validates keys too, but the agent is the last line.
var overrideAppliers = map[string]applier{
	"blkio_weight": func(v any, _ *container.Config, hc *container.HostConfig) error {
		n, err := asInt(v)
		if err != nil {
			return err
		}
		if n != 0 && (n < 10 || n > 1000) {
			return fmt.Errorf("must be between 10 and 1000, not %d", n)
		}
		hc.BlkioWeight = uint16(n)
		return nil
	},
	"cap_add": func(v any, _ *container.Config, hc *container.HostConfig) error {
		l, err := asStringList(v)
		hc.CapAdd = append(hc.CapAdd, l...)
		return err
	},
	"cap_drop": func(v any, _ *container.Config, hc *container.HostConfig) error {
		l, err := asStringList(v)
		hc.CapDrop = append(hc.CapDrop, l...)
		return err
	},
	"command": func(v any, cfg *container.Config, _ *container.HostConfig) error {
		l, err := asCommand(v)
		cfg.Cmd = l
		return err
	},
	"entrypoint": func(v any, cfg *container.Config, _ *container.HostConfig) error {
		l, err := asCommand(v)
		if err == nil && len(l) == 0 {
			l = []string{""} // Docker's way of clearing the image's entrypoint
		}
		cfg.Entrypoint = l
		return err
	},
	"device_read_bps":   throttle(func(hc *container.HostConfig) *[]*blkiodev.ThrottleDevice { return &hc.BlkioDeviceReadBps }, true),
	"device_write_bps":  throttle(func(hc *container.HostConfig) *[]*blkiodev.ThrottleDevice { return &hc.BlkioDeviceWriteBps }, true),
	"device_read_iops":  throttle(func(hc *container.HostConfig) *[]*blkiodev.ThrottleDevice { return &hc.BlkioDeviceReadIOps }, false),
	"device_write_iops": throttle(func(hc *container.HostConfig) *[]*blkiodev.ThrottleDevice { return &hc.BlkioDeviceWriteIOps }, false),
	"devices": func(v any, _ *container.Config, hc *container.HostConfig) error {
		l, err := asStringList(v)
		if err != nil {
			return err
		}
		for _, s := range l {
			d, err := parseDevice(s)
			if err != nil {
				return err
			}
			hc.Devices = append(hc.Devices, d)
		}
		return nil
	},
	"dns": func(v any, _ *container.Config, hc *container.HostConfig) error {
		l, err := asStringList(v)
		hc.DNS = l
		return err
	},
	"dns_search": func(v any, _ *container.Config, hc *container.HostConfig) error {
		l, err := asStringList(v)
		hc.DNSSearch = l
		return err
	},
	"environment": func(v any, cfg *container.Config, _ *container.HostConfig) error {
		var entries []string
		if m, ok := v.(map[string]any); ok {
			keys := sortedKeys(m)
			for _, k := range keys {
				s, ok := m[k].(string)
				if !ok {
					return fmt.Errorf("value of %q must be a string", k)
				}
				entries = append(entries, k+"="+s)
			}
		} else {
			l, err := asStringList(v)
			if err != nil {
				return fmt.Errorf("must be an object of strings or a list of \"KEY=value\"")
			}
			entries = l
		}
		for _, e := range entries {
			k, _, _ := strings.Cut(e, "=")
			if k == "" || strings.ContainsRune(e, 0) {
				return fmt.Errorf("%q is not KEY=value", e)
			}
			cfg.Env = setEnv(cfg.Env, e)
		}
		return nil
	},
	"extra_hosts": func(v any, _ *container.Config, hc *container.HostConfig) error {
		if m, ok := v.(map[string]any); ok {
			for _, k := range sortedKeys(m) {
				ip, ok := m[k].(string)
				if !ok {
					return fmt.Errorf("value of %q must be a string", k)
				}
				hc.ExtraHosts = append(hc.ExtraHosts, k+":"+ip)
			}
			return nil
		}
		l, err := asStringList(v)
		if err != nil {
			return fmt.Errorf("must be an object of host name to address, or a list of \"host:address\"")
		}
		hc.ExtraHosts = append(hc.ExtraHosts, l...)
		return nil
	},
	"hostname": func(v any, cfg *container.Config, _ *container.HostConfig) error {
		s, err := asString(v)
		cfg.Hostname = s
		return err
	},
	"init": func(v any, _ *container.Config, hc *container.HostConfig) error {
		b, err := asBool(v)
		hc.Init = &b
		return err
	},
	"ipc_mode": func(v any, _ *container.Config, hc *container.HostConfig) error {
		s, err := asString(v)
		hc.IpcMode = container.IpcMode(s)
		return err
	},
	"mounts": func(v any, _ *container.Config, hc *container.HostConfig) error {
		objs, err := asObjectList(v, "type", "source", "target", "read_only")
		if err != nil {
			return err
		}
		for i, o := range objs {
			m := mount.Mount{Type: mount.TypeVolume} // the Docker SDK's default
			if t, ok := o["type"]; ok {
				s, err := asString(t)
				if err != nil {
					return fmt.Errorf("item %d: type %w", i, err)
				}
				switch mt := mount.Type(s); mt {
				case mount.TypeBind, mount.TypeVolume, mount.TypeTmpfs:
					m.Type = mt
				default:
					return fmt.Errorf("item %d: type %q is not bind, volume or tmpfs", i, s)
				}
			}
			if s, ok := o["source"]; ok {
				if m.Source, err = asString(s); err != nil {
					return fmt.Errorf("item %d: source %w", i, err)
				}
			}
			if m.Target, err = asString(o["target"]); err != nil || m.Target == "" {
				return fmt.Errorf("item %d: target must be a non-empty string", i)
			}
			if r, ok := o["read_only"]; ok {
				if m.ReadOnly, err = asBool(r); err != nil {
					return fmt.Errorf("item %d: read_only %w", i, err)
				}
			}
			hc.Mounts = append(hc.Mounts, m)
		}
		return nil
	},
	"oom_kill_disable": func(v any, _ *container.Config, hc *container.HostConfig) error {
		b, err := asBool(v)
		hc.OomKillDisable = &b
		return err
	},
	"pids_limit": func(v any, _ *container.Config, hc *container.HostConfig) error {
		n, err := asInt(v)
		hc.PidsLimit = &n
		return err
	},
	"privileged": func(v any, _ *container.Config, hc *container.HostConfig) error {
		b, err := asBool(v)
		hc.Privileged = b
		return err
	},
	"read_only": func(v any, _ *container.Config, hc *container.HostConfig) error {
		b, err := asBool(v)
		hc.ReadonlyRootfs = b
		return err
	},
	"security_opt": func(v any, _ *container.Config, hc *container.HostConfig) error {
		l, err := asStringList(v)
		hc.SecurityOpt = append(hc.SecurityOpt, l...)
		return err
	},
	"shm_size": func(v any, _ *container.Config, hc *container.HostConfig) error {
		n, err := asSize(v)
		hc.ShmSize = n
		return err
	},
	"storage_opt": func(v any, _ *container.Config, hc *container.HostConfig) error {
		return mergeStringMap(v, &hc.StorageOpt)
	},
	"sysctls": func(v any, _ *container.Config, hc *container.HostConfig) error {
		return mergeStringMap(v, &hc.Sysctls)
	},
	"tmpfs": func(v any, _ *container.Config, hc *container.HostConfig) error {
		if _, ok := v.([]any); ok {
			l, err := asStringList(v)
			if err != nil {
				return err
			}
			if hc.Tmpfs == nil {
				hc.Tmpfs = map[string]string{}
			}
			for _, s := range l {
				p, opts, _ := strings.Cut(s, ":")
				hc.Tmpfs[p] = opts
			}
			return nil
		}
		return mergeStringMap(v, &hc.Tmpfs)
	},
	"ulimits": func(v any, _ *container.Config, hc *container.HostConfig) error {
		objs, err := asObjectList(v, "name", "soft", "hard")
		if err != nil {
			return err
		}
		for i, o := range objs {
			u := &container.Ulimit{}
			if u.Name, err = asString(o["name"]); err != nil || u.Name == "" {
				return fmt.Errorf("item %d: name must be a non-empty string", i)
			}
			if u.Soft, err = asInt(o["soft"]); err != nil {
				return fmt.Errorf("item %d: soft %w", i, err)
			}
			u.Hard = u.Soft
			if h, ok := o["hard"]; ok {
				if u.Hard, err = asInt(h); err != nil {
					return fmt.Errorf("item %d: hard %w", i, err)
				}
			}
			hc.Ulimits = append(hc.Ulimits, u)
		}
		return nil
	},
	"user": func(v any, cfg *container.Config, _ *container.HostConfig) error {
		if n, ok := v.(json.Number); ok {
			cfg.User = n.String()
			return nil
		}
		s, err := asString(v)
		cfg.User = s
		return err
	},
	"working_dir": func(v any, cfg *container.Config, _ *container.HostConfig) error {
		s, err := asString(v)
		cfg.WorkingDir = s
		return err
	},
}

// OverrideKeys lists the accepted run-config override keys, sorted.
func OverrideKeys() []string {
	keys := make([]string, 0, len(overrideAppliers))
	for k := range overrideAppliers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ApplyOverride applies a workspace's run-config override JSON on top of cfg and hc. Empty means
// none. Any key or value it cannot apply is an INVALID_ARGUMENT error naming it.
func ApplyOverride(raw string, cfg *container.Config, hc *container.HostConfig) error {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return errorf(codeInvalid, "run-config override is not a JSON object: %v", err)
	}
	if obj == nil {
		return errorf(codeInvalid, "run-config override must be a JSON object, not null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(codeInvalid, "run-config override must hold a single JSON object")
	}
	for _, k := range sortedKeys(obj) {
		apply, ok := overrideAppliers[k]
		if !ok {
			return errorf(codeInvalid, "run-config override key %q cannot be applied by this agent; accepted keys are %s", k, strings.Join(OverrideKeys(), ", "))
		}
		if err := apply(obj[k], cfg, hc); err != nil {
			return errorf(codeInvalid, "run-config override key %q: %v", k, err)
		}
	}
	return nil
}

func throttle(field func(*container.HostConfig) *[]*blkiodev.ThrottleDevice, sizes bool) applier {
	return func(v any, _ *container.Config, hc *container.HostConfig) error {
		objs, err := asObjectList(v, "path", "rate")
		if err != nil {
			return err
		}
		for i, o := range objs {
			p, err := asString(o["path"])
			if err != nil || !strings.HasPrefix(p, "/") {
				return fmt.Errorf("item %d: Path must be an absolute device path", i)
			}
			var rate int64
			if sizes {
				rate, err = asSize(o["rate"])
			} else {
				rate, err = asInt(o["rate"])
			}
			if err != nil || rate < 0 {
				return fmt.Errorf("item %d: Rate must be a non-negative number", i)
			}
			f := field(hc)
			*f = append(*f, &blkiodev.ThrottleDevice{Path: p, Rate: uint64(rate)})
		}
		return nil
	}
}

// setEnv replaces KEY's entry in env or appends it: with duplicates, which one a program sees
// depends on its libc, so there must be one.
func setEnv(env []string, entry string) []string {
	k, _, _ := strings.Cut(entry, "=")
	for i, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek == k {
			env[i] = entry
			return env
		}
	}
	return append(env, entry)
}

// parseDevice reads "host[:container][:permissions]" as docker run --device does.
func parseDevice(s string) (container.DeviceMapping, error) {
	src, dst, perms := "", "", "rwm"
	arr := strings.Split(s, ":")
	switch len(arr) {
	case 3:
		perms = arr[2]
		dst = arr[1]
	case 2:
		if validDeviceMode(arr[1]) {
			perms = arr[1]
		} else {
			dst = arr[1]
		}
	case 1:
	default:
		return container.DeviceMapping{}, fmt.Errorf("device %q is not host[:container][:permissions]", s)
	}
	src = arr[0]
	if dst == "" {
		dst = src
	}
	if !strings.HasPrefix(src, "/") || !strings.HasPrefix(dst, "/") || !validDeviceMode(perms) {
		return container.DeviceMapping{}, fmt.Errorf("device %q is not host[:container][:permissions]", s)
	}
	return container.DeviceMapping{PathOnHost: src, PathInContainer: dst, CgroupPermissions: perms}, nil
}

func validDeviceMode(m string) bool {
	if m == "" || len(m) > 3 {
		return false
	}
	seen := map[rune]bool{}
	for _, c := range m {
		if (c != 'r' && c != 'w' && c != 'm') || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func asString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string")
	}
	return s, nil
}

func asBool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("must be true or false")
	}
	return b, nil
}

func asInt(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("must be a whole number")
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("must be a whole number, not %s", n)
	}
	return i, nil
}

// asSize reads a byte count: a whole number, or a string such as "1g" or "512m".
func asSize(v any) (int64, error) {
	if s, ok := v.(string); ok {
		n, err := units.RAMInBytes(s)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a size such as \"1g\"", s)
		}
		return n, nil
	}
	n, err := asInt(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("must be a size such as \"1g\" or a whole number of bytes")
	}
	return n, nil
}

func asStringList(v any) ([]string, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be a list of strings")
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("item %d must be a string", i)
		}
		out = append(out, s)
	}
	return out, nil
}

// asCommand reads a command as a list, or as a string split the way a POSIX shell would (the
// Docker SDK for Python does the same).
func asCommand(v any) ([]string, error) {
	if s, ok := v.(string); ok {
		return SplitCommand(s)
	}
	return asStringList(v)
}

// asObjectList reads a list of objects whose keys, compared without case and underscores, are
// among allowed; the objects come back keyed by the allowed spelling ("ReadOnly" → read_only).
func asObjectList(v any, allowed ...string) ([]map[string]any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be a list of objects")
	}
	out := make([]map[string]any, 0, len(l))
	for i, e := range l {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("item %d must be an object", i)
		}
		norm := make(map[string]any, len(o))
		for _, k := range sortedKeys(o) {
			name := ""
			for _, a := range allowed {
				if fold(k) == fold(a) {
					name = a
				}
			}
			if name == "" {
				return nil, fmt.Errorf("item %d: unknown field %q (accepted: %s)", i, k, strings.Join(allowed, ", "))
			}
			if _, dup := norm[name]; dup {
				return nil, fmt.Errorf("item %d: field %q given twice", i, name)
			}
			norm[name] = o[k]
		}
		out = append(out, norm)
	}
	return out, nil
}

func fold(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

func mergeStringMap(v any, dst *map[string]string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("must be an object of strings")
	}
	if *dst == nil {
		*dst = make(map[string]string, len(m))
	}
	for _, k := range sortedKeys(m) {
		s, ok := m[k].(string)
		if !ok {
			return fmt.Errorf("value of %q must be a string", k)
		}
		(*dst)[k] = s
	}
	return nil
}
