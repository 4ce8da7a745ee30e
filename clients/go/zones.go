package hotdesk

import (
	"context"
	"iter"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// ZonesClient manages zones.
type ZonesClient struct{ pb.ZoneServiceClient }

// Get returns one zone.
func (c *ZonesClient) Get(ctx context.Context, id string) (*pb.Zone, error) {
	r, err := c.GetZone(ctx, &pb.GetZoneRequest{Id: id})
	return r.GetZone(), err
}

// List iterates over every zone; req may be nil.
func (c *ZonesClient) List(ctx context.Context, req *pb.ListZonesRequest) iter.Seq2[*pb.Zone, error] {
	req = cloneOr(req, func() *pb.ListZonesRequest { return &pb.ListZonesRequest{} })
	return pages(ctx, func(ctx context.Context, tok string) ([]*pb.Zone, string, error) {
		req.PageToken = tok
		r, err := c.ListZones(ctx, req)
		return r.GetZones(), r.GetNextPageToken(), err
	})
}

// Create creates a zone under a fresh request id.
func (c *ZonesClient) Create(ctx context.Context, z *pb.Zone) (*pb.Zone, error) {
	r, err := c.CreateZone(ctx, &pb.CreateZoneRequest{Zone: z, RequestId: NewRequestID()})
	return r.GetZone(), err
}

// Update changes the fields of z named by paths; no paths means every writable field.
func (c *ZonesClient) Update(ctx context.Context, z *pb.Zone, paths ...string) (*pb.Zone, error) {
	r, err := c.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: z, UpdateMask: mask(paths)})
	return r.GetZone(), err
}

// Delete deletes a zone (refused while agents or workspaces use it).
func (c *ZonesClient) Delete(ctx context.Context, id string) error {
	_, err := c.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: id})
	return err
}
