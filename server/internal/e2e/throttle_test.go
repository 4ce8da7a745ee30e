package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

// testLockout is the first lockout of the throttle tests' servers; the second is twice as long
// (and the cap).
const testLockout = 3 * time.Second

// fastThrottle keeps the default limits (5 per user name) but makes lockouts short enough to
// wait out, and the per-address limit out of reach unless a test lowers it.
func fastThrottle(c *config.Config) {
	c.LoginFailureWindow = time.Minute
	c.LoginLockout = testLockout
	c.LoginMaxLockout = 2 * testLockout
	c.LoginMaxAddressFailures = 1000
}

func startThrottled(t *testing.T, tweak func(*config.Config)) *api {
	t.Helper()
	t.Parallel()
	return clients(apptest.StartWith(t, pgtest.New(t, apptest.Migrate), func(c *config.Config) {
		fastThrottle(c)
		if tweak != nil {
			tweak(c)
		}
	}))
}

// tryLogin signs in over gRPC, with extra metadata pairs if any.
func (a *api) tryLogin(username, password string, md ...string) error {
	ctx := context.Background()
	if len(md) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, md...)
	}
	_, err := a.auth.Login(ctx, &pb.LoginRequest{Username: username, Password: password})
	return err
}

// wrongLogins makes n sign-ins with a wrong password, each refused as a wrong password (so
// none was throttled).
func (a *api) wrongLogins(t *testing.T, username string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if st := wantCode(t, a.tryLogin(username, "not the password"), codes.Unauthenticated); st.Message() != "wrong user name or password" {
			t.Fatalf("wrong password %d for %s: %q", i+1, username, st.Message())
		}
	}
}

var throttleMsg = regexp.MustCompile(`^too many failed sign-ins (for this user|from this address); try again in (\d+) (second|seconds|minute|minutes)$`)

// wantThrottled checks a LOGIN_THROTTLED refusal naming who ("for this user", "from this
// address") and returns the RetryInfo delay, which the message states too.
func wantThrottled(t *testing.T, err error, who string, atMost time.Duration) time.Duration {
	t.Helper()
	st := wantCode(t, err, codes.ResourceExhausted)
	m := throttleMsg.FindStringSubmatch(st.Message())
	if m == nil || m[1] != who {
		t.Fatalf("throttle message %q: want %q and when to try again", st.Message(), who)
	}
	var reason string
	var delay time.Duration
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			reason = d.GetReason()
		case *errdetails.RetryInfo:
			delay = d.GetRetryDelay().AsDuration()
		}
	}
	if reason != "LOGIN_THROTTLED" {
		t.Errorf("ErrorInfo reason %q, want LOGIN_THROTTLED (%v)", reason, st.Details())
	}
	if delay <= 0 || delay > atMost || delay%time.Second != 0 {
		t.Fatalf("RetryInfo delay %s, want whole seconds up to %s (%v)", delay, atMost, st.Details())
	}
	if n, _ := strconv.Atoi(m[2]); strings.HasPrefix(m[3], "second") && time.Duration(n)*time.Second != delay {
		t.Errorf("message says %s %s, RetryInfo %s", m[2], m[3], delay)
	}
	return delay
}

// restLogin signs in over REST with extra request headers; it returns the response (body
// read) and its body.
func (a *api) restLogin(t *testing.T, username, password string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.BaseURL+"/v1/auth:login", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// wantREST429 checks the REST form of a LOGIN_THROTTLED refusal: 429, Retry-After in whole
// seconds, and the ErrorInfo and RetryInfo in the body.
func wantREST429(t *testing.T, resp *http.Response, body, who string, atMost time.Duration) {
	t.Helper()
	re := wantREST(t, resp.StatusCode, body, http.StatusTooManyRequests, codes.ResourceExhausted)
	if m := throttleMsg.FindStringSubmatch(re.Message); m == nil || m[1] != who {
		t.Errorf("REST throttle message %q, want %q", re.Message, who)
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs <= 0 || time.Duration(secs)*time.Second > atMost {
		t.Errorf("Retry-After %q, want whole seconds up to %s", resp.Header.Get("Retry-After"), atMost)
	}
	var reason, delay string
	for _, d := range re.Details {
		var v struct {
			Type       string `json:"@type"`
			Reason     string `json:"reason"`
			RetryDelay string `json:"retryDelay"`
		}
		_ = json.Unmarshal(d, &v)
		switch {
		case strings.HasSuffix(v.Type, "/google.rpc.ErrorInfo"):
			reason = v.Reason
		case strings.HasSuffix(v.Type, "/google.rpc.RetryInfo"):
			delay = v.RetryDelay
		}
	}
	if reason != "LOGIN_THROTTLED" || delay != strconv.Itoa(secs)+"s" {
		t.Errorf("REST details: reason %q, retryDelay %q (Retry-After %d): %s", reason, delay, secs, body)
	}
}

// Five wrong passwords lock the user name out: even the right password is refused, over gRPC
// and REST, in any letter case, until the lockout passes; it doubles the next time; the right
// password afterwards signs in and starts the count over. Other users are not affected, and
// every refusal is in the audit log.
func TestLoginThrottle(t *testing.T) {
	a := startThrottled(t, nil)
	a.NewUser(t, "ivy")
	_, jayTok := a.NewUser(t, "jay")

	a.wrongLogins(t, "ivy", 5)
	wait := wantThrottled(t, a.tryLogin("ivy", "password-ivy"), "for this user", testLockout)
	resp, body := a.restLogin(t, "IVY", "password-ivy")
	wantREST429(t, resp, body, "for this user", testLockout)
	wantThrottled(t, a.tryLogin("Ivy", "password-ivy"), "for this user", testLockout)
	// Another user signs in, and a signed-in user keeps working.
	if err := a.tryLogin("jay", "password-jay"); err != nil {
		t.Fatalf("another user during ivy's lockout: %v", err)
	}
	if err := a.whoAmI(jayTok); err != nil {
		t.Fatal(err)
	}

	// The second lockout is twice as long.
	time.Sleep(wait)
	a.wrongLogins(t, "ivy", 5)
	wait = wantThrottled(t, a.tryLogin("ivy", "password-ivy"), "for this user", 2*testLockout)
	if wait <= testLockout {
		t.Errorf("second lockout %s, want longer than the first (%s)", wait, testLockout)
	}

	// Once it passed, the right password works, and the count and the doubling start over.
	time.Sleep(wait)
	tok := a.login(t, "ivy", "password-ivy")
	if err := a.whoAmI(tok); err != nil {
		t.Fatal(err)
	}
	a.wrongLogins(t, "ivy", 5)
	wantThrottled(t, a.tryLogin("ivy", "password-ivy"), "for this user", testLockout)

	// Every throttled attempt is audited as such, with the caller's address.
	events, err := a.audit.ListAuditEvents(a.Admin(t.Context()), &pb.ListAuditEventsRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]int{}
	for _, e := range events.GetEvents() {
		if e.GetMethod() == "/hotdesk.v1.AuthService/Login" {
			byCode[e.GetCode()]++
			if e.GetCode() == "RESOURCE_EXHAUSTED" && (e.GetPeer() != "127.0.0.1" || e.GetUserId() != "") {
				t.Errorf("throttled login event %v", e)
			}
		}
	}
	if byCode["RESOURCE_EXHAUSTED"] != 5 || byCode["UNAUTHENTICATED"] != 15 {
		t.Errorf("Login audit events by code: %v, want 5 RESOURCE_EXHAUSTED and 15 UNAUTHENTICATED", byCode)
	}
}

// User names that do not exist are throttled exactly like ones that do, so the throttle does
// not tell which exist.
func TestLoginThrottleUnknownNames(t *testing.T) {
	a := startThrottled(t, nil)
	a.NewUser(t, "kate")
	a.wrongLogins(t, "kate", 5)
	a.wrongLogins(t, "ghost", 5)
	digits := regexp.MustCompile(`\d+`)
	var msgs []string
	for _, name := range []string{"kate", "ghost", "GHOST"} {
		err := a.tryLogin(name, "password-kate")
		wantThrottled(t, err, "for this user", testLockout)
		msgs = append(msgs, digits.ReplaceAllString(err.Error(), "N"))
		resp, body := a.restLogin(t, name, "password-kate")
		wantREST429(t, resp, body, "for this user", testLockout)
	}
	if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
		t.Errorf("an existing and an unknown user name are throttled differently: %q", msgs)
	}
	// The count is of the name: failures made before a user of that name existed count once
	// it does.
	a.wrongLogins(t, "newcomer", 4)
	if _, err := a.users.CreateUser(a.Admin(t.Context()), &pb.CreateUserRequest{User: &pb.User{Username: "Newcomer", Password: "password-newcomer"}}); err != nil {
		t.Fatal(err)
	}
	a.wrongLogins(t, "newcomer", 1)
	wantThrottled(t, a.tryLogin("newcomer", "password-newcomer"), "for this user", testLockout)
}

// Wrong current passwords in ChangePassword are guesses too: they count with wrong logins
// against the same user name, and a lockout refuses both, before any password check.
func TestChangePasswordThrottle(t *testing.T) {
	a := startThrottled(t, nil)
	_, tok := a.NewUser(t, "lou")
	ctx := apptest.As(t.Context(), tok)
	change := func(current, next string) error {
		_, err := a.auth.ChangePassword(ctx, &pb.ChangePasswordRequest{CurrentPassword: current, NewPassword: next})
		return err
	}
	a.wrongLogins(t, "lou", 3)
	for i := 0; i < 2; i++ {
		wantInvalid(t, change("a wrong guess", "a new password"), "current_password")
	}
	wait := wantThrottled(t, change("password-lou", "a new password"), "for this user", testLockout)
	wantThrottled(t, a.tryLogin("lou", "password-lou"), "for this user", testLockout)
	code, body := a.REST(t, http.MethodPost, "/v1/auth:changePassword", tok, `{"currentPassword":"password-lou","newPassword":"a new password"}`)
	wantREST(t, code, body, http.StatusTooManyRequests, codes.ResourceExhausted)
	if err := a.whoAmI(tok); err != nil {
		t.Fatalf("the lockout signed lou out: %v", err)
	}

	// After the lockout the change goes through (the password was not changed meanwhile), and
	// it starts the count over like a sign-in.
	time.Sleep(wait)
	if err := change("password-lou", "a new password"); err != nil {
		t.Fatalf("ChangePassword after the lockout: %v", err)
	}
	a.wrongLogins(t, "lou", 4)
	a.login(t, "lou", "a new password")
}

// Failed sign-ins are counted per client address too, whatever name they try; an address the
// caller states (X-Forwarded-For, x-forwarded-for metadata) is not believed unless it comes
// from a trusted proxy.
func TestLoginThrottlePerAddress(t *testing.T) {
	a := startThrottled(t, func(c *config.Config) { c.LoginMaxAddressFailures = 6 })
	a.NewUser(t, "max")
	// Six names, one wrong password each: over gRPC and REST, some claiming to be elsewhere.
	a.wrongLogins(t, "name-1", 1)
	wantCode(t, a.tryLogin("name-2", "x", "x-forwarded-for", "203.0.113.2"), codes.Unauthenticated)
	wantCode(t, a.tryLogin("name-3", "x", "x-forwarded-for", "203.0.113.3, 198.51.100.3"), codes.Unauthenticated)
	for i, h := range [][]string{nil, {"X-Forwarded-For", "203.0.113.4"}, {"X-Forwarded-For", "203.0.113.5, 198.51.100.5"}} {
		resp, body := a.restLogin(t, fmt.Sprintf("name-%d", i+4), "x", h...)
		wantREST(t, resp.StatusCode, body, http.StatusUnauthorized, codes.Unauthenticated)
	}
	// Now this address is locked out, even for a user with the right password.
	wantThrottled(t, a.tryLogin("max", "password-max"), "from this address", testLockout)
	wantThrottled(t, a.tryLogin("max", "password-max", "x-forwarded-for", "203.0.113.99"), "from this address", testLockout)
	resp, body := a.restLogin(t, "max", "password-max", "X-Forwarded-For", "203.0.113.99")
	wantREST429(t, resp, body, "from this address", testLockout)
	events, err := a.audit.ListAuditEvents(a.Admin(t.Context()), &pb.ListAuditEventsRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events.GetEvents() {
		if e.GetMethod() == "/hotdesk.v1.AuthService/Login" && e.GetPeer() != "127.0.0.1" {
			t.Errorf("login audited with the address the caller claimed: %v", e)
		}
	}

	// Behind a trusted proxy, the forwarded address is the client's.
	b := clients(apptest.StartWith(t, pgtest.New(t, apptest.Migrate), func(c *config.Config) {
		fastThrottle(c)
		c.LoginMaxAddressFailures = 3
		c.TrustedProxies = []string{"127.0.0.0/8"}
	}))
	b.NewUser(t, "max")
	for i := 0; i < 3; i++ {
		resp, body := b.restLogin(t, fmt.Sprintf("name-%d", i), "x", "X-Forwarded-For", "203.0.113.7")
		wantREST(t, resp.StatusCode, body, http.StatusUnauthorized, codes.Unauthenticated)
	}
	resp, body = b.restLogin(t, "max", "password-max", "X-Forwarded-For", "203.0.113.7")
	wantREST429(t, resp, body, "from this address", testLockout)
	wantThrottled(t, b.tryLogin("max", "password-max", "x-forwarded-for", "203.0.113.7"), "from this address", testLockout)
	if resp, body := b.restLogin(t, "max", "password-max", "X-Forwarded-For", "203.0.113.8"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d %s", resp.StatusCode, body)
	}
	if err := b.tryLogin("max", "password-max"); err != nil {
		t.Fatalf("the proxy's own address: %v", err)
	}
	if n := b.count(t, `SELECT count(*) FROM audit_events WHERE method = '/hotdesk.v1.AuthService/Login' AND peer = '203.0.113.7'`); n != 5 {
		t.Errorf("%d login audit events from 203.0.113.7, want 5", n)
	}
}

// Two replicas on one database share the counts: failures on either add up, a lockout on one
// holds on the other, and a sign-in on one starts the count over for both.
func TestLoginThrottleTwoReplicas(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, apptest.Migrate)
	a := clients(apptest.StartWith(t, db, fastThrottle))
	b := clients(apptest.StartWith(t, db, func(c *config.Config) {
		fastThrottle(c)
		c.SecretKeyFile = a.SecretKeyFile
	}))
	a.NewUser(t, "nina")
	a.wrongLogins(t, "nina", 3)
	b.wrongLogins(t, "nina", 2)
	wait := wantThrottled(t, a.tryLogin("nina", "password-nina"), "for this user", testLockout)
	wantThrottled(t, b.tryLogin("nina", "password-nina"), "for this user", testLockout)
	time.Sleep(wait)
	b.login(t, "nina", "password-nina")
	a.wrongLogins(t, "nina", 4)
	a.login(t, "nina", "password-nina")
}

// Housekeeping forgets counters with nothing left to remember and keeps running lockouts.
func TestPruneLoginThrottles(t *testing.T) {
	a := startThrottled(t, nil)
	a.wrongLogins(t, "olga", 5) // locked out
	a.wrongLogins(t, "pete", 2) // counting
	rows := func() int { return a.count(t, `SELECT count(*) FROM login_throttles`) }
	if n := rows(); n != 3 {
		t.Fatalf("%d counters, want olga's, pete's and the address's", n)
	}
	if err := a.App.Store.PruneLoginThrottles(t.Context(), time.Minute, 2*testLockout); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 3 {
		t.Fatalf("pruning with the configured window removed live counters: %d left", n)
	}
	// With a window of zero, only olga's lockout is left to remember.
	if err := a.App.Store.PruneLoginThrottles(t.Context(), 0, 0); err != nil {
		t.Fatal(err)
	}
	if n := a.count(t, `SELECT count(*) FROM login_throttles WHERE kind = 'user' AND subject = 'olga' AND locked_until > now()`); n != 1 || rows() != 1 {
		t.Fatalf("after pruning: %d counters, olga's lockout kept: %d", rows(), n)
	}
	wantThrottled(t, a.tryLogin("olga", "x"), "for this user", testLockout)
}
