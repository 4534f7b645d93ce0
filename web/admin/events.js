/**
 * The console's Events view: the audit_events table, filtered as `@audit/search` is, a page at a
 * time, newest first. Opening the view loads its page at once, with the filters as they are.
 * A record's Merkle proof is the server's text (the API's `text`, made by the describeProof that
 * @audit/proof and `npm run audit-proof` use), shown as text; a row's seq asks for its proof.
 */
import { $, api, el, eventRow, fill, onTabShown, query } from './common.js';

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
    fill($('events-table'), result.events.map(withSeq), 'No events match.');
    $('events-page').textContent = `Page ${result.page}`;
    /** @type {HTMLButtonElement} */ ($('events-prev')).disabled = result.page <= 1;
    /** @type {HTMLButtonElement} */ ($('events-next')).disabled = !result.more;
  } catch (error) {
    if (mine === eventsRequest) $('events-error').textContent = error instanceof Error ? error.message : String(error);
  }
}

/** An event's row with its seq, a button for its proof (rows the table has without a seq: `-`). @param {any} e */
function withSeq(e) {
  const tr = eventRow(e);
  const td = el('td');
  if (Number.isInteger(e.seq)) {
    const button = el('button', String(e.seq), 'link');
    button.setAttribute('type', 'button');
    button.title = `Show the Merkle proof of seq ${e.seq}`;
    button.addEventListener('click', () => {
      /** @type {HTMLInputElement} */ ($('proof-seq')).value = String(e.seq);
      void showProof(String(e.seq));
    });
    td.append(button);
  } else td.textContent = '-';
  tr.append(td);
  return tr;
}

/** Bumped by each proof asked for: only the last one asked is shown. */
let proofRequest = 0;

/** @param {string} seq  as typed: the server judges it (and says what is wrong) */
async function showProof(seq) {
  $('events-error').textContent = '';
  const mine = ++proofRequest;
  // Busy until this answer is shown: a proof asked again looks the same until the tree has grown.
  $('proof').setAttribute('aria-busy', 'true');
  try {
    const answer = await api(`proof/${encodeURIComponent(seq)}`);
    if (mine !== proofRequest) return;
    $('proof-title').textContent = `Merkle proof of seq ${answer.seq}`;
    $('proof-text').textContent = answer.text;
    $('proof').hidden = false;
    $('proof').scrollIntoView({ block: 'nearest' });
  } catch (error) {
    if (mine !== proofRequest) return;
    $('proof').hidden = true;
    $('events-error').textContent = error instanceof Error ? error.message : String(error);
  } finally {
    if (mine === proofRequest) $('proof').setAttribute('aria-busy', 'false');
  }
}

$('proofform').addEventListener('submit', (event) => {
  event.preventDefault();
  void showProof(/** @type {HTMLInputElement} */ ($('proof-seq')).value);
});

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadEvents(1);
});
filters.addEventListener('reset', () => setTimeout(() => void loadEvents(1)));
// Opening the view shows the newest events (with the filters as they are), without a Search first.
onTabShown('events', () => void loadEvents(eventsPage));
$('events-prev').addEventListener('click', () => void loadEvents(Math.max(1, eventsPage - 1)));
$('events-next').addEventListener('click', () => void loadEvents(eventsPage + 1));
