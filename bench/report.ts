/**
 * What the bench prints and writes at the end: the main table (a column per mode, the medians of
 * the repetitions, the ratios against the unaudited game and the two baselines), the aim lines
 * under it that say `met` or `MISSED` for each target, the summary around the sections' own
 * lines, and bench/results/latest.json. Apart from the runs so that the format that README
 * "Performance" quotes and test/fault/bench_smoke.test.ts matches has one home.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCompleteness, type Completeness } from './completeness.ts';
import { fmt, mark, ratio } from './format.ts';
import { ALL_MODES, type Mode } from './modes.ts';
import { median } from './proc.ts';
import type { SectionResult } from './sections.ts';
import type { RunRecord, Sizes, WorkloadId } from './workloads.ts';


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

export function aims(records: RunRecord[]): string[] {
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

/** The lines after the runs: the table, its aims, each section's lines, completeness, the time taken. */
export function formatSummary(table: string, aimLines: string[], sections: readonly SectionResult[], completeness: Completeness, seconds: number): string {
  return [
    '',
    table,
    '',
    ...aimLines,
    ...sections.flatMap((s) => ['', ...s.lines]),
    formatCompleteness(completeness),
    `total ${seconds.toFixed(0)} s`,
  ].join('\n');
}

/** bench/results/latest.json (or --out): everything printed, the sizes, the machine and every run's record. */
export function writeResults(outFile: string, results: { ok: boolean; quick: boolean; sizes: Sizes; seed: Record<string, unknown>; table: string; aims: string[]; sections: readonly SectionResult[]; completeness: Completeness; records: RunRecord[] }): void {
  const { ok, quick, sizes, seed, table, aims, sections, completeness, records } = results;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        when: new Date().toISOString(),
        ok,
        quick,
        machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
        sizes,
        seed,
        table: table.split('\n'),
        aims,
        sections: sections.map(({ id, lines, figures }) => ({ id, lines, figures })),
        completeness,
        records,
      },
      null,
      2,
    )}\n`,
  );
}
