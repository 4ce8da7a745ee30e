// Manage workspaces (administrators): every workspace of the catalog with its resources, zones
// and where its image stands on the agents. Names lead to the edit page.
import { WorkspaceKind, collect } from "@hotdesk/client";
import type { ImageStatus, Workspace, Zone } from "@hotdesk/client";
import { client } from "../api";
import { Badge, ErrorNote, Loading, Page, Table, useAsync } from "../ui/common";
import type { PageProps } from "./types";
import { imageSummary, kindName } from "./workspace-edit";
import "./workspace.css";

interface Loaded {
  workspaces: Workspace[];
  statuses: Map<string, ImageStatus[]>;
  zones: Map<string, Zone>;
}

export function AdminWorkspacesPage(_: PageProps) {
  const loaded = useAsync<Loaded>(async () => {
    const [workspaces, statuses, zones] = await Promise.all([
      collect(client.workspaces.list()),
      collect(client.workspaces.imageStatuses({ pageSize: 1000 })),
      collect(client.zones.list()),
    ]);
    const byWs = new Map<string, ImageStatus[]>();
    for (const s of statuses) {
      const l = byWs.get(s.workspaceId) ?? [];
      l.push(s);
      byWs.set(s.workspaceId, l);
    }
    return { workspaces, statuses: byWs, zones: new Map(zones.map((z) => [z.id, z])) };
  }, []);
  const d = loaded.data;
  return (
    <Page
      title="Manage workspaces"
      actions={
        <>
          <button type="button" onClick={loaded.reload} disabled={loaded.loading} aria-busy={loaded.loading}>
            Refresh
          </button>
          <a class="button primary" href="/admin/workspaces/new">
            New workspace
          </a>
        </>
      }
    >
      <p class="ws-lead">What users can launch. A user sees a workspace when one of their groups allows it.</p>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {!d ? (
        !loaded.error && <Loading what="Loading workspaces" />
      ) : (
        <div class="ws-table">
          <Table
            caption="Workspaces"
            rows={d.workspaces}
            rowKey={(w) => w.id}
            empty={
              <>
                No workspaces yet. <a href="/admin/workspaces/new">Create one</a>.
              </>
            }
            columns={[
              { label: "Name", cell: (w) => <a href={`/admin/workspaces/${w.id}`}>{w.name}</a> },
              { label: "Kind", cell: (w) => kindName(w.kind) },
              {
                label: "Image",
                cell: (w) =>
                  w.kind === WorkspaceKind.CONTAINER ? (
                    <code>{w.container?.image}</code>
                  ) : w.kind === WorkspaceKind.LINK ? (
                    <span class="ws-link">{w.linkUrl}</span>
                  ) : (
                    "—"
                  ),
              },
              {
                label: "Enabled",
                cell: (w) => (w.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="idle">Disabled</Badge>),
              },
              { label: "Cores", class: "num", cell: (w) => (w.container ? w.container.cores : "—") },
              { label: "Memory", class: "num", cell: (w) => (w.container ? `${w.container.memoryMb} MiB` : "—") },
              {
                label: "Zones",
                cell: (w) =>
                  w.zoneIds.length ? w.zoneIds.map((id) => d.zones.get(id)?.name ?? id).join(", ") : <span class="hint">any</span>,
              },
              {
                label: "Image status",
                cell: (w) => {
                  const s = imageSummary(w, d.statuses.get(w.id) ?? []);
                  return s.text === "—" ? "—" : <span class={`ws-img ${s.tone}`}>{s.text}</span>;
                },
              },
            ]}
          />
        </div>
      )}
    </Page>
  );
}
