package agent

import (
	"context"
	"log/slog"
	"os"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

type loggerT = *slog.Logger

// capabilities announces what this host can do, from the engine's description; without one,
// only session containers.
func (a *Agent) capabilities(ctx context.Context) []agentpb.Capability {
	caps := []agentpb.Capability{agentpb.Capability_CAPABILITY_SESSION_CONTAINERS}
	if a.images != nil {
		caps = append(caps, agentpb.Capability_CAPABILITY_IMAGE_SYNC)
	}
	ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := a.rt.Info(ictx)
	if err != nil {
		a.log.Warn("cannot describe the host for Hello", "error", err)
		return caps
	}
	if info.CPUQuota {
		caps = append(caps, agentpb.Capability_CAPABILITY_CPU_QUOTA)
	}
	if info.GPUs > 0 {
		caps = append(caps, agentpb.Capability_CAPABILITY_GPU)
	}
	return caps
}

// sendReport sends a full ResourceReport. When the engine cannot be described it sends
// nothing: heartbeats keep the lease, and a stale report is better than a false empty one.
func (a *Agent) sendReport(st *stream) {
	ctx, cancel := context.WithTimeout(st.ctx, 30*time.Second)
	defer cancel()
	info, err := a.rt.Info(ctx)
	if err != nil {
		a.log.Warn("cannot describe the host; resource report skipped", "error", err)
		return
	}
	list, err := a.rt.List(ctx)
	if err != nil {
		a.log.Warn("cannot list session containers; resource report skipped", "error", err)
		return
	}
	st.send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_ResourceReport{ResourceReport: buildReport(info, list)}})
}

func buildReport(info runtime.HostInfo, list []runtime.Container) *agentpb.ResourceReport {
	host := info.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	r := &agentpb.ResourceReport{
		ReportTime:    timestamppb.Now(),
		Hostname:      host,
		Os:            info.OS,
		Arch:          info.Arch,
		Cores:         info.Cores,
		MemoryBytes:   info.MemoryBytes,
		Gpus:          info.GPUs,
		DockerVersion: info.DockerVersion,
		Networks:      info.Networks,
		DiskFreeBytes: info.DiskFreeBytes,
	}
	for _, im := range info.Images {
		r.Images = append(r.Images, &agentpb.LocalImage{Reference: im.Reference, ImageId: im.ID, Digest: im.Digest, SizeBytes: im.SizeBytes})
	}
	for _, c := range list {
		sc := &agentpb.SessionContainer{ContainerId: c.ID, SessionId: c.SessionID, State: c.State, HostPort: uint32(c.HostPort)}
		if !c.Created.IsZero() {
			sc.CreateTime = timestamppb.New(c.Created)
		}
		r.SessionContainers = append(r.SessionContainers, sc)
	}
	return r
}
