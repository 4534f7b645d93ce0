import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listTrailFiles } from '../../server/audit/jsonl_files.ts';
import { verifyTrail } from '../../server/audit/verify.ts';
import Database from 'better-sqlite3';
import { AUDIT_DB_FILE } from '../../server/store/audit_table.ts';
import { runCli } from '../support/cli.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { tempDir } from '../support/temp_dir.ts';
import { auditConfig, auditDir, readTrail } from './helpers.ts';

const envFor = (logDir: string, dataDir: string) => ({ MUD_LOG_DIR: logDir, MUD_DATA_DIR: dataDir });

/** A copy of the log dir with one file changed by `edit` (its lines, without the final newline). */
function tampered(logDir: string, file: string, edit: (lines: string[]) => string[]): string {
  const copy = path.join(tempDir('mud-tamper-'), 'logs');
  fs.cpSync(logDir, copy, { recursive: true });
  const target = path.join(auditDir(copy), path.basename(file));
  const lines = fs.readFileSync(target, 'utf8').split('\n');
  lines.pop();
  fs.writeFileSync(target, `${edit(lines).join('\n')}\n`);
  return copy;
}

describe('audit-verify', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('passes an untouched trail across rotations and a restart, and names the record that was edited, removed or reordered', async () => {
    const dir = tempDir();
    const config = { audit: auditConfig({ jsonlMaxBytes: 2048 }) };
    run = await startGame({ dir, config });
    const first = await run.login('Scribe');
    for (let i = 0; i < 12; i++) await first.command(`say line ${i}`, `line ${i}`);
    run = await run.restart();
    const again = await run.login('Scribe', 'connect');
    for (let i = 12; i < 20; i++) await again.command(`say line ${i}`, `line ${i}`);
    await run.stop();

    const { logDir, dataDir } = run.config;
    const files = listTrailFiles(auditDir(logDir));
    expect(files.length).toBeGreaterThan(3);
    expect(path.basename(files.at(-1)!)).toBe('audit.jsonl');
    expect(path.basename(files[0]!)).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.jsonl$/);
    expect(path.basename(files[1]!)).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.1\.jsonl$/);
    for (const f of files) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.statSync(auditDir(logDir)).mode & 0o777).toBe(0o700);
    const records = readTrail(logDir);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    // The restart shows in the trail (a second puppeting), and the chain ran straight through it.
    expect(records.filter((r) => r.event_type === 'puppet')).toHaveLength(2);

    const intact = runCli('audit_verify.ts', [], envFor(logDir, dataDir));
    expect(intact.stdout).toContain(`Audit trail intact: ${records.length} record(s), seq 1 to ${records.length}, in ${files.length} file(s), from the start of the chain.`);
    expect(intact.code).toBe(0);
    // Named files, given in shell-glob order, are put in trail order.
    const named = runCli('audit_verify.ts', [...files].sort(), {});
    expect(named.stdout).toContain('Audit trail intact');
    expect(named.code).toBe(0);

    // Tamper with the second file: lines 2 and 3 are records (seq s2, s3).
    const victim = files[1]!;
    const inVictim = records.filter((r) => r.file === victim);
    const [s2, s3] = [inVictim[1]!.seq, inVictim[2]!.seq];
    const where = (logs: string, line: number) => `${path.join(auditDir(logs), path.basename(victim))}:${line}`;

    const edited = tampered(logDir, victim, (lines) => {
      const text = lines[1]!;
      const at = text.indexOf('Z"') - 1; // last digit of the milliseconds of ts: still valid JSON
      lines[1] = text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1);
      expect(Buffer.byteLength(lines[1]!)).toBe(Buffer.byteLength(text));
      return lines;
    });
    const e = runCli('audit_verify.ts', [], envFor(edited, dataDir));
    expect(e.stdout).toContain(`Audit trail BROKEN at ${where(edited, 2)} (seq ${s2}): edited`);
    expect(e.code).toBe(1);

    const removed = tampered(logDir, victim, (lines) => lines.filter((_, i) => i !== 1));
    const r = runCli('audit_verify.ts', [], envFor(removed, dataDir));
    expect(r.stdout).toContain(`Audit trail BROKEN at ${where(removed, 2)} (seq ${s3}): removed: seq ${s2} is missing`);
    expect(r.code).toBe(1);

    const swapped = tampered(logDir, victim, (lines) => [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]);
    const s = runCli('audit_verify.ts', [], envFor(swapped, dataDir));
    expect(s.stdout).toContain(`Audit trail BROKEN at ${where(swapped, 2)} (seq ${s3}): reordered: seq ${s3} comes before seq ${s2}`);
    expect(s.code).toBe(1);

    // A line put between two records is no crash's stump (that is the unparsable start of a
    // record), even though the chain links across it: JSON that is not a record...
    const injected = tampered(logDir, victim, (lines) => [...lines.slice(0, 2), '{"note":"nothing happened here"}', ...lines.slice(2)]);
    const j = runCli('audit_verify.ts', [], envFor(injected, dataDir));
    const jsonLine = `Audit trail BROKEN at ${where(injected, 3)}: not an audit record: the line is JSON but has no whole-number seq and 64-hex hash`;
    // ...said by both halves, the chain's and the signed checkpoints' (whose leaves it is not).
    expect(j.stdout.split(jsonLine)).toHaveLength(3);
    expect(j.code).toBe(1);
    // ...or text that is not the start of a record.
    const text = tampered(logDir, victim, (lines) => [...lines.slice(0, 2), 'all quiet', ...lines.slice(2)]);
    const t = runCli('audit_verify.ts', [], envFor(text, dataDir));
    expect(t.stdout).toContain(`Audit trail BROKEN at ${where(text, 3)}: not an audit record, nor the start of one a crash cut short: it was written in`);
    expect(t.code).toBe(1);
  });

  it('reports a record cut short by a crash, and the chain goes on after a restart', async () => {
    const dir = tempDir();
    run = await startGame({ dir });
    const a = await run.login('Crashy');
    await a.command('look', 'Limbo');
    await run.stop();
    const live = path.join(auditDir(run.config.logDir), 'audit.jsonl');
    const lastLine = fs.readFileSync(live, 'utf8').trimEnd().split('\n').at(-1)!;
    // What a kill -9 in the middle of a write leaves: the start of the next record, no newline.
    fs.appendFileSync(live, lastLine.slice(0, 57));

    const cut = await verifyTrail(listTrailFiles(auditDir(run.config.logDir)));
    expect(cut.intact).toBe(true);
    expect(cut.notes.join('\n')).toContain('audit.jsonl:');
    expect(cut.notes.join('\n')).toContain('the trail ends with an incomplete record');

    run = await startGame({ dir });
    const b = await run.login('Crashy', 'connect');
    await b.command('look', 'Limbo');
    await run.stop();
    expect(await run.logs.lines('server.log')).toContainEqual(expect.stringMatching(/WARN \| Audit trail: audit\.jsonl ends with an incomplete record \(57 bytes/));

    const after = await verifyTrail(listTrailFiles(auditDir(run.config.logDir)));
    expect(after.broken).toBeNull();
    expect(after.intact).toBe(true);
    expect(after.notes.join('\n')).toMatch(/audit\.jsonl:\d+: an incomplete record \(a crash or failed write mid-record; the chain links across it\), skipped/);
    expect(after.lastSeq).toBe(after.records);
    expect(after.records).toBeGreaterThan(cut.records);

    // Cutting the trail's last line is only visible against the table (the chain alone cannot tell).
    const lines = fs.readFileSync(live, 'utf8').split('\n');
    fs.writeFileSync(live, lines.slice(0, -2).join('\n') + '\n');
    const truncated = runCli('audit_verify.ts', [], envFor(run.config.logDir, run.config.dataDir));
    expect(truncated.stdout).toContain(`the end of the trail is missing: it stops at seq ${after.lastSeq! - 1} but the audit table has events up to seq ${after.lastSeq}`);
    expect(truncated.code).toBe(1);
  });

  it('says table rows with no seq are outside the chain and not verified, instead of calling them intact', async () => {
    run = await startGame();
    await (await run.login('Honest')).command('say all true', 'You say');
    await run.stop();
    const envs = envFor(run.config.logDir, run.config.dataDir);
    const clean = runCli('audit_verify.ts', [], envs);
    expect(clean.stdout).not.toContain('NOT verified');
    // A row no chain vouches for: adopted from before the chain, or written into the table by hand.
    const db = new Database(path.join(run.config.dataDir, AUDIT_DB_FILE));
    db.prepare('INSERT INTO audit_events (seq, ts, event_type, account, character, payload, success) VALUES (NULL, ?, ?, ?, ?, ?, 1)')
      .run('2026-01-01T00:00:00.000Z', 'say', 'Honest', 'Honest', JSON.stringify({ text: 'forged' }));
    db.close();
    const verified = runCli('audit_verify.ts', [], envs);
    expect(verified.stdout).toContain('NOT verified: 1 row(s) of the audit table have no seq, so they are not part of the hash chain and nothing vouches for them');
    expect(verified.stdout).toMatch(/Audit trail intact: \d+ record\(s\), seq 1 to \d+, in 1 file\(s\), from the start of the chain; not the 1 table row\(s\) outside the chain\.\n/);
  });
});
