import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import { serverEnv, spawnServer } from '../support/server_process.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { tempDir } from '../support/temp_dir.ts';
import { readTableFile, readTrail } from './helpers.ts';

describe('the audit trail across a kill -9', () => {
  it('continues the chain at the next start, and the table lost nothing the players saw', async () => {
    const dir = tempDir();
    const env = serverEnv(dir, { MUD_WEB: 'off' });
    const live = path.join(dir, 'logs', 'audit', 'audit.jsonl');

    const first = await spawnServer(env);
    const a = await TestTelnetClient.connect(first.telnetPort);
    await a.waitFor('Welcome to');
    await a.command(`create Phoenix ${PASSWORD}`, 'You become Phoenix');
    for (const word of ['one', 'two', 'three']) await a.command(`say ${word}`, `You say, "${word}"`);
    // The worker writes the file soon after each commit.
    await expect.poll(() => (fs.existsSync(live) ? fs.readFileSync(live, 'utf8') : ''), { timeout: 10_000 }).toContain('"text":"three"');
    first.child.kill('SIGKILL');
    await first.exited;
    a.close();
    const beforeCrash = readTrail(env.MUD_LOG_DIR);
    // Left behind, naming a dead pid: the kernel dropped the lock itself, so no wait follows.
    expect(fs.readFileSync(path.join(dir, 'logs', 'audit', 'audit.lock.pid'), 'utf8')).toBe(`${first.pid}\n`);

    const second = await spawnServer(env);
    const b = await TestTelnetClient.connect(second.telnetPort);
    await b.waitFor('Welcome to');
    await b.command(`connect Phoenix ${PASSWORD}`, 'You become Phoenix');
    await b.command('say four', 'You say, "four"');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    b.close();

    const trail = readTrail(env.MUD_LOG_DIR);
    expect(trail.map((r) => r.seq)).toEqual(trail.map((_, i) => i + 1));
    expect(trail.slice(0, beforeCrash.length)).toEqual(beforeCrash);
    expect(trail.filter((r) => r.event_type === 'say').map((r) => r.payload.text)).toEqual(['one', 'two', 'three', 'four']);
    // The outbox kept what the crashed run had committed: the table has every event, once.
    const table = readTableFile(env.MUD_DATA_DIR);
    expect(table.map((e) => e.seq)).toEqual(trail.map((r) => r.seq));

    const verified = runCli('audit_verify.ts', [], env);
    expect(verified.stdout).toContain(`Audit trail intact: ${trail.length} record(s), seq 1 to ${trail.length}`);
    expect(verified.code).toBe(0);
  });
});

describe('the audit trail lock', () => {
  it('is not held by a pid that a live process has now, left by a dead writer', async () => {
    const dir = tempDir();
    const audit = path.join(dir, 'logs', 'audit');
    fs.mkdirSync(audit, { recursive: true });
    // As an older server left it after a kill -9, its pid since handed to a live process (our
    // parent): `kill(pid, 0)` said "alive" and the chain waited forever.
    fs.writeFileSync(path.join(audit, 'audit.lock'), `${process.ppid}\n`);
    fs.writeFileSync(path.join(audit, 'audit.lock.pid'), `${process.ppid}\n`);
    const run = await startGame({ dir });
    try {
      const player = await run.login('Phoenix');
      await player.command('say still chained', 'You say');
      await run.game.auditTrail.flush();
      expect(run.game.auditTrail.stats().jsonl.failing).toBe(false);
      expect(readTrail(run.config.logDir).some((r) => r.payload.text === 'still chained')).toBe(true);
      expect((await run.logs.lines('server.log')).join('\n')).not.toContain('is being written by');
    } finally {
      await run.stop();
    }
  });
});
