package systest

import (
	"context"
	"testing"
	"time"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// agentd killed with SIGKILL leaves its session containers running; the session shows as
// unreachable while the agent is away and running again once a restarted agentd (same state
// directory) reconnects and reports, on the very same container.
func TestAgentKilledSessionsSurvive(t *testing.T) {
	t.Parallel()
	// A short lease, so the server notices the agent is gone within seconds.
	e := newEnv(t, timings{HeartbeatInterval: time.Second, LeaseTTL: 4 * time.Second, LoopInterval: 200 * time.Millisecond})
	a := e.startAgent("a")
	ws := e.createWorkspace(containerWorkspace("desk", 0.5, 128))
	s := e.launch(ws.GetId())
	before := e.inspectSession(s.GetId())

	w := e.watch(e.admin(), s.GetId())
	w.until(pb.SessionState_SESSION_STATE_RUNNING, 5*time.Second)

	a.proc.kill9(t)
	// Docker, not agentd, runs the container: it goes on.
	time.Sleep(500 * time.Millisecond)
	mid, err := e.docker.ContainerInspect(context.Background(), before.ID)
	if err != nil {
		t.Fatalf("inspect the session's container after agentd died: %v", err)
	}
	if !mid.State.Running {
		t.Fatalf("container is %s after agentd was killed, want running", mid.State.Status)
	}

	// The agent stops renewing its lease: the server marks the session unreachable, never
	// ends it for that.
	unreachable := w.until(pb.SessionState_SESSION_STATE_UNREACHABLE, 20*time.Second)
	if unreachable.GetAgentId() != a.id {
		t.Errorf("unreachable session is on agent %q, want %s", unreachable.GetAgentId(), a.id)
	}
	if st := e.getAgent(a.id).GetState(); st != pb.AgentState_AGENT_STATE_UNREACHABLE {
		t.Errorf("agent is %s while agentd is dead, want UNREACHABLE", st)
	}

	e.restartAgent(a)
	back := w.until(pb.SessionState_SESSION_STATE_RUNNING, 30*time.Second)
	e.waitAgentOnline(a)
	if back.GetAgentId() != a.id || back.GetEndTime() != nil {
		t.Errorf("session after the agent came back: agent %q, end time %v", back.GetAgentId(), back.GetEndTime())
	}
	if got := e.getSession(s.GetId()); got.GetState() != pb.SessionState_SESSION_STATE_RUNNING {
		t.Errorf("GetSession says %s (%q), want RUNNING", got.GetState(), got.GetStateReason())
	}

	// Same container, never restarted, and no second one.
	after := e.inspectSession(s.GetId())
	if after.ID != before.ID {
		t.Errorf("session's container changed from %s to %s", before.ID[:12], after.ID[:12])
	}
	if !after.State.Running || after.State.StartedAt != before.State.StartedAt || after.RestartCount != 0 {
		t.Errorf("container running=%v started %s (was %s), restarts %d: want it untouched",
			after.State.Running, after.State.StartedAt, before.State.StartedAt, after.RestartCount)
	}

	// The agent still serves the session: destroying it works end to end.
	if _, err := e.sessions.DeleteSession(e.admin(), &pb.DeleteSessionRequest{Id: s.GetId()}); err != nil {
		t.Fatalf("delete session: %v", err)
	}
	w.until(pb.SessionState_SESSION_STATE_STOPPED, 30*time.Second)
	if cs := e.sessionContainers(s.GetId()); len(cs) != 0 {
		t.Errorf("container still there after the session stopped: %v", cs)
	}
}
