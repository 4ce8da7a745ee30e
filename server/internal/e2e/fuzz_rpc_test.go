package e2e

// A seeded, randomized robustness test of the whole public API: every method of every
// implemented service receives plausible, mutated and hostile requests, over gRPC and REST, as
// an administrator, a plain user, a read-only API key and strangers. Whatever the request,
// the server must answer with a client error or success (never INTERNAL/UNKNOWN, never a 5xx),
// keep enforcing its access rules, stay healthy, and keep every stored resource readable and
// every seeded resource that no successful write touched exactly as it was.
//
//	HOTDESK_FUZZ_SEED=42 HOTDESK_FUZZ_CALLS=20000 go test -run TestFuzzRPC ./server/internal/e2e/
//	go test -run '^$' -fuzz FuzzRPC ./server/internal/e2e/

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
	"github.com/hotdesk/hotdesk/server/internal/apptest"
	"github.com/hotdesk/hotdesk/server/internal/auth"
	"github.com/hotdesk/hotdesk/server/internal/config"
	"github.com/hotdesk/hotdesk/server/internal/model"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

// fzFiles hold the implemented services; every method of each is fuzzed.
var fzFiles = []protoreflect.FileDescriptor{
	pb.File_hotdesk_v1_auth_proto, pb.File_hotdesk_v1_zone_proto, pb.File_hotdesk_v1_workspace_proto,
	pb.File_hotdesk_v1_user_proto, pb.File_hotdesk_v1_group_proto, pb.File_hotdesk_v1_api_key_proto,
	pb.File_hotdesk_v1_agent_proto, pb.File_hotdesk_v1_audit_proto,
}

// fzKinds names the resource each service and resource message is about, so ids of the right
// kind go into the right fields.
var fzKinds = map[protoreflect.FullName]string{
	"hotdesk.v1.AuthService": "user", "hotdesk.v1.ZoneService": "zone", "hotdesk.v1.WorkspaceService": "workspace",
	"hotdesk.v1.UserService": "user", "hotdesk.v1.GroupService": "group", "hotdesk.v1.ApiKeyService": "apikey",
	"hotdesk.v1.AgentService": "agent", "hotdesk.v1.AuditService": "audit",
	"hotdesk.v1.Zone": "zone", "hotdesk.v1.Workspace": "workspace", "hotdesk.v1.User": "user", "hotdesk.v1.Group": "group",
	"hotdesk.v1.ApiKey": "apikey", "hotdesk.v1.Agent": "agent",
}

// fzLoginLimit is the fuzz server's sign-in throttle limit, per user name and per address.
const fzLoginLimit = 1 << 30

// fzBadCodes are answers that mean the server, not the request, is at fault.
var fzBadCodes = map[codes.Code]bool{codes.Internal: true, codes.Unknown: true, codes.DataLoss: true,
	codes.Unavailable: true, codes.DeadlineExceeded: true}

var fzLeaks = []string{"SQLSTATE", "pgx", "pgconn", "pq:", "syntax error at", "violates", "duplicate key", "panic", "goroutine"}

// ---------------------------------------------------------------- randomness

// fzSource is where the generator's choices come from: a seeded PRNG for the randomized test,
// the fuzzer's bytes for FuzzRPC.
type fzSource interface{ Intn(n int) int }

type fzRand struct{ r *rand.Rand }

func (s fzRand) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	return s.r.IntN(n)
}

// fzBytes turns fuzzer input into choices; once it runs dry every choice is 0.
type fzBytes struct{ data []byte }

func (s *fzBytes) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	var v uint64
	for k := 0; k < 4 && len(s.data) > 0; k++ {
		v = v<<8 | uint64(s.data[0])
		s.data = s.data[1:]
		if uint64(1)<<(8*(k+1)) >= uint64(n) {
			break
		}
	}
	return int(v % uint64(n))
}

// ---------------------------------------------------------------- the world under test

type fzCaller struct {
	name     string
	header   string // authorization value; "" sends none
	username string // set for callers that log in (re-login after a successful Logout)
	password string // kept current through successful ChangePassword calls
	userID   string
	admin    bool
	readOnly bool
	anon     bool // no valid credential
}

type fzWorld struct {
	e         *apptest.Env
	ids       map[string][]string // kind -> ids plausible requests target (seeded, not callers, plus created)
	probes    map[string][]string // kind -> seeded ids only mangled and hostile requests name: mostly failed writes
	seeded    map[string]string   // seeded id -> kind
	related   map[string][]string // seeded id -> seeded ids a write to it may change (one hop)
	snap      map[string]proto.Message
	logins    [][2]string // known username/password pairs (some wrong on purpose)
	tokens    []string    // next_page_tokens seen
	callers   []*fzCaller
	touched   map[string]bool // seeded ids successful writes acted on
	attempted map[string]bool // seeded ids any write named
	created   int
	userTok   string // the plain user's bearer, for visibility checks
}

func fzCtx(header string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	if header != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", header)
	}
	return ctx, cancel
}

// fzMust unwraps a seeding call; seeding cannot fail unless the server is badly broken, and
// then the panic's stack says where.
func fzMust[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("fuzz seeding: %v", err))
	}
	return v
}

// fzSetup starts a server and seeds a little of everything, with links between resources
// (groups holding users and workspaces, agents and workspaces in zones, keys owned by users).
// Most seeded resources are targets the generator may name; a separate, self-contained set
// of bystanders is never named and must come through untouched.
func fzSetup(t testing.TB) *fzWorld {
	// The run signs in with wrong passwords (and wrong current passwords) thousands of times
	// from one address: the throttle keeps counting, but its limits are out of reach, so every
	// sign-in is judged on its password (check holds the run to that).
	e := apptest.StartWith(t, pgtest.New(t, apptest.Migrate), func(c *config.Config) {
		c.LoginMaxFailures, c.LoginMaxAddressFailures = fzLoginLimit, fzLoginLimit
	})
	w := &fzWorld{e: e, ids: map[string][]string{}, probes: map[string][]string{}, seeded: map[string]string{}, related: map[string][]string{},
		snap: map[string]proto.Message{}, touched: map[string]bool{}, attempted: map[string]bool{}}
	ctx, cancel := fzCtx("Bearer " + e.AdminToken)
	defer cancel()
	c := e.Conn
	zones, wss, users, groups, keys := pb.NewZoneServiceClient(c), pb.NewWorkspaceServiceClient(c), pb.NewUserServiceClient(c),
		pb.NewGroupServiceClient(c), pb.NewApiKeyServiceClient(c)
	add := func(kind, id string, target bool) string {
		w.seeded[id] = kind
		switch {
		case !target:
		case len(w.ids[kind]) > len(w.probes[kind]):
			w.probes[kind] = append(w.probes[kind], id)
		default:
			w.ids[kind] = append(w.ids[kind], id)
		}
		return id
	}
	// mayChange records that a successful write to a can change what b reads like.
	mayChange := func(a, b string) { w.related[a] = append(w.related[a], b) }

	for _, set := range []struct {
		prefix string
		target bool
		n      int
	}{{"seed", true, 2}, {"bystander", false, 1}} {
		var zoneIDs, wsIDs, userIDs []string
		for i := 0; i < 3*set.n; i++ {
			z := fzMust(zones.CreateZone(ctx, &pb.CreateZoneRequest{Zone: &pb.Zone{Name: fmt.Sprintf("%s-zone-%d", set.prefix, i),
				Description: "seeded", ProxyMode: pb.ProxyMode(i % 3)}}))
			zoneIDs = append(zoneIDs, add("zone", z.GetZone().GetId(), set.target))
		}
		for i := 0; i < 2*set.n; i++ {
			zid := ""
			if i%2 == 0 {
				zid = zoneIDs[i%len(zoneIDs)]
			}
			id := fzMust(e.App.Store.InsertAgentForTest(context.Background(), &model.Agent{Hostname: fmt.Sprintf("%s-agent-%d", set.prefix, i),
				ZoneID: zid, Enabled: true, State: int(pb.AgentState_AGENT_STATE_ONLINE), Reported: model.Capacity{Cores: 16, MemoryMB: 65536, GPUs: 1}}))
			add("agent", id, set.target)
		}
		for i := 0; i < set.n; i++ {
			for j, ws := range []*pb.Workspace{
				{Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Enabled: true, ZoneIds: zoneIDs[:1], Container: &pb.ContainerSpec{
					Image: "registry.example.com:5000/desktop:1.4", Registry: "https://registry.example.com:5000", RegistryUsername: "bot",
					RegistryPassword: "s3cret", Cores: 2, MemoryMb: 4096, Gpus: 1, CpuAllocationMethod: pb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA,
					DockerRunConfigOverride: `{"shm_size":"2g","environment":{"A":"1"}}`, DockerNetwork: "desks",
					VolumeMappings: []*pb.VolumeMapping{{HostPath: "/srv/home", ContainerPath: "/home/user"}, {HostPath: "/srv/ro", ContainerPath: "/ro", ReadOnly: true}}}},
				{Kind: pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, Container: &pb.ContainerSpec{Image: "desktop:1.0", Cores: 0.5, MemoryMb: 64}},
				{Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER, Enabled: true, ServerId: "0190f3c2-0000-7000-8000-0000000000aa", IdleTimeoutSeconds: 600},
				{Kind: pb.WorkspaceKind_WORKSPACE_KIND_SERVER_POOL, ServerPoolId: "0190f3c2-0000-7000-8000-0000000000bb", MaxLifetimeSeconds: 3600},
				{Description: "ünïcödé ☕", Kind: pb.WorkspaceKind_WORKSPACE_KIND_LINK, Enabled: true, LinkUrl: "https://example.com/app?x=1", ZoneIds: zoneIDs},
			} {
				ws.Name = fmt.Sprintf("%s workspace %d-%d", set.prefix, i, j)
				r := fzMust(wss.CreateWorkspace(ctx, &pb.CreateWorkspaceRequest{Workspace: ws}))
				wsIDs = append(wsIDs, add("workspace", r.GetWorkspace().GetId(), set.target))
			}
		}
		for i := 0; i < 3*set.n; i++ {
			role := pb.Role_ROLE_USER
			if i%3 == 2 {
				role = pb.Role_ROLE_ADMIN
			}
			name, pw := fmt.Sprintf("%s-user-%d", set.prefix, i), fmt.Sprintf("%s-password-%d", set.prefix, i)
			u := fzMust(users.CreateUser(ctx, &pb.CreateUserRequest{User: &pb.User{Username: name, Password: pw, Role: role, DisplayName: "Seed " + name}}))
			userIDs = append(userIDs, add("user", u.GetUser().GetId(), set.target))
			if set.target {
				w.logins = append(w.logins, [2]string{name, pw})
			}
			// Every other user owns a read-only key, made with the user's own login.
			if i%2 == 0 {
				l := fzMust(pb.NewAuthServiceClient(c).Login(context.Background(), &pb.LoginRequest{Username: name, Password: pw}))
				lctx, lcancel := fzCtx("Bearer " + l.GetToken())
				k := fzMust(keys.CreateApiKey(lctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: name + " key", Scope: pb.ApiKeyScope_API_KEY_SCOPE_READ_ONLY,
					ExpireTime: timestamppb.New(time.Now().Add(48 * time.Hour).Truncate(time.Second))}}))
				lcancel()
				mayChange(u.GetUser().GetId(), add("apikey", k.GetApiKey().GetId(), set.target))
			}
		}
		for i := 0; i < 2*set.n; i++ {
			g := &pb.Group{Name: fmt.Sprintf("%s-group-%d", set.prefix, i)}
			if i < len(userIDs)/2 {
				g.MemberIds = userIDs[2*i : 2*i+2]
				g.WorkspaceIds = wsIDs[i : i+2]
			}
			r := fzMust(groups.CreateGroup(ctx, &pb.CreateGroupRequest{Group: g, RequestId: fmt.Sprintf("seed-%s-%d", set.prefix, i)}))
			gid := add("group", r.GetGroup().GetId(), set.target)
			for _, id := range r.GetGroup().GetMemberIds() {
				mayChange(gid, id) // the user's group_ids
				mayChange(id, gid) // deleting the user drops the membership
			}
			for _, id := range r.GetGroup().GetWorkspaceIds() {
				mayChange(id, gid) // deleting the workspace drops it from the group
			}
		}
	}
	fuzzUser, userToken := e.NewUser(t, "fuzz-user")
	add("user", fuzzUser.GetId(), false)
	adminID := fzMust(pb.NewAuthServiceClient(c).GetCurrentUser(ctx, &pb.GetCurrentUserRequest{})).GetUser().GetId()
	add("user", adminID, false)
	w.userTok = userToken
	// The plain user sees the workspaces of one target group.
	g0 := w.ids["group"][0]
	cur := fzMust(groups.GetGroup(ctx, &pb.GetGroupRequest{Id: g0})).GetGroup()
	fzMust(groups.UpdateGroup(ctx, &pb.UpdateGroupRequest{Group: &pb.Group{Id: g0, MemberIds: append(cur.GetMemberIds(), fuzzUser.GetId())},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"member_ids"}}}))
	mayChange(g0, fuzzUser.GetId())
	mayChange(fuzzUser.GetId(), g0)
	w.logins = append(w.logins, [2]string{"admin", apptest.AdminPassword}, [2]string{"fuzz-user", "password-fuzz-user"},
		[2]string{"admin", "wrong-password"}, [2]string{"nobody", "password"}, [2]string{"ADMIN", apptest.AdminPassword})
	adminKey := fzMust(keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "seed admin key"}}))
	add("apikey", adminKey.GetApiKey().GetId(), true)
	roKey := fzMust(keys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: &pb.ApiKey{Name: "fuzz read-only", Scope: pb.ApiKeyScope_API_KEY_SCOPE_READ_ONLY}}))
	add("apikey", roKey.GetApiKey().GetId(), false)
	w.touched[roKey.GetApiKey().GetId()] = true // in use as a credential: last_used_time moves

	w.callers = []*fzCaller{
		{name: "admin", header: "Bearer " + e.AdminToken, username: "admin", password: apptest.AdminPassword, userID: adminID, admin: true},
		{name: "user", header: "Bearer " + userToken, username: "fuzz-user", password: "password-fuzz-user", userID: fuzzUser.GetId()},
		{name: "admin read-only key", header: "Bearer " + roKey.GetSecret(), admin: true, readOnly: true},
		{name: "no credential", anon: true},
		{name: "unknown token", header: "Bearer hdt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", anon: true},
		{name: "unknown key", header: "Bearer hdk_' OR 1=1 --", anon: true},
		{name: "malformed header", header: "Basic YWRtaW46YWRtaW4=", anon: true},
	}
	w.snapshot(t)
	return w
}

// fzGetters read one resource of each kind as the administrator.
func (w *fzWorld) get(ctx context.Context, kind, id string) (proto.Message, error) {
	c := w.e.Conn
	switch kind {
	case "zone":
		r, err := pb.NewZoneServiceClient(c).GetZone(ctx, &pb.GetZoneRequest{Id: id})
		return r.GetZone(), err
	case "workspace":
		r, err := pb.NewWorkspaceServiceClient(c).GetWorkspace(ctx, &pb.GetWorkspaceRequest{Id: id})
		return r.GetWorkspace(), err
	case "user":
		r, err := pb.NewUserServiceClient(c).GetUser(ctx, &pb.GetUserRequest{Id: id})
		return r.GetUser(), err
	case "group":
		r, err := pb.NewGroupServiceClient(c).GetGroup(ctx, &pb.GetGroupRequest{Id: id})
		return r.GetGroup(), err
	case "apikey":
		r, err := pb.NewApiKeyServiceClient(c).GetApiKey(ctx, &pb.GetApiKeyRequest{Id: id})
		return r.GetApiKey(), err
	case "agent":
		r, err := pb.NewAgentServiceClient(c).GetAgent(ctx, &pb.GetAgentRequest{Id: id})
		return r.GetAgent(), err
	}
	return nil, fmt.Errorf("no getter for %s", kind)
}

func (w *fzWorld) snapshot(t testing.TB) {
	ctx, cancel := fzCtx(w.callers[0].header)
	defer cancel()
	for id, kind := range w.seeded {
		m, err := w.get(ctx, kind, id)
		if err != nil {
			t.Fatalf("snapshot %s %s: %v", kind, id, err)
		}
		w.snap[id] = m
	}
}

// ---------------------------------------------------------------- request generation

type fzGen struct {
	src fzSource
	w   *fzWorld
	n   int // makes plausible names unique
}

func (g *fzGen) chance(pct int) bool { return g.src.Intn(100) < pct }

func fzPick[T any](g *fzGen, list []T) T { return list[g.src.Intn(len(list))] }

func (g *fzGen) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.src.Intn(256))
	}
	b[6], b[8] = b[6]&0x0f|0x70, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// id returns an id of a resource of kind most of the time, else some other id.
func (g *fzGen) id(kind string) string {
	if ids := g.w.ids[kind]; len(ids) > 0 && g.chance(85) {
		return fzPick(g, ids)
	}
	if g.chance(50) {
		var all []string
		for _, k := range []string{"zone", "workspace", "user", "group", "apikey", "agent"} {
			all = append(all, g.w.ids[k]...)
		}
		if len(all) > 0 {
			return fzPick(g, all)
		}
	}
	return g.uuid()
}

func (g *fzGen) token() string {
	if len(g.w.tokens) == 0 || g.chance(20) {
		return ""
	}
	return fzPick(g, g.w.tokens)
}

var fzLong = func() []string {
	var out []string
	for _, n := range []int{63, 64, 65, 127, 128, 129, 255, 256, 511, 512, 513, 1024, 1025, 4096, 4097, 65536, 65537, 200000} {
		out = append(out, strings.Repeat("a", n))
	}
	return append(out, strings.Repeat("é", 64), strings.Repeat("🙂", 129), strings.Repeat("日", 1025), strings.Repeat("' OR 1=1 -- ", 600))
}()

var fzStrings = []string{
	"", " ", "  padded  ", "a", "A", "-", "_", ".", "..", "/", "*", "%", "%%", "\\", "'", "\"", "`", ";", "$1", "?",
	"' OR '1'='1", "'; DROP TABLE users; --", "1; SELECT pg_sleep(10)", "\\x00", "E'\\\\x41'", "NULL", "null", "true", "0", "-1",
	"9223372036854775808", "1e309", "NaN", "{}", "[]", `{"a":`, `{"privileged":true}`, `{"__proto__":{"x":1}}`,
	"<script>alert(1)</script>", "../../etc/passwd", "//", "http://", "https://", "https://example.com", "javascript:alert(1)",
	"file:///etc/passwd", "ftp://x", "http://[::1]:80/", "\x00", "a\x00b", "\u202eevil", "\u200b", "\ufeff", "🙂", "𝕳𝖔𝖙𝖉𝖊𝖘𝖐",
	"é", "e\u0301", "\u2028\u2029", "\r\n", "\t", "日本語", "Ω≈ç√", "\x7f", "\x1b[31m", "${jndi:ldap://x}", "{{.}}", "%s%n%x",
	"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "FFFFFFFF-FFFF-7FFF-BFFF-FFFFFFFFFFFF",
	"0190f3c2-7d3a-7b4c-8e5f-123456789abc", "0190f3c27d3a7b4c8e5f123456789abc", "{0190f3c2-7d3a-7b4c-8e5f-123456789abc}",
	"urn:uuid:0190f3c2-7d3a-7b4c-8e5f-123456789abc", "0190f3c2-7d3a-7b4c-8e5f-123456789abz", " 0190f3c2-7d3a-7b4c-8e5f-123456789abc",
	"hdt_", "hdk_", "hdk_x", "Bearer x", "admin", "ADMIN", "Admin ", "fuzz-user", "seed-zone-0", "Seed Desktop", "seed-group-0",
	"desktop:1.0", "Desktop:1.0", "desktop@sha256:abc", "registry.example.com:5000", "https://registry.example.com:5000/",
	"eyJhIjoiMDE5MGYzYzItN2QzYS03YjRjLThlNWYtMTIzNDU2Nzg5YWJjIiwicSI6InpvbmVzIn0AAAAAAAAAAAAAAAAAAAAA", "AAAA", "====",
}

// str returns a hostile string: from the corpus, very long, random unicode, or a mangled id
// or token the server issued.
func (g *fzGen) str() string {
	switch g.src.Intn(10) {
	case 0:
		return fzPick(g, fzLong)
	case 1:
		n := g.src.Intn(40)
		r := make([]rune, n)
		for i := range r {
			switch g.src.Intn(4) {
			case 0:
				r[i] = rune(g.src.Intn(0x80))
			case 1:
				r[i] = rune(g.src.Intn(0x800))
			case 2:
				r[i] = rune(g.src.Intn(0x10000))
			default:
				r[i] = rune(0x10000 + g.src.Intn(0x100000))
			}
		}
		return string(r)
	case 2:
		kind := fzPick(g, []string{"zone", "workspace", "user", "group", "apikey", "agent"})
		id := g.id(kind)
		if probes := g.w.probes[kind]; len(probes) > 0 && g.chance(60) {
			id = fzPick(g, probes)
			if g.chance(60) {
				return id
			}
		}
		switch g.src.Intn(5) {
		case 0:
			return strings.ToUpper(id)
		case 1:
			return id + "x"
		case 2:
			return id[:len(id)-1]
		case 3:
			return strings.ReplaceAll(id, "-", "")
		}
		return id
	case 3:
		if tok := g.token(); tok != "" {
			return fzTamper(g, tok)
		}
	}
	return fzPick(g, fzStrings)
}

func fzTamper(g *fzGen, s string) string {
	if s == "" {
		return "x"
	}
	b := []byte(s)
	i := g.src.Intn(len(b))
	switch g.src.Intn(5) {
	case 0:
		return s[:i]
	case 1:
		return s + s[i:]
	case 2:
		b[i] = "AZaz09-_"[g.src.Intn(8)]
		return string(b)
	case 3:
		return s[:i] + "\n" + s[i:]
	}
	return strings.ToUpper(s)
}

var (
	fzInt32s  = []int64{0, 1, -1, 2, 3, 7, 63, 64, 100, 128, 999, 1000, 1001, 3600, 604800, 604801, 2592000, 2592001, 31536000, 31536001, math.MaxInt32, math.MinInt32}
	fzInt64s  = []int64{0, 1, -1, 63, 64, 2048, 4194304, 4194305, 1073741824, 1073741825, math.MaxInt64, math.MinInt64, 1 << 53}
	fzDoubles = []float64{0, math.Copysign(0, -1), 0.5, 1, 2, -1, -0.5, 1024, 1024.0000001, 100000, 100000.5, 1e-300, 5e-324,
		math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
	fzSeconds = []int64{0, -1, 1, -62135596800, -62135596801, 253402300799, 253402300800, 9e12, 1e13, 1e15, 1e17, 1 << 62,
		math.MaxInt64, math.MinInt64}
	fzNanos = []int32{0, 1, -1, 999999999, 1000000000, math.MaxInt32, math.MinInt32}
)

func (g *fzGen) timestamp(plausible bool) *timestamppb.Timestamp {
	if plausible {
		return timestamppb.New(time.Now().Add(time.Duration(1+g.src.Intn(1000)) * time.Hour).Truncate(time.Second))
	}
	if g.chance(30) {
		return timestamppb.New(time.Now().Add(time.Duration(g.src.Intn(2000)-1000) * time.Hour))
	}
	ts := &timestamppb.Timestamp{Seconds: fzPick(g, fzSeconds)}
	if g.chance(30) {
		ts.Nanos = fzPick(g, fzNanos)
	}
	return ts
}

// writablePaths lists the update_mask paths of a resource: its writable fields and one level of
// their sub-fields, by proto and JSON name.
func fzWritablePaths(md protoreflect.MessageDescriptor, prefix string, depth int) []string {
	var out []string
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if fzOutputOnly(fd) {
			continue
		}
		out = append(out, prefix+string(fd.Name()))
		if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() && depth < 1 {
			out = append(out, fzWritablePaths(fd.Message(), prefix+string(fd.Name())+".", depth+1)...)
		}
	}
	return out
}

func fzOutputOnly(fd protoreflect.FieldDescriptor) bool {
	bs, _ := proto.GetExtension(fd.Options(), annotations.E_FieldBehavior).([]annotations.FieldBehavior)
	for _, b := range bs {
		if b == annotations.FieldBehavior_OUTPUT_ONLY {
			return true
		}
	}
	return false
}

var fzBogusPaths = []string{"", ".", "*", "id", "create_time", "update_time", "container.", ".name", "name.", "a.b.c", "container.has_registry_password",
	"container.volume_mappings.host_path", "zone_ids.0", "NAME", "display_name ", "password", "group_ids", "reported.cores", "used",
	"overrides.cores.x", "containerSpec", "dockerRunConfigOverride", "container.dockerRunConfigOverride", "member_ids", "memberIds", "🙂", "name,description"}

func (g *fzGen) mask(resource protoreflect.MessageDescriptor, plausible bool) *fieldmaskpb.FieldMask {
	var real []string
	if resource != nil {
		real = fzWritablePaths(resource, "", 0)
	}
	m := &fieldmaskpb.FieldMask{}
	n := g.src.Intn(4)
	if !plausible && g.chance(5) {
		n = 300
	}
	for i := 0; i < n; i++ {
		switch {
		case len(real) > 0 && (plausible || g.chance(60)):
			p := fzPick(g, real)
			if !plausible && g.chance(20) {
				p = fzJSONName(resource, p)
			}
			m.Paths = append(m.Paths, p)
		case g.chance(70):
			m.Paths = append(m.Paths, fzPick(g, fzBogusPaths))
		default:
			m.Paths = append(m.Paths, g.str())
		}
	}
	return m
}

// fzJSONName spells a top-level path in its JSON name (what REST clients send).
func fzJSONName(md protoreflect.MessageDescriptor, path string) string {
	head, rest, _ := strings.Cut(path, ".")
	fd := md.Fields().ByName(protoreflect.Name(head))
	if fd == nil {
		return path
	}
	if rest != "" {
		return fd.JSONName() + "." + rest
	}
	return fd.JSONName()
}

// resourceField finds the request's resource message field (Zone in UpdateZoneRequest).
func fzResourceField(md protoreflect.MessageDescriptor) protoreflect.FieldDescriptor {
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if fd.Kind() == protoreflect.MessageKind && fzKinds[fd.Message().FullName()] != "" {
			return fd
		}
	}
	return nil
}

// plausible fills m with a request that has a fair chance of succeeding: ids of existing
// resources of the right kind, unique names, values inside the contract's ranges.
func (g *fzGen) plausible(m protoreflect.Message, kind string) {
	md := m.Descriptor()
	if md.FullName() == "hotdesk.v1.LoginRequest" {
		l := fzPick(g, g.w.logins)
		m.Set(md.Fields().ByName("username"), protoreflect.ValueOfString(l[0]))
		m.Set(md.Fields().ByName("password"), protoreflect.ValueOfString(l[1]))
		return
	}
	if k := fzKinds[md.FullName()]; k != "" {
		kind = k
	}
	var resource protoreflect.MessageDescriptor
	if fd := fzResourceField(md); fd != nil {
		resource = fd.Message()
	}
	g.n++
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if fzOutputOnly(fd) && fd.Name() != "id" {
			continue
		}
		if !g.chance(80) && fd.Name() != "id" {
			continue
		}
		if fd.IsList() {
			list := m.Mutable(fd).List()
			for j := g.src.Intn(3); j > 0; j-- {
				if fd.Kind() == protoreflect.MessageKind {
					el := list.NewElement()
					g.plausible(el.Message(), kind)
					list.Append(el)
				} else {
					list.Append(g.plausibleScalar(fd, md, kind))
				}
			}
			continue
		}
		if fd.Kind() == protoreflect.MessageKind {
			switch fd.Message().FullName() {
			case "google.protobuf.Timestamp":
				m.Set(fd, protoreflect.ValueOfMessage(g.timestamp(true).ProtoReflect()))
			case "google.protobuf.FieldMask":
				m.Set(fd, protoreflect.ValueOfMessage(g.mask(resource, true).ProtoReflect()))
			default:
				g.plausible(m.Mutable(fd).Message(), kind)
			}
			continue
		}
		m.Set(fd, g.plausibleScalar(fd, md, kind))
	}
}

var fzImages = []string{"desktop:1.0", "ubuntu:24.04", "registry.example.com:5000/team/desk:2",
	"desktop@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}

var fzOverrides = []string{"", `{}`, `{"shm_size":"1g"}`, `{"blkio_weight":300,"init":true}`, `{"environment":["A=1"],"cap_add":["NET_ADMIN"]}`,
	`{"ulimits":[{"Name":"nofile","Soft":1024,"Hard":2048}]}`, `{"privileged":true}`, `{"network_mode":"host"}`}

func (g *fzGen) plausibleScalar(fd protoreflect.FieldDescriptor, parent protoreflect.MessageDescriptor, kind string) protoreflect.Value {
	name := string(fd.Name())
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.plausibleString(name, parent, kind))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.chance(50))
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(g.src.Intn(vals.Len())).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		switch name {
		case "page_size":
			return protoreflect.ValueOfInt32(int32(g.src.Intn(4)))
		case "gpus":
			return protoreflect.ValueOfInt32(int32(g.src.Intn(3)))
		case "ttl_seconds":
			return protoreflect.ValueOfInt32(int32(60 + g.src.Intn(3600)))
		}
		return protoreflect.ValueOfInt32(int32(g.src.Intn(7200)))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(64 + g.src.Intn(16384)))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(1+g.src.Intn(32)) / 4)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(1+g.src.Intn(32)) / 4)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(g.src.Intn(100)))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(g.src.Intn(100)))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(g.plausibleString(name, parent, kind)))
	}
	return fd.Default()
}

func (g *fzGen) plausibleString(name string, parent protoreflect.MessageDescriptor, kind string) string {
	switch name {
	case "id":
		return g.id(kind)
	case "zone_id", "zone_ids":
		if name == "zone_id" && g.chance(20) {
			return ""
		}
		return g.id("zone")
	case "member_ids", "user_id":
		if parent.FullName() == "hotdesk.v1.ListApiKeysRequest" && g.chance(50) {
			return fzPick(g, []string{"", "-"})
		}
		return g.id("user")
	case "workspace_ids":
		return g.id("workspace")
	case "server_id", "server_pool_id", "pool_id":
		return g.uuid()
	case "page_token":
		return g.token()
	case "request_id":
		if g.chance(50) {
			return ""
		}
		return fmt.Sprintf("req-%d", g.src.Intn(20))
	case "name", "username":
		return fmt.Sprintf("%s-%d-%d", kind, g.n, g.src.Intn(1000))
	case "password", "registry_password", "new_password":
		return fmt.Sprintf("password-%d", g.src.Intn(1000))
	case "current_password":
		// Some known password: now and then the caller's own, and the change goes through.
		return fzPick(g, g.w.logins)[1]
	case "image":
		return fzPick(g, fzImages)
	case "registry":
		return fzPick(g, []string{"", "registry.example.com:5000", "https://registry.example.com:5000"})
	case "registry_username":
		return ""
	case "docker_run_config_override":
		return fzPick(g, fzOverrides)
	case "docker_network":
		return fzPick(g, []string{"", "bridge", "desks"})
	case "host_path", "container_path":
		return fzPick(g, []string{"/srv/data", "/data", "/home/user", "/mnt/x"})
	case "link_url", "thumbnail_url":
		return fzPick(g, []string{"https://example.com/app", "http://intranet.example.com:8080/x?y=1"})
	}
	return fmt.Sprintf("%s %s %d", kind, name, g.src.Intn(100))
}

// hostile fills m with arbitrary values.
func (g *fzGen) hostile(m protoreflect.Message, depth int) {
	md := m.Descriptor()
	var resource protoreflect.MessageDescriptor
	if fd := fzResourceField(md); fd != nil {
		resource = fd.Message()
	}
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if g.chance(40) {
			continue
		}
		g.setHostile(m, fd, resource, depth)
	}
}

func (g *fzGen) setHostile(m protoreflect.Message, fd protoreflect.FieldDescriptor, resource protoreflect.MessageDescriptor, depth int) {
	switch {
	case fd.IsMap():
		return
	case fd.IsList():
		list := m.Mutable(fd).List()
		n := g.src.Intn(5)
		if g.chance(3) {
			n = 257 + g.src.Intn(60)
		}
		for j := 0; j < n; j++ {
			if fd.Kind() == protoreflect.MessageKind {
				el := list.NewElement()
				if depth < 3 {
					g.hostile(el.Message(), depth+1)
				}
				list.Append(el)
			} else {
				list.Append(g.hostileScalar(fd))
			}
		}
	case fd.Kind() == protoreflect.MessageKind:
		switch fd.Message().FullName() {
		case "google.protobuf.Timestamp":
			m.Set(fd, protoreflect.ValueOfMessage(g.timestamp(false).ProtoReflect()))
		case "google.protobuf.FieldMask":
			m.Set(fd, protoreflect.ValueOfMessage(g.mask(resource, false).ProtoReflect()))
		default:
			sub := m.Mutable(fd).Message()
			if depth < 3 && g.chance(80) {
				g.hostile(sub, depth+1)
			}
		}
	default:
		m.Set(fd, g.hostileScalar(fd))
	}
}

func (g *fzGen) hostileScalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.str())
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(g.str()))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.chance(50))
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		if g.chance(60) {
			return protoreflect.ValueOfEnum(vals.Get(g.src.Intn(vals.Len())).Number())
		}
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(fzPick(g, []int32{-1, 5, 99, 1 << 20, math.MaxInt32, math.MinInt32})))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if g.chance(20) {
			return protoreflect.ValueOfInt32(int32(g.src.Intn(1 << 30)))
		}
		return protoreflect.ValueOfInt32(int32(fzPick(g, fzInt32s)))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(fzPick(g, fzInt64s))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(fzPick(g, fzInt32s)))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(fzPick(g, fzInt64s)))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(fzPick(g, fzDoubles))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(fzPick(g, fzDoubles)))
	}
	return fd.Default()
}

// mutate changes one to three fields somewhere in m: clears, replaces with a hostile value,
// or nudges the current value.
func (g *fzGen) mutate(m protoreflect.Message) {
	var resource protoreflect.MessageDescriptor
	if fd := fzResourceField(m.Descriptor()); fd != nil {
		resource = fd.Message()
	}
	for k := 1 + g.src.Intn(3); k > 0; k-- {
		cur := m
		for depth := 0; ; depth++ {
			fields := cur.Descriptor().Fields()
			if fields.Len() == 0 {
				break
			}
			fd := fields.Get(g.src.Intn(fields.Len()))
			if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() && depth < 3 && g.chance(60) &&
				fd.Message().FullName() != "google.protobuf.FieldMask" {
				cur = cur.Mutable(fd).Message()
				continue
			}
			switch g.src.Intn(4) {
			case 0:
				cur.Clear(fd)
			case 1:
				g.nudge(cur, fd)
			default:
				g.setHostile(cur, fd, resource, depth)
			}
			break
		}
	}
}

func (g *fzGen) nudge(m protoreflect.Message, fd protoreflect.FieldDescriptor) {
	if fd.IsMap() {
		return
	}
	if fd.IsList() {
		list := m.Mutable(fd).List()
		switch {
		case list.Len() > 0 && g.chance(50):
			list.Append(list.Get(g.src.Intn(list.Len()))) // duplicate an item
		case list.Len() > 0:
			list.Truncate(list.Len() - 1)
		default:
			if fd.Kind() != protoreflect.MessageKind {
				list.Append(g.hostileScalar(fd))
			}
		}
		return
	}
	v := m.Get(fd)
	switch fd.Kind() {
	case protoreflect.StringKind:
		s := v.String()
		switch g.src.Intn(5) {
		case 0:
			s = strings.ToUpper(s)
		case 1:
			s = " " + s + " "
		case 2:
			s += fzPick(g, []string{"\x00", "'", "🙂", "/..", "e\u0301", "x"})
		case 3:
			s = fzTamper(g, s)
		default:
			if len(s) > 0 {
				s = s[:g.src.Intn(len(s))]
			}
		}
		if strings.ToValidUTF8(s, "") != s {
			s = strings.ToValidUTF8(s, "?")
		}
		m.Set(fd, protoreflect.ValueOfString(s))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		m.Set(fd, protoreflect.ValueOfInt32(v.Interface().(int32)+int32(g.src.Intn(3)-1)))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		m.Set(fd, protoreflect.ValueOfInt64(-v.Int()))
	case protoreflect.DoubleKind:
		m.Set(fd, protoreflect.ValueOfFloat64(-v.Float()))
	case protoreflect.BoolKind:
		m.Set(fd, protoreflect.ValueOfBool(!v.Bool()))
	case protoreflect.EnumKind:
		m.Set(fd, protoreflect.ValueOfEnum(v.Enum()+1))
	default:
		g.setHostile(m, fd, nil, 3)
	}
}

// request builds one request for md: plausible, a mutated plausible one, or hostile.
func (g *fzGen) request(md protoreflect.MethodDescriptor) (proto.Message, string) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
	if err != nil {
		panic(err)
	}
	m := mt.New()
	kind := fzKinds[md.Parent().FullName()]
	switch r := g.src.Intn(10); {
	case r < 3:
		g.plausible(m, kind)
		return m.Interface(), "plausible"
	case r < 7:
		g.plausible(m, kind)
		g.mutate(m)
		return m.Interface(), "mutated"
	default:
		g.hostile(m, 0)
		return m.Interface(), "hostile"
	}
}

// ---------------------------------------------------------------- calling

type fzCall struct {
	method   protoreflect.MethodDescriptor
	full     string
	caller   *fzCaller
	req      proto.Message
	style    string
	rest     bool
	code     codes.Code
	msg      string
	httpCode int
	resp     proto.Message
	// chain is false for REST answers the gateway gave itself (routing, JSON decoding),
	// before the call reached the interceptors that authenticate it.
	chain bool
}

func (c *fzCall) String() string {
	b, err := protojson.Marshal(c.req)
	if err != nil { // e.g. a Timestamp out of JSON's range
		b = []byte(prototext.Format(c.req))
	}
	body := string(b)
	if len(body) > 3000 {
		body = body[:3000] + fmt.Sprintf("... (%d bytes)", len(b))
	}
	via := "gRPC"
	if c.rest {
		via = fmt.Sprintf("REST (HTTP %d)", c.httpCode)
	}
	return fmt.Sprintf("%s as %s via %s, %s request %s -> %s %q", c.full, c.caller.name, via, c.style, body, c.code, c.msg)
}

func fzFullName(md protoreflect.MethodDescriptor) string {
	return "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
}

func (w *fzWorld) invoke(c *fzCall) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(c.method.Output().FullName())
	if err != nil {
		panic(err)
	}
	resp := mt.New().Interface()
	ctx, cancel := fzCtx(c.caller.header)
	defer cancel()
	err = w.e.Conn.Invoke(ctx, c.full, c.req, resp)
	st := status.Convert(err)
	c.code, c.msg, c.chain = st.Code(), st.Message(), true
	if err == nil {
		c.resp = resp
	}
}

var fzPathVar = regexp.MustCompile(`\{([a-z_.]+)\}`)

// invokeREST sends the request through the gateway, following the method's HTTP rule, and
// sometimes breaks the JSON body on purpose.
func (w *fzWorld) invokeREST(g *fzGen, c *fzCall) {
	rule, _ := proto.GetExtension(c.method.Options(), annotations.E_Http).(*annotations.HttpRule)
	verb, tmpl := "", ""
	switch {
	case rule.GetGet() != "":
		verb, tmpl = http.MethodGet, rule.GetGet()
	case rule.GetPost() != "":
		verb, tmpl = http.MethodPost, rule.GetPost()
	case rule.GetPatch() != "":
		verb, tmpl = http.MethodPatch, rule.GetPatch()
	case rule.GetDelete() != "":
		verb, tmpl = http.MethodDelete, rule.GetDelete()
	case rule.GetPut() != "":
		verb, tmpl = http.MethodPut, rule.GetPut()
	default:
		w.invoke(c)
		return
	}
	c.rest = true
	m := c.req.ProtoReflect()
	inPath := map[string]bool{}
	path := fzPathVar.ReplaceAllStringFunc(tmpl, func(v string) string {
		field := strings.Trim(v, "{}")
		inPath[field] = true
		cur := m
		segs := strings.Split(field, ".")
		for i, s := range segs {
			fd := cur.Descriptor().Fields().ByName(protoreflect.Name(s))
			if fd == nil {
				return ""
			}
			if i == len(segs)-1 {
				return url.PathEscape(cur.Get(fd).String())
			}
			cur = cur.Get(fd).Message()
		}
		return ""
	})
	q := url.Values{}
	var body []byte
	switch rule.GetBody() {
	case "":
		for i := 0; i < m.Descriptor().Fields().Len(); i++ {
			fd := m.Descriptor().Fields().Get(i)
			if inPath[string(fd.Name())] || !m.Has(fd) || fd.Kind() == protoreflect.MessageKind {
				continue
			}
			if fd.IsList() {
				for j := 0; j < m.Get(fd).List().Len(); j++ {
					q.Add(string(fd.Name()), fzQueryValue(fd, m.Get(fd).List().Get(j)))
				}
				continue
			}
			q.Set(string(fd.Name()), fzQueryValue(fd, m.Get(fd)))
		}
	case "*":
		body, _ = protojson.Marshal(c.req)
	default:
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(rule.GetBody()))
		body, _ = protojson.Marshal(m.Get(fd).Message().Interface())
		for i := 0; i < m.Descriptor().Fields().Len(); i++ {
			f := m.Descriptor().Fields().Get(i)
			if f.Kind() == protoreflect.MessageKind && f.Message().FullName() == "google.protobuf.FieldMask" && m.Has(f) {
				q.Set(string(f.Name()), strings.Join(m.Get(f).Message().Interface().(*fieldmaskpb.FieldMask).GetPaths(), ","))
			}
		}
	}
	if body != nil && g.chance(15) {
		body = fzBreakJSON(g, body)
	}
	u := w.e.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(verb, u, bytes.NewReader(body))
	if err != nil {
		c.code, c.msg = codes.InvalidArgument, "client could not build the request: "+err.Error()
		c.httpCode = 400
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if c.caller.header != "" {
		req.Header.Set("Authorization", c.caller.header)
	}
	resp, err := w.e.HTTP.Do(req)
	if err != nil {
		c.code, c.msg = codes.Unavailable, err.Error()
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	c.httpCode = resp.StatusCode
	var st struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Type   string `json:"@type"`
			Domain string `json:"domain"`
		} `json:"details"`
	}
	if resp.StatusCode/100 == 2 {
		c.code, c.chain = codes.OK, true
		return
	}
	if err := json.Unmarshal(raw, &st); err == nil && st.Code != 0 {
		c.code, c.msg = codes.Code(st.Code), st.Message
		for _, d := range st.Details {
			c.chain = c.chain || (strings.HasSuffix(d.Type, "google.rpc.ErrorInfo") && d.Domain == "hotdesk.dev")
		}
		return
	}
	// Routing errors (404/405) carry no status body of ours.
	c.code, c.msg = codes.NotFound, strings.TrimSpace(string(raw))
	if resp.StatusCode >= 500 {
		c.code = codes.Unknown
	}
}

func fzQueryValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return v.String()
}

func fzBreakJSON(g *fzGen, b []byte) []byte {
	switch g.src.Intn(6) {
	case 0:
		return b[:g.src.Intn(len(b)+1)]
	case 1:
		return append(bytes.Clone(b), '}')
	case 2:
		return []byte(`{"noSuchField":1}`)
	case 3:
		return bytes.Replace(b, []byte(`"`), []byte(`'`), 1)
	case 4:
		return []byte(`[]`)
	}
	return []byte(`{"name":123,"id":{"x":[1,2]},"pageSize":"ten"}`)
}

// check judges one answer; it returns a complaint or "".
func (w *fzWorld) check(c *fzCall) string {
	if fzBadCodes[c.code] || (c.rest && c.httpCode >= 500 && c.httpCode != http.StatusNotImplemented) {
		return "server error"
	}
	for _, leak := range fzLeaks {
		if strings.Contains(c.msg, leak) {
			return "error message leaks internals (" + leak + ")"
		}
	}
	login := c.full == "/hotdesk.v1.AuthService/Login"
	if c.code == codes.ResourceExhausted && strings.Contains(c.msg, "sign-ins") {
		return "a sign-in was throttled although the fuzz server's limits are out of reach"
	}
	required := auth.DefaultPolicy().Required(c.full)
	switch {
	case !c.chain:
		// The gateway refused the HTTP request itself; no access decision was made.
	case c.caller.anon && !login:
		if c.code != codes.Unauthenticated {
			return "a call without a valid credential was not refused as UNAUTHENTICATED"
		}
	case !c.caller.admin && !c.caller.anon && required == auth.AccessAdmin:
		if c.code != codes.PermissionDenied {
			return "an admin-only method did not refuse a plain user with PERMISSION_DENIED"
		}
	case c.caller.readOnly && !auth.IsReadOnly(c.full) && !login:
		if c.code != codes.PermissionDenied {
			return "a read-only API key was not refused a write with PERMISSION_DENIED"
		}
	}
	return ""
}

// readBack checks what a successful create or update answered against what a read returns
// right after, and that a timestamp the client set is kept (to the microsecond Postgres keeps).
func (w *fzWorld) readBack(c *fzCall) string {
	if c.code != codes.OK || c.resp == nil || !(strings.Contains(c.full, "/Create") || strings.Contains(c.full, "/Update")) {
		return ""
	}
	r := c.resp.ProtoReflect()
	fd := fzResourceField(r.Descriptor())
	if fd == nil || !r.Has(fd) {
		return ""
	}
	res := r.Get(fd).Message().Interface()
	ctx, cancel := fzCtx(w.callers[0].header)
	defer cancel()
	got, err := w.get(ctx, fzKinds[fd.Message().FullName()], fzID(res))
	if err != nil {
		return fmt.Sprintf("the %s it answered cannot be read back: %v", fd.Message().Name(), err)
	}
	if !proto.Equal(got, res) {
		return fmt.Sprintf("the answer differs from what a read returns right after:\n  answered %v\n  read     %v", res, got)
	}
	// (A create that reuses a request_id returns the first resource, whatever this one asked.)
	if req, ok := c.req.(*pb.CreateApiKeyRequest); ok && req.GetApiKey().GetExpireTime() != nil && req.GetRequestId() == "" {
		want := req.GetApiKey().GetExpireTime().AsTime().Truncate(time.Microsecond)
		if gotT := got.(*pb.ApiKey).GetExpireTime(); !gotT.AsTime().Equal(want) {
			return fmt.Sprintf("expire_time %v was stored as %v", want, gotT.AsTime())
		}
	}
	return ""
}

// record learns from a successful call: ids it created become targets, tokens get reused,
// ids a write named are no longer expected unchanged, and a Logout is followed by a login.
func (w *fzWorld) record(t testing.TB, c *fzCall) {
	if !auth.IsReadOnly(c.full) {
		for _, id := range fzTargets(c.req.ProtoReflect()) {
			id = strings.ToLower(id)
			if _, ok := w.seeded[id]; ok {
				w.attempted[id] = true
				if c.code == codes.OK {
					w.touched[id] = true
				}
			}
		}
	}
	if c.code != codes.OK {
		return
	}
	if req, ok := c.req.(*pb.ChangePasswordRequest); ok && !c.caller.anon {
		// The caller's sign-in keeps working; its password (and update_time) changed.
		for i, l := range w.logins {
			if strings.EqualFold(l[0], c.caller.username) && l[1] == c.caller.password {
				w.logins[i][1] = req.GetNewPassword()
			}
		}
		c.caller.password = req.GetNewPassword()
		w.touched[c.caller.userID] = true
	}
	if c.full == "/hotdesk.v1.AuthService/Logout" && !c.caller.anon {
		l, err := pb.NewAuthServiceClient(w.e.Conn).Login(context.Background(), &pb.LoginRequest{Username: c.caller.username, Password: c.caller.password})
		if err != nil {
			t.Fatalf("logging %s back in after Logout: %v", c.caller.name, err)
		}
		c.caller.header = "Bearer " + l.GetToken()
		if c.caller.name == "user" {
			w.userTok = l.GetToken()
		}
	}
	if c.resp == nil {
		return
	}
	r := c.resp.ProtoReflect()
	if fd := r.Descriptor().Fields().ByName("next_page_token"); fd != nil && r.Get(fd).String() != "" && len(w.tokens) < 200 {
		w.tokens = append(w.tokens, r.Get(fd).String())
	}
	if strings.Contains(c.full, "/Create") {
		if fd := fzResourceField(r.Descriptor()); fd != nil && r.Has(fd) {
			kind := fzKinds[fd.Message().FullName()]
			if id := r.Get(fd).Message().Get(fd.Message().Fields().ByName("id")).String(); id != "" && len(w.ids[kind]) < 60 {
				w.ids[kind] = append(w.ids[kind], id)
				w.created++
			}
		}
	}
}

// fzTargets lists the ids a write acts on: the request's id or its resource's id, and for
// groups the members (whose group_ids change).
func fzTargets(m protoreflect.Message) []string {
	var out []string
	if fd := m.Descriptor().Fields().ByName("id"); fd != nil && fd.Kind() == protoreflect.StringKind {
		out = append(out, m.Get(fd).String())
	}
	if fd := fzResourceField(m.Descriptor()); fd != nil && m.Has(fd) {
		r := m.Get(fd).Message()
		out = append(out, r.Get(r.Descriptor().Fields().ByName("id")).String())
		if fd := r.Descriptor().Fields().ByName("member_ids"); fd != nil {
			for i := 0; i < r.Get(fd).List().Len(); i++ {
				out = append(out, r.Get(fd).List().Get(i).String())
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- health and integrity

func (w *fzWorld) healthy(t testing.TB) {
	t.Helper()
	ctx, cancel := fzCtx("")
	defer cancel()
	hc, err := healthpb.NewHealthClient(w.e.Conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || hc.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("gRPC health: %v %v", hc.GetStatus(), err)
	}
	code, body := w.e.REST(t, http.MethodGet, "/readyz", "", "")
	if code != http.StatusOK {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	actx, acancel := fzCtx(w.callers[0].header)
	defer acancel()
	if _, err := pb.NewAuthServiceClient(w.e.Conn).GetCurrentUser(actx, &pb.GetCurrentUserRequest{}); err != nil {
		t.Fatalf("admin canary call: %v", err)
	}
}

type fzLister struct {
	kind, rest string
	list       func(ctx context.Context, token string) ([]proto.Message, string, error)
}

func (w *fzWorld) listers() []fzLister {
	c := w.e.Conn
	return []fzLister{
		{"zone", "/v1/zones/", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewZoneServiceClient(c).ListZones(ctx, &pb.ListZonesRequest{PageSize: 7, PageToken: tok})
			return fzMsgs(r.GetZones()), r.GetNextPageToken(), err
		}},
		{"workspace", "/v1/workspaces/", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewWorkspaceServiceClient(c).ListWorkspaces(ctx, &pb.ListWorkspacesRequest{PageSize: 7, PageToken: tok})
			return fzMsgs(r.GetWorkspaces()), r.GetNextPageToken(), err
		}},
		{"user", "/v1/users/", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewUserServiceClient(c).ListUsers(ctx, &pb.ListUsersRequest{PageSize: 7, PageToken: tok})
			return fzMsgs(r.GetUsers()), r.GetNextPageToken(), err
		}},
		{"group", "/v1/groups/", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewGroupServiceClient(c).ListGroups(ctx, &pb.ListGroupsRequest{PageSize: 7, PageToken: tok})
			return fzMsgs(r.GetGroups()), r.GetNextPageToken(), err
		}},
		{"apikey", "/v1/apiKeys/", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewApiKeyServiceClient(c).ListApiKeys(ctx, &pb.ListApiKeysRequest{PageSize: 7, PageToken: tok, UserId: "-"})
			return fzMsgs(r.GetApiKeys()), r.GetNextPageToken(), err
		}},
		{"agent", "/v1/agents/", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewAgentServiceClient(c).ListAgents(ctx, &pb.ListAgentsRequest{PageSize: 7, PageToken: tok})
			return fzMsgs(r.GetAgents()), r.GetNextPageToken(), err
		}},
		{"audit", "", func(ctx context.Context, tok string) ([]proto.Message, string, error) {
			r, err := pb.NewAuditServiceClient(c).ListAuditEvents(ctx, &pb.ListAuditEventsRequest{PageSize: 1000, PageToken: tok})
			return fzMsgs(r.GetEvents()), r.GetNextPageToken(), err
		}},
	}
}

func fzMsgs[T proto.Message](in []T) []proto.Message {
	out := make([]proto.Message, len(in))
	for i, m := range in {
		out[i] = m
	}
	return out
}

func fzID(m proto.Message) string {
	r := m.ProtoReflect()
	return r.Get(r.Descriptor().Fields().ByName("id")).String()
}

// verify reads everything back: every listed resource reads the same through Get (gRPC) and
// GET (REST); every seeded resource is either still exactly as seeded or was named by a
// successful write (or is linked to one that was).
func (w *fzWorld) verify(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actx := metadata.AppendToOutgoingContext(ctx, "authorization", w.callers[0].header)
	found := map[string]bool{}
	for _, l := range w.listers() {
		tok, pages, seen := "", 0, map[string]bool{}
		for {
			items, next, err := l.list(actx, tok)
			if err != nil {
				t.Fatalf("listing %ss after the fuzz (page %d): %v", l.kind, pages, err)
			}
			pages++
			for _, it := range items {
				id := fzID(it)
				if seen[id] {
					t.Errorf("%s %s listed twice", l.kind, id)
				}
				seen[id], found[id] = true, true
				if l.kind == "audit" {
					continue
				}
				got, err := w.get(actx, l.kind, id)
				if err != nil {
					t.Errorf("%s %s is listed but Get fails: %v", l.kind, id, err)
				} else if !proto.Equal(got, it) {
					t.Errorf("%s %s: Get and List disagree:\n get  %v\n list %v", l.kind, id, got, it)
				}
				if code, body := w.e.REST(t, http.MethodGet, l.rest+url.PathEscape(id), w.callers[0].header[len("Bearer "):], ""); code != http.StatusOK {
					t.Errorf("REST GET %s%s: %d %s", l.rest, id, code, body)
				}
			}
			if next == "" {
				break
			}
			if len(items) == 0 || pages > 10000 {
				t.Fatalf("listing %ss: page %d is empty but has a next_page_token", l.kind, pages)
			}
			tok = next
		}
	}
	// What the plain user sees is a subset, and each item reads back the same.
	uctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+w.userTok)
	r, err := pb.NewWorkspaceServiceClient(w.e.Conn).ListWorkspaces(uctx, &pb.ListWorkspacesRequest{PageSize: 1000})
	if err != nil {
		t.Fatalf("user ListWorkspaces: %v", err)
	}
	for _, ws := range r.GetWorkspaces() {
		got, err := pb.NewWorkspaceServiceClient(w.e.Conn).GetWorkspace(uctx, &pb.GetWorkspaceRequest{Id: ws.GetId()})
		if err != nil || !proto.Equal(got.GetWorkspace(), ws) {
			t.Errorf("user: workspace %s listed but GetWorkspace = %v, %v", ws.GetId(), got, err)
		}
	}
	// Seeded resources: unchanged unless a successful write named them or a neighbour.
	changed := map[string]bool{}
	for id := range w.touched {
		changed[id] = true
		for _, n := range w.related[id] {
			changed[n] = true
		}
	}
	ids := make([]string, 0, len(w.seeded))
	for id := range w.seeded {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	kept := 0
	for _, id := range ids {
		kind := w.seeded[id]
		got, err := w.get(actx, kind, id)
		if changed[id] {
			if err != nil && status.Code(err) != codes.NotFound {
				t.Errorf("seeded %s %s (written to): Get = %v", kind, id, err)
			}
			if err == nil && !found[id] {
				t.Errorf("seeded %s %s reads but is not listed", kind, id)
			}
			continue
		}
		kept++
		if err != nil {
			t.Errorf("seeded %s %s, which no successful write named, is gone: %v", kind, id, err)
			continue
		}
		if !proto.Equal(got, w.snap[id]) {
			t.Errorf("seeded %s %s changed although no successful write named it:\n before %v\n after  %v", kind, id, w.snap[id], got)
		}
		if !found[id] {
			t.Errorf("seeded %s %s reads but is not listed", kind, id)
		}
	}
	onlyFailed := 0
	for id := range w.attempted {
		if !changed[id] {
			onlyFailed++
		}
	}
	t.Logf("integrity: %d resources listed; %d seeded resources unchanged as expected (%d of them named only by failed writes), %d written to",
		len(found), kept, onlyFailed, len(ids)-kept)
}

// ---------------------------------------------------------------- the tests

func fzMethodsAll() []protoreflect.MethodDescriptor {
	var out []protoreflect.MethodDescriptor
	for _, f := range fzFiles {
		for i := 0; i < f.Services().Len(); i++ {
			s := f.Services().Get(i)
			for j := 0; j < s.Methods().Len(); j++ {
				if m := s.Methods().Get(j); !m.IsStreamingClient() && !m.IsStreamingServer() {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// run makes n calls chosen by g and reports every bad answer; it returns the number of
// failures.
func (w *fzWorld) run(t testing.TB, g *fzGen, n int, stats map[string]map[codes.Code]int) int {
	methods := fzMethodsAll()
	failures := 0
	for i := 0; i < n; i++ {
		md := methods[g.src.Intn(len(methods))]
		var caller *fzCaller
		switch r := g.src.Intn(100); {
		case r < 45:
			caller = w.callers[0]
		case r < 80:
			caller = w.callers[1]
		case r < 90:
			caller = w.callers[2]
		default:
			caller = w.callers[3+g.src.Intn(len(w.callers)-3)]
		}
		req, style := g.request(md)
		if _, err := proto.Marshal(req); err != nil {
			continue // not sendable by any client
		}
		c := &fzCall{method: md, full: fzFullName(md), caller: caller, req: req, style: style}
		if g.chance(15) {
			w.invokeREST(g, c)
		} else {
			w.invoke(c)
		}
		if stats != nil {
			if stats[c.full] == nil {
				stats[c.full] = map[codes.Code]int{}
			}
			stats[c.full][c.code]++
		}
		why := w.check(c)
		if why == "" {
			why = w.readBack(c)
		}
		if why != "" {
			failures++
			t.Errorf("call %d: %s:\n  %s", i, why, c)
			if failures >= 25 {
				t.Fatalf("too many failures; stopping")
			}
		}
		w.record(t, c)
		if i%400 == 399 {
			w.healthy(t)
		}
	}
	return failures
}

func fzEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestFuzzRPC is the seeded randomized run: a few thousand calls over every method, then the
// integrity check. HOTDESK_FUZZ_SEED and HOTDESK_FUZZ_CALLS change the run.
func TestFuzzRPC(t *testing.T) {
	seed := uint64(fzEnvInt("HOTDESK_FUZZ_SEED", 20240611))
	calls := fzEnvInt("HOTDESK_FUZZ_CALLS", 4000)
	if testing.Short() {
		calls = 400
	}
	w := fzSetup(t)
	g := &fzGen{src: fzRand{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, w: w}
	stats := map[string]map[codes.Code]int{}
	start := time.Now()
	failures := w.run(t, g, calls, stats)
	w.healthy(t)
	w.verify(t)
	var names []string
	for m := range stats {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, md := range fzMethodsAll() {
		if stats[fzFullName(md)] == nil {
			t.Errorf("%s was never called", fzFullName(md))
		}
	}
	var lines []string
	for _, m := range names {
		var parts []string
		for code, n := range stats[m] {
			parts = append(parts, fmt.Sprintf("%s=%d", code, n))
		}
		sort.Strings(parts)
		lines = append(lines, fmt.Sprintf("  %-48s %s", strings.TrimPrefix(m, "/hotdesk.v1."), strings.Join(parts, " ")))
	}
	t.Logf("seed %d: %d calls in %v, %d failures, %d resources created\n%s", seed, calls, time.Since(start).Round(time.Millisecond),
		failures, w.created, strings.Join(lines, "\n"))
	if t.Failed() {
		t.Logf("reproduce with HOTDESK_FUZZ_SEED=%d HOTDESK_FUZZ_CALLS=%d", seed, calls)
	}
}

// FuzzRPC drives the same request builder from the fuzzer's bytes: each input is a short
// sequence of calls against one server per fuzzing process. Plain `go test` runs the seeds.
func FuzzRPC(f *testing.F) {
	for _, s := range []string{"", "\x00", "\x01\x02\x03\x04", "admin-plausible-zone", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8",
		strings.Repeat("\x07", 64), strings.Repeat("\x80\x10", 100)} {
		f.Add([]byte(s))
	}
	w := fzSetup(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &fzGen{src: &fzBytes{data: data}, w: w}
		w.run(t, g, 1+g.src.Intn(6), nil)
		w.healthy(t)
	})
}
