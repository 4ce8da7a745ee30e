package config

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaultsEnvAndFlags(t *testing.T) {
	c, err := Load([]string{"--server", "hotdesk.example:8443"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.StateDir != DefaultStateDir || c.MaxConcurrentPulls != 2 || c.LogLevel != slog.LevelInfo || c.DockerHost != "" {
		t.Errorf("defaults %+v", c)
	}
	env := envOf(map[string]string{
		"HOTDESK_AGENT_SERVER": "a:1", "HOTDESK_AGENT_TOKEN": "hde_x.y", "HOTDESK_AGENT_STATE_DIR": "/s",
		"HOTDESK_AGENT_MAX_CONCURRENT_PULLS": "5", "DOCKER_HOST": "unix:///d.sock", "HOTDESK_AGENT_LOG_LEVEL": "debug",
	})
	c, err = Load(nil, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "a:1" || c.Token != "hde_x.y" || c.StateDir != "/s" || c.MaxConcurrentPulls != 5 || c.DockerHost != "unix:///d.sock" || c.LogLevel != slog.LevelDebug {
		t.Errorf("from env %+v", c)
	}
	c, err = Load([]string{"--server", "b:2", "--max-concurrent-pulls", "3", "--docker-host", "tcp://127.0.0.1:2375"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "b:2" || c.MaxConcurrentPulls != 3 || c.DockerHost != "tcp://127.0.0.1:2375" {
		t.Errorf("flags over env %+v", c)
	}
}

func TestLoadRejectsBadConfig(t *testing.T) {
	_, err := Load([]string{"--max-concurrent-pulls", "0", "--server", "nohost", "--log-level", "loud"}, envOf(nil), io.Discard)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"max-concurrent-pulls", "--server must be host:port", "log-level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := Load(nil, envOf(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--server is required") {
		t.Errorf("missing server: %v", err)
	}
	if c, err := Load([]string{"--version"}, envOf(nil), io.Discard); err != nil || !c.ShowVersion {
		t.Errorf("--version: %+v %v", c, err)
	}
}

func TestLoadPrune(t *testing.T) {
	for in, want := range map[string]string{"": "", "off": "off", "Normal": "normal", " aggressive ": "aggressive"} {
		c, err := Load([]string{"--server", "a:1", "--prune", in}, envOf(nil), io.Discard)
		if err != nil || c.Prune != want {
			t.Errorf("--prune %q: %q, %v; want %q", in, c.Prune, err, want)
		}
	}
	c, err := Load([]string{"--server", "a:1"}, envOf(map[string]string{"HOTDESK_AGENT_PRUNE": "normal"}), io.Discard)
	if err != nil || c.Prune != "normal" {
		t.Errorf("HOTDESK_AGENT_PRUNE: %q, %v", c.Prune, err)
	}
	if _, err := Load([]string{"--server", "a:1", "--prune", "all"}, envOf(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--prune") {
		t.Errorf("--prune all: %v", err)
	}
}
