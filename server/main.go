// Command server is Hotdesk's control plane: the gRPC API, its REST facade and the Manager.
//
//	server [run] [flags]   serve (default)
//	server migrate [flags] apply database migrations and exit
//	server version         print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hotdesk/hotdesk/server/internal/app"
	"github.com/hotdesk/hotdesk/server/internal/config"
)

var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := "run"
	if len(args) > 0 && (args[0] == "run" || args[0] == "migrate" || args[0] == "version") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Println(version)
		return nil
	}
	cfg, err := config.Load(args, os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	if cmd == "migrate" {
		a.Stop()
		fmt.Println("migrations applied")
		return nil
	}
	fmt.Printf("Hotdesk %s is up at http://%s (gRPC and REST on one port)\n", version, a.Addr)
	fmt.Printf("Agents enroll and check in at %s (gRPC over TLS)\n", a.AgentAddr)
	switch {
	case a.AdminPassword != "":
		fmt.Printf("First administrator created — user: %s  password: %s  (shown once)\n", cfg.AdminUsername, a.AdminPassword)
	case cfg.AdminPasswordFile != "":
		// Local installs keep the generated password in a 0600 file so `make run` can show it again.
		if b, err := os.ReadFile(cfg.AdminPasswordFile); err == nil {
			fmt.Printf("Admin login — user: %s  password: %s  (from %s)\n", cfg.AdminUsername, strings.TrimSpace(string(b)), cfg.AdminPasswordFile)
		}
	}
	err = a.Wait(ctx)
	stop()
	log.Info("shutting down")
	a.Stop()
	return err
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
