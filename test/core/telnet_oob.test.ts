import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';

const IAC = 0xff;
const DO = 0xfd;
const SB = 0xfa;
const SE = 0xf0;
const GMCP = 201;
const MSSP = 70;

/** The payloads of every `IAC SB <option> … IAC SE` in what the client received. */
function subnegotiations(raw: Buffer, option: number): string[] {
  const found: string[] = [];
  for (let i = 0; i < raw.length - 2; i++) {
    if (raw[i] !== IAC || raw[i + 1] !== SB || raw[i + 2] !== option) continue;
    const end = raw.indexOf(Buffer.from([IAC, SE]), i + 3);
    if (end < 0) break;
    found.push(raw.subarray(i + 3, end).toString('utf8'));
    i = end + 1;
  }
  return found;
}

describe('out-of-band data from the game over telnet', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('sends GMCP Char.Name after login and Room.Info with the exits on every move', async () => {
    run = await startGame();
    const client = await run.connect();
    client.sendRaw(Buffer.from([IAC, DO, GMCP]));
    await client.command(`create Mapper ${PASSWORD}`, 'You become Mapper');
    await client.command('north', 'Courtyard');
    const gmcp = subnegotiations(client.raw, GMCP);
    expect(gmcp).toContainEqual(expect.stringMatching(/^Char\.Name \{"name":"Mapper","fullname":"Mapper"\}$/));
    const rooms = gmcp.filter((m) => m.startsWith('Room.Info ')).map((m) => JSON.parse(m.slice('Room.Info '.length)));
    expect(rooms.map((r) => r.name)).toEqual(['Limbo', 'Courtyard']);
    expect(Object.keys(rooms[1].exits).sort()).toEqual(['east', 'south', 'west']);
  });

  it('answers a MUD listing crawler with MSSP: name, players, uptime, port, codebase', async () => {
    run = await startGame({ config: { serverName: 'Test MUD' } });
    await run.login('Someone');
    const crawler = await run.connect();
    crawler.sendRaw(Buffer.from([IAC, DO, MSSP]));
    await expect.poll(() => subnegotiations(crawler.raw, MSSP).length).toBe(1);
    const table = Object.fromEntries(
      subnegotiations(crawler.raw, MSSP)[0]!
        .split('\x01')
        .filter(Boolean)
        .map((pair) => pair.split('\x02') as [string, string]),
    );
    expect(table).toMatchObject({ NAME: 'Test MUD', PLAYERS: '1', PORT: String(run.port), CODEBASE: 'audited-mud' });
    expect(Number(table.UPTIME)).toBeGreaterThan(1_700_000_000);
  });
});
