package simagent

import (
	"context"
	"fmt"
	"slices"

	"google.golang.org/grpc"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// SyncImages holds one image-sync stream until it ends or ctx is done. It opens with an
// inventory of the images in Options.Images, acknowledges each desired set it receives with an
// inventory of its generation (the desired images it "has": those in Options.Images, since a
// simulated agent pulls nothing), and hands each set to onDesired, if set, as it arrives.
func (a *Agent) SyncImages(ctx context.Context, conn *grpc.ClientConn, onDesired func(*agentpb.DesiredImages)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := agentpb.NewManagerServiceClient(conn).SyncImages(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(a.inventory(nil)); err != nil {
		return err
	}
	for {
		msg, err := stream.Recv()
		if err != nil {
			return err
		}
		d := msg.GetDesiredImages()
		if d == nil {
			return fmt.Errorf("simagent: unexpected image-sync message %T", msg.GetMsg())
		}
		if onDesired != nil {
			onDesired(d)
		}
		if err := stream.Send(a.inventory(d)); err != nil {
			return err
		}
	}
}

// inventory lists the desired images of d among Options.Images (all of them before any set).
func (a *Agent) inventory(d *agentpb.DesiredImages) *agentpb.SyncImagesRequest {
	inv := &agentpb.ImageInventory{Generation: d.GetGeneration()}
	for _, img := range a.opts.Images {
		if d != nil && !slices.ContainsFunc(d.GetImages(), func(x *agentpb.DesiredImage) bool { return x.GetImageReference() == img }) {
			continue
		}
		inv.Images = append(inv.Images, &agentpb.PresentImage{Reference: img, ImageId: "sha256:0000"})
	}
	return &agentpb.SyncImagesRequest{Msg: &agentpb.SyncImagesRequest_Inventory{Inventory: inv}}
}
