package hotdesk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	"github.com/hotdesk/hotdesk/clients/internal/testenv"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func dial(t *testing.T, opts ...hotdesk.Option) (*hotdesk.Client, *testenv.Server) {
	t.Helper()
	srv := testenv.Get(t)
	c, err := hotdesk.Dial(context.Background(), srv.BaseURL, append([]hotdesk.Option{hotdesk.WithAPIKey(srv.APIKey)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, srv
}

func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// A session launched through the SDK runs, is kept alive, listed, destroyed and seen stopped.
func TestSessionLifecycle(t *testing.T) {
	c, srv := dial(t)
	ctx := timeout(t)
	s, err := c.Sessions.Launch(ctx, srv.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	if s.GetId() == "" || s.GetWorkspaceId() != srv.WorkspaceID {
		t.Fatalf("launched %v", s)
	}
	run, err := c.WaitSession(ctx, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	if err != nil {
		t.Fatal(err)
	}
	if run.GetStartTime() == nil || run.GetAgentId() == "" {
		t.Fatalf("running session lacks start time or agent: %v", run)
	}
	kept, err := c.Sessions.KeepAlive(ctx, s.GetId())
	if err != nil || kept.GetExpireTime() == nil {
		t.Fatalf("keepalive: %v %v", kept, err)
	}
	found := false
	for got, err := range c.Sessions.List(ctx, &pb.ListSessionsRequest{PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		found = found || got.GetId() == s.GetId()
	}
	if !found {
		t.Fatal("running session not listed")
	}
	if err := c.Sessions.Delete(ctx, s.GetId()); err != nil {
		t.Fatal(err)
	}
	end, err := c.WaitSession(ctx, s.GetId(), pb.SessionState_SESSION_STATE_STOPPED)
	if err != nil || end.GetEndTime() == nil {
		t.Fatalf("wait stopped: %v %v", end, err)
	}
	// Waiting for a state an ended session will never reach fails at once, not at the deadline.
	_, err = c.WaitSession(ctx, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	var ended *hotdesk.SessionEndedError
	if !errors.As(err, &ended) || ended.Session.GetState() != pb.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("wait for RUNNING on a stopped session: %v", err)
	}
}

// The three errors a caller most often handles arrive as *hotdesk.Error with the code, the
// server's message, the ErrorInfo reason and the field at fault.
func TestTypedErrors(t *testing.T) {
	c, srv := dial(t)
	ctx := timeout(t)

	const missing = "00000000-0000-4000-8000-000000000000"
	_, err := c.Workspaces.Get(ctx, missing)
	var e *hotdesk.Error
	if !errors.As(err, &e) || e.Code != codes.NotFound || !hotdesk.IsNotFound(err) {
		t.Fatalf("get unknown workspace: %#v", err)
	}
	if !strings.Contains(e.Message, missing) || e.Reason != "NOT_FOUND" {
		t.Fatalf("not found error lost the server's message or reason: %+v", e)
	}
	if status.Code(err) != codes.NotFound || !errors.Is(err, &hotdesk.Error{Code: codes.NotFound}) {
		t.Fatal("status.Code or errors.Is do not see the code")
	}

	_, err = c.Workspaces.Get(ctx, "not-a-uuid")
	if !hotdesk.IsInvalidArgument(err) {
		t.Fatalf("get with a bad id: %v", err)
	}
	e, _ = hotdesk.AsError(err)
	if e.Field != "id" || !strings.Contains(e.Message, "UUID") || len(e.Violations) == 0 {
		t.Fatalf("invalid argument lacks field or message: %+v", e)
	}

	_, err = c.Workspaces.Create(ctx, &pb.Workspace{Name: "", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER})
	if !hotdesk.IsInvalidArgument(err) {
		t.Fatalf("create without a name: %v", err)
	}

	// A read-only key may read but not change anything.
	key, secret, err := c.APIKeys.Create(ctx, &pb.ApiKey{Name: "read-only", Scope: pb.ApiKeyScope_API_KEY_SCOPE_READ_ONLY})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.APIKeys.Delete(context.Background(), key.GetId()) })
	ro, err := hotdesk.Dial(ctx, srv.BaseURL, hotdesk.WithAPIKey(secret))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Workspaces.Get(ctx, srv.WorkspaceID); err != nil {
		t.Fatalf("read-only key cannot read: %v", err)
	}
	_, err = ro.Sessions.Launch(ctx, srv.WorkspaceID)
	if !hotdesk.IsPermissionDenied(err) {
		t.Fatalf("read-only key launching: %v", err)
	}
	e, _ = hotdesk.AsError(err)
	if e.Message == "" || e.Reason == "" {
		t.Fatalf("permission denied lacks message or reason: %+v", e)
	}

	bad, err := hotdesk.Dial(ctx, srv.BaseURL, hotdesk.WithAPIKey("hdk_not-a-key"))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.Auth.Me(ctx); !hotdesk.IsUnauthenticated(err) {
		t.Fatalf("unknown key: %v", err)
	}
}

// List iterators follow page tokens to the end and stop early when the loop breaks.
func TestPagination(t *testing.T) {
	c, _ := dial(t)
	ctx := timeout(t)
	prefix := fmt.Sprintf("page-%d-", time.Now().UnixNano())
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		z, err := c.Zones.Create(ctx, &pb.Zone{Name: fmt.Sprintf("%s%d", prefix, i)})
		if err != nil {
			t.Fatal(err)
		}
		want[z.GetId()] = true
		t.Cleanup(func() { _ = c.Zones.Delete(context.Background(), z.GetId()) })
	}
	all, err := hotdesk.Collect(c.Zones.List(ctx, &pb.ListZonesRequest{PageSize: 2}))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, z := range all {
		if seen[z.GetId()] {
			t.Fatalf("zone %s listed twice", z.GetId())
		}
		seen[z.GetId()] = true
		delete(want, z.GetId())
	}
	if len(want) != 0 {
		t.Fatalf("zones missing from the listing: %v", want)
	}
	n := 0
	for range c.Zones.List(ctx, &pb.ListZonesRequest{PageSize: 2}) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("early break: %d", n)
	}
	// A bad page size comes out of the iterator as a typed error.
	_, err = hotdesk.Collect(c.Zones.List(ctx, &pb.ListZonesRequest{PageSize: 5000}))
	if !hotdesk.IsInvalidArgument(err) {
		t.Fatalf("page size 5000: %v", err)
	}
}

// Every client of the SDK works: a tour of the typed helpers.
func TestHelpers(t *testing.T) {
	c, srv := dial(t)
	ctx := timeout(t)
	me, err := c.Auth.Me(ctx)
	if err != nil || me.GetRole() != pb.Role_ROLE_ADMIN {
		t.Fatalf("me: %v %v", me, err)
	}
	w, err := c.Workspaces.Get(ctx, srv.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	copyName := fmt.Sprintf("copy-%d", time.Now().UnixNano())
	w2, err := c.Workspaces.Create(ctx, &pb.Workspace{Name: copyName, Kind: w.GetKind(), Enabled: true,
		Container: &pb.ContainerSpec{Image: w.GetContainer().GetImage(), Cores: 1, MemoryMb: 512}})
	if err != nil {
		t.Fatal(err)
	}
	w2, err = c.Workspaces.Update(ctx, &pb.Workspace{Id: w2.GetId(), Description: "changed"}, "description")
	if err != nil || w2.GetDescription() != "changed" || w2.GetName() != copyName {
		t.Fatalf("update description: %v %v", w2, err)
	}
	if err := c.Workspaces.Delete(ctx, w2.GetId()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Workspaces.Get(ctx, w2.GetId()); !hotdesk.IsNotFound(err) {
		t.Fatalf("deleted workspace: %v", err)
	}

	u, err := c.Users.Create(ctx, &pb.User{Username: fmt.Sprintf("u%d", time.Now().UnixNano()), Password: "password-123", Role: pb.Role_ROLE_USER})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.Groups.Create(ctx, &pb.Group{Name: "g-" + u.GetUsername(), MemberIds: []string{u.GetId()}, WorkspaceIds: []string{srv.WorkspaceID}})
	if err != nil || len(g.GetMemberIds()) != 1 {
		t.Fatalf("group: %v %v", g, err)
	}
	// The user sees the workspace through the group, but no agents.
	uc, err := hotdesk.Dial(ctx, srv.BaseURL, hotdesk.WithPassword(u.GetUsername(), "password-123"))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	if _, err := uc.Workspaces.Get(ctx, srv.WorkspaceID); err != nil {
		t.Fatalf("user reading an allowed workspace: %v", err)
	}
	if _, err := hotdesk.Collect(uc.Agents.List(ctx, nil)); !hotdesk.IsPermissionDenied(err) {
		t.Fatalf("user listing agents: %v", err)
	}
	if err := uc.Auth.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := uc.Auth.Me(ctx); !hotdesk.IsUnauthenticated(err) {
		t.Fatalf("after logout: %v", err)
	}
	if err := c.Groups.Delete(ctx, g.GetId()); err != nil {
		t.Fatal(err)
	}
	if err := c.Users.Delete(ctx, u.GetId()); err != nil {
		t.Fatal(err)
	}

	agents, err := hotdesk.Collect(c.Agents.List(ctx, nil))
	if err != nil || len(agents) == 0 {
		t.Fatalf("agents: %v %v", agents, err)
	}
	tok, err := c.Agents.CreateEnrollmentToken(ctx, &pb.CreateEnrollmentTokenRequest{TtlSeconds: 120})
	if err != nil || !strings.HasPrefix(tok.GetToken(), "hde_") {
		t.Fatalf("enrollment token: %v %v", tok, err)
	}
	events, err := hotdesk.Collect(c.Audit.List(ctx, &pb.ListAuditEventsRequest{PageSize: 50}))
	if err != nil || len(events) == 0 {
		t.Fatalf("audit: %d events, %v", len(events), err)
	}
}

// Draining an agent stops new sessions from landing there; enabling it brings them back.
// A user signed in with a password changes it: the client keeps working, the other sign-in
// and the old password stop working; a wrong current password and API keys are refused.
func TestChangePassword(t *testing.T) {
	admin, srv := dial(t)
	ctx := timeout(t)
	name := fmt.Sprintf("pw%d", time.Now().UnixNano())
	u, err := admin.Users.Create(ctx, &pb.User{Username: name, Password: "old password 1", Role: pb.Role_ROLE_USER})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Users.Delete(context.Background(), u.GetId()) })
	signIn := func(password string) (*hotdesk.Client, error) {
		c, err := hotdesk.Dial(ctx, srv.BaseURL, hotdesk.WithPassword(name, password))
		if err == nil {
			t.Cleanup(func() { c.Close() })
		}
		return c, err
	}
	uc, err := signIn("old password 1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := signIn("old password 1")
	if err != nil {
		t.Fatal(err)
	}

	_, err = uc.Auth.ChangePassword(ctx, "not it", "new password 2")
	if e, ok := hotdesk.AsError(err); !ok || e.Code != codes.InvalidArgument || e.Field != "current_password" {
		t.Fatalf("wrong current password: %v (%+v)", err, e)
	}
	if _, err := admin.Auth.ChangePassword(ctx, "anything", "new password 2"); !hotdesk.IsPermissionDenied(err) {
		t.Fatalf("with an API key: %v", err)
	}
	resp, err := uc.Auth.ChangePassword(ctx, "old password 1", "new password 2")
	if err != nil || resp.GetRevokedLoginCount() != 1 {
		t.Fatalf("change: %v %v", resp, err)
	}
	if me, err := uc.Auth.Me(ctx); err != nil || me.GetUsername() != name {
		t.Fatalf("the client that changed the password: %v %v", me, err)
	}
	if _, err := other.Auth.Me(ctx); !hotdesk.IsUnauthenticated(err) {
		t.Fatalf("the other sign-in after the change: %v", err)
	}
	if _, err := signIn("old password 1"); !hotdesk.IsUnauthenticated(err) {
		t.Fatalf("the old password: %v", err)
	}
	if _, err := signIn("new password 2"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}

func TestDrainAgent(t *testing.T) {
	c, srv := dial(t)
	ctx := timeout(t)
	id := srv.AgentIDs[0]
	a, err := c.Agents.Drain(ctx, id)
	if err != nil || a.GetEnabled() {
		t.Fatalf("drain: %v %v", a, err)
	}
	t.Cleanup(func() { _, _ = c.Agents.Enable(context.Background(), id) })
	if _, err := c.Sessions.Launch(ctx, srv.WorkspaceID); err == nil {
		t.Fatal("launch succeeded with the only agent drained")
	} else if e, ok := hotdesk.AsError(err); !ok || e.Message == "" {
		t.Fatalf("launch on a drained platform: %v", err)
	}
	if a, err = c.Agents.Enable(ctx, id); err != nil || !a.GetEnabled() {
		t.Fatalf("enable: %v %v", a, err)
	}
}

// A watch survives its connection being cut: it reconnects, does not repeat the state it
// already yielded, and goes on to the end of the session.
func TestWatchReconnects(t *testing.T) {
	srv := testenv.Get(t)
	p := newProxy(t, srv.Addr)
	c, err := hotdesk.Dial(context.Background(), p.addr(), hotdesk.WithAPIKey(srv.APIKey))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	direct, _ := dial(t)
	ctx := timeout(t)
	s, err := c.Sessions.Launch(ctx, srv.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitSession(ctx, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING); err != nil {
		t.Fatal(err)
	}
	var states []pb.SessionState
	for got, err := range c.WatchSession(ctx, s.GetId()) {
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, got.GetState())
		if len(states) == 1 {
			p.cut() // break the stream under the watch
			time.Sleep(200 * time.Millisecond)
			if err := direct.Sessions.Delete(ctx, s.GetId()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if states[0] != pb.SessionState_SESSION_STATE_RUNNING || states[len(states)-1] != pb.SessionState_SESSION_STATE_STOPPED {
		t.Fatalf("states seen: %v", states)
	}
	for i := 1; i < len(states); i++ {
		if states[i] == pb.SessionState_SESSION_STATE_RUNNING {
			t.Fatalf("RUNNING yielded again after the reconnect: %v", states)
		}
	}
	if p.accepted() < 2 {
		t.Fatalf("the watch did not reconnect (%d connections)", p.accepted())
	}
}

// The Go quickstart of the README runs against the server.
func TestQuickstart(t *testing.T) {
	testenv.Get(t)
	cmd := exec.Command("go", "run", "./clients/go/examples/quickstart")
	cmd.Dir = testenv.Root(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart: %v\n%s", err, out)
	}
	for _, want := range []string{"launched session", "connect URL:", "destroyed"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("quickstart output lacks %q:\n%s", want, out)
		}
	}
	readme, err := os.ReadFile(testenv.Root(t) + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(testenv.Root(t) + "/clients/go/examples/quickstart/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), string(src)) {
		t.Fatal("README.md does not show clients/go/examples/quickstart/main.go verbatim")
	}
}

// proxy relays TCP to a target and can cut every relayed connection at once.
type proxy struct {
	lis    net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	n      int
}

func newProxy(t *testing.T, target string) *proxy {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{lis: lis, target: target}
	t.Cleanup(func() { lis.Close(); p.cut() })
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.n++
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) addr() string { return p.lis.Addr().String() }

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}
