// One agent ("/admin/agents/:id", administrators): what it reported, the capacity the scheduler
// counts against what sessions reserve, enabling and disabling (draining), capacity overrides,
// its zone, where the workspace images stand on it, its sessions, and deleting it. Refreshes
// every 10 seconds (agents have no watch RPC); the forms keep what is being typed.
import { useState } from "preact/hooks";
import { Code, HotdeskError, ImageState, UpdateAgentRequestSchema, collect } from "@hotdesk/client";
import type { Agent, ImageStatus, Session, User, Zone } from "@hotdesk/client";
import { client } from "../api";
import { navigate } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Status, Table, When, shortId, useAsync } from "../ui/common";
import { FormError, SelectField, Submit, TextField, useForm } from "../ui/form";
import { check } from "../validate";
import type { FieldErrors } from "../validate";
import {
  agentStateHint,
  agentStateLabel,
  agentStateTone,
  effective,
  fmtNumber,
  gib,
  imageStateLabel,
  imageStateTone,
  pullProgress,
} from "./agent-state";
import type { Effective } from "./agent-state";
import { useAutoRefresh } from "./agents";
import { stateLabel, stateTone } from "./session-state";
import type { PageProps } from "./types";
import "./admin.css";

export function AgentPage({ params }: PageProps) {
  const id = params.id;
  const agent = useAsync<Agent>(() => client.agents.get(id), [id]);
  const zones = useAsync<Zone[]>(() => collect(client.zones.list()), []);
  // Names for the images' and sessions' tables, loaded once (only those tables refresh).
  const workspaceNames = useAsync<Map<string, string>>(async () => {
    const ws = await collect(client.workspaces.list());
    return new Map(ws.map((w) => [w.id, w.name]));
  }, []);
  const userNames = useAsync<Map<string, string>>(async () => {
    const us = await collect(client.users.list()).catch(() => [] as User[]);
    return new Map(us.map((u) => [u.id, u.username]));
  }, []);
  useAutoRefresh(agent.reload);
  const a = agent.data;

  if (!a || a.id !== id) {
    return (
      <Page title="Agent">
        <p>
          <a href="/admin/agents">← All agents</a>
        </p>
        <ErrorNote error={agent.error} onRetry={agent.reload} />
        {!agent.error && <Loading what="Loading the agent" />}
      </Page>
    );
  }
  const zone = a.zoneId ? zones.data?.find((z) => z.id === a.zoneId) : undefined;
  return (
    <Page title={a.hostname || "Agent"} actions={<EnableToggle agent={a} onChange={agent.setData} />}>
      <p class="ag-back">
        <a href="/admin/agents">← All agents</a>
      </p>
      {/* A failed refresh keeps the last data on screen and says why. */}
      <ErrorNote error={agent.error} onRetry={agent.reload} />
      <div class="ag-grid">
        <section class="card" aria-labelledby="ag-about">
          <h2 id="ag-about">About</h2>
          <dl class="props">
            <dt>Host name</dt>
            <dd>{a.hostname || "—"}</dd>
            <dt>Id</dt>
            <dd>
              <code>{a.id}</code>
            </dd>
            <dt>State</dt>
            <dd>
              <Badge tone={agentStateTone(a.state)}>{agentStateLabel(a.state)}</Badge>{" "}
              <span class="ag-muted">{agentStateHint(a.state)}</span>
            </dd>
            <dt>Enabled</dt>
            <dd>
              <span data-testid="agent-enabled">{a.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="warn">Disabled</Badge>}</span>{" "}
              {!a.enabled && <span class="ag-muted">No new sessions are placed here; running ones continue.</span>}
            </dd>
            <dt>Version</dt>
            <dd>{a.version || "—"}</dd>
            <dt>Docker version</dt>
            <dd>{a.dockerVersion || "—"}</dd>
            <dt>Zone</dt>
            <dd>{a.zoneId ? (zone ? <a href={`/admin/zones/${zone.id}`}>{zone.name}</a> : <code>{a.zoneId}</code>) : "None"}</dd>
            <dt>Networks</dt>
            <dd>
              <Networks names={a.networks} />
            </dd>
            <dt>Last check-in</dt>
            <dd>
              <When ts={a.lastCheckinTime} />
            </dd>
            <dt>Created</dt>
            <dd>
              <When ts={a.createTime} />
            </dd>
          </dl>
        </section>
        <CapacitySection agent={a} />
      </div>
      <div class="ag-grid">
        <OverridesForm agent={a} onSaved={agent.setData} />
        <ZoneForm agent={a} zones={zones.data} zonesError={zones.error} onSaved={agent.setData} />
      </div>
      <ImagesSection agentId={a.id} workspaces={workspaceNames.data} />
      <SessionsSection agentId={a.id} workspaces={workspaceNames.data} users={userNames.data} />
      <DeleteSection agent={a} />
    </Page>
  );
}

function Networks({ names }: { names: string[] }) {
  if (!names.length) return <>—</>;
  const list = (
    <ul class="ag-networks">
      {names.map((n) => (
        <li key={n}>
          <code>{n}</code>
        </li>
      ))}
    </ul>
  );
  if (names.length <= 6) return list;
  return (
    <details>
      <summary>{names.length} networks</summary>
      {list}
    </details>
  );
}

/** The "Disable agent" / "Enable agent" button, with the server's refusal beside it. */
function EnableToggle({ agent, onChange }: { agent: Agent; onChange: (a: Agent) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onChange(agent.enabled ? await client.agents.drain(agent.id) : await client.agents.enable(agent.id));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="ag-toggle">
      <button type="button" class={agent.enabled ? "" : "primary"} onClick={() => void toggle()} disabled={busy} aria-busy={busy}>
        {agent.enabled ? "Disable agent" : "Enable agent"}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

function Meter({ id, label, e, fmt, unit }: { id: string; label: string; e: Effective; fmt: (n: number) => string; unit: string }) {
  const max = Math.max(e.total, e.used, 0);
  return (
    <div class="ag-meter">
      <label for={id}>{label}</label>
      <meter id={id} min={0} max={max || 1} value={e.used} low={max * 0.7} high={max * 0.9} optimum={0} aria-describedby={`${id}-text`} />
      <div id={`${id}-text`} class="ag-meter-text">
        <strong>
          {fmt(e.used)} / {fmt(e.total)} {unit}
        </strong>{" "}
        used
        {e.used > e.total && <Badge tone="warn">Over capacity</Badge>}
        <div class="ag-muted">
          Reported {fmt(e.reported)} {unit}
          {e.overridden ? (
            <>
              ; <strong>override {fmt(e.override)}</strong> counts instead
            </>
          ) : (
            "; no override"
          )}
        </div>
      </div>
    </div>
  );
}

function CapacitySection({ agent }: { agent: Agent }) {
  return (
    <section class="card" aria-labelledby="ag-capacity">
      <h2 id="ag-capacity">Capacity</h2>
      <p class="ag-muted ag-note">Reserved by its {agent.sessionCount} session{agent.sessionCount === 1 ? "" : "s"}, against what the scheduler counts.</p>
      <Meter id="ag-m-cores" label="Cores" e={effective(agent, "cores")} fmt={fmtNumber} unit="cores" />
      <Meter id="ag-m-mem" label="Memory" e={effective(agent, "memoryMb")} fmt={gib} unit="GiB" />
      <Meter id="ag-m-gpus" label="GPUs" e={effective(agent, "gpus")} fmt={String} unit="GPUs" />
    </section>
  );
}

type OverrideValues = { "overrides.cores": string; "overrides.memory_mb": string; "overrides.gpus": string };

function overrideValues(a: Agent): OverrideValues {
  return {
    "overrides.cores": String(a.overrides?.cores ?? 0),
    "overrides.memory_mb": String(a.overrides?.memoryMb ?? 0),
    "overrides.gpus": String(a.overrides?.gpus ?? 0),
  };
}

function OverridesForm({ agent, onSaved }: { agent: Agent; onSaved: (a: Agent) => void }) {
  const form = useForm<OverrideValues>("agent-overrides", overrideValues(agent));
  const [saved, setSaved] = useState(false);
  const v = form.values;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const cores = v["overrides.cores"].trim() || "0";
    const memory = v["overrides.memory_mb"].trim() || "0";
    const gpus = v["overrides.gpus"].trim() || "0";
    await form.submit(
      () => {
        // Unparsable values are checked as 0 by the proto's rules and reported here instead.
        const local: FieldErrors = {};
        const c = Number(cores);
        if (!Number.isFinite(c)) local["overrides.cores"] = "Enter a number of cores, or 0 to use the reported value.";
        if (!/^\d+$/.test(memory)) local["overrides.memory_mb"] = "Enter a whole number of MiB, or 0 to use the reported value.";
        if (!/^\d+$/.test(gpus)) local["overrides.gpus"] = "Enter a whole number of GPUs, or 0 to use the reported value.";
        const overrides = {
          cores: local["overrides.cores"] ? 0 : c,
          memoryMb: local["overrides.memory_mb"] ? 0n : BigInt(memory),
          gpus: local["overrides.gpus"] ? 0 : Number(gpus),
        };
        const errs = check(UpdateAgentRequestSchema, { agent: { id: agent.id, overrides }, updateMask: { paths: ["overrides"] } }, "agent.");
        return { ...errs, ...local };
      },
      async () => {
        const a = await client.agents.update(
          { id: agent.id, overrides: { cores: Number(cores), memoryMb: BigInt(memory), gpus: Number(gpus) } },
          ["overrides"],
        );
        onSaved(a);
        form.reset(overrideValues(a));
        setSaved(true);
      },
      "agent.",
    );
  };

  const r = agent.reported;
  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="ag-overrides">
      <h2 id="ag-overrides">Capacity overrides</h2>
      <p class="ag-muted ag-note" id="ag-overrides-hint">
        The scheduler counts an override instead of what the agent reports, for example to oversubscribe the host. 0 means “use the reported
        value”.
      </p>
      <div class="grid-3">
        <TextField
          form={form}
          name="overrides.cores"
          label="Cores override"
          inputMode="decimal"
          autoComplete="off"
          hint={`0 = use reported (${fmtNumber(r?.cores ?? 0)})`}
        />
        <TextField
          form={form}
          name="overrides.memory_mb"
          label="Memory override (MiB)"
          inputMode="numeric"
          autoComplete="off"
          hint={`0 = use reported (${String(r?.memoryMb ?? 0)} MiB)`}
        />
        <TextField
          form={form}
          name="overrides.gpus"
          label="GPUs override"
          inputMode="numeric"
          autoComplete="off"
          hint={`0 = use reported (${r?.gpus ?? 0})`}
        />
      </div>
      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>Save overrides</Submit>
        <Status>{saved ? "Saved." : ""}</Status>
      </div>
    </form>
  );
}

function ZoneForm({
  agent,
  zones,
  zonesError,
  onSaved,
}: {
  agent: Agent;
  zones: Zone[] | undefined;
  zonesError: unknown;
  onSaved: (a: Agent) => void;
}) {
  const form = useForm<{ zone_id: string }>("agent-zone", { zone_id: agent.zoneId });
  const [saved, setSaved] = useState(false);

  const options: [string, string][] = [["", "None"], ...(zones ?? []).map((z): [string, string] => [z.id, z.name])];
  // Keep an unknown current zone choosable rather than silently showing "None".
  if (form.values.zone_id && !options.some(([id]) => id === form.values.zone_id)) options.push([form.values.zone_id, form.values.zone_id]);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const zoneId = form.values.zone_id;
    await form.submit(
      () => check(UpdateAgentRequestSchema, { agent: { id: agent.id, zoneId }, updateMask: { paths: ["zone_id"] } }, "agent."),
      async () => {
        const a = await client.agents.update({ id: agent.id, zoneId }, ["zone_id"]);
        onSaved(a);
        form.reset({ zone_id: a.zoneId });
        setSaved(true);
      },
      "agent.",
    );
  };

  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="ag-zone">
      <h2 id="ag-zone">Zone</h2>
      <SelectField
        form={form}
        name="zone_id"
        label="Zone"
        options={options}
        hint={
          <>
            Sessions of a workspace are placed on agents of the workspace's zones. <a href="/admin/zones">Manage zones</a>.
          </>
        }
      />
      <ErrorNote error={zonesError} />
      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>Save zone</Submit>
        <Status>{saved ? "Saved." : ""}</Status>
      </div>
    </form>
  );
}

function ImagesSection({ agentId, workspaces }: { agentId: string; workspaces: Map<string, string> | undefined }) {
  const data = useAsync<ImageStatus[]>(() => collect(client.workspaces.imageStatuses({ agentId, pageSize: 1000 })), [agentId]);
  useAutoRefresh(data.reload);
  const d = data.data;
  return (
    <section aria-labelledby="ag-images">
      <h2 id="ag-images">Images</h2>
      <ErrorNote error={data.error} onRetry={data.reload} />
      {!d ? (
        !data.error && <Loading what="Loading images" />
      ) : (
        <div class="ag-table">
          <Table
            caption="Images"
            rows={d}
            rowKey={(s) => `${s.workspaceId}/${s.imageReference}`}
            empty="No workspace needs an image on this agent."
            columns={[
              {
                label: "Workspace",
                cell: (s) => {
                  const name = workspaces?.get(s.workspaceId);
                  return name !== undefined ? (
                    <a href={`/admin/workspaces/${s.workspaceId}`}>{name}</a>
                  ) : (
                    <code title={s.workspaceId}>{shortId(s.workspaceId)}</code>
                  );
                },
              },
              { label: "Image", cell: (s) => <code>{s.imageReference}</code> },
              { label: "State", cell: (s) => <Badge tone={imageStateTone(s.state)}>{imageStateLabel(s.state)}</Badge> },
              {
                label: "Progress",
                cell: (s) => {
                  const p = pullProgress(s);
                  if (!p) {
                    if (s.state === ImageState.ABSENT) return <span class="ag-muted">Not pulled: the workspace names no registry, so load the image by hand.</span>;
                    return s.present && s.state !== ImageState.PRESENT ? <span class="ag-muted">The previous build is present.</span> : "—";
                  }
                  const total = Number(s.bytesTotal);
                  return (
                    <span class="ag-progress">
                      {total > 0 && <progress max={total} value={Number(s.bytesDone)} aria-label={`Pull of ${s.imageReference}`} />} {p}
                    </span>
                  );
                },
              },
              { label: "Error", cell: (s) => (s.error ? <span class="ag-error">{s.error}</span> : "—") },
            ]}
          />
        </div>
      )}
    </section>
  );
}

function SessionsSection({
  agentId,
  workspaces,
  users,
}: {
  agentId: string;
  workspaces: Map<string, string> | undefined;
  users: Map<string, string> | undefined;
}) {
  const data = useAsync<Session[]>(() => collect(client.sessions.list({ agentId })), [agentId]);
  useAutoRefresh(data.reload);
  const d = data.data;
  return (
    <section aria-labelledby="ag-sessions">
      <h2 id="ag-sessions">Sessions</h2>
      <ErrorNote error={data.error} onRetry={data.reload} />
      {!d ? (
        !data.error && <Loading what="Loading sessions" />
      ) : (
        <div class="ag-table">
          <Table
            caption="Sessions on this agent"
            rows={d}
            rowKey={(s) => s.id}
            empty="No sessions run on this agent."
            columns={[
              { label: "Session", cell: (s) => <a href={`/sessions/${encodeURIComponent(s.id)}`}>{workspaces?.get(s.workspaceId) ?? shortId(s.id)}</a> },
              { label: "User", cell: (s) => users?.get(s.userId) ?? <code title={s.userId}>{shortId(s.userId)}</code> },
              { label: "State", cell: (s) => <Badge tone={stateTone(s.state)}>{stateLabel(s.state)}</Badge> },
              { label: "Started", cell: (s) => <When ts={s.startTime ?? s.createTime} /> },
            ]}
          />
        </div>
      )}
    </section>
  );
}

function DeleteSection({ agent }: { agent: Agent }) {
  const [force, setForce] = useState(false);
  const [refused, setRefused] = useState(false);
  const showForce = refused || agent.sessionCount > 0;
  const del = async () => {
    try {
      await client.agents.delete(agent.id, { force: showForce && force });
    } catch (e) {
      if (e instanceof HotdeskError && e.code === Code.FAILED_PRECONDITION) setRefused(true);
      throw e;
    }
  };
  return (
    <section class="card ag-danger" aria-labelledby="ag-delete">
      <h2 id="ag-delete">Delete agent</h2>
      <p>
        Deletes the agent's record and revokes its certificate: the host must enroll again with a new token to come back. To stop new sessions
        while keeping it, disable it instead.
      </p>
      {showForce && (
        <div class="field check">
          <input type="checkbox" id="ag-force" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} />
          <label for="ag-force">Force (sessions are marked lost)</label>
          <div class="hint">
            {agent.sessionCount > 0
              ? `${agent.sessionCount} session${agent.sessionCount === 1 ? " runs" : "s run"} on this agent; without this the server refuses.`
              : "The server refused while sessions run on the agent."}
          </div>
        </div>
      )}
      <ConfirmButton label="Delete agent" action={del} onDone={() => navigate("/admin/agents")} />
    </section>
  );
}
