// Package systest tests Hotdesk as it runs in production: the real `server` and `agentd`
// binaries as separate processes, a real Postgres (pgtest), and the real Docker engine. The
// tests kill those processes (SIGKILL, no goodbye) and check what a user and an administrator
// would notice: sessions that keep running, containers with the promised settings, no leaked
// containers, no oversubscribed agent.
//
// Everything listens on and dials 127.0.0.1. The session image is a tiny fake VNC server (a
// static Go binary imported as hdtest/vnc:1), since nothing can be pulled here.
package systest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

// testImage is the session image every test workspace runs.
const testImage = "hdtest/vnc:1"

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
	if err := ensureDocker(); err != nil {
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
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	return ensureImage(cli)
}

// ensureDocker makes sure an engine answers, starting one with the project's script if needed.
func ensureDocker() error {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err = cli.Ping(ctx)
	cancel()
	if err == nil {
		return nil
	}
	cmd := exec.Command("../../../scripts/start-dockerd.sh")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if rerr := cmd.Run(); rerr != nil {
		return fmt.Errorf("these tests need a Docker engine: %v (start-dockerd.sh: %v)", err, rerr)
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

// ensureImage imports the fake VNC image unless the engine already has it.
func ensureImage(cli *client.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cli.ImageInspect(ctx, testImage); err == nil {
		return nil
	}
	src, err := os.MkdirTemp("", "hdtest-vnc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(fakeVNCSource), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module fakevnc\n\ngo 1.22\n"), 0o644); err != nil {
		return err
	}
	bin := filepath.Join(src, "vnc")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build fake VNC server: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "vnc", Mode: 0o755, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, testImage,
		image.ImportOptions{Changes: []string{`ENTRYPOINT ["/vnc"]`, `EXPOSE 5901`}})
	if err != nil {
		return fmt.Errorf("import %s: %w", testImage, err)
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// fakeVNCSource answers every connection on 5901 with an RFB greeting and exits at once on
// SIGTERM (as PID 1 it would otherwise ignore it and every stop would wait for the kill).
const fakeVNCSource = `package main

import (
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ln, err := net.Listen("tcp", ":5901")
	if err != nil {
		os.Exit(1)
	}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		os.Exit(0)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		conn.Write([]byte("RFB 003.008\n"))
		conn.Close()
	}
}
`
