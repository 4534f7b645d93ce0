import { describeProof } from '../../server/audit/merkle/describe_proof.ts';
import { keyValueTable } from '../../server/text.ts';
import { AuditedCharacter, isCharacter, type AuditSummary } from '../../typeclasses/audited_character.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { CharacterCommand, CharacterContext } from '../command.ts';
import { auditHistory, auditSearch, formatAuditStats } from './trail_views.ts';

/** Hours as a decimal number, two places: `1.50 h` is an hour and a half. */
/** `1 move`, `2 moves`. */
const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const decimalHours = (hours: number): string => `${hours.toFixed(2)} h`;

export function formatSummary(s: AuditSummary): string {
  const last = s.last_location_change;
  return keyValueTable([
    ['Character', `${s.name}(#${s.id})${s.online ? ' - online' : ''}`],
    ['Current location', s.current_location ?? '-'],
    ['Commands executed', String(s.commands_executed)],
    ['Total playtime', decimalHours(s.total_playtime_hours)],
    ['Locations visited', `${count(s.locations_visited, 'move')}, ${count(s.distinct_rooms_visited, 'distinct room')}`],
    ['Last location change', last ? `${last.from ?? '-'} -> ${last.to ?? '-'} at ${last.timestamp}` : '-'],
    ['Last command', s.last_command_time ?? '-'],
  ]);
}

function findCharacter(ctx: CharacterContext, name: string): DefaultObject | null {
  const found = ctx.objects.search(name).filter(isCharacter);
  if (found.length === 1) return found[0]!;
  ctx.reply(found.length ? `'${name}' could mean: ${found.map((o) => `${o.key}(${o.dbref})`).join(', ')}.` : `No character is called '${name}'.`);
  return null;
}

/** @audit/proof <seq>: made on the audit worker, which reads the trail (RFC 9162 inclusion proof). */
async function auditProof(ctx: CharacterContext): Promise<void> {
  if (!ctx.account.hasPermission('Admin')) return ctx.deny('Admin', 'Audit proofs need Admin permission.');
  if (!/^\d+$/.test(ctx.args)) return ctx.reply('Usage: @audit/proof <seq> (the seq of an audit event, e.g. from @audit/search).');
  const outcome = await ctx.auditProof(Number(ctx.args));
  ctx.reply(outcome.ok ? describeProof(outcome.answer) : outcome.error);
}

export const audit: CharacterCommand = {
  key: '@audit',
  category: 'Audit',
  switches: ['search', 'history', 'moves', 'stats', 'proof', 'json'],
  help:
    '@audit [<character>] — the audit summary of your character (builders: anyone\'s, online or not).\n' +
    '@audit/history <character> [N] [page=P] — their audit events, newest first, N a page (default 10).\n' +
    '@audit/moves <character> [N] — their last N moves from the character\'s own record (default 10).\n' +
    '@audit/search <filters> — search the audit trail (builders; login failures: admins), e.g.\n' +
    '    @audit/search character=Bob type=login_failed addr=1.2.3.4 since=2026-11-01 until=2026-11-23T10:00 text=sword page=2\n' +
    '    keys: character, account, type (a,b), addr, target, since, until (UTC date, dateThh:mm, or 30m/2h/7d ago), text, page, limit\n' +
    '@audit/stats — health of the audit sinks (admins).\n' +
    '@audit/proof <seq> — that event\'s JSONL record and its Merkle inclusion proof against a signed checkpoint (admins).\n' +
    '@audit/json <character> — the raw summary as JSON.',
  run(ctx) {
    const { args, switches, caller, account, reply } = ctx;
    if (switches.includes('search')) return auditSearch(ctx);
    if (switches.includes('history')) return auditHistory(ctx);
    if (switches.includes('stats')) {
      if (!account.hasPermission('Admin')) return ctx.deny('Admin', 'The audit statistics need Admin permission.');
      return reply(formatAuditStats(ctx.auditStats()));
    }
    if (switches.includes('proof')) return auditProof(ctx);
    let name = args;
    let count = 10;
    if (switches.includes('moves')) {
      const m = /^(.*?)\s+(\d+)$/.exec(args);
      if (m) [name, count] = [m[1]!, Math.min(Number(m[2]), 1000)];
    }
    if (name && !account.hasPermission('Builder') && name.toLowerCase() !== caller.key.toLowerCase()) {
      return ctx.deny('Builder', 'You may only audit your own character; auditing others needs Builder permission.');
    }
    const target = name ? findCharacter(ctx, name) : caller;
    if (!target) return;
    if (!(target instanceof AuditedCharacter)) {
      return reply(`${target.key} is not audited (typeclass ${target.typeclassPath}). Migrate it with @typeclass/noinit ${target.key} = ${AuditedCharacter.typeclassPath}`);
    }
    if (switches.includes('json')) return reply(JSON.stringify(target.getAuditSummary(), null, 2));
    if (switches.includes('moves')) {
      const moves = target.recentMoves(count);
      if (!moves.length) return reply(`${target.key} has no recorded moves.`);
      const heading = moves.length === 1 ? `The last move of ${target.key}:` : `The last ${moves.length} moves of ${target.key}, oldest first:`;
      return reply([heading, ...moves.map((m) => `  ${m.timestamp}  ${m.from ?? '-'} -> ${m.to ?? '-'}`)].join('\n'));
    }
    reply(formatSummary(target.getAuditSummary()));
  },
};
