/**
 * In-game views of the audit table: `@audit/search`, `@audit/history` and `@audit/stats`.
 * Reads go through the one audit reader (server/audit/reader.ts), which says when the table lags.
 */
import type { AuditEventType } from '../../server/audit/events.ts';
import type { AuditTrailStats } from '../../server/audit/trail.ts';
import { AuditFilterError, FILTER_KEYS, MAX_PAGE_SIZE, parseAuditFilters, type AuditSearch } from '../../server/audit/search.ts';
import { lagNote } from '../../server/audit/reader.ts';
import type { AuditEventRow } from '../../server/store/audit_table.ts';
import { escapeForLog, pad } from '../../server/text.ts';
import type { CharacterContext } from '../command.ts';

/** Player text made safe for a table cell and cut to `max` characters. */
function cell(text: unknown, max: number): string {
  const s = escapeForLog(String(text ?? ''));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function details(row: AuditEventRow): string {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(row.payload) as Record<string, unknown>;
  } catch {
    return row.payload;
  }
  // character_id is shown with the name in the Who column.
  const parts = Object.entries(payload).filter(([k]) => k !== 'character_id').map(([k, v]) => {
    const value = typeof v === 'string' ? (/^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v)) : JSON.stringify(v);
    return `${k}=${value}`;
  });
  return `${row.success ? '' : '(failed) '}${parts.join(' ')}`;
}

/** `(#22)` for a row whose payload names its character's id (names can be changed, ids cannot). */
function characterId(row: AuditEventRow): string {
  try {
    const id = (JSON.parse(row.payload) as Record<string, unknown>).character_id;
    return Number.isInteger(id) ? `(#${id as number})` : '';
  } catch {
    return '';
  }
}

const COLUMNS = ['When (UTC)', 'Type', 'Who', 'From', 'Where', 'Target', 'Details'] as const;
const WIDTH = [19, 18, 16, 22, 18, 20, 60];

/** A readable table of audit rows, one line each (cells escaped and cut to fit). */
export function formatAuditRows(rows: readonly AuditEventRow[]): string {
  const cells = rows.map((r) => [
    r.ts.slice(0, 19).replace('T', ' '),
    r.event_type,
    r.character !== null ? `${r.character}${characterId(r)}` : r.account ? `(${r.account})` : '-',
    r.remote_addr ? `${r.remote_addr}${r.protocol ? ` ${r.protocol}` : ''}` : '-',
    r.location ?? '-',
    // An account's id is not an object's: Webby(account:3), never Webby(#3) beside Library(#3).
    r.target_name !== null ? `${r.target_name}${r.target_id !== null ? (r.target_kind === 'account' ? `(account:${r.target_id})` : `(#${r.target_id})`) : ''}` : '-',
    details(r),
  ].map((c, i) => cell(c, WIDTH[i]!)));
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => (i === values.length - 1 ? v : pad(v, widths[i]!))).join('  ').trimEnd();
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Runs a search and replies with a page of it; `more` is the command for the next page. */
async function searchPage(ctx: CharacterContext, search: AuditSearch, title: string, more: (page: number) => string): Promise<void> {
  const reader = ctx.auditReader;
  if (!reader.enabled) return ctx.reply('The audit table is off on this server (MUD_AUDIT_TABLE=off).');
  const result = await reader.page(search.query, search.page, search.pageSize);
  const note = lagNote(result.lag);
  const page = result.rows;
  if (!page.length) {
    const none = result.page > 1 ? `${title}: no events on page ${result.page}.` : `${title}: no events.`;
    return ctx.reply(note ? `${none}\n${note}` : none);
  }
  const first = (result.page - 1) * result.pageSize + 1;
  const footer = result.more ? `More: ${more(result.page + 1)}` : 'End of the results.';
  ctx.reply([`${title} — events ${first}-${first + page.length - 1}, newest first:`, formatAuditRows(page), footer, ...(note ? [note] : [])].join('\n'));
}

export async function auditSearch(ctx: CharacterContext): Promise<void> {
  await null; // leave the command's unit of work (see searchPage)
  if (!ctx.account.hasPermission('Builder')) return ctx.deny('Builder', 'Searching the audit trail needs Builder permission.');
  if (!ctx.args.trim()) {
    return ctx.reply(
      `Usage: @audit/search <filters>, e.g. character=Bob type=login_failed addr=1.2.3.4 since=2026-11-01 until=2026-11-23T10:00 text=sword page=2\nKeys: ${FILTER_KEYS.join(', ')}.`,
    );
  }
  let search: AuditSearch;
  try {
    search = parseAuditFilters(ctx.args);
  } catch (error) {
    if (error instanceof AuditFilterError) return ctx.reply(error.message);
    throw error;
  }
  if (!ctx.account.hasPermission('Admin')) {
    if (search.query.types?.some((t) => ADMIN_ONLY_TYPES.has(t))) {
      return ctx.reply('Searching login failures needs Admin permission (a name tried may be a password typed in the wrong field).');
    }
    search = { ...search, query: { ...search.query, types: search.query.types ?? BUILDER_TYPES } };
  }
  const base = ctx.args.replace(/(^|\s)page=\S+/g, '').trim();
  await searchPage(ctx, search, 'Audit search', (page) => `@audit/search ${base} page=${page}`);
}

/**
 * Which event types a Builder's search may read: all but the login failures, whose names tried
 * (and addresses) are for Admins. Listed per type, so a new type has to be placed here to compile.
 */
const BUILDER_MAY_READ: Record<AuditEventType, boolean> = {
  command: true, move_leave: true, move_arrive: true, puppet: true, unpuppet: true, character_created: true,
  account_created: true, login_ok: true, login_failed: false, logout: true, password_changed: true,
  typeclass_swapped: true, connection_opened: true, connection_closed: true, login_locked: false,
  dual_address: true, builder_command: true, object_created: true, object_destroyed: true,
  object_renamed: true, say: true, whisper: true, emote: true, get: true, drop: true, give: true,
  access_denied: true, audit_attribute_changed: true, rate_limited: true, permissions_changed: true,
  admin_action: true, connection_banned: true, report_filed: false, channel: true,
  protocol_error: true,
  // The server's own events hold no secret (server_events.ts): staff may know how it runs.
  server_started: true, server_stopped: true, audit_disabled: true, audit_pruned: true,
};
const BUILDER_TYPES = Object.entries(BUILDER_MAY_READ).filter(([, ok]) => ok).map(([type]) => type);
const ADMIN_ONLY_TYPES = new Set(Object.entries(BUILDER_MAY_READ).filter(([, ok]) => !ok).map(([type]) => type));

/** `@audit/history <character> [N] [page=P]`: their events from the table, newest first. */
export async function auditHistory(ctx: CharacterContext): Promise<void> {
  await null;
  const m = /^(.*?)(?:\s+(\d+))?(?:\s+page=(\d+))?$/.exec(ctx.args.trim())!;
  const wanted = m[1]!.trim() || ctx.caller.key;
  const size = Math.min(Number(m[2] ?? 10) || 10, MAX_PAGE_SIZE);
  const page = Math.max(Number(m[3] ?? 1) || 1, 1);
  if (wanted.toLowerCase() !== ctx.caller.key.toLowerCase() && !ctx.account.hasPermission('Builder')) {
    return ctx.deny('Builder', 'You may only see your own history; the history of others needs Builder permission.');
  }
  // A character that exists gives its exact name; a deleted one is still found by name.
  const found = ctx.objects.search(wanted).filter((o) => o.record.accountId !== null);
  const name = found.length === 1 ? found[0]!.key : wanted;
  await searchPage(ctx, { query: { character: name }, page, pageSize: size }, `History of ${name}`, (p) => `@audit/history ${name} ${size} page=${p}`);
}

const SINK_TITLES: Record<string, string> = { text: 'Text logs', jsonl: 'JSONL file', table: 'Audit table', pg: 'PostgreSQL' };
const SINK_WHAT: Record<string, string> = { text: 'logs/*.log', jsonl: 'logs/audit/audit.jsonl', table: 'audit_events', pg: 'audit_events' };

export function formatAuditStats(stats: AuditTrailStats): string {
  const rows: Array<[string, string]> = [
    ['Newest event', `seq ${stats.lastSeq}`],
    ['Backlog', `${stats.backlog} of at most ${stats.backlogMax} event(s)${stats.refusing ? ' (FULL: commands refused)' : ''}`],
  ];
  for (const sink of stats.sinks) {
    rows.push(
      [SINK_TITLES[sink.name] ?? sink.name, `${SINK_WHAT[sink.name] ?? sink.name}${sink.failing ? ' (FAILING)' : ''}`],
      ['  written', String(sink.written)],
      ['  dropped', String(sink.dropped)],
      ['  queue depth', `${sink.lagEvents} (${sink.lagSeconds.toFixed(1)} s behind)`],
      ['  last seq', String(sink.cursor)],
      ['  last error', sink.lastError ? `${sink.lastError}${sink.lastErrorAt ? ` (at ${sink.lastErrorAt})` : ''}` : 'none'],
    );
  }
  if (!stats.sinks.length) rows.push(['Sinks', 'none (auditing is off)']);
  rows.push(['Last prune', stats.lastPrune ? `${stats.lastPrune.rows} row(s), ${stats.lastPrune.files.length} file(s) before ${stats.lastPrune.cutoff}` : 'not yet']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${pad(k, width)} : ${v}`).join('\n');
}
