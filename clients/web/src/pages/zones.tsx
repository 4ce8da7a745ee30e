// Zones ("/admin/zones", "/admin/zones/new", "/admin/zones/:id"; administrators): the list of
// deployment zones, and a page to create, edit or delete one. A zone groups agents, proxies and
// servers that sit close together; sessions are placed on agents of one zone.
import { CreateZoneRequestSchema, ProxyMode, UpdateZoneRequestSchema, collect } from "@hotdesk/client";
import type { Zone } from "@hotdesk/client";
import { useState } from "preact/hooks";
import { client } from "../api";
import { navigate } from "../router";
import { ConfirmButton, ErrorNote, Loading, Page, Status, Table, When, useAsync } from "../ui/common";
import { FormError, SelectField, Submit, TextField, useForm } from "../ui/form";
import { check } from "../validate";
import type { FieldErrors } from "../validate";
import type { PageProps } from "./types";
import "./admin.css";

export function proxyModeName(m: ProxyMode): string {
  return m === ProxyMode.DIRECT_TO_AGENT ? "Direct to agent" : "Standard";
}

export function ZonesPage({ params, query }: PageProps) {
  if (params.id === undefined) return <ZoneList />;
  if (params.id === "new") return <ZoneEdit key="new" />;
  return <ZoneEdit key={params.id} id={params.id} created={query.get("created") === "1"} />;
}

function ZoneList() {
  const zones = useAsync<Zone[]>(() => collect(client.zones.list()), []);
  return (
    <Page
      title="Zones"
      actions={
        <>
          <button type="button" onClick={zones.reload} disabled={zones.loading} aria-busy={zones.loading}>
            Refresh
          </button>
          <a class="button primary" href="/admin/zones/new">
            New zone
          </a>
        </>
      }
    >
      <p class="ag-lead">
        A zone groups agents, connection proxies and servers that sit close together. Sessions of a workspace are placed on agents of its zones.
      </p>
      <ErrorNote error={zones.error} onRetry={zones.reload} />
      {!zones.data ? (
        !zones.error && <Loading what="Loading zones" />
      ) : (
        <div class="ag-table">
          <Table
            caption="Zones"
            rows={zones.data}
            rowKey={(z) => z.id}
            empty={
              <>
                No zones yet. <a href="/admin/zones/new">Create one</a>.
              </>
            }
            columns={[
              { label: "Name", cell: (z) => <a href={`/admin/zones/${z.id}`}>{z.name}</a> },
              { label: "Description", cell: (z) => z.description || <span class="ag-muted">—</span> },
              { label: "Proxy mode", cell: (z) => proxyModeName(z.proxyMode) },
              { label: "Created", cell: (z) => <When ts={z.createTime} /> },
            ]}
          />
        </div>
      )}
    </Page>
  );
}

type Values = { name: string; description: string; proxy_mode: string };

function valuesOf(z: Zone | undefined): Values {
  return {
    name: z?.name ?? "",
    description: z?.description ?? "",
    proxy_mode: String(z && z.proxyMode !== ProxyMode.UNSPECIFIED ? z.proxyMode : ProxyMode.STANDARD),
  };
}

function ZoneEdit({ id, created }: { id?: string; created?: boolean }) {
  const zone = useAsync<Zone | undefined>(() => (id ? client.zones.get(id) : Promise.resolve(undefined)), [id]);
  if (id && (!zone.data || zone.data.id !== id)) {
    return (
      <Page title="Zone">
        <p class="ag-back">
          <a href="/admin/zones">← All zones</a>
        </p>
        <ErrorNote error={zone.error} onRetry={zone.reload} />
        {!zone.error && <Loading what="Loading the zone" />}
      </Page>
    );
  }
  return <ZoneForm zone={zone.data} created={!!created} onSaved={zone.setData} />;
}

function ZoneForm({ zone, created, onSaved }: { zone: Zone | undefined; created: boolean; onSaved: (z: Zone) => void }) {
  const isNew = !zone;
  const form = useForm<Values>(isNew ? "zone-new" : "zone-edit", valuesOf(zone));
  const [status, setStatus] = useState(created ? "Created." : "");
  const v = form.values;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setStatus("");
    const init = { name: v.name.trim(), description: v.description, proxyMode: Number(v.proxy_mode) as ProxyMode };
    await form.submit(
      () => {
        const errs: FieldErrors = isNew
          ? check(CreateZoneRequestSchema, { zone: init }, "zone.")
          : check(UpdateZoneRequestSchema, { zone: { id: zone.id, ...init } }, "zone.");
        if (!init.name) errs.name = "Enter a name for the zone.";
        else if (errs.name?.includes("pattern")) errs.name = `Use only letters, digits, “.”, “_” and “-”, starting with a letter or digit: the name ${errs.name}.`;
        return errs;
      },
      async () => {
        if (isNew) {
          const z = await client.zones.create(init);
          form.reset(valuesOf(undefined));
          navigate(`/admin/zones/${z.id}?created=1`, { replace: true });
          return;
        }
        const z = await client.zones.update({ id: zone.id, ...init }, ["name", "description", "proxy_mode"]);
        onSaved(z);
        form.reset(valuesOf(z));
        setStatus("Saved.");
      },
      "zone.",
    );
  };

  return (
    <Page title={isNew ? "New zone" : zone.name}>
      <p class="ag-back">
        <a href="/admin/zones">← All zones</a>
      </p>
      <form class="card ag-form" onSubmit={onSubmit} noValidate aria-label={isNew ? "New zone" : `Zone ${zone.name}`}>
        <TextField
          form={form}
          name="name"
          label="Name"
          maxLength={63}
          autoComplete="off"
          spellcheck={false}
          hint="Letters, digits, “.”, “_” and “-”, starting with a letter or digit; up to 63 characters."
        />
        <TextField form={form} name="description" label="Description" multiline hint="Shown to administrators; optional." />
        <SelectField
          form={form}
          name="proxy_mode"
          label="Proxy mode"
          options={[
            [String(ProxyMode.STANDARD), "Standard"],
            [String(ProxyMode.DIRECT_TO_AGENT), "Direct to agent"],
          ]}
          hint={
            <>
              How browsers reach container sessions in this zone. <strong>Standard:</strong> through the server's built-in proxy, which relays
              to the agent. <strong>Direct to agent:</strong> straight to the agent's own session proxy, which browsers must then be able to
              reach.
            </>
          }
        />
        {!isNew && (
          <dl class="props ag-zone-props">
            <dt>Id</dt>
            <dd>
              <code>{zone.id}</code>
            </dd>
            <dt>Created</dt>
            <dd>
              <When ts={zone.createTime} />
            </dd>
            <dt>Changed</dt>
            <dd>
              <When ts={zone.updateTime} />
            </dd>
          </dl>
        )}
        <FormError error={form.error} />
        <div class="form-actions">
          <Submit busy={form.busy}>{isNew ? "Create zone" : "Save changes"}</Submit>
          <Status>{status}</Status>
        </div>
      </form>
      {!isNew && (
        <section class="card ag-danger" aria-labelledby="zone-delete">
          <h2 id="zone-delete">Delete zone</h2>
          <p>The server refuses while agents, servers or workspaces use the zone.</p>
          <ConfirmButton label="Delete zone" action={() => client.zones.delete(zone.id)} onDone={() => navigate("/admin/zones")} />
        </section>
      )}
    </Page>
  );
}
