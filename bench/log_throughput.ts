/**
 * Throughput bench (not a test): `npx tsx bench/log_throughput.ts [lines]`.
 * Times N lines from first write until everything is closed on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { RotatingFileStream, openLogs, defaultLogConfig } from '../server/logging/index.ts';
import { cleanupTempDirs, tempDir } from '../test/support/temp_dir.ts';

const N = Number(process.argv[2] ?? 200_000);
const MSG = "AUDIT CMD: wizard executed 'look at the shiny brass lamp' in room #1234";

const tmp = () => tempDir('logbench-');

function finish(s: NodeJS.WritableStream): Promise<void> {
  return new Promise((r) => {
    s.once('close', () => r());
    s.end();
  });
}

async function time(label: string, fn: () => Promise<void>): Promise<void> {
  const t0 = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label.padEnd(52)} ${Math.round((N / ms) * 1000).toLocaleString('en').padStart(10)} lines/s  (${ms.toFixed(0)} ms)`);
}

/** Sustained load: yield to the event loop every 1000 lines so I/O overlaps logging. */
const tick = () => new Promise((r) => setImmediate(r));

const line = (i: number) => `2026-11-23 18:30:15 | mud.commands | INFO | ${MSG} ${i}\n`;

const cases: Array<[string, () => Promise<void>]> = [
  ['raw fs.createWriteStream', async () => {
    const s = fs.createWriteStream(path.join(tmp(), 'a.log'), { flags: 'a' });
    for (let i = 0; i < N; i++) s.write(line(i));
    await finish(s);
  }],
  ['raw RotatingFileStream (no rotation)', async () => {
    const s = new RotatingFileStream({ file: path.join(tmp(), 'a.log'), rotation: { kind: 'size', maxBytes: 1e12, keep: 5 } });
    for (let i = 0; i < N; i++) s.write(line(i));
    await s.closeAndWait();
  }],
  ['raw RotatingFileStream (watchMs 1000)', async () => {
    const s = new RotatingFileStream({ file: path.join(tmp(), 'a.log'), rotation: { kind: 'size', maxBytes: 1e12, keep: 5 }, watchMs: 1000 });
    for (let i = 0; i < N; i++) s.write(line(i));
    await s.closeAndWait();
  }],
  ['raw RotatingFileStream (rotate every 1 MB)', async () => {
    const s = new RotatingFileStream({ file: path.join(tmp(), 'a.log'), rotation: { kind: 'size', maxBytes: 1 << 20, keep: 50 } });
    for (let i = 0; i < N; i++) s.write(line(i));
    await s.closeAndWait();
  }],
  ['winston Stream -> fs.createWriteStream', async () => {
    const s = fs.createWriteStream(path.join(tmp(), 'a.log'), { flags: 'a' });
    const lg = winston.createLogger({
      format: winston.format.printf((i) => `2026-11-23 18:30:15 | mud.commands | INFO | ${String(i.message)}`),
      transports: [new winston.transports.Stream({ stream: s, eol: '\n' })],
    });
    for (let i = 0; i < N; i++) lg.info(`${MSG} ${i}`);
    await new Promise((r) => { lg.once('finish', r); lg.end(); });
    await finish(s);
  }],
  ['openLogs (winston Stream -> RotatingFileStream, 1 MB)', async () => {
    const cfg = defaultLogConfig(tmp());
    cfg.auditMaxBytes = 1 << 20;
    const logs = openLogs(cfg);
    const l = logs.get('mud.commands');
    for (let i = 0; i < N; i++) l.info(`${MSG} ${i}`);
    await logs.close();
  }],
  ['openLogs, default 10 MB', async () => {
    const logs = openLogs(defaultLogConfig(tmp()));
    const l = logs.get('mud.commands');
    for (let i = 0; i < N; i++) l.info(`${MSG} ${i}`);
    await logs.close();
  }],
  ['paced: raw RotatingFileStream (1 MB)', async () => {
    const s = new RotatingFileStream({ file: path.join(tmp(), 'a.log'), rotation: { kind: 'size', maxBytes: 1 << 20, keep: 50 } });
    for (let i = 0; i < N; i++) {
      s.write(line(i));
      if (i % 1000 === 999) await tick();
    }
    await s.closeAndWait();
  }],
  ['paced: winston Stream -> fs.createWriteStream', async () => {
    const s = fs.createWriteStream(path.join(tmp(), 'a.log'), { flags: 'a' });
    const lg = winston.createLogger({
      format: winston.format.printf((i) => `2026-11-23 18:30:15 | mud.commands | INFO | ${String(i.message)}`),
      transports: [new winston.transports.Stream({ stream: s, eol: '\n' })],
    });
    for (let i = 0; i < N; i++) {
      lg.info(`${MSG} ${i}`);
      if (i % 1000 === 999) await tick();
    }
    await new Promise((r) => { lg.once('finish', r); lg.end(); });
    await finish(s);
  }],
  ['paced: openLogs (1 MB rotation)', async () => {
    const cfg = defaultLogConfig(tmp());
    cfg.auditMaxBytes = 1 << 20;
    const logs = openLogs(cfg);
    const l = logs.get('mud.commands');
    for (let i = 0; i < N; i++) {
      l.info(`${MSG} ${i}`);
      if (i % 1000 === 999) await tick();
    }
    await logs.close();
  }],
];

const only = process.argv[3];
try {
  for (const [label, fn] of cases) if (!only || label.includes(only)) await time(label, fn);
} finally {
  cleanupTempDirs();
}
