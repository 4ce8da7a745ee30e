package systest

import (
	"bufio"
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/go-connections/nat"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// A launched session's container carries exactly what the workspace asked for, as Docker
// itself reports it, and destroying the session removes the container.
func TestSessionContainerHasWorkspaceSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, timings{})
	a := e.startAgent("a")

	shares := containerWorkspace("shares", 1.5, 256)
	shares.Container.DockerRunConfigOverride = `{"environment": {"HD_SYSTEST": "yes"}, "shm_size": "128m",
		"cap_drop": ["NET_RAW"], "blkio_weight": 300}`
	shares = e.createWorkspace(shares)
	// The registry's own name on the image is the same image for placement: references are
	// compared in normalized form.
	quota := containerWorkspace("quota", 0.5, 128)
	quota.Container.Image = "docker.io/" + testImage
	quota.Container.CpuAllocationMethod = pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA
	quota = e.createWorkspace(quota)

	s := e.launch(shares.GetId())
	q := e.launch(quota.GetId())
	for _, sess := range []*pb.Session{s, q} {
		if sess.GetAgentId() != a.id {
			t.Errorf("session %s is on agent %q, want %s", sess.GetId(), sess.GetAgentId(), a.id)
		}
	}

	insp := e.inspectSession(s.GetId())
	hc, cfg := insp.HostConfig, insp.Config
	if !insp.State.Running {
		t.Errorf("container state %q, want running", insp.State.Status)
	}
	if hc.CPUShares != 1536 || hc.NanoCPUs != 0 {
		t.Errorf("CpuShares %d NanoCpus %d, want 1536 shares (1.5 cores × 1024) and no quota", hc.CPUShares, hc.NanoCPUs)
	}
	if hc.Memory != 256<<20 || hc.MemorySwap != 256<<20 {
		t.Errorf("Memory %d MemorySwap %d, want %d for both (no swap)", hc.Memory, hc.MemorySwap, 256<<20)
	}
	for k, want := range map[string]string{"hotdesk.session_id": s.GetId(), "hotdesk.agent_id": a.id,
		"hotdesk.managed": "true", "hotdesk.workspace_id": shares.GetId()} {
		if got := cfg.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
	for _, env := range []string{"HD_SYSTEST=yes", "HOTDESK_SESSION_ID=" + s.GetId()} {
		if !slices.Contains(cfg.Env, env) {
			t.Errorf("environment %q lacks %s", cfg.Env, env)
		}
	}
	if hc.ShmSize != 128<<20 {
		t.Errorf("ShmSize %d, want %d", hc.ShmSize, 128<<20)
	}
	// Docker 20.10 stores capability names in their CAP_ form.
	if !slices.Contains([]string(hc.CapDrop), "NET_RAW") && !slices.Contains([]string(hc.CapDrop), "CAP_NET_RAW") {
		t.Errorf("CapDrop %q lacks NET_RAW", hc.CapDrop)
	}
	// A kernel without a weight-capable I/O scheduler makes Docker drop the weight with a
	// warning, which agentd logs; either way the override reached Docker.
	if hc.BlkioWeight != 300 {
		log, _ := os.ReadFile(a.logPath)
		if !strings.Contains(string(log), "Block I/O weight") {
			t.Errorf("BlkioWeight %d, want 300 or agentd's warning that Docker discarded it", hc.BlkioWeight)
		}
	}
	port := publishedOnLoopback(t, insp.NetworkSettings.Ports["5901/tcp"])
	for _, b := range hc.PortBindings["5901/tcp"] {
		if b.HostIP != "127.0.0.1" {
			t.Errorf("port binding %+v is not on 127.0.0.1 only", b)
		}
	}
	if len(insp.NetworkSettings.Ports) != 1 {
		t.Errorf("published ports %v, want 5901/tcp only", insp.NetworkSettings.Ports)
	}
	// What the session proxy will dial: the desktop answers there.
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), 5*time.Second)
	if err != nil {
		t.Fatalf("dial the session's port: %v", err)
	}
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	greeting, err := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if err != nil || greeting != "RFB 003.008\n" {
		t.Errorf("session port answered %q, %v; want the RFB greeting", greeting, err)
	}

	qi := e.inspectSession(q.GetId())
	if qi.HostConfig.NanoCPUs != 500_000_000 {
		t.Errorf("quota session: NanoCpus %d, want 500000000 (0.5 cores)", qi.HostConfig.NanoCPUs)
	}
	if qi.HostConfig.CPUShares != 0 {
		t.Errorf("quota session: CpuShares %d, want none", qi.HostConfig.CPUShares)
	}
	if qi.HostConfig.Memory != 128<<20 {
		t.Errorf("quota session: Memory %d, want %d", qi.HostConfig.Memory, 128<<20)
	}
	publishedOnLoopback(t, qi.NetworkSettings.Ports["5901/tcp"])

	// Destroy: STOPPING, then STOPPED once the container is gone.
	w := e.watch(e.admin(), s.GetId())
	if _, err := e.sessions.DeleteSession(e.admin(), &pb.DeleteSessionRequest{Id: s.GetId()}); err != nil {
		t.Fatalf("delete session: %v", err)
	}
	w.until(pb.SessionState_SESSION_STATE_STOPPED, 30*time.Second)
	if _, err := e.docker.ContainerInspect(context.Background(), insp.ID); !cerrdefs.IsNotFound(err) {
		t.Errorf("container %s of the stopped session: inspect error %v, want not found", insp.ID[:12], err)
	}
	if cs := e.sessionContainers(s.GetId()); len(cs) != 0 {
		t.Errorf("stopped session still has containers %v", cs)
	}
	// Its capacity is free again; the other session still holds its share.
	ag := e.getAgent(a.id)
	if ag.GetUsed().GetCores() != 0.5 || ag.GetUsed().GetMemoryMb() != 128 || ag.GetSessionCount() != 1 {
		t.Errorf("agent uses %v with %d sessions, want 0.5 cores, 128 MiB and 1 session", ag.GetUsed(), ag.GetSessionCount())
	}
	if got := e.getSession(q.GetId()).GetState(); got != pb.SessionState_SESSION_STATE_RUNNING {
		t.Errorf("the other session is %s, want RUNNING", got)
	}
}

// publishedOnLoopback checks a port's bindings are all on 127.0.0.1 and returns the host port.
func publishedOnLoopback(t *testing.T, bindings []nat.PortBinding) string {
	t.Helper()
	if len(bindings) == 0 {
		t.Fatal("5901/tcp is not published")
	}
	for _, b := range bindings {
		if b.HostIP != "127.0.0.1" {
			t.Errorf("5901/tcp is published on %q:%s, want 127.0.0.1 only", b.HostIP, b.HostPort)
		}
	}
	return bindings[0].HostPort
}
