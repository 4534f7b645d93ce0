/**
 * What every view of the audit console shares, imported by each (never loaded by a tag of its
 * own, so there is one instance of it): the server calls, the text-only rendering helpers, and
 * the console's navigation (the tabs, signing in and out), through which the views hear of each
 * other without importing each other. Every value from the server reaches the page as text
 * (textContent / DOM text nodes), never as markup: event payloads carry what players typed.
 */

export const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

// ---------------------------------------------------------------- server calls

class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} path  under /admin/api
 * @param {{ method?: string, body?: unknown }} [options]
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method: options.method ?? 'GET', headers, credentials: 'same-origin', cache: 'no-store' };
  if (init.method !== 'GET') {
    // The custom header is our CSRF guard: a page of another site cannot send it.
    headers['X-MUD-Admin'] = '1';
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
  }
  const response = await fetch(`/admin/api/${path}`, init);
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON: the status says enough
  }
  if (!response.ok) {
    const message = data && typeof data.error === 'string' ? data.error : `The server answered ${response.status}.`;
    if (response.status === 401 && path !== 'login') signOut('Your session has ended; please log in again.');
    throw new HttpError(response.status, message);
  }
  return data;
}

/** @param {URLSearchParams} params */
export const query = (params) => {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (v.trim() !== '') out.set(k, v.trim());
  return out.toString();
};

// ---------------------------------------------------------------- rendering helpers (text only)

/** @param {string} tag @param {string | null} [text] @param {string} [className] */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/** @param {string | null | undefined} iso */
export const when = (iso) => (iso ? String(iso).slice(0, 19).replace('T', ' ') : '-');

/** @param {unknown} value */
function show(value) {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** One event's cells: the same columns as `@audit/search`. @param {any} e */
function eventCells(e) {
  const actor = e.actor ?? {};
  const payload = e.payload && typeof e.payload === 'object' ? e.payload : {};
  // Names can be changed by any Builder; the id (payload.character_id) cannot.
  const who = actor.character != null ? `${actor.character}${Number.isInteger(payload.character_id) ? `(#${payload.character_id})` : ''}` : actor.account ? `(${actor.account})` : '-';
  const from = actor.remote_addr ? `${actor.remote_addr}${actor.protocol ? ` ${actor.protocol}` : ''}` : '-';
  // An account's id is not an object's: Webby(account:3), never Webby(#3) beside Library(#3).
  const id = e.target && e.target.id !== null && e.target.id !== undefined ? (e.target.kind === 'account' ? `(account:${e.target.id})` : `(#${e.target.id})`) : '';
  const target = e.target ? `${e.target.name}${id}` : '-';
  const details = Object.entries(payload).filter(([k]) => k !== 'character_id').map(([k, v]) => `${k}=${show(v)}`).join(' ');
  return [when(e.ts), String(e.event_type), String(who), from, e.location ?? '-', target, `${e.success === false ? '(failed) ' : ''}${details}`];
}

/** @param {any} e */
export function eventRow(e) {
  const tr = document.createElement('tr');
  tr.dataset.type = String(e.event_type);
  if (e.success === false) tr.classList.add('failed');
  for (const [i, text] of eventCells(e).entries()) {
    const td = el('td', text);
    if (i === 1) td.className = 'type';
    if (i === 2) td.className = 'who';
    if (i === 6) td.className = 'details';
    tr.append(td);
  }
  return tr;
}

/** @param {HTMLElement} table @param {HTMLElement[]} rows @param {string} empty */
export function fill(table, rows, empty) {
  const body = /** @type {HTMLElement} */ (table.querySelector('tbody'));
  if (!rows.length) {
    const td = el('td', empty, 'empty');
    td.setAttribute('colspan', String(table.querySelectorAll('thead th').length));
    const tr = document.createElement('tr');
    tr.append(td);
    body.replaceChildren(tr);
  } else {
    body.replaceChildren(...rows);
  }
}

/** @param {HTMLElement} dl @param {Array<[string, unknown]>} pairs */
export function describe(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', k), el('dd', v === null || v === undefined ? '-' : String(v))]));
}

// ---------------------------------------------------------------- navigation

/** @type {Map<string, Array<() => void>>} */
const tabShownHandlers = new Map();
/** @type {Array<() => void>} */
const signedInHandlers = [];
/** @type {Array<(message: string) => void>} */
const signedOutHandlers = [];

/** `handler` runs each time the tab `name` is shown (after its panel is). @param {string} name @param {() => void} handler */
export function onTabShown(name, handler) {
  tabShownHandlers.set(name, [...(tabShownHandlers.get(name) ?? []), handler]);
}

/** `handler` runs once the console is shown to a signed-in Admin. @param {() => void} handler */
export function onSignedIn(handler) {
  signedInHandlers.push(handler);
}

/** `handler` runs when the session ends, before the login form shows `message`. @param {(message: string) => void} handler */
export function onSignedOut(handler) {
  signedOutHandlers.push(handler);
}

/** The console is shown to a signed-in Admin (admin.js, after login or on opening). */
export function signedIn() {
  for (const handler of signedInHandlers) handler();
}

/** The session ended (logged out, expired, refused): every view stops, the login form shows `message`. */
export function signOut(message = '') {
  for (const handler of signedOutHandlers) handler(message);
}

/** Shows the tab `name` and its panel, then tells its view (onTabShown). @param {string} name */
export function switchTab(name) {
  for (const button of document.querySelectorAll('#tabs .tab')) {
    const b = /** @type {HTMLElement} */ (button);
    b.classList.toggle('active', b.dataset.tab === name);
    // The view shown: said to screen readers too, not only by the highlight.
    if (b.dataset.tab === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  for (const panel of document.querySelectorAll('main .panel')) {
    const p = /** @type {HTMLElement} */ (panel);
    if (p.id !== 'login') p.hidden = p.id !== `tab-${name}`;
  }
  for (const handler of tabShownHandlers.get(name) ?? []) handler();
}
