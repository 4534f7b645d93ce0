import { targetOf } from '../../server/audit/events.ts';
import { AUDIT_ATTRIBUTES, AuditedCharacter } from '../../typeclasses/audited_character.ts';
import { Room } from '../../typeclasses/room.ts';
import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';
import { BUILDER, nameWithAliases, splitAssignment } from './syntax.ts';

export const describe: CharacterCommand = {
  key: '@desc',
  aliases: ['@describe'],
  lock: BUILDER,
  category: 'Building',
  help: '@desc [<object> =] <description> — describe an object, or the room you are in.',
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    const target = rhs === null ? ctx.room : findOne(ctx, lhs, 'anywhere');
    const text = rhs ?? lhs;
    if (!target) return rhs === null ? ctx.reply('You are nowhere to describe.') : undefined;
    if (!text) return ctx.reply('Usage: @desc [<object> =] <description>');
    ctx.noteTarget(target);
    target.attributes.set('desc', text);
    if (target instanceof Room) target.appearanceChanged();
    ctx.reply(`Description of ${target.key} set.`);
  },
};

export const rename: CharacterCommand = {
  key: '@name',
  aliases: ['@rename'],
  lock: BUILDER,
  category: 'Building',
  help: '@name <object> = <new name>[;aliases] — rename an object.',
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    if (!lhs || !rhs) return ctx.reply('Usage: @name <object> = <new name>[;aliases]');
    const target = findOne(ctx, lhs, 'anywhere');
    if (!target) return;
    const { key, aliases } = nameWithAliases(rhs);
    if (!key) return ctx.reply('A name cannot be empty.');
    const old = target.key;
    target.record.key = key;
    if (rhs.includes(';')) target.record.aliases = aliases;
    ctx.objects.save(target);
    target.location?.itemChanged('Update', target);
    if (target instanceof Room) target.appearanceChanged();
    ctx.noteTarget(target);
    ctx.audit('object_renamed', { target: targetOf(target), payload: { old_name: old, aliases: target.aliases } });
    ctx.reply(`${old} is now called ${key}.`);
  },
};

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const setAttribute: CharacterCommand = {
  key: '@set',
  lock: BUILDER,
  category: 'Building',
  help: '@set <object>/<attribute> [= <value>] — show, set (JSON or plain text) or, with an empty value, delete an attribute.',
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    const slash = lhs.lastIndexOf('/');
    if (slash <= 0 || slash === lhs.length - 1) return ctx.reply('Usage: @set <object>/<attribute> [= <value>]');
    const target = findOne(ctx, lhs.slice(0, slash), 'anywhere');
    if (!target) return;
    const name = lhs.slice(slash + 1).trim();
    ctx.noteTarget(target);
    if (rhs === null) {
      const shown = target.attributes.has(name) ? JSON.stringify(target.attributes.get(name, null)) : '(not set)';
      return ctx.reply(`${target.key}/${name} = ${shown}`);
    }
    // The audit's own counters (@audit reads them) are not a Builder's to write: forging them
    // is forging the audit. An Admin may (to repair one), and the change is audited, before and after.
    const auditAttribute = target instanceof AuditedCharacter && AUDIT_ATTRIBUTES.has(name);
    if (auditAttribute && !ctx.account.hasPermission('Admin')) {
      return ctx.deny('Admin', `${target.key}/${name} is kept by the audit: changing it needs Admin permission.`);
    }
    const before: unknown = target.attributes.has(name) ? target.attributes.get(name, null) : undefined;
    let after: unknown;
    if (rhs === '') {
      if (!target.attributes.delete(name)) return ctx.reply(`${target.key} has no attribute '${name}'.`);
      ctx.reply(`Deleted ${target.key}/${name}.`);
    } else {
      after = parseValue(rhs);
      target.attributes.set(name, after);
      ctx.reply(`Set ${target.key}/${name} = ${JSON.stringify(after)}`);
    }
    // A room's area, environment or coords are in its Room.Info: a mapper here sees them now.
    if (target instanceof Room) target.appearanceChanged();
    if (auditAttribute) {
      // `null` in the payload where the attribute was (or is now) not set at all.
      ctx.audit('audit_attribute_changed', { target: targetOf(target, 'character'), payload: { attribute: name, before: before ?? null, after: after ?? null } });
    }
  },
};
