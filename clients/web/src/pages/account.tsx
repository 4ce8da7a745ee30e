// The signed-in user's own account ("/account", everyone; the user's name in the header links
// here): who they are, and changing their password. A change keeps this sign-in and signs out
// every other one (AuthService.ChangePassword).
import { useState } from "preact/hooks";
import { ChangePasswordRequestSchema, collect } from "@hotdesk/client";
import type { Group, User } from "@hotdesk/client";
import { client, isAdmin } from "../api";
import { ErrorNote, Page, Status, When, useAsync } from "../ui/common";
import { FormError, Submit, TextField, useForm } from "../ui/form";
import { check } from "../validate";
import type { PageProps } from "./types";
import { roleName } from "./users";
import "./account.css";

export function AccountPage({ me }: PageProps) {
  // Read afresh: the header's copy was taken at sign-in and may predate a rename or new groups.
  const fresh = useAsync<User>(() => client.auth.me(), []);
  const user = fresh.data ?? me;
  return (
    <Page title="Your account">
      <div class="account">
        <section class="card" aria-labelledby="account-who">
          <h2 id="account-who">Who you are</h2>
          <ErrorNote error={fresh.error} onRetry={fresh.reload} />
          <dl class="props">
            <dt>User name</dt>
            <dd>{user.username}</dd>
            <dt>Display name</dt>
            <dd>{user.displayName || <span class="muted">—</span>}</dd>
            <dt>Role</dt>
            <dd>{roleName(user.role)}</dd>
            <dt>Groups</dt>
            <dd>
              <Groups user={user} admin={isAdmin(me)} />
            </dd>
            <dt>Member since</dt>
            <dd>
              <When ts={user.createTime} />
            </dd>
          </dl>
          <p class="hint account-note">Your groups decide which workspaces you can launch. An administrator changes your name, role and groups.</p>
        </section>
        <ChangePassword />
      </div>
    </Page>
  );
}

/** The user's groups: by name for administrators (who may list groups), else how many. */
function Groups({ user, admin }: { user: User; admin: boolean }) {
  const groups = useAsync<Group[] | undefined>(() => (admin ? collect(client.groups.list()) : Promise.resolve(undefined)), [admin]);
  const ids = new Set(user.groupIds.map((id) => id.toLowerCase()));
  if (!ids.size) return <span class="muted">None</span>;
  const mine = groups.data?.filter((g) => ids.has(g.id.toLowerCase()));
  if (!admin || !mine || groups.error) return <>{ids.size === 1 ? "1 group" : `${ids.size} groups`}</>;
  return (
    <ul class="account-groups">
      {mine.map((g) => (
        <li key={g.id}>
          <a href={`/admin/groups/${g.id}`}>{g.name}</a>
        </li>
      ))}
    </ul>
  );
}

type PasswordValues = { current_password: string; new_password: string; repeat_password: string };

const empty: PasswordValues = { current_password: "", new_password: "", repeat_password: "" };

function ChangePassword() {
  // Every field's name holds "password", so none of them is ever kept in a draft.
  const form = useForm<PasswordValues>("change-password", empty);
  const [status, setStatus] = useState("");
  const v = form.values;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setStatus("");
    await form.submit(
      () => {
        const errs = check(ChangePasswordRequestSchema, { currentPassword: v.current_password, newPassword: v.new_password });
        if (!v.current_password) errs.current_password = "Enter your current password.";
        if (!v.new_password) errs.new_password = "Enter a new password of at least 8 characters.";
        else if (!errs.new_password && v.new_password === v.current_password) errs.new_password = "Choose a password other than the current one.";
        if (!v.repeat_password) errs.repeat_password = "Repeat the new password.";
        else if (v.repeat_password !== v.new_password) errs.repeat_password = "The two new passwords differ.";
        return errs;
      },
      async () => {
        await client.auth.changePassword(v.current_password, v.new_password);
        form.reset(empty);
        setStatus("Password changed. Other sign-ins were signed out.");
      },
    );
  };

  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="account-password">
      <h2 id="account-password">Change password</h2>
      <p class="hint account-note">Changing it signs you out everywhere else; this sign-in and your API keys keep working.</p>
      <TextField form={form} name="current_password" label="Current password" type="password" autoComplete="current-password" />
      <TextField
        form={form}
        name="new_password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters."
      />
      <TextField form={form} name="repeat_password" label="Repeat new password" type="password" autoComplete="new-password" />
      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>Change password</Submit>
        <Status>{status}</Status>
      </div>
    </form>
  );
}
