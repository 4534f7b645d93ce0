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
 *
 * Where things are: the command line in bench/options.ts, the modes in bench/modes.ts, one run
 * of a workload in bench/workloads.ts, the seeded data dirs in bench/seed_process.ts, the audit
 * and error checks in bench/completeness.ts, the table, aim lines and JSON in bench/report.ts,
 * the sections in bench/sections.ts. This file runs them in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../test/support/temp_dir.ts';
import { completenessOf, noteRun, type Completeness } from './completeness.ts';
import { isGame } from './modes.ts';
import { parseArgs, type BenchOptions } from './options.ts';
import { formatProfile, summarizeProfile } from './profile_top.ts';
import { aims, buildTable, formatSummary, writeResults } from './report.ts';
import { ALL_SECTIONS, runSection, type SectionResult } from './sections.ts';
import { prepareSeeds } from './seed_process.ts';
import { ALL_WORKLOADS, FULL, QUICK, runOne, type Context, type RunRecord } from './workloads.ts';

// test/fault/bench_smoke.test.ts drives the bench through its entry.
export { parseArgs };

export interface BenchResult {
  ok: boolean;
  table: string;
  records: RunRecord[];
  completeness: Completeness;
  outFile: string;
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
  const completeness = completenessOf([...measured, ...sections.flatMap((s) => s.records)], failures);
  const aimLines = aims(measured);
  opts.log(formatSummary(table, aimLines, sections, completeness, (performance.now() - t0) / 1000));
  const ok = failures.length === 0 && completeness.complete === completeness.runs;
  writeResults(opts.outFile, { ok, quick: opts.quick, sizes, seed: ctx.seedInfo, table, aims: aimLines, sections, completeness, records });
  return { ok, table, records, completeness, outFile: opts.outFile };
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
