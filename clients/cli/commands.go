package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

const rootHelp = `The Hotdesk command line: every API call from a shell.

Credentials come from --server and --api-key/--token, else from HOTDESK_SERVER and
HOTDESK_API_KEY/HOTDESK_TOKEN, else from the config file 'hotdesk login' writes
(~/.config/hotdesk/config.json). Output is a table, or -o json, -o id, -o 'value(FIELD,...)'.

  hotdesk login --server http://127.0.0.1:8080 --api-key hdk_...
  hotdesk workspaces list
  hotdesk sessions launch WORKSPACE_ID --wait
  hotdesk sessions get SESSION_ID -o 'value(connect_url)'`

func commands() *command {
	return &command{
		help: rootHelp,
		subs: []*command{
			loginCommand(), logoutCommand(), whoamiCommand(), changePasswordCommand(),
			workspaces().command(),
			sessionsCommand(),
			agents().command(),
			zones().command(),
			users().command(),
			groups().command(),
			apiKeys(),
			auditCommand(),
		},
	}
}

func enumCol(e interface{ String() string }) string { return short(e.String()) }

func workspaces() resource[*pb.Workspace] {
	return resource[*pb.Workspace]{
		plural: "workspaces", singular: "workspace",
		about: "Workspaces are what users launch: a container image with its resources, a fixed server, a server pool or a link. " +
			"Administrators write them; users see those their groups allow.",
		fields: []field{
			{"name", "name", "unique name shown to users"},
			{"description", "description", "description shown to users"},
			{"thumbnail-url", "thumbnail_url", "URL or data URI of a thumbnail"},
			{"kind", "kind", "what it launches"},
			{"enabled", "enabled", "whether it can be launched (--enabled=false to disable)"},
			{"image", "container.image", "container image, e.g. registry:5000/desktop:1.4"},
			{"registry", "container.registry", "registry agents pull from (host[:port]); empty: never pulled"},
			{"registry-username", "container.registry_username", "registry user name"},
			{"registry-password", "container.registry_password", "registry password (stored encrypted, never shown)"},
			{"cores", "container.cores", "CPU cores per session"},
			{"memory-mb", "container.memory_mb", "memory per session in MiB"},
			{"gpus", "container.gpus", "GPUs per session"},
			{"cpu-allocation", "container.cpu_allocation_method", "how CPU is limited"},
			{"run-config-override", "container.docker_run_config_override", "Docker run-config override JSON"},
			{"network", "container.docker_network", "Docker network the container joins"},
			{"volume", "container.volume_mappings", "host directory to mount, HOST:CONTAINER[:ro]"},
			{"zone", "zone_ids", "zone id sessions may run in (none: any)"},
			{"server-id", "server_id", "fixed server (kind server)"},
			{"server-pool-id", "server_pool_id", "server pool (kind server-pool)"},
			{"link-url", "link_url", "link target (kind link)"},
			{"idle-timeout", "idle_timeout_seconds", "idle time before a session ends, e.g. 1h (0: platform default)"},
			{"max-lifetime", "max_lifetime_seconds", "longest a session lives, e.g. 12h (0: platform default)"},
		},
		cols: []column{
			col("ID", (*pb.Workspace).GetId),
			col("NAME", (*pb.Workspace).GetName),
			col("KIND", func(w *pb.Workspace) string { return enumCol(w.GetKind()) }),
			col("ENABLED", func(w *pb.Workspace) string { return strconv.FormatBool(w.GetEnabled()) }),
			col("IMAGE", func(w *pb.Workspace) string { return w.GetContainer().GetImage() }),
			col("CORES", func(w *pb.Workspace) string { return num(w.GetContainer().GetCores()) }),
			col("MEMORY MB", func(w *pb.Workspace) string { return num(float64(w.GetContainer().GetMemoryMb())) }),
		},
		createHelp: `Creates a workspace (a container workspace, enabled, unless --kind or --enabled say otherwise).

  hotdesk workspaces create --name Desktop --image registry:5000/desktop:1.4 --cores 2 --memory-mb 4096`,
		updateHelp: `Changes a workspace.

  hotdesk workspaces update ID --cores 4 --enabled=false`,
		defaults: func(w *pb.Workspace) { w.Kind, w.Enabled = pb.WorkspaceKind_WORKSPACE_KIND_CONTAINER, true },
		newMsg:   func() *pb.Workspace { return &pb.Workspace{} },
		setID:    func(w *pb.Workspace, id string) { w.Id = id },
		list: func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[*pb.Workspace, error] {
			return h.Workspaces.List(ctx, &pb.ListWorkspacesRequest{PageSize: int32(c.pageSize)})
		},
		listArgs: pageSizeFlag,
		get: func(ctx context.Context, h *hotdesk.Client, id string) (*pb.Workspace, error) {
			return h.Workspaces.Get(ctx, id)
		},
		create: func(ctx context.Context, h *hotdesk.Client, m *pb.Workspace) (*pb.Workspace, error) {
			return h.Workspaces.Create(ctx, m)
		},
		update: func(ctx context.Context, h *hotdesk.Client, m *pb.Workspace, p []string) (*pb.Workspace, error) {
			return h.Workspaces.Update(ctx, m, p...)
		},
		del:   func(ctx context.Context, h *hotdesk.Client, id string) error { return h.Workspaces.Delete(ctx, id) },
		extra: []*command{imagesCommand()},
	}
}

func imagesCommand() *command {
	var workspace, agent string
	var limit int
	return &command{
		name: "images", summary: "show where each workspace's image stands on each agent",
		help: `Lists, for each agent that should hold a workspace's image, whether it is queued, pulling (with
progress), present or failed (with the registry's reason). Administrators only.

  hotdesk workspaces images --workspace WORKSPACE_ID`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet, c *call) {
			pageSizeFlag(fs, c)
			fs.StringVar(&workspace, "workspace", "", "only this workspace's image")
			fs.StringVar(&agent, "agent", "", "only images on this agent")
			fs.IntVar(&limit, "limit", 0, "stop after this many (0: all)")
		},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			var out []proto.Message
			req := &pb.ListImageStatusesRequest{PageSize: int32(c.pageSize), WorkspaceId: workspace, AgentId: agent}
			for st, err := range c.client.Workspaces.ImageStatuses(ctx, req) {
				if err != nil {
					return err
				}
				out = append(out, st)
				if limit > 0 && len(out) >= limit {
					break
				}
			}
			return c.emitList(out, []column{
				col("WORKSPACE", (*pb.ImageStatus).GetWorkspaceId),
				col("AGENT", (*pb.ImageStatus).GetAgentId),
				col("IMAGE", (*pb.ImageStatus).GetImageReference),
				col("STATE", func(s *pb.ImageStatus) string { return short(s.GetState().String()) }),
				col("PROGRESS", func(s *pb.ImageStatus) string {
					if s.GetBytesTotal() == 0 {
						return ""
					}
					return fmt.Sprintf("%d%%", s.GetBytesDone()*100/s.GetBytesTotal())
				}),
				col("ERROR", (*pb.ImageStatus).GetError),
			})
		},
	}
}

func zones() resource[*pb.Zone] {
	return resource[*pb.Zone]{
		plural: "zones", singular: "zone",
		about: "Zones group agents and proxies (a data center, a region); workspaces may be limited to zones.",
		fields: []field{
			{"name", "name", "unique name: letters, digits, '.', '_', '-'"},
			{"description", "description", "description"},
			{"proxy-mode", "proxy_mode", "how browser traffic reaches sessions"},
		},
		cols: []column{
			col("ID", (*pb.Zone).GetId),
			col("NAME", (*pb.Zone).GetName),
			col("PROXY MODE", func(z *pb.Zone) string { return enumCol(z.GetProxyMode()) }),
			col("DESCRIPTION", (*pb.Zone).GetDescription),
		},
		createHelp: "Creates a zone.\n\n  hotdesk zones create --name eu-west --description 'Frankfurt'",
		updateHelp: "Changes a zone.\n\n  hotdesk zones update ID --proxy-mode direct-to-agent",
		newMsg:     func() *pb.Zone { return &pb.Zone{} },
		setID:      func(z *pb.Zone, id string) { z.Id = id },
		list: func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[*pb.Zone, error] {
			return h.Zones.List(ctx, &pb.ListZonesRequest{PageSize: int32(c.pageSize)})
		},
		listArgs: pageSizeFlag,
		get:      func(ctx context.Context, h *hotdesk.Client, id string) (*pb.Zone, error) { return h.Zones.Get(ctx, id) },
		create: func(ctx context.Context, h *hotdesk.Client, m *pb.Zone) (*pb.Zone, error) {
			return h.Zones.Create(ctx, m)
		},
		update: func(ctx context.Context, h *hotdesk.Client, m *pb.Zone, p []string) (*pb.Zone, error) {
			return h.Zones.Update(ctx, m, p...)
		},
		del: func(ctx context.Context, h *hotdesk.Client, id string) error { return h.Zones.Delete(ctx, id) },
	}
}

func users() resource[*pb.User] {
	return resource[*pb.User]{
		plural: "users", singular: "user",
		about: "Users sign in with a password or use API keys. Administrators manage everyone; the last enabled administrator cannot be removed.",
		fields: []field{
			{"username", "username", "sign-in name"},
			{"display-name", "display_name", "name shown in the interface"},
			{"role", "role", "role"},
			{"disabled", "disabled", "disable sign-in (--disabled=false to enable)"},
			{"password", "password", "new password, 8 characters or more"},
		},
		cols: []column{
			col("ID", (*pb.User).GetId),
			col("USERNAME", (*pb.User).GetUsername),
			col("ROLE", func(u *pb.User) string { return enumCol(u.GetRole()) }),
			col("DISABLED", func(u *pb.User) string { return strconv.FormatBool(u.GetDisabled()) }),
			col("DISPLAY NAME", (*pb.User).GetDisplayName),
			col("GROUPS", func(u *pb.User) string { return strconv.Itoa(len(u.GetGroupIds())) }),
		},
		createHelp: "Creates a user (role user unless --role admin).\n\n  hotdesk users create --username alice --password 'correct horse' --display-name 'Alice'",
		updateHelp: "Changes a user.\n\n  hotdesk users update ID --role admin",
		defaults:   func(u *pb.User) { u.Role = pb.Role_ROLE_USER },
		newMsg:     func() *pb.User { return &pb.User{} },
		setID:      func(u *pb.User, id string) { u.Id = id },
		list: func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[*pb.User, error] {
			return h.Users.List(ctx, &pb.ListUsersRequest{PageSize: int32(c.pageSize)})
		},
		listArgs: pageSizeFlag,
		get:      func(ctx context.Context, h *hotdesk.Client, id string) (*pb.User, error) { return h.Users.Get(ctx, id) },
		create: func(ctx context.Context, h *hotdesk.Client, m *pb.User) (*pb.User, error) {
			return h.Users.Create(ctx, m)
		},
		update: func(ctx context.Context, h *hotdesk.Client, m *pb.User, p []string) (*pb.User, error) {
			return h.Users.Update(ctx, m, p...)
		},
		del: func(ctx context.Context, h *hotdesk.Client, id string) error { return h.Users.Delete(ctx, id) },
	}
}

func groups() resource[*pb.Group] {
	return resource[*pb.Group]{
		plural: "groups", singular: "group",
		about: "Groups hold users and say which workspaces their members may launch.",
		fields: []field{
			{"name", "name", "unique name"},
			{"description", "description", "description"},
			{"member", "member_ids", "user id of a member (the list replaces the old one)"},
			{"workspace", "workspace_ids", "workspace id members may launch (the list replaces the old one)"},
		},
		cols: []column{
			col("ID", (*pb.Group).GetId),
			col("NAME", (*pb.Group).GetName),
			col("MEMBERS", func(g *pb.Group) string { return strconv.Itoa(len(g.GetMemberIds())) }),
			col("WORKSPACES", func(g *pb.Group) string { return strconv.Itoa(len(g.GetWorkspaceIds())) }),
			col("DESCRIPTION", (*pb.Group).GetDescription),
		},
		createHelp: "Creates a group.\n\n  hotdesk groups create --name designers --member USER_ID --workspace WORKSPACE_ID",
		updateHelp: "Changes a group. --member and --workspace replace the whole list; --member '' empties it.",
		newMsg:     func() *pb.Group { return &pb.Group{} },
		setID:      func(g *pb.Group, id string) { g.Id = id },
		list: func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[*pb.Group, error] {
			return h.Groups.List(ctx, &pb.ListGroupsRequest{PageSize: int32(c.pageSize)})
		},
		listArgs: pageSizeFlag,
		get: func(ctx context.Context, h *hotdesk.Client, id string) (*pb.Group, error) {
			return h.Groups.Get(ctx, id)
		},
		create: func(ctx context.Context, h *hotdesk.Client, m *pb.Group) (*pb.Group, error) {
			return h.Groups.Create(ctx, m)
		},
		update: func(ctx context.Context, h *hotdesk.Client, m *pb.Group, p []string) (*pb.Group, error) {
			return h.Groups.Update(ctx, m, p...)
		},
		del: func(ctx context.Context, h *hotdesk.Client, id string) error { return h.Groups.Delete(ctx, id) },
	}
}

var agentCols = []column{
	col("ID", (*pb.Agent).GetId),
	col("HOSTNAME", (*pb.Agent).GetHostname),
	col("STATE", func(a *pb.Agent) string { return enumCol(a.GetState()) }),
	col("ENABLED", func(a *pb.Agent) string { return strconv.FormatBool(a.GetEnabled()) }),
	col("ZONE", (*pb.Agent).GetZoneId),
	col("CORES", func(a *pb.Agent) string {
		total := a.GetReported().GetCores()
		if o := a.GetOverrides().GetCores(); o > 0 {
			total = o
		}
		return num(a.GetUsed().GetCores()) + "/" + num(total)
	}),
	col("SESSIONS", func(a *pb.Agent) string { return strconv.Itoa(int(a.GetSessionCount())) }),
	col("LAST CHECK-IN", func(a *pb.Agent) string { return when(a.GetLastCheckinTime()) }),
}

func agents() resource[*pb.Agent] {
	var zone, state string
	var force bool
	r := resource[*pb.Agent]{
		plural: "agents", singular: "agent",
		about: "Agents are the Docker hosts that run session containers (administrators only). They appear when they enroll " +
			"with a token from 'hotdesk agents enrollment-token'; 'drain' stops new sessions landing on one.",
		fields: []field{
			{"enabled", "enabled", "whether the agent gets new sessions"},
			{"zone", "zone_id", "zone the agent serves"},
			{"pool", "pool_id", "Docker-agent pool"},
			{"cores", "overrides.cores", "override the cores the scheduler counts (0: reported)"},
			{"memory-mb", "overrides.memory_mb", "override the memory in MiB (0: reported)"},
			{"gpus", "overrides.gpus", "override the GPUs (0: reported)"},
		},
		cols:       agentCols,
		updateHelp: "Changes an agent: enable or disable it, move it, or override the capacity the scheduler counts.\n\n  hotdesk agents update ID --cores 16",
		newMsg:     func() *pb.Agent { return &pb.Agent{} },
		setID:      func(a *pb.Agent, id string) { a.Id = id },
		list: func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[*pb.Agent, error] {
			req := &pb.ListAgentsRequest{PageSize: int32(c.pageSize), ZoneId: zone}
			if state != "" {
				n, err := parseEnum(pb.AgentState(0).Descriptor(), state)
				if err != nil {
					return func(yield func(*pb.Agent, error) bool) { yield(nil, usagef("--state: %v", err)) }
				}
				req.State = pb.AgentState(n)
			}
			return h.Agents.List(ctx, req)
		},
		listArgs: func(fs *flag.FlagSet, c *call) {
			pageSizeFlag(fs, c)
			fs.StringVar(&zone, "zone", "", "only agents of this zone")
			fs.StringVar(&state, "state", "", "only agents in this state (pending, online, unreachable, lost)")
		},
		get: func(ctx context.Context, h *hotdesk.Client, id string) (*pb.Agent, error) {
			return h.Agents.Get(ctx, id)
		},
		update: func(ctx context.Context, h *hotdesk.Client, m *pb.Agent, p []string) (*pb.Agent, error) {
			return h.Agents.Update(ctx, m, p...)
		},
	}
	r.extra = []*command{
		{
			name: "delete", aliases: []string{"rm"}, summary: "delete an agent and revoke its certificate", args: "ID",
			help:  "Deletes an agent record and revokes its certificate. Refused while sessions run on it unless --force (they are marked lost).",
			nargs: [2]int{1, 1},
			flags: func(fs *flag.FlagSet, c *call) {
				fs.BoolVar(&force, "force", false, "delete even while sessions run on it")
			},
			run: func(c *call) error {
				ctx, cancel := c.rpcCtx()
				defer cancel()
				if err := c.client.Agents.Delete(ctx, c.args[0], force); err != nil {
					return err
				}
				return c.done("deleted agent "+c.args[0], c.args[0])
			},
		},
		agentToggle("drain", "stop new sessions landing on an agent", "Disables an agent: it gets no new sessions; running ones continue.", false),
		agentToggle("enable", "let an agent receive sessions again", "Enables an agent drained before.", true),
		enrollmentTokenCommand(),
	}
	return r
}

func agentToggle(name, summary, help string, enabled bool) *command {
	return &command{
		name: name, summary: summary, help: help, args: "ID", nargs: [2]int{1, 1},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			a, err := c.client.Agents.Update(ctx, &pb.Agent{Id: c.args[0], Enabled: enabled}, "enabled")
			if err != nil {
				return err
			}
			return c.emit(a)
		},
	}
}

func enrollmentTokenCommand() *command {
	var zone, role string
	var ttl durationFlag
	return &command{
		name: "enrollment-token", summary: "mint a one-time token to enroll an agent or proxy",
		help: `Mints a one-time, expiring token with which a new agent or proxy enrolls; it is shown only now.

  agentd --server 127.0.0.1:8443 --token "$(hotdesk agents enrollment-token -o 'value(token)')"`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet, c *call) {
			fs.StringVar(&zone, "zone", "", "zone the new agent joins")
			fs.StringVar(&role, "role", "agent", "role of the enrolling process (agent, connection-proxy, dedicated-proxy)")
			fs.Var(&ttl, "ttl", "how long the token is valid, 1m to 168h (default 1h)")
		},
		run: func(c *call) error {
			n, err := parseEnum(pb.EnrollmentRole(0).Descriptor(), role)
			if err != nil {
				return usagef("--role: %v", err)
			}
			ctx, cancel := c.rpcCtx()
			defer cancel()
			r, err := c.client.Agents.CreateEnrollmentToken(ctx, &pb.CreateEnrollmentTokenRequest{
				ZoneId: zone, Role: pb.EnrollmentRole(n), TtlSeconds: int32(ttl.d.Seconds())})
			if err != nil {
				return err
			}
			if c.output == "id" {
				_, err := fmt.Fprintln(c.io.out, r.GetToken())
				return err
			}
			return c.emit(r)
		},
	}
}

func apiKeys() *command {
	var user string
	r := resource[*pb.ApiKey]{
		plural: "api-keys", singular: "API key",
		about: "API keys authenticate automation (--api-key, HOTDESK_API_KEY). The secret is shown once, at creation. " +
			"Users manage their own keys; administrators everyone's.",
		fields: []field{
			{"name", "name", "name to recognize the key by"},
			{"scope", "scope", "what the key may do"},
			{"expires", "expire_time", "expiry: RFC 3339 time or duration from now, e.g. 720h (default: never)"},
		},
		cols: []column{
			col("ID", (*pb.ApiKey).GetId),
			col("NAME", (*pb.ApiKey).GetName),
			col("SCOPE", func(k *pb.ApiKey) string { return enumCol(k.GetScope()) }),
			col("USER", (*pb.ApiKey).GetUserId),
			col("EXPIRES", func(k *pb.ApiKey) string { return when(k.GetExpireTime()) }),
			col("LAST USED", func(k *pb.ApiKey) string { return when(k.GetLastUsedTime()) }),
		},
		newMsg: func() *pb.ApiKey { return &pb.ApiKey{} },
		list: func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[*pb.ApiKey, error] {
			return h.APIKeys.List(ctx, &pb.ListApiKeysRequest{PageSize: int32(c.pageSize), UserId: user})
		},
		listArgs: func(fs *flag.FlagSet, c *call) {
			pageSizeFlag(fs, c)
			fs.StringVar(&user, "user", "", "only this user's keys (administrators; default: your own)")
		},
		get: func(ctx context.Context, h *hotdesk.Client, id string) (*pb.ApiKey, error) {
			return h.APIKeys.Get(ctx, id)
		},
		del: func(ctx context.Context, h *hotdesk.Client, id string) error { return h.APIKeys.Delete(ctx, id) },
	}
	var fv *fieldValues
	create := &command{
		name: "create", summary: "create an API key (its secret is shown once)",
		help: `Creates an API key for you and prints it with its secret, which is never shown again.

  hotdesk api-keys create --name ci --scope read-only --expires 720h -o 'value(secret)'`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet, c *call) { fv = registerFields(fs, r.descriptor(), r.fields) },
		run: func(c *call) error {
			k := &pb.ApiKey{Scope: pb.ApiKeyScope_API_KEY_SCOPE_FULL}
			if _, err := fv.apply(k); err != nil {
				return err
			}
			ctx, cancel := c.rpcCtx()
			defer cancel()
			resp, err := c.client.APIKeys.CreateApiKey(ctx, &pb.CreateApiKeyRequest{ApiKey: k, RequestId: hotdesk.NewRequestID()})
			if err != nil {
				return err
			}
			if c.output == "table" {
				if err := c.emit(resp.GetApiKey()); err != nil {
					return err
				}
				_, err := fmt.Fprintf(c.io.out, "secret:\t%s\n(shown only now: store it safely)\n", resp.GetSecret())
				return err
			}
			if c.output == "id" {
				return c.emit(resp.GetApiKey())
			}
			return c.emit(resp)
		},
	}
	g := r.command()
	g.subs = append(g.subs[:2], append([]*command{create}, g.subs[2:]...)...)
	return g
}

func auditCommand() *command {
	var user string
	var limit int
	c := &command{}
	list := &command{
		name: "list", aliases: []string{"ls"}, summary: "list audit events, newest first",
		help:  "Lists the audit log, newest first: every state-changing call, allowed or refused (administrators only).",
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet, c *call) {
			pageSizeFlag(fs, c)
			fs.StringVar(&user, "user", "", "only this user's events")
			fs.IntVar(&limit, "limit", 100, "stop after this many (0: all)")
		},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			var out []proto.Message
			for e, err := range c.client.Audit.List(ctx, &pb.ListAuditEventsRequest{PageSize: int32(c.pageSize), UserId: user}) {
				if err != nil {
					return err
				}
				out = append(out, e)
				if limit > 0 && len(out) >= limit {
					break
				}
			}
			return c.emitList(out, []column{
				col("TIME", func(e *pb.AuditEvent) string { return when(e.GetTime()) }),
				col("METHOD", func(e *pb.AuditEvent) string { return e.GetMethod()[strings.LastIndexByte(e.GetMethod(), '/')+1:] }),
				col("CODE", (*pb.AuditEvent).GetCode),
				col("USER", (*pb.AuditEvent).GetUserId),
				col("API KEY", (*pb.AuditEvent).GetApiKeyId),
				col("RESOURCE", (*pb.AuditEvent).GetResourceId),
				col("PEER", (*pb.AuditEvent).GetPeer),
			})
		},
	}
	*c = *list
	c.name, c.aliases, c.summary = "audit", nil, "read the audit log ('hotdesk audit' is 'hotdesk audit list')"
	c.subs = []*command{list}
	return c
}

// pageSizeFlag adds --page-size; lists still follow every page.
func pageSizeFlag(fs *flag.FlagSet, c *call) {
	fs.IntVar(&c.pageSize, "page-size", 0, "items per request, 1 to 1000 (0: server default)")
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// durationFlag is a time.Duration flag whose zero value means "unset".
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string { return "" }
func (f *durationFlag) Set(s string) (err error) {
	f.d, err = time.ParseDuration(s)
	return err
}
