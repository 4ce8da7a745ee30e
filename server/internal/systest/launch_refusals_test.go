package systest

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// Launches that cannot be placed or are not allowed are refused with a precise status, and
// leave no session behind; the same user launches once a group allows the workspace.
func TestLaunchRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, timings{})
	a := e.startAgent("a")
	reported := e.getAgent(a.id).GetReported().GetCores()

	// More cores than any agent has: no waiting helps.
	big := e.createWorkspace(containerWorkspace("big", 64, 256))
	_, err := e.sessions.CreateSession(e.admin(), &pb.CreateSessionRequest{WorkspaceId: big.GetId()})
	st := wantStatus(t, err, codes.FailedPrecondition, "WORKSPACE_TOO_LARGE")
	if !strings.Contains(st.Message(), "64") {
		t.Errorf("message %q does not say what the workspace needs", st.Message())
	}
	if reported >= 64 {
		t.Fatalf("this host reports %v cores; the test needs fewer than 64", reported)
	}
	// An image no agent holds.
	missing := containerWorkspace("missing", 0.25, 64)
	missing.Container.Image = "hdtest/not-here:1"
	missing = e.createWorkspace(missing)
	_, err = e.sessions.CreateSession(e.admin(), &pb.CreateSessionRequest{WorkspaceId: missing.GetId()})
	wantStatus(t, err, codes.FailedPrecondition, "IMAGE_NOT_PRESENT")

	// A user none of whose groups allows the workspace.
	ws := e.createWorkspace(containerWorkspace("desk", 0.25, 64))
	other := e.createWorkspace(containerWorkspace("other", 0.25, 64))
	u, err := e.users.CreateUser(e.admin(), &pb.CreateUserRequest{User: &pb.User{Username: "alice", Password: "alice-password", Role: pb.Role_ROLE_USER}})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	l, err := pb.NewAuthServiceClient(e.conn).Login(t.Context(), &pb.LoginRequest{Username: "alice", Password: "alice-password"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	alice := as(t.Context(), l.GetToken())
	_, err = e.sessions.CreateSession(alice, &pb.CreateSessionRequest{WorkspaceId: ws.GetId()})
	wantStatus(t, err, codes.PermissionDenied, "")
	g, err := e.groups.CreateGroup(e.admin(), &pb.CreateGroupRequest{Group: &pb.Group{Name: "staff",
		MemberIds: []string{u.GetUser().GetId()}, WorkspaceIds: []string{other.GetId()}}})
	if err != nil {
		t.Fatalf("create group: %v", err)
	}
	_, err = e.sessions.CreateSession(alice, &pb.CreateSessionRequest{WorkspaceId: ws.GetId()})
	wantStatus(t, err, codes.PermissionDenied, "")

	for _, w := range []*pb.Workspace{big, missing, ws} {
		list, err := e.listSessions(w.GetId())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("refused launches of %s left sessions %v", w.GetName(), list)
		}
	}
	if ag := e.getAgent(a.id); ag.GetUsed().GetCores() != 0 || ag.GetSessionCount() != 0 {
		t.Errorf("refused launches reserved %v in %d sessions on the agent", ag.GetUsed(), ag.GetSessionCount())
	}

	// Allowed through a group, alice launches and sees her session run.
	if _, err := e.groups.UpdateGroup(e.admin(), &pb.UpdateGroupRequest{
		Group:      &pb.Group{Id: g.GetGroup().GetId(), WorkspaceIds: []string{other.GetId(), ws.GetId()}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"workspace_ids"}},
	}); err != nil {
		t.Fatalf("update group: %v", err)
	}
	s := e.launchAs(alice, ws.GetId())
	if s.GetUserId() != u.GetUser().GetId() || s.GetAgentId() != a.id {
		t.Errorf("alice's session: user %s agent %s, want %s on %s", s.GetUserId(), s.GetAgentId(), u.GetUser().GetId(), a.id)
	}
	if cs := e.sessionContainers(s.GetId()); len(cs) != 1 || cs[0].State != "running" {
		t.Errorf("alice's session has containers %v, want one running", cs)
	}
}
