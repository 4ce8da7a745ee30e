package catalog

import (
	"strings"

	"github.com/distribution/reference"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// PullReference is the image reference agents pull and run for a container workspace: the
// image prefixed with the workspace's registry host when the image names none, in normalized
// familiar form so it compares equal to what agents report.
func PullReference(c model.ContainerSpec) string {
	ref := c.Image
	if c.Registry != "" {
		if host, err := RegistryHost(c.Registry); err == nil {
			named, err := reference.ParseNormalizedNamed(ref)
			if err == nil && reference.Domain(named) == "docker.io" && !strings.HasPrefix(ref, "docker.io/") {
				ref = host + "/" + ref
			}
		}
	}
	return NormalizeImage(ref)
}

// NormalizeImage returns ref in familiar form with a tag ("desktop" → "desktop:latest"), or
// ref unchanged when it does not parse.
func NormalizeImage(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.FamiliarString(reference.TagNameOnly(named))
}
