package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// ImageConfig configures image sync. Zero values take the defaults noted.
type ImageConfig struct {
	// Disabled turns image sync off (no SyncImages stream, nothing pulled or pruned).
	Disabled bool
	// Runtime pulls, lists and removes images; nil uses the agent's runtime when it can
	// (a runtime wrapped by something that hides those methods is passed here explicitly).
	Runtime runtime.ImageRuntime
	// MaxConcurrentPulls is how many pulls run at once unless the server sets a number; 2.
	MaxConcurrentPulls int
	// Prune is what to remove once no workspace needs it; UNSPECIFIED follows the server
	// (off unless it says otherwise). A mode set here wins over the server's.
	Prune agentpb.PruneMode
	// StateDir keeps the record of what this agent pulled (for normal pruning); "" keeps it in
	// memory only.
	StateDir string
	// RetryBase is the wait before the first retry of a failed pull of a missing image; it
	// doubles with each failure up to the refresh interval. 30 s.
	RetryBase time.Duration
	// PullTimeout bounds one pull; 1 h.
	PullTimeout time.Duration
	// PruneScope limits pruning to tags with this prefix (and untagged images the agent
	// pulled); for tests sharing an engine with others. "" means the whole host.
	PruneScope string
}

// imageSync keeps the host's images in line with the server's desired set: it pulls what is
// missing at once and what is present every refresh interval, at most a set number at a time,
// reports progress and inventories on the SyncImages stream, and prunes what no workspace
// needs. Pulls outlive a broken stream; progress resumes on the next one.
type imageSync struct {
	a      *Agent
	rt     runtime.ImageRuntime
	cfg    ImageConfig
	log    *slog.Logger
	record *pullRecord
	wake   chan struct{}

	mu        sync.Mutex
	haveSet   bool   // a desired set was applied (nothing is pruned before)
	gen       uint64 // highest generation applied
	entries   map[string][]*agentpb.DesiredImage
	refresh   time.Duration
	prune     agentpb.PruneMode // the server's
	maxPulls  int               // the server's; 0 keeps cfg.MaxConcurrentPulls
	pulls     map[string]*pullState
	queue     []string
	running   int
	pruneDue  bool
	cur       *imgStream
	lastInvFP string
}

// pullState is what the agent knows about pulling one reference.
type pullState struct {
	queued, running bool
	entry           *agentpb.DesiredImage // what a queued or running pull uses
	refresh         bool                  // the image was present when the pull was queued
	lastOK          time.Time             // last successful pull, or when the image was first seen present
	failures        int
	nextTry         time.Time
	failedWith      string // fingerprint of the entry that failed: a changed one is retried at once
	last            *agentpb.PullProgress
}

// imgStream is one open SyncImages stream; one goroutine sends what is queued on out.
type imgStream struct {
	ctx context.Context
	out chan *agentpb.SyncImagesRequest
}

func (st *imgStream) send(m *agentpb.SyncImagesRequest) bool {
	select {
	case st.out <- m:
		return true
	case <-st.ctx.Done():
		return false
	}
}

func newImageSync(a *Agent) *imageSync {
	cfg := a.cfg.Images
	irt := cfg.Runtime
	if irt == nil {
		irt, _ = a.rt.(runtime.ImageRuntime)
	}
	if cfg.Disabled || irt == nil {
		return nil
	}
	if cfg.MaxConcurrentPulls <= 0 {
		cfg.MaxConcurrentPulls = 2
	}
	cfg.RetryBase = orDefault(cfg.RetryBase, 30*time.Second)
	cfg.PullTimeout = orDefault(cfg.PullTimeout, time.Hour)
	rec, err := loadPullRecord(cfg.StateDir)
	if err != nil {
		a.log.Warn("cannot read the record of pulled images; normal pruning starts from scratch", "error", err)
	}
	return &imageSync{a: a, rt: irt, cfg: cfg, log: a.log, record: rec, wake: make(chan struct{}, 1),
		refresh: time.Hour, pulls: map[string]*pullState{}, entries: map[string][]*agentpb.DesiredImage{}}
}

func (s *imageSync) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run keeps a SyncImages stream open and the scheduler going until ctx ends.
func (s *imageSync) run(ctx context.Context) {
	go s.schedule(ctx)
	bo := backoff{base: s.a.cfg.BackoffBase, cap: s.a.cfg.BackoffCap}
	attempt := 0
	for {
		start := time.Now()
		err := s.stream(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) >= s.a.cfg.HealthyAfter {
			attempt = 0
		}
		delay := bo.delay(attempt)
		attempt++
		if status.Code(err) == codes.Unimplemented {
			delay = max(delay, time.Minute) // a server without image sync; look again now and then
		}
		s.log.Info("image-sync stream ended; reconnecting", "error", errString(err), "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

func (s *imageSync) stream(ctx context.Context) error {
	client, err := s.a.client()
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cs, err := client.SyncImages(sctx)
	if err != nil {
		return err
	}
	st := &imgStream{ctx: sctx, out: make(chan *agentpb.SyncImagesRequest, 256)}
	done := make(chan struct{})
	defer func() { cancel(nil); <-done }()
	go func() {
		defer close(done)
		for {
			select {
			case <-sctx.Done():
				return
			case m := <-st.out:
				if err := cs.Send(m); err != nil {
					cancel(err)
					return
				}
			}
		}
	}()
	if err := s.attach(sctx, st); err != nil {
		return err
	}
	defer s.detach(st)
	for {
		m, err := cs.Recv()
		if err != nil {
			if cause := context.Cause(sctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return err
		}
		if d := m.GetDesiredImages(); d != nil {
			s.apply(sctx, d)
		}
	}
}

// attach makes st current: its first message is the inventory, then the state of pulls that
// are not finished (their earlier progress may have gone down with the old stream).
func (s *imageSync) attach(ctx context.Context, st *imgStream) error {
	inv, fp, err := s.inventory(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	st.out <- &agentpb.SyncImagesRequest{Msg: &agentpb.SyncImagesRequest_Inventory{Inventory: inv}} // first; the buffer is empty
	s.cur, s.lastInvFP = st, fp
	var resend []*agentpb.PullProgress
	for ref, p := range s.pulls {
		if _, ok := s.entries[ref]; ok && p.last != nil && p.last.GetState() != agentpb.PullState_PULL_STATE_PRESENT {
			resend = append(resend, p.last)
		}
	}
	s.mu.Unlock()
	for _, p := range resend {
		st.send(&agentpb.SyncImagesRequest{Msg: &agentpb.SyncImagesRequest_PullProgress{PullProgress: p}})
	}
	return nil
}

func (s *imageSync) detach(st *imgStream) {
	s.mu.Lock()
	if s.cur == st {
		s.cur = nil
	}
	s.mu.Unlock()
}

// apply takes a new desired set: a stale generation is ignored, the pull queue is rebuilt from
// the new set (with its credentials) at the next look, and the generation is acknowledged with
// an inventory.
func (s *imageSync) apply(ctx context.Context, d *agentpb.DesiredImages) {
	s.mu.Lock()
	if d.GetGeneration() <= s.gen {
		s.mu.Unlock()
		s.log.Debug("ignoring an old desired image set", "generation", d.GetGeneration())
		return
	}
	s.gen = d.GetGeneration()
	s.refresh = max(d.GetRefreshInterval().AsDuration(), time.Second)
	if d.GetRefreshInterval() == nil {
		s.refresh = time.Hour
	}
	s.prune, s.maxPulls = d.GetPruneMode(), int(d.GetMaxConcurrentPulls())
	entries := make(map[string][]*agentpb.DesiredImage, len(d.GetImages()))
	for _, e := range d.GetImages() {
		ref := runtime.NormalizeReference(e.GetImageReference())
		entries[ref] = append(entries[ref], e)
	}
	s.entries = entries
	for ref, p := range s.pulls {
		if _, ok := entries[ref]; !ok && !p.running {
			delete(s.pulls, ref)
		}
	}
	for _, ref := range s.queue {
		if p := s.pulls[ref]; p != nil {
			p.queued, p.entry = false, nil
		}
	}
	s.queue = nil
	s.haveSet, s.pruneDue = true, true
	s.mu.Unlock()
	s.log.Info("desired images", "generation", d.GetGeneration(), "images", len(entries))
	s.sendInventory(ctx, true)
	s.poke()
}

// inventory lists the desired images present on the host.
func (s *imageSync) inventory(ctx context.Context) (*agentpb.ImageInventory, string, error) {
	imgs, err := s.rt.LocalImages(ctx)
	if err != nil {
		return nil, "", err
	}
	byTag := tagIndex(imgs)
	s.mu.Lock()
	gen := s.gen
	refs := make([]string, 0, len(s.entries))
	names := make(map[string]string, len(s.entries))
	for ref, list := range s.entries {
		refs = append(refs, ref)
		names[ref] = list[0].GetImageReference()
	}
	s.mu.Unlock()
	sort.Strings(refs)
	inv := &agentpb.ImageInventory{Generation: gen}
	h := sha256.New()
	for _, ref := range refs {
		im, ok := byTag[ref]
		if !ok {
			continue
		}
		p := &agentpb.PresentImage{Reference: names[ref], Digest: im.DigestFor(ref), ImageId: im.ID, SizeBytes: max(im.SizeBytes, 0)}
		if t, ok := s.record.pullTime(ref); ok {
			p.PullTime = timestamppb.New(t)
		}
		inv.Images = append(inv.Images, p)
		h.Write([]byte(ref + "\x00" + im.ID + "\x00" + p.GetDigest() + "\x00" + p.GetPullTime().AsTime().String() + "\x01"))
	}
	return inv, hex.EncodeToString(h.Sum(nil)) + "/" + strconv.FormatUint(gen, 10), nil
}

// sendInventory sends the inventory when it changed since the last one on this stream (or
// always, with force).
func (s *imageSync) sendInventory(ctx context.Context, force bool) {
	inv, fp, err := s.inventory(ctx)
	if err != nil {
		s.log.Warn("cannot list images for the inventory", "error", err)
		return
	}
	s.mu.Lock()
	st := s.cur
	if st == nil || (!force && fp == s.lastInvFP) {
		s.mu.Unlock()
		return
	}
	s.lastInvFP = fp
	s.mu.Unlock()
	st.send(&agentpb.SyncImagesRequest{Msg: &agentpb.SyncImagesRequest_Inventory{Inventory: inv}})
}

// progress records and sends a pull's state.
func (s *imageSync) progress(p *agentpb.PullProgress) {
	s.mu.Lock()
	if ps := s.pulls[runtime.NormalizeReference(p.GetReference())]; ps != nil {
		ps.last = p
	}
	st := s.cur
	s.mu.Unlock()
	if st != nil {
		st.send(&agentpb.SyncImagesRequest{Msg: &agentpb.SyncImagesRequest_PullProgress{PullProgress: p}})
	}
}

// schedule looks at the host whenever something changed or a refresh falls due: it queues
// pulls, starts as many as the limit allows, prunes once all are done, and reports the
// inventory when it changed.
func (s *imageSync) schedule(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next := s.tick(ctx)
		t.Reset(next)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

func (s *imageSync) limit() int {
	if s.maxPulls > 0 {
		return s.maxPulls
	}
	return s.cfg.MaxConcurrentPulls
}

// tick does one look and returns when to look again at the latest.
func (s *imageSync) tick(ctx context.Context) time.Duration {
	s.mu.Lock()
	if !s.haveSet {
		s.mu.Unlock()
		return time.Hour
	}
	needNets := false
	for _, list := range s.entries {
		for _, e := range list {
			needNets = needNets || e.GetNetwork() != ""
		}
	}
	s.mu.Unlock()
	imgs, err := s.rt.LocalImages(ctx)
	if err != nil {
		s.log.Warn("cannot list images; image sync waits", "error", err)
		return 10 * time.Second
	}
	var nets []string
	if needNets {
		if nets, err = s.rt.NetworkNames(ctx); err != nil {
			s.log.Warn("cannot list networks; image sync waits", "error", err)
			return 10 * time.Second
		}
	}
	present := tagIndex(imgs)
	now := time.Now()

	s.mu.Lock()
	next := s.refresh
	refs := make([]string, 0, len(s.entries))
	for ref := range s.entries {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	var queued []*agentpb.PullProgress
	var missingFirst []string
	for _, ref := range refs {
		e := pickEntry(s.entries[ref], nets)
		if e == nil {
			continue
		}
		p := s.pulls[ref]
		if p == nil {
			p = &pullState{}
			s.pulls[ref] = p
		}
		if p.queued || p.running {
			continue
		}
		fp := entryFingerprint(e)
		_, isPresent := present[ref]
		var due time.Time
		switch {
		case !isPresent:
			due = p.nextTry
			if p.failures > 0 && fp != p.failedWith {
				due = now // new credentials or registry: try them at once
			}
		case e.GetPullPolicy() == agentpb.PullPolicy_PULL_POLICY_IF_NOT_PRESENT:
			continue
		default:
			if p.lastOK.IsZero() {
				p.lastOK = now // present before this agent pulled it: refresh one interval from now
				if t, ok := s.record.pullTime(ref); ok {
					p.lastOK = t
				}
			}
			due = p.lastOK.Add(s.refresh)
			if p.failures > 0 {
				due = later(due, p.nextTry)
				if fp != p.failedWith {
					due = now
				}
			}
		}
		if due.After(now) {
			next = min(next, due.Sub(now))
			continue
		}
		p.queued, p.entry, p.refresh = true, e, isPresent
		if isPresent {
			s.queue = append(s.queue, ref)
		} else {
			missingFirst = append(missingFirst, ref)
			queued = append(queued, &agentpb.PullProgress{Reference: e.GetImageReference(), Generation: s.gen, State: agentpb.PullState_PULL_STATE_QUEUED})
		}
	}
	// Missing images first: sessions wait for them; refreshes only freshen what runs.
	s.queue = append(missingFirst, s.queue...)
	type start struct {
		ref     string
		entry   *agentpb.DesiredImage
		refresh bool
	}
	var starts []start
	for s.running < s.limit() && len(s.queue) > 0 {
		ref := s.queue[0]
		s.queue = s.queue[1:]
		p := s.pulls[ref]
		if p == nil || !p.queued {
			continue
		}
		p.queued, p.running = false, true
		s.running++
		starts = append(starts, start{ref, p.entry, p.refresh})
	}
	pruneNow := s.running == 0 && len(s.queue) == 0 && s.pruneDue
	if pruneNow {
		s.pruneDue = false
	}
	s.mu.Unlock()

	for _, q := range queued {
		s.progress(q)
	}
	for _, st := range starts {
		go s.pull(ctx, st.ref, st.entry, st.refresh)
	}
	if pruneNow {
		s.pruneImages(ctx)
	}
	s.sendInventory(ctx, false)
	return max(next, 10*time.Millisecond)
}

// pull pulls one reference and records the outcome.
func (s *imageSync) pull(ctx context.Context, ref string, e *agentpb.DesiredImage, refresh bool) {
	name := e.GetImageReference()
	log := s.log.With("image", name, "workspace_id", e.GetWorkspaceId())
	defer func() {
		s.mu.Lock()
		s.running--
		if p := s.pulls[ref]; p != nil {
			p.running, p.entry = false, nil
		}
		s.pruneDue = true
		s.mu.Unlock()
		s.poke()
	}()
	gen := s.generation()
	s.progress(&agentpb.PullProgress{Reference: name, Generation: gen, State: agentpb.PullState_PULL_STATE_PULLING})
	log.Info("pulling image", "refresh", refresh)
	started := time.Now()
	var last time.Time
	var auth *runtime.RegistryAuth
	if c := e.GetCredentials(); c != nil {
		auth = &runtime.RegistryAuth{ServerAddress: e.GetRegistry(), Username: c.GetUsername(), Password: c.GetPassword()}
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.PullTimeout)
	defer cancel()
	digest, err := s.rt.PullImage(pctx, name, auth, func(pp runtime.PullProgress) {
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		s.progress(&agentpb.PullProgress{Reference: name, Generation: gen, State: agentpb.PullState_PULL_STATE_PULLING,
			LayersDone: uint32(pp.LayersDone), LayersTotal: uint32(pp.LayersTotal), BytesDone: max(pp.BytesDone, 0), BytesTotal: max(pp.BytesTotal, 0)})
	})
	if err != nil {
		if ctx.Err() != nil {
			return // stopping
		}
		msg := clip(err.Error(), 4096)
		s.mu.Lock()
		p := s.pulls[ref]
		var wait time.Duration
		if p != nil {
			p.failures++
			wait = min(backoff{base: s.cfg.RetryBase, cap: s.refresh}.ceiling(p.failures-1), s.refresh)
			p.nextTry, p.failedWith = time.Now().Add(wait), entryFingerprint(e)
		}
		s.mu.Unlock()
		log.Warn("image pull failed", "error", msg, "retry_in", wait)
		s.progress(&agentpb.PullProgress{Reference: name, Generation: gen, State: agentpb.PullState_PULL_STATE_FAILED, ErrorMessage: msg})
		return
	}
	id := ""
	if imgs, err := s.rt.LocalImages(ctx); err == nil {
		if im, ok := tagIndex(imgs)[ref]; ok {
			id = im.ID
			if digest == "" {
				digest = im.DigestFor(ref)
			}
		}
	}
	now := time.Now()
	if err := s.record.pulled(ref, id, now); err != nil {
		log.Warn("cannot save the record of pulled images", "error", err)
	}
	s.mu.Lock()
	if p := s.pulls[ref]; p != nil {
		p.failures, p.nextTry, p.failedWith, p.lastOK = 0, time.Time{}, "", now
	}
	s.mu.Unlock()
	log.Info("image pulled", "digest", digest, "image_id", id, "took", time.Since(started).Round(time.Millisecond))
	if len(digest) > 256 {
		digest = ""
	}
	// The inventory first: by the time the server marks the pull present, it knows the image
	// id and can place sessions on it.
	s.sendInventory(ctx, false)
	s.progress(&agentpb.PullProgress{Reference: name, Generation: gen, State: agentpb.PullState_PULL_STATE_PRESENT, Digest: digest})
	s.a.triggerReport() // and the full picture of the host follows
}

func (s *imageSync) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// pruneImages removes what the prune mode allows and no workspace needs.
func (s *imageSync) pruneImages(ctx context.Context) {
	s.mu.Lock()
	mode := s.cfg.Prune
	if mode == agentpb.PruneMode_PRUNE_MODE_UNSPECIFIED {
		mode = s.prune
	}
	desired := make(map[string]bool, len(s.entries))
	for ref := range s.entries {
		desired[ref] = true
	}
	s.mu.Unlock()
	if mode != agentpb.PruneMode_PRUNE_MODE_NORMAL && mode != agentpb.PruneMode_PRUNE_MODE_AGGRESSIVE {
		return
	}
	imgs, err := s.rt.LocalImages(ctx)
	if err != nil {
		s.log.Warn("cannot list images to prune", "error", err)
		return
	}
	inUse, err := s.rt.ImagesInUse(ctx)
	if err != nil {
		s.log.Warn("cannot list containers to prune", "error", err)
		return
	}
	refs, ids := s.record.owned()
	cands := runtime.PruneCandidates(runtime.PruneInput{Images: imgs, InUse: inUse, Desired: desired, PulledRefs: refs, PulledIDs: ids,
		Aggressive: mode == agentpb.PruneMode_PRUNE_MODE_AGGRESSIVE, Scope: s.cfg.PruneScope})
	removed := 0
	for _, c := range cands {
		if err := s.rt.RemoveImage(ctx, c); err != nil {
			s.log.Info("image not pruned", "image", c, "error", err)
			continue
		}
		removed++
		s.log.Info("pruned image", "image", c, "mode", mode.String())
		if err := s.record.removed(c); err != nil {
			s.log.Warn("cannot save the record of pulled images", "error", err)
		}
	}
	if removed > 0 {
		s.a.triggerReport()
	}
}

// pickEntry chooses, among the workspaces wanting one reference, one the agent can pull for:
// it names a registry, may be pulled, and its network (if any) exists here.
func pickEntry(list []*agentpb.DesiredImage, nets []string) *agentpb.DesiredImage {
	for _, e := range list {
		if e.GetRegistry() == "" || e.GetPullPolicy() == agentpb.PullPolicy_PULL_POLICY_NEVER {
			continue
		}
		if e.GetNetwork() != "" && !slices.Contains(nets, e.GetNetwork()) {
			continue
		}
		return e
	}
	return nil
}

// entryFingerprint identifies what a pull used (registry and credentials), without keeping
// the password itself around.
func entryFingerprint(e *agentpb.DesiredImage) string {
	sum := sha256.Sum256([]byte(e.GetRegistry() + "\x00" + e.GetCredentials().GetUsername() + "\x00" + e.GetCredentials().GetPassword()))
	return hex.EncodeToString(sum[:])
}

func tagIndex(imgs []runtime.LocalImage) map[string]runtime.LocalImage {
	out := make(map[string]runtime.LocalImage, len(imgs))
	for _, im := range imgs {
		for _, t := range im.Tags {
			out[t] = im
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// clip shortens s to at most n bytes of valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
