package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// api bundles the clients of every implemented service on one server.
type api struct {
	*apptest.Env
	auth       pb.AuthServiceClient
	zones      pb.ZoneServiceClient
	workspaces pb.WorkspaceServiceClient
	users      pb.UserServiceClient
	groups     pb.GroupServiceClient
	keys       pb.ApiKeyServiceClient
	agents     pb.AgentServiceClient
	audit      pb.AuditServiceClient
}

// start runs a server on a fresh database (in parallel with other tests) with clients.
func start(t *testing.T) *api {
	t.Helper()
	t.Parallel()
	return clients(apptest.Start(t))
}

func clients(e *apptest.Env) *api {
	return &api{
		Env:        e,
		auth:       pb.NewAuthServiceClient(e.Conn),
		zones:      pb.NewZoneServiceClient(e.Conn),
		workspaces: pb.NewWorkspaceServiceClient(e.Conn),
		users:      pb.NewUserServiceClient(e.Conn),
		groups:     pb.NewGroupServiceClient(e.Conn),
		keys:       pb.NewApiKeyServiceClient(e.Conn),
		agents:     pb.NewAgentServiceClient(e.Conn),
		audit:      pb.NewAuditServiceClient(e.Conn),
	}
}

// leakMarkers are strings that only appear when database or driver detail reaches a client.
var leakMarkers = []string{"SQLSTATE", "pgx", "pgconn", "pq:", "syntax error at", "violates", "relation \"", "constraint"}

// noLeak fails when a client-visible message carries internal detail.
func noLeak(t testing.TB, what, msg string) {
	t.Helper()
	for _, m := range leakMarkers {
		if strings.Contains(msg, m) {
			t.Errorf("%s leaks internal detail %q: %s", what, m, msg)
		}
	}
}

// wantCode checks that err has the gRPC code want and a message free of internal detail.
func wantCode(t testing.TB, err error, want codes.Code) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || err == nil {
		t.Fatalf("got error %v, want a %s status", err, want)
	}
	if st.Code() != want {
		t.Fatalf("got %s (%s), want %s", st.Code(), st.Message(), want)
	}
	if st.Message() == "" {
		t.Errorf("%s status has an empty message", want)
	}
	noLeak(t, "status message", st.Message())
	return st
}

// wantInvalid checks for InvalidArgument whose message and BadRequest detail name field, and
// whose message also contains every one of mentions.
func wantInvalid(t testing.TB, err error, field string, mentions ...string) {
	t.Helper()
	st := wantCode(t, err, codes.InvalidArgument)
	if !strings.Contains(st.Message(), field) {
		t.Errorf("message %q does not name the field %q", st.Message(), field)
	}
	for _, m := range mentions {
		if !strings.Contains(st.Message(), m) {
			t.Errorf("message %q does not mention %q", st.Message(), m)
		}
	}
	var named bool
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				named = named || v.GetField() == field
			}
		}
	}
	if !named {
		t.Errorf("no BadRequest field violation for %q in %v", field, st.Details())
	}
}

// restError is the JSON body of a failed REST call.
type restError struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Details []json.RawMessage `json:"details"`
}

// wantREST checks a failed REST call: HTTP status, and a {code,message,details} body whose code
// is the gRPC code.
func wantREST(t testing.TB, gotHTTP int, body string, wantHTTP int, wantGRPC codes.Code) restError {
	t.Helper()
	if gotHTTP != wantHTTP {
		t.Fatalf("HTTP %d (%s), want %d", gotHTTP, body, wantHTTP)
	}
	var re restError
	if err := json.Unmarshal([]byte(body), &re); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if codes.Code(re.Code) != wantGRPC || re.Message == "" {
		t.Fatalf("error body %s: want code %d (%s) and a message", body, wantGRPC, wantGRPC)
	}
	noLeak(t, "REST error body", body)
	return re
}

// decode unmarshals a REST response body.
func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

// container returns a valid container workspace.
func container(name string) *pb.Workspace {
	return &pb.Workspace{Name: name, Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true,
		Container: &pb.ContainerSpec{Image: "desktop:1.0", Cores: 2, MemoryMb: 2048}}
}

func (a *api) createZone(t testing.TB, name string) *pb.Zone {
	t.Helper()
	z, err := a.zones.CreateZone(a.Admin(context.Background()), &pb.CreateZoneRequest{Zone: &pb.Zone{Name: name}})
	if err != nil {
		t.Fatalf("create zone %s: %v", name, err)
	}
	return z.GetZone()
}

func (a *api) createWorkspace(t testing.TB, w *pb.Workspace) *pb.Workspace {
	t.Helper()
	got, err := a.workspaces.CreateWorkspace(a.Admin(context.Background()), &pb.CreateWorkspaceRequest{Workspace: w})
	if err != nil {
		t.Fatalf("create workspace %s: %v", w.GetName(), err)
	}
	return got.GetWorkspace()
}

func (a *api) getWorkspace(t testing.TB, id string) *pb.Workspace {
	t.Helper()
	got, err := a.workspaces.GetWorkspace(a.Admin(context.Background()), &pb.GetWorkspaceRequest{Id: id})
	if err != nil {
		t.Fatalf("get workspace %s: %v", id, err)
	}
	return got.GetWorkspace()
}

// count runs a SELECT count(*) (or any single-integer query) straight on the database.
func (a *api) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := a.App.Store.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// login signs in and returns the token.
func (a *api) login(t testing.TB, username, password string) string {
	t.Helper()
	l, err := a.auth.Login(context.Background(), &pb.LoginRequest{Username: username, Password: password})
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return l.GetToken()
}

// whoAmI returns the error of GetCurrentUser with bearer: nil while the credential works.
func (a *api) whoAmI(bearer string) error {
	_, err := a.auth.GetCurrentUser(apptest.As(context.Background(), bearer), &pb.GetCurrentUserRequest{})
	return err
}

// agentRow is an enrolled, online agent reporting 8 cores, 16 GiB and no GPU, as enrollment
// would register it.
func agentRow(hostname, zoneID string) *model.Agent {
	return &model.Agent{Hostname: hostname, ZoneID: zoneID, Enabled: true, State: int(pb.AgentState_AGENT_STATE_ONLINE),
		Reported: model.Capacity{Cores: 8, MemoryMB: 16384}}
}

// insertAgent registers an agent row directly and returns its id.
func (a *api) insertAgent(t testing.TB, hostname, zoneID string) string {
	t.Helper()
	id, err := a.App.Store.InsertAgentForTest(context.Background(), agentRow(hostname, zoneID))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
