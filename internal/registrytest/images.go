package registrytest

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/client"

	"github.com/hotdesk/hotdesk/internal/dockertest"
)

// Image describes a test image to build and push.
type Image struct {
	// Ref is the full reference to push, e.g. "127.0.0.1:5000/team/desktop:latest".
	Ref string
	// Marker is written to /build inside the image; different markers make different builds
	// (different image ids) of the same tag.
	Marker string
	// Padding adds that many random (incompressible) bytes, to make pulls take a while.
	Padding int
	// Username and Password authenticate the push.
	Username, Password string
	// Keep leaves the image on the local engine after the push; by default it is removed, so
	// an agent on this engine has to pull it.
	Keep bool
}

// testvnc returns the static testvnc binary (images/testvnc): it answers on 5901 like a
// session's VNC server, so images made from it run as sessions.
func testvnc(t testing.TB) []byte {
	t.Helper()
	c, cancel := ctx(3 * time.Minute)
	defer cancel()
	b, err := dockertest.TestVNCBinary(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BuildAndPush builds im locally (docker import of a one-layer root file system: testvnc,
// the marker and the padding) and pushes it. It returns Docker's image id, which a pull of
// the reference reproduces.
func BuildAndPush(t testing.TB, cli *client.Client, im Image) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, mode int64, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	add("testvnc", 0o755, testvnc(t))
	add("build", 0o644, []byte(im.Marker+"\n"))
	if im.Padding > 0 {
		pad := make([]byte, im.Padding)
		_, _ = rand.Read(pad)
		add("padding", 0o644, pad)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	c, cancel := ctx(3 * time.Minute)
	defer cancel()
	rc, err := cli.ImageImport(c, image.ImportSource{Source: &buf, SourceName: "-"}, im.Ref,
		image.ImportOptions{Changes: []string{`ENTRYPOINT ["/testvnc"]`, `EXPOSE 5901`}})
	if err != nil {
		t.Fatalf("import %s: %v", im.Ref, err)
	}
	if err := drain(rc); err != nil {
		t.Fatalf("import %s: %v", im.Ref, err)
	}
	insp, err := cli.ImageInspect(c, im.Ref)
	if err != nil {
		t.Fatalf("inspect %s: %v", im.Ref, err)
	}
	auth, err := registry.EncodeAuthConfig(registry.AuthConfig{Username: im.Username, Password: im.Password})
	if err != nil {
		t.Fatal(err)
	}
	rc, err = cli.ImagePush(c, im.Ref, image.PushOptions{RegistryAuth: auth})
	if err != nil {
		t.Fatalf("push %s: %v", im.Ref, err)
	}
	if err := drain(rc); err != nil {
		t.Fatalf("push %s: %v", im.Ref, err)
	}
	if !im.Keep {
		if _, err := cli.ImageRemove(c, im.Ref, image.RemoveOptions{PruneChildren: true}); err != nil {
			t.Fatalf("remove local %s: %v", im.Ref, err)
		}
	}
	return insp.ID
}

// drain reads an engine progress stream to its end and returns its error line, if any.
func drain(rc io.ReadCloser) error {
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if m.Error != "" {
			return fmt.Errorf("%s", m.Error)
		}
	}
}
