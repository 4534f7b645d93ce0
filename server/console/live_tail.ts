/**
 * The live tail: a sink on the audit bus that forwards every event to the operators' sockets.
 *
 * The sink runs on the game's path (often inside a command's transaction), so per event and
 * socket it only puts the event in that socket's queue; sending happens on a later turn of the
 * event loop, in batches. Each socket's memory is bounded twice over: its queue holds at most
 * `queue` events (past it the oldest are skipped and the next batch says how many), and it may
 * have at most `unsent` batches in engine.io's write buffer; while a tab is not reading, nothing
 * more is sent to it until the buffer drains, so the queue takes the overflow.
 */
import type { AuditSink } from '../audit/bus.ts';
import type { AuditEvent } from '../audit/events.ts';

/** One `events` message: new events, oldest first, and how many were skipped before them. */
export interface TailBatch {
  events: AuditEvent[];
  skipped: number;
}

export interface TailLimits {
  queue: number;
  batch: number;
  unsent: number;
}

/** A fixed-size FIFO that forgets its oldest entry when full: O(1) on the game's path. */
class Ring<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  /** Adds `item`; returns true when the oldest entry had to go to make room. */
  push(item: T): boolean {
    const full = this.length === this.capacity;
    this.items[(this.head + this.length) % this.capacity] = item;
    if (full) this.head = (this.head + 1) % this.capacity;
    else this.length++;
    return full;
  }

  take(count: number): T[] {
    const out: T[] = [];
    while (out.length < count && this.length > 0) {
      out.push(this.items[this.head]!);
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.length--;
    }
    return out;
  }
}

/** One live socket's share of the tail. `send` emits one batch; call `drained` on engine.io's 'drain'. */
export class TailSubscriber {
  private readonly queue: Ring<AuditEvent>;
  private skipped = 0;
  private unsent = 0;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly send: (batch: TailBatch) => void,
    private readonly limits: TailLimits,
    private readonly onSkip: (count: number) => void = () => {},
  ) {
    this.queue = new Ring(limits.queue);
  }

  /** Events waiting (for tests and metrics). */
  get queued(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.unsent;
  }

  push(event: AuditEvent): void {
    if (this.closed) return;
    if (this.queue.push(event)) {
      this.skipped++;
      this.onSkip(1);
    }
    this.schedule();
  }

  /** The socket's write buffer is empty again. */
  drained(): void {
    this.unsent = 0;
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.queue.take(this.queue.length);
  }

  private schedule(): void {
    if (this.scheduled || this.closed || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (!this.closed && this.queue.length > 0 && this.unsent < this.limits.unsent) {
      const events = this.queue.take(this.limits.batch);
      const batch: TailBatch = { events, skipped: this.skipped };
      this.skipped = 0;
      this.unsent++;
      try {
        this.send(batch);
      } catch {
        // An event that cannot be serialised: counted as skipped, the tail goes on.
        this.skipped += events.length;
        this.onSkip(events.length);
      }
    }
  }
}

/** The bus sink and the set of subscribers it feeds. */
export class LiveTail {
  private readonly subscribers = new Set<TailSubscriber>();
  private closed = false;
  /** Events skipped over all sockets since start (a metric). */
  skippedTotal = 0;
  /** Events handed to sockets' queues since start (a metric). */
  forwardedTotal = 0;

  constructor(private readonly limits: TailLimits) {}

  /** Subscribe this to the AuditBus (once). Never throws, never does I/O. */
  readonly sink: AuditSink = (event) => {
    if (this.closed || this.subscribers.size === 0) return;
    for (const subscriber of this.subscribers) {
      subscriber.push(event);
      this.forwardedTotal++;
    }
  };

  get size(): number {
    return this.subscribers.size;
  }

  subscribe(send: (batch: TailBatch) => void): TailSubscriber {
    const subscriber = new TailSubscriber(send, this.limits, (n) => (this.skippedTotal += n));
    if (!this.closed) this.subscribers.add(subscriber);
    else subscriber.close();
    return subscriber;
  }

  unsubscribe(subscriber: TailSubscriber): void {
    subscriber.close();
    this.subscribers.delete(subscriber);
  }

  /** The bus has no unsubscribe: after this the sink does nothing. */
  close(): void {
    this.closed = true;
    for (const subscriber of this.subscribers) subscriber.close();
    this.subscribers.clear();
  }
}
