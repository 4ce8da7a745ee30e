package e2e

import (
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

func TestZoneLifecycle(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())

	created, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "eu-west", Description: "Dublin racks",
		ProxyMode: pb.ProxyMode_PROXY_MODE_DIRECT_TO_AGENT}})
	if err != nil {
		t.Fatal(err)
	}
	z := created.GetZone()
	if z.GetId() == "" || z.GetName() != "eu-west" || z.GetDescription() != "Dublin racks" ||
		z.GetProxyMode() != pb.ProxyMode_PROXY_MODE_DIRECT_TO_AGENT || z.GetCreateTime() == nil {
		t.Fatalf("created zone %v", z)
	}
	plain := a.createZone(t, "us-east")
	if plain.GetProxyMode() != pb.ProxyMode_PROXY_MODE_STANDARD {
		t.Errorf("zone created without proxy mode has %s, want the documented default PROXY_MODE_STANDARD", plain.GetProxyMode())
	}

	got, err := a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: z.GetId()})
	if err != nil || got.GetZone().GetName() != "eu-west" || got.GetZone().GetDescription() != "Dublin racks" {
		t.Fatalf("get: %v %v", got, err)
	}
	list, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{})
	if err != nil || len(list.GetZones()) != 2 || list.GetZones()[0].GetId() != z.GetId() || list.GetNextPageToken() != "" {
		t.Fatalf("list: %v %v", list, err)
	}

	// A mask changes only the fields it names.
	up, err := a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: z.GetId(), Description: "Dublin, row 4", Name: "ignored"},
		UpdateMask: mask("description")})
	if err != nil {
		t.Fatal(err)
	}
	if u := up.GetZone(); u.GetName() != "eu-west" || u.GetDescription() != "Dublin, row 4" || u.GetProxyMode() != pb.ProxyMode_PROXY_MODE_DIRECT_TO_AGENT {
		t.Fatalf("masked update changed other fields: %v", u)
	}
	if !up.GetZone().GetUpdateTime().AsTime().After(z.GetUpdateTime().AsTime()) {
		t.Errorf("update_time not advanced: %v then %v", z.GetUpdateTime().AsTime(), up.GetZone().GetUpdateTime().AsTime())
	}
	if !up.GetZone().GetCreateTime().AsTime().Equal(z.GetCreateTime().AsTime()) {
		t.Errorf("create_time changed by an update")
	}

	// An empty mask replaces every writable field: those left out are reset.
	up, err = a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: z.GetId(), Name: "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if u := up.GetZone(); u.GetName() != "eu-west-1" || u.GetDescription() != "" || u.GetProxyMode() != pb.ProxyMode_PROXY_MODE_STANDARD {
		t.Fatalf("full update: %v", u)
	}
	got, _ = a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: z.GetId()})
	if got.GetZone().GetName() != "eu-west-1" || got.GetZone().GetDescription() != "" {
		t.Fatalf("read back after full update: %v", got)
	}

	// REST PATCH with only some fields in the body changes only those (the gateway derives the
	// mask from the body).
	code, body := a.REST(t, http.MethodPatch, "/v1/zones/"+z.GetId(), a.AdminToken, `{"description":"patched"}`)
	if code != http.StatusOK {
		t.Fatalf("REST patch: %d %s", code, body)
	}
	got, _ = a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: z.GetId()})
	if got.GetZone().GetName() != "eu-west-1" || got.GetZone().GetDescription() != "patched" {
		t.Fatalf("after REST patch: %v", got)
	}

	// A mask naming an output-only or unknown field is refused.
	_, err = a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: z.GetId()}, UpdateMask: mask("create_time")})
	wantInvalid(t, err, "update_mask", "create_time")
	_, err = a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: z.GetId()}, UpdateMask: mask("colour")})
	wantInvalid(t, err, "update_mask", "colour")

	if _, err := a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: z.GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: z.GetId()})
	wantCode(t, err, codes.NotFound)
	_, err = a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: z.GetId()})
	wantCode(t, err, codes.NotFound)
	code, body = a.REST(t, http.MethodGet, "/v1/zones/"+z.GetId(), a.AdminToken, "")
	wantREST(t, code, body, http.StatusNotFound, codes.NotFound)
	_, err = a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: z.GetId(), Name: "gone"}})
	wantCode(t, err, codes.NotFound)
}

func TestZoneNameIsUnique(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	a.createZone(t, "lab")
	_, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "lab"}})
	wantCode(t, err, codes.AlreadyExists)

	code, body := a.REST(t, http.MethodPost, "/v1/zones", a.AdminToken, `{"zone":{"name":"lab"}}`)
	re := wantREST(t, code, body, http.StatusConflict, codes.AlreadyExists)
	if len(re.Details) == 0 {
		t.Errorf("409 body has no details: %s", body)
	}

	// Renaming another zone onto a taken name is refused the same way and changes nothing.
	other := a.createZone(t, "lab2")
	_, err = a.zones.UpdateZone(ctx, &pb.UpdateZoneRequest{Zone: &pb.Zone{Id: other.GetId(), Name: "lab"}, UpdateMask: mask("name")})
	wantCode(t, err, codes.AlreadyExists)
	got, _ := a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: other.GetId()})
	if got.GetZone().GetName() != "lab2" {
		t.Fatalf("refused rename still renamed: %v", got)
	}
	if n := a.count(t, `SELECT count(*) FROM zones WHERE name = 'lab'`); n != 1 {
		t.Fatalf("%d zones named lab", n)
	}
}

func TestZoneInvalidInput(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	_, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{}})
	wantInvalid(t, err, "zone.name")
	_, err = a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "has space"}})
	wantInvalid(t, err, "zone.name")
	_, err = a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: "not-a-uuid"})
	wantInvalid(t, err, "id")
	code, body := a.REST(t, http.MethodGet, "/v1/zones/not-a-uuid", a.AdminToken, "")
	wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	if n := a.count(t, `SELECT count(*) FROM zones`); n != 0 {
		t.Fatalf("refused creates stored %d zones", n)
	}
}

func TestZoneInUseCannotBeDeleted(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	z := a.createZone(t, "busy")
	w := container("pinned")
	w.ZoneIds = []string{z.GetId()}
	ws := a.createWorkspace(t, w)

	_, err := a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: z.GetId()})
	wantCode(t, err, codes.FailedPrecondition)
	code, body := a.REST(t, http.MethodDelete, "/v1/zones/"+z.GetId(), a.AdminToken, "")
	wantREST(t, code, body, http.StatusBadRequest, codes.FailedPrecondition)
	if _, err := a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: z.GetId()}); err != nil {
		t.Fatalf("zone gone after refused delete: %v", err)
	}

	// Once the workspace no longer names the zone, it can go.
	if _, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: ws.GetId()}, UpdateMask: mask("zone_ids")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: z.GetId()}); err != nil {
		t.Fatalf("delete of a zone no longer used: %v", err)
	}
}

func TestUsersReadZonesButCannotWrite(t *testing.T) {
	a := start(t)
	z := a.createZone(t, "shared")
	_, tok := a.NewUser(t, "alice")
	ctx := apptest.As(t.Context(), tok)
	if got, err := a.zones.GetZone(ctx, &pb.GetZoneRequest{Id: z.GetId()}); err != nil || got.GetZone().GetName() != "shared" {
		t.Fatalf("user get zone: %v %v", got, err)
	}
	if l, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{}); err != nil || len(l.GetZones()) != 1 {
		t.Fatalf("user list zones: %v %v", l, err)
	}
	_, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "mine"}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.zones.DeleteZone(ctx, &pb.DeleteZoneRequest{Id: z.GetId()})
	wantCode(t, err, codes.PermissionDenied)
	code, body := a.REST(t, http.MethodPost, "/v1/zones", tok, `{"zone":{"name":"mine"}}`)
	wantREST(t, code, body, http.StatusForbidden, codes.PermissionDenied)
	if n := a.count(t, `SELECT count(*) FROM zones`); n != 1 {
		t.Fatalf("%d zones after refused creates", n)
	}
}
