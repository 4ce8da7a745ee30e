package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

// result is one measured load: how many requests, how long, and their latencies.
type result struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration // sorted
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*p+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r result) report(b *testing.B, unit string) {
	b.ReportMetric(r.rps(), unit+"/s")
	b.ReportMetric(ms(r.pct(0.50)), "p50-ms")
	b.ReportMetric(ms(r.pct(0.99)), "p99-ms")
}

// drive makes n calls of do from conc goroutines and times each. do gets the worker's index
// (to pick its connection) and returns an error for a failed call, which fails the benchmark.
func drive(b *testing.B, conc, n int, do func(worker int) error) result {
	b.Helper()
	var next atomic.Int64
	var firstErr atomic.Value
	lats := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < conc; w++ {
		lats[w] = make([]time.Duration, 0, n/conc+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := do(w); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lats[w] = append(lats[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := firstErr.Load().(error); err != nil {
		b.Fatalf("call failed under load: %v", err)
	}
	all := slices.Concat(lats...)
	slices.Sort(all)
	return result{n: n, elapsed: elapsed, lat: all}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// client is how the load reaches one server: gRPC connections and a keep-alive HTTP client
// that may hold a connection per worker.
type client struct {
	e      *apptest.Env
	key    string // API key secret
	conns  []*grpc.ClientConn
	http   *http.Client
	conc   int
	bearer string
}

func newClient(b *testing.B, e *apptest.Env, conc, nconns int) *client {
	b.Helper()
	k, err := pb.NewApiKeyServiceClient(e.Conn).CreateApiKey(e.Admin(context.Background()), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "bench"}})
	if err != nil {
		b.Fatal(err)
	}
	c := &client{e: e, key: k.GetSecret(), conc: conc, bearer: "Bearer " + k.GetSecret()}
	for i := 0; i < nconns; i++ {
		conn, err := grpc.NewClient(e.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		c.conns = append(c.conns, conn)
	}
	tr := &http.Transport{MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2, IdleConnTimeout: time.Minute, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	c.http = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	return c
}

func (c *client) ctx() context.Context { return apptest.As(context.Background(), c.key) }

// get sends a GET through the REST gateway and drains the body so the connection is reused.
func (c *client) get(path string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, c.e.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", c.bearer)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body, nil
}
