/**
 * Groups refusals into floods, so that a flood is audited once and not once per line: the disk a
 * flood of commands must not fill is the audit's own. A flood ends when nothing was refused for
 * `quietMs`; one that never ends is reported every `maxMs`, so an operator still hears of it.
 */

/** One flood as reported: what was refused, how often, and over how long. */
export interface Flood<Info> {
  info: Info;
  refused: number;
  startedAt: number;
  lastAt: number;
}

export interface FloodTiming {
  quietMs: number;
  maxMs: number;
}

export const FLOOD_TIMING: Readonly<FloodTiming> = { quietMs: 1000, maxMs: 60_000 };

export class FloodReporter<Info> {
  private readonly floods = new Map<string, Flood<Info>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly report: (flood: Flood<Info>) => void,
    private readonly timing: FloodTiming = FLOOD_TIMING,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one refusal under `key`; true for the first of a flood. `info` describes a new one. */
  note(key: string, info: () => Info): boolean {
    const now = this.now();
    const flood = this.floods.get(key);
    if (flood) {
      flood.refused++;
      flood.lastAt = now;
      return false;
    }
    this.floods.set(key, { info: info(), refused: 1, startedAt: now, lastAt: now });
    // One timer for all floods, only while there are any: an idle server has none running.
    this.timer ??= setInterval(() => this.sweep(), this.timing.quietMs).unref();
    return true;
  }

  /** Reports the flood under `key` now, if there is one (its connection is closing). */
  end(key: string): void {
    const flood = this.floods.get(key);
    if (flood) this.finish(key, flood);
  }

  /** Reports every flood still going (the server is stopping). */
  endAll(): void {
    for (const [key, flood] of [...this.floods]) this.finish(key, flood);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, flood] of [...this.floods]) {
      if (now - flood.lastAt >= this.timing.quietMs || now - flood.startedAt >= this.timing.maxMs) this.finish(key, flood);
    }
  }

  private finish(key: string, flood: Flood<Info>): void {
    this.floods.delete(key);
    if (!this.floods.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.report(flood);
  }
}
