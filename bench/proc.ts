/**
 * Bench helpers for the server processes (started with test/support/server_process.ts, as the
 * tests start theirs): stop one, and read its memory, CPU time and writes from /proc.
 */
import fs from 'node:fs';
import type { ServerProcess } from '../test/support/server_process.ts';
import { sleep } from '../test/support/wait.ts';

/** SIGTERM and wait for the exit (SIGKILL after `timeoutMs`); resolves with code and time taken. */
export async function stopServer(server: ServerProcess, timeoutMs = 60_000): Promise<{ code: number | null; stopMs: number; killed: boolean }> {
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const code = await Promise.race([server.exited, timedOut]);
  clearTimeout(timer);
  if (code === 'timeout') {
    server.child.kill('SIGKILL');
    await server.exited;
    return { code: null, stopMs: performance.now() - t0, killed: true };
  }
  return { code, stopMs: performance.now() - t0, killed: false };
}

/** VmRSS (and the peak, VmHWM) of a process in KiB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** Median of a few RSS samples taken `gapMs` apart (GC makes single samples jumpy). */
export async function settledRssKb(pid: number, samples = 5, gapMs = 100): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i) await sleep(gapMs);
    values.push(memoryOf(pid).rssKb);
  }
  return median(values);
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** User + system CPU time of a process so far, in ms (from /proc/<pid>/stat). */
export function cpuMsOf(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of the game's own thread (the main thread: its tid is the pid), in ms. The rest of
 * the process's CPU is the audit worker, the GC and libuv's threads.
 */
export function mainThreadCpuMsOf(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(file: string): number {
  const stat = fs.readFileSync(file, 'utf8');
  // Fields after the "(comm)" part: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Write syscalls and bytes written so far by a process (sockets and files), from /proc/<pid>/io. */
export function ioOf(pid: number): { syscw: number; wchar: number; syscr: number } {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  const n = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(io)?.[1] ?? NaN);
  return { syscw: n('syscw'), wchar: n('wchar'), syscr: n('syscr') };
}

/** CLOCK_MONOTONIC in microseconds: the clock of V8's .cpuprofile timestamps, in every process. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The pids whose parent is `pid` (from /proc/<n>/stat: field 4 is the parent). */
export function childPidsOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(name));
    } catch {
      // it exited while we looked
    }
  }
  return children;
}

/**
 * The process that runs the game's commands: under the portal (`npm start`) its child running
 * server/game_main.ts, else the server process itself.
 */
export function gamePidOf(pid: number): number {
  for (const child of childPidsOf(pid)) {
    try {
      if (fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('game_main')) return child;
    } catch {
      // gone
    }
  }
  return pid;
}

/** CPU time of a process and of its live children (the portal and its game), in ms. */
export function treeCpuMsOf(pid: number): number {
  let total = cpuMsOf(pid);
  for (const child of childPidsOf(pid)) {
    try {
      total += cpuMsOf(child);
    } catch {
      // gone
    }
  }
  return total;
}
