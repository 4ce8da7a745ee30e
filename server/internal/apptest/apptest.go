// Package apptest starts a whole server in-process for tests: real Postgres (a fresh database
// cloned from a migrated template), real listener on 127.0.0.1, real gRPC and HTTP clients.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/app"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
	"github.com/hotdesk/hotdesk/server/internal/secrets"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// AdminPassword is the first administrator's password in every test server.
const AdminPassword = "admin-password-for-tests"

// Env is a running server with clients.
type Env struct {
	App        *app.App
	Addr       string
	BaseURL    string
	Conn       *grpc.ClientConn
	AdminToken string
	HTTP       *http.Client
	// SecretKeyFile is the server's key; replicas sharing a database must share it.
	SecretKeyFile string
}

// Migrate prepares a template database; pass it to pgtest.New.
func Migrate(ctx context.Context, connString string) error {
	box, _ := secrets.New(make([]byte, secrets.KeySize))
	s, err := store.Open(ctx, connString, 4, box)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx, nil)
}

// Start runs a server on its own fresh database and logs in as the administrator.
func Start(t testing.TB) *Env {
	t.Helper()
	return StartWith(t, pgtest.New(t, Migrate), nil)
}

// StartWith runs a server on the given database; tweak may change the configuration.
func StartWith(t testing.TB, dbURL string, tweak func(*config.Config)) *Env {
	t.Helper()
	cfg := config.Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.AgentListen = "127.0.0.1:0"
	cfg.DatabaseURL = dbURL
	dir := t.TempDir()
	cfg.DataDir = dir
	cfg.SecretKeyFile = filepath.Join(dir, "secret.key")
	cfg.AdminPassword = AdminPassword
	cfg.ShutdownGrace = 5 * time.Second
	if tweak != nil {
		tweak(&cfg)
	}
	var logOut io.Writer = io.Discard
	if os.Getenv("HOTDESK_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(a.Stop)
	conn, err := grpc.NewClient(a.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	e := &Env{App: a, Addr: a.Addr, BaseURL: "http://" + a.Addr, Conn: conn, HTTP: &http.Client{Timeout: 30 * time.Second},
		SecretKeyFile: cfg.SecretKeyFile}
	resp, err := pb.NewAuthServiceClient(conn).Login(ctx, &pb.LoginRequest{Username: cfg.AdminUsername, Password: AdminPassword})
	if err != nil {
		t.Fatalf("admin login: %v", err)
	}
	e.AdminToken = resp.GetToken()
	return e
}

// As returns a context that authenticates calls with the bearer credential.
func As(ctx context.Context, bearer string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+bearer)
}

// Admin returns a context authenticated as the administrator.
func (e *Env) Admin(ctx context.Context) context.Context { return As(ctx, e.AdminToken) }

// NewUser creates a user with role ROLE_USER and returns it with a login token.
func (e *Env) NewUser(t testing.TB, username string) (*pb.User, string) {
	t.Helper()
	ctx := context.Background()
	u, err := pb.NewUserServiceClient(e.Conn).CreateUser(e.Admin(ctx), &pb.CreateUserRequest{User: &pb.User{Username: username, Password: "password-" + username, Role: pb.Role_ROLE_USER}})
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	l, err := pb.NewAuthServiceClient(e.Conn).Login(ctx, &pb.LoginRequest{Username: username, Password: "password-" + username})
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return u.GetUser(), l.GetToken()
}

// REST sends a JSON request through the gateway and returns status and body.
func (e *Env) REST(t testing.TB, method, path, bearer, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.BaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
