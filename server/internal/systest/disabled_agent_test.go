package systest

import (
	"context"
	"fmt"
	"testing"
	"time"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// Two agents share one Docker engine, each seeing only its own containers. Once an
// administrator disables one, new sessions all land on the other, and the disabled agent's
// sessions go on running.
func TestDisabledAgentGetsNoNewSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, timings{})
	a1, a2 := e.startAgent("a1"), e.startAgent("a2")
	ws := e.createWorkspace(containerWorkspace("desk", 0.25, 64))

	// Sessions spread evenly: two launches, one per agent.
	first := []*pb.Session{e.launch(ws.GetId()), e.launch(ws.GetId())}
	var onA1 *pb.Session
	for _, s := range first {
		if s.GetAgentId() == a1.id {
			onA1 = s
		}
	}
	if onA1 == nil || first[0].GetAgentId() == first[1].GetAgentId() {
		t.Fatalf("two launches on two empty agents went to %s and %s, want one each", first[0].GetAgentId(), first[1].GetAgentId())
	}
	a1Container := e.inspectSession(onA1.GetId())

	ag := e.updateAgent(&pb.Agent{Id: a1.id, Enabled: false}, "enabled")
	if ag.GetEnabled() {
		t.Fatal("agent still enabled after UpdateAgent enabled=false")
	}
	for i := range 4 {
		s := e.launch(ws.GetId())
		if s.GetAgentId() != a2.id {
			t.Errorf("launch %d after disabling a1 went to agent %s, want a2 (%s)", i, s.GetAgentId(), a2.id)
		}
	}

	// Each agent has reported after its last create (reports follow every create) and neither
	// touched the other's containers: a1 still runs its one session, a2 runs five.
	for _, c := range []struct {
		a    *agentProc
		want int
	}{{a1, 1}, {a2, 5}} {
		eventually(t, 10*time.Second, "containers of "+c.a.name, func() error {
			cs, err := e.agentContainers(c.a.id)
			if err != nil {
				return err
			}
			running := 0
			for _, x := range cs {
				if x.State == "running" {
					running++
				}
			}
			if running != c.want || len(cs) != c.want {
				return fmt.Errorf("%d containers, %d running; want %d running", len(cs), running, c.want)
			}
			return nil
		})
		if n := e.getAgent(c.a.id).GetSessionCount(); int(n) != c.want {
			t.Errorf("agent %s counts %d sessions, want %d", c.a.name, n, c.want)
		}
	}
	a1Agent := e.getAgent(a1.id)
	if a1Agent.GetState() != pb.AgentState_AGENT_STATE_ONLINE || a1Agent.GetEnabled() {
		t.Errorf("a1 is %s, enabled=%v; want ONLINE and disabled", a1Agent.GetState(), a1Agent.GetEnabled())
	}
	if s := e.getSession(onA1.GetId()); s.GetState() != pb.SessionState_SESSION_STATE_RUNNING || s.GetAgentId() != a1.id {
		t.Errorf("a1's session is %s on %s (%q), want RUNNING on a1", s.GetState(), s.GetAgentId(), s.GetStateReason())
	}
	now, err := e.docker.ContainerInspect(context.Background(), a1Container.ID)
	if err != nil {
		t.Errorf("a1's session container: %v", err)
	} else if !now.State.Running || now.State.StartedAt != a1Container.State.StartedAt {
		t.Errorf("a1's session container is %s, started %s (was %s): want it untouched", now.State.Status, now.State.StartedAt, a1Container.State.StartedAt)
	}
	// The disabled agent still carries out commands for its sessions.
	if _, err := e.sessions.DeleteSession(e.admin(), &pb.DeleteSessionRequest{Id: onA1.GetId()}); err != nil {
		t.Fatalf("delete a1's session: %v", err)
	}
	e.waitState(e.admin(), onA1.GetId(), pb.SessionState_SESSION_STATE_STOPPED, 30*time.Second)
	if cs := e.sessionContainers(onA1.GetId()); len(cs) != 0 {
		t.Errorf("a1's stopped session still has containers %v", cs)
	}
}
