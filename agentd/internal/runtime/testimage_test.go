package runtime

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// testImage is a tiny fake VNC server: a static Go binary that answers every connection on
// 5901 with an RFB greeting. It is built and imported by the tests themselves.
const testImage = "hotdesk-agentd-test/fakevnc:1"

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

var (
	imageOnce sync.Once
	imageErr  error
)

// ensureTestImage builds the fake VNC binary with the local Go toolchain and imports it as a
// one-file image (docker import of a tar), since nothing can be pulled here.
func ensureTestImage(t testing.TB, cli *client.Client) {
	t.Helper()
	imageOnce.Do(func() { imageErr = buildTestImage(cli) })
	if imageErr != nil {
		t.Fatalf("build test image: %v", imageErr)
	}
}

func buildTestImage(cli *client.Client) error {
	dir, err := os.MkdirTemp("", "fakevnc")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(fakeVNCSource), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module fakevnc\n\ngo 1.22\n"), 0o644); err != nil {
		return err
	}
	bin := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return &buildError{out: string(out), err: err}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "bin", Mode: 0o755, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rc, err := cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, testImage,
		image.ImportOptions{Changes: []string{`ENTRYPOINT ["/bin"]`, `EXPOSE 5901`}})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }
