package e2e

import (
	"net/http"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

func TestCreateRetriedWithRequestID(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	req := &pb.CreateWorkspaceRequest{Workspace: container("Desktop"), RequestId: "create-desktop-1"}
	first, err := a.workspaces.CreateWorkspace(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// The retry would clash on the name if it created again; instead it returns the first.
	again, err := a.workspaces.CreateWorkspace(ctx, req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if again.GetWorkspace().GetId() != first.GetWorkspace().GetId() {
		t.Fatalf("retry made %s, first was %s", again.GetWorkspace().GetId(), first.GetWorkspace().GetId())
	}
	// Through REST too.
	code, body := a.REST(t, http.MethodPost, "/v1/workspaces", a.AdminToken,
		`{"requestId":"create-desktop-1","workspace":{"name":"Desktop","kind":"WORKSPACE_KIND_CONTAINER","container":{"image":"desktop:1.0","cores":2,"memoryMb":"2048"}}}`)
	var rest struct {
		Workspace struct{ ID string } `json:"workspace"`
	}
	if code != http.StatusOK {
		t.Fatalf("REST retry: %d %s", code, body)
	}
	decode(t, body, &rest)
	if rest.Workspace.ID != first.GetWorkspace().GetId() {
		t.Fatalf("REST retry made %s", rest.Workspace.ID)
	}
	if n := a.count(t, `SELECT count(*) FROM workspaces`); n != 1 {
		t.Fatalf("%d workspace rows, want 1", n)
	}

	// Without a request_id a second create is a new request, refused on the name.
	_, err = a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: container("Desktop")})
	wantCode(t, err, codes.AlreadyExists)

	// The same key on another method is another request.
	z, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "z"}, RequestId: "create-desktop-1"})
	if err != nil || z.GetZone().GetId() == first.GetWorkspace().GetId() {
		t.Fatalf("zone with a workspace's request_id: %v %v", z, err)
	}

	// A refused create does not use the key up: fixing the request and retrying works.
	bad := &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{Name: "Later", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER}, RequestId: "later-1"}
	_, err = a.workspaces.CreateWorkspace(ctx, bad)
	wantCode(t, err, codes.InvalidArgument)
	bad.Workspace = container("Later")
	if got, err := a.workspaces.CreateWorkspace(ctx, bad); err != nil || got.GetWorkspace().GetName() != "Later" {
		t.Fatalf("retry after a refused create: %v %v", got, err)
	}
}

func TestRequestIDsAreScopedToTheCaller(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	if _, err := a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "admin2", Password: "admin2 password", Role: pb.Role_ROLE_ADMIN}}); err != nil {
		t.Fatal(err)
	}
	ctx2 := apptest.As(t.Context(), a.login(t, "admin2", "admin2 password"))

	w1, err := a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: container("One"), RequestId: "same-key"})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := a.workspaces.CreateWorkspace(ctx2, &pb.CreateWorkspaceRequest{Workspace: container("Two"), RequestId: "same-key"})
	if err != nil {
		t.Fatal(err)
	}
	if w1.GetWorkspace().GetId() == w2.GetWorkspace().GetId() || w2.GetWorkspace().GetName() != "Two" {
		t.Fatalf("two admins with one request_id got %v and %v", w1.GetWorkspace(), w2.GetWorkspace())
	}

	// Users' API keys, same key string: distinct keys, each with its secret.
	_, tokA := a.NewUser(t, "ann")
	_, tokB := a.NewUser(t, "ben")
	ka, err := a.keys.CreateApiKey(apptest.As(t.Context(), tokA), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "k"}, RequestId: "same-key"})
	if err != nil {
		t.Fatal(err)
	}
	kb, err := a.keys.CreateApiKey(apptest.As(t.Context(), tokB), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "k"}, RequestId: "same-key"})
	if err != nil {
		t.Fatal(err)
	}
	if ka.GetApiKey().GetId() == kb.GetApiKey().GetId() || kb.GetSecret() == "" {
		t.Fatalf("two users with one request_id: %v %v", ka.GetApiKey(), kb.GetApiKey())
	}
	if n := a.count(t, `SELECT count(*) FROM workspaces`); n != 2 {
		t.Fatalf("%d workspaces, want 2", n)
	}
}

// Concurrent retries of one create (a client that timed out and retried while the first call
// was still running) all get the one resource.
func TestConcurrentRetriesCreateOnce(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	const n = 6
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: container("Racy"), RequestId: "racy-1"})
			ids[i], errs[i] = r.GetWorkspace().GetId(), err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("retry %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("retries got different workspaces: %v", ids)
		}
	}
	if c := a.count(t, `SELECT count(*) FROM workspaces`); c != 1 {
		t.Fatalf("%d workspace rows, want 1", c)
	}
}
