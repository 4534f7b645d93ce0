/**
 * Issue 18: inclusion and consistency proofs of the trail's Merkle tree, checked by a verifier
 * of the test's own (rfc6962.ts), across rotation, a restart and pruning; @audit/proof in game.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeProof } from '../../server/audit/merkle/describe_proof.ts';
import { runCli } from '../support/cli.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { tempDir } from '../support/temp_dir.ts';
import { auditConfig, auditDir, readTrail } from '../audit_trail/helpers.ts';
import { consistent, leaf, mth, openCheckpoint, recordLines, rootFromInclusion } from './rfc6962.ts';
import { startAdminGame, type AdminGame } from '../web_admin/support.ts';

const DAY = 86_400_000;
const b = (s: string) => Buffer.from(s, 'base64');
const envFor = (run: RunningGame) => ({ MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir });

function proof(run: RunningGame, ...args: string[]) {
  const out = runCli('audit_proof.ts', [...args, '--json'], envFor(run));
  return { code: out.code, stderr: out.stderr, answer: out.code === 0 ? JSON.parse(out.stdout) : null };
}

describe('Merkle proofs of the audit trail', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('proves inclusion and consistency to an independent verifier across rotation, restart and pruning', async () => {
    const dir = tempDir();
    const config = { audit: auditConfig({ jsonlMaxBytes: 2048, checkpointEvents: 7, checkpointSeconds: 0 }) };
    run = await startGame({ dir, config });
    const scribe = await run.login('Scribe');
    // Flushed as it goes, so the worker writes (and checkpoints) in several batches.
    for (let i = 0; i < 15; i++) {
      await scribe.command(`say line ${i}`, `line ${i}`);
      if (i % 3 === 2) await run.game.auditTrail.flush();
    }
    run = await run.restart();
    const again = await run.login('Scribe', 'connect');
    for (let i = 15; i < 25; i++) {
      await again.command(`say line ${i}`, `line ${i}`);
      if (i % 3 === 2) await run.game.auditTrail.flush();
    }
    await run.stop();

    const vkey = runCli('audit_pubkey.ts', [], envFor(run)).stdout.trim();
    expect(vkey).toMatch(/^\S+\/mud-audit\+[0-9a-f]{8}\+[A-Za-z0-9+/=]{44}$/);
    expect(fs.statSync(path.join(run.config.dataDir, 'audit_signing.key')).mode & 0o777).toBe(0o600);
    const cpDir = path.join(auditDir(run.config.logDir), 'checkpoints');
    const checkpoints = fs.readdirSync(cpDir).filter((n) => n.endsWith('.checkpoint')).map((n) => openCheckpoint(fs.readFileSync(path.join(cpDir, n), 'utf8'), vkey));
    expect(checkpoints.length).toBeGreaterThan(4);
    // The tree over every record on disk, computed here from RFC 6962, gives each signed root.
    const leaves = recordLines(auditDir(run.config.logDir)).map(leaf);
    const records = readTrail(run.config.logDir);
    expect(leaves).toHaveLength(records.length);
    for (const cp of checkpoints) expect(mth(leaves.slice(0, cp.size)).equals(cp.root), `checkpoint ${cp.size}`).toBe(true);
    const newest = checkpoints.reduce((a, c) => (c.size > a.size ? c : a));
    expect(newest.size).toBe(records.length); // the shutdown checkpoint covers everything

    // Inclusion of a record from the first file, and from after the restart.
    for (const seq of [2, records.length - 3]) {
      const { answer, code } = proof(run, 'inclusion', String(seq));
      expect(code).toBe(0);
      expect(JSON.parse(answer.record).seq).toBe(seq);
      expect(answer.treeSize).toBe(newest.size);
      const root = rootFromInclusion(answer.leafIndex, answer.treeSize, leaf(Buffer.from(answer.record)), answer.proof.map(b));
      expect(root?.equals(newest.root)).toBe(true);
    }
    // Consistency of older checkpoints (the first, one from the middle, the one before the newest) with the newest.
    const older = checkpoints.filter((c) => c.size < newest.size).sort((x, y) => x.size - y.size);
    for (const cp of [older[0]!, older[Math.floor(older.length / 2)]!, older.at(-1)!]) {
      const { answer } = proof(run, 'consistency', String(cp.size));
      expect(consistent(cp.size, newest.size, cp.root, newest.root, answer.proof.map(b))).toBe(true);
      expect(consistent(cp.size, newest.size, cp.root, newest.root, answer.proof.slice(1).map(b))).toBe(false);
    }

    // Prune every rotated file (as if two days had passed), then play on.
    run = await startGame({ dir, config });
    const prunedAt = new Date(Date.now() + 2 * DAY);
    const pruned = await run.game.auditTrail.prune(1, prunedAt);
    expect(pruned.files.length).toBeGreaterThan(2);
    const third = await run.login('Scribe', 'connect');
    for (let i = 25; i < 30; i++) await third.command(`say line ${i}`, `line ${i}`);
    await run.stop();

    const kept = readTrail(run.config.logDir);
    expect(kept[0]!.seq).toBeGreaterThan(1);
    const verify = runCli('audit_verify.ts', ['--key', vkey], envFor(run));
    expect(verify.stdout).toMatch(/Checkpoints intact: \d+ signed checkpoint\(s\)/);
    expect(verify.stdout).toContain(`note: the trail starts after seq ${kept[0]!.seq - 1}`);
    expect(verify.code).toBe(0);
    const after = fs.readdirSync(cpDir).filter((n) => n.endsWith('.checkpoint')).map((n) => openCheckpoint(fs.readFileSync(path.join(cpDir, n), 'utf8'), vkey));
    const latest = after.reduce((a, c) => (c.size > a.size ? c : a));
    const prunedCount = kept[0]!.seq - 1;
    expect(Math.min(...after.map((c) => c.size))).toBeGreaterThanOrEqual(prunedCount);
    // Inclusion of a retained record: its leaf index still counts the pruned ones.
    const seq = kept[1]!.seq;
    const inc = proof(run, 'inclusion', String(seq)).answer;
    expect(inc.leafIndex).toBe(seq - 1);
    expect(rootFromInclusion(inc.leafIndex, inc.treeSize, leaf(Buffer.from(inc.record)), inc.proof.map(b))?.equals(latest.root)).toBe(true);
    // The checkpoint signed before the prune is consistent with the newest one.
    const beforePrune = after.filter((c) => c.size < latest.size).reduce((a, c) => (c.size > a.size ? c : a));
    const con = proof(run, 'consistency', String(beforePrune.size)).answer;
    expect(consistent(beforePrune.size, latest.size, beforePrune.root, latest.root, con.proof.map(b))).toBe(true);
    // A pruned record has no proof any more.
    const gone = runCli('audit_proof.ts', ['inclusion', '2'], envFor(run));
    expect(gone.stderr).toContain('seq 2 was pruned');
    expect(gone.code).toBe(1);
  }, 120_000);

  it('shows a proof in game to admins, and records carry their OWASP names', async () => {
    run = await startGame();
    const root = await run.login('Root');
    const pleb = await run.login('Pleb');
    const intruder = await run.connect();
    await intruder.command('connect Pleb not-the-password', 'Wrong name or password.');
    await pleb.command('@audit/proof 1', 'Audit proofs need Admin permission.');
    await root.command('@audit/proof x', 'Usage: @audit/proof <seq>');
    const shown = await root.command('@audit/proof 3', 'Checkpoint');
    expect(shown).toMatch(/Record seq 3 \(.*audit\.jsonl:3\):\n\{.*"seq":3/);
    expect(shown).toMatch(/Root hash: \S+ {2}\(the proof gives it\)/);
    await root.command('@audit/proof 999999', 'There is no audit event with seq 999999');

    const records = readTrail(run.config.logDir);
    const owasp = (type: string) => records.find((r) => r.event_type === type) as unknown as { owasp?: string };
    expect(owasp('login_ok').owasp).toBe('authn_login_success');
    expect(owasp('login_failed').owasp).toBe('authn_login_fail');
    expect(owasp('account_created').owasp).toBe('user_created');
    // Pleb's refused @audit/proof: an access_denied event, the vocabulary's authorisation failure.
    expect(owasp('permissions_changed')).toMatchObject({ target: { name: 'Root' }, payload: { via: 'admin token' }, owasp: 'authz_change' });
    expect(owasp('access_denied')).toMatchObject({ actor: { account: 'Pleb' }, payload: { command: '@audit', switches: ['proof'], needs: 'Admin' }, owasp: 'authz_fail' });
    expect(owasp('say')?.owasp ?? null).toBeNull();
    expect(owasp('connection_opened').owasp).toBeUndefined();
  });

  it('the console answers the same proof to an Admin, checked here against the signed checkpoint it names', async () => {
    const admin: AdminGame = await startAdminGame();
    run = admin;
    const player = await admin.login('Reader');
    for (let i = 0; i < 5; i++) await player.command(`say line ${i}`, `line ${i}`);
    expect((await admin.get('/admin/api/proof/3')).status).toBe(401);
    const cookie = await admin.adminCookie();
    expect((await admin.get('/admin/api/proof/x', cookie)).status).toBe(400);
    expect((await admin.get('/admin/api/proof/999999', cookie)).status).toBe(404);
    const answer = await admin.getJson('/admin/api/proof/3', cookie);
    const vkey = runCli('audit_pubkey.ts', [], envFor(admin)).stdout.trim();
    const signed = openCheckpoint(answer.checkpoint, vkey);
    expect(JSON.parse(answer.record).seq).toBe(3);
    expect(signed.size).toBe(answer.treeSize);
    expect(rootFromInclusion(answer.leafIndex, answer.treeSize, leaf(Buffer.from(answer.record)), answer.proof.map(b))?.equals(signed.root)).toBe(true);
    // The same record, byte for byte, as the trail's line for seq 3.
    expect(recordLines(auditDir(admin.config.logDir))[2]!.toString()).toBe(answer.record);
    // Its `text` is what @audit/proof and `npm run audit-proof` print for the same answer.
    const { text, ...fields } = answer;
    expect(text).toBe(describeProof(fields));
    expect(text).toContain(`Record seq 3 (${answer.file}:3):\n${answer.record}\n`);
  });
});
