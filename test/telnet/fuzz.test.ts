/**
 * Seeded fuzz over real sockets: random and malformed telnet traffic from many
 * clients, then check the server is still healthy and has no leftovers.
 * Reproduce a failure with TELNET_FUZZ_SEED=<seed printed below>.
 */
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { IAC, SB, SE, WILL, WONT, DO, DONT, OPT, CMD } from '../../server/telnet/constants.ts';
import { TestClient, startHarness, type Harness } from './harness.ts';
import { prng, randomBytes, type Rng } from '../support/prng.ts';
import { waitUntil } from '../support/wait.ts';


const SEED = Number(process.env.TELNET_FUZZ_SEED ?? 0x7e1e7) >>> 0;
const CLIENTS = 80;
const FRAMES_PER_CLIENT = 40; // 3200 frames in all
const CONCURRENCY = 12;

const KNOWN_OPTS = [OPT.BINARY, OPT.ECHO, OPT.SGA, OPT.TTYPE, OPT.EOR, OPT.NAWS, OPT.CHARSET, OPT.MSSP, OPT.MCCP2, OPT.GMCP, 99, 255];

function frame(r: Rng): Buffer {
  const opt = r.pick(KNOWN_OPTS);
  switch (r.int(13)) {
    case 0:
      return randomBytes(r, 1 + r.int(300));
    case 1: {
      // IAC storm: IACs mixed with command bytes.
      const n = 1 + r.int(400);
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = r.chance(0.5) ? IAC : 236 + r.int(20);
      return b;
    }
    case 2:
      return Buffer.from([IAC, r.pick([WILL, WONT, DO, DONT]), opt]);
    case 3: {
      // Negotiation flood of one request.
      const one = [IAC, r.pick([WILL, DO]), r.int(256)];
      return Buffer.from(Array.from({ length: 1 + r.int(2000) }, () => one).flat());
    }
    case 4:
      // Well-formed-ish SB with a random body.
      return Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, r.int(40)), Buffer.from([IAC, SE])]);
    case 5:
      // Truncated SB (never terminated in this frame).
      return Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, r.int(100))]);
    case 6:
      // Oversized SB.
      return Buffer.concat([Buffer.from([IAC, SB, opt]), Buffer.alloc(300 + r.int(3000), 0x41), Buffer.from([IAC, SE])]);
    case 7:
      // NAWS, sometimes the malformed 6-byte frame.
      return Buffer.from([IAC, SB, OPT.NAWS, ...randomBytes(r, r.pick([0, 2, 4, 6])), IAC, SE]);
    case 8: {
      const json = r.pick(['{"client":"Fuzz"}', '{"client":', '[1,2', '"x"', '{}', 'null', '{"a":'.repeat(50)]);
      return Buffer.from([IAC, SB, OPT.GMCP, ...Buffer.from(`${r.pick(['Core.Hello', 'Char', '', ' ', 'a..b'])} ${json}`), IAC, SE]);
    }
    case 9:
      // Huge line without (or with) a terminator.
      return Buffer.concat([Buffer.alloc(200 + r.int(4000), 0x61 + r.int(26)), r.chance(0.5) ? Buffer.from('\r\n') : Buffer.alloc(0)]);
    case 10:
      return Buffer.from(r.pick(['look\r\n', 'say hi\n', 'é\r', '\r\0', 'x\n\r', 'q\r\n', 'ÿ\r\n']), 'utf8');
    case 11:
      return Buffer.from([IAC, SB, r.pick([OPT.TTYPE, OPT.CHARSET]), r.int(6), ...Buffer.from(r.pick(['MTTS 137', 'XTERM', ';UTF-8', 'UTF-8', 'DUMB', ''])), IAC, SE]);
    default:
      return Buffer.from([IAC, r.pick([CMD.NOP, CMD.GA, CMD.AYT, CMD.EC, CMD.EL, CMD.EOR, 17, SE, SB])]);
  }
}

async function fuzzClient(port: number, r: Rng): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  await new Promise<void>((resolve) => {
    sock.once('connect', resolve);
    sock.once('close', resolve);
  });
  const neverReads = r.chance(0.2);
  if (neverReads) sock.pause();
  else sock.resume();
  if (r.chance(0.3)) sock.write(Buffer.from([IAC, DO, OPT.MCCP2]));
  const ending = r.int(4); // 0: end(), 1: destroy (vanish), 2: destroy mid-frame, 3: connect-and-vanish
  const frames = ending === 3 ? 0 : FRAMES_PER_CLIENT;
  for (let i = 0; i < frames && !sock.destroyed; i++) {
    let f = frame(r);
    if (ending === 2 && i === frames - 1) f = f.subarray(0, r.int(f.length + 1));
    // Split some frames across writes so state carries over packets.
    if (f.length > 1 && r.chance(0.3)) {
      const cut = 1 + r.int(f.length - 1);
      sock.write(f.subarray(0, cut));
      await new Promise((res) => setImmediate(res));
      if (!sock.destroyed) sock.write(f.subarray(cut));
    } else {
      sock.write(f);
    }
    if (r.chance(0.1)) await new Promise((res) => setImmediate(res));
  }
  if (ending === 0 && !neverReads) sock.end();
  else sock.destroy();
  await closed;
}

describe('telnet fuzz', () => {
  let harness: Harness;

  afterAll(async () => {
    await harness?.stop();
  });

  it(`survives ${CLIENTS * FRAMES_PER_CLIENT} random/malformed frames (seed ${SEED})`, async () => {
    console.log(`telnet fuzz seed: ${SEED} (set TELNET_FUZZ_SEED to reproduce)`);
    harness = await startHarness({
      limits: { maxLineBytes: 512, maxSubnegotiation: 256, maxOutputBuffer: 64 * 1024 },
      mssp: () => ({ NAME: 'fuzz', PLAYERS: String(harness.live.size) }),
      closeTimeoutMs: 500,
    });
    let lines = 0;
    harness.server.on('connection', () => {
      void harness.next().then((conn) => {
        conn.on('line', (line) => {
          lines++;
          conn.prompt('> ');
          conn.sendGmcp('Fuzz.Echo', { line });
          if (line === 'q') conn.close('fuzz quit');
        });
        conn.on('gmcp', () => {});
        if (lines % 7 === 0) conn.echoOff();
      });
    });

    const rng = prng(SEED);
    const seeds = Array.from({ length: CLIENTS }, () => rng.int(2 ** 31));
    let nextClient = 0;
    const worker = async () => {
      while (nextClient < seeds.length) {
        const s = seeds[nextClient++]!;
        await fuzzClient(harness.port, prng(s));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // Every fuzz connection must be gone on the server side too.
    await waitUntil(async () => harness.live.size === 0 && (await harness.openSockets()) === 0, 'server to drop all fuzz connections', 10_000);
    expect(harness.closeReasons.length).toBe(CLIENTS);
    const tally: Record<string, number> = {};
    for (const r of harness.closeReasons) tally[r] = (tally[r] ?? 0) + 1;
    console.log(`close reasons: ${JSON.stringify(tally)}; lines echoed: ${lines}`);
    expect(lines).toBeGreaterThan(0);

    // A normal client still works.
    const client = await TestClient.connect(harness.port);
    client.send('hello after fuzz\r\n');
    await client.waitForBytes('got: hello after fuzz\r\n');
    client.destroy();
    await waitUntil(async () => (await harness.openSockets()) === 0, 'last client closed');
  });
});
