/**
 * A malformed GMCP message can be a login's credentials: its protocol_error keeps only what a
 * package name can be made of, and the password is in no sink (JSONL, table, text logs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTable } from './helpers.ts';
import { readIfStillThere, startGame, type RunningGame } from '../support/game.ts';

const IAC = 255, SB = 250, SE = 240, DO = 253, GMCP = 201;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

let run: RunningGame | null = null;
afterEach(async () => {
  await run?.stop();
  run = null;
});

describe('protocol_error excerpts of bad GMCP', () => {
  it('never keep the body of a malformed message, with or without a space after the package', async () => {
    run = await startGame();
    const client = await run.connect();
    client.sendRaw(Buffer.from([IAC, DO, GMCP]));
    const gmcp = (text: string) => Buffer.concat([Buffer.from([IAC, SB, GMCP]), Buffer.from(text), Buffer.from([IAC, SE])]);
    // No space after the package name, then no package name at all: neither is valid GMCP.
    client.sendRaw(gmcp('Char.Login.Credentials{"account":"bob","password":"hunter2-secret"}'));
    await client.command('help', 'create <name>');
    client.close();
    await expect.poll(() => run!.game.sessions.count, { timeout: 10_000 }).toBe(0);
    const second = await run.connect();
    second.sendRaw(Buffer.from([IAC, DO, GMCP]));
    second.sendRaw(gmcp('{"account":"bob","password":"hunter3-secret"}'));
    await second.command('help', 'create <name>');
    second.close();
    await expect.poll(() => run!.game.sessions.count, { timeout: 10_000 }).toBe(0);

    const errors = (await readTable(run.game)).filter((e) => e.event_type === 'protocol_error' && e.payload.kind === 'bad_gmcp');
    expect(errors.map((e) => e.payload.excerpt)).toEqual(['Char.Login.Credentials (67 bytes)', '(no package name) (45 bytes)']);
    await run.game.logs.flush();
    for (const file of filesUnder(run.config.logDir)) {
      const text = readIfStillThere(file, 'latin1');
      expect(text, file).not.toContain('hunter');
    }
  });
});
