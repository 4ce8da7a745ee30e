package auth_test

import (
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/model"
)

var (
	admin        = &auth.Principal{UserID: "a", Role: model.RoleAdmin}
	user         = &auth.Principal{UserID: "u", Role: model.RoleUser}
	adminKeyRO   = &auth.Principal{UserID: "a", Role: model.RoleAdmin, APIKeyID: "k1", Scope: model.ScopeReadOnly}
	userKeyRO    = &auth.Principal{UserID: "u", Role: model.RoleUser, APIKeyID: "k2", Scope: model.ScopeReadOnly}
	adminKeyFull = &auth.Principal{UserID: "a", Role: model.RoleAdmin, APIKeyID: "k3", Scope: model.ScopeFull}
)

// publicFiles are the contracts whose every method must be classified by the policy.
var publicFiles = []protoreflect.FileDescriptor{
	pb.File_hotdesk_v1_auth_proto, pb.File_hotdesk_v1_zone_proto, pb.File_hotdesk_v1_workspace_proto,
	pb.File_hotdesk_v1_user_proto, pb.File_hotdesk_v1_group_proto, pb.File_hotdesk_v1_api_key_proto,
	pb.File_hotdesk_v1_agent_proto, pb.File_hotdesk_v1_audit_proto, pb.File_hotdesk_v1_session_proto,
	pb.File_hotdesk_v1_pool_proto, pb.File_hotdesk_v1_server_proto,
}

type method struct {
	full string
	desc protoreflect.MethodDescriptor
}

func methods(files ...protoreflect.FileDescriptor) []method {
	var out []method
	for _, f := range files {
		for i := 0; i < f.Services().Len(); i++ {
			s := f.Services().Get(i)
			for j := 0; j < s.Methods().Len(); j++ {
				m := s.Methods().Get(j)
				out = append(out, method{full: "/" + string(s.FullName()) + "/" + string(m.Name()), desc: m})
			}
		}
	}
	return out
}

// userMethods are what a plain user may call; everything else in the public API is admin only.
var userMethods = map[string]bool{
	"/hotdesk.v1.AuthService/Login": true, "/hotdesk.v1.AuthService/Logout": true, "/hotdesk.v1.AuthService/GetCurrentUser": true,
	"/hotdesk.v1.AuthService/ChangePassword": true, "/hotdesk.v1.ZoneService/GetZone": true, "/hotdesk.v1.ZoneService/ListZones": true,
	"/hotdesk.v1.WorkspaceService/GetWorkspace": true, "/hotdesk.v1.WorkspaceService/ListWorkspaces": true,
	"/hotdesk.v1.ApiKeyService/CreateApiKey": true, "/hotdesk.v1.ApiKeyService/GetApiKey": true,
	"/hotdesk.v1.ApiKeyService/ListApiKeys": true, "/hotdesk.v1.ApiKeyService/DeleteApiKey": true,
}

func isUserService(full string) bool {
	svc, _ := auth.SplitMethod(full)
	return svc == "hotdesk.v1.SessionService"
}

func TestPolicyClassifiesEveryPublicMethod(t *testing.T) {
	p := auth.DefaultPolicy()
	for _, m := range methods(publicFiles...) {
		if p.Required(m.full) == auth.AccessDenied {
			t.Errorf("%s has no access rule: it would be refused to everyone", m.full)
		}
		if m.full == "/hotdesk.v1.AuthService/Login" {
			continue
		}
		if err := p.Authorize(m.full, nil); !model.IsCode(err, model.CodeUnauthenticated) {
			t.Errorf("%s without a credential: %v, want Unauthenticated", m.full, err)
		}
		if err := p.Authorize(m.full, admin); err != nil {
			t.Errorf("%s refused an administrator: %v", m.full, err)
		}
		err := p.Authorize(m.full, user)
		switch {
		case userMethods[m.full] || isUserService(m.full):
			if err != nil {
				t.Errorf("%s refused a user: %v", m.full, err)
			}
		case !model.IsCode(err, model.CodePermissionDenied):
			t.Errorf("admin-only %s allowed a user (%v)", m.full, err)
		}
	}
	if err := p.Authorize("/hotdesk.v1.AuthService/Login", nil); err != nil {
		t.Errorf("Login needs no credential, got %v", err)
	}
}

// TestReadOnlyScope: a read-only key may call exactly the methods that only read, and the
// policy's idea of "only reads" agrees with the HTTP verb of each method's REST mapping.
func TestReadOnlyScope(t *testing.T) {
	p := auth.DefaultPolicy()
	for _, m := range methods(publicFiles...) {
		rule, _ := proto.GetExtension(m.desc.Options(), annotations.E_Http).(*annotations.HttpRule)
		if rule != nil && (rule.GetGet() != "") != auth.IsReadOnly(m.full) {
			t.Errorf("%s: REST verb GET=%v but IsReadOnly=%v", m.full, rule.GetGet() != "", auth.IsReadOnly(m.full))
		}
		for _, who := range []*auth.Principal{adminKeyRO, userKeyRO} {
			err := p.Authorize(m.full, who)
			if auth.IsReadOnly(m.full) {
				if err != nil && (who == adminKeyRO || userMethods[m.full] || isUserService(m.full)) {
					t.Errorf("read-only key (role %d) refused read %s: %v", who.Role, m.full, err)
				}
				continue
			}
			if m.full == "/hotdesk.v1.AuthService/Login" {
				continue
			}
			if !model.IsCode(err, model.CodePermissionDenied) {
				t.Errorf("read-only key (role %d) allowed write %s (%v)", who.Role, m.full, err)
			}
		}
		if err := p.Authorize(m.full, adminKeyFull); err != nil {
			t.Errorf("full admin key refused %s: %v", m.full, err)
		}
	}
}

func TestPolicyDeniesUnknownMethods(t *testing.T) {
	p := auth.DefaultPolicy()
	for _, m := range []string{
		"", "/", "//", "/hotdesk.v1.NoSuchService/GetThing", "/hotdesk.v2.ZoneService/GetZone",
		"/HOTDESK.V1.ZONESERVICE/GetZone", "/hotdesk.v1.ZoneService/GetZone/extra", "hotdesk.v1.ZoneService",
		"/grpc.health.v2.Health/Check", "/grpc.reflection.v2.ServerReflection/ServerReflectionInfo",
		"/hotdesk.agent.v2.ManagerService/Enroll", "/hotdesk.v1.ZoneService /GetZone", "/ hotdesk.v1.ZoneService/GetZone",
	} {
		if p.Required(m) != auth.AccessDenied {
			t.Errorf("unknown method %q needs %d, want AccessDenied", m, p.Required(m))
		}
		for _, who := range []*auth.Principal{nil, user, admin, adminKeyFull} {
			if err := p.Authorize(m, who); !model.IsCode(err, model.CodePermissionDenied) {
				t.Errorf("unknown method %q allowed to %+v (%v)", m, who, err)
			}
		}
	}
}

func TestPolicyInfrastructureMethods(t *testing.T) {
	p := auth.DefaultPolicy()
	for _, m := range []string{"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"} {
		if err := p.Authorize(m, nil); err != nil {
			t.Errorf("%s should be public: %v", m, err)
		}
	}
	// Agents authenticate themselves (enrollment token or certificate), not with a bearer.
	for _, m := range methods(agentpb.File_hotdesk_agent_v1_manager_proto) {
		if p.Required(m.full) != auth.AccessSelf {
			t.Errorf("%s needs %d, want AccessSelf", m.full, p.Required(m.full))
		}
	}
	// A service not in the public API is not reachable by being listed under a known prefix.
	if err := p.Authorize("/hotdesk.v1.ZoneService/CreateZone", user); !model.IsCode(err, model.CodePermissionDenied) {
		t.Errorf("user CreateZone: %v", err)
	}
}
