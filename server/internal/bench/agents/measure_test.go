package agents

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/simagent"
)

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.d)
	slices.Sort(out)
	return out
}

// pct is the nearest-rank percentile p (0..1) of sorted durations; 0 when there are none.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil && v >= 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchtime is -test.benchtime when it is a duration (make bench passes 3s), else def.
func benchtime(def time.Duration) time.Duration {
	if f := flag.Lookup("test.benchtime"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// serverMemory is what the Go runtime of this process holds for live data (heap spans in use)
// and goroutine stacks after a full collection: the measure of the server's own footprint. Two
// collections let sync.Pool caches (kept for one cycle) drain.
type serverMemory struct {
	heap, stack uint64
	live        uint64 // heap objects alone, without the free room in their spans
	goroutines  int
}

func readServerMemory() serverMemory {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return serverMemory{heap: m.HeapInuse, stack: m.StackInuse, live: m.HeapAlloc, goroutines: runtime.NumGoroutine()}
}

func (m serverMemory) total() uint64 { return m.heap + m.stack }

// rss is this process's resident set in bytes (0 when /proc is unavailable). It includes
// memory the runtime freed but has not returned to the OS, so it is reported, not judged.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// mintTokens creates n enrollment tokens through the API, conc at a time.
func mintTokens(b *testing.B, e *apptest.Env, n, conc int) []string {
	b.Helper()
	client := pb.NewAgentServiceClient(e.Conn)
	ctx := e.Admin(context.Background())
	tokens := make([]string, n)
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += conc {
				r, err := client.CreateEnrollmentToken(ctx, &pb.CreateEnrollmentTokenRequest{TtlSeconds: 7200})
				if err != nil {
					errs <- fmt.Errorf("enrollment token %d: %w", i, err)
					return
				}
				tokens[i] = r.GetToken()
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return tokens
}

// enrollAll enrolls one simulated agent per token, conc at a time; the hostnames are
// prefix-<index>.
func enrollAll(ctx context.Context, addr string, tokens []string, conc int, prefix string) ([]*simagent.Identity, error) {
	ids := make([]*simagent.Identity, len(tokens))
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(tokens); i += conc {
				id, err := simagent.Enroll(ctx, addr, tokens[i], fmt.Sprintf("%s-%d", prefix, i))
				if err != nil {
					errs <- fmt.Errorf("enroll agent %d: %w", i, err)
					return
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	close(errs)
	return ids, <-errs
}

// countAgents counts agents in state through ListAgents, page by page.
func countAgents(ctx context.Context, client pb.AgentServiceClient, state pb.AgentState) (int, error) {
	n, token := 0, ""
	for {
		r, err := client.ListAgents(ctx, &pb.ListAgentsRequest{PageSize: 1000, PageToken: token, State: state})
		if err != nil {
			return n, err
		}
		n += len(r.GetAgents())
		if token = r.GetNextPageToken(); token == "" {
			return n, nil
		}
	}
}
