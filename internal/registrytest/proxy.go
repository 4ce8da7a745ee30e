package registrytest

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"
)

// Proxy is a reverse proxy in front of a registry that sees every request a pull makes: it
// can slow blob downloads down (so that pulls overlap) and tells, per repository, which
// requests were made and when, so a test can count pulls in flight from outside the agent.
type Proxy struct {
	// Addr is host:port on 127.0.0.1; use it as the registry in image references.
	Addr string
	// BlobDelay holds each blob download back this long before forwarding it.
	BlobDelay time.Duration

	mu   sync.Mutex
	reqs []Request
	srv  *http.Server
}

// Request is one registry request of a repository.
type Request struct {
	Repo   string
	Kind   string // "manifests" or "blobs"
	Method string
	Status int
	Start  time.Time
	End    time.Time
}

var repoPath = regexp.MustCompile(`^/v2/(.+)/(manifests|blobs)/[^/]+$`)

// NewProxy starts a proxy to the registry at target (host:port), stopped when t ends.
func NewProxy(t testing.TB, target string, blobDelay time.Duration) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: l.Addr().String(), BlobDelay: blobDelay}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := repoPath.FindStringSubmatch(r.URL.Path)
		if m == nil {
			rp.ServeHTTP(w, r)
			return
		}
		req := Request{Repo: m[1], Kind: m[2], Method: r.Method, Start: time.Now()}
		if m[2] == "blobs" && r.Method == http.MethodGet && p.BlobDelay > 0 {
			select {
			case <-time.After(p.BlobDelay):
			case <-r.Context().Done():
			}
		}
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(rec, r)
		req.Status, req.End = rec.status, time.Now()
		p.mu.Lock()
		p.reqs = append(p.reqs, req)
		p.mu.Unlock()
	})}
	go func() { _ = p.srv.Serve(l) }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Requests returns the requests of repo so far (every repository when repo is "").
func (p *Proxy) Requests(repo string) []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Request
	for _, r := range p.reqs {
		if repo == "" || r.Repo == repo {
			out = append(out, r)
		}
	}
	return out
}

// Pull is one pull as the registry saw it: a repository's requests from the first start to
// the last end, requests less than gap apart counting as one pull.
type Pull struct {
	Repo       string
	Start, End time.Time
}

// Pulls groups the requests into pulls. A pull's span here lies inside the real pull (which
// starts before its first request and ends after its last answer), so overlaps counted from
// these spans never exceed the pulls really in flight.
func (p *Proxy) Pulls(gap time.Duration) []Pull {
	byRepo := map[string][]Request{}
	for _, r := range p.Requests("") {
		byRepo[r.Repo] = append(byRepo[r.Repo], r)
	}
	var out []Pull
	for repo, rs := range byRepo {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
		cur := Pull{Repo: repo, Start: rs[0].Start, End: rs[0].End}
		for _, r := range rs[1:] {
			if r.Start.Sub(cur.End) > gap {
				out = append(out, cur)
				cur = Pull{Repo: repo, Start: r.Start, End: r.End}
				continue
			}
			if r.End.After(cur.End) {
				cur.End = r.End
			}
		}
		out = append(out, cur)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// MaxInFlight is the largest number of pulls whose spans overlap at one instant.
func MaxInFlight(pulls []Pull) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, p := range pulls {
		edges = append(edges, edge{p.Start, 1}, edge{p.End, -1})
	}
	// Ends before starts at the same instant: touching spans do not overlap.
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	cur, best := 0, 0
	for _, e := range edges {
		cur += e.delta
		best = max(best, cur)
	}
	return best
}
