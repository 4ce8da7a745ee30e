// Building blocks shared by every page: page frame, loading and errors, tables that turn into
// cards on phones, confirm-twice buttons, state badges and time formatting.
import type { ComponentChildren, RefObject } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { messageOf } from "../api";

/** A page: its title (also the document's), actions beside it, and the content. */
export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Hotdesk`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions && <div class="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** An error from the API, in the server's words. */
export function ErrorNote({ error, onRetry, prefix = "" }: { error: unknown; onRetry?: () => void; prefix?: string }) {
  if (!error) return null;
  return (
    <div class="error-note" role="alert">
      <span>
        {prefix}
        {messageOf(error)}
      </span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Moves focus to the page's heading (after what had focus went away). */
export function focusTitle(): void {
  document.getElementById("page-title")?.focus({ preventScroll: true });
}

/**
 * A ref for an element whose content may vanish under the keyboard focus (a row's button
 * once the row is gone, a session's actions once it ended): focus then goes to the page's
 * heading instead of being dropped on the document.
 */
export function useKeepFocus<E extends HTMLElement>(): RefObject<E> {
  const root = useRef<E>(null);
  // Read while rendering, before the DOM changes: was the focus inside?
  const had = !!root.current && root.current.contains(document.activeElement);
  useEffect(() => {
    const now = document.activeElement;
    if (had && (!now || now === document.body || !now.isConnected)) focusTitle();
  });
  return root;
}

/** A status line that is always in the page, so screen readers announce what appears in it. */
export function Status({ children, class: cls }: { children: ComponentChildren; class?: string }) {
  return (
    <p role="status" class={"status-line" + (cls ? " " + cls : "")}>
      {children}
    </p>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /**
   * Replaces the data in place (after an update the server answered with); a load still under
   * way is dropped, so it cannot put older data back.
   */
  setData: (d: T | ((cur: T | undefined) => T)) => void;
}

/** Runs load when deps change (and on reload()); the latest result wins. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const n = ++seq.current;
    setLoading(true);
    load().then(
      (d) => {
        if (n !== seq.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e) => {
        if (n !== seq.current) return;
        setError(e);
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const replace = useCallback((d: T | ((cur: T | undefined) => T)) => {
    seq.current++;
    setData(d as T);
    setError(undefined);
    setLoading(false);
  }, []);
  return { data, error, loading, reload, setData: replace };
}

export interface Column<T> {
  /** Header text; also the label of the cell when the table shows as cards on narrow screens. */
  label: string;
  cell: (row: T) => ComponentChildren;
  class?: string;
}

/** A table (cards on narrow screens); empty says what to do when there are no rows. */
export function Table<T>({ rows, columns, rowKey, empty, caption }: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty: ComponentChildren;
  caption?: string;
}) {
  const root = useKeepFocus<HTMLElement>();
  if (!rows.length) {
    return (
      <p class="empty" ref={root as RefObject<HTMLParagraphElement>}>
        {empty}
      </p>
    );
  }
  return (
    <table class="data" ref={root as RefObject<HTMLTableElement>}>
      {caption && <caption class="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c.label} class={c.class}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)} data-key={rowKey(r)}>
            {columns.map((c) => (
              <td key={c.label} data-label={c.label} class={c.class}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A button for a destructive action: the first press asks ("Confirm …"), the second within
 * five seconds acts. Errors show beside it.
 */
export function ConfirmButton({ label, confirm, action, onDone, small }: {
  label: string;
  confirm?: string;
  action: () => Promise<unknown>;
  onDone?: () => void;
  small?: boolean;
}) {
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 5000);
    return () => clearTimeout(t);
  }, [armed]);
  const press = async () => {
    if (!armed) {
      setArmed(true);
      setError(undefined);
      return;
    }
    setBusy(true);
    try {
      await action();
      setArmed(false);
      onDone?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="confirm">
      <button type="button" class={"danger" + (small ? " small" : "")} disabled={busy} aria-busy={busy} onClick={press}>
        {armed ? (confirm ?? `Confirm: ${label.toLowerCase()}`) : label}
      </button>
      {/* The button's new name is not announced everywhere; this is. */}
      <span class="visually-hidden" role="status">
        {armed && !busy ? "Press again within 5 seconds to confirm." : ""}
      </span>
      {error ? (
        <span class="field-error" role="alert">
          {messageOf(error)}
        </span>
      ) : null}
    </span>
  );
}

/**
 * The last 8 hex digits of an id, to tell rows apart: ids are UUIDv7, whose leading digits are
 * a timestamp that things created within the same minute share.
 */
export function shortId(id: string): string {
  return id.replace(/-/g, "").slice(-8);
}

/**
 * url when it is an http(s) address (or, with images, a data:image URI); undefined otherwise.
 * URLs from the API go into href and src only through here: a javascript: or other scheme
 * stored by an older server, or written into the database, never reaches the page.
 */
export function safeUrl(url: string, opts: { image?: boolean } = {}): string | undefined {
  const u = url.trim();
  if (!u) return undefined;
  if (opts.image && /^data:image\/(png|jpeg|gif|webp|avif|svg\+xml)[;,]/i.test(u)) return u;
  try {
    const parsed = new URL(u);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? u : undefined;
  } catch {
    return undefined;
  }
}

/** A Badge's colour. */
export type Tone = "ok" | "warn" | "bad" | "idle";

/** A coloured state label; tone: ok, warn, bad, idle. */
export function Badge({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

/** "RUNNING" from SessionState.RUNNING given the enum object. */
export function enumName(e: Record<number, string>, v: number): string {
  return e[v] ?? String(v);
}

/** "Running" from "RUNNING". */
export function humanize(name: string): string {
  const s = name.replace(/_/g, " ").toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function dateOf(ts: Timestamp | undefined): Date | undefined {
  return ts && (ts.seconds || ts.nanos) ? timestampDate(ts) : undefined;
}

/** "3 min", "2 h 5 min", "45 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "5 min ago" / "in 5 min" / "—". */
export function relative(ts: Timestamp | undefined, now = Date.now()): string {
  const d = dateOf(ts);
  if (!d) return "—";
  const diff = d.getTime() - now;
  return diff >= 0 ? `in ${duration(diff)}` : `${duration(-diff)} ago`;
}

/** A local date and time, with the relative form as its title. */
export function When({ ts }: { ts: Timestamp | undefined }) {
  const d = dateOf(ts);
  if (!d) return <span>—</span>;
  return (
    <time dateTime={d.toISOString()} title={d.toLocaleString()}>
      {relative(ts)}
    </time>
  );
}

/** Re-renders every interval ms (for countdowns). */
export function useNow(interval = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(t);
  }, [interval]);
  return now;
}

/**
 * Calls reload every ms while the tab is visible, and at once when it becomes visible again
 * (for lists with no watch RPC); a hidden tab sends nothing.
 */
export function usePolling(reload: () => void, ms: number): void {
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(reload, ms);
    };
    const stop = () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") {
        reload();
        start();
      } else stop();
    };
    if (document.visibilityState === "visible") start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [reload, ms]);
}
