/**
 * SIGTERM while several clients play flat out: the server exits 0 (within a generous bound),
 * every logged-in session is unpuppeted and every acknowledged command has its audit line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackServerProcesses } from '../support/cleanup.ts';
import { serverEnv } from '../support/server_process.ts';
import { until } from '../support/wait.ts';

const CLIENTS = 5;
const MIN_ACKED = 10;

describe('graceful stop under load', () => {
  const started = trackServerProcesses();
  const { walkers } = started;

  it('SIGTERM unpuppets everyone, flushes every acknowledged command to the audit log and exits 0', { timeout: 60_000 }, async () => {
    const dir = started.tempDir('mud-sigterm-');
    const logDir = path.join(dir, 'logs');
    const server = await started.spawnServer(serverEnv(dir, { MUD_WEB: 'off' }));
    const names = Array.from({ length: CLIENTS }, (_, i) => `Stopper${i}`);
    for (const name of names) await started.login(server.telnetPort, name);

    let stop = false;
    const playing = walkers.map((w) => w.play(() => stop, { says: true }));
    expect(await until(() => walkers.every((w) => w.acked >= MIN_ACKED), 30_000)).toBe(true);
    server.child.kill('SIGTERM');
    // Generous: this checks that it ends, not how fast.
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([server.exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running after 20 s'), 20_000)))]);
    clearTimeout(timer);
    expect(code).toBe(0);
    stop = true;
    await Promise.all(playing);
    // Told why, then closed: no loop may still wait for a reply.
    for (const w of walkers) {
      expect(w.client.text).toContain('The server is shutting down');
      expect(w.error?.message ?? 'closed').toMatch(/closed|shutting down/);
    }

    const read = (file: string) => fs.readFileSync(path.join(logDir, file), 'utf8');
    expect(read('server.log')).toMatch(/Shutdown complete\n$/);
    const unpuppeted = read('player_activity.log')
      .split('\n')
      .map((l) => / \| AUDIT SESSION: (\w+)\(#\d+\) unpuppeted - session \d+s$/.exec(l)?.[1])
      .filter(Boolean);
    expect(unpuppeted.sort()).toEqual([...names].sort());

    const commands = read('command_audit.log').split('\n').filter((l) => l.includes(' | AUDIT CMD: '));
    for (const w of walkers) {
      // The server is another process: the character's id is whatever it got there.
      const mine = commands.filter((l) => new RegExp(`AUDIT CMD: ${w.name}\\(#\\d+\\) executed `).test(l));
      // Each acknowledged command has its line; one more may have run whose reply never left.
      expect(mine.length, w.name).toBeGreaterThanOrEqual(w.acked);
      expect(mine.length, w.name).toBeLessThanOrEqual(w.sent);
      for (const marker of w.ackedSays) expect(mine, marker).toContainEqual(expect.stringMatching(new RegExp(`executed 'say' with args '${marker}'$`)));
    }
  });
});
