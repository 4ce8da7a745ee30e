package imagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/google/uuid"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/internal/registrytest"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

// Registry users of every test registry.
const (
	regUser = "ci-bot"
	regPass = "registry-pass-4711"
)

// env is a server, a registry with a counting proxy in front, and a Docker client.
type env struct {
	t      *testing.T
	srv    *apptest.Env
	reg    *registrytest.Registry
	proxy  *registrytest.Proxy
	docker *client.Client
	// ns is this test's repository namespace, so parallel tests never share an image.
	ns string

	workspaces pb.WorkspaceServiceClient
	sessions   pb.SessionServiceClient
}

// newEnv starts everything; tweak may change the server's configuration.
func newEnv(t *testing.T, blobDelay time.Duration, tweak func(*config.Config)) *env {
	t.Helper()
	e := &env{t: t, ns: "it" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")}
	e.srv = apptest.StartWith(t, pgtest.New(t, apptest.Migrate), func(c *config.Config) {
		c.ImageResyncInterval = 5 * time.Second
		if tweak != nil {
			tweak(c)
		}
	})
	e.reg = registrytest.Start(t, map[string]string{regUser: regPass})
	e.proxy = registrytest.NewProxy(t, e.reg.Addr, blobDelay)
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	e.docker = cli
	e.workspaces = pb.NewWorkspaceServiceClient(e.srv.Conn)
	e.sessions = pb.NewSessionServiceClient(e.srv.Conn)
	return e
}

func (e *env) admin() context.Context { return e.srv.Admin(context.Background()) }

// push builds and pushes repo:tag straight to the registry (not through the proxy, so pushes
// are not counted) and returns the build's image id. marker tells builds apart.
func (e *env) push(repo, tag, marker string, padding int) string {
	e.t.Helper()
	ref := fmt.Sprintf("%s/%s/%s:%s", e.reg.Addr, e.ns, repo, tag)
	id := registrytest.BuildAndPush(e.t, e.docker, registrytest.Image{Ref: ref, Marker: marker, Padding: padding, Username: regUser, Password: regPass})
	e.cleanupImage(e.pullRef(repo, tag))
	e.cleanupImage(id) // by id too: a later push under the same tag leaves this build untagged
	return id
}

// pullRef is the reference agents pull repo:tag by: through the proxy.
func (e *env) pullRef(repo, tag string) string {
	return fmt.Sprintf("%s/%s/%s:%s", e.proxy.Addr, e.ns, repo, tag)
}

// proxyRepo is the repository name the proxy sees for repo.
func (e *env) proxyRepo(repo string) string { return e.ns + "/" + repo }

func (e *env) cleanupImage(ref string) {
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = e.docker.ImageRemove(ctx, ref, imageRemoveOpts)
	})
}

// workspace creates a container workspace of repo:tag pulled through the proxy.
func (e *env) workspace(name, repo, tag, password string, mod func(*pb.Workspace)) *pb.Workspace {
	e.t.Helper()
	w := &pb.Workspace{Name: name + "-" + e.ns, Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true,
		Container: &pb.ContainerSpec{Image: e.pullRef(repo, tag), Registry: e.proxy.Addr, RegistryUsername: regUser,
			RegistryPassword: password, Cores: 0.1, MemoryMb: 64}}
	if mod != nil {
		mod(w)
	}
	r, err := e.workspaces.CreateWorkspace(e.admin(), &pb.CreateWorkspaceRequest{Workspace: w})
	if err != nil {
		e.t.Fatalf("create workspace %s: %v", name, err)
	}
	return r.GetWorkspace()
}

// agent is one agentd process.
type agent struct {
	id       string
	stateDir string
	logPath  string
	cmd      *exec.Cmd
}

// startAgent enrolls and runs an agentd with extra flags, and stops it (and removes its
// session containers) when the test ends.
func (e *env) startAgent(flags ...string) *agent {
	t := e.t
	t.Helper()
	tok, err := pb.NewAgentServiceClient(e.srv.Conn).CreateEnrollmentToken(e.admin(), &pb.CreateEnrollmentTokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a := &agent{stateDir: filepath.Join(dir, "state"), logPath: filepath.Join(dir, "agentd.log")}
	logf, err := os.Create(a.logPath)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--server", e.srv.App.AgentAddr, "--token", tok.GetToken(), "--state-dir", a.stateDir, "--log-level", "debug"}, flags...)
	a.cmd = exec.Command(agentdBin, args...)
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = a.cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		_ = a.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = a.cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(a.logPath)
			lines := strings.Split(string(b), "\n")
			t.Logf("--- agentd log, last lines:\n%s", strings.Join(lines[max(0, len(lines)-80):], "\n"))
		}
		if a.id != "" {
			e.removeContainers(a.id)
		}
	})
	eventually(t, 30*time.Second, "agent enrolled", func() error {
		select {
		case <-exited:
			b, _ := os.ReadFile(a.logPath)
			return stop(fmt.Errorf("agentd exited:\n%s", b))
		default:
		}
		b, err := os.ReadFile(filepath.Join(a.stateDir, "agent.json"))
		if err != nil {
			return err
		}
		var f struct {
			AgentID string `json:"agent_id"`
		}
		if err := json.Unmarshal(b, &f); err != nil || f.AgentID == "" {
			return fmt.Errorf("agent.json: %v", err)
		}
		a.id = f.AgentID
		return nil
	})
	return a
}

func (e *env) removeContainers(agentID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := e.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", "hotdesk.managed=true"), filters.Arg("label", "hotdesk.agent_id="+agentID))})
	if err != nil {
		return
	}
	for _, c := range cs {
		_ = e.docker.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}
}

// statuses lists every image status matching the filters.
func (e *env) statuses(workspaceID, agentID string) []*pb.ImageStatus {
	e.t.Helper()
	var out []*pb.ImageStatus
	req := &pb.ListImageStatusesRequest{WorkspaceId: workspaceID, AgentId: agentID, PageSize: 2}
	for {
		r, err := e.workspaces.ListImageStatuses(e.admin(), req)
		if err != nil {
			e.t.Fatalf("list image statuses: %v", err)
		}
		out = append(out, r.GetImageStatuses()...)
		if r.GetNextPageToken() == "" {
			return out
		}
		req.PageToken = r.GetNextPageToken()
	}
}

// status waits until the status of workspace on agent satisfies ok, and returns it.
func (e *env) status(what string, timeout time.Duration, workspaceID, agentID string, ok func(*pb.ImageStatus) bool) *pb.ImageStatus {
	e.t.Helper()
	var got *pb.ImageStatus
	eventually(e.t, timeout, what, func() error {
		list := e.statuses(workspaceID, agentID)
		if len(list) != 1 {
			return fmt.Errorf("%d statuses", len(list))
		}
		got = list[0]
		if !ok(got) {
			return fmt.Errorf("status %v", got)
		}
		return nil
	})
	return got
}

func isState(s pb.ImageState) func(*pb.ImageStatus) bool {
	return func(st *pb.ImageStatus) bool { return st.GetState() == s }
}

// stopErr ends eventually at once.
type stopErr struct{ error }

func stop(err error) error { return stopErr{err} }

// eventually retries f until it returns nil or timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if se, ok := err.(stopErr); ok {
			t.Fatalf("%s: %v", what, se.error)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
