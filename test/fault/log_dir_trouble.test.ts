/**
 * The log directory becomes unwritable while the server runs: it says so clearly, the game keeps
 * answering, and logging resumes (held lines included) once the directory is back.
 *
 * Tests run as root, which ignores permission bits, so "unwritable" is simulated as in
 * test/logging/failures.test.ts: the directory is renamed away and a regular file put at its path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackServerProcesses } from '../support/cleanup.ts';
import { serverEnv } from '../support/server_process.ts';

describe('log directory trouble', () => {
  const started = trackServerProcesses();

  it('keeps the game running, reports the trouble and writes the held lines once the dir is back', { timeout: 60_000 }, async () => {
    const dir = started.tempDir('mud-logtrouble-');
    const logDir = path.join(dir, 'logs');
    const moved = `${logDir}.moved`;
    const server = await started.spawnServer(serverEnv(dir, { MUD_WEB: 'off' }));
    const player = await started.login(server.telnetPort, 'Scribe');
    const commandLog = () => {
      const file = path.join(logDir, 'command_audit.log');
      return fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : '';
    };

    await player.say('before-1');
    await player.move();
    await expect.poll(commandLog, { timeout: 10_000 }).toContain("with args 'before-1'");

    // The directory goes away and a file takes its path: nothing under it can be opened.
    fs.renameSync(logDir, moved);
    fs.writeFileSync(logDir, 'not a directory');
    // The game keeps answering. Logs check that their file is still theirs once a second, so the
    // trouble shows within a second or so of play; until then lines still reach the moved file.
    let during = 0;
    await expect
      .poll(
        async () => {
          await player.say(`during-${++during}`);
          await player.move();
          return server.stderr();
        },
        { timeout: 15_000, interval: 100 },
      )
      .toMatch(/\[logging\] .*command_audit\.log.*ENOTDIR/);
    // A second player can still come in (their account and character go to the database).
    const late = await started.login(server.telnetPort, 'Latecomer');
    await late.say('late-1');

    // The directory comes back; the server's retries (1 s, doubling) find it and write what they held.
    fs.rmSync(logDir);
    fs.renameSync(moved, logDir);
    let n = 0;
    await expect
      .poll(
        async () => {
          await player.say(`after-${++n}`);
          return commandLog();
        },
        { timeout: 30_000, interval: 250 },
      )
      .toContain("with args 'after-");
    const log = commandLog();
    const markers = ['before-1', ...Array.from({ length: during }, (_, i) => `during-${i + 1}`), 'after-1'];
    const order = markers.map((m) => log.indexOf(`with args '${m}'`));
    expect(order.every((at) => at >= 0), `every marker in command_audit.log:\n${log}`).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order); // in the order they were played
    expect(log).toMatch(/AUDIT CMD: Latecomer\(#\d+\) executed 'say' with args 'late-1'/);
    await expect.poll(() => fs.readFileSync(path.join(logDir, 'server.log'), 'utf8'), { timeout: 30_000 }).toMatch(/Log trouble: .*ENOTDIR[\s\S]*is writable again/);
    await player.move();

    // A clean stop afterwards loses nothing.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const final = commandLog();
    expect(final.match(/ \| AUDIT CMD: /g)).toHaveLength(player.sent + late.sent);
    expect(fs.readFileSync(path.join(logDir, 'player_activity.log'), 'utf8')).toMatch(/AUDIT SESSION: Latecomer\(#\d+\) unpuppeted/);
  });
});
