package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const (
	testvncImage = "hotdesk/testvnc:1"
	alicePass    = "browser-test-alice-pw"
	handbookURL  = "https://handbook.example.org/start"
)

// TestDashboard drives the web dashboard (clients/web, embedded into the server binary) in
// Chromium through dashboard.mjs: a user's catalog, launch, session page and sessions list; an
// administrator's agents, workspaces and the other admin pages; form validation on both sides,
// an expired login that keeps what was typed, phone widths and the keyboard. The sessions run
// hotdesk/testvnc:1 (a tiny fake VNC server) on a real agent. Screenshots of every page go to
// ./artifacts/browser/dashboard.
func TestDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short")
	}
	need(t, "/usr/bin/chromium", "Debian's chromium")
	need(t, "node", "Node.js runs Playwright")
	need(t, "docker", "the Docker engine runs the sessions")
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "server", "internal", "web", "dashboard", "dist", "index.html")); err != nil {
		t.Fatal("the dashboard is not built (server/internal/web/dashboard/dist/index.html is missing): run make web")
	}
	artifacts := filepath.Join(root, "artifacts", "browser", "dashboard")
	if err := os.RemoveAll(artifacts); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	npmCI(t)
	buildImage(t, root, "testvnc")

	p := startPlatform(t, root, artifacts)
	api, agentID := p.api, p.agentID

	// The catalog: two workspaces, a user who may launch only the first.
	workspace := func(name, description string) string {
		var ws struct{ Workspace struct{ ID string } }
		if api.do(t, "POST", "/v1/workspaces", map[string]any{"workspace": map[string]any{
			"name": name, "description": description, "kind": "WORKSPACE_KIND_CONTAINER", "enabled": true,
			"container": map[string]any{"image": testvncImage, "cores": 0.25, "memoryMb": "128"},
		}}, &ws) != 200 || ws.Workspace.ID == "" {
			t.Fatalf("create workspace %q", name)
		}
		return ws.Workspace.ID
	}
	testDesktop := workspace("Test desktop", "A tiny desktop for the browser test.")
	spare := workspace("Spare", "Nobody's group allows this one.")
	// A link workspace: its tile opens the URL (never visited by the test).
	var handbook struct{ Workspace struct{ ID string } }
	if api.do(t, "POST", "/v1/workspaces", map[string]any{"workspace": map[string]any{
		"name": "Handbook", "kind": "WORKSPACE_KIND_LINK", "enabled": true, "linkUrl": handbookURL,
	}}, &handbook) != 200 || handbook.Workspace.ID == "" {
		t.Fatal("create workspace Handbook")
	}

	var alice struct{ User struct{ ID string } }
	if api.do(t, "POST", "/v1/users", map[string]any{"user": map[string]any{
		"username": "alice", "displayName": "Alice Example", "role": "ROLE_USER", "password": alicePass,
	}}, &alice) != 200 || alice.User.ID == "" {
		t.Fatal("create user alice")
	}
	var staff struct{ Group struct{ ID string } }
	if api.do(t, "POST", "/v1/groups", map[string]any{"group": map[string]any{
		"name": "Staff", "description": "Everyone at the office.", "memberIds": []string{alice.User.ID}, "workspaceIds": []string{testDesktop, handbook.Workspace.ID},
	}}, &staff) != 200 || staff.Group.ID == "" {
		t.Fatal("create group Staff")
	}

	// The launch succeeds at once when the agent's report lists the image.
	waitImagePresent(t, api, testDesktop, agentID)

	runScript(t, "dashboard.mjs", artifacts, "HOTDESK_URL="+api.base,
		"HOTDESK_ADMIN_USER=admin", "HOTDESK_ADMIN_PASSWORD="+adminPass,
		"HOTDESK_USER=alice", "HOTDESK_USER_PASSWORD="+alicePass,
		"HOTDESK_AGENT_ID="+agentID, "HOTDESK_AGENT_ADDRESS="+p.agentAddr, "HOTDESK_WORKSPACE="+testDesktop, "HOTDESK_SPARE="+spare, "HOTDESK_LINK_URL="+handbookURL)

	// Every session the browser started was destroyed, and its container removed.
	waitFor(t, "the agent's session containers to be removed", 60*time.Second, func() bool { return len(containersOf(agentID)) == 0 })
	fmt.Fprintf(os.Stderr, "dashboard test: screenshots in %s\n", artifacts)
}
