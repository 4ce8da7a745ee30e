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
	"net/netip"
	"net/url"
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
	// PublicURL is the base URL browsers reach this server at (connect pages, the session
	// proxy's websockets, the origin they must come from); http://<listen> when empty.
	PublicURL string `json:"public_url"`
	// AllowedOrigins are further web origins whose pages may open session streams.
	AllowedOrigins []string `json:"allowed_origins"`
	// NoVNCDir holds noVNC (Debian's novnc package), served at /novnc/ for the connect page.
	NoVNCDir string `json:"novnc_dir"`
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
	// Image sync: agents pull every image again each ImageRefreshInterval (so moving tags such
	// as :latest pick up new builds); ImagePruneMode ("", off, normal or aggressive) tells agents
	// what to remove, "" leaving it to each agent's --prune; MaxConcurrentPulls, above 0,
	// overrides each agent's --max-concurrent-pulls. Every ImageResyncInterval each replica
	// recomputes its agents' desired sets even without a change notification.
	ImageRefreshInterval time.Duration `json:"image_refresh_interval"`
	ImagePruneMode       string        `json:"image_prune_mode"`
	MaxConcurrentPulls   int           `json:"max_concurrent_pulls"`
	ImageResyncInterval  time.Duration `json:"image_resync_interval"`
	// Sign-in throttling: LoginMaxFailures failed sign-ins (Login, or ChangePassword with a
	// wrong current password) for one user name within LoginFailureWindow, or
	// LoginMaxAddressFailures from one client address, lock that name or address out for
	// LoginLockout, doubled at each further lockout up to LoginMaxLockout. A limit of 0 turns
	// that count off.
	LoginMaxFailures        int           `json:"login_max_failures"`
	LoginMaxAddressFailures int           `json:"login_max_address_failures"`
	LoginFailureWindow      time.Duration `json:"login_failure_window"`
	LoginLockout            time.Duration `json:"login_lockout"`
	LoginMaxLockout         time.Duration `json:"login_max_lockout"`
	// TrustedProxies are IP networks (CIDR) or addresses of proxies in front of the server
	// (load balancers) whose X-Forwarded-For is believed, so that the audit log and the
	// per-address sign-in limit see the real client rather than the proxy.
	TrustedProxies []string `json:"trusted_proxies"`
}

// Defaults returns the configuration for a local single-node install.
func Defaults() Config {
	return Config{
		Listen:             "127.0.0.1:8080",
		AgentListen:        "127.0.0.1:8443",
		DataDir:            ".hotdesk",
		NoVNCDir:           "/usr/share/novnc",
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

		ImageRefreshInterval: time.Hour,
		ImageResyncInterval:  time.Minute,

		LoginMaxFailures:        5,
		LoginMaxAddressFailures: 50,
		LoginFailureWindow:      15 * time.Minute,
		LoginLockout:            time.Minute,
		LoginMaxLockout:         time.Hour,
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
	fs.StringVar(&fromFlags.PublicURL, "public-url", "", "base URL browsers reach the server at (HOTDESK_PUBLIC_URL; default http://<listen>)")
	allowedOrigins := fs.String("allowed-origins", "", "comma-separated extra web origins that may open session streams (HOTDESK_ALLOWED_ORIGINS)")
	fs.StringVar(&fromFlags.NoVNCDir, "novnc-dir", "", "directory of noVNC, served at /novnc/ (HOTDESK_NOVNC_DIR; default /usr/share/novnc)")
	fs.StringVar(&fromFlags.DatabaseURL, "database-url", "", "external Postgres URL (HOTDESK_DATABASE_URL; default: private Postgres in the data dir)")
	fs.StringVar(&fromFlags.DataDir, "data-dir", "", "local state folder (HOTDESK_DATA_DIR; default .hotdesk)")
	fs.StringVar(&fromFlags.SecretKeyFile, "secret-key-file", "", "file with the base64 32-byte secret key (HOTDESK_SECRET_KEY_FILE)")
	fs.StringVar(&fromFlags.AdminUsername, "admin-username", "", "first administrator's name (HOTDESK_ADMIN_USERNAME; default admin)")
	fs.StringVar(&fromFlags.AdminPasswordFile, "admin-password-file", "", "where to write a generated first-admin password (HOTDESK_ADMIN_PASSWORD_FILE)")
	fs.StringVar(&fromFlags.LogLevel, "log-level", "", "debug, info, warn or error (HOTDESK_LOG_LEVEL)")
	fs.IntVar(&fromFlags.LoginMaxFailures, "login-max-failures", 0, "failed sign-ins per user name within the window before a lockout; 0 turns the count off (HOTDESK_LOGIN_MAX_FAILURES; default 5)")
	fs.IntVar(&fromFlags.LoginMaxAddressFailures, "login-max-address-failures", 0, "failed sign-ins per client address within the window before a lockout; 0 turns the count off (HOTDESK_LOGIN_MAX_ADDRESS_FAILURES; default 50)")
	fs.DurationVar(&fromFlags.LoginFailureWindow, "login-failure-window", 0, "window failed sign-ins are counted in (HOTDESK_LOGIN_FAILURE_WINDOW; default 15m)")
	fs.DurationVar(&fromFlags.LoginLockout, "login-lockout", 0, "first lockout; each further one doubles (HOTDESK_LOGIN_LOCKOUT; default 1m)")
	fs.DurationVar(&fromFlags.LoginMaxLockout, "login-max-lockout", 0, "longest lockout (HOTDESK_LOGIN_MAX_LOCKOUT; default 1h)")
	trustedProxies := fs.String("trusted-proxies", "", "comma-separated networks (CIDR) or addresses of proxies whose X-Forwarded-For is believed (HOTDESK_TRUSTED_PROXIES)")
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
	env("HOTDESK_PUBLIC_URL", &c.PublicURL)
	if v := getenv("HOTDESK_ALLOWED_ORIGINS"); v != "" {
		c.AllowedOrigins = splitList(v)
	}
	env("HOTDESK_NOVNC_DIR", &c.NoVNCDir)
	env("HOTDESK_DATABASE_URL", &c.DatabaseURL)
	env("HOTDESK_DATA_DIR", &c.DataDir)
	env("HOTDESK_SECRET_KEY_FILE", &c.SecretKeyFile)
	env("HOTDESK_ADMIN_USERNAME", &c.AdminUsername)
	env("HOTDESK_ADMIN_PASSWORD", &c.AdminPassword)
	env("HOTDESK_ADMIN_PASSWORD_FILE", &c.AdminPasswordFile)
	env("HOTDESK_LOG_LEVEL", &c.LogLevel)
	env("HOTDESK_IMAGE_PRUNE_MODE", &c.ImagePruneMode)
	if v := getenv("HOTDESK_IMAGE_REFRESH_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("HOTDESK_IMAGE_REFRESH_INTERVAL: %w", err)
		}
		c.ImageRefreshInterval = d
	}
	ints := []struct {
		name string
		dst  *int
	}{{"HOTDESK_MAX_DB_CONNS", &c.MaxDBConns}, {"HOTDESK_LOGIN_MAX_FAILURES", &c.LoginMaxFailures},
		{"HOTDESK_LOGIN_MAX_ADDRESS_FAILURES", &c.LoginMaxAddressFailures}}
	for _, e := range ints {
		if v := getenv(e.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return c, fmt.Errorf("%s: %w", e.name, err)
			}
			*e.dst = n
		}
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{{"HOTDESK_LOGIN_FAILURE_WINDOW", &c.LoginFailureWindow}, {"HOTDESK_LOGIN_LOCKOUT", &c.LoginLockout},
		{"HOTDESK_LOGIN_MAX_LOCKOUT", &c.LoginMaxLockout}}
	for _, e := range durations {
		if v := getenv(e.name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return c, fmt.Errorf("%s: %w", e.name, err)
			}
			*e.dst = d
		}
	}
	if v := getenv("HOTDESK_TRUSTED_PROXIES"); v != "" {
		c.TrustedProxies = splitList(v)
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "listen":
			c.Listen = fromFlags.Listen
		case "agent-listen":
			c.AgentListen = fromFlags.AgentListen
		case "agent-tls-names":
			c.AgentTLSNames = splitList(*agentNames)
		case "public-url":
			c.PublicURL = fromFlags.PublicURL
		case "allowed-origins":
			c.AllowedOrigins = splitList(*allowedOrigins)
		case "novnc-dir":
			c.NoVNCDir = fromFlags.NoVNCDir
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
		case "login-max-failures":
			c.LoginMaxFailures = fromFlags.LoginMaxFailures
		case "login-max-address-failures":
			c.LoginMaxAddressFailures = fromFlags.LoginMaxAddressFailures
		case "login-failure-window":
			c.LoginFailureWindow = fromFlags.LoginFailureWindow
		case "login-lockout":
			c.LoginLockout = fromFlags.LoginLockout
		case "login-max-lockout":
			c.LoginMaxLockout = fromFlags.LoginMaxLockout
		case "trusted-proxies":
			c.TrustedProxies = splitList(*trustedProxies)
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
	if c.PublicURL != "" {
		if err := checkWebURL(c.PublicURL); err != nil {
			return fmt.Errorf("public URL: %w", err)
		}
	}
	for _, o := range c.AllowedOrigins {
		if err := checkWebURL(o); err != nil {
			return fmt.Errorf("allowed origin: %w", err)
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
	if c.ImageRefreshInterval < time.Second {
		return fmt.Errorf("image refresh interval %s is shorter than a second", c.ImageRefreshInterval)
	}
	if c.ImageResyncInterval < time.Second {
		return fmt.Errorf("image resync interval %s is shorter than a second", c.ImageResyncInterval)
	}
	switch strings.ToLower(c.ImagePruneMode) {
	case "", "off", "normal", "aggressive":
	default:
		return fmt.Errorf("image prune mode %q: use off, normal or aggressive (or leave it empty for each agent's own)", c.ImagePruneMode)
	}
	if c.MaxConcurrentPulls < 0 || c.MaxConcurrentPulls > 64 {
		return fmt.Errorf("max concurrent pulls %d: use 0 (each agent's own) to 64", c.MaxConcurrentPulls)
	}
	if c.LoginMaxFailures < 0 || c.LoginMaxAddressFailures < 0 {
		return fmt.Errorf("login failure limits %d and %d: use 0 (no limit) or more", c.LoginMaxFailures, c.LoginMaxAddressFailures)
	}
	if c.LoginFailureWindow < time.Second || c.LoginLockout < time.Second {
		return fmt.Errorf("login failure window %s and lockout %s must each be at least 1s", c.LoginFailureWindow, c.LoginLockout)
	}
	if c.LoginMaxLockout < c.LoginLockout {
		return fmt.Errorf("longest login lockout %s is shorter than the first one, %s", c.LoginMaxLockout, c.LoginLockout)
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// TrustedProxyNets parses TrustedProxies; a bare address is a network of one.
func (c Config) TrustedProxyNets() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range c.TrustedProxies {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return nil, fmt.Errorf("trusted proxy %q: want a network such as 10.0.0.0/8 or an IP address", v)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
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

// checkWebURL accepts http(s)://host[:port][/path] with nothing else.
func checkWebURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%q: want http(s)://host[:port]", s)
	}
	return nil
}
