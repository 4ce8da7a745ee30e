package runtime

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/google/uuid"
)

// BenchmarkCreateStart checks the target: the agent's create+start of a session
// container is at most 1.3× raw Docker create+start of the same image with an equivalent
// configuration, both measured in this run, alternating so drift hits both alike. Removal
// happens outside the timed part.
func BenchmarkCreateStart(b *testing.B) {
	d := newTestDocker(b)
	ctx := context.Background()
	// Warm both paths (API version negotiation, image metadata caches).
	warm := createCmd(uuid.NewString())
	if _, err := d.CreateSession(ctx, warm); err != nil {
		b.Fatal(err)
	}

	var raw, agent time.Duration
	var toRemove []string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// (a) raw SDK: the same config BuildConfig yields, under a name of its own.
		cmd := createCmd(uuid.NewString())
		cfg, hc, err := BuildConfig(cmd, d.agentID)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		resp, err := d.cli.ContainerCreate(ctx, cfg, hc, nil, nil, "hotdesk-bench-raw-"+cmd.GetSessionId())
		if err != nil {
			b.Fatal(err)
		}
		if err := d.cli.ContainerStart(ctx, resp.ID, container.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		raw += time.Since(start)
		toRemove = append(toRemove, resp.ID)

		// (b) the agent's CreateSession.
		cmd = createCmd(uuid.NewString())
		start = time.Now()
		got, err := d.CreateSession(ctx, cmd)
		if err != nil {
			b.Fatal(err)
		}
		agent += time.Since(start)
		toRemove = append(toRemove, got.ContainerID)

		if len(toRemove) >= 20 {
			b.StopTimer()
			removeAll(d, toRemove)
			toRemove = toRemove[:0]
			b.StartTimer()
		}
	}
	b.StopTimer()
	removeAll(d, toRemove)
	ratio := float64(agent) / float64(raw)
	b.ReportMetric(float64(raw.Microseconds())/float64(b.N)/1000, "raw-ms/op")
	b.ReportMetric(float64(agent.Microseconds())/float64(b.N)/1000, "agent-ms/op")
	b.ReportMetric(ratio, "agent/raw")
	fmt.Printf("BenchmarkCreateStart N=%d raw=%.1fms agent=%.1fms agent/raw = %.2f (goal <= 1.30)\n",
		b.N, float64(raw.Microseconds())/float64(b.N)/1000, float64(agent.Microseconds())/float64(b.N)/1000, ratio)
}

func removeAll(d *Docker, ids []string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, id := range ids {
		_ = d.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	}
}
