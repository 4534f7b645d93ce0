import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEventType } from '../../server/audit/events.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { facts, readTableFile, readTrail } from './helpers.ts';

/** Every type the bus knows: a Record, so a type added to AuditEventType fails to compile here until it is played below. */
const TYPES: Record<AuditEventType, true> = {
  command: true, move_leave: true, move_arrive: true, puppet: true, unpuppet: true, character_created: true,
  account_created: true, login_ok: true, login_failed: true, logout: true, password_changed: true, permissions_changed: true, typeclass_swapped: true,
  connection_opened: true, connection_closed: true, login_locked: true, dual_address: true, builder_command: true,
  object_created: true, object_destroyed: true, object_renamed: true, say: true, whisper: true, channel: true, emote: true,
  get: true, drop: true, give: true, rate_limited: true, access_denied: true, audit_attribute_changed: true,
  admin_action: true, connection_banned: true, report_filed: true, protocol_error: true,
  server_started: true, server_stopped: true, audit_disabled: true, audit_pruned: true,
};
const ALL_TYPES = Object.keys(TYPES) as AuditEventType[];

describe('every audit event type', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('is produced by a real session and lands identically in the JSONL trail and the table, without secrets', async () => {
    // Loopback is not exempt here, so the flood below meets the default command rate.
    run = await startGame({ config: { limits: { rateExempt: [] } }, game: { loginGuard: { maxFailures: 2, windowMs: 60_000, lockMs: 60_000 } } });
    // As server/main.ts does once it listens; then a prune of that first event from the table
    // (retention as if a day had passed), so that the prune is on the record too.
    run.game.announceStart('single', { telnet: run.port });
    await run.game.auditTrail.flush();
    const cutoff = new Date(Date.now() + 1);
    while (Date.now() <= cutoff.getTime() + 1) await new Promise((r) => setTimeout(r, 2));
    const pruned = await run.game.auditTrail.prune(1, new Date(cutoff.getTime() + 86_400_000));
    expect(pruned.rows).toBeGreaterThan(0);
    const secrets = ['First-Secret-1', 'Second-Secret-2', 'Guess-Secret-3', 'Guess-Secret-4'];
    const root = await run.login('Root');
    const pleb = await run.connect();
    await pleb.createAtPrompts('Pleb', secrets[0]!);
    await pleb.command(`password ${secrets[0]} ${secrets[1]}`, 'Password changed.');
    await pleb.command('say hello all', 'You say');
    await pleb.command(`say ${'x'.repeat(5000)}`, 'longer than 4096 bytes');
    await pleb.command('whisper Root = psst', 'You whisper');
    await pleb.command('pose waves.', 'Pleb waves.');
    await pleb.command('pub hello everyone', '[public] Pleb: hello everyone');
    await pleb.command('north', 'Courtyard');
    await pleb.command('east', 'Library');
    await pleb.command('get book', 'You pick up');
    await pleb.command('drop book', 'You drop');
    await pleb.command('get book', 'You pick up');
    await pleb.command('west', 'Courtyard');
    await pleb.command('south', 'Limbo');
    await pleb.command('give book to Root', 'You give');
    await root.command('@create lamp', 'Created lamp');
    await root.command('@name lamp = oil lamp', 'now called oil lamp');
    await root.command('@destroy oil lamp', 'Destroyed');
    await pleb.command(`@password Root = ${secrets[1]}`, 'You are not allowed');
    await root.command('@set Pleb/total_playtime = 0', 'Set Pleb/total_playtime = 0');
    await root.command('@typeclass/noinit Pleb = typeclasses/audited_character.AuditedCharacter', 'without running its creation hook');
    await pleb.command('report Root = testing the staff', 'report #1 is filed about Root');
    await root.command('@wall hello all', 'Announcement from Root: hello all');
    await root.command('@ban Evil = testing', 'Banned name evil');
    await pleb.command('quit', 'Goodbye');
    await pleb.waitClosed();
    const evil = await run.connect();
    await evil.command(`connect Evil ${secrets[2]}`, "The name 'Evil' is banned");
    const guesser = await run.connect();
    await guesser.command(`connect Pleb ${secrets[2]}`, 'Wrong name or password.');
    await guesser.command(`connect Pleb ${secrets[3]}`, 'Too many failed logins');
    const flooder = await run.connect();
    flooder.sendRaw('look\r\n'.repeat(run.config.limits.commandBurst + 40));
    await flooder.waitFor('You are sending too fast');
    // Last, as it ends Root's own command audit.
    await root.command('@typeclass/noinit me = typeclasses/character.Character', 'changed from');

    await run.stop();
    const trail = readTrail(run.config.logDir);
    const table = readTableFile(run.config.dataDir);
    // The table holds exactly what the prune left: every record from its cut-off on.
    const kept = trail.filter((r) => r.ts >= cutoff.toISOString());
    expect(trail.filter((r) => r.ts < cutoff.toISOString()).map((r) => r.event_type)).toContain('server_started');
    expect(table.map((e) => [e.seq, facts(e)])).toEqual(kept.map((r) => [r.seq, facts(r)]));
    const seen = new Set(trail.map((r) => r.event_type));
    expect(ALL_TYPES.filter((t) => !seen.has(t))).toEqual([]);
    expect([...seen].filter((t) => !ALL_TYPES.includes(t as AuditEventType))).toEqual([]);
    const everything = (await run.logs.everything()) + JSON.stringify(table);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
