/**
 * The game thread's handle on the audit worker: it starts the thread, forwards the server's own
 * log lines to it (one message per event-loop turn, not one per line), wakes it after each
 * commit, and turns its replies into promises. If the thread dies, it is started again (with a
 * backoff): the outbox still holds everything it had not delivered.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LOG_SPECS, type GameLogger, type GameLogs, type LoggerName, type LogLevel } from '../../logging/index.ts';
import type { FromWorker, LogEntry, ProofOutcome, PruneOutcome, SinkProgress, ToWorker, WorkerSetup } from './protocol.ts';

const ENTRY = new URL(`./main${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url).href;
const BOOT = new URL('./boot.mjs', import.meta.url);

type Request = { t: 'flush'; seq: number } | { t: 'prune'; days: number; now: number } | { t: 'proof'; seq: number } | { t: 'close'; seq: number };

export class AuditWorkerClient {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Extract<FromWorker, { t: 'done' }>) => void>();
  private lines: LogEntry[] = [];
  private linesScheduled = false;
  private closed = false;
  private restarts: number[] = [];
  /** The newest progress the worker reported, per sink. */
  progress: SinkProgress[] = [];
  /** The server's own log lines, written by the worker. */
  readonly logs: GameLogs;
  /** A prune the worker ran on its own schedule (retention, the size bound) removed something. */
  onPruned: ((outcome: PruneOutcome) => void) | null = null;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly onProgress: (sinks: SinkProgress[]) => void,
    /** The newest committed seq, for a restarted worker. */
    private readonly lastSeq: () => number,
  ) {
    this.worker = this.spawn(setup);
    this.logs = this.logsFacade();
  }

  wake(seq: number): void {
    this.post({ t: 'wake', seq });
  }

  drop(keep: number): void {
    this.post({ t: 'drop', keep });
  }

  /** Resolves once every sink holds `seq` (or is failing) and the log files have every line so far. */
  async flush(seq: number): Promise<void> {
    await this.request({ t: 'flush', seq });
  }

  async prune(days: number, now: Date): Promise<PruneOutcome | undefined> {
    return (await this.request({ t: 'prune', days, now: now.getTime() })).prune;
  }

  /** An inclusion proof of `seq` against a fresh checkpoint, made on the worker (it reads the trail). */
  async proof(seq: number): Promise<ProofOutcome> {
    return (await this.request({ t: 'proof', seq })).proof ?? { ok: false, error: 'The audit worker is not running.' };
  }

  /** Delivers everything up to `seq`, closes every sink and log file, and ends the thread. */
  async close(seq: number): Promise<void> {
    if (this.closed) return;
    this.flushLines();
    const reply = this.request({ t: 'close', seq });
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await reply;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.worker.terminate();
  }

  private spawn(setup: WorkerSetup): Worker {
    // A small young generation: the worker's garbage is short-lived batches, and a big nursery
    // only adds resident memory to the process.
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, setup }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.on('message', (message: FromWorker) => this.received(message));
    worker.on('error', (error) => {
      process.stderr.write(`[audit worker] ${error.stack ?? error.message}\n`);
    });
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.restart(code);
    });
    return worker;
  }

  private restart(code: number): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 60_000);
    this.restarts.push(now);
    if (this.restarts.length > 5) {
      process.stderr.write(`[audit worker] exited (code ${code}) 6 times within a minute; not restarted. The outbox keeps the events until the server restarts.\n`);
      return;
    }
    const delay = 200 * 2 ** (this.restarts.length - 1);
    setTimeout(() => {
      if (this.closed) return;
      this.worker = this.spawn({ ...this.setup, lastSeq: this.lastSeq() });
      this.logs.get('mud.server').error(`The audit worker stopped (exit code ${code}) and was started again; its sinks resume from their cursors`);
      // Requests the dead thread never answered are answered now, so no caller hangs.
      for (const [id, resolve] of this.pending) resolve({ t: 'done', id, sinks: this.progress });
      this.pending.clear();
    }, delay).unref();
  }

  private received(message: FromWorker): void {
    if (message.t === 'fatal') {
      process.stderr.write(`[audit worker] ${message.message}\n`);
      return;
    }
    if (message.t === 'pruned') {
      this.onPruned?.(message.outcome);
      return;
    }
    this.progress = message.sinks;
    this.onProgress(message.sinks);
    if (message.t === 'done') {
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    }
  }

  private request(body: Request): Promise<Extract<FromWorker, { t: 'done' }>> {
    if (this.closed) return Promise.resolve({ t: 'done', id: 0, sinks: this.progress });
    this.flushLines();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post({ ...body, id } as ToWorker);
    });
  }

  private post(message: ToWorker): void {
    if (!this.closed) this.worker.postMessage(message);
  }

  private flushLines(): void {
    if (!this.lines.length) return;
    const lines = this.lines;
    this.lines = [];
    this.post({ t: 'log', lines });
  }

  private logsFacade(): GameLogs {
    const line = (name: LoggerName, level: LogLevel) => (message: string, at?: number) => {
      if (this.closed) return;
      this.lines.push([name, level, message, at ?? Date.now()]);
      if (!this.linesScheduled) {
        this.linesScheduled = true;
        setImmediate(() => {
          this.linesScheduled = false;
          this.flushLines();
        });
      }
    };
    const loggers = new Map<LoggerName, GameLogger>();
    const dir = path.resolve(this.setup.logs.dir);
    return {
      get: (name) => {
        let logger = loggers.get(name);
        if (!logger) loggers.set(name, (logger = { info: line(name, 'info'), warn: line(name, 'warn'), error: line(name, 'error') }));
        return logger;
      },
      fileOf: (name) => path.join(dir, LOG_SPECS[name].file),
      flush: () => this.flush(this.lastSeq()),
      failing: () => [],
      // The worker closes the files when the trail closes (close() above).
      close: async () => {},
    };
  }
}
