// All sessions (administrators, "/admin/sessions"): everyone's sessions, filtered by user,
// workspace and agent (kept in the URL), with destroy. There is no watch over a list, so the
// page re-lists every 5 seconds while the tab is visible.
import { ENDED_STATES, collect } from "@hotdesk/client";
import type { Agent, Session, User, Workspace } from "@hotdesk/client";
import { client } from "../api";
import { navigate } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Table, When, dateOf, duration, shortId, useAsync, useNow, usePolling } from "../ui/common";
import { Field } from "../ui/form";
import { stateLabel, stateTone, timeLeft } from "./session-state";
import type { PageProps } from "./types";
import "./people.css";

const POLL_MS = 5000;
/** At most this many sessions are listed (the newest). */
const LIMIT = 500;

async function take<T>(it: AsyncIterable<T>, n: number): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  for await (const x of it) {
    if (items.length === n) return { items, more: true };
    items.push(x);
  }
  return { items, more: false };
}

interface Lookups {
  users: User[];
  workspaces: Workspace[];
  agents: Agent[];
}

export function AllSessionsPage({ query }: PageProps) {
  const user = query.get("user") ?? "";
  const workspace = query.get("workspace") ?? "";
  const agent = query.get("agent") ?? "";
  const ended = query.get("ended") === "1";

  const setFilter = (key: string, value: string) => {
    const q = new URLSearchParams(location.search);
    if (value) q.set(key, value);
    else q.delete(key);
    const s = q.toString();
    navigate(`/admin/sessions${s ? "?" + s : ""}`, { replace: true });
  };

  const lookups = useAsync<Lookups>(async () => {
    const [users, workspaces, agents] = await Promise.all([
      collect(client.users.list()),
      collect(client.workspaces.list()),
      collect(client.agents.list()),
    ]);
    return { users, workspaces, agents };
  }, []);
  const sessions = useAsync(
    () => take(client.sessions.list({ userId: user, workspaceId: workspace, agentId: agent, includeEnded: ended }), LIMIT),
    [user, workspace, agent, ended],
  );
  usePolling(sessions.reload, POLL_MS);
  const now = useNow(1000);

  const L = lookups.data;
  // Names of what the lists know; an id (shortened, in full on hover) for what they do not (deleted since).
  const unknown = (id: string) => (
    <span class="muted" title={id}>
      {shortId(id)}
    </span>
  );
  const userName = (id: string) => L?.users.find((u) => u.id === id)?.username ?? unknown(id);
  const workspaceName = (id: string) => L?.workspaces.find((w) => w.id === id)?.name ?? unknown(id);
  const agentName = (id: string) => L?.agents.find((a) => a.id === id)?.hostname ?? shortId(id);

  const leftCell = (s: Session) => {
    if (ENDED_STATES.has(s.state)) {
      const end = dateOf(s.endTime);
      return end ? `Ended ${duration(now - end.getTime())} ago` : "Ended";
    }
    const left = timeLeft(s, now);
    return left === undefined ? "—" : duration(left);
  };

  // Options for the filters; an id in the URL that the lists do not know still shows.
  const opts = (items: [string, string][], selected: string): [string, string][] =>
    selected && !items.some(([id]) => id === selected) ? [...items, [selected, selected]] : items;
  const userOpts = opts((L?.users ?? []).map((u) => [u.id, u.username]), user);
  const workspaceOpts = opts((L?.workspaces ?? []).map((w) => [w.id, w.name]), workspace);
  const agentOpts = opts((L?.agents ?? []).map((a) => [a.id, a.hostname]), agent);
  const filtered = !!(user || workspace || agent);

  return (
    <Page title="All sessions">
      <form class="filters card" role="search" aria-label="Filter sessions" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect label="User" value={user} any="Anyone" options={userOpts} onChange={(v) => setFilter("user", v)} />
        <FilterSelect label="Workspace" value={workspace} any="Any workspace" options={workspaceOpts} onChange={(v) => setFilter("workspace", v)} />
        <FilterSelect label="Agent" value={agent} any="Any agent" options={agentOpts} onChange={(v) => setFilter("agent", v)} />
        <div class="field check">
          <input type="checkbox" id="filter-ended" checked={ended} onChange={(e) => setFilter("ended", e.currentTarget.checked ? "1" : "")} />
          <label for="filter-ended">Include ended</label>
        </div>
        {(filtered || ended) && (
          <button type="button" class="small" onClick={() => navigate("/admin/sessions", { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <ErrorNote error={lookups.error} onRetry={lookups.reload} />
      <ErrorNote error={sessions.error} onRetry={sessions.reload} />
      {!sessions.data ? (
        !sessions.error && <Loading what="Loading sessions" />
      ) : (
        <>
          <p class="hint" aria-live="off">
            {sessions.data.items.length} session{sessions.data.items.length === 1 ? "" : "s"}
            {sessions.data.more ? ` (the newest ${LIMIT}; narrow the filters to see others)` : ""}. Refreshed every 5 seconds.
          </p>
          <Table
            caption="Sessions"
            rows={sessions.data.items}
            rowKey={(s) => s.id}
            empty={
              filtered
                ? "No sessions match these filters."
                : ended
                  ? "No sessions yet."
                  : "No sessions are running. Tick “Include ended” to see past ones."
            }
            columns={[
              {
                label: "Session",
                cell: (s) => (
                  <a href={`/sessions/${encodeURIComponent(s.id)}`} title={s.id}>
                    <code class="sid">{shortId(s.id)}</code>
                  </a>
                ),
              },
              { label: "User", cell: (s) => userName(s.userId) },
              { label: "Workspace", cell: (s) => workspaceName(s.workspaceId) },
              {
                label: "Agent",
                cell: (s) => (s.agentId ? <a href={`/admin/agents/${s.agentId}`}>{agentName(s.agentId)}</a> : <span class="muted">—</span>),
              },
              {
                label: "State",
                cell: (s) => (
                  <div>
                    <Badge tone={stateTone(s.state)}>{stateLabel(s.state)}</Badge>
                    {s.stateReason && <div class="hint reason">{s.stateReason}</div>}
                  </div>
                ),
              },
              { label: "Started", cell: (s) => <When ts={s.startTime && dateOf(s.startTime) ? s.startTime : s.createTime} /> },
              { label: "Time left", cell: leftCell },
              {
                label: "Actions",
                cell: (s) =>
                  ENDED_STATES.has(s.state) ? (
                    <span class="muted">—</span>
                  ) : (
                    <ConfirmButton small label="Destroy" action={() => client.sessions.delete(s.id)} onDone={sessions.reload} />
                  ),
              },
            ]}
          />
        </>
      )}
    </Page>
  );
}

function FilterSelect({ label, value, any, options, onChange }: {
  label: string;
  value: string;
  any: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <Field label={label}>
      {(a) => (
        <select {...a} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{any}</option>
          {options.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
