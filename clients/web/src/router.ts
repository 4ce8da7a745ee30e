// A small history router: paths are real URLs (the server answers every dashboard path with
// the app), links are plain <a href>, and navigate() pushes without reloading.
import { useEffect, useState } from "preact/hooks";

type Listener = () => void;
const listeners = new Set<Listener>();

function emit(): void {
  for (const l of listeners) l();
}
window.addEventListener("popstate", emit);

/** Goes to path (with its query) without a reload. */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.scrollTo(0, 0);
  emit();
}

/** The current path and query, re-rendering on every change. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Matches "/admin/agents/:id" against a path; the params, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null; // a malformed %-escape: no page, rather than a blank screen
      }
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

// Same-origin <a href="/..."> clicks are routed in place (modifier keys still open new tabs).
document.addEventListener("click", (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.("a");
  if (!a || a.target || a.hasAttribute("download") || a.dataset.external !== undefined) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !isAppPath(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

/**
 * Where to go after signing in: next when it is a dashboard page of this origin (not the login
 * page itself), "/" otherwise. The URL parser decides, as the browser would: "//host",
 * "/\\host" and "https://host" all leave the origin and are refused.
 */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/")) return "/";
  let u: URL;
  try {
    u = new URL(next, location.origin);
  } catch {
    return "/";
  }
  if (u.origin !== location.origin || !isAppPath(u.pathname) || u.pathname === "/login") return "/";
  return u.pathname + u.search + u.hash;
}

/** Paths the dashboard renders (others, like /connect/..., are pages of their own). */
export function isAppPath(path: string): boolean {
  return !/^\/(connect|novnc|v1|assets\/connect|openapi\.json|metrics|healthz|readyz|api)(\/|$)/.test(path);
}
