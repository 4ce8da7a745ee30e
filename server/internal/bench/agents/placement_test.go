package agents

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

const benchImage = "registry.example.com:5000/desktop:1.4"

// BenchmarkPlacement is the placement target: CreateSession over gRPC from many
// concurrent clients (a user allowed the workspace through a group, a request_id on every
// call), placed on simulated agents that start containers at once, real Postgres. Goals: >= 500
// CreateSession/s with p99 <= 50 ms, and no agent ever oversubscribed.
//
// Throughput and latency are measured apart, since a closed loop cannot show both: 48 callers
// calling back to back measure the most the server sustains (their latency is then queueing,
// 48 / throughput on average), and calls due at the goal rate, 500/s, from up to 64 callers
// measure latency at that load, each call timed from when it was due so that a server falling
// behind shows as latency rather than as fewer calls. Each runs for the benchmark time (3s in
// make bench). Then the callers keep launching until the fleet refuses, racing for its last
// slots. Every accepted session must reach RUNNING, every agent's reserved capacity must stay
// within what it reported, and the reserved total must equal the sessions accepted.
//
// The fleet is 100 agents of 64 cores and 256 GiB holding the image; the workspace takes 1
// core and 1 GiB, so there is room for 6,400 sessions.
//
// Knobs: HOTDESK_BENCH_PLACEMENT_AGENTS (100), HOTDESK_BENCH_PLACEMENT_CONC (48 callers for
// throughput; 64 at most at the goal rate; 4 connections), HOTDESK_BENCH_PLACEMENT_RATE (500),
// HOTDESK_BENCH_PLACEMENT_DURATION (the benchmark time).
func BenchmarkPlacement(b *testing.B) {
	nAgents := envInt("HOTDESK_BENCH_PLACEMENT_AGENTS", 100)
	conc := envInt("HOTDESK_BENCH_PLACEMENT_CONC", 48)
	goalRate := envFloat("HOTDESK_BENCH_PLACEMENT_RATE", 500)
	dur := envDuration("HOTDESK_BENCH_PLACEMENT_DURATION", benchtime(3*time.Second))
	const agentCores, agentMemMB, pacedCallers = 64, 256 << 10, 64
	ctx := context.Background()

	e := apptest.Start(b)
	admin := e.Admin(ctx)
	sims := startSims(b, e, nAgents, simagent.Options{Cores: agentCores, MemoryMB: agentMemMB, Images: []string{benchImage}})
	agents := pb.NewAgentServiceClient(e.Conn)
	waitFor(b, time.Minute, "agents online with their reports", func() (bool, error) {
		r, err := agents.ListAgents(admin, &pb.ListAgentsRequest{PageSize: 1000, State: pb.AgentState_AGENT_STATE_ONLINE})
		if err != nil {
			return false, err
		}
		ready := 0
		for _, a := range r.GetAgents() {
			if a.GetReported().GetCores() == agentCores {
				ready++
			}
		}
		return ready == nAgents, nil
	})

	w, err := pb.NewWorkspaceServiceClient(e.Conn).CreateWorkspace(admin, &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{
		Name: "Desktop", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true,
		Container: &pb.ContainerSpec{Image: benchImage, Cores: 1, MemoryMb: 1024},
	}})
	if err != nil {
		b.Fatal(err)
	}
	wsID := w.GetWorkspace().GetId()
	user, token := e.NewUser(b, "launcher")
	if _, err := pb.NewGroupServiceClient(e.Conn).CreateGroup(admin, &pb.CreateGroupRequest{Group: &pb.Group{
		Name: "Launchers", MemberIds: []string{user.GetId()}, WorkspaceIds: []string{wsID}}}); err != nil {
		b.Fatal(err)
	}
	clients := make([]pb.SessionServiceClient, 4)
	for i := range clients {
		conn, err := grpc.NewClient(e.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		clients[i] = pb.NewSessionServiceClient(conn)
	}
	userCtx := apptest.As(ctx, token)
	l := &launcher{create: func(worker int) error {
		_, err := clients[worker%len(clients)].CreateSession(userCtx, &pb.CreateSessionRequest{WorkspaceId: wsID, RequestId: uuid.NewString()})
		return err
	}}

	// Warm up: connections, the credential cache, Postgres' plan caches. A benchmark run
	// before this one may have left a large heap behind: collect it now, not while timing.
	runtime.GC()
	warm := 0
	l.closedLoop(b, conc, func() bool { warm++; return warm > 2*conc })
	b.ResetTimer()
	start := time.Now()
	deadline := start.Add(dur)
	cpu0 := readCPU(0)
	sat := l.closedLoop(b, conc, func() bool { return time.Now().After(deadline) })
	satElapsed := time.Since(start)
	satCPU := readCPU(0).sub(cpu0)
	start = time.Now()
	paced := l.paced(b, goalRate, dur, pacedCallers)
	pacedElapsed := time.Since(start)
	b.StopTimer()
	timedFull := l.refused.Load() > 0
	satRate := float64(len(sat)) / satElapsed.Seconds()
	pacedRate := float64(len(paced)) / pacedElapsed.Seconds()

	// Fill the fleet: everyone races for the last slots. A refusal while some agent still had
	// room would show up as a later sequential launch succeeding.
	l.closedLoop(b, conc, func() bool { return false })
	early := 0
	for {
		err := l.create(0)
		if err == nil {
			l.accepted.Add(1)
			early++
			continue
		}
		if status.Code(err) != codes.ResourceExhausted {
			b.Fatalf("CreateSession on a full fleet: %v, want RESOURCE_EXHAUSTED", err)
		}
		break
	}
	capacity := nAgents * agentCores

	total := int(l.accepted.Load())
	var sessions []*pb.Session
	waitFor(b, 2*time.Minute, "every accepted session RUNNING", func() (bool, error) {
		var err error
		sessions, err = listSessions(admin, pb.NewSessionServiceClient(e.Conn))
		if err != nil {
			return false, err
		}
		running := 0
		for _, s := range sessions {
			if s.GetState() == pb.SessionState_SESSION_STATE_RUNNING {
				running++
			}
		}
		return running == total, nil
	})
	var toRunning []time.Duration
	for _, s := range sessions {
		toRunning = append(toRunning, s.GetStartTime().AsTime().Sub(s.GetCreateTime().AsTime()))
	}
	slices.Sort(toRunning)

	over, maxUsed, reserved := 0, 0.0, 0.0
	token = ""
	for {
		r, err := agents.ListAgents(admin, &pb.ListAgentsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range r.GetAgents() {
			if a.GetUsed().GetCores() > a.GetReported().GetCores() || a.GetUsed().GetMemoryMb() > a.GetReported().GetMemoryMb() {
				over++
			}
			maxUsed = max(maxUsed, a.GetUsed().GetCores())
			reserved += a.GetUsed().GetCores()
		}
		if token = r.GetNextPageToken(); token == "" {
			break
		}
	}
	containers := 0
	for _, s := range sims {
		containers += len(s.Containers())
	}

	b.ReportMetric(0, "ns/op")
	b.ReportMetric(satRate, "CreateSession/s")
	b.ReportMetric(ms(pct(paced, 0.5)), "p50-ms")
	b.ReportMetric(ms(pct(paced, 0.99)), "p99-ms")
	b.ReportMetric(ms(pct(sat, 0.99)), "saturated-p99-ms")
	b.ReportMetric(ms(pct(toRunning, 0.99)), "to-running-p99-ms")
	b.ReportMetric(float64(over), "oversubscribed-agents")
	perLaunch := satCPU.total() / time.Duration(max(len(sat), 1))
	b.ReportMetric(ms(perLaunch), "cpu-ms/launch")
	note := ""
	if timedFull {
		note = " (the fleet filled before the time was up)"
	}
	met := satRate >= goalRate && pct(paced, 0.99) <= 50*time.Millisecond && over == 0
	fmt.Printf("placement: %.0f CreateSession/s (goal >= %.0f), p99 %.1fms at %.0f/s (goal <= 50ms), oversubscribed agents: %d — %s\n",
		satRate, goalRate, ms(pct(paced, 0.99)), goalRate, over, verdict(met))
	fmt.Printf("placement: throughput %d calls in %.1fs from %d callers back to back, p50 %.1fms p99 %.1fms; at %.0f/s due: %d calls (%.0f/s) from <= %d callers, p50 %.1fms p99 %.1fms max %.0fms%s\n",
		len(sat), satElapsed.Seconds(), conc, ms(pct(sat, 0.5)), ms(pct(sat, 0.99)), goalRate, len(paced), pacedRate, pacedCallers,
		ms(pct(paced, 0.5)), ms(pct(paced, 0.99)), ms(pct(paced, 1)), note)
	if satCPU.pgKnown {
		fmt.Printf("placement: CPU per launch (create, command, ack, result, report): %.2fms this process (server, callers, simulated agents) + %.2fms Postgres; the run had %.1f of %d cores -> about %.0f launches/s with every core to itself\n",
			ms(satCPU.self)/float64(max(len(sat), 1)), ms(satCPU.postgres)/float64(max(len(sat), 1)), satCPU.total().Seconds()/satElapsed.Seconds(),
			runtime.NumCPU(), float64(runtime.NumCPU())/perLaunch.Seconds())
	}
	fmt.Printf("placement: create -> RUNNING p50 %.0fms p99 %.0fms; fleet of %d agents x %d cores filled to %d/%d sessions (%d RESOURCE_EXHAUSTED; %d launches still succeeded after every caller was refused), busiest agent %.0f/%d cores, %d containers on the agents\n",
		ms(pct(toRunning, 0.5)), ms(pct(toRunning, 0.99)), nAgents, agentCores, total, capacity, l.refused.Load(), early, maxUsed, agentCores, containers)
	switch {
	case over > 0:
		b.Errorf("%d agents oversubscribed", over)
	case total != capacity || int(reserved) != total:
		b.Errorf("fleet of %d slots holds %d sessions with %.0f cores reserved; want all slots used exactly once", capacity, total, reserved)
	case containers != total:
		b.Errorf("the agents run %d containers for %d sessions", containers, total)
	}
}

// launcher makes CreateSession calls and counts their outcomes. Any error but
// RESOURCE_EXHAUSTED (the fleet is full) fails the benchmark.
type launcher struct {
	create            func(worker int) error
	accepted, refused atomic.Int64
}

// outcome counts a call's result; it reports whether the fleet refused it.
func (l *launcher) outcome(err error, firstErr *atomic.Value) (full bool) {
	switch status.Code(err) {
	case codes.OK:
		l.accepted.Add(1)
	case codes.ResourceExhausted:
		l.refused.Add(1)
		return true
	default:
		firstErr.CompareAndSwap(nil, err)
	}
	return false
}

// closedLoop runs conc callers back to back until stop says so or the fleet refuses a call,
// and returns the accepted calls' latencies, sorted.
func (l *launcher) closedLoop(b *testing.B, conc int, stop func() bool) []time.Duration {
	var full atomic.Bool
	var firstErr atomic.Value
	lats := make([][]time.Duration, conc)
	var stopMu sync.Mutex
	stopped := func() bool {
		stopMu.Lock()
		defer stopMu.Unlock()
		return stop()
	}
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !full.Load() && firstErr.Load() == nil && !stopped() {
				t0 := time.Now()
				err := l.create(w)
				if l.outcome(err, &firstErr) {
					full.Store(true)
				} else if err == nil {
					lats[w] = append(lats[w], time.Since(t0))
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		b.Fatalf("CreateSession failed under load: %v", err)
	}
	all := slices.Concat(lats...)
	slices.Sort(all)
	return all
}

// paced makes calls due at rate a second for dur, from at most conc callers, and returns the
// accepted calls' latencies from when each was due, sorted. It stops early if the fleet
// refuses a call.
func (l *launcher) paced(b *testing.B, rate float64, dur time.Duration, conc int) []time.Duration {
	n := int(rate * dur.Seconds())
	due := make(chan time.Time, n)
	var full atomic.Bool
	go func() {
		defer close(due)
		start := time.Now()
		for i := 0; i < n && !full.Load(); i++ {
			at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			time.Sleep(time.Until(at))
			due <- at
		}
	}()
	var firstErr atomic.Value
	lats := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for at := range due {
				if full.Load() || firstErr.Load() != nil {
					continue
				}
				err := l.create(w)
				if l.outcome(err, &firstErr) {
					full.Store(true)
				} else if err == nil {
					lats[w] = append(lats[w], time.Since(at))
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		b.Fatalf("CreateSession failed under load: %v", err)
	}
	all := slices.Concat(lats...)
	slices.Sort(all)
	return all
}

// startSims enrolls n simulated agents and keeps each checked in until the benchmark ends.
func startSims(b *testing.B, e *apptest.Env, n int, o simagent.Options) []*simagent.Agent {
	b.Helper()
	ctx := context.Background()
	ids, err := enrollAll(ctx, e.App.AgentAddr, mintTokens(b, e, n, 8), 8, "sim")
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var conns []*grpc.ClientConn
	b.Cleanup(func() {
		stop()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	sims := make([]*simagent.Agent, n)
	for i, id := range ids {
		conn, err := id.Dial(e.App.AgentAddr)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, conn)
		sims[i] = simagent.New(id.AgentID, o)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				_ = sims[i].Run(runCtx, conn)
				select {
				case <-runCtx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
	}
	return sims
}

// waitFor polls cond until it holds, failing the benchmark after timeout.
func waitFor(b *testing.B, timeout time.Duration, what string, cond func() (bool, error)) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			b.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("no %s within %s", what, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// listSessions returns every live session, page by page.
func listSessions(ctx context.Context, client pb.SessionServiceClient) ([]*pb.Session, error) {
	var out []*pb.Session
	token := ""
	for {
		r, err := client.ListSessions(ctx, &pb.ListSessionsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return nil, err
		}
		out = append(out, r.GetSessions()...)
		if token = r.GetNextPageToken(); token == "" {
			return out, nil
		}
	}
}
