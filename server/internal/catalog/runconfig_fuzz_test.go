package catalog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// overrideSeeds are run-config overrides an administrator might paste, and the near misses a
// careless or hostile one might: every accepted key, every reserved key, wrong shapes,
// duplicates, trailing garbage, deep nesting and odd numbers.
var overrideSeeds = []string{
	``,
	`   `,
	`{}`,
	` { } `,
	`null`,
	`[]`,
	`"x"`,
	`1`,
	`{"blkio_weight":200}`,
	`{"blkio_weight":9}`,
	`{"blkio_weight":1001}`,
	`{"blkio_weight":2e2}`,
	`{"blkio_weight":200.0}`,
	`{"blkio_weight":-0}`,
	`{"pids_limit":99999999999999999999}`,
	`{"pids_limit":-1}`,
	`{"storage_opt":{"size":"10g"}}`,
	`{"storage_opt":{"size":10}}`,
	`{"shm_size":"2g"}`,
	`{"shm_size":2147483648}`,
	`{"shm_size":1.5}`,
	`{"environment":{"A":"1","B":"x=y"}}`,
	`{"environment":["A=1","B=2"]}`,
	`{"environment":[1]}`,
	`{"environment":"A=1"}`,
	`{"command":"sleep 1"}`,
	`{"command":["sleep","1"]}`,
	`{"entrypoint":[null]}`,
	`{"cap_add":["SYS_ADMIN"],"cap_drop":["ALL"],"security_opt":["seccomp=unconfined"]}`,
	`{"devices":["/dev/fuse:/dev/fuse:rwm"]}`,
	`{"dns":["1.1.1.1"],"dns_search":["example.com"],"extra_hosts":{"db":"10.0.0.2"}}`,
	`{"hostname":"desk","user":"1000:1000","working_dir":"/home/user","ipc_mode":"private"}`,
	`{"init":true,"oom_kill_disable":false,"privileged":false,"read_only":true}`,
	`{"init":"true"}`,
	`{"sysctls":{"net.ipv4.ip_forward":"1"},"tmpfs":{"/run":"size=64m"}}`,
	`{"ulimits":[{"Name":"nofile","Soft":1024,"Hard":2048}]}`,
	`{"ulimits":[{"name":"nofile","soft":1024,"hard":2048}]}`,
	`{"ulimits":[{"Name":"nofile","Evil":1}]}`,
	`{"ulimits":[1]}`,
	`{"mounts":[{"type":"bind","source":"/a","target":"/b","read_only":true}]}`,
	`{"device_read_bps":[{"Path":"/dev/sda","Rate":1048576}],"device_write_iops":[{"Path":"/dev/sda","Rate":100}]}`,
	`{"device_read_bps":{"Path":"/dev/sda"}}`,
	`{"cpu_shares":1024}`,
	`{"nano_cpus":1}`,
	`{"cpus":2}`,
	`{"cpu_quota":1}`,
	`{"cpu_period":1}`,
	`{"mem_limit":"1g"}`,
	`{"memory":1}`,
	`{"device_requests":[]}`,
	`{"ports":{"22/tcp":2222}}`,
	`{"network":"host"}`,
	`{"network_mode":"host"}`,
	`{"labels":{"hotdesk.session":"x"}}`,
	`{"name":"evil"}`,
	`{"image":"evil"}`,
	`{"volumes":{"/":{"bind":"/host"}}}`,
	`{"hostname":"a","image":"evil"}`,
	`{"Hostname":"a"}`,
	`{"hostname ":"a"}`,
	`{"unknown_key":1}`,
	`{"hostname":"a","hostname":"b"}`,
	`{"hostname":1,"hostname":"b"}`,
	`{"hostname":"a"} {"privileged":true}`,
	`{"hostname":"a"}}`,
	`{"hostname":"a"}]`,
	`{"hostname":"a"},`,
	`{"hostname":"a"} x`,
	`{"hostname":"a"`,
	`{"hostname":"<script>&amp;\u2028\u0000"}`,
	"{\"hostname\":\"\xff\xfe\"}",
	"{\"host\xffname\":\"a\"}",
	`{"environment":{"K":"` + strings.Repeat("v", 4096) + `"}}`,
	`{"mounts":[{"type":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}]}`,
	`{"mounts":[{"type":{"a":{"b":1e999}}}]}`,
	`{"__proto__":{}}`,
}

// FuzzNormalizeRunConfigOverride: never panics; whatever it accepts is canonical (a single
// JSON object that normalizes to itself) and holds only accepted, non-reserved keys;
// whatever names a reserved or unknown key at the top level is refused.
func FuzzNormalizeRunConfigOverride(f *testing.F) {
	for _, s := range overrideSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := NormalizeRunConfigOverride(raw)
		if err != nil {
			if out != "" {
				t.Fatalf("refused %q but still returned %q", raw, out)
			}
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalidArgument || e.Field != overrideField {
				t.Fatalf("refusal of %q is not an InvalidArgument on %s: %#v", raw, overrideField, err)
			}
			return
		}
		if strings.TrimSpace(raw) == "" {
			if out != "" {
				t.Fatalf("blank override %q normalized to %q, want \"\"", raw, out)
			}
			return
		}
		// Accepted input must itself be one JSON value, nothing after it.
		if !json.Valid([]byte(raw)) {
			t.Fatalf("accepted %q, which is not a single valid JSON document (normalized to %s)", raw, out)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &obj); err != nil || obj == nil {
			t.Fatalf("accepted %q but the output %q is not a JSON object: %v", raw, out, err)
		}
		for k := range obj {
			if _, reserved := reservedKeys[k]; reserved {
				t.Fatalf("accepted reserved key %q in %q", k, raw)
			}
			if _, known := overrideKeys[k]; !known {
				t.Fatalf("accepted unknown key %q in %q", k, raw)
			}
		}
		again, err := NormalizeRunConfigOverride(out)
		if err != nil {
			t.Fatalf("normalized %q to %q, which is then refused: %v", raw, out, err)
		}
		if again != out {
			t.Fatalf("not canonical: %q -> %q -> %q", raw, out, again)
		}
	})
}

// Whatever a top-level key outside the accepted set is, the override is refused; checked
// directly (not only by the fuzzer) for every reserved key and a few near misses.
func TestRunConfigOverrideRefusesReservedAndUnknownKeys(t *testing.T) {
	keys := []string{"Hostname", "hostname ", " hostname", "HOSTNAME", "host_name", "", "\u0000", "privileged\u0000"}
	for k := range reservedKeys {
		keys = append(keys, k)
	}
	for _, k := range keys {
		kj, _ := json.Marshal(k)
		for _, v := range []string{`"x"`, `1`, `true`, `{}`, `[]`, `null`} {
			raw := `{"hostname":"ok",` + string(kj) + `:` + v + `}`
			if out, err := NormalizeRunConfigOverride(raw); err == nil {
				t.Errorf("accepted %s as %s", raw, out)
			}
		}
	}
}

func TestRunConfigOverrideCanonicalForm(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{` { "read_only" : true , "hostname" : "a" } `, `{"hostname":"a","read_only":true}`},
		{`{"environment":{"B":"2","A":"1"}}`, `{"environment":{"A":"1","B":"2"}}`},
		{`{"hostname":"<b>&</b>"}`, `{"hostname":"<b>&</b>"}`},
		{`{"shm_size":2147483648}`, `{"shm_size":2147483648}`},
		{`{"hostname":"b","hostname":"a"}`, `{"hostname":"a"}`},
		{"\n\t{}\n", `{}`},
	} {
		got, err := NormalizeRunConfigOverride(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeRunConfigOverride(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
