// The catalog: the workspaces the user's groups allow, each with a Launch button. A launch
// that finds no agent holding the image yet waits on the tile while the agents pull it
// (retrying under the same request id, so it never launches twice), then opens the session.
import { useEffect, useRef, useState } from "preact/hooks";
import { Code, WorkspaceKind, collect, isCode, requestId } from "@hotdesk/client";
import type { Session, Workspace } from "@hotdesk/client";
import { client, messageOf } from "../api";
import { navigate } from "../router";
import { Badge, ErrorNote, Loading, Page, duration, safeUrl, useAsync, useNow } from "../ui/common";
import { isEnded, stateLabel, stateTone, useSessionWatches } from "./session-state";
import type { PageProps } from "./types";
import "./user.css";

const RETRY_MS = 3000;
const PULL_LIMIT_MS = 10 * 60_000;

/** Resolves after ms, or false at once when signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

export function WorkspacesPage({ me }: PageProps) {
  const catalog = useAsync(async () => {
    const [workspaces, sessions] = await Promise.all([
      collect(client.workspaces.list()),
      // The user's own live sessions (administrators would otherwise get everyone's).
      collect(client.sessions.list({ userId: me.id })).catch(() => [] as Session[]),
    ]);
    return { workspaces: workspaces.filter((w) => w.enabled), sessions };
  }, [me.id]);

  // The user's live sessions, kept current by watches (a tile's badge and "Open session" link).
  const [mine, setMine] = useState<Session[]>([]);
  useEffect(() => {
    if (catalog.data) setMine(catalog.data.sessions.filter((s) => !isEnded(s.state)));
  }, [catalog.data]);
  useSessionWatches(
    mine.map((s) => s.id),
    (s) => setMine((cur) => (isEnded(s.state) ? cur.filter((r) => r.id !== s.id) : cur.map((r) => (r.id === s.id ? s : r)))),
  );

  let body;
  if (catalog.error && !catalog.data) body = <ErrorNote error={catalog.error} onRetry={catalog.reload} />;
  else if (!catalog.data) body = <Loading what="Loading workspaces" />;
  else if (!catalog.data.workspaces.length) {
    body = (
      <p class="empty">
        No workspaces are available to you yet. Ask an administrator to add you to a group that may use one.
      </p>
    );
  } else {
    const live = mine;
    body = (
      <ul class="tiles catalog">
        {catalog.data.workspaces.map((w) => (
          <WorkspaceTile key={w.id} workspace={w} sessions={live.filter((s) => s.workspaceId === w.id)} />
        ))}
      </ul>
    );
  }
  return (
    <Page title="Workspaces" actions={<a href="/sessions">My sessions</a>}>
      {body}
    </Page>
  );
}

type Phase = "idle" | "launching" | "pulling";

function WorkspaceTile({ workspace: w, sessions }: { workspace: Workspace; sessions: Session[] }) {
  const [phase, setPhase] = useState<Phase>("idle");
  const [error, setError] = useState<unknown>(undefined);
  const [since, setSince] = useState(0);
  const ctl = useRef<AbortController | null>(null);
  const launchButton = useRef<HTMLButtonElement>(null);
  const headingId = `ws-${w.id}`;

  // Leaving the page stops a launch that is still waiting.
  useEffect(() => () => ctl.current?.abort(), []);

  const launch = async () => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    const reqId = requestId();
    const start = Date.now();
    let pulled = false;
    setError(undefined);
    setPhase("launching");
    for (;;) {
      try {
        const s = await client.sessions.launch(w.id, { requestId: reqId, signal: c.signal });
        if (c.signal.aborted) return;
        navigate(`/sessions/${encodeURIComponent(s.id)}${pulled ? "?pulled=1" : ""}`);
        return;
      } catch (e) {
        if (c.signal.aborted) return;
        if (isCode(e, Code.FAILED_PRECONDITION) && e.reason === "IMAGE_NOT_PRESENT") {
          if (!pulled) {
            pulled = true;
            setSince(Date.now());
            setPhase("pulling");
          }
          if (Date.now() - start >= PULL_LIMIT_MS) {
            setError(
              new Error(`The image is still not on any agent after ${duration(PULL_LIMIT_MS)}; try again later or ask an administrator.`),
            );
            setPhase("idle");
            return;
          }
          if (!(await pause(RETRY_MS, c.signal))) return;
          continue;
        }
        setError(e);
        setPhase("idle");
        return;
      }
    }
  };

  const cancel = () => {
    ctl.current?.abort();
    ctl.current = null;
    setPhase("idle");
    // The Cancel button goes away under the focus: hand it to Launch.
    setTimeout(() => launchButton.current?.focus(), 0);
  };

  const busy = phase !== "idle";
  const newest = sessions[0];
  const link = w.kind === WorkspaceKind.LINK ? safeUrl(w.linkUrl) : undefined;
  return (
    <li class="tile" aria-labelledby={headingId}>
      <Thumbnail workspace={w} />
      <h2 id={headingId}>{w.name}</h2>
      {w.description && <p class="tile-desc">{w.description}</p>}
      {newest && (
        <p class="tile-session">
          <Badge tone={stateTone(newest.state)}>{stateLabel(newest.state)}</Badge>{" "}
          <a href={`/sessions/${encodeURIComponent(newest.id)}`} aria-describedby={headingId}>
            Open session
          </a>
          {sessions.length > 1 && (
            <>
              {" "}
              · <a href="/sessions">{sessions.length} sessions</a>
            </>
          )}
        </p>
      )}
      {phase === "pulling" && <Pulling since={since} />}
      {/* Always in the page, so that the wait is announced when it starts. */}
      <span class="visually-hidden" role="status">
        {phase === "pulling" ? `Pulling the image of ${w.name} onto an agent…` : ""}
      </span>
      <div class="actions">
        {w.kind === WorkspaceKind.LINK ? (
          link ? (
            // A link workspace is a bookmark: it opens its URL (http or https only).
            <a class="button primary" href={link} target="_blank" rel="noopener noreferrer" aria-label={`Open ${w.name}`}>
              Open
            </a>
          ) : (
            <span class="muted">This link is not a web address; ask an administrator to fix it.</span>
          )
        ) : (
          <button
            ref={launchButton}
            type="button"
            class="primary"
            aria-label={`Launch ${w.name}`}
            disabled={busy}
            aria-busy={busy}
            onClick={() => void launch()}
          >
            {busy ? "Launching…" : "Launch"}
          </button>
        )}
        {phase === "pulling" && (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        )}
      </div>
      {error ? (
        <p class="field-error tile-error" role="alert">
          {messageOf(error)}
        </p>
      ) : null}
    </li>
  );
}

function Pulling({ since }: { since: number }) {
  const now = useNow(1000);
  return (
    <div class="pulling">
      <progress aria-label="Pulling the image" />
      <span>
        <span>Pulling the image onto an agent…</span>{" "}
        <span class="muted" aria-hidden="true">
          ({duration(now - since)})
        </span>
      </span>
    </div>
  );
}

function Thumbnail({ workspace: w }: { workspace: Workspace }) {
  const [broken, setBroken] = useState(false);
  useEffect(() => setBroken(false), [w.thumbnailUrl]);
  const src = safeUrl(w.thumbnailUrl, { image: true });
  if (src && !broken) {
    return <img src={src} alt="" loading="lazy" onError={() => setBroken(true)} />;
  }
  return (
    <div class="thumb-placeholder" aria-hidden="true">
      {(w.name.trim()[0] ?? "?").toUpperCase()}
    </div>
  );
}
