// Package systest tests Hotdesk as it runs in production: the real `server` and `agentd`
// binaries as separate processes, a real Postgres (pgtest), and the real Docker engine. The
// tests kill those processes (SIGKILL, no goodbye) and check what a user and an administrator
// would notice: sessions that keep running, containers with the promised settings, no leaked
// containers, no oversubscribed agent.
//
// Everything listens on and dials 127.0.0.1. The session image is dockertest's fake VNC server
// (images/testvnc, imported as hdtest/testvnc:1), since nothing can be pulled here.
package systest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hotdesk/hotdesk/internal/dockertest"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

// testImage is the session image every test workspace runs.
const testImage = "hdtest/testvnc:1"

// binDir holds the server and agentd binaries built once per test binary.
var binDir string

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "systest:", err)
		os.Exit(1)
	}
	pgtest.Main(m)
}

func setup() error {
	cli, err := dockertest.Engine(context.Background())
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := dockertest.FakeVNCImage(ctx, cli, testImage); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "hotdesk-systest-")
	if err != nil {
		return err
	}
	binDir = dir
	if err := reapAfterExit(dir); err != nil {
		return err
	}
	for _, b := range []struct{ name, pkg string }{
		{"server", "github.com/hotdesk/hotdesk/server"},
		{"agentd", "github.com/hotdesk/hotdesk/agentd"},
	} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b.name), b.pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return nil
}

// reapAfterExit starts a detached watcher that, once this test binary is gone (even killed by
// a test timeout, when no cleanup runs), removes the containers of the agents the tests
// recorded in dir/agents and then dir itself with the binaries.
func reapAfterExit(dir string) error {
	const script = `while kill -0 "$0" 2>/dev/null; do sleep 1; done
if [ -f "$1/agents" ]; then
  while read -r a; do
    ids=$(docker ps -aq --filter label=hotdesk.managed=true --filter "label=hotdesk.agent_id=$a" 2>/dev/null)
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
  done <"$1/agents"
fi
rm -rf "$1"`
	cmd := exec.Command("sh", "-c", script, strconv.Itoa(os.Getpid()), dir)
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start reaper: %w", err)
	}
	return cmd.Process.Release()
}
