package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/registry"
)

// ImageRuntime is what image sync needs from the engine. The Docker runtime implements it; a
// runtime that does not simply gets no image sync.
type ImageRuntime interface {
	// PullImage pulls ref from its registry with auth (nil for anonymous), calling progress as
	// the pull advances, and returns the manifest digest the registry served.
	PullImage(ctx context.Context, ref string, auth *RegistryAuth, progress func(PullProgress)) (digest string, err error)
	// LocalImages lists the images on the host, tagged or not, with normalized tags.
	LocalImages(ctx context.Context) ([]LocalImage, error)
	// ImagesInUse returns the ids of images that any container on the host uses, running or
	// not, whoever made it.
	ImagesInUse(ctx context.Context) (map[string]bool, error)
	// RemoveImage removes a tag (the image goes with its last tag) or an untagged image by id.
	// It never forces: an image a container uses stays.
	RemoveImage(ctx context.Context, refOrID string) error
	// NetworkNames lists the Docker networks on the host.
	NetworkNames(ctx context.Context) ([]string, error)
}

var _ ImageRuntime = (*Docker)(nil)

// RegistryAuth are the credentials for one pull. They are handed to the engine only.
type RegistryAuth struct {
	ServerAddress string
	Username      string
	Password      string
}

// PullProgress is a snapshot of a pull.
type PullProgress struct {
	LayersDone  int
	LayersTotal int
	BytesDone   int64
	BytesTotal  int64
}

// LocalImage is one image on the host.
type LocalImage struct {
	ID string
	// Tags are the image's references in normalized familiar form ("desktop:latest",
	// "127.0.0.1:5000/team/desktop:1"); empty for a dangling image.
	Tags []string
	// Digests are the image's "repository@sha256:..." registry digests.
	Digests   []string
	SizeBytes int64
}

// DigestFor returns the registry digest of tag's repository among the image's digests.
func (l LocalImage) DigestFor(tag string) string { return digestFor(tag, l.Digests) }

// NormalizeReference returns ref in familiar form with a tag, as the server names images
// ("desktop" → "desktop:latest"), or ref unchanged when it does not parse.
func NormalizeReference(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.FamiliarString(reference.TagNameOnly(named))
}

// PullError is a failed pull, with the registry's or engine's words.
type PullError struct{ Msg string }

func (e *PullError) Error() string { return e.Msg }

// PullImage pulls ref through the engine. The registry's credentials go to the engine in the
// X-Registry-Auth header, base64url JSON, and nowhere else; error texts are scrubbed of the
// password should an engine ever echo it.
func (d *Docker) PullImage(ctx context.Context, ref string, auth *RegistryAuth, progress func(PullProgress)) (string, error) {
	opts := image.PullOptions{}
	if auth != nil && (auth.Username != "" || auth.Password != "") {
		enc, err := registry.EncodeAuthConfig(registry.AuthConfig{Username: auth.Username, Password: auth.Password, ServerAddress: auth.ServerAddress})
		if err != nil {
			return "", err
		}
		opts.RegistryAuth = enc
	}
	scrub := func(s string) string {
		if auth != nil && auth.Password != "" {
			s = strings.ReplaceAll(s, auth.Password, "***")
		}
		return s
	}
	rc, err := d.cli.ImagePull(ctx, ref, opts)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &PullError{Msg: scrub(strings.TrimPrefix(err.Error(), "Error response from daemon: "))}
	}
	defer rc.Close()
	digest, err := decodePull(rc, progress)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var pe *PullError
		if errors.As(err, &pe) {
			pe.Msg = scrub(pe.Msg)
			return "", pe
		}
		return "", engineErr("pull "+ref, err)
	}
	return digest, nil
}

// pullMessage is one line of the engine's pull stream (its jsonmessage format).
type pullMessage struct {
	Status         string `json:"status"`
	ID             string `json:"id"`
	ProgressDetail struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

type layerProgress struct {
	done         bool
	current, tot int64
}

// decodePull reads the engine's pull stream to its end, reporting layers and bytes, and
// returns the digest it announced; an error line becomes a *PullError.
func decodePull(r io.Reader, progress func(PullProgress)) (string, error) {
	dec := json.NewDecoder(r)
	layers := map[string]*layerProgress{}
	var digest string
	report := func() {
		if progress == nil {
			return
		}
		var p PullProgress
		for _, l := range layers {
			p.LayersTotal++
			if l.done {
				p.LayersDone++
			}
			p.BytesDone += l.current
			p.BytesTotal += l.tot
		}
		progress(p)
	}
	for {
		var m pullMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return digest, nil
			}
			return "", err
		}
		if m.ErrorDetail != nil || m.Error != "" {
			msg := m.Error
			if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
				msg = m.ErrorDetail.Message
			}
			return "", &PullError{Msg: msg}
		}
		if d, ok := strings.CutPrefix(m.Status, "Digest: "); ok {
			digest = strings.TrimSpace(d)
			continue
		}
		if m.ID == "" || strings.HasPrefix(m.Status, "Pulling from") {
			continue
		}
		l := layers[m.ID]
		if l == nil {
			l = &layerProgress{}
			layers[m.ID] = l
		}
		switch m.Status {
		case "Downloading":
			l.current, l.tot = m.ProgressDetail.Current, max(m.ProgressDetail.Total, l.tot)
		case "Download complete", "Verifying Checksum":
			l.current = max(l.current, l.tot)
		case "Pull complete", "Already exists":
			l.done = true
			l.current = max(l.current, l.tot)
		default:
			continue // "Pulling fs layer", "Waiting", "Extracting": the layer is known, nothing more
		}
		report()
	}
}

// LocalImages lists the host's top-level images, dangling ones included.
func (d *Docker) LocalImages(ctx context.Context) ([]LocalImage, error) {
	list, err := d.cli.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return nil, engineErr("list images", err)
	}
	out := make([]LocalImage, 0, len(list))
	for _, im := range list {
		li := LocalImage{ID: im.ID, Digests: im.RepoDigests, SizeBytes: im.Size}
		for _, t := range im.RepoTags {
			if t == "" || t == "<none>:<none>" {
				continue
			}
			li.Tags = append(li.Tags, NormalizeReference(t))
		}
		sort.Strings(li.Tags)
		out = append(out, li)
	}
	return out, nil
}

// ImagesInUse returns the image ids of every container on the host.
func (d *Docker) ImagesInUse(ctx context.Context) (map[string]bool, error) {
	cs, err := d.cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return nil, engineErr("list containers", err)
	}
	out := make(map[string]bool, len(cs))
	for _, c := range cs {
		out[c.ImageID] = true
	}
	return out, nil
}

// RemoveImage untags ref, or removes an untagged image by id; the engine refuses (and this
// returns the refusal) when a container uses it.
func (d *Docker) RemoveImage(ctx context.Context, refOrID string) error {
	if _, err := d.cli.ImageRemove(ctx, refOrID, image.RemoveOptions{PruneChildren: true}); err != nil {
		return engineErr(fmt.Sprintf("remove image %s", refOrID), err)
	}
	return nil
}

// NetworkNames lists the host's Docker networks.
func (d *Docker) NetworkNames(ctx context.Context) ([]string, error) {
	nets, err := d.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return nil, engineErr("list networks", err)
	}
	out := make([]string, 0, len(nets))
	for _, n := range nets {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out, nil
}
