package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

func TestWorkspaceKinds(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	z := a.createZone(t, "lab")
	serverID, poolID := uuid.NewString(), uuid.NewString()

	c := a.createWorkspace(t, &pb.Workspace{Name: "Desktop", Description: "Ubuntu desktop", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER,
		Enabled: true, ZoneIds: []string{z.GetId()}, IdleTimeoutSeconds: 600, MaxLifetimeSeconds: 3600,
		Container: &pb.ContainerSpec{Image: "registry.example.com:5000/desktop:1.4", Registry: "https://registry.example.com:5000",
			RegistryUsername: "puller", Cores: 1.5, MemoryMb: 3072, Gpus: 1, CpuAllocationMethod: pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA,
			DockerRunConfigOverride: `{ "shm_size": "1g",  "blkio_weight": 200 }`, DockerNetwork: "desktops",
			VolumeMappings: []*pb.VolumeMapping{{HostPath: "/srv/shared", ContainerPath: "/home/shared", ReadOnly: true}},
			// The server and link settings of a container workspace are dropped.
		}, ServerId: serverID, LinkUrl: "https://example.com"})
	got := a.getWorkspace(t, c.GetId())
	cs := got.GetContainer()
	if got.GetName() != "Desktop" || got.GetDescription() != "Ubuntu desktop" || !got.GetEnabled() || got.GetIdleTimeoutSeconds() != 600 ||
		got.GetMaxLifetimeSeconds() != 3600 || len(got.GetZoneIds()) != 1 || got.GetZoneIds()[0] != z.GetId() {
		t.Errorf("container workspace read back: %v", got)
	}
	if cs.GetImage() != "registry.example.com:5000/desktop:1.4" || cs.GetRegistry() != "https://registry.example.com:5000" ||
		cs.GetRegistryUsername() != "puller" || cs.GetCores() != 1.5 || cs.GetMemoryMb() != 3072 || cs.GetGpus() != 1 ||
		cs.GetCpuAllocationMethod() != pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA || cs.GetDockerNetwork() != "desktops" ||
		len(cs.GetVolumeMappings()) != 1 || cs.GetVolumeMappings()[0].GetContainerPath() != "/home/shared" || !cs.GetVolumeMappings()[0].GetReadOnly() {
		t.Errorf("container settings read back: %v", cs)
	}
	if cs.GetDockerRunConfigOverride() != `{"blkio_weight":200,"shm_size":"1g"}` {
		t.Errorf("override stored as %q, want canonical JSON", cs.GetDockerRunConfigOverride())
	}
	if got.GetServerId() != "" || got.GetLinkUrl() != "" {
		t.Errorf("container workspace kept other kinds' settings: server_id %q link_url %q", got.GetServerId(), got.GetLinkUrl())
	}
	if cs.GetHasRegistryPassword() {
		t.Errorf("has_registry_password without a password")
	}

	// A container workspace without a CPU method gets the documented default.
	d := a.createWorkspace(t, container("Default desktop"))
	if d.GetContainer().GetCpuAllocationMethod() != pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_INHERIT {
		t.Errorf("default cpu method %s", d.GetContainer().GetCpuAllocationMethod())
	}

	s := a.createWorkspace(t, &pb.Workspace{Name: "Build server", Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER, ServerId: serverID,
		Container: &pb.ContainerSpec{Image: "dropped:1", Cores: 1, MemoryMb: 128}})
	if got := a.getWorkspace(t, s.GetId()); got.GetServerId() != serverID || got.GetContainer() != nil || got.GetKind() != pb.WorkspaceKind_WORKSPACE_KIND_SERVER {
		t.Errorf("server workspace read back: %v", got)
	}
	p := a.createWorkspace(t, &pb.Workspace{Name: "Lab pool", Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER_POOL, ServerPoolId: poolID})
	if got := a.getWorkspace(t, p.GetId()); got.GetServerPoolId() != poolID || got.GetKind() != pb.WorkspaceKind_WORKSPACE_KIND_SERVER_POOL {
		t.Errorf("server pool workspace read back: %v", got)
	}
	l := a.createWorkspace(t, &pb.Workspace{Name: "Wiki", Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK, LinkUrl: "https://wiki.example.com/start"})
	if got := a.getWorkspace(t, l.GetId()); got.GetLinkUrl() != "https://wiki.example.com/start" || got.GetKind() != pb.WorkspaceKind_WORKSPACE_KIND_LINK {
		t.Errorf("link workspace read back: %v", got)
	}

	list, err := a.workspaces.ListWorkspaces(ctx, &pb.ListWorkspacesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range list.GetWorkspaces() {
		names = append(names, w.GetName())
	}
	if strings.Join(names, ",") != "Desktop,Default desktop,Build server,Lab pool,Wiki" {
		t.Errorf("list in creation order: %v", names)
	}

	// Changing the kind drops the old kind's settings.
	up, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: d.GetId(),
		Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK, LinkUrl: "https://example.com"}, UpdateMask: mask("kind", "link_url")})
	if err != nil {
		t.Fatal(err)
	}
	if up.GetWorkspace().GetContainer() != nil || up.GetWorkspace().GetLinkUrl() != "https://example.com" || up.GetWorkspace().GetName() != "Default desktop" {
		t.Errorf("container → link: %v", up.GetWorkspace())
	}

	if _, err := a.workspaces.DeleteWorkspace(ctx, &pb.DeleteWorkspaceRequest{Id: l.GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = a.workspaces.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: l.GetId()})
	wantCode(t, err, codes.NotFound)
	_, err = a.workspaces.DeleteWorkspace(ctx, &pb.DeleteWorkspaceRequest{Id: l.GetId()})
	wantCode(t, err, codes.NotFound)

	_, err = a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: container("Desktop")})
	wantCode(t, err, codes.AlreadyExists)
}

func TestWorkspaceValidation(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	withContainer := func(f func(c *pb.ContainerSpec)) *pb.Workspace {
		w := container("Broken")
		f(w.Container)
		return w
	}
	for _, tc := range []struct {
		name     string
		w        *pb.Workspace
		field    string
		mentions []string
	}{
		{"no name", &pb.Workspace{Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK, LinkUrl: "https://example.com"}, "workspace.name", nil},
		{"no kind", &pb.Workspace{Name: "Broken", Container: container("x").Container}, "workspace.kind", nil},
		{"container without settings", &pb.Workspace{Name: "Broken", Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER}, "workspace.container.image", nil},
		{"container without image", withContainer(func(c *pb.ContainerSpec) { c.Image = "" }), "workspace.container.image", nil},
		{"bad image reference", withContainer(func(c *pb.ContainerSpec) { c.Image = "Desktop:latest" }), "workspace.container.image", []string{"Desktop:latest"}},
		{"image from another registry", withContainer(func(c *pb.ContainerSpec) {
			c.Image, c.Registry = "other.example.org/desktop:1", "registry.example.com"
		}), "workspace.container.image", []string{"other.example.org"}},
		{"registry URL without host", withContainer(func(c *pb.ContainerSpec) { c.Registry = "https://" }), "workspace.container.registry", nil},
		{"registry with a path", withContainer(func(c *pb.ContainerSpec) { c.Registry = "registry.example.com/team" }), "workspace.container.registry", nil},
		{"username without registry", withContainer(func(c *pb.ContainerSpec) { c.RegistryUsername = "puller" }), "workspace.container.registry", nil},
		{"no cores", withContainer(func(c *pb.ContainerSpec) { c.Cores = 0 }), "workspace.container.cores", nil},
		{"too little memory", withContainer(func(c *pb.ContainerSpec) { c.MemoryMb = 16 }), "workspace.container.memory_mb", nil},
		{"unknown override key", withContainer(func(c *pb.ContainerSpec) { c.DockerRunConfigOverride = `{"shm_size":"1g","frobnicate":true}` }),
			"workspace.container.docker_run_config_override", []string{`"frobnicate"`}},
		{"reserved override key", withContainer(func(c *pb.ContainerSpec) { c.DockerRunConfigOverride = `{"mem_limit":"64g"}` }),
			"workspace.container.docker_run_config_override", []string{`"mem_limit"`, "memory_mb"}},
		{"override not an object", withContainer(func(c *pb.ContainerSpec) { c.DockerRunConfigOverride = `["privileged"]` }),
			"workspace.container.docker_run_config_override", nil},
		{"override value of the wrong type", withContainer(func(c *pb.ContainerSpec) { c.DockerRunConfigOverride = `{"privileged":"yes"}` }),
			"workspace.container.docker_run_config_override", []string{`"privileged"`}},
		{"server without server_id", &pb.Workspace{Name: "Broken", Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER}, "workspace.server_id", nil},
		{"server_id not a uuid", &pb.Workspace{Name: "Broken", Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER, ServerId: "srv-1"}, "workspace.server_id", nil},
		{"pool without server_pool_id", &pb.Workspace{Name: "Broken", Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER_POOL}, "workspace.server_pool_id", nil},
		{"link without URL", &pb.Workspace{Name: "Broken", Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK}, "workspace.link_url", nil},
		{"link to a non-web URL", &pb.Workspace{Name: "Broken", Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK, LinkUrl: "ftp://files.example.com"}, "workspace.link_url", nil},
		{"unknown zone", func() *pb.Workspace { w := container("Broken"); w.ZoneIds = []string{uuid.NewString()}; return w }(), "workspace.zone_ids", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: tc.w})
			wantInvalid(t, err, tc.field, tc.mentions...)
		})
	}
	if n := a.count(t, `SELECT count(*) FROM workspaces`); n != 0 {
		t.Fatalf("refused creates stored %d workspaces", n)
	}

	// The REST facade reports the same, as JSON naming the field.
	code, body := a.REST(t, http.MethodPost, "/v1/workspaces", a.AdminToken, `{"workspace":{"name":"Broken","container":{"image":"desktop:1","cores":1,"memoryMb":"512"}}}`)
	wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	if !strings.Contains(body, "workspace.kind") {
		t.Errorf("REST error does not name workspace.kind: %s", body)
	}
}

func TestRefusedWorkspaceUpdateChangesNothing(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	w := container("Desktop")
	w.Container.DockerRunConfigOverride = `{"shm_size":"2g"}`
	w.Container.RegistryPassword = "hunter2"
	w.Container.Registry = "registry.example.com"
	w.Container.Image = "registry.example.com/desktop:1.0"
	created := a.createWorkspace(t, w)
	before := a.getWorkspace(t, created.GetId())

	for _, tc := range []struct {
		name  string
		req   *pb.UpdateWorkspaceRequest
		field string
		key   string
	}{
		{"unknown override key", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId(), Description: "x",
			Container: &pb.ContainerSpec{Image: "desktop:2", DockerRunConfigOverride: `{"turbo":1}`}},
			UpdateMask: mask("description", "container.image", "container.docker_run_config_override")}, "workspace.container.docker_run_config_override", `"turbo"`},
		{"reserved override key", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId(),
			Container: &pb.ContainerSpec{Image: "desktop:1.0", DockerRunConfigOverride: `{"network_mode":"host"}`}},
			UpdateMask: mask("container.docker_run_config_override")}, "workspace.container.docker_run_config_override", `"network_mode"`},
		{"bad image", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId(), Container: &pb.ContainerSpec{Image: "UPPER/case"}},
			UpdateMask: mask("container.image")}, "workspace.container.image", ""},
		{"kind cleared by an empty mask", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId(), Name: "Renamed"}}, "workspace.kind", ""},
		{"unknown zone", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId(), ZoneIds: []string{uuid.NewString()}},
			UpdateMask: mask("zone_ids")}, "workspace.zone_ids", ""},
		{"mask naming an unknown field", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId()},
			UpdateMask: mask("container.colour")}, "update_mask", "colour"},
		{"mask naming an output-only field", &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: created.GetId()},
			UpdateMask: mask("container.has_registry_password")}, "update_mask", "has_registry_password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.workspaces.UpdateWorkspace(ctx, tc.req)
			if tc.key != "" {
				wantInvalid(t, err, tc.field, tc.key)
			} else {
				wantInvalid(t, err, tc.field)
			}
			after := a.getWorkspace(t, created.GetId())
			if !proto.Equal(before, after) {
				t.Fatalf("refused update changed the workspace:\nbefore %v\nafter  %v", before, after)
			}
			stored, err := a.App.Store.GetWorkspace(t.Context(), created.GetId(), "")
			if err != nil || stored.Container.RegistryPassword != "hunter2" {
				t.Fatalf("refused update changed the stored password: %v", err)
			}
		})
	}
	_, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: uuid.NewString(), Name: "x"}, UpdateMask: mask("name")})
	wantCode(t, err, codes.NotFound)
}

func TestRegistryPassword(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	const secret = "s3cret-registry-token"
	w := container("Private desktop")
	w.Container.Image = "registry.example.com/team/desktop:1.0"
	w.Container.Registry = "registry.example.com"
	w.Container.RegistryUsername = "puller"
	w.Container.RegistryPassword = secret
	created := a.createWorkspace(t, w)
	id := created.GetId()
	stored := func() string {
		t.Helper()
		s, err := a.App.Store.GetWorkspace(t.Context(), id, "")
		if err != nil {
			t.Fatal(err)
		}
		return s.Container.RegistryPassword
	}

	// Never returned, by any read, over either interface.
	if c := created.GetContainer(); c.GetRegistryPassword() != "" || !c.GetHasRegistryPassword() {
		t.Fatalf("create response: %v", c)
	}
	if c := a.getWorkspace(t, id).GetContainer(); c.GetRegistryPassword() != "" || !c.GetHasRegistryPassword() {
		t.Fatalf("get: %v", c)
	}
	list, err := a.workspaces.ListWorkspaces(ctx, &pb.ListWorkspacesRequest{})
	if err != nil || list.GetWorkspaces()[0].GetContainer().GetRegistryPassword() != "" {
		t.Fatalf("list: %v %v", list, err)
	}
	for _, path := range []string{"/v1/workspaces/" + id, "/v1/workspaces"} {
		code, body := a.REST(t, http.MethodGet, path, a.AdminToken, "")
		if code != http.StatusOK || strings.Contains(body, secret) || !strings.Contains(body, `"hasRegistryPassword":true`) {
			t.Fatalf("REST %s: %d %s", path, code, body)
		}
	}

	// Stored encrypted.
	var enc []byte
	if err := a.App.Store.Pool().QueryRow(t.Context(), `SELECT registry_password_enc FROM workspaces WHERE id = $1`, id).Scan(&enc); err != nil {
		t.Fatal(err)
	}
	if len(enc) == 0 || bytes.Contains(enc, []byte(secret)) || bytes.Contains(enc, []byte("s3cret")) {
		t.Fatalf("registry_password_enc holds the plaintext or nothing: %q", enc)
	}
	if n := a.count(t, `SELECT count(*) FROM workspaces WHERE row_to_json(workspaces)::text LIKE '%' || $1 || '%'`, secret); n != 0 {
		t.Fatal("the plaintext password appears in the workspaces row")
	}

	// Kept by updates that do not name it: a masked one, a full replace, and a REST PATCH.
	if _, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: id, Description: "v2"}, UpdateMask: mask("description")}); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != secret {
		t.Fatalf("masked update lost the password: %q", got)
	}
	full := container("Private desktop")
	full.Id = id
	full.Container.Image, full.Container.Registry, full.Container.RegistryUsername = w.Container.Image, w.Container.Registry, "puller"
	up, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: full})
	if err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != secret || !up.GetWorkspace().GetContainer().GetHasRegistryPassword() {
		t.Fatalf("full update without the password lost it: %q %v", got, up.GetWorkspace().GetContainer())
	}
	if code, body := a.REST(t, http.MethodPatch, "/v1/workspaces/"+id, a.AdminToken, `{"description":"v3"}`); code != http.StatusOK {
		t.Fatalf("REST patch: %d %s", code, body)
	}
	if got := stored(); got != secret {
		t.Fatalf("REST patch lost the password: %q", got)
	}

	// Replaced when the mask names it with a value.
	if _, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: id,
		Container: &pb.ContainerSpec{Image: w.Container.Image, RegistryPassword: "rotated"}}, UpdateMask: mask("container.registry_password")}); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != "rotated" {
		t.Fatalf("rotated password reads back %q", got)
	}

	// Cleared when the mask names it with an empty value.
	up, err = a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: id,
		Container: &pb.ContainerSpec{}}, UpdateMask: mask("container.registry_password")})
	if err != nil {
		t.Fatal(err)
	}
	if up.GetWorkspace().GetContainer().GetHasRegistryPassword() || a.getWorkspace(t, id).GetContainer().GetHasRegistryPassword() {
		t.Fatal("has_registry_password still true after clearing")
	}
	if got := stored(); got != "" {
		t.Fatalf("cleared password reads back %q", got)
	}
	if n := a.count(t, `SELECT count(*) FROM workspaces WHERE id = $1 AND registry_password_enc IS NOT NULL`, id); n != 0 {
		t.Fatal("a ciphertext is still stored after clearing")
	}
	if a.getWorkspace(t, id).GetContainer().GetRegistryUsername() != "puller" {
		t.Fatal("clearing the password changed the user name")
	}
}

// A masked update of one container setting needs only that setting: the documented example
// mask "container.cores" works without repeating the image.
func TestMaskedContainerUpdateWithoutImage(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	w := a.createWorkspace(t, container("Desktop"))

	// Works when the image is repeated.
	up, err := a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: w.GetId(),
		Container: &pb.ContainerSpec{Image: "ignored:9", Cores: 4}}, UpdateMask: mask("container.cores")})
	if err != nil {
		t.Fatal(err)
	}
	if c := up.GetWorkspace().GetContainer(); c.GetCores() != 4 || c.GetImage() != "desktop:1.0" || c.GetMemoryMb() != 2048 {
		t.Fatalf("masked cores update: %v", c)
	}

	_, err = a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: w.GetId(),
		Container: &pb.ContainerSpec{Cores: 3}}, UpdateMask: mask("container.cores")})
	if err != nil {
		t.Fatalf("masked cores update without image: %v", err)
	}
	if c := a.getWorkspace(t, w.GetId()).GetContainer(); c.GetCores() != 3 || c.GetImage() != "desktop:1.0" {
		t.Fatalf("masked cores update without image: %v", c)
	}
}
