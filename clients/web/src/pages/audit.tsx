// Audit log (administrators, "/admin/audit"): every change made through the API, newest first:
// when, by whom (and with which API key), what, on which resource, how it ended and from where.
// Filtered by user (kept in the URL, the one filter ListAuditEvents takes). The newest 100
// events show; "Load more" fetches the next page with its page token, "Refresh" starts over.
import { useEffect, useRef, useState } from "preact/hooks";
import { collect } from "@hotdesk/client";
import type { AuditEvent } from "@hotdesk/client";
import { client } from "../api";
import { navigate } from "../router";
import { Badge, ErrorNote, Loading, Page, Status, Table, When, dateOf, humanize, shortId, useAsync } from "../ui/common";
import { Field } from "../ui/form";
import type { PageProps } from "./types";
import "./audit.css";

/** Events per page. */
const PAGE = 100;

/** A loaded stretch of the log: the filter it was asked with, its events, the next page's token. */
interface Log {
  user: string;
  events: AuditEvent[];
  next: string;
}

/** id → name of what the lookups found; absent when that list could not be read. */
type Names = Map<string, string>;

interface Lookups {
  users?: Names;
  keys?: Names;
  workspaces?: Names;
  agents?: Names;
  groups?: Names;
  zones?: Names;
  /** The lists that failed (names of their kinds). */
  failed: string[];
}

async function names<T>(it: AsyncIterable<T>, id: (x: T) => string, name: (x: T) => string): Promise<Names> {
  return new Map((await collect(it)).map((x) => [id(x), name(x)]));
}

/** Words kept in capitals when a method name is made readable. */
const ACRONYMS: Record<string, string> = { api: "API", vm: "VM", dns: "DNS", id: "ID", url: "URL" };
/** Methods whose plain reading is not what the dashboard calls them. */
const ACTIONS: Record<string, string> = {
  "hotdesk.v1.AuthService/Login": "Sign in",
  "hotdesk.v1.AuthService/Logout": "Sign out",
};

/** "/hotdesk.v1.WorkspaceService/UpdateWorkspace" → ["hotdesk.v1.WorkspaceService", "UpdateWorkspace"]. */
function splitMethod(method: string): [string, string] {
  const m = /^\/?([^/]+)\/([^/]+)$/.exec(method);
  return m ? [m[1], m[2]] : ["", method];
}

/** "/hotdesk.v1.WorkspaceService/UpdateWorkspace" → "Update workspace". */
export function actionOf(method: string): string {
  const [svc, rpc] = splitMethod(method);
  const special = ACTIONS[`${svc}/${rpc}`];
  if (special) return special;
  const words = rpc.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g);
  if (!words) return method;
  return words
    .map((w, i) => {
      const lower = w.toLowerCase();
      if (ACRONYMS[lower]) return ACRONYMS[lower];
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(" ");
}

/** What kind of resource a service's events act on, where its page is, and which lookup names it. */
interface Kind {
  label: string;
  href?: (id: string) => string;
  names?: keyof Omit<Lookups, "failed">;
}

const KINDS: Record<string, Kind> = {
  "hotdesk.v1.WorkspaceService": { label: "Workspace", href: (id) => `/admin/workspaces/${encodeURIComponent(id)}`, names: "workspaces" },
  "hotdesk.v1.AgentService": { label: "Agent", href: (id) => `/admin/agents/${encodeURIComponent(id)}`, names: "agents" },
  "hotdesk.v1.UserService": { label: "User", href: (id) => `/admin/users/${encodeURIComponent(id)}`, names: "users" },
  // A sign-in's resource is the user who signed in.
  "hotdesk.v1.AuthService": { label: "User", href: (id) => `/admin/users/${encodeURIComponent(id)}`, names: "users" },
  "hotdesk.v1.GroupService": { label: "Group", href: (id) => `/admin/groups/${encodeURIComponent(id)}`, names: "groups" },
  "hotdesk.v1.ZoneService": { label: "Zone", href: (id) => `/admin/zones/${encodeURIComponent(id)}`, names: "zones" },
  "hotdesk.v1.SessionService": { label: "Session", href: (id) => `/sessions/${encodeURIComponent(id)}` },
  "hotdesk.v1.ApiKeyService": { label: "API key", names: "keys" },
  "hotdesk.v1.PoolService": { label: "Pool" },
  "hotdesk.v1.ServerService": { label: "Server" },
};

export function AuditPage({ query }: PageProps) {
  const user = query.get("user") ?? "";

  const setUser = (value: string) => {
    const q = new URLSearchParams(location.search);
    if (value) q.set("user", value);
    else q.delete("user");
    const s = q.toString();
    navigate(`/admin/audit${s ? "?" + s : ""}`, { replace: true });
  };

  // Names for the ids in the log. Only the user list is needed (the filter); the others just
  // make rows readable, so one failing leaves ids in its place rather than an error.
  const lookups = useAsync<Lookups>(async () => {
    const lists: [keyof Omit<Lookups, "failed">, string, () => Promise<Names>][] = [
      ["users", "users", () => names(client.users.list(), (u) => u.id, (u) => u.username)],
      ["keys", "API keys", () => names(client.apiKeys.list({ userId: "-" }), (k) => k.id, (k) => k.name)],
      ["workspaces", "workspaces", () => names(client.workspaces.list(), (w) => w.id, (w) => w.name)],
      ["agents", "agents", () => names(client.agents.list(), (a) => a.id, (a) => a.hostname)],
      ["groups", "groups", () => names(client.groups.list(), (g) => g.id, (g) => g.name)],
      ["zones", "zones", () => names(client.zones.list(), (z) => z.id, (z) => z.name)],
    ];
    const got = await Promise.allSettled(lists.map(([, , load]) => load()));
    const out: Lookups = { failed: [] };
    got.forEach((r, i) => {
      const [key, what] = lists[i];
      if (r.status === "fulfilled") out[key] = r.value;
      else out.failed.push(what);
    });
    // Without the users the filter cannot offer names: that one is an error worth showing.
    if (!out.users) throw (got[0] as PromiseRejectedResult).reason;
    return out;
  }, []);

  // The first page; each load (filter change, Refresh) starts a new generation, and a "Load
  // more" answer that comes back after that is dropped rather than mixed into the new list.
  const generation = useRef(0);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: undefined });
  const log = useAsync<Log>(async () => {
    generation.current++;
    setMore({ busy: false, error: undefined });
    const r = await client.audit.raw.listAuditEvents({ pageSize: PAGE, pageToken: "", userId: user });
    return { user, events: r.events, next: r.nextPageToken };
  }, [user]);

  const loadMoreButton = useRef<HTMLButtonElement>(null);
  const endNote = useRef<HTMLParagraphElement>(null);
  const focusEnd = useRef(false);
  const loadMore = async () => {
    const cur = log.data;
    if (!cur || !cur.next || more.busy) return;
    const gen = generation.current;
    const hadFocus = document.activeElement === loadMoreButton.current;
    setMore({ busy: true, error: undefined });
    try {
      const r = await client.audit.raw.listAuditEvents({ pageSize: PAGE, pageToken: cur.next, userId: cur.user });
      if (gen !== generation.current) return;
      const seen = new Set(cur.events.map((e) => e.id));
      // The button goes away after the last page: the focus then moves to the note saying so.
      focusEnd.current = hadFocus && !r.nextPageToken;
      log.setData({ ...cur, events: [...cur.events, ...r.events.filter((e) => !seen.has(e.id))], next: r.nextPageToken });
      setMore({ busy: false, error: undefined });
    } catch (e) {
      if (gen === generation.current) setMore({ busy: false, error: e });
    }
  };
  useEffect(() => {
    if (focusEnd.current && endNote.current) {
      focusEnd.current = false;
      endNote.current.focus();
    }
  });

  // Names too: users, keys and resources created since the page opened show by name.
  const refresh = () => {
    lookups.reload();
    log.reload();
  };

  const L = lookups.data;
  const userOpts: [string, string][] = L?.users ? [...L.users].sort((a, b) => a[1].localeCompare(b[1])) : [];
  if (user && !userOpts.some(([id]) => id === user)) userOpts.push([user, user]);
  const userName = (id: string) => L?.users?.get(id);
  const shown = log.data && log.data.user === user ? log.data : undefined;

  return (
    <Page
      title="Audit log"
      actions={
        <button type="button" onClick={refresh} disabled={log.loading} aria-busy={log.loading}>
          {log.loading && shown ? "Refreshing…" : "Refresh"}
        </button>
      }
    >
      <p class="au-lead">
        Every change made through the API — by whom, on what, and how it ended — newest first. Reads (lists and views) are not
        recorded.
      </p>
      <form class="au-filters card" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <Field label="User">
          {(a) => (
            <select {...a} value={user} onChange={(e) => setUser(e.currentTarget.value)}>
              <option value="">Anyone</option>
              {userOpts.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {user && (
          <button type="button" class="small" onClick={() => setUser("")}>
            Clear filter
          </button>
        )}
      </form>
      <ErrorNote error={lookups.error} onRetry={lookups.reload} />
      {L && L.failed.length > 0 && (
        <p class="hint">
          The names of {L.failed.join(", ")} could not be loaded; their ids are shown instead.
        </p>
      )}
      <ErrorNote error={log.error} onRetry={log.reload} />
      {!shown ? (
        !log.error && <Loading what="Loading the audit log" />
      ) : (
        <>
          <Status class="hint au-count">
            {shown.events.length === 0
              ? ""
              : shown.next
                ? `The newest ${shown.events.length} events${user ? ` of ${userName(user) ?? user}` : ""}; older ones follow.`
                : `All ${shown.events.length} event${shown.events.length === 1 ? "" : "s"}${user ? ` of ${userName(user) ?? user}` : ""}.`}
          </Status>
          <Table
            caption="Audit events, newest first"
            rows={shown.events}
            rowKey={(e) => e.id}
            empty={
              user
                ? `${userName(user) ?? "This user"} has made no changes yet.`
                : "Nothing has been recorded yet: changes made through the API (creating, updating, deleting, signing in) show here."
            }
            columns={[
              { label: "Time", class: "au-time", cell: (e) => <TimeCell e={e} /> },
              { label: "User", cell: (e) => <UserCell e={e} L={L} /> },
              {
                label: "Action",
                cell: (e) => (
                  <div class="au-action" title={e.method}>
                    {actionOf(e.method)}
                  </div>
                ),
              },
              { label: "Resource", class: "au-resource", cell: (e) => <ResourceCell e={e} L={L} /> },
              {
                label: "Result",
                class: "au-result",
                cell: (e) => (
                  <div title={e.code}>
                    <Badge tone={e.code === "OK" ? "ok" : "bad"}>{codeLabel(e.code)}</Badge>
                  </div>
                ),
              },
              {
                label: "Client address",
                class: "au-peer",
                cell: (e) => <div>{e.peer ? <code>{e.peer}</code> : <span class="muted">—</span>}</div>,
              },
            ]}
          />
          <div class="au-more">
            {shown.next ? (
              <button type="button" ref={loadMoreButton} onClick={loadMore} disabled={more.busy} aria-busy={more.busy}>
                {more.busy ? "Loading…" : `Load ${PAGE} more`}
              </button>
            ) : (
              shown.events.length > PAGE && (
                <p class="hint" tabIndex={-1} ref={endNote}>
                  That is the start of the log.
                </p>
              )
            )}
            <ErrorNote error={more.error} onRetry={loadMore} />
          </div>
        </>
      )}
    </Page>
  );
}

/**
 * "Invalid argument" from the status code's name, as Go spells it ("InvalidArgument") or as
 * the proto does ("INVALID_ARGUMENT"); "OK" stays.
 */
export function codeLabel(code: string): string {
  if (!code) return "Unknown";
  if (code === "OK") return "OK";
  if (/[_]/.test(code) || code === code.toUpperCase()) return humanize(code);
  return humanize(code.replace(/([a-z0-9])([A-Z])/g, "$1_$2"));
}

function TimeCell({ e }: { e: AuditEvent }) {
  const d = dateOf(e.time);
  return (
    <div>
      <When ts={e.time} />
      {d && <div class="hint">{d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" })}</div>}
    </div>
  );
}

function UserCell({ e, L }: { e: AuditEvent; L: Lookups | undefined }) {
  if (!e.userId) return <div class="muted">Not signed in</div>;
  const name = L?.users?.get(e.userId);
  const key = e.apiKeyId ? L?.keys?.get(e.apiKeyId) : undefined;
  return (
    <div>
      {name ?? (
        <span class="muted" title={e.userId}>
          {shortId(e.userId)}
        </span>
      )}
      {e.apiKeyId && (
        <div class="hint" title={`API key ${e.apiKeyId}`}>
          API key {key ? `“${key}”` : <code class="sid">{shortId(e.apiKeyId)}</code>}
        </div>
      )}
    </div>
  );
}

function ResourceCell({ e, L }: { e: AuditEvent; L: Lookups | undefined }) {
  if (!e.resourceId) return <div class="muted">—</div>;
  const [svc, rpc] = splitMethod(e.method);
  const kind = KINDS[svc];
  const id = e.resourceId;
  const name = kind?.names ? L?.[kind.names]?.get(id) : undefined;
  const text = name ?? <code class="sid">{shortId(id)}</code>;
  // What this very event deleted has no page any more.
  const gone = e.code === "OK" && rpc.startsWith("Delete");
  return (
    <div>
      {kind && <span class="au-kind">{kind.label} </span>}
      {kind?.href && !gone ? (
        <a href={kind.href(id)} title={id}>
          {text}
        </a>
      ) : (
        <span title={id}>{text}</span>
      )}
      {gone && <span class="muted"> (deleted)</span>}
    </div>
  );
}
