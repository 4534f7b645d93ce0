/**
 * The seeded data dirs, seen from bench/run.ts: bench/seed.ts run as a child, once per bench,
 * for the idle crowd's accounts and the generated world, then copied into each run's own data
 * dir (a run must never see another's writes). The parent's half of bench/seed.ts, as
 * bench/load_process.ts is of bench/load.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/support/server_process.ts';
import { isGame } from './modes.ts';
import { PASSWORD } from './seed.ts';
import type { Context } from './workloads.ts';

export function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const file of fs.readdirSync(from)) {
    if (file === 'server.pid') continue;
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

function runChild(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args.join(' ')} exited ${code}:\n${out}\n${err}`));
    });
  });
}

export async function prepareSeeds(ctx: Context): Promise<void> {
  // The portal and reload sections log in the same seeded idle crowd (a part of it for the portal's).
  const wantIdle = (ctx.opts.only.includes('idle') && ctx.opts.modes.some(isGame)) || ctx.opts.only.includes('portal') || ctx.opts.only.includes('reload');
  const wantWorld = ctx.opts.only.includes('world') && ctx.opts.modes.some(isGame);
  if (wantIdle) {
    const dir = path.join(ctx.tmp, 'seed-idle');
    const out = await runChild(
      ['bench/seed.ts', JSON.stringify({ dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'logs'), accounts: { prefix: 'Idle', count: ctx.sizes.idle.idle, password: PASSWORD } })],
      300_000,
    );
    ctx.seeds.idle = path.join(dir, 'data');
    ctx.seedInfo.idle = JSON.parse(out.trim().split('\n').at(-1)!);
  }
  if (wantWorld) {
    const dir = path.join(ctx.tmp, 'seed-world');
    const out = await runChild(['bench/seed.ts', JSON.stringify({ dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'logs'), rooms: ctx.sizes.world.rooms })], 600_000);
    ctx.seeds.world = path.join(dir, 'data');
    ctx.seedInfo.world = JSON.parse(out.trim().split('\n').at(-1)!);
  }
}

