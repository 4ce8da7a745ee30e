// The connect page, end to end in Debian's Chromium: sign in, launch the desktop workspace,
// watch it start, see the desktop, type into its terminal, use the clipboard both ways,
// survive a dropped connection, follow a resize, and see the page say the session ended when
// it is destroyed. Run by browser_test.go, which starts the server and a real agent.
//
// Environment: HOTDESK_URL, HOTDESK_USER, HOTDESK_PASSWORD, HOTDESK_WORKSPACE, ARTIFACTS.
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, log, restClient, until } from './lib.mjs';

const base = process.env.HOTDESK_URL;
const user = process.env.HOTDESK_USER;
const password = process.env.HOTDESK_PASSWORD;
const workspace = process.env.HOTDESK_WORKSPACE;
const artifacts = process.env.ARTIFACTS || 'artifacts';
fs.mkdirSync(artifacts, { recursive: true });

const api = restClient(base);

// canvasStats samples the desktop canvas: size, distinct colours, share of near-white
// pixels, and dark (text) pixels inside a rectangle of the remote screen.
function canvasStats(page, rect) {
  return page.evaluate((rect) => {
    const c = document.querySelector('#screen canvas');
    if (!c || !c.width || !c.height) return null;
    const g = c.getContext('2d');
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let white = 0;
    let n = 0;
    for (let y = 0; y < c.height; y += 4) {
      for (let x = 0; x < c.width; x += 4) {
        const i = (y * c.width + x) * 4;
        colours.add((d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | (d[i + 2] >> 3));
        if (d[i] > 235 && d[i + 1] > 235 && d[i + 2] > 235) white++;
        n++;
      }
    }
    let dark = 0;
    let rows = [];
    if (rect) {
      for (let y = rect.y; y < Math.min(rect.y + rect.h, c.height); y++) {
        let rowDark = 0;
        for (let x = rect.x; x < Math.min(rect.x + rect.w, c.width); x++) {
          const i = (y * c.width + x) * 4;
          if (d[i] < 90 && d[i + 1] < 90 && d[i + 2] < 90) rowDark++;
        }
        dark += rowDark;
        rows.push(rowDark);
      }
    }
    // The window manager: a title bar (openbox's blue) above the terminal, and the panel
    // (its own colours) along the bottom edge.
    let titleBar = false;
    for (let y = 30; y < 70 && !titleBar; y++) {
      let blue = 0;
      for (let x = 100; x < 800; x++) {
        const i = (y * c.width + x) * 4;
        if (d[i + 2] > 150 && d[i + 2] > d[i] + 25) blue++;
      }
      titleBar = blue > 0.8 * 700;
    }
    const panel = new Set();
    for (let y = c.height - 28; y < c.height; y += 2) {
      for (let x = 0; x < c.width; x += 3) {
        const i = (y * c.width + x) * 4;
        panel.add((d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | (d[i + 2] >> 3));
      }
    }
    const r = c.getBoundingClientRect();
    return { w: c.width, h: c.height, colours: colours.size, white: white / n, dark, rows, titleBar, panelColours: panel.size,
      box: { x: r.x, y: r.y, sx: r.width / c.width, sy: r.height / c.height } };
  }, rect);
}

// The terminal opens at +40+40 of the remote screen; this rectangle lies inside it.
const term = { x: 60, y: 70, w: 700, h: 380 };

// waitState waits until the page's status says name (the overlay is hidden when connected).
function waitState(page, name, timeout) {
  return page.waitForFunction((n) => document.getElementById('status').dataset.state === n, name, { timeout, polling: 100 });
}

async function clickRemote(page, x, y, opts = {}) {
  const s = await canvasStats(page);
  await page.mouse.click(s.box.x + x * s.box.sx, s.box.y + y * s.box.sy, opts);
}

const admin = (await api('POST', '/v1/auth:login', null, { username: user, password })).token;
const session = (await api('POST', '/v1/sessions', admin, { workspaceId: workspace })).session;
log('launched session', session.id, 'state', session.state);
if (!session.connectUrl || !session.connectUrl.endsWith('/connect/' + session.id)) {
  throw new Error(`session has no connect URL: ${JSON.stringify(session)}`);
}

const browser = await launchChromium();
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.text().startsWith('hotdesk: ')) log('page', m.text().slice(9));
    else if (m.type() === 'error') log('page console:', m.type(), m.text());
  });
  page.on('pageerror', (e) => log('page error:', e.message));

  // 1. The page asks who we are, then follows the session until it runs and connects.
  await page.goto(session.connectUrl);
  await waitState(page, 'login', 15000);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#login button[type="submit"]');
  const sawStarting = page.locator('#status[data-state="starting"], #status[data-state="connecting"]').first()
    .waitFor({ timeout: 15000 }).then(() => true, () => false);
  await waitState(page, 'connected', 120000);
  log('connected; the page showed progress before:', await sawStarting);

  // 2. Frames arrive: a real picture, with the terminal's white window and the panel.
  const shot = await until('the desktop to draw', async () => {
    const s = await canvasStats(page);
    return s && s.colours > 20 && s.white > 0.05 && s.white < 0.95 && s.titleBar && s.panelColours > 5 ? s : null;
  }, 60000);
  log(`desktop on screen: ${shot.w}x${shot.h}, ${shot.colours} colours, ${(shot.white * 100).toFixed(0)}% white, ` +
    `a window title bar, a panel of ${shot.panelColours} colours`);
  const sizeOK = Math.abs(shot.w - 1280) <= 1 && shot.h > 600;
  if (!sizeOK) throw new Error(`the desktop was not resized to the window: ${shot.w}x${shot.h}`);
  await page.screenshot({ path: path.join(artifacts, '1-desktop.png') });

  // 3. Click the terminal and type: the text appears.
  await until('the terminal to show its prompt', async () => (await canvasStats(page, term)).dark > 50, 30000);
  const before = await canvasStats(page, term);
  await clickRemote(page, 400, 300);
  await page.keyboard.type('echo hotdesk-typed-0123456789', { delay: 20 });
  await page.keyboard.press('Enter');
  const typed = await until('typed text to appear in the terminal', async () => {
    const s = await canvasStats(page, term);
    return s.dark > before.dark + 400 ? s : null;
  }, 20000);
  log(`typing drew ${typed.dark - before.dark} more dark pixels in the terminal`);
  await page.screenshot({ path: path.join(artifacts, '2-typed.png') });

  // 4. Clipboard, desktop to browser: select the command line (xterm puts selections on the
  // clipboard), and the page's clipboard panel gets it.
  await page.click('#clipToggle');
  const firstRow = typed.rows.findIndex((n) => n > 0);
  {
    const s = await canvasStats(page);
    const y = s.box.y + (term.y + firstRow + 6) * s.box.sy;
    await page.mouse.move(s.box.x + 45 * s.box.sx, y);
    await page.mouse.down();
    await page.mouse.move(s.box.x + 700 * s.box.sx, y, { steps: 10 });
    await page.mouse.up();
  }
  const fromDesktop = await until('the desktop clipboard to reach the page', async () => {
    const v = await page.inputValue('#clipText');
    return v.includes('hotdesk-typed-0123456789') ? v : null;
  }, 15000);
  log('clipboard from the desktop:', JSON.stringify(fromDesktop.trim()));

  // 5. Clipboard, browser to desktop: text put in the panel is pasted in the terminal
  // (middle click pastes the selection Xvnc set from it).
  await page.fill('#clipText', 'echo hotdesk-pasted-ABCDEFGHIJ');
  await page.click('#clipSend');
  // Only the prompt line counts: sending the text also clears the terminal's own selection.
  let lastRow = typed.rows.length - 1;
  while (lastRow > 0 && typed.rows[lastRow] === 0) lastRow--;
  const promptLine = { x: term.x, y: term.y + lastRow - 18, w: term.w, h: 30 };
  await page.waitForTimeout(300);
  const beforePaste = await canvasStats(page, promptLine);
  await clickRemote(page, 400, 300, { button: 'middle' });
  await until('pasted text to appear in the terminal', async () => (await canvasStats(page, promptLine)).dark > beforePaste.dark + 300, 20000);
  await page.keyboard.press('Enter');
  await page.click('#clipToggle');
  await page.screenshot({ path: path.join(artifacts, '3-pasted.png') });
  log('clipboard to the desktop: pasted');

  // 6. The window shrinks: the desktop follows.
  await page.setViewportSize({ width: 1024, height: 700 });
  await until('the desktop to follow the window size', async () => {
    const s = await canvasStats(page);
    return Math.abs(s.w - 1024) <= 1 ? s : null;
  }, 20000);
  log('resized with the window');

  // 7. A dropped connection: the page reconnects with a fresh token.
  await page.evaluate(() => window.hotdesk.rfb._sock._websocket.close());
  await waitState(page, 'reconnecting', 10000);
  await waitState(page, 'connected', 30000);
  await until('frames after reconnecting', async () => { const s = await canvasStats(page); return s && s.colours > 20; }, 30000);
  log('reconnected after a dropped connection');

  // 8. Links with a token (automation): a good one opens the desktop once; a reused or a
  // forged one gets a clear message and no desktop.
  const tok = (await api('POST', `/v1/sessions/${session.id}:connectToken`, admin, {})).token;
  const forged = tok.slice(0, -10) + 'AAAAAA' + tok.slice(-4);
  const other = await browser.newContext({ viewport: { width: 800, height: 600 } });
  for (const [name, t, want, state] of [['good', tok, null, 'connected'], ['reused', tok, /used already/, 'login'],
    ['forged', forged, /signature is invalid/, 'login']]) {
    const p = await other.newPage();
    await p.goto(`${base}/connect/${session.id}?token=${encodeURIComponent(t)}`);
    await waitState(p, state, 20000);
    if (new URL(p.url()).searchParams.has('token')) throw new Error('the token stayed in the address bar');
    const text = await p.textContent('#statusText');
    if (want && !want.test(text)) throw new Error(`${name} token: ${text}`);
    log(`${name} token:`, state, JSON.stringify(text));
    await p.screenshot({ path: path.join(artifacts, `4-token-${name}.png`) });
    await p.close();
  }
  await other.close();

  // 9. The session is destroyed: the page says so, and does not try again.
  await api('DELETE', `/v1/sessions/${session.id}`, admin);
  await waitState(page, 'ended', 30000);
  const endText = await page.textContent('#statusText');
  if (!/has ended/.test(endText) || !/destroyed/.test(endText)) throw new Error(`end message: ${endText}`);
  log('ended:', JSON.stringify(endText));
  await page.screenshot({ path: path.join(artifacts, '5-ended.png') });
  log('PASS');
} catch (e) {
  if (page) await page.screenshot({ path: path.join(artifacts, 'failure.png') }).catch(() => {});
  console.error('FAIL:', e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
