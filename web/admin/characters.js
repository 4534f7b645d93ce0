/**
 * The console's Characters view: every character with its audit summary, sortable by any column.
 * A name is a button that opens the character's History (history.js listens to this table).
 */
import { $, api, el, fill, onSignedIn, onTabShown, when } from './common.js';

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
onTabShown('characters', () => void loadCharacters());
onSignedIn(() => void loadCharacters());
