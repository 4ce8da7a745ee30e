// Package testenv gives the Go SDK's and the CLI's tests a live Hotdesk server: the one the
// HOTDESK_TEST_SERVER file describes (the `make test-clients` suite starts one), or else one
// that this test binary builds and starts from server/internal/testserver (a private Postgres
// and a simulated agent, so sessions reach RUNNING without Docker).
package testenv

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// EnvFile names the JSON file of an already running test server.
const EnvFile = "HOTDESK_TEST_SERVER"

// Server is a running test server, as server/internal/testserver prints it.
type Server struct {
	Addr          string   `json:"addr"`
	BaseURL       string   `json:"base_url"`
	AdminUsername string   `json:"admin_username"`
	AdminPassword string   `json:"admin_password"`
	AdminToken    string   `json:"admin_token"`
	APIKey        string   `json:"api_key"`
	WorkspaceID   string   `json:"workspace_id"`
	AgentIDs      []string `json:"agent_ids"`
}

var (
	once    sync.Once
	shared  *Server
	err     error
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  bytes.Buffer
	rootDir string
)

// Get returns the shared server, starting it on first use.
func Get(t testing.TB) *Server {
	t.Helper()
	once.Do(start)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return shared
}

// Main starts (or finds) the server, exports it to the tests as HOTDESK_SERVER (its
// http:// URL), HOTDESK_API_KEY (an administrator's key) and HOTDESK_WORKSPACE (a launchable
// workspace's id), the variables the quickstarts and the CLI read, runs the tests, then stops
// a server this binary started: `func TestMain(m *testing.M) { testenv.Main(m) }`.
func Main(m *testing.M) {
	once.Do(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		os.Exit(1)
	}
	os.Setenv("HOTDESK_SERVER", shared.BaseURL)
	os.Setenv("HOTDESK_API_KEY", shared.APIKey)
	os.Setenv("HOTDESK_WORKSPACE", shared.WorkspaceID)
	code := m.Run()
	if cmd != nil {
		stdin.Close() // --exit-on-stdin-eof: the server stops and removes its folder
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	os.Exit(code)
}

// Root returns the repository root (the folder of go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func findRoot() (string, error) {
	if rootDir != "" {
		return rootDir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rootDir = dir
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

func start() {
	if f := os.Getenv(EnvFile); f != "" {
		b, rerr := os.ReadFile(f)
		if rerr != nil {
			err = rerr
			return
		}
		shared = &Server{}
		err = json.Unmarshal(b, shared)
		return
	}
	root, rerr := findRoot()
	if rerr != nil {
		err = rerr
		return
	}
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("hotdesk-testserver-%d", os.Getpid()))
	build := exec.Command("go", "build", "-o", bin, "./server/internal/testserver")
	build.Dir = root
	if out, berr := build.CombinedOutput(); berr != nil {
		err = fmt.Errorf("build testserver: %v\n%s", berr, out)
		return
	}
	defer os.Remove(bin) // the running process keeps its inode
	cmd = exec.Command(bin, "--exit-on-stdin-eof")
	cmd.Stderr = &stderr
	stdin, err = cmd.StdinPipe()
	if err != nil {
		return
	}
	out, perr := cmd.StdoutPipe()
	if perr != nil {
		err = perr
		return
	}
	if err = cmd.Start(); err != nil {
		return
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			_ = cmd.Wait()
			err = fmt.Errorf("testserver exited before it was ready: %s", stderr.String())
			return
		}
		shared = &Server{}
		err = json.Unmarshal([]byte(line), shared)
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		err = fmt.Errorf("testserver not ready after 3 minutes: %s", stderr.String())
	}
}
