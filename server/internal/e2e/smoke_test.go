package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

// The "done when": an API key creates a workspace over REST, gRPC reads it back, and
// calls without credentials are refused.
func TestRESTCreateGRPCRead(t *testing.T) {
	e := apptest.Start(t)
	ctx := context.Background()
	key, err := pb.NewApiKeyServiceClient(e.Conn).CreateApiKey(e.Admin(ctx), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "automation"}})
	if err != nil {
		t.Fatal(err)
	}
	code, body := e.REST(t, http.MethodPost, "/v1/workspaces", key.GetSecret(),
		`{"workspace":{"name":"Desktop","kind":"WORKSPACE_KIND_CONTAINER","enabled":true,"container":{"image":"desktop:1.0","cores":2,"memoryMb":"2048"}}}`)
	if code != http.StatusOK {
		t.Fatalf("REST create: %d %s", code, body)
	}
	var created struct {
		Workspace struct{ ID string } `json:"workspace"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Workspace.ID == "" {
		t.Fatalf("REST create body %s: %v", body, err)
	}
	got, err := pb.NewWorkspaceServiceClient(e.Conn).GetWorkspace(apptest.As(ctx, key.GetSecret()), &pb.GetWorkspaceRequest{Id: created.Workspace.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetWorkspace().GetName() != "Desktop" || got.GetWorkspace().GetContainer().GetCores() != 2 || got.GetWorkspace().GetContainer().GetMemoryMb() != 2048 {
		t.Fatalf("read back %v", got)
	}
	_, err = pb.NewWorkspaceServiceClient(e.Conn).GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: created.Workspace.ID})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("no credential: got %v, want Unauthenticated", err)
	}
	if code, _ := e.REST(t, http.MethodGet, "/v1/workspaces/"+created.Workspace.ID, "", ""); code != http.StatusUnauthorized {
		t.Fatalf("REST without credential: %d, want 401", code)
	}
}
