import { keyValueTable } from '../../server/text.ts';
import { AuditedCharacter, type AuditSummary } from '../../typeclasses/audited_character.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { CharacterCommand, CharacterContext } from '../command.ts';

const hoursAndMinutes = (hours: number): string => `${hours.toFixed(2)} h`;

export function formatSummary(s: AuditSummary): string {
  const last = s.last_location_change;
  return keyValueTable([
    ['Character', `${s.name}(#${s.id})${s.online ? ' - online' : ''}`],
    ['Current location', s.current_location ?? '-'],
    ['Commands executed', String(s.commands_executed)],
    ['Total playtime', hoursAndMinutes(s.total_playtime_hours)],
    ['Locations visited', `${s.locations_visited} moves, ${s.distinct_rooms_visited} distinct rooms`],
    ['Last location change', last ? `${last.from ?? '-'} -> ${last.to ?? '-'} at ${last.timestamp}` : '-'],
    ['Last command', s.last_command_time ?? '-'],
  ]);
}

/** Characters are objects some account owns, or any audited object (an audited NPC). */
function findCharacter(ctx: CharacterContext, name: string): DefaultObject | null {
  const found = ctx.game.objects.search(name).filter((o) => o.record.accountId !== null || o instanceof AuditedCharacter);
  if (found.length === 1) return found[0]!;
  ctx.reply(found.length ? `'${name}' could mean: ${found.map((o) => `${o.key}(${o.dbref})`).join(', ')}.` : `No character is called '${name}'.`);
  return null;
}

export const audit: CharacterCommand = {
  key: '@audit',
  category: 'Audit',
  help:
    '@audit [<character>] — the audit summary of your character (builders: anyone\'s, online or not).\n' +
    '@audit/history <character> [N] — their last N moves (default 10).\n' +
    '@audit/json <character> — the raw summary as JSON.',
  run(ctx) {
    const { args, switches, caller, account, reply } = ctx;
    let name = args;
    let count = 10;
    if (switches.includes('history')) {
      const m = /^(.*?)\s+(\d+)$/.exec(args);
      if (m) [name, count] = [m[1]!, Math.min(Number(m[2]), 1000)];
    }
    if (name && !account.hasPermission('Builder') && name.toLowerCase() !== caller.key.toLowerCase()) {
      return reply("You may only audit your own character; auditing others needs Builder permission.");
    }
    const target = name ? findCharacter(ctx, name) : caller;
    if (!target) return;
    if (!(target instanceof AuditedCharacter)) {
      return reply(`${target.key} is not audited (typeclass ${target.typeclassPath}). Migrate it with @typeclass/noinit ${target.key} = ${AuditedCharacter.typeclassPath}`);
    }
    if (switches.includes('json')) return reply(JSON.stringify(target.getAuditSummary(), null, 2));
    if (switches.includes('history')) {
      const moves = target.recentMoves(count);
      if (!moves.length) return reply(`${target.key} has no recorded moves.`);
      return reply([`Last ${moves.length} moves of ${target.key}:`, ...moves.map((m) => `  ${m.timestamp}  ${m.from ?? '-'} -> ${m.to ?? '-'}`)].join('\n'));
    }
    reply(formatSummary(target.getAuditSummary()));
  },
};
