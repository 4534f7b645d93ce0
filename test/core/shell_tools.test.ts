import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditedCharacter } from '../../typeclasses/audited_character.ts';
import { runCli } from '../support/cli.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import { serverEnv } from '../support/server_process.ts';
import { tempDir } from '../support/temp_dir.ts';
import { readTableFile, readTrail } from '../audit_trail/helpers.ts';

describe('npm run admin -- create', () => {
  it('makes a Developer account from the shell, without the password reaching a log', () => {
    const dir = tempDir();
    const made = runCli('admin.ts', ['create', 'Operator'], { ...serverEnv(dir), MUD_ADMIN_PASSWORD: PASSWORD });
    expect(made.stderr).toBe('');
    expect(made.stdout).toContain('Created account Operator with Developer permissions.');
    expect(made.code).toBe(0);
    const again = runCli('admin.ts', ['create', 'operator'], { ...serverEnv(dir), MUD_ADMIN_PASSWORD: PASSWORD });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("error: The name 'operator' is taken.\n");
    expect(runCli('admin.ts', ['delete'], serverEnv(dir)).stderr).toContain('usage: npm run admin -- create <name>');
    const logs = fs
      .readdirSync(path.join(dir, 'logs'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
      .join('');
    expect(logs).toContain("Account 'Operator' created from the shell with full admin (Developer) permissions");
    expect(logs).not.toContain(PASSWORD);
  });

  it('puts its account_created event in the JSONL chain and the table, with a seq, and in player_activity.log', () => {
    // Issue 13, item 11: it used to reach the table only, with no seq. The CLI builds a Game,
    // so its event goes through the outbox like any other.
    const dir = tempDir();
    const env = { ...serverEnv(dir), MUD_ADMIN_PASSWORD: PASSWORD };
    expect(runCli('admin.ts', ['create', 'Operator'], env).code).toBe(0);
    const trail = readTrail(env.MUD_LOG_DIR).filter((r) => r.event_type === 'account_created');
    expect(trail).toEqual([
      expect.objectContaining({ seq: expect.any(Number), target: { kind: 'account', id: 1, name: 'Operator' }, payload: { via: 'shell' } }),
    ]);
    const table = readTableFile(env.MUD_DATA_DIR).filter((e) => e.event_type === 'account_created');
    expect(table.map((e) => e.seq)).toEqual([trail[0]!.seq]);
    expect(runCli('audit_verify.ts', [], env).stdout).toMatch(/^Audit trail intact: /);
    const activity = fs.readFileSync(path.join(env.MUD_LOG_DIR, 'player_activity.log'), 'utf8');
    expect(activity).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| mud\.accounts \| INFO \| AUDIT ACCOUNT: Operator\(account:1\) created\n$/);
  });
});

describe('npm run admin -- create beside a running server', () => {
  it('refuses, writing nothing into the running server\'s logs and leaving its state alone', async () => {
    const dir = tempDir();
    const run = await startGame({ dir });
    try {
      const before = await run.logs.everything();
      const made = runCli('admin.ts', ['create', 'Sneaky'], { ...serverEnv(dir), MUD_ADMIN_PASSWORD: PASSWORD });
      expect(made.stderr).toBe(`error: the server (pid ${process.pid}) is running on ${path.join(dir, 'data')}; stop it first, or use the in-game command instead.\n`);
      expect(made.code).toBe(1);
      expect(await run.logs.everything()).toBe(before);
      expect(run.game.store.getState('server.running')).toBe('yes');
      expect(run.game.accounts.byName('Sneaky')).toBeNull();
    } finally {
      await run.stop();
    }
  });
});

describe('npm run migrate-audit', () => {
  it('migrates the named characters in place and reports each one', async () => {
    const dir = tempDir();
    let run = await startGame({ dir, config: { defaultCharacterTypeclass: 'typeclasses/character.Character' } });
    const old = await run.login('Oldie');
    await old.command('north', 'Courtyard');
    await run.login('Other');
    const oldie = run.game.objects.search('Oldie')[0]!;
    oldie.attributes.set('title', 'the Patient');
    await run.stop();

    const result = runCli('migrate_audit.ts', ['Oldie', 'Ghost'], serverEnv(dir));
    expect(result.stdout).toContain(`Migrated Oldie(#${oldie.id}) from typeclasses/character.Character to typeclasses/audited_character.AuditedCharacter.`);
    expect(result.stdout).toContain("No character is called 'ghost'.");
    expect(result.stdout).toContain('1 character(s) migrated.');
    expect(result.code).toBe(1);

    run = await startGame({ dir });
    const migrated = run.game.objects.get(oldie.id)!;
    expect(migrated).toBeInstanceOf(AuditedCharacter);
    expect((migrated as AuditedCharacter).whereabouts?.key).toBe('Courtyard');
    expect(migrated.attributes.get('title', null)).toBe('the Patient');
    expect((migrated as AuditedCharacter).getAuditSummary().commands_executed).toBe(0);
    expect(run.game.objects.search('Other')[0]).not.toBeInstanceOf(AuditedCharacter);
    await run.stop();

    const all = runCli('migrate_audit.ts', [], serverEnv(dir));
    expect(all.stdout).toContain(`Oldie(#${oldie.id}) is already audited.`);
    expect(all.stdout).toMatch(/Migrated Other\(#\d+\)/);
    expect(all.code).toBe(0);
  });

  it('refuses to run beside a live server on the same data', async () => {
    const dir = tempDir();
    // A game of this process holds the data dir's lock; the tool is another process.
    const run = await startGame({ dir });
    try {
      const result = runCli('migrate_audit.ts', [], serverEnv(dir));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: the server (pid ${process.pid}) is running on ${path.join(dir, 'data')}; stop it first, or use the in-game command instead.\n`);
    } finally {
      await run.stop();
    }
  });
});
