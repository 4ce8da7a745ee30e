package api

import (
	"context"
	"time"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/store"
)

// AgentService implements hotdesk.v1.AgentService (administration; agents themselves talk to
// the ManagerService).
type AgentService struct {
	pb.UnimplementedAgentServiceServer
	d     Deps
	pages *pager
}

func capToPB(c model.Capacity) *pb.Capacity {
	return &pb.Capacity{Cores: c.Cores, MemoryMb: c.MemoryMB, Gpus: c.GPUs}
}

func agentToPB(a *model.Agent) *pb.Agent {
	return &pb.Agent{Id: a.ID, Hostname: a.Hostname, ZoneId: a.ZoneID, PoolId: a.PoolID, Enabled: a.Enabled,
		State: pb.AgentState(a.State), Version: a.Version, DockerVersion: a.DockerVersion, Reported: capToPB(a.Reported),
		Overrides: capToPB(a.Overrides), Used: capToPB(a.Used), Networks: a.Networks, SessionCount: int32(a.SessionCount),
		LastCheckinTime: tsp(a.LastCheckinTime), CreateTime: ts(a.CreateTime), UpdateTime: ts(a.UpdateTime)}
}

func (s *AgentService) ListAgents(ctx context.Context, req *pb.ListAgentsRequest) (*pb.ListAgentsResponse, error) {
	f := store.AgentFilter{ZoneID: req.GetZoneId(), State: int(req.GetState())}
	agents, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "agents|"+f.ZoneID+"|"+req.GetState().String(),
		func(p model.Page) ([]*model.Agent, bool, error) { return s.d.Store.ListAgents(ctx, p, f) },
		agentToPB, func(a *model.Agent) string { return a.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListAgentsResponse{Agents: agents, NextPageToken: next}, nil
}

func (s *AgentService) GetAgent(ctx context.Context, req *pb.GetAgentRequest) (*pb.GetAgentResponse, error) {
	a, err := s.d.Store.GetAgent(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.GetAgentResponse{Agent: agentToPB(a)}, nil
}

func (s *AgentService) UpdateAgent(ctx context.Context, req *pb.UpdateAgentRequest) (*pb.UpdateAgentResponse, error) {
	id := req.GetAgent().GetId()
	if id == "" {
		return nil, model.Invalid("agent.id", "is required")
	}
	a, err := s.d.Store.UpdateAgent(ctx, id, func(cur *model.Agent) error {
		merged := agentToPB(cur)
		if err := applyMask(merged, req.GetAgent(), req.GetUpdateMask().GetPaths(), "agent"); err != nil {
			return err
		}
		cur.Enabled, cur.ZoneID, cur.PoolID = merged.GetEnabled(), merged.GetZoneId(), merged.GetPoolId()
		o := merged.GetOverrides()
		cur.Overrides = model.Capacity{Cores: o.GetCores(), MemoryMB: o.GetMemoryMb(), GPUs: o.GetGpus()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &pb.UpdateAgentResponse{Agent: agentToPB(a)}, nil
}

func (s *AgentService) DeleteAgent(ctx context.Context, req *pb.DeleteAgentRequest) (*pb.DeleteAgentResponse, error) {
	return &pb.DeleteAgentResponse{}, s.d.Store.DeleteAgent(ctx, req.GetId(), req.GetForce())
}

func (s *AgentService) CreateEnrollmentToken(ctx context.Context, req *pb.CreateEnrollmentTokenRequest) (*pb.CreateEnrollmentTokenResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	// EnrollmentRole and hotdesk.agent.v1.AgentRole share their numbers; 0 means an agent.
	token, expire, err := s.d.Tokens.CreateEnrollmentToken(ctx, req.GetZoneId(), int(req.GetRole()),
		time.Duration(req.GetTtlSeconds())*time.Second, p.UserID)
	if err != nil {
		return nil, err
	}
	resp := &pb.CreateEnrollmentTokenResponse{Token: token, ExpireTime: ts(expire)}
	if s.d.AgentAddress != nil {
		resp.AgentAddress = s.d.AgentAddress()
	}
	return resp, nil
}
