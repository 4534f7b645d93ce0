/**
 * The real audit worker's delivery rate (`npx tsx bench/worker_rate.ts [events]`, and the
 * `checkpoints` section of `npm run bench`): a game store and its AuditTrail as the server makes
 * them, `n` events committed to the outbox in one turn, then the time until the worker thread
 * has put every one into every sink (text logs, the JSONL trail with its hash chain, the audit
 * table) and, with checkpoints on, into the Merkle tree with its signed checkpoints. The game
 * thread only waits meanwhile, so the process's CPU time is the worker's (plus GC).
 */
import fs from 'node:fs';
import path from 'node:path';
import { auditEvent } from '../server/audit/events.ts';
import { AuditTrail } from '../server/audit/trail.ts';
import { defaultAuditTrailConfig, defaultConfig, type GameConfig } from '../server/config.ts';
import { ObjectStore } from '../server/store/index.ts';
import { tempDir } from '../test/support/temp_dir.ts';
import { median } from './proc.ts';

export interface WorkerRate {
  label: string;
  /** Events delivered to every sink per second of wall time (median of reps). */
  perSecond: number;
  /** Process CPU per event while the worker drained them, in microseconds (median of reps). */
  cpuUsPerEvent: number;
}

/** null: checkpoints off; else a checkpoint every that many events. */
type Variant = [label: string, checkpointEvents: number | null];

const VARIANTS: Variant[] = [
  ['checkpoints off (MUD_AUDIT_CHECKPOINTS=off)', null],
  ['Merkle tree + checkpoint every 10,000 (default)', 10_000],
  ['Merkle tree + checkpoint every 500', 500],
];

async function drain(n: number, checkpointEvents: number | null): Promise<{ perSecond: number; cpuUsPerEvent: number }> {
  const dir = tempDir('mud-bench-worker-');
  const base = defaultConfig();
  const config: GameConfig = {
    ...base,
    dataDir: path.join(dir, 'data'),
    logDir: path.join(dir, 'logs'),
    audit: { ...defaultAuditTrailConfig(), checkpoints: checkpointEvents !== null, checkpointEvents: checkpointEvents ?? 0, checkpointSeconds: 0, retentionDays: 0, maxBytes: 0 },
  };
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = new ObjectStore(path.join(config.dataDir, 'game.sqlite3'));
  const trail = new AuditTrail(config, store);
  try {
    await trail.flush(); // the worker is up, its sinks open
    const actor = { account: 'Anna', character: 'Anna', session_id: 7, protocol: 'telnet', remote_addr: '127.0.0.1' };
    let i = 0;
    const commit = (count: number) => {
      for (const end = i + count; i < end; ) {
        i++;
        const event = i % 2
          ? auditEvent('command', actor, { location: 'Courtyard', payload: { command: 'say', switches: [], args: `hello number ${i}`, character_id: 23 } })
          : auditEvent('say', actor, { location: 'Courtyard', payload: { text: `hello number ${i}`, character_id: 23 } });
        trail.sink(event);
      }
      store.commitTurn(); // wakes the worker with all of them
    };
    // A warm-up (the worker's code is JIT-compiled in its own thread), not counted.
    commit(Math.min(5000, n));
    await trail.flush();
    commit(n);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await trail.flush();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const delivered = Math.min(...trail.stats().sinks.map((s) => s.cursor));
    if (delivered < i) throw new Error(`worker delivered ${delivered} of ${i} events`);
    return { perSecond: Math.round((n / ms) * 1000), cpuUsPerEvent: Math.round(((cpu.user + cpu.system) / n) * 10) / 10 };
  } finally {
    await trail.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every variant in each repetition, the order flipped every other one; medians. */
export async function workerRates(n = 50_000, reps = 3): Promise<WorkerRate[]> {
  const seen = new Map<string, Array<{ perSecond: number; cpuUsPerEvent: number }>>();
  for (let r = 0; r < reps; r++) {
    for (const [label, every] of r % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      const got = await drain(n, every);
      seen.set(label, [...(seen.get(label) ?? []), got]);
    }
  }
  return VARIANTS.map(([label]) => {
    const runs = seen.get(label)!;
    return { label, perSecond: median(runs.map((x) => x.perSecond)), cpuUsPerEvent: median(runs.map((x) => x.cpuUsPerEvent)) };
  });
}

export function formatWorkerRates(rates: readonly WorkerRate[], n: number, reps: number): string {
  const base = rates[0]!.perSecond;
  return [
    `audit worker thread, every sink (text logs, JSONL, table): ${n.toLocaleString('en')} events, median of ${reps}     events/s   vs off   CPU us/event`,
    ...rates.map(
      (r) => `  ${r.label.padEnd(58)} ${r.perSecond.toLocaleString('en').padStart(9)} ${`${((r.perSecond / base) * 100).toFixed(0)}%`.padStart(8)} ${r.cpuUsPerEvent.toFixed(1).padStart(14)}`,
    ),
  ].join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const n = Number(process.argv[2] ?? 50_000);
  process.stdout.write(`${formatWorkerRates(await workerRates(n, 3), n, 3)}\n`);
}
