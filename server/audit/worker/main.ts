/**
 * The audit worker thread: it owns every log file and every audit sink, so the game thread
 * does no hashing, no log formatting and no file I/O for the trail. It reads the outbox the game
 * commits to (its own read-only SQLite connection; WAL lets it read beside the writer) and
 * delivers each event to each sink exactly once (server/audit/worker/delivery.ts).
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openLogs } from '../../logging/index.ts';
import { OutboxReader } from '../../store/audit_outbox.ts';
import { escapeForLog } from '../../text.ts';
import { auditDirOf } from '../jsonl_files.ts';
import { pruneTrailFiles, retentionCutoff, sizeCutoff } from '../retention.ts';
import { GENESIS_HASH } from '../canonical.ts';
import { JsonlSink } from '../sinks/jsonl.ts';
import { postgresSink } from '../sinks/postgres.ts';
import type { DeliverySink, SinkReporter } from '../sinks/sink.ts';
import { TableSink } from '../sinks/table.ts';
import { TextLogsSink } from '../sinks/text_logs.ts';
import { Delivery } from './delivery.ts';
import { inclusionProof, ProofError } from '../merkle/proofs.ts';
import { checkpointDirOf, latestCheckpoint } from '../merkle/checkpoint.ts';
import type { FromWorker, ProofOutcome, PruneOutcome, ToWorker, WorkerSetup } from './protocol.ts';

const setup = (workerData as { setup: WorkerSetup }).setup;
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

const logs = openLogs(setup.logs, {
  // Check that a log file is still ours (not moved or deleted) once a second, not before
  // every batch: the stat per batch was a measurable cost per command.
  watchMs: 1000,
  // A log file that cannot be written must not stop the game: say so where it can be seen.
  onError: (error) => {
    process.stderr.write(`[logging] ${error.message}\n`);
    if (!error.file.endsWith('server.log')) server.error(`Log trouble: ${escapeForLog(error.message)}`);
  },
  onRecover: (info) => server.info(`Log file ${escapeForLog(info.file)} is writable again`),
});
const server = logs.get('mud.server');
const report: SinkReporter = { info: (m) => server.info(m), warn: (m) => server.warn(m), error: (m) => server.error(m) };

const sinks: DeliverySink[] = [];
if (setup.sinks.text) sinks.push(new TextLogsSink({ logs, dir: path.resolve(setup.logs.dir), fileMode: setup.logs.fileMode, enabled: setup.logs.enabled, report }));
if (setup.sinks.jsonl) {
  sinks.push(
    new JsonlSink({
      logDir: setup.logs.dir,
      maxBytes: setup.jsonlMaxBytes,
      fileMode: setup.logs.fileMode,
      dirMode: setup.logs.dirMode,
      report,
      checkpoints: setup.checkpoints,
    }),
  );
}
if (setup.sinks.table) sinks.push(new TableSink(setup.auditDb));
if (setup.sinks.pg) {
  const jsonl = sinks.find((s): s is JsonlSink => s instanceof JsonlSink);
  sinks.push(
    postgresSink({
      url: setup.sinks.pg.url,
      serverId: setup.sinks.pg.serverId,
      report,
      // A new PostgreSQL trail continues the JSONL chain's hashes where the two meet.
      seedPrevHash: (firstSeq) => (jsonl && jsonl.head.seq === firstSeq - 1 ? jsonl.head.hash : GENESIS_HASH),
    }),
  );
}

const outbox = sinks.length ? new OutboxReader(Database, setup.gameDb) : null;
let progressTimer: NodeJS.Timeout | null = null;
let closing = false;
const delivery = outbox
  ? new Delivery(outbox, sinks, setup.lastSeq, setup.batchSize, report, () => {
      // At most every 100 ms: the game thread only needs it for lag, stats and outbox cleanup.
      if (closing) return;
      progressTimer ??= setTimeout(() => {
        progressTimer = null;
        send({ t: 'progress', sinks: delivery!.progress() });
      }, 100);
    })
  : null;
// The text sink recognises what a crashed run already wrote before anything else is logged.
delivery?.start();

async function prune(days: number, now: Date, why: PruneOutcome['why']): Promise<PruneOutcome> {
  if (days <= 0) return { cutoff: now.toISOString(), days, rows: 0, files: [], fromSeq: null, toSeq: null, checkpoint: null, why };
  return pruneBefore(retentionCutoff(days, now), days, why, `${days} days`);
}

/** MUD_AUDIT_MAX_BYTES: the oldest whole days go from every sink once the files outgrow it. */
async function pruneBySize(now: Date): Promise<PruneOutcome | null> {
  if (!setup.sinks.jsonl) return null;
  const cutoff = sizeCutoff(auditDirOf(setup.logs.dir), setup.maxBytes, now);
  return cutoff ? pruneBefore(cutoff, setup.retentionDays, 'size', `size over MUD_AUDIT_MAX_BYTES=${setup.maxBytes}`) : null;
}

async function pruneBefore(cutoff: string, days: number, why: PruneOutcome['why'], because: string): Promise<PruneOutcome> {
  const outcome: PruneOutcome = { cutoff, days, rows: 0, files: [], fromSeq: null, toSeq: null, checkpoint: null, why };
  if (!delivery) return outcome;
  // A checkpoint of the whole trail before anything goes, rows included (a no-op when the tree
  // has not grown since the last); retention.ts then moves the pruned base over removed files.
  const jsonl = sinks.find((s): s is JsonlSink => s instanceof JsonlSink);
  await jsonl?.beforePrune();
  outcome.rows = await delivery.prune(cutoff);
  if (setup.sinks.jsonl) {
    const dir = auditDirOf(setup.logs.dir);
    Object.assign(outcome, await pruneTrailFiles(dir, cutoff, async () => jsonl?.beforePrune()));
    const newest = outcome.checkpoint ? null : latestCheckpoint(checkpointDirOf(dir));
    if (newest?.file) outcome.checkpoint = { file: newest.file, size: newest.size };
  }
  if (outcome.rows || outcome.files.length) {
    server.info(`Audit retention (${because}): pruned ${outcome.rows} event(s) before ${cutoff} and ${outcome.files.length} rotated file(s)`);
  }
  return outcome;
}

/** What a scheduled prune removed goes to the game, which records it as an audit event. */
const reportPruned = (outcome: PruneOutcome | null) => {
  if (outcome && (outcome.rows || outcome.files.length)) send({ t: 'pruned', outcome });
};

let pruneTimer: NodeJS.Timeout | null = null;
if ((setup.retentionDays > 0 || setup.maxBytes > 0) && delivery) {
  const every = setup.pruneIntervalMinutes * 60_000;
  const scheduled = () => {
    prune(setup.retentionDays, new Date(), 'retention')
      .then(reportPruned)
      .then(() => pruneBySize(new Date()))
      .then(reportPruned)
      .catch((error: unknown) => server.error(`Audit retention failed: ${(error as Error).message}`))
      .finally(() => {
        pruneTimer = setTimeout(scheduled, every);
        pruneTimer.unref();
      });
  };
  // First run soon after start (not during it), then on the interval.
  pruneTimer = setTimeout(scheduled, Math.min(every, 60_000));
  pruneTimer.unref();
}

/** An inclusion proof of `seq` against a checkpoint signed now (if the tree grew since the last). */
async function proof(seq: number): Promise<ProofOutcome> {
  const jsonl = sinks.find((s): s is JsonlSink => s instanceof JsonlSink);
  if (!jsonl?.notary) return { ok: false, error: 'The audit trail has no checkpoints on this server (MUD_AUDIT_JSONL or MUD_AUDIT_CHECKPOINTS is off).' };
  try {
    await delivery?.delivered(seq, 5_000);
    await jsonl.notary.checkpoint('proof');
    return { ok: true, answer: await inclusionProof(jsonl.dir, seq) };
  } catch (error) {
    if (error instanceof ProofError) return { ok: false, error: error.message };
    server.error(`Audit proof of seq ${seq} failed: ${(error as Error).message}`);
    return { ok: false, error: `The proof could not be made: ${(error as Error).message}` };
  }
}

const done = (id: number, extra: { prune?: PruneOutcome; proof?: ProofOutcome } = {}) => send({ t: 'done', id, sinks: delivery?.progress() ?? [], ...extra });

port.on('message', (message: ToWorker) => {
  switch (message.t) {
    case 'wake':
      delivery?.wake(message.seq);
      return;
    case 'log':
      for (const [name, level, text, at] of message.lines) logs.get(name)[level](text, at);
      return;
    case 'drop':
      delivery?.drop(message.keep);
      return;
    case 'flush':
      void (async () => {
        await delivery?.delivered(message.seq);
        await logs.flush();
        done(message.id);
      })();
      return;
    case 'proof':
      void proof(message.seq).then((outcome) => done(message.id, { proof: outcome }));
      return;
    case 'prune':
      void prune(message.days, new Date(message.now), 'request').then(
        (outcome) => done(message.id, { prune: outcome }),
        (error: unknown) => {
          server.error(`Audit retention failed: ${(error as Error).message}`);
          done(message.id);
        },
      );
      return;
    case 'close':
      void (async () => {
        if (pruneTimer) clearTimeout(pruneTimer);
        // Graceful stop: every sink that can write gets everything, then the files close.
        await delivery?.delivered(message.seq, 30_000);
        await delivery?.stop();
        closing = true;
        if (progressTimer) clearTimeout(progressTimer);
        const progress = delivery?.progress() ?? [];
        outbox?.close();
        await logs.close();
        send({ t: 'done', id: message.id, sinks: progress });
        port.close();
      })();
      return;
  }
});

