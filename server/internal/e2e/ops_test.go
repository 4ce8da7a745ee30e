package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/pgembed"
)

// get fetches a plain HTTP path and returns status, content type and body.
func get(t testing.TB, e *apptest.Env, path string) (int, string, string) {
	t.Helper()
	resp, err := e.HTTP.Get(e.BaseURL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestOperationalEndpoints(t *testing.T) {
	a := start(t)
	for _, path := range []string{"/healthz", "/readyz", "/api/__healthcheck"} {
		code, ctype, body := get(t, a.Env, path)
		var v map[string]string
		if code != http.StatusOK || !strings.HasPrefix(ctype, "application/json") || json.Unmarshal([]byte(body), &v) != nil || v["status"] != "ok" {
			t.Errorf("GET %s: %d %s %s", path, code, ctype, body)
		}
		if path != "/healthz" && v["database"] != "ok" {
			t.Errorf("GET %s does not report the database: %s", path, body)
		}
	}

	// Metrics count RPCs by method and code, refused ones included.
	_, err := a.users.ListUsers(context.Background(), &pb.ListUsersRequest{})
	wantCode(t, err, codes.Unauthenticated)
	code, _, body := get(t, a.Env, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`hotdesk_rpc_requests_total{code="OK",method="/hotdesk.v1.AuthService/Login"} 1`,
		`hotdesk_rpc_requests_total{code="Unauthenticated",method="/hotdesk.v1.UserService/ListUsers"} 1`,
		"hotdesk_rpc_duration_seconds_bucket",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	code, ctype, body := get(t, a.Env, "/openapi.json")
	var doc struct {
		Swagger string                     `json:"swagger"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if code != http.StatusOK || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("/openapi.json: %d %s", code, ctype)
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("/openapi.json is not JSON: %v", err)
	}
	for _, p := range []string{"/v1/workspaces", "/v1/zones", "/v1/auth:login", "/v1/apiKeys"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}

	// The dashboard (or, in a binary built without it, a page saying how to build it).
	code, ctype, body = get(t, a.Env, "/")
	if code != http.StatusOK || !strings.HasPrefix(ctype, "text/html") ||
		!(strings.Contains(body, `<div id="app">`) || strings.Contains(body, "/openapi.json")) {
		t.Errorf("dashboard: %d %s %.200s", code, ctype, body)
	}
	if code, _, _ := get(t, a.Env, "/v1/no-such-thing"); code != http.StatusNotFound {
		t.Errorf("unknown REST path: %d, want 404", code)
	}
	if code, _, _ := get(t, a.Env, "/nothing-here.txt"); code != http.StatusNotFound {
		t.Errorf("unknown file: %d, want 404", code)
	}
}

func TestGRPCHealthAndReflection(t *testing.T) {
	a := start(t)
	h, err := healthpb.NewHealthClient(a.Conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", h, err)
	}

	stream, err := reflectionpb.NewServerReflectionClient(a.Conn).ServerReflectionInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"hotdesk.v1.WorkspaceService", "hotdesk.v1.ZoneService", "hotdesk.v1.AuthService", "grpc.health.v1.Health"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("reflection lists %v, missing %s", names, want)
		}
	}
}

// The health check must tell a load balancer when the database is gone.
func TestHealthCheckFailsWithoutDatabase(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cluster, err := pgembed.Start(ctx, pgembed.Options{Dir: filepath.Join(t.TempDir(), "pg"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Stop(); err != nil {
			t.Error(err)
		}
	})
	conn, err := pgx.Connect(ctx, cluster.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE DATABASE hotdesk_down`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	url := cluster.ConnString("hotdesk_down")
	if err := apptest.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	e := apptest.StartWith(t, url, nil)
	if code, _, body := get(t, e, "/api/__healthcheck"); code != http.StatusOK {
		t.Fatalf("healthy server: %d %s", code, body)
	}

	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, _, body := get(t, e, "/api/__healthcheck")
		last = fmt.Sprintf("%d %s", code, body)
		if code == http.StatusServiceUnavailable {
			noLeak(t, "health check body", body)
			if !strings.Contains(body, "database") {
				t.Errorf("503 body does not say what is wrong: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health check still says %s 30s after the database stopped", last)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _, _ := get(t, e, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz without a database: %d, want 503", code)
	}
	// Liveness stays up: restarting the process would not bring the database back.
	if code, _, _ := get(t, e, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz without a database: %d, want 200", code)
	}
}
