package runtime

import (
	"sort"
	"strings"
)

// PruneInput is what a prune decision is made from.
type PruneInput struct {
	// Images are the host's images (LocalImages).
	Images []LocalImage
	// InUse holds the ids of images that containers use, running or not: never removed.
	InUse map[string]bool
	// Desired holds the normalized references of the desired set: never removed.
	Desired map[string]bool
	// PulledRefs and PulledIDs are what the agent pulled itself (its record in the state
	// directory): references, and image ids (current and superseded builds).
	PulledRefs map[string]bool
	PulledIDs  map[string]bool
	// Aggressive also removes images the agent did not pull.
	Aggressive bool
	// Scope, when set, limits removal to tags with this prefix and to untagged images the agent
	// pulled itself; tests use it to stay off images they do not own on a shared engine.
	Scope string
}

// PruneCandidates returns, in removal order, the tags and then the ids of untagged images to
// remove. Normal mode takes the tags the agent pulled that are no longer desired and the old
// builds it pulled that a refresh left untagged; aggressive mode takes every tag not desired
// and every untagged image. An image a container uses, or one carrying any desired tag, is
// never touched.
func PruneCandidates(in PruneInput) []string {
	var tags, ids []string
	for _, im := range in.Images {
		if in.InUse[im.ID] {
			continue
		}
		desired := false
		for _, t := range im.Tags {
			if in.Desired[t] {
				desired = true
				break
			}
		}
		if desired {
			continue
		}
		if len(im.Tags) == 0 {
			if in.PulledIDs[im.ID] || (in.Aggressive && in.Scope == "") {
				ids = append(ids, im.ID)
			}
			continue
		}
		for _, t := range im.Tags {
			if in.Scope != "" && !strings.HasPrefix(t, in.Scope) {
				continue
			}
			if in.PulledRefs[t] || in.Aggressive {
				tags = append(tags, t)
			}
		}
	}
	sort.Strings(tags)
	sort.Strings(ids)
	return append(tags, ids...)
}
