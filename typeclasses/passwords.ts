import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt's cost. OWASP's minimum for scrypt is N=2^17, r=8, p=1 (Password Storage Cheat Sheet):
 * about 0.3 s of CPU and 128 MiB (128·N·r bytes) per hash. Stored as `scrypt$N$r$p$salt$hash`
 * (base64), so every hash carries its own cost and a weaker one is re-hashed at the next login.
 */
export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

export const OWASP_SCRYPT_N = 2 ** 17;
export const DEFAULT_COST: PasswordCost = { N: OWASP_SCRYPT_N, r: 8, p: 1 };

/**
 * How many hashes run at once, and how many may wait. The running ones bound the memory
 * (2 × 128 MiB at the default cost) and leave two of libuv's four pool threads to file I/O; a
 * full queue refuses at once rather than letting a login flood pile up work and memory.
 */
export interface HashLimits {
  concurrency: number;
  maxWaiting: number;
}

export const DEFAULT_HASH_LIMITS: HashLimits = { concurrency: 2, maxWaiting: 64 };

const KEY_LENGTH = 32;
/** Stored hashes above this memory are refused rather than allocated (a corrupt or hostile row). */
const MAX_MEMORY = 256 * 1024 * 1024;

/** Too many password checks waiting: said to the person as is. */
export class PasswordQueueFullError extends Error {
  override name = 'PasswordQueueFullError';
  constructor() {
    super('The server is busy checking other passwords; try again in a moment.');
  }
}

/**
 * What is hashed of what a person typed, in every form (telnet on one line or at the prompt,
 * the webclient, the console, the shell): surrounding blanks dropped, Unicode in NFC, so the
 * same keys pressed give the same password wherever they were typed.
 */
export function passwordText(typed: string): string {
  return typed.trim().normalize('NFC');
}

/** Hashes and checks passwords off the event loop (libuv's pool), through one bounded queue. */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly cost: PasswordCost = DEFAULT_COST,
    readonly limits: HashLimits = DEFAULT_HASH_LIMITS,
  ) {}

  /** Hashes and checks running or waiting now (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.derive(password, salt, this.cost);
    return ['scrypt', this.cost.N, this.cost.r, this.cost.p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** Whether `password` matches `stored`, and whether `stored` is weaker than today's cost. */
  async verify(password: string, stored: string): Promise<{ ok: boolean; weaker: boolean }> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    const cost = { N: Number(n), r: Number(r), p: Number(p) };
    if (scheme !== 'scrypt' || !salt || !hash || memoryOf(cost) > MAX_MEMORY) return { ok: false, weaker: false };
    const expected = Buffer.from(hash, 'base64');
    const key = await this.derive(password, Buffer.from(salt, 'base64'), cost);
    const ok = key.length === expected.length && timingSafeEqual(key, expected);
    return { ok, weaker: cost.N < this.cost.N || cost.r < this.cost.r };
  }

  private async derive(password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
    await this.turn();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        // Node refuses more than 32 MiB by default; allow what this cost needs, no more.
        scrypt(passwordText(password), salt, KEY_LENGTH, { ...cost, maxmem: memoryOf(cost) + 64 * 1024 }, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      });
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Resolves when this hash may run; throws at once when the queue is full. */
  private turn(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.maxWaiting) return Promise.reject(new PasswordQueueFullError());
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running++;
        resolve();
      }),
    );
  }
}

/**
 * scrypt's working memory as OpenSSL allocates it: 128·r·(N+2) bytes for V plus 128·r·p for B
 * (RFC 7914: p lanes share V, one after another). A nonsensical cost counts as too much.
 */
function memoryOf(cost: PasswordCost): number {
  const { N, r, p } = cost;
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0) || p > 16) return Infinity;
  return 128 * r * (N + 2) + 128 * r * p;
}
