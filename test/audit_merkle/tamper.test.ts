/**
 * Issue 18: what an intruder with write access to the files can do to a hash chain, and how the
 * signed checkpoints expose it. Real server, real files; the attacker's edits are made on the
 * files as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, recordLine } from '../../server/audit/canonical.ts';
import { listTrailFiles } from '../../server/audit/jsonl_files.ts';
import { advancePrunedBase } from '../../server/audit/merkle/trail_tree.ts';
import { expiredTrailFiles, retentionCutoff } from '../../server/audit/retention.ts';
import { runCli } from '../support/cli.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { ROOT } from '../support/server_process.ts';
import { tempDir } from '../support/temp_dir.ts';
import { auditConfig, auditDir, readTrail } from '../audit_trail/helpers.ts';

const checkpointFile = (size: number) => `${String(size).padStart(12, '0')}.checkpoint`;
const sizesIn = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => /^\d{12}\.checkpoint$/.test(n))
    .map((n) => Number(n.slice(0, 12)))
    .sort((a, b) => a - b);

/** Plays `n` says, letting the worker write (and checkpoint) as it goes. */
async function play(run: RunningGame, name: string, n: number, mode: 'create' | 'connect' = 'create'): Promise<void> {
  const player = await run.login(name, mode);
  for (let i = 0; i < n; i++) {
    await player.command(`say note ${i}`, `note ${i}`);
    if (i % 2 === 1) await run.game.auditTrail.flush();
  }
}

/** The attacker's rewrite: every line from `seq` on re-hashed, as the chain's own rules say. */
function rewriteAndRehash(logDir: string, seq: number, edit: (record: Record<string, unknown>) => void): void {
  let prev = GENESIS_HASH;
  for (const file of listTrailFiles(auditDir(logDir))) {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const out = lines.map((line) => {
      const { hash, owasp, ...rest } = JSON.parse(line) as Record<string, unknown>;
      if ((rest.seq as number) < seq) {
        prev = hash as string;
        return line;
      }
      if (rest.seq === seq) edit(rest);
      const body = canonicalJson(rest);
      prev = chainHash(prev, body);
      return recordLine(body, prev, (owasp as string | undefined) ?? null);
    });
    fs.writeFileSync(file, `${out.join('\n')}\n`);
  }
}

describe('signed checkpoints against a rewritten trail', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('a record rewritten mid-trail with the chain re-hashed after it: verify names the checkpoint that exposes it', async () => {
    run = await startGame({ config: { audit: auditConfig({ checkpointEvents: 5, checkpointSeconds: 0 }) } });
    await play(run, 'Writer', 16);
    await run.stop();
    const env = { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir };
    expect(runCli('audit_verify.ts', [], env).code).toBe(0);

    const records = readTrail(run.config.logDir);
    const victim = records.find((r) => r.event_type === 'say' && r.payload.text === 'note 7')!;
    rewriteAndRehash(run.config.logDir, victim.seq, (r) => {
      (r.payload as { text: string }).text = 'note 7, nothing to see';
    });
    const cpDir = path.join(auditDir(run.config.logDir), 'checkpoints');
    // The first checkpoint whose tree holds the victim (leaf victim.seq - 1) exposes it.
    const exposing = sizesIn(cpDir).find((s) => s >= victim.seq)!;
    const out = runCli('audit_verify.ts', [], env);
    // The chain alone checks out: that is the attack.
    expect(out.stdout).toContain(`Audit trail intact: ${records.length} record(s)`);
    const where = path.relative(ROOT, path.join(cpDir, checkpointFile(exposing)));
    expect(out.stdout).toMatch(new RegExp(`Audit trail BROKEN at \\S+:\\d+ \\(seq \\d+\\): the records do not give the root signed in checkpoint \\S*${checkpointFile(exposing)} \\(tree size ${exposing}\\)`));
    expect(out.stdout).toContain(`Exposed by checkpoint ${where.startsWith('..') ? path.join(cpDir, checkpointFile(exposing)) : where}.`);
    // The named record is the first after the last checkpoint that still matches, and the victim is in the span.
    const named = Number(/BROKEN at \S+ \(seq (\d+)\): the records/.exec(out.stdout)![1]);
    const previous = sizesIn(cpDir).filter((s) => s < exposing).at(-1) ?? 0;
    expect(named).toBe(previous + 1);
    expect(out.stdout).toMatch(new RegExp(`among seq ${named} to ${exposing}`));
    expect(victim.seq).toBeGreaterThanOrEqual(named);
    // The table still has what happened, and says so.
    expect(out.stdout).toContain(`Audit table BROKEN: row id`);
    expect(out.code).toBe(1);
  });

  it('a record rewritten and the saved tree state copied over pruned-base.json: verify names the retained record the base claims was pruned', async () => {
    run = await startGame({ config: { audit: auditConfig({ checkpointEvents: 5, checkpointSeconds: 0 }) } });
    await play(run, 'Forger', 8);
    await run.stop();
    const env = { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir };
    const records = readTrail(run.config.logDir);
    const victim = records.find((r) => r.event_type === 'say' && r.payload.text === 'note 3')!;
    rewriteAndRehash(run.config.logDir, victim.seq, (r) => {
      (r.payload as { text: string }).text = 'note 3, nothing to see';
    });
    // The base is unsigned: the tree state (the frontier at the newest checkpoint) passes for one
    // that says every record was pruned, so no leaf would be read and every root would match.
    const cpDir = path.join(auditDir(run.config.logDir), 'checkpoints');
    fs.copyFileSync(path.join(cpDir, 'tree-state.json'), path.join(cpDir, 'pruned-base.json'));
    const out = runCli('audit_verify.ts', [], env);
    expect(out.stdout).toContain(`Audit trail intact: ${records.length} record(s)`); // the chain alone
    const first = listTrailFiles(auditDir(run.config.logDir))[0]!;
    expect(out.stdout).toMatch(
      new RegExp(`Audit trail BROKEN at \\S*${path.basename(first).replace('.', '\\.')}:1 \\(seq 1\\): this record is still in the trail, yet \\S*pruned-base\\.json says the records up to seq ${records.length} were pruned`),
    );
    expect(out.code).toBe(1);

    // Going further, the intruder empties the trail and removes the checkpoints the base reaches:
    // no record is left to contradict the base, but no signed checkpoint vouches for it either.
    for (const file of listTrailFiles(auditDir(run.config.logDir))) fs.writeFileSync(file, '');
    for (const size of sizesIn(cpDir)) if (size >= records.length) fs.rmSync(path.join(cpDir, checkpointFile(size)));
    const emptied = runCli('audit_verify.ts', [], env);
    expect(emptied.stdout).toMatch(new RegExp(`Audit trail BROKEN at \\S+: no signed checkpoint at or above tree size ${records.length} verified, so nothing vouches for \\S*pruned-base\\.json`));
    expect(emptied.code).toBe(1);
  });

  it('a prune cut short between saving the base and removing its files: verify names what is left, and the next prune finishes it', async () => {
    const dir = tempDir();
    const config = { audit: auditConfig({ jsonlMaxBytes: 2048, checkpointEvents: 5, checkpointSeconds: 0 }) };
    run = await startGame({ dir, config });
    await play(run, 'Pruner', 12);
    await run.stop();
    // The crash, as if two days had passed: the prune's own step saved the base over the
    // expired files, and the process died before it removed them.
    const trailDir = auditDir(run.config.logDir);
    const prunedAt = new Date(Date.now() + 2 * 86_400_000);
    const expired = expiredTrailFiles(trailDir, retentionCutoff(1, prunedAt));
    expect(expired.length).toBeGreaterThan(1);
    const base = await advancePrunedBase(trailDir, expired);
    const env = { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir };
    const out = runCli('audit_verify.ts', [], env);
    expect(out.stdout).toContain(`${path.basename(expired[0]!)}:1 (seq 1): this record is still in the trail, yet `);
    expect(out.stdout).toContain(`says the records up to seq ${base.lastSeq} were pruned`);
    expect(out.stdout).toContain('running npm run audit-prune again, with the same --days or fewer, finishes it');
    expect(out.code).toBe(1);

    run = await startGame({ dir, config });
    const again = await run.game.auditTrail.prune(1, prunedAt);
    expect(again.files).toEqual(expired);
    await run.stop();
    const finished = runCli('audit_verify.ts', [], env);
    expect(finished.stdout).toContain(`note: the trail starts after seq ${base.lastSeq}`);
    expect(finished.stdout).toMatch(/Checkpoints intact: \d+ signed checkpoint\(s\)/);
    expect(finished.code).toBe(0);
  });

  it('the newest records and checkpoints deleted: a checkpoint shipped by MUD_AUDIT_CHECKPOINT_COMMAND exposes the truncation', async () => {
    const shipped = tempDir('mud-offsite-');
    const command = `sh ${path.join(ROOT, 'docs/examples/ship_checkpoint.sh')} ${shipped}`;
    run = await startGame({ config: { audit: auditConfig({ checkpointEvents: 6, checkpointSeconds: 0, checkpointCommand: command }) } });
    await play(run, 'Keeper', 12);
    await run.stop();
    const env = { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir };
    const records = readTrail(run.config.logDir);
    const offsite = sizesIn(shipped);
    expect(offsite.at(-1)).toBe(records.length); // the shutdown checkpoint was shipped too
    expect(offsite.length).toBeGreaterThan(2);

    // The intruder cuts the last 9 records, the checkpoints that cover them, the saved tree and the table rows.
    const keep = records.length - 9;
    const live = path.join(auditDir(run.config.logDir), 'audit.jsonl');
    const lines = fs.readFileSync(live, 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(live, `${lines.slice(0, lines.length - 9).join('\n')}\n`);
    const cpDir = path.join(auditDir(run.config.logDir), 'checkpoints');
    for (const size of sizesIn(cpDir)) if (size > keep) fs.rmSync(path.join(cpDir, checkpointFile(size)));
    fs.rmSync(path.join(cpDir, 'tree-state.json'));
    const db = new Database(path.join(run.config.dataDir, 'audit.sqlite3'));
    db.prepare('DELETE FROM audit_events WHERE seq > ?').run(keep);
    db.close();

    // What is left on the host is consistent with itself...
    const local = runCli('audit_verify.ts', [], env);
    expect(local.stdout).toContain('Audit trail intact');
    expect(local.code).toBe(0);
    // ...but not with what was shipped.
    const vkey = runCli('audit_pubkey.ts', [], env).stdout.trim();
    const against = runCli('audit_verify.ts', ['--key', vkey, '--checkpoint', shipped], env);
    expect(against.stdout).toMatch(new RegExp(`covers ${records.length} record\\(s\\) but the trail holds ${keep}: the newest 9 record\\(s\\), after seq ${keep}, were removed`));
    expect(against.stdout).toContain(`Exposed by checkpoint ${path.join(shipped, checkpointFile(records.length))}.`);
    expect(against.code).toBe(1);
  });

  it('a failing checkpoint command is reported and retried, and never stops the game', async () => {
    const dir = tempDir();
    const config = { audit: auditConfig({ checkpointEvents: 4, checkpointSeconds: 0, checkpointCommand: 'echo offsite unreachable >&2; exit 3' }) };
    run = await startGame({ dir, config });
    await play(run, 'Patient', 6);
    expect(await run.logs.lines('server.log')).toContainEqual(
      expect.stringMatching(/ERROR \| Audit checkpoint command failed for checkpoint \d+: exit code 3: offsite unreachable; \d+ checkpoint\(s\) wait, retrying/),
    );
    await run.stop();
    // Next start, with a command that works: what was not shipped goes first.
    const shipped = tempDir('mud-offsite-');
    run = await startGame({ dir, config: { audit: { ...config.audit, checkpointCommand: `sh ${path.join(ROOT, 'docs/examples/ship_checkpoint.sh')} ${shipped}` } } });
    await play(run, 'Patient', 2, 'connect');
    await run.stop();
    const local = sizesIn(path.join(auditDir(run.config.logDir), 'checkpoints'));
    expect(sizesIn(shipped)).toEqual(local);
  });
});
