package api

import (
	"context"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

// ZoneService implements hotdesk.v1.ZoneService.
type ZoneService struct {
	pb.UnimplementedZoneServiceServer
	d     Deps
	pages *pager
}

func zoneToPB(z *model.Zone) *pb.Zone {
	return &pb.Zone{Id: z.ID, Name: z.Name, Description: z.Description, ProxyMode: pb.ProxyMode(z.ProxyMode),
		CreateTime: ts(z.CreateTime), UpdateTime: ts(z.UpdateTime)}
}

func zoneFromPB(z *pb.Zone) (*model.Zone, error) {
	out := &model.Zone{ID: z.GetId(), Name: z.GetName(), Description: z.GetDescription(), ProxyMode: int(z.GetProxyMode())}
	if out.Name == "" {
		return nil, model.Invalid("zone.name", "is required")
	}
	if out.ProxyMode == 0 {
		out.ProxyMode = int(pb.ProxyMode_PROXY_MODE_STANDARD)
	}
	return out, nil
}

func (s *ZoneService) CreateZone(ctx context.Context, req *pb.CreateZoneRequest) (*pb.CreateZoneResponse, error) {
	z, err := zoneFromPB(req.GetZone())
	if err != nil {
		return nil, err
	}
	id, err := s.d.Store.CreateZone(ctx, idem(ctx, "CreateZone", req.GetRequestId()), z)
	if err != nil {
		return nil, err
	}
	got, err := s.d.Store.GetZone(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.CreateZoneResponse{Zone: zoneToPB(got)}, nil
}

func (s *ZoneService) GetZone(ctx context.Context, req *pb.GetZoneRequest) (*pb.GetZoneResponse, error) {
	z, err := s.d.Store.GetZone(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &pb.GetZoneResponse{Zone: zoneToPB(z)}, nil
}

func (s *ZoneService) ListZones(ctx context.Context, req *pb.ListZonesRequest) (*pb.ListZonesResponse, error) {
	zones, next, err := list(s.pages, req.GetPageSize(), req.GetPageToken(), "zones",
		func(p model.Page) ([]*model.Zone, bool, error) { return s.d.Store.ListZones(ctx, p) },
		zoneToPB, func(z *model.Zone) string { return z.ID })
	if err != nil {
		return nil, err
	}
	return &pb.ListZonesResponse{Zones: zones, NextPageToken: next}, nil
}

func (s *ZoneService) UpdateZone(ctx context.Context, req *pb.UpdateZoneRequest) (*pb.UpdateZoneResponse, error) {
	id := req.GetZone().GetId()
	if id == "" {
		return nil, model.Invalid("zone.id", "is required")
	}
	z, err := s.d.Store.UpdateZone(ctx, id, func(cur *model.Zone) error {
		merged := zoneToPB(cur)
		if err := applyMask(merged, req.GetZone(), req.GetUpdateMask().GetPaths(), "zone"); err != nil {
			return err
		}
		next, err := zoneFromPB(merged)
		if err != nil {
			return err
		}
		*cur = *next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &pb.UpdateZoneResponse{Zone: zoneToPB(z)}, nil
}

func (s *ZoneService) DeleteZone(ctx context.Context, req *pb.DeleteZoneRequest) (*pb.DeleteZoneResponse, error) {
	return &pb.DeleteZoneResponse{}, s.d.Store.DeleteZone(ctx, req.GetId())
}
