// The web dashboard, end to end in Debian's Chromium, as its users see it: a user's catalog,
// launch and live session page, their sessions list; an administrator's agents (disable and
// enable one: the user's launch is refused meanwhile), workspace editing, validation on the
// client and on the server, an expired login that keeps what was typed, phone widths and the
// keyboard. Every page visited is kept as a full-page screenshot. Run by dashboard_test.go,
// which starts the server and a real agent and creates the workspaces "Test desktop" and
// "Spare", the link workspace "Handbook", the user alice and the group "Staff" (alice; Test
// desktop and Handbook).
//
// Environment: HOTDESK_URL, HOTDESK_ADMIN_USER, HOTDESK_ADMIN_PASSWORD, HOTDESK_USER,
// HOTDESK_USER_PASSWORD, HOTDESK_AGENT_ID, HOTDESK_AGENT_ADDRESS (the agent listener),
// HOTDESK_WORKSPACE (Test desktop's id),
// HOTDESK_SPARE (Spare's id), HOTDESK_LINK_URL (Handbook's URL), ARTIFACTS.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, log, restClient, until } from './lib.mjs';

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}
const base = env('HOTDESK_URL');
const adminUser = env('HOTDESK_ADMIN_USER');
const adminPassword = env('HOTDESK_ADMIN_PASSWORD');
const aliceUser = env('HOTDESK_USER');
const alicePassword = env('HOTDESK_USER_PASSWORD');
const agentId = env('HOTDESK_AGENT_ID');
const agentAddress = env('HOTDESK_AGENT_ADDRESS');
const workspaceId = env('HOTDESK_WORKSPACE');
const spareId = env('HOTDESK_SPARE');
const linkUrl = env('HOTDESK_LINK_URL');
const artifacts = process.env.ARTIFACTS || 'artifacts';
fs.mkdirSync(artifacts, { recursive: true });

const DESKTOP = 'Test desktop';
const WIDE = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };


// ---------------------------------------------------------------- REST and waiting

const api = restClient(base);

function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** Waits until locator is visible; fails saying what the user did not see. */
async function see(locator, what, timeout = 15000) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`${what} did not appear within ${timeout / 1000} s (${locator})`);
  }
  return locator.first();
}

/** Fails when locator matches anything visible. */
async function notThere(locator, what) {
  const n = await locator.count();
  for (let i = 0; i < n; i++) {
    if (await locator.nth(i).isVisible()) throw new Error(`${what} is shown but should not be (${locator})`);
  }
}

// A separate admin login for checking what the server stored (the browser's is revoked in f).
const adminToken = (await api('POST', '/v1/auth:login', null, { username: adminUser, password: adminPassword })).token;
const getWorkspace = async () => (await api('GET', `/v1/workspaces/${workspaceId}`, adminToken)).workspace;
const getAgent = async () => (await api('GET', `/v1/agents/${agentId}`, adminToken)).agent;
const agentHost = (await getAgent()).hostname;
log('agent', agentId, 'hostname', agentHost);

// ---------------------------------------------------------------- the browser

const browser = await launchChromium();
// Every context below is a new incognito-like profile: nothing leaks between users.

const pages = {}; // label → page, for failure screenshots
const pageErrors = [];
const failures = [];
const passed = [];
let shotNo = 0;

async function newPage(label, viewport = WIDE) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') log(`${label} console error:`, m.text());
  });
  page.on('pageerror', (e) => {
    log(`${label} PAGE ERROR:`, e.stack || e.message);
    pageErrors.push(`${label}: ${e.message}`);
  });
  page.loads = 0;
  page.on('load', () => page.loads++);
  pages[label] = page;
  return page;
}

/** Waits until the page shows no loading placeholders. */
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(150);
}

/** A full-page screenshot named after the page, numbered in the order of the visit. */
async function shot(page, name) {
  await settle(page);
  const file = `${String(++shotNo).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: path.join(artifacts, file), fullPage: true });
  log('screenshot', file);
}

/** Runs one step; a failure is recorded (with screenshots of every open page) and the run goes on. */
async function step(name, fn) {
  log(`=== ${name}`);
  try {
    await fn();
    passed.push(name);
    log(`ok: ${name}`);
    return true;
  } catch (e) {
    failures.push(`${name}: ${e.message}`);
    log(`FAIL: ${name}: ${e.stack || e.message}`);
    const slug = name.split(/[^a-z0-9]+/i).filter(Boolean).slice(0, 4).join('-').toLowerCase();
    for (const [label, p] of Object.entries(pages)) {
      if (!p.isClosed()) {
        const file = `failure-${slug}-${label}.png`;
        await p.screenshot({ path: path.join(artifacts, file), fullPage: true }).catch(() => {});
        log('failure screenshot', file, 'at', p.url());
      }
    }
    return false;
  }
}

const nav = (page) => page.getByRole('navigation', { name: 'Main' });
const navLink = (page, name) => nav(page).getByRole('link', { name, exact: true });
const tile = (page, name) => page.locator('li.tile').filter({ has: page.getByRole('heading', { name, exact: true }) });
const stateOf = (page) => page.getByTestId('session-state');

async function signIn(page, user, password) {
  await see(page.getByLabel('User name', { exact: true }), 'the login form');
  await page.getByLabel('User name', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await until(`${user} to be signed in (leave /login)`, async () => !new URL(page.url()).pathname.startsWith('/login'), 15000);
}

/** The ids of the elements describing an input (hint, error). */
async function describedBy(page, input) {
  const ids = ((await input.getAttribute('aria-describedby')) || '').split(/\s+/).filter(Boolean);
  const out = [];
  for (const id of ids) out.push(page.locator(`[id="${id}"]`));
  return out;
}

/** The error shown with a field: an alert it is described by, or an alert in its field box. */
async function fieldError(page, label) {
  const input = page.getByLabel(label, { exact: true });
  return until(`an error next to "${label}"`, async () => {
    if ((await input.getAttribute('aria-invalid')) !== 'true') return null;
    for (const el of await describedBy(page, input)) {
      if ((await el.count()) && (await el.getAttribute('role')) === 'alert' && (await el.isVisible())) return (await el.textContent()).trim();
    }
    const box = page.locator('.field').filter({ has: input }).getByRole('alert');
    if ((await box.count()) && (await box.first().isVisible())) return (await box.first().textContent()).trim();
    return null;
  }, 10000);
}

/** Whether the page scrolls sideways. */
const scrollsSideways = (page) =>
  page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));

/**
 * Follows the session page's state until it reads want, screenshotting each state seen; fails
 * early on Failed/Lost (with the reason the page shows).
 */
async function followStates(page, want, timeout, seen = new Set()) {
  const end = Date.now() + timeout;
  const order = [];
  for (;;) {
    const text = ((await stateOf(page).textContent({ timeout: 5000 }).catch(() => '')) || '').trim();
    if (text && !order.includes(text)) {
      order.push(text);
      log('session state:', text);
      if (!seen.has(text)) {
        seen.add(text);
        await page.screenshot({ path: path.join(artifacts, `${String(++shotNo).padStart(2, '0')}-session-${text.toLowerCase().replace(/[^a-z]+/g, '-')}.png`), fullPage: true });
      }
    }
    if (text === want) return order;
    if (want !== 'Failed' && /^(Failed|Lost)$/.test(text)) {
      const why = await page.getByRole('alert').allTextContents().catch(() => []);
      throw new Error(`the session went ${text} instead of ${want}: ${why.join(' | ')}`);
    }
    if (Date.now() > end) throw new Error(`the session state stayed "${text}" (seen: ${order.join(' → ')}), never "${want}" within ${timeout / 1000} s`);
    await page.waitForTimeout(100);
  }
}

async function assertNoReload(page, when) {
  const marker = await page.evaluate(() => window.__marker);
  check(marker === 'hotdesk-no-reload', `the page was reloaded ${when} (window.__marker is ${JSON.stringify(marker)})`);
}

function containersOfSession(id) {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=hotdesk.session_id=${id}`]).toString().trim().split(/\s+/).filter(Boolean);
}

// ---------------------------------------------------------------- the scenario

let alice;
let admin;
let sessionId;
let editUrl;
const stateShots = new Set();
const noShots = { has: () => true, add() {} }; // followStates without screenshots (named ones are taken instead)

try {
  // a. alice signs in: her catalog has Test desktop and Handbook, not Spare, and no administration.
  await step('a. alice signs in and sees her catalog', async () => {
    alice = await newPage('alice');
    await alice.goto(base + '/');
    await see(alice.getByRole('button', { name: 'Sign in' }), 'the login page (signed out, / leads to it)');
    check(new URL(alice.url()).pathname === '/login', `signed out, / should lead to /login, not ${alice.url()}`);
    await shot(alice, 'login');
    await signIn(alice, aliceUser, alicePassword);
    const t = await see(tile(alice, DESKTOP), `the "${DESKTOP}" tile in alice's catalog`);
    await see(t.getByRole('button', { name: `Launch ${DESKTOP}` }), `the "Launch ${DESKTOP}" button`);
    // The link workspace opens its URL in a new tab; there is nothing to launch.
    const hb = await see(tile(alice, 'Handbook'), 'the "Handbook" tile (a link workspace)');
    const open = await see(hb.getByRole('link', { name: 'Open Handbook' }), 'the "Open Handbook" link');
    check((await open.getAttribute('href')) === linkUrl && (await open.getAttribute('target')) === '_blank',
      `"Open Handbook" should open ${linkUrl} in a new tab, not ${await open.getAttribute('href')} (target ${await open.getAttribute('target')})`);
    check((await hb.getByRole('button', { name: 'Launch Handbook' }).count()) === 0, 'the link workspace has a Launch button');
    await settle(alice);
    await notThere(alice.getByRole('heading', { name: 'Spare', exact: true }), 'the workspace "Spare" (no group of alice allows it)');
    await notThere(tile(alice, 'Spare'), 'a "Spare" tile');
    check((await alice.getByRole('link', { name: 'Agents', exact: true }).count()) === 0, 'alice (a user) sees an "Agents" link');
    check((await alice.getByRole('link', { name: 'Manage workspaces', exact: true }).count()) === 0, 'alice (a user) sees a "Manage workspaces" link');
    await see(navLink(alice, 'My sessions'), 'the "My sessions" nav link');
    await shot(alice, 'catalog');
  });

  // b. alice launches Test desktop; the session page follows it live until she destroys it.
  await step('b. alice launches Test desktop and destroys the session', async () => {
    await alice.evaluate(() => {
      window.__marker = 'hotdesk-no-reload';
    });
    const loads = alice.loads;
    await tile(alice, DESKTOP).getByRole('button', { name: `Launch ${DESKTOP}` }).click();
    await until('the session page (/sessions/<id>)', async () => /^\/sessions\/[^/]+$/.test(new URL(alice.url()).pathname), 30000);
    sessionId = decodeURIComponent(new URL(alice.url()).pathname.split('/')[2]);
    log('session', sessionId);
    await see(alice.getByRole('heading', { level: 1, name: DESKTOP, exact: true }), `the heading "${DESKTOP}" on the session page`);
    await see(stateOf(alice), 'the session state (data-testid=session-state)');
    await see(alice.locator('ol.steps'), 'the progress steps (ol.steps)');
    const order = await followStates(alice, 'Running', 120000, stateShots);
    log('states seen:', order.join(' → '));
    await assertNoReload(alice, 'while the session started');
    check(alice.loads === loads, `the page loaded again ${alice.loads - loads} time(s) while the session started`);

    const connect = await see(alice.getByRole('link', { name: 'Connect', exact: true }), 'the "Connect" link of the running session');
    const href = await connect.getAttribute('href');
    check(href === `/connect/${sessionId}` || href === `${base}/connect/${sessionId}`, `"Connect" goes to ${href}, not /connect/${sessionId}`);
    check((await connect.getAttribute('target')) === '_blank', `"Connect" should open a new tab (target=_blank), has target=${await connect.getAttribute('target')}`);

    await alice.getByRole('button', { name: 'Keep alive', exact: true }).click();
    const kept = await see(alice.getByRole('status').filter({ hasText: /kept alive/i }), 'a status saying the session was kept alive');
    log('keep alive:', (await kept.textContent()).trim());
    await shot(alice, 'session-kept-alive');

    // My sessions lists it with the time it has left.
    await navLink(alice, 'My sessions').click();
    await until('/sessions', async () => new URL(alice.url()).pathname === '/sessions');
    await see(alice.getByRole('heading', { level: 1 }), 'the My sessions heading');
    for (const col of ['Workspace', 'State', 'Started', 'Time left', 'Actions']) {
      await see(alice.getByRole('columnheader', { name: col, exact: true }), `the column "${col}" on My sessions`);
    }
    const headers = (await alice.getByRole('columnheader').allTextContents()).map((s) => s.trim());
    const row = await see(alice.locator('tbody tr').filter({ hasText: DESKTOP }), `the ${DESKTOP} session on My sessions`);
    const cells = row.locator('td');
    const left = ((await cells.nth(headers.indexOf('Time left')).textContent()) || '').trim();
    const state = ((await cells.nth(headers.indexOf('State')).textContent()) || '').trim();
    log('my sessions row:', JSON.stringify({ state, left }));
    check(/\d/.test(left), `"Time left" of the session reads ${JSON.stringify(left)}, not a time`);
    check(/Running/.test(state), `"State" of the session reads ${JSON.stringify(state)}, not Running`);
    await shot(alice, 'my-sessions');
    await assertNoReload(alice, 'going to My sessions');

    // Back on the session page: destroy it, and watch it stop.
    await alice.goBack();
    await until('back on the session page', async () => new URL(alice.url()).pathname === `/sessions/${sessionId}`);
    await followStates(alice, 'Running', 15000, stateShots);
    await alice.getByRole('button', { name: 'Destroy', exact: true }).click();
    await alice.getByRole('button', { name: 'Confirm: destroy', exact: true }).click();
    const ending = await followStates(alice, 'Stopped', 60000, stateShots);
    log('states after destroy:', ending.join(' → '));
    await assertNoReload(alice, 'while the session was destroyed');
    check(alice.loads === loads, 'the page was loaded again during the scenario');
    await notThere(alice.getByRole('link', { name: 'Connect', exact: true }), 'the "Connect" link of a stopped session');
    const stored = (await api('GET', `/v1/sessions/${sessionId}`, adminToken)).session;
    check(stored.state === 'SESSION_STATE_STOPPED', `the server says the session is ${stored.state}`);
    await until(`the container of session ${sessionId} to be removed`, async () => containersOfSession(sessionId).length === 0, 60000, 500);
    log('the session container is gone');
  });

  // c. The administrator disables the agent; alice's launch is refused meanwhile.
  await step('c. admin disables the agent; the launch is refused; admin enables it', async () => {
    admin = await newPage('admin');
    await admin.goto(base + '/');
    await signIn(admin, adminUser, adminPassword);
    await see(navLink(admin, 'Agents'), 'the "Agents" nav link of an administrator');
    await navLink(admin, 'Agents').click();
    await until('/admin/agents', async () => new URL(admin.url()).pathname === '/admin/agents');
    const link = await see(admin.getByRole('link', { name: agentHost, exact: true }), `the agent "${agentHost}" on the Agents page`);
    check((await link.getAttribute('href')) === `/admin/agents/${agentId}`, `the agent's link goes to ${await link.getAttribute('href')}`);
    for (const col of ['Agent', 'State', 'Enabled', 'Last check-in', 'Cores', 'Memory', 'Sessions']) {
      await see(admin.getByRole('columnheader', { name: col, exact: true }), `the column "${col}" on Agents`);
    }
    await see(admin.getByRole('link', { name: 'Enroll an agent' }), 'the "Enroll an agent" link');
    await shot(admin, 'agents');

    await link.click();
    await until('the agent page', async () => new URL(admin.url()).pathname === `/admin/agents/${agentId}`);
    await see(admin.getByRole('button', { name: 'Disable agent', exact: true }), 'the "Disable agent" button');
    for (const l of ['Cores override', 'Memory override (MiB)', 'GPUs override']) await see(admin.getByLabel(l, { exact: true }), `the field "${l}"`);
    await see(admin.getByRole('button', { name: 'Save overrides' }), 'the "Save overrides" button');
    await shot(admin, 'agent');
    try {
      await admin.getByRole('button', { name: 'Disable agent', exact: true }).click();
      await see(admin.getByTestId('agent-enabled').filter({ hasText: 'Disabled' }), '"Disabled" (data-testid=agent-enabled)');
      await see(admin.getByRole('button', { name: 'Enable agent', exact: true }), 'the "Enable agent" button of a disabled agent');
      // The server agrees, asked with the administrator's own login (the one the page uses).
      const browserToken = await admin.evaluate(() => sessionStorage.getItem('hotdesk.bearer'));
      check(browserToken, 'no login token in sessionStorage "hotdesk.bearer"');
      await until('the server to say the agent is disabled', async () => (await api('GET', `/v1/agents/${agentId}`, browserToken)).agent.enabled !== true, 10000);
      await shot(admin, 'agent-disabled');

      await alice.goto(base + '/');
      const t = await see(tile(alice, DESKTOP), `the "${DESKTOP}" tile`);
      await t.getByRole('button', { name: `Launch ${DESKTOP}` }).click();
      const alert = await see(t.getByRole('alert'), 'the refusal next to the tile (role=alert)', 20000);
      const text = (await alert.textContent()).trim();
      log('launch refused:', JSON.stringify(text));
      check(/agent/i.test(text), `the refusal does not mention agents: ${JSON.stringify(text)}`);
      check(new URL(alice.url()).pathname === '/', `a refused launch left the catalog for ${alice.url()}`);
      await shot(alice, 'catalog-launch-refused');

      await admin.getByRole('button', { name: 'Enable agent', exact: true }).click();
      await see(admin.getByRole('button', { name: 'Disable agent', exact: true }), 'the "Disable agent" button again');
      await until('"Disabled" to go away (data-testid=agent-enabled)', async () => !/Disabled/.test(await admin.getByTestId('agent-enabled').textContent()), 10000);
      await until('the server to say the agent is enabled', async () => (await getAgent()).enabled === true, 10000);
      await shot(admin, 'agent-enabled');
    } finally {
      if ((await getAgent()).enabled !== true) {
        log('re-enabling the agent through the API');
        await api('PATCH', `/v1/agents/${agentId}?updateMask=enabled`, adminToken, { enabled: true });
      }
    }
  });

  // d. The administrator edits Test desktop's description.
  const description = `Edited in the browser at ${new Date().toISOString()}`;
  await step('d. admin edits the workspace description', async () => {
    if (!admin) {
      admin = await newPage('admin');
      await admin.goto(base + '/');
      await signIn(admin, adminUser, adminPassword);
    }
    await navLink(admin, 'Manage workspaces').click();
    await until('/admin/workspaces', async () => new URL(admin.url()).pathname === '/admin/workspaces');
    await see(admin.getByRole('link', { name: 'Spare', exact: true }), 'the workspace "Spare" in Manage workspaces');
    await see(admin.getByRole('link', { name: 'New workspace' }), 'the "New workspace" link');
    const link = await see(admin.getByRole('link', { name: DESKTOP, exact: true }), `the workspace "${DESKTOP}" in Manage workspaces`);
    await shot(admin, 'manage-workspaces');
    await link.click();
    editUrl = `${base}/admin/workspaces/${workspaceId}`;
    await until('the workspace edit page', async () => new URL(admin.url()).pathname === `/admin/workspaces/${workspaceId}`);
    const field = await see(admin.getByLabel('Description', { exact: true }), 'the "Description" field');
    for (const l of ['Name', 'Image', 'Cores', 'Memory (MiB)', 'Docker run config override (JSON)']) await see(admin.getByLabel(l, { exact: true }), `the field "${l}"`);
    await see(admin.getByRole('heading', { name: 'Image status' }), 'the "Image status" heading');
    await shot(admin, 'workspace-edit');
    await field.fill(description);
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await see(admin.getByRole('status').filter({ hasText: 'Saved.' }), 'the "Saved." status');
    await shot(admin, 'workspace-saved');
    await admin.reload();
    await see(admin.getByLabel('Description', { exact: true }), 'the "Description" field after a reload');
    await until('the saved description after a reload', async () => (await admin.getByLabel('Description', { exact: true }).inputValue()) === description, 10000);
    const w = await getWorkspace();
    check(w.description === description, `the server stored the description ${JSON.stringify(w.description)}`);
  });

  // e. Bad input: refused on the client (no request), then by the server (nothing stored).
  await step('e. validation on the client and on the server', async () => {
    let patches = 0;
    const count = (r) => {
      if (r.method() === 'PATCH' && new URL(r.url()).pathname.startsWith('/v1/workspaces')) patches++;
    };
    admin.on('request', count);
    try {
      await admin.goto(editUrl);
      const cores = await see(admin.getByLabel('Cores', { exact: true }), 'the "Cores" field');
      const before = await getWorkspace();
      await cores.fill('-1');
      await admin.getByRole('button', { name: 'Save changes' }).click();
      const err = await fieldError(admin, 'Cores');
      log('Cores -1:', JSON.stringify(err));
      await admin.waitForTimeout(500);
      check(patches === 0, `a bad Cores value was sent to the server (${patches} PATCH request(s))`);
      await shot(admin, 'workspace-validation-error');

      await cores.fill(String(before.container.cores));
      const override = await see(admin.getByLabel('Docker run config override (JSON)', { exact: true }), 'the override field');
      await override.fill('{"privileged_mode": true}');
      await admin.getByRole('button', { name: 'Save changes' }).click();
      const alert = await see(admin.getByRole('alert').filter({ hasText: /privileged_mode/ }), "the server's refusal of the override (role=alert)");
      const msg = (await alert.textContent()).trim();
      log('server refusal:', JSON.stringify(msg));
      check(/unknown key/i.test(msg), `the refusal is not the server's message: ${JSON.stringify(msg)}`);
      check(patches === 1, `expected one PATCH to reach the server, saw ${patches}`);
      await notThere(admin.getByRole('status').filter({ hasText: 'Saved.' }), '"Saved." after a refused save');
      await shot(admin, 'workspace-server-refusal');
      const after = await getWorkspace();
      check((after.container.dockerRunConfigOverride || '') === (before.container.dockerRunConfigOverride || ''),
        `the refused override was stored: ${JSON.stringify(after.container.dockerRunConfigOverride)}`);
      check(after.container.cores === before.container.cores && after.description === before.description && after.updateTime === before.updateTime,
        'the workspace changed although the save was refused');
    } finally {
      admin.off('request', count);
    }
  });

  // f. The login is revoked while a form is being filled in: sign in again, the text is kept.
  await step('f. an expired login keeps what was typed', async () => {
    await admin.goto(editUrl);
    const field = await see(admin.getByLabel('Description', { exact: true }), 'the "Description" field');
    const stored = (await getWorkspace()).description;
    const typed = 'Typed before the login expired ' + Date.now();
    await field.fill(typed);
    const token = await admin.evaluate(() => sessionStorage.getItem('hotdesk.bearer'));
    check(token, 'no login token in sessionStorage "hotdesk.bearer"');
    await api('POST', '/v1/auth:logout', token, {});
    log('revoked the browser login');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await until('the login page', async () => new URL(admin.url()).pathname === '/login', 15000);
    await see(admin.getByText(/expired/i), 'the notice that the sign-in expired');
    await see(admin.getByRole('button', { name: 'Sign in' }), 'the "Sign in" button');
    await shot(admin, 'login-expired');
    await signIn(admin, adminUser, adminPassword);
    await until('back on the workspace edit page', async () => new URL(admin.url()).pathname === `/admin/workspaces/${workspaceId}`, 15000);
    await see(admin.getByLabel('Description', { exact: true }), 'the "Description" field after signing in again');
    await until('the typed description to be back in the field', async () => (await admin.getByLabel('Description', { exact: true }).inputValue()) === typed, 10000)
      .catch(async (e) => {
        throw new Error(`${e.message}; the field holds ${JSON.stringify(await admin.getByLabel('Description', { exact: true }).inputValue())}`);
      });
    await shot(admin, 'workspace-edit-draft-restored');
    check((await getWorkspace()).description === stored, 'the description was saved although the login had expired');
  });

  // The other admin pages: each renders (a title, no error), kept as a screenshot.
  await step('admin pages render', async () => {
    const problems = [];
    const visit = async (name, go, expect) => {
      await go();
      await see(admin.getByRole('heading', { level: 1 }), `the heading of ${name}`);
      await settle(admin);
      if (expect) await expect();
      const title = (await admin.getByRole('heading', { level: 1 }).first().textContent()).trim();
      if (/Not built yet/.test(await admin.locator('main').textContent())) problems.push(`${name} is still a stub`);
      const alerts = (await admin.getByRole('alert').allTextContents()).filter((s) => s.trim());
      if (alerts.length) problems.push(`${name} shows an error: ${alerts.join(' | ')}`);
      log(`${name}: "${title}"`);
      await shot(admin, name);
    };
    await admin.goto(base + '/');
    await visit('users', () => navLink(admin, 'Users').click(), async () => {
      await see(admin.getByRole('link', { name: aliceUser, exact: true }).or(admin.getByText(aliceUser, { exact: true })), 'alice on Users');
    });
    const aliceLink = admin.getByRole('link', { name: aliceUser, exact: true });
    if (await aliceLink.count()) {
      await visit('user', () => aliceLink.first().click(), async () => {
        await see(admin.getByRole('checkbox', { name: 'Staff' }), 'the group "Staff" checkbox on alice\'s page');
        check(await admin.getByRole('checkbox', { name: 'Staff' }).isChecked(), 'alice\'s page does not show her in "Staff"');
      });
    } else problems.push('Users has no link named "alice"');
    await visit('groups', () => navLink(admin, 'Groups').click(), () => see(admin.getByText('Staff', { exact: true }), 'the group Staff on Groups'));
    const staffLink = admin.getByRole('link', { name: 'Staff', exact: true });
    if (await staffLink.count()) {
      await visit('group', () => staffLink.first().click(), async () => {
        await see(admin.getByRole('checkbox', { name: aliceUser }), 'the member checkbox "alice"');
        check(await admin.getByRole('checkbox', { name: aliceUser }).first().isChecked(), 'Staff\'s page does not show alice as a member');
        check(await admin.getByRole('checkbox', { name: DESKTOP }).first().isChecked(), `Staff's page does not allow "${DESKTOP}"`);
        check(!(await admin.getByRole('checkbox', { name: 'Spare' }).first().isChecked()), 'Staff\'s page allows "Spare"');
      });
    } else problems.push('Groups has no link named "Staff"');
    await visit('zones', () => navLink(admin, 'Zones').click());
    await visit('all-sessions', () => navLink(admin, 'All sessions').click(), async () => {
      for (const l of ['User', 'Workspace', 'Agent', 'Include ended']) await see(admin.getByLabel(l, { exact: true }), `the filter "${l}"`);
    });
    await visit('api-keys', () => navLink(admin, 'API keys').click(), async () => {
      for (const l of ['Name', 'Scope', 'Expires']) await see(admin.getByLabel(l, { exact: true }), `the field "${l}"`);
    });
    await visit('enrollment', async () => {
      await navLink(admin, 'Agents').click();
      await see(admin.getByRole('link', { name: 'Enroll an agent' }), 'the "Enroll an agent" link');
      await admin.getByRole('link', { name: 'Enroll an agent' }).click();
      await until('/admin/agents/enroll', async () => new URL(admin.url()).pathname === '/admin/agents/enroll');
    });
    await admin.getByRole('button', { name: 'Create enrollment token' }).click();
    const token = await see(admin.getByTestId('enrollment-token'), 'the enrollment token (data-testid=enrollment-token)');
    const secret = ((await token.textContent()) || '').trim();
    check(secret.length > 20, 'the enrollment token shown is empty or short');
    // The command to run names this server's agent listener, as the server reported it.
    await see(admin.getByText(`agentd --server ${agentAddress} --token ${secret}`), `the agentd command with --server ${agentAddress}`);
    await shot(admin, 'enrollment-token');

    // The audit log: the description saved in d. shows as admin's "Update workspace" of Test
    // desktop (OK, linked to its page); filtered to alice, only her events, her launch among them.
    const auditRows = () => admin.locator('table.data tbody tr');
    const userCell = (row) => row.locator('td[data-label="User"]');
    const update0 = () =>
      auditRows()
        .filter({ has: admin.locator(`a[href="/admin/workspaces/${workspaceId}"]`) })
        .filter({ has: admin.locator('td[data-label="Action"]', { hasText: /^Update workspace$/ }) })
        .filter({ has: admin.locator('td[data-label="Result"]', { hasText: /^OK$/ }) })
        .filter({ has: admin.locator('td[data-label="User"]', { hasText: new RegExp(`^${adminUser}$`) }) });
    await visit('audit', () => navLink(admin, 'Audit log').click(), async () => {
      await see(admin.getByLabel('User', { exact: true }), 'the filter "User" on the audit log');
      await see(admin.getByRole('button', { name: 'Refresh', exact: true }), 'the "Refresh" button on the audit log');
      const row = await see(update0(), `admin's "Update workspace" of ${DESKTOP} (Result OK, linked to /admin/workspaces/${workspaceId}) on the audit log`);
      const link = row.locator(`a[href="/admin/workspaces/${workspaceId}"]`);
      check(((await link.textContent()) || '').trim() === DESKTOP, `the update's resource link reads ${JSON.stringify(await link.textContent())}, not "${DESKTOP}"`);
      check(
        (await row.locator('td[data-label="Action"] [title]').getAttribute('title')) === '/hotdesk.v1.WorkspaceService/UpdateWorkspace',
        'the action does not carry the raw method in its title',
      );
    });
    await admin.getByLabel('User', { exact: true }).selectOption({ label: aliceUser });
    await until('?user= in the audit log URL', async () => new URL(admin.url()).searchParams.get('user'));
    const aliceId = new URL(admin.url()).searchParams.get('user');
    await until("only alice's events on the audit log", async () => {
      const users = (await userCell(auditRows()).allTextContents()).map((s) => s.trim());
      return users.length > 0 && users.every((u) => u === aliceUser);
    }, 15000).catch(async (e) => {
      throw new Error(`${e.message}; the User column reads ${JSON.stringify(await userCell(auditRows()).allTextContents())}`);
    });
    const launch = auditRows()
      .filter({ has: admin.locator('td[data-label="Action"]', { hasText: /^Create session$/ }) })
      .filter({ has: admin.locator('td[data-label="Result"]', { hasText: /^OK$/ }) });
    await see(launch, "alice's \"Create session\" (OK) on the audit log filtered to alice");
    if (sessionId) await see(launch.locator(`a[href="/sessions/${sessionId}"]`), `the link to alice's session /sessions/${sessionId}`);
    check(new URL(admin.url()).pathname === '/admin/audit', `the filter left the audit log for ${admin.url()}`);
    await admin.reload();
    await see(admin.getByLabel('User', { exact: true }), 'the audit log after a reload');
    await until('the User filter kept through a reload', async () => (await admin.getByLabel('User', { exact: true }).inputValue()) === aliceId, 10000);
    await shot(admin, 'audit-alice');
    await admin.setViewportSize(PHONE);
    await settle(admin);
    const { scroll, inner } = await scrollsSideways(admin);
    if (scroll > inner) problems.push(`the audit log scrolls sideways at ${PHONE.width} px (scrollWidth ${scroll} > ${inner})`);
    await shot(admin, 'phone-audit');
    await admin.setViewportSize(WIDE);

    // More than a page of events, made with an API key: Refresh shows them (the key's name in
    // the User column), "Load 100 more" the older ones, down to the start of the log.
    await admin.getByRole('button', { name: 'Clear filter', exact: true }).click();
    await until('the User filter cleared', async () => !new URL(admin.url()).searchParams.get('user'));
    const keyName = `audit-test-${Date.now()}`;
    const key = await api('POST', '/v1/apiKeys', adminToken, { apiKey: { name: keyName, scope: 'API_KEY_SCOPE_FULL' } });
    try {
      // Keep-alives of alice's stopped session: recorded (refused), nothing changes.
      for (let i = 0; i < 105; i++) await api('POST', `/v1/sessions/${sessionId || workspaceId}:keepAlive`, key.secret, {}).catch(() => {});
      await admin.getByRole('button', { name: 'Refresh', exact: true }).click();
      const byKey = auditRows().filter({ has: admin.locator('td[data-label="User"]', { hasText: `API key “${keyName}”` }) });
      await until('the API key\'s events after Refresh', async () => (await byKey.count()) > 0, 15000);
      const first = ((await userCell(auditRows().first()).textContent()) || '').trim();
      check(first.startsWith(adminUser) && first.includes(keyName), `the newest event's User reads ${JSON.stringify(first)}, not ${adminUser} with API key "${keyName}"`);
      check((await auditRows().count()) === 100, `the first page shows ${await auditRows().count()} events, not 100`);
      await notThere(update0(), 'the "Update workspace" of step d on the first page (it is older than 100 events)');
      const more = await see(admin.getByRole('button', { name: 'Load 100 more', exact: true }), 'the "Load 100 more" button');
      await more.focus();
      await admin.keyboard.press('Enter');
      await until('older events after "Load 100 more"', async () => (await auditRows().count()) > 100, 15000);
      await see(update0(), 'the "Update workspace" of step d after "Load 100 more"');
      const ids = await auditRows().evaluateAll((rows) => rows.map((r) => r.dataset.key));
      check(new Set(ids).size === ids.length, 'an event is listed twice after "Load 100 more"');
      const end = await see(admin.getByText('That is the start of the log.'), 'the note that the log starts here');
      check(await end.evaluate((el) => el === document.activeElement), 'the focus did not move to the end note when "Load 100 more" went away');
      await shot(admin, 'audit-load-more');
    } finally {
      await api('DELETE', `/v1/apiKeys/${key.apiKey.id}`, adminToken).catch(() => {});
    }
    check(!problems.length, problems.join('; '));
  });

  // g. Phone width: no sideways scrolling, and the menu opens the navigation.
  await step('g. phone width', async () => {
    const problems = [];
    const narrow = async (page, name) => {
      const { scroll, inner } = await scrollsSideways(page);
      log(`${name} at phone width: scrollWidth ${scroll}, innerWidth ${inner}`);
      if (scroll > inner) problems.push(`${name} scrolls sideways at ${PHONE.width} px (scrollWidth ${scroll} > ${inner})`);
    };
    const menu = async (page, name, link) => {
      const button = await see(page.getByRole('button', { name: 'Menu' }), `the "Menu" button on ${name}`);
      if (await navLink(page, link).isVisible()) problems.push(`the nav link "${link}" is visible before the menu is opened on ${name}`);
      await button.click();
      await see(navLink(page, link), `the nav link "${link}" after pressing Menu on ${name}`);
      check((await button.getAttribute('aria-expanded')) === 'true', `Menu's aria-expanded is ${await button.getAttribute('aria-expanded')} when open`);
    };
    await alice.setViewportSize(PHONE);
    await alice.goto(base + '/');
    await see(tile(alice, DESKTOP), `the "${DESKTOP}" tile at phone width`);
    await narrow(alice, 'the catalog');
    await shot(alice, 'phone-catalog');
    await menu(alice, 'the catalog', 'My sessions');
    await shot(alice, 'phone-catalog-menu');
    // A session launched on the phone: its page while running, then destroyed.
    await navLink(alice, 'Workspaces').click();
    await tile(alice, DESKTOP).getByRole('button', { name: `Launch ${DESKTOP}` }).click();
    await until('the session page at phone width', async () => /^\/sessions\/[^/]+$/.test(new URL(alice.url()).pathname), 30000);
    const phoneSession = decodeURIComponent(new URL(alice.url()).pathname.split('/')[2]);
    try {
      await followStates(alice, 'Running', 120000, noShots);
      await see(alice.getByRole('link', { name: 'Connect', exact: true }), 'the "Connect" link at phone width');
      await narrow(alice, 'the running session page');
      await shot(alice, 'phone-session-running');
      await alice.getByRole('button', { name: 'Destroy', exact: true }).click();
      await alice.getByRole('button', { name: 'Confirm: destroy', exact: true }).click();
      await followStates(alice, 'Stopped', 60000, noShots);
      await narrow(alice, 'the stopped session page');
      await shot(alice, 'phone-session-stopped');
    } finally {
      await api('DELETE', `/v1/sessions/${phoneSession}`, adminToken).catch(() => {});
    }
    await alice.goto(base + '/sessions');
    await see(alice.getByRole('heading', { level: 1 }), 'My sessions at phone width');
    await narrow(alice, 'My sessions');
    await shot(alice, 'phone-my-sessions');

    await admin.setViewportSize(PHONE);
    await admin.goto(base + '/admin/agents');
    await see(admin.getByRole('link', { name: agentHost, exact: true }), 'the agent at phone width');
    await narrow(admin, 'the agents page');
    await shot(admin, 'phone-agents');
    await menu(admin, 'the agents page', 'Agents');
    await shot(admin, 'phone-agents-menu');
    await alice.setViewportSize(WIDE);
    await admin.setViewportSize(WIDE);
    check(!problems.length, problems.join('; '));
  });

  // h. Keyboard: the login form in Tab order, Enter signs in.
  await step('h. keyboard on the login page', async () => {
    const kb = await newPage('keyboard');
    await kb.goto(base + '/login');
    await see(kb.getByRole('button', { name: 'Sign in' }), 'the login page');
    const autofocus = await kb.evaluate(() => document.activeElement?.labels?.[0]?.textContent?.trim() ?? '');
    log('focused on arrival:', JSON.stringify(autofocus));
    // Start from the top of the document, as after clicking the page's background.
    await kb.mouse.click(2, 2);
    await kb.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    const focused = () =>
      kb.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return '';
        if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
        return (el.getAttribute('aria-label') || el.textContent || '').trim();
      });
    const order = [];
    const tabTo = async (name, max = 8) => {
      for (let i = 0; i < max; i++) {
        await kb.keyboard.press('Tab');
        const f = await focused();
        order.push(f);
        if (f === name) return;
      }
      throw new Error(`Tab never reached "${name}" (focus went: ${order.join(' → ')})`);
    };
    await tabTo('User name', 3);
    await kb.keyboard.type(aliceUser);
    await tabTo('Password', 1);
    await kb.keyboard.type(alicePassword);
    await tabTo('Sign in', 3);
    log('tab order:', order.join(' → '));
    await kb.keyboard.press('Shift+Tab');
    while ((await focused()) !== 'Password') {
      await kb.keyboard.press('Shift+Tab');
      check(order.length++ < 20, 'Shift+Tab did not get back to Password');
    }
    await shot(kb, 'login-keyboard');
    await kb.keyboard.press('Enter');
    await until('Enter to sign in', async () => new URL(kb.url()).pathname === '/', 15000);
    await see(tile(kb, DESKTOP), `the "${DESKTOP}" tile after signing in with the keyboard`);
    await kb.context().close();
    delete pages.keyboard;
  });

  // Nothing is left running: alice's sessions have all ended.
  await step('no live session is left', async () => {
    const list = (await api('GET', '/v1/sessions', adminToken)).sessions || [];
    const live = list.filter((s) => !['SESSION_STATE_STOPPED', 'SESSION_STATE_FAILED', 'SESSION_STATE_LOST'].includes(s.state));
    for (const s of live) await api('DELETE', `/v1/sessions/${s.id}`, adminToken).catch(() => {});
    check(!live.length, `sessions still live at the end: ${live.map((s) => `${s.id} ${s.state}`).join(', ')}`);
  });

  // i. alice changes her password on her account page (last: the steps above sign her in with
  // HOTDESK_USER_PASSWORD; the old password is put back at the end all the same).
  await step('i. alice changes her password on her account page', async () => {
    const newPassword = `alice-new-pw-${Date.now()}`;
    const elsewhere = (await api('POST', '/v1/auth:login', null, { username: aliceUser, password: alicePassword })).token;
    let sent = 0;
    const count = (r) => {
      if (r.url().includes('/v1/auth:changePassword')) sent++;
    };
    alice.on('request', count);
    try {
      await alice.setViewportSize(WIDE);
      await alice.goto(base + '/');
      await see(tile(alice, DESKTOP), `the "${DESKTOP}" tile`);
      await nav(alice).locator('a[href="/account"]').click();
      await until('/account', async () => new URL(alice.url()).pathname === '/account');
      await see(alice.getByRole('heading', { level: 1, name: 'Your account' }), 'the heading "Your account"');
      await see(alice.locator('dl.props dd', { hasText: new RegExp(`^${aliceUser}$`) }), `her user name "${aliceUser}" on the account page`);
      await see(alice.locator('dl.props dd', { hasText: /^1 group$/ }), 'her one group (Staff) counted on the account page');
      await shot(alice, 'account');
      const fill = async (current, next, repeat) => {
        await alice.getByLabel('Current password', { exact: true }).fill(current);
        await alice.getByLabel('New password', { exact: true }).fill(next);
        await alice.getByLabel('Repeat new password', { exact: true }).fill(repeat);
        await alice.getByRole('button', { name: 'Change password', exact: true }).click();
      };

      // Refused on the client, nothing sent: too short, and two new passwords that differ.
      await fill(alicePassword, 'short', 'short');
      const short = await fieldError(alice, 'New password');
      check(/8/.test(short), `the too-short error reads ${JSON.stringify(short)}, which does not say 8 characters`);
      await fill(alicePassword, newPassword, newPassword + 'x');
      const differ = await fieldError(alice, 'Repeat new password');
      check(/differ/i.test(differ), `the repeat error reads ${JSON.stringify(differ)}`);
      check(sent === 0, `${sent} ChangePassword request(s) sent for input the page should have refused`);
      await shot(alice, 'account-client-errors');

      // Refused by the server: a wrong current password, named next to "Current password".
      await fill('not-alices-password', newPassword, newPassword);
      const wrong = await fieldError(alice, 'Current password');
      check(/current/i.test(wrong), `the wrong-password error reads ${JSON.stringify(wrong)}`);
      check(sent === 1, `${sent} ChangePassword requests sent, want 1`);
      await shot(alice, 'account-wrong-password');
      await api('POST', '/v1/auth:login', null, { username: aliceUser, password: alicePassword }).catch((e) => {
        throw new Error(`the refused change broke alice's password: ${e.message}`);
      });

      // Changed: the status says so, the fields are empty, this sign-in goes on.
      await fill(alicePassword, newPassword, newPassword);
      await see(alice.getByRole('status').filter({ hasText: 'Password changed. Other sign-ins were signed out.' }), 'the status "Password changed. Other sign-ins were signed out."');
      for (const l of ['Current password', 'New password', 'Repeat new password']) {
        check((await alice.getByLabel(l, { exact: true }).inputValue()) === '', `"${l}" still holds a value after the change`);
      }
      await shot(alice, 'account-password-changed');
      const fresh = (await api('POST', '/v1/auth:login', null, { username: aliceUser, password: newPassword })).token;
      check(fresh && fresh.startsWith('hdt_'), 'the new password did not log in over REST');
      const old = await api('POST', '/v1/auth:login', null, { username: aliceUser, password: alicePassword }).then(() => 'accepted', (e) => e.message);
      check(/HTTP 401/.test(old), `the old password, after the change: ${old}`);
      const other = await api('GET', '/v1/auth/me', elsewhere).then(() => 'accepted', (e) => e.message);
      check(/HTTP 401/.test(other), `alice's other sign-in, after the change: ${other}`);
      await navLink(alice, 'Workspaces').click();
      await see(tile(alice, DESKTOP), 'her catalog after the change (the browser stays signed in)');
      check(new URL(alice.url()).pathname === '/', `the browser left for ${alice.url()} after the change`);
    } finally {
      alice.off('request', count);
      // Put the old password back, for anything that runs after this step.
      const tok = await api('POST', '/v1/auth:login', null, { username: aliceUser, password: newPassword }).then((r) => r.token, () => '');
      if (tok) await api('POST', '/v1/auth:changePassword', tok, { currentPassword: newPassword, newPassword: alicePassword }).catch((e) => log('restoring alice\'s password:', e.message));
    }
  });
} catch (e) {
  failures.push(`unexpected: ${e.stack || e.message}`);
} finally {
  await browser.close().catch(() => {});
}

if (pageErrors.length) failures.push(`uncaught page errors: ${pageErrors.join(' | ')}`);
log('passed:', passed.length ? passed.join('; ') : 'none');
if (failures.length) {
  for (const f of failures) console.error('FAIL:', f);
  process.exitCode = 1;
} else {
  log('PASS');
}
