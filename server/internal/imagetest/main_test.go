// Package imagetest tests image sync end to end, as users rely on it: a real registry
// (Debian's docker-registry with htpasswd, behind a counting proxy), the real server
// (in-process, real Postgres), the real agentd binary against the real Docker engine. It checks
// what an administrator would notice: how many pulls an agent runs at once, statuses with the
// registry's own error text, new builds under a moving tag reaching the next session, and
// workspaces that must never be pulled.
package imagetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hotdesk/hotdesk/internal/dockertest"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

// agentdBin is the agentd binary, built once per test binary.
var agentdBin string

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "imagetest:", err)
		os.Exit(1)
	}
	pgtest.Main(m)
}

func setup() error {
	cli, err := dockertest.Engine(context.Background())
	if err != nil {
		return err
	}
	cli.Close()
	// One fixed path, replaced atomically by each run: nothing piles up in the temp folder.
	agentdBin = filepath.Join(os.TempDir(), fmt.Sprintf("hotdesk-imagetest-agentd-%d", os.Getuid()))
	tmp := fmt.Sprintf("%s.%d", agentdBin, os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, "github.com/hotdesk/hotdesk/agentd")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build agentd: %v\n%s", err, out)
	}
	return os.Rename(tmp, agentdBin)
}
