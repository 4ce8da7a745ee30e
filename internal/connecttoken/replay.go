package connecttoken

import (
	"sync"
	"time"
)

// Replay remembers the ids of used tokens until they expire, so each token opens at most one
// connection through the proxy holding it. Memory is bounded by the tokens used within one
// token lifetime.
type Replay struct {
	mu    sync.Mutex
	used  map[string]int64 // id → expiry (Unix seconds)
	sweep int64            // next sweep (Unix seconds)
	max   int
}

// NewReplay returns an empty set holding at most max ids (0: one million).
func NewReplay(max int) *Replay {
	if max <= 0 {
		max = 1 << 20
	}
	return &Replay{used: map[string]int64{}, max: max}
}

// Use records c's id and reports whether it was unused. A full set (an attack, or a huge
// burst) refuses new ids rather than forgetting live ones.
func (r *Replay) Use(c *Claims, now time.Time) bool {
	t := now.Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	if t >= r.sweep || len(r.used) >= r.max {
		for id, exp := range r.used {
			if exp < t {
				delete(r.used, id)
			}
		}
		r.sweep = t + 10
	}
	if _, seen := r.used[c.ID]; seen || len(r.used) >= r.max {
		return false
	}
	// Keep the id a little past expiry so a clock step cannot revive it.
	r.used[c.ID] = c.Expiry + 5
	return true
}

// Len is how many ids are remembered.
func (r *Replay) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.used)
}
