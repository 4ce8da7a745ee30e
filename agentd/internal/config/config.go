// Package config is agentd's configuration: flags, with HOTDESK_AGENT_* environment variables
// as their defaults, validated before anything starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Config is everything agentd is told at start.
type Config struct {
	// Server is host:port of the server's agent listener (TLS; mutual TLS after enrollment).
	Server string
	// ServerName is the name the server's certificate must carry; the host of Server if empty.
	ServerName string
	// Token is the one-time enrollment token, needed on the first run only.
	Token string
	// StateDir holds the agent's identity (id, key, certificate, CA bundle).
	StateDir string
	// DockerHost is the engine address (DOCKER_HOST form); empty uses DOCKER_HOST or the
	// default socket.
	DockerHost string
	// MaxConcurrentPulls bounds image pulls (for image sync).
	MaxConcurrentPulls int
	// Prune is what image sync removes: "" (the server's setting, off by default), "off",
	// "normal" (images the agent pulled that no workspace needs any more) or "aggressive"
	// (every unused image no workspace needs).
	Prune string
	// ProxyListen is where the session proxy accepts browser and relay traffic; empty turns
	// the proxy off (the agent's sessions then cannot be reached).
	ProxyListen string
	// ProxyAdvertiseURL is the base URL the server and browsers reach the proxy at; derived
	// from ProxyListen when empty.
	ProxyAdvertiseURL string
	// ProxyTLSCert and ProxyTLSKey make the proxy serve TLS (https/wss).
	ProxyTLSCert, ProxyTLSKey string
	// LogLevel is debug, info, warn or error.
	LogLevel slog.Level
	// ShowVersion prints the version and exits.
	ShowVersion bool
}

// DefaultStateDir is where the identity lives unless told otherwise.
const DefaultStateDir = "/var/lib/hotdesk-agent"

// Load parses args; getenv supplies HOTDESK_AGENT_* defaults (and DOCKER_HOST).
func Load(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	env := func(name, def string) string {
		if v := getenv("HOTDESK_AGENT_" + name); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet("agentd", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&c.Server, "server", env("SERVER", ""), "server's agent address, host:port (env HOTDESK_AGENT_SERVER)")
	fs.StringVar(&c.ServerName, "server-name", env("SERVER_NAME", ""), "name the server certificate must carry; default: the host of --server (env HOTDESK_AGENT_SERVER_NAME)")
	fs.StringVar(&c.Token, "token", env("TOKEN", ""), "one-time enrollment token, first run only (env HOTDESK_AGENT_TOKEN)")
	fs.StringVar(&c.StateDir, "state-dir", env("STATE_DIR", DefaultStateDir), "directory for the agent's identity (env HOTDESK_AGENT_STATE_DIR)")
	fs.StringVar(&c.DockerHost, "docker-host", env("DOCKER_HOST", getenv("DOCKER_HOST")), "Docker engine address; default: DOCKER_HOST or the local socket (env HOTDESK_AGENT_DOCKER_HOST)")
	pulls := fs.String("max-concurrent-pulls", env("MAX_CONCURRENT_PULLS", "2"), "image pulls at once (env HOTDESK_AGENT_MAX_CONCURRENT_PULLS)")
	fs.StringVar(&c.Prune, "prune", env("PRUNE", ""), "images to remove when no workspace needs them: off, normal (those this agent pulled) or aggressive (any unused one); default: the server's setting, else off (env HOTDESK_AGENT_PRUNE)")
	fs.StringVar(&c.ProxyListen, "proxy-listen", env("PROXY_LISTEN", "127.0.0.1:8444"), "host:port of the session proxy; empty turns it off (env HOTDESK_AGENT_PROXY_LISTEN)")
	fs.StringVar(&c.ProxyAdvertiseURL, "proxy-advertise-url", env("PROXY_ADVERTISE_URL", ""), "base URL the server and browsers reach the session proxy at; default: http(s)://<proxy-listen> (env HOTDESK_AGENT_PROXY_ADVERTISE_URL)")
	fs.StringVar(&c.ProxyTLSCert, "proxy-tls-cert", env("PROXY_TLS_CERT", ""), "certificate file (PEM) for a TLS session proxy (env HOTDESK_AGENT_PROXY_TLS_CERT)")
	fs.StringVar(&c.ProxyTLSKey, "proxy-tls-key", env("PROXY_TLS_KEY", ""), "key file (PEM) for a TLS session proxy (env HOTDESK_AGENT_PROXY_TLS_KEY)")
	level := fs.String("log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env HOTDESK_AGENT_LOG_LEVEL)")
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if c.ShowVersion {
		return c, nil
	}
	var errs []error
	n, err := strconv.Atoi(*pulls)
	if err != nil || n < 1 || n > 64 {
		errs = append(errs, fmt.Errorf("--max-concurrent-pulls must be a number from 1 to 64, not %q", *pulls))
	}
	c.MaxConcurrentPulls = n
	switch c.Prune = strings.ToLower(strings.TrimSpace(c.Prune)); c.Prune {
	case "", "off", "normal", "aggressive":
	default:
		errs = append(errs, fmt.Errorf("--prune must be off, normal or aggressive, not %q", c.Prune))
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level: %v", err))
	}
	if c.Server == "" {
		errs = append(errs, errors.New("--server is required (host:port of the server's agent listener)"))
	} else if host, port, err := net.SplitHostPort(c.Server); err != nil || host == "" || port == "" {
		errs = append(errs, fmt.Errorf("--server must be host:port, not %q", c.Server))
	}
	if c.ProxyListen != "" {
		if _, _, err := net.SplitHostPort(c.ProxyListen); err != nil {
			errs = append(errs, fmt.Errorf("--proxy-listen must be host:port, not %q", c.ProxyListen))
		}
	}
	if c.ProxyAdvertiseURL != "" {
		if u, err := url.Parse(c.ProxyAdvertiseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("--proxy-advertise-url must be http(s)://host:port, not %q", c.ProxyAdvertiseURL))
		}
	}
	if (c.ProxyTLSCert == "") != (c.ProxyTLSKey == "") {
		errs = append(errs, errors.New("--proxy-tls-cert and --proxy-tls-key go together"))
	}
	if c.StateDir == "" {
		errs = append(errs, errors.New("--state-dir must not be empty"))
	}
	return c, errors.Join(errs...)
}
