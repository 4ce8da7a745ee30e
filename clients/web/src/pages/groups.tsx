// Groups (administrators): who is in each group and which workspaces its members may launch.
// "/admin/groups" lists them; "/admin/groups/new" creates one; "/admin/groups/<id>" edits one.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { CreateGroupRequestSchema, UpdateGroupRequestSchema, collect } from "@hotdesk/client";
import type { Group, User, Workspace } from "@hotdesk/client";
import { client } from "../api";
import { navigate } from "../router";
import { ConfirmButton, ErrorNote, Loading, Page, Status, Table, When, useAsync } from "../ui/common";
import { FormError, Submit, TextField, sameSet, useForm } from "../ui/form";
import { check } from "../validate";
import type { FieldErrors } from "../validate";
import type { PageProps } from "./types";
import "./people.css";

/** One choice of a CheckList: its value, its label (the accessible name) and a note beside it. */
export interface Choice {
  id: string;
  label: string;
  note?: ComponentChildren;
}

/**
 * A set of checkboxes over a string[] value, in a fieldset whose legend names it. With filter,
 * a text box narrows the boxes shown (what is checked but hidden stays checked).
 */
export function CheckList({ legend, name, choices, value, onChange, error, filter, empty }: {
  legend: string;
  name: string;
  choices: Choice[];
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
  filter?: string;
  empty?: ComponentChildren;
}) {
  const [q, setQ] = useState("");
  const chosen = new Set(value);
  const needle = q.trim().toLowerCase();
  const shown = needle
    ? choices.filter((c) => c.label.toLowerCase().includes(needle) || (typeof c.note === "string" && c.note.toLowerCase().includes(needle)))
    : choices;
  const toggle = (id: string, on: boolean) => {
    const next = value.filter((v) => v !== id);
    if (on) next.push(id);
    onChange(next);
  };
  const errId = `${name}-err`;
  return (
    <fieldset class={"checklist-set" + (error ? " invalid" : "")} aria-describedby={error ? errId : undefined}>
      <legend>{legend}</legend>
      {choices.length > 0 && (
        <p class="count">
          {value.filter((v) => choices.some((c) => c.id === v)).length} of {choices.length} selected
        </p>
      )}
      {filter && choices.length > 0 && (
        <div class="field checklist-filter">
          <label for={`${name}-filter`}>{filter}</label>
          <input id={`${name}-filter`} type="search" value={q} autoComplete="off" onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
      )}
      {!choices.length ? (
        <p class="empty">{empty ?? "Nothing to choose from."}</p>
      ) : !shown.length ? (
        <p class="empty">Nothing matches “{q}”.</p>
      ) : (
        <ul class="checklist">
          {shown.map((c) => {
            const id = `${name}-${c.id}`;
            return (
              <li key={c.id}>
                <input
                  type="checkbox"
                  id={id}
                  name={name}
                  value={c.id}
                  checked={chosen.has(c.id)}
                  aria-describedby={c.note ? `${id}-note` : undefined}
                  onChange={(e) => toggle(c.id, e.currentTarget.checked)}
                />
                <label for={id}>{c.label}</label>
                {c.note ? (
                  <span class="note" id={`${id}-note`}>
                    {c.note}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <div class="field-error" id={errId} role="alert">
          {error}
        </div>
      )}
    </fieldset>
  );
}

/** The first error whose path is name or one of its items ("member_ids[2]"). */
export function listError(errors: FieldErrors, name: string): string {
  for (const [k, v] of Object.entries(errors)) if (v && (k === name || k.startsWith(name + "["))) return v;
  return "";
}

export function GroupsPage({ params }: PageProps) {
  if (params.id === undefined) return <GroupList />;
  return <GroupEdit key={params.id} id={params.id} />;
}

function GroupList() {
  const groups = useAsync(() => collect(client.groups.list()), []);
  return (
    <Page
      title="Groups"
      actions={
        <a class="button primary" href="/admin/groups/new">
          New group
        </a>
      }
    >
      <p class="lead">A user may launch a workspace when any of their groups allows it.</p>
      <ErrorNote error={groups.error} onRetry={groups.reload} />
      {!groups.data ? (
        !groups.error && <Loading what="Loading groups" />
      ) : (
        <Table
          caption="Groups"
          rows={groups.data}
          rowKey={(g) => g.id}
          empty={
            <>
              No groups yet. <a href="/admin/groups/new">Create one</a> to let users launch workspaces.
            </>
          }
          columns={[
            { label: "Name", cell: (g) => <a href={`/admin/groups/${g.id}`}>{g.name}</a> },
            { label: "Description", cell: (g) => g.description || <span class="muted">—</span> },
            { label: "Members", class: "num", cell: (g) => g.memberIds.length },
            { label: "Workspaces", class: "num", cell: (g) => g.workspaceIds.length },
            { label: "Created", cell: (g) => <When ts={g.createTime} /> },
          ]}
        />
      )}
    </Page>
  );
}

interface Loaded {
  group?: Group;
  users: User[];
  workspaces: Workspace[];
}

function GroupEdit({ id }: { id: string }) {
  const isNew = id === "new";
  const loaded = useAsync<Loaded>(async () => {
    const [group, users, workspaces] = await Promise.all([
      isNew ? Promise.resolve(undefined) : client.groups.get(id),
      collect(client.users.list()),
      collect(client.workspaces.list()),
    ]);
    return { group, users, workspaces };
  }, [id]);
  const title = isNew ? "New group" : (loaded.data?.group?.name ?? "Group");
  return (
    <Page title={title}>
      <p>
        <a href="/admin/groups">← All groups</a>
      </p>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data ? <GroupForm data={loaded.data} /> : !loaded.error && <Loading />}
    </Page>
  );
}

type GroupValues = {
  name: string;
  description: string;
  member_ids: string[];
  workspace_ids: string[];
};

function valuesOf(g: Group | undefined): GroupValues {
  return {
    name: g?.name ?? "",
    description: g?.description ?? "",
    member_ids: [...(g?.memberIds ?? [])],
    workspace_ids: [...(g?.workspaceIds ?? [])],
  };
}

let flash = "";

function GroupForm({ data }: { data: Loaded }) {
  const [orig, setOrig] = useState<Group | undefined>(data.group);
  const isNew = !orig;
  const form = useForm<GroupValues>("group", valuesOf(orig));
  const [status, setStatus] = useState(() => {
    const f = flash;
    flash = "";
    return f;
  });
  const v = form.values;

  const message = () => ({ name: v.name.trim(), description: v.description, memberIds: v.member_ids, workspaceIds: v.workspace_ids });

  // The fields that differ from the group as loaded (update_mask paths).
  const changed = (): string[] => {
    if (!orig) return [];
    const paths: string[] = [];
    if (v.name.trim() !== orig.name) paths.push("name");
    if (v.description !== orig.description) paths.push("description");
    if (!sameSet(v.member_ids, orig.memberIds)) paths.push("member_ids");
    if (!sameSet(v.workspace_ids, orig.workspaceIds)) paths.push("workspace_ids");
    return paths;
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setStatus("");
    await form.submit(
      () => {
        const errs = isNew
          ? check(CreateGroupRequestSchema, { group: message() }, "group.")
          : check(UpdateGroupRequestSchema, { group: { id: orig.id, ...message() }, updateMask: { paths: changed() } }, "group.");
        if (!v.name.trim()) errs.name = "Enter a name for the group.";
        return errs;
      },
      async () => {
        if (isNew) {
          const g = await client.groups.create(message());
          flash = "Created.";
          navigate(`/admin/groups/${g.id}`, { replace: true });
          return;
        }
        const paths = changed();
        if (!paths.length) {
          setStatus("No changes to save.");
          return;
        }
        const g = await client.groups.update({ id: orig.id, ...message() }, paths);
        setOrig(g);
        form.reset(valuesOf(g));
        setStatus("Saved.");
      },
      "group.",
    );
  };

  const users: Choice[] = data.users.map((u) => ({
    id: u.id,
    label: u.username,
    note: u.displayName && u.displayName !== u.username ? u.displayName : undefined,
  }));
  // Members the user list does not know (deleted since) stay members until unchecked.
  for (const m of v.member_ids) if (!users.some((u) => u.id === m)) users.push({ id: m, label: m, note: "unknown user" });
  const workspaces: Choice[] = data.workspaces.map((w) => ({ id: w.id, label: w.name, note: w.enabled ? undefined : "disabled" }));
  for (const w of v.workspace_ids) if (!workspaces.some((x) => x.id === w)) workspaces.push({ id: w, label: w, note: "unknown workspace" });

  return (
    <form class="people-form" onSubmit={onSubmit} noValidate>
      <div class="grid-2">
        <TextField form={form} name="name" label="Name" maxLength={128} autoComplete="off" />
        <TextField form={form} name="description" label="Description" />
      </div>
      <CheckList
        legend="Members"
        name="member_ids"
        choices={users}
        value={v.member_ids}
        onChange={(ids) => form.set("member_ids", ids)}
        error={listError(form.errors, "member_ids")}
        filter={users.length > 10 ? "Filter users" : undefined}
        empty="There are no users yet."
      />
      <CheckList
        legend="Workspaces members may launch"
        name="workspace_ids"
        choices={workspaces}
        value={v.workspace_ids}
        onChange={(ids) => form.set("workspace_ids", ids)}
        error={listError(form.errors, "workspace_ids")}
        filter={workspaces.length > 10 ? "Filter workspaces" : undefined}
        empty={
          <>
            There are no workspaces yet. <a href="/admin/workspaces/new">Create one</a>.
          </>
        }
      />
      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>{isNew ? "Create group" : "Save changes"}</Submit>
        <Status>{status}</Status>
        {orig && (
          <span class="push-right">
            <ConfirmButton label="Delete group" action={() => client.groups.delete(orig.id)} onDone={() => navigate("/admin/groups")} />
          </span>
        )}
      </div>
    </form>
  );
}
