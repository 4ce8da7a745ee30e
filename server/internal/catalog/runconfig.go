// Package catalog holds the rules of the workspace catalog: what a workspace must carry for its
// kind, and which Docker run-config overrides are accepted. It knows nothing of gRPC or SQL.
package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// overrideField names the request field the override arrives in, for error messages.
const overrideField = "workspace.container.docker_run_config_override"

// kind of JSON value an override key accepts.
type valueKind int

const (
	kString valueKind = iota
	kBool
	kInt
	kStringMap    // {"k": "v"}
	kStringList   // ["a", "b"]
	kStringOrList // "a b" or ["a", "b"]
	kObjectList   // [{...}, ...]
	kStringOrInt
	kEnvironment // {"K": "V"} or ["K=V"]
)

// overrideKeys are the accepted override keys (Docker SDK run-option names, as the reference's
// examples use them) and the JSON shape each takes.
var overrideKeys = map[string]valueKind{
	"blkio_weight":      kInt,
	"cap_add":           kStringList,
	"cap_drop":          kStringList,
	"command":           kStringOrList,
	"device_read_bps":   kObjectList,
	"device_read_iops":  kObjectList,
	"device_write_bps":  kObjectList,
	"device_write_iops": kObjectList,
	"devices":           kStringList,
	"dns":               kStringList,
	"dns_search":        kStringList,
	"entrypoint":        kStringOrList,
	"environment":       kEnvironment,
	"extra_hosts":       kStringMap,
	"hostname":          kString,
	"init":              kBool,
	"ipc_mode":          kString,
	"mounts":            kObjectList,
	"oom_kill_disable":  kBool,
	"pids_limit":        kInt,
	"privileged":        kBool,
	"read_only":         kBool,
	"security_opt":      kStringList,
	"shm_size":          kStringOrInt,
	"storage_opt":       kStringMap,
	"sysctls":           kStringMap,
	"tmpfs":             kStringMap,
	"ulimits":           kObjectList,
	"user":              kString,
	"working_dir":       kString,
}

// reservedKeys are set by Hotdesk itself; letting an override change them would break
// placement accounting or session isolation.
var reservedKeys = map[string]string{
	"cpu_shares":      "cores and cpu_allocation_method",
	"nano_cpus":       "cores and cpu_allocation_method",
	"cpus":            "cores and cpu_allocation_method",
	"cpu_quota":       "cores and cpu_allocation_method",
	"cpu_period":      "cores and cpu_allocation_method",
	"mem_limit":       "memory_mb",
	"memory":          "memory_mb",
	"device_requests": "gpus",
	"ports":           "the session's published port",
	"network":         "docker_network",
	"network_mode":    "docker_network",
	"labels":          "the session's ownership labels",
	"name":            "the session's container name",
	"image":           "image",
	"volumes":         "volume_mappings",
}

// objectListKeys lists the keys each object of a kObjectList value may carry.
var objectListKeys = map[string][]string{
	"device_read_bps":   {"Path", "Rate"},
	"device_write_bps":  {"Path", "Rate"},
	"device_read_iops":  {"Path", "Rate"},
	"device_write_iops": {"Path", "Rate"},
	"mounts":            {"type", "source", "target", "read_only", "Type", "Source", "Target", "ReadOnly"},
	"ulimits":           {"Name", "Soft", "Hard", "name", "soft", "hard"},
}

// NormalizeRunConfigOverride checks a run-config override and returns it as canonical JSON
// (sorted keys, no insignificant space), or "" for an empty override.
func NormalizeRunConfigOverride(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return "", model.Invalid(overrideField, "must be a JSON object: %v", err)
	}
	if obj == nil {
		return "", model.Invalid(overrideField, "must be a JSON object, not null")
	}
	// dec.More stops at a stray "}" or "]", so ask for the next token: only the end of input
	// may follow the object.
	if _, err := dec.Token(); err != io.EOF {
		return "", model.Invalid(overrideField, "must hold a single JSON object")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if what, ok := reservedKeys[k]; ok {
			return "", model.Invalid(overrideField, "key %q is set by Hotdesk from the workspace's %s; change that instead", k, what)
		}
		kind, ok := overrideKeys[k]
		if !ok {
			return "", model.Invalid(overrideField, "unknown key %q; accepted keys are %s", k, acceptedKeys())
		}
		if err := checkValue(k, kind, obj[k]); err != nil {
			return "", model.Invalid(overrideField, "key %q: %s", k, err)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return "", model.Invalid(overrideField, "cannot be encoded: %v", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func acceptedKeys() string {
	keys := make([]string, 0, len(overrideKeys))
	for k := range overrideKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func checkValue(key string, kind valueKind, v any) error {
	switch kind {
	case kString:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("must be a string")
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("must be true or false")
		}
	case kInt:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("must be a whole number")
		}
		i, err := n.Int64()
		if err != nil {
			return fmt.Errorf("must be a whole number, not %s", n)
		}
		if key == "blkio_weight" && (i < 10 || i > 1000) {
			return fmt.Errorf("must be between 10 and 1000, not %d", i)
		}
	case kStringOrInt:
		if _, ok := v.(string); ok {
			return nil
		}
		if n, ok := v.(json.Number); ok {
			if _, err := n.Int64(); err == nil {
				return nil
			}
		}
		return fmt.Errorf("must be a string such as \"2g\" or a whole number of bytes")
	case kStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("must be an object of strings")
		}
		for mk, mv := range m {
			if _, ok := mv.(string); !ok {
				return fmt.Errorf("value of %q must be a string", mk)
			}
		}
	case kEnvironment:
		if _, ok := v.([]any); ok {
			return checkValue(key, kStringList, v)
		}
		return checkValue(key, kStringMap, v)
	case kStringList:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("must be a list of strings")
		}
		for i, e := range l {
			if _, ok := e.(string); !ok {
				return fmt.Errorf("item %d must be a string", i)
			}
		}
	case kStringOrList:
		if _, ok := v.(string); ok {
			return nil
		}
		return checkValue(key, kStringList, v)
	case kObjectList:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("must be a list of objects")
		}
		allowed := objectListKeys[key]
		for i, e := range l {
			o, ok := e.(map[string]any)
			if !ok {
				return fmt.Errorf("item %d must be an object", i)
			}
			for ok := range o {
				if !contains(allowed, ok) {
					return fmt.Errorf("item %d: unknown field %q (accepted: %s)", i, ok, strings.Join(allowed, ", "))
				}
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
