package manager

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/sessions"
)

var destroyReasons = map[string]agentpb.DestroyReason{
	"destroyed by its user":         agentpb.DestroyReason_DESTROY_REASON_USER_REQUESTED,
	"destroyed by an administrator": agentpb.DestroyReason_DESTROY_REASON_ADMIN_REQUESTED,
	"idle timeout":                  agentpb.DestroyReason_DESTROY_REASON_IDLE_TIMEOUT,
	"maximum lifetime reached":      agentpb.DestroyReason_DESTROY_REASON_LIFETIME_EXPIRED,
}

func (m *Manager) toProto(c *model.Command) *agentpb.Command {
	out := &agentpb.Command{Sequence: uint64(c.Seq)}
	switch c.Kind {
	case model.CommandCreate:
		// A create that waited too long (agent away) is refused by the agent and retried elsewhere.
		out.Deadline = timestamppb.New(c.Created.Add(m.cfg.CommandTimeout))
		s := c.Create
		method := agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_SHARES
		if s.CPUAllocation == model.CPUQuota {
			method = agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA
		}
		mounts := make([]*agentpb.VolumeMount, 0, len(s.Mounts))
		for _, v := range s.Mounts {
			mounts = append(mounts, &agentpb.VolumeMount{HostPath: v.HostPath, ContainerPath: v.ContainerPath, ReadOnly: v.ReadOnly})
		}
		out.Action = &agentpb.Command_CreateSessionContainer{CreateSessionContainer: &agentpb.CreateSessionContainer{
			SessionId: c.SessionID, ImageReference: s.Image, Env: s.Env, Cores: s.Cores, CpuAllocationMethod: method,
			MemoryBytes: s.MemoryBytes, Gpus: uint32(s.GPUs), Network: s.Network, VolumeMounts: mounts,
			RunConfigOverrideJson: s.RunConfigOverride, Labels: s.Labels, ContainerPort: uint32(s.ContainerPort),
		}}
	case model.CommandDestroy:
		out.Deadline = timestamppb.New(c.Created.Add(24 * time.Hour))
		reason, ok := destroyReasons[c.Destroy.Reason]
		if !ok {
			reason = agentpb.DestroyReason_DESTROY_REASON_ADMIN_REQUESTED
		}
		out.Action = &agentpb.Command_DestroySessionContainer{DestroySessionContainer: &agentpb.DestroySessionContainer{
			SessionId: c.SessionID, ContainerId: c.Destroy.ContainerID, Reason: reason, StopTimeout: durationpb.New(5 * time.Second),
		}}
	}
	return out
}

func reportFromProto(r *agentpb.ResourceReport) *model.AgentReport {
	out := &model.AgentReport{
		Hostname: r.GetHostname(), DockerVersion: r.GetDockerVersion(), Networks: r.GetNetworks(),
		Capacity: model.Capacity{Cores: r.GetCores(), MemoryMB: r.GetMemoryBytes() >> 20, GPUs: int32(r.GetGpus())},
	}
	for _, img := range r.GetImages() {
		out.Images = append(out.Images, img.GetReference())
	}
	for _, c := range r.GetSessionContainers() {
		out.Containers = append(out.Containers, model.ReportedContainer{
			ContainerID: c.GetContainerId(), SessionID: c.GetSessionId(), HostPort: int(c.GetHostPort()),
			Running: c.GetState() == agentpb.ContainerState_CONTAINER_STATE_RUNNING,
		})
	}
	return out
}

func resultFromProto(r *agentpb.CommandResult) sessions.Result {
	switch o := r.GetOutcome().(type) {
	case *agentpb.CommandResult_CreateSessionContainer:
		return sessions.Result{OK: true, ContainerID: o.CreateSessionContainer.GetContainerId(), HostPort: int(o.CreateSessionContainer.GetHostPort())}
	case *agentpb.CommandResult_DestroySessionContainer:
		return sessions.Result{OK: true}
	case *agentpb.CommandResult_Error:
		return sessions.Result{Error: o.Error.GetCode().String() + ": " + o.Error.GetMessage()}
	}
	return sessions.Result{OK: true}
}
