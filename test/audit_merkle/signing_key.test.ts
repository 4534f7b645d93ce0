/**
 * Issue 18's signing key where the operator puts it (MUD_AUDIT_SIGNING_KEY_FILE), and checkpoints
 * by time (MUD_AUDIT_CHECKPOINT_SECONDS) as well as by count. Signatures are checked with the
 * test's own verifier (rfc6962.ts), not the project's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { tempDir } from '../support/temp_dir.ts';
import { until } from '../support/wait.ts';
import { auditConfig, auditDir, readTrail } from '../audit_trail/helpers.ts';
import { leaf, mth, openCheckpoint, recordLines } from './rfc6962.ts';

const checkpointsIn = (logDir: string) => {
  const dir = path.join(auditDir(logDir), 'checkpoints');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.checkpoint')).map((n) => path.join(dir, n)) : [];
};

describe('the signing key and timed checkpoints', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('uses the key file MUD_AUDIT_SIGNING_KEY_FILE names (made there, 0600), and signs a checkpoint every MUD_AUDIT_CHECKPOINT_SECONDS', async () => {
    const keyFile = path.join(tempDir('mud-keys-'), 'offline', 'trail.key');
    fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
    run = await startGame({ config: { audit: auditConfig({ signingKeyFile: keyFile, checkpointEvents: 0, checkpointSeconds: 1 }) } });
    const player = await run.login('Clockwork');
    await player.command('say tick', 'tick');
    await run.game.auditTrail.flush();
    const before = readTrail(run.config.logDir).length;
    // No count triggers one (checkpointEvents 0): the timer does, within a few of its seconds.
    expect(await until(() => checkpointsIn(run.config.logDir).some((f) => Number(path.basename(f).slice(0, 12)) >= before), 30_000, 100)).toBe(true);

    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(run.config.dataDir, 'audit_signing.key'))).toBe(false);
    const env = { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: run.config.dataDir, MUD_AUDIT_SIGNING_KEY_FILE: keyFile };
    const vkey = runCli('audit_pubkey.ts', [], env).stdout.trim();
    const leaves = recordLines(auditDir(run.config.logDir)).map(leaf);
    for (const file of checkpointsIn(run.config.logDir)) {
      const cp = openCheckpoint(fs.readFileSync(file, 'utf8'), vkey);
      expect(mth(leaves.slice(0, cp.size)).equals(cp.root), file).toBe(true);
    }
    await run.stop();
    const verify = runCli('audit_verify.ts', [], env);
    expect(verify.stdout).toContain('Checkpoints intact');
    expect(verify.code).toBe(0);
    // The default key file is another key: the checkpoints do not verify with it.
    const other = runCli('audit_pubkey.ts', [], { MUD_LOG_DIR: run.config.logDir, MUD_DATA_DIR: path.join(tempDir(), 'data') });
    expect(other.code).toBe(0);
    expect(other.stdout.trim()).not.toBe(vkey);
    expect(() => openCheckpoint(fs.readFileSync(checkpointsIn(run.config.logDir)[0]!, 'utf8'), other.stdout.trim())).toThrow();
  });
});
