package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

func TestAgentAdministration(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	east, west := a.createZone(t, "east"), a.createZone(t, "west")
	e1 := a.insertAgent(t, "east-1", east.GetId())
	e2 := a.insertAgent(t, "east-2", east.GetId())
	w1 := a.insertAgent(t, "west-1", west.GetId())

	hosts := func(req *pb.ListAgentsRequest) []string {
		t.Helper()
		l, err := a.agents.ListAgents(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ag := range l.GetAgents() {
			out = append(out, ag.GetHostname())
		}
		return out
	}
	if got := hosts(&pb.ListAgentsRequest{}); !slices.Equal(got, []string{"east-1", "east-2", "west-1"}) {
		t.Fatalf("all agents: %v", got)
	}
	if got := hosts(&pb.ListAgentsRequest{ZoneId: east.GetId()}); !slices.Equal(got, []string{"east-1", "east-2"}) {
		t.Fatalf("east agents: %v", got)
	}
	if got := hosts(&pb.ListAgentsRequest{ZoneId: west.GetId()}); !slices.Equal(got, []string{"west-1"}) {
		t.Fatalf("west agents: %v", got)
	}
	if got := hosts(&pb.ListAgentsRequest{ZoneId: uuid.NewString()}); len(got) != 0 {
		t.Fatalf("agents of an unknown zone: %v", got)
	}
	if got := hosts(&pb.ListAgentsRequest{State: pb.AgentState_AGENT_STATE_LOST}); len(got) != 0 {
		t.Fatalf("lost agents: %v", got)
	}
	if got := hosts(&pb.ListAgentsRequest{State: pb.AgentState_AGENT_STATE_ONLINE, ZoneId: west.GetId()}); !slices.Equal(got, []string{"west-1"}) {
		t.Fatalf("online west agents: %v", got)
	}
	code, body := a.REST(t, http.MethodGet, "/v1/agents?zoneId="+west.GetId(), a.AdminToken, "")
	if code != http.StatusOK || !strings.Contains(body, "west-1") || strings.Contains(body, "east-1") {
		t.Fatalf("REST agents of west: %d %s", code, body)
	}

	got, err := a.agents.GetAgent(ctx, &pb.GetAgentRequest{Id: e1})
	if err != nil {
		t.Fatal(err)
	}
	ag := got.GetAgent()
	if ag.GetHostname() != "east-1" || ag.GetZoneId() != east.GetId() || !ag.GetEnabled() || ag.GetState() != pb.AgentState_AGENT_STATE_ONLINE ||
		ag.GetReported().GetCores() != 8 || ag.GetReported().GetMemoryMb() != 16384 || ag.GetOverrides().GetCores() != 0 {
		t.Fatalf("agent: %v", ag)
	}

	// Drain: disable without touching anything else.
	up, err := a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: e1, Enabled: false, ZoneId: west.GetId()}, UpdateMask: mask("enabled")})
	if err != nil {
		t.Fatal(err)
	}
	if u := up.GetAgent(); u.GetEnabled() || u.GetZoneId() != east.GetId() || u.GetReported().GetCores() != 8 || u.GetHostname() != "east-1" {
		t.Fatalf("after drain: %v", u)
	}
	if got, _ := a.agents.GetAgent(ctx, &pb.GetAgentRequest{Id: e1}); got.GetAgent().GetEnabled() {
		t.Fatal("drain did not stick")
	}

	// Overrides: one at a time, the reported values untouched.
	up, err = a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: e2, Overrides: &pb.Capacity{Cores: 4, MemoryMb: 1}}, UpdateMask: mask("overrides.cores")})
	if err != nil {
		t.Fatal(err)
	}
	if u := up.GetAgent(); u.GetOverrides().GetCores() != 4 || u.GetOverrides().GetMemoryMb() != 0 || u.GetReported().GetCores() != 8 || !u.GetEnabled() {
		t.Fatalf("after overrides.cores: %v", u)
	}
	code, body = a.REST(t, http.MethodPatch, "/v1/agents/"+e2, a.AdminToken, `{"overrides":{"memoryMb":"8192"}}`)
	if code != http.StatusOK {
		t.Fatalf("REST override: %d %s", code, body)
	}
	got, _ = a.agents.GetAgent(ctx, &pb.GetAgentRequest{Id: e2})
	if o := got.GetAgent().GetOverrides(); o.GetMemoryMb() != 8192 || o.GetCores() != 4 {
		t.Fatalf("after REST memory override: %v (the cores override must stay)", o)
	}
	if r := got.GetAgent().GetReported(); r.GetCores() != 8 || r.GetMemoryMb() != 16384 {
		t.Fatalf("reported capacity changed by overrides: %v", r)
	}

	// What the agent reports is not the administrator's to change.
	for _, p := range []string{"reported.cores", "hostname", "state", "used"} {
		_, err = a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: e2, Reported: &pb.Capacity{Cores: 64}, Hostname: "x"}, UpdateMask: mask(p)})
		wantInvalid(t, err, "update_mask", p)
	}
	_, err = a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: e2, ZoneId: uuid.NewString()}, UpdateMask: mask("zone_id")})
	wantInvalid(t, err, "agent.zone_id")
	_, err = a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: uuid.NewString()}, UpdateMask: mask("enabled")})
	wantCode(t, err, codes.NotFound)

	// Moving an agent moves it between the zone filters; a zone with agents cannot be deleted.
	if _, err := a.agents.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: &pb.Agent{Id: w1, ZoneId: east.GetId()}, UpdateMask: mask("zone_id")}); err != nil {
		t.Fatal(err)
	}
	if got := hosts(&pb.ListAgentsRequest{ZoneId: east.GetId()}); !slices.Equal(got, []string{"east-1", "east-2", "west-1"}) {
		t.Fatalf("east after the move: %v", got)
	}
	_, err = a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: east.GetId()})
	wantCode(t, err, codes.FailedPrecondition)
	if _, err := a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: west.GetId()}); err != nil {
		t.Fatalf("delete of the now empty zone: %v", err)
	}

	// Delete; an agent still running sessions needs force.
	if _, err := a.agents.DeleteAgent(ctx, &pb.DeleteAgentRequest{Id: e1}); err != nil {
		t.Fatal(err)
	}
	_, err = a.agents.GetAgent(ctx, &pb.GetAgentRequest{Id: e1})
	wantCode(t, err, codes.NotFound)
	if _, err := a.App.Store.Pool().Exec(t.Context(), `UPDATE agents SET session_count = 2 WHERE id = $1`, e2); err != nil {
		t.Fatal(err)
	}
	_, err = a.agents.DeleteAgent(ctx, &pb.DeleteAgentRequest{Id: e2})
	wantCode(t, err, codes.FailedPrecondition)
	if _, err := a.agents.GetAgent(ctx, &pb.GetAgentRequest{Id: e2}); err != nil {
		t.Fatalf("agent gone after a refused delete: %v", err)
	}
	if _, err := a.agents.DeleteAgent(ctx, &pb.DeleteAgentRequest{Id: e2, Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := hosts(&pb.ListAgentsRequest{}); !slices.Equal(got, []string{"west-1"}) {
		t.Fatalf("agents after deletes: %v", got)
	}
}
