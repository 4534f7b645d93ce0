/**
 * The filter language of the audit trail, parsed here for both its surfaces: `@audit/search`'s
 * words (and a helper for `@audit/history`) and the console's query string:
 *
 *   character=Bob account=bob type=login_failed,login_locked addr=1.2.3.4 target=sword
 *   since=2026-11-01 until=2026-11-23T10:00 text="long sword" page=2 limit=50
 *
 * Times are UTC: a date alone, a date and time (`T` between), or relative (`30m`, `2h`, `7d`,
 * `2w` ago). `since` is inclusive; `until` is exclusive, except that a date alone includes the
 * whole day. Names match case-insensitively; `text` is a substring of the payload (its JSON),
 * target name or location.
 */
import type { AuditQuery } from '../store/audit_table.ts';

export class AuditFilterError extends Error {
  override name = 'AuditFilterError';
}

export interface AuditSearch {
  query: Omit<AuditQuery, 'limit' | 'offset'>;
  page: number;
  pageSize: number;
}

export const FILTER_KEYS = ['character', 'account', 'type', 'addr', 'target', 'since', 'until', 'text', 'page', 'limit'] as const;

const ALIASES: Record<string, FilterKey> = {
  character: 'character',
  char: 'character',
  who: 'character',
  account: 'account',
  acct: 'account',
  type: 'type',
  types: 'type',
  addr: 'addr',
  ip: 'addr',
  address: 'addr',
  target: 'target',
  since: 'since',
  from: 'since',
  until: 'until',
  to: 'until',
  text: 'text',
  page: 'page',
  limit: 'limit',
  size: 'limit',
};

export const MAX_PAGE_SIZE = 100;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A UTC time filter as an ISO timestamp; `end` turns a bare date into the start of the next day. */
export function parseTime(raw: string, end: boolean, now = new Date()): string {
  const rel = /^(\d+)([smhdw])$/.exec(raw);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNITS[rel[2]!]!).toISOString();
  let ms = Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    ms = Date.parse(`${raw}T00:00:00.000Z`);
    if (end && !Number.isNaN(ms)) ms += UNITS.d!;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/.test(raw)) {
    ms = Date.parse(raw.endsWith('Z') ? raw : `${raw}Z`);
  }
  if (Number.isNaN(ms)) {
    throw new AuditFilterError(`'${raw}' is not a time: use 2026-11-23, 2026-11-23T10:00 (UTC) or 30m / 2h / 7d ago`);
  }
  return new Date(ms).toISOString();
}

/** Splits `key=value key="two words"` into pairs. */
function tokens(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /\s*(?:([A-Za-z_]+)=(?:"([^"]*)"|(\S*))|(\S+))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0].trim()) {
    if (m[4] !== undefined) {
      throw new AuditFilterError(`'${m[4]}' is not a filter. Filters look like key=value; keys: ${FILTER_KEYS.join(', ')}.`);
    }
    out.push([m[1]!.toLowerCase(), m[2] ?? m[3] ?? '']);
  }
  return out;
}

/** A whole number from 1 to `max`, or an AuditFilterError naming `what`. */
export function wholeNumber(raw: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new AuditFilterError(`${what} should be a whole number from 1 to ${max}`);
  return n;
}

export type FilterKey = (typeof FILTER_KEYS)[number];

/**
 * The meaning of one filter, whatever its surface's syntax: `@audit/search`'s key=value words
 * (parseAuditFilters, below) and the console's query string (parseEventSearch in
 * server/console/queries.ts) both hand each filter here, by its canonical key, as a non-empty
 * string. `type` adds to the types already given; any other key replaces its earlier value.
 */
export function applyFilter(search: AuditSearch, key: FilterKey, value: string, options: { now?: Date; maxPage?: number } = {}): void {
  const q = search.query;
  switch (key) {
    case 'character':
      q.character = value;
      break;
    case 'account':
      q.account = value;
      break;
    case 'type': {
      const types = value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
      const bad = types.find((t) => !/^[a-z_]+$/.test(t));
      if (bad !== undefined) throw new AuditFilterError(`'${bad}' is not an event type (like login_failed)`);
      if (types.length) q.types = [...(q.types ?? []), ...types];
      break;
    }
    case 'addr':
      q.remoteAddr = value;
      break;
    case 'target':
      q.target = value;
      break;
    case 'since':
      q.since = parseTime(value, false, options.now);
      break;
    case 'until':
      q.until = parseTime(value, true, options.now);
      break;
    case 'text':
      q.text = value;
      break;
    case 'page':
      search.page = wholeNumber(value, 'page', options.maxPage);
      break;
    case 'limit':
      search.pageSize = wholeNumber(value, 'limit', MAX_PAGE_SIZE);
      break;
  }
}

/** `@audit/search`'s syntax: key=value words (aliases allowed), every key known, every value given. */
export function parseAuditFilters(text: string, options: { now?: Date; defaultPageSize?: number } = {}): AuditSearch {
  const search: AuditSearch = { query: {}, page: 1, pageSize: options.defaultPageSize ?? 20 };
  for (const [rawKey, value] of tokens(text)) {
    const key = ALIASES[rawKey];
    if (!key) throw new AuditFilterError(`Unknown filter '${rawKey}'. Keys: ${FILTER_KEYS.join(', ')}.`);
    if (value === '') throw new AuditFilterError(`${rawKey}= needs a value`);
    applyFilter(search, key, value, { now: options.now });
  }
  return search;
}
