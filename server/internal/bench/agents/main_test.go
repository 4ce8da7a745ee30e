// Package agents measures the agent side of the server under load, against the goals:
// 10,000 simulated agents on one server process (memory per agent, check-in latency) and
// session placement (CreateSession throughput and latency, no oversubscription). Agents are
// simagent instances speaking the real protocol: gRPC with mutual TLS over loopback, real
// Postgres behind the server. Run with `make bench`, or alone:
//
//	go test -run '^$' -bench . -benchtime 3s ./server/internal/bench/agents/
//
// The 10,000 agents run in a child process (this test binary started again with
// HOTDESK_BENCH_SWARM set), so that the benchmark process holds only the server and its
// memory can be measured without the agents' side.
package agents

import (
	"os"
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(swarmEnv) != "" {
		os.Exit(runSwarm(os.Stdin, os.Stdout))
	}
	pgtest.Main(m)
}
