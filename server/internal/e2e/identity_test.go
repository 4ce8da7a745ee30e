package e2e

import (
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

func TestUserLifecycle(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	const pw = "correct horse battery"
	created, err := a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "bob", DisplayName: "Bob B.", Password: pw}})
	if err != nil {
		t.Fatal(err)
	}
	u := created.GetUser()
	if u.GetId() == "" || u.GetUsername() != "bob" || u.GetDisplayName() != "Bob B." || u.GetRole() != pb.Role_ROLE_USER || u.GetPassword() != "" || u.GetDisabled() {
		t.Fatalf("created user %v (role defaults to ROLE_USER, password never returned)", u)
	}
	if n := a.count(t, `SELECT count(*) FROM users WHERE password_hash LIKE '%' || $1 || '%'`, pw); n != 0 {
		t.Fatal("the password is stored in plaintext")
	}
	tok := a.login(t, "bob", pw)

	got, err := a.users.GetUser(ctx, &pb.GetUserRequest{Id: u.GetId()})
	if err != nil || got.GetUser().GetUsername() != "bob" {
		t.Fatalf("get: %v %v", got, err)
	}
	list, err := a.users.ListUsers(ctx, &pb.ListUsersRequest{})
	if err != nil || len(list.GetUsers()) != 2 || list.GetUsers()[0].GetUsername() != "admin" || list.GetUsers()[1].GetUsername() != "bob" {
		t.Fatalf("list: %v %v", list, err)
	}
	code, body := a.REST(t, http.MethodGet, "/v1/users/"+u.GetId(), a.AdminToken, "")
	if code != http.StatusOK || !strings.Contains(body, `"username":"bob"`) || strings.Contains(body, pw) || strings.Contains(body, "argon2") {
		t.Fatalf("REST get user: %d %s", code, body)
	}

	up, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: u.GetId(), DisplayName: "Robert"}, UpdateMask: mask("display_name")})
	if err != nil || up.GetUser().GetDisplayName() != "Robert" || up.GetUser().GetUsername() != "bob" || up.GetUser().GetRole() != pb.Role_ROLE_USER {
		t.Fatalf("masked update: %v %v", up, err)
	}
	if err := a.whoAmI(tok); err != nil {
		t.Fatalf("an update that does not touch the password signed the user out: %v", err)
	}
	a.login(t, "bob", pw)

	// User names are unique regardless of case.
	_, err = a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "BOB", Password: "another password"}})
	wantCode(t, err, codes.AlreadyExists)
	_, err = a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "carol"}})
	wantInvalid(t, err, "user.password")
	_, err = a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "carol", Password: "short"}})
	wantInvalid(t, err, "user.password")
	_, err = a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Password: "long enough pw"}})
	wantInvalid(t, err, "user.username")

	if _, err := a.users.DeleteUser(ctx, &pb.DeleteUserRequest{Id: u.GetId()}); err != nil {
		t.Fatal(err)
	}
	_, err = a.users.GetUser(ctx, &pb.GetUserRequest{Id: u.GetId()})
	wantCode(t, err, codes.NotFound)
	wantCode(t, a.whoAmI(tok), codes.Unauthenticated)
	_, err = a.auth.Login(t.Context(), &pb.LoginRequest{Username: "bob", Password: pw})
	wantCode(t, err, codes.Unauthenticated)
	_, err = a.users.DeleteUser(ctx, &pb.DeleteUserRequest{Id: u.GetId()})
	wantCode(t, err, codes.NotFound)
}

func TestUsersCannotCallAdminRPCs(t *testing.T) {
	a := start(t)
	_, tok := a.NewUser(t, "mallory")
	ctx := apptest.As(t.Context(), tok)

	_, err := a.zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "mine"}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.users.ListUsers(ctx, &pb.ListUsersRequest{})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "eve", Password: "password123", Role: pb.Role_ROLE_ADMIN}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.workspaces.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: container("Mine")})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.groups.ListGroups(ctx, &pb.ListGroupsRequest{})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.agents.ListAgents(ctx, &pb.ListAgentsRequest{})
	wantCode(t, err, codes.PermissionDenied)

	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/users", ""},
		{http.MethodPost, "/v1/zones", `{"zone":{"name":"mine"}}`},
		{http.MethodPost, "/v1/users", `{"user":{"username":"eve","password":"password123","role":"ROLE_ADMIN"}}`},
		{http.MethodGet, "/v1/auditEvents", ""},
	} {
		code, body := a.REST(t, c.method, c.path, tok, c.body)
		wantREST(t, code, body, http.StatusForbidden, codes.PermissionDenied)
	}
	if n := a.count(t, `SELECT count(*) FROM users`); n != 2 {
		t.Fatalf("%d users after refused creates", n)
	}
	if n := a.count(t, `SELECT count(*) FROM zones`); n != 0 {
		t.Fatalf("%d zones after refused creates", n)
	}

	// Without any credential the same calls are Unauthenticated, not PermissionDenied.
	_, err = a.users.ListUsers(t.Context(), &pb.ListUsersRequest{})
	wantCode(t, err, codes.Unauthenticated)
	code, body := a.REST(t, http.MethodGet, "/v1/users", "", "")
	wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)
}

func TestWorkspaceVisibilityFollowsGroups(t *testing.T) {
	a := start(t)
	admin := a.Admin(t.Context())
	allowed := a.createWorkspace(t, container("Allowed"))
	hidden := a.createWorkspace(t, container("Hidden"))
	u, tok := a.NewUser(t, "dana")
	ctx := apptest.As(t.Context(), tok)
	visible := func() []string {
		t.Helper()
		l, err := a.workspaces.ListWorkspaces(ctx, &pb.ListWorkspacesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, w := range l.GetWorkspaces() {
			names = append(names, w.GetName())
		}
		return names
	}

	if v := visible(); len(v) != 0 {
		t.Fatalf("user in no group sees %v", v)
	}
	_, err := a.workspaces.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: allowed.GetId()})
	wantCode(t, err, codes.NotFound)
	code, body := a.REST(t, http.MethodGet, "/v1/workspaces/"+allowed.GetId(), tok, "")
	wantREST(t, code, body, http.StatusNotFound, codes.NotFound)

	// A group that allows the workspace, but without the user, changes nothing.
	g, err := a.groups.CreateGroup(admin, &pb.CreateGroupRequest{Group: &pb.Group{Name: "designers", WorkspaceIds: []string{allowed.GetId()}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := visible(); len(v) != 0 {
		t.Fatalf("user outside the group sees %v", v)
	}

	// Adding the user makes exactly the group's workspace visible.
	if _, err := a.groups.UpdateGroup(admin, &pb.UpdateGroupRequest{Group: &pb.Group{Id: g.GetGroup().GetId(), MemberIds: []string{u.GetId()}},
		UpdateMask: mask("member_ids")}); err != nil {
		t.Fatal(err)
	}
	if v := visible(); strings.Join(v, ",") != "Allowed" {
		t.Fatalf("group member sees %v, want [Allowed]", v)
	}
	if got, err := a.workspaces.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: allowed.GetId()}); err != nil || got.GetWorkspace().GetName() != "Allowed" {
		t.Fatalf("get allowed: %v %v", got, err)
	}
	_, err = a.workspaces.GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: hidden.GetId()})
	wantCode(t, err, codes.NotFound)
	if me, err := a.auth.GetCurrentUser(ctx, &pb.GetCurrentUserRequest{}); err != nil || len(me.GetUser().GetGroupIds()) != 1 || me.GetUser().GetGroupIds()[0] != g.GetGroup().GetId() {
		t.Fatalf("current user's groups: %v %v", me, err)
	}
	// The group kept its workspaces when the mask named only the members.
	if gg, _ := a.groups.GetGroup(admin, &pb.GetGroupRequest{Id: g.GetGroup().GetId()}); len(gg.GetGroup().GetWorkspaceIds()) != 1 {
		t.Fatalf("group after masked member update: %v", gg)
	}
	// Users still cannot change workspaces they can see.
	_, err = a.workspaces.UpdateWorkspace(ctx, &pb.UpdateWorkspaceRequest{Workspace: &pb.Workspace{Id: allowed.GetId(), Name: "Mine"}, UpdateMask: mask("name")})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.workspaces.DeleteWorkspace(ctx, &pb.DeleteWorkspaceRequest{Id: allowed.GetId()})
	wantCode(t, err, codes.PermissionDenied)

	// Deleting the group hides it again; the admin always sees everything.
	if _, err := a.groups.DeleteGroup(admin, &pb.DeleteGroupRequest{Id: g.GetGroup().GetId()}); err != nil {
		t.Fatal(err)
	}
	if v := visible(); len(v) != 0 {
		t.Fatalf("after the group is gone the user sees %v", v)
	}
	if l, err := a.workspaces.ListWorkspaces(admin, &pb.ListWorkspacesRequest{}); err != nil || len(l.GetWorkspaces()) != 2 {
		t.Fatalf("admin list: %v %v", l, err)
	}

	// A group cannot name users or workspaces that do not exist.
	_, err = a.groups.CreateGroup(admin, &pb.CreateGroupRequest{Group: &pb.Group{Name: "ghosts", MemberIds: []string{hidden.GetId()}}})
	wantInvalid(t, err, "group.member_ids")
}

func TestLastAdminIsKept(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	me, err := a.auth.GetCurrentUser(ctx, &pb.GetCurrentUserRequest{})
	if err != nil {
		t.Fatal(err)
	}
	adminID := me.GetUser().GetId()

	_, err = a.users.DeleteUser(ctx, &pb.DeleteUserRequest{Id: adminID})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: adminID, Role: pb.Role_ROLE_USER}, UpdateMask: mask("role")})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: adminID, Disabled: true}, UpdateMask: mask("disabled")})
	wantCode(t, err, codes.FailedPrecondition)
	code, body := a.REST(t, http.MethodDelete, "/v1/users/"+adminID, a.AdminToken, "")
	wantREST(t, code, body, http.StatusBadRequest, codes.FailedPrecondition)
	if got, err := a.users.GetUser(ctx, &pb.GetUserRequest{Id: adminID}); err != nil || got.GetUser().GetRole() != pb.Role_ROLE_ADMIN || got.GetUser().GetDisabled() {
		t.Fatalf("admin after refused changes: %v %v", got, err)
	}

	// A disabled second admin does not count.
	second, err := a.users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: "root2", Password: "second admin pw", Role: pb.Role_ROLE_ADMIN, Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.users.DeleteUser(ctx, &pb.DeleteUserRequest{Id: adminID})
	wantCode(t, err, codes.FailedPrecondition)

	// Once another admin is enabled, the first may step down.
	if _, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: second.GetUser().GetId()}, UpdateMask: mask("disabled")}); err != nil {
		t.Fatal(err)
	}
	tok2 := a.login(t, "root2", "second admin pw")
	if _, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: adminID, Role: pb.Role_ROLE_USER}, UpdateMask: mask("role")}); err != nil {
		t.Fatalf("demote with another admin present: %v", err)
	}
	// The demotion applies at once to the demoted admin's token.
	_, err = a.users.ListUsers(ctx, &pb.ListUsersRequest{})
	wantCode(t, err, codes.PermissionDenied)
	// And now root2 is the last one.
	_, err = a.users.DeleteUser(apptest.As(t.Context(), tok2), &pb.DeleteUserRequest{Id: second.GetUser().GetId()})
	wantCode(t, err, codes.FailedPrecondition)
}

func TestPasswordChange(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	u, tok1 := a.NewUser(t, "erin")
	tok2 := a.login(t, "erin", "password-erin")

	_, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: u.GetId()}, UpdateMask: mask("password")})
	wantInvalid(t, err, "user.password")
	if err := a.whoAmI(tok1); err != nil {
		t.Fatalf("refused password change signed the user out: %v", err)
	}

	if _, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: u.GetId(), Password: "brand new password"}, UpdateMask: mask("password")}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{tok1, tok2} {
		wantCode(t, a.whoAmI(tok), codes.Unauthenticated)
	}
	code, body := a.REST(t, http.MethodGet, "/v1/auth/me", tok1, "")
	wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)
	_, err = a.auth.Login(t.Context(), &pb.LoginRequest{Username: "erin", Password: "password-erin"})
	wantCode(t, err, codes.Unauthenticated)
	fresh := a.login(t, "erin", "brand new password")
	if err := a.whoAmI(fresh); err != nil {
		t.Fatalf("new token: %v", err)
	}
	// The rest of the user is untouched.
	if got, _ := a.users.GetUser(ctx, &pb.GetUserRequest{Id: u.GetId()}); got.GetUser().GetUsername() != "erin" || got.GetUser().GetRole() != pb.Role_ROLE_USER {
		t.Fatalf("user after password change: %v", got)
	}
}

func TestDisabledUserIsLockedOut(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	u, tok := a.NewUser(t, "frank")
	key, err := a.keys.CreateApiKey(apptest.As(t.Context(), tok), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "script"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.whoAmI(key.GetSecret()); err != nil {
		t.Fatal(err)
	}

	if _, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: u.GetId(), Disabled: true}, UpdateMask: mask("disabled")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.whoAmI(tok), codes.Unauthenticated)
	wantCode(t, a.whoAmI(key.GetSecret()), codes.Unauthenticated)
	_, err = a.auth.Login(t.Context(), &pb.LoginRequest{Username: "frank", Password: "password-frank"})
	wantCode(t, err, codes.Unauthenticated)

	// Enabling again lets the user sign in; the key works again too.
	if _, err := a.users.UpdateUser(ctx, &pb.UpdateUserRequest{User: &pb.User{Id: u.GetId()}, UpdateMask: mask("disabled")}); err != nil {
		t.Fatal(err)
	}
	if err := a.whoAmI(a.login(t, "frank", "password-frank")); err != nil {
		t.Fatal(err)
	}
	if err := a.whoAmI(key.GetSecret()); err != nil {
		t.Fatalf("API key after re-enabling: %v", err)
	}
}

func TestLogin(t *testing.T) {
	a := start(t)
	a.NewUser(t, "gina")
	_, errWrong := a.auth.Login(t.Context(), &pb.LoginRequest{Username: "gina", Password: "wrong password"})
	stWrong := wantCode(t, errWrong, codes.Unauthenticated)
	_, errUnknown := a.auth.Login(t.Context(), &pb.LoginRequest{Username: "nobody", Password: "wrong password"})
	stUnknown := wantCode(t, errUnknown, codes.Unauthenticated)
	if stWrong.Message() != stUnknown.Message() {
		t.Errorf("wrong password (%q) and unknown user (%q) are told apart", stWrong.Message(), stUnknown.Message())
	}
	code, body := a.REST(t, http.MethodPost, "/v1/auth:login", "", `{"username":"gina","password":"wrong password"}`)
	wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)

	code, body = a.REST(t, http.MethodPost, "/v1/auth:login", "", `{"username":"GINA","password":"password-gina"}`)
	if code != http.StatusOK {
		t.Fatalf("REST login (user names are case-insensitive): %d %s", code, body)
	}
	var l struct {
		Token      string `json:"token"`
		ExpireTime string `json:"expireTime"`
		User       struct {
			Username string `json:"username"`
		} `json:"user"`
	}
	decode(t, body, &l)
	if !strings.HasPrefix(l.Token, "hdt_") || l.ExpireTime == "" || l.User.Username != "gina" {
		t.Fatalf("login body %s", body)
	}
	code, body = a.REST(t, http.MethodGet, "/v1/auth/me", l.Token, "")
	if code != http.StatusOK || !strings.Contains(body, `"username":"gina"`) {
		t.Fatalf("REST me: %d %s", code, body)
	}

	// Credentials that are not bearer tokens of this server are refused.
	for _, h := range []string{"Basic Z2luYTpwdw==", "Bearer hdt_madeup", "Bearer something-else", "Bearer "} {
		ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", h)
		_, err := a.auth.GetCurrentUser(ctx, &pb.GetCurrentUserRequest{})
		wantCode(t, err, codes.Unauthenticated)
	}
	_, err := a.auth.Login(t.Context(), &pb.LoginRequest{Username: "gina"})
	wantInvalid(t, err, "password")
}

func TestLogoutRevokesOnlyThatToken(t *testing.T) {
	a := start(t)
	_, tok1 := a.NewUser(t, "hank")
	tok2 := a.login(t, "hank", "password-hank")
	if _, err := a.auth.Logout(apptest.As(t.Context(), tok1), &pb.LogoutRequest{}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.whoAmI(tok1), codes.Unauthenticated)
	if err := a.whoAmI(tok2); err != nil {
		t.Fatalf("logout revoked the user's other token: %v", err)
	}
	code, body := a.REST(t, http.MethodPost, "/v1/auth:logout", tok2, `{}`)
	if code != http.StatusOK {
		t.Fatalf("REST logout: %d %s", code, body)
	}
	wantCode(t, a.whoAmI(tok2), codes.Unauthenticated)
	_, err := a.auth.Logout(t.Context(), &pb.LogoutRequest{})
	wantCode(t, err, codes.Unauthenticated)

	// An API key is not logged out; it is deleted.
	key, err := a.keys.CreateApiKey(a.Admin(t.Context()), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "k"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.auth.Logout(apptest.As(t.Context(), key.GetSecret()), &pb.LogoutRequest{})
	wantCode(t, err, codes.FailedPrecondition)
	if err := a.whoAmI(key.GetSecret()); err != nil {
		t.Fatalf("refused logout broke the key: %v", err)
	}
}

func TestGetCurrentUser(t *testing.T) {
	a := start(t)
	u, tok := a.NewUser(t, "ivy")
	me, err := a.auth.GetCurrentUser(apptest.As(t.Context(), tok), &pb.GetCurrentUserRequest{})
	if err != nil || me.GetUser().GetId() != u.GetId() || me.GetUser().GetUsername() != "ivy" || me.GetUser().GetRole() != pb.Role_ROLE_USER {
		t.Fatalf("user me: %v %v", me, err)
	}
	me, err = a.auth.GetCurrentUser(a.Admin(t.Context()), &pb.GetCurrentUserRequest{})
	if err != nil || me.GetUser().GetUsername() != "admin" || me.GetUser().GetRole() != pb.Role_ROLE_ADMIN {
		t.Fatalf("admin me: %v %v", me, err)
	}
	wantCode(t, a.whoAmI(""), codes.Unauthenticated)
	_, err = a.auth.GetCurrentUser(t.Context(), &pb.GetCurrentUserRequest{})
	wantCode(t, err, codes.Unauthenticated)
}
