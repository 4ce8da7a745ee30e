package config

import (
	"slices"
	"testing"
)

func TestAgentListenerSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.AgentListen != "127.0.0.1:8443" || len(c.AgentTLSNames) != 0 {
		t.Errorf("defaults: %q %v", c.AgentListen, c.AgentTLSNames)
	}
	c, err = Load(nil, env(map[string]string{"HOTDESK_AGENT_LISTEN": "0.0.0.0:9443", "HOTDESK_AGENT_TLS_NAMES": "hd.example.com, 10.0.0.5,,"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AgentListen != "0.0.0.0:9443" || !slices.Equal(c.AgentTLSNames, []string{"hd.example.com", "10.0.0.5"}) {
		t.Errorf("from env: %q %v", c.AgentListen, c.AgentTLSNames)
	}
	c, err = Load([]string{"--agent-listen", ":7443", "--agent-tls-names", "a.example.com,::1"},
		env(map[string]string{"HOTDESK_AGENT_LISTEN": "0.0.0.0:9443", "HOTDESK_AGENT_TLS_NAMES": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AgentListen != ":7443" || !slices.Equal(c.AgentTLSNames, []string{"a.example.com", "::1"}) {
		t.Errorf("flags over env: %q %v", c.AgentListen, c.AgentTLSNames)
	}
	if _, err := Load([]string{"--agent-listen", "8443"}, env(nil)); err == nil {
		t.Error("accepted an agent listen address without a port")
	}
	if _, err := Load([]string{"--agent-tls-names", "bad name"}, env(nil)); err == nil {
		t.Error("accepted a TLS name with a space")
	}
}
