/** TelnetConnection's option negotiation on a real socket: NAWS, CHARSET, MSSP, GMCP, MCCP2. */
import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { IAC, SB, SE, WILL, WONT, DO, DONT, OPT } from '../../server/telnet/constants.ts';
import { waitUntil } from '../support/wait.ts';
import { bytes } from './harness.ts';
import { mssp, telnetTests } from './connected.ts';

const { setup } = telnetTests();

describe('option negotiation', () => {
  it('NAWS: good frame updates width/height; doubled IAC inside works', async () => {
    const { client, conn } = await setup();
    const seen: Array<[number, number]> = [];
    conn.on('naws', (w, h) => seen.push([w, h]));
    client.send(bytes([IAC, WILL, OPT.NAWS, IAC, SB, OPT.NAWS, 0, 120, 0, 50, IAC, SE]));
    expect((await client.sync()).length).toBe(0);
    expect([conn.width, conn.height]).toEqual([120, 50]);
    client.send(bytes([IAC, SB, OPT.NAWS, 0, IAC, IAC, 0, 24, IAC, SE]));
    await client.sync();
    expect([conn.width, conn.height]).toEqual([255, 24]);
    expect(seen).toEqual([[120, 50], [255, 24]]);
  });

  it('NAWS: the malformed 6-byte frame and short frames are ignored without crashing', async () => {
    const { client, conn } = await setup();
    let events = 0;
    conn.on('naws', () => events++);
    client.send(bytes([IAC, WILL, OPT.NAWS, IAC, SB, OPT.NAWS, 0, 100, 0, 40, 0, 1, IAC, SE]));
    client.send(bytes([IAC, SB, OPT.NAWS, 0, 100, IAC, SE]));
    client.send(bytes([IAC, SB, OPT.NAWS, IAC, SE]));
    client.send(bytes([IAC, SB, OPT.NAWS, 0, 100, 0]));
    client.send(bytes([IAC, SE]));
    expect((await client.sync()).length).toBe(0);
    expect([conn.width, conn.height, events]).toEqual([80, 24, 0]);
  });

  it('unknown options are refused exactly once; an IAC DO flood gets one reply', async () => {
    const { client } = await setup();
    client.send(Buffer.alloc(0));
    const flood = Buffer.alloc(3 * 50_000);
    for (let i = 0; i < flood.length; i += 3) flood.set([IAC, DO, 99], i);
    client.send(flood);
    client.send([IAC, WILL, 98, IAC, WILL, 98]);
    expect([...(await client.sync())]).toEqual([IAC, WONT, 99, IAC, DONT, 98]);
  });

  it('CHARSET accepted keeps UTF-8', async () => {
    const { client, conn } = await setup();
    client.send([IAC, DO, OPT.CHARSET]);
    expect([...(await client.sync())]).toEqual([...bytes([IAC, SB, OPT.CHARSET, 1], ';UTF-8', [IAC, SE])]);
    client.send(bytes([IAC, SB, OPT.CHARSET, 2], 'UTF-8', [IAC, SE]));
    await client.sync();
    expect(conn.utf8).toBe(true);
    client.send(Buffer.from('naïve\r\n', 'utf8'));
    expect((await client.takeThrough('\r\n')).toString('utf8')).toBe('got: naïve\r\n');
  });

  it('CHARSET rejected switches to latin1 both ways', async () => {
    const { client, conn } = await setup();
    client.send([IAC, DO, OPT.CHARSET]);
    await client.sync();
    client.send(bytes([IAC, SB, OPT.CHARSET, 3, IAC, SE]));
    await client.sync();
    expect(conn.utf8).toBe(false);
    client.send(Buffer.from('caf\xe9\r\n', 'latin1'));
    expect([...(await client.takeThrough('\r\n'))]).toEqual([...Buffer.from('got: caf\xe9\r\n', 'latin1')]);
  });

  it('answers a client-initiated CHARSET REQUEST', async () => {
    const { client, conn } = await setup();
    client.send(bytes([IAC, WILL, OPT.CHARSET]));
    expect([...(await client.sync())]).toEqual([IAC, DO, OPT.CHARSET]);
    client.send(bytes([IAC, SB, OPT.CHARSET, 1], ';ISO-8859-1;UTF-8', [IAC, SE]));
    expect([...(await client.sync())]).toEqual([...bytes([IAC, SB, OPT.CHARSET, 2], 'UTF-8', [IAC, SE])]);
    client.send(bytes([IAC, SB, OPT.CHARSET, 1], ' KOI8-R', [IAC, SE]));
    expect([...(await client.sync())]).toEqual([IAC, SB, OPT.CHARSET, 3, IAC, SE]);
    expect(conn.utf8).toBe(true);
  });

  it('recovers from IAC <command> inside SB and from a truncated SB', async () => {
    const { client, conn } = await setup();
    client.send(bytes([IAC, SB, OPT.TTYPE, 0], 'abc', [IAC, WILL, OPT.NAWS, IAC, SB, OPT.NAWS, 0, 100, 0, 30, IAC, SE]));
    expect((await client.sync()).length).toBe(0);
    expect([conn.width, conn.height]).toEqual([100, 30]);
    client.send(bytes([IAC, SB, OPT.GMCP], 'Core.Hello {'));
    client.send(bytes([IAC, SE], 'after\r\n'));
    expect((await client.takeThrough('\r\n')).toString()).toBe('got: after\r\n');
  });

  it('MSSP sends the table on DO MSSP', async () => {
    const { client } = await setup();
    client.send([IAC, DO, OPT.MSSP]);
    const expected = bytes(
      [IAC, SB, OPT.MSSP],
      [1], 'NAME', [2], 'Test MUD',
      [1], 'PLAYERS', [2], '3',
      [1], 'CODEBASE', [2], 'audited-mud', [2], '0.1',
      [IAC, SE],
    );
    expect([...(await client.sync())]).toEqual([...expected]);
  });

  it('MSSP: a throwing table callback sends nothing and keeps the connection', async () => {
    const { client } = await setup({
      mssp: () => {
        throw new Error('no stats');
      },
    });
    client.send([IAC, DO, OPT.MSSP]);
    expect((await client.sync()).length).toBe(0);
  });

  it('MSSP is refused when no table is configured', async () => {
    const { client } = await setup({});
    client.send([IAC, DO, OPT.MSSP]);
    expect([...(await client.sync())]).toEqual([IAC, WONT, OPT.MSSP]);
  });

  it('GMCP: good message emits, Core.Hello sets clientName, malformed JSON ignored', async () => {
    const { client, conn } = await setup();
    const got: Array<[string, unknown]> = [];
    conn.on('gmcp', (pkg, data) => got.push([pkg, data]));
    conn.sendGmcp('Before.Agree', {}); // dropped: not negotiated yet
    client.send([IAC, DO, OPT.GMCP]);
    expect((await client.sync()).length).toBe(0);
    client.send(bytes([IAC, SB, OPT.GMCP], 'Core.Hello {"client":"Mudlet","version":"4.17"}', [IAC, SE]));
    client.send(bytes([IAC, SB, OPT.GMCP], 'Core.Hello {"client":', [IAC, SE]));
    client.send(bytes([IAC, SB, OPT.GMCP], 'Core.Supports.Set ["Char 1"]', [IAC, SE]));
    await client.sync();
    expect(got).toEqual([
      ['Core.Hello', { client: 'Mudlet', version: '4.17' }],
      ['Core.Supports.Set', ['Char 1']],
    ]);
    expect(conn.clientName).toBe('Mudlet');
    conn.sendGmcp('Char.Vitals', { hp: 10, name: 'é' });
    conn.write('\n');
    expect([...(await client.takeThrough('\r\n'))]).toEqual([...bytes([IAC, SB, OPT.GMCP], 'Char.Vitals {"hp":10,"name":"é"}', [IAC, SE], '\r\n')]);
  });

  it('MCCP2: compresses after DO MCCP2, stops on DONT MCCP2, ends cleanly on close', async () => {
    const { client, conn } = await setup({ mssp }, { mccp: true });
    client.send([IAC, DO, OPT.MCCP2]);
    await client.sync(); // sync works through the decoder
    const start = client.raw.indexOf(Buffer.from([IAC, SB, OPT.MCCP2, IAC, SE]));
    expect(start).toBeGreaterThan(0);
    expect(conn.compressing).toBe(true);
    const text = 'The quick brown fox. '.repeat(50);
    conn.write(text + '\n');
    expect((await client.takeThrough('\r\n')).toString()).toBe(text + '\r\n');
    // The compressed bytes on the wire are much smaller than the text.
    expect(client.raw.length - start).toBeLessThan(text.length / 2);
    expect(client.raw.includes(Buffer.from('quick brown'))).toBe(false);

    client.send([IAC, DONT, OPT.MCCP2]);
    await waitUntil(() => !conn.compressing, 'compression off');
    conn.write('plain again\n');
    await client.takeThrough('plain again\r\n');
    expect(client.raw.includes(Buffer.from('plain again\r\n'))).toBe(true); // uncompressed on the wire

    client.send([IAC, DO, OPT.MCCP2]);
    await client.sync();
    conn.write('bye\n');
    conn.close('test done');
    await client.closed;
    // The last compressed stream must be properly finished (Z_FINISH): strict inflate succeeds.
    const marker = Buffer.from([IAC, SB, OPT.MCCP2, IAC, SE]);
    const last = client.raw.lastIndexOf(marker);
    const tail = zlib.inflateSync(client.raw.subarray(last + marker.length));
    expect(tail.toString()).toContain('bye\r\n');
  });
});

