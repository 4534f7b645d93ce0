import { keyValueTable } from '../../server/text.ts';
import { Character } from '../../typeclasses/character.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { Session } from '../../server/sessions/session.ts';
import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';
import { BUILDER } from './syntax.ts';

const ref = (obj: DefaultObject | null): string => (obj ? `${obj.key}(${obj.dbref})` : '-');

/** `telnet+tls from 1.2.3.4, CLIENT_NAME=Mudlet CLIENT_VERSION=4.17` (NEW-ENVIRON, MNES names). */
function sessionFacts(session: Session, withAddress: boolean): string {
  const { transport } = session;
  const environ = Object.entries(transport.environ ?? {}).filter(([name]) => withAddress || name !== 'IPADDRESS');
  const told = environ.length ? environ.map(([name, value]) => `${name}=${value}`).join(' ') : `no NEW-ENVIRON${transport.clientName ? `; client ${transport.clientName}` : ''}`;
  return `${session.protocol}${withAddress ? ` from ${session.remoteAddress}` : ''}, ${told}`;
}

export const examine: CharacterCommand = {
  key: '@examine',
  aliases: ['@ex', 'examine'],
  lock: BUILDER,
  category: 'Building',
  help: '@examine [<object>] — show an object\'s id, typeclass, places and attributes.',
  run(ctx) {
    const target = ctx.args ? findOne(ctx, ctx.args, 'anywhere') : ctx.room;
    if (!target) return;
    ctx.noteTarget(target);
    const rows: [string, string][] = [
      ['Name', ref(target)],
      ['Aliases', target.aliases.join(', ') || '-'],
      ['Typeclass', target.typeclassPath],
      ['Location', target instanceof Character && target.isOffline ? `- (offline; comes back in ${ref(target.whereabouts)})` : ref(target.location)],
      ['Home', ref(target.home)],
    ];
    if (target.isExit) rows.push(['Destination', ref(target.destination)]);
    if (target.account) rows.push(['Account', `${target.account.name} (${target.account.permissionLevel})`]);
    rows.push(['Created', target.record.createdAt]);
    for (const key of target.attributes.keys()) rows.push([`  ${key}`, shown(target.attributes.get(key, null))]);
    for (const key of target.attributes.listKeys()) rows.push([`  ${key}`, `[list of ${target.attributes.list(key).length}]`]);
    if (target.contents.length) rows.push(['Contents', target.contents.map(ref).join(', ')]);
    // Its connections: how each reached us and what its client said of itself (addresses: Admins, as @users).
    const addresses = ctx.account.hasPermission('Admin');
    for (const session of target.sessions) rows.push([`Session #${session.id}`, sessionFacts(session, addresses)]);
    ctx.reply(keyValueTable(rows));
  },
};

export const find: CharacterCommand = {
  key: '@find',
  aliases: ['@search'],
  lock: BUILDER,
  category: 'Building',
  help: '@find <text> — list objects whose name contains the text.',
  run(ctx) {
    if (!ctx.args) return ctx.reply('Usage: @find <text>');
    const found = ctx.objects.searchKeys(ctx.args);
    if (!found.length) return ctx.reply(`Nothing is called anything like '${ctx.args}'.`);
    const shown = found.slice(0, 50).map((o) => `  ${ref(o)} ${o.typeclassPath}${o.location ? ` in ${o.location.key}` : ''}`);
    const more = found.length > 50 ? [`  … and ${found.length - 50} more`] : [];
    ctx.reply([`${found.length} found:`, ...shown, ...more].join('\n'));
  },
};

/** An attribute as JSON, a fractional number to two places (playtime `65.43`, not `65.42999999999998`). */
function shown(value: unknown): string {
  return typeof value === 'number' && !Number.isInteger(value) ? String(Math.round(value * 100) / 100) : JSON.stringify(value);
}
