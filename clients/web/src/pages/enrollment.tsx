// Enrolling an agent ("/admin/agents/enroll", administrators): mint a one-time, expiring token
// for a new agent or proxy, shown once together with the command that uses it.
import { useEffect, useRef, useState } from "preact/hooks";
import { CreateEnrollmentTokenRequestSchema, EnrollmentRole, collect } from "@hotdesk/client";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Zone } from "@hotdesk/client";
import { client } from "../api";
import { ErrorNote, Page, When, dateOf, focusTitle, useAsync } from "../ui/common";
import { FormError, SelectField, Submit, TextField, useForm } from "../ui/form";
import { SecretBox } from "../ui/secret";
import { check } from "../validate";
import type { PageProps } from "./types";
import "./admin.css";

const MAX_HOURS = 604800 / 3600; // the proto's 7 days

type Values = { zone_id: string; role: string; ttl_hours: string };
const INITIAL: Values = { zone_id: "", role: String(EnrollmentRole.AGENT), ttl_hours: "1" };

interface Minted {
  token: string;
  expireTime: Timestamp | undefined;
  role: EnrollmentRole;
  zone: string;
  /** Where agents dial, as the server knows it. */
  agentAddress: string;
}

function roleName(r: EnrollmentRole): string {
  switch (r) {
    case EnrollmentRole.CONNECTION_PROXY:
      return "connection proxy";
    case EnrollmentRole.DEDICATED_PROXY:
      return "dedicated proxy";
    default:
      return "agent";
  }
}

export function EnrollmentPage(_: PageProps) {
  const zones = useAsync<Zone[]>(() => collect(client.zones.list()), []);
  const form = useForm<Values>("enrollment", INITIAL);
  const [minted, setMinted] = useState<Minted | undefined>(undefined);
  const v = form.values;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const text = v.ttl_hours.trim();
    const hours = Number(text);
    const ttlSeconds = Math.round(hours * 3600);
    const req = { zoneId: v.zone_id, role: Number(v.role) as EnrollmentRole, ttlSeconds };
    await form.submit(
      () => {
        if (!text || !Number.isFinite(hours)) return { ttl_hours: `Enter how many hours the token stays valid, up to ${MAX_HOURS}.` };
        if (ttlSeconds < 60) return { ttl_hours: "Enter at least 1 minute (0.02 hours)." };
        const errs = check(CreateEnrollmentTokenRequestSchema, req);
        // The proto counts seconds; the form asks for hours.
        if (errs.ttl_seconds) {
          errs.ttl_hours = `Enter at most ${MAX_HOURS} hours (7 days): ${ttlSeconds} seconds ${errs.ttl_seconds}.`;
          delete errs.ttl_seconds;
        }
        return errs;
      },
      async () => {
        const resp = await client.agents.createEnrollmentToken(req);
        const zone = zones.data?.find((z) => z.id === req.zoneId)?.name ?? "";
        setMinted({ token: resp.token, expireTime: resp.expireTime, role: req.role, zone, agentAddress: resp.agentAddress });
      },
    );
  };

  const zoneOptions: [string, string][] = [["", "None"], ...(zones.data ?? []).map((z): [string, string] => [z.id, z.name])];

  return (
    <Page title="Enroll an agent">
      <p class="ag-back">
        <a href="/admin/agents">← All agents</a>
      </p>
      <p class="ag-lead">
        A new agent (or proxy) joins with a one-time token: it is valid for one enrollment until it expires, and shown only once.
      </p>
      {minted && (
        <NewToken
          minted={minted}
          onDone={() => {
            setMinted(undefined);
            // The Done button goes away with the token: the focus goes to the heading.
            setTimeout(focusTitle, 0);
          }}
        />
      )}
      <form class="card ag-form" onSubmit={onSubmit} noValidate aria-labelledby="enroll-form-title">
        <h2 id="enroll-form-title">New enrollment token</h2>
        <div class="grid-3">
          <SelectField form={form} name="zone_id" label="Zone" options={zoneOptions} hint="Optional: the zone the new agent serves." />
          <SelectField
            form={form}
            name="role"
            label="Role"
            options={[
              [String(EnrollmentRole.AGENT), "Agent"],
              [String(EnrollmentRole.CONNECTION_PROXY), "Connection proxy"],
              [String(EnrollmentRole.DEDICATED_PROXY), "Dedicated proxy"],
            ]}
            hint="Agent: runs session containers. Connection proxy: reaches RDP, VNC and SSH servers. Dedicated proxy: relays a zone's traffic to its agents."
          />
          <TextField
            form={form}
            name="ttl_hours"
            label="Valid for (hours)"
            type="number"
            min={0.02}
            max={MAX_HOURS}
            step="any"
            inputMode="decimal"
            hint={`From 1 minute to ${MAX_HOURS} hours (7 days).`}
          />
        </div>
        <ErrorNote error={zones.error} onRetry={zones.reload} />
        <FormError error={form.error} />
        <div class="form-actions">
          <Submit busy={form.busy}>Create enrollment token</Submit>
        </div>
      </form>
    </Page>
  );
}

function NewToken({ minted, onDone }: { minted: Minted; onDone: () => void }) {
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus();
    title.current?.scrollIntoView({ block: "start" });
  }, [minted.token]);

  const expires = dateOf(minted.expireTime);
  // The server says where its agent listener is; an older server does not (port 8443 by default).
  const host = minted.agentAddress || `${location.hostname.includes(":") ? `[${location.hostname}]` : location.hostname}:8443`;
  const agent = minted.role === EnrollmentRole.AGENT || minted.role === EnrollmentRole.UNSPECIFIED;
  return (
    <section class="card ag-token" aria-labelledby="token-title">
      <h2 id="token-title" tabIndex={-1} ref={title}>
        Enrollment token for a new {roleName(minted.role)}
        {minted.zone ? ` in zone ${minted.zone}` : ""}
      </h2>
      <p>
        <strong>Copy it now: it is not shown again.</strong> It works for one enrollment
        {expires && (
          <>
            {" "}
            and expires <When ts={minted.expireTime} /> ({expires.toLocaleString()})
          </>
        )}
        .
      </p>
      <SecretBox value={minted.token} what="token" testId="enrollment-token" />
      {agent ? (
        <>
          <p>On the new Docker host, run:</p>
          <pre class="ag-usage">
            <code>{`agentd --server ${host} --token ${minted.token}`}</code>
          </pre>
        </>
      ) : (
        <p>Start the {roleName(minted.role)} with this token and the server's agent address:</p>
      )}
      <p class="hint">
        <code>{host}</code> is the server's agent address (its <code>--agent-listen</code>); use the address the new host reaches it at if it
        differs (behind NAT or a load balancer). The agent keeps its identity in its state directory, so later starts need no token.
      </p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}
