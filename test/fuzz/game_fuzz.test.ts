/**
 * Seeded fuzz of the whole game over real sockets (test/telnet/fuzz.test.ts covers the telnet
 * layer alone, with an echo server). A logged-in probe player keeps playing while waves of
 * hostile clients send random bytes, IAC storms, subnegotiations that never end or are cut
 * short, 1 MB lines, IAC DO floods, garbage logins and valid commands mixed with garbage; others
 * connect and vanish, half-close, stay silent, or log in and flood output they never read.
 *
 * Afterwards: the probe still answers, every hostile session and server-side socket is gone,
 * memory stayed bounded, the database is intact, and the protocol violations were audited as
 * `protocol_error` events, bounded: at most one per kind and session a minute (plus one at close
 * with the count held back). The same garbage, and GMCP that is not JSON and frames over the size
 * limit, is then sent over /ws in each mudstandards.org subprotocol.
 *
 * Reproduce a failure with MUD_FUZZ_SEED=<the seed printed below>.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readTable } from '../audit_trail/helpers.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import type { TestTelnetClient } from '../support/telnet_client.ts';
import { prng, randomBytes, type Rng } from '../support/prng.ts';
import { TestWsClient } from '../support/ws_client.ts';
import { startWebGame } from '../web/support.ts';
import { sleep } from '../support/wait.ts';

const IAC = 255, SB = 250, SE = 240, WILL = 251, WONT = 252, DO = 253, DONT = 254, GMCP = 201;
const OPTS = [0, 1, 3, 24, 25, 31, 39, 42, 69, 70, 86, 91, 201, 99, 255];
const SEED = Number(process.env.MUD_FUZZ_SEED ?? 0x6d75_d1) >>> 0;
const WAVES = 4;
const CLIENTS_PER_WAVE = 24;
const MAX_FRAMES_PER_CLIENT = 90;
/** Sockets not yet logged in are closed after this; the silent clients rely on it. */
const LOGIN_IDLE_MS = 3000;


const garbageWord = (r: Rng) => randomBytes(r, 1 + r.int(30)).toString('latin1').replace(/[\r\n\s]/g, 'x');
const LOGIN_COMMANDS = ['look', 'help', 'who', 'l', '?', 'connect', 'create', 'co Nobody wrong-password', 'quit'];
const GAME_WORDS = ['look', 'north', 'south', 'say', 'pose', 'who', 'help', 'inventory', 'get', 'drop', 'whisper', 'éé', '☃'];

/** One hostile frame. The generator is the only source of randomness, so a seed replays a run. */
function frame(r: Rng): Buffer {
  const opt = r.pick(OPTS);
  switch (r.int(15)) {
    case 0:
      return randomBytes(r, 1 + r.int(512));
    case 1: {
      // IAC storm: IACs mixed with command bytes (SE, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA, SB, WILL...).
      const b = Buffer.allocUnsafe(1 + r.int(600));
      for (let i = 0; i < b.length; i++) b[i] = r.chance(0.5) ? IAC : 236 + r.int(20);
      return b;
    }
    case 2:
      return Buffer.from([IAC, r.pick([WILL, WONT, DO, DONT]), r.chance(0.7) ? opt : r.int(256)]);
    case 3: {
      // IAC DO / WILL flood of one option.
      const one = [IAC, r.pick([DO, WILL, DONT]), r.int(256)];
      return Buffer.from(Array.from({ length: 100 + r.int(3000) }, () => one).flat());
    }
    case 4:
      // Subnegotiation that never ends (no IAC at all, so no SE can close it).
      return Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, 1000 + r.int(20_000), { noIac: true })]);
    case 5:
      // Truncated subnegotiation: cut before SE, or IAC followed by a non-SE byte.
      return r.chance(0.5)
        ? Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, r.int(40), { noIac: true }), Buffer.from([IAC])])
        : Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, r.int(40), { noIac: true }), Buffer.from([IAC, r.int(240)]), Buffer.from('look\r\n')]);
    case 6: {
      // Well-formed subnegotiations with random bodies (NAWS, TTYPE IS, CHARSET, GMCP).
      const body = r.pick([
        Buffer.from([r.int(256), r.int(256), r.int(256), r.int(256)]),
        Buffer.concat([Buffer.from([0]), Buffer.from(garbageWord(r), 'latin1')]),
        Buffer.from(`\x02;UTF-8;${garbageWord(r)}`, 'latin1'),
        Buffer.from(`Core.Hello {"client":${r.chance(0.5) ? '"x"' : garbageWord(r)}}`, 'latin1'),
      ]);
      const escaped = Buffer.from([...body].flatMap((x) => (x === IAC ? [IAC, IAC] : [x])));
      return Buffer.concat([Buffer.from([IAC, SB, r.pick([31, 24, 42, 201, opt])]), escaped, Buffer.from([IAC, SE])]);
    }
    case 7:
      return Buffer.from(`${r.pick(r.chance(0.5) ? LOGIN_COMMANDS : GAME_WORDS)} ${r.chance(0.5) ? r.pick(GAME_WORDS) : ''}\r\n`);
    case 8: {
      // A valid command with garbage spliced in.
      const cmd = Buffer.from(`${r.pick(LOGIN_COMMANDS)} ${r.pick(GAME_WORDS)}`);
      const at = r.int(cmd.length + 1);
      return Buffer.concat([cmd.subarray(0, at), randomBytes(r, r.int(20)), cmd.subarray(at), Buffer.from(r.pick(['\r\n', '\n', '\r', '\r\0', '\n\r']))]);
    }
    case 9:
      // Login attempts with garbage names (and passwords).
      return Buffer.from(`${r.pick(['connect', 'create', 'co', 'cr'])} ${garbageWord(r)} ${r.chance(0.5) ? garbageWord(r) : ''}\r\n`, 'latin1');
    case 10:
      // Invalid and truncated UTF-8.
      return Buffer.concat([Buffer.from('say '), Buffer.from(r.pick([[0xc3], [0xe2, 0x98], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xfe, 0xfe]])), Buffer.from('\r\n')]);
    case 11:
      return Buffer.from(Array.from({ length: 1 + r.int(300) }, () => r.pick([13, 10, 0])));
    case 12:
      // Accept compression (the server then deflates what follows) or refuse it mid-stream.
      return Buffer.from([IAC, r.pick([DO, DONT]), 86]);
    case 13:
      return Buffer.from(r.pick([[IAC, SE], [IAC, SB, IAC, SE], [IAC, SB], [IAC], [IAC, IAC], [IAC, 0], [IAC, SB, 24, 1, IAC, SE]]));
    default:
      return Buffer.from(`${'x'.repeat(r.int(6000))}\r\n`);
  }
}

type Behaviour = 'frames' | 'vanish' | 'halfclose' | 'silent' | 'megaline' | 'sbforever' | 'doflood';

interface Hostile {
  socket: net.Socket;
  closed: Promise<void>;
  received: () => Buffer;
}

function connectHostile(port: number): Promise<Hostile> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on('data', (c: Buffer) => {
      if (size < 256 * 1024) chunks.push(c); // keep a bounded sample, still reading everything
      size += c.length;
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const ready = () => resolve({ socket, closed, received: () => Buffer.concat(chunks) });
    socket.once('connect', ready);
    socket.once('error', ready); // refused or reset: the caller just sees it closed
  });
}

/** Writes unless the socket is gone; resolves when the data is handed to the kernel (bounded). */
async function send(socket: net.Socket, data: Buffer): Promise<void> {
  if (socket.destroyed || !socket.writable) return;
  await Promise.race([new Promise<void>((resolve) => socket.write(data, () => resolve())), sleep(2000)]);
}

async function waitClosed(h: Hostile, ms: number): Promise<boolean> {
  return Promise.race([h.closed.then(() => true), sleep(ms).then(() => false)]);
}

/** Runs one hostile client to the end of its behaviour; returns the sockets left open on purpose. */
async function hostile(port: number, r: Rng, behaviour: Behaviour, stats: Record<string, number>): Promise<Hostile | null> {
  const h = await connectHostile(port);
  const { socket } = h;
  stats[`${behaviour}Clients`] = (stats[`${behaviour}Clients`] ?? 0) + 1;
  switch (behaviour) {
    case 'vanish':
      // Connects and disappears: before, during or after the banner, with a RST.
      if (r.chance(0.5)) await sleep(r.int(30));
      socket.resetAndDestroy();
      return null;
    case 'silent':
      // Never sends a byte, never closes: the server has to reap it (login idle timeout).
      return h;
    case 'megaline': {
      // 1 MB without a newline, then a newline and a command: refused, and the line after works.
      const chunk = Buffer.alloc(64 * 1024, 'y');
      for (let i = 0; i < 16; i++) await send(socket, chunk);
      stats.framesSent = (stats.framesSent ?? 0) + 16;
      await send(socket, Buffer.from('\r\nlook\r\n'));
      const deadline = Date.now() + 10_000;
      for (let i = 0; i < 500 && Date.now() < deadline && !h.received().includes('That line was longer than'); i++) await sleep(20);
      expect(h.received().toString('latin1')).toContain('That line was longer than 4096 bytes and was ignored.');
      socket.destroy();
      return null;
    }
    case 'sbforever': {
      // IAC SB then 512 KB that never contains IAC SE.
      await send(socket, Buffer.from([IAC, SB, r.pick(OPTS)]));
      for (let i = 0; i < 8; i++) await send(socket, randomBytes(r, 64 * 1024, { noIac: true }));
      stats.framesSent = (stats.framesSent ?? 0) + 9;
      socket.destroy();
      return null;
    }
    case 'doflood': {
      // 1.5 MB of IAC DO <opt> without reading a byte of the answers.
      socket.pause();
      const one = Buffer.from([IAC, DO, r.int(256)]);
      const block = Buffer.concat(Array.from({ length: 20_000 }, () => one));
      for (let i = 0; i < 25; i++) await send(socket, block);
      stats.framesSent = (stats.framesSent ?? 0) + 25;
      socket.destroy();
      return null;
    }
    case 'frames':
    case 'halfclose': {
      const n = 1 + r.int(MAX_FRAMES_PER_CLIENT);
      for (let i = 0; i < n && !socket.destroyed; i++) {
        await send(socket, frame(r));
        stats.framesSent = (stats.framesSent ?? 0) + 1;
        if (r.chance(0.2)) await sleep(r.int(5));
      }
      if (behaviour === 'halfclose') {
        // FIN, but keep reading: the server must finish its side too.
        socket.end();
        const closedByServer = await waitClosed(h, 10_000);
        if (!closedByServer) stats.halfcloseNotClosed = (stats.halfcloseNotClosed ?? 0) + 1;
        socket.destroy();
        return null;
      }
      if (r.chance(0.5)) socket.resetAndDestroy();
      else socket.destroy();
      return null;
    }
  }
}

describe('fuzzing the running game', () => {
  let run: RunningGame | undefined;
  const leftOpen: net.Socket[] = [];
  afterEach(async () => {
    for (const s of leftOpen.splice(0)) s.destroy();
    await run?.stop();
    run = undefined;
  });

  it(`keeps serving a probe player through hostile traffic (seed ${SEED})`, { timeout: 60_000 }, async () => {
    console.log(`game fuzz seed: ${SEED} (set MUD_FUZZ_SEED to replay)`);
    const r = prng(SEED);
    run = await startGame({ config: { loginIdleTimeoutMs: LOGIN_IDLE_MS } });
    const { port } = run;
    const probe = await run.login('Probe');
    let pings = 0;
    const ping = async () => {
      const n = ++pings;
      probe.send(`say ping ${n}`);
      await probe.waitFor(`You say, "ping ${n}"`, 15_000);
    };
    await ping();
    const server = findNetServer(port);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;

    // A logged-in player that floods output and never reads: the server must drop it.
    const hog = await startOutputHog(run, leftOpen);
    const hogDone = hog.flood().then(
      () => null,
      (error: unknown) => error,
    );

    const stats: Record<string, number> = {};
    const silent: Hostile[] = [];
    const special: Behaviour[] = ['megaline', 'sbforever', 'doflood', 'silent', 'halfclose', 'vanish'];
    for (let wave = 0; wave < WAVES; wave++) {
      const behaviours: Behaviour[] = Array.from({ length: CLIENTS_PER_WAVE }, (_, i) =>
        i < special.length && wave === 0 ? special[i]! : r.pick<Behaviour>(['frames', 'frames', 'frames', 'frames', 'vanish', 'halfclose', 'silent']),
      );
      const clients = behaviours.map((b) => hostile(port, prng(r.int(2 ** 32)), b, stats));
      // Mid-wave: other players are not stalled while the garbage is being chewed.
      await ping();
      for (const left of await Promise.all(clients)) {
        if (left) {
          silent.push(left);
          leftOpen.push(left.socket);
        }
      }
      await ping();
    }
    console.log(`game fuzz stats: ${JSON.stringify(stats)}`);
    expect(stats.framesSent).toBeGreaterThan(2000);
    expect(stats.halfcloseNotClosed ?? 0).toBe(0);
    const hogError = await hogDone;
    if (hogError) throw hogError;

    // Silent connections are reaped by the server (we never close them).
    for (const s of silent) expect(await waitClosed(s, LOGIN_IDLE_MS + 10_000)).toBe(true);
    await ping();

    // Only the probe is left: sessions and the listener's sockets.
    await expect.poll(() => run!.game.sessions.count, { timeout: 10_000 }).toBe(1);
    if (server) await expect.poll(() => connections(server), { timeout: 10_000 }).toBe(1);
    else console.warn('game fuzz: the telnet net.Server was not found; checked sessions only');

    global.gc?.();
    const grown = process.memoryUsage().rss - rssBefore;
    console.log(`game fuzz rss growth: ${(grown / 1024 / 1024).toFixed(1)} MB`);
    expect(grown).toBeLessThan(200 * 1024 * 1024);
    expect(run.game.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(await run.logs.lines('portal.log')).toContainEqual(expect.stringMatching(/\(output overflow\)$/));
    await ping();

    // Every hostile session has ended, so each kind it met is reported at most twice: once when
    // it first happened, once at close with the count held back (no session lived a minute).
    const errors = (await readTable(run.game)).filter((e) => e.event_type === 'protocol_error');
    const perSessionKind = new Map<string, typeof errors>();
    for (const e of errors) perSessionKind.set(`${e.actor.session_id}:${e.payload.kind}`, [...(perSessionKind.get(`${e.actor.session_id}:${e.payload.kind}`) ?? []), e]);
    for (const [key, events] of perSessionKind) {
      expect(events.filter((e) => !e.payload.closing), key).toHaveLength(1);
      expect(events.filter((e) => e.payload.closing).length, key).toBeLessThanOrEqual(1);
      expect(events[0]!.payload.suppressed, key).toBe(0);
    }
    const kinds = new Set(errors.map((e) => e.payload.kind));
    for (const kind of ['subneg_truncated', 'invalid_utf8', 'line_too_long']) expect(kinds, kind).toContain(kind);
    const held = errors.reduce((n, e) => n + Number(e.payload.suppressed), 0);
    console.log(`game fuzz protocol errors: ${errors.length} events for ${errors.length + held} violations, kinds ${[...kinds].join(', ')}`);
  });

  it('audits 1,000 malformed subnegotiations of a kind from one session as one event, and the 999 others at close', { timeout: 60_000 }, async () => {
    run = await startGame();
    const client = await run.connect();
    client.sendRaw(Buffer.from([IAC, DO, GMCP]));
    const times = (bytes: Buffer) => Buffer.concat(Array.from({ length: 1000 }, () => bytes));
    // Cut short by IAC NOP; over the 8 KiB cap; GMCP that is not JSON.
    client.sendRaw(times(Buffer.from([IAC, SB, 24, 0x41, IAC, 241])));
    client.sendRaw(times(Buffer.concat([Buffer.from([IAC, SB, 24]), Buffer.alloc(9000, 0x41), Buffer.from([IAC, SE])])));
    client.sendRaw(times(Buffer.concat([Buffer.from([IAC, SB, GMCP]), Buffer.from('Core.Supports.Set ["Room 1"'), Buffer.from([IAC, SE])])));
    // The rest of the banner first, so that the answer awaited is help's, after all of the above.
    await client.waitFor('leave');
    await client.command('help', 'create <name>');
    client.close();
    await expect.poll(() => run!.game.sessions.count, { timeout: 10_000 }).toBe(0);
    const errors = (await readTable(run.game)).filter((e) => e.event_type === 'protocol_error');
    const byKind = (kind: string) => errors.filter((e) => e.payload.kind === kind).map((e) => e.payload);
    expect(byKind('subneg_truncated')).toEqual([
      { kind: 'subneg_truncated', excerpt: 'IAC SB 24 cut short', suppressed: 0 },
      { kind: 'subneg_truncated', suppressed: 999, closing: true },
    ]);
    expect(byKind('subneg_oversized')).toEqual([
      { kind: 'subneg_oversized', excerpt: 'IAC SB 24 over 8192 bytes', suppressed: 0 },
      { kind: 'subneg_oversized', suppressed: 999, closing: true },
    ]);
    expect(byKind('bad_gmcp')).toEqual([
      { kind: 'bad_gmcp', excerpt: 'Core.Supports.Set (27 bytes)', suppressed: 0 },
      { kind: 'bad_gmcp', suppressed: 999, closing: true },
    ]);
    expect(errors).toHaveLength(6);
    expect(await run.logs.lines('portal.log')).toContainEqual(
      expect.stringMatching(/AUDIT PROTOCOL ERROR: connection #\d+ from 127\.0\.0\.1 via telnet \(subneg_truncated\) 999 more held back until the connection closed$/),
    );
  });
});

describe('fuzzing /ws', () => {
  it(`keeps serving through hostile WebSocket clients of every subprotocol, their errors bounded (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const r = prng(SEED ^ 0x5753);
    const run = await startWebGame({ config: { loginIdleTimeoutMs: LOGIN_IDLE_MS } });
    try {
      const url = `ws://127.0.0.1:${run.webPort}/ws`;
      const probe = await run.login('Probe');
      const protocols = ['telnet.mudstandards.org', 'gmcp.mudstandards.org', 'terminal.mudstandards.org'];
      let sent = 0;
      for (let wave = 0; wave < 3; wave++) {
        await Promise.all(
          Array.from({ length: 12 }, async () => {
            const client = await TestWsClient.connect(url, r.pick(protocols));
            for (let i = 1 + r.int(60); i > 0 && !client.closed; i--) {
              const choice = r.int(4);
              // Telnet frames (IAC storms, cut-short subnegotiations, bad UTF-8, long lines), text frames, or one over the size limit.
              if (choice === 0) client.sendFrame(garbageWord(r) + (r.chance(0.5) ? ' {' : ' {"a":1}'), false);
              else if (choice === 1 && r.chance(0.1)) client.sendFrame(randomBytes(r, 20_000));
              else client.sendFrame(frame(r));
              sent++;
              if (r.chance(0.2)) await sleep(r.int(5));
            }
            client.close();
          }),
        );
        probe.send(`say wave ${wave}`);
        await probe.waitFor(`You say, "wave ${wave}"`, 15_000);
      }
      expect(sent).toBeGreaterThan(300);
      await expect.poll(() => run.game.sessions.count, { timeout: 10_000 }).toBe(1);
      const errors = (await readTable(run.game)).filter((e) => e.event_type === 'protocol_error');
      const perSessionKind = new Map<string, number>();
      for (const e of errors.filter((e) => !e.payload.closing)) perSessionKind.set(`${e.actor.session_id}:${e.payload.kind}`, (perSessionKind.get(`${e.actor.session_id}:${e.payload.kind}`) ?? 0) + 1);
      expect([...perSessionKind.values()].every((n) => n === 1)).toBe(true);
      expect(errors.every((e) => e.actor.protocol === 'ws')).toBe(true);
      const kinds = new Set(errors.map((e) => e.payload.kind));
      for (const kind of ['bad_gmcp', 'ws_frame_refused', 'line_too_long']) expect(kinds, kind).toContain(kind);
      console.log(`/ws fuzz: ${sent} frames, ${errors.length} protocol_error events, kinds ${[...kinds].join(', ')}`);
      await probe.command('look', 'Limbo');
    } finally {
      await run.stop();
    }
  });
});

/**
 * Logs in a player whose client stops reading, then has it type commands with long answers
 * (help, look) in bounded batches until the server drops it for not reading.
 */
async function startOutputHog(run: RunningGame, leftOpen: net.Socket[]) {
  const hog: TestTelnetClient = await run.login('Hog');
  leftOpen.push(hog.socket);
  return {
    async flood() {
      hog.socket.pause(); // stop reading: what the server sends piles up in the kernel, then in its buffer
      const batch = Buffer.from('help\r\nlook\r\nhelp\r\n'.repeat(200));
      const deadline = Date.now() + 15_000;
      for (let i = 0; i < 400 && Date.now() < deadline; i++) {
        if (!run.game.sessions.findOnline('Hog')) break;
        await send(hog.socket, batch);
        await sleep(10);
      }
      await expect.poll(() => run.game.sessions.findOnline('Hog') !== null, { timeout: 10_000, message: 'the never-reading player was not dropped' }).toBe(false);
      hog.socket.destroy();
    },
  };
}

/** The game's telnet listener, found among the process's handles (the front end does not expose it). */
function findNetServer(port: number): net.Server | null {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  for (const h of handles) {
    if (h instanceof net.Server) {
      const address = h.address();
      if (address && typeof address === 'object' && address.port === port) return h;
    }
  }
  return null;
}

function connections(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}
