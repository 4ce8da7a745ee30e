package wsproxy

import (
	"sync"
	"time"
)

// tombstoneTTL is how long a proxy refuses an ended session: longer than any token lives.
const tombstoneTTL = 5 * time.Minute

// tracker knows the live connections by session, so a session's end closes them all, and
// refuses sessions that ended.
type tracker struct {
	mu      sync.Mutex
	links   map[string]map[link]struct{}
	ended   map[string]time.Time // session → until when it is refused
	total   int
	max     int
	closing bool
	sweep   time.Time
}

func newTracker(max int) *tracker {
	if max <= 0 {
		max = 100_000
	}
	return &tracker{links: map[string]map[link]struct{}{}, ended: map[string]time.Time{}, max: max}
}

// add registers l for session sid; it refuses (with why) a session that ended meanwhile, a
// proxy that is full or shutting down.
func (t *tracker) add(sid string, l link) *Refusal {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closing:
		return &Refusal{Code: CodeGoingAway, Reason: "the proxy is shutting down; reconnect"}
	case t.endedLocked(sid):
		return Refuse(CodeSessionEnded, "the session has ended")
	case t.total >= t.max:
		return Refuse(CodeBusy, "the proxy carries its maximum number of connections; try again later")
	}
	m := t.links[sid]
	if m == nil {
		m = map[link]struct{}{}
		t.links[sid] = m
	}
	m[l] = struct{}{}
	t.total++
	return nil
}

func (t *tracker) remove(sid string, l link) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m := t.links[sid]; m != nil {
		if _, ok := m[l]; ok {
			delete(m, l)
			t.total--
		}
		if len(m) == 0 {
			delete(t.links, sid)
		}
	}
}

func (t *tracker) endedLocked(sid string) bool {
	now := time.Now()
	if now.After(t.sweep) {
		for id, until := range t.ended {
			if now.After(until) {
				delete(t.ended, id)
			}
		}
		t.sweep = now.Add(time.Minute)
	}
	until, ok := t.ended[sid]
	return ok && now.Before(until)
}

// isEnded reports whether sid is known to have ended.
func (t *tracker) isEnded(sid string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.endedLocked(sid)
}

// end marks sid ended (new connections are refused) and closes its connections with code
// and reason. It returns how many were closed.
func (t *tracker) end(sid string, code int, reason string) int {
	t.mu.Lock()
	t.ended[sid] = time.Now().Add(tombstoneTTL)
	var ls []link
	for l := range t.links[sid] {
		ls = append(ls, l)
	}
	t.mu.Unlock()
	for _, l := range ls {
		l.abort(code, reason)
	}
	return len(ls)
}

// closeAll ends every connection and refuses new ones.
func (t *tracker) closeAll(code int, reason string) {
	t.mu.Lock()
	t.closing = true
	var ls []link
	for _, m := range t.links {
		for l := range m {
			ls = append(ls, l)
		}
	}
	t.mu.Unlock()
	for _, l := range ls {
		l.abort(code, reason)
	}
}

// sessions lists the sessions with live connections.
func (t *tracker) sessions() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.links))
	for id := range t.links {
		out = append(out, id)
	}
	return out
}

func (t *tracker) count(sid string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sid == "" {
		return t.total
	}
	return len(t.links[sid])
}

// pingLoop pings every websocket every interval until stop closes: one goroutine for all
// connections, not a timer each.
func (t *tracker) pingLoop(interval time.Duration, stop <-chan struct{}) {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
		}
		t.mu.Lock()
		var ls []link
		for _, m := range t.links {
			for l := range m {
				ls = append(ls, l)
			}
		}
		t.mu.Unlock()
		for _, l := range ls {
			l.ping()
		}
	}
}
