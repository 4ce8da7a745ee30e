package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

// fastLifecycle makes leases, loops and heartbeats short enough to watch in a test.
func fastLifecycle(c *config.Config) {
	c.HeartbeatInterval = time.Second
	c.LeaseTTL = 3 * time.Second
	c.LostAfter = 6 * time.Second
	c.LoopInterval = 200 * time.Millisecond
}

func startFast(t *testing.T) *api {
	t.Helper()
	t.Parallel()
	return clients(apptest.StartWith(t, pgtest.New(t, apptest.Migrate), fastLifecycle))
}

// sim is a simulated agent connected to a server, restartable.
type sim struct {
	*simagent.Agent
	id     *simagent.Identity
	addr   string
	cancel context.CancelFunc
	done   chan struct{}
}

// addAgent enrolls a simulated agent with the given capacity holding the test image.
func (a *api) addAgent(t *testing.T, cores float64, opts ...func(*simagent.Options)) *sim {
	t.Helper()
	ctx := a.Admin(context.Background())
	tok, err := a.agents.CreateEnrollmentToken(ctx, &pb.CreateEnrollmentTokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := simagent.Enroll(context.Background(), a.App.AgentAddr, tok.GetToken(), "sim")
	if err != nil {
		t.Fatal(err)
	}
	o := simagent.Options{Cores: cores, MemoryMB: 16384, Images: []string{"desktop:1.0"}}
	for _, f := range opts {
		f(&o)
	}
	s := &sim{Agent: simagent.New(id.AgentID, o), id: id, addr: a.App.AgentAddr}
	s.connect(t)
	t.Cleanup(s.disconnect)
	a.waitAgent(t, id.AgentID, pb.AgentState_AGENT_STATE_ONLINE)
	return s
}

func (s *sim) connect(t *testing.T) {
	conn, err := s.id.Dial(s.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		defer conn.Close()
		_ = s.Run(ctx, conn)
	}()
}

func (s *sim) disconnect() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
		s.cancel = nil
	}
}

func (a *api) waitAgent(t *testing.T, id string, want pb.AgentState) *pb.Agent {
	t.Helper()
	var last *pb.Agent
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		got, err := a.agents.GetAgent(a.Admin(context.Background()), &pb.GetAgentRequest{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		last = got.GetAgent()
		// Online and reported: the scheduler can use it.
		if last.GetState() == want && (want != pb.AgentState_AGENT_STATE_ONLINE || last.GetReported().GetCores() > 0) {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("agent %s: state %v, want %v", id, last.GetState(), want)
	return nil
}

func (a *api) sessions() pb.SessionServiceClient { return pb.NewSessionServiceClient(a.Conn) }

// waitSession watches a session until it reaches want, failing on any other final state.
func (a *api) waitSession(t *testing.T, bearer, id string, want pb.SessionState) *pb.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(apptest.As(context.Background(), bearer), 20*time.Second)
	defer cancel()
	stream, err := a.sessions().WatchSession(ctx, &pb.WatchSessionRequest{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	var last *pb.Session
	for {
		msg, err := stream.Recv()
		if err != nil {
			t.Fatalf("watching session %s (last %v %q): %v", id, last.GetState(), last.GetStateReason(), err)
		}
		last = msg.GetSession()
		if last.GetState() == want {
			return last
		}
	}
}

func (a *api) launch(t *testing.T, bearer, workspaceID string) (*pb.Session, error) {
	t.Helper()
	resp, err := a.sessions().CreateSession(apptest.As(context.Background(), bearer), &pb.CreateSessionRequest{WorkspaceId: workspaceID})
	return resp.GetSession(), err
}

func oneCore(name string) *pb.Workspace {
	w := container(name)
	w.Container.Cores, w.Container.MemoryMb = 1, 1024
	return w
}

// A launch goes to an agent holding the image, runs, and a destroy removes its container.
func TestSessionLifecycle(t *testing.T) {
	a := startFast(t)
	ag := a.addAgent(t, 4)
	w := a.createWorkspace(t, oneCore("Desktop"))

	s, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	// A simulated agent answers at once, so the launch may already be RUNNING when read back.
	if st := s.GetState(); (st != pb.SessionState_SESSION_STATE_STARTING && st != pb.SessionState_SESSION_STATE_RUNNING) || s.GetAgentId() != ag.ID {
		t.Fatalf("launched: %v on %s, want STARTING or RUNNING on %s", s.GetState(), s.GetAgentId(), ag.ID)
	}
	run := a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	if run.GetStartTime() == nil || run.GetExpireTime() == nil || run.GetMaxExpireTime() == nil {
		t.Fatalf("running session lacks times: %v", run)
	}
	if _, ok := ag.Containers()[s.GetId()]; !ok {
		t.Fatal("the agent has no container for the running session")
	}
	got := a.waitAgent(t, ag.ID, pb.AgentState_AGENT_STATE_ONLINE)
	if got.GetUsed().GetCores() != 1 || got.GetSessionCount() != 1 {
		t.Fatalf("agent usage after one launch: %v, %d sessions", got.GetUsed(), got.GetSessionCount())
	}

	if _, err := a.sessions().DeleteSession(a.Admin(context.Background()), &pb.DeleteSessionRequest{Id: s.GetId()}); err != nil {
		t.Fatal(err)
	}
	end := a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_STOPPED)
	if end.GetEndTime() == nil {
		t.Fatal("stopped session has no end time")
	}
	if _, ok := ag.Containers()[s.GetId()]; ok {
		t.Fatal("container still there after destroy")
	}
	if got := a.waitAgent(t, ag.ID, pb.AgentState_AGENT_STATE_ONLINE); got.GetUsed().GetCores() != 0 {
		t.Fatalf("capacity not released: %v", got.GetUsed())
	}
	// Ended sessions are listed only when asked for.
	list, err := a.sessions().ListSessions(a.Admin(context.Background()), &pb.ListSessionsRequest{})
	if err != nil || len(list.GetSessions()) != 0 {
		t.Fatalf("live sessions after destroy: %v %v", list.GetSessions(), err)
	}
	list, err = a.sessions().ListSessions(a.Admin(context.Background()), &pb.ListSessionsRequest{IncludeEnded: true})
	if err != nil || len(list.GetSessions()) != 1 {
		t.Fatalf("all sessions: %v %v", list.GetSessions(), err)
	}
}

// Sessions spread evenly over equal agents, and concurrent launches never oversubscribe.
func TestPlacementSpreadsAndNeverOversubscribes(t *testing.T) {
	a := startFast(t)
	ag1, ag2 := a.addAgent(t, 3), a.addAgent(t, 3)
	w := a.createWorkspace(t, oneCore("Desktop"))

	var mu sync.Mutex
	placed := map[string]int{}
	var exhausted int
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := a.launch(t, a.AdminToken, w.GetId())
			mu.Lock()
			defer mu.Unlock()
			switch status.Code(err) {
			case codes.OK:
				placed[s.GetAgentId()]++
			case codes.ResourceExhausted:
				exhausted++
			default:
				t.Errorf("launch: %v", err)
			}
		}()
	}
	wg.Wait()
	if placed[ag1.ID] != 3 || placed[ag2.ID] != 3 || exhausted != 6 {
		t.Fatalf("placed %v, exhausted %d; want 3 per agent and 6 refused", placed, exhausted)
	}
	for _, id := range []string{ag1.ID, ag2.ID} {
		if got := a.waitAgent(t, id, pb.AgentState_AGENT_STATE_ONLINE); got.GetUsed().GetCores() > got.GetReported().GetCores() {
			t.Fatalf("agent %s oversubscribed: used %v of %v", id, got.GetUsed(), got.GetReported())
		}
	}

}

// Sequential launches alternate between two equal agents.
func TestPlacementSpreadsEvenly(t *testing.T) {
	b := startFast(t)
	b1, b2 := b.addAgent(t, 8), b.addAgent(t, 8)
	wb := b.createWorkspace(t, oneCore("Desktop"))
	count := map[string]int{}
	for i := 0; i < 6; i++ {
		s, err := b.launch(t, b.AdminToken, wb.GetId())
		if err != nil {
			t.Fatal(err)
		}
		count[s.GetAgentId()]++
	}
	// Placement takes the next agent rather than wait when the least loaded one's row is busy
	// (a report being applied), so allow one step of imbalance either way.
	if count[b1.ID] < 2 || count[b2.ID] < 2 {
		t.Fatalf("uneven spread: %v", count)
	}
}

// Admin overrides change what the scheduler counts: an agent reporting 2 cores overridden to
// 4 takes four 1-core sessions.
func TestAgentOverridesOversubscribe(t *testing.T) {
	a := startFast(t)
	ag := a.addAgent(t, 2)
	w := a.createWorkspace(t, oneCore("Desktop"))
	if _, err := a.agents.UpdateAgent(a.Admin(context.Background()), &pb.UpdateAgentRequest{
		Agent: &pb.Agent{Id: ag.ID, Overrides: &pb.Capacity{Cores: 4}}, UpdateMask: mask("overrides.cores")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := a.launch(t, a.AdminToken, w.GetId()); err != nil {
			t.Fatalf("launch %d with override: %v", i, err)
		}
	}
	_, err := a.launch(t, a.AdminToken, w.GetId())
	wantCode(t, err, codes.ResourceExhausted)
}

// Bad launches say why: too large for any agent, image nowhere, not allowed, disabled.
func TestLaunchRefusals(t *testing.T) {
	a := startFast(t)
	ctx := a.Admin(context.Background())

	noAgents := a.createWorkspace(t, oneCore("Early"))
	_, err := a.launch(t, a.AdminToken, noAgents.GetId())
	wantCode(t, err, codes.FailedPrecondition)

	a.addAgent(t, 4)
	big := container("Big")
	big.Container.Cores = 64
	wb := a.createWorkspace(t, big)
	_, err = a.launch(t, a.AdminToken, wb.GetId())
	if st := wantCode(t, err, codes.FailedPrecondition); st != nil && !containsAll(st.Message(), "64", "cores") {
		t.Errorf("too-large message %q does not say what is needed", st.Message())
	}

	other := oneCore("Other image")
	other.Container.Image = "not-on-any-agent:1"
	wo := a.createWorkspace(t, other)
	_, err = a.launch(t, a.AdminToken, wo.GetId())
	if st := wantCode(t, err, codes.FailedPrecondition); st != nil && !containsAll(st.Message(), "not-on-any-agent:1") {
		t.Errorf("missing-image message %q does not name the image", st.Message())
	}

	w := a.createWorkspace(t, oneCore("Desktop"))
	_, tok := a.NewUser(t, "carol")
	_, err = a.launch(t, tok, w.GetId())
	wantCode(t, err, codes.PermissionDenied)
	// Once a group allows it, carol may launch, and sees only her own session.
	me, _ := a.auth.GetCurrentUser(apptest.As(context.Background(), tok), &pb.GetCurrentUserRequest{})
	if _, err := a.groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: "g", MemberIds: []string{me.GetUser().GetId()},
		WorkspaceIds: []string{w.GetId()}}}); err != nil {
		t.Fatal(err)
	}
	mine, err := a.launch(t, tok, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	adminSession, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	list, err := a.sessions().ListSessions(apptest.As(context.Background(), tok), &pb.ListSessionsRequest{})
	if err != nil || len(list.GetSessions()) != 1 || list.GetSessions()[0].GetId() != mine.GetId() {
		t.Fatalf("carol's list: %v %v", list.GetSessions(), err)
	}
	_, err = a.sessions().GetSession(apptest.As(context.Background(), tok), &pb.GetSessionRequest{Id: adminSession.GetId()})
	wantCode(t, err, codes.NotFound)
	_, err = a.sessions().DeleteSession(apptest.As(context.Background(), tok), &pb.DeleteSessionRequest{Id: adminSession.GetId()})
	wantCode(t, err, codes.NotFound)

	if _, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: w.GetId()}, UpdateMask: mask("enabled")}); err != nil {
		t.Fatal(err)
	}
	_, err = a.launch(t, tok, w.GetId())
	wantCode(t, err, codes.FailedPrecondition)
}

// A retried launch with the same request_id returns the same session.
func TestLaunchIdempotent(t *testing.T) {
	a := startFast(t)
	a.addAgent(t, 4)
	w := a.createWorkspace(t, oneCore("Desktop"))
	ctx := a.Admin(context.Background())
	r1, err := a.sessions().CreateSession(ctx, &pb.CreateSessionRequest{WorkspaceId: w.GetId(), RequestId: "launch-1"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.sessions().CreateSession(ctx, &pb.CreateSessionRequest{WorkspaceId: w.GetId(), RequestId: "launch-1"})
	if err != nil || r2.GetSession().GetId() != r1.GetSession().GetId() {
		t.Fatalf("retry: %v %v, want session %s", r2.GetSession().GetId(), err, r1.GetSession().GetId())
	}
	if n := a.count(t, `SELECT count(*) FROM sessions`); n != 1 {
		t.Fatalf("%d sessions after a retried launch, want 1", n)
	}
}

// When an agent fails to start the container, the next agent is tried.
func TestFailedCreateMovesToNextAgent(t *testing.T) {
	a := startFast(t)
	good := a.addAgent(t, 16)
	w := a.createWorkspace(t, oneCore("Desktop"))
	if _, err := a.launch(t, a.AdminToken, w.GetId()); err != nil { // good is now loaded
		t.Fatal(err)
	}
	bad := a.addAgent(t, 64, func(o *simagent.Options) { o.FailCreates = true })
	// The empty failing agent is the least loaded, so launches try it first (unless its row is
	// busy at that instant, when placement takes the next agent rather than wait): launch until
	// one session was tried on it, and check that session runs on the good agent.
	var run *pb.Session
	for i := 0; i < 6 && run == nil; i++ {
		s, err := a.launch(t, a.AdminToken, w.GetId())
		if err != nil {
			t.Fatal(err)
		}
		got := a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
		if a.count(t, `SELECT count(*) FROM sessions WHERE id = $1 AND $2::uuid = ANY (tried_agents)`, s.GetId(), bad.ID) == 1 {
			run = got
		}
	}
	if run == nil {
		t.Fatal("no launch was ever placed on the failing agent")
	}
	if run.GetAgentId() != good.ID {
		t.Fatalf("running on %s, want %s", run.GetAgentId(), good.ID)
	}
	if got := a.waitAgent(t, bad.ID, pb.AgentState_AGENT_STATE_ONLINE); got.GetUsed().GetCores() != 0 {
		t.Fatalf("failing agent keeps a reservation: %v", got.GetUsed())
	}

	// With no agent left, the session fails with the agent's reason.
	good.disconnect()
	a.waitAgent(t, good.ID, pb.AgentState_AGENT_STATE_UNREACHABLE)
	s2, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	failed := a.waitSession(t, a.AdminToken, s2.GetId(), pb.SessionState_SESSION_STATE_FAILED)
	if !containsAll(failed.GetStateReason(), "simulated failure") {
		t.Fatalf("failure reason %q does not carry the agent's error", failed.GetStateReason())
	}
}

// A disabled agent gets no new sessions; its running ones continue.
func TestDisabledAgentDrains(t *testing.T) {
	a := startFast(t)
	ag1 := a.addAgent(t, 8)
	w := a.createWorkspace(t, oneCore("Desktop"))
	first, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	a.waitSession(t, a.AdminToken, first.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	ag2 := a.addAgent(t, 2)
	if _, err := a.agents.UpdateAgent(a.Admin(context.Background()), &pb.UpdateAgentRequest{
		Agent: &pb.Agent{Id: ag1.ID, Enabled: false}, UpdateMask: mask("enabled")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s, err := a.launch(t, a.AdminToken, w.GetId())
		if err != nil {
			t.Fatal(err)
		}
		if s.GetAgentId() != ag2.ID {
			t.Fatalf("launch %d went to the disabled agent", i)
		}
	}
	_, err = a.launch(t, a.AdminToken, w.GetId())
	wantCode(t, err, codes.ResourceExhausted)
	got, err := a.sessions().GetSession(a.Admin(context.Background()), &pb.GetSessionRequest{Id: first.GetId()})
	if err != nil || got.GetSession().GetState() != pb.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("session on the disabled agent: %v %v", got.GetSession().GetState(), err)
	}
	if _, ok := ag1.Containers()[first.GetId()]; !ok {
		t.Fatal("the disabled agent's container is gone")
	}
}

// An agent that stops checking in makes its sessions unreachable, not dead; when it comes back
// they run again. Gone for longer than the lost window, its sessions are lost.
func TestAgentUnreachableThenBackThenLost(t *testing.T) {
	a := startFast(t)
	ag := a.addAgent(t, 4)
	w := a.createWorkspace(t, oneCore("Desktop"))
	s, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)

	ag.disconnect()
	a.waitAgent(t, ag.ID, pb.AgentState_AGENT_STATE_UNREACHABLE)
	a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_UNREACHABLE)
	_, err = a.launch(t, a.AdminToken, w.GetId())
	wantCode(t, err, codes.FailedPrecondition) // no online agent

	ag.connect(t)
	a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)

	ag.disconnect()
	lost := a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_LOST)
	if lost.GetStateReason() == "" {
		t.Fatal("lost session has no reason")
	}
	if got := a.waitAgent(t, ag.ID, pb.AgentState_AGENT_STATE_LOST); got.GetUsed().GetCores() != 0 {
		t.Fatalf("lost agent keeps reservations: %v", got.GetUsed())
	}
	// Back after being lost: the orphaned container is removed.
	ag.connect(t)
	deadline := time.Now().Add(10 * time.Second)
	for len(ag.Containers()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(ag.Containers()); n != 0 {
		t.Fatalf("%d orphaned containers left after reconcile", n)
	}
}

// Idle sessions end; a keepalive pushes the deadline out.
func TestIdleTimeoutAndKeepAlive(t *testing.T) {
	a := startFast(t)
	a.addAgent(t, 4)
	w := oneCore("Short")
	w.IdleTimeoutSeconds = 3
	ws := a.createWorkspace(t, w)
	s, err := a.launch(t, a.AdminToken, ws.GetId())
	if err != nil {
		t.Fatal(err)
	}
	run := a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	time.Sleep(1500 * time.Millisecond)
	ka, err := a.sessions().KeepAliveSession(a.Admin(context.Background()), &pb.KeepAliveSessionRequest{Id: s.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if !ka.GetSession().GetExpireTime().AsTime().After(run.GetExpireTime().AsTime()) {
		t.Fatalf("keepalive did not extend: %v -> %v", run.GetExpireTime().AsTime(), ka.GetSession().GetExpireTime().AsTime())
	}
	end := a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_STOPPED)
	if end.GetStateReason() != "idle timeout" {
		t.Fatalf("ended with %q, want idle timeout", end.GetStateReason())
	}
	if end.GetEndTime().AsTime().Before(ka.GetSession().GetExpireTime().AsTime()) {
		t.Fatalf("ended at %v, before the extended deadline %v", end.GetEndTime().AsTime(), ka.GetSession().GetExpireTime().AsTime())
	}
	_, err = a.sessions().KeepAliveSession(a.Admin(context.Background()), &pb.KeepAliveSessionRequest{Id: s.GetId()})
	wantCode(t, err, codes.FailedPrecondition)
}

// Two replicas on one database: a launch on one reaches the agent connected to the other.
func TestTwoReplicas(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, apptest.Migrate)
	a := clients(apptest.StartWith(t, db, fastLifecycle))
	b := clients(apptest.StartWith(t, db, func(c *config.Config) {
		fastLifecycle(c)
		c.SecretKeyFile = a.SecretKeyFile
	}))
	ag := a.addAgent(t, 4) // connected to replica a
	w := a.createWorkspace(t, oneCore("Desktop"))
	s, err := b.launch(t, b.AdminToken, w.GetId()) // launched through replica b
	if err != nil {
		t.Fatal(err)
	}
	b.waitSession(t, b.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	if _, ok := ag.Containers()[s.GetId()]; !ok {
		t.Fatal("agent on replica a did not get the launch made on replica b")
	}
	if _, err := b.sessions().DeleteSession(b.Admin(context.Background()), &pb.DeleteSessionRequest{Id: s.GetId()}); err != nil {
		t.Fatal(err)
	}
	a.waitSession(t, a.AdminToken, s.GetId(), pb.SessionState_SESSION_STATE_STOPPED)

	// The agent reconnects to replica b: replica a's stream is closed as replaced.
	ag2 := &sim{Agent: ag.Agent, id: ag.id, addr: b.App.AgentAddr}
	ag2.connect(t)
	t.Cleanup(ag2.disconnect)
	select {
	case <-ag.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the older stream on replica a was not closed when the agent connected to replica b")
	}
	ag.cancel = nil
	s2, err := a.launch(t, a.AdminToken, w.GetId())
	if err != nil {
		t.Fatal(err)
	}
	a.waitSession(t, a.AdminToken, s2.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	// Both replicas run the lifecycle loops, but one leads: exactly one generation is current.
	if n := a.count(t, `SELECT count(*) FROM loop_leases WHERE name = 'lifecycle'`); n != 1 {
		t.Fatalf("%d lifecycle leases", n)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
