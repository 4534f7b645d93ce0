/**
 * The bench's load process (bench/load.ts) seen from bench/run.ts: started as its own Node
 * process, asked over an IPC channel, answered with promises.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ConnectArgs, RunArgs, RunResult } from './load.ts';
import { ROOT } from '../test/support/server_process.ts';
import { sleep } from '../test/support/wait.ts';

/** The load process, over an IPC channel. */
export class LoadProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`load process: ${msg.error}`));
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('load process exited'));
      this.pending.clear();
    });
  }

  static start(): LoadProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/load.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadProcess(child);
  }

  call<T>(op: string, args: object, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load process: '${op}' did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, op, ...args });
    });
  }

  connect(args: ConnectArgs): Promise<{ connected: number; ms: number; errors: string[] }> {
    return this.call('connect', args, (args.timeoutMs ?? 60_000) * 2 + 120_000);
  }

  run(args: RunArgs): Promise<RunResult> {
    return this.call('run', args, args.maxMs + 60_000);
  }

  stats(): Promise<{ commandsSent: number; bytesIn: number; open: number; cpuMs: number }> {
    return this.call('stats', {}, 30_000);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.call('close', {}, 10_000).catch(() => this.child.kill('SIGKILL'));
    await Promise.race([exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
