/**
 * The audit worker's JSONL sink on its own (`npx tsx bench/jsonl_sink.ts [events]`, and a
 * section of `npm run bench`): events per second through canonical JSON, the hash chain and the
 * file, bare and with the Merkle tree and signed checkpoints (issue 18) at the default interval
 * and at one checkpoint per batch (the worst case: an fdatasync and a signature every 500
 * events). This is work on the worker thread only; the game thread's cost is in the main table.
 */
import { auditEvent } from '../server/audit/events.ts';
import { JsonlSink } from '../server/audit/sinks/jsonl.ts';
import type { OutboxEvent } from '../server/audit/sinks/sink.ts';
import { tempDir } from '../test/support/temp_dir.ts';

const quiet = { info() {}, warn() {}, error() {} };

export interface SinkRate {
  label: string;
  perSecond: number;
}

async function rate(label: string, n: number, checkpointEvents: number | null): Promise<SinkRate> {
  const dir = tempDir('mud-bench-jsonl-');
  const sink = new JsonlSink({
    logDir: dir,
    maxBytes: 64 * 1024 * 1024,
    fileMode: 0o600,
    dirMode: 0o700,
    report: quiet,
    checkpoints: checkpointEvents === null ? null : { keyFile: `${dir}/key`, origin: 'bench/mud-audit', everyEvents: checkpointEvents, everySeconds: 0, command: null },
  });
  await sink.open();
  const actor = { account: 'Anna', character: 'Anna', session_id: 7, protocol: 'telnet', remote_addr: '127.0.0.1' };
  const t0 = performance.now();
  for (let seq = 1; seq <= n; seq += 500) {
    const batch: OutboxEvent[] = [];
    for (let s = seq; s < Math.min(seq + 500, n + 1); s++) {
      batch.push({ seq: s, event: auditEvent(s % 2 ? 'command' : 'say', actor, { location: 'Courtyard', payload: { command: 'say', args: `hello number ${s}` } }) });
    }
    await sink.write(batch);
  }
  await sink.close();
  return { label, perSecond: Math.round((n / (performance.now() - t0)) * 1000) };
}

/** The three variants, interleaved over `reps`, best of each (the shared machine is noisy). */
export async function jsonlSinkRates(n = 50_000, reps = 2): Promise<SinkRate[]> {
  const variants: Array<[string, number | null]> = [
    ['hash chain only (MUD_AUDIT_CHECKPOINTS=off)', null],
    ['+ Merkle tree, checkpoint every 10,000 events', 10_000],
    ['+ Merkle tree, checkpoint every 500 events', 500],
  ];
  const best = new Map<string, number>();
  for (let r = 0; r < reps; r++) {
    for (const [label, every] of variants) {
      const { perSecond } = await rate(label, n, every);
      best.set(label, Math.max(best.get(label) ?? 0, perSecond));
    }
  }
  return variants.map(([label]) => ({ label, perSecond: best.get(label)! }));
}

export function formatSinkRates(rates: readonly SinkRate[]): string {
  const base = rates[0]!.perSecond;
  return [
    'audit worker, JSONL sink alone (events/s, best of reps)',
    ...rates.map((r) => `  ${r.label.padEnd(50)} ${r.perSecond.toLocaleString('en').padStart(9)}  ${((r.perSecond / base) * 100).toFixed(0)}%`),
  ].join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  process.stdout.write(`${formatSinkRates(await jsonlSinkRates(Number(process.argv[2] ?? 50_000), 3))}\n`);
}
