/** TelnetConnection on a real socket: basics, line endings, output, lifecycle and limits. */
import { describe, expect, it } from 'vitest';
import { TelnetConnection } from '../../server/telnet/index.ts';
import { IAC, SB, SE, WILL, WONT, DO, DONT, GA, EOR_CMD, OPT } from '../../server/telnet/constants.ts';
import { sleep, waitUntil } from '../support/wait.ts';
import { bytes } from './harness.ts';
import { mssp, telnetTests } from './connected.ts';

const { setup, start } = telnetTests();

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
    const { harness, connect } = await start();
    await connect();
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
    const { harness, connect } = await start({ echo: false });
    const client = await connect();
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
