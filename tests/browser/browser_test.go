// Package browser runs the connect page end to end in a real browser: the server and agentd
// binaries as processes (the server with its private Postgres), the real Docker engine with
// the desktop image, and Debian's Chromium driven by Playwright (connect.mjs). Screenshots go
// to ./artifacts/browser at the repository root.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	desktopImage = "hotdesk/desktop:1"
	adminPass    = "browser-test-admin-pw"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func need(t *testing.T, path, why string) {
	t.Helper()
	if _, err := exec.LookPath(path); err != nil {
		t.Skipf("%s is missing (%s); `make deps` installs it", path, why)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs a binary until the test ends (SIGTERM, then SIGKILL), logging to a file kept with
// the artifacts.
func start(t *testing.T, logFile string, env []string, name string, args ...string) *exec.Cmd {
	t.Helper()
	out, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		out.Close()
	})
	return cmd
}

type client struct {
	base, token string
}

func (c *client) do(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		_ = json.Unmarshal(b, out)
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// npmCI installs playwright-core into tests/browser/node_modules when it is missing.
func npmCI(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("node_modules/playwright-core"); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
}

// buildImage builds a session image with scripts/build-images.sh (once, then up to date).
func buildImage(t *testing.T, root, target string) {
	t.Helper()
	build := exec.Command(filepath.Join(root, "scripts", "build-images.sh"), target)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build-images.sh %s: %v\n%s", target, err, out)
	}
}

// containersOf lists the containers (running or not) of one agent on the local engine.
func containersOf(agentID string) []string {
	out, _ := exec.Command("docker", "ps", "-aq", "--filter", "label=hotdesk.agent_id="+agentID).Output()
	return strings.Fields(string(out))
}

// platform is a server (with its private Postgres in a scratch directory) and one agentd
// enrolled with a token, on the local Docker engine, both running until the test ends.
type platform struct {
	api       *client // signed in as admin
	agentID   string
	agentAddr string // the server's agent listener
}

// startPlatform builds server and agentd, starts them (logs into artifacts) and waits until the
// agent is online. Whatever happens, no container of the agent outlives the test.
func startPlatform(t *testing.T, root, artifacts string) *platform {
	t.Helper()
	bin := t.TempDir()
	for _, b := range []string{"server", "agentd"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, b), "./"+b)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b, err, out)
		}
	}

	// The server, with its own private Postgres in a scratch data directory.
	listen, agentListen, proxyListen := freePort(t), freePort(t), freePort(t)
	data := t.TempDir()
	start(t, filepath.Join(artifacts, "server.log"), []string{"HOTDESK_ADMIN_PASSWORD=" + adminPass}, filepath.Join(bin, "server"),
		"run", "--listen", listen, "--agent-listen", agentListen, "--data-dir", data, "--log-level", "debug")
	api := &client{base: "http://" + listen}
	waitFor(t, "the server", 90*time.Second, func() bool { return api.do(t, "GET", "/readyz", nil, nil) == 200 })
	var login struct{ Token string }
	if api.do(t, "POST", "/v1/auth:login", map[string]string{"username": "admin", "password": adminPass}, &login) != 200 {
		t.Fatal("admin login failed")
	}
	api.token = login.Token

	// A real agent on the local Docker engine, its proxy on loopback.
	var enroll struct{ Token string }
	if api.do(t, "POST", "/v1/enrollmentTokens", map[string]any{}, &enroll) != 200 {
		t.Fatal("enrollment token")
	}
	start(t, filepath.Join(artifacts, "agentd.log"), nil, filepath.Join(bin, "agentd"), "--server", agentListen, "--token", enroll.Token,
		"--state-dir", t.TempDir(), "--proxy-listen", proxyListen, "--log-level", "debug")
	p := &platform{api: api, agentAddr: agentListen}
	waitFor(t, "the agent to come online", 60*time.Second, func() bool {
		var list struct {
			Agents []struct {
				ID, State string
			}
		}
		api.do(t, "GET", "/v1/agents", nil, &list)
		for _, a := range list.Agents {
			if a.State == "AGENT_STATE_ONLINE" {
				p.agentID = a.ID
				return true
			}
		}
		return false
	})
	t.Cleanup(func() {
		// Whatever happens, no session container outlives the test.
		if ids := containersOf(p.agentID); len(ids) > 0 {
			_ = exec.Command("docker", append([]string{"rm", "-f"}, ids...)...).Run()
		}
	})
	return p
}

func TestConnectPageShowsAndDrivesTheDesktop(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short")
	}
	need(t, "/usr/bin/chromium", "Debian's chromium")
	need(t, "node", "Node.js runs Playwright")
	need(t, "docker", "the Docker engine runs the desktop")
	if _, err := os.Stat("/usr/share/novnc/core/rfb.js"); err != nil {
		t.Skip("noVNC is missing (Debian's novnc); `make deps` installs it")
	}
	root := repoRoot(t)
	artifacts := filepath.Join(root, "artifacts", "browser")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	npmCI(t)
	// The desktop image (Debian, Xvnc, openbox, a terminal): built once, then up to date.
	buildImage(t, root, "desktop")

	p := startPlatform(t, root, artifacts)
	api, agentID := p.api, p.agentID

	var ws struct{ Workspace struct{ ID string } }
	if api.do(t, "POST", "/v1/workspaces", map[string]any{"workspace": map[string]any{
		"name": "Desktop", "kind": "WORKSPACE_KIND_CONTAINER", "enabled": true,
		"container": map[string]any{"image": desktopImage, "cores": 1, "memoryMb": "1024", "dockerRunConfigOverride": `{"shm_size":"256m"}`},
	}}, &ws) != 200 {
		t.Fatal("create workspace")
	}
	// The launch succeeds once the agent's report lists the image.
	waitImagePresent(t, api, ws.Workspace.ID, agentID)

	runScript(t, "connect.mjs", artifacts, "HOTDESK_URL="+api.base, "HOTDESK_USER=admin", "HOTDESK_PASSWORD="+adminPass,
		"HOTDESK_WORKSPACE="+ws.Workspace.ID)

	// The destroyed session's container is gone.
	waitFor(t, "the session container to be removed", 60*time.Second, func() bool { return len(containersOf(agentID)) == 0 })
	fmt.Fprintf(os.Stderr, "browser test: screenshots in %s\n", artifacts)
}

// runScript runs a Playwright script (node) with env and ARTIFACTS, for at most twelve minutes; its
// output goes to the test log, and a failure fails the test.
func runScript(t *testing.T, script, artifacts string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", script)
	node.Env = append(append(os.Environ(), env...), "ARTIFACTS="+artifacts)
	var out bytes.Buffer
	node.Stdout, node.Stderr = &out, &out
	err := node.Run()
	t.Logf("%s:\n%s", script, out.String())
	if err != nil {
		t.Fatalf("the browser run %s failed (%v); screenshots and logs in %s", script, err, artifacts)
	}
}

// waitImagePresent waits until the agent reports the workspace's image as present.
func waitImagePresent(t *testing.T, api *client, workspaceID, agentID string) {
	t.Helper()
	waitFor(t, "the agent to report the image of workspace "+workspaceID, 120*time.Second, func() bool {
		var list struct {
			ImageStatuses []struct{ AgentID, State string }
		}
		api.do(t, "GET", "/v1/imageStatuses?workspaceId="+workspaceID, nil, &list)
		for _, s := range list.ImageStatuses {
			if s.AgentID == agentID && s.State == "IMAGE_STATE_PRESENT" {
				return true
			}
		}
		return false
	})
}
