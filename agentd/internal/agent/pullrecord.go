package agent

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// filePulled is the record of images this agent pulled, in its state directory. Docker cannot
// label an image after the pull, so this file is how normal pruning knows which images are
// Hotdesk's to remove.
const filePulled = "pulled-images.json"

// pulledImage is what the record keeps per reference.
type pulledImage struct {
	ImageID  string    `json:"image_id"`
	PullTime time.Time `json:"pull_time"`
	// OldIDs are builds of this reference that a later pull superseded (left untagged, unless
	// something else still tags them).
	OldIDs []string `json:"old_ids,omitempty"`
}

// pullRecord is the record, loaded once and saved after each change.
type pullRecord struct {
	path string // "" keeps it in memory only

	mu     sync.Mutex
	Images map[string]*pulledImage `json:"images"`
}

func loadPullRecord(dir string) (*pullRecord, error) {
	r := &pullRecord{Images: map[string]*pulledImage{}}
	if dir == "" {
		return r, nil
	}
	r.path = filepath.Join(dir, filePulled)
	b, err := os.ReadFile(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, r); err != nil {
		return &pullRecord{path: r.path, Images: map[string]*pulledImage{}}, err
	}
	if r.Images == nil {
		r.Images = map[string]*pulledImage{}
	}
	return r, nil
}

// pulled records a successful pull of ref that produced imageID.
func (r *pullRecord) pulled(ref, imageID string, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.Images[ref]
	if p == nil {
		p = &pulledImage{}
		r.Images[ref] = p
	}
	if p.ImageID != "" && p.ImageID != imageID && !slices.Contains(p.OldIDs, p.ImageID) {
		p.OldIDs = append(p.OldIDs, p.ImageID)
	}
	p.ImageID, p.PullTime = imageID, at
	return r.saveLocked()
}

// pullTime returns when ref was last pulled, if ever.
func (r *pullRecord) pullTime(ref string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.Images[ref]; p != nil && !p.PullTime.IsZero() {
		return p.PullTime, true
	}
	return time.Time{}, false
}

// owned returns the references and image ids (current and superseded) the agent pulled.
func (r *pullRecord) owned() (refs, ids map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	refs, ids = map[string]bool{}, map[string]bool{}
	for ref, p := range r.Images {
		refs[ref] = true
		if p.ImageID != "" {
			ids[p.ImageID] = true
		}
		for _, id := range p.OldIDs {
			ids[id] = true
		}
	}
	return refs, ids
}

// removed forgets a reference or image id that pruning removed.
func (r *pullRecord) removed(refOrID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.Images, refOrID)
	for _, p := range r.Images {
		kept := p.OldIDs[:0]
		for _, id := range p.OldIDs {
			if id != refOrID {
				kept = append(kept, id)
			}
		}
		p.OldIDs = kept
	}
	return r.saveLocked()
}

func (r *pullRecord) saveLocked() error {
	if r.path == "" {
		return nil
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := r.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, r.path)
}
