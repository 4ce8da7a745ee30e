package agents

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

// swarmEnv, when set, makes the test binary run a swarm of simulated agents instead of tests.
const swarmEnv = "HOTDESK_BENCH_SWARM"

// swarmConfig is the first line the benchmark writes to the swarm's stdin. Later lines are
// commands: "connect", then "stop".
type swarmConfig struct {
	Addr   string   `json:"addr"`
	Tokens []string `json:"tokens"`
	// EnrollConc is how many enrollments run at once.
	EnrollConc int `json:"enroll_conc"`
	// Ramp spreads the agents' first connections evenly over this long.
	Ramp time.Duration `json:"ramp"`
	// ChurnPerSec is how many connected agents a second drop their check-in stream and open a
	// new one on the same connection, once all are connected.
	ChurnPerSec float64 `json:"churn_per_sec"`
	// Sample is how many agents (the first ones) report each heartbeat they send.
	Sample int `json:"sample"`
}

// swarmEvent is one line the swarm writes to stdout.
type swarmEvent struct {
	Kind   string      `json:"kind"` // enrolled, connected, hb, stats, fatal
	Secs   float64     `json:"secs,omitempty"`
	Sample []string    `json:"sample,omitempty"` // enrolled: ids of the agents whose heartbeats are reported
	Agent  string      `json:"agent,omitempty"`  // hb
	At     int64       `json:"at,omitempty"`     // hb: send time, Unix nanoseconds
	Stats  *swarmStats `json:"stats,omitempty"`
	Err    string      `json:"err,omitempty"`
}

// swarmStats is what the swarm measured, sent when told to stop.
type swarmStats struct {
	Connected int `json:"connected"`
	// Dial is TCP connect plus TLS handshake until the connection is READY (first connections).
	Dial []time.Duration `json:"dial"`
	// Welcome is Hello sent to Welcome received on each agent's first stream.
	Welcome []time.Duration `json:"welcome"`
	// Reconnect is Hello to Welcome on later streams (churn, and retries after failures).
	Reconnect []time.Duration `json:"reconnect"`
	// Failures counts streams that ended without the swarm asking.
	Failures   int64   `json:"failures"`
	FirstError string  `json:"first_error,omitempty"`
	Heartbeats int64   `json:"heartbeats"`
	HeapMiB    float64 `json:"heap_mib"`
}

// swarmAgent is one simulated agent with its own connection.
type swarmAgent struct {
	id       *simagent.Identity
	sim      *simagent.Agent
	welcomed atomic.Bool
	churned  atomic.Bool
	mu       sync.Mutex
	cancel   context.CancelFunc // of the current stream
}

func (a *swarmAgent) drop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel != nil {
		a.churned.Store(true)
		a.cancel()
	}
}

type swarm struct {
	cfg       swarmConfig
	emit      func(swarmEvent)
	dial      latencies
	welcome   latencies
	reconnect latencies
	connected atomic.Int64
	hbs       atomic.Int64
	failures  atomic.Int64
	firstErr  atomic.Value
}

// runSwarm is the child process: it enrolls one agent per token, connects them when told, keeps
// them checking in, and reports what it measured.
func runSwarm(in io.Reader, out io.Writer) int {
	rd := bufio.NewReader(in)
	var encMu sync.Mutex
	enc := json.NewEncoder(out)
	emit := func(ev swarmEvent) {
		encMu.Lock()
		defer encMu.Unlock()
		_ = enc.Encode(ev)
	}
	fail := func(err error) int {
		emit(swarmEvent{Kind: "fatal", Err: err.Error()})
		return 1
	}
	line, err := rd.ReadBytes('\n')
	if err != nil {
		return fail(fmt.Errorf("swarm: reading config: %w", err))
	}
	var cfg swarmConfig
	if err := json.Unmarshal(line, &cfg); err != nil {
		return fail(fmt.Errorf("swarm: config: %w", err))
	}
	// The swarm holds 10,000 client connections (most of a GiB of heap): collecting less often
	// keeps its garbage collector from competing with the server for the machine's cores.
	debug.SetGCPercent(400)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	start := time.Now()
	ids, err := enrollAll(ctx, cfg.Addr, cfg.Tokens, max(cfg.EnrollConc, 1), "swarm")
	if err != nil {
		return fail(err)
	}
	sample := make([]string, 0, cfg.Sample)
	for _, id := range ids[:min(cfg.Sample, len(ids))] {
		sample = append(sample, id.AgentID)
	}
	emit(swarmEvent{Kind: "enrolled", Secs: time.Since(start).Seconds(), Sample: sample})
	if cmd := readCommand(rd); cmd != "connect" {
		return fail(fmt.Errorf("swarm: want command connect, got %q", cmd))
	}

	s := &swarm{cfg: cfg, emit: emit}
	agents := make([]*swarmAgent, len(ids))
	var wg sync.WaitGroup
	start = time.Now()
	for i, id := range ids {
		a := &swarmAgent{id: id}
		a.sim = simagent.New(id.AgentID, s.options(a, i < cfg.Sample))
		agents[i] = a
		if wait := time.Until(start.Add(cfg.Ramp * time.Duration(i) / time.Duration(len(ids)))); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.keep(ctx, a)
		}()
	}
	// All connected, or as many as will be: failed first streams are retried by keep.
	deadline := time.Now().Add(2 * time.Minute)
	for s.connected.Load() < int64(len(ids)) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	emit(swarmEvent{Kind: "connected", Secs: time.Since(start).Seconds()})

	churnDone := make(chan struct{})
	go func() {
		defer close(churnDone)
		s.churn(ctx, agents)
	}()
	cmd := readCommand(rd)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	st := &swarmStats{Connected: int(s.connected.Load()), Dial: s.dial.sorted(), Welcome: s.welcome.sorted(),
		Reconnect: s.reconnect.sorted(), Failures: s.failures.Load(), Heartbeats: s.hbs.Load(), HeapMiB: float64(m.HeapInuse) / (1 << 20)}
	if e, ok := s.firstErr.Load().(string); ok {
		st.FirstError = e
	}
	emit(swarmEvent{Kind: "stats", Stats: st})
	stop()
	<-churnDone
	wg.Wait()
	if cmd != "stop" && cmd != "" {
		return fail(fmt.Errorf("swarm: want command stop, got %q", cmd))
	}
	return 0
}

// readCommand returns the next command line, or "" at the end of input (the benchmark went away).
func readCommand(rd *bufio.Reader) string {
	line, _ := rd.ReadString('\n')
	return strings.TrimSpace(line)
}

// options shapes a swarm agent: a modest host; sampled agents report their heartbeats.
func (s *swarm) options(a *swarmAgent, sampled bool) simagent.Options {
	o := simagent.Options{Cores: 16, MemoryMB: 64 << 10, Images: []string{"registry.example.com:5000/desktop:1.4"},
		OnWelcome: func(d time.Duration) {
			if a.welcomed.Swap(true) {
				s.reconnect.add(d)
				return
			}
			s.welcome.add(d)
			s.connected.Add(1)
		},
		OnHeartbeat: func(uint64, time.Time) { s.hbs.Add(1) },
	}
	if sampled {
		o.OnHeartbeat = func(_ uint64, sent time.Time) {
			s.hbs.Add(1)
			s.emit(swarmEvent{Kind: "hb", Agent: a.id.AgentID, At: sent.UnixNano()})
		}
	}
	return o
}

// keep connects a and keeps one check-in stream open until ctx ends, opening a new stream
// whenever the old one is dropped (churn) or fails (after a second).
func (s *swarm) keep(ctx context.Context, a *swarmAgent) {
	// Small client buffers: the swarm's footprint is not what is measured, but 10,000 default
	// connections would take gigabytes.
	conn, err := a.id.Dial(s.cfg.Addr, grpc.WithReadBufferSize(8<<10), grpc.WithWriteBufferSize(8<<10),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		s.failed(err)
		return
	}
	defer conn.Close()
	t0 := time.Now()
	conn.Connect()
	for st := conn.GetState(); st != connectivity.Ready; st = conn.GetState() {
		if !conn.WaitForStateChange(ctx, st) {
			return
		}
	}
	s.dial.add(time.Since(t0))
	for ctx.Err() == nil {
		sctx, cancel := context.WithCancel(ctx)
		a.mu.Lock()
		a.cancel = cancel
		a.mu.Unlock()
		err := a.sim.Run(sctx, conn)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if a.churned.Swap(false) {
			continue
		}
		s.failed(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *swarm) failed(err error) {
	if err == nil {
		err = errors.New("stream ended")
	}
	s.failures.Add(1)
	s.firstErr.CompareAndSwap(nil, err.Error())
}

// churn drops random agents' streams at cfg.ChurnPerSec until ctx ends; each reopens at once.
func (s *swarm) churn(ctx context.Context, agents []*swarmAgent) {
	if s.cfg.ChurnPerSec <= 0 || len(agents) == 0 {
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / s.cfg.ChurnPerSec))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if a := agents[rand.IntN(len(agents))]; a.welcomed.Load() {
				a.drop()
			}
		}
	}
}

// swarmProc is the benchmark's handle on the swarm child process.
type swarmProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan swarmEvent
}

// startSwarm starts the swarm child; onHeartbeat gets the sampled agents' heartbeats.
func startSwarm(b *testing.B, cfg swarmConfig, onHeartbeat func(agent string, sent time.Time)) *swarmProc {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), swarmEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the swarm process: %v", err)
	}
	p := &swarmProc{cmd: cmd, stdin: stdin, events: make(chan swarmEvent, 16)}
	exited := make(chan struct{})
	b.Cleanup(func() {
		_ = stdin.Close() // the swarm stops at the end of its input
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	go func() {
		defer close(exited)
		defer close(p.events)
		dec := json.NewDecoder(bufio.NewReaderSize(stdout, 1<<20))
		for {
			var ev swarmEvent
			if err := dec.Decode(&ev); err != nil {
				_ = cmd.Wait()
				return
			}
			if ev.Kind == "hb" {
				onHeartbeat(ev.Agent, time.Unix(0, ev.At))
				continue
			}
			p.events <- ev
		}
	}()
	line, err := json.Marshal(cfg)
	if err != nil {
		b.Fatal(err)
	}
	p.send(b, string(line))
	return p
}

func (p *swarmProc) send(b *testing.B, line string) {
	b.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		b.Fatalf("swarm: %v", err)
	}
}

// wait returns the swarm's next event, which must be of kind.
func (p *swarmProc) wait(b *testing.B, kind string, timeout time.Duration) swarmEvent {
	b.Helper()
	select {
	case ev, ok := <-p.events:
		switch {
		case !ok:
			b.Fatalf("swarm: exited while waiting for %q", kind)
		case ev.Kind == "fatal":
			b.Fatalf("swarm: %s", ev.Err)
		case ev.Kind != kind:
			b.Fatalf("swarm: got %q while waiting for %q", ev.Kind, kind)
		}
		return ev
	case <-time.After(timeout):
		b.Fatalf("swarm: no %q within %s", kind, timeout)
	}
	return swarmEvent{}
}
