/**
 * The console's Reports view: players' open reports (`report <player> = <text>` in game), each
 * with the audit events kept with it as evidence. Read only: staff close a report in game with
 * `@reports/close <id> = <note>`. Everything from the server is inserted as text, never markup:
 * a report is what a player typed. Self-contained: the tabs (common.js) show its panel.
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} tag @param {unknown} [text] @param {string} [className] */
function node(tag, text, className) {
  const n = document.createElement(tag);
  if (text !== undefined && text !== null) n.textContent = String(text);
  if (className) n.className = className;
  return n;
}

/** `2026-12-01 12:30:15` from an ISO time. @param {unknown} iso */
const utc = (iso) => (typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : '-');

/** One evidence event as a row: when, what, who (character, else account), where, and its payload. @param {any} e */
function evidenceRow(e) {
  const actor = e.actor ?? {};
  const tr = document.createElement('tr');
  if (e.success === false) tr.classList.add('failed');
  const payload = e.payload && typeof e.payload === 'object' ? JSON.stringify(e.payload) : '';
  for (const text of [utc(e.ts), e.event_type, actor.character ?? actor.account ?? '-', e.location ?? '-', e.target?.name ?? '-', payload]) {
    tr.append(node('td', text));
  }
  return tr;
}

/** One report: who filed it, about whom, when, what they wrote, and the evidence table. @param {any} r */
function reportCard(r) {
  const card = node('article', null, 'report');
  card.dataset.report = String(r.id);
  card.append(node('h3', `Report #${r.id} by ${r.reporter}${r.named ? ` about ${r.named}` : ''} — ${utc(r.created_at)} UTC`));
  card.append(node('p', r.text, 'report-text'));
  const evidence = Array.isArray(r.evidence) ? r.evidence : [];
  card.append(node('p', r.evidence_error ?? `Evidence: ${evidence.length} audit event(s) kept with the report. Close it in game: @reports/close ${r.id} = <note>`, 'note'));
  if (evidence.length) {
    const table = node('table', null, 'events');
    const head = document.createElement('tr');
    for (const h of ['When (UTC)', 'Type', 'Who', 'Where', 'Target', 'Details']) head.append(node('th', h));
    table.append(node('thead'), node('tbody'));
    /** @type {HTMLElement} */ (table.querySelector('thead')).append(head);
    /** @type {HTMLElement} */ (table.querySelector('tbody')).append(...evidence.map(evidenceRow));
    const wrap = node('div', null, 'tablewrap');
    wrap.append(table);
    card.append(wrap);
  }
  return card;
}

async function loadReports() {
  const list = $('reports-list');
  const problem = $('reports-error');
  problem.textContent = '';
  let response;
  try {
    response = await fetch('/admin/api/reports', { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    problem.textContent = 'The server could not be reached.';
    return;
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    problem.textContent = data && typeof data.error === 'string' ? data.error : `The server answered ${response.status}.`;
    return;
  }
  const reports = Array.isArray(data?.reports) ? data.reports : [];
  $('reports-note').textContent = reports.length ? `${reports.length} open report(s), oldest first.` : 'No open reports.';
  list.replaceChildren(...reports.map(reportCard));
}

document.addEventListener('click', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.closest('button[data-tab="reports"]') || target.closest('#reports-refresh')) void loadReports();
});
