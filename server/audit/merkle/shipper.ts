/**
 * MUD_AUDIT_CHECKPOINT_COMMAND: each signed checkpoint is handed to an operator's command on
 * standard input, so it leaves the machine (mail, another host, a transparency log) where an
 * intruder who can rewrite the trail cannot reach it. A checkpoint kept off the host is what
 * exposes a trail cut short and re-signed, or replaced with its key.
 *
 * Run from the audit worker with `/bin/sh -c`, one at a time, in order; never awaited by the
 * delivery of events. A command that fails (exit code, signal, 60 s timeout) is reported in
 * server.log and retried with a backoff (5 s doubling to 5 min); `checkpoints/shipped` holds the
 * tree size of the newest checkpoint the command took, so what a stop or crash left unsent is
 * sent at the next start. While the command is down only the newest 100 wait: a newer
 * checkpoint proves everything an older one did (the tree only grows).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SinkReporter } from '../sinks/sink.ts';
import { writeDurably, type Checkpoint } from './checkpoint.ts';

const TIMEOUT_MS = 60_000;
const MAX_WAITING = 100;
export const SHIPPED_FILE = 'shipped';

export class CheckpointShipper {
  private queue: Checkpoint[] = [];
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoff = 5_000;
  private failing = false;
  private closed = false;
  private shippedSize: number;

  constructor(
    private readonly command: string,
    private readonly dir: string,
    private readonly report: SinkReporter,
  ) {
    const raw = fs.existsSync(this.markFile) ? fs.readFileSync(this.markFile, 'utf8').trim() : '0';
    this.shippedSize = /^\d+$/.test(raw) ? Number(raw) : 0;
  }

  private get markFile(): string {
    return path.join(this.dir, SHIPPED_FILE);
  }

  /** Tree size of the newest checkpoint the command accepted. */
  get shipped(): number {
    return this.shippedSize;
  }

  send(checkpoint: Checkpoint): void {
    if (this.closed || checkpoint.size <= this.shippedSize) return;
    this.queue.push(checkpoint);
    if (this.queue.length > MAX_WAITING) this.queue.splice(0, this.queue.length - MAX_WAITING);
    this.pump();
  }

  /** Waits up to `ms` for what is queued to be shipped, then stops (the rest goes at next start). */
  async close(ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    if (this.retryTimer && !this.failing) this.pump();
    while ((this.running || (this.queue.length && !this.failing)) && Date.now() < deadline) {
      await Promise.race([this.running ?? Promise.resolve(), new Promise((r) => setTimeout(r, 50))]);
      if (!this.running && this.queue.length && !this.failing) this.pump();
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private pump(): void {
    if (this.running || this.closed || this.retryTimer) return;
    const next = this.queue[0];
    if (!next) return;
    this.running = this.run(next)
      .then(
        () => {
          this.queue.shift();
          this.shippedSize = Math.max(this.shippedSize, next.size);
          writeDurably(this.markFile, `${this.shippedSize}\n`);
          if (this.failing) this.report.info(`Audit checkpoint command works again: checkpoint ${next.size} shipped`);
          this.failing = false;
          this.backoff = 5_000;
        },
        (error: unknown) => {
          if (!this.failing) {
            this.report.error(
              `Audit checkpoint command failed for checkpoint ${next.size}: ${(error as Error).message}; ${this.queue.length} checkpoint(s) wait, retrying (MUD_AUDIT_CHECKPOINT_COMMAND)`,
            );
          }
          this.failing = true;
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.pump();
          }, this.backoff);
          this.retryTimer.unref();
          this.backoff = Math.min(this.backoff * 2, 300_000);
        },
      )
      .finally(() => {
        this.running = null;
        if (!this.retryTimer) this.pump();
      });
  }

  private run(checkpoint: Checkpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', this.command], {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: { ...process.env, MUD_AUDIT_CHECKPOINT_SIZE: String(checkpoint.size), MUD_AUDIT_CHECKPOINT_FILE: checkpoint.file ?? '' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 500) stderr += d.toString('utf8');
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const why = stderr.trim().replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 300);
        if (code === 0) resolve();
        else reject(new Error(`${signal ? `killed by ${signal}` : `exit code ${code}`}${why ? `: ${why}` : ''}`));
      });
      // A command that does not read its input must not fail the write with EPIPE unreported.
      child.stdin.on('error', () => {});
      child.stdin.end(checkpoint.note);
    });
  }
}
