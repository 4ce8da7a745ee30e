// One session, live: its progress from launch to running (WatchSession, no polling), the
// connect link, keep-alive and destroy, and the time it has left.
import { useEffect, useState } from "preact/hooks";
import { SessionState } from "@hotdesk/client";
import type { Session, Workspace } from "@hotdesk/client";
import { client, messageOf } from "../api";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, When, dateOf, duration, useKeepFocus, useNow } from "../ui/common";
import {
  clock,
  endsAt,
  isCurrentStep,
  isEnded,
  isFailure,
  stateHint,
  stateLabel,
  stateTone,
  stepClass,
  steps,
  timeLeft,
  useKeepAlive,
} from "./session-state";
import type { Step } from "./session-state";
import type { PageProps } from "./types";
import "./user.css";

export function SessionPage({ params, query }: PageProps) {
  const id = params.id;
  const pulled = query.get("pulled") === "1";
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [workspace, setWorkspace] = useState<Workspace | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [noWorkspace, setNoWorkspace] = useState(false);
  const [watchError, setWatchError] = useState<unknown>(undefined);
  const [attempt, setAttempt] = useState(0);

  // The session and its workspace (whose name is the page's title; the id if it cannot be read).
  useEffect(() => {
    let gone = false;
    setSession(undefined);
    setWorkspace(undefined);
    setNoWorkspace(false);
    setLoadError(undefined);
    client.sessions.get(id).then(
      (s) => {
        if (gone) return;
        setSession((cur) => cur ?? s);
        client.workspaces.get(s.workspaceId).then(
          (w) => !gone && setWorkspace(w),
          () => !gone && setNoWorkspace(true),
        );
      },
      (e) => !gone && setLoadError(e),
    );
    return () => {
      gone = true;
    };
  }, [id, attempt]);

  // Every change, live, until the session ends or the page is left.
  useEffect(() => {
    const ctl = new AbortController();
    setWatchError(undefined);
    void (async () => {
      try {
        for await (const s of client.sessions.watch(id, { signal: ctl.signal })) {
          if (ctl.signal.aborted) return;
          setSession(s);
        }
      } catch (e) {
        if (!ctl.signal.aborted) setWatchError(e);
      }
    })();
    return () => ctl.abort();
  }, [id, attempt]);

  const retry = () => setAttempt((n) => n + 1);

  // One <Page> whatever the content, so the focused heading survives the loading.
  const title = workspace?.name || (noWorkspace ? `Session ${id}` : "Session");
  return (
    <Page title={title} actions={<a href="/sessions">All my sessions</a>}>
      {loadError && !session ? (
        <>
          <ErrorNote error={loadError} onRetry={retry} />
          <p>
            <a href="/sessions">Back to my sessions</a>
          </p>
        </>
      ) : !session ? (
        <Loading what="Loading the session" />
      ) : (
        <SessionView
          session={session}
          workspace={workspace}
          pulled={pulled}
          onChange={setSession}
          watchError={watchError}
          onRetry={retry}
        />
      )}
    </Page>
  );
}

function SessionView({ session: s, workspace, pulled, onChange, watchError, onRetry }: {
  session: Session;
  workspace: Workspace | undefined;
  pulled: boolean;
  onChange: (s: Session) => void;
  watchError: unknown;
  onRetry: () => void;
}) {
  const now = useNow(1000);
  // Once the session ends its buttons go away; the focus then goes to the heading.
  const card = useKeepFocus<HTMLDivElement>();
  const keep = useKeepAlive(s, onChange);
  const running = s.state === SessionState.RUNNING;
  const ended = isEnded(s.state);
  const left = timeLeft(s, now);

  return (
    <div class="card session-card" ref={card}>
        <div class="session-status">
          <span data-testid="session-state" role="status" aria-live="polite">
            <Badge tone={stateTone(s.state)}>{stateLabel(s.state)}</Badge>
          </span>
          <span class="session-hint">{stateHint(s.state)}</span>
        </div>

        <ol class="steps" aria-label="Progress">
          {steps(s, pulled).map((st) => (
            <li key={st.label} class={stepClass(st)} aria-current={isCurrentStep(st) ? "step" : undefined}>
              <StepText step={st} />
            </li>
          ))}
        </ol>

        {s.stateReason &&
          (isFailure(s.state) ? (
            <div class="error-note" role="alert">
              <span>
                {stateLabel(s.state)}: {s.stateReason}
              </span>
            </div>
          ) : (
            <p class="session-reason">
              {s.state === SessionState.UNREACHABLE ? "Reason" : "Ended because"}: {s.stateReason}
            </p>
          ))}

        {!ended && (
          <div class="form-actions session-actions">
            {running && (
              // rel=opener: a new tab gets a copy of this tab's sessionStorage (the sign-in)
              // only with an opener; the connect page is this server's own.
              <a class="button primary" href={`/connect/${encodeURIComponent(s.id)}`} target="_blank" rel="opener">
                Connect
              </a>
            )}
            {running && (
              <span class="keep">
                <button type="button" onClick={() => void keep.press()} disabled={keep.busy} aria-busy={keep.busy}>
                  Keep alive
                </button>
              </span>
            )}
            <ConfirmButton label="Destroy" action={() => client.sessions.delete(s.id)} />
          </div>
        )}
        {running && (
          <p class="small session-note" role="status">
            {keep.done}
          </p>
        )}
        {keep.error ? (
          <p class="field-error" role="alert">
            {messageOf(keep.error)}
          </p>
        ) : null}
        <ErrorNote error={watchError} onRetry={onRetry} prefix="Live updates stopped: " />

        <dl class="props session-props">
          {!ended && (
            <>
              <dt>Time left</dt>
              <dd>
                {left === undefined ? (
                  "—"
                ) : (
                  <>
                    <strong class={left < 5 * 60_000 ? "soon" : undefined}>{duration(left)}</strong>
                    {endsAt(s) && <span class="muted"> (until {clock(endsAt(s)!)})</span>}
                  </>
                )}
              </dd>
            </>
          )}
          <dt>Launched</dt>
          <dd>
            <When ts={s.createTime} />
          </dd>
          <dt>Started</dt>
          <dd>
            <When ts={s.startTime} />
          </dd>
          {!ended && dateOf(s.maxExpireTime) && (
            <>
              <dt>Ends at the latest</dt>
              <dd>
                <When ts={s.maxExpireTime} />
              </dd>
            </>
          )}
          {ended && (
            <>
              <dt>Ended</dt>
              <dd>
                <When ts={s.endTime} />
              </dd>
            </>
          )}
          {workspace?.description && (
            <>
              <dt>Workspace</dt>
              <dd>{workspace.description}</dd>
            </>
          )}
          <dt>Session id</dt>
          <dd>
            <code>{s.id}</code>
          </dd>
        </dl>

        {ended && (
          <p class="session-next">
            <a href="/">Launch a workspace</a> · <a href="/sessions">My sessions</a>
          </p>
        )}
    </div>
  );
}

/** A step's label, with its outcome in words and a mark, not in colour alone. */
function StepText({ step }: { step: Step }) {
  const done = step.status === "done" || step.complete;
  return (
    <>
      {step.status === "failed" ? <span aria-hidden="true">✕ </span> : done ? <span aria-hidden="true">✓ </span> : null}
      {step.label}
      {step.status === "failed" ? (
        <span class="visually-hidden"> (failed)</span>
      ) : done ? (
        <span class="visually-hidden"> (done)</span>
      ) : step.status === "todo" ? (
        <span class="visually-hidden"> (not yet)</span>
      ) : null}
    </>
  );
}
