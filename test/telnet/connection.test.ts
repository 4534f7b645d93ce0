import { afterEach, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { TelnetConnection } from '../../server/telnet/index.ts';
import { IAC, SB, SE, WILL, WONT, DO, DONT, GA, EOR_CMD, OPT } from '../../server/telnet/constants.ts';
import { sleep, waitUntil } from '../support/wait.ts';
import { TestClient, bytes, startHarness, type Harness, type HarnessOptions } from './harness.ts';

const mssp = () => ({ NAME: 'Test MUD', PLAYERS: '3', CODEBASE: ['audited-mud', '0.1'] });

const OFFERS = bytes(
  [IAC, DO, OPT.TTYPE],
  [IAC, DO, OPT.NAWS],
  [IAC, DO, OPT.NEW_ENVIRON],
  [IAC, DO, OPT.BINARY],
  [IAC, WILL, OPT.EOR],
  [IAC, WILL, OPT.CHARSET],
  [IAC, WILL, OPT.MSSP],
  [IAC, WILL, OPT.GMCP],
  [IAC, WILL, OPT.MCCP2],
);

let harness: Harness | null = null;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await harness?.stop();
  harness = null;
});

/** Start a harness, connect one client, consume the initial offers. */
async function setup(opts: HarnessOptions = { mssp }, clientOpts: { mccp?: boolean } = {}) {
  harness = await startHarness(opts);
  const client = await TestClient.connect(harness.port, clientOpts);
  clients.push(client);
  const conn = await harness.next();
  const expected = opts.mssp ? OFFERS : bytes(...[...OFFERS].join(',').replace(`255,251,70,`, '').split(',').map(Number));
  const got = await client.takeThrough(expected.subarray(expected.length - 3));
  expect([...got]).toEqual([...expected]);
  return { client, conn, harness };
}

describe('TelnetConnection: basics', () => {
  it('sends the initial offers and echoes a line', async () => {
    const { client } = await setup();
    client.send('hello world\r\n');
    expect((await client.takeThrough('\r\n')).toString()).toBe('got: hello world\r\n');
  });

  it('does not offer MSSP without an mssp callback', async () => {
    await setup({});
  });

  it('exposes the remote address and defaults', async () => {
    const { conn } = await setup();
    expect(conn.remoteAddress).toBe('127.0.0.1');
    expect([conn.width, conn.height, conn.clientName, conn.ansi, conn.utf8, conn.mtts]).toEqual([80, 24, null, true, true, null]);
  });
});

describe('line endings', () => {
  it('accepts CRLF, LF, CR NUL and bare CR', async () => {
    const { client } = await setup();
    client.send('a\r\nb\nc\r\0d\r');
    client.send('e\r\n');
    const out = (await client.takeThrough('got: e\r\n')).toString();
    expect(out).toBe('got: a\r\ngot: b\r\ngot: c\r\ngot: d\r\ngot: e\r\n');
  });

  it('CR then LF in a later packet gives no extra empty line', async () => {
    const { client } = await setup();
    client.send('look\r');
    expect((await client.takeThrough('\r\n')).toString()).toBe('got: look\r\n');
    client.send('\n');
    expect((await client.sync()).length).toBe(0); // nothing (no "got: ") before the sync echo
  });

  it('decodes UTF-8 split across two packets', async () => {
    const { client } = await setup();
    const e = Buffer.from('café\r\n', 'utf8');
    client.send(e.subarray(0, 4)); // "caf" + first byte of é
    await sleep(30);
    client.send(e.subarray(4));
    expect((await client.takeThrough('\r\n')).toString('utf8')).toBe('got: café\r\n');
  });

  it('reports an overlong line, discards it, and carries on', async () => {
    const { client, conn } = await setup();
    let overlong = 0;
    const lines: string[] = [];
    conn.on('overlong', () => overlong++);
    conn.on('line', (l) => lines.push(l));
    client.send(Buffer.alloc(5000, 0x41));
    client.send('BBB\r\nok\r\n');
    expect((await client.takeThrough('\r\n')).toString()).toBe('got: ok\r\n');
    expect(overlong).toBe(1);
    expect(lines).toEqual(['ok']);
  });

  it('a client that never sends a newline stays bounded and gets overlong', async () => {
    const { client, conn } = await setup();
    let overlong = 0;
    conn.on('overlong', () => overlong++);
    for (let i = 0; i < 20; i++) client.send(Buffer.alloc(10_000, 0x61));
    await waitUntil(() => overlong === 1, 'overlong');
    client.send('\r\nstill here\r\n');
    expect((await client.takeThrough('\r\n')).toString()).toBe('got: still here\r\n');
  });
});

describe('output', () => {
  it('converts \\n to CRLF', async () => {
    const { client, conn } = await setup();
    conn.write('one\ntwo\r\n');
    expect((await client.takeThrough('two\r\n')).toString()).toBe('one\r\ntwo\r\n');
  });

  it('EOR after a prompt when the client agreed to EOR', async () => {
    const { client, conn } = await setup();
    client.send([IAC, DO, OPT.EOR]);
    expect((await client.sync()).length).toBe(0); // answer to our own offer: no reply
    conn.prompt('HP 10> ');
    expect([...(await client.takeThrough([IAC, EOR_CMD]))]).toEqual([...bytes('HP 10> ', [IAC, EOR_CMD])]);
  });

  it('GA after a prompt when EOR was refused', async () => {
    const { client, conn } = await setup();
    client.send([IAC, DONT, OPT.EOR]);
    await client.sync();
    conn.prompt('> ');
    expect([...(await client.takeThrough([IAC, GA]))]).toEqual([...bytes('> ', [IAC, GA])]);
  });

  it('no GA when the client asked us to suppress go-ahead', async () => {
    const { client, conn } = await setup();
    client.send([IAC, DO, OPT.SGA]);
    expect([...(await client.sync())]).toEqual([IAC, WILL, OPT.SGA]);
    conn.prompt('> ');
    conn.write('x\n');
    expect((await client.takeThrough('x\r\n')).toString()).toBe('> x\r\n');
  });

  it('echoOff/echoOn send WILL/WONT ECHO without waiting for an answer', async () => {
    const { client, conn } = await setup();
    conn.echoOff();
    conn.write('Password: ');
    conn.echoOn();
    conn.write('\n');
    expect([...(await client.takeThrough('\r\n'))]).toEqual([...bytes([IAC, WILL, OPT.ECHO], 'Password: ', [IAC, WONT, OPT.ECHO], '\r\n')]);
  });

  it('strips ANSI for a client whose MTTS lacks the ANSI bit (TTYPE cycle)', async () => {
    const { client, conn } = await setup();
    const ttypes: string[] = [];
    conn.on('ttype', (name) => ttypes.push(name));
    const SEND = [IAC, SB, OPT.TTYPE, 1, IAC, SE];
    const is = (s: string) => bytes([IAC, SB, OPT.TTYPE, 0], s, [IAC, SE]);
    client.send([IAC, WILL, OPT.TTYPE]);
    expect([...(await client.sync())]).toEqual(SEND);
    client.send(is('TINTIN++'));
    expect([...(await client.sync())]).toEqual(SEND);
    client.send(is('VT100'));
    expect([...(await client.sync())]).toEqual(SEND);
    client.send(is('MTTS 4'));
    expect((await client.sync()).length).toBe(0); // cycle finished
    expect(conn.clientName).toBe('TINTIN++');
    expect(conn.terminalTypes).toEqual(['TINTIN++', 'VT100', 'MTTS 4']);
    expect(conn.mtts).toBe(4);
    expect(conn.ansi).toBe(false);
    expect(ttypes).toEqual(['TINTIN++']);
    conn.write('\x1b[1;31mred\x1b[0m plain\n');
    expect((await client.takeThrough('\r\n')).toString()).toBe('red plain\r\n');
  });

  it('keeps ANSI for an MTTS client with the ANSI bit; stops cycling on a repeated reply', async () => {
    const { client, conn } = await setup();
    const SEND = [IAC, SB, OPT.TTYPE, 1, IAC, SE];
    const is = (s: string) => bytes([IAC, SB, OPT.TTYPE, 0], s, [IAC, SE]);
    client.send(bytes([IAC, WILL, OPT.TTYPE], is('XTERM')));
    expect([...(await client.sync())]).toEqual([...SEND, ...SEND]);
    client.send(is('XTERM'));
    expect((await client.sync()).length).toBe(0);
    expect(conn.terminalTypes).toEqual(['XTERM']);
    expect(conn.ansi).toBe(true);
    conn.write('\x1b[32mgreen\x1b[0m\n');
    expect((await client.takeThrough('\r\n')).toString()).toBe('\x1b[32mgreen\x1b[0m\r\n');
  });

  it('doubles 0xFF in output (latin1 client writing ÿ)', async () => {
    const { client, conn } = await setup();
    client.send(bytes([IAC, DO, OPT.CHARSET]));
    await client.sync();
    client.send(bytes([IAC, SB, OPT.CHARSET, 3, IAC, SE]));
    await client.sync();
    conn.write('ÿ!\n');
    expect([...(await client.takeThrough('\r\n'))]).toEqual([0xff, 0xff, 0x21, 0x0d, 0x0a]);
  });
});

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

describe('lifecycle and limits', () => {
  it('close() flushes output, ends the socket, emits close once', async () => {
    const { client, conn } = await setup();
    const reasons: string[] = [];
    conn.on('close', (r) => reasons.push(r));
    conn.write('goodbye\n');
    conn.close('quit');
    conn.close('again');
    conn.write('ignored\n');
    await client.closed;
    await waitUntil(() => reasons.length === 1, 'close event');
    expect(reasons).toEqual(['quit']);
    expect(client.pending.toString()).toBe('goodbye\r\n');
  });

  it('client hangup emits close exactly once', async () => {
    const { client, conn, harness } = await setup();
    const reasons: string[] = [];
    conn.on('close', (r) => reasons.push(r));
    client.end();
    await waitUntil(() => reasons.length > 0, 'close event');
    await sleep(20);
    expect(reasons).toEqual(['client hangup']);
    expect(await harness.openSockets()).toBe(0);
  });

  it('a throwing line listener closes only that connection', async () => {
    const { client, conn } = await setup();
    conn.on('line', (l) => {
      if (l === 'boom') throw new Error('kaput');
    });
    const reasons: string[] = [];
    conn.on('close', (r) => reasons.push(r));
    client.send('boom\r\n');
    await client.closed;
    await waitUntil(() => reasons.length === 1, 'close');
    expect(reasons[0]).toBe('listener error: kaput');
  });

  it('disconnects a client that never reads while we write a lot; memory stays bounded', async () => {
    const max = 256 * 1024;
    const { client, conn } = await setup({ limits: { maxOutputBuffer: max } });
    client.socket.pause();
    const reasons: string[] = [];
    conn.on('close', (r) => reasons.push(r));
    const chunk = 'x'.repeat(16 * 1024) + '\n';
    let peak = 0;
    let written = 0;
    while (reasons.length === 0 && written < 64 * 1024 * 1024) {
      conn.write(chunk);
      written += chunk.length;
      peak = Math.max(peak, conn.bufferedOutput);
      await new Promise((r) => setImmediate(r));
    }
    expect(reasons).toEqual(['output overflow']);
    expect(peak).toBeLessThanOrEqual(max + chunk.length + 2);
  });

  it('a client that floods negotiations and never reads is disconnected', async () => {
    const { client, conn } = await setup({ limits: { maxOutputBuffer: 64 * 1024 } });
    client.socket.pause();
    const reasons: string[] = [];
    conn.on('close', (r) => reasons.push(r));
    // DO SGA / DONT SGA is a legal toggle, so each pair earns a 6-byte reply.
    const pair = Buffer.from([IAC, DO, OPT.SGA, IAC, DONT, OPT.SGA]);
    const block = Buffer.concat(Array(10_000).fill(pair) as Buffer[]);
    let sent = 0;
    while (reasons.length === 0 && sent < 200) {
      if (!client.socket.write(block)) await new Promise((r) => client.socket.once('drain', r).once('close', r));
      sent++;
      await new Promise((r) => setImmediate(r));
      if (client.socket.destroyed) break;
    }
    await waitUntil(() => reasons.length > 0, 'server close');
    expect(reasons).toEqual(['output overflow']);
  });

  it('survives a socket that is already destroyed when wrapped', async () => {
    harness = await startHarness();
    const c = await TestClient.connect(harness.port);
    clients.push(c);
    const conn = await harness.next();
    const reasons: string[] = [];
    conn.on('close', (r) => reasons.push(r));
    // Wrap the same (now destroyed) socket again.
    const sock = (conn as unknown as { socket: import('node:net').Socket }).socket;
    sock.destroy();
    const again = new TelnetConnection(sock);
    const again_reasons: string[] = [];
    again.on('close', (r) => again_reasons.push(r));
    again.start();
    again.write('x');
    await waitUntil(() => reasons.length === 1 && again_reasons.length === 1, 'both closed');
  });
});

describe('close from inside a listener', () => {
  it('output written before close() in the same line handler is delivered', async () => {
    harness = await startHarness({ echo: false });
    const client = await TestClient.connect(harness.port);
    clients.push(client);
    const conn = await harness.next();
    conn.on('line', (l) => {
      conn.write(`bye ${l}\n`);
      conn.close('quit');
    });
    client.send('alice\r\n');
    await client.closed;
    expect(client.pending.toString()).toMatch(/bye alice\r\n$/);
  });
});
