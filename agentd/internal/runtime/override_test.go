package runtime

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// serverOverrideKeys are the keys server/internal/catalog accepts. The agent must apply each
// one; the list is repeated here because agentd never imports the server.
var serverOverrideKeys = []string{
	"blkio_weight", "cap_add", "cap_drop", "command", "device_read_bps", "device_read_iops",
	"device_write_bps", "device_write_iops", "devices", "dns", "dns_search", "entrypoint",
	"environment", "extra_hosts", "hostname", "init", "ipc_mode", "mounts", "oom_kill_disable",
	"pids_limit", "privileged", "read_only", "security_opt", "shm_size", "storage_opt", "sysctls",
	"tmpfs", "ulimits", "user", "working_dir",
}

func TestOverrideAcceptsEveryServerKey(t *testing.T) {
	if got := OverrideKeys(); !slices.Equal(got, serverOverrideKeys) {
		t.Fatalf("agent applies %v, server accepts %v", got, serverOverrideKeys)
	}
}

func apply(t *testing.T, raw string) (*container.Config, *container.HostConfig) {
	t.Helper()
	cfg := &container.Config{Env: []string{"A=1"}}
	hc := &container.HostConfig{}
	if err := ApplyOverride(raw, cfg, hc); err != nil {
		t.Fatalf("ApplyOverride(%s): %v", raw, err)
	}
	return cfg, hc
}

func TestOverrideMapsEachKey(t *testing.T) {
	tr := true
	cases := []struct {
		raw   string
		check func(*container.Config, *container.HostConfig) bool
	}{
		{`{"storage_opt":{"size":"10g"}}`, func(_ *container.Config, hc *container.HostConfig) bool { return hc.StorageOpt["size"] == "10g" }},
		{`{"device_read_bps":[{"Path":"/dev/vda","Rate":1000000}]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return len(hc.BlkioDeviceReadBps) == 1 && hc.BlkioDeviceReadBps[0].Path == "/dev/vda" && hc.BlkioDeviceReadBps[0].Rate == 1000000
		}},
		{`{"device_write_bps":[{"Path":"/dev/vda","Rate":"1mb"}]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return len(hc.BlkioDeviceWriteBps) == 1 && hc.BlkioDeviceWriteBps[0].Rate == 1<<20
		}},
		{`{"device_read_iops":[{"Path":"/dev/vda","Rate":300}]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return len(hc.BlkioDeviceReadIOps) == 1 && hc.BlkioDeviceReadIOps[0].Rate == 300
		}},
		{`{"device_write_iops":[{"path":"/dev/vda","rate":200}]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return len(hc.BlkioDeviceWriteIOps) == 1 && hc.BlkioDeviceWriteIOps[0].Rate == 200
		}},
		{`{"blkio_weight":200}`, func(_ *container.Config, hc *container.HostConfig) bool { return hc.BlkioWeight == 200 }},
		{`{"environment":{"B":"2","A":"3"}}`, func(c *container.Config, _ *container.HostConfig) bool {
			return slices.Equal(c.Env, []string{"A=3", "B=2"})
		}},
		{`{"environment":["B=2","C=x=y"]}`, func(c *container.Config, _ *container.HostConfig) bool {
			return slices.Equal(c.Env, []string{"A=1", "B=2", "C=x=y"})
		}},
		{`{"mounts":[{"Type":"bind","Source":"/srv","Target":"/data","ReadOnly":true},{"target":"/v"}]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return reflect.DeepEqual(hc.Mounts, []mount.Mount{{Type: mount.TypeBind, Source: "/srv", Target: "/data", ReadOnly: true}, {Type: mount.TypeVolume, Target: "/v"}})
		}},
		{`{"ulimits":[{"name":"nofile","soft":10}]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return len(hc.Ulimits) == 1 && hc.Ulimits[0].Soft == 10 && hc.Ulimits[0].Hard == 10
		}},
		{`{"cap_add":["SYS_ADMIN"],"cap_drop":["ALL"]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return slices.Equal(hc.CapAdd, []string{"SYS_ADMIN"}) && slices.Equal(hc.CapDrop, []string{"ALL"})
		}},
		{`{"security_opt":["seccomp=unconfined"]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return hc.SecurityOpt[0] == "seccomp=unconfined"
		}},
		{`{"dns":["1.1.1.1"],"dns_search":["corp"]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return hc.DNS[0] == "1.1.1.1" && hc.DNSSearch[0] == "corp"
		}},
		{`{"extra_hosts":{"b":"10.0.0.2","a":"10.0.0.1"}}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return slices.Equal(hc.ExtraHosts, []string{"a:10.0.0.1", "b:10.0.0.2"})
		}},
		{`{"shm_size":"1g"}`, func(_ *container.Config, hc *container.HostConfig) bool { return hc.ShmSize == 1<<30 }},
		{`{"shm_size":67108864}`, func(_ *container.Config, hc *container.HostConfig) bool { return hc.ShmSize == 64<<20 }},
		{`{"tmpfs":{"/run":"size=64m"}}`, func(_ *container.Config, hc *container.HostConfig) bool { return hc.Tmpfs["/run"] == "size=64m" }},
		{`{"sysctls":{"net.core.somaxconn":"1024"}}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return hc.Sysctls["net.core.somaxconn"] == "1024"
		}},
		{`{"devices":["/dev/snd","/dev/fuse:/dev/fuse:rwm","/dev/dri/card0:r"]}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return len(hc.Devices) == 3 && hc.Devices[0].PathInContainer == "/dev/snd" && hc.Devices[0].CgroupPermissions == "rwm" &&
				hc.Devices[2].PathInContainer == "/dev/dri/card0" && hc.Devices[2].CgroupPermissions == "r"
		}},
		{`{"hostname":"h","user":"1000:1000","working_dir":"/w"}`, func(c *container.Config, _ *container.HostConfig) bool {
			return c.Hostname == "h" && c.User == "1000:1000" && c.WorkingDir == "/w"
		}},
		{`{"entrypoint":"/bin/sh -c 'echo hi'","command":["a","b"]}`, func(c *container.Config, _ *container.HostConfig) bool {
			return slices.Equal(c.Entrypoint, []string{"/bin/sh", "-c", "echo hi"}) && slices.Equal(c.Cmd, []string{"a", "b"})
		}},
		{`{"entrypoint":""}`, func(c *container.Config, _ *container.HostConfig) bool {
			return slices.Equal(c.Entrypoint, []string{""})
		}},
		{`{"init":true,"privileged":true,"read_only":true,"oom_kill_disable":true}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return *hc.Init == tr && hc.Privileged && hc.ReadonlyRootfs && *hc.OomKillDisable
		}},
		{`{"pids_limit":512,"ipc_mode":"shareable"}`, func(_ *container.Config, hc *container.HostConfig) bool {
			return *hc.PidsLimit == 512 && hc.IpcMode == "shareable"
		}},
	}
	for _, tc := range cases {
		cfg, hc := apply(t, tc.raw)
		if !tc.check(cfg, hc) {
			t.Errorf("%s: got config %+v host config %+v", tc.raw, cfg, hc)
		}
	}
}

func TestOverrideRefusesWhatItCannotApply(t *testing.T) {
	for _, raw := range []string{
		`[]`, `null`, `{"a":1} {}`, `{"privileged":"yes"}`, `{"blkio_weight":5}`, `{"blkio_weight":1.5}`,
		`{"memory":"1g"}`, `{"cpu_shares":10}`, `{"labels":{}}`, `{"ports":{}}`, `{"network_mode":"host"}`,
		`{"nonsense":1}`, `{"ulimits":[{"Name":"nofile","Soft":1,"Bogus":2}]}`, `{"mounts":[{"type":"npipe","target":"/x"}]}`,
		`{"mounts":[{"source":"/x"}]}`, `{"devices":["relative"]}`, `{"devices":["/a:/b:rwx"]}`,
		`{"environment":{"A":1}}`, `{"environment":["=x"]}`, `{"command":"unterminated 'quote"}`,
		`{"device_read_bps":[{"Path":"vda","Rate":1}]}`, `{"shm_size":-1}`, `{"tmpfs":["/a", 1]}`,
	} {
		err := ApplyOverride(raw, &container.Config{}, &container.HostConfig{})
		if err == nil || Code(err) != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INVALID_ARGUMENT {
			t.Errorf("ApplyOverride(%s) = %v, want INVALID_ARGUMENT", raw, err)
		}
	}
	if err := ApplyOverride(`{"nonsense":1}`, &container.Config{}, &container.HostConfig{}); !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("error %q does not name the key", err)
	}
}

func TestBuildConfigOwnLabelsWin(t *testing.T) {
	cmd := &agentpb.CreateSessionContainer{
		SessionId: "s", ImageReference: "img", Cores: 0.001, MemoryBytes: 1 << 30, ContainerPort: 5901,
		CpuAllocationMethod: agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_SHARES, Gpus: 2,
		Labels: map[string]string{LabelSessionID: "forged", LabelAgentID: "forged", "x": "y"},
	}
	cfg, hc, err := BuildConfig(cmd, "agent-1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Labels[LabelSessionID] != "s" || cfg.Labels[LabelAgentID] != "agent-1" || cfg.Labels["x"] != "y" {
		t.Errorf("labels %v", cfg.Labels)
	}
	if hc.CPUShares != minCPUShares {
		t.Errorf("CPUShares %d, want the minimum %d", hc.CPUShares, minCPUShares)
	}
	if len(hc.DeviceRequests) != 1 || hc.DeviceRequests[0].Count != 2 || !reflect.DeepEqual(hc.DeviceRequests[0].Capabilities, [][]string{{"gpu"}}) {
		t.Errorf("DeviceRequests %+v", hc.DeviceRequests)
	}
}

func TestSplitCommand(t *testing.T) {
	cases := map[string][]string{
		``:                    nil,
		`  a  b `:             {"a", "b"},
		`sh -c 'echo "x y"'`:  {"sh", "-c", `echo "x y"`},
		`a "b \"c\" \n" d\ e`: {"a", `b "c" \n`, "d e"},
		`''`:                  {""},
		`x'y'"z"`:             {"xyz"},
		"a\\\nb":              {"ab"},
	}
	for in, want := range cases {
		got, err := SplitCommand(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`'a`, `"a`, `a\`} {
		if _, err := SplitCommand(bad); err == nil {
			t.Errorf("SplitCommand(%q) succeeded", bad)
		}
	}
}

// FuzzApplyOverride feeds untrusted override JSON through the applier: it must never panic,
// and it fails only with INVALID_ARGUMENT.
func FuzzApplyOverride(f *testing.F) {
	for _, s := range []string{
		`{"storage_opt":{"size":"10g"}}`, `{"device_read_bps":[{"Path":"/dev/vda","Rate":1000000}]}`,
		`{"blkio_weight":200}`, `{"environment":["A=1"]}`, `{"mounts":[{"target":"/x"}]}`,
		`{"command":"a 'b c'"}`, `{"ulimits":[{"Name":"n","Soft":1,"Hard":2}]}`, `{"devices":["/dev/a:r"]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := ApplyOverride(raw, &container.Config{}, &container.HostConfig{})
		if err != nil && Code(err) != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INVALID_ARGUMENT {
			t.Fatalf("code %v for %q", Code(err), raw)
		}
	})
}

func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{`a b`, `'a b'`, `"a \" b"`, `a\ b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitCommand(s)
		if err != nil {
			return
		}
		// Quoting every word back must give the same words.
		var parts []string
		for _, w := range words {
			parts = append(parts, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
		}
		again, err := SplitCommand(strings.Join(parts, " "))
		if err != nil || !slices.Equal(again, words) {
			t.Fatalf("round trip of %q: %q -> %q (%v)", s, words, again, err)
		}
	})
}
