/**
 * The one rate limiter: a session's commands (telnet and webclient alike), an address's new
 * connections per minute and its account creations per hour all spend from one of these.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /** `ratePerSecond` tokens come back each second, up to `burst`; the clock is injectable for tests. */
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Spends one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Back to its full burst: as good as a bucket never used, so it can be forgotten. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}
