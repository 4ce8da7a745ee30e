package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hotdesk/hotdesk/agentd/internal/agent"
	"github.com/hotdesk/hotdesk/agentd/internal/config"
	"github.com/hotdesk/hotdesk/agentd/internal/proxy"
	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
)

// startSessionProxy starts the session proxy and returns the runtime the agent loop should
// use (it keeps the proxy's session registry current), the URL to advertise, and a stop
// function. A proxy that cannot start is logged and left off: the agent still runs its
// sessions, but browsers cannot reach them until it is fixed.
func startSessionProxy(cfg config.Config, id *agent.Identity, d *runtime.Docker, log *slog.Logger) (*proxy.Tracked, string, func()) {
	reg := proxy.NewRegistry(d, log)
	tracked := proxy.Track(d, reg)
	if cfg.ProxyListen == "" {
		log.Warn("session proxy is off (--proxy-listen is empty): browsers cannot reach this agent's sessions")
		return tracked, "", func() {}
	}
	p, err := proxy.New(proxy.Config{Listen: cfg.ProxyListen, AdvertiseURL: cfg.ProxyAdvertiseURL, TLSCert: cfg.ProxyTLSCert,
		TLSKey: cfg.ProxyTLSKey, AgentID: id.AgentID, Keys: id.CAKeys, Log: log}, reg)
	if err != nil {
		log.Error("session proxy cannot start; browsers cannot reach this agent's sessions", "agent_id", id.AgentID, "error", err)
		return tracked, "", func() {}
	}
	go func() {
		if err := p.Serve(); err != nil {
			log.Error("session proxy stopped", "error", err)
		}
	}()
	log.Info("session proxy listening", "addr", p.Addr(), "advertise_url", p.AdvertiseURL())
	return tracked, p.AdvertiseURL(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Close(ctx)
	}
}
