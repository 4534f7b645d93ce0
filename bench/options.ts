/**
 * `npm run bench`'s command line: which parts run (--only: the main table's workloads and the
 * sections of bench/sections.ts), which modes the main table compares (--modes), how often
 * (--reps), and what --quick leaves out unless asked for. Kept apart from the runs so that the
 * defaults a quick or full run gets can be read in one place.
 */
import path from 'node:path';
import { ROOT } from '../test/support/server_process.ts';
import { ALL_MODES, type Mode } from './modes.ts';
import { ALL_SECTIONS, type SectionId } from './sections.ts';
import { ALL_WORKLOADS, type WorkloadId } from './workloads.ts';

/** What --only takes: the workloads of the main table, and the sections of bench/sections.ts. */
export type Part = WorkloadId | SectionId;
export const ALL_PARTS: Part[] = [...ALL_WORKLOADS, ...ALL_SECTIONS];

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
