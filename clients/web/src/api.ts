// The one SDK client of the dashboard, its login token (shared with the connect page, which
// reads the same storage keys), and what happens when the server stops accepting the token.
import { Client, Code, HotdeskError, Role } from "@hotdesk/client";
import type { User } from "@hotdesk/client";
import { saveDrafts } from "./drafts";
import { navigate } from "./router";

const BEARER = "hotdesk.bearer";

export function bearer(): string {
  return sessionStorage.getItem(BEARER) || localStorage.getItem(BEARER) || "";
}

export function setBearer(token: string, remember: boolean): void {
  sessionStorage.setItem(BEARER, token);
  if (remember) localStorage.setItem(BEARER, token);
  else localStorage.removeItem(BEARER);
  client.setCredential(token);
}

export function dropBearer(): void {
  sessionStorage.removeItem(BEARER);
  localStorage.removeItem(BEARER);
  client.setCredential("");
  me = undefined;
}

let expiring = false;

/**
 * Every request goes through here: a 401 on anything but the login itself means the login
 * expired or was revoked. What was typed on the page is kept, and the login page brings the
 * user back to it.
 */
const watchedFetch: typeof fetch = async (input, init) => {
  const resp = await fetch(input, init);
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (resp.status === 401 && !url.includes("/v1/auth:login") && bearer() && !expiring) {
    expiring = true;
    saveDrafts();
    dropBearer();
    const back = location.pathname + location.search;
    navigate(`/login?expired=1&next=${encodeURIComponent(back)}`, { replace: true });
    expiring = false;
  }
  return resp;
};

export const client = new Client({ baseUrl: location.origin, token: bearer(), fetch: watchedFetch });

let me: User | undefined;

/** The signed-in user (cached until sign-out). */
export async function currentUser(): Promise<User> {
  if (!me) me = await client.auth.me();
  return me;
}

export function isAdmin(u: User | undefined): boolean {
  return u?.role === Role.ADMIN;
}

/** Signs in and remembers the token (for this tab only unless remember is set). */
export async function signIn(username: string, password: string, remember: boolean): Promise<User> {
  const resp = await client.auth.login(username, password);
  setBearer(resp.token, remember);
  me = undefined;
  return currentUser();
}

export async function signOut(): Promise<void> {
  try {
    await client.auth.logout();
  } catch {
    // the token may already be gone; signing out locally is what matters
  }
  dropBearer();
  navigate("/login", { replace: true });
}

/** A readable sentence for any error a call rejects with. */
export function messageOf(err: unknown): string {
  if (err instanceof HotdeskError) {
    if (err.code === Code.UNAVAILABLE && !err.message) return "The server cannot be reached; try again.";
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
