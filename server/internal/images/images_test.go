package images

import (
	"slices"
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

func ws(id, image, registry, network string, enabled bool, zones ...string) *model.Workspace {
	return &model.Workspace{ID: id, Kind: model.KindContainer, Enabled: enabled, ZoneIDs: zones,
		Container: model.ContainerSpec{Image: image, Registry: registry, RegistryUsername: "bot", RegistryPassword: "pw", DockerNetwork: network}}
}

// An agent holds the images of enabled container workspaces of its zone (no zones: any zone)
// whose network it has; workspaces without a registry are in the set, without credentials.
func TestDesired(t *testing.T) {
	list := []*model.Workspace{
		ws("a", "desk:1", "127.0.0.1:5000", "", true),
		ws("b", "desk:2", "127.0.0.1:5000", "", false),                       // disabled
		ws("c", "desk:3", "127.0.0.1:5000", "", true, "zone-2"),              // other zone
		ws("d", "desk:4", "127.0.0.1:5000", "", true, "zone-1"),              // this zone
		ws("e", "desk:5", "127.0.0.1:5000", "isolated", true),                // network missing
		ws("f", "desk:6", "127.0.0.1:5000", "bridge", true),                  // network present
		ws("g", "local/hand:1", "", "", true),                                // no registry
		{ID: "h", Kind: model.KindLink, Enabled: true, LinkURL: "https://x"}, // not a container
	}
	got := Desired(model.ImageTarget{AgentID: "x", ZoneID: "zone-1", Networks: []string{"bridge"}}, Candidates(list))
	var ids []string
	for _, d := range got {
		ids = append(ids, d.WorkspaceID)
	}
	if want := []string{"a", "d", "f", "g"}; !slices.Equal(ids, want) {
		t.Fatalf("desired workspaces %v, want %v (ordered by reference)", ids, want)
	}
	if got[0].Reference != "127.0.0.1:5000/desk:1" || got[0].Registry != "127.0.0.1:5000" || got[0].Password != "pw" {
		t.Errorf("first entry %+v", got[0])
	}
	if g := got[3]; g.Registry != "" || g.Username != "" || g.Password != "" || g.Reference != "local/hand:1" {
		t.Errorf("no-registry entry %+v: want no registry and no credentials", g)
	}
	// An agent without a zone gets only workspaces for every zone.
	got = Desired(model.ImageTarget{AgentID: "y"}, Candidates(list))
	if len(got) != 2 {
		t.Errorf("zoneless agent: %d images, want 2 (a, g)", len(got))
	}
}

func TestFingerprintSeesCredentials(t *testing.T) {
	a := []model.DesiredImage{{WorkspaceID: "a", Reference: "r/x:1", Registry: "r", Username: "u", Password: "p1"}}
	b := []model.DesiredImage{{WorkspaceID: "a", Reference: "r/x:1", Registry: "r", Username: "u", Password: "p2"}}
	if Fingerprint(a) == Fingerprint(b) {
		t.Error("a changed password does not change the fingerprint")
	}
	if Fingerprint(a) != Fingerprint(slices.Clone(a)) {
		t.Error("equal sets differ")
	}
	if Fingerprint(nil) == Fingerprint(a) {
		t.Error("empty and non-empty sets agree")
	}
}

func TestParsePruneMode(t *testing.T) {
	for in, want := range map[string]PruneMode{"": PruneDefault, "off": PruneOff, "Normal": PruneNormal, "aggressive": PruneAggressive} {
		if got, ok := ParsePruneMode(in); !ok || got != want {
			t.Errorf("ParsePruneMode(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := ParsePruneMode("all"); ok {
		t.Error("accepted \"all\"")
	}
}
