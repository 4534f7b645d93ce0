/**
 * The main table's workloads (single, concurrent, idle, world) and one run of them: a fresh
 * server in its own data and log dir, the load process driving it over real telnet, the
 * server's CPU, I/O and memory measured around the run, then SIGTERM and the audit sinks
 * checked. bench/sections.ts runs the same `runOne` for its comparisons.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LOOPBACK } from '../server/net/address.ts';
import { serverEnv, spawnServer } from '../test/support/server_process.ts';
import { sleep } from '../test/support/wait.ts';
import { checkAuditSinks } from './completeness.ts';
import type { RunArgs, RunResult } from './load.ts';
import { LoadProcess } from './load_process.ts';
import { BASELINE_SCRIPT, isAudited, isGame, MODE_ENV, type Mode } from './modes.ts';
import type { BenchOptions } from './options.ts';
import { cpuMsOf, gamePidOf, ioOf, mainThreadCpuMsOf, memoryOf, monotonicUs, settledRssKb, stopServer, treeCpuMsOf } from './proc.ts';
import type { ProfileSummary } from './profile_top.ts';
import { BENCH_SCRYPT_N, PASSWORD } from './seed.ts';
import { copyDir } from './seed_process.ts';

export type WorkloadId = 'single' | 'concurrent' | 'idle' | 'world';
export const ALL_WORKLOADS: WorkloadId[] = ['single', 'concurrent', 'idle', 'world'];

export interface Sizes {
  single: { commands: number; warmup: number };
  concurrent: { clients: number; commands: number; warmup: number; paced: number; thinkMs: [number, number] };
  idle: { idle: number; active: number; commands: number; warmup: number };
  world: { rooms: number; commands: number };
}

export const FULL: Sizes = {
  single: { commands: 2000, warmup: 50 },
  concurrent: { clients: 100, commands: 100, warmup: 5, paced: 30, thinkMs: [100, 300] },
  idle: { idle: 950, active: 50, commands: 60, warmup: 5 },
  world: { rooms: 10_000, commands: 200 },
};
export const QUICK: Sizes = {
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

export interface Context {
  opts: BenchOptions;
  sizes: Sizes;
  tmp: string;
  seeds: Partial<Record<'idle' | 'world', string>>;
  seedInfo: Record<string, unknown>;
}

/** The server's counters read just before and just after the measured run. */
interface ServerCounters {
  /** CPU ms of the server and its children (under the portal: the portal and the game). */
  treeCpuMs: number;
  /** CPU ms of the process we started alone (under the portal: the portal's part). */
  ownCpuMs: number;
  gameThreadCpuMs: number;
  io: ReturnType<typeof ioOf>;
}
const NO_COUNTERS: ServerCounters = { treeCpuMs: 0, ownCpuMs: 0, gameThreadCpuMs: 0, io: { syscw: 0, wchar: 0, syscr: 0 } };

function countersOf(pid: number, gamePid: number): ServerCounters {
  return { treeCpuMs: treeCpuMsOf(pid), ownCpuMs: cpuMsOf(pid), gameThreadCpuMs: mainThreadCpuMsOf(gamePid), io: ioOf(pid) };
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
  let before = NO_COUNTERS;
  let after = NO_COUNTERS;
  let windowUs: [number, number] = [0, 0];
  try {
    const rssStartKb = await settledRssKb(server.pid, 3, 100);
    // Under the portal the game is its child: CPU counts both processes, the game thread is the child's.
    const gamePid = gamePidOf(server.pid);
    const measure = async (args: RunArgs): Promise<RunResult> => {
      before = countersOf(server.pid, gamePid);
      const from = monotonicUs();
      const r = await load.run(args);
      windowUs = [from, monotonicUs()];
      after = countersOf(server.pid, gamePid);
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
      serverCpuUsPerCmd: Math.round(((after.treeCpuMs - before.treeCpuMs) * 1000) / Math.max(1, result!.completed)),
      ...(gamePid !== server.pid ? { portalCpuUsPerCmd: Math.round(((after.ownCpuMs - before.ownCpuMs) * 1000) / Math.max(1, result!.completed)) } : {}),
      gameThreadCpuUsPerCmd: Math.round(((after.gameThreadCpuMs - before.gameThreadCpuMs) * 1000) / Math.max(1, result!.completed)),
      serverWritesPerCmd: Math.round(((after.io.syscw - before.io.syscw) / Math.max(1, result!.completed)) * 10) / 10,
      serverBytesPerCmd: Math.round((after.io.wchar - before.io.wchar) / Math.max(1, result!.completed)),
      clientBytesPerCmd: Math.round(result!.bytesIn / Math.max(1, result!.completed)),
      windowUs,
      stopMs: Math.round(stop.stopMs),
      exitCode: stop.code,
      commandsSent,
    };
    if (server.stderr().trim()) record.serverStderr = server.stderr().slice(0, 2000);
    if (isAudited(mode)) Object.assign(record, checkAuditSinks(env.MUD_LOG_DIR, env.MUD_DATA_DIR, commandsSent, stop.code));
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
