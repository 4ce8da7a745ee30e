package app

import (
	"net"
	"os"
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/config"
)

// Enrollment tokens tell new agents where to dial; a listener on every interface has no host
// worth telling, so the agent TLS name or the public URL's host stands in.
func TestAgentAddress(t *testing.T) {
	hostname, _ := os.Hostname()
	for _, c := range []struct {
		listen, public string
		names          []string
		want           string
	}{
		{"127.0.0.1:8443", "http://127.0.0.1:8080", nil, "127.0.0.1:8443"},
		{"0.0.0.0:8443", "https://desk.example.org", []string{"agents.example.org", "10.0.0.5"}, "agents.example.org:8443"},
		{"[::]:9443", "https://desk.example.org/", nil, "desk.example.org:9443"},
		{":8443", "http://[2001:db8::1]:8080", nil, "[2001:db8::1]:8443"},
		// No public URL given: it was derived from an all-interfaces listener as well.
		{"0.0.0.0:8443", "http://0.0.0.0:8080", nil, net.JoinHostPort(hostname, "8443")},
	} {
		a := &App{AgentAddr: c.listen, PublicURL: c.public, cfg: config.Config{AgentTLSNames: c.names}}
		if got := a.agentAddress(); got != c.want {
			t.Errorf("listen %s, public %s, names %v: %q, want %q", c.listen, c.public, c.names, got, c.want)
		}
	}
}
