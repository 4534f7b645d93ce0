/**
 * The webclient: one scrolling output pane, one input line, a socket.io connection to the game.
 * Everything from the server becomes DOM text nodes (textContent), never markup.
 */
import { AnsiParser, isDefaultStyle, paletteColour } from './ansi.js';

const pane = /** @type {HTMLElement} */ (document.getElementById('output'));
const form = /** @type {HTMLFormElement} */ (document.getElementById('inputform'));
const input = /** @type {HTMLInputElement} */ (document.getElementById('input'));
const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
const reconnectButton = /** @type {HTMLButtonElement} */ (document.getElementById('reconnect'));
const moreButton = /** @type {HTMLButtonElement} */ (document.getElementById('more'));

/** Oldest output is dropped past this many nodes, so a long session does not grow forever. */
const MAX_NODES = 8000;
const HISTORY_SIZE = 500;

let parser = new AnsiParser();
/** Is the last thing in the pane a finished line (not an open prompt)? */
let atLineStart = true;
/** Follow new output; off while the reader has scrolled back. */
let stick = true;
let secret = false;

// ---------------------------------------------------------------- output

function nearBottom() {
  return pane.scrollHeight - pane.scrollTop - pane.clientHeight < 32;
}

/** @param {Node} node  @param {string} text  what the node shows */
function append(node, text) {
  if (!text) return;
  // The reader may have scrolled back since the last scroll event was delivered.
  if (stick && !nearBottom()) stick = false;
  pane.append(node);
  atLineStart = text.endsWith('\n');
  while (pane.childNodes.length > MAX_NODES) pane.firstChild?.remove();
  if (stick) pane.scrollTop = pane.scrollHeight;
  else moreButton.hidden = false;
}

/** @param {{ text: string, style: import('./ansi.js').Style }} run */
function runNode(run) {
  const { text, style } = run;
  if (isDefaultStyle(style)) return document.createTextNode(text);
  const span = document.createElement('span');
  span.textContent = text;
  let { fg, bg } = style;
  // Bold brightens the eight basic colours, as most MUD clients do.
  if (style.bold && typeof fg === 'number' && fg < 8) fg += 8;
  if (style.inverse) [fg, bg] = [bg ?? 'inv-fg', fg ?? 'inv-bg'];
  colour(span, 'fg', fg);
  colour(span, 'bg', bg);
  if (style.bold) span.classList.add('b');
  if (style.dim) span.classList.add('d');
  if (style.italic) span.classList.add('i');
  if (style.underline) span.classList.add('u');
  return span;
}

/** @param {HTMLElement} span @param {'fg'|'bg'} which @param {number|string|null} value */
function colour(span, which, value) {
  if (value === null) return;
  if (value === 'inv-fg' || value === 'inv-bg') span.classList.add(value);
  else if (typeof value === 'number' && value < 16) span.classList.add(`${which}-${value}`);
  else {
    // CSSOM, not a style attribute: allowed by the page's Content-Security-Policy.
    const css = typeof value === 'number' ? paletteColour(value) : value;
    if (which === 'fg') span.style.color = css;
    else span.style.backgroundColor = css;
  }
}

/** Game text (with ANSI colour). @param {string} text */
function showGameText(text) {
  const fragment = document.createDocumentFragment();
  let shown = '';
  for (const run of parser.feed(text)) {
    fragment.append(runNode(run));
    shown += run.text;
  }
  append(fragment, shown);
}

/** A line from the client itself (connection state). @param {string} text @param {string} kind */
function system(text, kind = '') {
  const span = document.createElement('span');
  span.className = `sys ${kind}`.trim();
  span.textContent = `${atLineStart ? '' : '\n'}${text}\n`;
  append(span, span.textContent);
}

/** What the player typed, dimmed; a password is never shown. @param {string} line */
function echo(line) {
  if (secret) return;
  const span = document.createElement('span');
  span.className = 'echo';
  // After an open prompt ("Name: ") the answer goes on its line, as in a terminal.
  span.textContent = atLineStart ? `> ${line}\n` : `${line}\n`;
  append(span, span.textContent);
}

pane.addEventListener('scroll', () => {
  stick = nearBottom();
  if (stick) moreButton.hidden = true;
});
moreButton.addEventListener('click', () => {
  stick = true;
  moreButton.hidden = true;
  pane.scrollTop = pane.scrollHeight;
  input.focus();
});
// A phone's keyboard opening shrinks the pane: stay at the bottom if we were there.
window.addEventListener('resize', () => {
  if (stick) pane.scrollTop = pane.scrollHeight;
});

// ---------------------------------------------------------------- input

/** @type {string[]} */
const history = [];
let historyAt = 0;
let draft = '';

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

input.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
    if (secret || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    if (event.key === 'ArrowUp' && historyAt > 0) {
      if (historyAt === history.length) draft = input.value;
      historyAt--;
      input.value = history[historyAt] ?? '';
    } else if (event.key === 'ArrowDown' && historyAt < history.length) {
      historyAt++;
      input.value = historyAt === history.length ? draft : (history[historyAt] ?? '');
    }
    const end = input.value.length;
    input.setSelectionRange(end, end);
  } else if (event.key === 'PageUp' || event.key === 'PageDown') {
    event.preventDefault();
    pane.scrollBy({ top: (event.key === 'PageUp' ? -1 : 1) * pane.clientHeight * 0.9 });
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const line = input.value;
  if (!socket || !socket.connected) {
    if (state === 'closed') connectAgain();
    else system('Not connected yet; that line was not sent.', 'err');
    return;
  }
  input.value = '';
  if (!secret && line.trim() && history[history.length - 1] !== line) {
    history.push(line);
    if (history.length > HISTORY_SIZE) history.shift();
  }
  historyAt = history.length;
  draft = '';
  // Typing a command brings the reader back to the newest output.
  stick = true;
  moreButton.hidden = true;
  pane.scrollTop = pane.scrollHeight;
  echo(line);
  socket.emit('input', line);
});

// Keep the focus in the input: clicks (that are not selecting text) and typing bring it back.
document.addEventListener('mouseup', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.closest('button, a, input')) return;
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed) input.focus();
});
document.addEventListener('keydown', (event) => {
  if (document.activeElement === input || event.ctrlKey || event.metaKey || event.altKey) return;
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
  system('Connecting…');
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
  system('The client library did not load, so the game cannot be reached. Reload the page to try again.', 'err');
} else {
  socket = io({ reconnectionDelay: 1000, reconnectionDelayMax: 8000, timeout: 10000 });
  socket.on('connect', () => {
    parser = new AnsiParser();
    setSecret(false);
    setState('connected', 'Connected');
    if (everConnected || downReported) system(everConnected ? 'Reconnected: this is a new session, log in again.' : 'Connected.');
    everConnected = true;
    downReported = false;
  });
  socket.on('output', (/** @type {unknown} */ text) => {
    if (typeof text === 'string') showGameText(text);
  });
  socket.on('prompt', (/** @type {unknown} */ text) => {
    if (typeof text === 'string') showGameText(text);
  });
  socket.on('secret', (/** @type {unknown} */ on) => setSecret(on === true));
  socket.on('oob', () => {
    // GMCP-style data (Room.Info, Char.Name): nothing shows it yet.
  });
  socket.on('disconnect', (/** @type {string} */ reason) => {
    setSecret(false);
    if (reason === 'io server disconnect') {
      setState('closed', 'Disconnected');
      system('Disconnected by the server. Press Enter or Reconnect to connect again.');
    } else if (reason !== 'io client disconnect') {
      setState('reconnecting', 'Reconnecting…');
      system('Connection lost; reconnecting…', 'err');
    }
  });
  socket.on('connect_error', () => {
    setState('down', 'Server down');
    if (!downReported) {
      system('Cannot reach the game server: it is down or restarting. Retrying automatically…', 'err');
      downReported = true;
    }
  });
  socket.io.on('reconnect_attempt', (/** @type {number} */ attempt) => {
    if (state !== 'down') setState('reconnecting', `Reconnecting (${attempt})…`);
  });
}

input.focus();
