package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

func TestZonePagination(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	var want []string
	for i := range 25 {
		want = append(want, a.createZone(t, fmt.Sprintf("zone-%02d", i)).GetId())
	}

	// gRPC: 10 + 10 + 5, every zone once, in creation order.
	var got []string
	var sizes []int
	token := ""
	for range 10 {
		resp, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 10, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(resp.GetZones()))
		for _, z := range resp.GetZones() {
			got = append(got, z.GetId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if !slices.Equal(got, want) || !slices.Equal(sizes, []int{10, 10, 5}) {
		t.Fatalf("gRPC pages %v:\n got %v\nwant %v", sizes, got, want)
	}

	// REST: the same through the gateway's query parameters.
	got, sizes, token = nil, nil, ""
	for range 10 {
		path := "/v1/zones?pageSize=10"
		if token != "" {
			path += "&pageToken=" + url.QueryEscape(token)
		}
		code, body := a.REST(t, http.MethodGet, path, a.AdminToken, "")
		if code != http.StatusOK {
			t.Fatalf("REST %s: %d %s", path, code, body)
		}
		var page struct {
			Zones         []struct{ ID string } `json:"zones"`
			NextPageToken string                `json:"nextPageToken"`
		}
		decode(t, body, &page)
		sizes = append(sizes, len(page.Zones))
		for _, z := range page.Zones {
			got = append(got, z.ID)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	if !slices.Equal(got, want) || !slices.Equal(sizes, []int{10, 10, 5}) {
		t.Fatalf("REST pages %v:\n got %v\nwant %v", sizes, got, want)
	}

	// An exactly full last page says there is no more.
	resp, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 25})
	if err != nil || len(resp.GetZones()) != 25 || resp.GetNextPageToken() != "" {
		t.Fatalf("page of exactly all zones: %d zones, token %q, %v", len(resp.GetZones()), resp.GetNextPageToken(), err)
	}
	// page_size 0 means the default of 100.
	if resp, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{}); err != nil || len(resp.GetZones()) != 25 {
		t.Fatalf("default page size: %v", err)
	}
	_, err = a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 5000})
	wantInvalid(t, err, "page_size")
}

func TestPageTokensCannotBeForgedOrReused(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	for i := range 3 {
		a.createZone(t, fmt.Sprintf("z%d", i))
		a.createWorkspace(t, container(fmt.Sprintf("W%d", i)))
	}
	first, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 1})
	if err != nil || first.GetNextPageToken() == "" {
		t.Fatalf("first page: %v %v", first, err)
	}
	token := first.GetNextPageToken()

	// Flip one character in the middle (the last one may only carry padding bits).
	b := []byte(token)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	tampered := string(b)
	_, err = a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 1, PageToken: tampered})
	wantInvalid(t, err, "page_token")
	code, body := a.REST(t, http.MethodGet, "/v1/zones?pageSize=1&pageToken="+url.QueryEscape(tampered), a.AdminToken, "")
	wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	_, err = a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 1, PageToken: "not a token"})
	wantInvalid(t, err, "page_token")

	// A token belongs to the listing that issued it.
	_, err = a.users.ListUsers(ctx, &pb.ListUsersRequest{PageToken: token})
	wantInvalid(t, err, "page_token")
	_, err = a.workspaces.ListWorkspaces(ctx, &pb.ListWorkspacesRequest{PageToken: token})
	wantInvalid(t, err, "page_token")

	// Nor can a user continue an administrator's listing of every workspace.
	g, err := a.groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: &pb.Group{Name: "g"}})
	if err != nil {
		t.Fatal(err)
	}
	u, tok := a.NewUser(t, "pat")
	l, _ := a.workspaces.ListWorkspaces(ctx, &pb.ListWorkspacesRequest{PageSize: 1})
	if _, err := a.groups.UpdateGroup(ctx, &pb.UpdateGroupRequest{Group: &pb.Group{Id: g.GetGroup().GetId(), MemberIds: []string{u.GetId()},
		WorkspaceIds: []string{l.GetWorkspaces()[0].GetId()}}, UpdateMask: mask("member_ids", "workspace_ids")}); err != nil {
		t.Fatal(err)
	}
	_, err = a.workspaces.ListWorkspaces(apptest.As(t.Context(), tok), &pb.ListWorkspacesRequest{PageToken: l.GetNextPageToken()})
	wantInvalid(t, err, "page_token")

	// The genuine token still works.
	next, err := a.zones.ListZones(ctx, &pb.ListZonesRequest{PageSize: 1, PageToken: token})
	if err != nil || len(next.GetZones()) != 1 || next.GetZones()[0].GetName() != "z1" {
		t.Fatalf("second page: %v %v", next, err)
	}
}
