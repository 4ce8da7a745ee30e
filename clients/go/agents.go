package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// AgentsClient administers agents (administrators only).
type AgentsClient struct{ pb.AgentServiceClient }

// Get returns one agent.
func (c *AgentsClient) Get(ctx context.Context, id string) (*pb.Agent, error) {
	r, err := c.GetAgent(ctx, &pb.GetAgentRequest{Id: id})
	return r.GetAgent(), err
}

// List iterates over agents; req (may be nil) filters by zone or state.
func (c *AgentsClient) List(ctx context.Context, req *pb.ListAgentsRequest) iter.Seq2[*pb.Agent, error] {
	req = cloneOr(req, func() *pb.ListAgentsRequest { return &pb.ListAgentsRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.Agent, string, error) {
		req.PageToken = tok
		r, err := c.ListAgents(ctx, req)
		return r.GetAgents(), r.GetNextPageToken(), err
	})
}

// Update changes the fields of a named by paths: enabled, zone_id, pool_id, overrides (or
// overrides.cores, ...); no paths means all of them.
func (c *AgentsClient) Update(ctx context.Context, a *pb.Agent, paths ...string) (*pb.Agent, error) {
	r, err := c.UpdateAgent(ctx, &pb.UpdateAgentRequest{Agent: a, UpdateMask: mask(paths)})
	return r.GetAgent(), err
}

// Drain disables an agent: it gets no new sessions, running ones continue.
func (c *AgentsClient) Drain(ctx context.Context, id string) (*pb.Agent, error) {
	return c.Update(ctx, &pb.Agent{Id: id, Enabled: false}, "enabled")
}

// Enable lets an agent receive sessions again.
func (c *AgentsClient) Enable(ctx context.Context, id string) (*pb.Agent, error) {
	return c.Update(ctx, &pb.Agent{Id: id, Enabled: true}, "enabled")
}

// Delete deletes an agent and revokes its certificate; force deletes it even while it runs
// sessions (they are marked lost).
func (c *AgentsClient) Delete(ctx context.Context, id string, force bool) error {
	_, err := c.DeleteAgent(ctx, &pb.DeleteAgentRequest{Id: id, Force: force})
	return err
}
