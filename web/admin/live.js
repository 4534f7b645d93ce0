/**
 * The console's Live view: new audit events as they happen, from the socket.io namespace /admin
 * at path /admin/socket.io, newest on top, opening with the newest events already in the table;
 * pause, clear and a text filter. It runs while an Admin is signed in (common.js).
 */
import { $, api, eventRow, onSignedIn, onSignedOut, signOut } from './common.js';

const LIVE_MAX_ROWS = 500;
/** Events from the table the live view opens with. */
const RECENT_ON_OPEN = 50;

/** @type {any} */
let socket = null;
let paused = false;
let skippedTotal = 0;
const liveBody = /** @type {HTMLElement} */ ($('live-table').querySelector('tbody'));
const liveFilter = /** @type {HTMLInputElement} */ ($('live-filter'));

/** @param {string} state @param {string} text */
function liveStatus(state, text) {
  const status = $('live-status');
  status.className = `status ${state}`;
  status.textContent = text;
}

/** @param {HTMLElement} tr */
function applyLiveFilter(tr) {
  const wanted = liveFilter.value.trim().toLowerCase();
  tr.hidden = wanted !== '' && !(tr.textContent ?? '').toLowerCase().includes(wanted);
}

function startLive() {
  stopLive();
  // @ts-ignore  the socket.io client script defines `io`
  const make = globalThis.io;
  if (typeof make !== 'function') return liveStatus('down', 'No socket.io client');
  socket = make('/admin', { path: '/admin/socket.io', reconnectionDelayMax: 10_000 });
  liveStatus('connecting', 'Connecting…');
  socket.on('connect', () => liveStatus('connected', 'Live'));
  socket.on('disconnect', () => liveStatus('connecting', 'Reconnecting…'));
  socket.on('connect_error', async () => {
    liveStatus('down', 'Not connected');
    // Refused because the session is gone? Then log in again (api() signs out on 401).
    try {
      await api('me');
    } catch {
      stopLive();
    }
  });
  socket.on('ended', () => signOut('Your session has ended; please log in again.'));
  socket.on('events', (/** @type {{ events: any[], skipped: number }} */ batch) => {
    if (batch.skipped > 0) {
      skippedTotal += batch.skipped;
      $('live-note').textContent = `${skippedTotal} event(s) skipped: this tab did not keep up.`;
    }
    if (paused) return;
    for (const event of batch.events) liveBody.prepend(liveRow(event));
    while (liveBody.childElementCount > LIVE_MAX_ROWS) liveBody.lastElementChild?.remove();
  });
  void showRecent();
}

/** The same event from the tail and from the table: the same time, type, session and payload. @param {any} e */
const eventKey = (e) => `${e.ts}|${e.event_type}|${e.actor?.session_id ?? ''}|${JSON.stringify(e.payload ?? {})}`;

/** @param {any} event */
function liveRow(event) {
  const tr = eventRow(event);
  tr.dataset.key = eventKey(event);
  applyLiveFilter(tr);
  return tr;
}

/**
 * The tail only carries what happens from now on: on opening, the newest events already in the
 * audit table go below whatever has arrived live meanwhile (each event once).
 */
async function showRecent() {
  try {
    const result = await api(`events?limit=${RECENT_ON_OPEN}`);
    const shown = new Set([...liveBody.children].map((tr) => /** @type {HTMLElement} */ (tr).dataset.key));
    for (const event of result.events) if (!shown.has(eventKey(event))) liveBody.append(liveRow(event));
    while (liveBody.childElementCount > LIVE_MAX_ROWS) liveBody.lastElementChild?.remove();
  } catch (error) {
    $('live-note').textContent = `Earlier events could not be shown: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function stopLive() {
  if (socket) {
    socket.removeAllListeners();
    socket.close();
    socket = null;
  }
  liveStatus('closed', 'Off');
}

$('live-pause').addEventListener('click', () => {
  paused = !paused;
  $('live-pause').textContent = paused ? 'Resume' : 'Pause';
  if (paused) liveStatus('paused', 'Paused');
  else if (socket?.connected) liveStatus('connected', 'Live');
});
$('live-clear').addEventListener('click', () => liveBody.replaceChildren());
liveFilter.addEventListener('input', () => {
  for (const tr of liveBody.children) applyLiveFilter(/** @type {HTMLElement} */ (tr));
});

onSignedIn(startLive);
onSignedOut(() => stopLive());
