package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
)

// DefaultServer is used when no flag, variable or config file names one (`make run`'s address).
const DefaultServer = "http://127.0.0.1:8080"

// config is the file `hotdesk login` writes: the server and one credential for it.
type config struct {
	Server   string `json:"server"`
	APIKey   string `json:"api_key,omitempty"`
	Token    string `json:"token,omitempty"`
	Username string `json:"username,omitempty"`
	TLS      bool   `json:"tls,omitempty"`
}

// configFile returns the config file's path: --config, HOTDESK_CONFIG, or
// $XDG_CONFIG_HOME/hotdesk/config.json (~/.config/hotdesk/config.json).
func (c *call) configFile() (string, error) {
	if c.configPath != "" {
		return c.configPath, nil
	}
	if p := c.env("HOTDESK_CONFIG"); p != "" {
		return p, nil
	}
	dir := c.env("XDG_CONFIG_HOME")
	if dir == "" {
		home := c.env("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return "", fmt.Errorf("no config folder: %w", err)
			}
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "hotdesk", "config.json"), nil
}

func (c *call) loadConfig() (*config, error) {
	if c.cfg != nil {
		return c.cfg, nil
	}
	path, err := c.configFile()
	if err != nil {
		return nil, err
	}
	c.cfg = &config{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c.cfg, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, c.cfg); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return c.cfg, nil
}

func (c *call) saveConfig(cfg *config) (string, error) {
	path, err := c.configFile()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// resolve picks the server and credential: flags, then HOTDESK_* variables, then the config
// file. The file's credential is used only for the file's server.
func (c *call) resolve() (server, apiKey, token string, useTLS bool, err error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return "", "", "", false, err
	}
	server = firstNonEmpty(c.server, c.env("HOTDESK_SERVER"))
	apiKey = firstNonEmpty(c.apiKey, c.env("HOTDESK_API_KEY"))
	token = firstNonEmpty(c.token, c.env("HOTDESK_TOKEN"))
	useTLS = c.useTLS
	if server == "" || sameServer(server, cfg.Server) {
		if server == "" {
			server = cfg.Server
		}
		if apiKey == "" && token == "" {
			apiKey, token = cfg.APIKey, cfg.Token
		}
		useTLS = useTLS || cfg.TLS
	}
	if server == "" {
		server = DefaultServer
	}
	return server, apiKey, token, useTLS, nil
}

func (c *call) connect() error {
	server, apiKey, token, useTLS, err := c.resolve()
	if err != nil {
		return err
	}
	opts := []hotdesk.Option{hotdesk.WithUserAgent("hotdesk-cli")}
	switch {
	case apiKey != "":
		opts = append(opts, hotdesk.WithAPIKey(apiKey))
	case token != "":
		opts = append(opts, hotdesk.WithToken(token))
	}
	if useTLS {
		opts = append(opts, hotdesk.WithTLS(nil))
	}
	if c.insecure {
		opts = append(opts, hotdesk.WithInsecure())
	}
	c.client, err = hotdesk.Dial(c.ctx, server, opts...)
	return err
}

func sameServer(a, b string) bool {
	norm := func(s string) string { return strings.TrimSuffix(strings.TrimSpace(s), "/") }
	return norm(a) == norm(b)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
