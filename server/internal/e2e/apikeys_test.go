package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
)

func TestAPIKeySecretShownOnce(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	created, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "ci"}})
	if err != nil {
		t.Fatal(err)
	}
	secret, k := created.GetSecret(), created.GetApiKey()
	if !strings.HasPrefix(secret, "hdk_") || len(secret) < 40 || k.GetId() == "" || k.GetName() != "ci" ||
		k.GetScope() != pb.ApiKeyScope_API_KEY_SCOPE_FULL || k.GetCreateTime() == nil || k.GetExpireTime() != nil {
		t.Fatalf("created key %v secret %q", k, secret)
	}

	// Reads never show the secret.
	got, err := a.keys.GetApiKey(ctx, &pb.GetApiKeyRequest{Id: k.GetId()})
	if err != nil || got.GetApiKey().GetName() != "ci" {
		t.Fatalf("get: %v %v", got, err)
	}
	for _, path := range []string{"/v1/apiKeys/" + k.GetId(), "/v1/apiKeys", "/v1/apiKeys?userId=-"} {
		code, body := a.REST(t, http.MethodGet, path, a.AdminToken, "")
		if code != http.StatusOK || strings.Contains(body, secret) || strings.Contains(body, secret[4:20]) || !strings.Contains(body, k.GetId()) {
			t.Fatalf("REST %s: %d %s", path, code, body)
		}
	}

	// Stored only as a hash.
	var hash []byte
	if err := a.App.Store.Pool().QueryRow(t.Context(), `SELECT secret_hash FROM api_keys WHERE id = $1`, k.GetId()).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(secret)); !bytes.Equal(hash, sum[:]) {
		t.Fatalf("secret_hash is not the SHA-256 of the secret")
	}
	if n := a.count(t, `SELECT count(*) FROM api_keys WHERE row_to_json(api_keys)::text LIKE '%' || $1 || '%'`, secret[4:]); n != 0 {
		t.Fatal("the secret appears in the api_keys row")
	}

	// The key works as a bearer over gRPC and REST, as its owner.
	me, err := a.auth.GetCurrentUser(apptest.As(t.Context(), secret), &pb.GetCurrentUserRequest{})
	if err != nil || me.GetUser().GetUsername() != "admin" {
		t.Fatalf("gRPC with key: %v %v", me, err)
	}
	if _, err := a.zones.CreateZone(apptest.As(t.Context(), secret), &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "by-key"}}); err != nil {
		t.Fatalf("full key cannot write: %v", err)
	}
	code, body := a.REST(t, http.MethodGet, "/v1/zones", secret, "")
	if code != http.StatusOK || !strings.Contains(body, "by-key") {
		t.Fatalf("REST with key: %d %s", code, body)
	}
	if got, _ := a.keys.GetApiKey(ctx, &pb.GetApiKeyRequest{Id: k.GetId()}); got.GetApiKey().GetLastUsedTime() == nil {
		t.Errorf("last_used_time not set after use")
	}

	// A retried create with the same request_id returns the same key and no second secret.
	r1, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "retry"}, RequestId: "k-1"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "retry"}, RequestId: "k-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.GetApiKey().GetId() != r2.GetApiKey().GetId() || r2.GetSecret() != "" || r1.GetSecret() == "" {
		t.Fatalf("retried create: first %v %q, second %v %q", r1.GetApiKey().GetId(), r1.GetSecret(), r2.GetApiKey().GetId(), r2.GetSecret())
	}
	if err := a.whoAmI(r1.GetSecret()); err != nil {
		t.Fatalf("first secret of a retried create: %v", err)
	}

	// Deleting revokes it at once.
	if _, err := a.keys.DeleteApiKey(ctx, &pb.DeleteApiKeyRequest{Id: k.GetId()}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.whoAmI(secret), codes.Unauthenticated)
	code, body = a.REST(t, http.MethodGet, "/v1/zones", secret, "")
	wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)
	_, err = a.keys.GetApiKey(ctx, &pb.GetApiKeyRequest{Id: k.GetId()})
	wantCode(t, err, codes.NotFound)
	_, err = a.keys.DeleteApiKey(ctx, &pb.DeleteApiKeyRequest{Id: k.GetId()})
	wantCode(t, err, codes.NotFound)
}

func TestAPIKeyExpiry(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	_, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "stale", ExpireTime: timestamppb.New(time.Now().Add(-time.Minute))}})
	wantInvalid(t, err, "api_key.expire_time")
	code, body := a.REST(t, http.MethodPost, "/v1/apiKeys", a.AdminToken, `{"apiKey":{"name":"stale","expireTime":"2001-01-01T00:00:00Z"}}`)
	wantREST(t, code, body, http.StatusBadRequest, codes.InvalidArgument)
	if n := a.count(t, `SELECT count(*) FROM api_keys`); n != 0 {
		t.Fatalf("refused creates stored %d keys", n)
	}

	expire := time.Now().Add(3 * time.Second)
	k, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "short", ExpireTime: timestamppb.New(expire)}})
	if err != nil {
		t.Fatal(err)
	}
	if !k.GetApiKey().GetExpireTime().AsTime().Equal(expire.Truncate(time.Microsecond)) {
		t.Errorf("expire_time reads back %v, want %v", k.GetApiKey().GetExpireTime().AsTime(), expire)
	}
	if err := a.whoAmI(k.GetSecret()); err != nil {
		t.Fatalf("key refused before it expired: %v", err)
	}
	// Poll: refused once expired (the credential cache must not outlive the key), never before.
	deadline := expire.Add(15 * time.Second)
	for {
		err := a.whoAmI(k.GetSecret())
		if err != nil {
			if time.Now().Before(expire) {
				t.Fatalf("key refused %v before it expired: %v", time.Until(expire), err)
			}
			wantCode(t, err, codes.Unauthenticated)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("key still accepted %v after it expired", time.Since(expire))
		}
		time.Sleep(250 * time.Millisecond)
	}
	code, body = a.REST(t, http.MethodGet, "/v1/zones", k.GetSecret(), "")
	wantREST(t, code, body, http.StatusUnauthorized, codes.Unauthenticated)
	// The expired key is still listed, with its expiry, so the owner can see why it fails.
	if got, err := a.keys.GetApiKey(ctx, &pb.GetApiKeyRequest{Id: k.GetApiKey().GetId()}); err != nil || got.GetApiKey().GetExpireTime() == nil {
		t.Fatalf("expired key: %v %v", got, err)
	}
}

func TestReadOnlyAPIKey(t *testing.T) {
	a := start(t)
	ctx := a.Admin(t.Context())
	a.createWorkspace(t, container("Desktop"))
	k, err := a.keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "dashboard", Scope: pb.ApiKeyScope_API_KEY_SCOPE_READ_ONLY}})
	if err != nil {
		t.Fatal(err)
	}
	if k.GetApiKey().GetScope() != pb.ApiKeyScope_API_KEY_SCOPE_READ_ONLY {
		t.Fatalf("scope %s", k.GetApiKey().GetScope())
	}
	ro := apptest.As(t.Context(), k.GetSecret())

	l, err := a.workspaces.ListWorkspaces(ro, &pb.ListWorkspacesRequest{})
	if err != nil || len(l.GetWorkspaces()) != 1 {
		t.Fatalf("read-only list: %v %v", l, err)
	}
	if _, err := a.users.ListUsers(ro, &pb.ListUsersRequest{}); err != nil {
		t.Fatalf("read-only key of an admin cannot read users: %v", err)
	}
	code, body := a.REST(t, http.MethodGet, "/v1/workspaces", k.GetSecret(), "")
	if code != http.StatusOK || !strings.Contains(body, "Desktop") {
		t.Fatalf("REST read-only list: %d %s", code, body)
	}

	_, err = a.workspaces.CreateWorkspace(ro, &pb.CreateWorkspaceRequest{Workspace: container("Other")})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.zones.CreateZone(ro, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: "z"}})
	wantCode(t, err, codes.PermissionDenied)
	code, body = a.REST(t, http.MethodPost, "/v1/workspaces", k.GetSecret(), `{"workspace":{"name":"Other","kind":"WORKSPACE_KIND_LINK","linkUrl":"https://example.com"}}`)
	wantREST(t, code, body, http.StatusForbidden, codes.PermissionDenied)
	// Nor may it mint a key that escapes its scope, or delete keys.
	_, err = a.keys.CreateApiKey(ro, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "escape"}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = a.keys.DeleteApiKey(ro, &pb.DeleteApiKeyRequest{Id: k.GetApiKey().GetId()})
	wantCode(t, err, codes.PermissionDenied)
	if n := a.count(t, `SELECT count(*) FROM workspaces`); n != 1 {
		t.Fatalf("%d workspaces after refused creates", n)
	}
	if n := a.count(t, `SELECT count(*) FROM api_keys`); n != 1 {
		t.Fatalf("%d keys after refused calls", n)
	}
}

func TestAPIKeysArePrivateToTheirOwner(t *testing.T) {
	a := start(t)
	admin := a.Admin(t.Context())
	alice, aliceTok := a.NewUser(t, "alice")
	bob, bobTok := a.NewUser(t, "bob")
	actx, bctx := apptest.As(t.Context(), aliceTok), apptest.As(t.Context(), bobTok)

	ak, err := a.keys.CreateApiKey(actx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "alice-key"}})
	if err != nil {
		t.Fatal(err)
	}
	if ak.GetApiKey().GetUserId() != alice.GetId() {
		t.Fatalf("key owner %q, want alice %q", ak.GetApiKey().GetUserId(), alice.GetId())
	}
	bk, err := a.keys.CreateApiKey(bctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "bob-key"}})
	if err != nil {
		t.Fatal(err)
	}
	adminKey, err := a.keys.CreateApiKey(admin, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "admin-key"}})
	if err != nil {
		t.Fatal(err)
	}

	// Bob cannot see or delete Alice's key; it stays usable.
	_, err = a.keys.GetApiKey(bctx, &pb.GetApiKeyRequest{Id: ak.GetApiKey().GetId()})
	wantCode(t, err, codes.NotFound)
	_, err = a.keys.DeleteApiKey(bctx, &pb.DeleteApiKeyRequest{Id: ak.GetApiKey().GetId()})
	wantCode(t, err, codes.NotFound)
	code, body := a.REST(t, http.MethodDelete, "/v1/apiKeys/"+ak.GetApiKey().GetId(), bobTok, "")
	wantREST(t, code, body, http.StatusNotFound, codes.NotFound)
	if err := a.whoAmI(ak.GetSecret()); err != nil {
		t.Fatalf("alice's key after bob's delete attempt: %v", err)
	}

	names := func(ctx context.Context, userID string) []string {
		t.Helper()
		l, err := a.keys.ListApiKeys(ctx, &pb.ListApiKeysRequest{UserId: userID})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range l.GetApiKeys() {
			out = append(out, k.GetName())
		}
		return out
	}
	if got := names(bctx, ""); strings.Join(got, ",") != "bob-key" {
		t.Fatalf("bob lists %v", got)
	}
	// A user asking for everyone's or someone else's keys still gets only their own.
	if got := names(bctx, "-"); strings.Join(got, ",") != "bob-key" {
		t.Fatalf("bob lists with user_id -: %v", got)
	}
	if got := names(bctx, alice.GetId()); strings.Join(got, ",") != "bob-key" {
		t.Fatalf("bob lists with alice's id: %v", got)
	}
	// The admin lists their own by default, anyone's by id, everyone's with "-".
	if got := names(admin, ""); strings.Join(got, ",") != "admin-key" {
		t.Fatalf("admin lists %v", got)
	}
	if got := names(admin, bob.GetId()); strings.Join(got, ",") != "bob-key" {
		t.Fatalf("admin lists bob's: %v", got)
	}
	if got := names(admin, "-"); strings.Join(got, ",") != "alice-key,bob-key,admin-key" {
		t.Fatalf("admin lists everyone's: %v", got)
	}

	// The admin may revoke anyone's key.
	if _, err := a.keys.DeleteApiKey(admin, &pb.DeleteApiKeyRequest{Id: bk.GetApiKey().GetId()}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.whoAmI(bk.GetSecret()), codes.Unauthenticated)
	// Users delete their own.
	if _, err := a.keys.DeleteApiKey(actx, &pb.DeleteApiKeyRequest{Id: ak.GetApiKey().GetId()}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.whoAmI(ak.GetSecret()), codes.Unauthenticated)
	if err := a.whoAmI(adminKey.GetSecret()); err != nil {
		t.Fatal(err)
	}
	// A user's keys go with the user.
	ck, err := a.keys.CreateApiKey(actx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "again"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.users.DeleteUser(admin, &pb.DeleteUserRequest{Id: alice.GetId()}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.whoAmI(ck.GetSecret()), codes.Unauthenticated)
}
