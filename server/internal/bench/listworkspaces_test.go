package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/uuid"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

const catalogSize = 10_000

// seedCatalog inserts n container workspaces straight into Postgres (the API would take
// minutes) with UUIDv7 ids, as the server makes them, and returns their ids in order.
func seedCatalog(b testing.TB, e *apptest.Env, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7()).String()
	}
	ctx := context.Background()
	_, err := e.App.Store.Pool().Exec(ctx, `INSERT INTO workspaces (id, name, description, thumbnail_url, kind, enabled, image,
		registry, cores, memory_mb, cpu_allocation, run_config_override, docker_network, volume_mappings)
		SELECT t.id, 'Desktop ' || t.i, 'Ubuntu desktop number ' || t.i || ' with the usual tools and a longer description',
			'https://example.com/thumbs/' || t.i || '.png', 1, true, 'registry.example.com:5000/desktop:' || (t.i % 50),
			'registry.example.com:5000', 2, 4096, 1, '{"shm_size":"2g"}', 'desks',
			'[{"host_path":"/srv/home","container_path":"/home/user"}]'
		FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i)`, ids)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.App.Store.Pool().Exec(ctx, `ANALYZE workspaces`); err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkListWorkspaces is the paging target: walk a catalog of 10,000 workspaces
// page by page, one request at a time, and time each page. Goal: p99 <= 20 ms per page.
// Besides the administrator (who sees everything) it walks as a user whose group allows the
// whole catalog, and as one whose group allows 1% of it (the query must skip the rest).
func BenchmarkListWorkspaces(b *testing.B) {
	e := apptest.Start(b)
	ids := seedCatalog(b, e, catalogSize)
	admin := newClient(b, e, 1, 1)

	// Users: one sees all of the catalog through a group, one sees every 100th workspace.
	ctx := e.Admin(context.Background())
	userClient := func(name string, every int) *client {
		u, tok := e.NewUser(b, name)
		g, err := pb.NewGroupServiceClient(e.Conn).CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: name, MemberIds: []string{u.GetId()}}})
		if err != nil {
			b.Fatal(err)
		}
		var allowed []string
		for i := 0; i < len(ids); i += every {
			allowed = append(allowed, ids[i])
		}
		if _, err := e.App.Store.Pool().Exec(context.Background(), `INSERT INTO group_workspaces (group_id, workspace_id)
			SELECT $1, x FROM unnest($2::uuid[]) AS x`, g.GetGroup().GetId(), allowed); err != nil {
			b.Fatal(err)
		}
		uctx := apptest.As(context.Background(), tok)
		k, err := pb.NewApiKeyServiceClient(e.Conn).CreateApiKey(uctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "bench"}})
		if err != nil {
			b.Fatal(err)
		}
		c := newClient(b, e, 1, 1)
		c.key, c.bearer = k.GetSecret(), "Bearer "+k.GetSecret()
		return c
	}
	wide, sparse := userClient("wide-user", 1), userClient("sparse-user", 100)
	// Statistics as autovacuum would leave them: the bulk-loaded tables analyzed, the tiny
	// groups and group_members tables not (they never reach autovacuum's 50-row threshold).
	if _, err := e.App.Store.Pool().Exec(context.Background(), `ANALYZE group_workspaces`); err != nil {
		b.Fatal(err)
	}

	type walk struct {
		name  string
		c     *client
		size  int32
		rest  bool
		total int // workspaces the caller sees
	}
	walks := []walk{
		{"admin/grpc/page_size=100", admin, 100, false, catalogSize},
		{"admin/grpc/page_size=1000", admin, 1000, false, catalogSize},
		{"admin/rest/page_size=100", admin, 100, true, catalogSize},
		{"admin/rest/page_size=1000", admin, 1000, true, catalogSize},
		{"user-all/grpc/page_size=100", wide, 100, false, catalogSize},
		{"user-1pct/grpc/page_size=100", sparse, 100, false, catalogSize / 100},
	}
	results := make([]result, len(walks))
	for i, wk := range walks {
		grpcClient := pb.NewWorkspaceServiceClient(wk.c.conns[0])
		cctx := wk.c.ctx()
		token, seen, passes := "", 0, 0
		// page fetches one page and moves the cursor, starting over after the last page.
		page := func(int) error {
			var n int
			var next string
			if wk.rest {
				q := url.Values{"page_size": {strconv.Itoa(int(wk.size))}}
				if token != "" {
					q.Set("page_token", token)
				}
				body, err := wk.c.get("/v1/workspaces?" + q.Encode())
				if err != nil {
					return err
				}
				var r struct {
					Workspaces    []json.RawMessage `json:"workspaces"`
					NextPageToken string            `json:"nextPageToken"`
				}
				if err := json.Unmarshal(body, &r); err != nil {
					return err
				}
				n, next = len(r.Workspaces), r.NextPageToken
			} else {
				r, err := grpcClient.ListWorkspaces(cctx, &pb.ListWorkspacesRequest{PageSize: wk.size, PageToken: token})
				if err != nil {
					return err
				}
				n, next = len(r.GetWorkspaces()), r.GetNextPageToken()
			}
			seen += n
			token = next
			if next == "" {
				if seen != wk.total {
					return fmt.Errorf("%s: a pass saw %d workspaces, want %d", wk.name, seen, wk.total)
				}
				seen, passes = 0, passes+1
			}
			return nil
		}
		page(0) // warm-up: plan cache, connection, credential cache
		token, seen = "", 0
		b.Run(wk.name, func(b *testing.B) {
			token, seen, passes = "", 0, 0
			results[i] = drive(b, 1, b.N, page)
			results[i].report(b, "pages")
			b.ReportMetric(results[i].rps()*float64(wk.size), "rows/s")
			b.ReportMetric(float64(passes), "full-passes")
		})
	}
	for i, wk := range walks {
		r := results[i]
		if r.n == 0 {
			continue
		}
		fmt.Printf("ListWorkspaces %-30s %6d pages: p50 %6.2fms p99 %6.2fms (goal p99 <= 20ms: %s)\n",
			wk.name, r.n, ms(r.pct(0.5)), ms(r.pct(0.99)), verdict(r.pct(0.99) <= 20e6))
	}
}
