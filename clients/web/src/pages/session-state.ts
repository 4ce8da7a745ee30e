// What a session's state means to a person: its label and colour, the progress steps of a
// launch, the time it has left, and live watches of several sessions at once. Shared by the
// user's pages and the administrators' session list.
import { useEffect, useRef, useState } from "preact/hooks";
import { ENDED_STATES, SessionState } from "@hotdesk/client";
import type { Session } from "@hotdesk/client";
import { client } from "../api";
import { dateOf, enumName, humanize } from "../ui/common";
import type { Tone } from "../ui/common";

/** "Running", "Stopped", … ("Reconnecting…" while the agent is unreachable). */
export function stateLabel(state: SessionState): string {
  if (state === SessionState.UNREACHABLE) return "Reconnecting…";
  if (state === SessionState.UNSPECIFIED) return "Unknown";
  return humanize(enumName(SessionState, state));
}

/** The badge colour of a state. */
export function stateTone(state: SessionState): Tone {
  switch (state) {
    case SessionState.RUNNING:
      return "ok";
    case SessionState.PENDING:
    case SessionState.STARTING:
    case SessionState.STOPPING:
    case SessionState.UNREACHABLE:
      return "warn";
    case SessionState.FAILED:
    case SessionState.LOST:
      return "bad";
    default:
      return "idle";
  }
}

/** One sentence on what is happening now. */
export function stateHint(state: SessionState): string {
  switch (state) {
    case SessionState.PENDING:
      return "Waiting for a place on an agent…";
    case SessionState.STARTING:
      return "Starting the workspace…";
    case SessionState.RUNNING:
      return "Ready: connect to open it in a new tab.";
    case SessionState.UNREACHABLE:
      return "The machine running this session stopped answering; waiting for it to come back. The session may still be alive.";
    case SessionState.STOPPING:
      return "Shutting the session down…";
    case SessionState.STOPPED:
      return "This session has ended.";
    case SessionState.FAILED:
      return "This session could not be started.";
    case SessionState.LOST:
      return "This session is gone.";
    default:
      return "";
  }
}

export function isEnded(state: SessionState): boolean {
  return ENDED_STATES.has(state);
}

/** Failed and lost sessions: their reason is an error to show (role=alert). */
export function isFailure(state: SessionState): boolean {
  return state === SessionState.FAILED || state === SessionState.LOST;
}

/** When the session ends unless kept alive, capped by its maximum lifetime. */
export function endsAt(s: Session): Date | undefined {
  const a = dateOf(s.expireTime);
  const b = dateOf(s.maxExpireTime);
  if (a && b) return a < b ? a : b;
  return a ?? b;
}

/** Milliseconds left of a live session; undefined for ended sessions or when not known yet. */
export function timeLeft(s: Session, now = Date.now()): number | undefined {
  if (isEnded(s.state)) return undefined;
  const end = endsAt(s);
  return end ? Math.max(0, end.getTime() - now) : undefined;
}

/** "14:05" in the viewer's clock. */
export function clock(d: Date): string {
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

export interface Step {
  label: string;
  /** done: passed; current: where the session is (aria-current="step"); failed: where it ended badly. */
  status: "todo" | "current" | "done" | "failed";
  /** The current step is also finished (Running, Stopped). */
  complete?: boolean;
}

/**
 * The progress of a session: Pending → Starting → Running, then the way it ended.
 * pulled puts a finished "Pulling" step first (the launch waited for an image).
 */
export function steps(s: Session, pulled = false): Step[] {
  const out: Step[] = [];
  if (pulled) out.push({ label: "Pulling", status: "done" });
  const started = !!dateOf(s.startTime);
  const placed = started || !!s.agentId;
  const path: [string, SessionState][] = [
    ["Pending", SessionState.PENDING],
    ["Starting", SessionState.STARTING],
    ["Running", SessionState.RUNNING],
  ];
  switch (s.state) {
    case SessionState.UNSPECIFIED:
    case SessionState.PENDING:
    case SessionState.STARTING:
    case SessionState.RUNNING: {
      const at = path.findIndex(([, st]) => st === s.state);
      path.forEach(([label], i) =>
        out.push({
          label,
          status: i < at ? "done" : i === at ? "current" : "todo",
          complete: i === at && s.state === SessionState.RUNNING,
        }),
      );
      return out;
    }
    case SessionState.UNREACHABLE:
      out.push({ label: "Pending", status: "done" }, { label: "Starting", status: "done" });
      if (started) out.push({ label: "Running", status: "done" });
      out.push({ label: "Reconnecting…", status: "current" });
      return out;
  }
  // Ended or ending: the steps it reached, then how it ended.
  out.push({ label: "Pending", status: "done" });
  if (placed) out.push({ label: "Starting", status: "done" });
  if (started) out.push({ label: "Running", status: "done" });
  switch (s.state) {
    case SessionState.STOPPING:
      out.push({ label: "Stopping", status: "current" }, { label: "Stopped", status: "todo" });
      break;
    case SessionState.STOPPED:
      out.push({ label: "Stopping", status: "done" }, { label: "Stopped", status: "current", complete: true });
      break;
    default:
      out.push({ label: stateLabel(s.state), status: "failed" });
  }
  return out;
}

/** The class of a step's <li>: done, failed or none. */
export function stepClass(st: Step): string | undefined {
  if (st.status === "failed") return "failed";
  if (st.status === "done" || st.complete) return "done";
  return undefined;
}

/** Whether a step is the one the session is at. */
export function isCurrentStep(st: Step): boolean {
  return st.status === "current" || st.status === "failed";
}

function aborted(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof DOMException && err.name === "AbortError");
}

/**
 * Watches each session of ids (WatchSession, no polling) while it is listed, calling onUpdate
 * with every change; a watch stops when its id leaves the list, the session ends, or the
 * component unmounts. A watch that fails for good (not a dropped connection, which the SDK
 * resumes) calls onError; a new `epoch` starts again the watches of listed ids that stopped.
 * At most `cap` watches run at once.
 */
export function useSessionWatches(
  ids: string[],
  onUpdate: (s: Session) => void,
  opts: { onError?: (err: unknown) => void; epoch?: number; cap?: number } = {},
): void {
  const running = useRef(new Map<string, AbortController>());
  const update = useRef(onUpdate);
  update.current = onUpdate;
  const fail = useRef(opts.onError);
  fail.current = opts.onError;
  const key = ids.slice(0, opts.cap ?? 50).join(",");

  useEffect(() => {
    const want = new Set(key ? key.split(",") : []);
    for (const [id, ctl] of running.current) {
      if (!want.has(id)) {
        ctl.abort();
        running.current.delete(id);
      }
    }
    for (const id of want) {
      if (running.current.has(id)) continue;
      const ctl = new AbortController();
      running.current.set(id, ctl);
      void (async () => {
        try {
          for await (const s of client.sessions.watch(id, { signal: ctl.signal })) {
            if (ctl.signal.aborted) return;
            update.current(s);
          }
        } catch (err) {
          // A watch that fails for good (e.g. the session was deleted) stops; the page says so.
          if (!aborted(err, ctl.signal)) {
            console.warn(`watching session ${id}:`, err);
            fail.current?.(err);
          }
        } finally {
          if (running.current.get(id) === ctl) running.current.delete(id);
        }
      })();
    }
  }, [key, opts.epoch ?? 0]);

  useEffect(() => {
    const m = running.current;
    return () => {
      for (const ctl of m.values()) ctl.abort();
      m.clear();
    };
  }, []);
}

/**
 * Keep-alive of one session: press() pushes its idle deadline out, hands the answer to
 * onChange and says until when (or that the maximum lifetime caps it).
 */
export function useKeepAlive(session: Session, onChange: (s: Session) => void) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const press = async () => {
    setBusy(true);
    setError(undefined);
    setDone("");
    try {
      const next = await client.sessions.keepAlive(session.id);
      onChange(next);
      const end = endsAt(next);
      const capped = end && dateOf(next.maxExpireTime)?.getTime() === end.getTime();
      setDone(end ? `Kept alive until ${clock(end)}${capped ? " (its maximum lifetime)" : ""}.` : "Kept alive.");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, done, error, press };
}
