package imagetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/internal/registrytest"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/config"
)

var imageRemoveOpts = image.RemoveOptions{Force: true, PruneChildren: true}

// Five workspaces, an agent allowed two pulls at once: the registry never sees more than two
// of its pulls in flight (the proxy holds every blob download back, so pulls overlap), the
// administrator watches them go from queued through pulling to present, and all five end up
// present with their digests — after which their sessions can be placed on the agent.
func TestPullsAtMostTwoAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 600*time.Millisecond, nil)
	const n = 5
	ids := map[string]string{}
	var ws []*pb.Workspace
	for i := 0; i < n; i++ {
		repo := fmt.Sprintf("desk%d", i)
		ids[repo] = e.push(repo, "latest", repo, 512<<10)
		ws = append(ws, e.workspace(repo, repo, "latest", regPass, nil))
	}
	a := e.startAgent("--max-concurrent-pulls", "2")

	seen := map[pb.ImageState]bool{}
	sawBytes := false
	eventually(t, 3*time.Minute, "all five images present", func() error {
		list := e.statuses("", a.id)
		present := 0
		for _, st := range list {
			seen[st.GetState()] = true
			sawBytes = sawBytes || (st.GetState() == pb.ImageState_IMAGE_STATE_PULLING && st.GetBytesTotal() > 0)
			if st.GetState() == pb.ImageState_IMAGE_STATE_PRESENT && st.GetImageId() != "" {
				present++
			}
		}
		if len(list) != n || present != n {
			return fmt.Errorf("%d of %d statuses present", present, len(list))
		}
		return nil
	})
	pulls := e.proxy.Pulls(time.Second)
	if got := len(pulls); got != n {
		t.Errorf("the registry saw %d pulls, want %d: %v", got, n, pulls)
	}
	if m := registrytest.MaxInFlight(pulls); m != 2 {
		t.Errorf("at most %d pulls were in flight at once, want exactly 2 (the configured limit, reached)", m)
	}
	if !seen[pb.ImageState_IMAGE_STATE_QUEUED] || !seen[pb.ImageState_IMAGE_STATE_PULLING] {
		t.Errorf("states seen while pulling: %v; want queued and pulling before present", seen)
	}
	if !sawBytes {
		t.Log("no PULLING status with byte counts was caught by the polls (pulls were quick)")
	}
	for i, w := range ws {
		st := e.statuses(w.GetId(), a.id)[0]
		repo := fmt.Sprintf("desk%d", i)
		if st.GetImageId() != ids[repo] || !strings.HasPrefix(st.GetDigest(), "sha256:") || !st.GetPresent() || st.GetPullTime() == nil {
			t.Errorf("%s: status %v, want present with image id %s and a digest", repo, st, ids[repo])
		}
		if st.GetImageReference() != e.pullRef(repo, "latest") {
			t.Errorf("%s: image reference %q", repo, st.GetImageReference())
		}
	}
	// REST: filter by workspace; no password anywhere.
	code, body := e.srv.REST(t, "GET", "/v1/imageStatuses?workspaceId="+ws[0].GetId(), e.srv.AdminToken, "")
	if code != 200 || !strings.Contains(body, `"IMAGE_STATE_PRESENT"`) || strings.Contains(body, regPass) || strings.Count(body, `"workspaceId"`) != 1 {
		t.Errorf("GET /v1/imageStatuses?workspaceId=…: %d %s", code, body)
	}
	// The image is present, so a session of it is placed on the agent.
	s := e.launch(ws[0].GetId())
	if s.GetAgentId() != a.id {
		t.Errorf("session on agent %q, want %s", s.GetAgentId(), a.id)
	}
}

// A wrong registry password fails with the registry's own words; the corrected password is
// used at the next try, which the change itself triggers.
func TestWrongPasswordFailsThenCorrectedPulls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0, nil)
	id := e.push("private", "1", "private", 0)
	w := e.workspace("private", "private", "1", "not-the-password", nil)
	a := e.startAgent()
	failed := e.status("status failed", time.Minute, w.GetId(), a.id, isState(pb.ImageState_IMAGE_STATE_FAILED))
	if !strings.Contains(failed.GetError(), "unauthorized") || strings.Contains(failed.GetError(), "not-the-password") || failed.GetPresent() {
		t.Errorf("failed status %v: want the registry's \"unauthorized\" and not present", failed)
	}
	// Nothing of a failed image is schedulable.
	if _, err := e.sessions.CreateSession(e.admin(), &pb.CreateSessionRequest{WorkspaceId: w.GetId()}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("launch while the image failed: %v, want FailedPrecondition", err)
	}
	fixed := time.Now()
	if _, err := e.workspaces.UpdateWorkspace(e.admin(), &pb.UpdateWorkspaceRequest{
		Workspace:  &pb.Workspace{Id: w.GetId(), Container: &pb.ContainerSpec{RegistryPassword: regPass}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"container.registry_password"}},
	}); err != nil {
		t.Fatal(err)
	}
	st := e.status("status present after the fix", 20*time.Second, w.GetId(), a.id, isState(pb.ImageState_IMAGE_STATE_PRESENT))
	if st.GetImageId() != id || st.GetError() != "" {
		t.Errorf("after the fix: %v, want image %s and no error", st, id)
	}
	t.Logf("pulled %.1fs after the password was corrected", time.Since(fixed).Seconds())
}

// A new build pushed under the same tag is pulled by the periodic refresh, and the next session
// runs it while the earlier session keeps its build.
func TestRefreshBringsNewBuildToNextSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0, func(c *config.Config) { c.ImageRefreshInterval = 2 * time.Second })
	first := e.push("moving", "latest", "build 1", 0)
	w := e.workspace("moving", "moving", "latest", regPass, nil)
	a := e.startAgent()
	e.status("build 1 present", time.Minute, w.GetId(), a.id, func(s *pb.ImageStatus) bool { return s.GetImageId() == first })
	s1 := e.launch(w.GetId())
	if got := e.containerImage(s1.GetId()); got != first {
		t.Fatalf("first session runs image %s, want build 1 %s", got, first)
	}
	second := e.push("moving", "latest", "build 2", 0)
	if second == first {
		t.Fatal("the two builds have the same id")
	}
	e.status("build 2 present", time.Minute, w.GetId(), a.id, func(s *pb.ImageStatus) bool { return s.GetImageId() == second })
	s2 := e.launch(w.GetId())
	if got := e.containerImage(s2.GetId()); got != second {
		t.Errorf("next session runs image %s, want build 2 %s", got, second)
	}
	if got := e.containerImage(s1.GetId()); got != first {
		t.Errorf("first session now runs %s, want it left on build 1", got)
	}
}

// A workspace without a registry is never pulled (its image is reported absent), a disabled
// one is not pulled at all, and one restricted to another zone is not this agent's; enabling
// the disabled one gets it pulled promptly, without waiting for a periodic resync.
func TestOnlyEnabledWorkspacesWithRegistryArePulled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0, func(c *config.Config) { c.ImageResyncInterval = time.Hour })
	for _, r := range []string{"noreg", "disabled", "elsewhere", "enabled"} {
		e.push(r, "1", r, 0)
	}
	noReg := e.workspace("noreg", "noreg", "1", "", func(w *pb.Workspace) { w.Container.Registry, w.Container.RegistryUsername = "", "" })
	disabled := e.workspace("disabled", "disabled", "1", regPass, func(w *pb.Workspace) { w.Enabled = false })
	zone, err := pb.NewZoneServiceClient(e.srv.Conn).CreateZone(e.admin(), &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "elsewhere-" + e.ns}})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := e.workspace("elsewhere", "elsewhere", "1", regPass, func(w *pb.Workspace) { w.ZoneIds = []string{zone.GetZone().GetId()} })
	enabled := e.workspace("enabled", "enabled", "1", regPass, nil)
	a := e.startAgent()
	e.status("enabled present", time.Minute, enabled.GetId(), a.id, isState(pb.ImageState_IMAGE_STATE_PRESENT))
	e.status("no-registry image absent", 10*time.Second, noReg.GetId(), a.id, isState(pb.ImageState_IMAGE_STATE_ABSENT))
	time.Sleep(2 * time.Second) // room for a wrong pull
	for _, r := range []string{"noreg", "disabled", "elsewhere"} {
		if reqs := e.proxy.Requests(e.proxyRepo(r)); len(reqs) > 0 {
			t.Errorf("the registry saw %d requests for %s, want none", len(reqs), r)
		}
	}
	for name, w := range map[string]*pb.Workspace{"disabled": disabled, "elsewhere": elsewhere} {
		if list := e.statuses(w.GetId(), ""); len(list) != 0 {
			t.Errorf("%s workspace has statuses %v, want none", name, list)
		}
	}
	enabledAt := time.Now()
	if _, err := e.workspaces.UpdateWorkspace(e.admin(), &pb.UpdateWorkspaceRequest{
		Workspace: &pb.Workspace{Id: disabled.GetId(), Enabled: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"enabled"}},
	}); err != nil {
		t.Fatal(err)
	}
	e.status("enabled workspace pulled", 30*time.Second, disabled.GetId(), a.id, isState(pb.ImageState_IMAGE_STATE_PRESENT))
	t.Logf("pulled %.1fs after the workspace was enabled", time.Since(enabledAt).Seconds())
}

// With --prune normal, deleting a workspace removes the image the agent pulled for it, while
// an image loaded on the host by hand stays.
func TestPruneNormalRemovesImagesOfDeletedWorkspaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0, nil)
	e.push("gone", "1", "gone", 0)
	w := e.workspace("gone", "gone", "1", regPass, nil)
	handRef := fmt.Sprintf("hotdesk-imagetest/%s-hand:1", e.ns)
	if err := e.docker.ImageTag(context.Background(), "hotdesk/testvnc:1", handRef); err != nil {
		// The base image is built by scripts/build-images.sh; use any local image instead.
		imgs, lerr := e.docker.ImageList(context.Background(), image.ListOptions{})
		if lerr != nil || len(imgs) == 0 {
			t.Fatalf("no local image to tag: %v %v", err, lerr)
		}
		if err := e.docker.ImageTag(context.Background(), imgs[0].ID, handRef); err != nil {
			t.Fatal(err)
		}
	}
	e.cleanupImage(handRef)
	a := e.startAgent("--prune", "normal")
	e.status("present", time.Minute, w.GetId(), a.id, isState(pb.ImageState_IMAGE_STATE_PRESENT))
	if _, err := e.workspaces.DeleteWorkspace(e.admin(), &pb.DeleteWorkspaceRequest{Id: w.GetId()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "image pruned", func() error {
		_, err := e.docker.ImageInspect(context.Background(), e.pullRef("gone", "1"))
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("image still there (%v)", err)
	})
	if _, err := e.docker.ImageInspect(context.Background(), handRef); err != nil {
		t.Errorf("the hand-loaded image was removed: %v", err)
	}
}

// Bad input is refused precisely, and the statuses are for administrators only.
func TestImageStatusesAPIRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0, nil)
	ctx := e.admin()
	_, err := e.workspaces.ListImageStatuses(ctx, &pb.ListImageStatusesRequest{WorkspaceId: "not-a-uuid"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("workspace_id not a UUID: %v", err)
	}
	_, err = e.workspaces.ListImageStatuses(ctx, &pb.ListImageStatusesRequest{PageToken: "forged"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("forged page token: %v", err)
	}
	_, token := e.srv.NewUser(t, "viewer-"+e.ns)
	_, err = e.workspaces.ListImageStatuses(context.Background(), &pb.ListImageStatusesRequest{})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("anonymous: %v", err)
	}
	if _, err := e.workspaces.ListImageStatuses(apptest.As(context.Background(), token), &pb.ListImageStatusesRequest{}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("a user: %v, want PermissionDenied", err)
	}
	for _, c := range []struct {
		name  string
		spec  *pb.ContainerSpec
		field string
	}{
		{"image that does not parse", &pb.ContainerSpec{Image: "Desk Top::1", Cores: 1, MemoryMb: 64}, "workspace.container.image"},
		{"registry URL without a host", &pb.ContainerSpec{Image: "desktop:1", Registry: "https://", Cores: 1, MemoryMb: 64}, "workspace.container.registry"},
		{"registry with a path", &pb.ContainerSpec{Image: "desktop:1", Registry: "registry.example.com/team", Cores: 1, MemoryMb: 64}, "workspace.container.registry"},
	} {
		_, err := e.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: &pb.Workspace{Name: c.name,
			Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true, Container: c.spec}})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want InvalidArgument on %s", c.name, err, c.field)
		}
	}
}

// launch starts a session of a workspace as the administrator and waits until it runs.
func (e *env) launch(workspaceID string) *pb.Session {
	e.t.Helper()
	r, err := e.sessions.CreateSession(e.admin(), &pb.CreateSessionRequest{WorkspaceId: workspaceID})
	if err != nil {
		e.t.Fatalf("launch %s: %v", workspaceID, err)
	}
	var s *pb.Session
	eventually(e.t, 30*time.Second, "session running", func() error {
		g, err := e.sessions.GetSession(e.admin(), &pb.GetSessionRequest{Id: r.GetSession().GetId()})
		if err != nil {
			return err
		}
		s = g.GetSession()
		switch s.GetState() {
		case pb.SessionState_SESSION_STATE_RUNNING:
			return nil
		case pb.SessionState_SESSION_STATE_FAILED:
			return stop(fmt.Errorf("session failed: %s", s.GetStateReason()))
		}
		return fmt.Errorf("state %s", s.GetState())
	})
	return s
}

// containerImage is the image id the session's container runs, as Docker reports it.
func (e *env) containerImage(sessionID string) string {
	e.t.Helper()
	cs, err := e.docker.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "hotdesk.session_id="+sessionID))})
	if err != nil || len(cs) != 1 {
		e.t.Fatalf("container of session %s: %d found, %v", sessionID, len(cs), err)
	}
	return cs[0].ImageID
}
