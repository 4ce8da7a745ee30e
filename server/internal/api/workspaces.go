package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/catalog"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// WorkspaceService implements hotdesk.v1.WorkspaceService.
type WorkspaceService struct {
	pb.UnimplementedWorkspaceServiceServer
	d     Deps
	pages *pager
}

// workspaceToPB maps a workspace for output; withSecret keeps the registry password, for the
// update merge only.
func workspaceToPB(w *model.Workspace, withSecret bool) *pb.Workspace {
	out := &pb.Workspace{
		Id: w.ID, Name: w.Name, Description: w.Description, ThumbnailUrl: w.ThumbnailURL, Kind: pb.WorkspaceKind(w.Kind),
		Enabled: w.Enabled, ServerId: w.ServerID, ServerPoolId: w.ServerPoolID, LinkUrl: w.LinkURL, ZoneIds: w.ZoneIDs,
		IdleTimeoutSeconds: w.IdleTimeoutSeconds, MaxLifetimeSeconds: w.MaxLifetimeSeconds,
		CreateTime: ts(w.CreateTime), UpdateTime: ts(w.UpdateTime),
	}
	if w.Kind == model.KindContainer {
		c := w.Container
		spec := &pb.ContainerSpec{
			Image: c.Image, Registry: c.Registry, RegistryUsername: c.RegistryUsername,
			HasRegistryPassword: c.RegistryPassword != "", Cores: c.Cores, MemoryMb: c.MemoryMB, Gpus: c.GPUs,
			CpuAllocationMethod: pb.CpuAllocationMethod(c.CPUAllocation), DockerRunConfigOverride: c.RunConfigOverride,
			DockerNetwork: c.DockerNetwork,
		}
		if withSecret {
			spec.RegistryPassword = c.RegistryPassword
		}
		for _, v := range c.VolumeMappings {
			spec.VolumeMappings = append(spec.VolumeMappings, &pb.VolumeMapping{HostPath: v.HostPath, ContainerPath: v.ContainerPath, ReadOnly: v.ReadOnly})
		}
		out.Container = spec
	}
	return out
}

// workspaceFromPB maps and checks a workspace from a request.
func workspaceFromPB(w *pb.Workspace) (*model.Workspace, error) {
	out := &model.Workspace{
		ID: w.GetId(), Name: w.GetName(), Description: w.GetDescription(), ThumbnailURL: w.GetThumbnailUrl(),
		Kind: model.WorkspaceKind(w.GetKind()), Enabled: w.GetEnabled(), ServerID: w.GetServerId(),
		ServerPoolID: w.GetServerPoolId(), LinkURL: w.GetLinkUrl(), ZoneIDs: w.GetZoneIds(),
		IdleTimeoutSeconds: w.GetIdleTimeoutSeconds(), MaxLifetimeSeconds: w.GetMaxLifetimeSeconds(),
	}
	if c := w.GetContainer(); c != nil {
		out.Container = model.ContainerSpec{
			Image: c.GetImage(), Registry: c.GetRegistry(), RegistryUsername: c.GetRegistryUsername(),
			RegistryPassword: c.GetRegistryPassword(), Cores: c.GetCores(), MemoryMB: c.GetMemoryMb(), GPUs: c.GetGpus(),
			CPUAllocation: model.CPUAllocation(c.GetCpuAllocationMethod()), RunConfigOverride: c.GetDockerRunConfigOverride(),
			DockerNetwork: c.GetDockerNetwork(),
		}
		for _, v := range c.GetVolumeMappings() {
			out.Container.VolumeMappings = append(out.Container.VolumeMappings, model.VolumeMapping{HostPath: v.GetHostPath(), ContainerPath: v.GetContainerPath(), ReadOnly: v.GetReadOnly()})
		}
	}
	return out, catalog.PrepareWorkspace(out)
}

// visibleTo returns the user id to restrict reads to, or "" for administrators.
func visibleTo(ctx context.Context) (string, error) {
	p, err := caller(ctx)
	if err != nil {
		return "", err
	}
	if p.IsAdmin() {
		return "", nil
	}
	return p.UserID, nil
}

func (s *WorkspaceService) CreateWorkspace(ctx context.Context, req *pb.CreateWorkspaceRequest) (*pb.CreateWorkspaceResponse, error) {
	w, err := workspaceFromPB(req.GetWorkspace())
	if err != nil {
		return nil, err
	}
	id, err := s.d.Store.CreateWorkspace(ctx, idem(ctx, "CreateWorkspace", req.GetRequestId()), w)
	if err != nil {
		return nil, err
	}
	got, err := s.d.Store.GetWorkspace(ctx, id, "")
	if err != nil {
		return nil, err
	}
	return &pb.CreateWorkspaceResponse{Workspace: workspaceToPB(got, false)}, nil
}

func (s *WorkspaceService) GetWorkspace(ctx context.Context, req *pb.GetWorkspaceRequest) (*pb.GetWorkspaceResponse, error) {
	uid, err := visibleTo(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.d.Store.GetWorkspace(ctx, req.GetId(), uid)
	if err != nil {
		return nil, err
	}
	return &pb.GetWorkspaceResponse{Workspace: workspaceToPB(w, false)}, nil
}

func (s *WorkspaceService) ListWorkspaces(ctx context.Context, req *pb.ListWorkspacesRequest) (*pb.ListWorkspacesResponse, error) {
	uid, err := visibleTo(ctx)
	if err != nil {
		return nil, err
	}
	ws, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "workspaces|"+uid,
		func(p model.Page) ([]*model.Workspace, bool, error) { return s.d.Store.ListWorkspaces(ctx, p, uid) },
		func(w *model.Workspace) *pb.Workspace { return workspaceToPB(w, false) }, func(w *model.Workspace) string { return w.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListWorkspacesResponse{Workspaces: ws, NextPageToken: next}, nil
}

func (s *WorkspaceService) UpdateWorkspace(ctx context.Context, req *pb.UpdateWorkspaceRequest) (*pb.UpdateWorkspaceResponse, error) {
	id := req.GetWorkspace().GetId()
	if id == "" {
		return nil, model.Invalid("workspace.id", "is required")
	}
	w, err := s.d.Store.UpdateWorkspace(ctx, id, func(cur *model.Workspace) error {
		merged := workspaceToPB(cur, true)
		if err := applyMask(merged, req.GetWorkspace(), req.GetUpdateMask().GetPaths(), "workspace"); err != nil {
			return err
		}
		next, err := workspaceFromPB(merged)
		if err != nil {
			return err
		}
		next.ID = cur.ID
		*cur = *next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &pb.UpdateWorkspaceResponse{Workspace: workspaceToPB(w, false)}, nil
}

func (s *WorkspaceService) DeleteWorkspace(ctx context.Context, req *pb.DeleteWorkspaceRequest) (*pb.DeleteWorkspaceResponse, error) {
	return &pb.DeleteWorkspaceResponse{}, s.d.Store.DeleteWorkspace(ctx, req.GetId())
}
