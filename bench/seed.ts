/**
 * Prepares a data dir before the server starts (run as a child: `node --import tsx bench/seed.ts
 * '<json>'`), by opening the real Game on it and shutting it down cleanly:
 *
 *  - `rooms: N` builds a generated world instead of the start world: a square grid of N rooms
 *    ("Room x,y") with north/south/east/west exits between neighbours (≈ 4 exits per room);
 *  - `accounts: { prefix, count, password }` inserts accounts `<prefix><i>` straight into the
 *    store with a *cheap* scrypt hash (N=1024, r=8, p=1: the cost the bench runs its servers with,
 *    MUD_SCRYPT_N=1024, so no login re-hashes it). The default cost (N=2^17) is ~0.3 s of CPU per
 *    login, which would turn "connect 1,000 idle clients" into minutes of hashing that is not what
 *    the bench measures. Their characters are made by the server at their first login, as usual.
 *
 * Prints one JSON line: { ms, objects, accounts }.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { defaultConfig } from '../server/config.ts';
import { Game } from '../server/game.ts';
import type { ExitData, RoomData, WorldData } from '../world/start_world.ts';

export interface SeedOptions {
  dataDir: string;
  logDir: string;
  rooms?: number;
  accounts?: { prefix: string; count: number; password: string };
}

export function gridWorld(rooms: number): WorldData {
  const side = Math.ceil(Math.sqrt(rooms));
  const ref = (x: number, y: number) => `r${x}_${y}`;
  const roomData: RoomData[] = [];
  for (let i = 0; i < rooms; i++) {
    const x = i % side;
    const y = Math.floor(i / side);
    roomData.push({ ref: ref(x, y), key: `Room ${x},${y}`, desc: `A generated room at ${x},${y}. Plain walls, a worn floor.`, start: i === 0 });
  }
  const exists = (x: number, y: number) => x >= 0 && y >= 0 && x < side && y * side + x < rooms;
  const exits: ExitData[] = [];
  for (let i = 0; i < rooms; i++) {
    const x = i % side;
    const y = Math.floor(i / side);
    if (exists(x, y + 1)) exits.push({ from: ref(x, y), to: ref(x, y + 1), key: 'south', aliases: ['s'] }, { from: ref(x, y + 1), to: ref(x, y), key: 'north', aliases: ['n'] });
    if (exists(x + 1, y)) exits.push({ from: ref(x, y), to: ref(x + 1, y), key: 'east', aliases: ['e'] }, { from: ref(x + 1, y), to: ref(x, y), key: 'west', aliases: ['w'] });
  }
  return { rooms: roomData, exits, things: [] };
}

/** The scrypt cost N the bench's servers run with (MUD_SCRYPT_N), and its seeded hashes have. */
export const BENCH_SCRYPT_N = 1024;

/** The password of every bench account: the seeded ones and those the load creates at login. */
export const PASSWORD = 'bench-pass-123';

/** The `scrypt$N$r$p$salt$hash` format of typeclasses/passwords.ts, at the bench's low cost. */
export function cheapHash(password: string): string {
  const salt = randomBytes(16);
  const cost = { N: BENCH_SCRYPT_N, r: 8, p: 1 };
  const key = scryptSync(password.normalize('NFC'), salt, 32, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function seed(options: SeedOptions): Promise<{ ms: number; objects: number; accounts: number }> {
  const t0 = performance.now();
  const config = { ...defaultConfig(), dataDir: options.dataDir, logDir: options.logDir, webEnabled: false };
  const game = new Game(config, options.rooms ? { world: gridWorld(options.rooms) } : {});
  const accounts = options.accounts;
  if (accounts) {
    // Hashing is the slow part; one hash for all (each account still gets its own row).
    const hash = cheapHash(accounts.password);
    game.store.unitOfWork(() => {
      for (let i = 0; i < accounts.count; i++) game.store.insertAccount(`${accounts.prefix}${i}`, hash, ['Player']);
    });
  }
  const result = { ms: 0, objects: game.objects.count, accounts: game.store.countAccounts() };
  await game.shutdown('bench seed done');
  result.ms = performance.now() - t0;
  return result;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const result = await seed(JSON.parse(process.argv[2]!) as SeedOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
