/** mulberry32: a tiny deterministic PRNG, so a fuzz run can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!, chance: (p: number) => next() < p };
}

export type Rng = ReturnType<typeof prng>;

/** `n` random bytes from `r`; with `noIac`, never 255 (so a subnegotiation body stays open). */
export function randomBytes(r: Rng, n: number, { noIac = false } = {}): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = noIac ? r.int(255) : r.int(256);
  return b;
}
