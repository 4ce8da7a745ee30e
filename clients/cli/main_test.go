package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	"github.com/hotdesk/hotdesk/clients/internal/testenv"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// cli runs the command line in-process with a private config folder and the test server's
// address and API key in the environment (unless env overrides them).
type cli struct {
	t     *testing.T
	env   map[string]string
	stdin string
}

func newCLI(t *testing.T) *cli {
	srv := testenv.Get(t)
	return &cli{t: t, env: map[string]string{
		"HOME": t.TempDir(), "HOTDESK_SERVER": srv.BaseURL, "HOTDESK_API_KEY": srv.APIKey,
	}}
}

func (c *cli) run(args ...string) (string, error) {
	c.t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := runWith(ctx, args, stdio{in: strings.NewReader(c.stdin), out: &out, err: &out}, func(k string) string { return c.env[k] })
	return out.String(), err
}

func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("hotdesk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (c *cli) json(into protoreflect.ProtoMessage, args ...string) {
	c.t.Helper()
	out := c.ok(append(args, "-o", "json")...)
	if err := protojson.Unmarshal([]byte(out), into); err != nil {
		c.t.Fatalf("hotdesk %s: not JSON of %T: %v\n%s", strings.Join(args, " "), into, err, out)
	}
}

func (c *cli) fails(code codes.Code, args ...string) *hotdesk.Error {
	c.t.Helper()
	out, err := c.run(args...)
	e, ok := hotdesk.AsError(err)
	if !ok || e.Code != code {
		c.t.Fatalf("hotdesk %s: got %v, want %s\n%s", strings.Join(args, " "), err, code, out)
	}
	return e
}

// Every command explains itself with --help (and `hotdesk help ...`).
func TestHelpEveryCommand(t *testing.T) {
	c := newCLI(t)
	var walk func(n *command, path []string)
	walk = func(n *command, path []string) {
		out := c.ok(append(append([]string{}, path...), "--help")...)
		if !strings.Contains(out, "Usage:") || !strings.Contains(out, "Global flags:") {
			t.Errorf("hotdesk %s --help:\n%s", strings.Join(path, " "), out)
		}
		if n.help == "" && len(path) > 0 {
			t.Errorf("hotdesk %s has no help text", strings.Join(path, " "))
		}
		if first, _, _ := strings.Cut(strings.TrimSpace(n.help), "\n"); !strings.Contains(out, first) {
			t.Errorf("hotdesk %s --help lacks its help text:\n%s", strings.Join(path, " "), out)
		}
		if len(path) > 0 {
			if again := c.ok(append([]string{"help"}, path...)...); again != out {
				t.Errorf("hotdesk help %s differs from --help", strings.Join(path, " "))
			}
		}
		for _, s := range n.subs {
			walk(s, append(append([]string{}, path...), s.name))
		}
	}
	walk(commands(), nil)
	if out := c.ok(); !strings.Contains(out, "sessions") {
		t.Fatalf("no arguments: %s", out)
	}
	_, err := c.run("nonsense")
	var u *usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "nonsense") {
		t.Fatalf("unknown command: %v", err)
	}
	_, err = c.run("sessions", "get")
	if !errors.As(err, &u) {
		t.Fatalf("missing argument: %v", err)
	}
}

// Every implemented RPC of the public API has a command.
func TestEveryRPCHasACommand(t *testing.T) {
	byRPC := map[string]string{
		"AuthService.Login": "login", "AuthService.Logout": "logout", "AuthService.GetCurrentUser": "whoami",
		"AuthService.ChangePassword":   "change-password",
		"SessionService.CreateSession": "sessions launch", "SessionService.GetSession": "sessions get",
		"SessionService.ListSessions": "sessions list", "SessionService.WatchSession": "sessions watch",
		"SessionService.KeepAliveSession": "sessions keepalive", "SessionService.DeleteSession": "sessions delete",
		"SessionService.CreateConnectToken": "sessions connect",
		"AgentService.ListAgents":           "agents list", "AgentService.GetAgent": "agents get", "AgentService.UpdateAgent": "agents update",
		"AgentService.DeleteAgent": "agents delete", "AgentService.CreateEnrollmentToken": "agents enrollment-token",
		"ApiKeyService.CreateApiKey": "api-keys create", "ApiKeyService.GetApiKey": "api-keys get",
		"ApiKeyService.ListApiKeys": "api-keys list", "ApiKeyService.DeleteApiKey": "api-keys delete",
		"AuditService.ListAuditEvents": "audit list", "WorkspaceService.ListImageStatuses": "workspaces images",
	}
	for _, r := range []string{"Workspace", "Zone", "User", "Group"} {
		plural := strings.ToLower(r) + "s"
		for _, verb := range []string{"Create", "Get", "List", "Update", "Delete"} {
			name := r
			if verb == "List" {
				name += "s"
			}
			byRPC[r+"Service."+verb+name] = plural + " " + strings.ToLower(verb)
		}
	}
	// The README's status table (checked against the server by TestReadmeStatusTable) says
	// which RPCs are implemented.
	readme, err := os.ReadFile(filepath.Join(testenv.Root(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(readme), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || strings.TrimSpace(cells[3]) != "implemented" || !strings.Contains(cells[1], "hotdesk.v1.") {
			continue
		}
		svc := strings.TrimPrefix(strings.Trim(strings.TrimSpace(cells[1]), "`"), "hotdesk.v1.")
		rpc := svc + "." + strings.Trim(strings.TrimSpace(cells[2]), "`")
		n++
		path, ok := byRPC[rpc]
		if !ok {
			t.Errorf("%s is implemented but has no command", rpc)
			continue
		}
		if _, _, err := find(commands(), strings.Fields(path)); err != nil {
			t.Errorf("%s: hotdesk %s: %v", rpc, path, err)
		}
	}
	if n < len(byRPC)-1 {
		t.Fatalf("only %d implemented RPCs found in the README's status table", n)
	}
}

// Workspaces: create from flags, update only the flags given, read as table, JSON and values.
func TestWorkspaces(t *testing.T) {
	c := newCLI(t)
	name := "cli-" + time.Now().Format("150405.000000")
	var w pb.Workspace
	c.json(&w, "workspaces", "create", "--name", name, "--image", "desktop:2", "--cores", "1.5", "--memory-mb", "2048",
		"--idle-timeout", "90m", "--volume", "/srv/data:/data:ro", "--cpu-allocation", "quota")
	if w.GetKind() != pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER || !w.GetEnabled() || w.GetContainer().GetCores() != 1.5 ||
		w.GetIdleTimeoutSeconds() != 5400 || len(w.GetContainer().GetVolumeMappings()) != 1 ||
		!w.GetContainer().GetVolumeMappings()[0].GetReadOnly() ||
		w.GetContainer().GetCpuAllocationMethod() != pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA {
		t.Fatalf("created %v", &w)
	}
	var u pb.Workspace
	c.json(&u, "workspaces", "update", w.GetId(), "--description", "from the CLI", "--enabled=false")
	if u.GetDescription() != "from the CLI" || u.GetEnabled() || u.GetName() != name || u.GetContainer().GetCores() != 1.5 {
		t.Fatalf("update changed more or less than asked: %v", &u)
	}
	if out := c.ok("workspaces", "get", w.GetId()); !strings.Contains(out, "container.image:") || !strings.Contains(out, "desktop:2") {
		t.Fatalf("get as table:\n%s", out)
	}
	if out := c.ok("workspaces", "list"); !strings.Contains(out, "NAME") || !strings.Contains(out, name) {
		t.Fatalf("list as table:\n%s", out)
	}
	var all []map[string]any
	if err := json.Unmarshal([]byte(c.ok("workspaces", "list", "-o", "json", "--page-size", "1")), &all); err != nil || len(all) < 2 {
		t.Fatalf("list as JSON: %v %v", all, err)
	}
	if out := c.ok("workspaces", "get", w.GetId(), "-o", "value(name,container.memoryMb,enabled)"); out != name+"\t2048\tfalse\n" {
		t.Fatalf("value(): %q", out)
	}
	if out := c.ok("workspaces", "delete", w.GetId()); !strings.Contains(out, "deleted workspace") {
		t.Fatalf("delete: %s", out)
	}
	c.fails(codes.NotFound, "workspaces", "get", w.GetId())
	if _, err := c.run("workspaces", "update", w.GetId()); err == nil || !strings.Contains(err.Error(), "nothing to change") {
		t.Fatalf("update without flags: %v", err)
	}
}

// The session commands: launch, wait, get, keepalive, list, destroy, watch.
func TestSessions(t *testing.T) {
	c := newCLI(t)
	ws := testenv.Get(t).WorkspaceID
	id := strings.TrimSpace(c.ok("sessions", "launch", ws, "-o", "id"))
	if len(id) != 36 {
		t.Fatalf("launch -o id printed %q", id)
	}
	var s pb.Session
	c.json(&s, "sessions", "wait", id, "--state", "running", "--timeout", "30s")
	if s.GetState() != pb.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("wait: %v", &s)
	}
	if out := c.ok("sessions", "get", id, "-o", "value(state)"); out != "RUNNING\n" {
		t.Fatalf("state value: %q", out)
	}
	if out := c.ok("sessions", "keepalive", id); !strings.Contains(out, "expire_time:") {
		t.Fatalf("keepalive:\n%s", out)
	}
	if out := c.ok("sessions", "list"); !strings.Contains(out, id) || !strings.Contains(out, "RUNNING") {
		t.Fatalf("list:\n%s", out)
	}
	if out := c.ok("sessions", "destroy", id, "--wait"); !strings.Contains(out, "destroyed session "+id) {
		t.Fatalf("destroy: %s", out)
	}
	out := c.ok("sessions", "watch", id)
	if !strings.Contains(out, "STOPPED") {
		t.Fatalf("watch of a stopped session:\n%s", out)
	}
	if out := c.ok("sessions", "list", "--all", "-o", "id"); !strings.Contains(out, id) {
		t.Fatalf("list --all:\n%s", out)
	}
	// Launch and wait in one command.
	var w pb.Session
	c.json(&w, "sessions", "launch", ws, "--wait")
	if w.GetState() != pb.SessionState_SESSION_STATE_RUNNING {
		t.Fatalf("launch --wait: %v", &w)
	}
	// Waiting for RUNNING on a session that ends fails at once with the reason.
	c.ok("sessions", "delete", w.GetId(), "--wait")
	if _, err := c.run("sessions", "wait", w.GetId()); err == nil || !strings.Contains(err.Error(), "STOPPED") {
		t.Fatalf("wait on a stopped session: %v", err)
	}
}

// `hotdesk login` saves the server and credential; later commands need nothing else.
func TestLoginAndConfig(t *testing.T) {
	srv := testenv.Get(t)
	home := t.TempDir()
	c := &cli{t: t, env: map[string]string{"HOME": home}}
	out := c.ok("login", "--server", srv.BaseURL, "--api-key", srv.APIKey)
	if !strings.Contains(out, "as admin") {
		t.Fatalf("login: %s", out)
	}
	path := filepath.Join(home, ".config", "hotdesk", "config.json")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", st, err)
	}
	if out := c.ok("whoami", "-o", "value(username,role)"); out != "admin\tADMIN\n" {
		t.Fatalf("whoami from the config file: %q", out)
	}
	// A flag beats the file.
	c.fails(codes.Unauthenticated, "whoami", "--api-key", "hdk_wrong")
	// So does the environment.
	c.env["HOTDESK_API_KEY"] = "hdk_wrong"
	c.fails(codes.Unauthenticated, "whoami")
	delete(c.env, "HOTDESK_API_KEY")

	// With a password on standard input the login token is saved, and logout revokes it.
	c.stdin = srv.AdminPassword + "\n"
	c.ok("login", "--server", srv.BaseURL, "--username", srv.AdminUsername, "--password-stdin")
	var cfg config
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cfg); err != nil || !strings.HasPrefix(cfg.Token, "hdt_") || cfg.APIKey != "" {
		t.Fatalf("config after password login: %s", b)
	}
	c.ok("whoami")
	c.ok("logout")
	c.fails(codes.Unauthenticated, "whoami", "--token", cfg.Token)
	c.fails(codes.Unauthenticated, "whoami")

	c.stdin = "wrong password\n"
	e := c.fails(codes.Unauthenticated, "login", "--server", srv.BaseURL, "--username", srv.AdminUsername, "--password-stdin")
	if e.Message == "" {
		t.Fatal("wrong password: empty message")
	}
}

// `hotdesk change-password` reads both passwords from standard input or files, keeps the
// saved sign-in and signs out the others; API keys and wrong current passwords are refused.
func TestChangePassword(t *testing.T) {
	admin := newCLI(t)
	srv := testenv.Get(t)
	name := "pw" + time.Now().Format("150405000000")
	var u pb.User
	admin.json(&u, "users", "create", "--username", name, "--password", "old password 1")
	t.Cleanup(func() { _, _ = admin.run("users", "delete", u.GetId()) })

	// Signed in with a login token saved by `hotdesk login`, and a second sign-in elsewhere.
	c := &cli{t: t, env: map[string]string{"HOME": t.TempDir()}}
	c.stdin = "old password 1\n"
	c.ok("login", "--server", srv.BaseURL, "--username", name, "--password-stdin")
	ctx := context.Background()
	other, err := hotdesk.Dial(ctx, srv.BaseURL, hotdesk.WithPassword(name, "old password 1"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// An API key is refused, even with the right password.
	c.env["HOTDESK_API_KEY"] = srv.APIKey
	c.stdin = "old password 1\nnew password 2\n"
	if e := c.fails(codes.PermissionDenied, "change-password"); !strings.Contains(e.Message, "API keys cannot") {
		t.Fatalf("API key refusal: %q", e.Message)
	}
	delete(c.env, "HOTDESK_API_KEY")
	c.stdin = "wrong guess\nnew password 2\n"
	if e := c.fails(codes.InvalidArgument, "change-password"); e.Field != "current_password" {
		t.Fatalf("wrong current password: %+v", e)
	}
	c.stdin = "old password 1\n"
	if _, err := c.run("change-password"); err == nil || !strings.Contains(err.Error(), "new password") {
		t.Fatalf("only one line on standard input: %v", err)
	}
	if _, err := other.Auth.Me(ctx); err != nil {
		t.Fatalf("refused changes signed the other sign-in out: %v", err)
	}

	c.stdin = "old password 1\nnew password 2\n"
	if out := c.ok("change-password"); !strings.Contains(out, "Password changed; 1 other sign-in(s) signed out.") {
		t.Fatalf("change-password: %q", out)
	}
	if out := c.ok("whoami", "-o", "value(username)"); out != name+"\n" {
		t.Fatalf("the saved sign-in after the change: %q", out)
	}
	if _, err := other.Auth.Me(ctx); !hotdesk.IsUnauthenticated(err) {
		t.Fatalf("the other sign-in after the change: %v", err)
	}
	c.stdin = "old password 1\n"
	c.fails(codes.Unauthenticated, "login", "--server", srv.BaseURL, "--username", name, "--password-stdin")

	// From files (a trailing newline is not part of the password), as JSON.
	dir := t.TempDir()
	cur, next := filepath.Join(dir, "current"), filepath.Join(dir, "new")
	if err := os.WriteFile(cur, []byte("new password 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(next, []byte("third password 3"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.stdin = ""
	var resp pb.ChangePasswordResponse
	c.json(&resp, "change-password", "--current-password-file", cur, "--new-password-file", next)
	if resp.GetRevokedLoginCount() != 0 {
		t.Fatalf("second change revoked %d sign-ins", resp.GetRevokedLoginCount())
	}
	third, err := hotdesk.Dial(ctx, srv.BaseURL, hotdesk.WithPassword(name, "third password 3"))
	if err != nil {
		t.Fatalf("login with the password from the file: %v", err)
	}
	third.Close()
}

// Errors keep the server's code and message; report prints them with the right exit status.
func TestErrors(t *testing.T) {
	c := newCLI(t)
	const missing = "00000000-0000-4000-8000-000000000000"
	e := c.fails(codes.NotFound, "workspaces", "get", missing)
	if !strings.Contains(e.Message, missing) {
		t.Fatalf("message: %q", e.Message)
	}
	e = c.fails(codes.InvalidArgument, "sessions", "get", "not-a-uuid")
	if e.Field != "id" {
		t.Fatalf("field: %+v", e)
	}
	c.fails(codes.InvalidArgument, "zones", "create", "--name", "bad name!")

	secret := strings.TrimSpace(c.ok("api-keys", "create", "--name", "ro", "--scope", "read-only", "-o", "value(secret)"))
	if !strings.HasPrefix(secret, "hdk_") {
		t.Fatalf("secret: %q", secret)
	}
	c.ok("zones", "list", "--api-key", secret)
	e = c.fails(codes.PermissionDenied, "zones", "create", "--name", "nope", "--api-key", secret)
	if e.Message == "" {
		t.Fatal("permission denied without message")
	}

	var buf bytes.Buffer
	_, err := c.run("workspaces", "get", missing)
	if code := report(&buf, err); code != 1 || !strings.Contains(buf.String(), "NotFound: workspace") {
		t.Fatalf("report: %d %q", code, buf.String())
	}
	buf.Reset()
	_, err = c.run("workspaces", "get")
	if code := report(&buf, err); code != 2 {
		t.Fatalf("usage error exit status %d", code)
	}
	if _, err := c.run("zones", "list", "-o", "yaml"); err == nil {
		t.Fatal("unknown output format accepted")
	}
}

// Administration: zones, users, groups, API keys, agents, audit.
func TestAdministration(t *testing.T) {
	c := newCLI(t)
	srv := testenv.Get(t)
	suffix := time.Now().Format("150405000000")

	var z pb.Zone
	c.json(&z, "zones", "create", "--name", "z"+suffix, "--description", "test zone")
	c.json(&z, "zones", "update", z.GetId(), "--proxy-mode", "direct-to-agent")
	if z.GetProxyMode() != pb.ProxyMode_PROXY_MODE_DIRECT_TO_AGENT || z.GetDescription() != "test zone" {
		t.Fatalf("zone: %v", &z)
	}
	if out := c.ok("zones", "list"); !strings.Contains(out, "DIRECT_TO_AGENT") {
		t.Fatalf("zones list:\n%s", out)
	}

	var u pb.User
	c.json(&u, "users", "create", "--username", "u"+suffix, "--password", "password-123", "--display-name", "U")
	if u.GetRole() != pb.Role_ROLE_USER {
		t.Fatalf("user: %v", &u)
	}
	c.json(&u, "users", "update", u.GetId(), "--display-name", "Renamed")
	var g pb.Group
	c.json(&g, "groups", "create", "--name", "g"+suffix, "--member", u.GetId(), "--workspace", srv.WorkspaceID)
	if len(g.GetMemberIds()) != 1 || len(g.GetWorkspaceIds()) != 1 {
		t.Fatalf("group: %v", &g)
	}
	c.json(&g, "groups", "update", g.GetId(), "--member", "")
	if len(g.GetMemberIds()) != 0 || len(g.GetWorkspaceIds()) != 1 {
		t.Fatalf("group after emptying members: %v", &g)
	}
	c.ok("groups", "list")
	c.ok("groups", "get", g.GetId())
	c.ok("groups", "delete", g.GetId())
	c.ok("users", "list")
	c.ok("users", "get", u.GetId())
	c.ok("users", "delete", u.GetId())
	c.ok("zones", "get", z.GetId())
	c.ok("zones", "delete", z.GetId())

	keyID := strings.TrimSpace(c.ok("api-keys", "create", "--name", "k"+suffix, "--expires", "720h", "-o", "id"))
	if out := c.ok("api-keys", "list"); !strings.Contains(out, keyID) {
		t.Fatalf("api-keys list:\n%s", out)
	}
	c.ok("api-keys", "get", keyID)
	c.ok("api-keys", "delete", keyID)
	c.fails(codes.NotFound, "api-keys", "get", keyID)

	agent := srv.AgentIDs[0]
	if out := c.ok("agents", "list", "--state", "online"); !strings.Contains(out, agent) {
		t.Fatalf("agents list:\n%s", out)
	}
	if out := c.ok("agents", "drain", agent, "-o", "value(enabled)"); out != "false\n" {
		t.Fatalf("drain: %q", out)
	}
	if out := c.ok("agents", "enable", agent, "-o", "value(enabled)"); out != "true\n" {
		t.Fatalf("enable: %q", out)
	}
	var a pb.Agent
	c.json(&a, "agents", "update", agent, "--cores", "512")
	c.json(&a, "agents", "update", agent, "--cores", "0")
	if a.GetOverrides().GetCores() != 0 || !a.GetEnabled() {
		t.Fatalf("agent: %v", &a)
	}
	c.ok("agents", "get", agent)
	if tok := c.ok("agents", "enrollment-token", "--ttl", "10m", "-o", "value(token)"); !strings.HasPrefix(tok, "hde_") {
		t.Fatalf("enrollment token: %q", tok)
	}
	// Deleting an unknown agent is NotFound; the real one stays.
	c.fails(codes.NotFound, "agents", "delete", "00000000-0000-4000-8000-000000000000", "--force")

	if out := c.ok("audit", "--limit", "5"); !strings.Contains(out, "METHOD") {
		t.Fatalf("audit:\n%s", out)
	}
	var events []map[string]any
	if err := json.Unmarshal([]byte(c.ok("audit", "list", "-o", "json", "--limit", "3")), &events); err != nil || len(events) != 3 {
		t.Fatalf("audit JSON: %v %v", events, err)
	}
}

// run, the in-process entry point, writes to the given stdout.
func TestRun(t *testing.T) {
	testenv.Get(t)
	t.Setenv("HOME", t.TempDir())
	var out bytes.Buffer
	if err := run([]string{"workspaces", "list", "-o", "value(name)"}, &out); err != nil || !strings.Contains(out.String(), "Test desktop") {
		t.Fatalf("run: %v %q", err, out.String())
	}
}

// The CLI quickstart of the README runs as a shell script against the server.
func TestQuickstart(t *testing.T) {
	srv := testenv.Get(t)
	root := testenv.Root(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "hotdesk"), "./clients/cli")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command("sh", filepath.Join(root, "clients/cli/examples/quickstart.sh"))
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+t.TempDir(),
		"HOTDESK_SERVER="+srv.BaseURL, "HOTDESK_API_KEY="+srv.APIKey, "HOTDESK_WORKSPACE="+srv.WorkspaceID)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"Logged in to", "launched session", "RUNNING", "connect URL:", "destroyed session"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("quickstart output lacks %q:\n%s", want, out)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	src, _ := os.ReadFile(filepath.Join(root, "clients/cli/examples/quickstart.sh"))
	if !strings.Contains(string(readme), string(src)) {
		t.Fatal("README.md does not show clients/cli/examples/quickstart.sh verbatim")
	}
}

// The README's grpcurl flows run as written (with the simulated agent's image).
func TestReadmeGrpcurl(t *testing.T) {
	srv := testenv.Get(t)
	root := testenv.Root(t)
	path := os.Getenv("PATH") + string(os.PathListSeparator) + filepath.Join(root, ".tools", "bin")
	for _, tool := range []string{"bash", "grpcurl", "jq"} {
		if _, err := lookPath(tool, path); err != nil {
			t.Skipf("%s not installed (make tools installs grpcurl; apt-get install jq)", tool)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- grpcurl:start -->\n```bash\n")
	block, _, ok2 := strings.Cut(rest, "```\n<!-- grpcurl:end -->")
	if !ok || !ok2 {
		t.Fatal("README.md has no grpcurl block")
	}
	c, err := hotdesk.Dial(context.Background(), srv.BaseURL, hotdesk.WithAPIKey(srv.APIKey))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(func() { _, _ = c.Agents.Enable(context.Background(), srv.AgentIDs[0]) }) // the block drains it
	cmd := exec.Command("bash", "-eo", "pipefail", "-c", block)
	cmd.Env = append(os.Environ(), "PATH="+path, "ADDR="+srv.Addr, "PASSWORD="+srv.AdminPassword, "IMAGE=hotdesk/sim-desktop:1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("grpcurl block: %v\n%s", err, out)
	}
	for _, want := range []string{"hotdesk.v1.SessionService", "SESSION_STATE_RUNNING on agent"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("grpcurl block output lacks %q:\n%s", want, out)
		}
	}
	a, err := c.Agents.Get(context.Background(), srv.AgentIDs[0])
	if err != nil || a.GetEnabled() {
		t.Fatalf("the block did not drain the agent: %v %v", a, err)
	}
}

func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}
