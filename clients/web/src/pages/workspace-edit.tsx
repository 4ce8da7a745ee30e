// One workspace (administrators): every setting of it, where its image stands on each agent,
// and which groups may launch it. "/admin/workspaces/new" creates one; "/admin/workspaces/<id>"
// edits one, sending exactly the fields that changed.
import { useEffect, useRef, useState } from "preact/hooks";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  ContainerSpecSchema,
  CpuAllocationMethod,
  CreateWorkspaceRequestSchema,
  ImageState,
  UpdateWorkspaceRequestSchema,
  WorkspaceKind,
  collect,
} from "@hotdesk/client";
import type { Agent, ImageStatus, Workspace, WorkspaceSchema, Zone } from "@hotdesk/client";
import { client } from "../api";
import { navigate } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Status, Table, When, duration, enumName, humanize, safeUrl, useAsync } from "../ui/common";
import { CheckField, Field, FormError, SelectField, Submit, TextField, sameSet, useForm } from "../ui/form";
import type { Form } from "../ui/form";
import { check } from "../validate";
import type { FieldErrors } from "../validate";
import { imageStateLabel, imageStateTone, pullProgress } from "./agent-state";
import type { PageProps } from "./types";
import "./workspace.css";

// ---- shared with the list page ----

/** "Container", "Server pool", "Link". */
export function kindName(k: WorkspaceKind): string {
  return humanize(enumName(WorkspaceKind, k));
}

/** Whether an image status is still moving (worth polling). */
export function busyImage(s: ImageStatus): boolean {
  return s.state === ImageState.QUEUED || s.state === ImageState.PULLING;
}

/** A line about a workspace's image over the agents that should hold it, and its tone. */
export function imageSummary(w: Workspace, statuses: ImageStatus[]): { text: string; tone: "ok" | "warn" | "bad" | "idle" } {
  if (w.kind !== WorkspaceKind.CONTAINER) return { text: "—", tone: "idle" };
  if (!statuses.length) return { text: w.enabled ? "no agent should hold it" : "not pulled (disabled)", tone: "idle" };
  const present = statuses.filter((s) => s.state === ImageState.PRESENT).length;
  const count = (st: ImageState) => statuses.filter((s) => s.state === st).length;
  const extra: string[] = [];
  const pulling = count(ImageState.PULLING);
  const queued = count(ImageState.QUEUED);
  const failed = count(ImageState.FAILED);
  const absent = count(ImageState.ABSENT);
  if (pulling) extra.push(`${pulling} pulling`);
  if (queued) extra.push(`${queued} queued`);
  if (failed) extra.push(`${failed} failed`);
  if (absent) extra.push(`${absent} to load by hand`);
  const n = statuses.length;
  const text = `present on ${present}/${n} agents` + (extra.length ? ` · ${extra.join(", ")}` : "");
  const tone = failed ? "bad" : present === n ? "ok" : absent ? "warn" : "idle";
  return { text, tone };
}

// ---- the page ----

export function WorkspaceEditPage({ params }: PageProps) {
  return <WorkspaceEdit key={params.id} id={params.id} />;
}

interface Loaded {
  workspace?: Workspace;
  zones: Zone[];
}

function WorkspaceEdit({ id }: { id: string }) {
  const isNew = id === "new";
  const loaded = useAsync<Loaded>(async () => {
    const [workspace, zones] = await Promise.all([
      isNew ? Promise.resolve(undefined) : client.workspaces.get(id),
      collect(client.zones.list()),
    ]);
    return { workspace, zones };
  }, [id]);
  const [name, setName] = useState("");
  const title = isNew ? "New workspace" : name || loaded.data?.workspace?.name || "Workspace";
  const [saves, setSaves] = useState(0);
  return (
    <Page title={title}>
      <p>
        <a href="/admin/workspaces">← All workspaces</a>
      </p>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data ? (
        <>
          <WorkspaceForm
            data={loaded.data}
            onSaved={(w) => {
              setName(w.name);
              setSaves((n) => n + 1);
            }}
          />
          {loaded.data.workspace && (
            <>
              <WorkspaceGroups id={loaded.data.workspace.id} />
              <ImageStatuses workspace={loaded.data.workspace} refreshKey={saves} />
              <section class="ws-danger" aria-labelledby="ws-delete">
                <h2 id="ws-delete">Delete</h2>
                <p class="hint">Running sessions of this workspace are not affected; no new ones can start.</p>
                <ConfirmButton
                  label="Delete workspace"
                  action={() => client.workspaces.delete(loaded.data!.workspace!.id)}
                  onDone={() => navigate("/admin/workspaces")}
                />
              </section>
            </>
          )}
        </>
      ) : (
        !loaded.error && <Loading />
      )}
    </Page>
  );
}

// ---- the form ----

interface Mapping {
  host_path: string;
  container_path: string;
  read_only: boolean;
}

type WsValues = {
  name: string;
  description: string;
  thumbnail_url: string;
  kind: string;
  enabled: boolean;
  "container.image": string;
  "container.registry": string;
  "container.registry_username": string;
  "container.registry_password": string;
  "container.clear_registry_password": boolean;
  "container.cores": string;
  "container.memory_mb": string;
  "container.gpus": string;
  "container.cpu_allocation_method": string;
  "container.docker_network": string;
  "container.docker_run_config_override": string;
  /** JSON of Mapping[] (the rows as typed). */
  "container.volume_mappings": string;
  link_url: string;
  zone_ids: string[];
  idle_timeout_seconds: string;
  max_lifetime_seconds: string;
};

function cpuOf(m: CpuAllocationMethod | undefined): CpuAllocationMethod {
  return m ? m : CpuAllocationMethod.INHERIT;
}

function mappingsOf(w: Workspace | undefined): Mapping[] {
  return (w?.container?.volumeMappings ?? []).map((m) => ({ host_path: m.hostPath, container_path: m.containerPath, read_only: m.readOnly }));
}

function valuesOf(w: Workspace | undefined): WsValues {
  const c = w?.container;
  return {
    name: w?.name ?? "",
    description: w?.description ?? "",
    thumbnail_url: w?.thumbnailUrl ?? "",
    kind: String(w ? w.kind : WorkspaceKind.CONTAINER),
    enabled: w ? w.enabled : true,
    "container.image": c?.image ?? "",
    "container.registry": c?.registry ?? "",
    "container.registry_username": c?.registryUsername ?? "",
    "container.registry_password": "",
    "container.clear_registry_password": false,
    "container.cores": c ? String(c.cores) : "1",
    "container.memory_mb": c ? String(c.memoryMb) : "2048",
    "container.gpus": c ? String(c.gpus) : "0",
    "container.cpu_allocation_method": String(cpuOf(c?.cpuAllocationMethod)),
    "container.docker_network": c?.dockerNetwork ?? "",
    "container.docker_run_config_override": c?.dockerRunConfigOverride ?? "",
    "container.volume_mappings": JSON.stringify(mappingsOf(w)),
    link_url: w?.linkUrl ?? "",
    zone_ids: [...(w?.zoneIds ?? [])],
    idle_timeout_seconds: String(w?.idleTimeoutSeconds ?? 0),
    max_lifetime_seconds: String(w?.maxLifetimeSeconds ?? 0),
  };
}

function parseMappings(s: string): Mapping[] {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? (v as Mapping[]) : [];
  } catch {
    return [];
  }
}

const OVERRIDE_HINT = 'must be a JSON object, e.g. {"shm_size": "256m"}';

/** Whether s (non-empty) parses as one JSON object. */
function isJsonObject(s: string): boolean {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

type WorkspaceInit = MessageInitShape<typeof WorkspaceSchema>;

const INT64_MAX = 2n ** 63n - 1n;

/** The message the form stands for, and friendly errors for values that are not numbers. */
function build(v: WsValues): { msg: WorkspaceInit; errs: FieldErrors } {
  const errs: FieldErrors = {};
  const num = (key: keyof WsValues & string, what: string, whole: boolean): number => {
    const s = String(v[key]).trim();
    const n = s === "" ? 0 : Number(s);
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) {
      errs[key] = whole ? `Enter a whole number of ${what}.` : `Enter a number of ${what}, e.g. 2 or 0.5.`;
      return 0;
    }
    return n;
  };
  const kind = Number(v.kind) as WorkspaceKind;
  const msg: WorkspaceInit = {
    name: v.name.trim(),
    description: v.description,
    thumbnailUrl: v.thumbnail_url.trim(),
    kind,
    enabled: v.enabled,
    zoneIds: v.zone_ids,
    idleTimeoutSeconds: num("idle_timeout_seconds", "seconds", true),
    maxLifetimeSeconds: num("max_lifetime_seconds", "seconds", true),
  };
  if (kind === WorkspaceKind.LINK) msg.linkUrl = v.link_url.trim();
  if (kind === WorkspaceKind.CONTAINER) {
    // memory_mb is an int64: parsed as a bigint, never through a float.
    const mem = v["container.memory_mb"].trim();
    let memoryMb = 0n;
    if (/^-?\d+$/.test(mem)) memoryMb = BigInt(mem);
    else if (mem !== "") errs["container.memory_mb"] = "Enter a whole number of MiB.";
    if (memoryMb > INT64_MAX || memoryMb < -INT64_MAX - 1n) {
      errs["container.memory_mb"] = "is far too large a number of MiB";
      memoryMb = 0n;
    }
    msg.container = {
      image: v["container.image"].trim(),
      registry: v["container.registry"].trim(),
      registryUsername: v["container.registry_username"].trim(),
      registryPassword: v["container.clear_registry_password"] ? "" : v["container.registry_password"],
      cores: num("container.cores", "cores", false),
      memoryMb,
      gpus: num("container.gpus", "GPUs", true),
      cpuAllocationMethod: Number(v["container.cpu_allocation_method"]) as CpuAllocationMethod,
      dockerNetwork: v["container.docker_network"].trim(),
      dockerRunConfigOverride: v["container.docker_run_config_override"].trim(),
      volumeMappings: parseMappings(v["container.volume_mappings"]).map((m) => ({
        hostPath: m.host_path.trim(),
        containerPath: m.container_path.trim(),
        readOnly: m.read_only,
      })),
    };
  }
  return { msg, errs };
}

/** update_mask paths of the fields msg changes on orig (the workspace as loaded). */
function changedPaths(orig: Workspace, msg: WorkspaceInit, v: WsValues): string[] {
  const paths: string[] = [];
  if (msg.name !== orig.name) paths.push("name");
  if (msg.description !== orig.description) paths.push("description");
  if (msg.thumbnailUrl !== orig.thumbnailUrl) paths.push("thumbnail_url");
  if (msg.kind !== orig.kind) paths.push("kind");
  if (msg.enabled !== orig.enabled) paths.push("enabled");
  if (msg.kind === WorkspaceKind.LINK && msg.linkUrl !== orig.linkUrl) paths.push("link_url");
  if (!sameSet(msg.zoneIds ?? [], orig.zoneIds)) paths.push("zone_ids");
  if (msg.idleTimeoutSeconds !== orig.idleTimeoutSeconds) paths.push("idle_timeout_seconds");
  if (msg.maxLifetimeSeconds !== orig.maxLifetimeSeconds) paths.push("max_lifetime_seconds");
  const c = msg.container;
  if (c) {
    const o = orig.container ?? create(ContainerSpecSchema);
    const p = (name: string) => paths.push(`container.${name}`);
    if (c.image !== o.image) p("image");
    if (c.registry !== o.registry) p("registry");
    if (c.registryUsername !== o.registryUsername) p("registry_username");
    if (v["container.clear_registry_password"] ? o.hasRegistryPassword : !!v["container.registry_password"]) p("registry_password");
    if (c.cores !== o.cores) p("cores");
    if (c.memoryMb !== o.memoryMb) p("memory_mb");
    if (c.gpus !== o.gpus) p("gpus");
    if (cpuOf(c.cpuAllocationMethod) !== cpuOf(o.cpuAllocationMethod)) p("cpu_allocation_method");
    if (c.dockerNetwork !== o.dockerNetwork) p("docker_network");
    if (c.dockerRunConfigOverride !== o.dockerRunConfigOverride) p("docker_run_config_override");
    const vm = (c.volumeMappings ?? []).map((m) => [m.hostPath, m.containerPath, !!m.readOnly]);
    const om = o.volumeMappings.map((m) => [m.hostPath, m.containerPath, m.readOnly]);
    if (JSON.stringify(vm) !== JSON.stringify(om)) p("volume_mappings");
  }
  return paths;
}

/** Friendly checks where the proto allows a value the server refuses for the kind. */
function friendly(msg: WorkspaceInit, errs: FieldErrors): void {
  const put = (k: string, m: string) => {
    if (!errs[k]) errs[k] = m;
  };
  if (!msg.name) put("name", "Enter a name for the workspace.");
  if (msg.kind === WorkspaceKind.LINK && !msg.linkUrl) put("link_url", "Enter the address the link opens, e.g. https://intranet.example.com.");
  // The proto takes any URI; the server (and the catalog's tile) only http and https ones.
  else if (msg.kind === WorkspaceKind.LINK && !safeUrl(msg.linkUrl ?? "")) put("link_url", "must be an http or https URL with a host");
  // The proto's words for a path ("does not match regex pattern `^/`") say little to a person.
  for (const k of Object.keys(errs)) {
    if (/^container\.volume_mappings\[\d+\]\.(host|container)_path$/.test(k) && errs[k]) {
      errs[k] = /regex/.test(errs[k]) ? "must be an absolute path, starting with /" : /at least/.test(errs[k]) ? "Enter an absolute path, e.g. /srv/shared." : errs[k];
    }
  }
  const c = msg.container;
  if (c) {
    if (!c.image) put("container.image", 'Enter the image to run, e.g. "hotdesk/desktop:1".');
    if (c.cores !== undefined && c.cores <= 0) put("container.cores", "must be more than 0 (e.g. 2 or 0.5)");
    if (c.memoryMb !== undefined && c.memoryMb < 64n) put("container.memory_mb", "must be at least 64 MiB");
    if (c.registryUsername && !c.registry) put("container.registry", "is required when a registry user name is set");
    if (c.dockerRunConfigOverride && !isJsonObject(c.dockerRunConfigOverride)) put("container.docker_run_config_override", OVERRIDE_HINT);
  }
}

let flash = "";

function WorkspaceForm({ data, onSaved }: { data: Loaded; onSaved: (w: Workspace) => void }) {
  const [orig, setOrig] = useState<Workspace | undefined>(data.workspace);
  const isNew = !orig;
  const form = useForm<WsValues>("workspace", valuesOf(orig));
  const [status, setStatus] = useState(() => {
    const f = flash;
    flash = "";
    return f;
  });
  const v = form.values;
  const kind = Number(v.kind) as WorkspaceKind;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setStatus("");
    await form.submit(
      () => {
        const { msg, errs: numErrs } = build(v);
        const errs = isNew
          ? check(CreateWorkspaceRequestSchema, { workspace: msg }, "workspace.")
          : check(
              UpdateWorkspaceRequestSchema,
              { workspace: { ...msg, id: orig.id }, updateMask: { paths: changedPaths(orig, msg, v) } },
              "workspace.",
            );
        Object.assign(errs, numErrs);
        friendly(msg, errs);
        return errs;
      },
      () => save(),
      "workspace.",
    );
  };

  const save = async () => {
    const { msg } = build(v);
    if (isNew) {
      const w = await client.workspaces.create(msg);
      flash = "Created.";
      navigate(`/admin/workspaces/${w.id}`, { replace: true });
      return;
    }
    const paths = changedPaths(orig, msg, v);
    if (!paths.length) {
      setStatus("No changes to save.");
      return;
    }
    const w = await client.workspaces.update({ ...msg, id: orig.id }, paths);
    setOrig(w);
    form.reset(valuesOf(w));
    onSaved(w);
    setStatus("Saved.");
  };

  return (
    <form class="ws-form" onSubmit={onSubmit} noValidate aria-label={isNew ? "New workspace" : "Workspace settings"}>
      <fieldset>
        <legend>General</legend>
        <TextField form={form} name="name" label="Name" autoComplete="off" maxLength={128} />
        <TextField form={form} name="description" label="Description" multiline hint="Shown to users under the name." />
        <Thumbnail form={form} />
        <div class="grid-2">
          <KindField form={form} />
          <div class="ws-enabled">
            <CheckField form={form} name="enabled" label="Enabled" hint="Disabled workspaces cannot be launched and are not pulled by agents." />
          </div>
        </div>
        {kind === WorkspaceKind.LINK && (
          <TextField
            form={form}
            name="link_url"
            label="Link URL"
            type="url"
            inputMode="url"
            placeholder="https://intranet.example.com"
            hint="Opened in a new browser tab when a user launches the workspace."
          />
        )}
      </fieldset>

      {kind === WorkspaceKind.CONTAINER && <ContainerFields form={form} orig={orig} />}

      <fieldset>
        <legend>Placement and lifetime</legend>
        <Zones form={form} zones={data.zones} />
        <div class="grid-2">
          <TextField
            form={form}
            name="idle_timeout_seconds"
            label="Idle timeout (seconds)"
            inputMode="numeric"
            hint={secondsHint(v.idle_timeout_seconds, "Seconds without a keepalive after which a session ends")}
          />
          <TextField
            form={form}
            name="max_lifetime_seconds"
            label="Maximum lifetime (seconds)"
            inputMode="numeric"
            hint={secondsHint(v.max_lifetime_seconds, "Longest a session may live, keepalives or not")}
          />
        </div>
      </fieldset>

      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>{isNew ? "Create workspace" : "Save changes"}</Submit>
        {isNew && (
          <a class="button" href="/admin/workspaces">
            Cancel
          </a>
        )}
        <Status>{status}</Status>
      </div>
    </form>
  );
}

function secondsHint(s: string, what: string): string {
  const n = Number(s.trim());
  const base = `${what}; 0 = server default.`;
  if (!s.trim() || !Number.isInteger(n) || n <= 0) return base;
  return `${base} ${n} s is ${duration(n * 1000)}.`;
}

function KindField({ form }: { form: Form<WsValues> }) {
  const options: [WorkspaceKind, string, boolean][] = [
    [WorkspaceKind.CONTAINER, "Container", false],
    [WorkspaceKind.LINK, "Link", false],
    [WorkspaceKind.SERVER, "Server (not available yet)", true],
    [WorkspaceKind.SERVER_POOL, "Server pool (not available yet)", true],
  ];
  return (
    <Field label="Kind" error={form.errors.kind} hint="Server and server pool workspaces are not available yet.">
      {(a) => (
        <select {...a} name="kind" value={form.values.kind} onChange={(e) => form.set("kind", e.currentTarget.value)}>
          {options.map(([k, label, disabled]) => (
            <option key={k} value={String(k)} disabled={disabled && String(k) !== form.values.kind}>
              {label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function Thumbnail({ form }: { form: Form<WsValues> }) {
  const url = form.values.thumbnail_url.trim();
  const [broken, setBroken] = useState("");
  return (
    <div class="ws-thumb">
      <TextField
        form={form}
        name="thumbnail_url"
        label="Thumbnail URL"
        inputMode="url"
        placeholder="https://… or data:image/png;base64,…"
        hint="Shown on the workspace's tile; a URL or a data URI."
      />
      {url && (
        <div class="ws-thumb-preview">
          {!safeUrl(url, { image: true }) ? (
            <span class="hint">Tiles show only http(s) addresses and data:image URIs.</span>
          ) : broken === url ? (
            <span class="hint">The image does not load.</span>
          ) : (
            <img src={url} alt="Thumbnail preview" onError={() => setBroken(url)} onLoad={() => setBroken("")} />
          )}
        </div>
      )}
    </div>
  );
}

function ContainerFields({ form, orig }: { form: Form<WsValues>; orig: Workspace | undefined }) {
  const v = form.values;
  const hasPassword = !!orig?.container?.hasRegistryPassword;
  const clearing = v["container.clear_registry_password"];
  return (
    <fieldset>
      <legend>Container</legend>
      <TextField
        form={form}
        name="container.image"
        label="Image"
        autoComplete="off"
        spellcheck={false}
        placeholder="registry.example.com:5000/desktop:1.4"
        hint={
          <>
            Docker image reference. See <code>docs/custom-images.md</code> for building your own.
          </>
        }
      />
      <div class="grid-3">
        <TextField
          form={form}
          name="container.registry"
          label="Registry"
          autoComplete="off"
          spellcheck={false}
          placeholder="host[:port]"
          hint="Agents pull from it. Empty: the image is loaded on the agents by hand and never pulled."
        />
        <TextField form={form} name="container.registry_username" label="Registry user name" autoComplete="off" spellcheck={false} />
        <div>
          <TextField
            form={form}
            name="container.registry_password"
            label="Registry password"
            type="password"
            autoComplete="new-password"
            disabled={clearing}
            placeholder={hasPassword ? "unchanged" : ""}
            hint={hasPassword ? "A password is stored; type a new one to replace it." : "Or an access token. Stored encrypted, never shown."}
          />
          {hasPassword && <CheckField form={form} name="container.clear_registry_password" label="Forget the stored password" />}
        </div>
      </div>
      <div class="grid-3">
        <TextField form={form} name="container.cores" label="Cores" inputMode="decimal" hint="Per session; fractions allowed, e.g. 0.5." />
        <TextField form={form} name="container.memory_mb" label="Memory (MiB)" inputMode="numeric" hint="Per session; also the memory limit." />
        <TextField form={form} name="container.gpus" label="GPUs" inputMode="numeric" />
      </div>
      <div class="grid-2">
        <SelectField
          form={form}
          name="container.cpu_allocation_method"
          label="CPU allocation"
          options={[
            [String(CpuAllocationMethod.INHERIT), "Inherit server default"],
            [String(CpuAllocationMethod.SHARES), "Shares (relative weight)"],
            [String(CpuAllocationMethod.QUOTA), "Quota (hard ceiling)"],
          ]}
          hint="Shares throttle only under contention; a quota caps the container at its cores."
        />
        <TextField
          form={form}
          name="container.docker_network"
          label="Docker network"
          autoComplete="off"
          spellcheck={false}
          hint="Agents without this network never receive the session. Empty: the default network."
        />
      </div>
      <TextField
        form={form}
        name="container.docker_run_config_override"
        label="Docker run config override (JSON)"
        multiline
        spellcheck={false}
        placeholder='{"shm_size": "256m"}'
        hint={
          <>
            A JSON object merged into the container's configuration, e.g. <code>{'{"shm_size": "256m"}'}</code> or{" "}
            <code>{'{"storage_opt": {"size": "10g"}}'}</code>. Unknown keys are refused when saved.
          </>
        }
      />
      <VolumeMappings form={form} />
    </fieldset>
  );
}

function VolumeMappings({ form }: { form: Form<WsValues> }) {
  const key = "container.volume_mappings";
  const rows = parseMappings(form.values[key]);
  const save = (next: Mapping[], clear?: string) => {
    if (clear && form.errors[clear]) form.setErrors({ ...form.errors, [clear]: "" });
    form.set(key, JSON.stringify(next));
  };
  const edit = (i: number, patch: Partial<Mapping>, field: string) =>
    save(
      rows.map((r, j) => (j === i ? { ...r, ...patch } : r)),
      `${key}[${i}].${field}`,
    );
  const add = () => {
    save([...rows, { host_path: "", container_path: "", read_only: false }]);
    setTimeout(() => document.querySelector<HTMLInputElement>(`[data-vm-host="${rows.length}"]`)?.focus(), 0);
  };
  // The removed row's button goes away under the focus: hand it to the row that takes its
  // place, or to "Add volume mapping" when none does.
  const remove = (i: number) => {
    save(rows.filter((_, j) => j !== i));
    setTimeout(() => {
      const next = document.querySelector<HTMLElement>(`[data-vm-host="${Math.min(i, rows.length - 2)}"]`);
      (next ?? addButton.current)?.focus();
    }, 0);
  };
  const addButton = useRef<HTMLButtonElement>(null);
  const listErr = form.errors[key];
  return (
    <fieldset class={"ws-volumes" + (listErr ? " invalid" : "")} aria-describedby={listErr ? "vm-err" : undefined}>
      <legend>Volume mappings</legend>
      <p class="hint">Host directories mounted into session containers; both paths absolute.</p>
      {rows.length === 0 && <p class="empty">No volume mappings.</p>}
      <ol class="ws-volume-rows">
        {rows.map((r, i) => (
          <li key={i} class="ws-volume-row">
            <Field label={`Host path ${i + 1}`} error={form.errors[`${key}[${i}].host_path`]}>
              {(a) => (
                <input
                  type="text"
                  {...a}
                  data-vm-host={i}
                  spellcheck={false}
                  placeholder="/srv/shared"
                  value={r.host_path}
                  onInput={(e) => edit(i, { host_path: e.currentTarget.value }, "host_path")}
                />
              )}
            </Field>
            <Field label={`Container path ${i + 1}`} error={form.errors[`${key}[${i}].container_path`]}>
              {(a) => (
                <input
                  type="text"
                  {...a}
                  spellcheck={false}
                  placeholder="/home/hotdesk/shared"
                  value={r.container_path}
                  onInput={(e) => edit(i, { container_path: e.currentTarget.value }, "container_path")}
                />
              )}
            </Field>
            <div class="field check ws-ro">
              <input
                type="checkbox"
                id={`vm-ro-${i}`}
                checked={r.read_only}
                onChange={(e) => edit(i, { read_only: e.currentTarget.checked }, "read_only")}
              />
              <label for={`vm-ro-${i}`}>Read-only {i + 1}</label>
            </div>
            <button type="button" class="small" aria-label={`Remove volume mapping ${i + 1}`} onClick={() => remove(i)}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button type="button" ref={addButton} onClick={add}>
        Add volume mapping
      </button>
      {listErr && (
        <div class="field-error" id="vm-err" role="alert">
          {listErr}
        </div>
      )}
    </fieldset>
  );
}

function Zones({ form, zones }: { form: Form<WsValues>; zones: Zone[] }) {
  const chosen = new Set(form.values.zone_ids);
  const err = Object.entries(form.errors).find(([k, m]) => m && (k === "zone_ids" || k.startsWith("zone_ids[")))?.[1];
  const toggle = (id: string, on: boolean) => {
    const next = form.values.zone_ids.filter((z) => z !== id);
    if (on) next.push(id);
    form.set("zone_ids", next);
  };
  // Zones the workspace names that no longer exist stay listed (by id) so they can be removed.
  const unknown = form.values.zone_ids.filter((id) => !zones.some((z) => z.id === id));
  return (
    <fieldset class={"ws-zones" + (err ? " invalid" : "")} aria-describedby="zones-hint">
      <legend>Zones</legend>
      <p class="hint" id="zones-hint">
        Sessions may be placed in the zones checked; none checked means every zone.
      </p>
      {!zones.length && !unknown.length ? (
        <p class="empty">
          No zones are defined, so sessions may go to any agent. <a href="/admin/zones">Manage zones</a>
        </p>
      ) : (
        <ul class="ws-checks">
          {zones.map((z) => (
            <li key={z.id}>
              <input type="checkbox" id={`zone-${z.id}`} checked={chosen.has(z.id)} onChange={(e) => toggle(z.id, e.currentTarget.checked)} />
              <label for={`zone-${z.id}`}>{z.name}</label>
              {z.description && <span class="hint"> — {z.description}</span>}
            </li>
          ))}
          {unknown.map((id) => (
            <li key={id}>
              <input type="checkbox" id={`zone-${id}`} checked onChange={(e) => toggle(id, e.currentTarget.checked)} />
              <label for={`zone-${id}`}>Unknown zone {id}</label>
            </li>
          ))}
        </ul>
      )}
      {err && (
        <div class="field-error" role="alert">
          {err}
        </div>
      )}
    </fieldset>
  );
}

// ---- who may launch it ----

function WorkspaceGroups({ id }: { id: string }) {
  const groups = useAsync(() => collect(client.groups.list()), [id]);
  const allowed = (groups.data ?? []).filter((g) => g.workspaceIds.some((w) => w.toLowerCase() === id.toLowerCase()));
  return (
    <section aria-labelledby="ws-groups">
      <h2 id="ws-groups">Who may launch it</h2>
      <ErrorNote error={groups.error} onRetry={groups.reload} />
      {!groups.data ? (
        !groups.error && <Loading what="Loading groups" />
      ) : allowed.length ? (
        <p>
          Members of{" "}
          {allowed.map((g, i) => (
            <span key={g.id}>
              {i > 0 && (i === allowed.length - 1 ? " and " : ", ")}
              <a href={`/admin/groups/${g.id}`}>{g.name}</a>
            </span>
          ))}
          . Change this on a group's page.
        </p>
      ) : (
        <p>
          No group allows this workspace yet, so no user can launch it. <a href="/admin/groups">Give it to a group</a>.
        </p>
      )}
    </section>
  );
}

// ---- image status per agent ----

function shortDigest(d: string): string {
  const [algo, hex] = d.includes(":") ? d.split(":", 2) : ["", d];
  return (algo ? algo + ":" : "") + hex.slice(0, 12);
}

function ImageStatuses({ workspace, refreshKey }: { workspace: Workspace; refreshKey: number }) {
  const statuses = useAsync(() => collect(client.workspaces.imageStatuses({ workspaceId: workspace.id })), [workspace.id, refreshKey]);
  const agents = useAsync(() => collect(client.agents.list()), [workspace.id]);
  const byId = new Map<string, Agent>((agents.data ?? []).map((a) => [a.id, a]));
  const rows = statuses.data ?? [];
  const moving = rows.some(busyImage);

  // While any image is queued or pulling, look again every 5 s.
  useEffect(() => {
    if (!moving || statuses.loading) return;
    const t = setTimeout(statuses.reload, 5000);
    return () => clearTimeout(t);
  }, [moving, statuses.loading, statuses.data]);

  return (
    <section aria-labelledby="ws-images">
      <div class="ws-section-head">
        <h2 id="ws-images">Image status</h2>
        <button type="button" class="small" onClick={statuses.reload} disabled={statuses.loading} aria-busy={statuses.loading}>
          Refresh
        </button>
      </div>
      {moving && <p class="hint">Pulling: this table refreshes every 5 seconds.</p>}
      <ErrorNote error={statuses.error} onRetry={statuses.reload} />
      {!statuses.data ? (
        !statuses.error && <Loading what="Loading image status" />
      ) : (
        <div class="ws-table">
          <Table
            caption="Image status per agent"
            rows={rows}
            rowKey={(s) => s.agentId}
            empty={
              workspace.kind !== WorkspaceKind.CONTAINER
                ? "Only container workspaces have an image."
                : !workspace.enabled
                  ? "The workspace is disabled, so no agent holds its image."
                  : "No agent should hold this image: none is in the workspace's zones (or has its Docker network)."
            }
            columns={[
              {
                label: "Agent",
                cell: (s) => <a href={`/admin/agents/${s.agentId}`}>{byId.get(s.agentId)?.hostname ?? s.agentId}</a>,
              },
              { label: "Image", cell: (s) => <code>{s.imageReference}</code> },
              {
                label: "State",
                cell: (s) => (
                  <>
                    <Badge tone={imageStateTone(s.state)}>{imageStateLabel(s.state)}</Badge>
                    {s.present && s.state !== ImageState.PRESENT && <div class="hint">previous build present</div>}
                    {s.state === ImageState.ABSENT && <div class="hint">no registry: load it on the agent by hand</div>}
                  </>
                ),
              },
              { label: "Progress", cell: (s) => <Progress s={s} /> },
              {
                label: "Digest",
                cell: (s) => {
                  const d = s.digest || s.imageId;
                  if (!d) return "—";
                  return (
                    <code title={(s.digest ? "Digest " : "Image id ") + d}>
                      {shortDigest(d)}
                      {!s.digest && <span class="visually-hidden"> (image id)</span>}
                    </code>
                  );
                },
              },
              {
                label: "Last pulled",
                cell: (s) => <When ts={s.pullTime} />,
              },
              { label: "Error", cell: (s) => (s.error ? <span class="ws-error">{s.error}</span> : "—") },
            ]}
          />
        </div>
      )}
    </section>
  );
}

function Progress({ s }: { s: ImageStatus }) {
  if (s.state === ImageState.PRESENT) return <span>done</span>;
  const p = pullProgress(s);
  if (!p) return <span>—</span>;
  const total = Number(s.bytesTotal);
  return (
    <span>
      {total > 0 && <progress max={total} value={Number(s.bytesDone)} aria-label={`Pull of ${s.imageReference}`} />} {p}
    </span>
  );
}
