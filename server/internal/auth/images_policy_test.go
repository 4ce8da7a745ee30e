package auth_test

import (
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/auth"
)

// Image statuses name agents and registries: administrators only, and read-only keys may list
// them.
func TestImageStatusesAreForAdministrators(t *testing.T) {
	p := auth.DefaultPolicy()
	const m = "/hotdesk.v1.WorkspaceService/ListImageStatuses"
	if p.Required(m) != auth.AccessAdmin {
		t.Fatalf("%s needs %v, want admin", m, p.Required(m))
	}
	if err := p.Authorize(m, user); err == nil {
		t.Error("a user may list image statuses")
	}
	if err := p.Authorize(m, adminKeyRO); err != nil {
		t.Errorf("a read-only admin key: %v", err)
	}
}
