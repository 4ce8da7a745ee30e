// Hotdesk connect page: opens one session's desktop with noVNC (served by this server from
// the system's novnc package). It signs in (or takes a connect token from ?token=), waits for
// the session to run, gets a fresh single-use connect token for every (re)connection, and says
// plainly when the session is starting, has ended, or cannot be reached.
import RFB from '/novnc/core/rfb.js';

const $ = (id) => document.getElementById(id);
const screenEl = $('screen');
const statusEl = $('status');
const sessionId = decodeURIComponent(location.pathname.split('/')[2] || '');
const RUNNING = 'SESSION_STATE_RUNNING';
const ENDED = new Set(['SESSION_STATE_STOPPING', 'SESSION_STATE_STOPPED', 'SESSION_STATE_FAILED', 'SESSION_STATE_LOST']);
const BEARER = 'hotdesk.bearer';

// A token handed over in the URL (automation, or a link from the API) is used once, and taken
// out of the address bar and history at once.
const params = new URLSearchParams(location.search);
let handedToken = params.get('token') || '';
if (handedToken) {
  params.delete('token');
  const q = params.toString();
  history.replaceState(null, '', location.pathname + (q ? '?' + q : ''));
}

const state = { name: 'loading', rfb: null, sessionId, attempts: 0, lastClose: null, session: null };
window.hotdesk = state; // for scripts and tests

let rfb = null;
let closeInfo = null;
let stopped = false;
let tokenRetry = false;
let reconnectTimer = 0;

// ---------------------------------------------------------------- credentials and API

function bearer() { return sessionStorage.getItem(BEARER) || localStorage.getItem(BEARER) || ''; }
function setBearer(t, remember) {
  sessionStorage.setItem(BEARER, t);
  if (remember) localStorage.setItem(BEARER, t);
}
function dropBearer() { sessionStorage.removeItem(BEARER); localStorage.removeItem(BEARER); }

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    const info = ((body && body.details) || []).find((d) => String(d['@type'] || '').endsWith('ErrorInfo'));
    this.reason = info ? info.reason : '';
  }
}

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (bearer()) headers.Authorization = 'Bearer ' + bearer();
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = {};
  try { json = await r.json(); } catch { /* empty body */ }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// ---------------------------------------------------------------- status

function show(name, text, opts = {}) {
  if (state.name !== name) console.debug(`hotdesk: ${name}${text ? ': ' + text : ''}`);
  state.name = name;
  statusEl.dataset.state = name;
  $('conn').dataset.state = name;
  $('statusText').textContent = text;
  $('login').hidden = !opts.login;
  $('retry').hidden = !opts.retry;
  if (opts.login) $('username').focus();
}

function needLogin(text) {
  show('login', text, { login: true });
}

function showEnded(session, reason) {
  stopped = true;
  const why = reason || (session && session.stateReason) || '';
  show('ended', 'This session has ended' + (why ? ` (${why.replace(/^the session has ended ?/, '').replace(/^\((.*)\)$/, '$1')})` : '') +
    '. Launch a new one to continue.');
}

function startingText(s) {
  if (s.state === 'SESSION_STATE_UNREACHABLE') return 'The session’s host is unreachable; waiting for it to come back…';
  return 'Starting your desktop…';
}

// ---------------------------------------------------------------- session state

// waitRunning follows the session (REST server streaming: one JSON object per line) until it
// runs or ends, and returns it.
async function waitRunning() {
  for (;;) {
    const ctrl = new AbortController();
    const r = await fetch(`/v1/sessions/${encodeURIComponent(sessionId)}:watch`, {
      headers: { Authorization: 'Bearer ' + bearer() }, signal: ctrl.signal,
    });
    if (!r.ok) {
      let body = {};
      try { body = await r.json(); } catch { /* empty */ }
      throw new ApiError(r.status, body);
    }
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line);
        if (msg.error) throw new ApiError(msg.error.code === 5 ? 404 : 400, msg.error);
        const s = msg.result && msg.result.session;
        if (!s) continue;
        state.session = s;
        if (s.state === RUNNING || ENDED.has(s.state)) {
          ctrl.abort();
          return s;
        }
        show('starting', startingText(s));
      }
    }
    await sleep(1000); // the stream ended without an answer: look again
  }
}

// ---------------------------------------------------------------- connecting

function claimsOf(token) {
  try {
    const p = token.split('.')[1];
    const b64 = p.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (p.length % 4)) % 4);
    return JSON.parse(atob(b64));
  } catch {
    return null;
  }
}

async function freshToken() {
  const s = state.session && state.session.state === RUNNING ? state.session : await waitRunning();
  if (ENDED.has(s.state)) {
    showEnded(s);
    return '';
  }
  const r = await api('POST', `/v1/sessions/${encodeURIComponent(sessionId)}:connectToken`, {});
  return r.token;
}

async function connect() {
  clearTimeout(reconnectTimer);
  if (stopped) return;
  let token = handedToken;
  handedToken = '';
  try {
    if (!token) {
      if (!bearer()) return needLogin('Sign in to open your desktop.');
      token = await freshToken();
      if (!token) return;
    }
  } catch (e) {
    return apiFailed(e);
  }
  const claims = claimsOf(token);
  if (!claims || !claims.url) return show('error', 'The connect token is malformed.', { retry: !!bearer() });
  show(state.attempts ? 'reconnecting' : 'connecting', state.attempts ? 'Connection lost — reconnecting…' : 'Connecting to your desktop…');

  const ws = new WebSocket(claims.url + '?token=' + encodeURIComponent(token), ['binary']);
  closeInfo = null;
  ws.addEventListener('close', (e) => { closeInfo = { code: e.code, reason: e.reason }; state.lastClose = closeInfo; });
  rfb = new RFB(screenEl, ws, { shared: true });
  state.rfb = rfb;
  rfb.focusOnClick = true;
  rfb.background = '#1e1e1e';
  applyView();
  rfb.addEventListener('connect', () => {
    state.attempts = 0;
    tokenRetry = false;
    show('connected', '');
    rfb.focus();
  });
  rfb.addEventListener('disconnect', onDisconnect);
  rfb.addEventListener('clipboard', (e) => fromDesktop(e.detail.text));
  rfb.addEventListener('desktopname', (e) => {
    document.title = `${e.detail.name} — Hotdesk`;
    $('name').textContent = e.detail.name;
  });
  rfb.addEventListener('credentialsrequired', () => {
    stopped = true;
    rfb.disconnect();
    show('error', 'The desktop asked this page for a password; its proxy should have answered for you. Ask an administrator.', { retry: true });
  });
  rfb.addEventListener('securityfailure', (e) => {
    stopped = true;
    show('error', `The desktop refused the connection: ${e.detail.reason || 'security failure'}.`, { retry: true });
  });
}

function onDisconnect() {
  rfb = null;
  state.rfb = null;
  if (stopped) return;
  const c = closeInfo || { code: 1006, reason: '' };
  switch (c.code) {
  case 4410:
    return showEnded(null, c.reason);
  case 4400: case 4403: case 4404:
    return show('error', `Cannot connect: ${c.reason}.`, { retry: !!bearer() });
  case 4401: case 4409:
    // An expired or spent token: one fresh try, when this page can get one.
    if (bearer() && !tokenRetry) {
      tokenRetry = true;
      return connect();
    }
    if (!bearer()) return needLogin(`Cannot connect: ${c.reason}. Sign in to get a new connect token.`);
    return show('error', `Cannot connect: ${c.reason}.`, { retry: true });
  }
  // A network blip, a restarted proxy, a desktop that closed: reconnect with a fresh token.
  if (!bearer()) return needLogin('Disconnected' + (c.reason ? ` (${c.reason})` : '') + '. Sign in to reconnect.');
  scheduleReconnect(c.reason);
}

function scheduleReconnect(why) {
  state.attempts++;
  state.session = null; // look at the session again before the next token
  const delay = Math.min(15000, 500 * 2 ** Math.min(state.attempts, 5));
  show('reconnecting', `Connection lost${why ? ` (${why})` : ''} — reconnecting in ${Math.ceil(delay / 1000)} s…`);
  reconnectTimer = setTimeout(connect, delay);
}

function apiFailed(e) {
  if (!(e instanceof ApiError)) return scheduleReconnect('the server cannot be reached'); // network
  if (e.status === 401) {
    dropBearer();
    return needLogin('Your sign-in has expired. Sign in again.');
  }
  if (e.status === 404) return show('error', 'There is no such session (or it is not yours).');
  if (e.reason === 'SESSION_ENDED') return showEnded(null, '');
  if (e.reason === 'SESSION_STARTING' || e.reason === 'SESSION_UNREACHABLE') {
    state.session = null;
    show('starting', 'Starting your desktop…');
    reconnectTimer = setTimeout(connect, 1000);
    return undefined;
  }
  if (e.status >= 500) return scheduleReconnect(e.message);
  return show('error', e.message, { retry: true });
}

// ---------------------------------------------------------------- view, clipboard, keepalive

function applyView() {
  const v = $('view').value;
  localStorage.setItem('hotdesk.view', v);
  if (!rfb) return;
  rfb.resizeSession = v === 'resize';
  rfb.scaleViewport = v !== 'none';
  rfb.clipViewport = v === 'none';
}

function fromDesktop(text) {
  $('clipText').value = text;
  if (navigator.clipboard && navigator.clipboard.writeText && document.hasFocus()) {
    navigator.clipboard.writeText(text).catch(() => { /* not allowed: the panel has it */ });
  }
}

function toDesktop(text) {
  if (rfb) rfb.clipboardPasteFrom(text);
}

let clipTimer = 0;
$('clipText').addEventListener('input', () => {
  clearTimeout(clipTimer);
  clipTimer = setTimeout(() => toDesktop($('clipText').value), 300);
});
$('clipSend').addEventListener('click', () => toDesktop($('clipText').value));
$('clipPaste').addEventListener('click', async () => {
  try {
    const t = await navigator.clipboard.readText();
    $('clipText').value = t;
    toDesktop(t);
  } catch {
    $('clipText').placeholder = 'The browser did not allow reading the clipboard: paste here with Ctrl+V.';
  }
});
$('clipToggle').addEventListener('click', () => { $('clip').hidden = !$('clip').hidden; });
$('fullscreen').addEventListener('click', () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
});
$('view').value = localStorage.getItem('hotdesk.view') || 'resize';
$('view').addEventListener('change', applyView);
$('retry').addEventListener('click', () => {
  stopped = false;
  state.attempts = 0;
  tokenRetry = false;
  state.session = null;
  connect();
});

// Keep the session from idling out while this page shows it.
setInterval(() => {
  if (rfb && state.name === 'connected' && bearer()) {
    api('POST', `/v1/sessions/${encodeURIComponent(sessionId)}:keepAlive`, {}).catch(() => {});
  }
}, 5 * 60 * 1000);

$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('loginError').hidden = true;
  try {
    const r = await api('POST', '/v1/auth:login', { username: $('username').value, password: $('password').value });
    setBearer(r.token, $('remember').checked);
    $('password').value = '';
    stopped = false;
    connect();
  } catch (e) {
    $('loginError').textContent = e instanceof ApiError && e.status === 401 ? 'Wrong user name or password.' : `Sign-in failed: ${e.message}`;
    $('loginError').hidden = false;
  }
});

// ---------------------------------------------------------------- start

if (!/^[0-9a-fA-F-]{36}$/.test(sessionId)) {
  show('error', 'This address does not name a session.');
} else {
  connect();
}
