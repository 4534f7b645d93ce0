/**
 * The console's Events view: the audit_events table, filtered as `@audit/search` is, a page at a
 * time, newest first. Opening the view loads its page at once, with the filters as they are.
 */
import { $, api, eventRow, fill, onTabShown, query } from './common.js';

const EVENT_TYPES = [
  'command', 'move_leave', 'move_arrive', 'puppet', 'unpuppet', 'character_created', 'account_created',
  'login_ok', 'login_failed', 'login_locked', 'logout', 'password_changed', 'typeclass_swapped',
  'connection_opened', 'connection_closed', 'dual_address', 'builder_command', 'object_created',
  'object_destroyed', 'object_renamed', 'say', 'whisper', 'channel', 'emote', 'get', 'drop', 'give',
];

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
onTabShown('events', () => void loadEvents(eventsPage));
$('events-prev').addEventListener('click', () => void loadEvents(Math.max(1, eventsPage - 1)));
$('events-next').addEventListener('click', () => void loadEvents(eventsPage + 1));
