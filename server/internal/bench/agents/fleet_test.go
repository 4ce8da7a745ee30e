package agents

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

var agentsFlag = flag.Int("agents", 0, "simulated agents in BenchmarkFleet (default: HOTDESK_BENCH_AGENTS, else 10000)")

// BenchmarkFleet is the scale target: 10,000 simulated agents (real gRPC with mutual
// TLS over loopback, each its own identity and connection) checked in to one server process
// at the production timings: a heartbeat every 30 s with 20% jitter. Goals: server memory per
// agent <= 64 KiB; check-in p99 <= 50 ms.
//
// The agents run in a child process, so this process holds the server alone. Memory per agent
// is the growth of the server's Go heap and goroutine stacks (after a full GC) from the idle
// server with every agent enrolled to the server with every agent checked in and heartbeating,
// divided by the agents. A check-in is an agent opening its check-in stream: Hello to Welcome,
// the one exchange of the protocol the server answers. It is timed on every agent's first
// stream, while the agents connect spread over one heartbeat interval (the load of a fleet
// reconnecting after a server restart: one TLS handshake, stream claim and resource report per
// agent), and on the reconnects of a steady churn afterwards. Heartbeats have no reply; for
// them the benchmark reports how long after an agent sent one the server had renewed its lease
// in Postgres (sampled agents, polled), which the server batches once a second by design.
//
// Knobs: -agents or HOTDESK_BENCH_AGENTS (10000), HOTDESK_BENCH_RAMP (30s),
// HOTDESK_BENCH_STEADY (45s: every agent heartbeats at least once), HOTDESK_BENCH_CHURN
// (reconnects a second in steady state, 10), HOTDESK_BENCH_HEAPPROFILE (a file for the
// server's heap profile, taken when memory is measured), HOTDESK_BENCH_CPUPROFILE (a file for
// the server's CPU profile while the agents connect).
func BenchmarkFleet(b *testing.B) {
	n := *agentsFlag
	if n <= 0 {
		n = envInt("HOTDESK_BENCH_AGENTS", 10000)
	}
	ramp := envDuration("HOTDESK_BENCH_RAMP", 30*time.Second)
	steady := envDuration("HOTDESK_BENCH_STEADY", 45*time.Second)
	churn := envFloat("HOTDESK_BENCH_CHURN", 10)
	ctx := context.Background()

	dbURL := pgtest.New(b, apptest.Migrate)
	e := apptest.StartWith(b, dbURL, nil)
	t0 := time.Now()
	tokens := mintTokens(b, e, n, 16)
	mint := time.Since(t0)

	lag := &lagTracker{pending: map[string][]time.Time{}}
	sw := startSwarm(b, swarmConfig{Addr: e.App.AgentAddr, Tokens: tokens, EnrollConc: 16, Ramp: ramp,
		ChurnPerSec: churn, Sample: min(n, 1000)}, lag.heartbeat)
	enrolled := sw.wait(b, "enrolled", 20*time.Minute)
	tokens = nil

	// The lease poller's connection exists before the baseline, so it is not counted.
	pollConn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer pollConn.Close(ctx)
	base := readServerMemory()
	baseRSS := rss()

	pollCtx, stopPoll := context.WithCancel(ctx)
	var polling sync.WaitGroup
	polling.Add(1)
	go func() {
		defer polling.Done()
		lag.poll(pollCtx, pollConn, enrolled.Sample)
	}()
	b.ResetTimer()
	stopProfile := cpuProfile(b)
	child := sw.cmd.Process.Pid
	cpu0 := readCPU(child)
	sw.send(b, "connect")
	connected := sw.wait(b, "connected", ramp+5*time.Minute)
	cpu1 := readCPU(child)
	stopProfile()
	time.Sleep(steady)
	cpu2 := readCPU(child)
	rampCPU, steadyCPU := cpu1.sub(cpu0), cpu2.sub(cpu1)

	used := readServerMemory()
	usedRSS := rss()
	if path := os.Getenv("HOTDESK_BENCH_HEAPPROFILE"); path != "" {
		writeHeapProfile(b, path)
	}
	online, err := countAgents(e.Admin(ctx), pb.NewAgentServiceClient(e.Conn), pb.AgentState_AGENT_STATE_ONLINE)
	if err != nil {
		b.Fatal(err)
	}
	sw.send(b, "stop")
	st := sw.wait(b, "stats", 2*time.Minute).Stats
	stopPoll()
	polling.Wait()
	b.StopTimer()

	per := func(after, before uint64) float64 {
		return float64(int64(after)-int64(before)) / float64(max(st.Connected, 1))
	}
	perAgent := per(used.total(), base.total())
	goroutines := float64(used.goroutines-base.goroutines) / float64(max(st.Connected, 1))
	rssPerAgent := per(usedRSS, baseRSS)
	all := append(append([]time.Duration{}, st.Welcome...), st.Reconnect...)
	slices.Sort(all)
	lags, unrecorded := lag.result(2 * time.Second)

	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(st.Connected), "agents")
	b.ReportMetric(perAgent/1024, "KiB/agent")
	b.ReportMetric(goroutines, "goroutines/agent")
	b.ReportMetric(ms(pct(all, 0.5)), "checkin-p50-ms")
	b.ReportMetric(ms(pct(all, 0.99)), "checkin-p99-ms")
	b.ReportMetric(ms(pct(lags, 0.99)), "lease-lag-p99-ms")

	memOK := perAgent <= 64<<10
	latOK := pct(all, 0.99) <= 50*time.Millisecond
	fmt.Printf("fleet: %d agents connected (%d online in the API) to one server; setup: %d tokens in %.1fs, enrolled in %.1fs; connected over %.1fs (%.0f/s)\n",
		st.Connected, online, n, mint.Seconds(), enrolled.Secs, connected.Secs, float64(st.Connected)/connected.Secs)
	fmt.Printf("fleet: memory %.1f KiB/agent (goal <= 64 KiB): %s | heap %.1f KiB/agent (%.1f of it live objects), stacks %.1f KiB/agent in %.1f goroutines/agent; heap+stacks %.0f -> %.0f MiB; RSS +%.1f KiB/agent; swarm process heap %.0f MiB\n",
		perAgent/1024, verdict(memOK), per(used.heap, base.heap)/1024, per(used.live, base.live)/1024, per(used.stack, base.stack)/1024, goroutines,
		float64(base.total())/(1<<20), float64(used.total())/(1<<20), rssPerAgent/1024, st.HeapMiB)
	fmt.Printf("fleet: check-in (Hello -> Welcome) p50 %.1fms p99 %.1fms max %.0fms over %d check-ins (goal p99 <= 50ms): %s | first check-ins p50 %.1fms p99 %.1fms (TLS dial p50 %.1fms p99 %.1fms) | steady reconnects (%d) p50 %.1fms p99 %.1fms\n",
		ms(pct(all, 0.5)), ms(pct(all, 0.99)), ms(pct(all, 1)), len(all), verdict(latOK),
		ms(pct(st.Welcome, 0.5)), ms(pct(st.Welcome, 0.99)), ms(pct(st.Dial, 0.5)), ms(pct(st.Dial, 0.99)),
		len(st.Reconnect), ms(pct(st.Reconnect, 0.5)), ms(pct(st.Reconnect, 0.99)))
	perConnect := func(d time.Duration) float64 { return ms(d) / float64(max(st.Connected, 1)) }
	fmt.Printf("fleet: CPU per agent connecting: %.2fms server + %.2fms Postgres + %.2fms the agent's side (%.1f of %d cores busy with it); steady state (heartbeats, keepalives, %.0f reconnects/s): server %.0f%%, Postgres %.0f%% of a core\n",
		perConnect(rampCPU.self), perConnect(rampCPU.postgres), perConnect(rampCPU.child), rampCPU.total().Seconds()/connected.Secs, runtime.NumCPU(),
		churn, 100*steadyCPU.self.Seconds()/steady.Seconds(), 100*steadyCPU.postgres.Seconds()/steady.Seconds())
	fmt.Printf("fleet: %d heartbeats (every 30s ±20%%); sent -> lease renewed in Postgres p50 %.0fms p99 %.0fms max %.0fms over %d sampled (batched once a second by design; lease 90s), %d not recorded; %d streams failed%s\n",
		st.Heartbeats, ms(pct(lags, 0.5)), ms(pct(lags, 0.99)), ms(pct(lags, 1)), len(lags), unrecorded, st.Failures, firstError(st.FirstError))
	if st.Connected < n {
		b.Errorf("only %d of %d agents checked in", st.Connected, n)
	}
}

func firstError(e string) string {
	if e == "" {
		return ""
	}
	return " (first: " + e + ")"
}

// cpuProfile profiles the server while the agents connect, when HOTDESK_BENCH_CPUPROFILE names
// a file; it returns the function that stops it.
func cpuProfile(b *testing.B) func() {
	path := os.Getenv("HOTDESK_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// lagTracker matches heartbeats the sampled agents sent with the lease renewals
// (agents.last_checkin_time) the server wrote for them.
type lagTracker struct {
	mu       sync.Mutex
	pending  map[string][]time.Time // agent id -> heartbeats sent, not yet seen renewed
	lags     []time.Duration
	lastPoll time.Time
}

func (t *lagTracker) heartbeat(agent string, sent time.Time) {
	t.mu.Lock()
	t.pending[agent] = append(t.pending[agent], sent)
	t.mu.Unlock()
}

// poll reads the sampled agents' lease renewals every 100ms until ctx ends.
func (t *lagTracker) poll(ctx context.Context, conn *pgx.Conn, ids []string) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		rows, err := conn.Query(ctx, `SELECT id::text, last_checkin_time FROM agents WHERE id = ANY ($1::uuid[])`, ids)
		if err != nil {
			continue
		}
		renewed := map[string]time.Time{}
		for rows.Next() {
			var id string
			var at *time.Time
			if rows.Scan(&id, &at) == nil && at != nil {
				renewed[id] = *at
			}
		}
		rows.Close()
		t.mu.Lock()
		for id, at := range renewed {
			kept := t.pending[id][:0]
			for _, sent := range t.pending[id] {
				if sent.After(at) {
					kept = append(kept, sent)
				} else {
					t.lags = append(t.lags, at.Sub(sent))
				}
			}
			t.pending[id] = kept
		}
		t.lastPoll = start
		t.mu.Unlock()
	}
}

// result returns the sorted lags, and how many heartbeats sent more than grace before the last
// poll were never seen renewed.
func (t *lagTracker) result(grace time.Duration) ([]time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	missing := 0
	for _, sent := range t.pending {
		for _, s := range sent {
			if s.Before(t.lastPoll.Add(-grace)) {
				missing++
			}
		}
	}
	out := append([]time.Duration{}, t.lags...)
	slices.Sort(out)
	return out, missing
}
