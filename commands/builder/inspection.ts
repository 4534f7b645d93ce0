import { keyValueTable } from '../../server/text.ts';
import { Character } from '../../typeclasses/character.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';
import { BUILDER } from './syntax.ts';

const ref = (obj: DefaultObject | null): string => (obj ? `${obj.key}(${obj.dbref})` : '-');

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
