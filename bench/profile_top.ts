/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time
 * and the most inclusive time. CLI: `npx tsx bench/profile_top.ts <file.cpuprofile> [N]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/support/server_process.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  fn: string;
  where: string;
  ms: number;
  /** Percent of the busy (non-idle) time. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  self: ProfileRow[];
  inclusive: ProfileRow[];
}

const IDLE = new Set(['(idle)', '(root)']);

function keyOf(node: ProfileNode): { fn: string; where: string } {
  const { functionName, url, lineNumber } = node.callFrame;
  let where = url;
  if (where.startsWith('file://')) where = where.slice('file://'.length);
  if (where.startsWith(ROOT)) where = path.relative(ROOT, where);
  where = where.replace(/^.*node_modules\//, 'node_modules/');
  return { fn: functionName || '(anonymous)', where: where ? `${where}:${lineNumber + 1}` : '' };
}

/**
 * `window` ([from, to] in CLOCK_MONOTONIC microseconds, see proc.ts monotonicUs) keeps only the
 * samples taken then, e.g. the measured run without the start-up's module loading.
 */
export function summarizeProfile(file: string, top = 15, window?: [number, number]): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  let totalUs = 0;
  let idleUs = 0;
  const selfByKey = new Map<string, { fn: string; where: string; us: number }>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    totalUs += us;
    const k = keyOf(node);
    if (IDLE.has(k.fn)) {
      idleUs += us;
      continue;
    }
    const id = `${k.fn} ${k.where}`;
    const row = selfByKey.get(id) ?? { ...k, us: 0 };
    row.us += us;
    selfByKey.set(id, row);
  }
  // Inclusive: each node's subtree, counted once per function on a stack (recursion-safe).
  const inclusiveByKey = new Map<string, { fn: string; where: string; us: number }>();
  const subtree = new Map<number, number>();
  const total = (node: ProfileNode): number => {
    let us = selfUs.get(node.id) ?? 0;
    for (const c of node.children ?? []) us += total(byId.get(c)!);
    subtree.set(node.id, us);
    return us;
  };
  const root = profile.nodes[0]!;
  total(root);
  const onStack = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    const k = keyOf(node);
    const id = `${k.fn} ${k.where}`;
    const depth = onStack.get(id) ?? 0;
    if (depth === 0 && !IDLE.has(k.fn) && !k.fn.startsWith('(')) {
      const row = inclusiveByKey.get(id) ?? { ...k, us: 0 };
      row.us += subtree.get(node.id) ?? 0;
      inclusiveByKey.set(id, row);
    }
    onStack.set(id, depth + 1);
    for (const c of node.children ?? []) walk(byId.get(c)!);
    onStack.set(id, depth);
  };
  walk(root);
  const busyUs = Math.max(1, totalUs - idleUs);
  const rows = (m: Map<string, { fn: string; where: string; us: number }>) =>
    [...m.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((r) => ({ fn: r.fn, where: r.where, ms: Math.round(r.us / 100) / 10, pct: Math.round((r.us / busyUs) * 1000) / 10 }));
  return {
    file,
    totalMs: Math.round(totalUs / 1000),
    busyMs: Math.round(busyUs / 1000),
    self: rows(selfByKey),
    inclusive: rows(inclusiveByKey),
  };
}

export function formatProfile(summary: ProfileSummary, label: string): string {
  const line = (r: ProfileRow) => `  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.fn}  ${r.where}`;
  return [
    `${label}: ${summary.busyMs} ms busy of ${summary.totalMs} ms sampled`,
    ' top self time:',
    ...summary.self.map(line),
    ' top inclusive time:',
    ...summary.inclusive.map(line),
  ].join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npx tsx bench/profile_top.ts <file.cpuprofile> [N]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, Number(process.argv[3] ?? 20)), path.basename(file))}\n`);
}
