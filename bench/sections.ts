/**
 * The bench's sections: comparisons of their own, each run alone with `--only=<section>` (and in
 * a full `npm run bench`), each measured side by side in one run, interleaved, order flipped
 * every repetition, because the machine's cores are shared.
 *
 *   checkpoints  issue 18: the real audit worker's events/s and CPU per event with the Merkle
 *                tree and signatures on vs off (bench/worker_rate.ts; the JSONL sink alone too,
 *                bench/jsonl_sink.ts), and the game thread's CPU per command of the audited server
 *                with checkpoints on vs off (MUD_AUDIT_CHECKPOINTS=off, the `nocp` mode)
 *   portal       issue 14: `npm start`'s portal+game against the single-process server, both
 *                audited: the concurrent workload's throughput and server CPU per command (both
 *                processes), and 500 connected / 50 active through the portal (failures, throughput)
 *   reload       issue 14: the reload time (the control socket, as `npm run reload` asks) with
 *                1,000 players logged in through the portal, and that all of them are still there
 */
import path from 'node:path';
import { askServer } from '../server/portal/control.ts';
import { LOOPBACK } from '../server/net/address.ts';
import { serverEnv, spawnServer } from '../test/support/server_process.ts';
import { formatSinkRates, jsonlSinkRates } from './jsonl_sink.ts';
import { LoadProcess } from './load_process.ts';
import { median, stopServer } from './proc.ts';
import { noteRun, sinkCommandCounts } from './completeness.ts';
import { fmt, mark, ratio } from './format.ts';
import type { Mode } from './modes.ts';
import { copyDir } from './seed_process.ts';
import { assertConnected, names, runOne, type Context, type RunRecord, type WorkloadId } from './workloads.ts';
import { BENCH_SCRYPT_N, PASSWORD } from './seed.ts';
import { formatWorkerRates, workerRates } from './worker_rate.ts';

export type SectionId = 'checkpoints' | 'portal' | 'reload';
export const ALL_SECTIONS: SectionId[] = ['checkpoints', 'portal', 'reload'];

export interface SectionResult {
  id: SectionId;
  /** What it prints: a small table and its aim lines. */
  lines: string[];
  /** The server runs it made (their audit completeness counts with the main table's). */
  records: RunRecord[];
  failures: string[];
  /** The figures, for bench/results/latest.json. */
  figures: Record<string, unknown>;
}


/** Runs `workload` in both modes `reps` times, interleaved, the order flipped every other repetition. */
async function sideBySide(ctx: Context, id: SectionId, workload: WorkloadId, modes: [Mode, Mode], out: SectionResult, sizes = ctx.sizes): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const mode of rep % 2 ? [...modes].reverse() : modes) {
      const record = await runOne({ ...ctx, sizes }, workload, mode, rep, { tag: `${id}-` });
      records.push(record);
      out.failures.push(...noteRun(record, ctx.opts.log, `${id}:`));
    }
  }
  out.records.push(...records);
  return records;
}

interface Metric {
  label: string;
  get: (r: RunRecord) => number | undefined;
  digits?: number;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/**
 * A table of medians, one column per mode, and the ratio as the median of the ratios of the two
 * runs of each repetition (run one after the other): on a machine whose speed drifts that holds
 * better than a ratio of medians.
 */
function compare(title: string, records: RunRecord[], modes: [Mode, Mode], heads: [string, string], metrics: Metric[]) {
  const value = (mode: Mode, m: Metric) => {
    const v = records.filter((r) => r.mode === mode).map(m.get).filter(finite);
    return v.length ? median(v) : undefined;
  };
  const pairRatio = (m: Metric) => {
    const reps = [...new Set(records.map((r) => r.rep))];
    const ratios = reps
      .map((rep) => modes.map((mode) => m.get(records.find((r) => r.rep === rep && r.mode === mode)!)))
      .filter(([a, b]) => finite(a) && finite(b) && b !== 0)
      .map(([a, b]) => a! / b!);
    return ratios.length ? median(ratios) : undefined;
  };
  const lines = [`${title.padEnd(52)}${heads[0].padStart(12)}${heads[1].padStart(12)}${'ratio'.padStart(8)}`];
  for (const m of metrics) {
    const ratio = pairRatio(m);
    lines.push(`  ${m.label.padEnd(50)}${fmt(value(modes[0], m), m.digits).padStart(12)}${fmt(value(modes[1], m), m.digits).padStart(12)}${(ratio === undefined ? '-' : `${(ratio * 100).toFixed(0)}%`).padStart(8)}`);
  }
  lines.push(`  (medians of ${new Set(records.map((r) => r.rep)).size} runs each; ratio: the median of each repetition's ${heads[0]}/${heads[1]})`);
  return { lines, value, pairRatio };
}

const THROUGHPUT: Metric = { label: 'cmds/s', get: (r) => r.run.perSecond };
const SERVER_CPU: Metric = { label: 'server CPU us/cmd (every process of the server)', get: (r) => r.serverCpuUsPerCmd };
const PORTAL_CPU: Metric = { label: '  of which the portal process (telnet, link frames)', get: (r) => r.portalCpuUsPerCmd };
const GAME_CPU: Metric = { label: 'game thread CPU us/cmd', get: (r) => r.gameThreadCpuUsPerCmd };
const OTHER_CPU: Metric = { label: 'other threads CPU us/cmd (audit worker, GC, libuv)', get: (r) => r.serverCpuUsPerCmd - r.gameThreadCpuUsPerCmd };
const P99: Metric = { label: 'latency p99 ms', get: (r) => r.run.latencyMs.p99, digits: 2 };
const ERRORS: Metric = { label: 'failed commands (errors + wrong rooms)', get: (r) => r.run.errors + r.run.wrongRoom };

async function checkpoints(ctx: Context, out: SectionResult): Promise<void> {
  const { reps, quick } = ctx.opts;
  const n = quick ? 10_000 : 50_000;
  const modes: [Mode, Mode] = ['audited', 'nocp'];
  const records = await sideBySide(ctx, 'checkpoints', 'concurrent', modes, out);
  const c = ctx.sizes.concurrent;
  const table = compare(`checkpoints (issue 18): ${c.clients} clients, median of ${reps}`, records, modes, ['cp on', 'cp off'], [THROUGHPUT, GAME_CPU, OTHER_CPU, SERVER_CPU, P99]);
  const [on, off] = [table.value('audited', GAME_CPU), table.value('nocp', GAME_CPU)];
  const gameRatio = table.pairRatio(GAME_CPU);
  const workers = await workerRates(n, Math.max(reps, quick ? 1 : 3));
  const sink = await jsonlSinkRates(n, Math.max(reps, quick ? 1 : 2));
  out.lines.push(
    ...table.lines,
    `${mark(gameRatio !== undefined && gameRatio <= 1.1)} the game thread's CPU per command with checkpoints on within 10% of off: ${fmt(on)} vs ${fmt(off)} us (${ratio(gameRatio, 1)})`,
    formatWorkerRates(workers, n, Math.max(reps, quick ? 1 : 3)),
    formatSinkRates(sink),
  );
  out.figures = { gameThreadUsPerCmd: { on, off, ratio: gameRatio }, worker: workers, jsonlSink: sink };
}

/** 500 connected, 50 of them active (the quick run: 50 / 10). */
const PORTAL_IDLE = { full: { idle: 450, active: 50, commands: 60, warmup: 5 }, quick: { idle: 40, active: 10, commands: 10, warmup: 2 } };

async function portal(ctx: Context, out: SectionResult): Promise<void> {
  const { reps } = ctx.opts;
  const modes: [Mode, Mode] = ['portal', 'audited'];
  const busy = await sideBySide(ctx, 'portal', 'concurrent', modes, out);
  const c = ctx.sizes.concurrent;
  const heads: [string, string] = ['portal+game', 'single'];
  const table = compare(`portal (issue 14): ${c.clients} clients flat out, median of ${reps}`, busy, modes, heads, [THROUGHPUT, SERVER_CPU, PORTAL_CPU, GAME_CPU, P99]);
  const idleSizes = ctx.opts.quick ? PORTAL_IDLE.quick : PORTAL_IDLE.full;
  const crowd = await sideBySide(ctx, 'portal', 'idle', modes, out, { ...ctx.sizes, idle: idleSizes });
  const idleTable = compare(`portal: ${idleSizes.idle + idleSizes.active} connected, ${idleSizes.active} active, median of ${reps}`, crowd, modes, heads, [THROUGHPUT, SERVER_CPU, P99, ERRORS]);
  const [tp, ts, tRatio] = [table.value('portal', THROUGHPUT), table.value('audited', THROUGHPUT), table.pairRatio(THROUGHPUT)];
  const [cp, cs, cRatio] = [table.value('portal', SERVER_CPU), table.value('audited', SERVER_CPU), table.pairRatio(SERVER_CPU)];
  const failed = crowd.filter((r) => r.mode === 'portal').reduce((sum, r) => sum + r.run.errors + r.run.wrongRoom, 0);
  const crowdRate = idleTable.value('portal', THROUGHPUT);
  out.lines.push(
    ...table.lines,
    ...idleTable.lines,
    `${mark(tRatio !== undefined && tRatio >= 0.9)} the portal link keeps >= 90% of single-process throughput: ${ratio(tRatio, 1)} (server CPU per command ${fmt(cp)} vs ${fmt(cs)} us, ${ratio(cRatio, 1)})`,
    `${mark(failed === 0)} ${idleSizes.idle + idleSizes.active} connected / ${idleSizes.active} active through the portal with no failure: ${failed} failed commands in ${reps} run(s), ${fmt(crowdRate)} cmds/s`,
  );
  out.figures = { concurrent: { portal: tp, single: ts, ratio: tRatio, cpuPortal: cp, cpuSingle: cs, cpuRatio: cRatio }, crowd: { failed, perSecond: crowdRate, single: idleTable.value('audited', THROUGHPUT) } };
}

/** Players logged in (the seeded idle crowd and the active ones) and reloads of one server. */
const RELOAD = { full: { active: 50, reloads: 3 }, quick: { active: 10, reloads: 2 } };

async function reload(ctx: Context, out: SectionResult): Promise<void> {
  const size = ctx.opts.quick ? RELOAD.quick : RELOAD.full;
  const idle = ctx.sizes.idle.idle;
  const total = idle + size.active;
  const dir = path.join(ctx.tmp, 'reload-portal');
  const env = serverEnv(dir, { MUD_WEB: 'off', MUD_RATE_EXEMPT: LOOPBACK.join(','), MUD_SCRYPT_N: String(BENCH_SCRYPT_N) });
  copyDir(ctx.seeds.idle!, env.MUD_DATA_DIR);
  const server = await spawnServer(env, { script: 'server/portal/main.ts', timeoutMs: 120_000 });
  const load = LoadProcess.start();
  const reloads: Array<{ wallMs: number; portalMs: number; pausedMs: number; playersAfter: number; openAfter: number; failedAfter: number }> = [];
  try {
    const base = { port: server.telnetPort, target: 'game', password: PASSWORD, timeoutMs: 120_000 } as const;
    assertConnected(await load.connect({ ...base, group: 'active', names: names('Active', size.active), login: 'create', concurrency: 16 }), size.active);
    assertConnected(await load.connect({ ...base, group: 'idle', names: names('Idle', idle), login: 'connect', concurrency: 32, idle: true }), idle);
    const run = (seed: number) => load.run({ group: 'active', commandsPerClient: 5, walk: 'start', seed, timeoutMs: 30_000, maxMs: 120_000 });
    await run(1);
    for (let i = 0; i < size.reloads; i++) {
      const t0 = performance.now();
      const answer = (await askServer(env.MUD_DATA_DIR, { cmd: 'reload' }, 300_000)) as { ok?: boolean; ms?: number; pausedMs?: number; error?: string };
      const wallMs = performance.now() - t0;
      if (!answer.ok) throw new Error(`reload ${i + 1} failed: ${answer.error}`);
      // Every player still there, and the active ones still playing.
      const after = await run(100 + i);
      const status = (await askServer(env.MUD_DATA_DIR, { cmd: 'status' })) as { players: number };
      const { open } = await load.stats();
      reloads.push({ wallMs: Math.round(wallMs), portalMs: answer.ms ?? NaN, pausedMs: answer.pausedMs ?? NaN, playersAfter: status.players, openAfter: open, failedAfter: after.errors + after.wrongRoom });
      ctx.opts.log(`  reload     portal    ${i + 1}: ${Math.round(wallMs)} ms (portal: ${answer.ms} ms, commands waited ${answer.pausedMs} ms), ${status.players} players logged in, ${open} connections open after`);
    }
  } catch (error) {
    server.child.kill('SIGKILL');
    await load.close();
    throw error;
  }
  // Across the reloads no command was lost or run twice: each has exactly one event in every sink.
  const { commandsSent } = await load.stats();
  const stop = await stopServer(server);
  await load.close();
  if (stop.code !== 0) out.failures.push(`reload: the portal exited ${stop.code}`);
  const sinks = sinkCommandCounts(env.MUD_LOG_DIR, env.MUD_DATA_DIR);
  const complete = Object.values(sinks).every((n) => n === commandsSent);
  if (!complete) out.failures.push(`reload: ${JSON.stringify(sinks)} command events for ${commandsSent} commands sent`);
  const lost = reloads.filter((r) => r.playersAfter !== total || r.openAfter !== total || r.failedAfter > 0);
  if (lost.length) out.failures.push(`reload: players lost or commands failed after a reload: ${JSON.stringify(lost)}`);
  const m = (f: (r: (typeof reloads)[number]) => number) => median(reloads.map(f));
  out.lines.push(
    `reload (issue 14): ${total} players logged in through the portal, ${reloads.length} reloads of one server (control socket, as npm run reload asks)`,
    `  reload, median ms (asked to answered)                 ${fmt(m((r) => r.wallMs)).padStart(10)}`,
    `  reload, as the portal times it, median ms             ${fmt(m((r) => r.portalMs)).padStart(10)}`,
    `  commands waited in the portal, median ms              ${fmt(m((r) => r.pausedMs)).padStart(10)}`,
    `${mark(!lost.length)} all ${total} players still logged in after every reload, and the active ones' commands answered: ${lost.length ? `NOT in ${lost.length} reload(s)` : 'yes'}`,
    `${mark(complete)} every command across the reloads has exactly one event in every sink: ${commandsSent} sent; text log ${sinks.auditCmdLines}, JSONL ${sinks.jsonlCommands}, table ${sinks.tableCommands}`,
  );
  out.figures = { players: total, reloads, commandsSent, sinks };
}

const SECTIONS: Record<SectionId, (ctx: Context, out: SectionResult) => Promise<void>> = { checkpoints, portal, reload };

export async function runSection(id: SectionId, ctx: Context): Promise<SectionResult> {
  const out: SectionResult = { id, lines: [], records: [], failures: [], figures: {} };
  ctx.opts.log(`section ${id}:`);
  await SECTIONS[id](ctx, out);
  return out;
}
