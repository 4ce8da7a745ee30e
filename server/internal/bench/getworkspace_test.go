package bench

import (
	"context"
	"fmt"
	"testing"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

// BenchmarkGetWorkspace is the unary-read target: an API-key-authenticated
// GetWorkspace under concurrent load, over gRPC and then over REST against the same server in
// the same run. Goals: >= 5,000 req/s over gRPC; REST >= 0.4x gRPC.
//
// HOTDESK_BENCH_CONC (default 32) sets the concurrent callers, HOTDESK_BENCH_CONNS (default 2)
// the gRPC connections they share. Client and server share the machine's cores.
func BenchmarkGetWorkspace(b *testing.B) {
	conc, nconns := envInt("HOTDESK_BENCH_CONC", 32), envInt("HOTDESK_BENCH_CONNS", 2)
	e := apptest.Start(b)
	c := newClient(b, e, conc, nconns)
	w, err := pb.NewWorkspaceServiceClient(e.Conn).CreateWorkspace(e.Admin(context.Background()), &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{
		Name: "Desktop", Description: "Ubuntu desktop with the usual tools", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true,
		Container: &pb.ContainerSpec{Image: "registry.example.com:5000/desktop:1.4", Registry: "registry.example.com:5000",
			RegistryUsername: "bot", RegistryPassword: "s3cret", Cores: 2, MemoryMb: 4096,
			DockerRunConfigOverride: `{"shm_size":"2g"}`, VolumeMappings: []*pb.VolumeMapping{{HostPath: "/srv/home", ContainerPath: "/home/user"}}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	id := w.GetWorkspace().GetId()
	clients := make([]pb.WorkspaceServiceClient, len(c.conns))
	for i, conn := range c.conns {
		clients[i] = pb.NewWorkspaceServiceClient(conn)
	}
	ctx := c.ctx()
	req := &pb.GetWorkspaceRequest{Id: id}
	viaGRPC := func(worker int) error {
		r, err := clients[worker%len(clients)].GetWorkspace(ctx, req)
		if err == nil && r.GetWorkspace().GetId() != id {
			err = fmt.Errorf("got workspace %q", r.GetWorkspace().GetId())
		}
		return err
	}
	path := "/v1/workspaces/" + id
	viaREST := func(int) error { _, err := c.get(path); return err }
	// Warm up both paths: connections, the credential cache, Postgres' plan cache.
	drive(b, conc, 20*conc, viaGRPC)
	drive(b, conc, 20*conc, viaREST)

	var grpcRes, restRes result
	b.Run("grpc", func(b *testing.B) {
		grpcRes = drive(b, conc, b.N, viaGRPC)
		grpcRes.report(b, "req")
	})
	b.Run("rest", func(b *testing.B) {
		restRes = drive(b, conc, b.N, viaREST)
		restRes.report(b, "req")
		if grpcRes.n > 0 {
			b.ReportMetric(restRes.rps()/grpcRes.rps(), "rest/grpc")
		}
	})
	if grpcRes.n == 0 || restRes.n == 0 {
		return // filtered by -bench
	}
	ratio := restRes.rps() / grpcRes.rps()
	fmt.Printf("GetWorkspace (%d callers, %d gRPC conns): grpc %.0f req/s p50 %.2fms p99 %.2fms | rest %.0f req/s p50 %.2fms p99 %.2fms | rest/grpc %.2f (goal >= 0.40) | grpc goal >= 5000 req/s: %s\n",
		conc, nconns, grpcRes.rps(), ms(grpcRes.pct(0.5)), ms(grpcRes.pct(0.99)), restRes.rps(), ms(restRes.pct(0.5)), ms(restRes.pct(0.99)),
		ratio, verdict(grpcRes.rps() >= 5000 && ratio >= 0.4))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

var _ = apptest.AdminPassword
