package manager

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/server/internal/images"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// imageHub holds this replica's SyncImages streams and recomputes their desired sets in
// rounds: a notification, a new stream or a changed network marks agents dirty, and one round
// reads the catalog once for all of them, so a workspace change costs two queries and one
// batched status write per replica, not per agent.
type imageHub struct {
	svc    *images.Service
	resync time.Duration

	mu    sync.Mutex
	conns map[string]*imageConn
	dirty map[string]bool // agents to recompute; all set → every connected agent
	all   bool
	wake  chan struct{}
	// rounds counts finished rounds (benchmarks and tests wait on it).
	rounds uint64
}

// imageConn is one live SyncImages stream.
type imageConn struct {
	agentID string
	cancel  context.CancelFunc
	kick    chan struct{}

	mu       sync.Mutex
	pending  *agentpb.DesiredImages // the newest set not yet sent; nil when sent
	sent     bool                   // a set was sent or is pending on this stream
	fp       [32]byte               // fingerprint of that set
	present  map[string]model.PresentImage
	invFP    string   // the last inventory recorded, to skip repeats (every ack repeats it)
	networks []string // the networks the last set was computed with
}

// EnableImages turns on the SyncImages stream; resync is how often every connected agent's
// set is recomputed even without a notification (a safety net for lost notifications). Call
// before serving, then run RunImages.
func (m *Manager) EnableImages(svc *images.Service, resync time.Duration) {
	if resync <= 0 {
		resync = time.Minute
	}
	m.img = &imageHub{svc: svc, resync: resync, conns: map[string]*imageConn{}, dirty: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// SyncImages serves one agent's image-sync stream: its first inventory, then the desired set
// (again whenever it changes), with progress and inventories recorded as they come.
func (m *Manager) SyncImages(stream agentpb.ManagerService_SyncImagesServer) error {
	h := m.img
	if h == nil {
		return status.Error(codes.Unimplemented, "image sync is not enabled on this server")
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	agentID, err := m.ids.AgentID(ctx)
	if err != nil {
		return err
	}
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	inv := first.GetInventory()
	if inv == nil {
		return status.Error(codes.InvalidArgument, "the first message on an image-sync stream must be ImageInventory")
	}
	c := &imageConn{agentID: agentID, cancel: cancel, kick: make(chan struct{}, 1)}
	if err := m.applyInventory(ctx, c, inv); err != nil {
		return err
	}
	h.register(c)
	defer h.unregister(c)
	log := m.log.With("agent_id", agentID)
	log.Info("image sync connected", "generation", inv.GetGeneration(), "present", len(inv.GetImages()))

	sendErr := make(chan error, 1)
	go func() { sendErr <- imageSender(ctx, stream, c) }()
	for {
		msg, err := stream.Recv()
		if err != nil {
			if ctx.Err() != nil {
				select {
				case err := <-sendErr:
					return err
				default:
					return nil
				}
			}
			return err
		}
		switch x := msg.GetMsg().(type) {
		case *agentpb.SyncImagesRequest_Inventory:
			err = m.applyInventory(ctx, c, x.Inventory)
		case *agentpb.SyncImagesRequest_PullProgress:
			err = h.svc.Progress(ctx, agentID, progressFromProto(x.PullProgress))
		}
		if err != nil && ctx.Err() == nil {
			log.Error("handling image-sync message", "error", err.Error())
		}
	}
}

// imageSender owns stream.Send: it sends the newest pending set each time it is kicked.
// Intermediate sets that were superseded before they went out are never sent.
func imageSender(ctx context.Context, stream agentpb.ManagerService_SyncImagesServer, c *imageConn) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.kick:
		}
		c.mu.Lock()
		msg := c.pending
		c.pending = nil
		c.mu.Unlock()
		if msg == nil {
			continue
		}
		if err := stream.Send(&agentpb.SyncImagesResponse{Msg: &agentpb.SyncImagesResponse_DesiredImages{DesiredImages: msg}}); err != nil {
			c.cancel()
			return err
		}
	}
}

func (m *Manager) applyInventory(ctx context.Context, c *imageConn, inv *agentpb.ImageInventory) error {
	var fp strings.Builder
	for _, p := range inv.GetImages() {
		fp.WriteString(p.GetReference() + "\x00" + p.GetImageId() + "\x00" + p.GetDigest() + "\x00" + p.GetPullTime().AsTime().String() + "\x01")
	}
	c.mu.Lock()
	same := c.present != nil && c.invFP == fp.String()
	c.mu.Unlock()
	if same {
		return nil // an acknowledgement with nothing new
	}
	present := make([]model.PresentImage, 0, len(inv.GetImages()))
	byRef := make(map[string]model.PresentImage, len(inv.GetImages()))
	for _, p := range inv.GetImages() {
		pi := model.PresentImage{Reference: p.GetReference(), Digest: p.GetDigest(), ImageID: p.GetImageId()}
		if p.GetPullTime() != nil {
			t := p.GetPullTime().AsTime()
			pi.PullTime = &t
		}
		present = append(present, pi)
		byRef[pi.Reference] = pi
	}
	if err := m.img.svc.Inventory(ctx, c.agentID, present); err != nil {
		return err
	}
	c.mu.Lock()
	c.present, c.invFP = byRef, fp.String()
	c.mu.Unlock()
	return nil
}

func (h *imageHub) register(c *imageConn) {
	h.mu.Lock()
	old := h.conns[c.agentID]
	h.conns[c.agentID] = c
	h.dirty[c.agentID] = true
	h.mu.Unlock()
	if old != nil {
		old.cancel() // the agent keeps one stream; the old one is dead or a duplicate
	}
	h.poke()
}

func (h *imageHub) unregister(c *imageConn) {
	h.mu.Lock()
	if h.conns[c.agentID] == c {
		delete(h.conns, c.agentID)
	}
	h.mu.Unlock()
}

func (h *imageHub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// markAll asks for every connected agent's set to be recomputed.
func (h *imageHub) markAll() {
	h.mu.Lock()
	h.all = true
	h.mu.Unlock()
	h.poke()
}

// mark asks for one agent's set to be recomputed, if it is connected here.
func (h *imageHub) mark(agentID string) {
	h.mu.Lock()
	_, ok := h.conns[agentID]
	if ok {
		h.dirty[agentID] = true
	}
	h.mu.Unlock()
	if ok {
		h.poke()
	}
}

// reported is called after each resource report: a change of the agent's networks changes
// which images it should hold.
func (h *imageHub) reported(agentID string, networks []string) {
	h.mu.Lock()
	c := h.conns[agentID]
	h.mu.Unlock()
	if c == nil {
		return
	}
	nets := slices.Clone(networks)
	slices.Sort(nets)
	c.mu.Lock()
	changed := c.sent && !slices.Equal(c.networks, nets)
	c.mu.Unlock()
	if changed {
		h.mark(agentID)
	}
}

// RunImages recomputes desired sets until ctx ends: at once when agents are marked dirty, and
// every resync interval for all of them.
func (m *Manager) RunImages(ctx context.Context) {
	h := m.img
	if h == nil {
		return
	}
	t := time.NewTicker(h.resync)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-t.C:
			h.mu.Lock()
			h.all = true
			h.mu.Unlock()
		}
		if err := m.imageRound(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("computing desired images", "error", err.Error())
			// Try again shortly: the marks were kept.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
				h.poke()
			}
		}
	}
}

// imageRound recomputes the marked agents' sets and queues the changed ones for sending.
func (m *Manager) imageRound(ctx context.Context) error {
	h := m.img
	h.mu.Lock()
	conns := make(map[string]*imageConn, len(h.dirty))
	if h.all {
		for id, c := range h.conns {
			conns[id] = c
		}
	} else {
		for id := range h.dirty {
			if c := h.conns[id]; c != nil {
				conns[id] = c
			}
		}
	}
	all, dirty := h.all, h.dirty
	h.all, h.dirty = false, map[string]bool{}
	h.mu.Unlock()
	restore := func() {
		h.mu.Lock()
		h.all = h.all || all
		for id := range dirty {
			h.dirty[id] = true
		}
		h.mu.Unlock()
	}
	if len(conns) == 0 {
		h.finishRound()
		return nil
	}
	ids := make([]string, 0, len(conns))
	for id := range conns {
		ids = append(ids, id)
	}
	sets, err := h.svc.Sets(ctx, ids)
	if err != nil {
		restore()
		return err
	}
	changed := make(map[string][]model.DesiredImage)
	fps := make(map[string][32]byte)
	present := make(map[string]map[string]model.PresentImage)
	for id, set := range sets {
		c := conns[id]
		fp := images.Fingerprint(set.Images)
		c.mu.Lock()
		same := c.sent && c.fp == fp
		present[id] = c.present
		c.networks = set.Networks
		c.mu.Unlock()
		if !same {
			changed[id], fps[id] = set.Images, fp
		}
	}
	if len(changed) == 0 {
		h.finishRound()
		return nil
	}
	// Status rows first: the agent's progress on a new image must find its row.
	if err := h.svc.Record(ctx, changed, present); err != nil {
		restore()
		return err
	}
	gen, err := h.svc.NextGeneration(ctx)
	if err != nil {
		restore()
		return err
	}
	cfg := h.svc.Config()
	for id, set := range changed {
		c := conns[id]
		msg := desiredToProto(gen, set, cfg)
		c.mu.Lock()
		c.pending, c.sent, c.fp = msg, true, fps[id]
		c.mu.Unlock()
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	h.finishRound()
	return nil
}

func (h *imageHub) finishRound() {
	h.mu.Lock()
	h.rounds++
	h.mu.Unlock()
}

func desiredToProto(gen uint64, set []model.DesiredImage, cfg images.Config) *agentpb.DesiredImages {
	out := &agentpb.DesiredImages{Generation: gen, RefreshInterval: durationpb.New(cfg.RefreshInterval),
		PruneMode: agentpb.PruneMode(cfg.Prune), MaxConcurrentPulls: uint32(max(cfg.MaxConcurrentPulls, 0)),
		Images: make([]*agentpb.DesiredImage, 0, len(set))}
	for _, d := range set {
		di := &agentpb.DesiredImage{WorkspaceId: d.WorkspaceID, ImageReference: d.Reference, Registry: d.Registry, Network: d.Network,
			PullPolicy: agentpb.PullPolicy_PULL_POLICY_NEVER}
		if d.Registry != "" {
			di.PullPolicy = agentpb.PullPolicy_PULL_POLICY_REFRESH
			if d.Username != "" || d.Password != "" {
				di.Credentials = &agentpb.RegistryCredentials{Username: d.Username, Password: d.Password}
			}
		}
		out.Images = append(out.Images, di)
	}
	return out
}

var pullStates = map[agentpb.PullState]model.ImageState{
	agentpb.PullState_PULL_STATE_QUEUED:  model.ImageQueued,
	agentpb.PullState_PULL_STATE_PULLING: model.ImagePulling,
	agentpb.PullState_PULL_STATE_PRESENT: model.ImagePresent,
	agentpb.PullState_PULL_STATE_FAILED:  model.ImageFailed,
}

func progressFromProto(p *agentpb.PullProgress) model.PullProgress {
	return model.PullProgress{Reference: p.GetReference(), State: pullStates[p.GetState()],
		LayersDone: int32(p.GetLayersDone()), LayersTotal: int32(p.GetLayersTotal()), BytesDone: p.GetBytesDone(),
		BytesTotal: p.GetBytesTotal(), Digest: p.GetDigest(), Error: strings.ToValidUTF8(p.GetErrorMessage(), "?")}
}

// ImagesNotifier recomputes desired sets when the catalog or an agent's zone changes on any
// replica (store.ChannelImages).
type ImagesNotifier struct{ M *Manager }

// Notify handles a ChannelImages payload: "agent <id>" marks one agent, anything else all.
func (n ImagesNotifier) Notify(payload string) {
	h := n.M.img
	if h == nil {
		return
	}
	if id, ok := strings.CutPrefix(payload, "agent "); ok {
		h.mark(id)
		return
	}
	h.markAll()
}

// Resync recomputes every set: notifications may have been missed.
func (n ImagesNotifier) Resync() {
	if h := n.M.img; h != nil {
		h.markAll()
	}
}

// ImageRounds returns how many desired-set rounds this replica has finished.
func (m *Manager) ImageRounds() uint64 {
	if m.img == nil {
		return 0
	}
	m.img.mu.Lock()
	defer m.img.mu.Unlock()
	return m.img.rounds
}
