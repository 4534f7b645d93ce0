/**
 * Output wraps at the client's width (telnet NAWS; 80 columns for a client that never says),
 * tables included, at word boundaries, never inside an ANSI escape.
 */
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { decodeTelnetText, stripAnsi, TestTelnetClient } from '../support/telnet_client.ts';

/**
 * Columns a line of the game's output takes (the test's text is ASCII once the escapes are
 * gone). A prompt `> ` at its start is where the player typed a command and pressed Enter on a
 * real screen (this client does not echo): not part of the reply.
 */
const columns = (line: string): number => [...stripAnsi(line).replace(/^(> )+/, '')].length;

/** What the game sent since `from` bytes, as lines. */
const linesSince = (client: TestTelnetClient, from: number): string[] => decodeTelnetText(client.raw.subarray(from)).split('\n');

async function playAt(run: RunningGame, width: number | null, name: string): Promise<TestTelnetClient> {
  const client = await TestTelnetClient.connect(run.port, '127.0.0.1', undefined, { width });
  await client.waitFor('Welcome to');
  await client.command(`create ${name} ${PASSWORD}`, `You become ${name}`);
  await client.waitFor(/Exits:.*\n/);
  return client;
}

const SENTENCE = 'the quick brown fox jumps over the lazy dog and then keeps running through the long grass of the meadow until nightfall';

describe('wrapping at the client width', () => {
  const start = stopAfterEach(startGame);

  it('keeps every line of @audit/search within a NAWS width of 60 columns, breaking between words', async () => {
    const run = await start();
    const root = await playAt(run, 60, 'Root');
    // From here on: the banner may have gone out before the client's NAWS arrived.
    const from = root.raw.length;
    await root.command(`claim ${run.adminToken()}`, 'You are now the Developer');
    await root.command(`say ${SENTENCE}`, 'You say');
    await root.command('north', 'Courtyard');
    await run.game.auditTrail.flush();
    const table = await root.command('@audit/search character=Root', /End of the results\.|More: /);
    expect(stripAnsi(table)).toContain('say');
    const lines = linesSince(root, from);
    const all = lines.join('\n');
    expect(lines.filter((l) => columns(l) > 60)).toEqual([]);
    // Lines really were long, and were wrapped, not cut: every word is there, whole.
    expect(lines.some((l) => columns(l) > 50)).toBe(true);
    const first = lines.findIndex((l) => stripAnsi(l).replace(/^(> )+/, '').startsWith('You say'));
    const last = lines.findIndex((l, i) => i >= first && l.endsWith('nightfall"'));
    const said = lines.slice(first, last + 1).map((l) => stripAnsi(l).replace(/^(> )+/, '').trim());
    expect(said.length).toBeGreaterThan(1);
    expect(said.join(' ')).toBe(`You say, "${SENTENCE}"`);
    // Every escape the game sent arrived whole: ESC is always the start of a full SGR sequence.
    expect(all.replace(/\x1b\[[0-9;]*m/g, '')).not.toContain('\x1b');
  });

  it('counts the prompt still on the screen when someone else\'s words arrive after it', async () => {
    const run = await start();
    const bob = await playAt(run, 60, 'Bob');
    const anna = await playAt(run, null, 'Anna');
    await bob.waitFor('Anna has entered the game.');
    // Bob sits at his prompt ("> ", nothing typed): Anna's say lands right after it.
    await bob.waitFor('> ');
    await anna.command(`say ${SENTENCE}`, 'You say');
    await bob.waitFor(/nightfall"\n/);
    const screen = linesSince(bob, 0).map((l) => stripAnsi(l));
    const first = screen.findIndex((l) => l.includes('Anna says, "the quick'));
    const said = screen.slice(first, screen.findIndex((l, i) => i >= first && l.endsWith('nightfall"')) + 1);
    expect(said[0]).toMatch(/^> Anna says, "the quick/);
    // Measured with the prompt: what Bob's screen shows.
    expect(said.filter((l) => [...l].length > 60)).toEqual([]);
    expect([...said[0]!].length).toBeGreaterThan(50);
    expect(said.map((l) => l.replace(/^> /, '').trim()).join(' ')).toBe(`Anna says, "${SENTENCE}"`);
  });

  it('wraps at 80 columns for a client that never told its width, and follows a resize', async () => {
    const run = await start();
    const anna = await playAt(run, null, 'Anna');
    await anna.command(`say ${SENTENCE}`, 'You say');
    const before = linesSince(anna, 0);
    expect(before.filter((l) => columns(l) > 80)).toEqual([]);
    expect(before.some((l) => columns(l) > 70)).toBe(true);

    // The window grows: the next output takes the new width (NAWS is sent again on a resize).
    anna.sendRaw(Buffer.from([255, 250, 31, 0, 200, 0, 50, 255, 240]));
    await anna.command(`say ${SENTENCE}`, /You say, "[^\n]*nightfall"\n/);
  });
});
