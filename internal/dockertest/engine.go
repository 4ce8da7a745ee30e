package dockertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/docker/docker/client"
)

// Engine returns a client of an engine that answers, starting one with the project's script
// when none does (the script installs Docker if it has to, and needs root for that). The
// caller closes the client.
func Engine(ctx context.Context) (*client.Client, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, err
	}
	if err := ping(ctx, cli); err == nil {
		return cli, nil
	}
	script := filepath.Join(repoRoot(), "scripts", "start-dockerd.sh")
	cmd := exec.CommandContext(ctx, script)
	// The script's progress is the only hint of why a long first run is slow.
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		cli.Close()
		return nil, fmt.Errorf("no Docker engine answers and %s failed: %w", script, err)
	}
	if err := ping(ctx, cli); err != nil {
		cli.Close()
		return nil, fmt.Errorf("the Docker engine started by %s does not answer: %w", script, err)
	}
	return cli, nil
}

func ping(ctx context.Context, cli *client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := cli.Ping(ctx)
	return err
}

// repoRoot is found from this file rather than the working directory, which is each test's
// own package folder.
func repoRoot() string {
	return filepath.Join(sourceDir(), "..", "..")
}

func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}
