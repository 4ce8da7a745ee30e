package catalog

import (
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

func TestPullReference(t *testing.T) {
	for _, tc := range []struct{ image, registry, want string }{
		{"desktop:1.0", "", "desktop:1.0"},
		{"desktop", "", "desktop:latest"},
		{"desktop:1.0", "127.0.0.1:5000", "127.0.0.1:5000/desktop:1.0"},
		{"https://127.0.0.1:5000", "", "https://127.0.0.1:5000"},
		{"127.0.0.1:5000/team/desktop:2", "https://127.0.0.1:5000", "127.0.0.1:5000/team/desktop:2"},
		{"docker.io/library/desktop:1", "", "desktop:1"},
	} {
		if got := PullReference(model.ContainerSpec{Image: tc.image, Registry: tc.registry}); got != tc.want {
			t.Errorf("PullReference(%q, %q) = %q, want %q", tc.image, tc.registry, got, tc.want)
		}
	}
}
