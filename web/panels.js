/**
 * The panels beside the text: the room (name, description, exits as buttons that walk), who and
 * what is here, the inventory, and a tab per chat channel. Fed by the GMCP the session sends as
 * `oob` events (Room.Info, Webclient.Room, Char.Items.*, Comm.Channel.*), never by reading the
 * text. Every value is put in as text.
 */
import { AnsiParser } from './ansi.js';
import { gameTextNodes } from './output.js';

/** Lines a chat tab keeps. */
const CHAT_LINES = 300;

/** @typedef {{ id: string, name: string, attrib?: string }} Item */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const record = (/** @type {unknown} */ v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? /** @type {Record<string, any>} */ (v) : null);
const isItem = (/** @type {any} */ v) => record(v) !== null && typeof v.id === 'string' && typeof v.name === 'string';
const items = (/** @type {unknown} */ list) => (Array.isArray(list) ? list.filter(isItem) : []);

/** @param {HTMLElement} list @param {string[]} names @param {string} empty */
function fillList(list, names, empty) {
  const rows = names.map((name) => {
    const li = document.createElement('li');
    li.textContent = name;
    return li;
  });
  if (!rows.length) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = empty;
    rows.push(li);
  }
  list.replaceChildren(...rows);
}

/** @param {(line: string) => void} walk  sends a command as if typed */
export function createPanels(walk) {
  /** @type {{ num: number | null, name: string, area: string, exits: Record<string, number>, desc: string, people: Item[], others: number }} */
  const room = { num: null, name: '', area: '', exits: {}, desc: '', people: [], others: 0 };
  /** @type {{ room: Item[], inv: Item[] }} */
  const held = { room: [], inv: [] };
  /** @type {Map<string, { tab: HTMLButtonElement, log: HTMLElement, unread: number }>} */
  const channels = new Map();
  let activeChannel = '';

  function renderRoom() {
    $('room-name').textContent = room.name || 'Not in the game yet';
    $('room-area').textContent = room.area && room.area !== 'Unknown' ? room.area : '';
    $('room-desc').textContent = room.desc;
    const buttons = Object.keys(room.exits).map((direction) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'exit';
      button.textContent = direction;
      button.setAttribute('aria-label', `Go ${direction}`);
      button.addEventListener('click', () => walk(direction));
      return button;
    });
    $('room-exits').replaceChildren(...buttons);
    $('room-noexits').hidden = buttons.length > 0 || room.num === null;
  }

  function renderHere() {
    const people = new Set(room.people.map((p) => p.id));
    const more = room.others - room.people.length;
    fillList($('here-people'), [...room.people.map((p) => p.name), ...(more > 0 ? [`and ${more} more`] : [])], 'Nobody else');
    fillList($('here-things'), held.room.filter((i) => !people.has(i.id) && i.attrib !== 'm').map((i) => i.name), 'Nothing');
    fillList($('inventory'), held.inv.map((i) => i.name), 'Empty-handed');
  }

  /** @param {string} name */
  function channel(name) {
    let entry = channels.get(name);
    if (entry) return entry;
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.setAttribute('role', 'tab');
    tab.id = `chat-tab-${channels.size}`;
    tab.className = 'chat-tab';
    const log = document.createElement('div');
    log.setAttribute('role', 'log');
    log.className = 'chat-log';
    log.id = `chat-log-${channels.size}`;
    log.setAttribute('aria-labelledby', tab.id);
    log.tabIndex = 0;
    tab.setAttribute('aria-controls', log.id);
    tab.addEventListener('click', () => select(name));
    $('chat-tabs').append(tab);
    $('chat-logs').append(log);
    entry = { tab, log, unread: 0 };
    channels.set(name, entry);
    $('chat-none').hidden = true;
    if (!activeChannel) select(name);
    else labelTab(name);
    return entry;
  }

  /** The tab's name, and its unread lines as a number, not only as a colour. @param {string} name */
  function labelTab(name) {
    const entry = channels.get(name);
    if (!entry) return;
    entry.tab.textContent = entry.unread ? `${name} (${entry.unread})` : name;
    entry.tab.classList.toggle('unread', entry.unread > 0);
  }

  /** @param {string} name */
  function select(name) {
    activeChannel = name;
    for (const [key, entry] of channels) {
      const on = key === name;
      entry.tab.setAttribute('aria-selected', String(on));
      entry.tab.tabIndex = on ? 0 : -1;
      entry.log.hidden = !on;
      if (on) entry.unread = 0;
      labelTab(key);
    }
  }

  /** @param {string} name @param {string} text */
  function chatLine(name, text) {
    const entry = channel(name);
    const line = document.createElement('div');
    line.className = 'chat-line';
    line.append(gameTextNodes(new AnsiParser(), text));
    entry.log.append(line);
    while (entry.log.childElementCount > CHAT_LINES) entry.log.firstElementChild?.remove();
    entry.log.scrollTop = entry.log.scrollHeight;
    if (name !== activeChannel) {
      entry.unread++;
      labelTab(name);
    }
  }

  /** @param {string} location @param {(list: Item[]) => Item[]} change */
  function changeItems(location, change) {
    if (location !== 'room' && location !== 'inv') return;
    held[location] = change(held[location]);
    renderHere();
  }

  /** One `oob` message. Anything of the wrong shape is ignored. @param {unknown} pkg @param {unknown} data */
  function receive(pkg, data) {
    const d = record(data);
    if (typeof pkg !== 'string') return;
    if (pkg === 'Room.Info' && d && typeof d.name === 'string') {
      if (d.num !== room.num) Object.assign(room, { desc: '', people: [], others: 0 });
      room.num = typeof d.num === 'number' ? d.num : null;
      room.name = d.name;
      room.area = typeof d.area === 'string' ? d.area : '';
      room.exits = record(d.exits) ?? {};
      renderRoom();
      renderHere();
    } else if (pkg === 'Webclient.Room' && d && d.num === room.num) {
      room.desc = typeof d.desc === 'string' ? d.desc : '';
      room.people = items(d.people);
      room.others = typeof d.others === 'number' ? d.others : room.people.length;
      renderRoom();
      renderHere();
    } else if (pkg === 'Char.Items.List' && d) {
      changeItems(d.location, () => items(d.items));
    } else if ((pkg === 'Char.Items.Add' || pkg === 'Char.Items.Update') && d && isItem(d.item)) {
      changeItems(d.location, (list) => [...list.filter((i) => i.id !== d.item.id), d.item]);
    } else if (pkg === 'Char.Items.Remove' && d && isItem(d.item)) {
      changeItems(d.location, (list) => list.filter((i) => i.id !== d.item.id));
    } else if (pkg === 'Comm.Channel.List' && Array.isArray(data)) {
      for (const c of data) if (record(c) && typeof c.name === 'string') channel(c.name);
    } else if (pkg === 'Comm.Channel.Text' && d && typeof d.channel === 'string' && typeof d.text === 'string') {
      chatLine(d.channel, d.text);
    }
  }

  /** A new session (reconnected): nothing of the old one is true any more. */
  function reset() {
    Object.assign(room, { num: null, name: '', area: '', exits: {}, desc: '', people: [], others: 0 });
    held.room = [];
    held.inv = [];
    renderRoom();
    renderHere();
    // The chat tabs too: the next login catches up on its own channels (which may not be the
    // last account's, staff channels among them), and keeping the old lines would show them twice.
    for (const entry of channels.values()) {
      entry.tab.remove();
      entry.log.remove();
    }
    channels.clear();
    activeChannel = '';
    $('chat-none').hidden = false;
  }

  // Arrow keys move between chat tabs (the WAI-ARIA tabs pattern).
  $('chat-tabs').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const names = [...channels.keys()];
    const next = names[(names.indexOf(activeChannel) + (event.key === 'ArrowRight' ? 1 : -1) + names.length) % names.length];
    if (next === undefined) return;
    select(next);
    channels.get(next)?.tab.focus();
  });

  reset();
  return { receive, reset };
}
