// What the browser scripts share: a timestamped log, REST calls to the server under test,
// waiting for a condition, and Debian's Chromium started the way this machine needs (no
// background networking: its closed network refuses those connections).
import { chromium } from 'playwright-core';

const t0 = Date.now();
export const log = (...a) => console.log(`[browser +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

/** A REST caller for the server at base: api(method, path, token, body) → the JSON answer. */
export function restClient(base) {
  return async function api(method, p, token, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
}

/** Polls cond until it returns something truthy; a throwing cond counts as not yet. */
export async function until(what, cond, timeout = 30000, every = 250) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}` + (last ? ` (last error: ${last.message})` : ''));
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Debian's Chromium, headless, on a fresh temporary profile of Playwright's own (removed on
 * close): nothing leaks between runs.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
