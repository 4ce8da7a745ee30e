package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

// A user changes their own password: over gRPC, then over REST. Each change keeps the calling
// sign-in, signs out every other one, leaves API keys alone, and only the new password logs in.
func TestChangeOwnPassword(t *testing.T) {
	a := start(t)
	u, tok := a.NewUser(t, "jules")
	other1, other2 := a.login(t, "jules", "password-jules"), a.login(t, "jules", "password-jules")
	key, err := a.keys.CreateApiKey(apptest.As(t.Context(), tok), &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "script"}})
	if err != nil {
		t.Fatal(err)
	}
	// Another user's sign-in is not touched.
	_, bystander := a.NewUser(t, "kim")

	const pw1, pw2 = "first new password", "second new password"
	got, err := a.auth.ChangePassword(apptest.As(t.Context(), tok), &pb.ChangePasswordRequest{CurrentPassword: "password-jules", NewPassword: pw1})
	if err != nil {
		t.Fatalf("gRPC ChangePassword: %v", err)
	}
	if got.GetRevokedLoginCount() != 2 {
		t.Errorf("revoked_login_count = %d, want the 2 other sign-ins", got.GetRevokedLoginCount())
	}
	if err := a.whoAmI(tok); err != nil {
		t.Fatalf("the sign-in that changed the password was signed out: %v", err)
	}
	for _, other := range []string{other1, other2} {
		wantCode(t, a.whoAmI(other), codes.Unauthenticated)
		code, body := a.REST(t, http.MethodGet, "/v1/auth/me", other, "")
		wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)
	}
	if err := a.whoAmI(key.GetSecret()); err != nil {
		t.Errorf("the user's API key stopped working: %v", err)
	}
	if err := a.whoAmI(bystander); err != nil {
		t.Errorf("another user's sign-in was revoked: %v", err)
	}
	_, err = a.auth.Login(t.Context(), &pb.LoginRequest{Username: "jules", Password: "password-jules"})
	wantCode(t, err, codes.Unauthenticated)
	if n := a.count(t, `SELECT count(*) FROM users WHERE password_hash LIKE '%' || $1 || '%'`, pw1); n != 0 {
		t.Fatal("the new password is stored in plaintext")
	}

	// Over REST, signed in with the new password.
	restTok := a.login(t, "jules", pw1)
	code, body := a.REST(t, http.MethodPost, "/v1/auth:changePassword", restTok,
		fmt.Sprintf(`{"currentPassword":%q,"newPassword":%q}`, pw1, pw2))
	if code != http.StatusOK || strings.Contains(body, pw1) || strings.Contains(body, pw2) {
		t.Fatalf("REST change password: %d %s", code, body)
	}
	var r struct {
		RevokedLoginCount int `json:"revokedLoginCount"`
	}
	decode(t, body, &r)
	if r.RevokedLoginCount != 1 {
		t.Errorf("REST revokedLoginCount = %d (%s), want 1 (the gRPC caller's sign-in)", r.RevokedLoginCount, body)
	}
	wantCode(t, a.whoAmI(tok), codes.Unauthenticated)
	code, body = a.REST(t, http.MethodGet, "/v1/auth/me", restTok, "")
	if code != http.StatusOK || !strings.Contains(body, `"username":"jules"`) {
		t.Fatalf("REST caller after its change: %d %s", code, body)
	}
	for _, old := range []string{"password-jules", pw1} {
		code, body = a.REST(t, http.MethodPost, "/v1/auth:login", "", fmt.Sprintf(`{"username":"jules","password":%q}`, old))
		wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)
	}
	code, body = a.REST(t, http.MethodPost, "/v1/auth:login", "", fmt.Sprintf(`{"username":"jules","password":%q}`, pw2))
	if code != http.StatusOK {
		t.Fatalf("REST login with the newest password: %d %s", code, body)
	}

	// The rest of the user is as it was; both changes are in the audit trail, as the user.
	cur, err := a.users.GetUser(a.Admin(t.Context()), &pb.GetUserRequest{Id: u.GetId()})
	if err != nil || cur.GetUser().GetUsername() != "jules" || cur.GetUser().GetRole() != pb.Role_ROLE_USER || cur.GetUser().GetDisabled() {
		t.Fatalf("user after password changes: %v %v", cur, err)
	}
	events, err := a.audit.ListAuditEvents(a.Admin(t.Context()), &pb.ListAuditEventsRequest{UserId: u.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	var changes int
	for _, e := range events.GetEvents() {
		if e.GetMethod() == "/hotdesk.v1.AuthService/ChangePassword" && e.GetCode() == "OK" && e.GetApiKeyId() == "" {
			changes++
		}
	}
	if changes != 2 {
		t.Errorf("%d successful ChangePassword audit events for the user, want 2: %v", changes, events.GetEvents())
	}
}

// Every refusal says why, names the field where there is one, and changes nothing: the old
// password still logs in and every sign-in still works.
func TestChangePasswordRefusals(t *testing.T) {
	a := start(t)
	_, tok := a.NewUser(t, "lee")
	other := a.login(t, "lee", "password-lee")
	ctx := apptest.As(t.Context(), tok)
	full, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "full"}})
	if err != nil {
		t.Fatal(err)
	}
	readOnly, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "ro", Scope: pb.ApiKeyScope_API_KEY_SCOPE_READ_ONLY}})
	if err != nil {
		t.Fatal(err)
	}
	const fresh = "a perfectly good new password"
	noSecrets := func(msg string) {
		t.Helper()
		for _, s := range []string{"password-lee", fresh, "wrong guess"} {
			if strings.Contains(msg, s) {
				t.Errorf("error message repeats a password: %s", msg)
			}
		}
	}

	// Wrong current password: INVALID_ARGUMENT on current_password.
	_, err = a.auth.ChangePassword(ctx, &pb.ChangePasswordRequest{CurrentPassword: "wrong guess", NewPassword: fresh})
	wantInvalid(t, err, "current_password", "current password")
	noSecrets(err.Error())
	code, body := a.REST(t, http.MethodPost, "/v1/auth:changePassword", tok, fmt.Sprintf(`{"currentPassword":"wrong guess","newPassword":%q}`, fresh))
	wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	if !strings.Contains(body, `"field":"current_password"`) {
		t.Errorf("REST refusal does not name current_password: %s", body)
	}
	noSecrets(body)

	// The new password equal to the current one.
	_, err = a.auth.ChangePassword(ctx, &pb.ChangePasswordRequest{CurrentPassword: "password-lee", NewPassword: "password-lee"})
	wantInvalid(t, err, "new_password", "differ")
	noSecrets(err.Error())

	// Contract rules: a new password under 8 characters, an empty current password.
	_, err = a.auth.ChangePassword(ctx, &pb.ChangePasswordRequest{CurrentPassword: "password-lee", NewPassword: "short"})
	wantInvalid(t, err, "new_password", "8")
	code, body = a.REST(t, http.MethodPost, "/v1/auth:changePassword", tok, `{"currentPassword":"password-lee","newPassword":"short"}`)
	wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	if !strings.Contains(body, "new_password") {
		t.Errorf("REST validation refusal does not name new_password: %s", body)
	}
	_, err = a.auth.ChangePassword(ctx, &pb.ChangePasswordRequest{NewPassword: fresh})
	wantInvalid(t, err, "current_password")

	// API keys cannot change the password, even with the right one: a leaked key must not be
	// enough to take the account over.
	for _, k := range []string{full.GetSecret(), readOnly.GetSecret()} {
		_, err = a.auth.ChangePassword(apptest.As(t.Context(), k), &pb.ChangePasswordRequest{CurrentPassword: "password-lee", NewPassword: fresh})
		wantCode(t, err, codes.PermissionDenied)
		code, body = a.REST(t, http.MethodPost, "/v1/auth:changePassword", k, fmt.Sprintf(`{"currentPassword":"password-lee","newPassword":%q}`, fresh))
		wantREST(t, code, body, http.StatusForbidden, codes.PermissionDenied)
		noSecrets(body)
	}
	_, err = a.auth.ChangePassword(apptest.As(t.Context(), full.GetSecret()), &pb.ChangePasswordRequest{CurrentPassword: "password-lee", NewPassword: fresh})
	if st := wantCode(t, err, codes.PermissionDenied); !strings.Contains(st.Message(), "sign in with your password") {
		t.Errorf("API key refusal %q does not say to sign in with the password", st.Message())
	}

	// No credential at all.
	_, err = a.auth.ChangePassword(t.Context(), &pb.ChangePasswordRequest{CurrentPassword: "password-lee", NewPassword: fresh})
	wantCode(t, err, codes.Unauthenticated)
	code, body = a.REST(t, http.MethodPost, "/v1/auth:changePassword", "", fmt.Sprintf(`{"currentPassword":"password-lee","newPassword":%q}`, fresh))
	wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)

	// Nothing changed.
	for _, b := range []string{tok, other, full.GetSecret(), readOnly.GetSecret()} {
		if err := a.whoAmI(b); err != nil {
			t.Errorf("a refused change broke a credential: %v", err)
		}
	}
	a.login(t, "lee", "password-lee")
	_, err = a.auth.Login(t.Context(), &pb.LoginRequest{Username: "lee", Password: fresh})
	wantCode(t, err, codes.Unauthenticated)
	// Refusals are audited too.
	events, err := a.audit.ListAuditEvents(a.Admin(t.Context()), &pb.ListAuditEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range events.GetEvents() {
		if e.GetMethod() == "/hotdesk.v1.AuthService/ChangePassword" {
			seen[e.GetCode()]++
		}
	}
	if seen["INVALID_ARGUMENT"] < 5 || seen["PERMISSION_DENIED"] < 4 || seen["UNAUTHENTICATED"] < 2 || seen["OK"] != 0 {
		t.Errorf("ChangePassword audit events by code: %v", seen)
	}
}
