// Package images decides which container images each agent should hold: the images of enabled
// container workspaces allowed in the agent's zone whose Docker network, if any, exists on the
// agent. Agents pull what they lack (only where the workspace names a registry), refresh it
// periodically and report progress; this package also turns those sets into the status rows
// the API lists. It speaks model types only; the agent protocol is translated by the manager.
package images

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"time"

	"github.com/hotdesk/hotdesk/server/internal/catalog"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// PruneMode is what agents remove after pulling; numbers mirror hotdesk.agent.v1.PruneMode.
type PruneMode int

// Prune modes. PruneDefault leaves it to each agent's own setting.
const (
	PruneDefault PruneMode = iota
	PruneOff
	PruneNormal
	PruneAggressive
)

// ParsePruneMode reads "", "off", "normal" or "aggressive".
func ParsePruneMode(s string) (PruneMode, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return PruneDefault, true
	case "off":
		return PruneOff, true
	case "normal":
		return PruneNormal, true
	case "aggressive":
		return PruneAggressive, true
	}
	return PruneDefault, false
}

// Candidate is a workspace whose image some agent may have to hold, prepared once per round
// (its pull reference and registry host parsed) so that each agent's set is a mere filter.
type Candidate struct {
	Image   model.DesiredImage
	ZoneIDs []string
}

// Candidates prepares the enabled container workspaces, sorted by reference, then workspace.
// Workspaces without a registry are included: the agent reports whether their image is present
// but never pulls it, and never prunes it.
func Candidates(workspaces []*model.Workspace) []Candidate {
	out := make([]Candidate, 0, len(workspaces))
	for _, w := range workspaces {
		if w.Kind != model.KindContainer || !w.Enabled || w.Container.Image == "" {
			continue
		}
		c := w.Container
		d := model.DesiredImage{WorkspaceID: w.ID, Reference: catalog.PullReference(c), Network: c.DockerNetwork}
		if c.Registry != "" {
			host, err := catalog.RegistryHost(c.Registry)
			if err != nil {
				continue // refused when saved; never sent half-formed
			}
			d.Registry, d.Username, d.Password = host, c.RegistryUsername, c.RegistryPassword
		}
		out = append(out, Candidate{Image: d, ZoneIDs: w.ZoneIDs})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := strings.Compare(a.Image.Reference, b.Image.Reference); c != 0 {
			return c
		}
		return strings.Compare(a.Image.WorkspaceID, b.Image.WorkspaceID)
	})
	return out
}

// Desired returns the images agent t should hold among the candidates, in their order: those
// allowed in its zone (no zones means every zone) whose network, if any, exists on it.
func Desired(t model.ImageTarget, candidates []Candidate) []model.DesiredImage {
	out := make([]model.DesiredImage, 0, len(candidates))
	for _, c := range candidates {
		if len(c.ZoneIDs) > 0 && !slices.Contains(c.ZoneIDs, t.ZoneID) {
			continue
		}
		if c.Image.Network != "" && !slices.Contains(t.Networks, c.Image.Network) {
			continue
		}
		out = append(out, c.Image)
	}
	return out
}

// Fingerprint identifies a desired set, credentials included, so that a changed password is a
// changed set (the agent retries a failed pull with it at once).
func Fingerprint(set []model.DesiredImage) [32]byte {
	h := sha256.New()
	buf := make([]byte, 0, 512)
	for _, d := range set {
		buf = buf[:0]
		for _, f := range [...]string{d.WorkspaceID, d.Reference, d.Registry, d.Username, d.Password, d.Network} {
			buf = append(append(buf, f...), 0)
		}
		h.Write(append(buf, 1))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Config is what the server tells every agent besides its set.
type Config struct {
	// RefreshInterval is how often agents pull present images again (an hour by default).
	RefreshInterval time.Duration
	// Prune is what agents remove; PruneDefault leaves it to each agent.
	Prune PruneMode
	// MaxConcurrentPulls overrides each agent's own limit when above 0.
	MaxConcurrentPulls int
}

// DefaultConfig returns production settings.
func DefaultConfig() Config { return Config{RefreshInterval: time.Hour} }

// Service computes desired sets in batches and keeps the status rows in line with them.
type Service struct {
	store *store.Store
	cfg   Config
}

// New returns a Service.
func New(s *store.Store, cfg Config) *Service {
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = time.Hour
	}
	return &Service{store: s, cfg: cfg}
}

// Config returns the settings sent to agents.
func (s *Service) Config() Config { return s.cfg }

// AgentSet is one agent's desired set and the (sorted) networks it was computed with.
type AgentSet struct {
	Images   []model.DesiredImage
	Networks []string
}

// Sets returns the desired set of each agent in agentIDs that exists, from one read of the
// catalog and one of the agents.
func (s *Service) Sets(ctx context.Context, agentIDs []string) (map[string]AgentSet, error) {
	workspaces, err := s.store.ImageWorkspaces(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := s.store.ImageTargets(ctx, agentIDs)
	if err != nil {
		return nil, err
	}
	candidates := Candidates(workspaces)
	out := make(map[string]AgentSet, len(targets))
	for _, t := range targets {
		nets := slices.Clone(t.Networks)
		slices.Sort(nets)
		out[t.AgentID] = AgentSet{Images: Desired(t, candidates), Networks: nets}
	}
	return out, nil
}

// Record makes the status rows of the given agents match their new desired sets; present maps
// each agent to its last inventory, by reference, so that a new row of an image already on the
// agent starts out present.
func (s *Service) Record(ctx context.Context, sets map[string][]model.DesiredImage, present map[string]map[string]model.PresentImage) error {
	if len(sets) == 0 {
		return nil
	}
	ids := make([]string, 0, len(sets))
	var seeds []store.ImageStatusSeed
	for agentID, set := range sets {
		ids = append(ids, agentID)
		inv := present[agentID]
		for _, d := range set {
			sd := store.ImageStatusSeed{WorkspaceID: d.WorkspaceID, AgentID: agentID, Reference: d.Reference, Pullable: d.Registry != ""}
			if p, ok := inv[d.Reference]; ok {
				sd.Present = &p
			}
			seeds = append(seeds, sd)
		}
	}
	return s.store.SyncImageStatuses(ctx, ids, seeds)
}

// NextGeneration returns a generation higher than any handed out before.
func (s *Service) NextGeneration(ctx context.Context) (uint64, error) {
	return s.store.NextImageGeneration(ctx)
}

// Progress records an agent's report on one pull.
func (s *Service) Progress(ctx context.Context, agentID string, p model.PullProgress) error {
	return s.store.ApplyPullProgress(ctx, agentID, p)
}

// Inventory records which desired images are on an agent.
func (s *Service) Inventory(ctx context.Context, agentID string, present []model.PresentImage) error {
	return s.store.ApplyImageInventory(ctx, agentID, present)
}

// List returns a page of statuses.
func (s *Service) List(ctx context.Context, p model.Page, f model.ImageStatusFilter) ([]*model.ImageStatus, bool, error) {
	return s.store.ListImageStatuses(ctx, p, f)
}
