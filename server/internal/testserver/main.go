// Command testserver runs a whole Hotdesk server for the client SDKs' tests: a private
// Postgres in a temporary folder, the server on 127.0.0.1, and simulated agents (simagent,
// over the real agent protocol) so that launched sessions reach RUNNING without Docker. Once
// everything answers it prints one JSON line on stdout (and writes it to --out) with the
// address, an administrator API key and a launchable workspace:
//
//	{"addr":"127.0.0.1:PORT","base_url":"http://127.0.0.1:PORT","api_key":"hdk_…",
//	 "admin_username":"admin","admin_password":"…","admin_token":"hdt_…",
//	 "workspace_id":"…","agent_ids":["…"]}
//
// It stops on SIGINT or SIGTERM, or when its standard input closes (--exit-on-stdin-eof), and
// removes its folder. It lives under server/internal because it wires the server in-process;
// clients/ cannot import server/internal, so their tests run it as a program:
//
//	go run ./server/internal/testserver --out /tmp/hotdesk-test.json
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/app"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

// Image is what the simulated agents hold and the seeded workspace launches.
const Image = "hotdesk/sim-desktop:1"

// Info is what the program prints once the server is ready.
type Info struct {
	Addr          string   `json:"addr"`
	BaseURL       string   `json:"base_url"`
	AgentAddr     string   `json:"agent_addr"`
	AdminUsername string   `json:"admin_username"`
	AdminPassword string   `json:"admin_password"`
	AdminToken    string   `json:"admin_token"`
	APIKey        string   `json:"api_key"`
	WorkspaceID   string   `json:"workspace_id"`
	AgentIDs      []string `json:"agent_ids"`
	PID           int      `json:"pid"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "testserver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("testserver", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "API address (gRPC and REST)")
	out := fs.String("out", "", "also write the JSON line to this file (atomically, once ready)")
	agents := fs.Int("agents", 1, "simulated agents to enroll")
	stdinEOF := fs.Bool("exit-on-stdin-eof", false, "stop when standard input closes (for a parent process that holds a pipe)")
	verbose := fs.Bool("v", false, "server logs on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "hotdesk-testserver-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	password := randomHex(12)
	cfg := config.Defaults()
	cfg.Listen, cfg.AgentListen = *listen, "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.SecretKeyFile = filepath.Join(dir, "secret.key")
	cfg.AdminPassword = password
	cfg.ShutdownGrace = 2 * time.Second
	// Short heartbeats so a reconnecting simulated agent is back online quickly.
	cfg.HeartbeatInterval, cfg.LeaseTTL = 2*time.Second, 6*time.Second
	logOut := io.Discard
	if *verbose {
		logOut = os.Stderr
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))

	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	a, err := app.Start(startCtx, cfg, log)
	if err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	defer a.Stop()

	info, err := seed(startCtx, ctx, a, cfg.AdminUsername, password, *agents)
	if err != nil {
		return err
	}
	info.PID = os.Getpid()
	line, err := json.Marshal(info)
	if err != nil {
		return err
	}
	if *out != "" {
		tmp := *out + ".tmp"
		if err := os.WriteFile(tmp, append(line, '\n'), 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, *out); err != nil {
			return err
		}
		defer os.Remove(*out)
	}
	fmt.Println(string(line))

	select {
	case <-ctx.Done():
	case err := <-waitApp(a):
		if err != nil {
			return err
		}
	}
	return nil
}

func waitApp(a *app.App) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- a.Wait(context.Background()) }()
	return ch
}

// seed logs in, mints an API key, enrolls the simulated agents (kept connected until ctx
// ends) and creates a workspace they can run.
func seed(ctx, life context.Context, a *app.App, username, password string, agents int) (*Info, error) {
	conn, err := grpc.NewClient(a.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	login, err := pb.NewAuthServiceClient(conn).Login(ctx, &pb.LoginRequest{Username: username, Password: password})
	if err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	admin := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+login.GetToken())
	key, err := pb.NewApiKeyServiceClient(conn).CreateApiKey(admin, &pb.CreateApiKeyRequest{
		ApiKey: &pb.ApiKey{Name: "testserver", Scope: pb.ApiKeyScope_API_KEY_SCOPE_FULL}})
	if err != nil {
		return nil, fmt.Errorf("create API key: %w", err)
	}
	info := &Info{Addr: a.Addr, BaseURL: "http://" + a.Addr, AgentAddr: a.AgentAddr, AdminUsername: username,
		AdminPassword: password, AdminToken: login.GetToken(), APIKey: key.GetSecret()}

	agentsClient := pb.NewAgentServiceClient(conn)
	for i := 0; i < agents; i++ {
		tok, err := agentsClient.CreateEnrollmentToken(admin, &pb.CreateEnrollmentTokenRequest{})
		if err != nil {
			return nil, fmt.Errorf("enrollment token: %w", err)
		}
		id, err := simagent.Enroll(ctx, a.AgentAddr, tok.GetToken(), fmt.Sprintf("sim-%d", i+1))
		if err != nil {
			return nil, fmt.Errorf("enroll simulated agent: %w", err)
		}
		sim := simagent.New(id.AgentID, simagent.Options{Cores: 256, MemoryMB: 1 << 20, Images: []string{Image}})
		go keepConnected(life, sim, id, a.AgentAddr)
		if err := waitOnline(ctx, agentsClient, admin, id.AgentID); err != nil {
			return nil, err
		}
		info.AgentIDs = append(info.AgentIDs, id.AgentID)
	}

	ws, err := pb.NewWorkspaceServiceClient(conn).CreateWorkspace(admin, &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{
		Name: "Test desktop", Description: "Simulated desktop for SDK tests", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER,
		Enabled: true, Container: &pb.ContainerSpec{Image: Image, Cores: 1, MemoryMb: 1024}}})
	if err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	info.WorkspaceID = ws.GetWorkspace().GetId()
	return info, nil
}

// keepConnected runs a simulated agent's check-in stream, reconnecting after errors, until ctx
// ends.
func keepConnected(ctx context.Context, sim *simagent.Agent, id *simagent.Identity, addr string) {
	for ctx.Err() == nil {
		if conn, err := id.Dial(addr); err == nil {
			_ = sim.Run(ctx, conn)
			conn.Close()
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func waitOnline(ctx context.Context, c pb.AgentServiceClient, admin context.Context, id string) error {
	for {
		got, err := c.GetAgent(admin, &pb.GetAgentRequest{Id: id})
		if err != nil {
			return fmt.Errorf("get agent: %w", err)
		}
		if got.GetAgent().GetState() == pb.AgentState_AGENT_STATE_ONLINE && got.GetAgent().GetReported().GetCores() > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("agent %s never came online: %w", id, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
