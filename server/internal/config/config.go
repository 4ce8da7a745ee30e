// Package config is the server's one configuration struct, read from defaults, an optional
// JSON file, HOTDESK_* environment variables and flags (later ones win), and checked at start.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server binary can be told.
type Config struct {
	// Listen is the host:port serving gRPC and HTTP.
	Listen string `json:"listen"`
	// AgentListen is the host:port where agents and proxies enroll and check in (gRPC over
	// TLS with the server's own CA; client certificates after enrollment).
	AgentListen string `json:"agent_listen"`
	// AgentTLSNames are extra DNS names or IP addresses for the agent listener's certificate,
	// besides 127.0.0.1, ::1, localhost and the host name: the names agents dial.
	AgentTLSNames []string `json:"agent_tls_names"`
	// DatabaseURL points at an external Postgres; empty starts a private one under DataDir.
	DatabaseURL string `json:"database_url"`
	// DataDir holds local state: the private Postgres and the generated secret key.
	DataDir string `json:"data_dir"`
	// SecretKeyFile holds the 32-byte key (base64) that encrypts secrets at rest; created in
	// DataDir when unset and absent. Every replica must share it.
	SecretKeyFile string `json:"secret_key_file"`
	// AdminUsername and AdminPassword seed the first administrator on an empty database; an
	// empty password is generated and printed once.
	AdminUsername string `json:"admin_username"`
	AdminPassword string `json:"admin_password"`
	// AdminPasswordFile, when set, receives a generated first-admin password (mode 0600).
	AdminPasswordFile string        `json:"admin_password_file"`
	TokenTTL          time.Duration `json:"token_ttl"`
	AuthCacheTTL      time.Duration `json:"auth_cache_ttl"`
	MaxDBConns        int           `json:"max_db_conns"`
	LogLevel          string        `json:"log_level"`
	ShutdownGrace     time.Duration `json:"shutdown_grace"`
	// Lifecycle timings: agents heartbeat every HeartbeatInterval, are unreachable after
	// LeaseTTL without one and lost after LostAfter unreachable; the leader checks every
	// LoopInterval. Sessions without their own settings idle out after DefaultIdleTimeout and
	// end after DefaultMaxLifetime.
	HeartbeatInterval  time.Duration `json:"heartbeat_interval"`
	LeaseTTL           time.Duration `json:"lease_ttl"`
	LostAfter          time.Duration `json:"lost_after"`
	LoopInterval       time.Duration `json:"loop_interval"`
	DefaultIdleTimeout time.Duration `json:"default_idle_timeout"`
	DefaultMaxLifetime time.Duration `json:"default_max_lifetime"`
}

// Defaults returns the configuration for a local single-node install.
func Defaults() Config {
	return Config{
		Listen:             "127.0.0.1:8080",
		AgentListen:        "127.0.0.1:8443",
		DataDir:            ".hotdesk",
		AdminUsername:      "admin",
		TokenTTL:           12 * time.Hour,
		AuthCacheTTL:       5 * time.Second,
		MaxDBConns:         32,
		LogLevel:           "info",
		ShutdownGrace:      20 * time.Second,
		HeartbeatInterval:  30 * time.Second,
		LeaseTTL:           90 * time.Second,
		LostAfter:          10 * time.Minute,
		LoopInterval:       5 * time.Second,
		DefaultIdleTimeout: time.Hour,
		DefaultMaxLifetime: 12 * time.Hour,
	}
}

// Load parses args (flags), HOTDESK_* variables and the optional --config file.
func Load(args []string, getenv func(string) string) (Config, error) {
	c := Defaults()
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	configFile := fs.String("config", getenv("HOTDESK_CONFIG"), "optional JSON config file")
	var fromFlags Config
	fs.StringVar(&fromFlags.Listen, "listen", "", "host:port for gRPC and HTTP (HOTDESK_LISTEN; default 127.0.0.1:8080)")
	fs.StringVar(&fromFlags.AgentListen, "agent-listen", "", "host:port for agents, gRPC over TLS (HOTDESK_AGENT_LISTEN; default 127.0.0.1:8443)")
	agentNames := fs.String("agent-tls-names", "", "comma-separated extra DNS names or IPs for the agent listener's certificate (HOTDESK_AGENT_TLS_NAMES)")
	fs.StringVar(&fromFlags.DatabaseURL, "database-url", "", "external Postgres URL (HOTDESK_DATABASE_URL; default: private Postgres in the data dir)")
	fs.StringVar(&fromFlags.DataDir, "data-dir", "", "local state folder (HOTDESK_DATA_DIR; default .hotdesk)")
	fs.StringVar(&fromFlags.SecretKeyFile, "secret-key-file", "", "file with the base64 32-byte secret key (HOTDESK_SECRET_KEY_FILE)")
	fs.StringVar(&fromFlags.AdminUsername, "admin-username", "", "first administrator's name (HOTDESK_ADMIN_USERNAME; default admin)")
	fs.StringVar(&fromFlags.AdminPasswordFile, "admin-password-file", "", "where to write a generated first-admin password (HOTDESK_ADMIN_PASSWORD_FILE)")
	fs.StringVar(&fromFlags.LogLevel, "log-level", "", "debug, info, warn or error (HOTDESK_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *configFile != "" {
		b, err := os.ReadFile(*configFile)
		if err != nil {
			return c, fmt.Errorf("config file: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config file %s: %w", *configFile, err)
		}
	}
	env := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	env("HOTDESK_LISTEN", &c.Listen)
	env("HOTDESK_AGENT_LISTEN", &c.AgentListen)
	if v := getenv("HOTDESK_AGENT_TLS_NAMES"); v != "" {
		c.AgentTLSNames = splitList(v)
	}
	env("HOTDESK_DATABASE_URL", &c.DatabaseURL)
	env("HOTDESK_DATA_DIR", &c.DataDir)
	env("HOTDESK_SECRET_KEY_FILE", &c.SecretKeyFile)
	env("HOTDESK_ADMIN_USERNAME", &c.AdminUsername)
	env("HOTDESK_ADMIN_PASSWORD", &c.AdminPassword)
	env("HOTDESK_ADMIN_PASSWORD_FILE", &c.AdminPasswordFile)
	env("HOTDESK_LOG_LEVEL", &c.LogLevel)
	if v := getenv("HOTDESK_MAX_DB_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("HOTDESK_MAX_DB_CONNS: %w", err)
		}
		c.MaxDBConns = n
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "listen":
			c.Listen = fromFlags.Listen
		case "agent-listen":
			c.AgentListen = fromFlags.AgentListen
		case "agent-tls-names":
			c.AgentTLSNames = splitList(*agentNames)
		case "database-url":
			c.DatabaseURL = fromFlags.DatabaseURL
		case "data-dir":
			c.DataDir = fromFlags.DataDir
		case "secret-key-file":
			c.SecretKeyFile = fromFlags.SecretKeyFile
		case "admin-username":
			c.AdminUsername = fromFlags.AdminUsername
		case "admin-password-file":
			c.AdminPasswordFile = fromFlags.AdminPasswordFile
		case "log-level":
			c.LogLevel = fromFlags.LogLevel
		}
	})
	if c.SecretKeyFile == "" {
		c.SecretKeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	return c, c.Validate()
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q: %w", c.Listen, err)
	}
	if _, _, err := net.SplitHostPort(c.AgentListen); err != nil {
		return fmt.Errorf("agent listen %q: %w", c.AgentListen, err)
	}
	for _, n := range c.AgentTLSNames {
		if n == "" || strings.ContainsAny(n, " /:,") && net.ParseIP(n) == nil {
			return fmt.Errorf("agent TLS name %q: want a DNS name or an IP address", n)
		}
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		return errors.New("either a database URL or a data dir is needed")
	}
	if c.AdminUsername == "" {
		return errors.New("admin username must not be empty")
	}
	if c.TokenTTL < time.Minute {
		return fmt.Errorf("token TTL %s is shorter than a minute", c.TokenTTL)
	}
	if c.LeaseTTL <= c.HeartbeatInterval {
		return fmt.Errorf("lease TTL %s must be longer than the heartbeat interval %s", c.LeaseTTL, c.HeartbeatInterval)
	}
	if c.HeartbeatInterval < time.Second || c.LoopInterval < 100*time.Millisecond {
		return fmt.Errorf("heartbeat interval must be at least 1s and loop interval at least 100ms")
	}
	if c.MaxDBConns < 4 {
		return fmt.Errorf("max DB connections %d is below 4", c.MaxDBConns)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// splitList splits a comma-separated setting, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
