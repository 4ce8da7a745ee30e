package runtime

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/google/uuid"

	"github.com/hotdesk/hotdesk/internal/registrytest"
)

// registryImage pushes a fresh image to a real registry (htpasswd auth) and returns its
// reference and id; the local copy is removed, so the engine has to pull it.
func registryImage(t *testing.T, d *Docker, reg *registrytest.Registry, user, pass string) (string, string) {
	t.Helper()
	ref := reg.Addr + "/agentd-test/" + strings.ReplaceAll(uuid.NewString()[:8], "-", "") + ":1"
	id := registrytest.BuildAndPush(t, d.cli, registrytest.Image{Ref: ref, Marker: ref, Padding: 256 << 10, Username: user, Password: pass})
	t.Cleanup(func() {
		_, _ = d.cli.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	return ref, id
}

// A pull with the right credentials brings the pushed build, reports its layers and bytes as
// it goes, and returns the registry's digest; the image then lists under its tag.
func TestPullImageWithCredentials(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	reg := registrytest.Start(t, map[string]string{"bot": "s3cret-pass"})
	ref, id := registryImage(t, d, reg, "bot", "s3cret-pass")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var seen []PullProgress
	digest, err := d.PullImage(ctx, ref, &RegistryAuth{ServerAddress: reg.Addr, Username: "bot", Password: "s3cret-pass"},
		func(p PullProgress) { seen = append(seen, p) })
	if err != nil {
		t.Fatalf("PullImage: %v", err)
	}
	if !strings.HasPrefix(digest, "sha256:") {
		t.Errorf("digest %q, want sha256:…", digest)
	}
	if len(seen) == 0 {
		t.Fatal("no progress reported")
	}
	last := seen[len(seen)-1]
	if last.LayersTotal < 1 || last.LayersDone != last.LayersTotal || last.BytesTotal < 256<<10 || last.BytesDone != last.BytesTotal {
		t.Errorf("final progress %+v, want every layer and byte done (at least 256 KiB)", last)
	}
	imgs, err := d.LocalImages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got *LocalImage
	for i := range imgs {
		if slices.Contains(imgs[i].Tags, ref) {
			got = &imgs[i]
		}
	}
	if got == nil || got.ID != id || got.DigestFor(ref) != digest {
		t.Fatalf("after the pull, %s lists as %+v; want id %s and digest %s", ref, got, id, digest)
	}
}

// A wrong password fails with the registry's words ("unauthorized: authentication required"),
// never with the password in them; no credentials at all fail with the engine's.
func TestPullImageRefusedCredentials(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	reg := registrytest.Start(t, map[string]string{"bot": "right-password"})
	ref, _ := registryImage(t, d, reg, "bot", "right-password")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, auth := range []*RegistryAuth{{ServerAddress: reg.Addr, Username: "bot", Password: "wrong-password-xyz"}, nil} {
		_, err := d.PullImage(ctx, ref, auth, nil)
		var pe *PullError
		if !errors.As(err, &pe) {
			t.Fatalf("auth %v: error %v (%T), want a PullError", auth != nil, err, err)
		}
		t.Logf("auth %v: %s", auth != nil, pe.Msg)
		if !strings.Contains(pe.Msg, "unauthorized") && !strings.Contains(pe.Msg, "no basic auth credentials") {
			t.Errorf("auth %v: message %q does not carry the registry's refusal", auth != nil, pe.Msg)
		}
		if strings.Contains(pe.Msg, "wrong-password-xyz") {
			t.Errorf("message %q contains the password", pe.Msg)
		}
	}
}

// Pruning on a real engine: an untagged build the agent pulled and a tag it pulled that is no
// longer desired go; a desired tag, an image a container uses, and (in normal mode) an image
// the agent did not pull stay.
func TestPruneOnEngine(t *testing.T) {
	t.Parallel()
	d := newTestDocker(t)
	reg := registrytest.Start(t, map[string]string{"bot": "pw"})
	auth := &RegistryAuth{ServerAddress: reg.Addr, Username: "bot", Password: "pw"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pull := func(ref string) {
		if _, err := d.PullImage(ctx, ref, auth, nil); err != nil {
			t.Fatalf("pull %s: %v", ref, err)
		}
	}
	desired, _ := registryImage(t, d, reg, "bot", "pw")
	stale, _ := registryImage(t, d, reg, "bot", "pw")
	inUse, _ := registryImage(t, d, reg, "bot", "pw")
	foreign, _ := registryImage(t, d, reg, "bot", "pw")
	for _, r := range []string{desired, stale, inUse, foreign} {
		pull(r)
	}
	// A container (never started) of inUse keeps it.
	c, err := d.cli.ContainerCreate(ctx, &container.Config{Image: inUse}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})

	imgs, err := d.LocalImages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := tagIDs(imgs)
	inUseIDs, err := d.ImagesInUse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := PruneInput{Images: imgs, InUse: inUseIDs, Desired: map[string]bool{desired: true},
		PulledRefs: map[string]bool{desired: true, stale: true, inUse: true}, PulledIDs: map[string]bool{ids[stale]: true},
		Scope: reg.Addr + "/"}
	cands := PruneCandidates(in)
	if !slices.Equal(cands, []string{stale}) {
		t.Fatalf("normal prune candidates %q, want only %q", cands, stale)
	}
	in.Aggressive = true
	cands = PruneCandidates(in)
	want := []string{foreign, stale}
	slices.Sort(want)
	if !slices.Equal(cands, want) {
		t.Fatalf("aggressive prune candidates %q, want %q", cands, want)
	}
	for _, r := range cands {
		if err := d.RemoveImage(ctx, r); err != nil {
			t.Fatalf("remove %s: %v", r, err)
		}
	}
	// The engine itself refuses to remove an image a container uses.
	if err := d.RemoveImage(ctx, inUse); err == nil {
		t.Errorf("removing %s, used by a container, succeeded", inUse)
	}
	after, err := d.LocalImages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	left := tagIDs(after)
	for _, r := range []string{desired, inUse} {
		if _, ok := left[r]; !ok {
			t.Errorf("%s was removed", r)
		}
	}
	for _, r := range []string{stale, foreign} {
		if _, ok := left[r]; ok {
			t.Errorf("%s is still there", r)
		}
	}
}

func tagIDs(imgs []LocalImage) map[string]string {
	out := map[string]string{}
	for _, im := range imgs {
		for _, t := range im.Tags {
			out[t] = im.ID
		}
	}
	return out
}

func TestPruneCandidates(t *testing.T) {
	imgs := []LocalImage{
		{ID: "sha256:desired", Tags: []string{"r/desktop:1"}},
		{ID: "sha256:stale", Tags: []string{"r/old:1"}},
		{ID: "sha256:used", Tags: []string{"r/used:1"}},
		{ID: "sha256:foreign", Tags: []string{"other/tool:2"}},
		{ID: "sha256:oldbuild"},
		{ID: "sha256:strayuntagged"},
		{ID: "sha256:shared", Tags: []string{"r/desktop:2", "r/keep:1"}},
	}
	in := PruneInput{Images: imgs, InUse: map[string]bool{"sha256:used": true},
		Desired:    map[string]bool{"r/desktop:1": true, "r/keep:1": true},
		PulledRefs: map[string]bool{"r/old:1": true, "r/used:1": true, "r/desktop:2": true},
		PulledIDs:  map[string]bool{"sha256:oldbuild": true}}
	if got, want := PruneCandidates(in), []string{"r/old:1", "sha256:oldbuild"}; !slices.Equal(got, want) {
		t.Errorf("normal: %q, want %q", got, want)
	}
	in.Aggressive = true
	if got, want := PruneCandidates(in), []string{"other/tool:2", "r/old:1", "sha256:oldbuild", "sha256:strayuntagged"}; !slices.Equal(got, want) {
		t.Errorf("aggressive: %q, want %q", got, want)
	}
	in.Scope = "r/"
	if got, want := PruneCandidates(in), []string{"r/old:1", "sha256:oldbuild"}; !slices.Equal(got, want) {
		t.Errorf("aggressive, scoped: %q, want %q", got, want)
	}
}

func TestNormalizeReference(t *testing.T) {
	for in, want := range map[string]string{
		"desktop": "desktop:latest", "docker.io/library/desktop:1": "desktop:1",
		"127.0.0.1:5000/team/d:2": "127.0.0.1:5000/team/d:2", "Bad Ref": "Bad Ref",
	} {
		if got := NormalizeReference(in); got != want {
			t.Errorf("NormalizeReference(%q) = %q, want %q", in, got, want)
		}
	}
}
