package hotdesk

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// flaky answers UNAVAILABLE to the first calls of each RPC, then succeeds, and records the
// authorization header it saw.
type flaky struct {
	pb.UnimplementedWorkspaceServiceServer
	failFirst    int32
	gets, create atomic.Int32
	auth         atomic.Value
}

func (f *flaky) GetWorkspace(ctx context.Context, r *pb.GetWorkspaceRequest) (*pb.GetWorkspaceResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.auth.Store(md.Get("authorization"))
	if f.gets.Add(1) <= f.failFirst {
		return nil, status.Error(codes.Unavailable, "restarting")
	}
	return &pb.GetWorkspaceResponse{Workspace: &pb.Workspace{Id: r.GetId(), Name: "w"}}, nil
}

func (f *flaky) CreateWorkspace(context.Context, *pb.CreateWorkspaceRequest) (*pb.CreateWorkspaceResponse, error) {
	f.create.Add(1)
	return nil, status.Error(codes.Unavailable, "restarting")
}

func serveFlaky(t *testing.T, f *flaky) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	pb.RegisterWorkspaceServiceServer(s, f)
	go func() { _ = s.Serve(lis) }()
	t.Cleanup(s.Stop)
	return lis.Addr().String()
}

// Reads are retried on UNAVAILABLE by the default service config; changes are not.
func TestRetryPolicy(t *testing.T) {
	f := &flaky{failFirst: 2}
	addr := serveFlaky(t, f)
	c, err := Dial(context.Background(), addr, WithAPIKey("hdk_x"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.Workspaces.Get(context.Background(), "id-1")
	if err != nil || w.GetName() != "w" {
		t.Fatalf("get through two UNAVAILABLE answers: %v %v", w, err)
	}
	if n := f.gets.Load(); n != 3 {
		t.Fatalf("server saw %d gets, want 3", n)
	}
	if got := f.auth.Load().([]string); len(got) != 1 || got[0] != "Bearer hdk_x" {
		t.Fatalf("authorization sent: %v", got)
	}
	_, err = c.Workspaces.Create(context.Background(), &pb.Workspace{Name: "x"})
	if !IsUnavailable(err) || f.create.Load() != 1 {
		t.Fatalf("create: %v after %d attempts, want one UNAVAILABLE attempt", err, f.create.Load())
	}

	f2 := &flaky{failFirst: 1}
	c2, err := Dial(context.Background(), serveFlaky(t, f2), WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Workspaces.Get(context.Background(), "id"); !IsUnavailable(err) {
		t.Fatalf("without retries: %v", err)
	}
}

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct{ in, target, scheme string }{
		{"127.0.0.1:8080", "127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", "http"},
		{"https://hotdesk.example.com", "hotdesk.example.com:443", "https"},
		{"http://localhost", "localhost:80", "http"},
		{"dns:///hotdesk:8080", "dns:///hotdesk:8080", ""},
		{"", "", ""},
	} {
		target, scheme, err := parseAddr(tc.in)
		if tc.target == "" {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil || target != tc.target || scheme != tc.scheme {
			t.Errorf("%q: %q %q %v", tc.in, target, scheme, err)
		}
	}
}
