package systest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

const adminPassword = "systest-admin-password"

// timings are the server's lifecycle settings a test may shorten (zero keeps the default).
type timings struct {
	HeartbeatInterval time.Duration
	LeaseTTL          time.Duration
	LoopInterval      time.Duration
}

// env is one Hotdesk installation: a server process on a database of its own, the agentd
// processes the test started, and clients.
type env struct {
	t       *testing.T
	dir     string
	dbURL   string
	timings timings

	srv       *proc
	addr      string // public API, gRPC and HTTP
	agentAddr string // agent listener, gRPC over TLS

	conn       *grpc.ClientConn
	adminToken string
	docker     *client.Client

	mu     sync.Mutex
	agents []*agentProc

	sessions   pb.SessionServiceClient
	workspaces pb.WorkspaceServiceClient
	agentAPI   pb.AgentServiceClient
	users      pb.UserServiceClient
	groups     pb.GroupServiceClient
}

// agentProc is one agentd with its own state directory (identity).
type agentProc struct {
	name     string
	id       string
	stateDir string
	logPath  string
	proc     *proc
}

// newEnv starts a server on a fresh, migrated database and logs in as the administrator.
// Everything it and its agents start is stopped and removed when the test ends.
func newEnv(t *testing.T, tm timings) *env {
	t.Helper()
	e := &env{t: t, dbURL: pgtest.New(t, apptest.Migrate), dir: t.TempDir(), timings: tm}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	e.docker = cli
	// Registered after the database, so it runs before the database is dropped.
	t.Cleanup(e.shutdown)
	e.startServer()
	conn, err := grpc.NewClient(e.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	e.conn = conn
	e.sessions = pb.NewSessionServiceClient(conn)
	e.workspaces = pb.NewWorkspaceServiceClient(conn)
	e.agentAPI = pb.NewAgentServiceClient(conn)
	e.users = pb.NewUserServiceClient(conn)
	e.groups = pb.NewGroupServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := pb.NewAuthServiceClient(conn).Login(ctx, &pb.LoginRequest{Username: "admin", Password: adminPassword})
	if err != nil {
		t.Fatalf("admin login: %v", err)
	}
	e.adminToken = l.GetToken()
	return e
}

// shutdown stops the agents (their containers stay, as in production), removes the
// containers of every agent the test started, stops the server, and on failure (or with
// SYSTEST_SHOW_LOGS set) shows the end of every process's log.
func (e *env) shutdown() {
	e.mu.Lock()
	agents := append([]*agentProc(nil), e.agents...)
	e.mu.Unlock()
	if e.t.Failed() || os.Getenv("SYSTEST_SHOW_LOGS") != "" {
		if e.srv != nil {
			e.t.Logf("--- server log (%s), last lines:\n%s", e.srv.logPath, logTail(e.srv.logPath, 200))
		}
		for _, a := range agents {
			e.t.Logf("--- agentd %s log, last lines:\n%s", a.name, logTail(a.logPath, 120))
		}
	}
	for _, a := range agents {
		if a.proc != nil {
			a.proc.stop(10 * time.Second)
		}
	}
	for _, a := range agents {
		if a.id != "" {
			e.removeContainers(a.id)
		}
	}
	if e.srv != nil {
		e.srv.stop(15 * time.Second)
	}
	if e.conn != nil {
		e.conn.Close()
	}
	e.docker.Close()
}

// removeContainers removes every managed container of agentID.
func (e *env) removeContainers(agentID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := e.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", "hotdesk.managed=true"), filters.Arg("label", "hotdesk.agent_id="+agentID))})
	if err != nil {
		e.t.Errorf("list containers of agent %s for cleanup: %v", agentID, err)
		return
	}
	for _, c := range cs {
		if err := e.docker.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			e.t.Errorf("remove container %s: %v", c.ID, err)
		}
	}
}

// --- server ---------------------------------------------------------------------------------

func (e *env) serverConfig() map[string]any {
	listen, agentListen := "127.0.0.1:0", "127.0.0.1:0"
	if e.addr != "" { // a restart keeps the addresses: agents and clients dial them
		listen, agentListen = e.addr, e.agentAddr
	}
	cfg := map[string]any{
		"listen":               listen,
		"agent_listen":         agentListen,
		"database_url":         e.dbURL,
		"data_dir":             filepath.Join(e.dir, "server"),
		"log_level":            "debug",
		"shutdown_grace":       int64(5 * time.Second),
		"admin_username":       "admin",
		"max_db_conns":         16,
		"auth_cache_ttl":       int64(time.Second),
		"token_ttl":            int64(time.Hour),
		"lost_after":           int64(10 * time.Minute),
		"default_idle_timeout": int64(time.Hour),
	}
	// Durations go to the JSON file as nanoseconds: no flag or variable sets them.
	if d := e.timings.HeartbeatInterval; d > 0 {
		cfg["heartbeat_interval"] = int64(d)
	}
	if d := e.timings.LeaseTTL; d > 0 {
		cfg["lease_ttl"] = int64(d)
	}
	if d := e.timings.LoopInterval; d > 0 {
		cfg["loop_interval"] = int64(d)
	}
	return cfg
}

var (
	upLine    = regexp.MustCompile(`is up at http://(\S+) `)
	agentLine = regexp.MustCompile(`check in at (\S+) \(gRPC`)
)

// startServer runs the server binary (again, on a restart) and waits until it is healthy.
func (e *env) startServer() {
	t := e.t
	t.Helper()
	b, err := json.MarshalIndent(e.serverConfig(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(e.dir, "server.json")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(e.dir, "server.log")
	var offset int64
	if st, err := os.Stat(logPath); err == nil {
		offset = st.Size()
	}
	e.srv = startProc(t, "server", logPath, filepath.Join(binDir, "server"), []string{"run", "--config", cfgPath},
		[]string{"HOTDESK_ADMIN_PASSWORD=" + adminPassword})
	p := e.srv
	eventually(t, 60*time.Second, "server up", func() error {
		if p.exited() {
			return stop(fmt.Errorf("server exited (%v):\n%s", p.err, logTail(logPath, 30)))
		}
		b, _ := os.ReadFile(logPath)
		if int64(len(b)) < offset {
			return errors.New("log shrank")
		}
		out := string(b[offset:])
		m, am := upLine.FindStringSubmatch(out), agentLine.FindStringSubmatch(out)
		if m == nil || am == nil {
			return errors.New("no address lines in the log yet")
		}
		if e.addr != "" && (m[1] != e.addr || am[1] != e.agentAddr) {
			return stop(fmt.Errorf("restarted server listens on %s and %s, want %s and %s", m[1], am[1], e.addr, e.agentAddr))
		}
		e.addr, e.agentAddr = m[1], am[1]
		return nil
	})
	hc := &http.Client{Timeout: 2 * time.Second}
	eventually(t, 30*time.Second, "server healthy", func() error {
		if p.exited() {
			return stop(fmt.Errorf("server exited (%v)", p.err))
		}
		resp, err := hc.Get("http://" + e.addr + "/api/__healthcheck")
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health check: HTTP %d %s", resp.StatusCode, body)
		}
		return nil
	})
}

// killServer ends the server with SIGKILL: no goodbye to agents, no drained calls.
func (e *env) killServer() { e.srv.kill9(e.t) }

// --- agents ---------------------------------------------------------------------------------

// startAgent enrolls a new agentd with a state directory of its own and waits until it is
// online and has reported its host (capacity and images).
func (e *env) startAgent(name string) *agentProc {
	t := e.t
	t.Helper()
	tok, err := e.agentAPI.CreateEnrollmentToken(e.admin(), &pb.CreateEnrollmentTokenRequest{})
	if err != nil {
		t.Fatalf("create enrollment token: %v", err)
	}
	a := &agentProc{name: name, stateDir: filepath.Join(e.dir, "agent-"+name), logPath: filepath.Join(e.dir, "agent-"+name+".log")}
	e.mu.Lock()
	e.agents = append(e.agents, a)
	e.mu.Unlock()
	a.proc = startProc(t, "agentd "+name, a.logPath, filepath.Join(binDir, "agentd"),
		[]string{"--server", e.agentAddr, "--token", tok.GetToken(), "--state-dir", a.stateDir, "--log-level", "debug"}, nil)
	eventually(t, 30*time.Second, "agent "+name+" enrolled", func() error {
		if a.proc.exited() {
			return stop(fmt.Errorf("agentd exited (%v):\n%s", a.proc.err, logTail(a.logPath, 30)))
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
	recordAgent(t, a.id)
	e.waitAgentOnline(a)
	return a
}

// recordAgent lets the reaper remove the agent's containers should cleanups never run.
func recordAgent(t testing.TB, id string) {
	f, err := os.OpenFile(filepath.Join(binDir, "agents"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, id)
}

// restartAgent runs agentd again on its state directory: no token, the enrolled identity.
func (e *env) restartAgent(a *agentProc) {
	e.t.Helper()
	if !a.proc.exited() {
		e.t.Fatalf("agentd %s is still running", a.name)
	}
	a.proc = startProc(e.t, "agentd "+a.name, a.logPath, filepath.Join(binDir, "agentd"),
		[]string{"--server", e.agentAddr, "--state-dir", a.stateDir, "--log-level", "debug"}, nil)
}

// checkIns counts the check-in streams agentd opened (it logs each Welcome).
func (a *agentProc) checkIns() int {
	b, _ := os.ReadFile(a.logPath)
	return strings.Count(string(b), `"msg":"checked in"`)
}

// waitAgentOnline waits until the server has the agent online with a resource report.
func (e *env) waitAgentOnline(a *agentProc) *pb.Agent {
	e.t.Helper()
	var got *pb.Agent
	eventually(e.t, 30*time.Second, "agent "+a.name+" online", func() error {
		if a.proc.exited() {
			return stop(fmt.Errorf("agentd exited (%v):\n%s", a.proc.err, logTail(a.logPath, 30)))
		}
		r, err := e.agentAPI.GetAgent(e.admin(), &pb.GetAgentRequest{Id: a.id})
		if err != nil {
			return err
		}
		got = r.GetAgent()
		if got.GetState() != pb.AgentState_AGENT_STATE_ONLINE || got.GetReported().GetCores() <= 0 {
			return fmt.Errorf("agent state %s, reported %v", got.GetState(), got.GetReported())
		}
		return nil
	})
	return got
}

func (e *env) getAgent(id string) *pb.Agent {
	e.t.Helper()
	r, err := e.agentAPI.GetAgent(e.admin(), &pb.GetAgentRequest{Id: id})
	if err != nil {
		e.t.Fatalf("get agent %s: %v", id, err)
	}
	return r.GetAgent()
}

func (e *env) updateAgent(a *pb.Agent, paths ...string) *pb.Agent {
	e.t.Helper()
	r, err := e.agentAPI.UpdateAgent(e.admin(), &pb.UpdateAgentRequest{Agent: a, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}})
	if err != nil {
		e.t.Fatalf("update agent %s %v: %v", a.GetId(), paths, err)
	}
	return r.GetAgent()
}

// --- API ------------------------------------------------------------------------------------

func as(ctx context.Context, bearer string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+bearer)
}

// admin is a background context authenticated as the administrator.
func (e *env) admin() context.Context { return as(context.Background(), e.adminToken) }

// containerWorkspace is an enabled container workspace of the test image.
func containerWorkspace(name string, cores float64, memoryMB int64) *pb.Workspace {
	return &pb.Workspace{Name: name, Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true,
		Container: &pb.ContainerSpec{Image: testImage, Cores: cores, MemoryMb: memoryMB,
			CpuAllocationMethod: pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_SHARES}}
}

func (e *env) createWorkspace(w *pb.Workspace) *pb.Workspace {
	e.t.Helper()
	r, err := e.workspaces.CreateWorkspace(e.admin(), &pb.CreateWorkspaceRequest{Workspace: w})
	if err != nil {
		e.t.Fatalf("create workspace %s: %v", w.GetName(), err)
	}
	return r.GetWorkspace()
}

// launch creates a session as the administrator and waits until it runs.
func (e *env) launch(workspaceID string) *pb.Session {
	e.t.Helper()
	return e.launchAs(e.admin(), workspaceID)
}

func (e *env) launchAs(ctx context.Context, workspaceID string) *pb.Session {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r, err := e.sessions.CreateSession(ctx, &pb.CreateSessionRequest{WorkspaceId: workspaceID})
	if err != nil {
		e.t.Fatalf("create session of %s: %v", workspaceID, err)
	}
	if st := r.GetSession().GetState(); st != pb.SessionState_SESSION_STATE_STARTING && st != pb.SessionState_SESSION_STATE_RUNNING {
		e.t.Fatalf("new session %s is %s (%s), want STARTING", r.GetSession().GetId(), st, r.GetSession().GetStateReason())
	}
	return e.waitState(ctx, r.GetSession().GetId(), pb.SessionState_SESSION_STATE_RUNNING, 30*time.Second)
}

func (e *env) getSession(id string) *pb.Session {
	e.t.Helper()
	r, err := e.sessions.GetSession(e.admin(), &pb.GetSessionRequest{Id: id})
	if err != nil {
		e.t.Fatalf("get session %s: %v", id, err)
	}
	return r.GetSession()
}

// listSessions returns every session of a workspace, ended ones included.
func (e *env) listSessions(workspaceID string) ([]*pb.Session, error) {
	var out []*pb.Session
	req := &pb.ListSessionsRequest{WorkspaceId: workspaceID, IncludeEnded: true, PageSize: 1000}
	for {
		r, err := e.sessions.ListSessions(e.admin(), req)
		if err != nil {
			return nil, err
		}
		out = append(out, r.GetSessions()...)
		if r.GetNextPageToken() == "" {
			return out, nil
		}
		req.PageToken = r.GetNextPageToken()
	}
}

func ended(s pb.SessionState) bool {
	return s == pb.SessionState_SESSION_STATE_STOPPED || s == pb.SessionState_SESSION_STATE_FAILED || s == pb.SessionState_SESSION_STATE_LOST
}

// sessionWatch follows one session through WatchSession.
type sessionWatch struct {
	t      testing.TB
	id     string
	ch     chan *pb.Session
	errc   chan error
	cancel context.CancelFunc
	last   *pb.Session
	states []pb.SessionState // every state the stream showed, in order
}

// watch opens WatchSession as the caller of ctx; it ends with the test.
func (e *env) watch(ctx context.Context, id string) *sessionWatch {
	e.t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	stream, err := e.sessions.WatchSession(ctx, &pb.WatchSessionRequest{Id: id})
	if err != nil {
		cancel()
		e.t.Fatalf("watch session %s: %v", id, err)
	}
	w := &sessionWatch{t: e.t, id: id, ch: make(chan *pb.Session, 64), errc: make(chan error, 1), cancel: cancel}
	e.t.Cleanup(cancel)
	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				w.errc <- err
				return
			}
			w.ch <- r.GetSession()
		}
	}()
	return w
}

// until waits for the watched session to reach want, failing on any other final state.
func (w *sessionWatch) until(want pb.SessionState, timeout time.Duration) *pb.Session {
	w.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case s := <-w.ch:
			w.last = s
			w.states = append(w.states, s.GetState())
			if s.GetState() == want {
				return s
			}
			if ended(s.GetState()) {
				w.t.Fatalf("session %s ended %s (%q) while waiting for %s; states seen %v", w.id, s.GetState(), s.GetStateReason(), want, w.states)
			}
		case err := <-w.errc:
			w.errc <- err
			w.t.Fatalf("session %s: watch ended (%v) while waiting for %s; states seen %v", w.id, err, want, w.states)
		case <-deadline:
			w.t.Fatalf("session %s: not %s after %s; states seen %v (last reason %q)", w.id, want, timeout, w.states, w.last.GetStateReason())
		}
	}
}

// waitState watches a session until it reaches want.
func (e *env) waitState(ctx context.Context, id string, want pb.SessionState, timeout time.Duration) *pb.Session {
	e.t.Helper()
	w := e.watch(ctx, id)
	defer w.cancel()
	return w.until(want, timeout)
}

// --- Docker ---------------------------------------------------------------------------------

// sessionContainers lists the managed containers labeled with a session id, stopped ones too.
func (e *env) sessionContainers(sessionID string) []container.Summary {
	e.t.Helper()
	cs, err := e.docker.ContainerList(context.Background(), container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", "hotdesk.managed=true"), filters.Arg("label", "hotdesk.session_id="+sessionID))})
	if err != nil {
		e.t.Fatalf("docker list: %v", err)
	}
	return cs
}

// agentContainers lists an agent's managed containers, stopped ones too.
func (e *env) agentContainers(agentID string) ([]container.Summary, error) {
	return e.docker.ContainerList(context.Background(), container.ListOptions{All: true, Filters: filters.NewArgs(
		filters.Arg("label", "hotdesk.managed=true"), filters.Arg("label", "hotdesk.agent_id="+agentID))})
}

// inspectSession returns docker inspect of the one container of a session.
func (e *env) inspectSession(sessionID string) container.InspectResponse {
	e.t.Helper()
	cs := e.sessionContainers(sessionID)
	if len(cs) != 1 {
		e.t.Fatalf("session %s has %d containers, want 1", sessionID, len(cs))
	}
	insp, err := e.docker.ContainerInspect(context.Background(), cs[0].ID)
	if err != nil {
		e.t.Fatalf("docker inspect %s: %v", cs[0].ID, err)
	}
	return insp
}

// --- assertions -----------------------------------------------------------------------------

// stopErr ends eventually at once: the condition can no longer come true.
type stopErr struct{ error }

func stop(err error) error { return stopErr{err} }

// eventually polls cond until it returns nil, failing the test after timeout or on stop(err).
func eventually(t testing.TB, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		var s stopErr
		if errors.As(err, &s) {
			t.Fatalf("%s: %v", what, s.error)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wantStatus checks err's gRPC code and, when reason is set, its ErrorInfo reason.
func wantStatus(t testing.TB, err error, code codes.Code, reason string) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if err == nil || !ok {
		t.Fatalf("got %v, want %s", err, code)
	}
	if st.Code() != code {
		t.Fatalf("got %s (%s), want %s", st.Code(), st.Message(), code)
	}
	if reason != "" {
		var got []string
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				got = append(got, info.GetReason())
			}
		}
		if len(got) != 1 || got[0] != reason {
			t.Fatalf("%s (%s) has ErrorInfo reasons %v, want %s", code, st.Message(), got, reason)
		}
	}
	if strings.TrimSpace(st.Message()) == "" {
		t.Errorf("%s has an empty message", code)
	}
	return st
}
