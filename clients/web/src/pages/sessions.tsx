// The user's own sessions with the time each has left, updated live (one WatchSession per
// live session), with connect, keep-alive and destroy on each row.
import { useEffect, useRef, useState } from "preact/hooks";
import { SessionState, collect } from "@hotdesk/client";
import type { Session } from "@hotdesk/client";
import { client, messageOf } from "../api";
import { navigate } from "../router";
import { Badge, ConfirmButton, ErrorNote, Loading, Page, Table, When, duration, shortId, useAsync, useNow } from "../ui/common";
import type { Column } from "../ui/common";
import { endsAt, isEnded, isFailure, stateLabel, stateTone, timeLeft, useKeepAlive, useSessionWatches } from "./session-state";
import type { PageProps } from "./types";
import "./user.css";

export function MySessionsPage({ me, query }: PageProps) {
  const includeEnded = query.get("ended") === "1";
  const names = useRef(new Map<string, string>());
  const list = useAsync(async () => {
    const [sessions, workspaces] = await Promise.all([
      collect(client.sessions.list({ userId: me.id, includeEnded })),
      names.current.size ? Promise.resolve([]) : collect(client.workspaces.list()).catch(() => []),
    ]);
    for (const w of workspaces) names.current.set(w.id, w.name);
    // Workspaces the user may no longer list (access removed): read them one by one.
    const missing = [...new Set(sessions.map((s) => s.workspaceId))].filter((id) => !names.current.has(id));
    await Promise.all(
      missing.map((id) =>
        client.workspaces.get(id).then(
          (w) => void names.current.set(id, w.name),
          () => undefined,
        ),
      ),
    );
    return sessions;
  }, [me.id, includeEnded]);

  const [rows, setRows] = useState<Session[]>([]);
  const [notice, setNotice] = useState("");
  // The newest state each watch delivered. A list fetched while a watch delivered a change can
  // be older than the row, and the watch never sends that state again: the watched one wins,
  // unless the list says the session ended (that never changes back).
  const watched = useRef(new Map<string, Session>());
  useEffect(() => {
    if (!list.data) return;
    setRows(
      list.data.map((s) => {
        const w = watched.current.get(s.id);
        return w && !isEnded(s.state) ? w : s;
      }),
    );
  }, [list.data]);
  const [watchError, setWatchError] = useState<unknown>(undefined);
  const [epoch, setEpoch] = useState(0);

  const nameOf = (s: Session) => names.current.get(s.workspaceId) ?? `Workspace ${shortId(s.workspaceId)}`;

  // Live rows: every change of a listed live session lands in its row; an ended one
  // refreshes the list.
  const live = rows.filter((s) => !isEnded(s.state)).map((s) => s.id);
  const reload = list.reload;
  useSessionWatches(
    live,
    (s) => {
      watched.current.set(s.id, s);
      setRows((cur) => cur.map((r) => (r.id === s.id ? s : r)));
      if (isEnded(s.state)) {
        const name = names.current.get(s.workspaceId);
        const verb = s.state === SessionState.FAILED ? "failed" : s.state === SessionState.LOST ? "was lost" : "has stopped";
        setNotice(`${name ? `Your ${name} session` : "A session"} ${verb}${s.stateReason ? ` (${s.stateReason})` : ""}.`);
        reload();
      }
    },
    { onError: setWatchError, epoch },
  );
  const rewatch = () => {
    setWatchError(undefined);
    watched.current.clear();
    reload();
    setEpoch((n) => n + 1);
  };

  const replaceRow = (s: Session) => setRows((cur) => cur.map((r) => (r.id === s.id ? s : r)));
  const now = useNow(1000);

  const columns: Column<Session>[] = [
    {
      label: "Workspace",
      cell: (s) => <a href={`/sessions/${encodeURIComponent(s.id)}`}>{nameOf(s)}</a>,
    },
    {
      label: "State",
      cell: (s) => (
        <span class="state-cell">
          <Badge tone={stateTone(s.state)}>{stateLabel(s.state)}</Badge>
          {s.stateReason && (isFailure(s.state) || isEnded(s.state)) && (
            <span class={"small " + (isFailure(s.state) ? "reason-bad" : "muted")}>{s.stateReason}</span>
          )}
        </span>
      ),
    },
    { label: "Started", cell: (s) => <When ts={s.startTime} /> },
    {
      label: "Time left",
      class: "num",
      cell: (s) => {
        const left = timeLeft(s, now);
        if (left === undefined) return "—";
        const end = endsAt(s);
        return (
          <span class={left < 5 * 60_000 ? "soon" : undefined} title={end ? `until ${end.toLocaleString()}` : undefined}>
            {duration(left)}
          </span>
        );
      },
    },
    {
      label: "Actions",
      cell: (s) =>
        isEnded(s.state) ? (
          "—"
        ) : (
          <span class="row-actions">
            {s.state === SessionState.RUNNING && (
              // rel=opener: the new tab then gets a copy of this tab's sign-in (sessionStorage).
              <a class="button small primary" href={`/connect/${encodeURIComponent(s.id)}`} target="_blank" rel="opener">
                Connect
              </a>
            )}
            {s.state === SessionState.RUNNING && <KeepAlive session={s} onChange={replaceRow} />}
            <ConfirmButton small label="Destroy" action={() => client.sessions.delete(s.id)} />
          </span>
        ),
    },
  ];

  let body;
  if (list.error && !list.data) body = <ErrorNote error={list.error} onRetry={list.reload} />;
  else if (!list.data) body = <Loading what="Loading your sessions" />;
  else {
    body = (
      <>
        {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
        <ErrorNote error={watchError} onRetry={rewatch} prefix="Live updates stopped: " />
        <Table
          rows={rows}
          columns={columns}
          rowKey={(s) => s.id}
          caption="Your sessions"
          empty={
            includeEnded ? (
              <>
                You have no sessions yet. <a href="/">Launch one from Workspaces.</a>
              </>
            ) : (
              <>
                You have no running sessions. <a href="/">Launch one from Workspaces.</a>
              </>
            )
          }
        />
      </>
    );
  }

  return (
    <Page title="My sessions" actions={<a href="/">Workspaces</a>}>
      <div class="field check sessions-filter">
        <input
          type="checkbox"
          id="show-ended"
          checked={includeEnded}
          onChange={(e) => navigate(e.currentTarget.checked ? "/sessions?ended=1" : "/sessions", { replace: true })}
        />
        <label for="show-ended">Show ended sessions</label>
      </div>
      <p class="small muted sessions-notice" role="status">
        {notice}
      </p>
      {body}
    </Page>
  );
}

function KeepAlive({ session, onChange }: { session: Session; onChange: (s: Session) => void }) {
  const { busy, done, error, press } = useKeepAlive(session, onChange);
  return (
    <span class="keep">
      <button type="button" class="small" disabled={busy} aria-busy={busy} onClick={() => void press()}>
        Keep alive
      </button>
      <span class="small muted" role="status">
        {done}
      </span>
      {error ? (
        <span class="field-error" role="alert">
          {messageOf(error)}
        </span>
      ) : null}
    </span>
  );
}
