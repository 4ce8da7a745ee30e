// Command agentd runs on each Docker host: it enrolls with the server once, keeps a check-in
// stream open (heartbeats, resource reports, commands), and creates and removes session
// containers through the Docker Engine API. Stopping it never touches running sessions.
//
//	agentd --server hotdesk.example.com:8443 --token hde_…   # first run: enroll
//	agentd --server hotdesk.example.com:8443                 # later runs
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hotdesk/hotdesk/agentd/internal/agent"
	"github.com/hotdesk/hotdesk/agentd/internal/config"
	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

// Exit codes beyond 0 and 1.
const (
	exitUsage        = 2
	exitAgentDeleted = 3
)

func main() {
	cfg, err := config.Load(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "agentd:", err)
		os.Exit(exitUsage)
	}
	if cfg.ShowVersion {
		fmt.Println("agentd", version)
		return
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, cfg, log))
}

func run(ctx context.Context, cfg config.Config, log *slog.Logger) int {
	id, err := agent.LoadIdentity(cfg.StateDir)
	switch {
	case errors.Is(err, agent.ErrNotEnrolled):
		if cfg.Token == "" {
			log.Error("not enrolled: start once with --token (or HOTDESK_AGENT_TOKEN)", "state_dir", cfg.StateDir)
			return exitUsage
		}
		log.Info("enrolling", "server", cfg.Server, "state_dir", cfg.StateDir)
		id, err = agent.Enroll(ctx, agent.EnrollConfig{
			ServerAddr: cfg.Server, ServerName: cfg.ServerName, StateDir: cfg.StateDir,
			Token: cfg.Token, Version: version, Logger: log,
		})
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			log.Error("enrollment failed", "error", err)
			return 1
		}
	case err != nil:
		log.Error("cannot load the agent's identity", "state_dir", cfg.StateDir, "error", err)
		return 1
	case cfg.Token != "":
		log.Info("already enrolled; the enrollment token is not needed and was not used", "agent_id", id.AgentID)
	}

	rt, err := runtime.NewDocker(runtime.Options{Host: cfg.DockerHost, AgentID: id.AgentID})
	if err != nil {
		log.Error("docker client", "error", err)
		return 1
	}
	defer rt.Close()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if err := rt.Ping(pctx); err != nil {
		// Keep going: the server learns of it from failed commands and skipped reports, and
		// the agent recovers by itself when the engine comes back.
		log.Warn("docker engine not reachable yet", "agent_id", id.AgentID, "error", err)
	}
	cancel()

	srt, advertise, stopProxy := startSessionProxy(cfg, id, rt, log)
	defer stopProxy()

	log.Info("agentd starting", "agent_id", id.AgentID, "version", version, "server", cfg.Server,
		"max_concurrent_pulls", cfg.MaxConcurrentPulls, "prune", cfg.Prune, "certificate_expires", id.ExpireTime())
	prune := map[string]agentpb.PruneMode{"off": agentpb.PruneMode_PRUNE_MODE_OFF, "normal": agentpb.PruneMode_PRUNE_MODE_NORMAL,
		"aggressive": agentpb.PruneMode_PRUNE_MODE_AGGRESSIVE}[cfg.Prune] // "" → UNSPECIFIED: the server's setting
	a := agent.New(agent.Config{ServerAddr: cfg.Server, ServerName: cfg.ServerName, Version: version, Logger: log, AdvertiseURL: advertise,
		Images: agent.ImageConfig{Runtime: rt, MaxConcurrentPulls: cfg.MaxConcurrentPulls, Prune: prune, StateDir: cfg.StateDir}}, id, srt)
	err = a.Run(ctx)
	switch {
	case errors.Is(err, agent.ErrAgentDeleted):
		log.Error("this agent was deleted on the server; remove the state directory and enroll again with a new token", "agent_id", id.AgentID, "state_dir", cfg.StateDir)
		return exitAgentDeleted
	case err != nil:
		log.Error("agent stopped", "agent_id", id.AgentID, "error", err)
		return 1
	}
	log.Info("agentd stopped; session containers keep running", "agent_id", id.AgentID)
	return 0
}
