// Users (administrators): who signs in, their role, and the groups they belong to.
// "/admin/users" lists them; "/admin/users/new" creates one; "/admin/users/<id>" edits one.
// Memberships live on the groups (Group.member_ids): changing a user's groups updates each
// group that gains or loses them.
import { useState } from "preact/hooks";
import { CreateUserRequestSchema, Role, UpdateUserRequestSchema, collect } from "@hotdesk/client";
import type { Group, User } from "@hotdesk/client";
import { client, messageOf } from "../api";
import { navigate } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Status, Table, When, useAsync } from "../ui/common";
import { CheckField, FormError, SelectField, Submit, TextField, useForm } from "../ui/form";
import { check } from "../validate";
import { CheckList } from "./groups";
import type { PageProps } from "./types";
import "./people.css";

export function roleName(r: Role): string {
  return r === Role.ADMIN ? "Administrator" : "User";
}

export function UsersPage({ params, me }: PageProps) {
  if (params.id === undefined) return <UserList me={me} />;
  return <UserEdit key={params.id} id={params.id} me={me} />;
}

function UserList({ me }: { me: User }) {
  const data = useAsync(async () => {
    const [users, groups] = await Promise.all([collect(client.users.list()), collect(client.groups.list())]);
    return { users, groups };
  }, []);
  const groupNames = (u: User): string => {
    const names = (data.data?.groups ?? []).filter((g) => g.memberIds.includes(u.id)).map((g) => g.name);
    return names.length ? names.join(", ") : "—";
  };
  return (
    <Page
      title="Users"
      actions={
        <a class="button primary" href="/admin/users/new">
          New user
        </a>
      }
    >
      <ErrorNote error={data.error} onRetry={data.reload} />
      {!data.data ? (
        !data.error && <Loading what="Loading users" />
      ) : (
        <Table
          caption="Users"
          rows={data.data.users}
          rowKey={(u) => u.id}
          empty={
            <>
              No users. <a href="/admin/users/new">Create one</a>.
            </>
          }
          columns={[
            {
              label: "User name",
              cell: (u) => (
                <span>
                  <a href={`/admin/users/${u.id}`}>{u.username}</a>
                  {u.id === me.id && <span class="muted"> (you)</span>}
                </span>
              ),
            },
            { label: "Display name", cell: (u) => u.displayName || <span class="muted">—</span> },
            { label: "Role", cell: (u) => roleName(u.role) },
            { label: "Status", cell: (u) => <span>{u.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="ok">Active</Badge>}</span> },
            { label: "Groups", cell: groupNames },
            { label: "Created", cell: (u) => <When ts={u.createTime} /> },
          ]}
        />
      )}
    </Page>
  );
}

interface Loaded {
  user?: User;
  groups: Group[];
}

function UserEdit({ id, me }: { id: string; me: User }) {
  const isNew = id === "new";
  const loaded = useAsync<Loaded>(async () => {
    const [user, groups] = await Promise.all([isNew ? Promise.resolve(undefined) : client.users.get(id), collect(client.groups.list())]);
    return { user, groups };
  }, [id]);
  const title = isNew ? "New user" : (loaded.data?.user?.username ?? "User");
  return (
    <Page title={title}>
      <p>
        <a href="/admin/users">← All users</a>
      </p>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.data ? <UserForm data={loaded.data} me={me} /> : !loaded.error && <Loading />}
    </Page>
  );
}

type UserValues = {
  username: string;
  display_name: string;
  role: string;
  password: string;
  disabled: boolean;
  group_ids: string[];
};

function valuesOf(u: User | undefined, groups: Group[]): UserValues {
  return {
    username: u?.username ?? "",
    display_name: u?.displayName ?? "",
    role: String(u?.role === Role.ADMIN ? Role.ADMIN : Role.USER),
    password: "",
    disabled: u?.disabled ?? false,
    group_ids: u ? groups.filter((g) => g.memberIds.some((m) => m.toLowerCase() === u.id.toLowerCase())).map((g) => g.id) : [],
  };
}

/** What the page says after it navigated to the user it just created. */
let flash: { status: string; groupError: string } | undefined;

/**
 * Puts the user into the groups of want and out of the others among touched. Each group is
 * read afresh so that members added meanwhile by someone else are kept.
 */
async function applyMemberships(userId: string, want: Set<string>, touched: string[], groups: Group[]): Promise<void> {
  const uid = userId.toLowerCase();
  for (const gid of touched) {
    const name = groups.find((g) => g.id === gid)?.name ?? gid;
    try {
      const g = await client.groups.get(gid);
      const has = g.memberIds.some((m) => m.toLowerCase() === uid);
      if (has === want.has(gid)) continue;
      const members = g.memberIds.filter((m) => m.toLowerCase() !== uid);
      if (want.has(gid)) members.push(userId);
      await client.groups.update({ id: gid, memberIds: members }, ["member_ids"]);
    } catch (err) {
      throw new Error(`Group “${name}” was not changed: ${messageOf(err)}`);
    }
  }
}

function UserForm({ data, me }: { data: Loaded; me: User }) {
  const [orig, setOrig] = useState<User | undefined>(data.user);
  const [groups, setGroups] = useState<Group[]>(data.groups);
  const isNew = !orig;
  const self = orig?.id === me.id;
  const form = useForm<UserValues>("user", valuesOf(orig, groups));
  const [status, setStatus] = useState(() => flash?.status ?? "");
  const [groupError, setGroupError] = useState(() => {
    const e = flash?.groupError ?? "";
    flash = undefined;
    return e;
  });
  const v = form.values;
  const origGroups = valuesOf(orig, groups).group_ids;

  const message = () => ({
    username: v.username.trim(),
    displayName: v.display_name,
    role: Number(v.role) as Role,
    disabled: v.disabled,
    password: v.password,
  });

  // update_mask paths: the fields that differ from the user as loaded; the password only when typed.
  const changed = (): string[] => {
    if (!orig) return [];
    const paths: string[] = [];
    if (v.username.trim() !== orig.username) paths.push("username");
    if (v.display_name !== orig.displayName) paths.push("display_name");
    if (Number(v.role) !== (orig.role === Role.ADMIN ? Role.ADMIN : Role.USER)) paths.push("role");
    if (v.disabled !== orig.disabled) paths.push("disabled");
    if (v.password) paths.push("password");
    return paths;
  };
  const touchedGroups = (): string[] => {
    const want = new Set(v.group_ids);
    const had = new Set(origGroups);
    return [...new Set([...want, ...had])].filter((g) => want.has(g) !== had.has(g));
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setStatus("");
    setGroupError("");
    await form.submit(
      () => {
        const errs = isNew
          ? check(CreateUserRequestSchema, { user: message() }, "user.")
          : check(UpdateUserRequestSchema, { user: { id: orig.id, ...message() }, updateMask: { paths: changed() } }, "user.");
        if (!v.username.trim()) errs.username = "Enter a user name.";
        if (isNew && !v.password) errs.password = "Enter a password of at least 8 characters.";
        return errs;
      },
      async () => {
        if (isNew) {
          const u = await client.users.create(message());
          let groupError = "";
          try {
            await applyMemberships(u.id, new Set(v.group_ids), v.group_ids, groups);
          } catch (err) {
            groupError = messageOf(err);
          }
          flash = { status: "Created.", groupError };
          navigate(`/admin/users/${u.id}`, { replace: true });
          return;
        }
        const paths = changed();
        const touched = touchedGroups();
        if (!paths.length && !touched.length) {
          setStatus("No changes to save.");
          return;
        }
        let user = orig;
        if (paths.length) {
          user = await client.users.update({ id: orig.id, ...message() }, paths);
          setOrig(user);
        }
        let failed: unknown;
        try {
          await applyMemberships(orig.id, new Set(v.group_ids), touched, groups);
        } catch (err) {
          failed = err;
        }
        const fresh = await collect(client.groups.list()).catch(() => groups);
        setGroups(fresh);
        if (failed) {
          // The user's own fields are saved; keep what was chosen for the groups so it can be retried.
          form.reset({ ...valuesOf(user, fresh), group_ids: v.group_ids });
          setGroupError(messageOf(failed));
          throw failed;
        }
        form.reset(valuesOf(user, fresh));
        setStatus("Saved.");
      },
      "user.",
    );
  };

  return (
    <form class="people-form" onSubmit={onSubmit} noValidate>
      {self && (
        <p class="notice">
          This is your own account. The server refuses changes that would leave no administrator able to sign in.
        </p>
      )}
      <div class="grid-2">
        <TextField
          form={form}
          name="username"
          label="User name"
          autoComplete="off"
          spellcheck={false}
          autoCapitalize="none"
          maxLength={64}
          hint="Letters, digits and . _ @ -, up to 64 characters; used to sign in."
        />
        <TextField form={form} name="display_name" label="Display name" autoComplete="off" maxLength={256} />
        <SelectField
          form={form}
          name="role"
          label="Role"
          options={[
            [String(Role.USER), "User"],
            [String(Role.ADMIN), "Administrator"],
          ]}
          hint="Administrators manage everything, for every user."
        />
        <TextField
          form={form}
          name="password"
          label={isNew ? "Password" : "New password"}
          type="password"
          autoComplete="new-password"
          hint={isNew ? "At least 8 characters." : "Leave empty to keep the current one. A new password signs the user out everywhere."}
        />
      </div>
      <CheckField form={form} name="disabled" label="Disabled" hint="Disabled users cannot sign in, and their API keys are refused." />
      <CheckList
        legend="Groups"
        name="group_ids"
        choices={groups.map((g) => ({ id: g.id, label: g.name, note: g.description || undefined }))}
        value={v.group_ids}
        onChange={(ids) => {
          form.set("group_ids", ids);
          setGroupError("");
        }}
        error={groupError}
        filter={groups.length > 10 ? "Filter groups" : undefined}
        empty={
          <>
            There are no groups yet. <a href="/admin/groups/new">Create one</a> to let users launch workspaces.
          </>
        }
      />
      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>{isNew ? "Create user" : "Save changes"}</Submit>
        <Status>{status}</Status>
        {orig && (
          <span class="push-right">
            <ConfirmButton label="Delete user" action={() => client.users.delete(orig.id)} onDone={() => navigate("/admin/users")} />
          </span>
        )}
      </div>
    </form>
  );
}
