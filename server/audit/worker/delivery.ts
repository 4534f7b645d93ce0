/**
 * The audit worker's delivery loop: one lane per sink, each reading the outbox after its own
 * cursor, in seq order, and writing batches. Lanes are independent: a sink that is down (a full
 * disk, PostgreSQL unreachable) falls behind and retries with a backoff while the others keep
 * up; the outbox holds its backlog meanwhile. server.log says when a sink falls behind and when
 * it has caught up.
 */
import type { OutboxReader } from '../../store/audit_outbox.ts';
import type { AuditEvent } from '../events.ts';
import type { DeliverySink, OutboxEvent, SinkReporter } from '../sinks/sink.ts';
import type { SinkProgress } from './protocol.ts';

/** A sink this far behind (events) without failing is reported as falling behind. */
const BEHIND_EVENTS = 10_000;
const MAX_BACKOFF_MS = 30_000;

class Lane {
  cursor = 0;
  /** Cursor floor after a drop (MUD_AUDIT_ON_FULL=drop): a sink re-opened must not go back. */
  floor = 0;
  opened = false;
  failing = false;
  behind = false;
  lastError: string | null = null;
  lastErrorAt: string | null = null;
  written = 0;
  dropped = 0;
  backoff = 250;
  outageSince = 0;
  constructor(readonly sink: DeliverySink) {}
}

export class Delivery {
  private readonly lanes: Lane[];
  private lastSeq: number;
  private stopped = false;
  private waiters: Array<() => void> = [];
  private running: Promise<void>[] = [];

  constructor(
    private readonly outbox: OutboxReader,
    sinks: readonly DeliverySink[],
    lastSeq: number,
    private readonly batchSize: number,
    private readonly report: SinkReporter,
    private readonly onProgress: () => void,
  ) {
    this.lanes = sinks.map((s) => new Lane(s));
    this.lastSeq = lastSeq;
  }

  start(): void {
    this.running = this.lanes.map((lane) => this.run(lane));
  }

  /** The game committed events up to `seq`. */
  wake(seq: number): void {
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.notify();
  }

  /** Resolves once every sink holds `seq`, or is failing (its backlog waits in the outbox). */
  async delivered(seq: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.wake(seq);
    const until = Date.now() + timeoutMs;
    while (!this.lanes.every((l) => l.cursor >= seq || (l.opened ? this.isFailing(l) : l.failing)) && Date.now() < until) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Drops the oldest undelivered events of every stuck (failing) sink more than `keep` behind. */
  drop(keep: number): void {
    for (const lane of this.lanes) {
      const behind = this.lastSeq - lane.cursor;
      // A sink that is merely slow catches up; only one that cannot write loses events.
      if (behind <= keep || !this.isFailing(lane)) continue;
      const to = this.lastSeq - keep;
      lane.dropped += to - lane.cursor;
      this.report.error(`Audit sink '${lane.sink.name}': dropped ${to - lane.cursor} undelivered event(s) (seq ${lane.cursor + 1}-${to}): the backlog is full and MUD_AUDIT_ON_FULL=drop`);
      lane.cursor = to;
      lane.floor = to;
    }
    this.onProgress();
    this.notify();
  }

  progress(): SinkProgress[] {
    return this.lanes.map((l) => {
      const status = l.opened ? l.sink.status?.() : undefined;
      const next = l.cursor < this.lastSeq ? this.outbox.timeOf(l.cursor + 1) : null;
      return {
        name: l.sink.name,
        cursor: l.cursor,
        failing: l.failing || (status?.failing ?? false),
        lastError: l.lastError ?? status?.lastError ?? null,
        lastErrorAt: l.lastErrorAt,
        written: l.written,
        dropped: l.dropped,
        lagSeconds: next ? Math.max(0, (Date.now() - Date.parse(next)) / 1000) : 0,
      };
    });
  }

  /** Lets every lane finish its write in flight, then closes the sinks. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await Promise.allSettled(this.running);
    for (const lane of this.lanes) await lane.sink.close().catch(() => {});
  }

  async prune(cutoff: string): Promise<number> {
    let rows = 0;
    for (const lane of this.lanes) if (lane.opened && lane.sink.prune) rows += await lane.sink.prune(cutoff);
    return rows;
  }

  private isFailing(lane: Lane): boolean {
    return lane.failing || (lane.sink.status?.().failing ?? false);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        if (this.stopped) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  private async run(lane: Lane): Promise<void> {
    while (!this.stopped || (lane.opened && !lane.failing && lane.cursor < this.lastSeq)) {
      if (!lane.opened) {
        if (this.stopped) return;
        try {
          lane.cursor = Math.max(await lane.sink.open(), lane.floor);
          lane.opened = true;
        } catch (error) {
          this.failed(lane, error);
          await this.pause(lane.backoff);
          continue;
        }
      }
      if (lane.cursor >= this.lastSeq) {
        if (this.stopped) return;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      const rows = this.outbox.read(lane.cursor, this.batchSize);
      if (!rows.length) {
        if (this.stopped) return;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      const events: OutboxEvent[] = rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as AuditEvent }));
      try {
        await lane.sink.write(events);
        lane.cursor = events[events.length - 1]!.seq;
        lane.written += events.length;
        if (lane.failing) this.recovered(lane);
        this.checkBehind(lane);
      } catch (error) {
        lane.opened = false;
        this.failed(lane, error);
        await this.pause(lane.backoff);
      }
      this.onProgress();
      this.notify();
    }
  }

  private failed(lane: Lane, error: unknown): void {
    const message = (error as Error)?.message ?? String(error);
    if (!lane.failing) {
      lane.failing = true;
      lane.outageSince = Date.now();
      this.report.error(`Audit sink '${lane.sink.name}' cannot write (${message}); ${this.lastSeq - lane.cursor} event(s) wait in the outbox; retrying`);
    }
    lane.lastError = message;
    lane.lastErrorAt = new Date().toISOString();
    lane.backoff = Math.min(lane.backoff * 2, MAX_BACKOFF_MS);
    this.onProgress();
    this.notify();
  }

  private recovered(lane: Lane): void {
    const seconds = ((Date.now() - lane.outageSince) / 1000).toFixed(1);
    lane.failing = false;
    lane.lastError = null;
    lane.backoff = 250;
    this.report.info(`Audit sink '${lane.sink.name}' writes again after ${seconds}s; catching up from seq ${lane.cursor + 1}`);
    lane.behind = true;
    this.checkBehind(lane);
  }

  private checkBehind(lane: Lane): void {
    const behind = this.lastSeq - lane.cursor;
    if (!lane.behind && behind >= BEHIND_EVENTS) {
      lane.behind = true;
      this.report.warn(`Audit sink '${lane.sink.name}' is falling behind: ${behind} event(s) not yet delivered`);
    } else if (lane.behind && behind === 0) {
      lane.behind = false;
      this.report.info(`Audit sink '${lane.sink.name}' has caught up (seq ${lane.cursor})`);
    }
  }
}
