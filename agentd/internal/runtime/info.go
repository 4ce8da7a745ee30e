package runtime

import (
	"context"
	"os"
	goruntime "runtime"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
)

// Info describes the host as the engine sees it.
func (d *Docker) Info(ctx context.Context) (HostInfo, error) {
	info, err := d.cli.Info(ctx)
	if err != nil {
		return HostInfo{}, engineErr("docker info", err)
	}
	nets, err := d.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return HostInfo{}, engineErr("list networks", err)
	}
	imgs, err := d.cli.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return HostInfo{}, engineErr("list images", err)
	}
	h := HostInfo{
		Hostname:      info.Name,
		OS:            info.OSType,
		Arch:          goArch(info.Architecture),
		Cores:         float64(info.NCPU),
		MemoryBytes:   info.MemTotal,
		CPUQuota:      info.CPUCfsQuota,
		DockerVersion: info.ServerVersion,
		DiskFreeBytes: diskFree(info.DockerRootDir),
	}
	if h.Hostname == "" {
		h.Hostname, _ = os.Hostname()
	}
	if h.OS == "" {
		h.OS = goruntime.GOOS
	}
	if _, ok := info.Runtimes["nvidia"]; ok {
		h.GPUs = countNvidiaGPUs()
	}
	for _, n := range nets {
		h.Networks = append(h.Networks, n.Name)
	}
	sort.Strings(h.Networks)
	for _, im := range imgs {
		for _, tag := range im.RepoTags {
			if tag == "" || tag == "<none>:<none>" {
				continue
			}
			h.Images = append(h.Images, Image{Reference: tag, ID: im.ID, Digest: digestFor(tag, im.RepoDigests), SizeBytes: im.Size})
		}
	}
	sort.Slice(h.Images, func(i, j int) bool { return h.Images[i].Reference < h.Images[j].Reference })
	return h, nil
}

// digestFor picks, among an image's "repo@sha256:..." digests, the one of tag's repository.
func digestFor(tag string, repoDigests []string) string {
	repo := tag
	if i := strings.LastIndex(tag, ":"); i > strings.LastIndex(tag, "/") {
		repo = tag[:i]
	}
	for _, rd := range repoDigests {
		if r, dg, ok := strings.Cut(rd, "@"); ok && r == repo {
			return dg
		}
	}
	return ""
}

// goArch names the engine's architecture (uname -m) as Go does.
func goArch(a string) string {
	switch a {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "i386", "i686":
		return "386"
	case "armv7l", "armv6l":
		return "arm"
	case "":
		return goruntime.GOARCH
	}
	return a
}

func countNvidiaGPUs() uint32 {
	entries, err := os.ReadDir("/proc/driver/nvidia/gpus")
	if err != nil {
		return 0
	}
	return uint32(len(entries))
}
