// Package registrytest gives image-sync tests real container registries: Debian's
// docker-registry on 127.0.0.1 with htpasswd (bcrypt) authentication and filesystem storage in
// a temporary folder, a counting reverse proxy to put in front of it, and helpers that build
// small runnable images locally and push them (nothing is pulled from the internet). Docker
// treats registries on 127.0.0.0/8 as insecure-allowed, so plain HTTP works.
//
// It is shared by the server's and agentd's tests, so it lives outside both.
package registrytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Binary is where Debian's docker-registry package installs the registry.
const Binary = "/usr/bin/docker-registry"

// Registry is a running registry.
type Registry struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Dir holds its configuration, storage and log.
	Dir string
	cmd *exec.Cmd
}

// Start runs a registry that accepts the given users (name → password) and stops it when t
// ends. It fails the test when docker-registry is not installed (scripts/install-deps.sh
// installs it).
func Start(t testing.TB, users map[string]string) *Registry {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("registrytest: %s is missing; run scripts/install-deps.sh (Debian package docker-registry)", Binary)
	}
	dir := t.TempDir()
	var htpasswd strings.Builder
	for u, p := range users {
		h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&htpasswd, "%s:%s\n", u, h)
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(htpasswd.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		r := &Registry{Addr: fmt.Sprintf("127.0.0.1:%d", port), Dir: dir}
		if lastErr = r.start(); lastErr == nil {
			t.Cleanup(r.stop)
			return r
		}
	}
	t.Fatalf("registrytest: registry did not start: %v", lastErr)
	return nil
}

func (r *Registry) start() error {
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
auth:
  htpasswd:
    realm: hotdesk-test
    path: %s
`, filepath.Join(r.Dir, "data"), r.Addr, filepath.Join(r.Dir, "htpasswd"))
	path := filepath.Join(r.Dir, "config.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(r.Dir, "registry.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	r.cmd = exec.Command(Binary, "serve", path)
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- r.cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v; log:\n%s", err, r.Log())
		default:
		}
		resp, err := http.Get("http://" + r.Addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = r.cmd.Process.Kill()
	return fmt.Errorf("no answer on %s; log:\n%s", r.Addr, r.Log())
}

func (r *Registry) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
	}
}

// Log returns the registry's log (its access log included).
func (r *Registry) Log() string {
	b, _ := os.ReadFile(filepath.Join(r.Dir, "registry.log"))
	return string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ctx returns a context for helper calls to the engine.
func ctx(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
