// API keys ("/api-keys", everyone): the caller's keys for automation, a form to create one
// (its secret is shown once), and revoking. Administrators may list anyone's keys.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiKeyScope, CreateApiKeyRequestSchema, collect } from "@hotdesk/client";
import type { ApiKey, User } from "@hotdesk/client";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { client, isAdmin } from "../api";
import { navigate } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Table, When, dateOf, focusTitle, shortId, useAsync } from "../ui/common";
import type { Column } from "../ui/common";
import { Field, FormError, SelectField, Submit, TextField, useForm } from "../ui/form";
import { SecretBox } from "../ui/secret";
import { check } from "../validate";
import type { PageProps } from "./types";
import "./people.css";

const EVERYONE = "-";

function scopeName(s: ApiKeyScope): string {
  return s === ApiKeyScope.READ_ONLY ? "Read only" : "Full";
}

/** The start of a local calendar day ("2026-12-01"), or undefined when not a date. */
function dayStart(day: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return isNaN(d.getTime()) ? undefined : d;
}

function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function ApiKeysPage({ query, me }: PageProps) {
  const admin = isAdmin(me);
  // Administrators choose whose keys to see (kept in the URL); everyone else sees their own.
  const owner = admin ? query.get("owner") || me.id : me.id;
  const users = useAsync<User[]>(() => (admin ? collect(client.users.list()) : Promise.resolve([me])), [admin]);
  const keys = useAsync<ApiKey[]>(
    () => collect(client.apiKeys.list({ userId: owner === me.id ? "" : owner })),
    [owner],
  );
  const [created, setCreated] = useState<{ name: string; secret: string } | undefined>(undefined);

  const userName = (id: string) => users.data?.find((u) => u.id === id)?.username ?? shortId(id);
  const setOwner = (id: string) => navigate(id === me.id ? "/api-keys" : `/api-keys?owner=${encodeURIComponent(id)}`, { replace: true });

  const columns: Column<ApiKey>[] = [
    { label: "Name", cell: (k) => k.name },
    ...(owner === EVERYONE ? [{ label: "Owner", cell: (k: ApiKey) => userName(k.userId) }] : []),
    { label: "Scope", cell: (k) => scopeName(k.scope) },
    { label: "Created", cell: (k) => <When ts={k.createTime} /> },
    { label: "Last used", cell: (k) => (dateOf(k.lastUsedTime) ? <When ts={k.lastUsedTime} /> : "Never") },
    {
      label: "Expires",
      cell: (k) => {
        const d = dateOf(k.expireTime);
        if (!d) return "Never";
        return d.getTime() <= Date.now() ? (
          <span>
            <Badge tone="bad">Expired</Badge>
          </span>
        ) : (
          <time dateTime={d.toISOString()} title={d.toLocaleString()}>
            {d.toLocaleDateString()}
          </time>
        );
      },
    },
    {
      label: "Actions",
      cell: (k) => (
        <ConfirmButton
          small
          label="Revoke"
          action={() => client.apiKeys.delete(k.id)}
          onDone={() => keys.setData((cur) => (cur ?? []).filter((x) => x.id !== k.id))}
        />
      ),
    },
  ];

  const listTitle = owner === EVERYONE ? "Keys of every user" : owner === me.id ? "Your keys" : `Keys of ${userName(owner)}`;

  return (
    <Page title="API keys">
      <p class="lead">
        An API key lets scripts and tools call the Hotdesk API as {admin && owner !== me.id ? "its owner" : "you"}, limited by its scope.
      </p>
      {created && (
        <NewSecret
          name={created.name}
          secret={created.secret}
          onDismiss={() => {
            setCreated(undefined);
            // The Done button goes away with the secret: the focus goes to the heading.
            setTimeout(focusTitle, 0);
          }}
        />
      )}
      <section aria-labelledby="keys-title">
        <div class="section-head">
          <h2 id="keys-title">{listTitle}</h2>
          {admin && (
            <div class="owner-pick">
              <Field label="Owner">
                {(a) => (
                  <select {...a} value={owner} onChange={(e) => setOwner(e.currentTarget.value)}>
                    {(users.data ?? [me]).map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.username}
                        {u.id === me.id ? " (you)" : ""}
                      </option>
                    ))}
                    {users.data && !users.data.some((u) => u.id === owner) && owner !== EVERYONE && <option value={owner}>{owner}</option>}
                    <option value={EVERYONE}>Every user</option>
                  </select>
                )}
              </Field>
            </div>
          )}
        </div>
        <ErrorNote error={users.error} onRetry={users.reload} />
        <ErrorNote error={keys.error} onRetry={keys.reload} />
        {!keys.data ? (
          !keys.error && <Loading what="Loading API keys" />
        ) : (
          <Table
            caption={listTitle}
            rows={keys.data}
            rowKey={(k) => k.id}
            columns={columns}
            empty={owner === me.id ? "You have no API keys yet. Create one below." : "No API keys."}
          />
        )}
      </section>
      <CreateKey
        forOther={owner !== me.id}
        me={me}
        onCreated={(name, secret) => {
          setCreated({ name, secret });
          if (owner === me.id || owner === EVERYONE) keys.reload();
        }}
      />
    </Page>
  );
}

type KeyValues = { name: string; scope: string; expire_time: string };

function CreateKey({ forOther, me, onCreated }: { forOther: boolean; me: User; onCreated: (name: string, secret: string) => void }) {
  const form = useForm<KeyValues>("api-key", { name: "", scope: String(ApiKeyScope.FULL), expire_time: "" });
  const v = form.values;
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const expires = v.expire_time ? dayStart(v.expire_time) : undefined;
    const key = {
      name: v.name.trim(),
      scope: Number(v.scope) as ApiKeyScope,
      ...(expires ? { expireTime: timestampFromDate(expires) } : {}),
    };
    await form.submit(
      () => {
        const errs = check(CreateApiKeyRequestSchema, { apiKey: key }, "api_key.");
        if (!key.name) errs.name = "Enter a name to recognise the key by.";
        if (v.expire_time && !expires) errs.expire_time = "Enter a date (year-month-day), or leave it empty.";
        else if (expires && expires.getTime() <= Date.now()) errs.expire_time = "Choose a date in the future.";
        return errs;
      },
      async () => {
        const resp = await client.apiKeys.create(key);
        form.reset({ name: "", scope: String(ApiKeyScope.FULL), expire_time: "" });
        onCreated(resp.apiKey?.name ?? key.name, resp.secret);
      },
      "api_key.",
    );
  };

  return (
    <form class="card people-form create-key" onSubmit={onSubmit} noValidate aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create an API key</h2>
      {forOther && <p class="hint">New keys are always yours ({me.username}), whichever owner is listed above.</p>}
      <div class="grid-3">
        <TextField form={form} name="name" label="Name" maxLength={128} autoComplete="off" hint="For example the script or host that uses it." />
        <SelectField
          form={form}
          name="scope"
          label="Scope"
          options={[
            [String(ApiKeyScope.FULL), "Full"],
            [String(ApiKeyScope.READ_ONLY), "Read only"],
          ]}
          hint="Read only: only Get, List and Watch calls."
        />
        <TextField form={form} name="expire_time" label="Expires" type="date" min={isoDay(tomorrow)} hint="Optional; the key stops working at the start of that day." />
      </div>
      <FormError error={form.error} />
      <div class="form-actions">
        <Submit busy={form.busy}>Create API key</Submit>
      </div>
    </form>
  );
}

function NewSecret({ name, secret, onDismiss }: { name: string; secret: string; onDismiss: () => void }) {
  const title = useRef<HTMLHeadingElement>(null);
  // Bring the one-time secret into view (and focus) when it appears.
  useEffect(() => {
    title.current?.focus();
    title.current?.scrollIntoView({ block: "start" });
  }, [secret]);
  const https = location.protocol === "https:";
  const host = location.port ? location.host : `${location.hostname}:${https ? 443 : 80}`;
  if (!secret) {
    return (
      <section class="card new-key" role="status">
        <p>
          The key “{name}” was created, but its secret was already handed out by an earlier attempt of the same request. Revoke it and
          create another.
        </p>
        <button type="button" onClick={onDismiss}>
          Done
        </button>
      </section>
    );
  }
  return (
    <section class="card new-key" aria-labelledby="new-key-title">
      <h2 id="new-key-title" tabIndex={-1} ref={title}>
        Your new API key “{name}”
      </h2>
      <p>
        <strong>Copy it now: it is not shown again.</strong>
      </p>
      <SecretBox value={secret} what="key" />
      <p>Send it in the Authorization header of each call, for example:</p>
      <pre class="usage">
        <code>{`curl -H "Authorization: Bearer ${secret}" \\\n  ${location.origin}/v1/workspaces`}</code>
      </pre>
      <pre class="usage">
        <code>{`grpcurl ${https ? "" : "-plaintext "}-H "Authorization: Bearer ${secret}" \\\n  ${host} hotdesk.v1.WorkspaceService/ListWorkspaces`}</code>
      </pre>
      <button type="button" onClick={onDismiss}>
        Done
      </button>
    </section>
  );
}
