package images

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

// simulated is one agent of the swarm and when it first received each image reference.
type simulated struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	ready bool
}

// runSwarm is the child process: it enrolls one simulated agent per token, keeps each one's
// check-in and image-sync streams open, says "ready" once every agent holds a desired set of
// the expected size, then for each "expect" reports when every agent received the reference.
func runSwarm() int {
	dec := json.NewDecoder(os.Stdin)
	var outMu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	emit := func(m message) {
		outMu.Lock()
		defer outMu.Unlock()
		_ = enc.Encode(m)
	}
	fail := func(err error) int {
		emit(message{Event: "error", Error: err.Error()})
		return 1
	}
	var first message
	if err := dec.Decode(&first); err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	n := len(first.Tokens)
	agents := make([]*simulated, n)
	conns := make([]*grpc.ClientConn, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, tok := range first.Tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ectx, ecancel := context.WithTimeout(ctx, time.Minute)
			id, err := simagent.Enroll(ectx, first.Addr, tok, fmt.Sprintf("bench-%d", i))
			ecancel()
			if err != nil {
				errs <- fmt.Errorf("enroll %d: %w", i, err)
				return
			}
			conn, err := id.Dial(first.Addr)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = conn
			s := &simulated{seen: map[string]time.Time{}}
			agents[i] = s
			a := simagent.New(id.AgentID, simagent.Options{Cores: 8, MemoryMB: 16 << 10})
			go func() { _ = a.Run(ctx, conn) }()
			go func() {
				_ = a.SyncImages(ctx, conn, func(d *agentpb.DesiredImages) {
					now := time.Now()
					s.mu.Lock()
					for _, img := range d.GetImages() {
						if _, ok := s.seen[img.GetImageReference()]; !ok {
							s.seen[img.GetImageReference()] = now
						}
					}
					s.ready = s.ready || len(d.GetImages()) >= first.Images
					s.mu.Unlock()
				})
			}()
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fail(err)
	}
	for {
		all := true
		for _, s := range agents {
			s.mu.Lock()
			all = all && s.ready
			s.mu.Unlock()
		}
		if all {
			break
		}
		if time.Since(start) > 15*time.Minute {
			return fail(fmt.Errorf("not every agent got its first desired set"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	emit(message{Event: "ready", Agents: n, Secs: time.Since(start).Seconds()})
	for {
		var m message
		if err := dec.Decode(&m); err != nil || m.Event == "stop" {
			for _, c := range conns {
				c.Close()
			}
			return 0
		}
		if m.Event != "expect" {
			continue
		}
		lat := make([]int64, n)
		deadline := time.Now().Add(time.Minute)
		for {
			missing := 0
			for i, s := range agents {
				s.mu.Lock()
				t, ok := s.seen[m.Ref]
				s.mu.Unlock()
				if !ok {
					missing++
					continue
				}
				lat[i] = t.UnixNano() - m.Start
			}
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				return fail(fmt.Errorf("%d agents never received %s", missing, m.Ref))
			}
			time.Sleep(2 * time.Millisecond)
		}
		emit(message{Event: "round", Lat: lat})
	}
}
