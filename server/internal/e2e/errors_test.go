package e2e

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// Contracted services that are not built yet say so, rather than failing some other way.
func TestUnimplementedContracts(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())

	_, err := pb.NewPoolServiceClient(a.Conn).ListPools(ctx, &pb.ListPoolsRequest{})
	wantCode(t, err, codes.Unimplemented)
	_, err = pb.NewServerServiceClient(a.Conn).ListServers(ctx, &pb.ListServersRequest{})
	wantCode(t, err, codes.Unimplemented)

	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/pools", ""},
		{http.MethodGet, "/v1/servers", ""},
	} {
		code, body := a.REST(t, c.method, c.path, a.AdminToken, c.body)
		wantREST(t, code, body, http.StatusNotImplemented, codes.Unimplemented)
	}

	// The access rules still come first: no credential, no answer about the contract.
	_, err = pb.NewPoolServiceClient(a.Conn).ListPools(t.Context(), &pb.ListPoolsRequest{})
	wantCode(t, err, codes.Unauthenticated)
}

// Bad input of every kind gets a client error that says what is wrong, never an internal error
// and never database or driver detail.
func TestBadInputNeverLeaksInternals(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	z := a.createZone(t, "z")
	w := a.createWorkspace(t, container("Desktop"))
	missing := uuid.NewString()

	calls := map[string]func(t *testing.T) error{
		"zone with NUL": func(t *testing.T) error {
			_, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "nul", Description: "a\x00b"}})
			return err
		},
		"zone rename with NUL": func(t *testing.T) error {
			_, err := a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: z.GetId(), Description: "\x00"}, UpdateMask: mask("description")})
			return err
		},
		"workspace name with NUL": func(t *testing.T) error {
			_, err := a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{Name: "x\x00y",
				Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK, LinkUrl: "https://example.com"}})
			return err
		},
		"volume path with NUL": func(t *testing.T) error {
			c := container("Vol")
			c.Container.VolumeMappings = []*pb.VolumeMapping{{HostPath: "/srv/a\x00b", ContainerPath: "/mnt"}}
			_, err := a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: c})
			return err
		},
		"login name with NUL": func(t *testing.T) error {
			_, err := a.auth.Login(t.Context(), &pb.LoginRequest{Username: "ad\x00min", Password: "x"})
			return err
		},
		"user display name with NUL": func(t *testing.T) error {
			_, err := a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "nul", DisplayName: "\x00", Password: "long enough"}})
			return err
		},
		"group name with NUL": func(t *testing.T) error {
			_, err := a.groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: "g\x00"}})
			return err
		},
		"api key name with NUL": func(t *testing.T) error {
			_, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "k\x00"}})
			return err
		},
		"workspace id not a uuid": func(t *testing.T) error {
			_, err := a.workspaces.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: "1; DROP TABLE"})
			return err
		},
		"agent id not a uuid": func(t *testing.T) error {
			_, err := a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: "zz"}})
			return err
		},
		"user id not a uuid": func(t *testing.T) error {
			_, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: "zz"}})
			return err
		},
		"zone id not a uuid": func(t *testing.T) error {
			_, err := a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: "zz", Name: "q"}})
			return err
		},
		"group id not a uuid": func(t *testing.T) error {
			_, err := a.groups.UpdateGroup(ctx, &pb.UpdateGroupRequest{Group: &pb.Group{Id: "zz", Name: "q"}})
			return err
		},
		"workspace update bad id": func(t *testing.T) error {
			_, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: "zz"}, UpdateMask: mask("name")})
			return err
		},
		"missing workspace": func(t *testing.T) error {
			_, err := a.workspaces.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: missing})
			return err
		},
		"missing user": func(t *testing.T) error {
			_, err := a.users.DeleteUser(ctx, &pb.DeleteUserRequest{Id: missing})
			return err
		},
		"missing group": func(t *testing.T) error {
			_, err := a.groups.DeleteGroup(ctx, &pb.DeleteGroupRequest{Id: missing})
			return err
		},
		"missing agent": func(t *testing.T) error {
			_, err := a.agents.DeleteAgent(ctx, &pb.DeleteAgentRequest{Id: missing})
			return err
		},
		"group of unknown members": func(t *testing.T) error {
			_, err := a.groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: "g", MemberIds: []string{missing}, WorkspaceIds: []string{w.GetId()}}})
			return err
		},
		"agent moved to unknown zone": func(t *testing.T) error {
			id, err := a.App.Store.InsertAgentForTest(t.Context(), agentRow("h", ""))
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: id, ZoneId: missing}, UpdateMask: mask("zone_id")})
			return err
		},
		"duplicate group name": func(t *testing.T) error {
			if _, err := a.groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: "dup"}}); err != nil {
				t.Fatal(err)
			}
			_, err := a.groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: "dup"}})
			return err
		},
		"duplicate workspace rename": func(t *testing.T) error {
			a.createWorkspace(t, container("Other"))
			_, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: w.GetId(), Name: "Other"}, UpdateMask: mask("name")})
			return err
		},
		"audit filter not a uuid": func(t *testing.T) error {
			_, err := a.audit.ListAuditEvents(ctx, &pb.ListAuditEventsRequest{UserId: "x'--"})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call(t)
			st, ok := status.FromError(err)
			if err == nil || !ok {
				t.Fatalf("accepted, or not a status: %v", err)
			}
			switch st.Code() {
			case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.Unauthenticated:
			default:
				t.Fatalf("got %s (%s), want a client error", st.Code(), st.Message())
			}
			noLeak(t, "message", st.Message())
			for _, d := range st.Details() {
				noLeak(t, "detail", fmtDetail(d))
			}
		})
	}

	// REST, including malformed bodies the gateway rejects before the server sees them.
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/v1/zones", `{"zone":{"name":"z2","description":"a\u0000b"}}`},
		{http.MethodPost, "/v1/zones", `{"zone":{"name":"z2","bogus":1}}`},
		{http.MethodPost, "/v1/zones", `{"zone":`},
		{http.MethodPost, "/v1/workspaces", `{"workspace":{"name":"x","kind":"NOT_A_KIND"}}`},
		{http.MethodGet, "/v1/workspaces/';--", ""},
		{http.MethodGet, "/v1/zones?pageSize=abc", ""},
	} {
		code, body := a.REST(t, c.method, c.path, a.AdminToken, c.body)
		wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	}
	if n := a.count(t, `SELECT count(*) FROM zones`); n != 1 {
		t.Fatalf("%d zones after refused creates", n)
	}
}

func fmtDetail(d any) string {
	if s, ok := d.(interface{ String() string }); ok {
		return s.String()
	}
	return ""
}
