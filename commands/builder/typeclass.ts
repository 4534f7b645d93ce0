import { targetOf } from '../../server/audit/events.ts';
import { AuditedCharacter } from '../../typeclasses/audited_character.ts';
import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';
import { BUILDER, splitAssignment } from './syntax.ts';

export const typeclass: CharacterCommand = {
  key: '@typeclass',
  aliases: ['@swap'],
  lock: BUILDER,
  category: 'Building',
  switches: ['noinit', 'list'],
  help:
    '@typeclass[/noinit] <object> [= <typeclass path>] — show or change what kind of object it is.\n' +
    'The object keeps its id, location and attributes. /noinit skips the new class\'s creation hook\n' +
    '(use it to migrate existing characters); "@typeclass/list" lists the known paths.',
  run(ctx) {
    const { objects, typeclasses, switches, reply } = ctx;
    if (switches.includes('list')) return reply(`Known typeclasses:\n  ${typeclasses.paths().join('\n  ')}`);
    const { lhs, rhs } = splitAssignment(ctx.args);
    if (!lhs) return reply('Usage: @typeclass[/noinit] <object> [= <typeclass path>]');
    const target = findOne(ctx, lhs, 'anywhere');
    if (!target) return;
    ctx.noteTarget(target);
    if (!rhs) return reply(`${target.key}(${target.dbref}) is a ${target.typeclassPath}.`);
    if (!typeclasses.has(rhs)) return reply(`Unknown typeclass '${rhs}' (known: ${typeclasses.paths().join(', ')})`);
    const from = target.typeclassPath;
    // Swapping a character away from AuditedCharacter switches its command and movement audit
    // off without a word: only an Admin may, and the swap itself is an admin action on record.
    const stillAudited = (cls: { prototype: object }) => cls === AuditedCharacter || cls.prototype instanceof AuditedCharacter;
    // Asked before the swap: it re-binds the object's prototype in place.
    const auditStops = target instanceof AuditedCharacter && !stillAudited(typeclasses.resolve(rhs));
    if (auditStops && !ctx.account.hasPermission('Admin')) {
      return ctx.deny('Admin', `Changing ${target.key}(${target.dbref}) away from AuditedCharacter stops its audit: that needs Admin permission.`);
    }
    const runStartHooks = !switches.includes('noinit');
    objects.swapTypeclass(target, rhs, { runStartHooks });
    ctx.audit('typeclass_swapped', { target: targetOf(target), payload: { from, to: rhs, run_start_hooks: runStartHooks } });
    // Its own event too (OWASP sys_monitor_disabled): a SIEM rule need not know our typeclasses.
    if (auditStops) ctx.audit('audit_disabled', { target: targetOf(target, 'character'), payload: { scope: 'character', via: '@typeclass', from, to: rhs } });
    reply(`${target.key}(${target.dbref}) changed from ${from} to ${rhs}${runStartHooks ? '' : ' without running its creation hook'}.`);
  },
};
