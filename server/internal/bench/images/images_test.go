// Package images measures image sync at fleet scale: 1,000 simulated agents (real gRPC with
// mutual TLS over loopback, each its own identity, check-in stream and image-sync stream) and
// 20 container workspaces on one server process with real Postgres. After a workspace change,
// every connected agent must have its new desired set within one check-in interval (30 s);
// the benchmark reports how long that took and the server's CPU time and allocations per sync
// round, against a baseline round measured in the same run: a workspace edit that changes no
// image (the server recomputes every agent's set and sends nothing).
//
//	go test -run '^$' -bench . -benchtime 1x ./server/internal/bench/images/
//
// Knobs: HOTDESK_BENCH_IMAGE_AGENTS (1000), HOTDESK_BENCH_IMAGE_WORKSPACES (20),
// HOTDESK_BENCH_IMAGE_ROUNDS (10). The agents run in a child process (this test binary started
// again), so CPU time and allocations counted here are the server's alone.
package images

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

const swarmEnv = "HOTDESK_BENCH_IMAGES_SWARM"

func TestMain(m *testing.M) {
	if os.Getenv(swarmEnv) != "" {
		os.Exit(runSwarm())
	}
	pgtest.Main(m)
}

// message is one line between the benchmark and its swarm, either way.
type message struct {
	Event  string   `json:"event"`            // parent: "expect", "stop"; child: "ready", "round", "error"
	Tokens []string `json:"tokens,omitempty"` // parent → child, first line
	Addr   string   `json:"addr,omitempty"`
	Images int      `json:"images,omitempty"`    // desired images every agent must have to be ready
	Ref    string   `json:"ref,omitempty"`       // expect: the reference every agent must receive
	Start  int64    `json:"start,omitempty"`     // expect: when the change was made (Unix ns)
	Lat    []int64  `json:"lat_ns,omitempty"`    // round: each agent's latency
	Secs   float64  `json:"secs,omitempty"`      // ready: enrollment and first sets took this long
	Error  string   `json:"error,omitempty"`     // error
	Agents int      `json:"connected,omitempty"` // ready
}

func BenchmarkImageSyncRound(b *testing.B) {
	n := envInt("HOTDESK_BENCH_IMAGE_AGENTS", 1000)
	nws := envInt("HOTDESK_BENCH_IMAGE_WORKSPACES", 20)
	rounds := envInt("HOTDESK_BENCH_IMAGE_ROUNDS", 10)
	ctx := context.Background()
	e := apptest.StartWith(b, pgtest.New(b, apptest.Migrate), func(c *config.Config) {
		c.ImageResyncInterval = time.Hour // only the rounds the benchmark causes
		c.MaxDBConns = 32
	})
	admin := e.Admin(ctx)
	wsc := pb.NewWorkspaceServiceClient(e.Conn)
	var ws []*pb.Workspace
	for i := 0; i < nws; i++ {
		r, err := wsc.CreateWorkspace(admin, &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{
			Name: fmt.Sprintf("bench-%d", i), Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true,
			Container: &pb.ContainerSpec{Image: fmt.Sprintf("127.0.0.1:5000/bench/desk%d:r0", i), Registry: "127.0.0.1:5000",
				RegistryUsername: "bench", RegistryPassword: "bench-secret", Cores: 1, MemoryMb: 512}}})
		if err != nil {
			b.Fatal(err)
		}
		ws = append(ws, r.GetWorkspace())
	}
	tokens := mintTokens(b, e, n)

	sw := startSwarm(b, message{Tokens: tokens, Addr: e.App.AgentAddr, Images: nws})
	ready := sw.read(b, "ready", 20*time.Minute)
	b.Logf("%d agents enrolled, checked in and holding their first desired set in %.1fs", ready.Agents, ready.Secs)

	type cost struct {
		cpu    time.Duration
		allocs uint64
		bytes  uint64
	}
	measure := func(f func()) cost {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c0 := cpuTime()
		f()
		c1 := cpuTime()
		runtime.ReadMemStats(&m1)
		return cost{cpu: c1 - c0, allocs: m1.Mallocs - m0.Mallocs, bytes: m1.TotalAlloc - m0.TotalAlloc}
	}
	var base, change []cost
	var lats []time.Duration
	var worst time.Duration
	b.ResetTimer()
	for r := 1; r <= rounds; r++ {
		w := ws[r%len(ws)]
		// Baseline: an edit that changes no image. Every agent's set is recomputed; none is sent.
		before := e.App.ImageRounds()
		base = append(base, measure(func() {
			if _, err := wsc.UpdateWorkspace(admin, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: w.GetId(),
				Description: fmt.Sprintf("round %d", r)}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"description"}}}); err != nil {
				b.Fatal(err)
			}
			waitRounds(b, e, before)
		}))
		// The measured round: a new image tag reaches every agent.
		ref := fmt.Sprintf("127.0.0.1:5000/bench/desk%d:r%d", r%len(ws), r)
		var got message
		change = append(change, measure(func() {
			start := time.Now()
			if _, err := wsc.UpdateWorkspace(admin, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: w.GetId(),
				Container: &pb.ContainerSpec{Image: ref}}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"container.image"}}}); err != nil {
				b.Fatal(err)
			}
			sw.send(b, message{Event: "expect", Ref: ref, Start: start.UnixNano()})
			got = sw.read(b, "round", 2*time.Minute)
		}))
		for _, l := range got.Lat {
			lats = append(lats, time.Duration(l))
		}
		worst = max(worst, time.Duration(slices.Max(got.Lat)))
	}
	b.StopTimer()
	sw.send(b, message{Event: "stop"})

	avg := func(cs []cost) cost {
		var out cost
		for _, c := range cs {
			out.cpu += c.cpu
			out.allocs += c.allocs
			out.bytes += c.bytes
		}
		k := uint64(len(cs))
		return cost{cpu: out.cpu / time.Duration(k), allocs: out.allocs / k, bytes: out.bytes / k}
	}
	bc, cc := avg(base), avg(change)
	slices.Sort(lats)
	pct := func(p float64) time.Duration { return lats[min(len(lats)-1, int(p*float64(len(lats))))] }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(cc.cpu.Microseconds())/1000, "cpu-ms/round")
	b.ReportMetric(float64(cc.allocs), "allocs/round")
	b.ReportMetric(float64(cc.bytes)/(1<<20), "MiB/round")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "max-ms")
	fmt.Printf("image sync: %d agents × %d workspaces, %d rounds\n", ready.Agents, nws, rounds)
	fmt.Printf("  change round (new image tag to every agent): server CPU %.1f ms, %d allocs (%.1f MiB); per agent %.1f µs, %.0f allocs\n",
		float64(cc.cpu.Microseconds())/1000, cc.allocs, float64(cc.bytes)/(1<<20),
		float64(cc.cpu.Microseconds())/float64(ready.Agents), float64(cc.allocs)/float64(ready.Agents))
	fmt.Printf("  baseline round (edit that changes no image): server CPU %.1f ms, %d allocs (%.1f MiB)\n",
		float64(bc.cpu.Microseconds())/1000, bc.allocs, float64(bc.bytes)/(1<<20))
	fmt.Printf("  ratio change/baseline: CPU %.2fx, allocs %.2fx\n", ratio(float64(cc.cpu), float64(bc.cpu)), ratio(float64(cc.allocs), float64(bc.allocs)))
	fmt.Printf("  change to agent: p50 %s, p99 %s, max %s (goal: every agent within one check-in interval, 30s)\n",
		pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), worst.Round(time.Millisecond))
	if worst > 30*time.Second {
		b.Errorf("an agent got its new desired set %s after the change, more than one check-in interval (30s)", worst)
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// waitRounds waits until the server has finished a desired-image round after before.
func waitRounds(b *testing.B, e *apptest.Env, before uint64) {
	deadline := time.Now().Add(time.Minute)
	for e.App.ImageRounds() <= before {
		if time.Now().After(deadline) {
			b.Fatal("no image round within a minute")
		}
		time.Sleep(time.Millisecond)
	}
}

// cpuTime is this process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mintTokens(b *testing.B, e *apptest.Env, n int) []string {
	client := pb.NewAgentServiceClient(e.Conn)
	ctx := e.Admin(context.Background())
	tokens := make([]string, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				r, err := client.CreateEnrollmentToken(ctx, &pb.CreateEnrollmentTokenRequest{TtlSeconds: 7200})
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				tokens[i] = r.GetToken()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return tokens
}

// swarm is the child process holding the simulated agents.
type swarm struct {
	cmd *exec.Cmd
	in  *json.Encoder
	out *bufio.Scanner
}

func startSwarm(b *testing.B, first message) *swarm {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), swarmEnv+"=1")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	s := &swarm{cmd: cmd, in: json.NewEncoder(stdin), out: sc}
	s.send(b, first)
	return s
}

func (s *swarm) send(b *testing.B, m message) {
	if err := s.in.Encode(m); err != nil {
		b.Fatal(err)
	}
}

func (s *swarm) read(b *testing.B, event string, timeout time.Duration) message {
	got := make(chan message, 1)
	go func() {
		for s.out.Scan() {
			var m message
			if json.Unmarshal(s.out.Bytes(), &m) == nil && m.Event != "" {
				got <- m
				return
			}
		}
		got <- message{Event: "error", Error: "swarm ended"}
	}()
	select {
	case m := <-got:
		if m.Event != event {
			b.Fatalf("swarm: want %s, got %s %s", event, m.Event, m.Error)
		}
		return m
	case <-time.After(timeout):
		b.Fatalf("swarm: no %s within %s", event, timeout)
	}
	return message{}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
