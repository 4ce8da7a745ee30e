package catalog

import (
	"strings"
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

func container(mut func(c *model.ContainerSpec)) *model.Workspace {
	w := &model.Workspace{Name: "Desktop", Kind: model.KindContainer,
		Container: model.ContainerSpec{Image: "desktop:1.0", Cores: 2, MemoryMB: 2048}}
	if mut != nil {
		mut(&w.Container)
	}
	return w
}

// TestPrepareWorkspaceRefuses lists workspaces an administrator could submit that must be
// refused, and checks each refusal names the request field to fix.
func TestPrepareWorkspaceRefuses(t *testing.T) {
	for _, c := range []struct {
		name  string
		w     *model.Workspace
		field string
	}{
		{"blank name", &model.Workspace{Name: " \t\n", Kind: model.KindLink, LinkURL: "https://example.com"}, "workspace.name"},
		{"no kind", &model.Workspace{Name: "x"}, "workspace.kind"},
		{"undefined kind", &model.Workspace{Name: "x", Kind: 99}, "workspace.kind"},
		{"negative kind", &model.Workspace{Name: "x", Kind: -1}, "workspace.kind"},
		{"no image", container(func(c *model.ContainerSpec) { c.Image = "" }), "workspace.container.image"},
		{"blank image", container(func(c *model.ContainerSpec) { c.Image = "   " }), "workspace.container.image"},
		{"upper-case image", container(func(c *model.ContainerSpec) { c.Image = "Desktop:1.0" }), "workspace.container.image"},
		{"image with space", container(func(c *model.ContainerSpec) { c.Image = "desk top" }), "workspace.container.image"},
		{"image bad digest", container(func(c *model.ContainerSpec) { c.Image = "desktop@sha256:abc" }), "workspace.container.image"},
		{"image from another registry", container(func(c *model.ContainerSpec) {
			c.Image, c.Registry = "other.example.com/desktop:1.0", "registry.example.com"
		}), "workspace.container.image"},
		{"image from another port", container(func(c *model.ContainerSpec) {
			c.Image, c.Registry = "registry.example.com:5001/desktop:1.0", "registry.example.com:5000"
		}), "workspace.container.image"},
		{"bad registry scheme", container(func(c *model.ContainerSpec) { c.Registry = "ftp://registry.example.com" }), "workspace.container.registry"},
		{"registry with path", container(func(c *model.ContainerSpec) { c.Registry = "registry.example.com/team" }), "workspace.container.registry"},
		{"username without registry", container(func(c *model.ContainerSpec) { c.RegistryUsername = "bot" }), "workspace.container.registry"},
		{"zero cores", container(func(c *model.ContainerSpec) { c.Cores = 0 }), "workspace.container.cores"},
		{"negative cores", container(func(c *model.ContainerSpec) { c.Cores = -0.5 }), "workspace.container.cores"},
		{"63 MiB", container(func(c *model.ContainerSpec) { c.MemoryMB = 63 }), "workspace.container.memory_mb"},
		{"negative memory", container(func(c *model.ContainerSpec) { c.MemoryMB = -1 }), "workspace.container.memory_mb"},
		{"reserved override", container(func(c *model.ContainerSpec) { c.RunConfigOverride = `{"privileged":true,"mem_limit":"64g"}` }), overrideField},
		{"override not an object", container(func(c *model.ContainerSpec) { c.RunConfigOverride = `["privileged"]` }), overrideField},
		{"volume with ..", container(func(c *model.ContainerSpec) {
			c.VolumeMappings = []model.VolumeMapping{{HostPath: "/srv/../etc", ContainerPath: "/data"}}
		}), "workspace.container.volume_mappings"},
		{"volume trailing slash", container(func(c *model.ContainerSpec) {
			c.VolumeMappings = []model.VolumeMapping{{HostPath: "/srv/data", ContainerPath: "/data/"}}
		}), "workspace.container.volume_mappings"},
		{"volume empty path", container(func(c *model.ContainerSpec) {
			c.VolumeMappings = []model.VolumeMapping{{HostPath: "", ContainerPath: "/data"}}
		}), "workspace.container.volume_mappings"},
		{"volume relative path", container(func(c *model.ContainerSpec) {
			c.VolumeMappings = []model.VolumeMapping{{HostPath: "srv/data", ContainerPath: "/data"}}
		}), "workspace.container.volume_mappings"},
		{"server without id", &model.Workspace{Name: "x", Kind: model.KindServer}, "workspace.server_id"},
		{"pool without id", &model.Workspace{Name: "x", Kind: model.KindServerPool, ServerID: "ignored"}, "workspace.server_pool_id"},
		{"link without url", &model.Workspace{Name: "x", Kind: model.KindLink}, "workspace.link_url"},
		{"link without scheme", &model.Workspace{Name: "x", Kind: model.KindLink, LinkURL: "example.com/app"}, "workspace.link_url"},
		{"link javascript", &model.Workspace{Name: "x", Kind: model.KindLink, LinkURL: "javascript:alert(1)"}, "workspace.link_url"},
		{"link ftp", &model.Workspace{Name: "x", Kind: model.KindLink, LinkURL: "ftp://example.com"}, "workspace.link_url"},
		{"link without host", &model.Workspace{Name: "x", Kind: model.KindLink, LinkURL: "https:///app"}, "workspace.link_url"},
		{"link bad escape", &model.Workspace{Name: "x", Kind: model.KindLink, LinkURL: "https://example.com/%zz"}, "workspace.link_url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := PrepareWorkspace(c.w)
			e, ok := model.AsError(err)
			if !ok || e.Code != model.CodeInvalidArgument {
				t.Fatalf("PrepareWorkspace = %v, want InvalidArgument on %s", err, c.field)
			}
			if e.Field != c.field {
				t.Fatalf("refused on %q (%s), want %q", e.Field, e.Msg, c.field)
			}
		})
	}
}

// TestPrepareWorkspaceNormalizes checks what an accepted workspace looks like once stored:
// trimmed, defaults filled, the override canonical, and settings of other kinds dropped.
func TestPrepareWorkspaceNormalizes(t *testing.T) {
	t.Run("container", func(t *testing.T) {
		w := container(func(c *model.ContainerSpec) {
			c.Image = "  registry.example.com:5000/team/desktop:1.4 "
			c.Registry = "https://registry.example.com:5000/"
			c.RegistryUsername = "bot"
			c.RunConfigOverride = ` {"shm_size":"2g", "blkio_weight": 200} `
			c.VolumeMappings = []model.VolumeMapping{{HostPath: "/srv/home", ContainerPath: "/home/user"}}
		})
		w.Name = "  Desktop  "
		w.ServerID, w.ServerPoolID, w.LinkURL = "s", "p", "https://example.com"
		if err := PrepareWorkspace(w); err != nil {
			t.Fatal(err)
		}
		c := w.Container
		if w.Name != "Desktop" || c.Image != "registry.example.com:5000/team/desktop:1.4" {
			t.Errorf("not trimmed: name %q image %q", w.Name, c.Image)
		}
		if c.CPUAllocation != model.CPUInherit {
			t.Errorf("cpu allocation %d, want inherit by default", c.CPUAllocation)
		}
		if c.RunConfigOverride != `{"blkio_weight":200,"shm_size":"2g"}` {
			t.Errorf("override %q is not canonical", c.RunConfigOverride)
		}
		if w.ServerID != "" || w.ServerPoolID != "" || w.LinkURL != "" {
			t.Errorf("other kinds' settings kept: %q %q %q", w.ServerID, w.ServerPoolID, w.LinkURL)
		}
	})
	t.Run("docker hub image with a private registry", func(t *testing.T) {
		w := container(func(c *model.ContainerSpec) { c.Registry = "registry.example.com" })
		if err := PrepareWorkspace(w); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("explicit cpu allocation and fractional cores", func(t *testing.T) {
		w := container(func(c *model.ContainerSpec) { c.CPUAllocation, c.Cores, c.MemoryMB = model.CPUQuota, 0.25, 64 })
		if err := PrepareWorkspace(w); err != nil || w.Container.CPUAllocation != model.CPUQuota {
			t.Fatalf("err %v, allocation %d", err, w.Container.CPUAllocation)
		}
	})
	t.Run("empty override stays empty", func(t *testing.T) {
		w := container(func(c *model.ContainerSpec) { c.RunConfigOverride = " \n " })
		if err := PrepareWorkspace(w); err != nil || w.Container.RunConfigOverride != "" {
			t.Fatalf("err %v, override %q", err, w.Container.RunConfigOverride)
		}
	})
	for _, k := range []struct {
		name string
		w    *model.Workspace
	}{
		{"server", &model.Workspace{Name: "s", Kind: model.KindServer, ServerID: "11111111-1111-1111-1111-111111111111"}},
		{"pool", &model.Workspace{Name: "p", Kind: model.KindServerPool, ServerPoolID: "11111111-1111-1111-1111-111111111111"}},
		{"link", &model.Workspace{Name: "l", Kind: model.KindLink, LinkURL: "https://example.com/app?x=1"}},
	} {
		t.Run(k.name+" drops container settings", func(t *testing.T) {
			w := k.w
			w.Container = container(nil).Container
			w.Container.RunConfigOverride = `{"privileged":true}`
			if err := PrepareWorkspace(w); err != nil {
				t.Fatal(err)
			}
			if w.Container.Image != "" || w.Container.RunConfigOverride != "" || w.Container.Cores != 0 {
				t.Errorf("container settings kept on a %s workspace: %+v", k.name, w.Container)
			}
			set := 0
			for _, s := range []string{w.ServerID, w.ServerPoolID, w.LinkURL} {
				if s != "" {
					set++
				}
			}
			if set != 1 {
				t.Errorf("a %s workspace keeps %d of server_id/server_pool_id/link_url", k.name, set)
			}
		})
	}
	t.Run("long name is not the catalog's business", func(t *testing.T) {
		// Length limits are the contract's (protovalidate); the catalog only trims.
		w := &model.Workspace{Name: strings.Repeat("n", 500), Kind: model.KindLink, LinkURL: "http://example.com"}
		if err := PrepareWorkspace(w); err != nil {
			t.Fatal(err)
		}
	})
}
