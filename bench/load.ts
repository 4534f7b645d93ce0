/**
 * The load process of the bench: a separate Node process (spawned with an IPC channel by
 * bench/run.ts) that drives a server with real TCP telnet connections.
 *
 * Protocol: the parent sends `{ id, op, ...args }`; we answer `{ id, ok, result | error }`.
 *   connect  open connections (group name, specs) and log them in (`create`/`connect` on one
 *            line) with bounded concurrency
 *   run      closed loops on a group: each client sends a command, waits for its reply, repeats
 *   stats    totals so far (character commands sent, bytes received, our CPU time)
 *   close    drop every connection and exit
 *
 * End of a reply. The server sends no prompt after a command, so each command is matched with a
 * reply text that only that command produces on this connection (the input buffer is cleared
 * when a command is sent, so an earlier reply cannot match):
 *   look, and every move      the room's `Exits: ...` line (only room descriptions have one; for
 *                             a move the text before it must also name the destination room)
 *   say <unique tag>          `You say, "<tag>"` (every say carries a client/sequence tag)
 *   inventory                 `You are not carrying anything.` / `You are carrying:`
 *   login (`create`/`connect`) `You become <name>.` followed by the room's `Exits:` line
 * Against the raw echo server the reply is the echoed line itself; the fan-out baseline
 * (bench/fanout_server.ts) answers as the game does and is driven as the game.
 * Broadcasts from other players ("X says", "X arrives", "Also here") never match these.
 */
import net from 'node:net';
import { prng } from '../test/support/prng.ts';
import { sleep } from '../test/support/wait.ts';

export type TargetKind = 'game' | 'echo';
export type LoginMode = 'create' | 'connect' | 'none';

export interface ConnectArgs {
  group: string;
  port: number;
  target: TargetKind;
  names: string[];
  password: string;
  login: LoginMode;
  /** Logins in flight at once (a `create` costs the server a 50 ms scrypt). */
  concurrency: number;
  /** After logging in, ignore everything the server sends (idle clients). */
  idle?: boolean;
  timeoutMs?: number;
}

export interface RunArgs {
  group: string;
  commandsPerClient: number;
  /** Command mix: `start` roams the start world (Limbo, Courtyard, Library, Great Hall); `hub`
   * the same without going back to Limbo; `explore` follows whatever exits a room lists. */
  walk: 'start' | 'hub' | 'explore';
  seed: number;
  /** Per command. */
  timeoutMs: number;
  /** The whole run. */
  maxMs: number;
  /** Percent of each command kind; the rest of 100 is inventory. */
  mix?: { look: number; say: number; move: number };
  /** Think time between a reply and the next command, uniform in [min, max] ms (default none:
   * a closed loop flat out). With it the offered load is ~clients / mean think time. */
  thinkMs?: [number, number];
}

export interface LatencySummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RunResult {
  clients: number;
  /** Commands answered. */
  completed: number;
  /** Commands written to the socket (character commands). */
  sent: number;
  wallMs: number;
  perSecond: number;
  latencyMs: LatencySummary;
  byKind: Record<string, LatencySummary>;
  errors: number;
  firstErrors: string[];
  wrongRoom: number;
  loadCpuMs: number;
  /** Bytes the clients received during the run (replies and broadcasts). */
  bytesIn: number;
}

/** Start-world rooms and the exits the bench uses. */
const START_MAP: Record<string, Record<string, string>> = {
  Limbo: { north: 'Courtyard' },
  Courtyard: { south: 'Limbo', east: 'Library', west: 'Great Hall' },
  Library: { west: 'Courtyard' },
  'Great Hall': { east: 'Courtyard' },
};
const HUB_MAP: Record<string, Record<string, string>> = { ...START_MAP, Courtyard: { east: 'Library', west: 'Great Hall' } };

const EXITS_LINE = /Exits: ([^\n]*)\n/;
const ANSI = /\x1b\[[0-9;]*m/g;

interface Waiter {
  pattern: RegExp | string;
  resolve: (text: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

let bytesIn = 0;
let commandsSent = 0;

/** One telnet connection: strips IAC sequences (answers none), keeps text until matched. */
class LoadClient {
  private buf = '';
  private iac = 0;
  private waiter: Waiter | null = null;
  closed = false;
  discard = false;
  room = 'Limbo';
  exits: string[] = [];
  loggedIn = false;

  private constructor(
    readonly name: string,
    readonly socket: net.Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      const w = this.waiter;
      if (w) {
        this.waiter = null;
        clearTimeout(w.timer);
        w.reject(new Error(`${name}: connection closed while waiting for ${String(w.pattern)}; got ${JSON.stringify(this.buf.slice(-300))}`));
      }
    });
  }

  static open(name: string, port: number, timeoutMs: number): Promise<LoadClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${name}: connect timed out`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new LoadClient(name, socket));
      });
    });
  }

  private onData(chunk: Buffer): void {
    bytesIn += chunk.length;
    if (this.discard && !this.waiter) return;
    this.buf += this.stripIac(chunk);
    if (this.buf.length > 1 << 20) this.buf = this.buf.slice(-8192);
    this.check();
  }

  /** Telnet data bytes only (commands and subnegotiations dropped), as latin1 text. */
  private stripIac(chunk: Buffer): string {
    if (this.iac === 0 && !chunk.includes(0xff)) return chunk.toString('latin1');
    const out: number[] = [];
    for (const b of chunk) {
      switch (this.iac) {
        case 0: // data
          if (b === 0xff) this.iac = 1;
          else out.push(b);
          break;
        case 1: // after IAC
          if (b === 0xff) {
            out.push(b);
            this.iac = 0;
          } else if (b === 0xfa) this.iac = 3;
          else if (b >= 0xfb && b <= 0xfe) this.iac = 2;
          else this.iac = 0;
          break;
        case 2: // option byte of WILL/WONT/DO/DONT
          this.iac = 0;
          break;
        case 3: // inside SB
          if (b === 0xff) this.iac = 4;
          break;
        case 4: // IAC inside SB
          this.iac = b === 0xf0 ? 0 : 3;
          break;
      }
    }
    return Buffer.from(out).toString('latin1');
  }

  private check(): void {
    const w = this.waiter;
    if (!w) return;
    let end = -1;
    if (typeof w.pattern === 'string') {
      const at = this.buf.indexOf(w.pattern);
      if (at >= 0) end = at + w.pattern.length;
    } else {
      const m = w.pattern.exec(this.buf);
      if (m) end = m.index + m[0].length;
    }
    if (end < 0) return;
    const text = this.buf.slice(0, end);
    this.buf = this.buf.slice(end);
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve(text);
  }

  /** Sends `line` (clearing what came before) and resolves with the text up to `pattern`. */
  request(line: string, pattern: RegExp | string, timeoutMs: number): Promise<string> {
    if (this.closed) return Promise.reject(new Error(`${this.name}: connection is closed`));
    if (this.waiter) return Promise.reject(new Error(`${this.name}: a command is already in flight`));
    this.buf = '';
    const promise = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${String(pattern)} after '${line}'; got ${JSON.stringify(this.buf.slice(-300))}`));
      }, timeoutMs);
      this.waiter = { pattern, resolve, reject, timer };
    });
    this.socket.write(`${line}\r\n`);
    return promise;
  }

  close(): void {
    this.socket.destroy();
  }
}

const groups = new Map<string, { target: TargetKind; clients: LoadClient[] }>();

async function connectGroup(args: ConnectArgs): Promise<{ connected: number; ms: number; errors: string[] }> {
  const t0 = performance.now();
  const timeoutMs = args.timeoutMs ?? 60_000;
  const clients: LoadClient[] = [];
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < args.names.length) {
      const name = args.names[next++]!;
      try {
        const client = await LoadClient.open(name, args.port, timeoutMs);
        if (args.target === 'game' && args.login !== 'none') {
          const text = await client.request(`${args.login} ${name} ${args.password}`, new RegExp(`You become ${name}\\.[\\s\\S]*?${EXITS_LINE.source}`), timeoutMs);
          client.loggedIn = true;
          noteRoom(client, text);
        }
        client.discard = !!args.idle;
        clients.push(client);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(args.concurrency, args.names.length)) }, worker));
  const group = groups.get(args.group) ?? { target: args.target, clients: [] };
  group.clients.push(...clients);
  groups.set(args.group, group);
  return { connected: clients.length, ms: performance.now() - t0, errors: errors.slice(0, 5) };
}

/** Remembers the room a description names and the exits it lists. */
function noteRoom(client: LoadClient, text: string): void {
  const m = EXITS_LINE.exec(text);
  if (!m) return;
  client.exits = m[1]!.replace(ANSI, '').split(/, | and /).map((e) => e.trim()).filter(Boolean);
  // The room name is the first line of the description, in colour: the line before the desc.
  const before = text.slice(0, m.index).split('\n').filter(Boolean);
  // Only the coloured part: the game's prompt (`> `) can come first on that line.
  const name = before.findLast((l) => l.includes('\x1b[1;36m'))?.match(/\x1b\[1;36m([^\x1b]*)/)?.[1];
  if (name) client.room = name.trim();
}

interface Step {
  kind: 'look' | 'say' | 'move' | 'inventory';
  line: string;
  pattern: RegExp | string;
  /** For a move on a known map: the room it must arrive in. */
  room?: string;
}

function nextStep(client: LoadClient, target: TargetKind, walk: RunArgs['walk'], rnd: () => number, tag: string, mix: NonNullable<RunArgs['mix']>): Step {
  const r = rnd() * 100;
  let step: Step;
  if (r < mix.look) step = { kind: 'look', line: 'look', pattern: EXITS_LINE };
  else if (r < mix.look + mix.say) step = { kind: 'say', line: `say ${tag}`, pattern: `You say, "${tag}"` };
  else if (r < mix.look + mix.say + mix.move) {
    let exits: string[];
    let room: string | undefined;
    const map = walk === 'hub' ? HUB_MAP : START_MAP;
    if (walk === 'explore') exits = client.exits;
    else exits = Object.keys(map[client.room] ?? map.Limbo!);
    const exit = exits[Math.floor(rnd() * exits.length)] ?? 'look';
    if (walk !== 'explore') room = (map[client.room] ?? map.Limbo!)[exit];
    step = { kind: 'move', line: exit, pattern: EXITS_LINE, room };
  } else step = { kind: 'inventory', line: 'inventory', pattern: /You are (not carrying anything\.|carrying:)/ };
  if (target === 'echo') step.pattern = `${step.line}\r\n`;
  return step;
}

function summarize(values: number[]): LatencySummary {
  if (!values.length) return { n: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const v = Float64Array.from(values).sort();
  const at = (q: number) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]!;
  let sum = 0;
  for (const x of v) sum += x;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { n: v.length, mean: round(sum / v.length), p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(v[v.length - 1]!) };
}

let runCounter = 0;

async function runGroup(args: RunArgs): Promise<RunResult> {
  const group = groups.get(args.group);
  if (!group) throw new Error(`no group ${args.group}`);
  const mix = args.mix ?? { look: 25, say: 30, move: 35 };
  const run = ++runCounter;
  const cpu0 = process.cpuUsage();
  const bytes0 = bytesIn;
  const t0 = performance.now();
  const deadline = Date.now() + args.maxMs;
  const latencies: number[] = [];
  const byKind: Record<string, number[]> = { look: [], say: [], move: [], inventory: [] };
  let completed = 0;
  let sent = 0;
  let errors = 0;
  let wrongRoom = 0;
  const firstErrors: string[] = [];
  await Promise.all(
    group.clients.map(async (client, index) => {
      const rnd = prng(args.seed * 1_000_003 + index).next; // deterministic, so runs are comparable
      const think = args.thinkMs;
      for (let i = 0; i < args.commandsPerClient && Date.now() < deadline && !client.closed; i++) {
        if (think) await sleep(think[0] + rnd() * (think[1] - think[0]));
        const step = nextStep(client, group.target, args.walk, rnd, `r${run}c${index}n${i}`, mix);
        const start = performance.now();
        sent++;
        if (group.target === 'game') commandsSent++;
        try {
          const text = await client.request(step.line, step.pattern, args.timeoutMs);
          const ms = performance.now() - start;
          latencies.push(ms);
          byKind[step.kind]!.push(ms);
          completed++;
          if (group.target === 'game' && (step.kind === 'move' || step.kind === 'look')) {
            const expected = step.room;
            noteRoom(client, text);
            if (expected && client.room !== expected) {
              wrongRoom++;
              if (firstErrors.length < 5) firstErrors.push(`${client.name}: '${step.line}' led to ${client.room}, expected ${expected}`);
            }
          }
        } catch (error) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push((error as Error).message);
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    clients: group.clients.length,
    completed,
    sent,
    wallMs: Math.round(wallMs),
    perSecond: Math.round((completed / wallMs) * 1000),
    latencyMs: summarize(latencies),
    byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, summarize(v)])),
    errors,
    firstErrors,
    wrongRoom,
    loadCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    bytesIn: bytesIn - bytes0,
  };
}

type Request = { id: number; op: string } & Record<string, unknown>;

async function handle(msg: Request): Promise<unknown> {
  switch (msg.op) {
    case 'connect':
      return connectGroup(msg as unknown as ConnectArgs);
    case 'run':
      return runGroup(msg as unknown as RunArgs);
    case 'stats': {
      const cpu = process.cpuUsage();
      let open = 0;
      for (const g of groups.values()) for (const c of g.clients) if (!c.closed) open++;
      return { commandsSent, bytesIn, open, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
    }
    case 'close':
      for (const g of groups.values()) for (const c of g.clients) c.close();
      groups.clear();
      setTimeout(() => process.exit(0), 50);
      return { closed: true };
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

if (process.send) {
  process.on('message', (msg: Request) => {
    handle(msg).then(
      (result) => process.send!({ id: msg.id, ok: true, result }),
      (error: Error) => process.send!({ id: msg.id, ok: false, error: error.stack ?? String(error) }),
    );
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}
