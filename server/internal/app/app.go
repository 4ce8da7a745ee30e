// Package app is the server's composition root: it starts (or connects to) Postgres, migrates,
// bootstraps the first administrator, wires store, API and transport, and serves.
package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/gen/openapi"
	"github.com/hotdesk/hotdesk/server/internal/api"
	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/bus"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/connect"
	"github.com/hotdesk/hotdesk/server/internal/enroll"
	"github.com/hotdesk/hotdesk/server/internal/images"
	"github.com/hotdesk/hotdesk/server/internal/leader"
	"github.com/hotdesk/hotdesk/server/internal/manager"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/pgembed"
	"github.com/hotdesk/hotdesk/server/internal/secrets"
	"github.com/hotdesk/hotdesk/server/internal/sessions"
	"github.com/hotdesk/hotdesk/server/internal/store"
	"github.com/hotdesk/hotdesk/server/internal/transport"
	"github.com/hotdesk/hotdesk/server/internal/web"
	"github.com/hotdesk/hotdesk/server/internal/web/dashboard"
)

// App is a running server.
type App struct {
	// Addr is the address gRPC and HTTP listen on.
	Addr string
	// AgentAddr is the address of the agent listener (gRPC over TLS).
	AgentAddr string
	// PublicURL is the base URL browsers reach the server at (connect pages).
	PublicURL string
	// AdminPassword is set when this start created the first administrator.
	AdminPassword string
	Store         *store.Store

	cfg     config.Config
	log     *slog.Logger
	cluster *pgembed.Cluster
	srv     *transport.Server
	manager *manager.Manager
	connect *connect.Service
	served  chan error
	stopBg  context.CancelFunc
}

// Start brings the server up and returns once it accepts calls.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *App, err error) {
	a := &App{cfg: cfg, log: log, served: make(chan error, 2), stopBg: func() {}}
	defer func() {
		if err != nil {
			a.stopBg()
			a.closeStorage()
		}
	}()
	dbURL, err := a.database(ctx)
	if err != nil {
		return nil, err
	}
	key, err := loadOrCreateKey(cfg.SecretKeyFile)
	if err != nil {
		return nil, err
	}
	box, err := secrets.New(key)
	if err != nil {
		return nil, err
	}
	if a.Store, err = store.Open(ctx, dbURL, int32(cfg.MaxDBConns), box); err != nil {
		return nil, err
	}
	if err := a.Store.Migrate(ctx, a.bootstrapAdmin); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	enr, err := enroll.New(ctx, enroll.Options{Store: a.Store, TLSNames: cfg.AgentTLSNames, Log: log})
	if err != nil {
		return nil, err
	}
	scfg := sessions.DefaultConfig()
	scfg.LeaseTTL, scfg.LostAfter, scfg.LoopInterval = cfg.LeaseTTL, cfg.LostAfter, cfg.LoopInterval
	scfg.DefaultIdleTimeout, scfg.DefaultMaxLifetime = cfg.DefaultIdleTimeout, cfg.DefaultMaxLifetime
	lifecycle := sessions.New(a.Store, scfg, log)
	mcfg := manager.DefaultConfig()
	mcfg.HeartbeatInterval, mcfg.LeaseTTL = cfg.HeartbeatInterval, cfg.LeaseTTL
	a.manager = manager.New(enr, enr, a.Store, lifecycle, mcfg, log)
	prune, _ := images.ParsePruneMode(cfg.ImagePruneMode) // checked by cfg.Validate
	imageSvc := images.New(a.Store, images.Config{RefreshInterval: cfg.ImageRefreshInterval, Prune: prune,
		MaxConcurrentPulls: cfg.MaxConcurrentPulls})
	a.manager.EnableImages(imageSvc, cfg.ImageResyncInterval)
	if a.connect, err = connect.New(connect.Options{CA: enr.CA(), Store: a.Store, AllowedOrigins: cfg.AllowedOrigins, Log: log}); err != nil {
		return nil, err
	}
	watchers := sessions.NewWatchers()
	notifications := bus.New(dbURL, log)
	notifications.Subscribe(store.ChannelSessions, watchers)
	notifications.Subscribe(store.ChannelSessions, a.connect)
	notifications.Subscribe(store.ChannelAgentCommands, manager.CommandsNotifier{M: a.manager})
	notifications.Subscribe(store.ChannelAgentStreams, manager.StreamsNotifier{M: a.manager})
	notifications.Subscribe(store.ChannelImages, manager.ImagesNotifier{M: a.manager})
	bg, cancel := context.WithCancel(context.Background())
	a.stopBg = cancel
	go notifications.Run(bg)
	select {
	case <-notifications.Ready():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	authn := api.NewAuthenticator(a.Store, cfg.AuthCacheTTL)
	throttle := auth.NewThrottle(a.Store, auth.ThrottleConfig{MaxFailures: cfg.LoginMaxFailures, MaxAddressFailures: cfg.LoginMaxAddressFailures,
		Window: cfg.LoginFailureWindow, Lockout: cfg.LoginLockout, MaxLockout: cfg.LoginMaxLockout})
	services := api.New(api.Deps{Store: a.Store, Box: box, Authn: authn, TokenTTL: cfg.TokenTTL, Throttle: throttle, Tokens: enr,
		Sessions: lifecycle, Watchers: watchers, Connect: a.connect, Images: imageSvc, AgentAddress: a.agentAddress})
	trusted, _ := cfg.TrustedProxyNets() // checked by cfg.Validate
	a.srv, err = transport.New(transport.Options{Log: log, Authn: authn, Audit: a.Store, Services: services, TrustedProxies: trusted,
		Ready: a.Store.Ping, OpenAPI: openapi.Spec, Routes: func(mux *http.ServeMux) {
			mux.Handle("GET /connect/{session_id}/ws", a.connect.Handler())
			web.Routes(mux, cfg.NoVNCDir)
			dashboard.Routes(mux)
		}})
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	a.Addr = lis.Addr().String()
	a.PublicURL = cfg.PublicURL
	if a.PublicURL == "" {
		a.PublicURL = "http://" + a.Addr
	}
	a.connect.SetPublicURL(a.PublicURL)
	agentLis, err := net.Listen("tcp", cfg.AgentListen)
	if err != nil {
		lis.Close()
		return nil, fmt.Errorf("agent listen: %w", err)
	}
	a.AgentAddr = agentLis.Addr().String()
	go func() { a.served <- a.srv.Serve(lis) }()
	go func() { a.served <- a.srv.ServeAgents(agentLis, enr.ServerTLSConfig(), a.manager) }()
	go a.manager.Flush(bg)
	go a.connect.Run(bg)
	go a.manager.RunImages(bg)
	go leader.Run(bg, dbURL, a.Store, "lifecycle", a.manager.ServerID(), log, lifecycle.Lead)
	go a.housekeeping(bg)
	return a, nil
}

// agentAddress is what new agents dial (--server): the agent listener's host and port, an
// all-interfaces host (0.0.0.0, ::) replaced by the first agent TLS name, else by the public
// URL's host, else by the machine's name.
func (a *App) agentAddress() string {
	host, port, err := net.SplitHostPort(a.AgentAddr)
	if err != nil {
		return a.AgentAddr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = ""
		if len(a.cfg.AgentTLSNames) > 0 {
			host = a.cfg.AgentTLSNames[0]
		} else if u, err := url.Parse(a.PublicURL); err == nil {
			host = u.Hostname()
		}
		// The public URL may be derived from an all-interfaces listener too: the machine's name
		// is the best guess left.
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host, _ = os.Hostname()
		}
	}
	return net.JoinHostPort(host, port)
}

// ImageRounds returns how many desired-image rounds this server has finished (benchmarks
// wait on it).
func (a *App) ImageRounds() uint64 { return a.manager.ImageRounds() }

// Wait blocks until the server stops serving on its own (an error) or ctx ends.
func (a *App) Wait(ctx context.Context) error {
	select {
	case err := <-a.served:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Stop drains calls for up to the configured grace, then closes everything.
func (a *App) Stop() {
	a.stopBg()
	if a.manager != nil {
		a.manager.Shutdown()
	}
	if a.connect != nil {
		a.connect.Close() // browser streams get "going away"; clients reconnect elsewhere
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	a.srv.Shutdown(ctx)
	a.closeStorage()
}

func (a *App) closeStorage() {
	if a.Store != nil {
		a.Store.Close()
	}
	if a.cluster != nil {
		if err := a.cluster.Stop(); err != nil {
			a.log.Error("stopping private postgres", "error", err.Error())
		}
	}
}

// database returns the URL to use, starting the private cluster when none is configured.
func (a *App) database(ctx context.Context) (string, error) {
	if a.cfg.DatabaseURL != "" {
		return a.cfg.DatabaseURL, nil
	}
	dir, err := filepath.Abs(filepath.Join(a.cfg.DataDir, "postgres"))
	if err != nil {
		return "", err
	}
	a.cluster, err = pgembed.Start(ctx, pgembed.Options{Dir: dir, Logf: func(f string, args ...any) { a.log.Info(fmt.Sprintf(f, args...)) }})
	if err != nil {
		return "", fmt.Errorf("private postgres: %w", err)
	}
	conn, err := pgx.Connect(ctx, a.cluster.ConnString("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'hotdesk')`).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE hotdesk`); err != nil {
			return "", err
		}
	}
	return a.cluster.ConnString("hotdesk"), nil
}

// bootstrapAdmin creates the first administrator on an empty database. It runs under the
// migration lock, so replicas starting together create one admin between them.
func (a *App) bootstrapAdmin(ctx context.Context) error {
	n, err := a.Store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := a.cfg.AdminPassword
	if password == "" {
		b := make([]byte, 15)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		password = base64.RawURLEncoding.EncodeToString(b)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if _, err := a.Store.CreateUser(ctx, store.Idem{}, &model.User{Username: a.cfg.AdminUsername, DisplayName: "Administrator",
		Role: model.RoleAdmin, PasswordHash: hash}); err != nil {
		return err
	}
	a.AdminPassword = password
	if a.cfg.AdminPasswordFile != "" {
		if err := os.WriteFile(a.cfg.AdminPasswordFile, []byte(password+"\n"), 0o600); err != nil {
			return err
		}
	}
	a.log.Info("created the first administrator", "username", a.cfg.AdminUsername)
	return nil
}

// housekeeping prunes expired login tokens, old idempotency keys and enrollment tokens, and
// sign-in throttle counters with nothing left to remember. Every replica may run it: the
// deletes are idempotent and cheap.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Store.PruneLoginTokens(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Warn("pruning login tokens", "error", err.Error())
			}
			if err := a.Store.PruneRequestIDs(ctx, 24*time.Hour); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Warn("pruning request ids", "error", err.Error())
			}
			if err := a.Store.PruneEnrollmentTokens(ctx, 24*time.Hour); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Warn("pruning enrollment tokens", "error", err.Error())
			}
			if err := a.Store.PruneLoginThrottles(ctx, a.cfg.LoginFailureWindow, a.cfg.LoginMaxLockout); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Warn("pruning sign-in throttle counters", "error", err.Error())
			}
		}
	}
}

// loadOrCreateKey reads the base64 secret key, creating it when the file does not exist.
func loadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, secrets.KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != secrets.KeySize {
		return nil, fmt.Errorf("secret key file %s must hold %d bytes in base64", path, secrets.KeySize)
	}
	return key, nil
}
