/**
 * The webclient: the scrolling output, the input line with its history, the panels beside them,
 * and a socket.io connection to the game. Everything from the server becomes DOM text nodes
 * (textContent), never markup.
 */
import { CommandHistory } from './history.js';
import { Scrollback } from './output.js';
import { createPanels } from './panels.js';
import { scrollbackSearch } from './search.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const pane = $('output');
const form = /** @type {HTMLFormElement} */ ($('inputform'));
const input = /** @type {HTMLInputElement} */ ($('input'));
const statusEl = $('status');
const reconnectButton = /** @type {HTMLButtonElement} */ ($('reconnect'));

const out = new Scrollback(pane, /** @type {HTMLButtonElement} */ ($('more')));
const history = new CommandHistory();
const panels = createPanels((line) => sendLine(line));
scrollbackSearch(pane, /** @type {HTMLInputElement} */ ($('search')), $('search-count'));
$('searchform').addEventListener('submit', (event) => event.preventDefault());
// Back at the newest output, the player types on.
$('more').addEventListener('click', () => input.focus());
let secret = false;

// ---------------------------------------------------------------- panels: beside the text, or folded away

const panelsAside = $('panels');
const panelsToggle = $('panels-toggle');
const wide = window.matchMedia('(min-width: 760px)');
/** @param {boolean} open */
function showPanels(open) {
  panelsAside.hidden = !open;
  panelsToggle.setAttribute('aria-expanded', String(open));
  panelsToggle.textContent = open ? 'Hide panels' : 'Panels';
  $('game').classList.toggle('panels-open', open);
  if (out.stick) pane.scrollTop = pane.scrollHeight;
}
showPanels(wide.matches);
wide.addEventListener('change', () => showPanels(wide.matches));
panelsToggle.addEventListener('click', () => showPanels(panelsAside.hidden));

// ---------------------------------------------------------------- input

/** @param {boolean} on */
function setSecret(on) {
  // A half-typed password never turns into visible text.
  if (secret && !on) input.value = '';
  secret = on;
  input.type = on ? 'password' : 'text';
  input.autocomplete = on ? 'current-password' : 'off';
  input.placeholder = on ? 'Password (hidden)' : 'Type a command…';
  input.classList.toggle('secret', on);
}

/** Sends one line as typed: echoed (masked) and kept in the history, unless it is a password. */
function sendLine(/** @type {string} */ line) {
  if (!socket || !socket.connected) {
    if (state === 'closed') connectAgain();
    else out.system('Not connected yet; that line was not sent.', 'err');
    return false;
  }
  // A password answer is neither shown nor kept; one on the line is masked in both.
  if (!secret) {
    history.add(line);
    out.echo(line);
  } else history.reset();
  // Sending brings the reader back to the newest output.
  out.toBottom();
  socket.emit('input', line);
  return true;
}

input.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
    if (secret || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const line = event.key === 'ArrowUp' ? history.older(input.value) : history.newer();
    if (line === null) return;
    input.value = line;
    input.setSelectionRange(line.length, line.length);
  } else if (event.key === 'PageUp' || event.key === 'PageDown') {
    event.preventDefault();
    pane.scrollBy({ top: (event.key === 'PageUp' ? -1 : 1) * pane.clientHeight * 0.9 });
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (sendLine(input.value)) input.value = '';
});

// Keep the focus in the input: clicks (that are not selecting text) and typing bring it back.
document.addEventListener('mouseup', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.closest('button, a, input, [role="tab"], .chat-log')) return;
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed) input.focus();
});
document.addEventListener('keydown', (event) => {
  const active = document.activeElement;
  if (active instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey) return;
  // Enter and Space press a focused button (an exit, a chat tab) or follow a link, as usual.
  if ((event.key === 'Enter' || event.key === ' ') && active?.closest('button, a')) return;
  if (event.key.length === 1 || event.key === 'Enter') input.focus();
});

// ---------------------------------------------------------------- connection

/** @type {'connecting'|'connected'|'reconnecting'|'down'|'closed'} */
let state = 'connecting';
let everConnected = false;
let downReported = false;

/** @param {typeof state} next @param {string} label */
function setState(next, label) {
  state = next;
  statusEl.className = `status ${next}`;
  statusEl.textContent = label;
  reconnectButton.hidden = next !== 'closed';
}

function connectAgain() {
  setState('connecting', 'Connecting…');
  out.system('Connecting…');
  socket?.connect();
}
reconnectButton.addEventListener('click', () => {
  connectAgain();
  input.focus();
});

/** @type {any} */
const io = /** @type {any} */ (window).io;
/** @type {any} */
let socket = null;

if (typeof io !== 'function') {
  setState('down', 'Unavailable');
  out.system('The client library did not load, so the game cannot be reached. Reload the page to try again.', 'err');
} else {
  socket = io({ reconnectionDelay: 1000, reconnectionDelayMax: 8000, timeout: 10000 });
  socket.on('connect', () => {
    out.restart();
    panels.reset();
    setSecret(false);
    setState('connected', 'Connected');
    if (everConnected || downReported) out.system(everConnected ? 'Reconnected: this is a new session, log in again.' : 'Connected.');
    everConnected = true;
    downReported = false;
  });
  socket.on('output', (/** @type {unknown} */ text) => {
    if (typeof text === 'string') out.game(text);
  });
  socket.on('prompt', (/** @type {unknown} */ text) => {
    if (typeof text === 'string') out.game(text);
  });
  socket.on('secret', (/** @type {unknown} */ on) => setSecret(on === true));
  // GMCP (Room.Info, Char.Items.*, Comm.Channel.*, Webclient.Room): the panels.
  socket.on('oob', (/** @type {unknown} */ pkg, /** @type {unknown} */ data) => panels.receive(pkg, data));
  socket.on('disconnect', (/** @type {string} */ reason) => {
    setSecret(false);
    if (reason === 'io server disconnect') {
      setState('closed', 'Disconnected');
      out.system('Disconnected by the server. Press Enter or Reconnect to connect again.');
    } else if (reason !== 'io client disconnect') {
      setState('reconnecting', 'Reconnecting…');
      out.system('Connection lost; reconnecting…', 'err');
    }
  });
  socket.on('connect_error', () => {
    setState('down', 'Server down');
    if (!downReported) {
      out.system('Cannot reach the game server: it is down or restarting. Retrying automatically…', 'err');
      downReported = true;
    }
  });
  socket.io.on('reconnect_attempt', (/** @type {number} */ attempt) => {
    if (state !== 'down') setState('reconnecting', `Reconnecting (${attempt})…`);
  });
}

input.focus();
