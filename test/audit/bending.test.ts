/**
 * Issue 13, items 3 and 11: a Builder must not be able to make the audit lie, and every line must
 * say exactly what happened. Each test plays the attack over a real telnet socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readTable } from '../audit_trail/helpers.ts';
import { AuditedCharacter } from '../../typeclasses/audited_character.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { ref } from '../support/ids.ts';

const STAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
const re = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exact = (logger: string, level: string, message: string) => new RegExp(`^${STAMP} \\| ${re(logger)} \\| ${level} \\| ${re(message)}$`);
const chat = (message: string) => new RegExp(`^${STAMP} ${re(message)}$`);

/** Root (the first account: Developer), a Builder and a Player, all in Limbo. */
async function cast(run: RunningGame) {
  const root = await run.login('Root');
  const builder = await run.login('Bilda');
  run.game.accounts.byName('Bilda')!.setPermissions(['Builder']);
  const victim = await run.login('Victim');
  return { root, builder, victim };
}

describe('a Builder cannot bend the audit', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('@name me = Victim: chat.log and command_audit.log still tell the two apart, by id', async () => {
    run = await startGame();
    const { builder, victim } = await cast(run);
    const [real, impostor] = [ref(run, 'Victim'), ref(run, 'Bilda')];
    await builder.command('@name me = Victim', 'Bilda is now called Victim');
    const impostorId = impostor.slice('Bilda'.length); // "(#N)"
    await victim.command('say it is me', 'You say');
    await builder.command('say no, it is me', 'You say');
    expect(await run.logs.lines('chat.log')).toEqual([
      expect.stringMatching(chat(`<${real}> [Limbo]: it is me`)),
      expect.stringMatching(chat(`<Victim${impostorId}> [Limbo]: no, it is me`)),
    ]);
    const commands = (await run.logs.lines('command_audit.log')).filter((l) => l.includes("'say'"));
    expect(commands).toEqual([
      expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: ${real} executed 'say' with args 'it is me'`)),
      expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: Victim${impostorId} executed 'say' with args 'no, it is me'`)),
    ]);
    // The structured trail carries the id too, so jq and @audit/search can tell them apart.
    const says = (await readTable(run.game)).filter((e) => e.event_type === 'say');
    expect(says.map((e) => [e.actor.character, e.payload.character_id])).toEqual([
      ['Victim', run.game.objects.search('Victim').find((o) => o.account?.name === 'Victim')!.id],
      ['Victim', Number(impostorId.slice(2, -1))],
    ]);
  });

  it('a name cannot fake an id: "(#" in a name is written "(\\#"', async () => {
    run = await startGame();
    const { builder } = await cast(run);
    const id = ref(run, 'Bilda').slice('Bilda'.length);
    await builder.command("@name me = Victim(#1) it's", 'is now called');
    await builder.command('say hi', 'You say');
    expect(await run.logs.lines('chat.log')).toEqual([expect.stringMatching(chat(`<Victim(\\#1) it's${id}> [Limbo]: hi`))]);
    // Inside quotes a quote is escaped, so the game's closing quote is always the last one.
    expect(await run.logs.lines('admin_actions.log')).toContainEqual(
      expect.stringMatching(exact('mud.admin', 'INFO', `OBJECT RENAMED: Victim(\\#1) it's${id} from 'Bilda' by Victim(\\#1) it's${id}`)),
    );
    expect(await run.logs.lines('command_audit.log')).toContainEqual(
      expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: Bilda${id} executed '@name' with args 'me = Victim(#1) it\\'s'`)),
    );
  });

  it('@typeclass away from AuditedCharacter is refused to a Builder (audited), allowed to an Admin (audited, before and after)', async () => {
    run = await startGame();
    const { root, builder } = await cast(run);
    const bilda = ref(run, 'Bilda');
    await builder.command('@typeclass/noinit me = typeclasses/character.Character', 'needs Admin permission');
    const me = run.game.objects.search('Bilda')[0]!;
    expect(me).toBeInstanceOf(AuditedCharacter);
    // Still audited: the next command and move are logged.
    await builder.command('north', 'Courtyard');
    expect(await run.logs.lines('command_audit.log')).toContainEqual(expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: ${bilda} executed 'north'`)));
    await builder.command('south', 'Limbo');
    const admin = await run.logs.lines('admin_actions.log');
    expect(admin).toContainEqual(
      expect.stringMatching(
        exact('mud.admin', 'WARN', `ACCESS DENIED: ${bilda} (Builder) tried '@typeclass/noinit' with args 'me = typeclasses/character.Character' (needs Admin) in Limbo`),
      ),
    );
    // Staying audited (AuditedCharacter again) is still a Builder's to do.
    await builder.command('@typeclass/noinit me = typeclasses/audited_character.AuditedCharacter', 'without running its creation hook');

    const rootRef = ref(run, 'Root');
    await root.command('@typeclass/noinit Bilda = typeclasses/character.Character', 'without running its creation hook');
    expect(run.game.objects.search('Bilda')[0]).not.toBeInstanceOf(AuditedCharacter);
    expect(await run.logs.lines('admin_actions.log')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(exact('mud.admin', 'INFO', `TYPECLASS: ${bilda} typeclasses/audited_character.AuditedCharacter -> typeclasses/character.Character (noinit) by ${rootRef}`)),
        expect.stringMatching(
          exact('mud.admin', 'INFO', `ADMIN CMD: ${rootRef} (Developer) ran '@typeclass/noinit' with args 'Bilda = typeclasses/character.Character' on ${bilda} in Limbo`),
        ),
      ]),
    );
    const events = await readTable(run.game);
    expect(events.filter((e) => e.event_type === 'access_denied').map((e) => [e.actor.character, e.payload, e.success])).toEqual([
      ['Bilda', { command: '@typeclass', switches: ['noinit'], args: 'me = typeclasses/character.Character', needs: 'Admin', level: 'Builder', character_id: me.id }, false],
    ]);
  });

  it('@set of an audit counter is refused to a Builder, and an Admin\'s is audited with before and after', async () => {
    run = await startGame();
    const { root, builder } = await cast(run);
    await builder.command('look', 'Limbo');
    const me = run.game.objects.search('Bilda')[0] as AuditedCharacter;
    const counted = me.auditValue('command_count');
    await builder.command('@set me/command_count = -42', 'needs Admin permission');
    await builder.command('@set me/location_history = []', 'needs Admin permission');
    await builder.command('@set me/command_count =', 'needs Admin permission');
    expect(me.auditValue('command_count')).toBe(counted + 3);
    expect((await builder.command('@audit', 'Last command'))).toMatch(new RegExp(`Commands executed\\s+: ${counted + 4}\\b`));
    // Other attributes stay a Builder's to set.
    await builder.command('@set me/title = "the Bold"', 'Set Bilda/title');

    await root.command('@set Bilda/command_count = 7', 'Set Bilda/command_count = 7');
    const [bilda, rootRef] = [ref(run, 'Bilda'), ref(run, 'Root')];
    expect(await run.logs.lines('admin_actions.log')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(exact('mud.admin', 'WARN', `ACCESS DENIED: ${bilda} (Builder) tried '@set' with args 'me/command_count = -42' (needs Admin) in Limbo`)),
        expect.stringMatching(exact('mud.admin', 'INFO', `AUDIT ATTRIBUTE: ${bilda} 'command_count' ${counted + 5} -> 7 by ${rootRef}`)),
      ]),
    );
    const changed = (await readTable(run.game)).filter((e) => e.event_type === 'audit_attribute_changed');
    expect(changed.map((e) => [e.target, e.payload])).toEqual([
      [{ kind: 'character', id: me.id, name: 'Bilda' }, { attribute: 'command_count', before: counted + 5, after: 7, character_id: run.game.objects.search('Root')[0]!.id }],
    ]);
  });
});

describe('denied privileged commands are audited', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('a Player trying @shutdown or @password sysop = … leaves an access_denied event and line, the password masked', async () => {
    run = await startGame();
    await run.login('sysop');
    const pleb = await run.login('Pleb');
    const secret = 'Taken-Over-123';
    await pleb.command('@shutdown now', "You are not allowed to use '@shutdown': it needs Admin permission.");
    await pleb.command(`@password sysop = ${secret}`, "You are not allowed to use '@password'");
    await pleb.command('@audit/stats', 'need Admin permission');
    await pleb.command('look', 'Limbo'); // the server is still up
    const p = ref(run, 'Pleb');
    const denied = (await run.logs.lines('admin_actions.log')).filter((l) => l.includes('ACCESS DENIED'));
    expect(denied).toEqual([
      expect.stringMatching(exact('mud.admin', 'WARN', `ACCESS DENIED: ${p} (Player) tried '@shutdown' with args 'now' (needs Admin) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'WARN', `ACCESS DENIED: ${p} (Player) tried '@password' with args '***' (needs Admin) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'WARN', `ACCESS DENIED: ${p} (Player) tried '@audit/stats' (needs Admin) in Limbo`)),
    ]);
    const events = (await readTable(run.game)).filter((e) => e.event_type === 'access_denied');
    expect(events.map((e) => [e.actor.account, e.payload.command, e.payload.args, e.success])).toEqual([
      ['Pleb', '@shutdown', 'now', false],
      ['Pleb', '@password', '***', false],
      ['Pleb', '@audit', '', false],
    ]);
    expect((await run.logs.everything()) + JSON.stringify(events)).not.toContain(secret);
  });
});

describe('audit lines say exactly what happened', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('keeps the switches of a command: @audit/search and @audit/stats are not both "@audit"', async () => {
    run = await startGame();
    const root = await run.login('Root');
    await root.command('@audit/stats', 'Backlog');
    await root.command('@audit/search type=say', 'Audit search');
    await root.command('@typeclass/list', 'Known typeclasses');
    const r = ref(run, 'Root');
    const commands = (await run.logs.lines('command_audit.log')).filter((l) => l.includes("executed '@"));
    expect(commands).toEqual([
      expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: ${r} executed '@audit/stats'`)),
      expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: ${r} executed '@audit/search' with args 'type=say'`)),
      expect.stringMatching(exact('mud.commands', 'INFO', `AUDIT CMD: ${r} executed '@typeclass/list'`)),
    ]);
    expect((await run.logs.lines('admin_actions.log')).filter((l) => l.includes('ADMIN CMD'))).toEqual([
      expect.stringMatching(exact('mud.admin', 'INFO', `ADMIN CMD: ${r} (Developer) ran '@typeclass/list' in Limbo`)),
    ]);
  });

  it('escapes invisible and bidirectional characters in the logs', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    await anna.command('say evil\u202eeno.exe zero\u200bwidth bom\ufeff lrm\u200e tag\u{e0041}', 'You say');
    const line = (await run.logs.lines('chat.log'))[0]!;
    expect(line).toMatch(chat(`<${ref(run, 'Anna')}> [Limbo]: evil\\u202eeno.exe zero\\u200bwidth bom\\ufeff lrm\\u200e tag\\u{e0041}`));
    // (The JSONL trail keeps them as they are, inside JSON strings: a parser sees the real text.)
    for (const file of ['chat.log', 'command_audit.log']) expect((await run.logs.lines(file)).join('\n')).not.toMatch(/[\u202e\u200b\ufeff\u200e]|\u{e0041}/u);
  });
});
