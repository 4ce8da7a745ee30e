package auth

import (
	"strings"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// Access is what an RPC requires of its caller.
type Access int

// Access levels.
const (
	// AccessDenied is the default for methods the policy does not know: fail closed.
	AccessDenied Access = iota
	// AccessPublic needs no credential (login, health, reflection).
	AccessPublic
	// AccessSelf authenticates on its own (agents: enrollment token or mTLS certificate).
	AccessSelf
	// AccessUser needs any signed-in user; handlers restrict users to their own resources.
	AccessUser
	// AccessAdmin needs the admin role.
	AccessAdmin
)

// Policy maps full RPC method names ("/pkg.Service/Method") to the access they need.
type Policy struct {
	methods  map[string]Access
	services map[string]Access
}

// DefaultPolicy is Hotdesk's access table. Services are admin-only unless listed otherwise.
func DefaultPolicy() *Policy {
	return &Policy{
		services: map[string]Access{
			"hotdesk.v1.ZoneService":                   AccessAdmin,
			"hotdesk.v1.WorkspaceService":              AccessAdmin,
			"hotdesk.v1.UserService":                   AccessAdmin,
			"hotdesk.v1.GroupService":                  AccessAdmin,
			"hotdesk.v1.AgentService":                  AccessAdmin,
			"hotdesk.v1.PoolService":                   AccessAdmin,
			"hotdesk.v1.ServerService":                 AccessAdmin,
			"hotdesk.v1.AuditService":                  AccessAdmin,
			"hotdesk.v1.SessionService":                AccessUser,
			"hotdesk.v1.ApiKeyService":                 AccessUser,
			"hotdesk.v1.AuthService":                   AccessUser,
			"hotdesk.agent.v1.ManagerService":          AccessSelf,
			"grpc.health.v1.Health":                    AccessPublic,
			"grpc.reflection.v1.ServerReflection":      AccessPublic,
			"grpc.reflection.v1alpha.ServerReflection": AccessPublic,
		},
		methods: map[string]Access{
			"/hotdesk.v1.AuthService/Login":               AccessPublic,
			"/hotdesk.v1.ZoneService/GetZone":             AccessUser,
			"/hotdesk.v1.ZoneService/ListZones":           AccessUser,
			"/hotdesk.v1.WorkspaceService/GetWorkspace":   AccessUser,
			"/hotdesk.v1.WorkspaceService/ListWorkspaces": AccessUser,
		},
	}
}

// Required returns the access a full method name needs.
func (p *Policy) Required(fullMethod string) Access {
	if a, ok := p.methods[fullMethod]; ok {
		return a
	}
	svc, m := SplitMethod(fullMethod)
	if m == "" || !strings.HasPrefix(fullMethod, "/") {
		// Not a "/pkg.Service/Method" name: fail closed rather than match the service.
		return AccessDenied
	}
	return p.services[svc]
}

// SplitMethod splits "/pkg.Service/Method" into service and method names.
func SplitMethod(fullMethod string) (service, method string) {
	s := strings.TrimPrefix(fullMethod, "/")
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// IsReadOnly reports whether a method only reads (Get, List, Watch), which read-only API keys
// may call.
func IsReadOnly(fullMethod string) bool {
	_, m := SplitMethod(fullMethod)
	return strings.HasPrefix(m, "Get") || strings.HasPrefix(m, "List") || strings.HasPrefix(m, "Watch")
}

// Authorize decides whether p may call fullMethod. It returns nil or a model error with the
// reason.
func (p *Policy) Authorize(fullMethod string, who *Principal) error {
	switch p.Required(fullMethod) {
	case AccessPublic, AccessSelf:
		return nil
	case AccessUser:
		if who == nil {
			return model.Unauthenticated("this call needs a credential: send \"authorization: Bearer <token or API key>\"")
		}
	case AccessAdmin:
		if who == nil {
			return model.Unauthenticated("this call needs a credential: send \"authorization: Bearer <token or API key>\"")
		}
		if !who.IsAdmin() {
			return model.PermissionDenied("%s needs the admin role", fullMethod)
		}
	default:
		return model.PermissionDenied("%s is not allowed", fullMethod)
	}
	if who.APIKeyID != "" && who.Scope == model.ScopeReadOnly && !IsReadOnly(fullMethod) {
		return model.PermissionDenied("this API key is read-only; %s changes state", fullMethod)
	}
	return nil
}
