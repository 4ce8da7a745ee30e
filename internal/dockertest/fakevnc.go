package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// importMu makes parallel tests of one process import the image once: the second caller
// finds it in the engine.
var importMu sync.Mutex

// FakeVNCImage makes sure the engine has the fake VNC server (images/testvnc, the same program
// as the hotdesk/testvnc image) as image tag, building and importing it unless the tag is
// already there. The image is kept between runs, so a change to testvnc needs a new tag in
// the callers.
func FakeVNCImage(ctx context.Context, cli *client.Client, tag string) error {
	importMu.Lock()
	defer importMu.Unlock()
	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return nil
	}
	bin, err := TestVNCBinary(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// A fixed time keeps the layer the same from one build to the next.
	if err := tw.WriteHeader(&tar.Header{Name: "testvnc", Mode: 0o755, Size: int64(len(bin)), ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, tag,
		image.ImportOptions{Changes: []string{`ENTRYPOINT ["/testvnc"]`, `EXPOSE 5901`}})
	if err != nil {
		return fmt.Errorf("import %s: %w", tag, err)
	}
	_, err = io.Copy(io.Discard, rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("import %s: %w", tag, err)
	}
	// The import reports its failures inside the stream; the tag is what the tests need.
	if _, err := cli.ImageInspect(ctx, tag); err != nil {
		return fmt.Errorf("import %s: %w", tag, err)
	}
	return nil
}

var (
	binMu   sync.Mutex
	binData []byte
)

// TestVNCBinary returns images/testvnc compiled as a static Linux binary (so it runs in an
// image with nothing else in it), built once per test process.
func TestVNCBinary(ctx context.Context) ([]byte, error) {
	binMu.Lock()
	defer binMu.Unlock()
	if binData != nil {
		return binData, nil
	}
	dir, err := os.MkdirTemp("", "dockertest-testvnc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "testvnc")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./images/testvnc")
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build images/testvnc: %v\n%s", err, b)
	}
	if binData, err = os.ReadFile(out); err != nil {
		return nil, err
	}
	return binData, nil
}
