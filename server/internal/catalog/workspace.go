package catalog

import (
	"net/url"
	"path"
	"strings"

	"github.com/distribution/reference"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// PrepareWorkspace checks that w is complete and coherent for its kind and normalizes it in
// place (canonical override JSON, settings of other kinds cleared, defaults filled). Field
// names in errors are those of the API request.
func PrepareWorkspace(w *model.Workspace) error {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return model.Invalid("workspace.name", "is required")
	}
	switch w.Kind {
	case model.KindContainer:
		if err := prepareContainer(&w.Container); err != nil {
			return err
		}
		w.ServerID, w.ServerPoolID, w.LinkURL = "", "", ""
	case model.KindServer:
		if w.ServerID == "" {
			return model.Invalid("workspace.server_id", "is required for a server workspace")
		}
		w.Container, w.ServerPoolID, w.LinkURL = model.ContainerSpec{}, "", ""
	case model.KindServerPool:
		if w.ServerPoolID == "" {
			return model.Invalid("workspace.server_pool_id", "is required for a server-pool workspace")
		}
		w.Container, w.ServerID, w.LinkURL = model.ContainerSpec{}, "", ""
	case model.KindLink:
		u, err := url.Parse(w.LinkURL)
		if w.LinkURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return model.Invalid("workspace.link_url", "must be an http or https URL with a host")
		}
		w.Container, w.ServerID, w.ServerPoolID = model.ContainerSpec{}, "", ""
	default:
		return model.Invalid("workspace.kind", "is required: WORKSPACE_KIND_CONTAINER, _SERVER, _SERVER_POOL or _LINK")
	}
	return nil
}

func prepareContainer(c *model.ContainerSpec) error {
	const f = "workspace.container."
	c.Image = strings.TrimSpace(c.Image)
	if c.Image == "" {
		return model.Invalid(f+"image", "is required for a container workspace")
	}
	named, err := reference.ParseNormalizedNamed(c.Image)
	if err != nil {
		return model.Invalid(f+"image", "%q is not a valid image reference (%v); use name[:tag][@digest], e.g. \"desktop:1.0\"", c.Image, err)
	}
	if c.Registry != "" {
		host, err := RegistryHost(c.Registry)
		if err != nil {
			return err
		}
		// An image that names another registry would be pulled from there, not from the one
		// the credentials are for.
		if d := reference.Domain(named); d != "docker.io" && d != host {
			return model.Invalid(f+"image", "names registry %q but workspace.container.registry is %q", d, host)
		}
	}
	if c.RegistryUsername != "" && c.Registry == "" {
		return model.Invalid(f+"registry", "is required when registry_username is set")
	}
	if c.Cores <= 0 {
		return model.Invalid(f+"cores", "must be more than 0 (e.g. 2 or 0.5)")
	}
	if c.MemoryMB < 64 {
		return model.Invalid(f+"memory_mb", "must be at least 64 MiB")
	}
	if c.CPUAllocation == 0 {
		c.CPUAllocation = model.CPUInherit
	}
	norm, err := NormalizeRunConfigOverride(c.RunConfigOverride)
	if err != nil {
		return err
	}
	c.RunConfigOverride = norm
	for i, v := range c.VolumeMappings {
		if !path.IsAbs(v.HostPath) || !path.IsAbs(v.ContainerPath) || path.Clean(v.HostPath) != v.HostPath || path.Clean(v.ContainerPath) != v.ContainerPath {
			return model.Invalid(f+"volume_mappings", "item %d: paths must be absolute and clean (no \"..\", no trailing \"/\")", i)
		}
	}
	return nil
}

// RegistryHost returns the "host[:port]" of a registry given as "host[:port]" or an http(s)
// URL, or an InvalidArgument error that says what is wrong.
func RegistryHost(registry string) (string, error) {
	const f = "workspace.container.registry"
	s := strings.TrimSpace(registry)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", model.Invalid(f, "%q is not a valid URL: %v", registry, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", model.Invalid(f, "scheme must be http or https, not %q", u.Scheme)
		}
		if u.Host == "" {
			return "", model.Invalid(f, "%q has no host; use host[:port], e.g. \"registry.example.com:5000\"", registry)
		}
		s = u.Host
	}
	if s == "" || strings.ContainsAny(s, "/ @?#") {
		return "", model.Invalid(f, "%q has no valid host; use host[:port], e.g. \"registry.example.com:5000\"", registry)
	}
	if _, err := reference.ParseNormalizedNamed(s + "/probe"); err != nil {
		return "", model.Invalid(f, "%q is not a valid registry host: %v", registry, err)
	}
	return s, nil
}
