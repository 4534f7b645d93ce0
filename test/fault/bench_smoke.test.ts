/**
 * Keeps `npm run bench` from rotting: a small quick run of its core (real server processes, the
 * separate load process, the echo ceiling), asserting only that it completes, that every command
 * sent has its AUDIT CMD line, and that it produced the table and the JSON. Never timing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseArgs, runBench } from '../../bench/run.ts';
import { tempDir } from '../support/temp_dir.ts';

describe('bench smoke', () => {
  it('runs the quick bench end to end with complete audit logs', { timeout: 120_000 }, async () => {
    const dir = tempDir('mud-bench-smoke-');
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'latest.json');
    const lines: string[] = [];
    const opts = { ...parseArgs(['--quick', '--only=single,concurrent', `--out=${out}`]), log: (l: string) => lines.push(l) };
    const result = await runBench(opts);

    expect(result.completeness.failures).toEqual([]);
    expect(result.completeness).toMatchObject({ runs: 2, complete: 2 });
    expect(result.ok).toBe(true);
    for (const record of result.records.filter((r) => r.mode === 'audited')) {
      expect(record.auditCmdLines).toBe(record.commandsSent);
      expect(record.commandsSent).toBeGreaterThan(0);
    }
    expect(result.records.map((r) => `${r.workload}/${r.mode}`).sort()).toEqual(
      ['concurrent/audited', 'concurrent/echo', 'concurrent/unaudited', 'single/audited', 'single/echo', 'single/unaudited'],
    );
    expect(result.table).toMatch(/single: latency p99 ms +[\d.,]+ +[\d.,]+ +[\d.,]+ +\d+%/);
    expect(result.table).toContain('concurrent: 20 clients, cmds/s');
    expect(lines.join('\n')).toContain('completeness: 2/2 audited runs');

    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ ok: true, quick: true, completeness: { runs: 2, complete: 2 } });
    expect(json.table).toEqual(result.table.split('\n'));
    expect(json.records).toHaveLength(6);
  });

  it('runs the sections alone: checkpoints on vs off, the portal against one process, a reload with everyone logged in', { timeout: 300_000 }, async () => {
    const dir = tempDir('mud-bench-smoke-');
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'latest.json');
    const lines: string[] = [];
    const opts = { ...parseArgs(['--quick', '--only=checkpoints,portal,reload', '--reps=1', `--out=${out}`]), log: (l: string) => lines.push(l) };
    const result = await runBench(opts);

    expect(result.completeness.failures).toEqual([]);
    expect(result.ok).toBe(true);
    // Only the sections ran: no workload of the main table.
    expect(result.records).toEqual([]);
    const text = lines.join('\n');
    expect(text).toMatch(/checkpoints \(issue 18\): 20 clients.*cp on +cp off +ratio\n {2}cmds\/s +[\d,]+ +[\d,]+ +\d+%/);
    expect(text).toMatch(/audit worker thread, every sink .*\n {2}checkpoints off \(MUD_AUDIT_CHECKPOINTS=off\) +[\d,]+ +100% +[\d.]+\n {2}Merkle tree \+ checkpoint every 10,000 \(default\) +[\d,]+ +\d+% +[\d.]+/);
    expect(text).toMatch(/portal \(issue 14\): 20 clients flat out.*portal\+game +single/);
    expect(text).toMatch(/(met {4}|MISSED )the portal link keeps >= 90% of single-process throughput: \d+%/);
    expect(text).toMatch(/met {4}50 connected \/ 10 active through the portal with no failure: 0 failed commands/);
    expect(text).toMatch(/met {4}all 160 players still logged in after every reload/);
    // The sections' audited runs are complete in every sink, as the main table's are.
    expect(result.completeness).toMatchObject({ runs: 6, complete: 6 });
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.sections.map((s: { id: string }) => s.id)).toEqual(['checkpoints', 'portal', 'reload']);
    expect(json.sections[2].figures.reloads).toHaveLength(2);
  });
});
