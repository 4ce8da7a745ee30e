package e2e

import (
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

func TestAuditTrail(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	me, err := a.auth.GetCurrentUser(ctx, &pb.GetCurrentUserRequest{})
	if err != nil {
		t.Fatal(err)
	}
	adminID := me.GetUser().GetId()
	ws := a.createWorkspace(t, container("Desktop"))
	if _, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: ws.GetId(), Description: "v2"}, UpdateMask: mask("description")}); err != nil {
		t.Fatal(err)
	}
	// Reads are not audited.
	a.getWorkspace(t, ws.GetId())
	u, tok := a.NewUser(t, "rita")
	_, err = a.zones.CreateZone(apptest.As(t.Context(), tok), &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "sneaky"}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.auth.Login(t.Context(), &pb.LoginRequest{Username: "rita", Password: "guess"})
	wantCode(t, err, codes.Unauthenticated)
	key, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "bot"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.workspaces.DeleteWorkspace(apptest.As(t.Context(), key.GetSecret()), &pb.DeleteWorkspaceRequest{Id: ws.GetId()}); err != nil {
		t.Fatal(err)
	}

	l, err := a.audit.ListAuditEvents(ctx, &pb.ListAuditEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	events := l.GetEvents()
	find := func(method, code string) *pb.AuditEvent {
		t.Helper()
		for _, e := range events {
			if e.GetMethod() == method && e.GetCode() == code {
				return e
			}
		}
		t.Fatalf("no %s event with code %s in %v", method, code, events)
		return nil
	}
	c := find("/hotdesk.v1.WorkspaceService/CreateWorkspace", "OK")
	if c.GetUserId() != adminID || c.GetResourceId() != ws.GetId() || c.GetTime() == nil || c.GetPeer() == "" || c.GetApiKeyId() != "" {
		t.Errorf("create event %v", c)
	}
	if up := find("/hotdesk.v1.WorkspaceService/UpdateWorkspace", "OK"); up.GetResourceId() != ws.GetId() || up.GetUserId() != adminID {
		t.Errorf("update event %v", up)
	}
	if d := find("/hotdesk.v1.WorkspaceService/DeleteWorkspace", "OK"); d.GetResourceId() != ws.GetId() || d.GetUserId() != adminID || d.GetApiKeyId() != key.GetApiKey().GetId() {
		t.Errorf("delete by API key: %v", d)
	}
	if r := find("/hotdesk.v1.ZoneService/CreateZone", "PERMISSION_DENIED"); r.GetUserId() != u.GetId() {
		t.Errorf("refused event %v, want user %s", r, u.GetId())
	}
	if fl := find("/hotdesk.v1.AuthService/Login", "UNAUTHENTICATED"); fl.GetUserId() != "" {
		t.Errorf("failed login event %v", fl)
	}
	for _, e := range events {
		switch e.GetMethod() {
		case "/hotdesk.v1.WorkspaceService/GetWorkspace", "/hotdesk.v1.AuthService/GetCurrentUser":
			t.Errorf("a read was audited: %v", e)
		}
	}
	// Newest first.
	for i := 1; i < len(events); i++ {
		if events[i].GetTime().AsTime().After(events[i-1].GetTime().AsTime()) {
			t.Fatalf("events not newest first at %d: %v then %v", i, events[i-1], events[i])
		}
	}
	if events[0].GetMethod() != "/hotdesk.v1.WorkspaceService/DeleteWorkspace" {
		t.Errorf("newest event is %v", events[0])
	}

	// Filtered to one user.
	l, err = a.audit.ListAuditEvents(ctx, &pb.ListAuditEventsRequest{UserId: u.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	// Her sign-in, then her refused zone, newest first.
	if ev := l.GetEvents(); len(ev) != 2 || ev[0].GetMethod() != "/hotdesk.v1.ZoneService/CreateZone" || ev[1].GetMethod() != "/hotdesk.v1.AuthService/Login" {
		t.Fatalf("rita's events: %v", ev)
	}
	// Paged.
	p1, err := a.audit.ListAuditEvents(ctx, &pb.ListAuditEventsRequest{PageSize: 2})
	if err != nil || len(p1.GetEvents()) != 2 || p1.GetNextPageToken() == "" {
		t.Fatalf("first audit page: %v %v", p1, err)
	}
	p2, err := a.audit.ListAuditEvents(ctx, &pb.ListAuditEventsRequest{PageSize: 2, PageToken: p1.GetNextPageToken()})
	if err != nil || len(p2.GetEvents()) == 0 || p2.GetEvents()[0].GetId() != events[2].GetId() {
		t.Fatalf("second audit page: %v %v", p2, err)
	}

	// Users cannot read the trail.
	_, err = a.audit.ListAuditEvents(apptest.As(t.Context(), tok), &pb.ListAuditEventsRequest{})
	wantCode(t, err, codes.PermissionDenied)
	code, body := a.REST(t, http.MethodGet, "/v1/auditEvents", tok, "")
	wantREST(t, code, body, http.StatusForbidden, codes.PermissionDenied)
	code, body = a.REST(t, http.MethodGet, "/v1/auditEvents", a.AdminToken, "")
	if code != http.StatusOK {
		t.Fatalf("REST audit: %d %s", code, body)
	}
}
