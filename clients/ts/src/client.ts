// The client: typed helpers per service over the REST transport, pagination as async
// iterators, and a session watch that survives broken connections.

import { equals } from "@bufbuild/protobuf";
import type { DescMessage, DescService, MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AgentService, AgentSchema } from "./gen/hotdesk/v1/agent_pb.js";
import type { Agent, AgentState, CreateEnrollmentTokenRequestSchema, CreateEnrollmentTokenResponse } from "./gen/hotdesk/v1/agent_pb.js";
import { ApiKeyScope, ApiKeyService } from "./gen/hotdesk/v1/api_key_pb.js";
import type { ApiKey, ApiKeySchema, CreateApiKeyResponse } from "./gen/hotdesk/v1/api_key_pb.js";
import { AuditService } from "./gen/hotdesk/v1/audit_pb.js";
import type { AuditEvent } from "./gen/hotdesk/v1/audit_pb.js";
import { AuthService } from "./gen/hotdesk/v1/auth_pb.js";
import type { ChangePasswordResponse, LoginResponse } from "./gen/hotdesk/v1/auth_pb.js";
import { GroupService, GroupSchema } from "./gen/hotdesk/v1/group_pb.js";
import type { Group } from "./gen/hotdesk/v1/group_pb.js";
import { SessionSchema, SessionService, SessionState } from "./gen/hotdesk/v1/session_pb.js";
import type { Session } from "./gen/hotdesk/v1/session_pb.js";
import { UserService, UserSchema } from "./gen/hotdesk/v1/user_pb.js";
import type { User } from "./gen/hotdesk/v1/user_pb.js";
import { WorkspaceSchema, WorkspaceService } from "./gen/hotdesk/v1/workspace_pb.js";
import type { ImageStatus, Workspace } from "./gen/hotdesk/v1/workspace_pb.js";
import { ZoneService, ZoneSchema } from "./gen/hotdesk/v1/zone_pb.js";
import type { Zone } from "./gen/hotdesk/v1/zone_pb.js";
import { Code, HotdeskError, errorFor } from "./errors.js";
import { RestTransport, createServiceClient, sleep } from "./transport.js";
import type { CallOptions, ServiceClient } from "./transport.js";

export interface ClientOptions {
  /** Server URL, e.g. "http://127.0.0.1:8080" (the REST facade shares the gRPC port). */
  baseUrl: string;
  /** An API key (hdk_…). */
  apiKey?: string;
  /** A login token (hdt_…); or call client.auth.login(). */
  token?: string;
  /** fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Deadline of unary calls in milliseconds (default 30 s; 0: none). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** Session states that never change again. */
export const ENDED_STATES: ReadonlySet<SessionState> = new Set([
  SessionState.STOPPED,
  SessionState.FAILED,
  SessionState.LOST,
]);

/** Raised by sessions.wait when the session ended in another state than the one awaited. */
export class SessionEndedError extends Error {
  constructor(
    readonly session: Session,
    readonly want: SessionState,
  ) {
    super(
      `session ${session.id} ended ${SessionState[session.state]}, not ${SessionState[want]}` +
        (session.stateReason ? `: ${session.stateReason}` : ""),
    );
    this.name = "SessionEndedError";
  }
}

/** Raised by sessions.wait when its timeout passes first; `session` is the last state seen. */
export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly session: Session | undefined,
  ) {
    super(message);
    this.name = "WaitTimeoutError";
  }
}

interface ListResponse<T> {
  nextPageToken: string;
  items: T[];
}

/** Iterates over every page of a List call. */
async function* paginate<T>(
  fetchPage: (pageToken: string) => Promise<ListResponse<T>>,
): AsyncGenerator<T, void, undefined> {
  let token = "";
  for (;;) {
    const page = await fetchPage(token);
    yield* page.items;
    if (!page.nextPageToken || page.nextPageToken === token) return;
    token = page.nextPageToken;
  }
}

/** Collects an async iterable (e.g. a list helper's) into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A random UUID (v4) for request_id; randomUUID needs a secure context, getRandomValues does not. */
export function requestId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Update-mask paths for the fields given in an init object (proto names), id excluded. */
function maskOf(schema: DescMessage, init: object): string[] {
  const paths: string[] = [];
  for (const key of Object.keys(init)) {
    if (key === "id" || key === "$typeName") continue;
    const f = schema.fields.find((x) => x.localName === key);
    if (f) paths.push(f.name);
  }
  return paths;
}

function stateOf(s: SessionState | keyof typeof SessionState | string): SessionState {
  if (typeof s === "number") return s;
  const name = s.toUpperCase().replace(/-/g, "_").replace(/^SESSION_STATE_/, "");
  const v = (SessionState as unknown as Record<string, SessionState>)[name];
  if (v === undefined) throw new TypeError(`unknown session state ${s}`);
  return v;
}

/** Options of list helpers. */
export interface ListOptions extends CallOptions {
  /** Items per request, 1 to 1000 (0: server default); the iterator follows every page. */
  pageSize?: number;
}

type Init<S extends DescMessage> = MessageInitShape<S>;

/**
 * A Hotdesk client over the REST facade; works in browsers and Node.
 *
 *     const client = new Client({ baseUrl: "http://127.0.0.1:8080", apiKey });
 *     for await (const w of client.workspaces.list()) console.log(w.name);
 */
export class Client {
  readonly transport: RestTransport;
  readonly auth: AuthApi;
  readonly workspaces: WorkspacesApi;
  readonly sessions: SessionsApi;
  readonly agents: AgentsApi;
  readonly zones: ZonesApi;
  readonly users: UsersApi;
  readonly groups: GroupsApi;
  readonly apiKeys: ApiKeysApi;
  readonly audit: AuditApi;
  private credential: string;

  constructor(opts: ClientOptions) {
    this.credential = opts.apiKey ?? opts.token ?? "";
    this.transport = new RestTransport({
      baseUrl: opts.baseUrl,
      credential: () => this.credential,
      fetch: opts.fetch,
      timeoutMs: opts.timeoutMs,
      headers: opts.headers,
    });
    this.auth = new AuthApi(this, this.service(AuthService));
    this.workspaces = new WorkspacesApi(this.service(WorkspaceService));
    this.sessions = new SessionsApi(this.service(SessionService));
    this.agents = new AgentsApi(this.service(AgentService));
    this.zones = new ZonesApi(this.service(ZoneService));
    this.users = new UsersApi(this.service(UserService));
    this.groups = new GroupsApi(this.service(GroupService));
    this.apiKeys = new ApiKeysApi(this.service(ApiKeyService));
    this.audit = new AuditApi(this.service(AuditService));
  }

  /** Every RPC of a generated service as a typed function, e.g. `client.service(PoolService).listPools({})`. */
  service<S extends DescService>(service: S): ServiceClient<S> {
    return createServiceClient(service, this.transport);
  }

  /** Uses another API key or login token for the following calls. */
  setCredential(credential: string): void {
    this.credential = credential;
  }
}

/** Signing in and out, and changing one's own password. */
export class AuthApi {
  constructor(
    private readonly client: Client,
    readonly raw: ServiceClient<typeof AuthService>,
  ) {}

  /** Exchanges a user name and password for a token, which the client then uses. */
  async login(username: string, password: string, opts?: CallOptions): Promise<LoginResponse> {
    const resp = await this.raw.login({ username, password }, opts);
    this.client.setCredential(resp.token);
    return resp;
  }

  /** Revokes the login token the client uses. */
  async logout(opts?: CallOptions): Promise<void> {
    await this.raw.logout({}, opts);
  }

  /** The user the credential belongs to. */
  async me(opts?: CallOptions): Promise<User> {
    return must((await this.raw.getCurrentUser({}, opts)).user);
  }

  /**
   * Changes the signed-in user's own password and signs out their other sign-ins; the client's
   * own login token keeps working. Needs a login token (login() or `token`): an API key is
   * refused (PermissionDeniedError). A wrong current password is an InvalidArgumentError whose
   * field is "current_password".
   */
  async changePassword(currentPassword: string, newPassword: string, opts?: CallOptions): Promise<ChangePasswordResponse> {
    return this.raw.changePassword({ currentPassword, newPassword }, opts);
  }
}

function must<T>(v: T | undefined): T {
  if (v === undefined) throw errorFor(Code.INTERNAL, "the server sent an empty response");
  return v;
}

/** The catalog of launchable workspaces. */
export class WorkspacesApi {
  constructor(readonly raw: ServiceClient<typeof WorkspaceService>) {}

  async get(id: string, opts?: CallOptions): Promise<Workspace> {
    return must((await this.raw.getWorkspace({ id }, opts)).workspace);
  }

  /** Every workspace the caller may see, page after page. */
  list(opts: ListOptions = {}): AsyncGenerator<Workspace, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listWorkspaces({ pageSize: opts.pageSize ?? 0, pageToken }, opts);
      return { items: r.workspaces, nextPageToken: r.nextPageToken };
    });
  }

  /** Creates a workspace, under a fresh request id unless one is given. */
  async create(workspace: Init<typeof WorkspaceSchema>, opts: CallOptions & { requestId?: string } = {}): Promise<Workspace> {
    const r = await this.raw.createWorkspace({ workspace, requestId: opts.requestId ?? requestId() }, opts);
    return must(r.workspace);
  }

  /** Changes the fields given in `workspace` (besides its id), or exactly `paths` (e.g. "container.cores"). */
  async update(workspace: Init<typeof WorkspaceSchema> & { id: string }, paths?: string[], opts?: CallOptions): Promise<Workspace> {
    const r = await this.raw.updateWorkspace(
      { workspace, updateMask: { paths: paths ?? maskOf(WorkspaceSchema, workspace) } },
      opts,
    );
    return must(r.workspace);
  }

  async delete(id: string, opts?: CallOptions): Promise<void> {
    await this.raw.deleteWorkspace({ id }, opts);
  }

  /** Where each workspace's image stands on each agent (administrators). */
  imageStatuses(filter: { workspaceId?: string; agentId?: string } & ListOptions = {}): AsyncGenerator<ImageStatus, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listImageStatuses(
        { workspaceId: filter.workspaceId ?? "", agentId: filter.agentId ?? "", pageSize: filter.pageSize ?? 0, pageToken },
        filter,
      );
      return { items: r.imageStatuses, nextPageToken: r.nextPageToken };
    });
  }
}

/** Options of sessions.watch. */
export interface WatchOptions {
  /** Stops the watch (the iterator rejects with a CANCELLED error). */
  signal?: AbortSignal;
  /** Deadline of the whole watch in milliseconds (DEADLINE_EXCEEDED). */
  timeoutMs?: number;
}

const transient = new Set([Code.UNAVAILABLE, Code.ABORTED, Code.DEADLINE_EXCEEDED]);

/** Launching, watching, keeping alive and destroying sessions. */
export class SessionsApi {
  constructor(readonly raw: ServiceClient<typeof SessionService>) {}

  /** Launches a session; it comes back PENDING or STARTING: wait() for it to run. */
  async launch(workspaceId: string, opts: CallOptions & { zoneId?: string; requestId?: string } = {}): Promise<Session> {
    const r = await this.raw.createSession(
      { workspaceId, zoneId: opts.zoneId ?? "", requestId: opts.requestId ?? requestId() },
      opts,
    );
    return must(r.session);
  }

  async get(id: string, opts?: CallOptions): Promise<Session> {
    return must((await this.raw.getSession({ id }, opts)).session);
  }

  /** Sessions, newest first: the caller's own, or anyone's (administrators) with filters. */
  list(
    filter: { userId?: string; workspaceId?: string; agentId?: string; includeEnded?: boolean } & ListOptions = {},
  ): AsyncGenerator<Session, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listSessions(
        {
          userId: filter.userId ?? "",
          workspaceId: filter.workspaceId ?? "",
          agentId: filter.agentId ?? "",
          includeEnded: filter.includeEnded ?? false,
          pageSize: filter.pageSize ?? 0,
          pageToken,
        },
        filter,
      );
      return { items: r.sessions, nextPageToken: r.nextPageToken };
    });
  }

  /** Pushes the session's idle deadline out. */
  async keepAlive(id: string, opts?: CallOptions): Promise<Session> {
    return must((await this.raw.keepAliveSession({ id }, opts)).session);
  }

  /** Destroys a session; it goes STOPPING, then STOPPED. */
  async delete(id: string, opts?: CallOptions): Promise<void> {
    await this.raw.deleteSession({ id }, opts);
  }

  /**
   * Yields the session as it is now, then at every change, until it ends (STOPPED, FAILED,
   * LOST). A stream broken by a transient error is reopened after a short backoff; a state
   * already yielded is not yielded again.
   */
  async *watch(id: string, opts: WatchOptions = {}): AsyncGenerator<Session, void, undefined> {
    const started = Date.now();
    let last: Session | undefined;
    let backoff = 100;
    for (;;) {
      const remaining = opts.timeoutMs === undefined ? 0 : opts.timeoutMs - (Date.now() - started);
      if (opts.timeoutMs !== undefined && remaining <= 0) {
        throw errorFor(Code.DEADLINE_EXCEEDED, `watching session ${id}: timed out`);
      }
      try {
        for await (const msg of this.raw.watchSession({ id }, { signal: opts.signal, timeoutMs: remaining })) {
          backoff = 100;
          const s = msg.session;
          if (!s || (last && equals(SessionSchema, last, s))) continue;
          last = s;
          yield s;
        }
        if (last && ENDED_STATES.has(last.state)) return;
        // Closed early by a proxy or a server going away: resume.
      } catch (err) {
        const expired = opts.timeoutMs !== undefined && Date.now() - started >= opts.timeoutMs;
        if (!(err instanceof HotdeskError) || !transient.has(err.code) || expired || opts.signal?.aborted) throw err;
      }
      await sleep(backoff / 2 + (Math.random() * backoff) / 2, opts.signal);
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  /**
   * Watches the session (no polling) until it reaches `state` and returns it. Rejects with
   * SessionEndedError if it ends in another state first, WaitTimeoutError after timeoutMs
   * (default 10 minutes).
   */
  async wait(
    id: string,
    state: SessionState | keyof typeof SessionState = SessionState.RUNNING,
    opts: WatchOptions = {},
  ): Promise<Session> {
    const want = stateOf(state);
    const timeoutMs = opts.timeoutMs ?? 600_000;
    let last: Session | undefined;
    try {
      for await (const s of this.watch(id, { ...opts, timeoutMs })) {
        last = s;
        if (s.state === want) return s;
        if (ENDED_STATES.has(s.state)) throw new SessionEndedError(s, want);
      }
    } catch (err) {
      if (err instanceof HotdeskError && err.code === Code.DEADLINE_EXCEEDED) {
        throw new WaitTimeoutError(`session ${id} is not ${SessionState[want]} after ${timeoutMs} ms`, last);
      }
      throw err;
    }
    if (last) throw new SessionEndedError(last, want);
    throw errorFor(Code.NOT_FOUND, `session ${id} not found`);
  }
}

/** Administration of agents (administrators only). */
export class AgentsApi {
  constructor(readonly raw: ServiceClient<typeof AgentService>) {}

  async get(id: string, opts?: CallOptions): Promise<Agent> {
    return must((await this.raw.getAgent({ id }, opts)).agent);
  }

  list(filter: { zoneId?: string; state?: AgentState } & ListOptions = {}): AsyncGenerator<Agent, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listAgents(
        { zoneId: filter.zoneId ?? "", state: filter.state ?? 0, pageSize: filter.pageSize ?? 0, pageToken },
        filter,
      );
      return { items: r.agents, nextPageToken: r.nextPageToken };
    });
  }

  /** Changes the fields given (enabled, zoneId, poolId, overrides), or exactly `paths` ("overrides.cores"). */
  async update(agent: Init<typeof AgentSchema> & { id: string }, paths?: string[], opts?: CallOptions): Promise<Agent> {
    const r = await this.raw.updateAgent({ agent, updateMask: { paths: paths ?? maskOf(AgentSchema, agent) } }, opts);
    return must(r.agent);
  }

  /** Disables an agent: no new sessions; running ones continue. */
  drain(id: string, opts?: CallOptions): Promise<Agent> {
    return this.update({ id, enabled: false }, ["enabled"], opts);
  }

  enable(id: string, opts?: CallOptions): Promise<Agent> {
    return this.update({ id, enabled: true }, ["enabled"], opts);
  }

  async delete(id: string, opts: CallOptions & { force?: boolean } = {}): Promise<void> {
    await this.raw.deleteAgent({ id, force: opts.force ?? false }, opts);
  }

  /** A one-time token with which a new agent or proxy enrolls (shown only here). */
  createEnrollmentToken(
    req: Init<typeof CreateEnrollmentTokenRequestSchema> = {},
    opts?: CallOptions,
  ): Promise<CreateEnrollmentTokenResponse> {
    return this.raw.createEnrollmentToken(req, opts);
  }
}

/** Zones. */
export class ZonesApi {
  constructor(readonly raw: ServiceClient<typeof ZoneService>) {}

  async get(id: string, opts?: CallOptions): Promise<Zone> {
    return must((await this.raw.getZone({ id }, opts)).zone);
  }

  list(opts: ListOptions = {}): AsyncGenerator<Zone, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listZones({ pageSize: opts.pageSize ?? 0, pageToken }, opts);
      return { items: r.zones, nextPageToken: r.nextPageToken };
    });
  }

  async create(zone: Init<typeof ZoneSchema>, opts: CallOptions & { requestId?: string } = {}): Promise<Zone> {
    return must((await this.raw.createZone({ zone, requestId: opts.requestId ?? requestId() }, opts)).zone);
  }

  async update(zone: Init<typeof ZoneSchema> & { id: string }, paths?: string[], opts?: CallOptions): Promise<Zone> {
    return must((await this.raw.updateZone({ zone, updateMask: { paths: paths ?? maskOf(ZoneSchema, zone) } }, opts)).zone);
  }

  async delete(id: string, opts?: CallOptions): Promise<void> {
    await this.raw.deleteZone({ id }, opts);
  }
}

/** Users. */
export class UsersApi {
  constructor(readonly raw: ServiceClient<typeof UserService>) {}

  async get(id: string, opts?: CallOptions): Promise<User> {
    return must((await this.raw.getUser({ id }, opts)).user);
  }

  list(opts: ListOptions = {}): AsyncGenerator<User, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listUsers({ pageSize: opts.pageSize ?? 0, pageToken }, opts);
      return { items: r.users, nextPageToken: r.nextPageToken };
    });
  }

  async create(user: Init<typeof UserSchema>, opts: CallOptions & { requestId?: string } = {}): Promise<User> {
    return must((await this.raw.createUser({ user, requestId: opts.requestId ?? requestId() }, opts)).user);
  }

  async update(user: Init<typeof UserSchema> & { id: string }, paths?: string[], opts?: CallOptions): Promise<User> {
    return must((await this.raw.updateUser({ user, updateMask: { paths: paths ?? maskOf(UserSchema, user) } }, opts)).user);
  }

  async delete(id: string, opts?: CallOptions): Promise<void> {
    await this.raw.deleteUser({ id }, opts);
  }
}

/** Groups: members and the workspaces they may launch. */
export class GroupsApi {
  constructor(readonly raw: ServiceClient<typeof GroupService>) {}

  async get(id: string, opts?: CallOptions): Promise<Group> {
    return must((await this.raw.getGroup({ id }, opts)).group);
  }

  list(opts: ListOptions = {}): AsyncGenerator<Group, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listGroups({ pageSize: opts.pageSize ?? 0, pageToken }, opts);
      return { items: r.groups, nextPageToken: r.nextPageToken };
    });
  }

  async create(group: Init<typeof GroupSchema>, opts: CallOptions & { requestId?: string } = {}): Promise<Group> {
    return must((await this.raw.createGroup({ group, requestId: opts.requestId ?? requestId() }, opts)).group);
  }

  async update(group: Init<typeof GroupSchema> & { id: string }, paths?: string[], opts?: CallOptions): Promise<Group> {
    return must((await this.raw.updateGroup({ group, updateMask: { paths: paths ?? maskOf(GroupSchema, group) } }, opts)).group);
  }

  async delete(id: string, opts?: CallOptions): Promise<void> {
    await this.raw.deleteGroup({ id }, opts);
  }
}

/** API keys: users manage their own, administrators everyone's. */
export class ApiKeysApi {
  constructor(readonly raw: ServiceClient<typeof ApiKeyService>) {}

  async get(id: string, opts?: CallOptions): Promise<ApiKey> {
    return must((await this.raw.getApiKey({ id }, opts)).apiKey);
  }

  list(filter: { userId?: string } & ListOptions = {}): AsyncGenerator<ApiKey, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listApiKeys({ userId: filter.userId ?? "", pageSize: filter.pageSize ?? 0, pageToken }, filter);
      return { items: r.apiKeys, nextPageToken: r.nextPageToken };
    });
  }

  /** Creates a key for the caller; the response's `secret` is shown only here. */
  create(
    key: { name: string; scope?: ApiKeyScope; expireTime?: Date } | Init<typeof ApiKeySchema>,
    opts: CallOptions & { requestId?: string } = {},
  ): Promise<CreateApiKeyResponse> {
    const k = { ...key } as Record<string, unknown>;
    if (k.expireTime instanceof Date) k.expireTime = timestampFromDate(k.expireTime);
    if (k.scope === undefined) k.scope = ApiKeyScope.FULL;
    return this.raw.createApiKey({ apiKey: k as Init<typeof ApiKeySchema>, requestId: opts.requestId ?? requestId() }, opts);
  }

  async delete(id: string, opts?: CallOptions): Promise<void> {
    await this.raw.deleteApiKey({ id }, opts);
  }
}

/** The audit log (administrators only). */
export class AuditApi {
  constructor(readonly raw: ServiceClient<typeof AuditService>) {}

  /** Audit events, newest first. */
  list(filter: { userId?: string } & ListOptions = {}): AsyncGenerator<AuditEvent, void, undefined> {
    return paginate(async (pageToken) => {
      const r = await this.raw.listAuditEvents({ userId: filter.userId ?? "", pageSize: filter.pageSize ?? 0, pageToken }, filter);
      return { items: r.events, nextPageToken: r.nextPageToken };
    });
  }
}

