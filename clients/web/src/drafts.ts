// Drafts: what the user typed into the forms of a page, kept across an expired login. Every
// live form registers a getter; when the login expires, their values go to sessionStorage under
// the page's path, and the same forms take them back when the page is shown again.

type Values = Record<string, unknown>;

const live = new Map<string, () => Values>();
const PREFIX = "hotdesk.draft:";

function storageKey(): string {
  return PREFIX + location.pathname;
}

/** Registers a form's value getter under key; returns the unregister function. */
export function registerDraft(key: string, get: () => Values): () => void {
  live.set(key, get);
  return () => {
    if (live.get(key) === get) live.delete(key);
  };
}

/** Saves every live form of the page (passwords are never kept). */
export function saveDrafts(): void {
  const all: Record<string, Values> = {};
  for (const [key, get] of live) {
    const v = { ...get() };
    for (const k of Object.keys(v)) if (/password/i.test(k)) delete v[k];
    if (Object.keys(v).length) all[key] = v;
  }
  if (Object.keys(all).length) sessionStorage.setItem(storageKey(), JSON.stringify(all));
}

/** Takes the saved draft of form key on this page, once. */
export function takeDraft(key: string): Values | undefined {
  const raw = sessionStorage.getItem(storageKey());
  if (!raw) return undefined;
  try {
    const all = JSON.parse(raw) as Record<string, Values>;
    const v = all[key];
    if (!v) return undefined;
    delete all[key];
    if (Object.keys(all).length) sessionStorage.setItem(storageKey(), JSON.stringify(all));
    else sessionStorage.removeItem(storageKey());
    return v;
  } catch {
    sessionStorage.removeItem(storageKey());
    return undefined;
  }
}
