/**
 * The console's History view: one character's summary, its moves from its own record, and its
 * events from the audit table, a page at a time. Opened by a name in the Characters table or by
 * the form.
 */
import { $, api, describe, el, eventRow, fill, query, switchTab, when } from './common.js';

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

// A name in the Characters table (a button in a row that carries the name) opens its history.
$('characters-table').addEventListener('click', (event) => {
  const link = /** @type {HTMLElement} */ (event.target).closest('tbody button.link');
  const name = /** @type {HTMLElement | null} */ (link?.closest('tr[data-name]') ?? null)?.dataset.name;
  if (name !== undefined) void openHistory(name);
});
