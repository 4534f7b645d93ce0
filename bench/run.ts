/**
 * `npm run bench [-- --quick] [--only=single,concurrent,idle,world] [--modes=audited,unaudited,echo,fanout]
 *   [--reps=N] [--profile] [--out=FILE] [--keep]`
 *
 * Starts the real server (`node --import tsx server/main.ts`, as `npm start`) in a temporary data
 * and log dir on a free loopback port, drives it from a separate load process (bench/load.ts)
 * with real telnet connections, and compares, in the same run and interleaved:
 *   audited    the default: AuditedCharacter, every log on
 *   unaudited  MUD_CHARACTER_TYPECLASS=typeclasses/character.Character, MUD_AUDIT=off
 *   echo       a raw TCP line echo server on `net` (bench/echo_server.ts): the ceiling
 *   fanout     a bare `net` server writing the game's bytes for the same commands, says and
 *              arrivals to everyone in the room, one write per socket per turn
 *              (bench/fanout_server.ts): what the sockets allow for this load; not in --quick
 *              unless --modes names it
 * Workloads:
 *   single      one client, sequential commands: round-trip latency
 *   concurrent  100 clients in closed loops (look / say / moves / inventory)
 *   idle        1,000 connections of which 50 are active: throughput, RSS, memory per idle one
 *   world       start-up time and RSS with a generated 10,000-room world
 * After each audited run (server stopped with SIGTERM) the `AUDIT CMD` lines across
 * command_audit.log* must equal the commands the load process sent; the bench exits 1 if not.
 * Prints a table, writes bench/results/latest.json (or --out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunArgs, RunResult } from './load.ts';
import { LoadProcess } from './load_process.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile_top.ts';
import { LOOPBACK } from '../server/net/address.ts';
import { BENCH_SCRYPT_N } from './seed.ts';
import { ROOT, serverEnv, spawnServer } from '../test/support/server_process.ts';
import { tempDir } from '../test/support/temp_dir.ts';
import { sleep } from '../test/support/wait.ts';
import { cpuMsOf, gamePidOf, ioOf, mainThreadCpuMsOf, median, memoryOf, monotonicUs, settledRssKb, stopServer, treeCpuMsOf } from './proc.ts';
import { listTrailFiles } from '../server/audit/jsonl_files.ts';
import { ALL_SECTIONS, runSection, type SectionId, type SectionResult } from './sections.ts';
import { AUDIT_DB_FILE, AuditTable } from '../server/store/audit_table.ts';

export type Mode = 'audited' | 'unaudited' | 'echo' | 'fanout' | 'portal' | 'nocp';
export type WorkloadId = 'single' | 'concurrent' | 'idle' | 'world';
export const ALL_MODES: Mode[] = ['audited', 'unaudited', 'echo', 'fanout', 'portal', 'nocp'];
/** The modes that run the game itself (the others are baselines on bare sockets). */
const isGame = (mode: Mode) => mode === 'audited' || mode === 'unaudited' || mode === 'portal' || mode === 'nocp';
/** The modes whose runs are checked for one command event per command in every sink. */
const isAudited = (mode: Mode) => mode === 'audited' || mode === 'portal' || mode === 'nocp';
/**
 * `portal`: the audited game as `npm start` runs it, a portal process and a game process over
 * the link, to measure what the link costs against `audited` (one process). Run only when
 * --modes names it; its CPU and memory rows are the portal's alone (the game is its child).
 */
const BASELINE_SCRIPT: Partial<Record<Mode, string>> = { echo: 'bench/echo_server.ts', fanout: 'bench/fanout_server.ts', portal: 'server/portal/main.ts' };
export const ALL_WORKLOADS: WorkloadId[] = ['single', 'concurrent', 'idle', 'world'];
/** What --only takes: the workloads of the main table, and the sections of bench/sections.ts. */
export type Part = WorkloadId | SectionId;
export const ALL_PARTS: Part[] = [...ALL_WORKLOADS, ...ALL_SECTIONS];

export const PASSWORD = 'bench-pass-123';
const MODE_ENV: Record<Mode, Record<string, string>> = {
  audited: {},
  // Auditing off: plain Characters, and every audit sink off (the command/movement/player logs,
  // the chat and admin logs, the JSONL trail and the audit table; MUD_AUDIT=off alone now turns
  // them all off, the others are spelled out so the mode stays the same if that changes).
  // server.log and portal.log stay on.
  unaudited: {
    MUD_CHARACTER_TYPECLASS: 'typeclasses/character.Character',
    MUD_AUDIT: 'off',
    MUD_CHAT_LOG: 'off',
    MUD_ADMIN_LOG: 'off',
    MUD_AUDIT_JSONL: 'off',
    MUD_AUDIT_TABLE: 'off',
  },
  echo: {},
  fanout: {},
  portal: {},
  // Issue 18's game-thread check: the audited server with the Merkle tree and signatures off.
  nocp: { MUD_AUDIT_CHECKPOINTS: 'off' },
};

export interface BenchOptions {
  quick: boolean;
  only: Part[];
  modes: Mode[];
  reps: number;
  profile: boolean;
  outFile: string;
  keep: boolean;
  log: (line: string) => void;
}

export interface Sizes {
  single: { commands: number; warmup: number };
  concurrent: { clients: number; commands: number; warmup: number; paced: number; thinkMs: [number, number] };
  idle: { idle: number; active: number; commands: number; warmup: number };
  world: { rooms: number; commands: number };
}

const FULL: Sizes = {
  single: { commands: 2000, warmup: 50 },
  concurrent: { clients: 100, commands: 100, warmup: 5, paced: 30, thinkMs: [100, 300] },
  idle: { idle: 950, active: 50, commands: 60, warmup: 5 },
  world: { rooms: 10_000, commands: 200 },
};
const QUICK: Sizes = {
  single: { commands: 200, warmup: 10 },
  concurrent: { clients: 20, commands: 10, warmup: 2, paced: 5, thinkMs: [20, 60] },
  idle: { idle: 150, active: 10, commands: 10, warmup: 2 },
  world: { rooms: 1000, commands: 50 },
};

/** What one run (one workload, one mode, one repetition) measured. */
export interface RunRecord {
  workload: WorkloadId;
  mode: Mode;
  rep: number;
  startMs: number;
  rssStartKb: number;
  /** Server RSS with every client connected (and, for idle, logged in), before the run. */
  rssConnectedKb?: number;
  rssAfterKb: number;
  peakRssKb: number;
  loginMs?: number;
  idleConnections?: number;
  perIdleConnectionKb?: number;
  run: RunResult;
  /** concurrent only: the same clients again with think time (an offered load, not flat out). */
  paced?: RunResult;
  /** Server CPU time during the measured run, per completed command. */
  serverCpuUsPerCmd: number;
  /** Under the portal: the portal process's part of it (sockets, telnet, the link's frames). */
  portalCpuUsPerCmd?: number;
  /** The part of it on the game's own thread (the rest: audit worker, GC, libuv). */
  gameThreadCpuUsPerCmd: number;
  /** Server write syscalls (sockets and files) during the measured run, per command. */
  serverWritesPerCmd: number;
  /** Bytes the server wrote (sockets and files) during the measured run, per command. */
  serverBytesPerCmd: number;
  /** Bytes all clients received per command (its reply and the broadcasts it caused). */
  clientBytesPerCmd: number;
  /** The measured run, in CLOCK_MONOTONIC microseconds (to cut a CPU profile to it). */
  windowUs: [number, number];
  stopMs: number;
  exitCode: number | null;
  commandsSent: number;
  auditCmdLines?: number;
  /** `command` events in the JSONL trail and in the audit table (every sink, not only the text log). */
  jsonlCommands?: number;
  tableCommands?: number;
  complete?: boolean;
  serverStderr?: string;
  profile?: ProfileSummary;
}

export interface BenchResult {
  ok: boolean;
  table: string;
  records: RunRecord[];
  completeness: { runs: number; complete: number; failures: string[] };
  outFile: string;
}

/** Counts `command` events across the JSONL trail files. */
export function countJsonlCommands(logDir: string): number {
  let n = 0;
  for (const file of listTrailFiles(path.join(logDir, 'audit'))) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.includes('"event_type":"command"')) n++;
  }
  return n;
}

/** Counts `command` rows in the audit table (data/audit.sqlite3). */
export function countTableCommands(dataDir: string): number {
  const file = path.join(dataDir, AUDIT_DB_FILE);
  if (!AuditTable.exists(file)) return 0;
  const table = new AuditTable(file, 'read');
  try {
    return (table.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE event_type = 'command'").get() as { n: number }).n;
  } finally {
    table.close();
  }
}

/** Counts `AUDIT CMD` lines across command_audit.log and its rotated files. */
export function countAuditCmdLines(logDir: string): number {
  let n = 0;
  if (!fs.existsSync(logDir)) return 0;
  for (const file of fs.readdirSync(logDir)) {
    if (!file.startsWith('command_audit.log')) continue;
    for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      if (/^\S+ \S+ \| mud\.commands \| INFO \| AUDIT CMD: /.test(line)) n++;
    }
  }
  return n;
}

export function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const file of fs.readdirSync(from)) {
    if (file === 'server.pid') continue;
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

function runChild(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args.join(' ')} exited ${code}:\n${out}\n${err}`));
    });
  });
}

export interface Context {
  opts: BenchOptions;
  sizes: Sizes;
  tmp: string;
  seeds: Partial<Record<'idle' | 'world', string>>;
  seedInfo: Record<string, unknown>;
}

export const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

export async function runOne(ctx: Context, workload: WorkloadId, mode: Mode, rep: number, { profileDir, tag = '' }: { profileDir?: string; tag?: string } = {}): Promise<RunRecord> {
  const { sizes } = ctx;
  const dir = path.join(ctx.tmp, `${tag}${workload}-${mode}-${rep}${profileDir ? '-prof' : ''}`);
  // The load comes from loopback as hundreds of players at full speed: exempt from the command
  // rate and the per-address limits (stated here, not left to the test helper's default). And the
  // bench measures the game, not scrypt: a cheap cost, which the seeded hashes match (so no login
  // re-hashes them). At the default 2^17 a create is ~0.3 s of CPU (README, Security).
  const env = serverEnv(dir, { MUD_WEB: 'off', MUD_RATE_EXEMPT: LOOPBACK.join(','), MUD_SCRYPT_N: String(BENCH_SCRYPT_N), ...MODE_ENV[mode] });
  const seeded = workload === 'idle' || workload === 'world' ? ctx.seeds[workload] : undefined;
  if (seeded && isGame(mode)) copyDir(seeded, env.MUD_DATA_DIR);
  const script = BASELINE_SCRIPT[mode] ?? 'server/main.ts';
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await spawnServer(env, { script, nodeArgs, timeoutMs: 120_000 });
  const load = LoadProcess.start();
  // The fan-out baseline answers as the game does, so the load treats it as the game.
  const target = mode === 'echo' ? 'echo' : 'game';
  const login = mode === 'echo' ? 'none' : 'create';
  const seed = 1000 * rep + ALL_WORKLOADS.indexOf(workload);
  let partial: Partial<RunRecord> = {};
  let result: RunResult;
  let cpuBefore = 0;
  let cpuAfter = 0;
  let ownCpuBefore = 0;
  let ownCpuAfter = 0;
  let gameCpuBefore = 0;
  let gameCpuAfter = 0;
  let ioBefore = { syscw: 0, wchar: 0, syscr: 0 };
  let ioAfter = ioBefore;
  let windowUs: [number, number] = [0, 0];
  try {
    const rssStartKb = await settledRssKb(server.pid, 3, 100);
    // Under the portal the game is its child: CPU counts both processes, the game thread is the child's.
    const gamePid = gamePidOf(server.pid);
    const measure = async (args: RunArgs): Promise<RunResult> => {
      cpuBefore = treeCpuMsOf(server.pid);
      ownCpuBefore = cpuMsOf(server.pid);
      gameCpuBefore = mainThreadCpuMsOf(gamePid);
      ioBefore = ioOf(server.pid);
      const from = monotonicUs();
      const r = await load.run(args);
      windowUs = [from, monotonicUs()];
      cpuAfter = treeCpuMsOf(server.pid);
      ownCpuAfter = cpuMsOf(server.pid);
      gameCpuAfter = mainThreadCpuMsOf(gamePid);
      ioAfter = ioOf(server.pid);
      return r;
    };
    const base = { port: server.telnetPort, target, password: PASSWORD, timeoutMs: 60_000 } as const;
    switch (workload) {
      case 'single': {
        const s = sizes.single;
        const c = await load.connect({ ...base, group: 'a', names: ['Solo'], login, concurrency: 1 });
        assertConnected(c, 1);
        partial = { loginMs: Math.round(c.ms) };
        await load.run({ group: 'a', commandsPerClient: s.warmup, walk: 'start', seed: seed + 7, timeoutMs: 30_000, maxMs: 120_000 });
        result = await measure({ group: 'a', commandsPerClient: s.commands, walk: 'start', seed, timeoutMs: 30_000, maxMs: 300_000 });
        break;
      }
      case 'concurrent': {
        const s = sizes.concurrent;
        const c = await load.connect({ ...base, group: 'a', names: names('Load', s.clients), login, concurrency: 16 });
        assertConnected(c, s.clients);
        partial = { loginMs: Math.round(c.ms), rssConnectedKb: await settledRssKb(server.pid, 3, 100) };
        await load.run({ group: 'a', commandsPerClient: s.warmup, walk: 'start', seed: seed + 7, timeoutMs: 30_000, maxMs: 120_000 });
        result = await measure({ group: 'a', commandsPerClient: s.commands, walk: 'start', seed, timeoutMs: 30_000, maxMs: 300_000 });
        partial.paced = await load.run({ group: 'a', commandsPerClient: s.paced, walk: 'start', seed: seed + 11, timeoutMs: 30_000, maxMs: 300_000, thinkMs: s.thinkMs });
        break;
      }
      case 'idle': {
        const s = sizes.idle;
        const c = await load.connect({ ...base, group: 'active', names: names('Active', s.active), login, concurrency: 16 });
        assertConnected(c, s.active);
        // Active players leave Limbo first, so the idle crowd there does not get every broadcast.
        await load.run({ group: 'active', commandsPerClient: 1, walk: 'start', seed: seed + 3, timeoutMs: 30_000, maxMs: 60_000, mix: { look: 0, say: 0, move: 100 } });
        const before = await settledRssKb(server.pid);
        const t0 = performance.now();
        const idle = await load.connect({
          ...base,
          group: 'idle',
          names: names('Idle', s.idle),
          login: mode === 'echo' ? 'none' : 'connect',
          concurrency: 32,
          idle: true,
        });
        assertConnected(idle, s.idle);
        const loginMs = performance.now() - t0;
        await sleep(500);
        const after = await settledRssKb(server.pid);
        partial = {
          loginMs: Math.round(loginMs),
          idleConnections: s.idle,
          rssConnectedKb: after,
          perIdleConnectionKb: Math.round(((after - before) / s.idle) * 10) / 10,
        };
        await load.run({ group: 'active', commandsPerClient: s.warmup, walk: 'hub', seed: seed + 7, timeoutMs: 30_000, maxMs: 120_000 });
        result = await measure({ group: 'active', commandsPerClient: s.commands, walk: 'hub', seed, timeoutMs: 30_000, maxMs: 300_000 });
        break;
      }
      case 'world': {
        const s = sizes.world;
        const c = await load.connect({ ...base, group: 'a', names: ['Explorer'], login, concurrency: 1 });
        assertConnected(c, 1);
        partial = { loginMs: Math.round(c.ms) };
        result = await measure({ group: 'a', commandsPerClient: s.commands, walk: 'explore', seed, timeoutMs: 30_000, maxMs: 300_000 });
        break;
      }
    }
    const rssAfterKb = memoryOf(server.pid).rssKb;
    const peakRssKb = memoryOf(server.pid).hwmKb;
    const { commandsSent } = await load.stats();
    const stop = await stopServer(server);
    await load.close();
    const record: RunRecord = {
      workload,
      mode,
      rep,
      startMs: Math.round(server.startMs),
      rssStartKb,
      rssAfterKb,
      peakRssKb,
      ...partial,
      run: result!,
      serverCpuUsPerCmd: Math.round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, result!.completed)),
      ...(gamePid !== server.pid ? { portalCpuUsPerCmd: Math.round(((ownCpuAfter - ownCpuBefore) * 1000) / Math.max(1, result!.completed)) } : {}),
      gameThreadCpuUsPerCmd: Math.round(((gameCpuAfter - gameCpuBefore) * 1000) / Math.max(1, result!.completed)),
      serverWritesPerCmd: Math.round(((ioAfter.syscw - ioBefore.syscw) / Math.max(1, result!.completed)) * 10) / 10,
      serverBytesPerCmd: Math.round((ioAfter.wchar - ioBefore.wchar) / Math.max(1, result!.completed)),
      clientBytesPerCmd: Math.round(result!.bytesIn / Math.max(1, result!.completed)),
      windowUs,
      stopMs: Math.round(stop.stopMs),
      exitCode: stop.code,
      commandsSent,
    };
    if (server.stderr().trim()) record.serverStderr = server.stderr().slice(0, 2000);
    if (isAudited(mode)) {
      record.auditCmdLines = countAuditCmdLines(env.MUD_LOG_DIR);
      record.jsonlCommands = countJsonlCommands(env.MUD_LOG_DIR);
      record.tableCommands = countTableCommands(env.MUD_DATA_DIR);
      record.complete = [record.auditCmdLines, record.jsonlCommands, record.tableCommands].every((n) => n === commandsSent) && stop.code === 0;
    }
    if (!ctx.opts.keep && !profileDir) fs.rmSync(dir, { recursive: true, force: true });
    return record;
  } catch (error) {
    server.child.kill('SIGKILL');
    await load.close().catch(() => {});
    throw error;
  }
}

export function assertConnected(c: { connected: number; errors: string[] }, wanted: number): void {
  if (c.connected !== wanted) throw new Error(`only ${c.connected} of ${wanted} clients connected: ${c.errors.join('; ')}`);
}

async function prepareSeeds(ctx: Context): Promise<void> {
  // The portal and reload sections log in the same seeded idle crowd (a part of it for the portal's).
  const wantIdle = (ctx.opts.only.includes('idle') && ctx.opts.modes.some(isGame)) || ctx.opts.only.includes('portal') || ctx.opts.only.includes('reload');
  const wantWorld = ctx.opts.only.includes('world') && ctx.opts.modes.some(isGame);
  if (wantIdle) {
    const dir = path.join(ctx.tmp, 'seed-idle');
    const out = await runChild(
      ['bench/seed.ts', JSON.stringify({ dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'logs'), accounts: { prefix: 'Idle', count: ctx.sizes.idle.idle, password: PASSWORD } })],
      300_000,
    );
    ctx.seeds.idle = path.join(dir, 'data');
    ctx.seedInfo.idle = JSON.parse(out.trim().split('\n').at(-1)!);
  }
  if (wantWorld) {
    const dir = path.join(ctx.tmp, 'seed-world');
    const out = await runChild(['bench/seed.ts', JSON.stringify({ dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'logs'), rooms: ctx.sizes.world.rooms })], 600_000);
    ctx.seeds.world = path.join(dir, 'data');
    ctx.seedInfo.world = JSON.parse(out.trim().split('\n').at(-1)!);
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

const fmt = (v: number | undefined, digits = 0) => (v === undefined || !Number.isFinite(v) ? '-' : v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '-' : `${((a / b) * 100).toFixed(0)}%`);

function pick(records: RunRecord[], workload: WorkloadId, mode: Mode, get: (r: RunRecord) => number | undefined): number | undefined {
  const values = records.filter((r) => r.workload === workload && r.mode === mode).map(get).filter((v): v is number => v !== undefined);
  return values.length ? median(values) : undefined;
}

interface Row {
  label: string;
  workload: WorkloadId;
  get: (r: RunRecord) => number | undefined;
  digits?: number;
}

export function buildTable(records: RunRecord[], sizes: Sizes, modes: Mode[]): string {
  const { single, concurrent, idle, world } = sizes;
  const rows: Row[] = [
    { label: `single: 1 client x ${single.commands} cmds, cmds/s`, workload: 'single', get: (r) => r.run.perSecond },
    { label: 'single: latency p50 ms', workload: 'single', get: (r) => r.run.latencyMs.p50, digits: 3 },
    { label: 'single: latency p95 ms', workload: 'single', get: (r) => r.run.latencyMs.p95, digits: 3 },
    { label: 'single: latency p99 ms', workload: 'single', get: (r) => r.run.latencyMs.p99, digits: 3 },
    { label: 'single: move p50 ms', workload: 'single', get: (r) => r.run.byKind.move?.p50, digits: 3 },
    { label: 'single: server CPU us/cmd', workload: 'single', get: (r) => r.serverCpuUsPerCmd },
    { label: 'single: server bytes written/cmd', workload: 'single', get: (r) => r.serverBytesPerCmd },
    { label: `concurrent: ${concurrent.clients} clients, cmds/s`, workload: 'concurrent', get: (r) => r.run.perSecond },
    { label: 'concurrent: latency p50 ms', workload: 'concurrent', get: (r) => r.run.latencyMs.p50, digits: 2 },
    { label: 'concurrent: latency p95 ms', workload: 'concurrent', get: (r) => r.run.latencyMs.p95, digits: 2 },
    { label: 'concurrent: latency p99 ms', workload: 'concurrent', get: (r) => r.run.latencyMs.p99, digits: 2 },
    { label: 'concurrent: server CPU us/cmd', workload: 'concurrent', get: (r) => r.serverCpuUsPerCmd },
    { label: 'concurrent: game thread CPU us/cmd', workload: 'concurrent', get: (r) => r.gameThreadCpuUsPerCmd },
    { label: 'concurrent: other threads CPU us/cmd', workload: 'concurrent', get: (r) => r.serverCpuUsPerCmd - r.gameThreadCpuUsPerCmd },
    { label: 'concurrent: server write syscalls/cmd', workload: 'concurrent', get: (r) => r.serverWritesPerCmd, digits: 1 },
    { label: 'concurrent: bytes to clients/cmd', workload: 'concurrent', get: (r) => r.clientBytesPerCmd },
    { label: `paced: ${concurrent.clients} clients, think ${concurrent.thinkMs.join('-')} ms, cmds/s`, workload: 'concurrent', get: (r) => r.paced?.perSecond },
    { label: 'paced: latency p50 ms', workload: 'concurrent', get: (r) => r.paced?.latencyMs.p50, digits: 2 },
    { label: 'paced: latency p99 ms', workload: 'concurrent', get: (r) => r.paced?.latencyMs.p99, digits: 2 },
    { label: `concurrent: login of ${concurrent.clients} (create) ms`, workload: 'concurrent', get: (r) => r.loginMs },
    { label: 'concurrent: server RSS MB after', workload: 'concurrent', get: (r) => r.rssAfterKb / 1024, digits: 1 },
    { label: `idle: ${idle.active} active of ${idle.active + idle.idle}, cmds/s`, workload: 'idle', get: (r) => r.run.perSecond },
    { label: 'idle: latency p99 ms', workload: 'idle', get: (r) => r.run.latencyMs.p99, digits: 2 },
    { label: 'idle: server CPU us/cmd', workload: 'idle', get: (r) => r.serverCpuUsPerCmd },
    { label: `idle: ${idle.idle} idle logins ms`, workload: 'idle', get: (r) => r.loginMs },
    { label: `idle: server RSS MB, all connected`, workload: 'idle', get: (r) => (r.rssConnectedKb ?? NaN) / 1024, digits: 1 },
    { label: 'idle: KB per idle connection', workload: 'idle', get: (r) => r.perIdleConnectionKb, digits: 1 },
    { label: 'idle: SIGTERM to exit ms', workload: 'idle', get: (r) => r.stopMs },
    { label: 'start world: start-up ms', workload: 'single', get: (r) => r.startMs },
    { label: 'start world: RSS MB after start', workload: 'single', get: (r) => r.rssStartKb / 1024, digits: 1 },
    { label: `world ${world.rooms} rooms: start-up ms`, workload: 'world', get: (r) => r.startMs },
    { label: `world ${world.rooms} rooms: RSS MB after start`, workload: 'world', get: (r) => r.rssStartKb / 1024, digits: 1 },
    { label: `world ${world.rooms} rooms: first login ms`, workload: 'world', get: (r) => r.loginMs },
    { label: `world ${world.rooms} rooms: latency p50 ms`, workload: 'world', get: (r) => r.run.latencyMs.p50, digits: 3 },
  ];
  const present = new Set(records.map((r) => r.workload));
  const cols = ALL_MODES.filter((m) => modes.includes(m));
  const header = [
    'metric (median of reps)'.padEnd(44),
    ...cols.map((c) => c.padStart(11)),
    'aud/unaud'.padStart(10),
    'aud/echo'.padStart(9),
    'unaud/echo'.padStart(11),
    'aud/fan'.padStart(9),
    'unaud/fan'.padStart(10),
  ].join('');
  const lines = [header, '-'.repeat(header.length)];
  for (const row of rows) {
    if (!present.has(row.workload)) continue;
    const v = Object.fromEntries(ALL_MODES.map((m) => [m, pick(records, row.workload, m, row.get)])) as Record<Mode, number | undefined>;
    lines.push(
      [
        row.label.padEnd(44),
        ...cols.map((c) => fmt(v[c], row.digits ?? 0).padStart(11)),
        ratio(v.audited, v.unaudited).padStart(10),
        ratio(v.audited, v.echo).padStart(9),
        ratio(v.unaudited, v.echo).padStart(11),
        ratio(v.audited, v.fanout).padStart(9),
        ratio(v.unaudited, v.fanout).padStart(10),
      ].join(''),
    );
  }
  return lines.join('\n');
}

function aims(records: RunRecord[]): string[] {
  const get = (w: WorkloadId, m: Mode, f: (r: RunRecord) => number | undefined) => pick(records, w, m, f);
  const out: string[] = [];
  const aud = get('concurrent', 'audited', (r) => r.run.perSecond);
  const unaud = get('concurrent', 'unaudited', (r) => r.run.perSecond);
  const echo = get('concurrent', 'echo', (r) => r.run.perSecond);
  const fan = get('concurrent', 'fanout', (r) => r.run.perSecond);
  const cpuAud = get('concurrent', 'audited', (r) => r.serverCpuUsPerCmd);
  const cpuUnaud = get('concurrent', 'unaudited', (r) => r.serverCpuUsPerCmd);
  const gameAud = get('concurrent', 'audited', (r) => r.gameThreadCpuUsPerCmd);
  const gameUnaud = get('concurrent', 'unaudited', (r) => r.gameThreadCpuUsPerCmd);
  const mark = (ok: boolean) => (ok ? 'met   ' : 'MISSED');
  const portal = get('concurrent', 'portal', (r) => r.run.perSecond);
  if (aud !== undefined && portal !== undefined) {
    out.push(`${mark(portal >= 0.9 * aud)} the portal link costs at most 10% of single-process throughput: two processes ${ratio(portal, aud)} of one`);
  }
  if (gameAud !== undefined && gameUnaud !== undefined) {
    out.push(`${mark(gameAud <= 1.1 * gameUnaud)} the game thread's audited CPU per command within 10% of unaudited: ${fmt(gameAud)} vs ${fmt(gameUnaud)} us (${ratio(gameAud, gameUnaud)})`);
  }
  if (aud !== undefined && unaud !== undefined) {
    out.push(`${mark(aud >= 0.9 * unaud)} full auditing >= 90% of unaudited throughput: ${ratio(aud, unaud)} (server CPU per command: ${fmt(cpuAud)} vs ${fmt(cpuUnaud)} us, i.e. ${ratio(cpuUnaud, cpuAud)})`);
  }
  if (aud !== undefined && echo !== undefined) out.push(`${mark(aud >= 0.5 * echo)} game >= 50% of raw echo ceiling: audited ${ratio(aud, echo)}, unaudited ${ratio(unaud, echo)}`);
  if (aud !== undefined && fan !== undefined) {
    // The baseline is only fair if it sent what the game sent: the bytes clients received per command.
    const bytesAud = get('concurrent', 'audited', (r) => r.clientBytesPerCmd);
    const bytesFan = get('concurrent', 'fanout', (r) => r.clientBytesPerCmd);
    out.push(
      `${mark(aud >= 0.5 * fan)} game >= 50% of fan-out baseline (audited): audited ${ratio(aud, fan)}, unaudited ${ratio(unaud, fan)} ` +
        `(bytes to clients per command: game ${fmt(bytesAud)}, fan-out ${fmt(bytesFan)})`,
    );
  }
  const p99 = get('concurrent', 'audited', (r) => r.run.latencyMs.p99);
  const pacedP99 = get('concurrent', 'audited', (r) => r.paced?.latencyMs.p99);
  const pacedRate = get('concurrent', 'audited', (r) => r.paced?.perSecond);
  if (pacedP99 !== undefined) out.push(`${mark(pacedP99 < 5)} p99 < 5 ms with the concurrent clients playing with think time (audited, ${fmt(pacedRate)} cmds/s offered): ${fmt(pacedP99, 2)} ms`);
  if (p99 !== undefined) out.push(`${mark(p99 < 5)} p99 < 5 ms with the concurrent clients flat out (closed loop, no think time; Little's law: ~clients/throughput): ${fmt(p99, 2)} ms`);
  const idleKb = get('idle', 'audited', (r) => r.perIdleConnectionKb);
  if (idleKb !== undefined) out.push(`${mark(idleKb < 100)} idle connection < 100 KB (audited, logged in): ${fmt(idleKb, 1)} KB`);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Logs one run's line; returns what went wrong in it (errors, an incomplete audit, a bad exit). */
export function noteRun(record: RunRecord, log: (line: string) => void, tag = ''): string[] {
  const { workload, mode, rep } = record;
  const r = record.run;
  const failures: string[] = [];
  log(
    `  ${`${tag}${workload}`.padEnd(10)} ${mode.padEnd(9)} rep ${rep}: ${r.completed} cmds in ${r.wallMs} ms = ${r.perSecond}/s, ` +
      `p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} ms, server ${record.serverCpuUsPerCmd} us/cmd, RSS ${(record.rssAfterKb / 1024).toFixed(1)} MB` +
      (record.perIdleConnectionKb !== undefined ? `, ${record.perIdleConnectionKb} KB/idle conn` : '') +
      (r.errors || r.wrongRoom ? `, ERRORS ${r.errors} wrong-room ${r.wrongRoom}: ${r.firstErrors.join(' | ')}` : '') +
      (record.complete !== undefined ? `, audit ${record.auditCmdLines}/${record.commandsSent} ${record.complete ? 'complete' : 'INCOMPLETE'}` : ''),
  );
  const what = `${tag}${workload}/${mode}/rep ${rep}`;
  if (record.complete === false) failures.push(`${what}: ${record.auditCmdLines} AUDIT CMD lines, ${record.jsonlCommands} JSONL and ${record.tableCommands} table command events for ${record.commandsSent} commands sent (exit ${record.exitCode})`);
  if (r.errors || r.wrongRoom) failures.push(`${what}: ${r.errors} errors, ${r.wrongRoom} wrong rooms: ${r.firstErrors.join(' | ')}`);
  if (record.exitCode !== 0) failures.push(`${what}: server exit code ${record.exitCode}`);
  return failures;
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const sizes = opts.quick ? QUICK : FULL;
  const tmp = tempDir('mud-bench-');
  const ctx: Context = { opts, sizes, tmp, seeds: {}, seedInfo: {} };
  const records: RunRecord[] = [];
  const sections: SectionResult[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  try {
    opts.log(`bench: ${opts.quick ? 'quick' : 'full'} run, ${opts.only.join(',')}, modes of the main table ${opts.modes.join(',')}, ${opts.reps} rep(s); temp dir ${tmp}`);
    await prepareSeeds(ctx);
    if (Object.keys(ctx.seedInfo).length) opts.log(`seeded: ${JSON.stringify(ctx.seedInfo)}`);
    const workloads = ALL_WORKLOADS.filter((w) => opts.only.includes(w));
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const workload of workloads) {
        // Interleaved, and the order flips every repetition, so drift on the shared machine
        // (others' tests) hits every mode alike.
        const modes = opts.modes.filter((m) => workload !== 'world' || isGame(m)); // the baselines have only the start world
        for (const mode of rep % 2 ? [...modes].reverse() : modes) {
          const record = await runOne(ctx, workload, mode, rep);
          records.push(record);
          failures.push(...noteRun(record, opts.log));
        }
      }
    }
    if (opts.profile) {
      // Outside the repo (bench/results/ ignores only *.json) and kept after the run.
      const profileDir = tempDir('mud-bench-profiles-');
      opts.log(`CPU profiles (open in Chrome DevTools > Performance) go to ${profileDir}`);
      for (const mode of ['audited', 'unaudited'] as const) {
        if (!opts.modes.includes(mode)) continue;
        for (const workload of ['concurrent', 'single'] as const) {
          if (!opts.only.includes(workload)) continue;
          const dir = path.join(profileDir, `${workload}-${mode}`);
          const record = await runOne(ctx, workload, mode, 99, { profileDir: dir });
          const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
          if (file) {
            record.profile = summarizeProfile(path.join(dir, file), 20, record.windowUs);
            opts.log(`\n${formatProfile(record.profile, `profile ${workload}/${mode} (${record.run.completed} cmds, ${record.serverCpuUsPerCmd} us/cmd with the profiler on)`)}`);
          }
          records.push({ ...record, rep: -1 });
        }
      }
    }
    // The sections (issue 18's checkpoints, issue 14's portal and reload), each its own comparison.
    for (const id of ALL_SECTIONS.filter((s) => opts.only.includes(s))) {
      const section = await runSection(id, ctx);
      sections.push(section);
      failures.push(...section.failures);
    }
  } finally {
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const measured = records.filter((r) => r.rep >= 0);
  const table = measured.length ? buildTable(measured, sizes, opts.modes) : '(no workload of the main table run)';
  const audited = [...measured, ...sections.flatMap((s) => s.records)].filter((r) => r.complete !== undefined);
  const completeness = { runs: audited.length, complete: audited.filter((r) => r.complete).length, failures };
  const aimLines = aims(measured);
  const summary = [
    '',
    table,
    '',
    ...aimLines,
    ...sections.flatMap((s) => ['', ...s.lines]),
    `completeness: ${completeness.complete}/${completeness.runs} audited runs have exactly one command event per command sent in every sink (text log, JSONL, table)` + (failures.length ? `\nFAILURES:\n  ${failures.join('\n  ')}` : ''),
    `total ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  ].join('\n');
  opts.log(summary);
  const ok = failures.length === 0 && completeness.complete === completeness.runs;
  fs.mkdirSync(path.dirname(opts.outFile), { recursive: true });
  fs.writeFileSync(
    opts.outFile,
    `${JSON.stringify(
      {
        when: new Date().toISOString(),
        ok,
        quick: opts.quick,
        machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
        sizes,
        seed: ctx.seedInfo,
        table: table.split('\n'),
        aims: aimLines,
        sections: sections.map(({ id, lines, figures }) => ({ id, lines, figures })),
        completeness,
        records,
      },
      null,
      2,
    )}\n`,
  );
  return { ok, table, records, completeness, outFile: opts.outFile };
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = {
    quick: false,
    only: [...ALL_PARTS],
    modes: [...ALL_MODES],
    reps: 0,
    profile: false,
    outFile: path.join(ROOT, 'bench/results/latest.json'),
    keep: false,
    log: (line) => process.stdout.write(`${line}\n`),
  };
  let modesGiven = false;
  for (const arg of argv) {
    const [flag, value] = arg.split('=', 2) as [string, string | undefined];
    const list = <T extends string>(all: readonly T[]): T[] => {
      const items = (value ?? '').split(',').filter(Boolean) as T[];
      const bad = items.filter((i) => !all.includes(i));
      if (bad.length || !items.length) throw new Error(`${flag} takes a comma list of ${all.join(', ')}`);
      return items;
    };
    if (flag === '--quick') opts.quick = true;
    else if (flag === '--profile') opts.profile = true;
    else if (flag === '--keep') opts.keep = true;
    else if (flag === '--only') opts.only = list(ALL_PARTS);
    else if (flag === '--modes') {
      opts.modes = list(ALL_MODES);
      modesGiven = true;
    }
    else if (flag === '--reps') opts.reps = Number(value);
    else if (flag === '--out') opts.outFile = path.resolve(value ?? '');
    else throw new Error(`unknown option ${arg}`);
  }
  // The quick run is a smoke test of the harness and stays short: the fan-out baseline, a
  // comparison that means something only at full size, runs there only when asked for.
  if (opts.quick && !modesGiven) opts.modes = opts.modes.filter((m) => m !== 'fanout');
  // The two-process server and checkpoints off are comparisons of their sections (or asked for by name).
  if (!modesGiven) opts.modes = opts.modes.filter((m) => m !== 'portal' && m !== 'nocp');
  if (!opts.reps) opts.reps = opts.quick ? 1 : 2;
  if (!Number.isInteger(opts.reps) || opts.reps < 1 || opts.reps > 10) throw new Error('--reps takes 1 to 10');
  return opts;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  let opts: BenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const result = await runBench(opts);
  process.stdout.write(`results: ${path.relative(process.cwd(), result.outFile)}\n`);
  process.exit(result.ok ? 0 : 1);
}
