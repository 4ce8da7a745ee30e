package agent

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// fakeImages is a runtime with images: pulls take as long as the test lets them (gate), and
// the registry accepts only the password "ok".
type fakeImages struct {
	*fakeRuntime
	mu          sync.Mutex
	tags        map[string]string // tag → image id
	nets        []string
	inUse       map[string]bool
	gate        chan struct{} // a pull waits for a token when set
	inflight    int
	maxInflight int
	pulls       map[string]int
	removed     []string
	builds      int
}

func newFakeImages() *fakeImages {
	return &fakeImages{fakeRuntime: newFakeRuntime(), tags: map[string]string{}, nets: []string{"bridge"},
		inUse: map[string]bool{}, pulls: map[string]int{}}
}

func (f *fakeImages) PullImage(ctx context.Context, ref string, auth *runtime.RegistryAuth, progress func(runtime.PullProgress)) (string, error) {
	f.mu.Lock()
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	f.pulls[ref]++
	gate := f.gate
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if auth == nil || auth.Password != "ok" {
		return "", &runtime.PullError{Msg: "unauthorized: authentication required"}
	}
	progress(runtime.PullProgress{LayersDone: 1, LayersTotal: 1, BytesDone: 10, BytesTotal: 10})
	f.mu.Lock()
	f.builds++
	f.tags[ref] = fmt.Sprintf("sha256:build%d", f.builds)
	f.mu.Unlock()
	return "sha256:digest-" + ref, nil
}

func (f *fakeImages) LocalImages(context.Context) ([]runtime.LocalImage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	byID := map[string]*runtime.LocalImage{}
	for tag, id := range f.tags {
		if byID[id] == nil {
			byID[id] = &runtime.LocalImage{ID: id}
		}
		byID[id].Tags = append(byID[id].Tags, tag)
	}
	var out []runtime.LocalImage
	for _, im := range byID {
		sort.Strings(im.Tags)
		out = append(out, *im)
	}
	return out, nil
}

func (f *fakeImages) ImagesInUse(context.Context) (map[string]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]bool{}
	for k, v := range f.inUse {
		out[k] = v
	}
	return out, nil
}

func (f *fakeImages) RemoveImage(_ context.Context, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inUse[f.tags[ref]] {
		return fmt.Errorf("conflict: image is being used")
	}
	delete(f.tags, ref)
	f.removed = append(f.removed, ref)
	return nil
}

func (f *fakeImages) NetworkNames(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.nets...), nil
}

func (f *fakeImages) stats() (maxInflight int, pulls map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := map[string]int{}
	for k, v := range f.pulls {
		cp[k] = v
	}
	return f.maxInflight, cp
}

func (f *fakeImages) has(ref string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.tags[ref]
	return ok
}

type imageHarness struct {
	s   *imageSync
	rt  *fakeImages
	out chan *agentpb.SyncImagesRequest
	ctx context.Context
}

// newImageHarness runs image sync against a fake runtime, with a stream whose messages the
// test reads.
func newImageHarness(t *testing.T, rt *fakeImages, cfg ImageConfig) *imageHarness {
	t.Helper()
	a := New(Config{Logger: testLogger(t), Images: cfg}, &Identity{AgentID: "agent-under-test"}, rt)
	if a.images == nil {
		t.Fatal("image sync is off for a runtime that can pull")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st := &imgStream{ctx: ctx, out: make(chan *agentpb.SyncImagesRequest, 4096)}
	if err := a.images.attach(ctx, st); err != nil {
		t.Fatal(err)
	}
	go a.images.schedule(ctx)
	return &imageHarness{s: a.images, rt: rt, out: st.out, ctx: ctx}
}

// next returns the next message matching pred, failing after timeout.
func (h *imageHarness) next(t *testing.T, what string, pred func(*agentpb.SyncImagesRequest) bool) *agentpb.SyncImagesRequest {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-h.out:
			if pred(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s within 5s", what)
			return nil
		}
	}
}

func progressOf(ref string, state agentpb.PullState) func(*agentpb.SyncImagesRequest) bool {
	return func(m *agentpb.SyncImagesRequest) bool {
		p := m.GetPullProgress()
		return p != nil && p.GetReference() == ref && p.GetState() == state
	}
}

func desired(gen uint64, refresh time.Duration, imgs ...*agentpb.DesiredImage) *agentpb.DesiredImages {
	return &agentpb.DesiredImages{Generation: gen, RefreshInterval: durationpb.New(refresh), Images: imgs}
}

func pullable(ref, password string) *agentpb.DesiredImage {
	return &agentpb.DesiredImage{WorkspaceId: "ws-" + ref, ImageReference: ref, Registry: "127.0.0.1:5000",
		Credentials: &agentpb.RegistryCredentials{Username: "bot", Password: password}, PullPolicy: agentpb.PullPolicy_PULL_POLICY_REFRESH}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Five missing images, a limit of two: never more than two pulls at once, the rest queued,
// and all five present in the end, acknowledged by an inventory of the generation.
func TestImageSyncPullsAtMostTheLimit(t *testing.T) {
	rt := newFakeImages()
	rt.gate = make(chan struct{})
	h := newImageHarness(t, rt, ImageConfig{MaxConcurrentPulls: 2})
	var imgs []*agentpb.DesiredImage
	for i := 0; i < 5; i++ {
		imgs = append(imgs, pullable(fmt.Sprintf("127.0.0.1:5000/img%d:latest", i), "ok"))
	}
	h.s.apply(h.ctx, desired(7, time.Hour, imgs...))
	h.next(t, "inventory acknowledging generation 7", func(m *agentpb.SyncImagesRequest) bool { return m.GetInventory().GetGeneration() == 7 })
	waitFor(t, "two pulls in flight", func() bool { n, _ := rt.stats(); return n == 2 })
	time.Sleep(50 * time.Millisecond) // room for a wrong third
	if n, _ := rt.stats(); n != 2 {
		t.Fatalf("%d pulls in flight, want 2", n)
	}
	for i := 0; i < 5; i++ {
		rt.gate <- struct{}{}
	}
	waitFor(t, "all five present", func() bool {
		for _, im := range imgs {
			if !rt.has(im.GetImageReference()) {
				return false
			}
		}
		return true
	})
	if n, pulls := rt.stats(); n != 2 || len(pulls) != 5 {
		t.Errorf("max in flight %d (want 2), pulls %v (want one each of 5)", n, pulls)
	}
	inv := h.next(t, "inventory with all five", func(m *agentpb.SyncImagesRequest) bool { return len(m.GetInventory().GetImages()) == 5 })
	for _, p := range inv.GetInventory().GetImages() {
		if p.GetImageId() == "" || p.GetPullTime() == nil {
			t.Errorf("inventory entry %v lacks image id or pull time", p)
		}
	}
}

// The server's max_concurrent_pulls wins over the agent's own limit.
func TestImageSyncServerPullLimit(t *testing.T) {
	rt := newFakeImages()
	rt.gate = make(chan struct{})
	h := newImageHarness(t, rt, ImageConfig{MaxConcurrentPulls: 2})
	d := desired(1, time.Hour)
	for i := 0; i < 4; i++ {
		d.Images = append(d.Images, pullable(fmt.Sprintf("r/img%d:1", i), "ok"))
	}
	d.MaxConcurrentPulls = 3
	h.s.apply(h.ctx, d)
	waitFor(t, "three pulls in flight", func() bool { n, _ := rt.stats(); return n == 3 })
	close(rt.gate)
}

// No registry, the NEVER policy, or a network missing on the host: never pulled. A network that
// appears later makes its image pullable.
func TestImageSyncOnlyPullsWhatItMay(t *testing.T) {
	rt := newFakeImages()
	h := newImageHarness(t, rt, ImageConfig{})
	noRegistry := &agentpb.DesiredImage{WorkspaceId: "a", ImageReference: "local/hand-loaded:1"}
	never := pullable("r/never:1", "ok")
	never.PullPolicy = agentpb.PullPolicy_PULL_POLICY_NEVER
	netted := pullable("r/netted:1", "ok")
	netted.Network = "isolated"
	plain := pullable("r/plain:1", "ok")
	h.s.apply(h.ctx, desired(1, time.Hour, noRegistry, never, netted, plain))
	h.next(t, "plain pulled", progressOf("r/plain:1", agentpb.PullState_PULL_STATE_PRESENT))
	time.Sleep(50 * time.Millisecond)
	if _, pulls := rt.stats(); len(pulls) != 1 {
		t.Fatalf("pulls %v, want only r/plain:1", pulls)
	}
	rt.mu.Lock()
	rt.nets = append(rt.nets, "isolated")
	rt.mu.Unlock()
	h.s.apply(h.ctx, desired(2, time.Hour, noRegistry, never, netted, plain))
	h.next(t, "netted pulled once its network exists", progressOf("r/netted:1", agentpb.PullState_PULL_STATE_PRESENT))
}

// A refused password fails with the registry's words; a set with the corrected password is
// tried at once, not at the next refresh.
func TestImageSyncRetriesWithCorrectedCredentials(t *testing.T) {
	rt := newFakeImages()
	h := newImageHarness(t, rt, ImageConfig{RetryBase: time.Hour})
	ref := "r/private:1"
	h.s.apply(h.ctx, desired(1, time.Hour, pullable(ref, "wrong")))
	h.next(t, "queued", progressOf(ref, agentpb.PullState_PULL_STATE_QUEUED))
	f := h.next(t, "failed", progressOf(ref, agentpb.PullState_PULL_STATE_FAILED))
	if got := f.GetPullProgress().GetErrorMessage(); got != "unauthorized: authentication required" {
		t.Errorf("error message %q", got)
	}
	time.Sleep(50 * time.Millisecond)
	if _, pulls := rt.stats(); pulls[ref] != 1 {
		t.Fatalf("pulled %d times before the retry time, want 1", pulls[ref])
	}
	h.s.apply(h.ctx, desired(2, time.Hour, pullable(ref, "ok")))
	h.next(t, "present with the corrected password", progressOf(ref, agentpb.PullState_PULL_STATE_PRESENT))
}

// A present image is pulled again every refresh interval; a late, lower generation changes
// nothing.
func TestImageSyncRefreshesAndIgnoresOldGenerations(t *testing.T) {
	rt := newFakeImages()
	h := newImageHarness(t, rt, ImageConfig{})
	ref := "r/moving:latest"
	h.s.apply(h.ctx, desired(5, 100*time.Millisecond, pullable(ref, "ok")))
	waitFor(t, "three pulls (two refreshes)", func() bool { _, p := rt.stats(); return p[ref] >= 3 })
	h.s.apply(h.ctx, desired(4, time.Hour)) // stale: would drop the image
	time.Sleep(50 * time.Millisecond)
	h.s.mu.Lock()
	gen, n := h.s.gen, len(h.s.entries)
	h.s.mu.Unlock()
	if gen != 5 || n != 1 {
		t.Errorf("after a stale set: generation %d with %d images, want 5 with 1", gen, n)
	}
}

// Normal pruning removes what this agent pulled once no workspace wants it, never an image a
// container uses, and never anything before the first desired set.
func TestImageSyncPrunesWhatItPulled(t *testing.T) {
	rt := newFakeImages()
	rt.tags["hand/loaded:1"] = "sha256:hand"
	h := newImageHarness(t, rt, ImageConfig{Prune: agentpb.PruneMode_PRUNE_MODE_NORMAL, StateDir: t.TempDir()})
	time.Sleep(30 * time.Millisecond)
	if len(rt.removed) != 0 {
		t.Fatalf("pruned %v before any desired set", rt.removed)
	}
	h.s.apply(h.ctx, desired(1, time.Hour, pullable("r/a:1", "ok"), pullable("r/b:1", "ok")))
	waitFor(t, "a and b pulled", func() bool { return rt.has("r/a:1") && rt.has("r/b:1") })
	rt.mu.Lock()
	rt.inUse[rt.tags["r/b:1"]] = true
	rt.mu.Unlock()
	h.s.apply(h.ctx, desired(2, time.Hour))
	waitFor(t, "r/a:1 pruned", func() bool { return !rt.has("r/a:1") })
	time.Sleep(50 * time.Millisecond)
	if !rt.has("r/b:1") || !rt.has("hand/loaded:1") {
		t.Errorf("pruned an image in use or one it did not pull: left %v", rt.tags)
	}
	// The record survives a restart of the agent.
	rec, err := loadPullRecord(h.s.cfg.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	if refs, _ := rec.owned(); !refs["r/b:1"] || refs["r/a:1"] {
		t.Errorf("record after pruning: %v", refs)
	}
}
