package sessions

import "sync"

// Watchers fans session-change notifications out to in-process watchers. It is fed by the
// notification bus, so a change made on any replica wakes watchers on every replica.
type Watchers struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

// NewWatchers returns an empty hub.
func NewWatchers() *Watchers { return &Watchers{subs: map[string]map[chan struct{}]struct{}{}} }

// Subscribe returns a channel that receives a signal (coalesced) whenever session id may have
// changed, and a function to unsubscribe.
func (w *Watchers) Subscribe(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	if w.subs[id] == nil {
		w.subs[id] = map[chan struct{}]struct{}{}
	}
	w.subs[id][ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.subs[id], ch)
		if len(w.subs[id]) == 0 {
			delete(w.subs, id)
		}
		w.mu.Unlock()
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Notify signals the watchers of one session (bus payload: the session id).
func (w *Watchers) Notify(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs[id] {
		signal(ch)
	}
}

// Resync signals every watcher, after notifications may have been missed.
func (w *Watchers) Resync() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, set := range w.subs {
		for ch := range set {
			signal(ch)
		}
	}
}
