// Agents ("/admin/agents", administrators): every Docker host with its state, last check-in and
// the capacity the scheduler counts (overrides included). Agents have no watch RPC, so the list
// refreshes itself every 10 seconds while the page is visible.
import { AgentState, collect } from "@hotdesk/client";
import type { Agent, Zone } from "@hotdesk/client";
import { client } from "../api";
import { navigate } from "../router";
import { Badge, ErrorNote, Loading, Page, Table, When, shortId, useAsync, usePolling } from "../ui/common";
import type { Column } from "../ui/common";
import { Field } from "../ui/form";
import { AGENT_STATES, agentStateHint, agentStateLabel, agentStateTone, effective, fmtNumber, gib } from "./agent-state";
import type { PageProps } from "./types";
import "./admin.css";

export const REFRESH_MS = 10_000;

/** Refreshes every REFRESH_MS while the tab is visible (agents have no watch RPC). */
export function useAutoRefresh(reload: () => void): void {
  usePolling(reload, REFRESH_MS);
}

function stateFromQuery(v: string | null): AgentState {
  const n = Number(v);
  return AGENT_STATES.includes(n as AgentState) ? (n as AgentState) : AgentState.UNSPECIFIED;
}

/** "1.5 / 8" with "(override)" when an override replaces the reported value. */
export function CapacityCell({ used, total, overridden, unit, title }: { used: string; total: string; overridden: boolean; unit?: string; title: string }) {
  return (
    <span title={title}>
      {used} / {total}
      {unit ? ` ${unit}` : ""}
      {overridden && <span class="ag-override"> (override)</span>}
    </span>
  );
}

export function AgentsPage({ query }: PageProps) {
  const state = stateFromQuery(query.get("state"));
  const agents = useAsync<Agent[]>(() => collect(client.agents.list({ state })), [state]);
  // Zone names only label the list: the page works without them.
  const zones = useAsync<Zone[]>(() => collect(client.zones.list()), []);
  useAutoRefresh(agents.reload);

  const zoneName = (id: string) => {
    if (!id) return <span class="ag-muted">None</span>;
    return zones.data?.find((z) => z.id === id)?.name ?? <code title={id}>{shortId(id)}</code>;
  };

  const columns: Column<Agent>[] = [
    { label: "Agent", cell: (a) => <a href={`/admin/agents/${a.id}`}>{a.hostname || a.id}</a> },
    {
      label: "State",
      cell: (a) => (
        <span title={agentStateHint(a.state)}>
          <Badge tone={agentStateTone(a.state)}>{agentStateLabel(a.state)}</Badge>
        </span>
      ),
    },
    { label: "Enabled", cell: (a) => (a.enabled ? "Yes" : <Badge tone="warn">Disabled</Badge>) },
    { label: "Zone", cell: (a) => zoneName(a.zoneId) },
    { label: "Last check-in", cell: (a) => <When ts={a.lastCheckinTime} /> },
    {
      label: "Cores",
      class: "num",
      cell: (a) => {
        const c = effective(a, "cores");
        return (
          <CapacityCell
            used={fmtNumber(c.used)}
            total={fmtNumber(c.total)}
            overridden={c.overridden}
            title={`${fmtNumber(c.used)} of ${fmtNumber(c.total)} cores reserved; reported ${fmtNumber(c.reported)}`}
          />
        );
      },
    },
    {
      label: "Memory",
      class: "num",
      cell: (a) => {
        const m = effective(a, "memoryMb");
        return (
          <CapacityCell
            used={gib(m.used)}
            total={gib(m.total)}
            unit="GiB"
            overridden={m.overridden}
            title={`${m.used} of ${m.total} MiB reserved; reported ${m.reported} MiB`}
          />
        );
      },
    },
    {
      label: "GPUs",
      class: "num",
      cell: (a) => {
        const g = effective(a, "gpus");
        return <CapacityCell used={String(g.used)} total={String(g.total)} overridden={g.overridden} title={`reported ${g.reported}`} />;
      },
    },
    { label: "Sessions", class: "num", cell: (a) => a.sessionCount },
  ];

  const setState = (s: string) => navigate(s === "0" ? "/admin/agents" : `/admin/agents?state=${s}`, { replace: true });

  return (
    <Page
      title="Agents"
      actions={
        <>
          <button type="button" onClick={agents.reload} disabled={agents.loading} aria-busy={agents.loading}>
            Refresh
          </button>
          <a class="button primary" href="/admin/agents/enroll">
            Enroll an agent
          </a>
        </>
      }
    >
      <p class="ag-lead">
        The Docker hosts that run session containers. Disabled agents get no new sessions; running ones continue. The list refreshes every
        10 seconds.
      </p>
      <div class="ag-filters">
        <Field label="State">
          {(a) => (
            <select {...a} value={String(state)} onChange={(e) => setState(e.currentTarget.value)}>
              <option value="0">Any state</option>
              {AGENT_STATES.map((s) => (
                <option key={s} value={String(s)}>
                  {agentStateLabel(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={agents.error} onRetry={agents.reload} />
      {!agents.data ? (
        !agents.error && <Loading what="Loading agents" />
      ) : (
        <div class="ag-table">
          <Table
            caption="Agents"
            rows={agents.data}
            rowKey={(a) => a.id}
            columns={columns}
            empty={
              state !== AgentState.UNSPECIFIED ? (
                <>No agent is {agentStateLabel(state).toLowerCase()}.</>
              ) : (
                <>
                  No agents yet. <a href="/admin/agents/enroll">Enroll one</a> to run container sessions.
                </>
              )
            }
          />
        </div>
      )}
    </Page>
  );
}
