/**
 * The operators' audit console. Every value from the server reaches the page as text
 * (textContent / DOM text nodes), never as markup: event payloads carry what players typed.
 * Talks to /admin/api/* (JSON; the session is an HttpOnly cookie) and, for the live tail, to the
 * socket.io namespace /admin at path /admin/socket.io.
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const EVENT_TYPES = [
  'command', 'move_leave', 'move_arrive', 'puppet', 'unpuppet', 'character_created', 'account_created',
  'login_ok', 'login_failed', 'login_locked', 'logout', 'password_changed', 'typeclass_swapped',
  'connection_opened', 'connection_closed', 'dual_address', 'builder_command', 'object_created',
  'object_destroyed', 'object_renamed', 'say', 'whisper', 'channel', 'emote', 'get', 'drop', 'give',
];
const LIVE_MAX_ROWS = 500;
/** Events from the table the live view opens with. */
const RECENT_ON_OPEN = 50;

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
async function api(path, options = {}) {
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
    if (response.status === 401 && path !== 'login') showLogin('Your session has ended; please log in again.');
    throw new HttpError(response.status, message);
  }
  return data;
}

/** @param {URLSearchParams} params */
const query = (params) => {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (v.trim() !== '') out.set(k, v.trim());
  return out.toString();
};

// ---------------------------------------------------------------- rendering helpers (text only)

/** @param {string} tag @param {string | null} [text] @param {string} [className] */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/** @param {string | null | undefined} iso */
const when = (iso) => (iso ? String(iso).slice(0, 19).replace('T', ' ') : '-');

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
function eventRow(e) {
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
function fill(table, rows, empty) {
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
function describe(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', k), el('dd', v === null || v === undefined ? '-' : String(v))]));
}

// ---------------------------------------------------------------- login / logout

function showLogin(message = '') {
  stopLive();
  $('tabs').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
  for (const panel of document.querySelectorAll('main .panel')) /** @type {HTMLElement} */ (panel).hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  /** @type {HTMLInputElement} */ ($('login-name')).focus();
}

/** @param {{ name: string, permission: string }} me */
function showApp(me) {
  $('login').hidden = true;
  $('tabs').hidden = false;
  $('who').hidden = false;
  $('who').textContent = `${me.name} (${me.permission})`;
  $('logout').hidden = false;
  switchTab('live');
  startLive();
  void loadCharacters();
}

$('loginform').addEventListener('submit', async (event) => {
  event.preventDefault();
  const nameInput = /** @type {HTMLInputElement} */ ($('login-name'));
  const passwordInput = /** @type {HTMLInputElement} */ ($('login-password'));
  $('login-error').textContent = '';
  try {
    const me = await api('login', { method: 'POST', body: { name: nameInput.value, password: passwordInput.value } });
    passwordInput.value = '';
    showApp(me);
    if (me.failed_logins > 0) {
      $('live-note').textContent = `${me.failed_logins} failed login attempt(s) on your account since your last game login.`;
    }
  } catch (error) {
    passwordInput.value = '';
    $('login-error').textContent = error instanceof Error ? error.message : String(error);
    passwordInput.focus();
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await api('logout', { method: 'POST' });
  } finally {
    showLogin('Logged out.');
  }
});

// ---------------------------------------------------------------- tabs

/** @param {string} name */
function switchTab(name) {
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
  if (name === 'health') void loadHealth();
  if (name === 'characters') void loadCharacters();
}

$('tabs').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-tab]');
  if (button) switchTab(/** @type {HTMLElement} */ (button).dataset.tab ?? 'live');
});

// ---------------------------------------------------------------- live tail

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
    // Refused because the session is gone? Then log in again (api() shows the form on 401).
    try {
      await api('me');
    } catch {
      stopLive();
    }
  });
  socket.on('ended', () => showLogin('Your session has ended; please log in again.'));
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

// ---------------------------------------------------------------- event table

const filters = /** @type {HTMLFormElement} */ ($('filters'));
let eventsPage = 1;

for (const type of EVENT_TYPES) {
  const option = document.createElement('option');
  option.value = type;
  $('event-types').append(option);
}

/** Bumped by each request: an answer to an older one (the view's opening load, overtaken by a Search) is dropped. */
let eventsRequest = 0;

async function loadEvents(page = 1) {
  const params = new URLSearchParams(/** @type {any} */ (new FormData(filters)));
  params.set('page', String(page));
  $('events-error').textContent = '';
  const mine = ++eventsRequest;
  try {
    const result = await api(`events?${query(params)}`);
    if (mine !== eventsRequest) return;
    eventsPage = result.page;
    fill($('events-table'), result.events.map(eventRow), 'No events match.');
    $('events-page').textContent = `Page ${result.page}`;
    /** @type {HTMLButtonElement} */ ($('events-prev')).disabled = result.page <= 1;
    /** @type {HTMLButtonElement} */ ($('events-next')).disabled = !result.more;
  } catch (error) {
    if (mine === eventsRequest) $('events-error').textContent = error instanceof Error ? error.message : String(error);
  }
}

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadEvents(1);
});
filters.addEventListener('reset', () => setTimeout(() => void loadEvents(1)));
// Opening the view shows the newest events (with the filters as they are), without a Search first.
$('tabs').addEventListener('click', (event) => {
  if (/** @type {HTMLElement} */ (event.target).closest('button[data-tab="events"]')) void loadEvents(eventsPage);
});
$('events-prev').addEventListener('click', () => void loadEvents(Math.max(1, eventsPage - 1)));
$('events-next').addEventListener('click', () => void loadEvents(eventsPage + 1));

// ---------------------------------------------------------------- characters (sortable)

/** @type {any[]} */
let characters = [];
let sortKey = 'name';
let sortDir = 1;

/** @param {any} c @param {string} key */
function sortValue(c, key) {
  if (key === 'last_move') return c.last_location_change?.timestamp ?? '';
  return c[key];
}

function renderCharacters() {
  const table = $('characters-table');
  const type = /** @type {HTMLElement | null} */ (table.querySelector(`th[data-key="${sortKey}"]`))?.dataset.type ?? 'text';
  const sorted = [...characters].sort((a, b) => {
    const x = sortValue(a, sortKey);
    const y = sortValue(b, sortKey);
    if (x === y) return a.name.localeCompare(b.name);
    if (x === undefined || x === null) return 1;
    if (y === undefined || y === null) return -1;
    if (type === 'number' || type === 'bool') return (Number(x) - Number(y)) * sortDir;
    return String(x).localeCompare(String(y)) * sortDir;
  });
  for (const th of table.querySelectorAll('th[data-key]')) {
    const h = /** @type {HTMLElement} */ (th);
    h.setAttribute('aria-sort', h.dataset.key === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
  }
  fill(
    table,
    sorted.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.name = c.name;
      const link = el('button', c.name, 'link');
      link.setAttribute('type', 'button');
      link.addEventListener('click', () => void openHistory(c.name));
      const name = document.createElement('td');
      name.append(link);
      const last = c.last_location_change;
      const cells = [
        c.account ?? '-',
        c.online ? 'yes' : 'no',
        c.current_location ?? '-',
        c.audited ? c.commands_executed : 'not audited',
        c.audited ? c.total_playtime_hours : '-',
        c.audited ? c.locations_visited : '-',
        c.audited ? c.distinct_rooms_visited : '-',
        when(c.last_command_time),
        last ? `${last.from ?? '-'} → ${last.to ?? '-'} at ${when(last.timestamp)}` : '-',
      ];
      tr.append(name, ...cells.map((text) => el('td', String(text))));
      if (c.online) tr.classList.add('online');
      return tr;
    }),
    'No characters yet.',
  );
}

async function loadCharacters() {
  try {
    const result = await api('characters');
    characters = result.characters;
    $('characters-note').textContent = `${characters.length} character(s), ${characters.filter((c) => c.online).length} online`;
    $('character-names').replaceChildren(
      ...characters.map((c) => {
        const option = document.createElement('option');
        option.value = c.name;
        return option;
      }),
    );
    renderCharacters();
  } catch (error) {
    $('characters-note').textContent = error instanceof Error ? error.message : String(error);
  }
}

$('characters-table').querySelector('thead')?.addEventListener('click', (event) => {
  const th = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest('th[data-key]'));
  if (!th) return;
  const key = th.dataset.key ?? 'name';
  sortDir = key === sortKey ? -sortDir : th.dataset.type === 'text' ? 1 : -1;
  sortKey = key;
  renderCharacters();
});
$('characters-refresh').addEventListener('click', () => void loadCharacters());

// ---------------------------------------------------------------- one character's history

let historyName = '';
let historyPage = 1;

/** @param {string} name */
async function openHistory(name) {
  /** @type {HTMLInputElement} */ ($('history-name')).value = name;
  switchTab('history');
  await loadHistory(name, 1);
}

/** @param {string} name @param {number} page */
async function loadHistory(name, page) {
  $('history-error').textContent = '';
  try {
    const result = await api(`history?${query(new URLSearchParams({ character: name, page: String(page) }))}`);
    historyName = result.character;
    historyPage = result.page;
    $('history-title').textContent = `History of ${result.character}${result.exists ? '' : ' (no such character now)'}`;
    const s = result.summary;
    describe(
      $('history-summary'),
      s
        ? [
            ['Character', `${s.name} (#${s.id})${s.online ? ' — online' : ''}`],
            ['Current location', s.current_location],
            ['Commands executed', s.commands_executed],
            ['Total playtime', `${s.total_playtime_hours} h`],
            ['Locations visited', `${s.locations_visited} moves, ${s.distinct_rooms_visited} distinct rooms`],
            ['Last command (UTC)', when(s.last_command_time)],
          ]
        : [['Summary', result.exists ? 'not an audited character' : '-']],
    );
    fill(
      $('moves-table'),
      result.moves.map((/** @type {any} */ m) => {
        const tr = document.createElement('tr');
        tr.append(el('td', when(m.timestamp)), el('td', m.from ?? '-'), el('td', m.to ?? '-'));
        return tr;
      }),
      'No recorded moves.',
    );
    fill($('history-table'), result.events.map(eventRow), 'No events.');
    $('history-page').textContent = `Page ${result.page}`;
    /** @type {HTMLButtonElement} */ ($('history-prev')).disabled = result.page <= 1;
    /** @type {HTMLButtonElement} */ ($('history-next')).disabled = !result.more;
  } catch (error) {
    $('history-error').textContent = error instanceof Error ? error.message : String(error);
  }
}

$('historyform').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadHistory(/** @type {HTMLInputElement} */ ($('history-name')).value.trim(), 1);
});
$('history-prev').addEventListener('click', () => void loadHistory(historyName, Math.max(1, historyPage - 1)));
$('history-next').addEventListener('click', () => void loadHistory(historyName, historyPage + 1));

// ---------------------------------------------------------------- health

async function loadHealth() {
  try {
    const h = await api('stats');
    const trail = h.trail;
    const error = (/** @type {any} */ s) => (s.lastError ? `${s.lastError} (at ${s.lastErrorAt ?? '?'})` : 'none');
    /** @type {Array<[string, unknown]>} */
    const sinks = [];
    for (const s of trail.sinks) {
      sinks.push(
        [`Sink ${s.name}`, `${s.failing ? 'FAILING' : 'ok'}, at seq ${s.cursor}`],
        ['  written / dropped', `${s.written} / ${s.dropped}`],
        ['  lag', `${s.lagEvents} event(s), ${Number(s.lagSeconds).toFixed(1)} s`],
        ['  last error', error(s)],
      );
    }
    describe($('health'), [
      ['Players online', h.players_online],
      ['Connections', h.connections],
      ['Uptime', `${h.uptime_seconds} s`],
      ['Server memory (RSS)', `${Math.round(h.rss_bytes / 1048576)} MiB`],
      ...(h.disk ?? []).map((/** @type {any} */ d) => [`Disk free under ${d.path}`, `${Math.round(d.freeBytes / 1048576)} MiB`]),
      ['Newest audit event', `seq ${trail.lastSeq}`],
      ['Audit backlog', `${trail.backlog} of at most ${trail.backlogMax}${trail.refusing ? ' (FULL: commands refused)' : ''}`],
      ...sinks,
      ['Console sessions / live tabs', `${h.adminSessions} / ${h.liveSockets}`],
      ['Live events skipped (slow tabs)', h.liveSkipped],
    ]);
  } catch (error) {
    describe($('health'), [['Error', error instanceof Error ? error.message : String(error)]]);
  }
}
$('health-refresh').addEventListener('click', () => void loadHealth());

// ---------------------------------------------------------------- start

// A table wider than the screen scrolls in its box; the box takes the focus, so the keyboard can scroll it too.
for (const wrap of document.querySelectorAll('.tablewrap')) /** @type {HTMLElement} */ (wrap).tabIndex = 0;

(async () => {
  try {
    showApp(await api('me'));
  } catch {
    showLogin();
  }
})();
