/**
 * What the console's JSON APIs read: characters with their audit summaries, one character's
 * history, and pages of the audit table. Pure functions of the game; the router checks access.
 */
import { applyFilter, AuditFilterError, FILTER_KEYS, MAX_PAGE_SIZE, wholeNumber, type AuditSearch } from '../audit/search.ts';
import type { AuditEvent } from '../audit/events.ts';
import type { AuditLag } from '../audit/reader.ts';
import { rowToEvent } from '../audit/rows.ts';
import type { AuditQuery } from '../store/audit_table.ts';
import type { ConsolePorts } from './ports.ts';
import { AuditedCharacter, isCharacter, type AuditSummary, type LocationChange } from '../../typeclasses/audited_character.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import { Character } from '../../typeclasses/character.ts';

export { AuditFilterError };

export interface CharacterInfo extends Partial<AuditSummary> {
  id: number;
  name: string;
  account: string | null;
  typeclass: string;
  audited: boolean;
  online: boolean;
  current_location: string | null;
}

/** An audit row as the browser gets it: the event, its table id and its seq. */
export type EventView = AuditEvent & { id: number; seq: number | null };

export interface EventPage {
  events: EventView[];
  page: number;
  limit: number;
  /** Is there a next page? */
  more: boolean;
  /** How far the table is behind the newest event (0 events: caught up). */
  lag: AuditLag;
}

export function listCharacters(game: ConsolePorts): CharacterInfo[] {
  const out: CharacterInfo[] = [];
  for (const obj of game.objects.all()) {
    if (!isCharacter(obj)) continue;
    const base: CharacterInfo = {
      id: obj.id,
      name: obj.key,
      account: obj.account?.name ?? null,
      typeclass: obj.typeclassPath,
      audited: obj instanceof AuditedCharacter,
      online: obj.isPuppeted,
      current_location: (obj instanceof Character ? obj.whereabouts : obj.location)?.key ?? null,
    };
    out.push(obj instanceof AuditedCharacter ? { ...base, ...obj.getAuditSummary() } : base);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

/** One page of the table, newest first, through the one audit read path (server/audit/reader.ts). */
export async function searchEvents(game: ConsolePorts, query: Omit<AuditQuery, 'limit' | 'offset'>, page: number, limit: number): Promise<EventPage> {
  const result = await game.auditReader.page(query, page, limit);
  return { events: result.rows.map((row) => ({ ...rowToEvent(row), id: row.id ?? 0 })), page: result.page, limit, more: result.more, lag: result.lag };
}

type Params = Record<string, unknown>;

const MAX_VALUE = 200;

/** A query parameter as one trimmed string, or undefined when absent or empty. */
function text(params: Params, key: string): string | undefined {
  const raw = params[key];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new AuditFilterError(`${key} should be given once`);
  const value = raw.trim();
  if (value.length > MAX_VALUE) throw new AuditFilterError(`${key} is longer than ${MAX_VALUE} characters`);
  return value === '' ? undefined : value;
}

/** The console's deepest page (a bookmark of page 10⁹ is a typo). */
const MAX_PAGE = 1_000_000;

function whole(params: Params, key: string, fallback: number, max: number): number {
  const raw = text(params, key);
  return raw === undefined ? fallback : wholeNumber(raw, key, max);
}

export interface EventSearch {
  query: Omit<AuditQuery, 'limit' | 'offset'>;
  page: number;
  limit: number;
}

/**
 * The event table's filters from a query string: character, account, type (a,b), addr, target,
 * since, until (UTC: 2026-11-23, 2026-11-23T10:00, or 30m/2h/7d ago, as `@audit/search`), text,
 * page, limit. Throws AuditFilterError with a message for the operator.
 */
export function parseEventSearch(params: Params, now = new Date()): EventSearch {
  const search: AuditSearch = { query: {}, page: 1, pageSize: 50 };
  // The same filters as `@audit/search` (server/audit/search.ts), one query parameter each; an
  // empty or absent one is no filter.
  for (const key of FILTER_KEYS) {
    const value = text(params, key);
    if (value !== undefined) applyFilter(search, key, value, { now, maxPage: MAX_PAGE });
  }
  return { query: search.query, page: search.page, limit: search.pageSize };
}

export interface History extends EventPage {
  character: string;
  /** Is there such a character now (a deleted one still has its events)? */
  exists: boolean;
  summary: AuditSummary | null;
  /** Newest first, from the character's own record (`location_history`). */
  moves: LocationChange[];
}

export async function characterHistory(game: ConsolePorts, params: Params): Promise<History> {
  const wanted = text(params, 'character');
  if (wanted === undefined) throw new AuditFilterError('character= is needed');
  const lower = wanted.toLowerCase();
  let found: DefaultObject | null = null;
  for (const obj of game.objects.all()) {
    if (isCharacter(obj) && obj.key.toLowerCase() === lower) {
      found = obj;
      break;
    }
  }
  const name = found?.key ?? wanted;
  const moves = whole(params, 'moves', 50, 1000);
  const page = await searchEvents(game, { character: name }, whole(params, 'page', 1, MAX_PAGE), whole(params, 'limit', 25, MAX_PAGE_SIZE));
  const audited = found instanceof AuditedCharacter ? found : null;
  return {
    character: name,
    exists: found !== null,
    summary: audited?.getAuditSummary() ?? null,
    moves: audited ? audited.recentMoves(moves).reverse() : [],
    ...page,
  };
}
