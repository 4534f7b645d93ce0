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
 * with the count held back). The garbage is test/fuzz/garbage.ts's; ws_fuzz.test.ts sends it over
 * /ws.
 *
 * Reproduce a failure with MUD_FUZZ_SEED=<the seed printed below>.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readTable } from '../audit_trail/helpers.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import type { TestTelnetClient } from '../support/telnet_client.ts';
import { prng, randomBytes, type Rng } from '../support/prng.ts';
import { sleep } from '../support/wait.ts';
import { CLIENTS_PER_WAVE, DO, GMCP, IAC, LOGIN_IDLE_MS, MAX_FRAMES_PER_CLIENT, OPTS, SB, SE, SEED, WAVES, frame } from './garbage.ts';

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
