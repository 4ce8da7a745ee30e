package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/google/uuid"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/internal/dockertest"
)

// testImage is the session image of these tests: dockertest's fake VNC server.
const testImage = "hotdesk-agentd-test/testvnc:1"

// TestMain makes sure an engine answers (dockertest starts one if needed).
func TestMain(m *testing.M) {
	cli, err := dockertest.Engine(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "runtime tests need a Docker engine:", err)
		os.Exit(1)
	}
	cli.Close()
	os.Exit(m.Run())
}

// newTestDocker returns a runtime with an agent id of its own, so parallel tests (and other
// agents on this engine) never see each other's containers, and removes what it created.
func newTestDocker(t testing.TB) *Docker {
	t.Helper()
	d, err := NewDocker(Options{AgentID: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if err := dockertest.FakeVNCImage(ctx, d.cli, testImage); err != nil {
		t.Fatalf("test image: %v", err)
	}
	t.Cleanup(func() {
		removeAgentContainers(d.cli, d.agentID)
		d.Close()
	})
	return d
}

func removeAgentContainers(cli *client.Client, agentID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, _ := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelAgentID+"="+agentID))})
	for _, c := range cs {
		_ = cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}
}

func createCmd(sessionID string) *agentpb.CreateSessionContainer {
	return &agentpb.CreateSessionContainer{
		SessionId:           sessionID,
		ImageReference:      testImage,
		Env:                 map[string]string{"VNC_PW": "secret", "SCREEN": "1280x800"},
		Cores:               1.5,
		CpuAllocationMethod: agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_SHARES,
		MemoryBytes:         256 << 20,
		ContainerPort:       5901,
		Labels:              map[string]string{"team": "qa", LabelManaged: "false"},
	}
}

// readGreeting dials the published port and returns the first line the server sends.
func readGreeting(t *testing.T, port uint16) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	line, err := dockertest.Greeting(ctx, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func TestCreateSessionAppliesResourcesLabelsAndOverride(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	ctx := context.Background()
	sid := uuid.NewString()
	cmd := createCmd(sid)
	cmd.RunConfigOverrideJson = `{
		"blkio_weight": 200,
		"environment": {"OVR": "1", "SCREEN": "1920x1080"},
		"shm_size": "1g",
		"ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}],
		"cap_drop": ["NET_RAW"],
		"security_opt": ["no-new-privileges"],
		"extra_hosts": {"db.internal": "127.0.0.2"},
		"dns": ["127.0.0.53"],
		"tmpfs": {"/scratch": "size=1m"},
		"mounts": [{"type": "tmpfs", "target": "/cache"}],
		"devices": ["/dev/null:/dev/mynull:rw"],
		"sysctls": {"net.ipv4.ip_unprivileged_port_start": "0"},
		"pids_limit": 100,
		"init": true,
		"hostname": "desk",
		"user": "1000",
		"working_dir": "/work",
		"read_only": true,
		"ipc_mode": "private",
		"oom_kill_disable": false
	}`
	dev := blockDevice()
	if dev != "" {
		cmd.RunConfigOverrideJson = strings.TrimSuffix(strings.TrimSpace(cmd.RunConfigOverrideJson), "}") +
			`, "device_read_bps": [{"Path": "` + dev + `", "Rate": 1000000}]}`
	}
	got, err := d.CreateSession(ctx, cmd)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if got.AlreadyExisted || len(got.ContainerID) != 64 || got.HostPort == 0 || !strings.HasPrefix(got.ImageID, "sha256:") {
		t.Fatalf("unexpected result %+v", got)
	}
	if line := readGreeting(t, got.HostPort); line != "RFB 003.008\n" {
		t.Fatalf("greeting %q", line)
	}

	insp, err := d.cli.ContainerInspect(ctx, got.ContainerID)
	if err != nil {
		t.Fatal(err)
	}
	hc, cfg := insp.HostConfig, insp.Config
	if insp.Name != "/hotdesk-"+sid {
		t.Errorf("name %q", insp.Name)
	}
	if hc.CPUShares != 1536 || hc.NanoCPUs != 0 {
		t.Errorf("CPUShares %d NanoCPUs %d, want 1536 and 0", hc.CPUShares, hc.NanoCPUs)
	}
	if hc.Memory != 256<<20 || hc.MemorySwap != 256<<20 {
		t.Errorf("Memory %d MemorySwap %d", hc.Memory, hc.MemorySwap)
	}
	wantLabels := map[string]string{LabelManaged: "true", LabelSessionID: sid, LabelAgentID: d.agentID, LabelContainerPort: "5901", "team": "qa"}
	for k, v := range wantLabels {
		if cfg.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, cfg.Labels[k], v)
		}
	}
	// A kernel without a weight-capable I/O scheduler makes Docker drop the weight with a
	// warning (as docker run --blkio-weight does); either way the override reached Docker.
	if hc.BlkioWeight != 200 && !slices.ContainsFunc(got.Warnings, func(w string) bool { return strings.Contains(w, "Block I/O weight") }) {
		t.Errorf("BlkioWeight %d and no warning about it (warnings %q)", hc.BlkioWeight, got.Warnings)
	}
	if hc.ShmSize != 1<<30 {
		t.Errorf("ShmSize %d", hc.ShmSize)
	}
	for _, e := range []string{"VNC_PW=secret", "OVR=1", "SCREEN=1920x1080"} {
		if !slices.Contains(cfg.Env, e) {
			t.Errorf("env %v lacks %s", cfg.Env, e)
		}
	}
	if slices.Contains(cfg.Env, "SCREEN=1280x800") {
		t.Errorf("override did not replace SCREEN: %v", cfg.Env)
	}
	if len(hc.Ulimits) != 1 || hc.Ulimits[0].Name != "nofile" || hc.Ulimits[0].Soft != 1024 || hc.Ulimits[0].Hard != 2048 {
		t.Errorf("Ulimits %+v", hc.Ulimits)
	}
	if !slices.Contains(hc.CapDrop, "CAP_NET_RAW") && !slices.Contains(hc.CapDrop, "NET_RAW") {
		t.Errorf("CapDrop %v", hc.CapDrop)
	}
	if !slices.Contains(hc.SecurityOpt, "no-new-privileges") {
		t.Errorf("SecurityOpt %v", hc.SecurityOpt)
	}
	if !slices.Contains(hc.ExtraHosts, "db.internal:127.0.0.2") || !slices.Equal(hc.DNS, []string{"127.0.0.53"}) {
		t.Errorf("ExtraHosts %v DNS %v", hc.ExtraHosts, hc.DNS)
	}
	if hc.Tmpfs["/scratch"] != "size=1m" || len(hc.Mounts) != 1 || hc.Mounts[0].Target != "/cache" {
		t.Errorf("Tmpfs %v Mounts %+v", hc.Tmpfs, hc.Mounts)
	}
	if len(hc.Devices) != 1 || hc.Devices[0].PathInContainer != "/dev/mynull" || hc.Devices[0].CgroupPermissions != "rw" {
		t.Errorf("Devices %+v", hc.Devices)
	}
	if hc.Sysctls["net.ipv4.ip_unprivileged_port_start"] != "0" {
		t.Errorf("Sysctls %v", hc.Sysctls)
	}
	if hc.PidsLimit == nil || *hc.PidsLimit != 100 || hc.Init == nil || !*hc.Init {
		t.Errorf("PidsLimit %v Init %v", hc.PidsLimit, hc.Init)
	}
	if cfg.Hostname != "desk" || cfg.User != "1000" || cfg.WorkingDir != "/work" || !hc.ReadonlyRootfs || string(hc.IpcMode) != "private" {
		t.Errorf("Hostname %q User %q WorkingDir %q ReadonlyRootfs %v IpcMode %q", cfg.Hostname, cfg.User, cfg.WorkingDir, hc.ReadonlyRootfs, hc.IpcMode)
	}
	if dev != "" && (len(hc.BlkioDeviceReadBps) != 1 || hc.BlkioDeviceReadBps[0].Rate != 1000000) {
		t.Errorf("BlkioDeviceReadBps %+v", hc.BlkioDeviceReadBps)
	}
	if hc.RestartPolicy.Name != container.RestartPolicyDisabled && hc.RestartPolicy.Name != "" {
		t.Errorf("RestartPolicy %q", hc.RestartPolicy.Name)
	}
	binds := hc.PortBindings["5901/tcp"]
	if len(binds) != 1 || binds[0].HostIP != "127.0.0.1" {
		t.Errorf("PortBindings %+v, want 127.0.0.1 only", hc.PortBindings)
	}
}

// blockDevice is a block device of this host for the I/O throttle override, or "".
func blockDevice() string {
	for _, p := range []string{"/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/xvda", "/dev/loop0"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0 {
			return p
		}
	}
	return ""
}

func TestCreateSessionQuotaNetworkAndVolumes(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	ctx := context.Background()
	netName := "hotdesk-test-" + uuid.NewString()[:8]
	if _, err := d.cli.NetworkCreate(ctx, netName, network.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Cleanups run last-registered first: the session container, removed only by
		// newTestDocker's cleanup, would still hold the network. Remove it first, and say so if
		// the network stays (leaked networks use up Docker's address pools run after run).
		removeAgentContainers(d.cli, d.agentID)
		if err := d.cli.NetworkRemove(context.Background(), netName); err != nil {
			t.Errorf("remove test network %s: %v", netName, err)
		}
	})
	host := t.TempDir()

	cmd := createCmd(uuid.NewString())
	cmd.CpuAllocationMethod = agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA
	cmd.Cores = 0.5
	cmd.Network = netName
	cmd.VolumeMounts = []*agentpb.VolumeMount{{HostPath: host, ContainerPath: "/home/user", ReadOnly: true}}
	got, err := d.CreateSession(ctx, cmd)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	insp, err := d.cli.ContainerInspect(ctx, got.ContainerID)
	if err != nil {
		t.Fatal(err)
	}
	if insp.HostConfig.NanoCPUs != 500_000_000 || insp.HostConfig.CPUShares != 0 {
		t.Errorf("NanoCPUs %d CPUShares %d, want 5e8 and 0", insp.HostConfig.NanoCPUs, insp.HostConfig.CPUShares)
	}
	if string(insp.HostConfig.NetworkMode) != netName {
		t.Errorf("NetworkMode %q", insp.HostConfig.NetworkMode)
	}
	if !slices.Contains(insp.HostConfig.Binds, host+":/home/user:ro") {
		t.Errorf("Binds %v", insp.HostConfig.Binds)
	}
	if line := readGreeting(t, got.HostPort); line != "RFB 003.008\n" {
		t.Fatalf("greeting %q", line)
	}
}

func TestCreateSessionIsIdempotent(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	ctx := context.Background()
	cmd := createCmd(uuid.NewString())
	first, err := d.CreateSession(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	second, err := d.CreateSession(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !second.AlreadyExisted || second.ContainerID != first.ContainerID || second.HostPort != first.HostPort || second.ImageID != first.ImageID {
		t.Fatalf("second create %+v, first %+v", second, first)
	}

	// Concurrent creates of one new session end with one container.
	cmd2 := createCmd(uuid.NewString())
	var wg sync.WaitGroup
	ids := make([]string, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := d.CreateSession(ctx, cmd2)
			ids[i], errs[i] = c.ContainerID, err
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("concurrent create %d: id %s err %v (first %s)", i, ids[i], errs[i], ids[0])
		}
	}
	list, err := d.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("List has %d containers, want 2: %+v", len(list), list)
	}
}

func TestDestroySession(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	ctx := context.Background()
	sid := uuid.NewString()
	got, err := d.CreateSession(ctx, createCmd(sid))
	if err != nil {
		t.Fatal(err)
	}
	other, err := d.CreateSession(ctx, createCmd(uuid.NewString()))
	if err != nil {
		t.Fatal(err)
	}
	// Another session's container id is refused, and that container survives.
	if _, err := d.DestroySession(ctx, sid, other.ContainerID, nil); Code(err) != codeInvalid {
		t.Fatalf("destroy with another session's container: %v (code %v)", err, Code(err))
	}
	timeout := 2 * time.Second
	absent, err := d.DestroySession(ctx, sid, got.ContainerID, &timeout)
	if err != nil || absent {
		t.Fatalf("first destroy: absent=%v err=%v", absent, err)
	}
	if _, err := d.cli.ContainerInspect(ctx, got.ContainerID); err == nil {
		t.Fatal("container still exists after destroy")
	}
	absent, err = d.DestroySession(ctx, sid, got.ContainerID, &timeout)
	if err != nil || !absent {
		t.Fatalf("second destroy: absent=%v err=%v", absent, err)
	}
	// A stale container id (the server's record is out of date) falls back to the label.
	list, _ := d.List(ctx)
	sidOther := ""
	for _, c := range list {
		sidOther = c.SessionID
	}
	absent, err = d.DestroySession(ctx, sidOther, strings.Repeat("0", 64), nil)
	if err != nil || absent {
		t.Fatalf("destroy by label with a stale id: absent=%v err=%v", absent, err)
	}
	if list, _ := d.List(ctx); len(list) != 0 {
		t.Fatalf("List after destroying everything: %+v", list)
	}
}

func TestListFindsOnlyThisAgentsSessions(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	ctx := context.Background()
	a, err := d.CreateSession(ctx, createCmd(uuid.NewString()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.CreateSession(ctx, createCmd(uuid.NewString()))
	if err != nil {
		t.Fatal(err)
	}
	// An unmanaged container and another agent's session on the same engine.
	raw, err := d.cli.ContainerCreate(ctx, &container.Config{Image: testImage, Labels: map[string]string{LabelAgentID: d.agentID}}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.cli.ContainerRemove(context.Background(), raw.ID, container.RemoveOptions{Force: true}) })
	otherAgent := newTestDocker(t)
	if _, err := otherAgent.CreateSession(ctx, createCmd(uuid.NewString())); err != nil {
		t.Fatal(err)
	}
	if err := d.cli.ContainerStop(ctx, b.ContainerID, container.StopOptions{}); err != nil {
		t.Fatal(err)
	}

	list, err := d.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("List = %+v, want exactly this agent's 2 sessions", list)
	}
	byID := map[string]Container{}
	for _, c := range list {
		byID[c.ID] = c
		if time.Since(c.Created) > time.Minute || c.SessionID == "" {
			t.Errorf("bad entry %+v", c)
		}
	}
	if c := byID[a.ContainerID]; c.State != agentpb.ContainerState_CONTAINER_STATE_RUNNING || c.HostPort != a.HostPort {
		t.Errorf("running session listed as %+v, want port %d", c, a.HostPort)
	}
	if c := byID[b.ContainerID]; c.State != agentpb.ContainerState_CONTAINER_STATE_EXITED || c.HostPort != 0 {
		t.Errorf("stopped session listed as %+v", c)
	}

	// A duplicate create of an exited session does not resurrect it silently.
	if _, err := d.CreateSession(ctx, createCmd(byID[b.ContainerID].SessionID)); Code(err) != codeStartFailed {
		t.Errorf("create of an exited session: %v (code %v)", err, Code(err))
	}
}

func TestCreateSessionFailures(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		modify func(*agentpb.CreateSessionContainer)
		code   agentpb.CommandErrorCode
		inMsg  string
	}{
		{"missing image", func(c *agentpb.CreateSessionContainer) { c.ImageReference = "hotdesk-agentd-test/absent:1" }, codeImageMissing, "absent"},
		{"missing network", func(c *agentpb.CreateSessionContainer) { c.Network = "hotdesk-no-such-network" }, codeNoNetwork, "hotdesk-no-such-network"},
		{"unknown override key", func(c *agentpb.CreateSessionContainer) { c.RunConfigOverrideJson = `{"network_mode":"host"}` }, codeInvalid, "network_mode"},
		{"bad override value", func(c *agentpb.CreateSessionContainer) { c.RunConfigOverrideJson = `{"shm_size":"lots"}` }, codeInvalid, "shm_size"},
		{"no GPU runtime", func(c *agentpb.CreateSessionContainer) { c.Gpus = 1 }, codeNoResources, "device driver"},
		{"more CPUs than the host", func(c *agentpb.CreateSessionContainer) {
			c.CpuAllocationMethod = agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA
			c.Cores = 1000
		}, codeNoResources, "CPU"},
		// overlay2 on ext4 cannot limit a container's size: Docker's refusal proves the option
		// reached it.
		{"storage_opt applied", func(c *agentpb.CreateSessionContainer) { c.RunConfigOverrideJson = `{"storage_opt":{"size":"10g"}}` }, agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNSPECIFIED, "storage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := createCmd(uuid.NewString())
			tc.modify(cmd)
			_, err := d.CreateSession(ctx, cmd)
			if err == nil {
				t.Fatal("CreateSession succeeded")
			}
			if tc.code != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNSPECIFIED && Code(err) != tc.code {
				t.Errorf("code %v, want %v (%v)", Code(err), tc.code, err)
			}
			if !strings.Contains(err.Error(), tc.inMsg) {
				t.Errorf("error %q does not mention %q", err, tc.inMsg)
			}
			if list, _ := d.List(ctx); len(list) != 0 {
				t.Errorf("failed create left containers behind: %+v", list)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	info, err := d.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Cores < 1 || info.MemoryBytes <= 0 || info.DockerVersion == "" || info.Hostname == "" || info.OS != "linux" || info.Arch == "" || info.DiskFreeBytes <= 0 {
		t.Errorf("info %+v", info)
	}
	if !slices.Contains(info.Networks, "bridge") {
		t.Errorf("networks %v lack bridge", info.Networks)
	}
	found := false
	for _, im := range info.Images {
		if im.Reference == testImage && strings.HasPrefix(im.ID, "sha256:") && im.Digest == "" && im.SizeBytes > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("images %+v lack %s", info.Images, testImage)
	}
}

func TestEngineUnreachable(t *testing.T) {
	t.Parallel()
	d, err := NewDocker(Options{Host: "unix:///nonexistent/docker.sock", AgentID: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = d.CreateSession(context.Background(), createCmd(uuid.NewString()))
	if Code(err) != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DOCKER_UNAVAILABLE {
		t.Fatalf("code %v (%v)", Code(err), err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not a runtime error: %T", err)
	}
}
