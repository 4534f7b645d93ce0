/**
 * SIGTERM while several clients play flat out: the server exits 0 (within a generous bound),
 * every logged-in session is unpuppeted and every acknowledged command has its audit line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/game.ts';
import { spawnServer, type ServerProcess } from '../support/server_process.ts';
import { until, Walker } from '../support/walker.ts';

const CLIENTS = 5;
const MIN_ACKED = 10;

describe('graceful stop under load', () => {
  const servers: ServerProcess[] = [];
  const walkers: Walker[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const w of walkers.splice(0)) w.close();
    for (const s of servers.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('SIGTERM unpuppets everyone, flushes every acknowledged command to the audit log and exits 0', { timeout: 60_000 }, async () => {
    const dir = tempDir('mud-sigterm-');
    dirs.push(dir);
    const logDir = path.join(dir, 'logs');
    const server = await spawnServer({ MUD_DATA_DIR: path.join(dir, 'data'), MUD_LOG_DIR: logDir, MUD_WEB: 'off' });
    servers.push(server);
    const names = Array.from({ length: CLIENTS }, (_, i) => `Stopper${i}`);
    for (const name of names) walkers.push(await Walker.login(server.telnetPort, name));

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
      .map((l) => / \| AUDIT SESSION: (\w+) unpuppeted - session \d+s$/.exec(l)?.[1])
      .filter(Boolean);
    expect(unpuppeted.sort()).toEqual([...names].sort());

    const commands = read('command_audit.log').split('\n').filter((l) => l.includes(' | AUDIT CMD: '));
    for (const w of walkers) {
      const mine = commands.filter((l) => l.includes(`AUDIT CMD: ${w.name} executed `));
      // Each acknowledged command has its line; one more may have run whose reply never left.
      expect(mine.length, w.name).toBeGreaterThanOrEqual(w.acked);
      expect(mine.length, w.name).toBeLessThanOrEqual(w.sent);
      for (const marker of w.ackedSays) expect(mine, marker).toContainEqual(expect.stringMatching(new RegExp(`executed 'say' with args '${marker}'$`)));
    }
  });
});
