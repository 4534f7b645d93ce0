import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvent, type AuditActor } from '../../server/audit/events.ts';
import { eventToRow } from '../../server/audit/rows.ts';
import { AUDIT_DB_FILE, AuditTable } from '../../server/store/audit_table.ts';
import { verifyTrail } from '../../server/audit/verify.ts';
import { listTrailFiles } from '../../server/audit/jsonl_files.ts';
import { runCli } from '../support/cli.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import type { TestTelnetClient } from '../support/telnet_client.ts';
import { auditDir, readTableFile, readTrail } from './helpers.ts';

const LOOPS = 8;
const PER_LOOP = 1250;
const DAY = 86_400_000;

const actor = (loop: number): AuditActor => ({ account: `loop${loop}`, character: `Loop${loop}`, session_id: null, protocol: null, remote_addr: `10.0.0.${loop}` });

describe('audit table batching', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('lands 10,000 events from concurrent emitters and real sessions, each once in every sink, by a graceful shutdown', async () => {
    run = await startGame();
    const players: TestTelnetClient[] = [];
    for (const name of ['Ann', 'Ben', 'Cid']) players.push(await run.login(name));
    const emitter = async (loop: number) => {
      for (let i = 0; i < PER_LOOP; i++) {
        run.game.audit.emit(auditEvent('command', actor(loop), { payload: { command: 'synthetic', loop, i } }));
        if (i % 25 === 0) await new Promise((r) => setImmediate(r));
      }
    };
    const player = async (client: TestTelnetClient, name: string) => {
      for (let i = 0; i < 15; i++) await client.command(`say ${name} ${i}`, `You say, "${name} ${i}"`);
    };
    await Promise.all([...Array.from({ length: LOOPS }, (_, loop) => emitter(loop)), ...players.map((c, i) => player(c, ['Ann', 'Ben', 'Cid'][i]!))]);
    await run.stop();

    const stats = run.game.auditTrail.stats();
    const table = readTableFile(run.config.dataDir);
    const trail = readTrail(run.config.logDir);
    const synthetic = table.filter((e) => e.payload.command === 'synthetic');
    expect(synthetic).toHaveLength(LOOPS * PER_LOOP);
    expect(new Set(synthetic.map((e) => `${e.payload.loop}:${e.payload.i}`)).size).toBe(LOOPS * PER_LOOP);
    // Each emitter's events keep their order.
    for (let loop = 0; loop < LOOPS; loop++) {
      expect(synthetic.filter((e) => e.payload.loop === loop).map((e) => e.payload.i)).toEqual(Array.from({ length: PER_LOOP }, (_, i) => i));
    }
    expect(table.filter((e) => e.event_type === 'command' && e.actor.character === 'Cid')).toHaveLength(15);
    // Every event is in both sinks once, under the same seq.
    expect(table.map((e) => e.seq)).toEqual(table.map((_, i) => i + 1));
    expect(trail.map((r) => r.seq)).toEqual(table.map((e) => e.seq));
    // Every sink took every event once: written counts equal what the files and table hold.
    const sink = (name: string) => stats.sinks.find((s) => s.name === name);
    expect(sink('table')).toMatchObject({ written: table.length, dropped: 0, lagEvents: 0, failing: false, lastError: null });
    expect(sink('jsonl')).toMatchObject({ written: trail.length, dropped: 0, lagEvents: 0, failing: false, lastError: null });
    expect(sink('text')).toMatchObject({ written: trail.length, dropped: 0, lagEvents: 0, failing: false, lastError: null });
    expect((await verifyTrail(listTrailFiles(auditDir(run.config.logDir)))).intact).toBe(true);
  });
});

describe('audit retention', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('prunes exactly the rows and rotated files past the cut-off, in the server and by hand', async () => {
    run = await startGame();
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    const cutoff = now.getTime() - 90 * DAY;
    const rows = (label: string, ts: string, n: number) =>
      Array.from({ length: n }, (_, i) => eventToRow({ ...auditEvent('command', actor(0), { payload: { label, i } }), ts }, null));
    const table = new AuditTable(path.join(run.config.dataDir, AUDIT_DB_FILE), 'write');
    table.insert([
      ...rows('ancient', at(-400 * DAY), 30),
      ...rows('old', new Date(cutoff - 1).toISOString(), 20),
      ...rows('edge', new Date(cutoff).toISOString(), 5),
      ...rows('recent', at(-89 * DAY), 40),
      ...rows('fresh', at(-1000), 10),
    ]);
    const dir = auditDir(run.config.logDir);
    const oldDay = new Date(cutoff - DAY).toISOString().slice(0, 10);
    const cutoffDay = new Date(cutoff).toISOString().slice(0, 10);
    for (const name of [`audit-${oldDay}.jsonl`, `audit-${oldDay}.1.jsonl`, `audit-${cutoffDay}.jsonl`]) fs.writeFileSync(path.join(dir, name), '');

    run.game.audit.emit(auditEvent('command', actor(1), { payload: { label: 'live' } }));
    await run.game.auditTrail.flush();
    table.close();
    const count = async (label: string) => (await run.game.auditReader.search({ text: `"label":"${label}"`, limit: 1000 })).length;
    const result = await run.game.auditTrail.prune(90, now);
    expect(result.rows).toBe(50);
    expect(result.files.map((f) => path.basename(f)).sort()).toEqual([`audit-${oldDay}.1.jsonl`, `audit-${oldDay}.jsonl`]);
    expect(fs.existsSync(path.join(dir, `audit-${cutoffDay}.jsonl`))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'audit.jsonl'))).toBe(true);
    expect(await Promise.all(['ancient', 'old', 'edge', 'recent', 'fresh'].map(count))).toEqual([0, 0, 5, 40, 10]);
    expect(run.game.auditTrail.stats().lastPrune).toMatchObject({ rows: 50, days: 90 });
    await run.stop();

    // By hand, with the server stopped: 30 days takes the 89-day-old rows and the edge rows.
    const byHand = runCli('audit_prune.ts', [], { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir, MUD_AUDIT_RETENTION_DAYS: '30' });
    expect(byHand.stdout).toMatch(/^Pruned 45 audit event\(s\) older than \S+ \(30 days\) from the table and 1 rotated JSONL file\(s\)\.\n/);
    expect(byHand.code).toBe(0);
    const left = readTableFile(run.config.dataDir).filter((e) => e.payload.label !== undefined);
    expect(left.map((e) => e.payload.label)).toEqual([...Array(10).fill('fresh'), 'live']);
  });
});
