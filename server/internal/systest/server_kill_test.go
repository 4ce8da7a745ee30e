package systest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// The server killed with SIGKILL while 20 launches are in flight, then started again on the
// same database: every launch that was acknowledged runs, a retry with the same request_id
// finds the session whose reply was lost, no container is left without a live session, and
// the agent is not over the capacity an administrator gave it.
func TestServerKilledDuringLaunches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, timings{LoopInterval: 200 * time.Millisecond})
	a := e.startAgent("a")
	// Four cores for 1-core sessions: capacity binds, and most of the 20 launches are refused.
	const capCores, launches = 4, 20
	ag := e.updateAgent(&pb.Agent{Id: a.id, Overrides: &pb.Capacity{Cores: capCores}}, "overrides.cores")
	if ag.GetOverrides().GetCores() != capCores {
		t.Fatalf("override not applied: %v", ag.GetOverrides())
	}
	ws := e.createWorkspace(containerWorkspace("crash", 1, 64))

	type outcome struct {
		id  string
		err error
	}
	requestID := func(i int) string { return fmt.Sprintf("systest-crash-%02d", i) }
	first := make([]outcome, launches)
	acked := make(chan struct{})
	var ackOnce sync.Once
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range launches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(e.admin(), 20*time.Second)
			defer cancel()
			r, err := e.sessions.CreateSession(ctx, &pb.CreateSessionRequest{WorkspaceId: ws.GetId(), RequestId: requestID(i)})
			first[i] = outcome{id: r.GetSession().GetId(), err: err}
			if err == nil {
				ackOnce.Do(func() { close(acked) })
			}
		}()
	}
	// All at once: they queue on the agent's row, so the kill after the first answer finds
	// most of them sent and unanswered, some committed with their reply lost.
	close(start)
	select {
	case <-acked:
	case <-time.After(20 * time.Second):
		t.Fatal("no launch was acknowledged")
	}
	e.killServer()
	killed := time.Now()
	wg.Wait()

	acknowledged := map[string]string{} // session id → request id
	var unknown []int
	exhausted := 0
	for i, o := range first {
		switch status.Code(o.err) {
		case codes.OK:
			acknowledged[o.id] = requestID(i)
		case codes.ResourceExhausted:
			exhausted++
		default:
			unknown = append(unknown, i) // reply lost, or never sent: its fate is unknown
		}
	}
	t.Logf("before the kill: %d acknowledged, %d refused for capacity, %d unanswered", len(acknowledged), exhausted, len(unknown))

	e.startServer()

	// Clients retry what went unanswered with the same request_id: a launch that committed
	// before the crash answers with its session, one that did not is made now.
	lostReplies := 0
	for _, i := range unknown {
		var r *pb.CreateSessionResponse
		var err error
		eventually(t, 20*time.Second, "retry "+requestID(i), func() error {
			ctx, cancel := context.WithTimeout(e.admin(), 10*time.Second)
			defer cancel()
			r, err = e.sessions.CreateSession(ctx, &pb.CreateSessionRequest{WorkspaceId: ws.GetId(), RequestId: requestID(i)})
			switch status.Code(err) {
			case codes.OK, codes.ResourceExhausted:
				return nil
			}
			return err
		})
		if err != nil {
			exhausted++
			continue
		}
		if r.GetSession().GetCreateTime().AsTime().Before(killed) {
			lostReplies++
		}
		if prev, dup := acknowledged[r.GetSession().GetId()]; dup {
			t.Errorf("retry of %s answered with session %s, already the answer to %s", requestID(i), r.GetSession().GetId(), prev)
		}
		acknowledged[r.GetSession().GetId()] = requestID(i)
	}
	t.Logf("retries: %d found the session made before the kill", lostReplies)
	// A retry of an acknowledged launch must answer with the same session, after the crash too.
	for id, rid := range acknowledged {
		r, err := e.sessions.CreateSession(e.admin(), &pb.CreateSessionRequest{WorkspaceId: ws.GetId(), RequestId: rid})
		if err != nil || r.GetSession().GetId() != id {
			t.Errorf("retry of acknowledged %s: session %q, %v; want %s", rid, r.GetSession().GetId(), err, id)
		}
	}
	if exhausted == 0 {
		t.Errorf("no launch was refused with RESOURCE_EXHAUSTED: the %d-core override did not bind", capCores)
	}

	eventually(t, 30*time.Second, "agentd checked in with the restarted server", func() error {
		if n := a.checkIns(); n < 2 {
			return fmt.Errorf("agentd checked in %d times", n)
		}
		return nil
	})
	// Reconcile: the agent reconnects, gets what was queued, resends results the dead server
	// never recorded. Nothing may stay STARTING.
	var all []*pb.Session
	eventually(t, 30*time.Second, "no session STARTING", func() error {
		var err error
		if all, err = e.listSessions(ws.GetId()); err != nil {
			return err
		}
		for _, s := range all {
			if s.GetState() == pb.SessionState_SESSION_STATE_STARTING {
				return fmt.Errorf("session %s still STARTING (%q)", s.GetId(), s.GetStateReason())
			}
		}
		return nil
	})

	// No acknowledged session lost, and no session the clients never heard of.
	running := map[string]bool{}
	failed := 0
	for _, s := range all {
		if _, ok := acknowledged[s.GetId()]; !ok {
			t.Errorf("session %s (%s) exists but no CreateSession answered with it", s.GetId(), s.GetState())
		}
		switch st := s.GetState(); {
		case st == pb.SessionState_SESSION_STATE_RUNNING:
			running[s.GetId()] = true
		case st == pb.SessionState_SESSION_STATE_FAILED && s.GetStateReason() != "":
			failed++
			t.Logf("session %s failed: %s", s.GetId(), s.GetStateReason())
		default:
			t.Errorf("acknowledged session %s is %s (%q), want RUNNING", s.GetId(), st, s.GetStateReason())
		}
	}
	for id := range acknowledged {
		if !containsSession(all, id) {
			t.Errorf("acknowledged session %s is missing from ListSessions", id)
		}
	}
	// Capacity: exactly full, never over. Every refusal found the agent full, and nothing
	// ended since, so the 4 cores are all used (less any failed launch's share).
	if len(running) > capCores {
		t.Errorf("%d sessions run on an agent with room for %d", len(running), capCores)
	}
	if failed == 0 && len(running) != capCores {
		t.Errorf("%d sessions run, want %d: refusals were not for lack of room", len(running), capCores)
	}
	ag = e.getAgent(a.id)
	used, cap := ag.GetUsed(), ag.GetOverrides().GetCores()
	if used.GetCores() > cap || used.GetMemoryMb() > ag.GetReported().GetMemoryMb() {
		t.Errorf("agent uses %v, over its capacity (%v cores, %d MiB)", used, cap, ag.GetReported().GetMemoryMb())
	}
	if used.GetCores() != float64(len(running)) || used.GetMemoryMb() != int64(64*len(running)) || int(ag.GetSessionCount()) != len(running) {
		t.Errorf("agent accounts %v in %d sessions, want %d cores, %d MiB, %d sessions",
			used, ag.GetSessionCount(), len(running), 64*len(running), len(running))
	}

	// No container leaked, none missing: once the agent has reported in, its containers are
	// exactly the running sessions', one each, all running.
	eventually(t, 20*time.Second, "agent's containers match its running sessions", func() error {
		cs, err := e.agentContainers(a.id)
		if err != nil {
			return err
		}
		var got, want []string
		for _, c := range cs {
			if c.State != "running" {
				return fmt.Errorf("container %s of session %s is %s", c.ID[:12], c.Labels["hotdesk.session_id"], c.State)
			}
			got = append(got, c.Labels["hotdesk.session_id"])
		}
		for id := range running {
			want = append(want, id)
		}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("containers are of sessions %v, running sessions are %v", got, want)
		}
		return nil
	})
	if got := e.getAgent(a.id).GetState(); got != pb.AgentState_AGENT_STATE_ONLINE {
		t.Errorf("agent is %s after the server restart, want ONLINE", got)
	}
}

func containsSession(list []*pb.Session, id string) bool {
	for _, s := range list {
		if s.GetId() == id {
			return true
		}
	}
	return false
}
