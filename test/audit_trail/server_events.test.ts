/**
 * Issue 18's vocabulary: the server's own events with their OWASP names. sys_startup and
 * sys_shutdown from the real processes (`npm run start:single`, and `npm start`'s portal+game
 * across a reload), sys_monitor_disabled when the configuration turns auditing off (also when
 * every sink is off: server.log still says so), and a by-hand `npm run audit-prune` on the record.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { ROOT, serverEnv, spawnServer, type ServerProcess } from '../support/server_process.ts';
import { tempDir } from '../support/temp_dir.ts';
import { until } from '../support/wait.ts';
import { npmRun, trackPortals, trailHas } from '../portal/helpers.ts';
import { auditConfig, auditDir, readTrail } from './helpers.ts';

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SECRETS = ['Sekrit-Metrics-Token-1', 'Sekrit-Ship-Command-2'];

async function sigterm(server: ServerProcess): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

function everythingUnder(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'latin1'))
    .join('\n');
}

describe('the server start, stop and audit switched off, as audit events', () => {
  let spawned: ServerProcess | null = null;
  let run: RunningGame | null = null;
  afterEach(async () => {
    if (spawned && spawned.child.exitCode === null) spawned.child.kill('SIGKILL');
    spawned = null;
    await run?.stop();
    run = null;
  });

  it('the single-process server records its start (version, pid, settings, no secret), what is off, and its stop', async () => {
    const dir = tempDir();
    const env = serverEnv(dir, {
      MUD_WEB: 'off',
      MUD_AUDIT_CHECKPOINTS: 'off',
      MUD_METRICS_TOKEN: SECRETS[0]!,
      MUD_AUDIT_CHECKPOINT_COMMAND: `cat > /dev/null # ${SECRETS[1]}`,
    });
    spawned = await spawnServer(env, { timeoutMs: 60_000 });
    expect(await sigterm(spawned)).toBe(0);

    const trail = readTrail(env.MUD_LOG_DIR);
    const [started, disabled] = trail;
    expect(started).toMatchObject({ event_type: 'server_started', owasp: 'sys_startup', success: true });
    expect(started!.payload).toMatchObject({ version: VERSION, node: process.version, pid: spawned.pid, process: 'single' });
    expect(started!.payload.config).toMatchObject({
      ports: { telnet: spawned.telnetPort },
      data_dir: env.MUD_DATA_DIR,
      audit: { jsonl: true, table: true, checkpoints: false, checkpoint_command: true, postgres: false },
      metrics_token: true,
    });
    expect(disabled).toMatchObject({ event_type: 'audit_disabled', owasp: 'sys_monitor_disabled', payload: { scope: 'server', settings: ['MUD_AUDIT_CHECKPOINTS=off'], off: ['the signed checkpoints'] } });
    expect(trail.at(-1)).toMatchObject({ event_type: 'server_stopped', owasp: 'sys_shutdown', payload: { reason: 'SIGTERM', pid: spawned.pid, sessions: 0 } });

    const serverLog = fs.readFileSync(path.join(env.MUD_LOG_DIR, 'server.log'), 'utf8');
    expect(serverLog).toMatch(new RegExp(`\\| mud\\.server \\| INFO \\| AUDIT STARTUP: version ${VERSION} on Node ${process.version}, pid ${spawned.pid} \\(single\\), ports telnet ${spawned.telnetPort}\\n`));
    expect(serverLog).toMatch(/\| mud\.server \| WARN \| AUDIT DISABLED: MUD_AUDIT_CHECKPOINTS=off: the signed checkpoints off\n/);
    expect(serverLog).toMatch(new RegExp(`\\| mud\\.server \\| INFO \\| AUDIT SHUTDOWN: pid ${spawned.pid} after \\d+s, 0 session\\(s\\) closed, reason 'SIGTERM'\\n`));
    const everything = everythingUnder(dir);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  }, 90_000);

  it('with every audit sink off, server.log still says auditing is off, at start, and the stop', async () => {
    const dir = tempDir();
    const env = serverEnv(dir, { MUD_WEB: 'off', MUD_AUDIT: 'off', MUD_CHAT_LOG: 'off', MUD_ADMIN_LOG: 'off', MUD_CHARACTER_TYPECLASS: 'typeclasses/character.Character' });
    spawned = await spawnServer(env, { timeoutMs: 60_000 });
    expect(await sigterm(spawned)).toBe(0);
    expect(fs.existsSync(path.join(env.MUD_LOG_DIR, 'audit', 'audit.jsonl'))).toBe(false);
    const serverLog = fs.readFileSync(path.join(env.MUD_LOG_DIR, 'server.log'), 'utf8');
    expect(serverLog).toContain('| mud.server | INFO | AUDIT STARTUP: version');
    expect(serverLog).toContain(
      '| mud.server | WARN | AUDIT DISABLED: MUD_AUDIT=off, MUD_ADMIN_LOG=off, MUD_CHAT_LOG=off, MUD_AUDIT_JSONL=off, MUD_AUDIT_TABLE=off, ' +
        'MUD_CHARACTER_TYPECLASS=typeclasses/character.Character: the command, movement and player logs, admin_actions.log, chat.log, ' +
        'the hash-chained JSONL trail, the audit table, auditing of new characters off\n',
    );
    expect(serverLog).toContain("AUDIT SHUTDOWN: pid");
  }, 90_000);

  it('a character swapped away from AuditedCharacter is an audit_disabled event naming it and who did it', async () => {
    run = await startGame();
    const root = await run.login('Root');
    await run.login('Anna');
    await root.command('@typeclass/noinit Anna = typeclasses/character.Character', 'changed from');
    // Back to audited is no audit_disabled.
    await root.command('@typeclass/noinit Anna = typeclasses/audited_character.AuditedCharacter', 'changed from');
    await run.game.auditTrail.flush();
    const off = readTrail(run.config.logDir).filter((r) => r.event_type === 'audit_disabled');
    expect(off).toHaveLength(1);
    expect(off[0]).toMatchObject({
      owasp: 'sys_monitor_disabled',
      actor: { account: 'Root', character: 'Root' },
      target: { kind: 'character', name: 'Anna' },
      payload: { scope: 'character', via: '@typeclass', from: 'typeclasses/audited_character.AuditedCharacter', to: 'typeclasses/character.Character' },
    });
    expect(await run.logs.lines('admin_actions.log')).toContainEqual(
      expect.stringMatching(/\| mud\.admin \| WARN \| AUDIT DISABLED: Anna\(#\d+\) is no longer audited \(typeclasses\/audited_character\.AuditedCharacter -> typeclasses\/character\.Character\) by Root\(#\d+\)$/),
    );
  });

  it('npm run audit-prune is on the record: who ran it, the range it removed, the checkpoint signed before', async () => {
    const dir = tempDir();
    const config = { audit: auditConfig({ jsonlMaxBytes: 2048, checkpointEvents: 5, checkpointSeconds: 0 }) };
    run = await startGame({ dir, config });
    const scribe = await run.login('Scribe');
    for (let i = 0; i < 12; i++) await scribe.command(`say line ${i}`, `line ${i}`);
    await run.stop();
    run = null;
    // The rotated files as if they were written in January (their records are kept as they are).
    const aDir = auditDir(path.join(dir, 'logs'));
    const rotated = fs.readdirSync(aDir).filter((n) => /^audit-\d{4}-\d\d-\d\d(\.\d+)?\.jsonl$/.test(n));
    expect(rotated.length).toBeGreaterThan(1);
    for (const name of rotated) fs.renameSync(path.join(aDir, name), path.join(aDir, name.replace(/^audit-\d{4}-\d\d-\d\d/, 'audit-2026-01-01')));
    const inFiles = readTrail(path.join(dir, 'logs')).filter((r) => path.basename(r.file) !== 'audit.jsonl');
    const env = { MUD_DATA_DIR: path.join(dir, 'data'), MUD_LOG_DIR: path.join(dir, 'logs') };

    const out = runCli('audit_prune.ts', ['--days', '30'], env);
    expect(out.stdout).toContain(`and ${rotated.length} rotated JSONL file(s)`);
    expect(out.stdout).toContain('Recorded as an audit_pruned event');
    expect(out.code).toBe(0);

    // The next start delivers it; then the trail still verifies.
    run = await startGame({ dir, config });
    await run.game.auditTrail.flush();
    const pruned = readTrail(run.config.logDir).filter((r) => r.event_type === 'audit_pruned');
    expect(pruned).toHaveLength(1);
    const cps = fs.readdirSync(path.join(aDir, 'checkpoints')).filter((n) => n.endsWith('.checkpoint'));
    expect(pruned[0]).toMatchObject({
      owasp: 'sensitive_delete',
      actor: { account: null, protocol: 'shell' },
      payload: { via: 'npm run audit-prune', os_user: os.userInfo().username, days: 30, rows: 0, from_seq: inFiles[0]!.seq, to_seq: inFiles.at(-1)!.seq },
    });
    const p = pruned[0]!.payload as { files: string[]; checkpoint: { file: string; size: number } };
    expect(p.files.sort()).toEqual(rotated.map((n) => n.replace(/^audit-\d{4}-\d\d-\d\d/, 'audit-2026-01-01')).sort());
    expect(p.checkpoint.size).toBeGreaterThanOrEqual(inFiles.at(-1)!.seq);
    expect(cps).toContain(p.checkpoint.file);
    expect(await run.logs.lines('server.log')).toContainEqual(
      expect.stringMatching(new RegExp(`AUDIT PRUNED: events before \\S+ by ${os.userInfo().username} via npm run audit-prune: 0 table row\\(s\\), ${rotated.length} file\\(s\\) \\(seq ${inFiles[0]!.seq} to ${inFiles.at(-1)!.seq}\\); checkpoint ${p.checkpoint.file}`)),
    );
    await run.stop();
    run = null;
    const verify = runCli('audit_verify.ts', [], env);
    expect(verify.stdout).toContain('Checkpoints intact');
    expect(verify.code).toBe(0);
  }, 90_000);
});

describe('npm start (portal and game) across a reload', () => {
  const startPortal = trackPortals();

  it('one server_started at the start, none at a reload, one server_stopped at the stop', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    expect(await trailHas(portal, (r) => r.event_type === 'server_started')).toBe(true);
    const reload = await npmRun(portal, 'reload');
    expect(reload.code).toBe(0);
    expect(await trailHas(portal, (r) => r.event_type === 'reload')).toBe(true);
    const stop = await npmRun(portal, 'stop');
    expect(stop.code).toBe(0);
    expect(await until(() => portal.server.child.exitCode !== null, 30_000, 50)).toBe(true);
    const types = portal.trail().map((r) => r.event_type).filter((t) => ['server_started', 'reload', 'server_stopped'].includes(t));
    expect(types).toEqual(['server_started', 'reload', 'server_stopped']);
    const started = portal.trail().find((r) => r.event_type === 'server_started')!;
    expect(started.payload).toMatchObject({ process: 'game', version: VERSION });
  });
});
