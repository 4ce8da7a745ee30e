package dockertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/go-connections/nat"
	"github.com/google/uuid"
)

// A fresh tag is built and imported, a container of it greets like a VNC server on the
// published port, and it stops at once on SIGTERM instead of waiting for the kill.
func TestFakeVNCImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cli, err := Engine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	tag := "hotdesk-dockertest/testvnc:" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	t.Cleanup(func() {
		_, _ = cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	if err := FakeVNCImage(ctx, cli, tag); err != nil {
		t.Fatalf("FakeVNCImage: %v", err)
	}
	first, err := cli.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := FakeVNCImage(ctx, cli, tag); err != nil {
		t.Fatalf("FakeVNCImage again: %v", err)
	}
	if again, _ := cli.ImageInspect(ctx, tag); again.ID != first.ID {
		t.Errorf("second call imported again (%s, then %s), want the image kept", first.ID, again.ID)
	}

	created, err := cli.ContainerCreate(ctx,
		&container.Config{Image: tag, Labels: map[string]string{"hotdesk.test": "dockertest"}},
		&container.HostConfig{PortBindings: nat.PortMap{"5901/tcp": {{HostIP: "127.0.0.1"}}}},
		nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cli.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true})
	})
	if err := cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	insp, err := cli.ContainerInspect(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	ports := insp.NetworkSettings.Ports["5901/tcp"]
	if len(ports) == 0 {
		t.Fatalf("5901 not published: %+v", insp.NetworkSettings.Ports)
	}
	gctx, gcancel := context.WithTimeout(ctx, 10*time.Second)
	defer gcancel()
	if g, err := Greeting(gctx, "127.0.0.1:"+ports[0].HostPort); err != nil || g != "RFB 003.008\n" {
		t.Errorf("greeting %q (%v), want RFB 003.008", g, err)
	}

	start := time.Now()
	wait := 20
	if err := cli.ContainerStop(ctx, created.ID, container.StopOptions{Timeout: &wait}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stop took %v, want the server to exit on SIGTERM", d)
	}
	if insp, err := cli.ContainerInspect(ctx, created.ID); err != nil || insp.State.ExitCode != 0 {
		t.Errorf("after stop: exit code %d (%v), want 0", insp.State.ExitCode, err)
	}
}
